//! Every JSONata expression of the conformance corpus (/work/shared/conformance), with the
//! `$states` binding its case gives it and the value (or error) the recorded AWS run implies.

use sfn_json::{Value, json};
use sfn_jsonata::{Bindings, Expression, FUNCTION_RESULT};

fn eval(
    expr: &str,
    input: Value,
    vars: &[(&str, Value)],
) -> Result<Option<Value>, sfn_jsonata::JsonataError> {
    let mut bindings =
        Bindings::with_aws_functions().with_value("states", json!({"input": input, "context": {}}));
    for (name, value) in vars {
        bindings.insert(*name, value.clone());
    }
    Expression::parse(expr)?.evaluate(None, &bindings)
}

fn ok(expr: &str, input: Value, expected: Value) {
    assert_eq!(
        eval(expr, input, &[]).unwrap_or_else(|e| panic!("{expr}: {e}")),
        Some(expected),
        "{expr}"
    );
}

#[test]
fn literals_and_constructors() {
    ok("1", json!({}), json!(1));
    ok("true", json!({}), json!(true));
    ok("null", json!({}), json!(null));
    ok("'string'", json!({}), json!("string"));
    ok("[]", json!({}), json!([]));
    ok("[0]", json!({}), json!([0]));
    ok("{'foo': 'bar'}", json!({}), json!({"foo": "bar"}));
}

#[test]
fn field_selection_and_comparisons() {
    ok("$states.input", json!({"a": 1}), json!({"a": 1}));
    ok(
        "$states.input.items",
        json!({"items": [1, 2]}),
        json!([1, 2]),
    );
    ok(
        "$states.input.result.done",
        json!({"result": {"done": false}}),
        json!(false),
    );
    ok(
        "$not($states.input.result.done)",
        json!({"result": {"done": false}}),
        json!(true),
    );
    ok(
        "$not($states.input.type = 'Private')",
        json!({"type": "Private"}),
        json!(false),
    );
    ok(
        "$states.input.value = 0",
        json!({"value": 22}),
        json!(false),
    );
    ok(
        "$states.input.value >= 20 and $states.input.value < 30",
        json!({"value": 22}),
        json!(true),
    );
    ok(
        "$states.input.str_value = \"string literal\"",
        json!({"str_value": "string literal"}),
        json!(true),
    );
    ok("$states.input = '\"'", json!("\""), json!(true));
    assert_eq!(
        eval("$var = '\"'", json!({}), &[("var", json!("\""))]),
        Ok(Some(json!(true)))
    );
    assert_eq!(eval("$states.input.missing", json!({}), &[]), Ok(None));
}

#[test]
fn functions_used_by_the_corpus() {
    ok("$number(\"2\")", json!({}), json!(2));
    ok("$number('2')", json!({}), json!(2));
    ok(
        "$contains(\"hello$world\", /^hello\\$/)",
        json!({}),
        json!(true),
    );
    ok(
        "$contains(\"hello$world\", /^hello\\ /)",
        json!({}),
        json!(false),
    );
    ok(
        "$contains('hello$world', /^hello\\ /)",
        json!({}),
        json!(false),
    );
    ok(
        "$merge([$states.input.part1, $states.input.part2])",
        json!({"part1": {"hello": "world"}, "part2": {"foo": "bar"}}),
        json!({"hello": "world", "foo": "bar"}),
    );
    assert_eq!(
        eval(
            "$sum($states.input.input_values) + $var_constant_1",
            json!({"input_values": [1, 2, 3]}),
            &[("var_constant_1", json!(1))]
        ),
        Ok(Some(json!(7)))
    );
}

#[test]
fn variables_and_assignments() {
    assert_eq!(
        eval(
            "$varname.varfield",
            json!({}),
            &[("varname", json!({"varfield": 5}))]
        ),
        Ok(Some(json!(5)))
    );
    assert_eq!(eval("$doesNotExist", json!({}), &[]), Ok(None));
    assert_eq!(eval("$variable := 1", json!({}), &[]), Ok(Some(json!(1))));
    let err =
        eval("$fn := function($x){$x}", json!({}), &[]).expect_err("a function is not a value");
    assert_eq!(err.code, FUNCTION_RESULT);
}

#[test]
fn aws_functions_from_the_corpus() {
    let input = |fst: Value, snd: Value| json!({"FunctionInput": {"fst": fst, "snd": snd}});
    let partition = "$partition($states.input.FunctionInput.fst, $states.input.FunctionInput.snd)";
    ok(partition, input(json!([0]), json!(4)), json!([[0]]));
    ok(
        partition,
        input(json!([0, 1, 2]), json!(2)),
        json!([[0, 1], [2]]),
    );
    ok(
        partition,
        input(json!([0, 1, 2, 3]), json!(3)),
        json!([[0, 1, 2], [3]]),
    );
    let range = "$range($states.input.FunctionInput.fst, $states.input.FunctionInput.snd, $states.input.FunctionInput.trd)";
    ok(
        range,
        json!({"FunctionInput": {"fst": 0, "snd": 10, "trd": 3}}),
        json!([0, 3, 6, 9]),
    );
    ok(
        range,
        json!({"FunctionInput": {"fst": 1, "snd": 9, "trd": 2}}),
        json!([1, 3, 5, 7, 9]),
    );
    ok(
        "$parse($states.input.FunctionInput)",
        json!({"FunctionInput": "-0"}),
        json!(0),
    );
    ok(
        "$parse($states.input.FunctionInput)",
        json!({"FunctionInput": "1.1"}),
        json!(1.1),
    );
    ok(
        "$parse($states.input.FunctionInput)",
        json!({"FunctionInput": "{\"Arg1\": 1, \"Arg2\": []}"}),
        json!({"Arg1": 1, "Arg2": []}),
    );
}

#[test]
fn unknown_function_error_matches_aws_cause() {
    let err = eval(
        "$randomSeeded($states.input.FunctionInput.fst)",
        json!({"FunctionInput": {"fst": 1}}),
        &[],
    )
    .expect_err("not a function");
    assert_eq!(err.to_string(), "T1006: Attempted to invoke a non-function");
}
