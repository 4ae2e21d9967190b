//! `sfn-local serve` through the real aws-sdk-sfn client on loopback.

mod serve_common;

use aws_sdk_sfn::types::{ExecutionStatus, HistoryEventType};
use serve_common::{
    code, create, doubling, lambdas, start, start_execution, start_holding, until_ended,
    validation_report, waiting,
};
use sfn_json::{Value, json};

#[tokio::test]
async fn an_execution_runs_to_success_with_its_history() {
    let (lambdas, _) = lambdas();
    let server = start(lambdas);
    let client = server.client().await;
    let machine = create(&client, "Doubler", &doubling()).await;
    assert_eq!(
        machine,
        "arn:aws:states:us-east-1:123456789012:stateMachine:Doubler"
    );

    let execution = start_execution(&client, &machine, "first", r#"{"n": 21}"#).await;
    assert_eq!(
        execution,
        "arn:aws:states:us-east-1:123456789012:execution:Doubler:first"
    );
    let described = until_ended(&client, &execution).await;
    assert_eq!(described.status, ExecutionStatus::Succeeded);
    let output: Value =
        serde_json::from_str(described.output.as_deref().unwrap_or_default()).unwrap_or_default();
    assert_eq!(output, json!({"n": 42}));
    assert_eq!(described.input.as_deref(), Some(r#"{"n": 21}"#));
    assert_eq!(described.state_machine_arn, machine);
    let (start_date, stop_date) = (described.start_date, described.stop_date);
    assert!(stop_date.is_some_and(|stop| stop >= start_date));

    let history = client
        .get_execution_history()
        .execution_arn(&execution)
        .send()
        .await
        .unwrap_or_else(|e| panic!("history: {e:?}"));
    let kinds: Vec<_> = history.events.iter().map(|e| e.r#type.clone()).collect();
    assert_eq!(
        kinds,
        [
            HistoryEventType::ExecutionStarted,
            HistoryEventType::PassStateEntered,
            HistoryEventType::PassStateExited,
            HistoryEventType::TaskStateEntered,
            HistoryEventType::LambdaFunctionScheduled,
            HistoryEventType::LambdaFunctionStarted,
            HistoryEventType::LambdaFunctionSucceeded,
            HistoryEventType::TaskStateExited,
            HistoryEventType::ExecutionSucceeded,
        ]
    );
    let ids: Vec<i64> = history.events.iter().map(|e| e.id).collect();
    assert_eq!(ids, (1..=9).collect::<Vec<i64>>());
    let previous: Vec<i64> = history.events.iter().map(|e| e.previous_event_id).collect();
    assert_eq!(previous, (0..=8).collect::<Vec<i64>>());
    let entered = history
        .events
        .get(1)
        .and_then(|e| e.state_entered_event_details());
    assert_eq!(entered.map(|d| d.name()), Some("Prepare"));
    let succeeded = history
        .events
        .last()
        .and_then(|e| e.execution_succeeded_event_details())
        .and_then(|d| d.output())
        .and_then(|o| serde_json::from_str::<Value>(o).ok());
    assert_eq!(succeeded, Some(json!({"n": 42})));

    // Reverse order, paged two at a time, without execution data.
    let page = client
        .get_execution_history()
        .execution_arn(&execution)
        .reverse_order(true)
        .max_results(2)
        .include_execution_data(false)
        .send()
        .await
        .unwrap_or_else(|e| panic!("history page: {e:?}"));
    let ids: Vec<i64> = page.events.iter().map(|e| e.id).collect();
    assert_eq!(ids, [9, 8]);
    let last = page
        .events
        .first()
        .and_then(|e| e.execution_succeeded_event_details());
    assert_eq!(last.and_then(|d| d.output()), None);
    let rest = client
        .get_execution_history()
        .execution_arn(&execution)
        .reverse_order(true)
        .max_results(100)
        .set_next_token(page.next_token)
        .send()
        .await
        .unwrap_or_else(|e| panic!("history rest: {e:?}"));
    let ids: Vec<i64> = rest.events.iter().map(|e| e.id).collect();
    assert_eq!(ids, (1..=7).rev().collect::<Vec<i64>>());
    assert_eq!(rest.next_token, None);

    let running = client
        .describe_state_machine_for_execution()
        .execution_arn(&execution)
        .send()
        .await
        .unwrap_or_else(|e| panic!("describe for execution: {e:?}"));
    assert_eq!(running.state_machine_arn, machine);
    assert_eq!(
        serde_json::from_str::<Value>(&running.definition).ok(),
        Some(doubling())
    );
}

#[tokio::test]
async fn definitions_are_validated_without_creating_them() {
    let (lambdas, _) = lambdas();
    let server = start(lambdas);
    let client = server.client().await;
    let broken = json!({"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "Nowhere"}}});
    let (result, locations) = validation_report(&client, &broken).await;
    assert_eq!(result, "FAIL");
    assert_eq!(
        locations,
        [(
            "SCHEMA_VALIDATION_FAILED".to_owned(),
            Some("/States/A/Next".to_owned())
        )]
    );
    // A JSONata fault inside a Parallel branch: AWS's code and the nested location.
    let nested = json!({"QueryLanguage": "JSONata", "StartAt": "P", "States": {"P": {
        "Type": "Parallel", "End": true, "Branches": [{"StartAt": "E", "States": {
            "E": {"Type": "Pass", "Output": {"v": "{% phone %}"}, "End": true}}}]}}});
    let (result, found) = validation_report(&client, &nested).await;
    assert_eq!(result, "FAIL");
    assert_eq!(
        found,
        [(
            "UNSUPPORTED_JSONATA_EXPRESSION".to_owned(),
            Some("/States/P/Branches[0]/States/E/Output/v".to_owned())
        )]
    );
    let fine = client
        .validate_state_machine_definition()
        .definition(doubling().to_string())
        .send()
        .await
        .unwrap_or_else(|e| panic!("validate: {e:?}"));
    assert_eq!(fine.result.as_str(), "OK");
    assert!(fine.diagnostics.is_empty());
    let listed = client
        .list_state_machines()
        .send()
        .await
        .unwrap_or_else(|e| panic!("list: {e:?}"));
    assert!(listed.state_machines.is_empty(), "nothing was created");
}

#[tokio::test]
async fn machines_are_created_listed_described_and_deleted() {
    let (lambdas, _) = lambdas();
    let server = start(lambdas);
    let client = server.client().await;
    let first = create(&client, "B", &doubling()).await;
    let again = create(&client, "B", &doubling()).await;
    assert_eq!(first, again, "same name and definition is idempotent");
    create(&client, "A", &waiting()).await;

    let different = client
        .create_state_machine()
        .name("B")
        .definition(waiting().to_string())
        .role_arn("arn:aws:iam::123456789012:role/test")
        .send()
        .await;
    assert_eq!(code(different), "StateMachineAlreadyExists");

    let listed = client
        .list_state_machines()
        .max_results(1)
        .send()
        .await
        .unwrap_or_else(|e| panic!("list: {e:?}"));
    let names: Vec<_> = listed
        .state_machines
        .iter()
        .map(|m| m.name.clone())
        .collect();
    assert_eq!(names, ["A"]);
    let rest = client
        .list_state_machines()
        .set_next_token(listed.next_token)
        .send()
        .await
        .unwrap_or_else(|e| panic!("list: {e:?}"));
    let names: Vec<_> = rest.state_machines.iter().map(|m| m.name.clone()).collect();
    assert_eq!(names, ["B"]);

    let described = client
        .describe_state_machine()
        .state_machine_arn(&first)
        .send()
        .await
        .unwrap_or_else(|e| panic!("describe: {e:?}"));
    assert_eq!(described.name, "B");
    assert_eq!(
        serde_json::from_str::<Value>(&described.definition).ok(),
        Some(doubling())
    );
    assert_eq!(described.role_arn, "arn:aws:iam::123456789012:role/test");
    assert_eq!(described.r#type.as_str(), "STANDARD");

    client
        .delete_state_machine()
        .state_machine_arn(&first)
        .send()
        .await
        .unwrap_or_else(|e| panic!("delete: {e:?}"));
    let gone = client
        .describe_state_machine()
        .state_machine_arn(&first)
        .send()
        .await;
    assert_eq!(code(gone), "StateMachineDoesNotExist");
}

#[tokio::test]
async fn invalid_requests_get_aws_error_codes() {
    let (lambdas, _) = lambdas();
    let server = start(lambdas);
    let client = server.client().await;
    let broken = json!({"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "Nowhere"}}});
    let invalid = client
        .create_state_machine()
        .name("Broken")
        .definition(broken.to_string())
        .role_arn("arn:aws:iam::123456789012:role/test")
        .send()
        .await;
    let error = invalid.err().map(|e| e.into_service_error());
    assert_eq!(
        error.as_ref().map(|e| e.is_invalid_definition()),
        Some(true)
    );
    let message = error
        .as_ref()
        .and_then(|e| aws_sdk_sfn::error::ProvideErrorMetadata::message(e))
        .unwrap_or_default()
        .to_owned();
    assert!(message.contains("State 'A'"), "{message}");
    assert!(message.contains("Nowhere"), "{message}");

    let bad_name = client
        .create_state_machine()
        .name("has space")
        .definition(doubling().to_string())
        .role_arn("arn:aws:iam::123456789012:role/test")
        .send()
        .await;
    assert_eq!(code(bad_name), "InvalidName");
    let bad_json = client
        .create_state_machine()
        .name("NotJson")
        .definition("{")
        .role_arn("arn:aws:iam::123456789012:role/test")
        .send()
        .await;
    assert_eq!(code(bad_json), "InvalidDefinition");

    let machine = create(&client, "Doubler", &doubling()).await;
    let bad_input = client
        .start_execution()
        .state_machine_arn(&machine)
        .input("{not json")
        .send()
        .await;
    assert_eq!(code(bad_input), "InvalidExecutionInput");
    let missing = client
        .start_execution()
        .state_machine_arn("arn:aws:states:us-east-1:123456789012:stateMachine:Nope")
        .send()
        .await;
    assert_eq!(code(missing), "StateMachineDoesNotExist");
    let bad_arn = client
        .start_execution()
        .state_machine_arn("not-an-arn")
        .send()
        .await;
    assert_eq!(code(bad_arn), "InvalidArn");
    let no_execution = client
        .describe_execution()
        .execution_arn("arn:aws:states:us-east-1:123456789012:execution:Doubler:none")
        .send()
        .await;
    assert_eq!(code(no_execution), "ExecutionDoesNotExist");
    let bad_filter = client
        .list_executions()
        .state_machine_arn(&machine)
        .max_results(5000)
        .send()
        .await;
    assert_eq!(code(bad_filter), "ValidationException");
    let bad_token = client
        .list_state_machines()
        .next_token("garbage")
        .send()
        .await;
    assert_eq!(code(bad_token), "InvalidToken");
}

#[tokio::test]
async fn execution_names_are_idempotent_as_in_aws() {
    let (lambdas, mut tokens) = lambdas();
    let server = start(lambdas);
    let client = server.client().await;
    let machine = create(&client, "Approval", &waiting()).await;

    let started = client
        .start_execution()
        .state_machine_arn(&machine)
        .name("order-1")
        .input(r#"{"id": 1}"#)
        .send()
        .await
        .unwrap_or_else(|e| panic!("start: {e:?}"));
    let token = tokens.recv().await.unwrap_or_default();
    let repeated = client
        .start_execution()
        .state_machine_arn(&machine)
        .name("order-1")
        .input(r#"{"id": 1}"#)
        .send()
        .await
        .unwrap_or_else(|e| panic!("repeat: {e:?}"));
    assert_eq!(repeated.execution_arn, started.execution_arn);
    assert_eq!(repeated.start_date, started.start_date);
    let other_input = client
        .start_execution()
        .state_machine_arn(&machine)
        .name("order-1")
        .input(r#"{"id": 2}"#)
        .send()
        .await;
    assert_eq!(code(other_input), "ExecutionAlreadyExists");

    let running = client
        .list_executions()
        .state_machine_arn(&machine)
        .status_filter(ExecutionStatus::Running)
        .send()
        .await
        .unwrap_or_else(|e| panic!("list: {e:?}"));
    assert_eq!(running.executions.len(), 1);

    client
        .send_task_success()
        .task_token(&token)
        .output(r#""approved""#)
        .send()
        .await
        .unwrap_or_else(|e| panic!("success: {e:?}"));
    let ended = until_ended(&client, &started.execution_arn).await;
    assert_eq!(ended.status, ExecutionStatus::Succeeded);
    let after = client
        .start_execution()
        .state_machine_arn(&machine)
        .name("order-1")
        .input(r#"{"id": 1}"#)
        .send()
        .await;
    assert_eq!(code(after), "ExecutionAlreadyExists");

    let listed = client
        .list_executions()
        .state_machine_arn(&machine)
        .status_filter(ExecutionStatus::Succeeded)
        .send()
        .await
        .unwrap_or_else(|e| panic!("list: {e:?}"));
    let names: Vec<_> = listed.executions.iter().map(|e| e.name.clone()).collect();
    assert_eq!(names, ["order-1"]);
}

#[tokio::test]
async fn task_tokens_are_answered_through_the_api() {
    let (lambdas, mut tokens) = lambdas();
    let server = start(lambdas);
    let client = server.client().await;
    let machine = create(&client, "Approval", &waiting()).await;

    let approved = start_execution(&client, &machine, "approved", "{}").await;
    let token = tokens.recv().await.unwrap_or_default();
    client
        .send_task_heartbeat()
        .task_token(&token)
        .send()
        .await
        .unwrap_or_else(|e| panic!("heartbeat: {e:?}"));
    let not_json = client
        .send_task_success()
        .task_token(&token)
        .output("{oops")
        .send()
        .await;
    assert_eq!(code(not_json), "InvalidOutput");
    client
        .send_task_success()
        .task_token(&token)
        .output(r#"{"approved": true}"#)
        .send()
        .await
        .unwrap_or_else(|e| panic!("success: {e:?}"));
    let ended = until_ended(&client, &approved).await;
    assert_eq!(ended.status, ExecutionStatus::Succeeded);
    let output: Value =
        serde_json::from_str(ended.output.as_deref().unwrap_or_default()).unwrap_or_default();
    assert_eq!(output, json!({"approved": true}));
    let used = client
        .send_task_success()
        .task_token(&token)
        .output("{}")
        .send()
        .await;
    assert_eq!(code(used), "TaskDoesNotExist");

    let rejected = start_execution(&client, &machine, "rejected", "{}").await;
    let token = tokens.recv().await.unwrap_or_default();
    client
        .send_task_failure()
        .task_token(&token)
        .error("Rejected")
        .cause("a person said no")
        .send()
        .await
        .unwrap_or_else(|e| panic!("failure: {e:?}"));
    let ended = until_ended(&client, &rejected).await;
    assert_eq!(ended.status, ExecutionStatus::Failed);
    assert_eq!(ended.error.as_deref(), Some("Rejected"));
    assert_eq!(ended.cause.as_deref(), Some("a person said no"));

    let unknown = client
        .send_task_heartbeat()
        .task_token("0123456789abcdef0123456789abcdef")
        .send()
        .await;
    assert_eq!(code(unknown), "TaskDoesNotExist");
    let empty = client.send_task_failure().task_token("").send().await;
    assert_eq!(code(empty), "InvalidToken");
    let malformed = client.send_task_heartbeat().task_token("abc").send().await;
    assert_eq!(code(malformed), "InvalidToken");
}

#[tokio::test]
async fn answering_a_timed_out_task_is_task_timed_out() {
    let (lambdas, mut tokens) = lambdas();
    // Without the hold, the virtual clock runs past HeartbeatSeconds as soon as all is idle.
    let server = start_holding(lambdas, false);
    let client = server.client().await;
    let machine = create(&client, "Approval", &waiting()).await;
    let execution = start_execution(&client, &machine, "late", "{}").await;
    let token = tokens.recv().await.unwrap_or_default();
    let ended = until_ended(&client, &execution).await;
    assert_eq!(ended.status, ExecutionStatus::Failed);
    assert_eq!(ended.error.as_deref(), Some("States.HeartbeatTimeout"));
    let late = client
        .send_task_success()
        .task_token(&token)
        .output("{}")
        .send()
        .await;
    assert_eq!(code(late), "TaskTimedOut");
}

#[tokio::test]
async fn stop_execution_aborts_with_an_event() {
    let (lambdas, mut tokens) = lambdas();
    let server = start(lambdas);
    let client = server.client().await;
    let machine = create(&client, "Approval", &waiting()).await;
    let execution = start_execution(&client, &machine, "stopped", "{}").await;
    let _token = tokens.recv().await;

    let stopped = client
        .stop_execution()
        .execution_arn(&execution)
        .error("Operator")
        .cause("cancelled by a test")
        .send()
        .await
        .unwrap_or_else(|e| panic!("stop: {e:?}"));
    let described = until_ended(&client, &execution).await;
    assert_eq!(described.status, ExecutionStatus::Aborted);
    assert_eq!(described.stop_date, Some(stopped.stop_date));
    assert_eq!(described.error.as_deref(), Some("Operator"));

    let history = client
        .get_execution_history()
        .execution_arn(&execution)
        .send()
        .await
        .unwrap_or_else(|e| panic!("history: {e:?}"));
    let last = history.events.last();
    assert_eq!(
        last.map(|e| e.r#type.clone()),
        Some(HistoryEventType::ExecutionAborted)
    );
    let previous = history.events.iter().rev().nth(1).map(|e| e.id);
    assert_eq!(last.map(|e| e.previous_event_id), previous);
    let details = last.and_then(|e| e.execution_aborted_event_details());
    assert_eq!(details.and_then(|d| d.cause()), Some("cancelled by a test"));

    // Stopping an ended execution succeeds and changes nothing (as AWS).
    let again = client
        .stop_execution()
        .execution_arn(&execution)
        .send()
        .await
        .unwrap_or_else(|e| panic!("stop again: {e:?}"));
    assert_eq!(again.stop_date, stopped.stop_date);
    let aborted = client
        .list_executions()
        .state_machine_arn(&machine)
        .status_filter(ExecutionStatus::Aborted)
        .send()
        .await
        .unwrap_or_else(|e| panic!("list: {e:?}"));
    assert_eq!(aborted.executions.len(), 1);
}

#[tokio::test]
async fn raw_json_1_0_framing_errors() {
    let (lambdas, _) = lambdas();
    let server = start(lambdas);
    let http = reqwest::Client::new();
    let call = |target: &'static str, body: &'static str| {
        http.post(server.url())
            .header("X-Amz-Target", target)
            .header("Content-Type", "application/x-amz-json-1.0")
            .body(body)
            .send()
    };
    let cases = [
        (
            "AWSStepFunctions.TagResource",
            "{}",
            "UnknownOperationException",
        ),
        ("Other.Thing", "{}", "UnknownOperationException"),
        (
            "AWSStepFunctions.ListStateMachines",
            "{",
            "SerializationException",
        ),
        (
            "AWSStepFunctions.DescribeExecution",
            "{}",
            "ValidationException",
        ),
        (
            "AWSStepFunctions.StartExecution",
            r#"{"stateMachineArn": 5}"#,
            "SerializationException",
        ),
    ];
    for (target, body, expected) in cases {
        let response = call(target, body)
            .await
            .unwrap_or_else(|e| panic!("{target}: {e}"));
        assert_eq!(response.status().as_u16(), 400, "{target}");
        let header = response.headers().get("x-amzn-errortype").cloned();
        assert_eq!(
            header.as_ref().and_then(|h| h.to_str().ok()),
            Some(expected)
        );
        let body: Value = response.json().await.unwrap_or_default();
        assert_eq!(body["__type"], expected, "{target} {body}");
        assert!(body["message"].is_string());
    }
    let listed: Value = call("AWSStepFunctions.ListStateMachines", "{}")
        .await
        .unwrap_or_else(|e| panic!("list: {e}"))
        .json()
        .await
        .unwrap_or_default();
    assert_eq!(listed, json!({"stateMachines": []}));
}

#[tokio::test]
async fn executions_outlive_their_deleted_state_machine() {
    let (lambdas, mut tokens) = lambdas();
    let server = start(lambdas);
    let client = server.client().await;
    let machine = create(&client, "Approval", &waiting()).await;
    let execution = start_execution(&client, &machine, "kept", "{}").await;
    let token = tokens.recv().await.unwrap_or_default();
    client
        .delete_state_machine()
        .state_machine_arn(&machine)
        .send()
        .await
        .unwrap_or_else(|e| panic!("delete: {e:?}"));
    let again = client
        .delete_state_machine()
        .state_machine_arn(&machine)
        .send()
        .await;
    assert!(
        again.is_ok(),
        "deleting an unknown machine succeeds, as in AWS"
    );
    let restart = client
        .start_execution()
        .state_machine_arn(&machine)
        .send()
        .await;
    assert_eq!(code(restart), "StateMachineDoesNotExist");
    client
        .send_task_success()
        .task_token(&token)
        .output("{}")
        .send()
        .await
        .unwrap_or_else(|e| panic!("success: {e:?}"));
    let ended = until_ended(&client, &execution).await;
    assert_eq!(ended.status, ExecutionStatus::Succeeded);
    let definition = client
        .describe_state_machine_for_execution()
        .execution_arn(&execution)
        .send()
        .await
        .unwrap_or_else(|e| panic!("describe for execution: {e:?}"));
    assert_eq!(definition.name, "Approval");
}
