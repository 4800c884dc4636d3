//! `render --output-dir DIR`: rendered documents as files under
//! `DIR/<chart>/`, one per template, written so that nothing strata did not
//! write is ever removed or replaced (DESIGN §9).
//!
//! - Each file is written whole or not at all ([`fsutil::write_atomic`]);
//!   there is no staging folder to leave behind, and `DIR/<chart>` exists
//!   throughout.
//! - `DIR/<chart>/.strata-output.json` records the files strata wrote there
//!   and the sha256 of each. A later render prunes a recorded file whose
//!   template no longer has output — only while it still holds what strata
//!   wrote (a file edited since is kept, and reported).
//! - A file strata did not record is never replaced: the render is refused
//!   (exit 2), naming it. So is an output folder that is, or holds, a
//!   chart's sources (`DIR/<chart>/Chart.yaml`, or the rendered chart's own
//!   folder, or a folder above it).
//! - The record is written before the files (listing the old and the new
//!   content of each) and again after them, so a run killed midway still
//!   leaves every file it wrote recorded.
//!
//! [`plan`] compares without writing (what `--check` needs: which files
//! would change, appear or go); [`apply`] carries a plan out. Both take the
//! folder a chart's files go to, so `--all-envs` can use `DIR/<env>`.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use sha2::{Digest, Sha256};
use strata_chart::fsutil;
use strata_chart::{Error, Result};

use crate::output::{to_stream, Document};

/// The record of what strata wrote, in `DIR/<chart>/`.
pub(crate) const RECORD_FILE: &str = ".strata-output.json";
/// The record format's version (its `strata-output` key).
const RECORD_VERSION: u64 = 1;

/// One file to write: its path under `DIR/<chart>/` and its bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutFile {
    /// `templates/deployment.yaml`, `charts/db/templates/x.yaml`.
    pub path: String,
    /// The documents of that template.
    pub bytes: Vec<u8>,
}

/// What happens to one file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Change {
    /// A new file.
    Add,
    /// A recorded file whose content changes.
    Update,
    /// A recorded file already holding these bytes.
    Same,
    /// A recorded file no template writes any more: removed.
    Remove,
    /// A recorded file no template writes any more, edited since strata
    /// wrote it: kept.
    Keep,
}

/// The comparison of rendered files with a chart's output folder.
#[derive(Clone, Debug)]
pub struct Plan {
    /// `DIR/<chart>`.
    pub root: PathBuf,
    /// Every file and what happens to it, by path under `root`.
    pub changes: Vec<(String, Change)>,
    files: BTreeMap<String, Vec<u8>>,
    /// Recorded hashes of the files before this render.
    recorded: BTreeMap<String, Vec<String>>,
}

impl Plan {
    /// The bytes the render writes to `path` (relative to `root`), if it
    /// writes that file.
    pub(crate) fn new_bytes(&self, path: &str) -> Option<&[u8]> {
        self.files.get(path).map(Vec::as_slice)
    }
}

/// The files `docs` of chart `chart` make: one per template, its documents
/// as a stream, paths relative to `DIR/<chart>/`.
pub fn files(chart: &str, docs: &[Document]) -> Vec<OutFile> {
    let mut by: BTreeMap<String, String> = BTreeMap::new();
    let prefix = format!("{chart}/");
    for d in docs {
        let rel = d.source.strip_prefix(&prefix).unwrap_or(&d.source);
        by.entry(rel.to_string())
            .or_default()
            .push_str(&to_stream(std::slice::from_ref(d)));
    }
    by.into_iter()
        .map(|(path, text)| OutFile {
            path,
            bytes: text.into_bytes(),
        })
        .collect()
}

