//! Environments: `environments.yaml`, or one environment per
//! `environments/<name>.yaml` when that file is absent (DESIGN §2).

use std::collections::BTreeMap;
use std::path::Path as FsPath;
use std::sync::Arc;

use indexmap::IndexMap;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::diag::{Code, Diagnostic, Error, Location, Result};
use crate::value::Value;
use crate::yaml;

/// The file that declares environments.
pub(crate) const ENVIRONMENTS_FILE: &str = "environments.yaml";
/// The folder of environment values files.
pub(crate) const ENVIRONMENTS_DIR: &str = "environments";

/// `environments.yaml` as written.
#[derive(Clone, Debug, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "strata environments.yaml")]
pub(crate) struct EnvironmentsFile {
    /// A chart's file only: the repository's environments.yaml (a path
    /// relative to this file, e.g. `../../environments.yaml`) whose
    /// environments this chart has too; those listed here refine them
    /// (their values files come after the repository's) or add new ones.
    #[serde(default)]
    pub extends: Option<String>,
    /// Environments by name, in the order they are listed.
    #[serde(default)]
    pub environments: IndexMap<String, EnvironmentSpec>,
    /// The order environments are promoted in (`strata promote`).
    #[serde(default)]
    pub promotion: Vec<String>,
    /// Value paths `strata promote` copies when no `--key` is given.
    #[serde(default)]
    pub promote: Vec<String>,
    /// Parity report settings.
    #[serde(default)]
    pub parity: ParitySpec,
}

/// One environment as written in `environments.yaml`.
#[derive(Clone, Debug, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct EnvironmentSpec {
    /// Kubernetes namespace (default: the environment's name).
    #[serde(default)]
    pub namespace: Option<String>,
    /// Another environment whose layers come first.
    #[serde(default)]
    pub extends: Option<String>,
    /// This environment's own values files, chart-relative, in order
    /// (default: `environments/<name>.yaml` when it exists).
    #[serde(default)]
    pub values: Option<Vec<String>>,
    /// A JSON Schema file adding constraints for this environment and
    /// every environment that extends it.
    #[serde(default)]
    pub schema: Option<String>,
    /// The Kubernetes version of this environment's cluster (`1.31.0`):
    /// what templates see as `capabilities.kubeVersion` and what `lint`
    /// and `render --validate` validate against. Inherited through
    /// `extends`; `--kube-version` overrides it.
    #[serde(default, rename = "kubeVersion")]
    pub kube_version: Option<String>,
    /// API versions the cluster serves besides Kubernetes' own
    /// (`monitoring.coreos.com/v1`, or `group/version/Kind`), added to
    /// `capabilities.apiVersions`; inherited through `extends`.
    #[serde(default, rename = "apiVersions")]
    pub api_versions: Vec<String>,
}

/// `parity:` settings.
#[derive(Clone, Debug, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ParitySpec {
    /// Paths whose differences between environments are intended. A path
    /// covers everything below it; `*` matches one segment.
    #[serde(default)]
    pub allow: Vec<String>,
}

/// A resolved environment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Environment {
    /// Its name.
    pub name: String,
    /// Its namespace.
    pub namespace: String,
    /// Its parent, if it extends one.
    pub extends: Option<String>,
    /// Its own values files (chart-relative).
    pub values: Vec<String>,
    /// Its own schema file, if any.
    pub schema: Option<String>,
    /// Its cluster's Kubernetes version: its own `kubeVersion`, else the
    /// nearest ancestor's.
    pub kube_version: Option<String>,
    /// Extra API versions: its ancestors' and its own.
    pub api_versions: Vec<String>,
}

/// All environments of a chart.
#[derive(Clone, Debug, Default)]
pub struct Environments {
    /// By name, in declaration (or file name) order.
    pub list: IndexMap<String, Environment>,
    /// Promotion order.
    pub promotion: Vec<String>,
    /// Default promoted keys.
    pub promote: Vec<String>,
    /// Intended differences.
    pub parity_allow: Vec<String>,
    /// Whether `environments.yaml` exists.
    pub declared: bool,
}

/// The rule environment names and namespaces follow (DESIGN §2).
pub const NAME_RULE: &str = "environment names and namespaces are DNS-1123 labels: at most 63 characters, lower-case letters, digits and '-', starting and ending with a letter or digit";

/// Check that `s` is a DNS-1123 label (a Kubernetes namespace name): at
/// most 63 characters of `[a-z0-9-]`, not starting or ending with `-`.
/// Environment names follow the same rule, which also keeps every path
/// built from one (`environments/<name>.yaml`) inside the chart.
pub fn check_name(s: &str) -> std::result::Result<(), &'static str> {
    if s.is_empty() {
        return Err("it is empty");
    }
    if s.len() > 63 {
        return Err("it is longer than 63 characters");
    }
    if let Some(c) = s
        .chars()
        .find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '-'))
    {
        return Err(match c {
            'A'..='Z' => "it has upper-case letters",
            '/' | '\\' | '.' => "it has '/', '\\' or '.' (a path?)",
            c if c.is_whitespace() => "it has spaces",
            _ => "it has characters other than a-z, 0-9 and '-'",
        });
    }
    if s.starts_with('-') || s.ends_with('-') {
        return Err("it starts or ends with '-'");
    }
    Ok(())
}

