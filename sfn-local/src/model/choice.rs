//! Choice rules: the boolean expressions of a Choice state's `Choices`.
//!
//! A rule is either a comparison (`Variable` + one operator such as `NumericGreaterThan` or its
//! `...Path` form), a type test (`IsNull`, `IsPresent`, ...), a combination (`And`, `Or`, `Not`),
//! or, in JSONata states, a `Condition`. Top-level rules also carry `Next`, `Assign`, `Output`.
//! Deserialisation checks the shape (one operator, operand types); path syntax is checked by
//! `expr::choice::check`, which can see the path parser.

use serde::Deserialize;
use sfn_json::{Map, Value};

/// A top-level rule of `Choices`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(try_from = "Value")]
pub struct ChoiceRule {
    pub condition: Condition,
    pub next: Option<String>,
    pub comment: Option<String>,
    /// Workflow variables to assign when this rule matches.
    pub assign: Option<Value>,
    /// JSONata: the state output when this rule matches.
    pub output: Option<Value>,
}

/// A boolean expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Condition {
    And(Vec<Condition>),
    Or(Vec<Condition>),
    Not(Box<Condition>),
    Compare {
        variable: String,
        operator: Operator,
        operand: Operand,
    },
    /// JSONata `Condition`: a `{% ... %}` string or a boolean.
    Jsonata(Value),
}

/// The right-hand side of a comparison.
#[derive(Debug, Clone, PartialEq)]
pub enum Operand {
    /// A literal from the definition.
    Literal(Value),
    /// A `...Path` operator's path.
    Path(String),
}

/// Which values a comparison applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    String,
    Numeric,
    Boolean,
    Timestamp,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Comparison {
    Equals,
    LessThan,
    GreaterThan,
    LessThanEquals,
    GreaterThanEquals,
}

/// A type test.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TypeTest {
    IsNull,
    IsPresent,
    IsNumeric,
    IsString,
    IsBoolean,
    IsTimestamp,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operator {
    Compare(Kind, Comparison),
    StringMatches,
    Test(TypeTest),
}

const KINDS: [(&str, Kind); 4] = [
    ("String", Kind::String),
    ("Numeric", Kind::Numeric),
    ("Boolean", Kind::Boolean),
    ("Timestamp", Kind::Timestamp),
];

const COMPARISONS: [(&str, Comparison); 5] = [
    ("Equals", Comparison::Equals),
    ("LessThanEquals", Comparison::LessThanEquals),
    ("GreaterThanEquals", Comparison::GreaterThanEquals),
    ("LessThan", Comparison::LessThan),
    ("GreaterThan", Comparison::GreaterThan),
];

const TESTS: [(&str, TypeTest); 6] = [
    ("IsNull", TypeTest::IsNull),
    ("IsPresent", TypeTest::IsPresent),
    ("IsNumeric", TypeTest::IsNumeric),
    ("IsString", TypeTest::IsString),
    ("IsBoolean", TypeTest::IsBoolean),
    ("IsTimestamp", TypeTest::IsTimestamp),
];

impl Operator {
    /// Recognise an operator field name; the flag says it is the `...Path` form.
    pub fn from_field(field: &str) -> Option<(Operator, bool)> {
        if field == "StringMatches" {
            return Some((Operator::StringMatches, false));
        }
        if let Some((_, test)) = TESTS.iter().find(|(name, _)| *name == field) {
            return Some((Operator::Test(*test), false));
        }
        let (base, is_path) = match field.strip_suffix("Path") {
            Some(base) => (base, true),
            None => (field, false),
        };
        // Boolean only has Equals.
        for (kind_name, kind) in KINDS {
            let Some(rest) = base.strip_prefix(kind_name) else {
                continue;
            };
            let (_, cmp) = COMPARISONS.iter().find(|(name, _)| *name == rest)?;
            if kind == Kind::Boolean && *cmp != Comparison::Equals {
                return None;
            }
            return Some((Operator::Compare(kind, *cmp), is_path));
        }
        None
    }

