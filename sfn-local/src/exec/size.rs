//! Payload size: the length of a value's compact JSON text, counted without building it.

use sfn_json::Value;

/// AWS's limit on a state's input or output: 256 KiB of JSON text.
pub const PAYLOAD_LIMIT_BYTES: usize = 256 * 1024;

/// Whether `value` serialises to more than `limit` bytes; stops counting once past it.
pub(crate) fn exceeds(value: &Value, limit: usize) -> bool {
    let mut total = 0usize;
    count(value, limit, &mut total);
    total > limit
}

/// The length of `value`'s compact JSON text, counted up to just past `limit`.
pub(crate) fn json_len(value: &Value, limit: usize) -> usize {
    let mut total = 0usize;
    count(value, limit, &mut total);
    total
}

fn count(value: &Value, limit: usize, total: &mut usize) {
    if *total > limit {
        return;
    }
    match value {
        Value::Null => *total += 4,
        Value::Bool(b) => *total += if *b { 4 } else { 5 },
        Value::Number(n) => *total += number_len(n),
        Value::String(s) => *total += string_len(s),
        Value::Array(items) => {
            *total += 2 + items.len().saturating_sub(1);
            for item in items {
                count(item, limit, total);
            }
        }
        Value::Object(map) => {
            *total += 2 + map.len().saturating_sub(1);
            for (key, item) in map {
                *total += string_len(key) + 1;
                count(item, limit, total);
            }
        }
    }
}

/// Length of a number's JSON text as the serialiser writes it, through a writer that keeps
/// nothing.
fn number_len(n: &sfn_json::Number) -> usize {
    // Integers (nearly every number in a payload) by their digits, without formatting.
    if let Some(u) = n.as_u64() {
        return digits(u);
    }
    if let Some(i) = n.as_i64() {
        return 1 + digits(i.unsigned_abs());
    }
    struct Counter(usize);
    impl std::io::Write for Counter {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0 += bytes.len();
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut counter = Counter(0);
    // Writing to a counter cannot fail.
    let _ = serde_json::to_writer(&mut counter, n);
    counter.0
}

fn digits(n: u64) -> usize {
    n.checked_ilog10().map_or(1, |log| log as usize + 1)
}

/// Length of a JSON string literal (quotes and escapes included), UTF-8 bytes. Counted over
/// bytes: every byte of a multi-byte character is written as is.
fn string_len(s: &str) -> usize {
    let escapes: usize = s
        .bytes()
        .map(|b| match b {
            b'"' | b'\\' | b'\n' | b'\r' | b'\t' | 0x08 | 0x0c => 1,
            b if b < 0x20 => 5,
            _ => 0,
        })
        .sum();
    2 + s.len() + escapes
}

#[cfg(test)]
mod tests {
    use super::*;
    use sfn_json::json;

    #[test]
    fn counts_like_the_serialiser() {
        for v in [
            json!({"a": [1, 2.5, null, true, false], "b\"": "x\ny\u{1}é"}),
            json!([-12345678901234_i64, 1e300, 0.1, u64::MAX, -0.0]),
            json!([0, 9, 10, 99, 100, -1, -10, i64::MIN, i64::MAX, 1_000_000]),
            json!([]),
            json!({}),
            json!("plain"),
        ] {
            let len = v.to_string().len();
            assert!(!exceeds(&v, len));
            assert!(exceeds(&v, len - 1));
        }
    }
}
