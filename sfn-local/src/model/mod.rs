//! The definition model: ASL documents as Rust types (serde).

pub mod choice;
