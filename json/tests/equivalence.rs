//! sfn-json reads and writes JSON exactly as serde_json (with `preserve_order`) does.

use proptest::prelude::*;
use sfn_json::{Map, Value, json};

fn serde_value() -> impl Strategy<Value = serde_json::Value> {
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::Bool),
        any::<i64>().prop_map(serde_json::Value::from),
        any::<u64>().prop_map(serde_json::Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(serde_json::Value::from),
        "[a-z\\\\\"\u{e9}\u{1F600}\n]{0,6}".prop_map(serde_json::Value::String),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(serde_json::Value::Array),
            prop::collection::vec(("[a-c]{1,2}", inner), 0..6)
                .prop_map(|entries| serde_json::Value::Object(entries.into_iter().collect())),
        ]
    })
}

/// JSON text that may repeat a key inside an object (which a `serde_json::Value` cannot hold).
fn text_with_repeated_keys() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        Just("null".to_owned()),
        any::<i32>().prop_map(|n| n.to_string()),
        "\"[xy]{0,3}\""
    ];
    leaf.prop_recursive(3, 32, 5, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5)
                .prop_map(|items| format!("[{}]", items.join(","))),
            prop::collection::vec(("[ab]", inner), 0..40).prop_map(|entries| {
                let body: Vec<String> = entries
                    .iter()
                    .map(|(k, v)| format!("\"{k}\":{v}"))
                    .collect();
                format!("{{{}}}", body.join(","))
            }),
        ]
    })
}

fn same_as_serde_json(text: &str) {
    let expected: serde_json::Value = serde_json::from_str(text).unwrap();
    let parsed = sfn_json::from_str(text).unwrap();
    assert_eq!(parsed, expected, "{text}");
    assert_eq!(parsed.to_string(), expected.to_string(), "{text}");
    assert_eq!(format!("{parsed:#}"), format!("{expected:#}"), "{text}");
    // The serde path (no shared keys) builds the same value.
    let through_serde: Value = serde_json::from_str(text).unwrap();
    assert_eq!(through_serde, parsed, "{text}");
    // Both conversions keep the value and its key order.
    assert_eq!(
        serde_json::Value::from(parsed.clone()).to_string(),
        expected.to_string(),
        "{text}"
    );
    assert_eq!(
        Value::from(expected.clone()).to_string(),
        expected.to_string(),
        "{text}"
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn values_parse_and_print_as_serde_json(value in serde_value()) {
        same_as_serde_json(&value.to_string());
        same_as_serde_json(&serde_json::to_string_pretty(&value).unwrap());
    }

    #[test]
    fn repeated_keys_resolve_as_in_serde_json(text in text_with_repeated_keys()) {
        same_as_serde_json(&text);
    }
}

#[test]
fn numbers_keep_serde_jsons_form() {
    for text in [
        "0",
        "-0",
        "1.0",
        "1e2",
        "-9223372036854775808",
        "18446744073709551615",
        "1e400",
        "0.1",
        "123456789012345678901234",
    ] {
        let expected: Result<serde_json::Value, _> = serde_json::from_str(text);
        match expected {
            Ok(expected) => same_as_serde_json(&expected.to_string()),
            Err(error) => assert_eq!(
                sfn_json::from_str(text).unwrap_err().to_string(),
                error.to_string()
            ),
        }
    }
}

#[test]
fn bad_text_fails_with_serde_jsons_error() {
    let too_deep = "[".repeat(200) + &"]".repeat(200);
    for text in [
        "",
        "{",
        "[1,]",
        "{\"a\" 1}",
        "1 2",
        "nul",
        "[1] x",
        "{\"a\":1,}",
        "\"\\x\"",
        too_deep.as_str(),
    ] {
        let expected = serde_json::from_str::<serde_json::Value>(text)
            .unwrap_err()
            .to_string();
        assert_eq!(
            sfn_json::from_str(text).unwrap_err().to_string(),
            expected,
            "{text}"
        );
        assert_eq!(
            sfn_json::from_slice(text.as_bytes())
                .unwrap_err()
                .to_string(),
            expected,
            "{text}"
        );
    }
}

#[test]
fn the_json_macro_builds_what_serde_json_builds() {
    let sku = "sku-1";
    let built = json!({"sku": sku, "qty": 2, "tags": ["a", null, 1.5], "nested": {"ok": true}});
    let expected =
        serde_json::json!({"sku": sku, "qty": 2, "tags": ["a", null, 1.5], "nested": {"ok": true}});
    assert_eq!(built, expected);
    assert_eq!(built.to_string(), expected.to_string());
}

#[test]
fn typed_values_go_through_to_value_and_from_value() {
    #[derive(serde::Serialize, serde::Deserialize, PartialEq, Debug)]
    struct Line {
        sku: String,
        qty: u32,
    }
    let line = Line {
        sku: "s".into(),
        qty: 3,
    };
    let value = sfn_json::to_value(&line).unwrap();
    assert_eq!(value, json!({"sku": "s", "qty": 3}));
    assert_eq!(sfn_json::from_value::<Line>(value).unwrap(), line);
    assert!(sfn_json::from_value::<Line>(json!({"sku": 1})).is_err());
}

#[test]
fn indexing_reads_null_where_there_is_nothing_and_writes_objects() {
    let mut value = json!({"a": [1, {"b": "x"}]});
    assert_eq!(value["a"][1]["b"], "x");
    assert!(value["missing"]["deeper"][3].is_null());
    assert!(value.get("a").and_then(|a| a.get(7)).is_none());
    let mut empty = Value::Null;
    empty["made"] = json!(1);
    assert_eq!(empty, json!({"made": 1}));
    value["a"][0] = json!("first");
    value["z"] = json!(true);
    assert_eq!(value.to_string(), r#"{"a":["first",{"b":"x"}],"z":true}"#);
    let taken = value["a"].take();
    assert!(taken.is_array());
    assert!(value["a"].is_null());
    let _ = Map::new();
}

#[test]
fn pointers_find_what_serde_jsons_find() {
    let text = r#"{"a": [1, {"b/c": 2, "d~e": 3, "": 4}], "01": 5}"#;
    let ours = sfn_json::from_str(text).unwrap();
    let theirs: serde_json::Value = serde_json::from_str(text).unwrap();
    for pointer in [
        "",
        "/a",
        "/a/0",
        "/a/1/b~1c",
        "/a/1/d~0e",
        "/a/1/",
        "/a/01",
        "/a/+1",
        "/a/2",
        "/01",
        "a",
        "/x/y",
    ] {
        let found = ours.pointer(pointer).map(|v| v.to_string());
        assert_eq!(
            found,
            theirs.pointer(pointer).map(|v| v.to_string()),
            "{pointer}"
        );
    }
    let mut ours = ours;
    *ours.pointer_mut("/a/1/b~1c").unwrap() = json!("changed");
    assert_eq!(ours["a"][1]["b/c"], "changed");
    assert!(ours.pointer_mut("/a/9").is_none());
}
