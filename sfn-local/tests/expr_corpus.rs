//! The conformance corpus (recorded against AWS) run through the expression layer directly.
//!
//! A tiny interpreter here covers the cases simple enough not to need the executor: Pass
//! (InputPath, Parameters or Result, Assign, ResultPath, OutputPath), Choice, Succeed and Fail
//! states in JSONPath mode, with no Map/Parallel/Task/Wait or nondeterministic context.
//! Variables (`Assign`, `$name` references) follow AWS's rule that a state sees the values
//! from before its own assignments.
//! Every such case is compared with what AWS recorded: status, output, error and cause (the
//! executor's "An error occurred while executing the state ..." prefix aside).
//!
//! The corpus lives outside the repository (`../../shared/conformance/cases` from this crate);
//! when it is absent the test says so and passes.

use std::fs;
use std::path::PathBuf;

use sfn_json::{Map, Value, json};
use sfn_local::error::StatesError;
use sfn_local::expr::{Scope, choice, path, template};
use sfn_local::model::choice::ChoiceRule;

const MAX_TRANSITIONS: usize = 1000;
const MAX_DEFINITION_BYTES: usize = 64 * 1024;

fn cases_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/conformance/cases")
}

/// What AWS recorded, or what the mini interpreter produced.
#[derive(Debug, PartialEq)]
enum Outcome {
    Succeeded(Value),
    Failed {
        error: Option<String>,
        cause: Option<String>,
    },
}

/// Why a case is out of this test's reach.
struct Unsupported;

fn supported(definition: &Value) -> bool {
    let text = definition.to_string();
    // Payload limits (States.DataLimitExceeded) belong to the executor.
    if text.len() > MAX_DEFINITION_BYTES {
        return false;
    }
    // The mini interpreter's context object only holds the execution input.
    let other_context = text.replace("$$.Execution.Input", "").contains("$$");
    if text.contains("QueryLanguage") || other_context {
        return false;
    }
    let Some(states) = definition.get("States").and_then(Value::as_object) else {
        return false;
    };
    states.values().all(|s| {
        let ty = s.get("Type").and_then(Value::as_str).unwrap_or_default();
        let known = matches!(ty, "Pass" | "Choice" | "Succeed" | "Fail");
        let fields_ok = s.as_object().is_some_and(|m| {
            m.keys().all(|k| {
                matches!(
                    k.as_str(),
                    "Type"
                        | "Next"
                        | "End"
                        | "Comment"
                        | "InputPath"
                        | "OutputPath"
                        | "ResultPath"
                        | "Parameters"
                        | "Result"
                        | "Choices"
                        | "Assign"
                        | "Default"
                        | "Error"
                        | "Cause"
                        | "ErrorPath"
                        | "CausePath"
                )
            })
        });
        known && fields_ok
    })
}

fn scope<'a>(input: &'a Value, context: &'a Value, vars: &'a Map) -> Scope<'a> {
    Scope {
        input,
        context,
        variables: vars,
    }
}

/// `InputPath`/`OutputPath`: absent means `$`, null means `{}`.
fn select(
    field: Option<&Value>,
    value: Value,
    context: &Value,
    vars: &Map,
) -> Result<Value, StatesError> {
    match field {
        None => Ok(value),
        Some(Value::Null) => Ok(json!({})),
        Some(Value::String(p)) => path::query(p, &scope(&value, context, vars)),
        Some(_) => Ok(value),
    }
}

/// `Assign` (JSONPath): a payload template over `base`; the new values take effect only after
/// the state, so the state itself still sees the old ones.
fn assign(
    template_value: Option<&Value>,
    base: &Value,
    context: &Value,
    vars: &Map,
) -> Result<Option<Map>, StatesError> {
    match template_value {
        None => Ok(None),
        Some(t) => match template::evaluate(t, &scope(base, context, vars))? {
            Value::Object(m) => Ok(Some(m)),
            _ => Ok(None),
        },
    }
}

/// One state's outcome: output, next state, variables to assign.
type Step = (Value, Option<String>, Option<Map>);

