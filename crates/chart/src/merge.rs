//! The one merge: user layers over each other, then the result coalesced
//! over the chart's defaults (and its subcharts'), with Helm 4's rules.
//!
//! Rules (docs/values.md states them for users):
//! 1. User layers (environment chain, `-f` files, `--set` flags) merge in
//!    order with `merge_user`: maps merge key by key, recursively; any
//!    other value — scalar, list, `null` — replaces what was there.
//! 2. [`coalesce`] lays the merged user values over the chart defaults:
//!    - a user `null` on a key that has a default removes the key (and the
//!      removal is remembered in [`Coalesced::deleted`]);
//!    - a user `null` on a key without a default stays `null`;
//!    - `null`s in defaults that nobody overrides are dropped;
//!    - a map where the defaults have a scalar, or the reverse, keeps the
//!      user's value and yields a warning;
//!    - a subchart's section (`values.<name>`) is coalesced over the
//!      subchart's own defaults, and `global` is copied down, the parent's
//!      winning.
//!
//! Key order: defaults' order first, then keys only the user layers have,
//! in the order they were first set.

use std::sync::Arc;

use crate::diag::{Code, Diagnostic};
use crate::value::{Map, Node, Origin, Path, Value};

/// The key shared with every subchart.
pub const GLOBAL_KEY: &str = "global";

/// Merge user layer `src` over `dst` (rule 1).
pub(crate) fn merge_user(dst: &mut Map, src: Map) {
    for (key, node) in src {
        match (dst.get_mut(&key), node.value) {
            (Some(d), Value::Map(sm)) if d.value.is_map() => {
                if let Value::Map(dm) = &mut d.value {
                    merge_user(dm, sm);
                }
            }
            (_, value) => {
                dst.insert(
                    key,
                    Node {
                        value,
                        origin: node.origin,
                    },
                );
            }
        }
    }
}

/// A chart's defaults and those of its subcharts, as coalescing sees them.
#[derive(Clone, Debug)]
pub struct DefaultsTree {
    /// The chart's name (an alias, for aliased subcharts).
    pub name: String,
    /// Its values.yaml (an empty map when it has none).
    pub values: Map,
    /// Its subcharts, in dependency order.
    pub subcharts: Vec<DefaultsTree>,
}

/// A key removed by a user `null`.
#[derive(Clone, Debug, PartialEq)]
pub struct Deleted {
    /// The path that no longer exists.
    pub path: Path,
    /// The `null` that removed it.
    pub by: Origin,
}

/// The result of [`coalesce`].
#[derive(Clone, Debug, Default)]
pub struct Coalesced {
    /// The final values.
    pub values: Map,
    /// Type conflicts, resolved in the user's favour.
    pub warnings: Vec<Diagnostic>,
    /// Keys removed by user nulls.
    pub deleted: Vec<Deleted>,
}

/// Coalesce merged user values over a chart tree's defaults (rule 2).
///
/// `keep_nulls` gives Helm's `MergeValues` (nulls survive); strata itself
/// always coalesces with `false`.
///
/// The defaults are taken by value: their nodes move into the result
/// instead of being copied (a values.yaml of 1000 apps is megabytes).
pub fn coalesce(chart: DefaultsTree, user: Map, keep_nulls: bool) -> Result<Coalesced, Diagnostic> {
    coalesce_with(chart, user, keep_nulls, false)
}

/// [`coalesce`] as helm 4.1.4 does it for Go charts: `null`s in the
/// defaults that no user value overrides stay `null` (checked against
/// helm: `limits:` with nothing after it reaches templates as `nil`,
/// and `toYaml` prints `limits: null`); a user `null` still removes a
/// default.
pub(crate) fn coalesce_helm(chart: DefaultsTree, user: Map) -> Result<Coalesced, Diagnostic> {
    coalesce_with(chart, user, false, true)
}

fn coalesce_with(
    chart: DefaultsTree,
    user: Map,
    keep_nulls: bool,
    default_nulls: bool,
) -> Result<Coalesced, Diagnostic> {
    let mut cx = Cx {
        keep_nulls,
        default_nulls,
        warnings: Vec::new(),
        deleted: Vec::new(),
    };
    let values = cx.chart(chart, user, &Path::default(), "")?;
    Ok(Coalesced {
        values,
        warnings: cx.warnings,
        deleted: cx.deleted,
    })
}

