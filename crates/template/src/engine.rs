//! The engine: one chart's templates compiled once into a minijinja
//! environment, rendered for any number of environments.

use rayon::prelude::*;
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use minijinja::value::{Value as TValue, ValueKind};
use minijinja::{Environment, Error as TError, ErrorKind, UndefinedBehavior};
use strata_chart::chart::Chart;
use strata_chart::env::Environment as ChartEnv;
use strata_chart::reads::ReadSet;
use strata_chart::value::Node;
use strata_chart::{Code, Diagnostic, Error};

use crate::context::{ApiVersions, Base, Files, RenderContext, CORE_API_VERSIONS};
use crate::convert::{to_template, to_template_recorded, Recorder};
use crate::errors;
use crate::functions;
use crate::output::{self, Document};

/// Instructions one template render may execute before it is stopped.
pub(crate) const FUEL: u64 = 10_000_000;

/// Templates per thread below which rendering stays on the calling thread
/// (a thread costs about as much as rendering a few small templates).
const MIN_TEMPLATES_PER_THREAD: usize = 16;

/// Nesting depth (minijinja's recursion counter) before a render stops.
pub(crate) const RECURSION_LIMIT: usize = 200;

/// What `render` needs besides the chart, the environment and the values.
#[derive(Debug, Default, Clone)]
pub struct RenderOptions {
    /// `release.name` (default `release-name`).
    pub release_name: Option<String>,
    /// `release.namespace` (default: the environment's, else `default`).
    pub namespace: Option<String>,
    /// `capabilities.kubeVersion` (default `DEFAULT_KUBE_VERSION`).
    pub kube_version: Option<String>,
    /// Extra `capabilities.apiVersions` entries (`G/V` or `G/V/Kind`).
    pub api_versions: Vec<String>,
    /// Only these templates (`templates/x.yaml`, or `<chart>/templates/x.yaml`).
    pub show_only: Vec<String>,
    /// Also render templates/NOTES.txt.
    pub notes: bool,
    /// Print the chart's `crds/` files first (`--include-crds`); without
    /// it they are left out (and listed in [`Rendered::crds_left_out`]),
    /// unless `show_only` names them.
    pub include_crds: bool,
    /// Leave out test hooks (`helm.sh/hook: test`), as `--skip-tests`.
    pub skip_tests: bool,
    /// Leave out every hook, as `--no-hooks`.
    pub no_hooks: bool,
    /// Go charts: a missing map key is an error (Helm's `--strict`); with
    /// `validate`, a kind with no schema is an error too.
    pub strict: bool,
    /// [`crate::pipeline::render_once`]: validate the manifests against
    /// Kubernetes' schemas (`render --validate`).
    pub validate: bool,
    /// The values layers merged, named by `--strict` errors.
    pub layers: Vec<String>,
}

impl RenderOptions {
    /// These options for environment `env` of a chart in `dialect`: its
    /// `kubeVersion` when no version was given, its `apiVersions` added; a
    /// Go chart with no version at all gets Helm's default
    /// (`HELM_KUBE_VERSION`), as `helm template` renders it.
    pub fn for_env(
        &self,
        env: Option<&ChartEnv>,
        dialect: strata_chart::dialect::Dialect,
    ) -> Cow<'_, RenderOptions> {
        let env_version = env.and_then(|e| e.kube_version.as_ref());
        let apis: &[String] = env.map_or(&[], |e| e.api_versions.as_slice());
        let helm_default = dialect == strata_chart::dialect::Dialect::Go && env_version.is_none();
        if (self.kube_version.is_some() || (env_version.is_none() && !helm_default))
            && apis.is_empty()
        {
            return Cow::Borrowed(self);
        }
        let mut o = self.clone();
        if o.kube_version.is_none() {
            o.kube_version = match env_version {
                Some(v) => Some(v.clone()),
                None if helm_default => Some(crate::HELM_KUBE_VERSION.to_string()),
                None => None,
            };
        }
        for a in apis {
            if !o.api_versions.contains(a) {
                o.api_versions.push(a.clone());
            }
        }
        Cow::Owned(o)
    }
}

/// Merged values for the templates (`values` in the context), for
/// [`Engine::render_values`]: the tree itself, which templates read through
/// views (`convert::to_template`), converting only what they read.
/// Every render with them records which values paths the templates read
/// ([`Rendered::reads`]).
#[derive(Debug, Clone)]
pub(crate) struct TemplateValues {
    tree: Arc<Node>,
    value: TValue,
    reads: Arc<Mutex<ReadSet>>,
}

impl TemplateValues {
    /// Merged values, kept (not copied) for as long as any render uses them.
    pub fn new(values: Node) -> TemplateValues {
        let tree = Arc::new(values);
        let reads = Arc::new(Mutex::new(ReadSet::new()));
        let value = to_template_recorded(
            Arc::clone(&tree),
            Recorder::new(Vec::new(), Arc::clone(&reads)),
        );
        TemplateValues { tree, value, reads }
    }

    /// The values paths read by every render with these values so far
    /// (views record a key once: the set accumulates).
    fn reads(&self) -> ReadSet {
        self.reads.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// The merged values tree.
    pub fn tree(&self) -> &Node {
        &self.tree
    }
}

/// A render's result: the ordered documents and, when asked, the notes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    /// Manifests in install order.
    pub documents: Vec<Document>,
    /// Rendered templates/NOTES.txt, when `notes` was asked and it exists.
    pub notes: Option<String>,
    /// The chart's CRD files (`crds/…`) not printed (without
    /// `include_crds`), for a note saying so.
    pub crds_left_out: Vec<String>,
    /// The values paths the templates (NOTES.txt and subcharts' included)
    /// and dependency processing read, for
    /// [`strata_chart::reads::unused`]; `None` from an engine that does
    /// not record them (then nothing is called unused).
    pub reads: Option<ReadSet>,
}

impl Rendered {
    /// The one line that says which CRD files were left out, and how to
    /// include them (`None` when none were).
    pub(crate) fn crds_note(&self) -> Option<Diagnostic> {
        if self.crds_left_out.is_empty() {
            return None;
        }
        let n = self.crds_left_out.len();
        Some(Diagnostic::info(
            Code::Crds,
            format!(
                "left out {n} CRD file{} ({}): --include-crds prints them first",
                if n == 1 { "" } else { "s" },
                self.crds_left_out.join(", ")
            ),
        ))
    }
}

/// One chart's templates, compiled once and reusable across environments.
pub struct Engine {
    /// The compiled templates, in one or more environments (see [`Engine::one`]).
    envs: Vec<Environment<'static>>,
    /// Rendered templates (names under templates/), sorted.
    manifests: Vec<String>,
    /// For each of `manifests`, the environment that compiled it.
    owners: Vec<usize>,
    /// Template sources by name, for error snippets and for every
    /// environment's loader.
    sources: Arc<BTreeMap<String, String>>,
    /// `chart` in the context (Chart.yaml as written).
    chart_value: TValue,
    /// `files` in the context.
    files: TValue,
    chart_name: String,
    /// Chart.yaml as a tree, to rename aliased subcharts.
    chart_node: Node,
    /// Where this chart's files are, relative to the top chart (`charts/web/`),
    /// for diagnostics.
    prefix: String,
    /// One engine per chart vendored under charts/ (same order as
    /// `Chart::subcharts`), compiled whether or not a render uses it; a
    /// subchart whose templates do not compile fails only the renders that
    /// use it, as in Helm, where disabled subcharts are never parsed.
    subcharts: Vec<Result<Engine, Vec<Diagnostic>>>,
    /// A Go chart: rendered by [`crate::helm`] as `helm template` does,
    /// nothing compiled here.
    go: bool,
    /// The chart the engine renders (its templates may have been taken
    /// out by [`Engine::take_templates`]): renders read its files,
    /// Chart.yaml and subcharts from here, never from the caller again.
    chart: Arc<Chart>,
}

const NOTES: &str = "NOTES.txt";

