//! A state's query language is its own `QueryLanguage`, else the state machine's top-level
//! one; a Map's or Parallel's own language does not reach the states inside it (measured on
//! AWS, floci-io/floci#2968). Validation and execution must agree on it.

mod common;

use std::process::Command;

use sfn_json::json;
use sfn_local::Status;
use sfn_local::task::InProcessLambdas;

use common::{engine, run};

/// A JSONPath machine whose Map and Parallel declare JSONata: their inner states declare
/// nothing, so they are JSONPath states (`Parameters` with `.$` keys), as AWS runs them.
#[tokio::test(start_paused = true)]
async fn inner_states_run_in_the_machines_language_not_the_enclosing_states() {
    let def = json!({"QueryLanguage": "JSONPath", "StartAt": "M", "States": {
        "M": {"Type": "Map", "QueryLanguage": "JSONata", "Items": "{% $states.input.items %}",
            "ItemProcessor": {"StartAt": "P", "States": {
                "P": {"Type": "Pass", "Parameters": {"v.$": "$"}, "End": true}}},
            "Next": "PAR"},
        "PAR": {"Type": "Parallel", "QueryLanguage": "JSONata",
            "Branches": [{"StartAt": "B", "States": {
                "B": {"Type": "Pass", "Parameters": {"first.$": "$[0].v"}, "End": true}}}],
            "End": true}
    }});
    let outcome = run(
        &engine(InProcessLambdas::new()),
        &def,
        json!({"items": [1, 2]}),
    )
    .await;
    assert_eq!(outcome.status, Status::Succeeded, "{:?}", outcome.error);
    assert_eq!(outcome.output, Some(json!([{"first": 1}])));
}

/// An inner state declaring its own language runs in it, whatever encloses it.
#[tokio::test(start_paused = true)]
async fn an_inner_state_declaring_jsonata_runs_jsonata() {
    let def = json!({"StartAt": "M", "States": {
        "M": {"Type": "Map", "ItemsPath": "$.items",
            "ItemProcessor": {"StartAt": "P", "States": {
                "P": {"Type": "Pass", "QueryLanguage": "JSONata",
                    "Output": {"doubled": "{% $states.input * 2 %}"}, "End": true}}},
            "End": true}
    }});
    let outcome = run(
        &engine(InProcessLambdas::new()),
        &def,
        json!({"items": [1, 2]}),
    )
    .await;
    assert_eq!(outcome.status, Status::Succeeded, "{:?}", outcome.error);
    assert_eq!(
        outcome.output,
        Some(json!([{"doubled": 2}, {"doubled": 4}]))
    );
}

/// Inner states of a JSONata machine are JSONata states.
#[tokio::test(start_paused = true)]
async fn inner_states_of_a_jsonata_machine_run_jsonata() {
    let def = json!({"QueryLanguage": "JSONata", "StartAt": "PAR", "States": {
        "PAR": {"Type": "Parallel",
            "Branches": [{"StartAt": "B", "States": {
                "B": {"Type": "Pass", "Output": "{% $states.input.n + 1 %}", "End": true}}}],
            "End": true}
    }});
    let outcome = run(&engine(InProcessLambdas::new()), &def, json!({"n": 1})).await;
    assert_eq!(outcome.status, Status::Succeeded, "{:?}", outcome.error);
    assert_eq!(outcome.output, Some(json!([2])));
}

/// `sfn-local validate` refuses what AWS refuses, with AWS's message and nested location.
#[test]
fn validate_refuses_with_aws_messages_and_locations() {
    let def = json!({"QueryLanguage": "JSONPath", "StartAt": "M", "States": {
        "M": {"Type": "Map", "QueryLanguage": "JSONata", "Items": "{% [1] %}",
            "ItemProcessor": {"QueryLanguage": "JSONata", "StartAt": "P", "States": {
                "P": {"Type": "Pass", "Output": {"v": "{% 1 %}"}, "End": true}}},
            "End": true}
    }});
    let dir = std::env::temp_dir().join(format!("sfn-local-ql-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    let path = dir.join("nested.json");
    std::fs::write(&path, def.to_string()).unwrap_or_else(|e| panic!("write {path:?}: {e}"));
    let out = Command::new(env!("CARGO_BIN_EXE_sfn-local"))
        .args(["validate", path.to_str().unwrap_or_default()])
        .output()
        .unwrap_or_else(|e| panic!("run sfn-local: {e}"));
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    for expected in [
        "SCHEMA_VALIDATION_FAILED: Field 'QueryLanguage' is not supported at \
         /States/M/ItemProcessor",
        "SCHEMA_VALIDATION_FAILED: The QueryLanguage is set to 'JSONPath', but field 'Output' \
         is only supported for the 'JSONata' QueryLanguage at /States/M/ItemProcessor/States/P",
    ] {
        assert!(stderr.contains(expected), "{expected}\n{stderr}");
    }
}
