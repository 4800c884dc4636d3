//! Writing files whole or not at all (DESIGN §9): the one place strata
//! writes a file. Every writer — `--output-dir`, `promote`, `package`,
//! `schema init`, `create` — goes through [`write_atomic`].
//!
//! A file is written to a temporary file in the target's own directory
//! (created by the `tempfile` crate with an unpredictable name and removed
//! when anything fails, so a failed write leaves nothing behind), synced,
//! then renamed over the target. Where it replaces a file, the new file
//! keeps the old one's permissions and, when the process may, its owner.
//! A symbolic link is written through: its target is replaced and the link
//! stays. A file with several hard links is rewritten in place (renaming
//! would split the links): that write is not atomic, and says so in its
//! doc ([`Replace::InPlace`]).

use std::fs;
use std::io::{self, Write as _};
use std::path::{Component, Path, PathBuf};

use crate::diag::{Error, Result};

/// How a write replaced the existing file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Replace {
    /// There was no file: it was created (temporary file, then rename).
    Created,
    /// The file was replaced by a rename of a temporary file.
    Renamed,
    /// The file has other hard links: its content was rewritten in place so
    /// every link sees the new content (not atomic: a crash midway leaves a
    /// partial file).
    InPlace,
}

/// Write `bytes` to `path` atomically. `shown` names the file in errors.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<Replace> {
    write_atomic_checked(path, bytes, |_| Ok(()))
}

/// [`write_atomic`], calling `check` with the current bytes of the target
/// (`None` when it does not exist) just before the rename, so a caller can
/// refuse when the file changed since it read it.
pub(crate) fn write_atomic_checked(
    path: &Path,
    bytes: &[u8],
    check: impl FnOnce(Option<&[u8]>) -> Result<()>,
) -> Result<Replace> {
    let shown = path.display().to_string();
    // Write through a symbolic link to the file it names.
    let target = resolve_links(path).map_err(|e| Error::io(&shown, e))?;
    let dir = match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let old = match fs::metadata(&target) {
        Ok(m) => Some(m),
        Err(e) if e.kind() == io::ErrorKind::NotFound => None,
        Err(e) => return Err(Error::io(&shown, e)),
    };
    if let Some(m) = &old {
        if !m.is_file() {
            return Err(Error::io(
                &shown,
                io::Error::other("not a regular file; refusing to replace it"),
            ));
        }
    }
    if old.as_ref().is_some_and(hard_linked) {
        let current = fs::read(&target).map_err(|e| Error::io(&shown, e))?;
        check(Some(&current))?;
        let mut f = fs::OpenOptions::new()
            .write(true)
            .truncate(true)
            .open(&target)
            .map_err(|e| Error::io(&shown, e))?;
        f.write_all(bytes)
            .and_then(|()| f.sync_all())
            .map_err(|e| Error::io(&shown, e))?;
        return Ok(Replace::InPlace);
    }
    let mut tmp = tempfile::Builder::new()
        .prefix(".strata-")
        .suffix(".tmp")
        .tempfile_in(&dir)
        .map_err(|e| Error::io(&shown, e))?;
    tmp.write_all(bytes)
        .and_then(|()| keep_metadata(tmp.as_file(), old.as_ref()))
        .and_then(|()| tmp.as_file().sync_all())
        .map_err(|e| Error::io(&shown, e))?;
    if old.is_some() {
        let current = fs::read(&target).map_err(|e| Error::io(&shown, e))?;
        check(Some(&current))?;
    } else {
        check(None)?;
    }
    tmp.persist(&target)
        .map_err(|e| Error::io(&shown, e.error))?;
    Ok(if old.is_some() {
        Replace::Renamed
    } else {
        Replace::Created
    })
}

/// `path` with symbolic links at its end followed (at most 32).
fn resolve_links(path: &Path) -> io::Result<PathBuf> {
    let mut cur = path.to_path_buf();
    for _ in 0..32 {
        match fs::symlink_metadata(&cur) {
            Ok(m) if m.file_type().is_symlink() => {
                let link = fs::read_link(&cur)?;
                cur = match cur.parent() {
                    Some(p) if link.is_relative() => p.join(link),
                    _ => link,
                };
            }
            _ => return Ok(cur),
        }
    }
    Err(io::Error::other("too many levels of symbolic links"))
}

