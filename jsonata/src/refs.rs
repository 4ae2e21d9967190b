//! What an expression reads from outside itself, by position in the tree: the input document
//! at the expression's top level, and the fields of variables (`$states.errorOutput`).
//!
//! "Top level" is every position evaluated against the expression's own input: the first step
//! of a path, both operands of an operator, conditions and branches, function arguments and
//! the function itself, array and object constructors, block items, bound values and lambda
//! bodies (a lambda keeps the input of the expression that defines it). A later path step, a
//! predicate, a sort term, a grouping and a transform read the value before them, so names
//! there are not top-level reads.

use crate::ast::{Kind, Name, Node, Stage};

/// A read of the input document from the top level of an expression.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ContextRead {
    /// A bare field name as the first step of a path: `phone` in `phone.number`.
    Field(String),
    /// `$`, the context item.
    Context,
    /// `$$`, the root document.
    Root,
}

/// A variable read as the first step of a path, with the field the next step names:
/// `$states.errorOutput.Cause` is `states` / `Some("errorOutput")`, `$x` is `x` / `None`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct VariableField {
    pub variable: String,
    pub field: Option<String>,
}

/// The distinct top-level reads of `root`, in the order they are written.
pub fn top_level_reads(root: &Node) -> Vec<ContextRead> {
    let mut out = Vec::new();
    top(root, &mut out);
    out
}

fn push<T: PartialEq>(out: &mut Vec<T>, item: T) {
    if !out.contains(&item) {
        out.push(item);
    }
}

fn top(node: &Node, out: &mut Vec<ContextRead>) {
    match &node.kind {
        Kind::Path { steps, .. } => {
            if let Some(first) = steps.first() {
                top(first, out);
            }
        }
        Kind::Name(name) => push(out, ContextRead::Field(name.to_string())),
        Kind::Var(name) if name.is_empty() => push(out, ContextRead::Context),
        Kind::Var(name) if &**name == "$" => push(out, ContextRead::Root),
        Kind::Binary(_, a, b) | Kind::Apply(a, b) => {
            top(a, out);
            top(b, out);
        }
        Kind::Neg(a) => top(a, out),
        Kind::ArrayCons(items) | Kind::Block(items) => items.iter().for_each(|n| top(n, out)),
        Kind::ObjectCons(pairs) => pairs.iter().for_each(|(k, v)| {
            top(k, out);
            top(v, out);
        }),
        Kind::Condition(c, t, e) => {
            top(c, out);
            top(t, out);
            if let Some(e) = e {
                top(e, out);
            }
        }
        Kind::Bind(_, value) => top(value, out),
        Kind::Call { proc, args, .. } => {
            top(proc, out);
            args.iter().for_each(|n| top(n, out));
        }
        Kind::Lambda(def) => top(&def.body, out),
        Kind::Var(_)
        | Kind::Sort(_)
        | Kind::Transform(_)
        | Kind::Num(_)
        | Kind::Str(_)
        | Kind::Bool(_)
        | Kind::Null
        | Kind::Wildcard
        | Kind::Descendant
        | Kind::Regex(_)
        | Kind::Placeholder => {}
    }
}

/// Every variable (not bound inside the expression) read as a path's first step, anywhere in
/// the tree, with the field read from it; distinct, in the order they are written.
pub fn variable_fields(root: &Node) -> Vec<VariableField> {
    let mut walk = Walk::default();
    walk.node(root);
    walk.out
}

#[derive(Default)]
struct Walk {
    bound: Vec<Vec<Name>>,
    out: Vec<VariableField>,
}

impl Walk {
    fn is_bound(&self, name: &str) -> bool {
        self.bound.iter().flatten().any(|n| &**n == name)
    }

    fn bind(&mut self, name: &Name) {
        match self.bound.last_mut() {
            Some(scope) => scope.push(name.clone()),
            None => self.bound.push(vec![name.clone()]),
        }
    }

    fn read(&mut self, name: &str, field: Option<&Node>) {
        if name.is_empty() || name == "$" || self.is_bound(name) {
            return;
        }
        let field = field.and_then(|n| match &n.kind {
            Kind::Name(f) => Some(f.to_string()),
            _ => None,
        });
        push(
            &mut self.out,
            VariableField {
                variable: name.to_owned(),
                field,
            },
        );
    }

    fn stages(&mut self, stages: &[Stage]) {
        for stage in stages {
            match stage {
                Stage::Filter(p) => self.node(p),
                Stage::Index(name) => self.bind(name),
            }
        }
    }

    fn node(&mut self, node: &Node) {
        self.bindings(node);
        match &node.kind {
            Kind::Path { steps, .. } => {
                let mut rest = steps.iter();
                if let Some(
                    first @ Node {
                        kind: Kind::Var(name),
                        ..
                    },
                ) = steps.first()
                {
                    // the variable itself is read here, with its field; only its filters remain
                    self.read(name, steps.get(1));
                    self.bindings(first);
                    self.filters(first);
                    rest.next();
                }
                rest.for_each(|n| self.node(n));
            }
            Kind::Var(name) => self.read(name, None),
            Kind::Binary(_, a, b) | Kind::Apply(a, b) => {
                self.node(a);
                self.node(b);
            }
            Kind::Neg(a) => self.node(a),
            Kind::ArrayCons(items) => items.iter().for_each(|n| self.node(n)),
            Kind::ObjectCons(pairs) => pairs.iter().for_each(|(k, v)| {
                self.node(k);
                self.node(v);
            }),
            Kind::Condition(c, t, e) => {
                self.node(c);
                self.node(t);
                if let Some(e) = e {
                    self.node(e);
                }
            }
            Kind::Block(items) => {
                self.bound.push(Vec::new());
                items.iter().for_each(|n| self.node(n));
                self.bound.pop();
            }
            Kind::Bind(name, value) => {
                self.bind(name);
                self.node(value);
            }
            Kind::Call { proc, args, .. } => {
                self.node(proc);
                args.iter().for_each(|n| self.node(n));
            }
            Kind::Lambda(def) => {
                self.bound.push(def.params.clone());
                self.node(&def.body);
                self.bound.pop();
            }
            Kind::Sort(terms) => terms.iter().for_each(|t| self.node(&t.expr)),
            Kind::Transform(t) => {
                self.node(&t.pattern);
                self.node(&t.update);
                if let Some(d) = &t.delete {
                    self.node(d);
                }
            }
            Kind::Num(_)
            | Kind::Str(_)
            | Kind::Bool(_)
            | Kind::Null
            | Kind::Name(_)
            | Kind::Wildcard
            | Kind::Descendant
            | Kind::Regex(_)
            | Kind::Placeholder => {}
        }
        self.filters(node);
    }

