//! What a scenario must do (`events/orders/<name>.expect.json`) and the check of a run against it.

use super::matcher::{Mismatch, compare, join};
use serde::{Deserialize, Serialize};
use sfn_json::Value;
use std::collections::BTreeMap;

/// One `.expect.json` (or one branch of its `then`).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Expectation {
    #[serde(default)]
    pub description: Option<String>,
    /// The execution's status: SUCCEEDED, FAILED, or RUNNING while it waits for a person.
    pub status: String,
    /// The execution's error, when it failed.
    #[serde(default)]
    pub error: Option<String>,
    /// States that must be entered (in any order: Parallel branches and Map iterations interleave).
    #[serde(default)]
    pub states: Vec<String>,
    /// States that must not be entered.
    #[serde(default)]
    pub not_states: Vec<String>,
    /// States that may or may not be entered: the siblings of a failing Parallel branch are
    /// cancelled at a moment that depends on timing (as on AWS). Neither checked nor reported.
    #[serde(default)]
    pub maybe_states: Vec<String>,
    /// Exact number of retries per state (states not named are not checked).
    #[serde(default)]
    pub retries: BTreeMap<String, u64>,
    /// The state the execution waits in for a person; `then` says what each answer leads to.
    #[serde(default)]
    pub awaits: Option<String>,
    #[serde(default)]
    pub then: Option<Then>,
    /// The order record (`OrdersTable`) after the run, as a pattern (see `matcher`); the
    /// string `"<input>"` stands for the scenario's order (what validate-order stores).
    #[serde(default)]
    pub order: Option<Value>,
    /// Change of each SKU's counters from `events/inventory-seed.json`; SKUs not named keep
    /// their seeded counts.
    #[serde(default)]
    pub inventory: Option<BTreeMap<String, StockChange>>,
    /// Every item of `PaymentsTable` after the run (a fresh table per scenario), as a pattern.
    #[serde(default)]
    pub payments: Option<Value>,
    /// What on-execution-status recorded from the execution's status-change event.
    #[serde(default)]
    pub status_event: Option<Value>,
}

/// What each answer to an approval request leads to.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Then {
    pub approve: Option<Box<Expectation>>,
    pub reject: Option<Box<Expectation>>,
    pub timeout: Option<Box<Expectation>>,
}

/// How a SKU's counters move during a run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct StockChange {
    #[serde(default)]
    pub available: i64,
    #[serde(default)]
    pub reserved: i64,
}

/// A SKU's counters.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
pub struct Stock {
    pub available: i64,
    pub reserved: i64,
}

/// The answer a person gives at the approval step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Decision {
    Approve,
    Reject,
    /// Nobody answers: the task times out.
    Timeout,
}

impl Decision {
    pub const ALL: [Decision; 3] = [Decision::Approve, Decision::Reject, Decision::Timeout];

    pub fn word(self) -> &'static str {
        match self {
            Decision::Approve => "approve",
            Decision::Reject => "reject",
            Decision::Timeout => "timeout",
        }
    }
}

impl Expectation {
    /// The expectation for the run that answers `decision` (`then.<decision>`).
    pub fn after(&self, decision: Decision) -> Option<&Expectation> {
        let then = self.then.as_ref()?;
        match decision {
            Decision::Approve => then.approve.as_deref(),
            Decision::Reject => then.reject.as_deref(),
            Decision::Timeout => then.timeout.as_deref(),
        }
    }
}

/// What a run did, as far as a scenario can see: the execution and the tables afterwards.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Observed {
    pub status: String,
    pub error: Option<String>,
    pub cause: Option<String>,
    /// Every state entered, in the order the history has them.
    pub states: Vec<String>,
    /// Retries per state (states without a retry are left out).
    pub retries: BTreeMap<String, u64>,
    /// The order record, as plain JSON.
    pub order: Option<Value>,
    /// Every SKU of `InventoryTable`.
    pub inventory: BTreeMap<String, Stock>,
    /// Every item of `PaymentsTable`, ordered by `orderId`.
    pub payments: Vec<Value>,
    /// What on-execution-status recorded.
    pub status_event: Option<Value>,
}

