//! Static checks AWS makes at CreateStateMachine. Every problem is reported, each naming the
//! state and the field: `State 'ChargePayment': field 'Next': no state named 'X'`.

mod expressions;
mod numbers;
mod query_language;
mod state;
mod variables;

use std::collections::HashSet;
use std::fmt;

use crate::model::{QueryLanguage, StateMachine};

/// One problem found in a definition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidationError {
    /// The state at fault (`None` for top-level fields).
    pub state: Option<String>,
    /// The field at fault, as written in the definition.
    pub field: Option<String>,
    pub message: String,
    /// AWS's diagnostic code: `SCHEMA_VALIDATION_FAILED` unless a more specific one is known
    /// (`INVALID_JSONATA_EXPRESSION`, `UNSUPPORTED_JSONATA_EXPRESSION`).
    pub code: &'static str,
    /// AWS's location of the fault (`/States/P/Branches[0]/States/B/Output/v`), when known.
    pub location: Option<String>,
}

/// AWS's code for problems without a more specific one.
pub const SCHEMA_VALIDATION_FAILED: &str = "SCHEMA_VALIDATION_FAILED";

impl fmt::Display for ValidationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(state) = &self.state {
            write!(f, "State '{state}': ")?;
        }
        if let Some(field) = &self.field {
            write!(f, "field '{field}': ")?;
        }
        f.write_str(&self.message)
    }
}

/// Collects errors while walking the definition.
#[derive(Default)]
pub(crate) struct Report {
    errors: Vec<ValidationError>,
}

impl Report {
    pub(crate) fn state(&mut self, state: &str, field: &str, message: impl Into<String>) {
        self.errors.push(ValidationError {
            state: Some(state.to_owned()),
            field: (!field.is_empty()).then(|| field.to_owned()),
            message: message.into(),
            code: SCHEMA_VALIDATION_FAILED,
            location: None,
        });
    }

    /// A problem with AWS's own code and location.
    pub(crate) fn coded(
        &mut self,
        state: &str,
        field: &str,
        code: &'static str,
        location: String,
        message: String,
    ) {
        self.errors.push(ValidationError {
            state: Some(state.to_owned()),
            field: Some(field.to_owned()),
            message,
            code,
            location: Some(location),
        });
    }

    fn top(&mut self, field: &str, message: impl Into<String>) {
        self.errors.push(ValidationError {
            state: None,
            field: Some(field.to_owned()),
            message: message.into(),
            code: SCHEMA_VALIDATION_FAILED,
            location: None,
        });
    }
}

/// Check a parsed definition; an empty list means AWS would accept it.
pub fn validate(machine: &StateMachine) -> Vec<ValidationError> {
    let mut report = Report::default();
    if let Some(timeout) = &machine.timeout_seconds
        && let Err(message) = numbers::positive_integer(timeout)
    {
        report.top("TimeoutSeconds", message);
    }
    let language = machine.query_language.unwrap_or_default();
    check_machine(machine, language, &mut report);
    variables::check(machine, language, &mut report);
    report.errors
}

/// Check one machine, branch or item processor (its own name scope); `language` is the
/// top-level machine's, which every state without its own `QueryLanguage` runs in.
pub(crate) fn check_machine(machine: &StateMachine, language: QueryLanguage, report: &mut Report) {
    if machine.states.is_empty() {
        report.top("States", "must contain at least one state");
        return;
    }
    if !machine.states.contains(&machine.start_at) {
        report.top("StartAt", format!("no state named '{}'", machine.start_at));
    }
    for (name, state) in machine.states.iter() {
        state::check_state(name, state, &machine.states, language, report);
    }
    check_reachable(machine, report);
}

/// AWS rejects states that no transition leads to.
fn check_reachable(machine: &StateMachine, report: &mut Report) {
    let mut seen: HashSet<&str> = HashSet::new();
    let mut todo = vec![machine.start_at.as_str()];
    while let Some(name) = todo.pop() {
        if !seen.insert(name) {
            continue;
        }
        if let Some(state) = machine.states.get(name) {
            todo.extend(state::transitions(state));
        }
    }
    for (name, _) in machine.states.iter() {
        if !seen.contains(name) {
            report.state(name, "", "state is not reachable from StartAt");
        }
    }
}

#[cfg(test)]
mod expression_tests;
#[cfg(test)]
mod query_language_tests;
#[cfg(test)]
mod tests;
