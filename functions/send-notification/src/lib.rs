//! send-notification: sends the customer an email through the simulated notifier.
//! Best effort: the ASL catches `NotificationFailed` inside its Parallel branch.

use serde::Serialize;
use serde_json::Value;
use shared::input::Checker;
use shared::sim::notifier;
use shared::{Deps, ErrorName};

#[derive(Debug, thiserror::Error)]
pub enum NotificationError {
    #[error("invalid request: {0}")]
    InvalidRequest(String),
    #[error("the notification to {0} bounced")]
    NotificationFailed(String),
}

impl ErrorName for NotificationError {
    fn error_name(&self) -> &'static str {
        match self {
            NotificationError::InvalidRequest(_) => "InvalidRequest",
            NotificationError::NotificationFailed(_) => "NotificationFailed",
        }
    }
}

shared::impl_diagnostic!(NotificationError);

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Notified {
    pub message_id: String,
    pub delivered: bool,
}

/// `deps` is unused: the notifier is simulated; the signature matches the other handlers.
pub async fn handle(_deps: &Deps, payload: Value) -> Result<Notified, NotificationError> {
    let checker = Checker::new();
    let fields = checker.root(&payload);
    let order_id = fields.order_id("orderId");
    fields.text("customerId", 256);
    let email = fields.text("email", 320);
    if !email.is_empty() && !email.contains('@') {
        fields.violation("email", "must contain '@'");
    }
    let template = fields.text("template", 128);
    checker
        .finish()
        .map_err(|v| NotificationError::InvalidRequest(v.to_string()))?;
    let message_id = notifier(&order_id, &email, &template)
        .ok_or(NotificationError::NotificationFailed(email))?;
    tracing::info!(%order_id, %template, %message_id, "notification sent");
    Ok(Notified {
        message_id,
        delivered: true,
    })
}
