//! The command line: `sfn-local execute DEFINITION [--input FILE] [--history] [--real-time]
//! [--lambda-endpoint URL]` and `sfn-local validate DEFINITION`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Parser, Subcommand};
use serde_json::Value;

use crate::exec::{Engine, ExecutionOptions, Limits, PAYLOAD_LIMIT_BYTES, uses_jsonata};
use crate::model::{StateMachine, parse_definition};
use crate::task::HttpLambdas;
use crate::task::http::DEFAULT_ENDPOINT;
use crate::validate::validate;

#[derive(Parser)]
#[command(
    name = "sfn-local",
    version,
    about = "Run AWS Step Functions state machines offline"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run one execution; the last stdout line is a DescribeExecution-shaped JSON object.
    Execute {
        /// The ASL definition (JSON file).
        definition: PathBuf,
        /// The execution input (JSON file); `{}` when absent.
        #[arg(long)]
        input: Option<PathBuf>,
        /// Also print the execution history (one JSON array, before the result line).
        #[arg(long)]
        history: bool,
        /// Sleep for real in Wait states, back-off and timeouts (default: virtual time).
        #[arg(long)]
        real_time: bool,
        /// Lambda Invoke API endpoint (as `cargo lambda watch` serves it).
        #[arg(long, default_value = DEFAULT_ENDPOINT)]
        lambda_endpoint: String,
        /// The execution name (`$$.Execution.Name`).
        #[arg(long)]
        name: Option<String>,
        /// Largest state input/output in bytes (AWS: 256 KiB).
        #[arg(long, default_value_t = PAYLOAD_LIMIT_BYTES)]
        payload_limit: usize,
        /// Most history events an execution may have (AWS: 25,000).
        #[arg(long, default_value_t = 25_000)]
        history_limit: u64,
    },
    /// Check a definition statically; lists every error and exits non-zero if any.
    Validate { definition: PathBuf },
}

/// A reason the command could not run.
#[derive(Debug, thiserror::Error)]
enum CliError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("{path}: {message}")]
    Definition { path: String, message: String },
    #[error("{path}: invalid definition:\n{errors}")]
    Invalid { path: String, errors: String },
    #[error("{path}: the input is not valid JSON: {source}")]
    Input {
        path: String,
        source: serde_json::Error,
    },
    #[error("{path}: sfn-local cannot run {what} yet")]
    Unsupported { path: String, what: &'static str },
    #[error("cannot start the runtime: {0}")]
    Runtime(std::io::Error),
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Validate { definition } => load(&definition).map(|_| {
            println!("{}: valid", definition.display());
        }),
        Command::Execute {
            definition,
            input,
            history,
            real_time,
            lambda_endpoint,
            name,
            payload_limit,
            history_limit,
        } => {
            let run = RunArgs {
                history,
                real_time,
                endpoint: lambda_endpoint,
                name,
                limits: Limits {
                    payload_bytes: payload_limit,
                    history_events: history_limit,
                },
            };
            execute(&definition, input.as_deref(), run)
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("sfn-local: {e}");
            ExitCode::FAILURE
        }
    }
}

fn read(path: &Path) -> Result<String, CliError> {
    std::fs::read_to_string(path).map_err(|source| CliError::Read {
        path: path.display().to_string(),
        source,
    })
}

/// Read, parse and validate a definition.
fn load(path: &Path) -> Result<StateMachine, CliError> {
    let shown = path.display().to_string();
    let machine = parse_definition(&read(path)?).map_err(|e| CliError::Definition {
        path: shown.clone(),
        message: e.to_string(),
    })?;
    let errors = validate(&machine);
    if !errors.is_empty() {
        let errors = errors
            .iter()
            .map(|e| format!("  {e}"))
            .collect::<Vec<_>>()
            .join("\n");
        return Err(CliError::Invalid {
            path: shown,
            errors,
        });
    }
    Ok(machine)
}

/// How to run an execution.
struct RunArgs {
    history: bool,
    real_time: bool,
    endpoint: String,
    name: Option<String>,
    limits: Limits,
}

fn execute(definition: &Path, input: Option<&Path>, args: RunArgs) -> Result<(), CliError> {
    let RunArgs {
        history,
        real_time,
        endpoint,
        name,
        limits,
    } = args;
    let machine = load(definition)?;
    if uses_jsonata(&machine) {
        return Err(CliError::Unsupported {
            path: definition.display().to_string(),
            what: "JSONata and variables (QueryLanguage JSONata, Assign)",
        });
    }
    let machine = Arc::new(machine);
    let input: Value = match input {
        Some(path) => serde_json::from_str(&read(path)?).map_err(|source| CliError::Input {
            path: path.display().to_string(),
            source,
        })?,
        None => Value::Object(serde_json::Map::new()),
    };
    let mut options = ExecutionOptions {
        record_history: history,
        ..ExecutionOptions::default()
    };
    if let Some(name) = name {
        options.execution_name = name;
    }
    if let Some(stem) = definition.file_stem().and_then(|s| s.to_str()) {
        options.state_machine_name = stem.to_owned();
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .start_paused(!real_time)
        .build()
        .map_err(CliError::Runtime)?;
    let engine = Engine::new(Arc::new(HttpLambdas::new(endpoint))).with_limits(limits);
    let outcome = runtime.block_on(engine.execute(machine, input, options));
    if history {
        let events: Vec<Value> = outcome.history.iter().map(|e| e.to_json()).collect();
        println!("{}", Value::Array(events));
    }
    println!("{}", outcome.describe());
    Ok(())
}
