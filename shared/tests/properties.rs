//! Properties of order parsing over arbitrary JSON: no panic, and the hash depends only on
//! the order's content.

use proptest::prelude::*;
use serde_json::{Value, json};
use shared::order::Order;

fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<u64>().prop_map(|n| json!(n)),
        any::<f64>().prop_map(|f| json!(f)),
        ".{0,12}".prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(
                prop_oneof![
                    Just("orderId".to_string()),
                    Just("items".to_string()),
                    Just("quantity".to_string()),
                    Just("unitPriceCents".to_string()),
                    Just("payment".to_string()),
                    Just("shipping".to_string()),
                    "[a-z]{1,6}",
                ],
                inner,
                0..6
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

fn line() -> impl Strategy<Value = (String, u64, u64)> {
    ("SKU-[A-Z]{1,5}", 1u64..=1000, 0u64..=10_000_000)
}

fn order(id: &str, lines: &[(String, u64, u64)]) -> Value {
    let items: Vec<Value> = lines
        .iter()
        .map(|(sku, q, p)| json!({"sku": sku, "quantity": q, "unitPriceCents": p}))
        .collect();
    json!({"orderId": id, "customerId": "c", "items": items,
        "payment": {"method": "card", "token": "tok_visa"},
        "shipping": {"email": "a@b", "country": "GB"}})
}

proptest! {
    #[test]
    fn parsing_any_json_never_panics(value in any_json()) {
        let _ = Order::parse(&value);
        let mut wrapped = order("ord-1", &[("SKU-A".into(), 1, 1)]);
        wrapped["items"] = json!([value.clone()]);
        let _ = Order::parse(&wrapped);
        wrapped["shipping"] = value;
        let _ = Order::parse(&wrapped);
    }

    #[test]
    fn valid_lines_parse_with_their_exact_total(
        id in "[A-Za-z0-9_-]{1,64}",
        lines in prop::collection::vec(line(), 1..=10),
    ) {
        let total: u128 = lines.iter().map(|(_, q, p)| u128::from(*q) * u128::from(*p)).sum();
        let parsed = Order::parse(&order(&id, &lines));
        if total <= 100_000_000_000 {
            let parsed = parsed.map_err(|v| TestCaseError::fail(v.to_string()))?;
            prop_assert_eq!(parsed.total_cents().map(u128::from), Some(total));
        } else {
            prop_assert!(parsed.is_err());
        }
    }

    #[test]
    fn the_hash_ignores_extra_fields_and_sees_every_quantity(
        lines in prop::collection::vec(line(), 1..=5),
        extra in "[a-z]{1,8}",
    ) {
        let base = order("ord-1", &lines);
        let Ok(a) = Order::parse(&base) else { return Ok(()); };
        let mut with_extra = base.clone();
        with_extra[format!("x{extra}")] = json!(extra);
        let b = Order::parse(&with_extra).map_err(|v| TestCaseError::fail(v.to_string()))?;
        prop_assert_eq!(a.hash(), b.hash());
        let mut changed = lines.clone();
        changed[0].1 = if changed[0].1 == 1 { 2 } else { 1 };
        if let Ok(c) = Order::parse(&order("ord-1", &changed)) {
            prop_assert_ne!(a.hash(), c.hash());
        }
    }
}
