//! Numeric functions.

use super::{arg, num};
use crate::error::{JsonataError, Result};
use crate::eval::{Evaluator, show};
use crate::numfmt::js_number_string;
use crate::value::Val;

type R<'a> = Result<Val<'a>>;

/// JSON-number syntax JSONata accepts in `$number` (plus 0x/0o/0b literals).
fn parse_number(s: &str) -> Option<f64> {
    let (neg, body) = match s.strip_prefix('-') {
        Some(b) => (true, b),
        None => (false, s),
    };
    let bytes = body.as_bytes();
    let mut i = 0;
    match bytes.first() {
        Some(b'0') => i = 1,
        Some(b'1'..=b'9') => {
            while bytes.get(i).is_some_and(u8::is_ascii_digit) {
                i += 1;
            }
        }
        _ => return None,
    }
    if bytes.get(i) == Some(&b'.') {
        i += 1;
        let start = i;
        while bytes.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        if i == start {
            return None;
        }
    }
    if matches!(bytes.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(bytes.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        let start = i;
        while bytes.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        if i == start {
            return None;
        }
    }
    if i != bytes.len() {
        return None;
    }
    let v: f64 = body.parse().ok()?;
    if !v.is_finite() {
        return None;
    }
    Some(if neg { -v } else { v })
}

fn parse_radix(s: &str) -> Option<f64> {
    let (radix, digits) = if let Some(d) = s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        (16, d)
    } else if let Some(d) = s.strip_prefix("0o").or_else(|| s.strip_prefix("0O")) {
        (8, d)
    } else if let Some(d) = s.strip_prefix("0b").or_else(|| s.strip_prefix("0B")) {
        (2, d)
    } else {
        return None;
    };
    u64::from_str_radix(digits, radix).ok().map(|v| v as f64)
}

pub fn number<'a>(_: &Evaluator<'a>, args: Vec<Val<'a>>, _: &Val<'a>) -> R<'a> {
    let v = arg(&args, 0);
    Ok(match &v {
        Val::Undef => Val::Undef,
        Val::Num(n) => Val::Num(*n),
        Val::Bool(b) => Val::Num(if *b { 1.0 } else { 0.0 }),
        _ => match v
            .as_str()
            .and_then(|s| parse_number(s).or_else(|| parse_radix(s)))
        {
            Some(n) => Val::Num(n),
            None => {
                return Err(JsonataError::new(
                    "D3030",
                    format!("Unable to cast value to a number: {}", show(&v)),
                ));
            }
        },
    })
}

fn unary<'a>(args: &[Val<'a>], f: impl Fn(f64) -> f64) -> R<'a> {
    Ok(num(args, 0).map(|n| Val::Num(f(n))).unwrap_or_default())
}

pub fn floor<'a>(_: &Evaluator<'a>, args: Vec<Val<'a>>, _: &Val<'a>) -> R<'a> {
    unary(&args, |n| n.floor() + 0.0)
}

pub fn ceil<'a>(_: &Evaluator<'a>, args: Vec<Val<'a>>, _: &Val<'a>) -> R<'a> {
    unary(&args, |n| n.ceil() + 0.0)
}

pub fn abs<'a>(_: &Evaluator<'a>, args: Vec<Val<'a>>, _: &Val<'a>) -> R<'a> {
    unary(&args, f64::abs)
}

/// Shift the decimal point by `places` through the decimal text, as JSONata-js does
/// (avoids binary rounding surprises like 2.675 * 100).
fn shift(n: f64, places: i32) -> f64 {
    let s = js_number_string(n);
    let (mantissa, exp) = match s.split_once('e') {
        Some((m, e)) => (m.to_string(), e.parse::<i32>().unwrap_or(0)),
        None => (s, 0),
    };
    format!("{mantissa}e{}", exp.saturating_add(places))
        .parse()
        .unwrap_or(n)
}

/// Round half to even at `precision` decimal places.
pub fn round_half_even(n: f64, precision: i32) -> f64 {
    let x = if precision != 0 {
        shift(n, precision)
    } else {
        n
    };
    let mut r = (x + 0.5).floor();
    let diff = r - x;
    if diff.abs() == 0.5 && (r % 2.0).abs() == 1.0 {
        r -= 1.0;
    }
    let out = if precision != 0 {
        shift(r, -precision)
    } else {
        r
    };
    if out == 0.0 { 0.0 } else { out }
}

pub fn round<'a>(_: &Evaluator<'a>, args: Vec<Val<'a>>, _: &Val<'a>) -> R<'a> {
    let Some(n) = num(&args, 0) else {
        return Ok(Val::Undef);
    };
    let precision = num(&args, 1).unwrap_or(0.0).clamp(-400.0, 400.0) as i32;
    Ok(Val::Num(round_half_even(n, precision)))
}

pub fn sqrt<'a>(_: &Evaluator<'a>, args: Vec<Val<'a>>, _: &Val<'a>) -> R<'a> {
    let Some(n) = num(&args, 0) else {
        return Ok(Val::Undef);
    };
    if n < 0.0 {
        return Err(JsonataError::new(
            "D3060",
            format!(
                "The sqrt function cannot be applied to a negative number: {}",
                js_number_string(n)
            ),
        ));
    }
    Ok(Val::Num(n.sqrt()))
}

pub fn power<'a>(_: &Evaluator<'a>, args: Vec<Val<'a>>, _: &Val<'a>) -> R<'a> {
    let (Some(base), Some(exp)) = (num(&args, 0), num(&args, 1)) else {
        return Ok(Val::Undef);
    };
    let r = base.powf(exp);
    if !r.is_finite() {
        return Err(JsonataError::new(
            "D3061",
            format!(
                "The power function has resulted in a value that cannot be represented as a JSON number: base={}, exponent={}",
                js_number_string(base),
                js_number_string(exp)
            ),
        ));
    }
    Ok(Val::Num(r))
}

pub fn random<'a>(_: &Evaluator<'a>, _: Vec<Val<'a>>, _: &Val<'a>) -> R<'a> {
    Ok(Val::Num(rand::random::<f64>()))
}
