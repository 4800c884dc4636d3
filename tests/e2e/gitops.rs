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

/// A repository: one environments.yaml above two charts; `worker` adds a
/// values file of its own for prod, `web` extends the repository's
/// environments with one of its own and refines prod.
fn repository() -> tempfile::TempDir {
    let t = tempdir();
    let chart = |name: &str| -> Vec<(String, String)> {
        vec![
            (
                format!("charts/{name}/Chart.yaml"),
                format!("apiVersion: v2\nname: {name}\nversion: 1.0.0\n"),
            ),
            (
                format!("charts/{name}/values.yaml"),
                "msg: default\n".into(),
            ),
            (
                format!("charts/{name}/templates/cm.yaml"),
                CLUSTER_TEMPLATE.into(),
            ),
        ]
    };
    let mut files: Vec<(String, String)> = vec![
        (".git/HEAD".into(), "ref: refs/heads/main\n".into()),
        (
            "environments.yaml".into(),
            "environments:\n  dev: {namespace: team-dev, values: [shared/dev.yaml]}\n  staging: {namespace: team-staging, kubeVersion: 1.30.0}\n  prod:\n    namespace: team-prod\n    values: [shared/prod.yaml]\n    kubeVersion: 1.31.2\n    apiVersions: [monitoring.coreos.com/v1]\npromotion: [dev, staging, prod]\nparity:\n  allow: [msg]\n".into(),
        ),
        ("shared/dev.yaml".into(), "msg: shared-dev\n".into()),
        ("shared/prod.yaml".into(), "msg: shared-prod\n".into()),
        (
            "charts/worker/environments/prod.yaml".into(),
            "msg: worker-prod\n".into(),
        ),
        (
            "charts/web/environments.yaml".into(),
            "extends: ../../environments.yaml\nenvironments:\n  prod:\n    namespace: web-prod\n  prod-eu:\n    extends: prod\n    kubeVersion: 1.29.0\n".into(),
        ),
        (
            "charts/web/environments/prod-eu.yaml".into(),
            "msg: web-eu\n".into(),
        ),
    ];
    files.extend(chart("web"));
    files.extend(chart("worker"));
    let refs: Vec<(&str, &str)> = files
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    write(t.path(), &refs);
    t
}

#[test]
fn two_charts_share_the_repository_environments() {
    let t = repository();
    let dir = t.path();
    // envs: the repository's environments, its files named from the chart.
    strata_in(dir, &["envs", "charts/worker"], None).code(0).stdout_is(
        "ENVIRONMENT  NAMESPACE     LAYERS\n\
         dev          team-dev      values.yaml -> ../../shared/dev.yaml\n\
         staging      team-staging  values.yaml\n\
         prod         team-prod     values.yaml -> ../../shared/prod.yaml -> environments/prod.yaml\n",
    );
    strata_in(dir, &["envs", "charts/web"], None).code(0).stdout_is(
        "ENVIRONMENT  NAMESPACE     LAYERS\n\
         dev          team-dev      values.yaml -> ../../shared/dev.yaml\n\
         staging      team-staging  values.yaml\n\
         prod         web-prod      values.yaml -> ../../shared/prod.yaml\n\
         prod-eu      prod-eu       values.yaml -> ../../shared/prod.yaml -> environments/prod-eu.yaml\n",
    );
    // render: namespace, cluster and values from the repository.
    let run = strata_in(dir, &["render", "charts/worker", "--env", "prod"], None);
    run.code(0)
        .stdout_has("kube: \"v1.31.2\"")
        .stdout_has("monitoring: \"true\"")
        .stdout_has("namespace: team-prod")
        .stdout_has("msg: worker-prod");
    let run = strata_in(dir, &["render", "charts/web", "--env", "prod-eu"], None);
    run.code(0)
        .stdout_has("kube: \"v1.29.0\"")
        .stdout_has("monitoring: \"true\"")
        .stdout_has("msg: web-eu");
    // provenance names the repository's file from the chart.
    let run = strata_in(
        dir,
        &["values", "charts/web", "--env", "dev", "--explain"],
        None,
    );
    run.code(0)
        .stdout_is("msg: \"shared-dev\"  # ../../shared/dev.yaml:1:6\n");
    // lint, parity and diff see them too.
    strata_in(dir, &["lint", "charts"], None)
        .code(0)
        .stdout_has("linted 2 charts: 0 errors");
    strata_in(dir, &["parity", "charts/worker"], None)
        .code(0)
        .stdout_has("3 environments compared (dev, staging, prod)");
    strata_in(
        dir,
        &["diff", "charts/web", "--env", "dev", "--env", "prod"],
        None,
    )
    .code(0)
    .stdout_has("-  msg: shared-dev")
    .stdout_has("+  msg: shared-prod");
    // From inside the chart, too.
    strata_in(
        &dir.join("charts/web"),
        &["render", ".", "--env", "dev"],
        None,
    )
    .code(0)
    .stdout_has("msg: shared-dev");
}

#[test]
fn repository_environment_errors_name_the_repository_file() {
    let t = repository();
    let dir = t.path();
    std::fs::remove_file(dir.join("shared/prod.yaml")).expect("rm");
    let run = strata_in(dir, &["render", "charts/worker", "--env", "dev"], None);
    run.code(1)
        .stderr_has("error[env]: environment \"prod\": values file shared/prod.yaml does not exist")
        .stderr_has("--> ../../environments.yaml:6:14");
    // A chart's extends that leads nowhere.
    write(
        dir,
        &[(
            "charts/web/environments.yaml",
            "extends: ../nope/environments.yaml\nenvironments: {}\n",
        )],
    );
    strata_in(dir, &["envs", "charts/web"], None)
        .code(1)
        .stderr_has("extends \"../nope/environments.yaml\": there is no such file")
        .stderr_has("--> environments.yaml:1:10");
    // A repository file cannot extend another.
    write(
        dir,
        &[
            (
                "environments.yaml",
                "extends: ../x.yaml\nenvironments: {}\n",
            ),
            ("charts/web/environments.yaml", "environments: {dev: {}}\n"),
        ],
    );
    strata_in(dir, &["envs", "charts/worker"], None)
        .code(1)
        .stderr_has("a repository's environments.yaml cannot `extends` another");
    // A chart with an environments.yaml of its own ignores the repository's.
    strata_in(dir, &["envs", "charts/web"], None)
        .code(0)
        .stdout_is("ENVIRONMENT  NAMESPACE  LAYERS\ndev          dev        values.yaml\n");
}
