//! Schema validation through `values::merge`: every violation, traced to
//! the file:line or flag that set the offending value; broken schemas.

use std::path::Path;

use crate::util::*;

fn chart_with(files: &[(&str, &str)]) -> tempfile::TempDir {
    crate::util::chart_with("schema", files)
}

fn run_in(dir: &Path, args: &[&str]) -> Run {
    strata_in(dir, args, None)
}

#[test]
fn wrong_type_from_a_values_file_names_its_line() {
    let dir = chart_with(&[("override.yaml", "# bad\nreplicaCount: three\n")]);
    let run = run_in(dir.path(), &["values", ".", "-f", "override.yaml"]);
    run.code(1)
        .no_stdout()
        .stderr_has("error[schema]: replicaCount: \"three\" is not of type \"integer\"\n --> override.yaml:2:15\n  |\n2 | replicaCount: three\n  |               ^^^^^\n")
        .stderr_has("= rule: values.schema.json#/properties/replicaCount/type");
}

#[test]
fn every_violation_is_reported_with_its_origin() {
    let dir = chart_with(&[("o.yaml", "image:\n  tag: 5\nreplicaCount: -1\n")]);
    let run = run_in(
        dir.path(),
        &["values", ".", "-f", "o.yaml", "--set", "service.port=70000"],
    );
    run.code(1)
        .no_stdout()
        .stderr_has("error[schema]: image.tag: 5 is not of type \"string\"\n --> o.yaml:2:8")
        .stderr_has("error[schema]: replicaCount: -1 is less than the minimum of 0\n --> o.yaml:3:15")
        .stderr_has("error[schema]: service.port: 70000 is greater than the maximum of 65535\n  = set by --set service.port=70000");
    assert_eq!(
        run.stderr.matches("error[schema]").count(),
        3,
        "{}",
        run.stderr
    );
}

#[test]
fn unknown_key_under_additional_properties_false() {
    let dir = chart_with(&[("o.yaml", "image:\n  tga: \"1.2\"\nreplicas: 3\n")]);
    let run = run_in(dir.path(), &["values", ".", "-f", "o.yaml"]);
    run.code(1)
        .no_stdout()
        .stderr_has("error[schema]: image.tga: unknown key: the schema allows no other keys here; did you mean `tag`?\n --> o.yaml:2:3")
        .stderr_has("error[schema]: replicas: unknown key: the schema allows no other keys here\n --> o.yaml:3:1");
}

#[test]
fn required_key_removed_by_null_points_at_the_null() {
    let dir = chart_with(&[("o.yaml", "image:\n  tag: null\n")]);
    let run = run_in(dir.path(), &["values", ".", "-f", "o.yaml"]);
    run.code(1)
        .no_stdout()
        .stderr_has("error[schema]: image.tag: required key is missing: it was removed by a null\n --> o.yaml:2:8");
    let run = run_in(dir.path(), &["values", ".", "--set", "image=null"]);
    run.code(1)
        .no_stdout()
        .stderr_has("error[schema]: image: required key is missing: it was removed by a null")
        .stderr_has("= removed by --set image=null");
}

#[test]
fn required_key_nobody_sets_lists_the_layers() {
    let dir = chart_with(&[(
        "values.yaml",
        "image:\n  repository: shop\nreplicaCount: 1\n",
    )]);
    let run = run_in(dir.path(), &["values", ".", "--env", "prod"]);
    run.code(1)
        .no_stdout()
        .stderr_has("error[schema]: image.tag: required key is missing\n --> values.yaml:2:3")
        .stderr_has("= no layer sets it; the layers were: values.yaml, environments/prod.yaml")
        .stderr_has("= environment: prod");
}

#[test]
fn environment_schema_applies_to_the_environment_and_its_children() {
    let dir = chart_with(&[]);
    run_in(dir.path(), &["values", ".", "--env", "dev"]).code(0);
    run_in(dir.path(), &["values", ".", "--env", "prod"]).code(0);
    // prod-eu extends prod: prod's schema (minimum 3) applies to it too.
    run_in(dir.path(), &["values", ".", "--env", "prod-eu"])
        .code(1)
        .no_stdout()
        .stderr_has("error[schema]: replicaCount: 2 is less than the minimum of 3\n --> environments/prod-eu.yaml:1:15")
        .stderr_has("= rule: environments/prod.schema.json#/properties/replicaCount/minimum")
        .stderr_has("= environment: prod-eu");
    // dev has no extra schema: 2 replicas are fine there.
    run_in(
        dir.path(),
        &["values", ".", "--env", "dev", "--set", "replicaCount=2"],
    )
    .code(0);
    run_in(
        dir.path(),
        &["values", ".", "--env", "prod", "--set", "replicaCount=2"],
    )
    .code(1)
    .stderr_has("= set by --set replicaCount=2");
}

