//! Checks for the two query languages and workflow variables: fields of the other language,
//! JSONata syntax, `Assign` names and scopes (inner states of a Parallel or Map cannot assign
//! a variable of an outer scope).

use std::borrow::Cow;
use std::collections::HashSet;

use sfn_json::Value;

use super::Report;
use super::expressions::{self, Site};
use super::query_language;
use crate::expr::template;
use crate::model::choice::Condition;
use crate::model::{QueryLanguage, State, StateMachine};

/// Names `Assign` cannot use.
const RESERVED: &[&str] = &["states"];

/// Check a machine and everything nested in it.
pub(crate) fn check(machine: &StateMachine, language: QueryLanguage, report: &mut Report) {
    check_scope(machine, language, &HashSet::new(), "", report);
}

/// One variable scope: the machine's own states see `outer` and may not assign its names.
/// `location` is AWS's location of the machine (`""`, `/States/P/Branches[0]`). `language`
/// is the top-level machine's: nested states fall back to it, not to the enclosing state's.
fn check_scope(
    machine: &StateMachine,
    language: QueryLanguage,
    outer: &HashSet<String>,
    location: &str,
    report: &mut Report,
) {
    let mut own: HashSet<String> = outer.clone();
    for (name, state) in machine.states.iter() {
        let state_language = query_language::effective(state, language);
        let state_location = format!("{location}/States/{name}");
        query_language::check_state(name, state, language, &state_location, report);
        if !query_language::is_downgrade(state, language) {
            check_language_rules(name, state, state_language, report);
        }
        for (field, assign) in assignments(state) {
            check_assign(name, &field, assign, state_language, outer, report);
            if let Value::Object(values) = assign {
                own.extend(values.keys().map(|k| k.to_string()));
            }
        }
        if state_language == QueryLanguage::JSONata {
            let site = Site {
                name,
                location: &state_location,
            };
            for (field, value, error_output) in jsonata_fields(state) {
                expressions::check_field(&site, &field, &value, error_output, report);
            }
        }
    }
    for (name, state) in machine.states.iter() {
        for (i, branch) in state.branches.iter().flatten().enumerate() {
            let field = format!("Branches[{i}]");
            let inner = format!("{location}/States/{name}/{field}");
            query_language::check_container(name, &field, branch, &inner, report);
            check_scope(branch, language, &own, &inner, report);
        }
        if let Some(processor) = state.processor() {
            let field = if state.item_processor.is_some() {
                "ItemProcessor"
            } else {
                "Iterator"
            };
            let inner = format!("{location}/States/{name}/{field}");
            query_language::check_container(name, field, processor, &inner, report);
            check_scope(processor, language, &own, &inner, report);
        }
    }
}

/// The language rules of choice rules and catchers (the state's own fields are
/// [`query_language::check_state`]'s).
fn check_language_rules(name: &str, state: &State, language: QueryLanguage, report: &mut Report) {
    for (i, rule) in state.choices.iter().flatten().enumerate() {
        let is_jsonata = matches!(rule.condition, Condition::Jsonata(_));
        match (language, is_jsonata) {
            (QueryLanguage::JSONPath, true) => report.state(
                name,
                &format!("Choices[{i}].Condition"),
                "Condition is a JSONata field; JSONPath rules use Variable and an operator",
            ),
            (QueryLanguage::JSONata, false) => report.state(
                name,
                &format!("Choices[{i}]"),
                "a JSONata choice rule needs a Condition",
            ),
            _ => {}
        }
        if language == QueryLanguage::JSONPath && rule.output.is_some() {
            report.state(
                name,
                &format!("Choices[{i}].Output"),
                "Output is a JSONata field",
            );
        }
    }
    for (i, catcher) in state.catch.iter().flatten().enumerate() {
        if language == QueryLanguage::JSONPath && catcher.output.is_some() {
            report.state(
                name,
                &format!("Catch[{i}].Output"),
                "Output is a JSONata field",
            );
        }
        if language == QueryLanguage::JSONata && catcher.result_path != Default::default() {
            report.state(
                name,
                &format!("Catch[{i}].ResultPath"),
                "a JSONPath field cannot be used in a JSONata state",
            );
        }
    }
}

/// Every `Assign` of a state: its own, its choice rules' and its catchers'.
fn assignments(state: &State) -> Vec<(String, &Value)> {
    let mut out: Vec<(String, &Value)> = Vec::new();
    out.extend(state.assign.as_ref().map(|a| ("Assign".to_owned(), a)));
    for (i, rule) in state.choices.iter().flatten().enumerate() {
        out.extend(
            rule.assign
                .as_ref()
                .map(|a| (format!("Choices[{i}].Assign"), a)),
        );
    }
    for (i, catcher) in state.catch.iter().flatten().enumerate() {
        out.extend(
            catcher
                .assign
                .as_ref()
                .map(|a| (format!("Catch[{i}].Assign"), a)),
        );
    }
    out
}

