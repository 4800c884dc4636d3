//! `strata parity`, `strata diff`, `strata promote` (issue 5).

use std::path::Path;

use crate::util::*;

const DRIFT: &str = "tests/fixtures/envflow-drift";

// ---------------------------------------------------------------- parity

#[test]
fn parity_of_the_reference_chart_passes_with_declared_differences() {
    let run = strata(&["parity", "charts/api"]);
    run.code(0).stderr_is("");
    run.stdout_has("17 differences, 17 declared in parity.allow, 0 undeclared");
    golden("envflow/api-parity.txt", &run.stdout);
}

#[test]
fn parity_table_reports_undeclared_drift_and_exits_1() {
    let run = strata(&["parity", DRIFT]);
    run.code(1);
    golden("envflow/drift-parity.txt", &run.stdout);
    run.stderr_has(
        "error[parity]: service.port: differs between environments and is not declared in parity.allow\n --> tests/fixtures/envflow-drift/environments/staging.yaml:4:9\n",
    )
    .stderr_has("  = staging: 8080  (tests/fixtures/envflow-drift/environments/staging.yaml:4:9)\n")
    .stderr_has("error[parity]: podAnnotations.team: differs")
    .stderr_has("  = dev: (absent)\n");
    // Declared differences are not errors.
    assert!(!run.stderr.contains("replicaCount"), "{}", run.stderr);
    assert!(
        !run.stderr.contains("featureFlags.checkout"),
        "{}",
        run.stderr
    );
}

#[test]
fn parity_markdown_is_a_pull_request_table() {
    let run = strata(&["parity", DRIFT, "--output", "markdown"]);
    run.code(1);
    golden("envflow/drift-parity.md", &run.stdout);
    run.stdout_has("| Path | dev | staging | prod | Allowed |\n")
        .stdout_has("| `service.port` | `80` | `8080` | `80` | **no** |\n")
        .stdout_has("| `podAnnotations.team` | *absent* | *absent* | `\"payments\"` | **no** |\n");
}

#[test]
fn parity_json_lists_values_with_absent_keys_left_out() {
    let run = strata(&["parity", DRIFT, "-o", "json"]);
    run.code(1);
    golden("envflow/drift-parity.json", &run.stdout);
    let doc: serde_json::Value = serde_json::from_str(&run.stdout).expect("json");
    assert_eq!(
        doc["environments"],
        serde_json::json!(["dev", "staging", "prod"])
    );
    let diffs = doc["differences"].as_array().expect("list");
    let team = diffs
        .iter()
        .find(|d| d["path"] == "podAnnotations.team")
        .expect("podAnnotations.team");
    assert_eq!(team["values"], serde_json::json!({"prod": "payments"}));
    assert_eq!(team["allowed"], false);
    let port = diffs
        .iter()
        .find(|d| d["path"] == "service.port")
        .expect("port");
    assert_eq!(
        port["values"],
        serde_json::json!({"dev": 80, "staging": 8080, "prod": 80})
    );
    let flag = diffs
        .iter()
        .find(|d| d["path"] == "featureFlags.checkout")
        .expect("checkout");
    assert_eq!(flag["allowed"], true, "`*.checkout` covers it");
}

#[test]
fn parity_of_chosen_environments_with_only_declared_differences_passes() {
    let run = strata(&["parity", DRIFT, "--envs", "dev,prod", "-o", "json"]);
    // dev vs prod: podAnnotations.team is still undeclared.
    run.code(1);
    let run = strata(&["parity", DRIFT, "--envs", "dev,staging"]);
    run.code(1).stderr_has("service.port");
    let run = strata(&["parity", "charts/api", "--envs", "staging, prod"]);
    run.code(0)
        .stdout_has("2 environments compared (staging, prod)");
}

