//! Kubernetes validation of manifest streams, offline (DESIGN §6).
//!
//! Every document is checked against the strict JSON schema of its
//! apiVersion and kind for one Kubernetes minor version, from the schemas
//! bundled in the binary (`bundle.rs`): unknown fields, wrong types,
//! missing required fields and values outside an enum are errors. An
//! apiVersion/kind that Kubernetes does not serve at that version (removed,
//! or not yet added) is an error saying which versions serve it and what to
//! use instead (`removed.rs`). Custom resources are checked against the
//! `openAPIV3Schema` of the CustomResourceDefinitions in the same stream
//! and in `--crds` files (`crd.rs`); a kind with no schema anywhere is a
//! warning (an error with `strict`).
//!
//! Every finding names the stream's file, the field path
//! (`spec.template.spec.containers[0].image`), the document (index, kind,
//! name) and the field's line and column in the stream. A `Tracer` adds
//! where a rendered line came from (template and value, see `trace`).

mod bundle;
mod crd;
mod removed;
pub(crate) mod trace;

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use jsonschema::error::ValidationErrorKind;
use jsonschema::paths::LocationSegment;
use serde_json::Value as J;
use strata_chart::value::{Node, Value};
use strata_chart::{Code, Diagnostic, Error, Location, Severity};

pub(crate) use bundle::parse_minor;
pub use bundle::Minor;
pub use trace::Field;
pub(crate) use trace::{TemplateTracer, Tracer};

/// The diagnostic code of every finding here.
pub const CODE: Code = Code::Kube;

/// Longest echo of an offending value in a message.
const MAX_ECHO: usize = 60;

/// What to validate against.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Kubernetes version (`1.31`, `v1.31.0`); default
    /// `DEFAULT_KUBE_VERSION`.
    pub kube_version: Option<String>,
    /// A kind with no schema is an error, not a warning.
    pub strict: bool,
    /// APIs the cluster serves besides Kubernetes' own (an environment's
    /// `apiVersions`: `group/version` or `group/version/Kind`): a kind with
    /// no schema among them is not reported, the cluster being declared
    /// to serve it.
    pub api_versions: Vec<String>,
}

/// A YAML stream and the name to report it by.
#[derive(Clone, Debug)]
pub struct Stream {
    /// The path as the user gave it (`-` for standard input).
    pub file: Arc<str>,
    /// Its text.
    pub text: String,
}

use bundle::Bundle;

/// The group of an apiVersion: `apps` for `apps/v1`, empty for `v1`.
pub(crate) fn group_of(api_version: &str) -> &str {
    api_version.rsplit_once('/').map_or("", |(g, _)| g)
}

fn show(v: Minor) -> String {
    format!("{}.{}", v.0, v.1)
}

/// Validates documents for one Kubernetes version, with the CRDs given
/// up front; reusable across streams (and threads).
pub(crate) struct Checker {
    bundle: &'static Bundle,
    version: Minor,
    strict: bool,
    /// Custom resource schemas from `--crds`.
    crds: Vec<crd::CrdSchema>,
    /// APIs declared served ([`Options::api_versions`]).
    declared: Vec<String>,
    /// Findings about the setup itself (a version newer than the bundle).
    setup: Vec<Diagnostic>,
    /// Compiled CRD schemas, by apiVersion, kind and schema digest.
    compiled: Mutex<HashMap<String, Compiled>>,
}

/// A compiled schema and its text (to find the fields an object allows).
type Compiled = Result<Arc<(jsonschema::Validator, J)>, String>;

/// Compiled bundled schemas, shared by every checker of the process.
type Cache = Mutex<HashMap<(Minor, String, String), Compiled>>;

fn bundled_cache() -> &'static Cache {
    static CACHE: OnceLock<Cache> = OnceLock::new();
    CACHE.get_or_init(|| Mutex::new(HashMap::new()))
}