/// Compare `files` with `root` (`DIR/<chart>`) without writing anything.
/// `sources` is the rendered chart's own folder, when it has one: an
/// output folder that is it, or holds it, is refused.
pub fn plan(root: &Path, files: Vec<OutFile>, sources: Option<&Path>) -> Result<Plan> {
    let shown = root.display().to_string();
    refuse_sources(root, sources)?;
    let recorded = read_record(root)?;
    let mut map = BTreeMap::new();
    let mut changes = Vec::new();
    for f in files {
        if !fsutil::stays_inside(Path::new(&f.path)) || f.path == RECORD_FILE {
            return Err(Error::Usage(format!(
                "{}: not a path strata writes under {shown}",
                f.path
            )));
        }
        let path = root.join(&f.path);
        let current = read_existing(&path)?;
        let change = match (&current, recorded.get(&f.path)) {
            (None, _) => Change::Add,
            (Some(cur), Some(_)) if *cur == f.bytes => Change::Same,
            (Some(_), Some(_)) => Change::Update,
            (Some(_), None) => {
                return Err(Error::Usage(format!(
                    "{}: the file exists and strata did not write it (it is not in {}); \
                     refusing to replace it: move it away or choose another --output-dir",
                    path.display(),
                    root.join(RECORD_FILE).display()
                )))
            }
        };
        changes.push((f.path.clone(), change));
        map.insert(f.path, f.bytes);
    }
    for (path, hashes) in &recorded {
        if map.contains_key(path) {
            continue;
        }
        // A record edited by hand cannot make strata remove files
        // elsewhere.
        if !fsutil::stays_inside(Path::new(path)) || path == RECORD_FILE {
            continue;
        }
        match read_existing(&root.join(path))? {
            None => {}
            Some(cur) if hashes.contains(&sha256_hex(&cur)) => {
                changes.push((path.clone(), Change::Remove));
            }
            Some(_) => changes.push((path.clone(), Change::Keep)),
        }
    }
    changes.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(Plan {
        root: root.to_path_buf(),
        changes,
        files: map,
        recorded,
    })
}

/// Carry `plan` out: the record of old and new content first, then each
/// changed file atomically, then the pruned files, then the final record.
/// Returns what was done, one line per file (`wrote …`, `removed …`,
/// `kept …`).
pub fn apply(plan: &Plan) -> Result<Vec<String>> {
    let root = &plan.root;
    fs::create_dir_all(root).map_err(|e| Error::io(root.display(), e))?;
    // A run killed after this point has every file it may write recorded.
    let mut intent = plan.recorded.clone();
    for (path, bytes) in &plan.files {
        intent
            .entry(path.clone())
            .or_default()
            .push(sha256_hex(bytes));
    }
    write_record(root, &intent)?;
    // Files are written side by side (each write waits on `fsync`, not on
    // the CPU), then pruned one by one: a removal may take a folder away
    // that pruning left empty, which must not race with a write into it.
    let written: Vec<Result<Option<String>>> = plan
        .changes
        .par_iter()
        .map(|(path, change)| {
            let full = root.join(path);
            match change {
                Change::Add | Change::Update => {
                    inside_root(root, &full)?;
                    if let Some(parent) = full.parent() {
                        fs::create_dir_all(parent).map_err(|e| Error::io(parent.display(), e))?;
                    }
                    let bytes = plan.files.get(path).map_or(&[][..], Vec::as_slice);
                    fsutil::write_atomic(&full, bytes)?;
                    Ok(Some(format!("wrote {}", full.display())))
                }
                _ => Ok(None),
            }
        })
        .collect();
    let mut lines = Vec::new();
    for ((path, change), w) in plan.changes.iter().zip(written) {
        let full = root.join(path);
        if let Some(line) = w? {
            lines.push(line);
            continue;
        }
        match change {
            Change::Add | Change::Update => {}
            Change::Same => lines.push(format!("wrote {} (unchanged)", full.display())),
            Change::Remove => {
                inside_root(root, &full)?;
                match fs::remove_file(&full) {
                    Ok(()) => {}
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                    Err(e) => return Err(Error::io(full.display(), e)),
                }
                remove_empty_parents(root, &full);
                lines.push(format!("removed {}", full.display()));
            }
            Change::Keep => lines.push(format!(
                "kept {} (no template writes it now, but it was edited since strata wrote it)",
                full.display()
            )),
        }
    }
    let mut last: BTreeMap<String, Vec<String>> = plan
        .files
        .iter()
        .map(|(p, b)| (p.clone(), vec![sha256_hex(b)]))
        .collect();
    // Kept files stay recorded (with the content strata wrote), so a later
    // render still knows them as its own if they are restored.
    for (path, change) in &plan.changes {
        if *change == Change::Keep {
            if let Some(h) = plan.recorded.get(path) {
                last.insert(path.clone(), h.clone());
            }
        }
    }
    write_record(root, &last)?;
    Ok(lines)
}

