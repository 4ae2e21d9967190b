//! complete-order: marks the order `COMPLETED` (the workflow's last task).

use serde::Serialize;
use serde_json::Value;
use shared::db::orders::{self, Change, status};
use shared::input::Checker;
use shared::{Deps, ErrorName, StoreError};

#[derive(Debug, thiserror::Error)]
pub enum CompleteError {
    #[error("invalid request: {0}")]
    InvalidRequest(String),
    #[error("order {0} not found")]
    OrderNotFound(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl ErrorName for CompleteError {
    fn error_name(&self) -> &'static str {
        match self {
            CompleteError::InvalidRequest(_) => "InvalidRequest",
            CompleteError::OrderNotFound(_) => "OrderNotFound",
            CompleteError::Store(_) => "StoreUnavailable",
        }
    }
}

shared::impl_diagnostic!(CompleteError);

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Completed {
    pub order_id: String,
    pub status: &'static str,
}

pub async fn handle(deps: &Deps, payload: Value) -> Result<Completed, CompleteError> {
    let checker = Checker::new();
    let fields = checker.root(&payload);
    let order_id = fields.order_id("orderId");
    // The optional shipment is kept only if create-shipment did not store one.
    let shipment = fields.opt_object("shipment").and(fields.raw("shipment"));
    checker
        .finish()
        .map_err(|v| CompleteError::InvalidRequest(v.to_string()))?;
    let mut change = Change {
        status: Some(status::COMPLETED),
        detail: "order completed".into(),
        must_exist: true,
        ..Change::default()
    };
    if let Some(shipment) = shipment {
        let shipment = shared::serde_dynamo::to_attribute_value(shipment)
            .map_err(|e| CompleteError::InvalidRequest(format!("shipment: {e}")))?;
        change.set_if_absent.push(("shipment", shipment));
    }
    if !orders::update(deps, &order_id, change).await? {
        return Err(CompleteError::OrderNotFound(order_id));
    }
    tracing::info!(%order_id, "order completed");
    Ok(Completed {
        order_id,
        status: status::COMPLETED,
    })
}
