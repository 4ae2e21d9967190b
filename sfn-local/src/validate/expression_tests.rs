//! Creation-time JSONata checks: each rule refused and accepted, with AWS's codes, messages
//! and locations (see `docs/validation.md` for which wordings are AWS's recorded ones).

use sfn_json::{Value, json};

use super::{SCHEMA_VALIDATION_FAILED, ValidationError, validate};
use crate::model::parse_value;

fn errors(definition: Value) -> Vec<ValidationError> {
    match parse_value(definition) {
        Ok(machine) => validate(&machine),
        Err(e) => panic!("definition does not parse: {e}"),
    }
}

/// `(code, AWS message, location)` of every JSONata diagnostic.
fn diagnostics(definition: Value) -> Vec<(String, String, String)> {
    errors(definition)
        .into_iter()
        .map(|e| {
            let location = e.location.clone().unwrap_or_default();
            let message = aws_message(&e);
            (e.code.to_owned(), message, location)
        })
        .collect()
}

/// The message between the code and the location, as AWS prints it.
fn aws_message(e: &ValidationError) -> String {
    let start = e.message.find(e.code).map_or(0, |i| i + e.code.len() + 2);
    let end = e
        .location
        .as_ref()
        .and_then(|l| e.message.rfind(&format!(" at {l}")))
        .unwrap_or(e.message.len());
    e.message.get(start..end).unwrap_or_default().to_owned()
}

fn pass_output(output: Value) -> Value {
    json!({"QueryLanguage": "JSONata", "StartAt": "E", "States": {
        "E": {"Type": "Pass", "Output": output, "End": true}
    }})
}

fn top_level(name: &str, location: &str) -> (String, String, String) {
    (
        "UNSUPPORTED_JSONATA_EXPRESSION".to_owned(),
        format!("Reference to '{name}' at the top level is not supported."),
        location.to_owned(),
    )
}

fn expression(expr: &str) -> Vec<(String, String, String)> {
    diagnostics(pass_output(json!({"v": format!("{{% {expr} %}}")})))
}

#[test]
fn an_expression_that_does_not_parse_is_refused_with_the_parser_message() {
    let def = json!({"QueryLanguage": "JSONata", "StartAt": "T", "States": {
        "T": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": true,
              "Arguments": {"a": {"b": [1, 2, "{% 1 + %}"]}}}
    }});
    let found = errors(def);
    assert_eq!(found.len(), 1, "{found:?}");
    let e = &found[0];
    assert_eq!(e.code, "INVALID_JSONATA_EXPRESSION");
    assert_eq!(e.location.as_deref(), Some("/States/T/Arguments/a/b[2]"));
    assert_eq!(
        e.to_string(),
        "State 'T': field 'Arguments/a/b[2]': invalid JSONata expression '1 +': \
         INVALID_JSONATA_EXPRESSION: Unexpected end of expression at /States/T/Arguments/a/b[2]"
    );
    for (expr, message) in [
        ("a[1,2)", "Expected \"]\", got \",\""),
        (
            "\"unterminated",
            "String literal must be terminated by a matching quote",
        ),
        ("", "Unexpected end of expression"),
        (
            "$match(\"a\", /abc",
            "No terminating / in regular expression",
        ),
    ] {
        let found = expression(expr);
        let expected = (
            "INVALID_JSONATA_EXPRESSION".to_owned(),
            message.to_owned(),
            "/States/E/Output/v".to_owned(),
        );
        assert_eq!(found, vec![expected], "{expr}");
    }
}

#[test]
fn a_bare_name_read_at_the_top_level_is_refused() {
    for expr in [
        "phone",
        "phone[0].number",
        "-phone",
        "phone ? 1 : 2",
        "$states.input.a ? phone : 2",
        "phone & 'x'",
        "$sum(phone)",
        "phone(1)",
        "phone ~> $string()",
        "[phone, 1]",
        "{phone: 1}",
        "($x := phone; $x)",
        "(phone).other",
        "$map($states.input.a, function($y){ phone })",
    ] {
        assert_eq!(
            expression(expr),
            vec![top_level("phone", "/States/E/Output/v")],
            "{expr}"
        );
    }
}

#[test]
fn a_name_read_from_a_value_is_accepted() {
    for expr in [
        "$states.input.phone",
        "$states.input.items[phone > 3]",
        "$states.input.a^(phone)",
        "$states.input.a{'k': phone}",
        "$states.input.a.(phone)",
        "$states.input.items.{'a': price}",
        "$states.input ~> |phone|{'b': 1}|",
        "$map($states.input.items, function($v){ $v.price })",
        "$states.input.a[$ > 1]",
        "**.phone",
        "'phone'",
        "$doesNotExist",
    ] {
        assert_eq!(expression(expr), Vec::new(), "{expr}");
    }
}

#[test]
fn the_context_item_and_the_root_are_refused() {
    assert_eq!(
        expression("$.phone"),
        vec![top_level("$", "/States/E/Output/v")]
    );
    assert_eq!(
        expression("$$.phone"),
        vec![(
            "UNSUPPORTED_JSONATA_EXPRESSION".to_owned(),
            "Reference to '$$' is not supported.".to_owned(),
            "/States/E/Output/v".to_owned(),
        )]
    );
}

#[test]
fn each_distinct_name_is_one_diagnostic() {
    assert_eq!(
        expression("aaa + bbb + aaa"),
        vec![
            top_level("aaa", "/States/E/Output/v"),
            top_level("bbb", "/States/E/Output/v")
        ]
    );
}

