//! Lambda bootstrap for refund-payment: clients are built once, then every event goes to
//! [`refund_payment::handle`].

use lambda_runtime::{Error, LambdaEvent, run, service_fn};
use shared::{Deps, TableKind};

#[tokio::main]
async fn main() -> Result<(), Error> {
    shared::config::init_tracing();
    let deps = Deps::from_env(&[TableKind::Payments]).await?;
    let deps = &deps;
    run(service_fn(
        move |event: LambdaEvent<serde_json::Value>| async move {
            refund_payment::handle(deps, event.payload).await
        },
    ))
    .await
}
