//! `sfn-local serve`: the Step Functions API (AWS JSON 1.0) over the engine, so the AWS SDKs and
//! CLI can create state machines, start executions, read histories and answer task tokens.
//!
//! [`Service`] is the registry of state machines and executions around one [`Engine`]; its
//! [`Service::router`] speaks the wire protocol. Executions run as tokio tasks on the runtime
//! current when they start (or the one given with [`Service::on_runtime`]).

pub mod api;
mod background;
pub mod error;
mod execution;
mod mocks;
mod ops;
pub mod registry;

use std::panic::AssertUnwindSafe;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use chrono::Utc;
use futures::FutureExt;
use sfn_json::Value;
use tokio::runtime::Handle;

use crate::exec::{Engine, ExecutionOptions, Outcome};
use crate::history::{Event, EventObserver};
use crate::model::StateMachine;
use crate::task::TaskTokenError;

pub use background::{Background, spawn_server};
pub use error::ApiError;
pub use mocks::Mocks;
use registry::{Execution, Machine, MachineType, Registry};

/// The role a state machine runs as when the caller names none.
pub const DEFAULT_ROLE_ARN: &str = "arn:aws:iam::123456789012:role/sfn-local";

/// The Step Functions API's state: state machines and executions around an [`Engine`].
#[derive(Clone)]
pub struct Service {
    engine: Engine,
    registry: Arc<Mutex<Registry>>,
    runtime: Option<Handle>,
    mocks: Option<mocks::MockEngines>,
}

/// What CreateStateMachine asks for.
pub(crate) struct NewMachine {
    pub name: String,
    pub machine: Arc<StateMachine>,
    pub definition: String,
    pub role_arn: String,
    pub kind: MachineType,
}

impl Service {
    pub fn new(engine: Engine) -> Self {
        Self {
            engine,
            registry: Arc::default(),
            runtime: None,
            mocks: None,
        }
    }

    /// Answer Task states from a Step Functions Local mock configuration: the test case named
    /// after `#` in StartExecution's ARN, else `mocks.default_case` for machines that have it.
    pub fn with_mocks(mut self, mocks: Mocks) -> Self {
        self.mocks = Some(mocks::MockEngines::new(mocks));
        self
    }

    /// Run executions on `runtime` rather than the runtime current at StartExecution (a
    /// server on its own virtual-clock runtime, driven from another).
    pub fn on_runtime(mut self, runtime: Handle) -> Self {
        self.runtime = Some(runtime);
        self
    }

    /// The engine unmocked executions run on (mocked ones have their own: answer their tokens
    /// through the API's SendTask*).
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// The axum router speaking AWS JSON 1.0 (`POST /`, `X-Amz-Target: AWSStepFunctions.*`).
    pub fn router(&self) -> axum::Router {
        api::router(self.clone())
    }

    pub(crate) fn registry(&self) -> MutexGuard<'_, Registry> {
        self.registry.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Register a parsed, validated state machine (STANDARD, default role). The same name with
    /// the same definition text returns the existing ARN.
    pub fn create_state_machine(
        &self,
        name: &str,
        machine: Arc<StateMachine>,
        definition_text: String,
    ) -> Result<String, ApiError> {
        let created = self.create(NewMachine {
            name: name.to_owned(),
            machine,
            definition: definition_text,
            role_arn: DEFAULT_ROLE_ARN.to_owned(),
            kind: MachineType::Standard,
        })?;
        Ok(created.arn)
    }

    pub(crate) fn create(&self, new: NewMachine) -> Result<Machine, ApiError> {
        registry::check_name(&new.name)?;
        let arn = registry::state_machine_arn(&new.name);
        let mut registry = self.registry();
        if let Some(existing) = registry.machines.get(&new.name) {
            // AWS: idempotent on name, definition and type; the role is ignored.
            if *existing.definition == *new.definition && existing.kind == new.kind {
                return Ok(existing.clone());
            }
            return Err(ApiError::StateMachineAlreadyExists(format!(
                "State Machine Already Exists: '{arn}'"
            )));
        }
        let machine = Machine {
            name: new.name.clone(),
            arn,
            definition: new.definition.into(),
            machine: new.machine,
            role_arn: new.role_arn,
            kind: new.kind,
            creation_date: registry::epoch(Utc::now()),
        };
        registry.machines.insert(new.name, machine.clone());
        Ok(machine)
    }

    /// Start an execution (`name` defaults to a UUID). The same name and input while it runs
    /// returns the same ARN; the same name otherwise is `ExecutionAlreadyExists`.
    pub fn start_execution(
        &self,
        state_machine_arn: &str,
        name: Option<String>,
        input: Value,
    ) -> Result<String, ApiError> {
        let text = input.to_string();
        self.start(state_machine_arn, name, input, text)
            .map(|e| e.arn.clone())
    }

