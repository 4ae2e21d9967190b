//! `order-local chaos`: randomized orders through the real workflow while the engine injects
//! Lambda's faults (service errors, timeouts, duplicate deliveries), then the invariants
//! checked over DynamoDB scans. See docs/chaos.md.

mod invariants;
mod orders;
mod report;
mod scan;
mod store;

use std::collections::BTreeMap;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::FutureExt;
use futures::future::BoxFuture;
use sfn_json::Value;
use sfn_local::task::{ChaosConfig, ChaosInvoker, ChaosStats, InvokeError, LambdaInvoker};

use crate::env::{LocalEnv, LocalError, default_template};
use crate::functions::{STATE_MACHINE_NAME, in_process_for, state_machine_arn};
use crate::workflow::{self, RunOptions};

pub use invariants::{Execution, Invariant, Tables, Violation, check};
pub use orders::{ChaosOrder, generate, inventory};
pub use report::ChaosReport;
pub use scan::scan_tables;
pub use store::{SerialMoto, chaos_env, chaos_store, env_on, tables_on};

/// SKUs per group of orders (one group per concurrent worker).
pub const SKUS_PER_GROUP: usize = 16;

/// `order-local chaos`.
#[derive(clap::Args, Debug, Clone)]
pub struct ChaosArgs {
    /// Seed of the orders, the stock, the approval answers and the faults.
    #[arg(long)]
    pub seed: u64,
    /// How many orders to run.
    #[arg(long, default_value_t = 1000)]
    pub orders: usize,
    /// Orders run at once; each worker has SKUs of its own (moto does not isolate
    /// concurrent conditional writes to one item).
    #[arg(long, default_value_t = 1, value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=16))]
    pub concurrency: usize,
    /// Share of invocations that fail with a Lambda service error (before or after the run).
    #[arg(long, default_value_t = 0.05)]
    pub transient: f64,
    /// Share of invocations that time out after the function ran.
    #[arg(long, default_value_t = 0.01)]
    pub timeout: f64,
    /// Share of invocations delivered twice.
    #[arg(long, default_value_t = 0.05)]
    pub duplicate: f64,
    /// Orders per set of fresh tables: each batch starts from the seeded stock and is
    /// checked on its own (scans stay small; the workflow scans after every order).
    #[arg(long, default_value_t = 100, value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..))]
    pub batch: usize,
    /// Print the report as JSON instead of text.
    #[arg(long)]
    pub json: bool,
    /// One line per order on stderr: its approval answer, outcome and states.
    #[arg(long)]
    pub verbose: bool,
}

impl ChaosArgs {
    pub fn new(seed: u64, orders: usize) -> Self {
        let rates = ChaosConfig::new(seed);
        Self {
            seed,
            orders,
            concurrency: 1,
            transient: rates.transient_failure,
            timeout: rates.timeout,
            duplicate: rates.duplicate,
            batch: 100,
            json: false,
            verbose: false,
        }
    }

    fn chaos_config(&self) -> ChaosConfig {
        ChaosConfig {
            transient_failure: self.transient,
            timeout: self.timeout,
            duplicate: self.duplicate,
            ..ChaosConfig::new(self.seed)
        }
    }
}

