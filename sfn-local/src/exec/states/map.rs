//! Map: run the item processor for each item of the input (INLINE and DISTRIBUTED alike, items
//! from the input), at most MaxConcurrency at a time, results in item order.

use std::borrow::Cow;
use std::sync::{Mutex, PoisonError};
use std::task::Poll;

use futures::stream::FuturesUnordered;
use futures::{Stream, StreamExt};
use sfn_json::{Value, json};

use super::Done;
use super::map_config::{Resolve, Tolerance, batches, max_concurrency, tolerance};
use crate::error::{StatesError, names};
use crate::exec::context::{Extras, StateCtx};
use crate::exec::io::Prepared;
use crate::exec::retry::error_output;
use crate::exec::run::{Thread, run_states};
use crate::exec::variables::StatesParts;
use crate::expr::path;
use crate::model::ProcessorMode;

/// The most iterations AWS runs at once in an inline Map ("supports up to 40 concurrent
/// iterations", the Step Functions guide, Inline mode).
const INLINE_CONCURRENCY: usize = 40;

/// JSONata items: `Items` (an array, or an expression giving one), else the state input.
fn jsonata_items<'v>(
    ctx: &StateCtx<'_>,
    input: &'v Value,
    states: &Value,
) -> Result<Cow<'v, [Value]>, StatesError> {
    let found = match &ctx.state.items {
        Some(items) => Cow::Owned(ctx.jsonata_typed(items, "Items", "array", states)?),
        None => Cow::Borrowed(input),
    };
    match found {
        Cow::Borrowed(Value::Array(items)) => Ok(Cow::Borrowed(items)),
        Cow::Owned(Value::Array(items)) => Ok(Cow::Owned(items)),
        other => Err(ctx.located(StatesError::new(
            names::QUERY_EVALUATION_ERROR,
            format!("Map state input must be an array but was: {other}"),
        ))),
    }
}

/// The items ItemsPath selects, borrowed where the path is a plain lookup: an item is copied
/// only when its iteration starts.
fn items<'v>(
    ctx: &'v StateCtx<'_>,
    input: &'v Value,
    context: &'v Value,
) -> Result<Cow<'v, [Value]>, StatesError> {
    let items_path = ctx.state.items_path.as_deref().unwrap_or("$");
    let scope = ctx.scope(input, context);
    let found = match path::lookup(items_path, &scope) {
        Some(Some(found)) => Cow::Borrowed(found),
        _ => Cow::Owned(path::query(items_path, &scope).map_err(|e| ctx.located(e))?),
    };
    match found {
        Cow::Borrowed(Value::Array(items)) => Ok(Cow::Borrowed(items)),
        Cow::Owned(Value::Array(items)) => Ok(Cow::Owned(items)),
        other => Err(ctx.located(StatesError::runtime(format!(
            "Map state input must be an array, but got: {other} (ItemsPath '{items_path}')"
        )))),
    }
}

/// Whether every iteration's input is a part of the state's own input as it stands (no
/// ItemSelector, checked by the caller; no ItemBatcher; items read from the input, not from
/// `$$`, a variable or a JSONata `Items` expression). The state's input already met the payload
/// limit, and a part of a JSON text is shorter than the whole, so such an input needs no
/// second size check.
fn items_are_parts_of_input(ctx: &StateCtx<'_>) -> bool {
    let state = ctx.state;
    let from_input = if ctx.is_jsonata() {
        state.items.is_none()
    } else {
        state.items_path.as_deref().is_none_or(|items_path| {
            path::parse(items_path).is_ok_and(|parsed| parsed.root == path::Root::Input)
        })
    };
    from_input && state.item_batcher.is_none()
}