/// The templates (indices into `names`) each environment compiles: the
/// manifests in contiguous runs of about equal size in bytes, one run per
/// rayon thread (one run in all for a small chart), and every other
/// template with the first run.
fn partition(
    names: &[(usize, String, bool)],
    sources: &BTreeMap<String, String>,
) -> Vec<Vec<usize>> {
    let manifests: Vec<usize> = (0..names.len()).filter(|&i| names[i].2).collect();
    let runs = rayon::current_num_threads()
        .min(manifests.len() / MIN_TEMPLATES_PER_THREAD)
        .max(1);
    let size = |i: usize| sources.get(&names[i].1).map_or(0, |s| s.len()) + 1;
    let total: usize = manifests.iter().map(|&i| size(i)).sum();
    let mut groups: Vec<Vec<usize>> = vec![Vec::new(); runs];
    groups[0].extend((0..names.len()).filter(|&i| !names[i].2));
    let mut done = 0;
    for i in manifests {
        // The run this template's first byte falls in.
        let run = (done * runs / total.max(1)).min(runs - 1);
        groups[run].push(i);
        done += size(i);
    }
    groups
}

fn is_manifest(name: &str) -> bool {
    let base = name.rsplit('/').next().unwrap_or(name);
    (name.ends_with(".yaml") || name.ends_with(".yml")) && !base.starts_with('_')
}

impl Engine {
    /// Compile every file under the chart's templates/ (syntax errors are
    /// reported, all of them, at their source line).
    pub fn new(chart: &Chart) -> Result<Engine, Error> {
        Engine::with_chart(Arc::new(chart.clone()), None)
    }

    /// The chart's templates (its files under templates/, not its
    /// subcharts'), taken out of `chart.files` for
    /// [`Engine::with_chart`]; nothing else reads them.
    pub(crate) fn take_templates(chart: &mut Chart) -> BTreeMap<String, Vec<u8>> {
        // "templates0" is the first name after every "templates/…".
        let mut templates = chart.files.split_off("templates/");
        let mut after = templates.split_off("templates0");
        chart.files.append(&mut after);
        templates
    }

    /// [`Engine::new`] given the chart's templates from
    /// [`Engine::take_templates`] (`None`: read them from `chart.files`),
    /// keeping the chart itself (not a copy): the engine keeps the
    /// templates' text without copying it (a megabyte or two for a large
    /// chart).
    pub(crate) fn with_chart(
        chart: Arc<Chart>,
        templates: Option<BTreeMap<String, Vec<u8>>>,
    ) -> Result<Engine, Error> {
        let mut engine = Engine::one(&chart, templates)?;
        engine.subcharts = chart
            .subcharts
            .iter()
            .map(|sub| {
                Engine::new(sub)
                    .map_err(|e| strata_chart::chart::relocate_error(e, &sub.prefix).diagnostics())
            })
            .collect();
        Ok(engine)
    }

    /// Compile one chart's templates (not its subcharts').
    ///
    /// Compiling is most of the cost of a large chart, and minijinja
    /// compiles one template at a time per environment, so the templates
    /// are compiled on rayon's threads into several environments, each
    /// owning a share of the manifests (environment 0 also owns every other
    /// template: helpers, NOTES.txt). Every environment can load any of the
    /// chart's templates by name (an import of helpers, an include of
    /// another manifest) and compiles it there on first use. Syntax errors
    /// are reported all of them, in file order, as one loop would.
    fn one(
        chart: &Arc<Chart>,
        templates: Option<BTreeMap<String, Vec<u8>>>,
    ) -> Result<Engine, Error> {
        if chart.dialect == strata_chart::dialect::Dialect::Go {
            // Helm parses a chart's templates with those of its subcharts
            // in use, which the values decide: parsed at render time.
            let mut env = Environment::new();
            configure(&mut env);
            let mut sources = BTreeMap::new();
            if let Some(t) = templates {
                for (path, bytes) in t {
                    let name = path.strip_prefix("templates/").unwrap_or(&path).to_string();
                    sources.insert(name, String::from_utf8_lossy(&bytes).into_owned());
                }
            }
            return Ok(Engine {
                envs: vec![env],
                manifests: Vec::new(),
                owners: Vec::new(),
                sources: Arc::new(sources),
                chart_value: TValue::from(()),
                files: TValue::from(()),
                chart_name: chart.name().to_string(),
                chart_node: chart.metadata_node.clone(),
                prefix: chart.prefix.clone(),
                subcharts: Vec::new(),
                go: true,
                chart: Arc::clone(chart),
            });
        }
        let mut problems: Vec<(usize, Diagnostic)> = Vec::new();
        let mut sources = BTreeMap::new();
        // (file index, name, whether it renders a manifest), in file order.
        let mut names: Vec<(usize, String, bool)> = Vec::new();
        let files: Box<dyn Iterator<Item = (String, Cow<'_, [u8]>)>> = match templates {
            Some(t) => Box::new(t.into_iter().map(|(p, b)| (p, Cow::Owned(b)))),
            None => Box::new(
                chart
                    .files
                    .iter()
                    .filter(|(p, _)| p.starts_with("templates/"))
                    .map(|(p, b)| (p.clone(), Cow::Borrowed(b.as_slice()))),
            ),
        };
        for (index, (path, bytes)) in files.enumerate() {
            let Some(name) = path.strip_prefix("templates/") else {
                continue;
            };
            // Bytes the engine owns become the text as they are.
            let text = match bytes {
                Cow::Borrowed(b) => strata_yaml::decode_utf8(b, &path).map(str::to_string),
                Cow::Owned(b) => strata_yaml::decode_utf8_owned(b, &path),
            };
            let text = match text {
                Ok(t) => t,
                Err(d) => {
                    problems.push((
                        index,
                        Diagnostic {
                            code: Code::Template,
                            ..d
                        },
                    ));
                    continue;
                }
            };
            names.push((index, name.to_string(), is_manifest(name)));
            sources.insert(name.to_string(), text);
        }
        let sources = Arc::new(sources);
        let groups = partition(&names, &sources);
        let compiled: Vec<(Environment<'static>, Vec<(usize, Diagnostic)>)> = groups
            .par_iter()
            .map(|group| {
                let mut env = Environment::new();
                configure(&mut env);
                let all = Arc::clone(&sources);
                env.set_loader(move |name| Ok(all.get(name).cloned()));
                let mut errors = Vec::new();
                for &i in group {
                    let (index, name, _) = &names[i];
                    if let Err(e) = env.get_template(name) {
                        let src = sources.get(name);
                        errors.push((*index, errors::diagnostic(&e, &|_| src.cloned())));
                    }
                }
                (env, errors)
            })
            .collect();
        let mut envs = Vec::with_capacity(compiled.len());
        for (env, errors) in compiled {
            envs.push(env);
            problems.extend(errors);
        }
        problems.sort_by_key(|(index, _)| *index);
        let mut problems: Vec<Diagnostic> = problems.into_iter().map(|(_, d)| d).collect();
        match problems.len() {
            0 => {}
            1 => return Err(Error::invalid(problems.remove(0))),
            _ => return Err(Error::Many(problems)),
        }
        // Which environment compiled each manifest.
        let mut owner = BTreeMap::new();
        for (env, group) in groups.iter().enumerate() {
            for &i in group {
                owner.insert(names[i].1.as_str(), env);
            }
        }
        let mut manifests: Vec<(String, usize)> = names
            .iter()
            .filter(|(_, _, manifest)| *manifest)
            .map(|(_, name, _)| (name.clone(), owner.get(name.as_str()).copied().unwrap_or(0)))
            .collect();
        manifests.sort();
        let (manifests, owners) = manifests.into_iter().unzip();
        Ok(Engine {
            envs,
            manifests,
            owners,
            sources,
            chart_value: to_template(chart.metadata_node.clone()),
            files: TValue::from_object(Files::new(&chart.files)),
            chart_name: chart.name().to_string(),
            chart_node: chart.metadata_node.clone(),
            prefix: chart.prefix.clone(),
            subcharts: Vec::new(),
            go: false,
            chart: Arc::clone(chart),
        })
    }

    /// The environment that compiled template `name` (any environment can
    /// render any template; this one has it compiled already).
    fn env_of(&self, name: &str) -> &Environment<'static> {
        let env = self
            .manifests
            .binary_search_by(|m| m.as_str().cmp(name))
            .ok()
            .and_then(|i| self.owners.get(i))
            .copied()
            .unwrap_or(0);
        &self.envs[env.min(self.envs.len() - 1)]
    }

