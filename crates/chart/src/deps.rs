//! Subcharts, as Helm's `ProcessDependencies` treats them
//! (pkg/chart/v2/util/dependencies.go): each `dependencies` entry of
//! Chart.yaml is matched by name to a chart vendored under `charts/` and
//! checked against its `version` constraint; `alias` renames it; `tags` and
//! `condition` (evaluated on the coalesced values) leave it out;
//! `import-values` copies child values into the parent's defaults. Charts
//! vendored in `charts/` that no dependency names are always included, as in
//! Helm.
//!
//! strata works offline: a dependency must be vendored into `charts/`
//! whatever its `repository` says; one that is not is an error naming it.

use std::sync::Arc;

use crate::chart::{Chart, Dependency, CHART_FILE};
use crate::diag::{Code, Diagnostic, Error, Location, Result};
use crate::merge::{self, DefaultsTree};
use crate::semver::{Constraint, Version};
use crate::value::{Map, Node, Origin, Path, Value};

/// How a Chart.yaml dependency is satisfied by what is vendored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum State {
    /// A vendored chart of that name satisfies the constraint.
    Ok,
    /// No chart of that name under `charts/`.
    Missing,
    /// Charts of that name are vendored, none in the constraint.
    WrongVersion,
    /// The `version` constraint does not parse.
    BadConstraint(String),
}

impl State {
    /// The word `dependency list` prints.
    pub fn word(&self) -> &'static str {
        match self {
            State::Ok => "ok",
            State::Missing => "missing",
            State::WrongVersion => "wrong version",
            State::BadConstraint(_) => "invalid constraint",
        }
    }
}

/// One Chart.yaml dependency and what satisfies it.
#[derive(Clone, Debug)]
pub struct Status {
    /// Its `name`.
    pub name: String,
    /// Its `alias`, if any.
    pub alias: Option<String>,
    /// Its `version` constraint, if any.
    pub constraint: Option<String>,
    /// Its `repository`, if any.
    pub repository: Option<String>,
    /// The vendored charts of that name: (`charts/…` entry, version).
    pub vendored: Vec<(String, String)>,
    /// Index into `Chart::subcharts` of the one used, when [`State::Ok`].
    pub used: Option<usize>,
    /// The verdict.
    pub state: State,
    /// Where the dependency is declared.
    pub location: Location,
}

/// Whether `version` satisfies `constraint` (Helm's `IsCompatibleRange`:
/// anything unparsable does not).
fn compatible(constraint: &Option<String>, version: &str) -> bool {
    let Some(c) = constraint.as_deref().filter(|c| !c.is_empty()) else {
        return true;
    };
    match (Constraint::parse(c), Version::parse_lenient(version)) {
        (Ok(c), Ok(v)) => c.matches(&v),
        _ => false,
    }
}

/// The `charts/<entry>` a subchart was loaded from.
fn entry_of(sub: &Chart, parent: &Chart) -> String {
    sub.prefix
        .strip_prefix(&parent.prefix)
        .unwrap_or(&sub.prefix)
        .trim_end_matches('/')
        .to_string()
}

/// Chart.yaml position of dependency `i` (its `name`, else the entry).
fn dep_location(chart: &Chart, i: usize) -> Location {
    let file: Arc<str> = Arc::from(chart.display_path(CHART_FILE));
    let entry = chart
        .metadata_node
        .get_path(&["dependencies"])
        .and_then(|n| match &n.value {
            Value::Seq(items) => items.get(i),
            _ => None,
        });
    entry
        .and_then(|e| e.get_path(&["name"]).or(Some(e)))
        .and_then(|n| n.origin.location().cloned())
        .unwrap_or_else(|| Location::new(file, 1, 1))
}

