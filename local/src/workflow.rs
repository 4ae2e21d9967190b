//! One order through the template's state machine: the engine on a virtual clock, the Step
//! Functions API in-process (`sfn_local::serve`, so decide-approval and submit-order reach it
//! through aws-sdk-sfn), the real handlers, a person (or a flag) answering the approval step,
//! and the status-change event delivered to the function the template's rule targets.

mod approval;
mod cargo_lambda;
mod cli;
pub mod picture;
mod run;
pub mod status_event;
pub mod trace;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use sfn_json::Value;
use sfn_local::task::LambdaInvoker;
use sfn_local::{Outcome, StateMachine};

use crate::env::{LocalEnv, LocalError, TemplateDoc, default_template};
use crate::functions::STATE_MACHINE_NAME;

pub use cargo_lambda::CargoLambdaWatch;
pub use cli::{RunArgs, cli};
pub use run::run_workflow;

/// How the approval step (a `.waitForTaskToken` task) is answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Approval {
    /// Ask the person at the terminal (stdin must be a terminal).
    #[default]
    Ask,
    Approve,
    Reject,
    /// Answer nothing: the virtual clock runs the task's timeout out.
    Timeout,
}

/// How to run one order.
#[derive(Clone, Default)]
pub struct RunOptions {
    pub approval: Approval,
    /// Who runs the functions; `None`: the handlers in-process ([`crate::functions::in_process`]).
    pub invoker: Option<Arc<dyn LambdaInvoker>>,
    /// No live trace on stderr.
    pub quiet: bool,
    /// Where the Step Functions API listens (127.0.0.1); `None`: a free port. Function
    /// processes started before the run (`cargo lambda watch`) need to know it in advance.
    pub sfn_port: Option<u16>,
    /// Start the execution through submit-order (`POST /orders` → aws-sdk-sfn StartExecution)
    /// instead of calling the API directly.
    pub via_submit_order: bool,
    /// The template the state machine came from (its name and status-change rule);
    /// `None`: the project's template.yaml.
    pub template: Option<PathBuf>,
}

/// What happened.
#[derive(Debug, Clone)]
pub struct RunReport {
    /// How the execution ended, with its full history.
    pub outcome: Outcome,
    pub execution_arn: String,
    /// The states entered, in order (Parallel branches and Map iterations interleaved).
    pub states: Vec<String>,
    /// The order's record after the run.
    pub order: Option<Value>,
    /// Inventory by SKU after the run.
    pub inventory: BTreeMap<String, Value>,
    pub payments: Vec<Value>,
    /// What on-execution-status answered to the status-change event (`{"errorType", ...}`
    /// when it failed); `None` when the template routes no such event.
    pub status_event: Option<Value>,
    /// The status-change event delivered.
    pub status_change: Option<Value>,
    /// Time on the execution's (virtual) clock, from start to end.
    pub virtual_time: Duration,
    /// Wall-clock time of the execution.
    pub real_time: Duration,
}

/// A state machine ready to run locally, with what the template says around it.
#[derive(Debug, Clone)]
pub struct Workflow {
    pub name: String,
    pub machine: Arc<StateMachine>,
    /// The definition's JSON text (DescribeStateMachine).
    pub definition: String,
    /// The function the template's status-change rule targets (its local name).
    pub status_function: Option<String>,
}

/// The template's state machine: `DefinitionUri` loaded, `DefinitionSubstitutions` applied,
/// parsed and validated.
pub fn load_workflow(template: &Path) -> Result<Workflow, LocalError> {
    let resolved = sfn_local::template::resolve(template, None)?;
    let definition = resolved.definition.to_string();
    let machine = sfn_local::parse_definition(&definition).map_err(|e| LocalError::Definition {
        name: resolved.logical_id.clone(),
        message: e.to_string(),
    })?;
    let problems = sfn_local::validate(&machine);
    if !problems.is_empty() {
        let message = problems
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("; ");
        return Err(LocalError::Definition {
            name: resolved.logical_id,
            message,
        });
    }
    let status_function = TemplateDoc::load(template)?
        .status_change_function()
        .map(|id| resolved.functions.get(&id).cloned().unwrap_or(id));
    Ok(Workflow {
        name: resolved.logical_id,
        machine: Arc::new(machine),
        definition,
        status_function,
    })
}

/// The template's state machine, parsed and validated.
pub fn load_machine(template: &Path) -> Result<Arc<StateMachine>, LocalError> {
    Ok(load_workflow(template)?.machine)
}

/// Runs `order` as an execution named after its `orderId` on `machine` (the template's,
/// [`RunOptions::template`]) and reports the run and the tables after it.
pub async fn run_order(
    env: &LocalEnv,
    machine: Arc<StateMachine>,
    order: Value,
    options: RunOptions,
) -> Result<RunReport, LocalError> {
    let template = options.template.clone().unwrap_or_else(default_template);
    let workflow = match load_workflow(&template) {
        Ok(loaded) => Workflow { machine, ..loaded },
        Err(_) => Workflow {
            name: STATE_MACHINE_NAME.to_owned(),
            machine,
            definition: "{}".to_owned(),
            status_function: None,
        },
    };
    run_workflow(env, workflow, order, options).await
}
