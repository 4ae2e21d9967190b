//! The invariants a chaos run must leave in DynamoDB, checked over full scans of the three
//! tables against what was seeded and how each execution ended.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde::Serialize;
use sfn_json::Value;

/// The three tables as scanned (items as JSON).
#[derive(Debug, Clone, Default)]
pub struct Tables {
    pub orders: Vec<Value>,
    pub payments: Vec<Value>,
    pub inventory: Vec<Value>,
}

/// One execution of a chaos run: its order id and how it ended (`SUCCEEDED`, `FAILED`, ...).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Execution {
    pub order_id: String,
    pub status: String,
}

/// Which invariant a violation breaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum Invariant {
    /// One charge per order, for the order's total.
    OneChargePerOrder,
    /// A charge stands only for a COMPLETED order; a failed order's charge is refunded.
    ChargeMatchesOutcome,
    /// available + reserved per SKU is what was seeded.
    InventoryConserved,
    /// reserved per SKU is what the orders' reservations add up to, and only COMPLETED
    /// orders keep reservations.
    ReservationsMatchOrders,
    /// Every order ends COMPLETED or FAILED, as its execution did.
    TerminalStateMatchesExecution,
}

impl Invariant {
    pub const ALL: [Invariant; 5] = [
        Invariant::OneChargePerOrder,
        Invariant::ChargeMatchesOutcome,
        Invariant::InventoryConserved,
        Invariant::ReservationsMatchOrders,
        Invariant::TerminalStateMatchesExecution,
    ];

    pub fn describe(self) -> &'static str {
        match self {
            Invariant::OneChargePerOrder => "no order charged twice; charge = order total",
            Invariant::ChargeMatchesOutcome => "no charge without a COMPLETED or refunded order",
            Invariant::InventoryConserved => "available + reserved = seeded, per SKU",
            Invariant::ReservationsMatchOrders => "reserved = what COMPLETED orders hold, per SKU",
            Invariant::TerminalStateMatchesExecution => {
                "every order COMPLETED or FAILED, as its execution ended"
            }
        }
    }
}

/// One broken invariant, on an order or a SKU.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Violation {
    pub invariant: Invariant,
    /// The order or SKU at fault.
    pub subject: String,
    pub detail: String,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?} {}: {}", self.invariant, self.subject, self.detail)
    }
}

const COMPLETED: &str = "COMPLETED";
const FAILED: &str = "FAILED";

fn text<'a>(item: &'a Value, field: &str) -> Option<&'a str> {
    item.get(field).and_then(Value::as_str)
}

fn number(item: &Value, field: &str) -> Option<u64> {
    item.get(field).and_then(Value::as_u64)
}

/// Every violation of the invariants in `tables`, given the seeded stock and the executions.
pub fn check(
    tables: &Tables,
    seeded: &[(String, u64)],
    executions: &[Execution],
) -> Vec<Violation> {
    let orders: BTreeMap<&str, &Value> = tables
        .orders
        .iter()
        .filter_map(|o| Some((text(o, "orderId")?, o)))
        .collect();
    let mut violations = Vec::new();
    check_payments(&orders, &tables.payments, &mut violations);
    check_inventory(&orders, &tables.inventory, seeded, &mut violations);
    check_terminal_states(&orders, executions, &mut violations);
    violations.sort_by(|a, b| (a.invariant, &a.subject).cmp(&(b.invariant, &b.subject)));
    violations
}

