//! Resource limits: deep nesting and runaway evaluations end in errors, never in a stack
//! overflow or a hang. Each check runs on a thread with a 2 MiB stack (a Tokio worker's size).

use sfn_json::json;
use sfn_jsonata::{Bindings, Expression};

fn on_small_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::Builder::new()
        .stack_size(2 * 1024 * 1024)
        .spawn(f)
        .expect("spawn test thread")
        .join()
        .expect("no panic or stack overflow")
}

fn error_code(src: String) -> Option<String> {
    on_small_stack(move || match Expression::parse(&src) {
        Err(e) => Some(e.code),
        Ok(expr) => expr
            .evaluate(Some(&json!({"a": 1})), &Bindings::new())
            .err()
            .map(|e| e.code),
    })
}

#[test]
fn deeply_nested_parentheses_are_rejected() {
    let src = format!("{}1{}", "(".repeat(100_000), ")".repeat(100_000));
    assert_eq!(error_code(src).as_deref(), Some("U1001"));
}

#[test]
fn deeply_nested_arrays_and_objects_are_rejected() {
    let arrays = format!("{}1{}", "[".repeat(50_000), "]".repeat(50_000));
    assert_eq!(error_code(arrays).as_deref(), Some("U1001"));
    let objects = format!("{}1{}", "{'a':".repeat(50_000), "}".repeat(50_000));
    assert_eq!(error_code(objects).as_deref(), Some("U1001"));
}

#[test]
fn long_operator_chains_and_unary_minus_are_rejected() {
    let chain = format!("1{}", "+1".repeat(200_000));
    assert_eq!(error_code(chain).as_deref(), Some("U1001"));
    let minus = format!("{}1", "-".repeat(100_000));
    assert_eq!(error_code(minus).as_deref(), Some("U1001"));
}

#[test]
fn moderate_nesting_still_works() {
    let src = format!("{}1{}", "(".repeat(25), ")".repeat(25));
    let v = on_small_stack(move || {
        Expression::parse(&src).and_then(|e| e.evaluate(None, &Bindings::new()))
    });
    assert_eq!(v, Ok(Some(json!(1))));
    let sum = format!("0{}", "+1".repeat(30));
    let v = on_small_stack(move || {
        Expression::parse(&sum).and_then(|e| e.evaluate(None, &Bindings::new()))
    });
    assert_eq!(v, Ok(Some(json!(30))));
}

#[test]
fn unbounded_recursion_is_a_stack_error() {
    let src = "($f := function($n){ $n = 0 ? 0 : 1 + $f($n - 1) }; $f(1000000))".to_string();
    assert_eq!(error_code(src).as_deref(), Some("U1001"));
}

#[test]
fn bounded_recursion_succeeds() {
    let v = on_small_stack(|| {
        Expression::parse("($f := function($n){ $n = 0 ? 0 : 1 + $f($n - 1) }; $f(20))")
            .and_then(|e| e.evaluate(None, &Bindings::new()))
    });
    assert_eq!(v, Ok(Some(json!(20))));
}

#[test]
fn exponential_work_hits_the_step_limit() {
    let src = "($f := function($n){ $n = 0 ? 1 : $f($n - 1) + $f($n - 1) }; $f(25))".to_string();
    assert_eq!(error_code(src).as_deref(), Some("U1002"));
}

#[test]
fn huge_ranges_are_bounded() {
    assert_eq!(
        error_code("$count([1..9999999])".into()).as_deref(),
        Some("U1002")
    );
    assert_eq!(
        error_code("[1..100000000]".into()).as_deref(),
        Some("D2014")
    );
}

