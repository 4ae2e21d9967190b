//! submit-order: the DynamoDB side against a real local DynamoDB, Step Functions through an
//! in-test implementation that behaves like StartExecution/DescribeExecution.

use serde_json::{Value, json};
use shared::ErrorName;
use shared::aws_lambda_events::apigw::ApiGatewayV2httpResponse;
use shared::aws_lambda_events::encodings::Body;
use shared::db::{get_s, orders};
use shared::test_support::{assert_same_items, fresh_deps, snapshot};
use std::collections::HashMap;
use std::sync::Mutex;
use submit_order::{Deps, ExecutionError, ExecutionStarter, handle};

/// Executions by name, like Step Functions: the same name and input while RUNNING gives
/// the same ARN; otherwise an existing name is ExecutionAlreadyExists.
#[derive(Default)]
struct FakeExecutions {
    executions: Mutex<HashMap<String, (String, String)>>,
    starts: Mutex<Vec<(String, String)>>,
    unavailable: bool,
}

impl FakeExecutions {
    fn finish(&self, name: &str, status: &str) {
        if let Some(execution) = self.lock().get_mut(name) {
            execution.1 = status.to_string();
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, (String, String)>> {
        self.executions.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn starts(&self) -> Vec<(String, String)> {
        self.starts
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }
}

fn arn(name: &str) -> String {
    format!("arn:aws:states:us-east-1:123456789012:execution:OrderFulfillment:{name}")
}

impl ExecutionStarter for FakeExecutions {
    async fn start(&self, name: &str, input: &str) -> Result<String, ExecutionError> {
        self.starts
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push((name.to_string(), input.to_string()));
        if self.unavailable {
            return Err(ExecutionError::Failed("ServiceUnavailable".into()));
        }
        let mut executions = self.lock();
        match executions.get(name) {
            Some((existing, status)) if existing == input && status == "RUNNING" => Ok(arn(name)),
            Some(_) => Err(ExecutionError::AlreadyExists(name.to_string())),
            None => {
                executions.insert(name.to_string(), (input.to_string(), "RUNNING".into()));
                Ok(arn(name))
            }
        }
    }

    async fn status(&self, execution_arn: &str) -> Result<String, ExecutionError> {
        self.lock()
            .iter()
            .find(|(name, _)| arn(name) == execution_arn)
            .map(|(_, (_, status))| status.clone())
            .ok_or_else(|| ExecutionError::Failed("ExecutionDoesNotExist".into()))
    }
}

async fn deps(executions: FakeExecutions) -> Deps<FakeExecutions> {
    Deps {
        store: fresh_deps().await,
        executions,
    }
}

fn order(order_id: &str) -> Value {
    json!({"orderId": order_id, "customerId": "cust-42",
        "items": [{"sku": "SKU-APPLE", "quantity": 2, "unitPriceCents": 150}],
        "payment": {"method": "card", "token": "tok_visa"},
        "shipping": {"name": "Ada Lovelace", "email": "ada@example.com", "line1": "1 Main St",
            "city": "London", "postalCode": "N1 9GU", "country": "GB", "speed": "standard"}})
}

fn post(body: &str) -> Value {
    json!({"version": "2.0", "routeKey": "POST /orders", "rawPath": "/orders",
        "headers": {"content-type": "application/json"},
        "requestContext": {"http": {"method": "POST", "path": "/orders"}, "requestId": "r-1"},
        "body": body, "isBase64Encoded": false})
}

async fn submit(deps: &Deps<FakeExecutions>, body: &str) -> (i64, Value) {
    match handle(deps, post(body)).await {
        Ok(response) => (response.status_code, body_of(&response)),
        Err(e) => panic!("HTTP requests are answered, got {e}"),
    }
}

fn body_of(response: &ApiGatewayV2httpResponse) -> Value {
    match &response.body {
        Some(Body::Text(text)) => serde_json::from_str(text).unwrap_or(Value::Null),
        _ => Value::Null,
    }
}

#[tokio::test]
async fn a_new_order_is_stored_and_started_with_its_id_as_name() {
    let deps = deps(FakeExecutions::default()).await;
    let (status, body) = submit(&deps, &order("ord-1001").to_string()).await;
    assert_eq!(status, 202, "{body}");
    assert_eq!(
        body,
        json!({"orderId": "ord-1001", "executionArn": arn("ord-1001")})
    );

    let starts = deps.executions.starts();
    assert_eq!(starts.len(), 1);
    assert_eq!(starts[0].0, "ord-1001");
    let input: Value = serde_json::from_str(&starts[0].1).unwrap_or(Value::Null);
    assert_eq!(input["items"], order("ord-1001")["items"]);

    let stored = orders::get(&deps.store, "ord-1001").await.ok().flatten();
    let stored = stored.unwrap_or_default();
    assert_eq!(get_s(&stored, "status"), Some("RECEIVED"));
    assert_eq!(
        get_s(&stored, "executionArn"),
        Some(arn("ord-1001").as_str())
    );
    assert_eq!(get_s(&stored, "orderHash").map(str::len), Some(64));
}

#[tokio::test]
async fn an_identical_resubmission_while_running_gets_the_same_arn() {
    let deps = deps(FakeExecutions::default()).await;
    let first = submit(&deps, &order("ord-1").to_string()).await;
    // Same content, other key order and spacing: the same order.
    let mut reordered = serde_json::Map::new();
    if let Value::Object(fields) = order("ord-1") {
        for (key, value) in fields.into_iter().rev() {
            reordered.insert(key, value);
        }
    }
    let second = submit(
        &deps,
        &serde_json::to_string_pretty(&reordered).unwrap_or_default(),
    )
    .await;
    assert_eq!(first, second);
    assert_eq!(second.0, 202);
}

#[tokio::test]
async fn a_finished_order_cannot_be_submitted_again() {
    let deps = deps(FakeExecutions::default()).await;
    assert_eq!(submit(&deps, &order("ord-1").to_string()).await.0, 202);
    deps.executions.finish("ord-1", "SUCCEEDED");
    let (status, body) = submit(&deps, &order("ord-1").to_string()).await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(body["error"], "OrderAlreadyProcessed");
}

#[tokio::test]
async fn a_different_order_with_a_used_id_is_a_conflict() {
    let deps = deps(FakeExecutions::default()).await;
    assert_eq!(submit(&deps, &order("ord-1").to_string()).await.0, 202);
    let before = snapshot(&deps.store).await;
    let mut other = order("ord-1");
    other["items"][0]["quantity"] = json!(3);
    let (status, body) = submit(&deps, &other.to_string()).await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(body["error"], "OrderConflict");
    assert_same_items(&before, &snapshot(&deps.store).await);
    assert_eq!(deps.executions.starts().len(), 1);
}

#[tokio::test]
async fn a_failed_start_is_a_500_and_the_resubmission_starts_it() {
    let failing = deps(FakeExecutions {
        unavailable: true,
        ..FakeExecutions::default()
    })
    .await;
    let (status, body) = submit(&failing, &order("ord-1").to_string()).await;
    assert_eq!(
        (status, body["error"].clone()),
        (500, json!("StartExecutionFailed"))
    );

    let working = Deps {
        store: failing.store.clone(),
        executions: FakeExecutions::default(),
    };
    let (status, body) = submit(&working, &order("ord-1").to_string()).await;
    assert_eq!(status, 202, "{body}");
    assert_eq!(body["executionArn"], json!(arn("ord-1")));
}

#[tokio::test]
async fn invalid_orders_are_400_with_every_violation_and_no_write() {
    let deps = deps(FakeExecutions::default()).await;
    let mut bad = order("ord 1");
    bad["items"][0]["quantity"] = json!(u64::MAX);
    bad["items"][0]["unitPriceCents"] = json!(-1);
    bad["shipping"]["email"] = json!("no-at-sign");
    let (status, body) = submit(&deps, &bad.to_string()).await;
    assert_eq!(status, 400);
    assert_eq!(body["error"], "InvalidOrder");
    assert_eq!(
        body["violations"].as_array().map(Vec::len),
        Some(4),
        "{body}"
    );

    let mut empty = order("ord-2");
    empty["items"] = json!([]);
    for body in [
        empty.to_string(),
        "null".into(),
        "[]".into(),
        "\"x\"".into(),
    ] {
        let (status, answer) = submit(&deps, &body).await;
        assert_eq!(
            (status, answer["error"].clone()),
            (400, json!("InvalidOrder")),
            "{body}"
        );
    }
    for body in ["", "{", "{\"orderId\": }", "not json"] {
        let (status, answer) = submit(&deps, body).await;
        assert_eq!(
            (status, answer["error"].clone()),
            (400, json!("InvalidJson")),
            "{body}"
        );
    }
    assert!(snapshot(&deps.store).await.is_empty());
    assert!(deps.executions.starts().is_empty());
}

#[tokio::test]
async fn base64_bodies_are_decoded() {
    let deps = deps(FakeExecutions::default()).await;
    let mut request = post("");
    request["body"] = json!("eyJvcmRlcklkIjoib3JkLTEifQ=="); // {"orderId":"ord-1"}
    request["isBase64Encoded"] = json!(true);
    let response = handle(&deps, request)
        .await
        .map(|r| (r.status_code, body_of(&r)));
    let (status, body) = response.unwrap_or((0, Value::Null));
    // Decoded, parsed, and refused for the missing fields (not for bad JSON).
    assert_eq!(
        (status, body["error"].clone()),
        (400, json!("InvalidOrder"))
    );
}

#[tokio::test]
async fn non_http_events_are_invalid_requests() {
    let deps = deps(FakeExecutions::default()).await;
    for payload in [
        json!(null),
        json!([]),
        json!("x"),
        order("ord-1"),
        json!({"body": 1}),
    ] {
        let error = handle(&deps, payload.clone()).await.err();
        assert_eq!(
            error.map(|e| e.error_name()),
            Some("InvalidRequest"),
            "{payload}"
        );
    }
    assert!(snapshot(&deps.store).await.is_empty());
}

/// Every one-place mutation of a valid request (envelope and order): an HTTP answer of the
/// contract, or `InvalidRequest` for a non-HTTP event; never a panic or a 500.
#[tokio::test]
async fn any_request_gives_a_contract_answer() {
    use shared::test_support::mutations;
    let deps = deps(FakeExecutions::default()).await;
    for payload in mutations(&post(&order("ord-1").to_string())) {
        match handle(&deps, payload.clone()).await {
            Ok(r) => assert!([202, 400, 409].contains(&r.status_code), "{payload}: {r:?}"),
            Err(e) => assert_eq!(e.error_name(), "InvalidRequest", "{payload}"),
        }
    }
    for body in mutations(&order("ord-2")) {
        let (status, answer) = submit(&deps, &body.to_string()).await;
        assert!(
            [202, 400, 409].contains(&status),
            "{body}: {status} {answer}"
        );
    }
}

#[tokio::test]
async fn an_unreachable_store_is_a_500_and_starts_nothing() {
    let deps = Deps {
        store: shared::test_support::unreachable_deps(),
        executions: FakeExecutions::default(),
    };
    let (status, body) = submit(&deps, &order("ord-1").to_string()).await;
    assert_eq!(
        (status, body["error"].clone()),
        (500, json!("StoreUnavailable"))
    );
    assert!(deps.executions.starts().is_empty());
}
