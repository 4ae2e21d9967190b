//! request-approval against a real local DynamoDB.

use request_approval::handle;
use serde_json::json;
use shared::db::{get_m, get_n, get_s};
use shared::test_support::{
    assert_rejected, fresh_deps, non_objects, order_item, sample_order, store_validated,
};

#[tokio::test]
async fn stores_the_task_token_and_awaits_approval() {
    let deps = fresh_deps().await;
    store_validated(&deps, &sample_order("ord-1")).await;
    let result = handle(
        &deps,
        json!({"orderId": "ord-1", "totalCents": 75_000, "taskToken": "tok-123"}),
    )
    .await
    .map(|r| serde_json::to_value(r).unwrap_or_default());
    assert_eq!(
        result.ok(),
        Some(json!({"orderId": "ord-1", "status": "AWAITING_APPROVAL"}))
    );
    let item = order_item(&deps, "ord-1").await;
    assert_eq!(get_s(&item, "taskToken"), Some("tok-123"));
    assert_eq!(get_s(&item, "status"), Some("AWAITING_APPROVAL"));
    assert_eq!(
        get_m(&item, "approval").and_then(|a| get_n(a, "totalCents")),
        Some(75_000)
    );
}

#[tokio::test]
async fn unknown_orders_are_not_found_and_not_created() {
    let deps = fresh_deps().await;
    let payload = json!({"orderId": "ord-404", "totalCents": 1, "taskToken": "t"});
    assert_rejected(&deps, "OrderNotFound", &[payload], |p| handle(&deps, p)).await;
}

#[tokio::test]
async fn malformed_requests_are_invalid_and_write_nothing() {
    let deps = fresh_deps().await;
    store_validated(&deps, &sample_order("ord-1")).await;
    let mut bad = non_objects();
    bad.extend([
        json!({"orderId": "ord-1", "totalCents": 1}),
        json!({"orderId": "ord-1", "totalCents": 1, "taskToken": ""}),
        json!({"orderId": "ord-1", "totalCents": 1, "taskToken": 42}),
        json!({"orderId": "ord-1", "totalCents": -1, "taskToken": "t"}),
        json!({"orderId": "ord-1", "totalCents": "1", "taskToken": "t"}),
        json!({"orderId": "ord-1", "totalCents": u64::MAX, "taskToken": "t"}),
        json!({"orderId": "ord-1", "taskToken": "t"}),
        json!({"totalCents": 1, "taskToken": "t"}),
        json!({"orderId": "ord-1", "totalCents": 1, "taskToken": "x".repeat(5000)}),
    ]);
    assert_rejected(&deps, "InvalidRequest", &bad, |p| handle(&deps, p)).await;
}

/// Every one-place mutation of a valid payload: a contract error or success, never a
/// panic, never a store error from a malformed request reaching DynamoDB.
#[tokio::test]
async fn any_json_gives_a_contract_answer() {
    let deps = fresh_deps().await;
    store_validated(&deps, &sample_order("ord-1")).await;
    let valid = json!({"orderId": "ord-1", "totalCents": 75_000, "taskToken": "tok-123"});
    let tried =
        shared::test_support::assert_total(&valid, &["InvalidRequest", "OrderNotFound"], |p| {
            handle(&deps, p)
        })
        .await;
    assert!(tried > 16, "{tried}");
}

/// An outage of DynamoDB is the transient `StoreUnavailable` (retried by the ASL).
#[tokio::test]
async fn an_unreachable_store_is_store_unavailable() {
    let deps = shared::test_support::unreachable_deps();
    let error = handle(
        &deps,
        json!({"orderId": "ord-1", "totalCents": 1, "taskToken": "t"}),
    )
    .await
    .err();
    assert_eq!(
        error.map(|e| shared::ErrorName::error_name(&e)),
        Some("StoreUnavailable")
    );
}