/// Refuse an output folder that is or holds chart sources.
fn refuse_sources(root: &Path, sources: Option<&Path>) -> Result<()> {
    let shown = root.display();
    if root.join(strata_chart::chart::CHART_FILE).exists() {
        return Err(Error::Usage(format!(
            "{shown} holds a chart's sources ({}): refusing to write rendered files there; choose another --output-dir",
            strata_chart::chart::CHART_FILE
        )));
    }
    let Some(src) = sources.and_then(|s| s.canonicalize().ok()) else {
        return Ok(());
    };
    // The nearest existing folder of the output root, resolved.
    let mut probe = root.to_path_buf();
    let mut rest = Vec::new();
    let existing = loop {
        if let Ok(c) = probe.canonicalize() {
            break c;
        }
        match (probe.file_name().map(ToOwned::to_owned), probe.parent()) {
            (Some(name), Some(parent)) => {
                rest.push(name);
                probe = if parent.as_os_str().is_empty() {
                    PathBuf::from(".")
                } else {
                    parent.to_path_buf()
                };
            }
            _ => return Ok(()),
        }
    };
    let mut out = existing;
    for name in rest.into_iter().rev() {
        out.push(name);
    }
    if src.starts_with(&out) {
        return Err(Error::Usage(format!(
            "{shown} is or holds the chart being rendered ({}): refusing to write rendered files over its sources; choose another --output-dir",
            src.display()
        )));
    }
    Ok(())
}

/// A path's bytes, `None` when it does not exist; a folder or other
/// non-file there is an error.
fn read_existing(path: &Path) -> Result<Option<Vec<u8>>> {
    match fs::symlink_metadata(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(Error::io(path.display(), e)),
        Ok(m) if m.is_file() => fs::read(path)
            .map(Some)
            .map_err(|e| Error::io(path.display(), e)),
        Ok(_) => Err(Error::Usage(format!(
            "{}: exists and is not a regular file; refusing to replace it",
            path.display()
        ))),
    }
}

/// Refuse a path whose folder resolves (through links) outside `root`.
fn inside_root(root: &Path, full: &Path) -> Result<()> {
    let (Ok(r), Some(parent)) = (root.canonicalize(), full.parent()) else {
        return Ok(());
    };
    // The deepest existing ancestor of the file's folder.
    let mut p = parent.to_path_buf();
    loop {
        if let Ok(c) = p.canonicalize() {
            if c.starts_with(&r) {
                return Ok(());
            }
            return Err(Error::Usage(format!(
                "{}: its folder leads outside {} (a link?); refusing to write there",
                full.display(),
                root.display()
            )));
        }
        if !p.pop() {
            return Ok(());
        }
    }
}

/// Remove the folders between `file` and `root` that pruning left empty.
fn remove_empty_parents(root: &Path, file: &Path) {
    let mut p = file.to_path_buf();
    while p.pop() && p != root && p.starts_with(root) {
        if fs::remove_dir(&p).is_err() {
            break;
        }
    }
}

