//! Pass, Succeed, Fail and Choice.

use std::borrow::Cow;

use sfn_json::Value;

use super::{Done, Goto, Step};
use crate::error::{StatesError, names};
use crate::exec::context::{Extras, StateCtx};
use crate::exec::variables::StatesParts;
use crate::expr::{choice, intrinsic, path};
use crate::model::choice::ChoiceRule;
use crate::model::{Nullable, State};

/// `$states` over the raw state input (Pass, Succeed, Choice, Wait, Fail in JSONata).
pub(super) fn input_states(ctx: &StateCtx<'_>, input: &Value) -> Value {
    let parts = StatesParts {
        input: Some(input),
        ..StatesParts::default()
    };
    ctx.states(parts, ctx.context(Extras::default()))
}

/// An output with no variables assigned (nothing to evaluate: `$states` is not built).
fn plain(output: Value) -> Done {
    Done {
        output,
        assigned: None,
    }
}

/// The end of a JSONata Pass/Succeed/Wait/Choice: Output (default: the input) and Assign.
pub(super) fn jsonata_done(
    ctx: &StateCtx<'_>,
    input: Value,
    states: &Value,
    output: Option<&Value>,
    assign: Option<&Value>,
) -> Result<Done, StatesError> {
    let assigned = ctx.assign(assign, &input, &Value::Null, Some(states))?;
    let output = ctx.jsonata_output(output, states, input)?;
    Ok(Done { output, assigned })
}

/// Whether ResultPath places the result into the input (rather than replacing it).
fn keeps_input(state: &State) -> bool {
    match &state.result_path {
        Nullable::Absent => false,
        Nullable::Set(p) => p != "$",
        Nullable::Null => true,
    }
}

pub(super) fn pass(ctx: &StateCtx<'_>, mut input: Value) -> Result<Done, StatesError> {
    let state = ctx.state;
    if ctx.is_jsonata() {
        if state.output.is_none() && state.assign.is_none() {
            return Ok(plain(state.result.clone().unwrap_or(input)));
        }
        let states = input_states(ctx, &input);
        let input = state.result.clone().unwrap_or(input);
        return jsonata_done(
            ctx,
            input,
            &states,
            state.output.as_ref(),
            state.assign.as_ref(),
        );
    }
    let context = ctx.context(Extras::default());
    let result = {
        let effective = ctx.input_path(&input, &context)?;
        match (&state.parameters, &state.result) {
            (Some(_), _) => ctx.parameters(effective, &context)?,
            (None, Some(result)) => result.clone(),
            // The whole input passes on and ResultPath drops the original: move, not copy.
            (None, None) if matches!(effective, Cow::Borrowed(_)) && !keeps_input(state) => {
                drop(effective);
                std::mem::take(&mut input)
            }
            (None, None) => effective.into_owned(),
        }
    };
    let assigned = ctx.assign(state.assign.as_ref(), &result, &context, None)?;
    let combined = ctx.result_path(input, result)?;
    let output = ctx.output_path(combined, &context)?;
    Ok(Done { output, assigned })
}

pub(super) fn succeed(ctx: &StateCtx<'_>, input: Value) -> Result<Done, StatesError> {
    if ctx.is_jsonata() {
        if ctx.state.output.is_none() {
            return Ok(plain(input));
        }
        let states = input_states(ctx, &input);
        return jsonata_done(ctx, input, &states, ctx.state.output.as_ref(), None);
    }
    let context = ctx.context(Extras::default());
    let effective = ctx.input_path_owned(input, &context)?;
    let output = ctx.output_path(effective, &context)?;
    Ok(Done {
        output,
        assigned: None,
    })
}

/// A JSONata Fail state's Error and Cause (`{% %}` expressions giving strings).
fn jsonata_fail(ctx: &StateCtx<'_>, input: &Value) -> StatesError {
    let state = ctx.state;
    let states = input_states(ctx, input);
    let field = |name: &str, value: &Option<String>| -> Result<Option<String>, StatesError> {
        let Some(text) = value else {
            return Ok(None);
        };
        let value = Value::String(text.clone());
        match ctx.jsonata_typed(&value, name, "string", &states)? {
            Value::String(s) => Ok(Some(s)),
            _ => Ok(None),
        }
    };
    let error = match field("Error", &state.error) {
        Ok(error) => error,
        Err(e) => return e,
    };
    let cause = match field("Cause", &state.cause) {
        Ok(cause) => cause,
        Err(e) => return e,
    };
    StatesError::new(error.unwrap_or_default(), cause.unwrap_or_default())
}