/// Runs `start(0)`, `start(1)`, ... `start(total - 1)` with at most `limit` in flight, and
/// yields their outputs as they complete; first polls come in index order, as
/// `buffer_unordered(limit)` makes them. A future is created only when it starts and kept only
/// while it is pending: one that finishes on its first poll (a Pass-only iteration) never
/// enters the pending set, whose task allocation and queueing were a sixth of a 1,000-item
/// Map's time, and memory follows the iterations in flight, not the number of items.
fn bounded<T, Fut>(
    total: usize,
    limit: usize,
    mut start: impl FnMut(usize) -> Fut,
) -> impl Stream<Item = T> + Unpin
where
    Fut: Future<Output = T>,
{
    let mut next = 0usize;
    let mut pending = FuturesUnordered::new();
    futures::stream::poll_fn(move |cx| {
        // Nothing woken can be due before a new start when nothing is pending, or when every
        // iteration is admitted at once (all start within this one poll, as buffer_unordered
        // would push them all before polling any).
        while next < total && pending.len() < limit && (pending.is_empty() || limit >= total) {
            let mut iteration = Box::pin(start(next));
            next += 1;
            match iteration.as_mut().poll(cx) {
                Poll::Ready(out) => return Poll::Ready(Some(out)),
                Poll::Pending => pending.push(iteration),
            }
        }
        while next < total && pending.len() < limit {
            pending.push(Box::pin(start(next)));
            next += 1;
        }
        pending.poll_next_unpin(cx)
    })
}

/// The Map's items: borrowed from its input, or owned (computed by this attempt, or taken out
/// of an input the Map owns and nothing else reads), each then moved into its iteration.
enum Items<'v> {
    Shared(Cow<'v, [Value]>),
    Moved(Mutex<Vec<Value>>),
}

impl Items<'_> {
    fn len(&self) -> usize {
        match self {
            Self::Shared(items) => items.len(),
            Self::Moved(items) => items.lock().unwrap_or_else(PoisonError::into_inner).len(),
        }
    }

    /// Item `index` (a moved item can be had once: its iteration takes it).
    fn item(&self, index: usize) -> Cow<'_, Value> {
        match self {
            Self::Shared(items) => Cow::Borrowed(items.get(index).unwrap_or(&Value::Null)),
            Self::Moved(items) => {
                let mut items = items.lock().unwrap_or_else(PoisonError::into_inner);
                Cow::Owned(items.get_mut(index).map(std::mem::take).unwrap_or_default())
            }
        }
    }

    fn into_owned(self) -> Vec<Value> {
        match self {
            Self::Shared(items) => items.into_owned(),
            Self::Moved(items) => items.into_inner().unwrap_or_else(PoisonError::into_inner),
        }
    }
}

/// Whether a JSONPath payload template reads only literals and the context object (`$$...`,
/// where an item's ItemSelector finds `$$.Map.Item.Value`): conservatively, no `.$` value
/// holds a `$` other than in `$$`.
fn reads_context_only(template: &Value) -> bool {
    match template {
        Value::Object(map) => map.iter().all(|(key, value)| match value {
            Value::String(expression) if key.ends_with(".$") => {
                !expression.replace("$$", "").contains('$')
            }
            other => reads_context_only(other),
        }),
        Value::Array(items) => items.iter().all(reads_context_only),
        _ => true,
    }
}

/// Whether a JSONPath Map's items may be moved out of its input: nothing reads the input
/// once the items are known (ResultPath replaces it; no ItemBatcher or InputPath; an
/// ItemSelector only of literals and `$$` paths).
fn items_movable(ctx: &StateCtx<'_>) -> bool {
    let state = ctx.state;
    (state.item_selector.as_ref())
        .or(state.parameters.as_ref())
        .is_none_or(reads_context_only)
        && state.item_batcher.is_none()
        && state.input_path.is_whole()
        && state.result_path.is_whole()
}

/// What the Map reads from its whole input before its items are moved out of it.
struct Moved {
    limit: usize,
    tolerance: Result<Tolerance, StatesError>,
    items: Vec<Value>,
}

impl Moved {
    /// The settings and the array taken out of `slot` (left empty); `None` if it is no array.
    fn take(
        limit: usize,
        tolerance: Result<Tolerance, StatesError>,
        slot: Option<&mut Value>,
    ) -> Option<Self> {
        match slot {
            Some(Value::Array(items)) => Some(Self {
                limit,
                tolerance,
                items: std::mem::take(items),
            }),
            _ => None,
        }
    }
}

