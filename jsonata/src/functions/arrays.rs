//! Aggregation and array functions.

use rand::seq::SliceRandom;

use super::arg;
use crate::error::Result;
use crate::eval::Evaluator;
use crate::util::deep_equal;
use crate::value::Val;

type R<'a> = Result<Val<'a>>;

fn numbers(v: &Val<'_>) -> Vec<f64> {
    v.items().iter().filter_map(Val::as_num).collect()
}

pub fn sum<'a>(_: &Evaluator<'a>, args: Vec<Val<'a>>, _: &Val<'a>) -> R<'a> {
    let v = arg(&args, 0);
    if v.is_undef() {
        return Ok(Val::Undef);
    }
    Ok(Val::Num(numbers(&v).iter().sum()))
}

pub fn count<'a>(_: &Evaluator<'a>, args: Vec<Val<'a>>, _: &Val<'a>) -> R<'a> {
    Ok(Val::Num(arg(&args, 0).len() as f64))
}

pub fn max<'a>(_: &Evaluator<'a>, args: Vec<Val<'a>>, _: &Val<'a>) -> R<'a> {
    let ns = numbers(&arg(&args, 0));
    Ok(ns
        .into_iter()
        .reduce(f64::max)
        .map(Val::Num)
        .unwrap_or_default())
}

pub fn min<'a>(_: &Evaluator<'a>, args: Vec<Val<'a>>, _: &Val<'a>) -> R<'a> {
    let ns = numbers(&arg(&args, 0));
    Ok(ns
        .into_iter()
        .reduce(f64::min)
        .map(Val::Num)
        .unwrap_or_default())
}

pub fn average<'a>(_: &Evaluator<'a>, args: Vec<Val<'a>>, _: &Val<'a>) -> R<'a> {
    let ns = numbers(&arg(&args, 0));
    if ns.is_empty() {
        return Ok(Val::Undef);
    }
    Ok(Val::Num(ns.iter().sum::<f64>() / ns.len() as f64))
}

pub fn append<'a>(_: &Evaluator<'a>, args: Vec<Val<'a>>, _: &Val<'a>) -> R<'a> {
    Ok(crate::util::append(arg(&args, 0), arg(&args, 1)))
}

pub fn reverse<'a>(_: &Evaluator<'a>, args: Vec<Val<'a>>, _: &Val<'a>) -> R<'a> {
    let v = arg(&args, 0);
    if v.is_undef() || v.len() <= 1 {
        return Ok(v);
    }
    let mut items = v.items();
    items.reverse();
    Ok(Val::array(items))
}

pub fn shuffle<'a>(_: &Evaluator<'a>, args: Vec<Val<'a>>, _: &Val<'a>) -> R<'a> {
    let v = arg(&args, 0);
    if v.is_undef() || v.len() <= 1 {
        return Ok(v);
    }
    let mut items = v.items();
    items.shuffle(&mut rand::rng());
    Ok(Val::array(items))
}

pub fn distinct<'a>(_: &Evaluator<'a>, args: Vec<Val<'a>>, _: &Val<'a>) -> R<'a> {
    let v = arg(&args, 0);
    if !v.is_array() || v.len() <= 1 {
        return Ok(v);
    }
    let mut out: Vec<Val<'a>> = Vec::new();
    for item in v.items() {
        if !out.iter().any(|o| deep_equal(o, &item)) {
            out.push(item);
        }
    }
    Ok(Val::sequence(out))
}

pub fn zip<'a>(_: &Evaluator<'a>, args: Vec<Val<'a>>, _: &Val<'a>) -> R<'a> {
    let lists: Vec<Vec<Val<'a>>> = args.iter().map(Val::items).collect();
    let len = lists.iter().map(Vec::len).min().unwrap_or(0);
    let rows = (0..len)
        .map(|i| {
            Val::array(
                lists
                    .iter()
                    .map(|l| l.get(i).cloned().unwrap_or_default())
                    .collect(),
            )
        })
        .collect();
    Ok(Val::array(rows))
}
