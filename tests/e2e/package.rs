//! `strata package` and loading packaged charts (`.tgz`): layout,
//! reproducibility, `.helmignore`, unsafe archives, bombs.

use std::io::Read;
use std::path::Path;
use std::time::{Duration, Instant, SystemTime};

use crate::util::*;

/// Package `chart` into `dir`; returns (archive path, sha256 printed).
fn package(chart: &Path, dir: &Path) -> (std::path::PathBuf, String) {
    let run = strata(&[
        "package",
        &chart.display().to_string(),
        "-d",
        &dir.display().to_string(),
    ]);
    run.code(0).stderr_is("");
    let mut lines = run.stdout.lines();
    let path = std::path::PathBuf::from(lines.next().expect("path line"));
    let sha = lines
        .next()
        .and_then(|l| l.strip_prefix("sha256:"))
        .expect("sha256 line")
        .to_string();
    (path, sha)
}

/// (path, mode, mtime, uid, gid, type) of every entry of a .tgz.
fn entries(archive: &Path) -> Vec<(String, u32, u64, u64, u64, u8)> {
    let bytes = std::fs::read(archive).expect("archive");
    let mut tar = tar::Archive::new(flate2::read::GzDecoder::new(bytes.as_slice()));
    tar.entries()
        .expect("entries")
        .map(|e| {
            let e = e.expect("entry");
            let h = e.header();
            (
                e.path().expect("path").display().to_string(),
                h.mode().expect("mode"),
                h.mtime().expect("mtime"),
                h.uid().expect("uid"),
                h.gid().expect("gid"),
                h.entry_type().as_byte(),
            )
        })
        .collect()
}

fn sha256_file(path: &Path) -> String {
    strata_chart::package::sha256_hex(&std::fs::read(path).expect("archive"))
}

#[test]
fn package_writes_name_version_tgz_with_helm_layout() {
    let out = tempdir();
    let (path, sha) = package(&root().join("charts/api"), out.path());
    assert_eq!(path, out.path().join("api-1.4.0.tgz"));
    assert_eq!(sha, sha256_file(&path));
    let list = entries(&path);
    let names: Vec<&str> = list.iter().map(|e| e.0.as_str()).collect();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted, "entries are sorted");
    assert!(names.contains(&"api/Chart.yaml"));
    assert!(names.contains(&"api/values.yaml"));
    assert!(names.contains(&"api/environments/prod.yaml"));
    assert!(names.iter().all(|n| n.starts_with("api/")));
    for (name, mode, mtime, uid, gid, kind) in &list {
        assert_eq!(
            (*mode, *mtime, *uid, *gid, *kind),
            (0o644, 0, 0, 0, b'0'),
            "{name}"
        );
    }
    // The gzip header: no name, mtime 0, OS 255, as Go writes it.
    let bytes = std::fs::read(&path).expect("archive");
    assert_eq!(&bytes[..4], &[0x1f, 0x8b, 8, 0]);
    assert_eq!(&bytes[4..8], &[0, 0, 0, 0]);
    assert_eq!(bytes[9], 255);
    assert_eq!(list_files(out.path()), ["api-1.4.0.tgz"]);
}

#[test]
fn package_is_reproducible_whatever_times_modes_and_location() {
    let a = tempdir();
    let b = tempdir();
    copy_dir(&root().join("charts/api"), &a.path().join("api"));
    let out1 = tempdir();
    let (p1, sha1) = package(&a.path().join("api"), out1.path());
    // Touch every file, change modes, copy elsewhere (new inodes, new order).
    let later = SystemTime::now() + Duration::from_secs(3600);
    for f in list_files(&a.path().join("api")) {
        let p = a.path().join("api").join(&f);
        let file = std::fs::File::options().write(true).open(&p).expect("open");
        file.set_modified(later).expect("touch");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).expect("chmod");
        }
    }
    copy_dir(&a.path().join("api"), &b.path().join("elsewhere"));
    let out2 = tempdir();
    let (p2, sha2) = package(&a.path().join("api"), out2.path());
    let out3 = tempdir();
    let (p3, sha3) = package(&b.path().join("elsewhere"), out3.path());
    assert_eq!(sha1, sha2);
    assert_eq!(sha1, sha3);
    assert_eq!(std::fs::read(&p1).ok(), std::fs::read(&p2).ok());
    assert_eq!(std::fs::read(&p1).ok(), std::fs::read(&p3).ok());
}

