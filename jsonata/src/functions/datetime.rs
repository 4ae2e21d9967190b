//! `$now`, `$millis`, `$fromMillis`, `$toMillis` with XPath picture strings.

use chrono::{
    DateTime, Datelike, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Timelike, Utc,
};

use super::{num, text};
use crate::error::{JsonataError, Result, quoted};
use crate::eval::Evaluator;
use crate::functions::picture::{format_integer_picture, number_to_words};
use crate::value::Val;

type R<'a> = Result<Val<'a>>;

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const DAYS: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

/// One timestamp per evaluation, as JSONata-js fixes `$now()` for the whole expression.
fn now_millis(ev: &Evaluator<'_>) -> i64 {
    if let Some(m) = ev.now_millis.get() {
        return m;
    }
    let m = Utc::now().timestamp_millis();
    ev.now_millis.set(Some(m));
    m
}

pub fn now<'a>(ev: &Evaluator<'a>, args: Vec<Val<'a>>, _: &Val<'a>) -> R<'a> {
    let ms = now_millis(ev);
    format_millis(ms, text(&args, 0), text(&args, 1)).map(Val::string)
}

pub fn millis<'a>(ev: &Evaluator<'a>, _: Vec<Val<'a>>, _: &Val<'a>) -> R<'a> {
    Ok(Val::Num(now_millis(ev) as f64))
}

pub fn from_millis<'a>(_: &Evaluator<'a>, args: Vec<Val<'a>>, _: &Val<'a>) -> R<'a> {
    let Some(ms) = num(&args, 0) else {
        return Ok(Val::Undef);
    };
    format_millis(ms.trunc() as i64, text(&args, 1), text(&args, 2)).map(Val::string)
}

pub fn to_millis<'a>(_: &Evaluator<'a>, args: Vec<Val<'a>>, _: &Val<'a>) -> R<'a> {
    let Some(s) = text(&args, 0) else {
        return Ok(Val::Undef);
    };
    match text(&args, 1) {
        None => parse_iso(s).map(|m| Val::Num(m as f64)).ok_or_else(|| {
            JsonataError::new(
                "D3110",
                format!(
                    "The timestamp {} does not match the ISO 8601 format",
                    quoted(s)
                ),
            )
        }),
        Some(picture) => Ok(parse_with_picture(s, picture)?
            .map(|m| Val::Num(m as f64))
            .unwrap_or_default()),
    }
}

/// ISO 8601 as JavaScript's `Date.parse` accepts it (date, optional time, optional offset).
pub fn parse_iso(s: &str) -> Option<i64> {
    if let Ok(dt) = DateTime::parse_from_rfc3339(s) {
        return Some(dt.timestamp_millis());
    }
    for fmt in [
        "%Y-%m-%dT%H:%M:%S%.f%z",
        "%Y-%m-%dT%H:%M%z",
        "%Y-%m-%dT%H:%M:%S%.f%:z",
        "%Y-%m-%dT%H:%M%:z",
    ] {
        if let Ok(dt) = DateTime::parse_from_str(s, fmt) {
            return Some(dt.timestamp_millis());
        }
    }
    for fmt in [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%dT%H:%M",
    ] {
        if let Ok(dt) = NaiveDateTime::parse_from_str(s, fmt) {
            return Some(dt.and_utc().timestamp_millis());
        }
    }
    if let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        return Some(d.and_time(NaiveTime::MIN).and_utc().timestamp_millis());
    }
    if let Ok(d) = NaiveDate::parse_from_str(&format!("{s}-01"), "%Y-%m-%d") {
        return Some(d.and_time(NaiveTime::MIN).and_utc().timestamp_millis());
    }
    if s.len() == 4 && s.chars().all(|c| c.is_ascii_digit()) {
        let d = NaiveDate::from_ymd_opt(s.parse().ok()?, 1, 1)?;
        return Some(d.and_time(NaiveTime::MIN).and_utc().timestamp_millis());
    }
    None
}

