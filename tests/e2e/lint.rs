//! `strata lint`: charts from paths, every check, every output format.

use std::path::Path;

use crate::util::*;

const TOKEN: &str = "ghp_Zx8mQ2pLk9Vt4RwN7yBc3HdJf6Gs1Ae5Ku0T";

fn lint_in(dir: &Path, args: &[&str]) -> Run {
    let mut all = vec!["lint"];
    all.extend_from_slice(args);
    strata_in(dir, &all, None)
}

#[test]
fn the_reference_chart_is_clean() {
    strata(&["lint", "charts/api"])
        .code(0)
        .stdout_has("linted 1 chart: 0 errors, 0 warnings, 0 info\n")
        .stderr_is("");
}

#[test]
fn a_values_mistake_in_one_environment_names_file_and_line() {
    let dir = chart_with("schema", &[]);
    lint_in(dir.path(), &[])
        .code(1)
        .stdout_has("linted 1 chart: 1 error")
        .stderr_has("error[schema]: replicaCount: 2 is less than the minimum of 3\n --> environments/prod-eu.yaml:1:15\n  |\n1 | replicaCount: 2\n")
        .stderr_has("= environment: prod-eu");
    // Only dev: fine.
    lint_in(dir.path(), &["--env", "dev"]).code(0);
}

#[test]
fn a_bad_default_is_reported_once_for_all_environments() {
    let dir = chart_with(
        "schema",
        &[(
            "values.yaml",
            "image:\n  repository: shop\n  tag: 5\nreplicaCount: 3\n",
        )],
    );
    let run = lint_in(dir.path(), &[]);
    run.code(1)
        .stderr_has("error[schema]: image.tag: 5 is not of type \"string\"\n --> values.yaml:3:8")
        .stderr_has("= environment: dev, prod, prod-eu");
    assert_eq!(
        run.stderr.matches("image.tag: 5").count(),
        1,
        "{}",
        run.stderr
    );
}

#[test]
fn yaml11_boolean_and_octal_are_warnings_failing_only_with_strict() {
    let dir = chart_with(
        "schema",
        &[(
            "environments/dev.yaml",
            "replicaCount: 1\nfeature: yes\nmode: 0755\n",
        )],
    );
    // `feature` and `mode` are unknown keys to the schema, so widen it.
    std::fs::write(dir.path().join("values.schema.json"), "{}").unwrap();
    let run = lint_in(dir.path(), &["--env", "dev"]);
    run.code(0)
        .stderr_has("warning[yaml11]: unquoted `yes` is the string \"yes\" to strata (YAML 1.2) but the boolean true to Helm (YAML 1.1): quote it (\"yes\") or write true\n --> environments/dev.yaml:2:10")
        .stderr_has("warning[yaml11]: unquoted `0755` is the integer 755 to strata (YAML 1.2) but the octal number 493 to Helm (YAML 1.1)")
        .stdout_has("2 warnings");
    lint_in(dir.path(), &["--env", "dev", "--strict"]).code(1);
}

#[test]
fn a_value_for_a_write_only_property_is_an_error_without_echo() {
    let dir = chart_with(
        "schema",
        &[(
            "environments/prod.yaml",
            "replicaCount: 3\ndb:\n  password: hunter2-prod\n",
        )],
    );
    let run = lint_in(dir.path(), &[]);
    run.code(1)
        .stderr_has("error[secret]: db.password: a value for a secret (writeOnly in the schema) is set in a values file\n --> environments/prod.yaml:3:13\n")
        .stderr_has("ExternalSecret");
    assert!(!run.stderr.contains("hunter2"), "{}", run.stderr);
}

