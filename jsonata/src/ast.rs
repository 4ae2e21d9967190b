//! The processed syntax tree the evaluator walks (JSONata-js's `processAST` output).

use std::sync::Arc;

/// Identifiers and literals in the tree are `Arc`, so a parsed `Expression` is `Send + Sync`.
pub type Name = Arc<str>;

use crate::signature::Signature;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
    Mod,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Concat,
    And,
    Or,
    In,
    Range,
    Coalesce,
    Elvis,
}

impl BinOp {
    pub fn symbol(self) -> &'static str {
        match self {
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
            BinOp::Mod => "%",
            BinOp::Eq => "=",
            BinOp::Ne => "!=",
            BinOp::Lt => "<",
            BinOp::Le => "<=",
            BinOp::Gt => ">",
            BinOp::Ge => ">=",
            BinOp::Concat => "&",
            BinOp::And => "and",
            BinOp::Or => "or",
            BinOp::In => "in",
            BinOp::Range => "..",
            BinOp::Coalesce => "??",
            BinOp::Elvis => "?:",
        }
    }
}

/// A filter or index-binding stage after a step.
#[derive(Debug)]
pub enum Stage {
    Filter(Node),
    Index(Name),
}

#[derive(Debug)]
pub struct SortTerm {
    pub expr: Node,
    pub descending: bool,
}

#[derive(Debug)]
pub struct LambdaDef {
    pub params: Vec<Name>,
    pub body: Node,
    pub signature: Option<Signature>,
}

#[derive(Debug)]
pub struct Transform {
    pub pattern: Node,
    pub update: Node,
    pub delete: Option<Node>,
}

#[derive(Debug)]
pub enum Kind {
    Path {
        steps: Vec<Node>,
        keep_singleton: bool,
    },
    Num(f64),
    Str(Name),
    Bool(bool),
    Null,
    Name(Name),
    /// `$name`; `""` is the context `$`, `"$"` is the root `$$`.
    Var(Name),
    Wildcard,
    Descendant,
    Regex(Arc<regex::Regex>),
    Binary(BinOp, Box<Node>, Box<Node>),
    Neg(Box<Node>),
    ArrayCons(Vec<Node>),
    ObjectCons(Vec<(Node, Node)>),
    Condition(Box<Node>, Box<Node>, Option<Box<Node>>),
    Block(Vec<Node>),
    Bind(Name, Box<Node>),
    Call {
        proc: Box<Node>,
        args: Vec<Node>,
        partial: bool,
    },
    Placeholder,
    Lambda(Box<LambdaDef>),
    Apply(Box<Node>, Box<Node>),
    Sort(Vec<SortTerm>),
    Transform(Box<Transform>),
}

#[derive(Debug)]
pub struct Node {
    pub kind: Kind,
    pub pos: usize,
    /// Filters applied to this node's value (outside paths).
    pub predicate: Vec<Stage>,
    /// Filters and index bindings applied per input item (as a path step).
    pub stages: Vec<Stage>,
    /// `{ key: value }` grouping applied to the result.
    pub group: Option<Vec<(Node, Node)>>,
    pub keep_array: bool,
    /// `@$name`
    pub focus: Option<Name>,
    /// `#$name`
    pub index: Option<Name>,
    /// Step is evaluated as a tuple stream (focus or index binding in the path).
    pub tuple: bool,
    /// Array constructor as the first step of a path.
    pub cons_array: bool,
}

impl Node {
    pub fn new(kind: Kind, pos: usize) -> Node {
        Node {
            kind,
            pos,
            predicate: Vec::new(),
            stages: Vec::new(),
            group: None,
            keep_array: false,
            focus: None,
            index: None,
            tuple: false,
            cons_array: false,
        }
    }
}
