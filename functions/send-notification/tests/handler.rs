//! send-notification: the simulated notifier (no table writes at all).

use send_notification::handle;
use serde_json::{Value, json};
use shared::test_support::{assert_rejected, fresh_deps, non_objects};

fn request(email: &str) -> Value {
    json!({"orderId": "ord-1", "customerId": "cust-42", "email": email,
        "template": "order-confirmed"})
}

#[tokio::test]
async fn delivers_with_a_stable_message_id() {
    let deps = fresh_deps().await;
    let first = handle(&deps, request("ada@example.com")).await;
    let again = handle(&deps, request("ada@example.com")).await;
    let Ok(first) = first else {
        panic!("{first:?}");
    };
    assert!(first.delivered);
    assert!(first.message_id.starts_with("msg-"));
    assert_eq!(again.ok(), Some(first.clone()));
    let other = handle(&deps, request("grace@example.com")).await;
    assert_ne!(other.ok().map(|o| o.message_id), Some(first.message_id));
}

#[tokio::test]
async fn bouncing_addresses_fail() {
    let deps = fresh_deps().await;
    assert_rejected(
        &deps,
        "NotificationFailed",
        &[request("ada@bounce.example")],
        |p| handle(&deps, p),
    )
    .await;
}

#[tokio::test]
async fn malformed_requests_are_invalid() {
    let deps = fresh_deps().await;
    let mut bad = non_objects();
    bad.extend([
        request("no-at-sign"),
        request(""),
        json!({"orderId": "ord-1", "customerId": "c", "email": 5, "template": "t"}),
        json!({"orderId": "ord-1", "customerId": "c", "email": "a@b"}),
        json!({"orderId": "ord-1", "email": "a@b", "template": "t"}),
        json!({"customerId": "c", "email": "a@b", "template": "t"}),
        json!({"orderId": "ord-1", "customerId": "c", "email": "a@b", "template": ""}),
    ]);
    assert_rejected(&deps, "InvalidRequest", &bad, |p| handle(&deps, p)).await;
}

/// Every one-place mutation of a valid payload: a contract error or success, never a
/// panic, never a store error from a malformed request reaching DynamoDB.
#[tokio::test]
async fn any_json_gives_a_contract_answer() {
    let deps = fresh_deps().await;
    let valid = request("ada@example.com");
    let tried = shared::test_support::assert_total(
        &valid,
        &["InvalidRequest", "NotificationFailed"],
        |p| handle(&deps, p),
    )
    .await;
    assert!(tried > 16, "{tried}");
}
