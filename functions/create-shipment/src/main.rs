//! Lambda bootstrap for create-shipment: clients are built once, then every event goes to
//! [`create_shipment::handle`].

use lambda_runtime::{Error, LambdaEvent, run, service_fn};
use shared::{Deps, TableKind};

// One thread: a sandbox has a fraction of a vCPU, and cross-thread wake-ups tripled the CPU
// per call (docs/performance.md, "Levers").
#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    shared::config::init_tracing();
    let deps = Deps::from_env(&[TableKind::Orders]).await?;
    let deps = &deps;
    run(service_fn(
        move |event: LambdaEvent<serde_json::Value>| async move {
            create_shipment::handle(deps, event.payload).await
        },
    ))
    .await
}
