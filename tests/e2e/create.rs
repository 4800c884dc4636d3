//! `strata create` and `strata completions`.

use crate::util::*;

#[test]
fn create_scaffolds_a_chart_that_renders_in_every_environment() {
    let tmp = tempdir();
    let run = strata_in(tmp.path(), &["create", "shop"], None);
    run.code(0)
        .stdout_has("created chart shop in shop; try: strata render shop --env dev\n");
    let files = list_files(&tmp.path().join("shop"));
    for f in [
        "Chart.yaml",
        "values.yaml",
        "values.schema.json",
        "environments.yaml",
        "environments/dev.yaml",
        "environments/staging.yaml",
        "environments/prod.yaml",
        "templates/_helpers.tpl",
        "templates/deployment.yaml",
        "templates/service.yaml",
        "templates/NOTES.txt",
    ] {
        assert!(files.contains(&f.to_string()), "{f} missing from {files:?}");
    }
    let envs = strata_in(tmp.path(), &["envs", "shop"], None);
    envs.code(0).stdout_has("dev").stdout_has("prod");
    for (env, replicas) in [("dev", 1), ("staging", 2), ("prod", 3)] {
        let run = strata_in(tmp.path(), &["render", "shop", "--env", env], None);
        run.code(0)
            .stderr_is("")
            .stdout_has("# Source: shop/templates/deployment.yaml\n")
            .stdout_has(&format!("  namespace: shop-{env}\n"))
            .stdout_has(&format!("  replicas: {replicas}\n"));
    }
    // Out of the box it lints clean even under --strict (only notes).
    strata_in(tmp.path(), &["lint", "shop", "--strict"], None)
        .code(0)
        .stdout_has("linted 1 chart: 0 errors, 0 warnings");
    strata_in(tmp.path(), &["parity", "shop"], None).code(0);
}

#[test]
fn create_refuses_an_existing_directory_and_bad_names() {
    let tmp = tempdir();
    std::fs::create_dir(tmp.path().join("taken")).unwrap();
    strata_in(tmp.path(), &["create", "taken"], None)
        .code(2)
        .no_stdout()
        .stderr_has("error[usage]: taken already exists");
    assert!(list_files(&tmp.path().join("taken")).is_empty());
    strata_in(tmp.path(), &["create", "Not_Valid"], None)
        .code(2)
        .no_stdout()
        .stderr_has("\"Not_Valid\" is not a valid chart name");
    assert!(!tmp.path().join("Not_Valid").exists());
}

#[test]
fn completions_for_each_shell() {
    for shell in ["bash", "zsh", "fish"] {
        let run = strata(&["completions", shell]);
        run.code(0).stdout_has("render").stdout_has("output-dir");
    }
    strata(&["completions", "tcsh"]).code(2).no_stdout();
}