impl Checker {
    /// A checker for `opts`, with the custom resource definitions found in
    /// `crds` (streams of any documents; the CRDs among them count).
    pub fn new(opts: &Options, crds: &[Stream]) -> Result<Checker, Error> {
        let bundle = Bundle::get().map_err(|e| Error::msg(CODE, e))?;
        let asked = opts
            .kube_version
            .as_deref()
            .unwrap_or(crate::DEFAULT_KUBE_VERSION);
        let Some(minor) = parse_minor(asked) else {
            return Err(Error::Usage(format!(
                "--kube-version {asked:?} is not a Kubernetes version (1.31, v1.31.0)"
            )));
        };
        let (Some(&oldest), Some(&newest)) = (bundle.versions().first(), bundle.versions().last())
        else {
            return Err(Error::msg(CODE, "the bundled Kubernetes schemas are empty"));
        };
        let mut setup = Vec::new();
        let version = if minor < oldest {
            return Err(Error::Usage(format!(
                "Kubernetes {asked}: strata bundles schemas for Kubernetes {} to {} only",
                show(oldest),
                show(newest)
            )));
        } else if minor > newest {
            setup.push(Diagnostic::warning(
                CODE,
                format!(
                    "Kubernetes {asked} is newer than the newest bundled schemas; validating against {}",
                    show(newest)
                ),
            ));
            newest
        } else if bundle.versions().contains(&minor) {
            minor
        } else {
            // A gap in the bundle: the newest older version.
            bundle
                .versions()
                .iter()
                .rev()
                .find(|v| **v <= minor)
                .copied()
                .unwrap_or(oldest)
        };
        let mut schemas = Vec::new();
        for s in crds {
            let docs = strata_yaml::load_stream(&s.text, &s.file).map_err(Error::invalid)?;
            for d in &docs {
                schemas.extend(crd::schemas_of(&d.to_json()));
            }
        }
        Ok(Checker {
            bundle,
            version,
            strict: opts.strict,
            crds: schemas,
            declared: opts.api_versions.clone(),
            setup,
            compiled: Mutex::new(HashMap::new()),
        })
    }

    /// The Kubernetes minor version documents are checked against.
    pub fn version(&self) -> Minor {
        self.version
    }

    /// Findings about the setup (e.g. a version newer than the bundle).
    pub(crate) fn setup_findings(&self) -> &[Diagnostic] {
        &self.setup
    }

    /// Validate one stream's text: parse it, then [`Checker::check_documents`].
    /// Also returns how many documents it holds.
    pub(crate) fn check_stream(
        &self,
        stream: &Stream,
        tracer: Option<&dyn Tracer>,
    ) -> (Vec<Diagnostic>, usize) {
        match strata_yaml::load_stream(&stream.text, &stream.file) {
            Ok(docs) => (
                self.check_documents(&stream.file, &stream.text, &docs, tracer),
                docs.len(),
            ),
            Err(d) => (vec![d], 0),
        }
    }

    /// Validate the documents of one stream (`docs`, as parsed from
    /// `text`, named `file`). The CRDs among them join the checker's own
    /// for this stream.
    pub(crate) fn check_documents(
        &self,
        file: &Arc<str>,
        text: &str,
        docs: &[Node],
        tracer: Option<&dyn Tracer>,
    ) -> Vec<Diagnostic> {
        let jsons: Vec<J> = docs.iter().map(Node::to_json).collect();
        let local: Vec<crd::CrdSchema> = jsons.iter().flat_map(crd::schemas_of).collect();
        self.check_parsed(file, text, docs, &jsons, tracer, 1, &local)
    }

    /// [`Checker::check_documents`] of documents numbered from `first`,
    /// with the custom resource schemas `extra` besides the checker's.
    #[allow(clippy::too_many_arguments)]
    fn check_parsed(
        &self,
        file: &Arc<str>,
        text: &str,
        docs: &[Node],
        jsons: &[J],
        tracer: Option<&dyn Tracer>,
        first: usize,
        extra: &[crd::CrdSchema],
    ) -> Vec<Diagnostic> {
        let lines = LineIndex::new(text);
        let mut out = Vec::new();
        // Kinds without a schema: one warning per kind, at its first document.
        let mut missing: BTreeMap<(String, String), (usize, Location, usize)> = BTreeMap::new();
        for (i, (node, json)) in docs.iter().zip(jsons).enumerate() {
            let doc = Doc {
                file,
                text,
                lines: &lines,
                index: first + i,
                node,
                tracer,
            };
            self.check_one(&doc, json, extra, &mut out, &mut missing);
        }
        for ((api, kind), (index, loc, count)) in missing {
            let sev = if self.strict {
                Severity::Error
            } else {
                Severity::Warning
            };
            let more = if count > 1 {
                format!(" ({count} documents, the first is document {index})")
            } else {
                format!(" (document {index})")
            };
            out.push(
                Diagnostic::new(
                    sev,
                    CODE,
                    format!("no schema for {api} {kind}: not a Kubernetes {} API, and no CustomResourceDefinition in the stream or --crds defines it{more}", show(self.version)),
                )
                .at(loc)
                .with_snippet(text, &lines),
            );
        }
        out
    }

