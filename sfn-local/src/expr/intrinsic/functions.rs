//! The 18 intrinsic functions over evaluated arguments.
//!
//! AWS reports a bad argument (wrong type, out of range, wrong count at run time) as
//! `States.Runtime` with the cause "Invalid arguments in States.X"; integer arguments are
//! truncated toward zero (ArrayRange, ArrayPartition, ArrayGetItem, MathRandom) except for
//! States.MathAdd, which rounds half up like Java's `Math.round`.

use std::borrow::Cow;

use base64::Engine;
use base64::alphabet;
use base64::engine::DecodePaddingMode;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig, STANDARD};
use md5::Md5;
use sfn_json::{Map, Value};
use sha1::Sha1;
use sha2::{Digest, Sha256, Sha384, Sha512};

use super::java_random::JavaRandom;
use super::syntax::{Function, Piece};
use crate::error::StatesError;
use crate::expr::json_text;
use crate::expr::path::json_equal;

/// Most items an array built by an intrinsic may hold.
const MAX_ARRAY_ITEMS: usize = 1000;

/// Decoding as Java's `Base64.getDecoder()`: padding optional, stray trailing bits ignored.
const LENIENT: GeneralPurpose = GeneralPurpose::new(
    &alphabet::STANDARD,
    GeneralPurposeConfig::new()
        .with_decode_padding_mode(DecodePaddingMode::Indifferent)
        .with_decode_allow_trailing_bits(true),
);

/// Longest input string States.Base64Encode, Base64Decode and Hash accept (AWS documents
/// "up to 10,000 characters").
const MAX_INPUT_CHARS: usize = 10_000;

pub fn invalid(function: Function) -> StatesError {
    StatesError::runtime(format!("Invalid arguments in {}", function.name()))
}

