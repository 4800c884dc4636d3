//! Environments: `environments.yaml`, or one environment per
//! `environments/<name>.yaml` when that file is absent (DESIGN §2).

use std::collections::BTreeMap;
use std::sync::Arc;

use indexmap::IndexMap;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::diag::{Diagnostic, Error, Location, Result};
use crate::value::Value;
use crate::yaml;

/// The file that declares environments.
pub const ENVIRONMENTS_FILE: &str = "environments.yaml";
/// The folder of environment values files.
pub const ENVIRONMENTS_DIR: &str = "environments";

/// `environments.yaml` as written.
#[derive(Clone, Debug, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "strata environments.yaml")]
pub struct EnvironmentsFile {
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
pub struct EnvironmentSpec {
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
    /// The Kubernetes version the environment's cluster runs
    /// (`capabilities.kubeVersion` when rendering; default: inherited
    /// through `extends`, else `--kube-version`'s default).
    #[serde(default, rename = "kubeVersion")]
    pub kube_version: Option<String>,
    /// Extra API versions the cluster serves (`G/V` or `G/V/Kind`), added
    /// to `capabilities.apiVersions` (default: inherited through `extends`).
    #[serde(default, rename = "apiVersions")]
    pub api_versions: Option<Vec<String>>,
}

/// `parity:` settings.
#[derive(Clone, Debug, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ParitySpec {
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
    /// Its cluster's Kubernetes version, its own or inherited.
    pub kube_version: Option<String>,
    /// Extra API versions its cluster serves, its own or inherited.
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
    /// Read the environments of a chart from its files.
    pub fn load(files: &BTreeMap<String, Vec<u8>>) -> Result<Environments> {
        match files.get(ENVIRONMENTS_FILE) {
            Some(bytes) => Self::from_file(bytes.clone(), files),
            None => Self::discover(files),
        }
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
                        "env",
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

    fn from_file(bytes: Vec<u8>, files: &BTreeMap<String, Vec<u8>>) -> Result<Environments> {
        let file: Arc<str> = Arc::from(ENVIRONMENTS_FILE);
        let text = yaml::decode_utf8(&bytes, ENVIRONMENTS_FILE)?;
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
        let spec: EnvironmentsFile = serde_json::from_value(json.clone()).map_err(|e| {
            let loc = crate::value::locate_deserialize_error::<EnvironmentsFile>(&node, &json)
                .unwrap_or_else(|| Location::new(file.clone(), 1, 1));
            Diagnostic::error("env", format!("{ENVIRONMENTS_FILE}: {e}"))
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
                        "env",
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
                            "env",
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
                            "env",
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
                    for (i, f) in v.iter().enumerate() {
                        if !files.contains_key(f.as_str()) {
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
                                    "env",
                                    format!(
                                        "environment \"{name}\": values file {f} does not exist"
                                    ),
                                )
                                .at(loc)
                                .with_source(text),
                            ));
                        }
                    }
                    v.clone()
                }
                None => {
                    let default = format!("{ENVIRONMENTS_DIR}/{name}.yaml");
                    if files.contains_key(&default) {
                        vec![default]
                    } else {
                        Vec::new()
                    }
                }
            };
            if let Some(schema) = &e.schema {
                if !files.contains_key(schema.as_str()) {
                    return Err(Error::invalid(
                        Diagnostic::error(
                            "env",
                            format!("environment \"{name}\": schema file {schema} does not exist"),
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
                    schema: e.schema.clone(),
                    kube_version: e.kube_version.clone(),
                    api_versions: e.api_versions.clone().unwrap_or_default(),
                },
            );
        }
        let envs = Environments {
            list,
            promotion: spec.promotion.clone(),
            promote: spec.promote.clone(),
            parity_allow: spec.parity.allow.clone(),
            declared: true,
        };
        // Every reference must name a known environment, and `extends` may not loop.
        for (name, e) in &envs.list {
            if let Some(parent) = &e.extends {
                if !envs.list.contains_key(parent) {
                    return Err(Error::invalid(
                        Diagnostic::error(
                            "env",
                            format!(
                                "environment \"{name}\" extends \"{parent}\", which is not defined"
                            ),
                        )
                        .at(at(&["environments", name, "extends"]))
                        .with_source(text)
                        .note(envs.known_note()),
                    ));
                }
            }
            if let Err(cycle) = envs.chain_names(name) {
                return Err(Error::invalid(
                    Diagnostic::error(
                        "env",
                        format!(
                            "environment \"{name}\": `extends` forms a cycle: {}",
                            cycle.join(" -> ")
                        ),
                    )
                    .at(at(&["environments", name, "extends"]))
                    .with_source(text),
                ));
            }
        }
        for (i, name) in envs.promotion.iter().enumerate() {
            if !envs.list.contains_key(name) {
                let loc = node
                    .get_path(&["promotion"])
                    .and_then(|n| match &n.value {
                        Value::Seq(items) => items.get(i),
                        _ => None,
                    })
                    .and_then(|n| n.origin.location().cloned())
                    .unwrap_or_else(|| at(&["promotion"]));
                return Err(Error::invalid(
                    Diagnostic::error(
                        "env",
                        format!("promotion lists \"{name}\", which is not an environment"),
                    )
                    .at(loc)
                    .with_source(text)
                    .note(envs.known_note()),
                ));
            }
        }
        let mut envs = envs;
        envs.inherit_cluster();
        Ok(envs)
    }

    /// `kubeVersion` and `apiVersions` describe an environment's cluster:
    /// an environment that does not give them inherits its parent's.
    /// (Chains are valid here: checked before.)
    fn inherit_cluster(&mut self) {
        let names: Vec<String> = self.list.keys().cloned().collect();
        for name in names {
            let Ok(chain) = self.chain_names(&name) else {
                continue;
            };
            let mut kube = None;
            let mut apis = Vec::new();
            for n in &chain {
                if let Some(e) = self.list.get(n) {
                    if e.kube_version.is_some() {
                        kube = e.kube_version.clone();
                    }
                    if !e.api_versions.is_empty() {
                        apis = e.api_versions.clone();
                    }
                }
            }
            if let Some(e) = self.list.get_mut(&name) {
                e.kube_version = kube;
                e.api_versions = apis;
            }
        }
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
        let mut cur = name;
        while let Some(parent) = self.list.get(cur).and_then(|e| e.extends.as_deref()) {
            if chain.iter().any(|c| c == parent) {
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
                Diagnostic::error("env", format!("unknown environment \"{name}\": {where_}"))
                    .note(self.known_note()),
            )
        })
    }

    /// The environments `name` inherits from, root ancestor first, ending
    /// with `name` itself.
    pub fn chain(&self, name: &str) -> Result<Vec<&Environment>> {
        self.get(name)?;
        let names = self.chain_names(name).map_err(|cycle| {
            Error::msg(
                "env",
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
    pub fn schema_files(&self, name: &str) -> Result<Vec<String>> {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn files(list: &[(&str, &str)]) -> BTreeMap<String, Vec<u8>> {
        list.iter()
            .map(|(k, v)| (k.to_string(), v.as_bytes().to_vec()))
            .collect()
    }

    fn err(list: &[(&str, &str)]) -> Diagnostic {
        match Environments::load(&files(list)) {
            Ok(_) => panic!("expected an error"),
            Err(e) => e.diagnostics().remove(0),
        }
    }

    #[test]
    fn discovers_environment_files() {
        let e = Environments::load(&files(&[
            ("environments/prod.yaml", ""),
            ("environments/dev.yaml", ""),
            ("environments/prod.schema.json", "{}"),
            ("values.yaml", ""),
        ]))
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
        ]))
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
        let e = Environments::load(&files(&[("environments/dev.yaml", "")])).unwrap();
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
        )]))
        .unwrap();
        let eu = e.get("prod-eu").unwrap();
        assert_eq!(eu.kube_version.as_deref(), Some("1.30.2"));
        assert_eq!(eu.api_versions, ["monitoring.coreos.com/v1"]);
        let us = e.get("prod-us").unwrap();
        assert_eq!(us.kube_version.as_deref(), Some("v1.31.0"));
        assert_eq!(us.api_versions, ["monitoring.coreos.com/v1"]);
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
}
