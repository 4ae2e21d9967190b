//! JSONata evaluation cost for the engine's common cases, next to a JSONPath field selection.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use serde_json_path::JsonPath;
use sfn_json::json;
use sfn_jsonata::{Bindings, Expression};

fn states() -> sfn_json::Value {
    json!({
        "input": {"a": {"b": 42, "c": "text"}, "items": [1, 2, 3, 4, 5]},
        "context": {"Execution": {"Id": "arn:aws:states:::execution:sm:1"}},
    })
}

fn field_selection(c: &mut Criterion) {
    let doc = states();
    let bindings = Bindings::with_aws_functions().with_value("states", doc.clone());
    let expr = Expression::parse("$states.input.a.b").expect("valid expression");
    c.bench_function("jsonata $states.input.a.b", |b| {
        b.iter(|| expr.evaluate(None, black_box(&bindings)))
    });

    // serde_json_path reads serde_json values: the same document in that form.
    let serde_doc = serde_json::Value::from(doc.clone());
    let path = JsonPath::parse("$.input.a.b").expect("valid path");
    c.bench_function("jsonpath $.input.a.b", |b| {
        b.iter(|| {
            path.query(black_box(&serde_doc))
                .exactly_one()
                .ok()
                .cloned()
        })
    });

    c.bench_function("jsonata bindings + evaluate", |b| {
        b.iter(|| {
            let bindings = Bindings::with_aws_functions().with_value("states", doc.clone());
            expr.evaluate(None, &bindings)
        })
    });

    let sum = Expression::parse("$sum($states.input.items) * 2").expect("valid expression");
    c.bench_function("jsonata $sum($states.input.items) * 2", |b| {
        b.iter(|| sum.evaluate(None, black_box(&bindings)))
    });

    let object = Expression::parse("{'id': $states.context.Execution.Id, 'n': $count($states.input.items), 'b': $states.input.a.b > 40}")
        .expect("valid expression");
    c.bench_function("jsonata object constructor", |b| {
        b.iter(|| object.evaluate(None, black_box(&bindings)))
    });

    c.bench_function("jsonata parse", |b| {
        b.iter(|| Expression::parse(black_box("$states.input.a.b = 42 ? 'yes' : 'no'")))
    });
}

criterion_group!(benches, field_selection);
criterion_main!(benches);
