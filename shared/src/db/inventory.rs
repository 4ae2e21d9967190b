//! The inventory table and the reservations on orders, changed together atomically.

use super::{Item, get_m, get_n, history_entry, n, now, s};
use crate::config::Deps;
use crate::db::orders::status;
use crate::error::{StoreError, is_condition_failed};
use aws_sdk_dynamodb::error::SdkError;
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::{AttributeValue, KeysAndAttributes, TransactWriteItem, Update};
use std::collections::{HashMap, HashSet};

/// Stock of one SKU.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stock {
    pub available: u64,
    pub reserved: u64,
}

/// Sets a SKU's stock (restocking, seeding): `available` units, none reserved.
pub async fn put_stock(deps: &Deps, sku: &str, available: u64) -> Result<(), StoreError> {
    deps.dynamodb
        .put_item()
        .table_name(&deps.tables.inventory)
        .item("sku", s(sku))
        .item("available", n(available))
        .item("reserved", n(0))
        .send()
        .await
        .map_err(|e| StoreError::from_sdk("PutItem", e))?;
    Ok(())
}

/// Reads a SKU's stock (consistent read); `None` for an unknown SKU.
pub async fn get_stock(deps: &Deps, sku: &str) -> Result<Option<Stock>, StoreError> {
    let item = super::get_item(deps, &deps.tables.inventory, "sku", sku).await?;
    Ok(item.map(|item| Stock {
        available: get_n(&item, "available").unwrap_or(0),
        reserved: get_n(&item, "reserved").unwrap_or(0),
    }))
}

/// The SKUs (of at most 100 distinct) that the inventory table does not hold.
pub async fn unknown_skus<'a>(deps: &Deps, skus: &[&'a str]) -> Result<Vec<&'a str>, StoreError> {
    let mut found: HashSet<String> = HashSet::new();
    let keys: Vec<Item> = skus
        .iter()
        .map(|sku| HashMap::from([("sku".to_string(), s(*sku))]))
        .collect();
    let request = KeysAndAttributes::builder()
        .set_keys(Some(keys))
        .projection_expression("sku")
        .consistent_read(true)
        .build()
        .map_err(|e| StoreError(e.to_string()))?;
    let mut pending = Some(HashMap::from([(deps.tables.inventory.clone(), request)]));
    // Unprocessed keys are retried a bounded number of times, then reported as transient.
    for _ in 0..5 {
        let Some(request) = pending.take().filter(|p| !p.is_empty()) else {
            break;
        };
        let output = deps
            .dynamodb
            .batch_get_item()
            .set_request_items(Some(request))
            .send()
            .await
            .map_err(|e| StoreError::from_sdk("BatchGetItem", e))?;
        for item in output.responses.unwrap_or_default().into_values().flatten() {
            if let Some(AttributeValue::S(sku)) = item.get("sku") {
                found.insert(sku.clone());
            }
        }
        pending = output.unprocessed_keys;
    }
    if pending.is_some_and(|p| !p.is_empty()) {
        return Err(StoreError("BatchGetItem left keys unprocessed".into()));
    }
    Ok(skus
        .iter()
        .copied()
        .filter(|sku| !found.contains(*sku))
        .collect())
}

/// The outcome of a reservation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reservation {
    /// Reserved now.
    Reserved(u64),
    /// This order had reserved this SKU already (a repeated delivery): nothing changed.
    AlreadyReserved(u64),
    OutOfStock {
        available: u64,
    },
    UnknownSku,
    /// The order is not stored (validate-order stores it first).
    UnknownOrder,
    /// The order's compensation released this SKU already: a late delivery reserves nothing.
    Released,
}

/// Whether the order's compensation has released `sku` (its `released` string set).
fn was_released(order: &Item, sku: &str) -> bool {
    matches!(order.get("released"), Some(AttributeValue::Ss(skus)) if skus.iter().any(|s| s == sku))
}

