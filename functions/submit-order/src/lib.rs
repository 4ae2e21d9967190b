//! submit-order: `POST /orders` (HTTP API, payload v2). Validates the order, stores it as
//! `RECEIVED` with its hash, and starts the workflow with execution name = order id.
//! An identical resubmission while the execution runs answers the same execution ARN.

mod executions;

pub use executions::{ExecutionError, ExecutionStarter, SfnExecutions};

use serde_json::{Value, json};
use shared::aws_lambda_events::apigw::ApiGatewayV2httpResponse;
use shared::db::orders::{self, Change, Received};
use shared::db::s;
use shared::http::{error_response, json_body, parse_request, response};
use shared::order::Order;
use shared::{ErrorName, StoreError};

/// The handler's clients: the store and the Step Functions calls.
#[derive(Debug, Clone)]
pub struct Deps<S = SfnExecutions> {
    pub store: shared::Deps,
    pub executions: S,
}

/// Errors that are not HTTP answers: the event is not an HTTP API request at all.
#[derive(Debug, thiserror::Error)]
pub enum SubmitError {
    #[error("invalid request: {0}")]
    InvalidRequest(String),
}

impl ErrorName for SubmitError {
    fn error_name(&self) -> &'static str {
        match self {
            SubmitError::InvalidRequest(_) => "InvalidRequest",
        }
    }
}

shared::impl_diagnostic!(SubmitError);

pub async fn handle<S: ExecutionStarter>(
    deps: &Deps<S>,
    payload: Value,
) -> Result<ApiGatewayV2httpResponse, SubmitError> {
    let request = parse_request(payload).ok_or_else(|| {
        SubmitError::InvalidRequest("not an API Gateway HTTP API (v2) request".into())
    })?;
    let body = match json_body(&request) {
        Ok(body) => body,
        Err(message) => return Ok(error_response(400, "InvalidJson", &message)),
    };
    let order = match Order::parse(&body) {
        Ok(order) => order,
        Err(violations) => {
            return Ok(response(
                400,
                &json!({"error": "InvalidOrder", "message": violations.to_string(),
                    "violations": violations.0}),
            ));
        }
    };
    match submit(deps, &order).await {
        Ok(answer) => Ok(answer),
        Err(e) => {
            tracing::error!(order_id = %order.order_id, error = %e, "store unavailable");
            Ok(error_response(500, "StoreUnavailable", &e.to_string()))
        }
    }
}

async fn submit<S: ExecutionStarter>(
    deps: &Deps<S>,
    order: &Order,
) -> Result<ApiGatewayV2httpResponse, StoreError> {
    let order_id = &order.order_id;
    // The total was checked by Order::parse.
    let total_cents = order.total_cents().unwrap_or(0);
    let received = orders::put_received(&deps.store, order, &order.hash(), total_cents).await?;
    match received {
        Received::Existing {
            same_content: false,
            ..
        } => Ok(error_response(
            409,
            "OrderConflict",
            &format!("order id {order_id} is used by a different order"),
        )),
        Received::Existing {
            same_content: true,
            execution_arn: Some(arn),
        } => match deps.executions.status(&arn).await {
            Ok(status) if status == "RUNNING" => Ok(accepted(order_id, &arn)),
            Ok(status) => Ok(error_response(
                409,
                "OrderAlreadyProcessed",
                &format!("order {order_id} was processed already (execution {status})"),
            )),
            Err(e) => Ok(error_response(
                500,
                "DescribeExecutionFailed",
                &e.to_string(),
            )),
        },
        // New, or stored by an earlier submission whose start did not complete.
        Received::Created
        | Received::Existing {
            same_content: true,
            execution_arn: None,
        } => start(deps, order).await,
    }
}

async fn start<S: ExecutionStarter>(
    deps: &Deps<S>,
    order: &Order,
) -> Result<ApiGatewayV2httpResponse, StoreError> {
    let order_id = &order.order_id;
    match deps
        .executions
        .start(order_id, &order.canonical_json())
        .await
    {
        Ok(arn) => {
            let change = Change {
                detail: format!("execution started: {arn}"),
                set_if_absent: vec![("executionArn", s(&arn))],
                must_exist: true,
                ..Change::default()
            };
            orders::update(&deps.store, order_id, change).await?;
            tracing::info!(%order_id, execution_arn = %arn, "execution started");
            Ok(accepted(order_id, &arn))
        }
        Err(ExecutionError::AlreadyExists(message)) => Ok(error_response(
            409,
            "OrderAlreadyProcessed",
            &format!("an execution named {order_id} exists: {message}"),
        )),
        Err(ExecutionError::Failed(message)) => {
            tracing::error!(%order_id, %message, "StartExecution failed");
            Ok(error_response(500, "StartExecutionFailed", &message))
        }
    }
}

fn accepted(order_id: &str, execution_arn: &str) -> ApiGatewayV2httpResponse {
    response(
        202,
        &json!({"orderId": order_id, "executionArn": execution_arn}),
    )
}
