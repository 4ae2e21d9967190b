//! Inline Map concurrency: AWS runs at most 40 iterations of an inline Map at once ("supports
//! up to 40 concurrent iterations", the Step Functions guide, Inline mode), whatever
//! MaxConcurrency says; a smaller MaxConcurrency still applies. Measured on the virtual clock:
//! 100 iterations that each wait 10 s take 10 s per wave.

mod common;

use sfn_json::{Value, json};
use sfn_local::Status;
use sfn_local::task::InProcessLambdas;

use common::{engine, run};

fn waiting_map(max_concurrency: Option<u64>) -> Value {
    let mut map = json!({
        "Type": "Map", "ItemsPath": "$.items", "End": true,
        "ItemProcessor": {"StartAt": "W", "States": {
            "W": {"Type": "Wait", "Seconds": 10, "End": true}
        }}
    });
    if let (Some(n), Value::Object(fields)) = (max_concurrency, &mut map) {
        fields.insert("MaxConcurrency", json!(n));
    }
    json!({"StartAt": "M", "States": {"M": map}})
}

/// Virtual seconds a 100-item waiting Map takes.
async fn seconds_for(max_concurrency: Option<u64>) -> u64 {
    let items: Vec<Value> = (0..100).map(|i| json!(i)).collect();
    let before = tokio::time::Instant::now();
    let outcome = run(
        &engine(InProcessLambdas::new()),
        &waiting_map(max_concurrency),
        json!({ "items": items }),
    )
    .await;
    assert_eq!(outcome.status, Status::Succeeded);
    assert_eq!(
        outcome
            .output
            .as_ref()
            .and_then(Value::as_array)
            .map(Vec::len),
        Some(100)
    );
    before.elapsed().as_secs()
}

#[tokio::test(start_paused = true)]
async fn an_unbounded_inline_map_runs_forty_iterations_at_a_time() {
    // 40 + 40 + 20: three waves.
    assert_eq!(seconds_for(None).await, 30);
    assert_eq!(seconds_for(Some(0)).await, 30);
}

#[tokio::test(start_paused = true)]
async fn a_max_concurrency_above_forty_is_capped_and_below_it_applies() {
    assert_eq!(seconds_for(Some(100)).await, 30);
    assert_eq!(seconds_for(Some(25)).await, 40);
}
