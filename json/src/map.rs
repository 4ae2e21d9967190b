//! A JSON object: its entries in one vector, in the order their keys were first written.
//!
//! Objects in Step Functions payloads are small (a handful of keys), where comparing keys in a
//! vector beats hashing and costs no hash table per object. Equality ignores order, as JSON's
//! (and serde_json's) does.

use std::collections::HashMap;
use std::fmt;
use std::iter::FromIterator;
use std::ops::{Index, IndexMut};
use std::slice;

use crate::{Key, Value};

/// Objects larger than this are compared and deduplicated through a temporary hash map.
const SCAN_LIMIT: usize = 32;

#[derive(Clone, Default)]
pub struct Map {
    entries: Vec<(Key, Value)>,
}

type Entry = (Key, Value);
pub type Iter<'a> = std::iter::Map<slice::Iter<'a, Entry>, fn(&'a Entry) -> (&'a Key, &'a Value)>;
pub type IterMut<'a> =
    std::iter::Map<slice::IterMut<'a, Entry>, fn(&'a mut Entry) -> (&'a Key, &'a mut Value)>;
pub type IntoIter = std::vec::IntoIter<Entry>;

impl Map {
    pub fn new() -> Self {
        Map {
            entries: Vec::new(),
        }
    }

    pub fn with_capacity(capacity: usize) -> Self {
        Map {
            entries: Vec::with_capacity(capacity),
        }
    }

    /// Builds an object from entries whose keys may repeat: a repeated key keeps its first place
    /// and takes its last value, as serde_json does when it parses such an object.
    /// The vector keeps no spare room.
    pub fn from_entries(entries: Vec<(Key, Value)>) -> Self {
        if has_duplicate_keys(&entries) {
            let mut map = Map::with_capacity(entries.len());
            for (key, value) in entries {
                map.insert(key, value);
            }
            return Map {
                entries: crate::exact(map.entries),
            };
        }
        Map {
            entries: crate::exact(entries),
        }
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    fn position(&self, key: &str) -> Option<usize> {
        self.entries.iter().position(|(k, _)| k.as_str() == key)
    }

    pub fn get(&self, key: &str) -> Option<&Value> {
        self.entries
            .iter()
            .find(|(k, _)| k.as_str() == key)
            .map(|(_, v)| v)
    }

    pub fn get_mut(&mut self, key: &str) -> Option<&mut Value> {
        self.entries
            .iter_mut()
            .find(|(k, _)| k.as_str() == key)
            .map(|(_, v)| v)
    }

    pub fn get_key_value(&self, key: &str) -> Option<(&Key, &Value)> {
        self.entries
            .iter()
            .find(|(k, _)| k.as_str() == key)
            .map(|(k, v)| (k, v))
    }

    pub fn contains_key(&self, key: &str) -> bool {
        self.position(key).is_some()
    }

    /// Sets `key` to `value`: in place if the key is there (returning the old value), else last.
    pub fn insert(&mut self, key: impl Into<Key>, value: Value) -> Option<Value> {
        let key = key.into();
        match self.position(&key) {
            Some(at) => Some(std::mem::replace(&mut self.entries[at].1, value)),
            None => {
                self.entries.push((key, value));
                None
            }
        }
    }

    /// Appends an entry whose key the caller knows is not there yet.
    pub fn push_unique(&mut self, key: Key, value: Value) {
        debug_assert!(
            !self.contains_key(&key),
            "push_unique: {key} is already there"
        );
        self.entries.push((key, value));
    }

    /// Removes `key`, keeping the other entries in order.
    pub fn remove(&mut self, key: &str) -> Option<Value> {
        self.remove_entry(key).map(|(_, v)| v)
    }

    pub fn remove_entry(&mut self, key: &str) -> Option<(Key, Value)> {
        let at = self.position(key)?;
        Some(self.entries.remove(at))
    }

    pub fn retain(&mut self, mut keep: impl FnMut(&Key, &mut Value) -> bool) {
        self.entries.retain_mut(|(k, v)| keep(k, v));
    }

    pub fn clear(&mut self) {
        self.entries.clear();
    }

    pub fn iter(&self) -> Iter<'_> {
        self.entries.iter().map(|(k, v)| (k, v))
    }

