//! Fault injection: a [`LambdaInvoker`] that wraps another and, from a seed, makes some
//! invocations fail the way Lambda really fails.
//!
//! * **Transient service errors** (`Lambda.ServiceException`, `Lambda.TooManyRequestsException`,
//!   as service errors, which the ASL's Retry matches): either *before* the function runs
//!   (nothing happened) or *after* it ran (its side effects happened, the response was lost).
//! * **Timeouts**: the function ran (its writes landed) but the caller sees Lambda's timeout, a
//!   function error `Sandbox.Timedout` with the cause `Task timed out after N.00 seconds`: what
//!   Lambda reports for a function that outlives its configured timeout (Step Functions'
//!   guide calls the older, type-less form `Lambda.Unknown`; both reach only a `States.ALL`
//!   or `States.TaskFailed` matcher). It is not `States.Timeout`, which is the Task state's own
//!   `TimeoutSeconds` running out.
//! * **Duplicate deliveries**: the function is invoked twice with the same payload, one after
//!   the other, and the caller gets the second answer (the first answer was lost and the
//!   client invoked again: Lambda's at-least-once).
//!
//! Each draw is a hash of (seed, function, payload, how many times this function saw this
//! payload), so a run is reproducible from its seed whatever order concurrent branches call in.

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use futures::FutureExt;
use futures::future::BoxFuture;
use serde::Serialize;
use sfn_json::Value;
use sha2::{Digest, Sha256};

use super::{FunctionError, InvokeError, LambdaInvoker, function_name};

/// The error type Lambda reports for a function that ran past its timeout.
pub const TIMEOUT_ERROR: &str = "Sandbox.Timedout";
/// Lambda's transient service errors the injector raises.
pub const SERVICE_ERRORS: [&str; 2] =
    ["Lambda.ServiceException", "Lambda.TooManyRequestsException"];

/// How often each fault happens, per invocation (independent of each other's rates, but at most
/// one fault per invocation: the rates add up to the chance of any fault).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ChaosConfig {
    pub seed: u64,
    /// A Lambda service error, before or after the function ran (half each).
    pub transient_failure: f64,
    /// The function ran but the caller sees `Sandbox.Timedout`.
    pub timeout: f64,
    /// The function runs twice; the caller sees the second answer.
    pub duplicate: f64,
    /// The functions' configured timeout, quoted in the timeout's cause.
    pub function_timeout_seconds: u64,
}

impl ChaosConfig {
    /// Rates that make every fault frequent enough to show in a thousand orders, and a 10 s
    /// function timeout (the template's `Globals.Function.Timeout`).
    pub fn new(seed: u64) -> Self {
        Self {
            seed,
            transient_failure: 0.05,
            timeout: 0.01,
            duplicate: 0.05,
            function_timeout_seconds: 10,
        }
    }
}

/// What happens to one invocation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    None,
    /// The service fails before the function runs.
    ServiceErrorBefore(&'static str),
    /// The function runs, then the service fails and its answer is lost.
    ServiceErrorAfter(&'static str),
    /// The function runs past its timeout (its writes landed).
    Timeout,
    /// The function runs twice.
    Duplicate,
}

/// How many invocations went through and how many faults were injected, per kind.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ChaosStats {
    pub invocations: u64,
    pub service_errors_before: u64,
    pub service_errors_after: u64,
    pub timeouts: u64,
    pub duplicates: u64,
}

impl ChaosStats {
    pub fn faults(&self) -> u64 {
        self.service_errors_before + self.service_errors_after + self.timeouts + self.duplicates
    }
}

#[derive(Default)]
struct Counters {
    invocations: AtomicU64,
    before: AtomicU64,
    after: AtomicU64,
    timeouts: AtomicU64,
    duplicates: AtomicU64,
}

/// Wraps an invoker and injects faults into its invocations.
pub struct ChaosInvoker<I: ?Sized> {
    config: ChaosConfig,
    /// Times each (function, payload) was invoked so far, by its hash.
    seen: Mutex<HashMap<[u8; 32], u64>>,
    counters: Counters,
    inner: std::sync::Arc<I>,
}

impl<I: LambdaInvoker + ?Sized> ChaosInvoker<I> {
    pub fn new(inner: std::sync::Arc<I>, config: ChaosConfig) -> Self {
        Self {
            config,
            seen: Mutex::new(HashMap::new()),
            counters: Counters::default(),
            inner,
        }
    }

    pub fn config(&self) -> &ChaosConfig {
        &self.config
    }

    /// Faults injected so far.
    pub fn stats(&self) -> ChaosStats {
        let c = &self.counters;
        ChaosStats {
            invocations: c.invocations.load(Ordering::Relaxed),
            service_errors_before: c.before.load(Ordering::Relaxed),
            service_errors_after: c.after.load(Ordering::Relaxed),
            timeouts: c.timeouts.load(Ordering::Relaxed),
            duplicates: c.duplicates.load(Ordering::Relaxed),
        }
    }

    /// The fault for the next invocation of `function` with `payload` (counts it as seen).
    pub fn next_fault(&self, function: &str, payload: &Value) -> Fault {
        let key = call_key(function_name(function), payload);
        let occurrence = {
            // A poisoned lock only means another invocation panicked; the map is still whole.
            let mut seen = self.seen.lock().unwrap_or_else(|p| p.into_inner());
            let n = seen.entry(key).or_insert(0);
            *n += 1;
            *n
        };
        fault_for(&self.config, &key, occurrence)
    }

