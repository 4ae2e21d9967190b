//! Object behaviour: order kept, equality without order, keys shared by a parse.

use sfn_json::{Key, Map, Value, json};

#[test]
fn insert_changes_a_key_in_place_and_adds_a_new_one_last() {
    let mut map = Map::new();
    assert_eq!(map.insert("b", json!(1)), None);
    assert_eq!(map.insert("a", json!(2)), None);
    assert_eq!(map.insert("b", json!(3)), Some(json!(1)));
    let keys: Vec<&str> = map.keys().map(|k| k.as_str()).collect();
    assert_eq!(keys, ["b", "a"]);
    assert_eq!(map["b"], json!(3));
}

#[test]
fn remove_keeps_the_others_in_order() {
    let Value::Object(mut map) = json!({"a": 1, "b": 2, "c": 3, "d": 4}) else {
        panic!("object")
    };
    assert_eq!(map.remove("b"), Some(json!(2)));
    assert_eq!(map.remove("b"), None);
    assert_eq!(Value::Object(map).to_string(), r#"{"a":1,"c":3,"d":4}"#);
}

#[test]
fn equality_ignores_key_order_at_every_size() {
    for size in [0, 1, 2, 31, 32, 33, 200] {
        let forward: Map = (0..size).map(|i| (format!("k{i}"), json!(i))).collect();
        let backward: Map = (0..size)
            .rev()
            .map(|i| (format!("k{i}"), json!(i)))
            .collect();
        assert_eq!(forward, backward, "size {size}");
        if size > 0 {
            let mut changed = backward.clone();
            changed.insert(format!("k{}", size - 1), json!("other"));
            assert_ne!(forward, changed, "size {size}");
            let mut fewer = backward.clone();
            fewer.remove("k0");
            assert_ne!(forward, fewer, "size {size}");
        }
    }
}

#[test]
fn repeated_keys_keep_the_first_place_and_the_last_value_at_every_size() {
    for size in [2, 40] {
        let mut entries: Vec<(Key, Value)> = (0..size)
            .map(|i| (Key::from(format!("k{i}")), json!(i)))
            .collect();
        entries.push((Key::from("k0"), json!("last")));
        let map = Map::from_entries(entries);
        assert_eq!(map.len(), size, "size {size}");
        assert_eq!(
            map.iter().next().map(|(k, v)| (k.as_str(), v.clone())),
            Some(("k0", json!("last")))
        );
    }
}

#[test]
fn a_parse_shares_each_key_between_objects() {
    let Value::Array(items) =
        sfn_json::from_str(r#"[{"sku":"a","qty":1},{"qty":2,"sku":"b"}]"#).unwrap()
    else {
        panic!("array")
    };
    let key = |at: usize, name: &str| {
        items[at]
            .as_object()
            .unwrap()
            .get_key_value(name)
            .unwrap()
            .0
            .clone()
    };
    assert!(key(0, "sku").shares_with(&key(1, "sku")));
    assert!(key(0, "qty").shares_with(&key(1, "qty")));
    assert!(!key(0, "sku").shares_with(&Key::from("sku")));
}

#[test]
fn values_are_32_bytes() {
    // serde_json's is 72 with preserve_order; this is what a parsed item costs in place.
    assert_eq!(std::mem::size_of::<Value>(), 32);
    assert_eq!(std::mem::size_of::<(Key, Value)>(), 48);
}

#[test]
fn retain_and_iter_mut_change_values_in_place() {
    let Value::Object(mut map) = json!({"a": 1, "b": 2, "c": 3}) else {
        panic!("object")
    };
    map.retain(|k, _| k != "b");
    for (_, v) in &mut map {
        *v = json!(v.as_i64().unwrap() * 10);
    }
    assert_eq!(Value::Object(map).to_string(), r#"{"a":10,"c":30}"#);
}

#[test]
fn extend_and_collect_add_or_change_entries_as_insert_does_at_every_size() {
    for size in [3_i64, 40, 300] {
        let mut map: Map = (0..size).map(|i| (format!("k{i}"), json!(i))).collect();
        let mut expected = map.clone();
        let more: Vec<(String, Value)> = (size / 2..size + 5)
            .map(|i| (format!("k{i}"), json!(-i)))
            .collect();
        for (k, v) in more.clone() {
            expected.insert(k, v);
        }
        map.extend(more);
        let keys = |m: &Map| m.keys().map(|k| k.to_string()).collect::<Vec<_>>();
        assert_eq!(keys(&map), keys(&expected), "size {size}");
        assert_eq!(map, expected, "size {size}");
        assert_eq!(map.len() as i64, size + 5);
        assert_eq!(map[&*format!("k{}", size - 1)], json!(-(size - 1)));
        // Collecting keeps the first place and the last value of a repeated key.
        let repeated: Map = [("a", json!(1)), ("b", json!(2)), ("a", json!(3))]
            .into_iter()
            .collect();
        assert_eq!(Value::Object(repeated).to_string(), r#"{"a":3,"b":2}"#);
    }
}