#[test]
fn package_honours_helmignore() {
    let t = tempdir();
    let chart = t.path().join("api");
    copy_dir(&root().join("charts/api"), &chart);
    std::fs::write(chart.join(".helmignore"), "# local notes\n*.md\nsecrets/\n").expect("write");
    std::fs::write(chart.join("NOTES.md"), "private\n").expect("write");
    std::fs::create_dir_all(chart.join("secrets")).expect("mkdir");
    std::fs::write(chart.join("secrets/key.pem"), "-----\n").expect("write");
    std::fs::create_dir_all(chart.join("templates")).expect("mkdir");
    std::fs::write(chart.join("templates/.swp"), "editor junk\n").expect("write");
    let out = tempdir();
    let (path, _) = package(&chart, out.path());
    let names: Vec<String> = entries(&path).into_iter().map(|e| e.0).collect();
    assert!(names.contains(&"api/.helmignore".to_string()));
    assert!(names.contains(&"api/values.yaml".to_string()));
    for gone in ["api/NOTES.md", "api/secrets/key.pem", "api/templates/.swp"] {
        assert!(!names.contains(&gone.to_string()), "{gone} was packaged");
    }
}

#[test]
fn values_from_archive_equal_values_from_directory() {
    let out = tempdir();
    let (path, _) = package(&root().join("charts/api"), out.path());
    let tgz = path.display().to_string();
    for env in ["dev", "staging", "prod", "prod-eu-central"] {
        let from_dir = strata(&["values", "charts/api", "--env", env]);
        let from_tgz = strata(&["values", &tgz, "--env", env]);
        from_tgz.code(0).stderr_is("");
        assert_eq!(from_dir.stdout, from_tgz.stdout, "{env}");
        // Origins name the same chart-relative files.
        let a = strata(&["values", "charts/api", "--env", env, "--explain"]);
        let b = strata(&["values", &tgz, "--env", env, "--explain"]);
        assert_eq!(a.stdout, b.stdout, "{env}");
    }
    strata(&["envs", &tgz])
        .code(0)
        .stdout_has("prod-eu-central");
}

#[test]
fn package_of_an_archive_gives_the_same_archive() {
    let out = tempdir();
    let (p1, sha1) = package(&root().join("charts/api"), out.path());
    let again = tempdir();
    let (_, sha2) = package(&p1, again.path());
    assert_eq!(sha1, sha2);
}

#[test]
fn package_refuses_an_invalid_chart_and_writes_nothing() {
    let out = tempdir();
    let dest = out.path().join("dist");
    let run = strata(&[
        "package",
        &fixture("env-missing"),
        "-d",
        &dest.display().to_string(),
    ]);
    run.code(1).no_stdout().stderr_has("error");
    assert!(!dest.exists(), "destination created for a failed package");
    // A dependency that is not vendored stops packaging too.
    let run = strata(&[
        "package",
        &fixture("umbrella-missing"),
        "-d",
        &dest.display().to_string(),
    ]);
    run.code(1)
        .no_stdout()
        .stderr_has("dependency \"redis\" is not vendored");
    assert!(!dest.exists());
}

#[test]
fn package_missing_chart_is_an_io_error() {
    let out = tempdir();
    let run = strata(&[
        "package",
        "no/such/chart",
        "-d",
        &out.path().display().to_string(),
    ]);
    run.code(2)
        .no_stdout()
        .stderr_has("no/such/chart: no such file or directory");
    assert!(list_files(out.path()).is_empty());
}

/// A gzipped tar with raw headers (any name, any type), as an attacker
/// would write it.
fn evil(entries: &[(&str, tar::EntryType, &[u8], &str)]) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    for (name, kind, data, link) in entries {
        let mut h = tar::Header::new_gnu();
        h.as_old_mut().name[..name.len()].copy_from_slice(name.as_bytes());
        h.as_old_mut().linkname[..link.len()].copy_from_slice(link.as_bytes());
        h.set_entry_type(*kind);
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        h.set_cksum();
        b.append(&h, *data).expect("in memory");
    }
    let tar = b.into_inner().expect("in memory");
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    std::io::Write::write_all(&mut gz, &tar).expect("in memory");
    gz.finish().expect("in memory")
}

const CHART: &[u8] = b"apiVersion: v2\nname: evil\nversion: 0.1.0\n";

