//! Printing diagnostics: compiler-style text (with colour on a terminal
//! unless `NO_COLOR` is set), JSON objects, or GitHub workflow annotations.

use std::io::{IsTerminal, Write};

use strata_chart::{Diagnostic, Severity};

/// How to print findings.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// `error[code]: message` with `--> file:line:col` and the source line.
    Text,
    /// A JSON list of `{severity, code, message, file, line, column, environment}`.
    Json,
    /// `::error file=…,line=…,col=…::message` workflow commands.
    Github,
}

/// Whether stderr gets colour.
pub fn stderr_color() -> bool {
    std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()) && std::io::stderr().is_terminal()
}

struct Paint {
    on: bool,
}

impl Paint {
    fn wrap(&self, code: &str, s: &str) -> String {
        if self.on {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }
}

/// One diagnostic as compiler-style text.
pub fn text(d: &Diagnostic, color: bool) -> String {
    let p = Paint { on: color };
    let sev = match d.severity {
        Severity::Error => p.wrap("1;31", &format!("error[{}]", d.code)),
        Severity::Warning => p.wrap("1;33", &format!("warning[{}]", d.code)),
        Severity::Info => p.wrap("1;36", &format!("info[{}]", d.code)),
    };
    let mut out = format!("{sev}: {}\n", p.wrap("1", &d.message));
    if let Some(loc) = &d.location {
        let num = loc.line.to_string();
        let pad = " ".repeat(num.len());
        out.push_str(&format!("{pad}{} {loc}\n", p.wrap("1;34", "-->")));
        if let Some(full) = &d.snippet {
            let col = usize::try_from(loc.column).unwrap_or(1).max(1);
            let (src, col) = window(full, col);
            let bar = p.wrap("1;34", "|");
            out.push_str(&format!("{pad} {bar}\n"));
            out.push_str(&format!("{} {bar} {src}\n", p.wrap("1;34", &num)));
            // Tabs stay tabs so the caret lines up under them; a wide
            // character (CJK, emoji) takes two columns, a combining one none.
            let lead: String = src
                .chars()
                .take(col - 1)
                .map(|c| match c {
                    '\t' => "\t".to_string(),
                    c => " ".repeat(unicode_width::UnicodeWidthChar::width(c).unwrap_or(0)),
                })
                .collect();
            out.push_str(&format!("{pad} {bar} {lead}{}\n", p.wrap("1;31", "^")));
        }
    }
    if let Some(env) = d.environment_list() {
        out.push_str(&format!("  = environment: {env}\n"));
    }
    for n in &d.notes {
        out.push_str(&format!("  = {n}\n"));
    }
    out
}

/// Source lines are shown at most this many characters wide.
const SNIPPET_WIDTH: usize = 120;

/// `line` cut to [`SNIPPET_WIDTH`] characters around column `col` (1-based),
/// with `…` where it was cut; the column within the cut line.
fn window(line: &str, col: usize) -> (String, usize) {
    let n = line.chars().count();
    if n <= SNIPPET_WIDTH {
        return (line.to_string(), col);
    }
    let half = SNIPPET_WIDTH / 2;
    let start = col
        .saturating_sub(half)
        .min(n.saturating_sub(SNIPPET_WIDTH));
    let end = (start + SNIPPET_WIDTH).min(n);
    let mut out = String::new();
    if start > 0 {
        out.push('…');
    }
    out.extend(line.chars().skip(start).take(end - start));
    if end < n {
        out.push('…');
    }
    let shift = usize::from(start > 0);
    (out, col - start.min(col - 1) + shift)
}

/// Print findings to stderr in text form.
pub fn eprint_all(ds: &[Diagnostic]) {
    let color = stderr_color();
    let mut err = std::io::stderr().lock();
    for d in ds {
        let _ = err.write_all(text(d, color).as_bytes());
    }
}

/// Findings as a JSON list.
pub fn json(ds: &[Diagnostic]) -> String {
    let list: Vec<serde_json::Value> = ds
        .iter()
        .map(|d| {
            let (file, line, column) = match &d.location {
                Some(l) => (
                    serde_json::Value::from(l.file.to_string()),
                    serde_json::Value::from(l.line),
                    serde_json::Value::from(l.column),
                ),
                None => (
                    serde_json::Value::Null,
                    serde_json::Value::Null,
                    serde_json::Value::Null,
                ),
            };
            serde_json::json!({
                "severity": d.severity,
                "code": d.code,
                "message": d.message,
                "file": file,
                "line": line,
                "column": column,
                "environment": d.environment_list(),
                "notes": d.notes,
            })
        })
        .collect();
    let mut s = serde_json::to_string_pretty(&list).unwrap_or_else(|_| "[]".into());
    s.push('\n');
    s
}

/// One finding as a GitHub workflow command.
pub fn github(d: &Diagnostic) -> String {
    let kind = match d.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "notice",
    };
    let mut props = Vec::new();
    if let Some(l) = &d.location {
        props.push(format!("file={}", escape_prop(&l.file)));
        props.push(format!("line={}", l.line));
        props.push(format!("col={}", l.column));
    }
    props.push(format!(
        "title={}",
        escape_prop(&format!("strata {}", d.code))
    ));
    let mut msg = d.message.clone();
    if let Some(env) = d.environment_list() {
        msg.push_str(&format!(" (environment {env})"));
    }
    for n in &d.notes {
        msg.push('\n');
        msg.push_str(n);
    }
    format!("::{kind} {}::{}\n", props.join(","), escape_data(&msg))
}

fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

fn escape_prop(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;
    use strata_chart::Code;
    use strata_chart::Location;

    #[test]
    fn text_points_at_the_column() {
        let d = Diagnostic::error(Code::Schema, "image.tag: 5 is not of type \"string\"")
            .at(Location::new("environments/prod.yaml", 12, 8))
            .with_source(&format!("{}  tag: 5\n", "\n".repeat(11)));
        assert_eq!(
            text(&d, false),
            "error[schema]: image.tag: 5 is not of type \"string\"\n  --> environments/prod.yaml:12:8\n   |\n12 |   tag: 5\n   |        ^\n"
        );
    }

    #[test]
    fn the_caret_counts_display_columns() {
        // Column 5 (characters) is the `5`; 名 and 前 are two columns wide.
        let d = Diagnostic::error(Code::Schema, "名前: 5 is not of type \"string\"")
            .at(Location::new("values.yaml", 1, 5))
            .with_source("名前: 5\n");
        assert_eq!(
            text(&d, false),
            "error[schema]: 名前: 5 is not of type \"string\"\n --> values.yaml:1:5\n  |\n1 | 名前: 5\n  |       ^\n"
        );
        // A tab stays a tab.
        let d = Diagnostic::error(Code::Yaml, "x")
            .at(Location::new("values.yaml", 1, 3))
            .with_source("\ta: 1\n");
        assert!(text(&d, false).ends_with("1 | \ta: 1\n  | \t ^\n"));
    }

    #[test]
    fn json_and_github_carry_file_line_column() {
        let d = Diagnostic::error(Code::Yaml11, "a: b, 100%")
            .at(Location::new("charts/api/values.yaml", 3, 4))
            .in_env("prod");
        let j: serde_json::Value = serde_json::from_str(&json(std::slice::from_ref(&d))).unwrap();
        assert_eq!(j[0]["file"], "charts/api/values.yaml");
        assert_eq!(j[0]["line"], 3);
        assert_eq!(j[0]["column"], 4);
        assert_eq!(j[0]["environment"], "prod");
        assert_eq!(
            github(&d),
            "::error file=charts/api/values.yaml,line=3,col=4,title=strata yaml11::a: b, 100%25 (environment prod)\n"
        );
    }
}
