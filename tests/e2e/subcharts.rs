//! Subcharts: values scoping, globals, conditions, tags, aliases,
//! import-values, packaged and nested subcharts, dependency checks.

use crate::util::*;

fn values(args: &[&str]) -> serde_json::Value {
    let mut all = vec!["values"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["-o", "json"]);
    let run = strata(&all);
    run.code(0);
    // Without --env, the one note that these are the chart defaults.
    if !all.contains(&"--env") {
        run.stderr_is(NO_ENV_NOTE);
    } else {
        run.stderr_is("");
    }
    serde_json::from_str(&run.stdout).expect("json")
}

/// What `values` says on stderr without --env on the umbrella chart.
const NO_ENV_NOTE: &str =
    "info[env]: no --env: these are the chart defaults (values.yaml); environments: dev, prod\n";

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
        run.code(0)
            .stderr_is(if env.is_empty() { NO_ENV_NOTE } else { "" });
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
    // The alias's own section reaches its nested subchart.
    assert_eq!(v["admin"]["metrics"]["port"], 9200);
    assert_eq!(v["admin"]["metrics"]["path"], "/metrics");
    assert_eq!(v["web"]["metrics"]["port"], 9100);
}

#[test]
fn conditions_leave_subcharts_out() {
    // dev sets admin.enabled and db.enabled to false: their sections stay
    // as the user wrote them, the subcharts' defaults are not coalesced in.
    let v = values(&[&umbrella(), "--env", "dev"]);
    assert_eq!(v["db"], serde_json::json!({"enabled": false}));
    assert_eq!(v["admin"]["metrics"], serde_json::json!({"port": 9200}));
    assert!(v["admin"].get("global").is_none());
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

#[test]
fn umbrella_renders_every_enabled_subchart_per_environment() {
    for env in ["dev", "prod"] {
        let run = strata(&["render", &umbrella(), "--env", env]);
        run.code(0).stderr_is("");
        golden(&format!("umbrella/render-{env}.yaml"), &run.stdout);
    }
    // A chart with environments renders none without --env.
    strata(&["render", &umbrella()]).code(2).no_stdout().stderr_is(
        "error[usage]: render without --env: the chart has environments (dev, prod); choose one with --env ENV\n",
    );
    // dev: admin and db are disabled by their conditions, cache by tags.
    let dev = strata(&["render", &umbrella(), "--env", "dev"]);
    assert!(!dev.stdout.contains("charts/admin/"));
    assert!(!dev.stdout.contains("charts/db/"));
    assert!(!dev.stdout.contains("charts/cache/"));
    assert!(dev
        .stdout
        .contains("# Source: umbrella/charts/web/charts/metrics/templates/service.yaml\n"));
}

#[test]
fn subcharts_render_with_their_own_context() {
    let run = strata(&["render", &umbrella(), "--env", "prod", "--release", "shop"]);
    run.code(0)
        // Aliased: chart.name is the alias, the source path uses it too.
        .stdout_has("# Source: umbrella/charts/admin/templates/deployment.yaml\n")
        .stdout_has("  name: shop-admin\n")
        .stdout_has("    chart: admin-1.2.3\n")
        .stdout_has("    template: umbrella/charts/admin/templates/deployment.yaml\n")
        // values are the subchart's section, globals from the parent.
        .stdout_has("  replicas: 3\n")
        .stdout_has("          image: registry.example.com/web\n")
        // Nested, with the alias's section: admin.metrics.port.
        .stdout_has("  name: shop-metrics-9200\n")
        .stdout_has("  name: shop-metrics-9100\n")
        // Packaged subchart.
        .stdout_has("# Source: umbrella/charts/db/templates/statefulset.yaml\n")
        .stdout_has("            storage: 100Gi\n");
}

#[test]
fn render_from_the_packaged_umbrella_equals_render_from_the_directory() {
    let out = tempdir();
    let dest = out.path().display().to_string();
    strata(&["package", &umbrella(), "-d", &dest]).code(0);
    let tgz = out.path().join("umbrella-1.0.0.tgz").display().to_string();
    for env in ["dev", "prod"] {
        let a = strata(&["render", &umbrella(), "--env", env]);
        let b = strata(&["render", &tgz, "--env", env]);
        b.code(0).stderr_is("");
        assert_eq!(a.stdout, b.stdout, "{env}");
    }
}

#[test]
fn show_only_selects_a_subchart_template() {
    let run = strata(&[
        "render",
        &umbrella(),
        "--env",
        "prod",
        "--show-only",
        "charts/web/templates/deployment.yaml",
    ]);
    run.code(0);
    assert_eq!(run.stdout.matches("# Source:").count(), 1, "{}", run.stdout);
    run.stdout_has("# Source: umbrella/charts/web/templates/deployment.yaml\n");
    strata(&[
        "render",
        &umbrella(),
        "--env",
        "prod",
        "--show-only",
        "charts/nope/templates/x.yaml",
    ])
    .code(2)
    .no_stdout()
    .stderr_has("--show-only charts/nope/templates/x.yaml");
}

#[test]
fn subchart_template_errors_point_into_charts() {
    let t = tempdir();
    copy_dir(&root().join(umbrella()), t.path());
    std::fs::write(
        t.path().join("charts/cache/templates/configmap.yaml"),
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ values.nope }}\n",
    )
    .expect("write");
    // cache is disabled by tags in dev: its template is never rendered, as
    // in Helm.
    strata_in(t.path(), &["render", ".", "--env", "dev"], None).code(0);
    strata_in(t.path(), &["render", ".", "--env", "prod"], None)
        .code(1)
        .no_stdout()
        .stderr_has("undefined value: `values.nope`")
        .stderr_has(" --> charts/cache/templates/configmap.yaml:4:12");
    // A syntax error in a subchart that is used.
    std::fs::write(
        t.path().join("charts/web/templates/deployment.yaml"),
        "kind: {{ values.x }\n",
    )
    .expect("write");
    strata_in(t.path(), &["render", ".", "--env", "dev"], None)
        .code(1)
        .no_stdout()
        .stderr_has("syntax error")
        .stderr_has("charts/web/templates/deployment.yaml");
}

