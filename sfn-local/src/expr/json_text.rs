//! JSON text the way the (JVM-based) service writes it into strings — States.JsonToString,
//! States.Format and the input quoted in error causes: compact, keys in document order, and
//! floating-point numbers as Java's `Double.toString` prints them (`100.0`, `1.0E20`,
//! `1.5E-7`); integers as written.

use sfn_json::{Number, Value};

/// Compact JSON text with Java number formatting.
pub fn compact(value: &Value) -> String {
    let mut out = String::new();
    write(value, &mut out);
    out
}

fn write(value: &Value, out: &mut String) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&number(n)),
        Value::String(s) => out.push_str(&quoted(s)),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write(item, out);
            }
            out.push(']');
        }
        Value::Object(map) => {
            out.push('{');
            for (i, (key, item)) in map.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&quoted(key));
                out.push(':');
                write(item, out);
            }
            out.push('}');
        }
    }
}

fn quoted(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_default()
}

/// A number as Java prints it: integers as they are, doubles per `Double.toString`.
pub fn number(n: &Number) -> String {
    match n.as_f64() {
        Some(f) if n.is_f64() => java_double(f),
        _ => n.to_string(),
    }
}

/// `Double.toString`: plain decimal for magnitudes in [1e-3, 1e7), otherwise `d.dddE±n`;
/// always at least one fraction digit.
pub fn java_double(f: f64) -> String {
    if f == 0.0 {
        return if f.is_sign_negative() { "-0.0" } else { "0.0" }.to_string();
    }
    let magnitude = f.abs();
    if (1e-3..1e7).contains(&magnitude) {
        let plain = format!("{f}");
        return if plain.contains('.') {
            plain
        } else {
            format!("{plain}.0")
        };
    }
    let scientific = format!("{f:e}");
    match scientific.split_once('e') {
        Some((mantissa, exponent)) if mantissa.contains('.') => format!("{mantissa}E{exponent}"),
        Some((mantissa, exponent)) => format!("{mantissa}.0E{exponent}"),
        None => scientific,
    }
}

#[cfg(test)]
mod tests {
    use sfn_json::json;

    use super::*;

    #[test]
    fn doubles_print_like_java() {
        for (value, text) in [
            (1.1, "1.1"),
            (100.0, "100.0"),
            (0.001, "0.001"),
            (0.0001, "1.0E-4"),
            (1.5e-7, "1.5E-7"),
            (9_999_999.5, "9999999.5"),
            (1e7, "1.0E7"),
            (12_345_678.9, "1.23456789E7"),
            (1e20, "1.0E20"),
            (-2.5e21, "-2.5E21"),
            (-0.0, "-0.0"),
        ] {
            assert_eq!(java_double(value), text, "{value}");
        }
    }

    #[test]
    fn compact_keeps_order_and_integers() {
        let v: Value =
            serde_json::from_str(r#"{"b": 1, "a": [1.0, -3, "x\"y", null, true], "c": {}}"#)
                .unwrap_or_default();
        assert_eq!(
            compact(&v),
            r#"{"b":1,"a":[1.0,-3,"x\"y",null,true],"c":{}}"#
        );
        assert_eq!(
            compact(&json!(12345678901234567890u64)),
            "12345678901234567890"
        );
    }
}