#[test]
fn parity_rejects_unknown_environments_and_too_few() {
    strata(&["parity", DRIFT, "--envs", "dev,nope"])
        .code(1)
        .no_stdout()
        .stderr_has(
            "error[env]: unknown environment \"nope\": it is not defined in environments.yaml",
        )
        .stderr_has("= environments: dev, staging, prod");
    strata(&["parity", DRIFT, "--envs", "dev"])
        .code(2)
        .no_stdout()
        .stderr_has("parity compares two or more environments; --envs names only \"dev\"");
    strata(&["parity", DRIFT, "--envs", "dev,dev"])
        .code(2)
        .stderr_has("environment \"dev\" is listed twice");
    strata(&["parity", "tests/fixtures/nope"])
        .code(2)
        .no_stdout();
}

// ---------------------------------------------------------------- diff --values

#[test]
fn diff_values_of_different_environments() {
    let run = strata(&[
        "diff", DRIFT, "--env", "staging", "--env", "prod", "--values",
    ]);
    run.code(0);
    golden("envflow/drift-diff-values.txt", &run.stdout);
    run.stdout_has("--- staging values\n+++ prod values\n")
        .stdout_has("-replicaCount: 2\n+replicaCount: 4\n")
        .stdout_has("-podAnnotations: {}\n+podAnnotations:\n+  team: payments\n");
    strata(&[
        "diff",
        DRIFT,
        "--env",
        "staging",
        "--env",
        "prod",
        "--values",
        "--exit-code",
    ])
    .code(1)
    .stdout_has("+replicaCount: 4");
}

#[test]
fn diff_values_of_identical_environments() {
    let run = strata(&[
        "diff",
        "charts/api",
        "--env",
        "prod",
        "--env",
        "prod",
        "--values",
        "--exit-code",
    ]);
    run.code(0)
        .no_stdout()
        .stderr_is("info[diff]: no differences between the values of \"prod\" and \"prod\"\n");
}

#[test]
fn diff_colour_only_when_asked() {
    let run = strata(&["diff", DRIFT, "-e", "dev", "-e", "prod", "--values"]);
    assert!(!run.stdout.contains('\x1b'));
    let run = strata(&[
        "diff", DRIFT, "-e", "dev", "-e", "prod", "--values", "--color", "always",
    ]);
    run.code(0).stdout_has("\x1b[31m-replicaCount: 1\x1b[0m\n");
}

#[test]
fn diff_rejects_bad_environment_lists() {
    strata(&["diff", DRIFT, "--env", "dev", "--env", "nope", "--values"])
        .code(1)
        .no_stdout()
        .stderr_has("unknown environment \"nope\"");
    strata(&["diff", DRIFT, "--env", "dev", "--values"])
        .code(2)
        .no_stdout()
        .stderr_has("diff compares two environments: give --env A --env B (got 1)");
}

// ---------------------------------------------------------------- promote

/// A scratch copy of the promote fixture.
fn promote_chart() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempdir();
    let chart = dir.path().join("shop");
    copy_dir(&root().join("tests/fixtures/envflow-promote"), &chart);
    (dir, chart)
}

fn read(chart: &Path, file: &str) -> String {
    std::fs::read_to_string(chart.join(file)).expect("read")
}

fn run_in(chart: &Path, args: &[&str]) -> Run {
    let mut full = vec![args[0], "."];
    full.extend_from_slice(&args[1..]);
    strata_in(chart, &full, None)
}

#[test]
fn promote_existing_scalar_changes_exactly_one_line() {
    let (_d, chart) = promote_chart();
    let before = read(&chart, "environments/staging.yaml");
    let run = run_in(&chart, &["promote", "--to", "staging"]);
    run.code(0).stderr_is("");
    assert_eq!(
        run.stdout,
        "promoted 1 value from \"dev\" to \"staging\" in environments/staging.yaml:\n  image.tag: \"1.2.0\" -> \"1.3.0-rc.2\"\n"
    );
    let after = read(&chart, "environments/staging.yaml");
    assert_eq!(
        after,
        before.replace("  tag: \"1.2.0\"\n", "  tag: \"1.3.0-rc.2\"\n")
    );
    let changed: Vec<_> = before
        .lines()
        .zip(after.lines())
        .filter(|(a, b)| a != b)
        .collect();
    assert_eq!(changed.len(), 1);
    assert_eq!(before.lines().count(), after.lines().count());
    // Staging now has the value.
    strata_in(&chart, &["values", ".", "--env", "staging"], None)
        .code(0)
        .stdout_has("tag: 1.3.0-rc.2");
    // Only staging's file was touched; no temporary file is left.
    assert_eq!(
        read(&chart, "environments/prod.yaml"),
        read(
            &root().join("tests/fixtures/envflow-promote"),
            "environments/prod.yaml"
        )
    );
    assert_eq!(
        list_files(&chart),
        list_files(&root().join("tests/fixtures/envflow-promote"))
    );
}

