//! award-loyalty-points: one point per whole 100 cents, stored on the order. Idempotent:
//! the points are set, not added, so a repeat awards nothing more.

use serde::Serialize;
use serde_json::Value;
use shared::db::n;
use shared::db::orders::{self, Change};
use shared::input::Checker;
use shared::order::MAX_TOTAL_CENTS;
use shared::{Deps, ErrorName, StoreError};

pub const CENTS_PER_POINT: u64 = 100;

#[derive(Debug, thiserror::Error)]
pub enum LoyaltyError {
    #[error("invalid request: {0}")]
    InvalidRequest(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl ErrorName for LoyaltyError {
    fn error_name(&self) -> &'static str {
        match self {
            LoyaltyError::InvalidRequest(_) => "InvalidRequest",
            LoyaltyError::Store(_) => "StoreUnavailable",
        }
    }
}

shared::impl_diagnostic!(LoyaltyError);

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PointsAwarded {
    pub customer_id: String,
    pub points: u64,
}

pub async fn handle(deps: &Deps, payload: Value) -> Result<PointsAwarded, LoyaltyError> {
    let checker = Checker::new();
    let fields = checker.root(&payload);
    let order_id = fields.order_id("orderId");
    let customer_id = fields.text("customerId", 256);
    let total_cents = fields.u64_in("totalCents", 0..=MAX_TOTAL_CENTS);
    checker
        .finish()
        .map_err(|v| LoyaltyError::InvalidRequest(v.to_string()))?;
    let points = total_cents / CENTS_PER_POINT;
    let change = Change {
        detail: format!("{points} loyalty points for {customer_id}"),
        set: vec![("loyaltyPoints", n(points))],
        must_exist: true,
        ..Change::default()
    };
    if !orders::update(deps, &order_id, change).await? {
        return Err(LoyaltyError::InvalidRequest(format!(
            "order {order_id} is not stored"
        )));
    }
    Ok(PointsAwarded {
        customer_id,
        points,
    })
}
