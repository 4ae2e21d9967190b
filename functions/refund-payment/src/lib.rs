//! refund-payment: refunds what was charged for an order, once (compensation).

use serde::Serialize;
use serde_json::Value;
use shared::db::payments;
use shared::input::Checker;
use shared::{Deps, ErrorName, StoreError};

#[derive(Debug, thiserror::Error)]
pub enum RefundError {
    #[error("invalid request: {0}")]
    InvalidRequest(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl ErrorName for RefundError {
    fn error_name(&self) -> &'static str {
        match self {
            RefundError::InvalidRequest(_) => "InvalidRequest",
            RefundError::Store(_) => "StoreUnavailable",
        }
    }
}

shared::impl_diagnostic!(RefundError);

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Refunded {
    pub order_id: String,
    pub refunded_cents: u64,
}

pub async fn handle(deps: &Deps, payload: Value) -> Result<Refunded, RefundError> {
    let checker = Checker::new();
    let order_id = checker.root(&payload).order_id("orderId");
    checker
        .finish()
        .map_err(|v| RefundError::InvalidRequest(v.to_string()))?;
    let refunded_cents = payments::refund(deps, &order_id).await?;
    tracing::info!(%order_id, refunded_cents, "refund");
    Ok(Refunded {
        order_id,
        refunded_cents,
    })
}
