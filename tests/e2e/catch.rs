//! The mistakes users actually make (issue 13): a forgotten --env, typo'd
//! and dead values, CRDs, the story of a value, Helm's flags.

use crate::util::*;

const API_ENVS: &str = "dev, staging, prod, prod-eu-central";

// ------------------------------------------------------------ forgotten --env

#[test]
fn values_without_env_shows_the_defaults_and_says_so() {
    let run = strata(&["values", "charts/api"]);
    run.code(0).stderr_is(&format!(
        "info[env]: no --env: these are the chart defaults (values.yaml); environments: {API_ENVS}\n"
    ));
    let defaults = std::fs::read_to_string(root().join("charts/api/values.yaml")).expect("read");
    assert!(run.stdout.contains("replicaCount: "), "{}", run.stdout);
    assert!(defaults.contains("replicaCount: "));
    // With --env, no note.
    strata(&["values", "charts/api", "--env", "dev"])
        .code(0)
        .stderr_is("");
}

// ------------------------------------------------------------ unused values

const TYPOS: &str = "tests/fixtures/typos";

#[test]
fn a_typo_in_each_layer_is_caught_by_render_with_its_origin() {
    let run = strata(&[
        "render",
        TYPOS,
        "--env",
        "prod",
        "-f",
        "tests/fixtures/typos-override.yaml",
        "--set",
        "imagee.tag=2",
    ]);
    // A warning, not an error: the chart renders.
    run.code(0).stdout_has("  replicas: 1\n").stderr_is(
        "warning[unused]: `replicaCont` is unused: no template reads it; did you mean `replicaCount`?
 --> tests/fixtures/typos/environments/prod.yaml:1:1
  |
1 | replicaCont: 9
  | ^
  = environment: prod
warning[unused]: `image.tagg` is unused: no template reads it; did you mean `image.tag`?
 --> tests/fixtures/typos-override.yaml:2:3
  |
2 |   tagg: \"1.28\"
  |   ^
  = environment: prod
warning[unused]: `imagee` (set by --set imagee.tag=2) is unused: no template reads it; did you mean `image`?
  = environment: prod
",
    );
}

#[test]
fn lint_reports_unread_environment_values_and_dead_defaults() {
    let want = "warning[unused]: `ReplicaCount` is unused: no template reads it in any environment; did you mean `replicaCount`?
 --> tests/fixtures/typos/environments/dev.yaml:3:1
  |
3 | ReplicaCount: 2
  | ^
warning[unused]: `replicaCont` is unused: no template reads it in any environment; did you mean `replicaCount`?
 --> tests/fixtures/typos/environments/prod.yaml:1:1
  |
1 | replicaCont: 9
  | ^
info[unused]: chart default `imagePullPolicyy` is unused: no template reads it in any environment; did you mean `imagePullPolicy`?
 --> tests/fixtures/typos/values.yaml:5:1
  |
5 | imagePullPolicyy: IfNotPresent
  | ^
info[unused]: chart default `oldFeature` is unused: no template reads it in any environment
 --> tests/fixtures/typos/values.yaml:9:1
  |
9 | oldFeature: true
  | ^
";
    let run = strata(&["lint", TYPOS]);
    run.code(0)
        .stderr_is(want)
        .stdout_has("linted 1 chart: 0 errors, 2 warnings, 2 info\n");
    // An error with --strict.
    strata(&["lint", TYPOS, "--strict"]).code(1).stderr_is(want);
    // As JSON, with file and line.
    let run = strata(&["lint", TYPOS, "-o", "json"]);
    run.code(0);
    let list: Vec<serde_json::Value> = serde_json::from_str(&run.stdout).expect("json");
    let first = &list[0];
    assert_eq!(first["code"], "unused");
    assert_eq!(first["file"], "tests/fixtures/typos/environments/dev.yaml");
    assert_eq!(first["line"], 3);
}

#[test]
fn values_read_only_in_another_environment_are_not_unused_for_lint() {
    // `extra.x` is read only where `extra` is defined (prod): it is read
    // in some environment, so it is not unused.
    let t = chart_with(
        "typos",
        &[
            (
                "templates/extra.yaml",
                "{% if values.extra is defined %}\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: extra\ndata:\n  x: {{ values.extra.x | quote }}\n{% endif %}\n",
            ),
            ("environments/prod.yaml", "replicaCount: 9\nextra:\n  x: 1\n"),
            ("environments/dev.yaml", "labels: {tier: dev}\n"),
            ("values.yaml", "replicaCount: 1\nimage: {repository: nginx, tag: \"1\"}\nlabels: {}\nresources: {}\n"),
        ],
    );
    let run = strata_in(t.path(), &["lint", "."], None);
    run.code(0).stderr_is("");
}

