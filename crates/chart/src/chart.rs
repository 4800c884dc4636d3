//! Charts: Chart.yaml, values.yaml and every other file, from a directory
//! (or, through [`crate::archive`], a packaged `.tgz`): both are reduced to
//! one sorted list of chart-relative files first, as Helm's loader does.

use std::collections::BTreeMap;
use std::path::{Path as FsPath, PathBuf};
use std::sync::Arc;

use indexmap::IndexMap;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::archive::{self, ArchiveError, Limits};
use crate::diag::{Code, Diagnostic, Error, Location, Result};
use crate::dialect::Dialect;
use crate::env::{Environments, SharedFile};
use crate::value::{Node, Value};
use crate::yaml;

/// Chart.yaml as Helm defines it.
#[derive(Clone, Debug, Default, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(rename_all = "camelCase")]
#[schemars(title = "Helm/strata Chart.yaml", transform = require_as_helm)]
pub struct Metadata {
    /// `v2` (Helm 3+) or `v1`. Required, as Helm's loader requires it
    /// (strata reads a Chart.yaml without it as `v1`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "String", length(min = 1))]
    pub api_version: Option<String>,
    /// The chart's name.
    #[serde(default)]
    #[schemars(length(min = 1))]
    pub name: String,
    /// The chart's version, SemVer 2.
    #[serde(default)]
    #[schemars(length(min = 1))]
    pub version: String,
    /// Kubernetes versions the chart supports (a SemVer constraint).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kube_version: Option<String>,
    /// One-line description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// `application` or `library`.
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub chart_type: Option<String>,
    /// Search keywords.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub keywords: Vec<String>,
    /// Project home page URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub home: Option<String>,
    /// Source code URLs.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<String>,
    /// Subcharts.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dependencies: Vec<Option<Dependency>>,
    /// Maintainers.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub maintainers: Vec<Option<Maintainer>>,
    /// Icon URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub icon: Option<String>,
    /// The version of the application the chart deploys.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app_version: Option<String>,
    /// Whether the chart is deprecated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deprecated: Option<bool>,
    /// Free-form annotations.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub annotations: IndexMap<String, String>,
}

/// Chart.yaml's schema requires what Helm's loader requires (`apiVersion`,
/// `name`, `version`: `helm lint` and `helm install` fail without them),
/// so editors flag a Chart.yaml Helm would refuse. The fields keep serde
/// defaults (strata loads leniently and reports them itself), which
/// schemars would otherwise show as optional with an empty default.
fn require_as_helm(schema: &mut schemars::Schema) {
    const REQUIRED: [&str; 3] = ["apiVersion", "name", "version"];
    if let Some(props) = schema.get_mut("properties").and_then(|p| p.as_object_mut()) {
        for key in REQUIRED {
            if let Some(field) = props.get_mut(key).and_then(|f| f.as_object_mut()) {
                field.remove("default");
            }
        }
    }
    schema.insert("required".to_string(), serde_json::json!(REQUIRED));
}

/// A dependency (subchart) in Chart.yaml.
#[derive(Clone, Debug, Default, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(rename_all = "kebab-case")]
pub struct Dependency {
    /// The subchart's name.
    #[serde(default)]
    pub name: String,
    /// A SemVer constraint the subchart's version must satisfy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// Where it comes from; strata works offline (`file://` or vendored).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repository: Option<String>,
    /// A values path; when it is false the subchart is left out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub condition: Option<String>,
    /// Tags that enable the subchart.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    /// Whether the subchart is enabled (set by conditions and tags).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    /// Values imported from the subchart into the parent.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub import_values: Vec<serde_json::Value>,
    /// Another name for the subchart.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alias: Option<String>,
}

impl Dependency {
    /// The name the subchart goes by: its alias, else its name.
    pub fn effective_name(&self) -> &str {
        self.alias.as_deref().unwrap_or(&self.name)
    }
}

