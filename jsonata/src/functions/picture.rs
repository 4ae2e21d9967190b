//! Picture-string formatting: `$formatNumber`, `$formatInteger`, `$parseInteger`, `$formatBase`
//! (XPath F&O 3.1 rules, as JSONata implements them).

use super::{arg, num, text};
use crate::error::{JsonataError, Result};
use crate::eval::Evaluator;
use crate::functions::numbers::round_half_even;
use crate::value::Val;

type R<'a> = Result<Val<'a>>;

const FEW: [&str; 20] = [
    "Zero",
    "One",
    "Two",
    "Three",
    "Four",
    "Five",
    "Six",
    "Seven",
    "Eight",
    "Nine",
    "Ten",
    "Eleven",
    "Twelve",
    "Thirteen",
    "Fourteen",
    "Fifteen",
    "Sixteen",
    "Seventeen",
    "Eighteen",
    "Nineteen",
];
const ORDINALS: [&str; 20] = [
    "Zeroth",
    "First",
    "Second",
    "Third",
    "Fourth",
    "Fifth",
    "Sixth",
    "Seventh",
    "Eighth",
    "Ninth",
    "Tenth",
    "Eleventh",
    "Twelfth",
    "Thirteenth",
    "Fourteenth",
    "Fifteenth",
    "Sixteenth",
    "Seventeenth",
    "Eighteenth",
    "Nineteenth",
];
const DECADES: [&str; 8] = [
    "Twenty", "Thirty", "Forty", "Fifty", "Sixty", "Seventy", "Eighty", "Ninety",
];
const MAGNITUDES: [&str; 4] = ["Thousand", "Million", "Billion", "Trillion"];

fn words_lookup(n: u64, prev: bool, ord: bool) -> String {
    let sep_and = if prev { " and " } else { "" };
    if n <= 19 {
        let table = if ord { &ORDINALS } else { &FEW };
        return format!("{sep_and}{}", table.get(n as usize).copied().unwrap_or(""));
    }
    if n < 100 {
        let tens = DECADES.get((n / 10) as usize - 2).copied().unwrap_or("");
        let rem = n % 10;
        let mut w = format!("{sep_and}{tens}");
        if rem > 0 {
            w.push('-');
            w.push_str(&words_lookup(rem, false, ord));
        } else if ord {
            w.pop();
            w.push_str("ieth");
        }
        return w;
    }
    let sep_comma = if prev { ", " } else { "" };
    if n < 1000 {
        let mut w = format!(
            "{sep_comma}{} Hundred",
            FEW.get((n / 100) as usize).copied().unwrap_or("")
        );
        let rem = n % 100;
        if rem > 0 {
            w.push_str(&words_lookup(rem, true, ord));
        } else if ord {
            w.push_str("th");
        }
        return w;
    }
    // beyond u64, magnitudes stack ("ten billion trillion trillion trillion") as in JSONata-js
    big_words(n as f64, sep_comma, ord)
}

fn big_words(n: f64, sep_comma: &str, ord: bool) -> String {
    if n < 1000.0 {
        return words_lookup(n as u64, !sep_comma.is_empty(), ord);
    }
    let mag = ((n.log10() / 3.0).floor() as usize).clamp(1, MAGNITUDES.len());
    let factor = 10f64.powi(mag as i32 * 3);
    let mant = (n / factor).floor();
    let rem = n - mant * factor;
    let mant_words = if mant < 1000.0 {
        words_lookup(mant as u64, false, false)
    } else {
        big_words(mant, "", false)
    };
    let mut w = format!(
        "{sep_comma}{mant_words} {}",
        MAGNITUDES.get(mag - 1).copied().unwrap_or("")
    );
    if rem >= 1.0 {
        let rest = if rem < 1000.0 {
            words_lookup(rem as u64, true, ord)
        } else {
            big_words(rem, ", ", ord)
        };
        w.push_str(&rest);
    } else if ord {
        w.push_str("th");
    }
    w
}

