//! Stable error names (the Lambda `errorType` the ASL matches) and store errors.

use aws_sdk_dynamodb::error::{ProvideErrorMetadata, SdkError};

/// The stable name of an error, used as the Lambda `errorType`.
pub trait ErrorName: std::fmt::Display {
    fn error_name(&self) -> &'static str;
}

/// Builds the Lambda `Diagnostic` for an error with a stable name.
pub fn diagnostic<E: ErrorName>(error: &E) -> lambda_runtime::Diagnostic {
    lambda_runtime::Diagnostic {
        error_type: error.error_name().to_string(),
        error_message: error.to_string(),
    }
}

/// Implements `From<$ty> for lambda_runtime::Diagnostic` through [`ErrorName`].
#[macro_export]
macro_rules! impl_diagnostic {
    ($ty:ty) => {
        impl From<$ty> for $crate::lambda_runtime::Diagnostic {
            fn from(error: $ty) -> Self {
                $crate::error::diagnostic(&error)
            }
        }
    };
}

/// A DynamoDB failure that is not a domain outcome: throttling, service errors,
/// dispatch failures, or an item that does not have the shape we wrote.
/// The functions report it as `StoreUnavailable` (transient, retried by the ASL).
#[derive(Debug, thiserror::Error)]
#[error("store unavailable: {0}")]
pub struct StoreError(pub String);

impl StoreError {
    pub fn from_sdk<E, R>(operation: &str, error: SdkError<E, R>) -> Self
    where
        E: ProvideErrorMetadata + std::error::Error + 'static,
        R: std::fmt::Debug,
    {
        let code = error.code().unwrap_or("no code").to_string();
        let message = error
            .message()
            .map(str::to_string)
            .unwrap_or_else(|| aws_smithy_error_chain(&error));
        StoreError(format!("{operation}: {code}: {message}"))
    }
}

fn aws_smithy_error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(inner) = source {
        text.push_str(": ");
        text.push_str(&inner.to_string());
        source = inner.source();
    }
    text
}

/// True when the request failed only because its ConditionExpression was false.
pub fn is_condition_failed<E: ProvideErrorMetadata, R>(error: &SdkError<E, R>) -> bool {
    error.code() == Some("ConditionalCheckFailedException")
}

/// What the Lambda runtime returns for a handler's result: the output serialised to JSON,
/// or the error's `Diagnostic`. In-process hosts (sfn-local, tests) use it so that they see
/// exactly what a deployed function answers.
pub fn lambda_result<T, E>(
    result: Result<T, E>,
) -> Result<serde_json::Value, lambda_runtime::Diagnostic>
where
    T: serde::Serialize,
    E: ErrorName,
{
    match result {
        Ok(output) => serde_json::to_value(output).map_err(|e| lambda_runtime::Diagnostic {
            error_type: "SerializationError".into(),
            error_message: e.to_string(),
        }),
        Err(error) => Err(diagnostic(&error)),
    }
}
