//! Go-template charts rendered as `helm template` renders them (DESIGN §2):
//! every template of the chart and of its subcharts in use parsed into one
//! [`Set`], executed in Helm's order with Helm's top-level objects, then
//! Helm's split of each file into documents, its install order, hooks
//! after, and its `# Source:` headers.
//!
//! Follows helm 4.1.4's `pkg/engine/engine.go` (`allTemplates`,
//! `sortTemplates`, `render`), `pkg/release/v1/util/manifest.go`
//! (`SplitManifests`) and `manifest_sorter.go` (`SortManifests`).

mod manifests;
pub(crate) mod objects;
pub(crate) mod reads;

use std::collections::BTreeMap;

use strata_chart::chart::Chart;
use strata_chart::deps::Enabled;
use strata_chart::value::Node;
use strata_chart::{Code, Diagnostic, Error, Location};
use strata_gotemplate::{ErrorKind, Options, Set, Value as GValue};

pub use manifests::{crds, documents, HelmDocs};

/// What a Go chart's render needs besides the chart and its values.
#[derive(Debug, Clone, Default)]
pub struct GoOptions {
    pub release_name: String,
    pub namespace: String,
    /// Helm's KubeVersion: the version as given with a `v`
    /// (`v1.29.3-gke.100`), its numeric part (`v1.29.3`), major, minor.
    pub kube_version: (String, String, String, String),
    pub api_versions: Vec<String>,
    /// Go's `missingkey=error`.
    pub strict: bool,
    /// The values layers merged (named in `--strict` errors).
    pub layers: Vec<String>,
}

/// One chart of the tree being rendered.
struct Scope {
    /// `c`, `c/charts/sub`: the prefix of its template names.
    full: String,
    /// Where its files are relative to the top chart (`charts/sub/`).
    rel: String,
    /// The dot its templates execute with.
    dot: strata_gotemplate::Map,
}

/// A template's source, for diagnostics.
struct Source<'c> {
    scope: usize,
    /// Path in its chart (`templates/x.yaml`).
    path: String,
    text: &'c str,
}

/// The rendered files of a Go chart tree: Helm's template names with
/// their output (`<no value>` removed), sorted by name; and the top
/// chart's NOTES.txt.
pub struct GoRendered {
    pub files: BTreeMap<String, String>,
    pub notes: Option<String>,
}

/// Helm's `sortTemplates`: deeper paths first, then names in reverse order
/// (parse and render order both; a later `define` of a name wins).
fn helm_order(names: &mut [String]) {
    names.sort_by(|a, b| {
        let (ca, cb) = (a.matches('/').count(), b.matches('/').count());
        cb.cmp(&ca).then_with(|| b.cmp(a))
    });
}

