//! Runs the measurements of one function and renders them (table for people, JSON for diffs).

use std::path::Path;
use std::time::Duration;

use axum::body::Bytes;
use serde::Serialize;

use crate::measure::{self, Launch, MeasureError};
use crate::package::{self, PackageSize};
use crate::plan::{FunctionPlan, Plan};

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Row {
    pub function: String,
    pub cold_init_median_ms: f64,
    pub cold_init_p95_ms: f64,
    pub first_invocation_ms: f64,
    pub warm_median_us: f64,
    pub warm_p99_us: f64,
    /// Warm latency of an event answered without I/O: the handler's own overhead.
    pub no_io_warm_median_us: Option<f64>,
    pub peak_rss_mib: Option<f64>,
    /// `errorType` of the real-work event's first answer, if it was an error.
    pub error_type: Option<String>,
    pub package: Option<PackageSize>,
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
    Package(std::io::Error),
}

pub async fn measure_function(
    plan: &Plan,
    entry: &FunctionPlan,
    bin_dir: &Path,
    sam_build_dir: &Path,
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
    let run = measure::warm_run(&launch, &event, plan.warm_invocations).await?;
    inits.push(run.init);
    inits.sort();
    let mut warm: Vec<Duration> = run
        .warm
        .iter()
        .map(|c| c.completed_at - c.delivered_at)
        .collect();
    warm.sort();

    let (no_io_warm_median_us, no_io_rss) = match &entry.no_io_event {
        Some(path) => {
            let no_io =
                measure::warm_run(&launch, &read_event(path)?, plan.warm_invocations).await?;
            let mut times: Vec<Duration> = no_io
                .warm
                .iter()
                .map(|c| c.completed_at - c.delivered_at)
                .collect();
            times.sort();
            (Some(micros(percentile(&times, 50.0))), no_io.peak_rss_kib)
        }
        None => (None, None),
    };
    let peak_rss_kib = run.peak_rss_kib.into_iter().chain(no_io_rss).max();

    Ok(Row {
        function: entry.function.clone(),
        cold_init_median_ms: millis(percentile(&inits, 50.0)),
        cold_init_p95_ms: millis(percentile(&inits, 95.0)),
        first_invocation_ms: millis(run.first.completed_at - run.first.delivered_at),
        warm_median_us: micros(percentile(&warm, 50.0)),
        warm_p99_us: micros(percentile(&warm, 99.0)),
        no_io_warm_median_us,
        peak_rss_mib: peak_rss_kib.map(|kib| kib as f64 / 1024.0),
        error_type: run.first.error_type.clone(),
        package: package::measure(sam_build_dir, &entry.function).map_err(BenchError::Package)?,
    })
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
        "{:<22} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9} {:>8} {:>10} {:>9}  {}\n",
        "function",
        "init p50",
        "init p95",
        "first",
        "warm p50",
        "warm p99",
        "no-io p50",
        "RSS",
        "bootstrap",
        "zip",
        "error"
    );
    out.push_str(&format!(
        "{:<22} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9} {:>8} {:>10} {:>9}\n",
        "", "ms", "ms", "ms", "µs", "µs", "µs", "MiB", "KiB", "KiB"
    ));
    for row in rows {
        let opt = |v: Option<f64>| v.map(|v| format!("{v:.1}")).unwrap_or_else(|| "-".into());
        let kib = |bytes: Option<u64>| {
            bytes
                .map(|b| format!("{}", b / 1024))
                .unwrap_or_else(|| "-".into())
        };
        out.push_str(&format!(
            "{:<22} {:>9.2} {:>9.2} {:>9.2} {:>9.1} {:>9.1} {:>9} {:>8} {:>10} {:>9}  {}\n",
            row.function,
            row.cold_init_median_ms,
            row.cold_init_p95_ms,
            row.first_invocation_ms,
            row.warm_median_us,
            row.warm_p99_us,
            opt(row.no_io_warm_median_us),
            opt(row.peak_rss_mib),
            kib(row.package.map(|p| p.bootstrap_bytes)),
            kib(row.package.map(|p| p.zip_bytes)),
            row.error_type.as_deref().unwrap_or("-"),
        ));
    }
    out.push_str(&format!(
        "({} cold starts per function; {} warm invocations after the first; memory {} MB)",
        plan.cold_runs, plan.warm_invocations, plan.memory_mb
    ));
    out
}

pub fn write_json(path: &Path, plan: &Plan, rows: &[Row]) -> std::io::Result<()> {
    let doc = serde_json::json!({
        "memoryMb": plan.memory_mb,
        "coldRuns": plan.cold_runs,
        "warmInvocations": plan.warm_invocations,
        "host": std::env::consts::ARCH,
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

#[cfg(test)]
mod tests {
    use super::*;

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
