//! sfn-local: an Amazon States Language engine that runs Step Functions state machines offline.
//!
//! Layers, each reaching only downward:
//! `model` (definition types, serde) → `validate` → `expr` (paths, payload templates,
//! intrinsic functions, Choice rules; later JSONata) → `exec` (states, retries, Map/Parallel on
//! tokio, virtual clock) → `history` → CLI and servers (in `main.rs` and `cli`).

pub mod error;
pub mod expr;
pub mod model;
