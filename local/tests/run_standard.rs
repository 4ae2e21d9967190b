//! The standard order end to end with the real handlers in-process, against moto_server.

use order_local::env::{LocalEnv, default_template};
use order_local::workflow::{RunOptions, load_machine, run_order};
use sfn_json::Value;

fn read(path: &str) -> Value {
    let full = order_local::env::repo_root().join(path);
    let text = std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("{}: {e}", full.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", full.display()))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_standard_order_completes_on_the_expected_path()
-> Result<(), Box<dyn std::error::Error>> {
    let env = LocalEnv::start().await?;
    let machine = load_machine(&default_template())?;
    let order = read("events/orders/standard.json");
    let expect = read("events/orders/standard.expect.json");
    let options = RunOptions {
        quiet: true,
        ..RunOptions::default()
    };
    let report = run_order(&env, machine, order, options).await?;

    assert_eq!(
        report.outcome.status.as_str(),
        "SUCCEEDED",
        "{:?}",
        report.outcome.describe()
    );
    let expected: Vec<&str> = expect["states"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    let mut path = report.states.iter().map(String::as_str);
    for state in &expected {
        assert!(
            path.any(|s| s == *state),
            "{state} missing or out of order in {:?}",
            report.states
        );
    }
    let order = report.order.ok_or("no order record")?;
    assert_eq!(order["status"], "COMPLETED");
    assert_eq!(
        order["executionStatus"], "SUCCEEDED",
        "status event recorded: {order}"
    );
    assert_eq!(report.payments.len(), 1);
    assert_eq!(report.payments[0]["status"], "CHARGED");
    assert_eq!(report.payments[0]["amountCents"], 500);
    // 2 apples and 1 pear moved from available to reserved.
    assert_eq!(report.inventory["SKU-APPLE"]["available"], 998);
    assert_eq!(report.inventory["SKU-APPLE"]["reserved"], 2);
    assert_eq!(report.inventory["SKU-PEAR"]["available"], 999);
    // The dispatch wait (3600 s) passed on the virtual clock.
    assert!(
        report.virtual_time.as_secs() >= 3600,
        "{:?}",
        report.virtual_time
    );
    assert_eq!(
        report
            .status_event
            .as_ref()
            .and_then(|e| e.get("executionStatus")),
        Some(&Value::from("SUCCEEDED"))
    );
    Ok(())
}
