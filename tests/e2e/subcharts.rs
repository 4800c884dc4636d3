//! Subcharts: values scoping, globals, conditions, tags, aliases,
//! import-values, packaged and nested subcharts, dependency checks.

use crate::util::*;

fn values(args: &[&str]) -> serde_json::Value {
    let mut all = vec!["values"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["-o", "json"]);
    let run = strata(&all);
    run.code(0).stderr_is("");
    serde_json::from_str(&run.stdout).expect("json")
}

fn umbrella() -> String {
    fixture("umbrella")
}

#[test]
fn umbrella_values_match_golden_per_environment() {
    for env in ["", "dev", "prod"] {
        let chart = umbrella();
        let mut args = vec!["values", chart.as_str()];
        if !env.is_empty() {
            args.extend_from_slice(&["--env", env]);
        }
        let run = strata(&args);
        run.code(0).stderr_is("");
        let name = if env.is_empty() { "default" } else { env };
        golden(&format!("umbrella/values-{name}.yaml"), &run.stdout);
        args.push("--explain");
        let run = strata(&args);
        run.code(0);
        golden(&format!("umbrella/values-{name}.explain.txt"), &run.stdout);
    }
}

#[test]
fn subchart_section_is_coalesced_over_its_defaults() {
    let v = values(&[&umbrella()]);
    // The parent's web.replicas wins; web's own image default fills in.
    assert_eq!(v["web"]["replicas"], 3);
    assert_eq!(v["web"]["image"], "web");
    // Nested: web's values for metrics win over metrics' defaults.
    assert_eq!(v["web"]["metrics"]["port"], 9100);
    assert_eq!(v["web"]["metrics"]["path"], "/metrics");
}

#[test]
fn globals_flow_down_and_the_parent_wins() {
    let v = values(&[&umbrella(), "--env", "prod"]);
    assert_eq!(v["global"]["env"], "prod");
    // Parent global overrides the subchart's default global...
    assert_eq!(v["web"]["global"]["registry"], "registry.example.com");
    // ...the subchart keeps its own globals the parent lacks...
    assert_eq!(v["web"]["global"]["team"], "web");
    // ...and they reach its own subcharts, but never go up.
    assert_eq!(v["web"]["metrics"]["global"]["team"], "web");
    assert_eq!(v["web"]["metrics"]["global"]["env"], "prod");
    assert!(v["global"].get("team").is_none());
    // --set global reaches every subchart.
    let v = values(&[&umbrella(), "--set", "global.env=qa"]);
    assert_eq!(v["web"]["metrics"]["global"]["env"], "qa");
    assert_eq!(v["db"]["global"]["env"], "qa");
}

#[test]
fn alias_takes_the_subcharts_defaults_under_its_own_name() {
    let v = values(&[&umbrella()]);
    assert_eq!(v["admin"]["image"], "admin");
    assert_eq!(v["admin"]["replicas"], 1);
    assert_eq!(v["admin"]["metrics"]["port"], 9100);
}

#[test]
fn conditions_leave_subcharts_out() {
    // dev sets admin.enabled and db.enabled to false: their sections stay
    // as the user wrote them, the subcharts' defaults are not coalesced in.
    let v = values(&[&umbrella(), "--env", "dev"]);
    assert_eq!(v["db"], serde_json::json!({"enabled": false}));
    assert!(v["admin"].get("metrics").is_none());
    // The condition may be set from the command line too.
    let v = values(&[&umbrella(), "--set", "db.enabled=false"]);
    assert!(v["db"].get("storage").is_none());
    // Nested condition: web's metrics.enabled, below web's section.
    let v = values(&[&umbrella(), "--set", "web.metrics.enabled=false"]);
    assert!(v["web"]["metrics"].get("path").is_none());
    assert_eq!(v["admin"]["metrics"]["path"], "/metrics");
}

#[test]
fn non_boolean_condition_is_ignored_with_a_warning() {
    let run = strata(&["values", &umbrella(), "--set", "db.enabled=maybe"]);
    run.code(0)
        .stderr_has("warning[dependency]: condition path \"db.enabled\" of dependency \"db\" is string, not a boolean; ignored");
    assert!(run.stdout.contains("storage: 10Gi"));
}

