//! Issue #12: strata never deletes a user's files, never writes outside the
//! chart, never crashes, never prints a secret. One test per defect; each
//! checks the exit code, the message, and that nothing was written, removed
//! or leaked.

use std::path::Path;

use crate::util::*;

/// A small Jinja chart `svc` in a scratch folder, with `files` over it.
fn svc(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempdir();
    let base: &[(&str, &str)] = &[
        (
            "svc/Chart.yaml",
            "apiVersion: v2\nname: svc\nversion: 1.0.0\n",
        ),
        ("svc/values.yaml", "name: x\n"),
        (
            "svc/templates/cm.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ values.name }}\n",
        ),
        ("svc/environments/dev.yaml", "name: d\n"),
    ];
    for (file, text) in base.iter().chain(files) {
        let p = dir.path().join(file);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(p, text).expect("write");
    }
    dir
}

fn run_in(dir: &Path, args: &[&str]) -> Run {
    strata_in(dir, args, None)
}

fn read(p: impl AsRef<Path>) -> String {
    std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{e}"))
}

// ---- data loss: --output-dir -------------------------------------------

#[test]
fn output_dir_never_replaces_the_charts_own_folder() {
    let tmp = svc(&[("svc/.git/HEAD", "ref: refs/heads/main\n")]);
    let before = list_files(tmp.path());
    let run = run_in(
        tmp.path(),
        &["render", "svc", "--env", "dev", "--output-dir", "."],
    );
    run.code(2).no_stdout().stderr_has(
        "./svc holds a chart's sources (Chart.yaml): refusing to write rendered files there",
    );
    assert_eq!(
        list_files(tmp.path()),
        before,
        "something was written or removed"
    );
    // Nor a folder above the chart under another name.
    let run = run_in(
        tmp.path(),
        &[
            "render",
            "svc/templates/..",
            "--env",
            "dev",
            "--output-dir",
            "svc/..",
        ],
    );
    run.code(2)
        .no_stdout()
        .stderr_has("refusing to write rendered files");
    assert_eq!(list_files(tmp.path()), before);
}

#[test]
fn output_dir_keeps_files_it_did_not_write_and_prunes_its_own() {
    let tmp = svc(&[(
        "svc/templates/extra.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: extra\n",
    )]);
    run_in(
        tmp.path(),
        &["render", "svc", "--env", "dev", "--output-dir", "out"],
    )
    .code(0);
    std::fs::write(
        tmp.path().join("out/svc/kustomization.yaml"),
        "resources: []\n",
    )
    .expect("write");
    std::fs::remove_file(tmp.path().join("svc/templates/extra.yaml")).expect("rm");
    let run = run_in(
        tmp.path(),
        &["render", "svc", "--env", "dev", "--output-dir", "out"],
    );
    run.code(0)
        .stdout_has("removed out/svc/templates/extra.yaml\n");
    assert_eq!(
        list_files(&tmp.path().join("out")),
        [
            "svc/.strata-output.json",
            "svc/kustomization.yaml",
            "svc/templates/cm.yaml"
        ]
    );
    assert_eq!(
        read(tmp.path().join("out/svc/kustomization.yaml")),
        "resources: []\n"
    );
    // A template that would write over the user's file is refused.
    std::fs::write(
        tmp.path().join("svc/templates/kustomization.yaml"),
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: k\n",
    )
    .expect("write");
    std::fs::write(
        tmp.path().join("out/svc/templates/kustomization.yaml"),
        "mine\n",
    )
    .expect("write");
    let run = run_in(
        tmp.path(),
        &["render", "svc", "--env", "dev", "--output-dir", "out"],
    );
    run.code(2).no_stdout().stderr_has(
        "out/svc/templates/kustomization.yaml: the file exists and strata did not write it",
    );
    assert_eq!(
        read(tmp.path().join("out/svc/templates/kustomization.yaml")),
        "mine\n"
    );
}

#[test]
fn output_dir_leaves_no_staging_folder_and_never_removes_the_chart_folder() {
    let tmp = svc(&[]);
    for _ in 0..2 {
        run_in(
            tmp.path(),
            &["render", "svc", "--env", "dev", "--output-dir", "out"],
        )
        .code(0);
        let mut names: Vec<String> = std::fs::read_dir(tmp.path().join("out"))
            .expect("read_dir")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        assert_eq!(names, ["svc"]);
        let inside: Vec<String> = list_files(&tmp.path().join("out/svc"));
        assert_eq!(inside, [".strata-output.json", "templates/cm.yaml"]);
    }
}
