//! Map: run the item processor for each item of the input (INLINE and DISTRIBUTED alike, items
//! from the input), at most MaxConcurrency at a time, results in item order.

use futures::StreamExt;
use serde_json::{Value, json};

use super::Done;
use super::map_config::{batches, max_concurrency, tolerance};
use crate::error::{StatesError, names};
use crate::exec::context::{Extras, StateCtx};
use crate::exec::retry::error_output;
use crate::exec::run::{Thread, run_machine};
use crate::exec::variables::StatesParts;
use crate::expr::path;
use crate::model::ProcessorMode;

/// JSONata items: `Items` (an array, or an expression giving one), else the state input.
fn jsonata_items(
    ctx: &StateCtx<'_>,
    input: &Value,
    states: &Value,
) -> Result<Vec<Value>, StatesError> {
    let found = match &ctx.state.items {
        Some(items) => ctx.jsonata_typed(items, "Items", "array", states)?,
        None => input.clone(),
    };
    match found {
        Value::Array(items) => Ok(items),
        other => Err(ctx.located(StatesError::new(
            names::QUERY_EVALUATION_ERROR,
            format!("Map state input must be an array but was: {other}"),
        ))),
    }
}

fn items(ctx: &StateCtx<'_>, input: &Value, context: &Value) -> Result<Vec<Value>, StatesError> {
    let items_path = ctx.state.items_path.as_deref().unwrap_or("$");
    let found = if items_path == "$" {
        input.clone()
    } else {
        path::query(items_path, &ctx.scope(input, context)).map_err(|e| ctx.located(e))?
    };
    match found {
        Value::Array(items) => Ok(items),
        other => Err(ctx.located(StatesError::runtime(format!(
            "Map state input must be an array, but got: {other} (ItemsPath '{items_path}')"
        )))),
    }
}

pub(super) async fn map(
    ctx: &StateCtx<'_>,
    raw: &Value,
    retry_count: u32,
    thread: &mut Thread,
) -> Result<Done, StatesError> {
    let run = ctx.run;
    let state = ctx.state;
    let Some(processor) = state.processor() else {
        return Err(ctx.located(StatesError::runtime("The Map state has no ItemProcessor")));
    };
    let context = ctx.context(Extras {
        retry_count,
        ..Extras::default()
    });
    let jsonata = ctx.is_jsonata();
    let distributed = processor
        .processor_config
        .as_ref()
        .and_then(|c| c.mode)
        .is_some_and(|m| m == ProcessorMode::Distributed);
    let states = if jsonata {
        let parts = StatesParts {
            input: Some(raw),
            ..StatesParts::default()
        };
        ctx.states(parts, context.clone())
    } else {
        Value::Null
    };
    let resolve = |field: &str, value: &Value| -> Result<Value, StatesError> {
        if jsonata {
            ctx.jsonata(value, field, &states)
        } else {
            Ok(value.clone())
        }
    };
    let effective = if jsonata {
        raw.clone()
    } else {
        ctx.input_path(raw, &context)?.into_owned()
    };
    let limit = max_concurrency(ctx, &effective, &context, &resolve)?;
    let items = if jsonata {
        jsonata_items(ctx, &effective, &states)?
    } else {
        items(ctx, &effective, &context)?
    };
    let started = run.event("MapStateStarted", thread, || {
        Some((
            "mapStateStartedEventDetails",
            json!({"length": items.len()}),
        ))
    })?;
    let tolerance = tolerance(ctx, &effective, &context, &resolve)?;
    let items = match &state.item_batcher {
        Some(batcher) => batches(ctx, batcher, items, &effective, &context)?,
        None => items,
    };
    let selector = state.item_selector.as_ref().or(state.parameters.as_ref());
    let total = items.len();
    let limit = if limit == 0 { total.max(1) } else { limit };
    let effective = &effective;
    let mut iterations = futures::stream::iter(items.into_iter().enumerate())
        .map(|(index, item)| async move {
            let input = match selector {
                Some(tmpl) => {
                    let extras = Extras {
                        retry_count,
                        task_token: None,
                        map_item: Some((index, &item)),
                    };
                    let context = ctx.context(extras);
                    if jsonata {
                        let parts = StatesParts {
                            input: Some(effective),
                            ..StatesParts::default()
                        };
                        ctx.jsonata(tmpl, "ItemSelector", &ctx.states(parts, context))?
                    } else {
                        ctx.template(tmpl, effective, &context)?
                    }
                }
                None => item,
            };
            let mut iteration = Thread { prev: started };
            let details = || {
                Some((
                    "mapIterationStartedEventDetails",
                    json!({"name": ctx.name, "index": index}),
                ))
            };
            run.event("MapIterationStarted", &mut iteration, details)?;
            let mut frame = ctx.inner_frame();
            frame.language = processor.query_language.unwrap_or(frame.language);
            if distributed {
                // Child workflows of a distributed Map do not see the parent's variables.
                frame.variables = Default::default();
            }
            let result = run_machine(run, processor, input, frame, &mut iteration).await;
            let (kind, key) = if result.is_ok() {
                ("MapIterationSucceeded", "mapIterationSucceededEventDetails")
            } else {
                ("MapIterationFailed", "mapIterationFailedEventDetails")
            };
            run.event(kind, &mut iteration, || {
                Some((key, json!({"name": ctx.name, "index": index})))
            })?;
            Ok::<_, StatesError>((index, result))
        })
        .buffer_unordered(limit);
    let mut results = vec![Value::Null; total];
    let mut failed = 0usize;
    while let Some(done) = iterations.next().await {
        let (index, result) = match done {
            Ok(done) => done,
            Err(e) => return map_failed(ctx, thread, e),
        };
        let value = match result {
            Ok(value) => value,
            Err(e)
                if e.error == names::RUNTIME
                    || e.error == names::DATA_LIMIT_EXCEEDED
                    || !tolerance.tolerates_any() =>
            {
                return map_failed(ctx, thread, e);
            }
            Err(e) => {
                failed += 1;
                if tolerance.exceeded(failed, total) {
                    let exceeded = StatesError::new(
                        names::EXCEED_TOLERATED_FAILURE_THRESHOLD,
                        "The specified tolerated failure threshold was exceeded",
                    );
                    return map_failed(ctx, thread, exceeded);
                }
                error_output(&e)
            }
        };
        if let Some(slot) = results.get_mut(index) {
            *slot = value;
        }
    }
    drop(iterations);
    run.event("MapStateSucceeded", thread, || None)?;
    ctx.finish(raw, Value::Array(results), &context)
}

fn map_failed(
    ctx: &StateCtx<'_>,
    thread: &mut Thread,
    error: StatesError,
) -> Result<Done, StatesError> {
    ctx.run.event("MapStateFailed", thread, || None)?;
    Err(error)
}
