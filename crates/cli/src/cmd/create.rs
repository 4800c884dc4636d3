//! `strata create NAME`: write the scaffold chart, whole or not at all.

use strata_chart::{fsutil, Error, Result};
use strata_template::scaffold;

use crate::args::CreateCmd;
use crate::Outcome;

pub fn run(c: CreateCmd) -> Result<Outcome> {
    let target = c.name;
    let shown = target.display().to_string();
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let files = scaffold::scaffold(&name)?;
    let parent = match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => std::path::PathBuf::from("."),
    };
    if !target.exists() && !parent.is_dir() {
        return Err(Error::Usage(format!(
            "{}: no such directory to create {name} in",
            parent.display()
        )));
    }
    let files: Vec<(String, Vec<u8>)> = files
        .into_iter()
        .map(|(p, t)| (p.to_string(), t.into_bytes()))
        .collect();
    fsutil::create_tree(&target, &files)?;
    Ok(Outcome {
        stdout: format!("created chart {name} in {shown}; try: strata render {shown} --env dev\n"),
        ..Outcome::default()
    })
}