#[test]
fn values_read_through_iteration_or_toyaml_count_as_read_whole() {
    let t = chart_with(
        "typos",
        &[
            ("environments/prod.yaml", "labels:\n  anything: goes\n  other: x\nresources:\n  limits: {cpu: 1}\n  requests: {memory: 1Gi}\n"),
            ("environments/dev.yaml", ""),
            ("values.yaml", "replicaCount: 1\nimage: {repository: nginx, tag: \"1\"}\nlabels: {}\nresources: {}\n"),
        ],
    );
    strata_in(t.path(), &["lint", "."], None)
        .code(0)
        .stderr_is("");
    strata_in(
        t.path(),
        &["render", ".", "--env", "prod", "--set", "labels.x=y"],
        None,
    )
    .code(0)
    .stderr_is("");
}

/// Every chart and fixture in the repository, every environment: no
/// value a template reads is called unused (render and lint).
#[test]
fn no_false_unused_reports_on_the_charts_of_the_repository() {
    let mut charts: Vec<String> = vec!["charts/api".to_string()];
    let mut dirs: Vec<_> = std::fs::read_dir(root().join("tests/fixtures"))
        .expect("fixtures")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.join("Chart.yaml").is_file())
        .collect();
    dirs.sort();
    for d in dirs {
        let name = d
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_string();
        // The typo fixture is the one meant to have findings.
        if name != "typos" {
            charts.push(format!("tests/fixtures/{name}"));
        }
    }
    let mut checked = 0;
    let mut infos = Vec::new();
    for chart in &charts {
        let envs = strata(&["envs", chart, "-o", "json"]);
        let names: Vec<String> = serde_json::from_str::<serde_json::Value>(&envs.stdout)
            .ok()
            .and_then(|v| v.as_array().cloned())
            .unwrap_or_default()
            .iter()
            .filter_map(|e| e["name"].as_str().map(str::to_string))
            .collect();
        let runs: Vec<Run> = if names.is_empty() {
            vec![strata(&["render", chart])]
        } else {
            names
                .iter()
                .map(|e| strata(&["render", chart, "--env", e]))
                .collect()
        };
        for r in runs {
            assert!(!r.stderr.contains("[unused]"), "{chart}: {}", r.stderr);
            checked += 1;
        }
        let lint = strata(&["lint", chart]);
        assert!(
            !lint.stderr.contains("warning[unused]"),
            "{chart}: {}",
            lint.stderr
        );
        infos.extend(
            lint.stderr
                .lines()
                .filter(|l| l.starts_with("info[unused]"))
                .map(|l| format!("{chart}: {l}")),
        );
    }
    assert!(checked > 30, "{checked} renders");
    // The one dead default: a subchart's value that only its parent's
    // import-values reads (lint of the subchart alone cannot see that).
    assert_eq!(
        infos,
        ["tests/fixtures/umbrella-db: info[unused]: chart default `service` is unused: no template reads it in any environment"]
    );
}

// ------------------------------------------------------------ CRDs and hooks

const CRDS: &str = "tests/fixtures/crds";

const CRD_DOC: &str = "---
# Source: widgets/crds/widget.yaml
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com
spec:
  group: example.com
  names:
    kind: Widget
    plural: widgets
  scope: Namespaced
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          x-kubernetes-preserve-unknown-fields: true

";

const WIDGET_DOC: &str = "---
# Source: widgets/templates/widget.yaml
apiVersion: example.com/v1
kind: Widget
metadata:
  name: shiny
spec:
  size: 3
";

const JOB_DOC: &str = "---
# Source: widgets/templates/migrate.yaml
apiVersion: batch/v1
kind: Job
metadata:
  name: migrate
  annotations:
    helm.sh/hook: pre-install,pre-upgrade
spec:
  template:
    spec:
      restartPolicy: Never
      containers:
        - name: migrate
          image: busybox
";

