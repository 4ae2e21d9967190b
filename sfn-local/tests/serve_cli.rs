//! `sfn-local serve` as a process: template state machines created at start, used over HTTP.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use sfn_json::{Value, json};

/// A running server, killed however the test ends.
struct Server {
    child: Child,
    url: String,
    /// The stderr lines before `listening on`.
    banner: Vec<String>,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve(args: &[&str]) -> Server {
    let mut child = Command::new(env!("CARGO_BIN_EXE_sfn-local"))
        .args(["serve", "--port", "0"])
        .args(args)
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("spawn sfn-local serve: {e}"));
    let stderr = child.stderr.take().unwrap_or_else(|| panic!("no stderr"));
    let mut banner = Vec::new();
    let mut url = None;
    let mut lines = BufReader::new(stderr).lines();
    for line in lines.by_ref() {
        let line = line.unwrap_or_default();
        if let Some(address) = line.strip_prefix("listening on ") {
            url = Some(address.to_owned());
            break;
        }
        banner.push(line);
    }
    // Keep reading so the server can still write to its stderr.
    std::thread::spawn(move || lines.for_each(drop));
    let url = url.unwrap_or_else(|| panic!("no 'listening on' line; stderr: {banner:?}"));
    Server { child, url, banner }
}

impl Server {
    fn call(&self, operation: &str, body: &Value) -> Value {
        reqwest::blocking::Client::new()
            .post(&self.url)
            .header("X-Amz-Target", format!("AWSStepFunctions.{operation}"))
            .header("Content-Type", "application/x-amz-json-1.0")
            .body(body.to_string())
            .send()
            .and_then(|r| r.json())
            .unwrap_or_else(|e| panic!("{operation}: {e}"))
    }
}

impl Server {
    /// DescribeExecution until it is no longer RUNNING (bounded).
    fn until_ended(&self, execution: &str) -> Value {
        let mut described = Value::Null;
        for _ in 0..500 {
            described = self.call("DescribeExecution", &json!({"executionArn": execution}));
            if described["status"] != "RUNNING" {
                break;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        described
    }
}

#[test]
fn serve_creates_the_template_state_machine_and_lists_it() {
    let server = serve(&["--template", "../template.yaml"]);
    assert!(!server.url.ends_with(":0"), "real port: {}", server.url);
    assert!(
        server.banner.iter().any(|l| l.starts_with(
            "state machine OrderFulfillmentStateMachine: arn:aws:states:us-east-1:123456789012:stateMachine:OrderFulfillmentStateMachine"
        )),
        "{:?}",
        server.banner
    );
    let listed = server.call("ListStateMachines", &json!({}));
    let machines = listed["stateMachines"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let names: Vec<&str> = machines.iter().filter_map(|m| m["name"].as_str()).collect();
    assert_eq!(names, ["OrderFulfillmentStateMachine"]);
    assert_eq!(
        machines.first().map(|m| &m["type"]),
        Some(&json!("STANDARD"))
    );
}

fn temp_dir() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("sfn-local-serve-cli-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    dir
}

const TEMPLATE: &str = r#"
Resources:
  ChargeFunction:
    Type: AWS::Serverless::Function
    Properties:
      FunctionName: charge
  Payments:
    Type: AWS::Serverless::StateMachine
    Properties:
      Type: EXPRESS
      Definition:
        StartAt: Charge
        States:
          Charge:
            Type: Task
            Resource: "${ChargeArn}"
            End: true
      DefinitionSubstitutions:
        ChargeArn: !GetAtt ChargeFunction.Arn
  Greeter:
    Type: AWS::Serverless::StateMachine
    Properties:
      Name: greeter
      Definition:
        StartAt: Hello
        States:
          Hello:
            Type: Pass
            Result: hello
            End: true
"#;

#[test]
fn every_template_machine_is_created_and_mocks_answer_its_tasks() {
    let dir = temp_dir();
    let template = dir.join("template.yaml");
    let mocks = dir.join("MockConfigFile.json");
    let config = json!({
        "StateMachines": {"Payments": {"TestCases": {
            "Paid": {"Charge": "Charged"},
            "Refused": {"Charge": "Refused"}
        }}},
        "MockedResponses": {
            "Charged": {"0": {"Return": {"charged": 150}}},
            "Refused": {"0": {"Throw": {"Error": "CardRefused", "Cause": "no"}}}
        }
    });
    let written = std::fs::write(&template, TEMPLATE)
        .and_then(|()| std::fs::write(&mocks, config.to_string()));
    written.unwrap_or_else(|e| panic!("write test files: {e}"));
    let server = serve(&[
        "--template",
        template.to_str().unwrap_or_default(),
        "--mock-config",
        mocks.to_str().unwrap_or_default(),
        "--test-case",
        "Paid",
        // Nothing listens here: only the mock can answer.
        "--lambda-endpoint",
        "http://127.0.0.1:9",
    ]);
    let listed = server.call("ListStateMachines", &json!({}));
    let machines = listed["stateMachines"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let kinds: Vec<(&str, &str)> = machines
        .iter()
        .filter_map(|m| Some((m["name"].as_str()?, m["type"].as_str()?)))
        .collect();
    assert_eq!(kinds, [("Payments", "EXPRESS"), ("greeter", "STANDARD")]);

    // Twice: the mocks count attempts per execution, so both get attempt 0's answer.
    for _ in 0..2 {
        let started = server.call(
            "StartExecution",
            &json!({"stateMachineArn": "arn:aws:states:us-east-1:123456789012:stateMachine:Payments"}),
        );
        let execution = started["executionArn"].as_str().unwrap_or_default();
        let described = server.until_ended(execution);
        assert_eq!(described["status"], "SUCCEEDED", "{described}");
        let output: Value = serde_json::from_str(described["output"].as_str().unwrap_or_default())
            .unwrap_or_default();
        assert_eq!(output, json!({"charged": 150}));
    }
    // Step Functions Local's form: the test case after `#`.
    let started = server.call(
        "StartExecution",
        &json!({"stateMachineArn": "arn:aws:states:us-east-1:123456789012:stateMachine:Payments#Refused"}),
    );
    let described = server.until_ended(started["executionArn"].as_str().unwrap_or_default());
    assert_eq!(described["status"], "FAILED", "{described}");
    assert_eq!(described["error"], "CardRefused");
}
