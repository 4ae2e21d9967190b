//! The simulated payment gateway, carrier and notifier: deterministic from the order, so
//! every path of the workflow can be driven from a sample event (see docs/contract.md).

use crate::order::{ShippingSpeed, sha256_hex};

/// What the gateway answers to one charge attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GatewayAnswer {
    Approved,
    Declined,
    Unavailable,
}

pub const TOKEN_DECLINE: &str = "tok_decline";
pub const TOKEN_FLAKY: &str = "tok_flaky";
pub const TOKEN_UNAVAILABLE: &str = "tok_unavailable";
/// `tok_flaky` fails this many calls for an order, then succeeds.
pub const FLAKY_FAILURES: u64 = 2;

/// The gateway's answer to call number `attempt` (1-based, counted per order).
pub fn payment_gateway(token: &str, attempt: u64) -> GatewayAnswer {
    match token {
        TOKEN_DECLINE => GatewayAnswer::Declined,
        TOKEN_UNAVAILABLE => GatewayAnswer::Unavailable,
        TOKEN_FLAKY if attempt <= FLAKY_FAILURES => GatewayAnswer::Unavailable,
        _ => GatewayAnswer::Approved,
    }
}

pub const FAILING_POSTAL_CODE: &str = "00000";
pub const CARRIER: &str = "SimCarrier";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shipment {
    pub tracking_number: String,
    pub carrier: &'static str,
    pub dispatch_delay_seconds: u64,
}

/// The carrier's answer: `None` means the carrier refused the shipment.
pub fn carrier(order_id: &str, postal_code: &str, speed: ShippingSpeed) -> Option<Shipment> {
    if postal_code == FAILING_POSTAL_CODE {
        return None;
    }
    let hash = sha256_hex(order_id.as_bytes());
    Some(Shipment {
        tracking_number: format!("TRK-{}", hash.get(..10).unwrap_or(&hash)),
        carrier: CARRIER,
        dispatch_delay_seconds: match speed {
            ShippingSpeed::Standard => 3_600,
            ShippingSpeed::Express => 600,
        },
    })
}

pub const BOUNCING_DOMAIN: &str = "@bounce.example";

/// The notifier's message id, or `None` when the address bounces.
pub fn notifier(order_id: &str, email: &str, template: &str) -> Option<String> {
    if email.ends_with(BOUNCING_DOMAIN) {
        return None;
    }
    let hash = sha256_hex(format!("{order_id}\n{template}\n{email}").as_bytes());
    Some(format!("msg-{}", hash.get(..16).unwrap_or(&hash)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gateway_rules() {
        assert_eq!(payment_gateway("tok_visa", 1), GatewayAnswer::Approved);
        assert_eq!(payment_gateway(TOKEN_DECLINE, 1), GatewayAnswer::Declined);
        assert_eq!(
            payment_gateway(TOKEN_UNAVAILABLE, 99),
            GatewayAnswer::Unavailable
        );
        let flaky: Vec<_> = (1..=4).map(|n| payment_gateway(TOKEN_FLAKY, n)).collect();
        assert_eq!(
            flaky,
            [
                GatewayAnswer::Unavailable,
                GatewayAnswer::Unavailable,
                GatewayAnswer::Approved,
                GatewayAnswer::Approved
            ]
        );
    }

    #[test]
    fn carrier_rules() {
        assert_eq!(
            carrier("ord-1", FAILING_POSTAL_CODE, ShippingSpeed::Express),
            None
        );
        let standard = carrier("ord-1", "N1 9GU", ShippingSpeed::Standard);
        let express = carrier("ord-1", "N1 9GU", ShippingSpeed::Express);
        assert_eq!(
            standard.as_ref().map(|s| s.dispatch_delay_seconds),
            Some(3_600)
        );
        assert_eq!(
            express.as_ref().map(|s| s.dispatch_delay_seconds),
            Some(600)
        );
        // TRK- + the first 10 hex digits of SHA-256("ord-1").
        let expected = format!("TRK-{}", &sha256_hex(b"ord-1")[..10]);
        assert_eq!(standard.map(|s| s.tracking_number), Some(expected));
    }

    #[test]
    fn notifier_rules() {
        assert_eq!(notifier("ord-1", "x@bounce.example", "confirmed"), None);
        let id = notifier("ord-1", "ada@example.com", "confirmed");
        assert_eq!(id, notifier("ord-1", "ada@example.com", "confirmed"));
        assert_ne!(id, notifier("ord-2", "ada@example.com", "confirmed"));
        assert!(id.is_some_and(|id| id.starts_with("msg-") && id.len() == 20));
    }
}
