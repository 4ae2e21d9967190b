//! String functions.

use std::rc::Rc;

use base64::Engine;

use super::{arg, num, string_of, text};
use crate::error::{JsonataError, Result, quoted};
use crate::eval::{Evaluator, show};
use crate::numfmt::to_string;
use crate::regexes::all_matches;
use crate::value::{Func, Val};

type R<'a> = Result<Val<'a>>;

pub fn string<'a>(_: &Evaluator<'a>, args: Vec<Val<'a>>, _: &Val<'a>) -> R<'a> {
    let v = arg(&args, 0);
    if v.is_undef() {
        return Ok(Val::Undef);
    }
    let pretty = matches!(args.get(1), Some(Val::Bool(true)));
    if pretty && (v.is_array() || v.is_object()) {
        return Ok(Val::string(to_string(&v, true)?));
    }
    Ok(Val::string(string_of(&v)?))
}

fn chars(s: &str) -> Vec<char> {
    s.chars().collect()
}

/// JavaScript's `Array.prototype.slice` index normalisation.
fn slice_index(i: f64, len: usize) -> usize {
    let len_f = len as f64;
    let i = i.trunc();
    let r = if i < 0.0 {
        (len_f + i).max(0.0)
    } else {
        i.min(len_f)
    };
    r as usize
}

pub fn substring<'a>(_: &Evaluator<'a>, args: Vec<Val<'a>>, _: &Val<'a>) -> R<'a> {
    let Some(s) = text(&args, 0) else {
        return Ok(Val::Undef);
    };
    let cs = chars(s);
    let len = cs.len() as f64;
    let mut start = num(&args, 1).unwrap_or(0.0);
    if len + start < 0.0 {
        start = 0.0;
    }
    let begin = slice_index(start, cs.len());
    let end = match num(&args, 2) {
        Some(length) => {
            if length <= 0.0 {
                return Ok(Val::str(""));
            }
            let end = if start >= 0.0 {
                start + length
            } else {
                len + start + length
            };
            slice_index(end, cs.len())
        }
        None => cs.len(),
    };
    if begin >= end {
        return Ok(Val::str(""));
    }
    Ok(Val::string(
        cs.get(begin..end).unwrap_or(&[]).iter().collect(),
    ))
}

pub fn substring_before<'a>(_: &Evaluator<'a>, args: Vec<Val<'a>>, _: &Val<'a>) -> R<'a> {
    let Some(s) = text(&args, 0) else {
        return Ok(Val::Undef);
    };
    let Some(sep) = text(&args, 1) else {
        return Ok(Val::str(s));
    };
    Ok(Val::str(s.find(sep).map(|i| &s[..i]).unwrap_or(s)))
}

pub fn substring_after<'a>(_: &Evaluator<'a>, args: Vec<Val<'a>>, _: &Val<'a>) -> R<'a> {
    let Some(s) = text(&args, 0) else {
        return Ok(Val::Undef);
    };
    let Some(sep) = text(&args, 1) else {
        return Ok(Val::str(s));
    };
    Ok(Val::str(
        s.find(sep).map(|i| &s[i + sep.len()..]).unwrap_or(s),
    ))
}

pub fn lowercase<'a>(_: &Evaluator<'a>, args: Vec<Val<'a>>, _: &Val<'a>) -> R<'a> {
    Ok(text(&args, 0)
        .map(|s| Val::string(s.to_lowercase()))
        .unwrap_or_default())
}

pub fn uppercase<'a>(_: &Evaluator<'a>, args: Vec<Val<'a>>, _: &Val<'a>) -> R<'a> {
    Ok(text(&args, 0)
        .map(|s| Val::string(s.to_uppercase()))
        .unwrap_or_default())
}

pub fn length<'a>(_: &Evaluator<'a>, args: Vec<Val<'a>>, _: &Val<'a>) -> R<'a> {
    Ok(text(&args, 0)
        .map(|s| Val::Num(s.chars().count() as f64))
        .unwrap_or_default())
}

