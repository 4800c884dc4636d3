//! From rendered manifests to a cluster (issue #15): environments'
//! clusters (kubeVersion, apiVersions), repository-wide environments,
//! `render --all-envs --output-dir` with `--check`, and docs/deploy.md.

use std::path::Path;

use crate::util::*;

/// A chart whose one template prints what it knows of the cluster.
const CLUSTER_TEMPLATE: &str = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cluster\ndata:\n  kube: \"{{ capabilities.kubeVersion.version }}\"\n  monitoring: \"{{ capabilities.apiVersions.has('monitoring.coreos.com/v1') }}\"\n  namespace: {{ release.namespace }}\n  env: {{ env.name }}\n  msg: {{ values.msg }}\n";

fn write(dir: &Path, files: &[(&str, &str)]) {
    for (file, text) in files {
        let p = dir.join(file);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).expect("mkdir");
        }
        std::fs::write(p, text).expect("write");
    }
}

#[test]
fn an_environment_declares_its_cluster_and_flags_override_it() {
    let t = tempdir();
    write(
        t.path(),
        &[
            ("Chart.yaml", "apiVersion: v2\nname: c\nversion: 1.0.0\n"),
            ("values.yaml", "msg: hi\n"),
            ("templates/cm.yaml", CLUSTER_TEMPLATE),
            (
                "environments.yaml",
                "environments:\n  prod:\n    kubeVersion: 1.29.4\n    apiVersions: [monitoring.coreos.com/v1]\n  prod-eu: {extends: prod}\n  dev:\n",
            ),
        ],
    );
    let chart = t.path().display().to_string();
    let run = strata(&["render", &chart, "--env", "prod-eu"]);
    run.code(0)
        .stdout_has("kube: \"v1.29.4\"")
        .stdout_has("monitoring: \"true\"");
    let run = strata(&["render", &chart, "--env", "dev"]);
    run.code(0)
        .stdout_has("kube: \"v1.31.0\"")
        .stdout_has("monitoring: \"false\"");
    let run = strata(&[
        "render",
        &chart,
        "--env",
        "prod",
        "--kube-version",
        "1.33.0",
    ]);
    run.code(0).stdout_has("kube: \"v1.33.0\"");
}
