//! The merged values of one environment: chart defaults → the environment's
//! chain → `-f` files → `--set` flags, in that order (DESIGN §3), each
//! leaf remembering its origin.

use std::sync::Arc;

use crate::chart::{Chart, VALUES_FILE};
use crate::deps::{self, Enabled};
use crate::diag::{Code, Diagnostic, Error, Result};
use crate::merge::{self, Deleted};
use crate::reads::{Layer, LayerKind};
use crate::schema;

use crate::strvals::{self, SetKind};
use crate::value::{Map, Node, Origin, Value};
use crate::yaml;

/// A user values file (`-f`), already read.
#[derive(Clone, Debug)]
pub struct UserFile {
    /// The path as given (`-` for standard input).
    pub name: String,
    /// Its bytes.
    pub bytes: Vec<u8>,
}

impl UserFile {
    /// Read `path` (`-` reads standard input).
    pub fn read(path: &str) -> Result<UserFile> {
        let shown = if path == "-" {
            "<stdin>".to_string()
        } else {
            format!("values file {path}")
        };
        let bytes = crate::fsutil::read_input(path).map_err(|e| {
            if crate::fsutil::is_too_large(&e) {
                Error::msg(Code::Values, format!("{shown}: {e}"))
            } else {
                Error::io(&shown, e)
            }
        })?;
        Ok(UserFile {
            name: if path == "-" {
                "<stdin>".to_string()
            } else {
                path.to_string()
            },
            bytes,
        })
    }
}

/// One `--set`-family flag.
#[derive(Clone, Debug)]
pub struct SetFlag {
    /// Which flag.
    pub kind: SetKind,
    /// Its argument.
    pub arg: String,
}

/// What to merge.
#[derive(Clone, Debug, Default)]
pub struct Request {
    /// The environment, if any.
    pub env: Option<String>,
    /// `-f` files in order.
    pub files: Vec<UserFile>,
    /// `--set` family flags in command-line order.
    pub sets: Vec<SetFlag>,
}

/// The merged values and how they came to be.
#[derive(Clone, Debug)]
pub struct Merged {
    /// The final values (a map).
    pub values: Node,
    /// The layers applied, in order: files (chart-relative or as given) and flags.
    pub layers: Vec<String>,
    /// Non-fatal findings (type conflicts).
    pub warnings: Vec<Diagnostic>,
    /// Keys removed by user nulls.
    pub deleted: Vec<Deleted>,
    /// Paths of values that the schemas mark `writeOnly` (secrets), filled
    /// by [`merge`](fn@merge) so output can redact them.
    pub secrets: Vec<crate::value::Path>,
    /// The subcharts in use after conditions and tags (each renders with
    /// `values.<name>`).
    pub subcharts: Vec<Enabled>,
}

/// Merge the values of `chart` for `req` and validate them against the
/// chart's schema and the environment's schemas: every violation is
/// reported (`Error::Many`), each at the origin of the offending value.
/// Every command that uses values goes through here.
pub fn merge(chart: &Chart, req: &Request) -> Result<Merged> {
    checked(chart, None, req)
}

/// [`merge`](fn@merge) with the chart's own values moved in by the caller instead of
/// copied from `chart.values` (which is then not read, and may be left
/// empty): for a caller that needs them no more, such as `strata render`
/// of a chart without subcharts. A large chart's defaults are megabytes
/// (what the copy cost is in docs/performance.md).
pub fn merge_moving(chart: &Chart, own: Node, req: &Request) -> Result<Merged> {
    let own = match own.value {
        Value::Map(m) => m,
        _ => Map::default(),
    };
    checked(chart, Some(own), req)
}

