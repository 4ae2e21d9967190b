//! Workflow variables and the JSONata query language in the executor and the validator.

mod common;

use sfn_json::{Value, json};
use sfn_local::task::InProcessLambdas;
use sfn_local::{Status, parse_definition, validate};

use common::{engine, run};

async fn outcome(def: Value, input: Value) -> sfn_local::Outcome {
    run(&engine(InProcessLambdas::new()), &def, input).await
}

fn problems(def: Value) -> Vec<String> {
    let machine = parse_definition(&def.to_string()).unwrap_or_else(|e| panic!("definition: {e}"));
    validate(&machine).iter().map(ToString::to_string).collect()
}

#[tokio::test(start_paused = true)]
async fn assign_takes_effect_after_the_state_output() {
    // OutputPath reads the old value of $answer although Assign sets a new one.
    let def = json!({"StartAt": "A", "States": {
        "A": {"Type": "Pass", "Assign": {"answer": 42}, "Next": "B"},
        "B": {"Type": "Pass", "OutputPath": "$answer", "Assign": {"answer": "new"}, "Next": "C"},
        "C": {"Type": "Pass", "Parameters": {"got.$": "$answer", "was.$": "$"}, "End": true}
    }});
    let out = outcome(def, json!({})).await;
    assert_eq!(out.output, Some(json!({"got": "new", "was": 42})));
}

#[tokio::test(start_paused = true)]
async fn jsonpath_assign_reads_the_result_not_the_input() {
    let def = json!({"StartAt": "A", "States": {
        "A": {"Type": "Pass", "Result": {"r": 1}, "Assign": {"x.$": "$.r"}, "Next": "B"},
        "B": {"Type": "Pass", "Parameters": {"x.$": "$x"}, "End": true}
    }});
    let out = outcome(def, json!({"r": 99})).await;
    assert_eq!(out.output, Some(json!({"x": 1})));
}

#[tokio::test(start_paused = true)]
async fn jsonata_assign_and_output_see_the_same_old_variables() {
    let def = json!({"QueryLanguage": "JSONata", "StartAt": "A", "States": {
        "A": {"Type": "Pass", "Assign": {"n": 1}, "Next": "B"},
        "B": {"Type": "Pass", "Assign": {"n": "{% $n + 1 %}"}, "Output": "{% $n %}", "Next": "C"},
        "C": {"Type": "Pass", "Output": {"before": "{% $states.input %}", "now": "{% $n %}"}, "End": true}
    }});
    let out = outcome(def, json!({})).await;
    assert_eq!(out.output, Some(json!({"before": 1, "now": 2})));
}

#[tokio::test(start_paused = true)]
async fn inner_scopes_read_outer_variables_but_do_not_write_them_back() {
    let def = json!({"QueryLanguage": "JSONata", "StartAt": "A", "States": {
        "A": {"Type": "Pass", "Assign": {"x": 10}, "Next": "M"},
        "M": {"Type": "Map", "Items": [1, 2], "Next": "After", "ItemProcessor": {
            "StartAt": "Inner", "States": {
                "Inner": {"Type": "Pass", "Assign": {"y": "{% $x + $states.input %}"}, "Next": "Read"},
                "Read": {"Type": "Pass", "Output": "{% $y %}", "End": true}
            }}},
        "After": {"Type": "Pass", "Output": {"items": "{% $states.input %}", "x": "{% $x %}", "yDefined": "{% $exists($y) %}"}, "End": true}
    }});
    let out = outcome(def, json!({})).await;
    assert_eq!(
        out.output,
        Some(json!({"items": [11, 12], "x": 10, "yDefined": false}))
    );
}