#[cfg(unix)]
fn hard_linked(m: &fs::Metadata) -> bool {
    use std::os::unix::fs::MetadataExt;
    m.nlink() > 1
}

#[cfg(not(unix))]
fn hard_linked(_: &fs::Metadata) -> bool {
    false
}

/// Give the new file the replaced file's permissions and (when allowed)
/// owner; a new file gets the usual 0644 less the umask.
fn keep_metadata(f: &fs::File, old: Option<&fs::Metadata>) -> io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::{MetadataExt, PermissionsExt};
        match old {
            Some(m) => {
                f.set_permissions(m.permissions())?;
                // Only root may give a file away; an ordinary user keeps
                // their own ownership (the same uid in the common case).
                let _ = std::os::unix::fs::fchown(f, Some(m.uid()), Some(m.gid()));
            }
            None => {
                // tempfile creates 0600; a new file is an ordinary one.
                let mask = umask_guess();
                f.set_permissions(fs::Permissions::from_mode(0o666 & !mask))?;
            }
        }
    }
    #[cfg(not(unix))]
    {
        if let Some(m) = old {
            f.set_permissions(m.permissions())?;
        }
    }
    Ok(())
}

/// The usual umask: reading the real one needs a libc call (and changes
/// it); files strata creates are 0644.
#[cfg(unix)]
fn umask_guess() -> u32 {
    0o022
}

/// Create the folder `target` holding `files` (relative paths and their
/// bytes), whole or not at all: the files are written into a temporary
/// folder beside it (an unpredictable name, removed on any failure), which
/// is then renamed to `target`. Refuses a `target` that exists.
pub fn create_tree(target: &Path, files: &[(String, Vec<u8>)]) -> Result<()> {
    let shown = target.display().to_string();
    let parent = match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    if fs::symlink_metadata(target).is_ok() {
        return Err(Error::Usage(format!(
            "{shown} already exists; choose a new directory"
        )));
    }
    let staging = tempfile::Builder::new()
        .prefix(".strata-new-")
        .tempdir_in(&parent)
        .map_err(|e| Error::io(parent.display(), e))?;
    for (rel, bytes) in files {
        if !stays_inside(Path::new(rel)) {
            return Err(Error::Usage(format!("{rel}: a path outside {shown}")));
        }
        let file = staging.path().join(rel);
        if let Some(dir) = file.parent() {
            fs::create_dir_all(dir).map_err(|e| Error::io(dir.display(), e))?;
        }
        write_atomic(&file, bytes)?;
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        // tempfile makes the folder 0700; a chart folder is an ordinary one.
        fs::set_permissions(staging.path(), fs::Permissions::from_mode(0o755))
            .map_err(|e| Error::io(&shown, e))?;
    }
    // Renaming onto an existing empty folder would succeed: check again.
    if fs::symlink_metadata(target).is_ok() {
        return Err(Error::Usage(format!(
            "{shown} already exists; choose a new directory"
        )));
    }
    let path = staging.keep();
    fs::rename(&path, target).map_err(|e| {
        let _ = fs::remove_dir_all(&path);
        Error::io(&shown, e)
    })
}

/// The most strata reads from one input given on the command line (`-f`,
/// `--set-file`, standard input): 64 MiB. Far above any real values file,
/// small enough that `-f /dev/zero` stops at once instead of exhausting
/// memory. (Chart files have Helm's own limits: 5 MiB a file, 100 MiB a
/// chart; see [`crate::archive::Limits`].)
pub(crate) const MAX_INPUT: u64 = 64 << 20;

/// Whether `e` is [`read_input`]'s "too large" error.
pub(crate) fn is_too_large(e: &io::Error) -> bool {
    e.kind() == io::ErrorKind::FileTooLarge
}

