//! Checks of one state's fields.

use sfn_json::Value;

use super::numbers::{non_negative_integer, number_in, positive_integer};
use super::{Report, check_machine, query_language};
use crate::error::names;
use crate::expr::{intrinsic, path, template};
use crate::model::{
    Catcher, Nullable, QueryLanguage, Retrier, State, StateType, States, allowed_fields,
};

const MAX_NAME_LENGTH: usize = 80;

/// The states a state may transition to.
pub(crate) fn transitions(state: &State) -> Vec<&str> {
    let mut out: Vec<&str> = Vec::new();
    out.extend(state.next.as_deref());
    out.extend(state.default.as_deref());
    for rule in state.choices.iter().flatten() {
        out.extend(rule.next.as_deref());
    }
    for catcher in state.catch.iter().flatten() {
        out.push(&catcher.next);
    }
    out
}

/// `machine` is the top-level machine's language, which nested states fall back to.
pub(crate) fn check_state(
    name: &str,
    state: &State,
    states: &States,
    machine: QueryLanguage,
    report: &mut Report,
) {
    let language = query_language::effective(state, machine);
    if name.is_empty() || name.chars().count() > MAX_NAME_LENGTH {
        report.state(name, "", "state names must be 1 to 80 characters long");
    }
    let allowed = allowed_fields(state.kind, language);
    for field in &state.field_names {
        // A field of the other language is reported in AWS's words by `query_language`.
        if !allowed.contains(&field.as_str())
            && !query_language::is_foreign_field(state.kind, language, field)
        {
            let kind = state.kind.as_str();
            report.state(name, field, format!("not a valid field for a {kind} state"));
        }
    }
    check_transition(name, state, states, report);
    if language == QueryLanguage::JSONPath {
        check_paths(name, state, report);
    }
    match state.kind {
        StateType::Task => check_task(name, state, report),
        StateType::Choice => check_choice(name, state, states, report),
        StateType::Wait => check_wait(name, state, report),
        StateType::Fail => check_fail(name, state, report),
        StateType::Parallel => {
            let branches = state.branches.as_deref().unwrap_or_default();
            if branches.is_empty() {
                report.state(
                    name,
                    "Branches",
                    "a Parallel state needs at least one branch",
                );
            }
            for branch in branches {
                check_machine(branch, machine, report);
            }
        }
        StateType::Map => check_map(name, state, machine, report),
        StateType::Pass | StateType::Succeed => {}
    }
    for (i, retrier) in state.retry.iter().flatten().enumerate() {
        let last = i + 1 == state.retry.as_ref().map_or(0, Vec::len);
        check_retrier(name, &format!("Retry[{i}]"), retrier, last, report);
    }
    for (i, catcher) in state.catch.iter().flatten().enumerate() {
        let last = i + 1 == state.catch.as_ref().map_or(0, Vec::len);
        check_catcher(name, &format!("Catch[{i}]"), catcher, states, last, report);
    }
}

fn check_transition(name: &str, state: &State, states: &States, report: &mut Report) {
    let needs_transition = !matches!(
        state.kind,
        StateType::Choice | StateType::Succeed | StateType::Fail
    );
    if let Some(next) = &state.next
        && !states.contains(next)
    {
        report.state(name, "Next", format!("no state named '{next}'"));
    }
    if state.end == Some(false) {
        report.state(name, "End", "End must be true when present");
    }
    if needs_transition {
        match (&state.next, state.is_end()) {
            (Some(_), true) => report.state(name, "Next", "a state cannot have both Next and End"),
            (None, false) => report.state(name, "", "a state needs either Next or End: true"),
            _ => {}
        }
    }
}

fn check_paths(name: &str, state: &State, report: &mut Report) {
    for (field, value) in [
        ("InputPath", &state.input_path),
        ("OutputPath", &state.output_path),
    ] {
        if let Nullable::Set(p) = value
            && let Err(e) = path::check_path(p)
        {
            report.state(name, field, e);
        }
    }
    if let Nullable::Set(p) = &state.result_path
        && let Err(e) = path::check_reference_path(p)
    {
        report.state(name, "ResultPath", e);
    }
    let paths = [
        ("ItemsPath", &state.items_path),
        ("SecondsPath", &state.seconds_path),
        ("TimestampPath", &state.timestamp_path),
        ("TimeoutSecondsPath", &state.timeout_seconds_path),
        ("HeartbeatSecondsPath", &state.heartbeat_seconds_path),
        ("MaxConcurrencyPath", &state.max_concurrency_path),
        (
            "ToleratedFailureCountPath",
            &state.tolerated_failure_count_path,
        ),
        (
            "ToleratedFailurePercentagePath",
            &state.tolerated_failure_percentage_path,
        ),
    ];
    for (field, value) in paths {
        if let Some(p) = value
            && let Err(e) = path::check_path(p)
        {
            report.state(name, field, e);
        }
    }
    let templates = [
        ("Parameters", &state.parameters),
        ("ResultSelector", &state.result_selector),
        ("ItemSelector", &state.item_selector),
    ];
    for (field, value) in templates {
        if let Some(t) = value {
            if !t.is_object() && field != "Parameters" {
                report.state(name, field, "must be a JSON object");
            } else if let Err(e) = template::check(t) {
                report.state(name, field, e);
            }
        }
    }
}