/// A maintainer in Chart.yaml.
#[derive(Clone, Debug, Default, Deserialize, Serialize, JsonSchema, PartialEq)]
pub struct Maintainer {
    /// Name.
    #[serde(default)]
    pub name: String,
    /// Email address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

/// The chart metadata file.
pub const CHART_FILE: &str = "Chart.yaml";
/// The chart defaults file.
pub const VALUES_FILE: &str = "values.yaml";
/// The chart schema file.
pub const SCHEMA_FILE: &str = "values.schema.json";

/// Parse Chart.yaml text and apply Helm's load-time checks.
pub fn parse_metadata(text: &str) -> Result<(Metadata, Node)> {
    let file: Arc<str> = Arc::from(CHART_FILE);
    let node = yaml::load_values(text, &file)?;
    let at = |key: &str| -> Location {
        node.get_path(&[key])
            .and_then(|n| n.origin.location().cloned())
            .unwrap_or_else(|| Location::new(file.clone(), 1, 1))
    };
    let fail = |key: &str, msg: String| -> Error {
        Error::invalid(
            Diagnostic::error(Code::Chart, msg)
                .at(at(key))
                .with_source(text),
        )
    };
    // Chart.yaml strings may be written as numbers (`version: 1.0`): Helm's
    // reader fails on those; we take their text, as a user would expect.
    let mut json = node.to_json();
    stringify_scalars(
        &mut json,
        &["name", "version", "appVersion", "kubeVersion", "apiVersion"],
    );
    let mut meta: Metadata =
        crate::value::deserialize_located(&node, json).map_err(|(e, loc)| {
            let loc = loc.unwrap_or_else(|| Location::new(file.clone(), 1, 1));
            Error::invalid(
                Diagnostic::error(Code::Chart, format!("{CHART_FILE}: {e}"))
                    .at(loc)
                    .with_source(text),
            )
        })?;
    sanitize_metadata(&mut meta);
    if let Some(v) = &meta.api_version {
        if v != "v1" && v != "v2" {
            return Err(fail(
                "apiVersion",
                format!("apiVersion \"{v}\" is not supported: use v2 (or v1)"),
            ));
        }
    }
    if meta.name.is_empty() {
        return Err(fail(
            "name",
            "validation: chart.metadata.name is required".into(),
        ));
    }
    if meta.name == "." || meta.name == ".." {
        return Err(fail(
            "name",
            format!(
                "validation: chart.metadata.name \"{}\" is not allowed",
                meta.name
            ),
        ));
    }
    if meta.name.contains(['/', '\\']) {
        return Err(fail(
            "name",
            format!(
                "validation: chart.metadata.name \"{}\" is invalid",
                meta.name
            ),
        ));
    }
    if meta.version.is_empty() {
        return Err(fail(
            "version",
            "validation: chart.metadata.version is required".into(),
        ));
    }
    if crate::semver::Version::parse_lenient(&meta.version).is_err() {
        return Err(fail(
            "version",
            format!(
                "validation: chart.metadata.version \"{}\" is invalid",
                meta.version
            ),
        ));
    }
    if let Some(t) = &meta.chart_type {
        if !t.is_empty() && t != "application" && t != "library" {
            return Err(fail(
                "type",
                "validation: chart.metadata.type must be application or library".into(),
            ));
        }
    }
    if meta.maintainers.iter().any(Option::is_none) {
        return Err(fail(
            "maintainers",
            "validation: maintainers must not contain empty or null nodes".into(),
        ));
    }
    let mut seen: Vec<&str> = Vec::new();
    for dep in &meta.dependencies {
        let Some(dep) = dep else {
            return Err(fail(
                "dependencies",
                "validation: dependencies must not contain empty or null nodes".into(),
            ));
        };
        if let Some(alias) = &dep.alias {
            if alias.is_empty()
                || !alias
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
            {
                return Err(fail(
                    "dependencies",
                    format!(
                        "validation: dependency \"{}\" has disallowed characters in the alias",
                        dep.name
                    ),
                ));
            }
        }
        let name = dep.effective_name();
        if seen.contains(&name) {
            return Err(fail(
                "dependencies",
                format!("validation: more than one dependency with name or alias \"{name}\""),
            ));
        }
        seen.push(name);
    }
    Ok((meta, node))
}

/// Helm's `Metadata.Validate` sanitizing: in the free-text fields every
/// Unicode space becomes " " and non-printable characters are dropped.
/// `version`, `apiVersion`, `type` and `alias` are left alone, as in Helm.
fn sanitize_metadata(m: &mut Metadata) {
    fn clean(s: &mut String) {
        *s = s
            .chars()
            .filter_map(|c| {
                if c.is_whitespace() {
                    Some(' ')
                } else if c.is_control() || ('\u{80}'..='\u{9f}').contains(&c) {
                    None
                } else {
                    Some(c)
                }
            })
            .collect();
    }
    let opt = |o: &mut Option<String>| {
        if let Some(s) = o {
            clean(s);
        }
    };
    clean(&mut m.name);
    opt(&mut m.description);
    opt(&mut m.home);
    opt(&mut m.icon);
    opt(&mut m.app_version);
    opt(&mut m.kube_version);
    m.sources.iter_mut().for_each(clean);
    m.keywords.iter_mut().for_each(clean);
    for mt in m.maintainers.iter_mut().flatten() {
        clean(&mut mt.name);
        opt(&mut mt.email);
        opt(&mut mt.url);
    }
    for d in m.dependencies.iter_mut().flatten() {
        clean(&mut d.name);
        opt(&mut d.version);
        opt(&mut d.repository);
        opt(&mut d.condition);
        d.tags.iter_mut().for_each(clean);
    }
}

fn stringify_scalars(json: &mut serde_json::Value, keys: &[&str]) {
    let Some(obj) = json.as_object_mut() else {
        return;
    };
    for key in keys {
        if let Some(v) = obj.get_mut(*key) {
            if v.is_number() || v.is_boolean() {
                *v = serde_json::Value::String(v.to_string());
            }
        }
    }
}

/// A loaded chart.
#[derive(Clone, Debug)]
pub struct Chart {
    /// How the user named it (`charts/api`, `api-1.0.0.tgz`).
    pub source: String,
    /// Its directory on disk, when it was loaded from one.
    pub dir: Option<PathBuf>,
    /// Chart.yaml.
    pub metadata: Metadata,
    /// Chart.yaml as a values tree (positions for lint).
    pub metadata_node: Node,
    /// Every file of the chart, by chart-relative `/` path.
    pub files: BTreeMap<String, Vec<u8>>,
    /// values.yaml (an empty map when absent).
    pub values: Node,
    /// The environments.
    pub environments: Environments,
    /// The repository's environments.yaml (and the files it names) when
    /// the chart uses one: only for the chart the user named, loaded from
    /// a directory.
    pub shared: Option<Arc<SharedFile>>,
    /// Every chart vendored under `charts/` (directories and `.tgz`),
    /// sorted by their name under `charts/`. Which of them a render uses is decided by [`crate::deps`].
    pub subcharts: Vec<Chart>,
    /// `charts/<sub>/` (nested as deep as needed) for a subchart, empty for
    /// the chart the user named: prefixed to file names in diagnostics.
    pub prefix: String,
    /// The template dialect (DESIGN §2), which also decides how its values
    /// files are typed.
    pub dialect: Dialect,
}

impl Chart {
    /// The chart's name.
    pub fn name(&self) -> &str {
        &self.metadata.name
    }

