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

impl Environments {
    /// Read the environments of a chart from its files.
    pub fn load(files: &BTreeMap<String, Vec<u8>>) -> Result<Environments> {
        match files.get(ENVIRONMENTS_FILE) {
            Some(bytes) => Self::from_file(bytes.clone(), files),
            None => Ok(Self::discover(files)),
        }
    }

    fn discover(files: &BTreeMap<String, Vec<u8>>) -> Environments {
        let mut list = IndexMap::new();
        for path in files.keys() {
            let Some(rest) = path.strip_prefix("environments/") else {
                continue;
            };
            let Some(name) = rest.strip_suffix(".yaml") else {
                continue;
            };
            if name.is_empty() || name.contains('/') || name.ends_with(".schema") {
                continue;
            }
            list.insert(
                name.to_string(),
                Environment {
                    name: name.to_string(),
                    namespace: name.to_string(),
                    extends: None,
                    values: vec![path.clone()],
                    schema: None,
                },
            );
        }
        Environments {
            list,
            ..Environments::default()
        }
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
        Ok(envs)
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
            "env",
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
}
