//! `render CHART… --all-envs --output-dir DIR [--check]`: every environment
//! of every chart rendered into `DIR/<env>/<chart>/…`, charts and
//! environments in parallel, written through [`outdir`] (file by file,
//! pruning only files strata wrote); or, with `--check`, compared with what
//! is there without writing anything — the CI step that keeps committed
//! manifests honest.
//!
//! An environment a chart no longer has leaves `DIR/<env>/<chart>/`
//! behind: its recorded files are pruned like any file no template writes
//! (and `--check` reports them as going).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use strata_chart::chart::Chart;
use strata_chart::values::{self, Request};
use strata_chart::{Diagnostic, Error, Result};

use crate::outdir::{self, Change, Plan};
use crate::{Engine, RenderOptions};

/// What to render: the values flags every environment gets (`-f`,
/// `--set`…; its `env` is ignored) and the render options.
#[derive(Clone, Debug, Default)]
pub struct AllEnvs {
    /// `-f` files and `--set` flags, applied after each environment's chain.
    pub request: Request,
    /// Release name, namespace, Kubernetes version…
    pub options: RenderOptions,
}

/// The plans for every chart and environment, and the warnings of merging.
#[derive(Debug)]
pub struct Plans {
    /// One per chart and environment (and per environment a chart no
    /// longer has, with nothing to write), by `DIR/<env>/<chart>`.
    pub plans: Vec<Plan>,
    /// Merge warnings, each tagged with its environment.
    pub warnings: Vec<Diagnostic>,
    /// Roots of environments a chart no longer has.
    gone: Vec<PathBuf>,
}

/// Render every environment of every chart and compare the result with
/// `dir`, writing nothing. Every error of every chart and environment is
/// reported, not only the first.
pub fn plan(charts: &[Chart], dir: &Path, what: &AllEnvs) -> Result<Plans> {
    let mut names: BTreeMap<&str, &str> = BTreeMap::new();
    for c in charts {
        if let Some(other) = names.insert(c.name(), &c.source) {
            return Err(Error::Usage(format!(
                "{} and {other} are both charts named \"{}\": their files would go to the same {}/<env>/{} folder",
                c.source,
                c.name(),
                dir.display(),
                c.name()
            )));
        }
        if c.environments.list.is_empty() {
            return Err(Error::Usage(format!(
                "{}: the chart defines no environments; --all-envs renders each environment of each chart",
                c.source
            )));
        }
    }
    let per_chart: Vec<Result<Plans>> = charts
        .par_iter()
        .map(|chart| plan_chart(chart, dir, what))
        .collect();
    let mut out = Plans {
        plans: Vec::new(),
        warnings: Vec::new(),
        gone: Vec::new(),
    };
    let mut errors: Vec<Diagnostic> = Vec::new();
    let mut first_other: Option<Error> = None;
    for r in per_chart {
        match r {
            Ok(p) => {
                out.plans.extend(p.plans);
                out.warnings.extend(p.warnings);
                out.gone.extend(p.gone);
            }
            Err(e @ (Error::Invalid(_) | Error::Many(_))) => errors.extend(e.diagnostics()),
            Err(e) => {
                first_other.get_or_insert(e);
            }
        }
    }
    if let Some(e) = first_other {
        return Err(e);
    }
    if !errors.is_empty() {
        return Err(Error::Many(errors));
    }
    out.plans.sort_by(|a, b| a.root.cmp(&b.root));
    Ok(out)
}

/// One chart: its templates compiled once, its environments rendered in
/// parallel, each compared with `DIR/<env>/<chart>`.
fn plan_chart(chart: &Chart, dir: &Path, what: &AllEnvs) -> Result<Plans> {
    let engine = Engine::new(chart)?;
    let envs = chart.environments.ordered_names();
    let rendered: Vec<Result<(Plan, Vec<Diagnostic>)>> = envs
        .par_iter()
        .map(|env| {
            let tag = |e: Error| e.in_env(env);
            let req = Request {
                env: Some(env.clone()),
                ..what.request.clone()
            };
            let merged = values::merge(chart, &req)?;
            let environment = chart.environments.get(env)?;
            let out = engine
                .render(Some(environment), &merged.values, &what.options)
                .map_err(tag)?;
            let root = dir.join(env).join(chart.name());
            let plan = outdir::plan(
                &root,
                outdir::files(chart.name(), &out.documents),
                chart.dir.as_deref(),
            )?;
            Ok((plan, merged.warnings))
        })
        .collect();
    let mut plans = Vec::new();
    let mut warnings = Vec::new();
    let mut errors = Vec::new();
    for r in rendered {
        match r {
            Ok((p, w)) => {
                plans.push(p);
                warnings.extend(w);
            }
            Err(e @ (Error::Invalid(_) | Error::Many(_))) => errors.extend(e.diagnostics()),
            Err(e) => return Err(e),
        }
    }
    if !errors.is_empty() {
        return Err(Error::Many(errors));
    }
    // Environments the chart no longer has, that an earlier render wrote.
    let mut gone = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        let mut names: Vec<String> = entries
            .flatten()
            .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        for name in names {
            if envs.contains(&name) {
                continue;
            }
            let root = dir.join(&name).join(chart.name());
            if root.join(outdir::RECORD_FILE).is_file() {
                plans.push(outdir::plan(&root, Vec::new(), chart.dir.as_deref())?);
                gone.push(root);
            }
        }
    }
    Ok(Plans {
        plans,
        warnings,
        gone,
    })
}