/// Reserves `quantity` of `sku` for an order: `available -= q, reserved += q` (never below
/// zero) together with `reservations[sku] = q` on the order, in one transaction.
pub async fn reserve(
    deps: &Deps,
    order_id: &str,
    sku: &str,
    quantity: u64,
) -> Result<Reservation, StoreError> {
    let inventory = Update::builder()
        .table_name(&deps.tables.inventory)
        .key("sku", s(sku))
        .update_expression("SET available = available - :q, reserved = reserved + :q")
        .condition_expression("attribute_exists(sku) AND available >= :q")
        .expression_attribute_values(":q", n(quantity))
        .build();
    let order = Update::builder()
        .table_name(&deps.tables.orders)
        .key("orderId", s(order_id))
        .update_expression(
            "SET reservations.#sku = :q, #status = :status, updatedAt = :now, \
             history = list_append(if_not_exists(history, :noHistory), :entry)",
        )
        // `released` lists the SKUs compensation has closed: a reservation that arrives after
        // its release (a Map iteration still running when the Map failed) must not land.
        .condition_expression(
            "attribute_exists(reservations) AND attribute_not_exists(reservations.#sku) \
             AND NOT contains(released, :skuName)",
        )
        .expression_attribute_names("#sku", sku)
        .expression_attribute_names("#status", "status")
        .expression_attribute_values(":skuName", s(sku))
        .expression_attribute_values(":q", n(quantity))
        .expression_attribute_values(":status", s(status::RESERVED))
        .expression_attribute_values(":now", s(now()))
        .expression_attribute_values(":noHistory", AttributeValue::L(Vec::new()))
        .expression_attribute_values(
            ":entry",
            history_entry(status::RESERVED, &format!("reserved {quantity} x {sku}")),
        )
        .build();
    match transact(deps, [inventory, order]).await {
        Ok(()) => return Ok(Reservation::Reserved(quantity)),
        Err(Cancelled::Conditions) => {}
        Err(Cancelled::Other(e)) => return Err(e),
    }
    // Find out which condition failed; a repeated delivery wins over a lack of stock.
    let Some(order) = super::orders::get(deps, order_id).await? else {
        return Ok(Reservation::UnknownOrder);
    };
    let Some(reservations) = get_m(&order, "reservations") else {
        return Ok(Reservation::UnknownOrder);
    };
    if let Some(reserved) = get_n(reservations, sku) {
        return Ok(Reservation::AlreadyReserved(reserved));
    }
    if was_released(&order, sku) {
        return Ok(Reservation::Released);
    }
    match get_stock(deps, sku).await? {
        None => Ok(Reservation::UnknownSku),
        Some(stock) if stock.available < quantity => Ok(Reservation::OutOfStock {
            available: stock.available,
        }),
        // The conditions hold now: a concurrent change; let the caller retry.
        Some(_) => Err(StoreError(format!(
            "reservation of {sku} for {order_id} conflicted with a concurrent change"
        ))),
    }
}

/// Releases what an order reserved of a SKU; returns the quantity, 0 when nothing was
/// reserved (a repeated release changes nothing).
pub async fn release(deps: &Deps, order_id: &str, sku: &str) -> Result<u64, StoreError> {
    let reserved = |order: &Option<Item>| {
        order
            .as_ref()
            .and_then(|o| get_m(o, "reservations"))
            .and_then(|r| get_n(r, sku))
    };
    // A reservation may commit between the read and the write: close the SKU and release
    // whatever it holds, re-reading a bounded number of times.
    for _ in 0..3 {
        let order = super::orders::get(deps, order_id).await?;
        if order.is_none() {
            return Ok(0);
        }
        match reserved(&order) {
            None => match close_unreserved(deps, order_id, sku).await? {
                true => return Ok(0),
                false => continue,
            },
            Some(quantity) => {
                if let Some(released) = release_reserved(deps, order_id, sku, quantity).await? {
                    return Ok(released);
                }
            }
        }
    }
    Err(StoreError(format!(
        "release of {sku} for {order_id} kept conflicting with concurrent reservations"
    )))
}

/// Marks `sku` released on an order that holds no reservation of it; false when a
/// reservation appeared meanwhile.
async fn close_unreserved(deps: &Deps, order_id: &str, sku: &str) -> Result<bool, StoreError> {
    let result = deps
        .dynamodb
        .update_item()
        .table_name(&deps.tables.orders)
        .key("orderId", s(order_id))
        .update_expression("ADD released :skus")
        .condition_expression(
            "attribute_exists(orderId) AND attribute_not_exists(reservations.#sku)",
        )
        .expression_attribute_names("#sku", sku)
        .expression_attribute_values(":skus", AttributeValue::Ss(vec![sku.to_owned()]))
        .send()
        .await;
    match result {
        Ok(_) => Ok(true),
        Err(e) if is_condition_failed(&e) => Ok(false),
        Err(e) => Err(StoreError::from_sdk("UpdateItem", e)),
    }
}

