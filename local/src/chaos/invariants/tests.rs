//! The checker on hand-made tables: consistent ones pass, each kind of damage is named.

use sfn_json::{Value, json};

use super::*;

fn completed(id: &str, sku: &str, q: u64, total: u64) -> Value {
    json!({
        "orderId": id, "status": "COMPLETED", "totalCents": total,
        "order": {"items": [{"sku": sku, "quantity": q, "unitPriceCents": total / q}]},
        "reservations": {sku: q},
        "payment": {"chargeId": format!("ch_{id}")},
        "history": [{"detail": format!("reserved {q} x {sku}")}],
    })
}

fn failed(id: &str) -> Value {
    json!({"orderId": id, "status": "FAILED", "totalCents": 500, "reservations": {},
           "history": [{"detail": "reserved 2 x A"}, {"detail": "released 2 x A"}]})
}

fn charge(id: &str, amount: u64, status: &str) -> Value {
    let refunded = if status == "REFUNDED" { amount } else { 0 };
    json!({"orderId": id, "chargeId": format!("ch_{id}"), "amountCents": amount,
           "status": status, "refundedCents": refunded, "attempts": 1})
}

fn stock(sku: &str, available: u64, reserved: u64) -> Value {
    json!({"sku": sku, "available": available, "reserved": reserved})
}

fn executions() -> Vec<Execution> {
    [("o1", "SUCCEEDED"), ("o2", "FAILED")]
        .iter()
        .map(|(id, status)| Execution {
            order_id: (*id).into(),
            status: (*status).into(),
        })
        .collect()
}

fn consistent() -> Tables {
    Tables {
        orders: vec![completed("o1", "A", 3, 900), failed("o2")],
        payments: vec![charge("o1", 900, "CHARGED"), charge("o2", 500, "REFUNDED")],
        inventory: vec![stock("A", 7, 3), stock("B", 5, 0)],
    }
}

fn seeded() -> Vec<(String, u64)> {
    vec![("A".into(), 10), ("B".into(), 5)]
}

fn invariants(tables: &Tables) -> Vec<(Invariant, String)> {
    check(tables, &seeded(), &executions())
        .into_iter()
        .map(|v| (v.invariant, v.subject))
        .collect()
}

#[test]
fn consistent_tables_pass() {
    assert_eq!(invariants(&consistent()), vec![]);
}

#[test]
fn a_charge_for_another_amount_is_reported() {
    let mut tables = consistent();
    tables.payments[0] = charge("o1", 901, "CHARGED");
    assert_eq!(
        invariants(&tables),
        vec![(Invariant::OneChargePerOrder, "o1".into())]
    );
}

#[test]
fn a_failed_order_keeping_its_charge_is_reported() {
    let mut tables = consistent();
    tables.payments[1] = charge("o2", 500, "CHARGED");
    assert_eq!(
        invariants(&tables),
        vec![(Invariant::ChargeMatchesOutcome, "o2".into())]
    );
}

#[test]
fn a_completed_order_without_a_charge_is_reported() {
    let mut tables = consistent();
    tables.payments.remove(0);
    assert_eq!(
        invariants(&tables),
        vec![(Invariant::ChargeMatchesOutcome, "o1".into())]
    );
}

#[test]
fn stock_that_appears_or_vanishes_is_reported() {
    let mut tables = consistent();
    tables.inventory[1] = stock("B", 4, 0);
    assert_eq!(
        invariants(&tables),
        vec![(Invariant::InventoryConserved, "B".into())]
    );
}

#[test]
fn a_failed_order_holding_stock_is_reported_with_the_sku() {
    let mut tables = consistent();
    tables.orders[1]["reservations"] = json!({"B": 1});
    tables.inventory[1] = stock("B", 4, 1);
    let found = invariants(&tables);
    assert!(
        found.contains(&(Invariant::ReservationsMatchOrders, "o2".into())),
        "{found:?}"
    );
    assert!(
        !found
            .iter()
            .any(|(i, _)| *i == Invariant::InventoryConserved),
        "{found:?}"
    );
}

#[test]
fn an_order_whose_history_disagrees_with_its_reservations_is_named() {
    let mut tables = consistent();
    tables.orders[1]["history"] = json!([{"detail": "reserved 2 x A"}]);
    assert_eq!(
        invariants(&tables),
        vec![(Invariant::ReservationsMatchOrders, "o2".into())]
    );
}

#[test]
fn an_order_in_another_state_than_its_execution_is_reported() {
    let mut tables = consistent();
    tables.orders[1]["status"] = json!("PAID");
    tables
        .orders
        .push(json!({"orderId": "o3", "status": "VALIDATED"}));
    let found = invariants(&tables);
    for id in ["o2", "o3"] {
        assert!(
            found.contains(&(Invariant::TerminalStateMatchesExecution, id.into())),
            "{found:?}"
        );
    }
}

#[test]
fn an_execution_without_its_order_is_reported() {
    let mut tables = consistent();
    tables.orders.remove(1);
    tables.payments.remove(1);
    assert_eq!(
        invariants(&tables),
        vec![(Invariant::TerminalStateMatchesExecution, "o2".into())]
    );
}