/// Threads that write the plans' files: writing is bound by `fsync`, not
/// by the CPU, so more writers than cores keep the disk busy (404 files of
/// 4 environments took 3 s one after the other on a loaded machine).
const WRITERS: usize = 16;

/// Carry every plan out, the plans (distinct folders) side by side.
/// Returns one line per file, as `render --output-dir` prints them, in
/// plan order.
pub fn apply(plans: &Plans) -> Result<Vec<String>> {
    let one = |p: &Plan| -> Result<Vec<String>> {
        let gone = plans.gone.contains(&p.root);
        if gone && p.changes.is_empty() {
            // Nothing left to prune: tidy the record away.
            tidy(&p.root);
            return Ok(Vec::new());
        }
        let lines = outdir::apply(p)?;
        if gone {
            tidy(&p.root);
        }
        Ok(lines)
    };
    let results: Vec<Result<Vec<String>>> =
        match rayon::ThreadPoolBuilder::new().num_threads(WRITERS).build() {
            Ok(pool) => pool.install(|| plans.plans.par_iter().map(one).collect()),
            Err(_) => plans.plans.iter().map(one).collect(),
        };
    let mut lines = Vec::new();
    for r in results {
        lines.extend(r?);
    }
    Ok(lines)
}

/// Remove the record and folders of an environment that no longer
/// exists, when nothing else is left in them (a file edited since strata
/// wrote it keeps them).
fn tidy(root: &Path) {
    let only_record = std::fs::read_dir(root).is_ok_and(|entries| {
        entries
            .flatten()
            .all(|e| e.file_name() == std::ffi::OsStr::new(outdir::RECORD_FILE))
    });
    if only_record {
        let _ = std::fs::remove_file(root.join(outdir::RECORD_FILE));
        let _ = std::fs::remove_dir(root);
        if let Some(env_dir) = root.parent() {
            let _ = std::fs::remove_dir(env_dir);
        }
    }
}

/// One file `--check` finds stale.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stale {
    /// The file (`DIR/<env>/<chart>/templates/x.yaml`).
    pub path: PathBuf,
    /// What a render would do to it.
    pub change: Change,
    /// Lines a render would add.
    pub added: usize,
    /// Lines a render would remove.
    pub removed: usize,
}

/// Every file in `plans` that a render would change, add or remove (or,
/// for a file no template writes any more but edited by hand, leave
/// behind), with line counts; empty when the output is up to date.
pub fn stale(plans: &[Plan]) -> Vec<Stale> {
    let mut out = Vec::new();
    for p in plans {
        for (path, change) in &p.changes {
            if *change == Change::Same {
                continue;
            }
            let full = p.root.join(path);
            let old = std::fs::read(&full).unwrap_or_default();
            let new = p.new_bytes(path).unwrap_or_default();
            let (added, removed) = line_changes(&old, new);
            out.push(Stale {
                path: full,
                change: *change,
                added,
                removed,
            });
        }
    }
    out
}

/// Files rendered (or compared) in all.
pub fn file_count(plans: &[Plan]) -> usize {
    plans
        .iter()
        .flat_map(|p| &p.changes)
        .filter(|(_, c)| !matches!(c, Change::Remove | Change::Keep))
        .count()
}

/// Lines added and removed from `old` to `new`.
fn line_changes(old: &[u8], new: &[u8]) -> (usize, usize) {
    let old = String::from_utf8_lossy(old);
    let new = String::from_utf8_lossy(new);
    let diff = similar::TextDiff::from_lines(old.as_ref(), new.as_ref());
    let mut added = 0;
    let mut removed = 0;
    for op in diff.ops() {
        for change in diff.iter_changes(op) {
            match change.tag() {
                similar::ChangeTag::Insert => added += 1,
                similar::ChangeTag::Delete => removed += 1,
                similar::ChangeTag::Equal => {}
            }
        }
    }
    (added, removed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_changes_count_each_side() {
        assert_eq!(line_changes(b"a\nb\nc\n", b"a\nB\nc\nd\n"), (2, 1));
        assert_eq!(line_changes(b"", b"a\nb\n"), (2, 0));
        assert_eq!(line_changes(b"a\n", b""), (0, 1));
    }
}
