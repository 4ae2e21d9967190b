//! `execute --mock-config FILE --test-case NAME`: Task states driven purely by Step Functions
//! Local mocked responses (retries, catches and a non-Lambda integration), nothing listening.

mod cli_support;

use std::path::PathBuf;
use std::process::{Command, Output};

use sfn_json::{Value, json};

/// Nothing listens here, so any Task that is not mocked fails.
const NO_LAMBDAS: &str = "http://127.0.0.1:9";

/// Each test writes into its own directory: tests run in parallel and must not see each
/// other's half-written files.
fn temp_file(test: &str, name: &str, content: &Value) -> PathBuf {
    cli_support::temp_file(&format!("mock-{test}"), name, content)
}

fn definition(test: &str) -> PathBuf {
    temp_file(
        test,
        "Orders.json",
        &json!({"StartAt": "Charge", "States": {
            "Charge": {
                "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                "Parameters": {"FunctionName": "charge", "Payload.$": "$"},
                "ResultSelector": {"charged.$": "$.Payload.charged"},
                "ResultPath": "$.charge",
                "Retry": [{"ErrorEquals": ["Lambda.ServiceException"], "IntervalSeconds": 2, "MaxAttempts": 2}],
                "Next": "Reserve"
            },
            "Reserve": {
                "Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:reserve",
                "ResultPath": "$.reservation",
                "Catch": [{"ErrorEquals": ["OutOfStock"], "ResultPath": "$.error", "Next": "Backorder"}],
                "Next": "Save"
            },
            "Backorder": {"Type": "Pass", "Result": "backordered", "ResultPath": "$.status", "Next": "Save"},
            "Save": {
                "Type": "Task", "Resource": "arn:aws:states:::dynamodb:putItem",
                "Parameters": {"TableName": "orders", "Item": {"id": {"S.$": "$.id"}}},
                "ResultSelector": {"code.$": "$.SdkHttpMetadata.HttpStatusCode"},
                "ResultPath": "$.saved",
                "End": true
            }
        }}),
    )
}

fn mock_config(test: &str) -> PathBuf {
    temp_file(
        test,
        "MockConfigFile.json",
        &json!({
            "StateMachines": {"Orders": {"TestCases": {
                "RetryPath": {"Charge": "FlakyCharge", "Reserve": "Reserved", "Save": "Saved"},
                "OutOfStock": {"Charge": "Charged", "Reserve": "NoStock", "Save": "Saved"},
                "ChargeDown": {"Charge": "AlwaysDown"},
                "Unmocked": {"Charge": "Charged", "Reserve": "Reserved"}
            }}},
            "MockedResponses": {
                "FlakyCharge": {
                    "0": {"Throw": {"Error": "Lambda.ServiceException", "Cause": "try again"}},
                    "1": {"Return": {"StatusCode": 200, "Payload": {"charged": 150}}}
                },
                "Charged": {"0": {"Return": {"StatusCode": 200, "Payload": {"charged": 90}}}},
                "AlwaysDown": {"0-9": {"Throw": {"Error": "Lambda.ServiceException", "Cause": "down"}}},
                "Reserved": {"0": {"Return": {"reservationId": "r-1"}}},
                "NoStock": {"0": {"Throw": {"Error": "OutOfStock", "Cause": "SKU-1 has 0 units"}}},
                "Saved": {"0": {"Return": {"SdkHttpMetadata": {"HttpStatusCode": 200}}}}
            }
        }),
    )
}

fn run(case: &str, extra: &[&str]) -> Output {
    let test = format!("{case}{}", extra.join(""));
    let def = definition(&test);
    let mocks = mock_config(&test);
    let input = temp_file(&test, "input.json", &json!({"id": "o-1"}));
    let mut args = vec![
        "execute",
        def.to_str().unwrap_or_default(),
        "--input",
        input.to_str().unwrap_or_default(),
        "--lambda-endpoint",
        NO_LAMBDAS,
        "--mock-config",
        mocks.to_str().unwrap_or_default(),
        "--test-case",
        case,
    ];
    args.extend_from_slice(extra);
    Command::new(env!("CARGO_BIN_EXE_sfn-local"))
        .args(&args)
        .output()
        .unwrap_or_else(|e| panic!("run sfn-local: {e}"))
}

