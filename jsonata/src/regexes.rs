//! JSONata regular expressions (JavaScript syntax, flags `i` and `m`) on the `regex` crate.

use std::rc::Rc;

use regex::Regex;

use crate::error::{JsonataError, Result};
use crate::value::{Object, Val};

/// Compile a JavaScript-style pattern; constructs the `regex` crate lacks
/// (look-around, back-references) are reported as errors.
pub fn compile(pattern: &str, flags: &str) -> Result<Regex> {
    let mut prefix = String::new();
    if flags.contains('i') || flags.contains('m') {
        prefix.push_str("(?");
        if flags.contains('i') {
            prefix.push('i');
        }
        if flags.contains('m') {
            prefix.push('m');
        }
        prefix.push(')');
    }
    let translated = translate(pattern);
    Regex::new(&format!("{prefix}{translated}")).map_err(|e| {
        JsonataError::new(
            "S0303",
            format!("Unsupported regular expression /{pattern}/: {e}"),
        )
    })
}

/// JavaScript allows escaping any character (`\ `, `\-` outside classes…); the regex crate
/// does not, so an escaped character that is not a regex escape becomes a literal.
fn translate(pattern: &str) -> String {
    let mut out = String::with_capacity(pattern.len());
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some(e) if e.is_ascii_alphanumeric() => {
                out.push('\\');
                out.push(e);
            }
            Some(e) => out.push_str(&regex::escape(&e.to_string())),
            None => out.push_str("\\\\"),
        }
    }
    out
}

/// Character offset of a byte offset (JSONata reports positions in characters).
fn char_index(s: &str, byte: usize) -> usize {
    s.get(..byte).map(|p| p.chars().count()).unwrap_or(0)
}

/// The object a regex returns when invoked: `{match, start, end, groups}`.
pub fn match_object<'a>(re: &Regex, s: &str, from: usize) -> Val<'a> {
    let Some(caps) = s.get(from..).and_then(|t| re.captures(t)) else {
        return Val::Undef;
    };
    let Some(m) = caps.get(0) else {
        return Val::Undef;
    };
    let mut obj = Object::default();
    obj.insert(Rc::from("match"), Val::str(m.as_str()));
    obj.insert(
        Rc::from("start"),
        Val::Num(char_index(s, from + m.start()) as f64),
    );
    obj.insert(
        Rc::from("end"),
        Val::Num(char_index(s, from + m.end()) as f64),
    );
    let groups = caps
        .iter()
        .skip(1)
        .map(|g| Val::str(g.map(|g| g.as_str()).unwrap_or("")))
        .collect();
    obj.insert(Rc::from("groups"), Val::array(groups));
    Val::object(obj)
}

/// All matches as `$match` reports them: `{match, index, groups}`.
pub fn all_matches<'a>(re: &Regex, s: &str, limit: Option<usize>) -> Vec<Val<'a>> {
    let mut out = Vec::new();
    for caps in re.captures_iter(s) {
        if limit.is_some_and(|l| out.len() >= l) {
            break;
        }
        let Some(m) = caps.get(0) else { continue };
        let mut obj = Object::default();
        obj.insert(Rc::from("match"), Val::str(m.as_str()));
        obj.insert(Rc::from("index"), Val::Num(char_index(s, m.start()) as f64));
        let groups = caps
            .iter()
            .skip(1)
            .map(|g| Val::str(g.map(|g| g.as_str()).unwrap_or("")))
            .collect();
        obj.insert(Rc::from("groups"), Val::array(groups));
        out.push(Val::object(obj));
    }
    out
}
