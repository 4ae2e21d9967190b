//! The evaluator, following JSONata-js's `evaluate*` functions.

use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};

use crate::Bindings;
use crate::ast::{BinOp, Kind, Name, Node, SortTerm, Stage};
use crate::env::{Env, Frame};
use crate::error::{JsonataError, Result, quoted};
use crate::functions;
use crate::numfmt::{js_number_string, to_string};
use crate::stack::StackGuard;
use crate::util::{append, deep_equal, truthy};
use crate::value::{Array, Func, Object, Val};

/// Deepest evaluation nesting (recursive lambdas count); beyond it, or beyond the stack
/// budget (`stack.rs`), evaluation fails with U1001.
pub const MAX_DEPTH: usize = 10_000;
/// Evaluation steps before giving up on a pathological expression: U1002.
pub const MAX_STEPS: u64 = 5_000_000;

/// A call whose function and arguments are evaluated, or a value (partial application).
enum Prepared<'a> {
    Value(Val<'a>),
    Invoke(Val<'a>, Vec<Val<'a>>, Val<'a>, &'a str),
}

/// Result of evaluating a lambda body: a value, or a call in tail position.
enum Tail<'a> {
    Done(Val<'a>),
    Call(Val<'a>, Vec<Val<'a>>, Val<'a>, &'a str, usize),
}

/// One item of a tuple stream: the context (`@`) plus the `@$x`/`#$i` bindings.
#[derive(Clone, Debug)]
pub struct Tuple<'a> {
    pub ctx: Val<'a>,
    pub binds: Vec<(Name, Val<'a>)>,
}

impl<'a> Tuple<'a> {
    fn plain(ctx: Val<'a>) -> Self {
        Tuple {
            ctx,
            binds: Vec::new(),
        }
    }

    fn set(&mut self, name: &Name, v: Val<'a>) {
        if let Some(slot) = self.binds.iter_mut().find(|(n, _)| n == name) {
            slot.1 = v;
        } else {
            self.binds.push((name.clone(), v));
        }
    }
}

pub struct Evaluator<'a> {
    pub bindings: &'a Bindings<'a>,
    pub root: Val<'a>,
    depth: Cell<usize>,
    steps: Cell<u64>,
    frames: RefCell<Vec<Weak<Frame<'a>>>>,
    pub now_millis: Cell<Option<i64>>,
    stack: StackGuard,
}

fn number_error(code: &str, side: &str, op: BinOp) -> JsonataError {
    JsonataError::new(
        code,
        format!(
            "The {side} side of the {} operator must evaluate to a number",
            quoted(op.symbol())
        ),
    )
}

/// JSON text of a value for error messages (`{{value}}` in JSONata-js templates).
pub fn show(v: &Val<'_>) -> String {
    match v {
        Val::Undef => "undefined".into(),
        Val::Num(n) => js_number_string(*n),
        _ => to_string(v, false).unwrap_or_default(),
    }
}

impl<'a> Evaluator<'a> {
    pub fn new(bindings: &'a Bindings<'a>, root: Val<'a>) -> Self {
        Evaluator {
            bindings,
            root,
            depth: Cell::new(0),
            steps: Cell::new(0),
            frames: RefCell::new(Vec::new()),
            now_millis: Cell::new(None),
            stack: StackGuard::new(),
        }
    }

    /// Clear every frame created during the evaluation (frees lambda/frame cycles).
    pub fn release(&self) {
        for f in self.frames.borrow().iter() {
            if let Some(f) = f.upgrade() {
                f.clear();
            }
        }
    }

