//! Everything that can stop a local run, each with what to do about it.

use sfn_local::template::TemplateError;

#[derive(Debug, thiserror::Error)]
pub enum LocalError {
    /// No local DynamoDB-compatible server (moto_server missing, or it did not start).
    #[error("local DynamoDB: {0}")]
    DynamoDb(String),
    /// A DynamoDB call failed.
    #[error("{0}")]
    Store(#[from] shared::StoreError),
    #[error(transparent)]
    Template(#[from] TemplateError),
    /// The template's tables or event rules are not what a local run can use.
    #[error("{path}: {message}")]
    TemplateContent { path: String, message: String },
    /// The state machine definition does not parse or validate.
    #[error("state machine {name}: {message}")]
    Definition { name: String, message: String },
    #[error("cannot read {path}: {message}")]
    Read { path: String, message: String },
    /// A tokio runtime or thread could not be started, or ended early.
    #[error("runtime: {0}")]
    Runtime(String),
    /// The in-process Step Functions API refused a call.
    #[error("Step Functions API: {0}")]
    Api(String),
    /// The human-in-the-loop step could not be answered.
    #[error("approval: {0}")]
    Approval(String),
    /// `cargo lambda watch` could not be started or stopped answering.
    #[error("cargo lambda: {0}")]
    CargoLambda(String),
}