    fn count(&self, fault: Fault) {
        let c = &self.counters;
        c.invocations.fetch_add(1, Ordering::Relaxed);
        let counter = match fault {
            Fault::None => return,
            Fault::ServiceErrorBefore(_) => &c.before,
            Fault::ServiceErrorAfter(_) => &c.after,
            Fault::Timeout => &c.timeouts,
            Fault::Duplicate => &c.duplicates,
        };
        counter.fetch_add(1, Ordering::Relaxed);
    }
}

impl<I: LambdaInvoker + ?Sized> LambdaInvoker for ChaosInvoker<I> {
    fn invoke<'a>(
        &'a self,
        function: &'a str,
        payload: &'a Value,
    ) -> BoxFuture<'a, Result<Value, InvokeError>> {
        async move {
            let fault = self.next_fault(function, payload);
            self.count(fault);
            match fault {
                Fault::None => self.inner.invoke(function, payload).await,
                Fault::ServiceErrorBefore(error) => Err(service_error(error)),
                Fault::ServiceErrorAfter(error) => {
                    // Whatever the function answered is lost with the response.
                    let _lost = self.inner.invoke(function, payload).await;
                    Err(service_error(error))
                }
                Fault::Timeout => {
                    let _lost = self.inner.invoke(function, payload).await;
                    Err(timeout_error(self.config.function_timeout_seconds))
                }
                Fault::Duplicate => {
                    let _first = self.inner.invoke(function, payload).await;
                    self.inner.invoke(function, payload).await
                }
            }
        }
        .boxed()
    }

    fn mocked(&self, state: &str) -> Option<Result<Value, InvokeError>> {
        self.inner.mocked(state)
    }
}

/// The error Lambda's Invoke API gives for a transient service failure, as the SDK names it.
pub fn service_error(error: &str) -> InvokeError {
    let (status, code, message) = match error {
        "Lambda.TooManyRequestsException" => (429, "TooManyRequestsException", "Rate Exceeded."),
        _ => (500, "ServiceException", "Service error."),
    };
    InvokeError::Service {
        error: error.to_owned(),
        cause: format!(
            "{message} (Service: AWSLambda; Status Code: {status}; Error Code: {code}; Request ID: {}; Proxy: null)",
            uuid::Uuid::new_v4()
        ),
    }
}

/// Lambda's answer for a function that outlived its timeout.
pub fn timeout_error(seconds: u64) -> InvokeError {
    let request_id = uuid::Uuid::new_v4();
    let message =
        format!("RequestId: {request_id} Error: Task timed out after {seconds}.00 seconds");
    let raw = sfn_json::json!({"errorType": TIMEOUT_ERROR, "errorMessage": message}).to_string();
    InvokeError::Function(FunctionError {
        error_type: TIMEOUT_ERROR.to_owned(),
        error_message: message,
        raw: Some(raw),
    })
}

/// A hash of the function and its payload. A `.waitForTaskToken` payload carries a fresh
/// random token per execution, which is left out so the draw depends only on the seed.
fn call_key(function: &str, payload: &Value) -> [u8; 32] {
    let mut hasher = Sha256::new();
    hasher.update(function.as_bytes());
    hasher.update([0]);
    match payload {
        Value::Object(map) if map.contains_key("taskToken") => {
            let mut map = map.clone();
            map.remove("taskToken");
            hasher.update(Value::Object(map).to_string().as_bytes());
        }
        other => hasher.update(other.to_string().as_bytes()),
    }
    hasher.finalize().into()
}

/// A uniform number in [0, 1) from (seed, call key, occurrence, slot).
fn draw(seed: u64, key: &[u8; 32], occurrence: u64, slot: u8) -> f64 {
    let mut hasher = Sha256::new();
    hasher.update(seed.to_le_bytes());
    hasher.update(key);
    hasher.update(occurrence.to_le_bytes());
    hasher.update([slot]);
    let digest = hasher.finalize();
    let mut bytes = [0u8; 8];
    bytes.copy_from_slice(&digest[..8]);
    // The top 53 bits make an exactly representable fraction.
    (u64::from_le_bytes(bytes) >> 11) as f64 / (1u64 << 53) as f64
}

fn fault_for(config: &ChaosConfig, key: &[u8; 32], occurrence: u64) -> Fault {
    let roll = draw(config.seed, key, occurrence, 0);
    let transient = config.transient_failure.max(0.0);
    let timeout = transient + config.timeout.max(0.0);
    let duplicate = timeout + config.duplicate.max(0.0);
    if roll < transient {
        let error = if draw(config.seed, key, occurrence, 1) < 0.5 {
            SERVICE_ERRORS[0]
        } else {
            SERVICE_ERRORS[1]
        };
        if draw(config.seed, key, occurrence, 2) < 0.5 {
            Fault::ServiceErrorBefore(error)
        } else {
            Fault::ServiceErrorAfter(error)
        }
    } else if roll < timeout {
        Fault::Timeout
    } else if roll < duplicate {
        Fault::Duplicate
    } else {
        Fault::None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sfn_json::json;

    #[test]
    fn draws_are_uniform_fractions() {
        let key = call_key("f", &json!({}));
        let draws: Vec<f64> = (0..10_000).map(|i| draw(7, &key, i, 0)).collect();
        assert!(draws.iter().all(|d| (0.0..1.0).contains(d)));
        let below_half = draws.iter().filter(|d| **d < 0.5).count();
        assert!((4_700..5_300).contains(&below_half), "{below_half}");
    }

    #[test]
    fn the_task_token_does_not_change_the_draw() {
        let a = call_key("f", &json!({"orderId": "o", "taskToken": "one"}));
        let b = call_key("f", &json!({"orderId": "o", "taskToken": "two"}));
        let c = call_key("f", &json!({"orderId": "p", "taskToken": "one"}));
        assert_eq!(a, b);
        assert_ne!(a, c);
    }
}