/// The location of the key `name` in the map at `path` (the key itself,
/// not its value, so an empty environment still has a line).
fn key_at(node: &crate::value::Node, path: &[&str], name: &str, file: &Arc<str>) -> Location {
    node.get_path(path)
        .and_then(|m| match &m.value {
            Value::Map(map) => map.get(name),
            _ => None,
        })
        .and_then(|n| n.origin.location().cloned())
        .or_else(|| {
            node.get_path(path)
                .and_then(|n| n.origin.location().cloned())
        })
        .unwrap_or_else(|| Location::new(file.clone(), 1, 1))
}

impl Environments {
    /// Read the environments of a chart from its files, and from the
    /// repository's environments.yaml when the chart uses one (`shared`,
    /// see `SharedFile::for_chart_dir`): a chart without an
    /// environments.yaml of its own has the repository's environments,
    /// each layering the chart's `environments/<name>.yaml` after the
    /// repository's files; a chart's own file that `extends` the
    /// repository's adds environments and refines the repository's.
    pub fn load(
        files: &BTreeMap<String, Vec<u8>>,
        shared: Option<&SharedFile>,
    ) -> Result<Environments> {
        let own = match files.get(ENVIRONMENTS_FILE) {
            Some(bytes) => Some(Self::parse(
                bytes,
                &FileCtx {
                    file: Arc::from(ENVIRONMENTS_FILE),
                    dir: "",
                    files,
                    own: true,
                },
            )?),
            None => None,
        };
        let wants_shared = own.as_ref().is_none_or(|o| o.spec.extends.is_some());
        let base = match shared {
            Some(sh) if wants_shared => {
                let p = Self::parse(
                    &sh.bytes,
                    &FileCtx {
                        file: Arc::from(sh.name.as_str()),
                        dir: &sh.dir,
                        files: &sh.files,
                        own: false,
                    },
                )?;
                if p.spec.extends.is_some() {
                    return Err(p.error(
                        &["extends"],
                        format!(
                            "{}: a repository's environments.yaml cannot `extends` another",
                            sh.name
                        ),
                    ));
                }
                Some(p)
            }
            _ => None,
        };
        if let (Some(o), None) = (&own, &base) {
            if let Some(ext) = &o.spec.extends {
                return Err(o.error(
                    &["extends"],
                    format!(
                        "extends {ext:?}: the repository's environments are not available here (a packaged chart carries only its own files): render the chart from its directory, or package it --rendered"
                    ),
                ));
            }
        }
        let mut envs = match (&own, &base) {
            (None, None) => return Self::discover(files),
            (Some(o), None) => o.environments(),
            (_, Some(b)) => {
                let mut envs = b.environments();
                b.check(&envs)?;
                if own.is_none() {
                    // Each chart adds its own values to the repository's.
                    for e in envs.list.values_mut() {
                        let default = format!("{ENVIRONMENTS_DIR}/{}.yaml", e.name);
                        if files.contains_key(&default) {
                            e.values.push(default);
                        }
                    }
                }
                envs
            }
        };
        if let (Some(o), Some(_)) = (&own, &base) {
            for (name, spec) in &o.spec.environments {
                let Some(mine) = o.list.get(name) else {
                    continue;
                };
                match envs.list.get_mut(name) {
                    Some(b) => {
                        b.values.extend(mine.values.iter().cloned());
                        if spec.namespace.is_some() {
                            b.namespace = mine.namespace.clone();
                        }
                        if spec.extends.is_some() {
                            b.extends = mine.extends.clone();
                        }
                        if spec.schema.is_some() {
                            b.schema = mine.schema.clone();
                        }
                        if spec.kube_version.is_some() {
                            b.kube_version = mine.kube_version.clone();
                        }
                        for a in &mine.api_versions {
                            if !b.api_versions.contains(a) {
                                b.api_versions.push(a.clone());
                            }
                        }
                    }
                    None => {
                        envs.list.insert(name.clone(), mine.clone());
                    }
                }
            }
            if !o.spec.promotion.is_empty() {
                envs.promotion = o.spec.promotion.clone();
            }
            if !o.spec.promote.is_empty() {
                envs.promote = o.spec.promote.clone();
            }
            for a in &o.spec.parity.allow {
                if !envs.parity_allow.contains(a) {
                    envs.parity_allow.push(a.clone());
                }
            }
        }
        if let Some(o) = &own {
            o.check(&envs)?;
        }
        envs.inherit_cluster();
        Ok(envs)
    }

    fn discover(files: &BTreeMap<String, Vec<u8>>) -> Result<Environments> {
        let mut list = IndexMap::new();
        for path in files.keys() {
            let Some(rest) = path.strip_prefix("environments/") else {
                continue;
            };
            let Some(name) = rest.strip_suffix(".yaml") else {
                continue;
            };
            if name.contains('/') || name.ends_with(".schema") {
                continue;
            }
            if let Err(why) = check_name(name) {
                return Err(Error::invalid(
                    Diagnostic::error(
                        Code::Env,
                        format!("{path}: \"{name}\" is not a valid environment name: {why}"),
                    )
                    .at(Location::new(Arc::from(path.as_str()), 1, 1))
                    .note(NAME_RULE),
                ));
            }
            list.insert(
                name.to_string(),
                Environment {
                    name: name.to_string(),
                    namespace: name.to_string(),
                    extends: None,
                    values: vec![path.clone()],
                    schema: None,
                    kube_version: None,
                    api_versions: Vec::new(),
                },
            );
        }
        Ok(Environments {
            list,
            ..Environments::default()
        })
    }

