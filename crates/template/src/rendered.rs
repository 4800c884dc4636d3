//! Rendered packages (`strata package CHART --env E --rendered`): a Helm
//! chart whose templates are environment E's rendered manifests, so that
//! `helm install`/`upgrade`/`rollback` deploy exactly what `strata render
//! CHART --env E` prints, with the release history kept by Helm.
//!
//! Layout of `<name>-<version>-<env>.rendered.tgz` (see docs/packaging.md):
//!
//! - `<name>/Chart.yaml`: the chart's metadata (name, description,
//!   appVersion, kubeVersion, maintainers, …), with the rendered subcharts
//!   as its only dependencies, with
//!   version `<version>+<env>` (SemVer build metadata, so that `helm list`
//!   and an OCI registry tell environments apart) and the annotations
//!   `strata.dev/environment` and `strata.dev/rendered`;
//! - `<name>/values.yaml`: empty: nothing is left to configure;
//! - `<name>/templates/<file>`: the documents each template rendered, in
//!   the order `strata render` prints them, under the template's own path,
//!   so `helm template` prints the same `# Source:` lines; a subchart's at
//!   `<name>/charts/<sub>/templates/<file>` with a minimal Chart.yaml
//!   (name, the chart's version, its own rendered subcharts);
//! - `<name>/templates/NOTES.txt`: the rendered notes, when the chart has
//!   some;
//! - `<name>/crds/…`: the chart's CRDs as they are (Helm never templates
//!   them).
//!
//! Go's template engine reads every template file, so the text is escaped:
//! each `{{` becomes the action `{{"{{"}}`, which prints `{{`. Nothing else
//! starts an action, so the manifests (charts/api's ExternalSecret holds
//! `{{ .password }}`) print unchanged.

use std::collections::BTreeMap;
use std::path::Path;

use strata_chart::archive::{self, ChartFile};
use strata_chart::chart::{archive_error, Chart};
use strata_chart::package::{self, Packaged};
use strata_chart::value::{Node, Origin};
use strata_chart::values::{self, Request};
use strata_chart::{Code, Diagnostic, Error, Result};
use strata_yaml as yaml;

use crate::{Document, Engine, RenderOptions, Rendered};

/// Helm deletes this text from every template's output (its engine
/// replaces the `<no value>` Go prints for a missing key with nothing).
const HELM_DELETES: &str = "<no value>";

/// Annotation naming the environment a rendered package was made for.
pub(crate) const ENVIRONMENT_ANNOTATION: &str = "strata.dev/environment";
/// Annotation marking a rendered package.
pub(crate) const RENDERED_ANNOTATION: &str = "strata.dev/rendered";

/// A rendered package in memory.
#[derive(Clone, Debug)]
pub struct RenderedPackage {
    /// `<name>-<version>-<env>.rendered.tgz`.
    pub file_name: String,
    /// The archive's bytes (the same for the same chart and environment).
    pub bytes: Vec<u8>,
}

/// The file name of `chart`'s rendered package for `env`.
pub fn file_name(chart: &Chart, env: &str) -> String {
    format!(
        "{}-{}-{env}.rendered.tgz",
        chart.name(),
        chart.metadata.version
    )
}

/// Render environment `env` of `chart` as `strata render CHART --env ENV`
/// does (values merged and validated, every output check applied), with
/// `opts` (release name, …).
pub(crate) fn render_env(chart: &Chart, env: &str, opts: &RenderOptions) -> Result<Rendered> {
    let environment = chart.environments.get(env)?;
    let req = Request {
        env: Some(env.to_string()),
        ..Request::default()
    };
    let merged = values::merge(chart, &req)?;
    let engine = Engine::new(chart)?;
    engine
        .render(Some(environment), &merged.values, opts)
        .map_err(|e| e.in_env(env))
}

/// The rendered package of `chart` for `env` (see the module docs), its
/// manifests rendered for release `release` (default `release-name`):
/// give Helm the same release name.
pub fn build(chart: &Chart, env: &str, release: Option<&str>) -> Result<RenderedPackage> {
    let opts = RenderOptions {
        release_name: release.map(str::to_string),
        notes: true,
        ..RenderOptions::default()
    };
    let rendered = render_env(chart, env, &opts)?;
    let files = package_files(chart, env, &rendered)?;
    let bytes = archive::write_archive(chart.name(), &files)
        .map_err(|e| archive_error(&chart.source, e))?;
    Ok(RenderedPackage {
        file_name: file_name(chart, env),
        bytes,
    })
}

/// [`build`], then write it into `dir` (created if needed), whole or not
/// at all.
pub fn write(chart: &Chart, env: &str, release: Option<&str>, dir: &Path) -> Result<Packaged> {
    let p = build(chart, env, release)?;
    package::write_bytes(dir, &p.file_name, &p.bytes)
}