fn parse_offset(tz: &str) -> Result<FixedOffset> {
    let bad = || JsonataError::new("D3134", format!("The timezone {} is not valid", quoted(tz)));
    let (sign, digits) = match (tz.strip_prefix('+'), tz.strip_prefix('-')) {
        (Some(rest), _) => (1, rest),
        (_, Some(rest)) => (-1, rest),
        _ => return Err(bad()),
    };
    let digits: String = digits.chars().filter(|c| *c != ':').collect();
    let (h, m) = match digits.len() {
        1 | 2 => (digits.parse::<i32>().map_err(|_| bad())?, 0),
        4 => (
            digits
                .get(..2)
                .and_then(|d| d.parse::<i32>().ok())
                .ok_or_else(bad)?,
            digits
                .get(2..)
                .and_then(|d| d.parse::<i32>().ok())
                .ok_or_else(bad)?,
        ),
        _ => return Err(bad()),
    };
    FixedOffset::east_opt(sign * (h * 3600 + m * 60)).ok_or_else(bad)
}

fn format_millis(ms: i64, picture: Option<&str>, tz: Option<&str>) -> Result<String> {
    let offset = match tz {
        Some(tz) => parse_offset(tz)?,
        None => FixedOffset::east_opt(0).ok_or_else(|| JsonataError::new("D3134", "bad offset"))?,
    };
    let utc = Utc.timestamp_millis_opt(ms).single().ok_or_else(|| {
        JsonataError::new("D3133", format!("The millis value {ms} is out of range"))
    })?;
    let dt = utc.with_timezone(&offset);
    match picture {
        None if tz.is_none() => Ok(utc.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()),
        None => format_picture(&dt, "[Y0001]-[M01]-[D01]T[H01]:[m01]:[s01].[f001][Z01:01t]"),
        Some(p) => format_picture(&dt, p),
    }
}

/// Largest width a date/time picture component may ask for (characters).
const MAX_WIDTH: usize = 10_000_000;

/// A width modifier's number, at most [`MAX_WIDTH`].
fn capped_width(text: &str) -> Option<usize> {
    text.parse::<usize>().ok().map(|width| width.min(MAX_WIDTH))
}

struct Marker {
    component: char,
    presentation: String,
    min_width: Option<usize>,
    max_width: Option<usize>,
}

fn parse_marker(body: &str) -> Result<Marker> {
    let body: String = body.chars().filter(|c| !c.is_whitespace()).collect();
    let mut chars = body.chars();
    let component = chars
        .next()
        .ok_or_else(|| JsonataError::new("D3135", "Empty date/time picture component"))?;
    let rest: String = chars.collect();
    let (presentation, width) = match rest.rsplit_once(',') {
        Some((p, w)) => (p.to_string(), Some(w.to_string())),
        None => (rest, None),
    };
    let (mut min_width, mut max_width) = (None, None);
    if let Some(w) = width {
        let (a, b) = match w.split_once('-') {
            Some((a, b)) => (a.to_string(), Some(b.to_string())),
            None => (w, None),
        };
        // Capped as `$pad` caps its width: a picture's width modifier must not be able to
        // ask for gigabytes (`[Y,1000000000]`); the payload limit refuses anything this big.
        min_width = capped_width(&a);
        max_width = b.as_deref().and_then(capped_width);
    }
    Ok(Marker {
        component,
        presentation,
        min_width,
        max_width,
    })
}

fn name_case(name: &str, presentation: &str, max: Option<usize>) -> String {
    let truncated: String = match max {
        Some(m) => name.chars().take(m).collect(),
        None => name.to_string(),
    };
    if presentation.starts_with("Nn") {
        truncated
    } else if presentation.starts_with('N') {
        truncated.to_uppercase()
    } else {
        truncated.to_lowercase()
    }
}

fn format_picture(dt: &DateTime<FixedOffset>, picture: &str) -> Result<String> {
    let mut out = String::new();
    let chars: Vec<char> = picture.chars().collect();
    let mut i = 0;
    while let Some(&c) = chars.get(i) {
        if c == '[' && chars.get(i + 1) == Some(&'[') {
            out.push('[');
            i += 2;
            continue;
        }
        if c == ']' && chars.get(i + 1) == Some(&']') {
            out.push(']');
            i += 2;
            continue;
        }
        if c != '[' {
            out.push(c);
            i += 1;
            continue;
        }
        let end = chars
            .iter()
            .skip(i)
            .position(|&d| d == ']')
            .map(|p| p + i)
            .ok_or_else(|| {
                JsonataError::new(
                    "D3135",
                    "No matching closing bracket ']' in date/time picture string",
                )
            })?;
        let body: String = chars.get(i + 1..end).unwrap_or(&[]).iter().collect();
        out.push_str(&format_component(dt, &parse_marker(&body)?)?);
        i = end + 1;
    }
    Ok(out)
}