    /// Load a chart from a directory or a packaged `.tgz`, with its
    /// subcharts (`charts/`, recursively).
    pub fn load(path: &FsPath, source: &str) -> Result<Chart> {
        let meta = std::fs::metadata(path).map_err(|e| Error::io(source, e))?;
        if meta.is_dir() {
            Chart::load_dir(path, source)
        } else if meta.is_file() {
            if !looks_like_archive(path) {
                return Err(Error::Usage(format!(
                    "{source} is not a chart directory or a packaged chart (.tgz)"
                )));
            }
            Chart::load_archive(path, source)
        } else {
            Err(Error::Usage(format!(
                "{source} is not a chart directory or a packaged chart (.tgz)"
            )))
        }
    }

    /// Load a packaged chart (`.tgz`) safely: Helm's size limits, checked
    /// while streaming; no links, absolute paths or `..`.
    pub(crate) fn load_archive(path: &FsPath, source: &str) -> Result<Chart> {
        let (_top, files) = read_archive_files(path, source)?;
        Loader::with(&files).files(files, source, "", 0)
    }

    /// Load a chart directory as Helm's `LoadDir` does: `.helmignore`
    /// honoured, links followed only inside the chart.
    pub(crate) fn load_dir(dir: &FsPath, source: &str) -> Result<Chart> {
        let meta = std::fs::metadata(dir).map_err(|e| Error::io(source, e))?;
        if !meta.is_dir() {
            return Err(Error::Usage(format!(
                "{source} is not a chart directory or a packaged chart (.tgz)"
            )));
        }
        // Only a Chart.yaml that is really absent makes this "not a chart";
        // a folder strata may not read is an I/O error (exit 2).
        let chart_file = dir.join(CHART_FILE);
        match std::fs::metadata(&chart_file) {
            Ok(m) if m.is_file() => {}
            Ok(_) => {
                return Err(Error::io(
                    format!("{source}/{CHART_FILE}"),
                    std::io::Error::other("not a regular file"),
                ))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                // A folder that cannot be listed says so, rather than
                // "no Chart.yaml".
                if let Err(e) = std::fs::read_dir(dir) {
                    return Err(Error::io(source, e));
                }
                return Err(Error::invalid(Diagnostic::error(
                    Code::Chart,
                    format!("{source} is not a chart: it has no {CHART_FILE}"),
                )));
            }
            Err(e) => return Err(Error::io(format!("{source}/{CHART_FILE}"), e)),
        }
        // A big values.yaml is read and parsed on another thread while the
        // walk reads the chart's files (parsing it was a quarter of loading
        // a chart of 1000 apps); the result is used only if the walk read
        // the very same bytes.
        let values_path = dir.join(VALUES_FILE);
        let big = std::fs::metadata(&values_path).is_ok_and(|m| m.len() >= PREPARSE_BYTES);
        let (preparsed, files) = if big {
            rayon::join(
                || Preparsed::read(&values_path),
                || read_dir_files(dir, source),
            )
        } else {
            (None, read_dir_files(dir, source))
        };
        let files = files?;
        let shared = SharedFile::for_chart_dir(dir, &files)?;
        let mut loader = Loader::with(&files);
        loader.preparsed = preparsed;
        loader.shared = shared;
        let mut chart = loader.files(files, source, "", 0)?;
        chart.dir = Some(dir.to_path_buf());
        Ok(chart)
    }

