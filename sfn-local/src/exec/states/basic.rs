//! Pass, Succeed, Fail and Choice.

use serde_json::Value;

use super::Step;
use crate::error::{StatesError, names};
use crate::exec::context::{Extras, StateCtx, scope};
use crate::expr::{choice, intrinsic, path};

pub(super) fn pass(ctx: &StateCtx<'_>, input: Value) -> Result<Value, StatesError> {
    let state = ctx.state;
    let context = ctx.context(Extras::default());
    let result = {
        let effective = ctx.input_path(&input, &context)?;
        match (&state.parameters, &state.result) {
            (Some(_), _) => ctx.parameters(effective, &context)?,
            (None, Some(result)) => result.clone(),
            (None, None) => effective.into_owned(),
        }
    };
    let combined = ctx.result_path(input, result)?;
    ctx.output_path(combined, &context)
}

pub(super) fn succeed(ctx: &StateCtx<'_>, input: Value) -> Result<Value, StatesError> {
    let context = ctx.context(Extras::default());
    let effective = ctx.input_path(&input, &context)?.into_owned();
    ctx.output_path(effective, &context)
}

/// The error a Fail state raises: Error/ErrorPath and Cause/CausePath (paths or intrinsics).
pub(super) fn fail(ctx: &StateCtx<'_>, input: &Value) -> StatesError {
    let state = ctx.state;
    let context = ctx.context(Extras::default());
    let dynamic = |expression: &Option<String>| -> Result<Option<String>, StatesError> {
        let Some(expression) = expression else {
            return Ok(None);
        };
        let scope = scope(input, &context);
        let value = if intrinsic::is_intrinsic(expression) {
            intrinsic::evaluate(expression, &scope)
        } else {
            path::query(expression, &scope)
        }
        .map_err(|e| ctx.located(e))?;
        match value {
            Value::String(s) => Ok(Some(s)),
            other => Err(ctx.located(StatesError::runtime(format!(
                "The value of the field at '{expression}' is not a string: {other}"
            )))),
        }
    };
    let error = match dynamic(&state.error_path) {
        Ok(found) => found.or_else(|| state.error.clone()),
        Err(e) => return e,
    };
    let cause = match dynamic(&state.cause_path) {
        Ok(found) => found.or_else(|| state.cause.clone()),
        Err(e) => return e,
    };
    StatesError::new(error.unwrap_or_default(), cause.unwrap_or_default())
}

pub(super) fn choice<'a>(ctx: &StateCtx<'a>, input: Value) -> Result<Step<'a>, StatesError> {
    let state = ctx.state;
    let context = ctx.context(Extras::default());
    let effective = ctx.input_path(&input, &context)?.into_owned();
    let mut next = None;
    for rule in state.choices.iter().flatten() {
        if choice::evaluate(rule, &scope(&effective, &context)).map_err(|e| ctx.located(e))? {
            next = rule.next.as_deref();
            break;
        }
    }
    let next = match next.or(state.default.as_deref()) {
        Some(next) => next,
        None => {
            return Err(StatesError::new(
                names::NO_CHOICE_MATCHED,
                format!("No Matches! in state '{}'", ctx.name),
            ));
        }
    };
    let output = ctx.output_path(effective, &context)?;
    Ok(Step {
        output,
        next: Some(next),
    })
}
