//! Randomized orders and inventory, all drawn from one seed: the same seed gives the same
//! orders, answers and stock.

use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::{RngExt, SeedableRng};
use sfn_json::{Value, json};

use crate::workflow::Approval;

/// One generated order and how its approval step is answered, if it reaches it.
#[derive(Debug, Clone)]
pub struct ChaosOrder {
    pub order_id: String,
    pub order: Value,
    pub approval: Approval,
    /// Which group of SKUs the order draws from (its worker, when orders run concurrently).
    pub group: usize,
}

/// The SKUs and their stock: `skus_per_group` SKUs for each of `groups` groups, named
/// `CHAOS-<group>-<n>`. One SKU per group starts empty (an out-of-stock path), the others
/// hold between a few and a few hundred units.
pub fn inventory(seed: u64, groups: usize, skus_per_group: usize) -> Vec<(String, u64)> {
    let mut rng = StdRng::seed_from_u64(seed ^ 0x1157_0c4e);
    let mut stock = Vec::new();
    for group in 0..groups {
        for n in 0..skus_per_group {
            let available = if n == 0 {
                0
            } else {
                rng.random_range(20..=600)
            };
            stock.push((sku_name(group, n), available));
        }
    }
    stock
}

fn sku_name(group: usize, n: usize) -> String {
    format!("CHAOS-{group}-{n:02}")
}

/// `count` orders: most valid, some invalid, with every simulated outcome represented
/// (declined, flaky and unavailable payment, failed shipment, bounced email, approval
/// approved/rejected/unanswered, out of stock). Order `i` draws from SKU group `i % groups`.
pub fn generate(seed: u64, count: usize, groups: usize, skus_per_group: usize) -> Vec<ChaosOrder> {
    let mut rng = StdRng::seed_from_u64(seed);
    let groups = groups.max(1);
    (0..count)
        .map(|i| {
            let group = i % groups;
            let order_id = format!("chaos-{seed}-{i:05}");
            let mut order = valid_order(&mut rng, &order_id, group, skus_per_group);
            if rng.random_bool(0.06) {
                make_invalid(&mut rng, &mut order);
            }
            let approval = match rng.random_range(0..20) {
                0..=8 => Approval::Approve,
                9..=17 => Approval::Reject,
                _ => Approval::Timeout,
            };
            ChaosOrder {
                order_id,
                order,
                approval,
                group,
            }
        })
        .collect()
}

fn valid_order(rng: &mut StdRng, order_id: &str, group: usize, skus_per_group: usize) -> Value {
    // Distinct SKUs per order: one reservation per order and SKU (see the contract).
    let lines = rng.random_range(1..=3.min(skus_per_group.max(1)));
    let mut skus: Vec<usize> = (0..skus_per_group).collect();
    let mut items = Vec::new();
    for _ in 0..lines {
        let pick = rng.random_range(..skus.len());
        let n = skus.swap_remove(pick);
        let quantity: u64 = if rng.random_bool(0.05) {
            rng.random_range(100..=400)
        } else {
            rng.random_range(1..=5)
        };
        // About one order in eight costs more than the approval threshold.
        let unit_price: u64 = if rng.random_bool(0.12) {
            rng.random_range(60_000..=200_000)
        } else {
            rng.random_range(50..=5_000)
        };
        items.push(
            json!({"sku": sku_name(group, n), "quantity": quantity, "unitPriceCents": unit_price}),
        );
    }
    let token = weighted(
        rng,
        &[
            ("tok_visa", 70),
            ("tok_mastercard", 10),
            ("tok_decline", 6),
            ("tok_flaky", 8),
            ("tok_unavailable", 6),
        ],
    );
    let method = if rng.random_bool(0.2) {
        "wallet"
    } else {
        "card"
    };
    let email = if rng.random_bool(0.05) {
        format!("{order_id}@bounce.example")
    } else {
        format!("{order_id}@example.com")
    };
    let postal_code = if rng.random_bool(0.05) {
        "00000"
    } else {
        "N1 9GU"
    };
    let speed = if rng.random_bool(0.3) {
        "express"
    } else {
        "standard"
    };
    json!({
        "orderId": order_id,
        "customerId": format!("cust-{}", rng.random_range(1..=50)),
        "items": items,
        "payment": {"method": method, "token": token},
        "shipping": {
            "name": "Chaos Monkey", "email": email, "line1": "1 Main St", "city": "London",
            "postalCode": postal_code, "country": "GB", "speed": speed
        }
    })
}

