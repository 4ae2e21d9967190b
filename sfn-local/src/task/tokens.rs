//! Task tokens for `.waitForTaskToken`: issued to a waiting task, completed through
//! `send_task_success` / `send_task_failure` / `send_task_heartbeat`.
//!
//! On a paused (virtual) tokio clock, time jumps to the next timer whenever every task is
//! idle, and a task waiting for a person is idle: its TimeoutSeconds would fire at once.
//! With [`TaskTokens::hold_clock`] on, a blocking-pool task runs while any token is
//! outstanding; tokio never auto-advances while a `spawn_blocking` task runs, so virtual time
//! stands still until the last waiting task is answered or ends.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use serde_json::Value;
use tokio::sync::{mpsc, oneshot};

/// How a task token was completed.
#[derive(Debug, Clone, PartialEq)]
pub enum TokenOutcome {
    Success(Value),
    Failure { error: String, cause: String },
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TaskTokenError {
    /// AWS's `TaskDoesNotExist`: unknown token, or the task already finished or timed out.
    #[error("TaskDoesNotExist: no task is waiting for this token")]
    TaskDoesNotExist,
}

impl TaskTokenError {
    /// The Step Functions API error code (`__type`) for this error.
    pub fn code(&self) -> &'static str {
        match self {
            Self::TaskDoesNotExist => "TaskDoesNotExist",
        }
    }
}

struct Pending {
    done: oneshot::Sender<TokenOutcome>,
    heartbeat: mpsc::UnboundedSender<()>,
}

#[derive(Default)]
struct Waiters {
    pending: HashMap<String, Pending>,
    /// Dropping it ends the blocking task that holds the clock.
    clock_hold: Option<std::sync::mpsc::Sender<()>>,
}

/// The tokens of tasks currently waiting, shared by the engine and whoever completes them.
#[derive(Clone, Default)]
pub struct TaskTokens {
    waiters: Arc<Mutex<Waiters>>,
    hold: Arc<AtomicBool>,
}

/// What a waiting task holds: its token, the completion and the heartbeats.
pub(crate) struct Waiting {
    pub token: String,
    pub done: oneshot::Receiver<TokenOutcome>,
    pub heartbeats: mpsc::UnboundedReceiver<()>,
}

impl TaskTokens {
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Waiters> {
        self.waiters.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Hold the virtual clock while any token is outstanding (off by default: a waiting task
    /// then times out as soon as nothing else is running).
    pub fn hold_clock(&self, hold: bool) {
        self.hold.store(hold, Ordering::Relaxed);
    }

    /// Whether the clock is held right now.
    pub fn clock_held(&self) -> bool {
        self.lock().clock_hold.is_some()
    }

    pub(crate) fn issue(&self) -> Waiting {
        let token = uuid::Uuid::new_v4().simple().to_string();
        let (done_tx, done) = oneshot::channel();
        let (heartbeat, heartbeats) = mpsc::unbounded_channel();
        let mut waiters = self.lock();
        if self.hold.load(Ordering::Relaxed) && waiters.clock_hold.is_none() {
            waiters.clock_hold = start_clock_hold();
        }
        waiters.pending.insert(
            token.clone(),
            Pending {
                done: done_tx,
                heartbeat,
            },
        );
        drop(waiters);
        Waiting {
            token,
            done,
            heartbeats,
        }
    }

    pub(crate) fn forget(&self, token: &str) {
        self.remove(token);
    }

    /// Take a token out of the waiting set, releasing the clock after the last one.
    fn remove(&self, token: &str) -> Option<Pending> {
        let mut waiters = self.lock();
        let pending = waiters.pending.remove(token);
        if waiters.pending.is_empty() {
            waiters.clock_hold = None;
        }
        pending
    }

    /// Tokens of the tasks waiting right now.
    pub fn waiting(&self) -> Vec<String> {
        self.lock().pending.keys().cloned().collect()
    }

    fn complete(&self, token: &str, outcome: TokenOutcome) -> Result<(), TaskTokenError> {
        let pending = self.remove(token).ok_or(TaskTokenError::TaskDoesNotExist)?;
        pending
            .done
            .send(outcome)
            .map_err(|_| TaskTokenError::TaskDoesNotExist)
    }

    pub fn send_task_success(&self, token: &str, output: Value) -> Result<(), TaskTokenError> {
        self.complete(token, TokenOutcome::Success(output))
    }

    pub fn send_task_failure(
        &self,
        token: &str,
        error: &str,
        cause: &str,
    ) -> Result<(), TaskTokenError> {
        self.complete(
            token,
            TokenOutcome::Failure {
                error: error.to_owned(),
                cause: cause.to_owned(),
            },
        )
    }

    pub fn send_task_heartbeat(&self, token: &str) -> Result<(), TaskTokenError> {
        let waiters = self.lock();
        let entry = waiters
            .pending
            .get(token)
            .ok_or(TaskTokenError::TaskDoesNotExist)?;
        entry
            .heartbeat
            .send(())
            .map_err(|_| TaskTokenError::TaskDoesNotExist)
    }
}

/// A blocking-pool task that lasts until the returned sender is dropped (outside a runtime
/// there is no clock to hold).
fn start_clock_hold() -> Option<std::sync::mpsc::Sender<()>> {
    let runtime = tokio::runtime::Handle::try_current().ok()?;
    let (tx, rx) = std::sync::mpsc::channel::<()>();
    runtime.spawn_blocking(move || while rx.recv().is_ok() {});
    Some(tx)
}