fn read_record(root: &Path) -> Result<BTreeMap<String, Vec<String>>> {
    let path = root.join(RECORD_FILE);
    let Some(bytes) = read_existing(&path)? else {
        return Ok(BTreeMap::new());
    };
    let bad = || {
        Error::Usage(format!(
            "{}: not a record strata wrote (unreadable JSON); remove it to start afresh",
            path.display()
        ))
    };
    let json: serde_json::Value = serde_json::from_slice(&bytes).map_err(|_| bad())?;
    if json
        .get("strata-output")
        .and_then(serde_json::Value::as_u64)
        != Some(RECORD_VERSION)
    {
        return Err(bad());
    }
    let mut out = BTreeMap::new();
    if let Some(files) = json.get("files").and_then(|f| f.as_object()) {
        for (k, v) in files {
            let hashes = match v {
                serde_json::Value::String(s) => vec![s.clone()],
                serde_json::Value::Array(a) => a
                    .iter()
                    .filter_map(|h| h.as_str().map(str::to_string))
                    .collect(),
                _ => return Err(bad()),
            };
            out.insert(k.clone(), hashes);
        }
    }
    Ok(out)
}

fn write_record(root: &Path, files: &BTreeMap<String, Vec<String>>) -> Result<()> {
    let map: serde_json::Map<String, serde_json::Value> = files
        .iter()
        .map(|(k, v)| {
            let v = match v.as_slice() {
                [one] => serde_json::Value::from(one.clone()),
                many => serde_json::Value::from(many.to_vec()),
            };
            (k.clone(), v)
        })
        .collect();
    let json = serde_json::json!({
        "strata-output": RECORD_VERSION,
        "comment": "files strata render --output-dir wrote here (sha256); strata removes only these",
        "files": map,
    });
    let mut text = serde_json::to_string_pretty(&json).unwrap_or_default();
    text.push('\n');
    fsutil::write_atomic(&root.join(RECORD_FILE), text.as_bytes()).map(|_| ())
}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(path: &str, text: &str) -> OutFile {
        OutFile {
            path: path.into(),
            bytes: text.as_bytes().to_vec(),
        }
    }

    fn tmp() -> tempfile::TempDir {
        tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn writes_records_and_prunes_only_its_own_files() {
        let dir = tmp();
        let root = dir.path().join("svc");
        let p = plan(
            &root,
            vec![f("templates/a.yaml", "a"), f("templates/b.yaml", "b")],
            None,
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(p.changes.len(), 2);
        apply(&p).unwrap_or_else(|e| panic!("{e}"));
        fs::write(root.join("kustomization.yaml"), "k").unwrap_or_default();
        let p =
            plan(&root, vec![f("templates/a.yaml", "a2")], None).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            p.changes,
            vec![
                ("templates/a.yaml".to_string(), Change::Update),
                ("templates/b.yaml".to_string(), Change::Remove)
            ]
        );
        apply(&p).unwrap_or_else(|e| panic!("{e}"));
        assert!(!root.join("templates/b.yaml").exists());
        assert_eq!(
            fs::read_to_string(root.join("kustomization.yaml"))
                .ok()
                .as_deref(),
            Some("k")
        );
        // The user's file is never replaced.
        let e = plan(&root, vec![f("kustomization.yaml", "x")], None);
        assert!(e.is_err());
    }

    #[test]
    fn refuses_the_charts_own_folder() {
        let dir = tmp();
        let chart = dir.path().join("svc");
        fs::create_dir_all(&chart).unwrap_or_default();
        fs::write(chart.join("Chart.yaml"), "name: svc").unwrap_or_default();
        assert!(plan(&chart, vec![], Some(&chart)).is_err());
        assert!(plan(dir.path(), vec![], Some(&chart)).is_err());
    }

    #[test]
    fn an_edited_file_is_kept_when_pruning() {
        let dir = tmp();
        let root = dir.path().join("svc");
        apply(
            &plan(&root, vec![f("templates/a.yaml", "a")], None).unwrap_or_else(|e| panic!("{e}")),
        )
        .unwrap_or_else(|e| panic!("{e}"));
        fs::write(root.join("templates/a.yaml"), "edited").unwrap_or_default();
        let p = plan(&root, vec![], None).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            p.changes,
            vec![("templates/a.yaml".to_string(), Change::Keep)]
        );
    }
}
