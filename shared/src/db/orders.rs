//! The orders table: one item per order (see docs/contract.md for its attributes).

use super::{Item, get_s, history_entry, n, now, s};
use crate::config::Deps;
use crate::error::{StoreError, is_condition_failed};
use crate::order::Order;
use aws_sdk_dynamodb::types::AttributeValue;
use std::collections::HashMap;

pub mod status {
    pub const RECEIVED: &str = "RECEIVED";
    pub const VALIDATED: &str = "VALIDATED";
    pub const AWAITING_APPROVAL: &str = "AWAITING_APPROVAL";
    pub const APPROVED: &str = "APPROVED";
    pub const REJECTED: &str = "REJECTED";
    pub const RESERVED: &str = "RESERVED";
    pub const PAID: &str = "PAID";
    pub const FULFILLING: &str = "FULFILLING";
    pub const COMPLETED: &str = "COMPLETED";
    pub const FAILED: &str = "FAILED";
}

fn order_attribute(order: &Order) -> Result<AttributeValue, StoreError> {
    serde_dynamo::to_attribute_value(order).map_err(|e| StoreError(format!("order to item: {e}")))
}

/// Reads an order with a consistent read.
pub async fn get(deps: &Deps, order_id: &str) -> Result<Option<Item>, StoreError> {
    super::get_item(deps, &deps.tables.orders, "orderId", order_id).await
}

/// Stores a validated order: creates it, or marks the same content (same hash) again
/// (leaving an order that got further than VALIDATED as it is).
/// Returns `false` when the id holds a different order.
pub async fn put_validated(
    deps: &Deps,
    order: &Order,
    hash: &str,
    total_cents: u64,
) -> Result<bool, StoreError> {
    let time = now();
    let result = deps
        .dynamodb
        .update_item()
        .table_name(&deps.tables.orders)
        .key("orderId", s(&order.order_id))
        .update_expression(
            "SET #order = :order, orderHash = :hash, totalCents = :total, #status = :status, \
             reservations = if_not_exists(reservations, :noReservations), \
             createdAt = if_not_exists(createdAt, :now), updatedAt = :now, \
             history = list_append(if_not_exists(history, :noHistory), :entry)",
        )
        // The same order again moves back to VALIDATED only from RECEIVED / VALIDATED:
        // a duplicate execution must not rewind an order that got further.
        .condition_expression(
            "attribute_not_exists(orderId) OR \
             (orderHash = :hash AND #status IN (:received, :status))",
        )
        .expression_attribute_names("#order", "order")
        .expression_attribute_names("#status", "status")
        .expression_attribute_values(":order", order_attribute(order)?)
        .expression_attribute_values(":hash", s(hash))
        .expression_attribute_values(":total", n(total_cents))
        .expression_attribute_values(":status", s(status::VALIDATED))
        .expression_attribute_values(":received", s(status::RECEIVED))
        .expression_attribute_values(":noReservations", AttributeValue::M(HashMap::new()))
        .expression_attribute_values(":now", s(time))
        .expression_attribute_values(":noHistory", AttributeValue::L(Vec::new()))
        .expression_attribute_values(
            ":entry",
            history_entry(status::VALIDATED, "order validated"),
        )
        .send()
        .await;
    match result {
        Ok(_) => Ok(true),
        Err(e) if is_condition_failed(&e) => {
            let existing = get(deps, &order.order_id).await?;
            Ok(existing.is_some_and(|item| get_s(&item, "orderHash") == Some(hash)))
        }
        Err(e) => Err(StoreError::from_sdk("UpdateItem", e)),
    }
}

/// What `put_received` found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Received {
    /// A new order was stored.
    Created,
    /// The id was used already; `same_content` compares the hashes.
    Existing {
        same_content: bool,
        execution_arn: Option<String>,
    },
}

