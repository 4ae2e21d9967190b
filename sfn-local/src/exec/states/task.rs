//! Task: Lambda invocation (function ARN or `lambda:invoke`), `.waitForTaskToken`, and
//! TimeoutSeconds(Path) / HeartbeatSeconds(Path).

use std::time::Duration;

use sfn_json::{Map, Value, json};
use tokio::time::Instant;

use super::Done;
use crate::error::{StatesError, names};
use crate::exec::context::{Extras, StateCtx};
use crate::exec::run::Thread;
use crate::exec::variables::StatesParts;
use crate::expr::path;
use crate::history::text;
use crate::task::{InvokeError, Resource, TokenOutcome};

/// Event names and details differ between the legacy Lambda resource and integrations.
struct Events {
    prefix: &'static str,
    resource_type: &'static str,
    resource: String,
}

impl Events {
    fn details(&self, kind: &str, extra: Value) -> Option<(&'static str, Value)> {
        let key = match (self.prefix, kind) {
            ("LambdaFunction", "Scheduled") => "lambdaFunctionScheduledEventDetails",
            ("LambdaFunction", "Succeeded") => "lambdaFunctionSucceededEventDetails",
            ("LambdaFunction", "Failed") => "lambdaFunctionFailedEventDetails",
            ("LambdaFunction", "TimedOut") => "lambdaFunctionTimedOutEventDetails",
            ("LambdaFunction", _) => return None,
            (_, "Scheduled") => "taskScheduledEventDetails",
            (_, "Started") => "taskStartedEventDetails",
            (_, "Submitted") => "taskSubmittedEventDetails",
            (_, "Succeeded") => "taskSucceededEventDetails",
            (_, "Failed") => "taskFailedEventDetails",
            _ => "taskTimedOutEventDetails",
        };
        let mut details = Map::new();
        if self.prefix == "Task" {
            details.insert("resourceType", json!(self.resource_type));
            details.insert("resource", json!(self.resource));
        } else if kind == "Scheduled" {
            details.insert("resource", json!(self.resource));
        }
        if let Value::Object(extra) = extra {
            details.extend(extra);
        }
        Some((key, Value::Object(details)))
    }
}

