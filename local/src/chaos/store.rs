//! Where a chaos run keeps its tables.
//!
//! moto_server serves requests on many threads and does not isolate concurrent writes to
//! one item: two TransactWriteItems on the same order (the ASL's Map reserves every line
//! item at once) can lose one another's changes, which a chaos run would report as broken
//! invariants that DynamoDB never shows. So, unless `AWS_ENDPOINT_URL_DYNAMODB` names a
//! server (DynamoDB Local isolates properly), the run starts its own moto on one thread:
//! each request is applied whole before the next, as DynamoDB applies writes to an item.

use crate::env::{LocalEnv, LocalError};
pub use crate::env::{SerialMoto, env_on};

/// The server chaos tables live on: `None` when `AWS_ENDPOINT_URL_DYNAMODB` names one, else
/// a serial moto of its own (keep it while the tables are used).
pub async fn chaos_store() -> Result<Option<SerialMoto>, LocalError> {
    if std::env::var("AWS_ENDPOINT_URL_DYNAMODB").is_ok_and(|v| !v.is_empty()) {
        return Ok(None);
    }
    let moto = tokio::task::spawn_blocking(SerialMoto::start)
        .await
        .map_err(|e| LocalError::Runtime(e.to_string()))??;
    Ok(Some(moto))
}

/// Fresh tables with `stock` seeded on the chaos store.
pub async fn tables_on(
    store: &Option<SerialMoto>,
    stock: &[(String, u64)],
) -> Result<LocalEnv, LocalError> {
    match store {
        Some(moto) => env_on(&moto.endpoint, stock).await,
        None => LocalEnv::start_with_seed(stock).await,
    }
}

/// The tables for a chaos run with `stock` seeded, and the store they live on.
pub async fn chaos_env(
    stock: &[(String, u64)],
) -> Result<(LocalEnv, Option<SerialMoto>), LocalError> {
    let store = chaos_store().await?;
    Ok((tables_on(&store, stock).await?, store))
}
