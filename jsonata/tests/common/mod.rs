//! Shared helpers for the integration tests: the case table and result comparison.

use sfn_json::Value;
use sfn_jsonata::{Bindings, Expression, Outcome};

pub struct Case {
    pub group: String,
    pub expr: String,
    pub input: Option<Value>,
    pub bindings: Option<Value>,
    pub aws: bool,
    pub expect: Expect,
}

pub enum Expect {
    Value(Value),
    Undefined,
    Error(String),
    Function,
}

fn dataset(name: &str) -> Value {
    let text = match name {
        "account" => include_str!("../data/account.json"),
        "person" => include_str!("../data/person.json"),
        other => panic!("unknown dataset {other}"),
    };
    serde_json::from_str(text).expect("dataset is valid JSON")
}

pub fn load_cases() -> Vec<Case> {
    let table: Vec<Value> =
        serde_json::from_str(include_str!("../data/cases.json")).expect("cases.json is valid JSON");
    table
        .into_iter()
        .map(|c| {
            let input = match (c.get("data").and_then(Value::as_str), c.get("input")) {
                (Some(name), _) => Some(dataset(name)),
                (None, Some(v)) => Some(v.clone()),
                (None, None) => None,
            };
            let expect = if let Some(code) = c.get("error").and_then(Value::as_str) {
                Expect::Error(code.to_string())
            } else if c.get("undefined").is_some() {
                Expect::Undefined
            } else if c.get("function").is_some() {
                Expect::Function
            } else {
                Expect::Value(c.get("result").cloned().expect("case has a result"))
            };
            Case {
                group: c
                    .get("group")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_string(),
                expr: c
                    .get("expr")
                    .and_then(Value::as_str)
                    .expect("case has expr")
                    .to_string(),
                input,
                bindings: c.get("bindings").cloned(),
                aws: c.get("aws").and_then(Value::as_bool).unwrap_or(false),
                expect,
            }
        })
        .collect()
}

/// JSON equality with a relative tolerance on numbers (JavaScript and Rust may round the last bit differently).
pub fn json_close(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            let (x, y) = (
                x.as_f64().unwrap_or(f64::NAN),
                y.as_f64().unwrap_or(f64::NAN),
            );
            x == y || (x - y).abs() <= 1e-9 * x.abs().max(y.abs())
        }
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| json_close(p, q))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| json_close(v, w)))
        }
        _ => a == b,
    }
}

pub fn check_case(case: &Case) -> Result<(), String> {
    let label = format!("[{}] {}", case.group, case.expr);
    let mut bindings = if case.aws {
        Bindings::with_aws_functions()
    } else {
        Bindings::new()
    };
    if let Some(Value::Object(b)) = &case.bindings {
        for (k, v) in b {
            bindings.insert(k.clone(), v.clone());
        }
    }
    let outcome = Expression::parse(&case.expr)
        .and_then(|e| e.evaluate_outcome(case.input.as_ref(), &bindings));
    match (&case.expect, outcome) {
        (Expect::Error(code), Err(e)) if &e.code == code => Ok(()),
        (Expect::Undefined, Ok(Outcome::Undefined)) => Ok(()),
        (Expect::Function, Ok(Outcome::Function)) => Ok(()),
        (Expect::Value(v), Ok(Outcome::Value(got))) if json_close(v, &got) => Ok(()),
        (expect, got) => {
            let wanted = match expect {
                Expect::Value(v) => v.to_string(),
                Expect::Undefined => "undefined".into(),
                Expect::Error(c) => format!("error {c}"),
                Expect::Function => "function".into(),
            };
            Err(format!("{label}: expected {wanted}, got {got:?}"))
        }
    }
}
