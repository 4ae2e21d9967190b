//! Higher-order functions: `$map`, `$filter`, `$single`, `$reduce`, `$sift`, `$each`, `$sort`.

use std::rc::Rc;

use super::arg;
use crate::error::{JsonataError, Result};
use crate::eval::{Evaluator, cmp_js_strings};
use crate::util::truthy;
use crate::value::{Object, Val};

type R<'a> = Result<Val<'a>>;

fn arity(f: &Val<'_>) -> usize {
    f.as_func().map(|f| f.arity()).unwrap_or(1)
}

/// Arguments JSONata passes to a callback: value, then index/key and the whole input
/// when the callback declares that many parameters.
fn hof_args<'a>(
    f: &Val<'a>,
    value: Val<'a>,
    second: impl FnOnce() -> Val<'a>,
    third: impl FnOnce() -> Val<'a>,
) -> Vec<Val<'a>> {
    let n = arity(f);
    let mut args = vec![value];
    if n >= 2 {
        args.push(second());
    }
    if n >= 3 {
        args.push(third());
    }
    args
}

pub fn map<'a>(ev: &Evaluator<'a>, args: Vec<Val<'a>>, ctx: &Val<'a>) -> R<'a> {
    let list = arg(&args, 0);
    let f = arg(&args, 1);
    if list.is_undef() {
        return Ok(Val::Undef);
    }
    let mut out = Vec::new();
    for (i, item) in list.items().into_iter().enumerate() {
        let a = hof_args(&f, item, || Val::Num(i as f64), || list.clone());
        let r = ev.apply(&f, a, ctx, "map")?;
        if !r.is_undef() {
            out.push(r);
        }
    }
    Ok(Val::sequence(out))
}

pub fn filter<'a>(ev: &Evaluator<'a>, args: Vec<Val<'a>>, ctx: &Val<'a>) -> R<'a> {
    let list = arg(&args, 0);
    let f = arg(&args, 1);
    if list.is_undef() {
        return Ok(Val::Undef);
    }
    let mut out = Vec::new();
    for (i, item) in list.items().into_iter().enumerate() {
        let a = hof_args(&f, item.clone(), || Val::Num(i as f64), || list.clone());
        if truthy(&ev.apply(&f, a, ctx, "filter")?) {
            out.push(item);
        }
    }
    Ok(Val::sequence(out))
}

pub fn single<'a>(ev: &Evaluator<'a>, args: Vec<Val<'a>>, ctx: &Val<'a>) -> R<'a> {
    let list = arg(&args, 0);
    let f = arg(&args, 1);
    if list.is_undef() {
        return Ok(Val::Undef);
    }
    let mut found: Option<Val<'a>> = None;
    for (i, item) in list.items().into_iter().enumerate() {
        let ok = if f.is_undef() {
            true
        } else {
            let a = hof_args(&f, item.clone(), || Val::Num(i as f64), || list.clone());
            truthy(&ev.apply(&f, a, ctx, "single")?)
        };
        if ok {
            if found.is_some() {
                return Err(JsonataError::new(
                    "D3138",
                    "The $single() function expected exactly 1 matching result.  Instead it matched more.",
                ));
            }
            found = Some(item);
        }
    }
    found.ok_or_else(|| {
        JsonataError::new(
            "D3139",
            "The $single() function expected exactly 1 matching result.  Instead it matched 0.",
        )
    })
}

pub fn reduce<'a>(ev: &Evaluator<'a>, args: Vec<Val<'a>>, ctx: &Val<'a>) -> R<'a> {
    let list = arg(&args, 0);
    let f = arg(&args, 1);
    if list.is_undef() {
        return Ok(Val::Undef);
    }
    let n = arity(&f);
    if n < 2 {
        return Err(JsonataError::new(
            "D3050",
            "The second argument of reduce function must be a function with at least two arguments",
        ));
    }
    let items = list.items();
    let init = arg(&args, 2);
    let (mut acc, start) = if init.is_undef() && !items.is_empty() {
        (items.first().cloned().unwrap_or_default(), 1)
    } else {
        (init, 0)
    };
    for (i, item) in items.iter().enumerate().skip(start) {
        let mut a = vec![acc, item.clone()];
        if n >= 3 {
            a.push(Val::Num(i as f64));
        }
        if n >= 4 {
            a.push(list.clone());
        }
        acc = ev.apply(&f, a, ctx, "reduce")?;
    }
    Ok(acc)
}

