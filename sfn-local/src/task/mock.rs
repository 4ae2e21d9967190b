//! AWS Step Functions Local's mock configuration (`MockConfigFile.json`): for one test case,
//! Task states named in it return or throw canned responses instead of calling anything.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::sync::{Arc, Mutex};

use futures::future::BoxFuture;
use serde::Deserialize;
use sfn_json::Value;

use super::{InvokeError, LambdaInvoker};

/// Why a mock configuration cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MockError {
    #[error("cannot read mock config {file}: {message}")]
    Read { file: String, message: String },
    #[error("{file}: not a valid mock config: {message}")]
    Parse { file: String, message: String },
    #[error(
        "{file}: MockedResponses.{response}: bad attempt key \"{key}\" (want \"N\" or \"N-M\")"
    )]
    AttemptKey {
        file: String,
        response: String,
        key: String,
    },
    #[error("{file}: StateMachines has no \"{machine}\" (has: {known})")]
    UnknownMachine {
        file: String,
        machine: String,
        known: String,
    },
    #[error("{file}: StateMachines.{machine}.TestCases has no \"{case}\" (has: {known})")]
    UnknownTestCase {
        file: String,
        machine: String,
        case: String,
        known: String,
    },
    #[error(
        "{file}: StateMachines.{machine}.TestCases.{case}.{state} names the mocked response \"{response}\", which MockedResponses does not define"
    )]
    UnknownResponse {
        file: String,
        machine: String,
        case: String,
        state: String,
        response: String,
    },
}

/// One canned outcome: the service's response, or an error the Task raises.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub enum MockStep {
    Return(Value),
    Throw {
        #[serde(rename = "Error")]
        error: String,
        #[serde(rename = "Cause", default)]
        cause: String,
    },
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct RawConfig {
    #[serde(default)]
    state_machines: BTreeMap<String, RawMachine>,
    #[serde(default)]
    mocked_responses: BTreeMap<String, BTreeMap<String, MockStep>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct RawMachine {
    #[serde(default)]
    test_cases: BTreeMap<String, BTreeMap<String, String>>,
}

/// A mocked response: its steps by attempt range (inclusive), in file order of their start.
#[derive(Debug, Clone, PartialEq)]
pub struct MockedResponse {
    steps: Vec<(u32, u32, MockStep)>,
}

impl MockedResponse {
    /// The step for a 0-based attempt. Past the last range the last step repeats, so a retry
    /// loop longer than the file describes keeps behaving like its final attempt.
    pub fn step(&self, attempt: u32) -> Option<&MockStep> {
        self.steps
            .iter()
            .find(|(from, to, _)| (*from..=*to).contains(&attempt))
            .or_else(|| self.steps.iter().rev().find(|(from, ..)| *from <= attempt))
            .map(|(.., step)| step)
    }
}

/// "N" or "N-M" (N ≤ M).
pub fn attempt_range(key: &str) -> Option<(u32, u32)> {
    let (from, to) = match key.split_once('-') {
        Some((a, b)) => (a.trim().parse().ok()?, b.trim().parse().ok()?),
        None => {
            let n = key.trim().parse().ok()?;
            (n, n)
        }
    };
    (from <= to).then_some((from, to))
}

/// A parsed, checked mock configuration file.
#[derive(Debug, Clone)]
pub struct MockConfig {
    file: String,
    machines: BTreeMap<String, BTreeMap<String, BTreeMap<String, String>>>,
    responses: HashMap<String, Arc<MockedResponse>>,
}

impl MockConfig {
    pub fn load(path: &Path) -> Result<Self, MockError> {
        let file = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| MockError::Read {
            file: file.clone(),
            message: e.to_string(),
        })?;
        Self::parse(&text, &file)
    }

    /// `file` only names the source in errors.
    pub fn parse(text: &str, file: &str) -> Result<Self, MockError> {
        let mut de = serde_json::Deserializer::from_str(text);
        let raw: RawConfig =
            serde_path_to_error::deserialize(&mut de).map_err(|e| MockError::Parse {
                file: file.to_owned(),
                message: e.to_string(),
            })?;
        let mut responses = HashMap::new();
        for (name, by_key) in raw.mocked_responses {
            let mut steps = Vec::new();
            for (key, step) in by_key {
                let Some((from, to)) = attempt_range(&key) else {
                    return Err(MockError::AttemptKey {
                        file: file.to_owned(),
                        response: name,
                        key,
                    });
                };
                steps.push((from, to, step));
            }
            steps.sort_by_key(|(from, ..)| *from);
            responses.insert(name, Arc::new(MockedResponse { steps }));
        }
        let machines = raw
            .state_machines
            .into_iter()
            .map(|(name, m)| (name, m.test_cases))
            .collect();
        Ok(Self {
            file: file.to_owned(),
            machines,
            responses,
        })
    }

    /// The mocks of one test case of one state machine, every response it names resolved.
    pub fn test_case(&self, machine: &str, case: &str) -> Result<TestCase, MockError> {
        let known = |names: Vec<&String>| {
            names
                .into_iter()
                .map(String::as_str)
                .collect::<Vec<_>>()
                .join(", ")
        };
        let Some(cases) = self.machines.get(machine) else {
            return Err(MockError::UnknownMachine {
                file: self.file.clone(),
                machine: machine.to_owned(),
                known: known(self.machines.keys().collect()),
            });
        };
        let Some(states) = cases.get(case) else {
            return Err(MockError::UnknownTestCase {
                file: self.file.clone(),
                machine: machine.to_owned(),
                case: case.to_owned(),
                known: known(cases.keys().collect()),
            });
        };
        let mut mocks = HashMap::new();
        for (state, response) in states {
            let Some(found) = self.responses.get(response) else {
                return Err(MockError::UnknownResponse {
                    file: self.file.clone(),
                    machine: machine.to_owned(),
                    case: case.to_owned(),
                    state: state.clone(),
                    response: response.clone(),
                });
            };
            mocks.insert(state.clone(), found.clone());
        }
        Ok(TestCase { mocks })
    }
}

