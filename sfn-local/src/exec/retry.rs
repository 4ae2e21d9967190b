//! Retry and Catch: which error names match, and how long to back off.

use std::time::Duration;

use sfn_json::{Map, Value};

use crate::error::{StatesError, names};
use crate::model::{Catcher, JitterStrategy, Retrier};

/// Errors that end the execution whatever the Retry/Catch say (AWS: "States.Runtime … always
/// causes the execution to fail"; States.ALL "can't catch States.DataLimitExceeded").
fn is_terminal(error: &str) -> bool {
    error == names::RUNTIME || error == names::DATA_LIMIT_EXCEEDED
}

/// Whether an `ErrorEquals` list matches an error name.
pub(crate) fn matches(error_equals: &[String], error: &str) -> bool {
    if is_terminal(error) {
        return false;
    }
    error_equals.iter().any(|name| {
        name == error
            || name == names::ALL
            // States.TaskFailed matches every error except the timeouts.
            || (name == names::TASK_FAILED
                && error != names::TIMEOUT
                && error != names::HEARTBEAT_TIMEOUT)
            // A heartbeat timeout is a kind of timeout.
            || (name == names::TIMEOUT && error == names::HEARTBEAT_TIMEOUT)
    })
}

/// Attempts made so far under each retrier of a state.
pub(crate) struct RetryState {
    attempts: Vec<u64>,
}

impl RetryState {
    pub fn new(retriers: &[Retrier]) -> Self {
        Self {
            attempts: vec![0; retriers.len()],
        }
    }

    /// The delay before the next attempt, or `None` when the error is not (or no longer)
    /// retried. The first matching retrier decides, even when it has run out of attempts.
    pub fn next_delay(&mut self, retriers: &[Retrier], error: &StatesError) -> Option<Duration> {
        let (index, retrier) = retriers
            .iter()
            .enumerate()
            .find(|(_, r)| matches(&r.error_equals, &error.error))?;
        let max_attempts = number(&retrier.max_attempts).unwrap_or(3.0);
        let attempt = self.attempts.get_mut(index)?;
        if (*attempt as f64) >= max_attempts {
            return None;
        }
        let interval = number(&retrier.interval_seconds).unwrap_or(1.0);
        let backoff = number(&retrier.backoff_rate).unwrap_or(2.0);
        let exponent = i32::try_from(*attempt).unwrap_or(i32::MAX);
        let mut seconds = interval * backoff.powi(exponent);
        if let Some(max_delay) = number(&retrier.max_delay_seconds) {
            seconds = seconds.min(max_delay);
        }
        if retrier.jitter_strategy == Some(JitterStrategy::Full) {
            seconds *= rand::random::<f64>();
        }
        *attempt += 1;
        // Cap to what a Duration holds; AWS caps delays far below this anyway.
        Some(Duration::from_secs_f64(seconds.clamp(0.0, 1e9)))
    }
}

fn number(value: &Option<Value>) -> Option<f64> {
    value.as_ref().and_then(Value::as_f64)
}

/// The first catcher that matches the error.
/// The first catcher that matches the error, with its position in `Catch`.
pub(crate) fn catcher<'c>(
    catchers: &'c [Catcher],
    error: &StatesError,
) -> Option<(usize, &'c Catcher)> {
    catchers
        .iter()
        .enumerate()
        .find(|(_, c)| matches(&c.error_equals, &error.error))
}

/// The error output a catcher places with its ResultPath: `{"Error": …, "Cause": …}`.
pub(crate) fn error_output(error: &StatesError) -> Value {
    let mut out = Map::new();
    if !error.error.is_empty() {
        out.insert("Error", Value::String(error.error.clone()));
    }
    if !error.cause.is_empty() {
        out.insert("Cause", Value::String(error.cause.clone()));
    }
    Value::Object(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use sfn_json::json;

    fn retrier(v: Value) -> Retrier {
        sfn_json::from_value(v).unwrap_or_else(|e| panic!("bad retrier: {e}"))
    }

    #[test]
    fn task_failed_matches_all_but_timeouts() {
        let list = vec![names::TASK_FAILED.to_owned()];
        assert!(matches(&list, "MyError"));
        assert!(matches(&list, names::BRANCH_FAILED));
        assert!(!matches(&list, names::TIMEOUT));
        assert!(!matches(&list, names::HEARTBEAT_TIMEOUT));
    }

    #[test]
    fn runtime_errors_are_never_caught() {
        assert!(!matches(&[names::ALL.to_owned()], names::RUNTIME));
        assert!(!matches(&[names::RUNTIME.to_owned()], names::RUNTIME));
        assert!(matches(&[names::ALL.to_owned()], "Anything"));
        assert!(matches(
            &[names::TIMEOUT.to_owned()],
            names::HEARTBEAT_TIMEOUT
        ));
    }

    #[test]
    fn backoff_grows_and_is_capped() {
        let r = vec![retrier(
            json!({"ErrorEquals": ["E"], "IntervalSeconds": 2, "BackoffRate": 3, "MaxAttempts": 3, "MaxDelaySeconds": 10}),
        )];
        let mut state = RetryState::new(&r);
        let e = StatesError::new("E", "");
        let delays: Vec<_> = std::iter::from_fn(|| state.next_delay(&r, &e)).collect();
        assert_eq!(delays, [2.0, 6.0, 10.0].map(Duration::from_secs_f64));
    }

    #[test]
    fn max_attempts_zero_never_retries_and_stops_the_search() {
        let r = vec![
            retrier(json!({"ErrorEquals": ["E"], "MaxAttempts": 0})),
            retrier(json!({"ErrorEquals": ["States.ALL"]})),
        ];
        assert_eq!(
            RetryState::new(&r).next_delay(&r, &StatesError::new("E", "")),
            None
        );
    }

    #[test]
    fn full_jitter_stays_within_the_delay() {
        let r = vec![retrier(
            json!({"ErrorEquals": ["E"], "IntervalSeconds": 4, "JitterStrategy": "FULL"}),
        )];
        let delay = RetryState::new(&r).next_delay(&r, &StatesError::new("E", ""));
        assert!(delay.is_some_and(|d| d <= Duration::from_secs(4)));
    }
}