#[test]
fn promote_keeps_the_targets_quoting_and_comment() {
    let (_d, chart) = promote_chart();
    let before = read(&chart, "environments/prod.yaml");
    run_in(&chart, &["promote", "--from", "dev", "--to", "prod"]).code(0);
    assert_eq!(
        read(&chart, "environments/prod.yaml"),
        before.replace(
            "  tag: \"1.2.0\"  # the released version\n",
            "  tag: \"1.3.0-rc.2\"  # the released version\n"
        )
    );
}

#[test]
fn promote_missing_key_is_added_in_place() {
    let (_d, chart) = promote_chart();
    let before = read(&chart, "environments/staging.yaml");
    run_in(
        &chart,
        &[
            "promote",
            "--from",
            "dev",
            "--to",
            "staging",
            "--key",
            "resources.limits.memory",
        ],
    )
    .code(0)
    .stdout_has("  resources.limits.memory: (absent) -> \"256Mi\"\n");
    assert_eq!(
        read(&chart, "environments/staging.yaml"),
        format!("{before}resources:\n  limits:\n    memory: 256Mi\n")
    );
    // A key under an existing map goes after that map's last entry.
    run_in(
        &chart,
        &[
            "promote",
            "--from",
            "prod",
            "--to",
            "staging",
            "--key",
            "labels.extra",
        ],
    )
    .code(0);
    assert_eq!(
        read(&chart, "environments/staging.yaml"),
        format!("{before}resources:\n  limits:\n    memory: 256Mi\n").replace(
            "labels:\n  tier: pre-prod\n",
            "labels:\n  tier: pre-prod\n  extra: \"yes\"\n"
        )
    );
}

#[test]
fn promote_whole_map_writes_block_yaml_of_what_differs() {
    let (_d, chart) = promote_chart();
    let before = read(&chart, "environments/prod.yaml");
    run_in(
        &chart,
        &[
            "promote",
            "--from",
            "dev",
            "--to",
            "prod",
            "--key",
            "resources",
        ],
    )
    .code(0);
    assert_eq!(
        read(&chart, "environments/prod.yaml"),
        format!("{before}resources:\n  requests:\n    cpu: 100m\n    memory: 128Mi\n  limits:\n    memory: 256Mi\n")
    );
    // prod's merged resources now equal dev's.
    let dev = strata_in(&chart, &["values", ".", "--env", "dev", "-o", "json"], None);
    let prod = strata_in(
        &chart,
        &["values", ".", "--env", "prod", "-o", "json"],
        None,
    );
    let dev: serde_json::Value = serde_json::from_str(&dev.stdout).expect("json");
    let prod: serde_json::Value = serde_json::from_str(&prod.stdout).expect("json");
    assert_eq!(dev["resources"], prod["resources"]);
}

#[test]
fn promote_into_an_environment_without_a_file_creates_it() {
    let (_d, chart) = promote_chart();
    run_in(
        &chart,
        &[
            "promote",
            "--from",
            "prod",
            "--to",
            "qa",
            "--key",
            "image.tag",
        ],
    )
    .code(0)
    .stdout_has("in environments/qa.yaml (new file):");
    assert_eq!(
        read(&chart, "environments/qa.yaml"),
        "image:\n  tag: 1.2.0\n"
    );
}

