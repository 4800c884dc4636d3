//! `strata render`: merged values through the chart's templates.

use std::path::Path;

use strata_chart::values::SetFlag;
use strata_chart::Result;
use strata_template::{outdir, Document, RenderOptions};

use crate::args::RenderCmd;
use crate::Outcome;

pub fn run(c: RenderCmd, sets: Vec<SetFlag>) -> Result<Outcome> {
    let chart = super::load_chart(&c.flags.chart)?;
    let req = super::request(&c.flags, sets)?;
    let opts = RenderOptions {
        release_name: c.release,
        namespace: c.namespace,
        kube_version: c.kube_version,
        api_versions: c.api_versions,
        show_only: c.show_only,
        notes: c.notes,
        include_crds: c.include_crds,
        skip_tests: c.skip_tests,
        no_hooks: c.no_hooks,
        strict: c.strict,
        validate: c.validate,
        layers: Vec::new(),
    };
    let out = strata_template::pipeline::render_once(chart, &req, opts)?;
    let rendered = out.rendered;
    // Without --output-dir the documents are printed as they are, not
    // joined into one string first (see `strata_template::write_stream`).
    let (mut stdout, documents) = match &c.output_dir {
        Some(dir) => (
            write_dir(
                dir,
                &out.chart_name,
                out.chart_dir.as_deref(),
                &rendered.documents,
            )?,
            Vec::new(),
        ),
        None => (String::new(), rendered.documents),
    };
    if let Some(notes) = &rendered.notes {
        stdout.push_str(&format!(
            "---\n# Source: {}/templates/NOTES.txt\n",
            out.chart_name
        ));
        for line in notes.trim_end().lines() {
            if line.is_empty() {
                stdout.push_str("#\n");
            } else {
                stdout.push_str(&format!("# {line}\n"));
            }
        }
    }
    Ok(Outcome {
        documents,
        stdout,
        diagnostics: out.warnings,
        fail: false,
    })
}

/// Write `DIR/<chart>/…` through [`outdir`]: file by file, never touching
/// a file strata did not write. Returns the `wrote …` lines.
fn write_dir(
    dir: &Path,
    chart: &str,
    chart_dir: Option<&Path>,
    docs: &[Document],
) -> Result<String> {
    let root = dir.join(chart);
    let plan = outdir::plan(&root, outdir::files(chart, docs), chart_dir)?;
    Ok(outdir::apply(&plan)?
        .into_iter()
        .map(|l| l + "\n")
        .collect())
}
