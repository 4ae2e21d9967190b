use sfn_json::{Map, Value, json};

use super::*;

/// `f` over a scope with `input`, a small context object and one variable, `$v`.
fn in_scope<T>(input: &Value, f: impl FnOnce(&Scope) -> T) -> T {
    let context = json!({"Execution": {"Id": "arn:x", "Input": {"k": 1}}});
    let vars: Map = [("v".to_string(), json!({"a": [1, 2]}))]
        .into_iter()
        .collect();
    let scope = Scope {
        input,
        context: &context,
        variables: &vars,
    };
    f(&scope)
}

fn run(path: &str, input: Value) -> Result<Value, StatesError> {
    in_scope(&input, |scope| query(path, scope))
}

#[test]
fn definite_paths_give_the_value() {
    let input = json!({"a": {"b": [10, 20, 30]}, "delivery-partner": "x", "a b": 1});
    assert_eq!(run("$", input.clone()).unwrap(), input);
    assert_eq!(run("$.a.b[1]", input.clone()).unwrap(), json!(20));
    assert_eq!(run("$.a.b[-1]", input.clone()).unwrap(), json!(30));
    assert_eq!(run("$['a b']", input.clone()).unwrap(), json!(1));
    assert_eq!(
        run("$.delivery-partner", input.clone()).unwrap(),
        json!("x")
    );
    assert_eq!(run("$.a.b.length()", input).unwrap(), json!(3));
}

#[test]
fn context_and_variable_roots() {
    assert_eq!(run("$$.Execution.Input.k", json!({})).unwrap(), json!(1));
    assert_eq!(run("$v.a[0]", json!({})).unwrap(), json!(1));
    assert!(run("$nope", json!({})).is_err());
}

#[test]
fn indefinite_paths_give_arrays() {
    let input = json!({"items": [{"v": 1}, {"v": 2}, {"w": 3}]});
    assert_eq!(run("$.items[*].v", input.clone()).unwrap(), json!([1, 2]));
    assert_eq!(run("$.items[1:].v", input.clone()).unwrap(), json!([2]));
    assert_eq!(
        run("$.items[-1:]", input.clone()).unwrap(),
        json!([{"w": 3}])
    );
    assert_eq!(run("$..v", input.clone()).unwrap(), json!([1, 2]));
    assert_eq!(
        run("$.items[?(@.v > 1)]", input.clone()).unwrap(),
        json!([{"v": 2}])
    );
    assert_eq!(
        run("$.items[?(@.w)]", input.clone()).unwrap(),
        json!([{"w": 3}])
    );
    assert_eq!(run("$.missing[*]", input).unwrap(), json!([]));
}

#[test]
fn filters_compare_like_jayway() {
    let input = json!({"users": [{"s": 0, "n": "a"}, {"s": 1, "n": "b"}, {"s": "0"}]});
    assert_eq!(
        run("$.users[?(@.s == 0)].n", input.clone()).unwrap(),
        json!(["a"])
    );
    assert_eq!(
        run("$.users[?(@.s == 0 || @.n == 'b')].n", input.clone()).unwrap(),
        json!(["a", "b"])
    );
    assert_eq!(
        run("$.users[?(@.n in ['b','c'])].s", input.clone()).unwrap(),
        json!([1])
    );
    // Jayway's value nodes: the string "0" equals the number 0, both ways.
    assert_eq!(
        run("$.users[?(!(@.s == 0))].s", input.clone()).unwrap(),
        json!([1])
    );
    assert_eq!(
        run("$.users[?(@.s == '0')].s", input.clone()).unwrap(),
        json!([0, "0"])
    );
    // A missing property equals nothing, so `!=` and `nin` hold for it.
    assert_eq!(
        run("$.users[?(@.n != 'a')].s", input.clone()).unwrap(),
        json!([1, "0"])
    );
    assert_eq!(
        run("$.users[?(@.n nin ['a'])].s", input.clone()).unwrap(),
        json!([1, "0"])
    );
    assert_eq!(run("$.users[?(@.n < 'b')].s", input).unwrap(), json!([0]));
}

