//! One execution: the shared run record and the state-to-state loop of a machine or branch.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use chrono::{DateTime, Utc};
use futures::FutureExt;
use futures::future::BoxFuture;
use serde_json::{Map, Value, json};

use super::context::{Frame, StateCtx};
use super::size::{exceeds, json_len};
use super::states::{self, Step};
use super::{Engine, ExecutionOptions, Outcome, Status};
use crate::error::{StatesError, names};
use crate::history::{EventLog, text};
use crate::model::{QueryLanguage, State, StateMachine, StateType, Targets};

/// For a state whose transitions were never resolved (cannot happen: `States::new` resolves
/// every state's); every transition then fails as naming no state.
static NO_TARGETS: Targets = Targets {
    next: None,
    default: None,
    choices: Vec::new(),
    catch: Vec::new(),
};

/// What every state of one execution shares.
pub(crate) struct Run {
    pub engine: Engine,
    pub options: ExecutionOptions,
    history: EventLog,
    start: tokio::time::Instant,
    /// Read as a `SystemTime`: the calendar form is worked out only for timestamps shown.
    start_wall: SystemTime,
    /// `$$.Execution` (without per-state fields) and `$$.StateMachine`, for a machine that
    /// reads `$$`.
    pub execution_context: Option<Arc<Value>>,
    pub state_machine_context: Option<Arc<Value>>,
}

/// The event chain of one thread of control (the execution, a branch, an iteration).
pub(crate) struct Thread {
    pub prev: u64,
}

impl Run {
    /// The execution's clock: wall time at start plus (virtual) tokio time since.
    pub fn now(&self) -> DateTime<Utc> {
        clock(self.start, self.start_wall)
    }

    pub fn timestamp(&self) -> String {
        format_time(self.now())
    }

    /// The run of a child execution (a DISTRIBUTED Map iteration): the same engine, clock
    /// and context, its own event count, and events that never reach the parent's history.
    pub fn child(&self) -> Run {
        let options = ExecutionOptions {
            record_history: false,
            observer: None,
            ..self.options.clone()
        };
        Run {
            engine: self.engine.clone(),
            history: EventLog::new(self.engine.limits().history_events, false, None),
            options,
            start: self.start,
            start_wall: self.start_wall,
            execution_context: self.execution_context.clone(),
            state_machine_context: self.state_machine_context.clone(),
        }
    }

    /// Append an event to the history; `details` is built only when details are recorded.
    pub fn event(
        &self,
        kind: &str,
        thread: &mut Thread,
        details: impl FnOnce() -> Option<(&'static str, Value)>,
    ) -> Result<u64, StatesError> {
        let id = self
            .history
            .add(kind, thread.prev, || self.timestamp(), details)?;
        thread.prev = id;
        Ok(id)
    }
}

/// Wall time at `start_wall` plus the (virtual) tokio time since `start`.
fn clock(start: tokio::time::Instant, start_wall: SystemTime) -> DateTime<Utc> {
    let elapsed = tokio::time::Instant::now().saturating_duration_since(start);
    DateTime::<Utc>::from(start_wall) + chrono::Duration::from_std(elapsed).unwrap_or_default()
}

/// `2024-01-01T00:00:00.000Z`, the form `$$` timestamps take.
pub(crate) fn format_time(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

fn entered_kind(kind: StateType) -> &'static str {
    match kind {
        StateType::Pass => "PassStateEntered",
        StateType::Task => "TaskStateEntered",
        StateType::Choice => "ChoiceStateEntered",
        StateType::Wait => "WaitStateEntered",
        StateType::Succeed => "SucceedStateEntered",
        StateType::Fail => "FailStateEntered",
        StateType::Parallel => "ParallelStateEntered",
        StateType::Map => "MapStateEntered",
    }
}

fn exited_kind(kind: StateType) -> &'static str {
    match kind {
        StateType::Pass => "PassStateExited",
        StateType::Task => "TaskStateExited",
        StateType::Choice => "ChoiceStateExited",
        StateType::Wait => "WaitStateExited",
        StateType::Succeed => "SucceedStateExited",
        StateType::Fail => "FailStateExited",
        StateType::Parallel => "ParallelStateExited",
        StateType::Map => "MapStateExited",
    }
}

/// Whether a definition uses JSONata or variables.
pub fn uses_jsonata(machine: &StateMachine) -> bool {
    machine.query_language == Some(QueryLanguage::JSONata)
        || machine.states.iter().any(|(_, s)| state_uses_jsonata(s))
}

fn state_uses_jsonata(s: &State) -> bool {
    s.query_language == Some(QueryLanguage::JSONata)
        || s.assign.is_some()
        || s.branches.iter().flatten().any(uses_jsonata)
        || s.processor().is_some_and(uses_jsonata)
}

