//! `package`: a chart as `<name>-<version>.tgz` holding `<name>/…`, laid
//! out as `helm package` lays it out, the same bytes for the same chart
//! (see [`crate::archive::write_archive`]), written atomically.

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::archive::{self, ChartFile};
use crate::chart::{archive_error, Chart};
use crate::diag::{Error, Result};

/// What [`write`](fn@write) produced.
#[derive(Clone, Debug)]
pub struct Packaged {
    /// The archive written.
    pub path: PathBuf,
    /// Its sha256, lower-case hex.
    pub sha256: String,
    /// The archive bytes' length.
    pub size: usize,
}

/// The archive's file name: `<name>-<version>.tgz`.
pub fn file_name(chart: &Chart) -> String {
    format!("{}-{}.tgz", chart.name(), chart.metadata.version)
}

/// The archive bytes of `chart` (every file it was loaded with, that is
/// after `.helmignore`).
pub(crate) fn archive_bytes(chart: &Chart) -> Result<Vec<u8>> {
    let files: Vec<ChartFile> = chart
        .files
        .iter()
        .map(|(p, d)| ChartFile::new(p.clone(), d.clone()))
        .collect();
    archive::write_archive(chart.name(), &files).map_err(|e| archive_error(&chart.source, e))
}

/// Write `chart`'s archive into `dir` (created if needed) as
/// `<name>-<version>.tgz`, whole or absent ([`crate::fsutil`]).
pub fn write(chart: &Chart, dir: &Path) -> Result<Packaged> {
    let bytes = archive_bytes(chart)?;
    write_bytes(dir, &file_name(chart), &bytes)
}

/// Write archive `bytes` as `dir/name` (`dir` created if needed), whole or
/// absent ([`crate::fsutil`]). Every archive strata writes goes through here.
pub fn write_bytes(dir: &Path, name: &str, bytes: &[u8]) -> Result<Packaged> {
    let shown = dir.display().to_string();
    std::fs::create_dir_all(dir).map_err(|e| Error::io(&shown, e))?;
    let path = dir.join(name);
    crate::fsutil::write_atomic(&path, bytes)?;
    Ok(Packaged {
        path,
        sha256: sha256_hex(bytes),
        size: bytes.len(),
    })
}

/// Lower-case hex sha256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn chart(extra: &[(&str, &str)]) -> Chart {
        let mut files = BTreeMap::new();
        files.insert(
            "Chart.yaml".to_string(),
            b"apiVersion: v2\nname: demo\nversion: 1.2.3\n".to_vec(),
        );
        files.insert("values.yaml".to_string(), b"a: 1\n".to_vec());
        for (p, d) in extra {
            files.insert(p.to_string(), d.as_bytes().to_vec());
        }
        Chart::from_files(files, "demo").expect("valid test chart")
    }

    #[test]
    fn sha256_of_empty_input_is_the_known_digest() {
        assert_eq!(
            sha256_hex(b""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }

    #[test]
    fn archive_holds_name_top_dir_and_round_trips() {
        let c = chart(&[("templates/cm.yaml", "kind: ConfigMap\n")]);
        let bytes = archive_bytes(&c).expect("packs");
        let (top, files) =
            archive::read_archive(bytes.as_slice(), &archive::Limits::HELM).expect("reads");
        assert_eq!(top, "demo");
        let paths: Vec<&str> = files.iter().map(|f| f.path.as_str()).collect();
        assert_eq!(paths, ["Chart.yaml", "templates/cm.yaml", "values.yaml"]);
        assert_eq!(archive_bytes(&c).expect("packs"), bytes);
    }

    #[test]
    fn write_is_atomic_and_leaves_no_temporary_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        let out = dir.path().join("out");
        let p = write(&chart(&[]), &out).expect("writes");
        assert_eq!(p.path, out.join("demo-1.2.3.tgz"));
        let names: Vec<String> = std::fs::read_dir(&out)
            .expect("dir")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, ["demo-1.2.3.tgz"]);
        let bytes = std::fs::read(&p.path).expect("archive");
        assert_eq!(sha256_hex(&bytes), p.sha256);
    }
}
