//! Chart archives (`<name>-<version>.tgz`) and chart directories, as pure
//! functions over in-memory file lists.
//!
//! # Layout
//! An archive holds `<top>/<path>` for every chart file, where `<top>` is the
//! chart's name, exactly as `helm package` lays it out, so Helm reads ours and
//! we read Helm's.
//!
//! # Writing is reproducible
//! [`write_archive`] gives the same bytes for the same files whatever their
//! order, mtimes, owners or modes on disk:
//! - entries sorted by path (byte order), one regular-file entry per file and
//!   no directory entries: Helm writes none either, and its loader skips them;
//! - every file mode `0644`: Helm writes `0644` for every file and ignores the
//!   mode when loading, so an executable bit could not survive a Helm round
//!   trip anyway; [`ChartFile`] therefore carries no mode;
//! - mtime 0 (the Unix epoch) on every entry, uid/gid 0, user and group names
//!   empty; USTAR headers, with a PAX `path` record (as Go's writer, and so
//!   Helm, does) only for paths too long for USTAR's name/prefix fields;
//! - gzip header without file name, comment or extra field, mtime 0, OS byte
//!   255 ("unknown", what Go's `compress/gzip` writes); deflate level 6. The
//!   compressed bytes depend on the deflate implementation (miniz_oxide,
//!   pinned by Cargo.lock), not on the machine.
//!
//! # Reading is safe
//! [`read_archive`] streams the gzip/tar data once and refuses, naming the
//! entry: absolute paths (`/x`, `C:/x`), any `..` component, symlinks, hard
//! links, devices, FIFOs, sparse and unknown entry types; a file over
//! [`Limits::max_file`] or a total of file contents over
//! [`Limits::max_total`] (Helm's 5 MiB and 100 MiB by default). Sizes are
//! checked from the header before reading and again while reading through
//! `Read::take`, so nothing is expanded beyond the limits and a gzip bomb is
//! refused after a few kilobytes of input. The decompressed tar stream as a
//! whole (headers, padding, skipped data) is capped at twice `max_total` plus
//! 1 MiB, and PAX/GNU metadata records at 1 MiB each, which bounds the work
//! too. Everything must sit under exactly one top-level directory, which is
//! stripped and returned. Like Helm, a UTF-8 byte-order mark at the start of
//! a file is dropped and `\` in entry names is read as `/` (archives made on
//! Windows). Unlike Helm, which keeps going, we refuse duplicate entries and
//! `..` even when it would stay inside the chart.
//!
//! # Chart directories
//! [`read_dir_files`] walks a chart directory like Helm's `LoadDir`: sorted,
//! `.helmignore` rules (plus Helm's implicit `templates/.?*`) tested on the
//! chart-relative `/` path of every directory and file, ignored directories
//! not descended into. Helm follows every symlink, even out of the chart; we
//! follow only those that resolve inside the chart root and refuse the others
//! (a package must not pick up files from elsewhere on the machine), and
//! refuse links that loop back to a directory being walked (Helm would
//! recurse forever). A link is tested against the rules by its own path, with
//! the type of its target; an ignored link is never followed, so it may point
//! anywhere or nowhere. Sockets, FIFOs and devices are refused, as in Helm, but
//! only when not ignored. Nothing else is skipped implicitly: `.helmignore`
//! itself is packaged unless a rule ignores it.

use std::collections::HashSet;
use std::fs;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

use flate2::read::MultiGzDecoder;
use flate2::{Compression, GzBuilder};
use tar::{EntryType, Header};

use crate::helmignore::{HelmIgnore, HelmIgnoreError, HELMIGNORE_FILE};

const MIB: u64 = 1024 * 1024;

/// Mode written for every file entry (Helm's).
pub(crate) const FILE_MODE: u32 = 0o644;

/// mtime written for every entry and in the gzip header: the Unix epoch.
pub(crate) const FIXED_MTIME: u64 = 0;

/// Largest PAX or GNU long-name record we read; real ones are a few hundred
/// bytes.
const MAX_METADATA: u64 = MIB;

/// A file of a chart: its path relative to the chart root and its content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChartFile {
    /// `/`-separated, relative to the chart root, no `.`/`..`/empty parts.
    pub path: String,
    pub data: Vec<u8>,
}

impl ChartFile {
    pub fn new(path: impl Into<String>, data: impl Into<Vec<u8>>) -> Self {
        Self {
            path: path.into(),
            data: data.into(),
        }
    }
}

/// Size limits applied while reading a chart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Total bytes of all file contents.
    pub max_total: u64,
    /// Bytes of any one file.
    pub max_file: u64,
}

impl Limits {
    /// Helm's `MaxDecompressedChartSize` (100 MiB) and
    /// `MaxDecompressedFileSize` (5 MiB).
    pub const HELM: Limits = Limits {
        max_total: 100 * MIB,
        max_file: 5 * MIB,
    };

    fn stream_cap(&self) -> u64 {
        self.max_total.saturating_mul(2).saturating_add(MIB)
    }
}

impl Default for Limits {
    fn default() -> Self {
        Self::HELM
    }
}

/// Why an archive or chart directory could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum ArchiveError {
    #[error("archive is not a valid gzip-compressed tar: {detail}")]
    Corrupt { detail: String },
    #[error("archive entry {entry:?} has an absolute path")]
    AbsolutePath { entry: String },
    #[error("archive entry {entry:?} escapes the chart")]
    Escapes { entry: String },
    #[error("archive entry {entry:?} is a {kind}; links are not allowed in a chart")]
    Link { entry: String, kind: &'static str },
    #[error("archive entry {entry:?} is {kind}; only regular files and directories are allowed")]
    SpecialEntry { entry: String, kind: String },
    #[error("archive entry {entry:?} has an invalid name: {reason}")]
    InvalidName { entry: String, reason: &'static str },
    #[error("archive entry {entry:?} is larger than the {} limit", size(*.limit))]
    FileTooLarge { entry: String, limit: u64 },
    #[error("archive expands to more than the {} limit (at entry {entry:?})", size(*.limit))]
    TotalTooLarge { entry: String, limit: u64 },
    #[error("archive's tar stream is larger than {} (too much metadata or padding)", size(*.limit))]
    StreamTooLarge { limit: u64 },
    #[error(
        "archive entry {entry:?}: {kind} record of {bytes} bytes is larger than the {} allowed",
        size(MAX_METADATA)
    )]
    MetadataTooLarge {
        entry: String,
        kind: &'static str,
        bytes: u64,
    },
    #[error("archive entry {entry:?} is not inside a top-level directory")]
    NoTopDir { entry: String },
    #[error("archive holds more than one top-level directory ({first:?} and {second:?}); a chart archive holds exactly one")]
    MultipleTopDirs { first: String, second: String },
    #[error("archive entry {entry:?} appears more than once")]
    Duplicate { entry: String },
    #[error("archive entry {entry:?} is both a file and a directory")]
    FileDirConflict { entry: String },
    #[error("archive holds no files")]
    Empty,
    #[error("chart file path {path:?} is invalid: {reason}")]
    InvalidChartPath { path: String, reason: &'static str },
    #[error("chart file {path:?} is given more than once")]
    DuplicateChartPath { path: String },
    #[error("chart file {path:?} is also used as a directory")]
    ChartPathConflict { path: String },
    #[error("archive top-level directory {name:?} is invalid: {reason}")]
    InvalidTopDir { name: String, reason: &'static str },
    #[error("writing the archive failed: {detail}")]
    Write { detail: String },
    #[error("{}: {detail}", .path.display())]
    Io { path: PathBuf, detail: String },
    #[error("{}: {source}", .path.display())]
    HelmIgnore {
        path: PathBuf,
        source: HelmIgnoreError,
    },
    #[error("{}: file name is not valid UTF-8", .path.display())]
    NonUtf8Name { path: PathBuf },
    #[error("chart file {path:?} is a symlink to {}, outside the chart", .target.display())]
    SymlinkEscapes { path: String, target: PathBuf },
    #[error("chart directory {path:?} is a symlink back to a directory that contains it")]
    SymlinkLoop { path: String },
    #[error("chart file {path:?} is a {kind}; only regular files and directories can be packaged")]
    Irregular { path: String, kind: &'static str },
    #[error("chart file {path:?} is larger than the {} limit", size(*.limit))]
    ChartFileTooLarge { path: String, limit: u64 },
    #[error("chart is larger than the {} limit (at file {path:?})", size(*.limit))]
    ChartTooLarge { path: String, limit: u64 },
}

/// "5 MiB" for whole mebibytes, "N bytes" otherwise.
fn size(bytes: u64) -> String {
    if bytes >= MIB && bytes.is_multiple_of(MIB) {
        format!("{} MiB", bytes / MIB)
    } else {
        format!("{bytes} bytes")
    }
}

fn corrupt(err: impl std::fmt::Display) -> ArchiveError {
    ArchiveError::Corrupt {
        detail: err.to_string(),
    }
}

// ---------------------------------------------------------------------------
// Reading archives

/// Counts decompressed bytes and fails once more than `remaining` are asked
/// for, so no archive makes us inflate without bound.
struct CappedReader<R> {
    inner: R,
    remaining: u64,
    exceeded: bool,
}

impl<R: Read> Read for CappedReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.remaining == 0 {
            // Distinguish "the stream really ends here" from "we stop here".
            let mut probe = [0u8; 1];
            if self.inner.read(&mut probe)? == 0 {
                return Ok(0);
            }
            self.exceeded = true;
            return Err(io::Error::other("decompressed tar stream too large"));
        }
        let want = buf
            .len()
            .min(usize::try_from(self.remaining).unwrap_or(usize::MAX));
        let n = self.inner.read(&mut buf[..want])?;
        self.remaining -= n as u64;
        Ok(n)
    }
}

