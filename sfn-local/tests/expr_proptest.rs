//! Property tests for the expression parsers and evaluators: no panic on any input, and
//! printing a parsed path or intrinsic call and parsing it again gives the same tree.

use proptest::prelude::*;
use sfn_json::{Map, Value, json};
use sfn_local::expr::compiled::CompiledTemplate;
use sfn_local::expr::{Scope, choice, intrinsic, path, template, timestamp};
use sfn_local::model::choice::ChoiceRule;

fn document() -> Value {
    json!({
        "a": {"b": [1, 2.5, "x", null, {"c": true}]},
        "items": [{"v": 1, "n": "p"}, {"v": 2}, {"w": [3]}],
        "s": "hello, world",
        "delivery-partner": "d"
    })
}

fn with_scope<T>(f: impl FnOnce(&Scope) -> T) -> T {
    let input = document();
    let context = json!({"Execution": {"Input": document()}, "Map": {"Item": {"Index": 0}}});
    let vars: Map = [("v".to_string(), json!([1, 2]))].into_iter().collect();
    let scope = Scope {
        input: &input,
        context: &context,
        variables: &vars,
    };
    f(&scope)
}

/// Strings made of the characters paths are built from, so the parser goes deep.
fn path_like() -> impl Strategy<Value = String> {
    proptest::string::string_regex(r"\$\$?[a-z.\[\]*?@()'=<>!&|, 0-9:\-]{0,30}")
        .expect("valid regex")
}

/// Paths close to the shortcut's grammar (names, indexes, roots) with a few odd characters.
fn simple_path_like() -> impl Strategy<Value = String> {
    proptest::string::string_regex(
        r"\$(\$|v|x)?(\.(a|b|s|items|delivery-partner|\*|)|\[[0-9]{0,2}\]|\[-1\]|\(\)| ){0,5}",
    )
    .expect("valid regex")
}

