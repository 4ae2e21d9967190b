//! The QueryLanguage rules AWS enforces at creation. Every expected message and location is
//! AWS's answer to `validate-state-machine-definition` as recorded in floci-io/floci#2968 and
//! the tests of #2972.

use sfn_json::{Value, json};

use super::{SCHEMA_VALIDATION_FAILED, validate};
use crate::model::parse_value;

/// `(AWS's message, location)` of every diagnostic, the message taken out of its
/// `SCHEMA_VALIDATION_FAILED: <message> at <location>` frame; panics on a parse error.
fn diagnostics(definition: Value) -> Vec<(String, String)> {
    let machine = match parse_value(definition) {
        Ok(machine) => machine,
        Err(e) => panic!("the definition should parse: {e}"),
    };
    validate(&machine)
        .into_iter()
        .map(|e| {
            assert_eq!(e.code, SCHEMA_VALIDATION_FAILED, "{e}");
            let location = e.location.clone().unwrap_or_default();
            let framed = e
                .message
                .strip_prefix("SCHEMA_VALIDATION_FAILED: ")
                .and_then(|m| m.strip_suffix(&format!(" at {location}")));
            match framed {
                Some(message) => (message.to_owned(), location),
                // Diagnostics of other checks (no location) keep their own wording.
                None => (e.message, location),
            }
        })
        .collect()
}

fn one(message: &str, location: &str) -> Vec<(String, String)> {
    vec![(message.to_owned(), location.to_owned())]
}

fn jsonata_only(field: &str) -> String {
    format!(
        "The QueryLanguage is set to 'JSONPath', but field '{field}' is only supported for the \
         'JSONata' QueryLanguage"
    )
}

fn jsonpath_only(field: &str) -> String {
    format!(
        "The QueryLanguage is set to 'JSONata', but field '{field}' is only supported for the \
         'JSONPath' QueryLanguage"
    )
}

const DOWNGRADE: &str =
    "'QueryLanguage' can not be 'JSONPath' if set to 'JSONata' for whole state machine";
const NOT_SUPPORTED: &str = "Field 'QueryLanguage' is not supported";

fn map_over_a_pass_with_output(map_language: Option<&str>) -> Value {
    let mut map = json!({"Type": "Map",
        "ItemProcessor": {"StartAt": "P", "States": {
            "P": {"Type": "Pass", "Output": {"doubled": "{% $states.input.n * 2 %}"}, "End": true}}},
        "End": true});
    if let (Some(language), Some(fields)) = (map_language, map.as_object_mut()) {
        fields.insert("QueryLanguage".to_owned(), json!(language));
    }
    json!({"QueryLanguage": "JSONPath", "StartAt": "M", "States": {"M": map}})
}

// Rule 1: the effective language, and the other language's fields.

#[test]
fn a_maps_own_language_does_not_reach_its_item_processor() {
    let declared = diagnostics(map_over_a_pass_with_output(Some("JSONata")));
    let omitted = diagnostics(map_over_a_pass_with_output(None));
    let expected = one(&jsonata_only("Output"), "/States/M/ItemProcessor/States/P");
    assert_eq!(declared, expected);
    assert_eq!(omitted, expected);
}

#[test]
fn a_parallels_own_language_does_not_reach_its_branches() {
    let def = json!({"QueryLanguage": "JSONPath", "StartAt": "PAR", "States": {
        "PAR": {"Type": "Parallel", "QueryLanguage": "JSONata",
            "Branches": [{"StartAt": "P", "States": {
                "P": {"Type": "Pass", "Output": {"d": "{% $states.input.n * 2 %}"}, "End": true}}}],
            "End": true}}});
    assert_eq!(
        diagnostics(def),
        one(&jsonata_only("Output"), "/States/PAR/Branches[0]/States/P")
    );
}

#[test]
fn an_inner_state_without_a_language_of_its_own_runs_jsonpath_under_a_jsonata_map() {
    // JSONPath fields and `.$` keys on the inner state are fine: it is a JSONPath state.
    let def = json!({"StartAt": "M", "States": {
        "M": {"Type": "Map", "QueryLanguage": "JSONata", "Items": "{% [1, 2] %}",
            "ItemProcessor": {"StartAt": "P", "States": {
                "P": {"Type": "Pass", "Parameters": {"v.$": "$"}, "ResultPath": "$.r",
                    "End": true}}},
            "End": true}}});
    assert_eq!(diagnostics(def), Vec::new());
}

#[test]
fn jsonata_only_fields_are_refused_on_a_jsonpath_state_at_the_state() {
    let task = json!({"StartAt": "T", "States": {
        "T": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
            "Arguments": {"payload": "literal"}, "End": true}}});
    assert_eq!(
        diagnostics(task),
        one(&jsonata_only("Arguments"), "/States/T")
    );
    let map = json!({"StartAt": "M", "States": {
        "M": {"Type": "Map", "Items": [{"n": 1}],
            "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}},
            "End": true}}});
    assert_eq!(diagnostics(map), one(&jsonata_only("Items"), "/States/M"));
}

