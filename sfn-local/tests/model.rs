//! Parsing definitions into the model.

use sfn_json::json;
use sfn_local::model::{
    ExecutionType, Nullable, ProcessorMode, QueryLanguage, StateType, parse_definition,
};

#[test]
fn null_and_absent_paths_are_told_apart() {
    let def = json!({"StartAt": "A", "States": {
        "A": {"Type": "Pass", "InputPath": null, "ResultPath": "$.r", "End": true}
    }});
    let machine = parse_definition(&def.to_string()).unwrap_or_else(|e| panic!("{e}"));
    let state = machine
        .states
        .get("A")
        .unwrap_or_else(|| panic!("no state A"));
    assert_eq!(state.kind, StateType::Pass);
    assert_eq!(state.input_path, Nullable::Null);
    assert_eq!(state.output_path, Nullable::Absent);
    assert_eq!(state.result_path, Nullable::Set("$.r".to_owned()));
}

#[test]
fn map_processors_parse_in_both_spellings() {
    for key in ["ItemProcessor", "Iterator"] {
        let def = json!({"StartAt": "M", "States": {"M": {"Type": "Map", "End": true, "MaxConcurrency": 2,
            key: {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "EXPRESS"},
                  "StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}}}});
        let machine = parse_definition(&def.to_string()).unwrap_or_else(|e| panic!("{e}"));
        let processor = machine
            .states
            .get("M")
            .and_then(|m| m.processor())
            .unwrap_or_else(|| panic!("no processor"));
        let config = processor.processor_config.clone().unwrap_or_default();
        assert_eq!(config.mode, Some(ProcessorMode::Distributed));
        assert_eq!(config.execution_type, Some(ExecutionType::Express));
        assert!(processor.states.contains("P"));
    }
}

#[test]
fn states_keep_definition_order_and_jsonata_fields_parse() {
    let def = json!({"QueryLanguage": "JSONata", "StartAt": "Z", "States": {
        "Z": {"Type": "Pass", "Output": "{% $states.input %}", "Assign": {"x": 1}, "Next": "A"},
        "A": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Arguments": {"FunctionName": "f"}, "End": true}
    }});
    let machine = parse_definition(&def.to_string()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(machine.query_language, Some(QueryLanguage::JSONata));
    let names: Vec<&str> = machine.states.iter().map(|(n, _)| n).collect();
    assert_eq!(names, ["Z", "A"]);
}

#[test]
fn bad_definitions_name_the_state_and_field() {
    let cases = [
        (
            json!({"StartAt": "A", "States": {"A": {"Type": "Sleep", "End": true}}}),
            "State 'A': field 'Type'",
        ),
        (
            json!({"StartAt": "A", "States": {"A": {"Type": "Pass", "End": true, "Retry": [{"ErrorEquals": "x"}]}}}),
            "State 'A': field 'Retry",
        ),
        (json!({"States": {}}), "field 'StartAt'"),
    ];
    for (def, expected) in cases {
        let message = parse_definition(&def.to_string())
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(
            message.starts_with(expected),
            "{message:?} should start with {expected:?}"
        );
    }
    assert!(parse_definition("{not json").is_err());
}

#[test]
fn only_pass_and_succeed_states_without_payload_fields_pass_their_input_through() {
    let def = json!({"StartAt": "Plain", "QueryLanguage": "JSONata", "States": {
        "Plain": {"Type": "Pass", "Comment": "a marker", "QueryLanguage": "JSONata", "Next": "Result"},
        "Result": {"Type": "Pass", "Result": 1, "Next": "NullPath"},
        "NullPath": {"Type": "Pass", "ResultPath": null, "Next": "Output"},
        "Output": {"Type": "Pass", "Output": "{% 1 %}", "Next": "Assign"},
        "Assign": {"Type": "Pass", "Assign": {"x": 1}, "Next": "Wait"},
        "Wait": {"Type": "Wait", "Seconds": 1, "Next": "Choice"},
        "Choice": {"Type": "Choice", "Choices": [], "Default": "Done"},
        "Done": {"Type": "Succeed", "Comment": "end"}
    }});
    let machine = parse_definition(&def.to_string()).unwrap_or_else(|e| panic!("{e}"));
    let through: Vec<&str> = machine
        .states
        .iter()
        .filter(|(_, state)| state.passes_input_through)
        .map(|(name, _)| name)
        .collect();
    assert_eq!(through, ["Plain", "Done"]);
}