/// Breaks one rule of the contract (the orderId stays valid, so the failure is recorded).
fn make_invalid(rng: &mut StdRng, order: &mut Value) {
    let broken: &[(&str, Value)] = &[
        ("/items/0/quantity", json!(0)),
        ("/items/0/sku", json!("CHAOS-UNKNOWN")),
        ("/items/0/unitPriceCents", json!(-5)),
        ("/items", json!([])),
        ("/customerId", json!("")),
        ("/payment/method", json!("cash")),
        ("/shipping/email", json!("nobody")),
        ("/shipping/country", json!("GBR")),
    ];
    if let Some((pointer, value)) = broken.choose(rng)
        && let Some(slot) = order.pointer_mut(pointer)
    {
        *slot = value.clone();
    }
}

fn weighted<'a>(rng: &mut StdRng, choices: &[(&'a str, u32)]) -> &'a str {
    let total: u32 = choices.iter().map(|(_, w)| w).sum();
    let mut roll = rng.random_range(0..total.max(1));
    for (choice, weight) in choices {
        if roll < *weight {
            return choice;
        }
        roll -= weight;
    }
    choices.first().map(|(c, _)| *c).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The workflow's approval threshold (ApplyDefaults): totals above it wait for a person.
    const APPROVAL_THRESHOLD_CENTS: u64 = 50_000;

    /// The order's total, when its items are well-formed.
    pub fn total_cents(order: &Value) -> Option<u64> {
        order
            .get("items")?
            .as_array()?
            .iter()
            .try_fold(0u64, |sum, item| {
                let line = item
                    .get("quantity")?
                    .as_u64()?
                    .checked_mul(item.get("unitPriceCents")?.as_u64()?)?;
                sum.checked_add(line)
            })
    }

    #[test]
    fn the_same_seed_gives_the_same_orders() {
        let a = generate(5, 200, 2, 8);
        let b = generate(5, 200, 2, 8);
        let c = generate(6, 200, 2, 8);
        let orders = |v: &[ChaosOrder]| v.iter().map(|o| o.order.clone()).collect::<Vec<_>>();
        assert_eq!(orders(&a), orders(&b));
        assert_ne!(orders(&a), orders(&c));
        assert_eq!(inventory(5, 2, 8), inventory(5, 2, 8));
    }

    #[test]
    fn every_kind_of_order_is_generated() {
        let orders = generate(1, 1_000, 1, 8);
        let has = |pred: &dyn Fn(&Value) -> bool| orders.iter().any(|o| pred(&o.order));
        for token in ["tok_decline", "tok_flaky", "tok_unavailable", "tok_visa"] {
            assert!(has(&|o| o["payment"]["token"] == token), "{token}");
        }
        assert!(has(&|o| o["shipping"]["postalCode"] == "00000"));
        assert!(has(&|o| o["shipping"]["email"]
            .as_str()
            .is_some_and(|e| e.ends_with("@bounce.example"))));
        assert!(has(
            &|o| total_cents(o).is_some_and(|t| t > APPROVAL_THRESHOLD_CENTS)
        ));
        assert!(has(
            &|o| o["items"] == json!([]) || o["items"][0]["quantity"] == 0
        ));
        for approval in [Approval::Approve, Approval::Reject, Approval::Timeout] {
            assert!(
                orders.iter().any(|o| o.approval == approval),
                "{approval:?}"
            );
        }
    }

    #[test]
    fn orders_use_distinct_skus_of_their_group() {
        for order in generate(3, 500, 4, 6) {
            let skus: Vec<&str> = order.order["items"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|i| i["sku"].as_str())
                .collect();
            let mut unique = skus.clone();
            unique.sort_unstable();
            unique.dedup();
            assert_eq!(unique.len(), skus.len(), "{skus:?}");
            let prefix = format!("CHAOS-{}-", order.group);
            assert!(
                skus.iter()
                    .all(|s| s.starts_with(&prefix) || *s == "CHAOS-UNKNOWN")
            );
        }
    }
}
