//! refund-payment against a real local DynamoDB.

use refund_payment::handle;
use serde_json::json;
use shared::Deps;
use shared::db::payments::{self, get_charge};
use shared::test_support::{assert_rejected, assert_same_items, fresh_deps, non_objects, snapshot};

async fn refunded(deps: &Deps, order_id: &str) -> Option<u64> {
    handle(deps, json!({"orderId": order_id}))
        .await
        .ok()
        .map(|r| r.refunded_cents)
}

#[tokio::test]
async fn refunds_what_was_charged_once() {
    let deps = fresh_deps().await;
    let charge = payments::record_charge(&deps, "ord-1", 1_250, "ch_test").await;
    assert_eq!(charge.map(|c| c.amount_cents).ok(), Some(1_250));
    assert_eq!(refunded(&deps, "ord-1").await, Some(1_250));
    let stored = get_charge(&deps, "ord-1").await.ok().flatten();
    assert_eq!(
        stored.map(|c| (c.status, c.refunded_cents)),
        Some(("REFUNDED".into(), 1_250))
    );

    let before = snapshot(&deps).await;
    assert_eq!(refunded(&deps, "ord-1").await, Some(0));
    assert_same_items(&before, &snapshot(&deps).await);
}

#[tokio::test]
async fn nothing_charged_refunds_nothing() {
    let deps = fresh_deps().await;
    assert_eq!(refunded(&deps, "ord-none").await, Some(0));
    // Attempts counted but never charged (tok_flaky / tok_unavailable): nothing to refund.
    let attempt = payments::begin_attempt(&deps, "ord-flaky").await;
    assert!(attempt.is_ok(), "{attempt:?}");
    let before = snapshot(&deps).await;
    assert_eq!(refunded(&deps, "ord-flaky").await, Some(0));
    assert_same_items(&before, &snapshot(&deps).await);
}

/// Needs DynamoDB's isolation of conditional writes, which moto_server (threaded, no
/// locking) does not give: run against DynamoDB Local with
/// `AWS_ENDPOINT_URL_DYNAMODB=http://127.0.0.1:8000 cargo test -- --ignored`.
#[ignore = "needs DynamoDB Local (moto does not isolate concurrent conditional writes)"]
#[tokio::test]
async fn concurrent_refunds_refund_once() {
    let deps = fresh_deps().await;
    let charge = payments::record_charge(&deps, "ord-1", 700, "ch_test").await;
    assert!(charge.is_ok());
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..5 {
        let deps = deps.clone();
        tasks.spawn(async move { refunded(&deps, "ord-1").await });
    }
    let total: u64 = tasks.join_all().await.into_iter().flatten().sum();
    assert_eq!(total, 700);
}

#[tokio::test]
async fn malformed_requests_are_invalid_and_write_nothing() {
    let deps = fresh_deps().await;
    let charge = payments::record_charge(&deps, "ord-1", 700, "ch_test").await;
    assert!(charge.is_ok());
    let mut bad = non_objects();
    bad.extend([
        json!({"orderId": ""}),
        json!({"orderId": 1}),
        json!({"orderId": ["ord-1"]}),
        json!({"orderId": "ord 1"}),
        json!({"order": "ord-1"}),
    ]);
    assert_rejected(&deps, "InvalidRequest", &bad, |p| handle(&deps, p)).await;
}

/// Every one-place mutation of a valid payload: a contract error or success, never a
/// panic, never a store error from a malformed request reaching DynamoDB.
#[tokio::test]
async fn any_json_gives_a_contract_answer() {
    let deps = fresh_deps().await;
    let valid = json!({"orderId": "ord-1"});
    let tried =
        shared::test_support::assert_total(&valid, &["InvalidRequest"], |p| handle(&deps, p)).await;
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
