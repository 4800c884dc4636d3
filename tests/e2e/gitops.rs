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
         prod         team-prod     values.yaml -> ../../shared/prod.yaml -> environments/prod.yaml\n\n\
         templates: jinja (strata's dialect)\n",
    );
    strata_in(dir, &["envs", "charts/web"], None).code(0).stdout_is(
        "ENVIRONMENT  NAMESPACE     LAYERS\n\
         dev          team-dev      values.yaml -> ../../shared/dev.yaml\n\
         staging      team-staging  values.yaml\n\
         prod         web-prod      values.yaml -> ../../shared/prod.yaml\n\
         prod-eu      prod-eu       values.yaml -> ../../shared/prod.yaml -> environments/prod-eu.yaml\n\n\
         templates: jinja (strata's dialect)\n",
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
    run.code(0).stdout_is(
        "msg: \"shared-dev\"  # ../../shared/dev.yaml:1:6\n\
             \x20 #   \"default\"  values.yaml:1:6\n\
             \x20 # * \"shared-dev\"  ../../shared/dev.yaml:1:6\n",
    );
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
        .stderr_has("--> environments.yaml:6:14");
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
        .stderr_has("--> charts/web/environments.yaml:1:10");
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
        .stdout_is(
            "ENVIRONMENT  NAMESPACE  LAYERS\ndev          dev        values.yaml\n\n\
             templates: jinja (strata's dialect)\n",
        );
}

/// Every file below `dir` with its content.
fn snapshot(dir: &Path) -> Vec<(String, String)> {
    list_files(dir)
        .into_iter()
        .map(|f| {
            let text = std::fs::read_to_string(dir.join(&f)).unwrap_or_default();
            (f, text)
        })
        .collect()
}

#[test]
fn all_envs_writes_what_each_env_renders() {
    let t = tempdir();
    let out = t.path().join("rendered");
    let run = strata(&[
        "render",
        "charts/api",
        "tests/fixtures/umbrella",
        "--all-envs",
        "--output-dir",
        &out.display().to_string(),
    ]);
    run.code(0);
    let mut checked = 0;
    for (chart, name, envs) in [
        (
            "charts/api",
            "api",
            &["dev", "staging", "prod", "prod-eu-central"][..],
        ),
        ("tests/fixtures/umbrella", "umbrella", &["dev", "prod"][..]),
    ] {
        for env in envs {
            // The same files as `--env E --output-dir`…
            let single = t.path().join(format!("single-{name}-{env}"));
            strata(&[
                "render",
                chart,
                "--env",
                env,
                "--output-dir",
                &single.display().to_string(),
            ])
            .code(0);
            assert_eq!(
                snapshot(&out.join(env).join(name)),
                snapshot(&single.join(name)),
                "{chart} {env}"
            );
            // …holding exactly the documents `--env E` prints.
            let printed = strata(&["render", chart, "--env", env]);
            printed.code(0);
            let mut docs: Vec<String> = printed
                .stdout
                .split("---\n")
                .filter(|d| !d.is_empty())
                .map(String::from)
                .collect();
            let mut written: Vec<String> = snapshot(&out.join(env).join(name))
                .into_iter()
                .filter(|(f, _)| f.ends_with(".yaml"))
                .flat_map(|(_, text)| {
                    text.split("---\n")
                        .filter(|d| !d.is_empty())
                        .map(String::from)
                        .collect::<Vec<_>>()
                })
                .collect();
            docs.sort();
            written.sort();
            assert_eq!(written, docs, "{chart} {env}");
            assert!(!docs.is_empty());
            checked += 1;
        }
    }
    assert_eq!(checked, 6);
    // Each stdout line names a file written.
    assert!(run
        .stdout
        .lines()
        .all(|l| l.starts_with("wrote ") && l.contains("rendered/")));
}

/// A scratch copy of charts/api and its rendered output in `rendered/`.
fn rendered_api() -> (tempfile::TempDir, String, String) {
    let t = tempdir();
    let chart = t.path().join("api");
    copy_dir(&root().join("charts/api"), &chart);
    let out = t.path().join("rendered");
    let (chart, out) = (chart.display().to_string(), out.display().to_string());
    strata(&["render", &chart, "--all-envs", "--output-dir", &out]).code(0);
    (t, chart, out)
}

