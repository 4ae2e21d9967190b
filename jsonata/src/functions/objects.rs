//! Object, boolean and type functions.

use std::rc::Rc;

use super::{arg, text};
use crate::error::{JsonataError, Result};
use crate::eval::{Evaluator, lookup_field};
use crate::util::boolean as to_bool;
use crate::value::{Object, Val};

type R<'a> = Result<Val<'a>>;

pub fn boolean<'a>(_: &Evaluator<'a>, args: Vec<Val<'a>>, _: &Val<'a>) -> R<'a> {
    Ok(to_bool(&arg(&args, 0)).map(Val::Bool).unwrap_or_default())
}

pub fn not<'a>(_: &Evaluator<'a>, args: Vec<Val<'a>>, _: &Val<'a>) -> R<'a> {
    Ok(to_bool(&arg(&args, 0))
        .map(|b| Val::Bool(!b))
        .unwrap_or_default())
}

pub fn exists<'a>(_: &Evaluator<'a>, args: Vec<Val<'a>>, _: &Val<'a>) -> R<'a> {
    Ok(Val::Bool(!arg(&args, 0).is_undef()))
}

pub fn keys<'a>(_: &Evaluator<'a>, args: Vec<Val<'a>>, _: &Val<'a>) -> R<'a> {
    let v = arg(&args, 0);
    let mut out: Vec<Rc<str>> = Vec::new();
    let sources = if v.is_array() { v.items() } else { vec![v] };
    for s in &sources {
        for k in s.keys() {
            if !out.contains(&k) {
                out.push(k);
            }
        }
    }
    Ok(Val::sequence(out.into_iter().map(Val::Str).collect()))
}

pub fn lookup<'a>(_: &Evaluator<'a>, args: Vec<Val<'a>>, _: &Val<'a>) -> R<'a> {
    let key = text(&args, 1).unwrap_or("");
    Ok(lookup_field(&arg(&args, 0), key))
}

pub fn spread<'a>(_: &Evaluator<'a>, args: Vec<Val<'a>>, _: &Val<'a>) -> R<'a> {
    let v = arg(&args, 0);
    if v.is_array() {
        let mut out = Vec::new();
        for item in v.items() {
            let s = spread_one(&item);
            if s.is_array() {
                out.extend(s.items());
            } else {
                out.push(s);
            }
        }
        return Ok(Val::sequence(out));
    }
    Ok(spread_one(&v))
}

fn spread_one<'a>(v: &Val<'a>) -> Val<'a> {
    if !v.is_object() {
        return v.clone();
    }
    let items = v
        .entries()
        .into_iter()
        .map(|(k, val)| {
            let mut o = Object::default();
            o.insert(k, val);
            Val::object(o)
        })
        .collect();
    Val::sequence(items)
}

pub fn merge<'a>(_: &Evaluator<'a>, args: Vec<Val<'a>>, _: &Val<'a>) -> R<'a> {
    let v = arg(&args, 0);
    if v.is_undef() {
        return Ok(Val::Undef);
    }
    let mut o = Object::default();
    for item in v.items() {
        for (k, val) in item.entries() {
            o.insert(k, val);
        }
    }
    Ok(Val::object(o))
}

pub fn error<'a>(_: &Evaluator<'a>, args: Vec<Val<'a>>, _: &Val<'a>) -> R<'a> {
    let msg = text(&args, 0).unwrap_or("$error() function evaluated");
    Err(JsonataError::new("D3137", msg))
}

pub fn assert<'a>(_: &Evaluator<'a>, args: Vec<Val<'a>>, _: &Val<'a>) -> R<'a> {
    if matches!(args.first(), Some(Val::Bool(true))) {
        return Ok(Val::Undef);
    }
    let msg = text(&args, 1).unwrap_or("$assert() statement failed");
    Err(JsonataError::new("D3141", msg))
}

pub fn type_of<'a>(_: &Evaluator<'a>, args: Vec<Val<'a>>, _: &Val<'a>) -> R<'a> {
    Ok(arg(&args, 0).type_name().map(Val::str).unwrap_or_default())
}

pub fn clone<'a>(_: &Evaluator<'a>, args: Vec<Val<'a>>, _: &Val<'a>) -> R<'a> {
    Ok(arg(&args, 0))
}
