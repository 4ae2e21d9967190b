//! Function signatures (`<s-nn?:s>`): argument validation and context substitution,
//! done as JSONata-js does it: each argument becomes a type letter and the
//! signature becomes a regular expression over those letters.

use std::rc::Rc;

use regex::Regex;

use crate::error::{JsonataError, Result, quoted};
use crate::value::Val;

#[derive(Debug, Clone)]
struct Param {
    regex: String,
    kind: char,
    subtype: Option<char>,
    context_regex: Option<Regex>,
}

#[derive(Debug, Clone)]
pub struct Signature {
    params: Vec<Param>,
    regex: Regex,
}

fn symbol(v: &Val<'_>) -> char {
    match v {
        Val::Undef => 'm',
        Val::Null => 'l',
        Val::Bool(_) => 'b',
        Val::Num(_) => 'n',
        Val::Str(_) | Val::JStr(_) => 's',
        Val::Arr(_) | Val::JArr(_) => 'a',
        Val::Obj(_) | Val::JObj(_) => 'o',
        Val::Func(_) => 'f',
    }
}

fn bad_signature(text: &str) -> JsonataError {
    JsonataError::new(
        "S0401",
        format!(
            "Type parameters can only be applied to functions and arrays: {}",
            quoted(text)
        ),
    )
}

impl Signature {
    pub fn parse(text: &str) -> Result<Signature> {
        let chars: Vec<char> = text.chars().collect();
        let mut params: Vec<Param> = Vec::new();
        let mut i = 1; // skip '<'
        while let Some(&c) = chars.get(i) {
            if c == ':' || c == '>' {
                break;
            }
            match c {
                'b' | 'n' | 's' | 'l' | 'o' => params.push(Param {
                    regex: format!("[{c}m]"),
                    kind: c,
                    subtype: None,
                    context_regex: None,
                }),
                'a' => params.push(Param {
                    regex: "[asnblfom]".into(),
                    kind: 'a',
                    subtype: None,
                    context_regex: None,
                }),
                'f' => params.push(Param {
                    regex: "f".into(),
                    kind: 'f',
                    subtype: None,
                    context_regex: None,
                }),
                'j' => params.push(Param {
                    regex: "[asnblom]".into(),
                    kind: 'j',
                    subtype: None,
                    context_regex: None,
                }),
                'x' => params.push(Param {
                    regex: "[asnblfom]".into(),
                    kind: 'x',
                    subtype: None,
                    context_regex: None,
                }),
                'u' => params.push(Param {
                    regex: "[bnslm]".into(),
                    kind: 'u',
                    subtype: None,
                    context_regex: None,
                }),
                '(' => {
                    let mut choice = String::new();
                    i += 1;
                    while let Some(&d) = chars.get(i) {
                        if d == ')' {
                            break;
                        }
                        choice.push(d);
                        i += 1;
                    }
                    params.push(Param {
                        regex: format!("[{choice}m]"),
                        kind: '(',
                        subtype: None,
                        context_regex: None,
                    });
                }
                '<' => {
                    // subtype of the preceding array or function parameter
                    let Some(prev) = params.last_mut() else {
                        return Err(bad_signature(text));
                    };
                    if prev.kind != 'a' && prev.kind != 'f' {
                        return Err(bad_signature(text));
                    }
                    let mut depth = 1;
                    let mut sub = String::new();
                    i += 1;
                    while let Some(&d) = chars.get(i) {
                        if d == '<' {
                            depth += 1;
                        } else if d == '>' {
                            depth -= 1;
                            if depth == 0 {
                                break;
                            }
                        }
                        sub.push(d);
                        i += 1;
                    }
                    if prev.kind == 'a' {
                        prev.subtype = sub.chars().next();
                    }
                }
                '?' | '+' => {
                    if let Some(prev) = params.last_mut() {
                        prev.regex.push(c);
                    }
                }
                '-' => {
                    if let Some(prev) = params.last_mut() {
                        prev.context_regex = Regex::new(&format!("^{}$", prev.regex)).ok();
                        prev.regex.push('?');
                    }
                }
                _ => return Err(bad_signature(text)),
            }
            i += 1;
        }
        let pattern: String = params.iter().map(|p| format!("({})", p.regex)).collect();
        let regex = Regex::new(&format!("^{pattern}$")).map_err(|_| bad_signature(text))?;
        Ok(Signature { params, regex })
    }