#[test]
fn check_is_clean_then_stale_and_never_writes() {
    let (t, chart, out) = rendered_api();
    let check = || {
        strata(&[
            "render",
            &chart,
            "--all-envs",
            "--output-dir",
            &out,
            "--check",
        ])
    };
    let run = check();
    run.code(0);
    assert_eq!(run.stdout, format!("{out} is up to date: 17 files\n"));
    // A values change: the files it changes are named, with line counts.
    let staging = t.path().join("api/environments/staging.yaml");
    let text = std::fs::read_to_string(&staging).expect("staging");
    std::fs::write(&staging, text.replace("replicaCount: 3", "replicaCount: 4")).expect("edit");
    let before = snapshot(Path::new(&out));
    let run = check();
    run.code(1);
    assert_eq!(
        run.stdout,
        format!(
            "stale: {out}/staging/api/templates/deployment.yaml would change (+1 -1)\n\
             {out} is stale: 1 file (1 to change); render again without --check to update it\n"
        )
    );
    assert_eq!(snapshot(Path::new(&out)), before, "--check wrote");
    // A template removed: its files would go, in every environment.
    std::fs::remove_file(t.path().join("api/templates/service.yaml")).expect("rm");
    let run = check();
    run.code(1);
    for env in ["dev", "staging", "prod", "prod-eu-central"] {
        assert!(
            run.stdout.contains(&format!(
                "stale: {out}/{env}/api/templates/service.yaml would go (-"
            )),
            "{}",
            run.stdout
        );
    }
    assert!(run.stdout.ends_with(
        "is stale: 5 files (1 to change, 4 to go); render again without --check to update it\n"
    ));
    assert_eq!(snapshot(Path::new(&out)), before, "--check wrote");
    // A new template: its files would appear.
    std::fs::write(
        t.path().join("api/templates/extra.yaml"),
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: extra\n",
    )
    .expect("write");
    let run = check();
    run.code(1).stdout_has(&format!(
        "stale: {out}/dev/api/templates/extra.yaml would appear (+6)"
    ));
    assert_eq!(snapshot(Path::new(&out)), before, "--check wrote");
    // Rendering again brings it up to date.
    strata(&["render", &chart, "--all-envs", "--output-dir", &out]).code(0);
    check().code(0);
    // A checked directory that does not exist is stale, and stays absent.
    let none = t.path().join("none").display().to_string();
    strata(&[
        "render",
        &chart,
        "--all-envs",
        "--output-dir",
        &none,
        "--check",
    ])
    .code(1)
    .stdout_has("would appear");
    assert!(!t.path().join("none").exists());
    // --check works for one environment too.
    strata(&[
        "render",
        &chart,
        "--env",
        "dev",
        "--output-dir",
        &format!("{out}/dev"),
        "--check",
    ])
    .code(0)
    .stdout_has("is up to date");
}

#[test]
fn pruning_never_removes_a_foreign_file() {
    let (t, chart, out) = rendered_api();
    let foreign = [
        "README.md",
        "prod/kustomization.yaml",
        "prod/api/NOTES.md",
        "prod/api/templates/patch.yaml",
    ];
    for f in foreign {
        std::fs::write(Path::new(&out).join(f), "mine\n").expect("write");
    }
    // The service template goes, and the prod-eu-central environment.
    std::fs::remove_file(t.path().join("api/templates/service.yaml")).expect("rm");
    let envs = t.path().join("api/environments.yaml");
    let text = std::fs::read_to_string(&envs).expect("envs");
    let block = "  prod-eu-central:\n    extends: prod\n    namespace: shop-prod\n    values: [environments/prod-eu-central.yaml]\n";
    assert!(text.contains(block), "{text}");
    let without = text.replace(block, "");
    std::fs::write(&envs, &without).expect("edit");
    strata(&["envs", &chart]).code(0);
    let run = strata(&["render", &chart, "--all-envs", "--output-dir", &out]);
    run.code(0)
        .stdout_has(&format!("removed {out}/prod/api/templates/service.yaml"))
        .stdout_has(&format!(
            "removed {out}/prod-eu-central/api/templates/deployment.yaml"
        ));
    for f in foreign {
        assert_eq!(
            std::fs::read_to_string(Path::new(&out).join(f))
                .ok()
                .as_deref(),
            Some("mine\n"),
            "{f}"
        );
    }
    assert!(!Path::new(&out).join("prod-eu-central").exists());
    assert!(!Path::new(&out)
        .join("dev/api/templates/service.yaml")
        .exists());
    strata(&[
        "render",
        &chart,
        "--all-envs",
        "--output-dir",
        &out,
        "--check",
    ])
    .code(0);
}