/// Every way `observed` differs from `expected`; `input` is the order the run was given and
/// `seed` the inventory it started from.
pub fn check(
    expected: &Expectation,
    input: &Value,
    seed: &BTreeMap<String, Stock>,
    observed: &Observed,
) -> Vec<Mismatch> {
    let mut found = Vec::new();
    if observed.status != expected.status {
        found.push(Mismatch::new(
            "status",
            format!("expected {}, got {}", expected.status, observed.status),
        ));
    }
    if let Some(error) = &expected.error
        && observed.error.as_ref() != Some(error)
    {
        let got = observed.error.as_deref().unwrap_or("no error");
        found.push(Mismatch::new(
            "error",
            format!("expected {error}, got {got}"),
        ));
    }
    found.extend(check_states(expected, observed));
    for (state, want) in &expected.retries {
        let got = observed.retries.get(state).copied().unwrap_or(0);
        if got != *want {
            found.push(Mismatch::new(
                join("retries", state),
                format!("expected {want}, got {got}"),
            ));
        }
    }
    if let Some(order) = &expected.order {
        let order = with_input(order, input);
        found.extend(compare("order", &order, observed.order.as_ref()));
    }
    if let Some(changes) = &expected.inventory {
        found.extend(check_inventory(changes, seed, &observed.inventory));
    }
    if let Some(payments) = &expected.payments {
        let got = Value::Array(observed.payments.clone());
        found.extend(compare("payments", payments, Some(&got)));
    }
    if let Some(event) = &expected.status_event {
        found.extend(compare(
            "statusEvent",
            event,
            observed.status_event.as_ref(),
        ));
    }
    found
}

/// The pattern with every `"<input>"` replaced by the order itself.
fn with_input(pattern: &Value, input: &Value) -> Value {
    match pattern {
        Value::String(s) if s == "<input>" => input.clone(),
        Value::Array(items) => Value::Array(items.iter().map(|v| with_input(v, input)).collect()),
        Value::Object(fields) => Value::Object(
            fields
                .iter()
                .map(|(k, v)| (k.clone(), with_input(v, input)))
                .collect(),
        ),
        other => other.clone(),
    }
}

fn check_states(expected: &Expectation, observed: &Observed) -> Vec<Mismatch> {
    let entered = |state: &String| observed.states.contains(state);
    let path = || observed.states.join(" → ");
    let mut found = Vec::new();
    let missed: Vec<&String> = expected.states.iter().filter(|s| !entered(s)).collect();
    if !missed.is_empty() {
        found.push(Mismatch::new(
            "states",
            format!("never entered {missed:?}; path: {}", path()),
        ));
    }
    let taken: Vec<&String> = expected.not_states.iter().filter(|s| entered(s)).collect();
    if !taken.is_empty() {
        found.push(Mismatch::new(
            "notStates",
            format!("entered {taken:?}; path: {}", path()),
        ));
    }
    if let Some(state) = expected.awaits.as_ref().filter(|s| !entered(s)) {
        found.push(Mismatch::new(
            "awaits",
            format!("never entered {state}; path: {}", path()),
        ));
    }
    found
}