    /// The templates that render manifests (names under templates/).
    pub fn templates(&self) -> &[String] {
        &self.manifests
    }

    /// The template a rendered document's `source` names
    /// (`<chart>/templates/x.yaml`, `<chart>/charts/<sub>/templates/x.yaml`):
    /// its chart-relative path (`templates/x.yaml`,
    /// `charts/<sub>/templates/x.yaml`) and its text. Subcharts are found
    /// by name (not through an alias).
    pub(crate) fn template_source(&self, source: &str) -> Option<(String, &str)> {
        let rel = source.strip_prefix(&format!("{}/", self.chart_name))?;
        self.find_source(rel)
    }

    fn find_source(&self, rel: &str) -> Option<(String, &str)> {
        if self.go {
            // The Go engine parses templates at render time: their text is
            // the chart's files.
            return go_source(&self.chart, rel);
        }
        if let Some(name) = rel.strip_prefix("templates/") {
            let text = self.sources.get(name)?;
            return Some((format!("{}templates/{name}", self.prefix), text.as_str()));
        }
        let rest = rel.strip_prefix("charts/")?;
        let (sub, rest) = rest.split_once('/')?;
        self.subcharts
            .iter()
            .flatten()
            .find(|e| e.chart_name == sub)
            .and_then(|e| e.find_source(rest))
    }

    /// Render every manifest template with these merged values, check the
    /// output and order it. The chart's `kubeVersion` is checked against
    /// `opts.kube_version`, as Helm does; `env` gives `env.name` and the
    /// default `release.namespace`.
    pub fn render(
        &self,
        env: Option<&ChartEnv>,
        values: &Node,
        opts: &RenderOptions,
    ) -> Result<Rendered, Error> {
        let subcharts = self.subcharts_of(values)?;
        self.render_values(env, &TemplateValues::new(values.clone()), &subcharts, opts)
    }

    /// The subcharts in use with these merged values (Helm's dependency
    /// processing; [`strata_chart::values::Merged::subcharts`] holds the
    /// same answer for values that came from a merge).
    pub(crate) fn subcharts_of(
        &self,
        values: &Node,
    ) -> Result<Vec<strata_chart::deps::Enabled>, Error> {
        if !Engine::reads_values_tree(&self.chart) {
            return Ok(Vec::new());
        }
        let user = values.as_map().cloned().unwrap_or_default();
        Ok(strata_chart::deps::process(&self.chart, &user)?.subcharts)
    }

    /// Whether [`Engine::render_values`] reads the chart's own values (to
    /// decide and render subcharts) besides the merged values: only for
    /// charts with dependencies or `charts/`. When it does not, a caller
    /// may free them before rendering.
    pub(crate) fn reads_values_tree(chart: &Chart) -> bool {
        let has_deps = chart
            .metadata
            .dependencies
            .iter()
            .flatten()
            .next()
            .is_some();
        has_deps || !chart.subcharts.is_empty()
    }

    /// [`Engine::render`] with the merged values given to the templates
    /// without a copy, and the subcharts in use as the merge decided them
    /// ([`strata_chart::values::Merged::subcharts`]): dependency
    /// processing is not run again, and the chart is the engine's own.
    pub(crate) fn render_values(
        &self,
        env: Option<&ChartEnv>,
        values: &TemplateValues,
        subcharts: &[strata_chart::deps::Enabled],
        opts: &RenderOptions,
    ) -> Result<Rendered, Error> {
        let chart = &*self.chart;
        let opts = &*opts.for_env(env, chart.dialect);
        check_kube_version(chart, opts)?;
        if let Some(name) = &opts.release_name {
            check_release_name(name)?;
        }
        if let Some(ns) = &opts.namespace {
            strata_chart::env::check_name(ns).map_err(|why| {
                Error::Usage(format!(
                    "--namespace {ns:?} is not a valid namespace: {why} ({})",
                    strata_chart::env::NAME_RULE
                ))
            })?;
        }
        if self.go {
            return self.render_go(env, values.tree(), subcharts, opts);
        }
        let base = self.base_context(env, values.value.clone(), opts)?;
        let namespace = release_namespace(env, opts);
        let mut placed = self.render_manifests(&base)?;
        let mut sources: Vec<String> = self
            .manifests
            .iter()
            .map(|name| format!("{}/templates/{name}", self.chart_name))
            .collect();
        // What dependency processing read (conditions, tags,
        // import-values).
        if Engine::reads_values_tree(chart) {
            record_dependency_reads(chart, &values.reads);
        }
        // The subcharts in use come from the merge (its dependency
        // processing); each renders with its section of the values.
        if !subcharts.is_empty() {
            let tree = values.tree();
            let go = go_options(env, opts)?;
            let mut texts = Vec::new();
            let mut cx = SubRender {
                root: &self.chart_name,
                go: &go,
                base: &base,
                texts: &mut texts,
                sources: &mut sources,
                reads: &values.reads,
            };
            for e in subcharts {
                self.render_sub(e, "", &[], tree, &mut cx)?;
            }
            for (template, text) in &texts {
                placed.extend(output::split(&self.chart_name, template, text)?);
            }
        }
        // CRDs, as Helm has them: plain YAML from crds/, never templated,
        // printed before everything else when asked for.
        let crd_files: Vec<&String> = chart.files.keys().filter(|f| is_crd_file(f)).collect();
        sources.extend(crd_files.iter().map(|f| format!("{}/{f}", self.chart_name)));
        let wanted = self.show_only(opts, &sources)?;
        let mut documents: Vec<Document> = Vec::new();
        let mut crds_left_out = Vec::new();
        for file in crd_files {
            let source = format!("{}/{file}", self.chart_name);
            let shown = wanted.as_ref().is_some_and(|w| w.contains(&source));
            if opts.include_crds || shown {
                documents.extend(self.crd(chart, file)?);
            } else if wanted.is_none() {
                crds_left_out.push(file.clone());
            }
        }
        documents.extend(output::order(placed, &namespace)?);
        if opts.no_hooks || opts.skip_tests {
            documents.retain(|d| !d.hook || (!opts.no_hooks && !is_test_hook(&d.body)));
        }
        if let Some(wanted) = wanted {
            documents.retain(|d| wanted.contains(&d.source));
            // As `helm template --show-only`: asking for a template that
            // renders nothing here is an error, not an empty result.
            if let Some(empty) = wanted
                .iter()
                .find(|w| !documents.iter().any(|d| &d.source == *w))
            {
                let name = empty
                    .strip_prefix(&format!("{}/", self.chart_name))
                    .unwrap_or(empty);
                return Err(Error::invalid(Diagnostic::error(
                    Code::Render,
                    format!(
                        "--show-only {name}: the template renders no documents with these values"
                    ),
                )));
            }
        }
        let notes = if opts.notes && self.sources.contains_key(NOTES) {
            Some(self.render_one(NOTES, &base, &self.chart_name)?)
        } else {
            // Not printed, but what it reads is read: a value used only in
            // the notes is not unused. Its errors matter only with --notes.
            if self.sources.contains_key(NOTES) {
                let _ = self.render_one(NOTES, &base, &self.chart_name);
            }
            None
        };
        Ok(Rendered {
            documents,
            notes,
            crds_left_out,
            // A chart without templates reads nothing, and calls nothing
            // unused (a values-only chart, a library chart).
            reads: (!self.manifests.is_empty() || !chart.subcharts.is_empty())
                .then(|| values.reads()),
        })
    }