/// Reads a chart archive: returns the top-level directory's name and the
/// files under it (paths relative to it), sorted by path. See the module
/// documentation for what is refused.
pub fn read_archive<R: Read>(
    reader: R,
    limits: &Limits,
) -> Result<(String, Vec<ChartFile>), ArchiveError> {
    let mut capped = CappedReader {
        inner: MultiGzDecoder::new(reader),
        remaining: limits.stream_cap(),
        exceeded: false,
    };
    let mut tracked = Tracked {
        inner: &mut capped,
        total: 0,
        last: [0; 512],
    };
    let result = read_entries(&mut tracked, limits).and_then(|ok| {
        // The tar stream must end with its end-of-archive block (a tar
        // cut at an entry boundary otherwise reads as a shorter chart)...
        if !tracked.total.is_multiple_of(512)
            || tracked.total == 0
            || tracked.last.iter().any(|b| *b != 0)
        {
            return Err(corrupt(
                "the tar stream ends without its end-of-archive block (truncated?)",
            ));
        }
        // ...and the gzip stream must end whole: reading to its end checks
        // the trailer (CRC-32 and size), as Helm's reader does.
        io::copy(&mut tracked, &mut io::sink())
            .map_err(|e| corrupt(format!("the gzip stream is truncated or corrupt: {e}")))?;
        Ok(ok)
    });
    match result {
        Err(ArchiveError::Corrupt { .. }) if capped.exceeded => Err(ArchiveError::StreamTooLarge {
            limit: limits.stream_cap(),
        }),
        other => other,
    }
}

/// A reader that counts what passed through it and keeps the last 512
/// bytes (to see whether the tar reader stopped at a zero block).
struct Tracked<'a, R> {
    inner: &'a mut R,
    total: u64,
    last: [u8; 512],
}

impl<R: Read> Read for Tracked<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        let got = &buf[..n];
        if n >= 512 {
            self.last.copy_from_slice(&got[n - 512..]);
        } else {
            self.last.copy_within(n.., 0);
            self.last[512 - n..].copy_from_slice(got);
        }
        self.total += n as u64;
        Ok(n)
    }
}

/// What an entry name says once normalised.
struct EntryName {
    /// As found in the archive, for messages.
    raw: String,
    top: String,
    /// Path under `top`, `/`-joined; empty for the top directory itself.
    rest: String,
}

/// `C:` and the like, which Windows reads as a drive.
fn is_drive(part: &str) -> bool {
    let b = part.as_bytes();
    b.len() >= 2 && b[0].is_ascii_alphabetic() && b[1] == b':'
}

fn parse_entry_name(raw: String) -> Result<Option<EntryName>, ArchiveError> {
    let normalized = raw.replace('\\', "/");
    if normalized.starts_with('/') {
        return Err(ArchiveError::AbsolutePath { entry: raw });
    }
    let parts: Vec<&str> = normalized
        .split('/')
        .filter(|p| !p.is_empty() && *p != ".")
        .collect();
    if parts.contains(&"..") {
        return Err(ArchiveError::Escapes { entry: raw });
    }
    let Some((top, rest)) = parts.split_first() else {
        // "./" or similar: the archive's own root, nothing to record.
        return Ok(None);
    };
    // Helm refuses a drive letter at the start of the path under the top
    // directory; we refuse it there and as the top directory itself.
    if is_drive(top) || rest.first().is_some_and(|p| is_drive(p)) {
        return Err(ArchiveError::AbsolutePath { entry: raw });
    }
    Ok(Some(EntryName {
        top: (*top).to_owned(),
        rest: rest.join("/"),
        raw,
    }))
}

fn read_metadata<R: Read>(
    entry: &mut tar::Entry<'_, R>,
    kind: &'static str,
) -> Result<Vec<u8>, ArchiveError> {
    let size = entry.size();
    if size > MAX_METADATA {
        return Err(ArchiveError::MetadataTooLarge {
            entry: String::from_utf8_lossy(&entry.header().path_bytes()).into_owned(),
            kind,
            bytes: size,
        });
    }
    let mut data = Vec::new();
    entry
        .take(MAX_METADATA)
        .read_to_end(&mut data)
        .map_err(corrupt)?;
    Ok(data)
}

fn special_kind(kind: EntryType, typeflag: u8) -> Option<String> {
    let name = match kind {
        EntryType::Char => "a character device",
        EntryType::Block => "a block device",
        EntryType::Fifo => "a FIFO",
        EntryType::GNUSparse => "a sparse file",
        EntryType::Regular
        | EntryType::Continuous
        | EntryType::Directory
        | EntryType::Link
        | EntryType::Symlink => return None,
        _ => {
            return Some(format!(
                "an entry of unsupported type {:?}",
                char::from(typeflag)
            ))
        }
    };
    Some(name.to_owned())
}