#[test]
fn a_plaintext_token_is_an_error_suggesting_an_external_secret() {
    let values = format!("replicaCount: 1\ngithub:\n  token: {TOKEN}\n");
    let dir = chart_with(
        "schema",
        &[
            ("environments/dev.yaml", &values),
            ("values.schema.json", "{}"),
        ],
    );
    let run = lint_in(dir.path(), &[]);
    run.code(1)
        .stderr_has("error[secret]: github.token: plaintext credential: the value looks like a GitHub token\n --> environments/dev.yaml:3:10\n")
        .stderr_has("sync it with an ExternalSecret");
    assert!(!run.stderr.contains(TOKEN), "{}", run.stderr);
    // Names of Secrets are not secrets.
    let dir = chart_with(
        "schema",
        &[
            ("environments/dev.yaml", "db:\n  existingSecret: db-credentials-2024xQ9\n  passwordSecretRef: vault-db-password-7Hk2\n"),
            ("values.schema.json", "{}"),
        ],
    );
    lint_in(dir.path(), &["--env", "dev"]).code(0);
}

#[test]
fn lint_over_files_inside_a_chart_checks_the_chart_once() {
    let dir = tempdir();
    copy_dir(&root().join(fixture("schema")), &dir.path().join("shop"));
    let run = lint_in(
        dir.path(),
        &[
            "shop/values.yaml",
            "shop/environments/prod-eu.yaml",
            "shop/Chart.yaml",
            "shop",
        ],
    );
    run.code(1)
        .stdout_has("linted 1 chart:")
        .stderr_has(" --> shop/environments/prod-eu.yaml:1:15");
    assert_eq!(
        run.stderr.matches("error[schema]").count(),
        1,
        "{}",
        run.stderr
    );
    // Without paths: every chart below the current directory.
    copy_dir(&root().join("charts/api"), &dir.path().join("api"));
    lint_in(dir.path(), &[])
        .code(1)
        .stdout_has("linted 2 charts:");
    // A file outside any chart is a usage error.
    std::fs::write(dir.path().join("README.md"), "x").unwrap();
    lint_in(dir.path(), &["README.md"])
        .code(2)
        .no_stdout()
        .stderr_has(
            "error[usage]: README.md is not inside a chart: no Chart.yaml in it or above it",
        );
}

#[test]
fn json_output_lists_every_finding_with_its_place() {
    let dir = chart_with("schema", &[]);
    let run = lint_in(dir.path(), &["-o", "json"]);
    run.code(1).stderr_is("");
    let v: serde_json::Value = serde_json::from_str(&run.stdout).expect("json");
    let list = v.as_array().expect("list");
    assert_eq!(list.len(), 1);
    let f = &list[0];
    assert_eq!(f["severity"], "error");
    assert_eq!(f["code"], "schema");
    assert_eq!(
        f["message"],
        "replicaCount: 2 is less than the minimum of 3"
    );
    assert_eq!(f["file"], "environments/prod-eu.yaml");
    assert_eq!(f["line"], 1);
    assert_eq!(f["column"], 15);
    assert_eq!(f["environment"], "prod-eu");
}

#[test]
fn github_output_is_workflow_annotations() {
    let dir = tempdir();
    copy_dir(&root().join(fixture("schema")), &dir.path().join("shop"));
    let run = lint_in(dir.path(), &["shop", "--output", "github"]);
    run.code(1).stderr_is("").stdout_has(
        "::error file=shop/environments/prod-eu.yaml,line=1,col=15,title=strata schema::replicaCount: 2 is less than the minimum of 3 (environment prod-eu)%0Arule: environments/prod.schema.json#/properties/replicaCount/minimum\n",
    );
}

#[test]
fn broken_schemas_are_lint_errors_naming_the_file() {
    for (text, want) in [
        ("{\"type\": \"object\",}", "error[schema]: values.schema.json is not valid JSON"),
        ("{\"type\": \"objekt\"}", "error[schema]: values.schema.json is not a valid JSON Schema"),
        (
            "{\"$ref\": \"http://example.com/values.json\"}",
            "error[schema]: values.schema.json: remote $ref \"http://example.com/values.json\" is not allowed",
        ),
    ] {
        let dir = chart_with("schema", &[("values.schema.json", text)]);
        let run = lint_in(dir.path(), &[]);
        run.code(1).stderr_has(want);
        assert_eq!(run.stderr.matches(want).count(), 1, "{}", run.stderr);
    }
}