    /// A Go chart, as `helm template` renders it.
    fn render_go(
        &self,
        env: Option<&ChartEnv>,
        values: &Node,
        subs: &[strata_chart::deps::Enabled],
        opts: &RenderOptions,
    ) -> Result<Rendered, Error> {
        let chart = &*self.chart;
        let go = go_options(env, opts)?;
        // Subcharts in strata's dialect (anywhere below) render with the
        // Jinja engine; their texts join the Go templates' output, split
        // and ordered as Helm orders everything.
        let mut texts = Vec::new();
        // What the chart reads of its values: its texts' `.Values` chains
        // (`helm::reads`), dependency processing, and the reads of
        // subcharts in strata's dialect.
        let reads = Arc::new(Mutex::new(crate::helm::reads::static_reads(
            chart, subs, values,
        )));
        if Engine::reads_values_tree(chart) {
            record_dependency_reads(chart, &reads);
        }
        if has_jinja_sub(chart, subs) {
            let base = self.base_context(env, TValue::from(()), opts)?;
            let mut sources = Vec::new();
            let mut cx = SubRender {
                root: &self.chart_name,
                go: &go,
                base: &base,
                texts: &mut texts,
                sources: &mut sources,
                reads: &reads,
            };
            self.render_jinja_subs(subs, "", &[], values, &mut cx)?;
        }
        let mut out = crate::helm::render(chart, chart.name(), "", subs, values, &go)?;
        for (template, text) in texts {
            out.files
                .insert(format!("{}/{template}", self.chart_name), text);
        }
        let crds = crate::helm::crds(chart, chart.name(), subs);
        let what = crate::helm::HelmDocs {
            include_crds: opts.include_crds,
            skip_tests: opts.skip_tests,
            no_hooks: opts.no_hooks,
        };
        let mut documents = crate::helm::documents(&out.files, crds, what)?;
        if !opts.show_only.is_empty() {
            let rendered: Vec<String> = out.files.keys().cloned().collect();
            if let Some(wanted) = self.show_only(opts, &rendered)? {
                documents.retain(|d| wanted.contains(&d.source));
            }
        }
        let notes = if opts.notes { out.notes } else { None };
        Ok(Rendered {
            documents,
            notes,
            // Helm says nothing of the CRDs it leaves out.
            crds_left_out: Vec::new(),
            reads: Some(
                Arc::try_unwrap(reads)
                    .map(|m| m.into_inner().unwrap_or_else(|p| p.into_inner()))
                    .unwrap_or_else(|shared| {
                        shared.lock().unwrap_or_else(|p| p.into_inner()).clone()
                    }),
            ),
        })
    }

    /// Under a Go chart: render every subchart in strata's dialect among
    /// `subs` and below its Go subcharts ([`Engine::render_sub`]);
    /// `values` is this chart's section, `path` its place (`charts/a/`).
    fn render_jinja_subs(
        &self,
        subs: &[strata_chart::deps::Enabled],
        path: &str,
        prefix: &[String],
        values: &Node,
        cx: &mut SubRender<'_>,
    ) -> Result<(), Error> {
        for e in subs {
            let Some(sub) = self.chart.subcharts.get(e.index) else {
                continue;
            };
            if sub.dialect != strata_chart::dialect::Dialect::Go {
                self.render_sub(e, path, prefix, values, cx)?;
                continue;
            }
            if !has_jinja_sub(sub, &e.subcharts) {
                continue;
            }
            let Some(Ok(engine)) = self.subcharts.get(e.index) else {
                continue;
            };
            let section = values
                .as_map()
                .and_then(|m| m.get(&e.name))
                .cloned()
                .unwrap_or_else(|| Node::empty_map(Default::default()));
            let mut at = prefix.to_vec();
            at.push(e.name.clone());
            let rel = format!("{path}charts/{}/", e.name);
            engine.render_jinja_subs(&e.subcharts, &rel, &at, &section, cx)?;
        }
        Ok(())
    }

    /// Render subchart `e` of `parent` (and its own subcharts) with its
    /// section of `parent_values`, its Chart.yaml (named by its alias) and
    /// its files; sources are `<top>/<path>charts/<name>/templates/<file>`.
    fn render_sub(
        &self,
        e: &strata_chart::deps::Enabled,
        path: &str,
        prefix: &[String],
        parent_values: &Node,
        cx: &mut SubRender<'_>,
    ) -> Result<(), Error> {
        let (Some(sub), Some(engine)) = (
            self.chart.subcharts.get(e.index),
            self.subcharts.get(e.index),
        ) else {
            return Err(Error::msg(
                Code::Render,
                format!(
                    "subchart {:?} is not part of the chart the engine was built from",
                    e.name
                ),
            ));
        };
        let engine = engine.as_ref().map_err(|ds| match ds.len() {
            1 => Error::invalid(ds[0].clone()),
            _ => Error::Many(ds.clone()),
        })?;
        let values = Arc::new(
            parent_values
                .as_map()
                .and_then(|m| m.get(&e.name))
                .cloned()
                .unwrap_or_else(|| Node::empty_map(Default::default())),
        );
        let chart_value = if e.name == engine.chart_name {
            engine.chart_value.clone()
        } else {
            let mut node = engine.chart_node.clone();
            if let strata_chart::Value::Map(m) = &mut node.value {
                m.insert(
                    "name".to_string(),
                    Node::generated(strata_chart::Value::Str(e.name.clone())),
                );
            }
            to_template(node)
        };
        let rel = format!("{path}charts/{}/", e.name);
        let shown = format!("{}/{}", cx.root, rel.trim_end_matches('/'));
        // Reads of the subchart's values are reads of `<prefix>.<name>` of
        // the top chart's.
        let mut at = prefix.to_vec();
        at.push(e.name.clone());
        if engine.go {
            // A Go chart vendored under a chart in strata's dialect renders
            // as helm renders it, with its own subcharts; its documents
            // join the parent's checks and order. Its reads are not
            // recorded: its whole section counts as read.
            cx.reads
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .whole(&at);
            let out = crate::helm::render(sub, &shown, &sub.prefix, &e.subcharts, &values, cx.go)?;
            for (name, text) in out.files {
                let template = name
                    .strip_prefix(&format!("{}/", cx.root))
                    .unwrap_or(&name)
                    .to_string();
                cx.sources.push(name);
                cx.texts.push((template, text));
            }
            return Ok(());
        }
        let ctx = Base {
            values: to_template_recorded(
                Arc::clone(&values),
                Recorder::new(at.clone(), Arc::clone(cx.reads)),
            ),
            chart: chart_value,
            files: engine.files.clone(),
            ..cx.base.clone()
        };
        // A library chart provides helpers, never manifests (Helm).
        let library = sub.metadata.chart_type.as_deref() == Some("library");
        for name in engine.manifests.iter().filter(|_| !library) {
            let text = engine
                .render_one(name, &ctx, &shown)
                .map_err(|err| strata_chart::chart::relocate_error(err, &engine.prefix))?;
            let template = format!("{rel}templates/{name}");
            cx.sources.push(format!("{}/{template}", cx.root));
            cx.texts.push((template, text));
        }
        for child in &e.subcharts {
            engine.render_sub(child, &rel, &at, &values, cx)?;
        }
        Ok(())
    }

    /// The documents of CRD file `file` (checked as rendered documents
    /// are: YAML with apiVersion, kind and metadata.name).
    fn crd(&self, chart: &Chart, file: &str) -> Result<Vec<Document>, Error> {
        let Some(bytes) = chart.files.get(file) else {
            return Ok(Vec::new());
        };
        let text = strata_yaml::decode_utf8(bytes, file)?;
        let mut docs: Vec<Document> = output::split(&self.chart_name, file, text)?
            .into_iter()
            .map(|p| p.doc)
            .collect();
        // Helm prints a CRD file as it is, then a newline: the same bytes
        // for a file of one document.
        if let [one] = docs.as_mut_slice() {
            one.body = format!("{text}\n");
        }
        Ok(docs)
    }

