//! Lambda bootstrap for decide-approval: clients are built once, then every HTTP API
//! event goes to [`decide_approval::handle`].

use decide_approval::{Deps, SfnCallbacks};
use lambda_runtime::{Error, LambdaEvent, run, service_fn};
use shared::{TableKind, aws_sdk_sfn};

// One thread: a sandbox has a fraction of a vCPU, and cross-thread wake-ups tripled the CPU
// per call (docs/performance.md, "Levers").
#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    shared::config::init_tracing();
    let config = shared::config::load_aws_config().await;
    let deps = Deps {
        store: shared::Deps::from_config(&config, &[TableKind::Orders])?,
        callbacks: SfnCallbacks {
            client: aws_sdk_sfn::Client::new(&config),
        },
    };
    let deps = &deps;
    run(service_fn(
        move |event: LambdaEvent<serde_json::Value>| async move {
            decide_approval::handle(deps, event.payload).await
        },
    ))
    .await
}
