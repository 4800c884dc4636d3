//! Diagnostics: one finding with a stable code, a message and, wherever
//! the input has one, a location and the source line it points at. The
//! YAML readers return them; every other layer of strata (through
//! strata-chart's `diag`) too.

use std::fmt;
use std::sync::Arc;

use serde::Serialize;

/// How bad a finding is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth knowing; never fails a run.
    Info,
    /// Fails a run only under `--strict`.
    Warning,
    /// The input is invalid.
    Error,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        })
    }
}

/// A position in an input file: 1-based line and column (in characters).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Location {
    /// Chart-relative path, or the path as the user gave it (`-f` files).
    pub file: Arc<str>,
    /// 1-based line.
    pub line: u32,
    /// 1-based column.
    pub column: u32,
}

impl Location {
    /// A location in `file` at `line`:`column` (both 1-based).
    pub fn new(file: impl Into<Arc<str>>, line: u32, column: u32) -> Self {
        Location {
            file: file.into(),
            line,
            column,
        }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.column)
    }
}

/// One finding.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Diagnostic {
    /// Error, warning or info.
    pub severity: Severity,
    /// A short stable code: `yaml`, `values`, `set`, `chart`, `env`, `schema`, …
    pub code: &'static str,
    /// What is wrong, in one line.
    pub message: String,
    /// Where, when the input has a place to point at.
    pub location: Option<Location>,
    /// The source line at `location` (without its newline), when known.
    pub snippet: Option<String>,
    /// Further lines: hints, the other place of a duplicate, a layer chain.
    pub notes: Vec<String>,
    /// The environment this finding belongs to, when it depends on one.
    pub environment: Option<String>,
}

impl Diagnostic {
    /// A new finding without location.
    pub fn new(severity: Severity, code: &'static str, message: impl Into<String>) -> Self {
        Diagnostic {
            severity,
            code,
            message: message.into(),
            location: None,
            snippet: None,
            notes: Vec::new(),
            environment: None,
        }
    }

    /// An error finding.
    pub fn error(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(Severity::Error, code, message)
    }

    /// A warning finding.
    pub fn warning(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(Severity::Warning, code, message)
    }

    /// An info finding.
    pub fn info(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(Severity::Info, code, message)
    }

    /// Attach a location.
    pub fn at(mut self, location: Location) -> Self {
        self.location = Some(location);
        self
    }

    /// Attach a location if there is one.
    pub fn at_opt(mut self, location: Option<Location>) -> Self {
        if location.is_some() {
            self.location = location;
        }
        self
    }

    /// Attach the source line at the location, taken from the file's text.
    pub fn with_source(mut self, text: &str) -> Self {
        if let Some(loc) = &self.location {
            self.snippet = source_line(text, loc.line);
        }
        self
    }

    /// [`with_source`](Self::with_source) for a text that is a part of its
    /// file starting at line `first_line`.
    pub fn with_source_from(mut self, text: &str, first_line: u32) -> Self {
        if let Some(loc) = &self.location {
            let line = loc.line.checked_sub(first_line.saturating_sub(1));
            self.snippet = line.and_then(|l| source_line(text, l));
        }
        self
    }

    /// Add a note line.
    pub fn note(mut self, note: impl Into<String>) -> Self {
        self.notes.push(note.into());
        self
    }

    /// Tag with an environment name.
    pub fn in_env(mut self, env: impl Into<String>) -> Self {
        self.environment = Some(env.into());
        self
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(loc) = &self.location {
            write!(f, "{loc}: ")?;
        }
        write!(f, "{}[{}]: {}", self.severity, self.code, self.message)
    }
}

/// The 1-based `line` of `text`, without its line break.
pub fn source_line(text: &str, line: u32) -> Option<String> {
    let idx = usize::try_from(line).ok()?.checked_sub(1)?;
    text.lines()
        .nth(idx)
        .map(|l| l.trim_end_matches('\r').to_string())
}
