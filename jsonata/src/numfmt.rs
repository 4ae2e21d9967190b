//! Number and JSON text as JavaScript writes them (`Number.prototype.toString`, `JSON.stringify`).

use crate::error::{JsonataError, Result};
use crate::value::Val;

/// JavaScript's `String(n)` for a finite double.
pub fn js_number_string(n: f64) -> String {
    if n.is_nan() {
        return "NaN".into();
    }
    if n.is_infinite() {
        return if n > 0.0 {
            "Infinity".into()
        } else {
            "-Infinity".into()
        };
    }
    if n == 0.0 {
        return "0".into();
    }
    let sci = format!("{:e}", n.abs());
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let digits: String = mantissa.chars().filter(|c| c.is_ascii_digit()).collect();
    let k = digits.len() as i32;
    let point = exp + 1; // position of the decimal point relative to the digits
    let sign = if n < 0.0 { "-" } else { "" };
    let body = if k <= point && point <= 21 {
        format!("{digits}{}", "0".repeat((point - k) as usize))
    } else if 0 < point && point <= 21 {
        let (a, b) = digits.split_at(point as usize);
        format!("{a}.{b}")
    } else if -6 < point && point <= 0 {
        format!("0.{}{digits}", "0".repeat((-point) as usize))
    } else {
        let (first, rest) = digits.split_at(1);
        let e = point - 1;
        let esign = if e < 0 { "-" } else { "+" };
        if rest.is_empty() {
            format!("{first}e{esign}{}", e.abs())
        } else {
            format!("{first}.{rest}e{esign}{}", e.abs())
        }
    };
    format!("{sign}{body}")
}

/// `Number(n.toPrecision(15))`: how `$string` rounds numbers.
pub fn round15(n: f64) -> f64 {
    format!("{n:.14e}").parse().unwrap_or(n)
}

/// `JSON.stringify` as `$string` uses it (numbers to 15 significant digits, functions as "").
pub fn to_string(v: &Val<'_>, pretty: bool) -> Result<String> {
    let mut out = String::new();
    write_json(v, pretty, 0, &mut out)?;
    Ok(out)
}

fn write_str(s: &str, out: &mut String) {
    out.push_str(&serde_json::to_string(s).unwrap_or_default());
}

fn newline(pretty: bool, depth: usize, out: &mut String) {
    if pretty {
        out.push('\n');
        out.push_str(&"  ".repeat(depth));
    }
}

fn write_json(v: &Val<'_>, pretty: bool, depth: usize, out: &mut String) -> Result<()> {
    match v {
        Val::Undef | Val::Null => out.push_str("null"),
        Val::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Val::Num(n) => {
            if !n.is_finite() {
                return Err(JsonataError::new(
                    "D3001",
                    "Attempting to invoke string function on Infinity or NaN",
                ));
            }
            // integers are written exactly (JSONata-js test suite: `$string(5890840712243076)`)
            let n = if n.fract() == 0.0 { *n } else { round15(*n) };
            out.push_str(&js_number_string(n));
        }
        Val::Str(_) | Val::JStr(_) => write_str(v.as_str().unwrap_or(""), out),
        Val::Func(_) => out.push_str("\"\""),
        Val::Arr(_) | Val::JArr(_) => {
            let items = v.items();
            if items.is_empty() {
                out.push_str("[]");
                return Ok(());
            }
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                newline(pretty, depth + 1, out);
                write_json(item, pretty, depth + 1, out)?;
            }
            newline(pretty, depth, out);
            out.push(']');
        }
        Val::Obj(_) | Val::JObj(_) => {
            let entries: Vec<_> = v
                .entries()
                .into_iter()
                .filter(|(_, v)| !v.is_undef())
                .collect();
            if entries.is_empty() {
                out.push_str("{}");
                return Ok(());
            }
            out.push('{');
            for (i, (k, item)) in entries.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                newline(pretty, depth + 1, out);
                write_str(k, out);
                out.push(':');
                if pretty {
                    out.push(' ');
                }
                write_json(item, pretty, depth + 1, out)?;
            }
            newline(pretty, depth, out);
            out.push('}');
        }
    }
    Ok(())
}