#[test]
fn all_envs_refuses_bad_requests_and_writes_nothing() {
    let t = tempdir();
    let out = t.path().join("rendered");
    let o = out.display().to_string();
    strata(&["render", "charts/api", "--all-envs"])
        .code(2)
        .stderr_has("--output-dir");
    strata(&[
        "render",
        "charts/api",
        "--all-envs",
        "--env",
        "dev",
        "--output-dir",
        &o,
    ])
    .code(2)
    .stderr_has("cannot be used with");
    strata(&[
        "render",
        "charts/api",
        "tests/fixtures/umbrella",
        "--output-dir",
        &o,
    ])
    .code(2)
    .stderr_has("--all-envs");
    strata(&["render", "charts/api", "--check"])
        .code(2)
        .stderr_has("--output-dir");
    strata(&[
        "render",
        "tests/fixtures/render-fail",
        "--all-envs",
        "--output-dir",
        &o,
    ])
    .code(2)
    .stderr_has("defines no environments");
    strata(&[
        "render",
        "charts/api",
        "charts/api",
        "--all-envs",
        "--output-dir",
        &o,
    ])
    .code(2)
    .stderr_has("both charts named \"api\"");
    // One environment that fails to render fails the whole run: nothing is
    // written, every failing environment is named.
    let chart = chart_with(
        "render-fail",
        &[
            ("environments/dev.yaml", "replicas: 1\n"),
            ("environments/qa.yaml", "replicas: 2\n"),
            ("environments/prod.yaml", "replicas: 3\n"),
        ],
    );
    let run = strata(&[
        "render",
        &chart.path().display().to_string(),
        "--all-envs",
        "--output-dir",
        &o,
    ]);
    run.code(1)
        .stderr_has("replicas must be at least 3, got 1")
        .stderr_has("replicas must be at least 3, got 2");
    assert!(!out.exists());
}

/// The fenced blocks of `lang` in a doc, with the line each starts on.
fn blocks(doc: &str, lang: &str) -> Vec<(usize, String)> {
    let text = std::fs::read_to_string(root().join(doc)).expect("doc");
    let mut out = Vec::new();
    let mut lines = text.lines().enumerate();
    while let Some((i, l)) = lines.next() {
        if l.trim() != format!("```{lang}") {
            continue;
        }
        let mut body = String::new();
        for (_, l) in lines.by_ref() {
            if l.trim() == "```" {
                break;
            }
            body.push_str(l);
            body.push('\n');
        }
        out.push((i + 1, body));
    }
    out
}

/// Every YAML document of `text`, as JSON.
fn parse_yaml(text: &str, name: &str) -> Vec<serde_json::Value> {
    let file: std::sync::Arc<str> = std::sync::Arc::from(name);
    match strata_yaml::load_stream(text, &file) {
        Ok(docs) => docs.iter().map(|d| d.to_json()).collect(),
        Err(d) => panic!("{name} does not parse: {d:?}\n{text}"),
    }
}

#[test]
fn every_yaml_block_of_the_deploy_page_parses() {
    let yaml = blocks("docs/deploy.md", "yaml");
    assert_eq!(yaml.len(), 5, "YAML blocks in docs/deploy.md");
    let mut kinds = Vec::new();
    for (line, text) in &yaml {
        let docs = parse_yaml(text, &format!("docs/deploy.md:{line}"));
        assert!(!docs.is_empty(), "docs/deploy.md:{line}: an empty block");
        for d in docs {
            if let Some(k) = d.get("kind").and_then(|k| k.as_str()) {
                kinds.push(k.to_string());
            }
            // The plugin inside the ConfigMap parses too.
            if let Some(p) = d.pointer("/data/plugin.yaml").and_then(|p| p.as_str()) {
                let plugin = parse_yaml(p, "plugin.yaml");
                assert_eq!(plugin[0]["kind"], "ConfigManagementPlugin");
            }
        }
    }
    for k in [
        "ConfigMap",
        "Deployment",
        "Application",
        "GitRepository",
        "Kustomization",
    ] {
        assert!(kinds.iter().any(|x| x == k), "no {k} in docs/deploy.md");
    }
}

