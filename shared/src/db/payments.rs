//! The payments table: one charge per order, ever (the order id is the idempotency key).

use super::{Item, get_n, get_s, n, now, s};
use crate::config::Deps;
use crate::error::{StoreError, is_condition_failed};
use aws_sdk_dynamodb::types::ReturnValue;

pub const CHARGED: &str = "CHARGED";
pub const REFUNDED: &str = "REFUNDED";

/// A recorded charge: the answer every repeat of the charge gets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Charge {
    pub charge_id: String,
    pub amount_cents: u64,
    pub status: String,
    pub refunded_cents: u64,
}

fn charge_of(item: &Item) -> Option<Charge> {
    Some(Charge {
        charge_id: get_s(item, "chargeId")?.to_string(),
        amount_cents: get_n(item, "amountCents")?,
        status: get_s(item, "status")?.to_string(),
        refunded_cents: get_n(item, "refundedCents").unwrap_or(0),
    })
}

async fn get(deps: &Deps, order_id: &str) -> Result<Option<Item>, StoreError> {
    super::get_item(deps, &deps.tables.payments, "orderId", order_id).await
}

/// The order's charge, if one was recorded.
pub async fn get_charge(deps: &Deps, order_id: &str) -> Result<Option<Charge>, StoreError> {
    Ok(get(deps, order_id).await?.as_ref().and_then(charge_of))
}

/// Gateway calls counted so far for an order.
pub async fn attempts(deps: &Deps, order_id: &str) -> Result<u64, StoreError> {
    Ok(get(deps, order_id)
        .await?
        .and_then(|item| get_n(&item, "attempts"))
        .unwrap_or(0))
}

/// Before a gateway call: either the order was charged already, or this is call number n.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Attempt {
    Charged(Charge),
    Call(u64),
}

/// Counts a gateway call for an order (atomic `ADD`), unless it was charged already.
pub async fn begin_attempt(deps: &Deps, order_id: &str) -> Result<Attempt, StoreError> {
    let result = deps
        .dynamodb
        .update_item()
        .table_name(&deps.tables.payments)
        .key("orderId", s(order_id))
        .update_expression("ADD attempts :one")
        .condition_expression("attribute_not_exists(chargeId)")
        .expression_attribute_values(":one", n(1))
        .return_values(ReturnValue::AllNew)
        .send()
        .await;
    match result {
        Ok(output) => {
            let attempts = output
                .attributes
                .as_ref()
                .and_then(|item| get_n(item, "attempts"))
                .ok_or_else(|| StoreError("UpdateItem returned no attempts".into()))?;
            Ok(Attempt::Call(attempts))
        }
        Err(e) if is_condition_failed(&e) => {
            existing_charge(deps, order_id).await.map(Attempt::Charged)
        }
        Err(e) => Err(StoreError::from_sdk("UpdateItem", e)),
    }
}

async fn existing_charge(deps: &Deps, order_id: &str) -> Result<Charge, StoreError> {
    get_charge(deps, order_id).await?.ok_or_else(|| {
        StoreError(format!(
            "payment of {order_id} has a chargeId but no charge"
        ))
    })
}

/// Records the charge unless one exists; returns the charge that holds (the first one).
pub async fn record_charge(
    deps: &Deps,
    order_id: &str,
    amount_cents: u64,
    charge_id: &str,
) -> Result<Charge, StoreError> {
    let result = deps
        .dynamodb
        .update_item()
        .table_name(&deps.tables.payments)
        .key("orderId", s(order_id))
        .update_expression(
            "SET #status = :charged, amountCents = :amount, chargeId = :chargeId, \
             refundedCents = :zero, chargedAt = :now",
        )
        .condition_expression("attribute_not_exists(chargeId)")
        .expression_attribute_names("#status", "status")
        .expression_attribute_values(":charged", s(CHARGED))
        .expression_attribute_values(":amount", n(amount_cents))
        .expression_attribute_values(":chargeId", s(charge_id))
        .expression_attribute_values(":zero", n(0))
        .expression_attribute_values(":now", s(now()))
        .send()
        .await;
    match result {
        Ok(_) => Ok(Charge {
            charge_id: charge_id.to_string(),
            amount_cents,
            status: CHARGED.to_string(),
            refunded_cents: 0,
        }),
        Err(e) if is_condition_failed(&e) => existing_charge(deps, order_id).await,
        Err(e) => Err(StoreError::from_sdk("UpdateItem", e)),
    }
}

/// Refunds the whole charge once; returns the refunded cents (0 when nothing was charged
/// or it was refunded already).
pub async fn refund(deps: &Deps, order_id: &str) -> Result<u64, StoreError> {
    let Some(charge) = get_charge(deps, order_id).await? else {
        return Ok(0);
    };
    if charge.status != CHARGED {
        return Ok(0);
    }
    let result = deps
        .dynamodb
        .update_item()
        .table_name(&deps.tables.payments)
        .key("orderId", s(order_id))
        .update_expression("SET #status = :refunded, refundedCents = :amount, refundedAt = :now")
        .condition_expression("#status = :charged AND chargeId = :chargeId")
        .expression_attribute_names("#status", "status")
        .expression_attribute_values(":refunded", s(REFUNDED))
        .expression_attribute_values(":charged", s(CHARGED))
        .expression_attribute_values(":amount", n(charge.amount_cents))
        .expression_attribute_values(":chargeId", s(&charge.charge_id))
        .expression_attribute_values(":now", s(now()))
        .send()
        .await;
    match result {
        Ok(_) => Ok(charge.amount_cents),
        // Refunded by a concurrent delivery.
        Err(e) if is_condition_failed(&e) => Ok(0),
        Err(e) => Err(StoreError::from_sdk("UpdateItem", e)),
    }
}

/// A new, unique charge id.
pub fn new_charge_id() -> String {
    format!("ch_{}", uuid::Uuid::new_v4().simple())
}
