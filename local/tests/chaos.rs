//! Fault injection over the real workflow: a thousand randomized orders under injected
//! Lambda faults leave DynamoDB consistent, and the checker does catch a broken table.

use order_local::LocalEnv;
use order_local::chaos::{
    self, ChaosArgs, Execution, Invariant, SerialMoto, Violation, chaos_env, check, scan_tables,
};
use shared::db::{n, s};

const SEED: u64 = 20_261_124;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_orders_under_faults_keep_every_invariant() {
    let args = ChaosArgs {
        concurrency: 2,
        ..ChaosArgs::new(SEED, 1_000)
    };
    let report = chaos::run(&args).await.expect("the chaos run starts");
    println!("{}", report.render());
    assert!(
        report.errors.is_empty(),
        "runs that failed: {:?}",
        report.errors
    );
    assert!(report.violations.is_empty(), "{}", report.render());
    assert_eq!(report.orders, 1_000);
    let executions: usize = report.outcomes.values().sum();
    assert_eq!(executions, 1_000);
    let s = report.stats;
    assert!(s.service_errors_before > 0, "{s:?}");
    assert!(s.service_errors_after > 0, "{s:?}");
    assert!(s.timeouts > 0, "{s:?}");
    assert!(s.duplicates > 0, "{s:?}");
    // Both ends were reached under faults: completed orders and compensated ones.
    assert!(
        report.outcomes.get("SUCCEEDED").is_some_and(|n| *n > 100),
        "{:?}",
        report.outcomes
    );
    assert!(
        report.outcomes.keys().any(|k| k.starts_with("FAILED")),
        "{:?}",
        report.outcomes
    );
}

/// A few orders run without faults (clean), the seeded stock and how each execution ended.
async fn clean_run() -> (
    LocalEnv,
    Option<SerialMoto>,
    Vec<(String, u64)>,
    Vec<Execution>,
) {
    let stock = chaos::inventory(SEED, 1, chaos::SKUS_PER_GROUP);
    let (env, moto) = chaos_env(&stock).await.expect("tables");
    let orders = chaos::generate(SEED, 40, 1, chaos::SKUS_PER_GROUP);
    let args = ChaosArgs {
        transient: 0.0,
        timeout: 0.0,
        duplicate: 0.0,
        ..ChaosArgs::new(SEED, 40)
    };
    let ran = chaos::run_orders(&env, &args, &orders)
        .await
        .expect("the orders run");
    let before = check(
        &scan_tables(&env).await.expect("scan"),
        &stock,
        &ran.executions,
    );
    assert_eq!(before, Vec::new(), "clean before the damage");
    (env, moto, stock, ran.executions)
}

async fn violations(
    env: &LocalEnv,
    stock: &[(String, u64)],
    executions: &[Execution],
) -> Vec<Violation> {
    check(&scan_tables(env).await.expect("scan"), stock, executions)
}

fn first_with(executions: &[Execution], status: &str) -> String {
    executions
        .iter()
        .find(|e| e.status == status)
        .map(|e| e.order_id.clone())
        .expect("an order ended so")
}

fn broken(violations: &[Violation], invariant: Invariant, subject: &str) -> bool {
    violations
        .iter()
        .any(|v| v.invariant == invariant && v.subject == subject)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_charge_for_an_order_is_reported() {
    let (env, _moto, stock, executions) = clean_run().await;
    let deps = &env.deps;
    let order = first_with(&executions, "SUCCEEDED");
    // A second gateway charge replaced the first: the order still names the first one.
    deps.dynamodb
        .update_item()
        .table_name(&deps.tables.payments)
        .key("orderId", s(&order))
        .update_expression("SET chargeId = :second, amountCents = amountCents + :one")
        .expression_attribute_values(":second", s("ch_second"))
        .expression_attribute_values(":one", n(1))
        .send()
        .await
        .expect("plant a second charge");
    let found = violations(&env, &stock, &executions).await;
    assert!(
        broken(&found, Invariant::OneChargePerOrder, &order),
        "{found:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_charge_kept_by_a_failed_order_is_reported() {
    let (env, _moto, stock, executions) = clean_run().await;
    let deps = &env.deps;
    let order = first_with(&executions, "FAILED");
    deps.dynamodb
        .put_item()
        .table_name(&deps.tables.payments)
        .item("orderId", s(&order))
        .item("status", s("CHARGED"))
        .item("chargeId", s("ch_stray"))
        .item("amountCents", n(100))
        .send()
        .await
        .expect("plant a charge");
    let found = violations(&env, &stock, &executions).await;
    assert!(
        broken(&found, Invariant::ChargeMatchesOutcome, &order),
        "{found:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stray_reservation_and_lost_stock_are_reported() {
    let (env, _moto, stock, executions) = clean_run().await;
    let deps = &env.deps;
    let (reserved_sku, lost_sku) = (&stock[3].0, &stock[5].0);
    // Stock moved to reserved without any order holding it.
    deps.dynamodb
        .update_item()
        .table_name(&deps.tables.inventory)
        .key("sku", s(reserved_sku))
        .update_expression("SET available = available - :q, reserved = reserved + :q")
        .expression_attribute_values(":q", n(2))
        .send()
        .await
        .expect("plant a reservation");
    deps.dynamodb
        .update_item()
        .table_name(&deps.tables.inventory)
        .key("sku", s(lost_sku))
        .update_expression("SET available = available + :q")
        .expression_attribute_values(":q", n(1))
        .send()
        .await
        .expect("make a unit out of nothing");
    let found = violations(&env, &stock, &executions).await;
    assert!(
        broken(&found, Invariant::ReservationsMatchOrders, reserved_sku),
        "{found:?}"
    );
    assert!(
        !broken(&found, Invariant::InventoryConserved, reserved_sku),
        "{found:?}"
    );
    assert!(
        broken(&found, Invariant::InventoryConserved, lost_sku),
        "{found:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_order_that_disagrees_with_its_execution_is_reported() {
    let (env, _moto, stock, executions) = clean_run().await;
    let deps = &env.deps;
    let order = first_with(&executions, "SUCCEEDED");
    deps.dynamodb
        .update_item()
        .table_name(&deps.tables.orders)
        .key("orderId", s(&order))
        .update_expression("SET #status = :paid")
        .expression_attribute_names("#status", "status")
        .expression_attribute_values(":paid", s("PAID"))
        .send()
        .await
        .expect("rewind an order");
    let found = violations(&env, &stock, &executions).await;
    assert!(
        broken(&found, Invariant::TerminalStateMatchesExecution, &order),
        "{found:?}"
    );
    // Its charge now stands without a COMPLETED order, too.
    assert!(
        broken(&found, Invariant::ChargeMatchesOutcome, &order),
        "{found:?}"
    );
}