#[test]
fn promote_refuses_when_the_target_would_still_differ() {
    let (_d, chart) = promote_chart();
    let before = read(&chart, "environments/prod.yaml");
    // prod's file has labels.extra, which staging lacks: copying staging's
    // labels cannot make prod's equal without deleting it.
    run_in(
        &chart,
        &[
            "promote", "--from", "staging", "--to", "prod", "--key", "labels",
        ],
    )
    .code(1)
    .no_stdout()
    .stderr_has(
        "error[promote]: labels: after the edit, \"prod\" would still differ from \"staging\"",
    )
    .stderr_has("= \"prod\" has keys \"staging\" does not: labels.extra (environments/prod.yaml:9:10); remove them first");
    assert_eq!(read(&chart, "environments/prod.yaml"), before);
}

#[test]
fn promote_dry_run_prints_the_diff_and_writes_nothing() {
    let (_d, chart) = promote_chart();
    let before = read(&chart, "environments/staging.yaml");
    let run = run_in(&chart, &["promote", "--to", "staging", "--dry-run"]);
    run.code(0).stderr_is("");
    assert_eq!(
        run.stdout,
        "--- a/environments/staging.yaml\n+++ b/environments/staging.yaml\n@@ -1,7 +1,7 @@\n # Staging: like prod, smaller.\n image:\n   # Bumped by `strata promote --to staging`.\n-  tag: \"1.2.0\"\n+  tag: \"1.3.0-rc.2\"\n \n replicaCount: 2   # two is enough\n \n"
    );
    assert_eq!(read(&chart, "environments/staging.yaml"), before);
}

#[test]
fn promote_with_nothing_to_change_says_so() {
    let (_d, chart) = promote_chart();
    let before = read(&chart, "environments/prod.yaml");
    run_in(&chart, &["promote", "--to", "prod"])
        .code(0)
        .stderr_is("")
        .stdout_has(
            "nothing to promote: \"prod\" already has \"staging\"'s values for image.tag\n",
        );
    assert_eq!(read(&chart, "environments/prod.yaml"), before);
}

#[test]
fn promote_write_failure_leaves_the_old_file() {
    let (_d, chart) = promote_chart();
    let before = read(&chart, "environments/staging.yaml");
    // No file may grow past 0 blocks (works as root too, unlike a read-only
    // directory): the temporary file cannot be written, the target stays.
    let out = std::process::Command::new("sh")
        .arg("-c")
        .arg("trap '' XFSZ; ulimit -f 0; exec \"$0\" promote . --to staging")
        .arg(env!("CARGO_BIN_EXE_strata"))
        .current_dir(&chart)
        .env("NO_COLOR", "1")
        .output()
        .expect("run");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("error[io]: writing environments/staging.yaml (left unchanged): "),
        "{stderr}"
    );
    assert!(out.stdout.is_empty());
    assert_eq!(read(&chart, "environments/staging.yaml"), before);
    assert_eq!(
        list_files(&chart),
        list_files(&root().join("tests/fixtures/envflow-promote")),
        "no temporary file left"
    );
}

#[test]
fn promote_errors_name_the_path_and_environment() {
    let (_d, chart) = promote_chart();
    let before = list_files(&chart);
    run_in(
        &chart,
        &[
            "promote", "--from", "dev", "--to", "staging", "--key", "nope.x",
        ],
    )
    .code(1)
    .no_stdout()
    .stderr_has("error[promote]: nope.x: no such value in environment \"dev\"");
    run_in(&chart, &["promote", "--to", "nope"])
        .code(1)
        .no_stdout()
        .stderr_has("unknown environment \"nope\"");
    run_in(&chart, &["promote", "--to", "dev"])
        .code(2)
        .stderr_has("\"dev\" is first in the promotion order: nothing comes before it; give --from (promotion: dev -> staging -> prod)");
    run_in(&chart, &["promote", "--to", "qa"])
        .code(2)
        .stderr_has("\"qa\" is not in the promotion order");
    run_in(&chart, &["promote"])
        .code(2)
        .stderr_has("say where to promote");
    run_in(&chart, &["promote", "--from", "dev", "--to", "dev"])
        .code(2)
        .stderr_has("--from and --to are both \"dev\"");
    assert_eq!(list_files(&chart), before);
    for f in ["dev", "staging", "prod"] {
        let file = format!("environments/{f}.yaml");
        assert_eq!(
            read(&chart, &file),
            read(&root().join("tests/fixtures/envflow-promote"), &file)
        );
    }
    run_in(&chart, &["promote", "--from", "prod", "--to", "ci"])
        .code(1)
        .no_stdout()
        .stderr_has(
            "error[promote]: environment \"ci\" has no values file of its own to promote into",
        )
        .stderr_has("= list one under environments.ci.values in environments.yaml");
    assert_eq!(
        list_files(&chart),
        before,
        "no environments/ci.yaml created"
    );
    // A packaged chart cannot be edited.
    strata(&[
        "promote",
        "tests/fixtures/envflow-promote.tgz",
        "--to",
        "staging",
    ])
    .code(2)
    .stderr_has("promote edits a chart directory's files");
}