fn checked(chart: &Chart, own: Option<Map>, req: &Request) -> Result<Merged> {
    let mut merged = layered(chart, own, req)?;
    let tag = |e: Error| match &req.env {
        Some(env) => e.in_env(env),
        None => e,
    };
    let mut set = schema::SchemaSet::for_env(chart, req.env.as_deref()).map_err(tag)?;
    set.schemas
        .extend(schema::subchart_schemas(chart, &merged.subcharts).map_err(tag)?);
    let errors = set.validate(chart, req, &merged);
    if !errors.is_empty() {
        return Err(Error::Many(errors));
    }
    merged.secrets = set.secret_paths(&merged.values);
    Ok(merged)
}

/// Merge the values of `chart` for `req` without schema validation (lint
/// uses it to collect schema findings instead of stopping at them).
pub(crate) fn merge_unchecked(chart: &Chart, req: &Request) -> Result<Merged> {
    layered(chart, None, req)
}

/// Each layer of `req` as written, before merging, in layer order: the
/// chart's values.yaml when `defaults` is set, the environment chain's
/// files, the `-f` files, and each `--set`-family flag on its own.
pub fn layers(chart: &Chart, req: &Request, defaults: bool) -> Result<Vec<Layer>> {
    let mut out = Vec::new();
    if defaults {
        out.push(Layer {
            name: VALUES_FILE.to_string(),
            kind: LayerKind::Defaults,
            values: chart.values.as_map().cloned().unwrap_or_default(),
            text: chart.text(VALUES_FILE).ok(),
        });
    }
    if let Some(env) = &req.env {
        for file in chart.environments.layer_files(env)? {
            let text = chart.text(&file)?;
            let node = yaml::load_values(&text, &Arc::from(file.as_str()))?;
            out.push(Layer {
                name: file,
                kind: LayerKind::Environment,
                values: into_map(node),
                text: Some(text),
            });
        }
    }
    for f in &req.files {
        let text = yaml::decode_utf8(&f.bytes, &f.name)?;
        let node = yaml::load_values(text, &Arc::from(f.name.as_str()))?;
        out.push(Layer {
            name: f.name.clone(),
            kind: LayerKind::File,
            values: into_map(node),
            text: Some(text.to_string()),
        });
    }
    for s in &req.sets {
        let mut values = Map::default();
        let mut read = |path: &str| std::fs::read_to_string(path);
        strvals::apply(&mut values, s.kind, &s.arg, &mut read)?;
        out.push(Layer {
            name: format!("{} {}", s.kind.flag(), s.arg),
            kind: LayerKind::Flag,
            values,
            text: None,
        });
    }
    Ok(out)
}

/// A layer's map, moved out of its node (a file's top level is a map).
fn into_map(node: Node) -> Map {
    match node.value {
        Value::Map(m) => m,
        _ => Map::default(),
    }
}

/// The values paths the schemas that apply to `env` declare (the chart's,
/// the environment chain's, and the subcharts' in use).
pub fn declarations(
    chart: &Chart,
    env: Option<&str>,
    merged: &Merged,
) -> Result<schema::Declarations> {
    let mut set = schema::SchemaSet::for_env(chart, env)?;
    set.schemas
        .extend(schema::subchart_schemas(chart, &merged.subcharts)?);
    Ok(schema::Declarations::of(&set))
}

/// What `render` warns about: values that the user layers of `req` (the
/// environment's files, `-f` files, `--set` flags) set, that no schema
/// declares, and that the render (whose reads are `reads`) did not read.
/// Chart defaults are lint's business: one render may leave a default
/// unread that another environment reads.
pub fn unused_in_render(
    chart: &Chart,
    req: &Request,
    merged: &Merged,
    reads: &crate::reads::ReadSet,
) -> Result<Vec<Diagnostic>> {
    let layers = layers(chart, req, false)?;
    if layers.is_empty() {
        return Ok(Vec::new());
    }
    let declared = declarations(chart, req.env.as_deref(), merged)?;
    Ok(
        crate::reads::unused(&layers, reads, &declared, crate::reads::Scope::OneRender)
            .into_iter()
            .map(|d| match &req.env {
                Some(e) => d.in_env(e.clone()),
                None => d,
            })
            .collect(),
    )
}

