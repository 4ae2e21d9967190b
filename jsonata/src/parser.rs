//! Pratt parser (binding powers as in JSONata-js) producing a raw tree,
//! then `process` builds paths, stages and tuple flags like JSONata-js's `processAST`.

use std::sync::Arc;

use crate::ast::{BinOp, Kind, LambdaDef, Node, SortTerm, Stage, Transform};
use crate::error::{JsonataError, Result, quoted};
use crate::lexer::{Lexer, Tok, Token};
use crate::signature::Signature;
use crate::stack::StackGuard;

/// Deepest nesting the parser accepts (protects the stack).
pub const MAX_PARSE_DEPTH: usize = 1000;

/// Recursion state of `process`: logical depth plus the stack guard.
struct Depth {
    n: usize,
    stack: StackGuard,
}

#[derive(Debug)]
enum Raw {
    Num(f64),
    Str(String),
    Bool(bool),
    Null,
    Name(String),
    Var(String),
    Regex(String, String),
    Wildcard,
    Descendant,
    Binary(&'static str, Box<RawNode>, Box<RawNode>),
    Neg(Box<RawNode>),
    Array(Vec<RawNode>),
    Object(Vec<(RawNode, RawNode)>),
    Predicate(Box<RawNode>, Box<RawNode>),
    Group(Box<RawNode>, Vec<(RawNode, RawNode)>),
    Sort(Box<RawNode>, Vec<(RawNode, bool)>),
    Focus(Box<RawNode>, String),
    Index(Box<RawNode>, String),
    Call(Box<RawNode>, Vec<RawNode>, bool),
    Placeholder,
    Lambda(Vec<String>, Box<RawNode>, Option<Signature>),
    Condition(Box<RawNode>, Box<RawNode>, Option<Box<RawNode>>),
    Block(Vec<RawNode>),
    Transform(Box<RawNode>, Box<RawNode>, Option<Box<RawNode>>),
    /// End of input in operand position: an error once processed (S0207), unless a
    /// missing closing token is reported first (S0203), as in JSONata-js.
    End,
}

#[derive(Debug)]
struct RawNode {
    raw: Raw,
    pos: usize,
    keep_array: bool,
    /// Height of the tree below this node (bounded, so that processing and dropping
    /// the tree cannot exhaust the stack).
    height: usize,
}

fn rn(raw: Raw, pos: usize) -> RawNode {
    let height = 1 + child_height(&raw);
    RawNode {
        raw,
        pos,
        keep_array: false,
        height,
    }
}

fn child_height(raw: &Raw) -> usize {
    let h = |n: &RawNode| n.height;
    let hs = |v: &[RawNode]| v.iter().map(|n| n.height).max().unwrap_or(0);
    let hp = |v: &[(RawNode, RawNode)]| {
        v.iter()
            .map(|(a, b)| a.height.max(b.height))
            .max()
            .unwrap_or(0)
    };
    match raw {
        Raw::Binary(_, a, b) | Raw::Predicate(a, b) => h(a).max(h(b)),
        Raw::Neg(a) | Raw::Focus(a, _) | Raw::Index(a, _) => h(a),
        Raw::Array(v) | Raw::Block(v) => hs(v),
        Raw::Object(p) => hp(p),
        Raw::Group(a, p) => h(a).max(hp(p)),
        Raw::Sort(a, terms) => terms
            .iter()
            .map(|(t, _)| t.height)
            .max()
            .unwrap_or(0)
            .max(h(a)),
        Raw::Call(a, args, _) => h(a).max(hs(args)),
        Raw::Lambda(_, body, _) => h(body),
        Raw::Condition(a, b, c) => h(a).max(h(b)).max(c.as_deref().map(h).unwrap_or(0)),
        Raw::Transform(a, b, c) => h(a).max(h(b)).max(c.as_deref().map(h).unwrap_or(0)),
        _ => 0,
    }
}

fn lbp(tok: &Tok) -> u8 {
    match tok {
        Tok::Op(op) => match *op {
            "." => 75,
            "[" | "(" | "@" | "#" => 80,
            "{" => 70,
            "?" => 20,
            "+" | "-" | "&" => 50,
            "*" | "/" | "%" | "**" => 60,
            "=" | "<" | ">" | "^" | "!=" | "<=" | ">=" | "~>" | "?:" | "??" | "in" => 40,
            ":=" => 10,
            "and" => 30,
            "or" => 25,
            _ => 0,
        },
        _ => 0,
    }
}

fn describe(tok: &Tok) -> String {
    match tok {
        Tok::Op(op) => quoted(op),
        Tok::Str(s) => quoted(s),
        Tok::Num(n) => crate::numfmt::js_number_string(*n),
        Tok::Bool(b) => b.to_string(),
        Tok::Null => "null".into(),
        Tok::Name(n) => quoted(n),
        Tok::Var(v) => quoted(v),
        Tok::Regex { pattern, .. } => quoted(pattern),
        Tok::End => "(end)".into(),
    }
}

struct Parser<'s> {
    lexer: Lexer<'s>,
    node: Token,
    depth: usize,
    stack: StackGuard,
}

