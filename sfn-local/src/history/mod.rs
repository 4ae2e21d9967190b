//! The execution history: AWS's event types, ids and `previousEventId` links.
//!
//! Every event counts toward the history limit (25,000 by default, as AWS). Details (which
//! serialise inputs and outputs) are recorded only when asked for, so plain runs stay fast.

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use sfn_json::{Map, Value, json};

use crate::error::{StatesError, names};

/// Receives every event of an execution as it is appended (live traces, the API server's
/// GetExecutionHistory). Details are always built for an observed execution.
#[derive(Clone)]
pub struct EventObserver(Arc<dyn Fn(&Event) + Send + Sync>);

impl EventObserver {
    pub fn new(f: impl Fn(&Event) + Send + Sync + 'static) -> Self {
        Self(Arc::new(f))
    }

    pub fn notify(&self, event: &Event) {
        (self.0)(event)
    }
}

impl fmt::Debug for EventObserver {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("EventObserver")
    }
}

/// One history event, shaped like GetExecutionHistory's.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    pub id: u64,
    pub previous_event_id: u64,
    /// RFC 3339 with milliseconds, from the execution's (virtual) clock.
    pub timestamp: String,
    /// `ExecutionStarted`, `PassStateEntered`, `TaskScheduled`, ...
    pub kind: String,
    /// The details object (`stateEnteredEventDetails`, ...), when the event has one.
    pub details: Option<(String, Value)>,
}

impl Event {
    /// The event as GetExecutionHistory returns it.
    pub fn to_json(&self) -> Value {
        let mut out = Map::new();
        out.insert("timestamp", json!(self.timestamp));
        out.insert("type", json!(self.kind));
        out.insert("id", json!(self.id));
        out.insert("previousEventId", json!(self.previous_event_id));
        if let Some((key, details)) = &self.details {
            out.insert(key.clone(), details.clone());
        }
        Value::Object(out)
    }
}

/// The events of one execution.
#[derive(Debug)]
pub struct History {
    events: Vec<Event>,
    count: u64,
    limit: u64,
    record: bool,
    observer: Option<EventObserver>,
}

impl History {
    pub fn new(limit: u64, record: bool) -> Self {
        Self {
            events: Vec::new(),
            count: 0,
            limit,
            record,
            observer: None,
        }
    }

    /// Also hand every event to `observer` as it is appended.
    pub fn observed_by(mut self, observer: Option<EventObserver>) -> Self {
        self.observer = observer;
        self
    }

    /// Whether details are built (callers skip building them otherwise).
    pub fn records(&self) -> bool {
        self.record || self.observer.is_some()
    }

    /// Keep the event when recording; show it to the observer.
    fn push(&mut self, event: Event) {
        if let Some(observer) = &self.observer {
            observer.notify(&event);
        }
        if self.record {
            self.events.push(event);
        }
    }