/// Helm's `CoalesceTables` (`keep_nulls` false) / `MergeTables` (true):
/// `dst` is authoritative, `src` fills its gaps. Exposed for tests.
pub(crate) fn coalesce_tables(dst: Map, src: Map, keep_nulls: bool) -> Coalesced {
    let mut cx = Cx {
        keep_nulls,
        default_nulls: false,
        warnings: Vec::new(),
        deleted: Vec::new(),
    };
    let values = cx.tables(dst, src, &Path::default(), keep_nulls);
    Coalesced {
        values,
        warnings: cx.warnings,
        deleted: cx.deleted,
    }
}

struct Cx {
    keep_nulls: bool,
    /// Keep the defaults' own `null`s (Helm's coalescing of Go charts).
    default_nulls: bool,
    warnings: Vec<Diagnostic>,
    deleted: Vec<Deleted>,
}

fn drop_nulls(map: &mut Map) {
    map.retain(|_, v| !v.value.is_null());
    for v in map.values_mut() {
        if let Value::Map(m) = &mut v.value {
            drop_nulls(m);
        }
    }
}

fn describe(node: &Node) -> String {
    match &node.value {
        Value::Map(_) => "a map".to_string(),
        Value::Seq(_) => "a list".to_string(),
        other => format!(
            "the {} {}",
            other.type_name(),
            crate::yaml::scalar_text(other)
        ),
    }
}

fn where_(node: &Node) -> String {
    match &node.origin {
        Origin::Generated => String::new(),
        o => format!(" ({o})"),
    }
}

/// A map whose entries are taken out by key, the rest kept in their order.
/// Taking marks the entry instead of `shift_remove`-ing it, which moved
/// every later entry: quadratic for big maps (a values map of 1000 apps).
struct Leftover {
    map: Map,
    taken: Vec<bool>,
}

impl Leftover {
    fn new(map: Map) -> Self {
        let taken = vec![false; map.len()];
        Leftover { map, taken }
    }

    /// The entry for `key`, once (as `shift_remove` would give it).
    fn take(&mut self, key: &str) -> Option<Node> {
        let i = self.map.get_index_of(key)?;
        if std::mem::replace(&mut self.taken[i], true) {
            return None;
        }
        let (_, node) = self.map.get_index_mut(i)?;
        Some(std::mem::replace(
            node,
            Node::new(Value::Null, Origin::Generated),
        ))
    }

    /// The entries not taken, in the map's order.
    fn into_rest(self) -> impl Iterator<Item = (String, Node)> {
        self.map
            .into_iter()
            .zip(self.taken)
            .filter_map(|(entry, taken)| (!taken).then_some(entry))
    }
}

impl Cx {
    fn chart(
        &mut self,
        c: DefaultsTree,
        user: Map,
        path: &Path,
        prefix: &str,
    ) -> Result<Map, Diagnostic> {
        let DefaultsTree {
            name,
            values,
            subcharts,
        } = c;
        let v = self.values(values, &subcharts, user, path);
        self.deps(&name, subcharts, v, path, prefix)
    }

    /// Helm's `coalesceValues`: the chart's own defaults under `v`.
    fn values(&mut self, defaults: Map, subcharts: &[DefaultsTree], v: Map, path: &Path) -> Map {
        let mut out =
            Map::with_capacity_and_hasher(defaults.len().max(v.len()), Default::default());
        let mut v = Leftover::new(v);
        for (key, default) in defaults {
            match v.take(&key) {
                Some(user) if user.value.is_null() && !self.keep_nulls => {
                    if !default.value.is_null() {
                        self.deleted.push(Deleted {
                            path: path.child(&key),
                            by: user.origin,
                        });
                    }
                }
                Some(user) if user.value.is_map() && default.value.is_map() => {
                    let child_merge = self.keep_nulls || subcharts.iter().any(|s| s.name == key);
                    let (Value::Map(dst), Value::Map(mut src)) = (user.value, default.value) else {
                        continue;
                    };
                    if !child_merge && !self.default_nulls {
                        drop_nulls(&mut src);
                    }
                    let merged = self.tables(dst, src, &path.child(&key), child_merge);
                    out.insert(key, Node::new(Value::Map(merged), user.origin));
                }
                Some(user) => {
                    let conflict = match (&user.value, &default.value) {
                        (Value::Map(_), d) => !d.is_null(),
                        (_, Value::Map(_)) => true,
                        _ => false,
                    };
                    if conflict {
                        self.conflict(&path.child(&key), &user, &default);
                    }
                    out.insert(key, user);
                }
                None => {
                    if !self.keep_nulls && !self.default_nulls {
                        if default.value.is_null() {
                            continue;
                        }
                        let mut d = default;
                        if let Value::Map(m) = &mut d.value {
                            drop_nulls(m);
                        }
                        out.insert(key, d);
                    } else {
                        out.insert(key, default);
                    }
                }
            }
        }
        out.extend(v.into_rest());
        out
    }