pub fn parse(src: &str) -> Result<Node> {
    let mut lexer = Lexer::new(src);
    let node = lexer.next(false)?;
    let stack = StackGuard::new();
    let mut p = Parser {
        lexer,
        node,
        depth: 0,
        stack,
    };
    let raw = p.expression(0)?;
    if p.node.tok != Tok::End {
        return Err(
            JsonataError::new("S0201", format!("Syntax error: {}", describe(&p.node.tok)))
                .at(p.node.pos),
        );
    }
    process(raw, &mut Depth { n: 0, stack })
}

impl Parser<'_> {
    fn advance(&mut self, infix: bool) -> Result<Token> {
        let next = self.lexer.next(infix)?;
        Ok(std::mem::replace(&mut self.node, next))
    }

    fn expect(&mut self, op: &'static str, infix: bool) -> Result<()> {
        match &self.node.tok {
            Tok::Op(o) if *o == op => {
                self.advance(infix)?;
                Ok(())
            }
            Tok::End => Err(JsonataError::new(
                "S0203",
                format!("Expected {} before end of expression", quoted(op)),
            )
            .at(self.node.pos)),
            other => Err(JsonataError::new(
                "S0202",
                format!("Expected {}, got {}", quoted(op), describe(other)),
            )
            .at(self.node.pos)),
        }
    }

    fn is_op(&self, op: &str) -> bool {
        matches!(&self.node.tok, Tok::Op(o) if *o == op)
    }

    fn expression(&mut self, rbp: u8) -> Result<RawNode> {
        self.depth += 1;
        if self.depth > MAX_PARSE_DEPTH {
            return Err(
                JsonataError::new("U1001", "Expression nesting is too deep").at(self.node.pos)
            );
        }
        self.stack.check(self.node.pos)?;
        let t = self.advance(true)?;
        let mut left = self.nud(t)?;
        while rbp < lbp(&self.node.tok) {
            let t = self.advance(false)?;
            left = self.led(t, left)?;
            if left.height > MAX_PARSE_DEPTH {
                return Err(
                    JsonataError::new("U1001", "Expression nesting is too deep").at(left.pos)
                );
            }
        }
        self.depth -= 1;
        Ok(left)
    }

    // Arms run in closures: unoptimised builds would otherwise give this recursive
    // function one huge frame holding every arm's locals (see `stack.rs`).
    #[allow(clippy::redundant_closure_call)]
    fn nud(&mut self, t: Token) -> Result<RawNode> {
        let pos = t.pos;
        Ok(match t.tok {
            Tok::Num(n) => rn(Raw::Num(n), pos),
            Tok::Str(s) => rn(Raw::Str(s), pos),
            Tok::Bool(b) => rn(Raw::Bool(b), pos),
            Tok::Null => rn(Raw::Null, pos),
            Tok::Name(n) => rn(Raw::Name(n), pos),
            Tok::Var(v) => rn(Raw::Var(v), pos),
            Tok::Regex { pattern, flags } => rn(Raw::Regex(pattern, flags), pos),
            Tok::Op(op @ ("and" | "or" | "in")) => rn(Raw::Name(op.to_string()), pos),
            Tok::Op("*") => rn(Raw::Wildcard, pos),
            Tok::Op("**") => rn(Raw::Descendant, pos),
            Tok::Op("-") => (|| -> Result<RawNode> {
                Ok({
                    let e = self.expression(70)?;
                    rn(Raw::Neg(Box::new(e)), pos)
                })
            })()?,
            Tok::Op("(") => (|| -> Result<RawNode> {
                Ok({
                    let mut items = Vec::new();
                    while !self.is_op(")") {
                        items.push(self.expression(0)?);
                        if !self.is_op(";") {
                            break;
                        }
                        self.advance(false)?;
                    }
                    self.expect(")", true)?;
                    rn(Raw::Block(items), pos)
                })
            })()?,
            Tok::Op("[") => (|| -> Result<RawNode> {
                Ok({
                    let mut items = Vec::new();
                    if !self.is_op("]") {
                        loop {
                            let mut item = self.expression(0)?;
                            if self.is_op("..") {
                                let rpos = self.node.pos;
                                self.advance(false)?;
                                let rhs = self.expression(0)?;
                                item = rn(Raw::Binary("..", Box::new(item), Box::new(rhs)), rpos);
                            }
                            items.push(item);
                            if !self.is_op(",") {
                                break;
                            }
                            self.advance(false)?;
                        }
                    }
                    self.expect("]", true)?;
                    rn(Raw::Array(items), pos)
                })
            })()?,
            Tok::Op("{") => rn(Raw::Object(self.object_pairs()?), pos),
            Tok::Op("|") => (|| -> Result<RawNode> {
                Ok({
                    let pattern = self.expression(0)?;
                    self.expect("|", false)?;
                    let update = self.expression(0)?;
                    let delete = if self.is_op(",") {
                        self.advance(false)?;
                        Some(Box::new(self.expression(0)?))
                    } else {
                        None
                    };
                    self.expect("|", true)?;
                    rn(
                        Raw::Transform(Box::new(pattern), Box::new(update), delete),
                        pos,
                    )
                })
            })()?,
            Tok::End => rn(Raw::End, pos),
            Tok::Op(op) => {
                return Err(JsonataError::new(
                    "S0211",
                    format!(
                        "The symbol {} cannot be used as a unary operator",
                        quoted(op)
                    ),
                )
                .at(pos));
            }
        })
    }

    fn object_pairs(&mut self) -> Result<Vec<(RawNode, RawNode)>> {
        let mut pairs = Vec::new();
        if !self.is_op("}") {
            loop {
                let k = self.expression(0)?;
                self.expect(":", false)?;
                let v = self.expression(0)?;
                pairs.push((k, v));
                if !self.is_op(",") {
                    break;
                }
                self.advance(false)?;
            }
        }
        self.expect("}", true)?;
        Ok(pairs)
    }

    // Arms run in closures: unoptimised builds would otherwise give this recursive
    // function one huge frame holding every arm's locals (see `stack.rs`).
    #[allow(clippy::redundant_closure_call)]
    fn led(&mut self, t: Token, left: RawNode) -> Result<RawNode> {
        let pos = t.pos;
        let Tok::Op(op) = t.tok else {
            return Err(
                JsonataError::new("S0201", format!("Syntax error: {}", describe(&t.tok))).at(pos),
            );
        };
        let bp = lbp(&Tok::Op(op));
        Ok(match op {
            "[" => (|| -> Result<RawNode> {
                Ok({
                    if self.is_op("]") {
                        // `[]`: keep singleton arrays; flag the step under any predicates
                        let mut left = left;
                        mark_keep_array(&mut left);
                        self.expect("]", true)?;
                        left
                    } else {
                        let rhs = self.expression(0)?;
                        self.expect("]", true)?;
                        rn(Raw::Predicate(Box::new(left), Box::new(rhs)), pos)
                    }
                })
            })()?,
            "{" => rn(Raw::Group(Box::new(left), self.object_pairs()?), pos),
            "(" => self.call(left, pos)?,
            "?" => (|| -> Result<RawNode> {
                Ok({
                    let then = self.expression(0)?;
                    let otherwise = if self.is_op(":") {
                        self.advance(false)?;
                        Some(Box::new(self.expression(0)?))
                    } else {
                        None
                    };
                    rn(
                        Raw::Condition(Box::new(left), Box::new(then), otherwise),
                        pos,
                    )
                })
            })()?,
            "@" | "#" => (|| -> Result<RawNode> {
                Ok({
                    let rhs = self.expression(bp)?;
                    let Raw::Var(name) = rhs.raw else {
                        return Err(JsonataError::new(
                            "S0214",
                            format!(
                                "The right side of {} must be a variable name (start with $)",
                                quoted(op)
                            ),
                        )
                        .at(pos));
                    };
                    if op == "@" {
                        rn(Raw::Focus(Box::new(left), name), pos)
                    } else {
                        rn(Raw::Index(Box::new(left), name), pos)
                    }
                })
            })()?,
            "^" => (|| -> Result<RawNode> {
                Ok({
                    self.expect("(", false)?;
                    let mut terms = Vec::new();
                    loop {
                        let mut descending = false;
                        if self.is_op("<") {
                            self.advance(false)?;
                        } else if self.is_op(">") {
                            descending = true;
                            self.advance(false)?;
                        }
                        terms.push((self.expression(0)?, descending));
                        if !self.is_op(",") {
                            break;
                        }
                        self.advance(false)?;
                    }
                    self.expect(")", true)?;
                    rn(Raw::Sort(Box::new(left), terms), pos)
                })
            })()?,
            ":=" => (|| -> Result<RawNode> {
                Ok({
                    let rhs = self.expression(bp - 1)?;
                    rn(Raw::Binary(op, Box::new(left), Box::new(rhs)), pos)
                })
            })()?,
            "." | "+" | "-" | "*" | "/" | "%" | "=" | "!=" | "<" | "<=" | ">" | ">=" | "&"
            | "and" | "or" | "in" | "~>" | "??" | "?:" => (|| -> Result<RawNode> {
                Ok({
                    let rhs = self.expression(bp)?;
                    rn(Raw::Binary(op, Box::new(left), Box::new(rhs)), pos)
                })
            })()?,
            other => {
                return Err(JsonataError::new(
                    "S0204",
                    format!("Unknown operator: {}", quoted(other)),
                )
                .at(pos));
            }
        })
    }

    fn call(&mut self, left: RawNode, pos: usize) -> Result<RawNode> {
        let mut args = Vec::new();
        let mut partial = false;
        if !self.is_op(")") {
            loop {
                if self.is_op("?") {
                    partial = true;
                    let p = self.node.pos;
                    self.advance(false)?;
                    args.push(rn(Raw::Placeholder, p));
                } else {
                    args.push(self.expression(0)?);
                }
                if !self.is_op(",") {
                    break;
                }
                self.advance(false)?;
            }
        }
        self.expect(")", true)?;
        let is_lambda = matches!(&left.raw, Raw::Name(n) if n == "function" || n == "λ");
        if !is_lambda {
            return Ok(rn(Raw::Call(Box::new(left), args, partial), pos));
        }
        let mut params = Vec::new();
        for (i, a) in args.into_iter().enumerate() {
            match a.raw {
                Raw::Var(v) => params.push(v),
                _ => {
                    return Err(JsonataError::new("S0208", format!("Parameter {} of function definition must be a variable name (start with $)", i + 1)).at(a.pos));
                }
            }
        }
        let mut signature = None;
        if self.is_op("<") {
            let text = self.lexer.raw_signature()?;
            signature = Some(Signature::parse(&format!("<{text}")).map_err(|e| e.at(pos))?);
            self.advance(false)?;
        }
        self.expect("{", false)?;
        let body = self.expression(0)?;
        self.expect("}", true)?;
        Ok(rn(Raw::Lambda(params, Box::new(body), signature), pos))
    }
}

