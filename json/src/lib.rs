//! A compact, order-keeping JSON value.
//!
//! Same shape and method names as `serde_json::Value` (with `preserve_order`), so code moves
//! over by changing imports, and the same text out: numbers are `serde_json::Number`, objects keep
//! the order their keys were first written, and serialization goes through serde_json. What
//! differs is the memory: a value is 32 bytes (serde_json's is 72), an object is one vector of
//! entries (no hash table), and object keys are [`Key`]s that a parse shares between every
//! object that spells them. An object `{"sku":"sku-1","qty":1}` costs ~150 bytes instead of
//! ~450 (`tests/size.rs`).

mod convert;
mod key;
mod map;
mod parse;
mod ser;

use std::fmt;
use std::ops::{Index, IndexMut};

pub use key::Key;
pub use map::Map;
pub use parse::{from_slice, from_str};
pub use serde_json::{Error, Number, Result};

#[doc(hidden)]
pub mod __private {
    pub use serde_json;
}

/// Builds a [`Value`] from JSON-like syntax, as `serde_json::json!` does.
#[macro_export]
macro_rules! json {
    ($($json:tt)+) => {
        $crate::Value::from($crate::__private::serde_json::json!($($json)+))
    };
}

#[derive(Clone, PartialEq, Eq, Default)]
pub enum Value {
    #[default]
    Null,
    Bool(bool),
    Number(Number),
    String(String),
    Array(Vec<Value>),
    Object(Map),
}

static NULL: Value = Value::Null;

impl Value {
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    pub fn is_boolean(&self) -> bool {
        matches!(self, Value::Bool(_))
    }

    pub fn is_number(&self) -> bool {
        matches!(self, Value::Number(_))
    }

    pub fn is_string(&self) -> bool {
        matches!(self, Value::String(_))
    }

    pub fn is_array(&self) -> bool {
        matches!(self, Value::Array(_))
    }

    pub fn is_object(&self) -> bool {
        matches!(self, Value::Object(_))
    }

    pub fn is_i64(&self) -> bool {
        matches!(self, Value::Number(n) if n.is_i64())
    }

    pub fn is_u64(&self) -> bool {
        matches!(self, Value::Number(n) if n.is_u64())
    }

    pub fn is_f64(&self) -> bool {
        matches!(self, Value::Number(n) if n.is_f64())
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_number(&self) -> Option<&Number> {
        match self {
            Value::Number(n) => Some(n),
            _ => None,
        }
    }

    pub fn as_i64(&self) -> Option<i64> {
        self.as_number().and_then(Number::as_i64)
    }

    pub fn as_u64(&self) -> Option<u64> {
        self.as_number().and_then(Number::as_u64)
    }

    pub fn as_f64(&self) -> Option<f64> {
        self.as_number().and_then(Number::as_f64)
    }

    pub fn as_array(&self) -> Option<&Vec<Value>> {
        match self {
            Value::Array(items) => Some(items),
            _ => None,
        }
    }

    pub fn as_array_mut(&mut self) -> Option<&mut Vec<Value>> {
        match self {
            Value::Array(items) => Some(items),
            _ => None,
        }
    }

    pub fn as_object(&self) -> Option<&Map> {
        match self {
            Value::Object(map) => Some(map),
            _ => None,
        }
    }

    pub fn as_object_mut(&mut self) -> Option<&mut Map> {
        match self {
            Value::Object(map) => Some(map),
            _ => None,
        }
    }

    /// A member of an object or an element of an array, if there is one.
    pub fn get<I: ValueIndex>(&self, index: I) -> Option<&Value> {
        index.find(self)
    }

    pub fn get_mut<I: ValueIndex>(&mut self, index: I) -> Option<&mut Value> {
        index.find_mut(self)
    }

    /// The value a JSON Pointer (RFC 6901: `/a/0/b`, `~1` for `/`, `~0` for `~`) names.
    pub fn pointer(&self, pointer: &str) -> Option<&Value> {
        pointer_tokens(pointer)?.try_fold(self, |value, token| match value {
            Value::Object(map) => map.get(&token),
            Value::Array(items) => array_index(&token).and_then(|at| items.get(at)),
            _ => None,
        })
    }

    pub fn pointer_mut(&mut self, pointer: &str) -> Option<&mut Value> {
        pointer_tokens(pointer)?.try_fold(self, |value, token| match value {
            Value::Object(map) => map.get_mut(&token),
            Value::Array(items) => array_index(&token).and_then(move |at| items.get_mut(at)),
            _ => None,
        })
    }

    /// Takes the value out, leaving `Null`.
    pub fn take(&mut self) -> Value {
        std::mem::take(self)
    }
}

/// A pointer's reference tokens, unescaped: none for `""`, and `None` if it does not start with `/`.
fn pointer_tokens(pointer: &str) -> Option<impl Iterator<Item = String> + '_> {
    let tokens = match pointer {
        "" => None,
        _ => Some(pointer.strip_prefix('/')?.split('/')),
    };
    Some(
        tokens
            .into_iter()
            .flatten()
            .map(|token| token.replace("~1", "/").replace("~0", "~")),
    )
}