const TEST_DOC: &str = "---
# Source: widgets/templates/tests/test-connection.yaml
apiVersion: v1
kind: Pod
metadata:
  name: test-connection
  annotations:
    helm.sh/hook: test
spec:
  restartPolicy: Never
  containers:
    - name: wget
      image: busybox
";

const CRDS_LEFT_OUT: &str =
    "info[crds]: left out 1 CRD file (crds/widget.yaml): --include-crds prints them first\n";

#[test]
fn crds_are_left_out_with_a_note_unless_asked_for() {
    let run = strata(&["render", CRDS]);
    run.code(0).stderr_is(CRDS_LEFT_OUT);
    assert_eq!(run.stdout, format!("{WIDGET_DOC}{TEST_DOC}{JOB_DOC}"));
    let run = strata(&["render", CRDS, "--include-crds"]);
    run.code(0).stderr_is("");
    assert_eq!(
        run.stdout,
        format!("{CRD_DOC}{WIDGET_DOC}{TEST_DOC}{JOB_DOC}")
    );
}

#[test]
fn show_only_selects_a_crd_file() {
    let run = strata(&["render", CRDS, "--show-only", "crds/widget.yaml"]);
    run.code(0).stderr_is("");
    assert_eq!(run.stdout, CRD_DOC);
    strata(&["render", CRDS, "--show-only", "crds/nope.yaml"])
        .code(2)
        .no_stdout()
        .stderr_is(
            "error[usage]: --show-only crds/nope.yaml: the chart has no CRD file crds/nope.yaml\n",
        );
}

#[test]
fn skip_tests_and_no_hooks_drop_hooks_as_helm_does() {
    let run = strata(&["render", CRDS, "--skip-tests"]);
    run.code(0);
    assert_eq!(run.stdout, format!("{WIDGET_DOC}{JOB_DOC}"));
    let run = strata(&["render", CRDS, "--no-hooks", "--include-crds"]);
    run.code(0);
    assert_eq!(run.stdout, format!("{CRD_DOC}{WIDGET_DOC}"));
}

/// The fixture is plain YAML, so Helm renders it too: the same bytes for
/// each combination of the flags.
#[test]
fn crd_and_hook_flags_give_helms_bytes() {
    let Some(helm) = helm_binary() else {
        eprintln!("skipped: no helm (bash tests/helm/get-helm.sh)");
        return;
    };
    for flags in [
        &[][..],
        &["--include-crds"],
        &["--skip-tests"],
        &["--no-hooks"],
        &["--include-crds", "--skip-tests"],
        &["--include-crds", "--no-hooks"],
    ] {
        let mut args = vec!["template", CRDS];
        args.extend_from_slice(flags);
        let want = std::process::Command::new(&helm)
            .args(&args)
            .current_dir(root())
            .output()
            .expect("helm");
        assert!(want.status.success(), "{flags:?}");
        let mut ours = vec!["render", CRDS];
        ours.extend_from_slice(flags);
        let run = strata(&ours);
        run.code(0);
        assert_eq!(
            run.stdout,
            String::from_utf8_lossy(&want.stdout),
            "{flags:?}"
        );
    }
}

fn helm_binary() -> Option<std::path::PathBuf> {
    let path = root().join("target/helm/helm");
    path.is_file().then_some(path)
}

#[test]
fn lint_checks_crds_are_yaml_and_custom_resource_definitions() {
    strata(&["lint", CRDS]).code(0);
    let t = chart_with(
        "crds",
        &[
            (
                "crds/cm.yaml",
                "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n",
            ),
            ("crds/bad.yaml", "kind: [\n"),
        ],
    );
    let run = strata_in(t.path(), &["lint", "."], None);
    run.code(1).stderr_has(
        "error[crds]: crds/cm.yaml: crds/ holds CustomResourceDefinitions only, not a ConfigMap (move it to templates/)\n --> crds/cm.yaml:1:1\n",
    );
    run.stderr_has("error[yaml]: invalid YAML: ")
        .stderr_has("crds/bad.yaml:");
}

#[test]
fn package_keeps_the_crds() {
    let t = tempdir();
    let run = strata(&["package", CRDS, "-d", &t.path().display().to_string()]);
    run.code(0);
    let bytes = std::fs::read(t.path().join("widgets-1.0.0.tgz")).expect("archive");
    let mut tar = tar::Archive::new(flate2::read::GzDecoder::new(bytes.as_slice()));
    let names: Vec<String> = tar
        .entries()
        .expect("entries")
        .flatten()
        .filter_map(|e| e.path().ok().map(|p| p.display().to_string()))
        .collect();
    assert!(
        names.contains(&"widgets/crds/widget.yaml".to_string()),
        "{names:?}"
    );
}