fn run(definition: &Value, input: Value) -> Result<Outcome, Unsupported> {
    let states = definition.get("States").ok_or(Unsupported)?;
    let context = json!({"Execution": {"Input": input.clone()}});
    let mut vars = Map::new();
    let mut name = definition
        .get("StartAt")
        .and_then(Value::as_str)
        .ok_or(Unsupported)?;
    let mut data = input;
    for _ in 0..MAX_TRANSITIONS {
        let state = states.get(name).ok_or(Unsupported)?;
        let field = |f: &str| state.get(f);
        let ty = field("Type").and_then(Value::as_str).unwrap_or_default();
        let next_field = || field("Next").and_then(Value::as_str).map(str::to_string);
        let step = (|| -> Result<Step, StatesError> {
            match ty {
                "Pass" => {
                    let effective = select(field("InputPath"), data.clone(), &context, &vars)?;
                    let result = match (field("Parameters"), field("Result")) {
                        (Some(p), _) => template::evaluate(p, &scope(&effective, &context, &vars))?,
                        (None, Some(r)) => r.clone(),
                        (None, None) => effective,
                    };
                    let assigned = assign(field("Assign"), &result, &context, &vars)?;
                    let combined = match field("ResultPath") {
                        None => result,
                        Some(Value::Null) => data.clone(),
                        Some(Value::String(p)) => path::apply_result_path(data.clone(), p, result)?,
                        Some(_) => result,
                    };
                    let out = select(field("OutputPath"), combined, &context, &vars)?;
                    Ok((out, next_field(), assigned))
                }
                "Choice" => {
                    let effective = select(field("InputPath"), data.clone(), &context, &vars)?;
                    let mut matched = None;
                    for raw in field("Choices")
                        .and_then(Value::as_array)
                        .into_iter()
                        .flatten()
                    {
                        let rule =
                            ChoiceRule::try_from(raw.clone()).map_err(StatesError::runtime)?;
                        if choice::evaluate(&rule, &scope(&effective, &context, &vars))? {
                            matched = Some(rule);
                            break;
                        }
                    }
                    let (next, assign_template) = match &matched {
                        Some(rule) => (rule.next.clone(), rule.assign.as_ref()),
                        None => (
                            field("Default").and_then(Value::as_str).map(str::to_string),
                            field("Assign"),
                        ),
                    };
                    let Some(next) = next else {
                        return Err(StatesError::new(
                            "States.NoChoiceMatched",
                            format!("No Matches! in state '{name}'"),
                        ));
                    };
                    let assigned = assign(assign_template, &effective, &context, &vars)?;
                    let out = select(field("OutputPath"), effective, &context, &vars)?;
                    Ok((out, Some(next), assigned))
                }
                "Succeed" => {
                    let effective = select(field("InputPath"), data.clone(), &context, &vars)?;
                    let out = select(field("OutputPath"), effective, &context, &vars)?;
                    Ok((out, None, None))
                }
                _ => Ok((data.clone(), None, None)),
            }
        })();
        if ty == "Fail" {
            let pick = |literal: &str, dynamic: &str| -> Result<Option<String>, StatesError> {
                match field(dynamic).and_then(Value::as_str) {
                    Some(p) => Ok(path::query(p, &scope(&data, &context, &vars))?
                        .as_str()
                        .map(str::to_string)),
                    None => Ok(field(literal).and_then(Value::as_str).map(str::to_string)),
                }
            };
            return Ok(
                match (pick("Error", "ErrorPath"), pick("Cause", "CausePath")) {
                    (Ok(error), Ok(cause)) => Outcome::Failed { error, cause },
                    (Err(e), _) | (_, Err(e)) => Outcome::Failed {
                        error: Some(e.error),
                        cause: Some(e.cause),
                    },
                },
            );
        }
        match step {
            Err(e) => {
                return Ok(Outcome::Failed {
                    error: Some(e.error),
                    cause: Some(e.cause),
                });
            }
            Ok((out, next, assigned)) => {
                vars.extend(assigned.unwrap_or_default());
                let Some(next) = next else {
                    return Ok(Outcome::Succeeded(out));
                };
                data = out;
                name = states
                    .as_object()
                    .and_then(|m| m.get_key_value(&next))
                    .map(|(k, _)| k.as_str())
                    .ok_or(Unsupported)?;
            }
        }
    }
    Err(Unsupported)
}

/// AWS's causes carry the executor's prefix; compare what follows it.
fn strip_prefix(cause: &str) -> &str {
    match cause.find("). ") {
        Some(i) if cause.starts_with("An error occurred while executing the state") => {
            cause.get(i + 3..).unwrap_or(cause)
        }
        _ => cause,
    }
}

/// JSON equality where 1 and 1.0 are the same number (as the conformance runner compares).
fn same(a: &Value, b: &Value) -> bool {
    path::json_equal(a, b)
}

fn expected(case: &Value) -> Option<Outcome> {
    let e = case.get("expected")?;
    match e.get("status")?.as_str()? {
        "SUCCEEDED" => Some(Outcome::Succeeded(e.get("output")?.clone())),
        "FAILED" => Some(Outcome::Failed {
            error: e.get("error").and_then(Value::as_str).map(str::to_string),
            cause: e.get("cause").and_then(Value::as_str).map(str::to_string),
        }),
        _ => None,
    }
}

fn agrees(want: &Outcome, got: &Outcome) -> bool {
    match (want, got) {
        (Outcome::Succeeded(a), Outcome::Succeeded(b)) => same(a, b),
        (
            Outcome::Failed {
                error: we,
                cause: wc,
            },
            Outcome::Failed {
                error: ge,
                cause: gc,
            },
        ) => {
            we == ge
                && match (wc, gc) {
                    (None, _) => true,
                    (Some(w), Some(g)) => strip_prefix(w) == strip_prefix(g),
                    (Some(_), None) => false,
                }
        }
        _ => false,
    }
}

#[test]
fn corpus_cases_within_the_expression_layer() {
    let dir = cases_dir();
    let Ok(entries) = fs::read_dir(&dir) else {
        println!(
            "conformance corpus not found at {}; skipping",
            dir.display()
        );
        return;
    };
    let mut files: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    files.sort();
    let (mut checked, mut skipped) = (0usize, 0usize);
    let mut failures = Vec::new();
    let mut by_group: std::collections::BTreeMap<String, usize> = Default::default();
    for file in files {
        let Ok(text) = fs::read_to_string(&file) else {
            continue;
        };
        let Ok(case) = serde_json::from_str::<Value>(&text) else {
            continue;
        };
        let name = case
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        let (Some(definition), Some(input), Some(want)) =
            (case.get("definition"), case.get("input"), expected(&case))
        else {
            skipped += 1;
            continue;
        };
        if !supported(definition) {
            skipped += 1;
            continue;
        }
        let Ok(got) = run(definition, input.clone()) else {
            skipped += 1;
            continue;
        };
        checked += 1;
        *by_group
            .entry(name.split('.').next().unwrap_or_default().to_string())
            .or_default() += 1;
        if !agrees(&want, &got) {
            failures.push(format!("{name}\n  expected {want:?}\n  got      {got:?}"));
        }
    }
    println!("corpus: {checked} cases checked ({by_group:?}), {skipped} out of reach");
    assert!(checked > 0, "no corpus case was within reach");
    assert!(
        failures.is_empty(),
        "{} of {checked} cases disagree with AWS:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
