//! The state loop's shortcuts keep AWS's behaviour: transitions by position, the unrecorded
//! event counter, and the payload check skipped only for outputs that are their checked input.

use std::sync::Arc;

use sfn_json::{Value, json};

use super::{Engine, ExecutionOptions, Limits, Outcome, Status};
use crate::error::names;
use crate::model::parse_definition;
use crate::task::InProcessLambdas;

async fn run(definition: Value, input: Value, limits: Limits) -> Outcome {
    let machine = parse_definition(&definition.to_string()).unwrap_or_else(|e| panic!("{e}"));
    let engine = Engine::new(Arc::new(InProcessLambdas::new())).with_limits(limits);
    engine
        .execute(Arc::new(machine), input, ExecutionOptions::default())
        .await
}

fn chain(length: usize) -> Value {
    let mut states = sfn_json::Map::new();
    for i in 0..length {
        let state = if i + 1 < length {
            json!({"Type": "Pass", "Next": format!("S{}", i + 1)})
        } else {
            json!({"Type": "Pass", "End": true})
        };
        states.insert(format!("S{i}"), state);
    }
    json!({"StartAt": "S0", "States": states})
}

#[tokio::test(start_paused = true)]
async fn a_pass_chain_counts_every_event_without_recording() {
    let outcome = run(chain(3), json!({"a": 1}), Limits::default()).await;
    assert_eq!(outcome.status, Status::Succeeded);
    assert_eq!(outcome.output, Some(json!({"a": 1})));
    // ExecutionStarted, 3 x (entered, exited), ExecutionSucceeded.
    assert_eq!(outcome.event_count, 8);
    assert!(outcome.history.is_empty());
}

#[tokio::test(start_paused = true)]
async fn the_history_limit_holds_for_the_unrecorded_counter() {
    let limits = Limits {
        history_events: 5,
        ..Limits::default()
    };
    let outcome = run(chain(3), json!({}), limits).await;
    assert_eq!(outcome.status, Status::Failed);
    assert_eq!(outcome.error.as_deref(), Some(names::RUNTIME));
    let cause = outcome.cause.unwrap_or_default();
    assert!(
        cause.contains("maximum number of history events (5)"),
        "{cause}"
    );
    assert_eq!(outcome.event_count, 5);
}