fn check_payments(orders: &BTreeMap<&str, &Value>, payments: &[Value], out: &mut Vec<Violation>) {
    let mut push = |invariant, subject: &str, detail: String| {
        out.push(Violation {
            invariant,
            subject: subject.to_owned(),
            detail,
        });
    };
    let mut charged_orders = BTreeSet::new();
    for payment in payments {
        let Some(order_id) = text(payment, "orderId") else {
            continue;
        };
        // A payment row without a charge only counts gateway calls.
        let Some(charge_id) = text(payment, "chargeId") else {
            continue;
        };
        charged_orders.insert(order_id);
        let amount = number(payment, "amountCents");
        let status = text(payment, "status").unwrap_or("");
        let Some(order) = orders.get(order_id) else {
            push(
                Invariant::ChargeMatchesOutcome,
                order_id,
                format!("charge {charge_id} for an order that is not stored"),
            );
            continue;
        };
        let total = number(order, "totalCents");
        if amount.is_none() || amount != total {
            push(
                Invariant::OneChargePerOrder,
                order_id,
                format!("charged {amount:?} cents, the order's total is {total:?}"),
            );
        }
        let recorded = order.pointer("/payment/chargeId").and_then(Value::as_str);
        if recorded.is_some_and(|r| r != charge_id) {
            push(
                Invariant::OneChargePerOrder,
                order_id,
                format!("two charges: {charge_id} in payments, {recorded:?} on the order"),
            );
        }
        let order_status = text(order, "status").unwrap_or("");
        match status {
            "CHARGED" if order_status != COMPLETED => push(
                Invariant::ChargeMatchesOutcome,
                order_id,
                format!("charged but the order is {order_status}"),
            ),
            "REFUNDED" if order_status == COMPLETED => push(
                Invariant::ChargeMatchesOutcome,
                order_id,
                "COMPLETED but refunded".into(),
            ),
            "REFUNDED" if number(payment, "refundedCents") != amount => push(
                Invariant::ChargeMatchesOutcome,
                order_id,
                format!(
                    "refunded {:?} of {amount:?} cents",
                    number(payment, "refundedCents")
                ),
            ),
            "CHARGED" | "REFUNDED" => {}
            other => push(
                Invariant::ChargeMatchesOutcome,
                order_id,
                format!("payment status {other:?}"),
            ),
        }
    }
    for (order_id, order) in orders {
        if text(order, "status") == Some(COMPLETED) && !charged_orders.contains(order_id) {
            push(
                Invariant::ChargeMatchesOutcome,
                order_id,
                "COMPLETED without a charge".into(),
            );
        }
    }
}

/// What an order holds per SKU (`reservations`).
fn reservations(order: &Value) -> BTreeMap<String, u64> {
    order
        .get("reservations")
        .and_then(Value::as_object)
        .map(|r| {
            r.iter()
                .map(|(sku, q)| (sku.to_string(), q.as_u64().unwrap_or(0)))
                .collect()
        })
        .unwrap_or_default()
}

/// What an order's items ask for per SKU.
fn wanted(order: &Value) -> BTreeMap<String, u64> {
    let mut wanted = BTreeMap::new();
    let items = order.pointer("/order/items").and_then(Value::as_array);
    for item in items.into_iter().flatten() {
        if let (Some(sku), Some(q)) = (text(item, "sku"), number(item, "quantity")) {
            *wanted.entry(sku.to_owned()).or_insert(0) += q;
        }
    }
    wanted
}

/// Per SKU, what the order's history says it reserved minus what it released (the
/// functions log `reserved Q x SKU` / `released Q x SKU`): points at the order whose
/// reservations and the inventory parted ways.
fn history_net(order: &Value) -> BTreeMap<String, i128> {
    let mut net = BTreeMap::new();
    let history = order.get("history").and_then(Value::as_array);
    for entry in history.into_iter().flatten() {
        let Some(detail) = text(entry, "detail") else {
            continue;
        };
        let mut words = detail.split(' ');
        let (Some(verb), Some(q), Some("x"), Some(sku), None) = (
            words.next(),
            words.next().and_then(|q| q.parse::<i128>().ok()),
            words.next(),
            words.next(),
            words.next(),
        ) else {
            continue;
        };
        let sign = match verb {
            "reserved" => 1,
            "released" => -1,
            _ => continue,
        };
        *net.entry(sku.to_owned()).or_insert(0) += sign * q;
    }
    net
}

