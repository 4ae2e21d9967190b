//! Lambda bootstrap for submit-order: clients are built once, then every HTTP API event
//! goes to [`submit_order::handle`].

use lambda_runtime::{Error, LambdaEvent, run, service_fn};
use shared::{TableKind, aws_sdk_sfn};
use submit_order::{Deps, SfnExecutions};

// One thread: a sandbox has a fraction of a vCPU, and cross-thread wake-ups tripled the CPU
// per call (docs/performance.md, "Levers").
#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    shared::config::init_tracing();
    let config = shared::config::load_aws_config().await;
    let deps = Deps {
        store: shared::Deps::from_config(&config, &[TableKind::Orders])?,
        executions: SfnExecutions {
            client: aws_sdk_sfn::Client::new(&config),
            state_machine_arn: std::env::var("STATE_MACHINE_ARN")
                .map_err(|_| "environment variable STATE_MACHINE_ARN is not set")?,
        },
    };
    let deps = &deps;
    run(service_fn(
        move |event: LambdaEvent<serde_json::Value>| async move {
            submit_order::handle(deps, event.payload).await
        },
    ))
    .await
}
