//! record-failure against a real local DynamoDB.

use record_failure::handle;
use serde_json::json;
use shared::db::{get_m, get_s};
use shared::test_support::{
    assert_rejected, fresh_deps, non_objects, order_item, sample_order, store_validated,
};

#[tokio::test]
async fn records_the_caught_error_on_the_order() {
    let deps = fresh_deps().await;
    store_validated(&deps, &sample_order("ord-1")).await;
    let payload = json!({"orderId": "ord-1", "state": "ChargePayment",
        "error": {"Error": "PaymentDeclined", "Cause": "{\"errorMessage\":\"declined\"}"}});
    let result = handle(&deps, payload).await;
    let output = result.map(|r| serde_json::to_value(r).unwrap_or_default());
    assert_eq!(
        output.ok(),
        Some(json!({"orderId": "ord-1", "status": "FAILED"}))
    );
    let item = order_item(&deps, "ord-1").await;
    assert_eq!(get_s(&item, "status"), Some("FAILED"));
    let failure = get_m(&item, "failure");
    assert_eq!(
        failure.and_then(|f| get_s(f, "state")),
        Some("ChargePayment")
    );
    assert_eq!(
        failure.and_then(|f| get_s(f, "error")),
        Some("PaymentDeclined")
    );
    assert_eq!(
        failure.and_then(|f| get_s(f, "cause")),
        Some("{\"errorMessage\":\"declined\"}")
    );
    // The order's content is kept.
    assert!(get_m(&item, "order").is_some());
}

#[tokio::test]
async fn records_orders_that_were_never_stored() {
    let deps = fresh_deps().await;
    let payload = json!({"orderId": "not a valid id!", "state": "ValidateOrder",
        "error": {"Error": "InvalidOrder", "Cause": "items must have 1 to 100 elements"}});
    assert!(handle(&deps, payload).await.is_ok());
    let item = order_item(&deps, "not a valid id!").await;
    assert_eq!(get_s(&item, "status"), Some("FAILED"));
}

#[tokio::test]
async fn any_error_shape_is_recorded() {
    let deps = fresh_deps().await;
    for (error, expected) in [
        (json!("States.Timeout"), "States.Timeout"),
        (json!({"Cause": "no name"}), "Unknown"),
        (json!(42), "a number"),
        (json!(null), "Unknown"),
    ] {
        let payload = json!({"orderId": "ord-1", "error": error});
        assert!(handle(&deps, payload).await.is_ok());
        let item = order_item(&deps, "ord-1").await;
        let recorded = get_m(&item, "failure").and_then(|f| get_s(f, "error"));
        assert_eq!(recorded, Some(expected));
    }
}

#[tokio::test]
async fn no_order_id_is_invalid_and_writes_nothing() {
    let deps = fresh_deps().await;
    let mut bad = non_objects();
    bad.extend([
        json!({"state": "X", "error": {"Error": "E"}}),
        json!({"orderId": "", "state": "X"}),
        json!({"orderId": 12, "state": "X"}),
        json!({"orderId": {"id": "ord-1"}}),
        json!({"orderId": "ord-1", "state": 5}),
        json!({"orderId": "x".repeat(600)}),
    ]);
    assert_rejected(&deps, "InvalidRequest", &bad, |p| handle(&deps, p)).await;
}

/// Every one-place mutation of a valid payload: a contract error or success, never a
/// panic, never a store error from a malformed request reaching DynamoDB.
#[tokio::test]
async fn any_json_gives_a_contract_answer() {
    let deps = fresh_deps().await;
    store_validated(&deps, &sample_order("ord-1")).await;
    let valid = json!({"orderId": "ord-1", "state": "ChargePayment",
        "error": {"Error": "PaymentDeclined", "Cause": "declined"}});
    let tried =
        shared::test_support::assert_total(&valid, &["InvalidRequest"], |p| handle(&deps, p)).await;
    assert!(tried > 16, "{tried}");
}

/// An outage of DynamoDB is the transient `StoreUnavailable` (retried by the ASL).
#[tokio::test]
async fn an_unreachable_store_is_store_unavailable() {
    let deps = shared::test_support::unreachable_deps();
    let error = handle(
        &deps,
        json!({"orderId": "ord-1", "state": "S", "error": {"Error": "E"}}),
    )
    .await
    .err();
    assert_eq!(
        error.map(|e| shared::ErrorName::error_name(&e)),
        Some("StoreUnavailable")
    );
}
