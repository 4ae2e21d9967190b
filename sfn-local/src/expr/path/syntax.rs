//! The JSONPath syntax tree and its parser (Jayway dialect, as Step Functions runs it).

use sfn_json::Value;

/// Deepest nesting of filters/parentheses the parser accepts: keeps recursion bounded.
const MAX_DEPTH: usize = 32;

/// What `$` refers to.
#[derive(Debug, Clone, PartialEq)]
pub enum Root {
    /// `$`: the state input.
    Input,
    /// `$$`: the context object.
    Context,
    /// `$name`: a workflow variable.
    Variable(String),
}

#[derive(Debug, Clone, PartialEq)]
pub struct JsonPath {
    pub root: Root,
    pub segments: Vec<Segment>,
    /// A trailing Jayway function such as `.length()`.
    pub function: Option<Function>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Segment {
    /// `.x`, `[..]`
    Child(Selector),
    /// `..x`, `..[..]`
    Descendant(Selector),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Selector {
    Name(String),
    /// `['a','b']`
    Names(Vec<String>),
    Wildcard,
    Index(i64),
    /// `[0,2]`
    Indexes(Vec<i64>),
    Slice {
        start: Option<i64>,
        end: Option<i64>,
        step: Option<i64>,
    },
    Filter(Box<Filter>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Function {
    Length,
    Min,
    Max,
    Avg,
    Sum,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Filter {
    Or(Box<Filter>, Box<Filter>),
    And(Box<Filter>, Box<Filter>),
    Not(Box<Filter>),
    /// A bare operand: true when the path exists (or the literal is truthy).
    Exists(Operand),
    Compare(Operand, CompareOp, Operand),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Operand {
    /// `@...`: relative to the element under test.
    Current(Vec<Segment>, Option<Function>),
    /// `$...`: relative to the document root.
    Root(Vec<Segment>, Option<Function>),
    Literal(Value),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompareOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    In,
    Nin,
    Size,
    Empty,
    SubsetOf,
    AnyOf,
    NoneOf,
    Contains,
}

impl JsonPath {
    /// A definite path names at most one node: only names and single indexes (plus, as Jayway
    /// has it, a final multi-name selector, which merges the names into one object).
    pub fn is_definite(&self) -> bool {
        is_definite(&self.segments)
    }
}

pub fn is_definite(segments: &[Segment]) -> bool {
    let last = segments.len().saturating_sub(1);
    segments.iter().enumerate().all(|(i, s)| match s {
        Segment::Child(Selector::Name(_) | Selector::Index(_)) => true,
        Segment::Child(Selector::Names(_)) => i == last,
        _ => false,
    })
}

/// Parse a path; the error is a short reason for a message.
pub fn parse(text: &str) -> Result<JsonPath, String> {
    let mut p = Parser::new(text);
    let path = p.path()?;
    if !p.at_end() {
        return Err(format!("unexpected '{}' at position {}", p.rest(), p.pos));
    }
    Ok(path)
}

struct Parser {
    chars: Vec<char>,
    pos: usize,
    depth: usize,
}

fn is_var_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

impl Parser {
    fn new(text: &str) -> Self {
        Self {
            chars: text.chars().collect(),
            pos: 0,
            depth: 0,
        }
    }

    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    fn peek_at(&self, offset: usize) -> Option<char> {
        self.chars.get(self.pos + offset).copied()
    }

    fn at_end(&self) -> bool {
        self.pos >= self.chars.len()
    }

    fn rest(&self) -> String {
        self.chars
            .get(self.pos..)
            .unwrap_or_default()
            .iter()
            .collect()
    }

    fn eat(&mut self, c: char) -> bool {
        if self.peek() == Some(c) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn expect(&mut self, c: char) -> Result<(), String> {
        if self.eat(c) {
            Ok(())
        } else {
            Err(match self.peek() {
                Some(found) => format!(
                    "expected '{c}' but found '{found}' at position {}",
                    self.pos
                ),
                None => format!("expected '{c}' but the path ended"),
            })
        }
    }

    fn skip_ws(&mut self) {
        while self.peek().is_some_and(char::is_whitespace) {
            self.pos += 1;
        }
    }

    fn path(&mut self) -> Result<JsonPath, String> {
        self.expect('$')?;
        let root = if self.eat('$') {
            Root::Context
        } else if self.peek().is_some_and(is_var_char) {
            let start = self.pos;
            while self.peek().is_some_and(is_var_char) {
                self.pos += 1;
            }
            Root::Variable(self.chars[start..self.pos].iter().collect())
        } else {
            Root::Input
        };
        let (segments, function) = self.segments(false)?;
        Ok(JsonPath {
            root,
            segments,
            function,
        })
    }

    /// Segments until the end (top level) or until something that is not a segment (in filters).
    fn segments(&mut self, in_filter: bool) -> Result<(Vec<Segment>, Option<Function>), String> {
        let mut segments = Vec::new();
        loop {
            match self.peek() {
                Some('.') if self.peek_at(1) == Some('.') => {
                    self.pos += 2;
                    let selector = match self.peek() {
                        Some('[') => self.bracket()?,
                        Some('*') => {
                            self.pos += 1;
                            Selector::Wildcard
                        }
                        _ => Selector::Name(self.name(in_filter)?),
                    };
                    segments.push(Segment::Descendant(selector));
                }
                Some('.') => {
                    self.pos += 1;
                    if self.eat('*') {
                        segments.push(Segment::Child(Selector::Wildcard));
                        continue;
                    }
                    if self.peek() == Some('[') {
                        // `$.['a']` is accepted by Jayway as `$['a']`.
                        let selector = self.bracket()?;
                        segments.push(Segment::Child(selector));
                        continue;
                    }
                    let name = self.name(in_filter)?;
                    if self.peek() == Some('(') {
                        let function = self.function(&name)?;
                        return Ok((segments, Some(function)));
                    }
                    segments.push(Segment::Child(Selector::Name(name)));
                }
                Some('[') => {
                    let selector = self.bracket()?;
                    segments.push(Segment::Child(selector));
                }
                _ => return Ok((segments, None)),
            }
        }
    }

    fn function(&mut self, name: &str) -> Result<Function, String> {
        self.expect('(')?;
        self.skip_ws();
        self.expect(')')?;
        let function = match name {
            "length" | "size" => Function::Length,
            "min" => Function::Min,
            "max" => Function::Max,
            "avg" => Function::Avg,
            "sum" => Function::Sum,
            other => return Err(format!("unknown function '{other}()'")),
        };
        Ok(function)
    }

    /// A dot-notation member name: everything up to the next `.` or `[` (and, inside filters,
    /// up to whitespace, `)` or an operator).
    fn name(&mut self, in_filter: bool) -> Result<String, String> {
        let start = self.pos;
        while let Some(c) = self.peek() {
            let stop = c == '.'
                || c == '['
                || c == '('
                || (in_filter
                    && (c.is_whitespace()
                        || matches!(c, ')' | '=' | '!' | '<' | '>' | '&' | '|' | ',' | ']')));
            if stop {
                break;
            }
            self.pos += 1;
        }
        if self.pos == start {
            return Err(format!("expected a property name at position {start}"));
        }
        Ok(self.chars[start..self.pos].iter().collect())
    }

    fn bracket(&mut self) -> Result<Selector, String> {
        self.expect('[')?;
        self.skip_ws();
        let selector = match self.peek() {
            Some('*') => {
                self.pos += 1;
                Selector::Wildcard
            }
            Some('\'') | Some('"') => {
                let mut names = vec![self.quoted()?];
                self.skip_ws();
                while self.eat(',') {
                    self.skip_ws();
                    names.push(self.quoted()?);
                    self.skip_ws();
                }
                if names.len() == 1 {
                    Selector::Name(names.remove(0))
                } else {
                    Selector::Names(names)
                }
            }
            Some('?') => {
                self.pos += 1;
                self.skip_ws();
                self.expect('(')?;
                let filter = self.nested(|p| p.filter_or())?;
                self.skip_ws();
                self.expect(')')?;
                Selector::Filter(Box::new(filter))
            }
            _ => self.indexes_or_slice()?,
        };
        self.skip_ws();
        self.expect(']')?;
        Ok(selector)
    }

    fn indexes_or_slice(&mut self) -> Result<Selector, String> {
        let first = self.opt_int()?;
        self.skip_ws();
        if self.peek() == Some(':') {
            self.pos += 1;
            self.skip_ws();
            let end = self.opt_int()?;
            self.skip_ws();
            let step = if self.eat(':') {
                self.skip_ws();
                self.opt_int()?
            } else {
                None
            };
            if step == Some(0) {
                return Err("slice step cannot be 0".into());
            }
            return Ok(Selector::Slice {
                start: first,
                end,
                step,
            });
        }
        let first = first.ok_or_else(|| format!("expected an index at position {}", self.pos))?;
        let mut indexes = vec![first];
        while self.eat(',') {
            self.skip_ws();
            let next = self
                .opt_int()?
                .ok_or_else(|| format!("expected an index at position {}", self.pos))?;
            indexes.push(next);
            self.skip_ws();
        }
        Ok(if indexes.len() == 1 {
            Selector::Index(first)
        } else {
            Selector::Indexes(indexes)
        })
    }

    fn opt_int(&mut self) -> Result<Option<i64>, String> {
        let start = self.pos;
        if self.peek() == Some('-') {
            self.pos += 1;
        }
        while self.peek().is_some_and(|c| c.is_ascii_digit()) {
            self.pos += 1;
        }
        let text: String = self.chars[start..self.pos].iter().collect();
        if text.is_empty() {
            return Ok(None);
        }
        text.parse::<i64>()
            .map(Some)
            .map_err(|_| format!("invalid index '{text}'"))
    }

    fn quoted(&mut self) -> Result<String, String> {
        let quote = self
            .peek()
            .filter(|c| *c == '\'' || *c == '"')
            .ok_or_else(|| format!("expected a quoted name at position {}", self.pos))?;
        self.pos += 1;
        let mut out = String::new();
        loop {
            match self.peek() {
                None => return Err("unterminated quoted name".into()),
                Some('\\') => {
                    self.pos += 1;
                    match self.peek() {
                        Some(c) => {
                            out.push(c);
                            self.pos += 1;
                        }
                        None => return Err("unterminated quoted name".into()),
                    }
                }
                Some(c) if c == quote => {
                    self.pos += 1;
                    return Ok(out);
                }
                Some(c) => {
                    out.push(c);
                    self.pos += 1;
                }
            }
        }
    }

    fn nested<T>(&mut self, f: impl FnOnce(&mut Self) -> Result<T, String>) -> Result<T, String> {
        if self.depth >= MAX_DEPTH {
            return Err("expression nested too deeply".into());
        }
        self.depth += 1;
        let result = f(self);
        self.depth -= 1;
        result
    }

    fn filter_or(&mut self) -> Result<Filter, String> {
        let mut left = self.filter_and()?;
        loop {
            self.skip_ws();
            if self.peek() == Some('|') && self.peek_at(1) == Some('|') {
                self.pos += 2;
                let right = self.filter_and()?;
                left = Filter::Or(Box::new(left), Box::new(right));
            } else {
                return Ok(left);
            }
        }
    }

    fn filter_and(&mut self) -> Result<Filter, String> {
        let mut left = self.filter_unary()?;
        loop {
            self.skip_ws();
            if self.peek() == Some('&') && self.peek_at(1) == Some('&') {
                self.pos += 2;
                let right = self.filter_unary()?;
                left = Filter::And(Box::new(left), Box::new(right));
            } else {
                return Ok(left);
            }
        }
    }

    fn filter_unary(&mut self) -> Result<Filter, String> {
        self.skip_ws();
        if self.peek() == Some('!') && self.peek_at(1) != Some('=') {
            self.pos += 1;
            let inner = self.nested(|p| p.filter_unary())?;
            return Ok(Filter::Not(Box::new(inner)));
        }
        if self.peek() == Some('(') {
            self.pos += 1;
            let inner = self.nested(|p| p.filter_or())?;
            self.skip_ws();
            self.expect(')')?;
            return Ok(inner);
        }
        let left = self.operand()?;
        self.skip_ws();
        let Some(op) = self.compare_op() else {
            return Ok(Filter::Exists(left));
        };
        self.skip_ws();
        let right = self.operand()?;
        Ok(Filter::Compare(left, op, right))
    }

    fn compare_op(&mut self) -> Option<CompareOp> {
        let two: String = self.chars.iter().skip(self.pos).take(2).collect();
        let (op, len) = match two.as_str() {
            "==" => (CompareOp::Eq, 2),
            "!=" => (CompareOp::Ne, 2),
            "<=" => (CompareOp::Le, 2),
            ">=" => (CompareOp::Ge, 2),
            _ => match self.peek()? {
                '<' => (CompareOp::Lt, 1),
                '>' => (CompareOp::Gt, 1),
                _ => return self.word_op(),
            },
        };
        self.pos += len;
        Some(op)
    }

    fn word_op(&mut self) -> Option<CompareOp> {
        let start = self.pos;
        let mut end = start;
        while self.chars.get(end).is_some_and(|c| c.is_ascii_alphabetic()) {
            end += 1;
        }
        let word: String = self.chars[start..end].iter().collect();
        let op = match word.as_str() {
            "in" => CompareOp::In,
            "nin" => CompareOp::Nin,
            "size" => CompareOp::Size,
            "empty" => CompareOp::Empty,
            "subsetof" => CompareOp::SubsetOf,
            "anyof" => CompareOp::AnyOf,
            "noneof" => CompareOp::NoneOf,
            "contains" => CompareOp::Contains,
            _ => return None,
        };
        self.pos = end;
        Some(op)
    }

    fn operand(&mut self) -> Result<Operand, String> {
        self.skip_ws();
        match self.peek() {
            Some('@') => {
                self.pos += 1;
                let (segments, function) = self.segments(true)?;
                Ok(Operand::Current(segments, function))
            }
            Some('$') => {
                self.pos += 1;
                let (segments, function) = self.segments(true)?;
                Ok(Operand::Root(segments, function))
            }
            Some('\'') | Some('"') => Ok(Operand::Literal(Value::String(self.quoted()?))),
            Some('[') => self.nested(|p| p.literal_array()),
            Some(c) if c == '-' || c.is_ascii_digit() => self.number().map(Operand::Literal),
            Some(_) => {
                let start = self.pos;
                while self.peek().is_some_and(|c| c.is_ascii_alphabetic()) {
                    self.pos += 1;
                }
                let word: String = self.chars[start..self.pos].iter().collect();
                match word.as_str() {
                    "true" => Ok(Operand::Literal(Value::Bool(true))),
                    "false" => Ok(Operand::Literal(Value::Bool(false))),
                    "null" => Ok(Operand::Literal(Value::Null)),
                    _ => Err(format!("unexpected '{}' in filter", self.rest())),
                }
            }
            None => Err("filter ended early".into()),
        }
    }

    fn literal_array(&mut self) -> Result<Operand, String> {
        self.expect('[')?;
        let mut items = Vec::new();
        self.skip_ws();
        if !self.eat(']') {
            loop {
                match self.operand()? {
                    Operand::Literal(v) => items.push(v),
                    _ => return Err("only literals are allowed in a filter list".into()),
                }
                self.skip_ws();
                if self.eat(']') {
                    break;
                }
                self.expect(',')?;
            }
        }
        Ok(Operand::Literal(Value::Array(items)))
    }

    fn number(&mut self) -> Result<Value, String> {
        scan_number(&self.chars, &mut self.pos).map(Value::Number)
    }
}

/// A JSON number literal at `*pos` (optional `-`, digits, `.`, exponent), as paths' filter
/// literals and intrinsic arguments write them; `*pos` ends just past it.
pub(crate) fn scan_number(chars: &[char], pos: &mut usize) -> Result<sfn_json::Number, String> {
    let start = *pos;
    if chars.get(*pos) == Some(&'-') {
        *pos += 1;
    }
    while chars
        .get(*pos)
        .is_some_and(|c| c.is_ascii_digit() || matches!(c, '.' | 'e' | 'E' | '+'))
    {
        *pos += 1;
    }
    let text: String = chars[start..*pos].iter().collect();
    serde_json::from_str::<sfn_json::Number>(&text).map_err(|_| format!("invalid number '{text}'"))
}
