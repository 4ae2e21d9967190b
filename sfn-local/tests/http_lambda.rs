//! The Lambda Invoke HTTP API client against a loopback server.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;

use sfn_json::{Value, json};
use sfn_local::task::{HttpLambdas, InvokeError, LambdaInvoker};

/// Serves `requests` requests: `/functions/ok/…` echoes the body, anything else is a function error.
fn serve(requests: usize) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap_or_else(|e| panic!("bind: {e}"));
    let address = listener
        .local_addr()
        .map(|a| a.to_string())
        .unwrap_or_default();
    std::thread::spawn(move || {
        for stream in listener.incoming().take(requests).flatten() {
            let mut reader = BufReader::new(stream);
            let mut request_line = String::new();
            let _ = reader.read_line(&mut request_line);
            let mut length = 0usize;
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
                if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                    length = v.trim().parse().unwrap_or(0);
                }
            }
            let mut body = vec![0; length];
            let _ = reader.read_exact(&mut body);
            let boom = r#"{"errorType":"Boom","errorMessage":"bad"}"#.to_owned();
            let (status, extra, reply) = if request_line.contains("/functions/ok/") {
                ("200 OK", "", String::from_utf8_lossy(&body).into_owned())
            } else if request_line.contains("/functions/watch-style/") {
                // `cargo lambda watch` reports a function error as a 500 with the error body.
                ("500 Internal Server Error", "", boom)
            } else if request_line.contains("/functions/broken/") {
                ("502 Bad Gateway", "", "upstream gone".to_owned())
            } else {
                ("200 OK", "X-Amz-Function-Error: Unhandled\r\n", boom)
            };
            let response = format!(
                "HTTP/1.1 {status}\r\nContent-Type: application/json\r\n{extra}Content-Length: {}\r\nConnection: close\r\n\r\n{reply}",
                reply.len()
            );
            let _ = reader.get_mut().write_all(response.as_bytes());
        }
    });
    format!("http://{address}")
}

#[tokio::test]
async fn payloads_and_function_errors_cross_the_http_api() {
    let lambdas = HttpLambdas::new(serve(2));
    let echoed = lambdas
        .invoke(
            "arn:aws:lambda:us-east-1:1:function:ok",
            &json!({"a": [1, 2]}),
        )
        .await;
    assert_eq!(echoed, Ok(json!({"a": [1, 2]})));
    match lambdas.invoke("failing", &Value::Null).await {
        Err(InvokeError::Function(e)) => {
            assert_eq!(e.error_type, "Boom");
            assert_eq!(e.cause(), r#"{"errorType":"Boom","errorMessage":"bad"}"#);
        }
        other => panic!("expected a function error, got {other:?}"),
    }
}

#[tokio::test]
async fn cargo_lambda_watch_error_answers_are_function_errors_and_other_failures_are_not() {
    let lambdas = HttpLambdas::new(serve(2));
    match lambdas.invoke("watch-style", &json!({})).await {
        Err(InvokeError::Function(e)) => assert_eq!(e.error_type, "Boom"),
        other => panic!("expected a function error, got {other:?}"),
    }
    match lambdas.invoke("broken", &json!({})).await {
        Err(InvokeError::Service { error, .. }) => assert_eq!(error, "Lambda.ServiceException"),
        other => panic!("expected a service error, got {other:?}"),
    }
}

#[tokio::test]
async fn an_unreachable_endpoint_is_a_service_error() {
    let lambdas = HttpLambdas::new("http://127.0.0.1:9");
    assert!(matches!(
        lambdas.invoke("f", &json!({})).await,
        Err(InvokeError::Service { .. })
    ));
}