#[tokio::test(start_paused = true)]
async fn a_transition_to_a_missing_state_fails_naming_it() {
    let definition = json!({"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "Nope"}}});
    let outcome = run(definition, json!({}), Limits::default()).await;
    assert_eq!(outcome.status, Status::Failed);
    assert_eq!(
        outcome.cause.as_deref(),
        Some("There is no state named 'Nope'.")
    );
}

#[tokio::test(start_paused = true)]
async fn choice_rules_default_and_catchers_lead_to_their_states() {
    let definition = json!({"StartAt": "Route", "States": {
        "Route": {"Type": "Choice", "Choices": [
            {"Variable": "$.n", "NumericEquals": 1, "Next": "One"},
            {"Variable": "$.n", "NumericEquals": 2, "Next": "Two"}
        ], "Default": "Other"},
        "One": {"Type": "Pass", "Result": "one", "End": true},
        "Two": {"Type": "Parallel", "Branches": [
            {"StartAt": "Boom", "States": {"Boom": {"Type": "Fail", "Error": "E", "Cause": "c"}}}
        ], "Catch": [
            {"ErrorEquals": ["Other"], "Next": "One"},
            {"ErrorEquals": ["E"], "ResultPath": "$.caught", "Next": "Caught"}
        ], "End": true},
        "Caught": {"Type": "Pass", "End": true},
        "Other": {"Type": "Pass", "Result": "other", "End": true}
    }});
    let mut outputs = Vec::new();
    for n in [1, 2, 3] {
        let outcome = run(definition.clone(), json!({"n": n}), Limits::default()).await;
        outputs.push(outcome.output);
    }
    assert_eq!(
        outputs,
        vec![
            Some(json!("one")),
            Some(json!({"n": 2, "caught": {"Error": "E", "Cause": "c"}})),
            Some(json!("other")),
        ]
    );
}

#[tokio::test(start_paused = true)]
async fn an_iteration_input_over_the_limit_fails_even_at_an_unchanging_pass() {
    // The execution input fits; each item, doubled by the ItemSelector, does not. The
    // iteration's plain Pass hands its input on unchanged, but that input was never checked;
    // a Pass with a small `Result` would output something that fits.
    for pass in [
        json!({"Type": "Pass", "End": true}),
        json!({"Type": "Pass", "Result": 1, "End": true}),
    ] {
        let definition = json!({"StartAt": "M", "States": {"M": {
            "Type": "Map", "ItemsPath": "$.items", "End": true,
            "ItemSelector": {"a.$": "$$.Map.Item.Value", "b.$": "$$.Map.Item.Value"},
            "ItemProcessor": {"StartAt": "P", "States": {"P": pass}}
        }}});
        let item = "x".repeat(40);
        let limits = Limits {
            payload_bytes: 80,
            ..Limits::default()
        };
        let outcome = run(definition, json!({"items": [item]}), limits).await;
        assert_eq!(outcome.status, Status::Failed);
        assert_eq!(outcome.error.as_deref(), Some(names::DATA_LIMIT_EXCEEDED));
    }
}

/// Items that are not parts of the state's input are still size-checked as iteration inputs:
/// ones a JSONata `Items` expression builds, and batches (which add BatchInput).
#[tokio::test(start_paused = true)]
async fn computed_items_and_batches_over_the_limit_fail() {
    let limits = || Limits {
        payload_bytes: 100,
        ..Limits::default()
    };
    // The first state replaces its input: the input is checked as it is taken, not through
    // the output.
    let processor =
        json!({"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": "ok", "End": true}}});
    let quadrupled = json!({"QueryLanguage": "JSONata", "StartAt": "M", "States": {"M": {
        "Type": "Map", "Items": "{% $states.input.items.($ & $ & $ & $) %}", "End": true,
        "ItemProcessor": processor}}});
    let batched = json!({"StartAt": "M", "States": {"M": {
        "Type": "Map", "ItemsPath": "$.items", "End": true,
        "ItemBatcher": {"MaxItemsPerBatch": 2, "BatchInput": {"note": "y".repeat(30)}},
        "ItemProcessor": processor}}});
    let item = "x".repeat(30);
    // Items read from a variable, which the payload limit does not bound.
    let from_variable = json!({"StartAt": "Keep", "States": {
        "Keep": {"Type": "Pass", "Result": {}, "Assign": {"big": ["z".repeat(150)]}, "Next": "M"},
        "M": {"Type": "Map", "ItemsPath": "$big", "End": true, "ItemProcessor": processor}}});
    for definition in [quadrupled, batched, from_variable] {
        let outcome = run(definition, json!({"items": [item, item]}), limits()).await;
        assert_eq!(outcome.status, Status::Failed);
        assert_eq!(outcome.error.as_deref(), Some(names::DATA_LIMIT_EXCEEDED));
    }
    // The same items as they are fit: each is a part of the input that met the limit.
    let plain = json!({"StartAt": "M", "States": {"M": {
        "Type": "Map", "ItemsPath": "$.items", "End": true, "ItemProcessor": processor}}});
    let outcome = run(plain, json!({"items": [item, item]}), limits()).await;
    assert_eq!(outcome.output, Some(json!(["ok", "ok"])));
}

#[tokio::test(start_paused = true)]
async fn a_pass_that_grows_its_input_is_still_checked() {
    let definition = json!({"StartAt": "Keep", "States": {
        "Keep": {"Type": "Pass", "Next": "Grow"},
        "Grow": {"Type": "Pass", "Result": {"big": "y".repeat(100)}, "ResultPath": "$.r", "End": true}
    }});
    let limits = Limits {
        payload_bytes: 64,
        ..Limits::default()
    };
    let outcome = run(definition, json!({"a": 1}), limits).await;
    assert_eq!(outcome.error.as_deref(), Some(names::DATA_LIMIT_EXCEEDED));
    let cause = outcome.cause.unwrap_or_default();
    assert!(cause.contains("'Grow'"), "{cause}");
}

