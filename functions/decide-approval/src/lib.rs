//! decide-approval: `POST /orders/{orderId}/approval` (HTTP API, payload v2) with
//! `{"decision":"approve"|"reject","approver","comment"}`. Answers the workflow's
//! `.waitForTaskToken` task with SendTaskSuccess / SendTaskFailure(`ApprovalRejected`).
//!
//! Replay protection: the token is removed by a conditional update *before* the callback,
//! so a decision is sent at most once; a failed callback puts the token back.

mod callbacks;

pub use callbacks::{CallbackError, SfnCallbacks, TaskCallbacks};

use serde_json::{Value, json};
use shared::aws_lambda_events::apigw::{ApiGatewayV2httpRequest, ApiGatewayV2httpResponse};
use shared::db::orders::{self, Change, status};
use shared::db::{get_m, get_s, map, now, s};
use shared::http::{error_response, json_body, parse_request, response};
use shared::input::{Checker, is_valid_order_id};
use shared::{ErrorName, StoreError};

pub const REJECTED_ERROR: &str = "ApprovalRejected";

/// The handler's clients: the store and the Step Functions callbacks.
#[derive(Debug, Clone)]
pub struct Deps<C = SfnCallbacks> {
    pub store: shared::Deps,
    pub callbacks: C,
}

/// Errors that are not HTTP answers: the event is not an HTTP API request at all.
#[derive(Debug, thiserror::Error)]
pub enum DecideError {
    #[error("invalid request: {0}")]
    InvalidRequest(String),
}

impl ErrorName for DecideError {
    fn error_name(&self) -> &'static str {
        match self {
            DecideError::InvalidRequest(_) => "InvalidRequest",
        }
    }
}

shared::impl_diagnostic!(DecideError);

#[derive(Debug, Clone, PartialEq, Eq)]
struct Decision {
    approve: bool,
    approver: String,
    comment: String,
}

impl Decision {
    fn word(&self) -> &'static str {
        if self.approve { "approve" } else { "reject" }
    }
}

pub async fn handle<C: TaskCallbacks>(
    deps: &Deps<C>,
    payload: Value,
) -> Result<ApiGatewayV2httpResponse, DecideError> {
    let request = parse_request(payload).ok_or_else(|| {
        DecideError::InvalidRequest("not an API Gateway HTTP API (v2) request".into())
    })?;
    let Some(order_id) = order_id(&request) else {
        return Ok(error_response(
            400,
            "InvalidRequest",
            "the path has no valid order id",
        ));
    };
    let decision = match json_body(&request).and_then(|body| parse_decision(&body)) {
        Ok(decision) => decision,
        Err(message) => return Ok(error_response(400, "InvalidRequest", &message)),
    };
    match decide(deps, &order_id, &decision).await {
        Ok(answer) => Ok(answer),
        Err(e) => {
            tracing::error!(%order_id, error = %e, "store unavailable");
            Ok(error_response(500, "StoreUnavailable", &e.to_string()))
        }
    }
}

/// `{orderId}` from the path parameters, or from the raw path `[/stage]/orders/{orderId}/approval`.
fn order_id(request: &ApiGatewayV2httpRequest) -> Option<String> {
    let from_path = || {
        let path = request.raw_path.as_deref()?;
        let mut parts = path.trim_matches('/').rsplit('/');
        match (parts.next(), parts.next(), parts.next()) {
            (Some("approval"), Some(id), Some("orders")) => Some(id.to_string()),
            _ => None,
        }
    };
    request
        .path_parameters
        .get("orderId")
        .cloned()
        .or_else(from_path)
        .filter(|id| is_valid_order_id(id))
}

fn parse_decision(body: &Value) -> Result<Decision, String> {
    let checker = Checker::new();
    let fields = checker.root(body);
    let decision = fields.string("decision");
    let approve = match decision.as_str() {
        "approve" => true,
        "reject" => false,
        _ => {
            if fields.raw("decision").is_some_and(Value::is_string) {
                fields.violation("decision", "must be \"approve\" or \"reject\"");
            }
            false
        }
    };
    let approver = fields.text("approver", 256);
    let comment = fields.opt_string("comment").unwrap_or_default();
    if comment.chars().count() > 4096 {
        fields.violation("comment", "must be at most 4096 characters");
    }
    checker.finish().map_err(|v| v.to_string())?;
    Ok(Decision {
        approve,
        approver,
        comment,
    })
}

async fn decide<C: TaskCallbacks>(
    deps: &Deps<C>,
    order_id: &str,
    decision: &Decision,
) -> Result<ApiGatewayV2httpResponse, StoreError> {
    let Some(order) = orders::get(&deps.store, order_id).await? else {
        return Ok(error_response(
            404,
            "OrderNotFound",
            &format!("no order {order_id}"),
        ));
    };
    let token = get_s(&order, "taskToken").map(str::to_string);
    let (Some(token), Some(status::AWAITING_APPROVAL)) = (token, get_s(&order, "status")) else {
        return Ok(not_awaiting(order_id));
    };
    let requested_at = get_m(&order, "approval")
        .and_then(|a| get_s(a, "requestedAt"))
        .unwrap_or_default()
        .to_string();
    let new_status = if decision.approve {
        status::APPROVED
    } else {
        status::REJECTED
    };
    // Taking the token is the replay protection: only one decision wins.
    let take_token = Change {
        status: Some(new_status),
        detail: format!("{} by {}", decision.word(), decision.approver),
        set: vec![(
            "approval",
            map([
                ("decision", s(decision.word())),
                ("approver", s(&decision.approver)),
                ("comment", s(&decision.comment)),
                ("requestedAt", s(requested_at)),
                ("decidedAt", s(now())),
            ]),
        )],
        remove: vec!["taskToken"],
        must_exist: true,
        expect: vec![
            ("status", s(status::AWAITING_APPROVAL)),
            ("taskToken", s(&token)),
        ],
        ..Change::default()
    };
    if !orders::update(&deps.store, order_id, take_token).await? {
        return Ok(not_awaiting(order_id));
    }
    let sent = if decision.approve {
        let output = json!({"approved": true, "approver": decision.approver,
            "comment": decision.comment});
        deps.callbacks.succeed(&token, &output.to_string()).await
    } else {
        let cause = json!({"approved": false, "approver": decision.approver,
            "comment": decision.comment});
        deps.callbacks
            .fail(&token, REJECTED_ERROR, &cause.to_string())
            .await
    };
    match sent {
        Ok(()) => {
            tracing::info!(%order_id, decision = decision.word(), "decision sent");
            Ok(response(
                200,
                &json!({"orderId": order_id, "decision": decision.word()}),
            ))
        }
        Err(CallbackError::Expired(message)) => {
            tracing::warn!(%order_id, %message, "approval task expired");
            Ok(error_response(410, "ApprovalExpired", &message))
        }
        Err(CallbackError::Failed(message)) => {
            // Put the token back so the decision can be sent again.
            let restore = Change {
                status: Some(status::AWAITING_APPROVAL),
                detail: format!("callback failed, token restored: {message}"),
                set: vec![("taskToken", s(&token))],
                must_exist: true,
                expect: vec![("status", s(new_status))],
                ..Change::default()
            };
            orders::update(&deps.store, order_id, restore).await?;
            tracing::error!(%order_id, %message, "callback failed");
            Ok(error_response(500, "CallbackFailed", &message))
        }
    }
}

fn not_awaiting(order_id: &str) -> ApiGatewayV2httpResponse {
    error_response(
        409,
        "NotAwaitingApproval",
        &format!("order {order_id} is not awaiting approval (or was decided already)"),
    )
}