    /// Append an event and return its id. The limit counts the closing event too: AWS's
    /// `ExecutionFailed` for a full history is event number `limit` itself, so an event
    /// that would take that last id fails instead.
    pub fn add(
        &mut self,
        kind: &str,
        previous: u64,
        timestamp: impl FnOnce() -> String,
        details: impl FnOnce() -> Option<(&'static str, Value)>,
    ) -> Result<u64, StatesError> {
        if !fits(self.count, self.limit) {
            return Err(limit_reached(self.limit));
        }
        self.count += 1;
        if self.records() {
            let event = Event {
                id: self.count,
                previous_event_id: previous,
                timestamp: timestamp(),
                kind: kind.to_owned(),
                details: details().map(|(k, v)| (k.to_owned(), v)),
            };
            self.push(event);
        }
        Ok(self.count)
    }

    /// Record the final event even past the limit (AWS always closes the history).
    pub fn close(
        &mut self,
        kind: &str,
        previous: u64,
        timestamp: String,
        details: Option<(&'static str, Value)>,
    ) {
        self.count += 1;
        if self.records() {
            let event = Event {
                id: self.count,
                previous_event_id: previous,
                timestamp,
                kind: kind.to_owned(),
                details: details.map(|(k, v)| (k.to_owned(), v)),
            };
            self.push(event);
        }
    }

    pub fn len(&self) -> u64 {
        self.count
    }

    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    pub fn into_events(self) -> Vec<Event> {
        self.events
    }
}

/// Whether one more event may follow `count` events (the last id is kept for the closing one).
fn fits(count: u64, limit: u64) -> bool {
    count.saturating_add(1) < limit
}

fn limit_reached(limit: u64) -> StatesError {
    StatesError::new(
        names::RUNTIME,
        format!("The execution reached the maximum number of history events ({limit})."),
    )
}

/// The history an execution appends to while it runs. When nothing records or observes the
/// events it is only a counter (ids and the limit stay exact: AWS's causes quote event ids),
/// with no lock, timestamp or allocation per event; otherwise the full [`History`].
#[derive(Debug)]
pub struct EventLog {
    count: AtomicU64,
    limit: u64,
    /// Boxed: an execution future holds its log, and most keep no history.
    kept: Option<Box<Mutex<History>>>,
}

impl EventLog {
    pub fn new(limit: u64, record: bool, observer: Option<EventObserver>) -> Self {
        let history = History::new(limit, record).observed_by(observer);
        Self {
            count: AtomicU64::new(0),
            limit,
            kept: history.records().then(|| Box::new(Mutex::new(history))),
        }
    }

    /// Append an event and return its id, as [`History::add`].
    pub fn add(
        &self,
        kind: &str,
        previous: u64,
        timestamp: impl FnOnce() -> String,
        details: impl FnOnce() -> Option<(&'static str, Value)>,
    ) -> Result<u64, StatesError> {
        if let Some(history) = &self.kept {
            let mut history = history.lock().unwrap_or_else(PoisonError::into_inner);
            return history.add(kind, previous, timestamp, details);
        }
        self.count
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |count| {
                fits(count, self.limit).then_some(count.saturating_add(1))
            })
            .map(|count| count + 1)
            .map_err(|_| limit_reached(self.limit))
    }

    /// Events so far.
    pub fn len(&self) -> u64 {
        match &self.kept {
            Some(history) => history.lock().unwrap_or_else(PoisonError::into_inner).len(),
            None => self.count.load(Ordering::Relaxed),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Append the closing event (even past the limit, as [`History::close`]) and return the
    /// event count and the recorded events. `timestamp` and `details` are built only when
    /// the history records or is observed.
    pub fn close(
        self,
        kind: &str,
        previous: u64,
        timestamp: impl FnOnce() -> String,
        details: impl FnOnce() -> Option<(&'static str, Value)>,
    ) -> (u64, Vec<Event>) {
        match self.kept {
            Some(history) => {
                let mut history = history.into_inner().unwrap_or_else(PoisonError::into_inner);
                history.close(kind, previous, timestamp(), details());
                (history.len(), history.into_events())
            }
            None => (self.count.into_inner().saturating_add(1), Vec::new()),
        }
    }
}

/// JSON text of a payload, as history details carry it.
pub fn text(value: &Value) -> String {
    value.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_count_up_and_link_to_the_previous_event() {
        let mut h = History::new(10, true);
        let a = h.add("ExecutionStarted", 0, || "t".into(), || None);
        let b = h.add(
            "PassStateEntered",
            1,
            || "t".into(),
            || Some(("stateEnteredEventDetails", json!({"name": "A"}))),
        );
        assert_eq!((a, b), (Ok(1), Ok(2)));
        let events = h.into_events();
        assert_eq!(events[1].previous_event_id, 1);
        assert_eq!(events[1].to_json()["stateEnteredEventDetails"]["name"], "A");
    }

    #[test]
    fn the_limit_keeps_the_last_id_for_the_closing_event() {
        let mut h = History::new(3, false);
        assert!(h.add("A", 0, String::new, || None).is_ok());
        assert!(h.add("B", 1, String::new, || None).is_ok());
        let err = h.add("C", 2, String::new, || None);
        assert!(matches!(err, Err(e) if e.error == names::RUNTIME));
        assert_eq!(h.len(), 2);
        h.close("ExecutionFailed", 2, String::new(), None);
        assert_eq!(h.len(), 3);
    }

    #[test]
    fn an_unrecorded_log_counts_ids_and_keeps_the_limit() {
        let log = EventLog::new(4, false, None);
        assert_eq!(log.add("A", 0, String::new, || None), Ok(1));
        assert_eq!(log.add("B", 1, String::new, || None), Ok(2));
        assert_eq!(log.add("C", 2, String::new, || None), Ok(3));
        let err = log.add("D", 3, String::new, || None);
        assert!(matches!(err, Err(e) if e.error == names::RUNTIME && e.cause.contains("(4)")));
        assert_eq!(log.len(), 3);
        let built = std::cell::Cell::new(false);
        let (count, events) = log.close(
            "ExecutionFailed",
            3,
            || {
                built.set(true);
                String::new()
            },
            || None,
        );
        assert_eq!(count, 4);
        assert!(events.is_empty());
        assert!(!built.get(), "no timestamp for an unrecorded history");
    }

    #[test]
    fn a_recorded_log_keeps_events_as_the_history_does() {
        let log = EventLog::new(10, true, None);
        assert_eq!(
            log.add("ExecutionStarted", 0, || "t".into(), || None),
            Ok(1)
        );
        let (count, events) = log.close("ExecutionSucceeded", 1, || "t".into(), || None);
        assert_eq!(count, 2);
        let kinds: Vec<_> = events.iter().map(|e| (e.id, e.kind.as_str())).collect();
        assert_eq!(
            kinds,
            vec![(1, "ExecutionStarted"), (2, "ExecutionSucceeded")]
        );
    }

    #[test]
    fn an_observer_sees_every_event_with_details_even_unrecorded() {
        let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
        let sink = seen.clone();
        let observer = EventObserver::new(move |e| {
            if let Ok(mut v) = sink.lock() {
                v.push((e.id, e.kind.clone(), e.details.is_some()));
            }
        });
        let mut h = History::new(10, false).observed_by(Some(observer));
        let _ = h.add(
            "PassStateEntered",
            0,
            || "t".into(),
            || Some(("stateEnteredEventDetails", json!({"name": "A"}))),
        );
        h.close("ExecutionSucceeded", 1, "t".into(), None);
        let seen = seen.lock().map(|v| v.clone()).unwrap_or_default();
        assert_eq!(
            seen,
            vec![
                (1, "PassStateEntered".to_owned(), true),
                (2, "ExecutionSucceeded".to_owned(), false)
            ]
        );
        assert!(h.into_events().is_empty(), "not recorded");
    }
}
