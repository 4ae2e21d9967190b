//! One execution on its own virtual-clock runtime, with the Step Functions API served on the
//! real-time runtime next to it.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use sfn_json::{Value, json};
use sfn_local::history::{Event, EventObserver};
use sfn_local::serve::{Service, registry};
use sfn_local::task::{InvokeError, LambdaInvoker};
use sfn_local::{Engine, Outcome};
use tokio::task::AbortHandle;

use super::approval::{Approver, token_states};
use super::status_event::{Ended, status_change};
use super::trace::{Trace, state_name};
use super::{Approval, RunOptions, RunReport, Workflow};
use crate::env::{LocalEnv, LocalError, real_time};
use crate::functions::{in_process_for, state_machine_arn};

/// Runs `order` on `workflow` and reports the run and the tables after it.
pub async fn run_workflow(
    env: &LocalEnv,
    workflow: Workflow,
    order: Value,
    options: RunOptions,
) -> Result<RunReport, LocalError> {
    let (done, finished) = tokio::sync::oneshot::channel();
    let run_env = env.clone();
    // The engine gets a paused clock of its own, whatever runtime the caller is on.
    std::thread::Builder::new()
        .name("order-local-clock".into())
        .spawn(move || {
            let result = match tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .start_paused(true)
                .build()
            {
                Ok(runtime) => {
                    let result = runtime.block_on(execute(run_env, workflow, order, options));
                    runtime.shutdown_timeout(Duration::from_secs(1));
                    result
                }
                Err(e) => Err(LocalError::Runtime(format!("cannot start the clock: {e}"))),
            };
            let _ = done.send(result);
        })
        .map_err(|e| LocalError::Runtime(format!("cannot start the clock thread: {e}")))?;
    let executed = finished
        .await
        .map_err(|_| LocalError::Runtime("the clock thread ended without a result".into()))??;
    let order_id = executed.order_id.clone();
    let order = match &order_id {
        Some(id) => env.order_record(id).await?,
        None => None,
    };
    Ok(RunReport {
        states: entered_states(&executed.outcome.history),
        virtual_time: virtual_span(&executed.outcome.history),
        outcome: executed.outcome,
        execution_arn: executed.execution_arn,
        order,
        inventory: env.inventory().await?,
        payments: env.payments().await?,
        status_event: executed.status_event,
        status_change: executed.status_change,
        real_time: executed.real_time,
    })
}

struct Executed {
    outcome: Outcome,
    execution_arn: String,
    order_id: Option<String>,
    status_event: Option<Value>,
    status_change: Option<Value>,
    real_time: Duration,
}

/// Aborts a task of the real-time runtime when the run ends, however it ends.
struct AbortOnDrop(AbortHandle);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