fn read_entries<R: Read>(
    reader: R,
    limits: &Limits,
) -> Result<(String, Vec<ChartFile>), ArchiveError> {
    let mut archive = tar::Archive::new(reader);
    // Raw: we handle PAX and GNU long-name records ourselves so that their
    // size is bounded (the tar crate would read them whole).
    let entries = archive.entries().map_err(corrupt)?.raw(true);

    let mut top: Option<String> = None;
    let mut files: Vec<ChartFile> = Vec::new();
    let mut raw_names: Vec<String> = Vec::new();
    let mut dirs: HashSet<String> = HashSet::new();
    let mut total: u64 = 0;
    let mut long_name: Option<Vec<u8>> = None;
    let mut pax_size: Option<u64> = None;

    for entry in entries {
        let mut entry = entry.map_err(corrupt)?;
        let typeflag = entry.header().as_bytes()[156];
        let kind = entry.header().entry_type();
        match kind {
            EntryType::XGlobalHeader => {
                // `git archive` writes one (the commit id); nothing we use.
                read_metadata(&mut entry, "PAX global header")?;
                continue;
            }
            EntryType::XHeader => {
                let data = read_metadata(&mut entry, "PAX header")?;
                for record in tar::PaxExtensions::new(&data) {
                    let record = record.map_err(corrupt)?;
                    match record.key_bytes() {
                        b"path" => long_name = Some(record.value_bytes().to_vec()),
                        b"size" => {
                            let value = record
                                .value()
                                .ok()
                                .and_then(|v| v.parse::<u64>().ok())
                                .ok_or_else(|| corrupt("invalid PAX size record"))?;
                            pax_size = Some(value);
                        }
                        _ => {}
                    }
                }
                continue;
            }
            EntryType::GNULongName => {
                let mut data = read_metadata(&mut entry, "GNU long name")?;
                while data.last() == Some(&0) {
                    data.pop();
                }
                long_name = Some(data);
                continue;
            }
            EntryType::GNULongLink => {
                // Describes a link target; the link itself is refused below.
                read_metadata(&mut entry, "GNU long link name")?;
                continue;
            }
            _ => {}
        }

        let name_bytes = long_name
            .take()
            .unwrap_or_else(|| entry.header().path_bytes().into_owned());
        let declared_pax_size = pax_size.take();
        let raw = String::from_utf8(name_bytes).map_err(|e| ArchiveError::InvalidName {
            entry: String::from_utf8_lossy(e.as_bytes()).into_owned(),
            reason: "not valid UTF-8",
        })?;
        // Go (hence Helm) reads an old-style '\0' entry named "x/" as a
        // directory.
        let is_dir = kind == EntryType::Directory || (typeflag == 0 && raw.ends_with('/'));
        let Some(name) = parse_entry_name(raw)? else {
            if is_dir {
                continue;
            }
            return Err(ArchiveError::InvalidName {
                entry: String::from_utf8_lossy(&entry.header().path_bytes()).into_owned(),
                reason: "empty path",
            });
        };

        match kind {
            EntryType::Symlink => {
                return Err(ArchiveError::Link {
                    entry: name.raw,
                    kind: "symbolic link",
                })
            }
            EntryType::Link => {
                return Err(ArchiveError::Link {
                    entry: name.raw,
                    kind: "hard link",
                })
            }
            _ => {}
        }
        if let Some(kind) = special_kind(kind, typeflag) {
            return Err(ArchiveError::SpecialEntry {
                entry: name.raw,
                kind,
            });
        }

        if !is_dir && name.rest.is_empty() {
            return Err(ArchiveError::NoTopDir { entry: name.raw });
        }
        match &top {
            None => top = Some(name.top.clone()),
            Some(first) if *first != name.top => {
                return Err(ArchiveError::MultipleTopDirs {
                    first: first.clone(),
                    second: name.top,
                });
            }
            Some(_) => {}
        }

        if is_dir {
            if !name.rest.is_empty() {
                dirs.insert(name.rest);
            }
            continue;
        }

        let size = entry.size();
        if let Some(declared) = declared_pax_size {
            if declared != size {
                return Err(corrupt(format!(
                    "entry {:?}: PAX size {declared} disagrees with header size {size}",
                    name.raw
                )));
            }
        }
        if size > limits.max_file {
            return Err(ArchiveError::FileTooLarge {
                entry: name.raw,
                limit: limits.max_file,
            });
        }
        let remaining = limits.max_total.saturating_sub(total);
        if size > remaining {
            return Err(ArchiveError::TotalTooLarge {
                entry: name.raw,
                limit: limits.max_total,
            });
        }
        let cap = limits.max_file.min(remaining);
        let mut data = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
        (&mut entry)
            .take(cap.saturating_add(1))
            .read_to_end(&mut data)
            .map_err(corrupt)?;
        let got = data.len() as u64;
        if got > limits.max_file {
            return Err(ArchiveError::FileTooLarge {
                entry: name.raw,
                limit: limits.max_file,
            });
        }
        if got > remaining {
            return Err(ArchiveError::TotalTooLarge {
                entry: name.raw,
                limit: limits.max_total,
            });
        }
        if got < size {
            return Err(corrupt(format!("entry {:?} is truncated", name.raw)));
        }
        total += got;
        strip_bom(&mut data);
        files.push(ChartFile {
            path: name.rest,
            data,
        });
        raw_names.push(name.raw);
    }

    let Some(top) = top else {
        return Err(ArchiveError::Empty);
    };
    if files.is_empty() {
        return Err(ArchiveError::Empty);
    }

    let mut seen: HashSet<&str> = HashSet::with_capacity(files.len());
    for (file, raw) in files.iter().zip(&raw_names) {
        if !seen.insert(file.path.as_str()) {
            return Err(ArchiveError::Duplicate { entry: raw.clone() });
        }
        if dirs.contains(&file.path) {
            return Err(ArchiveError::FileDirConflict { entry: raw.clone() });
        }
    }
    for (file, raw) in files.iter().zip(&raw_names) {
        if parents(&file.path).any(|p| seen.contains(p)) {
            return Err(ArchiveError::FileDirConflict { entry: raw.clone() });
        }
    }
    drop(seen);
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok((top, files))
}

/// Proper ancestors of a `/` path: "a/b/c" gives "a", "a/b".
fn parents(path: &str) -> impl Iterator<Item = &str> {
    path.match_indices('/').map(move |(i, _)| &path[..i])
}

/// Drop a leading UTF-8 byte order mark (Helm's loader does).
pub(crate) fn strip_bom(data: &mut Vec<u8>) {
    if data.starts_with(crate::yaml::BOM) {
        data.drain(..crate::yaml::BOM.len());
    }
}

// ---------------------------------------------------------------------------
// Writing archives

fn check_component(part: &str) -> Result<(), &'static str> {
    match part {
        "" => Err("empty path component"),
        "." | ".." => Err("`.` and `..` components are not allowed"),
        _ if part.contains('\\') => Err("`\\` is not allowed (Helm reads it as a separator)"),
        _ if part.contains('\0') => Err("NUL is not allowed"),
        _ => Ok(()),
    }
}

fn check_chart_path(path: &str) -> Result<(), ArchiveError> {
    let invalid = |reason| ArchiveError::InvalidChartPath {
        path: path.to_owned(),
        reason,
    };
    if path.is_empty() {
        return Err(invalid("empty path"));
    }
    if path.starts_with('/') {
        return Err(invalid("absolute path"));
    }
    if is_drive(path) {
        return Err(invalid("drive-letter path"));
    }
    path.split('/')
        .try_for_each(check_component)
        .map_err(invalid)
}

/// Length-prefixed PAX record: "<len> <key>=<value>\n", len counting itself.
fn pax_record(key: &str, value: &[u8]) -> Vec<u8> {
    let base = key.len() + value.len() + 3;
    let mut len = base + 1;
    while base + len.to_string().len() != len {
        len = base + len.to_string().len();
    }
    let mut out = format!("{len} {key}=").into_bytes();
    out.extend_from_slice(value);
    out.push(b'\n');
    out
}