    /// Parse one environments.yaml: each environment with its own fields,
    /// its paths resolved to chart-relative names and checked to exist.
    /// References between environments are checked by [`Parsed::check`].
    fn parse(bytes: &[u8], ctx: &FileCtx<'_>) -> Result<Parsed> {
        let file = ctx.file.clone();
        let files = ctx.files;
        let text = yaml::decode_utf8(bytes, &file)?;
        let node = yaml::load_values(text, &file)?;
        let mut json = node.to_json();
        // `dev:` with nothing after it is an environment with all defaults.
        if let Some(envs) = json.get_mut("environments").and_then(|e| e.as_object_mut()) {
            for v in envs.values_mut() {
                if v.is_null() {
                    *v = serde_json::Value::Object(serde_json::Map::new());
                }
            }
        }
        let spec: EnvironmentsFile =
            crate::value::deserialize_located(&node, json).map_err(|(e, loc)| {
                let loc = loc.unwrap_or_else(|| Location::new(file.clone(), 1, 1));
                Diagnostic::error(Code::Env, format!("{file}: {e}"))
                    .at(loc)
                    .with_source(text)
            })?;
        let at = |path: &[&str]| -> Location {
            node.get_path(path)
                .and_then(|n| n.origin.location().cloned())
                .unwrap_or_else(|| Location::new(file.clone(), 1, 1))
        };
        let mut list = IndexMap::new();
        for (name, e) in &spec.environments {
            if let Err(why) = check_name(name) {
                return Err(Error::invalid(
                    Diagnostic::error(
                        Code::Env,
                        format!("{:?} is not a valid environment name: {why}", name),
                    )
                    .at(key_at(&node, &["environments"], name, &file))
                    .with_source(text)
                    .note(NAME_RULE),
                ));
            }
            if let Some(ns) = &e.namespace {
                if let Err(why) = check_name(ns) {
                    return Err(Error::invalid(
                        Diagnostic::error(
                            Code::Env,
                            format!(
                                "environment \"{name}\": namespace {:?} is not a valid namespace: {why}",
                                ns
                            ),
                        )
                        .at(at(&["environments", name, "namespace"]))
                        .with_source(text)
                        .note(NAME_RULE),
                    ));
                }
            }
            if let Some(v) = &e.kube_version {
                if let Err(why) = crate::semver::Version::parse_lenient(v) {
                    return Err(Error::invalid(
                        Diagnostic::error(
                            Code::Env,
                            format!(
                                "environment \"{name}\": kubeVersion {v:?} is not a Kubernetes version ({why})"
                            ),
                        )
                        .at(at(&["environments", name, "kubeVersion"]))
                        .with_source(text),
                    ));
                }
            }
            let values = match &e.values {
                Some(v) => {
                    let mut resolved = Vec::new();
                    for (i, f) in v.iter().enumerate() {
                        let r = ctx.resolve(f);
                        if f.starts_with('/') || !files.contains_key(r.as_str()) {
                            let loc = node
                                .get_path(&["environments", name, "values"])
                                .and_then(|n| match &n.value {
                                    Value::Seq(items) => items.get(i),
                                    _ => None,
                                })
                                .and_then(|n| n.origin.location().cloned())
                                .unwrap_or_else(|| at(&["environments", name]));
                            return Err(Error::invalid(
                                Diagnostic::error(
                                    Code::Env,
                                    format!(
                                        "environment \"{name}\": values file {f} does not exist"
                                    ),
                                )
                                .at(loc)
                                .with_source(text),
                            ));
                        }
                        resolved.push(r);
                    }
                    resolved
                }
                None => {
                    let default = format!("{ENVIRONMENTS_DIR}/{name}.yaml");
                    if ctx.own && files.contains_key(&default) {
                        vec![default]
                    } else {
                        Vec::new()
                    }
                }
            };
            let schema = e.schema.as_deref().map(|f| ctx.resolve(f));
            if let (Some(schema), Some(written)) = (&schema, &e.schema) {
                if !files.contains_key(schema.as_str()) {
                    return Err(Error::invalid(
                        Diagnostic::error(
                            Code::Env,
                            format!("environment \"{name}\": schema file {written} does not exist"),
                        )
                        .at(at(&["environments", name, "schema"]))
                        .with_source(text),
                    ));
                }
            }
            list.insert(
                name.clone(),
                Environment {
                    name: name.clone(),
                    namespace: e.namespace.clone().unwrap_or_else(|| name.clone()),
                    extends: e.extends.clone(),
                    values,
                    schema,
                    kube_version: e.kube_version.clone(),
                    api_versions: e.api_versions.clone(),
                },
            );
        }
        Ok(Parsed {
            spec,
            node,
            text: text.to_string(),
            file,
            list,
        })
    }