fn intrinsic_like() -> impl Strategy<Value = String> {
    let name = prop::sample::select(vec![
        "States.Format",
        "States.Array",
        "States.MathAdd",
        "States.ArrayRange",
        "States.StringSplit",
        "States.JsonMerge",
        "States.Hash",
        "States.UUID",
        "States.MathRandom",
        "States.ArrayGetItem",
    ]);
    let arg = prop::sample::select(vec![
        "'a{}b'",
        "'\\\\'",
        "'\\''",
        "'{}'",
        "1",
        "-2.5",
        "true",
        "null",
        "$.a.b",
        "$.items[*].v",
        "$$.Map.Item.Index",
        "$v",
        "$.s",
        "''",
        "1000",
        "0",
    ]);
    (name, prop::collection::vec(arg, 0..4), any::<bool>()).prop_map(|(n, args, nest)| {
        let inner = format!("{n}({})", args.join(", "));
        if nest {
            format!("States.Array({inner}, 1)")
        } else {
            inner
        }
    })
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(|f| sfn_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        "[a-z$.\\[\\]*()' ,{}]{0,12}".prop_map(Value::String),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map("[a-z]{1,3}(\\.\\$)?", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// Payload templates whose `.$` values are deterministic expressions that find something,
/// find nothing or do not parse, or no string at all; keys may clash once suffixes go.
fn template_value() -> impl Strategy<Value = Value> {
    let expression = prop::sample::select(vec![
        json!("$.a.b"),
        json!("$.items[*].v"),
        json!("$.items[0].n"),
        json!("$.nope"),
        json!("$.a.nope.deeper"),
        json!("$"),
        json!("$$.Map.Item.Index"),
        json!("$$.Execution.Input.s"),
        json!("$v"),
        json!("$v[1]"),
        json!("$undefined"),
        json!("$.delivery-partner"),
        json!("States.Format('x{}', $.s)"),
        json!("States.Array($.a.b, 1)"),
        json!("States.ArrayGetItem($.items, 5)"),
        json!("States.StringSplit($.nope, ',')"),
        json!("States.Bogus()"),
        json!("$["),
        json!("not a path"),
        json!(1),
        json!({"k": "$.s"}),
    ]);
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<i64>().prop_map(Value::from),
        "[a-z$.]{0,5}".prop_map(Value::String)
    ];
    leaf.prop_recursive(3, 24, 4, move |inner| {
        let field = prop_oneof![
            ("[ab]{1,2}", inner.clone()),
            ("[ab]{1,2}\\.\\$", expression.clone()),
        ];
        prop_oneof![
            prop::collection::vec(inner, 0..4).prop_map(Value::Array),
            prop::collection::vec(field, 0..4)
                .prop_map(|fields| Value::Object(fields.into_iter().collect())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn compiled_templates_evaluate_as_written(template in template_value()) {
        with_scope(|scope| {
            let as_written = template::evaluate(&template, scope);
            let compiled = CompiledTemplate::new(&template).evaluate(scope);
            prop_assert_eq!(&compiled, &as_written, "{}", template);
            // Key order is the template's, as written.
            if let (Ok(Value::Object(a)), Ok(Value::Object(b))) = (&compiled, &as_written) {
                prop_assert!(a.keys().eq(b.keys()));
            }
            Ok(())
        })?;
    }

    #[test]
    fn path_parser_never_panics(text in any::<String>()) {
        let _ = path::check_path(&text);
        let _ = path::check_reference_path(&text);
    }

    #[test]
    fn path_queries_never_panic(text in path_like()) {
        with_scope(|scope| {
            let _ = path::query(&text, scope);
            let _ = path::query_opt(&text, scope);
        });
        let _ = path::apply_result_path(document(), &text, json!(1));
    }

    #[test]
    fn shortcut_agrees_with_the_full_parser(text in simple_path_like()) {
        with_scope(|scope| {
            if let Some(fast) = path::lookup(&text, scope) {
                let full = path::parse(&text).ok().map(|p| path::evaluate(&p, scope).ok().flatten());
                prop_assert_eq!(full, Some(fast.cloned()), "{}", text);
            }
            Ok(())
        })?;
    }

    #[test]
    fn path_print_parse_round_trip(text in path_like()) {
        if let Ok(parsed) = path::parse(&text) {
            let printed = parsed.to_string();
            prop_assert_eq!(path::parse(&printed), Ok(parsed), "printed as {}", printed);
        }
    }

    #[test]
    fn intrinsic_parser_never_panics(text in any::<String>()) {
        let _ = intrinsic::check(&text);
        let prefixed = format!("States.Format({text})");
        let _ = intrinsic::check(&prefixed);
    }

    #[test]
    fn intrinsic_evaluation_never_panics(text in intrinsic_like()) {
        with_scope(|scope| {
            let _ = intrinsic::evaluate(&text, scope);
        });
    }

    #[test]
    fn intrinsic_print_parse_round_trip(text in intrinsic_like()) {
        if let Ok(call) = intrinsic::parse(&text) {
            let printed = call.to_string();
            prop_assert_eq!(intrinsic::parse(&printed), Ok(call), "printed as {}", printed);
        }
    }

    #[test]
    fn templates_never_panic(template in json_value()) {
        let _ = template::check(&template);
        with_scope(|scope| {
            let _ = template::evaluate(&template, scope);
        });
    }

    #[test]
    fn choice_rules_never_panic(rule in json_value(), variable in path_like()) {
        let _ = ChoiceRule::try_from(rule);
        for op in ["StringMatches", "NumericEquals", "TimestampLessThan", "IsTimestamp", "StringEqualsPath"] {
            let operand = match op {
                "NumericEquals" => json!(1),
                "IsTimestamp" => json!(true),
                "StringEqualsPath" => json!("$.s"),
                _ => json!("*x\\*"),
            };
            let raw = json!({"Variable": variable, op: operand, "Next": "N"});
            if let Ok(rule) = ChoiceRule::try_from(raw) {
                let _ = choice::check(&rule);
                with_scope(|scope| {
                    let _ = choice::evaluate(&rule, scope);
                });
            }
        }
    }

    #[test]
    fn string_matches_and_timestamps_never_panic(text in any::<String>(), pattern in "[a-c*\\\\]{0,12}") {
        let _ = choice::string_matches(&text, &pattern);
        let _ = timestamp::parse(&text);
    }

    #[test]
    fn star_matches_everything(text in any::<String>()) {
        prop_assert!(choice::string_matches(&text, "*"));
        let literal = text.replace('\\', "\\\\").replace('*', "\\*");
        let suffix_pattern = format!("*{literal}");
        prop_assert!(choice::string_matches(&text, &suffix_pattern));
        prop_assert!(choice::string_matches(&text, &literal));
    }
}