#[test]
fn every_jsonata_field_is_checked_at_its_own_location() {
    let def = json!({"QueryLanguage": "JSONata", "StartAt": "C", "States": {
        "C": {"Type": "Choice", "Choices": [
            {"Condition": "{% a = 1 %}", "Next": "W", "Assign": {"x": "{% b %}"}}
        ], "Default": "W"},
        "W": {"Type": "Wait", "Seconds": "{% c %}", "Next": "M"},
        "M": {"Type": "Map", "Items": "{% d %}", "ItemSelector": {"k": "{% e %}"},
              "ItemBatcher": {"BatchInput": {"Comment": "{% f %}"}},
              "ItemProcessor": {"StartAt": "I", "States": {
                  "I": {"Type": "Pass", "Output": {"v": "{% g %}"}, "End": true}}},
              "Next": "P"},
        "P": {"Type": "Parallel", "Next": "T", "Branches": [{"StartAt": "B", "States": {
            "B": {"Type": "Pass", "Assign": {"Next": "{% h %}"}, "End": true}}}]},
        "T": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Next": "F",
              "Arguments": {"Payload": {"Comment": "{% i %}"}},
              "Catch": [{"ErrorEquals": ["States.ALL"], "Output": {"v": "{% j %}"}, "Next": "F"}]},
        "F": {"Type": "Fail", "Cause": "{% k %}"}
    }});
    let found = diagnostics(def);
    for (name, location) in [
        ("a", "/States/C/Choices[0]/Condition"),
        ("b", "/States/C/Choices[0]/Assign/x"),
        ("c", "/States/W/Seconds"),
        ("d", "/States/M/Items"),
        ("e", "/States/M/ItemSelector/k"),
        ("f", "/States/M/ItemBatcher/BatchInput/Comment"),
        ("g", "/States/M/ItemProcessor/States/I/Output/v"),
        ("h", "/States/P/Branches[0]/States/B/Assign/Next"),
        ("i", "/States/T/Arguments/Payload/Comment"),
        ("j", "/States/T/Catch[0]/Output/v"),
        ("k", "/States/F/Cause"),
    ] {
        assert!(
            found.contains(&top_level(name, location)),
            "{name}: {found:?}"
        );
    }
    assert_eq!(found.len(), 11, "{found:?}");
}

#[test]
fn jsonpath_states_and_comments_are_not_parsed_as_jsonata() {
    let def = json!({"StartAt": "E", "States": {
        "E": {"Type": "Pass", "Parameters": {"v": "{% phone %}"}, "Next": "J"},
        "J": {"Type": "Pass", "QueryLanguage": "JSONata", "Comment": "{% phone %}",
              "Output": {"v": " {% phone %} "}, "End": true}
    }});
    assert_eq!(errors(def), Vec::new());
}

#[test]
fn states_error_output_exists_only_in_a_catcher() {
    let task = |catcher: Value, output: Value| {
        json!({"QueryLanguage": "JSONata", "StartAt": "T", "States": {
            "T": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": true,
                  "Output": output, "Catch": [catcher]},
            "H": {"Type": "Pass", "End": true}
        }})
    };
    let accepted = task(
        json!({"ErrorEquals": ["States.ALL"], "Next": "H",
               "Output": "{% $states.errorOutput %}",
               "Assign": {"cause": "{% $states.errorOutput.Cause %}"}}),
        json!("{% $states.result %}"),
    );
    assert_eq!(errors(accepted), Vec::new());
    let refused = task(
        json!({"ErrorEquals": ["States.ALL"], "Next": "H"}),
        json!({"e": "{% $states.errorOutput.Error %}"}),
    );
    assert_eq!(
        diagnostics(refused),
        vec![(
            "UNSUPPORTED_JSONATA_EXPRESSION".to_owned(),
            "Field '$states.errorOutput' does not exist.".to_owned(),
            "/States/T/Output/e".to_owned(),
        )]
    );
    assert_eq!(expression("[$states.errorOutput]").len(), 1);
    assert_eq!(
        expression("function($states){ $states.errorOutput }"),
        Vec::new()
    );
}

#[test]
fn an_earlier_assign_does_not_make_a_bare_name_readable() {
    let def = |read: &str| {
        json!({"QueryLanguage": "JSONata", "StartAt": "A", "States": {
            "A": {"Type": "Pass", "Assign": {"phone": 1}, "Next": "E"},
            "E": {"Type": "Pass", "Output": {"v": format!("{{% {read} %}}")}, "End": true}
        }})
    };
    assert_eq!(
        diagnostics(def("phone")),
        vec![top_level("phone", "/States/E/Output/v")]
    );
    assert_eq!(errors(def("$phone")), Vec::new());
}

#[test]
fn other_problems_keep_the_schema_code_and_no_location() {
    let def = json!({"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "X"}}});
    let found = errors(def);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].code, SCHEMA_VALIDATION_FAILED);
    assert_eq!(found[0].location, None);
}

#[test]
fn a_deprecated_iterator_is_located_by_its_own_name() {
    let def = json!({"QueryLanguage": "JSONata", "StartAt": "M", "States": {
        "M": {"Type": "Map", "Items": "{% $states.input.items %}", "End": true,
              "Iterator": {"StartAt": "I", "States": {
                  "I": {"Type": "Fail", "Error": "{% code %}"}}}}
    }});
    assert_eq!(
        diagnostics(def),
        vec![top_level("code", "/States/M/Iterator/States/I/Error")]
    );
}
