//! The benchmark plan (bench/plan.json): which function gets which events, how many runs.

use std::path::{Path, PathBuf};

use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Plan {
    /// Memory size the template configures; what GB-seconds are computed with.
    pub memory_mb: u32,
    /// Process starts per function for the cold-init median.
    pub cold_runs: usize,
    /// Warm invocations after the first one (peak RSS is read after them).
    pub warm_invocations: usize,
    /// Warm invocations of the real-work event, when fewer than `warm_invocations`: the events
    /// repeat one order, whose record (its status history) grows with every call, so a long
    /// run would measure a growing item rather than the handler. Default: `warm_invocations`.
    #[serde(default)]
    pub io_warm_invocations: Option<usize>,
    /// The budgets of issue 6 every function is checked against.
    pub budgets: Budgets,
    pub functions: Vec<FunctionPlan>,
}

/// Limits a function must stay within (issue 6).
#[derive(Debug, Clone, Copy, Deserialize, serde::Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Budgets {
    /// Median time from process start to the first poll for work.
    pub cold_init_median_ms: f64,
    /// Median warm latency of the no-I/O event: the handler's overhead outside DynamoDB.
    pub no_io_warm_median_us: f64,
    /// Peak RSS (VmHWM) across init and every invocation.
    pub peak_rss_mib: f64,
    /// The zipped arm64 package.
    pub zip_bytes: u64,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FunctionPlan {
    /// The package and binary name (functions/<function>).
    pub function: String,
    /// An event that does the function's real work, DynamoDB I/O included.
    pub event: PathBuf,
    /// An event the handler answers without I/O (bad input → named error): the handler's own
    /// overhead outside DynamoDB.
    pub no_io_event: Option<PathBuf>,
}

#[derive(Debug, thiserror::Error)]
pub enum PlanError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("{path} is not a valid plan: {source}")]
    Parse {
        path: String,
        source: serde_json::Error,
    },
}

impl Plan {
    /// How many warm invocations the real-work event gets.
    pub fn io_warm_invocations(&self) -> usize {
        self.io_warm_invocations
            .map_or(self.warm_invocations, |n| n.min(self.warm_invocations))
    }

    pub fn load(path: &Path) -> Result<Self, PlanError> {
        let text = std::fs::read_to_string(path).map_err(|source| PlanError::Read {
            path: path.display().to_string(),
            source,
        })?;
        serde_json::from_str(&text).map_err(|source| PlanError::Parse {
            path: path.display().to_string(),
            source,
        })
    }
}

/// The variables the functions read (tables, endpoints, credentials), passed on from our own
/// environment; everything else is cleared so runs are comparable.
pub fn forwarded_env() -> Vec<(String, String)> {
    const PREFIXES: [&str; 5] = [
        "ORDERS_TABLE",
        "INVENTORY_TABLE",
        "PAYMENTS_TABLE",
        "STATE_MACHINE_ARN",
        "AWS_",
    ];
    std::env::vars()
        .filter(|(name, _)| PREFIXES.iter().any(|p| name.starts_with(p)))
        .filter(|(name, _)| !name.starts_with("AWS_LAMBDA_"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_committed_plan_names_an_existing_event_for_every_function() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let plan = Plan::load(&root.join("bench/plan.json")).unwrap();
        assert_eq!(
            plan.functions.len(),
            14,
            "one entry per function of template.yaml"
        );
        for entry in &plan.functions {
            assert!(
                root.join("functions").join(&entry.function).is_dir(),
                "{}",
                entry.function
            );
            for event in std::iter::once(&entry.event).chain(entry.no_io_event.as_ref()) {
                assert!(
                    root.join(event).is_file(),
                    "{}: {}",
                    entry.function,
                    event.display()
                );
            }
        }
        assert!(plan.budgets.zip_bytes > 0 && plan.budgets.cold_init_median_ms > 0.0);
    }

    #[test]
    fn unknown_fields_are_refused() {
        let dir = std::env::temp_dir().join(format!("fn-bench-plan-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("plan.json");
        std::fs::write(
            &path,
            r#"{"memoryMb":256,"coldRuns":1,"warmInvocations":1,"budget":{},"functions":[]}"#,
        )
        .unwrap();
        let err = Plan::load(&path).unwrap_err();
        std::fs::remove_dir_all(&dir).unwrap();
        assert!(matches!(err, PlanError::Parse { .. }), "{err}");
    }

    #[test]
    fn the_real_work_event_gets_at_most_the_warm_count() {
        let plan = |io: &str| -> Plan {
            serde_json::from_str(&format!(
                r#"{{"memoryMb":256,"coldRuns":1,"warmInvocations":50{io},
                "budgets":{{"coldInitMedianMs":20,"noIoWarmMedianUs":100,"peakRssMib":30,"zipBytes":1}},
                "functions":[]}}"#
            ))
            .unwrap()
        };
        assert_eq!(plan("").io_warm_invocations(), 50);
        assert_eq!(plan(r#","ioWarmInvocations":10"#).io_warm_invocations(), 10);
        assert_eq!(
            plan(r#","ioWarmInvocations":500"#).io_warm_invocations(),
            50
        );
    }
}
