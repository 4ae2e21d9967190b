//! Parallel: every branch on the same input, concurrently; the output is the array of branch
//! outputs in branch order. The first branch to fail fails the state and cancels the others.

use sfn_json::Value;

use super::Done;
use crate::error::StatesError;
use crate::exec::context::{Extras, StateCtx};
use crate::exec::run::{Thread, run_machine};
use crate::exec::variables::StatesParts;

pub(super) async fn parallel(
    ctx: &StateCtx<'_>,
    raw: &Value,
    retry_count: u32,
    thread: &mut Thread,
) -> Result<Done, StatesError> {
    let run = ctx.run;
    let context = ctx.context(Extras {
        retry_count,
        ..Extras::default()
    });
    let input = if ctx.is_jsonata() {
        match &ctx.state.arguments {
            Some(arguments) => {
                let parts = StatesParts {
                    input: Some(raw),
                    ..StatesParts::default()
                };
                ctx.jsonata(arguments, "Arguments", &ctx.states(parts, context.clone()))?
            }
            None => raw.clone(),
        }
    } else {
        let effective = ctx.input_path(raw, &context)?;
        ctx.parameters(effective, &context)?
    };
    let started = run.event("ParallelStateStarted", thread, || None)?;
    let branches = ctx.state.branches.as_deref().unwrap_or_default();
    let runs = branches.iter().map(|branch| {
        let input = input.clone();
        let frame = ctx.inner_frame();
        async move {
            let mut branch_thread = Thread { prev: started };
            run_machine(run, branch, input, frame, &mut branch_thread).await
        }
    });
    match futures::future::try_join_all(runs).await {
        Ok(outputs) => {
            run.event("ParallelStateSucceeded", thread, || None)?;
            ctx.finish(raw, Value::Array(outputs), &context)
        }
        Err(e) => {
            run.event("ParallelStateFailed", thread, || None)?;
            Err(e)
        }
    }
}
