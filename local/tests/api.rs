//! aws-sdk-sfn works against the in-process `sfn-local serve` unchanged: submit-order's real
//! `SfnExecutions` starts the execution (POST /orders → StartExecution), named after the order.

use order_local::env::{LocalEnv, default_template, repo_root};
use order_local::workflow::{RunOptions, load_machine, run_order};
use sfn_json::Value;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn submit_order_starts_the_execution_through_aws_sdk_sfn()
-> Result<(), Box<dyn std::error::Error>> {
    let env = LocalEnv::start().await?;
    let machine = load_machine(&default_template())?;
    let text = std::fs::read_to_string(repo_root().join("events/orders/express.json"))?;
    let order: Value = serde_json::from_str(&text)?;
    let options = RunOptions {
        quiet: true,
        via_submit_order: true,
        ..RunOptions::default()
    };
    let report = run_order(&env, machine, order, options).await?;
    assert_eq!(
        report.outcome.status.as_str(),
        "SUCCEEDED",
        "{}",
        report.outcome.describe()
    );
    assert!(
        report
            .execution_arn
            .ends_with(":execution:OrderFulfillmentStateMachine:ord-3002"),
        "{}",
        report.execution_arn
    );
    let started = report.outcome.history.first().map(|e| e.kind.as_str());
    assert_eq!(started, Some("ExecutionStarted"));
    let order = report.order.ok_or("no order record")?;
    // submit-order stored it (RECEIVED first) with the ARN StartExecution answered.
    assert_eq!(order["executionArn"], report.execution_arn.as_str());
    let first = order["history"][0]["status"].as_str();
    assert_eq!(first, Some("RECEIVED"), "{order}");
    assert_eq!(order["status"], "COMPLETED");
    // Express: a 600 s dispatch wait on the virtual clock.
    assert!(
        report.virtual_time.as_secs() >= 600,
        "{:?}",
        report.virtual_time
    );
    assert!(
        report.virtual_time.as_secs() < 3600,
        "{:?}",
        report.virtual_time
    );
    Ok(())
}
