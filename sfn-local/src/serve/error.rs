//! The API's errors: each variant is one Step Functions error code (the `__type` an SDK reads).

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use sfn_json::json;

use super::api::JSON_1_0;

/// An error the Step Functions API answers with (HTTP 400 unless noted), carrying its message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApiError {
    #[error("{0}")]
    InvalidArn(String),
    #[error("{0}")]
    InvalidDefinition(String),
    #[error("{0}")]
    InvalidName(String),
    #[error("{0}")]
    InvalidExecutionInput(String),
    #[error("{0}")]
    InvalidOutput(String),
    #[error("{0}")]
    InvalidToken(String),
    #[error("{0}")]
    StateMachineAlreadyExists(String),
    #[error("{0}")]
    StateMachineDoesNotExist(String),
    #[error("{0}")]
    ExecutionAlreadyExists(String),
    #[error("{0}")]
    ExecutionDoesNotExist(String),
    #[error("{0}")]
    TaskDoesNotExist(String),
    #[error("{0}")]
    TaskTimedOut(String),
    /// A member is missing or out of its constraints.
    #[error("{0}")]
    Validation(String),
    /// The body is not JSON, or a member has the wrong JSON type.
    #[error("{0}")]
    Serialization(String),
    /// `X-Amz-Target` names no operation this server has.
    #[error("{0}")]
    UnknownOperation(String),
    /// The server cannot do what was asked (HTTP 500).
    #[error("{0}")]
    Internal(String),
}

impl ApiError {
    /// The error code, as `__type` carries it.
    pub fn code(&self) -> &'static str {
        match self {
            Self::InvalidArn(_) => "InvalidArn",
            Self::InvalidDefinition(_) => "InvalidDefinition",
            Self::InvalidName(_) => "InvalidName",
            Self::InvalidExecutionInput(_) => "InvalidExecutionInput",
            Self::InvalidOutput(_) => "InvalidOutput",
            Self::InvalidToken(_) => "InvalidToken",
            Self::StateMachineAlreadyExists(_) => "StateMachineAlreadyExists",
            Self::StateMachineDoesNotExist(_) => "StateMachineDoesNotExist",
            Self::ExecutionAlreadyExists(_) => "ExecutionAlreadyExists",
            Self::ExecutionDoesNotExist(_) => "ExecutionDoesNotExist",
            Self::TaskDoesNotExist(_) => "TaskDoesNotExist",
            Self::TaskTimedOut(_) => "TaskTimedOut",
            Self::Validation(_) => "ValidationException",
            Self::Serialization(_) => "SerializationException",
            Self::UnknownOperation(_) => "UnknownOperationException",
            Self::Internal(_) => "InternalFailure",
        }
    }

    pub fn status(&self) -> StatusCode {
        match self {
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
            _ => StatusCode::BAD_REQUEST,
        }
    }

    /// AWS's message for a required member left out.
    pub fn missing(member: &str) -> Self {
        Self::Validation(format!(
            "1 validation error detected: Value null at '{member}' failed to satisfy constraint: \
             Member must not be null"
        ))
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = json!({"__type": self.code(), "message": self.to_string()});
        (
            self.status(),
            [
                (axum::http::header::CONTENT_TYPE, JSON_1_0),
                // Some SDKs read the code from this header before the body.
                (
                    axum::http::HeaderName::from_static("x-amzn-errortype"),
                    self.code(),
                ),
            ],
            body.to_string(),
        )
            .into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_the_sdk_names() {
        assert_eq!(ApiError::missing("name").code(), "ValidationException");
        assert_eq!(
            ApiError::TaskDoesNotExist(String::new()).code(),
            "TaskDoesNotExist"
        );
        assert_eq!(
            ApiError::Internal(String::new()).status(),
            StatusCode::INTERNAL_SERVER_ERROR
        );
    }
}