#[test]
fn two_jsonata_only_fields_are_reported_in_a_fixed_order() {
    let def = json!({"StartAt": "T", "States": {
        "T": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
            "Arguments": {"payload": "literal"}, "Output": {"v": 1}, "End": true}}});
    let expected = vec![
        (jsonata_only("Output"), "/States/T".to_owned()),
        (jsonata_only("Arguments"), "/States/T".to_owned()),
    ];
    assert_eq!(diagnostics(def), expected);
}

#[test]
fn jsonpath_only_fields_are_refused_on_a_jsonata_state_at_the_state() {
    let def = json!({"QueryLanguage": "JSONata", "StartAt": "X", "States": {
        "X": {"Type": "Pass", "InputPath": "$.a", "OutputPath": "$.b", "ResultPath": "$.c",
            "End": true}}});
    let expected: Vec<(String, String)> = ["InputPath", "OutputPath", "ResultPath"]
        .iter()
        .map(|f| (jsonpath_only(f), "/States/X".to_owned()))
        .collect();
    assert_eq!(diagnostics(def), expected);
}

#[test]
fn result_is_a_jsonpath_field() {
    let def = json!({"QueryLanguage": "JSONata", "StartAt": "X", "States": {
        "X": {"Type": "Pass", "Result": {"a": 1}, "End": true}}});
    assert_eq!(diagnostics(def), one(&jsonpath_only("Result"), "/States/X"));
}

#[test]
fn assign_belongs_to_both_languages() {
    let def = json!({"StartAt": "X", "States": {
        "X": {"Type": "Pass", "Assign": {"counter": 1}, "End": true}}});
    assert_eq!(diagnostics(def), Vec::new());
}

#[test]
fn a_jsonata_map_carries_its_own_jsonata_fields() {
    let def = json!({"QueryLanguage": "JSONPath", "StartAt": "M", "States": {
        "M": {"Type": "Map", "QueryLanguage": "JSONata", "Items": "{% [1, 2] %}",
            "Output": {"count": "{% $count($states.result) %}"},
            "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}},
            "End": true}}});
    assert_eq!(diagnostics(def), Vec::new());
}

#[test]
fn an_inner_state_declaring_jsonata_may_use_output() {
    let def = json!({"QueryLanguage": "JSONPath", "StartAt": "M", "States": {
        "M": {"Type": "Map", "QueryLanguage": "JSONata", "Items": "{% [1, 2] %}",
            "ItemProcessor": {"StartAt": "P", "States": {
                "P": {"Type": "Pass", "QueryLanguage": "JSONata",
                    "Output": {"d": "{% $states.input * 2 %}"}, "End": true}}},
            "End": true}}});
    assert_eq!(diagnostics(def), Vec::new());
}

#[test]
fn inner_states_of_a_jsonata_machine_run_jsonata() {
    let def = json!({"QueryLanguage": "JSONata", "StartAt": "M", "States": {
        "M": {"Type": "Map",
            "ItemProcessor": {"StartAt": "P", "States": {
                "P": {"Type": "Pass", "Output": {"d": "{% $states.input.n * 2 %}"},
                    "End": true}}},
            "End": true}}});
    assert_eq!(diagnostics(def), Vec::new());
}

// Rule 2: no JSONPath state under a JSONata machine.

#[test]
fn a_state_cannot_declare_jsonpath_under_a_jsonata_machine() {
    let def = json!({"QueryLanguage": "JSONata", "StartAt": "M", "States": {
        "M": {"Type": "Map", "QueryLanguage": "JSONPath",
            "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}},
            "End": true}}});
    assert_eq!(diagnostics(def), one(DOWNGRADE, "/States/M"));
}

#[test]
fn a_nested_state_cannot_declare_jsonpath_under_a_jsonata_machine() {
    let def = json!({"QueryLanguage": "JSONata", "StartAt": "PAR", "States": {
        "PAR": {"Type": "Parallel",
            "Branches": [{"StartAt": "P", "States": {
                "P": {"Type": "Pass", "QueryLanguage": "JSONPath", "End": true}}}],
            "End": true}}});
    assert_eq!(
        diagnostics(def),
        one(DOWNGRADE, "/States/PAR/Branches[0]/States/P")
    );
}

#[test]
fn the_downgrade_is_the_whole_answer_about_the_states_fields() {
    let def = json!({"QueryLanguage": "JSONata", "StartAt": "X", "States": {
        "X": {"Type": "Pass", "QueryLanguage": "JSONPath", "Output": {"v": "{% 1 %}"},
            "End": true}}});
    assert_eq!(diagnostics(def), one(DOWNGRADE, "/States/X"));
}

#[test]
fn a_downgraded_state_still_gets_its_other_checks() {
    let def = json!({"QueryLanguage": "JSONata", "StartAt": "M", "States": {
        "M": {"Type": "Map", "QueryLanguage": "JSONPath", "MaxConcurrency": -1,
            "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}},
            "End": true}}});
    let found = diagnostics(def);
    assert_eq!(found.len(), 2, "{found:?}");
    assert!(found.contains(&(DOWNGRADE.to_owned(), "/States/M".to_owned())));
}