/// Read an input named on the command line: a file, or standard input for
/// `-`, at most [`MAX_INPUT`] bytes (more is an error of kind
/// `FileTooLarge`, see [`is_too_large`]). Devices and pipes are read like
/// files (`-f <(…)` works), bounded all the same.
pub(crate) fn read_input(path: &str) -> io::Result<Vec<u8>> {
    use std::io::Read as _;
    let mut buf = Vec::new();
    let read = if path == "-" {
        io::stdin().lock().take(MAX_INPUT + 1).read_to_end(&mut buf)
    } else {
        let f = fs::File::open(path)?;
        if f.metadata()?.is_dir() {
            return Err(io::Error::new(
                io::ErrorKind::IsADirectory,
                "is a directory, not a file",
            ));
        }
        f.take(MAX_INPUT + 1).read_to_end(&mut buf)
    };
    read?;
    if buf.len() as u64 > MAX_INPUT {
        return Err(io::Error::new(
            io::ErrorKind::FileTooLarge,
            format!(
                "larger than {} MiB, the limit for one input",
                MAX_INPUT >> 20
            ),
        ));
    }
    Ok(buf)
}

/// Whether the relative path `rel` stays inside the folder it is joined
/// to: no root, no prefix, no `..` that climbs above the start.
pub fn stays_inside(rel: &Path) -> bool {
    let mut depth: usize = 0;
    for c in rel.components() {
        match c {
            Component::Normal(_) => depth += 1,
            Component::CurDir => {}
            Component::ParentDir => match depth.checked_sub(1) {
                Some(d) => depth = d,
                None => return false,
            },
            Component::RootDir | Component::Prefix(_) => return false,
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::Code;

    #[test]
    fn writes_replaces_and_keeps_mode() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let p = dir.path().join("a.txt");
        assert_eq!(write_atomic(&p, b"one").ok(), Some(Replace::Created));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            fs::set_permissions(&p, fs::Permissions::from_mode(0o600)).unwrap_or_default();
            assert_eq!(write_atomic(&p, b"two").ok(), Some(Replace::Renamed));
            let mode = fs::metadata(&p).map(|m| m.permissions().mode() & 0o777);
            assert_eq!(mode.ok(), Some(0o600));
        }
        assert_eq!(fs::read(&p).ok(), Some(b"two".to_vec()));
        // No temporary file is left behind.
        let names: Vec<_> = fs::read_dir(dir.path())
            .map(|r| r.filter_map(|e| e.ok()).map(|e| e.file_name()).collect())
            .unwrap_or_default();
        assert_eq!(names.len(), 1, "{names:?}");
    }

    #[test]
    fn a_failed_check_leaves_the_file_and_no_temporary() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let p = dir.path().join("a.txt");
        fs::write(&p, "old").unwrap_or_default();
        let r = write_atomic_checked(&p, b"new", |_| Err(Error::msg(Code::Values, "changed")));
        assert!(r.is_err());
        assert_eq!(fs::read(&p).ok(), Some(b"old".to_vec()));
        let count = fs::read_dir(dir.path()).map(|r| r.count()).unwrap_or(0);
        assert_eq!(count, 1);
    }

    #[cfg(unix)]
    #[test]
    fn links_are_written_through() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let real = dir.path().join("real.yaml");
        let link = dir.path().join("link.yaml");
        let hard = dir.path().join("hard.yaml");
        fs::write(&real, "a").unwrap_or_default();
        std::os::unix::fs::symlink("real.yaml", &link).unwrap_or_default();
        write_atomic(&link, b"b").unwrap_or_else(|e| panic!("{e}"));
        assert!(fs::symlink_metadata(&link).is_ok_and(|m| m.file_type().is_symlink()));
        assert_eq!(fs::read(&real).ok(), Some(b"b".to_vec()));
        fs::hard_link(&real, &hard).unwrap_or_default();
        assert_eq!(write_atomic(&hard, b"c").ok(), Some(Replace::InPlace));
        assert_eq!(fs::read(&real).ok(), Some(b"c".to_vec()));
    }

    #[test]
    fn stays_inside_refuses_climbing_paths() {
        assert!(stays_inside(Path::new("environments/dev.yaml")));
        assert!(stays_inside(Path::new("a/../b")));
        assert!(!stays_inside(Path::new("../x")));
        assert!(!stays_inside(Path::new("environments/../../x")));
        assert!(!stays_inside(Path::new("/etc/passwd")));
    }
}
