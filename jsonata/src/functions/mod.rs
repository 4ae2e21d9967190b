//! The JSONata function library (`$string`, `$map`, …) and AWS's additions.

mod arrays;
mod datetime;
mod hof;
mod numbers;
mod objects;
pub mod picture;
mod strings;

use crate::error::{JsonataError, Result};
use crate::eval::Evaluator;
use crate::value::Val;

pub type Imp = for<'a> fn(&Evaluator<'a>, Vec<Val<'a>>, &Val<'a>) -> Result<Val<'a>>;

/// A built-in function: JSONata-js signature (validated before the call) and implementation.
pub struct Builtin {
    pub name: &'static str,
    pub signature: &'static str,
    /// Parameters JSONata-js's implementation declares (what `$map` & co. pass).
    pub arity: usize,
    pub imp: Imp,
}

const fn b(name: &'static str, signature: &'static str, arity: usize, imp: Imp) -> Builtin {
    Builtin {
        name,
        signature,
        arity,
        imp,
    }
}

/// `f ~> g` for two functions: a function of one argument `x` computing `g(f(x))`.
pub static CHAIN: Builtin = b("chain", "<ffx:x>", 3, chain);

fn chain<'a>(ev: &Evaluator<'a>, args: Vec<Val<'a>>, ctx: &Val<'a>) -> Result<Val<'a>> {
    let mut it = args.into_iter();
    let (f, g, x) = (
        it.next().unwrap_or_default(),
        it.next().unwrap_or_default(),
        it.next().unwrap_or_default(),
    );
    let inner = ev.apply(&f, vec![x], ctx, "")?;
    ev.apply(&g, vec![inner], ctx, "")
}

static STANDARD: &[Builtin] = &[
    // aggregation
    b("sum", "<a<n>:n>", 1, arrays::sum),
    b("count", "<a:n>", 1, arrays::count),
    b("max", "<a<n>:n>", 1, arrays::max),
    b("min", "<a<n>:n>", 1, arrays::min),
    b("average", "<a<n>:n>", 1, arrays::average),
    // strings
    b("string", "<x-b?:s>", 1, strings::string), // JS `string(arg, prettify = false)` has length 1
    b("substring", "<s-nn?:s>", 3, strings::substring),
    b("substringBefore", "<s-s:s>", 2, strings::substring_before),
    b("substringAfter", "<s-s:s>", 2, strings::substring_after),
    b("lowercase", "<s-:s>", 1, strings::lowercase),
    b("uppercase", "<s-:s>", 1, strings::uppercase),
    b("length", "<s-:n>", 1, strings::length),
    b("trim", "<s-:s>", 1, strings::trim),
    b("pad", "<s-ns?:s>", 3, strings::pad),
    b("match", "<s-f<s:o>n?:a<o>>", 3, strings::match_fn),
    b("contains", "<s-(sf):b>", 2, strings::contains),
    b("replace", "<s-(sf)(sf)n?:s>", 4, strings::replace),
    b("split", "<s-(sf)n?:a<s>>", 3, strings::split),
    b("join", "<a<s>s?:s>", 2, strings::join),
    b("base64encode", "<s-:s>", 1, strings::base64encode),
    b("base64decode", "<s-:s>", 1, strings::base64decode),
    b(
        "encodeUrlComponent",
        "<s-:s>",
        1,
        strings::encode_url_component,
    ),
    b("encodeUrl", "<s-:s>", 1, strings::encode_url),
    b(
        "decodeUrlComponent",
        "<s-:s>",
        1,
        strings::decode_url_component,
    ),
    b("decodeUrl", "<s-:s>", 1, strings::decode_url),
    // numbers
    b("number", "<(nsb)-:n>", 1, numbers::number),
    b("floor", "<n-:n>", 1, numbers::floor),
    b("ceil", "<n-:n>", 1, numbers::ceil),
    b("round", "<n-n?:n>", 2, numbers::round),
    b("abs", "<n-:n>", 1, numbers::abs),
    b("sqrt", "<n-:n>", 1, numbers::sqrt),
    b("power", "<n-n:n>", 2, numbers::power),
    b("random", "<:n>", 0, numbers::random),
    b("formatNumber", "<n-so?:s>", 3, picture::format_number),
    b("formatBase", "<n-n?:s>", 2, picture::format_base),
    b("formatInteger", "<n-s:s>", 2, picture::format_integer),
    b("parseInteger", "<s-s:n>", 2, picture::parse_integer),
    // booleans
    b("boolean", "<x-:b>", 1, objects::boolean),
    b("not", "<x-:b>", 1, objects::not),
    b("exists", "<x:b>", 1, objects::exists),
    // arrays
    b("append", "<xx:a>", 2, arrays::append),
    b("reverse", "<a:a>", 1, arrays::reverse),
    b("shuffle", "<a:a>", 1, arrays::shuffle),
    b("distinct", "<x:x>", 1, arrays::distinct),
    b("zip", "<a+>", 1, arrays::zip),
    b("sort", "<af?:a>", 2, hof::sort),
    // objects
    b("keys", "<x-:a<s>>", 1, objects::keys),
    b("lookup", "<x-s:x>", 2, objects::lookup),
    b("spread", "<x-:a<o>>", 1, objects::spread),
    b("merge", "<a<o>:o>", 1, objects::merge),
    b("each", "<o-f:a>", 2, hof::each),
    b("sift", "<o-f?:o>", 2, hof::sift),
    b("error", "<s?:x>", 1, objects::error),
    b("assert", "<bs?:x>", 2, objects::assert),
    b("type", "<x:s>", 1, objects::type_of),
    b("clone", "<(oa)-:o>", 1, objects::clone),
    // higher order
    b("map", "<af>", 2, hof::map),
    b("filter", "<af>", 2, hof::filter),
    b("single", "<af?>", 2, hof::single),
    b("reduce", "<afj?:j>", 3, hof::reduce),
    // date/time
    b("now", "<s?s?:s>", 2, datetime::now),
    b("millis", "<:n>", 0, datetime::millis),
    b("fromMillis", "<n-s?s?:s>", 3, datetime::from_millis),
    b("toMillis", "<s-s?:n>", 2, datetime::to_millis),
];