/// One value's story, for `values --explain`: the merged value with its
/// origin, and every layer that set it, in layer order.
#[derive(Clone, Debug)]
pub struct Explained {
    /// Where the value is.
    pub path: crate::value::Path,
    /// The merged value (`<redacted>` for a secret).
    pub value: Node,
    /// Each layer that set it, in layer order; the winner is marked.
    pub settings: Vec<Setting>,
}

/// One layer's setting of a value.
#[derive(Clone, Debug)]
pub struct Setting {
    /// What the layer set (`<redacted>` for a secret).
    pub value: Value,
    /// Where: file:line:column, or the flag.
    pub origin: Origin,
    /// Whether this is the value that won.
    pub wins: bool,
}

impl Explained {
    /// The settings that lost, in layer order.
    pub fn overridden(&self) -> impl Iterator<Item = &Setting> {
        self.settings.iter().filter(|s| !s.wins)
    }
}

/// The story of every merged value at or below `prefix` (all of them
/// without one): each layer of `req` that set it, in layer order, and the
/// one that won. Secrets (`merged.secrets`) are redacted in all of it. A
/// prefix that selects nothing is a usage error naming the nearest key.
pub fn explain(
    chart: &Chart,
    req: &Request,
    merged: &Merged,
    prefix: Option<&crate::value::Path>,
) -> Result<Vec<Explained>> {
    let layers = layers(chart, req, true)?;
    let redacted = || Value::Str("<redacted>".to_string());
    // The flag arguments that carried a secret are not shown, for any value
    // they set.
    let secret_args = schema::redact(&mut merged.values.clone(), &merged.secrets);
    let shown = |origin: &Origin, path: &crate::value::Path, secret: bool| {
        schema::redact_origin(origin, &path.to_string(), secret, &secret_args)
    };
    let mut out = Vec::new();
    for (path, node) in merged.values.leaves() {
        let segs = path.segments();
        if segs.is_empty() || prefix.is_some_and(|p| !path.starts_with(p)) {
            continue;
        }
        let secret = merged.secrets.iter().any(|s| path.starts_with(s));
        let mut settings: Vec<Setting> = layers
            .iter()
            .filter_map(|l| {
                let (first, rest) = segs.split_first()?;
                let n = l.values.get(first)?;
                let n = if rest.is_empty() {
                    n
                } else {
                    n.get_path(rest)?
                };
                Some(Setting {
                    value: if secret { redacted() } else { n.value.clone() },
                    origin: n.origin.clone(),
                    wins: false,
                })
            })
            .collect();
        // The winner is the last setting from where the merged value came
        // from; a value from elsewhere (a subchart's defaults) comes first.
        match settings.iter().rposition(|s| s.origin == node.origin) {
            Some(i) => settings[i].wins = true,
            None => settings.insert(
                0,
                Setting {
                    value: if secret {
                        redacted()
                    } else {
                        node.value.clone()
                    },
                    origin: node.origin.clone(),
                    wins: true,
                },
            ),
        }
        for s in &mut settings {
            s.origin = shown(&s.origin, &path, secret);
        }
        let mut value = node.clone();
        value.origin = shown(&node.origin, &path, secret);
        if secret {
            value.value = redacted();
        }
        out.push(Explained {
            path,
            value,
            settings,
        });
    }
    if let (Some(p), true) = (prefix, out.is_empty()) {
        let segs = p.segments();
        let mut message = format!("--explain {p}: no value at this path");
        if let Some((last, parent)) = segs.split_last() {
            let keys: Vec<&str> = merged
                .values
                .get_path(parent)
                .and_then(Node::as_map)
                .map(|m| m.keys().map(String::as_str).collect())
                .unwrap_or_default();
            if let Some(near) = crate::reads::suggest(last, &keys) {
                let mut full = parent.to_vec();
                full.push(near.to_string());
                message.push_str(&format!("; did you mean `{}`?", crate::value::Path(full)));
            }
        }
        return Err(Error::Usage(message));
    }
    Ok(out)
}