fn check_inventory(
    orders: &BTreeMap<&str, &Value>,
    inventory: &[Value],
    seeded: &[(String, u64)],
    out: &mut Vec<Violation>,
) {
    let mut push = |invariant, subject: &str, detail: String| {
        out.push(Violation {
            invariant,
            subject: subject.to_owned(),
            detail,
        });
    };
    let mut held: BTreeMap<String, u64> = BTreeMap::new();
    for (order_id, order) in orders {
        let reserved = reservations(order);
        let status = text(order, "status").unwrap_or("");
        if status == COMPLETED && reserved != wanted(order) {
            push(
                Invariant::ReservationsMatchOrders,
                order_id,
                format!(
                    "COMPLETED holds {reserved:?}, its items ask for {:?}",
                    wanted(order)
                ),
            );
        }
        if status != COMPLETED && !reserved.is_empty() {
            push(
                Invariant::ReservationsMatchOrders,
                order_id,
                format!("{status} order still holds {reserved:?}"),
            );
        }
        for (sku, net) in history_net(order) {
            let holds = reserved.get(&sku).copied().unwrap_or(0);
            if net != i128::from(holds) {
                push(
                    Invariant::ReservationsMatchOrders,
                    order_id,
                    format!("its history reserved − released {net} of {sku}, it holds {holds}"),
                );
            }
        }
        for (sku, q) in reserved {
            *held.entry(sku).or_insert(0) += q;
        }
    }
    let stock: BTreeMap<&str, (u64, u64)> = inventory
        .iter()
        .filter_map(|i| {
            let sku = text(i, "sku")?;
            Some((sku, (number(i, "available")?, number(i, "reserved")?)))
        })
        .collect();
    for (sku, seeded_units) in seeded {
        let Some((available, reserved)) = stock.get(sku.as_str()).copied() else {
            push(
                Invariant::InventoryConserved,
                sku,
                "missing from the inventory table".into(),
            );
            continue;
        };
        if available.checked_add(reserved) != Some(*seeded_units) {
            push(
                Invariant::InventoryConserved,
                sku,
                format!("available {available} + reserved {reserved} ≠ seeded {seeded_units}"),
            );
        }
        let by_orders = held.get(sku).copied().unwrap_or(0);
        if reserved != by_orders {
            push(
                Invariant::ReservationsMatchOrders,
                sku,
                format!("reserved {reserved}, the orders hold {by_orders}"),
            );
        }
    }
    for sku in stock.keys() {
        if !seeded.iter().any(|(s, _)| s == sku) {
            push(
                Invariant::InventoryConserved,
                sku,
                "a SKU that was never seeded".into(),
            );
        }
    }
}

fn check_terminal_states(
    orders: &BTreeMap<&str, &Value>,
    executions: &[Execution],
    out: &mut Vec<Violation>,
) {
    let mut push = |subject: &str, detail: String| {
        out.push(Violation {
            invariant: Invariant::TerminalStateMatchesExecution,
            subject: subject.to_owned(),
            detail,
        });
    };
    let mut seen = BTreeSet::new();
    for execution in executions {
        let id = execution.order_id.as_str();
        if !seen.insert(id) {
            push(id, "more than one execution for the order".into());
            continue;
        }
        let Some(order) = orders.get(id) else {
            push(
                id,
                format!("execution {} but no order record", execution.status),
            );
            continue;
        };
        let status = text(order, "status").unwrap_or("");
        let expected = match execution.status.as_str() {
            "SUCCEEDED" => COMPLETED,
            "FAILED" | "TIMED_OUT" | "ABORTED" => FAILED,
            other => {
                push(id, format!("execution still {other}"));
                continue;
            }
        };
        if status != expected {
            push(
                id,
                format!(
                    "order {status}, execution {} (want {expected})",
                    execution.status
                ),
            );
        }
        if let Some(recorded) = text(order, "executionStatus")
            && recorded != execution.status
        {
            push(
                id,
                format!("executionStatus {recorded}, execution {}", execution.status),
            );
        }
    }
    for (id, order) in orders {
        if !seen.contains(id) {
            let status = text(order, "status").unwrap_or("");
            push(id, format!("{status} order without an execution"));
        }
    }
}

#[cfg(test)]
mod tests;