    /// Build a chart from its files (chart-relative paths), with the
    /// subcharts found under `charts/`.
    pub fn from_files(files: BTreeMap<String, Vec<u8>>, source: &str) -> Result<Chart> {
        Loader::new().files(files, source, "", 0)
    }

    /// [`Chart::from_files`] for a chart that uses the repository's
    /// environments (`shared`, see [`SharedFile::for_chart_dir`]).
    pub(crate) fn from_files_with(
        files: BTreeMap<String, Vec<u8>>,
        source: &str,
        shared: Option<SharedFile>,
    ) -> Result<Chart> {
        let mut loader = Loader::new();
        loader.shared = shared;
        loader.files(files, source, "", 0)
    }

    /// A file of the chart, or one the repository's environments.yaml
    /// names (`../…`), by chart-relative name.
    pub fn file(&self, path: &str) -> Option<&Vec<u8>> {
        self.files
            .get(path)
            .or_else(|| self.shared.as_ref().and_then(|s| s.files.get(path)))
    }

    /// The repository's environments.yaml this chart uses, if any.
    pub fn shared_file(&self) -> Option<SharedFile> {
        self.shared.as_deref().cloned()
    }

    /// Load a file of the chart as text, with a diagnostic naming it.
    pub fn text(&self, path: &str) -> Result<String> {
        let bytes = self.file(path).ok_or_else(|| {
            Error::msg(
                Code::Chart,
                format!("{}: {path} does not exist", self.source),
            )
        })?;
        Ok(yaml::decode_utf8(bytes, path)?.to_string())
    }