#[test]
fn parent_files_do_not_include_subcharts() {
    let t = tempdir();
    copy_dir(&root().join(umbrella()), t.path());
    std::fs::write(
        t.path().join("templates/files.yaml"),
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: files\ndata:\n  list: {{ files.glob('**') | list | tojson | quote }}\n",
    )
    .expect("write");
    let run = strata_in(
        t.path(),
        &[
            "render",
            ".",
            "--env",
            "prod",
            "--show-only",
            "templates/files.yaml",
        ],
        None,
    );
    run.code(0);
    assert!(!run.stdout.contains("charts/"), "{}", run.stdout);
    assert!(
        run.stdout.contains("environments/prod.yaml"),
        "{}",
        run.stdout
    );
}

#[test]
fn each_subcharts_schema_validates_its_own_section() {
    strata(&[
        "values",
        &umbrella(),
        "--set",
        "web.replicas=0",
        "--set",
        "admin.replicas=zero",
    ])
    .code(1)
    .no_stdout()
    .stderr_has("error[schema]: web.replicas: 0 is less than the minimum of 1\n  = set by --set web.replicas=0\n  = rule: charts/web/values.schema.json#/properties/replicas/minimum")
    // The alias is validated by the same schema, under its own name.
    .stderr_has("error[schema]: admin.replicas: \"zero\" is not of type \"integer\"");
    // The parent's other keys are not the subchart's business.
    strata(&["values", &umbrella(), "--set", "replicas=zero"]).code(0);
    // A subchart left out is not validated.
    strata(&[
        "values",
        &umbrella(),
        "--env",
        "dev",
        "--set",
        "admin.replicas=0",
    ])
    .code(0);
    // render and package validate the same way.
    strata(&[
        "render",
        &umbrella(),
        "--env",
        "prod",
        "--set",
        "web.replicas=0",
    ])
    .code(1)
    .no_stdout()
    .stderr_has("web.replicas: 0 is less than the minimum of 1");
}

#[test]
fn lint_and_package_apply_subchart_schemas_per_environment() {
    let t = tempdir();
    copy_dir(&root().join(umbrella()), t.path());
    std::fs::write(
        t.path().join("environments/prod.yaml"),
        "global:\n  env: prod\nweb:\n  replicas: 0\n",
    )
    .expect("write");
    strata_in(t.path(), &["lint", "."], None)
        .code(1)
        .stderr_has("web.replicas: 0 is less than the minimum of 1")
        .stderr_has(" --> environments/prod.yaml:4:13");
    let dest = t.path().join("dist");
    strata_in(
        t.path(),
        &["package", ".", "-d", &dest.display().to_string()],
        None,
    )
    .code(1)
    .no_stdout()
    .stderr_has("web.replicas: 0 is less than the minimum of 1");
    assert!(!dest.exists());
    // A subchart schema that is not valid JSON names its file.
    std::fs::write(t.path().join("charts/web/values.schema.json"), "{").expect("write");
    strata_in(t.path(), &["values", "."], None)
        .code(1)
        .no_stdout()
        .stderr_has("charts/web/values.schema.json is not valid JSON")
        .stderr_has(" --> charts/web/values.schema.json:1:1");
}

#[test]
fn write_only_properties_of_a_subchart_schema_are_redacted_in_its_section() {
    let t = tempdir();
    copy_dir(&root().join(umbrella()), t.path());
    std::fs::write(
        t.path().join("charts/web/values.schema.json"),
        r#"{"type": "object", "properties": {"token": {"type": "string", "writeOnly": true}}}"#,
    )
    .expect("write");
    let run = strata_in(
        t.path(),
        &["values", ".", "--set", "web.token=s3cret"],
        None,
    );
    run.code(0).stdout_has("  token: <redacted>\n");
    assert!(!run.stdout.contains("s3cret"));
}

#[test]
fn a_library_subchart_renders_no_manifests() {
    let t = tempdir();
    copy_dir(&root().join(umbrella()), t.path());
    std::fs::write(
        t.path().join("charts/cache/Chart.yaml"),
        "apiVersion: v2\nname: cache\nversion: 0.3.0\ntype: library\n",
    )
    .expect("write");
    let run = strata_in(t.path(), &["render", ".", "--env", "prod"], None);
    run.code(0);
    assert!(!run.stdout.contains("charts/cache/"), "{}", run.stdout);
    // Its values are still coalesced and imported.
    run.stdout_has("  cacheHost: cache.local\n");
}