/// AWS Step Functions' functions; `$random` replaces JSONata's (it takes a seed).
static AWS: &[Builtin] = &[
    b("partition", "<an:a>", 2, crate::aws::partition),
    b("range", "<nnn?:a>", 3, crate::aws::range),
    b("hash", "<ss?:s>", 2, crate::aws::hash),
    b("random", "<n?:n>", 1, crate::aws::random),
    b("uuid", "<:s>", 0, crate::aws::uuid),
    b("parse", "<s:x>", 1, crate::aws::parse),
];

/// Built-in function by name (without `$`); `aws` adds Step Functions' functions.
pub fn lookup(name: &str, aws: bool) -> Option<&'static Builtin> {
    let aws_fn = if aws {
        AWS.iter().find(|f| f.name == name)
    } else {
        None
    };
    aws_fn.or_else(|| STANDARD.iter().find(|f| f.name == name))
}

/// `$string` of a defined value.
pub fn string_of(v: &Val<'_>) -> Result<String> {
    match v {
        Val::Str(s) => Ok(s.to_string()),
        Val::JStr(s) => Ok((*s).to_string()),
        Val::Func(_) => Ok(String::new()),
        Val::Num(n) if !n.is_finite() => Err(JsonataError::new(
            "D3001",
            "Attempting to invoke string function on Infinity or NaN",
        )),
        other => crate::numfmt::to_string(other, false),
    }
}

/// Argument `i`, or undefined.
pub(crate) fn arg<'a>(args: &[Val<'a>], i: usize) -> Val<'a> {
    args.get(i).cloned().unwrap_or_default()
}

/// Argument `i` as a number (signature validation guarantees the type when defined).
pub(crate) fn num(args: &[Val<'_>], i: usize) -> Option<f64> {
    args.get(i).and_then(Val::as_num)
}

pub(crate) fn text<'s>(args: &'s [Val<'_>], i: usize) -> Option<&'s str> {
    args.get(i).and_then(Val::as_str)
}
