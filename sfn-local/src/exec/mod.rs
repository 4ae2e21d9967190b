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

use std::borrow::Cow;
use std::sync::Arc;

use sfn_json::Value;

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

/// Runs executions; cheap to clone (one reference count: every execution holds a clone).
#[derive(Clone)]
pub struct Engine {
    parts: Arc<EngineParts>,
}

#[derive(Clone)]
struct EngineParts {
    invoker: Arc<dyn LambdaInvoker>,
    tokens: TaskTokens,
    limits: Limits,
}

impl Default for Engine {
    fn default() -> Self {
        Self::new(Arc::new(HttpLambdas::default()))
    }
}

/// Per-execution settings. The defaults borrow static text, so starting an execution
/// allocates none of them.
#[derive(Debug, Clone)]
pub struct ExecutionOptions {
    /// `None`: a fresh v4 UUID, made only for a machine that reads `$$` (nothing else shows
    /// the name).
    pub execution_name: Option<String>,
    pub state_machine_name: Cow<'static, str>,
    pub role_arn: Cow<'static, str>,
    pub region: Cow<'static, str>,
    pub account: Cow<'static, str>,
    /// Keep the full history (event details) in the outcome.
    pub record_history: bool,
    /// Sees every event as it happens (live traces, the API server).
    pub observer: Option<EventObserver>,
}

impl Default for ExecutionOptions {
    fn default() -> Self {
        Self {
            execution_name: None,
            state_machine_name: Cow::Borrowed("sfn-local"),
            role_arn: Cow::Borrowed("arn:aws:iam::123456789012:role/sfn-local"),
            region: Cow::Borrowed("us-east-1"),
            account: Cow::Borrowed("123456789012"),
            record_history: false,
            observer: None,
        }
    }
}

impl ExecutionOptions {
    /// The execution's name: the one given, or a fresh v4 UUID from the thread's generator
    /// (seeded once, not a system call each).
    pub fn execution_name(&self) -> Cow<'_, str> {
        match &self.execution_name {
            Some(name) => Cow::Borrowed(name),
            None => Cow::Owned(
                uuid::Builder::from_random_bytes(rand::random())
                    .into_uuid()
                    .to_string(),
            ),
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
        sfn_json::to_value(self.described()).unwrap_or_default()
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
            parts: Arc::new(EngineParts {
                invoker,
                tokens: TaskTokens::new(),
                limits: Limits::default(),
            }),
        }
    }

    pub(crate) fn limits(&self) -> Limits {
        self.parts.limits
    }

    pub(crate) fn invoker(&self) -> &Arc<dyn LambdaInvoker> {
        &self.parts.invoker
    }

    pub fn with_limits(mut self, limits: Limits) -> Self {
        Arc::make_mut(&mut self.parts).limits = limits;
        self
    }

    /// Stop the virtual clock while any task waits for its task token, so a person or
    /// another program can answer before a task timeout fires (see [`TaskTokens::hold_clock`]).
    pub fn holding_clock_for_callbacks(self, hold: bool) -> Self {
        self.parts.tokens.hold_clock(hold);
        self
    }

    /// The task tokens of waiting `.waitForTaskToken` tasks.
    pub fn task_tokens(&self) -> &TaskTokens {
        &self.parts.tokens
    }

    pub fn send_task_success(&self, token: &str, output: Value) -> Result<(), TaskTokenError> {
        self.parts.tokens.send_task_success(token, output)
    }

    pub fn send_task_failure(
        &self,
        token: &str,
        error: &str,
        cause: &str,
    ) -> Result<(), TaskTokenError> {
        self.parts.tokens.send_task_failure(token, error, cause)
    }

    pub fn send_task_heartbeat(&self, token: &str) -> Result<(), TaskTokenError> {
        self.parts.tokens.send_task_heartbeat(token)
    }

    /// Run one execution to its end. (The execution's own future, not an `async fn` around
    /// it: a wrapper would hold a second copy of the arguments and be copied whole.)
    pub fn execute(
        &self,
        machine: Arc<StateMachine>,
        input: Value,
        options: ExecutionOptions,
    ) -> impl Future<Output = Outcome> + Send + 'static {
        run::execute(self.clone(), machine, input, options)
    }
}
