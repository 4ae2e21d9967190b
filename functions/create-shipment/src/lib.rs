//! create-shipment: books the shipment with the simulated carrier and stores it on the
//! order (status `FULFILLING`).

use serde::Serialize;
use serde_json::Value;
use shared::db::orders::{self, Change, status};
use shared::db::{map, n, s};
use shared::input::Checker;
use shared::order::{MAX_ITEMS, MAX_QUANTITY, parse_shipping};
use shared::sim::carrier;
use shared::{Deps, ErrorName, StoreError};

#[derive(Debug, thiserror::Error)]
pub enum ShipmentError {
    #[error("invalid request: {0}")]
    InvalidRequest(String),
    #[error("the carrier refused the shipment of order {order_id} to postal code {postal_code}")]
    ShipmentFailed {
        order_id: String,
        postal_code: String,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl ErrorName for ShipmentError {
    fn error_name(&self) -> &'static str {
        match self {
            ShipmentError::InvalidRequest(_) => "InvalidRequest",
            ShipmentError::ShipmentFailed { .. } => "ShipmentFailed",
            ShipmentError::Store(_) => "StoreUnavailable",
        }
    }
}

shared::impl_diagnostic!(ShipmentError);

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ShipmentCreated {
    pub tracking_number: String,
    pub carrier: &'static str,
    pub dispatch_delay_seconds: u64,
}

pub async fn handle(deps: &Deps, payload: Value) -> Result<ShipmentCreated, ShipmentError> {
    let checker = Checker::new();
    let fields = checker.root(&payload);
    let order_id = fields.order_id("orderId");
    let shipping = parse_shipping(&fields.object("shipping"));
    let units: u64 = fields
        .objects("items", 1..=MAX_ITEMS)
        .iter()
        .map(|item| {
            item.text("sku", 128);
            item.u64_in("quantity", 1..=MAX_QUANTITY)
        })
        .sum();
    checker
        .finish()
        .map_err(|v| ShipmentError::InvalidRequest(v.to_string()))?;

    let postal_code = shipping.postal_code.unwrap_or_default();
    let Some(shipment) = carrier(&order_id, &postal_code, shipping.speed) else {
        return Err(ShipmentError::ShipmentFailed {
            order_id,
            postal_code,
        });
    };
    let change = Change {
        status: Some(status::FULFILLING),
        detail: format!("shipment {} booked", shipment.tracking_number),
        set: vec![(
            "shipment",
            map([
                ("trackingNumber", s(&shipment.tracking_number)),
                ("carrier", s(shipment.carrier)),
                ("dispatchDelaySeconds", n(shipment.dispatch_delay_seconds)),
                ("units", n(units)),
            ]),
        )],
        must_exist: true,
        ..Change::default()
    };
    if !orders::update(deps, &order_id, change).await? {
        return Err(ShipmentError::InvalidRequest(format!(
            "order {order_id} is not stored"
        )));
    }
    Ok(ShipmentCreated {
        tracking_number: shipment.tracking_number,
        carrier: shipment.carrier,
        dispatch_delay_seconds: shipment.dispatch_delay_seconds,
    })
}
