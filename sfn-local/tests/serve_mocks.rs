//! Step Functions Local mocked responses through the API: `stateMachineArn#TestCase`, a default
//! test case, attempts counted per execution, task tokens of mocked executions.

mod serve_common;

use std::sync::Arc;

use aws_sdk_sfn::types::ExecutionStatus;
use serve_common::{code, create, lambdas, start_execution, start_service, until_ended};
use sfn_json::{Value, json};
use sfn_local::exec::Limits;
use sfn_local::serve::{Mocks, Service};
use sfn_local::task::{InProcessLambdas, MockConfig};

/// Charge (mocked by the test case), then a task that waits for its token (not mocked).
fn orders() -> Value {
    json!({
        "StartAt": "Charge",
        "States": {
            "Charge": {
                "Type": "Task",
                "Resource": "arn:aws:lambda:us-east-1:123456789012:function:charge",
                "ResultPath": "$.charge",
                "Next": "Approve"
            },
            "Approve": {
                "Type": "Task",
                "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
                "Parameters": {"FunctionName": "ask", "Payload": {"token.$": "$$.Task.Token"}},
                "ResultPath": "$.approval",
                "End": true
            }
        }
    })
}

/// Only attempt 0 of Charge is mocked: a second execution sharing the count would miss it.
fn config() -> MockConfig {
    let text = json!({
        "StateMachines": {"Orders": {"TestCases": {
            "Paid": {"Charge": "Charged"},
            "Declined": {"Charge": "Declined"}
        }}},
        "MockedResponses": {
            "Charged": {"0": {"Return": {"charged": 150}}},
            "Declined": {"0": {"Throw": {"Error": "PaymentDeclined", "Cause": "card refused"}}}
        }
    });
    MockConfig::parse(&text.to_string(), "MockConfigFile.json")
        .unwrap_or_else(|e| panic!("mock config: {e}"))
}

fn mocked_service(lambdas: InProcessLambdas, default_case: Option<&str>) -> Service {
    let invoker = Arc::new(lambdas);
    let engine = sfn_local::Engine::new(invoker.clone()).holding_clock_for_callbacks(true);
    Service::new(engine).with_mocks(Mocks {
        config: config(),
        default_case: default_case.map(str::to_owned),
        invoker,
        limits: Limits::default(),
        hold_clock: true,
    })
}

#[tokio::test]
async fn the_test_case_after_the_hash_answers_each_execution_from_attempt_zero() {
    let (lambdas, mut tokens) = lambdas();
    let server = start_service(mocked_service(lambdas, None));
    let client = server.client().await;
    let machine = create(&client, "Orders", &orders()).await;
    let paid = format!("{machine}#Paid");

    let first = start_execution(&client, &paid, "first", "{}").await;
    let first_token = tokens.recv().await.unwrap_or_default();
    let second = start_execution(&client, &paid, "second", "{}").await;
    let second_token = tokens.recv().await.unwrap_or_default();
    assert_eq!(
        first,
        "arn:aws:states:us-east-1:123456789012:execution:Orders:first"
    );
    // The waiting tasks run in the mocked executions' own engines; the API finds them.
    for token in [&first_token, &second_token] {
        client
            .send_task_success()
            .task_token(token)
            .output(r#""ok""#)
            .send()
            .await
            .unwrap_or_else(|e| panic!("success: {e:?}"));
    }
    for execution in [&first, &second] {
        let ended = until_ended(&client, execution).await;
        assert_eq!(ended.status, ExecutionStatus::Succeeded, "{execution}");
        let output: Value =
            serde_json::from_str(ended.output.as_deref().unwrap_or_default()).unwrap_or_default();
        assert_eq!(
            output,
            json!({"charge": {"charged": 150}, "approval": "ok"})
        );
    }

    let declined = start_execution(&client, &format!("{machine}#Declined"), "third", "{}").await;
    let ended = until_ended(&client, &declined).await;
    assert_eq!(ended.status, ExecutionStatus::Failed);
    assert_eq!(ended.error.as_deref(), Some("PaymentDeclined"));
    assert_eq!(ended.cause.as_deref(), Some("card refused"));

    let unknown = client
        .start_execution()
        .state_machine_arn(format!("{machine}#NoSuchCase"))
        .send()
        .await;
    assert_eq!(code(unknown), "ValidationException");
}

#[tokio::test]
async fn a_default_test_case_applies_without_a_hash() {
    let (lambdas, mut tokens) = lambdas();
    let server = start_service(mocked_service(lambdas, Some("Declined")));
    let client = server.client().await;
    let machine = create(&client, "Orders", &orders()).await;
    let declined = start_execution(&client, &machine, "default", "{}").await;
    let ended = until_ended(&client, &declined).await;
    assert_eq!(ended.error.as_deref(), Some("PaymentDeclined"));

    // A machine without the default case runs unmocked (`charge` is not registered here).
    let other = create(&client, "Other", &orders()).await;
    let unmocked = start_execution(&client, &other, "plain", "{}").await;
    let ended = until_ended(&client, &unmocked).await;
    assert_eq!(
        ended.error.as_deref(),
        Some("Lambda.ResourceNotFoundException")
    );
    assert!(tokens.try_recv().is_err(), "no task waited");
}

#[tokio::test]
async fn a_test_case_without_a_mock_configuration_is_refused() {
    let (lambdas, _) = lambdas();
    let server = serve_common::start(lambdas);
    let client = server.client().await;
    let machine = create(&client, "Orders", &orders()).await;
    let refused = client
        .start_execution()
        .state_machine_arn(format!("{machine}#Paid"))
        .send()
        .await;
    assert_eq!(code(refused), "ValidationException");
}