// ------------------------------------------------------------ Helm's flags

#[test]
fn values_files_split_on_commas_as_in_helm() {
    let t = tempdir();
    let a = t.path().join("a.yaml");
    let b = t.path().join("b.yaml");
    std::fs::write(&a, "name: from-a\ngreeting: a\n").expect("write");
    std::fs::write(&b, "greeting: from-b\n").expect("write");
    let both = format!("{},{}", a.display(), b.display());
    let run = strata(&["values", &fixture("render-tpl"), "-f", &both]);
    run.code(0)
        .stdout_has("name: from-a\n")
        .stdout_has("greeting: from-b\n");
}

#[test]
fn helm_flags_left_out_on_purpose_say_what_to_do_instead() {
    for (args, want) in [
        (
            &["--post-renderer", "./kustomize.sh"][..],
            "error[usage]: --post-renderer: strata has no post-renderers: pipe the output instead, `strata render … | your-renderer`\n",
        ),
        (
            &["--post-renderer-args=x"],
            "error[usage]: --post-renderer-args: strata has no post-renderers: pipe the output instead, `strata render … | your-renderer`\n",
        ),
        (
            &["--generate-name"],
            "error[usage]: --generate-name: strata names the release with --release NAME (default `release-name`): output depends only on the inputs\n",
        ),
        (
            &["--repo", "https://charts.example.com"],
            "error[usage]: --repo: strata renders local charts (a directory or a .tgz) and never uses the network: fetch the chart first (`helm pull`), then render the file\n",
        ),
        (
            &["--kube-context", "prod"],
            "error[usage]: --kube-context: strata renders and never installs or contacts a cluster: give this flag to the tool that installs the output\n",
        ),
        (
            &["--skip-schema-validation"],
            "error[usage]: --skip-schema-validation: strata always validates values against the chart's schemas: fix the values, or relax values.schema.json\n",
        ),
    ] {
        let mut all = vec!["render", CRDS];
        all.extend_from_slice(args);
        strata(&all).code(2).no_stdout().stderr_is(want);
    }
    // Flags that change nothing here are accepted.
    strata(&[
        "render",
        CRDS,
        "--hide-notes",
        "--skip-crds",
        "--disable-openapi-validation",
    ])
    .code(0)
    .stderr_is(CRDS_LEFT_OUT);
}

// ------------------------------------------------------------ the story of a value

#[test]
fn explain_path_tells_every_layer_that_set_a_value() {
    let run = strata(&[
        "values",
        "charts/api",
        "--env",
        "prod-eu-central",
        "--set",
        "replicaCount=7",
        "--explain",
        "replicaCount",
    ]);
    run.code(0).stderr_is("");
    assert_eq!(
        run.stdout,
        "replicaCount: 7  # --set replicaCount=7
  #   1  values.yaml:14:15
  #   5  environments/prod.yaml:5:15
  # * 7  --set replicaCount=7
"
    );
    // A prefix selects a subtree.
    let run = strata(&["values", "charts/api", "--env", "dev", "--explain", "image"]);
    run.code(0);
    assert_eq!(
        run.stdout,
        "image.repository: \"registry.example.com/shop/api\"  # values.yaml:9:15
image.tag: \"2.5.0-rc.1\"  # environments/dev.yaml:4:8
  #   \"\"  values.yaml:11:8
  # * \"2.5.0-rc.1\"  environments/dev.yaml:4:8
image.pullPolicy: \"IfNotPresent\"  # values.yaml:12:15
"
    );
}

#[test]
fn explain_json_lists_what_was_overridden() {
    let run = strata(&[
        "values",
        "charts/api",
        "--env",
        "prod",
        "--explain",
        "image.tag",
        "-o",
        "json",
    ]);
    run.code(0);
    let v: serde_json::Value = serde_json::from_str(&run.stdout).expect("json");
    assert_eq!(
        v,
        serde_json::json!([{
            "path": "image.tag",
            "value": "2.4.0",
            "source": "environments/prod.yaml:3:8",
            "overridden": [{"value": "", "source": "values.yaml:11:8"}],
        }])
    );
}

