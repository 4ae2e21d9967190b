//! Step Functions Local mocked responses per execution: the test case comes from the
//! StartExecution ARN (`...:stateMachine:NAME#TestCase`, as Step Functions Local takes it) or a
//! server-wide default. Each mocked execution gets its own engine (mocks count attempts per
//! execution), so task tokens are looked up in every engine.

use std::sync::{Arc, Mutex, PoisonError};

use super::error::ApiError;
use crate::exec::{Engine, Limits};
use crate::task::{LambdaInvoker, MockConfig, MockedLambdas, TaskTokenError};

/// How mocked executions are set up.
#[derive(Clone)]
pub struct Mocks {
    pub config: MockConfig,
    /// The test case of executions whose ARN names none (used for machines that have it).
    pub default_case: Option<String>,
    /// What Task states the test case does not name call.
    pub invoker: Arc<dyn LambdaInvoker>,
    pub limits: Limits,
    pub hold_clock: bool,
}

/// The mocks and the engines of mocked executions.
#[derive(Clone)]
pub(crate) struct MockEngines {
    mocks: Arc<Mocks>,
    engines: Arc<Mutex<Vec<Engine>>>,
}

impl MockEngines {
    pub fn new(mocks: Mocks) -> Self {
        Self {
            mocks: Arc::new(mocks),
            engines: Arc::default(),
        }
    }

    /// An engine answering with the test case (`None`: the default case does not apply to
    /// this machine, run it unmocked). An explicit test case must exist.
    pub fn engine_for(
        &self,
        machine: &str,
        case: Option<&str>,
    ) -> Result<Option<Engine>, ApiError> {
        let test_case = match (case, &self.mocks.default_case) {
            (Some(case), _) => self
                .mocks
                .config
                .test_case(machine, case)
                .map_err(|e| ApiError::Validation(e.to_string()))?,
            (None, Some(default)) => match self.mocks.config.test_case(machine, default) {
                Ok(found) => found,
                Err(_) => return Ok(None),
            },
            (None, None) => return Ok(None),
        };
        let invoker = Arc::new(MockedLambdas::new(self.mocks.invoker.clone(), test_case));
        let engine = Engine::new(invoker)
            .with_limits(self.mocks.limits)
            .holding_clock_for_callbacks(self.mocks.hold_clock);
        self.engines
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(engine.clone());
        Ok(Some(engine))
    }

    pub fn engines(&self) -> Vec<Engine> {
        self.engines
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

/// Answer a token on the first engine that has its task; otherwise the most telling error
/// (`TaskTimedOut` over `TaskDoesNotExist`).
pub(crate) fn answer(
    engines: impl IntoIterator<Item = Engine>,
    send: impl Fn(&Engine) -> Result<(), TaskTokenError>,
) -> Result<(), TaskTokenError> {
    let mut last = Err(TaskTokenError::TaskDoesNotExist);
    for engine in engines {
        match send(&engine) {
            Ok(()) => return Ok(()),
            Err(e) if e.code() == "InvalidToken" => return Err(e),
            Err(e) if e.code() == "TaskTimedOut" => last = Err(e),
            Err(e) if last.is_ok() => last = Err(e),
            Err(_) => {}
        }
    }
    last
}

/// `ARN#TestCase` → (ARN, TestCase).
pub(crate) fn split_test_case(arn: &str) -> (&str, Option<&str>) {
    match arn.split_once('#') {
        Some((arn, case)) => (arn, Some(case)),
        None => (arn, None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_test_case_follows_a_hash() {
        assert_eq!(
            split_test_case("arn:aws:states:us-east-1:1:stateMachine:M#HappyPath"),
            (
                "arn:aws:states:us-east-1:1:stateMachine:M",
                Some("HappyPath")
            )
        );
        assert_eq!(split_test_case("x"), ("x", None));
    }

    #[test]
    fn answers_prefer_a_timed_out_task_to_a_missing_one() {
        let engines = vec![Engine::default(), Engine::default(), Engine::default()];
        let asked = std::cell::Cell::new(0);
        let result = answer(engines, |_| {
            asked.set(asked.get() + 1);
            match asked.get() {
                2 => Err(TaskTokenError::TaskTimedOut),
                _ => Err(TaskTokenError::TaskDoesNotExist),
            }
        });
        assert_eq!(asked.get(), 3, "every engine is asked");
        assert_eq!(result, Err(TaskTokenError::TaskTimedOut));
        let found = answer(vec![Engine::default(), Engine::default()], |_| Ok(()));
        assert_eq!(found, Ok(()));
    }
}
