//! A minimal Lambda Runtime API emulator (the part a function's runtime loop talks to), so a
//! function binary can be started and driven exactly as Lambda drives it, and timed.
//!
//! Only what `lambda_runtime` uses: `GET /invocation/next`, `POST /invocation/{id}/response`,
//! `POST /invocation/{id}/error` and `POST /init/error`.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use tokio::sync::{Mutex, mpsc, oneshot};

/// How one invocation ended, as the function reported it.
#[derive(Debug, Clone)]
pub struct Completion {
    /// When the runtime API handed the event to the function.
    pub delivered_at: Instant,
    /// When the function posted its response or error.
    pub completed_at: Instant,
    /// `Some(errorType)` when the function reported an error.
    pub error_type: Option<String>,
}

struct Pending {
    id: String,
    event: Bytes,
    done: oneshot::Sender<Completion>,
}

struct Shared {
    queue: Mutex<mpsc::Receiver<Pending>>,
    in_flight: Mutex<HashMap<String, (Instant, oneshot::Sender<Completion>)>>,
    first_poll: Mutex<Option<oneshot::Sender<Instant>>>,
    init_error: Mutex<Option<String>>,
}

/// A running emulator on a loopback port.
pub struct RuntimeApi {
    pub addr: SocketAddr,
    submit: mpsc::Sender<Pending>,
    shared: Arc<Shared>,
    next_id: u64,
    server: tokio::task::JoinHandle<()>,
}

impl RuntimeApi {
    pub async fn start() -> std::io::Result<Self> {
        let (submit, queue) = mpsc::channel(1);
        let shared = Arc::new(Shared {
            queue: Mutex::new(queue),
            in_flight: Mutex::new(HashMap::new()),
            first_poll: Mutex::new(None),
            init_error: Mutex::new(None),
        });
        let app = Router::new()
            .route("/2018-06-01/runtime/invocation/next", get(next))
            .route(
                "/2018-06-01/runtime/invocation/{id}/response",
                post(response),
            )
            .route("/2018-06-01/runtime/invocation/{id}/error", post(error))
            .route("/2018-06-01/runtime/init/error", post(init_error))
            .with_state(shared.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let server = tokio::spawn(async move {
            // The emulator lives as long as the benchmark of one function; errors end it quietly.
            let _ = axum::serve(listener, app).await;
        });
        Ok(Self {
            addr,
            submit,
            shared,
            next_id: 0,
            server,
        })
    }

    /// Resolves when the function first asks for an invocation (its init is over).
    pub async fn first_poll(&self) -> oneshot::Receiver<Instant> {
        let (tx, rx) = oneshot::channel();
        *self.shared.first_poll.lock().await = Some(tx);
        rx
    }

    /// The message of `/init/error`, if the function reported one.
    pub async fn init_error(&self) -> Option<String> {
        self.shared.init_error.lock().await.clone()
    }

    /// Queues one event and waits until the function answers it.
    pub async fn invoke(&mut self, event: Bytes) -> Option<Completion> {
        self.next_id += 1;
        let (done, answer) = oneshot::channel();
        let pending = Pending {
            id: format!("bench-{:08}", self.next_id),
            event,
            done,
        };
        self.submit.send(pending).await.ok()?;
        answer.await.ok()
    }
}

impl Drop for RuntimeApi {
    fn drop(&mut self) {
        self.server.abort();
    }
}

async fn next(State(shared): State<Arc<Shared>>) -> Response {
    if let Some(tx) = shared.first_poll.lock().await.take() {
        let _ = tx.send(Instant::now());
    }
    let Some(pending) = shared.queue.lock().await.recv().await else {
        return StatusCode::GONE.into_response();
    };
    let mut headers = HeaderMap::new();
    let deadline = deadline_ms();
    for (name, value) in [
        ("lambda-runtime-aws-request-id", pending.id.clone()),
        ("lambda-runtime-deadline-ms", deadline.to_string()),
        (
            "lambda-runtime-invoked-function-arn",
            "arn:aws:lambda:us-east-1:123456789012:function:bench".to_string(),
        ),
        (
            "lambda-runtime-trace-id",
            "Root=1-00000000-000000000000000000000000".to_string(),
        ),
        ("content-type", "application/json".to_string()),
    ] {
        if let Ok(value) = HeaderValue::from_str(&value) {
            headers.insert(name, value);
        }
    }
    let delivered_at = Instant::now();
    shared
        .in_flight
        .lock()
        .await
        .insert(pending.id, (delivered_at, pending.done));
    (headers, pending.event).into_response()
}

async fn response(State(shared): State<Arc<Shared>>, Path(id): Path<String>) -> StatusCode {
    finish(&shared, &id, None).await
}

async fn error(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    let error_type = error_type_of(&headers, &body);
    finish(&shared, &id, Some(error_type)).await
}

async fn init_error(State(shared): State<Arc<Shared>>, body: Bytes) -> StatusCode {
    *shared.init_error.lock().await = Some(String::from_utf8_lossy(&body).into_owned());
    StatusCode::ACCEPTED
}

async fn finish(shared: &Shared, id: &str, error_type: Option<String>) -> StatusCode {
    let completed_at = Instant::now();
    match shared.in_flight.lock().await.remove(id) {
        Some((delivered_at, done)) => {
            let _ = done.send(Completion {
                delivered_at,
                completed_at,
                error_type,
            });
            StatusCode::ACCEPTED
        }
        None => StatusCode::NOT_FOUND,
    }
}

/// The error name the runtime reported: the `errorType` of the JSON body (what Step Functions
/// matches), falling back to the `Lambda-Runtime-Function-Error-Type` header.
fn error_type_of(headers: &HeaderMap, body: &Bytes) -> String {
    serde_json::from_slice::<serde_json::Value>(body)
        .ok()
        .and_then(|v| {
            v.get("errorType")
                .and_then(|t| t.as_str())
                .map(str::to_owned)
        })
        .or_else(|| {
            headers
                .get("lambda-runtime-function-error-type")
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        })
        .unwrap_or_else(|| "Unknown".to_string())
}

/// Fifteen minutes from now, in Unix milliseconds (Lambda's maximum timeout).
fn deadline_ms() -> u128 {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis())
        .unwrap_or(0);
    now + 15 * 60 * 1000
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    /// One HTTP/1.1 exchange on a fresh connection, as a runtime client would make it.
    async fn http(addr: SocketAddr, method: &str, path: &str, body: &str) -> (String, String) {
        let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
        let request = format!(
            "{method} {path} HTTP/1.1\r\nhost: x\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
            body.len()
        );
        stream.write_all(request.as_bytes()).await.unwrap();
        let mut response = String::new();
        stream.read_to_string(&mut response).await.unwrap();
        let (head, body) = response.split_once("\r\n\r\n").unwrap_or((&response, ""));
        (head.to_string(), body.to_string())
    }

