//! Any bytes as "definition NUL input": parsing, validation and (when valid) a whole execution on
//! the virtual clock must never panic. Lambda tasks have no functions registered, so they fail
//! the way a missing function does, which exercises Retry and Catch too.
#![no_main]

use std::sync::Arc;

use libfuzzer_sys::fuzz_target;
use sfn_local::task::InProcessLambdas;
use sfn_local::{Engine, ExecutionOptions, Limits, parse_definition, validate};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (definition, input) = text.split_once('\0').unwrap_or((text, "{}"));
    let Ok(machine) = parse_definition(definition) else {
        return;
    };
    if !validate(&machine).is_empty() {
        return;
    }
    let input = sfn_json::from_str(input).unwrap_or(sfn_json::Value::Null);
    let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .start_paused(true)
        .build()
    else {
        return;
    };
    // Small limits keep each run short: a loop in the definition ends at the history limit.
    let limits = Limits {
        payload_bytes: 64 * 1024,
        history_events: 2_000,
    };
    let engine = Engine::new(Arc::new(InProcessLambdas::new())).with_limits(limits);
    let _ = runtime.block_on(engine.execute(Arc::new(machine), input, ExecutionOptions::default()));
});
