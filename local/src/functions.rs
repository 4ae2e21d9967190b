//! The 14 handlers in-process, under their template binary names.
//!
//! Each invocation runs the real handler on the real-time runtime from a blocking-pool thread
//! (see [`crate::env::on_real_time`]): the engine's virtual clock stands still while a handler
//! does DynamoDB I/O. Results go through `shared::error::lambda_result`, so the `errorType`
//! the engine sees is exactly the one the deployed function reports.

use std::future::Future;
use std::sync::Arc;

use aws_sdk_sfn::config::{BehaviorVersion, Credentials, Region};
use serde_json::Value;
use sfn_local::task::{FunctionError, InProcessLambdas};
use shared::ErrorName;

use crate::env::{REGION, real_time};

/// The state machine name a local run registers the template's machine under.
pub const STATE_MACHINE_NAME: &str = "OrderFulfillmentStateMachine";

/// The ARN the in-process Step Functions API gives a state machine called `name`.
pub fn state_machine_arn(name: &str) -> String {
    format!(
        "arn:aws:states:{REGION}:{}:stateMachine:{name}",
        sfn_local::template::LOCAL_ACCOUNT
    )
}

/// The handlers; `sfn_endpoint` is where decide-approval and submit-order send their Step
/// Functions calls (the in-process `sfn-local serve`), for the template's state machine.
pub fn in_process(deps: &shared::Deps, sfn_endpoint: &str) -> InProcessLambdas {
    in_process_for(deps, sfn_endpoint, &state_machine_arn(STATE_MACHINE_NAME))
}

/// Like [`in_process`], with submit-order's `STATE_MACHINE_ARN` given.
pub fn in_process_for(
    deps: &shared::Deps,
    sfn_endpoint: &str,
    state_machine_arn: &str,
) -> InProcessLambdas {
    let sfn = sfn_client(sfn_endpoint);
    let mut lambdas = InProcessLambdas::new();
    let store = Arc::new(deps.clone());
    macro_rules! plain {
        ($name:literal, $handler:path) => {{
            let store = store.clone();
            register(&mut lambdas, $name, move |event| {
                let store = store.clone();
                async move { $handler(&store, event).await }
            });
        }};
    }
    plain!("validate-order", validate_order::handle);
    plain!("request-approval", request_approval::handle);
    plain!("reserve-item", reserve_item::handle);
    plain!("release-item", release_item::handle);
    plain!("charge-payment", charge_payment::handle);
    plain!("refund-payment", refund_payment::handle);
    plain!("create-shipment", create_shipment::handle);
    plain!("send-notification", send_notification::handle);
    plain!("award-loyalty-points", award_loyalty_points::handle);
    plain!("complete-order", complete_order::handle);
    plain!("record-failure", record_failure::handle);
    plain!("on-execution-status", on_execution_status::handle);

    let decide = Arc::new(decide_approval::Deps {
        store: deps.clone(),
        callbacks: decide_approval::SfnCallbacks {
            client: sfn.clone(),
        },
    });
    register(&mut lambdas, "decide-approval", move |event| {
        let deps = decide.clone();
        async move { decide_approval::handle(&deps, event).await }
    });
    let submit = Arc::new(submit_order::Deps {
        store: deps.clone(),
        executions: submit_order::SfnExecutions {
            client: sfn,
            state_machine_arn: state_machine_arn.to_owned(),
        },
    });
    register(&mut lambdas, "submit-order", move |event| {
        let deps = submit.clone();
        async move { submit_order::handle(&deps, event).await }
    });
    lambdas
}

/// An aws-sdk-sfn client for `endpoint`, as a function configured with
/// `AWS_ENDPOINT_URL_SFN` builds it.
pub fn sfn_client(endpoint: &str) -> aws_sdk_sfn::Client {
    let config = aws_sdk_sfn::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new(REGION))
        .credentials_provider(Credentials::new("testing", "testing", None, None, "local"))
        .endpoint_url(endpoint)
        .build();
    aws_sdk_sfn::Client::from_conf(config)
}

/// Registers `handler` so that it runs on the real-time runtime, answered as Lambda would.
fn register<F, Fut, T, E>(lambdas: &mut InProcessLambdas, name: &str, handler: F)
where
    F: Fn(Value) -> Fut + Send + Sync + Clone + 'static,
    Fut: Future<Output = Result<T, E>> + Send + 'static,
    T: serde::Serialize + Send + 'static,
    E: ErrorName + Send + 'static,
{
    lambdas.register(name, move |event: Value| {
        let handler = handler.clone();
        async move {
            let runtime = real_time()
                .map_err(|e| FunctionError::new("Runtime.Unavailable", e.to_string()))?;
            let answer = tokio::task::spawn_blocking(move || {
                runtime.block_on(async move { shared::error::lambda_result(handler(event).await) })
            })
            .await;
            match answer {
                Ok(Ok(output)) => Ok(output),
                // The payload the Rust runtime posts for a function error, so the cause
                // (`{"errorType","errorMessage"}` as JSON text) is the deployed function's.
                Ok(Err(diagnostic)) => Err(FunctionError {
                    raw: serde_json::to_string(&diagnostic).ok(),
                    error_type: diagnostic.error_type,
                    error_message: diagnostic.error_message,
                }),
                // lambda_runtime reports a handler panic as a function error too.
                Err(e) => Err(FunctionError::new("Runtime.HandlerPanicked", e.to_string())),
            }
        }
    });
}
