use sfn_json::{Value, json};

use super::validate;
use crate::model::parse_value;

fn errors(definition: Value) -> Vec<String> {
    match parse_value(definition) {
        Ok(machine) => validate(&machine).iter().map(ToString::to_string).collect(),
        Err(e) => vec![e.to_string()],
    }
}

fn has(errors: &[String], expected: &str) -> bool {
    errors.iter().any(|e| e == expected)
}

#[test]
fn a_correct_definition_has_no_errors() {
    let def = json!({"StartAt": "A", "States": {
        "A": {"Type": "Pass", "Next": "B"},
        "B": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Retry": [{"ErrorEquals": ["X"]}, {"ErrorEquals": ["States.ALL"]}], "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "C"}], "End": true},
        "C": {"Type": "Fail", "Error": "E"}
    }});
    assert_eq!(errors(def), Vec::<String>::new());
}

#[test]
fn missing_targets_are_named_with_state_and_field() {
    let def = json!({"StartAt": "Nope", "States": {
        "ChargePayment": {"Type": "Pass", "Next": "X"}
    }});
    let found = errors(def);
    assert!(
        has(&found, "field 'StartAt': no state named 'Nope'"),
        "{found:?}"
    );
    assert!(
        has(
            &found,
            "State 'ChargePayment': field 'Next': no state named 'X'"
        ),
        "{found:?}"
    );
}

#[test]
fn unreachable_states_are_rejected() {
    let def = json!({"StartAt": "A", "States": {
        "A": {"Type": "Succeed"},
        "Orphan": {"Type": "Succeed"}
    }});
    assert!(has(
        &errors(def),
        "State 'Orphan': state is not reachable from StartAt"
    ));
}

#[test]
fn next_and_end_are_exclusive_and_one_is_required() {
    let def = json!({"StartAt": "A", "States": {
        "A": {"Type": "Pass", "Next": "B", "End": true},
        "B": {"Type": "Pass"}
    }});
    let found = errors(def);
    assert!(
        has(
            &found,
            "State 'A': field 'Next': a state cannot have both Next and End"
        ),
        "{found:?}"
    );
    assert!(
        has(&found, "State 'B': a state needs either Next or End: true"),
        "{found:?}"
    );
}

#[test]
fn unknown_fields_name_the_state() {
    let def = json!({"StartAt": "A", "States": {"A": {"Type": "Pass", "End": true, "Bogus": 1}}});
    assert_eq!(
        errors(def),
        vec!["State 'A': field 'Bogus': unknown field".to_owned()]
    );
}

#[test]
fn fields_of_another_state_type_are_rejected() {
    let def = json!({"StartAt": "A", "States": {"A": {"Type": "Pass", "End": true, "Seconds": 3}}});
    assert!(has(
        &errors(def),
        "State 'A': field 'Seconds': not a valid field for a Pass state"
    ));
}

#[test]
fn wrong_field_types_name_the_field() {
    let def = json!({"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": 5}}});
    let found = errors(def);
    assert!(
        found
            .iter()
            .any(|e| e.starts_with("State 'A': field 'Next': invalid type")),
        "{found:?}"
    );
}

#[test]
fn states_all_must_be_alone_and_last() {
    let def = json!({"StartAt": "T", "States": {
        "T": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": true,
              "Retry": [{"ErrorEquals": ["States.ALL", "X"]}, {"ErrorEquals": ["Y"]}]}
    }});
    let found = errors(def);
    assert!(
        has(
            &found,
            "State 'T': field 'Retry[0].ErrorEquals': States.ALL must appear alone"
        ),
        "{found:?}"
    );
    assert!(
        has(
            &found,
            "State 'T': field 'Retry[0].ErrorEquals': States.ALL must be in the last entry"
        ),
        "{found:?}"
    );
}

#[test]
fn ranges_are_checked() {
    let def = json!({"StartAt": "T", "States": {
        "T": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": true,
              "TimeoutSeconds": 0, "Retry": [{"ErrorEquals": ["X"], "BackoffRate": 0.5, "MaxAttempts": -1}]}
    }});
    let found = errors(def);
    assert!(
        found
            .iter()
            .any(|e| e.starts_with("State 'T': field 'TimeoutSeconds'")),
        "{found:?}"
    );
    assert!(
        found
            .iter()
            .any(|e| e.starts_with("State 'T': field 'Retry[0].BackoffRate'")),
        "{found:?}"
    );
    assert!(
        found
            .iter()
            .any(|e| e.starts_with("State 'T': field 'Retry[0].MaxAttempts'")),
        "{found:?}"
    );
}

#[test]
fn nested_branches_are_checked_in_their_own_scope() {
    let def = json!({"StartAt": "P", "States": {
        "P": {"Type": "Parallel", "End": true, "Branches": [
            {"StartAt": "In", "States": {"In": {"Type": "Pass", "Next": "P"}}}
        ]}
    }});
    assert!(has(
        &errors(def),
        "State 'In': field 'Next': no state named 'P'"
    ));
}

#[test]
fn wait_needs_exactly_one_duration() {
    let def = json!({"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 1, "SecondsPath": "$.s", "End": true}}});
    assert!(has(
        &errors(def),
        "State 'W': a Wait state needs exactly one of Seconds, Timestamp, SecondsPath, TimestampPath"
    ));
}
