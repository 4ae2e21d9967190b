//! ValidateStateMachineDefinition and DescribeStateMachineForExecution.

use serde::Deserialize;
use sfn_json::{Value, json};

use super::{Reply, object, required};
use crate::model::parse_definition;
use crate::serve::Service;
use crate::serve::registry::MachineType;
use crate::validate::{ValidationError, validate};

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ValidateRequest {
    definition: Option<String>,
    r#type: Option<String>,
    max_results: Option<i64>,
}

/// A diagnostic as AWS shapes it: the validator's code, and its location when it knows the
/// state's place (nested states), else one built from the state and field names.
fn diagnostic(error: &ValidationError) -> Value {
    let location = error
        .location
        .clone()
        .unwrap_or_else(|| match (&error.state, &error.field) {
            (Some(state), Some(field)) => format!("/States/{state}/{field}"),
            (Some(state), None) => format!("/States/{state}"),
            (None, Some(field)) => format!("/{field}"),
            (None, None) => String::new(),
        });
    json!({
        "severity": "ERROR",
        "code": error.code,
        "message": error.to_string(),
        "location": location,
    })
}

/// The checks CreateStateMachine makes, as a report rather than an error.
pub fn validate_definition(_service: &Service, request: ValidateRequest) -> Reply {
    let definition = required(request.definition, "definition")?;
    if let Some(kind) = &request.r#type {
        MachineType::parse(kind)?;
    }
    let mut diagnostics: Vec<Value> = match parse_definition(&definition) {
        Err(e) => vec![json!({
            "severity": "ERROR",
            "code": "INVALID_JSON_DESCRIPTION",
            "message": e.to_string(),
        })],
        Ok(machine) => validate(&machine).iter().map(diagnostic).collect(),
    };
    let result = if diagnostics.is_empty() { "OK" } else { "FAIL" };
    let limit = match request.max_results {
        Some(n) if n > 0 => usize::try_from(n).unwrap_or(usize::MAX),
        _ => 100,
    };
    let truncated = diagnostics.len() > limit;
    diagnostics.truncate(limit);
    Ok(object([
        ("result", Some(json!(result))),
        ("diagnostics", Some(json!(diagnostics))),
        ("truncated", Some(json!(truncated))),
    ]))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ForExecutionRequest {
    execution_arn: Option<String>,
}

/// The definition the execution runs (still answered after the machine was deleted).
pub fn describe_for_execution(service: &Service, request: ForExecutionRequest) -> Reply {
    let arn = required(request.execution_arn, "executionArn")?;
    let execution = service.registry().execution(&arn)?;
    let machine = &execution.machine;
    Ok(object([
        ("stateMachineArn", Some(json!(machine.arn))),
        ("name", Some(json!(machine.name))),
        ("definition", Some(json!(&*machine.definition))),
        ("roleArn", Some(json!(machine.role_arn))),
        ("updateDate", Some(json!(machine.creation_date))),
        (
            "loggingConfiguration",
            Some(json!({"level": "OFF", "includeExecutionData": false})),
        ),
        ("tracingConfiguration", Some(json!({"enabled": false}))),
    ]))
}
