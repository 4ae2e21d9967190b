//! Reading a definition: JSON text → [`StateMachine`], with errors that name the state and field.

use serde::Deserialize;
use serde::de::{self, MapAccess, Visitor};
use serde_json::Value;

use super::{State, StateMachine, StateType, States};

/// Why a definition could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ModelError {
    #[error("the definition is not valid JSON: {0}")]
    Json(String),
    #[error("{0}")]
    Definition(String),
}

/// Parse ASL JSON text into a [`StateMachine`].
pub fn parse_definition(text: &str) -> Result<StateMachine, ModelError> {
    let value: Value = serde_json::from_str(text).map_err(|e| ModelError::Json(e.to_string()))?;
    parse_value(value)
}

/// Parse an already-decoded definition.
pub fn parse_value(value: impl Into<Value>) -> Result<StateMachine, ModelError> {
    let value = value.into();
    if !value.is_object() {
        return Err(ModelError::Definition(
            "the definition must be a JSON object".to_owned(),
        ));
    }
    serde_path_to_error::deserialize::<_, StateMachine>(value)
        .map_err(|e| ModelError::Definition(describe(None, &e)))
}

/// Format a serde error as `State 'X': field 'Y': what` (or `field 'Y': what` at the top).
fn describe(state: Option<&str>, e: &serde_path_to_error::Error<serde_json::Error>) -> String {
    let message = e.inner().to_string();
    // A nested state's error arrives already formatted; keep it as is.
    if message.starts_with("State '") {
        return message;
    }
    let mut path = e.path().to_string();
    if path == "." {
        path.clear();
    }
    let (field, what) = if let Some(rest) = message.strip_prefix("unknown field `") {
        let name = rest.split('`').next().unwrap_or_default();
        (join(&path, name), "unknown field".to_owned())
    } else if let Some(rest) = message.strip_prefix("missing field `") {
        let name = rest.split('`').next().unwrap_or_default();
        (join(&path, name), "required field is missing".to_owned())
    } else {
        (path, message)
    };
    let prefix = state.map(|s| format!("State '{s}': ")).unwrap_or_default();
    if field.is_empty() {
        format!("{prefix}{what}")
    } else {
        format!("{prefix}field '{field}': {what}")
    }
}

fn join(path: &str, name: &str) -> String {
    if path == name || path.ends_with(&format!(".{name}")) {
        path.to_owned()
    } else if path.is_empty() {
        name.to_owned()
    } else {
        format!("{path}.{name}")
    }
}

/// Deserialize `States` keeping definition order, each state parsed on its own so errors name it.
fn states_in_order<'de, D: de::Deserializer<'de>>(d: D) -> Result<States, D::Error> {
    struct StatesVisitor;
    impl<'de> Visitor<'de> for StatesVisitor {
        type Value = States;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("an object of states")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<States, A::Error> {
            let mut list = Vec::new();
            while let Some((name, raw)) = map.next_entry::<String, Value>()? {
                let state = parse_state(&name, raw).map_err(de::Error::custom)?;
                list.push((name, state));
            }
            Ok(States::new(list))
        }
    }
    d.deserialize_map(StatesVisitor)
}

fn parse_state(name: &str, raw: Value) -> Result<State, String> {
    let Value::Object(fields) = &raw else {
        return Err(format!("State '{name}': a state must be a JSON object"));
    };
    let field_names: Vec<String> = fields.keys().cloned().collect();
    let uses_context = mentions_context(&raw);
    let uses_execution_context = uses_context && mentions_execution(&raw);
    let mut state =
        serde_path_to_error::deserialize::<_, State>(raw).map_err(|e| describe(Some(name), &e))?;
    state.passes_input_through = matches!(state.kind, StateType::Pass | StateType::Succeed)
        && field_names.iter().all(|field| {
            matches!(
                field.as_str(),
                "Type" | "Next" | "End" | "Comment" | "QueryLanguage"
            )
        });
    state.field_names = field_names;
    state.uses_context = uses_context;
    state.uses_execution_context = uses_execution_context;
    Ok(state)
}

/// Whether any string in the value refers to the context object. Branch and item processor
/// states are parsed (and marked) on their own, so looking into them here is harmless.
fn mentions_context(value: &Value) -> bool {
    match value {
        // `$states` (JSONata) carries the context object too.
        Value::String(s) => s.contains("$$") || s.contains("$states"),
        Value::Array(items) => items.iter().any(mentions_context),
        Value::Object(map) => map.values().any(mentions_context),
        _ => false,
    }
}

/// Whether any `$$` reference may reach `$$.Execution` (which holds the whole execution input,
/// too costly to copy into every state's context when unused).
fn mentions_execution(value: &Value) -> bool {
    match value {
        Value::String(s) => {
            let context_paths = s.match_indices("$$").any(|(i, _)| {
                let rest = s.get(i + 2..).unwrap_or_default();
                ![".State", ".Map", ".Task"]
                    .iter()
                    .any(|p| rest.starts_with(p))
            });
            // `$states` as a whole, or `$states.context` other than its State/Map/Task parts.
            let states = s.match_indices("$states").any(|(i, _)| {
                let rest = s.get(i + 7..).unwrap_or_default();
                ![
                    ".input",
                    ".result",
                    ".errorOutput",
                    ".context.State",
                    ".context.Map",
                    ".context.Task",
                ]
                .iter()
                .any(|p| rest.starts_with(p))
            });
            context_paths || states
        }
        Value::Array(items) => items.iter().any(mentions_execution),
        Value::Object(map) => map.values().any(mentions_execution),
        _ => false,
    }
}

/// Convenience for tests and callers holding a `Value`.
impl<'de> Deserialize<'de> for States {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        states_in_order(d)
    }
}