/// JSONPath: takes the items out of an owned input when [`items_movable`] allows and ItemsPath names an
/// array in place; MaxConcurrency and the tolerance are read first, from the whole input.
fn move_items(
    ctx: &StateCtx<'_>,
    raw: &mut Cow<'_, Value>,
    context: &Value,
    resolve: Resolve<'_>,
) -> Result<Option<Moved>, StatesError> {
    let Cow::Owned(input) = raw else {
        return Ok(None);
    };
    if !items_movable(ctx) {
        return Ok(None);
    }
    let items_path = ctx.state.items_path.as_deref().unwrap_or("$");
    if !matches!(
        path::lookup_input_mut(items_path, input),
        Some(Value::Array(_))
    ) {
        return Ok(None);
    }
    let limit = max_concurrency(ctx, input, context, resolve)?;
    let tolerance = tolerance(ctx, input, context, resolve);
    Ok(Moved::take(
        limit,
        tolerance,
        path::lookup_input_mut(items_path, input),
    ))
}

/// JSONata: takes the items out of `$states.input` (the Map's own input, moved there) when
/// the input is the item list (no Items) and nothing reads it again (no ItemSelector or
/// ItemBatcher); MaxConcurrency and the tolerance are evaluated first, over the whole input.
fn move_items_jsonata(
    ctx: &StateCtx<'_>,
    states: &mut Value,
    context: &Value,
) -> Result<Option<Moved>, StatesError> {
    let state = ctx.state;
    if state.items.is_some() || state.item_selector.is_some() || state.item_batcher.is_some() {
        return Ok(None);
    }
    let (limit, tolerance) = {
        let states = &*states;
        let Some(input @ Value::Array(_)) = states.get("input") else {
            return Ok(None);
        };
        let resolve = |field: &str, value: &Value| ctx.jsonata(value, field, states);
        let limit = max_concurrency(ctx, input, context, &resolve)?;
        (limit, tolerance(ctx, input, context, &resolve))
    };
    Ok(Moved::take(limit, tolerance, states.get_mut("input")))
}