#[tokio::test(start_paused = true)]
async fn jsonata_choice_uses_the_matching_rules_output_and_assign() {
    let def = json!({"QueryLanguage": "JSONata", "StartAt": "C", "States": {
        "C": {"Type": "Choice",
              "Choices": [{"Condition": "{% $states.input.n > 5 %}", "Next": "End",
                           "Output": "big", "Assign": {"which": "rule"}}],
              "Default": "End", "Output": "small", "Assign": {"which": "default"}},
        "End": {"Type": "Pass", "Output": {"out": "{% $states.input %}", "which": "{% $which %}"}, "End": true}
    }});
    let big = outcome(def.clone(), json!({"n": 9})).await;
    assert_eq!(big.output, Some(json!({"out": "big", "which": "rule"})));
    let small = outcome(def, json!({"n": 1})).await;
    assert_eq!(
        small.output,
        Some(json!({"out": "small", "which": "default"}))
    );
}

#[tokio::test(start_paused = true)]
async fn jsonata_errors_name_the_expression_and_field() {
    let def = json!({"QueryLanguage": "JSONata", "StartAt": "S", "States": {
        "S": {"Type": "Pass", "Output": {"a": "{% $nothing %}"}, "End": true}
    }});
    let out = outcome(def, json!({})).await;
    assert_eq!(out.status, Status::Failed);
    assert_eq!(out.error.as_deref(), Some("States.QueryEvaluationError"));
    assert_eq!(
        out.cause.as_deref(),
        Some(
            "An error occurred while executing the state 'S' (entered at the event id #2). The JSONata expression '$nothing' specified for the field 'Output/a' returned nothing (undefined)."
        )
    );
}

#[tokio::test(start_paused = true)]
async fn jsonata_catch_sees_the_error_output() {
    let def = json!({"QueryLanguage": "JSONata", "StartAt": "T", "States": {
        "T": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:missing",
              "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Done",
                         "Assign": {"err": "{% $states.errorOutput.Error %}"},
                         "Output": {"caught": true}}],
              "End": true},
        "Done": {"Type": "Pass", "Output": {"in": "{% $states.input %}", "err": "{% $exists($err) %}"}, "End": true}
    }});
    let out = outcome(def, json!({})).await;
    assert_eq!(
        out.output,
        Some(json!({"in": {"caught": true}, "err": true}))
    );
}

#[test]
fn validation_names_states_for_jsonata_syntax_and_variable_misuse() {
    let bad_syntax = problems(
        json!({"QueryLanguage": "JSONata", "StartAt": "S", "States": {
            "S": {"Type": "Pass", "Output": "{% $states.input.( %}", "End": true}
        }}),
    );
    assert!(
        bad_syntax
            .iter()
            .any(|p| p.starts_with("State 'S': field 'Output': invalid JSONata expression")),
        "{bad_syntax:?}"
    );
    let jsonpath_field = problems(
        json!({"QueryLanguage": "JSONata", "StartAt": "S", "States": {
            "S": {"Type": "Pass", "Parameters": {"a": 1}, "End": true}
        }}),
    );
    assert!(
        jsonpath_field
            .iter()
            .any(|p| p.starts_with("State 'S': field 'Parameters'")),
        "{jsonpath_field:?}"
    );
    let reserved = problems(json!({"StartAt": "S", "States": {
        "S": {"Type": "Pass", "Assign": {"states": 1}, "End": true}
    }}));
    assert!(
        reserved.iter().any(|p| p.contains("reserved")),
        "{reserved:?}"
    );
    let outer = problems(json!({"StartAt": "A", "States": {
        "A": {"Type": "Pass", "Assign": {"x": 1}, "Next": "P"},
        "P": {"Type": "Parallel", "End": true, "Branches": [{"StartAt": "In", "States": {
            "In": {"Type": "Pass", "Assign": {"x": 2}, "End": true}}}]}
    }}));
    assert!(
        outer
            .iter()
            .any(|p| p.starts_with("State 'In': field 'Assign'") && p.contains("outer scope")),
        "{outer:?}"
    );
    let fine = problems(
        json!({"QueryLanguage": "JSONata", "StartAt": "S", "States": {
            "S": {"Type": "Pass", "Assign": {"x": "{% $states.input %}"}, "Output": "{% $x %}", "End": true}
        }}),
    );
    assert!(fine.is_empty(), "{fine:?}");
}

