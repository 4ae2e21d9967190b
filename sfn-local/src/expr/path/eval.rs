//! Evaluation of a parsed path over a JSON document, Jayway's way.

use std::cmp::Ordering;

use sfn_json::{Map, Number, Value};

use super::syntax::{CompareOp, Filter, Function, Operand, Segment, Selector};
use crate::expr::json_text;

/// Every node the segments select, in document order.
pub fn select<'v>(root: &'v Value, segments: &[Segment]) -> Vec<Selected<'v>> {
    let mut nodes = vec![Selected::Ref(root)];
    for segment in segments {
        let mut next = Vec::new();
        for node in &nodes {
            match node {
                Selected::Ref(v) => step(segment, v, root, &mut next),
                Selected::Owned(v) => {
                    let mut owned = Vec::new();
                    step(segment, v, root, &mut owned);
                    next.extend(owned.into_iter().map(|s| Selected::Owned(s.into_value())));
                }
            }
        }
        nodes = next;
    }
    nodes
}

fn step<'n>(segment: &Segment, node: &'n Value, root: &Value, out: &mut Vec<Selected<'n>>) {
    match segment {
        Segment::Child(selector) => apply_to(selector, node, root, out),
        Segment::Descendant(selector) => descend(selector, node, root, out),
    }
}

/// A selected node: usually a reference into the document, but a multi-name selector
/// (`['a','b']`) builds a new object as Jayway does.
#[derive(Debug, Clone)]
pub enum Selected<'v> {
    Ref(&'v Value),
    Owned(Value),
}

impl Selected<'_> {
    pub fn into_value(self) -> Value {
        match self {
            Selected::Ref(v) => v.clone(),
            Selected::Owned(v) => v,
        }
    }
}

fn push_ref<'n>(out: &mut Vec<Selected<'n>>, v: &'n Value) {
    out.push(Selected::Ref(v));
}

fn apply_to<'n>(selector: &Selector, node: &'n Value, root: &Value, out: &mut Vec<Selected<'n>>) {
    match selector {
        Selector::Name(name) => {
            if let Some(v) = node.as_object().and_then(|m| m.get(name)) {
                push_ref(out, v);
            }
        }
        Selector::Names(names) => {
            if let Some(m) = node.as_object() {
                let picked: Map = names
                    .iter()
                    .filter_map(|n| m.get(n).map(|v| (n.clone(), v.clone())))
                    .collect();
                out.push(Selected::Owned(Value::Object(picked)));
            }
        }
        Selector::Wildcard => match node {
            Value::Array(items) => items.iter().for_each(|v| push_ref(out, v)),
            Value::Object(m) => m.values().for_each(|v| push_ref(out, v)),
            _ => {}
        },
        Selector::Index(i) => {
            if let Some(v) = node.as_array().and_then(|a| index(a, *i)) {
                push_ref(out, v);
            }
        }
        Selector::Indexes(is) => {
            if let Some(a) = node.as_array() {
                is.iter()
                    .filter_map(|i| index(a, *i))
                    .for_each(|v| push_ref(out, v));
            }
        }
        Selector::Slice { start, end, step } => {
            if let Some(a) = node.as_array() {
                for i in slice_indexes(a.len(), *start, *end, step.unwrap_or(1)) {
                    if let Some(v) = a.get(i) {
                        push_ref(out, v);
                    }
                }
            }
        }
        Selector::Filter(filter) => match node {
            Value::Array(items) => items
                .iter()
                .filter(|v| test(filter, v, root))
                .for_each(|v| push_ref(out, v)),
            // Jayway applies a filter on an object to the object itself.
            Value::Object(_) if test(filter, node, root) => push_ref(out, node),
            _ => {}
        },
    }
}

fn descend<'n>(selector: &Selector, node: &'n Value, root: &Value, out: &mut Vec<Selected<'n>>) {
    apply_to(selector, node, root, out);
    match node {
        Value::Array(items) => items.iter().for_each(|v| descend(selector, v, root, out)),
        Value::Object(m) => m.values().for_each(|v| descend(selector, v, root, out)),
        _ => {}
    }
}

fn index(items: &[Value], i: i64) -> Option<&Value> {
    let len = i64::try_from(items.len()).ok()?;
    let at = if i < 0 { len.checked_add(i)? } else { i };
    usize::try_from(at).ok().and_then(|at| items.get(at))
}

