//! The Map state's numeric settings: MaxConcurrency(Path), ToleratedFailureCount/Percentage
//! (Path) and ItemBatcher, with AWS's messages for bad values.

use sfn_json::{Map, Value};

use crate::error::StatesError;
use crate::exec::context::StateCtx;
use crate::expr::{path, template};
use crate::model::ItemBatcher;

/// A value as AWS quotes it: strings bare, the rest as JSON.
fn shown(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn from_path(
    ctx: &StateCtx<'_>,
    p: &str,
    input: &Value,
    context: &Value,
) -> Result<Value, StatesError> {
    path::query(p, &ctx.scope(input, context)).map_err(|e| ctx.located(e))
}

/// A number, or a string holding one (AWS reads `"1"` from a path as 1, as Jackson's
/// text coercion does).
fn coerced_i64(value: &Value) -> Option<i64> {
    match value {
        Value::String(s) => s.trim().parse().ok(),
        other => other.as_i64(),
    }
}

fn coerced_f64(value: &Value) -> Option<f64> {
    match value {
        Value::String(s) => s.trim().parse().ok().filter(|f: &f64| f.is_finite()),
        other => other.as_f64(),
    }
}

fn integer(ctx: &StateCtx<'_>, field: &str, p: &str, value: &Value) -> Result<i64, StatesError> {
    coerced_i64(value).ok_or_else(|| {
        ctx.located(StatesError::runtime(format!(
            "The {field}Path field refers to value \"{}\" which is not a valid integer: {p}",
            shown(value)
        )))
    })
}

/// How a numeric field's value is read: as written (JSONPath) or evaluated (JSONata `{% %}`).
pub(super) type Resolve<'r> = &'r dyn Fn(&str, &Value) -> Result<Value, StatesError>;

/// MaxConcurrency: 0 means no limit.
pub(super) fn max_concurrency(
    ctx: &StateCtx<'_>,
    input: &Value,
    context: &Value,
    resolve: Resolve<'_>,
) -> Result<usize, StatesError> {
    let state = ctx.state;
    let n = match (&state.max_concurrency, &state.max_concurrency_path) {
        (Some(v), _) => resolve("MaxConcurrency", v)?.as_i64().unwrap_or(0),
        (None, Some(p)) => integer(
            ctx,
            "MaxConcurrency",
            p,
            &from_path(ctx, p, input, context)?,
        )?,
        (None, None) => 0,
    };
    if n < 0 {
        return Err(ctx.located(StatesError::runtime("MaxConcurrency cannot be negative.")));
    }
    Ok(usize::try_from(n).unwrap_or(usize::MAX))
}

/// How many failed items a Map tolerates before failing.
pub(super) struct Tolerance {
    pub count: Option<u64>,
    pub percentage: Option<f64>,
}

impl Tolerance {
    /// Whether `failed` of `total` items exceed the tolerance (no tolerance set: any failure).
    pub fn exceeded(&self, failed: usize, total: usize) -> bool {
        if failed == 0 {
            return false;
        }
        let by_count = self.count.map(|c| failed as u64 > c);
        let by_percentage = self
            .percentage
            .map(|p| total > 0 && (failed as f64) * 100.0 / (total as f64) > p);
        match (by_count, by_percentage) {
            (None, None) => true,
            (Some(c), None) => c,
            (None, Some(p)) => p,
            (Some(c), Some(p)) => c || p,
        }
    }

    /// Whether failures are tolerated at all (else the first failure fails the Map at once).
    pub fn tolerates_any(&self) -> bool {
        self.count.is_some_and(|c| c > 0) || self.percentage.is_some_and(|p| p > 0.0)
    }
}

pub(super) fn tolerance(
    ctx: &StateCtx<'_>,
    input: &Value,
    context: &Value,
    resolve: Resolve<'_>,
) -> Result<Tolerance, StatesError> {
    let state = ctx.state;
    let count = match (
        &state.tolerated_failure_count,
        &state.tolerated_failure_count_path,
    ) {
        (Some(v), _) => Some(resolve("ToleratedFailureCount", v)?.as_i64().unwrap_or(0)),
        (None, Some(p)) => Some(integer(
            ctx,
            "ToleratedFailureCount",
            p,
            &from_path(ctx, p, input, context)?,
        )?),
        (None, None) => None,
    };
    if count.is_some_and(|c| c < 0) {
        return Err(ctx.located(StatesError::runtime(
            "ToleratedFailureCount cannot be negative.",
        )));
    }
    let percentage = match (
        &state.tolerated_failure_percentage,
        &state.tolerated_failure_percentage_path,
    ) {
        (Some(v), _) => Some(
            resolve("ToleratedFailurePercentage", v)?
                .as_f64()
                .unwrap_or(0.0),
        ),
        (None, Some(p)) => {
            let value = from_path(ctx, p, input, context)?;
            Some(coerced_f64(&value).ok_or_else(|| {
                ctx.located(StatesError::runtime(format!(
                    "The ToleratedFailurePercentagePath field refers to value \"{}\" which is not a valid float: {p}",
                    shown(&value)
                )))
            })?)
        }
        (None, None) => None,
    };
    if percentage.is_some_and(|p| !(0.0..=100.0).contains(&p)) {
        return Err(ctx.located(StatesError::runtime(
            "ToleratedFailurePercentage must be between 0 and 100.",
        )));
    }
    Ok(Tolerance {
        count: count.map(i64::unsigned_abs),
        percentage,
    })
}

/// Group items into batches `{"Items": [...], ...BatchInput}` as ItemBatcher asks.
pub(super) fn batches(
    ctx: &StateCtx<'_>,
    batcher: &ItemBatcher,
    items: Vec<Value>,
    input: &Value,
    context: &Value,
    resolve: Resolve<'_>,
) -> Result<Vec<Value>, StatesError> {
    let limit = |value: &Option<Value>,
                 path_field: &Option<String>,
                 field: &str|
     -> Result<Option<usize>, StatesError> {
        let n = match (value, path_field) {
            (Some(v), _) => resolve(field, v)?.as_i64(),
            (None, Some(p)) => Some(integer(ctx, field, p, &from_path(ctx, p, input, context)?)?),
            (None, None) => None,
        };
        Ok(n.filter(|n| *n > 0)
            .map(|n| usize::try_from(n).unwrap_or(usize::MAX)))
    };
    let max_items = limit(
        &batcher.max_items_per_batch,
        &batcher.max_items_per_batch_path,
        "MaxItemsPerBatch",
    )?;
    let max_bytes = limit(
        &batcher.max_input_bytes_per_batch,
        &batcher.max_input_bytes_per_batch_path,
        "MaxInputBytesPerBatch",
    )?;
    // A payload template in JSONPath; `{% %}` expressions in JSONata (`resolve` evaluates).
    let batch_input = match &batcher.batch_input {
        Some(tmpl) if ctx.is_jsonata() => Some(resolve("BatchInput", tmpl)?),
        Some(tmpl) => {
            Some(template::evaluate(tmpl, &ctx.scope(input, context)).map_err(|e| ctx.located(e))?)
        }
        None => None,
    };
    let wrap = |group: Vec<Value>| {
        let mut batch = Map::new();
        if let Some(Value::Object(extra)) = &batch_input {
            batch.insert("BatchInput", Value::Object(extra.clone()));
        }
        batch.insert("Items", Value::Array(group));
        Value::Object(batch)
    };
    let mut out = Vec::new();
    let mut group: Vec<Value> = Vec::new();
    let mut bytes = 0usize;
    for item in items {
        let size = item.to_string().len();
        let full_by_count = max_items.is_some_and(|m| group.len() >= m);
        let full_by_bytes = max_bytes.is_some_and(|m| !group.is_empty() && bytes + size > m);
        if full_by_count || full_by_bytes {
            out.push(wrap(std::mem::take(&mut group)));
            bytes = 0;
        }
        bytes += size;
        group.push(item);
    }
    if !group.is_empty() {
        out.push(wrap(group));
    }
    Ok(out)
}
