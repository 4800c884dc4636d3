//! Diagnostics: what every layer of strata returns instead of printing.
//!
//! A [`Diagnostic`] is one finding (error, warning or note) with a stable
//! code, a message, and — wherever the input has one — a chart-relative
//! location and the source line it points at. [`Error`] is what fallible
//! library calls return; the CLI turns both into compiler-style output and
//! decides exit codes from [`Error::exit_code`].

use std::fmt;
use std::io;

pub use strata_yaml::{source_line, Code, Diagnostic, Location, Severity};

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
    pub fn msg(code: Code, message: impl Into<String>) -> Self {
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
                    Code::Io,
                    format!("{path}: {}", io_message(source)),
                )]
            }
            Error::Usage(m) => vec![Diagnostic::error(Code::Usage, m.clone())],
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
pub(crate) fn io_message(e: &io::Error) -> String {
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
        for note in &mut d.notes {
            if let Some(moved) = relocate_note(note, prefix, keep) {
                *note = moved;
            }
        }
        if let Some(loc) = &mut d.location {
            let file: &str = &loc.file;
            let plain = file.split(" (").next().unwrap_or(file);
            let skip = plain.starts_with('<')
                || plain.starts_with('/')
                || keep.iter().any(|k| k == plain)
                || file.starts_with(prefix);
            if !skip {
                loc.file = join_shown(prefix, file).into();
            }
        }
    }
}

/// A note's references to chart files (`first defined at values.yaml:2:3`,
/// `value replicas from environments/prod.yaml:3:11`, `"red" (environments/prod.yaml:3:11)`:
/// a word after `at`, `from` or `in`, or in parentheses, that is a relative path with a line number) named as
/// [`relocate`] names locations; `None` when the note has none.
fn relocate_note(note: &str, prefix: &str, keep: &[String]) -> Option<String> {
    let mut out = String::with_capacity(note.len() + prefix.len());
    let mut moved = false;
    let mut previous = "";
    for (i, word) in note.split(' ').enumerate() {
        if i > 0 {
            out.push(' ');
        }
        // `at FILE:LINE`, or `(FILE:LINE)` after a value (parity).
        let (open, inner, close) = match word.strip_prefix('(').and_then(|w| w.strip_suffix(')')) {
            Some(inner) => ("(", inner, ")"),
            None if matches!(previous, "at" | "from" | "in") => ("", word, ""),
            None => ("", "", ""),
        };
        let reference = inner.split_once(':').filter(|(path, line)| {
            path.contains('.')
                && line.starts_with(|c: char| c.is_ascii_digit())
                && !path.starts_with(['/', '<', '-'])
                && !path.starts_with(prefix)
                && !keep.iter().any(|k| k == path)
        });
        match reference {
            Some((path, line)) => {
                out.push_str(open);
                out.push_str(&join_shown(prefix, path));
                out.push(':');
                out.push_str(line);
                out.push_str(close);
                moved = true;
            }
            None => out.push_str(word),
        }
        previous = word;
    }
    moved.then_some(out)
}

/// `prefix` + `file`, with the `../` that lead `file` out of the chart (a
/// repository-wide environments.yaml) taken off `prefix`, so
/// `charts/worker/` + `../../environments.yaml` is `environments.yaml`.
fn join_shown(prefix: &str, file: &str) -> String {
    let mut dirs: Vec<&str> = prefix.split('/').filter(|c| !c.is_empty()).collect();
    let mut rest = file;
    while let Some(up) = rest.strip_prefix("../") {
        match dirs.last() {
            Some(&d) if d != ".." && d != "." => {
                dirs.pop();
                rest = up;
            }
            _ => break,
        }
    }
    let lead = if prefix.starts_with('/') { "/" } else { "" };
    if dirs.is_empty() {
        format!("{lead}{rest}")
    } else {
        format!("{lead}{}/{rest}", dirs.join("/"))
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
        let d = Diagnostic::error(Code::Schema, "image.tag: 5 is not of type \"string\"")
            .at(Location::new("environments/prod.yaml", 12, 7));
        assert_eq!(
            d.to_string(),
            "environments/prod.yaml:12:7: error[schema]: image.tag: 5 is not of type \"string\""
        );
    }

    #[test]
    fn a_code_prints_and_serialises_as_its_text() {
        for c in Code::ALL {
            assert_eq!(c.to_string(), c.as_str());
            assert_eq!(
                serde_json::to_string(c).ok(),
                Some(format!("\"{}\"", c.as_str()))
            );
        }
        assert_eq!(Code::Yaml11.as_str(), "yaml11");
        assert!(Code::Schema == "schema");
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
        assert_eq!(Error::msg(Code::Values, "y").exit_code(), 1);
        assert_eq!(Error::Many(vec![]).exit_code(), 1);
        assert_eq!(Error::Usage("u".into()).exit_code(), 2);
        let io = Error::io("f", io::Error::from(io::ErrorKind::NotFound));
        assert_eq!(io.exit_code(), 2);
        assert_eq!(io.diagnostics()[0].message, "f: no such file or directory");
    }

    #[test]
    fn relocate_names_chart_files_as_the_user_gave_the_chart() {
        let at = |f: &str| Diagnostic::error(Code::Values, "m").at(Location::new(f, 1, 1));
        let mut ds = vec![
            at("templates/x.yaml"),
            at("templates/x.yaml (rendered)"),
            at("over.yaml"),
            at("<stdin>"),
            at("/abs/file.yaml"),
            at("charts/api/values.yaml"),
            Diagnostic::error(Code::Values, "no location"),
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
        assert_eq!(join_shown("charts/worker/", "../../env.yaml"), "env.yaml");
        assert_eq!(join_shown("charts/worker/", "../x.yaml"), "charts/x.yaml");
        assert_eq!(join_shown("../c/", "../../e.yaml"), "../../e.yaml");
        assert_eq!(join_shown("/abs/c/", "../e.yaml"), "/abs/e.yaml");
        assert_eq!(join_shown("c/", "values.yaml"), "c/values.yaml");
        // Notes naming chart files with a line move too; `-f` files,
        // words that are not references and plain mentions stay.
        let mut dup = vec![at("values.yaml")
            .note("first defined at values.yaml:2:3")
            .note("value replicas from environments/prod.yaml:3:11")
            .note("value tag from over.yaml:1:6")
            .note("infers one from values.yaml")
            .note("in document 1 (apps/v1 Deployment web)")
            .note("see also other.yaml:1:1")
            .note("prod: \"red\"  (environments/prod.yaml:3:11)")
            .note("dev: \"registry.io/nginx:1.25\" (nginx:1)")];
        relocate(&mut dup, "c/", &["over.yaml".to_string()]);
        assert_eq!(
            dup[0].notes,
            [
                "first defined at c/values.yaml:2:3",
                "value replicas from c/environments/prod.yaml:3:11",
                "value tag from over.yaml:1:6",
                "infers one from values.yaml",
                "in document 1 (apps/v1 Deployment web)",
                "see also other.yaml:1:1",
                "prod: \"red\"  (c/environments/prod.yaml:3:11)",
                "dev: \"registry.io/nginx:1.25\" (nginx:1)",
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