pub(super) async fn task(
    ctx: &StateCtx<'_>,
    raw: &Value,
    retry_count: u32,
    thread: &mut Thread,
) -> Result<Done, StatesError> {
    let state = ctx.state;
    let resource_text = state.resource.as_deref().unwrap_or_default();
    let resource = Resource::parse(resource_text);
    let tokens = ctx.run.engine.task_tokens();
    let waiting = match &resource {
        Resource::LambdaInvoke {
            wait_for_task_token: true,
        }
        | Resource::WaitForTaskToken(_) => Some(tokens.issue()),
        _ => None,
    };
    let token = waiting.as_ref().map(|w| w.token.clone());
    let _forget = token.clone().map(|t| Forget(tokens.clone(), t));
    let extras = Extras {
        retry_count,
        task_token: token.as_deref(),
        map_item: None,
    };
    let context = ctx.context(extras);
    let (params, timeout, heartbeat) = if ctx.is_jsonata() {
        jsonata_inputs(ctx, raw, &context)?
    } else {
        let effective = ctx.input_path(raw, &context)?;
        let timeout = seconds_field(
            ctx,
            "TimeoutSeconds",
            &state.timeout_seconds,
            &state.timeout_seconds_path,
            &effective,
            &context,
        )?;
        let heartbeat = seconds_field(
            ctx,
            "HeartbeatSeconds",
            &state.heartbeat_seconds,
            &state.heartbeat_seconds_path,
            &effective,
            &context,
        )?;
        (ctx.parameters(effective, &context)?, timeout, heartbeat)
    };

    let events = match &resource {
        Resource::LambdaFunction(_) => Events {
            prefix: "LambdaFunction",
            resource_type: "lambda",
            resource: resource_text.to_owned(),
        },
        _ => {
            let rest = resource_text.trim_start_matches("arn:aws:states:::");
            let (service, action) = rest.split_once(':').unwrap_or((rest, ""));
            Events {
                prefix: "Task",
                resource_type: service_name(service),
                resource: action.to_owned(),
            }
        }
    };
    let region = ctx.run.options.region.clone();
    ctx.run
        .event(&format!("{}Scheduled", events.prefix), thread, || {
            let extra = if events.prefix == "Task" {
                json!({"region": region, "parameters": text(&params)})
            } else {
                json!({"input": text(&params)})
            };
            events.details("Scheduled", extra)
        })?;
    ctx.run
        .event(&format!("{}Started", events.prefix), thread, || {
            events.details("Started", json!({}))
        })?;

    let (done, mut heartbeats) = match waiting {
        Some(w) => (Some(w.done), Some(w.heartbeats)),
        None => (None, None),
    };
    let work = run_resource(ctx, &resource, &params, done);
    tokio::pin!(work);
    let deadline = timeout.map(|t| Instant::now() + t);
    let mut last_beat = Instant::now();
    let result = loop {
        let beat_deadline = heartbeat.map(|h| last_beat + h);
        tokio::select! {
            r = &mut work => break r,
            () = sleep_until(deadline) => break Err(StatesError::new(names::TIMEOUT, "")),
            () = sleep_until(beat_deadline) => break Err(StatesError::new(names::HEARTBEAT_TIMEOUT, "")),
            Some(()) = recv(&mut heartbeats) => last_beat = Instant::now(),
        }
    };
    // The engine's own timer ended the wait: a timeout while the token was still out (an
    // answer naming a timeout error has already spent it; a failed invocation is no timeout).
    if let (Err(e), Some(token)) = (&result, &token)
        && (e.error == names::TIMEOUT || e.error == names::HEARTBEAT_TIMEOUT)
        && tokens.waiting_on(token)
    {
        tokens.timed_out(token);
    }
    match result {
        Ok(output) => {
            ctx.run
                .event(&format!("{}Succeeded", events.prefix), thread, || {
                    events.details("Succeeded", json!({"output": text(&output)}))
                })?;
            ctx.finish(raw, output, &context)
        }
        Err(e) => {
            let kind = if e.error == names::TIMEOUT || e.error == names::HEARTBEAT_TIMEOUT {
                "TimedOut"
            } else {
                "Failed"
            };
            ctx.run
                .event(&format!("{}{kind}", events.prefix), thread, || {
                    events.details(kind, json!({"error": e.error, "cause": e.cause}))
                })?;
            Err(e)
        }
    }
}

fn service_name(service: &str) -> &'static str {
    match service {
        "lambda" => "lambda",
        "sqs" => "sqs",
        "sns" => "sns",
        "events" => "events",
        "dynamodb" => "dynamodb",
        "states" => "states",
        _ => "unknown",
    }
}

async fn sleep_until(deadline: Option<Instant>) {
    match deadline {
        Some(d) => tokio::time::sleep_until(d).await,
        None => std::future::pending().await,
    }
}

async fn recv(heartbeats: &mut Option<tokio::sync::mpsc::UnboundedReceiver<()>>) -> Option<()> {
    match heartbeats {
        Some(rx) => rx.recv().await,
        None => std::future::pending().await,
    }
}

/// Drops the token from the waiting set however the task ends.
struct Forget(crate::task::TaskTokens, String);

impl Drop for Forget {
    fn drop(&mut self) {
        self.0.forget(&self.1);
    }
}

/// TimeoutSeconds/HeartbeatSeconds or their Path form (a positive integer).
fn seconds_field(
    ctx: &StateCtx<'_>,
    field: &str,
    value: &Option<Value>,
    path_field: &Option<String>,
    input: &Value,
    context: &Value,
) -> Result<Option<Duration>, StatesError> {
    if let Some(v) = value {
        return Ok(v.as_u64().map(Duration::from_secs));
    }
    let Some(p) = path_field else {
        return Ok(None);
    };
    let found = path::query(p, &ctx.scope(input, context)).map_err(|e| ctx.located(e))?;
    match found.as_u64() {
        Some(n) if n > 0 => Ok(Some(Duration::from_secs(n))),
        _ => Err(ctx.located(StatesError::runtime(format!(
            "The {field}Path field refers to value \"{found}\" which is not a valid positive integer: {p}"
        )))),
    }
}