/// The files of the rendered chart, chart-relative.
fn package_files(chart: &Chart, env: &str, rendered: &Rendered) -> Result<Vec<ChartFile>> {
    let top = format!("{}/", chart.name());
    let mut files: BTreeMap<String, Vec<u8>> = BTreeMap::new();
    // Each template's documents, in the order they are printed.
    let mut by_source: Vec<(String, Vec<Document>)> = Vec::new();
    for d in &rendered.documents {
        match by_source.iter_mut().find(|(s, _)| *s == d.source) {
            Some((_, docs)) => docs.push(d.clone()),
            None => by_source.push((d.source.clone(), vec![d.clone()])),
        }
    }
    let mut subcharts: Vec<String> = Vec::new();
    for (source, docs) in &by_source {
        let Some(rel) = source.strip_prefix(&top) else {
            return Err(Error::msg(
                Code::Package,
                format!(
                    "rendered document from {source} is not in chart {}",
                    chart.name()
                ),
            ));
        };
        // The bodies only: Helm prints its own `---` and `# Source:` lines.
        let text = docs
            .iter()
            .map(|d| d.body.as_str())
            .collect::<Vec<_>>()
            .join("---\n");
        if text.contains(HELM_DELETES) {
            return Err(Error::invalid(Diagnostic::error(
                Code::Package,
                format!(
                    "{source}: the rendered manifest contains \"{HELM_DELETES}\", which Helm deletes from every template's output; a rendered package could not deploy it unchanged"
                ),
            ).in_env(env)));
        }
        // `charts/a/charts/b/templates/x.yaml` needs charts/a and
        // charts/a/charts/b to be charts.
        let segs: Vec<&str> = rel.split('/').collect();
        let mut i = 0;
        while i + 2 < segs.len() && segs[i] == "charts" {
            let dir = segs[..i + 2].join("/");
            if !subcharts.contains(&dir) {
                subcharts.push(dir);
            }
            i += 2;
        }
        files.insert(rel.to_string(), escape(&text).into_bytes());
    }
    // Helm lint wants every chart under charts/ listed as a dependency.
    let version = &chart.metadata.version;
    let children = |parent: &str| -> Vec<String> {
        subcharts
            .iter()
            .filter_map(|d| {
                let rest = if parent.is_empty() {
                    d.as_str()
                } else {
                    d.strip_prefix(parent)?.strip_prefix('/')?
                };
                let name = rest.strip_prefix("charts/")?;
                (!name.contains('/')).then(|| name.to_string())
            })
            .collect()
    };
    for dir in &subcharts {
        let name = dir.rsplit('/').next().unwrap_or(dir);
        let mut text = format!(
            "apiVersion: v2\nname: {}\nversion: {}\n",
            yaml::quote_if_needed(name),
            yaml::quote_if_needed(version)
        );
        let deps = children(dir);
        if !deps.is_empty() {
            text.push_str("dependencies:\n");
            for d in deps {
                text.push_str(&format!(
                    "  - name: {}\n    version: {}\n",
                    yaml::quote_if_needed(&d),
                    yaml::quote_if_needed(version)
                ));
            }
        }
        files.insert(format!("{dir}/Chart.yaml"), text.into_bytes());
    }
    if let Some(notes) = &rendered.notes {
        if notes.contains(HELM_DELETES) {
            return Err(Error::invalid(
                Diagnostic::error(
                    Code::Package,
                    format!("templates/NOTES.txt: the rendered notes contain \"{HELM_DELETES}\", which Helm deletes"),
                )
                .in_env(env),
            ));
        }
        files.insert("templates/NOTES.txt".into(), escape(notes).into_bytes());
    }
    for (path, data) in &chart.files {
        if path.starts_with("crds/") {
            files.insert(path.clone(), data.clone());
        }
    }
    let deps = children("");
    files.insert(
        "Chart.yaml".into(),
        chart_yaml(chart, env, &deps).into_bytes(),
    );
    files.insert("values.yaml".into(), Vec::new());
    Ok(files
        .into_iter()
        .map(|(p, d)| ChartFile::new(p, d))
        .collect())
}