    /// Helm's `coalesceTablesFullKey`: `dst` (user) wins, `src` fills gaps.
    fn tables(&mut self, dst: Map, src: Map, path: &Path, keep: bool) -> Map {
        // The union has at least as many keys as the larger map.
        let mut out = Map::with_capacity_and_hasher(src.len().max(dst.len()), Default::default());
        let mut dst = Leftover::new(dst);
        for (key, val) in src {
            match dst.take(&key) {
                None => {
                    out.insert(key, val);
                }
                Some(dv) if dv.value.is_null() => {
                    if !keep && !val.value.is_null() {
                        self.deleted.push(Deleted {
                            path: path.child(&key),
                            by: dv.origin,
                        });
                    } else {
                        out.insert(key, dv);
                    }
                }
                Some(dv) => match (&dv.value, val.value) {
                    (Value::Map(_), Value::Map(sm)) => {
                        let origin = dv.origin.clone();
                        let Value::Map(dm) = dv.value else { continue };
                        let merged = self.tables(dm, sm, &path.child(&key), keep);
                        out.insert(key, Node::new(Value::Map(merged), origin));
                    }
                    (_, value) => {
                        let src_node = Node::new(value, val.origin);
                        if src_node.value.is_map()
                            || (dv.value.is_map() && !src_node.value.is_null())
                        {
                            self.conflict(&path.child(&key), &dv, &src_node);
                        }
                        out.insert(key, dv);
                    }
                },
            }
        }
        out.extend(dst.into_rest());
        out
    }

    fn conflict(&mut self, path: &Path, user: &Node, default: &Node) {
        let d = Diagnostic::warning(
            Code::Values,
            format!(
                "{path}: {}{} replaces {}{} of the chart's defaults; the later value wins",
                describe(user),
                where_(user),
                describe(default),
                where_(default),
            ),
        )
        .at_opt(user.origin.location().cloned());
        self.warnings.push(d);
    }

    /// Helm's `coalesceDeps`: each subchart's section over its defaults.
    fn deps(
        &mut self,
        name: &str,
        subcharts: Vec<DefaultsTree>,
        mut dest: Map,
        path: &Path,
        prefix: &str,
    ) -> Result<Map, Diagnostic> {
        let sub_prefix = if prefix.is_empty() {
            name.to_string()
        } else {
            format!("{prefix}.{name}")
        };
        for sub in subcharts {
            let section = match dest.shift_remove(&sub.name) {
                None => Map::default(),
                Some(Node {
                    value: Value::Map(m),
                    ..
                }) => m,
                Some(other) => {
                    return Err(Diagnostic::error(
                        Code::Values,
                        format!(
                            "{}: the values of subchart \"{}\" must be a map, not {}",
                            path.child(&sub.name),
                            sub.name,
                            describe(&other)
                        ),
                    )
                    .at_opt(other.origin.location().cloned()))
                }
            };
            let mut section = section;
            self.globals(&mut section, &dest, &path.child(&sub.name));
            let sub_name = sub.name.clone();
            let values = self.chart(sub, section, &path.child(&sub_name), &sub_prefix)?;
            dest.insert(sub_name, Node::new(Value::Map(values), Origin::Generated));
        }
        Ok(dest)
    }

