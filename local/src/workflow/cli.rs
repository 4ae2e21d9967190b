//! `order-local run ORDER.json`: the main job from the command line.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use sfn_json::Value;
use sfn_local::task::HttpLambdas;
use shared::{TableKind, TableNames};

use super::cargo_lambda::{CargoLambdaWatch, free_port};
use super::{Approval, RunOptions, RunReport, Workflow, load_workflow, picture, run_workflow};
use crate::env::{LocalEnv, LocalError, default_template, read_seed, real_time, repo_root};
use crate::functions::state_machine_arn;

#[derive(clap::Args, Debug)]
pub struct RunArgs {
    /// The order: the workflow's input (e.g. events/orders/standard.json).
    pub order: PathBuf,
    /// Approve at the approval step without asking.
    #[arg(long, conflicts_with_all = ["reject", "timeout"])]
    pub approve: bool,
    /// Reject at the approval step without asking.
    #[arg(long, conflicts_with = "timeout")]
    pub reject: bool,
    /// Answer nothing at the approval step: its timeout runs out on the virtual clock.
    #[arg(long)]
    pub timeout: bool,
    /// Run the functions as processes under `cargo lambda watch` (started here).
    #[arg(long)]
    pub cargo_lambda: bool,
    /// Invoke the functions at this Lambda Invoke API endpoint (already running), e.g.
    /// http://127.0.0.1:9000; give it --sfn-port so its functions can reach the run. When
    /// ORDERS_TABLE, INVENTORY_TABLE and PAYMENTS_TABLE are set, those tables are used.
    #[arg(long, value_name = "URL")]
    pub lambda_endpoint: Option<String>,
    /// Port (127.0.0.1) of the in-process Step Functions API; default: a free one.
    #[arg(long, value_name = "PORT")]
    pub sfn_port: Option<u16>,
    /// The SAM template with the state machine, tables and functions.
    #[arg(long, value_name = "FILE")]
    pub template: Option<PathBuf>,
    /// Inventory to seed ([{"sku","available"}]); default events/inventory-seed.json.
    #[arg(long, value_name = "FILE")]
    pub seed: Option<PathBuf>,
    /// Start the execution through submit-order (POST /orders) rather than directly.
    #[arg(long)]
    pub submit: bool,
    /// No live trace (the summary and the last line only).
    #[arg(long)]
    pub quiet: bool,
    /// Write the execution history (GetExecutionHistory's events) to FILE as JSON.
    #[arg(long, value_name = "FILE")]
    pub history: Option<PathBuf>,
}

impl RunArgs {
    fn approval(&self) -> Approval {
        if self.approve {
            Approval::Approve
        } else if self.reject {
            Approval::Reject
        } else if self.timeout {
            Approval::Timeout
        } else {
            Approval::Ask
        }
    }
}

pub fn cli(args: RunArgs) -> ExitCode {
    match run(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("order-local: {error}");
            ExitCode::FAILURE
        }
    }
}

fn read_json(path: &Path) -> Result<Value, LocalError> {
    let read_error = |message: String| LocalError::Read {
        path: path.display().to_string(),
        message,
    };
    let text = std::fs::read_to_string(path).map_err(|e| read_error(e.to_string()))?;
    serde_json::from_str(&text).map_err(|e| read_error(format!("not JSON: {e}")))
}

fn run(args: RunArgs) -> Result<(), LocalError> {
    let order = read_json(&args.order)?;
    let template = args.template.clone().unwrap_or_else(default_template);
    let workflow = load_workflow(&template)?;
    let seed_path = args
        .seed
        .clone()
        .unwrap_or_else(|| repo_root().join("events").join("inventory-seed.json"));
    let seed = read_seed(&seed_path)?;
    real_time()?.block_on(async {
        // Functions already running elsewhere use the tables their environment names.
        let fixed = args.lambda_endpoint.as_ref().and_then(|_| {
            TableNames::from_env(&[TableKind::Orders, TableKind::Inventory, TableKind::Payments])
                .ok()
        });
        let env = match fixed {
            Some(names) => LocalEnv::with_table_names(&template, &seed, names).await?,
            None => LocalEnv::from_template(&template, &seed).await?,
        };
        let mut options = RunOptions {
            approval: args.approval(),
            quiet: args.quiet,
            via_submit_order: args.submit,
            sfn_port: args.sfn_port,
            template: Some(template.clone()),
            invoker: None,
        };
        let mut _watch = None;
        let functions = if args.cargo_lambda || args.lambda_endpoint.is_some() {
            let port = match args.sfn_port {
                Some(port) => port,
                None => free_port()?,
            };
            options.sfn_port = Some(port);
            let endpoint = match &args.lambda_endpoint {
                Some(url) => url.clone(),
                None => {
                    eprintln!(
                        "order-local: building the functions and starting `cargo lambda watch`"
                    );
                    let names = function_names(&template)?;
                    let watch = CargoLambdaWatch::start(
                        &env,
                        &names,
                        &format!("http://127.0.0.1:{port}"),
                        &state_machine_arn(&workflow.name),
                    )?;
                    let endpoint = watch.endpoint.clone();
                    _watch = Some(watch);
                    endpoint
                }
            };
            options.invoker = Some(Arc::new(HttpLambdas::new(endpoint.clone())));
            format!("functions at {endpoint} (Lambda Invoke API)")
        } else {
            "functions in-process".to_owned()
        };
        if !args.quiet {
            eprintln!(
                "order-local: {} through {} ({}), {functions}, DynamoDB at {}\n",
                args.order.display(),
                template.display(),
                workflow.name,
                env.endpoint
            );
        }
        let report = run_workflow(&env, workflow.clone(), order, options).await?;
        if let Some(path) = &args.history {
            write_history(path, &report)?;
        }
        print_report(&mut std::io::stdout().lock(), &workflow, &report)
            .map_err(|e| LocalError::Runtime(format!("writing the report: {e}")))
    })
}

