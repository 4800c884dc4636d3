//! `strata render`: the reference chart's manifests, options, and every
//! template mistake reported at its own source line.

use crate::util::*;

const ENVS: [&str; 4] = ["dev", "staging", "prod", "prod-eu-central"];

#[test]
fn api_renders_for_every_environment_byte_for_byte() {
    for env in ENVS {
        let run = strata(&["render", "charts/api", "--env", env]);
        run.code(0).stderr_is("");
        golden(&format!("api/render-{env}.yaml"), &run.stdout);
        // Deterministic: a second run gives the same bytes.
        let again = strata(&["render", "charts/api", "--env", env]);
        assert_eq!(run.stdout, again.stdout, "{env} differs between runs");
    }
}

#[test]
fn api_environments_differ_where_intended() {
    let count = |s: &str, needle: &str| s.matches(needle).count();
    let dev = strata(&["render", "charts/api", "--env", "dev"]).stdout;
    let staging = strata(&["render", "charts/api", "--env", "staging"]).stdout;
    let prod = strata(&["render", "charts/api", "--env", "prod"]).stdout;
    let eu = strata(&["render", "charts/api", "--env", "prod-eu-central"]).stdout;
    assert!(dev.contains("  replicas: 1\n"));
    assert!(staging.contains("  replicas: 3\n"));
    assert!(prod.contains("  replicas: 5\n"));
    // Ingress and autoscaling in prod only.
    for s in [&dev, &staging] {
        assert_eq!(count(s, "kind: Ingress\n"), 0);
        assert_eq!(count(s, "kind: HorizontalPodAutoscaler\n"), 0);
    }
    for s in [&prod, &eu] {
        assert_eq!(count(s, "kind: Ingress\n"), 1);
        assert_eq!(count(s, "kind: HorizontalPodAutoscaler\n"), 1);
    }
    // The nightly scale-down is dev's alone.
    assert!(dev.contains("kind: CronJob\n") && dev.contains("schedule: \"0 18 * * 1-5\"\n"));
    assert!(!prod.contains("kind: CronJob\n"));
    // Same Secret name everywhere, per-environment path and store; ESO's own
    // templates pass through verbatim.
    for (s, env) in [(&dev, "dev"), (&staging, "staging"), (&prod, "prod")] {
        assert!(s.contains("    name: api-db\n"));
        assert!(s.contains(&format!("        key: /{env}/api/db-password\n")));
        assert!(s.contains(&format!("    name: vault-{env}\n")));
        assert!(s.contains("password: \"{{ .password }}\""));
    }
    // The region only in prod-eu-central.
    assert!(eu.contains("topology.kubernetes.io/region: eu-central-1\n"));
    assert!(!prod.contains("topology.kubernetes.io/region"));
}

#[test]
fn api_orders_documents_by_install_order() {
    let dev = strata(&["render", "charts/api", "--env", "dev"]).stdout;
    let kinds: Vec<&str> = dev
        .lines()
        .filter_map(|l| l.strip_prefix("kind: "))
        .collect();
    assert_eq!(
        kinds,
        [
            "ServiceAccount",
            "Role",
            "RoleBinding",
            "Service",
            "Deployment",
            "CronJob",
            "ExternalSecret"
        ]
    );
}

#[test]
fn release_namespace_and_capabilities_flags() {
    let run = strata(&[
        "render",
        "charts/api",
        "--env",
        "staging",
        "--release",
        "shop",
        "--namespace",
        "elsewhere",
        "--show-only",
        "templates/service.yaml",
    ]);
    run.code(0);
    assert!(run
        .stdout
        .starts_with("---\n# Source: api/templates/service.yaml\n"));
    assert_eq!(run.stdout.matches("---\n").count(), 1);
    run.stdout_has("  name: shop-api\n")
        .stdout_has("  namespace: elsewhere\n");
}

#[test]
fn without_environment_the_namespace_is_default() {
    // A chart without environments renders without --env.
    let t = chart_with(
        "render-tpl",
        &[
            ("values.yaml", "name: web\ngreeting: hello\n"),
            (
                "templates/ns.yaml",
                "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ns\n  namespace: {{ release.namespace }}\n",
            ),
        ],
    );
    let run = strata_in(
        t.path(),
        &["render", ".", "--show-only", "templates/ns.yaml"],
        None,
    );
    run.code(0).stdout_has("  namespace: default\n");
}

