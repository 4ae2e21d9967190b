//! validate-order against a real local DynamoDB.

use serde_json::{Value, json};
use shared::db::{get_m, get_n, get_s};
use shared::test_support::{
    assert_rejected, fresh_deps, non_objects, order_item, sample_order, stock,
};
use shared::{Deps, ErrorName};
use validate_order::handle;

async fn stocked() -> Deps {
    let deps = fresh_deps().await;
    stock(&deps, &[("SKU-APPLE", 10), ("SKU-PEAR", 0)]).await;
    deps
}

#[tokio::test]
async fn stores_a_valid_order_as_validated() {
    let deps = stocked().await;
    let mut order = sample_order("ord-1");
    order["items"] = json!([
        {"sku": "SKU-APPLE", "quantity": 2, "unitPriceCents": 150},
        {"sku": "SKU-PEAR", "quantity": 1, "unitPriceCents": 99}
    ]);
    let result = handle(&deps, order.clone()).await;
    let output = result.map(|r| serde_json::to_value(r).unwrap_or_default());
    assert_eq!(
        output.ok(),
        Some(json!({"orderId": "ord-1", "totalCents": 399, "itemCount": 2}))
    );
    let item = order_item(&deps, "ord-1").await;
    assert_eq!(get_s(&item, "status"), Some("VALIDATED"));
    assert_eq!(get_n(&item, "totalCents"), Some(399));
    assert_eq!(get_s(&item, "orderHash").map(str::len), Some(64));
    assert_eq!(get_m(&item, "reservations").map(|r| r.len()), Some(0));
    let stored: Value = item
        .get("order")
        .cloned()
        .and_then(|o| shared::serde_dynamo::from_attribute_value(o).ok())
        .unwrap_or_default();
    assert_eq!(stored["items"], order["items"]);
}

#[tokio::test]
async fn the_same_order_again_is_fine_and_a_different_one_conflicts() {
    let deps = stocked().await;
    let order = sample_order("ord-1");
    assert!(handle(&deps, order.clone()).await.is_ok());
    assert!(handle(&deps, order.clone()).await.is_ok());
    let mut other = order;
    other["customerId"] = json!("someone-else");
    assert_rejected(&deps, "OrderConflict", &[other], |p| handle(&deps, p)).await;
    assert_eq!(
        get_s(&order_item(&deps, "ord-1").await, "status"),
        Some("VALIDATED")
    );
}

#[tokio::test]
async fn unknown_skus_are_invalid_orders() {
    let deps = stocked().await;
    let mut order = sample_order("ord-1");
    order["items"] = json!([
        {"sku": "SKU-APPLE", "quantity": 1, "unitPriceCents": 1},
        {"sku": "SKU-GHOST", "quantity": 1, "unitPriceCents": 1}
    ]);
    let error = handle(&deps, order.clone()).await.err();
    assert!(
        error
            .as_ref()
            .is_some_and(|e| e.to_string().contains("SKU-GHOST")),
        "{error:?}"
    );
    assert_rejected(&deps, "InvalidOrder", &[order], |p| handle(&deps, p)).await;
}

#[tokio::test]
async fn bad_orders_are_invalid_and_write_nothing() {
    let deps = stocked().await;
    let mut bad = non_objects();
    let edits: Vec<(&str, Value)> = vec![
        ("/orderId", json!("")),
        ("/orderId", json!("id with spaces")),
        ("/orderId", json!("x".repeat(65))),
        ("/orderId", json!(12)),
        ("/customerId", json!("")),
        ("/customerId", json!(null)),
        ("/items", json!([])),
        ("/items", json!("SKU-APPLE")),
        ("/items/0/quantity", json!(0)),
        ("/items/0/quantity", json!(1001)),
        ("/items/0/quantity", json!(-2)),
        ("/items/0/quantity", json!(2.5)),
        ("/items/0/quantity", json!("2")),
        ("/items/0/quantity", json!(u64::MAX)),
        ("/items/0/unitPriceCents", json!(-150)),
        ("/items/0/unitPriceCents", json!(10_000_001)),
        ("/items/0/unitPriceCents", json!(1.5)),
        ("/items/0/sku", json!("")),
        ("/items/0/sku", json!(["SKU-APPLE"])),
        ("/payment/method", json!("cash")),
        ("/payment/token", json!("")),
        ("/payment", json!(null)),
        ("/shipping/email", json!("ada.example.com")),
        ("/shipping/country", json!("GBR")),
        ("/shipping/speed", json!("teleport")),
        ("/shipping", json!([])),
    ];
    for (pointer, value) in edits {
        let mut order = sample_order("ord-1");
        if let Some(slot) = order.pointer_mut(pointer) {
            *slot = value;
        } else {
            panic!("no {pointer} in the sample");
        }
        bad.push(order);
    }
    let item = json!({"sku": "SKU-APPLE", "quantity": 1000, "unitPriceCents": 10_000_000});
    let mut too_expensive = sample_order("ord-1");
    too_expensive["items"] = Value::Array(vec![item.clone(); 11]);
    let mut too_many = sample_order("ord-1");
    too_many["items"] = Value::Array(vec![item; 101]);
    bad.extend([too_expensive, too_many]);
    assert_rejected(&deps, "InvalidOrder", &bad, |p| handle(&deps, p)).await;
}

#[tokio::test]
async fn every_violation_is_in_the_message() {
    let deps = stocked().await;
    let mut order = sample_order("bad id");
    order["items"][0]["quantity"] = json!(0);
    order["shipping"]["country"] = json!("G");
    let error = handle(&deps, order).await.err();
    assert_eq!(error.as_ref().map(|e| e.error_name()), Some("InvalidOrder"));
    let message = error.map(|e| e.to_string()).unwrap_or_default();
    for field in ["orderId", "items[0].quantity", "shipping.country"] {
        assert!(message.contains(field), "{field} missing in {message}");
    }
}

/// Every one-place mutation of a valid payload: a contract error or success, never a
/// panic, never a store error from a malformed request reaching DynamoDB.
#[tokio::test]
async fn any_json_gives_a_contract_answer() {
    let deps = stocked().await;
    let valid = sample_order("ord-1");
    let tried =
        shared::test_support::assert_total(&valid, &["InvalidOrder", "OrderConflict"], |p| {
            handle(&deps, p)
        })
        .await;
    assert!(tried > 16, "{tried}");
}

#[tokio::test]
async fn validating_again_does_not_rewind_an_order_that_got_further() {
    let deps = stocked().await;
    let order = sample_order("ord-1");
    assert!(handle(&deps, order.clone()).await.is_ok());
    let completed = shared::db::orders::Change {
        status: Some("COMPLETED"),
        ..Default::default()
    };
    assert_eq!(
        shared::db::orders::update(&deps, "ord-1", completed)
            .await
            .ok(),
        Some(true)
    );
    assert!(handle(&deps, order).await.is_ok());
    assert_eq!(
        get_s(&order_item(&deps, "ord-1").await, "status"),
        Some("COMPLETED")
    );
}

/// An outage of DynamoDB is the transient `StoreUnavailable` (retried by the ASL).
#[tokio::test]
async fn an_unreachable_store_is_store_unavailable() {
    let deps = shared::test_support::unreachable_deps();
    let error = handle(&deps, sample_order("ord-1")).await.err();
    assert_eq!(
        error.map(|e| shared::ErrorName::error_name(&e)),
        Some("StoreUnavailable")
    );
}
