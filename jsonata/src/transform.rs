//! The transform operator `| pattern | update, delete |`.
//!
//! JSONata-js deep-copies the argument and mutates the matched objects in place. Values here
//! are immutable, so the copy is built as shared objects, the matches are recorded by identity,
//! and the copy is rebuilt with the updates applied to those objects.

use std::collections::HashMap;
use std::rc::Rc;

use crate::ast::Transform;
use crate::env::Env;
use crate::error::{JsonataError, Result};
use crate::eval::{Evaluator, show};
use crate::value::{Object, Val};

struct Change<'a> {
    update: Vec<(Rc<str>, Val<'a>)>,
    delete: Vec<String>,
}

pub fn apply<'a>(
    ev: &Evaluator<'a>,
    def: &'a Transform,
    env: &Env<'a>,
    arg: Val<'a>,
) -> Result<Val<'a>> {
    if arg.is_undef() {
        return Ok(Val::Undef);
    }
    let copy = match arg.to_json() {
        Ok(Some(json)) => crate::convert::owned(json),
        _ => return Ok(arg),
    };
    let matches = ev.eval(&def.pattern, &copy, env)?;
    let matches = if matches.is_array() {
        matches.items()
    } else {
        vec![matches]
    };
    let mut changes: HashMap<*const Object<'a>, Change<'a>> = HashMap::new();
    for m in matches {
        let Val::Obj(obj) = &m else { continue };
        let update = ev.eval(&def.update, &m, env)?;
        let update = match &update {
            Val::Undef => Vec::new(),
            u if u.is_object() => u.entries(),
            other => {
                return Err(JsonataError::new(
                    "T2011",
                    format!(
                        "The insert/update clause of the transform expression must evaluate to an object: {}",
                        show(other)
                    ),
                ));
            }
        };
        let mut delete = Vec::new();
        if let Some(d) = &def.delete {
            let del = ev.eval(d, &m, env)?;
            if !del.is_undef() {
                let list = if del.is_array() {
                    del.items()
                } else {
                    vec![del.clone()]
                };
                for item in list {
                    match item.as_str() {
                        Some(s) => delete.push(s.to_string()),
                        None => {
                            return Err(JsonataError::new(
                                "T2012",
                                format!(
                                    "The delete clause of the transform expression must evaluate to a string or array of strings: {}",
                                    show(&del)
                                ),
                            ));
                        }
                    }
                }
            }
        }
        changes.insert(Rc::as_ptr(obj), Change { update, delete });
    }
    Ok(rebuild(&copy, &changes))
}

fn rebuild<'a>(v: &Val<'a>, changes: &HashMap<*const Object<'a>, Change<'a>>) -> Val<'a> {
    match v {
        Val::Obj(obj) => {
            let mut out = Object::default();
            for (k, child) in &obj.entries {
                out.insert(k.clone(), rebuild(child, changes));
            }
            if let Some(change) = changes.get(&Rc::as_ptr(obj)) {
                for (k, val) in &change.update {
                    out.insert(k.clone(), val.clone());
                }
                if !change.delete.is_empty() {
                    let kept = out
                        .entries
                        .into_iter()
                        .filter(|(k, _)| !change.delete.iter().any(|d| **k == **d));
                    let mut pruned = Object::default();
                    for (k, val) in kept {
                        pruned.insert(k, val);
                    }
                    out = pruned;
                }
            }
            Val::object(out)
        }
        Val::Arr(_) => Val::array(v.items().iter().map(|i| rebuild(i, changes)).collect()),
        other => other.clone(),
    }
}