/// Every dependency of `chart` (not of its subcharts) and its state.
pub fn status(chart: &Chart) -> Vec<Status> {
    let mut out = Vec::new();
    for (i, dep) in chart.metadata.dependencies.iter().enumerate() {
        let Some(dep) = dep else { continue };
        let vendored: Vec<(usize, String, String)> = chart
            .subcharts
            .iter()
            .enumerate()
            .filter(|(_, s)| s.name() == dep.name)
            .map(|(j, s)| (j, entry_of(s, chart), s.metadata.version.clone()))
            .collect();
        let used = vendored
            .iter()
            .find(|(_, _, v)| compatible(&dep.version, v))
            .map(|(j, _, _)| *j);
        let bad_constraint = dep
            .version
            .as_deref()
            .filter(|c| !c.is_empty())
            .and_then(|c| Constraint::parse(c).err());
        let state = match (&bad_constraint, used, vendored.is_empty()) {
            (Some(e), _, _) => State::BadConstraint(e.to_string()),
            (None, Some(_), _) => State::Ok,
            (None, None, true) => State::Missing,
            (None, None, false) => State::WrongVersion,
        };
        out.push(Status {
            name: dep.name.clone(),
            alias: dep.alias.clone(),
            constraint: dep.version.clone(),
            repository: dep.repository.clone(),
            vendored: vendored.into_iter().map(|(_, e, v)| (e, v)).collect(),
            used: if state == State::Ok { used } else { None },
            state,
            location: dep_location(chart, i),
        });
    }
    out
}

