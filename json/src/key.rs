//! Object keys: shared, immutable strings.
//!
//! A parsed input of many objects repeats the same few keys; sharing one allocation per distinct
//! key (an `Arc<str>`, 16 bytes in the entry) is what makes an object of two keys cost ~100 bytes
//! instead of serde_json's ~450 (a 104-byte entry and a heap string per key, and a hash table).

use std::borrow::Borrow;
use std::fmt;
use std::ops::Deref;
use std::sync::Arc;

/// An object key. Cloning it shares the string.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Key(Arc<str>);

impl Key {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether both keys share one allocation (interned by the same parse, or cloned).
    pub fn shares_with(&self, other: &Key) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl Deref for Key {
    type Target = str;

    fn deref(&self) -> &str {
        &self.0
    }
}

impl Borrow<str> for Key {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for Key {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl From<&str> for Key {
    fn from(text: &str) -> Self {
        Key(Arc::from(text))
    }
}

impl From<String> for Key {
    fn from(text: String) -> Self {
        Key(Arc::from(text))
    }
}

impl From<&String> for Key {
    fn from(text: &String) -> Self {
        Key(Arc::from(text.as_str()))
    }
}

impl From<Key> for String {
    fn from(key: Key) -> Self {
        key.0.as_ref().to_owned()
    }
}

impl PartialEq<str> for Key {
    fn eq(&self, other: &str) -> bool {
        &*self.0 == other
    }
}

impl PartialEq<&str> for Key {
    fn eq(&self, other: &&str) -> bool {
        &*self.0 == *other
    }
}

impl fmt::Debug for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.0, f)
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
