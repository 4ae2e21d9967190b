//! on-execution-status: consumes EventBridge "Step Functions Execution Status Change"
//! events. The execution name is the order id. FAILED / TIMED_OUT / ABORTED also mark the
//! order FAILED (unless it is FAILED or COMPLETED already); other statuses are recorded.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use shared::aws_lambda_events::eventbridge::EventBridgeEvent;
use shared::db::orders::{self, Change, status};
use shared::db::{map, s};
use shared::input::is_valid_order_id;
use shared::{Deps, ErrorName, StoreError};

pub const DETAIL_TYPE: &str = "Step Functions Execution Status Change";
pub const SOURCE: &str = "aws.states";

#[derive(Debug, thiserror::Error)]
pub enum StatusEventError {
    #[error("invalid event: {0}")]
    InvalidEvent(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl ErrorName for StatusEventError {
    fn error_name(&self) -> &'static str {
        match self {
            StatusEventError::InvalidEvent(_) => "InvalidEvent",
            StatusEventError::Store(_) => "StoreUnavailable",
        }
    }
}

shared::impl_diagnostic!(StatusEventError);

/// The event's `detail` (the fields this function uses).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ExecutionStatusDetail {
    pub execution_arn: String,
    #[serde(default)]
    pub state_machine_arn: Option<String>,
    pub name: String,
    pub status: String,
    #[serde(default)]
    pub error: Option<String>,
    #[serde(default)]
    pub cause: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StatusRecorded {
    pub order_id: String,
    pub execution_status: String,
    pub updated: bool,
}

/// Statuses that end an execution without success.
pub fn is_failure(execution_status: &str) -> bool {
    matches!(execution_status, "FAILED" | "TIMED_OUT" | "ABORTED")
}

pub async fn handle(deps: &Deps, payload: Value) -> Result<StatusRecorded, StatusEventError> {
    let event: EventBridgeEvent<ExecutionStatusDetail> = serde_json::from_value(payload)
        .map_err(|e| StatusEventError::InvalidEvent(e.to_string()))?;
    if event.detail_type != DETAIL_TYPE {
        return Err(StatusEventError::InvalidEvent(format!(
            "detail-type is {:?}, expected {DETAIL_TYPE:?}",
            event.detail_type
        )));
    }
    let detail = event.detail;
    if !is_valid_order_id(&detail.name) {
        return Err(StatusEventError::InvalidEvent(format!(
            "execution name {:?} is not an order id",
            detail.name
        )));
    }
    let recorded = Change {
        detail: format!("execution {}", detail.status),
        set: vec![("executionStatus", s(&detail.status))],
        set_if_absent: vec![("executionArn", s(&detail.execution_arn))],
        must_exist: true,
        ..Change::default()
    };
    let updated = orders::update(deps, &detail.name, recorded).await?;
    if updated && is_failure(&detail.status) {
        let error = detail
            .error
            .clone()
            .unwrap_or_else(|| detail.status.clone());
        let failed = Change {
            status: Some(status::FAILED),
            detail: format!("execution {}: {error}", detail.status),
            set: vec![(
                "failure",
                map([
                    ("state", s("Execution")),
                    ("error", s(&error)),
                    ("cause", s(detail.cause.clone().unwrap_or_default())),
                ]),
            )],
            must_exist: true,
            unless_status: vec![status::FAILED, status::COMPLETED],
            ..Change::default()
        };
        // Already FAILED (record-failure ran) or COMPLETED: keep what is there.
        orders::update(deps, &detail.name, failed).await?;
    }
    tracing::info!(order_id = %detail.name, status = %detail.status, updated, "execution status");
    Ok(StatusRecorded {
        order_id: detail.name,
        execution_status: detail.status,
        updated,
    })
}