async fn execute(
    env: LocalEnv,
    workflow: Workflow,
    order: Value,
    options: RunOptions,
) -> Result<Executed, LocalError> {
    let real = real_time()?;
    // Bound on the real-time runtime (tokio sets SO_REUSEADDR, so a fixed --sfn-port can be
    // reused right after a previous run).
    let address = ("127.0.0.1", options.sfn_port.unwrap_or(0));
    let listener = real
        .spawn(async move { tokio::net::TcpListener::bind(address).await })
        .await
        .map_err(|e| LocalError::Runtime(e.to_string()))?
        .map_err(|e| LocalError::Api(format!("cannot listen on 127.0.0.1: {e}")))?;
    let endpoint = listener
        .local_addr()
        .map(|a| format!("http://{a}"))
        .map_err(|e| LocalError::Api(e.to_string()))?;
    let invoker: Arc<dyn LambdaInvoker> = match options.invoker.clone() {
        Some(invoker) => invoker,
        None => Arc::new(in_process_for(
            &env.deps,
            &endpoint,
            &state_machine_arn(&workflow.name),
        )),
    };
    // Timeout: nobody answers, so the clock may run the approval's TimeoutSeconds out.
    let engine = Engine::new(invoker.clone())
        .holding_clock_for_callbacks(options.approval != Approval::Timeout);
    let service = Service::new(engine).on_runtime(tokio::runtime::Handle::current());
    let served = service.clone();
    let server = real.spawn(sfn_local::serve::serve(served, listener));
    let _server = AbortOnDrop(server.abort_handle());

    let machine_arn = service
        .create_state_machine(
            &workflow.name,
            workflow.machine.clone(),
            workflow.definition.clone(),
        )
        .map_err(|e| LocalError::Api(e.to_string()))?;
    let order_id = order
        .get("orderId")
        .and_then(Value::as_str)
        .map(str::to_owned);
    let name = order_id
        .clone()
        .filter(|id| registry::check_name(id).is_ok());
    let started = Instant::now();
    let execution_arn = if options.via_submit_order {
        submit(invoker.as_ref(), &order).await?
    } else {
        service
            .start_execution(&machine_arn, name, order.clone())
            .map_err(|e| LocalError::Api(e.to_string()))?
    };

    let (events, watched) = tokio::sync::mpsc::unbounded_channel::<Event>();
    let trace = (!options.quiet).then(|| Mutex::new(Trace::to_stderr(workflow.machine.clone())));
    service.observe(
        &execution_arn,
        EventObserver::new(move |event| {
            if let Some(trace) = &trace {
                trace
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .on_event(event);
            }
            let _ = events.send(event.clone());
        }),
    );
    let approver = Approver {
        env: env.clone(),
        invoker: invoker.clone(),
        approval: options.approval,
        order_id: order_id.clone().unwrap_or_default(),
        waiting_states: token_states(&workflow.machine),
        quiet: options.quiet,
    };
    let mut watcher = real.spawn(approver.watch(watched));
    let _watcher = AbortOnDrop(watcher.abort_handle());

    let ended = tokio::select! {
        ended = service.wait_for_end(&execution_arn) => ended,
        watched = &mut watcher => {
            let error = match watched {
                Ok(Err(error)) => error,
                Ok(Ok(())) => LocalError::Approval("stopped watching the execution".into()),
                Err(e) => LocalError::Runtime(format!("the approval watcher ended: {e}")),
            };
            let _ = service.stop_execution(
                &execution_arn,
                Some("order-local.Stopped".into()),
                Some(error.to_string()),
            );
            let _ = service.wait_for_end(&execution_arn).await;
            return Err(error);
        }
    };
    let real_time = started.elapsed();
    let mut outcome =
        ended.ok_or_else(|| LocalError::Api(format!("no execution {execution_arn}")))?;
    if outcome.history.is_empty() {
        outcome.history = service.history(&execution_arn);
    }

    let (status_event, status_change) = match &workflow.status_function {
        Some(function) => {
            let name = execution_arn.rsplit(':').next().unwrap_or_default();
            let event = status_change(
                &Ended {
                    execution_arn: &execution_arn,
                    state_machine_arn: &machine_arn,
                    name,
                    input: &order,
                    outcome: &outcome,
                },
                &outcome.history,
            );
            let answer = match invoker.invoke(function, &event).await {
                Ok(answer) => answer,
                Err(InvokeError::Function(f)) => {
                    json!({"errorType": f.error_type, "errorMessage": f.error_message})
                }
                Err(InvokeError::Service { error, cause }) => {
                    json!({"errorType": error, "errorMessage": cause})
                }
            };
            (Some(answer), Some(event))
        }
        None => (None, None),
    };
    Ok(Executed {
        outcome,
        execution_arn,
        order_id,
        status_event,
        status_change,
        real_time,
    })
}

/// Starts the execution the way a client does: `POST /orders` to submit-order, which starts
/// it through aws-sdk-sfn. The execution ARN from its 202 answer.
async fn submit(invoker: &dyn LambdaInvoker, order: &Value) -> Result<String, LocalError> {
    let event = json!({
        "version": "2.0",
        "routeKey": "POST /orders",
        "rawPath": "/local/orders",
        "rawQueryString": "",
        "headers": {"content-type": "application/json", "host": "localhost"},
        "requestContext": {
            "accountId": sfn_local::template::LOCAL_ACCOUNT,
            "apiId": "local",
            "domainName": "localhost",
            "domainPrefix": "local",
            "http": {"method": "POST", "path": "/local/orders", "protocol": "HTTP/1.1",
                     "sourceIp": "127.0.0.1", "userAgent": "order-local"},
            "requestId": uuid::Uuid::new_v4().to_string(),
            "routeKey": "POST /orders",
            "stage": "local",
            "time": chrono::Utc::now().format("%d/%b/%Y:%H:%M:%S +0000").to_string(),
            "timeEpoch": chrono::Utc::now().timestamp_millis(),
        },
        "body": order.to_string(),
        "isBase64Encoded": false,
    });
    let answer = invoker
        .invoke("submit-order", &event)
        .await
        .map_err(|e| LocalError::Api(format!("submit-order failed: {e}")))?;
    let body: Value = answer
        .get("body")
        .and_then(Value::as_str)
        .and_then(|b| serde_json::from_str(b).ok())
        .unwrap_or(Value::Null);
    match (
        answer.get("statusCode").and_then(Value::as_u64),
        body.get("executionArn").and_then(Value::as_str),
    ) {
        (Some(202), Some(arn)) => Ok(arn.to_owned()),
        (status, _) => Err(LocalError::Api(format!(
            "submit-order answered {}: {body}",
            status.map_or("no status".to_owned(), |s| s.to_string())
        ))),
    }
}

/// The names of the states entered, in history order.
pub fn entered_states(history: &[Event]) -> Vec<String> {
    history
        .iter()
        .filter_map(|e| state_name(e, "stateEnteredEventDetails"))
        .map(str::to_owned)
        .collect()
}

/// First to last event on the execution's clock.
pub fn virtual_span(history: &[Event]) -> Duration {
    let at =
        |e: Option<&Event>| e.and_then(|e| chrono::DateTime::parse_from_rfc3339(&e.timestamp).ok());
    match (at(history.first()), at(history.last())) {
        (Some(a), Some(b)) => (b - a).to_std().unwrap_or_default(),
        _ => Duration::ZERO,
    }
}
