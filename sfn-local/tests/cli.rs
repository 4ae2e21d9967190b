//! The `sfn-local` binary: exit codes, messages and the DescribeExecution-shaped last line.

mod cli_support;

use cli_support::sfn_local;

use std::path::PathBuf;
use std::process::Output;

use sfn_json::{Value, json};

fn temp_file(name: &str, content: &Value) -> PathBuf {
    cli_support::temp_file("cli", name, content)
}

fn last_line(output: &Output) -> Value {
    let stdout = String::from_utf8_lossy(&output.stdout);
    let line = stdout.lines().last().unwrap_or_default();
    serde_json::from_str(line).unwrap_or_else(|e| panic!("last line {line:?}: {e}"))
}

#[test]
fn execute_prints_the_outcome_as_its_last_line() {
    let def = temp_file(
        "ok.json",
        &json!({"StartAt": "A", "States": {"A": {"Type": "Pass", "Result": {"x": 1}, "ResultPath": "$.r", "End": true}}}),
    );
    let input = temp_file("ok-input.json", &json!({"k": "v"}));
    let out = sfn_local(&[
        "execute",
        def.to_str().unwrap_or_default(),
        "--input",
        input.to_str().unwrap_or_default(),
    ]);
    assert!(out.status.success());
    assert_eq!(
        last_line(&out),
        json!({"status": "SUCCEEDED", "output": {"k": "v", "r": {"x": 1}}})
    );
}

#[test]
fn a_failed_execution_still_exits_zero() {
    let def = temp_file(
        "fail.json",
        &json!({"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "E", "Cause": "C"}}}),
    );
    let out = sfn_local(&["execute", def.to_str().unwrap_or_default(), "--history"]);
    assert!(out.status.success());
    assert_eq!(
        last_line(&out),
        json!({"status": "FAILED", "error": "E", "cause": "C"})
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    let history: Value =
        serde_json::from_str(stdout.lines().next().unwrap_or_default()).unwrap_or_default();
    assert_eq!(history[1]["type"], "FailStateEntered");
}

#[test]
fn an_invalid_definition_is_refused_naming_state_and_field() {
    let def = temp_file(
        "bad.json",
        &json!({"StartAt": "ChargePayment", "States": {"ChargePayment": {"Type": "Pass", "Next": "X"}}}),
    );
    for command in ["validate", "execute"] {
        let out = sfn_local(&[command, def.to_str().unwrap_or_default()]);
        assert!(!out.status.success());
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains("State 'ChargePayment': field 'Next': no state named 'X'"),
            "{stderr}"
        );
    }
}

#[test]
fn unreadable_files_and_bad_input_are_refused() {
    let out = sfn_local(&["execute", "/nonexistent/definition.json"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot read"));

    let def = temp_file(
        "ok2.json",
        &json!({"StartAt": "A", "States": {"A": {"Type": "Succeed"}}}),
    );
    let dir = std::env::temp_dir().join(format!("sfn-local-cli-{}", std::process::id()));
    let input = dir.join("broken-input.json");
    let _ = std::fs::write(&input, "{not json");
    let out = sfn_local(&[
        "execute",
        def.to_str().unwrap_or_default(),
        "--input",
        input.to_str().unwrap_or_default(),
    ]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("not valid JSON"));
}

#[test]
fn validate_accepts_a_good_definition() {
    let def = temp_file(
        "good.json",
        &json!({"StartAt": "A", "States": {"A": {"Type": "Wait", "Seconds": 5, "End": true}}}),
    );
    assert!(
        sfn_local(&["validate", def.to_str().unwrap_or_default()])
            .status
            .success()
    );
}

#[test]
fn validate_reads_a_sam_templates_state_machine() {
    let template = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../template.yaml");
    let out = sfn_local(&[
        "validate",
        "--template",
        template.to_str().unwrap_or_default(),
    ]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("(OrderFulfillmentStateMachine): valid"),
        "{stdout}"
    );

    let missing = sfn_local(&[
        "validate",
        "--template",
        template.to_str().unwrap_or_default(),
        "--state-machine",
        "NoSuchMachine",
    ]);
    let stderr = String::from_utf8_lossy(&missing.stderr);
    assert!(!missing.status.success());
    assert!(
        stderr.contains("no state machine named 'NoSuchMachine'"),
        "{stderr}"
    );
}

#[test]
fn a_template_run_invokes_the_functions_it_maps() {
    // No Lambda endpoint answers on port 9: the first task fails with the Lambda client error,
    // which proves the substituted ARN was resolved to a function call.
    let template = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../template.yaml");
    let input = temp_file("order.json", &json!({"orderId": "o-1"}));
    let out = sfn_local(&[
        "execute",
        "--template",
        template.to_str().unwrap_or_default(),
        "--input",
        input.to_str().unwrap_or_default(),
        "--lambda-endpoint",
        "http://127.0.0.1:9",
    ]);
    assert!(
        out.status.success(),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let result = last_line(&out);
    assert_eq!(result["status"], "FAILED");
    assert_eq!(result["error"], "Lambda.SdkClientException");
    let cause = result["cause"].as_str().unwrap_or_default();
    assert!(
        cause.contains("/functions/validate-order/invocations"),
        "{cause}"
    );
}

#[test]
fn chaos_injects_seeded_faults_into_every_lambda_call() {
    // 40 calls to an endpoint nobody serves, each caught: the run always ends; the summary
    // counts every call, and the same seed draws the same faults.
    let definition = temp_file(
        "chaos.json",
        &json!({"StartAt": "Each", "States": {"Each": {
            "Type": "Map", "ItemsPath": "$.items", "End": true,
            "ItemProcessor": {"StartAt": "Call", "States": {
                "Call": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:f",
                         "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Caught"}], "End": true},
                "Caught": {"Type": "Pass", "End": true}}}}}}),
    );
    let input = temp_file(
        "chaos-input.json",
        &json!({"items": (0..40).collect::<Vec<_>>()}),
    );
    let run = |seed: &str| {
        let out = sfn_local(&[
            "execute",
            definition.to_str().unwrap_or_default(),
            "--input",
            input.to_str().unwrap_or_default(),
            "--lambda-endpoint",
            "http://127.0.0.1:9",
            "--chaos",
            seed,
        ]);
        assert!(out.status.success());
        assert_eq!(last_line(&out)["status"], "SUCCEEDED");
        String::from_utf8_lossy(&out.stderr).into_owned()
    };
    // The fault counts, after "N invocations".
    let faults = |summary: &str| summary.split("invocations").nth(1).map(str::to_owned);
    let first = run("7");
    assert!(first.contains("chaos seed 7: 40 invocations"), "{first}");
    assert_eq!(
        faults(&first),
        faults(&run("7")),
        "the same seed, the same faults"
    );
    let differ = ["8", "9", "10"]
        .iter()
        .any(|seed| faults(&run(seed)) != faults(&first));
    assert!(differ, "other seeds draw other faults");
}
