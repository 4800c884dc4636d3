//! `strata render`: merged values through the chart's templates.

use std::path::Path;

use strata_chart::chart::Chart;

use strata_chart::value::{Node, Origin};
use strata_chart::values::{self, SetFlag};
use strata_chart::Result;
use strata_template::{outdir, Document, Engine, RenderOptions, TemplateValues};

use crate::args::RenderCmd;
use crate::Outcome;

pub fn run(c: RenderCmd, sets: Vec<SetFlag>) -> Result<Outcome> {
    let mut chart = super::load_chart(&c.flags.chart)?;
    let req = super::request(&c.flags, sets)?;
    // Without subcharts, rendering reads only the merged values: the
    // chart's own values (megabytes for a large chart) move into the merge
    // instead of being copied.
    let own = (!Engine::reads_values_tree(&chart))
        .then(|| std::mem::replace(&mut chart.values, Node::empty_map(Origin::Generated)));
    // Compiling the templates and merging the values are independent: do
    // both at once. Errors come in the order they would one after the other.
    // The engine keeps the templates' text itself (nothing else reads it).
    let templates = Engine::take_templates(&mut chart);
    let (merged, engine) = std::thread::scope(|s| {
        let shared = &chart;
        let engine = s.spawn(move || Engine::with_templates(shared, Some(templates)));
        let merged = match own {
            Some(own) => values::merge_moving(&chart, own, &req),
            None => values::merge(&chart, &req),
        };
        let merged = merged.map(|mut m| {
            // The templates read the merged tree itself (not a copy).
            let tree = std::mem::replace(&mut m.values, Node::empty_map(Origin::Generated));
            (m, TemplateValues::new(tree))
        });
        (merged, engine.join())
    });
    let (merged, converted) = merged?;
    let env = match &c.flags.env {
        Some(name) => Some(chart.environments.get(name)?),
        None => None,
    };
    let engine = match engine {
        Ok(engine) => engine?,
        Err(panic) => std::panic::resume_unwind(panic),
    };
    let opts = RenderOptions {
        release_name: c.release,
        namespace: c.namespace,
        kube_version: c.kube_version,
        api_versions: c.api_versions,
        show_only: c.show_only,
        notes: c.notes,
    };
    let rendered = engine
        .render_values(&chart, env, &converted, &opts)
        .map_err(|e| match &c.flags.env {
            Some(name) => e.in_env(name),
            None => e,
        })?;
    // Without --output-dir the documents are printed as they are, not
    // joined into one string first (see `strata_template::write_stream`).
    let (mut stdout, documents) = match &c.output_dir {
        Some(dir) => (write_dir(dir, &chart, &rendered.documents)?, Vec::new()),
        None => (String::new(), rendered.documents),
    };
    if let Some(notes) = &rendered.notes {
        stdout.push_str(&format!(
            "---\n# Source: {}/templates/NOTES.txt\n",
            chart.name()
        ));
        for line in notes.trim_end().lines() {
            if line.is_empty() {
                stdout.push_str("#\n");
            } else {
                stdout.push_str(&format!("# {line}\n"));
            }
        }
    }
    // The process ends once this is printed: freeing the chart, the values
    // and the compiled templates one allocation at a time (with the
    // documents, ~2% of the instructions of rendering a chart of 1000 apps)
    // would only delay the output. The operating system takes the memory
    // back. (`main` leaves the documents the same way once printed.)
    std::mem::forget((chart, merged.values, engine, converted));
    Ok(Outcome {
        documents,
        stdout,
        diagnostics: merged.warnings,
        fail: false,
    })
}

/// Write `DIR/<chart>/…` through [`outdir`]: file by file, never touching
/// a file strata did not write. Returns the `wrote …` lines.
fn write_dir(dir: &Path, chart: &Chart, docs: &[Document]) -> Result<String> {
    let root = dir.join(chart.name());
    let plan = outdir::plan(
        &root,
        outdir::files(chart.name(), docs),
        chart.dir.as_deref(),
    )?;
    Ok(outdir::apply(&plan)?
        .into_iter()
        .map(|l| l + "\n")
        .collect())
}
