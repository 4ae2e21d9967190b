//! Runs the cases of a suite: each on a fresh local environment (its own tables, the seed
//! inventory), the functions in-process or as processes under `cargo lambda watch`, and checks
//! what happened against the case's expectation.

use super::expectation::{Decision, Observed, Stock, check};
use super::matcher::Mismatch;
use super::report::normalized;
use super::store::{fresh_env, serial_endpoint};
use super::suite::{Case, SuiteError, load_seed};
use crate::env::{LocalEnv, LocalError, on_real_time, read_seed};
use crate::workflow::{
    Approval, CargoLambdaWatch, RunOptions, RunReport, Workflow, load_workflow, run_workflow,
};
use sfn_json::Value;
use sfn_local::history::Event;
use sfn_local::task::HttpLambdas;
use shared::{Deps, StoreError, TableKind, TableNames};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

/// Who runs the functions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Functions {
    /// The real handlers in this process.
    InProcess,
    /// The real functions as processes: `cargo lambda watch`, started for each case with
    /// that case's tables.
    CargoLambda,
    /// The functions behind a Lambda Invoke API that is already running (e.g. a `cargo lambda
    /// watch` started by hand): they use the tables named by `ORDERS_TABLE`, `INVENTORY_TABLE`
    /// and `PAYMENTS_TABLE` (emptied and re-seeded before each case) and reach the run's Step
    /// Functions API at `sfn_port`.
    Endpoint { url: String, sfn_port: u16 },
}