    /// `kubeVersion` and `apiVersions` describe an environment's cluster,
    /// through `extends`: the nearest version, every API (the ancestors'
    /// first). Linear in the number of environments: each is resolved once, after
    /// its parent. (Chains are valid here: checked before.)
    fn inherit_cluster(&mut self) {
        let mut done: std::collections::HashSet<String> = std::collections::HashSet::new();
        let names: Vec<String> = self.list.keys().cloned().collect();
        for name in names {
            // The unresolved environments from `name` up to a resolved one.
            let mut walk: Vec<String> = Vec::new();
            let mut cur = Some(name);
            while let Some(c) = cur {
                if done.contains(&c) || walk.contains(&c) {
                    break;
                }
                cur = self.list.get(&c).and_then(|e| e.extends.clone());
                walk.push(c);
            }
            for n in walk.into_iter().rev() {
                let parent = self
                    .list
                    .get(&n)
                    .and_then(|e| e.extends.as_ref())
                    .and_then(|p| self.list.get(p))
                    .map(|p| (p.kube_version.clone(), p.api_versions.clone()));
                if let (Some(e), Some((kube, apis))) = (self.list.get_mut(&n), parent) {
                    if e.kube_version.is_none() {
                        e.kube_version = kube;
                    }
                    let own = std::mem::replace(&mut e.api_versions, apis);
                    for a in own {
                        if !e.api_versions.contains(&a) {
                            e.api_versions.push(a);
                        }
                    }
                }
                done.insert(n);
            }
        }
    }

    /// The first `extends` cycle reached from `names`, in one pass over all
    /// chains (linear in the number of environments: a walk stops at an
    /// environment already known to be fine): the name it was reached from
    /// and the loop.
    fn find_cycle<'a>(
        &'a self,
        names: impl Iterator<Item = &'a str>,
    ) -> Option<(&'a str, Vec<String>)> {
        let mut fine: std::collections::HashSet<&str> = std::collections::HashSet::new();
        for name in names {
            let mut walk: Vec<&str> = Vec::new();
            let mut on_walk: std::collections::HashSet<&str> = std::collections::HashSet::new();
            let mut cur: Option<&str> = Some(name);
            while let Some(c) = cur {
                if fine.contains(c) {
                    break;
                }
                if !on_walk.insert(c) {
                    let mut shown: Vec<String> = walk.iter().map(|s| s.to_string()).collect();
                    shown.push(c.to_string());
                    return Some((name, shown));
                }
                walk.push(c);
                cur = self.list.get(c).and_then(|e| e.extends.as_deref());
            }
            fine.extend(walk);
        }
        None
    }

    fn known_note(&self) -> String {
        if self.list.is_empty() {
            "the chart defines no environments".to_string()
        } else {
            format!(
                "environments: {}",
                self.list
                    .keys()
                    .map(String::as_str)
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        }
    }

    /// Names from the root ancestor down to `name`; on a cycle, the loop.
    fn chain_names(&self, name: &str) -> std::result::Result<Vec<String>, Vec<String>> {
        let mut chain = vec![name.to_string()];
        let mut seen: std::collections::HashSet<&str> = std::collections::HashSet::new();
        seen.insert(name);
        let mut cur = name;
        while let Some(parent) = self.list.get(cur).and_then(|e| e.extends.as_deref()) {
            if !seen.insert(parent) {
                // Shown in `extends` direction: a -> (extends) c -> … -> a.
                chain.push(parent.to_string());
                return Err(chain);
            }
            chain.push(parent.to_string());
            cur = parent;
        }
        chain.reverse();
        Ok(chain)
    }

    /// The environment called `name`, or an error listing the known ones.
    pub fn get(&self, name: &str) -> Result<&Environment> {
        self.list.get(name).ok_or_else(|| {
            let where_ = if self.declared {
                format!("it is not defined in {ENVIRONMENTS_FILE}")
            } else {
                format!("there is no {ENVIRONMENTS_DIR}/{name}.yaml")
            };
            Error::invalid(
                Diagnostic::error(
                    Code::Env,
                    format!("unknown environment \"{name}\": {where_}"),
                )
                .note(self.known_note()),
            )
        })
    }

    /// For commands whose result depends on an environment (`render`,
    /// `diff`, `package --rendered`): on a chart with environments, no
    /// `--env` is a usage error listing them, not a silent render of the
    /// chart defaults (one forgotten flag away from deploying dev's
    /// settings to prod). A chart without environments needs none.
    /// `how` says what to give (`choose one with --env`).
    pub fn require(&self, env: Option<&str>, command: &str, how: &str) -> Result<()> {
        if env.is_some() || self.list.is_empty() {
            return Ok(());
        }
        Err(Error::Usage(format!(
            "{command} without --env: the chart has environments ({}); {how}",
            self.ordered_names().join(", ")
        )))
    }

    /// Without `--env` on a chart with environments, `values` shows the
    /// chart defaults: the note that says so (`None` when there are no
    /// environments or one was chosen).
    pub fn defaults_note(&self, env: Option<&str>) -> Option<Diagnostic> {
        if env.is_some() || self.list.is_empty() {
            return None;
        }
        Some(Diagnostic::info(
            Code::Env,
            format!(
                "no --env: these are the chart defaults (values.yaml); environments: {}",
                self.ordered_names().join(", ")
            ),
        ))
    }

    /// The environments `name` inherits from, root ancestor first, ending
    /// with `name` itself.
    pub fn chain(&self, name: &str) -> Result<Vec<&Environment>> {
        self.get(name)?;
        let names = self.chain_names(name).map_err(|cycle| {
            Error::msg(
                Code::Env,
                format!("`extends` forms a cycle: {}", cycle.join(" -> ")),
            )
        })?;
        names.iter().map(|n| self.get(n)).collect()
    }

    /// The values files of `name`'s chain, in layering order.
    pub fn layer_files(&self, name: &str) -> Result<Vec<String>> {
        Ok(self
            .chain(name)?
            .into_iter()
            .flat_map(|e| e.values.iter().cloned())
            .collect())
    }

    /// The schema files that apply to `name` (its own and its ancestors').
    pub(crate) fn schema_files(&self, name: &str) -> Result<Vec<String>> {
        Ok(self
            .chain(name)?
            .into_iter()
            .filter_map(|e| e.schema.clone())
            .collect())
    }

    /// Environment names in report order: `promotion` first, then the rest.
    pub fn ordered_names(&self) -> Vec<String> {
        let mut out: Vec<String> = self
            .promotion
            .iter()
            .filter(|n| self.list.contains_key(*n))
            .cloned()
            .collect();
        for n in self.list.keys() {
            if !out.contains(n) {
                out.push(n.clone());
            }
        }
        out
    }
}

