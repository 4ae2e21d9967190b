//! The evaluator's value type: JSON plus `undefined`, sequences and functions.
//!
//! Input JSON is borrowed (`Json*` variants) so that a field selection never
//! copies the document; values built by the expression are reference counted.

use std::collections::HashMap;
use std::rc::Rc;

use sfn_json::{Map, Value};

use crate::ast::LambdaDef;
use crate::env::Env;
use crate::functions::Builtin;

/// Host-provided function, registered through `Bindings::add_function`.
pub type HostFn = dyn Fn(&[Value]) -> Result<Option<Value>, crate::JsonataError> + Send + Sync;

/// An array plus the flags JSONata-js keeps on its arrays.
#[derive(Clone, Debug, Default)]
pub struct Array<'a> {
    pub items: Vec<Val<'a>>,
    /// A sequence (result of a path step), collapsed to its single item.
    pub sequence: bool,
    /// `[]` in the path: keep a singleton sequence as an array.
    pub keep_singleton: bool,
    /// Built by an array constructor: not flattened by a path step.
    pub cons: bool,
    /// The wrapper JSONata puts around an array input document.
    pub outer_wrapper: bool,
}

/// An object built by the expression (insertion ordered).
#[derive(Clone, Debug, Default)]
pub struct Object<'a> {
    pub entries: Vec<(Rc<str>, Val<'a>)>,
    index: HashMap<Rc<str>, usize>,
}

impl<'a> Object<'a> {
    pub fn get(&self, key: &str) -> Option<&Val<'a>> {
        self.index
            .get(key)
            .and_then(|&i| self.entries.get(i))
            .map(|(_, v)| v)
    }

    pub fn insert(&mut self, key: Rc<str>, value: Val<'a>) {
        if let Some(&i) = self.index.get(&key) {
            if let Some(slot) = self.entries.get_mut(i) {
                slot.1 = value;
            }
        } else {
            self.index.insert(key.clone(), self.entries.len());
            self.entries.push((key, value));
        }
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }
}

/// A function value.
pub enum Func<'a> {
    Lambda {
        def: &'a LambdaDef,
        env: Env<'a>,
        input: Val<'a>,
    },
    /// Lambda with some arguments fixed by partial application.
    Partial {
        target: Val<'a>,
        args: Vec<Option<Val<'a>>>,
    },
    Builtin(&'static Builtin),
    Regex(std::sync::Arc<regex::Regex>),
    /// `| pattern | update, delete |`: copies its argument with the changes applied.
    Transform {
        def: &'a crate::ast::Transform,
        env: Env<'a>,
    },
    Host(std::sync::Arc<HostFn>),
}

impl std::fmt::Debug for Func<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Func::Lambda { .. } => f.write_str("<lambda>"),
            Func::Partial { .. } => f.write_str("<partial>"),
            Func::Builtin(b) => write!(f, "<builtin {}>", b.name),
            Func::Regex(r) => write!(f, "<regex {}>", r.as_str()),
            Func::Transform { .. } => f.write_str("<transform>"),
            Func::Host(_) => f.write_str("<host function>"),
        }
    }
}

impl Func<'_> {
    /// Number of declared parameters (used by `$map` & co. to decide what to pass).
    pub fn arity(&self) -> usize {
        match self {
            Func::Lambda { def, .. } => def.params.len(),
            Func::Partial { args, .. } => args.iter().filter(|a| a.is_none()).count(),
            Func::Builtin(b) => b.arity,
            Func::Regex(_) | Func::Transform { .. } => 1,
            Func::Host(_) => 1,
        }
    }
}

