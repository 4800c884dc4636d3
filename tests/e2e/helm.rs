//! The real `helm` reads what `strata package` writes, and computes the same
//! values for every chart of an umbrella. Runs when a helm binary is found
//! (`$STRATA_HELM`, else `target/helm/helm` as `tests/helm/get-helm.sh`
//! leaves it); otherwise prints why it is skipped.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::util::*;

pub(crate) fn helm() -> Option<PathBuf> {
    let path = std::env::var_os("STRATA_HELM")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("target/helm/helm"));
    if path.is_file() {
        Some(path)
    } else {
        eprintln!(
            "SKIPPED: no helm at {} (run tests/helm/get-helm.sh, or set STRATA_HELM)",
            path.display()
        );
        None
    }
}

pub(crate) fn run_helm(helm: &Path, args: &[&str]) -> String {
    let out = Command::new(helm)
        .args(args)
        .env(
            "HELM_CACHE_HOME",
            std::env::temp_dir().join("strata-helm-cache"),
        )
        .env(
            "HELM_CONFIG_HOME",
            std::env::temp_dir().join("strata-helm-config"),
        )
        .env(
            "HELM_DATA_HOME",
            std::env::temp_dir().join("strata-helm-data"),
        )
        .output()
        .expect("run helm");
    assert!(
        out.status.success(),
        "helm {args:?} failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Write the archive `strata package` would write, without its lint (the
/// Go dump templates below are not strata templates).
fn package_unlinted(chart: &Path, dest: &Path) -> PathBuf {
    let c =
        strata_chart::chart::Chart::load(chart, &chart.display().to_string()).expect("chart loads");
    strata_chart::package::write(&c, dest).expect("writes").path
}

fn package(chart: &Path, dest: &Path) -> PathBuf {
    let run = strata(&[
        "package",
        &chart.display().to_string(),
        "-d",
        &dest.display().to_string(),
    ]);
    run.code(0);
    PathBuf::from(run.stdout.lines().next().expect("path"))
}

#[test]
fn helm_show_chart_and_values_read_our_archive() {
    let Some(helm) = helm() else { return };
    let out = tempdir();
    let tgz = package(&root().join("charts/api"), out.path());
    let tgz = tgz.display().to_string();
    let chart = run_helm(&helm, &["show", "chart", &tgz]);
    assert!(chart.contains("name: api\n"), "{chart}");
    assert!(chart.contains("version: 1.4.0\n"), "{chart}");
    let values = run_helm(&helm, &["show", "values", &tgz]);
    let want = std::fs::read_to_string(root().join("charts/api/values.yaml")).expect("values");
    assert_eq!(values.trim_end(), want.trim_end());
}

/// A Go template that prints a chart's `.Values` as JSON.
const DUMP: &str = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Chart.Name }}-{{ .Values | toJson | sha256sum | trunc 8 }}\ndata:\n  values: {{ .Values | toJson | quote }}\n";

/// (source path, values) of every dump document in helm's output.
fn dumps(stream: &str) -> Vec<(String, serde_json::Value)> {
    let mut out = Vec::new();
    let mut source = None;
    for line in stream.lines() {
        if let Some(s) = line.strip_prefix("# Source: ") {
            source = Some(s.to_string());
        } else if let Some(q) = line.strip_prefix("  values: ") {
            let text: String = serde_json::from_str(q).expect("quoted JSON");
            let v = serde_json::from_str(&text).expect("JSON values");
            out.push((source.take().expect("source"), v));
        }
    }
    out
}