    /// The sources `--show-only` keeps, as `<chart>/templates/x.yaml` (or
    /// `<chart>/charts/<sub>/templates/x.yaml`). `rendered` are the sources
    /// of every template rendered.
    fn show_only(
        &self,
        opts: &RenderOptions,
        rendered: &[String],
    ) -> Result<Option<Vec<String>>, Error> {
        if opts.show_only.is_empty() {
            return Ok(None);
        }
        let prefix = format!("{}/", self.chart_name);
        let mut out = Vec::new();
        for s in &opts.show_only {
            let rel = s.strip_prefix(&prefix).unwrap_or(s);
            let candidates = [format!("{prefix}{rel}"), format!("{prefix}templates/{rel}")];
            match candidates.into_iter().find(|c| rendered.contains(c)) {
                Some(found) => out.push(found),
                None if rel.starts_with("crds/") => {
                    return Err(Error::Usage(format!(
                        "--show-only {s}: the chart has no CRD file {rel}"
                    )));
                }
                None => {
                    let name = rel.strip_prefix("templates/").unwrap_or(rel);
                    return Err(Error::Usage(format!(
                        "--show-only {s}: the chart has no template templates/{name}"
                    )));
                }
            }
        }
        Ok(Some(out))
    }

    fn base_context(
        &self,
        env: Option<&ChartEnv>,
        values: TValue,
        opts: &RenderOptions,
    ) -> Result<Base, Error> {
        let release = TValue::from_iter([
            (
                "name",
                TValue::from(opts.release_name.as_deref().unwrap_or("release-name")),
            ),
            ("namespace", TValue::from(release_namespace(env, opts))),
            ("revision", TValue::from(1)),
            ("service", TValue::from("strata")),
            ("isInstall", TValue::from(true)),
            ("isUpgrade", TValue::from(false)),
        ]);
        let (_, version) = kube_version(opts)?;
        let kube_value = TValue::from_iter([
            (
                "version",
                TValue::from(format!(
                    "v{}.{}.{}",
                    version.major(),
                    version.minor(),
                    version.patch()
                )),
            ),
            ("major", TValue::from(version.major().to_string())),
            ("minor", TValue::from(version.minor().to_string())),
        ]);
        let mut apis: Vec<String> = CORE_API_VERSIONS.iter().map(|s| s.to_string()).collect();
        for a in &opts.api_versions {
            if !apis.contains(a) {
                apis.push(a.clone());
            }
        }
        let capabilities = TValue::from_iter([
            ("kubeVersion", kube_value),
            ("apiVersions", TValue::from_object(ApiVersions(apis))),
        ]);
        let env_value = match env {
            Some(e) => TValue::from_iter([
                ("name", TValue::from(e.name.as_str())),
                ("namespace", TValue::from(e.namespace.as_str())),
            ]),
            None => {
                TValue::from_iter([("name", TValue::from(())), ("namespace", TValue::from(()))])
            }
        };
        Ok(Base {
            values,
            release,
            chart: self.chart_value.clone(),
            env: env_value,
            capabilities,
            files: self.files.clone(),
        })
    }

    /// Render and split every manifest template, on rayon's threads when
    /// there are many (templates are independent; the engine is shared).
    /// The result is in template order, and the error returned is the one
    /// of the first failing template, as a sequential loop would give.
    fn render_manifests(&self, base: &Base) -> Result<Vec<output::Placed>, Error> {
        let total = std::sync::atomic::AtomicUsize::new(0);
        let work = |name: &String| -> Result<Vec<output::Placed>, Error> {
            let text = self.render_one(name, base, &self.chart_name)?;
            let sum =
                total.fetch_add(text.len(), std::sync::atomic::Ordering::Relaxed) + text.len();
            if sum > crate::budget::MAX_OUTPUT {
                return Err(Error::msg(
                    Code::Render,
                    format!(
                        "templates/{name}: the rendered output is over the limit of {} bytes",
                        crate::budget::MAX_OUTPUT
                    ),
                ));
            }
            let template = format!("templates/{name}");
            Ok(output::split(&self.chart_name, &template, &text)?)
        };
        let results: Vec<Result<Vec<output::Placed>, Error>> =
            if self.manifests.len() >= 2 * MIN_TEMPLATES_PER_THREAD {
                self.manifests.par_iter().map(work).collect()
            } else {
                self.manifests.iter().map(work).collect()
            };
        let mut placed = Vec::new();
        for r in results {
            placed.extend(r?);
        }
        Ok(placed)
    }

    /// Render template `name` of this chart; `shown` is how the chart
    /// appears in `template.name` (`api`, `umbrella/charts/web`).
    fn render_one(&self, name: &str, base: &Base, shown: &str) -> Result<String, Error> {
        let ctx = RenderContext::value(
            base,
            Some(TValue::from_iter([
                ("name", TValue::from(format!("{shown}/templates/{name}"))),
                ("basePath", TValue::from(format!("{shown}/templates"))),
            ])),
        );
        crate::budget::start_render();
        let mut sink = crate::budget::OutputSink::new();
        let result = self
            .env_of(name)
            .get_template(name)
            .and_then(|t| t.render_captured_to(&ctx, &mut sink).map(|_| ()));
        let diagnose = |e: &TError| errors::diagnostic(e, &|n| self.sources.get(n).cloned());
        match result {
            Err(e) if sink.over => {
                let mut d = diagnose(&e);
                d.message = format!(
                    "{name}: the template's output is over the limit of {} bytes",
                    crate::budget::MAX_TEMPLATE_OUTPUT
                );
                Err(Error::invalid(d))
            }
            Err(e) => Err(Error::invalid(diagnose(&e))),
            Ok(_) => String::from_utf8(sink.buf).map_err(|_| {
                Error::msg(
                    Code::Render,
                    format!("{name}: the template's output is not UTF-8"),
                )
            }),
        }
    }
}

/// Whether a hook document is a test (`helm.sh/hook: test`, or Helm 2's
/// `test-success`, among its events), as `--skip-tests` judges it.
fn is_test_hook(body: &str) -> bool {
    let Ok(Some(node)) = strata_yaml::load_one(body, &Arc::from("hook")) else {
        return false;
    };
    node.get_path(&["metadata", "annotations", "helm.sh/hook"])
        .and_then(Node::as_str)
        .is_some_and(|events| {
            events
                .split(',')
                .any(|e| matches!(e.trim(), "test" | "test-success"))
        })
}

/// Whether a chart file is a CRD file: `crds/…` ending in .yaml, .yml or
/// .json (Helm's `CRDObjects`).
fn is_crd_file(path: &str) -> bool {
    path.starts_with("crds/")
        && [".yaml", ".yml", ".json"]
            .iter()
            .any(|ext| path.ends_with(ext))
}

/// What rendering subcharts accumulates.
struct SubRender<'a> {
    /// The top chart's name (first part of every source).
    root: &'a str,
    /// The top chart's context (release, capabilities, env).
    base: &'a Base,
    /// The same for Go subcharts.
    go: &'a crate::helm::GoOptions,
    /// Each rendered template's text, by its path under the top chart
    /// (`charts/db/templates/x.yaml`), in render order.
    texts: &'a mut Vec<(String, String)>,
    sources: &'a mut Vec<String>,
    /// Where the values read are recorded.
    reads: &'a Arc<Mutex<ReadSet>>,
}

/// Whether a subchart in strata's dialect is among `subs` of `chart`, or
/// below them.
fn has_jinja_sub(chart: &Chart, subs: &[strata_chart::deps::Enabled]) -> bool {
    subs.iter().any(|e| {
        chart.subcharts.get(e.index).is_some_and(|sub| {
            sub.dialect != strata_chart::dialect::Dialect::Go || has_jinja_sub(sub, &e.subcharts)
        })
    })
}

