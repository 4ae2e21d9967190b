//! DynamoDB access for the three tables of the contract.

pub mod inventory;
pub mod orders;
pub mod payments;
pub mod schema;

use aws_sdk_dynamodb::types::AttributeValue;
use std::collections::HashMap;

pub type Item = HashMap<String, AttributeValue>;

/// One item by its key, with a consistent read (what every read-before-write here needs).
pub async fn get_item(
    deps: &crate::config::Deps,
    table: &str,
    key_name: &str,
    key: &str,
) -> Result<Option<Item>, crate::error::StoreError> {
    let output = deps
        .dynamodb
        .get_item()
        .table_name(table)
        .key(key_name, s(key))
        .consistent_read(true)
        .send()
        .await
        .map_err(|e| crate::error::StoreError::from_sdk("GetItem", e))?;
    Ok(output.item)
}

pub fn s(value: impl Into<String>) -> AttributeValue {
    AttributeValue::S(value.into())
}

pub fn n(value: u64) -> AttributeValue {
    AttributeValue::N(value.to_string())
}

pub fn map<const N: usize>(entries: [(&str, AttributeValue); N]) -> AttributeValue {
    AttributeValue::M(
        entries
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect(),
    )
}

pub fn get_s<'a>(item: &'a Item, key: &str) -> Option<&'a str> {
    item.get(key)?.as_s().ok().map(String::as_str)
}

pub fn get_n(item: &Item, key: &str) -> Option<u64> {
    item.get(key)?.as_n().ok()?.parse().ok()
}

pub fn get_m<'a>(item: &'a Item, key: &str) -> Option<&'a Item> {
    item.get(key)?.as_m().ok()
}

/// `item` with every set (SS, NS, BS) sorted, at any depth. DynamoDB sets have no order and
/// servers return them in whatever order they hold them, so a dump that should compare equal
/// across runs (scenario results, snapshots) needs one canonical order.
pub fn with_sorted_sets(item: Item) -> Item {
    item.into_iter()
        .map(|(name, value)| (name, sort_sets(value)))
        .collect()
}

fn sort_sets(value: AttributeValue) -> AttributeValue {
    match value {
        AttributeValue::Ss(mut strings) => {
            strings.sort();
            AttributeValue::Ss(strings)
        }
        AttributeValue::Ns(mut numbers) => {
            // Numeric order where both parse, text order otherwise: stable either way.
            numbers.sort_by(|a, b| match (a.parse::<f64>(), b.parse::<f64>()) {
                (Ok(x), Ok(y)) => x.total_cmp(&y).then_with(|| a.cmp(b)),
                _ => a.cmp(b),
            });
            AttributeValue::Ns(numbers)
        }
        AttributeValue::Bs(mut blobs) => {
            blobs.sort_by(|a, b| a.as_ref().cmp(b.as_ref()));
            AttributeValue::Bs(blobs)
        }
        AttributeValue::M(map) => AttributeValue::M(with_sorted_sets(map)),
        AttributeValue::L(list) => AttributeValue::L(list.into_iter().map(sort_sets).collect()),
        other => other,
    }
}

/// The current time, RFC 3339 in UTC.
pub fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// A one-element list holding a history entry, for `list_append`.
pub fn history_entry(status: &str, detail: &str) -> AttributeValue {
    AttributeValue::L(vec![map([
        ("at", s(now())),
        ("status", s(status)),
        ("detail", s(detail)),
    ])])
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_dynamodb::primitives::Blob;

    #[test]
    fn sets_are_sorted_at_every_depth_and_other_values_kept() {
        let item: Item = [
            (
                "released".to_owned(),
                AttributeValue::Ss(vec!["SKU-OUT".into(), "SKU-APPLE".into()]),
            ),
            (
                "counts".to_owned(),
                AttributeValue::Ns(vec!["10".into(), "9".into(), "-1.5".into()]),
            ),
            (
                "blobs".to_owned(),
                AttributeValue::Bs(vec![Blob::new(vec![2]), Blob::new(vec![1])]),
            ),
            (
                "nested".to_owned(),
                AttributeValue::L(vec![map([(
                    "skus",
                    AttributeValue::Ss(vec!["b".into(), "a".into()]),
                )])]),
            ),
            ("list".to_owned(), AttributeValue::L(vec![s("z"), s("a")])),
        ]
        .into_iter()
        .collect();
        let sorted = with_sorted_sets(item);
        assert_eq!(
            sorted["released"],
            AttributeValue::Ss(vec!["SKU-APPLE".into(), "SKU-OUT".into()])
        );
        assert_eq!(
            sorted["counts"],
            AttributeValue::Ns(vec!["-1.5".into(), "9".into(), "10".into()])
        );
        assert_eq!(
            sorted["blobs"],
            AttributeValue::Bs(vec![Blob::new(vec![1]), Blob::new(vec![2])])
        );
        let nested = sorted["nested"].as_l().unwrap()[0].as_m().unwrap();
        assert_eq!(
            nested["skus"],
            AttributeValue::Ss(vec!["a".into(), "b".into()])
        );
        // Lists keep their order: only sets are unordered.
        assert_eq!(sorted["list"], AttributeValue::L(vec![s("z"), s("a")]));
    }
}