#[test]
fn the_argo_cd_plugin_renders_charts_api() {
    // The plugin's command line, as Argo CD runs it: in the application's
    // folder, with the application's variables.
    let cm = blocks("docs/deploy.md", "yaml")
        .into_iter()
        .flat_map(|(_, t)| parse_yaml(&t, "docs/deploy.md"))
        .find(|d| d.pointer("/data/plugin.yaml").is_some())
        .expect("the plugin's ConfigMap");
    let plugin = &parse_yaml(
        cm.pointer("/data/plugin.yaml")
            .and_then(|p| p.as_str())
            .unwrap_or(""),
        "plugin.yaml",
    )[0];
    let generate = &plugin["spec"]["generate"];
    let mut argv: Vec<String> = generate["command"]
        .as_array()
        .expect("command")
        .iter()
        .map(|a| a.as_str().unwrap_or("").to_string())
        .collect();
    argv.extend(
        generate["args"]
            .as_array()
            .expect("args")
            .iter()
            .map(|a| a.as_str().unwrap_or("").to_string()),
    );
    let bin = std::path::PathBuf::from(env!("CARGO_BIN_EXE_strata"));
    let path = format!(
        "{}:{}",
        bin.parent().expect("bin dir").display(),
        std::env::var("PATH").unwrap_or_default()
    );
    for env in ["dev", "prod"] {
        let out = std::process::Command::new(&argv[0])
            .args(&argv[1..])
            .current_dir(root().join("charts/api"))
            .env("PATH", &path)
            .env("ARGOCD_ENV_STRATA_ENV", env)
            .env("ARGOCD_APP_NAME", "api")
            .env("ARGOCD_APP_NAMESPACE", "argocd")
            .output()
            .expect("run the plugin");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let want = strata(&["render", "charts/api", "--env", env, "--release", "api"]);
        want.code(0);
        assert_eq!(String::from_utf8_lossy(&out.stdout), want.stdout, "{env}");
    }
    // Pruning by label (the kubectl recipe): every resource carries the
    // release's instance label.
    for env in ["dev", "staging", "prod", "prod-eu-central"] {
        let run = strata(&["render", "charts/api", "--env", env, "--release", "api"]);
        run.code(0);
        for d in parse_yaml(&run.stdout, env) {
            assert_eq!(
                d.pointer("/metadata/labels/app.kubernetes.io~1instance"),
                Some(&serde_json::Value::from("api")),
                "{env}: {d}"
            );
        }
    }
}

#[test]
fn the_check_example_of_the_deploy_page_is_true() {
    let t = tempdir();
    copy_dir(&root().join("charts/api"), &t.path().join("charts/api"));
    strata_in(
        t.path(),
        &[
            "render",
            "charts/api",
            "--all-envs",
            "--output-dir",
            "rendered",
        ],
        None,
    )
    .code(0);
    let staging = t.path().join("charts/api/environments/staging.yaml");
    let text = std::fs::read_to_string(&staging).expect("staging");
    assert!(text.contains("replicaCount: 3\n"));
    std::fs::write(
        &staging,
        text.replace("replicaCount: 3\n", "replicaCount: 4\n"),
    )
    .expect("edit");
    let (_, block) = blocks("docs/deploy.md", "console")
        .into_iter()
        .find(|(_, b)| b.contains("--check"))
        .expect("the --check example");
    let mut lines = block.lines();
    let cmd = lines.next().unwrap_or("");
    let args: Vec<&str> = cmd
        .strip_prefix("$ strata ")
        .expect("$ strata …")
        .split_whitespace()
        .collect();
    let want: String = lines.map(|l| format!("{l}\n")).collect();
    let run = strata_in(t.path(), &args, None);
    run.code(1);
    assert_eq!(run.stdout, want);
}
