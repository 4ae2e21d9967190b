//! The normalized record of a run (`order-local scenarios --report FILE`): what the run did and
//! left in the tables, with everything that differs between two correct runs taken out —
//! generated ids, timestamps, ARNs and task tokens replaced by placeholders, object keys sorted,
//! history entries sorted, and the fields an expectation leaves open (`<any>`) masked — so the
//! reports of two runs (in-process and `cargo lambda watch`) can be compared byte for byte.

use super::expectation::{Expectation, Observed};
use super::matcher::TIMESTAMP;
use regex::Regex;
use sfn_json::{Map, Value, json};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::LazyLock;

/// Generated values inside strings, and what each becomes.
static GENERATED: LazyLock<Vec<(Regex, &'static str)>> = LazyLock::new(|| {
    [
        (r"ch_[0-9a-f]{32}", "<chargeId>"),
        (r"arn:aws[a-z-]*:states:[A-Za-z0-9:_.\-]*", "<arn>"),
        (
            r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}",
            "<uuid>",
        ),
    ]
    .into_iter()
    .filter_map(|(re, placeholder)| Regex::new(re).ok().map(|re| (re, placeholder)))
    .collect()
});

static WHOLE_TIMESTAMP: LazyLock<Option<Regex>> = LazyLock::new(|| Regex::new(TIMESTAMP).ok());

/// Attributes whose whole value is generated.
const OPAQUE_KEYS: [&str; 1] = ["taskToken"];

/// One run, normalized. `top_level` names the machine's top-level states: their order is the
/// path (deterministic); states inside Parallel branches and Map iterations interleave, so
/// they are only counted.
pub fn normalized(
    case: &str,
    observed: &Observed,
    expected: &Expectation,
    top_level: &BTreeSet<String>,
) -> Value {
    let path: Vec<&String> = observed
        .states
        .iter()
        .filter(|s| top_level.contains(*s))
        .collect();
    let mut entered: BTreeMap<&String, u64> = BTreeMap::new();
    for state in observed
        .states
        .iter()
        .filter(|s| !expected.maybe_states.contains(s))
    {
        *entered.entry(state).or_default() += 1;
    }
    let mut order = observed.order.clone().map(normalize_order);
    let mut payments = Value::Array(observed.payments.clone());
    let mut status_event = observed.status_event.clone();
    if let (Some(value), Some(pattern)) = (order.as_mut(), expected.order.as_ref()) {
        mask(value, pattern);
    }
    if let Some(pattern) = &expected.payments {
        mask(&mut payments, pattern);
    }
    if let (Some(value), Some(pattern)) = (status_event.as_mut(), expected.status_event.as_ref()) {
        mask(value, pattern);
    }
    let run = json!({
        "scenario": case,
        "status": observed.status,
        "error": observed.error,
        "cause": observed.cause,
        "path": path,
        "statesEntered": entered,
        "retries": observed.retries,
        "order": order,
        "inventory": observed.inventory,
        "payments": payments,
        "statusEvent": status_event,
    });
    sorted(scrub(run))
}

/// The order record without what only says when things happened: history entries keep their
/// status and detail, sorted (concurrent branches append in either order).
fn normalize_order(mut order: Value) -> Value {
    if let Some(Value::Array(history)) = order.get_mut("history") {
        let mut entries: Vec<Value> = history
            .iter()
            .map(|entry| json!({"status": entry.get("status"), "detail": entry.get("detail")}))
            .collect();
        entries.sort_by_key(|e| e.to_string());
        *history = entries;
    }
    order
}

/// Replaces what the expectation leaves open (`<any>`) with `"<any>"`, present or not.
fn mask(value: &mut Value, pattern: &Value) {
    match (value, pattern) {
        (Value::Object(fields), Value::Object(patterns)) => {
            for (key, pattern) in patterns {
                if pattern.as_str() == Some("<any>") {
                    fields.insert(key.clone(), Value::String("<any>".into()));
                } else if let Some(field) = fields.get_mut(key) {
                    mask(field, pattern);
                }
            }
        }
        (Value::Array(items), Value::Array(patterns)) => {
            for (item, pattern) in items.iter_mut().zip(patterns) {
                mask(item, pattern);
            }
        }
        (value, pattern) if pattern.as_str() == Some("<any>") => {
            *value = Value::String("<any>".into());
        }
        _ => {}
    }
}

/// Placeholders for timestamps, generated ids, ARNs and tokens, anywhere in the value.
pub fn scrub(value: Value) -> Value {
    match value {
        Value::String(text) => Value::String(scrub_text(&text)),
        Value::Array(items) => Value::Array(items.into_iter().map(scrub).collect()),
        Value::Object(fields) => Value::Object(
            fields
                .into_iter()
                .map(|(key, value)| {
                    let value = if OPAQUE_KEYS.contains(&key.as_str()) && value.is_string() {
                        Value::String(format!("<{key}>"))
                    } else {
                        scrub(value)
                    };
                    (key, value)
                })
                .collect(),
        ),
        other => other,
    }
}

fn scrub_text(text: &str) -> String {
    if WHOLE_TIMESTAMP.as_ref().is_some_and(|re| re.is_match(text)) {
        return "<timestamp>".into();
    }
    GENERATED
        .iter()
        .fold(text.to_string(), |text, (re, placeholder)| {
            re.replace_all(&text, *placeholder).into_owned()
        })
}