pub fn number_to_words(n: f64, ordinal: bool) -> String {
    if n < 1000.0 {
        words_lookup(n as u64, false, ordinal)
    } else {
        big_words(n, "", ordinal)
    }
}

pub fn words_to_number(s: &str) -> Option<u64> {
    let lower = s.to_lowercase();
    let mut total: u64 = 0;
    let mut current: u64 = 0;
    for raw in lower.split([' ', '-', ',']) {
        let w = raw.trim();
        if w.is_empty() || w == "and" {
            continue;
        }
        let small = FEW
            .iter()
            .position(|f| f.to_lowercase() == w)
            .or_else(|| ORDINALS.iter().position(|f| f.to_lowercase() == w));
        if let Some(v) = small {
            current = current.saturating_add(v as u64);
            continue;
        }
        let tens = DECADES.iter().position(|d| {
            let d = d.to_lowercase();
            d == w || format!("{}ieth", &d[..d.len() - 1]) == w
        });
        if let Some(t) = tens {
            current = current.saturating_add((t as u64 + 2) * 10);
            continue;
        }
        let w = w
            .strip_suffix("th")
            .filter(|b| *b == "hundred" || MAGNITUDES.iter().any(|m| m.to_lowercase() == *b))
            .unwrap_or(w);
        if w == "hundred" {
            current = current.saturating_mul(100);
            continue;
        }
        let m = MAGNITUDES.iter().position(|m| m.to_lowercase() == w)?;
        total = total.saturating_add(current.saturating_mul(10u64.pow((m as u32 + 1) * 3)));
        current = 0;
    }
    Some(total.saturating_add(current))
}

const ROMAN: [(u64, &str); 13] = [
    (1000, "M"),
    (900, "CM"),
    (500, "D"),
    (400, "CD"),
    (100, "C"),
    (90, "XC"),
    (50, "L"),
    (40, "XL"),
    (10, "X"),
    (9, "IX"),
    (5, "V"),
    (4, "IV"),
    (1, "I"),
];

fn to_roman(mut n: u64) -> String {
    let mut out = String::new();
    for (v, s) in ROMAN {
        while n >= v {
            out.push_str(s);
            n -= v;
        }
    }
    out
}

pub fn from_roman(s: &str) -> Option<u64> {
    let val = |c: char| match c.to_ascii_uppercase() {
        'I' => Some(1),
        'V' => Some(5),
        'X' => Some(10),
        'L' => Some(50),
        'C' => Some(100),
        'D' => Some(500),
        'M' => Some(1000),
        _ => None,
    };
    let vals: Vec<i64> = s.chars().map(val).collect::<Option<Vec<_>>>()?;
    let mut total = 0i64;
    for (i, v) in vals.iter().enumerate() {
        if vals.get(i + 1).is_some_and(|next| next > v) {
            total -= v;
        } else {
            total += v;
        }
    }
    u64::try_from(total).ok()
}

fn to_letters(mut n: u64, base: char) -> String {
    let mut out = Vec::new();
    while n > 0 {
        let d = ((n - 1) % 26) as u8;
        out.push((base as u8 + d) as char);
        n = (n - 1) / 26;
    }
    out.iter().rev().collect()
}

pub fn from_letters(s: &str) -> Option<u64> {
    let mut n = 0u64;
    for c in s.chars() {
        let c = c.to_ascii_lowercase();
        if !c.is_ascii_lowercase() {
            return None;
        }
        n = n.checked_mul(26)?.checked_add(c as u64 - 'a' as u64 + 1)?;
    }
    Some(n)
}

fn ordinal_suffix(n: u64) -> &'static str {
    match (n % 10, n % 100) {
        (1, r) if r != 11 => "st",
        (2, r) if r != 12 => "nd",
        (3, r) if r != 13 => "rd",
        _ => "th",
    }
}

