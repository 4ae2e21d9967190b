//! Each state type, and the Retry/Catch loop around Task, Parallel and Map.

mod basic;
mod map;
mod map_config;
mod parallel;
mod task;
mod wait;

use std::borrow::Cow;

use sfn_json::{Map, Value};

use super::context::{Extras, StateCtx};
use super::retry::{RetryState, catcher, error_output};
use super::run::Thread;
use super::variables::StatesParts;
use crate::error::StatesError;
use crate::model::{Nullable, State, StateType, Targets};

/// A transition: the target's name as written and its position among the machine's states
/// (resolved at parse time; `None` when no state has that name).
#[derive(Clone, Copy)]
pub(crate) struct Goto<'a> {
    pub name: &'a str,
    pub position: Option<usize>,
}

impl<'a> Goto<'a> {
    fn new(name: Option<&'a str>, position: Option<usize>) -> Option<Self> {
        name.map(|name| Self { name, position })
    }
}

/// Where a state leads: its output, the next state (`None` ends the machine/branch) and the
/// variables it assigns.
pub(crate) struct Step<'a> {
    pub output: Value,
    pub next: Option<Goto<'a>>,
    pub assigned: Option<Map>,
}

/// What a state's work produced: its output and its variable assignments.
pub(crate) struct Done {
    pub output: Value,
    pub assigned: Option<Map>,
}

impl<'a> Step<'a> {
    fn to(done: Done, next: Option<Goto<'a>>) -> Self {
        Self {
            output: done.output,
            next,
            assigned: done.assigned,
        }
    }
}

/// The state's `Next`.
fn next<'a>(ctx: &StateCtx<'a>) -> Option<Goto<'a>> {
    Goto::new(ctx.state.next.as_deref(), ctx.targets.next)
}

/// A state for which `passes_input_through` holds: its output is its input, and a Pass
/// goes on to its `Next`.
pub(crate) fn pass_through<'a>(state: &'a State, targets: &Targets, input: Value) -> Step<'a> {
    let next = match state.kind {
        StateType::Succeed => None,
        _ => Goto::new(state.next.as_deref(), targets.next),
    };
    Step {
        output: input,
        next,
        assigned: None,
    }
}

/// Whether a state of this type finishes without awaiting anything (Pass, Succeed, Fail,
/// Choice): the loop calls [`execute_now`] for it, with no future per state.
pub(crate) fn is_immediate(kind: StateType) -> bool {
    matches!(
        kind,
        StateType::Pass | StateType::Succeed | StateType::Fail | StateType::Choice
    )
}

/// Run a state for which [`is_immediate`] holds.
pub(crate) fn execute_now<'a>(ctx: &StateCtx<'a>, input: Value) -> Result<Step<'a>, StatesError> {
    match ctx.state.kind {
        StateType::Pass => Ok(Step::to(basic::pass(ctx, input)?, next(ctx))),
        StateType::Succeed => Ok(Step::to(basic::succeed(ctx, input)?, None)),
        StateType::Fail => Err(basic::fail(ctx, &input)),
        StateType::Choice => basic::choice(ctx, input),
        kind => Err(StatesError::runtime(format!(
            "A {} state cannot run without waiting.",
            kind.as_str()
        ))),
    }
}

/// Run one state on its raw input.
pub(crate) async fn execute<'a>(
    ctx: &StateCtx<'a>,
    input: Value,
    thread: &mut Thread,
) -> Result<Step<'a>, StatesError> {
    match ctx.state.kind {
        StateType::Wait => Ok(Step::to(wait::wait(ctx, input).await?, next(ctx))),
        StateType::Task | StateType::Parallel | StateType::Map => {
            with_retry_and_catch(ctx, input, thread).await
        }
        StateType::Pass | StateType::Succeed | StateType::Fail | StateType::Choice => {
            execute_now(ctx, input)
        }
    }
}

