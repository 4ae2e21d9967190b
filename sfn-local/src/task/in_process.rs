//! Lambda functions as in-process handlers registered by name (for tests and embedding).
//!
//! The boundary stays honest: the event is serialised to JSON text and parsed back before the
//! handler sees it, and so is the handler's result, exactly as a real invocation would.

use std::collections::HashMap;
use std::sync::Arc;

use futures::FutureExt;
use futures::future::BoxFuture;
use serde_json::Value;

use super::{FunctionError, InvokeError, LambdaInvoker, function_name};

type Handler = Arc<dyn Fn(Value) -> BoxFuture<'static, Result<Value, FunctionError>> + Send + Sync>;

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
    pub fn register<F, Fut>(&mut self, name: impl Into<String>, handler: F) -> &mut Self
    where
        F: Fn(Value) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<Value, FunctionError>> + Send + 'static,
    {
        let handler: Handler = Arc::new(move |event| handler(event).boxed());
        self.handlers.insert(name.into(), handler);
        self
    }
}

fn round_trip(value: &Value) -> Result<Value, InvokeError> {
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
            let event = round_trip(payload)?;
            let result = handler(event).await.map_err(InvokeError::Function)?;
            round_trip(&result)
        }
        .boxed()
    }
}
