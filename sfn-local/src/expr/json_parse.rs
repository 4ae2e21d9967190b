//! JSON text to a `serde_json::Value` that holds no spare capacity.
//!
//! `serde_json::from_str` grows every object and array one element at a time, so a small
//! object keeps room for more entries than it has (an `IndexMap` of two keys holds room for
//! three or four 64-byte entries). An execution input of many small items then takes several
//! times the memory it needs. This visitor collects each object's entries and each array's
//! elements first and sizes the container once; values, key order, duplicate-key handling
//! (the last value wins, in the first key's place) and serde_json's depth limit are unchanged.

use std::fmt;

use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};

/// Parses `text` as one JSON value (trailing characters other than whitespace are an error).
pub fn parse(text: &str) -> serde_json::Result<Value> {
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let value = Exact.deserialize(&mut deserializer)?;
    deserializer.end()?;
    Ok(value)
}

/// The seed that builds a value with exact-capacity containers.
#[derive(Clone, Copy)]
struct Exact;

impl<'de> DeserializeSeed<'de> for Exact {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Exact {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        // JSON text cannot spell a non-finite number; `Null` as serde_json does.
        Ok(Number::from_f64(v).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        self.deserialize(deserializer)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element_seed(self)? {
            items.push(item);
        }
        items.shrink_to_fit();
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut entries: Vec<(String, Value)> = Vec::new();
        while let Some(key) = map.next_key::<String>()? {
            let value = map.next_value_seed(self)?;
            entries.push((key, value));
        }
        let mut object = Map::with_capacity(entries.len());
        for (key, value) in entries {
            object.insert(key, value);
        }
        Ok(Value::Object(object))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_what_serde_json_parses_to_the_same_value() {
        let texts = [
            r#"{"b": 1, "a": [1, -2, 3.5, 1e300, "x", null, true, false, {}], "c": {"d": []}}"#,
            r#"[{"sku": "s-1", "qty": 1}, {"sku": "s-2", "qty": 18446744073709551615}]"#,
            r#""\u00e9\n""#,
            "-9223372036854775808",
            r#"{"k": 1, "k": 2, "j": 3}"#,
            " 0.1 ",
        ];
        for text in texts {
            let expected: Value = serde_json::from_str(text).unwrap();
            let parsed = parse(text).unwrap();
            assert_eq!(parsed, expected, "{text}");
            // Key order as written (preserve_order), duplicates as serde_json resolves them.
            assert_eq!(parsed.to_string(), expected.to_string(), "{text}");
        }
    }

    #[test]
    fn containers_hold_no_spare_capacity() {
        let Value::Array(items) = parse(r#"[{"a": 1, "b": 2}, 2, 3, 4, 5]"#).unwrap() else {
            panic!("not an array");
        };
        assert_eq!(items.capacity(), 5);
        let Value::Object(first) = &items[0] else {
            panic!("not an object");
        };
        assert_eq!(first.len(), 2);
    }

    #[test]
    fn bad_text_is_an_error_as_in_serde_json() {
        for text in ["", "{", "[1,]", "{\"a\" 1}", "1 2", "nul", "[1] x"] {
            let ours = parse(text).map_err(|e| e.to_string());
            let theirs = serde_json::from_str::<Value>(text).map_err(|e| e.to_string());
            assert!(ours.is_err(), "{text}");
            assert_eq!(ours, theirs, "{text}");
        }
        let deep = "[".repeat(200) + &"]".repeat(200);
        assert!(parse(&deep).is_err(), "the depth limit holds");
    }
}