#[test]
fn describe_text_is_describe_written_without_a_copy() {
    let outcomes = [
        Outcome {
            status: Status::Succeeded,
            output: Some(json!({"b": [1, 2], "a": "x"})),
            error: None,
            cause: None,
            history: Vec::new(),
            event_count: 3,
        },
        Outcome {
            status: Status::Succeeded,
            output: None,
            error: None,
            cause: None,
            history: Vec::new(),
            event_count: 3,
        },
        Outcome {
            status: Status::Failed,
            output: None,
            error: Some("States.TaskFailed".into()),
            cause: None,
            history: Vec::new(),
            event_count: 5,
        },
        Outcome {
            status: Status::TimedOut,
            output: None,
            error: None,
            cause: Some("timed \"out\"".into()),
            history: Vec::new(),
            event_count: 5,
        },
    ];
    for outcome in &outcomes {
        assert_eq!(outcome.describe_text(), outcome.describe().to_string());
    }
    assert_eq!(
        outcomes[0].describe_text(),
        r#"{"status":"SUCCEEDED","output":{"b":[1,2],"a":"x"}}"#
    );
    assert_eq!(
        outcomes[2].describe_text(),
        r#"{"status":"FAILED","error":"States.TaskFailed","cause":null}"#
    );
}

/// `map` with nothing to catch its error (so the Map owns its input and may move the items
/// into its iterations) and the same Map with a catcher that never fires (input borrowed).
fn map_pair(map: Value) -> (Value, Value) {
    let owned = json!({"StartAt": "M", "States": {"M": map.clone()}});
    let mut caught = map;
    caught["Catch"] = json!([{"ErrorEquals": ["Never.Raised"], "Next": "Unused"}]);
    let borrowed = json!({"StartAt": "M", "States": {"M": caught, "Unused": {"Type": "Succeed"}}});
    (owned, borrowed)
}

async fn run_recorded(definition: Value, input: Value) -> (Outcome, Vec<Value>) {
    let machine = parse_definition(&definition.to_string()).unwrap_or_else(|e| panic!("{e}"));
    let engine = Engine::new(Arc::new(InProcessLambdas::new()));
    let options = ExecutionOptions {
        record_history: true,
        ..ExecutionOptions::default()
    };
    let outcome = engine.execute(Arc::new(machine), input, options).await;
    let events = outcome
        .history
        .iter()
        .map(|e| json!([e.kind, e.id, e.previous_event_id, e.details]))
        .collect();
    (outcome, events)
}

/// Runs `map` owning its input and borrowing it; both must give the same outcome and history.
/// The owned run's output.
async fn owned_and_borrowed_agree(map: Value, input: &Value) -> Option<Value> {
    let (owned, borrowed) = map_pair(map.clone());
    let (a, a_events) = run_recorded(owned, input.clone()).await;
    let (b, b_events) = run_recorded(borrowed, input.clone()).await;
    assert_eq!(
        (a.status, &a.output, &a.error, &a.cause),
        (b.status, &b.output, &b.error, &b.cause),
        "{map}"
    );
    assert_eq!(a_events, b_events, "{map}");
    a.output
}

