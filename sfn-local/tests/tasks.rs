//! Task states with in-process Lambda handlers: retry/catch, the lambda:invoke result shape,
//! timeouts and heartbeats on the virtual clock, task tokens.

mod common;

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use sfn_json::{Value, json};
use sfn_local::Status;
use sfn_local::task::{FunctionError, InProcessLambdas};

use common::{engine, run};

fn invoke_task(function: &str, extra: Value) -> Value {
    let mut task = json!({
        "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
        "Parameters": {"FunctionName": function, "Payload.$": "$"},
        "End": true
    });
    if let (Value::Object(task), Value::Object(extra)) = (&mut task, extra) {
        task.extend(extra);
    }
    task
}

#[tokio::test(start_paused = true)]
async fn a_flaky_function_is_retried_until_it_succeeds() {
    let calls = Arc::new(AtomicU32::new(0));
    let counter = calls.clone();
    let mut lambdas = InProcessLambdas::new();
    lambdas.register("charge", move |event: Value| {
        let n = counter.fetch_add(1, Ordering::SeqCst);
        async move {
            if n < 2 {
                Err(FunctionError::new("PaymentGatewayUnavailable", "try later"))
            } else {
                Ok(json!({"charged": event["amount"]}))
            }
        }
    });
    let def = json!({"StartAt": "Charge", "States": {"Charge": invoke_task("charge", json!({
        "ResultSelector": {"result.$": "$.Payload"},
        "Retry": [{"ErrorEquals": ["PaymentGatewayUnavailable"], "IntervalSeconds": 30, "MaxAttempts": 2, "BackoffRate": 2}]
    }))}});
    let outcome = run(&engine(lambdas), &def, json!({"amount": 150})).await;
    assert_eq!(outcome.status, Status::Succeeded, "{outcome:?}");
    assert_eq!(outcome.output, Some(json!({"result": {"charged": 150}})));
    assert_eq!(calls.load(Ordering::SeqCst), 3);
}

#[tokio::test(start_paused = true)]
async fn a_function_error_is_caught_with_aws_error_and_cause() {
    let mut lambdas = InProcessLambdas::new();
    lambdas.register("reserve", |_event: Value| async {
        Err::<Value, _>(FunctionError::new("OutOfStock", "SKU-OUT has 0 units"))
    });
    let def = json!({"StartAt": "Reserve", "States": {
        "Reserve": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:reserve", "Next": "Done",
                    "Retry": [{"ErrorEquals": ["States.Timeout"]}],
                    "Catch": [{"ErrorEquals": ["OutOfStock"], "ResultPath": "$.error", "Next": "Compensate"}]},
        "Compensate": {"Type": "Pass", "End": true},
        "Done": {"Type": "Succeed"}
    }});
    let outcome = run(&engine(lambdas), &def, json!({"orderId": "o1"})).await;
    let output = outcome.output.unwrap_or_default();
    assert_eq!(output["orderId"], "o1");
    assert_eq!(output["error"]["Error"], "OutOfStock");
    let cause: Value = serde_json::from_str(output["error"]["Cause"].as_str().unwrap_or_default())
        .unwrap_or_default();
    assert_eq!(
        cause,
        json!({"errorMessage": "SKU-OUT has 0 units", "errorType": "OutOfStock"})
    );
}

#[tokio::test(start_paused = true)]
async fn an_uncaught_function_error_fails_the_execution() {
    let mut lambdas = InProcessLambdas::new();
    lambdas.register("f", |_event: Value| async {
        Err::<Value, _>(FunctionError::new("Broken", "no"))
    });
    let def = json!({"StartAt": "T", "States": {"T": invoke_task("f", json!({
        "Retry": [{"ErrorEquals": ["States.ALL"], "MaxAttempts": 0}]
    }))}});
    let outcome = run(&engine(lambdas), &def, json!({})).await;
    assert_eq!(outcome.error.as_deref(), Some("Broken"));
    let kinds: Vec<&str> = outcome.history.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(
        kinds,
        [
            "ExecutionStarted",
            "TaskStateEntered",
            "TaskScheduled",
            "TaskStarted",
            "TaskFailed",
            "ExecutionFailed"
        ]
    );
}

