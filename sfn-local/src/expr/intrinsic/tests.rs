use sfn_json::{Map, Value, json};

use super::*;

fn eval_with(expression: &str, input: Value) -> Result<Value, StatesError> {
    let context = json!({"Execution": {"Input": input.clone()}});
    let vars: Map = [("n".to_string(), json!(5))].into_iter().collect();
    let scope = Scope {
        input: &input,
        context: &context,
        variables: &vars,
    };
    evaluate(expression, &scope)
}

fn eval(expression: &str) -> Value {
    match eval_with(
        expression,
        json!({"a": [1, 2, 3], "s": "x,y", "o": {"k": 1}}),
    ) {
        Ok(v) => v,
        Err(e) => panic!("{expression}: {e}"),
    }
}

fn fails(expression: &str) -> StatesError {
    match eval_with(expression, json!({"a": [1, 2, 3]})) {
        Ok(v) => panic!("{expression} gave {v}"),
        Err(e) => e,
    }
}

#[test]
fn format_fills_placeholders_and_honours_escapes() {
    assert_eq!(eval("States.Format('a{}b{}', 1, 'x')"), json!("a1bx"));
    assert_eq!(eval("States.Format('\\{\\} {}', $.o)"), json!("{} {k=1}"));
    assert_eq!(eval("States.Format('{}', $.a)"), json!("[1, 2, 3]"));
    assert_eq!(eval("States.Format('it\\'s {}', null)"), json!("it's null"));
    assert_eq!(eval("States.Format('\\\\')"), json!("\\"));
    let err = fails("States.Format('{} {}', 1)");
    assert_eq!(err.error, "States.Runtime");
    assert_eq!(err.cause, "Invalid arguments in States.Format");
}

#[test]
fn string_literal_escapes() {
    assert_eq!(
        eval("States.StringToJson('{\\\"k\\\": \\\"v\\\"}')"),
        json!({"k": "v"})
    );
    assert_eq!(eval("States.Format('a\\nb\\tc')"), json!("a\nb\tc"));
    assert_eq!(eval("States.Format('\\q\\.')"), json!("q\\."));
    assert_eq!(
        eval("States.JsonMerge(States.StringToJson('{\\\"a\\\": 1}'), $.o, false)"),
        json!({"a": 1, "k": 1})
    );
}

#[test]
fn json_conversions() {
    assert_eq!(
        eval("States.StringToJson('{\"a\": [1]}')"),
        json!({"a": [1]})
    );
    assert_eq!(eval("States.StringToJson(' ')"), Value::Null);
    assert_eq!(eval("States.JsonToString($.o)"), json!("{\"k\":1}"));
    assert_eq!(eval("States.JsonToString($.s)"), json!("\"x,y\""));
    assert_eq!(
        eval("States.JsonToString(States.Array(1e20, 2.50))"),
        json!("[1.0E20,2.5]")
    );
    assert_eq!(eval("States.Format('{}', 0.0001)"), json!("1.0E-4"));
    fails("States.StringToJson('{nope')");
    fails("States.StringToJson(1)");
}

#[test]
fn arrays() {
    assert_eq!(
        eval("States.Array(1, 'a', $.o, States.Array())"),
        json!([1, "a", {"k": 1}, []])
    );
    assert_eq!(eval("States.ArrayPartition($.a, 2)"), json!([[1, 2], [3]]));
    assert_eq!(
        eval("States.ArrayPartition($.a, 2.9)"),
        json!([[1, 2], [3]])
    );
    fails("States.ArrayPartition($.a, 0)");
    fails("States.ArrayPartition('x', 1)");
    assert_eq!(eval("States.ArrayContains($.a, 2.0)"), json!(true));
    assert_eq!(eval("States.ArrayContains($.a, '2')"), json!(false));
    assert_eq!(eval("States.ArrayRange(1, 9, 2)"), json!([1, 3, 5, 7, 9]));
    assert_eq!(eval("States.ArrayRange(5, 1, -2)"), json!([5, 3, 1]));
    assert_eq!(eval("States.ArrayRange(5, 1, 1)"), json!([]));
    assert_eq!(eval("States.ArrayRange(1.6, 1.4, 1)"), json!([1]));
    fails("States.ArrayRange(1, 10, 0)");
    fails("States.ArrayRange(1, 1001, 1)");
    assert_eq!(
        eval("States.ArrayRange(1, 1000, 1)")
            .as_array()
            .map(Vec::len),
        Some(1000)
    );
    assert_eq!(eval("States.ArrayGetItem($.a, 1)"), json!(2));
    fails("States.ArrayGetItem($.a, 3)");
    fails("States.ArrayGetItem($.a, -1)");
    assert_eq!(eval("States.ArrayLength($.a)"), json!(3));
    assert_eq!(
        eval("States.ArrayUnique(States.Array(1, 1.0, 'a', 'a', $.o, $.o))"),
        json!([1, "a", {"k": 1}])
    );
}