#[test]
fn declaring_the_machines_own_language_is_accepted() {
    let jsonpath = json!({"StartAt": "X", "States": {
        "X": {"Type": "Pass", "QueryLanguage": "JSONPath", "InputPath": "$.a", "End": true}}});
    assert_eq!(diagnostics(jsonpath), Vec::new());
    let jsonata = json!({"QueryLanguage": "JSONata", "StartAt": "X", "States": {
        "X": {"Type": "Pass", "QueryLanguage": "JSONata", "Output": {"v": "{% 1 %}"},
            "End": true}}});
    assert_eq!(diagnostics(jsonata), Vec::new());
}

#[test]
fn a_jsonata_state_under_a_jsonpath_machine_is_accepted() {
    let def = json!({"QueryLanguage": "JSONPath", "StartAt": "X", "States": {
        "X": {"Type": "Pass", "QueryLanguage": "JSONata", "Output": {"v": "{% 1 %}"},
            "End": true}}});
    assert_eq!(diagnostics(def), Vec::new());
}

// Rule 3: an ItemProcessor, Iterator or branch has no QueryLanguage.

#[test]
fn an_item_processor_cannot_declare_a_query_language() {
    let def = json!({"StartAt": "M", "States": {
        "M": {"Type": "Map",
            "ItemProcessor": {"QueryLanguage": "JSONata", "StartAt": "P",
                "States": {"P": {"Type": "Pass", "End": true}}},
            "End": true}}});
    assert_eq!(
        diagnostics(def),
        one(NOT_SUPPORTED, "/States/M/ItemProcessor")
    );
}

#[test]
fn an_iterator_cannot_declare_a_query_language() {
    let with = json!({"StartAt": "M", "States": {
        "M": {"Type": "Map",
            "Iterator": {"QueryLanguage": "JSONata", "StartAt": "P",
                "States": {"P": {"Type": "Pass", "End": true}}},
            "End": true}}});
    assert_eq!(diagnostics(with), one(NOT_SUPPORTED, "/States/M/Iterator"));
    let without = json!({"StartAt": "M", "States": {
        "M": {"Type": "Map",
            "Iterator": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}},
            "End": true}}});
    assert_eq!(diagnostics(without), Vec::new());
}

#[test]
fn a_branch_cannot_declare_a_query_language() {
    let def = json!({"StartAt": "PAR", "States": {
        "PAR": {"Type": "Parallel",
            "Branches": [{"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}},
                {"QueryLanguage": "JSONPath", "StartAt": "Q",
                    "States": {"Q": {"Type": "Pass", "End": true}}}],
            "End": true}}});
    assert_eq!(
        diagnostics(def),
        one(NOT_SUPPORTED, "/States/PAR/Branches[1]")
    );
}

#[test]
fn the_container_rule_holds_at_depth() {
    let def = json!({"QueryLanguage": "JSONata", "StartAt": "PAR", "States": {
        "PAR": {"Type": "Parallel",
            "Branches": [{"StartAt": "M", "States": {
                "M": {"Type": "Map",
                    "ItemProcessor": {"QueryLanguage": "JSONata", "StartAt": "P",
                        "States": {"P": {"Type": "Pass", "End": true}}},
                    "End": true}}}],
            "End": true}}});
    assert_eq!(
        diagnostics(def),
        one(
            NOT_SUPPORTED,
            "/States/PAR/Branches[0]/States/M/ItemProcessor"
        )
    );
}

// Rule 4: a value outside the enum. The model refuses it while reading the definition, so
// the refusal names the state and the field (AWS's own words need the raw value, see
// docs/validation.md).

fn parse_error(definition: Value) -> String {
    match parse_value(definition) {
        Ok(_) => panic!("the definition should be refused"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn only_the_exact_strings_are_query_languages() {
    let top = parse_error(
        json!({"QueryLanguage": "jsonpath", "StartAt": "X", "States": {
        "X": {"Type": "Pass", "End": true}}}),
    );
    assert!(top.starts_with("field 'QueryLanguage': "), "{top}");
    assert!(top.contains("jsonpath"), "{top}");
    let state = parse_error(json!({"StartAt": "X", "States": {
        "X": {"Type": "Pass", "QueryLanguage": "jsonata", "End": true}}}));
    assert!(
        state.starts_with("State 'X': field 'QueryLanguage': "),
        "{state}"
    );
    let number = parse_error(json!({"StartAt": "X", "States": {
        "X": {"Type": "Pass", "QueryLanguage": 5, "End": true}}}));
    assert!(
        number.starts_with("State 'X': field 'QueryLanguage': "),
        "{number}"
    );
    let inner = parse_error(json!({"StartAt": "M", "States": {
        "M": {"Type": "Map", "ItemProcessor": {"QueryLanguage": "foo", "StartAt": "P",
            "States": {"P": {"Type": "Pass", "End": true}}}, "End": true}}}));
    assert!(
        inner.starts_with("State 'M': field 'ItemProcessor.QueryLanguage': "),
        "{inner}"
    );
}