fn format_component(dt: &DateTime<FixedOffset>, m: &Marker) -> Result<String> {
    let default = match m.component {
        'F' | 'P' | 'E' | 'C' => "n",
        'm' | 's' => "01",
        'Z' | 'z' => "01:01",
        _ => "1",
    };
    let pres = if m.presentation.is_empty() {
        default.to_string()
    } else {
        m.presentation.clone()
    };
    let value: i64 = match m.component {
        'Y' => dt.year() as i64,
        'M' => dt.month() as i64,
        'D' => dt.day() as i64,
        'd' => dt.ordinal() as i64,
        'F' => dt.weekday().number_from_monday() as i64,
        'W' => dt.iso_week().week() as i64,
        'X' => dt.iso_week().year() as i64,
        'w' => {
            ((dt.day() as i64
                + dt.with_day(1)
                    .map(|d| d.weekday().num_days_from_monday() as i64)
                    .unwrap_or(0)
                - 1)
                / 7)
                + 1
        }
        'x' => dt.month() as i64,
        'H' => dt.hour() as i64,
        'h' => {
            let h = dt.hour() % 12;
            if h == 0 { 12 } else { h as i64 }
        }
        'm' => dt.minute() as i64,
        's' => dt.second() as i64,
        'f' => dt.timestamp_subsec_millis() as i64,
        'P' => {
            let am = dt.hour() < 12;
            return Ok(name_case(
                if am { "am" } else { "pm" },
                if pres.starts_with('N') { "N" } else { "n" },
                m.max_width,
            ));
        }
        'Z' | 'z' => {
            if pres.chars().filter(|c| c.is_ascii_digit()).count() > 4 {
                return Err(JsonataError::new(
                    "D3134",
                    "The timezone integer format specifier cannot have more than four digits",
                ));
            }
            return Ok(format_offset(
                dt.offset().local_minus_utc(),
                m.component,
                &pres,
            ));
        }
        'E' => return Ok("ISO".into()),
        'C' => return Ok("ISO".into()),
        other => {
            return Err(JsonataError::new(
                "D3132",
                format!("Unknown component specifier {other} in date/time picture string"),
            ));
        }
    };
    if pres.starts_with('N') || pres.starts_with('n') {
        let name = match m.component {
            'M' => MONTHS.get((value - 1) as usize).copied(),
            'F' => DAYS.get((value - 1) as usize).copied(),
            _ => None,
        };
        if let Some(name) = name {
            return Ok(name_case(name, &pres, m.max_width));
        }
    }
    if m.component == 'f' {
        // fractional seconds: digits are taken from the left
        let width = pres
            .chars()
            .filter(|c| c.is_ascii_digit())
            .count()
            .max(m.min_width.unwrap_or(0))
            .max(1);
        let ms = format!("{value:03}");
        let s: String = ms
            .chars()
            .chain(std::iter::repeat('0'))
            .take(width)
            .collect();
        return Ok(s);
    }
    let (pattern, ordinal) = match pres.strip_suffix('o') {
        Some(p) => (p.to_string(), true),
        None => (pres.clone(), false),
    };
    if pattern == "w" || pattern == "W" || pattern == "Ww" {
        let words = number_to_words(value.unsigned_abs() as f64, ordinal);
        return Ok(match pattern.as_str() {
            "w" => words.to_lowercase(),
            "W" => words.to_uppercase(),
            _ => words,
        });
    }
    let mut v = value;
    let mut pattern = pattern;
    let digits = pattern.chars().filter(|c| c.is_ascii_digit()).count();
    if pattern.chars().all(|c| c.is_ascii_digit() || c == '#') {
        // width modifiers: at least `min`, at most `max` digits; a year is truncated to
        // `max` digits (`[Y,2]` means two digits when no digit pattern is given)
        let mut width = digits.max(m.min_width.unwrap_or(0));
        let max = m
            .max_width
            .or(if m.component == 'Y' && m.presentation.is_empty() {
                m.min_width
            } else {
                None
            });
        if let Some(max) = max {
            width = width.min(max.max(1));
            if m.component == 'Y' {
                v %= 10i64.saturating_pow(max.min(18) as u32);
            }
        }
        pattern = "0".repeat(width.saturating_sub(1)) + "1";
    } else if m.component == 'Y' && digits == 2 {
        v %= 100;
    }
    let picture = if ordinal {
        format!("{pattern};o")
    } else {
        pattern
    };
    format_integer_picture(v as f64, &picture)
}

