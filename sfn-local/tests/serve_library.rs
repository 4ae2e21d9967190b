//! The `sfn_local::serve::Service` library API other crates drive directly.

mod serve_common;

use std::sync::{Arc, Mutex};

use serve_common::{code, doubling, lambdas, start, waiting};
use sfn_json::json;
use sfn_local::history::EventObserver;
use sfn_local::serve::{ApiError, Service};
use sfn_local::{ExecutionOptions, Status, parse_definition};

fn parsed(definition: &sfn_json::Value) -> Arc<sfn_local::StateMachine> {
    Arc::new(parse_definition(&definition.to_string()).unwrap_or_else(|e| panic!("{e}")))
}

#[tokio::test(start_paused = true)]
async fn executions_started_in_process_end_with_their_history() {
    let (lambdas, _) = lambdas();
    let service = Service::new(sfn_local::Engine::new(Arc::new(lambdas)));
    let machine = service
        .create_state_machine("Doubler", parsed(&doubling()), doubling().to_string())
        .unwrap_or_else(|e| panic!("create: {e}"));
    let seen = Arc::new(Mutex::new(Vec::new()));
    let sink = seen.clone();
    let execution = service
        .start_execution(&machine, Some("lib".into()), json!({"n": 4}))
        .unwrap_or_else(|e| panic!("start: {e}"));
    service.observe(
        &execution,
        EventObserver::new(move |e| {
            if let Ok(mut kinds) = sink.lock() {
                kinds.push(e.kind.clone());
            }
        }),
    );
    let outcome = service.wait_for_end(&execution).await;
    assert_eq!(outcome.as_ref().map(|o| o.status), Some(Status::Succeeded));
    assert_eq!(outcome.and_then(|o| o.output), Some(json!({"n": 8})));
    let history = service.history(&execution);
    assert_eq!(
        history.first().map(|e| e.kind.as_str()),
        Some("ExecutionStarted")
    );
    assert_eq!(
        history.last().map(|e| e.kind.as_str()),
        Some("ExecutionSucceeded")
    );
    let observed = seen.lock().map(|k| k.clone()).unwrap_or_default();
    let recorded: Vec<String> = history.iter().map(|e| e.kind.clone()).collect();
    assert_eq!(observed, recorded, "the observer sees past and live events");

    assert!(matches!(
        service.start_execution(&machine, Some("lib".into()), json!({"n": 4})),
        Err(ApiError::ExecutionAlreadyExists(_))
    ));
    assert!(matches!(
        service.create_state_machine("Doubler", parsed(&waiting()), waiting().to_string()),
        Err(ApiError::StateMachineAlreadyExists(_))
    ));
    assert_eq!(
        service.wait_for_end("no-such-arn").await.map(|o| o.status),
        None
    );
}

#[tokio::test]
async fn the_api_answers_tokens_of_executions_run_directly_on_the_engine() {
    let (lambdas, mut tokens) = lambdas();
    let server = start(lambdas);
    let client = server.client().await;
    let engine = server.service().engine().clone();
    // An execution outside the registry, on this test's own runtime.
    let direct = tokio::spawn(async move {
        engine
            .execute(parsed(&waiting()), json!({}), ExecutionOptions::default())
            .await
    });
    let token = tokens.recv().await.unwrap_or_default();
    client
        .send_task_success()
        .task_token(&token)
        .output(r#""done""#)
        .send()
        .await
        .unwrap_or_else(|e| panic!("success: {e:?}"));
    let outcome = direct.await.unwrap_or_else(|e| panic!("join: {e}"));
    assert_eq!(outcome.status, Status::Succeeded);
    assert_eq!(outcome.output, Some(json!("done")));
    let again = client
        .send_task_success()
        .task_token(&token)
        .output("{}")
        .send()
        .await;
    assert_eq!(code(again), "TaskDoesNotExist");
}

#[tokio::test(start_paused = true)]
async fn an_engine_panic_fails_the_execution_instead_of_leaving_it_running() {
    let mut lambdas = sfn_local::task::InProcessLambdas::new();
    lambdas.register("boom", |_event: sfn_json::Value| async move {
        if true {
            panic!("a handler bug");
        }
        Ok(json!({}))
    });
    let service = Service::new(sfn_local::Engine::new(Arc::new(lambdas)));
    let definition = json!({"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:boom", "End": true}}});
    let machine = service
        .create_state_machine("Boom", parsed(&definition), definition.to_string())
        .unwrap_or_else(|e| panic!("create: {e}"));
    let execution = service
        .start_execution(&machine, None, json!({}))
        .unwrap_or_else(|e| panic!("start: {e}"));
    let outcome = service.wait_for_end(&execution).await;
    assert_eq!(outcome.as_ref().map(|o| o.status), Some(Status::Failed));
    let outcome = outcome.unwrap_or_else(|| panic!("no outcome"));
    assert_eq!(outcome.error.as_deref(), Some("States.Runtime"));
    assert!(outcome.cause.unwrap_or_default().contains("panicked"));
}

#[tokio::test]
async fn dropping_a_background_server_stops_it_even_with_a_task_waiting() {
    let (lambdas, mut tokens) = lambdas();
    let server = start(lambdas);
    let client = server.client().await;
    let machine = serve_common::create(&client, "Approval", &waiting()).await;
    serve_common::start_execution(&client, &machine, "open", "{}").await;
    let _token = tokens.recv().await;
    let url = server.url();
    drop(server);
    let refused = reqwest::Client::new().post(url).body("{}").send().await;
    assert!(refused.is_err(), "the port is closed");
}