#[test]
fn tail_calls_run_in_constant_stack() {
    let v = on_small_stack(|| {
        Expression::parse(
            "($loop := function($i, $acc){ $i = 0 ? $acc : $loop($i - 1, $acc + 1) }; $loop(100000, 0))",
        )
        .and_then(|e| e.evaluate(None, &Bindings::new()))
    });
    assert_eq!(v, Ok(Some(json!(100000))));
    // a tail call through a block and to a built-in at the end
    let v = on_small_stack(|| {
        Expression::parse(
            "($f := function($n){ ($m := $n - 1; $m < 0 ? $string('done') : $f($m)) }; $f(50000))",
        )
        .and_then(|e| e.evaluate(None, &Bindings::new()))
    });
    assert_eq!(v, Ok(Some(json!("done"))));
}

#[test]
fn infinite_tail_recursion_hits_the_step_limit() {
    let src = "($f := function($n){ $f($n + 1) }; $f(0))".to_string();
    assert_eq!(error_code(src).as_deref(), Some("U1002"));
}

#[test]
fn huge_date_picture_widths_are_capped() {
    // Found by the property test: `[Y,1000000000]` asked for a gigabyte-wide year.
    for picture in [
        "[Y,1000000000]",
        "[f,1000000000]",
        "[M,5-1000000000000]",
        "[Y0001,99999999999999999999]",
    ] {
        let src = format!("$length($fromMillis(0, '{picture}'))");
        let length = on_small_stack(move || {
            let expr = Expression::parse(&src).expect("valid expression");
            expr.evaluate(None, &Bindings::new()).expect("evaluates")
        });
        let length = length.and_then(|n| n.as_u64()).unwrap_or(u64::MAX);
        assert!(length <= 10_000_000, "{picture}: {length} characters");
    }
    // Ordinary widths are untouched.
    let expr = Expression::parse("$fromMillis(0, '[Y,2]-[M01]-[D,3]')").expect("valid");
    assert_eq!(
        expr.evaluate(None, &Bindings::new()).expect("evaluates"),
        Some(json!("70-01-001"))
    );
}

#[test]
fn pictures_longer_than_rusts_format_width_do_not_panic() {
    // `format!` panics on a width or precision past 65,535: these pictures ask for 70,000.
    let zeros = "0".repeat(70_000);
    let src = format!("$length($formatInteger(5, '{zeros}'))");
    let length = on_small_stack(move || {
        let expr = Expression::parse(&src).expect("valid expression");
        expr.evaluate(None, &Bindings::new()).expect("evaluates")
    });
    assert_eq!(length, Some(json!(70_000)));
    // jsonata-js refuses these (toFixed takes at most 100 digits); here they must only end.
    for picture in [format!("0.{zeros}"), format!("0.0e{zeros}")] {
        let src = format!("$formatNumber(1.5, '{picture}')");
        let ended = on_small_stack(move || {
            let expr = Expression::parse(&src).expect("valid expression");
            expr.evaluate(None, &Bindings::new()).is_ok()
        });
        assert!(ended);
    }
    let expr = Expression::parse("$formatNumber(1.5, '0.000')").expect("valid");
    assert_eq!(
        expr.evaluate(None, &Bindings::new()).expect("evaluates"),
        Some(json!("1.500"))
    );
}

#[test]
fn a_huge_roman_numeral_is_refused_not_written() {
    // -7.9e164 came from the property test: it would be 1.8e16 "M"s.
    for value in ["-7.915527285307393e164", "1e300", "10000001"] {
        assert_eq!(
            error_code(format!("$formatInteger({value}, 'I')")).as_deref(),
            Some("U1002"),
            "{value}"
        );
        assert_eq!(
            error_code(format!("$formatInteger({value}, 'i;o')")).as_deref(),
            Some("U1002"),
            "{value}"
        );
    }
    let ok = on_small_stack(|| {
        Expression::parse("$formatInteger(10000000, 'I')")
            .unwrap()
            .evaluate(None, &Bindings::new())
            .unwrap()
    });
    assert_eq!(ok.and_then(|v| v.as_str().map(str::len)), Some(10_000));
    let small = on_small_stack(|| {
        Expression::parse("$formatInteger(1994, 'I')")
            .unwrap()
            .evaluate(None, &Bindings::new())
            .unwrap()
    });
    assert_eq!(small, Some(json!("MCMXCIV")));
}