/// A Go chart's template `rel` (`templates/x.yaml`,
/// `charts/<sub>/templates/x.yaml`) and its text, from the chart's files.
fn go_source<'a>(chart: &'a Chart, rel: &str) -> Option<(String, &'a str)> {
    if rel.starts_with("templates/") {
        let text = std::str::from_utf8(chart.files.get(rel)?).ok()?;
        return Some((format!("{}{rel}", chart.prefix), text));
    }
    let rest = rel.strip_prefix("charts/")?;
    let (sub, rest) = rest.split_once('/')?;
    chart
        .subcharts
        .iter()
        .find(|c| c.name() == sub)
        .and_then(|c| go_source(c, rest))
}

/// What dependency processing reads of the values: each dependency's
/// `condition` paths, `tags`, and, for `import-values`, the subchart's
/// section as a whole.
fn record_dependency_reads(chart: &Chart, reads: &Mutex<ReadSet>) {
    let mut reads = reads.lock().unwrap_or_else(|p| p.into_inner());
    for d in chart.metadata.dependencies.iter().flatten() {
        for c in d.condition.iter().flat_map(|c| c.split(',')) {
            let path = strata_chart::Path::parse(c.trim());
            reads.key(path.segments());
        }
        for t in &d.tags {
            reads.key(&["tags", t.as_str()]);
        }
        if !d.import_values.is_empty() {
            reads.whole(&[d.effective_name()]);
        }
    }
}

/// strata's settings on a minijinja environment: whitespace control,
/// no auto-escaping, strict undefined values, fuel and recursion limits,
/// YAML-style printing, and the strata filters and functions.
pub(crate) fn configure(env: &mut Environment<'_>) {
    env.set_trim_blocks(true);
    env.set_lstrip_blocks(true);
    env.set_keep_trailing_newline(true);
    env.set_auto_escape_callback(|_| minijinja::AutoEscape::None);
    // Printing, iterating or reading attributes of undefined values fails;
    // `if x`, `x is defined` and `x | default(..)` still work.
    env.set_undefined_behavior(UndefinedBehavior::SemiStrict);
    env.set_fuel(Some(FUEL));
    env.set_recursion_limit(RECURSION_LIMIT);
    env.set_debug(true);
    env.set_formatter(format_value);
    crate::budget::install();
    functions::add_to_environment(env);
}

/// Helm's rule for release names: a DNS-1123 subdomain of at most 53
/// characters (resource names append suffixes to it).
fn check_release_name(name: &str) -> Result<(), Error> {
    let ok = !name.is_empty()
        && name.len() <= 53
        && name.starts_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
        && name.ends_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.');
    if ok {
        Ok(())
    } else {
        Err(Error::Usage(format!(
            "--release {name}: a release name is at most 53 lowercase letters, digits, '-' and '.', starting and ending with a letter or digit"
        )))
    }
}

/// Chart.yaml's `kubeVersion` constraint must admit the Kubernetes version
/// rendered for (Helm refuses such a chart the same way).
fn check_kube_version(chart: &Chart, opts: &RenderOptions) -> Result<(), Error> {
    let Some(constraint) = chart.metadata.kube_version.as_deref() else {
        return Ok(());
    };
    let kube = opts
        .kube_version
        .as_deref()
        .unwrap_or(crate::DEFAULT_KUBE_VERSION);
    let ok = strata_chart::semver::compare(constraint, kube).map_err(|e| {
        Error::Usage(format!(
            "--kube-version {kube}: not a Kubernetes version ({e})"
        ))
    })?;
    if ok {
        return Ok(());
    }
    let loc = chart
        .metadata_node
        .get_path(&["kubeVersion"])
        .and_then(|n| n.origin.location().cloned());
    let mut d = Diagnostic::error(
        Code::Render,
        format!(
            "chart requires kubeVersion: {constraint} which is incompatible with Kubernetes {kube}"
        ),
    )
    .at_opt(loc)
    .note("choose the cluster's version with --kube-version");
    if let Ok(text) = chart.text("Chart.yaml") {
        d = d.with_source(&text);
    }
    Err(Error::invalid(d))
}

/// Helm's KubeVersion fields for `given` (parsed as `version`): the text
/// as given with a `v` (`v1.29.3-gke.100`, `v1.29`), its numeric part
/// (`v1.29.3`), major, minor.
fn helm_kube_version(
    given: &str,
    version: &strata_chart::semver::Version,
) -> (String, String, String, String) {
    let bare = given.strip_prefix('v').unwrap_or(given);
    let numeric = bare.split(['-', '+']).next().unwrap_or(bare);
    (
        format!("v{bare}"),
        format!("v{numeric}"),
        version.major().to_string(),
        version.minor().to_string(),
    )
}

/// The Kubernetes version rendered for (default
/// `DEFAULT_KUBE_VERSION`), as given and parsed.
fn kube_version(opts: &RenderOptions) -> Result<(&str, strata_chart::semver::Version), Error> {
    let kube = opts
        .kube_version
        .as_deref()
        .unwrap_or(crate::DEFAULT_KUBE_VERSION);
    Ok((kube, parse_kube_version(kube)?))
}

/// `--kube-version`'s text (`1.31`, `v1.29.3-gke.100`) as a version; a
/// usage error (exit 2) when it is not one.
pub fn parse_kube_version(given: &str) -> Result<strata_chart::semver::Version, Error> {
    strata_chart::semver::Version::parse_lenient(given).map_err(|e| {
        Error::Usage(format!(
            "--kube-version {given}: not a Kubernetes version ({e})"
        ))
    })
}

/// What a Go chart's render needs from the options.
fn go_options(
    env: Option<&ChartEnv>,
    opts: &RenderOptions,
) -> Result<crate::helm::GoOptions, Error> {
    let (kube, version) = kube_version(opts)?;
    Ok(crate::helm::GoOptions {
        release_name: opts
            .release_name
            .clone()
            .unwrap_or_else(|| "release-name".to_string()),
        namespace: release_namespace(env, opts),
        kube_version: helm_kube_version(kube, &version),
        api_versions: opts.api_versions.clone(),
        strict: opts.strict,
        layers: opts.layers.clone(),
    })
}

fn release_namespace(env: Option<&ChartEnv>, opts: &RenderOptions) -> String {
    opts.namespace
        .clone()
        .or_else(|| env.map(|e| e.namespace.clone()))
        .unwrap_or_else(|| "default".to_string())
}

/// Printing `{{ x }}`: scalars as YAML prints them (`true`, `false`,
/// `null`); undefined values and structures are errors.
fn format_value(
    out: &mut minijinja::Output<'_>,
    _state: &minijinja::State<'_, '_>,
    value: &TValue,
) -> Result<(), TError> {
    let text = match value.kind() {
        ValueKind::Undefined => return Err(TError::from(ErrorKind::UndefinedError)),
        ValueKind::Map | ValueKind::Seq | ValueKind::Iterable | ValueKind::Plain => {
            return Err(TError::new(
                ErrorKind::InvalidOperation,
                format!(
                    "cannot print a {} directly; use `| toyaml` (with `| nindent(n)`) or `| tojson`",
                    match value.kind() {
                        ValueKind::Map => "map",
                        ValueKind::Plain => "object",
                        _ => "list",
                    }
                ),
            ))
        }
        // Strings print as they are: no copy.
        ValueKind::String => match value.as_str() {
            Some(s) => return out.write_str(s).map_err(TError::from),
            None => functions::scalar_string(value),
        },
        _ => functions::scalar_string(value),
    };
    out.write_str(&text).map_err(TError::from)
}

// The engine is shared across threads rendering environments in parallel.
const _: () = {
    const fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Engine>();
};

#[cfg(test)]
mod tests {
    use super::*;

