//! Per-thread caches of parsed expressions by source text: a Map runs the same few paths and
//! intrinsic calls for every item, and a loop the same ones on every round.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;
use std::thread::LocalKey;

/// Most expressions a cache holds before it starts over (bounds memory on odd definitions).
const CACHE_LIMIT: usize = 512;

pub(crate) type Cache<T> = RefCell<HashMap<String, Rc<T>>>;

/// An empty cache, for `thread_local!`.
pub(crate) fn new_cache<T>() -> Cache<T> {
    RefCell::new(HashMap::new())
}

/// `text` parsed by `parse`, from `cache` when it was parsed before on this thread. Failures
/// are not kept: they end the execution anyway.
pub(crate) fn cached<T: 'static>(
    cache: &'static LocalKey<Cache<T>>,
    text: &str,
    parse: impl FnOnce(&str) -> Result<T, String>,
) -> Result<Rc<T>, String> {
    if let Some(found) = cache.with(|cache| cache.borrow().get(text).cloned()) {
        return Ok(found);
    }
    let parsed = Rc::new(parse(text)?);
    cache.with(|cache| {
        let mut cache = cache.borrow_mut();
        if cache.len() >= CACHE_LIMIT {
            cache.clear();
        }
        cache.insert(text.to_string(), Rc::clone(&parsed));
    });
    Ok(parsed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;

    thread_local! {
        static LENGTHS: Cache<usize> = new_cache();
    }

    #[test]
    fn parses_once_per_text_and_never_keeps_failures() {
        let calls = Cell::new(0);
        let parse = |text: &str| {
            calls.set(calls.get() + 1);
            if text.is_empty() {
                Err("empty".to_string())
            } else {
                Ok(text.len())
            }
        };
        assert_eq!(*cached(&LENGTHS, "abc", parse).unwrap(), 3);
        assert_eq!(*cached(&LENGTHS, "abc", parse).unwrap(), 3);
        assert_eq!(calls.get(), 1);
        assert!(cached(&LENGTHS, "", parse).is_err());
        assert!(cached(&LENGTHS, "", parse).is_err());
        assert_eq!(calls.get(), 3);
        // Past the limit the cache starts over, and still answers.
        for i in 0..CACHE_LIMIT + 1 {
            cached(&LENGTHS, &format!("k{i}"), |t| Ok(t.len())).unwrap();
        }
        assert!(LENGTHS.with(|c| c.borrow().len()) <= CACHE_LIMIT);
        assert_eq!(*cached(&LENGTHS, "abc", parse).unwrap(), 3);
    }
}