fn check_task(name: &str, state: &State, report: &mut Report) {
    if state.resource.as_deref().is_none_or(str::is_empty) {
        report.state(name, "Resource", "a Task state needs a Resource");
    }
    exclusive(
        name,
        state.timeout_seconds.is_some(),
        state.timeout_seconds_path.is_some(),
        ("TimeoutSeconds", "TimeoutSecondsPath"),
        report,
    );
    exclusive(
        name,
        state.heartbeat_seconds.is_some(),
        state.heartbeat_seconds_path.is_some(),
        ("HeartbeatSeconds", "HeartbeatSecondsPath"),
        report,
    );
    let timeout = number_field(
        name,
        "TimeoutSeconds",
        &state.timeout_seconds,
        positive_integer,
        report,
    );
    let heartbeat = number_field(
        name,
        "HeartbeatSeconds",
        &state.heartbeat_seconds,
        positive_integer,
        report,
    );
    if let (Some(t), Some(h)) = (timeout, heartbeat)
        && h >= t
    {
        report.state(
            name,
            "HeartbeatSeconds",
            "must be smaller than TimeoutSeconds",
        );
    }
}

fn check_choice(name: &str, state: &State, states: &States, report: &mut Report) {
    let choices = state.choices.as_deref().unwrap_or_default();
    if choices.is_empty() {
        report.state(name, "Choices", "a Choice state needs at least one rule");
    }
    for (i, rule) in choices.iter().enumerate() {
        match &rule.next {
            None => report.state(
                name,
                &format!("Choices[{i}].Next"),
                "a top-level choice rule needs Next",
            ),
            Some(next) if !states.contains(next) => {
                report.state(
                    name,
                    &format!("Choices[{i}].Next"),
                    format!("no state named '{next}'"),
                );
            }
            Some(_) => {}
        }
    }
    if let Some(default) = &state.default
        && !states.contains(default)
    {
        report.state(name, "Default", format!("no state named '{default}'"));
    }
}

fn check_wait(name: &str, state: &State, report: &mut Report) {
    let given = [
        state.seconds.is_some(),
        state.timestamp.is_some(),
        state.seconds_path.is_some(),
        state.timestamp_path.is_some(),
    ];
    if given.iter().filter(|g| **g).count() != 1 {
        report.state(
            name,
            "",
            "a Wait state needs exactly one of Seconds, Timestamp, SecondsPath, TimestampPath",
        );
    }
    number_field(
        name,
        "Seconds",
        &state.seconds,
        non_negative_integer,
        report,
    );
    if let Some(ts) = &state.timestamp {
        let valid = ts
            .as_str()
            .is_some_and(|s| chrono::DateTime::parse_from_rfc3339(s).is_ok());
        if !valid && !is_jsonata(ts) {
            report.state(
                name,
                "Timestamp",
                "must be an ISO-8601 extended offset date-time string",
            );
        }
    }
}

fn check_fail(name: &str, state: &State, report: &mut Report) {
    exclusive(
        name,
        state.error.is_some(),
        state.error_path.is_some(),
        ("Error", "ErrorPath"),
        report,
    );
    exclusive(
        name,
        state.cause.is_some(),
        state.cause_path.is_some(),
        ("Cause", "CausePath"),
        report,
    );
    for (field, value) in [
        ("ErrorPath", &state.error_path),
        ("CausePath", &state.cause_path),
    ] {
        if let Some(p) = value {
            let checked = if intrinsic::is_intrinsic(p) {
                intrinsic::check(p)
            } else {
                path::check_path(p)
            };
            if let Err(e) = checked {
                report.state(name, field, e);
            }
        }
    }
}