#[tokio::test(start_paused = true)]
async fn a_map_that_owns_its_input_behaves_as_one_that_borrows_it() {
    let processor = |start: &str, states: Value| json!({"StartAt": start, "States": states});
    let double = processor(
        "P",
        json!({"P": {"Type": "Pass", "Parameters": {"n.$": "$.n", "twice.$": "States.MathAdd($.n, $.n)"}, "End": true}}),
    );
    let fail_odd = processor(
        "C",
        json!({
            "C": {"Type": "Choice", "Choices": [{"Variable": "$.n", "NumericEquals": 1, "Next": "F"}], "Default": "P"},
            "F": {"Type": "Fail", "Error": "Odd", "Cause": "one"},
            "P": {"Type": "Pass", "End": true}
        }),
    );
    let input = json!({"order": {"items": [{"n": 0}, {"n": 1}, {"n": 2}], "max": 2}, "tolerated": 1, "flat": 5});
    let cases = [
        // Items at a nested path; MaxConcurrencyPath and a tolerance read from the same input.
        json!({"Type": "Map", "ItemsPath": "$.order.items", "MaxConcurrencyPath": "$.order.max",
               "ItemProcessor": double, "End": true}),
        json!({"Type": "Map", "ItemsPath": "$.order.items", "ToleratedFailureCountPath": "$.tolerated",
               "ItemProcessor": fail_odd, "End": true}),
        // A setting read from inside the items array itself, before they move.
        json!({"Type": "Map", "ItemsPath": "$.order.items", "MaxConcurrencyPath": "$.order.items[2].n",
               "ItemProcessor": double, "End": true}),
        // An iteration fails the Map.
        json!({"Type": "Map", "ItemsPath": "$.order.items", "ItemProcessor": fail_odd, "End": true}),
        // ResultPath keeps the input, whose items must stay in it.
        json!({"Type": "Map", "ItemsPath": "$.order.items", "ResultPath": "$.order.results",
               "ItemProcessor": double, "End": true}),
        // OutputPath and ResultSelector over the results.
        json!({"Type": "Map", "ItemsPath": "$.order.items", "ResultSelector": {"all.$": "$"},
               "OutputPath": "$.all[1]", "ItemProcessor": double, "End": true}),
        // ItemSelector of `$$` paths only (items move), and one that reads the input (they stay).
        json!({"Type": "Map", "ItemsPath": "$.order.items", "ItemProcessor": double, "End": true,
               "ItemSelector": {"n.$": "$$.Map.Item.Value.n", "at.$": "$$.Map.Item.Index"}}),
        json!({"Type": "Map", "ItemsPath": "$.order.items", "ItemProcessor": double, "End": true,
               "ItemSelector": {"n.$": "$$.Map.Item.Value.n", "max.$": "$.order.max"}}),
        // JSONata Items: an expression's array is the attempt's own, and moves either way.
        json!({"Type": "Map", "QueryLanguage": "JSONata", "Items": "{% $states.input.order.items[n > 0] %}",
               "ItemProcessor": double, "End": true}),
        json!({"Type": "Map", "QueryLanguage": "JSONata", "Items": "{% $states.input.flat %}",
               "ItemProcessor": double, "End": true}),
        // ItemsPath that is no array, names nothing, or is not a plain path.
        json!({"Type": "Map", "ItemsPath": "$.flat", "ItemProcessor": double, "End": true}),
        json!({"Type": "Map", "ItemsPath": "$.missing", "ItemProcessor": double, "End": true}),
        json!({"Type": "Map", "ItemsPath": "$.order.items[?(@.n > 0)]", "ItemProcessor": double, "End": true}),
    ];
    for map in cases {
        owned_and_borrowed_agree(map, &input).await;
    }
    // The cases are not vacuous: results and failures both occur.
    let (owned, _) = map_pair(
        json!({"Type": "Map", "ItemsPath": "$.order.items", "ResultPath": "$.order.results", "ItemProcessor": double, "End": true}),
    );
    let (outcome, _) = run_recorded(owned, input.clone()).await;
    assert_eq!(
        outcome.output.map(|o| o["order"].clone()),
        Some(json!({"items": [{"n": 0}, {"n": 1}, {"n": 2}], "max": 2,
                    "results": [{"n": 0, "twice": 0}, {"n": 1, "twice": 2}, {"n": 2, "twice": 4}]}))
    );
}

