//! The JSONata query language in a state: `{% expr %}` strings anywhere in a field's value,
//! evaluated with `$states` and the workflow variables bound, with AWS's
//! `States.QueryEvaluationError` causes.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex, PoisonError};

use sfn_json::{Map, Value};
use sfn_jsonata::{Bindings, Expression, FUNCTION_RESULT, JsonataError};

use crate::error::{StatesError, names};

/// Parsed expressions by source text: a state's expressions are parsed once per process.
static CACHE: LazyLock<Mutex<HashMap<String, Arc<Expression>>>> =
    LazyLock::new(|| Mutex::new(HashMap::new()));

/// Most distinct expressions kept (a definition has far fewer; this bounds hostile input).
const CACHE_LIMIT: usize = 10_000;

/// The expression inside a `{% ... %}` string, or `None` for a plain value.
pub fn expression_text(value: &Value) -> Option<&str> {
    let s = value.as_str()?;
    s.strip_prefix("{%")?.strip_suffix("%}").map(str::trim)
}

/// Parse (or fetch the parsed form of) an expression.
pub fn parse(source: &str) -> Result<Arc<Expression>, JsonataError> {
    let mut cache = CACHE.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some(expr) = cache.get(source) {
        return Ok(Arc::clone(expr));
    }
    let expr = Arc::new(Expression::parse(source)?);
    if cache.len() >= CACHE_LIMIT {
        cache.clear();
    }
    cache.insert(source.to_owned(), Arc::clone(&expr));
    Ok(expr)
}

/// What a JSONata expression sees: `$states` and the workflow variables.
pub struct JsonataScope<'a> {
    pub states: &'a Value,
    pub variables: &'a Map,
}

impl<'a> JsonataScope<'a> {
    fn bindings(&self) -> Bindings<'a> {
        let mut bindings = Bindings::with_aws_functions();
        for (name, value) in self.variables {
            bindings.insert_ref(name.clone(), value);
        }
        bindings.insert_ref("states", self.states);
        bindings
    }
}

fn query_error(expr: &str, field: &str, what: &str) -> StatesError {
    StatesError::new(
        names::QUERY_EVALUATION_ERROR,
        format!("The JSONata expression '{expr}' specified for the field '{field}' {what}"),
    )
}

/// Evaluate one expression for `field` (named as AWS names it: `Output/result`, `Items`).
pub fn evaluate_expression(
    expr: &str,
    field: &str,
    scope: &JsonataScope<'_>,
) -> Result<Value, StatesError> {
    let parsed = parse(expr).map_err(|e| {
        query_error(
            expr,
            field,
            &format!("threw an error during evaluation. {e}"),
        )
    })?;
    match parsed.evaluate(None, &scope.bindings()) {
        Ok(Some(value)) => Ok(value),
        Ok(None) => Err(query_error(expr, field, "returned nothing (undefined).")),
        Err(e) if e.code == FUNCTION_RESULT => Err(query_error(
            expr,
            field,
            "returned an unsupported result type.",
        )),
        Err(e) => Err(query_error(
            expr,
            field,
            &format!("threw an error during evaluation. {e}"),
        )),
    }
}

/// Evaluate a field's value: `{% %}` strings are expressions, objects and arrays recurse,
/// everything else is a literal.
pub fn evaluate(
    value: &Value,
    field: &str,
    scope: &JsonataScope<'_>,
) -> Result<Value, StatesError> {
    if let Some(expr) = expression_text(value) {
        return evaluate_expression(expr, field, scope);
    }
    match value {
        Value::Object(map) => {
            let mut out = Map::with_capacity(map.len());
            for (key, item) in map {
                let value = evaluate(item, &format!("{field}/{key}"), scope)?;
                out.insert(key.clone(), value);
            }
            Ok(Value::Object(out))
        }
        Value::Array(items) => items
            .iter()
            .enumerate()
            .map(|(i, item)| evaluate(item, &format!("{field}[{i}]"), scope))
            .collect::<Result<Vec<_>, _>>()
            .map(Value::Array),
        other => Ok(other.clone()),
    }
}