fn format_offset(seconds: i32, component: char, pres: &str) -> String {
    let t_suffix = pres.ends_with('t');
    let pres = pres.trim_end_matches('t');
    if seconds == 0 && t_suffix {
        return "Z".into();
    }
    let sign = if seconds < 0 { '-' } else { '+' };
    let minutes = seconds.abs() / 60;
    let (h, mi) = (minutes / 60, minutes % 60);
    let body = match pres {
        "01:01" | "" => format!("{sign}{h:02}:{mi:02}"),
        "0101" => format!("{sign}{h:02}{mi:02}"),
        "01" => format!("{sign}{h:02}"),
        "1" | "0" => {
            if mi == 0 {
                format!("{sign}{h}")
            } else {
                format!("{sign}{h}:{mi:02}")
            }
        }
        _ => format!("{sign}{h:02}:{mi:02}"),
    };
    if component == 'z' {
        format!("GMT{body}")
    } else {
        body
    }
}

/// `$toMillis` with a picture: the XPath components JSONata-js parses (numbers, ordinals,
/// roman numerals, letters, words, month names, AM/PM, day of year, time zones).
fn parse_with_picture(s: &str, picture: &str) -> Result<Option<i64>> {
    enum Part {
        Lit(String),
        Mark(Marker),
    }
    let mut parts = Vec::new();
    let pc: Vec<char> = picture.chars().collect();
    let mut i = 0;
    let mut lit = String::new();
    while let Some(&c) = pc.get(i) {
        if (c == '[' || c == ']') && pc.get(i + 1) == Some(&c) {
            lit.push(c);
            i += 2;
            continue;
        }
        if c != '[' {
            lit.push(c);
            i += 1;
            continue;
        }
        let Some(end) = pc.iter().skip(i).position(|&d| d == ']').map(|p| p + i) else {
            return Err(JsonataError::new(
                "D3135",
                "No matching closing bracket ']' in date/time picture string",
            ));
        };
        if !lit.is_empty() {
            parts.push(Part::Lit(std::mem::take(&mut lit)));
        }
        let marker = parse_marker(&pc.get(i + 1..end).unwrap_or(&[]).iter().collect::<String>())?;
        if !"YMDdFWwXxHhPmsfZzCE".contains(marker.component) {
            return Err(JsonataError::new(
                "D3132",
                format!(
                    "Unknown component specifier {} in date/time picture string",
                    marker.component
                ),
            ));
        }
        if marker.component == 'Y' && marker.presentation.starts_with(['N', 'n']) {
            return Err(JsonataError::new(
                "D3133",
                "The 'name' modifier (N) is not supported for the year component",
            ));
        }
        parts.push(Part::Mark(marker));
        i = end + 1;
    }
    if !lit.is_empty() {
        parts.push(Part::Lit(lit));
    }

    if !parts.iter().any(|p| matches!(p, Part::Mark(_))) {
        return Ok(None);
    }
    let text: Vec<char> = s.chars().collect();
    let mut pos = 0;
    let mut found: std::collections::HashMap<char, i64> = std::collections::HashMap::new();
    let mut pm: Option<bool> = None;
    let mut offset_secs = 0i32;
    for (k, part) in parts.iter().enumerate() {
        match part {
            Part::Lit(l) => {
                let lc: Vec<char> = l.chars().collect();
                if text.get(pos..pos + lc.len()) != Some(&lc[..]) {
                    return Ok(None);
                }
                pos += lc.len();
            }
            Part::Mark(m) => {
                let rest: String = text.get(pos..).unwrap_or(&[]).iter().collect();
                let next_lit = match parts.get(k + 1) {
                    Some(Part::Lit(l)) => Some(l.as_str()),
                    _ => None,
                };
                let pres = m.presentation.as_str();
                let numeric = !(pres.starts_with(['N', 'n', 'W', 'w', 'I', 'i', 'A', 'a'])
                    || "FPZzCE".contains(m.component) && pres.is_empty());
                let token: String = match next_lit {
                    Some(l) if !l.is_empty() => rest
                        .find(l)
                        .map(|e| rest[..e].to_string())
                        .unwrap_or_else(|| rest.clone()),
                    _ if numeric => {
                        let width = pres.chars().filter(|c| c.is_ascii_digit()).count();
                        let digits = rest
                            .chars()
                            .take_while(|c| c.is_ascii_digit() || *c == '-' && m.component == 'Z');
                        if width > 1 {
                            digits.take(width).collect()
                        } else {
                            digits.collect()
                        }
                    }
                    _ => rest.clone(),
                };
                pos += token.chars().count();
                let lower = token.trim().to_lowercase();
                let value: Option<i64> = match m.component {
                    'P' => {
                        pm = Some(lower == "pm");
                        continue;
                    }
                    'F' | 'C' | 'E' => continue,
                    'Z' | 'z' => {
                        let tz = lower.trim_start_matches("gmt");
                        if tz != "z" && !tz.is_empty() {
                            offset_secs = parse_offset(tz)?.local_minus_utc();
                        }
                        continue;
                    }
                    'M' if pres.starts_with(['N', 'n']) => MONTHS
                        .iter()
                        .position(|name| {
                            lower.len() >= 3 && name.to_lowercase().starts_with(&lower)
                        })
                        .map(|x| x as i64 + 1),
                    _ => match pres.chars().next() {
                        Some('W' | 'w') => {
                            crate::functions::picture::words_to_number(&lower).map(|v| v as i64)
                        }
                        Some('I' | 'i') => {
                            crate::functions::picture::from_roman(&lower).map(|v| v as i64)
                        }
                        Some('A' | 'a') => {
                            crate::functions::picture::from_letters(&lower).map(|v| v as i64)
                        }
                        _ => {
                            let digits: String =
                                lower.chars().take_while(|c| c.is_ascii_digit()).collect();
                            digits.parse::<i64>().ok()
                        }
                    },
                };
                let Some(v) = value else { return Ok(None) };
                found.insert(m.component, v);
            }
        }
    }
    if pos != text.len() {
        return Ok(None);
    }
    if let Some(h) = found.get(&'h').copied() {
        let h24 = match pm {
            Some(true) if h < 12 => h + 12,
            Some(false) if h == 12 => 0,
            _ => h,
        };
        found.insert('H', h24);
    }
    // components must not leave gaps: leading ones default to now, trailing ones to their minimum
    let gap = |order: &[char]| {
        let present: Vec<bool> = order.iter().map(|c| found.contains_key(c)).collect();
        let first = present.iter().position(|p| *p);
        let last = present.iter().rposition(|p| *p);
        matches!((first, last), (Some(a), Some(b)) if present[a..=b].iter().any(|p| !p))
    };
    let day_of_year = found.contains_key(&'d');
    let order: &[char] = if day_of_year {
        &['Y', 'd', 'H', 'm', 's', 'f']
    } else {
        &['Y', 'M', 'D', 'H', 'm', 's', 'f']
    };
    if gap(order) || ['W', 'w', 'X', 'x'].iter().any(|c| found.contains_key(c)) {
        return Err(JsonataError::new(
            "D3136",
            "The date/time picture string is missing specifiers required to parse the timestamp",
        ));
    }
    let now = Utc::now();
    let first = order
        .iter()
        .position(|c| found.contains_key(c))
        .unwrap_or(order.len());
    let get = |c: char, idx: usize, now_v: i64, min: i64| -> i64 {
        match found.get(&c) {
            Some(v) => *v,
            None if idx < first => now_v,
            None => min,
        }
    };
    let year = get('Y', 0, now.year() as i64, 1970) as i32;
    let date = if day_of_year {
        NaiveDate::from_yo_opt(year, get('d', 1, now.ordinal() as i64, 1) as u32)
    } else {
        NaiveDate::from_ymd_opt(
            year,
            get('M', 1, now.month() as i64, 1) as u32,
            get('D', 2, now.day() as i64, 1) as u32,
        )
    };
    let base = if day_of_year { 2 } else { 3 };
    let time = NaiveTime::from_hms_milli_opt(
        get('H', base, now.hour() as i64, 0) as u32,
        get('m', base + 1, now.minute() as i64, 0) as u32,
        get('s', base + 2, now.second() as i64, 0) as u32,
        get('f', base + 3, 0, 0) as u32,
    );
    let (Some(date), Some(time)) = (date, time) else {
        return Ok(None);
    };
    Ok(Some(
        date.and_time(time).and_utc().timestamp_millis() - offset_secs as i64 * 1000,
    ))
}
