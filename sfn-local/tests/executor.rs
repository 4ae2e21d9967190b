//! Executor behaviour: flow, Parallel/Map, timeouts on the virtual clock, history.

mod common;

use sfn_json::json;
use sfn_local::task::InProcessLambdas;
use sfn_local::{ExecutionOptions, Status};

use common::{engine, run};

#[tokio::test(start_paused = true)]
async fn machine_timeout_during_a_long_wait_times_out() {
    let def = json!({"TimeoutSeconds": 5, "StartAt": "W", "States": {
        "W": {"Type": "Wait", "Seconds": 3600, "Next": "Done"},
        "Done": {"Type": "Succeed"}
    }});
    let outcome = run(&engine(InProcessLambdas::new()), &def, json!({})).await;
    assert_eq!(outcome.status, Status::TimedOut);
    assert_eq!(
        outcome.history.last().map(|e| e.kind.as_str()),
        Some("ExecutionTimedOut")
    );
}

#[tokio::test(start_paused = true)]
async fn a_wait_shorter_than_the_machine_timeout_completes() {
    let def = json!({"TimeoutSeconds": 100, "StartAt": "W", "States": {
        "W": {"Type": "Wait", "Seconds": 99, "End": true}
    }});
    let outcome = run(&engine(InProcessLambdas::new()), &def, json!({"a": 1})).await;
    assert_eq!(outcome.status, Status::Succeeded);
    assert_eq!(outcome.output, Some(json!({"a": 1})));
}

#[tokio::test(start_paused = true)]
async fn map_results_keep_item_order_whatever_finishes_first() {
    let def = json!({"StartAt": "M", "States": {"M": {
        "Type": "Map", "ItemsPath": "$.items", "MaxConcurrency": 2, "End": true,
        "ItemProcessor": {"StartAt": "W", "States": {
            "W": {"Type": "Wait", "SecondsPath": "$.wait", "Next": "P"},
            "P": {"Type": "Pass", "InputPath": "$.id", "End": true}
        }}
    }}});
    let input = json!({"items": [{"id": "a", "wait": 30}, {"id": "b", "wait": 1}, {"id": "c", "wait": 10}]});
    let outcome = run(&engine(InProcessLambdas::new()), &def, input).await;
    assert_eq!(outcome.output, Some(json!(["a", "b", "c"])));
}

/// (event kind, iteration index) of the Map iteration events, in history order.
fn iteration_events(outcome: &sfn_local::Outcome) -> Vec<(String, u64)> {
    outcome
        .history
        .iter()
        .filter(|e| e.kind.starts_with("MapIteration"))
        .map(|e| {
            let index = e
                .to_json()
                .as_object()
                .and_then(|o| o.values().find_map(|d| d.get("index")?.as_u64()))
                .unwrap_or(u64::MAX);
            (e.kind.clone(), index)
        })
        .collect()
}

#[tokio::test(start_paused = true)]
async fn an_unbounded_map_starts_every_iteration_in_item_order_and_they_wait_together() {
    let def = json!({"StartAt": "M", "States": {"M": {
        "Type": "Map", "ItemsPath": "$.items", "End": true,
        "ItemProcessor": {"StartAt": "W", "States": {
            "W": {"Type": "Wait", "SecondsPath": "$.wait", "Next": "P"},
            "P": {"Type": "Pass", "InputPath": "$.id", "End": true}
        }}
    }}});
    let input = json!({"items": [{"id": "a", "wait": 30}, {"id": "b", "wait": 1}, {"id": "c", "wait": 10}]});
    let before = tokio::time::Instant::now();
    let outcome = run(&engine(InProcessLambdas::new()), &def, input).await;
    assert_eq!(outcome.output, Some(json!(["a", "b", "c"])));
    // All three waited at once: the run took the longest wait, not their sum.
    assert_eq!(before.elapsed().as_secs(), 30);
    let started = |i| ("MapIterationStarted".to_owned(), i);
    let succeeded = |i| ("MapIterationSucceeded".to_owned(), i);
    assert_eq!(
        iteration_events(&outcome),
        [
            started(0),
            started(1),
            started(2),
            succeeded(1),
            succeeded(2),
            succeeded(0)
        ]
    );
}