fn mark_keep_array(node: &mut RawNode) {
    match &mut node.raw {
        Raw::Predicate(lhs, _) => mark_keep_array(lhs),
        _ => node.keep_array = true,
    }
}

fn binop(op: &str) -> Option<BinOp> {
    Some(match op {
        "+" => BinOp::Add,
        "-" => BinOp::Sub,
        "*" => BinOp::Mul,
        "/" => BinOp::Div,
        "%" => BinOp::Mod,
        "=" => BinOp::Eq,
        "!=" => BinOp::Ne,
        "<" => BinOp::Lt,
        "<=" => BinOp::Le,
        ">" => BinOp::Gt,
        ">=" => BinOp::Ge,
        "&" => BinOp::Concat,
        "and" => BinOp::And,
        "or" => BinOp::Or,
        "in" => BinOp::In,
        ".." => BinOp::Range,
        "??" => BinOp::Coalesce,
        "?:" => BinOp::Elvis,
        _ => return None,
    })
}

fn into_path(node: Node) -> Node {
    if matches!(node.kind, Kind::Path { .. }) {
        node
    } else {
        let pos = node.pos;
        Node::new(
            Kind::Path {
                steps: vec![node],
                keep_singleton: false,
            },
            pos,
        )
    }
}

fn last_step(node: &mut Node) -> Option<&mut Node> {
    match &mut node.kind {
        Kind::Path { steps, .. } => steps.last_mut(),
        _ => None,
    }
}

