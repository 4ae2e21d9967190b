//! reserve-item: reserves one line item for an order (one iteration of the ASL's Map).
//! Atomic and conditional (stock never goes below zero) and idempotent per order+sku.

use serde::Serialize;
use serde_json::Value;
use shared::db::inventory::{self, Reservation};
use shared::input::Checker;
use shared::order::MAX_QUANTITY;
use shared::{Deps, ErrorName, StoreError};

#[derive(Debug, thiserror::Error)]
pub enum ReserveError {
    #[error("invalid request: {0}")]
    InvalidRequest(String),
    #[error("{sku}: {requested} requested, {available} available")]
    OutOfStock {
        sku: String,
        requested: u64,
        available: u64,
    },
    #[error("unknown sku {0}")]
    UnknownSku(String),
    /// The order's compensation released this SKU: a late delivery reserves nothing.
    #[error("{sku} was released for order {order_id}: its reservation is closed")]
    ReservationClosed { order_id: String, sku: String },
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl ErrorName for ReserveError {
    fn error_name(&self) -> &'static str {
        match self {
            ReserveError::InvalidRequest(_) => "InvalidRequest",
            ReserveError::OutOfStock { .. } => "OutOfStock",
            ReserveError::UnknownSku(_) => "UnknownSku",
            ReserveError::ReservationClosed { .. } => "ReservationClosed",
            ReserveError::Store(_) => "StoreUnavailable",
        }
    }
}

shared::impl_diagnostic!(ReserveError);

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Reserved {
    pub order_id: String,
    pub sku: String,
    pub quantity: u64,
    pub reserved: bool,
}

pub async fn handle(deps: &Deps, payload: Value) -> Result<Reserved, ReserveError> {
    let checker = Checker::new();
    let fields = checker.root(&payload);
    let order_id = fields.order_id("orderId");
    let sku = fields.text("sku", 128);
    let quantity = fields.u64_in("quantity", 1..=MAX_QUANTITY);
    checker
        .finish()
        .map_err(|v| ReserveError::InvalidRequest(v.to_string()))?;

    let quantity = match inventory::reserve(deps, &order_id, &sku, quantity).await? {
        Reservation::Reserved(q) => q,
        Reservation::AlreadyReserved(q) => {
            tracing::info!(%order_id, %sku, quantity = q, "already reserved: repeated delivery");
            q
        }
        Reservation::OutOfStock { available } => {
            return Err(ReserveError::OutOfStock {
                sku,
                requested: quantity,
                available,
            });
        }
        Reservation::UnknownSku => return Err(ReserveError::UnknownSku(sku)),
        Reservation::Released => {
            return Err(ReserveError::ReservationClosed { order_id, sku });
        }
        Reservation::UnknownOrder => {
            return Err(ReserveError::InvalidRequest(format!(
                "order {order_id} is not stored (validate-order stores it first)"
            )));
        }
    };
    Ok(Reserved {
        order_id,
        sku,
        quantity,
        reserved: true,
    })
}
