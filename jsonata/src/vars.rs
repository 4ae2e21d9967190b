//! Free variables of an expression: the `$name`s it reads that it does not bind itself
//! (`:=`, lambda parameters, `@$x`/`#$i`). The engine uses this to validate references to
//! workflow variables before running anything.

use crate::ast::{Kind, Name, Node, Stage};

#[derive(Default)]
struct Scopes {
    stack: Vec<Vec<Name>>,
    free: Vec<String>,
}

impl Scopes {
    fn bound(&self, name: &str) -> bool {
        self.stack.iter().any(|s| s.iter().any(|n| &**n == name))
    }

    fn bind(&mut self, name: &Name) {
        if let Some(top) = self.stack.last_mut() {
            top.push(name.clone());
        }
    }

    fn read(&mut self, name: &str) {
        if name.is_empty() || name == "$" || self.bound(name) || self.free.iter().any(|f| f == name)
        {
            return;
        }
        self.free.push(name.to_string());
    }
}

pub fn free_variables(root: &Node) -> Vec<String> {
    let mut scopes = Scopes {
        stack: vec![Vec::new()],
        free: Vec::new(),
    };
    visit(root, &mut scopes);
    scopes.free
}

fn visit_stages(stages: &[Stage], s: &mut Scopes) {
    for stage in stages {
        match stage {
            Stage::Filter(p) => visit(p, s),
            Stage::Index(name) => s.bind(name),
        }
    }
}

fn visit(node: &Node, s: &mut Scopes) {
    if let Some(f) = &node.focus {
        s.bind(f);
    }
    if let Some(i) = &node.index {
        s.bind(i);
    }
    match &node.kind {
        Kind::Path { steps, .. } => steps.iter().for_each(|n| visit(n, s)),
        Kind::Var(name) => s.read(name),
        Kind::Binary(_, a, b) | Kind::Apply(a, b) => {
            visit(a, s);
            visit(b, s);
        }
        Kind::Neg(a) => visit(a, s),
        Kind::ArrayCons(items) => items.iter().for_each(|n| visit(n, s)),
        Kind::ObjectCons(pairs) => pairs.iter().for_each(|(k, v)| {
            visit(k, s);
            visit(v, s);
        }),
        Kind::Condition(c, t, e) => {
            visit(c, s);
            visit(t, s);
            if let Some(e) = e {
                visit(e, s);
            }
        }
        Kind::Block(items) => {
            s.stack.push(Vec::new());
            items.iter().for_each(|n| visit(n, s));
            s.stack.pop();
        }
        Kind::Bind(name, value) => {
            // `$f := function(){ $f() }` may refer to itself
            s.bind(name);
            visit(value, s);
        }
        Kind::Call { proc, args, .. } => {
            visit(proc, s);
            args.iter().for_each(|n| visit(n, s));
        }
        Kind::Lambda(def) => {
            s.stack.push(def.params.clone());
            visit(&def.body, s);
            s.stack.pop();
        }
        Kind::Sort(terms) => terms.iter().for_each(|t| visit(&t.expr, s)),
        Kind::Transform(t) => {
            visit(&t.pattern, s);
            visit(&t.update, s);
            if let Some(d) = &t.delete {
                visit(d, s);
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
    visit_stages(&node.predicate, s);
    visit_stages(&node.stages, s);
    if let Some(group) = &node.group {
        for (k, v) in group {
            visit(k, s);
            visit(v, s);
        }
    }
}
