//! decide-approval: the DynamoDB side against a real local DynamoDB (the token stored by
//! request-approval), Step Functions through an in-test recording implementation.

use decide_approval::{CallbackError, Deps, TaskCallbacks, handle};
use serde_json::{Value, json};
use shared::ErrorName;
use shared::aws_lambda_events::encodings::Body;
use shared::db::{get_m, get_s, orders};
use shared::test_support::{assert_same_items, fresh_deps, snapshot};
use std::sync::Mutex;

#[derive(Debug, Clone, PartialEq, Eq)]
enum Call {
    Success {
        token: String,
        output: Value,
    },
    Failure {
        token: String,
        error: String,
        cause: Value,
    },
}

#[derive(Default)]
struct Recorder {
    calls: Mutex<Vec<Call>>,
    answer: Option<CallbackError>,
}

impl Recorder {
    fn answering(answer: CallbackError) -> Self {
        Recorder {
            answer: Some(answer),
            ..Recorder::default()
        }
    }

    fn calls(&self) -> Vec<Call> {
        self.calls.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    fn record(&self, call: Call) -> Result<(), CallbackError> {
        self.calls
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(call);
        self.answer.clone().map_or(Ok(()), Err)
    }
}

impl TaskCallbacks for Recorder {
    async fn succeed(&self, token: &str, output: &str) -> Result<(), CallbackError> {
        let output = serde_json::from_str(output).unwrap_or(Value::Null);
        self.record(Call::Success {
            token: token.into(),
            output,
        })
    }