fn base_header(entry_type: EntryType, size: u64) -> Header {
    let mut header = Header::new_ustar();
    header.set_entry_type(entry_type);
    header.set_size(size);
    header.set_mode(FILE_MODE);
    header.set_uid(0);
    header.set_gid(0);
    header.set_mtime(FIXED_MTIME);
    header
}

fn append_file<W: Write>(builder: &mut tar::Builder<W>, name: &str, data: &[u8]) -> io::Result<()> {
    let mut header = base_header(EntryType::Regular, data.len() as u64);
    if header.set_path(name).is_err() {
        // Too long for USTAR: a PAX record carries the real path, as Go does.
        let record = pax_record("path", name.as_bytes());
        let mut pax = base_header(EntryType::XHeader, record.len() as u64);
        pax.set_path("././@PaxHeader")?;
        pax.set_cksum();
        builder.append(&pax, record.as_slice())?;
        header = base_header(EntryType::Regular, data.len() as u64);
        let mut cut = name.len().min(100);
        while !name.is_char_boundary(cut) {
            cut -= 1;
        }
        header.as_old_mut().name[..cut].copy_from_slice(&name.as_bytes()[..cut]);
    }
    header.set_cksum();
    builder.append(&header, data)
}

/// Builds the `.tgz` bytes of a chart: every file under `top/`, sorted,
/// normalised as described in the module documentation.
pub fn write_archive(top: &str, files: &[ChartFile]) -> Result<Vec<u8>, ArchiveError> {
    if top.contains('/') {
        return Err(ArchiveError::InvalidTopDir {
            name: top.to_owned(),
            reason: "contains `/`",
        });
    }
    check_component(top).map_err(|reason| ArchiveError::InvalidTopDir {
        name: top.to_owned(),
        reason,
    })?;
    let mut sorted: Vec<&ChartFile> = files.iter().collect();
    sorted.sort_by(|a, b| a.path.cmp(&b.path));
    let mut paths: HashSet<&str> = HashSet::with_capacity(sorted.len());
    for file in &sorted {
        check_chart_path(&file.path)?;
        if !paths.insert(file.path.as_str()) {
            return Err(ArchiveError::DuplicateChartPath {
                path: file.path.clone(),
            });
        }
    }
    for file in &sorted {
        if let Some(parent) = parents(&file.path).find(|p| paths.contains(p)) {
            return Err(ArchiveError::ChartPathConflict {
                path: parent.to_owned(),
            });
        }
    }

    let write_err = |e: io::Error| ArchiveError::Write {
        detail: e.to_string(),
    };
    let gz = GzBuilder::new()
        .mtime(0)
        .operating_system(255)
        .write(Vec::new(), Compression::new(6));
    let mut builder = tar::Builder::new(gz);
    for file in sorted {
        append_file(&mut builder, &format!("{top}/{}", file.path), &file.data)
            .map_err(write_err)?;
    }
    let gz = builder.into_inner().map_err(write_err)?;
    gz.finish().map_err(write_err)
}

// ---------------------------------------------------------------------------
// Reading chart directories

/// Reads a chart directory with Helm's limits; see `read_dir_files_with_limits`.
pub fn read_dir_files(root: &Path, ignore: &HelmIgnore) -> Result<Vec<ChartFile>, ArchiveError> {
    read_dir_files_with_limits(root, ignore, &Limits::default())
}

/// Reads the chart directory `root` with its own `.helmignore` (if any), as
/// `helm package` does.
pub(crate) fn read_chart_dir(root: &Path, limits: &Limits) -> Result<Vec<ChartFile>, ArchiveError> {
    let ignore = load_helmignore(root, limits)?;
    read_dir_files_with_limits(root, &ignore, limits)
}

/// Parses `root/.helmignore`, or gives no rules when there is none.
pub(crate) fn load_helmignore(root: &Path, limits: &Limits) -> Result<HelmIgnore, ArchiveError> {
    let path = root.join(HELMIGNORE_FILE);
    let io_err = |e: io::Error| ArchiveError::Io {
        path: path.clone(),
        detail: e.to_string(),
    };
    let file = match fs::File::open(&path) {
        Ok(file) => file,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(HelmIgnore::empty()),
        Err(e) => return Err(io_err(e)),
    };
    let mut data = Vec::new();
    file.take(limits.max_file.saturating_add(1))
        .read_to_end(&mut data)
        .map_err(io_err)?;
    if data.len() as u64 > limits.max_file {
        return Err(ArchiveError::ChartFileTooLarge {
            path: HELMIGNORE_FILE.to_owned(),
            limit: limits.max_file,
        });
    }
    let text = String::from_utf8(data).map_err(|_| ArchiveError::Io {
        path: path.clone(),
        detail: "not valid UTF-8".to_owned(),
    })?;
    HelmIgnore::parse(&text).map_err(|source| ArchiveError::HelmIgnore {
        path: path.clone(),
        source,
    })
}

/// Walks the chart directory `root`: every file not ignored by `ignore` (to
/// which Helm's implicit `templates/.?*` is appended), paths relative to
/// `root`, sorted. See the module documentation for symlinks and limits.
pub(crate) fn read_dir_files_with_limits(
    root: &Path,
    ignore: &HelmIgnore,
    limits: &Limits,
) -> Result<Vec<ChartFile>, ArchiveError> {
    let real_root = fs::canonicalize(root).map_err(|e| ArchiveError::Io {
        path: root.to_path_buf(),
        detail: e.to_string(),
    })?;
    if !real_root.is_dir() {
        return Err(ArchiveError::Io {
            path: root.to_path_buf(),
            detail: "not a directory".to_owned(),
        });
    }
    let mut walker = Walker {
        rules: ignore.clone().with_defaults(),
        limits: *limits,
        total: 0,
        pending: Vec::new(),
        stack: vec![real_root.clone()],
        root: real_root.clone(),
    };
    walker.walk(&real_root, "")?;
    let mut files = walker.read_all()?;
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(files)
}

/// Files to read before the walk is done with: from this many, they are
/// read on rayon's threads (thread start-up costs more than a few reads).
const PARALLEL_READS: usize = 64;

/// A file the walk found: read after the walk, in parallel when many.
struct Pending {
    real: PathBuf,
    rel: String,
    /// Its size when found.
    len: u64,
    /// At most this many bytes are read (the limits allow one less).
    cap: u64,
}

struct Walker {
    root: PathBuf,
    rules: HelmIgnore,
    limits: Limits,
    /// The sum of the sizes `stat` gave for the files found so far.
    total: u64,
    pending: Vec<Pending>,
    /// Real paths of the directories being walked, root first.
    stack: Vec<PathBuf>,
}

fn io_at(path: &Path) -> impl Fn(io::Error) -> ArchiveError + '_ {
    move |e| ArchiveError::Io {
        path: path.to_path_buf(),
        detail: e.to_string(),
    }
}

#[cfg(unix)]
fn irregular_kind(file_type: &fs::FileType) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    if file_type.is_fifo() {
        "FIFO"
    } else if file_type.is_socket() {
        "socket"
    } else if file_type.is_char_device() {
        "character device"
    } else if file_type.is_block_device() {
        "block device"
    } else {
        "special file"
    }
}

#[cfg(not(unix))]
fn irregular_kind(_: &fs::FileType) -> &'static str {
    "special file"
}

