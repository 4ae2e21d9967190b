//! The run as a person watches it: one line per state entered and left, with the offset on
//! the execution's (virtual) clock and the real time the state took, retries with their
//! back-off, the branch a Choice took, Parallel branches and Map iterations indented.

use std::collections::HashMap;
use std::io::Write;
use std::sync::Arc;
use std::time::Instant;

use chrono::{DateTime, FixedOffset};
use sfn_json::Value;
use sfn_local::StateMachine;
use sfn_local::history::Event;

/// Which thread of control (the execution, a Parallel branch, a Map iteration) each event
/// belongs to, and how deep it is nested, from the `previousEventId` links.
#[derive(Default)]
pub struct Threads {
    /// event id → (kind, thread id, depth)
    seen: HashMap<u64, (String, u64, usize)>,
}

impl Threads {
    /// Places `event`: its thread (the id of the thread's first event, 0 for the execution)
    /// and its nesting depth.
    pub fn place(&mut self, event: &Event) -> (u64, usize) {
        let parent = self.seen.get(&event.previous_event_id);
        let (thread, depth) = match parent {
            None => (0, 0),
            Some((kind, thread, depth)) => {
                let closes = event.kind.ends_with("StateSucceeded")
                    || event.kind.ends_with("StateFailed")
                    || event.kind.ends_with("StateAborted")
                    || (event.kind.starts_with("MapIteration") && kind != "MapStateStarted");
                let opens = !closes
                    && matches!(
                        kind.as_str(),
                        "ParallelStateStarted" | "MapStateStarted" | "MapIterationStarted"
                    );
                if opens {
                    (event.id, depth + 1)
                } else {
                    (*thread, *depth)
                }
            }
        };
        self.seen
            .insert(event.id, (event.kind.clone(), thread, depth));
        (thread, depth)
    }
}

/// The name in a `...StateEntered` / `...StateExited` event.
pub fn state_name<'e>(event: &'e Event, key: &str) -> Option<&'e str> {
    match &event.details {
        Some((k, details)) if k == key => details.get("name").and_then(Value::as_str),
        _ => None,
    }
}

fn detail<'e>(event: &'e Event, field: &str) -> Option<&'e str> {
    event
        .details
        .as_ref()
        .and_then(|(_, d)| d.get(field))
        .and_then(Value::as_str)
}

/// Seconds from `start` to the event's timestamp.
pub fn offset(start: Option<DateTime<FixedOffset>>, event: &Event) -> f64 {
    let at = DateTime::parse_from_rfc3339(&event.timestamp).ok();
    match (start, at) {
        (Some(s), Some(a)) => (a - s).num_milliseconds() as f64 / 1000.0,
        _ => 0.0,
    }
}

/// Prints the live trace; fed every event as it happens.
pub struct Trace {
    machine: Arc<StateMachine>,
    out: Box<dyn Write + Send>,
    threads: Threads,
    start: Option<DateTime<FixedOffset>>,
    real_start: Instant,
    /// (thread, state) → real instant it was entered.
    entered: HashMap<(u64, String), Instant>,
    /// thread → the state it is in.
    current: HashMap<u64, String>,
    /// thread → the Choice it just left.
    left_choice: HashMap<u64, String>,
    /// thread → (virtual offset, error) of the last failed attempt.
    failed: HashMap<u64, (f64, String)>,
    /// thread → attempts of the current Task.
    attempts: HashMap<u64, u32>,
}

impl Trace {
    pub fn new(machine: Arc<StateMachine>, out: Box<dyn Write + Send>) -> Self {
        Self {
            machine,
            out,
            threads: Threads::default(),
            start: None,
            real_start: Instant::now(),
            entered: HashMap::new(),
            current: HashMap::new(),
            left_choice: HashMap::new(),
            failed: HashMap::new(),
            attempts: HashMap::new(),
        }
    }

    /// A trace to stderr.
    pub fn to_stderr(machine: Arc<StateMachine>) -> Self {
        Self::new(machine, Box::new(std::io::stderr()))
    }

    pub fn on_event(&mut self, event: &Event) {
        let (thread, depth) = self.threads.place(event);
        if event.kind == "ExecutionStarted" {
            self.start = DateTime::parse_from_rfc3339(&event.timestamp).ok();
            self.real_start = Instant::now();
        }
        let at = offset(self.start, event);
        let pad = "  ".repeat(depth);
        let line = self.describe(event, thread, at);
        if let Some(text) = line {
            // A broken stderr must not stop the run.
            let _ = writeln!(self.out, "{at:>10.3}s  {pad}{text}");
        }
    }

