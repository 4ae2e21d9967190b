//! Intrinsic functions (`States.Format(...)` and the 17 others) in `.$` values: a real parser
//! (`syntax`), the functions themselves (`functions`), and argument evaluation here.

mod functions;
mod java_random;
mod syntax;

use std::borrow::Cow;
use std::rc::Rc;

use sfn_json::Value;

pub use functions::java_string;
pub use syntax::{Arg, Call, Function, Piece, parse};

use super::Scope;
use super::parse_cache::{Cache, cached, new_cache};
use super::path;
use crate::error::StatesError;

/// True when the expression is an intrinsic call rather than a path.
pub fn is_intrinsic(expression: &str) -> bool {
    expression.trim_start().starts_with("States.")
}

/// Static check: the call parses, names a known function and has an allowed argument count.
pub fn check(expression: &str) -> Result<(), String> {
    parse(expression).map(|_| ())
}

/// Evaluate an intrinsic call against the scope.
pub fn evaluate(expression: &str, scope: &Scope) -> Result<Value, StatesError> {
    evaluate_for(expression, None, scope)
}

/// Evaluate for a payload-template field (`field` is the key, `x.$`), so that a path argument
/// that selects nothing fails with AWS's "specified for the field" message.
pub fn evaluate_for(
    expression: &str,
    field: Option<&str>,
    scope: &Scope,
) -> Result<Value, StatesError> {
    let call = parse_cached(expression).map_err(|reason| {
        StatesError::runtime(format!(
            "The value '{expression}' is not a valid intrinsic function call: {reason}"
        ))
    })?;
    run(&call, field, scope)
}

/// Evaluate an already parsed call; `field` as in [`evaluate_for`].
pub fn evaluate_call(
    call: &Call,
    field: Option<&str>,
    scope: &Scope,
) -> Result<Value, StatesError> {
    run(call, field, scope)
}

thread_local! {
    static PARSED: Cache<Call> = new_cache();
}

fn parse_cached(expression: &str) -> Result<Rc<Call>, String> {
    cached(&PARSED, expression, parse)
}

fn run(call: &Call, field: Option<&str>, scope: &Scope) -> Result<Value, StatesError> {
    let template = match (call.function, call.args.first()) {
        (Function::Format, Some(Arg::Text(pieces))) => Some(pieces.as_slice()),
        _ => None,
    };
    let mut values = Vec::with_capacity(call.args.len());
    for (index, arg) in call.args.iter().enumerate() {
        // Format reads a literal template from its pieces: no string is built for it.
        if index == 0 && template.is_some() {
            values.push(Cow::Owned(Value::Null));
            continue;
        }
        values.push(argument(arg, field, scope)?);
    }
    functions::call(call.function, values, template)
}

/// An argument's value: literals and plain input paths borrowed, the rest computed.
fn argument<'a>(
    arg: &'a Arg,
    field: Option<&str>,
    scope: &Scope<'a>,
) -> Result<Cow<'a, Value>, StatesError> {
    match arg {
        Arg::Literal(v) => Ok(Cow::Borrowed(v)),
        Arg::Text(pieces) => Ok(Cow::Owned(Value::String(syntax::text_value(pieces)))),
        Arg::Call(call) => run(call, field, scope).map(Cow::Owned),
        Arg::Path { text, path: parsed } => match path::evaluate_borrowed(parsed, scope)? {
            Some(v) => Ok(v),
            None => Err(match field {
                Some(field) => super::template::path_failure(text, field, parsed, scope),
                None => path::no_results(text, parsed),
            }),
        },
    }
}

#[cfg(test)]
mod tests;