    fn chart(templates: &[(&str, &str)]) -> Chart {
        let mut files = BTreeMap::new();
        files.insert(
            "Chart.yaml".to_string(),
            b"apiVersion: v2\nname: demo\nversion: 0.1.0\nappVersion: \"1.0\"\n".to_vec(),
        );
        files.insert(
            "values.yaml".to_string(),
            b"name: web\nreplicas: 0\nflag: false\nmaybe: null\nlist: [a]\n".to_vec(),
        );
        files.insert("config/app.conf".to_string(), b"a=1\nb=2\n".to_vec());
        for (name, text) in templates {
            files.insert(format!("templates/{name}"), text.as_bytes().to_vec());
        }
        Chart::from_files(files, "demo").unwrap()
    }

    fn render(c: &Chart) -> Result<Rendered, Error> {
        let engine = Engine::new(c)?;
        engine.render(None, &c.values, &RenderOptions::default())
    }

    fn body(c: &Chart) -> String {
        match render(c) {
            Ok(r) => crate::to_stream(&r.documents),
            Err(e) => format!("ERR {:?}", e.diagnostics()),
        }
    }

    const CM: &str = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\ndata:\n";

    #[test]
    fn macros_read_the_context_without_it_being_passed() {
        let c = chart(&[
            ("_helpers.tpl", "{% macro fullname() %}{{ release.name }}-{{ chart.name }}-{{ values.name }}{% endmacro %}\n"),
            ("cm.yaml", &format!("{{% import \"_helpers.tpl\" as h %}}\n{CM}  n: {{{{ h.fullname() }}}}\n")),
        ]);
        assert!(
            body(&c).contains("  n: release-name-demo-web\n"),
            "{}",
            body(&c)
        );
    }

    #[test]
    fn scalars_print_as_yaml() {
        let c = chart(&[("cm.yaml", &format!("{CM}  a: {{{{ values.flag }}}} {{{{ true }}}} {{{{ values.maybe }}}} {{{{ values.replicas }}}} {{{{ 1.5 }}}} {{{{ 2.0 }}}}\n"))]);
        assert!(
            body(&c).contains("  a: false true null 0 1.5 2.0\n"),
            "{}",
            body(&c)
        );
    }

    #[test]
    fn printing_structures_is_an_error() {
        let c = chart(&[("cm.yaml", &format!("{CM}  a: {{{{ values.list }}}}\n"))]);
        let e = render(&c).unwrap_err().diagnostics().remove(0);
        assert!(
            e.message
                .contains("cannot print a list directly; use `| toyaml`"),
            "{}",
            e.message
        );
        assert_eq!(e.location.unwrap().to_string(), "templates/cm.yaml:6:9");
        assert_eq!(e.snippet.as_deref(), Some("  a: {{ values.list }}"));
    }

    #[test]
    fn undefined_is_an_error_when_printed_but_testable() {
        let c = chart(&[("cm.yaml", &format!("{CM}{{% if values.nope %}}x{{% endif %}}{{% if values.nope is defined %}}y{{% endif %}}  a: {{{{ values.nope | default('d') }}}}\n  b: {{{{ values.nope }}}}\n"))]);
        let e = render(&c).unwrap_err().diagnostics().remove(0);
        assert_eq!(e.message, "undefined value: `values.nope`");
        assert_eq!(e.location.unwrap().to_string(), "templates/cm.yaml:7:9");
        let c = chart(&[("cm.yaml", &format!("{CM}{{% if values.nope %}}x{{% endif %}}{{% if values.nope is defined %}}y{{% endif %}}  a: {{{{ values.nope | default('d') }}}}\n"))]);
        assert!(body(&c).contains("  a: d\n"), "{}", body(&c));
    }

    #[test]
    fn context_defaults() {
        let c = chart(&[("cm.yaml", &format!("{CM}  r: {{{{ release.name }}}}/{{{{ release.namespace }}}}/{{{{ release.revision }}}}/{{{{ release.service }}}}/{{{{ release.isInstall }}}}\n  c: {{{{ chart.appVersion }}}} {{{{ capabilities.kubeVersion.version }}}} {{{{ capabilities.kubeVersion.minor }}}} {{{{ capabilities.apiVersions.has('apps/v1') }}}} {{{{ 'batch/v1' in capabilities.apiVersions }}}}\n  t: {{{{ template.name }}}}\n  f: x {{{{ files.get('config/app.conf') | quote }}}} {{{{ files.lines('config/app.conf') | length }}}} {{{{ files.glob('config/*') | list | tojson }}}}\n"))]);
        let out = body(&c);
        assert!(
            out.contains("  r: release-name/default/1/strata/true\n"),
            "{out}"
        );
        assert!(out.contains("  c: 1.0 v1.31.0 31 true true\n"), "{out}");
        assert!(out.contains("  t: demo/templates/cm.yaml\n"), "{out}");
        assert!(
            out.contains("  f: x \"a=1\\nb=2\\n\" 2 [\"config/app.conf\"]\n"),
            "{out}"
        );
    }

    #[test]
    fn files_refuse_paths_outside_the_chart() {
        let c = chart(&[(
            "cm.yaml",
            &format!("{CM}  a: {{{{ files.get('../../etc/passwd') }}}}\n"),
        )]);
        let e = render(&c).unwrap_err().diagnostics().remove(0);
        assert!(e.message.contains("is outside the chart"), "{}", e.message);
    }

    #[test]
    fn runaway_loops_and_recursion_stop() {
        let c = chart(&[("cm.yaml", &format!("{CM}{{% for a in range(100000) %}}{{% for b in range(100000) %}}{{% endfor %}}{{% endfor %}}\n"))]);
        let e = render(&c).unwrap_err().diagnostics().remove(0);
        assert!(e.message.contains("ran too long"), "{}", e.message);
    }

    #[test]
    fn errors_in_included_templates_point_inside_them() {
        let c = chart(&[
            ("_inner.tpl", "# {{ values.nope }}\n"),
            ("cm.yaml", &format!("{{% include \"_inner.tpl\" %}}\n{CM}")),
        ]);
        let e = render(&c).unwrap_err().diagnostics().remove(0);
        assert_eq!(e.message, "undefined value: `values.nope`");
        assert_eq!(e.location.unwrap().to_string(), "templates/_inner.tpl:1:6");
        assert_eq!(
            e.notes.last().map(String::as_str),
            Some("included from templates/cm.yaml:1")
        );
        let c = chart(&[("cm.yaml", "{% include \"cm.yaml\" %}\n")]);
        let e = render(&c).unwrap_err().diagnostics().remove(0);
        assert_eq!(e.message, "recursion limit exceeded");
        assert!(
            e.notes.iter().any(|n| n.contains("more levels of include")),
            "{:?}",
            e.notes
        );
    }

    #[test]
    fn syntax_errors_point_at_the_template() {
        let c = chart(&[("cm.yaml", &format!("{CM}  a: {{{{ values.x }}\n"))]);
        let e = Engine::new(&c).err().unwrap().diagnostics().remove(0);
        assert!(e.message.starts_with("syntax error"), "{}", e.message);
        assert_eq!(e.location.unwrap().file.as_ref(), "templates/cm.yaml");
    }

    #[test]
    fn a_template_that_is_not_utf8_is_named_with_its_line() {
        let mut c = chart(&[]);
        c.files.insert(
            "templates/cm.yaml".to_string(),
            b"apiVersion: v1\nkind: \xff\n".to_vec(),
        );
        let e = Engine::new(&c).err().unwrap().diagnostics().remove(0);
        assert_eq!(e.code, "template");
        assert!(e.message.contains("is not valid UTF-8"), "{}", e.message);
        assert_eq!(e.location.unwrap().to_string(), "templates/cm.yaml:2:7");
    }

