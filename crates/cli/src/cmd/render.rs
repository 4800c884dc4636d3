//! `strata render`: merged values through the chart's templates.

use std::path::{Path, PathBuf};

use strata_chart::values::SetFlag;
use strata_chart::{Error, Result};
use strata_template::{to_stream, Document, RenderOptions};

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
        layers: Vec::new(),
    };
    let out = strata_template::pipeline::render_once(chart, &req, opts)?;
    let rendered = out.rendered;
    // Without --output-dir the documents are printed as they are, not
    // joined into one string first (see `strata_template::write_stream`).
    let (mut stdout, documents) = match &c.output_dir {
        Some(dir) => (
            write_dir(dir, &out.chart_name, &rendered.documents)?,
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
