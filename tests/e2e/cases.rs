//! Cases as files: every `tests/cases/<name>/cmd.toml` runs the real
//! `strata` with its arguments (from the repository root, `fs.cwd`) and
//! compares the exit code (`status.code`), stdout (`cmd.stdout`) and stderr
//! (`cmd.stderr`) in full. Adding a case is adding a folder with those four
//! files (the two snapshots may start empty); `TRYCMD=overwrite cargo test
//! --test e2e cases` rewrites the snapshots, reviewed in the diff like code.
//! `...` on a line of its own, or `[..]` within a line, matches anything
//! (only where output is not deterministic).

use std::path::Path;

#[test]
fn cases() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut names = Vec::new();
    for entry in std::fs::read_dir(root.join("tests/cases")).expect("tests/cases") {
        let dir = entry.expect("tests/cases entry").path();
        let name = dir.file_name().unwrap_or_default().to_string_lossy();
        // trycmd compares only the streams that have a snapshot, and only
        // an exit code that is written down: a case without them would
        // check nothing.
        for file in ["cmd.toml", "cmd.stdout", "cmd.stderr"] {
            assert!(dir.join(file).is_file(), "tests/cases/{name} has no {file}");
        }
        let toml = std::fs::read_to_string(dir.join("cmd.toml")).expect("cmd.toml");
        assert!(
            toml.contains("status.code = "),
            "tests/cases/{name}/cmd.toml sets no status.code"
        );
        names.push(name.into_owned());
    }
    assert!(!names.is_empty(), "no cases under tests/cases");
    trycmd::TestCases::new()
        .register_bin("strata", Path::new(env!("CARGO_BIN_EXE_strata")))
        .case("tests/cases/*/cmd.toml");
}
