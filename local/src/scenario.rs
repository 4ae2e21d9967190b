//! The scenario suite: every sample order of `events/orders/` runs end to end (a fresh local
//! environment each) and is checked against its `.expect.json`: the execution's status, error
//! and path, the order record, the inventory counts, the payment records and the status-change
//! event. `order-local scenarios` prints a table and exits non-zero on any mismatch; `--report`
//! writes every run normalized, so two runs (in-process, `cargo lambda watch`) can be compared.

pub mod expectation;
pub mod matcher;
pub mod report;
pub mod runner;
pub mod store;
pub mod suite;

pub use expectation::{Decision, Expectation, Observed, Stock, StockChange, check};
pub use matcher::Mismatch;
pub use runner::{CaseResult, Functions, Runner, RunnerError};
pub use suite::{Case, Scenario, load_dir, load_seed};

use crate::env::{default_template, real_time, repo_root};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(clap::Args, Debug)]
pub struct ScenarioArgs {
    /// The folder of sample orders (`<name>.json` beside `<name>.expect.json`).
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
    /// Run the functions as processes under `cargo lambda watch` (one per scenario, with
    /// that scenario's tables) instead of in-process.
    #[arg(long)]
    pub cargo_lambda: bool,
    /// Invoke the functions at this Lambda Invoke API endpoint (already running, e.g. a
    /// `cargo lambda watch` started by hand) instead; they must use the tables named by
    /// ORDERS_TABLE, INVENTORY_TABLE and PAYMENTS_TABLE (set them here too: emptied and
    /// re-seeded before each scenario) and AWS_ENDPOINT_URL_SFN=http://127.0.0.1:<--sfn-port>.
    #[arg(
        long,
        value_name = "URL",
        conflicts_with = "cargo_lambda",
        requires = "sfn_port"
    )]
    pub lambda_endpoint: Option<String>,
    /// The loopback port of each run's Step Functions API (with --lambda-endpoint).
    #[arg(long, value_name = "PORT")]
    pub sfn_port: Option<u16>,
    /// Only the scenarios whose name (`standard`, `needs-approval/reject`) contains this.
    #[arg(long, value_name = "TEXT")]
    pub only: Option<String>,
    /// Write every run, normalized (generated ids, timestamps and ARNs replaced), to FILE.
    #[arg(long, value_name = "FILE")]
    pub report: Option<PathBuf>,
    /// The SAM template with the state machine, tables and functions.
    #[arg(long, value_name = "FILE")]
    pub template: Option<PathBuf>,
    /// The inventory every scenario starts from; default events/inventory-seed.json.
    #[arg(long, value_name = "FILE")]
    pub seed: Option<PathBuf>,
}

pub fn cli(args: ScenarioArgs) -> ExitCode {
    match run_cli(&args) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(error) => {
            eprintln!("order-local scenarios: {error}");
            ExitCode::from(2)
        }
    }
}

/// Runs the suite, prints the table and the mismatches; `Ok(false)` when any case failed.
fn run_cli(args: &ScenarioArgs) -> Result<bool, RunnerError> {
    let dir = args
        .dir
        .clone()
        .unwrap_or_else(|| repo_root().join("events").join("orders"));
    let seed = args
        .seed
        .clone()
        .unwrap_or_else(|| repo_root().join("events").join("inventory-seed.json"));
    let template = args.template.clone().unwrap_or_else(default_template);
    let functions = match (&args.lambda_endpoint, args.sfn_port) {
        (Some(url), Some(sfn_port)) => Functions::Endpoint {
            url: url.clone(),
            sfn_port,
        },
        _ if args.cargo_lambda => Functions::CargoLambda,
        _ => Functions::InProcess,
    };
    let scenarios = load_dir(&dir)?;
    let runner = Runner::new(&template, &seed, functions.clone())?;
    let cases: Vec<Case<'_>> = scenarios
        .iter()
        .flat_map(Scenario::cases)
        .filter(|c| {
            args.only
                .as_ref()
                .is_none_or(|only| c.name().contains(only))
        })
        .collect();
    let mode = match &functions {
        Functions::InProcess => "functions in-process".to_string(),
        Functions::CargoLambda => "functions under `cargo lambda watch`".to_string(),
        Functions::Endpoint { url, .. } => format!("functions at {url}"),
    };
    eprintln!(
        "order-local scenarios: {} runs from {}, {mode}",
        cases.len(),
        dir.display()
    );
    let results: Vec<CaseResult> = real_time()?.block_on(async {
        let mut results = Vec::new();
        for case in &cases {
            let result = runner.run(case).await;
            eprintln!(
                "  {:<32} {}",
                result.name,
                if result.passed() { "ok" } else { "MISMATCH" }
            );
            results.push(result);
        }
        results
    });
    let mut out = std::io::stdout().lock();
    let printed = print_table(&mut out, &results);
    if let Err(e) = printed {
        eprintln!("order-local scenarios: writing the table: {e}");
    }
    if let Some(path) = &args.report {
        write_report(path, &results)?;
    }
    Ok(results.iter().all(CaseResult::passed))
}

