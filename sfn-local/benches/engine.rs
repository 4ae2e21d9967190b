//! Engine throughput: Pass transitions, a Map over 100,000 items, a Choice/intrinsic mix.
//!
//! Run with `cargo bench -p sfn-local --bench engine`.

use std::hint::black_box;
use std::sync::Arc;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use sfn_json::{Map, Value, json};
use sfn_local::task::InProcessLambdas;
use sfn_local::{Engine, ExecutionOptions, Limits, StateMachine, parse_definition};

/// The allocator the `sfn-local` binary runs with (src/main.rs), so these are the shipped
/// engine's figures. With glibc's malloc instead, the peers cases take 5-10% longer
/// (bench/peers/README.md has both).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn machine(definition: &Value) -> Arc<StateMachine> {
    Arc::new(parse_definition(&definition.to_string()).unwrap_or_else(|e| panic!("{e}")))
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .start_paused(true)
        .build()
        .unwrap_or_else(|e| panic!("{e}"))
}

/// 1,000 Pass states in a row, each `state(i)` plus its `Next`, then a Succeed.
fn chain(state: impl Fn(usize) -> Value) -> Arc<StateMachine> {
    const LENGTH: usize = 1000;
    let mut states = Map::new();
    for i in 0..LENGTH {
        let mut pass = state(i);
        pass["Next"] = json!(format!("S{}", i + 1));
        states.insert(format!("S{i}"), pass);
    }
    states.insert(format!("S{LENGTH}"), json!({"Type": "Succeed"}));
    machine(&json!({"StartAt": "S0", "States": states}))
}

fn pass_chain(c: &mut Criterion) {
    let engine = Engine::new(Arc::new(InProcessLambdas::new()));
    let rt = runtime();
    let mut group = c.benchmark_group("pass_chain");
    group.throughput(Throughput::Elements(1000));
    let cases = [
        // Pass states with only `Next`: the input passes through.
        ("1000_pass_transitions", chain(|_| json!({"Type": "Pass"}))),
        // Pass states that put a Result into their input: the full input/output pipeline.
        (
            "1000_pass_with_result",
            chain(|i| json!({"Type": "Pass", "Result": {"step": i}, "ResultPath": "$.last"})),
        ),
    ];
    for (name, machine) in cases {
        group.bench_function(name, |b| {
            b.iter(|| {
                let outcome = rt.block_on(engine.execute(
                    machine.clone(),
                    json!({"order": {"id": 1}}),
                    ExecutionOptions::default(),
                ));
                black_box(outcome)
            })
        });
    }
    group.finish();
}

fn map_100k(c: &mut Criterion) {
    let machine = machine(&json!({"StartAt": "M", "States": {"M": {
        "Type": "Map", "ItemsPath": "$.items", "End": true,
        "ItemSelector": {"value.$": "$$.Map.Item.Value"},
        "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "InputPath": "$.value", "End": true}}}
    }}}));
    // 100,000 items are far past AWS's 256 KiB payload limit; lift it for the measure.
    let limits = Limits {
        payload_bytes: usize::MAX,
        history_events: u64::MAX,
    };
    let engine = Engine::new(Arc::new(InProcessLambdas::new())).with_limits(limits);
    let input = json!({"items": (0..100_000).collect::<Vec<_>>()});
    let rt = runtime();
    let mut group = c.benchmark_group("map");
    group.sample_size(10);
    group.bench_function("100000_items", |b| {
        b.iter(|| {
            black_box(rt.block_on(engine.execute(
                machine.clone(),
                input.clone(),
                ExecutionOptions::default(),
            )))
        })
    });
    group.finish();
}

fn choice_and_intrinsics(c: &mut Criterion) {
    let machine = machine(&json!({"StartAt": "Format", "States": {
        "Format": {"Type": "Pass", "Parameters": {"greeting.$": "States.Format('Hello {}', $.name)", "n.$": "States.MathAdd($.n, 1)"}, "Next": "Route"},
        "Route": {"Type": "Choice", "Choices": [
            {"And": [{"Variable": "$.n", "NumericGreaterThan": 5}, {"Variable": "$.greeting", "StringMatches": "Hello *"}], "Next": "Big"}
        ], "Default": "Small"},
        "Big": {"Type": "Succeed"},
        "Small": {"Type": "Succeed"}
    }}));
    let engine = Engine::new(Arc::new(InProcessLambdas::new()));
    let rt = runtime();
    c.bench_function("choice_and_intrinsics", |b| {
        b.iter(|| {
            black_box(rt.block_on(engine.execute(
                machine.clone(),
                json!({"name": "Ada", "n": 9}),
                ExecutionOptions::default(),
            )))
        })
    });
}

