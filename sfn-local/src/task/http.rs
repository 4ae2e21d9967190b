//! The Lambda Invoke HTTP API (`POST /2015-03-31/functions/{name}/invocations`), as
//! `cargo lambda watch` and Lambda itself serve it.
//!
//! Requests run on a blocking thread: tokio's paused (virtual) clock does not advance while a
//! blocking task is running, so a function's real run time never fires virtual timeouts early.

use futures::FutureExt;
use futures::future::BoxFuture;
use sfn_json::Value;

use super::{FunctionError, InvokeError, LambdaInvoker, function_name};

/// Where `cargo lambda watch` listens by default.
pub const DEFAULT_ENDPOINT: &str = "http://127.0.0.1:9000";

#[derive(Debug, Clone)]
pub struct HttpLambdas {
    endpoint: String,
}

impl HttpLambdas {
    pub fn new(endpoint: impl Into<String>) -> Self {
        Self {
            endpoint: endpoint.into().trim_end_matches('/').to_owned(),
        }
    }
}

impl Default for HttpLambdas {
    fn default() -> Self {
        Self::new(DEFAULT_ENDPOINT)
    }
}

fn service(error: &str, cause: impl Into<String>) -> InvokeError {
    InvokeError::Service {
        error: error.to_owned(),
        cause: cause.into(),
    }
}

/// One client per process: its connection pool keeps the endpoint's connections alive across
/// invocations. Built on first use, on a blocking thread (a blocking client must not be created
/// or dropped on an async runtime thread), and never dropped.
fn client() -> &'static reqwest::blocking::Client {
    static CLIENT: std::sync::OnceLock<reqwest::blocking::Client> = std::sync::OnceLock::new();
    CLIENT.get_or_init(reqwest::blocking::Client::new)
}

fn call(url: String, body: String) -> Result<Value, InvokeError> {
    let response = client()
        .post(&url)
        .header("content-type", "application/json")
        .body(body)
        .send()
        .map_err(|e| service("Lambda.SdkClientException", format!("{url}: {e}")))?;
    let status = response.status();
    let function_error = response.headers().contains_key("x-amz-function-error");
    let text = response
        .text()
        .map_err(|e| service("Lambda.SdkClientException", e.to_string()))?;
    let parsed: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
    let field = |k: &str| parsed.get(k).and_then(Value::as_str).map(str::to_owned);
    // Lambda answers a function error with 200 and `X-Amz-Function-Error`; `cargo lambda
    // watch` answers it with a 5xx whose body is the function's `{"errorType", ...}`.
    let reported_by_function =
        !status.is_success() && status.as_u16() != 404 && field("errorType").is_some();
    if function_error || reported_by_function {
        return Err(InvokeError::Function(FunctionError {
            error_type: field("errorType").unwrap_or_else(|| "Lambda.Unknown".to_owned()),
            error_message: field("errorMessage").unwrap_or_default(),
            raw: Some(text),
        }));
    }
    if status.as_u16() == 404 {
        return Err(service("Lambda.ResourceNotFoundException", text));
    }
    if !status.is_success() {
        return Err(service(
            "Lambda.ServiceException",
            format!("HTTP {status}: {text}"),
        ));
    }
    if text.trim().is_empty() {
        return Ok(Value::Null);
    }
    serde_json::from_str(&text)
        .map_err(|e| service("Lambda.InvalidResponseException", format!("{e}: {text}")))
}

impl LambdaInvoker for HttpLambdas {
    fn invoke<'a>(
        &'a self,
        function: &'a str,
        payload: &'a Value,
    ) -> BoxFuture<'a, Result<Value, InvokeError>> {
        let url = format!(
            "{}/2015-03-31/functions/{}/invocations",
            self.endpoint,
            function_name(function)
        );
        let body = payload.to_string();
        async move {
            tokio::task::spawn_blocking(move || call(url, body))
                .await
                .map_err(|e| service("Lambda.SdkClientException", e.to_string()))?
        }
        .boxed()
    }
}