/// The problems of one status, as error diagnostics.
pub fn problem(chart: &Chart, s: &Status) -> Option<Diagnostic> {
    let dir = chart.display_path("charts/");
    let msg = match &s.state {
        State::Ok => return None,
        State::BadConstraint(e) => format!("dependency \"{}\": version constraint: {e}", s.name),
        State::Missing => {
            let remote = s
                .repository
                .as_deref()
                .filter(|r| !r.is_empty() && !r.starts_with("file://"));
            match remote {
                Some(repo) => format!(
                    "dependency \"{}\" is not vendored: strata works offline and does not \
                     download from {repo}; put the chart into {dir} (e.g. `helm dependency build`)",
                    s.name
                ),
                None => format!(
                    "dependency \"{}\" is missing: no chart named \"{}\" in {dir}",
                    s.name, s.name
                ),
            }
        }
        State::WrongVersion => format!(
            "dependency \"{}\" wants version \"{}\" but {dir} has {}",
            s.name,
            s.constraint.as_deref().unwrap_or(""),
            s.vendored
                .iter()
                .map(|(e, v)| format!("{v} ({e})"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    let text = chart.text(CHART_FILE).unwrap_or_default();
    let mut d = Diagnostic::error(Code::Dependency, msg).at(s.location.clone());
    d.snippet = crate::diag::source_line(&text, s.location.line);
    Some(d)
}

/// Every dependency problem in the whole chart tree.
pub fn check(chart: &Chart) -> Vec<Diagnostic> {
    let mut out: Vec<Diagnostic> = status(chart)
        .iter()
        .filter_map(|s| problem(chart, s))
        .collect();
    for sub in &chart.subcharts {
        out.extend(check(sub));
    }
    out
}

/// One subchart in use: the name it goes by and where its chart is.
#[derive(Clone, Debug)]
pub struct Enabled {
    /// Its alias, else its name: its values key and `chart.name`.
    pub name: String,
    /// Index into the parent's `Chart::subcharts`.
    pub index: usize,
    /// Its own subcharts in use.
    pub subcharts: Vec<Enabled>,
    /// The Chart.yaml dependency that brought it in (none for a chart
    /// vendored without one).
    pub dependency: Option<Dependency>,
}

/// The subcharts of `chart` in use, before conditions: Helm's order
/// (vendored charts no dependency names first, then dependencies in
/// Chart.yaml order).
fn all(chart: &Chart) -> Vec<Enabled> {
    let statuses = status(chart);
    let mut out = Vec::new();
    for (j, sub) in chart.subcharts.iter().enumerate() {
        let named = chart
            .metadata
            .dependencies
            .iter()
            .flatten()
            .any(|d| d.name == sub.name() && compatible(&d.version, &sub.metadata.version));
        if !named {
            out.push(Enabled {
                name: sub.name().to_string(),
                index: j,
                subcharts: all(sub),
                dependency: None,
            });
        }
    }
    let deps = chart.metadata.dependencies.iter().flatten();
    for (dep, st) in deps.zip(&statuses) {
        if let Some(j) = st.used {
            out.push(Enabled {
                name: dep.effective_name().to_string(),
                index: j,
                subcharts: all(&chart.subcharts[j]),
                dependency: Some(dep.clone()),
            });
        }
    }
    out
}

/// The defaults tree coalescing needs, for `chart` with `subs` in use.
/// `imported` replaces the chart's own defaults when import-values changed
/// them.
pub(crate) fn defaults_tree(chart: &Chart, name: &str, subs: &[Enabled]) -> DefaultsTree {
    tree_with(chart, name, subs, None)
}

/// [`defaults_tree`] with `own` as `chart`'s own values when given (its
/// subcharts' values are still copied from them).
fn tree_with(chart: &Chart, name: &str, subs: &[Enabled], own: Option<Map>) -> DefaultsTree {
    DefaultsTree {
        name: name.to_string(),
        values: own.unwrap_or_else(|| match &chart.values.value {
            Value::Map(m) => m.clone(),
            _ => Map::default(),
        }),
        subcharts: subs
            .iter()
            .map(|e| defaults_tree(&chart.subcharts[e.index], &e.name, &e.subcharts))
            .collect(),
    }
}

/// The outcome of dependency processing.
#[derive(Clone, Debug)]
pub struct Processed {
    /// The defaults to coalesce the user's values over (import-values
    /// applied).
    pub defaults: DefaultsTree,
    /// The subcharts in use.
    pub subcharts: Vec<Enabled>,
    /// Non-fatal findings (non-boolean conditions, missing import tables).
    pub warnings: Vec<Diagnostic>,
}

/// Helm's `ProcessDependencies` for `chart` and the merged user values:
/// an error for any missing or mismatched dependency, then conditions and
/// tags, then import-values.
pub fn process(chart: &Chart, user: &Map) -> Result<Processed> {
    process_with(chart, user, None)
}

/// [`process`] with the chart's own values given by the caller (moved out
/// of `chart.values`, which is then not read): a chart without subcharts
/// uses them as they are instead of a copy.
pub(crate) fn process_with(chart: &Chart, user: &Map, own: Option<Map>) -> Result<Processed> {
    let mut problems = check(chart);
    if problems.len() == 1 {
        return Err(Error::invalid(problems.remove(0)));
    }
    if !problems.is_empty() {
        return Err(Error::Many(problems));
    }
    let mut warnings = Vec::new();
    let mut subs = all(chart);
    if subs.is_empty() {
        // No subcharts: nothing to decide, nothing to import.
        return Ok(Processed {
            defaults: tree_with(chart, chart.name(), &subs, own),
            subcharts: subs,
            warnings,
        });
    }
    // Conditions and tags are read from the values coalesced with every
    // subchart in use (Helm sets all enabled first).
    let full = tree_with(chart, chart.name(), &subs, own.clone());
    let cvals = merge::coalesce(full, user.clone(), false).map_err(Error::invalid)?;
    let root = Node::new(Value::Map(cvals.values), Origin::Generated);
    prune(&mut subs, &root, &Path::default(), &mut warnings);
    let mut defaults = tree_with(chart, chart.name(), &subs, own);
    import_values(chart, &subs, &mut defaults, &mut warnings)?;
    Ok(Processed {
        defaults,
        subcharts: subs,
        warnings,
    })
}

/// Helm's `processDependencyTags` and `processDependencyConditions`: tags
/// from the top-level `tags` map, conditions as values paths below the
/// chart's own section; the first condition that is a boolean decides.
fn prune(subs: &mut Vec<Enabled>, root: &Node, path: &Path, warnings: &mut Vec<Diagnostic>) {
    let tags = root.get_path(&["tags"]);
    subs.retain(|e| {
        let Some(dep) = &e.dependency else {
            return true;
        };
        let mut enabled = true;
        if !dep.tags.is_empty() {
            let (mut has_true, mut has_false) = (false, false);
            for t in &dep.tags {
                match tags.and_then(|m| m.get_path(&[t.as_str()])).map(|n| &n.value) {
                    Some(Value::Bool(true)) => has_true = true,
                    Some(Value::Bool(false)) => has_false = true,
                    _ => {}
                }
            }
            enabled = has_true || !has_false;
        }
        if let Some(cond) = dep.condition.as_deref().filter(|c| !c.is_empty()) {
            for c in cond.split(',') {
                let mut p = path.0.clone();
                p.extend(Path::parse(c.trim()).0);
                match root.get_path(&p).map(|n| &n.value) {
                    Some(Value::Bool(b)) => {
                        enabled = *b;
                        break;
                    }
                    Some(other) => warnings.push(Diagnostic::warning(
                        Code::Dependency,
                        format!(
                            "condition path \"{}\" of dependency \"{}\" is {}, not a boolean; ignored",
                            Path(p.clone()),
                            dep.effective_name(),
                            other.type_name()
                        ),
                    )),
                    None => {}
                }
            }
        }
        enabled
    });
    for e in subs.iter_mut() {
        let mut p = path.clone();
        p.0.push(e.name.clone());
        prune(&mut e.subcharts, root, &p, warnings);
    }
}

/// Helm's `processImportValues` (merge variant, as `helm install` and
/// `helm template` use), bottom-up: each dependency's `import-values`
/// copies a table of the child's coalesced values into the parent's
/// defaults, where the parent's own values win.
fn import_values(
    chart: &Chart,
    subs: &[Enabled],
    tree: &mut DefaultsTree,
    warnings: &mut Vec<Diagnostic>,
) -> Result<()> {
    for (e, t) in subs.iter().zip(tree.subcharts.iter_mut()) {
        import_values(&chart.subcharts[e.index], &e.subcharts, t, warnings)?;
    }
    let wants = subs.iter().any(|e| {
        e.dependency
            .as_ref()
            .is_some_and(|d| !d.import_values.is_empty())
    });
    if !wants {
        return Ok(());
    }
    let cvals = merge::coalesce(tree.clone(), Map::default(), true)
        .map_err(Error::invalid)?
        .values;
    let root = Node::new(Value::Map(cvals.clone()), Origin::Generated);
    let mut imported = Map::default();
    for e in subs {
        let Some(dep) = &e.dependency else { continue };
        for iv in &dep.import_values {
            let (child, parent) = match iv {
                serde_json::Value::String(s) => (format!("exports.{s}"), ".".to_string()),
                serde_json::Value::Object(o) => {
                    let get = |k: &str| o.get(k).and_then(|v| v.as_str()).map(str::to_string);
                    match (get("child"), get("parent")) {
                        (Some(c), Some(p)) => (c, p),
                        _ => {
                            return Err(Error::invalid(
                                Diagnostic::error(
                                    Code::Dependency,
                                    format!(
                                        "dependency \"{}\": import-values entries need string `child` and `parent` keys",
                                        dep.name
                                    ),
                                )
                                .at(dep_location_by_name(chart, &dep.name)),
                            ))
                        }
                    }
                }
                _ => {
                    return Err(Error::invalid(
                        Diagnostic::error(
                            Code::Dependency,
                            format!(
                                "dependency \"{}\": import-values entries are strings or {{child, parent}} maps",
                                dep.name
                            ),
                        )
                        .at(dep_location_by_name(chart, &dep.name)),
                    ))
                }
            };
            let mut p = vec![e.name.clone()];
            p.extend(Path::parse(&child).0);
            let table = match root.get_path(&p) {
                Some(Node {
                    value: Value::Map(m),
                    ..
                }) => m.clone(),
                _ => {
                    warnings.push(
                        Diagnostic::warning(
                            Code::Dependency,
                            format!(
                                "import-values of dependency \"{}\": {} is not a table of its values; nothing imported",
                                dep.name,
                                Path(p)
                            ),
                        )
                        .at(dep_location_by_name(chart, &dep.name)),
                    );
                    continue;
                }
            };
            let placed = if parent == "." {
                table
            } else {
                path_to_map(&Path::parse(&parent), table)
            };
            imported = merge::coalesce_tables(imported, placed, true).values;
        }
    }
    tree.values = merge::coalesce_tables(cvals, imported, true).values;
    Ok(())
}

fn dep_location_by_name(chart: &Chart, name: &str) -> Location {
    let i = chart
        .metadata
        .dependencies
        .iter()
        .position(|d| d.as_ref().is_some_and(|d| d.name == name))
        .unwrap_or(0);
    dep_location(chart, i)
}

/// `a.b` and a table → `{a: {b: table}}`.
fn path_to_map(path: &Path, table: Map) -> Map {
    let mut node = Node::new(Value::Map(table), Origin::Generated);
    for seg in path.segments().iter().rev() {
        let mut m = Map::default();
        m.insert(seg.clone(), node);
        node = Node::new(Value::Map(m), Origin::Generated);
    }
    match node.value {
        Value::Map(m) => m,
        _ => Map::default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn chart(files: &[(&str, &str)]) -> Chart {
        let files: BTreeMap<String, Vec<u8>> = files
            .iter()
            .map(|(p, d)| (p.to_string(), d.as_bytes().to_vec()))
            .collect();
        Chart::from_files(files, "t").expect("valid test chart")
    }

    fn user(src: &str) -> Map {
        match crate::yaml::load_values(src, &Arc::from("user.yaml")) {
            Ok(Node {
                value: Value::Map(m),
                ..
            }) => m,
            other => panic!("bad test input: {other:?}"),
        }
    }

    fn parent(deps: &str) -> Vec<(&'static str, String)> {
        vec![
            (
                "Chart.yaml",
                format!("apiVersion: v2\nname: p\nversion: 1.0.0\ndependencies:\n{deps}"),
            ),
            ("charts/a/Chart.yaml", "name: a\nversion: 1.0.0\n".into()),
            ("charts/b/Chart.yaml", "name: b\nversion: 2.0.0\n".into()),
        ]
    }

    fn enabled(deps: &str, values: &str) -> Vec<String> {
        let files = parent(deps);
        let refs: Vec<(&str, &str)> = files.iter().map(|(p, d)| (*p, d.as_str())).collect();
        let c = chart(&refs);
        let p = process(&c, &user(values)).expect("processes");
        p.subcharts.into_iter().map(|e| e.name).collect()
    }

    #[test]
    fn tags_any_true_enables_all_false_disables() {
        let deps = "  - name: a\n    tags: [x, y]\n  - name: b\n    tags: [y]\n";
        assert_eq!(enabled(deps, "{}"), ["a", "b"]);
        assert_eq!(enabled(deps, "tags: {x: true, y: false}"), ["a"]);
        assert_eq!(
            enabled(deps, "tags: {x: false, y: false}"),
            Vec::<String>::new()
        );
        assert_eq!(enabled(deps, "tags: {y: notabool}"), ["a", "b"]);
    }

    #[test]
    fn first_boolean_condition_wins_over_tags() {
        let deps = "  - name: a\n    tags: [x]\n    condition: a.on,b.on\n  - name: b\n";
        assert_eq!(enabled(deps, "tags: {x: false}\na: {on: true}"), ["a", "b"]);
        assert_eq!(enabled(deps, "a: {on: false}\nb: {on: true}"), ["b"]);
        // A missing first path falls through to the next.
        assert_eq!(enabled(deps, "b: {on: false}"), ["b"]);
    }

    #[test]
    fn unlisted_vendored_charts_come_first_and_alias_renames() {
        let deps = "  - name: b\n    alias: bee\n";
        assert_eq!(enabled(deps, "{}"), ["a", "bee"]);
    }

    #[test]
    fn version_constraints_use_helm_semantics() {
        assert!(compatible(&Some("~1.2.0".into()), "1.2.9"));
        assert!(!compatible(&Some("~1.2.0".into()), "1.3.0"));
        assert!(compatible(&Some("^1".into()), "v1.4"));
        assert!(!compatible(&Some(">= 1.0.0".into()), "1.1.0-rc.1"));
        assert!(compatible(&None, "0.0.1"));
        assert!(!compatible(&Some("not a range".into()), "1.0.0"));
    }

    #[test]
    fn bad_constraint_is_reported() {
        let files = parent("  - name: a\n    version: \"not a range\"\n");
        let refs: Vec<(&str, &str)> = files.iter().map(|(p, d)| (*p, d.as_str())).collect();
        let c = chart(&refs);
        let s = status(&c);
        assert_eq!(s[0].state.word(), "invalid constraint");
        let d = problem(&c, &s[0]).expect("a problem");
        assert!(d.message.contains("version constraint"), "{}", d.message);
        assert_eq!(d.location.expect("located").to_string(), "Chart.yaml:5:11");
    }

    #[test]
    fn path_to_map_nests_tables() {
        let t = user("k: v");
        let m = path_to_map(&Path::parse("a.b"), t);
        let n = Node::new(Value::Map(m), Origin::Generated);
        assert!(n.get_path(&["a", "b", "k"]).is_some());
    }
}