#[test]
fn tags_enable_and_disable() {
    // tags.cache is false in values.yaml: cache is out, nothing imported.
    let v = values(&[&umbrella()]);
    assert!(v.get("cacheHost").is_none());
    assert!(v.get("cache").is_none());
    // prod sets tags.cache: true.
    let v = values(&[&umbrella(), "--env", "prod"]);
    assert_eq!(v["cache"]["size"], "1Gi");
    assert_eq!(v["cacheHost"], "cache.local");
}

#[test]
fn import_values_copy_child_tables_with_the_parent_winning() {
    let v = values(&[&umbrella()]);
    // {child: service, parent: database}: db's service table, parent's
    // own database.port wins.
    assert_eq!(
        v["database"],
        serde_json::json!({"port": 5433, "host": "db.local"})
    );
}

#[test]
fn packaged_subchart_values_name_the_archive() {
    let run = strata(&["values", &umbrella(), "--explain"]);
    run.code(0)
        .stdout_has("db.storage: \"10Gi\"  # charts/db-2.1.0.tgz/values.yaml:1:10")
        .stdout_has("web.image: \"web\"  # charts/web/values.yaml:2:8")
        .stdout_has("web.metrics.path: \"/metrics\"  # charts/web/charts/metrics/values.yaml:2:7");
}

#[test]
fn packaged_umbrella_gives_the_same_values() {
    let out = tempdir();
    let dest = out.path().display().to_string();
    strata(&["package", &umbrella(), "-d", &dest]).code(0);
    let tgz = out.path().join("umbrella-1.0.0.tgz").display().to_string();
    for env in ["dev", "prod"] {
        let a = strata(&["values", &umbrella(), "--env", env, "--explain"]);
        let b = strata(&["values", &tgz, "--env", env, "--explain"]);
        b.code(0);
        assert_eq!(a.stdout, b.stdout, "{env}");
    }
}

#[test]
fn dependency_list_shows_constraints_vendored_and_status() {
    let run = strata(&["dependency", "list", &umbrella()]);
    run.code(0).stderr_is("");
    golden("umbrella/dependency-list.txt", &run.stdout);
    let run = strata(&["dependency", "list", &umbrella(), "-o", "json"]);
    run.code(0);
    let list: serde_json::Value = serde_json::from_str(&run.stdout).expect("json");
    assert_eq!(list[2]["name"], "db");
    assert_eq!(list[2]["vendored"][0]["path"], "charts/db-2.1.0.tgz");
    assert_eq!(list[2]["status"], "ok");
}

#[test]
fn missing_dependency_is_an_error_that_says_strata_is_offline() {
    let chart = fixture("umbrella-missing");
    strata(&["values", &chart])
        .code(1)
        .no_stdout()
        .stderr_has("error[dependency]: dependency \"redis\" is not vendored: strata works offline and does not download from https://charts.bitnami.com/bitnami; put the chart into charts/")
        .stderr_has(" --> Chart.yaml:5:11")
        .stderr_has("dependency \"common\" is missing: no chart named \"common\" in charts/")
        .stderr_has(" --> Chart.yaml:8:11");
    let run = strata(&["dependency", "list", &chart]);
    run.code(1).stdout_has("redis").stdout_has("missing");
}

#[test]
fn wrong_version_is_an_error() {
    let chart = fixture("umbrella-wrong");
    strata(&["values", &chart]).code(1).no_stdout().stderr_has(
        "dependency \"web\" wants version \"^2.0.0\" but charts/ has 1.2.3 (charts/web)",
    );
    strata(&["dependency", "list", &chart])
        .code(1)
        .stdout_has("wrong version");
}

#[test]
fn bad_subchart_points_into_charts() {
    let t = tempdir();
    copy_dir(&root().join(umbrella()), t.path());
    std::fs::write(
        t.path().join("charts/web/values.yaml"),
        "replicas: 1\nreplicas: 2\n",
    )
    .expect("write");
    strata_in(t.path(), &["values", "."], None)
        .code(1)
        .no_stdout()
        .stderr_has("charts/web/values.yaml:2:1");
    std::fs::remove_file(t.path().join("charts/web/Chart.yaml")).expect("rm");
    strata_in(t.path(), &["values", "."], None)
        .code(1)
        .no_stdout()
        .stderr_has("charts/web/: subchart directory has no Chart.yaml");
}

#[test]
fn subchart_section_that_is_not_a_map_is_an_error() {
    strata(&["values", &umbrella(), "--set", "web=off"])
        .code(1)
        .no_stdout()
        .stderr_has("web: the values of subchart \"web\" must be a map");
}