/// The JSON type name AWS uses in "Expected 'array', but was 'object'".
pub fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// Evaluate a field that must produce a value of one JSON type (`Items`: array, ...).
pub fn evaluate_typed(
    value: &Value,
    field: &str,
    expected: &str,
    scope: &JsonataScope<'_>,
) -> Result<Value, StatesError> {
    let result = evaluate(value, field, scope)?;
    if type_name(&result) == expected {
        return Ok(result);
    }
    let shown = expression_text(value)
        .map(str::to_owned)
        .unwrap_or_else(|| value.to_string());
    Err(query_error(
        &shown,
        field,
        &format!(
            "returned an unexpected result type. Expected '{expected}', but was '{}' for value: {result}",
            type_name(&result)
        ),
    ))
}

/// Every `{% %}` expression in a value, for validation (syntax and free variables).
pub fn expressions_in(value: &Value, out: &mut Vec<String>) {
    if let Some(expr) = expression_text(value) {
        out.push(expr.to_owned());
        return;
    }
    match value {
        Value::Object(map) => map.values().for_each(|v| expressions_in(v, out)),
        Value::Array(items) => items.iter().for_each(|v| expressions_in(v, out)),
        _ => {}
    }
}

/// Static check of one expression: its syntax error, AWS-style.
pub fn check(expr: &str) -> Result<Arc<Expression>, String> {
    parse(expr).map_err(|e| format!("invalid JSONata expression '{expr}': {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use sfn_json::json;

    fn run(value: Value, field: &str, states: Value, vars: Value) -> Result<Value, StatesError> {
        let Value::Object(variables) = vars else {
            return Err(StatesError::runtime("vars must be an object"));
        };
        evaluate(
            &value,
            field,
            &JsonataScope {
                states: &states,
                variables: &variables,
            },
        )
    }

    #[test]
    fn expressions_nest_in_objects_and_arrays() {
        let out = run(
            json!({"a": "{% $states.input.x + 1 %}", "b": ["{% $v %}", "lit"], "c": " {% x %} "}),
            "Output",
            json!({"input": {"x": 1}}),
            json!({"v": "var"}),
        );
        assert_eq!(
            out,
            Ok(json!({"a": 2, "b": ["var", "lit"], "c": " {% x %} "}))
        );
    }

    #[test]
    fn undefined_names_the_field_path() {
        let err = run(
            json!({"result": "{% $nope %}"}),
            "Output",
            json!({}),
            json!({}),
        );
        assert_eq!(
            err.map_err(|e| e.cause),
            Err("The JSONata expression '$nope' specified for the field 'Output/result' returned nothing (undefined).".to_owned())
        );
    }

    #[test]
    fn evaluation_errors_carry_the_jsonata_code() {
        let err = run(json!("{% $nofn(1) %}"), "Output", json!({}), json!({}))
            .map_err(|e| (e.error, e.cause));
        assert_eq!(
            err,
            Err((
                names::QUERY_EVALUATION_ERROR.to_owned(),
                "The JSONata expression '$nofn(1)' specified for the field 'Output' threw an error during evaluation. T1006: Attempted to invoke a non-function".to_owned()
            ))
        );
    }

    #[test]
    fn typed_fields_report_the_type() {
        let states = json!({});
        let variables = Map::new();
        let scope = JsonataScope {
            states: &states,
            variables: &variables,
        };
        let err = evaluate_typed(&json!("{% true %}"), "Items", "array", &scope);
        assert_eq!(err.map_err(|e| e.cause), Err("The JSONata expression 'true' specified for the field 'Items' returned an unexpected result type. Expected 'array', but was 'boolean' for value: true".to_owned()));
        assert_eq!(
            evaluate_typed(&json!([1, "{% 1 + 1 %}"]), "Items", "array", &scope),
            Ok(json!([1, 2]))
        );
    }
}