    fn request_id(head: &str) -> String {
        head.lines()
            .find_map(|l| l.strip_prefix("lambda-runtime-aws-request-id: "))
            .unwrap()
            .trim()
            .to_string()
    }

    #[tokio::test]
    async fn drives_a_runtime_loop_and_reports_responses_and_errors() {
        let mut api = RuntimeApi::start().await.unwrap();
        let addr = api.addr;
        let first_poll = api.first_poll().await;
        let function = tokio::spawn(async move {
            // Answer the first event, fail the second, as a function's runtime loop would.
            let (head, body) = http(addr, "GET", "/2018-06-01/runtime/invocation/next", "").await;
            assert_eq!(body, r#"{"n":1}"#);
            let id = request_id(&head);
            let (ok, _) = http(
                addr,
                "POST",
                &format!("/2018-06-01/runtime/invocation/{id}/response"),
                "{}",
            )
            .await;
            assert!(ok.starts_with("HTTP/1.1 202"), "{ok}");
            let (head, _) = http(addr, "GET", "/2018-06-01/runtime/invocation/next", "").await;
            let id = request_id(&head);
            let error = r#"{"errorType":"OutOfStock","errorMessage":"no SKU-OUT left"}"#;
            http(
                addr,
                "POST",
                &format!("/2018-06-01/runtime/invocation/{id}/error"),
                error,
            )
            .await;
        });
        let first = api.invoke(Bytes::from_static(br#"{"n":1}"#)).await.unwrap();
        assert!(first_poll.await.is_ok());
        assert_eq!(first.error_type, None);
        assert!(first.completed_at >= first.delivered_at);
        let second = api.invoke(Bytes::from_static(br#"{"n":2}"#)).await.unwrap();
        assert_eq!(second.error_type.as_deref(), Some("OutOfStock"));
        function.await.unwrap();
    }

    #[tokio::test]
    async fn unknown_request_ids_are_refused() {
        let api = RuntimeApi::start().await.unwrap();
        let (head, _) = http(
            api.addr,
            "POST",
            "/2018-06-01/runtime/invocation/nope/response",
            "{}",
        )
        .await;
        assert!(head.starts_with("HTTP/1.1 404"), "{head}");
    }
}
