//! API Gateway HTTP API (payload v2) helpers for submit-order and decide-approval.

use aws_lambda_events::apigw::{ApiGatewayV2httpRequest, ApiGatewayV2httpResponse};
use aws_lambda_events::encodings::Body;
use aws_lambda_events::http::{HeaderMap, HeaderValue, header::CONTENT_TYPE};
use serde_json::{Value, json};

/// Parses the request envelope; `None` when the value is not an HTTP API v2 request.
pub fn parse_request(payload: Value) -> Option<ApiGatewayV2httpRequest> {
    serde_json::from_value(payload).ok()
}

/// The request body as JSON. `Err` carries the message for a 400.
pub fn json_body(request: &ApiGatewayV2httpRequest) -> Result<Value, String> {
    let raw = request.body.as_deref().unwrap_or("");
    let bytes = if request.is_base64_encoded {
        decode_base64(raw).ok_or_else(|| "body is not valid base64".to_string())?
    } else {
        raw.as_bytes().to_vec()
    };
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err("body is empty; a JSON object is expected".into());
    }
    serde_json::from_slice(&bytes).map_err(|e| format!("body is not valid JSON: {e}"))
}

/// A JSON response with the given status code.
pub fn response(status: u16, body: &Value) -> ApiGatewayV2httpResponse {
    let mut headers = HeaderMap::new();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    let mut response = ApiGatewayV2httpResponse::default();
    response.status_code = i64::from(status);
    response.headers = headers;
    response.body = Some(Body::Text(body.to_string()));
    response
}

/// An error response: `{"error": name, "message": ...}`.
pub fn error_response(status: u16, error: &str, message: &str) -> ApiGatewayV2httpResponse {
    response(status, &json!({"error": error, "message": message}))
}

fn decode_base64(text: &str) -> Option<Vec<u8>> {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD
        .decode(text.trim())
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(body: Option<&str>, base64: bool) -> ApiGatewayV2httpRequest {
        let mut value = json!({"requestContext": {"http": {"method": "POST"}}});
        if let Some(body) = body {
            value["body"] = json!(body);
        }
        value["isBase64Encoded"] = json!(base64);
        parse_request(value).unwrap_or_default()
    }

    #[test]
    fn bodies() {
        assert_eq!(
            json_body(&request(Some(r#"{"a":1}"#), false)),
            Ok(json!({"a": 1}))
        );
        assert_eq!(
            json_body(&request(Some("eyJhIjoxfQ=="), true)),
            Ok(json!({"a": 1}))
        );
        assert!(json_body(&request(None, false)).is_err());
        assert!(json_body(&request(Some("{"), false)).is_err());
        assert!(json_body(&request(Some("!!"), true)).is_err());
    }

    #[test]
    fn non_requests_are_rejected() {
        assert!(parse_request(json!(null)).is_none());
        assert!(parse_request(json!({"body": 3})).is_none());
    }

    #[test]
    fn responses_are_json() {
        let r = error_response(404, "OrderNotFound", "no such order");
        assert_eq!(r.status_code, 404);
        let Some(Body::Text(body)) = r.body else {
            panic!("text body expected");
        };
        let body: Value = serde_json::from_str(&body).unwrap_or_default();
        assert_eq!(body["error"], "OrderNotFound");
    }
}
