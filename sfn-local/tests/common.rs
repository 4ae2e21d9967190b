//! Helpers shared by the executor tests.
#![allow(dead_code)]

use std::sync::Arc;

use sfn_json::Value;
use sfn_local::task::InProcessLambdas;
use sfn_local::{Engine, ExecutionOptions, Outcome, parse_definition, validate};

pub fn machine(definition: &Value) -> Arc<sfn_local::StateMachine> {
    let machine =
        parse_definition(&definition.to_string()).unwrap_or_else(|e| panic!("definition: {e}"));
    let errors = validate(&machine);
    assert!(errors.is_empty(), "invalid definition: {errors:?}");
    Arc::new(machine)
}

pub fn engine(lambdas: InProcessLambdas) -> Engine {
    Engine::new(Arc::new(lambdas))
}

pub async fn run(engine: &Engine, definition: &Value, input: Value) -> Outcome {
    let options = ExecutionOptions {
        record_history: true,
        ..ExecutionOptions::default()
    };
    engine.execute(machine(definition), input, options).await
}
