//! Expressions of the JSONPath query language: paths, payload templates, intrinsic functions
//! and Choice rules. Pure functions of a [`Scope`]; no I/O, no clock.
//!
//! Errors carry only the detail of what went wrong (`cause`); the executor adds AWS's prefix
//! "An error occurred while executing the state 'X' (entered at the event id #N). ".

use sfn_json::{Map, Value};

pub mod choice;
pub mod compiled;
pub mod intrinsic;
pub mod json_text;
pub mod jsonata;
mod parse_cache;
pub mod path;
pub mod template;
pub mod timestamp;

/// What an expression can see.
#[derive(Debug, Clone, Copy)]
pub struct Scope<'a> {
    /// The effective input of the state (`$`).
    pub input: &'a Value,
    /// The context object (`$$`): Execution, State, StateMachine, Task, Map.Item.
    pub context: &'a Value,
    /// Workflow variables in scope (`$name`), assigned by `Assign`.
    pub variables: &'a Map,
}
