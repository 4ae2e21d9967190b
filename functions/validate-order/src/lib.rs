//! validate-order: checks an order against the contract's rules and the inventory's SKUs,
//! then stores it as `VALIDATED` (created, or the same content again).

use serde::Serialize;
use serde_json::Value;
use shared::db::{inventory, orders};
use shared::order::Order;
use shared::{Deps, ErrorName, StoreError};

#[derive(Debug, thiserror::Error)]
pub enum ValidateError {
    #[error("invalid order: {0}")]
    InvalidOrder(String),
    #[error("order {0} exists with different content")]
    OrderConflict(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl ErrorName for ValidateError {
    fn error_name(&self) -> &'static str {
        match self {
            ValidateError::InvalidOrder(_) => "InvalidOrder",
            ValidateError::OrderConflict(_) => "OrderConflict",
            ValidateError::Store(_) => "StoreUnavailable",
        }
    }
}

shared::impl_diagnostic!(ValidateError);

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Validated {
    pub order_id: String,
    pub total_cents: u64,
    pub item_count: usize,
}

pub async fn handle(deps: &Deps, payload: Value) -> Result<Validated, ValidateError> {
    let order = Order::parse(&payload).map_err(|v| ValidateError::InvalidOrder(v.to_string()))?;
    let total_cents = order
        .total_cents()
        .ok_or_else(|| ValidateError::InvalidOrder("total overflows".into()))?;
    let unknown = inventory::unknown_skus(deps, &order.skus()).await?;
    if !unknown.is_empty() {
        return Err(ValidateError::InvalidOrder(format!(
            "unknown sku: {}",
            unknown.join(", ")
        )));
    }
    if !orders::put_validated(deps, &order, &order.hash(), total_cents).await? {
        return Err(ValidateError::OrderConflict(order.order_id));
    }
    tracing::info!(order_id = %order.order_id, total_cents, "order validated");
    Ok(Validated {
        item_count: order.items.len(),
        order_id: order.order_id,
        total_cents,
    })
}
