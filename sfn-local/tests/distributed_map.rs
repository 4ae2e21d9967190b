//! DISTRIBUTED Map: each item runs as a child execution; the parent's history shows the Map
//! Run (`MapRunStarted` / `MapRunSucceeded` / `MapRunFailed`) instead of per-item events.

mod common;

use std::sync::Arc;

use sfn_json::{Value, json};
use sfn_local::task::InProcessLambdas;
use sfn_local::{Engine, ExecutionOptions, Limits, Outcome, Status};

use common::{engine, machine, run};

fn distributed_map(processor_states: Value, extra: Value) -> Value {
    let mut map = json!({
        "Type": "Map", "ItemsPath": "$.items", "End": true,
        "ItemProcessor": {
            "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
            "StartAt": "Work", "States": processor_states
        }
    });
    if let (Value::Object(map), Value::Object(extra)) = (&mut map, extra) {
        map.extend(extra);
    }
    json!({"StartAt": "M", "States": {"M": map}})
}

/// Items whose `fail` is true end in a Fail state.
fn failing_items() -> Value {
    json!({
        "Work": {"Type": "Choice", "Choices": [{"Variable": "$.fail", "BooleanEquals": true, "Next": "Boom"}], "Default": "Ok"},
        "Boom": {"Type": "Fail", "Error": "ItemFailed", "Cause": "bad item"},
        "Ok": {"Type": "Pass", "InputPath": "$.id", "End": true}
    })
}

fn kinds(outcome: &Outcome) -> Vec<&str> {
    outcome.history.iter().map(|e| e.kind.as_str()).collect()
}

fn details<'o>(outcome: &'o Outcome, kind: &str) -> Option<&'o Value> {
    outcome
        .history
        .iter()
        .find(|e| e.kind == kind)
        .and_then(|e| e.details.as_ref())
        .map(|(_, d)| d)
}

#[tokio::test(start_paused = true)]
async fn the_parent_history_shows_the_map_run_and_results_come_inline() {
    let def = distributed_map(
        json!({"Work": {"Type": "Pass", "Parameters": {"doubled.$": "States.MathAdd($.n, $.n)"}, "End": true}}),
        json!({}),
    );
    let input = json!({"items": [{"n": 1}, {"n": 2}, {"n": 3}]});
    let outcome = run(&engine(InProcessLambdas::new()), &def, input).await;
    assert_eq!(
        outcome.output,
        Some(json!([{"doubled": 2}, {"doubled": 4}, {"doubled": 6}]))
    );
    assert_eq!(
        kinds(&outcome),
        [
            "ExecutionStarted",
            "MapStateEntered",
            "MapStateStarted",
            "MapRunStarted",
            "MapRunSucceeded",
            "MapStateSucceeded",
            "MapStateExited",
            "ExecutionSucceeded"
        ]
    );
    let arn = details(&outcome, "MapRunStarted")
        .and_then(|d| d["mapRunArn"].as_str())
        .unwrap_or_default();
    assert!(
        arn.starts_with("arn:aws:states:us-east-1:123456789012:mapRun:sfn-local/"),
        "{arn}"
    );
}

#[tokio::test(start_paused = true)]
async fn the_label_names_the_map_run() {
    let def = distributed_map(
        json!({"Work": {"Type": "Pass", "End": true}}),
        json!({"Label": "Orders"}),
    );
    let outcome = run(
        &engine(InProcessLambdas::new()),
        &def,
        json!({"items": [1]}),
    )
    .await;
    let arn = details(&outcome, "MapRunStarted")
        .and_then(|d| d["mapRunArn"].as_str())
        .unwrap_or_default();
    assert!(arn.contains(":mapRun:sfn-local/Orders:"), "{arn}");
}

#[tokio::test(start_paused = true)]
async fn a_failed_child_without_tolerance_fails_the_map_run() {
    let def = distributed_map(failing_items(), json!({}));
    let input = json!({"items": [{"id": 1, "fail": false}, {"id": 2, "fail": true}]});
    let outcome = run(&engine(InProcessLambdas::new()), &def, input).await;
    assert_eq!(outcome.status, Status::Failed);
    assert_eq!(
        outcome.error.as_deref(),
        Some("States.ExceedToleratedFailureThreshold")
    );
    let kinds = kinds(&outcome);
    assert!(
        kinds.ends_with(&["MapRunFailed", "MapStateFailed", "ExecutionFailed"]),
        "{kinds:?}"
    );
    assert_eq!(
        details(&outcome, "MapRunFailed").map(|d| d["error"].clone()),
        Some(json!("States.ExceedToleratedFailureThreshold"))
    );
}

#[tokio::test(start_paused = true)]
async fn tolerated_failures_leave_the_map_run_succeeded() {
    let def = distributed_map(failing_items(), json!({"ToleratedFailureCount": 1}));
    let input = json!({"items": [{"id": 1, "fail": false}, {"id": 2, "fail": true}, {"id": 3, "fail": false}]});
    let outcome = run(&engine(InProcessLambdas::new()), &def, input).await;
    assert_eq!(outcome.status, Status::Succeeded, "{:?}", outcome.cause);
    let output = outcome.output.unwrap_or_default();
    assert_eq!((output[0].clone(), output[2].clone()), (json!(1), json!(3)));
    assert_eq!(output[1]["Error"], "ItemFailed");

    let over = json!({"items": [{"id": 1, "fail": true}, {"id": 2, "fail": true}]});
    let outcome = run(&engine(InProcessLambdas::new()), &def, over).await;
    assert_eq!(
        outcome.error.as_deref(),
        Some("States.ExceedToleratedFailureThreshold")
    );
}

#[tokio::test(start_paused = true)]
async fn item_batcher_gives_each_child_a_batch() {
    let def = distributed_map(
        json!({"Work": {"Type": "Pass", "Parameters": {"size.$": "States.ArrayLength($.Items)", "tag.$": "$.BatchInput.tag"}, "End": true}}),
        json!({"ItemBatcher": {"MaxItemsPerBatch": 2, "BatchInput": {"tag": "t"}}}),
    );
    let outcome = run(
        &engine(InProcessLambdas::new()),
        &def,
        json!({"items": [1, 2, 3, 4, 5]}),
    )
    .await;
    assert_eq!(
        outcome.output,
        Some(json!([{"size": 2, "tag": "t"}, {"size": 2, "tag": "t"}, {"size": 1, "tag": "t"}]))
    );
}

#[tokio::test(start_paused = true)]
async fn child_events_do_not_count_toward_the_parent_history_limit() {
    let states =
        json!({"Work": {"Type": "Pass", "Next": "Again"}, "Again": {"Type": "Pass", "End": true}});
    let limits = Limits {
        history_events: 20,
        ..Limits::default()
    };
    let engine = Engine::new(Arc::new(InProcessLambdas::new())).with_limits(limits);
    let items: Vec<u32> = (0..50).collect();
    let distributed = engine
        .execute(
            machine(&distributed_map(states.clone(), json!({}))),
            json!({"items": items}),
            ExecutionOptions::default(),
        )
        .await;
    assert_eq!(
        distributed.status,
        Status::Succeeded,
        "{:?}",
        distributed.cause
    );
    assert_eq!(distributed.event_count, 8);

    let mut inline = distributed_map(states, json!({}));
    inline["States"]["M"]["ItemProcessor"]["ProcessorConfig"] = json!({"Mode": "INLINE"});
    let inline = engine
        .execute(
            machine(&inline),
            json!({"items": items}),
            ExecutionOptions::default(),
        )
        .await;
    assert_eq!(inline.status, Status::Failed);
}