    pub fn child_frame(&self, parent: &Env<'a>) -> Env<'a> {
        let f = Frame::child(parent);
        let mut frames = self.frames.borrow_mut();
        if frames.len() >= 4096 && frames.len().is_power_of_two() {
            // forget frames that are already gone (long loops would otherwise keep their memory)
            frames.retain(|w| w.strong_count() > 0);
        }
        frames.push(Rc::downgrade(&f));
        drop(frames);
        f
    }

    fn enter(&self, pos: usize) -> Result<()> {
        let d = self.depth.get() + 1;
        if d > MAX_DEPTH || self.stack.check(pos).is_err() {
            return Err(JsonataError::new(
                "U1001",
                "Stack overflow error: Check for non-terminating recursive function.  Consider rewriting as tail-recursive.",
            )
            .at(pos));
        }
        let s = self.steps.get() + 1;
        if s > MAX_STEPS {
            return Err(JsonataError::new(
                "U1002",
                "Expression evaluation timeout: Check for infinite loop",
            )
            .at(pos));
        }
        self.steps.set(s);
        self.depth.set(d);
        Ok(())
    }

    /// Count work done inside the function library (e.g. large ranges), so loops are bounded too.
    pub fn tick(&self, n: u64) -> Result<()> {
        let s = self.steps.get() + n;
        self.steps.set(s);
        if s > MAX_STEPS {
            return Err(JsonataError::new(
                "U1002",
                "Expression evaluation timeout: Check for infinite loop",
            ));
        }
        Ok(())
    }

    pub fn eval(&self, node: &'a Node, input: &Val<'a>, env: &Env<'a>) -> Result<Val<'a>> {
        self.enter(node.pos)?;
        let r = self.eval_inner(node, input, env);
        self.depth.set(self.depth.get() - 1);
        r.map_err(|e| e.at(node.pos))
    }

    // Arms run in closures: unoptimised builds would otherwise give this recursive
    // function one huge frame holding every arm's locals (see `stack.rs`).
    #[allow(clippy::redundant_closure_call)]
    fn eval_inner(&self, node: &'a Node, input: &Val<'a>, env: &Env<'a>) -> Result<Val<'a>> {
        let mut result = match &node.kind {
            Kind::Path {
                steps,
                keep_singleton,
            } => self.eval_path(node, steps, *keep_singleton, input, env)?,
            Kind::Num(n) => Val::Num(*n),
            Kind::Str(s) => Val::str(s),
            Kind::Bool(b) => Val::Bool(*b),
            Kind::Null => Val::Null,
            Kind::Name(name) => lookup_field(input, name),
            Kind::Var(name) => self.variable(name, input, env),
            Kind::Wildcard => wildcard(input),
            Kind::Descendant => descendants(input),
            Kind::Regex(re) => Val::Func(Rc::new(Func::Regex(re.clone()))),
            Kind::Binary(op, lhs, rhs) => self.binary(*op, lhs, rhs, input, env)?,
            Kind::Neg(e) => match self.eval(e, input, env)? {
                Val::Undef => Val::Undef,
                Val::Num(n) => Val::Num(-n),
                _ => {
                    return Err(JsonataError::new(
                        "D1002",
                        "Cannot negate a non-numeric value",
                    ));
                }
            },
            Kind::ArrayCons(items) => (|| -> Result<Val<'a>> {
                Ok({
                    let mut out = Vec::with_capacity(items.len());
                    for item in items {
                        let v = self.eval(item, input, env)?;
                        if v.is_undef() {
                            continue;
                        }
                        if matches!(item.kind, Kind::ArrayCons(_)) {
                            out.push(v);
                        } else if v.is_array() {
                            out.extend(v.items());
                        } else {
                            out.push(v);
                        }
                    }
                    Val::Arr(Rc::new(Array {
                        items: out,
                        cons: node.cons_array,
                        ..Array::default()
                    }))
                })
            })()?,
            Kind::ObjectCons(pairs) => (|| -> Result<Val<'a>> {
                Ok({
                    let tuples = if input.is_array() {
                        input.items().into_iter().map(Tuple::plain).collect()
                    } else {
                        vec![Tuple::plain(input.clone())]
                    };
                    self.group(pairs, tuples, false, env)?
                })
            })()?,
            Kind::Condition(c, t, e) => (|| -> Result<Val<'a>> {
                Ok({
                    let cond = self.eval(c, input, env)?;
                    if truthy(&cond) {
                        self.eval(t, input, env)?
                    } else if let Some(e) = e {
                        self.eval(e, input, env)?
                    } else {
                        Val::Undef
                    }
                })
            })()?,
            Kind::Block(items) => (|| -> Result<Val<'a>> {
                Ok({
                    let frame = self.child_frame(env);
                    let mut last = Val::Undef;
                    for item in items {
                        last = self.eval(item, input, &frame)?;
                    }
                    last
                })
            })()?,
            Kind::Bind(name, value) => (|| -> Result<Val<'a>> {
                Ok({
                    let v = self.eval(value, input, env)?;
                    env.bind(name.clone(), v.clone());
                    v
                })
            })()?,
            Kind::Call {
                proc,
                args,
                partial,
            } => self.call(proc, args, *partial, input, env, None)?,
            Kind::Placeholder => Val::Undef,
            Kind::Lambda(def) => Val::Func(Rc::new(Func::Lambda {
                def,
                env: env.clone(),
                input: input.clone(),
            })),
            Kind::Apply(lhs, rhs) => self.apply_op(lhs, rhs, input, env)?,
            Kind::Sort(terms) => (|| -> Result<Val<'a>> {
                Ok({
                    let items = if input.is_array() {
                        input.items()
                    } else {
                        vec![input.clone()]
                    };
                    let sorted =
                        self.sort(terms, items.into_iter().map(Tuple::plain).collect(), env)?;
                    Val::sequence(sorted.into_iter().map(|t| t.ctx).collect())
                })
            })()?,
            Kind::Transform(def) => Val::Func(Rc::new(Func::Transform {
                def,
                env: env.clone(),
            })),
        };
        for stage in &node.predicate {
            if let Stage::Filter(p) = stage {
                result = self.filter_values(p, &result, env)?;
            }
        }
        if let (false, Some(group)) = (matches!(node.kind, Kind::Path { .. }), &node.group) {
            let tuples = seq_items(&result).into_iter().map(Tuple::plain).collect();
            result = self.group(group, tuples, false, env)?;
        }
        Ok(collapse(result, node.keep_array))
    }

    fn variable(&self, name: &str, input: &Val<'a>, env: &Env<'a>) -> Val<'a> {
        if name.is_empty() {
            return match input {
                Val::Arr(a) if a.outer_wrapper => a.items.first().cloned().unwrap_or_default(),
                _ => input.clone(),
            };
        }
        if name == "$" {
            return self.root.clone();
        }
        if let Some(v) = env.lookup(name) {
            return v;
        }
        self.global(name)
    }

    /// Bindings from the host, then the built-in functions.
    pub fn global(&self, name: &str) -> Val<'a> {
        if let Some(v) = self.bindings.values.get(name) {
            return Val::from_json(v);
        }
        if let Some(f) = self.bindings.functions.get(name) {
            return Val::Func(Rc::new(Func::Host(f.clone())));
        }
        match functions::lookup(name, self.bindings.aws) {
            Some(b) => Val::Func(Rc::new(Func::Builtin(b))),
            None => Val::Undef,
        }
    }

    // ---------------------------------------------------------------- paths

    fn eval_path(
        &self,
        node: &'a Node,
        steps: &'a [Node],
        keep_singleton: bool,
        input: &Val<'a>,
        env: &Env<'a>,
    ) -> Result<Val<'a>> {
        if let Some(v) = self.simple_path(node, steps, input, env) {
            return Ok(v);
        }
        let first_is_var = matches!(steps.first().map(|s| &s.kind), Some(Kind::Var(_)));
        // An array document arrives wrapped in a one-item sequence (`outer_wrapper`), so a
        // relative path sees the whole array: `phone[0]` over `[{phone:[..]}, ..]` is the first
        // phone overall, while `$.phone[0]` applies `[0]` per item (JSONata-js 2.x).
        let mut input_seq: Vec<Val<'a>> = if input.is_array() && !first_is_var {
            input.items()
        } else {
            vec![input.clone()]
        };
        let mut result = Val::sequence(Vec::new());
        let mut tuples: Option<Vec<Tuple<'a>>> = None;
        let mut is_tuple = false;
        let last = steps.len().saturating_sub(1);
        for (i, step) in steps.iter().enumerate() {
            if step.tuple {
                is_tuple = true;
            }
            if i == 0 && step.cons_array {
                // a leading array constructor is evaluated once, not per context item
                let context = Val::sequence(input_seq.clone());
                result = self.eval(step, &context, env)?;
                if !result.is_array() {
                    result = Val::sequence(vec![result]);
                }
                if result.len() == 0 {
                    break;
                }
            } else if is_tuple {
                tuples = Some(self.tuple_step(step, &input_seq, tuples.take(), env)?);
            } else {
                result = self.eval_step(step, &input_seq, env, i == last)?;
                if result.len() == 0 {
                    break;
                }
            }
            if step.focus.is_none() && !is_tuple {
                input_seq = result.items();
            }
        }
        let tuples_for_group = if is_tuple { tuples.clone() } else { None };
        if is_tuple {
            result = Val::sequence(
                tuples
                    .unwrap_or_default()
                    .into_iter()
                    .map(|t| t.ctx)
                    .collect(),
            );
        }
        if keep_singleton {
            result = match result {
                Val::Arr(a) if a.cons && !a.sequence => Val::Arr(Rc::new(Array {
                    items: vec![Val::Arr(a)],
                    sequence: true,
                    keep_singleton: true,
                    ..Array::default()
                })),
                Val::Arr(mut a) => {
                    Rc::make_mut(&mut a).keep_singleton = true;
                    Val::Arr(a)
                }
                other => other,
            };
        }
        if let Some(group) = &node.group {
            let (group_input, reduce) = match tuples_for_group {
                Some(t) => (t, true),
                None => (
                    seq_items(&result).into_iter().map(Tuple::plain).collect(),
                    false,
                ),
            };
            result = self.group(group, group_input, reduce, env)?;
        }
        Ok(result)
    }

    /// Fast path for plain field selections like `$states.input.a.b` over objects.
    fn simple_path(
        &self,
        node: &'a Node,
        steps: &'a [Node],
        input: &Val<'a>,
        env: &Env<'a>,
    ) -> Option<Val<'a>> {
        if node.group.is_some() {
            return None;
        }
        let plain = |s: &Node| {
            s.stages.is_empty()
                && s.predicate.is_empty()
                && s.group.is_none()
                && !s.keep_array
                && !s.tuple
                && s.focus.is_none()
                && s.index.is_none()
        };
        let (first, rest) = steps.split_first()?;
        let mut cur = match &first.kind {
            Kind::Var(name) if plain(first) && !name.is_empty() => self.variable(name, input, env),
            Kind::Name(name) if plain(first) && !input.is_array() => lookup_field(input, name),
            _ => return None,
        };
        for step in rest {
            let Kind::Name(name) = &step.kind else {
                return None;
            };
            if !plain(step) {
                return None;
            }
            match &cur {
                Val::JObj(_) | Val::Obj(_) => cur = cur.field(name),
                Val::Undef => return Some(Val::Undef),
                _ if cur.is_array() => return None,
                _ => return Some(Val::Undef),
            }
        }
        match &cur {
            Val::Arr(a) if a.sequence => None,
            _ => Some(cur),
        }
    }

    fn eval_step(
        &self,
        step: &'a Node,
        input_seq: &[Val<'a>],
        env: &Env<'a>,
        last: bool,
    ) -> Result<Val<'a>> {
        if let Kind::Sort(terms) = &step.kind {
            let sorted = self.sort(
                terms,
                input_seq.iter().cloned().map(Tuple::plain).collect(),
                env,
            )?;
            let staged = self.stages(&step.stages, sorted, env)?;
            return Ok(Val::sequence(staged.into_iter().map(|t| t.ctx).collect()));
        }
        let mut results = Vec::with_capacity(input_seq.len());
        for item in input_seq {
            let mut res = self.eval(step, item, env)?;
            for stage in &step.stages {
                if let Stage::Filter(p) = stage {
                    res = self.filter_values(p, &res, env)?;
                }
            }
            if !res.is_undef() {
                results.push(res);
            }
        }
        if let (true, [only]) = (last, results.as_slice())
            && only.is_array()
            && !only.is_sequence()
        {
            return Ok(only.clone());
        }
        let mut out = Vec::with_capacity(results.len());
        for res in results {
            let (_, _, cons, _) = res.flags();
            if !res.is_array() || cons {
                out.push(res);
            } else {
                out.extend(res.items());
            }
        }
        Ok(Val::sequence(out))
    }

    fn tuple_frame(&self, env: &Env<'a>, t: &Tuple<'a>) -> Env<'a> {
        if t.binds.is_empty() {
            return env.clone();
        }
        let f = self.child_frame(env);
        for (k, v) in &t.binds {
            f.bind(k.clone(), v.clone());
        }
        f
    }

    fn tuple_step(
        &self,
        step: &'a Node,
        input_seq: &[Val<'a>],
        tuples: Option<Vec<Tuple<'a>>>,
        env: &Env<'a>,
    ) -> Result<Vec<Tuple<'a>>> {
        if let Kind::Sort(terms) = &step.kind {
            let result = match tuples {
                Some(t) => self.sort(terms, t, env)?,
                None => {
                    let sorted = self.sort(
                        terms,
                        input_seq.iter().cloned().map(Tuple::plain).collect(),
                        env,
                    )?;
                    sorted
                        .into_iter()
                        .enumerate()
                        .map(|(i, mut t)| {
                            if let Some(ix) = &step.index {
                                t.set(ix, Val::Num(i as f64));
                            }
                            t
                        })
                        .collect()
                }
            };
            return self.stages(&step.stages, result, env);
        }
        let tuples =
            tuples.unwrap_or_else(|| input_seq.iter().cloned().map(Tuple::plain).collect());
        let mut result = Vec::new();
        for tb in &tuples {
            let step_env = self.tuple_frame(env, tb);
            let res = self.eval(step, &tb.ctx, &step_env)?;
            if res.is_undef() {
                continue;
            }
            let items = if res.is_array() {
                res.items()
            } else {
                vec![res]
            };
            for item in items {
                let mut t = tb.clone();
                match &step.focus {
                    Some(f) => t.set(f, item),
                    None => t.ctx = item,
                }
                // `#$i` numbers the step's whole output stream (JSONata-js test suite:
                // `$.$#$pos[$pos<3]` over `[3,1,4,1,5,9]` keeps the first three)
                if let Some(ix) = &step.index {
                    t.set(ix, Val::Num(result.len() as f64));
                }
                result.push(t);
            }
        }
        self.stages(&step.stages, result, env)
    }

    fn stages(
        &self,
        stages: &'a [Stage],
        mut tuples: Vec<Tuple<'a>>,
        env: &Env<'a>,
    ) -> Result<Vec<Tuple<'a>>> {
        for stage in stages {
            match stage {
                Stage::Filter(p) => tuples = self.filter(p, tuples, env)?,
                Stage::Index(name) => {
                    for (i, t) in tuples.iter_mut().enumerate() {
                        t.set(name, Val::Num(i as f64));
                    }
                }
            }
        }
        Ok(tuples)
    }

    fn filter_values(&self, pred: &'a Node, input: &Val<'a>, env: &Env<'a>) -> Result<Val<'a>> {
        if input.is_undef() {
            return Ok(Val::sequence(Vec::new()));
        }
        let items = if input.is_array() {
            input.items()
        } else {
            vec![input.clone()]
        };
        if let Kind::Num(n) = pred.kind {
            let len = items.len() as f64;
            let mut idx = n.floor();
            if idx < 0.0 {
                idx += len;
            }
            if idx >= 0.0 && idx < len {
                let item = items.into_iter().nth(idx as usize).unwrap_or_default();
                if item.is_array() {
                    return Ok(item);
                }
                return Ok(Val::sequence(vec![item]));
            }
            return Ok(Val::sequence(Vec::new()));
        }
        let tuples = items.into_iter().map(Tuple::plain).collect();
        let kept = self.filter(pred, tuples, env)?;
        Ok(Val::sequence(kept.into_iter().map(|t| t.ctx).collect()))
    }

    fn filter(
        &self,
        pred: &'a Node,
        input: Vec<Tuple<'a>>,
        env: &Env<'a>,
    ) -> Result<Vec<Tuple<'a>>> {
        let len = input.len() as f64;
        let mut out = Vec::new();
        if let Kind::Num(n) = pred.kind {
            let mut idx = n.floor();
            if idx < 0.0 {
                idx += len;
            }
            if idx >= 0.0 && idx < len {
                out.extend(input.into_iter().nth(idx as usize));
            }
            return Ok(out);
        }
        for (index, t) in input.into_iter().enumerate() {
            let penv = self.tuple_frame(env, &t);
            let res = self.eval(pred, &t.ctx, &penv)?;
            let keep = match &res {
                Val::Num(n) => index_matches(*n, index, len),
                _ if res.is_array()
                    && res.len() > 0
                    && res.items().iter().all(|v| matches!(v, Val::Num(_))) =>
                {
                    res.items()
                        .iter()
                        .any(|v| index_matches(v.as_num().unwrap_or(f64::NAN), index, len))
                }
                _ => truthy(&res),
            };
            if keep {
                out.push(t);
            }
        }
        Ok(out)
    }

    // ---------------------------------------------------------------- sort and group

    pub fn sort(
        &self,
        terms: &'a [SortTerm],
        input: Vec<Tuple<'a>>,
        env: &Env<'a>,
    ) -> Result<Vec<Tuple<'a>>> {
        // evaluate the keys once per item, then a stable sort
        let mut keyed = Vec::with_capacity(input.len());
        for t in input {
            let tenv = self.tuple_frame(env, &t);
            let mut keys = Vec::with_capacity(terms.len());
            for term in terms {
                let k = self.eval(&term.expr, &t.ctx, &tenv)?;
                match &k {
                    Val::Undef | Val::Num(_) | Val::Str(_) | Val::JStr(_) => {}
                    other => {
                        return Err(JsonataError::new(
                            "T2008",
                            format!(
                                "The expressions within an order-by clause must evaluate to numeric or string values: {}",
                                show(other)
                            ),
                        ));
                    }
                }
                keys.push(k);
            }
            keyed.push((keys, t));
        }
        let mut error = None;
        keyed.sort_by(|(a, _), (b, _)| {
            for (i, term) in terms.iter().enumerate() {
                let (x, y) = (a.get(i).cloned().unwrap_or_default(), b.get(i).cloned().unwrap_or_default());
                let ord = match (&x, &y) {
                    (Val::Undef, Val::Undef) => std::cmp::Ordering::Equal,
                    (Val::Undef, _) => return std::cmp::Ordering::Greater,
                    (_, Val::Undef) => return std::cmp::Ordering::Less,
                    (Val::Num(p), Val::Num(q)) => p.partial_cmp(q).unwrap_or(std::cmp::Ordering::Equal),
                    _ => match (x.as_str(), y.as_str()) {
                        (Some(p), Some(q)) => cmp_js_strings(p, q),
                        _ => {
                            if error.is_none() {
                                error = Some(JsonataError::new(
                                    "T2007",
                                    format!("Type mismatch when comparing values {} and {} in order-by clause", show(&x), show(&y)),
                                ));
                            }
                            std::cmp::Ordering::Equal
                        }
                    },
                };
                let ord = if term.descending { ord.reverse() } else { ord };
                if ord != std::cmp::Ordering::Equal {
                    return ord;
                }
            }
            std::cmp::Ordering::Equal
        });
        if let Some(e) = error {
            return Err(e);
        }
        Ok(keyed.into_iter().map(|(_, t)| t).collect())
    }

    fn group(
        &self,
        pairs: &'a [(Node, Node)],
        mut input: Vec<Tuple<'a>>,
        reduce: bool,
        env: &Env<'a>,
    ) -> Result<Val<'a>> {
        if input.is_empty() {
            input.push(Tuple::plain(Val::Undef));
        }
        // key -> (pair index, items)
        let mut groups: Vec<(Rc<str>, usize, Vec<Tuple<'a>>)> = Vec::new();
        let mut index: std::collections::HashMap<Rc<str>, usize> = std::collections::HashMap::new();
        for item in &input {
            let ienv = if reduce {
                self.tuple_frame(env, item)
            } else {
                env.clone()
            };
            for (pi, (kexpr, _)) in pairs.iter().enumerate() {
                let key = self.eval(kexpr, &item.ctx, &ienv)?;
                let key: Rc<str> = match &key {
                    Val::Undef => continue,
                    Val::Str(s) => s.clone(),
                    Val::JStr(s) => Rc::from(*s),
                    other => {
                        return Err(JsonataError::new(
                            "T1003",
                            format!(
                                "Key in object structure must evaluate to a string; got: {}",
                                show(other)
                            ),
                        )
                        .at(kexpr.pos));
                    }
                };
                match index.get(&key) {
                    Some(&gi) => {
                        if let Some(g) = groups.get_mut(gi) {
                            if g.1 != pi {
                                return Err(JsonataError::new(
                                    "D1009",
                                    format!(
                                        "Multiple key definitions evaluate to same key: {}",
                                        quoted(&key)
                                    ),
                                )
                                .at(kexpr.pos));
                            }
                            g.2.push(item.clone());
                        }
                    }
                    None => {
                        index.insert(key.clone(), groups.len());
                        groups.push((key, pi, vec![item.clone()]));
                    }
                }
            }
        }
        let mut obj = Object::default();
        for (key, pi, items) in groups {
            let Some((_, vexpr)) = pairs.get(pi) else {
                continue;
            };
            let (ctx, venv) = if reduce {
                let t = reduce_tuples(items);
                let venv = self.tuple_frame(env, &t);
                (t.ctx, venv)
            } else {
                let mut data = Val::Undef;
                for (i, t) in items.into_iter().enumerate() {
                    data = if i == 0 { t.ctx } else { append(data, t.ctx) };
                }
                (data, env.clone())
            };
            let v = self.eval(vexpr, &ctx, &venv)?;
            if !v.is_undef() {
                obj.insert(key, v);
            }
        }
        Ok(Val::object(obj))
    }

    // ---------------------------------------------------------------- operators

    fn binary(
        &self,
        op: BinOp,
        lhs: &'a Node,
        rhs: &'a Node,
        input: &Val<'a>,
        env: &Env<'a>,
    ) -> Result<Val<'a>> {
        match op {
            BinOp::And => {
                let l = truthy(&self.eval(lhs, input, env)?);
                return Ok(Val::Bool(l && truthy(&self.eval(rhs, input, env)?)));
            }
            BinOp::Or => {
                let l = truthy(&self.eval(lhs, input, env)?);
                return Ok(Val::Bool(l || truthy(&self.eval(rhs, input, env)?)));
            }
            BinOp::Coalesce => {
                let l = self.eval(lhs, input, env)?;
                return if l.is_undef() {
                    self.eval(rhs, input, env)
                } else {
                    Ok(l)
                };
            }
            BinOp::Elvis => {
                let l = self.eval(lhs, input, env)?;
                return if truthy(&l) {
                    Ok(l)
                } else {
                    self.eval(rhs, input, env)
                };
            }
            _ => {}
        }
        let l = self.eval(lhs, input, env)?;
        let r = self.eval(rhs, input, env)?;
        self.binary_values(op, l, r)
    }

    /// Operators on evaluated operands (kept out of `binary`, which is on the recursion path).
    #[inline(never)]
    fn binary_values(&self, op: BinOp, l: Val<'a>, r: Val<'a>) -> Result<Val<'a>> {
        match op {
            BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div | BinOp::Mod => {
                if !l.is_undef() && !matches!(l, Val::Num(_)) {
                    return Err(number_error("T2001", "left", op));
                }
                if !r.is_undef() && !matches!(r, Val::Num(_)) {
                    return Err(number_error("T2002", "right", op));
                }
                let (Val::Num(a), Val::Num(b)) = (&l, &r) else {
                    return Ok(Val::Undef);
                };
                let v = match op {
                    BinOp::Add => a + b,
                    BinOp::Sub => a - b,
                    BinOp::Mul => a * b,
                    BinOp::Div => a / b,
                    _ => a % b,
                };
                if !v.is_finite() {
                    return Err(JsonataError::new(
                        "D1001",
                        format!("Number out of range: {}", js_number_string(v)),
                    ));
                }
                Ok(Val::Num(v))
            }
            BinOp::Eq | BinOp::Ne => {
                if l.is_undef() || r.is_undef() {
                    return Ok(Val::Bool(false));
                }
                let eq = deep_equal(&l, &r);
                Ok(Val::Bool(if op == BinOp::Eq { eq } else { !eq }))
            }
            BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge => {
                let comparable = |v: &Val<'_>| {
                    matches!(v, Val::Undef | Val::Num(_) | Val::Str(_) | Val::JStr(_))
                };
                if !comparable(&l) || !comparable(&r) {
                    let bad = if comparable(&l) { &r } else { &l };
                    return Err(JsonataError::new(
                        "T2010",
                        format!(
                            "The expressions either side of operator {} must evaluate to numeric or string values: {}",
                            quoted(op.symbol()),
                            show(bad)
                        ),
                    ));
                }
                if l.is_undef() || r.is_undef() {
                    return Ok(Val::Undef);
                }
                let ord = match (&l, &r) {
                    (Val::Num(a), Val::Num(b)) => a.partial_cmp(b),
                    _ => match (l.as_str(), r.as_str()) {
                        (Some(a), Some(b)) => Some(cmp_js_strings(a, b)),
                        _ => {
                            return Err(JsonataError::new(
                                "T2009",
                                format!(
                                    "The values {} and {} either side of operator {} must be of the same data type",
                                    show(&l),
                                    show(&r),
                                    quoted(op.symbol())
                                ),
                            ));
                        }
                    },
                };
                let Some(ord) = ord else {
                    return Ok(Val::Bool(false));
                };
                use std::cmp::Ordering::*;
                Ok(Val::Bool(match op {
                    BinOp::Lt => ord == Less,
                    BinOp::Le => ord != Greater,
                    BinOp::Gt => ord == Greater,
                    _ => ord != Less,
                }))
            }
            BinOp::Concat => {
                let a = if l.is_undef() {
                    String::new()
                } else {
                    functions::string_of(&l)?
                };
                let b = if r.is_undef() {
                    String::new()
                } else {
                    functions::string_of(&r)?
                };
                Ok(Val::string(a + &b))
            }
            BinOp::In => {
                if l.is_undef() || r.is_undef() {
                    return Ok(Val::Bool(false));
                }
                let items = if r.is_array() { r.items() } else { vec![r] };
                Ok(Val::Bool(items.iter().any(|v| strict_equal(&l, v))))
            }
            BinOp::Range => {
                let int = |v: &Val<'_>| matches!(v, Val::Num(n) if n.fract() == 0.0);
                if !l.is_undef() && !int(&l) {
                    return Err(JsonataError::new(
                        "T2003",
                        "The left side of the range operator (..) must evaluate to an integer",
                    ));
                }
                if !r.is_undef() && !int(&r) {
                    return Err(JsonataError::new(
                        "T2004",
                        "The right side of the range operator (..) must evaluate to an integer",
                    ));
                }
                let (Val::Num(a), Val::Num(b)) = (l, r) else {
                    return Ok(Val::Undef);
                };
                if a > b {
                    return Ok(Val::Undef);
                }
                let size = b - a + 1.0;
                if size > 1e7 {
                    return Err(JsonataError::new(
                        "D2014",
                        format!(
                            "The size of the sequence allocated by the range operator (..) must not exceed 1e7.  Attempted to allocate {}.",
                            js_number_string(size)
                        ),
                    ));
                }
                self.tick(size as u64)?;
                let items = (0..size as i64).map(|i| Val::Num(a + i as f64)).collect();
                Ok(Val::sequence(items))
            }
            _ => Ok(Val::Undef),
        }
    }

    fn apply_op(
        &self,
        lhs: &'a Node,
        rhs: &'a Node,
        input: &Val<'a>,
        env: &Env<'a>,
    ) -> Result<Val<'a>> {
        let l = self.eval(lhs, input, env)?;
        if let Kind::Call {
            proc,
            args,
            partial: false,
        } = &rhs.kind
        {
            return self.call(proc, args, false, input, env, Some(l));
        }
        let f = self.eval(rhs, input, env)?;
        if !f.is_func() {
            return Err(JsonataError::new(
                "T2006",
                "The right side of the function application operator ~> must be a function",
            ));
        }
        if l.is_func() {
            return Ok(Val::Func(Rc::new(Func::Partial {
                target: Val::Func(Rc::new(Func::Builtin(&functions::CHAIN))),
                args: vec![Some(l), Some(f), None],
            })));
        }
        self.apply(&f, vec![l], input, "")
    }

    fn call(
        &self,
        proc: &'a Node,
        args: &'a [Node],
        partial: bool,
        input: &Val<'a>,
        env: &Env<'a>,
        applied: Option<Val<'a>>,
    ) -> Result<Val<'a>> {
        match self.prepare_call(proc, args, partial, input, env, applied)? {
            Prepared::Value(v) => Ok(v),
            Prepared::Invoke(f, values, context, name) => self.apply(&f, values, &context, name),
        }
    }

    /// Evaluate the function and arguments of a call (a partial application is already a value).
    fn prepare_call(
        &self,
        proc: &'a Node,
        args: &'a [Node],
        partial: bool,
        input: &Val<'a>,
        env: &Env<'a>,
        applied: Option<Val<'a>>,
    ) -> Result<Prepared<'a>> {
        let f = self.eval(proc, input, env)?;
        let name: &str = match &proc.kind {
            Kind::Var(n) => n,
            Kind::Path { steps, .. } => match steps.first().map(|s| &s.kind) {
                Some(Kind::Name(n)) => n,
                _ => "",
            },
            _ => "",
        };
        if f.is_undef()
            && matches!(proc.kind, Kind::Path { .. })
            && functions::lookup(name, self.bindings.aws).is_some()
        {
            let code = if partial { "T1008" } else { "T1005" };
            let what = if partial { "partially apply" } else { "invoke" };
            return Err(JsonataError::new(
                code,
                format!("Attempted to {what} a non-function. Did you mean ${name}?"),
            ));
        }
        let mut values = Vec::with_capacity(args.len() + 1);
        if let Some(a) = applied {
            values.push(Some(a));
        }
        for a in args {
            if matches!(a.kind, Kind::Placeholder) {
                values.push(None);
            } else {
                values.push(Some(self.eval(a, input, env)?));
            }
        }
        if partial {
            if !f.is_func() {
                return Err(JsonataError::new(
                    "T1007",
                    "Attempted to partially apply a non-function",
                ));
            }
            return Ok(Prepared::Value(Val::Func(Rc::new(Func::Partial {
                target: f,
                args: values,
            }))));
        }
        let values = values.into_iter().map(|v| v.unwrap_or_default()).collect();
        // the context a `-` parameter receives is the document itself, not its array wrapper
        let context = match input {
            Val::Arr(a) if a.outer_wrapper => a.items.first().cloned().unwrap_or_default(),
            _ => input.clone(),
        };
        Ok(Prepared::Invoke(f, values, context, name))
    }

    /// Evaluate a lambda body, returning a call in tail position unevaluated so that
    /// `apply` can run it in a loop (tail calls do not grow the stack, as in JSONata-js).
    fn eval_tail(&self, node: &'a Node, input: &Val<'a>, env: &Env<'a>) -> Result<Tail<'a>> {
        let plain = node.predicate.is_empty()
            && node.stages.is_empty()
            && node.group.is_none()
            && !node.keep_array;
        if plain {
            match &node.kind {
                Kind::Condition(c, t, e) => {
                    self.tick(1)?;
                    let cond = self.eval(c, input, env)?;
                    return match (truthy(&cond), e) {
                        (true, _) => self.eval_tail(t, input, env),
                        (false, Some(e)) => self.eval_tail(e, input, env),
                        (false, None) => Ok(Tail::Done(Val::Undef)),
                    };
                }
                Kind::Block(items) if !items.is_empty() => {
                    self.tick(1)?;
                    let frame = self.child_frame(env);
                    let (last, rest) = items
                        .split_last()
                        .ok_or_else(|| JsonataError::new("S0201", "Empty block"))?;
                    for item in rest {
                        self.eval(item, input, &frame)?;
                    }
                    return self.eval_tail(last, input, &frame);
                }
                Kind::Call {
                    proc,
                    args,
                    partial: false,
                } => {
                    self.tick(1)?;
                    return match self
                        .prepare_call(proc, args, false, input, env, None)
                        .map_err(|e| e.at(node.pos))?
                    {
                        Prepared::Value(v) => Ok(Tail::Done(v)),
                        Prepared::Invoke(f, values, context, name) => {
                            Ok(Tail::Call(f, values, context, name, node.pos))
                        }
                    };
                }
                _ => {}
            }
        }
        Ok(Tail::Done(self.eval(node, input, env)?))
    }

    /// Invoke a function value. `context` is the focus for `-` signature parameters.
    pub fn apply(
        &self,
        f: &Val<'a>,
        args: Vec<Val<'a>>,
        context: &Val<'a>,
        name: &str,
    ) -> Result<Val<'a>> {
        let Val::Func(func) = f else {
            return Err(JsonataError::new(
                "T1006",
                "Attempted to invoke a non-function",
            ));
        };
        match &**func {
            Func::Lambda { .. } => {
                let (mut func, mut args, mut context, mut name) =
                    (func.clone(), args, context.clone(), name);
                loop {
                    let Func::Lambda { def, env, input } = &*func else {
                        let f = Val::Func(func.clone());
                        return Ok(collapse(self.apply(&f, args, &context, name)?, false));
                    };
                    let args_now = match &def.signature {
                        Some(sig) => sig.validate(&args, &context, name)?,
                        None => args,
                    };
                    let frame = self.child_frame(env);
                    for (i, p) in def.params.iter().enumerate() {
                        frame.bind(p.clone(), args_now.get(i).cloned().unwrap_or_default());
                    }
                    match self.eval_tail(&def.body, input, &frame)? {
                        Tail::Done(v) => return Ok(v),
                        Tail::Call(Val::Func(next), next_args, next_context, next_name, _) => {
                            func = next;
                            args = next_args;
                            context = next_context;
                            name = next_name;
                        }
                        Tail::Call(other, next_args, next_context, next_name, pos) => {
                            return self
                                .apply(&other, next_args, &next_context, next_name)
                                .map_err(|e| e.at(pos));
                        }
                    }
                }
            }
            Func::Partial {
                target,
                args: fixed,
            } => {
                let mut supplied = args.into_iter();
                let full = fixed.iter().map(|a| match a {
                    Some(v) => v.clone(),
                    None => supplied.next().unwrap_or_default(),
                });
                let full: Vec<Val<'a>> = full.collect();
                self.apply(target, full, context, name)
            }
            Func::Builtin(b) => {
                let sig = crate::signature::cached(b.signature)?;
                let args = sig.validate(&args, context, b.name)?;
                (b.imp)(self, args, context)
            }
            Func::Regex(re) => {
                let s = args.first().and_then(|a| a.as_str().map(str::to_string));
                match s {
                    Some(s) => Ok(crate::regexes::match_object(re, &s, 0)),
                    None => Ok(Val::Undef),
                }
            }
            Func::Transform { def, env } => {
                crate::transform::apply(self, def, env, args.into_iter().next().unwrap_or_default())
            }
            Func::Host(h) => {
                let mut json = Vec::with_capacity(args.len());
                for a in &args {
                    json.push(a.to_json().ok().flatten().unwrap_or(sfn_json::Value::Null));
                }
                let out = h(&json)?;
                Ok(match out {
                    Some(v) => crate::convert::owned(v),
                    None => Val::Undef,
                })
            }
        }
    }
}