    fn check_one(
        &self,
        doc: &Doc<'_>,
        json: &J,
        crds: &[crd::CrdSchema],
        out: &mut Vec<Diagnostic>,
        missing: &mut BTreeMap<(String, String), (usize, Location, usize)>,
    ) {
        let here = doc.loc(doc.node);
        let Value::Map(m) = &doc.node.value else {
            out.push(
                Diagnostic::error(
                    CODE,
                    format!(
                        "document {} is {}, not a Kubernetes object (a map)",
                        doc.index,
                        match &doc.node.value {
                            Value::Seq(_) => "a list",
                            Value::Str(_) => "a string",
                            Value::Int(_) | Value::Float(_) => "a number",
                            Value::Bool(_) => "a boolean",
                            _ => "null",
                        }
                    ),
                )
                .at(here)
                .with_snippet(doc.text, doc.lines),
            );
            return;
        };
        let field = |k: &str| m.get(k).and_then(Node::as_str);
        let (Some(api), Some(kind)) = (field("apiVersion"), field("kind")) else {
            let what = if field("apiVersion").is_none() {
                "apiVersion"
            } else {
                "kind"
            };
            out.push(
                Diagnostic::error(
                    CODE,
                    format!("document {} has no {what} (a string)", doc.index),
                )
                .at(here)
                .with_snippet(doc.text, doc.lines),
            );
            return;
        };
        let name = doc
            .node
            .get_path(&["metadata", "name"])
            .or_else(|| doc.node.get_path(&["metadata", "generateName"]))
            .and_then(Node::as_str)
            .unwrap_or("(unnamed)");
        let who = Who {
            api,
            kind,
            name,
            index: doc.index,
            version: self.version,
        };
        let validator = if self.bundle.serves(self.version, api, kind) {
            self.bundled(api, kind)
        } else if let Some(c) = crds
            .iter()
            .rev()
            .chain(self.crds.iter().rev())
            .find(|c| c.api_version == api && c.kind == kind)
        {
            self.custom(c)
        } else if let Some(d) = self.not_served(api, kind) {
            let node = m.get("apiVersion").unwrap_or(doc.node);
            out.push(doc.finding(&who, node, String::new(), d));
            return;
        } else if self
            .declared
            .iter()
            .any(|d| d == api || *d == format!("{api}/{kind}"))
        {
            return;
        } else {
            let e = missing
                .entry((api.to_string(), kind.to_string()))
                .or_insert((doc.index, here, 0));
            e.2 += 1;
            return;
        };
        let validator = match validator {
            Ok(v) => v,
            Err(e) => {
                out.push(
                    Diagnostic::error(CODE, format!("{api} {kind}: {e}"))
                        .at(here)
                        .with_snippet(doc.text, doc.lines),
                );
                return;
            }
        };
        let (validator, schema) = &*validator;
        let first = out.len();
        for e in validator.iter_errors(json) {
            let path: Vec<Seg> = e
                .instance_path()
                .iter()
                .map(|s| match s {
                    LocationSegment::Property(p) => Seg::Key(p.to_string()),
                    LocationSegment::Index(i) => Seg::Index(i),
                })
                .collect();
            let node = doc.node_at(&path);
            match e.kind() {
                ValidationErrorKind::AdditionalProperties { unexpected } => {
                    let fields = allowed_fields(schema, e.schema_path().as_str());
                    for key in unexpected {
                        let mut p = path.clone();
                        p.push(Seg::Key(key.clone()));
                        let at = doc.key_location(node, key);
                        let mut d = doc.finding_at(
                            &who,
                            at,
                            node,
                            Field::Key(key),
                            show_path(&p),
                            "unknown field".to_string(),
                        );
                        if let Some(c) = closest(key, &fields) {
                            d.notes.insert(0, format!("did you mean \"{c}\"?"));
                        }
                        out.push(d);
                    }
                }
                ValidationErrorKind::Required { property } => {
                    let p = property.as_str().unwrap_or_default();
                    out.push(doc.finding_at(
                        &who,
                        None,
                        node,
                        Field::Key(p),
                        show_path(&path),
                        format!("missing required field \"{p}\""),
                    ));
                }
                _ => {
                    let what = describe(&e);
                    out.push(doc.finding(&who, node, show_path(&path), what));
                }
            }
        }
        // In the order they appear in the document.
        out[first..].sort_by_key(|d| d.location.as_ref().map(|l| (l.line, l.column)));
    }

    fn bundled(&self, api: &str, kind: &str) -> Compiled {
        let key = (self.version, api.to_string(), kind.to_string());
        if let Ok(cache) = bundled_cache().lock() {
            if let Some(c) = cache.get(&key) {
                return c.clone();
            }
        }
        let compiled = match self.bundle.schema(self.version, api, kind) {
            Ok(Some(schema)) => compile(&schema, jsonschema::Draft::Draft202012),
            Ok(None) => Err("no schema".to_string()),
            Err(e) => Err(e),
        };
        if let Ok(mut cache) = bundled_cache().lock() {
            cache.insert(key, compiled.clone());
        }
        compiled
    }

