//! From template output to checked, ordered manifests (DESIGN §5).
//!
//! Each template's output is split on `---` lines into documents; empty
//! ones are dropped; each is parsed with strata's YAML reader and must be a
//! map with `apiVersion`, `kind` and `metadata.name`. A document's body is
//! the template's own text (trimmed, as `helm template` prints it), not a
//! re-serialisation, so comments and layout survive.

use std::collections::HashMap;
use std::sync::Arc;

use strata_chart::value::{Node, Value};
use strata_chart::{Code, Diagnostic, Location};
use strata_yaml::ManifestHead;

/// One rendered manifest.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Document {
    /// The template it came from, chart name first: `api/templates/deployment.yaml`.
    pub source: String,
    /// `apiVersion`.
    pub api_version: String,
    /// `kind`.
    pub kind: String,
    /// `metadata.name`.
    pub name: String,
    /// `metadata.namespace`, when the document sets one.
    pub namespace: Option<String>,
    /// Whether it carries a `helm.sh/hook` annotation.
    pub hook: bool,
    /// The YAML text, without `---` or `# Source:` header, ending in `\n`.
    pub body: String,
}

/// Helm's install order of kinds (its `InstallOrder`); documents of other
/// kinds come after all of these. Equal to tests/conformance/install-order.txt.
pub(crate) const INSTALL_ORDER: &[&str] = &[
    "Namespace",
    "NetworkPolicy",
    "ResourceQuota",
    "LimitRange",
    "PodSecurityPolicy",
    "PodDisruptionBudget",
    "ServiceAccount",
    "Secret",
    "SecretList",
    "ConfigMap",
    "StorageClass",
    "PersistentVolume",
    "PersistentVolumeClaim",
    "CustomResourceDefinition",
    "ClusterRole",
    "ClusterRoleList",
    "ClusterRoleBinding",
    "ClusterRoleBindingList",
    "Role",
    "RoleList",
    "RoleBinding",
    "RoleBindingList",
    "Service",
    "DaemonSet",
    "Pod",
    "ReplicationController",
    "ReplicaSet",
    "Deployment",
    "HorizontalPodAutoscaler",
    "StatefulSet",
    "Job",
    "CronJob",
    "IngressClass",
    "Ingress",
    "APIService",
    "MutatingWebhookConfiguration",
    "ValidatingWebhookConfiguration",
];

/// A kind's rank in the install order; unknown kinds rank last.
pub(crate) fn install_order(kind: &str) -> usize {
    INSTALL_ORDER
        .iter()
        .position(|k| *k == kind)
        .unwrap_or(INSTALL_ORDER.len())
}

/// The documents as `helm template` prints them: `---`, `# Source: …`, body.
pub fn to_stream(docs: &[Document]) -> String {
    // Sized once: growing a string of megabytes by doubling copies it and
    // touches twice the memory.
    let mut out = String::with_capacity(stream_pieces(docs).map(str::len).sum());
    out.extend(stream_pieces(docs));
    out
}

