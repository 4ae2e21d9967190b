//! Tokenizer, following JSONata-js: `/` starts a regex only in operand position.

use crate::error::{JsonataError, Result, err};

#[derive(Debug, Clone, PartialEq)]
pub enum Tok {
    /// Operators and punctuation, including `and`, `or`, `in`.
    Op(&'static str),
    Str(String),
    Num(f64),
    /// `true`, `false`, `null`.
    Bool(bool),
    Null,
    Name(String),
    Var(String),
    Regex {
        pattern: String,
        flags: String,
    },
    End,
}

#[derive(Debug, Clone)]
pub struct Token {
    pub tok: Tok,
    pub pos: usize,
}

const OPERATORS: &[&str] = &[
    "..", ":=", "!=", ">=", "<=", "**", "~>", "?:", "??", ".", "[", "]", "{", "}", "(", ")", ",",
    "@", "#", ";", ":", "?", "+", "-", "*", "/", "%", "|", "=", "<", ">", "^", "&", "!", "~",
];

pub struct Lexer<'s> {
    src: &'s str,
    chars: Vec<(usize, char)>,
    i: usize,
}

impl<'s> Lexer<'s> {
    pub fn new(src: &'s str) -> Self {
        Lexer {
            src,
            chars: src.char_indices().collect(),
            i: 0,
        }
    }

    fn peek(&self, off: usize) -> Option<char> {
        self.chars.get(self.i + off).map(|&(_, c)| c)
    }

    fn byte_pos(&self) -> usize {
        self.chars
            .get(self.i)
            .map(|&(b, _)| b)
            .unwrap_or(self.src.len())
    }

    /// Next token; `infix` is true when an operand was just read (so `/` is division).
    pub fn next(&mut self, infix: bool) -> Result<Token> {
        // skip whitespace and comments
        loop {
            match self.peek(0) {
                Some(c) if c.is_whitespace() => self.i += 1,
                Some('/') if self.peek(1) == Some('*') => {
                    let start = self.i;
                    self.i += 2;
                    loop {
                        match (self.peek(0), self.peek(1)) {
                            (Some('*'), Some('/')) => {
                                self.i += 2;
                                break;
                            }
                            (Some(_), _) => self.i += 1,
                            (None, _) => {
                                return Err(JsonataError::new(
                                    "S0106",
                                    "Comment has no closing tag",
                                )
                                .at(start));
                            }
                        }
                    }
                }
                _ => break,
            }
        }
        let pos = self.byte_pos();
        let Some(c) = self.peek(0) else {
            return Ok(Token { tok: Tok::End, pos });
        };
        if c == '/' && !infix {
            return self.regex(pos);
        }
        if c == '"' || c == '\'' {
            return self.string(c, pos);
        }
        if c.is_ascii_digit() {
            return self.number(pos);
        }
        if c == '`' {
            self.i += 1;
            let start = self.i;
            while let Some(ch) = self.peek(0) {
                if ch == '`' {
                    let name: String = self.chars[start..self.i].iter().map(|&(_, c)| c).collect();
                    self.i += 1;
                    return Ok(Token {
                        tok: Tok::Name(name),
                        pos,
                    });
                }
                self.i += 1;
            }
            return Err(JsonataError::new(
                "S0105",
                "Quoted property name must be terminated with a backquote (`)",
            )
            .at(pos));
        }
        let rest = self.src.get(pos..).unwrap_or("");
        for op in OPERATORS {
            if rest.starts_with(op) {
                // `..` vs a number like `.5` is not JSONata syntax, so no ambiguity.
                self.i += op.chars().count();
                return Ok(Token {
                    tok: Tok::Op(op),
                    pos,
                });
            }
        }
        if c == '$' {
            self.i += 1;
            if self.peek(0) == Some('$') {
                self.i += 1;
                return Ok(Token {
                    tok: Tok::Var("$".into()),
                    pos,
                });
            }
            let name = self.name_chars();
            return Ok(Token {
                tok: Tok::Var(name),
                pos,
            });
        }
        let name = self.name_chars();
        if name.is_empty() {
            return Err(JsonataError::new(
                "S0204",
                format!("Unknown operator: {}", crate::error::quoted(&c.to_string())),
            )
            .at(pos));
        }
        let tok = match name.as_str() {
            "and" => Tok::Op("and"),
            "or" => Tok::Op("or"),
            "in" => Tok::Op("in"),
            "true" => Tok::Bool(true),
            "false" => Tok::Bool(false),
            "null" => Tok::Null,
            _ => Tok::Name(name),
        };
        Ok(Token { tok, pos })
    }

    fn name_chars(&mut self) -> String {
        let mut name = String::new();
        while let Some(c) = self.peek(0) {
            if c.is_whitespace() || "[]{}()|.,@#;:?+-*/%=<>^&!~\"'`$".contains(c) {
                break;
            }
            name.push(c);
            self.i += 1;
        }
        name
    }