fn index_matches(n: f64, index: usize, len: f64) -> bool {
    let mut ii = n.floor();
    if ii < 0.0 {
        ii += len;
    }
    ii == index as f64
}

/// `===` in JavaScript (used by `in`): no deep comparison of structures.
fn strict_equal(a: &Val<'_>, b: &Val<'_>) -> bool {
    match (a, b) {
        (Val::Num(x), Val::Num(y)) => x == y,
        (Val::Bool(x), Val::Bool(y)) => x == y,
        (Val::Null, Val::Null) => true,
        _ => match (a.as_str(), b.as_str()) {
            (Some(x), Some(y)) => x == y,
            _ => false,
        },
    }
}

/// JavaScript compares strings by UTF-16 code units.
pub fn cmp_js_strings(a: &str, b: &str) -> std::cmp::Ordering {
    a.encode_utf16().cmp(b.encode_utf16())
}

fn seq_items<'a>(v: &Val<'a>) -> Vec<Val<'a>> {
    if v.is_array() {
        v.items()
    } else {
        vec![v.clone()]
    }
}

/// Sequences collapse: empty → undefined, singleton → its item (unless kept).
pub fn collapse<'a>(v: Val<'a>, keep_array: bool) -> Val<'a> {
    match v {
        Val::Arr(mut a) if a.sequence => {
            if keep_array && !a.keep_singleton {
                Rc::make_mut(&mut a).keep_singleton = true;
            }
            match a.items.len() {
                0 => Val::Undef,
                1 if !a.keep_singleton => a.items.first().cloned().unwrap_or_default(),
                _ => Val::Arr(a),
            }
        }
        other => other,
    }
}