/// Render every template of `chart` and its subcharts in use (`subs`) with
/// `values` (the merged values, subcharts' sections within). `full` is the
/// chart's name in template names (`c`, or `umbrella/charts/c` for a Go
/// chart under a chart in strata's dialect); `rel` where its files are
/// relative to the top chart (`charts/c/`).
pub fn render(
    chart: &Chart,
    full: &str,
    rel: &str,
    subs: &[Enabled],
    values: &Node,
    opts: &GoOptions,
) -> Result<GoRendered, Error> {
    let release = objects::release(&opts.release_name, &opts.namespace);
    let (v, normalized, major, minor) = &opts.kube_version;
    let caps = objects::capabilities(v, normalized, major, minor, &opts.api_versions);
    let top_values = objects::values(values);
    let mut scopes: Vec<Scope> = Vec::new();
    let mut sources: BTreeMap<String, Source<'_>> = BTreeMap::new();
    add_scope(
        chart,
        full,
        None,
        rel,
        top_values,
        &release,
        &caps,
        subs,
        &mut scopes,
        &mut sources,
    )?;
    let mut names: Vec<String> = sources.keys().cloned().collect();
    helm_order(&mut names);
    let mut set = Set::new();
    objects::add_semver(&mut set);
    // `lookup` reads the cluster: `helm template` has none.
    set.add_func(
        "lookup",
        std::sync::Arc::new(|_: &[GValue]| Ok(GValue::map(BTreeMap::new()))),
    );
    for name in &names {
        let src = &sources[name];
        set.parse(name, src.text)
            .map_err(|e| template_error(&e, &scopes, &sources, opts))?;
    }
    let exec = Options {
        strict: opts.strict,
        ..Options::default()
    };
    let notes_name = format!("{full}/templates/NOTES.txt");
    let mut files = BTreeMap::new();
    let mut notes = None;
    for name in &names {
        let base = name.rsplit('/').next().unwrap_or(name);
        if base.starts_with('_') {
            continue;
        }
        let src = &sources[name];
        let scope = &scopes[src.scope];
        let base_path = format!("{}/templates", scope.full);
        scope
            .dot
            .borrow_mut()
            .insert("Template".to_string(), objects::template(name, &base_path));
        let out = set
            .execute(name, GValue::Map(scope.dot.clone()), &exec)
            .map_err(|e| template_error(&e, &scopes, &sources, opts))?;
        // Helm's strings.ReplaceAll. `contains` is SIMD-searched and nearly
        // always false; `replace` alone runs the byte-at-a-time two-way
        // search over the whole text (docs/performance.md, "Scanning
        // template text").
        let out = if out.contains("<no value>") {
            out.replace("<no value>", "")
        } else {
            out
        };
        if name.ends_with("NOTES.txt") {
            if *name == notes_name {
                notes = Some(out);
            }
            continue;
        }
        files.insert(name.clone(), out);
    }
    Ok(GoRendered { files, notes })
}

/// Helm's `recAllTpls` for one chart: its dot (`.Values` its section of
/// the parent's, shared), its subcharts' scopes, its templates.
#[allow(clippy::too_many_arguments)]
fn add_scope<'c>(
    chart: &'c Chart,
    name: &str,
    parent: Option<usize>,
    rel: &str,
    values: GValue,
    release: &GValue,
    caps: &GValue,
    subs: &[Enabled],
    scopes: &mut Vec<Scope>,
    sources: &mut BTreeMap<String, Source<'c>>,
) -> Result<strata_gotemplate::Map, Error> {
    // The top of the tree may itself sit under an umbrella in strata's
    // dialect (`umbrella/charts/db`): its name is the last part.
    let (full, name) = match parent {
        None => (name.to_string(), name.rsplit('/').next().unwrap_or(name)),
        Some(p) => (format!("{}/charts/{name}", scopes[p].full), name),
    };
    let values = match values {
        GValue::Map(m) => m,
        _ => std::rc::Rc::new(std::cell::RefCell::new(BTreeMap::new())),
    };
    let subcharts = std::rc::Rc::new(std::cell::RefCell::new(BTreeMap::new()));
    let mut dot = BTreeMap::new();
    dot.insert(
        "Chart".to_string(),
        objects::chart(&chart.metadata, name, parent.is_none()),
    );
    dot.insert(
        "Files".to_string(),
        GValue::Object(std::rc::Rc::new(objects::Files::of(chart))),
    );
    dot.insert("Release".to_string(), release.clone());
    dot.insert("Capabilities".to_string(), caps.clone());
    dot.insert("Values".to_string(), GValue::Map(values.clone()));
    dot.insert("Subcharts".to_string(), GValue::Map(subcharts.clone()));
    let dot = std::rc::Rc::new(std::cell::RefCell::new(dot));
    let index = scopes.len();
    scopes.push(Scope {
        full: full.clone(),
        rel: rel.to_string(),
        dot: dot.clone(),
    });
    for e in subs {
        let Some(sub) = chart.subcharts.get(e.index) else {
            continue;
        };
        if sub.dialect != strata_chart::dialect::Dialect::Go {
            // Rendered by the Jinja engine (`Engine::render_go`); Helm's
            // `.Subcharts` does not list it.
            continue;
        }
        // Helm's `values.Table("Values.<name>")`: the parent's map itself.
        let section = values.borrow().get(&e.name).cloned().unwrap_or_default();
        let child = add_scope(
            sub,
            &e.name,
            Some(index),
            &format!("{rel}charts/{}/", e.name),
            section,
            release,
            caps,
            &e.subcharts,
            scopes,
            sources,
        )?;
        subcharts
            .borrow_mut()
            .insert(e.name.clone(), GValue::Map(child));
    }
    // A library chart gives helpers only (Helm's `isTemplateValid`).
    let library = chart.metadata.chart_type.as_deref() == Some("library");
    for (path, bytes) in chart
        .files
        .range::<String, _>("templates/".to_string().."templates0".to_string())
    {
        let base = path.rsplit('/').next().unwrap_or(path);
        if library && !base.starts_with('_') {
            continue;
        }
        let text = strata_yaml::decode_utf8(bytes, &format!("{rel}{path}")).map_err(|d| {
            Error::invalid(Diagnostic {
                code: Code::Template,
                ..d
            })
        })?;
        sources.insert(
            format!("{full}/{path}"),
            Source {
                scope: index,
                path: path.clone(),
                text,
            },
        );
    }
    Ok(dot)
}

