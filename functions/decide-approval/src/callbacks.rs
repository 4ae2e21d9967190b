//! Answering a `.waitForTaskToken` task, behind a trait so tests can record the calls.

use shared::aws_sdk_sfn;
use shared::aws_sdk_sfn::error::ProvideErrorMetadata;
use std::future::Future;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CallbackError {
    /// The task is gone: it timed out, or the token is unknown (`TaskTimedOut`,
    /// `TaskDoesNotExist`, `InvalidToken`).
    #[error("task expired: {0}")]
    Expired(String),
    #[error("{0}")]
    Failed(String),
}

/// SendTaskSuccess / SendTaskFailure.
pub trait TaskCallbacks: Send + Sync {
    fn succeed(
        &self,
        task_token: &str,
        output: &str,
    ) -> impl Future<Output = Result<(), CallbackError>> + Send;

    fn fail(
        &self,
        task_token: &str,
        error: &str,
        cause: &str,
    ) -> impl Future<Output = Result<(), CallbackError>> + Send;
}

/// The real implementation (`AWS_ENDPOINT_URL_SFN` points it at sfn-local).
#[derive(Debug, Clone)]
pub struct SfnCallbacks {
    pub client: aws_sdk_sfn::Client,
}

impl TaskCallbacks for SfnCallbacks {
    async fn succeed(&self, task_token: &str, output: &str) -> Result<(), CallbackError> {
        self.client
            .send_task_success()
            .task_token(task_token)
            .output(output)
            .send()
            .await
            .map(|_| ())
            .map_err(|e| classify(&e))
    }

    async fn fail(&self, task_token: &str, error: &str, cause: &str) -> Result<(), CallbackError> {
        self.client
            .send_task_failure()
            .task_token(task_token)
            .error(error)
            .cause(cause)
            .send()
            .await
            .map(|_| ())
            .map_err(|e| classify(&e))
    }
}

fn classify<E: ProvideErrorMetadata + std::fmt::Display>(error: &E) -> CallbackError {
    let text = match (error.code(), error.message()) {
        (Some(code), Some(message)) => format!("{code}: {message}"),
        (Some(code), None) => code.to_string(),
        _ => error.to_string(),
    };
    match error.code() {
        Some("TaskTimedOut" | "TaskDoesNotExist" | "InvalidToken") => CallbackError::Expired(text),
        _ => CallbackError::Failed(text),
    }
}
