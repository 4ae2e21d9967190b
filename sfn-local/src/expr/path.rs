//! JSONPath as Step Functions runs it: InputPath, OutputPath, ItemsPath, `.$` values, Choice
//! `Variable`, the `...Path` fields, and ResultPath's reference paths.
//!
//! Hand-written rather than `serde_json_path`: Step Functions uses the Jayway dialect, and
//! RFC 9535 differs from it where ASL definitions depend on it —
//! - member names in dot notation may hold `-` and other characters (`$.delivery-partner`);
//! - Jayway functions (`$.items.length()`), `in`/`nin`/`size`/`empty` filter operators;
//! - a filter applied to an object tests the object itself;
//! - `$$` (context object) and `$name` (variables) roots;
//! - results: a *definite* path (names and single indexes only) gives the value itself or
//!   fails with Jayway's "No results for path" message, while an *indefinite* one gives an
//!   array of matches, empty when nothing matches.

mod eval;
mod fast;
mod print;
mod syntax;

pub(crate) use syntax::scan_number;

use std::borrow::Cow;
use std::rc::Rc;

use sfn_json::Value;

pub use eval::{json_equal, number_cmp};
pub use fast::lookup;
pub use syntax::{JsonPath, Root, Segment, Selector, parse};

use super::Scope;
use super::parse_cache::{Cache, cached, new_cache};
use crate::error::{StatesError, names};

/// Evaluate a JSONPath (`$...`), context path (`$$...`) or variable path (`$name...`).
/// Definite paths give the value; indefinite paths give an array of matches.
/// Nothing matched → `States.Runtime` "Invalid path '$.x' : No results for path: $['x']"
/// (or Jayway's "Missing property in path $['a']" when an object on the way lacks a property).
pub fn query(path: &str, scope: &Scope) -> Result<Value, StatesError> {
    if let Some(Some(found)) = fast::lookup(path, scope) {
        return Ok(found.clone());
    }
    let parsed = parse_runtime(path)?;
    evaluate(&parsed, scope)?.ok_or_else(|| not_found(path, &parsed, scope))
}

/// Same as [`query`], but `Ok(None)` when nothing matches (for IsPresent and optional fields).
pub fn query_opt(path: &str, scope: &Scope) -> Result<Option<Value>, StatesError> {
    if let Some(found) = fast::lookup(path, scope) {
        return Ok(found.cloned());
    }
    let parsed = parse_runtime(path)?;
    evaluate(&parsed, scope)
}

/// [`evaluate`], borrowing the node when a path of names and indexes finds it directly.
pub fn evaluate_borrowed<'v>(
    path: &JsonPath,
    scope: &Scope<'v>,
) -> Result<Option<Cow<'v, Value>>, StatesError> {
    if path.function.is_none()
        && let Some(start) = root(path, scope)
        && let Some(found) = walk(start, &path.segments)
    {
        return Ok(Some(Cow::Borrowed(found)));
    }
    Ok(evaluate(path, scope)?.map(Cow::Owned))
}

/// The value a path starts from (`None` for an undefined variable).
fn root<'v>(path: &JsonPath, scope: &Scope<'v>) -> Option<&'v Value> {
    match &path.root {
        Root::Input => Some(scope.input),
        Root::Context => Some(scope.context),
        Root::Variable(name) => scope.variables.get(name),
    }
}

/// Evaluate an already parsed path.
pub fn evaluate(path: &JsonPath, scope: &Scope) -> Result<Option<Value>, StatesError> {
    let Some(root) = root(path, scope) else {
        return Ok(None);
    };
    if path.function.is_none()
        && let Some(found) = walk(root, &path.segments)
    {
        return Ok(Some(found.clone()));
    }
    let found = eval::select(root, &path.segments);
    let value = if path.is_definite() {
        match found.into_iter().next() {
            Some(v) => v.into_value(),
            None => return Ok(None),
        }
    } else {
        Value::Array(found.into_iter().map(eval::Selected::into_value).collect())
    };
    Ok(match path.function {
        Some(f) => eval::call(f, &value),
        None => Some(value),
    })
}

