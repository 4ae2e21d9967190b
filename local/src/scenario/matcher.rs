//! Compares an expected JSON value, which may hold patterns, with an actual one and names every
//! difference by its path (`order.shipment.carrier`, `payments[0].status`).
//!
//! Patterns are strings in angle brackets: `<absent>` (the field must not exist), `<present>`
//! (it must exist, any value), `<any>` (anything, or nothing: the run does not decide it),
//! `<timestamp>` (an RFC 3339 date-time) and `<regex R>` (a string that R matches; anchor R
//! yourself). Objects match when every expected key matches (keys not named are not checked),
//! except `{}`, which expects an empty object; arrays match element by element and must have
//! the same length; numbers compare by value.

use regex::Regex;
use sfn_json::Value;
use std::fmt;

/// One difference between what a scenario expected and what its run did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mismatch {
    /// Where: `order.status`, `inventory.SKU-APPLE.available`, `states`.
    pub path: String,
    /// What: `expected COMPLETED, got FAILED`.
    pub message: String,
}

impl Mismatch {
    pub fn new(path: impl Into<String>, message: impl Into<String>) -> Self {
        Mismatch {
            path: path.into(),
            message: message.into(),
        }
    }
}

impl fmt::Display for Mismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.message)
    }
}

/// A pattern written as a string in an expectation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pattern<'a> {
    Absent,
    Present,
    Any,
    Timestamp,
    Regex(&'a str),
}

/// RFC 3339 date-time, as the functions write `createdAt`, `updatedAt` and history `at`.
pub const TIMESTAMP: &str = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$";

impl<'a> Pattern<'a> {
    /// The pattern a string stands for, if it is one.
    pub fn parse(text: &'a str) -> Option<Self> {
        let inner = text.strip_prefix('<')?.strip_suffix('>')?;
        match inner {
            "absent" => Some(Pattern::Absent),
            "present" => Some(Pattern::Present),
            "any" => Some(Pattern::Any),
            "timestamp" => Some(Pattern::Timestamp),
            _ => inner.strip_prefix("regex ").map(Pattern::Regex),
        }
    }
}

/// Every difference between `expected` and `actual` (`None`: the field does not exist).
pub fn compare(path: &str, expected: &Value, actual: Option<&Value>) -> Vec<Mismatch> {
    let mut found = Vec::new();
    compare_into(path, expected, actual, &mut found);
    found
}

fn compare_into(path: &str, expected: &Value, actual: Option<&Value>, found: &mut Vec<Mismatch>) {
    // A DynamoDB NULL and a missing attribute mean the same to the workflow.
    let actual = actual.filter(|v| !v.is_null());
    if let Value::String(text) = expected
        && let Some(pattern) = Pattern::parse(text)
    {
        if let Some(problem) = check_pattern(pattern, actual) {
            found.push(Mismatch::new(path, problem));
        }
        return;
    }
    let Some(actual) = actual else {
        found.push(Mismatch::new(
            path,
            format!("expected {}, got nothing", describe(expected)),
        ));
        return;
    };
    match (expected, actual) {
        (Value::Object(want), Value::Object(got)) => {
            if want.is_empty() && !got.is_empty() {
                found.push(Mismatch::new(
                    path,
                    format!("expected {{}}, got {}", describe(actual)),
                ));
            }
            for (key, value) in want {
                compare_into(&join(path, key), value, got.get(key), found);
            }
        }
        (Value::Array(want), Value::Array(got)) => {
            if want.len() != got.len() {
                found.push(Mismatch::new(
                    path,
                    format!(
                        "expected {} entries, got {}: {}",
                        want.len(),
                        got.len(),
                        describe(actual)
                    ),
                ));
                return;
            }
            for (i, (value, item)) in want.iter().zip(got).enumerate() {
                compare_into(&format!("{path}[{i}]"), value, Some(item), found);
            }
        }
        (Value::Number(want), Value::Number(got)) if same_number(want, got) => {}
        _ if expected == actual => {}
        _ => {
            let (mut want, mut got) = (describe(expected), describe(actual));
            if want == got {
                // Same text, different JSON types (500 and "500"): show them as JSON.
                (want, got) = (expected.to_string(), actual.to_string());
            }
            found.push(Mismatch::new(path, format!("expected {want}, got {got}")));
        }
    }
}

fn check_pattern(pattern: Pattern<'_>, actual: Option<&Value>) -> Option<String> {
    match (pattern, actual) {
        (Pattern::Any, _) | (Pattern::Absent, None) => None,
        (Pattern::Absent, Some(value)) => Some(format!("expected absent, got {}", describe(value))),
        (_, None) => Some(format!("expected {}, got nothing", pattern_name(pattern))),
        (Pattern::Present, Some(_)) => None,
        (Pattern::Timestamp, Some(value)) => matches_regex(TIMESTAMP, value)
            .err()
            .map(|e| format!("expected a timestamp, got {e}")),
        (Pattern::Regex(re), Some(value)) => matches_regex(re, value)
            .err()
            .map(|e| format!("expected a string matching /{re}/, got {e}")),
    }
}

