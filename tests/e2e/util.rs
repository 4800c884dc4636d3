//! A tiny harness: run the real `strata` binary and look at what it did.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The repository root (where charts/ and tests/ live).
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A fixture chart or file under tests/fixtures.
pub fn fixture(name: &str) -> String {
    format!("tests/fixtures/{name}")
}

/// What one run of strata did.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// Assert the exit code, showing everything on failure.
    #[track_caller]
    pub fn code(&self, want: i32) -> &Self {
        assert_eq!(
            self.code, want,
            "exit code\n--- stdout\n{}\n--- stderr\n{}",
            self.stdout, self.stderr
        );
        self
    }

    /// Assert stderr contains `s`.
    #[track_caller]
    pub fn stderr_has(&self, s: &str) -> &Self {
        assert!(
            self.stderr.contains(s),
            "stderr lacks {s:?}\n--- stderr\n{}",
            self.stderr
        );
        self
    }

    /// Assert stdout contains `s`.
    #[track_caller]
    pub fn stdout_has(&self, s: &str) -> &Self {
        assert!(
            self.stdout.contains(s),
            "stdout lacks {s:?}\n--- stdout\n{}",
            self.stdout
        );
        self
    }

    /// Assert nothing was printed to stdout.
    #[track_caller]
    pub fn no_stdout(&self) -> &Self {
        assert_eq!(self.stdout, "", "stdout should be empty");
        self
    }

    /// Assert stdout is exactly `s`.
    #[track_caller]
    pub fn stdout_is(&self, s: &str) -> &Self {
        assert_eq!(self.stdout, s, "stderr:\n{}", self.stderr);
        self
    }

    /// Assert stderr is exactly `s`.
    #[track_caller]
    pub fn stderr_is(&self, s: &str) -> &Self {
        assert_eq!(self.stderr, s);
        self
    }
}

/// Run strata in the repository root.
pub fn strata(args: &[&str]) -> Run {
    strata_in(&root(), args, None)
}

/// Run strata in the repository root with standard input.
pub fn strata_stdin(args: &[&str], stdin: &str) -> Run {
    strata_in(&root(), args, Some(stdin))
}

/// Run strata in `dir`.
pub fn strata_in(dir: &Path, args: &[&str], stdin: Option<&str>) -> Run {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_strata"));
    cmd.args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("spawn strata");
    if let Some(input) = stdin {
        let mut pipe = child.stdin.take().expect("stdin");
        pipe.write_all(input.as_bytes()).expect("write stdin");
    }
    let out = child.wait_with_output().expect("wait for strata");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Compare `actual` with tests/golden/`name` in full, showing a diff of
/// every difference. `SNAPSHOTS=overwrite` rewrites the file (review it in
/// `git diff`); a missing file is an error that says so.
#[track_caller]
pub fn golden(name: &str, actual: &str) {
    let path = root().join("tests/golden").join(name);
    snapbox::Assert::new()
        .action_env(snapbox::assert::DEFAULT_ACTION_ENV)
        .eq(actual, snapbox::Data::read_from(&path, None).raw());
}

/// A scratch directory, removed on drop.
pub fn tempdir() -> tempfile::TempDir {
    tempfile::tempdir().expect("tempdir")
}

/// Copy a directory tree.
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read_dir") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("type").is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy");
        }
    }
}

/// Every file below `dir` (relative paths, sorted).
pub fn list_files(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    fn walk(base: &Path, dir: &Path, out: &mut Vec<String>) {
        if let Ok(rd) = std::fs::read_dir(dir) {
            for e in rd.flatten() {
                let p = e.path();
                if p.is_dir() {
                    walk(base, &p, out);
                } else if let Ok(rel) = p.strip_prefix(base) {
                    out.push(rel.display().to_string());
                }
            }
        }
    }
    walk(dir, dir, &mut out);
    out.sort();
    out
}

/// A scratch copy of fixture chart `name` with `files` written over it.
pub fn chart_with(name: &str, files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempdir();
    copy_dir(&root().join(fixture(name)), dir.path());
    for (file, text) in files {
        let p = dir.path().join(file);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).expect("mkdir");
        }
        std::fs::write(p, text).expect("write");
    }
    dir
}
