//! Owned JSON (from host functions or `$parse`) to evaluator values.

use std::rc::Rc;

use sfn_json::Value;

use crate::value::{Object, Val};

pub fn owned<'a>(v: Value) -> Val<'a> {
    match v {
        Value::Null => Val::Null,
        Value::Bool(b) => Val::Bool(b),
        Value::Number(n) => Val::Num(n.as_f64().unwrap_or(f64::NAN)),
        Value::String(s) => Val::Str(Rc::from(s)),
        Value::Array(a) => Val::array(a.into_iter().map(owned).collect()),
        Value::Object(o) => {
            let mut obj = Object::default();
            for (k, v) in o {
                obj.insert(Rc::from(k.as_str()), owned(v));
            }
            Val::object(obj)
        }
    }
}