/// One line per run, then every mismatch, then the count.
pub fn print_table(out: &mut dyn Write, results: &[CaseResult]) -> std::io::Result<()> {
    writeln!(
        out,
        "\n{:<28} {:<10} {:<26} {:>7} {:>10} {:>9}  result",
        "scenario", "status", "error", "states", "real ms", "virtual s"
    )?;
    for result in results {
        let (status, error, states) = match &result.observed {
            Some(o) => (
                o.status.as_str(),
                o.error.as_deref().unwrap_or("-"),
                o.states.len(),
            ),
            None => ("-", "-", 0),
        };
        let verdict = if result.passed() {
            "ok".to_string()
        } else {
            format!("{} mismatches", result.mismatches.len())
        };
        writeln!(
            out,
            "{:<28} {:<10} {:<26} {:>7} {:>10.1} {:>9.1}  {verdict}",
            result.name,
            status,
            error,
            states,
            result.real_time.as_secs_f64() * 1000.0,
            result.virtual_time.as_secs_f64(),
        )?;
    }
    let failed: Vec<&CaseResult> = results.iter().filter(|r| !r.passed()).collect();
    for result in &failed {
        writeln!(out, "\n{}:", result.name)?;
        for mismatch in &result.mismatches {
            writeln!(out, "  {mismatch}")?;
        }
    }
    writeln!(
        out,
        "\n{} passed, {} failed",
        results.len() - failed.len(),
        failed.len()
    )
}

/// The normalized runs, one JSON document (`{"runs": [...]}`), sorted by scenario name.
fn write_report(path: &Path, results: &[CaseResult]) -> Result<(), RunnerError> {
    let mut runs: Vec<&sfn_json::Value> = results.iter().map(|r| &r.report).collect();
    runs.sort_by_key(|r| r.get("scenario").map(ToString::to_string));
    let text = serde_json::to_string_pretty(&sfn_json::json!({ "runs": runs })).unwrap_or_default();
    std::fs::write(path, text + "\n").map_err(|e| {
        RunnerError::Local(crate::env::LocalError::Read {
            path: path.display().to_string(),
            message: format!("cannot write: {e}"),
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn result(name: &str, mismatches: Vec<Mismatch>) -> CaseResult {
        CaseResult {
            name: name.into(),
            observed: Some(Observed {
                status: "SUCCEEDED".into(),
                states: vec!["A".into(), "B".into()],
                ..Observed::default()
            }),
            mismatches,
            report: sfn_json::Value::Null,
            real_time: Duration::from_millis(12),
            virtual_time: Duration::from_secs(3600),
        }
    }

    #[test]
    fn the_table_has_a_line_per_run_then_every_mismatch_and_the_count() {
        let results = [
            result("standard", Vec::new()),
            result(
                "express",
                vec![Mismatch::new(
                    "order.status",
                    "expected COMPLETED, got FAILED",
                )],
            ),
        ];
        let mut out = Vec::new();
        print_table(&mut out, &results).unwrap_or_else(|e| panic!("{e}"));
        let text = String::from_utf8_lossy(&out);
        let lines: Vec<&str> = text.lines().filter(|l| !l.is_empty()).collect();
        assert!(
            lines[1].starts_with("standard") && lines[1].ends_with("ok"),
            "{text}"
        );
        assert!(
            lines[1].contains("3600.0") && lines[1].contains("12.0"),
            "{text}"
        );
        assert!(lines[2].ends_with("1 mismatches"), "{text}");
        assert_eq!(lines[3], "express:");
        assert_eq!(lines[4], "  order.status: expected COMPLETED, got FAILED");
        assert_eq!(lines[5], "1 passed, 1 failed");
    }
}