pub fn trim<'a>(_: &Evaluator<'a>, args: Vec<Val<'a>>, _: &Val<'a>) -> R<'a> {
    let Some(s) = text(&args, 0) else {
        return Ok(Val::Undef);
    };
    let mut out = String::with_capacity(s.len());
    let mut in_space = false;
    for c in s.chars() {
        if matches!(c, ' ' | '\t' | '\n' | '\r') {
            if !in_space {
                out.push(' ');
            }
            in_space = true;
        } else {
            out.push(c);
            in_space = false;
        }
    }
    let t = out.strip_prefix(' ').unwrap_or(&out);
    Ok(Val::str(t.strip_suffix(' ').unwrap_or(t)))
}

pub fn pad<'a>(_: &Evaluator<'a>, args: Vec<Val<'a>>, _: &Val<'a>) -> R<'a> {
    let Some(s) = text(&args, 0) else {
        return Ok(Val::Undef);
    };
    let width = num(&args, 1).unwrap_or(0.0).trunc();
    let fill = match text(&args, 2) {
        Some(c) if !c.is_empty() => c,
        _ => " ",
    };
    let len = s.chars().count() as f64;
    let pad_len = width.abs() - len;
    if pad_len <= 0.0 {
        return Ok(Val::str(s));
    }
    let padding: String = fill
        .chars()
        .cycle()
        .take(pad_len.min(1e7) as usize)
        .collect();
    Ok(Val::string(if width > 0.0 {
        format!("{s}{padding}")
    } else {
        format!("{padding}{s}")
    }))
}

fn regex_of<'a>(v: &Val<'a>) -> Option<std::sync::Arc<regex::Regex>> {
    match v {
        Val::Func(f) => match &**f {
            Func::Regex(r) => Some(r.clone()),
            _ => None,
        },
        _ => None,
    }
}

pub fn contains<'a>(_: &Evaluator<'a>, args: Vec<Val<'a>>, _: &Val<'a>) -> R<'a> {
    let Some(s) = text(&args, 0) else {
        return Ok(Val::Undef);
    };
    let token = arg(&args, 1);
    if let Some(t) = token.as_str() {
        return Ok(Val::Bool(s.contains(t)));
    }
    match regex_of(&token) {
        Some(re) => Ok(Val::Bool(re.is_match(s))),
        None => Ok(Val::Bool(false)),
    }
}

fn limit_arg(
    args: &[Val<'_>],
    i: usize,
    code: &str,
    which: &str,
    fname: &str,
) -> Result<Option<usize>> {
    match num(args, i) {
        None => Ok(None),
        Some(l) if l < 0.0 => Err(JsonataError::new(
            code,
            format!("{which} argument of {fname} function must evaluate to a positive number"),
        )),
        Some(l) => Ok(Some(l as usize)),
    }
}

pub fn split<'a>(_: &Evaluator<'a>, args: Vec<Val<'a>>, _: &Val<'a>) -> R<'a> {
    let Some(s) = text(&args, 0) else {
        return Ok(Val::Undef);
    };
    let limit = limit_arg(&args, 2, "D3020", "Third", "split")?;
    let sep = arg(&args, 1);
    let mut parts: Vec<String> = if let Some(sep) = sep.as_str() {
        if sep.is_empty() {
            s.chars().map(String::from).collect()
        } else {
            s.split(sep).map(String::from).collect()
        }
    } else if let Some(re) = regex_of(&sep) {
        re.split(s).map(String::from).collect()
    } else {
        vec![s.to_string()]
    };
    if let Some(l) = limit {
        parts.truncate(l);
    }
    Ok(Val::array(parts.into_iter().map(Val::string).collect()))
}

pub fn join<'a>(_: &Evaluator<'a>, args: Vec<Val<'a>>, _: &Val<'a>) -> R<'a> {
    let list = arg(&args, 0);
    if list.is_undef() {
        return Ok(Val::Undef);
    }
    let sep = text(&args, 1).unwrap_or("");
    let items: Vec<String> = list
        .items()
        .iter()
        .map(|v| v.as_str().unwrap_or("").to_string())
        .collect();
    Ok(Val::string(items.join(sep)))
}

