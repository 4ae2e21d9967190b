//! Starting and describing executions, behind a trait so tests can record the calls.

use shared::aws_sdk_sfn;
use shared::aws_sdk_sfn::error::ProvideErrorMetadata;
use std::future::Future;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExecutionError {
    /// An execution with this name exists with another input, or has finished.
    #[error("execution already exists: {0}")]
    AlreadyExists(String),
    #[error("{0}")]
    Failed(String),
}

/// The Step Functions calls submit-order makes.
pub trait ExecutionStarter: Send + Sync {
    /// StartExecution(name, input): the execution ARN. Idempotent for the same name and
    /// input while the execution runs.
    fn start(
        &self,
        name: &str,
        input: &str,
    ) -> impl Future<Output = Result<String, ExecutionError>> + Send;

    /// DescribeExecution: the status (`RUNNING`, `SUCCEEDED`, `FAILED`, ...).
    fn status(
        &self,
        execution_arn: &str,
    ) -> impl Future<Output = Result<String, ExecutionError>> + Send;
}

/// The real implementation: aws-sdk-sfn against `STATE_MACHINE_ARN`
/// (`AWS_ENDPOINT_URL_SFN` points it at sfn-local).
#[derive(Debug, Clone)]
pub struct SfnExecutions {
    pub client: aws_sdk_sfn::Client,
    pub state_machine_arn: String,
}

impl ExecutionStarter for SfnExecutions {
    async fn start(&self, name: &str, input: &str) -> Result<String, ExecutionError> {
        let result = self
            .client
            .start_execution()
            .state_machine_arn(&self.state_machine_arn)
            .name(name)
            .input(input)
            .send()
            .await;
        match result {
            Ok(output) => Ok(output.execution_arn().to_string()),
            Err(e) if e.code() == Some("ExecutionAlreadyExists") => Err(
                ExecutionError::AlreadyExists(e.message().unwrap_or(name).to_string()),
            ),
            Err(e) => Err(ExecutionError::Failed(describe(&e))),
        }
    }

    async fn status(&self, execution_arn: &str) -> Result<String, ExecutionError> {
        let output = self
            .client
            .describe_execution()
            .execution_arn(execution_arn)
            .send()
            .await
            .map_err(|e| ExecutionError::Failed(describe(&e)))?;
        Ok(output.status().as_str().to_string())
    }
}

fn describe<E: ProvideErrorMetadata + std::fmt::Display>(error: &E) -> String {
    match (error.code(), error.message()) {
        (Some(code), Some(message)) => format!("{code}: {message}"),
        (Some(code), None) => code.to_string(),
        _ => error.to_string(),
    }
}
