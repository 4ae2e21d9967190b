//! Property tests: the parser never panics on any string, and evaluation never panics on any
//! input document (errors are fine).

use proptest::prelude::*;
use sfn_json::Value;
use sfn_jsonata::{Bindings, Expression};

/// Fragments that make syntactically interesting expressions more likely than random text.
const FRAGMENTS: &[&str] = &[
    "$",
    "$$",
    "$x",
    "$states",
    ".",
    "a",
    "b",
    "`c d`",
    "*",
    "**",
    "[",
    "]",
    "(",
    ")",
    "{",
    "}",
    ",",
    ":",
    ";",
    "?",
    "?:",
    "??",
    "@",
    "#",
    "$i",
    "^(",
    "<",
    ">",
    "=",
    "!=",
    "+",
    "-",
    "/",
    "%",
    "&",
    "and",
    "or",
    "in",
    "..",
    ":=",
    "~>",
    "|",
    "function",
    "($v)",
    "{$v}",
    "'s'",
    "\"t\"",
    "0",
    "1",
    "-1",
    "2.5",
    "1e400",
    "true",
    "null",
    "/a+/i",
    "$map",
    "$sum",
    "$string",
    "$substring",
    "$sort",
    "$reduce",
    "$formatNumber",
    "$fromMillis",
    "$partition",
    "$range",
    "$hash",
    "$parse",
    "$uuid",
    "$random",
    "$keys",
    "$lookup",
    "$each",
    "$sift",
    "$zip",
    "$match",
    "$replace",
    "$split",
    "$formatInteger",
    "$parseInteger",
    "$toMillis",
    "$number",
    "$round",
    "$power",
    "$pad",
    "$spread",
    "$merge",
];

fn expression() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(FRAGMENTS), 0..24).prop_map(|parts| parts.join(" "))
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i32>().prop_map(Value::from),
        (-1e6f64..1e6).prop_map(Value::from),
        "[a-c ]{0,4}".prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 32, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map("[a-c]", inner, 0..5)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn parser_never_panics_on_arbitrary_text(src in "\\PC{0,64}") {
        let _ = Expression::parse(&src);
    }

    #[test]
    fn evaluation_never_panics(src in expression(), input in json_value()) {
        if let Ok(expr) = Expression::parse(&src) {
            let bindings = Bindings::with_aws_functions().with_value("states", sfn_json::json!({"input": input.clone()}));
            let _ = expr.evaluate(Some(&input), &bindings);
        }
    }

    #[test]
    fn field_selection_returns_the_field(key in "[a-z]{1,8}", value in json_value()) {
        let mut doc = sfn_json::Map::new();
        doc.insert(key.clone(), value.clone());
        let expr = Expression::parse(&format!("$states.input.`{key}`")).expect("valid path");
        let bindings = Bindings::new().with_value("states", sfn_json::json!({"input": Value::Object(doc)}));
        let got = expr.evaluate(None, &bindings).expect("field selection cannot fail");
        // a selected array of one item is still that array; numbers keep their value
        let same = match (&got, &value) {
            (Some(Value::Number(a)), Value::Number(b)) => a.as_f64() == b.as_f64(),
            (Some(g), v) => g == v,
            (None, _) => false,
        };
        prop_assert!(same, "got {:?} for {:?}", got, value);
    }

}

proptest! {
    // each case runs ~30 library calls, some building large strings: fewer cases
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn library_functions_never_panic_on_arbitrary_arguments(
        text in "\\PC{0,24}",
        picture in "[-+0-9#,.;%eEIiAaWwNnoYMDdFHhmsfZzPXx:\\[\\]\\* ]{0,16}",
        number in prop_oneof![any::<f64>(), -1e6f64..1e6, Just(0.5), Just(-0.0)],
    ) {
        const CALLS: &[&str] = &[
            "$fromMillis($n, $p)", "$fromMillis(0, $p, $t)", "$toMillis($t)", "$toMillis($t, $p)",
            "$formatNumber($n, $p)", "$formatInteger($n, $p)", "$parseInteger($t, $p)", "$formatBase($n, $n)",
            "$number($t)", "$decodeUrl($t)", "$decodeUrlComponent($t)", "$base64decode($t)", "$pad($t, $n, $p)",
            "$substring($t, $n, $n)", "$round($n, $n)", "$power($n, $n)", "$string($n)", "$split($t, $p, $n)",
            "$replace($t, $p, $t)", "$now($p, $t)", "$hash($t, $p)", "$range($n, $n, $n)", "$partition([1,2,3], $n)",
            "$parse($t)", "$random($n)", "$match($t, /a|b/, $n)", "$contains($t, $p)", "$trim($t) & $uppercase($t)",
        ];
        let mut bindings = Bindings::with_aws_functions();
        bindings.insert("t", Value::from(text));
        bindings.insert("p", Value::from(picture));
        bindings.insert("n", sfn_json::Number::from_f64(number).map(Value::Number).unwrap_or(Value::Null));
        for call in CALLS {
            let expr = Expression::parse(call).expect("valid call");
            let _ = expr.evaluate(None, &bindings);
        }
    }
}