impl Walker {
    fn walk(&mut self, dir: &Path, rel: &str) -> Result<(), ArchiveError> {
        let mut names = Vec::new();
        for entry in fs::read_dir(dir).map_err(io_at(dir))? {
            let entry = entry.map_err(io_at(dir))?;
            let name = entry
                .file_name()
                .into_string()
                .map_err(|_| ArchiveError::NonUtf8Name { path: entry.path() })?;
            names.push(name);
        }
        names.sort();

        for name in names {
            let child_rel = if rel.is_empty() {
                name.clone()
            } else {
                format!("{rel}/{name}")
            };
            let path = dir.join(&name);
            let link_meta = fs::symlink_metadata(&path).map_err(io_at(&path))?;
            let is_link = link_meta.file_type().is_symlink();
            // Rules are tested on the link's own path, with the type of
            // what it points to, before anything else: an ignored link is
            // never followed, wherever it points.
            let (meta, real) = if is_link {
                let target = match fs::canonicalize(&path) {
                    Ok(target) => target,
                    Err(_) if self.rules.is_ignored(&child_rel, false) => continue,
                    Err(e) => return Err(io_at(&path)(e)),
                };
                let meta = fs::metadata(&target).map_err(io_at(&target))?;
                if self.rules.is_ignored(&child_rel, meta.is_dir()) {
                    continue;
                }
                if !target.starts_with(&self.root) {
                    return Err(ArchiveError::SymlinkEscapes {
                        path: child_rel,
                        target,
                    });
                }
                (meta, target)
            } else {
                (link_meta, path)
            };

            if meta.is_dir() {
                if self.rules.is_ignored(&child_rel, true) {
                    continue;
                }
                if self.stack.contains(&real) {
                    return Err(ArchiveError::SymlinkLoop { path: child_rel });
                }
                self.stack.push(real.clone());
                self.walk(&real, &child_rel)?;
                self.stack.pop();
                continue;
            }

            if self.rules.is_ignored(&child_rel, false) {
                continue;
            }
            if !meta.is_file() {
                return Err(ArchiveError::Irregular {
                    path: child_rel,
                    kind: irregular_kind(&meta.file_type()),
                });
            }
            self.read_file(&real, child_rel, meta.len())?;
        }
        Ok(())
    }

    /// Check a file's size from `stat` against the limits, and note it to
    /// be read.
    fn read_file(&mut self, real: &Path, rel: String, len: u64) -> Result<(), ArchiveError> {
        let max_file = self.limits.max_file;
        let remaining = self.limits.max_total.saturating_sub(self.total);
        if len > max_file {
            return Err(ArchiveError::ChartFileTooLarge {
                path: rel,
                limit: max_file,
            });
        }
        if len > remaining {
            return Err(ArchiveError::ChartTooLarge {
                path: rel,
                limit: self.limits.max_total,
            });
        }
        self.total += len;
        // The file may grow after stat: read no more than the limits allow.
        self.pending.push(Pending {
            real: real.to_path_buf(),
            rel,
            len,
            cap: max_file.min(remaining).saturating_add(1),
        });
        Ok(())
    }

    /// Read every file found, then check the sizes actually read against
    /// the limits in walk order (so the error is the one a sequential read
    /// would give, whatever the threads did).
    fn read_all(self) -> Result<Vec<ChartFile>, ArchiveError> {
        let read = |p: &Pending| -> Result<Vec<u8>, ArchiveError> {
            let file = fs::File::open(&p.real).map_err(io_at(&p.real))?;
            let mut data = Vec::with_capacity(usize::try_from(p.len).unwrap_or(0));
            file.take(p.cap)
                .read_to_end(&mut data)
                .map_err(io_at(&p.real))?;
            Ok(data)
        };
        let datas: Vec<Result<Vec<u8>, ArchiveError>> = if self.pending.len() >= PARALLEL_READS {
            use rayon::prelude::*;
            self.pending.par_iter().map(read).collect()
        } else {
            self.pending.iter().map(read).collect()
        };
        let (max_file, max_total) = (self.limits.max_file, self.limits.max_total);
        let mut total = 0u64;
        let mut files = Vec::with_capacity(self.pending.len());
        for (p, data) in self.pending.into_iter().zip(datas) {
            let mut data = data?;
            let got = data.len() as u64;
            if got > max_file {
                return Err(ArchiveError::ChartFileTooLarge {
                    path: p.rel,
                    limit: max_file,
                });
            }
            total += got;
            if total > max_total {
                return Err(ArchiveError::ChartTooLarge {
                    path: p.rel,
                    limit: max_total,
                });
            }
            strip_bom(&mut data);
            files.push(ChartFile { path: p.rel, data });
        }
        Ok(files)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, Instant};

    fn files() -> Vec<ChartFile> {
        vec![
            ChartFile::new("Chart.yaml", "apiVersion: v2\nname: demo\nversion: 1.2.3\n"),
            ChartFile::new("values.yaml", "replicas: 1\n"),
            ChartFile::new("templates/deployment.yaml", "kind: Deployment\n"),
            ChartFile::new("templates/_helpers.tpl", "{{/* x */}}\n"),
            ChartFile::new("files/blob.bin", (0..=255u8).collect::<Vec<u8>>()),
            ChartFile::new("charts/sub/Chart.yaml", "name: sub\n"),
            ChartFile::new("empty.txt", ""),
            // Needs the USTAR prefix field.
            ChartFile::new(
                format!("{}/{}.yaml", "d".repeat(90), "f".repeat(60)),
                "long\n",
            ),
            // Too long even for prefix+name: needs a PAX path record.
            ChartFile::new(format!("{}.yaml", "x".repeat(300)), "longer\n"),
        ]
    }

    fn sorted(mut files: Vec<ChartFile>) -> Vec<ChartFile> {
        files.sort_by(|a, b| a.path.cmp(&b.path));
        files
    }

    fn gunzip(bytes: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        MultiGzDecoder::new(bytes)
            .read_to_end(&mut out)
            .expect("valid gzip");
        out
    }

    fn gzip(data: &[u8]) -> Vec<u8> {
        let mut enc = GzBuilder::new().write(Vec::new(), Compression::fast());
        enc.write_all(data).expect("in memory");
        enc.finish().expect("in memory")
    }

    /// A raw tar header with any name and type, bypassing the tar crate's
    /// path checks, as an attacker would write it.
    fn raw_header(name: &[u8], kind: EntryType, size: u64) -> Header {
        let mut h = Header::new_gnu();
        h.as_old_mut().name[..name.len()].copy_from_slice(name);
        h.set_entry_type(kind);
        h.set_size(size);
        h.set_mode(0o644);
        h.set_mtime(0);
        h.set_cksum();
        h
    }

    /// Stands for the old-style '\0' typeflag, which `EntryType` cannot
    /// express (it reads it as Regular and writes '0').
    const OLD_REGULAR: EntryType = EntryType::GNULongLink;

    /// (name, type, data) entries, tar end marker, gzipped.
    fn evil(entries: &[(&[u8], EntryType, &[u8])]) -> Vec<u8> {
        let mut b = tar::Builder::new(Vec::new());
        for (name, kind, data) in entries {
            let mut h = raw_header(name, *kind, data.len() as u64);
            if *kind == OLD_REGULAR {
                h.as_mut_bytes()[156] = 0;
                h.set_cksum();
            }
            b.append(&h, *data).expect("in memory");
        }
        gzip(&b.into_inner().expect("in memory"))
    }

    fn read(bytes: &[u8]) -> Result<(String, Vec<ChartFile>), ArchiveError> {
        read_archive(bytes, &Limits::default())
    }

    fn err(bytes: &[u8]) -> String {
        read(bytes).expect_err("must be refused").to_string()
    }