    fn custom(&self, c: &crd::CrdSchema) -> Compiled {
        let key = format!("{}\n{}\n{:x}", c.api_version, c.kind, c.digest);
        if let Ok(cache) = self.compiled.lock() {
            if let Some(v) = cache.get(&key) {
                return v.clone();
            }
        }
        let compiled = compile(&c.schema, jsonschema::Draft::Draft4)
            .map_err(|e| format!("the CustomResourceDefinition's schema does not compile: {e}"));
        if let Ok(mut cache) = self.compiled.lock() {
            cache.insert(key, compiled.clone());
        }
        compiled
    }

    /// Why `api` `kind` is not served at this version, when its group is
    /// a Kubernetes group (otherwise it may be a custom resource: `None`).
    fn not_served(&self, api: &str, kind: &str) -> Option<String> {
        let group = group_of(api);
        if !self.bundle.groups().contains(group) && !removed::knows_group(group) {
            return None;
        }
        let v = self.version;
        let served: Vec<Minor> = self
            .bundle
            .versions()
            .iter()
            .copied()
            .filter(|x| self.bundle.serves(*x, api, kind))
            .collect();
        let mut msg = format!("{api} {kind} is not served by Kubernetes {}", show(v));
        let table = removed::find(api, kind);
        match (served.first(), served.last(), table) {
            (Some(&lo), Some(&hi), _) => {
                let range = if lo == hi {
                    format!("only Kubernetes {}", show(lo))
                } else {
                    format!("Kubernetes {} to {}", show(lo), show(hi))
                };
                if hi < v {
                    msg.push_str(&format!(
                        " (removed in {}.{}; last served by {})",
                        hi.0,
                        hi.1 + 1,
                        show(hi)
                    ));
                } else if lo > v {
                    msg.push_str(&format!(" (added in {})", show(lo)));
                } else {
                    msg.push_str(&format!(" (served by {range})"));
                }
            }
            (_, _, Some(r)) => msg.push_str(&format!(
                " (removed in {}.{}; last served by {})",
                r.last.0,
                r.last.1 + 1,
                show(r.last)
            )),
            _ => {}
        }
        let instead: Vec<String> = match table.map(|r| &r.replacement) {
            Some(removed::Replacement::Api(a)) => vec![(*a).to_string()],
            Some(removed::Replacement::Nothing(note)) => {
                msg.push_str(&format!(": {note}"));
                return Some(msg);
            }
            None => {
                let mut alts: Vec<String> = self
                    .bundle
                    .kinds(v)
                    .into_iter()
                    .filter(|(_, k)| k == kind)
                    .map(|(a, _)| a)
                    .collect();
                // The same group first.
                alts.sort_by_key(|a| (group_of(a) != group, a.clone()));
                alts
            }
        };
        match instead.as_slice() {
            [] => msg.push_str(&format!(
                "; Kubernetes {} has no {kind} in {}",
                show(v),
                if group.is_empty() {
                    "the core group".to_string()
                } else {
                    format!("group {group}")
                }
            )),
            alts => msg.push_str(&format!("; use apiVersion: {}", alts.join(" or "))),
        }
        Some(msg)
    }
}

fn compile(schema: &J, draft: jsonschema::Draft) -> Compiled {
    jsonschema::options()
        .with_draft(draft)
        .should_validate_formats(false)
        .build(schema)
        .map(|v| Arc::new((v, schema.clone())))
        .map_err(|e| e.to_string())
}

/// The fields the object schema at `pointer` (an error's schema path,
/// ending in `additionalProperties`) lists, following `$ref`s on the way.
fn allowed_fields(schema: &J, pointer: &str) -> Vec<String> {
    let follow = |cur: &J| -> Option<J> {
        let r = cur.get("$ref")?.as_str()?;
        let name = r.strip_prefix("#/$defs/")?;
        schema.get("$defs")?.get(name).cloned()
    };
    let segs: Vec<String> = pointer
        .split('/')
        .skip(1)
        .map(|s| s.replace("~1", "/").replace("~0", "~"))
        .collect();
    let Some((last, walk)) = segs.split_last() else {
        return Vec::new();
    };
    if last != "additionalProperties" {
        return Vec::new();
    }
    let mut cur = schema.clone();
    for seg in walk {
        if seg == "$ref" {
            match follow(&cur) {
                Some(next) => cur = next,
                None => return Vec::new(),
            }
            continue;
        }
        let next = match &cur {
            J::Object(m) => m.get(seg.as_str()).cloned(),
            J::Array(a) => seg.parse::<usize>().ok().and_then(|i| a.get(i).cloned()),
            _ => None,
        };
        match next {
            Some(n) => cur = n,
            None => return Vec::new(),
        }
    }
    if cur.get("properties").is_none() {
        if let Some(next) = follow(&cur) {
            cur = next;
        }
    }
    cur.get("properties")
        .and_then(J::as_object)
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default()
}

