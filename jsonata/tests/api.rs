//! The public API the engine uses: bindings (owned, borrowed, host functions), undefined and
//! function results, error display.

use sfn_json::json;
use sfn_jsonata::{Bindings, Expression, FUNCTION_RESULT, JsonataError, Outcome};

#[test]
fn borrowed_bindings_are_read_without_copying() {
    let states = json!({"input": {"order": {"id": "o-1", "lines": [{"qty": 2}, {"qty": 3}]}}});
    let bindings = Bindings::with_aws_functions().with_ref("states", &states);
    let id = Expression::parse("$states.input.order.id").expect("parses");
    assert_eq!(id.evaluate(None, &bindings), Ok(Some(json!("o-1"))));
    let total = Expression::parse("$sum($states.input.order.lines.qty)").expect("parses");
    assert_eq!(total.evaluate(None, &bindings), Ok(Some(json!(5))));
    assert_eq!(bindings.get("states"), Some(&states));
}

#[test]
fn input_is_the_context_and_undefined_is_none() {
    let expr = Expression::parse("a.b").expect("parses");
    let bindings = Bindings::new();
    assert_eq!(
        expr.evaluate(Some(&json!({"a": {"b": [1]}})), &bindings),
        Ok(Some(json!([1])))
    );
    assert_eq!(expr.evaluate(Some(&json!({"a": 1})), &bindings), Ok(None));
    assert_eq!(expr.evaluate(None, &bindings), Ok(None));
}

#[test]
fn function_results_are_reported_distinctly() {
    let expr = Expression::parse("function($x){$x}").expect("parses");
    let err = expr
        .evaluate(None, &Bindings::new())
        .expect_err("functions are not JSON");
    assert_eq!(err.code, FUNCTION_RESULT);
    assert_eq!(
        expr.evaluate_outcome(None, &Bindings::new()),
        Ok(Outcome::Function)
    );
    let nested = Expression::parse("{'f': function($x){$x}, 'n': 1}").expect("parses");
    assert_eq!(
        nested.evaluate(None, &Bindings::new()),
        Ok(Some(json!({"f": "", "n": 1})))
    );
}

#[test]
fn host_functions_receive_json_and_may_return_undefined() {
    let mut bindings = Bindings::new();
    bindings.add_function("double", |args| {
        Ok(args
            .first()
            .and_then(|v| v.as_f64())
            .map(|n| json!(n * 2.0)))
    });
    bindings.add_function("fail", |_| Err(JsonataError::new("X0001", "host failure")));
    let expr = Expression::parse("$double(21)").expect("parses");
    assert_eq!(expr.evaluate(None, &bindings), Ok(Some(json!(42))));
    let none = Expression::parse("$double('x')").expect("parses");
    assert_eq!(none.evaluate(None, &bindings), Ok(None));
    let fail = Expression::parse("$fail()").expect("parses");
    assert_eq!(
        fail.evaluate(None, &bindings).map_err(|e| e.code),
        Err("X0001".to_string())
    );
}

#[test]
fn errors_display_like_jsonata_js_with_positions() {
    let err = Expression::parse("$nope()")
        .expect("parses")
        .evaluate(None, &Bindings::new())
        .expect_err("not a function");
    assert_eq!(err.to_string(), "T1006: Attempted to invoke a non-function");
    let err = Expression::parse("1 + 'a'")
        .expect("parses")
        .evaluate(None, &Bindings::new())
        .expect_err("type error");
    assert_eq!(
        err.to_string(),
        "T2002: The right side of the \"+\" operator must evaluate to a number"
    );
    assert!(err.position.is_some());
    let err = Expression::parse("(1").expect_err("syntax error");
    assert_eq!(err.code, "S0203");
}

#[test]
fn aws_functions_need_the_aws_bindings() {
    let expr = Expression::parse("$uuid()").expect("parses");
    assert_eq!(
        expr.evaluate(None, &Bindings::new()).map_err(|e| e.code),
        Err("T1006".to_string())
    );
    let uuid = expr
        .evaluate(None, &Bindings::with_aws_functions())
        .expect("uuid")
        .expect("defined");
    assert_eq!(uuid.as_str().map(str::len), Some(36));
}

#[test]
fn whole_numbers_are_json_integers() {
    let expr = Expression::parse("[1.0, 2.5 * 2, -0, 1e3, 0.5]").expect("parses");
    let out = expr
        .evaluate(None, &Bindings::new())
        .expect("evaluates")
        .expect("defined");
    assert_eq!(out.to_string(), "[1,5,0,1000,0.5]");
}

#[test]
fn free_variables_lists_unbound_references() {
    let free = |src: &str| Expression::parse(src).expect("parses").free_variables();
    assert_eq!(
        free("$states.input.a + $counter"),
        vec!["states", "counter"]
    );
    assert_eq!(free("($x := 1; $x + $y)"), vec!["y"]);
    assert_eq!(free("function($a){ $a + $b }"), vec!["b"]);
    assert_eq!(
        free("$map($items, function($v, $i){ $v * $i })"),
        vec!["items"]
    );
    assert_eq!(free("orders@$o.$o.lines#$i[$i < $limit]"), vec!["limit"]);
    assert_eq!(free("$ + $$.a + $sum([1]) + $uuid()"), Vec::<String>::new());
    assert_eq!(
        free("($f := function($n){ $n = 0 ? 0 : $f($n - 1) }; $f($depth))"),
        vec!["depth"]
    );
}

#[test]
fn expressions_and_bindings_can_be_shared_across_threads() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Expression>();
    assert_send_sync::<Bindings<'static>>();
    assert_send_sync::<JsonataError>();
    let expr = std::sync::Arc::new(Expression::parse("$states.input.n * 2").expect("parses"));
    let handles: Vec<_> = (0..4)
        .map(|n| {
            let expr = expr.clone();
            std::thread::spawn(move || {
                let bindings = Bindings::new().with_value("states", json!({"input": {"n": n}}));
                expr.evaluate(None, &bindings)
            })
        })
        .collect();
    let results: Vec<_> = handles
        .into_iter()
        .map(|h| h.join().expect("thread finished"))
        .collect();
    assert_eq!(
        results,
        (0..4).map(|n| Ok(Some(json!(n * 2)))).collect::<Vec<_>>()
    );
}