/// The mocked states of one test case.
#[derive(Debug, Clone, Default)]
pub struct TestCase {
    mocks: HashMap<String, Arc<MockedResponse>>,
}

/// Wraps an invoker: states of the test case get their mocked responses (counted per state
/// name across the execution, as Step Functions Local counts attempts); anything else goes to
/// the wrapped invoker.
pub struct MockedLambdas {
    inner: Arc<dyn LambdaInvoker>,
    case: TestCase,
    attempts: Mutex<HashMap<String, u32>>,
}

impl MockedLambdas {
    pub fn new(inner: Arc<dyn LambdaInvoker>, case: TestCase) -> Self {
        Self {
            inner,
            case,
            attempts: Mutex::new(HashMap::new()),
        }
    }
}

impl LambdaInvoker for MockedLambdas {
    fn invoke<'a>(
        &'a self,
        function: &'a str,
        payload: &'a Value,
    ) -> BoxFuture<'a, Result<Value, InvokeError>> {
        self.inner.invoke(function, payload)
    }

    fn mocked(&self, state: &str) -> Option<Result<Value, InvokeError>> {
        let response = self.case.mocks.get(state)?;
        let attempt = {
            // A poisoned lock only means another task panicked; the counts are still usable.
            let mut attempts = self.attempts.lock().unwrap_or_else(|e| e.into_inner());
            let n = attempts.entry(state.to_owned()).or_insert(0);
            let attempt = *n;
            *n = n.saturating_add(1);
            attempt
        };
        Some(match response.step(attempt) {
            Some(MockStep::Return(value)) => Ok(value.clone()),
            Some(MockStep::Throw { error, cause }) => Err(InvokeError::Service {
                error: error.clone(),
                cause: cause.clone(),
            }),
            None => Err(InvokeError::Service {
                error: "States.Runtime".into(),
                cause: format!("the mocked response for state '{state}' has no attempt {attempt}"),
            }),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sfn_json::json;

    const FILE: &str = "MockConfigFile.json";

    fn config() -> MockConfig {
        let text = json!({
            "StateMachines": {"Orders": {"TestCases": {
                "RetryPath": {"Charge": "FlakyCharge"},
                "Broken": {"Charge": "Missing"}
            }}},
            "MockedResponses": {"FlakyCharge": {
                "0": {"Throw": {"Error": "Lambda.ResourceNotReadyException", "Cause": "not ready"}},
                "1-2": {"Throw": {"Error": "Lambda.TimeoutException"}},
                "3": {"Return": {"StatusCode": 200, "Payload": {"ok": true}}}
            }}
        });
        match MockConfig::parse(&text.to_string(), FILE) {
            Ok(c) => c,
            Err(e) => panic!("{e}"),
        }
    }

    #[test]
    fn attempt_keys_are_single_numbers_or_inclusive_ranges() {
        assert_eq!(attempt_range("0"), Some((0, 0)));
        assert_eq!(attempt_range("1-2"), Some((1, 2)));
        assert_eq!(attempt_range("2-1"), None);
        assert_eq!(attempt_range("x"), None);
        assert_eq!(attempt_range("-1"), None);
    }

    #[test]
    fn steps_follow_the_attempt_and_the_last_one_repeats() {
        let Ok(case) = config().test_case("Orders", "RetryPath") else {
            panic!("test case");
        };
        let mocked = MockedLambdas::new(Arc::new(super::super::InProcessLambdas::new()), case);
        let errors: Vec<String> = (0..5)
            .map(|_| match mocked.mocked("Charge") {
                Some(Err(InvokeError::Service { error, .. })) => error,
                Some(Ok(v)) => v["Payload"].to_string(),
                other => format!("{other:?}"),
            })
            .collect();
        assert_eq!(
            errors,
            [
                "Lambda.ResourceNotReadyException",
                "Lambda.TimeoutException",
                "Lambda.TimeoutException",
                r#"{"ok":true}"#,
                r#"{"ok":true}"#
            ]
        );
        assert!(mocked.mocked("Other").is_none());
    }

    #[test]
    fn unknown_names_are_reported_with_the_file_and_key() {
        let config = config();
        let err = |m: &str, c: &str| match config.test_case(m, c) {
            Err(e) => e.to_string(),
            Ok(_) => "ok".into(),
        };
        let missing_case = err("Orders", "Nope");
        assert!(missing_case.contains(FILE) && missing_case.contains("\"Nope\""));
        assert!(missing_case.contains("RetryPath"), "{missing_case}");
        assert!(err("Other", "RetryPath").contains("no \"Other\""));
        let missing_response = err("Orders", "Broken");
        assert!(missing_response.contains("TestCases.Broken.Charge"));
        assert!(missing_response.contains("\"Missing\""));
    }

    #[test]
    fn bad_files_are_rejected_with_where_and_why() {
        let bad_key = json!({"MockedResponses": {"R": {"first": {"Return": 1}}}}).to_string();
        match MockConfig::parse(&bad_key, FILE) {
            Err(MockError::AttemptKey { response, key, .. }) => {
                assert_eq!((response.as_str(), key.as_str()), ("R", "first"));
            }
            other => panic!("{other:?}"),
        }
        let bad_step = json!({"MockedResponses": {"R": {"0": {"Answer": 1}}}}).to_string();
        match MockConfig::parse(&bad_step, FILE) {
            Err(MockError::Parse { message, .. }) => {
                assert!(message.contains("MockedResponses.R"), "{message}");
            }
            other => panic!("{other:?}"),
        }
        assert!(MockConfig::parse("not json", FILE).is_err());
    }
}
