//! The interpreter: runs a [`StateMachine`] with AWS's semantics.
//!
//! Time is tokio's clock. Run it on a runtime built with `start_paused(true)` and Waits,
//! retry back-off and timeouts take no real time while keeping their order and effect exact
//! (tokio advances a paused clock only when every task is idle); on a normal runtime they
//! sleep for real. Parallel branches and Map iterations run concurrently as futures of the
//! execution's task, so cancelling a failed Parallel is dropping its branches.

mod context;
mod io;
mod retry;
pub(crate) mod run;
mod size;
mod states;
#[cfg(test)]
mod tests;
mod variables;

use std::sync::Arc;

use serde_json::Value;

use crate::history::{Event, EventObserver};
use crate::model::StateMachine;
use crate::task::{HttpLambdas, LambdaInvoker, TaskTokenError, TaskTokens};

pub use run::uses_jsonata;
pub use size::PAYLOAD_LIMIT_BYTES;

/// AWS's default limits.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Largest state input/output, in bytes of JSON text (256 KiB).
    pub payload_bytes: usize,
    /// Most events an execution history may hold (25,000).
    pub history_events: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            payload_bytes: PAYLOAD_LIMIT_BYTES,
            history_events: 25_000,
        }
    }
}

/// Runs executions; cheap to clone (shares its invoker and task tokens).
#[derive(Clone)]
pub struct Engine {
    invoker: Arc<dyn LambdaInvoker>,
    tokens: TaskTokens,
    limits: Limits,
}

impl Default for Engine {
    fn default() -> Self {
        Self::new(Arc::new(HttpLambdas::default()))
    }
}

/// Per-execution settings.
#[derive(Debug, Clone)]
pub struct ExecutionOptions {
    pub execution_name: String,
    pub state_machine_name: String,
    pub role_arn: String,
    pub region: String,
    pub account: String,
    /// Keep the full history (event details) in the outcome.
    pub record_history: bool,
    /// Sees every event as it happens (live traces, the API server).
    pub observer: Option<EventObserver>,
}

impl Default for ExecutionOptions {
    fn default() -> Self {
        Self {
            // A v4 UUID from the thread's generator (seeded once), not a system call each.
            execution_name: uuid::Builder::from_random_bytes(rand::random())
                .into_uuid()
                .to_string(),
            state_machine_name: "sfn-local".to_owned(),
            role_arn: "arn:aws:iam::123456789012:role/sfn-local".to_owned(),
            region: "us-east-1".to_owned(),
            account: "123456789012".to_owned(),
            record_history: false,
            observer: None,
        }
    }
}

/// How an execution ended (DescribeExecution's `status`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Succeeded,
    Failed,
    TimedOut,
    Aborted,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Succeeded => "SUCCEEDED",
            Self::Failed => "FAILED",
            Self::TimedOut => "TIMED_OUT",
            Self::Aborted => "ABORTED",
        }
    }
}

/// The result of one execution.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub status: Status,
    pub output: Option<Value>,
    pub error: Option<String>,
    pub cause: Option<String>,
    /// Events, when `record_history` was set.
    pub history: Vec<Event>,
    pub event_count: u64,
}

/// The DescribeExecution shape, borrowed from an [`Outcome`].
#[derive(serde::Serialize)]
#[serde(untagged)]
enum Described<'a> {
    Succeeded {
        status: &'a str,
        output: &'a Value,
    },
    Ended {
        status: &'a str,
        error: &'a Option<String>,
        cause: &'a Option<String>,
    },
}

impl Outcome {
    /// DescribeExecution-shaped summary: `{"status":"SUCCEEDED","output":…}` or
    /// `{"status":"FAILED","error":…,"cause":…}`.
    pub fn describe(&self) -> Value {
        serde_json::to_value(self.described()).unwrap_or_default()
    }

    /// [`describe`](Self::describe) as JSON text, written from the outcome in place: printing
    /// a large output does not copy it first (for a 100,000-item Map, a second peak as high as
    /// the output itself).
    pub fn describe_text(&self) -> String {
        serde_json::to_string(&self.described()).unwrap_or_default()
    }

    fn described(&self) -> Described<'_> {
        let status = self.status.as_str();
        match self.status {
            Status::Succeeded => Described::Succeeded {
                status,
                output: self.output.as_ref().unwrap_or(&Value::Null),
            },
            _ => Described::Ended {
                status,
                error: &self.error,
                cause: &self.cause,
            },
        }
    }
}

impl Engine {
    pub fn new(invoker: Arc<dyn LambdaInvoker>) -> Self {
        Self {
            invoker,
            tokens: TaskTokens::new(),
            limits: Limits::default(),
        }
    }

    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// Stop the virtual clock while any task waits for its task token, so a person or
    /// another program can answer before a task timeout fires (see [`TaskTokens::hold_clock`]).
    pub fn holding_clock_for_callbacks(self, hold: bool) -> Self {
        self.tokens.hold_clock(hold);
        self
    }

    /// The task tokens of waiting `.waitForTaskToken` tasks.
    pub fn task_tokens(&self) -> &TaskTokens {
        &self.tokens
    }

    pub fn send_task_success(&self, token: &str, output: Value) -> Result<(), TaskTokenError> {
        self.tokens.send_task_success(token, output)
    }

    pub fn send_task_failure(
        &self,
        token: &str,
        error: &str,
        cause: &str,
    ) -> Result<(), TaskTokenError> {
        self.tokens.send_task_failure(token, error, cause)
    }

    pub fn send_task_heartbeat(&self, token: &str) -> Result<(), TaskTokenError> {
        self.tokens.send_task_heartbeat(token)
    }

    /// Run one execution to its end.
    pub async fn execute(
        &self,
        machine: Arc<StateMachine>,
        input: Value,
        options: ExecutionOptions,
    ) -> Outcome {
        run::execute(self.clone(), machine, input, options).await
    }
}