#[test]
fn encoding_and_hashing() {
    assert_eq!(
        eval("States.Base64Encode('Data to encode')"),
        json!("RGF0YSB0byBlbmNvZGU=")
    );
    assert_eq!(
        eval("States.Base64Decode('RGF0YSB0byBlbmNvZGU=')"),
        json!("Data to encode")
    );
    fails("States.Base64Decode('!!')");
    assert_eq!(eval("States.Base64Decode('RGF0YQ')"), json!("Data"));
    assert_eq!(eval("States.Base64Decode('/w==')"), json!("\u{FFFD}"));
    assert_eq!(
        eval("States.Hash('input data', 'SHA-256')"),
        json!("b4a697a057313163aee33cd8d40c66e9f0f177e00cac2de32475ffff6169c3e3")
    );
    assert_eq!(
        eval("States.Hash('input data', 'MD5')"),
        json!("812f45842bc6d66ee14572ce20db8e86")
    );
    assert_eq!(
        eval("States.Hash('input data', 'SHA-1')"),
        json!("aaff4a450a104cd177d28d18d74485e8cae074b7")
    );
    fails("States.Hash('input data', 'SHA-999')");
    let long = "x".repeat(10_001);
    let input = json!({"ok": &long[1..], "long": long});
    assert!(eval_with("States.Base64Encode($.ok)", input.clone()).is_ok());
    assert!(eval_with("States.Hash($.ok, 'MD5')", input.clone()).is_ok());
    assert!(eval_with("States.Base64Encode($.long)", input.clone()).is_err());
    assert!(eval_with("States.Hash($.long, 'MD5')", input).is_err());
}

#[test]
fn merge_math_split_uuid() {
    assert_eq!(
        eval("States.JsonMerge($.o, States.StringToJson('{\"k\": 2, \"z\": 3}'), false)"),
        json!({"k": 2, "z": 3})
    );
    fails("States.JsonMerge($.o, $.o, true)");
    assert_eq!(eval("States.MathAdd(1.5, -1.5)"), json!(1));
    assert_eq!(eval("States.MathAdd($n, -1)"), json!(4));
    fails("States.MathAdd('1', 2)");
    fails("States.MathAdd(2147483648, 1)");
    let seeded = eval("States.MathRandom(1, 100, 42)");
    assert_eq!(seeded, eval("States.MathRandom(1, 100, 42)"));
    for _ in 0..50 {
        let v = eval("States.MathRandom(1, 4)").as_i64().unwrap_or(-1);
        assert!((1..4).contains(&v), "{v}");
    }
    fails("States.MathRandom(1, 1)");
    fails("States.MathRandom(10, 5)");
    assert_eq!(
        eval("States.StringSplit('a,,b;c', ',;')"),
        json!(["a", "b", "c"])
    );
    assert_eq!(eval("States.StringSplit($.s, ',')"), json!(["x", "y"]));
    let id = eval("States.UUID()");
    let id = id.as_str().unwrap_or_default();
    assert_eq!(id.len(), 36);
    assert_eq!(id.chars().nth(14), Some('4'));
}

#[test]
fn parser_errors_and_checks() {
    assert!(check("States.Format('{}', States.MathAdd($.a[0], -1))").is_ok());
    assert!(check("States.Nope(1)").is_err());
    assert!(check("States.ArrayRange(1, 2)").is_err());
    assert!(check("States.UUID(1)").is_err());
    assert!(check("States.Format('x'").is_err());
    assert!(check("States.Format('x') extra").is_err());
    assert!(check("States.Array(bogus)").is_err());
    assert!(is_intrinsic("States.UUID()"));
    assert!(!is_intrinsic("$.States"));
}

#[test]
fn path_arguments_that_select_nothing_fail() {
    let err = fails("States.ArrayLength($.missing)");
    assert_eq!(err.error, "States.Runtime");
    assert!(err.cause.contains("No results for path"), "{}", err.cause);
}

#[test]
fn print_then_parse_is_identity() {
    for text in [
        "States.Format('a\\'b\\{\\} {} \\\\ x', $.a[0], -1.5, true, null)",
        "States.Array()",
        "States.MathAdd(States.MathAdd($x, $$.Map.Item.Index), 2)",
    ] {
        let call = parse(text).unwrap();
        assert_eq!(parse(&call.to_string()).unwrap(), call, "{text}");
    }
}
