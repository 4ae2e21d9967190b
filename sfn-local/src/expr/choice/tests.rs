use sfn_json::{Map, Value, json};

use super::*;

fn matches(rule: Value, input: Value) -> Result<bool, StatesError> {
    let mut rule = rule;
    if let Some(map) = rule.as_object_mut() {
        map.insert("Next", json!("X"));
    }
    let rule = ChoiceRule::try_from(rule).map_err(StatesError::runtime)?;
    let context = json!({});
    let vars = Map::new();
    let scope = Scope {
        input: &input,
        context: &context,
        variables: &vars,
    };
    evaluate(&rule, &scope)
}

fn yes(rule: Value, input: Value) -> bool {
    match matches(rule.clone(), input) {
        Ok(b) => b,
        Err(e) => panic!("{rule}: {e}"),
    }
}

#[test]
fn type_mismatches_are_false() {
    for v in [
        json!(null),
        json!(1),
        json!([]),
        json!({"A": 0}),
        json!(true),
    ] {
        assert!(!yes(
            json!({"Variable": "$.v", "StringEquals": "1"}),
            json!({"v": v})
        ));
        assert!(!yes(
            json!({"Variable": "$.v", "TimestampEquals": "2012-10-09T19:00:55Z"}),
            json!({"v": v})
        ));
    }
    assert!(!yes(
        json!({"Variable": "$.v", "NumericEquals": 1}),
        json!({"v": "1"})
    ));
    assert!(!yes(
        json!({"Variable": "$.v", "BooleanEquals": false}),
        json!({"v": null})
    ));
}

#[test]
fn numeric_comparisons_by_value() {
    assert!(yes(
        json!({"Variable": "$.v", "NumericEquals": 0}),
        json!({"v": 0.0})
    ));
    assert!(yes(
        json!({"Variable": "$.v", "NumericLessThanPath": "$.w"}),
        json!({"v": 1, "w": 1.5})
    ));
    assert!(!yes(
        json!({"Variable": "$.v", "NumericGreaterThan": 1}),
        json!({"v": 1})
    ));
    assert!(yes(
        json!({"Variable": "$.v", "NumericGreaterThanEquals": 1}),
        json!({"v": 1})
    ));
    assert!(yes(
        json!({"Variable": "$.v", "NumericEquals": 9007199254740993i64}),
        json!({"v": 9007199254740993i64})
    ));
    assert!(!yes(
        json!({"Variable": "$.v", "NumericEquals": 9007199254740993i64}),
        json!({"v": 9007199254740992i64})
    ));
}

#[test]
fn strings_compare_by_utf16_units() {
    assert!(yes(
        json!({"Variable": "$.v", "StringLessThan": "AB"}),
        json!({"v": "A"})
    ));
    assert!(!yes(
        json!({"Variable": "$.v", "StringGreaterThan": "A "}),
        json!({"v": "A"})
    ));
    // U+FF61 sorts after U+1F600 in UTF-16 (surrogates are 0xD83D...) but before it by code point.
    assert!(yes(
        json!({"Variable": "$.v", "StringGreaterThan": "\u{1F600}"}),
        json!({"v": "\u{FF61}"})
    ));
}

#[test]
fn timestamps_compare_as_instants() {
    let rule = json!({"Variable": "$.v", "TimestampEquals": "2012-10-09T19:00:55Z"});
    assert!(yes(rule.clone(), json!({"v": "2012-10-09T21:00:55+02:00"})));
    assert!(!yes(rule, json!({"v": "2012-10-09 19:00:55Z"})));
    assert!(yes(
        json!({"Variable": "$.v", "TimestampLessThanPath": "$.w"}),
        json!({"v": "2012-10-09T19:00:55Z", "w": "2012-10-09T19:00:56Z"})
    ));
}