#[tokio::test(start_paused = true)]
async fn lambda_invoke_wraps_the_payload_like_aws() {
    let mut lambdas = InProcessLambdas::new();
    lambdas.register("echo", |event: Value| async move { Ok(event) });
    let def = json!({"StartAt": "T", "States": {"T": invoke_task("arn:aws:lambda:us-east-1:123456789012:function:echo", json!({}))}});
    let outcome = run(&engine(lambdas), &def, json!({"x": 1})).await;
    let output = outcome.output.unwrap_or_default();
    assert_eq!(output["Payload"], json!({"x": 1}));
    assert_eq!(output["StatusCode"], 200);
    assert_eq!(output["ExecutedVersion"], "$LATEST");
    assert_eq!(output["SdkHttpMetadata"]["HttpStatusCode"], 200);
}

#[tokio::test(start_paused = true)]
async fn a_slow_function_times_out_on_the_virtual_clock() {
    let mut lambdas = InProcessLambdas::new();
    lambdas.register("slow", |_event: Value| async {
        tokio::time::sleep(Duration::from_secs(600)).await;
        Ok(json!("late"))
    });
    let def = json!({"StartAt": "T", "States": {
        "T": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:1:function:slow", "TimeoutSeconds": 5,
              "Catch": [{"ErrorEquals": ["States.Timeout"], "Next": "TimedOut"}], "End": true},
        "TimedOut": {"Type": "Pass", "End": true}
    }});
    let outcome = run(&engine(lambdas), &def, json!({})).await;
    assert_eq!(outcome.output, Some(json!({"Error": "States.Timeout"})));
    assert!(
        outcome
            .history
            .iter()
            .any(|e| e.kind == "LambdaFunctionTimedOut")
    );
}

/// An "ask" function that keeps the task token it is sent, and where it keeps it.
fn token_recorder() -> (InProcessLambdas, Arc<Mutex<Option<String>>>) {
    let seen: Arc<Mutex<Option<String>>> = Arc::default();
    let store = seen.clone();
    let mut lambdas = InProcessLambdas::new();
    lambdas.register("ask", move |event: Value| {
        if let Ok(mut slot) = store.lock() {
            *slot = event["token"].as_str().map(str::to_owned);
        }
        async { Ok(json!({"status": "asked"})) }
    });
    (lambdas, seen)
}

/// Runs an execution whose task waits for a token, while `drive` completes it.
async fn with_token<F, Fut>(def: Value, drive: F) -> sfn_local::Outcome
where
    F: FnOnce(sfn_local::Engine, String) -> Fut,
    Fut: Future<Output = ()>,
{
    let (lambdas, seen) = token_recorder();
    let engine = engine(lambdas);
    let driver = engine.clone();
    let execution = run(&engine, &def, json!({}));
    let completion = async move {
        let token = loop {
            if let Some(token) = seen.lock().ok().and_then(|s| s.clone()) {
                break token;
            }
            tokio::task::yield_now().await;
        };
        drive(driver, token).await;
    };
    let (outcome, ()) = tokio::join!(execution, completion);
    outcome
}

fn token_task(heartbeat: Option<u64>) -> Value {
    let mut task = json!({"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
        "Parameters": {"FunctionName": "ask", "Payload": {"token.$": "$$.Task.Token"}}, "End": true});
    if let (Some(h), Value::Object(t)) = (heartbeat, &mut task) {
        t.insert("HeartbeatSeconds", json!(h));
    }
    json!({"StartAt": "Wait", "States": {"Wait": task}})
}

#[tokio::test(start_paused = true)]
async fn send_task_success_completes_a_waiting_task() {
    let outcome = with_token(token_task(None), |engine, token| async move {
        assert!(
            engine
                .send_task_success(&token, json!({"approved": true}))
                .is_ok()
        );
    })
    .await;
    assert_eq!(outcome.output, Some(json!({"approved": true})));
}