#[test]
fn helm_template_gives_every_subchart_the_values_strata_computes() {
    let Some(helm) = helm() else { return };
    let t = tempdir();
    let chart = t.path().join("umbrella");
    copy_dir(&root().join("tests/fixtures/umbrella"), &chart);
    // strata's templates are not Go templates: every chart gets the dump
    // template instead, the packaged db subchart too.
    let db = t.path().join("db");
    copy_dir(&root().join("tests/fixtures/umbrella-db"), &db);
    for dir in [
        chart.clone(),
        chart.join("charts/web"),
        chart.join("charts/web/charts/metrics"),
        chart.join("charts/cache"),
        chart.join("charts/extra"),
        db.clone(),
    ] {
        let d = dir.join("templates");
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).expect("mkdir");
        std::fs::write(d.join("dump.yaml"), DUMP).expect("write");
    }
    package_unlinted(&db, &chart.join("charts"));
    let dist = t.path().join("dist");
    let tgz = package_unlinted(&chart, &dist).display().to_string();
    for env in ["", "dev", "prod"] {
        let mut strata_args = vec!["values", tgz.as_str(), "-o", "json"];
        let env_file = chart.join(format!("environments/{env}.yaml"));
        let env_file = env_file.display().to_string();
        let mut helm_args = vec!["template", "rel", tgz.as_str()];
        if !env.is_empty() {
            strata_args.extend_from_slice(&["--env", env]);
            helm_args.extend_from_slice(&["-f", env_file.as_str()]);
        }
        let run = strata(&strata_args);
        run.code(0);
        let ours: serde_json::Value = serde_json::from_str(&run.stdout).expect("json");
        let theirs = dumps(&run_helm(&helm, &helm_args));
        assert!(!theirs.is_empty());
        for (source, values) in &theirs {
            // umbrella/charts/admin/charts/metrics/templates/dump.yaml →
            // the section at admin.metrics.
            let rel = source
                .strip_prefix("umbrella/")
                .and_then(|s| s.strip_suffix("templates/dump.yaml"))
                .expect("source path");
            let mut section = &ours;
            for part in rel.split("charts/").filter(|p| !p.is_empty()) {
                section = &section[part.trim_end_matches('/')];
            }
            assert_eq!(section, values, "env {env:?}, {source}");
        }
        let sources: Vec<&str> = theirs.iter().map(|(s, _)| s.as_str()).collect();
        assert!(sources.contains(&"umbrella/templates/dump.yaml"));
        assert_eq!(
            sources.contains(&"umbrella/charts/db/templates/dump.yaml"),
            env != "dev",
            "db is disabled by its condition in dev"
        );
        // Vendored without a dependency entry: always in, as in Helm.
        assert!(sources.contains(&"umbrella/charts/extra/templates/dump.yaml"));
        assert_eq!(
            sources.contains(&"umbrella/charts/admin/charts/metrics/templates/dump.yaml"),
            env != "dev",
            "admin is disabled by its condition in dev"
        );
        assert_eq!(
            sources.contains(&"umbrella/charts/cache/templates/dump.yaml"),
            env == "prod",
            "cache is enabled by tags in prod only"
        );
    }
}

/// `strata package --env E --rendered` of `chart`: the archive's path.
fn package_rendered(chart: &str, env: &str, dest: &Path) -> PathBuf {
    let run = strata(&[
        "package",
        chart,
        "--env",
        env,
        "--rendered",
        "-d",
        &dest.display().to_string(),
    ]);
    run.code(0);
    PathBuf::from(run.stdout.lines().next().expect("path"))
}

#[test]
fn helm_template_of_a_rendered_package_prints_what_strata_renders() {
    let Some(helm) = helm() else { return };
    let out = tempdir();
    // charts/api's ExternalSecret holds `{{ .password }}`, which Helm must
    // print as it is; the umbrella has subcharts nested two deep.
    for (chart, env) in [
        ("charts/api", "dev"),
        ("charts/api", "staging"),
        ("charts/api", "prod"),
        ("charts/api", "prod-eu-central"),
        ("tests/fixtures/umbrella", "prod"),
    ] {
        let tgz = package_rendered(chart, env, out.path());
        let name = tgz.file_name().and_then(|n| n.to_str()).unwrap_or("");
        assert!(name.ends_with(&format!("-{env}.rendered.tgz")), "{name}");
        let tgz = tgz.display().to_string();
        let helm_out = run_helm(&helm, &["template", &tgz]);
        let strata_out = strata(&["render", chart, "--env", env]);
        strata_out.code(0);
        assert_eq!(helm_out, strata_out.stdout, "{chart} {env}");
        if chart == "charts/api" && env == "prod" {
            // For a named release: the same name to both.
            let run = strata(&[
                "package",
                chart,
                "--env",
                env,
                "--rendered",
                "--release",
                "api",
                "-d",
                &out.path().join("named").display().to_string(),
            ]);
            run.code(0);
            let named = run.stdout.lines().next().unwrap_or("").to_string();
            let helm_named = run_helm(&helm, &["template", "api", &named]);
            let strata_named = strata(&["render", chart, "--env", env, "--release", "api"]);
            assert_eq!(helm_named, strata_named.stdout);
            assert!(helm_named.contains("name: api\n"), "{helm_named}");
        }
        let lint = run_helm(&helm, &["lint", &tgz]);
        assert!(lint.contains("0 chart(s) failed"), "{lint}");
        let shown = run_helm(&helm, &["show", "chart", &tgz]);
        assert!(
            shown.contains(&format!("strata.dev/environment: {env}\n")),
            "{shown}"
        );
    }
    let api = std::fs::read_to_string(root().join("charts/api/templates/externalsecret.yaml"))
        .expect("template");
    assert!(
        api.contains("{{"),
        "the test needs a manifest holding `{{{{`"
    );
}
