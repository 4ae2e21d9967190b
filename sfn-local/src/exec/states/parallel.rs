//! Parallel: every branch on the same input, concurrently; the output is the array of branch
//! outputs in branch order. The first branch to fail fails the state and cancels the others.

use serde_json::Value;

use crate::error::StatesError;
use crate::exec::context::{Extras, StateCtx};
use crate::exec::run::{Thread, run_machine};

pub(super) async fn parallel(
    ctx: &StateCtx<'_>,
    raw: &Value,
    retry_count: u32,
    thread: &mut Thread,
) -> Result<Value, StatesError> {
    let run = ctx.run;
    let context = ctx.context(Extras {
        retry_count,
        ..Extras::default()
    });
    let effective = ctx.input_path(raw, &context)?;
    let input = ctx.parameters(effective, &context)?;
    let started = run.event("ParallelStateStarted", thread, || None)?;
    let branches = ctx.state.branches.as_deref().unwrap_or_default();
    let runs = branches.iter().map(|branch| {
        let input = input.clone();
        async move {
            let mut branch_thread = Thread { prev: started };
            run_machine(run, branch, input, &mut branch_thread).await
        }
    });
    match futures::future::try_join_all(runs).await {
        Ok(outputs) => {
            run.event("ParallelStateSucceeded", thread, || None)?;
            let selected = ctx.result_selector(Value::Array(outputs), &context)?;
            let combined = ctx.result_path(raw.clone(), selected)?;
            ctx.output_path(combined, &context)
        }
        Err(e) => {
            run.event("ParallelStateFailed", thread, || None)?;
            Err(e)
        }
    }
}