    /// The file name diagnostics use for `path` of this chart: `path` for
    /// the top chart, `charts/<sub>/path` for a subchart.
    pub(crate) fn display_path(&self, path: &str) -> String {
        format!("{}{path}", self.prefix)
    }
}

/// The files of a chart directory, chart-relative, as Helm's `LoadDir`
/// reads them (`.helmignore` honoured, links only inside the chart).
pub fn read_dir_files(dir: &FsPath, source: &str) -> Result<BTreeMap<String, Vec<u8>>> {
    let files = archive::read_chart_dir(dir, &Limits::HELM).map_err(|e| dir_error(source, e))?;
    Ok(files.into_iter().map(|f| (f.path, f.data)).collect())
}

/// The top directory and files of a packaged chart, read safely (Helm's
/// limits checked while streaming; no links, absolute paths or `..`).
pub(crate) fn read_archive_files(
    path: &FsPath,
    source: &str,
) -> Result<(String, BTreeMap<String, Vec<u8>>)> {
    let file = std::fs::File::open(path).map_err(|e| Error::io(source, e))?;
    let (top, files) = archive::read_archive(std::io::BufReader::new(file), &Limits::HELM)
        .map_err(|e| archive_error(source, e))?;
    Ok((top, files.into_iter().map(|f| (f.path, f.data)).collect()))
}

/// A `.tgz`/`.tar.gz` name, or gzip's magic bytes at the start.
pub(crate) fn looks_like_archive(path: &FsPath) -> bool {
    let name = path.to_string_lossy();
    if name.ends_with(".tgz") || name.ends_with(".tar.gz") {
        return true;
    }
    let mut magic = [0u8; 2];
    std::fs::File::open(path)
        .and_then(|mut f| std::io::Read::read_exact(&mut f, &mut magic))
        .is_ok()
        && magic == [0x1f, 0x8b]
}

/// Subcharts nest at most this deep (Helm has no bound; a chart archive
/// holding itself would otherwise be followed forever).
const MAX_DEPTH: usize = 16;

/// Loads a chart tree, keeping one budget of expanded bytes for the whole
/// tree, so archives nested in archives cannot multiply Helm's limit.
/// A values.yaml this big is parsed while the rest of the chart is read.
const PREPARSE_BYTES: u64 = 64 * 1024;

/// The top chart's values.yaml, read and parsed ahead (see `load_dir`).
struct Preparsed {
    /// The bytes parsed (a leading BOM removed, as the walk does).
    bytes: Vec<u8>,
    values: Result<Node>,
}

impl Preparsed {
    fn read(path: &FsPath) -> Option<Preparsed> {
        let mut bytes = std::fs::read(path).ok()?;
        archive::strip_bom(&mut bytes);
        let values = parse_values(&bytes, yaml::Typing::Core);
        Some(Preparsed { bytes, values })
    }
}

/// A chart's values.yaml as a values tree.
fn parse_values(bytes: &[u8], typing: yaml::Typing) -> Result<Node> {
    let text = yaml::decode_utf8(bytes, VALUES_FILE)?;
    Ok(yaml::load_values_typed(
        text,
        &Arc::from(VALUES_FILE),
        typing,
    )?)
}

struct Loader {
    total: u64,
    /// For the top chart only.
    preparsed: Option<Preparsed>,
    /// For the top chart only.
    shared: Option<SharedFile>,
}

impl Loader {
    fn new() -> Self {
        Loader {
            total: 0,
            preparsed: None,
            shared: None,
        }
    }

