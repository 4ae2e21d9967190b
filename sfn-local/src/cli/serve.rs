//! `sfn-local serve [--port 8083] [--host 127.0.0.1] [--template T] [--lambda-endpoint URL]
//! [--real-time] [--mock-config F [--test-case N]]`: the Step Functions API on a local port.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde_norway::Value as Yaml;

use crate::exec::{Engine, Limits, PAYLOAD_LIMIT_BYTES};
use crate::model::parse_definition;
use crate::serve::registry::MachineType;
use crate::serve::{ApiError, Mocks, NewMachine, Service};
use crate::task::http::DEFAULT_ENDPOINT;
use crate::task::{HttpLambdas, LambdaInvoker, MockConfig, MockError};
use crate::template::{ResolvedStateMachine, TemplateError};
use crate::validate::validate;

#[derive(clap::Args)]
pub struct ServeArgs {
    /// The port to listen on (0 picks a free one; the real one is printed).
    #[arg(long, default_value_t = 8083)]
    port: u16,
    /// The address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    host: String,
    /// A SAM template: create each of its state machines at start (named by logical id, or
    /// its `Name` property).
    #[arg(long)]
    template: Option<PathBuf>,
    /// Lambda Invoke API endpoint (as `cargo lambda watch` serves it).
    #[arg(long, default_value = DEFAULT_ENDPOINT)]
    lambda_endpoint: String,
    /// Sleep for real in Wait states, back-off and timeouts (default: virtual time).
    #[arg(long)]
    real_time: bool,
    /// A Step Functions Local mock configuration: StartExecution with
    /// `stateMachineArn` `...:stateMachine:NAME#TestCase` runs that test case.
    #[arg(long)]
    mock_config: Option<PathBuf>,
    /// The test case for executions whose ARN names none (machines that have it).
    #[arg(long, requires = "mock_config")]
    test_case: Option<String>,
    /// Largest state input/output in bytes (AWS: 256 KiB).
    #[arg(long, default_value_t = PAYLOAD_LIMIT_BYTES)]
    payload_limit: usize,
    /// Most history events an execution may have (AWS: 25,000).
    #[arg(long, default_value_t = 25_000)]
    history_limit: u64,
}

#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("{0}")]
    Template(#[from] TemplateError),
    #[error("{machine}: {source}")]
    Create { machine: String, source: ApiError },
    #[error("{0}")]
    Mock(#[from] MockError),
    #[error("--test-case {case}: no state machine of the template has it")]
    NoTestCase { case: String },
    #[error("cannot listen on {address}: {source}")]
    Bind {
        address: String,
        source: std::io::Error,
    },
    #[error("server: {0}")]
    Io(#[from] std::io::Error),
}

/// A template state machine with the name and type it is created under.
struct TemplateMachine {
    resolved: ResolvedStateMachine,
    name: String,
    kind: MachineType,
}

pub fn run(args: ServeArgs) -> Result<(), ServeError> {
    let machines = match &args.template {
        Some(path) => template_machines(path)?,
        None => Vec::new(),
    };
    let lambdas: Arc<dyn LambdaInvoker> = Arc::new(HttpLambdas::new(args.lambda_endpoint));
    let limits = Limits {
        payload_bytes: args.payload_limit,
        history_events: args.history_limit,
    };
    let engine = Engine::new(lambdas.clone())
        .with_limits(limits)
        .holding_clock_for_callbacks(!args.real_time);
    let mut service = Service::new(engine);
    if let Some(file) = &args.mock_config {
        let config = MockConfig::load(file)?;
        if let Some(case) = &args.test_case {
            check_test_case(&config, case, &machines)?;
        }
        service = service.with_mocks(Mocks {
            config,
            default_case: args.test_case.clone(),
            invoker: lambdas,
            limits,
            hold_clock: !args.real_time,
        });
    }
    for machine in machines {
        create(&service, machine)?;
    }
    // A paused clock needs a current-thread runtime; Waits then end as soon as nothing runs.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .start_paused(!args.real_time)
        .build()?;
    let (host, port) = (args.host, args.port);
    runtime.block_on(async move {
        // (host, port) rather than "host:port", so an IPv6 host like ::1 works.
        let listener = tokio::net::TcpListener::bind((host.as_str(), port))
            .await
            .map_err(|source| ServeError::Bind {
                address: format!("{host} port {port}"),
                source,
            })?;
        let bound = listener.local_addr()?;
        eprintln!("listening on http://{bound}");
        axum::serve(listener, service.router())
            .with_graceful_shutdown(async {
                let _ = tokio::signal::ctrl_c().await;
            })
            .await?;
        Ok(())
    })
}

/// Every state machine of the template, resolved.
fn template_machines(path: &Path) -> Result<Vec<TemplateMachine>, ServeError> {
    let resolved = match crate::template::resolve(path, None) {
        Ok(one) => vec![one],
        Err(TemplateError::Ambiguous { names, .. }) => names
            .iter()
            .map(|name| crate::template::resolve(path, Some(name)))
            .collect::<Result<_, _>>()?,
        Err(e) => return Err(e.into()),
    };
    let doc: Option<Yaml> = std::fs::read_to_string(path)
        .ok()
        .and_then(|text| serde_norway::from_str(&text).ok());
    Ok(resolved
        .into_iter()
        .map(|resolved| {
            let properties = doc
                .as_ref()
                .and_then(|d| d.get("Resources"))
                .and_then(|r| r.get(&resolved.logical_id))
                .and_then(|m| m.get("Properties"));
            let text = |field: &str| {
                properties
                    .and_then(|p| p.get(field))
                    .and_then(Yaml::as_str)
                    .map(str::to_owned)
            };
            let kind = match text("Type").as_deref() {
                Some("EXPRESS") => MachineType::Express,
                _ => MachineType::Standard,
            };
            let name = text("Name").unwrap_or_else(|| resolved.logical_id.clone());
            TemplateMachine {
                resolved,
                name,
                kind,
            }
        })
        .collect())
}

fn create(service: &Service, machine: TemplateMachine) -> Result<(), ServeError> {
    let fail = |source| ServeError::Create {
        machine: machine.resolved.logical_id.clone(),
        source,
    };
    let definition = machine.resolved.definition.to_string();
    let parsed = parse_definition(&definition)
        .map_err(|e| fail(ApiError::InvalidDefinition(e.to_string())))?;
    let errors: Vec<String> = validate(&parsed).iter().map(ToString::to_string).collect();
    if !errors.is_empty() {
        return Err(fail(ApiError::InvalidDefinition(errors.join("; "))));
    }
    let created = service
        .create(NewMachine {
            name: machine.name.clone(),
            machine: Arc::new(parsed),
            definition,
            role_arn: crate::serve::DEFAULT_ROLE_ARN.to_owned(),
            kind: machine.kind,
        })
        .map_err(fail)?;
    eprintln!("state machine {}: {}", machine.name, created.arn);
    Ok(())
}

/// With a template, some state machine of it must have the default test case.
fn check_test_case(
    config: &MockConfig,
    case: &str,
    machines: &[TemplateMachine],
) -> Result<(), ServeError> {
    let found = machines
        .iter()
        .any(|m| config.test_case(&m.name, case).is_ok());
    if machines.is_empty() || found {
        return Ok(());
    }
    Err(ServeError::NoTestCase {
        case: case.to_owned(),
    })
}