/// Where a Go template error is in characters: the 1-based column of byte
/// column `column` (1-based, as Go counts) on line `line` of `text`, and
/// how many characters its `len` bytes cover up to the end of the line (0
/// when the line is not there).
fn char_span(text: &str, line: usize, column: usize, len: usize) -> (usize, usize) {
    let Some(l) = line.checked_sub(1).and_then(|i| text.lines().nth(i)) else {
        return (column, 0);
    };
    let mut start = column.saturating_sub(1).min(l.len());
    while !l.is_char_boundary(start) {
        start -= 1;
    }
    let mut end = start.saturating_add(len).min(l.len());
    while end > start && !l.is_char_boundary(end) {
        end -= 1;
    }
    let before = l[..start].chars().count();
    // Past the end of the line (an error at the newline): as Go counts.
    let col = if column.saturating_sub(1) > l.len() {
        column
    } else {
        before + 1
    };
    (col, l[start..end].chars().count())
}

/// A Go template error as a strata diagnostic at the template's line.
fn template_error(
    e: &strata_gotemplate::Error,
    scopes: &[Scope],
    sources: &BTreeMap<String, Source<'_>>,
    opts: &GoOptions,
) -> Error {
    let mut d = Diagnostic::error(Code::Template, e.message.clone());
    match sources.get(&e.template) {
        Some(src) => {
            let scope = &scopes[src.scope];
            let file = format!("{}{}", scope.rel, src.path);
            // Go counts columns in bytes, diagnostics in characters.
            let (column, chars) = char_span(src.text, e.line, e.column, e.extent);
            d = d
                .at(Location::new(
                    file.as_str(),
                    u32::try_from(e.line).unwrap_or(u32::MAX),
                    u32::try_from(column).unwrap_or(u32::MAX),
                ))
                .with_source(src.text)
                .spanning(chars);
        }
        None => d = d.note(format!("in template {:?}", e.template)),
    }
    if opts.strict && e.kind == ErrorKind::Exec && e.message.contains("map has no entry for key") {
        d = d.note(format!(
            "--strict: the key is set by none of the values layers: {}",
            opts.layers.join(", ")
        ));
    }
    Error::invalid(d)
}

#[cfg(test)]
mod tests {
    use super::char_span;

    #[test]
    fn a_go_error_spans_characters_of_its_line() {
        let text = "a: 1\nb: {{ .Values.é }} x\né: {{ .x }}\n";
        // `.Values.é` is 10 bytes, 9 characters, from byte column 7.
        assert_eq!(char_span(text, 2, 7, 10), (7, 9));
        // Clamped to the line; nothing on a line not there.
        assert_eq!(char_span(text, 2, 7, 99), (7, 14));
        assert_eq!(char_span(text, 9, 1, 3), (1, 0));
        // Past the end of the line: the column as Go gives it.
        assert_eq!(char_span(text, 2, 40, 3), (40, 0));
        // Never inside a character.
        assert_eq!(char_span(text, 2, 7, 9), (7, 8));
        // `.x` is at byte column 8, character column 7, after the é.
        assert_eq!(char_span(text, 3, 8, 2), (7, 2));
    }
}