fn process(raw: RawNode, depth: &mut Depth) -> Result<Node> {
    depth.n += 1;
    if depth.n > MAX_PARSE_DEPTH * 2 {
        return Err(JsonataError::new("U1001", "Expression nesting is too deep").at(raw.pos));
    }
    depth.stack.check(raw.pos)?;
    let node = process_inner(raw, depth);
    depth.n -= 1;
    node
}

// Arms run in closures: unoptimised builds would otherwise give this recursive
// function one huge frame holding every arm's locals (see `stack.rs`).
#[allow(clippy::redundant_closure_call)]
fn process_inner(raw: RawNode, depth: &mut Depth) -> Result<Node> {
    let pos = raw.pos;
    let keep_array = raw.keep_array;
    let mut node = match raw.raw {
        Raw::Num(n) => Node::new(Kind::Num(n), pos),
        Raw::Str(s) => Node::new(Kind::Str(Arc::from(s)), pos),
        Raw::Bool(b) => Node::new(Kind::Bool(b), pos),
        Raw::Null => Node::new(Kind::Null, pos),
        Raw::Name(n) => (|| -> Result<Node> {
            Ok({
                let mut step = Node::new(Kind::Name(Arc::from(n)), pos);
                step.keep_array = keep_array;
                let mut path = into_path(step);
                if let (true, Kind::Path { keep_singleton, .. }) = (keep_array, &mut path.kind) {
                    *keep_singleton = true;
                }
                path
            })
        })()?,
        Raw::Var(v) => Node::new(Kind::Var(Arc::from(v)), pos),
        Raw::Regex(pattern, flags) => Node::new(
            Kind::Regex(Arc::new(
                crate::regexes::compile(&pattern, &flags).map_err(|e| e.at(pos))?,
            )),
            pos,
        ),
        Raw::Wildcard => Node::new(Kind::Wildcard, pos),
        Raw::Descendant => Node::new(Kind::Descendant, pos),
        Raw::Placeholder => Node::new(Kind::Placeholder, pos),
        Raw::End => return Err(JsonataError::new("S0207", "Unexpected end of expression").at(pos)),
        Raw::Neg(e) => (|| -> Result<Node> {
            Ok({
                let inner = process(*e, depth)?;
                if let Kind::Num(n) = inner.kind {
                    Node::new(Kind::Num(-n), pos)
                } else {
                    Node::new(Kind::Neg(Box::new(inner)), pos)
                }
            })
        })()?,
        Raw::Array(items) => (|| -> Result<Node> {
            Ok({
                let items = items
                    .into_iter()
                    .map(|i| process(i, depth))
                    .collect::<Result<Vec<_>>>()?;
                Node::new(Kind::ArrayCons(items), pos)
            })
        })()?,
        Raw::Object(pairs) => Node::new(Kind::ObjectCons(process_pairs(pairs, depth)?), pos),
        Raw::Block(items) => (|| -> Result<Node> {
            Ok({
                let items = items
                    .into_iter()
                    .map(|i| process(i, depth))
                    .collect::<Result<Vec<_>>>()?;
                Node::new(Kind::Block(items), pos)
            })
        })()?,
        Raw::Condition(c, t, e) => (|| -> Result<Node> {
            Ok({
                let c = process(*c, depth)?;
                let t = process(*t, depth)?;
                let e = match e {
                    Some(e) => Some(Box::new(process(*e, depth)?)),
                    None => None,
                };
                Node::new(Kind::Condition(Box::new(c), Box::new(t), e), pos)
            })
        })()?,
        Raw::Transform(p, u, d) => (|| -> Result<Node> {
            Ok({
                let pattern = process(*p, depth)?;
                let update = process(*u, depth)?;
                let delete = match d {
                    Some(d) => Some(process(*d, depth)?),
                    None => None,
                };
                Node::new(
                    Kind::Transform(Box::new(Transform {
                        pattern,
                        update,
                        delete,
                    })),
                    pos,
                )
            })
        })()?,
        Raw::Lambda(params, body, signature) => (|| -> Result<Node> {
            Ok({
                let body = process(*body, depth)?;
                Node::new(
                    Kind::Lambda(Box::new(LambdaDef {
                        params: params.into_iter().map(Arc::from).collect(),
                        body,
                        signature,
                    })),
                    pos,
                )
            })
        })()?,
        Raw::Call(proc, args, partial) => (|| -> Result<Node> {
            Ok({
                let proc = process(*proc, depth)?;
                let args = args
                    .into_iter()
                    .map(|a| process(a, depth))
                    .collect::<Result<Vec<_>>>()?;
                Node::new(
                    Kind::Call {
                        proc: Box::new(proc),
                        args,
                        partial,
                    },
                    pos,
                )
            })
        })()?,
        Raw::Predicate(lhs, rhs) => (|| -> Result<Node> {
            Ok({
                let mut result = process(*lhs, depth)?;
                let filter = process(*rhs, depth)?;
                let in_path = matches!(result.kind, Kind::Path { .. });
                let step = if in_path {
                    match last_step(&mut result) {
                        Some(s) => s,
                        None => return Err(JsonataError::new("S0201", "Syntax error").at(pos)),
                    }
                } else {
                    &mut result
                };
                if step.group.is_some() {
                    return Err(JsonataError::new(
                        "S0209",
                        "A predicate cannot follow a grouping expression in a step",
                    )
                    .at(pos));
                }
                if in_path {
                    step.stages.push(Stage::Filter(filter));
                } else {
                    step.predicate.push(Stage::Filter(filter));
                }
                result
            })
        })()?,
        Raw::Group(lhs, pairs) => (|| -> Result<Node> {
            Ok({
                let mut result = process(*lhs, depth)?;
                if result.group.is_some() {
                    return Err(JsonataError::new(
                        "S0210",
                        "Each step can only have one grouping expression",
                    )
                    .at(pos));
                }
                result.group = Some(process_pairs(pairs, depth)?);
                result
            })
        })()?,
        Raw::Sort(lhs, terms) => (|| -> Result<Node> {
            Ok({
                let mut result = into_path(process(*lhs, depth)?);
                let terms = terms
                    .into_iter()
                    .map(|(e, descending)| {
                        Ok(SortTerm {
                            expr: process(e, depth)?,
                            descending,
                        })
                    })
                    .collect::<Result<Vec<_>>>()?;
                if let Kind::Path { steps, .. } = &mut result.kind {
                    steps.push(Node::new(Kind::Sort(terms), pos));
                }
                result
            })
        })()?,
        Raw::Focus(lhs, name) => (|| -> Result<Node> {
            Ok({
                let mut result = process(*lhs, depth)?;
                let is_path = matches!(result.kind, Kind::Path { .. });
                let step = if is_path {
                    match last_step(&mut result) {
                        Some(s) => s,
                        None => return Err(JsonataError::new("S0201", "Syntax error").at(pos)),
                    }
                } else {
                    &mut result
                };
                if !step.stages.is_empty() || !step.predicate.is_empty() {
                    return Err(JsonataError::new(
                        "S0215",
                        "A context variable binding must precede any predicates on a step",
                    )
                    .at(pos));
                }
                if matches!(step.kind, Kind::Sort(_)) {
                    return Err(JsonataError::new(
                        "S0216",
                        "A context variable binding must precede the 'order-by' clause on a step",
                    )
                    .at(pos));
                }
                if keep_array {
                    step.keep_array = true;
                }
                step.focus = Some(Arc::from(name));
                step.tuple = true;
                result
            })
        })()?,
        Raw::Index(lhs, name) => (|| -> Result<Node> {
            Ok({
                let mut result = process(*lhs, depth)?;
                if !matches!(result.kind, Kind::Path { .. }) {
                    // a lone step: its predicates become stages
                    let predicate = std::mem::take(&mut result.predicate);
                    result.stages = predicate;
                    result = into_path(result);
                }
                if let Some(step) = last_step(&mut result) {
                    if step.stages.is_empty() {
                        step.index = Some(Arc::from(name));
                    } else {
                        step.stages.push(Stage::Index(Arc::from(name)));
                    }
                    step.tuple = true;
                    // `a#$i[]`: the keep-array marker belongs to the step
                    step.keep_array |= keep_array;
                }
                result
            })
        })()?,
        Raw::Binary(op, lhs, rhs) => process_binary(op, *lhs, *rhs, pos, depth)?,
    };
    if keep_array {
        node.keep_array = true;
    }
    Ok(node)
}

