//! `sfn-local serve` as a process: the project's template's state machine, listed over HTTP.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use serde_json::Value;

/// Kills the server however the test ends.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn serve_creates_the_template_state_machine_and_lists_it() {
    let child = Command::new(env!("CARGO_BIN_EXE_sfn-local"))
        .args(["serve", "--port", "0", "--template", "../template.yaml"])
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("spawn sfn-local serve: {e}"));
    let mut server = Running(child);
    let stderr = server
        .0
        .stderr
        .take()
        .unwrap_or_else(|| panic!("no stderr"));
    let mut seen = Vec::new();
    let mut url = None;
    for line in BufReader::new(stderr).lines() {
        let line = line.unwrap_or_default();
        if let Some(address) = line.strip_prefix("listening on ") {
            url = Some(address.to_owned());
            break;
        }
        seen.push(line);
    }
    let url = url.unwrap_or_else(|| panic!("no 'listening on' line; stderr: {seen:?}"));
    assert!(!url.ends_with(":0"), "the real port is printed: {url}");
    assert!(
        seen.iter().any(|l| l.starts_with(
            "state machine OrderFulfillmentStateMachine: arn:aws:states:us-east-1:123456789012:stateMachine:OrderFulfillmentStateMachine"
        )),
        "{seen:?}"
    );

    let listed: Value = reqwest::blocking::Client::new()
        .post(&url)
        .header("X-Amz-Target", "AWSStepFunctions.ListStateMachines")
        .header("Content-Type", "application/x-amz-json-1.0")
        .body("{}")
        .send()
        .and_then(|r| r.json())
        .unwrap_or_else(|e| panic!("ListStateMachines: {e}"));
    let machines = listed["stateMachines"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let names: Vec<&str> = machines.iter().filter_map(|m| m["name"].as_str()).collect();
    assert_eq!(names, ["OrderFulfillmentStateMachine"]);
    assert_eq!(
        machines.first().map(|m| &m["type"]),
        Some(&Value::from("STANDARD"))
    );
}
