//! Which values the templates read, and the values nobody reads.
//!
//! A template engine records every values path its templates look up in a
//! [`ReadSet`]: a key read (`values.image.tag` reads `image` and
//! `image.tag`, whether or not the key exists: a lookup of a missing key
//! still names a key the chart knows), or a whole subtree read at once
//! (iterating over a map, printing a subtree with `toyaml`/`tojson`,
//! `items()`), which counts every key below as read. The pipeline unions
//! the sets of every environment rendered, and [`unused`] reports the
//! values that layers set and nothing reads, with the nearest read key as
//! a suggestion when one is close (a typo).
//!
//! What an engine must supply (the minijinja engine does this in
//! `strata-template`'s `convert` module; a Go-template engine does the same
//! for `.Values`): [`ReadSet::key`] for each map lookup by key through the
//! values (`.Values.image.tag` → `["image"]`, `["image", "tag"]`; `index`,
//! `hasKey`, `get`, `dig` the same), and [`ReadSet::whole`] when a template
//! takes a subtree as a whole (`range`, `toYaml`, `toJson`, `keys`,
//! `values`, `pick`/`omit`, `merge`, a subtree passed to `tpl` or printed).
//! An engine that cannot tell reports no set at all, and no value is then
//! called unused.

use std::collections::BTreeMap;

use crate::diag::{Code, Diagnostic, Location};
use crate::value::{Map, Node, Origin, Path, Value};

/// Values paths that templates read, as a tree of keys.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ReadSet {
    root: ReadNode,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct ReadNode {
    /// The whole subtree was read.
    whole: bool,
    children: BTreeMap<String, ReadNode>,
}

impl ReadNode {
    /// Mark `path` read (and its subtree, when `whole`). Most reads are
    /// of keys read before: those allocate nothing.
    fn mark<S: AsRef<str>>(&mut self, path: &[S], whole: bool) {
        match path.split_first() {
            None => self.whole |= whole,
            Some((seg, rest)) => {
                if let Some(child) = self.children.get_mut(seg.as_ref()) {
                    return child.mark(rest, whole);
                }
                let mut child = ReadNode::default();
                child.mark(rest, whole);
                self.children.insert(seg.as_ref().to_string(), child);
            }
        }
    }

    fn union(&mut self, other: &ReadNode) {
        self.whole |= other.whole;
        for (k, c) in &other.children {
            self.children.entry(k.clone()).or_default().union(c);
        }
    }
}

impl ReadSet {
    /// An empty set.
    pub fn new() -> ReadSet {
        ReadSet::default()
    }

    /// Key `path` was looked up (existing or not).
    pub fn key<S: AsRef<str>>(&mut self, path: &[S]) {
        self.root.mark(path, false);
    }

    /// The subtree at `path` was read whole.
    pub fn whole<S: AsRef<str>>(&mut self, path: &[S]) {
        self.root.mark(path, true);
    }

    /// Add everything `other` read.
    pub fn union(&mut self, other: &ReadSet) {
        self.root.union(&other.root);
    }

    /// Whether the value at `path` is read: it, something below it, or a
    /// subtree holding it was read.
    pub fn is_read<S: AsRef<str>>(&self, path: &[S]) -> bool {
        self.unread_prefix(path).is_none()
    }

    /// The length of the shortest prefix of `path` that nothing read
    /// (`None` when the value is read).
    pub(crate) fn unread_prefix<S: AsRef<str>>(&self, path: &[S]) -> Option<usize> {
        let mut cur = &self.root;
        for (i, seg) in path.iter().enumerate() {
            if cur.whole {
                return None;
            }
            match cur.children.get(seg.as_ref()) {
                Some(c) => cur = c,
                None => return Some(i + 1),
            }
        }
        None
    }

    /// The keys read directly below `path`.
    pub(crate) fn keys_below<S: AsRef<str>>(&self, path: &[S]) -> Vec<&str> {
        let mut cur = &self.root;
        for seg in path {
            match cur.children.get(seg.as_ref()) {
                Some(c) => cur = c,
                None => return Vec::new(),
            }
        }
        cur.children.keys().map(String::as_str).collect()
    }
}

/// One layer of values as the user wrote it, before merging.
#[derive(Clone, Debug)]
pub struct Layer {
    /// `values.yaml`, `environments/prod.yaml`, a `-f` file as given, or
    /// the flag and its argument (`--set image.tag=2`).
    pub name: String,
    /// What kind of layer.
    pub kind: LayerKind,
    /// What it sets (a map).
    pub values: Map,
    /// The file's text, for source lines in diagnostics.
    pub text: Option<String>,
}

/// Where a layer comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LayerKind {
    /// The chart's values.yaml.
    Defaults,
    /// An environment's values file.
    Environment,
    /// A `-f` file.
    File,
    /// A `--set`-family flag.
    Flag,
}