    /// Helm's `coalesceGlobals`: the parent's `global` copied into the
    /// subchart's section, the parent's values winning.
    fn globals(&mut self, dest: &mut Map, parent: &Map, path: &Path) {
        let here = path.child(GLOBAL_KEY);
        let mut dg = match dest.shift_remove(GLOBAL_KEY) {
            None => Map::default(),
            Some(Node {
                value: Value::Map(m),
                ..
            }) => m,
            Some(other) => {
                self.warnings.push(
                    Diagnostic::warning(
                        Code::Values,
                        format!("{here}: not a map; globals are not passed down here"),
                    )
                    .at_opt(other.origin.location().cloned()),
                );
                dest.insert(GLOBAL_KEY.to_string(), other);
                return;
            }
        };
        let sg = match parent.get(GLOBAL_KEY) {
            None => Map::default(),
            Some(Node {
                value: Value::Map(m),
                ..
            }) => m.clone(),
            Some(other) => {
                self.warnings.push(
                    Diagnostic::warning(
                        Code::Values,
                        format!(
                            "{}: not a map; globals are not passed down",
                            Path(vec![GLOBAL_KEY.into()])
                        ),
                    )
                    .at_opt(other.origin.location().cloned()),
                );
                dest.insert(
                    GLOBAL_KEY.to_string(),
                    Node::new(Value::Map(dg), Origin::Generated),
                );
                return;
            }
        };
        for (key, val) in sg {
            match (&val.value, dg.get(&key)) {
                (Value::Map(vm), Some(existing)) => {
                    let Value::Map(em) = &existing.value else {
                        self.conflict(&here.child(&key), &val, existing);
                        continue;
                    };
                    let merged = self.tables(vm.clone(), em.clone(), &here.child(&key), true);
                    dg.insert(key, Node::new(Value::Map(merged), val.origin.clone()));
                }
                (Value::Map(_), None) => {
                    dg.insert(key, val);
                }
                (_, Some(existing)) if existing.value.is_map() => {
                    let existing = existing.clone();
                    self.conflict(&here.child(&key), &existing, &val);
                }
                _ => {
                    dg.insert(key, val);
                }
            }
        }
        dest.insert(
            GLOBAL_KEY.to_string(),
            Node::new(Value::Map(dg), Origin::Generated),
        );
    }
}

/// An origin naming a file (used by tests and loaders).
pub fn file_origin(file: &str, line: u32, column: u32) -> Origin {
    Origin::file(&Arc::from(file), line, column)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml;

    fn map(src: &str, file: &str) -> Map {
        match yaml::load_values(src, &Arc::from(file)) {
            Ok(Node {
                value: Value::Map(m),
                ..
            }) => m,
            other => panic!("bad test input: {other:?}"),
        }
    }

    fn chart(defaults: &str) -> DefaultsTree {
        DefaultsTree {
            name: "api".into(),
            values: map(defaults, "values.yaml"),
            subcharts: vec![],
        }
    }

    fn yaml_of(m: &Map) -> String {
        yaml::to_yaml(&Value::Map(m.clone()))
    }

    #[test]
    fn user_layers_merge_maps_and_replace_the_rest() {
        let mut dst = map("a: {x: 1, z: 2}\nl: [1, 2]\nm: 1\n", "one.yaml");
        merge_user(&mut dst, map("a: {z: 3}\nl: [9]\nm: null\n", "two.yaml"));
        assert_eq!(yaml_of(&dst), "a:\n  x: 1\n  z: 3\nl:\n- 9\nm: null\n");
        let root = Node::generated(Value::Map(dst));
        assert_eq!(
            root.get_path(&["a", "x"]).unwrap().origin.to_string(),
            "one.yaml:1:8"
        );
        assert_eq!(
            root.get_path(&["a", "z"]).unwrap().origin.to_string(),
            "two.yaml:1:8"
        );
    }

    #[test]
    fn null_removes_a_default_and_is_remembered() {
        let c = chart("image:\n  tag: v1\n  pullPolicy: Always\n");
        let user = map("image:\n  pullPolicy: null\n", "environments/prod.yaml");
        let out = coalesce(c.clone(), user, false).unwrap();
        assert_eq!(yaml_of(&out.values), "image:\n  tag: v1\n");
        assert_eq!(out.deleted.len(), 1);
        assert_eq!(out.deleted[0].path.to_string(), "image.pullPolicy");
        assert_eq!(out.deleted[0].by.to_string(), "environments/prod.yaml:2:15");
    }

    #[test]
    fn null_without_default_stays_and_default_nulls_drop() {
        let c = chart("a: null\nb:\n  c: null\n  d: 1\n");
        let out = coalesce(c.clone(), map("e: null\n", "u.yaml"), false).unwrap();
        assert_eq!(yaml_of(&out.values), "b:\n  d: 1\ne: null\n");
    }

    #[test]
    fn type_conflicts_keep_user_value_and_warn() {
        let c = chart("resources:\n  cpu: 1\nmode: simple\n");
        let out = coalesce(
            c.clone(),
            map("resources: none\nmode:\n  x: 1\n", "u.yaml"),
            false,
        )
        .unwrap();
        assert_eq!(yaml_of(&out.values), "resources: none\nmode:\n  x: 1\n");
        assert_eq!(out.warnings.len(), 2, "{:?}", out.warnings);
        assert_eq!(
            out.warnings[0].message,
            "resources: the string none (u.yaml:1:12) replaces a map (values.yaml:2:3) of the chart's defaults; the later value wins"
        );
        assert_eq!(
            out.warnings[0].location.as_ref().unwrap().to_string(),
            "u.yaml:1:12"
        );
    }

    #[test]
    fn key_order_follows_defaults_then_user() {
        let c = chart("b: 1\na: 2\n");
        let out = coalesce(c.clone(), map("z: 0\na: 3\n", "u.yaml"), false).unwrap();
        assert_eq!(yaml_of(&out.values), "b: 1\na: 3\nz: 0\n");
    }
}

