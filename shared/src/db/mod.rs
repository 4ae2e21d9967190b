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
