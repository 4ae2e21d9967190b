//! GetExecutionHistory.

use serde::Deserialize;
use sfn_json::{Value, json};

use super::{Reply, object, paginate, required};
use crate::history::Event;
use crate::serve::Service;
use crate::serve::registry::event_epoch;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HistoryRequest {
    execution_arn: Option<String>,
    max_results: Option<i64>,
    next_token: Option<String>,
    reverse_order: Option<bool>,
    include_execution_data: Option<bool>,
}

/// The event as the API returns it: epoch-seconds timestamp; without `input`/`output` in its
/// details when execution data is left out.
fn wire_event(event: &Event, include_data: bool) -> Value {
    let mut value = event.to_json();
    if let Some(map) = value.as_object_mut() {
        map.insert("timestamp", json!(event_epoch(event)));
        if !include_data
            && let Some((key, _)) = &event.details
            && let Some(Value::Object(details)) = map.get_mut(key)
        {
            details.remove("input");
            details.remove("output");
        }
    }
    value
}

pub fn get(service: &Service, request: HistoryRequest) -> Reply {
    let arn = required(request.execution_arn, "executionArn")?;
    let execution = service.registry().execution(&arn)?;
    let include_data = request.include_execution_data.unwrap_or(true);
    let mut events: Vec<Value> = execution
        .progress()
        .events
        .iter()
        .map(|e| wire_event(e, include_data))
        .collect();
    if request.reverse_order.unwrap_or(false) {
        events.reverse();
    }
    let (page, next) = paginate(events, request.max_results, request.next_token.as_deref())?;
    Ok(object([
        ("events", Some(json!(page))),
        ("nextToken", next.map(|t| json!(t))),
    ]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn execution_data_can_be_left_out() {
        let event = Event {
            id: 1,
            previous_event_id: 0,
            timestamp: "2024-01-01T00:00:01.500Z".into(),
            kind: "ExecutionStarted".into(),
            details: Some((
                "executionStartedEventDetails".into(),
                json!({"input": "{}", "roleArn": "r"}),
            )),
        };
        let full = wire_event(&event, true);
        assert_eq!(full["timestamp"], json!(1_704_067_201.5));
        assert_eq!(full["executionStartedEventDetails"]["input"], "{}");
        let bare = wire_event(&event, false);
        assert_eq!(
            bare["executionStartedEventDetails"],
            json!({"roleArn": "r"})
        );
    }
}
