//! request-approval: stores the `.waitForTaskToken` task token on the order and marks it
//! `AWAITING_APPROVAL`; decide-approval later sends the token back to Step Functions.

use serde::Serialize;
use serde_json::Value;
use shared::db::orders::{self, Change, status};
use shared::db::{map, n, now, s};
use shared::input::Checker;
use shared::order::MAX_TOTAL_CENTS;
use shared::{Deps, ErrorName, StoreError};

/// Step Functions task tokens are at most 1024 characters; leave room.
const MAX_TOKEN_CHARS: usize = 2048;

#[derive(Debug, thiserror::Error)]
pub enum ApprovalRequestError {
    #[error("invalid request: {0}")]
    InvalidRequest(String),
    #[error("order {0} not found")]
    OrderNotFound(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl ErrorName for ApprovalRequestError {
    fn error_name(&self) -> &'static str {
        match self {
            ApprovalRequestError::InvalidRequest(_) => "InvalidRequest",
            ApprovalRequestError::OrderNotFound(_) => "OrderNotFound",
            ApprovalRequestError::Store(_) => "StoreUnavailable",
        }
    }
}

shared::impl_diagnostic!(ApprovalRequestError);

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AwaitingApproval {
    pub order_id: String,
    pub status: &'static str,
}

pub async fn handle(deps: &Deps, payload: Value) -> Result<AwaitingApproval, ApprovalRequestError> {
    let checker = Checker::new();
    let fields = checker.root(&payload);
    let order_id = fields.order_id("orderId");
    let total_cents = fields.u64_in("totalCents", 0..=MAX_TOTAL_CENTS);
    let task_token = fields.text("taskToken", MAX_TOKEN_CHARS);
    checker
        .finish()
        .map_err(|v| ApprovalRequestError::InvalidRequest(v.to_string()))?;
    let change = Change {
        status: Some(status::AWAITING_APPROVAL),
        detail: format!("approval requested for {total_cents} cents"),
        set: vec![
            ("taskToken", s(task_token)),
            (
                "approval",
                map([("requestedAt", s(now())), ("totalCents", n(total_cents))]),
            ),
        ],
        must_exist: true,
        ..Change::default()
    };
    if !orders::update(deps, &order_id, change).await? {
        return Err(ApprovalRequestError::OrderNotFound(order_id));
    }
    tracing::info!(%order_id, total_cents, "awaiting approval");
    Ok(AwaitingApproval {
        order_id,
        status: status::AWAITING_APPROVAL,
    })
}