/// `a op b` (kept out of `process_inner` so that its locals stay off the recursion path).
fn process_binary(
    op: &'static str,
    lhs: RawNode,
    rhs: RawNode,
    pos: usize,
    depth: &mut Depth,
) -> Result<Node> {
    Ok(match op {
        "." => dot(lhs, rhs, pos, depth)?,
        ":=" => {
            let lhs = process(lhs, depth)?;
            let Kind::Var(name) = lhs.kind else {
                return Err(JsonataError::new(
                    "S0212",
                    "The left side of := must be a variable name (start with $)",
                )
                .at(pos));
            };
            let rhs = process(rhs, depth)?;
            Node::new(Kind::Bind(name, Box::new(rhs)), pos)
        }
        "~>" => {
            let lhs = process(lhs, depth)?;
            let rhs = process(rhs, depth)?;
            let keep = lhs.keep_array || rhs.keep_array;
            let mut n = Node::new(Kind::Apply(Box::new(lhs), Box::new(rhs)), pos);
            n.keep_array = keep;
            n
        }
        other => {
            let Some(bop) = binop(other) else {
                return Err(JsonataError::new(
                    "S0204",
                    format!("Unknown operator: {}", quoted(other)),
                )
                .at(pos));
            };
            let lhs = process(lhs, depth)?;
            let rhs = process(rhs, depth)?;
            Node::new(Kind::Binary(bop, Box::new(lhs), Box::new(rhs)), pos)
        }
    })
}

