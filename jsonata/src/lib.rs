//! sfn-jsonata: JSONata 2.x for sfn-local, plus AWS Step Functions' functions.
//!
//! ```
//! use sfn_jsonata::{Bindings, Expression};
//! let expr = Expression::parse("$states.input.a.b + 1").unwrap();
//! let bindings = Bindings::with_aws_functions()
//!     .with_value("states", sfn_json::json!({"input": {"a": {"b": 41}}}));
//! assert_eq!(expr.evaluate(None, &bindings).unwrap(), Some(sfn_json::json!(42)));
//! ```

mod ast;
mod aws;
mod convert;
mod env;
mod error;
mod eval;
mod functions;
mod lexer;
mod numfmt;
mod parser;
mod refs;
mod regexes;
mod signature;
mod stack;
mod transform;
mod util;
mod value;
mod vars;

use std::borrow::Cow;
use std::collections::HashMap;
use std::rc::Rc;
use std::sync::Arc;

use sfn_json::Value;

pub use error::{FUNCTION_RESULT, JsonataError};
pub use refs::{ContextRead, VariableField};

use env::Frame;
use eval::Evaluator;
use value::{Array, Val};

/// A host function: JSON arguments (undefined passed as `null`), `Ok(None)` for undefined.
pub type NativeFunction = dyn Fn(&[Value]) -> Result<Option<Value>, JsonataError> + Send + Sync;

/// FNV-1a: binding names are short, and SipHash would dominate a field selection.
#[derive(Default, Clone, Copy)]
struct Fnv(u64);

impl std::hash::Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        let mut h = if self.0 == 0 {
            0xcbf2_9ce4_8422_2325
        } else {
            self.0
        };
        for b in bytes {
            h = (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = h;
    }
}

type FastMap<V> = HashMap<String, V, std::hash::BuildHasherDefault<Fnv>>;

/// Variables visible to an expression as `$name`, and host functions. Values are owned or
/// borrowed (`insert_ref`), so a large `$states` document can be shared by many evaluations.
#[derive(Default, Clone)]
pub struct Bindings<'v> {
    values: FastMap<Cow<'v, Value>>,
    functions: FastMap<Arc<NativeFunction>>,
    aws: bool,
}

impl<'v> Bindings<'v> {
    /// Standard JSONata functions only.
    pub fn new() -> Self {
        Bindings::default()
    }

    /// Standard functions plus Step Functions' `$partition`, `$range`, `$hash`,
    /// `$random([seed])`, `$uuid`, `$parse`.
    pub fn with_aws_functions() -> Self {
        Bindings {
            aws: true,
            ..Bindings::default()
        }
    }

    pub fn insert(&mut self, name: impl Into<String>, value: Value) {
        self.values.insert(name.into(), Cow::Owned(value));
    }

    /// Bind a borrowed value (no copy).
    pub fn insert_ref(&mut self, name: impl Into<String>, value: &'v Value) {
        self.values.insert(name.into(), Cow::Borrowed(value));
    }

    pub fn with_value(mut self, name: impl Into<String>, value: Value) -> Self {
        self.insert(name, value);
        self
    }

    pub fn with_ref(mut self, name: impl Into<String>, value: &'v Value) -> Self {
        self.insert_ref(name, value);
        self
    }

    pub fn add_function(
        &mut self,
        name: impl Into<String>,
        f: impl Fn(&[Value]) -> Result<Option<Value>, JsonataError> + Send + Sync + 'static,
    ) {
        self.functions.insert(name.into(), Arc::new(f));
    }

    pub fn get(&self, name: &str) -> Option<&Value> {
        self.values.get(name).map(|v| &**v)
    }
}

/// The result of an evaluation, when functions must be told apart from values.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    Undefined,
    Value(Value),
    /// The expression evaluated to a function (lambda, built-in, regex).
    Function,
}

/// A parsed JSONata expression; parse once, evaluate many times.
#[derive(Debug)]
pub struct Expression {
    root: ast::Node,
}

impl Expression {
    pub fn parse(source: &str) -> Result<Expression, JsonataError> {
        Ok(Expression {
            root: parser::parse(source)?,
        })
    }

    /// Variables the expression reads without binding them itself (`$states`, workflow
    /// variables, ...), in order of first use. Built-in function names (standard and AWS)
    /// are left out; `$` and `$$` are not variables.
    pub fn free_variables(&self) -> Vec<String> {
        vars::free_variables(&self.root)
            .into_iter()
            .filter(|name| functions::lookup(name, true).is_none())
            .collect()
    }

    /// What the expression reads from its input document at the top level (bare field names
    /// as a path's first step, `$`, `$$`), distinct and in writing order. Names inside later
    /// path steps, predicates, sort terms, groupings and transforms are not top-level reads;
    /// lambda bodies are (a lambda keeps its defining expression's input).
    pub fn top_level_reads(&self) -> Vec<ContextRead> {
        refs::top_level_reads(&self.root)
    }

    /// Every variable the expression does not bind itself that starts a path, anywhere in the
    /// tree, with the field the path reads from it (`$states.errorOutput.Cause` gives
    /// `states`/`errorOutput`); distinct, in writing order.
    pub fn variable_fields(&self) -> Vec<VariableField> {
        refs::variable_fields(&self.root)
    }

    /// `input` is `$` (None = undefined); `bindings` are visible as `$name`.
    /// `Ok(None)` = undefined. A function result is `Err` with code [`FUNCTION_RESULT`] (`R0001`).
    pub fn evaluate(
        &self,
        input: Option<&Value>,
        bindings: &Bindings<'_>,
    ) -> Result<Option<Value>, JsonataError> {
        match self.evaluate_outcome(input, bindings)? {
            Outcome::Undefined => Ok(None),
            Outcome::Value(v) => Ok(Some(v)),
            Outcome::Function => Err(JsonataError::new(
                FUNCTION_RESULT,
                "The expression evaluated to a function",
            )),
        }
    }

    /// Like [`Expression::evaluate`], with a function result reported as [`Outcome::Function`].
    pub fn evaluate_outcome(
        &self,
        input: Option<&Value>,
        bindings: &Bindings<'_>,
    ) -> Result<Outcome, JsonataError> {
        let root = input.map(Val::from_json).unwrap_or_default();
        // an array document is wrapped so that paths treat it as one value (JSONata-js `outerWrapper`)
        let context = match input {
            Some(Value::Array(_)) => Val::Arr(Rc::new(Array {
                items: vec![root.clone()],
                sequence: true,
                outer_wrapper: true,
                ..Array::default()
            })),
            _ => root.clone(),
        };
        let ev = Evaluator::new(bindings, root);
        let env = Frame::root();
        let result = ev.eval(&self.root, &context, &env);
        let outcome = result.map(|v| match v.to_json() {
            Ok(None) => Outcome::Undefined,
            Ok(Some(v)) => Outcome::Value(v),
            Err(()) => Outcome::Function,
        });
        env.clear();
        ev.release();
        outcome
    }
}