/// `text` left-padded with zeros to `width` characters. (`format!`'s `{:0>width$}` panics
/// past a width of 65,535, which a long picture string reaches.)
fn zero_padded(text: String, width: usize) -> String {
    let len = text.chars().count();
    if len >= width {
        return text;
    }
    let mut padded = "0".repeat(width - len);
    padded.push_str(&text);
    padded
}

/// `value` with exactly `places` fractional digits. An f64's exact decimal expansion has at
/// most 1,074 of them, so past that only zeros follow: they are appended rather than asked
/// of `format!`, whose precision panics past 65,535.
fn fixed(value: f64, places: usize) -> String {
    const EXACT: usize = 1_100;
    let mut text = format!("{value:.prec$}", prec = places.min(EXACT));
    if places > EXACT {
        text.push_str(&"0".repeat(places - EXACT));
    }
    text
}

/// Format an integer with a decimal-digit pattern like `#,##0`, `0001` or `1`.
fn format_digits(n: u64, pattern: &str) -> String {
    let chars: Vec<char> = pattern.chars().collect();
    let mandatory = chars.iter().filter(|c| c.is_ascii_digit()).count();
    let digits = zero_padded(n.to_string(), mandatory);
    // grouping separators, counted from the right
    let mut seps: Vec<(usize, char)> = Vec::new();
    let mut count = 0;
    for &c in chars.iter().rev() {
        if c.is_ascii_digit() || c == '#' {
            count += 1;
        } else {
            seps.push((count, c));
        }
    }
    if seps.is_empty() {
        return digits;
    }
    // regular grouping: every separator at a multiple of the first interval
    let interval = seps.first().map(|s| s.0).unwrap_or(0);
    let regular = interval > 0
        && seps
            .iter()
            .enumerate()
            .all(|(i, s)| s.0 == interval * (i + 1))
        && seps.iter().all(|s| s.1 == seps[0].1);
    let dchars: Vec<char> = digits.chars().collect();
    let mut out = Vec::new();
    for (i, c) in dchars.iter().rev().enumerate() {
        if i > 0 {
            if regular {
                if i % interval == 0 {
                    out.push(seps[0].1);
                }
            } else if let Some(s) = seps.iter().find(|s| s.0 == i) {
                out.push(s.1);
            }
        }
        out.push(*c);
    }
    out.iter().rev().collect()
}

/// Zero of the Unicode decimal digit block `c` belongs to (common blocks).
fn digit_zero(c: char) -> Option<u32> {
    const ZEROS: [u32; 21] = [
        0x30, 0x660, 0x6F0, 0x7C0, 0x966, 0x9E6, 0xA66, 0xAE6, 0xB66, 0xBE6, 0xC66, 0xCE6, 0xD66,
        0xDE6, 0xE50, 0xED0, 0xF20, 0x1040, 0x17E0, 0x1810, 0xFF10,
    ];
    let cp = c as u32;
    ZEROS.iter().copied().find(|z| (*z..=*z + 9).contains(&cp))
}

/// `$formatInteger` body, also used for date/time components.
/// The largest number written as a Roman numeral: one "M" per thousand, so 10 million takes 10 KB
/// (a huge number would take all memory; JSONata-js has no limit and runs out of it).
const ROMAN_LIMIT: f64 = 1e7;

pub fn format_integer_picture(value: f64, picture: &str) -> Result<String> {
    let pattern = picture.rsplit_once(';').map_or(picture, |(p, _)| p);
    if matches!(pattern, "I" | "i") && value.abs().trunc() > ROMAN_LIMIT {
        return Err(JsonataError::new(
            "U1002",
            "The number is too large to write as a Roman numeral",
        ));
    }
    let zeros: Vec<u32> = picture.chars().filter_map(digit_zero).collect();
    let zero = zeros.first().copied().unwrap_or(0x30);
    if zeros.iter().any(|z| *z != zero) {
        return Err(JsonataError::new(
            "D3131",
            "In a decimal digit pattern, all digits must be from the same decimal group",
        ));
    }
    if zero == 0x30 {
        return Ok(format_integer_ascii(value, picture));
    }
    let to_ascii = |c: char| {
        digit_zero(c)
            .map(|z| char::from_u32(c as u32 - z + 0x30).unwrap_or(c))
            .unwrap_or(c)
    };
    let ascii_picture: String = picture.chars().map(to_ascii).collect();
    let out = format_integer_ascii(value, &ascii_picture);
    Ok(out
        .chars()
        .map(|c| {
            if c.is_ascii_digit() {
                char::from_u32(c as u32 - 0x30 + zero).unwrap_or(c)
            } else {
                c
            }
        })
        .collect())
}