#[test]
fn list_operators() {
    let input = json!({"items": [{"t": ["a", "b"]}, {"t": ["c"]}, {"t": "abc"}]});
    let q = |f: &str| run(&format!("$.items[?({f})].t"), input.clone()).unwrap();
    assert_eq!(q("@.t subsetof ['a','b','z']"), json!([["a", "b"]]));
    assert_eq!(q("@.t anyof ['c','q']"), json!([["c"]]));
    assert_eq!(q("@.t noneof ['a']"), json!([["c"]]));
    assert_eq!(q("@.t contains 'b'"), json!([["a", "b"], "abc"]));
    assert_eq!(q("@.t.length() == 2"), json!([["a", "b"]]));
}

#[test]
fn missing_definite_path_uses_aws_wording() {
    let err = run("$.NoSuchOutputPath", json!({"int-literal": 0})).unwrap_err();
    assert_eq!(err.error, "States.Runtime");
    assert_eq!(
        err.cause,
        "Invalid path '$.NoSuchOutputPath' : No results for path: $['NoSuchOutputPath']"
    );
    let err = run("$.a[3]", json!({"a": [1]})).unwrap_err();
    assert_eq!(
        err.cause,
        "Invalid path '$.a[3]' : No results for path: $['a'][3]"
    );
}

#[test]
fn missing_intermediate_property_uses_jayway_wording() {
    let err = run("$.a.b.c", json!({"a": {}})).unwrap_err();
    assert_eq!(
        err.cause,
        "Invalid path '$.a.b.c' : Missing property in path $['a']['b']"
    );
    let err = run("$.nope[0]", json!({})).unwrap_err();
    assert_eq!(
        err.cause,
        "Invalid path '$.nope[0]' : Missing property in path $['nope']"
    );
    // Not an object on the way, or the last property missing: "No results".
    let err = run("$.a.b", json!({"a": 5})).unwrap_err();
    assert_eq!(
        err.cause,
        "Invalid path '$.a.b' : No results for path: $['a']['b']"
    );
}

#[test]
fn result_path_places_values() {
    let out = apply_result_path(json!({"a": 1}), "$.b.c", json!(2)).unwrap();
    assert_eq!(out, json!({"a": 1, "b": {"c": 2}}));
    let out = apply_result_path(json!({"a": 1}), "$", json!(2)).unwrap();
    assert_eq!(out, json!(2));
    let out = apply_result_path(json!({"a": [0, 1]}), "$.a[1]", json!("x")).unwrap();
    assert_eq!(out, json!({"a": [0, "x"]}));
    let out = apply_result_path(json!({"a": {"k": 1}}), "$['a']['z']", json!(3)).unwrap();
    assert_eq!(out, json!({"a": {"k": 1, "z": 3}}));
}

#[test]
fn result_path_failures() {
    let err = apply_result_path(json!("text"), "$.a", json!(1)).unwrap_err();
    assert_eq!(err.error, "States.ResultPathMatchFailure");
    assert_eq!(
        err.cause,
        "Unable to apply ReferencePath $.a to input \"text\""
    );
    assert!(apply_result_path(json!({"a": 5}), "$.a.b", json!(1)).is_err());
    assert!(apply_result_path(json!({"a": []}), "$.a[0]", json!(1)).is_err());
}

#[test]
fn static_checks() {
    assert!(check_path("$.a[?(@.x > 1)]").is_ok());
    assert!(check_path("$$.Map.Item.Value").is_ok());
    assert!(check_path("a.b").is_err());
    assert!(check_path("$.a[").is_err());
    assert!(check_reference_path("$.a.b").is_ok());
    assert!(check_reference_path("$.a[*]").is_err());
    assert!(check_reference_path("$$.Execution").is_err());
}

#[test]
fn display_round_trips() {
    for text in [
        "$.a['b c'][0]",
        "$..x[1:3]",
        "$.a[?(@.x > 1 && @.y == 'q')]",
        "$$.Map.Item.Value",
        "$v[0,1]",
    ] {
        let parsed = parse(text).unwrap();
        assert_eq!(parse(&parsed.to_string()).unwrap(), parsed, "{text}");
    }
}

#[test]
fn multi_name_selector_merges_into_an_object() {
    let input = json!({"a": 1, "b": 2, "c": 3});
    assert_eq!(
        run("$['a','c']", input.clone()).unwrap(),
        json!({"a": 1, "c": 3})
    );
    assert_eq!(run("$['a','zz']", input).unwrap(), json!({"a": 1}));
}

