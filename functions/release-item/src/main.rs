//! Lambda bootstrap for release-item: clients are built once, then every event goes to
//! [`release_item::handle`].

use lambda_runtime::{Error, LambdaEvent, run, service_fn};
use shared::{Deps, TableKind};

// One thread: a sandbox has a fraction of a vCPU, and cross-thread wake-ups tripled the CPU
// per call (docs/performance.md, "Levers").
#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    shared::config::init_tracing();
    let deps = Deps::from_env(&[TableKind::Orders, TableKind::Inventory]).await?;
    let deps = &deps;
    run(service_fn(
        move |event: LambdaEvent<serde_json::Value>| async move {
            release_item::handle(deps, event.payload).await
        },
    ))
    .await
}
