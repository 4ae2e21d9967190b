//! The execution history: AWS's event types, ids and `previousEventId` links.
//!
//! Every event counts toward the history limit (25,000 by default, as AWS). Details (which
//! serialise inputs and outputs) are recorded only when asked for, so plain runs stay fast.

use std::fmt;
use std::sync::Arc;

use serde_json::{Map, Value, json};

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
        out.insert("timestamp".into(), json!(self.timestamp));
        out.insert("type".into(), json!(self.kind));
        out.insert("id".into(), json!(self.id));
        out.insert("previousEventId".into(), json!(self.previous_event_id));
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
        if self.count.saturating_add(1) >= self.limit {
            return Err(StatesError::new(
                names::RUNTIME,
                format!(
                    "The execution reached the maximum number of history events ({}).",
                    self.limit
                ),
            ));
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