#[tokio::test(start_paused = true)]
async fn assignments_over_256_kib_fail_the_state() {
    // 30,000 × 10 characters, built inside the state (the input itself stays small).
    let def = json!({"QueryLanguage": "JSONata", "StartAt": "S", "States": {
        "S": {"Type": "Pass", "End": true, "Assign": {
            "big": "{% $join($map([1..30000], function($i) {'xxxxxxxxxx'})) %}"}}
    }});
    let out = outcome(def, json!({})).await;
    assert_eq!(out.status, Status::Failed);
    assert_eq!(out.error.as_deref(), Some("States.DataLimitExceeded"));
    assert!(
        out.cause
            .as_deref()
            .is_some_and(|c| c.contains("variables assigned by the state")),
        "{:?}",
        out.cause
    );
}

#[tokio::test(start_paused = true)]
async fn the_exit_event_lists_the_assigned_variables_as_json_text() {
    let def = json!({"StartAt": "S", "States": {
        "S": {"Type": "Pass", "Assign": {"a": {"k": 1}, "b": "t"}, "End": true}
    }});
    let out = outcome(def, json!({})).await;
    let exited = out.history.iter().find(|e| e.kind == "PassStateExited");
    let details = exited
        .and_then(|e| e.details.as_ref())
        .map(|(_, d)| d.clone());
    assert_eq!(
        details.and_then(|d| d.get("assignedVariables").cloned()),
        Some(json!({"a": "{\"k\":1}", "b": "\"t\""}))
    );
}

#[tokio::test(start_paused = true)]
async fn the_execution_variables_together_are_capped_at_10_mib() {
    // 50 states each assigning a new 220,002-byte variable (from the input): each assignment
    // is under 256 KiB, together they pass 10 MiB.
    let mut states = sfn_json::Map::new();
    for i in 0..50 {
        let mut assign = sfn_json::Map::new();
        assign.insert(format!("v{i}"), json!("{% $states.input.chunk %}"));
        states.insert(
            format!("S{i}"),
            json!({"Type": "Pass", "Assign": assign, "Next": format!("S{}", i + 1)}),
        );
    }
    states.insert("S50", json!({"Type": "Succeed"}));
    let def = json!({"QueryLanguage": "JSONata", "StartAt": "S0", "States": states});
    let input = json!({"chunk": "x".repeat(220_000)});
    // No history recorded: each event would copy the 220 KB input.
    let out = engine(InProcessLambdas::new())
        .execute(common::machine(&def), input, Default::default())
        .await;
    assert_eq!(out.error.as_deref(), Some("States.DataLimitExceeded"));
    // 220,002 bytes each: the 48th would bring the total past 10 MiB (10,485,760 bytes).
    assert!(
        out.cause
            .as_deref()
            .is_some_and(|c| c.contains("'S47'") && c.contains("variables of the execution")),
        "{:?}",
        out.cause
    );
}

#[tokio::test(start_paused = true)]
async fn jsonata_batch_input_is_an_expression() {
    let def = json!({"QueryLanguage": "JSONata", "StartAt": "M", "States": {"M": {
        "Type": "Map", "Items": "{% $states.input.items %}", "End": true,
        "ItemBatcher": {"MaxItemsPerBatch": "{% 2 %}", "BatchInput": {"tag": "{% $states.input.tag %}"}},
        "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true,
            "Output": "{% $count($states.input.Items) & $states.input.BatchInput.tag %}"}}}
    }}});
    let out = outcome(def, json!({"items": [1, 2, 3], "tag": "t"})).await;
    assert_eq!(out.output, Some(json!(["2t", "1t"])), "{:?}", out.cause);
}