#[test]
fn unsafe_archives_are_refused_and_nothing_is_written() {
    use tar::EntryType as T;
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "absolute",
            evil(&[
                ("evil/Chart.yaml", T::Regular, CHART, ""),
                ("/etc/evil", T::Regular, b"x", ""),
            ]),
            "has an absolute path",
        ),
        (
            "dotdot",
            evil(&[
                ("evil/Chart.yaml", T::Regular, CHART, ""),
                ("evil/../../escape", T::Regular, b"x", ""),
            ]),
            "escapes the chart",
        ),
        (
            "symlink",
            evil(&[
                ("evil/Chart.yaml", T::Regular, CHART, ""),
                ("evil/values.yaml", T::Symlink, b"", "/etc/passwd"),
            ]),
            "links are not allowed",
        ),
        (
            "hardlink",
            evil(&[
                ("evil/Chart.yaml", T::Regular, CHART, ""),
                ("evil/values.yaml", T::Link, b"", "/etc/passwd"),
            ]),
            "links are not allowed",
        ),
        (
            "device",
            evil(&[
                ("evil/Chart.yaml", T::Regular, CHART, ""),
                ("evil/dev", T::Char, b"", ""),
            ]),
            "only regular files and directories",
        ),
        (
            "fifo",
            evil(&[
                ("evil/Chart.yaml", T::Regular, CHART, ""),
                ("evil/fifo", T::Fifo, b"", ""),
            ]),
            "only regular files and directories",
        ),
        (
            "not-gzip",
            b"plain text, not an archive\n".to_vec(),
            "not a valid gzip",
        ),
    ];
    for (name, bytes, want) in cases {
        let t = tempdir();
        let tgz = t.path().join(format!("{name}.tgz"));
        std::fs::write(&tgz, &bytes).expect("write");
        let tgz_s = tgz.display().to_string();
        for args in [
            vec!["values", tgz_s.as_str()],
            vec!["envs", tgz_s.as_str()],
            vec!["dependency", "list", tgz_s.as_str()],
        ] {
            strata_in(t.path(), &args, None)
                .code(1)
                .no_stdout()
                .stderr_has("error[archive]")
                .stderr_has(want);
        }
        let dest = t.path().join("dist");
        strata_in(
            t.path(),
            &["package", &tgz_s, "-d", &dest.display().to_string()],
            None,
        )
        .code(1)
        .no_stdout()
        .stderr_has(want);
        assert_eq!(list_files(t.path()), [format!("{name}.tgz")], "{name}");
        assert!(!Path::new("/etc/evil").exists());
    }
}

#[test]
fn archive_bomb_is_refused_quickly() {
    // 124 KB that would expand to 120 MiB (30 files of 4 MiB of zeros):
    // each file is under Helm's 5 MiB limit, the total is over 100 MiB.
    let bomb = root().join("tests/fixtures/bomb.tgz");
    let mut head = [0u8; 2];
    std::fs::File::open(&bomb)
        .expect("bomb fixture")
        .read_exact(&mut head)
        .expect("read");
    assert_eq!(head, [0x1f, 0x8b]);
    let t = tempdir();
    let start = Instant::now();
    strata_in(
        t.path(),
        &[
            "package",
            &bomb.display().to_string(),
            "-d",
            &t.path().join("dist").display().to_string(),
        ],
        None,
    )
    .code(1)
    .no_stdout()
    .stderr_has("archive expands to more than the 100 MiB limit");
    assert!(
        start.elapsed() < Duration::from_secs(20),
        "took {:?}",
        start.elapsed()
    );
    assert!(list_files(t.path()).is_empty());
}

#[test]
fn oversized_file_in_archive_is_refused_from_its_header() {
    let t = tempdir();
    let mut tar = Vec::new();
    let mut h = tar::Header::new_gnu();
    h.set_path("big/Chart.yaml").expect("path");
    h.set_size(CHART.len() as u64);
    h.set_mode(0o644);
    h.set_cksum();
    tar.extend_from_slice(h.as_bytes());
    tar.extend_from_slice(CHART);
    tar.resize(tar.len().div_ceil(512) * 512, 0);
    // Claims 6 MiB and is cut short: refused from the header alone.
    let mut h = tar::Header::new_gnu();
    h.set_path("big/huge.bin").expect("path");
    h.set_size(6 * 1024 * 1024);
    h.set_mode(0o644);
    h.set_cksum();
    tar.extend_from_slice(h.as_bytes());
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    std::io::Write::write_all(&mut gz, &tar).expect("gz");
    let tgz = t.path().join("big.tgz");
    std::fs::write(&tgz, gz.finish().expect("gz")).expect("write");
    strata_in(t.path(), &["values", "big.tgz"], None)
        .code(1)
        .no_stdout()
        .stderr_has("archive entry \"big/huge.bin\" is larger than the 5 MiB limit");
}