fn pattern_name(pattern: Pattern<'_>) -> String {
    match pattern {
        Pattern::Absent => "absent".into(),
        Pattern::Present => "a value".into(),
        Pattern::Any => "anything".into(),
        Pattern::Timestamp => "a timestamp".into(),
        Pattern::Regex(re) => format!("a string matching /{re}/"),
    }
}

/// `Ok` when `value` is a string that `re` matches; `Err` describes what it got instead.
fn matches_regex(re: &str, value: &Value) -> Result<(), String> {
    let regex = Regex::new(re).map_err(|e| format!("(invalid pattern: {e})"))?;
    match value {
        Value::String(text) if regex.is_match(text) => Ok(()),
        other => Err(describe(other)),
    }
}

fn same_number(a: &sfn_json::Number, b: &sfn_json::Number) -> bool {
    if let (Some(x), Some(y)) = (a.as_i64(), b.as_i64()) {
        return x == y;
    }
    if let (Some(x), Some(y)) = (a.as_u64(), b.as_u64()) {
        return x == y;
    }
    a.as_f64() == b.as_f64()
}

/// `order` + `status` → `order.status`.
pub fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

/// A value as a person reads it in a message: strings bare, the rest as compact JSON, cut short.
pub fn describe(value: &Value) -> String {
    const LIMIT: usize = 160;
    let text = match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    if text.chars().count() > LIMIT {
        let cut: String = text.chars().take(LIMIT).collect();
        format!("{cut}…")
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sfn_json::json;

    fn messages(expected: Value, actual: Value) -> Vec<String> {
        compare("order", &expected, Some(&actual))
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    #[test]
    fn names_the_path_and_both_values() {
        assert_eq!(
            messages(json!({"status": "COMPLETED"}), json!({"status": "FAILED"})),
            ["order.status: expected COMPLETED, got FAILED"]
        );
        assert_eq!(
            messages(json!({"a": [1, {"b": 2}]}), json!({"a": [1, {"b": 3}]})),
            ["order.a[1].b: expected 2, got 3"]
        );
    }

    #[test]
    fn keys_not_named_are_not_checked_but_named_ones_must_exist() {
        assert!(messages(json!({"a": 1}), json!({"a": 1, "b": 2})).is_empty());
        assert_eq!(
            messages(json!({"c": "x"}), json!({"a": 1})),
            ["order.c: expected x, got nothing"]
        );
    }

    #[test]
    fn absent_present_and_any() {
        let pattern = json!({"gone": "<absent>", "here": "<present>", "open": "<any>"});
        assert!(messages(pattern.clone(), json!({"here": 0})).is_empty());
        assert!(
            messages(
                pattern.clone(),
                json!({"here": 0, "open": [1], "gone": null})
            )
            .is_empty()
        );
        assert_eq!(
            messages(pattern, json!({"gone": {"x": 1}})),
            [
                "order.gone: expected absent, got {\"x\":1}",
                "order.here: expected a value, got nothing"
            ]
        );
    }

    #[test]
    fn timestamps_and_regexes() {
        let pattern = json!({"at": "<timestamp>", "id": "<regex ^ch_[0-9a-f]{4}$>"});
        assert!(
            messages(
                pattern.clone(),
                json!({"at": "2026-11-24T08:38:26.123Z", "id": "ch_00af"})
            )
            .is_empty()
        );
        assert_eq!(
            messages(pattern, json!({"at": "yesterday", "id": 7})),
            [
                "order.at: expected a timestamp, got yesterday",
                "order.id: expected a string matching /^ch_[0-9a-f]{4}$/, got 7"
            ]
        );
    }

    #[test]
    fn an_invalid_regex_is_a_mismatch_not_a_panic() {
        let found = messages(json!({"id": "<regex ([>"}), json!({"id": "x"}));
        assert_eq!(found.len(), 1);
        assert!(found[0].contains("invalid pattern"), "{found:?}");
    }

    #[test]
    fn an_empty_object_expects_an_empty_object() {
        assert!(messages(json!({"r": {}}), json!({"r": {}})).is_empty());
        assert_eq!(
            messages(json!({"r": {}}), json!({"r": {"SKU-A": 1}})),
            ["order.r: expected {}, got {\"SKU-A\":1}"]
        );
    }

    #[test]
    fn arrays_must_have_the_same_length() {
        assert_eq!(
            messages(json!([1, 2]), json!([1])),
            ["order: expected 2 entries, got 1: [1]"]
        );
    }

    #[test]
    fn numbers_compare_by_value_and_types_must_agree() {
        assert!(messages(json!({"n": 500}), json!({"n": 500.0})).is_empty());
        assert_eq!(
            messages(json!({"n": 500}), json!({"n": "500"})),
            ["order.n: expected 500, got \"500\""]
        );
    }
}