#[test]
fn type_tests() {
    let input = json!({"n": null, "i": 1, "s": "x", "b": false, "t": "2016-03-14T01:59:00Z"});
    for (path, test) in [
        ("$.n", "IsNull"),
        ("$.i", "IsNumeric"),
        ("$.s", "IsString"),
        ("$.b", "IsBoolean"),
        ("$.t", "IsTimestamp"),
        ("$.t", "IsString"),
    ] {
        assert!(
            yes(json!({"Variable": path, test: true}), input.clone()),
            "{path} {test}"
        );
        assert!(
            !yes(json!({"Variable": path, test: false}), input.clone()),
            "{path} {test}"
        );
    }
    assert!(!yes(
        json!({"Variable": "$.s", "IsTimestamp": true}),
        input.clone()
    ));
    assert!(yes(
        json!({"Variable": "$.missing", "IsPresent": false}),
        input.clone()
    ));
    assert!(yes(
        json!({"Variable": "$.n", "IsPresent": true}),
        input.clone()
    ));
    assert!(yes(
        json!({"Variable": "$.missing[*]", "IsPresent": false}),
        input
    ));
}

#[test]
fn missing_paths_fail_with_aws_wording() {
    let err = matches(json!({"Variable": "$.missing", "IsNull": true}), json!({})).unwrap_err();
    assert_eq!(err.error, "States.Runtime");
    assert_eq!(
        err.cause,
        "Invalid path '$.missing': The choice state's condition path references an invalid value."
    );
    let err = matches(
        json!({"Variable": "$.a", "NumericEqualsPath": "$.b"}),
        json!({"a": 1}),
    )
    .unwrap_err();
    assert!(err.cause.starts_with("Invalid path '$.b'"), "{}", err.cause);
}

#[test]
fn combinators_short_circuit() {
    let input = json!({"a": 3});
    assert!(yes(
        json!({"And": [{"Variable": "$", "IsPresent": true}, {"Not": {"Variable": "$.a", "NumericEquals": 4}}]}),
        input.clone()
    ));
    // The second rule would fail on the missing path; Or stops at the first true.
    assert!(yes(
        json!({"Or": [{"Variable": "$.a", "NumericEquals": 3}, {"Variable": "$.zz", "IsNull": true}]}),
        input
    ));
}

#[test]
fn string_matches_wildcards_and_escapes() {
    for (text, pattern, expected) in [
        ("log-2024.txt", "log-*.txt", true),
        ("log-.txt", "log-*.txt", true),
        ("log.txt", "log-*.txt", false),
        ("a*b", "a\\*b", true),
        ("axb", "a\\*b", false),
        ("a\\b", "a\\\\b", true),
        ("anything", "*", true),
        ("", "*", true),
        ("abcabd", "*abd", true),
        ("ab", "a*b*c", false),
    ] {
        assert_eq!(
            string_matches(text, pattern),
            expected,
            "{text} ~ {pattern}"
        );
    }
}

#[test]
fn static_check_of_paths_and_timestamps() {
    let rule = |v: Value| ChoiceRule::try_from(v).map_err(|e| e.to_string());
    assert!(
        check(&rule(json!({"Variable": "$.a", "StringEqualsPath": "$.b", "Next": "X"})).unwrap())
            .is_ok()
    );
    assert!(
        check(&rule(json!({"Variable": "a", "StringEquals": "b", "Next": "X"})).unwrap()).is_err()
    );
    assert!(
        check(
            &rule(json!({"Variable": "$.a", "TimestampEquals": "yesterday", "Next": "X"})).unwrap()
        )
        .is_err()
    );
}

#[test]
fn jsonata_conditions_go_to_the_plugged_evaluator() {
    let rule = ChoiceRule::try_from(json!({"Condition": "{% $x %}", "Next": "N"}))
        .unwrap_or_else(|e| panic!("{e}"));
    let input = json!({});
    let context = json!({});
    let vars = Map::new();
    let scope = Scope {
        input: &input,
        context: &context,
        variables: &vars,
    };
    assert!(evaluate(&rule, &scope).is_err());
    let mut seen = Vec::new();
    let result = evaluate_with(&rule, &scope, &mut |c| {
        seen.push(c.clone());
        Ok(true)
    });
    assert_eq!(result, Ok(true));
    assert_eq!(seen, vec![json!("{% $x %}")]);
}