#[test]
fn shortcut_agrees_with_the_parser() {
    let input = json!({"a": {"b": [10, {"c": null}]}, "x y": 1, "a*b": 2, "k)": 3});
    let context = json!({"Execution": {"Id": "e"}});
    let vars: Map = [("v".to_string(), json!([5]))].into_iter().collect();
    let scope = Scope {
        input: &input,
        context: &context,
        variables: &vars,
    };
    for text in [
        "$",
        "$.a",
        "$.a.b[1].c",
        "$.a.b[01]",
        "$.a.b[9]",
        "$.nope.x",
        "$.x y",
        "$.a*b",
        "$.k)",
        "$$",
        "$$.Execution.Id",
        "$v[0]",
        "$v[1]",
        "$missing",
        "$.a.b[1]x",
        "$.a..b",
        "$.",
    ] {
        let slow = parse(text)
            .ok()
            .map(|p| evaluate(&p, &scope).ok().flatten());
        if let Some(fast) = lookup(text, &scope) {
            assert_eq!(slow, Some(fast.cloned()), "{text}");
        }
    }
}

#[test]
fn lookup_input_mut_finds_plain_input_paths_only() {
    let mut input = json!({"a": {"b": [10, 20]}, "items": [1]});
    *lookup_input_mut("$.a.b[1]", &mut input).unwrap() = json!(21);
    assert_eq!(input["a"]["b"], json!([10, 21]));
    assert_eq!(
        lookup_input_mut("$['items']", &mut input),
        Some(&mut json!([1]))
    );
    assert!(lookup_input_mut("$", &mut input).is_some_and(|v| v.is_object()));
    // Nothing there, another root, a negative index, a wildcard, a function: not a plain node.
    for path in [
        "$.missing",
        "$.a.b[5]",
        "$$.x",
        "$v",
        "$.a.b[-1]",
        "$.a.*",
        "$.a.b.length()",
    ] {
        assert!(lookup_input_mut(path, &mut input).is_none(), "{path}");
    }
}

#[test]
fn parsed_definite_paths_give_the_node_or_nothing() {
    let input = json!({"a": {"b": [10, 20, 30], "c": null}, "s": "x"});
    let eval = |text: &str| {
        in_scope(&input, |scope| {
            evaluate(&parse(text).unwrap(), scope).unwrap()
        })
    };
    assert_eq!(eval("$.a.b[1]"), Some(json!(20)));
    assert_eq!(eval("$.a.c"), Some(Value::Null));
    assert_eq!(eval("$['a']['b'][0]"), Some(json!(10)));
    // Steps the direct walk leaves to the full evaluation: a negative index, a missing
    // member, a name applied to a string, an index past the end.
    assert_eq!(eval("$.a.b[-1]"), Some(json!(30)));
    assert_eq!(eval("$.a.missing"), None);
    assert_eq!(eval("$.s.t"), None);
    assert_eq!(eval("$.a.b[7]"), None);
    assert_eq!(eval("$.a.b.length()"), Some(json!(3)));
}

#[test]
fn members_are_found_in_small_and_large_objects_alike() {
    for size in [1, 8, 9, 40] {
        let object = Value::Object((0..size).map(|i| (format!("k{i}"), json!(i))).collect());
        let last = format!("$.k{}", size - 1);
        assert_eq!(run(&last, object.clone()).ok(), Some(json!(size - 1)));
        assert_eq!(run("$.k0", object.clone()).ok(), Some(json!(0)));
        assert!(run("$.k", object.clone()).is_err());
        assert!(run(&format!("$.k{size}"), object).is_err());
    }
}

#[test]
fn a_result_path_replaces_a_key_in_place_and_appends_a_new_one() {
    for size in [2, 12] {
        let input: Map = (0..size).map(|i| (format!("k{i}"), json!(i))).collect();
        let replaced = apply_result_path(Value::Object(input.clone()), "$.k1", json!("r")).unwrap();
        let keys: Vec<&str> = replaced
            .as_object()
            .unwrap()
            .keys()
            .map(|k| k.as_str())
            .collect();
        assert_eq!(keys.len(), size);
        assert_eq!(keys[1], "k1");
        assert_eq!(replaced["k1"], json!("r"));
        let added = apply_result_path(Value::Object(input), "$.new", json!("n")).unwrap();
        let keys: Vec<&str> = added
            .as_object()
            .unwrap()
            .keys()
            .map(|k| k.as_str())
            .collect();
        assert_eq!(keys.last(), Some(&"new"));
        assert_eq!(keys.len(), size + 1);
    }
}
