//! release-item against a real local DynamoDB.

use release_item::handle;
use serde_json::{Value, json};
use shared::Deps;
use shared::db::inventory::{self, Reservation, Stock, get_stock};
use shared::db::orders;
use shared::test_support::{
    assert_rejected, assert_same_items, fresh_deps, non_objects, snapshot, stock,
};

async fn reserved_order(deps: &Deps, order_id: &str, sku: &str, quantity: u64) {
    let payload = json!({"orderId": order_id, "customerId": "cust-1",
        "items": [{"sku": sku, "quantity": quantity, "unitPriceCents": 100}],
        "payment": {"method": "card", "token": "tok_visa"},
        "shipping": {"email": "a@example.com", "country": "GB"}});
    let order = shared::order::Order::parse(&payload).unwrap_or_else(|v| panic!("{v}"));
    assert_eq!(
        orders::put_validated(deps, &order, &order.hash(), 100)
            .await
            .ok(),
        Some(true)
    );
    let reserved = inventory::reserve(deps, order_id, sku, quantity).await.ok();
    assert_eq!(reserved, Some(Reservation::Reserved(quantity)));
}

fn request(order_id: &str, sku: &str) -> Value {
    json!({"orderId": order_id, "sku": sku})
}

async fn released(deps: &Deps, order_id: &str, sku: &str) -> Option<u64> {
    handle(deps, request(order_id, sku))
        .await
        .ok()
        .map(|r| r.released)
}

#[tokio::test]
async fn release_gives_back_the_reservation_once() {
    let deps = fresh_deps().await;
    stock(&deps, &[("SKU-APPLE", 10)]).await;
    reserved_order(&deps, "ord-1", "SKU-APPLE", 4).await;
    assert_eq!(
        get_stock(&deps, "SKU-APPLE").await.ok().flatten(),
        Some(Stock {
            available: 6,
            reserved: 4
        })
    );

    assert_eq!(released(&deps, "ord-1", "SKU-APPLE").await, Some(4));
    assert_eq!(
        get_stock(&deps, "SKU-APPLE").await.ok().flatten(),
        Some(Stock {
            available: 10,
            reserved: 0
        })
    );

    let before = snapshot(&deps).await;
    assert_eq!(released(&deps, "ord-1", "SKU-APPLE").await, Some(0));
    assert_same_items(&before, &snapshot(&deps).await);
}

#[tokio::test]
async fn release_only_touches_its_own_order() {
    let deps = fresh_deps().await;
    stock(&deps, &[("SKU-APPLE", 10)]).await;
    reserved_order(&deps, "ord-1", "SKU-APPLE", 2).await;
    reserved_order(&deps, "ord-2", "SKU-APPLE", 3).await;
    assert_eq!(released(&deps, "ord-1", "SKU-APPLE").await, Some(2));
    assert_eq!(released(&deps, "ord-1", "SKU-APPLE").await, Some(0));
    assert_eq!(
        get_stock(&deps, "SKU-APPLE").await.ok().flatten(),
        Some(Stock {
            available: 7,
            reserved: 3
        })
    );
}

#[tokio::test]
async fn nothing_reserved_releases_nothing() {
    let deps = fresh_deps().await;
    stock(&deps, &[("SKU-APPLE", 10)]).await;
    let before = snapshot(&deps).await;
    assert_eq!(released(&deps, "ord-unknown", "SKU-APPLE").await, Some(0));
    assert_eq!(released(&deps, "ord-unknown", "SKU-NOPE").await, Some(0));
    assert_same_items(&before, &snapshot(&deps).await);
}

/// Needs DynamoDB's isolation of conditional writes, which moto_server (threaded, no
/// locking) does not give: run against DynamoDB Local with
/// `AWS_ENDPOINT_URL_DYNAMODB=http://127.0.0.1:8000 cargo test -- --ignored`.
#[ignore = "needs DynamoDB Local (moto does not isolate concurrent conditional writes)"]
#[tokio::test]
async fn concurrent_releases_release_once() {
    let deps = fresh_deps().await;
    stock(&deps, &[("SKU-APPLE", 10)]).await;
    reserved_order(&deps, "ord-1", "SKU-APPLE", 4).await;
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..4 {
        let deps = deps.clone();
        tasks.spawn(async move { released(&deps, "ord-1", "SKU-APPLE").await });
    }
    let results = tasks.join_all().await;
    let total: u64 = results.iter().flatten().sum();
    assert_eq!(total, 4, "{results:?}");
    assert_eq!(
        get_stock(&deps, "SKU-APPLE").await.ok().flatten(),
        Some(Stock {
            available: 10,
            reserved: 0
        })
    );
}

#[tokio::test]
async fn malformed_requests_are_invalid_and_write_nothing() {
    let deps = fresh_deps().await;
    stock(&deps, &[("SKU-APPLE", 10)]).await;
    reserved_order(&deps, "ord-1", "SKU-APPLE", 1).await;
    let mut bad = non_objects();
    bad.extend([
        json!({"orderId": "ord-1"}),
        json!({"sku": "SKU-APPLE"}),
        json!({"orderId": "ord-1", "sku": ""}),
        json!({"orderId": "ord-1", "sku": {"id": "SKU-APPLE"}}),
        json!({"orderId": 1, "sku": "SKU-APPLE"}),
        json!({"orderId": "../ord-1", "sku": "SKU-APPLE"}),
    ]);
    assert_rejected(&deps, "InvalidRequest", &bad, |p| handle(&deps, p)).await;
}

/// Every one-place mutation of a valid payload: a contract error or success, never a
/// panic, never a store error from a malformed request reaching DynamoDB.
#[tokio::test]
async fn any_json_gives_a_contract_answer() {
    let deps = fresh_deps().await;
    stock(&deps, &[("SKU-APPLE", 100)]).await;
    reserved_order(&deps, "ord-1", "SKU-APPLE", 1).await;
    let valid = request("ord-1", "SKU-APPLE");
    let tried =
        shared::test_support::assert_total(&valid, &["InvalidRequest"], |p| handle(&deps, p)).await;
    assert!(tried > 16, "{tried}");
}

/// An outage of DynamoDB is the transient `StoreUnavailable` (retried by the ASL).
#[tokio::test]
async fn an_unreachable_store_is_store_unavailable() {
    let deps = shared::test_support::unreachable_deps();
    let error = handle(&deps, json!({"orderId": "ord-1", "sku": "SKU-APPLE"}))
        .await
        .err();
    assert_eq!(
        error.map(|e| shared::ErrorName::error_name(&e)),
        Some("StoreUnavailable")
    );
}
