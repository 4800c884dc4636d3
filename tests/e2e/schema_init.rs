//! `strata schema init`: infer values.schema.json from values.yaml.

use crate::util::*;

fn api_without_schema() -> tempfile::TempDir {
    let dir = tempdir();
    copy_dir(&root().join("charts/api"), dir.path());
    std::fs::remove_file(dir.path().join("values.schema.json")).unwrap();
    dir
}

#[test]
fn init_writes_a_schema_that_accepts_the_defaults_and_rejects_wrong_types() {
    let dir = api_without_schema();
    strata_in(dir.path(), &["schema", "init", "."], None)
        .code(0)
        .stdout_has("wrote ./values.schema.json");
    let text = std::fs::read_to_string(dir.path().join("values.schema.json")).unwrap();
    golden("schema-init/api.values.schema.json", &text);
    assert!(text.starts_with("{\n  \"$schema\": \"https://json-schema.org/draft/2020-12/schema\""));
    // The chart's own values, in every environment, pass.
    for env in ["dev", "staging", "prod", "prod-eu-central"] {
        strata_in(dir.path(), &["values", ".", "--env", env], None).code(0);
    }
    // Wrong types are caught, with their origin.
    strata_in(
        dir.path(),
        &["values", ".", "--set", "replicaCount=many"],
        None,
    )
    .code(1)
    .no_stdout()
    .stderr_has("error[schema]: replicaCount: \"many\" is not of type \"integer\"")
    .stderr_has("= set by --set replicaCount=many");
    strata_in(
        dir.path(),
        &["values", ".", "--set-json", "image={\"repository\":1}"],
        None,
    )
    .code(1)
    .stderr_has("error[schema]: image.repository: 1 is not of type \"string\"");
}

#[test]
fn init_refuses_to_overwrite_without_force() {
    let dir = tempdir();
    copy_dir(&root().join("charts/api"), dir.path());
    let path = dir.path().join("values.schema.json");
    let before = std::fs::read(&path).unwrap();
    strata_in(dir.path(), &["schema", "init", "."], None)
        .code(2)
        .no_stdout()
        .stderr_has(
            "error[usage]: ./values.schema.json already exists; use --force to overwrite it",
        );
    assert_eq!(std::fs::read(&path).unwrap(), before, "untouched");
    strata_in(dir.path(), &["schema", "init", ".", "--force"], None).code(0);
    assert_ne!(std::fs::read(&path).unwrap(), before);
    // No temporary files are left behind.
    assert!(list_files(dir.path()).iter().all(|f| !f.contains(".tmp-")));
}

#[test]
fn init_on_a_broken_chart_writes_nothing() {
    let dir = tempdir();
    copy_dir(&root().join(fixture("bad-yaml")), dir.path());
    let before = list_files(dir.path());
    strata_in(dir.path(), &["schema", "init", "."], None)
        .code(1)
        .no_stdout()
        .stderr_has("error[yaml]");
    assert_eq!(list_files(dir.path()), before);
}