    #[test]
    fn round_trip() {
        let bytes = write_archive("demo", &files()).expect("writes");
        let (top, back) = read(&bytes).expect("reads");
        assert_eq!(top, "demo");
        assert_eq!(back, sorted(files()));
    }

    #[test]
    fn same_bytes_whatever_the_order() {
        let a = write_archive("demo", &files()).expect("writes");
        let mut reversed = files();
        reversed.reverse();
        let b = write_archive("demo", &reversed).expect("writes");
        assert_eq!(a, b);
        let mut rotated = files();
        rotated.rotate_left(4);
        assert_eq!(a, write_archive("demo", &rotated).expect("writes"));
    }

    #[test]
    fn fixed_gzip_header() {
        let bytes = write_archive("demo", &files()).expect("writes");
        // magic, deflate, no flags (no name/comment/extra), mtime 0,
        // XFL 0 (level 6), OS 255.
        assert_eq!(&bytes[..10], &[0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 255]);
    }

    #[test]
    fn normalised_tar_headers_like_helm() {
        let bytes = write_archive("demo", &files()).expect("writes");
        let tar_bytes = gunzip(&bytes);
        let mut archive = tar::Archive::new(tar_bytes.as_slice());
        let mut names = Vec::new();
        for entry in archive.entries().expect("tar") {
            let entry = entry.expect("entry");
            let h = entry.header();
            assert_eq!(h.entry_type(), EntryType::Regular, "no directory entries");
            assert_eq!(h.mode().expect("mode"), 0o644);
            assert_eq!(h.uid().expect("uid"), 0);
            assert_eq!(h.gid().expect("gid"), 0);
            assert_eq!(h.mtime().expect("mtime"), 0);
            assert_eq!(h.username_bytes(), Some(&b""[..]));
            assert_eq!(h.groupname_bytes(), Some(&b""[..]));
            names.push(String::from_utf8(entry.path_bytes().into_owned()).expect("utf8"));
        }
        let expected: Vec<String> = sorted(files())
            .iter()
            .map(|f| format!("demo/{}", f.path))
            .collect();
        assert_eq!(names, expected);
        // Ends with the two zero blocks and nothing more.
        assert!(tar_bytes.len().is_multiple_of(512));
        assert!(tar_bytes[tar_bytes.len() - 1024..].iter().all(|&b| b == 0));
    }

    #[test]
    fn write_refuses_bad_paths() {
        for bad in [
            "", "/abs", "a//b", "./a", "a/../b", "..", "a\\b", "C:/x", "a/",
        ] {
            let e = write_archive("demo", &[ChartFile::new(bad, "x")]).expect_err(bad);
            assert!(
                matches!(e, ArchiveError::InvalidChartPath { .. }),
                "{bad:?}: {e}"
            );
        }
        for bad in ["", ".", "..", "a/b", "a\\b"] {
            let e = write_archive(bad, &[ChartFile::new("f", "x")]).expect_err(bad);
            assert!(matches!(e, ArchiveError::InvalidTopDir { .. }), "{bad:?}");
        }
        let dup = [ChartFile::new("a", "1"), ChartFile::new("a", "2")];
        assert!(matches!(
            write_archive("demo", &dup),
            Err(ArchiveError::DuplicateChartPath { .. })
        ));
        let conflict = [ChartFile::new("a", "1"), ChartFile::new("a/b", "2")];
        assert!(matches!(
            write_archive("demo", &conflict),
            Err(ArchiveError::ChartPathConflict { .. })
        ));
    }

    #[test]
    fn refuses_absolute_paths() {
        let bytes = evil(&[(b"/etc/passwd", EntryType::Regular, b"root")]);
        assert_eq!(
            err(&bytes),
            r#"archive entry "/etc/passwd" has an absolute path"#
        );
        let bytes = evil(&[(b"C:/x/Chart.yaml", EntryType::Regular, b"x")]);
        assert_eq!(
            err(&bytes),
            r#"archive entry "C:/x/Chart.yaml" has an absolute path"#
        );
        let bytes = evil(&[(b"\\etc\\passwd", EntryType::Regular, b"x")]);
        assert!(err(&bytes).contains("has an absolute path"));
        let bytes = evil(&[(b"x/c:/Windows/evil", EntryType::Regular, b"x")]);
        assert_eq!(
            err(&bytes),
            r#"archive entry "x/c:/Windows/evil" has an absolute path"#
        );
    }

    #[test]
    fn refuses_parent_components() {
        let bytes = evil(&[(b"../etc/passwd", EntryType::Regular, b"root")]);
        assert_eq!(
            err(&bytes),
            r#"archive entry "../etc/passwd" escapes the chart"#
        );
        for name in [&b"x/../../y"[..], b"x/templates/../a", b"x\\..\\..\\y"] {
            let bytes = evil(&[(name, EntryType::Regular, b"data")]);
            assert!(err(&bytes).ends_with("escapes the chart"), "{name:?}");
        }
        // Also in a directory entry, and through a PAX path.
        let bytes = evil(&[(b"x/../", EntryType::Directory, b"")]);
        assert!(err(&bytes).ends_with("escapes the chart"));
        let record = pax_record("path", b"x/../../evil");
        let bytes = evil(&[
            (b"pax", EntryType::XHeader, &record),
            (b"x/harmless", EntryType::Regular, b"data"),
        ]);
        assert_eq!(
            err(&bytes),
            r#"archive entry "x/../../evil" escapes the chart"#
        );
    }

    #[test]
    fn refuses_links_and_special_files() {
        let cases: &[(EntryType, &str)] = &[
            (
                EntryType::Symlink,
                r#"archive entry "x/link" is a symbolic link; links are not allowed in a chart"#,
            ),
            (
                EntryType::Link,
                r#"archive entry "x/link" is a hard link; links are not allowed in a chart"#,
            ),
            (
                EntryType::Char,
                r#"archive entry "x/link" is a character device; only regular files and directories are allowed"#,
            ),
            (
                EntryType::Block,
                r#"archive entry "x/link" is a block device; only regular files and directories are allowed"#,
            ),
            (
                EntryType::Fifo,
                r#"archive entry "x/link" is a FIFO; only regular files and directories are allowed"#,
            ),
            (
                EntryType::GNUSparse,
                r#"archive entry "x/link" is a sparse file; only regular files and directories are allowed"#,
            ),
            (
                EntryType::new(b'Z'),
                r#"archive entry "x/link" is an entry of unsupported type 'Z'; only regular files and directories are allowed"#,
            ),
        ];
        for (kind, message) in cases {
            let bytes = evil(&[
                (b"x/Chart.yaml", EntryType::Regular, b"name: x\n"),
                (b"x/link", *kind, b""),
            ]);
            assert_eq!(err(&bytes), *message);
        }
    }

    #[test]
    fn refuses_oversized_file_from_header() {
        let big = vec![0u8; 5 * 1024 * 1024 + 1];
        let bytes = evil(&[(b"x/big.bin", EntryType::Regular, &big)]);
        assert_eq!(
            err(&bytes),
            r#"archive entry "x/big.bin" is larger than the 5 MiB limit"#
        );
        // Exactly at the limit is fine.
        let ok = vec![0u8; 5 * 1024 * 1024];
        let bytes = evil(&[(b"x/ok.bin", EntryType::Regular, &ok)]);
        assert_eq!(read(&bytes).expect("reads").1[0].data.len(), ok.len());
    }

