//! The `QueryLanguage` rules AWS enforces at creation, with AWS's messages and locations, as
//! measured with `aws stepfunctions validate-state-machine-definition` (floci-io/floci#2968,
//! #2972):
//!
//! - a state's language is its own `QueryLanguage`, else the **machine's** top-level one: a
//!   `Map`'s or `Parallel`'s own language does not reach the states inside it;
//! - a field of the other language is refused at the state (`/States/P`), not at the field;
//! - a state cannot declare `JSONPath` under a `JSONata` machine (and then nothing else about
//!   its fields' language is reported);
//! - an `ItemProcessor`, `Iterator` or branch is not a state and has no `QueryLanguage`.

use super::{Report, SCHEMA_VALIDATION_FAILED};
use crate::model::{QueryLanguage, State, StateMachine, StateType, allowed_fields};

/// Fields only JSONata states have (AWS refuses `Output`, `Arguments` and `Items` on a
/// JSONPath state; recorded). `Assign` belongs to both languages.
const JSONATA_ONLY: &[&str] = &["Output", "Arguments", "Items"];

/// Fields only JSONPath states have. Recorded on a JSONata state: `InputPath`, `OutputPath`,
/// `ResultPath`, `ResultSelector`, `Parameters`, `Result`, `ItemsPath`, `MaxConcurrencyPath`;
/// the other `...Path` fields follow the same rule.
const JSONPATH_ONLY: &[&str] = &[
    "InputPath",
    "OutputPath",
    "ResultPath",
    "ResultSelector",
    "Parameters",
    "Result",
    "ItemsPath",
    "MaxConcurrencyPath",
    "TimeoutSecondsPath",
    "HeartbeatSecondsPath",
    "SecondsPath",
    "TimestampPath",
    "ErrorPath",
    "CausePath",
    "ToleratedFailureCountPath",
    "ToleratedFailurePercentagePath",
];

/// The language a state runs in: its own `QueryLanguage`, else the machine's top-level one.
pub(crate) fn effective(state: &State, machine: QueryLanguage) -> QueryLanguage {
    state.query_language.unwrap_or(machine)
}

fn name_of(language: QueryLanguage) -> &'static str {
    match language {
        QueryLanguage::JSONata => "JSONata",
        QueryLanguage::JSONPath => "JSONPath",
    }
}

fn other(language: QueryLanguage) -> QueryLanguage {
    match language {
        QueryLanguage::JSONata => QueryLanguage::JSONPath,
        QueryLanguage::JSONPath => QueryLanguage::JSONata,
    }
}

/// Whether `field` belongs to the other language on a state of this type (reported by
/// [`check_state`] in AWS's words, so not as an unknown field).
pub(crate) fn is_foreign_field(kind: StateType, language: QueryLanguage, field: &str) -> bool {
    let foreign = match language {
        QueryLanguage::JSONata => JSONPATH_ONLY,
        QueryLanguage::JSONPath => JSONATA_ONLY,
    };
    foreign.contains(&field) && allowed_fields(kind, other(language)).contains(&field)
}

/// Whether the state reverts a JSONata machine to JSONPath (refused by AWS).
pub(crate) fn is_downgrade(state: &State, machine: QueryLanguage) -> bool {
    machine == QueryLanguage::JSONata && state.query_language == Some(QueryLanguage::JSONPath)
}

/// The per-state rules; `location` is AWS's location of the state (`/States/M/ItemProcessor/States/P`).
pub(crate) fn check_state(
    name: &str,
    state: &State,
    machine: QueryLanguage,
    location: &str,
    report: &mut Report,
) {
    if is_downgrade(state, machine) {
        // Measured: this is AWS's whole answer about the state's language; its fields of the
        // refused language are not reported on top of it.
        refuse(
            report,
            name,
            "QueryLanguage",
            location,
            "'QueryLanguage' can not be 'JSONPath' if set to 'JSONata' for whole state machine",
        );
        return;
    }
    let language = effective(state, machine);
    let foreign = match language {
        QueryLanguage::JSONata => JSONPATH_ONLY,
        QueryLanguage::JSONPath => JSONATA_ONLY,
    };
    // In the list's order, so the sequence of diagnostics does not depend on the JSON's.
    for field in foreign {
        if state.field_names.iter().any(|f| f == field)
            && is_foreign_field(state.kind, language, field)
        {
            let what = format!(
                "The QueryLanguage is set to '{}', but field '{field}' is only supported for \
                 the '{}' QueryLanguage",
                name_of(language),
                name_of(other(language)),
            );
            refuse(report, name, field, location, &what);
        }
    }
}

/// An `ItemProcessor`, `Iterator` or `Branches[i]` object declaring `QueryLanguage`.
/// `name` is the enclosing state, `field` the container's (`ItemProcessor`, `Branches[0]`),
/// `location` AWS's location of the container (`/States/M/ItemProcessor`).
pub(crate) fn check_container(
    name: &str,
    field: &str,
    container: &StateMachine,
    location: &str,
    report: &mut Report,
) {
    if container.query_language.is_some() {
        let field = format!("{field}.QueryLanguage");
        refuse(
            report,
            name,
            &field,
            location,
            "Field 'QueryLanguage' is not supported",
        );
    }
}

/// A `SCHEMA_VALIDATION_FAILED` diagnostic worded as AWS's CreateStateMachine error is
/// (`SCHEMA_VALIDATION_FAILED: <what> at <location>`), like the JSONata checks'.
fn refuse(report: &mut Report, name: &str, field: &str, location: &str, what: &str) {
    let message = format!("{SCHEMA_VALIDATION_FAILED}: {what} at {location}");
    report.coded(
        name,
        field,
        SCHEMA_VALIDATION_FAILED,
        location.to_owned(),
        message,
    );
}
