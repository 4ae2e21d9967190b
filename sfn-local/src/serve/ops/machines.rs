//! CreateStateMachine, DescribeStateMachine, ListStateMachines, DeleteStateMachine.

use std::sync::Arc;

use serde::Deserialize;
use sfn_json::json;

use super::{Reply, object, paginate, required};
use crate::model::parse_definition;
use crate::serve::error::ApiError;
use crate::serve::registry::{MachineType, machine_name_of};
use crate::serve::{NewMachine, Service};
use crate::validate::validate;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateRequest {
    name: Option<String>,
    definition: Option<String>,
    role_arn: Option<String>,
    r#type: Option<String>,
}

pub fn create(service: &Service, request: CreateRequest) -> Reply {
    let name = required(request.name, "name")?;
    let definition = required(request.definition, "definition")?;
    let role_arn = required(request.role_arn, "roleArn")?;
    let kind = match request.r#type.as_deref() {
        None => MachineType::Standard,
        Some(text) => MachineType::parse(text)?,
    };
    let machine = parse_definition(&definition).map_err(|e| {
        ApiError::InvalidDefinition(format!("Invalid State Machine Definition: '{e}'"))
    })?;
    let errors = validate(&machine);
    if !errors.is_empty() {
        let listed: Vec<String> = errors.iter().map(ToString::to_string).collect();
        return Err(ApiError::InvalidDefinition(format!(
            "Invalid State Machine Definition: '{}'",
            listed.join(", ")
        )));
    }
    let created = service.create(NewMachine {
        name,
        machine: Arc::new(machine),
        definition,
        role_arn,
        kind,
    })?;
    Ok(object([
        ("stateMachineArn", Some(json!(created.arn))),
        ("creationDate", Some(json!(created.creation_date))),
    ]))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ArnRequest {
    state_machine_arn: Option<String>,
}

pub fn describe(service: &Service, request: ArnRequest) -> Reply {
    let arn = required(request.state_machine_arn, "stateMachineArn")?;
    let registry = service.registry();
    let machine = registry.machine(&arn)?;
    Ok(object([
        ("stateMachineArn", Some(json!(machine.arn))),
        ("name", Some(json!(machine.name))),
        ("status", Some(json!("ACTIVE"))),
        ("definition", Some(json!(&*machine.definition))),
        ("roleArn", Some(json!(machine.role_arn))),
        ("type", Some(json!(machine.kind.as_str()))),
        ("creationDate", Some(json!(machine.creation_date))),
        (
            "loggingConfiguration",
            Some(json!({"level": "OFF", "includeExecutionData": false})),
        ),
        ("tracingConfiguration", Some(json!({"enabled": false}))),
    ]))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListRequest {
    max_results: Option<i64>,
    next_token: Option<String>,
}

pub fn list(service: &Service, request: ListRequest) -> Reply {
    let items: Vec<_> = service
        .registry()
        .machines
        .values()
        .map(|m| {
            json!({
                "stateMachineArn": m.arn,
                "name": m.name,
                "type": m.kind.as_str(),
                "creationDate": m.creation_date,
            })
        })
        .collect();
    let (page, next) = paginate(items, request.max_results, request.next_token.as_deref())?;
    Ok(object([
        ("stateMachines", Some(json!(page))),
        ("nextToken", next.map(|t| json!(t))),
    ]))
}

/// AWS deletes asynchronously and answers success for an unknown ARN too; running executions
/// are left to finish here (AWS ends them at their next transition).
pub fn delete(service: &Service, request: ArnRequest) -> Reply {
    let arn = required(request.state_machine_arn, "stateMachineArn")?;
    let name = machine_name_of(&arn)?;
    let mut registry = service.registry();
    if registry.machines.get(name).is_some_and(|m| m.arn == arn) {
        registry.machines.remove(name);
    }
    Ok(object([]))
}