    /// A loader whose budget already counts the top chart's `files`.
    fn with(files: &BTreeMap<String, Vec<u8>>) -> Self {
        Loader {
            total: files.values().map(|d| d.len() as u64).sum(),
            preparsed: None,
            shared: None,
        }
    }

    fn limits(&self) -> Limits {
        Limits {
            max_total: Limits::HELM.max_total.saturating_sub(self.total),
            max_file: Limits::HELM.max_file,
        }
    }

    fn archive<R: std::io::Read>(
        &mut self,
        reader: R,
        source: &str,
        prefix: &str,
        depth: usize,
    ) -> Result<Chart> {
        let (_top, files) =
            archive::read_archive(reader, &self.limits()).map_err(|e| archive_error(source, e))?;
        self.total += files.iter().map(|f| f.data.len() as u64).sum::<u64>();
        let files = files.into_iter().map(|f| (f.path, f.data)).collect();
        self.files(files, source, prefix, depth)
    }

    fn files(
        &mut self,
        files: BTreeMap<String, Vec<u8>>,
        source: &str,
        prefix: &str,
        depth: usize,
    ) -> Result<Chart> {
        let preparsed = self.preparsed.take();
        let shared = self.shared.take();
        let mut chart =
            build(files, source, preparsed, shared).map_err(|e| relocate_error(e, prefix))?;
        relocate(&mut chart.values, prefix);
        relocate(&mut chart.metadata_node, prefix);
        chart.prefix = prefix.to_string();
        // Helm's loader: each `charts/<n>` is a subchart, a directory or a
        // `.tgz`; names starting with `_` or `.` are skipped.
        let mut groups: BTreeMap<String, BTreeMap<String, Vec<u8>>> = BTreeMap::new();
        let mut archives: Vec<(String, &Vec<u8>)> = Vec::new();
        for (path, data) in &chart.files {
            let Some(rest) = path.strip_prefix("charts/") else {
                continue;
            };
            let (first, inner) = match rest.split_once('/') {
                Some((first, inner)) => (first, Some(inner)),
                None => (rest, None),
            };
            if first.starts_with(['_', '.']) {
                continue;
            }
            match inner {
                None if first.ends_with(".tgz") => archives.push((first.to_string(), data)),
                None => {}
                Some(inner) => {
                    groups
                        .entry(first.to_string())
                        .or_default()
                        .insert(inner.to_string(), data.clone());
                }
            }
        }
        if (!groups.is_empty() || !archives.is_empty()) && depth >= MAX_DEPTH {
            return Err(Error::msg(
                Code::Chart,
                format!(
                    "{source}: subcharts nest more than {MAX_DEPTH} levels deep under {}",
                    chart.display_path("charts/")
                ),
            ));
        }
        let mut subcharts = Vec::new();
        for (name, data) in archives {
            let sub_prefix = format!("{prefix}charts/{name}/");
            let sub_source = format!("{source}/charts/{name}");
            let sub = self.archive(data.as_slice(), &sub_source, &sub_prefix, depth + 1)?;
            subcharts.push(sub);
        }
        for (name, files) in groups {
            let sub_prefix = format!("{prefix}charts/{name}/");
            let sub_source = format!("{source}/charts/{name}");
            if !files.contains_key(CHART_FILE) {
                return Err(Error::msg(
                    Code::Chart,
                    format!("{sub_prefix}: subchart directory has no {CHART_FILE}"),
                ));
            }
            subcharts.push(self.files(files, &sub_source, &sub_prefix, depth + 1)?);
        }
        subcharts.sort_by(|a: &Chart, b: &Chart| a.prefix.cmp(&b.prefix));
        chart.subcharts = subcharts;
        Ok(chart)
    }
}

fn build(
    files: BTreeMap<String, Vec<u8>>,
    source: &str,
    preparsed: Option<Preparsed>,
    shared: Option<SharedFile>,
) -> Result<Chart> {
    let Some(chart_bytes) = files.get(CHART_FILE) else {
        return Err(Error::invalid(Diagnostic::error(
            Code::Chart,
            format!("{source} is not a chart: it has no {CHART_FILE}"),
        )));
    };
    let text = yaml::decode_utf8(chart_bytes, CHART_FILE)?;
    let (metadata, metadata_node) = parse_metadata(text)?;
    let dialect = crate::dialect::detect(&metadata, &files)?;
    let typing = dialect.typing();
    let values = match files.get(VALUES_FILE) {
        Some(bytes) => match preparsed {
            // Read ahead as YAML 1.2: a Go chart's values are typed again.
            Some(p) if p.bytes == *bytes && typing == yaml::Typing::Core => p.values?,
            _ => parse_values(bytes, typing)?,
        },
        None => Node::new(Value::Map(crate::value::Map::default()), Default::default()),
    };
    let environments = Environments::load(&files, shared.as_ref())?;
    Ok(Chart {
        source: source.to_string(),
        dir: None,
        prefix: String::new(),
        metadata,
        metadata_node,
        files,
        values,
        environments,
        shared: shared.map(Arc::new),
        subcharts: Vec::new(),
        dialect,
    })
}

/// An archive problem as a strata error: I/O problems exit 2, a bad
/// archive or chart exits 1.
pub fn archive_error(source: &str, e: ArchiveError) -> Error {
    match e {
        ArchiveError::Io { path, detail } => {
            Error::io(path.display(), std::io::Error::other(detail))
        }
        other => Error::invalid(Diagnostic::error(
            Code::Archive,
            format!("{source}: {other}"),
        )),
    }
}

/// A problem reading a chart directory: I/O problems exit 2, a bad file
/// (a link out of the chart, a device, a file over the limits) exits 1.
fn dir_error(source: &str, e: ArchiveError) -> Error {
    match e {
        ArchiveError::Io { .. } => archive_error(source, e),
        other => Error::invalid(Diagnostic::error(Code::Chart, format!("{source}: {other}"))),
    }
}

/// Make the origins of a subchart's values name `charts/<sub>/<file>`.
fn relocate(node: &mut Node, prefix: &str) {
    if prefix.is_empty() {
        return;
    }
    if let crate::value::Origin::File(loc) = &mut node.origin {
        loc.file = Arc::from(format!("{prefix}{}", loc.file));
    }
    match &mut node.value {
        Value::Map(m) => m.values_mut().for_each(|n| relocate(n, prefix)),
        Value::Seq(s) => s.iter_mut().for_each(|n| relocate(n, prefix)),
        _ => {}
    }
}

/// Make the file names of an error's locations chart-relative from the
/// top chart (`charts/<sub>/…`) for a subchart with that prefix.
pub fn relocate_error(e: Error, prefix: &str) -> Error {
    if prefix.is_empty() {
        return e;
    }
    let fix = |mut d: Diagnostic| {
        if let Some(loc) = &mut d.location {
            loc.file = Arc::from(format!("{prefix}{}", loc.file));
        }
        d
    };
    match e {
        Error::Invalid(d) => Error::invalid(fix(*d)),
        Error::Many(ds) => Error::Many(ds.into_iter().map(fix).collect()),
        other => other,
    }
}

/// A chart from in-memory files for unit tests (Chart.yaml added when absent).
#[cfg(test)]
pub(crate) fn test_chart(files: &[(&str, &str)]) -> Chart {
    let mut map: BTreeMap<String, Vec<u8>> = files
        .iter()
        .map(|(k, v)| (k.to_string(), v.as_bytes().to_vec()))
        .collect();
    map.entry(CHART_FILE.into())
        .or_insert_with(|| b"apiVersion: v2\nname: t\nversion: 1.0.0\n".to_vec());
    Chart::from_files(map, "t").unwrap_or_else(|e| panic!("{e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A chart directory with a values.yaml big enough to be parsed ahead.
    fn big_values_chart(tail: &str) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let mut values = String::from("apps:\n");
        let mut n = 0;
        while values.len() < PREPARSE_BYTES as usize {
            values.push_str(&format!(
                "  app{n}:\n    image: \"team/app-{n}\"\n    port: {n}\n"
            ));
            n += 1;
        }
        values.push_str(tail);
        let write = |name: &str, text: &str| {
            std::fs::write(dir.path().join(name), text).unwrap_or_else(|e| panic!("{e}"));
        };
        write(CHART_FILE, "apiVersion: v2\nname: big\nversion: 1.0.0\n");
        write(VALUES_FILE, &values);
        dir
    }

    #[test]
    fn a_big_values_file_parsed_ahead_reads_as_any_other() {
        let dir = big_values_chart("last: true\n");
        let chart = Chart::load_dir(dir.path(), "big").unwrap_or_else(|e| panic!("{e}"));
        let text = String::from_utf8(chart.files[VALUES_FILE].clone()).unwrap_or_default();
        let direct =
            parse_values(text.as_bytes(), yaml::Typing::Core).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(chart.values, direct);
        let last = chart
            .values
            .get_path(&["last"])
            .map(|n| n.origin.to_string());
        let lines = text.lines().count();
        assert_eq!(last, Some(format!("values.yaml:{lines}:7")));
    }

    #[test]
    fn a_big_values_file_parsed_ahead_reports_errors_where_they_are() {
        let dir = big_values_chart("last: [oops\n");
        let e = Chart::load_dir(dir.path(), "big").unwrap_err();
        let d = e.diagnostics().remove(0);
        let lines = std::fs::read_to_string(dir.path().join(VALUES_FILE))
            .unwrap_or_default()
            .lines()
            .count();
        assert!(d.message.contains("invalid YAML"), "{}", d.message);
        let at = d.location.map(|l| (l.file.to_string(), l.line));
        assert!(
            matches!(&at, Some((f, l)) if f == VALUES_FILE && (*l as usize) >= lines),
            "{at:?}"
        );
    }

    #[test]
    fn a_wrong_type_in_chart_yaml_points_at_its_key() {
        let e = parse_metadata("apiVersion: v2\nname: api\nversion: 1.0.0\nmaintainers: foo\n")
            .unwrap_err();
        let d = e.diagnostics().remove(0);
        assert!(d.message.contains("expected a sequence"), "{}", d.message);
        assert_eq!(d.location.unwrap().to_string(), "Chart.yaml:4:14");
        assert_eq!(d.snippet.as_deref(), Some("maintainers: foo"));
    }

    #[test]
    fn metadata_load_rules() {
        let ok = parse_metadata("apiVersion: v2\nname: api\nversion: 1.2.3\n")
            .unwrap()
            .0;
        assert_eq!(ok.name, "api");
        let lenient = parse_metadata("name: api\nversion: 1\n").unwrap().0;
        assert_eq!(lenient.version, "1");
        let e = parse_metadata("apiVersion: v2\nname: api\nversion: 1.2.3.4\n").unwrap_err();
        let d = e.diagnostics().remove(0);
        assert_eq!(
            d.message,
            "validation: chart.metadata.version \"1.2.3.4\" is invalid"
        );
        assert_eq!(d.location.unwrap().to_string(), "Chart.yaml:3:10");
        let e = parse_metadata("apiVersion: v3\nname: api\nversion: 1.0.0\n").unwrap_err();
        assert!(e.to_string().contains("apiVersion \"v3\""));
    }
}