pub fn match_fn<'a>(_: &Evaluator<'a>, args: Vec<Val<'a>>, _: &Val<'a>) -> R<'a> {
    let Some(s) = text(&args, 0) else {
        return Ok(Val::Undef);
    };
    let limit = limit_arg(&args, 2, "D3040", "Third", "match")?;
    let Some(re) = regex_of(&arg(&args, 1)) else {
        return Ok(Val::Undef);
    };
    Ok(Val::sequence(all_matches(&re, s, limit)))
}

/// Expand `$0`, `$1`, `$$` in a replacement string, as JSONata-js does.
fn expand(replacement: &str, caps: &regex::Captures<'_>) -> String {
    let groups = caps.len().saturating_sub(1);
    let rc: Vec<char> = replacement.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while let Some(&c) = rc.get(i) {
        if c != '$' {
            out.push(c);
            i += 1;
            continue;
        }
        i += 1;
        match rc.get(i) {
            Some('$') => {
                out.push('$');
                i += 1;
            }
            Some('0') => {
                out.push_str(caps.get(0).map(|m| m.as_str()).unwrap_or(""));
                i += 1;
            }
            Some(d) if d.is_ascii_digit() => {
                let max_digits = if groups == 0 {
                    1
                } else {
                    (groups as f64).log10().floor() as usize + 1
                };
                let take: String = rc
                    .iter()
                    .skip(i)
                    .take(max_digits)
                    .take_while(|c| c.is_ascii_digit())
                    .collect();
                let mut index: usize = take.parse().unwrap_or(0);
                let mut used = take.len();
                if used > 1 && index > groups {
                    let shorter: String = take.chars().take(used - 1).collect();
                    index = shorter.parse().unwrap_or(0);
                    used -= 1;
                }
                if groups > 0 && index >= 1 {
                    out.push_str(caps.get(index).map(|m| m.as_str()).unwrap_or(""));
                }
                i += used;
            }
            _ => out.push('$'),
        }
    }
    out
}

pub fn replace<'a>(ev: &Evaluator<'a>, args: Vec<Val<'a>>, ctx: &Val<'a>) -> R<'a> {
    let Some(s) = text(&args, 0) else {
        return Ok(Val::Undef);
    };
    let pattern = arg(&args, 1);
    let replacement = arg(&args, 2);
    if pattern.as_str() == Some("") {
        return Err(JsonataError::new(
            "D3010",
            "Second argument of replace function cannot be an empty string",
        ));
    }
    let limit = limit_arg(&args, 3, "D3011", "Fourth", "replace")?;
    if let Some(p) = pattern.as_str() {
        let rep = replacement.as_str().unwrap_or("");
        let mut out = String::new();
        let mut rest = s;
        let mut count = 0;
        while let Some(i) = rest.find(p) {
            if limit.is_some_and(|l| count >= l) {
                break;
            }
            out.push_str(&rest[..i]);
            out.push_str(rep);
            rest = &rest[i + p.len()..];
            count += 1;
        }
        out.push_str(rest);
        return Ok(Val::string(out));
    }
    let Some(re) = regex_of(&pattern) else {
        return Ok(Val::str(s));
    };
    let mut out = String::new();
    let mut last = 0;
    for (count, caps) in re.captures_iter(s).enumerate() {
        if limit.is_some_and(|l| count >= l) {
            break;
        }
        let Some(m) = caps.get(0) else { continue };
        if m.as_str().is_empty() {
            return Err(JsonataError::new(
                "D1004",
                "Regular expression matches zero length string",
            ));
        }
        out.push_str(&s[last..m.start()]);
        if let Some(r) = replacement.as_str() {
            out.push_str(&expand(r, &caps));
        } else if replacement.is_func() {
            let mobj = match_value(&caps, s);
            let res = ev.apply(&replacement, vec![mobj], ctx, "replace")?;
            match res.as_str() {
                Some(r) => out.push_str(r),
                None => {
                    return Err(JsonataError::new(
                        "D3012",
                        format!(
                            "Attempted to replace a matched string with a non-string value: {}",
                            show(&res)
                        ),
                    ));
                }
            }
        }
        last = m.end();
    }
    out.push_str(&s[last..]);
    Ok(Val::string(out))
}