    /// The operator's field name (without `Path`).
    pub fn name(self) -> String {
        match self {
            Operator::StringMatches => "StringMatches".into(),
            Operator::Test(test) => TESTS
                .iter()
                .find(|(_, t)| *t == test)
                .map(|(n, _)| (*n).to_string())
                .unwrap_or_default(),
            Operator::Compare(kind, cmp) => {
                let k = KINDS
                    .iter()
                    .find(|(_, x)| *x == kind)
                    .map_or("", |(n, _)| n);
                let c = COMPARISONS
                    .iter()
                    .find(|(_, x)| *x == cmp)
                    .map_or("", |(n, _)| n);
                format!("{k}{c}")
            }
        }
    }
}

impl TryFrom<Value> for ChoiceRule {
    type Error = String;

    fn try_from(value: Value) -> Result<Self, String> {
        let Value::Object(mut map) = value else {
            return Err("a choice rule must be a JSON object".into());
        };
        let next = take_string(&mut map, "Next")?;
        let comment = take_string(&mut map, "Comment")?;
        let assign = map.remove("Assign");
        let output = map.remove("Output");
        let condition = condition(map)?;
        Ok(ChoiceRule {
            condition,
            next,
            comment,
            assign,
            output,
        })
    }
}

fn take_string(map: &mut Map, field: &str) -> Result<Option<String>, String> {
    match map.remove(field) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(format!("the field '{field}' must be a string")),
    }
}

/// Parse a rule (top-level fields already removed) or a nested rule.
fn condition(mut map: Map) -> Result<Condition, String> {
    map.remove("Comment");
    for field in ["Next", "Assign", "Output"] {
        if map.contains_key(field) {
            return Err(format!(
                "the field '{field}' is only allowed on a top-level choice rule"
            ));
        }
    }
    if let Some(cond) = map.remove("Condition") {
        only(&map, "Condition")?;
        return Ok(Condition::Jsonata(cond));
    }
    for combinator in ["And", "Or"] {
        if let Some(list) = map.remove(combinator) {
            only(&map, combinator)?;
            let Value::Array(items) = list else {
                return Err(format!(
                    "the field '{combinator}' must be a non-empty array of rules"
                ));
            };
            if items.is_empty() {
                return Err(format!(
                    "the field '{combinator}' must be a non-empty array of rules"
                ));
            }
            let rules = items
                .into_iter()
                .map(nested)
                .collect::<Result<Vec<_>, _>>()?;
            return Ok(if combinator == "And" {
                Condition::And(rules)
            } else {
                Condition::Or(rules)
            });
        }
    }
    if let Some(inner) = map.remove("Not") {
        only(&map, "Not")?;
        return Ok(Condition::Not(Box::new(nested(inner)?)));
    }
    let variable = match map.remove("Variable") {
        Some(Value::String(v)) => v,
        Some(_) => return Err("the field 'Variable' must be a string".into()),
        None => {
            return Err(
                "a choice rule needs 'Variable' and a comparison operator, or And/Or/Not".into(),
            );
        }
    };
    let mut fields = map.into_iter();
    let Some((field, operand)) = fields.next() else {
        return Err(format!(
            "the rule on '{variable}' has no comparison operator"
        ));
    };
    if let Some((extra, _)) = fields.next() {
        return Err(format!(
            "the rule on '{variable}' has more than one operator or an unknown field ('{field}', '{extra}')"
        ));
    }
    let (operator, is_path) = Operator::from_field(&field)
        .ok_or_else(|| format!("unknown choice rule field '{field}'"))?;
    let operand = if is_path {
        match operand {
            Value::String(p) => Operand::Path(p),
            _ => return Err(format!("the field '{field}' must be a path string")),
        }
    } else {
        check_literal(operator, &field, &operand)?;
        Operand::Literal(operand)
    };
    Ok(Condition::Compare {
        variable,
        operator,
        operand,
    })
}

fn nested(value: Value) -> Result<Condition, String> {
    match value {
        Value::Object(map) => condition(map),
        _ => Err("a nested choice rule must be a JSON object".into()),
    }
}