fn process_pairs(pairs: Vec<(RawNode, RawNode)>, depth: &mut Depth) -> Result<Vec<(Node, Node)>> {
    pairs
        .into_iter()
        .map(|(k, v)| Ok((process(k, depth)?, process(v, depth)?)))
        .collect()
}

fn dot(lhs: RawNode, rhs: RawNode, pos: usize, depth: &mut Depth) -> Result<Node> {
    let lstep = process(lhs, depth)?;
    let mut result = into_path(lstep);
    let rest = process(rhs, depth)?;
    let Kind::Path {
        steps,
        keep_singleton,
    } = &mut result.kind
    else {
        return Err(JsonataError::new("S0201", "Syntax error").at(pos));
    };
    match rest.kind {
        Kind::Path { steps: rsteps, .. } => steps.extend(rsteps),
        _ => {
            let mut rest = rest;
            rest.stages = std::mem::take(&mut rest.predicate);
            steps.push(rest);
        }
    }
    for step in steps.iter_mut() {
        match &step.kind {
            Kind::Num(n) => {
                return Err(JsonataError::new(
                    "S0213",
                    format!(
                        "The literal value {} cannot be used as a step within a path expression",
                        crate::numfmt::js_number_string(*n)
                    ),
                )
                .at(step.pos));
            }
            Kind::Bool(b) => {
                return Err(JsonataError::new(
                    "S0213",
                    format!(
                        "The literal value {b} cannot be used as a step within a path expression"
                    ),
                )
                .at(step.pos));
            }
            Kind::Null => {
                return Err(JsonataError::new(
                    "S0213",
                    "The literal value null cannot be used as a step within a path expression",
                )
                .at(step.pos));
            }
            Kind::Str(s) => {
                let s = s.clone();
                step.kind = Kind::Name(s);
            }
            _ => {}
        }
    }
    if steps.iter().any(|s| s.keep_array) {
        *keep_singleton = true;
    }
    let last = steps.len().saturating_sub(1);
    for (i, step) in steps.iter_mut().enumerate() {
        if (i == 0 || i == last) && matches!(step.kind, Kind::ArrayCons(_)) {
            step.cons_array = true;
        }
    }
    Ok(result)
}