/// The largest repository environments.yaml, or file it names, strata
/// reads (Helm's limit for one chart file).
const MAX_SHARED_FILE: u64 = 5 * 1024 * 1024;

/// An environments.yaml outside the chart — the repository's, in a folder
/// above it — with the files it names, read from disk. Paths written in
/// it are relative to its own folder; strata names them (in layer chains,
/// provenance and diagnostics) relative to the chart, as every other chart
/// file: `../../environments/prod.yaml`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SharedFile {
    /// The file, relative to the chart (`../../environments.yaml`).
    pub name: String,
    /// Its folder, relative to the chart (`../..`).
    pub dir: String,
    /// Its bytes.
    pub bytes: Vec<u8>,
    /// The values and schema files it names, by chart-relative name.
    pub files: BTreeMap<String, Vec<u8>>,
}

impl SharedFile {
    /// The environments.yaml from outside the chart that the chart in
    /// `dir` (with these `files`) uses: the one its own environments.yaml
    /// `extends`, or, when it has no environments.yaml, the nearest one in
    /// a folder above it. The search stops at the repository root (a folder
    /// holding `.git`) and skips folders that are charts themselves
    /// (holding Chart.yaml: their environments.yaml is their own).
    pub(crate) fn for_chart_dir(
        dir: &FsPath,
        files: &BTreeMap<String, Vec<u8>>,
    ) -> Result<Option<SharedFile>> {
        match files.get(ENVIRONMENTS_FILE) {
            Some(bytes) => {
                let file: Arc<str> = Arc::from(ENVIRONMENTS_FILE);
                // Errors here are reported by the full parse.
                let Ok(text) = yaml::decode_utf8(bytes, ENVIRONMENTS_FILE) else {
                    return Ok(None);
                };
                let Ok(node) = yaml::load_values(text, &file) else {
                    return Ok(None);
                };
                let Some(ext) = node.get_path(&["extends"]) else {
                    return Ok(None);
                };
                let Some(path) = ext.as_str() else {
                    return Ok(None);
                };
                let loc = ext
                    .origin
                    .location()
                    .cloned()
                    .unwrap_or_else(|| Location::new(file.clone(), 1, 1));
                let fail = |why: String| {
                    Error::invalid(
                        Diagnostic::error(Code::Env, format!("extends {path:?}: {why}"))
                            .at(loc.clone())
                            .with_source(text),
                    )
                };
                if FsPath::new(path).is_absolute() {
                    return Err(fail("paths in environments.yaml are relative to it".into()));
                }
                let target = dir.join(path);
                if !target.is_file() {
                    return Err(fail(format!(
                        "there is no such file ({})",
                        target.display()
                    )));
                }
                let same = match (
                    dir.join(ENVIRONMENTS_FILE).canonicalize(),
                    target.canonicalize(),
                ) {
                    (Ok(a), Ok(b)) => a == b,
                    _ => false,
                };
                if same {
                    return Err(fail(
                        "a chart's environments.yaml cannot extend itself".into(),
                    ));
                }
                Self::read(&target, dir).map(Some)
            }
            None => match find_above(dir) {
                Some(path) => Self::read(&path, dir).map(Some),
                None => Ok(None),
            },
        }
    }

    /// Read the environments.yaml at `path` and the files it names, for
    /// the chart in `chart_dir`.
    pub fn read(path: &FsPath, chart_dir: &FsPath) -> Result<SharedFile> {
        let shown = path.display().to_string();
        let canon = path.canonicalize().map_err(|e| Error::io(&shown, e))?;
        let chart = chart_dir
            .canonicalize()
            .map_err(|e| Error::io(chart_dir.display(), e))?;
        let folder = canon.parent().unwrap_or(&canon).to_path_buf();
        let dir = relative(&chart, &folder);
        let base = canon
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let name = join_rel(&dir, &base);
        let bytes = read_bounded(&canon, &name)?;
        let mut files = BTreeMap::new();
        // The files it names; a missing one is reported by the parse,
        // where it is written.
        let file: Arc<str> = Arc::from(name.as_str());
        if let Ok(text) = yaml::decode_utf8(&bytes, &name) {
            if let Ok(node) = yaml::load_values(text, &file) {
                for written in named_files(&node) {
                    if FsPath::new(&written).is_absolute() {
                        continue;
                    }
                    let on_disk = folder.join(&written);
                    if on_disk.is_file() {
                        let key = join_rel(&dir, &written);
                        let data = read_bounded(&on_disk, &key)?;
                        files.insert(key, data);
                    }
                }
            }
        }
        Ok(SharedFile {
            name,
            dir,
            bytes,
            files,
        })
    }
}