#[test]
fn chart_yaml_rules_use_helms_messages_and_severities() {
    let dir = chart_with(
        "schema",
        &[(
            "Chart.yaml",
            "apiVersion: v2\nname: shop\nversion: \"1.0\"\nicon: riverrun.io\n",
        )],
    );
    lint_in(dir.path(), &[])
        .code(1)
        .stderr_has("error[chart]: invalid icon URL 'riverrun.io'\n --> Chart.yaml:4:7")
        .stderr_has("warning[chart]: version '1.0' is not a valid SemVerV2\n --> Chart.yaml:3:10");
}

#[test]
fn a_chart_without_schema_gets_an_info_note_only() {
    let dir = tempdir();
    std::fs::write(
        dir.path().join("Chart.yaml"),
        "apiVersion: v2\nname: tiny\nversion: 0.1.0\nicon: https://example.com/i.png\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("values.yaml"), "replicaCount: 1\n").unwrap();
    let before = list_files(dir.path());
    let run = lint_in(dir.path(), &["--strict"]);
    run.code(0)
        .stderr_has("info[schema]: no values.schema.json: values are not validated");
    assert_eq!(list_files(dir.path()), before, "lint writes nothing");
}

#[test]
fn a_packaged_chart_is_linted_with_paths_inside_the_archive() {
    let dir = tempdir();
    copy_dir(&root().join(fixture("schema")), &dir.path().join("shop"));
    let tar = std::process::Command::new("tar")
        .args(["czf", "shop-1.0.0.tgz", "shop"])
        .current_dir(dir.path())
        .status()
        .expect("run tar");
    assert!(tar.success());
    std::fs::remove_dir_all(dir.path().join("shop")).unwrap();
    lint_in(dir.path(), &["shop-1.0.0.tgz"])
        .code(1)
        .stderr_has("error[schema]: replicaCount: 2 is less than the minimum of 3\n --> shop-1.0.0.tgz:shop/environments/prod-eu.yaml:1:15");
}

const CM: &str = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: shop\ndata:\n  replicas: \"{{ values.replicaCount }}\"\n{% if values.replicaCount > 2 %}\n  tier: {{ values.tier }}\n{% endif %}\n";

#[test]
fn every_environment_renders_and_template_errors_name_the_environment() {
    let dir = chart_with("schema", &[("templates/cm.yaml", CM)]);
    lint_in(dir.path(), &["--env", "dev"]).code(0);
    lint_in(dir.path(), &["--env", "prod"])
        .code(1)
        .stderr_has("error[template]: undefined value: `values.tier`\n --> templates/cm.yaml:8:12")
        .stderr_has("= environment: prod");
    // prod-eu's values are invalid: it is reported for them, not rendered.
    let run = lint_in(dir.path(), &[]);
    run.code(1)
        .stderr_has("error[schema]: replicaCount: 2 is less than the minimum of 3")
        .stderr_has("= environment: prod\n");
    assert_eq!(
        run.stderr.matches("error[template]").count(),
        1,
        "{}",
        run.stderr
    );
}

#[test]
fn rendered_output_is_checked() {
    strata(&["lint", "tests/fixtures/render-no-kind"])
        .code(1)
        .stderr_has("error[render]: templates/configmap.yaml: a rendered document has no kind");
    strata(&["lint", "tests/fixtures/render-duplicate"])
        .code(1)
        .stderr_has("error[render]: duplicate resource: ConfigMap \"demo-config\"");
}

#[cfg(unix)]
#[test]
fn a_chart_that_cannot_be_read_does_not_stop_the_others() {
    let dir = tempdir();
    copy_dir(&root().join(fixture("schema")), &dir.path().join("a"));
    copy_dir(&root().join("charts/api"), &dir.path().join("b"));
    std::fs::write(dir.path().join("secret.txt"), "outside").unwrap();
    std::os::unix::fs::symlink(dir.path().join("secret.txt"), dir.path().join("b/leak.txt"))
        .unwrap();
    lint_in(dir.path(), &[])
        .code(1)
        .stdout_has("linted 2 charts: 2 errors")
        .stderr_has("outside the chart")
        .stderr_has(" --> a/environments/prod-eu.yaml:1:15");
}