/// Runs the chaos run and prints its report; fails on any violation or run error.
pub fn cli(args: ChaosArgs) -> ExitCode {
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("order-local chaos: cannot start a runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let json = args.json;
    match runtime.block_on(run(&args)) {
        Ok(report) => {
            if json {
                println!("{}", report.to_json());
            } else {
                print!("{}", report.render());
            }
            if report.passed() {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            }
        }
        Err(e) => {
            eprintln!("order-local chaos: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Functions called from outside the workflow (API Gateway, EventBridge): a person or the
/// event bus calls them, not the engine, so no faults are injected there.
const OUTSIDE_CALLERS: [&str; 3] = ["decide-approval", "submit-order", "on-execution-status"];

const DECIDE_APPROVAL: &str = "decide-approval";
/// How often, and how far apart, a decision is sent again after a 409/410.
const DECIDE_ATTEMPTS: usize = 40;
const DECIDE_AGAIN_AFTER: Duration = Duration::from_millis(25);

/// Faults for the workflow's own task invocations; the others pass straight through.
struct WorkflowChaos {
    plain: Arc<dyn LambdaInvoker>,
    chaos: ChaosInvoker<dyn LambdaInvoker>,
}

impl LambdaInvoker for WorkflowChaos {
    fn invoke<'a>(
        &'a self,
        function: &'a str,
        payload: &'a Value,
    ) -> BoxFuture<'a, Result<Value, InvokeError>> {
        let name = sfn_local::task::function_name(function);
        if name == DECIDE_APPROVAL {
            self.decide_patiently(function, payload).boxed()
        } else if OUTSIDE_CALLERS.contains(&name) {
            self.plain.invoke(function, payload)
        } else {
            self.chaos.invoke(function, payload).boxed()
        }
    }
}

impl WorkflowChaos {
    /// A person whose click came too early or too late clicks again. Under faults the
    /// approval task can be retried after request-approval stored its token (the answer
    /// was lost), so a decision can reach a token whose attempt already failed (410) or
    /// find the order between two attempts (409); the next attempt stores a fresh token.
    async fn decide_patiently(
        &self,
        function: &str,
        payload: &Value,
    ) -> Result<Value, InvokeError> {
        let mut answer = self.plain.invoke(function, payload).await;
        for _ in 0..DECIDE_ATTEMPTS {
            let status = answer
                .as_ref()
                .ok()
                .and_then(|a| a.get("statusCode"))
                .and_then(Value::as_u64);
            if !matches!(status, Some(409 | 410)) {
                break;
            }
            tokio::time::sleep(DECIDE_AGAIN_AFTER).await;
            answer = self.plain.invoke(function, payload).await;
        }
        answer
    }
}

/// Generates the orders, runs them under faults and checks the invariants: each worker has
/// its own store and runs its orders in batches, each batch on fresh tables.
pub async fn run(args: &ChaosArgs) -> Result<ChaosReport, LocalError> {
    let started = Instant::now();
    let workers = args.concurrency.max(1);
    let stock = inventory(args.seed, workers, SKUS_PER_GROUP);
    let orders = generate(args.seed, args.orders, workers, SKUS_PER_GROUP);
    let machine = workflow::load_machine(&default_template())?;
    let jobs = (0..workers).map(|worker| {
        let mine: Vec<&ChaosOrder> = orders.iter().filter(|o| o.group == worker).collect();
        run_in_batches(args, &stock, mine, machine.clone())
    });
    let mut ran = Ran::default();
    let mut violations = Vec::new();
    for worker in futures::future::join_all(jobs).await {
        let (worker, found) = worker?;
        violations.extend(found);
        merge(&mut ran, worker);
    }
    Ok(ChaosReport {
        seed: args.seed,
        orders: orders.len(),
        concurrency: workers,
        config: args.chaos_config(),
        outcomes: ran.outcomes,
        stats: ran.stats,
        violations,
        errors: ran.errors,
        run_time: ran.run_time,
        wall_time: started.elapsed(),
    })
}

/// One worker: its store, then its orders batch by batch, each on fresh tables and checked.
async fn run_in_batches(
    args: &ChaosArgs,
    stock: &[(String, u64)],
    orders: Vec<&ChaosOrder>,
    machine: Arc<sfn_local::StateMachine>,
) -> Result<(Ran, Vec<Violation>), LocalError> {
    let store = chaos_store().await?;
    let mut ran = Ran::default();
    let mut violations = Vec::new();
    for batch in orders.chunks(args.batch.max(1)) {
        let env = tables_on(&store, stock).await?;
        let done = run_worker(
            &env,
            machine.clone(),
            args.chaos_config(),
            batch.to_vec(),
            args.verbose,
        )
        .await?;
        let tables = scan_tables(&env).await?;
        let found = check(&tables, stock, &done.executions);
        if args.verbose {
            show_histories(&tables, &found);
        }
        violations.extend(found);
        let run_time = ran.run_time + done.run_time;
        merge(&mut ran, done);
        ran.run_time = run_time;
    }
    Ok((ran, violations))
}

/// Adds `other` to `into`; run times overlap (workers run side by side): the longest counts.
fn merge(into: &mut Ran, other: Ran) {
    into.executions.extend(other.executions);
    into.errors.extend(other.errors);
    for (outcome, n) in other.outcomes {
        *into.outcomes.entry(outcome).or_insert(0) += n;
    }
    into.stats = add(into.stats, other.stats);
    into.run_time = into.run_time.max(other.run_time);
}

/// Runs `orders` on `env` under the faults of `args`, one worker per SKU group.
pub async fn run_orders(
    env: &LocalEnv,
    args: &ChaosArgs,
    orders: &[ChaosOrder],
) -> Result<Ran, LocalError> {
    let machine = workflow::load_machine(&default_template())?;
    let config = args.chaos_config();
    let workers = orders.iter().map(|o| o.group + 1).max().unwrap_or(1);
    let mut runs = Vec::new();
    for worker in 0..workers {
        let mine: Vec<&ChaosOrder> = orders.iter().filter(|o| o.group == worker).collect();
        runs.push(run_worker(env, machine.clone(), config, mine, args.verbose));
    }
    let mut ran = Ran::default();
    for worker in futures::future::join_all(runs).await {
        merge(&mut ran, worker?);
    }
    Ok(ran)
}

fn add(a: ChaosStats, b: ChaosStats) -> ChaosStats {
    ChaosStats {
        invocations: a.invocations + b.invocations,
        service_errors_before: a.service_errors_before + b.service_errors_before,
        service_errors_after: a.service_errors_after + b.service_errors_after,
        timeouts: a.timeouts + b.timeouts,
        duplicates: a.duplicates + b.duplicates,
    }
}

/// How the orders of a run ended, and the faults injected.
#[derive(Debug, Default)]
pub struct Ran {
    pub executions: Vec<Execution>,
    /// Orders whose run could not be completed: (order id, why).
    pub errors: Vec<(String, String)>,
    pub outcomes: BTreeMap<String, usize>,
    pub stats: ChaosStats,
    pub run_time: Duration,
}

/// One worker: its orders one after the other, its own Step Functions API port.
async fn run_worker(
    env: &LocalEnv,
    machine: Arc<sfn_local::StateMachine>,
    config: ChaosConfig,
    orders: Vec<&ChaosOrder>,
    verbose: bool,
) -> Result<Ran, LocalError> {
    let port = free_port()?;
    let endpoint = format!("http://127.0.0.1:{port}");
    let plain: Arc<dyn LambdaInvoker> = Arc::new(in_process_for(
        &env.deps,
        &endpoint,
        &state_machine_arn(STATE_MACHINE_NAME),
    ));
    let invoker = Arc::new(WorkflowChaos {
        plain: plain.clone(),
        chaos: ChaosInvoker::new(plain, config),
    });
    let started = Instant::now();
    let mut result = Ran::default();
    for order in orders {
        let options = RunOptions {
            approval: order.approval,
            invoker: Some(invoker.clone()),
            quiet: true,
            sfn_port: Some(port),
            ..RunOptions::default()
        };
        match workflow::run_order(env, machine.clone(), order.order.clone(), options).await {
            Ok(report) => {
                let status = report.outcome.status.as_str().to_owned();
                let label = match &report.outcome.error {
                    Some(error) if status != "SUCCEEDED" => format!("{status} {error}"),
                    _ => status.clone(),
                };
                if verbose {
                    eprintln!(
                        "{} {:?} {label}: {}",
                        order.order_id,
                        order.approval,
                        report.states.join(" → ")
                    );
                    for event in &report.outcome.history {
                        if event.kind.ends_with("Failed") || event.kind.ends_with("TimedOut") {
                            let details = event.details.as_ref().map(|(_, d)| d.to_string());
                            eprintln!("    {} {}", event.kind, details.unwrap_or_default());
                        }
                    }
                }
                *result.outcomes.entry(label).or_insert(0) += 1;
                result.executions.push(Execution {
                    order_id: order.order_id.clone(),
                    status,
                });
            }
            Err(e) => {
                // The run stops the execution when it cannot go on (e.g. the approval).
                *result.outcomes.entry("run error".into()).or_insert(0) += 1;
                result.errors.push((order.order_id.clone(), e.to_string()));
                result.executions.push(Execution {
                    order_id: order.order_id.clone(),
                    status: "ABORTED".into(),
                });
            }
        }
    }
    result.stats = invoker.chaos.stats();
    result.run_time = started.elapsed();
    Ok(result)
}

fn free_port() -> Result<u16, LocalError> {
    std::net::TcpListener::bind(("127.0.0.1", 0))
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .map_err(|e| LocalError::Api(format!("no free port on 127.0.0.1: {e}")))
}

/// The history of every order at fault, on stderr.
fn show_histories(tables: &Tables, violations: &[Violation]) {
    for violation in violations {
        let order = tables
            .orders
            .iter()
            .find(|o| o.get("orderId").and_then(Value::as_str) == Some(&violation.subject));
        let history = order
            .and_then(|o| o.get("history"))
            .and_then(Value::as_array);
        eprintln!("history of {}:", violation.subject);
        for entry in history.into_iter().flatten() {
            let field = |k: &str| entry.get(k).and_then(Value::as_str).unwrap_or_default();
            eprintln!(
                "  {} {:<18} {}",
                field("at"),
                field("status"),
                field("detail")
            );
        }
    }
}