/// The closest of `candidates` to `word`, when close enough to be a typo.
fn closest<'a>(word: &str, candidates: &'a [String]) -> Option<&'a str> {
    let limit = (word.chars().count() / 3).clamp(1, 3);
    candidates
        .iter()
        .map(|c| {
            (
                strata_chart::reads::distance(&word.to_lowercase(), &c.to_lowercase()),
                c,
            )
        })
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, c)| (*d, c.as_str()))
        .map(|(_, c)| c.as_str())
}

/// What [`validate`] found.
#[derive(Debug, Default)]
pub struct Report {
    /// Every finding, stream by stream, document by document.
    pub diagnostics: Vec<Diagnostic>,
    /// Streams read.
    pub streams: usize,
    /// Documents checked.
    pub documents: usize,
    /// The Kubernetes version checked against (`1.31`).
    pub version: String,
}

/// Validate `streams` (each one a YAML stream) with the CRDs of `crds`
/// and of each stream itself, streams in parallel.
pub fn validate(streams: &[Stream], crds: &[Stream], opts: &Options) -> Result<Report, Error> {
    use rayon::prelude::*;
    let checker = Checker::new(opts, crds)?;
    let results: Vec<(Vec<Diagnostic>, usize)> = streams
        .par_iter()
        .map(|s| checker.check_stream(s, None))
        .collect();
    let mut report = Report {
        diagnostics: checker.setup_findings().to_vec(),
        streams: streams.len(),
        documents: 0,
        version: show(checker.version()),
    };
    for (ds, n) in results {
        report.diagnostics.extend(ds);
        report.documents += n;
    }
    Ok(report)
}

/// `strata validate`: read `files` (none: standard input) and the CRDs of
/// `crds` (files or directories), then [`validate`].
pub fn validate_paths(
    files: &[PathBuf],
    crds: &[PathBuf],
    opts: &Options,
) -> Result<Report, Error> {
    let stdin = [PathBuf::from("-")];
    let files = if files.is_empty() { &stdin[..] } else { files };
    let streams = read_streams(files)?;
    let crds = read_streams(crds)?;
    validate(&streams, &crds, opts)
}

/// Validate what a chart rendered: `documents`, with the chart's `crds/`
/// and the CRDs among the documents. Each finding names the template line
/// that wrote the field and the value behind it when they can be found
/// ([`TemplateTracer`]); the document's place otherwise. The values are
/// the merged values the render used.
pub(crate) fn validate_render(
    engine: &crate::Engine,
    chart: &strata_chart::chart::Chart,
    documents: &[crate::Document],
    values: &Node,
    opts: &Options,
) -> Result<Vec<Diagnostic>, Error> {
    let crds: Vec<Stream> = chart
        .files
        .iter()
        .filter(|(p, _)| {
            p.starts_with("crds/")
                && (p.ends_with(".yaml") || p.ends_with(".yml") || p.ends_with(".json"))
        })
        .filter_map(|(p, b)| {
            Some(Stream {
                file: Arc::from(p.as_str()),
                text: strata_yaml::decode_utf8(b, p).ok()?.to_string(),
            })
        })
        .collect();
    let checker = Checker::new(opts, &crds)?;
    let mut out = checker.setup_findings().to_vec();
    let mut parsed = Vec::new();
    for d in documents {
        let shown = engine
            .template_source(&d.source)
            .map_or_else(|| d.source.clone(), |(path, _)| path);
        let file: Arc<str> = Arc::from(format!("{shown} (rendered)"));
        match strata_yaml::load_stream(&d.body, &file) {
            Ok(nodes) => {
                let jsons: Vec<J> = nodes.iter().map(Node::to_json).collect();
                parsed.push((d, file, nodes, jsons));
            }
            Err(e) => out.push(e),
        }
    }
    let rendered_crds: Vec<crd::CrdSchema> = parsed
        .iter()
        .flat_map(|(_, _, _, jsons)| jsons.iter().flat_map(crd::schemas_of))
        .collect();
    for (i, (d, file, nodes, jsons)) in parsed.iter().enumerate() {
        let template = engine.template_source(&d.source);
        let tracer = template
            .as_ref()
            .map(|(path, text)| TemplateTracer::new(path, text, &d.body, values));
        out.extend(checker.check_parsed(
            file,
            &d.body,
            nodes,
            jsons,
            tracer.as_ref().map(|t| t as &dyn Tracer),
            i + 1,
            &rendered_crds,
        ));
    }
    Ok(out)
}

