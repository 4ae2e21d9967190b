//! Workflow variables (`Assign`, both query languages) and the JSONata side of a state's
//! input/output processing (`$states`, `Output`, `{% %}` fields).
//!
//! AWS evaluates `Assign` and `Output` side by side when the state ends: both see the state's
//! input and result and the variables as they were when the state started; the new values
//! are visible from the next state on.

use sfn_json::{Map, Value};

use super::context::StateCtx;
use super::size::exceeds;
use crate::error::{StatesError, names};
use crate::expr::jsonata::{self, JsonataScope};
use crate::expr::template;

/// Largest size of one state's assigned variables together (AWS: 256 KiB).
pub(crate) const VARIABLE_LIMIT_BYTES: usize = 256 * 1024;

/// Names a workflow variable cannot take.
const RESERVED: &[&str] = &["states"];

/// The parts of `$states` a moment of a state's life can see.
#[derive(Default, Clone, Copy)]
pub(crate) struct StatesParts<'v> {
    pub input: Option<&'v Value>,
    pub result: Option<&'v Value>,
    pub error_output: Option<&'v Value>,
}

impl StateCtx<'_> {
    /// `$states`: `input`, `result`, `errorOutput` (when known) and `context`.
    pub fn states(&self, parts: StatesParts<'_>, context: Value) -> Value {
        let mut states = Map::new();
        if let Some(input) = parts.input {
            states.insert("input", input.clone());
        }
        if let Some(result) = parts.result {
            states.insert("result", result.clone());
        }
        if let Some(error_output) = parts.error_output {
            states.insert("errorOutput", error_output.clone());
        }
        states.insert("context", context);
        Value::Object(states)
    }

    /// `$states` holding `input` itself, moved in rather than copied (for a state that owns
    /// its input and reads it only through `$states`).
    pub fn states_with_input(&self, input: Value, context: Value) -> Value {
        let mut states = Map::new();
        states.insert("input", input);
        states.insert("context", context);
        Value::Object(states)
    }

    fn jsonata_scope<'v>(&'v self, states: &'v Value) -> JsonataScope<'v> {
        JsonataScope {
            states,
            variables: &self.variables,
        }
    }

    /// A JSONata field's value (`{% %}` strings evaluated), errors located at this state.
    pub fn jsonata(
        &self,
        value: &Value,
        field: &str,
        states: &Value,
    ) -> Result<Value, StatesError> {
        jsonata::evaluate(value, field, &self.jsonata_scope(states)).map_err(|e| self.located(e))
    }

    /// A JSONata field that must evaluate to one JSON type.
    pub fn jsonata_typed(
        &self,
        value: &Value,
        field: &str,
        expected: &str,
        states: &Value,
    ) -> Result<Value, StatesError> {
        jsonata::evaluate_typed(value, field, expected, &self.jsonata_scope(states))
            .map_err(|e| self.located(e))
    }

    /// JSONata `Output`: the field evaluated, or `default` without one.
    pub fn jsonata_output(
        &self,
        output: Option<&Value>,
        states: &Value,
        default: Value,
    ) -> Result<Value, StatesError> {
        match output {
            Some(value) => self.jsonata(value, "Output", states),
            None => Ok(default),
        }
    }

    /// Evaluate an `Assign` block. JSONPath: a payload template over `input` (`.$` keys);
    /// JSONata: `{% %}` values with `states` bound.
    pub fn assign(
        &self,
        assign: Option<&Value>,
        input: &Value,
        context: &Value,
        states: Option<&Value>,
    ) -> Result<Option<Map>, StatesError> {
        let Some(assign) = assign else {
            return Ok(None);
        };
        let values = match states {
            Some(states) => self.jsonata(assign, "Assign", states)?,
            None => template::evaluate(assign, &self.scope(input, context))
                .map_err(|e| self.located(e))?,
        };
        // AWS caps one state's assignments together (and so each variable) at 256 KiB.
        if exceeds(&values, VARIABLE_LIMIT_BYTES) {
            return Err(self.located(StatesError::new(
                names::DATA_LIMIT_EXCEEDED,
                "The variables assigned by the state exceed the maximum number of bytes service limit.",
            )));
        }
        let Value::Object(values) = values else {
            return Err(self.located(StatesError::runtime(
                "The Assign field must be a JSON object",
            )));
        };
        if let Some(name) = values.keys().find(|name| RESERVED.contains(&name.as_str())) {
            return Err(self.located(StatesError::runtime(format!(
                "The variable name '{name}' is reserved"
            ))));
        }
        Ok(Some(values))
    }
}
