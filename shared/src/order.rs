//! The order: domain types, validation (the contract's rules) and the canonical hash.

use crate::input::{Checker, Fields, Violations};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};

pub const MAX_ITEMS: usize = 100;
pub const MAX_QUANTITY: u64 = 1_000;
pub const MAX_UNIT_PRICE_CENTS: u64 = 10_000_000;
pub const MAX_TOTAL_CENTS: u64 = 100_000_000_000;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Order {
    pub order_id: String,
    pub customer_id: String,
    pub items: Vec<LineItem>,
    pub payment: Payment,
    pub shipping: Shipping,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LineItem {
    pub sku: String,
    pub quantity: u64,
    pub unit_price_cents: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Payment {
    pub method: PaymentMethod,
    pub token: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PaymentMethod {
    Card,
    Wallet,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Shipping {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub email: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line1: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line2: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postal_code: Option<String>,
    pub country: String,
    #[serde(default)]
    pub speed: ShippingSpeed,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ShippingSpeed {
    #[default]
    Standard,
    Express,
}

impl Order {
    /// Parses and validates an order, reporting every violation of the contract's rules.
    /// Fields the contract does not define are ignored (and not part of the hash).
    pub fn parse(value: &Value) -> Result<Order, Violations> {
        let checker = Checker::new();
        let root = checker.root(value);
        let order_id = root.order_id("orderId");
        let customer_id = root.text("customerId", 256);
        let items: Vec<LineItem> = root
            .objects("items", 1..=MAX_ITEMS)
            .iter()
            .map(line_item)
            .collect();
        let payment = payment(&root.object("payment"));
        let shipping = shipping(&root.object("shipping"));
        let order = Order {
            order_id,
            customer_id,
            items,
            payment,
            shipping,
        };
        if order
            .total_cents()
            .is_none_or(|total| total > MAX_TOTAL_CENTS)
        {
            root.violation(
                "items",
                &format!("total must be at most {MAX_TOTAL_CENTS} cents"),
            );
        }
        checker.finish()?;
        Ok(order)
    }

    /// Sum of quantity x unit price; `None` on overflow.
    pub fn total_cents(&self) -> Option<u64> {
        self.items.iter().try_fold(0u64, |total, item| {
            item.quantity
                .checked_mul(item.unit_price_cents)
                .and_then(|line| total.checked_add(line))
        })
    }

    /// The canonical JSON (struct field order, contract fields only).
    pub fn canonical_json(&self) -> String {
        // Serialising plain strings, integers and enums cannot fail.
        serde_json::to_string(self).unwrap_or_default()
    }

    /// SHA-256 of the canonical JSON, lower-case hex: the idempotency key of a submission.
    pub fn hash(&self) -> String {
        sha256_hex(self.canonical_json().as_bytes())
    }

    /// The distinct SKUs, in first-seen order.
    pub fn skus(&self) -> Vec<&str> {
        let mut skus: Vec<&str> = Vec::new();
        for item in &self.items {
            if !skus.contains(&item.sku.as_str()) {
                skus.push(&item.sku);
            }
        }
        skus
    }
}

fn line_item(fields: &Fields<'_>) -> LineItem {
    LineItem {
        sku: fields.text("sku", 128),
        quantity: fields.u64_in("quantity", 1..=MAX_QUANTITY),
        unit_price_cents: fields.u64_in("unitPriceCents", 0..=MAX_UNIT_PRICE_CENTS),
    }
}

pub(crate) fn payment(fields: &Fields<'_>) -> Payment {
    let method = match fields.string("method").as_str() {
        "card" => PaymentMethod::Card,
        "wallet" => PaymentMethod::Wallet,
        _ => {
            if fields.raw("method").is_some_and(Value::is_string) {
                fields.violation("method", "must be \"card\" or \"wallet\"");
            }
            PaymentMethod::Card
        }
    };
    Payment {
        method,
        token: fields.text("token", 256),
    }
}

pub(crate) fn shipping(fields: &Fields<'_>) -> Shipping {
    let email = fields.string("email");
    if fields.raw("email").is_some_and(Value::is_string) && !email.contains('@') {
        fields.violation("email", "must contain '@'");
    }
    let country = fields.string("country");
    if fields.raw("country").is_some_and(Value::is_string)
        && !(country.len() == 2 && country.bytes().all(|b| b.is_ascii_alphabetic()))
    {
        fields.violation("country", "must be a two-letter country code");
    }
    let speed = match fields.opt_string("speed").as_deref() {
        None | Some("standard") => ShippingSpeed::Standard,
        Some("express") => ShippingSpeed::Express,
        Some(_) => {
            fields.violation("speed", "must be \"standard\" or \"express\"");
            ShippingSpeed::Standard
        }
    };
    Shipping {
        name: fields.opt_string("name"),
        email,
        line1: fields.opt_string("line1"),
        line2: fields.opt_string("line2"),
        city: fields.opt_string("city"),
        postal_code: fields.opt_string("postalCode"),
        country,
        speed,
    }
}

/// Parses a shipping address on its own (create-shipment's payload).
pub fn parse_shipping(fields: &Fields<'_>) -> Shipping {
    shipping(fields)
}

/// Parses a payment on its own (charge-payment's payload).
pub fn parse_payment(fields: &Fields<'_>) -> Payment {
    payment(fields)
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn sample() -> Value {
        json!({"orderId":"ord-1001","customerId":"cust-42",
            "items":[{"sku":"SKU-APPLE","quantity":2,"unitPriceCents":150}],
            "payment":{"method":"card","token":"tok_visa"},
            "shipping":{"name":"Ada Lovelace","email":"ada@example.com","line1":"1 Main St",
                "city":"London","postalCode":"N1 9GU","country":"GB","speed":"standard"}})
    }

    fn violations(value: &Value) -> Vec<String> {
        match Order::parse(value) {
            Ok(order) => panic!("expected violations, parsed {order:?}"),
            Err(Violations(list)) => list,
        }
    }

    #[test]
    fn parses_the_contract_sample() {
        let order = Order::parse(&sample()).map_err(|v| v.to_string());
        let order = order.as_ref().map_err(String::as_str);
        assert_eq!(order.map(|o| o.total_cents()), Ok(Some(300)));
        assert_eq!(order.map(|o| o.shipping.speed), Ok(ShippingSpeed::Standard));
    }

    #[test]
    fn reports_all_violations_at_once() {
        let mut order = sample();
        order["orderId"] = json!("has space");
        order["customerId"] = json!("");
        order["items"][0]["quantity"] = json!(0);
        order["items"][0]["unitPriceCents"] = json!(-5);
        order["payment"]["method"] = json!("cash");
        order["shipping"]["email"] = json!("nobody");
        order["shipping"]["country"] = json!("GBR");
        let list = violations(&order);
        for field in [
            "orderId",
            "customerId",
            "items[0].quantity",
            "items[0].unitPriceCents",
            "payment.method",
            "shipping.email",
            "shipping.country",
        ] {
            assert!(
                list.iter().any(|v| v.starts_with(field)),
                "{field} missing in {list:?}"
            );
        }
    }

    #[test]
    fn rejects_wrong_types_and_missing_fields() {
        let mut order = sample();
        order["items"][0]["quantity"] = json!("2");
        order["items"][0]["unitPriceCents"] = json!(1.5);
        order["payment"] = json!("card");
        order.as_object_mut().map(|o| o.remove("shipping"));
        let list = violations(&order);
        assert!(list.iter().any(|v| v.starts_with("items[0].quantity")));
        assert!(
            list.iter()
                .any(|v| v.starts_with("items[0].unitPriceCents"))
        );
        assert!(
            list.iter()
                .any(|v| v == "payment must be an object, got a string")
        );
        assert!(list.iter().any(|v| v == "shipping is required"));
    }

    #[test]
    fn rejects_empty_and_too_many_items() {
        let mut order = sample();
        order["items"] = json!([]);
        assert!(
            violations(&order)
                .iter()
                .any(|v| v.starts_with("items must have 1 to 100"))
        );
        order["items"] = Value::Array(vec![sample()["items"][0].clone(); 101]);
        assert!(
            violations(&order)
                .iter()
                .any(|v| v.starts_with("items must have 1 to 100"))
        );
    }

    #[test]
    fn huge_numbers_are_violations_not_overflows() {
        let mut order = sample();
        order["items"][0]["quantity"] = json!(u64::MAX);
        order["items"][0]["unitPriceCents"] = json!(u64::MAX);
        let list = violations(&order);
        assert!(list.iter().any(|v| v.starts_with("items[0].quantity")));
        assert!(
            list.iter()
                .any(|v| v.starts_with("items[0].unitPriceCents"))
        );
        order["items"][0]["quantity"] = json!(1e300);
        assert!(
            violations(&order)
                .iter()
                .any(|v| v.starts_with("items[0].quantity"))
        );
    }

    #[test]
    fn total_limit_is_enforced_with_checked_arithmetic() {
        let item = json!({"sku":"SKU-GOLD","quantity":1000,"unitPriceCents":10_000_000});
        let mut order = sample();
        // 11 lines of 10^10 cents: 1.1 x 10^11 > 10^11.
        order["items"] = Value::Array(vec![item.clone(); 11]);
        assert!(
            violations(&order)
                .iter()
                .any(|v| v.starts_with("items total"))
        );
        order["items"] = Value::Array(vec![item; 10]);
        assert!(Order::parse(&order).is_ok());
        let overflowing = Order {
            items: vec![
                LineItem {
                    sku: "A".into(),
                    quantity: u64::MAX,
                    unit_price_cents: 2
                };
                1
            ],
            ..Order::parse(&sample()).unwrap_or_else(|v| panic!("{v}"))
        };
        assert_eq!(overflowing.total_cents(), None);
    }

    #[test]
    fn hash_ignores_unknown_fields_and_key_order_but_not_content() {
        let a = Order::parse(&sample()).unwrap_or_else(|v| panic!("{v}"));
        let mut extra = sample();
        extra["approvalThresholdCents"] = json!(50_000);
        let reordered: Value = serde_json::from_str(
            r#"{"shipping":{"country":"GB","speed":"standard","postalCode":"N1 9GU","city":"London",
            "line1":"1 Main St","email":"ada@example.com","name":"Ada Lovelace"},
            "payment":{"token":"tok_visa","method":"card"},
            "items":[{"unitPriceCents":150,"quantity":2,"sku":"SKU-APPLE"}],
            "customerId":"cust-42","orderId":"ord-1001"}"#,
        )
        .unwrap_or_default();
        let b = Order::parse(&extra).unwrap_or_else(|v| panic!("{v}"));
        let c = Order::parse(&reordered).unwrap_or_else(|v| panic!("{v}"));
        assert_eq!(a.hash(), b.hash());
        assert_eq!(a.hash(), c.hash());
        assert_eq!(a.hash().len(), 64);
        let mut changed = sample();
        changed["items"][0]["quantity"] = json!(3);
        let d = Order::parse(&changed).unwrap_or_else(|v| panic!("{v}"));
        assert_ne!(a.hash(), d.hash());
    }
}
