//! The EventBridge "Step Functions Execution Status Change" event AWS emits when an
//! execution ends, built from the execution's history.

use chrono::DateTime;
use sfn_json::{Value, json};
use sfn_local::history::Event;
use sfn_local::{Outcome, Status};

use crate::env::REGION;
use crate::env::template::{STATUS_CHANGE_DETAIL_TYPE, STATUS_CHANGE_SOURCE};

/// What the event says about the execution.
pub struct Ended<'a> {
    pub execution_arn: &'a str,
    pub state_machine_arn: &'a str,
    pub name: &'a str,
    pub input: &'a Value,
    pub outcome: &'a Outcome,
}

/// Epoch milliseconds of an event's RFC 3339 timestamp.
fn millis(event: Option<&Event>) -> Option<i64> {
    event
        .and_then(|e| DateTime::parse_from_rfc3339(&e.timestamp).ok())
        .map(|t| t.timestamp_millis())
}

/// The event exactly as EventBridge delivers it to a rule's target.
pub fn status_change(ended: &Ended<'_>, history: &[Event]) -> Value {
    let outcome = ended.outcome;
    let start = millis(history.first());
    let stop = millis(history.last());
    let time = history
        .last()
        .and_then(|e| DateTime::parse_from_rfc3339(&e.timestamp).ok())
        .map(|t| t.to_utc().format("%Y-%m-%dT%H:%M:%SZ").to_string());
    let succeeded = outcome.status == Status::Succeeded;
    let output = match (&outcome.output, succeeded) {
        (Some(output), true) => json!(output.to_string()),
        _ => Value::Null,
    };
    json!({
        "version": "0",
        "id": uuid::Uuid::new_v4().to_string(),
        "detail-type": STATUS_CHANGE_DETAIL_TYPE,
        "source": STATUS_CHANGE_SOURCE,
        "account": sfn_local::template::LOCAL_ACCOUNT,
        "time": time,
        "region": REGION,
        "resources": [ended.execution_arn],
        "detail": {
            "executionArn": ended.execution_arn,
            "stateMachineArn": ended.state_machine_arn,
            "name": ended.name,
            "status": outcome.status.as_str(),
            "startDate": start,
            "stopDate": stop,
            "input": ended.input.to_string(),
            "output": output,
            "inputDetails": {"included": true},
            "outputDetails": if succeeded { json!({"included": true}) } else { Value::Null },
            "error": outcome.error,
            "cause": outcome.cause,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(id: u64, kind: &str, timestamp: &str) -> Event {
        Event {
            id,
            previous_event_id: id.saturating_sub(1),
            timestamp: timestamp.into(),
            kind: kind.into(),
            details: None,
        }
    }

    #[test]
    fn a_failed_execution_has_aws_fields_and_no_output() {
        let outcome = Outcome {
            status: Status::Failed,
            output: None,
            error: Some("OutOfStock".into()),
            cause: Some("SKU-OUT".into()),
            history: Vec::new(),
            event_count: 2,
        };
        let input = json!({"orderId": "ord-1"});
        let history = [
            event(1, "ExecutionStarted", "2026-11-24T06:00:00.000Z"),
            event(2, "ExecutionFailed", "2026-11-24T06:01:00.500Z"),
        ];
        let ended = Ended {
            execution_arn: "arn:x:execution:M:ord-1",
            state_machine_arn: "arn:x:stateMachine:M",
            name: "ord-1",
            input: &input,
            outcome: &outcome,
        };
        let e = status_change(&ended, &history);
        assert_eq!(e["source"], "aws.states");
        assert_eq!(e["detail-type"], "Step Functions Execution Status Change");
        assert_eq!(e["time"], "2026-11-24T06:01:00Z");
        assert_eq!(e["detail"]["status"], "FAILED");
        assert_eq!(
            e["detail"]["stopDate"].as_i64(),
            e["detail"]["startDate"].as_i64().map(|s| s + 60_500)
        );
        assert_eq!(e["detail"]["input"], r#"{"orderId":"ord-1"}"#);
        assert_eq!(e["detail"]["output"], Value::Null);
        assert_eq!(e["detail"]["error"], "OutOfStock");
        assert_eq!(e["resources"][0], "arn:x:execution:M:ord-1");
    }
}