#[tokio::test(start_paused = true)]
async fn a_jsonata_map_that_owns_its_input_behaves_as_one_that_borrows_it() {
    let processor = json!({"StartAt": "C", "States": {
        "C": {"Type": "Choice", "Choices": [{"Variable": "$.n", "NumericEquals": 1, "Next": "F"}], "Default": "P"},
        "F": {"Type": "Fail", "Error": "Odd", "Cause": "one"},
        "P": {"Type": "Pass", "Parameters": {"n.$": "$.n"}, "End": true}
    }});
    let input = json!([{"n": 0}, {"n": 1}, {"n": 2}, {"n": 3}]);
    let cases = [
        // The input is the item list; settings read it before the items move.
        json!({"Type": "Map", "QueryLanguage": "JSONata", "ItemProcessor": processor, "End": true,
               "MaxConcurrency": "{% $count($states.input) - 2 %}",
               "ToleratedFailureCount": "{% $states.input[1].n %}"}),
        json!({"Type": "Map", "QueryLanguage": "JSONata", "ItemProcessor": processor, "End": true}),
        // Output and Assign read the input at the end: it stays where it is.
        json!({"Type": "Map", "QueryLanguage": "JSONata", "ItemProcessor": processor, "End": true,
               "ToleratedFailureCount": 1, "Output": {"in": "{% $states.input %}", "out": "{% $states.result %}"}}),
        // ItemSelector reads `$states.input` for every item.
        json!({"Type": "Map", "QueryLanguage": "JSONata", "ItemProcessor": processor, "End": true,
               "ToleratedFailureCount": 1,
               "ItemSelector": {"n": "{% $states.context.Map.Item.Value.n %}", "of": "{% $count($states.input) %}"}}),
        // Items computed from the input.
        json!({"Type": "Map", "QueryLanguage": "JSONata", "ItemProcessor": processor, "End": true,
               "Items": "{% $states.input[n != 1] %}"}),
    ];
    let mut outputs = Vec::new();
    for map in cases {
        outputs.push(owned_and_borrowed_agree(map, &input).await);
    }
    // Not vacuous: a tolerated failure, an untolerated one, the input kept for Output.
    assert_eq!(
        outputs[0],
        Some(json!([{"n": 0}, {"Error": "Odd", "Cause": "one"}, {"n": 2}, {"n": 3}]))
    );
    assert_eq!(outputs[1], None);
    assert_eq!(outputs[2].as_ref().map(|o| &o["in"]), Some(&input));
    assert_eq!(outputs[4], Some(json!([{"n": 0}, {"n": 2}, {"n": 3}])));
}

/// The default name is made only for a machine that reads `$$`: a fresh v4 UUID per
/// execution, the same in `$$.Execution.Name` and at the end of `$$.Execution.Id`.
#[tokio::test(start_paused = true)]
async fn a_default_execution_name_is_a_fresh_uuid_in_name_and_id() {
    let reads_execution = json!({"StartAt": "P", "States": {"P": {"Type": "Pass",
        "Parameters": {"name.$": "$$.Execution.Name", "id.$": "$$.Execution.Id"}, "End": true}}});
    let mut names = Vec::new();
    for _ in 0..2 {
        let outcome = run(reads_execution.clone(), json!({}), Limits::default()).await;
        let output = outcome
            .output
            .unwrap_or_else(|| panic!("{:?}", outcome.error));
        let name = output["name"].as_str().unwrap_or_default().to_owned();
        let parsed = uuid::Uuid::parse_str(&name).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(parsed.get_version_num(), 4);
        assert_eq!(
            output["id"],
            json!(format!(
                "arn:aws:states:us-east-1:123456789012:execution:sfn-local:{name}"
            ))
        );
        names.push(name);
    }
    assert_ne!(names[0], names[1]);
}

#[tokio::test(start_paused = true)]
async fn a_given_execution_name_is_the_one_read() {
    let machine = parse_definition(
        &json!({"StartAt": "P", "States": {"P": {"Type": "Pass",
            "Parameters": {"name.$": "$$.Execution.Name", "machine.$": "$$.StateMachine.Name"}, "End": true}}})
        .to_string(),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let options = ExecutionOptions {
        execution_name: Some("order-42".into()),
        state_machine_name: "orders".into(),
        ..ExecutionOptions::default()
    };
    let outcome = Engine::new(Arc::new(InProcessLambdas::new()))
        .execute(Arc::new(machine), json!({}), options)
        .await;
    assert_eq!(
        outcome.output,
        Some(json!({"name": "order-42", "machine": "orders"}))
    );
}
