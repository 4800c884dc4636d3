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

/// Declares [`Code`] from one list, so that [`Code::ALL`] and
/// [`Code::as_str`] cannot miss a variant.
macro_rules! codes {
    ($($(#[doc = $doc:literal])* $variant:ident = $text:literal,)*) => {
        /// The stable code of a finding (`error[schema]`, the `code` field
        /// of `--output json`, the title of a GitHub annotation): scripts
        /// may match on it, so a code's text never changes. docs/lint.md
        /// ("Every code") lists them all; a test keeps the two in step.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        #[non_exhaustive]
        pub enum Code {
            $($(#[doc = $doc])* $variant,)*
        }

        impl Code {
            /// Every code, in the order of docs/lint.md.
            pub const ALL: &'static [Code] = &[$(Code::$variant),*];

            /// The code as printed: `schema`, `yaml11`, …
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(Code::$variant => $text,)*
                }
            }
        }
    };
}

codes! {
    /// A packaged chart (`.tgz`) that cannot be read safely.
    Archive = "archive",
    /// Chart.yaml: Helm's rules, the dialect annotation.
    Chart = "chart",
    /// Files in `crds/`; CRDs left out of a render.
    Crds = "crds",
    /// Dependencies: vendored subcharts, conditions, `import-values`.
    Dependency = "dependency",
    /// Which template dialect a chart has.
    Dialect = "dialect",
    /// `strata diff`.
    Diff = "diff",
    /// environments.yaml, environment names, `--env`.
    Env = "env",
    /// A file that cannot be read or written.
    Io = "io",
    /// Kubernetes validation of rendered manifests.
    Kube = "kube",
    /// `strata package`, rendered packages.
    Package = "package",
    /// `strata parity`.
    Parity = "parity",
    /// `strata promote`.
    Promote = "promote",
    /// Rendered output: YAML, kinds, names, duplicates, `--show-only`.
    Render = "render",
    /// A template calls a function whose output differs on every render.
    Reproducible = "reproducible",
    /// JSON Schemas and the values they validate.
    Schema = "schema",
    /// `writeOnly` values and plaintext credentials in values files.
    Secret = "secret",
    /// `--set`, `--set-string`, `--set-json`, `--set-file`, `--set-literal`.
    Set = "set",
    /// A template that does not compile or fails to render.
    Template = "template",
    /// Values no template reads.
    Unused = "unused",
    /// Command-line usage (exit 2).
    Usage = "usage",
    /// Values files and merging.
    Values = "values",
    /// YAML that does not parse.
    Yaml = "yaml",
    /// Values Helm (YAML 1.1) reads differently from strata (YAML 1.2).
    Yaml11 = "yaml11",
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Code {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl PartialEq<str> for Code {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for Code {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

/// One finding.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Diagnostic {
    /// Error, warning or info.
    pub severity: Severity,
    /// The stable code: `yaml`, `values`, `set`, `chart`, `env`, `schema`, …
    pub code: Code,
    /// What is wrong, in one line.
    pub message: String,
    /// Where, when the input has a place to point at.
    pub location: Option<Location>,
    /// The source line at `location` (without its newline), when known.
    pub snippet: Option<String>,
    /// Further lines: hints, the other place of a duplicate, a layer chain.
    pub notes: Vec<String>,
    /// How many characters of the source line, from `location`'s column,
    /// the finding is about (the caret line underlines them); `None` where
    /// the input gives no extent (one caret).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub length: Option<u32>,
    /// The environments this finding belongs to, when it depends on one
    /// (several once `fold` merged the same finding of
    /// several environments), in the order they were found.
    #[serde(rename = "environment", serialize_with = "serialize_environments")]
    pub environments: Vec<String>,
}

fn serialize_environments<S: serde::Serializer>(
    envs: &[String],
    s: S,
) -> std::result::Result<S::Ok, S::Error> {
    match envs {
        [] => s.serialize_none(),
        _ => s.serialize_some(&envs.join(", ")),
    }
}

impl Diagnostic {
    /// A new finding without location.
    pub fn new(severity: Severity, code: Code, message: impl Into<String>) -> Self {
        Diagnostic {
            severity,
            code,
            message: message.into(),
            location: None,
            snippet: None,
            notes: Vec::new(),
            length: None,
            environments: Vec::new(),
        }
    }

    /// An error finding.
    pub fn error(code: Code, message: impl Into<String>) -> Self {
        Self::new(Severity::Error, code, message)
    }

    /// A warning finding.
    pub fn warning(code: Code, message: impl Into<String>) -> Self {
        Self::new(Severity::Warning, code, message)
    }

    /// An info finding.
    pub fn info(code: Code, message: impl Into<String>) -> Self {
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

    /// Tag with an environment name (replacing any other).
    pub fn in_env(mut self, env: impl Into<String>) -> Self {
        self.environments = vec![env.into()];
        self
    }

    /// Underline `chars` characters from the location's column (`0` leaves
    /// the single caret).
    pub fn spanning(mut self, chars: usize) -> Self {
        if chars > 0 {
            self.length = Some(u32::try_from(chars).unwrap_or(u32::MAX));
        }
        self
    }

    /// The environments as printed: `dev, prod`; `None` when there are none.
    pub fn environment_list(&self) -> Option<String> {
        (!self.environments.is_empty()).then(|| self.environments.join(", "))
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
