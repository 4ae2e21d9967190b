//! Parser for intrinsic function calls: `States.Name(arg, ...)`, where an argument is a string
//! literal (`'...'` with `\'` `\{` `\}` `\\` escapes), a number, `true`/`false`/`null`, a path
//! (`$.x`, `$$.x`, `$var`) or a nested call.

use std::fmt;

use sfn_json::Value;

use crate::expr::path::{self, JsonPath};

/// AWS allows 10 nested calls; the parser stops a little later so the message is AWS's.
const MAX_NESTING: usize = 10;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Function {
    Format,
    StringToJson,
    JsonToString,
    Array,
    ArrayPartition,
    ArrayContains,
    ArrayRange,
    ArrayGetItem,
    ArrayLength,
    ArrayUnique,
    Base64Encode,
    Base64Decode,
    Hash,
    JsonMerge,
    MathRandom,
    MathAdd,
    StringSplit,
    Uuid,
}

impl Function {
    const ALL: [Function; 18] = [
        Function::Format,
        Function::StringToJson,
        Function::JsonToString,
        Function::Array,
        Function::ArrayPartition,
        Function::ArrayContains,
        Function::ArrayRange,
        Function::ArrayGetItem,
        Function::ArrayLength,
        Function::ArrayUnique,
        Function::Base64Encode,
        Function::Base64Decode,
        Function::Hash,
        Function::JsonMerge,
        Function::MathRandom,
        Function::MathAdd,
        Function::StringSplit,
        Function::Uuid,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Function::Format => "States.Format",
            Function::StringToJson => "States.StringToJson",
            Function::JsonToString => "States.JsonToString",
            Function::Array => "States.Array",
            Function::ArrayPartition => "States.ArrayPartition",
            Function::ArrayContains => "States.ArrayContains",
            Function::ArrayRange => "States.ArrayRange",
            Function::ArrayGetItem => "States.ArrayGetItem",
            Function::ArrayLength => "States.ArrayLength",
            Function::ArrayUnique => "States.ArrayUnique",
            Function::Base64Encode => "States.Base64Encode",
            Function::Base64Decode => "States.Base64Decode",
            Function::Hash => "States.Hash",
            Function::JsonMerge => "States.JsonMerge",
            Function::MathRandom => "States.MathRandom",
            Function::MathAdd => "States.MathAdd",
            Function::StringSplit => "States.StringSplit",
            Function::Uuid => "States.UUID",
        }
    }

    fn from_name(name: &str) -> Option<Function> {
        Self::ALL.into_iter().find(|f| f.name() == name)
    }

    /// How many arguments the function takes (inclusive bounds).
    pub fn arity(self) -> (usize, usize) {
        match self {
            Function::Format => (1, usize::MAX),
            Function::Array => (0, usize::MAX),
            Function::Uuid => (0, 0),
            Function::StringToJson
            | Function::JsonToString
            | Function::ArrayLength
            | Function::ArrayUnique
            | Function::Base64Encode
            | Function::Base64Decode => (1, 1),
            Function::ArrayPartition
            | Function::ArrayContains
            | Function::ArrayGetItem
            | Function::Hash
            | Function::MathAdd
            | Function::StringSplit => (2, 2),
            Function::ArrayRange | Function::JsonMerge => (3, 3),
            Function::MathRandom => (2, 3),
        }
    }
}

