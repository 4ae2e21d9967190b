//! `order-local run` as a person runs it: the report, the history file, and the last stdout
//! line that `sfn-local execute` prints; a clear error when nobody can be asked to approve.

use std::process::{Command, Output, Stdio};

use sfn_json::Value;

fn order_local(args: &[&str]) -> Output {
    let endpoint = shared::test_support::try_endpoint().unwrap_or_else(|e| panic!("{e}"));
    Command::new(env!("CARGO_BIN_EXE_order-local"))
        .arg("run")
        .args(args)
        .current_dir(order_local::env::repo_root())
        // One moto_server for the whole test process, each run in its own tables.
        .env("AWS_ENDPOINT_URL_DYNAMODB", endpoint)
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("cannot run order-local: {e}"))
}

#[test]
fn the_last_line_is_the_describe_execution_json_and_the_report_comes_before_it() {
    let dir = std::env::temp_dir().join(format!("order-local-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
    let history = dir.join("history.json");
    let history_arg = history.display().to_string();
    let run = order_local(&[
        "events/orders/shipment-failure.json",
        "--history",
        &history_arg,
    ]);
    let stdout = String::from_utf8_lossy(&run.stdout);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(run.status.success(), "{stderr}");
    let last: Value = stdout
        .lines()
        .last()
        .and_then(|l| serde_json::from_str(l).ok())
        .unwrap_or_else(|| panic!("last line is not JSON:\n{stdout}"));
    assert_eq!(last["status"], "FAILED");
    assert_eq!(last["error"], "ShipmentFailed");
    assert!(stdout.contains("flowchart TD"), "{stdout}");
    assert!(stdout.contains("Order record:"), "{stdout}");
    assert!(
        stdout.contains("REFUNDED"),
        "the refund shows in the payments: {stdout}"
    );
    // The live trace: the compensation path, entered and left, on stderr.
    assert!(stderr.contains("→ RefundPayment (Task)"), "{stderr}");
    assert!(stderr.contains("← RefundPayment"), "{stderr}");
    assert!(stderr.contains("✗ TaskFailed: ShipmentFailed"), "{stderr}");
    let text = std::fs::read_to_string(&history).unwrap_or_else(|e| panic!("{e}"));
    let events: Vec<Value> = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        events.first().map(|e| &e["type"]),
        Some(&Value::from("ExecutionStarted"))
    );
    assert_eq!(
        events.last().map(|e| &e["type"]),
        Some(&Value::from("ExecutionFailed"))
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn an_approval_without_a_terminal_or_a_flag_is_a_clear_error() {
    let run = order_local(&["events/orders/needs-approval.json", "--quiet"]);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(!run.status.success());
    assert!(stderr.contains("not a terminal"), "{stderr}");
    assert!(stderr.contains("--approve or --reject"), "{stderr}");
}

#[test]
fn a_missing_order_file_is_named() {
    let run = order_local(&["events/orders/no-such-order.json"]);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(!run.status.success());
    assert!(stderr.contains("no-such-order.json"), "{stderr}");
}