// ---------------------------------------------------------------- docs

#[test]
fn docs_environments_examples_are_true() {
    let doc = std::fs::read_to_string(root().join("docs/environments.md")).expect("docs");
    let parity = strata(&[
        "parity",
        "charts/api",
        "--envs",
        "staging,prod",
        "--output",
        "markdown",
    ]);
    parity.code(0);
    assert!(
        doc.contains(&parity.stdout),
        "docs/environments.md: parity example is stale:\n{}",
        parity.stdout
    );
    let diff = strata(&[
        "diff",
        "charts/api",
        "--env",
        "prod",
        "--env",
        "prod-eu-central",
        "--values",
    ]);
    diff.code(0);
    assert!(
        doc.contains(&format!("```diff\n{}```", diff.stdout)),
        "diff example is stale:\n{}",
        diff.stdout
    );
    // The rendered diff example is the header and the Deployment's section.
    let rendered = strata(&[
        "diff",
        "charts/api",
        "--env",
        "prod",
        "--env",
        "prod-eu-central",
    ]);
    rendered.code(0).stderr_is(
        "info[diff]: namespace shop-prod (prod and prod-eu-central) is shown as <namespace>\n",
    );
    let out = &rendered.stdout;
    let start = out.find("--- prod Deployment").expect("deployment");
    let end = out.find("--- prod HorizontalPodAutoscaler").expect("hpa");
    let excerpt = format!("```diff\n{}```", &out[start..end]);
    assert!(
        doc.contains(&excerpt),
        "rendered diff example is stale:\n{excerpt}"
    );
    let promote = strata(&["promote", "charts/api", "--to", "staging", "--dry-run"]);
    promote.code(0);
    assert!(
        doc.contains(&format!("```diff\n{}```", promote.stdout)),
        "promote example is stale:\n{}",
        promote.stdout
    );
}

#[test]
fn promote_without_keys_says_how_to_give_them() {
    strata(&["promote", DRIFT, "--to", "staging"])
        .code(2)
        .no_stdout()
        .stderr_has("no keys to promote: give --key PATH, or list defaults under `promote:` in environments.yaml");
}

// ---------------------------------------------------------------- rendered diff

const RENDER: &str = "tests/fixtures/envflow-render";