fn check_map(name: &str, state: &State, machine: QueryLanguage, report: &mut Report) {
    match (&state.item_processor, &state.iterator) {
        (Some(_), Some(_)) => report.state(
            name,
            "Iterator",
            "use either ItemProcessor or Iterator, not both",
        ),
        (None, None) => report.state(name, "ItemProcessor", "a Map state needs an ItemProcessor"),
        _ => {}
    }
    if let Some(processor) = state.processor() {
        // Its states fall back to the machine's language, not the Map's (measured on AWS).
        check_machine(processor, machine, report);
    }
    exclusive(
        name,
        state.max_concurrency.is_some(),
        state.max_concurrency_path.is_some(),
        ("MaxConcurrency", "MaxConcurrencyPath"),
        report,
    );
    exclusive(
        name,
        state.tolerated_failure_count.is_some(),
        state.tolerated_failure_count_path.is_some(),
        ("ToleratedFailureCount", "ToleratedFailureCountPath"),
        report,
    );
    exclusive(
        name,
        state.tolerated_failure_percentage.is_some(),
        state.tolerated_failure_percentage_path.is_some(),
        (
            "ToleratedFailurePercentage",
            "ToleratedFailurePercentagePath",
        ),
        report,
    );
    number_field(
        name,
        "MaxConcurrency",
        &state.max_concurrency,
        non_negative_integer,
        report,
    );
    number_field(
        name,
        "ToleratedFailureCount",
        &state.tolerated_failure_count,
        non_negative_integer,
        report,
    );
    number_field(
        name,
        "ToleratedFailurePercentage",
        &state.tolerated_failure_percentage,
        |v| number_in(v, 0.0, 100.0),
        report,
    );
}

fn check_error_equals(name: &str, field: &str, errors: &[String], last: bool, report: &mut Report) {
    if errors.is_empty() {
        report.state(
            name,
            &format!("{field}.ErrorEquals"),
            "must list at least one error name",
        );
    }
    if errors.iter().any(|e| e == names::ALL) {
        if errors.len() > 1 {
            report.state(
                name,
                &format!("{field}.ErrorEquals"),
                "States.ALL must appear alone",
            );
        }
        if !last {
            report.state(
                name,
                &format!("{field}.ErrorEquals"),
                "States.ALL must be in the last entry",
            );
        }
    }
}

fn check_retrier(name: &str, field: &str, retrier: &Retrier, last: bool, report: &mut Report) {
    check_error_equals(name, field, &retrier.error_equals, last, report);
    let f = |sub: &str| format!("{field}.{sub}");
    number_field(
        name,
        &f("IntervalSeconds"),
        &retrier.interval_seconds,
        positive_integer,
        report,
    );
    number_field(
        name,
        &f("MaxAttempts"),
        &retrier.max_attempts,
        non_negative_integer,
        report,
    );
    number_field(
        name,
        &f("MaxDelaySeconds"),
        &retrier.max_delay_seconds,
        positive_integer,
        report,
    );
    number_field(
        name,
        &f("BackoffRate"),
        &retrier.backoff_rate,
        |v| number_in(v, 1.0, f64::MAX),
        report,
    );
}

fn check_catcher(
    name: &str,
    field: &str,
    catcher: &Catcher,
    states: &States,
    last: bool,
    report: &mut Report,
) {
    check_error_equals(name, field, &catcher.error_equals, last, report);
    if !states.contains(&catcher.next) {
        report.state(
            name,
            &format!("{field}.Next"),
            format!("no state named '{}'", catcher.next),
        );
    }
    if let Nullable::Set(p) = &catcher.result_path
        && let Err(e) = path::check_reference_path(p)
    {
        report.state(name, &format!("{field}.ResultPath"), e);
    }
}

fn exclusive(name: &str, a: bool, b: bool, fields: (&str, &str), report: &mut Report) {
    if a && b {
        report.state(
            name,
            fields.1,
            format!("cannot be used together with {}", fields.0),
        );
    }
}

/// Check a numeric field (JSONata `{% %}` strings are left to run time).
fn number_field<T>(
    name: &str,
    field: &str,
    value: &Option<Value>,
    check: impl Fn(&Value) -> Result<T, String>,
    report: &mut Report,
) -> Option<T> {
    let value = value.as_ref()?;
    if is_jsonata(value) {
        return None;
    }
    check(value).map_err(|e| report.state(name, field, e)).ok()
}

fn is_jsonata(value: &Value) -> bool {
    value
        .as_str()
        .is_some_and(|s| s.starts_with("{%") && s.ends_with("%}"))
}