    /// Validate `args` (substituting the context for a missing `-` argument, wrapping
    /// singletons for array parameters). `name` is used in error messages.
    pub fn validate<'a>(
        &self,
        args: &[Val<'a>],
        context: &Val<'a>,
        name: &str,
    ) -> Result<Vec<Val<'a>>> {
        let supplied: String = args.iter().map(symbol).collect();
        let Some(caps) = self.regex.captures(&supplied) else {
            return Err(self.mismatch(args, &supplied, name));
        };
        let mut out = Vec::with_capacity(self.params.len());
        let mut arg_index = 0;
        for (index, param) in self.params.iter().enumerate() {
            let matched = caps.get(index + 1).map(|m| m.as_str()).unwrap_or("");
            if matched.is_empty() {
                if let Some(ctx_re) = &param.context_regex {
                    let ctype = symbol(context).to_string();
                    if ctx_re.is_match(&ctype) {
                        out.push(context.clone());
                    } else {
                        return Err(JsonataError::new(
                            "T0411",
                            format!(
                                "Context value is not a compatible type with argument {} of function {}",
                                arg_index + 1,
                                quoted(name)
                            ),
                        ));
                    }
                } else {
                    out.push(args.get(arg_index).cloned().unwrap_or_default());
                    arg_index += 1;
                }
                continue;
            }
            for single in matched.chars() {
                let arg = args.get(arg_index).cloned().unwrap_or_default();
                if param.kind == 'a' {
                    if single == 'm' {
                        out.push(Val::Undef);
                    } else {
                        if let Some(sub) = param.subtype {
                            let ok = if single == 'a' {
                                let items = arg.items();
                                items.iter().all(|v| symbol(v) == sub)
                            } else {
                                single == sub
                            };
                            if !ok {
                                return Err(JsonataError::new(
                                    "T0412",
                                    format!(
                                        "Argument {} of function {} must be an array of {}",
                                        arg_index + 1,
                                        quoted(name),
                                        type_word(sub)
                                    ),
                                ));
                            }
                        }
                        if single == 'a' {
                            out.push(arg);
                        } else {
                            out.push(Val::array(vec![arg]));
                        }
                    }
                } else {
                    out.push(arg);
                }
                arg_index += 1;
            }
        }
        Ok(out)
    }

    fn mismatch(&self, _args: &[Val<'_>], supplied: &str, name: &str) -> JsonataError {
        let mut partial = String::from("^");
        let mut good_to = 0;
        for p in &self.params {
            partial.push('(');
            partial.push_str(&p.regex);
            partial.push(')');
            match Regex::new(&partial)
                .ok()
                .and_then(|re| re.find(supplied).map(|m| m.end()))
            {
                Some(end) => good_to = end,
                None => break,
            }
        }
        JsonataError::new(
            "T0410",
            format!(
                "Argument {} of function {} does not match function signature",
                good_to + 1,
                quoted(name)
            ),
        )
    }
}

fn type_word(c: char) -> &'static str {
    match c {
        'a' => "arrays",
        'b' => "booleans",
        'f' => "functions",
        'n' => "numbers",
        'o' => "objects",
        's' => "strings",
        _ => "values",
    }
}

/// Compiled signatures of the built-in functions, cached per thread.
pub fn cached(text: &'static str) -> Result<Rc<Signature>> {
    use std::cell::RefCell;
    use std::collections::HashMap;
    thread_local! {
        static CACHE: RefCell<HashMap<&'static str, Rc<Signature>>> = RefCell::new(HashMap::new());
    }
    CACHE.with(|c| {
        if let Some(s) = c.borrow().get(text) {
            return Ok(s.clone());
        }
        let sig = Rc::new(Signature::parse(text)?);
        c.borrow_mut().insert(text, sig.clone());
        Ok(sig)
    })
}