/// A JSONata Task's Arguments (default: the state input), TimeoutSeconds and HeartbeatSeconds.
fn jsonata_inputs(
    ctx: &StateCtx<'_>,
    raw: &Value,
    context: &Value,
) -> Result<(Value, Option<Duration>, Option<Duration>), StatesError> {
    let state = ctx.state;
    let parts = StatesParts {
        input: Some(raw),
        ..StatesParts::default()
    };
    let states = ctx.states(parts, context.clone());
    let seconds = |field: &str, value: &Option<Value>| -> Result<Option<Duration>, StatesError> {
        let Some(value) = value else {
            return Ok(None);
        };
        let found = ctx.jsonata(value, field, &states)?;
        match found.as_u64() {
            Some(n) if n > 0 => Ok(Some(Duration::from_secs(n))),
            _ => Err(ctx.located(StatesError::new(
                names::QUERY_EVALUATION_ERROR,
                format!("The {field} field must be a positive integer, but was: {found}"),
            ))),
        }
    };
    let timeout = seconds("TimeoutSeconds", &state.timeout_seconds)?;
    let heartbeat = seconds("HeartbeatSeconds", &state.heartbeat_seconds)?;
    let params = match &state.arguments {
        Some(arguments) => ctx.jsonata(arguments, "Arguments", &states)?,
        None => raw.clone(),
    };
    Ok((params, timeout, heartbeat))
}

fn invoke_error(e: InvokeError) -> StatesError {
    match e {
        InvokeError::Function(f) => StatesError::new(f.error_type.clone(), f.cause()),
        InvokeError::Service { error, cause } => StatesError::new(error, cause),
    }
}

async fn run_resource(
    ctx: &StateCtx<'_>,
    resource: &Resource,
    params: &Value,
    done: Option<tokio::sync::oneshot::Receiver<TokenOutcome>>,
) -> Result<Value, StatesError> {
    let invoker = ctx.run.engine.invoker();
    if let Some(mocked) = invoker.mocked(ctx.name) {
        return mocked.map_err(invoke_error);
    }
    match resource {
        Resource::LambdaFunction(name) => invoker.invoke(name, params).await.map_err(invoke_error),
        Resource::LambdaInvoke { .. } => {
            let Some(function) = params.get("FunctionName").and_then(Value::as_str) else {
                return Err(ctx.located(StatesError::runtime(
                    "The field 'FunctionName' is required by arn:aws:states:::lambda:invoke",
                )));
            };
            let payload = params.get("Payload").cloned().unwrap_or_else(|| json!({}));
            let result = invoker
                .invoke(function, &payload)
                .await
                .map_err(invoke_error)?;
            match done {
                Some(done) => wait_for_token(done).await,
                None => Ok(invoke_result(result)),
            }
        }
        Resource::WaitForTaskToken(_) => match done {
            Some(done) => wait_for_token(done).await,
            None => Ok(Value::Null),
        },
        Resource::Unsupported(r) => Err(StatesError::new(
            names::RUNTIME,
            format!("sfn-local does not support the resource '{r}'"),
        )),
    }
}

async fn wait_for_token(
    done: tokio::sync::oneshot::Receiver<TokenOutcome>,
) -> Result<Value, StatesError> {
    match done.await {
        Ok(TokenOutcome::Success(output)) => Ok(output),
        Ok(TokenOutcome::Failure { error, cause }) => Err(StatesError::new(error, cause)),
        // The sender went away without an answer: the task can never complete.
        Err(_) => std::future::pending().await,
    }
}

/// The result `arn:aws:states:::lambda:invoke` returns around the function's payload.
fn invoke_result(payload: Value) -> Value {
    let request_id = uuid::Uuid::new_v4().to_string();
    let length = payload.to_string().len().to_string();
    json!({
        "ExecutedVersion": "$LATEST",
        "Payload": payload,
        "SdkHttpMetadata": {
            "AllHttpHeaders": {
                "X-Amz-Executed-Version": ["$LATEST"],
                "x-amzn-Remapped-Content-Length": ["0"],
                "Connection": ["keep-alive"],
                "x-amzn-RequestId": [request_id],
                "Content-Length": [length],
                "Content-Type": ["application/json"],
            },
            "HttpHeaders": {
                "Connection": "keep-alive",
                "Content-Length": length,
                "Content-Type": "application/json",
                "X-Amz-Executed-Version": "$LATEST",
                "x-amzn-Remapped-Content-Length": "0",
                "x-amzn-RequestId": request_id,
            },
            "HttpStatusCode": 200,
        },
        "SdkResponseMetadata": {"RequestId": request_id},
        "StatusCode": 200,
    })
}
