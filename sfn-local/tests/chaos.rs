//! ChaosInvoker: faults shaped as Lambda produces them, reproducible per seed, at the
//! configured rates.

use std::sync::{Arc, Mutex};

use futures::FutureExt;
use futures::executor::block_on;
use futures::future::BoxFuture;
use sfn_json::{Value, json};
use sfn_local::task::{
    ChaosConfig, ChaosInvoker, ChaosStats, Fault, InvokeError, LambdaInvoker, SERVICE_ERRORS,
    TIMEOUT_ERROR,
};

/// Records every call that reaches the function and answers with the call's number.
#[derive(Default)]
struct Recorder {
    calls: Mutex<Vec<(String, Value)>>,
}

impl Recorder {
    fn calls(&self) -> Vec<(String, Value)> {
        self.calls.lock().map(|c| c.clone()).unwrap_or_default()
    }
}

impl LambdaInvoker for Recorder {
    fn invoke<'a>(
        &'a self,
        function: &'a str,
        payload: &'a Value,
    ) -> BoxFuture<'a, Result<Value, InvokeError>> {
        async move {
            let mut calls = self.calls.lock().map_err(|e| InvokeError::Service {
                error: "poisoned".into(),
                cause: e.to_string(),
            })?;
            calls.push((function.to_owned(), payload.clone()));
            Ok(json!({ "call": calls.len() }))
        }
        .boxed()
    }

    fn mocked(&self, state: &str) -> Option<Result<Value, InvokeError>> {
        (state == "Mocked").then(|| Ok(json!("canned")))
    }
}

fn config(seed: u64, transient_failure: f64, timeout: f64, duplicate: f64) -> ChaosConfig {
    ChaosConfig {
        seed,
        transient_failure,
        timeout,
        duplicate,
        function_timeout_seconds: 10,
    }
}

fn chaos(config: ChaosConfig) -> (Arc<Recorder>, ChaosInvoker<Recorder>) {
    let recorder = Arc::new(Recorder::default());
    (recorder.clone(), ChaosInvoker::new(recorder, config))
}

/// A short description of an outcome, comparable across runs.
fn outcome(result: &Result<Value, InvokeError>) -> String {
    match result {
        Ok(_) => "ok".into(),
        Err(InvokeError::Service { error, .. }) => error.clone(),
        Err(InvokeError::Function(f)) => f.error_type.clone(),
    }
}

fn run(invoker: &ChaosInvoker<Recorder>, payloads: &[Value]) -> Vec<String> {
    payloads
        .iter()
        .map(|p| outcome(&block_on(invoker.invoke("reserve-item", p))))
        .collect()
}

fn payloads(n: usize) -> Vec<Value> {
    (0..n)
        .map(|i| json!({ "orderId": format!("ord-{i}"), "sku": "SKU-A" }))
        .collect()
}

#[test]
fn the_same_seed_injects_the_same_faults() {
    let calls = payloads(2_000);
    let (_, a) = chaos(config(42, 0.1, 0.05, 0.1));
    let (_, b) = chaos(config(42, 0.1, 0.05, 0.1));
    let (_, other) = chaos(config(43, 0.1, 0.05, 0.1));
    let first = run(&a, &calls);
    assert_eq!(first, run(&b, &calls));
    assert_eq!(a.stats(), b.stats());
    assert_ne!(first, run(&other, &calls));
}

#[test]
fn the_call_order_does_not_change_each_calls_fault() {
    let calls = payloads(500);
    let (_, forward) = chaos(config(9, 0.2, 0.1, 0.2));
    let (_, backward) = chaos(config(9, 0.2, 0.1, 0.2));
    let mut reversed = calls.clone();
    reversed.reverse();
    let mut backward_outcomes = run(&backward, &reversed);
    backward_outcomes.reverse();
    let forward_outcomes = run(&forward, &calls);
    assert_eq!(forward_outcomes, backward_outcomes);
    assert_eq!(forward.stats(), backward.stats());
}

#[test]
fn repeating_a_call_draws_again() {
    // A retry of the same payload is a new draw: with a 50% failure rate, some of 64
    // repeats of one call fail and some succeed.
    let (_, invoker) = chaos(config(1, 0.5, 0.0, 0.0));
    let outcomes = run(&invoker, &vec![json!({"orderId": "same"}); 64]);
    assert!(outcomes.iter().any(|o| o == "ok"));
    assert!(outcomes.iter().any(|o| o != "ok"));
}

#[test]
fn the_rates_are_roughly_honoured() {
    let n = 20_000;
    let (recorder, invoker) = chaos(config(7, 0.10, 0.05, 0.08));
    run(&invoker, &payloads(n));
    let stats = invoker.stats();
    let near = |count: u64, rate: f64| {
        let expected = rate * n as f64;
        (count as f64 - expected).abs() < expected * 0.15
    };
    assert_eq!(stats.invocations, n as u64);
    assert!(
        near(
            stats.service_errors_before + stats.service_errors_after,
            0.10
        ),
        "{stats:?}"
    );
    assert!(near(stats.service_errors_before, 0.05), "{stats:?}");
    assert!(near(stats.timeouts, 0.05), "{stats:?}");
    assert!(near(stats.duplicates, 0.08), "{stats:?}");
    // Calls that reach the function: all but the failures before it ran, twice for duplicates.
    let reached = n as u64 - stats.service_errors_before + stats.duplicates;
    assert_eq!(recorder.calls().len() as u64, reached);
}

