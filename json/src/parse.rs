//! JSON text to a [`Value`]: exact-capacity containers and object keys shared across the text.
//!
//! `from_str` keeps one [`Key`] per distinct key spelling it meets (up to [`INTERNED_KEYS`]), so
//! 100,000 objects `{"sku":…,"qty":…}` hold two key strings, not 200,000. Everything else is
//! serde_json's: its number rules, its errors, its depth limit, and the rule that a repeated key
//! keeps its first place and takes its last value.

use std::cell::RefCell;
use std::collections::HashSet;
use std::fmt;

use serde::de::{Deserialize, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};

use crate::{Key, Map, Number, Result, Value};

/// Distinct keys one parse shares; past this, keys (object-as-dictionary ids) are not kept.
pub const INTERNED_KEYS: usize = 4096;

/// Parses `text` as one JSON value (trailing characters other than whitespace are an error).
pub fn from_str(text: &str) -> Result<Value> {
    whole(serde_json::Deserializer::from_str(text))
}

/// As [`from_str`], from bytes.
pub fn from_slice(bytes: &[u8]) -> Result<Value> {
    whole(serde_json::Deserializer::from_slice(bytes))
}

fn whole<'de, R: serde_json::de::Read<'de>>(
    mut deserializer: serde_json::Deserializer<R>,
) -> Result<Value> {
    let keys = Interner::default();
    let value = Build { keys: Some(&keys) }.deserialize(&mut deserializer)?;
    deserializer.end()?;
    Ok(value)
}

/// Any serde format (`serde_json::from_str::<Value>`, config files): exact capacity, keys not
/// shared (there is no parse-wide place to keep them).
impl<'de> Deserialize<'de> for Value {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Value, D::Error> {
        Build { keys: None }.deserialize(deserializer)
    }
}

#[derive(Default)]
struct Interner(RefCell<HashSet<Key>>);

impl Interner {
    fn key(&self, text: &str) -> Key {
        let mut keys = self.0.borrow_mut();
        if let Some(key) = keys.get(text) {
            return key.clone();
        }
        let key = Key::from(text);
        if keys.len() < INTERNED_KEYS {
            keys.insert(key.clone());
        }
        key
    }
}

#[derive(Clone, Copy)]
struct Build<'k> {
    keys: Option<&'k Interner>,
}

impl Build<'_> {
    fn key(&self, text: &str) -> Key {
        match self.keys {
            Some(keys) => keys.key(text),
            None => Key::from(text),
        }
    }
}

impl<'de> DeserializeSeed<'de> for Build<'_> {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(
        self,
        deserializer: D,
    ) -> std::result::Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

/// A key as the deserializer hands it over, borrowed when it can be.
struct KeyText<'k>(Build<'k>);

impl<'de> DeserializeSeed<'de> for KeyText<'_> {
    type Value = Key;

    fn deserialize<D: Deserializer<'de>>(
        self,
        deserializer: D,
    ) -> std::result::Result<Key, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for KeyText<'_> {
    type Value = Key;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object key")
    }

    fn visit_str<E>(self, text: &str) -> std::result::Result<Key, E> {
        Ok(self.0.key(text))
    }
}

impl<'de> Visitor<'de> for Build<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> std::result::Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> std::result::Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_u64<E>(self, v: u64) -> std::result::Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_f64<E>(self, v: f64) -> std::result::Result<Value, E> {
        // JSON text cannot spell a non-finite number; `Null` as serde_json does.
        Ok(Number::from_f64(v).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E>(self, v: &str) -> std::result::Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }

    fn visit_string<E>(self, mut v: String) -> std::result::Result<Value, E> {
        v.shrink_to_fit();
        Ok(Value::String(v))
    }

    fn visit_unit<E>(self) -> std::result::Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E>(self) -> std::result::Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_some<D: Deserializer<'de>>(
        self,
        deserializer: D,
    ) -> std::result::Result<Value, D::Error> {
        self.deserialize(deserializer)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element_seed(self)? {
            items.push(item);
        }
        Ok(Value::Array(crate::exact(items)))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<Value, A::Error> {
        let mut entries = Vec::new();
        while let Some(key) = map.next_key_seed(KeyText(self))? {
            let value = map.next_value_seed(self)?;
            entries.push((key, value));
        }
        Ok(Value::Object(Map::from_entries(entries)))
    }
}
