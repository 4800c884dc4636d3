//! `strata render`: merged values through the chart's templates.

use std::path::{Path, PathBuf};

use strata_chart::value::{Node, Origin};
use strata_chart::values::{self, SetFlag};
use strata_chart::{Error, Result};
use strata_template::{to_stream, Document, Engine, RenderOptions, TemplateValues};

use crate::args::RenderCmd;
use crate::Outcome;

pub fn run(c: RenderCmd, sets: Vec<SetFlag>) -> Result<Outcome> {
    let mut chart = super::load_chart(&c.flags.chart)?;
    chart.environments.require(
        c.flags.env.as_deref(),
        "render",
        "choose one with --env ENV",
    )?;
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
    let (mut merged, converted) = merged?;
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
        include_crds: c.include_crds,
        skip_tests: c.skip_tests,
        no_hooks: c.no_hooks,
    };
    let rendered = engine
        .render_values(&chart, env, &converted, &opts)
        .map_err(|e| match &c.flags.env {
            Some(name) => e.in_env(name),
            None => e,
        })?;
    // Values set for this render that no template read (typos, leftovers).
    let mut diagnostics = std::mem::take(&mut merged.warnings);
    diagnostics.extend(rendered.crds_note());
    if let Some(reads) = &rendered.reads {
        diagnostics.extend(values::unused_in_render(&chart, &req, &merged, reads)?);
    }
    // Without --output-dir the documents are printed as they are, not
    // joined into one string first (see `strata_template::write_stream`).
    let (mut stdout, documents) = match &c.output_dir {
        Some(dir) => (
            write_dir(dir, chart.name(), &rendered.documents)?,
            Vec::new(),
        ),
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
    std::mem::forget((chart, merged.values, engine, converted, rendered.reads));
    Ok(Outcome {
        documents,
        stdout,
        diagnostics,
        fail: false,
    })
}

/// Write `DIR/<chart>/templates/<file>` for every template with output,
/// whole or not at all: everything goes to a staging directory beside the
/// target first, which then replaces `DIR/<chart>` by renames. Returns the
/// `wrote …` lines.
fn write_dir(dir: &Path, chart: &str, docs: &[Document]) -> Result<String> {
    let mut files: Vec<(String, String)> = Vec::new();
    for d in docs {
        let text = to_stream(std::slice::from_ref(d));
        match files.iter_mut().find(|(s, _)| *s == d.source) {
            Some((_, t)) => t.push_str(&text),
            None => files.push((d.source.clone(), text)),
        }
    }
    files.sort();
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir.display(), e))?;
    let pid = std::process::id();
    let staging = dir.join(format!(".{chart}.strata-new-{pid}"));
    let result = stage(&staging, chart, &files).and_then(|()| swap(dir, chart, &staging, pid));
    if result.is_err() {
        let _ = std::fs::remove_dir_all(&staging);
    }
    result?;
    Ok(files
        .iter()
        .map(|(source, _)| format!("wrote {}\n", dir.join(source).display()))
        .collect())
}

fn stage(staging: &Path, chart: &str, files: &[(String, String)]) -> Result<()> {
    let _ = std::fs::remove_dir_all(staging);
    for (source, text) in files {
        let rel = source.strip_prefix(&format!("{chart}/")).unwrap_or(source);
        let path = staging.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| Error::io(parent.display(), e))?;
        }
        std::fs::write(&path, text).map_err(|e| Error::io(path.display(), e))?;
    }
    Ok(())
}

fn swap(dir: &Path, chart: &str, staging: &Path, pid: u32) -> Result<()> {
    let target: PathBuf = dir.join(chart);
    let old = dir.join(format!(".{chart}.strata-old-{pid}"));
    let had_old = target.exists();
    if had_old {
        std::fs::rename(&target, &old).map_err(|e| Error::io(target.display(), e))?;
    }
    if let Err(e) = std::fs::rename(staging, &target) {
        if had_old {
            let _ = std::fs::rename(&old, &target);
        }
        return Err(Error::io(target.display(), e));
    }
    if had_old {
        let _ = std::fs::remove_dir_all(&old);
    }
    Ok(())
}
