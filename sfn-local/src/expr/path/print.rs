//! Printing paths back as text: Jayway's canonical bracket form (`$['a'][0]`), which the
//! "No results for path" message quotes and which parses back to the same tree.

use std::fmt;

use sfn_json::Value;

use super::syntax::{CompareOp, Filter, Function, JsonPath, Operand, Root, Segment, Selector};

/// Jayway's canonical form, used in "No results for path: $['a'][0]".
impl fmt::Display for JsonPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.root {
            Root::Input => f.write_str("$")?,
            Root::Context => f.write_str("$$")?,
            Root::Variable(name) => write!(f, "${name}")?,
        }
        for segment in &self.segments {
            write!(f, "{segment}")?;
        }
        if let Some(function) = self.function {
            write!(f, ".{function}")?;
        }
        Ok(())
    }
}

impl fmt::Display for Function {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Function::Length => "length()",
            Function::Min => "min()",
            Function::Max => "max()",
            Function::Avg => "avg()",
            Function::Sum => "sum()",
        })
    }
}

impl fmt::Display for Segment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Segment::Child(s) => write!(f, "{s}"),
            Segment::Descendant(s) => write!(f, "..{s}"),
        }
    }
}

fn quote(name: &str) -> String {
    format!("'{}'", name.replace('\\', "\\\\").replace('\'', "\\'"))
}

impl fmt::Display for Selector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Selector::Name(n) => write!(f, "[{}]", quote(n)),
            Selector::Names(ns) => {
                let parts: Vec<String> = ns.iter().map(|n| quote(n)).collect();
                write!(f, "[{}]", parts.join(","))
            }
            Selector::Wildcard => f.write_str("[*]"),
            Selector::Index(i) => write!(f, "[{i}]"),
            Selector::Indexes(is) => {
                let parts: Vec<String> = is.iter().map(i64::to_string).collect();
                write!(f, "[{}]", parts.join(","))
            }
            Selector::Slice { start, end, step } => {
                let s = start.map(|v| v.to_string()).unwrap_or_default();
                let e = end.map(|v| v.to_string()).unwrap_or_default();
                match step {
                    Some(st) => write!(f, "[{s}:{e}:{st}]"),
                    None => write!(f, "[{s}:{e}]"),
                }
            }
            Selector::Filter(filter) => write!(f, "[?({filter})]"),
        }
    }
}

impl fmt::Display for Filter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Filter::Or(a, b) => write!(f, "({a} || {b})"),
            Filter::And(a, b) => write!(f, "({a} && {b})"),
            Filter::Not(a) => write!(f, "!({a})"),
            Filter::Exists(o) => write!(f, "{o}"),
            Filter::Compare(a, op, b) => write!(f, "{a} {op} {b}"),
        }
    }
}

impl fmt::Display for Operand {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (prefix, segments, function) = match self {
            Operand::Literal(Value::String(s)) => return f.write_str(&quote(s)),
            Operand::Literal(v) => return write!(f, "{v}"),
            Operand::Current(s, func) => ("@", s, func),
            Operand::Root(s, func) => ("$", s, func),
        };
        f.write_str(prefix)?;
        for segment in segments {
            write!(f, "{segment}")?;
        }
        if let Some(func) = function {
            write!(f, ".{func}")?;
        }
        Ok(())
    }
}

impl fmt::Display for CompareOp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            CompareOp::Eq => "==",
            CompareOp::Ne => "!=",
            CompareOp::Lt => "<",
            CompareOp::Le => "<=",
            CompareOp::Gt => ">",
            CompareOp::Ge => ">=",
            CompareOp::In => "in",
            CompareOp::Nin => "nin",
            CompareOp::Size => "size",
            CompareOp::Empty => "empty",
            CompareOp::SubsetOf => "subsetof",
            CompareOp::AnyOf => "anyof",
            CompareOp::NoneOf => "noneof",
            CompareOp::Contains => "contains",
        })
    }
}
