//! Payload templates (Parameters, ResultSelector, ItemSelector, ...): keys ending in `.$` take
//! a path (`$.x`), a context path (`$$.x`), a variable (`$name`) or an intrinsic call, and lose
//! the suffix; everything else is copied, objects and arrays recursively.

use sfn_json::{Map, Value};

use super::path::{self, JsonPath, Root};
use super::{Scope, intrinsic};
use crate::error::StatesError;

/// Evaluate a payload template against the scope.
pub fn evaluate(template: &Value, scope: &Scope) -> Result<Value, StatesError> {
    match template {
        Value::Object(map) => {
            let mut out = Map::with_capacity(map.len());
            for (key, value) in map {
                match key.strip_suffix(".$") {
                    Some(name) => {
                        out.insert(name.to_string(), field_value(key, value, scope)?);
                    }
                    None => {
                        out.insert(key.clone(), evaluate(value, scope)?);
                    }
                }
            }
            Ok(Value::Object(out))
        }
        Value::Array(items) => items
            .iter()
            .map(|item| evaluate(item, scope))
            .collect::<Result<Vec<_>, _>>()
            .map(Value::Array),
        other => Ok(other.clone()),
    }
}

/// The value of the `.$` field `key`: `value` must be a string.
pub fn field_value(key: &str, value: &Value, scope: &Scope) -> Result<Value, StatesError> {
    let Value::String(expression) = value else {
        return Err(StatesError::runtime(format!(
            "The value for the field '{key}' must be a STRING that contains a JSONPath or an intrinsic function call"
        )));
    };
    expression_value(expression, key, scope)
}

/// The value of one `.$` field.
pub fn expression_value(
    expression: &str,
    field: &str,
    scope: &Scope,
) -> Result<Value, StatesError> {
    if intrinsic::is_intrinsic(expression) {
        return intrinsic::evaluate_for(expression, Some(field), scope);
    }
    if let Some(Some(found)) = path::lookup(expression, scope) {
        return Ok(found.clone());
    }
    let parsed = path::parse(expression).map_err(|reason| {
        StatesError::runtime(format!(
            "The value for the field '{field}' must be a valid JSONPath or a valid intrinsic function call: {reason}"
        ))
    })?;
    path::evaluate(&parsed, scope)?.ok_or_else(|| path_failure(expression, field, &parsed, scope))
}

/// AWS's cause when a `.$` path selects nothing.
pub fn path_failure(text: &str, field: &str, parsed: &JsonPath, scope: &Scope) -> StatesError {
    let input = match parsed.root {
        Root::Context => scope.context,
        _ => scope.input,
    };
    StatesError::runtime(format!(
        "The JSONPath '{text}' specified for the field '{field}' could not be found in the input '{}'",
        path::compact(input)
    ))
}

/// Static check of every `.$` value in a template, for validation.
pub fn check(template: &Value) -> Result<(), String> {
    match template {
        Value::Object(map) => {
            let mut seen = std::collections::HashSet::new();
            for (key, value) in map {
                let name = key.strip_suffix(".$").unwrap_or(key);
                if !seen.insert(name) {
                    return Err(format!(
                        "The field '{name}' appears more than once after the '.$' suffixes are removed"
                    ));
                }
                if key.ends_with(".$") {
                    check_expression(key, value)?;
                } else {
                    check(value)?;
                }
            }
            Ok(())
        }
        Value::Array(items) => items.iter().try_for_each(check),
        _ => Ok(()),
    }
}

fn check_expression(key: &str, value: &Value) -> Result<(), String> {
    let invalid = |reason: String| {
        format!(
            "The value for the field '{key}' must be a valid JSONPath or a valid intrinsic function call ({reason})"
        )
    };
    let Value::String(expression) = value else {
        return Err(invalid("not a string".into()));
    };
    if intrinsic::is_intrinsic(expression) {
        intrinsic::check(expression).map_err(invalid)
    } else {
        path::check_path(expression).map_err(invalid)
    }
}

#[cfg(test)]
mod tests {
    use sfn_json::{Map, json};

    use super::*;

    fn eval(template: Value, input: Value) -> Result<Value, StatesError> {
        let context = json!({"Map": {"Item": {"Value": 7, "Index": 0}}});
        let vars = Map::new();
        let scope = Scope {
            input: &input,
            context: &context,
            variables: &vars,
        };
        evaluate(&template, &scope)
    }

    #[test]
    fn nested_templates_resolve_paths_context_and_intrinsics() {
        let template = json!({
            "a.$": "$.x",
            "lit": {"k": [1, {"b.$": "$$.Map.Item.Value"}]},
            "c.$": "States.Format('v={}', $.x)",
            "keep": "$.x"
        });
        let out = eval(template, json!({"x": 3})).unwrap();
        assert_eq!(
            out,
            json!({"a": 3, "lit": {"k": [1, {"b": 7}]}, "c": "v=3", "keep": "$.x"})
        );
    }

    #[test]
    fn missing_path_uses_aws_cause() {
        let err = eval(
            json!({"value.$": "$.no_such_jsonpath"}),
            json!({"int-literal": 0}),
        )
        .unwrap_err();
        assert_eq!(err.error, "States.Runtime");
        assert_eq!(
            err.cause,
            "The JSONPath '$.no_such_jsonpath' specified for the field 'value.$' could not be found in the input '{\"int-literal\":0}'"
        );
        let err = eval(json!({"v.$": "States.Array($.nope)"}), json!({})).unwrap_err();
        assert!(
            err.cause.contains("specified for the field 'v.$'"),
            "{}",
            err.cause
        );
    }

    #[test]
    fn check_finds_bad_expressions() {
        assert!(check(&json!({"a.$": "$.x", "b": {"c.$": "States.UUID()"}})).is_ok());
        assert!(check(&json!({"a.$": "States.Nope()"})).is_err());
        assert!(check(&json!({"a.$": "x"})).is_err());
        assert!(check(&json!({"a.$": 1})).is_err());
        assert!(check(&json!({"a.$": "$.x", "a": 1})).is_err());
        assert!(check(&json!([{"a.$": "States.ArrayRange(1, 2)"}])).is_err());
    }
}