fn slice_indexes(len: usize, start: Option<i64>, end: Option<i64>, step: i64) -> Vec<usize> {
    let len = i64::try_from(len).unwrap_or(i64::MAX);
    let norm = |v: i64| {
        if v < 0 {
            (len.saturating_add(v)).max(0)
        } else {
            v.min(len)
        }
    };
    let mut out = Vec::new();
    if step > 0 {
        let mut i = start.map_or(0, norm);
        let stop = end.map_or(len, norm);
        while i < stop {
            if let Ok(u) = usize::try_from(i) {
                out.push(u);
            }
            i = i.saturating_add(step);
        }
    } else if step < 0 {
        let mut i = start.map_or(len - 1, |v| norm(v).min(len - 1));
        let stop = end.map_or(-1, norm);
        while i > stop && i >= 0 {
            if let Ok(u) = usize::try_from(i) {
                out.push(u);
            }
            i = i.saturating_add(step);
        }
    }
    out
}

/// Apply a trailing function to the selected value.
pub fn call(function: Function, value: &Value) -> Option<Value> {
    match function {
        Function::Length => match value {
            Value::Array(a) => Some(Value::from(a.len())),
            Value::Object(m) => Some(Value::from(m.len())),
            Value::String(s) => Some(Value::from(s.chars().count())),
            _ => None,
        },
        Function::Min | Function::Max | Function::Avg | Function::Sum => {
            let nums: Vec<f64> = value.as_array()?.iter().filter_map(Value::as_f64).collect();
            if nums.is_empty() {
                return None;
            }
            let result = match function {
                Function::Min => nums.iter().copied().fold(f64::INFINITY, f64::min),
                Function::Max => nums.iter().copied().fold(f64::NEG_INFINITY, f64::max),
                Function::Sum => nums.iter().sum(),
                _ => nums.iter().sum::<f64>() / nums.len() as f64,
            };
            Number::from_f64(result).map(Value::Number)
        }
    }
}

/// The value(s) an operand stands for: `None` when a path selects nothing.
fn operand_value(operand: &Operand, current: &Value, root: &Value) -> Option<Value> {
    let (base, segments, function) = match operand {
        Operand::Literal(v) => return Some(v.clone()),
        Operand::Current(s, f) => (current, s, f),
        Operand::Root(s, f) => (root, s, f),
    };
    let definite = super::syntax::is_definite(segments);
    let mut found = select(base, segments);
    let value = if definite {
        found.pop()?.into_value()
    } else {
        Value::Array(found.into_iter().map(Selected::into_value).collect())
    };
    match function {
        Some(f) => call(*f, &value),
        None => Some(value),
    }
}

fn test(filter: &Filter, current: &Value, root: &Value) -> bool {
    match filter {
        Filter::Or(a, b) => test(a, current, root) || test(b, current, root),
        Filter::And(a, b) => test(a, current, root) && test(b, current, root),
        Filter::Not(a) => !test(a, current, root),
        Filter::Exists(operand) => match operand {
            Operand::Literal(v) => v.as_bool().unwrap_or(false),
            _ => operand_value(operand, current, root).is_some(),
        },
        Filter::Compare(a, op, b) => {
            let left = operand_value(a, current, root);
            let right = operand_value(b, current, root);
            compare(left.as_ref(), *op, right.as_ref())
        }
    }
}