#[tokio::test(start_paused = true)]
async fn iterations_that_never_wait_run_one_after_another_in_item_order() {
    let def = json!({"StartAt": "M", "States": {"M": {
        "Type": "Map", "End": true,
        "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}
    }}});
    let outcome = run(&engine(InProcessLambdas::new()), &def, json!([10, 11, 12])).await;
    assert_eq!(outcome.output, Some(json!([10, 11, 12])));
    let kinds: Vec<&str> = outcome.history.iter().map(|e| e.kind.as_str()).collect();
    let one = [
        "MapIterationStarted",
        "PassStateEntered",
        "PassStateExited",
        "MapIterationSucceeded",
    ];
    let expected: Vec<&str> = ["ExecutionStarted", "MapStateEntered", "MapStateStarted"]
        .into_iter()
        .chain(one.into_iter().cycle().take(12))
        .chain(["MapStateSucceeded", "MapStateExited", "ExecutionSucceeded"])
        .collect();
    assert_eq!(kinds, expected);
}

#[tokio::test(start_paused = true)]
async fn parallel_outputs_are_in_branch_order_and_a_failure_fails_the_state() {
    let ok = json!({"StartAt": "P", "States": {"P": {"Type": "Parallel", "End": true, "Branches": [
        {"StartAt": "Slow", "States": {"Slow": {"Type": "Wait", "Seconds": 50, "Next": "A"}, "A": {"Type": "Pass", "Result": "first", "End": true}}},
        {"StartAt": "B", "States": {"B": {"Type": "Pass", "Result": "second", "End": true}}}
    ]}}});
    let outcome = run(&engine(InProcessLambdas::new()), &ok, json!({})).await;
    assert_eq!(outcome.output, Some(json!(["first", "second"])));

    let failing = json!({"StartAt": "P", "States": {"P": {"Type": "Parallel", "End": true, "Branches": [
        {"StartAt": "Slow", "States": {"Slow": {"Type": "Wait", "Seconds": 50, "End": true}}},
        {"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "Boom", "Cause": "why"}}}
    ]}}});
    let outcome = run(&engine(InProcessLambdas::new()), &failing, json!({})).await;
    assert_eq!(
        (outcome.error.as_deref(), outcome.cause.as_deref()),
        (Some("Boom"), Some("why"))
    );
    // The slow branch was cancelled: it never exited its Wait.
    assert!(!outcome.history.iter().any(|e| e.kind == "WaitStateExited"));
}

#[tokio::test(start_paused = true)]
async fn tolerated_failures_fail_the_map_only_past_the_threshold() {
    let def = |count: u64| {
        json!({"StartAt": "M", "States": {"M": {
            "Type": "Map", "ToleratedFailureCount": count, "End": true,
            "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"}, "StartAt": "C", "States": {
                "C": {"Type": "Choice", "Choices": [{"Variable": "$", "BooleanEquals": true, "Next": "Bad"}], "Default": "Good"},
                "Bad": {"Type": "Fail", "Error": "ItemFailed"},
                "Good": {"Type": "Succeed"}
            }}
        }}})
    };
    let input = json!([true, false, true]);
    let outcome = run(&engine(InProcessLambdas::new()), &def(1), input.clone()).await;
    assert_eq!(
        outcome.error.as_deref(),
        Some("States.ExceedToleratedFailureThreshold")
    );
    let outcome = run(&engine(InProcessLambdas::new()), &def(2), input).await;
    assert_eq!(outcome.status, Status::Succeeded);
    assert_eq!(
        outcome.output,
        Some(json!([{"Error": "ItemFailed"}, false, {"Error": "ItemFailed"}]))
    );
}