#[tokio::test(start_paused = true)]
async fn send_task_failure_fails_a_waiting_task() {
    let outcome = with_token(token_task(None), |engine, token| async move {
        assert!(
            engine
                .send_task_failure(&token, "ApprovalRejected", "no")
                .is_ok()
        );
        // The token is spent.
        assert!(engine.send_task_success(&token, json!({})).is_err());
    })
    .await;
    assert_eq!(
        (outcome.error.as_deref(), outcome.cause.as_deref()),
        (Some("ApprovalRejected"), Some("no"))
    );
}

#[tokio::test(start_paused = true)]
async fn heartbeats_keep_a_task_alive_and_their_absence_times_it_out() {
    let outcome = with_token(token_task(Some(10)), |engine, token| async move {
        for _ in 0..3 {
            tokio::time::sleep(Duration::from_secs(8)).await;
            assert!(engine.send_task_heartbeat(&token).is_ok());
        }
        assert!(engine.send_task_success(&token, json!("done")).is_ok());
    })
    .await;
    assert_eq!(outcome.output, Some(json!("done")));

    let outcome = with_token(token_task(Some(10)), |_engine, _token| async {}).await;
    assert_eq!(outcome.error.as_deref(), Some("States.HeartbeatTimeout"));
}

/// Without the hold, a person answering from another thread is too late: the idle runtime
/// jumps the virtual clock past the heartbeat timeout.
async fn answered_late_without_hold() -> sfn_local::Outcome {
    with_token(token_task(Some(5)), |engine, token| async move {
        std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(200));
            let _ = engine.send_task_success(&token, json!("approved"));
        });
    })
    .await
}

#[tokio::test(start_paused = true)]
async fn a_held_clock_waits_for_a_person_and_a_free_one_times_out() {
    // Holding must be set before the token is issued: build the engine with it.
    let held = {
        let def = token_task(Some(5));
        let (lambdas, seen) = token_recorder();
        let engine = engine(lambdas).holding_clock_for_callbacks(true);
        let answerer = engine.clone();
        let person = std::thread::spawn(move || {
            let token = loop {
                if let Some(token) = seen.lock().ok().and_then(|s| s.clone()) {
                    break token;
                }
                std::thread::sleep(Duration::from_millis(5));
            };
            assert!(answerer.task_tokens().clock_held());
            std::thread::sleep(Duration::from_millis(200));
            answerer
                .send_task_success(&token, json!("approved"))
                .is_ok()
        });
        let outcome = run(&engine, &def, json!({})).await;
        let answered = tokio::task::spawn_blocking(move || person.join().unwrap_or(false))
            .await
            .unwrap_or(false);
        assert!(
            answered,
            "the token was still waiting after real time passed"
        );
        assert!(
            !engine.task_tokens().clock_held(),
            "released after the answer"
        );
        outcome
    };
    assert_eq!(held.output, Some(json!("approved")));

    let free = answered_late_without_hold().await;
    assert_eq!(free.error.as_deref(), Some("States.HeartbeatTimeout"));
}

#[tokio::test(start_paused = true)]
async fn answering_a_timed_out_task_gives_task_timed_out() {
    let seen: Arc<Mutex<Option<String>>> = Arc::default();
    let store = seen.clone();
    let mut lambdas = InProcessLambdas::new();
    lambdas.register("ask", move |event: Value| {
        if let Ok(mut slot) = store.lock() {
            *slot = event["token"].as_str().map(str::to_owned);
        }
        async { Ok(json!({"status": "asked"})) }
    });
    let engine = engine(lambdas);
    let outcome = run(&engine, &token_task(Some(5)), json!({})).await;
    assert_eq!(outcome.error.as_deref(), Some("States.HeartbeatTimeout"));
    let token = seen.lock().ok().and_then(|s| s.clone()).unwrap_or_default();
    assert_eq!(
        engine
            .send_task_success(&token, json!("late"))
            .map_err(|e| e.code()),
        Err("TaskTimedOut")
    );
    assert_eq!(
        engine
            .send_task_heartbeat("not a token")
            .map_err(|e| e.code()),
        Err("InvalidToken")
    );
}