/// An array position as a pointer spells it: digits, no sign, no leading zero.
fn array_index(token: &str) -> Option<usize> {
    if token.is_empty()
        || (token.len() > 1 && token.starts_with('0'))
        || !token.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    token.parse().ok()
}

/// What a value can be indexed by: a key (objects) or a position (arrays).
pub trait ValueIndex {
    fn find<'v>(&self, value: &'v Value) -> Option<&'v Value>;
    fn find_mut<'v>(&self, value: &'v mut Value) -> Option<&'v mut Value>;
}

impl ValueIndex for usize {
    fn find<'v>(&self, value: &'v Value) -> Option<&'v Value> {
        value.as_array().and_then(|items| items.get(*self))
    }

    fn find_mut<'v>(&self, value: &'v mut Value) -> Option<&'v mut Value> {
        value.as_array_mut().and_then(|items| items.get_mut(*self))
    }
}

impl ValueIndex for str {
    fn find<'v>(&self, value: &'v Value) -> Option<&'v Value> {
        value.as_object().and_then(|map| map.get(self))
    }

    fn find_mut<'v>(&self, value: &'v mut Value) -> Option<&'v mut Value> {
        value.as_object_mut().and_then(|map| map.get_mut(self))
    }
}

impl ValueIndex for String {
    fn find<'v>(&self, value: &'v Value) -> Option<&'v Value> {
        ValueIndex::find(self.as_str(), value)
    }

    fn find_mut<'v>(&self, value: &'v mut Value) -> Option<&'v mut Value> {
        ValueIndex::find_mut(self.as_str(), value)
    }
}

impl<T: ValueIndex + ?Sized> ValueIndex for &T {
    fn find<'v>(&self, value: &'v Value) -> Option<&'v Value> {
        (**self).find(value)
    }

    fn find_mut<'v>(&self, value: &'v mut Value) -> Option<&'v mut Value> {
        (**self).find_mut(value)
    }
}

/// `value["key"]` and `value[0]` read `Null` where there is nothing, as in serde_json.
impl<I: ValueIndex> Index<I> for Value {
    type Output = Value;

    fn index(&self, index: I) -> &Value {
        index.find(self).unwrap_or(&NULL)
    }
}

/// `value["key"] = ...` on an object adds the key; on `Null` it first makes an empty object.
impl IndexMut<&str> for Value {
    fn index_mut(&mut self, key: &str) -> &mut Value {
        if self.is_null() {
            *self = Value::Object(Map::new());
        }
        let Value::Object(map) = self else {
            panic!("cannot index a non-object JSON value with a key");
        };
        if !map.contains_key(key) {
            map.push_unique(Key::from(key), Value::Null);
        }
        map.get_mut(key).expect("just inserted")
    }
}

impl IndexMut<usize> for Value {
    fn index_mut(&mut self, at: usize) -> &mut Value {
        match self {
            Value::Array(items) => &mut items[at],
            _ => panic!("cannot index a non-array JSON value with a position"),
        }
    }
}

/// Compact JSON text, as `serde_json::Value`'s `Display` writes it (`{:#}` indents).
impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = if f.alternate() {
            serde_json::to_string_pretty(self)
        } else {
            serde_json::to_string(self)
        };
        f.write_str(&text.map_err(|_| fmt::Error)?)
    }
}

impl fmt::Debug for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Null => f.write_str("Null"),
            Value::Bool(b) => write!(f, "Bool({b})"),
            Value::Number(n) => write!(f, "Number({n})"),
            Value::String(s) => write!(f, "String({s:?})"),
            Value::Array(items) => f.debug_tuple("Array").field(items).finish(),
            Value::Object(map) => f.debug_tuple("Object").field(map).finish(),
        }
    }
}

/// `items` in an allocation of exactly its length. `shrink_to_fit` is not enough: an allocator
/// may keep a block that is at most twice the size asked for (mimalloc does), which left a
/// two-key object in room for four entries.
pub(crate) fn exact<T>(items: Vec<T>) -> Vec<T> {
    if items.capacity() == items.len() {
        return items;
    }
    let mut exact = Vec::with_capacity(items.len());
    exact.extend(items);
    exact
}

/// Serializes any value as JSON text.
pub fn to_string<T: serde::Serialize + ?Sized>(value: &T) -> Result<String> {
    serde_json::to_string(value)
}

/// Turns any serializable value into a [`Value`].
pub fn to_value<T: serde::Serialize>(value: T) -> Result<Value> {
    serde_json::to_value(value).map(Value::from)
}

/// Reads a [`Value`] as any deserializable type.
pub fn from_value<T: serde::de::DeserializeOwned>(value: Value) -> Result<T> {
    serde_json::from_value(serde_json::Value::from(value))
}