#[test]
fn diff_rendered_resources_with_added_and_removed_ones() {
    let run = strata(&["diff", RENDER, "--env", "staging", "--env", "prod"]);
    run.code(0).stderr_is(
        "info[diff]: namespaces normalised: web-staging (staging) and web-prod (prod) are shown as <namespace>\n",
    );
    golden("envflow/render-diff-staging-prod.txt", &run.stdout);
    run.stdout_has("--- staging Deployment <namespace>/web\n+++ prod Deployment <namespace>/web\n")
    .stdout_has("-  replicas: 2\n+  replicas: 4\n")
    // Removed and added resources are shown whole.
    .stdout_has("--- staging ConfigMap <namespace>/web-debug\n+++ /dev/null\n@@ -1,7 +0,0 @@\n-apiVersion: v1\n")
    .stdout_has("--- /dev/null\n+++ prod Ingress <namespace>/web\n@@ -0,0 +1,8 @@\n+apiVersion: networking.k8s.io/v1\n");
    // The namespace inside a value (api.<ns>.svc…) is normalised too, and
    // the Service, which differs only by namespace, is not shown.
    assert!(!run.stdout.contains("UPSTREAM"), "{}", run.stdout);
    assert!(!run.stdout.contains("Service"), "{}", run.stdout);
    // Secrets (writeOnly db.password) never show; that they differ does.
    assert!(!run.stdout.contains("s3cret"), "{}", run.stdout);
    run.stdout_has("--- staging Secret <namespace>/web-db\n+++ prod Secret <namespace>/web-db\n# secret values differ (not shown)\n")
        .stdout_has("--- staging ConfigMap <namespace>/web-db-url\n+++ prod ConfigMap <namespace>/web-db-url\n# secret values differ (not shown)\n");
    strata(&[
        "diff",
        RENDER,
        "--env",
        "staging",
        "--env",
        "prod",
        "--exit-code",
    ])
    .code(1)
    .stdout_has("+  replicas: 4");
}

#[test]
fn diff_rendered_identical_environments_in_other_namespaces() {
    for (a, b) in [("prod", "prod-copy"), ("dev", "staging")] {
        let run = strata(&["diff", RENDER, "--env", a, "--env", b, "--exit-code"]);
        // Nothing on stdout when nothing differs (as `diff`); notes on stderr.
        run.code(0).no_stdout().stderr_is(&format!(
            "info[diff]: namespaces normalised: web-{a} ({a}) and web-{b} ({b}) are shown as <namespace>\ninfo[diff]: no differences between the rendered resources of \"{a}\" and \"{b}\"\n"
        ));
    }
}

#[test]
fn diff_rendered_of_the_reference_chart() {
    let run = strata(&["diff", "charts/api", "--env", "staging", "--env", "prod"]);
    run.code(0);
    golden("envflow/api-diff-staging-prod.txt", &run.stdout);
    run.stdout_has(
        "--- /dev/null\n+++ prod HorizontalPodAutoscaler <namespace>/release-name-api\n",
    );
}

#[test]
fn parity_and_diff_read_packaged_charts() {
    let dir = tempdir();
    let out = dir.path().to_str().expect("utf-8 temp path");
    strata(&["package", "charts/api", "-d", out]).code(0);
    let tgz = list_files(dir.path())
        .into_iter()
        .find(|f| f.ends_with(".tgz"))
        .expect("a package");
    let tgz = dir.path().join(tgz);
    let tgz = tgz.to_str().expect("utf-8 path");
    let packaged = strata(&["parity", tgz]);
    packaged.code(0);
    assert_eq!(packaged.stdout, strata(&["parity", "charts/api"]).stdout);
    let packaged = strata(&["diff", tgz, "--env", "staging", "--env", "prod"]);
    packaged.code(0);
    assert_eq!(
        packaged.stdout,
        strata(&["diff", "charts/api", "--env", "staging", "--env", "prod"]).stdout
    );
    // promote cannot edit an archive, and says so.
    strata(&["promote", tgz, "--to", "staging"])
        .code(2)
        .no_stdout()
        .stderr_has("promote edits a chart directory's files; it cannot edit a packaged chart");
}

#[test]
fn promote_refuses_what_the_targets_schema_rejects() {
    let (_d, chart) = promote_chart();
    let before = read(&chart, "environments/prod.yaml");
    let run = run_in(
        &chart,
        &[
            "promote",
            "--from",
            "dev",
            "--to",
            "prod",
            "--key",
            "replicaCount",
        ],
    );
    run.code(1)
        .no_stdout()
        .stderr_has("error[schema]: replicaCount: 1 is less than the minimum of 3")
        .stderr_has("= promotion refused: \"prod\" would fail this with the promoted values; nothing was written");
    assert_eq!(read(&chart, "environments/prod.yaml"), before);
    assert_eq!(
        list_files(&chart),
        list_files(&root().join("tests/fixtures/envflow-promote"))
    );
    // --dry-run refuses too, rather than show an edit that cannot be made.
    run_in(
        &chart,
        &[
            "promote",
            "--from",
            "dev",
            "--to",
            "prod",
            "--key",
            "replicaCount",
            "--dry-run",
        ],
    )
    .code(1)
    .no_stdout();
}

