//! Errors with JSONata-js codes and messages.

/// A JSONata error. `Display` gives JSONata-js's form: `"T1006: Attempted to invoke a non-function"`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{code}: {message}")]
pub struct JsonataError {
    /// JSONata-js error code, e.g. `T1006`; `U1001`/`U1002` are this crate's resource limits
    /// and `R0001` means the result was a function.
    pub code: String,
    pub message: String,
    /// Character offset in the expression, when known.
    pub position: Option<usize>,
}

impl JsonataError {
    pub fn new(code: &str, message: impl Into<String>) -> Self {
        JsonataError {
            code: code.to_string(),
            message: message.into(),
            position: None,
        }
    }

    pub fn at(mut self, position: usize) -> Self {
        if self.position.is_none() {
            self.position = Some(position);
        }
        self
    }
}

/// Code of the error `Expression::evaluate` returns when the result is a function.
pub const FUNCTION_RESULT: &str = "R0001";

pub type Result<T> = std::result::Result<T, JsonataError>;

/// JSON text of a string, as JSONata-js's message templates write `{{token}}`.
pub fn quoted(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| format!("\"{s}\""))
}

pub fn err<T>(code: &str, message: impl Into<String>) -> Result<T> {
    Err(JsonataError::new(code, message))
}
