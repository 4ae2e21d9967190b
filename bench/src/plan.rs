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
    pub functions: Vec<FunctionPlan>,
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