    async fn fail(&self, token: &str, error: &str, cause: &str) -> Result<(), CallbackError> {
        let cause = serde_json::from_str(cause).unwrap_or(Value::Null);
        self.record(Call::Failure {
            token: token.into(),
            error: error.into(),
            cause,
        })
    }
}

const TOKEN: &str = "AQCEAAAAKgAAAAMAAAAAAAAAAbb2ExampleToken==";

/// An order awaiting approval, as the workflow leaves it (validate-order, then
/// request-approval with the task token).
async fn awaiting(callbacks: Recorder) -> Deps<Recorder> {
    let store = fresh_deps().await;
    let order = shared::order::Order::parse(&json!({"orderId": "ord-9", "customerId": "c-1",
        "items": [{"sku": "SKU-TV", "quantity": 1, "unitPriceCents": 90_000}],
        "payment": {"method": "card", "token": "tok_visa"},
        "shipping": {"email": "a@example.com", "country": "GB"}}))
    .unwrap_or_else(|v| panic!("{v}"));
    assert_eq!(
        orders::put_validated(&store, &order, &order.hash(), 90_000)
            .await
            .ok(),
        Some(true)
    );
    let requested = request_approval::handle(
        &store,
        json!({"orderId": "ord-9", "totalCents": 90_000, "taskToken": TOKEN}),
    )
    .await;
    assert!(requested.is_ok(), "{requested:?}");
    Deps { store, callbacks }
}

fn post(order_id: &str, body: &Value) -> Value {
    let path = format!("/orders/{order_id}/approval");
    json!({"version": "2.0", "routeKey": "POST /orders/{orderId}/approval", "rawPath": path,
        "pathParameters": {"orderId": order_id},
        "requestContext": {"http": {"method": "POST", "path": path}},
        "body": body.to_string(), "isBase64Encoded": false})
}

async fn decide(deps: &Deps<Recorder>, order_id: &str, body: &Value) -> (i64, Value) {
    match handle(deps, post(order_id, body)).await {
        Ok(response) => {
            let body = match &response.body {
                Some(Body::Text(text)) => serde_json::from_str(text).unwrap_or(Value::Null),
                _ => Value::Null,
            };
            (response.status_code, body)
        }
        Err(e) => panic!("HTTP requests are answered, got {e}"),
    }
}

async fn order_item(deps: &Deps<Recorder>) -> shared::db::Item {
    orders::get(&deps.store, "ord-9")
        .await
        .ok()
        .flatten()
        .unwrap_or_default()
}

fn approve() -> Value {
    json!({"decision": "approve", "approver": "grace", "comment": "ok"})
}

#[tokio::test]
async fn request_approval_stores_the_token() {
    let deps = awaiting(Recorder::default()).await;
    let item = order_item(&deps).await;
    assert_eq!(get_s(&item, "taskToken"), Some(TOKEN));
    assert_eq!(get_s(&item, "status"), Some("AWAITING_APPROVAL"));
}

#[tokio::test]
async fn approval_sends_task_success_once() {
    let deps = awaiting(Recorder::default()).await;
    let (status, body) = decide(&deps, "ord-9", &approve()).await;
    assert_eq!(
        (status, body),
        (200, json!({"orderId": "ord-9", "decision": "approve"}))
    );
    assert_eq!(
        deps.callbacks.calls(),
        [Call::Success {
            token: TOKEN.into(),
            output: json!({"approved": true, "approver": "grace", "comment": "ok"})
        }]
    );
    let item = order_item(&deps).await;
    assert_eq!(get_s(&item, "status"), Some("APPROVED"));
    assert_eq!(get_s(&item, "taskToken"), None);
    assert_eq!(
        get_m(&item, "approval").and_then(|a| get_s(a, "approver")),
        Some("grace")
    );

    // A replay (same or other decision) is refused and sends nothing.
    let before = snapshot(&deps.store).await;
    for body in [approve(), json!({"decision": "reject", "approver": "eve"})] {
        let (status, answer) = decide(&deps, "ord-9", &body).await;
        assert_eq!(
            (status, answer["error"].clone()),
            (409, json!("NotAwaitingApproval"))
        );
    }
    assert_eq!(deps.callbacks.calls().len(), 1);
    assert_same_items(&before, &snapshot(&deps.store).await);
}

#[tokio::test]
async fn rejection_sends_approval_rejected() {
    let deps = awaiting(Recorder::default()).await;
    let body = json!({"decision": "reject", "approver": "grace", "comment": "too big"});
    assert_eq!(decide(&deps, "ord-9", &body).await.0, 200);
    assert_eq!(
        deps.callbacks.calls(),
        [Call::Failure {
            token: TOKEN.into(),
            error: "ApprovalRejected".into(),
            cause: json!({"approved": false, "approver": "grace", "comment": "too big"})
        }]
    );
    assert_eq!(get_s(&order_item(&deps).await, "status"), Some("REJECTED"));
}

/// Needs DynamoDB's isolation of conditional writes, which moto_server (threaded, no
/// locking) does not give: run against DynamoDB Local with
/// `AWS_ENDPOINT_URL_DYNAMODB=http://127.0.0.1:8000 cargo test -- --ignored`.
#[ignore = "needs DynamoDB Local (moto does not isolate concurrent conditional writes)"]
#[tokio::test]
async fn concurrent_decisions_send_one_callback() {
    let deps = std::sync::Arc::new(awaiting(Recorder::default()).await);
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..6 {
        let deps = deps.clone();
        let body = json!({"decision": if i % 2 == 0 { "approve" } else { "reject" }, "approver": format!("p{i}")});
        tasks.spawn(async move { decide(&deps, "ord-9", &body).await.0 });
    }
    let mut statuses = tasks.join_all().await;
    statuses.sort_unstable();
    assert_eq!(statuses, [200, 409, 409, 409, 409, 409]);
    assert_eq!(deps.callbacks.calls().len(), 1);
}

#[tokio::test]
async fn an_expired_task_is_410() {
    let deps = awaiting(Recorder::answering(CallbackError::Expired(
        "TaskTimedOut".into(),
    )))
    .await;
    let (status, body) = decide(&deps, "ord-9", &approve()).await;
    assert_eq!(
        (status, body["error"].clone()),
        (410, json!("ApprovalExpired"))
    );
    // The token is spent: a second try does not call Step Functions again.
    assert_eq!(decide(&deps, "ord-9", &approve()).await.0, 409);
    assert_eq!(deps.callbacks.calls().len(), 1);
}

#[tokio::test]
async fn a_failed_callback_restores_the_token() {
    let failing = awaiting(Recorder::answering(CallbackError::Failed(
        "Throttling".into(),
    )))
    .await;
    let (status, body) = decide(&failing, "ord-9", &approve()).await;
    assert_eq!(
        (status, body["error"].clone()),
        (500, json!("CallbackFailed"))
    );
    let item = order_item(&failing).await;
    assert_eq!(get_s(&item, "taskToken"), Some(TOKEN));
    assert_eq!(get_s(&item, "status"), Some("AWAITING_APPROVAL"));

    let retry = Deps {
        store: failing.store.clone(),
        callbacks: Recorder::default(),
    };
    assert_eq!(decide(&retry, "ord-9", &approve()).await.0, 200);
    assert_eq!(retry.callbacks.calls().len(), 1);
}

#[tokio::test]
async fn unknown_orders_are_404_and_orders_not_awaiting_are_409() {
    let deps = awaiting(Recorder::default()).await;
    let (status, body) = decide(&deps, "ord-404", &approve()).await;
    assert_eq!(
        (status, body["error"].clone()),
        (404, json!("OrderNotFound"))
    );

    let store = &deps.store;
    let other = shared::order::Order::parse(&json!({"orderId": "ord-small", "customerId": "c",
        "items": [{"sku": "S", "quantity": 1, "unitPriceCents": 1}],
        "payment": {"method": "card", "token": "t"},
        "shipping": {"email": "a@b", "country": "GB"}}))
    .unwrap_or_else(|v| panic!("{v}"));
    assert_eq!(
        orders::put_validated(store, &other, &other.hash(), 1)
            .await
            .ok(),
        Some(true)
    );
    let (status, body) = decide(&deps, "ord-small", &approve()).await;
    assert_eq!(
        (status, body["error"].clone()),
        (409, json!("NotAwaitingApproval"))
    );
    assert!(deps.callbacks.calls().is_empty());
}

#[tokio::test]
async fn bad_bodies_and_paths_are_400_without_effects() {
    let deps = awaiting(Recorder::default()).await;
    let before = snapshot(&deps.store).await;
    for body in [
        json!(null),
        json!([]),
        json!({}),
        json!({"decision": "maybe", "approver": "grace"}),
        json!({"decision": true, "approver": "grace"}),
        json!({"decision": "approve"}),
        json!({"decision": "approve", "approver": ""}),
        json!({"decision": "approve", "approver": 7}),
        json!({"decision": "approve", "approver": "g", "comment": ["x"]}),
    ] {
        let (status, answer) = decide(&deps, "ord-9", &body).await;
        assert_eq!(
            (status, answer["error"].clone()),
            (400, json!("InvalidRequest")),
            "{body}"
        );
    }
    let mut bad_json = post("ord-9", &approve());
    bad_json["body"] = json!("{not json");
    let mut bad_path = post("ord-9", &approve());
    bad_path["pathParameters"] = json!({"orderId": "../x"});
    for request in [bad_json, bad_path] {
        let status = handle(&deps, request).await.map(|r| r.status_code).ok();
        assert_eq!(status, Some(400));
    }
    for payload in [json!(null), json!(1), json!({"decision": "approve"})] {
        let error = handle(&deps, payload).await.err().map(|e| e.error_name());
        assert_eq!(error, Some("InvalidRequest"));
    }
    assert!(deps.callbacks.calls().is_empty());
    assert_same_items(&before, &snapshot(&deps.store).await);
}

/// Every one-place mutation of a valid request (envelope and body): an HTTP answer of the
/// contract, or `InvalidRequest` for a non-HTTP event; never a panic or a 500.
#[tokio::test]
async fn any_request_gives_a_contract_answer() {
    use shared::test_support::mutations;
    let deps = awaiting(Recorder::default()).await;
    let allowed = [200, 400, 404, 409];
    for payload in mutations(&post("ord-9", &approve())) {
        match handle(&deps, payload.clone()).await {
            Ok(r) => assert!(allowed.contains(&r.status_code), "{payload}: {r:?}"),
            Err(e) => assert_eq!(e.error_name(), "InvalidRequest", "{payload}"),
        }
    }
    for body in mutations(&approve()) {
        let (status, answer) = decide(&deps, "ord-9", &body).await;
        assert!(allowed.contains(&status), "{body}: {status} {answer}");
    }
    // At most one decision reached Step Functions.
    assert!(deps.callbacks.calls().len() <= 1);
}

#[tokio::test]
async fn an_unreachable_store_is_a_500_and_sends_nothing() {
    let deps = Deps {
        store: shared::test_support::unreachable_deps(),
        callbacks: Recorder::default(),
    };
    let (status, body) = decide(&deps, "ord-9", &approve()).await;
    assert_eq!(
        (status, body["error"].clone()),
        (500, json!("StoreUnavailable"))
    );
    assert!(deps.callbacks.calls().is_empty());
}
