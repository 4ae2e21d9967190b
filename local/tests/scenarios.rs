//! Every sample order of events/orders/ end to end with the real handlers (in-process) against
//! the real local DynamoDB-compatible server (moto_server), each on fresh tables, checked
//! against its .expect.json: status, error, path, retries, the order record, inventory counts,
//! payment records and what on-execution-status recorded. The approval scenario runs three
//! times (approve, reject, timeout). The last tests show the checker fails when it should.

use order_local::env::{default_template, repo_root};
use order_local::scenario::suite::load;
use order_local::scenario::{
    Case, CaseResult, Decision, Functions, Runner, Scenario, StockChange, load_dir,
};
use sfn_json::json;
use std::path::PathBuf;

/// The scenarios this file runs; a new events/orders/*.json must be added here (and below).
const TESTED: [&str; 10] = [
    "express",
    "invalid",
    "needs-approval",
    "notification-bounce",
    "out-of-stock",
    "payment-declined",
    "payment-gateway-flaky",
    "payment-unavailable",
    "shipment-failure",
    "standard",
];

fn orders() -> PathBuf {
    repo_root().join("events").join("orders")
}

fn scenario(name: &str) -> Scenario {
    load(&orders().join(format!("{name}.json"))).unwrap_or_else(|e| panic!("{e}"))
}

fn runner() -> Runner {
    let seed = repo_root().join("events").join("inventory-seed.json");
    Runner::new(&default_template(), &seed, Functions::InProcess).unwrap_or_else(|e| panic!("{e}"))
}

async fn run(scenario: &Scenario, decision: Option<Decision>) -> CaseResult {
    runner().run(&Case { scenario, decision }).await
}

/// Runs the scenario (answering `decision` at the approval step) and fails with every mismatch.
async fn passes(name: &str, decision: Option<Decision>) {
    let result = run(&scenario(name), decision).await;
    let mismatches: Vec<String> = result.mismatches.iter().map(ToString::to_string).collect();
    assert!(
        mismatches.is_empty(),
        "{}:\n  {}",
        result.name,
        mismatches.join("\n  ")
    );
    assert!(result.observed.is_some(), "{} did not run", result.name);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn standard() {
    passes("standard", None).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn express() {
    passes("express", None).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invalid() {
    passes("invalid", None).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn needs_approval_approved() {
    passes("needs-approval", Some(Decision::Approve)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn needs_approval_rejected() {
    passes("needs-approval", Some(Decision::Reject)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn needs_approval_timed_out() {
    passes("needs-approval", Some(Decision::Timeout)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn notification_bounce() {
    passes("notification-bounce", None).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn out_of_stock() {
    passes("out-of-stock", None).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn payment_declined() {
    passes("payment-declined", None).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn payment_gateway_flaky() {
    passes("payment-gateway-flaky", None).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn payment_unavailable() {
    passes("payment-unavailable", None).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shipment_failure() {
    passes("shipment-failure", None).await;
}

#[test]
fn every_scenario_file_is_tested_here() {
    let found: Vec<String> = load_dir(&orders())
        .unwrap_or_else(|e| panic!("{e}"))
        .into_iter()
        .map(|s| s.name)
        .collect();
    assert_eq!(
        found, TESTED,
        "add the new scenario to TESTED and give it a test"
    );
}

/// The checker fails when the world is not what the expectation says: a standard order run
/// against an expectation that wants it failed, refunded, with other stock counts.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_expectation_is_reported_with_every_mismatch() {
    let mut wrong = scenario("standard");
    let expectation = &mut wrong.expectation;
    expectation.status = "FAILED".into();
    expectation.not_states.push("ChargePayment".into());
    expectation.retries.insert("ChargePayment".into(), 1);
    expectation.order = Some(json!({"status": "FAILED", "loyaltyPoints": "<absent>"}));
    if let Some(inventory) = expectation.inventory.as_mut() {
        inventory.insert(
            "SKU-PEAR".into(),
            StockChange {
                available: 0,
                reserved: 0,
            },
        );
    }
    expectation.payments = Some(json!([{"status": "REFUNDED"}]));
    expectation.status_event = Some(json!({"executionStatus": "FAILED"}));

    let result = run(&wrong, None).await;
    let found: Vec<String> = result.mismatches.iter().map(ToString::to_string).collect();
    let expected_prefixes = [
        "status: expected FAILED, got SUCCEEDED",
        "notStates: entered [\"ChargePayment\"]",
        "retries.ChargePayment: expected 1, got 0",
        "order.status: expected FAILED, got COMPLETED",
        "order.loyaltyPoints: expected absent, got 5",
        "inventory.SKU-PEAR.available: expected 1000, got 999",
        "inventory.SKU-PEAR.reserved: expected 0, got 1",
        "payments[0].status: expected REFUNDED, got CHARGED",
        "statusEvent.executionStatus: expected FAILED, got SUCCEEDED",
    ];
    assert_eq!(found.len(), expected_prefixes.len(), "{found:#?}");
    for (got, want) in found.iter().zip(expected_prefixes) {
        assert!(got.starts_with(want), "got {got:?}, wanted {want:?}");
    }
}

/// An approval scenario that names a state which the run never waits in is reported.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_approval_path_is_reported() {
    let mut wrong = scenario("needs-approval");
    wrong.expectation.awaits = Some("SomewhereElse".into());
    let result = run(&wrong, Some(Decision::Reject)).await;
    assert!(
        result
            .mismatches
            .iter()
            .any(|m| m.path == "awaits" && m.message.contains("SomewhereElse")),
        "{:?}",
        result.mismatches
    );
}
