//! Task tokens for `.waitForTaskToken`: issued to a waiting task, completed through
//! `send_task_success` / `send_task_failure` / `send_task_heartbeat`.

use std::collections::HashMap;
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

struct Pending {
    done: oneshot::Sender<TokenOutcome>,
    heartbeat: mpsc::UnboundedSender<()>,
}

/// The tokens of tasks currently waiting, shared by the engine and whoever completes them.
#[derive(Clone, Default)]
pub struct TaskTokens {
    pending: Arc<Mutex<HashMap<String, Pending>>>,
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

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Pending>> {
        self.pending.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub(crate) fn issue(&self) -> Waiting {
        let token = uuid::Uuid::new_v4().simple().to_string();
        let (done_tx, done) = oneshot::channel();
        let (heartbeat, heartbeats) = mpsc::unbounded_channel();
        self.lock().insert(
            token.clone(),
            Pending {
                done: done_tx,
                heartbeat,
            },
        );
        Waiting {
            token,
            done,
            heartbeats,
        }
    }

    pub(crate) fn forget(&self, token: &str) {
        self.lock().remove(token);
    }

    /// Tokens of the tasks waiting right now.
    pub fn waiting(&self) -> Vec<String> {
        self.lock().keys().cloned().collect()
    }

    fn complete(&self, token: &str, outcome: TokenOutcome) -> Result<(), TaskTokenError> {
        let pending = self
            .lock()
            .remove(token)
            .ok_or(TaskTokenError::TaskDoesNotExist)?;
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
        let pending = self.lock();
        let entry = pending.get(token).ok_or(TaskTokenError::TaskDoesNotExist)?;
        entry
            .heartbeat
            .send(())
            .map_err(|_| TaskTokenError::TaskDoesNotExist)
    }
}
