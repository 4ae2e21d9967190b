//! Input and output processing, in AWS's order: InputPath → Parameters → (work) →
//! ResultSelector → ResultPath → OutputPath.

use std::borrow::Cow;

use sfn_json::{Map, Value};

use super::context::StateCtx;
use super::states::Done;
use super::variables::StatesParts;
use crate::error::StatesError;
use crate::expr::compiled::CompiledTemplate;
use crate::expr::path::JsonPath;
use crate::expr::{path, template};
use crate::model::{Nullable, State};

/// What a state runs on every visit, prepared on its first use and kept with it: its payload
/// templates compiled, its ResultPath parsed.
pub(crate) struct Prepared {
    /// `None` when absent, `$` or unparseable (applied from its text, which reports the error).
    result_path: Option<JsonPath>,
    parameters: Option<CompiledTemplate>,
    result_selector: Option<CompiledTemplate>,
    /// A Map's ItemSelector, or its legacy Parameters.
    pub item_selector: Option<CompiledTemplate>,
}

impl Prepared {
    fn new(state: &State) -> Self {
        let compile = |field: Option<&Value>| field.map(CompiledTemplate::new);
        let result_path = match &state.result_path {
            Nullable::Set(text) => path::parse_reference(text).ok(),
            _ => None,
        };
        Self {
            result_path,
            parameters: compile(state.parameters.as_ref()),
            result_selector: compile(state.result_selector.as_ref()),
            item_selector: compile(state.item_selector.as_ref().or(state.parameters.as_ref())),
        }
    }

    /// The state's templates (`None` only if its slot holds something else).
    pub fn of(state: &State) -> Option<&Self> {
        state.derived.get_or_init(|| Self::new(state))
    }
}

impl StateCtx<'_> {
    /// InputPath: the part of the state input the state works on (`null` → `{}`).
    pub fn input_path<'v>(
        &self,
        raw: &'v Value,
        context: &Value,
    ) -> Result<Cow<'v, Value>, StatesError> {
        match &self.state.input_path {
            Nullable::Absent => Ok(Cow::Borrowed(raw)),
            Nullable::Null => Ok(Cow::Owned(Value::Object(Map::new()))),
            Nullable::Set(p) if p == "$" => Ok(Cow::Borrowed(raw)),
            Nullable::Set(p) => path::query(p, &self.scope(raw, context))
                .map(Cow::Owned)
                .map_err(|e| self.located(e)),
        }
    }

    /// InputPath over an input the state owns: the input itself, moved rather than copied,
    /// when the path selects all of it.
    pub fn input_path_owned(&self, raw: Value, context: &Value) -> Result<Value, StatesError> {
        match self.input_path(&raw, context)? {
            Cow::Borrowed(_) => Ok(raw),
            Cow::Owned(selected) => Ok(selected),
        }
    }

    /// A payload template (Parameters, ResultSelector, ItemSelector) over `input`, through
    /// its compiled form when the state has it prepared.
    pub fn prepared_template(
        &self,
        tmpl: &Value,
        compiled: Option<&CompiledTemplate>,
        input: &Value,
        context: &Value,
    ) -> Result<Value, StatesError> {
        let scope = self.scope(input, context);
        match compiled {
            Some(compiled) => compiled.evaluate(&scope),
            None => template::evaluate(tmpl, &scope),
        }
        .map_err(|e| self.located(e))
    }

    /// Parameters if the state has them, else the effective input itself.
    pub fn parameters(
        &self,
        effective: Cow<'_, Value>,
        context: &Value,
    ) -> Result<Value, StatesError> {
        match &self.state.parameters {
            Some(tmpl) => {
                let compiled = Prepared::of(self.state).and_then(|p| p.parameters.as_ref());
                self.prepared_template(tmpl, compiled, &effective, context)
            }
            None => Ok(effective.into_owned()),
        }
    }

    /// ResultSelector over a task/Map/Parallel result.
    pub fn result_selector(&self, result: Value, context: &Value) -> Result<Value, StatesError> {
        match &self.state.result_selector {
            Some(tmpl) => {
                let compiled = Prepared::of(self.state).and_then(|p| p.result_selector.as_ref());
                self.prepared_template(tmpl, compiled, &result, context)
            }
            None => Ok(result),
        }
    }

    /// A Task/Parallel/Map's end: ResultSelector → Assign (over the selected result) →
    /// ResultPath → OutputPath in JSONPath; Output and Assign over `$states.result` in JSONata.
    pub fn finish(&self, raw: &Value, result: Value, context: &Value) -> Result<Done, StatesError> {
        let state = self.state;
        if self.is_jsonata() {
            if state.output.is_none() && state.assign.is_none() {
                // Nothing reads `$states`: the result is the output.
                return Ok(Done {
                    output: result,
                    assigned: None,
                });
            }
            let parts = StatesParts {
                input: Some(raw),
                result: Some(&result),
                error_output: None,
            };
            let states = self.states(parts, context.clone());
            let assigned = self.assign(state.assign.as_ref(), raw, context, Some(&states))?;
            let output = self.jsonata_output(state.output.as_ref(), &states, result)?;
            return Ok(Done { output, assigned });
        }
        let selected = self.result_selector(result, context)?;
        let assigned = self.assign(state.assign.as_ref(), &selected, context, None)?;
        // The raw input is copied only when ResultPath keeps some of it.
        let combined = match &state.result_path {
            Nullable::Absent => selected,
            Nullable::Set(p) if p == "$" => selected,
            _ => self.result_path(raw.clone(), selected)?,
        };
        let output = self.output_path(combined, context)?;
        Ok(Done { output, assigned })
    }

    /// ResultPath: where the result goes in the raw state input (`null` keeps the input).
    pub fn result_path(&self, raw: Value, result: Value) -> Result<Value, StatesError> {
        let prepared = Prepared::of(self.state).and_then(|p| p.result_path.as_ref());
        match (&self.state.result_path, prepared) {
            (Nullable::Set(text), Some(parsed)) => {
                path::apply_parsed_result_path(raw, text, parsed, result)
            }
            (result_path, _) => place(result_path, raw, result),
        }
        .map_err(|e| self.located(e))
    }

    /// OutputPath: the part of the combined value passed on (`null` → `{}`).
    pub fn output_path(&self, output: Value, context: &Value) -> Result<Value, StatesError> {
        match &self.state.output_path {
            Nullable::Absent => Ok(output),
            Nullable::Null => Ok(Value::Object(Map::new())),
            Nullable::Set(p) if p == "$" => Ok(output),
            Nullable::Set(p) => {
                path::query(p, &self.scope(&output, context)).map_err(|e| self.located(e))
            }
        }
    }
}

/// Apply a ResultPath (a state's or a catcher's).
pub(crate) fn place(
    result_path: &Nullable<String>,
    raw: Value,
    result: Value,
) -> Result<Value, StatesError> {
    match result_path {
        Nullable::Absent => Ok(result),
        Nullable::Null => Ok(raw),
        Nullable::Set(p) if p == "$" => Ok(result),
        Nullable::Set(p) => path::apply_result_path(raw, p, result),
    }
}
