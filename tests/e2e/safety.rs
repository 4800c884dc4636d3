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

// ---- writing outside the chart: environment names ----------------------

#[test]
fn environment_names_and_namespaces_are_dns_labels() {
    let cases: &[(&str, &str, &str)] = &[
        (
            "\"../../outside\": {}",
            "\"../../outside\" is not a valid environment name: it has '/', '\\' or '.' (a path?)",
            "3",
        ),
        ("a/b:", "\"a/b\" is not a valid environment name", "3"),
        ("\"..\":", "\"..\" is not a valid environment name", "3"),
        (
            "my env:",
            "\"my env\" is not a valid environment name: it has spaces",
            "3",
        ),
        (
            "PROD:",
            "\"PROD\" is not a valid environment name: it has upper-case letters",
            "3",
        ),
        (
            "\"\":",
            "\"\" is not a valid environment name: it is empty",
            "3",
        ),
        (
            "dev: {namespace: \"Bad Namespace!/..\"}",
            "environment \"dev\": namespace \"Bad Namespace!/..\" is not a valid namespace",
            "3",
        ),
    ];
    for (decl, message, line) in cases {
        let tmp = svc(&[(
            "svc/environments.yaml",
            &format!("environments:\n  ok: {{}}\n  {decl}\npromotion: [ok]\n"),
        )]);
        let before = list_files(tmp.path());
        for cmd in [
            &["render", "svc", "--env", "ok"][..],
            &["envs", "svc"][..],
            &["lint", "svc"][..],
        ] {
            let run = run_in(tmp.path(), cmd);
            run.code(1)
                .stderr_has(message)
                .stderr_has(&format!("environments.yaml:{line}:"))
                .stderr_has("DNS-1123");
            assert!(!run.stdout.contains("Bad Namespace"), "{}", run.stdout);
        }
        assert_eq!(list_files(tmp.path()), before);
    }
    // A file name declares an environment too.
    let tmp = svc(&[("svc/environments/My Env.yaml", "name: y\n")]);
    run_in(tmp.path(), &["envs", "svc"])
        .code(1)
        .stderr_has("environments/My Env.yaml: \"My Env\" is not a valid environment name");
}

#[test]
fn promote_cannot_write_outside_the_chart() {
    let tmp = svc(&[
        (
            "svc/environments.yaml",
            "environments:\n  dev: {}\n  \"../../outside\": {}\npromotion: [dev]\npromote: [name]\n",
        ),
        ("outside.yaml", "precious: true\n"),
    ]);
    let run = run_in(
        tmp.path().join("svc").as_path(),
        &["promote", ".", "--from", "dev", "--to", "../../outside"],
    );
    run.code(1)
        .no_stdout()
        .stderr_has("is not a valid environment name");
    assert_eq!(read(tmp.path().join("outside.yaml")), "precious: true\n");
    let tmp = svc(&[]);
    let run = run_in(
        tmp.path(),
        &[
            "render",
            "svc",
            "--env",
            "dev",
            "--namespace",
            "Bad Namespace!/..",
        ],
    );
    run.code(2)
        .no_stdout()
        .stderr_has("--namespace \"Bad Namespace!/..\" is not a valid namespace");
}

// ---- promote loses no data ---------------------------------------------

/// A chart promoting `image.tag` from dev to prod; prod's file is `prod`.
fn promo(prod: &str) -> tempfile::TempDir {
    svc(&[
        (
            "svc/environments.yaml",
            "environments:\n  dev: {}\n  prod: {}\npromotion: [dev, prod]\npromote: [image.tag]\n",
        ),
        (
            "svc/values.yaml",
            "name: x\nimage:\n  tag: \"0\"\nother:\n  tag: \"0\"\n",
        ),
        ("svc/environments/dev.yaml", "image:\n  tag: \"2.0\"\n"),
        ("svc/environments/prod.yaml", prod),
    ])
}

#[test]
fn promote_refuses_to_edit_an_aliased_anchor() {
    let text = "image: &img\n  tag: \"1.0\"\nother: *img\n";
    let tmp = promo(text);
    let run = run_in(tmp.path(), &["promote", "svc", "--to", "prod"]);
    run.code(1)
        .no_stdout()
        .stderr_has("image.tag: refusing to edit a YAML anchor that other keys alias")
        .stderr_has("--> environments/prod.yaml:1:1")
        .stderr_has("aliased at environments/prod.yaml:3");
    assert_eq!(read(tmp.path().join("svc/environments/prod.yaml")), text);
}

#[cfg(unix)]
#[test]
fn promote_writes_through_links_and_keeps_bom_and_crlf() {
    let tmp = promo("");
    let prod = tmp.path().join("svc/environments/prod.yaml");
    let real = tmp.path().join("svc/shared/prod.yaml");
    std::fs::create_dir_all(real.parent().expect("parent")).expect("mkdir");
    std::fs::write(&real, b"\xEF\xBB\xBFimage:\r\n  tag: \"1.0\"\r\n").expect("write");
    std::fs::remove_file(&prod).expect("rm");
    std::os::unix::fs::symlink("../shared/prod.yaml", &prod).expect("symlink");
    let hard = tmp.path().join("hard.yaml");
    std::fs::hard_link(&real, &hard).expect("hard link");
    let run = run_in(tmp.path(), &["promote", "svc", "--to", "prod"]);
    run.code(0).stdout_has("image.tag: \"1.0\" -> \"2.0\"");
    assert!(std::fs::symlink_metadata(&prod)
        .expect("meta")
        .file_type()
        .is_symlink());
    let want: &[u8] = b"\xEF\xBB\xBFimage:\r\n  tag: \"2.0\"\r\n";
    assert_eq!(std::fs::read(&real).expect("read"), want);
    // The hard link sees the edit: it was not split.
    assert_eq!(std::fs::read(&hard).expect("read"), want);
}