/// Runs the Map on its input, owned (when nothing can retry or catch it) or borrowed.
pub(super) async fn map(
    ctx: &StateCtx<'_>,
    raw: Cow<'_, Value>,
    retry_count: u32,
    thread: &mut Thread,
) -> Result<Done, StatesError> {
    let mut raw = raw;
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
    // JSONata: a Map that owns its input and reads it again only through `$states` (no
    // Output or Assign at its end) moves it into `$states` instead of copying it there.
    let input_in_states =
        jsonata && matches!(raw, Cow::Owned(_)) && state.output.is_none() && state.assign.is_none();
    let mut states = if !jsonata {
        Value::Null
    } else if input_in_states {
        let input = std::mem::take(raw.to_mut());
        ctx.states_with_input(input, context.clone())
    } else {
        let parts = StatesParts {
            input: Some(&raw),
            ..StatesParts::default()
        };
        ctx.states(parts, context.clone())
    };
    let moved = if !jsonata {
        move_items(ctx, &mut raw, &context, &|_, value| Ok(value.clone()))?
    } else if input_in_states {
        move_items_jsonata(ctx, &mut states, &context)?
    } else {
        None
    };
    let states = states;
    let resolve = |field: &str, value: &Value| -> Result<Value, StatesError> {
        if jsonata {
            ctx.jsonata(value, field, &states)
        } else {
            Ok(value.clone())
        }
    };
    let raw: &Value = &raw;
    let effective = match (jsonata, states.get("input")) {
        (true, Some(input)) if input_in_states => Cow::Borrowed(input),
        (true, _) => Cow::Borrowed(raw),
        (false, _) => ctx.input_path(raw, &context)?,
    };
    let effective = effective.as_ref();
    let (limit, items, early_tolerance) = match moved {
        Some(moved) => (
            moved.limit,
            Items::Moved(Mutex::new(moved.items)),
            Some(moved.tolerance),
        ),
        None => {
            let limit = max_concurrency(ctx, effective, &context, &resolve)?;
            let items = if jsonata {
                jsonata_items(ctx, effective, &states)?
            } else {
                items(ctx, effective, &context)?
            };
            // Items computed afresh (an expression, a filter) are this attempt's own copy:
            // they move into their iterations too.
            let items = match items {
                Cow::Owned(items) => Items::Moved(Mutex::new(items)),
                borrowed => Items::Shared(borrowed),
            };
            (limit, items, None)
        }
    };
    let started = run.event("MapStateStarted", thread, || {
        Some((
            "mapStateStartedEventDetails",
            json!({"length": items.len()}),
        ))
    })?;
    let tolerance = match early_tolerance {
        Some(tolerance) => tolerance?,
        None => tolerance(ctx, effective, &context, &resolve)?,
    };
    let items = match &state.item_batcher {
        Some(batcher) => Items::Shared(Cow::Owned(batches(
            ctx,
            batcher,
            items.into_owned(),
            effective,
            &context,
            &resolve,
        )?)),
        None => items,
    };
    if distributed {
        run.event("MapRunStarted", thread, || {
            Some((
                "mapRunStartedEventDetails",
                json!({"mapRunArn": map_run_arn(ctx)}),
            ))
        })?;
    }
    let selector = state.item_selector.as_ref().or(state.parameters.as_ref());
    let items_within_limit = selector.is_none() && items_are_parts_of_input(ctx);
    let compiled_selector = Prepared::of(state).and_then(|t| t.item_selector.as_ref());
    // JSONata ItemSelector: one `$states` (holding the whole input) for every item, its
    // `context` replaced per item, rather than a copy of the input per item.
    let item_states = (jsonata && selector.is_some()).then(|| {
        let parts = StatesParts {
            input: Some(effective),
            ..StatesParts::default()
        };
        Mutex::new(ctx.states(parts, Value::Null))
    });
    let item_states = item_states.as_ref();
    let items = &items;
    let total = items.len();
    // AWS runs at most 40 iterations of an inline Map at a time, whatever MaxConcurrency says.
    let limit = match (distributed, limit) {
        (false, 0) => INLINE_CONCURRENCY,
        (false, n) => n.min(INLINE_CONCURRENCY),
        (true, 0) => total.max(1),
        (true, n) => n,
    };
    let start = |index: usize| async move {
        let item = items.item(index);
        let input = match selector {
            Some(tmpl) => {
                let extras = Extras {
                    retry_count,
                    task_token: None,
                    map_item: Some((index, &item)),
                };
                let context = ctx.context(extras);
                match item_states {
                    Some(states) => {
                        let mut states = states.lock().unwrap_or_else(PoisonError::into_inner);
                        if let Value::Object(parts) = &mut *states {
                            parts.insert("context", context);
                        }
                        ctx.jsonata(tmpl, "ItemSelector", &states)?
                    }
                    None => ctx.prepared_template(tmpl, compiled_selector, effective, &context)?,
                }
            }
            None => item.into_owned(),
        };
        let mut frame = ctx.inner_frame();
        if distributed {
            // A child execution: its own history (none of it in the parent's) and none of
            // the parent's variables.
            frame.variables = Default::default();
            frame.variables_bytes = 0;
            let child = run.child();
            let mut thread = Thread { prev: 0 };
            let result = run_states(
                &child,
                processor,
                input,
                frame,
                &mut thread,
                items_within_limit,
            )
            .await;
            return Ok::<_, StatesError>((index, result));
        }
        let mut iteration = Thread { prev: started };
        let details = || {
            Some((
                "mapIterationStartedEventDetails",
                json!({"name": ctx.name, "index": index}),
            ))
        };
        run.event("MapIterationStarted", &mut iteration, details)?;
        let result = run_states(
            run,
            processor,
            input,
            frame,
            &mut iteration,
            items_within_limit,
        )
        .await;
        let (kind, key) = if result.is_ok() {
            ("MapIterationSucceeded", "mapIterationSucceededEventDetails")
        } else {
            ("MapIterationFailed", "mapIterationFailedEventDetails")
        };
        run.event(kind, &mut iteration, || {
            Some((key, json!({"name": ctx.name, "index": index})))
        })?;
        Ok::<_, StatesError>((index, result))
    };
    let mut iterations = bounded(total, limit, start);
    let mut results = vec![Value::Null; total];
    let mut failed = 0usize;
    let failed_with = |thread: &mut Thread, e: StatesError| {
        if distributed {
            ctx.run.event("MapRunFailed", thread, || {
                Some((
                    "mapRunFailedEventDetails",
                    json!({"error": e.error, "cause": e.cause}),
                ))
            })?;
        }
        map_failed(ctx, thread, e)
    };
    while let Some(done) = iterations.next().await {
        let (index, result) = match done {
            Ok(done) => done,
            Err(e) => return failed_with(thread, e),
        };
        let value = match result {
            Ok(value) => value,
            // Inline, these fail the Map at once; a child execution's failure of any kind
            // is one failed item of the Map Run.
            Err(e)
                if !distributed
                    && (e.error == names::RUNTIME
                        || e.error == names::DATA_LIMIT_EXCEEDED
                        || !tolerance.tolerates_any()) =>
            {
                return failed_with(thread, e);
            }
            Err(e) => {
                failed += 1;
                if tolerance.exceeded(failed, total) {
                    let exceeded = StatesError::new(
                        names::EXCEED_TOLERATED_FAILURE_THRESHOLD,
                        "The specified tolerated failure threshold was exceeded",
                    );
                    return failed_with(thread, exceeded);
                }
                error_output(&e)
            }
        };
        if let Some(slot) = results.get_mut(index) {
            *slot = value;
        }
    }
    drop(iterations);
    if distributed {
        run.event("MapRunSucceeded", thread, || None)?;
    }
    run.event("MapStateSucceeded", thread, || None)?;
    ctx.finish(raw, Value::Array(results), &context)
}