/// Write [`to_stream`]'s text to `out` without joining it first: a large
/// chart's stream is megabytes, and a copy of it costs a page fault per
/// 4 KiB before the first byte is written. The pieces go out in vectored
/// writes.
pub fn write_stream(docs: &[Document], out: &mut impl std::io::Write) -> std::io::Result<()> {
    use std::io::{ErrorKind, IoSlice};
    /// Slices per write: Linux takes at most 1024 (`IOV_MAX`).
    const MAX_SLICES: usize = 1024;
    let mut slices: Vec<IoSlice<'_>> = stream_pieces(docs)
        .filter(|p| !p.is_empty())
        .map(|p| IoSlice::new(p.as_bytes()))
        .collect();
    let mut rest = &mut slices[..];
    while !rest.is_empty() {
        match out.write_vectored(&rest[..rest.len().min(MAX_SLICES)]) {
            Ok(0) => return Err(ErrorKind::WriteZero.into()),
            Ok(n) => IoSlice::advance_slices(&mut rest, n),
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    out.flush()
}

/// The stream's text in order, as pieces.
fn stream_pieces(docs: &[Document]) -> impl Iterator<Item = &str> {
    docs.iter()
        .flat_map(|d| ["---\n# Source: ", &d.source, "\n", &d.body])
}

/// A document before ordering: where it came from and its line.
#[derive(Debug)]
pub(crate) struct Placed {
    pub doc: Document,
    /// Chart-relative template path (`templates/x.yaml`).
    pub template: String,
    /// Index of the document within its template's output.
    pub index: usize,
    /// 1-based line of its first line in the generated text.
    pub line: u32,
}

/// Split one template's output into checked documents.
pub(crate) fn split(chart: &str, template: &str, text: &str) -> Result<Vec<Placed>, Diagnostic> {
    let source = format!("{chart}/{template}");
    let mut out = Vec::new();
    for (index, (start_line, chunk)) in chunks(text).into_iter().enumerate() {
        let body = chunk.trim();
        if body.is_empty() {
            continue;
        }
        // Only diagnostics need the name of the generated text.
        let file = || -> Arc<str> { Arc::from(format!("{template} (rendered)")) };
        let first_line = start_line + leading_blank_lines(chunk);
        let here = |msg: String| {
            Diagnostic::error(Code::Render, msg)
                .at(Location::new(file(), first_line, 1))
                .with_source_from(chunk, start_line)
                .note(format!(
                    "the line shown is line {first_line} of the text {template} generated"
                ))
        };
        // One pass over the parser's events reads a plain manifest; the
        // loader builds the whole tree only for what that pass declines
        // (errors, anchors, tags, non-maps), and gives their diagnostics.
        let head = match strata_yaml::manifest_head(chunk) {
            Some(head) => head,
            None => {
                let file = file();
                // Reported lines are lines of the generated text.
                let node = match strata_yaml::load_one_from_line(chunk, &file, start_line) {
                    Ok(Some(n)) if !n.value.is_null() => n,
                    Ok(_) => continue, // comments only
                    Err(d) => return Err(invalid_yaml(d, template, &file, chunk, start_line)),
                };
                let Value::Map(map) = &node.value else {
                    return Err(here(format!(
                        "{template}: a rendered document must be a map (a Kubernetes resource), not {}",
                        node.value.type_name()
                    )));
                };
                head_of(map)
            }
        };
        let api_version = head
            .api_version
            .ok_or_else(|| here(format!("{template}: a rendered document has no apiVersion")))?;
        let kind = head
            .kind
            .ok_or_else(|| here(format!("{template}: a rendered document has no kind")))?;
        let name = head
            .name
            .ok_or_else(|| here(format!("{template}: the {kind} has no metadata.name")))?;
        let namespace = head.namespace;
        let hook = head.hook;
        // Exactly sized: `to_string` then `push` doubled every body.
        let mut text = String::with_capacity(body.len() + 1);
        text.push_str(body);
        text.push('\n');
        out.push(Placed {
            doc: Document {
                source: source.clone(),
                api_version,
                kind,
                name,
                namespace,
                hook,
                body: text,
            },
            template: template.to_string(),
            index,
            line: first_line,
        });
    }
    Ok(out)
}

/// The head of a document the loader read (the slow path of [`split`]).
fn head_of(map: &strata_chart::value::Map) -> ManifestHead {
    let string = |node: Option<&Node>| match node.map(|n| &n.value) {
        Some(Value::Str(s)) if !s.is_empty() => Some(s.clone()),
        _ => None,
    };
    let metadata = map.get("metadata").and_then(Node::as_map);
    ManifestHead {
        api_version: string(map.get("apiVersion")),
        kind: string(map.get("kind")),
        name: string(metadata.and_then(|m| m.get("name"))),
        namespace: string(metadata.and_then(|m| m.get("namespace"))),
        hook: metadata
            .and_then(|m| m.get("annotations"))
            .and_then(Node::as_map)
            .is_some_and(|a| a.contains_key("helm.sh/hook")),
    }
}

/// The loader's YAML error, reworded as a render error on the generated text.
/// `chunk` is the document's text, which starts at line `start_line`.
fn invalid_yaml(
    d: Diagnostic,
    template: &str,
    file: &Arc<str>,
    chunk: &str,
    start_line: u32,
) -> Diagnostic {
    let reason = d
        .message
        .strip_prefix("invalid YAML: ")
        .unwrap_or(&d.message)
        .to_string();
    let mut d = Diagnostic {
        code: Code::Render,
        message: format!("{template} produced invalid YAML: {reason}"),
        ..d
    };
    if d.snippet.is_none() {
        // The parser stopped at the end of the text: show its last line.
        if let Some((i, last)) = chunk
            .lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty())
            .last()
        {
            d.location = Some(Location::new(
                file.clone(),
                u32::try_from(i)
                    .unwrap_or(u32::MAX)
                    .saturating_add(start_line),
                u32::try_from(last.chars().count() + 1).unwrap_or(u32::MAX),
            ));
            d.snippet = Some(last.to_string());
        }
    }
    d.notes.push(format!(
        "the line shown is line {} of the text {template} generated, not of the template",
        d.location.as_ref().map_or(0, |l| l.line)
    ));
    d
}

fn leading_blank_lines(chunk: &str) -> u32 {
    let mut n = 0;
    for line in chunk.split('\n') {
        if line.trim().is_empty() {
            n += 1;
        } else {
            break;
        }
    }
    n
}

/// The text between `---` separator lines, each with its 1-based first line.
///
/// Every rendered byte passes here, so the text is not cut into lines:
/// newlines are found eight bytes at a time, and only a line starting
/// with `---` is looked at further.
fn chunks(text: &str) -> Vec<(u32, &str)> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut start = 0usize;
    let mut start_line = 1u32;
    // The line beginning at `at` is line `line_no`.
    let mut at = 0usize;
    let mut line_no = 1u32;
    loop {
        let next = find_newline(bytes, at);
        if bytes[at..].starts_with(b"---") {
            let end = next.map_or(text.len(), |n| n + 1);
            let bare = text[at..end].trim_end();
            if bare == "---"
                || (bare.starts_with("--- ") && bare[4..].trim_start().starts_with('#'))
            {
                out.push((start_line, &text[start..at]));
                start = end;
                start_line = line_no.saturating_add(1);
            }
        }
        match next {
            Some(n) => {
                at = n + 1;
                line_no = line_no.saturating_add(1);
            }
            None => break,
        }
    }
    out.push((start_line, &text[start..]));
    out
}