fn format_integer_ascii(value: f64, picture: &str) -> String {
    let (pattern, modifier) = match picture.rsplit_once(';') {
        Some((p, m)) => (p, m),
        None => (picture, ""),
    };
    let ordinal = modifier.starts_with('o');
    let neg = value < 0.0;
    let n = value.abs().trunc() as u64;
    let body = match pattern {
        "w" => number_to_words(value.abs().trunc(), ordinal).to_lowercase(),
        "W" => number_to_words(value.abs().trunc(), ordinal).to_uppercase(),
        "Ww" => number_to_words(value.abs().trunc(), ordinal),
        "I" => to_roman(n),
        "i" => to_roman(n).to_lowercase(),
        "A" => to_letters(n, 'A'),
        "a" => to_letters(n, 'a'),
        _ => {
            let mut s = format_digits(n, pattern);
            if ordinal {
                s.push_str(ordinal_suffix(n));
            }
            s
        }
    };
    if neg { format!("-{body}") } else { body }
}

pub fn format_integer<'a>(_: &Evaluator<'a>, args: Vec<Val<'a>>, _: &Val<'a>) -> R<'a> {
    let Some(n) = num(&args, 0) else {
        return Ok(Val::Undef);
    };
    let picture = text(&args, 1).unwrap_or("0");
    Ok(Val::string(format_integer_picture(n, picture)?))
}

pub fn parse_integer<'a>(_: &Evaluator<'a>, args: Vec<Val<'a>>, _: &Val<'a>) -> R<'a> {
    let Some(s) = text(&args, 0) else {
        return Ok(Val::Undef);
    };
    let picture = text(&args, 1).unwrap_or("0");
    let (pattern, modifier) = match picture.rsplit_once(';') {
        Some((p, m)) => (p, m),
        None => (picture, ""),
    };
    let parsed = match pattern {
        "w" | "W" | "Ww" => words_to_number(s),
        "I" | "i" => from_roman(s),
        "A" | "a" => from_letters(s),
        _ => {
            let mut digits: String = s
                .chars()
                .filter(|c| c.is_ascii_digit() || *c == '-')
                .collect();
            if modifier.starts_with('o') {
                digits = digits
                    .trim_end_matches(|c: char| !c.is_ascii_digit())
                    .to_string();
            }
            return Ok(digits
                .parse::<i64>()
                .map(|v| Val::Num(v as f64))
                .unwrap_or_default());
        }
    };
    Ok(parsed.map(|v| Val::Num(v as f64)).unwrap_or_default())
}

pub fn format_base<'a>(_: &Evaluator<'a>, args: Vec<Val<'a>>, _: &Val<'a>) -> R<'a> {
    let Some(n) = num(&args, 0) else {
        return Ok(Val::Undef);
    };
    let radix = num(&args, 1).unwrap_or(10.0);
    if !(2.0..=36.0).contains(&radix) {
        return Err(JsonataError::new(
            "D3100",
            format!(
                "The radix of the formatBase function must be between 2 and 36.  It was given {}",
                crate::numfmt::js_number_string(radix)
            ),
        ));
    }
    let v = round_half_even(n, 0);
    let radix = radix as u64;
    let mut m = v.abs() as u64;
    let mut digits = Vec::new();
    loop {
        let d = (m % radix) as u32;
        digits.push(std::char::from_digit(d, radix as u32).unwrap_or('0'));
        m /= radix;
        if m == 0 {
            break;
        }
    }
    let s: String = digits.iter().rev().collect();
    Ok(Val::string(if v < 0.0 { format!("-{s}") } else { s }))
}

