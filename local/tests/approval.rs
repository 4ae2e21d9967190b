//! The approval step for real: the decision goes through the decide-approval handler, its
//! aws-sdk-sfn client and the in-process `sfn-local serve` (SendTaskSuccess/SendTaskFailure),
//! or nobody answers and the day-long timeout runs out on the virtual clock.

use order_local::env::{LocalEnv, default_template, repo_root};
use order_local::workflow::{Approval, RunOptions, RunReport, load_machine, run_order};
use sfn_json::Value;
use sfn_local::history::Event;

fn read(path: &str) -> Value {
    let full = repo_root().join(path);
    let text = std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("{}: {e}", full.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", full.display()))
}

async fn run(approval: Approval) -> Result<RunReport, Box<dyn std::error::Error>> {
    let env = LocalEnv::start().await?;
    let machine = load_machine(&default_template())?;
    let options = RunOptions {
        approval,
        quiet: true,
        ..RunOptions::default()
    };
    Ok(run_order(
        &env,
        machine,
        read("events/orders/needs-approval.json"),
        options,
    )
    .await?)
}

/// The expectation of events/orders/needs-approval.expect.json for one answer.
fn expected(answer: &str) -> Value {
    read("events/orders/needs-approval.expect.json")["then"][answer].clone()
}

/// The kinds of the task events between RequestApproval's entry and exit.
fn approval_task_events(history: &[Event]) -> Vec<String> {
    let name = |e: &Event, key: &str| {
        e.details
            .as_ref()
            .filter(|(k, _)| k == key)
            .and_then(|(_, d)| d.get("name"))
            .and_then(Value::as_str)
            == Some("RequestApproval")
    };
    history
        .iter()
        .skip_while(|e| !name(e, "stateEnteredEventDetails"))
        .take_while(|e| !name(e, "stateExitedEventDetails"))
        .filter(|e| e.kind.starts_with("Task") && !e.kind.ends_with("StateEntered"))
        .map(|e| e.kind.clone())
        .collect()
}

fn assert_path(report: &RunReport, expect: &Value) {
    let mut path = report.states.iter();
    for state in expect["states"].as_array().into_iter().flatten() {
        assert!(
            path.any(|s| Some(s.as_str()) == state.as_str()),
            "{state} missing or out of order in {:?}",
            report.states
        );
    }
    for state in expect["notStates"].as_array().into_iter().flatten() {
        assert!(
            !report
                .states
                .iter()
                .any(|s| Some(s.as_str()) == state.as_str()),
            "{state} was entered: {:?}",
            report.states
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn approved_through_decide_approval_the_order_completes()
-> Result<(), Box<dyn std::error::Error>> {
    let report = run(Approval::Approve).await?;
    let expect = expected("approve");
    assert_eq!(report.outcome.status.as_str(), expect["status"]);
    assert_path(&report, &expect);
    assert_eq!(
        approval_task_events(&report.outcome.history),
        ["TaskScheduled", "TaskStarted", "TaskSucceeded"]
    );
    let output = report.outcome.output.clone().unwrap_or_default();
    assert_eq!(output["approval"]["approved"], true, "{output}");
    let order = report.order.ok_or("no order record")?;
    assert_eq!(order["status"], "COMPLETED");
    assert_eq!(order["approval"]["decision"], "approve");
    assert_eq!(
        order["approval"]["approver"],
        output["approval"]["approver"]
    );
    assert!(order.get("taskToken").is_none(), "token left on {order}");
    assert_eq!(report.inventory["SKU-TV"]["reserved"], 1);
    assert_eq!(report.payments.len(), 1);
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rejected_through_decide_approval_the_order_fails_unpaid()
-> Result<(), Box<dyn std::error::Error>> {
    let report = run(Approval::Reject).await?;
    let expect = expected("reject");
    assert_eq!(report.outcome.status.as_str(), expect["status"]);
    assert_eq!(report.outcome.error.as_deref(), expect["error"].as_str());
    assert_path(&report, &expect);
    assert_eq!(
        approval_task_events(&report.outcome.history),
        ["TaskScheduled", "TaskStarted", "TaskFailed"]
    );
    let order = report.order.ok_or("no order record")?;
    assert_eq!(order["status"], "FAILED");
    assert_eq!(order["approval"]["decision"], "reject");
    assert_eq!(order["failure"]["error"], "ApprovalRejected");
    assert_eq!(order["executionStatus"], "FAILED", "status event recorded");
    assert!(report.payments.is_empty(), "{:?}", report.payments);
    assert_eq!(report.inventory["SKU-TV"]["available"], 25);
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unanswered_the_approval_times_out_after_a_virtual_day()
-> Result<(), Box<dyn std::error::Error>> {
    let report = run(Approval::Timeout).await?;
    let expect = expected("timeout");
    assert_eq!(report.outcome.status.as_str(), expect["status"]);
    assert_eq!(report.outcome.error.as_deref(), expect["error"].as_str());
    assert_path(&report, &expect);
    assert_eq!(
        approval_task_events(&report.outcome.history),
        ["TaskScheduled", "TaskStarted", "TaskTimedOut"]
    );
    assert!(
        report.virtual_time.as_secs() >= 86_400,
        "{:?}",
        report.virtual_time
    );
    let order = report.order.ok_or("no order record")?;
    assert_eq!(order["status"], "FAILED");
    assert!(
        order
            .get("approval")
            .is_none_or(|a| a.get("decision").is_none()),
        "{order}"
    );
    assert_eq!(order["executionStatus"], "FAILED");
    Ok(())
}