/// The position of the first `\n` in `bytes[from..]`, read a word at a time.
pub(crate) fn find_newline(bytes: &[u8], from: usize) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    const NEWLINES: u64 = ONES * b'\n' as u64;
    let mut i = from;
    while let Some(word) = bytes.get(i..i + 8) {
        let mut chunk = [0u8; 8];
        chunk.copy_from_slice(word);
        let x = u64::from_le_bytes(chunk) ^ NEWLINES;
        // The lowest flagged byte is the first zero byte of x (borrows
        // only run upwards from a zero byte).
        let zero = x.wrapping_sub(ONES) & !x & HIGH;
        if zero != 0 {
            return Some(i + (zero.trailing_zeros() / 8) as usize);
        }
        i += 8;
    }
    bytes
        .get(i..)?
        .iter()
        .position(|&b| b == b'\n')
        .map(|p| i + p)
}

/// Check for duplicates and order as Helm installs: kinds in install order,
/// then template path and position; hooks after everything else.
pub(crate) fn order(placed: Vec<Placed>, release_ns: &str) -> Result<Vec<Document>, Diagnostic> {
    // Keys borrow from the documents: nothing is copied per document.
    let mut seen: HashMap<(&str, &str, &str, &str), (&str, u32)> =
        HashMap::with_capacity(placed.len());
    for p in &placed {
        let group = match p.doc.api_version.rsplit_once('/') {
            Some((g, _)) => g,
            None => "",
        };
        let ns = p.doc.namespace.as_deref().unwrap_or(release_ns);
        let key = (group, p.doc.kind.as_str(), ns, p.doc.name.as_str());
        if let Some((other, other_line)) = seen.get(&key) {
            return Err(Diagnostic::error(
                Code::Render,
                format!(
                    "duplicate resource: {} {:?} in namespace {:?} is rendered twice, by {} and by {}",
                    p.doc.kind, p.doc.name, ns, other, p.template
                ),
            )
            .at(Location::new(format!("{} (rendered)", p.template), p.line, 1))
            .note(format!("first rendered at {other} (rendered):{other_line}"))
            .note("two resources with the same API group, kind, namespace and name would overwrite each other"));
        }
        seen.insert(key, (p.template.as_str(), p.line));
    }
    drop(seen);
    // Kinds Helm does not list sort after those, alphabetically by kind
    // among themselves (as Helm's kind sorter does). The sort orders
    // positions by borrowed keys, then the documents are moved once.
    let ranks: Vec<usize> = placed.iter().map(|p| install_order(&p.doc.kind)).collect();
    let key = |i: usize| {
        let p = &placed[i];
        let rank = ranks[i];
        let unknown = if rank == INSTALL_ORDER.len() {
            p.doc.kind.as_str()
        } else {
            ""
        };
        (p.doc.hook, rank, unknown, p.template.as_str(), p.index)
    };
    let mut positions: Vec<usize> = (0..placed.len()).collect();
    // Documents usually arrive in template order already; then a stable
    // sort on the kind alone gives the same order without comparing paths.
    let in_template_order = placed
        .windows(2)
        .all(|w| (w[0].template.as_str(), w[0].index) <= (w[1].template.as_str(), w[1].index));
    if in_template_order {
        positions.sort_by_key(|&i| {
            let (hook, rank, unknown, _, _) = key(i);
            (hook, rank, unknown)
        });
    } else {
        positions.sort_by(|&a, &b| key(a).cmp(&key(b)));
    }
    let mut docs: Vec<Option<Document>> = placed.into_iter().map(|p| Some(p.doc)).collect();
    Ok(positions
        .into_iter()
        .filter_map(|i| docs.get_mut(i).and_then(Option::take))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The line-by-line split `chunks` replaced, as the reference.
    fn chunks_by_line(text: &str) -> Vec<(u32, &str)> {
        let mut out = Vec::new();
        let mut start = 0usize;
        let mut start_line = 1u32;
        let mut offset = 0usize;
        for (line_no, line) in (1u32..).zip(text.split_inclusive('\n')) {
            let bare = line.trim_end();
            let is_sep = bare == "---"
                || (bare.starts_with("--- ") && bare[4..].trim_start().starts_with('#'));
            if is_sep {
                out.push((start_line, &text[start..offset]));
                start = offset + line.len();
                start_line = line_no + 1;
            }
            offset += line.len();
        }
        out.push((start_line, &text[start..]));
        out
    }

    /// A writer that takes a few bytes per call, and is interrupted now
    /// and then, as a pipe may be.
    struct Trickle {
        got: Vec<u8>,
        calls: usize,
    }

    impl std::io::Write for Trickle {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.calls += 1;
            if self.calls.is_multiple_of(7) {
                return Err(std::io::ErrorKind::Interrupted.into());
            }
            let n = buf.len().min(1 + self.calls % 13);
            self.got.extend_from_slice(&buf[..n]);
            Ok(n)
        }

        fn write_vectored(&mut self, bufs: &[std::io::IoSlice<'_>]) -> std::io::Result<usize> {
            // More than Linux takes is a caller's bug.
            assert!(bufs.len() <= 1024, "{} slices in one write", bufs.len());
            if self.calls.is_multiple_of(3) {
                // Sometimes several slices at once, ending inside one.
                self.calls += 1;
                let all: Vec<u8> = bufs.iter().flat_map(|b| b.iter().copied()).collect();
                let n = all.len().min(40);
                self.got.extend_from_slice(&all[..n]);
                return Ok(n);
            }
            let first = bufs
                .iter()
                .find(|b| !b.is_empty())
                .map_or(&[][..], |b| &**b);
            self.write(first)
        }

        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn written_stream_is_the_joined_stream() {
        let docs: Vec<Document> = (0..700)
            .map(|i| Document {
                source: format!("c/templates/t{i}.yaml"),
                api_version: "v1".into(),
                kind: "ConfigMap".into(),
                name: format!("n{i}"),
                namespace: None,
                hook: false,
                // Some bodies empty: empty pieces are not written.
                body: if i % 5 == 0 {
                    String::new()
                } else {
                    format!("a: {i}\n")
                },
            })
            .collect();
        let mut out = Trickle {
            got: Vec::new(),
            calls: 0,
        };
        write_stream(&docs, &mut out).unwrap();
        // 700 documents are 2,660 slices: more than one vectored write.
        assert_eq!(String::from_utf8(out.got).unwrap(), to_stream(&docs));
        let mut empty = Trickle {
            got: Vec::new(),
            calls: 0,
        };
        write_stream(&[], &mut empty).unwrap();
        assert!(empty.got.is_empty());
    }

    #[test]
    fn chunks_agree_with_a_line_by_line_split() {
        let texts = [
            "",
            "---",
            "---\n",
            "a: 1\n---\nb: 2\n",
            "---\na: 1\n---\n---\n",
            "a: 1\n----\n---x\n --- \n--- # c\n---   #c\n--- x\n---\t\nb\n",
            "x: ---\n---\r\ny: \"---\"\n-----\n---",
            "a\n\n\n---\n\n\nb\n---  \n",
            "é: ---\n---\nü\n--- #\n",
            "a---\n---\n--- ---\n---\u{85}\n",
        ];
        for t in texts {
            assert_eq!(chunks(t), chunks_by_line(t), "{t:?}");
        }
    }

    /// Lines a rendered text is made of, for texts at every alignment.
    const LINES: &[&str] = &[
        "---\n",
        "a: 1\n",
        "\n",
        "--- # x\n",
        "----\n",
        "- item\n",
        "  ---\n",
        "---  \n",
        "é—\n",
        "x",
        "---",
        "--- y\n",
        "long line of text over eight bytes\n",
    ];

    proptest::proptest! {
        #![proptest_config(proptest::test_runner::Config {
            cases: 2000,
            failure_persistence: None,
            ..proptest::test_runner::Config::default()
        })]

        /// Many texts from a handful of lines: the fast split agrees with
        /// the line-by-line one.
        #[test]
        fn chunks_agree_on_texts_of_lines(
            picks in proptest::collection::vec(0..LINES.len(), 0..16)
        ) {
            let t: String = picks.iter().map(|&i| LINES[i]).collect();
            proptest::prop_assert_eq!(chunks(&t), chunks_by_line(&t), "{:?}", t);
        }
    }

    #[test]
    fn newlines_are_found_at_every_position() {
        for len in 0..40 {
            for at in 0..len {
                let mut t = vec![b'a'; len];
                t[at] = b'\n';
                for from in 0..len {
                    let want = (from <= at).then_some(at);
                    assert_eq!(find_newline(&t, from), want, "{len} {at} {from}");
                }
            }
        }
        assert_eq!(find_newline(b"", 0), None);
        assert_eq!(find_newline("\u{10a}\n".as_bytes(), 0), Some(2));
    }

    #[test]
    fn install_order_equals_the_conformance_list() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../tests/conformance/install-order.txt"
        );
        let text = std::fs::read_to_string(path).unwrap();
        let list: Vec<&str> = text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect();
        assert_eq!(list, INSTALL_ORDER);
    }

    #[test]
    fn splits_on_separator_lines_and_drops_empty_documents() {
        let text = "---\n# only a comment\n---\n\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a # keep me\n---   \n\n---\napiVersion: v1\nkind: Secret\nmetadata: {name: b}\n";
        let docs = split("c", "templates/x.yaml", text).unwrap();
        assert_eq!(docs.len(), 2);
        assert_eq!(
            docs[0].doc.body,
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a # keep me\n"
        );
        assert_eq!(docs[0].line, 5);
        assert_eq!(docs[1].doc.kind, "Secret");
        assert_eq!(docs[1].line, 12);
    }

    #[test]
    fn yaml_errors_point_at_generated_lines() {
        let d = split(
            "c",
            "templates/x.yaml",
            "apiVersion: v1\nkind: A\nmetadata: {name: a}\n---\nkind: [\n",
        )
        .unwrap_err();
        assert_eq!(
            d.location.unwrap().to_string(),
            "templates/x.yaml (rendered):5:8"
        );
        let d = split(
            "c",
            "templates/x.yaml",
            "apiVersion: v1\nmetadata: {name: a}\n",
        )
        .unwrap_err();
        assert!(d.message.contains("has no kind"), "{}", d.message);
    }

    /// The documents two templates render, split, in the order given.
    fn two(first: (&str, &str), second: (&str, &str)) -> Vec<Placed> {
        let mut all = split("c", first.0, first.1).unwrap();
        all.extend(split("c", second.0, second.1).unwrap());
        all
    }

    #[test]
    fn orders_by_kind_then_source_and_hooks_last() {
        let all = two(
            ("templates/a.yaml", "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\n---\napiVersion: v1\nkind: Foo\nmetadata: {name: f}\n"),
            ("templates/b.yaml", "apiVersion: v1\nkind: Job\nmetadata:\n  name: h\n  annotations: {helm.sh/hook: pre-install}\n---\napiVersion: v1\nkind: Service\nmetadata: {name: s}\n---\napiVersion: v1\nkind: Bar\nmetadata: {name: b}\n"),
        );
        let docs = order(all, "default").unwrap();
        let kinds: Vec<&str> = docs.iter().map(|d| d.kind.as_str()).collect();
        assert_eq!(kinds, ["Service", "Deployment", "Bar", "Foo", "Job"]);
    }

    #[test]
    fn orders_the_same_whatever_order_templates_arrive_in() {
        let a = "apiVersion: v1\nkind: Service\nmetadata: {name: a1}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: a2}\n";
        let b = "apiVersion: v1\nkind: Service\nmetadata: {name: b1}\n---\napiVersion: v1\nkind: Foo\nmetadata: {name: b2}\n";
        let names = |first: (&str, &str), second: (&str, &str)| {
            let docs = order(two(first, second), "default").unwrap();
            docs.into_iter().map(|d| d.name).collect::<Vec<_>>()
        };
        let sorted = names(("templates/a.yaml", a), ("templates/b.yaml", b));
        let reversed = names(("templates/b.yaml", b), ("templates/a.yaml", a));
        assert_eq!(sorted, ["a2", "a1", "b1", "b2"]);
        assert_eq!(reversed, sorted);
    }

    #[test]
    fn duplicates_name_both_templates() {
        let a = (
            "templates/a.yaml",
            "apiVersion: v1\nkind: Service\nmetadata: {name: s}\n",
        );
        let all = two(
            a,
            (
                "templates/b.yaml",
                "apiVersion: v1\nkind: Service\nmetadata: {name: s, namespace: default}\n",
            ),
        );
        let d = order(all, "default").unwrap_err();
        assert!(
            d.message
                .contains("templates/a.yaml and by templates/b.yaml"),
            "{}",
            d.message
        );
        // Different group: no clash.
        let all = two(
            a,
            (
                "templates/b.yaml",
                "apiVersion: x.io/v1\nkind: Service\nmetadata: {name: s}\n",
            ),
        );
        assert_eq!(order(all, "default").unwrap().len(), 2);
    }
}