#[test]
fn notes_print_as_comments_after_the_manifests() {
    let run = strata(&["render", "charts/api", "--env", "prod", "--notes"]);
    run.code(0);
    assert!(
        run.stdout.ends_with(
            "---\n# Source: api/templates/NOTES.txt\n# api 2.4.0 for environment prod, namespace shop-prod.\n# Public URL: https://api.shop.example.com/\n"
        ),
        "{}",
        run.stdout
    );
}

#[test]
fn show_only_of_a_template_that_renders_nothing_is_an_error_as_in_helm() {
    // The ingress exists only in prod.
    strata(&["render", "charts/api", "--env", "dev", "--show-only", "templates/ingress.yaml"])
        .code(1)
        .no_stdout()
        .stderr_has("error[render]: --show-only templates/ingress.yaml: the template renders no documents with these values")
        .stderr_has("= environment: dev");
    strata(&[
        "render",
        "charts/api",
        "--env",
        "prod",
        "--show-only",
        "templates/ingress.yaml",
    ])
    .code(0)
    .stdout_has("# Source: api/templates/ingress.yaml\n");
}

/// Render a fixture chart that must fail: exit 1, nothing on stdout.
#[test]
fn output_dir_writes_one_file_per_template() {
    let tmp = tempdir();
    let out = tmp.path().join("out");
    let out_s = out.to_str().unwrap();
    let run = strata(&[
        "render",
        "charts/api",
        "--env",
        "prod",
        "--output-dir",
        out_s,
    ]);
    run.code(0)
        .stdout_has(&format!("wrote {out_s}/api/templates/deployment.yaml\n"));
    let files = list_files(&out);
    assert_eq!(
        files,
        [
            "api/.strata-output.json",
            "api/templates/deployment.yaml",
            "api/templates/externalsecret.yaml",
            "api/templates/hpa.yaml",
            "api/templates/ingress.yaml",
            "api/templates/service.yaml",
        ]
    );
    let deployment = std::fs::read_to_string(out.join("api/templates/deployment.yaml")).unwrap();
    assert!(deployment
        .starts_with("---\n# Source: api/templates/deployment.yaml\napiVersion: apps/v1\n"));
    // Rendering another environment prunes what strata wrote before: no
    // stale hpa.yaml.
    strata(&[
        "render",
        "charts/api",
        "--env",
        "dev",
        "--output-dir",
        out_s,
    ])
    .code(0);
    let files = list_files(&out);
    assert!(files.contains(&"api/templates/scale-down.yaml".to_string()));
    assert!(!files.contains(&"api/templates/hpa.yaml".to_string()));
}

#[test]
fn a_failing_render_writes_no_file() {
    let tmp = tempdir();
    let out = tmp.path().join("out");
    let run = strata(&[
        "render",
        &fixture("render-fail"),
        "--output-dir",
        out.to_str().unwrap(),
    ]);
    run.code(1)
        .no_stdout()
        .stderr_has("fail: replicas must be at least 3");
    assert!(!out.exists(), "the output directory was created");
    // Nor does it disturb an earlier, good render.
    let good = strata(&[
        "render",
        &fixture("render-fail"),
        "--set",
        "replicas=3",
        "--output-dir",
        out.to_str().unwrap(),
    ]);
    good.code(0);
    let before = list_files(&out);
    strata(&[
        "render",
        &fixture("render-fail"),
        "--output-dir",
        out.to_str().unwrap(),
    ])
    .code(1);
    assert_eq!(list_files(&out), before);
}

#[test]
fn printed_forms_match_golden() {
    let run = strata(&["render", &fixture("render-printing")]);
    run.code(0).stderr_is("");
    golden("render-printing.yaml", &run.stdout);
}

#[test]
fn kube_version_and_api_versions_reach_capabilities() {
    let run = strata(&[
        "render",
        &fixture("render-printing"),
        "--kube-version",
        "v1.33.2",
        "--api-versions",
        "monitoring.coreos.com/v1",
    ]);
    run.code(0)
        .stdout_has("  capabilities: \"v1.33.2 1.33 true\"\n");
}