/// Jayway's relational operators. A side that selects nothing equals nothing (so `!=` and
/// `nin` hold); strings and numbers meet across types as Jayway's value nodes do.
fn compare(left: Option<&Value>, op: CompareOp, right: Option<&Value>) -> bool {
    match op {
        CompareOp::Eq => jayway_equal(left, right),
        CompareOp::Ne => !jayway_equal(left, right),
        CompareOp::Lt => jayway_order(left, right) == Some(Ordering::Less),
        CompareOp::Le => matches!(
            jayway_order(left, right),
            Some(Ordering::Less | Ordering::Equal)
        ),
        CompareOp::Gt => jayway_order(left, right) == Some(Ordering::Greater),
        CompareOp::Ge => matches!(
            jayway_order(left, right),
            Some(Ordering::Greater | Ordering::Equal)
        ),
        CompareOp::In => right
            .and_then(Value::as_array)
            .is_some_and(|items| items.iter().any(|v| jayway_equal(left, Some(v)))),
        CompareOp::Nin => !right
            .and_then(Value::as_array)
            .is_some_and(|items| items.iter().any(|v| jayway_equal(left, Some(v)))),
        CompareOp::Size => {
            let size = match left {
                Some(Value::Array(a)) => a.len(),
                Some(Value::String(s)) => s.encode_utf16().count(),
                _ => return false,
            };
            right.and_then(Value::as_u64) == u64::try_from(size).ok()
        }
        CompareOp::Empty => {
            let empty = match left {
                Some(Value::Array(a)) => a.is_empty(),
                Some(Value::Object(m)) => m.is_empty(),
                Some(Value::String(s)) => s.is_empty(),
                _ => return false,
            };
            right.and_then(Value::as_bool) == Some(empty)
        }
        CompareOp::SubsetOf => match (left, right) {
            (Some(Value::Array(l)), Some(Value::Array(r))) => l.iter().all(|v| holds(r, v)),
            _ => false,
        },
        CompareOp::AnyOf => match (left, right) {
            (Some(Value::Array(l)), Some(Value::Array(r))) => l.iter().any(|v| holds(r, v)),
            _ => false,
        },
        CompareOp::NoneOf => match (left, right) {
            (Some(Value::Array(l)), Some(Value::Array(r))) => !l.iter().any(|v| holds(r, v)),
            _ => false,
        },
        CompareOp::Contains => match (left, right) {
            (Some(Value::String(l)), Some(Value::String(r))) => l.contains(r.as_str()),
            (Some(Value::Array(l)), Some(r)) => holds(l, r),
            _ => false,
        },
    }
}

/// Whether `items` holds a value equal to `value` (Jayway's list `contains`).
fn holds(items: &[Value], value: &Value) -> bool {
    items
        .iter()
        .any(|item| jayway_equal(Some(value), Some(item)))
}

/// Jayway's `equals` between value nodes: a number equals a string that parses to it; a
/// string equals a number whose text it is; arrays and objects compare as written.
fn jayway_equal(left: Option<&Value>, right: Option<&Value>) -> bool {
    let (Some(left), Some(right)) = (left, right) else {
        return false;
    };
    match (left, right) {
        (Value::Number(a), Value::Number(b)) => number_cmp(a, b) == Some(Ordering::Equal),
        (Value::Number(a), Value::String(b)) => decimal(b).is_some_and(|b| a.as_f64() == Some(b)),
        (Value::String(a), Value::Number(b)) => *a == json_text::number(b),
        _ => left == right,
    }
}

/// A string as `new BigDecimal(s)` reads it (digits, sign, point, exponent only).
fn decimal(text: &str) -> Option<f64> {
    let plausible = !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '+' | '-' | '.' | 'e' | 'E'));
    if plausible { text.parse().ok() } else { None }
}

/// Jayway's ordering: numbers by value, strings by UTF-16 units, a string against a number
/// by the number's text.
fn jayway_order(left: Option<&Value>, right: Option<&Value>) -> Option<Ordering> {
    match (left?, right?) {
        (Value::Number(a), Value::Number(b)) => number_cmp(a, b),
        (Value::String(a), Value::String(b)) => Some(a.encode_utf16().cmp(b.encode_utf16())),
        (Value::String(a), Value::Number(b)) => {
            Some(a.encode_utf16().cmp(json_text::number(b).encode_utf16()))
        }
        (Value::Number(a), Value::String(b)) => {
            Some(json_text::number(a).encode_utf16().cmp(b.encode_utf16()))
        }
        _ => None,
    }
}

/// JSON equality with numbers compared by value (`1 == 1.0`).
pub fn json_equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => number_cmp(x, y) == Some(Ordering::Equal),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| json_equal(p, q))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| json_equal(v, w)))
        }
        _ => a == b,
    }
}

/// Exact for integers, by f64 otherwise.
pub fn number_cmp(x: &Number, y: &Number) -> Option<Ordering> {
    if let (Some(a), Some(b)) = (x.as_i64(), y.as_i64()) {
        return Some(a.cmp(&b));
    }
    if let (Some(a), Some(b)) = (x.as_u64(), y.as_u64()) {
        return Some(a.cmp(&b));
    }
    x.as_f64()?.partial_cmp(&y.as_f64()?)
}
