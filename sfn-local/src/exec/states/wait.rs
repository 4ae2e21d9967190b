//! Wait: Seconds, Timestamp, SecondsPath, TimestampPath (AWS's messages for bad values).

use std::time::Duration;

use chrono::{DateTime, Utc};
use sfn_json::Value;

use super::Done;
use super::basic::{input_states, jsonata_done};
use crate::error::{StatesError, names};
use crate::exec::context::{Extras, StateCtx};
use crate::expr::path;

/// JSONata Wait: Seconds and Timestamp may be `{% %}` expressions.
async fn jsonata_wait(ctx: &StateCtx<'_>, input: Value) -> Result<Done, StatesError> {
    let state = ctx.state;
    let states = input_states(ctx, &input);
    let query_error =
        |message: String| ctx.located(StatesError::new(names::QUERY_EVALUATION_ERROR, message));
    let delay = if let Some(seconds) = &state.seconds {
        let value = ctx.jsonata(seconds, "Seconds", &states)?;
        let seconds = value.as_u64().ok_or_else(|| {
            query_error(format!(
                "The Seconds field is not a non-negative integer: {value}"
            ))
        })?;
        Duration::from_secs(seconds)
    } else if let Some(timestamp) = &state.timestamp {
        let value = ctx.jsonata(timestamp, "Timestamp", &states)?;
        let until = value.as_str().and_then(parse_timestamp).ok_or_else(|| {
            query_error(format!(
                "The Timestamp field cannot be parsed as an ISO-8601 extended offset date-time format string: {}",
                shown(&value)
            ))
        })?;
        until_time(ctx, until)
    } else {
        Duration::ZERO
    };
    tokio::time::sleep(delay).await;
    jsonata_done(
        ctx,
        input,
        &states,
        state.output.as_ref(),
        state.assign.as_ref(),
    )
}

pub(super) async fn wait(ctx: &StateCtx<'_>, input: Value) -> Result<Done, StatesError> {
    if ctx.is_jsonata() {
        return jsonata_wait(ctx, input).await;
    }
    let state = ctx.state;
    let context = ctx.context(Extras::default());
    let effective = ctx.input_path_owned(input, &context)?;
    let delay = if let Some(seconds) = &state.seconds {
        let seconds = seconds.as_u64().ok_or_else(|| {
            ctx.located(StatesError::runtime(format!(
                "The Seconds field is not a non-negative integer: {seconds}"
            )))
        })?;
        Duration::from_secs(seconds)
    } else if let Some(timestamp) = &state.timestamp {
        let text = timestamp.as_str().unwrap_or_default();
        let until = parse_timestamp(text).ok_or_else(|| {
            ctx.located(StatesError::runtime(format!("The Timestamp field is not a valid ISO-8601 extended offset date-time format string: {text}")))
        })?;
        until_time(ctx, until)
    } else if let Some(p) = &state.seconds_path {
        let value = lookup(ctx, "SecondsPath", p, &effective, &context)?;
        let bad = |what: &str| {
            ctx.located(StatesError::runtime(format!(
                "The SecondsPath parameter {what}: {p} == {}",
                shown(&value)
            )))
        };
        match (&value, value.as_i64()) {
            (_, Some(n)) if n < 0 => return Err(bad("references a negative value")),
            (_, Some(n)) => Duration::from_secs(n.unsigned_abs()),
            (Value::Number(n), None) if n.as_u64().is_some() => {
                Duration::from_secs(n.as_u64().unwrap_or_default())
            }
            _ => return Err(bad("cannot be parsed as a long value")),
        }
    } else if let Some(p) = &state.timestamp_path {
        let value = lookup(ctx, "TimestampPath", p, &effective, &context)?;
        let until = value.as_str().and_then(parse_timestamp).ok_or_else(|| {
            ctx.located(StatesError::runtime(format!(
                "The TimestampPath parameter does not reference a valid ISO-8601 extended offset date-time format string: {p} == {}",
                shown(&value)
            )))
        })?;
        until_time(ctx, until)
    } else {
        Duration::ZERO
    };
    tokio::time::sleep(delay).await;
    let assigned = ctx.assign(state.assign.as_ref(), &effective, &context, None)?;
    let output = ctx.output_path(effective, &context)?;
    Ok(Done { output, assigned })
}

fn lookup(
    ctx: &StateCtx<'_>,
    field: &str,
    p: &str,
    input: &Value,
    context: &Value,
) -> Result<Value, StatesError> {
    match path::query_opt(p, &ctx.scope(input, context)) {
        Ok(Some(value)) => Ok(value),
        Ok(None) => Err(ctx.located(StatesError::runtime(format!(
            "The {field} parameter does not reference an input value: {p}"
        )))),
        Err(e) => Err(ctx.located(e)),
    }
}

/// A value as AWS quotes it in messages: strings bare, everything else as JSON.
fn shown(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// ISO-8601 extended offset date-time: `2016-03-14T01:59:00Z`, `...T01:59:00.123+01:00`.
pub(crate) fn parse_timestamp(text: &str) -> Option<DateTime<Utc>> {
    if text.as_bytes().get(10) != Some(&b'T') {
        return None;
    }
    DateTime::parse_from_rfc3339(text)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

fn until_time(ctx: &StateCtx<'_>, until: DateTime<Utc>) -> Duration {
    (until - ctx.run.now()).to_std().unwrap_or(Duration::ZERO)
}

#[cfg(test)]
mod tests {
    use super::parse_timestamp;

    #[test]
    fn timestamps_need_the_t_and_an_offset() {
        assert!(parse_timestamp("2016-03-14T01:59:00Z").is_some());
        assert!(parse_timestamp("2016-03-14T01:59:00.5+02:00").is_some());
        assert!(parse_timestamp("2016-03-14 01:59:00Z").is_none());
        assert!(parse_timestamp("2016-03-14T01:59:00").is_none());
        assert!(parse_timestamp("2016-13-05T21:29:29Z").is_none());
        assert!(parse_timestamp("05-12-2016T21:29:29").is_none());
    }
}
