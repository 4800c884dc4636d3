//! Helm's output of rendered files: `SplitManifests` (documents split on
//! `---`, trimmed), `SortManifests` (files by name, documents in order,
//! hooks apart, unknown hooks dropped, both sorted by kind in install
//! order), then `helm template`'s printing: CRDs first with
//! `--include-crds`, the manifests, the hooks (test hooks unless
//! `--skip-tests`, none with `--no-hooks`).

use std::collections::BTreeMap;
use std::sync::Arc;

use strata_chart::chart::Chart;
use strata_chart::deps::Enabled;
use strata_chart::value::{Node, Value};
use strata_chart::{Code, Diagnostic, Error, Location};

use crate::output::{Document, INSTALL_ORDER};

/// What to print besides the manifests.
#[derive(Debug, Clone, Copy, Default)]
pub struct HelmDocs {
    pub include_crds: bool,
    pub skip_tests: bool,
    pub no_hooks: bool,
}

/// Hook events Helm knows (`test-success` is Helm 2's name for `test`).
const HOOK_EVENTS: &[&str] = &[
    "pre-install",
    "post-install",
    "pre-delete",
    "post-delete",
    "pre-upgrade",
    "post-upgrade",
    "pre-rollback",
    "post-rollback",
    "test",
    "test-success",
];

/// Helm's `SplitManifests`: the text split where a line starts with `---`
/// (the separator regexp `(?:^|\s*\n)---\s*`), each piece trimmed, empty
/// pieces dropped.
pub(crate) fn split(text: &str) -> Vec<&str> {
    let text = text.trim();
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut start = 0usize;
    let mut i = 0usize;
    // The separator at the very start.
    if text.starts_with("---") {
        start = skip_space(bytes, 3);
        i = start;
    }
    while let Some(nl) = bytes[i..].iter().position(|&b| b == b'\n').map(|p| p + i) {
        if bytes[nl + 1..].starts_with(b"---") {
            let piece = text[start..nl].trim();
            if !piece.is_empty() {
                out.push(piece);
            }
            start = skip_space(bytes, nl + 4);
            i = start;
        } else {
            i = nl + 1;
        }
    }
    let piece = text[start.min(text.len())..].trim();
    if !piece.is_empty() {
        out.push(piece);
    }
    out
}

fn skip_space(bytes: &[u8], mut i: usize) -> usize {
    while i < bytes.len() && bytes[i].is_ascii_whitespace() {
        i += 1;
    }
    i.min(bytes.len())
}

/// What Helm reads of a document (`SimpleHead`).
struct Head {
    api_version: String,
    kind: String,
    name: String,
    namespace: Option<String>,
    /// `helm.sh/hook`, when annotated.
    hook: Option<String>,
}

fn head(doc: &str, file: &str) -> Result<Head, Diagnostic> {
    if let Some(h) = strata_yaml::manifest_head(doc) {
        if !h.hook {
            return Ok(Head {
                api_version: h.api_version.unwrap_or_default(),
                kind: h.kind.unwrap_or_default(),
                name: h.name.unwrap_or_default(),
                namespace: h.namespace,
                hook: None,
            });
        }
    }
    let name: Arc<str> = Arc::from(file);
    let node = strata_yaml::load_one(doc, &name).map_err(|d| Diagnostic {
        code: Code::Render,
        message: format!("YAML parse error on {file}: {}", d.message),
        ..d
    })?;
    let Some(node) = node else {
        return Ok(Head {
            api_version: String::new(),
            kind: String::new(),
            name: String::new(),
            namespace: None,
            hook: None,
        });
    };
    let map = match &node.value {
        Value::Map(m) => m,
        Value::Null => {
            return Ok(Head {
                api_version: String::new(),
                kind: String::new(),
                name: String::new(),
                namespace: None,
                hook: None,
            })
        }
        other => {
            return Err(Diagnostic::error(
                Code::Render,
                format!(
                    "YAML parse error on {file}: a document is {} {}, not a map",
                    if other.type_name().starts_with(['a', 'o']) {
                        "an"
                    } else {
                        "a"
                    },
                    other.type_name()
                ),
            )
            .at(Location::new(file, 1, 1)))
        }
    };
    let text = |n: Option<&Node>| match n.map(|n| &n.value) {
        Some(Value::Str(s)) => Some(s.clone()),
        Some(Value::Int(i)) => Some(i.to_string()),
        Some(Value::Bool(b)) => Some(b.to_string()),
        _ => None,
    };
    let metadata = map.get("metadata").and_then(Node::as_map);
    Ok(Head {
        api_version: text(map.get("apiVersion")).unwrap_or_default(),
        kind: text(map.get("kind")).unwrap_or_default(),
        name: text(metadata.and_then(|m| m.get("name"))).unwrap_or_default(),
        namespace: text(metadata.and_then(|m| m.get("namespace"))),
        hook: metadata
            .and_then(|m| m.get("annotations"))
            .and_then(Node::as_map)
            .and_then(|a| text(a.get("helm.sh/hook"))),
    })
}