/// Every `values` and `schema` path of the environments in `node`.
fn named_files(node: &crate::value::Node) -> Vec<String> {
    let mut out = Vec::new();
    let Some(Value::Map(envs)) = node.get_path(&["environments"]).map(|n| &n.value) else {
        return out;
    };
    for e in envs.values() {
        if let Some(Value::Seq(items)) = e.get_path(&["values"]).map(|n| &n.value) {
            out.extend(items.iter().filter_map(|i| i.as_str().map(String::from)));
        }
        if let Some(s) = e.get_path(&["schema"]).and_then(|n| n.as_str()) {
            out.push(s.to_string());
        }
    }
    out
}

fn read_bounded(path: &FsPath, name: &str) -> Result<Vec<u8>> {
    let meta = std::fs::metadata(path).map_err(|e| Error::io(name, e))?;
    if meta.len() > MAX_SHARED_FILE {
        return Err(Error::invalid(Diagnostic::error(
            Code::Env,
            format!("{name} is larger than the 5 MiB limit"),
        )));
    }
    std::fs::read(path).map_err(|e| Error::io(name, e))
}

/// The nearest `environments.yaml` in a folder above chart folder `dir`
/// (see [`SharedFile::for_chart_dir`]).
pub(crate) fn find_above(dir: &FsPath) -> Option<std::path::PathBuf> {
    let canon = dir.canonicalize().ok()?;
    for folder in canon.ancestors().skip(1) {
        let is_chart = folder.join(crate::chart::CHART_FILE).is_file();
        let candidate = folder.join(ENVIRONMENTS_FILE);
        if !is_chart && candidate.is_file() {
            return Some(candidate);
        }
        if folder.join(".git").exists() {
            return None;
        }
    }
    None
}

/// `path` (written relative to `dir`) as one normalised relative path:
/// `.` and empty parts dropped, `x/..` folded (`..` kept at the start).
pub(crate) fn join_rel(dir: &str, path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for p in dir.split('/').chain(path.split('/')) {
        match p {
            "" | "." => {}
            ".." => {
                if parts.last().is_some_and(|l| *l != "..") {
                    parts.pop();
                } else {
                    parts.push("..");
                }
            }
            p => parts.push(p),
        }
    }
    parts.join("/")
}

/// `to` relative to `from` (both absolute and canonical), `/`-separated.
fn relative(from: &FsPath, to: &FsPath) -> String {
    let a: Vec<_> = from.components().collect();
    let b: Vec<_> = to.components().collect();
    let common = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let mut parts: Vec<String> = vec!["..".to_string(); a.len() - common];
    parts.extend(
        b[common..]
            .iter()
            .map(|c| c.as_os_str().to_string_lossy().into_owned()),
    );
    parts.join("/")
}

/// How the paths written in one environments.yaml resolve.
struct FileCtx<'a> {
    /// Its name in diagnostics and layer chains.
    file: Arc<str>,
    /// The chart-relative folder holding it: empty for the chart's own,
    /// `..` or `../..` for a repository's.
    dir: &'a str,
    /// The files its paths may name, by chart-relative name.
    files: &'a BTreeMap<String, Vec<u8>>,
    /// Whether it is the chart's own (`values` then defaults to the
    /// chart's `environments/<name>.yaml`).
    own: bool,
}

impl FileCtx<'_> {
    /// The chart-relative name of a path written in the file.
    fn resolve(&self, path: &str) -> String {
        join_rel(self.dir, path)
    }
}

/// One environments.yaml, parsed.
struct Parsed {
    spec: EnvironmentsFile,
    node: crate::value::Node,
    text: String,
    file: Arc<str>,
    /// Its environments, own fields only.
    list: IndexMap<String, Environment>,
}

impl Parsed {
    /// Where `path` is in the file (its start when absent).
    fn at(&self, path: &[&str]) -> Location {
        self.node
            .get_path(path)
            .and_then(|n| n.origin.location().cloned())
            .unwrap_or_else(|| Location::new(self.file.clone(), 1, 1))
    }

    fn error(&self, path: &[&str], message: String) -> Error {
        Error::invalid(
            Diagnostic::error(Code::Env, message)
                .at(self.at(path))
                .with_source(&self.text),
        )
    }

    /// Its environments alone.
    fn environments(&self) -> Environments {
        Environments {
            list: self.list.clone(),
            promotion: self.spec.promotion.clone(),
            promote: self.spec.promote.clone(),
            parity_allow: self.spec.parity.allow.clone(),
            declared: true,
        }
    }

