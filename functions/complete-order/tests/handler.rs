//! complete-order against a real local DynamoDB.

use complete_order::handle;
use serde_json::json;
use shared::db::{get_m, get_s};
use shared::test_support::{
    assert_rejected, fresh_deps, non_objects, order_item, sample_order, store_validated,
};

#[tokio::test]
async fn marks_the_order_completed() {
    let deps = fresh_deps().await;
    store_validated(&deps, &sample_order("ord-1")).await;
    let result = handle(&deps, json!({"orderId": "ord-1"})).await;
    let output = result.map(|r| serde_json::to_value(r).unwrap_or_default());
    assert_eq!(
        output.ok(),
        Some(json!({"orderId": "ord-1", "status": "COMPLETED"}))
    );
    let item = order_item(&deps, "ord-1").await;
    assert_eq!(get_s(&item, "status"), Some("COMPLETED"));
    let history = item
        .get("history")
        .and_then(|h| h.as_l().ok())
        .map(Vec::len);
    assert_eq!(history, Some(2));
}

#[tokio::test]
async fn keeps_a_given_shipment_only_when_none_is_stored() {
    let deps = fresh_deps().await;
    store_validated(&deps, &sample_order("ord-1")).await;
    let shipment = json!({"trackingNumber": "TRK-1", "carrier": "SimCarrier"});
    assert!(
        handle(&deps, json!({"orderId": "ord-1", "shipment": shipment}))
            .await
            .is_ok()
    );
    let other = json!({"trackingNumber": "TRK-2"});
    assert!(
        handle(&deps, json!({"orderId": "ord-1", "shipment": other}))
            .await
            .is_ok()
    );
    let item = order_item(&deps, "ord-1").await;
    let tracking = get_m(&item, "shipment").and_then(|s| get_s(s, "trackingNumber"));
    assert_eq!(tracking, Some("TRK-1"));
}

#[tokio::test]
async fn unknown_orders_are_not_found_and_not_created() {
    let deps = fresh_deps().await;
    assert_rejected(
        &deps,
        "OrderNotFound",
        &[json!({"orderId": "ord-404"})],
        |p| handle(&deps, p),
    )
    .await;
}

#[tokio::test]
async fn malformed_requests_are_invalid_and_write_nothing() {
    let deps = fresh_deps().await;
    store_validated(&deps, &sample_order("ord-1")).await;
    let mut bad = non_objects();
    bad.extend([
        json!({"orderId": ""}),
        json!({"orderId": 7}),
        json!({"orderId": "ord-1", "shipment": "TRK-1"}),
        json!({"orderId": "ord-1", "shipment": [1, 2]}),
    ]);
    assert_rejected(&deps, "InvalidRequest", &bad, |p| handle(&deps, p)).await;
}

/// Every one-place mutation of a valid payload: a contract error or success, never a
/// panic, never a store error from a malformed request reaching DynamoDB.
#[tokio::test]
async fn any_json_gives_a_contract_answer() {
    let deps = fresh_deps().await;
    store_validated(&deps, &sample_order("ord-1")).await;
    let valid = json!({"orderId": "ord-1", "shipment": {"trackingNumber": "TRK-1", "n": [1]}});
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
    let error = handle(&deps, json!({"orderId": "ord-1"})).await.err();
    assert_eq!(
        error.map(|e| shared::ErrorName::error_name(&e)),
        Some("StoreUnavailable")
    );
}
