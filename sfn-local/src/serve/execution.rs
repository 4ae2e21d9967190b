//! One execution's record: its progress, its live events, its end.

use chrono::{DateTime, Utc};
use sfn_json::{Map, Value, json};
use std::sync::{Mutex, MutexGuard, PoisonError};
use tokio::sync::watch;

use super::registry::{Machine, epoch, event_epoch};
use crate::exec::{Outcome, Status};
use crate::history::{Event, EventObserver};

/// How far an execution has got.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    Running,
    Ended(Status),
}

impl Phase {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Running => "RUNNING",
            Self::Ended(status) => status.as_str(),
        }
    }
}

/// The changing part of an execution.
pub struct Progress {
    pub phase: Phase,
    pub stop_date: Option<f64>,
    pub output: Option<Value>,
    pub error: Option<String>,
    pub cause: Option<String>,
    pub events: Vec<Event>,
    pub observers: Vec<EventObserver>,
    pub abort: Option<tokio::task::AbortHandle>,
}

/// One execution: fixed facts, its progress, and a channel that carries its end.
pub struct Execution {
    pub arn: String,
    pub name: String,
    /// The state machine as it was when the execution started.
    pub machine: Machine,
    /// The input as the caller wrote it (DescribeExecution returns it verbatim).
    pub input_text: String,
    pub start_date: f64,
    progress: Mutex<Progress>,
    ended: watch::Sender<Option<Outcome>>,
}

impl Execution {
    pub fn new(arn: String, name: String, machine: Machine, input_text: String) -> Self {
        let (ended, _) = watch::channel(None);
        Self {
            arn,
            name,
            machine,
            input_text,
            start_date: epoch(Utc::now()),
            progress: Mutex::new(Progress {
                phase: Phase::Running,
                stop_date: None,
                output: None,
                error: None,
                cause: None,
                events: Vec::new(),
                observers: Vec::new(),
                abort: None,
            }),
            ended,
        }
    }

    pub fn progress(&self) -> MutexGuard<'_, Progress> {
        self.progress.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Keep a live event (ignored once the execution was stopped) and pass it on.
    pub fn record(&self, event: &Event) {
        let mut progress = self.progress();
        if progress.phase != Phase::Running {
            return;
        }
        for observer in &progress.observers {
            observer.notify(event);
        }
        progress.events.push(event.clone());
    }

    /// The executor finished: keep its outcome unless the execution was stopped first.
    pub fn finish(&self, outcome: Outcome) {
        let mut progress = self.progress();
        if progress.phase != Phase::Running {
            return;
        }
        progress.phase = Phase::Ended(outcome.status);
        progress.stop_date = Some(
            progress
                .events
                .last()
                .map(event_epoch)
                .unwrap_or_else(|| epoch(Utc::now())),
        );
        progress.output = outcome.output.clone();
        progress.error = outcome.error.clone();
        progress.cause = outcome.cause.clone();
        progress.abort = None;
        drop(progress);
        self.ended.send_replace(Some(outcome));
    }

    /// StopExecution: a running execution ends ABORTED with an `ExecutionAborted` event; an
    /// ended one is left as it is (AWS answers with success either way). Returns the stop date.
    pub fn stop(&self, error: Option<String>, cause: Option<String>) -> f64 {
        let mut progress = self.progress();
        if progress.phase != Phase::Running {
            return progress.stop_date.unwrap_or(self.start_date);
        }
        let now = Utc::now();
        // The execution's virtual clock may run ahead of the wall clock.
        let last = progress.events.last();
        let stamp = match last.and_then(|e| DateTime::parse_from_rfc3339(&e.timestamp).ok()) {
            Some(t) if t.with_timezone(&Utc) > now => t.with_timezone(&Utc),
            _ => now,
        };
        let previous = last.map(|e| e.id).unwrap_or_default();
        let mut details = Map::new();
        if let Some(error) = &error {
            details.insert("error", json!(error));
        }
        if let Some(cause) = &cause {
            details.insert("cause", json!(cause));
        }
        let event = Event {
            id: previous + 1,
            previous_event_id: previous,
            timestamp: crate::exec::run::format_time(stamp),
            kind: "ExecutionAborted".into(),
            details: Some((
                "executionAbortedEventDetails".into(),
                Value::Object(details),
            )),
        };
        for observer in &progress.observers {
            observer.notify(&event);
        }
        progress.events.push(event);
        let stop_date = epoch(stamp);
        progress.phase = Phase::Ended(Status::Aborted);
        progress.stop_date = Some(stop_date);
        progress.error = error.clone();
        progress.cause = cause.clone();
        if let Some(abort) = progress.abort.take() {
            abort.abort();
        }
        let event_count = progress.events.len() as u64;
        drop(progress);
        self.ended.send_replace(Some(Outcome {
            status: Status::Aborted,
            output: None,
            error,
            cause,
            history: Vec::new(),
            event_count,
        }));
        stop_date
    }

    /// Resolves with the outcome once the execution has ended.
    pub async fn wait_for_end(&self) -> Option<Outcome> {
        let mut ended = self.ended.subscribe();
        let outcome = ended.wait_for(Option::is_some).await.ok()?;
        outcome.clone()
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::serve::registry::{MachineType, state_machine_arn};

    #[test]
    fn a_stopped_execution_ignores_later_events_and_outcomes() {
        let definition = r#"{"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}"#;
        let machine = Machine {
            name: "m".into(),
            arn: state_machine_arn("m"),
            definition: definition.into(),
            machine: Arc::new(
                crate::model::parse_definition(definition).unwrap_or_else(|e| panic!("{e}")),
            ),
            role_arn: String::new(),
            kind: MachineType::Standard,
            creation_date: 0.0,
        };
        let exec = Execution::new("a".into(), "e".into(), machine, "{}".into());
        let event = Event {
            id: 1,
            previous_event_id: 0,
            timestamp: "2024-01-01T00:00:00.000Z".into(),
            kind: "ExecutionStarted".into(),
            details: None,
        };
        exec.record(&event);
        exec.stop(Some("E".into()), None);
        exec.record(&event);
        exec.finish(Outcome {
            status: Status::Succeeded,
            output: Some(json!({})),
            error: None,
            cause: None,
            history: Vec::new(),
            event_count: 2,
        });
        let progress = exec.progress();
        assert_eq!(progress.phase, Phase::Ended(Status::Aborted));
        let kinds: Vec<_> = progress.events.iter().map(|e| e.kind.as_str()).collect();
        assert_eq!(kinds, ["ExecutionStarted", "ExecutionAborted"]);
        assert_eq!(progress.events[1].previous_event_id, 1);
        assert_eq!(progress.error.as_deref(), Some("E"));
    }
}