#[derive(Clone, Debug, Default)]
pub enum Val<'a> {
    #[default]
    Undef,
    Null,
    Bool(bool),
    Num(f64),
    Str(Rc<str>),
    JStr(&'a str),
    Arr(Rc<Array<'a>>),
    JArr(&'a [Value]),
    Obj(Rc<Object<'a>>),
    JObj(&'a Map),
    Func(Rc<Func<'a>>),
}

impl<'a> Val<'a> {
    pub fn from_json(v: &'a Value) -> Val<'a> {
        match v {
            Value::Null => Val::Null,
            Value::Bool(b) => Val::Bool(*b),
            Value::Number(n) => Val::Num(n.as_f64().unwrap_or(f64::NAN)),
            Value::String(s) => Val::JStr(s),
            Value::Array(a) => Val::JArr(a),
            Value::Object(o) => Val::JObj(o),
        }
    }

    pub fn str(s: &str) -> Val<'a> {
        Val::Str(Rc::from(s))
    }

    pub fn string(s: String) -> Val<'a> {
        Val::Str(Rc::from(s))
    }

    pub fn array(items: Vec<Val<'a>>) -> Val<'a> {
        Val::Arr(Rc::new(Array {
            items,
            ..Array::default()
        }))
    }

    pub fn sequence(items: Vec<Val<'a>>) -> Val<'a> {
        Val::Arr(Rc::new(Array {
            items,
            sequence: true,
            ..Array::default()
        }))
    }

    pub fn object(obj: Object<'a>) -> Val<'a> {
        Val::Obj(Rc::new(obj))
    }

    pub fn is_undef(&self) -> bool {
        matches!(self, Val::Undef)
    }

    pub fn is_array(&self) -> bool {
        matches!(self, Val::Arr(_) | Val::JArr(_))
    }

    pub fn is_object(&self) -> bool {
        matches!(self, Val::Obj(_) | Val::JObj(_))
    }

    pub fn is_func(&self) -> bool {
        matches!(self, Val::Func(_))
    }

    pub fn is_sequence(&self) -> bool {
        matches!(self, Val::Arr(a) if a.sequence)
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Val::Str(s) => Some(s),
            Val::JStr(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_num(&self) -> Option<f64> {
        match self {
            Val::Num(n) => Some(*n),
            _ => None,
        }
    }

    pub fn as_func(&self) -> Option<&Rc<Func<'a>>> {
        match self {
            Val::Func(f) => Some(f),
            _ => None,
        }
    }

    pub fn len(&self) -> usize {
        match self {
            Val::Arr(a) => a.items.len(),
            Val::JArr(a) => a.len(),
            _ => 0,
        }
    }

    /// Items of an array (JSON arrays are converted lazily, item by item).
    pub fn items(&self) -> Vec<Val<'a>> {
        match self {
            Val::Arr(a) => a.items.clone(),
            Val::JArr(a) => a.iter().map(Val::from_json).collect(),
            _ => Vec::new(),
        }
    }

    pub fn item(&self, i: usize) -> Val<'a> {
        match self {
            Val::Arr(a) => a.items.get(i).cloned().unwrap_or(Val::Undef),
            Val::JArr(a) => a.get(i).map(Val::from_json).unwrap_or(Val::Undef),
            _ => Val::Undef,
        }
    }

    /// Array flags (all false for JSON arrays).
    pub fn flags(&self) -> (bool, bool, bool, bool) {
        match self {
            Val::Arr(a) => (a.sequence, a.keep_singleton, a.cons, a.outer_wrapper),
            _ => (false, false, false, false),
        }
    }

    pub fn field(&self, key: &str) -> Val<'a> {
        match self {
            Val::Obj(o) => o.get(key).cloned().unwrap_or(Val::Undef),
            Val::JObj(o) => json_field(o, key).map(Val::from_json).unwrap_or(Val::Undef),
            _ => Val::Undef,
        }
    }

    pub fn entries(&self) -> Vec<(Rc<str>, Val<'a>)> {
        match self {
            Val::Obj(o) => o.entries.clone(),
            Val::JObj(o) => o
                .iter()
                .map(|(k, v)| (Rc::from(k.as_str()), Val::from_json(v)))
                .collect(),
            _ => Vec::new(),
        }
    }

    pub fn keys(&self) -> Vec<Rc<str>> {
        match self {
            Val::Obj(o) => o.entries.iter().map(|(k, _)| k.clone()).collect(),
            Val::JObj(o) => o.keys().map(|k| Rc::from(k.as_str())).collect(),
            _ => Vec::new(),
        }
    }

    /// JSONata type name, as `$type` reports it.
    pub fn type_name(&self) -> Option<&'static str> {
        Some(match self {
            Val::Undef => return None,
            Val::Null => "null",
            Val::Bool(_) => "boolean",
            Val::Num(_) => "number",
            Val::Str(_) | Val::JStr(_) => "string",
            Val::Arr(_) | Val::JArr(_) => "array",
            Val::Obj(_) | Val::JObj(_) => "object",
            Val::Func(_) => "function",
        })
    }

    /// Convert to JSON; `Err(())` when a function is found at the top level.
    /// Functions nested in structures become `""` as in `JSON.stringify` of JSONata-js output.
    pub fn to_json(&self) -> Result<Option<Value>, ()> {
        match self {
            Val::Undef => Ok(None),
            Val::Func(_) => Err(()),
            other => Ok(Some(other.to_json_nested())),
        }
    }

    fn to_json_nested(&self) -> Value {
        match self {
            Val::Undef | Val::Null => Value::Null,
            Val::Bool(b) => Value::Bool(*b),
            Val::Num(n) => number_to_json(*n),
            Val::Str(s) => Value::String(s.to_string()),
            Val::JStr(s) => Value::String((*s).to_string()),
            Val::Arr(a) => Value::Array(
                a.items
                    .iter()
                    .filter(|v| !v.is_undef())
                    .map(Val::to_json_nested)
                    .collect(),
            ),
            Val::JArr(a) => Value::Array(a.to_vec()),
            Val::Obj(o) => {
                // The entries' keys are already unique (the object is indexed by key).
                let mut m = Map::with_capacity(o.entries.len());
                for (k, v) in &o.entries {
                    if !v.is_undef() {
                        m.push_unique(sfn_json::Key::from(&**k), v.to_json_nested());
                    }
                }
                Value::Object(m)
            }
            Val::JObj(o) => Value::Object((*o).clone()),
            Val::Func(_) => Value::String(String::new()),
        }
    }
}

/// Field of a JSON object. Small objects are scanned: cheaper than hashing the key.
#[inline]
pub fn json_field<'v>(o: &'v Map, key: &str) -> Option<&'v Value> {
    if o.len() <= 8 {
        o.iter().find(|(k, _)| k.as_str() == key).map(|(_, v)| v)
    } else {
        o.get(key)
    }
}

/// JSONata numbers are doubles; whole numbers are written as JSON integers.
pub fn number_to_json(n: f64) -> Value {
    if n.fract() == 0.0 && n.abs() < 9.007_199_254_740_992e15 {
        // Exact: |n| < 2^53 and whole.
        Value::from(n as i64)
    } else {
        sfn_json::Number::from_f64(n)
            .map(Value::Number)
            .unwrap_or(Value::Null)
    }
}
