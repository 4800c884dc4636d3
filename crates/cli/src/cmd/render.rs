//! `strata render`: merged values through the chart's templates.

use std::path::Path;

use strata_chart::chart::Chart;

use strata_chart::value::{Node, Origin};
use strata_chart::values::{self, SetFlag};
use strata_chart::{Error, Result};
use strata_template::{allenvs, outdir, Document, Engine, RenderOptions, TemplateValues};

use crate::args::RenderCmd;
use crate::Outcome;

pub fn run(c: RenderCmd, sets: Vec<SetFlag>) -> Result<Outcome> {
    if c.all_envs {
        return all_envs(c, sets);
    }
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
        Some(dir) if c.check => {
            let plan = plan_dir(dir, &chart, &rendered.documents)?;
            let (text, stale) = check_report(dir, std::slice::from_ref(&plan));
            return Ok(Outcome {
                stdout: text,
                diagnostics: merged.warnings,
                fail: stale,
                ..Outcome::default()
            });
        }
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
    let plan = plan_dir(dir, chart, docs)?;
    Ok(outdir::apply(&plan)?
        .into_iter()
        .map(|l| l + "\n")
        .collect())
}

/// What writing `DIR/<chart>/…` would do, without doing it.
fn plan_dir(dir: &Path, chart: &Chart, docs: &[Document]) -> Result<outdir::Plan> {
    outdir::plan(
        &dir.join(chart.name()),
        outdir::files(chart.name(), docs),
        chart.dir.as_deref(),
    )
}

/// `render CHART… --all-envs --output-dir DIR [--check]`: every
/// environment of every chart, rendered in parallel by the library.
fn all_envs(c: RenderCmd, sets: Vec<SetFlag>) -> Result<Outcome> {
    let Some(dir) = &c.output_dir else {
        return Err(Error::Usage("--all-envs needs --output-dir DIR".into()));
    };
    let mut charts = vec![super::load_chart(&c.flags.chart)?];
    for p in &c.more_charts {
        charts.push(super::load_chart(p)?);
    }
    let what = allenvs::AllEnvs {
        request: super::request(&c.flags, sets)?,
        options: RenderOptions {
            release_name: c.release,
            namespace: c.namespace,
            kube_version: c.kube_version,
            api_versions: c.api_versions,
            ..RenderOptions::default()
        },
    };
    let plans = allenvs::plan(&charts, dir, &what)?;
    if c.check {
        let (stdout, stale) = check_report(dir, &plans.plans);
        return Ok(Outcome {
            stdout,
            diagnostics: plans.warnings,
            fail: stale,
            ..Outcome::default()
        });
    }
    let stdout = allenvs::apply(&plans)?
        .into_iter()
        .map(|l| l + "\n")
        .collect();
    Ok(Outcome {
        stdout,
        diagnostics: plans.warnings,
        ..Outcome::default()
    })
}

/// `--check`'s report, and whether `dir` is stale.
fn check_report(dir: &Path, plans: &[outdir::Plan]) -> (String, bool) {
    let stale = allenvs::stale(plans);
    let shown = dir.display();
    if stale.is_empty() {
        let n = allenvs::file_count(plans);
        return (
            format!(
                "{shown} is up to date: {n} file{}\n",
                if n == 1 { "" } else { "s" }
            ),
            false,
        );
    }
    let mut out = String::new();
    let (mut change, mut appear, mut go, mut kept) = (0, 0, 0, 0);
    for s in &stale {
        let what = match s.change {
            outdir::Change::Add => {
                appear += 1;
                format!("would appear (+{})", s.added)
            }
            outdir::Change::Update => {
                change += 1;
                format!("would change (+{} -{})", s.added, s.removed)
            }
            outdir::Change::Remove => {
                go += 1;
                format!("would go (-{})", s.removed)
            }
            outdir::Change::Keep | outdir::Change::Same => {
                kept += 1;
                "no template writes it, and it was edited since strata wrote it: remove it"
                    .to_string()
            }
        };
        out.push_str(&format!("stale: {} {what}\n", s.path.display()));
    }
    let mut parts = Vec::new();
    for (n, word) in [
        (change, "to change"),
        (appear, "to appear"),
        (go, "to go"),
        (kept, "edited by hand"),
    ] {
        if n > 0 {
            parts.push(format!("{n} {word}"));
        }
    }
    out.push_str(&format!(
        "{shown} is stale: {} file{} ({}); render again without --check to update it\n",
        stale.len(),
        if stale.len() == 1 { "" } else { "s" },
        parts.join(", ")
    ));
    (out, true)
}