/// Whether the schemas declare a values path.
pub trait Declared {
    /// `path` (or a part of it) is declared by a schema.
    fn declares(&self, path: &[String]) -> bool;
}

impl Declared for () {
    fn declares(&self, _: &[String]) -> bool {
        false
    }
}

/// How [`unused`] words its findings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// Reads of one render (`render`).
    OneRender,
    /// Reads of every environment (`lint`).
    AllEnvironments,
}

/// The values `layers` set that nothing in `reads` reads and no schema
/// declares: one warning per unread key and layer, at the key's origin,
/// with a suggestion when a read key under the same parent is close.
/// Chart defaults (values.yaml) are reported only when `defaults` is set
/// (lint, which has the reads of every environment).
pub fn unused(
    layers: &[Layer],
    reads: &ReadSet,
    declared: &dyn Declared,
    scope: Scope,
) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for layer in layers {
        let mut seen: Vec<Vec<String>> = Vec::new();
        let mut path: Vec<&str> = Vec::new();
        walk(&layer.values, &mut path, &mut |segs, _| {
            let Some(n) = reads.unread_prefix(segs) else {
                return;
            };
            let key: Vec<String> = segs[..n].iter().map(|s| s.to_string()).collect();
            let full: Vec<String> = segs.iter().map(|s| s.to_string()).collect();
            if seen.contains(&key) || declared.declares(&full) {
                return;
            }
            let origin = node_at(&layer.values, &key)
                .map(|n| n.origin.clone())
                .unwrap_or_default();
            out.push(finding(layer, &key, &origin, reads, scope));
            seen.push(key);
        });
    }
    out
}

/// Call `f` with the path of every leaf of `map` (scalars, lists and
/// empty maps), depth first in key order, without copying the tree.
fn walk<'a>(map: &'a Map, path: &mut Vec<&'a str>, f: &mut dyn FnMut(&[&str], &Node)) {
    for (k, v) in map {
        path.push(k);
        match &v.value {
            Value::Map(m) if !m.is_empty() => walk(m, path, f),
            _ => f(path, v),
        }
        path.pop();
    }
}

fn node_at<'a>(map: &'a Map, path: &[String]) -> Option<&'a Node> {
    let (first, rest) = path.split_first()?;
    let node = map.get(first)?;
    if rest.is_empty() {
        Some(node)
    } else {
        node.get_path(rest)
    }
}

fn finding(
    layer: &Layer,
    key: &[String],
    origin: &Origin,
    reads: &ReadSet,
    scope: Scope,
) -> Diagnostic {
    let shown = Path(key.to_vec()).to_string();
    let nobody = match scope {
        Scope::OneRender => "no template reads it",
        Scope::AllEnvironments => "no template reads it in any environment",
    };
    let mut message = match (layer.kind, origin) {
        (LayerKind::Defaults, _) => format!("chart default `{shown}` is unused: {nobody}"),
        (_, Origin::Flag { flag, arg }) => {
            format!("`{shown}` (set by {flag} {arg}) is unused: {nobody}")
        }
        _ => format!("`{shown}` is unused: {nobody}"),
    };
    if let Some((last, parent)) = key.split_last() {
        if let Some(s) = suggest(last, &reads.keys_below(parent)) {
            let mut full = parent.to_vec();
            full.push(s.to_string());
            message.push_str(&format!("; did you mean `{}`?", Path(full)));
        }
    }
    // A value set for a render and not read is a mistake (a typo, a key
    // that moved); a chart default nothing reads is dead weight, or read
    // by what a chart cannot see (a parent's import-values): worth
    // knowing, not failing on.
    let mut d = match layer.kind {
        LayerKind::Defaults => Diagnostic::info(Code::Unused, message),
        _ => Diagnostic::warning(Code::Unused, message),
    };
    if let Some(loc) = origin.location() {
        // Point at the key (the typo), not at its value.
        let (line, column) = key
            .last()
            .zip(layer.text.as_deref())
            .and_then(|(k, text)| key_position(text, loc.line, k))
            .unwrap_or((loc.line, loc.column));
        d = d.at(Location::new(loc.file.clone(), line, column));
        if let Some(text) = &layer.text {
            d = d.with_source(text);
        }
    }
    d
}

/// Where `key` is written as a map key at or above `line` (the line its
/// value starts on): the nearest line holding `key:` (quoted or not),
/// as 1-based line and column.
pub(crate) fn key_position(text: &str, line: u32, key: &str) -> Option<(u32, u32)> {
    let lines: Vec<&str> = text.lines().collect();
    let last = usize::try_from(line).ok()?.min(lines.len());
    let forms = [
        format!("{key}:"),
        format!("\"{key}\":"),
        format!("'{key}':"),
    ];
    for i in (0..last).rev() {
        let l = lines[i];
        for f in &forms {
            let mut from = 0;
            while let Some(at) = l[from..].find(f.as_str()) {
                let at = from + at;
                let before = l[..at].chars().next_back();
                if before.is_none_or(|c| matches!(c, ' ' | '\t' | '{' | ',' | '-')) {
                    let col = l[..at].chars().count() + 1;
                    return Some((u32::try_from(i + 1).ok()?, u32::try_from(col).ok()?));
                }
                from = at + f.len();
            }
        }
    }
    None
}

