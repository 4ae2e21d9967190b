//! Task tokens for `.waitForTaskToken`: issued to a waiting task, completed through
//! `send_task_success` / `send_task_failure` / `send_task_heartbeat`.
//!
//! On a paused (virtual) tokio clock, time jumps to the next timer whenever every task is
//! idle, and a task waiting for a person is idle: its TimeoutSeconds would fire at once.
//! With [`TaskTokens::hold_clock`] on, a blocking-pool task runs while any token is
//! outstanding; tokio never auto-advances while a `spawn_blocking` task runs, so virtual time
//! stands still until the last waiting task is answered or ends.

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use sfn_json::Value;
use tokio::sync::{mpsc, oneshot};

/// How a task token was completed.
#[derive(Debug, Clone, PartialEq)]
pub enum TokenOutcome {
    Success(Value),
    Failure { error: String, cause: String },
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TaskTokenError {
    /// AWS's `TaskDoesNotExist`: a well-formed token of no waiting task (unknown, or the task
    /// already finished).
    #[error("TaskDoesNotExist: no task is waiting for this token")]
    TaskDoesNotExist,
    /// AWS's `InvalidToken`: not a token this engine could have issued.
    #[error("InvalidToken: Invalid Token")]
    InvalidToken,
    /// AWS's `TaskTimedOut`: the task ended by `States.Timeout` or `States.HeartbeatTimeout`.
    #[error("TaskTimedOut: Task Timed Out")]
    TaskTimedOut,
}

impl TaskTokenError {
    /// The Step Functions API error code (`__type`) for this error.
    pub fn code(&self) -> &'static str {
        match self {
            Self::TaskDoesNotExist => "TaskDoesNotExist",
            Self::InvalidToken => "InvalidToken",
            Self::TaskTimedOut => "TaskTimedOut",
        }
    }
}

/// Tokens are a v4 UUID in its simple form: 32 lowercase hex digits.
const TOKEN_LEN: usize = 32;

/// How many timed-out tokens are remembered (oldest forgotten first), so a long-lived server
/// answers `TaskTimedOut` for recent ones without growing without bound.
const TIMED_OUT_REMEMBERED: usize = 10_000;

fn well_formed(token: &str) -> bool {
    token.len() == TOKEN_LEN
        && token
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// Recently timed-out tokens, bounded.
#[derive(Default)]
struct TimedOut {
    order: VecDeque<String>,
    set: HashSet<String>,
}

impl TimedOut {
    fn insert(&mut self, token: &str) {
        if !self.set.insert(token.to_owned()) {
            return;
        }
        self.order.push_back(token.to_owned());
        if self.order.len() > TIMED_OUT_REMEMBERED
            && let Some(oldest) = self.order.pop_front()
        {
            self.set.remove(&oldest);
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
    timed_out: TimedOut,
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

    /// The task waiting on `token` ended by a timeout: later answers get `TaskTimedOut`.
    pub(crate) fn timed_out(&self, token: &str) {
        let mut waiters = self.lock();
        waiters.timed_out.insert(token);
        waiters.pending.remove(token);
        if waiters.pending.is_empty() {
            waiters.clock_hold = None;
        }
    }

    /// Whether a task is still waiting on `token`.
    pub(crate) fn waiting_on(&self, token: &str) -> bool {
        self.lock().pending.contains_key(token)
    }

    /// Why `token` has no waiting task.
    fn missing(&self, token: &str) -> TaskTokenError {
        if !well_formed(token) {
            TaskTokenError::InvalidToken
        } else if self.lock().timed_out.set.contains(token) {
            TaskTokenError::TaskTimedOut
        } else {
            TaskTokenError::TaskDoesNotExist
        }
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
        let mut waiters = self.lock();
        let Some(pending) = waiters.pending.remove(token) else {
            drop(waiters);
            return Err(self.missing(token));
        };
        let sent = pending.done.send(outcome);
        // Release the clock only after the answer is on its way: released first, an idle
        // runtime could jump past the task's timeout before the answer wakes it.
        if waiters.pending.is_empty() {
            waiters.clock_hold = None;
        }
        sent.map_err(|_| TaskTokenError::TaskDoesNotExist)
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
        let sent = {
            let waiters = self.lock();
            waiters
                .pending
                .get(token)
                .map(|entry| entry.heartbeat.send(()))
        };
        match sent {
            Some(Ok(())) => Ok(()),
            Some(Err(_)) => Err(TaskTokenError::TaskDoesNotExist),
            None => Err(self.missing(token)),
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_the_aws_api_codes() {
        assert_eq!(TaskTokenError::InvalidToken.code(), "InvalidToken");
        assert_eq!(TaskTokenError::TaskTimedOut.code(), "TaskTimedOut");
        assert_eq!(TaskTokenError::TaskDoesNotExist.code(), "TaskDoesNotExist");
    }

    #[test]
    fn a_token_of_the_wrong_shape_is_invalid() {
        let tokens = TaskTokens::new();
        for bad in ["", "abc", "not-a-token", &"A".repeat(32), &"0".repeat(33)] {
            assert_eq!(
                tokens.send_task_success(bad, Value::Null),
                Err(TaskTokenError::InvalidToken),
                "{bad:?}"
            );
            assert_eq!(
                tokens.send_task_heartbeat(bad),
                Err(TaskTokenError::InvalidToken)
            );
        }
    }

    #[test]
    fn a_well_formed_unknown_token_does_not_exist() {
        let tokens = TaskTokens::new();
        let unknown = uuid::Uuid::new_v4().simple().to_string();
        assert_eq!(
            tokens.send_task_failure(&unknown, "E", "c"),
            Err(TaskTokenError::TaskDoesNotExist)
        );
    }

    #[test]
    fn issued_tokens_are_well_formed_and_complete_once() {
        let tokens = TaskTokens::new();
        let waiting = tokens.issue();
        assert!(well_formed(&waiting.token));
        assert_eq!(tokens.send_task_heartbeat(&waiting.token), Ok(()));
        assert_eq!(
            tokens.send_task_success(&waiting.token, Value::Null),
            Ok(())
        );
        assert_eq!(
            tokens.send_task_success(&waiting.token, Value::Null),
            Err(TaskTokenError::TaskDoesNotExist)
        );
    }

    #[test]
    fn a_timed_out_token_answers_task_timed_out() {
        let tokens = TaskTokens::new();
        let waiting = tokens.issue();
        tokens.timed_out(&waiting.token);
        assert!(tokens.waiting().is_empty());
        assert_eq!(
            tokens.send_task_success(&waiting.token, Value::Null),
            Err(TaskTokenError::TaskTimedOut)
        );
        assert_eq!(
            tokens.send_task_heartbeat(&waiting.token),
            Err(TaskTokenError::TaskTimedOut)
        );
    }

    #[test]
    fn timed_out_tokens_are_remembered_up_to_a_bound() {
        let tokens = TaskTokens::new();
        let first = tokens.issue().token;
        tokens.timed_out(&first);
        for _ in 0..TIMED_OUT_REMEMBERED {
            let token = tokens.issue().token;
            tokens.timed_out(&token);
        }
        let waiters = tokens.lock();
        assert_eq!(waiters.timed_out.set.len(), TIMED_OUT_REMEMBERED);
        assert_eq!(waiters.timed_out.order.len(), TIMED_OUT_REMEMBERED);
        assert!(!waiters.timed_out.set.contains(&first));
    }
}
