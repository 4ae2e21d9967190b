//! JSONata expressions, checked as AWS checks them when a definition is created: each
//! `{% %}` string must parse (`INVALID_JSONATA_EXPRESSION`), must not read the input document
//! at its top level (there is none: the input is `$states.input`), must not use `$$`, and may
//! read `$states.errorOutput` only in a catcher's `Output` and `Assign`
//! (`UNSUPPORTED_JSONATA_EXPRESSION`). Wordings are AWS's; see `docs/validation.md`.

use sfn_json::Value;
use sfn_jsonata::ContextRead;

use super::Report;
use crate::expr::jsonata::{expression_text, parse};

pub(crate) const INVALID: &str = "INVALID_JSONATA_EXPRESSION";
pub(crate) const UNSUPPORTED: &str = "UNSUPPORTED_JSONATA_EXPRESSION";

/// The state a field belongs to: its name and AWS location (`/States/M/ItemProcessor/States/I`).
pub(crate) struct Site<'a> {
    pub name: &'a str,
    pub location: &'a str,
}

/// Check every expression in a field's value. `field` is AWS's name for it (`Output`,
/// `Choices[0]/Condition`); nested keys extend it (`Output/a/b[2]`). `error_output` says
/// whether `$states.errorOutput` exists there.
pub(crate) fn check_field(
    site: &Site<'_>,
    field: &str,
    value: &Value,
    error_output: bool,
    report: &mut Report,
) {
    if let Some(text) = expression_text(value) {
        check_expression(site, field, text, error_output, report);
        return;
    }
    match value {
        Value::Object(map) => {
            for (key, item) in map {
                check_field(site, &format!("{field}/{key}"), item, error_output, report);
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                check_field(site, &format!("{field}[{i}]"), item, error_output, report);
            }
        }
        _ => {}
    }
}

fn check_expression(
    site: &Site<'_>,
    field: &str,
    text: &str,
    error_output: bool,
    report: &mut Report,
) {
    let location = format!("{}/{field}", site.location);
    let expr = match parse(text) {
        Ok(expr) => expr,
        Err(e) => {
            // AWS gives the parser's message without its S0xxx code
            let message = format!(
                "invalid JSONata expression '{text}': {INVALID}: {} at {location}",
                e.message
            );
            report.coded(site.name, field, INVALID, location, message);
            return;
        }
    };
    let mut unsupported = |what: String| {
        let message = format!("{UNSUPPORTED}: {what} at {location}");
        report.coded(site.name, field, UNSUPPORTED, location.clone(), message);
    };
    for read in expr.top_level_reads() {
        unsupported(match read {
            ContextRead::Field(name) => {
                format!("Reference to '{name}' at the top level is not supported.")
            }
            ContextRead::Context => "Reference to '$' at the top level is not supported.".into(),
            ContextRead::Root => "Reference to '$$' is not supported.".into(),
        });
    }
    let reads_error_output = expr
        .variable_fields()
        .iter()
        .any(|f| f.variable == "states" && f.field.as_deref() == Some("errorOutput"));
    if reads_error_output && !error_output {
        unsupported("Field '$states.errorOutput' does not exist.".into());
    }
}