#[test]
fn remote_ref_is_an_error_naming_it() {
    let dir = chart_with(&[(
        "values.schema.json",
        r#"{"properties": {"image": {"$ref": "https://schemas.example.com/image.json"}}}"#,
    )]);
    run_in(dir.path(), &["values", "."])
        .code(1)
        .no_stdout()
        .stderr_has("error[schema]: values.schema.json: remote $ref \"https://schemas.example.com/image.json\" is not allowed");
}

#[test]
fn local_ref_to_a_file_in_the_chart_works() {
    let dir = chart_with(&[
        (
            "values.schema.json",
            r#"{"properties": {"service": {"$ref": "schemas/service.json"}}}"#,
        ),
        (
            "schemas/service.json",
            r#"{"properties": {"port": {"type": "integer"}}}"#,
        ),
    ]);
    run_in(dir.path(), &["values", "."]).code(0);
    run_in(dir.path(), &["values", ".", "--set", "service.port=http"])
        .code(1)
        .stderr_has("error[schema]: service.port: \"http\" is not of type \"integer\"");
}

#[test]
fn malformed_schema_is_an_error_naming_file_and_line() {
    let dir = chart_with(&[("values.schema.json", "{\n  \"type\": \"object\",\n}\n")]);
    run_in(dir.path(), &["values", "."])
        .code(1)
        .no_stdout()
        .stderr_has("error[schema]: values.schema.json is not valid JSON: trailing comma\n --> values.schema.json:3:1");
}

#[test]
fn invalid_schema_is_an_error_naming_the_file() {
    let dir = chart_with(&[(
        "values.schema.json",
        "{\n  \"properties\": {\n    \"replicaCount\": { \"type\": \"objekt\" }\n  }\n}\n",
    )]);
    run_in(dir.path(), &["values", "."])
        .code(1)
        .no_stdout()
        .stderr_has("error[schema]: values.schema.json is not a valid JSON Schema: at /properties/replicaCount/type:")
        .stderr_has(" --> values.schema.json:3:23");
}

#[test]
fn write_only_values_are_redacted_in_values_output() {
    let dir = chart_with(&[]);
    let run = run_in(dir.path(), &["values", ".", "--set", "db.password=hunter2"]);
    run.code(0).stdout_has("  password: <redacted>\n");
    assert!(!run.stdout.contains("hunter2"));
    let run = run_in(
        dir.path(),
        &["values", ".", "--set", "db.password=hunter2", "--explain"],
    );
    run.code(0)
        .stdout_has("db.password: \"<redacted>\"  # --set db.password=<redacted>");
    assert!(!run.stdout.contains("hunter2"));
}

#[test]
fn schema_violation_on_a_secret_never_echoes_it() {
    let dir = chart_with(&[]);
    let run = run_in(
        dir.path(),
        &["values", ".", "--set-json", "db.password=12345"],
    );
    run.code(1)
        .no_stdout()
        .stderr_has("error[schema]: db.password:");
    assert!(!run.stderr.contains("12345"), "{}", run.stderr);
}

#[test]
fn every_command_validates_before_printing_or_writing() {
    // prod-eu's replicaCount (2) breaks prod's schema, which prod-eu inherits.
    let dir = chart_with(&[]);
    let want = "error[schema]: replicaCount: 2 is less than the minimum of 3\n --> environments/prod-eu.yaml:1:15";
    let before = list_files(dir.path());
    for args in [
        vec!["values", ".", "--env", "prod-eu"],
        vec!["render", ".", "--env", "prod-eu"],
        vec!["diff", ".", "--env", "prod", "--env", "prod-eu"],
        vec![
            "promote",
            ".",
            "--from",
            "prod",
            "--to",
            "prod-eu",
            "--key",
            "replicaCount",
        ],
        vec!["package", ".", "-d", "out"],
    ] {
        run_in(dir.path(), &args)
            .code(1)
            .no_stdout()
            .stderr_has(want);
        assert_eq!(list_files(dir.path()), before, "{args:?} wrote nothing");
    }
}