/// A piece of a string literal: text, or an unescaped `{}` placeholder (for States.Format).
#[derive(Debug, Clone, PartialEq)]
pub enum Piece {
    Text(String),
    Hole,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Arg {
    Literal(Value),
    Text(Vec<Piece>),
    Path { text: String, path: JsonPath },
    Call(Call),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Call {
    pub function: Function,
    pub args: Vec<Arg>,
}

/// The string value of a literal's pieces (placeholders read as `{}`).
pub fn text_value(pieces: &[Piece]) -> String {
    pieces
        .iter()
        .map(|p| match p {
            Piece::Text(t) => t.as_str(),
            Piece::Hole => "{}",
        })
        .collect()
}

pub fn parse(text: &str) -> Result<Call, String> {
    let mut p = Parser {
        chars: text.chars().collect(),
        pos: 0,
    };
    p.skip_ws();
    let call = p.call(0)?;
    p.skip_ws();
    if p.pos < p.chars.len() {
        return Err(format!(
            "unexpected text after the closing parenthesis: '{}'",
            p.rest()
        ));
    }
    Ok(call)
}

struct Parser {
    chars: Vec<char>,
    pos: usize,
}

impl Parser {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    fn rest(&self) -> String {
        self.chars
            .get(self.pos..)
            .unwrap_or_default()
            .iter()
            .collect()
    }

    fn skip_ws(&mut self) {
        while self.peek().is_some_and(char::is_whitespace) {
            self.pos += 1;
        }
    }

    fn starts_with(&self, s: &str) -> bool {
        s.chars()
            .enumerate()
            .all(|(i, c)| self.chars.get(self.pos + i) == Some(&c))
    }

    fn call(&mut self, depth: usize) -> Result<Call, String> {
        if depth > MAX_NESTING {
            return Err(format!(
                "more than {MAX_NESTING} nested intrinsic functions"
            ));
        }
        let start = self.pos;
        while self
            .peek()
            .is_some_and(|c| c.is_ascii_alphanumeric() || c == '.')
        {
            self.pos += 1;
        }
        let name: String = self.chars[start..self.pos].iter().collect();
        let function = Function::from_name(&name)
            .ok_or_else(|| format!("unknown intrinsic function '{name}'"))?;
        self.skip_ws();
        if self.peek() != Some('(') {
            return Err(format!("expected '(' after {name}"));
        }
        self.pos += 1;
        let mut args = Vec::new();
        self.skip_ws();
        if self.peek() == Some(')') {
            self.pos += 1;
        } else {
            loop {
                self.skip_ws();
                args.push(self.arg(depth)?);
                self.skip_ws();
                match self.peek() {
                    Some(',') => self.pos += 1,
                    Some(')') => {
                        self.pos += 1;
                        break;
                    }
                    Some(c) => return Err(format!("expected ',' or ')' but found '{c}'")),
                    None => return Err(format!("missing ')' to close {name}")),
                }
            }
        }
        let (min, max) = function.arity();
        if args.len() < min || args.len() > max {
            return Err(format!(
                "{name} takes {} but was given {}",
                describe_arity(min, max),
                args.len()
            ));
        }
        Ok(Call { function, args })
    }

    fn arg(&mut self, depth: usize) -> Result<Arg, String> {
        match self.peek() {
            Some('\'') => self.string().map(Arg::Text),
            Some('$') => self.path(),
            Some(c) if c == '-' || c.is_ascii_digit() => self.number(),
            Some(_) if self.starts_with("States.") => self.call(depth + 1).map(Arg::Call),
            Some(_) => {
                for (word, value) in [
                    ("true", Value::Bool(true)),
                    ("false", Value::Bool(false)),
                    ("null", Value::Null),
                ] {
                    if self.starts_with(word) {
                        self.pos += word.len();
                        return Ok(Arg::Literal(value));
                    }
                }
                Err(format!("invalid argument '{}'", self.rest()))
            }
            None => Err("missing argument".into()),
        }
    }

    fn string(&mut self) -> Result<Vec<Piece>, String> {
        self.pos += 1; // opening quote
        let mut pieces = Vec::new();
        let mut text = String::new();
        loop {
            let Some(c) = self.peek() else {
                return Err("unterminated string literal".into());
            };
            self.pos += 1;
            match c {
                '\'' => break,
                '\\' => match self.peek() {
                    Some(escaped) => {
                        self.pos += 1;
                        unescape(escaped, &mut text);
                    }
                    None => text.push('\\'),
                },
                '{' if self.peek() == Some('}') => {
                    self.pos += 1;
                    if !text.is_empty() {
                        pieces.push(Piece::Text(std::mem::take(&mut text)));
                    }
                    pieces.push(Piece::Hole);
                }
                other => text.push(other),
            }
        }
        if !text.is_empty() || pieces.is_empty() {
            pieces.push(Piece::Text(text));
        }
        Ok(pieces)
    }

    /// A path argument runs to the next top-level `,` or `)`; quotes and brackets may hold either.
    fn path(&mut self) -> Result<Arg, String> {
        let start = self.pos;
        let mut depth = 0usize;
        let mut quote: Option<char> = None;
        while let Some(c) = self.peek() {
            match quote {
                Some(q) => {
                    if c == '\\' {
                        self.pos += 1;
                    } else if c == q {
                        quote = None;
                    }
                }
                None => match c {
                    '\'' | '"' => quote = Some(c),
                    '[' | '(' => depth += 1,
                    ']' | ')' if depth > 0 => depth -= 1,
                    ',' | ')' => break,
                    _ => {}
                },
            }
            self.pos += 1;
        }
        let end = self.pos.min(self.chars.len());
        let text: String = self.chars[start..end]
            .iter()
            .collect::<String>()
            .trim_end()
            .to_string();
        let parsed = path::parse(&text).map_err(|e| format!("invalid path '{text}': {e}"))?;
        Ok(Arg::Path { text, path: parsed })
    }

    fn number(&mut self) -> Result<Arg, String> {
        path::scan_number(&self.chars, &mut self.pos).map(|n| Arg::Literal(Value::Number(n)))
    }
}

/// A backslash escape in a string literal: the reserved characters `'` `{` `}` `\\` and `"`
/// stand for themselves, `\n` `\t` `\r` for control characters, any other letter for itself;
/// anything else keeps its backslash.
fn unescape(escaped: char, text: &mut String) {
    match escaped {
        '\'' | '{' | '}' | '\\' | '"' => text.push(escaped),
        'n' => text.push('\n'),
        't' => text.push('\t'),
        'r' => text.push('\r'),
        c if c.is_alphabetic() => text.push(c),
        c => {
            text.push('\\');
            text.push(c);
        }
    }
}

fn describe_arity(min: usize, max: usize) -> String {
    match (min, max) {
        (0, 0) => "no arguments".into(),
        (1, 1) => "1 argument".into(),
        (a, b) if a == b => format!("{a} arguments"),
        (a, usize::MAX) => format!("at least {a} argument{}", if a == 1 { "" } else { "s" }),
        (a, b) => format!("{a} to {b} arguments"),
    }
}

fn escape(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        if matches!(c, '\'' | '{' | '}' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Prints a call back in source form (parse ∘ print is the identity on the tree).
impl fmt::Display for Call {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}(", self.function.name())?;
        for (i, arg) in self.args.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            match arg {
                Arg::Literal(v) => write!(f, "{v}")?,
                Arg::Text(pieces) => {
                    f.write_str("'")?;
                    for piece in pieces {
                        match piece {
                            Piece::Text(t) => f.write_str(&escape(t))?,
                            Piece::Hole => f.write_str("{}")?,
                        }
                    }
                    f.write_str("'")?;
                }
                Arg::Path { text, .. } => f.write_str(text)?,
                Arg::Call(call) => write!(f, "{call}")?,
            }
        }
        f.write_str(")")
    }
}