/// Chart.yaml of the rendered chart: the chart's metadata, no
/// dependencies (they are rendered in), version `<version>+<env>`.
fn chart_yaml(chart: &Chart, env: &str, subcharts: &[String]) -> String {
    let mut meta = chart.metadata.clone();
    meta.api_version = Some("v2".into());
    meta.chart_type = Some("application".into());
    // The subcharts' manifests are rendered in: each is a plain chart of
    // templates now, always enabled, no alias (its directory has its name).
    meta.dependencies = subcharts
        .iter()
        .map(|name| {
            Some(strata_chart::chart::Dependency {
                name: name.clone(),
                version: Some(chart.metadata.version.clone()),
                ..Default::default()
            })
        })
        .collect();
    meta.version = if meta.version.contains('+') {
        format!("{}.{env}", meta.version)
    } else {
        format!("{}+{env}", meta.version)
    };
    meta.annotations
        .insert(ENVIRONMENT_ANNOTATION.into(), env.to_string());
    meta.annotations
        .insert(RENDERED_ANNOTATION.into(), "true".into());
    // strata's dialect annotation describes the source templates, not these.
    meta.annotations.shift_remove("strata.dev/templates");
    let json = serde_json::to_value(&meta).unwrap_or_default();
    let node = Node::from_json(&json, &Origin::Generated);
    let mut text = yaml::to_yaml(&node.value);
    if !text.ends_with('\n') {
        text.push('\n');
    }
    text
}

/// Escape `text` for Go's text/template so that it prints `text`
/// unchanged: every `{{` (the only thing that starts an action, trim
/// markers and comments included) becomes the action `{{"{{"}}`.
pub fn escape(text: &str) -> String {
    text.replace("{{", "{{\"{{\"}}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_leaves_text_without_actions_alone() {
        assert_eq!(escape("a: b\n}} c\n"), "a: b\n}} c\n");
    }

    #[test]
    fn escape_turns_every_open_delimiter_into_an_action() {
        assert_eq!(escape("{{ .x }}"), "{{\"{{\"}} .x }}");
        assert_eq!(escape("{{{"), "{{\"{{\"}}{");
        assert_eq!(escape("{{-/* c */-}}"), "{{\"{{\"}}-/* c */-}}");
        assert_eq!(escape("{{{{"), "{{\"{{\"}}{{\"{{\"}}");
    }

    fn chart(files: &[(&str, &str)]) -> Chart {
        let map = files
            .iter()
            .map(|(k, v)| (k.to_string(), v.as_bytes().to_vec()))
            .collect();
        match Chart::from_files(map, "demo") {
            Ok(c) => c,
            Err(e) => panic!("{e}"),
        }
    }

    #[test]
    fn package_holds_escaped_manifests_and_rendered_metadata() {
        let c = chart(&[
            (
                "Chart.yaml",
                "apiVersion: v2\nname: demo\nversion: 1.2.3\nappVersion: \"2.0\"\ndescription: d\n",
            ),
            ("environments/prod.yaml", "msg: hi\n"),
            ("values.yaml", "msg: x\n"),
            (
                "templates/cm.yaml",
                "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  m: {{ values.msg }}\n  t: '{{ \"{{ .x }}\" }}'\n",
            ),
            ("crds/x.yaml", "kind: CustomResourceDefinition\n"),
        ]);
        let p = build(&c, "prod", None).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(p.file_name, "demo-1.2.3-prod.rendered.tgz");
        let (top, files) = archive::read_archive(p.bytes.as_slice(), &archive::Limits::HELM)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(top, "demo");
        let get = |path: &str| {
            files
                .iter()
                .find(|f| f.path == path)
                .map(|f| String::from_utf8_lossy(&f.data).into_owned())
                .unwrap_or_else(|| panic!("no {path}"))
        };
        assert_eq!(
            get("templates/cm.yaml"),
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  m: hi\n  t: '{{\"{{\"}} .x }}'\n"
        );
        assert_eq!(
            get("Chart.yaml"),
            "apiVersion: v2\nname: demo\nversion: 1.2.3+prod\ndescription: d\ntype: application\nappVersion: \"2.0\"\nannotations:\n  strata.dev/environment: prod\n  strata.dev/rendered: \"true\"\n"
        );
        assert_eq!(get("values.yaml"), "");
        assert_eq!(get("crds/x.yaml"), "kind: CustomResourceDefinition\n");
        // Reproducible.
        let again = build(&c, "prod", None).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(again.bytes, p.bytes);
    }

    #[test]
    fn a_manifest_helm_would_alter_is_refused() {
        let c = chart(&[
            ("Chart.yaml", "apiVersion: v2\nname: demo\nversion: 1.0.0\n"),
            ("environments/dev.yaml", ""),
            (
                "templates/cm.yaml",
                "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  m: <no value>\n",
            ),
        ]);
        let e = build(&c, "dev", None).unwrap_err();
        assert_eq!(e.exit_code(), 1);
        assert!(e.to_string().contains("Helm deletes"), "{e}");
    }

    #[test]
    fn an_unknown_environment_is_an_error() {
        let c = chart(&[
            ("Chart.yaml", "apiVersion: v2\nname: demo\nversion: 1.0.0\n"),
            ("environments/dev.yaml", ""),
        ]);
        let e = build(&c, "prod", None).unwrap_err();
        assert!(e.to_string().contains("unknown environment"), "{e}");
    }
}