/// The error a Fail state raises: Error/ErrorPath and Cause/CausePath (paths or intrinsics).
pub(super) fn fail(ctx: &StateCtx<'_>, input: &Value) -> StatesError {
    if ctx.is_jsonata() {
        return jsonata_fail(ctx, input);
    }
    let state = ctx.state;
    let context = ctx.context(Extras::default());
    let dynamic = |expression: &Option<String>| -> Result<Option<String>, StatesError> {
        let Some(expression) = expression else {
            return Ok(None);
        };
        let scope = ctx.scope(input, &context);
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
    if ctx.is_jsonata() {
        return jsonata_choice(ctx, input);
    }
    let state = ctx.state;
    let context = ctx.context(Extras::default());
    let effective = ctx.input_path_owned(input, &context)?;
    let mut matched = None;
    for (index, rule) in state.choices.iter().flatten().enumerate() {
        if choice::evaluate(rule, &ctx.scope(&effective, &context)).map_err(|e| ctx.located(e))? {
            matched = Some((index, rule));
            break;
        }
    }
    // A matching rule's Assign replaces the state's, which applies to the Default.
    let (next, assign) = match matched {
        Some((index, rule)) => (rule_target(ctx, index, rule), rule.assign.as_ref()),
        None => (default_target(ctx), state.assign.as_ref()),
    };
    let Some(next) = next else {
        return Err(no_match(ctx));
    };
    let assigned = ctx.assign(assign, &effective, &context, None)?;
    let output = ctx.output_path(effective, &context)?;
    Ok(Step {
        output,
        next: Some(next),
        assigned,
    })
}

/// Where a matched Choice rule leads.
fn rule_target<'a>(ctx: &StateCtx<'a>, index: usize, rule: &'a ChoiceRule) -> Option<Goto<'a>> {
    let position = ctx.targets.choices.get(index).copied().flatten();
    Goto::new(rule.next.as_deref(), position)
}

/// Where a Choice leads when no rule matches.
fn default_target<'a>(ctx: &StateCtx<'a>) -> Option<Goto<'a>> {
    Goto::new(ctx.state.default.as_deref(), ctx.targets.default)
}

fn no_match(ctx: &StateCtx<'_>) -> StatesError {
    StatesError::new(
        names::NO_CHOICE_MATCHED,
        format!("No Matches! in state '{}'", ctx.name),
    )
}

/// JSONata Choice: `Condition` rules; the matching rule's (else the state's) Output/Assign.
fn jsonata_choice<'a>(ctx: &StateCtx<'a>, input: Value) -> Result<Step<'a>, StatesError> {
    let state = ctx.state;
    let states = input_states(ctx, &input);
    let no_context = Value::Null;
    let mut matched = None;
    for (index, rule) in state.choices.iter().flatten().enumerate() {
        let mut condition = |value: &Value| -> Result<bool, StatesError> {
            match ctx.jsonata_typed(value, "Condition", "boolean", &states)? {
                Value::Bool(b) => Ok(b),
                _ => Ok(false),
            }
        };
        let scope = ctx.scope(&input, &no_context);
        if choice::evaluate_with(rule, &scope, &mut condition)? {
            matched = Some((index, rule));
            break;
        }
    }
    let (next, output, assign) = match matched {
        Some((index, rule)) => (
            rule_target(ctx, index, rule),
            rule.output.as_ref(),
            rule.assign.as_ref(),
        ),
        None => (
            default_target(ctx),
            state.output.as_ref(),
            state.assign.as_ref(),
        ),
    };
    let Some(next) = next else {
        return Err(no_match(ctx));
    };
    let done = jsonata_done(ctx, input, &states, output, assign)?;
    Ok(Step {
        output: done.output,
        next: Some(next),
        assigned: done.assigned,
    })
}