/// Read what `validate` takes: files as named (`-` is standard input,
/// read once); a directory stands for its `*.yaml`, `*.yml` and `*.json`
/// files, recursively, in name order.
pub(crate) fn read_streams(paths: &[PathBuf]) -> Result<Vec<Stream>, Error> {
    let mut out = Vec::new();
    let mut stdin_read = false;
    for p in paths {
        if p.as_os_str() == "-" {
            if !stdin_read {
                let mut text = String::new();
                std::io::Read::read_to_string(&mut std::io::stdin(), &mut text)
                    .map_err(|e| Error::io("-", e))?;
                out.push(Stream {
                    file: Arc::from("-"),
                    text,
                });
                stdin_read = true;
            }
            continue;
        }
        read_path(p, 0, &mut out)?;
    }
    Ok(out)
}

/// How deep directories are followed (links may loop).
const MAX_DIR_DEPTH: usize = 32;

/// Read `p`: a file named on the command line (`depth` 0) whatever its
/// name, or below a directory when it is YAML or JSON.
fn read_path(p: &Path, depth: usize, out: &mut Vec<Stream>) -> Result<(), Error> {
    let meta = std::fs::metadata(p).map_err(|e| Error::io(p.display(), e))?;
    if meta.is_dir() {
        if depth >= MAX_DIR_DEPTH {
            return Err(Error::Usage(format!(
                "{}: directories nest deeper than {MAX_DIR_DEPTH} levels (a link that loops?)",
                p.display()
            )));
        }
        let mut entries: Vec<PathBuf> = std::fs::read_dir(p)
            .map_err(|e| Error::io(p.display(), e))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .collect();
        entries.sort();
        for e in entries {
            read_path(&e, depth + 1, out)?;
        }
        return Ok(());
    }
    let wanted = depth == 0
        || p.extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| matches!(e, "yaml" | "yml" | "json"));
    if !wanted {
        return Ok(());
    }
    let bytes = std::fs::read(p).map_err(|e| Error::io(p.display(), e))?;
    let file = p.display().to_string();
    let text = strata_yaml::decode_utf8_owned(bytes, &file).map_err(Error::invalid)?;
    out.push(Stream {
        file: Arc::from(file),
        text,
    });
    Ok(())
}

/// One step of a field path.
#[derive(Clone, Debug)]
enum Seg {
    Key(String),
    Index(usize),
}

/// `spec.containers[0].image`; keys that are not plain words are quoted
/// (`metadata.labels["app.kubernetes.io/name"]`).
fn show_path(path: &[Seg]) -> String {
    let mut s = String::new();
    for seg in path {
        match seg {
            Seg::Index(i) => s.push_str(&format!("[{i}]")),
            Seg::Key(k) => {
                let plain = !k.is_empty()
                    && k.chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '$');
                if plain {
                    if !s.is_empty() {
                        s.push('.');
                    }
                    s.push_str(k);
                } else {
                    s.push_str(&format!("[{}]", serde_json::Value::from(k.as_str())));
                }
            }
        }
    }
    s
}

/// Whose finding: the document.
struct Who<'a> {
    api: &'a str,
    kind: &'a str,
    name: &'a str,
    index: usize,
    version: Minor,
}

/// One document being checked, and the stream it is in.
struct Doc<'a> {
    file: &'a Arc<str>,
    text: &'a str,
    lines: &'a LineIndex,
    index: usize,
    node: &'a Node,
    tracer: Option<&'a dyn Tracer>,
}