#[test]
fn render_from_archive_equals_render_from_directory() {
    let out = tempdir();
    let (path, _) = package(&root().join("charts/api"), out.path());
    let tgz = path.display().to_string();
    for env in ["dev", "staging", "prod", "prod-eu-central"] {
        let from_dir = strata(&["render", "charts/api", "--env", env, "--notes"]);
        from_dir.code(0);
        let from_tgz = strata(&["render", &tgz, "--env", env, "--notes"]);
        from_tgz.code(0);
        assert!(from_tgz.stdout.contains("# Source: api/templates/"));
        assert_eq!(from_dir.stdout, from_tgz.stdout, "{env}");
        assert_eq!(from_dir.stderr, from_tgz.stderr, "{env}");
    }
}

#[test]
fn package_into_a_destination_that_is_a_file_is_an_io_error() {
    let t = tempdir();
    let file = t.path().join("dist");
    std::fs::write(&file, "not a directory\n").expect("write");
    strata(&["package", "charts/api", "-d", &file.display().to_string()])
        .code(2)
        .no_stdout()
        .stderr_has("error[io]");
    assert_eq!(list_files(t.path()), ["dist"]);
    assert_eq!(
        std::fs::read_to_string(&file).expect("read"),
        "not a directory\n"
    );
}

#[test]
fn package_replaces_an_older_archive_whole() {
    let t = tempdir();
    let old = t.path().join("api-1.4.0.tgz");
    std::fs::write(&old, "stale").expect("write");
    let (path, sha) = package(&root().join("charts/api"), t.path());
    assert_eq!(path, old);
    assert_eq!(sha256_file(&old), sha);
    assert_eq!(list_files(t.path()), ["api-1.4.0.tgz"]);
}

#[test]
fn lint_errors_stop_packaging_and_nothing_is_written() {
    for (chart, want) in [
        ("render-fail", "fail: replicas must be at least 3, got 2"),
        ("schema", "replicaCount: 2 is less than the minimum of 3"),
        (
            "umbrella-wrong",
            "dependency \"web\" wants version \"^2.0.0\"",
        ),
    ] {
        let t = tempdir();
        let dest = t.path().join("dist");
        strata(&[
            "package",
            &fixture(chart),
            "-d",
            &dest.display().to_string(),
        ])
        .code(1)
        .no_stdout()
        .stderr_has(want);
        assert!(!dest.exists(), "{chart}: destination written");
    }
}

#[test]
fn rendered_package_is_reproducible_and_named_for_its_environment() {
    let a = tempdir();
    let b = tempdir();
    let run = strata(&[
        "package",
        "charts/api",
        "--env",
        "prod",
        "--rendered",
        "-d",
        &a.path().display().to_string(),
    ]);
    run.code(0);
    let path = a.path().join("api-1.4.0-prod.rendered.tgz");
    assert_eq!(
        run.stdout.lines().next(),
        Some(path.display().to_string().as_str())
    );
    strata(&[
        "package",
        "charts/api",
        "--env",
        "prod",
        "--rendered",
        "-d",
        &b.path().display().to_string(),
    ])
    .code(0);
    let first = std::fs::read(&path).expect("archive");
    let second = std::fs::read(b.path().join("api-1.4.0-prod.rendered.tgz")).expect("archive");
    assert_eq!(first, second);
    assert_eq!(list_files(a.path()), ["api-1.4.0-prod.rendered.tgz"]);
}

#[test]
fn rendered_package_refuses_bad_requests_and_writes_nothing() {
    let out = tempdir();
    let d = out.path().join("dist");
    let d = d.display().to_string();
    // --rendered needs an environment, and --env means --rendered.
    strata(&["package", "charts/api", "--rendered", "-d", &d])
        .code(2)
        .stderr_has("--env <ENV>");
    strata(&["package", "charts/api", "--env", "prod", "-d", &d])
        .code(2)
        .stderr_has("--rendered");
    strata(&[
        "package",
        "charts/api",
        "--env",
        "nope",
        "--rendered",
        "-d",
        &d,
    ])
    .code(1)
    .stderr_has("unknown environment \"nope\"");
    // An environment that does not render: the template's error, exit 1.
    let chart = chart_with("render-fail", &[("environments/dev.yaml", "replicas: 1\n")]);
    strata(&[
        "package",
        &chart.path().display().to_string(),
        "--env",
        "dev",
        "--rendered",
        "-d",
        &d,
    ])
    .code(1)
    .stderr_has("replicas must be at least 3, got 1");
    assert!(!out.path().join("dist").exists());
}