fn only(map: &Map, field: &str) -> Result<(), String> {
    match map.keys().next() {
        Some(other) => Err(format!(
            "the field '{other}' cannot appear beside '{field}'"
        )),
        None => Ok(()),
    }
}

fn check_literal(operator: Operator, field: &str, operand: &Value) -> Result<(), String> {
    let (ok, wanted) = match operator {
        Operator::StringMatches
        | Operator::Compare(Kind::String, _)
        | Operator::Compare(Kind::Timestamp, _) => (operand.is_string(), "a string"),
        Operator::Compare(Kind::Numeric, _) => (operand.is_number(), "a number"),
        Operator::Compare(Kind::Boolean, _) | Operator::Test(_) => {
            (operand.is_boolean(), "a boolean")
        }
    };
    if ok {
        Ok(())
    } else {
        Err(format!("the value of '{field}' must be {wanted}"))
    }
}

#[cfg(test)]
mod tests {
    use sfn_json::json;

    use super::*;

    fn rule(v: Value) -> Result<ChoiceRule, String> {
        ChoiceRule::try_from(v)
    }

    #[test]
    fn parses_every_operator_form() {
        for (field, operand, is_path) in [
            ("StringEquals", json!("a"), false),
            ("StringLessThanEqualsPath", json!("$.b"), true),
            ("NumericGreaterThan", json!(1.5), false),
            ("BooleanEqualsPath", json!("$.b"), true),
            ("TimestampLessThan", json!("2020-01-01T00:00:00Z"), false),
            ("StringMatches", json!("a*"), false),
            ("IsTimestamp", json!(true), false),
        ] {
            let parsed = rule(json!({"Variable": "$.a", field: operand.clone(), "Next": "X"}))
                .unwrap_or_else(|e| panic!("{field}: {e}"));
            let Condition::Compare {
                operator,
                operand: got,
                ..
            } = parsed.condition
            else {
                panic!("{field}: not a comparison");
            };
            let base = field
                .strip_suffix("Path")
                .filter(|_| is_path)
                .unwrap_or(field);
            assert_eq!(operator.name(), base);
            match got {
                Operand::Path(p) => assert!(is_path && Value::String(p) == operand),
                Operand::Literal(v) => assert!(!is_path && v == operand),
            }
            assert_eq!(parsed.next.as_deref(), Some("X"));
        }
    }

    #[test]
    fn parses_combinators_and_top_level_fields() {
        let parsed = rule(json!({
            "And": [{"Variable": "$.a", "IsPresent": true}, {"Not": {"Variable": "$.a", "IsNull": true}}],
            "Next": "N", "Assign": {"x": 1}, "Comment": "c"
        }))
        .unwrap();
        assert!(matches!(&parsed.condition, Condition::And(r) if r.len() == 2));
        assert_eq!(parsed.assign, Some(json!({"x": 1})));
        let parsed = rule(json!({"Condition": "{% true %}", "Next": "N"})).unwrap();
        assert_eq!(parsed.condition, Condition::Jsonata(json!("{% true %}")));
    }

    #[test]
    fn rejects_bad_rules() {
        for bad in [
            json!({"Variable": "$.a", "Next": "X"}),
            json!({"Variable": "$.a", "StringEquals": 1, "Next": "X"}),
            json!({"Variable": "$.a", "NumericEquals": "1", "Next": "X"}),
            json!({"Variable": "$.a", "BooleanLessThan": true, "Next": "X"}),
            json!({"Variable": "$.a", "IsNull": "yes", "Next": "X"}),
            json!({"Variable": "$.a", "StringEquals": "x", "NumericEquals": 1, "Next": "X"}),
            json!({"Variable": "$.a", "StringEqualsPath": 3, "Next": "X"}),
            json!({"And": [], "Next": "X"}),
            json!({"Not": {"Variable": "$.a", "IsNull": true, "Next": "Y"}, "Next": "X"}),
            json!({"Bogus": 1, "Next": "X"}),
            json!("rule"),
        ] {
            assert!(rule(bad.clone()).is_err(), "{bad}");
        }
    }
}
