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
    let run = strata(&[
        "render",
        "charts/api",
        "--show-only",
        "templates/service.yaml",
    ]);
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
fn show_only_of_a_missing_template_is_a_usage_error() {
    let run = strata(&["render", "charts/api", "--show-only", "templates/nope.yaml"]);
    run.code(2).no_stdout().stderr_has(
        "--show-only templates/nope.yaml: the chart has no template templates/nope.yaml",
    );
}