fn rank(kind: &str) -> Option<usize> {
    INSTALL_ORDER.iter().position(|k| *k == kind)
}

/// Helm's `lessByKind`, for a stable sort.
fn by_kind(a: &str, b: &str) -> std::cmp::Ordering {
    use std::cmp::Ordering::*;
    match (rank(a), rank(b)) {
        (None, None) => a.cmp(b),
        (None, Some(_)) => Greater,
        (Some(_), None) => Less,
        (Some(x), Some(y)) => x.cmp(&y),
    }
}

fn document(source: &str, body: String, h: Head) -> Document {
    Document {
        source: source.to_string(),
        api_version: h.api_version,
        kind: h.kind,
        name: h.name,
        namespace: h.namespace,
        hook: h.hook.is_some(),
        body,
    }
}

/// The documents `helm template` prints for these rendered files
/// (template name → output), in its order.
pub fn documents(
    files: &BTreeMap<String, String>,
    crds: Vec<Document>,
    what: HelmDocs,
) -> Result<Vec<Document>, Error> {
    let mut generic: Vec<Document> = Vec::new();
    let mut hooks: Vec<(Document, bool)> = Vec::new();
    for (name, text) in files {
        let base = name.rsplit('/').next().unwrap_or(name);
        if base.starts_with('_') || text.trim().is_empty() {
            continue;
        }
        for doc in split(text) {
            let h = head(doc, name).map_err(Error::invalid)?;
            let body = format!("{doc}\n");
            match &h.hook {
                None => generic.push(document(name, body, h)),
                Some(types) => {
                    let events: Vec<String> = types
                        .split(',')
                        .map(|t| t.trim().to_ascii_lowercase())
                        .collect();
                    // Helm skips a document with an unknown hook.
                    if events.iter().any(|e| !HOOK_EVENTS.contains(&e.as_str())) {
                        continue;
                    }
                    let test = events.iter().any(|e| e == "test" || e == "test-success");
                    hooks.push((document(name, body, h), test));
                }
            }
        }
    }
    generic.sort_by(|a, b| by_kind(&a.kind, &b.kind));
    hooks.sort_by(|a, b| by_kind(&a.0.kind, &b.0.kind));
    let mut out = if what.include_crds { crds } else { Vec::new() };
    out.extend(generic);
    // `helm template` trims the release manifest (CRDs and manifests).
    if let Some(last) = out.last_mut() {
        let trimmed = last.body.trim_end().len();
        last.body.truncate(trimmed);
        last.body.push('\n');
    }
    if !what.no_hooks {
        out.extend(
            hooks
                .into_iter()
                .filter(|(_, test)| !(what.skip_tests && *test))
                .map(|(d, _)| d),
        );
    }
    Ok(out)
}

/// Helm's `CRDObjects`: `crds/*.yaml|yml|json` of the chart, then of its
/// subcharts in use, each printed as it is.
pub fn crds(chart: &Chart, full: &str, subs: &[Enabled]) -> Vec<Document> {
    let mut out = Vec::new();
    for (path, bytes) in chart
        .files
        .range::<String, _>("crds/".to_string().."crds0".to_string())
    {
        if !(path.ends_with(".yaml") || path.ends_with(".yml") || path.ends_with(".json")) {
            continue;
        }
        let text = String::from_utf8_lossy(bytes);
        out.push(Document {
            source: format!("{full}/{path}"),
            api_version: String::new(),
            kind: "CustomResourceDefinition".to_string(),
            name: String::new(),
            namespace: None,
            hook: false,
            body: format!("{text}\n"),
        });
    }
    for e in subs {
        if let Some(sub) = chart.subcharts.get(e.index) {
            out.extend(crds(
                sub,
                &format!("{full}/charts/{}", e.name),
                &e.subcharts,
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_as_helm() {
        assert_eq!(split("a: 1\n---\nb: 2\n"), ["a: 1", "b: 2"]);
        // The separator's trailing `\s*` eats the newline a second `---`
        // would need: Go's regexp leaves it in the document.
        assert_eq!(
            split("---\na: 1\n---   \n\n---\nb: 2"),
            ["a: 1", "---\nb: 2"]
        );
        // Any line starting with --- separates, as Helm's regexp does.
        assert_eq!(split("a: 1\n---x\nb: 2"), ["a: 1", "x\nb: 2"]);
        assert_eq!(split("  \n# c\n"), ["# c"]);
        assert!(split("\n---\n").is_empty());
    }

    #[test]
    fn kinds_sort_as_helm() {
        let mut kinds = vec!["Zed", "Deployment", "Abc", "Namespace", "", "Service"];
        kinds.sort_by(|a, b| by_kind(a, b));
        assert_eq!(
            kinds,
            ["Namespace", "Service", "Deployment", "", "Abc", "Zed"]
        );
    }
}