#[test]
fn explain_keeps_secrets_redacted_in_every_layer() {
    let run = strata(&[
        "values",
        "tests/fixtures/envflow-render",
        "--env",
        "prod",
        "--set",
        "db.password=hunter2",
        "--explain",
        "db",
    ]);
    run.code(0);
    assert_eq!(
        run.stdout,
        "db.password: \"<redacted>\"  # --set db.password=<redacted>
  #   \"<redacted>\"  values.yaml:8:13
  #   \"<redacted>\"  environments/prod.yaml:6:13
  # * \"<redacted>\"  --set db.password=<redacted>
"
    );
    let json = strata(&[
        "values",
        "tests/fixtures/envflow-render",
        "--env",
        "prod",
        "--explain",
        "db.password",
        "-o",
        "json",
    ]);
    json.code(0);
    assert!(!json.stdout.contains("s3cret"), "{}", json.stdout);
    json.stdout_has("\"value\": \"<redacted>\"");
}

/// docs/helm-flags.md: every flag of the real `helm template --help` is in
/// the table, each refused flag answers with exit 2 and the table's words,
/// each accepted one renders.
#[test]
fn the_helm_flags_table_is_complete_and_true() {
    let doc = std::fs::read_to_string(root().join("docs/helm-flags.md")).expect("doc");
    let mut rows: Vec<(String, String, String)> = Vec::new();
    for line in doc.lines().filter(|l| l.starts_with("| `")) {
        let cells: Vec<&str> = line.trim_matches('|').split(" | ").map(str::trim).collect();
        let long = cells[0]
            .split(", ")
            .last()
            .unwrap_or_default()
            .trim_matches('`')
            .to_string();
        rows.push((long, cells[1].to_string(), cells[2].replace("\\|", "|")));
    }
    assert!(rows.len() > 50, "{} rows", rows.len());
    let advice_of = |flag: &str| -> String {
        let (_, _, notes) = rows.iter().find(|(f, _, _)| f == flag).expect("row");
        match notes.strip_prefix("as `") {
            Some(other) => {
                let other = other.split('`').next().unwrap_or_default().to_string();
                rows.iter()
                    .find(|(f, _, _)| *f == other)
                    .map(|(_, _, n)| n.split(';').next().unwrap_or_default().to_string())
                    .expect("referenced row")
            }
            None => notes.clone(),
        }
    };
    let mut refused = 0;
    for (flag, what, _) in &rows {
        match what.as_str() {
            "refused" => {
                let run = strata(&["render", CRDS, flag]);
                let advice = advice_of(flag).replace('`', "");
                run.code(2).no_stdout();
                let got = run.stderr.replace('`', "");
                assert_eq!(got, format!("error[usage]: {flag}: {advice}\n"), "{flag}");
                refused += 1;
            }
            "accepted" => {
                strata(&["render", CRDS, flag])
                    .code(0)
                    .stderr_is(CRDS_LEFT_OUT);
            }
            _ => {}
        }
    }
    assert!(refused > 30, "{refused}");
    let Some(helm) = helm_binary() else {
        eprintln!("skipped the comparison with helm: bash tests/helm/get-helm.sh");
        return;
    };
    let help = std::process::Command::new(helm)
        .args(["template", "--help"])
        .output()
        .expect("helm");
    let help = String::from_utf8_lossy(&help.stdout).into_owned();
    let flags_part = help.split("Global Flags:").next().unwrap_or_default();
    let mut listed = 0;
    for line in flags_part.lines() {
        let Some(long) = line
            .split_whitespace()
            .find(|w| w.starts_with("--"))
            .map(|w| w.split('[').next().unwrap_or(w))
        else {
            continue;
        };
        assert!(
            rows.iter().any(|(f, _, _)| f == long),
            "docs/helm-flags.md lacks {long}"
        );
        listed += 1;
    }
    assert!(listed > 50, "{listed} flags in helm template --help");
}

#[test]
fn lint_of_one_environment_judges_by_that_environment() {
    strata(&["lint", TYPOS, "--env", "dev"]).code(0).stderr_is(
        "warning[unused]: `ReplicaCount` is unused: no template reads it; did you mean `replicaCount`?
 --> tests/fixtures/typos/environments/dev.yaml:3:1
  |
3 | ReplicaCount: 2
  | ^
  = environment: dev
",
    );
}