/// The node a path of names and non-negative indexes names under `root`, when every step finds
/// an object member or an array element; `None` (the full evaluation decides) otherwise.
/// Intrinsic arguments and `.$` values are nearly all such paths: no match list to build.
fn walk<'v>(root: &'v Value, segments: &[Segment]) -> Option<&'v Value> {
    let mut node = root;
    for segment in segments {
        node = match segment {
            Segment::Child(Selector::Name(name)) => node.as_object()?.get(name)?,
            Segment::Child(Selector::Index(at)) => {
                node.as_array()?.get(usize::try_from(*at).ok()?)?
            }
            _ => return None,
        };
    }
    Some(node)
}

/// The node a path of names and non-negative indexes from `$` (`$`, `$.a.b`, `$.a[0]`) names in
/// `input`, for changing it in place; `None` for any other path or when nothing is there.
pub fn lookup_input_mut<'v>(path: &str, input: &'v mut Value) -> Option<&'v mut Value> {
    let parsed = parse(path).ok()?;
    if parsed.root != Root::Input || parsed.function.is_some() {
        return None;
    }
    let mut node = input;
    for segment in &parsed.segments {
        node = match segment {
            Segment::Child(Selector::Name(name)) => node.as_object_mut()?.get_mut(name)?,
            Segment::Child(Selector::Index(at)) => {
                let at = usize::try_from(*at).ok()?;
                node.as_array_mut()?.get_mut(at)?
            }
            _ => return None,
        };
    }
    Some(node)
}

thread_local! {
    static PATHS: Cache<JsonPath> = new_cache();
    static REFERENCE_PATHS: Cache<JsonPath> = new_cache();
}

fn parse_runtime(path: &str) -> Result<Rc<JsonPath>, StatesError> {
    cached(&PATHS, path, parse)
        .map_err(|reason| StatesError::runtime(format!("Invalid path '{path}' : {reason}")))
}

/// Jayway's message for a definite path that selects nothing.
pub fn no_results(path: &str, parsed: &JsonPath) -> StatesError {
    let canonical = canonical(parsed, parsed.segments.len());
    StatesError::runtime(format!(
        "Invalid path '{path}' : No results for path: {canonical}"
    ))
}

/// The canonical form of the root and the first `count` segments (`$['a'][0]`).
fn canonical(parsed: &JsonPath, count: usize) -> String {
    let mut text = match &parsed.root {
        Root::Variable(name) => format!("${name}"),
        _ => "$".to_string(),
    };
    for segment in parsed.segments.iter().take(count) {
        text.push_str(&segment.to_string());
    }
    text
}

/// Why a definite path found nothing, in Jayway's words: an object on the way that lacks the
/// next property is "Missing property in path $['a']"; a missing last property, an index out of
/// range or anything else is "No results for path: ...".
fn not_found(path: &str, parsed: &JsonPath, scope: &Scope) -> StatesError {
    let root = match &parsed.root {
        Root::Input => Some(scope.input),
        Root::Context => Some(scope.context),
        Root::Variable(name) => scope.variables.get(name),
    };
    let last = parsed.segments.len().saturating_sub(1);
    let mut node = root;
    for (i, segment) in parsed.segments.iter().enumerate() {
        let Some(current) = node else { break };
        node = match segment {
            Segment::Child(Selector::Name(name)) => match current.as_object() {
                Some(map) => match map.get(name) {
                    Some(next) => Some(next),
                    None if i < last => {
                        return StatesError::runtime(format!(
                            "Invalid path '{path}' : Missing property in path {}",
                            canonical(parsed, i + 1)
                        ));
                    }
                    None => None,
                },
                None => None,
            },
            Segment::Child(Selector::Index(at)) => current.as_array().and_then(|items| {
                let len = i64::try_from(items.len()).ok()?;
                let at = if *at < 0 { len + at } else { *at };
                usize::try_from(at).ok().and_then(|at| items.get(at))
            }),
            _ => None,
        };
    }
    no_results(path, parsed)
}