/// Gives `quantity` of `sku` back and closes the SKU on the order, in one transaction;
/// `None` when the reservation changed meanwhile (the caller re-reads).
async fn release_reserved(
    deps: &Deps,
    order_id: &str,
    sku: &str,
    quantity: u64,
) -> Result<Option<u64>, StoreError> {
    let inventory = Update::builder()
        .table_name(&deps.tables.inventory)
        .key("sku", s(sku))
        .update_expression("SET available = available + :q, reserved = reserved - :q")
        .condition_expression("attribute_exists(sku) AND reserved >= :q")
        .expression_attribute_values(":q", n(quantity))
        .build();
    let order_update = Update::builder()
        .table_name(&deps.tables.orders)
        .key("orderId", s(order_id))
        .update_expression(
            "REMOVE reservations.#sku SET updatedAt = :now, \
             history = list_append(if_not_exists(history, :noHistory), :entry) \
             ADD released :skus",
        )
        .condition_expression("reservations.#sku = :q")
        .expression_attribute_names("#sku", sku)
        .expression_attribute_values(":skus", AttributeValue::Ss(vec![sku.to_owned()]))
        .expression_attribute_values(":q", n(quantity))
        .expression_attribute_values(":now", s(now()))
        .expression_attribute_values(":noHistory", AttributeValue::L(Vec::new()))
        .expression_attribute_values(
            ":entry",
            history_entry("RELEASED", &format!("released {quantity} x {sku}")),
        )
        .build();
    match transact(deps, [inventory, order_update]).await {
        Ok(()) => Ok(Some(quantity)),
        Err(Cancelled::Conditions) => {
            let order = super::orders::get(deps, order_id).await?;
            let now_reserved = order
                .as_ref()
                .and_then(|o| get_m(o, "reservations"))
                .and_then(|r| get_n(r, sku));
            match now_reserved {
                // Released concurrently by another delivery.
                None if order.as_ref().is_some_and(|o| was_released(o, sku)) => Ok(Some(0)),
                None => Ok(None),
                Some(q) if q != quantity => Ok(None),
                Some(_) => Err(StoreError(format!(
                    "inventory of {sku} does not hold the {quantity} units {order_id} reserved"
                ))),
            }
        }
        Err(Cancelled::Other(e)) => Err(e),
    }
}

enum Cancelled {
    /// Only conditions failed: a domain outcome the caller works out.
    Conditions,
    Other(StoreError),
}

async fn transact<const N: usize>(
    deps: &Deps,
    updates: [Result<Update, aws_sdk_dynamodb::error::BuildError>; N],
) -> Result<(), Cancelled> {
    let mut items = Vec::with_capacity(N);
    for update in updates {
        let update = update.map_err(|e| Cancelled::Other(StoreError(e.to_string())))?;
        items.push(TransactWriteItem::builder().update(update).build());
    }
    let result = deps
        .dynamodb
        .transact_write_items()
        .set_transact_items(Some(items))
        .send()
        .await;
    match result {
        Ok(_) => Ok(()),
        Err(e) if only_conditions_failed(&e) => Err(Cancelled::Conditions),
        Err(e) => Err(Cancelled::Other(StoreError::from_sdk(
            "TransactWriteItems",
            e,
        ))),
    }
}

/// A cancellation whose reasons are all `ConditionalCheckFailed` or `None` (conflicts and
/// throttling are transient).
fn only_conditions_failed<R>(error: &SdkError<TransactWriteItemsError, R>) -> bool {
    if is_condition_failed(error) {
        return true;
    }
    match error.as_service_error() {
        Some(TransactWriteItemsError::TransactionCanceledException(cancelled)) => {
            let reasons = cancelled.cancellation_reasons();
            // Without reasons the caller's reads decide (and report a conflict as transient).
            reasons.is_empty()
                || reasons
                    .iter()
                    .any(|r| r.code() == Some("ConditionalCheckFailed"))
                    && reasons
                        .iter()
                        .all(|r| matches!(r.code(), None | Some("None" | "ConditionalCheckFailed")))
        }
        _ => false,
    }
}