/// `arn:aws:states:REGION:ACCOUNT:mapRun:MACHINE/LABEL:ID`, the label a fresh id when the
/// state has no `Label`.
fn map_run_arn(ctx: &StateCtx<'_>) -> String {
    let options = &ctx.run.options;
    let label = ctx
        .state
        .label
        .clone()
        .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
    format!(
        "arn:aws:states:{}:{}:mapRun:{}/{label}:{}",
        options.region,
        options.account,
        options.state_machine_name,
        uuid::Uuid::new_v4()
    )
}

fn map_failed(
    ctx: &StateCtx<'_>,
    thread: &mut Thread,
    error: StatesError,
) -> Result<Done, StatesError> {
    ctx.run.event("MapStateFailed", thread, || None)?;
    Err(error)
}

#[cfg(test)]
mod tests {
    use std::cell::RefCell;

    use futures::StreamExt;
    use sfn_json::json;

    use super::{bounded, reads_context_only};

    /// Iterations of which every third waits once; returns each one's first-poll order, the
    /// order they finished in and the most that were in flight at once.
    fn run_bounded(total: usize, limit: usize) -> (Vec<usize>, Vec<usize>, usize) {
        let started = RefCell::new(Vec::new());
        let in_flight = RefCell::new((0usize, 0usize));
        let start = |index: usize| {
            let (started, in_flight) = (&started, &in_flight);
            async move {
                started.borrow_mut().push(index);
                {
                    let mut counts = in_flight.borrow_mut();
                    counts.0 += 1;
                    counts.1 = counts.1.max(counts.0);
                }
                if index.is_multiple_of(3) {
                    tokio::task::yield_now().await;
                }
                in_flight.borrow_mut().0 -= 1;
                index
            }
        };
        let finished: Vec<usize> = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
            .block_on(bounded(total, limit, start).collect());
        let most = in_flight.borrow().1;
        (started.into_inner(), finished, most)
    }

    #[test]
    fn bounded_starts_in_index_order_within_the_limit_and_finishes_every_iteration() {
        for (total, limit) in [(10, 3), (10, 1), (10, 10), (10, 40), (1, 1), (0, 4)] {
            let (started, mut finished, most) = run_bounded(total, limit);
            assert_eq!(started, (0..total).collect::<Vec<_>>(), "{total}/{limit}");
            assert!(most <= limit, "{total}/{limit}: {most} in flight");
            finished.sort_unstable();
            assert_eq!(finished, (0..total).collect::<Vec<_>>(), "{total}/{limit}");
        }
        // A waiting iteration holds its slot: the next one starts beside it, not after it.
        let (_, _, most) = run_bounded(5, 2);
        assert_eq!(most, 2);
    }

    #[test]
    fn a_selector_of_literals_and_context_paths_reads_no_input() {
        for template in [
            json!({"value.$": "$$.Map.Item.Value", "index.$": "$$.Map.Item.Index", "fixed": "$.not-a-path"}),
            json!({"label.$": "States.Format('item {}', $$.Map.Item.Index)", "nested": [{"v.$": "$$"}]}),
        ] {
            assert!(reads_context_only(&template), "{template}");
        }
        for template in [
            json!({"all.$": "$"}),
            json!({"x.$": "$.order.id"}),
            json!({"nested": {"x.$": "States.Format('{}', $.n)"}}),
            json!({"var.$": "$total"}),
            json!([{"x.$": "$['a']"}]),
        ] {
            assert!(!reads_context_only(&template), "{template}");
        }
    }
}
