//! The command line: `sfn-local execute (DEFINITION | --template T [--state-machine ID]) [--input FILE]
//! [--history] [--real-time] [--lambda-endpoint URL] [--mock-config FILE --test-case NAME]`, `sfn-local validate` (same sources)
//! and `sfn-local serve` (the Step Functions API, see `serve.rs`).

mod serve;

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Parser, Subcommand};
use sfn_json::Value;

use crate::exec::{Engine, ExecutionOptions, Limits, PAYLOAD_LIMIT_BYTES};
use crate::model::{StateMachine, parse_definition};
use crate::task::http::DEFAULT_ENDPOINT;
use crate::task::{
    ChaosConfig, ChaosInvoker, HttpLambdas, LambdaInvoker, MockConfig, MockedLambdas,
};
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
        #[command(flatten)]
        source: Source,
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
        /// A Step Functions Local mock configuration (MockConfigFile.json format).
        #[arg(long, requires = "test_case")]
        mock_config: Option<PathBuf>,
        /// The test case to run from --mock-config (looked up under the state machine's name).
        #[arg(long, requires = "mock_config")]
        test_case: Option<String>,
        /// Inject Lambda's faults into this execution's function calls, seeded: service
        /// errors before and after the function ran, timeouts after it ran, duplicate
        /// deliveries (a summary goes to stderr).
        #[arg(long, value_name = "SEED")]
        chaos: Option<u64>,
    },
    /// Check a definition statically; lists every error and exits non-zero if any.
    Validate {
        #[command(flatten)]
        source: Source,
    },
    /// Serve the Step Functions API (AWS JSON 1.0) for the AWS SDKs and CLI.
    Serve(serve::ServeArgs),
}

/// Where the definition comes from: a file, or a SAM template's state machine.
#[derive(clap::Args)]
struct Source {
    /// The ASL definition (JSON file). Optional with --template.
    #[arg(required_unless_present = "template")]
    definition: Option<PathBuf>,
    /// A SAM template: run its state machine's DefinitionUri with its DefinitionSubstitutions
    /// applied (functions map to the names cargo-lambda serves them under).
    #[arg(long, conflicts_with = "definition")]
    template: Option<PathBuf>,
    /// The state machine's logical id, when the template has several.
    #[arg(long, requires = "template")]
    state_machine: Option<String>,
    /// The state machine's name (`$$.StateMachine.Name`, the mock config's key); default: the
    /// definition file's stem or the template's logical id.
    #[arg(long)]
    state_machine_name: Option<String>,
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
    #[error("{0}")]
    Template(#[from] crate::template::TemplateError),
    #[error("{path}: invalid definition:\n{errors}")]
    Invalid { path: String, errors: String },
    #[error("{path}: the input is not valid JSON: {source}")]
    Input {
        path: String,
        source: serde_json::Error,
    },
    #[error("{0}")]
    Mock(#[from] crate::task::MockError),
    #[error("cannot start the runtime: {0}")]
    Runtime(std::io::Error),
    #[error("{0}")]
    Serve(#[from] serve::ServeError),
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Validate { source } => load_source(&source).map(|(_, shown, _)| {
            println!("{shown}: valid");
        }),
        Command::Execute {
            source,
            input,
            history,
            real_time,
            lambda_endpoint,
            name,
            payload_limit,
            history_limit,
            mock_config,
            test_case,
            chaos,
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
                mock: mock_config.zip(test_case),
                chaos,
            };
            execute(&source, input.as_deref(), run)
        }
        Command::Serve(args) => serve::run(args).map_err(CliError::from),
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

/// The validated state machine, how to name it in messages, and its name for `$$.StateMachine`.
fn load_source(source: &Source) -> Result<(StateMachine, String, String), CliError> {
    match (&source.definition, &source.template) {
        (_, Some(template)) => {
            let resolved = crate::template::resolve(template, source.state_machine.as_deref())?;
            let shown = format!("{} ({})", template.display(), resolved.logical_id);
            let machine = check(&resolved.definition.to_string(), shown.clone())?;
            Ok((machine, shown, resolved.logical_id))
        }
        (Some(path), None) => {
            let shown = path.display().to_string();
            let name = path
                .file_stem()
                .and_then(|s| s.to_str())
                .unwrap_or("sfn-local")
                .to_owned();
            Ok((check(&read(path)?, shown.clone())?, shown, name))
        }
        (None, None) => Err(CliError::Definition {
            path: "(none)".into(),
            message: "give a definition file or --template".into(),
        }),
    }
}

/// Parse and validate a definition's text.
fn check(text: &str, shown: String) -> Result<StateMachine, CliError> {
    let machine = parse_definition(text).map_err(|e| CliError::Definition {
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
    /// The mock config file and test case.
    mock: Option<(PathBuf, String)>,
    /// Fault injection seed.
    chaos: Option<u64>,
}

fn execute(source: &Source, input: Option<&Path>, args: RunArgs) -> Result<(), CliError> {
    let RunArgs {
        history,
        real_time,
        endpoint,
        name,
        limits,
        mock,
        chaos,
    } = args;
    let (machine, _, machine_name) = load_source(source)?;
    let machine_name = source.state_machine_name.clone().unwrap_or(machine_name);
    let lambdas: Arc<dyn LambdaInvoker> = Arc::new(HttpLambdas::new(endpoint));
    let lambdas: Arc<dyn LambdaInvoker> = match mock {
        Some((file, case)) => {
            let case = MockConfig::load(&file)?.test_case(&machine_name, &case)?;
            Arc::new(MockedLambdas::new(lambdas, case))
        }
        None => lambdas,
    };
    let chaos =
        chaos.map(|seed| Arc::new(ChaosInvoker::new(lambdas.clone(), ChaosConfig::new(seed))));
    let invoker: Arc<dyn LambdaInvoker> = match &chaos {
        Some(chaos) => chaos.clone(),
        None => lambdas,
    };
    let machine = Arc::new(machine);
    let input: Value = match input {
        Some(path) => sfn_json::from_str(&read(path)?).map_err(|source| CliError::Input {
            path: path.display().to_string(),
            source,
        })?,
        None => Value::Object(sfn_json::Map::new()),
    };
    let options = ExecutionOptions {
        execution_name: name,
        state_machine_name: machine_name.into(),
        record_history: history,
        ..ExecutionOptions::default()
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .start_paused(!real_time)
        .build()
        .map_err(CliError::Runtime)?;
    let engine = Engine::new(invoker).with_limits(limits);
    let outcome = runtime.block_on(engine.execute(machine, input, options));
    if let Some(chaos) = chaos {
        let stats = chaos.stats();
        eprintln!(
            "sfn-local: chaos seed {}: {} invocations, {} service errors before the call, {} after it, {} timeouts, {} duplicate deliveries",
            chaos.config().seed,
            stats.invocations,
            stats.service_errors_before,
            stats.service_errors_after,
            stats.timeouts,
            stats.duplicates
        );
    }
    if history {
        let events: Vec<Value> = outcome.history.iter().map(|e| e.to_json()).collect();
        println!("{}", Value::Array(events));
    }
    println!("{}", outcome.describe_text());
    Ok(())
}
