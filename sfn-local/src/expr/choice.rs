//! Evaluating Choice rules.
//!
//! As in Step Functions: a value of the wrong type makes a comparison false (never an error);
//! a `Variable` or `...Path` operand that selects nothing is a `States.Runtime` error ("The
//! choice state's condition path references an invalid value"), except for `IsPresent`;
//! strings compare by UTF-16 code units (Java's `compareTo`); numbers by value; timestamps as
//! instants.

use std::cmp::Ordering;

use sfn_json::Value;

use super::path::{self, number_cmp};
use super::{Scope, timestamp};
use crate::error::StatesError;
use crate::model::choice::{ChoiceRule, Comparison, Condition, Kind, Operand, Operator, TypeTest};

/// Whether the rule matches. JSONata `Condition` rules need [`evaluate_with`].
pub fn evaluate(rule: &ChoiceRule, scope: &Scope) -> Result<bool, StatesError> {
    evaluate_with(rule, scope, &mut |_| {
        Err(StatesError::runtime(
            "JSONata Choice conditions need a JSONata evaluator",
        ))
    })
}

/// Whether the rule matches, with `jsonata` deciding `Condition` rules (the JSONata layer
/// plugs in here).
pub fn evaluate_with(
    rule: &ChoiceRule,
    scope: &Scope,
    jsonata: &mut dyn FnMut(&Value) -> Result<bool, StatesError>,
) -> Result<bool, StatesError> {
    condition_with(&rule.condition, scope, jsonata)
}

/// Whether a (possibly nested) JSONPath condition holds.
pub fn evaluate_condition(condition: &Condition, scope: &Scope) -> Result<bool, StatesError> {
    condition_with(condition, scope, &mut |_| {
        Err(StatesError::runtime(
            "JSONata Choice conditions need a JSONata evaluator",
        ))
    })
}

fn condition_with(
    condition: &Condition,
    scope: &Scope,
    jsonata: &mut dyn FnMut(&Value) -> Result<bool, StatesError>,
) -> Result<bool, StatesError> {
    match condition {
        Condition::And(rules) => {
            for rule in rules {
                if !condition_with(rule, scope, jsonata)? {
                    return Ok(false);
                }
            }
            Ok(true)
        }
        Condition::Or(rules) => {
            for rule in rules {
                if condition_with(rule, scope, jsonata)? {
                    return Ok(true);
                }
            }
            Ok(false)
        }
        Condition::Not(rule) => Ok(!condition_with(rule, scope, jsonata)?),
        Condition::Compare {
            variable,
            operator,
            operand,
        } => compare(variable, *operator, operand, scope),
        Condition::Jsonata(expression) => jsonata(expression),
    }
}

fn invalid_path(path: &str) -> StatesError {
    StatesError::runtime(format!(
        "Invalid path '{path}': The choice state's condition path references an invalid value."
    ))
}

fn lookup(path: &str, scope: &Scope) -> Result<Option<Value>, StatesError> {
    path::query_opt(path, scope)
}

fn compare(
    variable: &str,
    operator: Operator,
    operand: &Operand,
    scope: &Scope,
) -> Result<bool, StatesError> {
    let value = lookup(variable, scope)?;
    if operator == Operator::Test(TypeTest::IsPresent) {
        let present = value.is_some_and(|v| !is_empty_match(variable, &v));
        return Ok(Some(present) == literal_bool(operand));
    }
    let value = value.ok_or_else(|| invalid_path(variable))?;
    let expected = match operand {
        Operand::Literal(v) => v.clone(),
        Operand::Path(p) => lookup(p, scope)?.ok_or_else(|| invalid_path(p))?,
    };
    Ok(match operator {
        Operator::Test(test) => Some(type_test(test, &value)) == expected.as_bool(),
        Operator::StringMatches => match (&value, &expected) {
            (Value::String(s), Value::String(pattern)) => string_matches(s, pattern),
            _ => false,
        },
        Operator::Compare(kind, cmp) => {
            ordering(kind, &value, &expected).is_some_and(|ord| holds(cmp, ord))
        }
    })
}

/// An indefinite path that matched nothing yields `[]`; that is not "present".
fn is_empty_match(path: &str, value: &Value) -> bool {
    value.as_array().is_some_and(Vec::is_empty) && path::parse(path).is_ok_and(|p| !p.is_definite())
}

fn literal_bool(operand: &Operand) -> Option<bool> {
    match operand {
        Operand::Literal(v) => v.as_bool(),
        Operand::Path(_) => None,
    }
}