/// Helm's own coalescing cases (tests/conformance/helm-coalesce.yaml).
#[cfg(test)]
mod conformance {
    use super::*;
    use crate::yaml;

    const DATA: &str = include_str!("../../../tests/conformance/helm-coalesce.yaml");

    fn as_map(n: Option<&Node>) -> Map {
        match n.map(|n| &n.value) {
            Some(Value::Map(m)) => m.clone(),
            _ => Map::default(),
        }
    }

    fn tree(name: &str, rec: &Node) -> DefaultsTree {
        let subcharts = match rec.get_path(&["subcharts"]).map(|n| &n.value) {
            Some(Value::Seq(items)) => items
                .iter()
                .map(|s| {
                    tree(
                        s.get_path(&["name"]).and_then(Node::as_str).unwrap_or(""),
                        s,
                    )
                })
                .collect(),
            _ => Vec::new(),
        };
        DefaultsTree {
            name: name.to_string(),
            values: as_map(rec.get_path(&["chart_defaults"])),
            subcharts,
        }
    }

    /// Compare by value; `Value`'s equality already ignores origins and
    /// compares numbers by value, as the data's header asks.
    fn same(a: &Map, b: &Map) -> bool {
        Value::Map(a.clone()) == Value::Map(b.clone())
    }

    #[test]
    fn helm_coalesce_records() {
        let file: std::sync::Arc<str> = "helm-coalesce.yaml".into();
        let doc = yaml::load_one(DATA, &file).unwrap().unwrap();
        let Value::Seq(records) = doc.value else {
            panic!("not a list")
        };
        let mut ran = 0;
        let mut failures = Vec::new();
        for rec in &records {
            let id = rec.get_path(&["id"]).and_then(Node::as_str).unwrap_or("?");
            let op = rec.get_path(&["op"]).and_then(Node::as_str).unwrap_or("");
            // Override layers: `overrides_yaml` (raw text) when present, else `overrides`.
            let mut user = Map::default();
            let raw = rec.get_path(&["overrides_yaml"]);
            let layers: Vec<Map> = match (
                raw.map(|n| &n.value),
                rec.get_path(&["overrides"]).map(|n| &n.value),
            ) {
                (Some(Value::Seq(texts)), _) => texts
                    .iter()
                    .map(|t| {
                        let text = t.as_str().unwrap_or("");
                        as_map(Some(&yaml::load_values(text, &file).unwrap()))
                    })
                    .collect(),
                (_, Some(Value::Seq(items))) => items.iter().map(|m| as_map(Some(m))).collect(),
                _ => Vec::new(),
            };
            for l in layers.clone() {
                merge_user(&mut user, l);
            }
            let name = rec
                .get_path(&["chart_name"])
                .and_then(Node::as_str)
                .unwrap_or("chart");
            let got = match op {
                "coalesce_values" => coalesce(tree(name, rec), user, false).map(|c| c.values),
                "merge_values" => coalesce(tree(name, rec), user, true).map(|c| c.values),
                "coalesce_tables" | "merge_tables" => {
                    let dst = layers.first().cloned().unwrap_or_default();
                    let src = as_map(rec.get_path(&["chart_defaults"]));
                    Ok(coalesce_tables(dst, src, op == "merge_tables").values)
                }
                other => panic!("{id}: unknown op {other}"),
            };
            ran += 1;
            let want = as_map(rec.get_path(&["expect"]));
            match got {
                Ok(got) if same(&got, &want) => {}
                Ok(got) => failures.push(format!(
                    "{id}: got\n{}want\n{}",
                    yaml::to_yaml(&Value::Map(got)),
                    yaml::to_yaml(&Value::Map(want))
                )),
                Err(e) => failures.push(format!("{id}: error {e}")),
            }
        }
        assert_eq!(
            ran,
            DATA.matches("\n- id:").count(),
            "every record must run"
        );
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }
}