fn lines(output: &Output) -> Vec<Value> {
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("line {l:?}: {e}")))
        .collect()
}

fn outcome(output: &Output) -> Value {
    assert!(output.status.success(), "{output:?}");
    lines(output).pop().unwrap_or_default()
}

fn output_of(outcome: &Value) -> Value {
    outcome["output"].clone()
}

#[test]
fn a_mocked_throw_is_retried_and_the_next_attempt_returns() {
    let out = run("RetryPath", &["--history"]);
    let result = outcome(&out);
    assert_eq!(result["status"], "SUCCEEDED", "{result}");
    assert_eq!(
        output_of(&result),
        json!({"id": "o-1", "charge": {"charged": 150},
               "reservation": {"reservationId": "r-1"}, "saved": {"code": 200}})
    );
    let history = lines(&out).into_iter().next().unwrap_or_default();
    let failed: Vec<&Value> = history
        .as_array()
        .map(|events| {
            events
                .iter()
                .filter(|e| e["type"] == "TaskFailed")
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(failed.len(), 1, "{history}");
    assert_eq!(
        failed[0]["taskFailedEventDetails"]["error"],
        "Lambda.ServiceException"
    );
}

#[test]
fn a_mocked_throw_is_caught_by_catch() {
    let result = outcome(&run("OutOfStock", &[]));
    assert_eq!(result["status"], "SUCCEEDED", "{result}");
    let output = output_of(&result);
    assert_eq!(output["status"], "backordered");
    assert_eq!(
        output["error"],
        json!({"Error": "OutOfStock", "Cause": "SKU-1 has 0 units"})
    );
    assert_eq!(output["saved"], json!({"code": 200}));
}

#[test]
fn retries_run_out_on_a_mock_that_keeps_throwing() {
    let result = outcome(&run("ChargeDown", &[]));
    assert_eq!(result["status"], "FAILED", "{result}");
    assert_eq!(result["error"], "Lambda.ServiceException");
    assert_eq!(result["cause"], "down");
}

#[test]
fn states_left_out_of_the_test_case_run_for_real() {
    // Save (dynamodb:putItem) is not mocked here, and sfn-local cannot call DynamoDB.
    let result = outcome(&run("Unmocked", &[]));
    assert_eq!(result["status"], "FAILED", "{result}");
    assert!(
        result["cause"]
            .as_str()
            .unwrap_or_default()
            .contains("dynamodb:putItem"),
        "{result}"
    );
}

#[test]
fn the_state_machine_name_can_be_given() {
    let out = run("RetryPath", &["--state-machine-name", "Payments"]);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("MockConfigFile.json"), "{stderr}");
    assert!(
        stderr.contains("no \"Payments\"") && stderr.contains("Orders"),
        "{stderr}"
    );
}

#[test]
fn an_unknown_test_case_is_named_with_the_file() {
    let out = run("SadPath", &[]);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("MockConfigFile.json"), "{stderr}");
    assert!(stderr.contains("TestCases has no \"SadPath\""), "{stderr}");
    assert!(stderr.contains("RetryPath"), "{stderr}");
}

#[test]
fn a_bad_mock_file_is_reported() {
    let def = definition("bad");
    let bad = temp_file(
        "bad",
        "BadMocks.json",
        &json!({"MockedResponses": {"R": {"0": {"Answer": 1}}}}),
    );
    let out = Command::new(env!("CARGO_BIN_EXE_sfn-local"))
        .args([
            "execute",
            def.to_str().unwrap_or_default(),
            "--mock-config",
            bad.to_str().unwrap_or_default(),
            "--test-case",
            "Any",
        ])
        .output()
        .unwrap_or_else(|e| panic!("run sfn-local: {e}"));
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("BadMocks.json") && stderr.contains("MockedResponses.R"),
        "{stderr}"
    );
}