#[test]
fn no_rates_no_faults() {
    let (recorder, invoker) = chaos(config(3, 0.0, 0.0, 0.0));
    let outcomes = run(&invoker, &payloads(300));
    assert!(outcomes.iter().all(|o| o == "ok"));
    assert_eq!(invoker.stats().faults(), 0);
    assert_eq!(recorder.calls().len(), 300);
}

/// Invokes distinct payloads until `want` is the fault drawn; returns what the caller and
/// the function saw for that call.
fn first_call_with(
    rates: ChaosConfig,
    want: fn(&ChaosStats, &ChaosStats) -> bool,
) -> (Result<Value, InvokeError>, Vec<(String, Value)>, Value) {
    let (recorder, invoker) = chaos(rates);
    for payload in payloads(1_000) {
        let before_stats = invoker.stats();
        let before_calls = recorder.calls().len();
        let result =
            block_on(invoker.invoke("arn:aws:lambda:us-east-1:1:function:charge", &payload));
        if want(&before_stats, &invoker.stats()) {
            let calls = recorder.calls().split_off(before_calls);
            return (result, calls, payload);
        }
    }
    panic!("the fault was never drawn in 1,000 calls");
}

#[test]
fn a_service_error_before_the_call_never_reaches_the_function() {
    let (result, calls, _) = first_call_with(config(5, 0.5, 0.0, 0.0), |a, b| {
        b.service_errors_before > a.service_errors_before
    });
    assert!(calls.is_empty());
    match result {
        Err(InvokeError::Service { error, cause }) => {
            assert!(SERVICE_ERRORS.contains(&error.as_str()), "{error}");
            assert!(cause.contains("Service: AWSLambda"), "{cause}");
        }
        other => panic!("expected a service error, got {other:?}"),
    }
}

#[test]
fn a_service_error_after_the_call_loses_the_functions_answer() {
    let (result, calls, payload) = first_call_with(config(5, 0.5, 0.0, 0.0), |a, b| {
        b.service_errors_after > a.service_errors_after
    });
    let arn = "arn:aws:lambda:us-east-1:1:function:charge".to_owned();
    assert_eq!(calls, vec![(arn, payload)], "the function ran once");
    assert!(
        matches!(result, Err(InvokeError::Service { error, .. }) if SERVICE_ERRORS.contains(&error.as_str()))
    );
}

#[test]
fn both_service_errors_are_injected() {
    let (_, invoker) = chaos(config(11, 1.0, 0.0, 0.0));
    let outcomes = run(&invoker, &payloads(200));
    for error in SERVICE_ERRORS {
        assert!(
            outcomes.iter().any(|o| o == error),
            "{error} never injected"
        );
    }
}

#[test]
fn a_timeout_runs_the_function_and_reports_lambdas_timeout() {
    let (result, calls, _) =
        first_call_with(config(5, 0.0, 0.5, 0.0), |a, b| b.timeouts > a.timeouts);
    assert_eq!(calls.len(), 1, "the function ran once");
    match result {
        Err(InvokeError::Function(f)) => {
            assert_eq!(f.error_type, TIMEOUT_ERROR);
            assert!(
                f.error_message
                    .ends_with("Task timed out after 10.00 seconds"),
                "{f:?}"
            );
            let cause: Value = serde_json::from_str(&f.cause()).unwrap_or(Value::Null);
            assert_eq!(cause["errorType"], TIMEOUT_ERROR);
        }
        other => panic!("expected a function error, got {other:?}"),
    }
}

#[test]
fn a_duplicate_runs_the_function_twice_and_answers_once() {
    let (result, calls, payload) =
        first_call_with(config(5, 0.0, 0.0, 0.5), |a, b| b.duplicates > a.duplicates);
    assert_eq!(calls.len(), 2);
    assert!(calls.iter().all(|(_, p)| *p == payload));
    // The second delivery's answer: the recorder numbers its calls.
    let total = match &result {
        Ok(v) => v["call"].as_u64(),
        Err(_) => None,
    };
    assert!(total.is_some_and(|n| n >= 2), "{result:?}");
}

#[test]
fn next_fault_follows_the_same_draws_as_invoke() {
    let (_, a) = chaos(config(21, 0.2, 0.1, 0.2));
    let (_, b) = chaos(config(21, 0.2, 0.1, 0.2));
    for payload in payloads(300) {
        let fault = a.next_fault("f", &payload);
        let got = outcome(&block_on(b.invoke("f", &payload)));
        let consistent = match fault {
            Fault::None | Fault::Duplicate => got == "ok",
            Fault::ServiceErrorBefore(e) | Fault::ServiceErrorAfter(e) => got == e,
            Fault::Timeout => got == TIMEOUT_ERROR,
        };
        assert!(consistent, "{fault:?} vs {got}");
    }
}

#[test]
fn mocked_states_pass_through_to_the_wrapped_invoker() {
    let (_, invoker) = chaos(config(1, 1.0, 0.0, 0.0));
    assert_eq!(invoker.mocked("Mocked"), Some(Ok(json!("canned"))));
    assert_eq!(invoker.mocked("Other"), None);
}