pub(crate) async fn execute(
    engine: Engine,
    machine: Arc<StateMachine>,
    input: Value,
    options: ExecutionOptions,
) -> Outcome {
    let start_wall = SystemTime::now();
    let (execution_context, state_machine_context) = if machine.states.reads_context() {
        let arn_prefix = format!("arn:aws:states:{}:{}", options.region, options.account);
        let mut execution = Map::new();
        let name = options.execution_name();
        let id = format!(
            "{arn_prefix}:execution:{}:{name}",
            options.state_machine_name
        );
        execution.insert("Id".into(), Value::String(id));
        // A copy of the whole input, made only for a machine that can read `$$.Execution`.
        if machine.states.reads_execution_context() {
            execution.insert("Input".into(), input.clone());
        }
        execution.insert("Name".into(), json!(name));
        execution.insert("RoleArn".into(), json!(options.role_arn));
        execution.insert("StartTime".into(), json!(format_time(start_wall.into())));
        execution.insert("RedriveCount".into(), json!(0));
        let state_machine = json!({
            "Id": format!("{arn_prefix}:stateMachine:{}", options.state_machine_name),
            "Name": options.state_machine_name,
        });
        (
            Some(Arc::new(Value::Object(execution))),
            Some(Arc::new(state_machine)),
        )
    } else {
        (None, None)
    };
    let limits = engine.limits();
    let run = Run {
        history: EventLog::new(
            limits.history_events,
            options.record_history,
            options.observer.clone(),
        ),
        engine,
        options,
        start: tokio::time::Instant::now(),
        start_wall,
        execution_context,
        state_machine_context,
    };
    let mut thread = Thread { prev: 0 };
    let started = run.event("ExecutionStarted", &mut thread, || {
        Some((
            "executionStartedEventDetails",
            json!({"input": text(&input), "inputDetails": {"truncated": false}, "roleArn": run.options.role_arn}),
        ))
    });
    let result = if let Err(e) = started {
        Ok(Err(e))
    } else if exceeds(&input, limits.payload_bytes) {
        Ok(Err(StatesError::new(
            names::DATA_LIMIT_EXCEEDED,
            "The execution input exceeds the maximum number of bytes service limit.",
        )))
    } else {
        let frame = Frame {
            language: machine.query_language.unwrap_or_default(),
            ..Frame::default()
        };
        // Without a timeout the execution's own loop is awaited in place, not boxed (branches
        // and iterations, which recurse, box theirs); each arm builds its own, so the future
        // does not hold both forms.
        match machine.timeout_seconds.as_ref().and_then(Value::as_u64) {
            Some(secs) => {
                let body = run_states(&run, &machine, input, frame, &mut thread, true);
                tokio::time::timeout(Duration::from_secs(secs), body).await
            }
            None => Ok(state_loop(&run, &machine, input, frame, &mut thread, true).await),
        }
    };
    finish(run, result)
}

fn finish(
    run: Run,
    result: Result<Result<Value, StatesError>, tokio::time::error::Elapsed>,
) -> Outcome {
    let (start, start_wall) = (run.start, run.start_wall);
    let timestamp = move || format_time(clock(start, start_wall));
    let history = run.history;
    let prev = history.len();
    // The closing event's details are built only when the history records them.
    let ((event_count, history), status, output, error, cause) = match result {
        Ok(Ok(output)) => {
            let details = || {
                Some((
                    "executionSucceededEventDetails",
                    json!({"output": text(&output), "outputDetails": {"truncated": false}}),
                ))
            };
            let closed = history.close("ExecutionSucceeded", prev, timestamp, details);
            (closed, Status::Succeeded, Some(output), None, None)
        }
        Ok(Err(e)) => {
            let error = (!e.error.is_empty()).then_some(e.error);
            let cause = (!e.cause.is_empty()).then_some(e.cause);
            let details = || {
                Some((
                    "executionFailedEventDetails",
                    json!({"error": error, "cause": cause}),
                ))
            };
            let closed = history.close("ExecutionFailed", prev, timestamp, details);
            (closed, Status::Failed, None, error, cause)
        }
        Err(_) => {
            let closed = history.close("ExecutionTimedOut", prev, timestamp, || None);
            (closed, Status::TimedOut, None, None, None)
        }
    };
    Outcome {
        status,
        output,
        error,
        cause,
        history,
        event_count,
    }
}

/// Largest size of all the variables an execution holds at one time (AWS: 10 MiB).
const EXECUTION_VARIABLES_LIMIT_BYTES: usize = 10 * 1024 * 1024;

/// The size of the frame's variables once `assigned` replaces or joins them; counts only the
/// values that change, so the check costs what the assignment does.
fn variables_after(
    frame: &Frame,
    assigned: &Map<String, Value>,
    name: &str,
    entered_id: u64,
) -> Result<usize, StatesError> {
    let mut total = frame.variables_bytes;
    for (key, value) in assigned {
        if let Some(old) = frame.variables.get(key) {
            total = total.saturating_sub(json_len(old, usize::MAX));
        }
        total = total.saturating_add(json_len(value, usize::MAX));
    }
    if total > EXECUTION_VARIABLES_LIMIT_BYTES {
        return Err(StatesError::new(
            names::DATA_LIMIT_EXCEEDED,
            format!(
                "An error occurred while executing the state '{name}' (entered at the event id #{entered_id}). The variables of the execution exceed the maximum number of bytes service limit."
            ),
        ));
    }
    Ok(total)
}

