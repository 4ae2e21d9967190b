//! Task resources: invoking Lambda functions (in-process or over the Lambda Invoke HTTP API)
//! and task tokens for `.waitForTaskToken`.

mod chaos;
pub(crate) mod http;
mod in_process;
pub mod mock;
mod resource;
mod tokens;

use futures::future::BoxFuture;
use sfn_json::{Map, Value};

pub use chaos::{ChaosConfig, ChaosInvoker, ChaosStats, Fault, SERVICE_ERRORS, TIMEOUT_ERROR};
pub use http::HttpLambdas;
pub use in_process::InProcessLambdas;
pub use mock::{MockConfig, MockError, MockedLambdas};
pub use resource::{Resource, function_name};
pub use tokens::{TaskTokenError, TaskTokens, TokenOutcome};

/// An error the function itself returned (Lambda's `FunctionError`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{error_type}: {error_message}")]
pub struct FunctionError {
    pub error_type: String,
    pub error_message: String,
    /// The raw error payload as Lambda returned it, when it came over the wire.
    pub raw: Option<String>,
}

impl FunctionError {
    pub fn new(error_type: impl Into<String>, error_message: impl Into<String>) -> Self {
        Self {
            error_type: error_type.into(),
            error_message: error_message.into(),
            raw: None,
        }
    }

    /// AWS's cause: the function's error payload as JSON text.
    pub fn cause(&self) -> String {
        if let Some(raw) = &self.raw {
            return raw.clone();
        }
        let mut payload = Map::new();
        payload.insert("errorMessage", Value::String(self.error_message.clone()));
        payload.insert("errorType", Value::String(self.error_type.clone()));
        Value::Object(payload).to_string()
    }
}

/// Why an invocation produced no payload.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvokeError {
    /// The function ran and failed.
    #[error(transparent)]
    Function(FunctionError),
    /// The service could not run it (`Lambda.ResourceNotFoundException`, connection refused...).
    #[error("{error}: {cause}")]
    Service { error: String, cause: String },
}

/// Runs a Lambda function: `function` is a name or ARN, `payload` the event.
pub trait LambdaInvoker: Send + Sync {
    fn invoke<'a>(
        &'a self,
        function: &'a str,
        payload: &'a Value,
    ) -> BoxFuture<'a, Result<Value, InvokeError>>;

    /// A canned result for the Task state `state` (any resource), replacing the call; `None`
    /// runs the state normally. Only mocks (`--mock-config`) answer.
    fn mocked(&self, _state: &str) -> Option<Result<Value, InvokeError>> {
        None
    }
}