/// Stores a submitted order as `RECEIVED` unless the id exists.
pub async fn put_received(
    deps: &Deps,
    order: &Order,
    hash: &str,
    total_cents: u64,
) -> Result<Received, StoreError> {
    let time = now();
    let item: Item = [
        ("orderId", s(&order.order_id)),
        ("status", s(status::RECEIVED)),
        ("order", order_attribute(order)?),
        ("orderHash", s(hash)),
        ("totalCents", n(total_cents)),
        ("reservations", AttributeValue::M(HashMap::new())),
        (
            "history",
            history_entry(status::RECEIVED, "order submitted"),
        ),
        ("createdAt", s(&time)),
        ("updatedAt", s(&time)),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    let result = deps
        .dynamodb
        .put_item()
        .table_name(&deps.tables.orders)
        .set_item(Some(item))
        .condition_expression("attribute_not_exists(orderId)")
        .send()
        .await;
    match result {
        Ok(_) => Ok(Received::Created),
        Err(e) if is_condition_failed(&e) => {
            let existing = get(deps, &order.order_id)
                .await?
                .ok_or_else(|| StoreError(format!("order {} vanished", order.order_id)))?;
            Ok(Received::Existing {
                same_content: get_s(&existing, "orderHash") == Some(hash),
                execution_arn: get_s(&existing, "executionArn").map(str::to_string),
            })
        }
        Err(e) => Err(StoreError::from_sdk("PutItem", e)),
    }
}

/// A conditional change to an existing (or, without `must_exist`, possibly new) order.
/// Every change also sets `updatedAt` and appends a history entry.
#[derive(Debug, Clone, Default)]
pub struct Change<'a> {
    /// The new `status`, if any; also the history entry's status.
    pub status: Option<&'a str>,
    /// The history entry's detail.
    pub detail: String,
    /// Attributes to set.
    pub set: Vec<(&'a str, AttributeValue)>,
    /// Attributes to set only when absent (`if_not_exists`).
    pub set_if_absent: Vec<(&'a str, AttributeValue)>,
    /// Attributes to remove.
    pub remove: Vec<&'a str>,
    /// Fail (return `false`) when the order does not exist.
    pub must_exist: bool,
    /// Fail when these attributes do not hold these values.
    pub expect: Vec<(&'a str, AttributeValue)>,
    /// Fail when `status` is one of these.
    pub unless_status: Vec<&'a str>,
}

/// Applies a change; `Ok(false)` when its condition did not hold (nothing written).
pub async fn update(deps: &Deps, order_id: &str, change: Change<'_>) -> Result<bool, StoreError> {
    let mut names: HashMap<String, String> = HashMap::new();
    let mut values: HashMap<String, AttributeValue> = HashMap::new();
    let time = now();
    // DynamoDB rejects unused placeholders, so `#status` is added only when used.
    if change.status.is_some() || !change.unless_status.is_empty() {
        names.insert("#status".into(), "status".into());
    }
    values.insert(":now".into(), s(&time));
    values.insert(":noHistory".into(), AttributeValue::L(Vec::new()));
    let history_status = change.status.unwrap_or("UPDATED");
    values.insert(
        ":entry".into(),
        history_entry(history_status, &change.detail),
    );
    let mut sets = vec![
        "updatedAt = :now".to_string(),
        "createdAt = if_not_exists(createdAt, :now)".to_string(),
        "history = list_append(if_not_exists(history, :noHistory), :entry)".to_string(),
    ];
    if let Some(status) = change.status {
        sets.push("#status = :status".into());
        values.insert(":status".into(), s(status));
    }
    for (i, (name, value)) in change.set.into_iter().enumerate() {
        names.insert(format!("#s{i}"), name.to_string());
        values.insert(format!(":s{i}"), value);
        sets.push(format!("#s{i} = :s{i}"));
    }
    for (i, (name, value)) in change.set_if_absent.into_iter().enumerate() {
        names.insert(format!("#a{i}"), name.to_string());
        values.insert(format!(":a{i}"), value);
        sets.push(format!("#a{i} = if_not_exists(#a{i}, :a{i})"));
    }
    let mut expression = format!("SET {}", sets.join(", "));
    if !change.remove.is_empty() {
        let removed: Vec<String> = change
            .remove
            .iter()
            .enumerate()
            .map(|(i, name)| {
                names.insert(format!("#r{i}"), name.to_string());
                format!("#r{i}")
            })
            .collect();
        expression.push_str(&format!(" REMOVE {}", removed.join(", ")));
    }
    let mut conditions = Vec::new();
    if change.must_exist {
        conditions.push("attribute_exists(orderId)".to_string());
    }
    for (i, (name, value)) in change.expect.into_iter().enumerate() {
        names.insert(format!("#e{i}"), name.to_string());
        values.insert(format!(":e{i}"), value);
        conditions.push(format!("#e{i} = :e{i}"));
    }
    if !change.unless_status.is_empty() {
        let placeholders: Vec<String> = change
            .unless_status
            .iter()
            .enumerate()
            .map(|(i, status)| {
                values.insert(format!(":u{i}"), s(*status));
                format!(":u{i}")
            })
            .collect();
        conditions.push(format!(
            "(attribute_not_exists(#status) OR NOT (#status IN ({})))",
            placeholders.join(", ")
        ));
    }
    let result = deps
        .dynamodb
        .update_item()
        .table_name(&deps.tables.orders)
        .key("orderId", s(order_id))
        .update_expression(expression)
        .set_condition_expression((!conditions.is_empty()).then(|| conditions.join(" AND ")))
        .set_expression_attribute_names(Some(names))
        .set_expression_attribute_values(Some(values))
        .send()
        .await;
    match result {
        Ok(_) => Ok(true),
        Err(e) if is_condition_failed(&e) => Ok(false),
        Err(e) => Err(StoreError::from_sdk("UpdateItem", e)),
    }
}
