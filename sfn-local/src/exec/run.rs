//! One execution: the shared run record and the state-to-state loop of a machine or branch.

use std::sync::{Arc, OnceLock};
use std::time::{Duration, SystemTime};

use chrono::{DateTime, Utc};
use futures::FutureExt;
use futures::future::BoxFuture;
use sfn_json::{Map, Value, json};

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
    /// When the execution started, on the (virtual) tokio clock and the wall clock: read at
    /// the start when anything can show a time (a recorded or observed history, `$$`, a Wait
    /// until a timestamp), else on first use, if any. Clock reads were a tenth of the cost
    /// of starting an execution that never shows a time.
    started_at: OnceLock<StartedAt>,
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
        self.started_at().now_after()
    }

    fn started_at(&self) -> StartedAt {
        *self.started_at.get_or_init(StartedAt::now)
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
            started_at: OnceLock::from(self.started_at()),
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

/// One moment on both clocks.
#[derive(Clone, Copy)]
struct StartedAt {
    tokio: tokio::time::Instant,
    /// Kept as a `SystemTime`: the calendar form is worked out only for timestamps shown.
    wall: SystemTime,
}

impl StartedAt {
    fn now() -> Self {
        Self {
            tokio: tokio::time::Instant::now(),
            wall: SystemTime::now(),
        }
    }

    /// Wall time at the start plus the (virtual) tokio time since.
    fn now_after(self) -> DateTime<Utc> {
        let elapsed = tokio::time::Instant::now().saturating_duration_since(self.tokio);
        DateTime::<Utc>::from(self.wall) + chrono::Duration::from_std(elapsed).unwrap_or_default()
    }
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

/// One execution, from its start to its outcome. The run record is built here and moved into
/// the future, which then holds each argument once (an `async fn` keeps its arguments and the
/// record built from them side by side, and the caller's await copies the future whole).
/// What reads the clock waits for the first poll: a paused tokio clock is only there then.
pub(crate) fn execute(
    engine: Engine,
    machine: Arc<StateMachine>,
    input: Value,
    options: ExecutionOptions,
) -> impl Future<Output = Outcome> + Send + 'static {
    let history = EventLog::new(
        engine.limits().history_events,
        options.record_history,
        options.observer.clone(),
    );
    let mut run = Run {
        history,
        engine,
        options,
        started_at: OnceLock::new(),
        execution_context: None,
        state_machine_context: None,
    };
    async move {
        let options = &run.options;
        if options.record_history
            || options.observer.is_some()
            || machine.states.reads_context()
            || machine.states.waits_for_timestamp()
        {
            run.started_at.get_or_init(StartedAt::now);
        }
        if machine.states.reads_context() {
            let (execution, state_machine) = context_values(&run, &machine, &input);
            run.execution_context = Some(Arc::new(execution));
            run.state_machine_context = Some(Arc::new(state_machine));
        }
        let mut thread = Thread { prev: 0 };
        // Returned from at once, so that no error is held across the await below.
        if let Err(e) = start(&run, &input, &mut thread) {
            return finish(run, Ok(Err(e)));
        }
        let frame = Frame {
            language: machine.query_language.unwrap_or_default(),
            ..Frame::default()
        };
        // Without a timeout the execution's own loop is awaited in place, not boxed (branches
        // and iterations, which recurse, box theirs); each arm builds its own, so the future
        // does not hold both forms.
        let result = match machine.timeout_seconds.as_ref().and_then(Value::as_u64) {
            Some(secs) => {
                let body = run_states(&run, &machine, input, frame, &mut thread, true);
                tokio::time::timeout(Duration::from_secs(secs), body).await
            }
            None => Ok(state_loop(&run, &machine, input, frame, &mut thread, true).await),
        };
        finish(run, result)
    }
}

/// The execution's first event and its input's size check.
fn start(run: &Run, input: &Value, thread: &mut Thread) -> Result<(), StatesError> {
    run.event("ExecutionStarted", thread, || {
        Some((
            "executionStartedEventDetails",
            json!({"input": text(input), "inputDetails": {"truncated": false}, "roleArn": run.options.role_arn}),
        ))
    })?;
    if exceeds(input, run.engine.limits().payload_bytes) {
        return Err(StatesError::new(
            names::DATA_LIMIT_EXCEEDED,
            "The execution input exceeds the maximum number of bytes service limit.",
        ));
    }
    Ok(())
}

/// `$$.Execution` (without per-state fields) and `$$.StateMachine`.
fn context_values(run: &Run, machine: &StateMachine, input: &Value) -> (Value, Value) {
    let options = &run.options;
    let arn_prefix = format!("arn:aws:states:{}:{}", options.region, options.account);
    let mut execution = Map::new();
    let name = options.execution_name();
    let id = format!(
        "{arn_prefix}:execution:{}:{name}",
        options.state_machine_name
    );
    execution.insert("Id", Value::String(id));
    // A copy of the whole input, made only for a machine that can read `$$.Execution`.
    if machine.states.reads_execution_context() {
        execution.insert("Input", input.clone());
    }
    execution.insert("Name", json!(name));
    execution.insert("RoleArn", json!(options.role_arn));
    let start = run.started_at().wall;
    execution.insert("StartTime", json!(format_time(start.into())));
    execution.insert("RedriveCount", json!(0));
    let state_machine = json!({
        "Id": format!("{arn_prefix}:stateMachine:{}", options.state_machine_name),
        "Name": options.state_machine_name,
    });
    (Value::Object(execution), state_machine)
}

fn finish(
    run: Run,
    result: Result<Result<Value, StatesError>, tokio::time::error::Elapsed>,
) -> Outcome {
    let started_at = run.started_at.get().copied();
    let timestamp = move || format_time(started_at.unwrap_or_else(StartedAt::now).now_after());
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
    assigned: &Map,
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
// Not an `async fn`: that would hold its arguments twice (as arguments and as the locals
// they are moved into), and this future is held by every execution, branch and iteration.
#[allow(clippy::manual_async_fn)]
fn state_loop<'a>(
    run: &'a Run,
    machine: &'a StateMachine,
    mut input: Value,
    mut frame: Frame,
    thread: &'a mut Thread,
    mut input_checked: bool,
) -> impl Future<Output = Result<Value, StatesError>> + Send + 'a {
    async move {
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
                    let shown: sfn_json::Map = assigned
                        .iter()
                        .map(|(k, v)| (k.clone(), Value::String(text(v))))
                        .collect();
                    map.insert("assignedVariables", Value::Object(shown));
                    map.insert("assignedVariablesDetails", json!({"truncated": false}));
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
}