/// The local names of the template's functions (cargo-lambda binaries).
fn function_names(template: &Path) -> Result<Vec<String>, LocalError> {
    let resolved = sfn_local::template::resolve(template, None)?;
    Ok(resolved.functions.into_values().collect())
}

fn write_history(path: &Path, report: &RunReport) -> Result<(), LocalError> {
    let events: Vec<Value> = report.outcome.history.iter().map(|e| e.to_json()).collect();
    let text = serde_json::to_string_pretty(&events).unwrap_or_default();
    std::fs::write(path, text).map_err(|e| LocalError::Read {
        path: path.display().to_string(),
        message: format!("cannot write: {e}"),
    })
}

/// The summary a person reads after the run; its last line is the DescribeExecution-shaped
/// JSON `sfn-local execute` prints.
pub fn print_report(
    out: &mut dyn Write,
    workflow: &Workflow,
    report: &RunReport,
) -> std::io::Result<()> {
    writeln!(
        out,
        "\nPath taken (Mermaid; thick arrows and green states were taken):"
    )?;
    writeln!(out, "```mermaid")?;
    write!(
        out,
        "{}",
        picture::mermaid(&workflow.machine, &report.outcome.history)
    )?;
    writeln!(out, "```")?;
    let pretty = |v: &Value| serde_json::to_string_pretty(v).unwrap_or_default();
    match &report.order {
        Some(order) => writeln!(out, "\nOrder record:\n{}", pretty(&summary_of(order)))?,
        None => writeln!(out, "\nOrder record: none")?,
    }
    writeln!(out, "\nInventory (available / reserved):")?;
    for (sku, item) in &report.inventory {
        let count = |k: &str| item.get(k).and_then(Value::as_u64).unwrap_or(0);
        writeln!(
            out,
            "  {sku:<12} {:>6} / {}",
            count("available"),
            count("reserved")
        )?;
    }
    writeln!(out, "\nPayments:")?;
    if report.payments.is_empty() {
        writeln!(out, "  none")?;
    }
    for payment in &report.payments {
        let field = |k: &str| match payment.get(k) {
            Some(Value::String(text)) => text.clone(),
            Some(value) => value.to_string(),
            None => "-".into(),
        };
        writeln!(
            out,
            "  {}  {}  amountCents {}  refundedCents {}  attempts {}",
            field("orderId"),
            field("status"),
            field("amountCents"),
            field("refundedCents"),
            field("attempts")
        )?;
    }
    if let (Some(change), Some(answer)) = (&report.status_change, &report.status_event) {
        let status = change["detail"]["status"].as_str().unwrap_or("?");
        let target = workflow.status_function.as_deref().unwrap_or("?");
        writeln!(out, "\nStatus-change event ({status}) → {target}: {answer}")?;
    }
    writeln!(
        out,
        "\nRan in {:.3} s of real time, {:.1} s of workflow time on the virtual clock, {} history events.",
        report.real_time.as_secs_f64(),
        report.virtual_time.as_secs_f64(),
        report.outcome.history.len()
    )?;
    writeln!(out, "{}", report.outcome.describe())
}

/// The order record without its bulky submitted order (shown in the input already).
fn summary_of(order: &Value) -> Value {
    let mut shown = order.clone();
    if let Some(map) = shown.as_object_mut() {
        map.remove("order");
    }
    shown
}
