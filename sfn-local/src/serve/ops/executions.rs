//! StartExecution, DescribeExecution, ListExecutions, StopExecution.

use serde::Deserialize;
use sfn_json::{Value, json};

use super::{Reply, object, paginate, required};
use crate::serve::Service;
use crate::serve::error::ApiError;
use crate::serve::registry::{Execution, Phase};

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StartRequest {
    state_machine_arn: Option<String>,
    name: Option<String>,
    input: Option<String>,
}

pub fn start(service: &Service, request: StartRequest) -> Reply {
    let arn = required(request.state_machine_arn, "stateMachineArn")?;
    let text = request.input.unwrap_or_else(|| "{}".to_owned());
    // Parsed as the CLI parses its input: containers at their exact size.
    let input: Value = sfn_json::from_str(&text).map_err(|e| {
        ApiError::InvalidExecutionInput(format!("Invalid State Machine Execution Input: '{e}'"))
    })?;
    let execution = service.start(&arn, request.name, input, text)?;
    Ok(object([
        ("executionArn", Some(json!(execution.arn))),
        ("startDate", Some(json!(execution.start_date))),
    ]))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DescribeRequest {
    execution_arn: Option<String>,
}

pub fn describe(service: &Service, request: DescribeRequest) -> Reply {
    let arn = required(request.execution_arn, "executionArn")?;
    let execution = service.registry().execution(&arn)?;
    let progress = execution.progress();
    let output = match progress.phase {
        Phase::Ended(crate::exec::Status::Succeeded) => progress.output.as_ref(),
        _ => None,
    };
    Ok(object([
        ("executionArn", Some(json!(execution.arn))),
        ("stateMachineArn", Some(json!(execution.machine.arn))),
        ("name", Some(json!(execution.name))),
        ("status", Some(json!(progress.phase.as_str()))),
        ("startDate", Some(json!(execution.start_date))),
        ("stopDate", progress.stop_date.map(|d| json!(d))),
        ("input", Some(json!(execution.input_text))),
        ("inputDetails", Some(json!({"included": true}))),
        ("output", output.map(|o| json!(o.to_string()))),
        ("outputDetails", output.map(|_| json!({"included": true}))),
        ("error", progress.error.as_ref().map(|e| json!(e))),
        ("cause", progress.cause.as_ref().map(|c| json!(c))),
        ("redriveCount", Some(json!(0))),
    ]))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListRequest {
    state_machine_arn: Option<String>,
    status_filter: Option<String>,
    max_results: Option<i64>,
    next_token: Option<String>,
}

const STATUSES: [&str; 6] = [
    "RUNNING",
    "SUCCEEDED",
    "FAILED",
    "TIMED_OUT",
    "ABORTED",
    "PENDING_REDRIVE",
];

fn list_item(execution: &Execution) -> (String, Value) {
    let progress = execution.progress();
    let status = progress.phase.as_str();
    let mut item = json!({
        "executionArn": execution.arn,
        "stateMachineArn": execution.machine.arn,
        "name": execution.name,
        "status": status,
        "startDate": execution.start_date,
    });
    if let (Some(stop), Some(map)) = (progress.stop_date, item.as_object_mut()) {
        map.insert("stopDate", json!(stop));
    }
    (status.to_owned(), item)
}

/// Newest first, as AWS lists them.
pub fn list(service: &Service, request: ListRequest) -> Reply {
    let arn = required(request.state_machine_arn, "stateMachineArn")?;
    if let Some(filter) = &request.status_filter
        && !STATUSES.contains(&filter.as_str())
    {
        return Err(ApiError::Validation(format!(
            "1 validation error detected: Value '{filter}' at 'statusFilter' failed to satisfy \
             constraint: Member must satisfy enum value set: [{}]",
            STATUSES.join(", ")
        )));
    }
    let executions: Vec<_> = {
        let registry = service.registry();
        registry.machine(&arn)?;
        registry
            .started
            .iter()
            .rev()
            .filter_map(|e| registry.executions.get(e))
            .filter(|e| e.machine.arn == arn)
            .cloned()
            .collect()
    };
    let items: Vec<Value> = executions
        .iter()
        .map(|e| list_item(e))
        .filter(|(status, _)| request.status_filter.as_ref().is_none_or(|f| f == status))
        .map(|(_, item)| item)
        .collect();
    let (page, next) = paginate(items, request.max_results, request.next_token.as_deref())?;
    Ok(object([
        ("executions", Some(json!(page))),
        ("nextToken", next.map(|t| json!(t))),
    ]))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StopRequest {
    execution_arn: Option<String>,
    error: Option<String>,
    cause: Option<String>,
}

pub fn stop(service: &Service, request: StopRequest) -> Reply {
    let arn = required(request.execution_arn, "executionArn")?;
    let stop_date = service.stop_execution(&arn, request.error, request.cause)?;
    Ok(object([("stopDate", Some(json!(stop_date)))]))
}