fn type_test(test: TypeTest, value: &Value) -> bool {
    match test {
        TypeTest::IsNull => value.is_null(),
        TypeTest::IsPresent => true,
        TypeTest::IsNumeric => value.is_number(),
        TypeTest::IsString => value.is_string(),
        TypeTest::IsBoolean => value.is_boolean(),
        TypeTest::IsTimestamp => value.as_str().and_then(timestamp::parse).is_some(),
    }
}

/// How `value` compares with `expected` under `kind`; `None` when either has the wrong type.
fn ordering(kind: Kind, value: &Value, expected: &Value) -> Option<Ordering> {
    match (kind, value, expected) {
        (Kind::String, Value::String(a), Value::String(b)) => {
            Some(a.encode_utf16().cmp(b.encode_utf16()))
        }
        (Kind::Numeric, Value::Number(a), Value::Number(b)) => number_cmp(a, b),
        (Kind::Boolean, Value::Bool(a), Value::Bool(b)) => {
            if a == b {
                Some(Ordering::Equal)
            } else {
                None
            }
        }
        (Kind::Timestamp, Value::String(a), Value::String(b)) => {
            let (a, b) = (timestamp::parse(a)?, timestamp::parse(b)?);
            Some(a.cmp(&b))
        }
        _ => None,
    }
}

fn holds(cmp: Comparison, ord: Ordering) -> bool {
    match cmp {
        Comparison::Equals => ord == Ordering::Equal,
        Comparison::LessThan => ord == Ordering::Less,
        Comparison::GreaterThan => ord == Ordering::Greater,
        Comparison::LessThanEquals => ord != Ordering::Greater,
        Comparison::GreaterThanEquals => ord != Ordering::Less,
    }
}

/// One token of a StringMatches pattern.
#[derive(Debug, PartialEq)]
enum Token {
    Char(char),
    Star,
}

/// `*` matches any run of characters; `\*` is a literal star and `\\` a literal backslash.
fn pattern_tokens(pattern: &str) -> Vec<Token> {
    let mut tokens = Vec::new();
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some(escaped) => tokens.push(Token::Char(escaped)),
                None => tokens.push(Token::Char('\\')),
            },
            '*' => tokens.push(Token::Star),
            other => tokens.push(Token::Char(other)),
        }
    }
    tokens
}

/// Glob match with backtracking to the last star (linear in practice, no recursion).
pub fn string_matches(text: &str, pattern: &str) -> bool {
    let tokens = pattern_tokens(pattern);
    let chars: Vec<char> = text.chars().collect();
    let (mut t, mut p) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while t < chars.len() {
        match tokens.get(p) {
            Some(Token::Star) => {
                star = Some((p, t));
                p += 1;
            }
            Some(Token::Char(c)) if chars.get(t) == Some(c) => {
                t += 1;
                p += 1;
            }
            _ => match star {
                Some((sp, st)) => {
                    p = sp + 1;
                    t = st + 1;
                    star = Some((sp, st + 1));
                }
                None => return false,
            },
        }
    }
    tokens
        .get(p..)
        .is_some_and(|rest| rest.iter().all(|tk| *tk == Token::Star))
}

/// Static checks a deserialised rule still needs: path syntax of `Variable` and `...Path`
/// operands, timestamp literals.
pub fn check(rule: &ChoiceRule) -> Result<(), String> {
    check_condition(&rule.condition)
}

fn check_condition(condition: &Condition) -> Result<(), String> {
    match condition {
        Condition::And(rules) | Condition::Or(rules) => rules.iter().try_for_each(check_condition),
        Condition::Not(rule) => check_condition(rule),
        Condition::Jsonata(_) => Ok(()),
        Condition::Compare {
            variable,
            operator,
            operand,
        } => {
            path::check_path(variable)
                .map_err(|e| format!("the value of 'Variable' must be a valid JSONPath: {e}"))?;
            match operand {
                Operand::Path(p) => path::check_path(p).map_err(|e| {
                    format!(
                        "the value of '{}Path' must be a valid JSONPath: {e}",
                        operator.name()
                    )
                }),
                Operand::Literal(Value::String(s))
                    if matches!(operator, Operator::Compare(Kind::Timestamp, _)) =>
                {
                    timestamp::parse(s).map(|_| ()).ok_or_else(|| {
                        format!(
                            "the value of '{}' must be a valid timestamp",
                            operator.name()
                        )
                    })
                }
                Operand::Literal(_) => Ok(()),
            }
        }
    }
}

#[cfg(test)]
mod tests;