fn check_assign(
    name: &str,
    field: &str,
    assign: &Value,
    language: QueryLanguage,
    outer: &HashSet<String>,
    report: &mut Report,
) {
    let Value::Object(values) = assign else {
        report.state(name, field, "must be a JSON object");
        return;
    };
    for key in values.keys() {
        let variable = match language {
            QueryLanguage::JSONPath => key.strip_suffix(".$").unwrap_or(key),
            QueryLanguage::JSONata => key.as_str(),
        };
        if !is_variable_name(variable) {
            report.state(
                name,
                field,
                format!("'{variable}' is not a valid variable name"),
            );
        } else if RESERVED.contains(&variable) {
            report.state(
                name,
                field,
                format!("'{variable}' is a reserved variable name"),
            );
        } else if outer.contains(variable) {
            report.state(
                name,
                field,
                format!("cannot assign '{variable}', a variable of an outer scope"),
            );
        }
    }
    if language == QueryLanguage::JSONPath
        && let Err(e) = template::check(assign)
    {
        report.state(name, field, e);
    }
}

/// A letter or `_`, then letters, digits or `_` (what `$name` can refer to).
fn is_variable_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_alphabetic() || c == '_')
        && chars.all(|c| c.is_alphanumeric() || c == '_')
}

/// The fields of a JSONata state that may hold `{% %}` expressions, named as AWS locates
/// them, with whether `$states.errorOutput` exists there (only in a catcher's Output/Assign).
fn jsonata_fields<'a>(state: &'a State) -> Vec<(String, Cow<'a, Value>, bool)> {
    let mut out = Vec::new();
    let mut add = |field: String, value: Option<Cow<'a, Value>>, error_output: bool| {
        out.extend(value.map(|v| (field, v, error_output)));
    };
    let fields = [
        ("Arguments", state.arguments.as_ref()),
        ("Output", state.output.as_ref()),
        ("Assign", state.assign.as_ref()),
        ("Items", state.items.as_ref()),
        ("ItemSelector", state.item_selector.as_ref()),
        ("TimeoutSeconds", state.timeout_seconds.as_ref()),
        ("HeartbeatSeconds", state.heartbeat_seconds.as_ref()),
        ("Seconds", state.seconds.as_ref()),
        ("Timestamp", state.timestamp.as_ref()),
        ("MaxConcurrency", state.max_concurrency.as_ref()),
        (
            "ToleratedFailureCount",
            state.tolerated_failure_count.as_ref(),
        ),
        (
            "ToleratedFailurePercentage",
            state.tolerated_failure_percentage.as_ref(),
        ),
        (
            "ItemReader/Arguments",
            state.item_reader.as_ref().and_then(|r| r.get("Arguments")),
        ),
        (
            "ItemReader/ReaderConfig/MaxItems",
            state
                .item_reader
                .as_ref()
                .and_then(|r| r.get("ReaderConfig"))
                .and_then(|c| c.get("MaxItems")),
        ),
        (
            "ResultWriter/Arguments",
            state
                .result_writer
                .as_ref()
                .and_then(|w| w.get("Arguments")),
        ),
    ];
    for (field, value) in fields {
        add(field.to_owned(), value.map(Cow::Borrowed), false);
    }
    if let Some(batcher) = &state.item_batcher {
        let fields = [
            ("ItemBatcher/BatchInput", batcher.batch_input.as_ref()),
            (
                "ItemBatcher/MaxItemsPerBatch",
                batcher.max_items_per_batch.as_ref(),
            ),
            (
                "ItemBatcher/MaxInputBytesPerBatch",
                batcher.max_input_bytes_per_batch.as_ref(),
            ),
        ];
        for (field, value) in fields {
            add(field.to_owned(), value.map(Cow::Borrowed), false);
        }
    }
    for (field, text) in [("Error", &state.error), ("Cause", &state.cause)] {
        let value = text.as_ref().map(|t| Cow::Owned(Value::String(t.clone())));
        add(field.to_owned(), value, false);
    }
    for (i, rule) in state.choices.iter().flatten().enumerate() {
        if let Condition::Jsonata(condition) = &rule.condition {
            add(
                format!("Choices[{i}]/Condition"),
                Some(Cow::Borrowed(condition)),
                false,
            );
        }
        let output = rule.output.as_ref().map(Cow::Borrowed);
        add(format!("Choices[{i}]/Output"), output, false);
        let assign = rule.assign.as_ref().map(Cow::Borrowed);
        add(format!("Choices[{i}]/Assign"), assign, false);
    }
    for (i, catcher) in state.catch.iter().flatten().enumerate() {
        let output = catcher.output.as_ref().map(Cow::Borrowed);
        add(format!("Catch[{i}]/Output"), output, true);
        let assign = catcher.assign.as_ref().map(Cow::Borrowed);
        add(format!("Catch[{i}]/Assign"), assign, true);
    }
    out
}