/// The value with every object's keys in sorted order (DynamoDB items come as hash maps).
pub fn sorted(value: Value) -> Value {
    match value {
        Value::Array(items) => Value::Array(items.into_iter().map(sorted).collect()),
        Value::Object(fields) => {
            let ordered: BTreeMap<String, Value> = fields
                .into_iter()
                .map(|(k, v)| (k.to_string(), sorted(v)))
                .collect();
            Value::Object(ordered.into_iter().collect::<Map>())
        }
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::expectation::Stock;

    fn expectation(value: Value) -> Expectation {
        sfn_json::from_value(value).unwrap_or_else(|e| panic!("bad test expectation: {e}"))
    }

    fn run(charge_id: &str, at: &str, points: Option<u64>) -> Observed {
        let mut order = json!({
            "status": "FAILED",
            "updatedAt": at,
            "executionArn": format!("arn:aws:states:us-east-1:123456789012:execution:OrderFulfillment:ord-1"),
            "taskToken": format!("token-{charge_id}"),
            "payment": {"chargeId": charge_id},
            "history": [
                {"at": at, "status": "B", "detail": "second"},
                {"at": at, "status": "A", "detail": "first"},
            ],
        });
        if let (Some(points), Some(fields)) = (points, order.as_object_mut()) {
            fields.insert("loyaltyPoints", json!(points));
        }
        Observed {
            status: "FAILED".into(),
            error: Some("ShipmentFailed".into()),
            states: vec![
                "FulfilOrder".into(),
                "CreateShipment".into(),
                "AwardLoyaltyPoints".into(),
                "RecordFailure".into(),
            ],
            order: Some(order),
            inventory: [(
                "SKU-A".to_string(),
                Stock {
                    available: 1,
                    reserved: 0,
                },
            )]
            .into(),
            payments: vec![json!({"chargeId": charge_id, "chargedAt": at})],
            ..Observed::default()
        }
    }

    fn top_level() -> BTreeSet<String> {
        ["FulfilOrder", "RecordFailure"]
            .into_iter()
            .map(String::from)
            .collect()
    }

    #[test]
    fn two_runs_that_differ_only_in_generated_values_normalize_the_same() {
        let expect = expectation(json!({"status": "FAILED", "order": {"loyaltyPoints": "<any>"}}));
        let a = normalized(
            "x",
            &run(
                "ch_0123456789abcdef0123456789abcdef",
                "2026-11-24T08:00:00Z",
                Some(4),
            ),
            &expect,
            &top_level(),
        );
        let b = normalized(
            "x",
            &run(
                "ch_fedcba9876543210fedcba9876543210",
                "2026-11-24T09:30:01.5+00:00",
                None,
            ),
            &expect,
            &top_level(),
        );
        assert_eq!(a, b);
        assert_eq!(a["order"]["payment"]["chargeId"], "<chargeId>");
        assert_eq!(a["order"]["executionArn"], "<arn>");
        assert_eq!(a["order"]["taskToken"], "<taskToken>");
        assert_eq!(a["order"]["loyaltyPoints"], "<any>");
        assert_eq!(a["payments"][0]["chargedAt"], "<timestamp>");
        assert_eq!(a["path"], json!(["FulfilOrder", "RecordFailure"]));
        assert_eq!(a["statesEntered"]["CreateShipment"], 1);
        assert_eq!(
            a["order"]["history"],
            json!([{"detail": "first", "status": "A"}, {"detail": "second", "status": "B"}])
        );
    }

    #[test]
    fn states_that_may_or_may_not_run_are_left_out() {
        let expect =
            expectation(json!({"status": "FAILED", "maybeStates": ["AwardLoyaltyPoints"]}));
        let observed = run(
            "ch_0123456789abcdef0123456789abcdef",
            "2026-11-24T08:00:00Z",
            None,
        );
        let mut cancelled_early = observed.clone();
        cancelled_early.states.retain(|s| s != "AwardLoyaltyPoints");
        let a = normalized("x", &observed, &expect, &top_level());
        let b = normalized("x", &cancelled_early, &expect, &top_level());
        assert_eq!(a, b);
        assert_eq!(a["statesEntered"].get("AwardLoyaltyPoints"), None);
    }

    #[test]
    fn what_the_expectation_pins_down_still_differs() {
        let expect = expectation(json!({"status": "FAILED"}));
        let a = normalized(
            "x",
            &run(
                "ch_0123456789abcdef0123456789abcdef",
                "2026-11-24T08:00:00Z",
                Some(4),
            ),
            &expect,
            &top_level(),
        );
        let b = normalized(
            "x",
            &run(
                "ch_0123456789abcdef0123456789abcdef",
                "2026-11-24T08:00:00Z",
                None,
            ),
            &expect,
            &top_level(),
        );
        assert_ne!(a, b);
    }

    #[test]
    fn keys_come_out_sorted() {
        let value = sorted(json!({"b": 1, "a": {"d": 2, "c": 3}}));
        assert_eq!(value.to_string(), r#"{"a":{"c":3,"d":2},"b":1}"#);
    }
}
