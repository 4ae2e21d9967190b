//! A served engine on its own virtual-clock runtime, and an aws-sdk-sfn client pointed at it.
#![allow(dead_code)]

use std::sync::Arc;
use std::time::Duration;

use aws_config::BehaviorVersion;
use aws_sdk_sfn::Client;
use aws_sdk_sfn::config::Credentials;
use aws_sdk_sfn::error::ProvideErrorMetadata;
use aws_sdk_sfn::types::ExecutionStatus;
use sfn_json::{Value, json};
use sfn_local::Engine;
use sfn_local::serve::{Background, Service, spawn_server};
use sfn_local::task::InProcessLambdas;
use tokio::sync::mpsc;

/// A server on 127.0.0.1:0 with its own thread and paused (virtual) tokio clock, as
/// `sfn-local serve` runs; task tokens hold that clock while they wait for an answer.
pub fn start(lambdas: InProcessLambdas) -> Server {
    start_holding(lambdas, true)
}

/// As [`start`]; with `hold` off a waiting task times out as soon as the server is idle.
pub fn start_holding(lambdas: InProcessLambdas, hold: bool) -> Server {
    let engine = Engine::new(Arc::new(lambdas)).holding_clock_for_callbacks(hold);
    start_service(Service::new(engine))
}

/// `service` on its own thread and virtual clock.
pub fn start_service(service: Service) -> Server {
    let server =
        spawn_server(service, "127.0.0.1:0", true).unwrap_or_else(|e| panic!("serve: {e}"));
    Server(server)
}

pub struct Server(pub Background);

impl Server {
    pub fn url(&self) -> String {
        self.0.url()
    }

    pub fn service(&self) -> &Service {
        &self.0.service
    }

    pub async fn client(&self) -> Client {
        let config = aws_config::defaults(BehaviorVersion::latest())
            .endpoint_url(self.url())
            .region("us-east-1")
            .credentials_provider(Credentials::new("test", "test", None, None, "static"))
            .load()
            .await;
        Client::new(&config)
    }
}

/// In-process Lambdas: `double` ({"n"} → {"n": 2n}) and `ask`, which sends the task token of
/// its event (`token`) to the returned receiver.
pub fn lambdas() -> (InProcessLambdas, mpsc::UnboundedReceiver<String>) {
    let (tokens, received) = mpsc::unbounded_channel();
    let mut lambdas = InProcessLambdas::new();
    lambdas.register("double", |event: Value| async move {
        Ok(json!({"n": event["n"].as_i64().unwrap_or_default() * 2}))
    });
    lambdas.register("ask", move |event: Value| {
        if let Some(token) = event["token"].as_str() {
            let _ = tokens.send(token.to_owned());
        }
        async { Ok(json!({"asked": true})) }
    });
    (lambdas, received)
}

/// Pass, then a Lambda task.
pub fn doubling() -> Value {
    json!({
        "StartAt": "Prepare",
        "States": {
            "Prepare": {"Type": "Pass", "Parameters": {"n.$": "$.n"}, "Next": "Double"},
            "Double": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:double", "End": true}
        }
    })
}

/// One task that waits for its token (sent to `ask`).
pub fn waiting() -> Value {
    json!({
        "StartAt": "Approve",
        "States": {
            "Approve": {
                "Type": "Task",
                "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
                "Parameters": {"FunctionName": "ask", "Payload": {"token.$": "$$.Task.Token"}},
                "HeartbeatSeconds": 3600,
                "End": true
            }
        }
    })
}

pub async fn create(client: &Client, name: &str, definition: &Value) -> String {
    client
        .create_state_machine()
        .name(name)
        .definition(definition.to_string())
        .role_arn("arn:aws:iam::123456789012:role/test")
        .send()
        .await
        .unwrap_or_else(|e| panic!("create {name}: {e:?}"))
        .state_machine_arn
}

pub async fn start_execution(client: &Client, machine: &str, name: &str, input: &str) -> String {
    client
        .start_execution()
        .state_machine_arn(machine)
        .name(name)
        .input(input)
        .send()
        .await
        .unwrap_or_else(|e| panic!("start {name}: {e:?}"))
        .execution_arn
}

/// DescribeExecution until it is no longer RUNNING (bounded: the executions here end at once
/// on the virtual clock once answered).
pub async fn until_ended(
    client: &Client,
    execution: &str,
) -> aws_sdk_sfn::operation::describe_execution::DescribeExecutionOutput {
    for _ in 0..500 {
        let described = client
            .describe_execution()
            .execution_arn(execution)
            .send()
            .await
            .unwrap_or_else(|e| panic!("describe: {e:?}"));
        if described.status != ExecutionStatus::Running {
            return described;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("{execution} still RUNNING")
}

/// The service error code of an SDK call's error.
pub fn code<E, R>(result: Result<impl Sized, aws_sdk_sfn::error::SdkError<E, R>>) -> String
where
    E: ProvideErrorMetadata,
{
    match result {
        Ok(_) => "no error".to_owned(),
        Err(e) => e.code().unwrap_or("no code").to_owned(),
    }
}

/// ValidateStateMachineDefinition's result and its diagnostics as (code, location).
pub async fn validation_report(
    client: &Client,
    definition: &Value,
) -> (String, Vec<(String, Option<String>)>) {
    let report = client
        .validate_state_machine_definition()
        .definition(definition.to_string())
        .send()
        .await
        .unwrap_or_else(|e| panic!("validate: {e:?}"));
    let diagnostics = report
        .diagnostics
        .iter()
        .map(|d| (d.code.clone(), d.location.clone()))
        .collect();
    (report.result.as_str().to_owned(), diagnostics)
}