    fn string(&mut self, quote: char, pos: usize) -> Result<Token> {
        self.i += 1;
        let mut s = String::new();
        while let Some(c) = self.peek(0) {
            self.i += 1;
            if c == quote {
                return Ok(Token {
                    tok: Tok::Str(s),
                    pos,
                });
            }
            if c != '\\' {
                s.push(c);
                continue;
            }
            let Some(e) = self.peek(0) else { break };
            self.i += 1;
            match e {
                '"' | '\\' | '/' | '\'' => s.push(e),
                'b' => s.push('\u{8}'),
                'f' => s.push('\u{c}'),
                'n' => s.push('\n'),
                'r' => s.push('\r'),
                't' => s.push('\t'),
                'u' => {
                    let code = self.hex4()?;
                    // surrogate pairs written as two escapes
                    if (0xD800..0xDC00).contains(&code)
                        && self.peek(0) == Some('\\')
                        && self.peek(1) == Some('u')
                    {
                        self.i += 2;
                        let low = self.hex4()?;
                        let combined =
                            0x10000 + ((code - 0xD800) << 10) + (low.wrapping_sub(0xDC00) & 0x3FF);
                        s.push(char::from_u32(combined).unwrap_or('\u{FFFD}'));
                    } else {
                        s.push(char::from_u32(code).unwrap_or('\u{FFFD}'));
                    }
                }
                other => {
                    return Err(JsonataError::new(
                        "S0103",
                        format!("Unsupported escape sequence: \\{other}"),
                    )
                    .at(pos));
                }
            }
        }
        err(
            "S0101",
            "String literal must be terminated by a matching quote",
        )
        .map_err(|e: JsonataError| e.at(pos))
    }

    fn hex4(&mut self) -> Result<u32> {
        let digits: String = (0..4).filter_map(|k| self.peek(k)).collect();
        if digits.len() == 4 && digits.chars().all(|c| c.is_ascii_hexdigit()) {
            self.i += 4;
            u32::from_str_radix(&digits, 16).map_err(|_| {
                JsonataError::new(
                    "S0104",
                    "The escape sequence \\u must be followed by 4 hex digits",
                )
            })
        } else {
            err(
                "S0104",
                "The escape sequence \\u must be followed by 4 hex digits",
            )
        }
    }

    fn number(&mut self, pos: usize) -> Result<Token> {
        let start = self.i;
        let digits = |lx: &mut Self| {
            while lx.peek(0).is_some_and(|c| c.is_ascii_digit()) {
                lx.i += 1;
            }
        };
        digits(self);
        if self.peek(0) == Some('.') && self.peek(1).is_some_and(|c| c.is_ascii_digit()) {
            self.i += 1;
            digits(self);
        }
        if matches!(self.peek(0), Some('e' | 'E')) {
            let save = self.i;
            self.i += 1;
            if matches!(self.peek(0), Some('+' | '-')) {
                self.i += 1;
            }
            if self.peek(0).is_some_and(|c| c.is_ascii_digit()) {
                digits(self);
            } else {
                self.i = save;
            }
        }
        let text: String = self.chars[start..self.i].iter().map(|&(_, c)| c).collect();
        match text.parse::<f64>() {
            Ok(n) if n.is_finite() => Ok(Token {
                tok: Tok::Num(n),
                pos,
            }),
            _ => Err(JsonataError::new(
                "S0102",
                format!("Number out of range: {}", crate::error::quoted(&text)),
            )
            .at(pos)),
        }
    }

    fn regex(&mut self, pos: usize) -> Result<Token> {
        self.i += 1;
        let start = self.i;
        let mut depth = 0i32;
        while let Some(c) = self.peek(0) {
            if c == '/' && depth == 0 && !self.escaped() {
                let pattern: String = self.chars[start..self.i].iter().map(|&(_, c)| c).collect();
                if pattern.is_empty() {
                    return Err(JsonataError::new(
                        "S0301",
                        "Empty regular expressions are not allowed",
                    )
                    .at(pos));
                }
                self.i += 1;
                let mut flags = String::new();
                while let Some(f) = self.peek(0) {
                    if f == 'i' || f == 'm' {
                        flags.push(f);
                        self.i += 1;
                    } else {
                        break;
                    }
                }
                return Ok(Token {
                    tok: Tok::Regex { pattern, flags },
                    pos,
                });
            }
            if c == '[' || c == '(' || c == '{' {
                if !self.escaped() {
                    depth += 1;
                }
            } else if (c == ']' || c == ')' || c == '}') && !self.escaped() {
                depth -= 1;
            }
            self.i += 1;
        }
        Err(JsonataError::new("S0302", "No terminating / in regular expression").at(pos))
    }

    fn peek_back(&self, off: usize) -> Option<char> {
        self.i
            .checked_sub(off)
            .and_then(|k| self.chars.get(k))
            .map(|&(_, c)| c)
    }

    /// True when the current char is preceded by an odd number of backslashes.
    fn escaped(&self) -> bool {
        let mut n = 0;
        while self.peek_back(n + 1) == Some('\\') {
            n += 1;
        }
        n % 2 == 1
    }

    /// Raw text of a lambda signature after its opening `<`, up to the matching `>`.
    pub fn raw_signature(&mut self) -> Result<String> {
        let mut depth = 1;
        let mut text = String::new();
        while let Some(c) = self.peek(0) {
            self.i += 1;
            text.push(c);
            if c == '<' {
                depth += 1;
            } else if c == '>' {
                depth -= 1;
                if depth == 0 {
                    return Ok(text);
                }
            }
        }
        err("S0203", "Expected \">\" before end of expression")
    }
}