#[tokio::test(start_paused = true)]
async fn history_has_aws_event_types_ids_and_links() {
    let def = json!({"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "B"}, "B": {"Type": "Succeed"}}});
    let outcome = run(&engine(InProcessLambdas::new()), &def, json!({})).await;
    let kinds: Vec<&str> = outcome.history.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(
        kinds,
        [
            "ExecutionStarted",
            "PassStateEntered",
            "PassStateExited",
            "SucceedStateEntered",
            "SucceedStateExited",
            "ExecutionSucceeded"
        ]
    );
    let ids: Vec<(u64, u64)> = outcome
        .history
        .iter()
        .map(|e| (e.id, e.previous_event_id))
        .collect();
    assert_eq!(ids, [(1, 0), (2, 1), (3, 2), (4, 3), (5, 4), (6, 5)]);
    assert_eq!(
        outcome.history[1].to_json()["stateEnteredEventDetails"]["name"],
        "A"
    );
}

#[tokio::test(start_paused = true)]
async fn runtime_errors_quote_the_entered_event_id_and_are_not_caught() {
    let def = json!({"StartAt": "A", "States": {
        "A": {"Type": "Pass", "Next": "B"},
        "B": {"Type": "Pass", "OutputPath": "$.missing", "End": true}
    }});
    let outcome = run(&engine(InProcessLambdas::new()), &def, json!({})).await;
    assert_eq!(outcome.error.as_deref(), Some("States.Runtime"));
    let cause = outcome.cause.unwrap_or_default();
    assert!(
        cause.starts_with(
            "An error occurred while executing the state 'B' (entered at the event id #4). "
        ),
        "{cause}"
    );
}

#[tokio::test(start_paused = true)]
async fn the_history_limit_fails_the_execution() {
    let def = json!({"StartAt": "Loop", "States": {"Loop": {"Type": "Pass", "Next": "Loop"}}});
    let machine = common::machine(&def);
    let engine = engine(InProcessLambdas::new()).with_limits(sfn_local::Limits {
        history_events: 100,
        ..Default::default()
    });
    let options = sfn_local::ExecutionOptions {
        record_history: true,
        ..Default::default()
    };
    let outcome = engine.execute(machine, json!({}), options).await;
    assert_eq!(outcome.status, Status::Failed);
    // As AWS: the failure is event number `limit` itself, the last real one `limit - 1`.
    assert_eq!(outcome.event_count, 100);
    let last = outcome
        .history
        .last()
        .map(|e| (e.id, e.previous_event_id, e.kind.as_str()));
    assert_eq!(last, Some((100, 99, "ExecutionFailed")));
    assert_eq!(
        outcome.cause.as_deref(),
        Some("The execution reached the maximum number of history events (100).")
    );
}

#[tokio::test(start_paused = true)]
async fn context_object_exposes_execution_state_and_map_item() {
    let def = json!({"StartAt": "M", "States": {"M": {
        "Type": "Map", "End": true,
        "ItemSelector": {"index.$": "$$.Map.Item.Index", "value.$": "$$.Map.Item.Value", "state.$": "$$.State.Name", "input.$": "$$.Execution.Input"},
        "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}
    }}});
    let outcome = run(&engine(InProcessLambdas::new()), &def, json!(["x"])).await;
    assert_eq!(
        outcome.output,
        Some(json!([{"index": 0, "value": "x", "state": "M", "input": ["x"]}]))
    );
}

/// A Wait until a timestamp counts from the execution's start on the virtual clock, whatever
/// waited before it and wherever it sits (the machine, a branch, an item processor), also when
/// no history is kept and nothing reads `$$`, so that only the Wait needs the start time.
#[tokio::test(start_paused = true)]
async fn a_wait_until_a_timestamp_counts_from_the_start_without_a_history() {
    let until = (chrono::Utc::now() + chrono::Duration::seconds(150))
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    let waits = json!({"StartAt": "First", "States": {
        "First": {"Type": "Wait", "Seconds": 100, "Next": "Until"},
        "Until": {"Type": "Wait", "TimestampPath": "$.until", "End": true}
    }});
    let in_branch = json!({"StartAt": "P", "States": {"P": {
        "Type": "Parallel", "Branches": [waits], "End": true
    }}});
    let in_map = json!({"StartAt": "M", "States": {"M": {
        "Type": "Map", "ItemsPath": "$.items", "ItemProcessor": waits, "End": true
    }}});
    let engine = engine(InProcessLambdas::new());
    for definition in [&waits, &in_branch, &in_map] {
        let input = json!({"until": until, "items": [{"until": until}]});
        let started = tokio::time::Instant::now();
        let outcome = engine
            .execute(
                common::machine(definition),
                input,
                ExecutionOptions::default(),
            )
            .await;
        assert_eq!(outcome.status, Status::Succeeded, "{definition}");
        let took = started.elapsed().as_secs();
        assert!((149..=151).contains(&took), "{took} s for {definition}");
    }
}