/// Whether the state's output is its input, unchanged (so it cannot exceed a payload limit
/// the input met): no field of the state's type that reshapes the payload is set.
pub(crate) fn output_is_input(ctx: &StateCtx<'_>) -> bool {
    let state = ctx.state;
    let whole = Nullable::is_whole;
    if ctx.is_jsonata() {
        return match state.kind {
            StateType::Pass => state.output.is_none() && state.result.is_none(),
            StateType::Succeed => state.output.is_none(),
            StateType::Choice => {
                state.output.is_none()
                    && state
                        .choices
                        .iter()
                        .flatten()
                        .all(|rule| rule.output.is_none())
            }
            _ => false,
        };
    }
    let paths_whole = whole(&state.input_path) && whole(&state.output_path);
    match state.kind {
        // ResultPath `null` keeps the raw input; absent or `$` puts the (unchanged) input there.
        StateType::Pass => {
            paths_whole
                && state.parameters.is_none()
                && state.result.is_none()
                && (matches!(&state.result_path, Nullable::Null) || whole(&state.result_path))
        }
        StateType::Succeed | StateType::Choice => paths_whole,
        _ => false,
    }
}

/// One attempt of a Task, Parallel or Map state: its output or its error.
async fn attempt(
    ctx: &StateCtx<'_>,
    input: &Value,
    retry_count: u32,
    thread: &mut Thread,
) -> Result<Done, StatesError> {
    match ctx.state.kind {
        StateType::Task => task::task(ctx, input, retry_count, thread).await,
        StateType::Parallel => parallel::parallel(ctx, input, retry_count, thread).await,
        _ => map::map(ctx, Cow::Borrowed(input), retry_count, thread).await,
    }
}

async fn with_retry_and_catch<'a>(
    ctx: &StateCtx<'a>,
    input: Value,
    thread: &mut Thread,
) -> Result<Step<'a>, StatesError> {
    let state = ctx.state;
    let retriers = state.retry.as_deref().unwrap_or_default();
    let mut retries = RetryState::new(retriers);
    let mut retry_count = 0u32;
    let catchers = state.catch.as_deref().unwrap_or_default();
    if state.kind == StateType::Map && retriers.is_empty() && catchers.is_empty() {
        // Nothing retries the Map or catches its error, so nothing needs its input again:
        // it may own it and move the items into the iterations instead of copying them.
        let done = map::map(ctx, Cow::Owned(input), retry_count, thread).await?;
        return Ok(Step::to(done, next(ctx)));
    }
    loop {
        let error = match attempt(ctx, &input, retry_count, thread).await {
            Ok(done) => return Ok(Step::to(done, next(ctx))),
            Err(error) => error,
        };
        if let Some(delay) = retries.next_delay(retriers, &error) {
            tokio::time::sleep(delay).await;
            retry_count = retry_count.saturating_add(1);
            continue;
        }
        let Some((index, catcher)) = catcher(catchers, &error) else {
            return Err(error);
        };
        let target = ctx.targets.catch.get(index).copied().flatten();
        let error_output = error_output(&error);
        let done = if ctx.is_jsonata() {
            // JSONata catchers: Output (default: the error output) and Assign over
            // `$states.errorOutput`.
            let context = ctx.context(Extras {
                retry_count,
                ..Extras::default()
            });
            let parts = StatesParts {
                input: Some(&input),
                error_output: Some(&error_output),
                ..StatesParts::default()
            };
            let states = ctx.states(parts, context);
            let assigned =
                ctx.assign(catcher.assign.as_ref(), &input, &Value::Null, Some(&states))?;
            let output = ctx.jsonata_output(catcher.output.as_ref(), &states, error_output)?;
            Done { output, assigned }
        } else {
            let context = ctx.context(Extras {
                retry_count,
                ..Extras::default()
            });
            let assigned = ctx.assign(catcher.assign.as_ref(), &error_output, &context, None)?;
            let output = super::io::place(&catcher.result_path, input, error_output)
                .map_err(|e| ctx.located(e))?;
            Done { output, assigned }
        };
        return Ok(Step::to(done, Goto::new(Some(&catcher.next), target)));
    }
}