/// Evaluate `function` over its arguments. `template` is the literal first argument of
/// States.Format when there is one (its escaped braces are not placeholders).
pub fn call(
    function: Function,
    args: Vec<Cow<'_, Value>>,
    template: Option<&[Piece]>,
) -> Result<Value, StatesError> {
    let (min, max) = function.arity();
    if args.len() < min || args.len() > max {
        return Err(invalid(function));
    }
    let bad = || invalid(function);
    match function {
        Function::Format => format(function, args, template),
        Function::StringToJson => {
            let text = string(at(&args, 0)).ok_or_else(bad)?;
            if text.trim().is_empty() {
                return Ok(Value::Null);
            }
            serde_json::from_str(text).map_err(|_| bad())
        }
        Function::JsonToString => {
            let value = at(&args, 0).ok_or_else(bad)?;
            Ok(Value::String(json_text::compact(value)))
        }
        Function::Array => Ok(Value::Array(
            args.into_iter().map(Cow::into_owned).collect(),
        )),
        Function::ArrayPartition => {
            let mut it = args.into_iter().map(Cow::into_owned);
            let (Some(Value::Array(items)), Some(size)) = (it.next(), it.next()) else {
                return Err(bad());
            };
            let size = truncated(&size).filter(|s| *s > 0).ok_or_else(bad)?;
            let size = usize::try_from(size).map_err(|_| bad())?;
            Ok(Value::Array(
                items
                    .chunks(size)
                    .map(|c| Value::Array(c.to_vec()))
                    .collect(),
            ))
        }
        Function::ArrayContains => {
            let items = at(&args, 0).and_then(Value::as_array).ok_or_else(bad)?;
            let needle = at(&args, 1).ok_or_else(bad)?;
            Ok(Value::Bool(items.iter().any(|v| json_equal(v, needle))))
        }
        Function::ArrayRange => {
            let nums: Option<Vec<i64>> = args.iter().map(|arg| truncated(arg)).collect();
            let [start, end, step] = nums.as_deref().ok_or_else(bad)? else {
                return Err(bad());
            };
            range(*start, *end, *step).ok_or_else(bad)
        }
        Function::ArrayGetItem => {
            let items = at(&args, 0).and_then(Value::as_array).ok_or_else(bad)?;
            let index = at(&args, 1).and_then(truncated).ok_or_else(bad)?;
            usize::try_from(index)
                .ok()
                .and_then(|i| items.get(i))
                .cloned()
                .ok_or_else(bad)
        }
        Function::ArrayLength => {
            let items = at(&args, 0).and_then(Value::as_array).ok_or_else(bad)?;
            Ok(Value::from(items.len()))
        }
        Function::ArrayUnique => {
            let items = at(&args, 0).and_then(Value::as_array).ok_or_else(bad)?;
            let mut unique: Vec<Value> = Vec::new();
            for item in items {
                if !unique.iter().any(|u| json_equal(u, item)) {
                    unique.push(item.clone());
                }
            }
            Ok(Value::Array(unique))
        }
        Function::Base64Encode => {
            let text = bounded_string(at(&args, 0)).ok_or_else(bad)?;
            Ok(Value::String(STANDARD.encode(text.as_bytes())))
        }
        Function::Base64Decode => {
            let text = bounded_string(at(&args, 0)).ok_or_else(bad)?;
            let bytes = LENIENT.decode(text.as_bytes()).map_err(|_| bad())?;
            // Java's `new String(bytes, UTF_8)`: malformed sequences become U+FFFD.
            Ok(Value::String(String::from_utf8_lossy(&bytes).into_owned()))
        }
        Function::Hash => {
            let data = bounded_string(at(&args, 0)).ok_or_else(bad)?;
            let algorithm = string(at(&args, 1)).ok_or_else(bad)?;
            hash(data, algorithm).map(Value::String).ok_or_else(bad)
        }
        Function::JsonMerge => {
            let mut it = args.into_iter().map(Cow::into_owned);
            let (Some(Value::Object(mut left)), Some(Value::Object(right)), Some(deep)) =
                (it.next(), it.next(), it.next())
            else {
                return Err(bad());
            };
            // Only the shallow merge exists: the flag must be `false`.
            if deep != Value::Bool(false) {
                return Err(bad());
            }
            left.extend(right);
            Ok(Value::Object(left))
        }
        Function::MathRandom => {
            let start = at(&args, 0).and_then(truncated).ok_or_else(bad)?;
            let end = at(&args, 1).and_then(truncated).ok_or_else(bad)?;
            if start >= end {
                return Err(bad());
            }
            let seed = match at(&args, 2) {
                Some(seed) => truncated(seed).ok_or_else(bad)?,
                None => rand::random::<i64>(),
            };
            let bound = end - start;
            let offset = if let Ok(bound) = i32::try_from(bound) {
                i64::from(JavaRandom::new(seed).next_int(bound))
            } else {
                JavaRandom::new(seed).next_long_below(bound)
            };
            Ok(Value::from(start + offset))
        }
        Function::MathAdd => {
            let a = at(&args, 0).and_then(rounded).ok_or_else(bad)?;
            let b = at(&args, 1).and_then(rounded).ok_or_else(bad)?;
            Ok(Value::from(a + b))
        }
        Function::StringSplit => {
            let text = string(at(&args, 0)).ok_or_else(bad)?;
            let delimiters = string(at(&args, 1)).ok_or_else(bad)?;
            let parts = text
                .split(|c: char| delimiters.contains(c))
                .filter(|p| !p.is_empty())
                .map(|p| Value::String(p.to_string()))
                .collect();
            Ok(Value::Array(parts))
        }
        Function::Uuid => Ok(Value::String(uuid::Uuid::new_v4().to_string())),
    }
}

