//! Number-valued fields: their types and ranges.

use sfn_json::Value;

/// An integer ≥ 1 (TimeoutSeconds, HeartbeatSeconds, IntervalSeconds, MaxDelaySeconds).
pub(crate) fn positive_integer(value: &Value) -> Result<u64, String> {
    match value.as_u64() {
        Some(n) if (1..=99_999_999).contains(&n) => Ok(n),
        Some(_) => Err("must be between 1 and 99999999".to_owned()),
        None => Err(format!("must be a positive integer, not {value}")),
    }
}

/// An integer ≥ 0 (Seconds, MaxAttempts, MaxConcurrency, ToleratedFailureCount).
pub(crate) fn non_negative_integer(value: &Value) -> Result<u64, String> {
    value
        .as_u64()
        .filter(|n| *n <= 99_999_999)
        .ok_or_else(|| format!("must be a non-negative integer, not {value}"))
}

/// A number in `[min, max]` (BackoffRate ≥ 1, ToleratedFailurePercentage 0..=100).
pub(crate) fn number_in(value: &Value, min: f64, max: f64) -> Result<f64, String> {
    match value.as_f64() {
        Some(n) if n >= min && n <= max => Ok(n),
        Some(_) => Err(format!("must be between {min} and {max}")),
        None => Err(format!("must be a number, not {value}")),
    }
}