    #[test]
    fn templates_taken_from_the_chart_render_and_fail_as_read_from_it() {
        let mut c = chart(&[
            (
                "_helpers.tpl",
                "{% macro n() %}{{ values.name }}{% endmacro %}\n",
            ),
            (
                "cm.yaml",
                &format!("{{% import \"_helpers.tpl\" as h %}}\n{CM}  n: {{{{ h.n() }}}}\n"),
            ),
            (
                "sub/x.yaml",
                "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  x: {{ values.list[0] }}\n",
            ),
        ]);
        for other in ["templates.txt", "templates0", "templatesx/a.yaml"] {
            c.files.insert(other.to_string(), b"x".to_vec());
        }
        c.files.insert(
            "templates/bom.yaml".to_string(),
            b"\xEF\xBB\xBFapiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: bom-{{ values.name }}\n"
                .to_vec(),
        );
        let want = body(&c);
        let mut taken = c.clone();
        let templates = Engine::take_templates(&mut taken);
        let names: Vec<&str> = templates.keys().map(String::as_str).collect();
        assert_eq!(
            names,
            [
                "templates/_helpers.tpl",
                "templates/bom.yaml",
                "templates/cm.yaml",
                "templates/sub/x.yaml"
            ]
        );
        assert_eq!(taken.files.len() + templates.len(), c.files.len());
        let engine = Engine::with_chart(Arc::new(taken.clone()), Some(templates)).unwrap();
        let r = engine
            .render(None, &taken.values, &RenderOptions::default())
            .unwrap();
        assert_eq!(crate::to_stream(&r.documents), want);
        assert!(
            want.contains("  n: web\n") && want.contains("  name: bom-web\n"),
            "{want}"
        );
        // Text that is not UTF-8, after a BOM or not: the same diagnostic.
        for bad in [
            &b"a: 1\nb: \xff\n"[..],
            b"\xEF\xBB\xBF\xEF\xBB\xBFa: \xff\n",
        ] {
            let mut c = chart(&[]);
            c.files
                .insert("templates/cm.yaml".to_string(), bad.to_vec());
            let want = Engine::new(&c).err().unwrap().diagnostics();
            let templates = Engine::take_templates(&mut c);
            let got = Engine::with_chart(Arc::new(c.clone()), Some(templates))
                .err()
                .unwrap()
                .diagnostics();
            assert_eq!(format!("{got:?}"), format!("{want:?}"));
        }
    }

    #[test]
    fn many_templates_compile_in_parallel_and_report_errors_in_file_order() {
        let bad = format!("{CM}  a: {{{{ values.x }}\n");
        let names: Vec<String> = (0..40).map(|i| format!("cm{i:02}.yaml")).collect();
        let mut templates: Vec<(String, String)> = names
            .iter()
            .map(|n| {
                let name = n.trim_end_matches(".yaml");
                (
                    n.clone(),
                    format!("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\n"),
                )
            })
            .collect();
        // The last manifest includes the first (compiled elsewhere).
        templates[39].1 =
            "{% filter replace('cm00', 'cm39') %}{% include \"cm00.yaml\" %}{% endfilter %}"
                .to_string();
        let refs: Vec<(&str, &str)> = templates
            .iter()
            .map(|(n, t)| (n.as_str(), t.as_str()))
            .collect();
        let out = body(&chart(&refs));
        assert_eq!(out.matches("kind: ConfigMap").count(), 40, "{out}");
        assert!(out.contains("# Source: demo/templates/cm39.yaml\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm39\n"), "{out}");
        for i in [3, 21, 38] {
            templates[i].1 = bad.clone();
        }
        let refs: Vec<(&str, &str)> = templates
            .iter()
            .map(|(n, t)| (n.as_str(), t.as_str()))
            .collect();
        let files: Vec<String> = Engine::new(&chart(&refs))
            .err()
            .unwrap()
            .diagnostics()
            .into_iter()
            .map(|d| d.location.unwrap().file.to_string())
            .collect();
        assert_eq!(
            files,
            [
                "templates/cm03.yaml",
                "templates/cm21.yaml",
                "templates/cm38.yaml"
            ]
        );
    }

    /// Every `<!-- example -->` in docs/templates.md: a jinja block, then
    /// the block it must render to.
    #[test]
    fn docs_examples_are_true() {
        let docs = include_str!("../../../docs/templates.md");
        let values = "name: web\nreplicas: 0\ndebug: false\nimage:\n  repository: registry.example.com/web\n  tag: \"\"\nlabels:\n  team: shop\n  tier: api\nports: [80, 443]\nhost: \"\"\nanswer: \"yes\"\nconfig: \"a: 1\\nb: [x, y]\"\n";
        assert!(
            docs.contains(values),
            "the docs' example values differ from the test's"
        );
        let mut files = BTreeMap::new();
        let file = |s: &str| s.as_bytes().to_vec();
        files.insert(
            "Chart.yaml".to_string(),
            file("apiVersion: v2\nname: api\nversion: 1.4.0\nappVersion: \"2.4.0\"\n"),
        );
        files.insert("values.yaml".to_string(), file(values));
        files.insert(
            "environments.yaml".to_string(),
            file("environments:\n  dev:\n    namespace: shop-dev\n"),
        );
        files.insert("environments/dev.yaml".to_string(), file("{}\n"));
        files.insert("config/app.conf".to_string(), file("a=1\nb=2\n"));
        files.insert(
            "templates/_helpers.tpl".to_string(),
            file(include_str!("../../../charts/api/templates/_helpers.tpl")),
        );
        let c = Chart::from_files(files, "api").unwrap();
        let engine = Engine::new(&c).unwrap();
        let env = c.environments.get("dev").unwrap();
        let ctx = engine
            .base_context(
                Some(env),
                to_template(c.values.clone()),
                &RenderOptions::default(),
            )
            .unwrap();
        let lines: Vec<&str> = docs.lines().collect();
        let block = |start: usize| -> (String, usize) {
            let mut text = String::new();
            let mut i = start + 1;
            while lines[i] != "```" {
                text.push_str(lines[i]);
                text.push('\n');
                i += 1;
            }
            (text, i + 1)
        };
        let mut count = 0;
        let mut i = 0;
        while i < lines.len() {
            if lines[i] != "<!-- example -->" {
                i += 1;
                continue;
            }
            assert_eq!(lines[i + 1], "```jinja", "example at line {}", i + 1);
            let (src, next) = block(i + 1);
            assert!(
                lines[next].starts_with("```"),
                "no output block after line {next}"
            );
            let (want, next) = block(next);
            let got = engine.envs[0]
                .render_named_str("example.yaml", &src, RenderContext::value(&ctx, None))
                .unwrap_or_else(|e| panic!("example at docs line {}: {e:#}", i + 1));
            assert_eq!(got, want, "example at docs/templates.md line {}", i + 1);
            count += 1;
            i = next;
        }
        assert!(count >= 15, "only {count} examples found");
    }

    #[test]
    fn one_engine_renders_in_parallel_threads() {
        let c = chart(&[(
            "cm.yaml",
            &format!("{CM}  a: {{{{ values.name }}}}-{{{{ release.name }}}}\n"),
        )]);
        let engine = Engine::new(&c).unwrap();
        let outs: Vec<String> = std::thread::scope(|s| {
            let handles: Vec<_> = (0..4)
                .map(|i| {
                    let (engine, c) = (&engine, &c);
                    s.spawn(move || {
                        let opts = RenderOptions {
                            release_name: Some(format!("r{i}")),
                            ..RenderOptions::default()
                        };
                        let r = engine.render(None, &c.values, &opts).unwrap();
                        crate::to_stream(&r.documents)
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        for (i, out) in outs.iter().enumerate() {
            assert!(out.contains(&format!("  a: web-r{i}\n")), "{out}");
        }
    }

    #[test]
    fn one_engine_renders_many_times_identically() {
        let c = chart(&[("cm.yaml", &format!("{CM}  a: {{{{ values.name }}}}\n"))]);
        let engine = Engine::new(&c).unwrap();
        let a = engine
            .render(None, &c.values, &RenderOptions::default())
            .unwrap();
        let b = engine
            .render(None, &c.values, &RenderOptions::default())
            .unwrap();
        assert_eq!(a, b);
        assert_eq!(a.documents[0].source, "demo/templates/cm.yaml");
    }
}
