//! `strata render`: merged values through the chart's templates.

use std::path::Path;

use strata_chart::values::SetFlag;
use strata_chart::{Error, Result};
use strata_template::{allenvs, outdir, Document, RenderOptions};

use crate::args::RenderCmd;
use crate::Outcome;

pub fn run(c: RenderCmd, sets: Vec<SetFlag>) -> Result<Outcome> {
    if c.all_envs {
        return all_envs(c, sets);
    }
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
        Some(dir) if c.check => {
            let plan = plan_dir(
                dir,
                &out.chart_name,
                out.chart_dir.as_deref(),
                &rendered.documents,
            )?;
            let (text, stale) = check_report(dir, std::slice::from_ref(&plan));
            return Ok(Outcome {
                stdout: text,
                diagnostics: out.warnings,
                fail: stale,
                ..Outcome::default()
            });
        }
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
    let plan = plan_dir(dir, chart, chart_dir, docs)?;
    Ok(outdir::apply(&plan)?
        .into_iter()
        .map(|l| l + "\n")
        .collect())
}

/// What writing `DIR/<chart>/…` would do, without doing it.
fn plan_dir(
    dir: &Path,
    chart: &str,
    chart_dir: Option<&Path>,
    docs: &[Document],
) -> Result<outdir::Plan> {
    outdir::plan(&dir.join(chart), outdir::files(chart, docs), chart_dir)
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