    /// The references this file makes (`extends`, `promotion`) name
    /// environments of `envs`, and no chain loops.
    fn check(&self, envs: &Environments) -> Result<()> {
        // Every reference must name a known environment, and `extends` may not loop.
        for name in self.spec.environments.keys() {
            let Some(e) = envs.list.get(name) else {
                continue;
            };
            if let Some(parent) = &e.extends {
                if !envs.list.contains_key(parent) {
                    return Err(Error::invalid(
                        Diagnostic::error(
                            Code::Env,
                            format!(
                                "environment \"{name}\" extends \"{parent}\", which is not defined"
                            ),
                        )
                        .at(self.at(&["environments", name, "extends"]))
                        .with_source(&self.text)
                        .note(envs.known_note()),
                    ));
                }
            }
        }
        if let Some((name, cycle)) =
            envs.find_cycle(self.spec.environments.keys().map(String::as_str))
        {
            return Err(Error::invalid(
                Diagnostic::error(
                    Code::Env,
                    format!(
                        "environment \"{name}\": `extends` forms a cycle: {}",
                        cycle.join(" -> ")
                    ),
                )
                .at(self.at(&["environments", name, "extends"]))
                .with_source(&self.text),
            ));
        }
        for (i, name) in self.spec.promotion.iter().enumerate() {
            if !envs.list.contains_key(name) {
                let loc = self
                    .node
                    .get_path(&["promotion"])
                    .and_then(|n| match &n.value {
                        Value::Seq(items) => items.get(i),
                        _ => None,
                    })
                    .and_then(|n| n.origin.location().cloned())
                    .unwrap_or_else(|| self.at(&["promotion"]));
                return Err(Error::invalid(
                    Diagnostic::error(
                        Code::Env,
                        format!("promotion lists \"{name}\", which is not an environment"),
                    )
                    .at(loc)
                    .with_source(&self.text)
                    .note(envs.known_note()),
                ));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files(list: &[(&str, &str)]) -> BTreeMap<String, Vec<u8>> {
        list.iter()
            .map(|(k, v)| (k.to_string(), v.as_bytes().to_vec()))
            .collect()
    }

    fn err(list: &[(&str, &str)]) -> Diagnostic {
        match Environments::load(&files(list), None) {
            Ok(_) => panic!("expected an error"),
            Err(e) => e.diagnostics().remove(0),
        }
    }

    #[test]
    fn discovers_environment_files() {
        let e = Environments::load(
            &files(&[
                ("environments/prod.yaml", ""),
                ("environments/dev.yaml", ""),
                ("environments/prod.schema.json", "{}"),
                ("values.yaml", ""),
            ]),
            None,
        )
        .unwrap();
        assert_eq!(e.list.keys().collect::<Vec<_>>(), vec!["dev", "prod"]);
        assert_eq!(e.get("dev").unwrap().namespace, "dev");
        assert_eq!(
            e.layer_files("prod").unwrap(),
            vec!["environments/prod.yaml"]
        );
    }

    #[test]
    fn extends_chain_is_ancestors_first() {
        let e = Environments::load(&files(&[
            (
                "environments.yaml",
                "environments:\n  prod: {namespace: p, schema: environments/prod.schema.json}\n  prod-eu:\n    extends: prod\n    values: [environments/prod-eu.yaml]\n  dev:\n",
            ),
            ("environments/prod.yaml", ""),
            ("environments/prod-eu.yaml", ""),
            ("environments/prod.schema.json", "{}"),
        ]), None)
        .unwrap();
        assert_eq!(
            e.layer_files("prod-eu").unwrap(),
            vec!["environments/prod.yaml", "environments/prod-eu.yaml"]
        );
        assert_eq!(e.get("prod-eu").unwrap().namespace, "prod-eu");
        assert_eq!(
            e.schema_files("prod-eu").unwrap(),
            vec!["environments/prod.schema.json"]
        );
        assert!(e.get("dev").unwrap().values.is_empty());
    }

    #[test]
    fn cycle_is_an_error_naming_the_file() {
        let d = err(&[(
            "environments.yaml",
            "environments:\n  a: {extends: b}\n  b: {extends: a}\n",
        )]);
        assert_eq!(
            d.message,
            "environment \"a\": `extends` forms a cycle: a -> b -> a"
        );
        assert_eq!(d.location.unwrap().to_string(), "environments.yaml:2:16");
    }

    #[test]
    fn unknown_parent_and_missing_file_are_errors() {
        let d = err(&[(
            "environments.yaml",
            "environments:\n  a:\n    extends: nope\n",
        )]);
        assert_eq!(
            d.message,
            "environment \"a\" extends \"nope\", which is not defined"
        );
        assert_eq!(d.location.unwrap().to_string(), "environments.yaml:3:14");
        let d = err(&[(
            "environments.yaml",
            "environments:\n  a:\n    values: [environments/x.yaml]\n",
        )]);
        assert_eq!(
            d.message,
            "environment \"a\": values file environments/x.yaml does not exist"
        );
        assert_eq!(d.location.unwrap().to_string(), "environments.yaml:3:14");
    }

    #[test]
    fn unknown_field_points_at_it() {
        let d = err(&[("environments.yaml", "environments:\n  a:\n    extend: b\n")]);
        assert!(
            d.message.contains("unknown field `extend`"),
            "{}",
            d.message
        );
        assert_eq!(d.location.unwrap().line, 3);
    }

    #[test]
    fn a_wrong_type_points_at_its_key() {
        let d = err(&[(
            "environments.yaml",
            "environments:\n  a:\n    namespace: x\n  b:\n    values: environments/b.yaml\n",
        )]);
        assert!(d.message.contains("expected a sequence"), "{}", d.message);
        assert_eq!(d.location.unwrap().to_string(), "environments.yaml:5:13");
    }

    #[test]
    fn unknown_environment_lists_known_ones() {
        let e = Environments::load(&files(&[("environments/dev.yaml", "")]), None).unwrap();
        let d = e.get("prod").unwrap_err().diagnostics().remove(0);
        assert_eq!(
            d.message,
            "unknown environment \"prod\": there is no environments/prod.yaml"
        );
        assert_eq!(d.notes, vec!["environments: dev"]);
    }

    #[test]
    fn cluster_fields_are_inherited_through_extends() {
        let e = Environments::load(&files(&[(
            "environments.yaml",
            "environments:\n  prod: {kubeVersion: 1.30.2, apiVersions: [monitoring.coreos.com/v1]}\n  prod-eu: {extends: prod}\n  prod-us: {extends: prod, kubeVersion: v1.31.0}\n  dev:\n",
        )]), None)
        .unwrap();
        let eu = e.get("prod-eu").unwrap();
        assert_eq!(eu.kube_version.as_deref(), Some("1.30.2"));
        assert_eq!(eu.api_versions, ["monitoring.coreos.com/v1"]);
        let us = e.get("prod-us").unwrap();
        assert_eq!(us.kube_version.as_deref(), Some("v1.31.0"));
        assert_eq!(us.api_versions, ["monitoring.coreos.com/v1"]);
        let acc = Environments::load(
            &files(&[(
                "environments.yaml",
                "environments:\n  a: {apiVersions: [x/v1]}\n  b: {extends: a, apiVersions: [y/v1, x/v1]}\n",
            )]),
            None,
        )
        .unwrap();
        assert_eq!(acc.get("b").unwrap().api_versions, ["x/v1", "y/v1"]);
        assert_eq!(e.get("dev").unwrap().kube_version, None);
        assert!(e.get("dev").unwrap().api_versions.is_empty());
    }

    #[test]
    fn a_kube_version_that_is_not_one_is_refused_where_written() {
        let d = err(&[(
            "environments.yaml",
            "environments:\n  prod:\n    kubeVersion: latest\n",
        )]);
        assert!(
            d.message.starts_with(
                "environment \"prod\": kubeVersion \"latest\" is not a Kubernetes version"
            ),
            "{}",
            d.message
        );
        assert_eq!(d.location.unwrap().to_string(), "environments.yaml:3:18");
    }

    #[test]
    fn paths_of_a_repository_file_are_named_from_the_chart() {
        assert_eq!(
            join_rel("../..", "shared/dev.yaml"),
            "../../shared/dev.yaml"
        );
        assert_eq!(join_rel("..", "./a/../b.yaml"), "../b.yaml");
        assert_eq!(join_rel("..", "../x.yaml"), "../../x.yaml");
        assert_eq!(
            join_rel("", "environments/dev.yaml"),
            "environments/dev.yaml"
        );
        assert_eq!(
            join_rel("../..", "charts/api/x.yaml"),
            "../../charts/api/x.yaml"
        );
        assert_eq!(
            relative(FsPath::new("/r/charts/api"), FsPath::new("/r")),
            "../.."
        );
        assert_eq!(
            relative(FsPath::new("/r/charts/api"), FsPath::new("/r/envs")),
            "../../envs"
        );
    }

    #[test]
    fn a_chart_without_environments_yaml_takes_the_repository_s() {
        let shared = SharedFile {
            name: "../environments.yaml".into(),
            dir: "..".into(),
            bytes: b"environments:\n  dev: {values: [v/dev.yaml], kubeVersion: 1.30.0}\n  prod:\npromotion: [dev, prod]\n".to_vec(),
            files: files(&[("../v/dev.yaml", "a: 1\n")]),
        };
        let chart = files(&[("environments/prod.yaml", ""), ("environments/qa.yaml", "")]);
        let e = Environments::load(&chart, Some(&shared)).unwrap();
        assert_eq!(e.list.keys().collect::<Vec<_>>(), ["dev", "prod"]);
        assert_eq!(e.layer_files("dev").unwrap(), ["../v/dev.yaml"]);
        assert_eq!(e.layer_files("prod").unwrap(), ["environments/prod.yaml"]);
        assert_eq!(e.promotion, ["dev", "prod"]);
        // A chart with its own file that does not extend ignores it.
        let own = files(&[("environments.yaml", "environments:\n  qa:\n")]);
        let e = Environments::load(&own, Some(&shared)).unwrap();
        assert_eq!(e.list.keys().collect::<Vec<_>>(), ["qa"]);
        // One that extends refines and adds.
        let own = files(&[
            (
                "environments.yaml",
                "extends: ../environments.yaml\nenvironments:\n  dev: {namespace: mine}\n  dev-2: {extends: dev}\nparity: {allow: [x]}\n",
            ),
            ("environments/dev.yaml", ""),
        ]);
        let e = Environments::load(&own, Some(&shared)).unwrap();
        assert_eq!(e.list.keys().collect::<Vec<_>>(), ["dev", "prod", "dev-2"]);
        let dev = e.get("dev").unwrap();
        assert_eq!(dev.namespace, "mine");
        assert_eq!(dev.values, ["../v/dev.yaml", "environments/dev.yaml"]);
        assert_eq!(
            e.get("dev-2").unwrap().kube_version.as_deref(),
            Some("1.30.0")
        );
        assert_eq!(e.parity_allow, ["x"]);
        // Without the repository's file (a packaged chart), extends fails.
        let d = Environments::load(&own, None)
            .unwrap_err()
            .diagnostics()
            .remove(0);
        assert!(d.message.contains("packaged chart"), "{}", d.message);
        assert_eq!(d.location.unwrap().to_string(), "environments.yaml:1:10");
    }
}
