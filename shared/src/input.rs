//! Reading payloads field by field, collecting every violation instead of stopping at
//! the first, and never panicking on any JSON.

use serde_json::{Map, Value};
use std::ops::RangeInclusive;
use std::sync::{Mutex, PoisonError};

/// All the problems found in one payload.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", .0.join("; "))]
pub struct Violations(pub Vec<String>);

/// Collects violations while a payload is read.
#[derive(Debug, Default)]
pub struct Checker {
    // A Mutex (not a RefCell) keeps handler futures `Send`.
    violations: Mutex<Vec<String>>,
}

impl Checker {
    pub fn new() -> Self {
        Self::default()
    }

    /// The payload's top level, which must be an object.
    pub fn root<'a>(&'a self, value: &'a Value) -> Fields<'a> {
        let map = value.as_object();
        if map.is_none() {
            self.add(format!(
                "payload must be a JSON object, got {}",
                kind(value)
            ));
        }
        Fields {
            map,
            path: String::new(),
            checker: self,
        }
    }

    pub fn add(&self, violation: String) {
        self.violations
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(violation);
    }

    /// `Ok` when nothing was wrong.
    pub fn finish(&self) -> Result<(), Violations> {
        let violations = self
            .violations
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        if violations.is_empty() {
            Ok(())
        } else {
            Err(Violations(violations))
        }
    }
}

/// One JSON object being read. Getters return a neutral value (empty string, 0) after
/// recording a violation, so callers read everything first and check once.
#[derive(Debug, Clone)]
pub struct Fields<'a> {
    map: Option<&'a Map<String, Value>>,
    path: String,
    checker: &'a Checker,
}

impl<'a> Fields<'a> {
    fn name(&self, key: &str) -> String {
        if self.path.is_empty() {
            key.to_string()
        } else {
            format!("{}.{key}", self.path)
        }
    }

    fn present(&self, key: &str) -> Option<&'a Value> {
        self.map?.get(key).filter(|v| !v.is_null())
    }

    fn missing(&self, key: &str) {
        // A missing parent object was reported already.
        if self.map.is_some() {
            self.checker.add(format!("{} is required", self.name(key)));
        }
    }

    pub fn violation(&self, key: &str, problem: &str) {
        self.checker.add(format!("{} {problem}", self.name(key)));
    }

    /// A required string (may be empty).
    pub fn string(&self, key: &str) -> String {
        self.opt_string(key).unwrap_or_else(|| {
            self.missing(key);
            String::new()
        })
    }

    /// An optional string; a value of another type is a violation.
    pub fn opt_string(&self, key: &str) -> Option<String> {
        match self.present(key)? {
            Value::String(s) => Some(s.clone()),
            other => {
                self.violation(key, &format!("must be a string, got {}", kind(other)));
                None
            }
        }
    }

    /// A required, non-empty string of at most `max` characters.
    pub fn text(&self, key: &str, max: usize) -> String {
        let value = self.opt_string(key);
        match &value {
            None if self.present(key).is_none() => self.missing(key),
            Some(s) if s.trim().is_empty() => self.violation(key, "must not be empty"),
            Some(s) if s.chars().count() > max => {
                self.violation(key, &format!("must be at most {max} characters"))
            }
            _ => {}
        }
        value.unwrap_or_default()
    }

    /// An order id: 1-64 characters of `[A-Za-z0-9_-]` (it becomes the execution name).
    pub fn order_id(&self, key: &str) -> String {
        let value = self.opt_string(key);
        match &value {
            None if self.present(key).is_none() => self.missing(key),
            Some(s) if !is_valid_order_id(s) => self.violation(
                key,
                "must be 1-64 characters of letters, digits, '_' or '-'",
            ),
            _ => {}
        }
        value.unwrap_or_default()
    }

    /// An optional non-negative integer in `range`.
    pub fn opt_u64_in(&self, key: &str, range: RangeInclusive<u64>) -> Option<u64> {
        let value = self.present(key)?;
        let number = value.as_u64().filter(|n| range.contains(n));
        if number.is_none() {
            self.violation(
                key,
                &format!(
                    "must be an integer between {} and {}, got {}",
                    range.start(),
                    range.end(),
                    short(value)
                ),
            );
        }
        number
    }

    /// A required non-negative integer in `range`.
    pub fn u64_in(&self, key: &str, range: RangeInclusive<u64>) -> u64 {
        if self.present(key).is_none() {
            self.missing(key);
            return 0;
        }
        self.opt_u64_in(key, range).unwrap_or(0)
    }

    /// A required nested object.
    pub fn object(&self, key: &str) -> Fields<'a> {
        let map = match self.present(key) {
            Some(Value::Object(map)) => Some(map),
            Some(other) => {
                self.violation(key, &format!("must be an object, got {}", kind(other)));
                None
            }
            None => {
                self.missing(key);
                None
            }
        };
        Fields {
            map,
            path: self.name(key),
            checker: self.checker,
        }
    }

    /// An optional nested object.
    pub fn opt_object(&self, key: &str) -> Option<Fields<'a>> {
        self.present(key)?;
        Some(self.object(key))
    }

    /// A required array of objects with `len` elements.
    pub fn objects(&self, key: &str, len: RangeInclusive<usize>) -> Vec<Fields<'a>> {
        let items = match self.present(key) {
            Some(Value::Array(items)) => items,
            Some(other) => {
                self.violation(key, &format!("must be an array, got {}", kind(other)));
                return Vec::new();
            }
            None => {
                self.missing(key);
                return Vec::new();
            }
        };
        if !len.contains(&items.len()) {
            self.violation(
                key,
                &format!(
                    "must have {} to {} elements, got {}",
                    len.start(),
                    len.end(),
                    items.len()
                ),
            );
            return Vec::new();
        }
        let base = self.name(key);
        items
            .iter()
            .enumerate()
            .map(|(i, item)| {
                let path = format!("{base}[{i}]");
                let map = item.as_object();
                if map.is_none() {
                    self.checker
                        .add(format!("{path} must be an object, got {}", kind(item)));
                }
                Fields {
                    map,
                    path,
                    checker: self.checker,
                }
            })
            .collect()
    }

    /// The raw value, if present and not null.
    pub fn raw(&self, key: &str) -> Option<&'a Value> {
        self.present(key)
    }
}

