//! A shortcut for the paths nearly every definition uses — `$`, `$.a.b`, `$.a[0]`, `$$.x`,
//! `$var.x` — evaluated straight from the text without building a syntax tree. Anything else
//! (wildcards, filters, quotes, functions, odd characters) goes to the full parser.

use sfn_json::Value;

use crate::expr::Scope;

/// `Some(found)` when the path is simple (found is `None` when nothing is there);
/// `None` when the full parser is needed.
pub fn lookup<'v>(path: &str, scope: &Scope<'v>) -> Option<Option<&'v Value>> {
    let bytes = path.as_bytes();
    if bytes.first() != Some(&b'$') {
        return None;
    }
    let (mut node, mut pos) = match bytes.get(1) {
        Some(b'$') => (Some(scope.context), 2),
        Some(c) if c.is_ascii_alphanumeric() || *c == b'_' => {
            let end = bytes
                .iter()
                .skip(1)
                .position(|c| !(c.is_ascii_alphanumeric() || *c == b'_'))
                .map_or(bytes.len(), |p| p + 1);
            // A non-ASCII letter may continue the name: let the full parser decide.
            if bytes.get(end).is_some_and(|c| !c.is_ascii()) {
                return None;
            }
            (scope.variables.get(path.get(1..end)?), end)
        }
        _ => (Some(scope.input), 1),
    };
    while let Some(&c) = bytes.get(pos) {
        match c {
            b'.' => {
                let start = pos + 1;
                let len = bytes
                    .get(start..)?
                    .iter()
                    .position(|c| matches!(c, b'.' | b'[' | b'('))
                    .unwrap_or(bytes.len() - start);
                let name = path.get(start..start + len)?;
                if name.is_empty() || name.starts_with('*') || bytes.get(start + len) == Some(&b'(')
                {
                    return None;
                }
                node = node.and_then(|n| n.as_object()).and_then(|m| m.get(name));
                pos = start + len;
            }
            b'[' => {
                let start = pos + 1;
                let len = bytes
                    .get(start..)?
                    .iter()
                    .position(|c| !c.is_ascii_digit())?;
                if len == 0 || bytes.get(start + len) != Some(&b']') {
                    return None;
                }
                let index: usize = path.get(start..start + len)?.parse().ok()?;
                node = node.and_then(|n| n.as_array()).and_then(|a| a.get(index));
                pos = start + len + 1;
            }
            _ => return None,
        }
    }
    Some(node)
}
