//! AWS JSON 1.0 framing: `POST /` with `X-Amz-Target: AWSStepFunctions.<Operation>` and a JSON
//! object body; answers are JSON objects, errors HTTP 400 with `{"__type", "message"}`.

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use sfn_json::{Map, Value};

use super::Service;
use super::error::ApiError;
use super::ops;

pub const JSON_1_0: &str = "application/x-amz-json-1.0";
const TARGET_PREFIX: &str = "AWSStepFunctions.";

pub fn router(service: Service) -> Router {
    Router::new().route("/", post(handle)).with_state(service)
}

async fn handle(State(service): State<Service>, headers: HeaderMap, body: Bytes) -> Response {
    let request_id = uuid::Uuid::new_v4().to_string();
    let result = operation(&headers)
        .and_then(|op| Ok((op, parse_body(&body)?)))
        .and_then(|(op, body)| ops::dispatch(&service, op, body));
    let mut response = match result {
        Ok(value) => (
            [(header::CONTENT_TYPE, JSON_1_0)],
            Value::Object(value).to_string(),
        )
            .into_response(),
        Err(error) => error.into_response(),
    };
    if let Ok(id) = HeaderValue::from_str(&request_id) {
        response.headers_mut().insert("x-amzn-requestid", id);
    }
    response
}

/// The operation named by `X-Amz-Target`.
fn operation(headers: &HeaderMap) -> Result<&str, ApiError> {
    let target = headers
        .get("x-amz-target")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    target.strip_prefix(TARGET_PREFIX).ok_or_else(|| {
        ApiError::UnknownOperation(format!(
            "Unknown operation: X-Amz-Target '{target}' (expected {TARGET_PREFIX}<Operation>)"
        ))
    })
}

/// The request body: a JSON object (an empty body counts as `{}`).
fn parse_body(body: &[u8]) -> Result<Map, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Map::new());
    }
    match serde_json::from_slice(body) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(ApiError::Serialization(
            "The request body must be a JSON object".into(),
        )),
        Err(e) => Err(ApiError::Serialization(format!(
            "The request body is not valid JSON: {e}"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_target_names_the_operation() {
        let mut headers = HeaderMap::new();
        headers.insert(
            "x-amz-target",
            HeaderValue::from_static("AWSStepFunctions.ListStateMachines"),
        );
        assert_eq!(operation(&headers), Ok("ListStateMachines"));
        headers.insert("x-amz-target", HeaderValue::from_static("DynamoDB.GetItem"));
        assert!(matches!(
            operation(&headers),
            Err(ApiError::UnknownOperation(_))
        ));
    }

    #[test]
    fn bodies_must_be_objects() {
        assert_eq!(parse_body(b""), Ok(Map::new()));
        assert!(matches!(
            parse_body(b"[1]"),
            Err(ApiError::Serialization(_))
        ));
        assert!(matches!(parse_body(b"{"), Err(ApiError::Serialization(_))));
    }
}