    #[test]
    fn refuses_total_over_limit() {
        let limits = Limits {
            max_total: 10_000,
            max_file: 4_000,
        };
        let chunk = [7u8; 4_000];
        let bytes = evil(&[
            (b"x/a", EntryType::Regular, &chunk),
            (b"x/b", EntryType::Regular, &chunk),
            (b"x/c", EntryType::Regular, &chunk),
        ]);
        let e = read_archive(bytes.as_slice(), &limits).expect_err("too big");
        assert_eq!(
            e.to_string(),
            r#"archive expands to more than the 10000 bytes limit (at entry "x/c")"#
        );
        let e = read_archive(
            bytes.as_slice(),
            &Limits {
                max_total: 12_000,
                ..limits
            },
        );
        assert!(e.is_ok());
        assert_eq!(Limits::default().max_total, 100 * 1024 * 1024);
        assert_eq!(Limits::default().max_file, 5 * 1024 * 1024);
    }

    /// Counts how much compressed input the reader pulled.
    struct Counting<'a> {
        data: &'a [u8],
        read: usize,
    }
    impl Read for Counting<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let n = self.data[self.read..].len().min(buf.len());
            buf[..n].copy_from_slice(&self.data[self.read..self.read + n]);
            self.read += n;
            Ok(n)
        }
    }

    /// gzip members concatenate into one stream: `count` copies of the
    /// member for `chunk` zeros make a large bomb without compressing it.
    fn zeros_members(chunk: usize, count: usize) -> Vec<u8> {
        let member = gzip(&vec![0u8; chunk]);
        member.repeat(count)
    }

    #[test]
    fn gzip_bomb_refused_fast_with_bounded_input() {
        // One entry declaring 1 GiB, followed by 1 GiB of compressed zeros.
        let header = raw_header(b"bomb/zeros.bin", EntryType::Regular, 1 << 30);
        let mut bomb = gzip(header.as_bytes());
        bomb.extend(zeros_members(1 << 20, 1024));
        let start = Instant::now();
        let mut input = Counting {
            data: &bomb,
            read: 0,
        };
        let e = read_archive(&mut input, &Limits::default()).expect_err("bomb");
        assert_eq!(
            e.to_string(),
            r#"archive entry "bomb/zeros.bin" is larger than the 5 MiB limit"#
        );
        assert!(start.elapsed() < Duration::from_secs(5));
        assert!(
            input.read < 256 * 1024,
            "read {} of {}",
            input.read,
            bomb.len()
        );
    }

    #[test]
    fn plain_zeros_bomb_is_an_empty_archive() {
        let bomb = zeros_members(1 << 20, 1024);
        let start = Instant::now();
        let mut input = Counting {
            data: &bomb,
            read: 0,
        };
        let e = read_archive(&mut input, &Limits::default()).expect_err("bomb");
        assert_eq!(e.to_string(), "archive holds no files");
        assert!(start.elapsed() < Duration::from_secs(5));
        assert!(input.read < 256 * 1024);
    }

    #[test]
    fn data_hidden_in_skipped_entries_is_capped() {
        // A directory entry whose data the tar reader must skip: counted by
        // the stream cap even though no file content is kept.
        let limits = Limits {
            max_total: 64 * 1024,
            max_file: 16 * 1024,
        };
        let header = raw_header(b"x/dir/", EntryType::Directory, 1 << 30);
        let mut bomb = gzip(header.as_bytes());
        bomb.extend(zeros_members(1 << 20, 1024));
        let start = Instant::now();
        let e = read_archive(bomb.as_slice(), &limits).expect_err("bomb");
        assert!(matches!(e, ArchiveError::StreamTooLarge { .. }), "{e}");
        assert!(start.elapsed() < Duration::from_secs(5));
    }

    #[test]
    fn oversized_metadata_refused_before_reading() {
        let header = raw_header(b"pax", EntryType::XHeader, 1 << 30);
        let mut bomb = gzip(header.as_bytes());
        bomb.extend(zeros_members(1 << 20, 8));
        let e = read(&bomb).expect_err("bomb");
        assert_eq!(
            e.to_string(),
            r#"archive entry "pax": PAX header record of 1073741824 bytes is larger than the 1 MiB allowed"#
        );
    }

    #[test]
    fn exactly_one_top_level_directory() {
        let bytes = evil(&[
            (b"a/Chart.yaml", EntryType::Regular, b"name: a\n"),
            (b"b/Chart.yaml", EntryType::Regular, b"name: b\n"),
        ]);
        assert_eq!(
            err(&bytes),
            r#"archive holds more than one top-level directory ("a" and "b"); a chart archive holds exactly one"#
        );
        let bytes = evil(&[
            (b"a/", EntryType::Directory, b""),
            (b"b/", EntryType::Directory, b""),
        ]);
        assert!(matches!(
            read(&bytes),
            Err(ArchiveError::MultipleTopDirs { .. })
        ));
        let bytes = evil(&[(b"Chart.yaml", EntryType::Regular, b"name: a\n")]);
        assert_eq!(
            err(&bytes),
            r#"archive entry "Chart.yaml" is not inside a top-level directory"#
        );
        let bytes = evil(&[
            (b"a/Chart.yaml", EntryType::Regular, b"name: a\n"),
            (b"README.md", EntryType::Regular, b"hi\n"),
        ]);
        assert_eq!(
            err(&bytes),
            r#"archive entry "README.md" is not inside a top-level directory"#
        );
    }

    #[test]
    fn tolerated_shapes() {
        // Directory entries, "./" prefixes, a PAX global header (git
        // archive), Windows separators and a BOM.
        let global = pax_record("comment", b"0123456789abcdef");
        let bytes = evil(&[
            (b"pax_global_header", EntryType::XGlobalHeader, &global),
            (b"./", EntryType::Directory, b""),
            (b"./demo/", EntryType::Directory, b""),
            (
                b"./demo/Chart.yaml",
                EntryType::Regular,
                b"\xEF\xBB\xBFname: demo\n",
            ),
            (b"demo\\templates\\a.yaml", EntryType::Regular, b"a: 1\n"),
            (b"demo/old-style-dir/", OLD_REGULAR, b""),
            (b"demo/old-style-file", OLD_REGULAR, b"f"),
        ]);
        let (top, files) = read(&bytes).expect("reads");
        assert_eq!(top, "demo");
        assert_eq!(
            files,
            vec![
                ChartFile::new("Chart.yaml", "name: demo\n"),
                ChartFile::new("old-style-file", "f"),
                ChartFile::new("templates/a.yaml", "a: 1\n"),
            ]
        );
    }

    #[test]
    fn gnu_long_names_are_read() {
        let long = format!("demo/{}/Chart.yaml", "n".repeat(200));
        let mut b = tar::Builder::new(Vec::new());
        let mut h = Header::new_gnu();
        h.set_size(3);
        h.set_entry_type(EntryType::Regular);
        b.append_data(&mut h, &long, &b"abc"[..])
            .expect("in memory");
        let bytes = gzip(&b.into_inner().expect("in memory"));
        let (top, files) = read(&bytes).expect("reads");
        assert_eq!(top, "demo");
        assert_eq!(files[0].path, format!("{}/Chart.yaml", "n".repeat(200)));
    }

    #[test]
    fn refuses_duplicates_and_conflicts() {
        let bytes = evil(&[
            (b"x/a", EntryType::Regular, b"1"),
            (b"x/a", EntryType::Regular, b"2"),
        ]);
        assert_eq!(err(&bytes), r#"archive entry "x/a" appears more than once"#);
        let bytes = evil(&[
            (b"x/a", EntryType::Regular, b"1"),
            (b"x/a/b", EntryType::Regular, b"2"),
        ]);
        assert!(matches!(
            read(&bytes),
            Err(ArchiveError::FileDirConflict { .. })
        ));
    }

    #[test]
    fn refuses_garbage_and_empty() {
        assert!(
            err(b"definitely not gzip").starts_with("archive is not a valid gzip-compressed tar")
        );
        assert!(matches!(
            read(&gzip(&[0u8; 1024])),
            Err(ArchiveError::Empty)
        ));
        let bytes = evil(&[(b"x/", EntryType::Directory, b"")]);
        assert!(matches!(read(&bytes), Err(ArchiveError::Empty)));
        // A truncated archive.
        let good = write_archive("demo", &files()).expect("writes");
        assert!(read(&good[..good.len() / 2]).is_err());
    }

    // -- chart directories --------------------------------------------------

    fn write(root: &Path, rel: &str, data: &[u8]) {
        let path = root.join(rel);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).expect("mkdir");
        }
        fs::write(path, data).expect("write");
    }

    fn paths(files: &[ChartFile]) -> Vec<&str> {
        files.iter().map(|f| f.path.as_str()).collect()
    }

    #[test]
    fn dir_walk_applies_helmignore_and_defaults() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let root = tmp.path();
        write(
            root,
            ".helmignore",
            b"# comment\n*.tmp\nbuild/\n/secret.txt\n",
        );
        write(root, "Chart.yaml", b"name: demo\n");
        write(root, "values.yaml", b"\xEF\xBB\xBFa: 1\n");
        write(root, "a.tmp", b"x");
        write(root, "build/out.txt", b"x");
        write(root, "secret.txt", b"x");
        write(root, "files/secret.txt", b"kept");
        write(root, "templates/.hidden.yaml", b"x");
        write(root, "templates/.git/config", b"x");
        write(root, "templates/sub/.kept", b"x");
        write(root, "templates/a-b.yaml", b"x");
        write(root, "templates/a/b.yaml", b"x");
        let files = read_chart_dir(root, &Limits::default()).expect("reads");
        assert_eq!(
            paths(&files),
            [
                ".helmignore",
                "Chart.yaml",
                "files/secret.txt",
                "templates/a-b.yaml",
                "templates/a/b.yaml",
                "templates/sub/.kept",
                "values.yaml",
            ]
        );
        let values = files
            .iter()
            .find(|f| f.path == "values.yaml")
            .expect("values");
        assert_eq!(values.data, b"a: 1\n");
    }

    #[test]
    fn bad_helmignore_is_reported_with_its_path() {
        let tmp = tempfile::tempdir().expect("tempdir");
        write(tmp.path(), ".helmignore", b"ok\nfoo/**/bar\n");
        let e = read_chart_dir(tmp.path(), &Limits::default()).expect_err("bad");
        let msg = e.to_string();
        assert!(
            msg.ends_with(
                ".helmignore: line 2: double-star (**) syntax is not supported: \"foo/**/bar\""
            ),
            "{msg}"
        );
    }

    #[test]
    fn same_package_whatever_the_mtimes() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let root = tmp.path();
        write(root, "Chart.yaml", b"name: demo\n");
        write(root, "templates/a.yaml", b"a\n");
        let first = write_archive(
            "demo",
            &read_dir_files(root, &HelmIgnore::empty()).expect("reads"),
        )
        .expect("writes");
        for rel in ["Chart.yaml", "templates/a.yaml"] {
            let f = fs::File::options()
                .write(true)
                .open(root.join(rel))
                .expect("open");
            f.set_modified(std::time::SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000))
                .expect("touch");
        }
        let second = write_archive(
            "demo",
            &read_dir_files(root, &HelmIgnore::empty()).expect("reads"),
        )
        .expect("writes");
        assert_eq!(first, second);
    }

    #[test]
    fn dir_file_limits() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let root = tmp.path();
        write(root, "Chart.yaml", b"name: demo\n");
        let big = fs::File::create(root.join("big.bin")).expect("create");
        big.set_len(5 * 1024 * 1024 + 1).expect("sparse");
        let e = read_dir_files(root, &HelmIgnore::empty()).expect_err("too big");
        assert_eq!(
            e.to_string(),
            r#"chart file "big.bin" is larger than the 5 MiB limit"#
        );
        // Ignored files are not read at all.
        let ignore = HelmIgnore::parse("*.bin").expect("valid");
        assert_eq!(
            paths(&read_dir_files(root, &ignore).expect("reads")),
            ["Chart.yaml"]
        );
        let limits = Limits {
            max_total: 8,
            max_file: 100,
        };
        let e = read_dir_files_with_limits(root, &ignore, &limits).expect_err("total");
        assert!(matches!(e, ArchiveError::ChartTooLarge { .. }), "{e}");
    }

    #[cfg(unix)]
    #[test]
    fn dir_symlinks() {
        use std::os::unix::fs::symlink;
        let tmp = tempfile::tempdir().expect("tempdir");
        let root = tmp.path().join("chart");
        write(&root, "Chart.yaml", b"name: demo\n");
        write(&root, "shared/a.txt", b"a\n");
        symlink("shared", root.join("linked")).expect("symlink");
        symlink("shared/a.txt", root.join("b.txt")).expect("symlink");
        let files = read_dir_files(&root, &HelmIgnore::empty()).expect("reads");
        assert_eq!(
            paths(&files),
            ["Chart.yaml", "b.txt", "linked/a.txt", "shared/a.txt"]
        );

        write(tmp.path(), "outside.txt", b"secret\n");
        symlink("../outside.txt", root.join("escape.txt")).expect("symlink");
        let e = read_dir_files(&root, &HelmIgnore::empty()).expect_err("escapes");
        assert!(
            matches!(e, ArchiveError::SymlinkEscapes { ref path, .. } if path == "escape.txt"),
            "{e}"
        );
        // Ignored, it is neither followed nor refused; nor is a dangling one.
        symlink("/nonexistent/strata", root.join("dangling.txt")).expect("symlink");
        let ignore = HelmIgnore::parse("escape.txt\ndangling.txt").expect("valid");
        assert_eq!(read_dir_files(&root, &ignore).expect("reads").len(), 4);
        let e = read_dir_files(&root, &HelmIgnore::parse("escape.txt").expect("valid"))
            .expect_err("dangling");
        assert!(matches!(e, ArchiveError::Io { .. }), "{e}");
        fs::remove_file(root.join("escape.txt")).expect("rm");
        fs::remove_file(root.join("dangling.txt")).expect("rm");

        symlink("..", root.join("shared/up")).expect("symlink");
        let e = read_dir_files(&root, &HelmIgnore::empty()).expect_err("loop");
        assert!(matches!(e, ArchiveError::SymlinkLoop { .. }), "{e}");
    }

    #[cfg(unix)]
    #[test]
    fn dir_refuses_fifo_unless_ignored() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let root = tmp.path();
        write(root, "Chart.yaml", b"name: demo\n");
        let made = std::process::Command::new("mkfifo")
            .arg(root.join("pipe"))
            .status()
            .map(|s| s.success())
            .unwrap_or(false);
        if !made {
            return; // no mkfifo on this machine
        }
        let e = read_dir_files(root, &HelmIgnore::empty()).expect_err("fifo");
        assert_eq!(
            e.to_string(),
            r#"chart file "pipe" is a FIFO; only regular files and directories can be packaged"#
        );
        let ignore = HelmIgnore::parse("pipe").expect("valid");
        assert_eq!(
            paths(&read_dir_files(root, &ignore).expect("reads")),
            ["Chart.yaml"]
        );
    }
}
