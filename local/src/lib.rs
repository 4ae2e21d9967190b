//! order-local: the order-fulfillment workflow offline, with the real handlers.
//!
//! `env` starts (or finds) a local DynamoDB-compatible server and creates the template's tables;
//! `functions` registers the 14 handlers in-process; `workflow` runs an order through the
//! template's state machine on sfn-local and reports what happened; `scenario` checks the runs
//! of `events/orders/` against their expectations; `chaos` runs randomized orders under injected
//! faults and checks the invariants over DynamoDB.

pub mod chaos;
pub mod env;
pub mod functions;
pub mod scenario;
pub mod workflow;

pub use env::{LocalEnv, LocalError};
