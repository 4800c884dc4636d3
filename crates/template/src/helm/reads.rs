//! What a Go chart reads of its values, for unused-value reports
//! (`strata_chart::reads`).
//!
//! The Go engine does not record its lookups; instead every file of the
//! chart (templates, and files a template may pass to `tpl`) and every
//! string value holding an action is scanned for `.Values` chains:
//! `.Values.image.tag`, `$.Values.x`, `.context.Values.x`,
//! `index .Values "a" "b"`. Each chain counts as a read of its whole
//! subtree: `with .Values.resources` then `toYaml .` reads every key
//! below, and a bare `.Values` reads everything. This over-approximates on
//! purpose: a value is reported unused only when no text of the chart
//! names it, so a typo (`replicaCont`) is found and nothing a template
//! reads is called unused.
//!
//! A subchart's chains are its section's (`<name>.x`) and, since parents
//! pass their own context to helpers (`include "common.x" $`), the
//! parent's too; `.Values.global.x` also reads the top chart's `global.x`.

use strata_chart::chart::Chart;
use strata_chart::deps::Enabled;
use strata_chart::reads::ReadSet;
use strata_chart::value::{Node, Value};

/// The values paths `chart` (rendered with subcharts `subs` and merged
/// values `values`) reads.
pub(crate) fn static_reads(chart: &Chart, subs: &[Enabled], values: &Node) -> ReadSet {
    let mut reads = ReadSet::new();
    scan_chart(chart, subs, &[], &mut reads);
    let mut strings = Vec::new();
    collect_actions(values, &mut strings);
    for text in strings {
        mark_chains(text, &[], &mut reads);
    }
    reads
}

fn scan_chart(chart: &Chart, subs: &[Enabled], prefix: &[String], reads: &mut ReadSet) {
    for (path, bytes) in &chart.files {
        if path == "values.yaml" || path == "Chart.yaml" || path.starts_with("charts/") {
            continue;
        }
        let Ok(text) = std::str::from_utf8(bytes) else {
            continue;
        };
        mark_chains(text, prefix, reads);
        if !prefix.is_empty() {
            // Helpers of a subchart may run with the parent's context.
            mark_chains(text, &[], reads);
        }
    }
    for e in subs {
        if let Some(sub) = chart.subcharts.get(e.index) {
            let mut at = prefix.to_vec();
            at.push(e.name.clone());
            scan_chart(sub, &e.subcharts, &at, reads);
        }
    }
}

/// Strings of the values that hold an action (`tpl` renders them).
fn collect_actions<'a>(node: &'a Node, out: &mut Vec<&'a str>) {
    match &node.value {
        Value::Str(s) if memchr::memmem::find(s.as_bytes(), b"{{").is_some() => out.push(s),
        Value::Map(m) => m.values().for_each(|c| collect_actions(c, out)),
        Value::Seq(items) => items.iter().for_each(|c| collect_actions(c, out)),
        _ => {}
    }
}

fn is_ident(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// Mark every `.Values` chain of `text` read, under `prefix`.
fn mark_chains(text: &str, prefix: &[String], reads: &mut ReadSet) {
    let bytes = text.as_bytes();
    let mut from = 0;
    // SIMD search: every file of the chart is scanned (str::find's
    // two-way search reads it a byte at a time).
    let finder = memchr::memmem::Finder::new(".Values");
    while let Some(found) = finder.find(&bytes[from..]) {
        let start = from + found;
        let mut i = start + ".Values".len();
        from = i;
        if bytes.get(i).is_some_and(|b| is_ident(*b)) {
            continue; // `.ValuesX`
        }
        let mut path: Vec<String> = Vec::new();
        while bytes.get(i) == Some(&b'.') {
            let seg_start = i + 1;
            let mut j = seg_start;
            while bytes.get(j).is_some_and(|b| is_ident(*b)) {
                j += 1;
            }
            if j == seg_start {
                break;
            }
            path.push(text[seg_start..j].to_string());
            i = j;
        }
        // `index .Values "a" "b"`: the keys that follow as strings.
        if text[..start].trim_end().ends_with("index") {
            path.extend(string_args(&text[i..]));
        }
        mark(&path, prefix, reads);
        from = i;
    }
}

/// The double-quoted string arguments at the start of `text` (after
/// spaces), up to the first other token.
fn string_args(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    loop {
        let trimmed = rest.trim_start_matches([' ', '\t']);
        let Some(body) = trimmed.strip_prefix('"') else {
            break;
        };
        let Some(end) = body.find('"') else {
            break;
        };
        let key = &body[..end];
        if key.contains('\\') {
            break;
        }
        out.push(key.to_string());
        rest = &body[end + 1..];
    }
    out
}

fn mark(path: &[String], prefix: &[String], reads: &mut ReadSet) {
    let mut full = prefix.to_vec();
    full.extend(path.iter().cloned());
    reads.whole(&full);
    // A subchart's `.Values.global` is the top chart's `global`.
    if !prefix.is_empty() && path.first().is_some_and(|p| p == "global") {
        reads.whole(path);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str, prefix: &[&str]) -> ReadSet {
        let prefix: Vec<String> = prefix.iter().map(|s| s.to_string()).collect();
        let mut r = ReadSet::new();
        mark_chains(text, &prefix, &mut r);
        r
    }

    #[test]
    fn chains_read_their_subtree() {
        let r = read(
            "{{ .Values.image.tag }} {{ $.Values.a }} {{ with .Values.res }}{{ toYaml . }}{{ end }} {{ .context.Values.ctx.x }}",
            &[],
        );
        assert!(r.is_read(&["image", "tag"]));
        assert!(r.is_read(&["image", "tag", "below"]));
        assert!(!r.is_read(&["image", "repository"]));
        assert!(r.is_read(&["a", "b"]));
        assert!(r.is_read(&["res", "limits", "cpu"]));
        assert!(r.is_read(&["ctx", "x"]));
        assert!(!r.is_read(&["replicaCont"]));
    }

    #[test]
    fn index_keys_and_a_bare_values_read() {
        let r = read(r#"{{ index .Values "my-key" "sub" }}"#, &[]);
        assert!(r.is_read(&["my-key", "sub"]));
        assert!(!r.is_read(&["other"]));
        let r = read("{{ toYaml .Values }}", &[]);
        assert!(r.is_read(&["anything", "at", "all"]));
        let r = read("{{ .ValuesFile }}", &[]);
        assert!(!r.is_read(&["x"]));
    }

    #[test]
    fn a_subchart_reads_its_section_and_globals() {
        let r = read("{{ .Values.port }} {{ .Values.global.region }}", &["db"]);
        assert!(r.is_read(&["db", "port"]));
        assert!(r.is_read(&["global", "region"]));
        assert!(r.is_read(&["db", "global", "region"]));
        assert!(!r.is_read(&["db", "other"]));
    }
}
