//! What the server remembers: state machines by name, executions by ARN (in start order), the
//! ARNs and names AWS accepts.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use chrono::{DateTime, Utc};

use super::error::ApiError;
pub use super::execution::{Execution, Phase, Progress};
use crate::history::Event;
use crate::model::StateMachine;
use crate::template::{LOCAL_ACCOUNT, LOCAL_REGION};

/// Every ARN the server mints starts with this.
pub fn arn_prefix() -> String {
    format!("arn:aws:states:{LOCAL_REGION}:{LOCAL_ACCOUNT}")
}

pub fn state_machine_arn(name: &str) -> String {
    format!("{}:stateMachine:{name}", arn_prefix())
}

pub fn execution_arn(machine: &str, name: &str) -> String {
    format!("{}:execution:{machine}:{name}", arn_prefix())
}

/// `arn:aws:states:REGION:ACCOUNT:stateMachine:NAME` → NAME (a `#TestCase` suffix is the
/// caller's to strip first).
pub fn machine_name_of(arn: &str) -> Result<&str, ApiError> {
    match arn.split(':').collect::<Vec<_>>().as_slice() {
        ["arn", _, "states", _, _, "stateMachine", name] if !name.is_empty() => Ok(name),
        _ => Err(ApiError::InvalidArn(format!("Invalid Arn: '{arn}'"))),
    }
}

/// Checks an execution ARN's shape.
pub fn check_execution_arn(arn: &str) -> Result<(), ApiError> {
    match arn.split(':').collect::<Vec<_>>().as_slice() {
        ["arn", _, "states", _, _, "execution", machine, name]
            if !machine.is_empty() && !name.is_empty() =>
        {
            Ok(())
        }
        _ => Err(ApiError::InvalidArn(format!("Invalid Arn: '{arn}'"))),
    }
}

/// AWS's rule for state machine and execution names: 1 to 80 characters, none of whitespace,
/// brackets, wildcards, `"#%\^|~`$&,;:/` or control characters.
pub fn check_name(name: &str) -> Result<(), ApiError> {
    let forbidden = |c: char| {
        c.is_whitespace()
            || c.is_control()
            || ('\u{7f}'..='\u{9f}').contains(&c)
            || "<>{}[]?*\"#%\\^|~`$&,;:/".contains(c)
    };
    let length = name.chars().count();
    if length == 0 || length > 80 || name.chars().any(forbidden) {
        return Err(ApiError::InvalidName(format!("Invalid Name: '{name}'")));
    }
    Ok(())
}

/// Seconds since the epoch with milliseconds, as AWS's JSON timestamps.
pub fn epoch(time: DateTime<Utc>) -> f64 {
    time.timestamp_millis() as f64 / 1000.0
}

/// An event's RFC 3339 timestamp as epoch seconds (now, if it cannot be read).
pub fn event_epoch(event: &Event) -> f64 {
    DateTime::parse_from_rfc3339(&event.timestamp)
        .map(|t| epoch(t.with_timezone(&Utc)))
        .unwrap_or_else(|_| epoch(Utc::now()))
}

/// `STANDARD` or `EXPRESS`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MachineType {
    Standard,
    Express,
}

impl MachineType {
    pub fn parse(text: &str) -> Result<Self, ApiError> {
        match text {
            "STANDARD" => Ok(Self::Standard),
            "EXPRESS" => Ok(Self::Express),
            other => Err(ApiError::Validation(format!(
                "1 validation error detected: Value '{other}' at 'type' failed to satisfy \
                 constraint: Member must satisfy enum value set: [STANDARD, EXPRESS]"
            ))),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Standard => "STANDARD",
            Self::Express => "EXPRESS",
        }
    }
}

/// A created state machine.
#[derive(Clone)]
pub struct Machine {
    pub name: String,
    pub arn: String,
    /// Shared with each execution's record (DescribeStateMachineForExecution).
    pub definition: Arc<str>,
    pub machine: Arc<StateMachine>,
    pub role_arn: String,
    pub kind: MachineType,
    pub creation_date: f64,
}

/// Every machine and execution the server knows.
#[derive(Default)]
pub struct Registry {
    /// By name (ListStateMachines is in name order).
    pub machines: BTreeMap<String, Machine>,
    pub executions: HashMap<String, Arc<Execution>>,
    /// Execution ARNs in start order.
    pub started: Vec<String>,
}

impl Registry {
    pub fn machine(&self, arn: &str) -> Result<&Machine, ApiError> {
        let name = machine_name_of(arn)?;
        self.machines
            .get(name)
            .filter(|m| m.arn == arn)
            .ok_or_else(|| {
                ApiError::StateMachineDoesNotExist(format!("State Machine Does Not Exist: '{arn}'"))
            })
    }

    pub fn execution(&self, arn: &str) -> Result<Arc<Execution>, ApiError> {
        check_execution_arn(arn)?;
        self.executions.get(arn).cloned().ok_or_else(|| {
            ApiError::ExecutionDoesNotExist(format!("Execution Does Not Exist: '{arn}'"))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_aws_rules() {
        assert!(check_name("order-123_A.b").is_ok());
        for bad in ["", "a b", "a:b", "a/b", "x{", "tab\t", "\u{85}"] {
            assert!(
                matches!(check_name(bad), Err(ApiError::InvalidName(_))),
                "{bad:?}"
            );
        }
        assert!(check_name(&"n".repeat(80)).is_ok());
        assert!(check_name(&"n".repeat(81)).is_err());
    }

    #[test]
    fn arns_are_checked() {
        let arn = state_machine_arn("M");
        assert_eq!(machine_name_of(&arn), Ok("M"));
        assert!(matches!(
            machine_name_of("arn:aws:states:us-east-1:1:execution:M:e"),
            Err(ApiError::InvalidArn(_))
        ));
        assert!(check_execution_arn(&execution_arn("M", "e")).is_ok());
        assert!(check_execution_arn(&state_machine_arn("M")).is_err());
    }
}