/// The bench/peers cases (definitions.py), in-process, for the ratio against
/// aws-local-stepfunctions in-process.
fn peer_cases(c: &mut Criterion) {
    let map_1000 = machine(&json!({"StartAt": "M", "States": {"M": {
        "Type": "Map", "ItemsPath": "$.items", "End": true,
        "Iterator": {"StartAt": "P", "States": {"P": {"Type": "Pass", "Parameters": {"sku.$": "$.sku", "packed": true}, "End": true}}}
    }}}));
    let items: Vec<Value> = (0..1000)
        .map(|i| json!({"sku": format!("sku-{i}"), "qty": i}))
        .collect();
    let map_input = json!({"items": items});
    let choice_loop = machine(&json!({"StartAt": "Route", "States": {
        "Route": {"Type": "Choice", "Choices": [{"And": [
            {"Variable": "$.n", "NumericLessThan": 100},
            {"Variable": "$.label", "StringMatches": "round *"}], "Next": "Step"}], "Default": "Done"},
        "Step": {"Type": "Pass", "Parameters": {
            "n.$": "States.MathAdd($.n, 1)", "label.$": "States.Format('round {}', $.n)",
            "parts.$": "States.StringSplit($.csv, ',')", "csv.$": "$.csv",
            "count.$": "States.ArrayLength(States.StringSplit($.csv, ','))"}, "Next": "Route"},
        "Done": {"Type": "Pass", "Parameters": {"rounds.$": "$.n", "last.$": "$.label", "count.$": "$.count"}, "End": true}
    }}));
    let loop_input = json!({"n": 0, "label": "round start", "csv": "a,b,c", "count": 0});
    let startup = machine(&json!({"StartAt": "Done", "States": {"Done": {"Type": "Succeed"}}}));
    // definitions.py's chain: S0..S998 lead on, S999 ends.
    let mut chain = Map::new();
    for i in 0..1000 {
        let state = if i < 999 {
            json!({"Type": "Pass", "Next": format!("S{}", i + 1)})
        } else {
            json!({"Type": "Pass", "End": true})
        };
        chain.insert(format!("S{i}"), state);
    }
    let pass_chain = machine(&json!({"StartAt": "S0", "States": chain}));
    let engine = Engine::new(Arc::new(InProcessLambdas::new()));
    let rt = runtime();
    let mut group = c.benchmark_group("peers");
    for (name, machine, input) in [
        ("startup_only", startup, json!({"order": {"id": 1}})),
        ("pass_chain_1000", pass_chain, json!({"order": {"id": 1}})),
        ("map_1000_pass", map_1000, map_input),
        ("choice_intrinsics_loop_100", choice_loop, loop_input),
    ] {
        // As aws-local-stepfunctions is timed: runs awaited inside a running event loop (one
        // `block_on` per batch, not one per run), each outcome dropped as its run ends (the
        // peer's become garbage as it goes). The inputs' copies are made outside the timing,
        // a batch at a time, so the heap stays as small as a reused input keeps the peer's.
        group.bench_function(name, |b| {
            b.iter_custom(|iters| {
                const BATCH: u64 = 256;
                let mut elapsed = std::time::Duration::ZERO;
                let mut left = iters;
                while left > 0 {
                    let batch = left.min(BATCH);
                    left -= batch;
                    let inputs: Vec<Value> = (0..batch).map(|_| input.clone()).collect();
                    elapsed += rt.block_on(async {
                        let start = std::time::Instant::now();
                        for input in inputs {
                            let options = ExecutionOptions::default();
                            black_box(engine.execute(machine.clone(), input, options).await);
                        }
                        start.elapsed()
                    });
                }
                elapsed
            })
        });
    }
    group.finish();
}

criterion_group!(
    benches,
    pass_chain,
    map_100k,
    choice_and_intrinsics,
    peer_cases
);
criterion_main!(benches);
