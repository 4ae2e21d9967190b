//! award-loyalty-points against a real local DynamoDB.

use award_loyalty_points::handle;
use serde_json::json;
use shared::db::get_n;
use shared::test_support::{
    assert_rejected, assert_same_items, fresh_deps, non_objects, order_item, sample_order,
    snapshot, store_validated,
};

#[tokio::test]
async fn one_point_per_whole_100_cents_stored_once() {
    let deps = fresh_deps().await;
    store_validated(&deps, &sample_order("ord-1")).await;
    let payload = json!({"orderId": "ord-1", "customerId": "cust-42", "totalCents": 12_399});
    let result = handle(&deps, payload.clone()).await;
    let output = result.map(|r| serde_json::to_value(r).unwrap_or_default());
    assert_eq!(
        output.ok(),
        Some(json!({"customerId": "cust-42", "points": 123}))
    );
    assert_eq!(
        get_n(&order_item(&deps, "ord-1").await, "loyaltyPoints"),
        Some(123)
    );
    // A repeat sets the same points: the balance is not doubled.
    assert!(handle(&deps, payload).await.is_ok());
    assert_eq!(
        get_n(&order_item(&deps, "ord-1").await, "loyaltyPoints"),
        Some(123)
    );
}

#[tokio::test]
async fn less_than_a_dollar_earns_nothing() {
    let deps = fresh_deps().await;
    store_validated(&deps, &sample_order("ord-1")).await;
    let payload = json!({"orderId": "ord-1", "customerId": "c", "totalCents": 99});
    assert_eq!(handle(&deps, payload).await.map(|r| r.points).ok(), Some(0));
}

#[tokio::test]
async fn malformed_requests_are_invalid_and_write_nothing() {
    let deps = fresh_deps().await;
    store_validated(&deps, &sample_order("ord-1")).await;
    let before = snapshot(&deps).await;
    let mut bad = non_objects();
    bad.extend([
        json!({"orderId": "ord-1", "customerId": "c", "totalCents": -100}),
        json!({"orderId": "ord-1", "customerId": "c", "totalCents": "100"}),
        json!({"orderId": "ord-1", "customerId": "c", "totalCents": 1e3}),
        json!({"orderId": "ord-1", "customerId": "c", "totalCents": u64::MAX}),
        json!({"orderId": "ord-1", "customerId": "", "totalCents": 100}),
        json!({"orderId": "ord-1", "totalCents": 100}),
        json!({"customerId": "c", "totalCents": 100}),
        json!({"orderId": "ord-404", "customerId": "c", "totalCents": 100}),
    ]);
    assert_rejected(&deps, "InvalidRequest", &bad, |p| handle(&deps, p)).await;
    assert_same_items(&before, &snapshot(&deps).await);
}

/// Every one-place mutation of a valid payload: a contract error or success, never a
/// panic, never a store error from a malformed request reaching DynamoDB.
#[tokio::test]
async fn any_json_gives_a_contract_answer() {
    let deps = fresh_deps().await;
    store_validated(&deps, &sample_order("ord-1")).await;
    let valid = json!({"orderId": "ord-1", "customerId": "cust-42", "totalCents": 12_399});
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
        json!({"orderId": "ord-1", "customerId": "c", "totalCents": 100}),
    )
    .await
    .err();
    assert_eq!(
        error.map(|e| shared::ErrorName::error_name(&e)),
        Some("StoreUnavailable")
    );
}
