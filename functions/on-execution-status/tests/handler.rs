//! on-execution-status against a real local DynamoDB.

use on_execution_status::handle;
use serde_json::{Value, json};
use shared::db::{get_m, get_s};
use shared::test_support::{
    assert_rejected, assert_same_items, fresh_deps, non_objects, order_item, sample_order,
    snapshot, store_validated,
};

const ARN: &str = "arn:aws:states:us-east-1:123456789012:execution:OrderFulfillment:ord-1";

fn event(name: &str, status: &str) -> Value {
    json!({"version": "0", "id": "315c1398-40ff-a850-213b-158f73e60175",
        "detail-type": "Step Functions Execution Status Change", "source": "aws.states",
        "account": "123456789012", "time": "2026-11-24T06:00:00Z", "region": "us-east-1",
        "resources": [ARN],
        "detail": {"executionArn": ARN,
            "stateMachineArn": "arn:aws:states:us-east-1:123456789012:stateMachine:OrderFulfillment",
            "name": name, "status": status, "startDate": 1_700_000_000_000u64,
            "stopDate": null, "input": "{}", "output": null,
            "error": if status == "FAILED" { json!("States.TaskFailed") } else { Value::Null },
            "cause": if status == "FAILED" { json!("boom") } else { Value::Null }}})
}

async fn outcome(deps: &shared::Deps, payload: Value) -> Option<Value> {
    handle(deps, payload)
        .await
        .ok()
        .map(|r| serde_json::to_value(r).unwrap_or_default())
}

#[tokio::test]
async fn failed_executions_mark_the_order_failed() {
    for status in ["FAILED", "TIMED_OUT", "ABORTED"] {
        let deps = fresh_deps().await;
        store_validated(&deps, &sample_order("ord-1")).await;
        assert_eq!(
            outcome(&deps, event("ord-1", status)).await,
            Some(json!({"orderId": "ord-1", "executionStatus": status, "updated": true}))
        );
        let item = order_item(&deps, "ord-1").await;
        assert_eq!(get_s(&item, "status"), Some("FAILED"));
        assert_eq!(get_s(&item, "executionStatus"), Some(status));
        assert_eq!(get_s(&item, "executionArn"), Some(ARN));
        let error = get_m(&item, "failure").and_then(|f| get_s(f, "error"));
        let expected = if status == "FAILED" {
            "States.TaskFailed"
        } else {
            status
        };
        assert_eq!(error, Some(expected));
    }
}

#[tokio::test]
async fn success_and_running_only_record_the_execution_status() {
    let deps = fresh_deps().await;
    store_validated(&deps, &sample_order("ord-1")).await;
    for status in ["RUNNING", "SUCCEEDED"] {
        let result = outcome(&deps, event("ord-1", status)).await;
        assert_eq!(result.map(|r| r["updated"].clone()), Some(json!(true)));
        let item = order_item(&deps, "ord-1").await;
        assert_eq!(get_s(&item, "executionStatus"), Some(status));
        assert_eq!(get_s(&item, "status"), Some("VALIDATED"));
    }
}

#[tokio::test]
async fn completed_or_failed_orders_keep_their_status_and_failure() {
    let deps = fresh_deps().await;
    store_validated(&deps, &sample_order("ord-1")).await;
    let recorded = record(&deps, "ord-1", "ChargePayment", "PaymentDeclined").await;
    assert!(recorded);
    assert!(outcome(&deps, event("ord-1", "FAILED")).await.is_some());
    let item = order_item(&deps, "ord-1").await;
    assert_eq!(get_s(&item, "executionStatus"), Some("FAILED"));
    let error = get_m(&item, "failure").and_then(|f| get_s(f, "error"));
    assert_eq!(error, Some("PaymentDeclined"));
}

async fn record(deps: &shared::Deps, order_id: &str, state: &str, error: &str) -> bool {
    use shared::db::orders::{Change, status, update};
    use shared::db::{map, s};
    let change = Change {
        status: Some(status::FAILED),
        set: vec![("failure", map([("state", s(state)), ("error", s(error))]))],
        ..Change::default()
    };
    update(deps, order_id, change).await.unwrap_or(false)
}

#[tokio::test]
async fn unknown_orders_are_not_updated_and_not_created() {
    let deps = fresh_deps().await;
    let before = snapshot(&deps).await;
    assert_eq!(
        outcome(&deps, event("ord-404", "FAILED")).await,
        Some(json!({"orderId": "ord-404", "executionStatus": "FAILED", "updated": false}))
    );
    assert_same_items(&before, &snapshot(&deps).await);
}

#[tokio::test]
async fn other_events_are_invalid_and_write_nothing() {
    let deps = fresh_deps().await;
    store_validated(&deps, &sample_order("ord-1")).await;
    let mut bad = non_objects();
    let mut wrong_type = event("ord-1", "FAILED");
    wrong_type["detail-type"] = json!("Order Placed");
    let mut no_detail = event("ord-1", "FAILED");
    no_detail["detail"] = json!(null);
    let mut numeric_status = event("ord-1", "FAILED");
    numeric_status["detail"]["status"] = json!(3);
    let mut no_name = event("ord-1", "FAILED");
    no_name["detail"].as_object_mut().map(|d| d.remove("name"));
    bad.extend([
        wrong_type,
        no_detail,
        numeric_status,
        no_name,
        event("", "FAILED"),
    ]);
    assert_rejected(&deps, "InvalidEvent", &bad, |p| handle(&deps, p)).await;
}

/// Every one-place mutation of a valid payload: a contract error or success, never a
/// panic, never a store error from a malformed request reaching DynamoDB.
#[tokio::test]
async fn any_json_gives_a_contract_answer() {
    let deps = fresh_deps().await;
    store_validated(&deps, &sample_order("ord-1")).await;
    let valid = event("ord-1", "FAILED");
    let tried =
        shared::test_support::assert_total(&valid, &["InvalidEvent"], |p| handle(&deps, p)).await;
    assert!(tried > 16, "{tried}");
}

/// An outage of DynamoDB is the transient `StoreUnavailable` (retried by the ASL).
#[tokio::test]
async fn an_unreachable_store_is_store_unavailable() {
    let deps = shared::test_support::unreachable_deps();
    let error = handle(&deps, event("ord-1", "FAILED")).await.err();
    assert_eq!(
        error.map(|e| shared::ErrorName::error_name(&e)),
        Some("StoreUnavailable")
    );
}
