//! record-failure: records on the order why the workflow failed (the state and the
//! error caught by the ASL's Catch) and marks it `FAILED`. It also records failures of
//! orders that were never stored (e.g. an invalid order).

use serde::Serialize;
use serde_json::Value;
use shared::db::orders::{self, Change, status};
use shared::db::{map, s};
use shared::input::{Checker, kind};
use shared::{Deps, ErrorName, StoreError};

/// DynamoDB keys may hold up to 2048 bytes; invalid orders may have odd ids, so any
/// non-empty id up to this length is recorded.
const MAX_ID_CHARS: usize = 512;
const MAX_CAUSE_CHARS: usize = 32_768;

#[derive(Debug, thiserror::Error)]
pub enum RecordFailureError {
    #[error("invalid request: {0}")]
    InvalidRequest(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl ErrorName for RecordFailureError {
    fn error_name(&self) -> &'static str {
        match self {
            RecordFailureError::InvalidRequest(_) => "InvalidRequest",
            RecordFailureError::Store(_) => "StoreUnavailable",
        }
    }
}

shared::impl_diagnostic!(RecordFailureError);

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FailureRecorded {
    pub order_id: String,
    pub status: &'static str,
}

pub async fn handle(deps: &Deps, payload: Value) -> Result<FailureRecorded, RecordFailureError> {
    let checker = Checker::new();
    let fields = checker.root(&payload);
    let order_id = fields.text("orderId", MAX_ID_CHARS);
    let state = fields
        .opt_string("state")
        .unwrap_or_else(|| "Unknown".into());
    checker
        .finish()
        .map_err(|v| RecordFailureError::InvalidRequest(v.to_string()))?;
    let (error, cause) = error_and_cause(fields.raw("error"));
    let change = Change {
        status: Some(status::FAILED),
        detail: format!("{state}: {error}"),
        set: vec![(
            "failure",
            map([
                ("state", s(&state)),
                ("error", s(&error)),
                ("cause", s(cause)),
            ]),
        )],
        ..Change::default()
    };
    orders::update(deps, &order_id, change).await?;
    tracing::warn!(%order_id, %state, %error, "order failed");
    Ok(FailureRecorded {
        order_id,
        status: status::FAILED,
    })
}

/// The caught error as the ASL hands it over (`{"Error","Cause"}`), or anything else
/// kept as text: the failure is recorded whatever shape it has.
fn error_and_cause(raw: Option<&Value>) -> (String, String) {
    let text = |v: Option<&Value>| match v {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    };
    let (error, cause) = match raw {
        Some(Value::Object(map)) => (text(map.get("Error")), text(map.get("Cause"))),
        Some(Value::String(error)) => (error.clone(), String::new()),
        Some(other) => (kind(other).to_string(), other.to_string()),
        None => (String::new(), String::new()),
    };
    let error = if error.is_empty() {
        "Unknown".into()
    } else {
        error
    };
    (error, cause.chars().take(MAX_CAUSE_CHARS).collect())
}
