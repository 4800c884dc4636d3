//! One render of a chart, whatever its dialect (DESIGN §1): values merged
//! for the request (strata-chart), the chart's engine (minijinja, or Go
//! templates as Helm renders them), output checked and ordered. The CLI
//! makes this one call.

use strata_chart::chart::Chart;
use strata_chart::dialect::Dialect;
use strata_chart::value::{Node, Origin};
use strata_chart::values::{self, Request};
use strata_chart::{Diagnostic, Error, Severity};

use crate::engine::{Engine, RenderOptions, Rendered, TemplateValues};

/// A render's result and its warnings (values type conflicts, …).
#[derive(Debug)]
pub struct RenderOutput {
    pub rendered: Rendered,
    pub warnings: Vec<Diagnostic>,
    /// The chart's name (the first part of every document's source).
    pub chart_name: String,
    /// The chart's folder (None for a packaged chart): `--output-dir` never
    /// writes into it.
    pub chart_dir: Option<std::path::PathBuf>,
    pub dialect: Dialect,
}

/// Render `chart` for `req` (environment, `-f` files, `--set` flags) with
/// `opts` (`opts.layers` is filled from the merge).
///
/// Made for a process that renders once: compiling the templates and
/// merging the values run at the same time, the chart's own values move
/// into the merge instead of being copied, and what was built to render
/// (chart, values, compiled templates) is not freed one allocation at a
/// time — the process is about to print and end, and the operating system
/// takes the memory back (what freeing cost is in docs/performance.md).
/// Errors are tagged with the environment.
pub fn render_once(
    mut chart: Chart,
    req: &Request,
    mut opts: RenderOptions,
) -> Result<RenderOutput, Error> {
    let tag = |e: Error| match &req.env {
        Some(name) => e.in_env(name),
        None => e,
    };
    // A chart with environments renders one of them: forgetting --env
    // would render the defaults, as no environment deploys them.
    chart
        .environments
        .require(req.env.as_deref(), "render", "choose one with --env ENV")?;
    let dialect = chart.dialect;
    // Without subcharts, rendering reads only the merged values: the
    // chart's own values (megabytes for a large chart) move into the merge
    // instead of being copied.
    let own = (!Engine::reads_values_tree(&chart))
        .then(|| std::mem::replace(&mut chart.values, Node::empty_map(Origin::Generated)));
    // The minijinja engine keeps the templates' text itself (nothing else
    // reads it); a Go chart's templates are parsed with its subcharts' at
    // render time, from the chart.
    let templates = (dialect == Dialect::Jinja).then(|| Engine::take_templates(&mut chart));
    // Compiling the templates and merging the values are independent: do
    // both at once. Errors come in the order they would one after the other.
    // The engine keeps the chart; the merge reads it at the same time.
    let chart = std::sync::Arc::new(chart);
    let (merged, engine) = std::thread::scope(|s| {
        let shared = std::sync::Arc::clone(&chart);
        let engine = s.spawn(move || Engine::with_chart(shared, templates));
        let merged = match own {
            Some(own) => values::merge_moving(&chart, own, req),
            None => values::merge(&chart, req),
        };
        let merged = merged.map(|mut m| {
            // The templates read the merged tree itself (not a copy).
            let tree = std::mem::replace(&mut m.values, Node::empty_map(Origin::Generated));
            (m, TemplateValues::new(tree))
        });
        (merged, engine.join())
    });
    let (mut merged, converted) = merged?;
    let env = match &req.env {
        Some(name) => Some(chart.environments.get(name)?),
        None => None,
    };
    let engine = match engine {
        Ok(engine) => engine?,
        Err(panic) => std::panic::resume_unwind(panic),
    };
    opts.layers = merged.layers.clone();
    let rendered = engine
        .render_values(env, &converted, &merged.subcharts, &opts)
        .map_err(tag)?;
    let mut warnings = std::mem::take(&mut merged.warnings);
    if opts.validate {
        let for_env = opts.for_env(env, dialect);
        let kube = crate::kube::Options {
            kube_version: for_env.kube_version.clone(),
            strict: opts.strict,
            api_versions: for_env.api_versions.clone(),
        };
        let found = crate::kube::validate_render(
            &engine,
            &chart,
            &rendered.documents,
            converted.tree(),
            &kube,
        )
        .map_err(tag)?;
        let found: Vec<Diagnostic> = match &req.env {
            Some(name) => found.into_iter().map(|d| d.in_env(name)).collect(),
            None => found,
        };
        // Invalid manifests are not printed.
        if found.iter().any(|d| d.severity == Severity::Error) {
            return Err(Error::Many(found));
        }
        warnings.extend(found);
    }
    warnings.extend(rendered.crds_note());
    // Values set for this render that no template read (typos, leftovers).
    if let Some(reads) = &rendered.reads {
        warnings.extend(values::unused_in_render(&chart, req, &merged, reads).map_err(tag)?);
    }
    let mut rendered = rendered;
    let reads = rendered.reads.take();
    let out = RenderOutput {
        rendered,
        warnings,
        chart_name: chart.name().to_string(),
        chart_dir: chart.dir.clone(),
        dialect,
    };
    std::mem::forget((chart, merged.values, engine, converted, reads));
    Ok(out)
}