impl Doc<'_> {
    fn loc(&self, node: &Node) -> Location {
        match node.origin.location() {
            Some(l) => l.clone(),
            None => Location::new(self.file.clone(), 1, 1),
        }
    }

    /// The deepest node on `path` (the node itself when it exists).
    fn node_at(&self, path: &[Seg]) -> &Node {
        let mut n = self.node;
        for seg in path {
            let next = match (seg, &n.value) {
                (Seg::Key(k), Value::Map(m)) => m.get(k),
                (Seg::Index(i), Value::Seq(s)) => s.get(*i),
                _ => None,
            };
            match next {
                Some(x) => n = x,
                None => break,
            }
        }
        n
    }

    /// Where key `key` of block map `map` is written: keys of a block map
    /// start in the map's own column, on a line from the map's first line
    /// to the line of the key's value. `None` for flow maps (`{a: 1}`) or
    /// when the key is not found there.
    fn key_location(&self, map: &Node, key: &str) -> Option<Location> {
        let start = map.origin.location()?;
        let Value::Map(m) = &map.value else {
            return None;
        };
        let value = m.get(key)?;
        let end = value.origin.location()?.line.max(start.line);
        let col = usize::try_from(start.column).ok()?.checked_sub(1)?;
        for line in (start.line..=end).rev() {
            let Some(text) = self.lines.line(self.text, line) else {
                continue;
            };
            let Some((at, _)) = text.char_indices().nth(col) else {
                continue;
            };
            let rest = &text[at..];
            let quoted_d = format!("\"{key}\"");
            let quoted_s = format!("'{key}'");
            let after = rest
                .strip_prefix(key)
                .or_else(|| rest.strip_prefix(quoted_d.as_str()))
                .or_else(|| rest.strip_prefix(quoted_s.as_str()));
            if after.is_some_and(|a| a.trim_start_matches([' ', '\t']).starts_with(':')) {
                return Some(Location::new(self.file.clone(), line, start.column));
            }
        }
        None
    }

    fn finding(&self, who: &Who<'_>, node: &Node, path: String, what: String) -> Diagnostic {
        self.finding_at(who, Some(self.loc(node)), node, Field::Value, path, what)
    }

    fn finding_at(
        &self,
        who: &Who<'_>,
        at: Option<Location>,
        node: &Node,
        field: Field<'_>,
        path: String,
        what: String,
    ) -> Diagnostic {
        let loc = at.unwrap_or_else(|| self.loc(node));
        let path = if path.is_empty() {
            String::new()
        } else {
            format!("{path}: ")
        };
        let mut d = Diagnostic::error(CODE, format!("{} {}: {path}{what}", who.kind, who.name))
            .note(format!(
                "in document {} ({} {} {}), checked against Kubernetes {}",
                who.index,
                who.api,
                who.kind,
                who.name,
                show(who.version)
            ));
        let Some(t) = self.tracer else {
            return d.at(loc).with_snippet(self.text, self.lines);
        };
        let traced = t.trace(&loc, node, field);
        let rendered = self.lines.line(self.text, loc.line).unwrap_or_default();
        let here = match traced.template {
            Some(template) => {
                d = d.note(format!("rendered as line {} of the document: {}", loc.line, rendered.trim()));
                let mut d = d.at(template);
                d.snippet = traced.snippet;
                d
            }
            None => d
                .note(format!(
                    "the template line that wrote it is not known (see docs/validation.md); rendered as: {}",
                    rendered.trim()
                ))
                .at(loc)
                .with_snippet(self.text, self.lines),
        };
        traced.notes.into_iter().fold(here, Diagnostic::note)
    }
}

/// What is wrong, for errors other than unknown and missing fields.
fn describe(e: &jsonschema::ValidationError<'_>) -> String {
    let instance = e.instance();
    match e.kind() {
        ValidationErrorKind::Type { kind } => {
            format!("expected {}, found {}", types(kind), found(instance))
        }
        ValidationErrorKind::Enum { options } => {
            let opts: Vec<String> = options
                .as_array()
                .map(|a| a.iter().map(|o| o.to_string()).collect())
                .unwrap_or_default();
            format!("{} is not one of {}", echo(instance), opts.join(", "))
        }
        ValidationErrorKind::OneOfNotValid { context } | ValidationErrorKind::AnyOf { context } => {
            // Branches that only differ in type (int-or-string, quantity):
            // say which types are allowed.
            let mut allowed = Vec::new();
            let only_types = context.iter().all(|branch| {
                branch.iter().all(|e| match e.kind() {
                    ValidationErrorKind::Type { kind } => {
                        allowed.push(types(kind));
                        true
                    }
                    _ => false,
                })
            });
            if only_types && !allowed.is_empty() {
                allowed.dedup();
                format!(
                    "expected {}, found {}",
                    allowed.join(" or "),
                    found(instance)
                )
            } else {
                format!("{} matches none of the allowed forms", echo(instance))
            }
        }
        ValidationErrorKind::OneOfMultipleValid { .. } => {
            format!(
                "{} matches more than one of the allowed forms",
                echo(instance)
            )
        }
        _ => e.to_string(),
    }
}

/// The types of a `type` keyword, without `null` (every Kubernetes field
/// may be null).
fn types(kind: &jsonschema::error::TypeKind) -> String {
    let names: Vec<String> = match kind {
        jsonschema::error::TypeKind::Single(t) => vec![t.to_string()],
        jsonschema::error::TypeKind::Multiple(set) => set.iter().map(|t| t.to_string()).collect(),
    };
    let some: Vec<String> = names.iter().filter(|t| *t != "null").cloned().collect();
    if some.is_empty() {
        names.join(" or ")
    } else {
        some.join(" or ")
    }
}

