//! Errors of parsing and executing templates, with their location.

/// What went wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The template text does not parse.
    Syntax,
    /// Executing failed (wrong types, nil pointer, missing key with strict…).
    Exec,
    /// `fail "message"` was called.
    Fail,
    /// `required "message" x` found no value.
    Required,
    /// A resource budget (steps, bytes, depth) was exceeded.
    Budget,
}

/// An error at a place in a template. `template` is the name the file was
/// added under (or the `define` it happened in, as Go reports it); `line`
/// and `column` are 1-based; `len` is the length in bytes of the action or
/// token at fault (at least 1).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{template}:{line}:{column}: {message}")]
pub struct Error {
    pub kind: ErrorKind,
    pub template: String,
    pub line: usize,
    pub column: usize,
    pub len: usize,
    /// How many bytes of the source from `column` the error is about (at
    /// least 1): `len` where Go points at the start of what is at fault;
    /// less where it points into it (`.b` of `.a.b`); 1 where the source
    /// spells it otherwise than Go prints it.
    pub extent: usize,
    /// The message without location, as Helm words it after the location
    /// (`executing "x" at <.Values.a.b>: nil pointer evaluating …`).
    pub message: String,
}

impl Error {
    /// The error as Go's text/template words it: `template: NAME:LINE: MSG`
    /// for a parse error, `template: NAME:LINE:COL: MSG` otherwise, with
    /// Go's 0-based byte column (Helm prints that column as it is).
    pub fn go_string(&self) -> String {
        match self.kind {
            ErrorKind::Syntax => format!(
                "template: {}:{}: {}",
                self.template, self.line, self.message
            ),
            _ => format!(
                "template: {}:{}:{}: {}",
                self.template,
                self.line,
                self.column.saturating_sub(1),
                self.message
            ),
        }
    }
}