    pub(crate) fn start(
        &self,
        state_machine_arn: &str,
        name: Option<String>,
        input: Value,
        input_text: String,
    ) -> Result<Arc<Execution>, ApiError> {
        let runtime = match &self.runtime {
            Some(handle) => handle.clone(),
            None => Handle::try_current().map_err(|_| {
                ApiError::Internal("executions need a tokio runtime to run on".into())
            })?,
        };
        let name = name.unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
        registry::check_name(&name)?;
        let (state_machine_arn, test_case) = mocks::split_test_case(state_machine_arn);
        if test_case.is_some() && self.mocks.is_none() {
            return Err(ApiError::Validation(format!(
                "'{state_machine_arn}#...' names a test case, but the server has no mock configuration"
            )));
        }
        let mut registry = self.registry();
        let machine = registry.machine(state_machine_arn)?.clone();
        let arn = registry::execution_arn(&machine.name, &name);
        if let Some(existing) = registry.executions.get(&arn) {
            let running = existing.progress().phase == registry::Phase::Running;
            if running && existing.input_text == input_text {
                return Ok(existing.clone());
            }
            return Err(ApiError::ExecutionAlreadyExists(format!(
                "Execution Already Exists: '{arn}'"
            )));
        }
        let engine = match &self.mocks {
            Some(mocks) => mocks.engine_for(&machine.name, test_case)?,
            None => None,
        }
        .unwrap_or_else(|| self.engine.clone());
        let execution = Arc::new(Execution::new(
            arn.clone(),
            name.clone(),
            machine.clone(),
            input_text,
        ));
        registry.executions.insert(arn.clone(), execution.clone());
        registry.started.push(arn);
        drop(registry);

        let sink = execution.clone();
        let options = ExecutionOptions {
            execution_name: Some(name),
            state_machine_name: machine.name.clone().into(),
            role_arn: machine.role_arn.clone().into(),
            // The observer keeps the events; the engine need not.
            record_history: false,
            observer: Some(EventObserver::new(move |event| sink.record(event))),
            // The region and account (us-east-1, 123456789012) and any later field.
            ..ExecutionOptions::default()
        };
        let finished = execution.clone();
        let task = runtime.spawn(async move {
            let run = engine.execute(machine.machine, input, options);
            // A bug in the engine must not leave the execution RUNNING for ever.
            let outcome = AssertUnwindSafe(run)
                .catch_unwind()
                .await
                .unwrap_or_else(|_| crashed());
            finished.finish(outcome);
        });
        let mut progress = execution.progress();
        if progress.phase == registry::Phase::Running {
            progress.abort = Some(task.abort_handle());
        } else {
            // Stopped before its task existed.
            task.abort();
        }
        drop(progress);
        Ok(execution)
    }

    fn find(&self, execution_arn: &str) -> Option<Arc<Execution>> {
        self.registry().executions.get(execution_arn).cloned()
    }

    /// Resolves with the outcome once the execution has ended (`None`: no such execution).
    pub async fn wait_for_end(&self, execution_arn: &str) -> Option<Outcome> {
        let execution = self.find(execution_arn)?;
        execution.wait_for_end().await
    }

    /// The events so far (RFC 3339 timestamps, as the engine writes them).
    pub fn history(&self, execution_arn: &str) -> Vec<Event> {
        self.find(execution_arn)
            .map(|e| e.progress().events.clone())
            .unwrap_or_default()
    }

    /// Hand `observer` every event of the execution: the past ones at once, then each new one
    /// as it happens. It is called under the execution's lock: it must not call back into the
    /// `Service` (send the event on a channel instead).
    pub fn observe(&self, execution_arn: &str, observer: EventObserver) {
        let Some(execution) = self.find(execution_arn) else {
            return;
        };
        let mut progress = execution.progress();
        for event in &progress.events {
            observer.notify(event);
        }
        progress.observers.push(observer);
    }

    /// Complete a task token with `send`, on whichever engine issued it (the service's, or a
    /// mocked execution's own).
    pub(crate) fn answer_token(
        &self,
        send: impl Fn(&Engine) -> Result<(), TaskTokenError>,
    ) -> Result<(), TaskTokenError> {
        let others = self.mocks.as_ref().map(|m| m.engines()).unwrap_or_default();
        mocks::answer(std::iter::once(self.engine.clone()).chain(others), send)
    }

    /// StopExecution: the stop date (an ended execution keeps its own).
    pub fn stop_execution(
        &self,
        execution_arn: &str,
        error: Option<String>,
        cause: Option<String>,
    ) -> Result<f64, ApiError> {
        let execution = self.registry().execution(execution_arn)?;
        Ok(execution.stop(error, cause))
    }
}

/// The outcome of an execution whose engine task panicked.
fn crashed() -> Outcome {
    Outcome {
        status: crate::exec::Status::Failed,
        output: None,
        error: Some(crate::error::names::RUNTIME.to_owned()),
        cause: Some("sfn-local: the engine panicked while running this execution".to_owned()),
        history: Vec::new(),
        event_count: 0,
    }
}

/// Serve the API on `listener` until the process ends.
pub async fn serve(service: Service, listener: tokio::net::TcpListener) -> std::io::Result<()> {
    axum::serve(listener, service.router()).await
}