fn check_inventory(
    changes: &BTreeMap<String, StockChange>,
    seed: &BTreeMap<String, Stock>,
    observed: &BTreeMap<String, Stock>,
) -> Vec<Mismatch> {
    let mut found = Vec::new();
    for (sku, change) in changes {
        let path = join("inventory", sku);
        if !seed.contains_key(sku) {
            found.push(Mismatch::new(path, "not in the inventory seed"));
        } else if change.available + change.reserved != 0 {
            found.push(Mismatch::new(
                path,
                "the expectation moves stock in or out (available + reserved must not change)",
            ));
        }
    }
    for (sku, start) in seed {
        let change = changes.get(sku).copied().unwrap_or_default();
        let want = Stock {
            available: start.available + change.available,
            reserved: start.reserved + change.reserved,
        };
        let path = join("inventory", sku);
        match observed.get(sku) {
            None => found.push(Mismatch::new(
                path,
                "the SKU is missing from InventoryTable",
            )),
            Some(got) => {
                if got.available != want.available {
                    found.push(Mismatch::new(
                        join(&path, "available"),
                        format!("expected {}, got {}", want.available, got.available),
                    ));
                }
                if got.reserved != want.reserved {
                    found.push(Mismatch::new(
                        join(&path, "reserved"),
                        format!("expected {}, got {}", want.reserved, got.reserved),
                    ));
                }
            }
        }
    }
    for sku in observed.keys().filter(|sku| !seed.contains_key(*sku)) {
        found.push(Mismatch::new(
            join("inventory", sku),
            "in InventoryTable but not in the seed",
        ));
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use sfn_json::json;

    fn expectation(value: Value) -> Expectation {
        sfn_json::from_value(value).unwrap_or_else(|e| panic!("bad test expectation: {e}"))
    }

    fn seed() -> BTreeMap<String, Stock> {
        [
            (
                "SKU-A".to_string(),
                Stock {
                    available: 10,
                    reserved: 0,
                },
            ),
            (
                "SKU-B".to_string(),
                Stock {
                    available: 5,
                    reserved: 1,
                },
            ),
        ]
        .into()
    }

    fn completed() -> Observed {
        Observed {
            status: "SUCCEEDED".into(),
            states: vec![
                "ValidateOrder".into(),
                "ChargePayment".into(),
                "OrderCompleted".into(),
            ],
            retries: [("ChargePayment".to_string(), 2)].into(),
            order: Some(json!({"orderId": "ord-1", "status": "COMPLETED", "loyaltyPoints": 5})),
            inventory: [
                (
                    "SKU-A".to_string(),
                    Stock {
                        available: 8,
                        reserved: 2,
                    },
                ),
                (
                    "SKU-B".to_string(),
                    Stock {
                        available: 5,
                        reserved: 1,
                    },
                ),
            ]
            .into(),
            payments: vec![json!({"orderId": "ord-1", "status": "CHARGED", "amountCents": 500})],
            status_event: Some(json!({"executionStatus": "SUCCEEDED"})),
            ..Observed::default()
        }
    }

    fn full_expectation() -> Value {
        json!({
            "status": "SUCCEEDED",
            "states": ["ValidateOrder", "OrderCompleted"],
            "notStates": ["RecordFailure"],
            "retries": {"ChargePayment": 2},
            "order": {"status": "COMPLETED", "failure": "<absent>", "loyaltyPoints": 5},
            "inventory": {"SKU-A": {"available": -2, "reserved": 2}},
            "payments": [{"status": "CHARGED", "amountCents": 500}],
            "statusEvent": {"executionStatus": "SUCCEEDED"}
        })
    }

    fn messages(expected: Value, observed: &Observed) -> Vec<String> {
        check(&expectation(expected), &json!({}), &seed(), observed)
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    #[test]
    fn a_run_that_does_what_was_expected_has_no_mismatch() {
        assert_eq!(
            messages(full_expectation(), &completed()),
            Vec::<String>::new()
        );
    }

    #[test]
    fn every_difference_is_reported_with_its_path() {
        let mut run = completed();
        run.status = "FAILED".into();
        run.error = Some("PaymentDeclined".into());
        run.states.push("RecordFailure".into());
        run.retries.clear();
        run.order = Some(json!({"status": "FAILED", "failure": {"error": "PaymentDeclined"}}));
        run.inventory.insert(
            "SKU-A".into(),
            Stock {
                available: 10,
                reserved: 0,
            },
        );
        run.payments.clear();
        run.status_event = None;
        let found = messages(full_expectation(), &run);
        assert_eq!(
            found,
            [
                "status: expected SUCCEEDED, got FAILED",
                "notStates: entered [\"RecordFailure\"]; path: ValidateOrder → ChargePayment → OrderCompleted → RecordFailure",
                "retries.ChargePayment: expected 2, got 0",
                "order.status: expected COMPLETED, got FAILED",
                "order.failure: expected absent, got {\"error\":\"PaymentDeclined\"}",
                "order.loyaltyPoints: expected 5, got nothing",
                "inventory.SKU-A.available: expected 8, got 10",
                "inventory.SKU-A.reserved: expected 2, got 0",
                "payments: expected 1 entries, got 0: []",
                "statusEvent: expected {\"executionStatus\":\"SUCCEEDED\"}, got nothing",
            ]
        );
    }

    #[test]
    fn missing_states_error_and_awaits_are_reported() {
        let found = messages(
            json!({"status": "SUCCEEDED", "error": "X", "states": ["Nowhere"], "awaits": "RequestApproval"}),
            &completed(),
        );
        assert_eq!(found.len(), 3, "{found:?}");
        assert_eq!(found[0], "error: expected X, got no error");
        assert!(found[1].starts_with("states: never entered [\"Nowhere\"]"));
        assert!(found[2].starts_with("awaits: never entered RequestApproval"));
    }

    #[test]
    fn inventory_checks_unnamed_skus_unknown_skus_and_conservation() {
        let mut run = completed();
        run.inventory.insert(
            "SKU-B".into(),
            Stock {
                available: 4,
                reserved: 1,
            },
        );
        run.inventory.insert("SKU-NEW".into(), Stock::default());
        let found = messages(
            json!({"status": "SUCCEEDED", "inventory": {
                "SKU-A": {"available": -2, "reserved": 2},
                "SKU-C": {"available": -1},
            }}),
            &run,
        );
        assert_eq!(
            found,
            [
                "inventory.SKU-C: not in the inventory seed",
                "inventory.SKU-B.available: expected 5, got 4",
                "inventory.SKU-NEW: in InventoryTable but not in the seed",
            ]
        );
        let unbalanced = messages(
            json!({"status": "SUCCEEDED", "inventory": {"SKU-A": {"available": -2, "reserved": 3}}}),
            &completed(),
        );
        assert_eq!(
            unbalanced,
            [
                "inventory.SKU-A: the expectation moves stock in or out (available + reserved must not change)",
                "inventory.SKU-A.reserved: expected 3, got 2",
            ]
        );
    }

    #[test]
    fn input_stands_for_the_order_given() {
        let input = json!({"orderId": "ord-1", "items": [{"sku": "SKU-A"}]});
        let expected = expectation(json!({"status": "SUCCEEDED", "order": {"order": "<input>"}}));
        let mut run = completed();
        run.order = Some(json!({"order": input.clone()}));
        assert!(check(&expected, &input, &seed(), &run).is_empty());
        run.order = Some(json!({"order": {"orderId": "ord-1", "items": []}}));
        let found = check(&expected, &input, &seed(), &run);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].path, "order.order.items");
    }

    #[test]
    fn unknown_keys_in_an_expectation_are_refused() {
        let typo =
            sfn_json::from_value::<Expectation>(json!({"status": "SUCCEEDED", "notstates": []}));
        assert!(typo.is_err());
    }

    #[test]
    fn then_holds_one_expectation_per_answer() {
        let parent = expectation(json!({
            "status": "RUNNING", "awaits": "RequestApproval",
            "then": {"approve": {"status": "SUCCEEDED"}, "timeout": {"status": "FAILED"}}
        }));
        let status = |d| parent.after(d).map(|e| e.status.clone());
        assert_eq!(status(Decision::Approve).as_deref(), Some("SUCCEEDED"));
        assert_eq!(status(Decision::Reject), None);
        assert_eq!(status(Decision::Timeout).as_deref(), Some("FAILED"));
    }
}