fn match_value<'a>(caps: &regex::Captures<'_>, s: &str) -> Val<'a> {
    let mut obj = crate::value::Object::default();
    let m = caps.get(0);
    obj.insert(
        Rc::from("match"),
        Val::str(m.map(|m| m.as_str()).unwrap_or("")),
    );
    let index = m.map(|m| s[..m.start()].chars().count()).unwrap_or(0);
    obj.insert(Rc::from("index"), Val::Num(index as f64));
    let groups = caps
        .iter()
        .skip(1)
        .map(|g| Val::str(g.map(|g| g.as_str()).unwrap_or("")))
        .collect();
    obj.insert(Rc::from("groups"), Val::array(groups));
    Val::object(obj)
}

pub fn base64encode<'a>(_: &Evaluator<'a>, args: Vec<Val<'a>>, _: &Val<'a>) -> R<'a> {
    Ok(text(&args, 0)
        .map(|s| Val::string(base64::engine::general_purpose::STANDARD.encode(s.as_bytes())))
        .unwrap_or_default())
}

pub fn base64decode<'a>(_: &Evaluator<'a>, args: Vec<Val<'a>>, _: &Val<'a>) -> R<'a> {
    let Some(s) = text(&args, 0) else {
        return Ok(Val::Undef);
    };
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(s.trim())
        .or_else(|_| base64::engine::general_purpose::STANDARD_NO_PAD.decode(s.trim()))
        .map_err(|_| JsonataError::new("D3137", format!("Invalid base64 string: {}", quoted(s))))?;
    Ok(Val::string(String::from_utf8_lossy(&bytes).into_owned()))
}

fn encode(s: &str, keep: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_ascii_alphanumeric() || keep.contains(c) {
            out.push(c);
        } else {
            let mut buf = [0u8; 4];
            for byte in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("%{byte:02X}"));
            }
        }
    }
    out
}

const URI_COMPONENT_KEEP: &str = "-_.!~*'()";
const URI_KEEP: &str = "-_.!~*'();,/?:@&=+$#";

pub fn encode_url_component<'a>(_: &Evaluator<'a>, args: Vec<Val<'a>>, _: &Val<'a>) -> R<'a> {
    Ok(text(&args, 0)
        .map(|s| Val::string(encode(s, URI_COMPONENT_KEEP)))
        .unwrap_or_default())
}

pub fn encode_url<'a>(_: &Evaluator<'a>, args: Vec<Val<'a>>, _: &Val<'a>) -> R<'a> {
    Ok(text(&args, 0)
        .map(|s| Val::string(encode(s, URI_KEEP)))
        .unwrap_or_default())
}

fn decode(s: &str, keep_reserved: bool, fname: &str) -> Result<String> {
    let malformed = || {
        JsonataError::new(
            "D3140",
            format!("Malformed URL passed to ${fname}(): {}", quoted(s)),
        )
    };
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b == b'%' {
            let hex = s.get(i + 1..i + 3).ok_or_else(malformed)?;
            let v = u8::from_str_radix(hex, 16).map_err(|_| malformed())?;
            if keep_reserved && v.is_ascii() && ";,/?:@&=+$#".contains(v as char) {
                out.extend_from_slice(&bytes[i..i + 3]);
            } else {
                out.push(v);
            }
            i += 3;
        } else {
            out.push(b);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| malformed())
}

pub fn decode_url_component<'a>(_: &Evaluator<'a>, args: Vec<Val<'a>>, _: &Val<'a>) -> R<'a> {
    match text(&args, 0) {
        Some(s) => Ok(Val::string(decode(s, false, "decodeUrlComponent")?)),
        None => Ok(Val::Undef),
    }
}

pub fn decode_url<'a>(_: &Evaluator<'a>, args: Vec<Val<'a>>, _: &Val<'a>) -> R<'a> {
    match text(&args, 0) {
        Some(s) => Ok(Val::string(decode(s, true, "decodeUrl")?)),
        None => Ok(Val::Undef),
    }
}
