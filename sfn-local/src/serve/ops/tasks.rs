//! SendTaskSuccess, SendTaskFailure, SendTaskHeartbeat. Tokens are the engine's, so these
//! complete tasks of any execution on the same engine, served or not.

use serde::Deserialize;
use sfn_json::Value;

use super::{Reply, object, required};
use crate::serve::Service;
use crate::serve::error::ApiError;
use crate::task::TaskTokenError;

/// AWS's limit on a token's length.
const MAX_TOKEN_LENGTH: usize = 2048;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TaskRequest {
    task_token: Option<String>,
    output: Option<String>,
    error: Option<String>,
    cause: Option<String>,
}

/// The token, if it is one AWS would accept the shape of.
fn token(request_token: Option<String>) -> Result<String, ApiError> {
    let token = required(request_token, "taskToken")?;
    if token.is_empty() || token.len() > MAX_TOKEN_LENGTH {
        return Err(ApiError::InvalidToken(format!(
            "Invalid Token: a task token has 1 to {MAX_TOKEN_LENGTH} characters"
        )));
    }
    Ok(token)
}

/// The engine's reason, by its API code (the engine may learn new reasons).
fn no_task(error: TaskTokenError) -> ApiError {
    match error.code() {
        "InvalidToken" => ApiError::InvalidToken("Invalid Token".to_owned()),
        "TaskTimedOut" => ApiError::TaskTimedOut("Task Timed Out".to_owned()),
        _ => ApiError::TaskDoesNotExist("Task Does Not Exist".to_owned()),
    }
}

pub fn success(service: &Service, request: TaskRequest) -> Reply {
    let token = token(request.task_token)?;
    let text = required(request.output, "output")?;
    let output: Value = serde_json::from_str(&text)
        .map_err(|e| ApiError::InvalidOutput(format!("Invalid Output: '{e}'")))?;
    service
        .answer_token(|engine| engine.send_task_success(&token, output.clone()))
        .map_err(no_task)?;
    Ok(object([]))
}

pub fn failure(service: &Service, request: TaskRequest) -> Reply {
    let token = token(request.task_token)?;
    let error = request.error.unwrap_or_default();
    let cause = request.cause.unwrap_or_default();
    service
        .answer_token(|engine| engine.send_task_failure(&token, &error, &cause))
        .map_err(no_task)?;
    Ok(object([]))
}

pub fn heartbeat(service: &Service, request: TaskRequest) -> Reply {
    let token = token(request.task_token)?;
    service
        .answer_token(|engine| engine.send_task_heartbeat(&token))
        .map_err(no_task)?;
    Ok(object([]))
}