    pub fn iter_mut(&mut self) -> IterMut<'_> {
        self.entries.iter_mut().map(|(k, v)| (&*k, v))
    }

    pub fn keys(&self) -> impl ExactSizeIterator<Item = &Key> + DoubleEndedIterator {
        self.entries.iter().map(|(k, _)| k)
    }

    pub fn values(&self) -> impl ExactSizeIterator<Item = &Value> + DoubleEndedIterator {
        self.entries.iter().map(|(_, v)| v)
    }

    pub fn values_mut(
        &mut self,
    ) -> impl ExactSizeIterator<Item = &mut Value> + DoubleEndedIterator {
        self.entries.iter_mut().map(|(_, v)| v)
    }
}

fn has_duplicate_keys(entries: &[(Key, Value)]) -> bool {
    if entries.len() <= SCAN_LIMIT {
        return entries
            .iter()
            .enumerate()
            .any(|(i, (key, _))| entries[..i].iter().any(|(k, _)| k == key));
    }
    let mut seen = std::collections::HashSet::with_capacity(entries.len());
    entries.iter().any(|(key, _)| !seen.insert(key.as_str()))
}

impl PartialEq for Map {
    fn eq(&self, other: &Map) -> bool {
        if self.len() != other.len() {
            return false;
        }
        if self.len() <= SCAN_LIMIT {
            return self.iter().all(|(k, v)| other.get(k) == Some(v));
        }
        let theirs: HashMap<&str, &Value> = other.iter().map(|(k, v)| (k.as_str(), v)).collect();
        self.iter().all(|(k, v)| theirs.get(k.as_str()) == Some(&v))
    }
}

impl Eq for Map {}

impl fmt::Debug for Map {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

impl Index<&str> for Map {
    type Output = Value;

    fn index(&self, key: &str) -> &Value {
        self.get(key).expect("no entry found for key")
    }
}

impl IndexMut<&str> for Map {
    fn index_mut(&mut self, key: &str) -> &mut Value {
        self.get_mut(key).expect("no entry found for key")
    }
}

impl<K: Into<Key>> FromIterator<(K, Value)> for Map {
    fn from_iter<I: IntoIterator<Item = (K, Value)>>(entries: I) -> Self {
        Map::from_entries(entries.into_iter().map(|(k, v)| (k.into(), v)).collect())
    }
}

/// Adds or changes each entry as `insert` would, finding keys through a temporary index when
/// the object is large (so merging two large objects is not quadratic).
impl<K: Into<Key>> Extend<(K, Value)> for Map {
    fn extend<I: IntoIterator<Item = (K, Value)>>(&mut self, entries: I) {
        let entries = entries.into_iter();
        if self.len() + entries.size_hint().0 <= SCAN_LIMIT {
            for (key, value) in entries {
                self.insert(key, value);
            }
            return;
        }
        let mut index: HashMap<Key, usize> = self
            .entries
            .iter()
            .enumerate()
            .map(|(at, (k, _))| (k.clone(), at))
            .collect();
        for (key, value) in entries {
            let key = key.into();
            match index.get(&key) {
                Some(&at) => self.entries[at].1 = value,
                None => {
                    index.insert(key.clone(), self.entries.len());
                    self.entries.push((key, value));
                }
            }
        }
    }
}

impl IntoIterator for Map {
    type Item = (Key, Value);
    type IntoIter = IntoIter;

    fn into_iter(self) -> IntoIter {
        self.entries.into_iter()
    }
}

impl<'a> IntoIterator for &'a Map {
    type Item = (&'a Key, &'a Value);
    type IntoIter = Iter<'a>;

    fn into_iter(self) -> Iter<'a> {
        self.iter()
    }
}

impl<'a> IntoIterator for &'a mut Map {
    type Item = (&'a Key, &'a mut Value);
    type IntoIter = IterMut<'a>;

    fn into_iter(self) -> IterMut<'a> {
        self.iter_mut()
    }
}
