//! Runs the measurements of one function and renders them (table for people, JSON for diffs).

use std::path::Path;
use std::time::Duration;

use axum::body::Bytes;
use serde::Serialize;

use crate::measure::{self, Launch, MeasureError};
use crate::package::{self, PackageError, PackageSize};
use crate::plan::{Budgets, FunctionPlan, Plan};

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Row {
    pub function: String,
    pub cold_init_median_ms: f64,
    pub cold_init_p95_ms: f64,
    /// Median CPU time of init (all threads): what the init costs without the machine's load.
    pub cold_init_cpu_median_ms: Option<f64>,
    /// Median time init spent waiting for a CPU (run queue): the shared machine's share.
    pub cold_init_run_queue_median_ms: Option<f64>,
    pub first_invocation_ms: f64,
    pub warm_median_us: f64,
    pub warm_p99_us: f64,
    /// Warm latency of an event answered without I/O: the handler's own overhead.
    pub no_io_warm_median_us: Option<f64>,
    /// CPU time per warm no-I/O invocation (the function's threads, from `schedstat`): the
    /// handler's own overhead without the wake-ups of the round trip, which on an idle VM
    /// dominate `no_io_warm_median_us`. The no-I/O budget is judged on this.
    pub no_io_cpu_per_invocation_us: Option<f64>,
    /// `errorType` the no-I/O event answered with (a validation error proves no I/O was done).
    pub no_io_error_type: Option<String>,
    pub peak_rss_mib: Option<f64>,
    /// `errorType` of the real-work event's first answer, if it was an error.
    pub error_type: Option<String>,
    pub package: Option<PackageSize>,
    /// Each budget of the plan: met (`true`), missed (`false`) or not measured (absent).
    pub budgets_met: BudgetsMet,
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BudgetsMet {
    pub cold_init: Option<bool>,
    pub no_io_warm: Option<bool>,
    pub peak_rss: Option<bool>,
    pub zip: Option<bool>,
}

impl BudgetsMet {
    pub fn of(row: &Row, budgets: &Budgets) -> Self {
        Self {
            cold_init: Some(row.cold_init_median_ms <= budgets.cold_init_median_ms),
            // The handler's own work (CPU per call) when measured; else the round trip.
            no_io_warm: row
                .no_io_cpu_per_invocation_us
                .or(row.no_io_warm_median_us)
                .map(|us| us <= budgets.no_io_warm_median_us),
            peak_rss: row.peak_rss_mib.map(|mib| mib <= budgets.peak_rss_mib),
            zip: row.package.map(|p| p.zip_bytes <= budgets.zip_bytes),
        }
    }

    fn all(&self) -> [(&'static str, Option<bool>); 4] {
        [
            ("cold init", self.cold_init),
            ("no-I/O warm", self.no_io_warm),
            ("peak RSS", self.peak_rss),
            ("zip", self.zip),
        ]
    }
}

#[derive(Debug, thiserror::Error)]
pub enum BenchError {
    #[error(transparent)]
    Measure(#[from] MeasureError),
    #[error("cannot read event {path}: {source}")]
    Event {
        path: String,
        source: std::io::Error,
    },
    #[error("binary {0} not found: build with `cargo build --release`")]
    NoBinary(String),
    #[error("package size: {0}")]
    Package(#[from] PackageError),
}

pub async fn measure_function(
    plan: &Plan,
    entry: &FunctionPlan,
    bin_dir: &Path,
    package_dirs: &[&Path],
    env: &[(String, String)],
) -> Result<Row, BenchError> {
    let binary = bin_dir.join(&entry.function);
    if !binary.exists() {
        return Err(BenchError::NoBinary(binary.display().to_string()));
    }
    let launch = Launch {
        function: entry.function.clone(),
        binary,
        memory_mb: plan.memory_mb,
        env: env.to_vec(),
    };

    let mut inits = Vec::with_capacity(plan.cold_runs + 1);
    for _ in 0..plan.cold_runs {
        inits.push(measure::cold_init(&launch).await?);
    }
    let event = read_event(&entry.event)?;
    let run = measure::warm_run(&launch, &event, plan.io_warm_invocations()).await?;
    inits.push(run.init);
    let mut cpu: Vec<Duration> = inits
        .iter()
        .filter_map(|i| i.sched)
        .map(|s| s.on_cpu)
        .collect();
    let mut waits: Vec<Duration> = inits
        .iter()
        .filter_map(|i| i.sched)
        .map(|s| s.run_queue)
        .collect();
    cpu.sort();
    waits.sort();
    let mut inits: Vec<Duration> = inits.iter().map(|i| i.wall).collect();
    inits.sort();
    let mut warm: Vec<Duration> = run
        .warm
        .iter()
        .map(|c| c.completed_at - c.delivered_at)
        .collect();
    warm.sort();

    let (no_io_warm_median_us, no_io_cpu, no_io_error_type, no_io_rss) = match &entry.no_io_event {
        Some(path) => {
            let no_io =
                measure::warm_run(&launch, &read_event(path)?, plan.warm_invocations).await?;
            let mut times: Vec<Duration> = no_io
                .warm
                .iter()
                .map(|c| c.completed_at - c.delivered_at)
                .collect();
            times.sort();
            let per_call = no_io
                .warm_cpu
                .filter(|_| !no_io.warm.is_empty())
                .map(|cpu| micros(cpu / no_io.warm.len() as u32));
            (
                Some(micros(percentile(&times, 50.0))),
                per_call,
                no_io.first.error_type,
                no_io.peak_rss_kib,
            )
        }
        None => (None, None, None, None),
    };
    let peak_rss_kib = run.peak_rss_kib.into_iter().chain(no_io_rss).max();

    let package = package::find_bootstrap(package_dirs, &entry.function)
        .map(|path| package::measure(&path))
        .transpose()?;
    let mut row = Row {
        function: entry.function.clone(),
        cold_init_median_ms: millis(percentile(&inits, 50.0)),
        cold_init_p95_ms: millis(percentile(&inits, 95.0)),
        cold_init_cpu_median_ms: (!cpu.is_empty()).then(|| millis(percentile(&cpu, 50.0))),
        cold_init_run_queue_median_ms: (!waits.is_empty())
            .then(|| millis(percentile(&waits, 50.0))),
        first_invocation_ms: millis(run.first.completed_at - run.first.delivered_at),
        warm_median_us: micros(percentile(&warm, 50.0)),
        warm_p99_us: micros(percentile(&warm, 99.0)),
        no_io_warm_median_us,
        no_io_cpu_per_invocation_us: no_io_cpu,
        no_io_error_type,
        peak_rss_mib: peak_rss_kib.map(|kib| kib as f64 / 1024.0),
        error_type: run.first.error_type.clone(),
        package,
        budgets_met: BudgetsMet::default(),
    };
    row.budgets_met = BudgetsMet::of(&row, &plan.budgets);
    Ok(row)
}

fn read_event(path: &Path) -> Result<Bytes, BenchError> {
    std::fs::read(path)
        .map(Bytes::from)
        .map_err(|source| BenchError::Event {
            path: path.display().to_string(),
            source,
        })
}

/// Nearest-rank percentile of sorted samples.
pub fn percentile(sorted: &[Duration], pct: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((pct / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn millis(d: Duration) -> f64 {
    (d.as_secs_f64() * 1e5).round() / 100.0
}

fn micros(d: Duration) -> f64 {
    (d.as_secs_f64() * 1e7).round() / 10.0
}

pub fn render_table(rows: &[Row], plan: &Plan) -> String {
    let mut out = format!(
        "{:<22} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9} {:>8} {:>10} {:>9}  {}\n",
        "function",
        "init p50",
        "init p95",
        "init CPU",
        "init wait",
        "first",
        "warm p50",
        "warm p99",
        "no-io p50",
        "no-io CPU",
        "RSS",
        "bootstrap",
        "zip",
        "error"
    );
    out.push_str(&format!(
        "{:<22} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9} {:>8} {:>10} {:>9}\n",
        "", "ms", "ms", "ms", "ms", "ms", "µs", "µs", "µs", "µs", "MiB", "KiB", "KiB"
    ));
    for row in rows {
        let opt = |v: Option<f64>| v.map(|v| format!("{v:.1}")).unwrap_or_else(|| "-".into());
        let opt2 = |v: Option<f64>| v.map(|v| format!("{v:.2}")).unwrap_or_else(|| "-".into());
        let kib = |bytes: Option<u64>| {
            bytes
                .map(|b| format!("{}", b / 1024))
                .unwrap_or_else(|| "-".into())
        };
        out.push_str(&format!(
            "{:<22} {:>9.2} {:>9.2} {:>9} {:>9} {:>9.2} {:>9.1} {:>9.1} {:>9} {:>9} {:>8} {:>10} {:>9}  {}\n",
            row.function,
            row.cold_init_median_ms,
            row.cold_init_p95_ms,
            opt2(row.cold_init_cpu_median_ms),
            opt2(row.cold_init_run_queue_median_ms),
            row.first_invocation_ms,
            row.warm_median_us,
            row.warm_p99_us,
            opt(row.no_io_warm_median_us),
            opt(row.no_io_cpu_per_invocation_us),
            opt(row.peak_rss_mib),
            kib(row.package.map(|p| p.bootstrap_bytes)),
            kib(row.package.map(|p| p.zip_bytes)),
            row.error_type.as_deref().unwrap_or("-"),
        ));
    }
    out.push_str(&format!(
        "({} cold starts per function; {} warm invocations after the first ({} of the \
         real-work event); memory {} MB; init CPU/wait: on-CPU and run-queue time of the init, \
         all threads; no-io CPU: the function's CPU time per no-I/O call, what the no-I/O \
         budget is judged on: the p50 round trip adds the emulator's and the wake-ups' time)\n",
        plan.cold_runs,
        plan.warm_invocations,
        plan.io_warm_invocations(),
        plan.memory_mb
    ));
    out.push_str(&budget_summary(rows, &plan.budgets));
    out
}

/// One line per budget: how many functions meet it, and which miss it.
pub fn budget_summary(rows: &[Row], budgets: &Budgets) -> String {
    let limits = [
        format!("≤ {} ms", budgets.cold_init_median_ms),
        format!("≤ {} µs", budgets.no_io_warm_median_us),
        format!("≤ {} MiB", budgets.peak_rss_mib),
        format!("≤ {} KiB", budgets.zip_bytes / 1024),
    ];
    let mut out = String::from("budgets:\n");
    for (index, limit) in limits.iter().enumerate() {
        let verdicts: Vec<(&str, &'static str, Option<bool>)> = rows
            .iter()
            .filter_map(|row| {
                let (name, met) = *row.budgets_met.all().get(index)?;
                Some((row.function.as_str(), name, met))
            })
            .collect();
        let name = verdicts.first().map(|v| v.1).unwrap_or("?");
        let measured = verdicts.iter().filter(|v| v.2.is_some()).count();
        let missed: Vec<&str> = verdicts
            .iter()
            .filter(|v| v.2 == Some(false))
            .map(|v| v.0)
            .collect();
        out.push_str(&format!(
            "  {name:<12} {limit:<11} met by {}/{measured} measured{}\n",
            measured - missed.len(),
            if missed.is_empty() {
                String::new()
            } else {
                format!("; missed by {}", missed.join(", "))
            }
        ));
    }
    out
}

pub fn write_json(path: &Path, plan: &Plan, rows: &[Row], notes: &[String]) -> std::io::Result<()> {
    let doc = serde_json::json!({
        "memoryMb": plan.memory_mb,
        "coldRuns": plan.cold_runs,
        "warmInvocations": plan.warm_invocations,
        "ioWarmInvocations": plan.io_warm_invocations(),
        "budgets": plan.budgets,
        "host": {
            "arch": std::env::consts::ARCH,
            "cpus": std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1),
            "cpuModel": cpu_model(),
        },
        "notes": notes,
        "functions": rows,
    });
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    std::fs::write(
        path,
        serde_json::to_vec_pretty(&doc).map_err(std::io::Error::other)?,
    )
}

/// The host CPU's model name (Linux), so runs on different machines are not compared blindly.
fn cpu_model() -> Option<String> {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()?
        .lines()
        .find_map(|line| line.strip_prefix("model name"))
        .and_then(|rest| rest.split_once(':'))
        .map(|(_, name)| name.trim().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(function: &str, init_ms: f64, no_io_us: Option<f64>, zip: Option<u64>) -> Row {
        Row {
            function: function.into(),
            cold_init_median_ms: init_ms,
            cold_init_p95_ms: init_ms,
            cold_init_cpu_median_ms: None,
            cold_init_run_queue_median_ms: None,
            first_invocation_ms: 1.0,
            warm_median_us: 500.0,
            warm_p99_us: 900.0,
            no_io_warm_median_us: no_io_us,
            no_io_cpu_per_invocation_us: None,
            no_io_error_type: None,
            peak_rss_mib: Some(12.0),
            error_type: None,
            package: zip.map(|zip_bytes| PackageSize {
                bootstrap_bytes: zip_bytes * 2,
                zip_bytes,
            }),
            budgets_met: BudgetsMet::default(),
        }
    }

    const BUDGETS: Budgets = Budgets {
        cold_init_median_ms: 20.0,
        no_io_warm_median_us: 100.0,
        peak_rss_mib: 30.0,
        zip_bytes: 4 * 1024 * 1024,
    };

    #[test]
    fn the_no_io_budget_is_judged_on_cpu_per_call_when_measured() {
        let mut slow_round_trip = row("a", 8.0, Some(140.0), None);
        assert_eq!(
            BudgetsMet::of(&slow_round_trip, &BUDGETS).no_io_warm,
            Some(false)
        );
        slow_round_trip.no_io_cpu_per_invocation_us = Some(45.0);
        assert_eq!(
            BudgetsMet::of(&slow_round_trip, &BUDGETS).no_io_warm,
            Some(true)
        );
        slow_round_trip.no_io_cpu_per_invocation_us = Some(120.0);
        assert_eq!(
            BudgetsMet::of(&slow_round_trip, &BUDGETS).no_io_warm,
            Some(false)
        );
    }

    #[test]
    fn budgets_are_met_missed_or_not_measured() {
        let fast = row("a", 8.0, Some(40.0), Some(3_000_000));
        let met = BudgetsMet::of(&fast, &BUDGETS);
        assert_eq!(met.cold_init, Some(true));
        assert_eq!(met.no_io_warm, Some(true));
        assert_eq!(met.peak_rss, Some(true));
        assert_eq!(met.zip, Some(true));
        let slow = row("b", 25.0, None, Some(5_000_000));
        let met = BudgetsMet::of(&slow, &BUDGETS);
        assert_eq!(met.cold_init, Some(false));
        assert_eq!(met.no_io_warm, None);
        assert_eq!(met.zip, Some(false));
    }

    #[test]
    fn the_summary_names_the_functions_that_miss_a_budget() {
        let mut rows = vec![
            row("fast", 8.0, Some(40.0), Some(3_000_000)),
            row("slow", 25.0, None, Some(5_000_000)),
        ];
        for r in &mut rows {
            r.budgets_met = BudgetsMet::of(r, &BUDGETS);
        }
        let summary = budget_summary(&rows, &BUDGETS);
        let line = |name: &str| {
            summary
                .lines()
                .find(|l| l.trim_start().starts_with(name))
                .unwrap()
                .to_string()
        };
        assert!(
            line("cold init").contains("met by 1/2 measured; missed by slow"),
            "{summary}"
        );
        assert!(
            line("no-I/O warm").contains("met by 1/1 measured"),
            "{summary}"
        );
        assert!(!line("no-I/O warm").contains("missed"), "{summary}");
        assert!(line("zip").contains("missed by slow"), "{summary}");
    }

    #[test]
    fn nearest_rank_percentiles() {
        let samples: Vec<Duration> = (1..=100).map(Duration::from_millis).collect();
        assert_eq!(percentile(&samples, 50.0), Duration::from_millis(50));
        assert_eq!(percentile(&samples, 95.0), Duration::from_millis(95));
        assert_eq!(percentile(&samples, 100.0), Duration::from_millis(100));
        assert_eq!(percentile(&samples[..1], 99.0), Duration::from_millis(1));
        assert_eq!(percentile(&[], 50.0), Duration::ZERO);
    }
}
