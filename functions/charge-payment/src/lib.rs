//! charge-payment: charges an order through the simulated gateway, once per order ever.
//! A repeat returns the first charge's answer; `tok_flaky` counts its calls per order.

use serde::Serialize;
use serde_json::Value;
use shared::db::orders::{self, Change, status};
use shared::db::payments::{self, Attempt, Charge};
use shared::db::{map, n, s};
use shared::input::Checker;
use shared::order::{MAX_TOTAL_CENTS, parse_payment};
use shared::sim::{GatewayAnswer, payment_gateway};
use shared::{Deps, ErrorName, StoreError};

#[derive(Debug, thiserror::Error)]
pub enum ChargeError {
    #[error("invalid request: {0}")]
    InvalidRequest(String),
    #[error("payment declined for order {0}")]
    PaymentDeclined(String),
    #[error("payment gateway unavailable (call {attempt} for order {order_id})")]
    PaymentGatewayUnavailable { order_id: String, attempt: u64 },
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl ErrorName for ChargeError {
    fn error_name(&self) -> &'static str {
        match self {
            ChargeError::InvalidRequest(_) => "InvalidRequest",
            ChargeError::PaymentDeclined(_) => "PaymentDeclined",
            ChargeError::PaymentGatewayUnavailable { .. } => "PaymentGatewayUnavailable",
            ChargeError::Store(_) => "StoreUnavailable",
        }
    }
}

shared::impl_diagnostic!(ChargeError);

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Charged {
    pub order_id: String,
    pub charge_id: String,
    pub amount_cents: u64,
    pub status: &'static str,
}

impl Charged {
    fn from_charge(order_id: String, charge: Charge) -> Self {
        Charged {
            order_id,
            charge_id: charge.charge_id,
            amount_cents: charge.amount_cents,
            status: payments::CHARGED,
        }
    }
}

pub async fn handle(deps: &Deps, payload: Value) -> Result<Charged, ChargeError> {
    let checker = Checker::new();
    let fields = checker.root(&payload);
    let order_id = fields.order_id("orderId");
    let amount_cents = fields.u64_in("amountCents", 0..=MAX_TOTAL_CENTS);
    let payment = parse_payment(&fields.object("payment"));
    checker
        .finish()
        .map_err(|v| ChargeError::InvalidRequest(v.to_string()))?;

    if let Some(charge) = payments::get_charge(deps, &order_id).await? {
        // A repeat: the first call may have stopped before marking the order.
        mark_paid(deps, &order_id, &charge).await?;
        return Ok(Charged::from_charge(order_id, charge));
    }
    // A decline does not depend on the call count: nothing is written for it.
    if payment_gateway(&payment.token, 1) == GatewayAnswer::Declined {
        return Err(ChargeError::PaymentDeclined(order_id));
    }
    let attempt = match payments::begin_attempt(deps, &order_id).await? {
        Attempt::Charged(charge) => {
            mark_paid(deps, &order_id, &charge).await?;
            return Ok(Charged::from_charge(order_id, charge));
        }
        Attempt::Call(attempt) => attempt,
    };
    match payment_gateway(&payment.token, attempt) {
        GatewayAnswer::Approved => {
            let charge_id = payments::new_charge_id();
            let charge = payments::record_charge(deps, &order_id, amount_cents, &charge_id).await?;
            tracing::info!(%order_id, charge_id = %charge.charge_id, amount_cents, "charged");
            mark_paid(deps, &order_id, &charge).await?;
            Ok(Charged::from_charge(order_id, charge))
        }
        GatewayAnswer::Unavailable => {
            tracing::warn!(%order_id, attempt, "payment gateway unavailable");
            Err(ChargeError::PaymentGatewayUnavailable { order_id, attempt })
        }
        GatewayAnswer::Declined => Err(ChargeError::PaymentDeclined(order_id)),
    }
}

/// Marks the order `PAID` with its charge, unless it moved on already or is not stored
/// (the payments table is the source of truth for the charge).
async fn mark_paid(deps: &Deps, order_id: &str, charge: &Charge) -> Result<(), StoreError> {
    let change = Change {
        status: Some(status::PAID),
        detail: format!(
            "charged {} cents ({})",
            charge.amount_cents, charge.charge_id
        ),
        set: vec![(
            "payment",
            map([
                ("chargeId", s(&charge.charge_id)),
                ("amountCents", n(charge.amount_cents)),
            ]),
        )],
        must_exist: true,
        unless_status: vec![
            status::PAID,
            status::FULFILLING,
            status::COMPLETED,
            status::FAILED,
        ],
        ..Change::default()
    };
    orders::update(deps, order_id, change).await?;
    Ok(())
}
