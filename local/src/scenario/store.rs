//! The DynamoDB-compatible server the scenarios run on.
//!
//! moto_server answers on many threads and does not isolate concurrent writes to one item
//! (docs/chaos.md): the out-of-stock scenario's concurrent reservation and compensation of the
//! same order then end in states DynamoDB never shows (the order's reservations empty while the
//! inventory still counts one reserved). So, unless `AWS_ENDPOINT_URL_DYNAMODB` names a server,
//! the scenarios share one moto of their own that serves one request at a time, as DynamoDB
//! applies writes to an item: the same set-up as the chaos run's.

use crate::env::{LocalEnv, LocalError, SerialMoto, env_on};
use std::sync::OnceLock;

/// The process's serial moto, kept for as long as the process lives (it exits with it: its
/// stdin closes).
static SERIAL: OnceLock<Result<SerialMoto, String>> = OnceLock::new();

/// Where fresh scenario tables go: `None` for the server `AWS_ENDPOINT_URL_DYNAMODB` names
/// (through [`LocalEnv`]'s own lookup), else this process's serial moto, started on first use.
pub fn serial_endpoint() -> Result<Option<String>, LocalError> {
    if std::env::var("AWS_ENDPOINT_URL_DYNAMODB").is_ok_and(|v| !v.is_empty()) {
        return Ok(None);
    }
    match SERIAL.get_or_init(|| SerialMoto::start().map_err(|e| e.to_string())) {
        Ok(moto) => Ok(Some(moto.endpoint.clone())),
        Err(message) => Err(LocalError::DynamoDb(message.clone())),
    }
}

/// Fresh, uniquely named tables (the contract's schema) on `endpoint`, `seed` stocked.
pub async fn fresh_env(endpoint: &str, seed: &[(String, u64)]) -> Result<LocalEnv, LocalError> {
    env_on(endpoint, seed).await
}