/// The candidate closest to `word` when it is close enough to be a typo:
/// the same letters in another case, or at most one edit in four letters
/// (two at most), the nearest first and, among equals, the first in order.
pub(crate) fn suggest<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
    let lower = word.to_lowercase();
    let limit = (word.chars().count() / 4).clamp(1, 2);
    candidates
        .iter()
        .filter(|c| **c != word)
        .filter_map(|c| {
            let d = if c.to_lowercase() == lower {
                0
            } else {
                distance(&lower, &c.to_lowercase())
            };
            (d <= limit).then_some((d, *c))
        })
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// Optimal string alignment distance: insertions, deletions,
/// substitutions and swaps of two neighbours each cost one. (Every "did
/// you mean" of strata measures with it.)
pub fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = v;
        }
    }
    d[a.len()][b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    fn layer(name: &str, kind: LayerKind, src: &str) -> Layer {
        let node = crate::yaml::load_values(src, &Arc::from(name)).expect("yaml");
        Layer {
            name: name.to_string(),
            kind,
            values: node.as_map().cloned().unwrap_or_default(),
            text: Some(src.to_string()),
        }
    }

    #[test]
    fn keys_read_and_subtrees_read_whole() {
        let mut r = ReadSet::new();
        r.key(&["image", "tag"]);
        r.whole(&["labels"]);
        assert!(r.is_read(&["image"]));
        assert!(r.is_read(&["image", "tag"]));
        assert!(!r.is_read(&["image", "repo"]));
        assert_eq!(r.unread_prefix(&["image", "repo", "x"]), Some(2));
        assert_eq!(r.unread_prefix(&["imagee", "tag"]), Some(1));
        assert!(r.is_read(&["labels", "a", "b"]));
        let mut other = ReadSet::new();
        other.key(&["image", "repo"]);
        r.union(&other);
        assert!(r.is_read(&["image", "repo"]));
        // A map read is not a read of its keys.
        assert_eq!(r.unread_prefix(&["image", "repo", "x"]), Some(3));
        assert_eq!(r.keys_below(&["image"]), ["repo", "tag"]);
    }

    #[test]
    fn suggestions_are_close_keys_only() {
        let keys = ["replicaCount", "image", "service", "ingress"];
        assert_eq!(suggest("replicaCont", &keys), Some("replicaCount"));
        assert_eq!(suggest("replicacount", &keys), Some("replicaCount"));
        assert_eq!(suggest("imagee", &keys), Some("image"));
        assert_eq!(suggest("imgae", &keys), Some("image"));
        assert_eq!(suggest("sevrice", &keys), Some("service"));
        assert_eq!(suggest("resources", &keys), None);
        assert_eq!(suggest("ab", &["ac", "xy"]), Some("ac"));
        assert_eq!(distance("kitten", "sitting"), 3);
    }

    #[test]
    fn unread_values_are_reported_once_at_their_key_with_a_suggestion() {
        let mut r = ReadSet::new();
        r.key(&["replicaCount"]);
        r.key(&["image", "tag"]);
        let layers = [
            layer(
                "environments/prod.yaml",
                LayerKind::Environment,
                "replicaCont: 9\nimage:\n  tag: x\n  tagg: y\nextra:\n  a: 1\n  b: 2\n",
            ),
            layer(
                "values.yaml",
                LayerKind::Defaults,
                "replicaCount: 1\nold: 2\n",
            ),
        ];
        let ds = unused(&layers, &r, &(), Scope::AllEnvironments);
        let text: Vec<String> = ds
            .iter()
            .map(|d| {
                let loc = d
                    .location
                    .as_ref()
                    .map(|l| l.to_string())
                    .unwrap_or_default();
                format!(
                    "{} @ {loc} | {}",
                    d.message,
                    d.snippet.clone().unwrap_or_default()
                )
            })
            .collect();
        assert_eq!(
            text,
            [
                "`replicaCont` is unused: no template reads it in any environment; did you mean `replicaCount`? @ environments/prod.yaml:1:1 | replicaCont: 9",
                "`image.tagg` is unused: no template reads it in any environment; did you mean `image.tag`? @ environments/prod.yaml:4:3 |   tagg: y",
                "`extra` is unused: no template reads it in any environment @ environments/prod.yaml:5:1 | extra:",
                "chart default `old` is unused: no template reads it in any environment @ values.yaml:2:1 | old: 2",
            ]
        );
    }
}
