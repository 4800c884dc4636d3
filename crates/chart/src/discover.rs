//! Which charts a list of paths names: chart directories, packaged charts,
//! or files inside charts (as pre-commit passes them), each chart once; with
//! no paths, the chart in the current directory or every chart below it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::chart::{looks_like_archive, read_archive_files, read_dir_files, CHART_FILE};
use crate::diag::{Error, Result};

/// One chart to lint, as the user will recognise it.
pub enum Target {
    /// A chart directory.
    Dir(PathBuf),
    /// A packaged chart.
    Archive(PathBuf),
}

impl Target {
    /// The path as the user will recognise it.
    pub fn path(&self) -> &Path {
        match self {
            Target::Dir(p) | Target::Archive(p) => p,
        }
    }
}

/// The charts `paths` name, each once (no paths: the current directory).
pub fn targets(paths: &[PathBuf]) -> Result<Vec<Target>> {
    Ok(if paths.is_empty() {
        discover(Path::new("."))?
    } else {
        let mut out: Vec<Target> = Vec::new();
        for p in paths {
            let found = match target_for(p) {
                Ok(t) => vec![t],
                // A directory of charts: every chart below it.
                Err(e) if p.is_dir() => discover(p).map_err(|_| e)?,
                Err(e) => return Err(e),
            };
            for t in found {
                if !out.iter().any(|o| same(o.path(), t.path())) {
                    out.push(t);
                }
            }
        }
        out
    })
}

fn same(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(x), Ok(y)) => x == y,
        _ => a == b,
    }
}

/// The chart a path names: a chart directory, a packaged chart, or the
/// nearest chart above a file or directory inside one.
fn target_for(p: &Path) -> Result<Target> {
    let meta = std::fs::metadata(p).map_err(|e| Error::io(p.display(), e))?;
    if meta.is_file() && looks_like_archive(p) {
        return Ok(Target::Archive(p.to_path_buf()));
    }
    let start = if meta.is_dir() {
        p.to_path_buf()
    } else {
        p.parent().map(Path::to_path_buf).unwrap_or_default()
    };
    let mut cur = start.clone();
    loop {
        let here = if cur.as_os_str().is_empty() {
            PathBuf::from(".")
        } else {
            cur.clone()
        };
        if here.join(CHART_FILE).is_file() {
            // A subchart below charts/ belongs to its parent chart.
            return Ok(Target::Dir(outermost(here)));
        }
        if cur.as_os_str().is_empty() || !cur.pop() {
            break;
        }
    }
    // Above the current directory: only absolute paths reach there.
    if let Ok(abs) = start.canonicalize() {
        if let Some(found) = abs.ancestors().find(|a| a.join(CHART_FILE).is_file()) {
            return Ok(Target::Dir(outermost(found.to_path_buf())));
        }
    }
    Err(Error::Usage(format!(
        "{} is not inside a chart: no {CHART_FILE} in it or above it",
        p.display()
    )))
}

/// `a/charts/b` (a subchart of `a`) → `a`.
fn outermost(dir: PathBuf) -> PathBuf {
    let mut best = dir.clone();
    let mut cur = dir;
    while cur.pop() {
        if cur.file_name().is_some_and(|n| n == "charts") {
            let mut parent = cur.clone();
            if parent.pop() {
                let chart = if parent.as_os_str().is_empty() {
                    PathBuf::from(".")
                } else {
                    parent.clone()
                };
                if chart.join(CHART_FILE).is_file() {
                    best = chart;
                }
            }
        }
    }
    best
}

/// No PATH: the chart in `dir`, or every chart below it.
fn discover(dir: &Path) -> Result<Vec<Target>> {
    if dir.join(CHART_FILE).is_file() {
        return Ok(vec![Target::Dir(dir.to_path_buf())]);
    }
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let rd = std::fs::read_dir(&d).map_err(|e| Error::io(d.display(), e))?;
        let mut subdirs = Vec::new();
        for entry in rd.flatten() {
            let name = entry.file_name();
            let name = name.to_string_lossy();
            if name.starts_with('.') || name == "target" || name == "node_modules" {
                continue;
            }
            if entry.file_type().is_ok_and(|t| t.is_dir()) {
                subdirs.push(entry.path());
            }
        }
        subdirs.sort();
        for s in subdirs.into_iter().rev() {
            if s.join(CHART_FILE).is_file() {
                out.push(s);
            } else {
                stack.push(s);
            }
        }
    }
    if out.is_empty() {
        return Err(Error::Usage(format!(
            "no chart here: no {CHART_FILE} in {} or below it",
            dir.display()
        )));
    }
    out.sort();
    Ok(out
        .into_iter()
        .map(|p| Target::Dir(p.strip_prefix(".").map(Path::to_path_buf).unwrap_or(p)))
        .collect())
}

/// The repository's environments.yaml the chart at `t` uses (a chart
/// directory only: an archive carries only its own files).
pub fn shared_for(
    t: &Target,
    files: &BTreeMap<String, Vec<u8>>,
) -> Result<Option<crate::env::SharedFile>> {
    match t {
        Target::Dir(p) => crate::env::SharedFile::for_chart_dir(p, files),
        Target::Archive(_) => Ok(None),
    }
}

/// The chart's files and the prefix that turns chart-relative paths into
/// paths as the user gave them.
pub fn read_target(t: &Target) -> Result<(BTreeMap<String, Vec<u8>>, String)> {
    match t {
        Target::Dir(p) => {
            let shown = p.display().to_string();
            let files = read_dir_files(p, &shown)?;
            let prefix = if p == Path::new(".") {
                String::new()
            } else {
                format!("{}/", shown.trim_end_matches('/'))
            };
            Ok((files, prefix))
        }
        Target::Archive(p) => {
            let shown = p.display().to_string();
            let (top, files) = read_archive_files(p, &shown)?;
            Ok((files, format!("{shown}:{top}/")))
        }
    }
}
