//! `strata create NAME`: write the scaffold chart, whole or not at all.

use strata_chart::{Error, Result};
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
    if target.exists() {
        return Err(Error::Usage(format!(
            "{shown} already exists; choose a new directory"
        )));
    }
    let parent = match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => std::path::PathBuf::from("."),
    };
    if !parent.is_dir() {
        return Err(Error::Usage(format!(
            "{}: no such directory to create {name} in",
            parent.display()
        )));
    }
    // Stage beside the target, then rename: a failure leaves nothing behind.
    let staging = parent.join(format!(".{name}.strata-new-{}", std::process::id()));
    let written = (|| -> Result<()> {
        for (path, text) in &files {
            let file = staging.join(path);
            if let Some(dir) = file.parent() {
                std::fs::create_dir_all(dir).map_err(|e| Error::io(dir.display(), e))?;
            }
            std::fs::write(&file, text).map_err(|e| Error::io(file.display(), e))?;
        }
        std::fs::rename(&staging, &target).map_err(|e| Error::io(&shown, e))
    })();
    if let Err(e) = written {
        let _ = std::fs::remove_dir_all(&staging);
        return Err(e);
    }
    Ok(Outcome {
        stdout: format!("created chart {name} in {shown}; try: strata render {shown} --env dev\n"),
        ..Outcome::default()
    })
}