pub fn sift<'a>(ev: &Evaluator<'a>, args: Vec<Val<'a>>, ctx: &Val<'a>) -> R<'a> {
    let obj = arg(&args, 0);
    let f = arg(&args, 1);
    let mut out = Object::default();
    for (k, v) in obj.entries() {
        let key = k.clone();
        let a = hof_args(&f, v.clone(), || Val::Str(key), || obj.clone());
        if truthy(&ev.apply(&f, a, ctx, "sift")?) {
            out.insert(k, v);
        }
    }
    if out.len() == 0 {
        return Ok(Val::Undef);
    }
    Ok(Val::object(out))
}

pub fn each<'a>(ev: &Evaluator<'a>, args: Vec<Val<'a>>, ctx: &Val<'a>) -> R<'a> {
    let obj = arg(&args, 0);
    let f = arg(&args, 1);
    let mut out = Vec::new();
    for (k, v) in obj.entries() {
        let key: Rc<str> = k;
        let a = hof_args(&f, v, || Val::Str(key), || obj.clone());
        let r = ev.apply(&f, a, ctx, "each")?;
        if !r.is_undef() {
            out.push(r);
        }
    }
    Ok(Val::sequence(out))
}

pub fn sort<'a>(ev: &Evaluator<'a>, args: Vec<Val<'a>>, ctx: &Val<'a>) -> R<'a> {
    let list = arg(&args, 0);
    let f = arg(&args, 1);
    if list.is_undef() || list.len() <= 1 {
        return Ok(list);
    }
    let mut items = list.items();
    if f.is_undef() {
        if items.iter().all(|v| matches!(v, Val::Num(_))) {
            items.sort_by(|a, b| {
                a.as_num()
                    .partial_cmp(&b.as_num())
                    .unwrap_or(std::cmp::Ordering::Equal)
            });
        } else if items.iter().all(|v| v.as_str().is_some()) {
            items
                .sort_by(|a, b| cmp_js_strings(a.as_str().unwrap_or(""), b.as_str().unwrap_or("")));
        } else {
            return Err(JsonataError::new(
                "D3070",
                "The single argument form of the sort function can only be applied to an array of strings or an array of numbers.  Use the second argument to specify a comparison function",
            ));
        }
        return Ok(Val::array(items));
    }
    // merge sort: the comparator answers "should a come after b?"
    let sorted = merge_sort(ev, items, &f, ctx)?;
    Ok(Val::array(sorted))
}

fn merge_sort<'a>(
    ev: &Evaluator<'a>,
    items: Vec<Val<'a>>,
    f: &Val<'a>,
    ctx: &Val<'a>,
) -> Result<Vec<Val<'a>>> {
    if items.len() <= 1 {
        return Ok(items);
    }
    let mut left = items;
    let right = left.split_off(left.len() / 2);
    let left = merge_sort(ev, left, f, ctx)?;
    let right = merge_sort(ev, right, f, ctx)?;
    let mut out = Vec::with_capacity(left.len() + right.len());
    let (mut l, mut r) = (left.into_iter().peekable(), right.into_iter().peekable());
    loop {
        match (l.peek(), r.peek()) {
            (Some(a), Some(b)) => {
                let swap = truthy(&ev.apply(f, vec![a.clone(), b.clone()], ctx, "sort")?);
                let next = if swap { r.next() } else { l.next() };
                out.extend(next);
            }
            (Some(_), None) => out.extend(l.by_ref()),
            (None, Some(_)) => out.extend(r.by_ref()),
            (None, None) => break,
        }
    }
    Ok(out)
}