struct Symbols {
    decimal: char,
    grouping: char,
    exponent: char,
    minus: char,
    percent: char,
    per_mille: char,
    zero: char,
    digit: char,
    separator: char,
    infinity: String,
    nan: String,
}

fn symbols(options: &Val<'_>) -> Symbols {
    let ch = |k: &str, d: char| {
        options
            .field(k)
            .as_str()
            .and_then(|s| s.chars().next())
            .unwrap_or(d)
    };
    Symbols {
        decimal: ch("decimal-separator", '.'),
        grouping: ch("grouping-separator", ','),
        exponent: ch("exponent-separator", 'e'),
        minus: ch("minus-sign", '-'),
        percent: ch("percent", '%'),
        per_mille: ch("per-mille", '\u{2030}'),
        zero: ch("zero-digit", '0'),
        digit: ch("digit", '#'),
        separator: ch("pattern-separator", ';'),
        infinity: options
            .field("infinity")
            .as_str()
            .unwrap_or("Infinity")
            .to_string(),
        nan: options.field("NaN").as_str().unwrap_or("NaN").to_string(),
    }
}

fn picture_error(code: &str, msg: &str) -> JsonataError {
    JsonataError::new(code, msg.to_string())
}

pub fn format_number<'a>(_: &Evaluator<'a>, args: Vec<Val<'a>>, _: &Val<'a>) -> R<'a> {
    let Some(value) = num(&args, 0) else {
        return Ok(Val::Undef);
    };
    let picture = text(&args, 1).unwrap_or("");
    let sym = symbols(&arg(&args, 2));
    if value.is_nan() {
        return Ok(Val::string(sym.nan.clone()));
    }
    let parts: Vec<&str> = picture.split(sym.separator).collect();
    if parts.len() > 2 {
        return Err(picture_error(
            "D3080",
            "The format-number picture string must not contain more than one instance of the 'pattern-separator' character",
        ));
    }
    let is_digit =
        |c: char| (sym.zero..=char::from_u32(sym.zero as u32 + 9).unwrap_or('9')).contains(&c);
    let active = |c: char| {
        is_digit(c) || c == sym.digit || c == sym.decimal || c == sym.grouping || c == sym.exponent
    };
    for part in &parts {
        let count = |c: char| part.chars().filter(|&x| x == c).count();
        let checks = [
            (
                count(sym.decimal) > 1,
                "D3081",
                "A sub-picture cannot contain more than one instance of the 'decimal-separator' character",
            ),
            (
                count(sym.percent) > 1,
                "D3082",
                "A sub-picture cannot contain more than one instance of the 'percent' character",
            ),
            (
                count(sym.per_mille) > 1,
                "D3083",
                "A sub-picture cannot contain more than one instance of the 'per-mille' character",
            ),
            (
                count(sym.percent) > 0 && count(sym.per_mille) > 0,
                "D3084",
                "A sub-picture cannot contain both a 'percent' and a 'per-mille' character",
            ),
            (
                !part.chars().any(|c| is_digit(c) || c == sym.digit),
                "D3085",
                "A sub-picture must contain at least one character that is an 'optional digit character' or a member of the 'decimal digit family'",
            ),
        ];
        if let Some((_, code, msg)) = checks.iter().find(|(bad, _, _)| *bad) {
            return Err(picture_error(code, msg));
        }
    }
    let sub = if value < 0.0 && parts.len() == 2 {
        parts.get(1).copied().unwrap_or("")
    } else {
        parts.first().copied().unwrap_or("")
    };
    let chars: Vec<char> = sub.chars().collect();
    let first = chars
        .iter()
        .position(|&c| active(c) && c != sym.exponent)
        .unwrap_or(chars.len());
    let last = chars
        .iter()
        .rposition(|&c| active(c))
        .map(|p| p + 1)
        .unwrap_or(first);
    let prefix: String = chars.get(..first).unwrap_or(&[]).iter().collect();
    let suffix: String = chars.get(last.max(first)..).unwrap_or(&[]).iter().collect();
    let mantissa_and_exp: String = chars
        .get(first..last.max(first))
        .unwrap_or(&[])
        .iter()
        .collect();
    let (mantissa, exponent) = match mantissa_and_exp.split_once(sym.exponent) {
        Some((m, e)) if !e.is_empty() && e.chars().all(is_digit) => {
            (m.to_string(), Some(e.to_string()))
        }
        _ => (mantissa_and_exp.clone(), None),
    };
    let (int_part, frac_part) = match mantissa.split_once(sym.decimal) {
        Some((i, f)) => (i.to_string(), f.to_string()),
        None => (mantissa.clone(), String::new()),
    };
    let min_int = int_part.chars().filter(|&c| is_digit(c)).count();
    let min_frac = frac_part.chars().filter(|&c| is_digit(c)).count();
    let max_frac = frac_part
        .chars()
        .filter(|&c| is_digit(c) || c == sym.digit)
        .count();
    let mut v = value.abs();
    if prefix.contains(sym.percent) || suffix.contains(sym.percent) {
        v *= 100.0;
    } else if prefix.contains(sym.per_mille) || suffix.contains(sym.per_mille) {
        v *= 1000.0;
    }
    if v.is_infinite() {
        let minus = if value < 0.0 && parts.len() < 2 {
            sym.minus.to_string()
        } else {
            String::new()
        };
        return Ok(Val::string(format!(
            "{minus}{prefix}{}{suffix}",
            sym.infinity
        )));
    }
    let mut exp_value = 0i32;
    // the mantissa keeps `min_int` integer digits (none: below 1, e.g. `#.00e0`)
    if exponent.is_some() && v != 0.0 {
        let target = min_int as i32;
        exp_value = v.log10().floor() as i32 + 1 - target;
        v /= 10f64.powi(exp_value);
    }
    let rounded = round_half_even(v, max_frac as i32);
    let text = fixed(rounded, max_frac);
    let (int_digits, frac_digits) = text.split_once('.').unwrap_or((&text, ""));
    let mut frac: String = frac_digits.to_string();
    while frac.len() > min_frac && frac.ends_with('0') {
        frac.pop();
    }
    let int_val: u64 = int_digits.parse().unwrap_or(0);
    let int_pattern: String = int_part
        .chars()
        .map(|c| {
            if is_digit(c) {
                '0'
            } else if c == sym.digit {
                '#'
            } else {
                c
            }
        })
        .collect();
    let mut int_text = if int_val == 0 && min_int == 0 && exponent.is_none() {
        String::new()
    } else {
        format_digits(int_val, &int_pattern.replace(sym.grouping, ","))
    };
    if sym.grouping != ',' {
        int_text = int_text.replace(',', &sym.grouping.to_string());
    }
    let zero_shift = |s: String| -> String {
        if sym.zero == '0' {
            return s;
        }
        s.chars()
            .map(|c| {
                if c.is_ascii_digit() {
                    char::from_u32(sym.zero as u32 + (c as u32 - '0' as u32)).unwrap_or(c)
                } else {
                    c
                }
            })
            .collect()
    };
    let mut body = zero_shift(int_text);
    if !frac.is_empty() {
        body.push(sym.decimal);
        body.push_str(&zero_shift(frac));
    }
    if let Some(e) = &exponent {
        let width = e.chars().count();
        body.push(sym.exponent);
        if exp_value < 0 {
            body.push(sym.minus);
        }
        body.push_str(&zero_shift(zero_padded(exp_value.abs().to_string(), width)));
    }
    let minus = if value < 0.0 && parts.len() < 2 && (rounded != 0.0) {
        sym.minus.to_string()
    } else {
        String::new()
    };
    Ok(Val::string(format!("{minus}{prefix}{body}{suffix}")))
}