    fn describe(&mut self, event: &Event, thread: u64, at: f64) -> Option<String> {
        let kind = event.kind.as_str();
        if let Some(name) = state_name(event, "stateEnteredEventDetails") {
            let name = name.to_owned();
            self.entered.insert((thread, name.clone()), Instant::now());
            self.current.insert(thread, name.clone());
            self.attempts.remove(&thread);
            let state_type = kind.trim_end_matches("StateEntered");
            let mut text = format!("→ {name} ({state_type})");
            if let Some(choice) = self.left_choice.remove(&thread) {
                text.push_str(&format!(
                    "   [{choice} chose {name}{}]",
                    self.rule(&choice, &name)
                ));
            }
            return Some(text);
        }
        if let Some(name) = state_name(event, "stateExitedEventDetails") {
            let took = self
                .entered
                .remove(&(thread, name.to_owned()))
                .map(|t| t.elapsed().as_secs_f64() * 1000.0)
                .unwrap_or_default();
            if kind == "ChoiceStateExited" {
                self.left_choice.insert(thread, name.to_owned());
            }
            return Some(format!("← {name}   (real {took:.1} ms)"));
        }
        match kind {
            "TaskScheduled" | "LambdaFunctionScheduled" => {
                let attempt = self.attempts.entry(thread).or_insert(0);
                *attempt += 1;
                let attempt = *attempt;
                let failed = self.failed.remove(&thread);
                match failed {
                    Some((when, error)) if attempt > 1 => Some(format!(
                        "↻ retry: attempt {attempt} after {error}, back-off {:.3}s",
                        at - when
                    )),
                    _ => None,
                }
            }
            "TaskFailed" | "LambdaFunctionFailed" | "TaskTimedOut" | "LambdaFunctionTimedOut" => {
                let error = detail(event, "error").unwrap_or("?").to_owned();
                let cause = detail(event, "cause").unwrap_or_default();
                self.failed.insert(thread, (at, error.clone()));
                Some(format!("✗ {kind}: {error} {}", short(cause)))
            }
            "TaskSubmitted" => Some("… submitted, waiting for the task token".to_owned()),
            "MapIterationStarted" => {
                let index = event
                    .details
                    .as_ref()
                    .and_then(|(_, d)| d.get("index"))
                    .map(Value::to_string)
                    .unwrap_or_default();
                Some(format!("▸ iteration #{index}"))
            }
            "MapIterationFailed" => Some("▸ iteration failed".to_owned()),
            "ParallelStateFailed" | "MapStateFailed" => Some(format!("✗ {kind}")),
            "ExecutionSucceeded" | "ExecutionFailed" | "ExecutionTimedOut" | "ExecutionAborted" => {
                let real = self.real_start.elapsed().as_secs_f64() * 1000.0;
                let error = detail(event, "error")
                    .map(|e| format!(": {e}"))
                    .unwrap_or_default();
                Some(format!("■ {kind}{error}   (real {real:.1} ms in all)"))
            }
            _ => None,
        }
    }

    /// Which rule of the Choice led to `next` (top-level Choices; nested ones say nothing).
    fn rule(&self, choice: &str, next: &str) -> String {
        let Some(state) = self.machine.states.get(choice) else {
            return String::new();
        };
        let rule = state
            .choices
            .iter()
            .flatten()
            .position(|rule| rule.next.as_deref() == Some(next));
        match (rule, state.default.as_deref()) {
            (Some(i), _) => format!(" by rule {}", i + 1),
            (None, Some(default)) if default == next => " by Default".to_owned(),
            _ => String::new(),
        }
    }
}

fn short(text: &str) -> String {
    let flat: String = text.chars().take(120).collect();
    if text.chars().count() > 120 {
        format!("({flat}…)")
    } else if flat.is_empty() {
        String::new()
    } else {
        format!("({flat})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sfn_json::json;
    use std::sync::Mutex;

    fn event(
        id: u64,
        previous: u64,
        kind: &str,
        details: Option<(&str, Value)>,
        at: &str,
    ) -> Event {
        Event {
            id,
            previous_event_id: previous,
            timestamp: format!("2026-01-01T00:{at}Z"),
            kind: kind.into(),
            details: details.map(|(k, v)| (k.to_owned(), v)),
        }
    }

    /// Collects what the trace writes.
    #[derive(Clone, Default)]
    struct Sink(Arc<Mutex<Vec<u8>>>);

    impl Write for Sink {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            if let Ok(mut v) = self.0.lock() {
                v.extend_from_slice(buf);
            }
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn retries_show_attempt_error_and_back_off_and_branches_are_indented() {
        let machine = sfn_local::parse_definition(
            r#"{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","End":true}}}"#,
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let sink = Sink::default();
        let mut trace = Trace::new(Arc::new(machine), Box::new(sink.clone()));
        let entered = |n: &str| Some(("stateEnteredEventDetails", json!({"name": n})));
        let failed = Some((
            "taskFailedEventDetails",
            json!({"error": "Flaky", "cause": "x"}),
        ));
        for e in [
            event(1, 0, "ExecutionStarted", None, "00:00.000"),
            event(2, 1, "TaskStateEntered", entered("T"), "00:00.000"),
            event(3, 2, "TaskScheduled", None, "00:00.000"),
            event(4, 3, "TaskFailed", failed, "00:00.000"),
            event(5, 4, "TaskScheduled", None, "00:01.500"),
            event(6, 5, "ParallelStateStarted", None, "00:01.500"),
            event(7, 6, "PassStateEntered", entered("Inner"), "00:01.500"),
        ] {
            trace.on_event(&e);
        }
        let text = String::from_utf8(sink.0.lock().map(|v| v.clone()).unwrap_or_default())
            .unwrap_or_default();
        assert!(text.contains("→ T (Task)"), "{text}");
        assert!(text.contains("✗ TaskFailed: Flaky (x)"), "{text}");
        assert!(
            text.contains("1.500s  ↻ retry: attempt 2 after Flaky, back-off 1.500s"),
            "{text}"
        );
        assert!(
            text.contains("1.500s    → Inner (Pass)"),
            "indented one level: {text}"
        );
    }
}
