//! Diagnostics: what every layer of strata returns instead of printing.
//!
//! A [`Diagnostic`] is one finding (error, warning or note) with a stable
//! code, a message, and — wherever the input has one — a chart-relative
//! location and the source line it points at. [`Error`] is what fallible
//! library calls return; the CLI turns both into compiler-style output and
//! decides exit codes from [`Error::exit_code`].

use std::fmt;
use std::io;

pub use strata_yaml::{source_line, Diagnostic, Location, Severity};

/// What a fallible strata library call returns.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The input is invalid (exit code 1): one finding.
    #[error("{0}")]
    Invalid(Box<Diagnostic>),
    /// The input is invalid (exit code 1): several findings, all reported.
    #[error("{} problems found", .0.len())]
    Many(Vec<Diagnostic>),
    /// A file could not be read or written (exit code 2).
    #[error("{path}: {source}")]
    Io {
        /// The path as the user would recognise it.
        path: String,
        /// The underlying error.
        #[source]
        source: io::Error,
    },
    /// The command was used wrongly (exit code 2).
    #[error("{0}")]
    Usage(String),
}

impl Error {
    /// An invalid-input error from one finding.
    pub fn invalid(diag: Diagnostic) -> Self {
        Error::Invalid(Box::new(diag))
    }

    /// An invalid-input error with a code and message and no location.
    pub fn msg(code: &'static str, message: impl Into<String>) -> Self {
        Error::invalid(Diagnostic::error(code, message))
    }

    /// An I/O error on `path`.
    pub fn io(path: impl fmt::Display, source: io::Error) -> Self {
        Error::Io {
            path: path.to_string(),
            source,
        }
    }

    /// The process exit code this error maps to (DESIGN §7).
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Invalid(_) | Error::Many(_) => 1,
            Error::Io { .. } | Error::Usage(_) => 2,
        }
    }

    /// The findings, as diagnostics to print.
    pub fn diagnostics(&self) -> Vec<Diagnostic> {
        match self {
            Error::Invalid(d) => vec![(**d).clone()],
            Error::Many(ds) => ds.clone(),
            Error::Io { path, source } => {
                vec![Diagnostic::error(
                    "io",
                    format!("{path}: {}", io_message(source)),
                )]
            }
            Error::Usage(m) => vec![Diagnostic::error("usage", m.clone())],
        }
    }

    /// Tag every finding with an environment name.
    pub fn in_env(self, env: &str) -> Self {
        match self {
            Error::Invalid(d) => Error::Invalid(Box::new(d.in_env(env))),
            Error::Many(ds) => Error::Many(ds.into_iter().map(|d| d.in_env(env)).collect()),
            other => other,
        }
    }
}

impl From<Diagnostic> for Error {
    fn from(d: Diagnostic) -> Self {
        Error::invalid(d)
    }
}

/// An I/O error's message without Rust's `(os error 2)` suffix.
pub fn io_message(e: &io::Error) -> String {
    match e.kind() {
        io::ErrorKind::NotFound => "no such file or directory".to_string(),
        io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        _ => {
            let s = e.to_string();
            match s.find(" (os error") {
                Some(i) => s[..i].to_string(),
                None => s,
            }
        }
    }
}

/// Shorthand for results of strata library calls.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Name chart files as the user gave the chart: every location in `ds`
/// that is chart-relative (`templates/x.yaml:4:9`, `environments/prod.yaml`)
/// gets `prefix` (`charts/api/`), so terminals and editors can open it from
/// where strata was run. Files in `keep` (`-f` files, named as given),
/// standard input and absolute paths stay as they are.
pub fn relocate(ds: &mut [Diagnostic], prefix: &str, keep: &[String]) {
    if prefix.is_empty() {
        return;
    }
    for d in ds {
        if let Some(loc) = &mut d.location {
            let file: &str = &loc.file;
            let plain = file.split(" (").next().unwrap_or(file);
            let skip = plain.starts_with('<')
                || plain.starts_with('/')
                || keep.iter().any(|k| k == plain)
                || file.starts_with(prefix);
            if !skip {
                loc.file = format!("{prefix}{file}").into();
            }
        }
    }
}

impl Error {
    /// [`relocate`] every finding of this error.
    pub fn relocated(self, prefix: &str, keep: &[String]) -> Self {
        match self {
            Error::Invalid(mut d) => {
                relocate(std::slice::from_mut(&mut *d), prefix, keep);
                Error::Invalid(d)
            }
            Error::Many(mut ds) => {
                relocate(&mut ds, prefix, keep);
                Error::Many(ds)
            }
            other => other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_is_compiler_style() {
        let d = Diagnostic::error("schema", "image.tag: 5 is not of type \"string\"")
            .at(Location::new("environments/prod.yaml", 12, 7));
        assert_eq!(
            d.to_string(),
            "environments/prod.yaml:12:7: error[schema]: image.tag: 5 is not of type \"string\""
        );
    }

    #[test]
    fn source_line_is_one_based_and_bounded() {
        assert_eq!(source_line("a\r\nb\n", 2).as_deref(), Some("b"));
        assert_eq!(source_line("a\r\nb\n", 1).as_deref(), Some("a"));
        assert_eq!(source_line("a", 0), None);
        assert_eq!(source_line("a", 3), None);
    }

    #[test]
    fn exit_codes() {
        assert_eq!(Error::msg("x", "y").exit_code(), 1);
        assert_eq!(Error::Many(vec![]).exit_code(), 1);
        assert_eq!(Error::Usage("u".into()).exit_code(), 2);
        let io = Error::io("f", io::Error::from(io::ErrorKind::NotFound));
        assert_eq!(io.exit_code(), 2);
        assert_eq!(io.diagnostics()[0].message, "f: no such file or directory");
    }

    #[test]
    fn relocate_names_chart_files_as_the_user_gave_the_chart() {
        let at = |f: &str| Diagnostic::error("x", "m").at(Location::new(f, 1, 1));
        let mut ds = vec![
            at("templates/x.yaml"),
            at("templates/x.yaml (rendered)"),
            at("over.yaml"),
            at("<stdin>"),
            at("/abs/file.yaml"),
            at("charts/api/values.yaml"),
            Diagnostic::error("x", "no location"),
        ];
        relocate(&mut ds, "charts/api/", &["over.yaml".to_string()]);
        let files: Vec<String> = ds
            .iter()
            .map(|d| {
                d.location
                    .as_ref()
                    .map(|l| l.file.to_string())
                    .unwrap_or_default()
            })
            .collect();
        assert_eq!(
            files,
            [
                "charts/api/templates/x.yaml",
                "charts/api/templates/x.yaml (rendered)",
                "over.yaml",
                "<stdin>",
                "/abs/file.yaml",
                "charts/api/values.yaml",
                "",
            ]
        );
        let e = Error::Many(vec![at("values.yaml")]).relocated("c/", &[]);
        assert_eq!(
            e.diagnostics()[0]
                .location
                .as_ref()
                .map(|l| l.file.to_string())
                .as_deref(),
            Some("c/values.yaml")
        );
    }
}