/// What every case of a run shares: the template's workflow, the seed, who runs the functions.
pub struct Runner {
    pub template: PathBuf,
    pub workflow: Workflow,
    seed: BTreeMap<String, Stock>,
    seed_rows: Vec<(String, u64)>,
    pub functions: Functions,
    /// The machine's top-level states (the rest run inside Parallel branches or Map iterations).
    top_level: BTreeSet<String>,
    /// The serial moto the fresh tables go on (`None`: `AWS_ENDPOINT_URL_DYNAMODB`'s server).
    store: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum RunnerError {
    #[error(transparent)]
    Local(#[from] LocalError),
    #[error(transparent)]
    Suite(#[from] SuiteError),
}

/// One case, run and checked.
#[derive(Debug, Clone)]
pub struct CaseResult {
    pub name: String,
    /// What happened; `None` when the run could not be made (see `mismatches`).
    pub observed: Option<Observed>,
    pub mismatches: Vec<Mismatch>,
    /// The normalized record of the run (`--report`).
    pub report: Value,
    pub real_time: Duration,
    pub virtual_time: Duration,
}

impl CaseResult {
    pub fn passed(&self) -> bool {
        self.mismatches.is_empty()
    }
}

impl Runner {
    /// The workflow of `template`, the inventory of `seed`.
    pub fn new(template: &Path, seed: &Path, functions: Functions) -> Result<Self, RunnerError> {
        let workflow = load_workflow(template)?;
        let top_level = top_level_states(&workflow.definition);
        let store = match functions {
            Functions::Endpoint { .. } => None,
            _ => serial_endpoint()?,
        };
        Ok(Runner {
            store,
            template: template.to_path_buf(),
            workflow,
            seed: load_seed(seed)?,
            seed_rows: read_seed(seed)?,
            functions,
            top_level,
        })
    }

    /// Runs one case on a fresh environment and checks it; a run that could not be made is a
    /// mismatch (`run: ...`), never a panic.
    pub async fn run(&self, case: &Case<'_>) -> CaseResult {
        let name = case.name();
        let expected = case.expectation();
        match self.execute(case).await {
            Ok(run) => {
                let observed = observe(&run);
                let mut mismatches = check(expected, &case.scenario.order, &self.seed, &observed);
                if let Some(parent) = case.decision.map(|_| &case.scenario.expectation) {
                    // Before the answer: the path to the state that waits for it.
                    mismatches.extend(check_before_answer(parent, &observed));
                }
                let report = normalized(&name, &observed, expected, &self.top_level);
                CaseResult {
                    name,
                    observed: Some(observed),
                    mismatches,
                    report,
                    real_time: run.real_time,
                    virtual_time: run.virtual_time,
                }
            }
            Err(error) => CaseResult {
                report: sfn_json::json!({"scenario": name, "runError": error.to_string()}),
                name,
                observed: None,
                mismatches: vec![Mismatch::new("run", error.to_string())],
                real_time: Duration::ZERO,
                virtual_time: Duration::ZERO,
            },
        }
    }

    async fn execute(&self, case: &Case<'_>) -> Result<RunReport, LocalError> {
        let env = match (&self.functions, &self.store) {
            (Functions::Endpoint { .. }, _) => self.shared_tables().await?,
            (_, Some(endpoint)) => fresh_env(endpoint, &self.seed_rows).await?,
            (_, None) => LocalEnv::from_template(&self.template, &self.seed_rows).await?,
        };
        let mut options = RunOptions {
            approval: approval(case.decision),
            quiet: true,
            template: Some(self.template.clone()),
            ..RunOptions::default()
        };
        // Dropped (and so stopped) when the case is done.
        let mut _watch = None;
        match &self.functions {
            Functions::InProcess => {}
            Functions::CargoLambda => {
                let port = free_port()?;
                options.sfn_port = Some(port);
                let watch = start_watch(&env, &self.template, &self.workflow, port)?;
                options.invoker = Some(Arc::new(HttpLambdas::new(watch.endpoint.clone())));
                _watch = Some(watch);
            }
            Functions::Endpoint { url, sfn_port } => {
                options.sfn_port = Some(*sfn_port);
                options.invoker = Some(Arc::new(HttpLambdas::new(url.clone())));
            }
        }
        run_workflow(
            &env,
            self.workflow.clone(),
            case.scenario.order.clone(),
            options,
        )
        .await
    }
}

impl Runner {
    /// The tables the functions behind `--lambda-endpoint` use, as a fresh start: orders and
    /// payments emptied, inventory re-seeded.
    async fn shared_tables(&self) -> Result<LocalEnv, LocalError> {
        let kinds = [TableKind::Orders, TableKind::Inventory, TableKind::Payments];
        let names = TableNames::from_env(&kinds).map_err(|e| {
            LocalError::Runtime(format!(
                "--lambda-endpoint: {e} (the tables the functions behind it were started with)"
            ))
        })?;
        let env = LocalEnv::with_table_names(&self.template, &self.seed_rows, names).await?;
        let deps = env.deps.clone();
        on_real_time(async move {
            empty_table(&deps, &deps.tables.orders, "orderId").await?;
            empty_table(&deps, &deps.tables.payments, "orderId").await
        })
        .await??;
        Ok(env)
    }
}

/// Deletes every item of a table keyed by `key` alone.
async fn empty_table(deps: &Deps, table: &str, key: &str) -> Result<(), LocalError> {
    let mut start = None;
    loop {
        let page = deps
            .dynamodb
            .scan()
            .table_name(table)
            .projection_expression("#k")
            .expression_attribute_names("#k", key)
            .set_exclusive_start_key(start)
            .send()
            .await
            .map_err(|e| StoreError::from_sdk("Scan", e))?;
        for item in page.items.unwrap_or_default() {
            deps.dynamodb
                .delete_item()
                .table_name(table)
                .set_key(Some(item))
                .send()
                .await
                .map_err(|e| StoreError::from_sdk("DeleteItem", e))?;
        }
        start = page.last_evaluated_key;
        if start.is_none() {
            return Ok(());
        }
    }
}

/// A free loopback port for the case's Step Functions API, which the function processes must
/// know before the run starts.
fn free_port() -> Result<u16, LocalError> {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .map_err(|e| LocalError::Runtime(format!("no free loopback port: {e}")))
}

fn start_watch(
    env: &LocalEnv,
    template: &Path,
    workflow: &Workflow,
    sfn_port: u16,
) -> Result<CargoLambdaWatch, LocalError> {
    let functions: Vec<String> = sfn_local::template::resolve(template, None)?
        .functions
        .into_values()
        .collect();
    CargoLambdaWatch::start(
        env,
        &functions,
        &format!("http://127.0.0.1:{sfn_port}"),
        &crate::functions::state_machine_arn(&workflow.name),
    )
}

fn approval(decision: Option<Decision>) -> Approval {
    match decision {
        Some(Decision::Approve) => Approval::Approve,
        Some(Decision::Reject) => Approval::Reject,
        // Without an approval step nothing waits, so any answer does: Timeout never asks.
        Some(Decision::Timeout) | None => Approval::Timeout,
    }
}

/// An approval case must first have reached the state that waits (`awaits`) on the path
/// the scenario's top level names.
fn check_before_answer(
    parent: &super::expectation::Expectation,
    observed: &Observed,
) -> Vec<Mismatch> {
    let entered = |s: &String| observed.states.contains(s);
    let mut wanted: Vec<&String> = parent.states.iter().collect();
    wanted.extend(parent.awaits.iter());
    let missed: Vec<&&String> = wanted.iter().filter(|s| !entered(s)).collect();
    if missed.is_empty() {
        Vec::new()
    } else {
        vec![Mismatch::new(
            "awaits",
            format!(
                "before the answer, never entered {missed:?}; path: {}",
                observed.states.join(" → ")
            ),
        )]
    }
}

/// What a run did, as the checker sees it.
pub fn observe(run: &RunReport) -> Observed {
    let stock = |item: &Value, key: &str| {
        item.get(key)
            .and_then(|v| v.as_i64().or_else(|| v.as_f64().map(|f| f as i64)))
            .unwrap_or(0)
    };
    Observed {
        status: run.outcome.status.as_str().to_string(),
        error: run.outcome.error.clone(),
        cause: run.outcome.cause.clone(),
        states: run.states.clone(),
        retries: retries(&run.outcome.history),
        order: run.order.clone(),
        inventory: run
            .inventory
            .iter()
            .map(|(sku, item)| {
                let counts = Stock {
                    available: stock(item, "available"),
                    reserved: stock(item, "reserved"),
                };
                (sku.clone(), counts)
            })
            .collect(),
        payments: run.payments.clone(),
        status_event: run.status_event.clone(),
    }
}

/// Retries per state: the calls a state scheduled beyond one per time it was entered. Each
/// call is traced back along `previousEventId` to the state entry it belongs to, so
/// concurrent branches do not mix.
pub fn retries(history: &[Event]) -> BTreeMap<String, u64> {
    let by_id: HashMap<u64, &Event> = history.iter().map(|e| (e.id, e)).collect();
    let entered_name = |event: &Event| match &event.details {
        Some((key, details)) if key == "stateEnteredEventDetails" => details
            .get("name")
            .and_then(Value::as_str)
            .map(str::to_owned),
        _ => None,
    };
    let mut entries: BTreeMap<String, u64> = BTreeMap::new();
    let mut calls: BTreeMap<String, u64> = BTreeMap::new();
    for event in history {
        if let Some(name) = entered_name(event) {
            *entries.entry(name).or_default() += 1;
        }
        if !matches!(
            event.kind.as_str(),
            "TaskScheduled" | "LambdaFunctionScheduled"
        ) {
            continue;
        }
        let mut at = by_id.get(&event.previous_event_id).copied();
        // Bounded by the history's length, whatever the links say.
        for _ in 0..history.len() {
            let Some(previous) = at else { break };
            if let Some(name) = entered_name(previous) {
                *calls.entry(name).or_default() += 1;
                break;
            }
            at = by_id.get(&previous.previous_event_id).copied();
        }
    }
    calls
        .into_iter()
        .filter_map(|(state, n)| {
            let extra = n.saturating_sub(entries.get(&state).copied().unwrap_or(0));
            (extra > 0).then_some((state, extra))
        })
        .collect()
}

/// The names of the definition's top-level states.
fn top_level_states(definition: &str) -> BTreeSet<String> {
    serde_json::from_str::<Value>(definition)
        .ok()
        .and_then(|d| d.get("States").and_then(Value::as_object).cloned())
        .map(|states| states.keys().map(|k| k.to_string()).collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use sfn_json::json;

    fn event(id: u64, previous: u64, kind: &str, entered: Option<&str>) -> Event {
        Event {
            id,
            previous_event_id: previous,
            timestamp: "2026-01-01T00:00:00.000Z".into(),
            kind: kind.into(),
            details: entered.map(|name| {
                (
                    "stateEnteredEventDetails".to_string(),
                    json!({"name": name}),
                )
            }),
        }
    }

    #[test]
    fn retries_count_the_calls_beyond_one_per_entry_even_across_branches() {
        let history = [
            event(1, 0, "ExecutionStarted", None),
            event(2, 1, "TaskStateEntered", Some("Charge")),
            event(3, 2, "TaskScheduled", None),
            event(4, 3, "TaskFailed", None),
            event(5, 1, "TaskStateEntered", Some("Other")),
            event(6, 5, "TaskScheduled", None),
            event(7, 4, "TaskScheduled", None),
            event(8, 7, "TaskFailed", None),
            event(9, 8, "TaskScheduled", None),
            event(10, 9, "TaskSucceeded", None),
        ];
        let found = retries(&history);
        assert_eq!(found, [("Charge".to_string(), 2)].into());
    }

    #[test]
    fn top_level_states_are_the_definition_s_own() {
        let states = top_level_states(
            r#"{"StartAt":"A","States":{"A":{"Type":"Parallel","Branches":[{"StartAt":"B","States":{"B":{"Type":"Pass","End":true}}}],"End":true}}}"#,
        );
        assert_eq!(states, ["A".to_string()].into());
        assert!(top_level_states("not json").is_empty());
    }
}