/// ResultPath: place `result` into `state_input` at a reference path (`$`, `$.a.b`, `$['a']`,
/// `$.a[0]`), creating objects as needed. `States.ResultPathMatchFailure` when the input
/// cannot hold it (a non-object on the way, an index out of range).
pub fn apply_result_path(
    state_input: Value,
    result_path: &str,
    result: Value,
) -> Result<Value, StatesError> {
    let parsed = cached(&REFERENCE_PATHS, result_path, parse_reference).map_err(|reason| {
        StatesError::runtime(format!("Invalid path '{result_path}' : {reason}"))
    })?;
    apply_parsed_result_path(state_input, result_path, &parsed, result)
}

/// [`apply_result_path`] with the path already parsed by [`parse_reference`].
pub fn apply_parsed_result_path(
    state_input: Value,
    result_path: &str,
    parsed: &JsonPath,
    result: Value,
) -> Result<Value, StatesError> {
    if parsed.segments.is_empty() {
        return Ok(result);
    }
    let mut document = state_input;
    if place(&mut document, &parsed.segments, result) {
        Ok(document)
    } else {
        Err(StatesError::new(
            names::RESULT_PATH_MATCH_FAILURE,
            format!(
                "Unable to apply ReferencePath {result_path} to input {}",
                compact(&document)
            ),
        ))
    }
}

/// Set `value` at `segments` under `target`; false (and `target` untouched) when impossible.
fn place(target: &mut Value, segments: &[Segment], value: Value) -> bool {
    let Some((first, rest)) = segments.split_first() else {
        *target = value;
        return true;
    };
    match first {
        Segment::Child(Selector::Name(name)) => {
            let Value::Object(map) = target else {
                return false;
            };
            if rest.is_empty() {
                // A key already there keeps its place; only a new one costs a copy of the name.
                match map.get_mut(name) {
                    Some(slot) => *slot = value,
                    None => {
                        map.insert(name.clone(), value);
                    }
                }
                return true;
            }
            match map.get_mut(name) {
                Some(child) => place(child, rest, value),
                None => {
                    let mut child = Value::Object(sfn_json::Map::new());
                    if place(&mut child, rest, value) {
                        map.insert(name.clone(), child);
                        true
                    } else {
                        false
                    }
                }
            }
        }
        Segment::Child(Selector::Index(i)) => {
            let Value::Array(items) = target else {
                return false;
            };
            let len = i64::try_from(items.len()).unwrap_or(i64::MAX);
            let at = if *i < 0 { len + i } else { *i };
            match usize::try_from(at).ok().and_then(|at| items.get_mut(at)) {
                Some(child) => place(child, rest, value),
                None => false,
            }
        }
        _ => false,
    }
}

/// Compact JSON, as AWS quotes values in causes.
pub fn compact(value: &Value) -> String {
    super::json_text::compact(value)
}

/// Static check: a syntactically valid JSONPath, context path or variable path.
pub fn check_path(path: &str) -> Result<(), String> {
    parse(path).map(|_| ())
}

pub fn parse_reference(path: &str) -> Result<JsonPath, String> {
    let parsed = parse(path)?;
    if parsed.root != Root::Input {
        return Err("a reference path must start with '$' and refer to the input".into());
    }
    let simple = parsed
        .segments
        .iter()
        .all(|s| matches!(s, Segment::Child(Selector::Name(_) | Selector::Index(_))));
    if !simple || parsed.function.is_some() {
        return Err(
            "a reference path may only use names and single indexes (no wildcards, filters, slices or functions)"
                .into(),
        );
    }
    Ok(parsed)
}

/// Static check for ResultPath-style reference paths: definite, input-rooted.
pub fn check_reference_path(path: &str) -> Result<(), String> {
    parse_reference(path).map(|_| ())
}

#[cfg(test)]
mod tests;