/// `boolean true`, `string "1"`, `object`.
fn found(v: &J) -> String {
    match v {
        J::Null => "null".into(),
        J::Bool(_) => format!("boolean {}", echo(v)),
        J::Number(n) if n.is_i64() || n.is_u64() => format!("integer {}", echo(v)),
        J::Number(_) => format!("number {}", echo(v)),
        J::String(_) => format!("string {}", echo(v)),
        J::Array(_) => "a list".into(),
        J::Object(_) => "a map".into(),
    }
}

/// The value as JSON, shortened.
fn echo(v: &J) -> String {
    let s = match v {
        J::Array(_) => return "a list".into(),
        J::Object(_) => return "a map".into(),
        _ => v.to_string(),
    };
    if s.chars().count() <= MAX_ECHO {
        s
    } else {
        let mut t: String = s.chars().take(MAX_ECHO).collect();
        t.push('…');
        t
    }
}

/// [`Diagnostic::with_source`] through a [`LineIndex`]: streams are large
/// and findings can be many.
trait WithSnippet {
    fn with_snippet(self, text: &str, lines: &LineIndex) -> Self;
}

impl WithSnippet for Diagnostic {
    fn with_snippet(mut self, text: &str, lines: &LineIndex) -> Self {
        if let Some(loc) = &self.location {
            self.snippet = lines.line(text, loc.line).map(str::to_string);
        }
        self
    }
}

/// Byte offsets of line starts, to read line N of a large stream quickly.
struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    fn new(text: &str) -> LineIndex {
        let mut starts = vec![0];
        starts.extend(
            text.bytes()
                .enumerate()
                .filter(|(_, b)| *b == b'\n')
                .map(|(i, _)| i + 1),
        );
        LineIndex { starts }
    }

    /// 1-based line `n` of `text`, without its line break.
    fn line<'t>(&self, text: &'t str, n: u32) -> Option<&'t str> {
        let i = usize::try_from(n).ok()?.checked_sub(1)?;
        let start = *self.starts.get(i)?;
        let end = self.starts.get(i + 1).map_or(text.len(), |e| e - 1);
        text.get(start..end).map(|l| l.trim_end_matches('\r'))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn checker(v: &str) -> Checker {
        let opts = Options {
            kube_version: Some(v.into()),
            ..Options::default()
        };
        Checker::new(&opts, &[]).unwrap()
    }

    #[test]
    fn apis_not_served_yet_or_not_at_all() {
        let c = checker("1.31");
        let msg = c
            .not_served("admissionregistration.k8s.io/v1", "MutatingAdmissionPolicy")
            .unwrap();
        assert_eq!(
            msg,
            "admissionregistration.k8s.io/v1 MutatingAdmissionPolicy is not served by Kubernetes 1.31 (added in 1.36); Kubernetes 1.31 has no MutatingAdmissionPolicy in group admissionregistration.k8s.io"
        );
        let msg = checker("1.33")
            .not_served("admissionregistration.k8s.io/v1", "MutatingAdmissionPolicy")
            .unwrap();
        assert_eq!(
            msg,
            "admissionregistration.k8s.io/v1 MutatingAdmissionPolicy is not served by Kubernetes 1.33 (added in 1.36); use apiVersion: admissionregistration.k8s.io/v1alpha1"
        );
        assert_eq!(
            c.not_served("v1", "Deploymnet").unwrap(),
            "v1 Deploymnet is not served by Kubernetes 1.31; Kubernetes 1.31 has no Deploymnet in the core group"
        );
        // Not a Kubernetes group: perhaps a custom resource.
        assert_eq!(c.not_served("example.com/v1", "Widget"), None);
    }

    #[test]
    fn versions_outside_the_bundle() {
        let opts = Options {
            kube_version: Some("1.99".into()),
            ..Options::default()
        };
        let c = Checker::new(&opts, &[]).unwrap();
        let newest = *Bundle::get().unwrap().versions().last().unwrap();
        assert_eq!(c.version(), newest);
        assert_eq!(
            c.setup_findings()[0].message,
            format!(
                "Kubernetes 1.99 is newer than the newest bundled schemas; validating against {}",
                show(c.version())
            )
        );
    }

    #[test]
    fn paths_and_typos() {
        let p = [
            Seg::Key("metadata".into()),
            Seg::Key("labels".into()),
            Seg::Key("app.kubernetes.io/name".into()),
        ];
        assert_eq!(show_path(&p), "metadata.labels[\"app.kubernetes.io/name\"]");
        assert_eq!(show_path(&[Seg::Key("a".into()), Seg::Index(2)]), "a[2]");
        let fields = ["containers".to_string(), "volumes".to_string()];
        assert_eq!(closest("contianers", &fields), Some("containers"));
        assert_eq!(closest("zzz", &fields), None);
        assert_eq!(strata_chart::reads::distance("ab", "ba"), 1);
    }
}