#[test]
fn secrets_are_compared_but_never_shown() {
    // db.password is writeOnly in values.schema.json; dev sets it.
    let run = strata(&["parity", DRIFT]);
    run.code(1)
        .stdout_has("db.password            \"<redacted>\"  \"<redacted>\"  \"<redacted>\"  NO\n")
        .stderr_has("error[parity]: db.password: differs between environments");
    for out in ["table", "markdown", "json"] {
        let run = strata(&["parity", DRIFT, "-o", out]);
        assert!(!run.stdout.contains("hunter2"), "{out}: {}", run.stdout);
        assert!(!run.stderr.contains("hunter2"), "{out}: {}", run.stderr);
    }
    let run = strata(&["diff", DRIFT, "-e", "dev", "-e", "prod", "--values"]);
    run.code(0);
    assert!(!run.stdout.contains("hunter2"), "{}", run.stdout);
    // promote refuses to copy a secret, or a map holding one.
    let dir = tempdir();
    let chart = dir.path().join("c");
    copy_dir(&root().join(DRIFT), &chart);
    for key in ["db.password", "db"] {
        strata_in(&chart, &["promote", ".", "--from", "dev", "--to", "prod", "--key", key], None)
            .code(1)
            .no_stdout()
            .stderr_has(&format!(
                "error[promote]: {key}: refusing to copy a secret (db.password is writeOnly in the schema) into a values file"
            ));
    }
    assert_eq!(list_files(&chart), list_files(&root().join(DRIFT)));
    assert_eq!(
        read(&chart, "environments/prod.yaml"),
        read(&root().join(DRIFT), "environments/prod.yaml")
    );
}

#[test]
fn promote_refuses_what_the_target_cannot_render() {
    let dir = tempdir();
    let chart = dir.path().join("c");
    copy_dir(&root().join(RENDER), &chart);
    let before = read(&chart, "environments/staging.yaml");
    strata_in(
        &chart,
        &["promote", ".", "--from", "load", "--to", "staging", "--key", "replicaCount"],
        None,
    )
    .code(1)
    .no_stdout()
    .stderr_has("error[template]: fail: replicaCount 50 is more than this chart supports (10)")
    .stderr_has("= environment: staging")
    .stderr_has("= promotion refused: \"staging\" would fail this with the promoted values; nothing was written");
    assert_eq!(read(&chart, "environments/staging.yaml"), before);
    assert_eq!(list_files(&chart), list_files(&root().join(RENDER)));
}

#[test]
fn promote_into_a_file_other_environments_layer_checks_them_too() {
    let dir = tempdir();
    let chart = dir.path().join("api");
    copy_dir(&root().join("charts/api"), &chart);
    let before = read(&chart, "environments/prod.yaml");
    let run = strata_in(
        &chart,
        &[
            "promote",
            ".",
            "--from",
            "dev",
            "--to",
            "prod",
            "--key",
            "env.LOG_LEVEL",
        ],
        None,
    );
    run.code(0).stderr_is("");
    assert_eq!(
        run.stdout,
        "promoted 1 value from \"dev\" to \"prod\" in environments/prod.yaml:\n  env.LOG_LEVEL: \"warn\" -> \"debug\"\nenvironments/prod.yaml is also a layer of prod-eu-central: checked with the edit too\n"
    );
    assert_eq!(
        read(&chart, "environments/prod.yaml"),
        before.replace("  LOG_LEVEL: warn\n", "  LOG_LEVEL: debug\n")
    );
    // And prod's schema (inherited by prod-eu-central) refuses an -rc tag.
    strata_in(
        &chart,
        &["promote", ".", "--from", "dev", "--to", "prod"],
        None,
    )
    .code(1)
    .no_stdout()
    .stderr_has("error[schema]: image.tag: \"2.5.0-rc.1\" does not match");
}
