//! Lambda functions as in-process handlers registered by name (for tests and embedding).
//!
//! The boundary stays honest: the event is serialised to JSON text and parsed back before the
//! handler sees it, and so is the handler's result, exactly as a real invocation would. So a
//! handler takes and returns any serde types: `serde_json::Value` as Lambda handlers do, typed
//! events, or the engine's own values.

use std::collections::HashMap;
use std::sync::Arc;

use futures::FutureExt;
use futures::future::BoxFuture;
use serde::Serialize;
use serde::de::DeserializeOwned;
use sfn_json::Value;

use super::{FunctionError, InvokeError, LambdaInvoker, function_name};

type Handler = Arc<dyn Fn(&Value) -> BoxFuture<'static, Result<Value, InvokeError>> + Send + Sync>;

/// Handlers by function name.
#[derive(Clone, Default)]
pub struct InProcessLambdas {
    handlers: HashMap<String, Handler>,
}

impl InProcessLambdas {
    pub fn new() -> Self {
        Self::default()
    }

    /// Register an async handler under a function name.
    pub fn register<F, Fut, E, R>(&mut self, name: impl Into<String>, handler: F) -> &mut Self
    where
        F: Fn(E) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<R, FunctionError>> + Send + 'static,
        E: DeserializeOwned,
        R: Serialize,
    {
        let handler: Handler = Arc::new(move |payload| match round_trip::<E>(payload) {
            Ok(event) => handler(event)
                .map(|answer| round_trip::<Value>(&answer.map_err(InvokeError::Function)?))
                .boxed(),
            Err(error) => futures::future::ready(Err(error)).boxed(),
        });
        self.handlers.insert(name.into(), handler);
        self
    }
}

/// A value through JSON text, as it crosses a real invocation (either way).
fn round_trip<T: DeserializeOwned>(value: &impl Serialize) -> Result<T, InvokeError> {
    let text = serde_json::to_string(value).map_err(|e| InvokeError::Service {
        error: "Lambda.SerializationException".into(),
        cause: e.to_string(),
    })?;
    serde_json::from_str(&text).map_err(|e| InvokeError::Service {
        error: "Lambda.SerializationException".into(),
        cause: e.to_string(),
    })
}

impl LambdaInvoker for InProcessLambdas {
    fn invoke<'a>(
        &'a self,
        function: &'a str,
        payload: &'a Value,
    ) -> BoxFuture<'a, Result<Value, InvokeError>> {
        async move {
            let name = function_name(function);
            let Some(handler) = self.handlers.get(name) else {
                return Err(InvokeError::Service {
                    error: "Lambda.ResourceNotFoundException".into(),
                    cause: format!("Function not found: {function}"),
                });
            };
            handler(payload).await
        }
        .boxed()
    }
}