    /// `@$name` and `#$name` bind for the rest of the path.
    fn bindings(&mut self, node: &Node) {
        if let Some(f) = &node.focus {
            self.bind(f);
        }
        if let Some(i) = &node.index {
            self.bind(i);
        }
    }

    /// Predicates, stages and the grouping applied to a node's value.
    fn filters(&mut self, node: &Node) {
        self.stages(&node.predicate);
        self.stages(&node.stages);
        if let Some(group) = &node.group {
            for (k, v) in group {
                self.node(k);
                self.node(v);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parser::parse;

    fn reads(src: &str) -> Vec<ContextRead> {
        match parse(src) {
            Ok(root) => top_level_reads(&root),
            Err(e) => panic!("{src}: {e}"),
        }
    }

    fn field(name: &str) -> Vec<ContextRead> {
        vec![ContextRead::Field(name.to_owned())]
    }

    #[test]
    fn bare_names_at_the_top_level_are_reads() {
        for src in [
            "phone",
            "phone[0].number",
            "phone.number.street",
            "-phone",
            "phone ? 1 : 2",
            "$states.input.a ? phone : 2",
            "phone & 'x'",
            "phone in $states.input.b",
            "$sum(phone)",
            "phone(1)",
            "phone ~> $string()",
            "[1..phone]",
            "(phone)",
            "(phone).other",
            "[phone].other",
            "[phone, 1]",
            "{phone: 1}",
            "($x := phone; $x)",
            "$map($states.input.a, function($y){ phone })",
            "$count(phone[inner])",
            "phone.**.deeper",
            "phone^(other)",
        ] {
            assert_eq!(reads(src), field("phone"), "{src}");
        }
    }

    #[test]
    fn names_read_from_a_value_are_not_top_level_reads() {
        for src in [
            "$states.input.phone",
            "$states.input.a[0].phone",
            "$states.input.items[phone > 3]",
            "$states.input.a^(phone)",
            "$states.input.a{'k': phone}",
            "$states.input.a.(phone)",
            "$states.input.a.{'k': phone}",
            "$states.input.a.$phone",
            "$phone",
            "$states.input ~> |phone|{'b': 1}|",
            "**.phone",
            "{'k': 1}.phone",
            "$states.input.a[$ > 1]",
            "function($x){ $x.phone }",
            "$map($states.input.a, function($x){ $x.phone })",
            "'phone'",
            "1 + 1",
            "$now()",
        ] {
            assert_eq!(reads(src), Vec::new(), "{src}");
        }
    }

    #[test]
    fn the_context_item_and_the_root_are_reads() {
        for src in [
            "$",
            "$.phone",
            "$[0]",
            "$string($)",
            "$map($states.input.a, function($x){ $ })",
        ] {
            assert_eq!(reads(src), vec![ContextRead::Context], "{src}");
        }
        assert_eq!(reads("$$.phone"), vec![ContextRead::Root]);
    }

    #[test]
    fn reads_are_distinct_and_in_writing_order() {
        let expected = vec![
            ContextRead::Field("bbb".to_owned()),
            ContextRead::Field("aaa".to_owned()),
        ];
        assert_eq!(reads("[bbb, aaa, bbb]"), expected);
        assert_eq!(reads("(bbb; aaa)"), expected);
    }

    fn fields(src: &str) -> Vec<(String, Option<String>)> {
        match parse(src) {
            Ok(root) => variable_fields(&root)
                .into_iter()
                .map(|f| (f.variable, f.field))
                .collect(),
            Err(e) => panic!("{src}: {e}"),
        }
    }

    #[test]
    fn variable_fields_name_the_first_field_wherever_the_path_is() {
        let error_output = ("states".to_owned(), Some("errorOutput".to_owned()));
        for src in [
            "$states.errorOutput",
            "$states.errorOutput.Cause",
            "[$states.errorOutput]",
            "$states.input.a[$states.errorOutput.Error = 'x']",
            "$map([1], function($v){ $states.errorOutput })",
        ] {
            assert!(fields(src).contains(&error_output), "{src}");
        }
        assert_eq!(
            fields("$x + $y.z"),
            vec![
                ("x".to_owned(), None),
                ("y".to_owned(), Some("z".to_owned()))
            ]
        );
    }

    #[test]
    fn variables_bound_in_the_expression_are_not_reads() {
        assert_eq!(
            fields("function($states){ $states.errorOutput }"),
            Vec::new()
        );
        assert_eq!(fields("($states := {}; $states.errorOutput)"), Vec::new());
        assert_eq!(fields("$$.a + $.b"), Vec::new());
    }
}