/// Run a machine, branch or item processor from StartAt to its end.
pub(crate) fn run_machine<'a>(
    run: &'a Run,
    machine: &'a StateMachine,
    input: Value,
    frame: Frame,
    thread: &'a mut Thread,
) -> BoxFuture<'a, Result<Value, StatesError>> {
    run_states(run, machine, input, frame, thread, false)
}

/// [`run_machine`], told whether `input` already met the payload limit (the execution input
/// has, and so has a Map item that is a part of its state's input; an iteration input built
/// by an ItemSelector or a branch input has not been checked).
pub(crate) fn run_states<'a>(
    run: &'a Run,
    machine: &'a StateMachine,
    input: Value,
    frame: Frame,
    thread: &'a mut Thread,
    input_checked: bool,
) -> BoxFuture<'a, Result<Value, StatesError>> {
    state_loop(run, machine, input, frame, thread, input_checked).boxed()
}

/// The state-to-state loop behind [`run_states`].
async fn state_loop(
    run: &Run,
    machine: &StateMachine,
    mut input: Value,
    mut frame: Frame,
    thread: &mut Thread,
    mut input_checked: bool,
) -> Result<Value, StatesError> {
    let mut name: &str = &machine.start_at;
    let mut position = machine.start_position();
    loop {
        let Some((state, targets)) = position.and_then(|p| {
            let (_, state) = machine.states.at(p)?;
            Some((state, machine.states.targets(p).unwrap_or(&NO_TARGETS)))
        }) else {
            return Err(StatesError::runtime(format!(
                "There is no state named '{name}'."
            )));
        };
        let entered_id = run.event(entered_kind(state.kind), thread, || {
            Some((
                "stateEnteredEventDetails",
                json!({"name": name, "input": text(&input), "inputDetails": {"truncated": false}}),
            ))
        })?;
        // An input built for this branch or iteration (a Parallel's Parameters, a Map's
        // ItemSelector or batch) is checked as its first state takes it, as AWS checks a
        // state's input after Parameters, whatever the state then outputs.
        if !input_checked && exceeds(&input, run.engine.limits().payload_bytes) {
            return Err(StatesError::new(
                names::DATA_LIMIT_EXCEEDED,
                format!(
                    "The state/task '{name}' received an input with a size exceeding the maximum number of bytes service limit."
                ),
            ));
        }
        input_checked = true;
        // An output that is the input unchanged needs no second size check.
        let (
            Step {
                output,
                next,
                assigned,
            },
            unchanged,
        ) = if state.passes_input_through {
            (states::pass_through(state, targets, input), true)
        } else {
            let language = frame.language;
            let ctx = StateCtx::new(run, name, (state, targets), entered_id, frame);
            let unchanged = states::output_is_input(&ctx);
            let step = if states::is_immediate(state.kind) {
                states::execute_now(&ctx, input)?
            } else {
                // Boxed so this loop's future (boxed per iteration and branch, and moved
                // while it runs) does not carry the large future of a Task/Map/Parallel/Wait.
                states::execute(&ctx, input, thread).boxed().await?
            };
            frame = ctx.into_frame(language);
            (step, unchanged)
        };
        if !unchanged && exceeds(&output, run.engine.limits().payload_bytes) {
            return Err(StatesError::new(
                names::DATA_LIMIT_EXCEEDED,
                format!(
                    "The state/task '{name}' returned a result with a size exceeding the maximum number of bytes service limit."
                ),
            ));
        }
        let variables_bytes = match &assigned {
            Some(assigned) => variables_after(&frame, assigned, name, entered_id)?,
            None => frame.variables_bytes,
        };
        run.event(exited_kind(state.kind), thread, || {
            let mut details = json!({"name": name, "output": text(&output), "outputDetails": {"truncated": false}});
            // AWS lists the assigned variables (as JSON text) on the exit event.
            if let (Some(assigned), Value::Object(map)) = (&assigned, &mut details) {
                let shown: serde_json::Map<String, Value> = assigned
                    .iter()
                    .map(|(k, v)| (k.clone(), Value::String(text(v))))
                    .collect();
                map.insert("assignedVariables".into(), Value::Object(shown));
                map.insert("assignedVariablesDetails".into(), json!({"truncated": false}));
            }
            Some(("stateExitedEventDetails", details))
        })?;
        if let Some(assigned) = assigned {
            std::sync::Arc::make_mut(&mut frame.variables).extend(assigned);
            frame.variables_bytes = variables_bytes;
        }
        match next {
            Some(next) => {
                name = next.name;
                position = next.position;
                input = output;
            }
            None => return Ok(output),
        }
    }
}
