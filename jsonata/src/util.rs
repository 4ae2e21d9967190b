//! Value helpers shared by the evaluator and the function library.

use crate::value::Val;

/// `$boolean` semantics (`None` for undefined).
pub fn boolean(v: &Val<'_>) -> Option<bool> {
    Some(match v {
        Val::Undef => return None,
        Val::Null => false,
        Val::Bool(b) => *b,
        Val::Num(n) => *n != 0.0,
        Val::Str(_) | Val::JStr(_) => !v.as_str().unwrap_or("").is_empty(),
        Val::Arr(_) | Val::JArr(_) => match v.len() {
            0 => false,
            1 => boolean(&v.item(0)).unwrap_or(false),
            _ => v.items().iter().any(|i| boolean(i).unwrap_or(false)),
        },
        Val::Obj(o) => o.len() > 0,
        Val::JObj(o) => !o.is_empty(),
        Val::Func(_) => false,
    })
}

/// Undefined counts as false.
pub fn truthy(v: &Val<'_>) -> bool {
    boolean(v).unwrap_or(false)
}

pub fn deep_equal<'a>(a: &Val<'a>, b: &Val<'a>) -> bool {
    match (a, b) {
        (Val::Undef, Val::Undef) | (Val::Null, Val::Null) => true,
        (Val::Bool(x), Val::Bool(y)) => x == y,
        (Val::Num(x), Val::Num(y)) => x == y,
        (Val::Func(x), Val::Func(y)) => std::rc::Rc::ptr_eq(x, y),
        _ => {
            if let (Some(x), Some(y)) = (a.as_str(), b.as_str()) {
                return x == y;
            }
            if a.is_array() && b.is_array() {
                return a.len() == b.len()
                    && a.items()
                        .iter()
                        .zip(b.items().iter())
                        .all(|(x, y)| deep_equal(x, y));
            }
            if a.is_object() && b.is_object() {
                let ea = a.entries();
                let eb = b.entries();
                return ea.len() == eb.len() && ea.iter().all(|(k, v)| deep_equal(v, &b.field(k)));
            }
            false
        }
    }
}

/// `$append` semantics: concatenate, treating non-arrays as singletons.
pub fn append<'a>(a: Val<'a>, b: Val<'a>) -> Val<'a> {
    if a.is_undef() {
        return b;
    }
    if b.is_undef() {
        return a;
    }
    let mut items = if a.is_array() { a.items() } else { vec![a] };
    if b.is_array() {
        items.extend(b.items());
    } else {
        items.push(b);
    }
    Val::array(items)
}

/// Flatten nested arrays into one list.
pub fn flatten_into<'a>(v: &Val<'a>, out: &mut Vec<Val<'a>>) {
    if v.is_array() {
        for item in v.items() {
            flatten_into(&item, out);
        }
    } else {
        out.push(v.clone());
    }
}