pub fn is_valid_order_id(id: &str) -> bool {
    (1..=64).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// The JSON type of a value, for messages.
pub fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// A value for a message, cut so a huge payload does not flood the logs.
fn short(value: &Value) -> String {
    let text = value.to_string();
    match text.char_indices().nth(40) {
        Some((cut, _)) => format!("{}...", &text[..cut]),
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn collects_every_violation() {
        let payload = json!({"orderId": "bad id!", "quantity": -1, "nested": 3});
        let checker = Checker::new();
        let root = checker.root(&payload);
        root.order_id("orderId");
        root.u64_in("quantity", 1..=1000);
        root.object("nested").string("x");
        root.string("absent");
        let Err(Violations(list)) = checker.finish() else {
            panic!("expected violations");
        };
        assert_eq!(list.len(), 4, "{list:?}");
        assert!(list[0].starts_with("orderId"));
        assert!(list[1].contains("between 1 and 1000"));
        assert!(list[2].contains("nested must be an object"));
        assert_eq!(list[3], "absent is required");
    }

    #[test]
    fn non_object_payloads_are_one_violation() {
        for payload in [json!(null), json!([1]), json!("x"), json!(7)] {
            let checker = Checker::new();
            let root = checker.root(&payload);
            root.string("orderId");
            root.object("payment").string("token");
            let Err(Violations(list)) = checker.finish() else {
                panic!("expected violations for {payload}");
            };
            assert_eq!(list.len(), 1, "{list:?}");
        }
    }

    #[test]
    fn long_values_are_shortened_on_char_boundaries() {
        let payload = json!({"n": "é".repeat(100)});
        let checker = Checker::new();
        checker.root(&payload).u64_in("n", 0..=1);
        let message = checker.finish().map_err(|v| v.to_string()).err();
        assert!(message.is_some_and(|m| m.ends_with("...")));
    }

    #[test]
    fn order_ids() {
        assert!(is_valid_order_id("ord-1001_A"));
        assert!(!is_valid_order_id(""));
        assert!(!is_valid_order_id(&"a".repeat(65)));
        assert!(!is_valid_order_id("ord 1"));
        assert!(!is_valid_order_id("ordé"));
    }
}