/// Argument `index` (arguments are borrowed where they name a literal or an input value).
fn at<'a>(args: &'a [Cow<'_, Value>], index: usize) -> Option<&'a Value> {
    args.get(index).map(AsRef::as_ref)
}

fn string(value: Option<&Value>) -> Option<&str> {
    value.and_then(Value::as_str)
}

/// A string argument within the documented length limit.
fn bounded_string(value: Option<&Value>) -> Option<&str> {
    string(value).filter(|s| s.chars().count() <= MAX_INPUT_CHARS)
}

/// An integer argument as Java's `int` would take it: fractions truncated, within 32 bits.
fn truncated(value: &Value) -> Option<i64> {
    let n = value.as_number()?;
    let v = match n.as_i64() {
        Some(i) => i,
        None => {
            let f = n.as_f64()?.trunc();
            if !f.is_finite() {
                return None;
            }
            f as i64
        }
    };
    i32::try_from(v).ok().map(i64::from)
}

/// States.MathAdd's rounding: Java `Math.round` (half up), within 32 bits.
fn rounded(value: &Value) -> Option<i64> {
    let n = value.as_number()?;
    let v = match n.as_i64() {
        Some(i) => i,
        None => {
            let f = (n.as_f64()? + 0.5).floor();
            if !f.is_finite() {
                return None;
            }
            f as i64
        }
    };
    i32::try_from(v).ok().map(i64::from)
}

fn range(start: i64, end: i64, step: i64) -> Option<Value> {
    if step == 0 {
        return None;
    }
    let mut items = Vec::new();
    let mut current = start;
    while (step > 0 && current <= end) || (step < 0 && current >= end) {
        if items.len() >= MAX_ARRAY_ITEMS {
            return None;
        }
        items.push(Value::from(current));
        current = current.checked_add(step)?;
    }
    Some(Value::Array(items))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn hash(data: &str, algorithm: &str) -> Option<String> {
    let bytes = data.as_bytes();
    Some(match algorithm {
        "MD5" => hex(&Md5::digest(bytes)),
        "SHA-1" => hex(&Sha1::digest(bytes)),
        "SHA-256" => hex(&Sha256::digest(bytes)),
        "SHA-384" => hex(&Sha384::digest(bytes)),
        "SHA-512" => hex(&Sha512::digest(bytes)),
        _ => return None,
    })
}

fn format(
    function: Function,
    args: Vec<Cow<'_, Value>>,
    template: Option<&[Piece]>,
) -> Result<Value, StatesError> {
    let (first, values) = args.split_first().ok_or_else(|| invalid(function))?;
    let split;
    let pieces: &[Piece] = match template {
        Some(pieces) => pieces,
        None => match first.as_ref() {
            Value::String(s) => {
                split = split_holes(s);
                &split
            }
            _ => return Err(invalid(function)),
        },
    };
    let holes = pieces.iter().filter(|p| matches!(p, Piece::Hole)).count();
    if holes != values.len() {
        return Err(invalid(function));
    }
    let mut values = values.iter();
    let mut out = String::new();
    for piece in pieces {
        match piece {
            Piece::Text(t) => out.push_str(t),
            Piece::Hole => {
                if let Some(v) = values.next() {
                    out.push_str(&java_string(v.as_ref()));
                }
            }
        }
    }
    Ok(Value::String(out))
}

/// A template that came from the input: every `{}` is a placeholder.
fn split_holes(text: &str) -> Vec<Piece> {
    let mut pieces = Vec::new();
    let mut parts = text.split("{}").peekable();
    while let Some(part) = parts.next() {
        if !part.is_empty() {
            pieces.push(Piece::Text(part.to_string()));
        }
        if parts.peek().is_some() {
            pieces.push(Piece::Hole);
        }
    }
    pieces
}

/// How States.Format renders a value: strings bare, objects as `{k=v, ...}`, arrays as
/// `[a, b]` (Java's `toString`), other scalars as JSON.
pub fn java_string(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Array(items) => {
            let parts: Vec<String> = items.iter().map(java_string).collect();
            format!("[{}]", parts.join(", "))
        }
        Value::Object(map) => object_string(map),
        Value::Number(n) => json_text::number(n),
        other => other.to_string(),
    }
}

fn object_string(map: &Map) -> String {
    let parts: Vec<String> = map
        .iter()
        .map(|(k, v)| format!("{k}={}", java_string(v)))
        .collect();
    format!("{{{}}}", parts.join(", "))
}
