//! sfn-local: an Amazon States Language engine that runs Step Functions state machines offline.
//!
//! Layers, each reaching only downward:
//! `model` (definition types, serde) → `validate` → `expr` (paths, payload templates,
//! intrinsic functions, Choice rules; later JSONata) → `exec` (states, retries, Map/Parallel on
//! tokio, virtual clock) → `history` → CLI and servers (in `main.rs` and `cli`).
//! `task` holds the Lambda invokers and task tokens the executor calls.

pub mod cli;
pub mod error;
pub mod exec;
pub mod expr;
pub mod history;
pub mod model;
pub mod serve;
pub mod task;
pub mod template;
pub mod validate;

pub use error::StatesError;
pub use exec::{Engine, ExecutionOptions, Limits, Outcome, Status};
pub use model::{StateMachine, parse_definition};
pub use validate::{ValidationError, validate};
