//! release-item: gives back what an order reserved of one SKU (compensation).
//! Idempotent: a second release returns `released: 0` and changes nothing.

use serde::Serialize;
use serde_json::Value;
use shared::db::inventory;
use shared::input::Checker;
use shared::{Deps, ErrorName, StoreError};

#[derive(Debug, thiserror::Error)]
pub enum ReleaseError {
    #[error("invalid request: {0}")]
    InvalidRequest(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl ErrorName for ReleaseError {
    fn error_name(&self) -> &'static str {
        match self {
            ReleaseError::InvalidRequest(_) => "InvalidRequest",
            ReleaseError::Store(_) => "StoreUnavailable",
        }
    }
}

shared::impl_diagnostic!(ReleaseError);

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Released {
    pub order_id: String,
    pub sku: String,
    pub released: u64,
}

pub async fn handle(deps: &Deps, payload: Value) -> Result<Released, ReleaseError> {
    let checker = Checker::new();
    let fields = checker.root(&payload);
    let order_id = fields.order_id("orderId");
    let sku = fields.text("sku", 128);
    checker
        .finish()
        .map_err(|v| ReleaseError::InvalidRequest(v.to_string()))?;
    let released = inventory::release(deps, &order_id, &sku).await?;
    tracing::info!(%order_id, %sku, released, "released");
    Ok(Released {
        order_id,
        sku,
        released,
    })
}
