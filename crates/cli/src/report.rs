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
            let (src, col, room) = window(full, col);
            let bar = p.wrap("1;34", "|");
            out.push_str(&format!("{pad} {bar}\n"));
            out.push_str(&format!("{} {bar} {src}\n", p.wrap("1;34", &num)));
            let lead: String = src.chars().take(col - 1).map(blank).collect();
            // A span, clamped to what is shown of the line, is underlined as
            // wide as it is displayed; without one, or past the line's end,
            // one caret.
            let len = d
                .length
                .map_or(0, |l| usize::try_from(l).unwrap_or(usize::MAX))
                .min(room);
            let carets: usize = src
                .chars()
                .skip(col - 1)
                .take(len)
                .map(|c| match c {
                    '\t' => 1,
                    c => unicode_width::UnicodeWidthChar::width(c).unwrap_or(0),
                })
                .sum();
            let carets = "^".repeat(carets.max(1));
            out.push_str(&format!("{pad} {bar} {lead}{}\n", p.wrap("1;31", &carets)));
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

/// What stands under a character of the source line before the caret:
/// tabs stay tabs so the caret lines up under them; a wide character (CJK,
/// emoji) takes two columns, a combining one none.
fn blank(c: char) -> String {
    match c {
        '\t' => "\t".to_string(),
        c => " ".repeat(unicode_width::UnicodeWidthChar::width(c).unwrap_or(0)),
    }
}

/// `line` cut to [`SNIPPET_WIDTH`] characters around column `col` (1-based),
/// with `…` where it was cut; the column within the cut line, and how many
/// characters of the line are shown from that column on.
fn window(line: &str, col: usize) -> (String, usize, usize) {
    let n = line.chars().count();
    if n <= SNIPPET_WIDTH {
        return (line.to_string(), col, n.saturating_sub(col - 1));
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
    let at = col - start.min(col - 1);
    (out, at + shift, end.saturating_sub(start + at - 1))
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
    fn a_span_is_underlined_by_display_width_and_clamped_to_the_line() {
        let at = |col, len| {
            Diagnostic::error(Code::Template, "m")
                .at(Location::new("t.yaml", 1, col))
                .with_source("名前: {{ .x }}\n")
                .spanning(len)
        };
        // The two wide characters take four columns.
        let under = |spaces: usize, carets: usize| {
            format!("\n  | {}{}\n", " ".repeat(spaces), "^".repeat(carets))
        };
        assert!(text(&at(1, 2), false).ends_with(&format!("1 | 名前: {{{{ .x }}}}{}", under(0, 4))));
        assert!(text(&at(5, 8), false).ends_with(&under(6, 8)));
        // Longer than the line: up to its end.
        assert!(text(&at(11, 50), false).ends_with(&under(12, 2)));
        // Past the line's end, or no length: one caret.
        assert!(text(&at(20, 3), false).ends_with(&under(14, 1)));
        assert!(text(&at(5, 0), false).ends_with(&under(6, 1)));
    }

    #[test]
    fn a_span_in_a_cut_line_stops_where_the_line_is_cut() {
        let line = format!("{}{}", "a".repeat(100), "b".repeat(200));
        let d = Diagnostic::error(Code::Yaml, "m")
            .at(Location::new("v.yaml", 1, 150))
            .with_source(&line)
            .spanning(500);
        let out = text(&d, false);
        let shown = out.lines().nth(3).unwrap_or_default();
        let carets = out.lines().nth(4).unwrap_or_default();
        // `…` then 120 characters then `…`: the carets run from the column
        // to the last character shown, not under the closing `…`.
        assert_eq!(shown.chars().count(), "1 | ".len() + 122);
        assert_eq!(carets.find('^'), Some("  | ".len() + 60));
        assert_eq!(carets.len(), shown.chars().count() - 1);
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
