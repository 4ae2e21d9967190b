//! Payload templates compiled once per state: a Map runs its ItemSelector or its iterations'
//! Parameters once per item, and [`template::evaluate`] would strip every `.$` suffix, parse
//! (or look up) every path and intrinsic call and make every key afresh each time. Compiled, the
//! paths and calls are parsed, parts without `.$` fields are built values, and each object's
//! keys are made once into a skeleton that every evaluation clones (sharing the key strings).

use sfn_json::{Map, Value};

use super::Scope;
use super::intrinsic::{self, Call};
use super::path::{self, JsonPath};
use super::template::{self, path_failure};
use crate::error::StatesError;

/// A payload template (Parameters, ResultSelector, ItemSelector) ready to evaluate.
#[derive(Debug)]
pub struct CompiledTemplate(Node);

#[derive(Debug)]
enum Node {
    /// No `.$` field anywhere inside: the value itself.
    Literal(Value),
    /// The template's keys (suffixes removed) in order, each value `null`, and their fields.
    Object {
        skeleton: Map,
        fields: Vec<Field>,
    },
    Array(Vec<Node>),
    /// What compiling would change the meaning of (a key that appears twice once the `.$`
    /// suffixes are removed): evaluated as written.
    AsWritten(Value),
}

#[derive(Debug)]
enum Field {
    Node(Node),
    Path {
        key: String,
        text: String,
        parsed: JsonPath,
    },
    Intrinsic {
        key: String,
        call: Call,
    },
    /// A `.$` value that is no string, or does not parse: evaluated as written, so it fails
    /// with the same error at the same point.
    Expression {
        key: String,
        value: Value,
    },
}

impl CompiledTemplate {
    pub fn new(template: &Value) -> Self {
        Self(Node::new(template))
    }

    /// The same value (or error) as [`template::evaluate`] on the template it was built from.
    pub fn evaluate(&self, scope: &Scope) -> Result<Value, StatesError> {
        self.0.evaluate(scope)
    }
}

impl Node {
    fn new(template: &Value) -> Self {
        if !has_expressions(template) {
            return Self::Literal(template.clone());
        }
        match template {
            Value::Object(map) => {
                let skeleton: Map = map
                    .keys()
                    .map(|key| {
                        (
                            key.strip_suffix(".$").unwrap_or(key).to_owned(),
                            Value::Null,
                        )
                    })
                    .collect();
                if skeleton.len() != map.len() {
                    return Self::AsWritten(template.clone());
                }
                let fields = map
                    .iter()
                    .map(|(key, value)| Field::new(key, value))
                    .collect();
                Self::Object { skeleton, fields }
            }
            Value::Array(items) => Self::Array(items.iter().map(Self::new).collect()),
            other => Self::Literal(other.clone()),
        }
    }

    fn evaluate(&self, scope: &Scope) -> Result<Value, StatesError> {
        match self {
            Self::Literal(value) => Ok(value.clone()),
            Self::Object { skeleton, fields } => {
                let mut out = skeleton.clone();
                for (slot, field) in out.values_mut().zip(fields) {
                    *slot = field.evaluate(scope)?;
                }
                Ok(Value::Object(out))
            }
            Self::Array(items) => items
                .iter()
                .map(|item| item.evaluate(scope))
                .collect::<Result<Vec<_>, _>>()
                .map(Value::Array),
            Self::AsWritten(template) => template::evaluate(template, scope),
        }
    }
}

impl Field {
    fn new(key: &str, value: &Value) -> Self {
        if !key.ends_with(".$") {
            return Self::Node(Node::new(value));
        }
        let key = key.to_owned();
        let Value::String(expression) = value else {
            return Self::Expression {
                key,
                value: value.clone(),
            };
        };
        if intrinsic::is_intrinsic(expression) {
            return match intrinsic::parse(expression) {
                Ok(call) => Self::Intrinsic { key, call },
                Err(_) => Self::Expression {
                    key,
                    value: value.clone(),
                },
            };
        }
        match path::parse(expression) {
            Ok(parsed) => Self::Path {
                key,
                text: expression.clone(),
                parsed,
            },
            Err(_) => Self::Expression {
                key,
                value: value.clone(),
            },
        }
    }

    fn evaluate(&self, scope: &Scope) -> Result<Value, StatesError> {
        match self {
            Self::Node(node) => node.evaluate(scope),
            Self::Path { key, text, parsed } => {
                path::evaluate(parsed, scope)?.ok_or_else(|| path_failure(text, key, parsed, scope))
            }
            Self::Intrinsic { key, call } => intrinsic::evaluate_call(call, Some(key), scope),
            Self::Expression { key, value } => template::field_value(key, value, scope),
        }
    }
}

/// Whether any object inside `value` has a `.$` key.
fn has_expressions(value: &Value) -> bool {
    match value {
        Value::Object(map) => map
            .iter()
            .any(|(key, value)| key.ends_with(".$") || has_expressions(value)),
        Value::Array(items) => items.iter().any(has_expressions),
        _ => false,
    }
}
