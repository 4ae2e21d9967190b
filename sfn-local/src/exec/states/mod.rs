//! Each state type, and the Retry/Catch loop around Task, Parallel and Map.

mod basic;
mod map;
mod map_config;
mod parallel;
mod task;
mod wait;

use serde_json::Value;

use super::context::StateCtx;
use super::retry::{RetryState, catcher, error_output};
use super::run::Thread;
use crate::error::StatesError;
use crate::model::StateType;

/// Where a state leads: its output and the next state (`None` ends the machine/branch).
pub(crate) struct Step<'a> {
    pub output: Value,
    pub next: Option<&'a str>,
}

/// Run one state on its raw input.
pub(crate) async fn execute<'a>(
    ctx: &StateCtx<'a>,
    input: Value,
    thread: &mut Thread,
) -> Result<Step<'a>, StatesError> {
    let state = ctx.state;
    let next = state.next.as_deref();
    match state.kind {
        StateType::Pass => Ok(Step {
            output: basic::pass(ctx, input)?,
            next,
        }),
        StateType::Succeed => Ok(Step {
            output: basic::succeed(ctx, input)?,
            next: None,
        }),
        StateType::Fail => Err(basic::fail(ctx, &input)),
        StateType::Choice => basic::choice(ctx, input),
        StateType::Wait => Ok(Step {
            output: wait::wait(ctx, input).await?,
            next,
        }),
        StateType::Task | StateType::Parallel | StateType::Map => {
            with_retry_and_catch(ctx, input, thread).await
        }
    }
}

/// One attempt of a Task, Parallel or Map state: its output or its error.
async fn attempt(
    ctx: &StateCtx<'_>,
    input: &Value,
    retry_count: u32,
    thread: &mut Thread,
) -> Result<Value, StatesError> {
    match ctx.state.kind {
        StateType::Task => task::task(ctx, input, retry_count, thread).await,
        StateType::Parallel => parallel::parallel(ctx, input, retry_count, thread).await,
        _ => map::map(ctx, input, retry_count, thread).await,
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
    loop {
        let error = match attempt(ctx, &input, retry_count, thread).await {
            Ok(output) => {
                return Ok(Step {
                    output,
                    next: state.next.as_deref(),
                });
            }
            Err(error) => error,
        };
        if let Some(delay) = retries.next_delay(retriers, &error) {
            tokio::time::sleep(delay).await;
            retry_count = retry_count.saturating_add(1);
            continue;
        }
        let catchers = state.catch.as_deref().unwrap_or_default();
        let Some(catcher) = catcher(catchers, &error) else {
            return Err(error);
        };
        let output = super::io::place(&catcher.result_path, input, error_output(&error))
            .map_err(|e| ctx.located(e))?;
        return Ok(Step {
            output,
            next: Some(catcher.next.as_str()),
        });
    }
}
