//! Shared code for the order-fulfillment Lambda functions: domain types and validation,
//! error names, DynamoDB access, the simulated gateway/carrier/notifier, and set-up.

pub mod config;
pub mod db;
pub mod error;
pub mod http;
pub mod input;
pub mod order;
pub mod sim;
#[cfg(feature = "test-support")]
pub mod test_support;

pub use config::{Deps, TableKind, TableNames};
pub use error::{ErrorName, StoreError};

// Re-exported so the function crates need few direct dependencies.
pub use aws_lambda_events;
pub use aws_sdk_dynamodb;
pub use aws_sdk_sfn;
pub use lambda_runtime;
pub use serde_dynamo;
