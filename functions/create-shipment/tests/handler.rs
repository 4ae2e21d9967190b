//! create-shipment against a real local DynamoDB.

use create_shipment::handle;
use serde_json::{Value, json};
use shared::db::{get_m, get_n, get_s};
use shared::order::sha256_hex;
use shared::test_support::{
    assert_rejected, fresh_deps, non_objects, order_item, sample_order, store_validated,
};

fn request(order_id: &str) -> Value {
    let order = sample_order(order_id);
    json!({"orderId": order_id, "shipping": order["shipping"], "items": order["items"]})
}

#[tokio::test]
async fn books_a_shipment_and_stores_it_on_the_order() {
    let deps = fresh_deps().await;
    store_validated(&deps, &sample_order("ord-1")).await;
    let result = handle(&deps, request("ord-1")).await;
    let output = result.map(|r| serde_json::to_value(r).unwrap_or_default());
    let tracking = format!("TRK-{}", &sha256_hex(b"ord-1")[..10]);
    assert_eq!(
        output.ok(),
        Some(json!({"trackingNumber": tracking, "carrier": "SimCarrier",
            "dispatchDelaySeconds": 3600}))
    );
    let item = order_item(&deps, "ord-1").await;
    assert_eq!(get_s(&item, "status"), Some("FULFILLING"));
    let shipment = get_m(&item, "shipment");
    assert_eq!(
        shipment.and_then(|s| get_s(s, "trackingNumber")),
        Some(tracking.as_str())
    );
    assert_eq!(shipment.and_then(|s| get_n(s, "units")), Some(2));
}

#[tokio::test]
async fn express_shipping_dispatches_sooner() {
    let deps = fresh_deps().await;
    store_validated(&deps, &sample_order("ord-1")).await;
    let mut payload = request("ord-1");
    payload["shipping"]["speed"] = json!("express");
    let delay = handle(&deps, payload)
        .await
        .map(|s| s.dispatch_delay_seconds);
    assert_eq!(delay.ok(), Some(600));
}

#[tokio::test]
async fn postal_code_00000_fails_without_a_write() {
    let deps = fresh_deps().await;
    store_validated(&deps, &sample_order("ord-1")).await;
    let mut payload = request("ord-1");
    payload["shipping"]["postalCode"] = json!("00000");
    assert_rejected(&deps, "ShipmentFailed", &[payload], |p| handle(&deps, p)).await;
}

#[tokio::test]
async fn malformed_requests_are_invalid_and_write_nothing() {
    let deps = fresh_deps().await;
    store_validated(&deps, &sample_order("ord-1")).await;
    let mut bad = non_objects();
    for (pointer, value) in [
        ("/shipping", json!(null)),
        ("/shipping", json!("London")),
        ("/shipping/email", json!(5)),
        ("/shipping/country", json!("")),
        ("/shipping/speed", json!("warp")),
        ("/shipping/postalCode", json!(12345)),
        ("/items", json!([])),
        ("/items", json!({})),
        ("/items/0/quantity", json!(-1)),
        ("/items/0/quantity", json!(u64::MAX)),
        ("/orderId", json!(null)),
    ] {
        let mut payload = request("ord-1");
        match payload.pointer_mut(pointer) {
            Some(slot) => *slot = value,
            None => panic!("no {pointer}"),
        }
        bad.push(payload);
    }
    // Valid, but for an order that was never stored: nothing is created.
    bad.push(request("ord-404"));
    assert_rejected(&deps, "InvalidRequest", &bad, |p| handle(&deps, p)).await;
}

/// Every one-place mutation of a valid payload: a contract error or success, never a
/// panic, never a store error from a malformed request reaching DynamoDB.
#[tokio::test]
async fn any_json_gives_a_contract_answer() {
    let deps = fresh_deps().await;
    store_validated(&deps, &sample_order("ord-1")).await;
    let valid = request("ord-1");
    let tried =
        shared::test_support::assert_total(&valid, &["InvalidRequest", "ShipmentFailed"], |p| {
            handle(&deps, p)
        })
        .await;
    assert!(tried > 16, "{tried}");
}

/// An outage of DynamoDB is the transient `StoreUnavailable` (retried by the ASL).
#[tokio::test]
async fn an_unreachable_store_is_store_unavailable() {
    let deps = shared::test_support::unreachable_deps();
    let error = handle(&deps, request("ord-1")).await.err();
    assert_eq!(
        error.map(|e| shared::ErrorName::error_name(&e)),
        Some("StoreUnavailable")
    );
}