fn reduce_tuples<'a>(items: Vec<Tuple<'a>>) -> Tuple<'a> {
    let mut iter = items.into_iter();
    let Some(mut acc) = iter.next() else {
        return Tuple::plain(Val::Undef);
    };
    for t in iter {
        acc.ctx = append(acc.ctx, t.ctx);
        for (k, v) in t.binds {
            let cur = acc
                .binds
                .iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| v.clone())
                .unwrap_or_default();
            acc.set(&k, append(cur, v));
        }
    }
    acc
}

pub fn lookup_field<'a>(input: &Val<'a>, key: &str) -> Val<'a> {
    match input {
        Val::JObj(o) => crate::value::json_field(o, key)
            .map(Val::from_json)
            .unwrap_or_default(),
        Val::Obj(o) => o.get(key).cloned().unwrap_or_default(),
        Val::Arr(_) | Val::JArr(_) => {
            let mut out = Vec::new();
            for item in input.items() {
                let v = lookup_field(&item, key);
                if v.is_array() {
                    out.extend(v.items());
                } else if !v.is_undef() {
                    out.push(v);
                }
            }
            Val::sequence(out)
        }
        _ => Val::Undef,
    }
}

fn wildcard<'a>(input: &Val<'a>) -> Val<'a> {
    let target = match input {
        Val::Arr(a) if a.outer_wrapper => a.items.first().cloned().unwrap_or_default(),
        _ => input.clone(),
    };
    let mut out = Vec::new();
    if target.is_object() {
        for (_, v) in target.entries() {
            if v.is_array() {
                crate::util::flatten_into(&v, &mut out);
            } else {
                out.push(v);
            }
        }
    }
    Val::sequence(out)
}

fn descendants<'a>(input: &Val<'a>) -> Val<'a> {
    if input.is_undef() {
        return Val::Undef;
    }
    let mut out = Vec::new();
    recurse_descendants(input, &mut out);
    if out.len() == 1 {
        return out.pop().unwrap_or_default();
    }
    Val::sequence(out)
}

fn recurse_descendants<'a>(v: &Val<'a>, out: &mut Vec<Val<'a>>) {
    if v.is_array() {
        for item in v.items() {
            recurse_descendants(&item, out);
        }
    } else {
        out.push(v.clone());
        if v.is_object() {
            for (_, child) in v.entries() {
                recurse_descendants(&child, out);
            }
        }
    }
}