/// The layers coalesced over the defaults: `own` (when given) or a copy of
/// `chart.values`, with the subcharts' defaults.
fn layered(chart: &Chart, own: Option<Map>, req: &Request) -> Result<Merged> {
    let mut layers = vec![VALUES_FILE.to_string()];
    let mut user = Map::default();
    if let Some(env) = &req.env {
        for file in chart.environments.layer_files(env)? {
            let text = chart.text(&file)?;
            let node =
                yaml::load_values_typed(&text, &Arc::from(file.as_str()), chart.dialect.typing())?;
            if let Value::Map(m) = node.value {
                merge::merge_user(&mut user, m);
            }
            layers.push(file);
        }
    }
    for f in &req.files {
        let text = yaml::decode_utf8(&f.bytes, &f.name)?;
        let node =
            yaml::load_values_typed(text, &Arc::from(f.name.as_str()), chart.dialect.typing())?;
        if let Value::Map(m) = node.value {
            merge::merge_user(&mut user, m);
        }
        layers.push(f.name.clone());
    }
    for s in &req.sets {
        // `--set-file a=-` reads standard input, as Helm does.
        let mut read = |path: &str| {
            crate::fsutil::read_input(path).and_then(|b| {
                String::from_utf8(b).map_err(|_| {
                    std::io::Error::new(std::io::ErrorKind::InvalidData, "not UTF-8 text")
                })
            })
        };
        strvals::apply(&mut user, s.kind, &s.arg, &mut read)?;
        layers.push(format!("{} {}", s.kind.flag(), s.arg));
    }
    let processed = deps::process_with(chart, &user, own)?;
    let out = match chart.dialect {
        crate::dialect::Dialect::Jinja => merge::coalesce(processed.defaults, user, false),
        crate::dialect::Dialect::Go => merge::coalesce_helm(processed.defaults, user),
    }
    .map_err(Error::invalid)?;
    let warnings = processed
        .warnings
        .into_iter()
        .chain(out.warnings)
        .map(|d| match &req.env {
            Some(e) => d.in_env(e.clone()),
            None => d,
        })
        .collect();
    Ok(Merged {
        values: Node::new(Value::Map(out.values), Origin::Generated),
        layers,
        warnings,
        deleted: out.deleted,
        secrets: Vec::new(),
        subcharts: processed.subcharts,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    /// `merge_moving` with the chart's own values moved out gives what
    /// `merge` gives: values with their origins, layers, warnings, secrets,
    /// subcharts, or the same error.
    #[test]
    fn moving_the_defaults_in_merges_as_copying_them() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let mut checked = 0;
        for dir in [
            "charts/api",
            "tests/fixtures/layers",
            "tests/fixtures/schema",
            "tests/fixtures/umbrella",
            "tests/fixtures/umbrella-db",
            "tests/fixtures/envflow-render",
            "tests/fixtures/envflow-promote",
        ] {
            let chart = match Chart::load(&root.join(dir), dir) {
                Ok(c) => c,
                Err(e) => panic!("{dir}: {e:?}"),
            };
            let mut envs: Vec<Option<String>> = vec![None];
            envs.extend(chart.environments.ordered_names().into_iter().map(Some));
            for env in envs {
                let req = Request {
                    env: env.clone(),
                    ..Request::default()
                };
                let copied = format!("{:?}", merge(&chart, &req));
                let mut emptied = chart.clone();
                let own =
                    std::mem::replace(&mut emptied.values, Node::empty_map(Origin::Generated));
                let moved = format!("{:?}", merge_moving(&emptied, own, &req));
                assert_eq!(moved, copied, "{dir} {env:?}");
                checked += 1;
            }
        }
        // charts/api has four environments.
        assert!(checked >= 10, "{checked} merges compared");
    }
}
