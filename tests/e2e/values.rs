//! `strata values` and `strata envs`: layering, provenance, bad input.

use crate::util::*;

#[test]
fn api_values_for_every_environment_match_golden() {
    for env in ["dev", "staging", "prod", "prod-eu-central"] {
        let run = strata(&["values", "charts/api", "--env", env]);
        run.code(0).stderr_is("");
        golden(&format!("api/values-{env}.yaml"), &run.stdout);
        let run = strata(&["values", "charts/api", "--env", env, "--explain"]);
        run.code(0);
        golden(&format!("api/values-{env}.explain.txt"), &run.stdout);
    }
}

#[test]
fn layers_apply_in_order_with_origins() {
    let chart = fixture("layers");
    let over = fixture("layers-override.yaml");
    let run = strata(&[
        "values",
        &chart,
        "--env",
        "prod",
        "-f",
        &over,
        "--set",
        "image.tag=4.0",
        "--set-string",
        "replicaCount=5",
        "--set",
        "replicaCount=6",
    ]);
    run.code(0);
    assert_eq!(
        run.stdout,
        "image:\n  repository: nginx\n  tag: \"4.0\"\nreplicaCount: 6\nbig: 12345678901\nanswer: \"yes\"\nmode: advanced\nlabels:\n  team: web\n  tier: backend\n"
    );
    // The scalar `advanced` replacing the map `mode` is reported, not fatal.
    run.stderr_has("warning[values]: mode: the string advanced (environments/prod.yaml:4:7)")
        .stderr_has("replaces a map (values.yaml:9:3)");
}

#[test]
fn explain_names_file_line_column_and_flags() {
    let chart = fixture("layers");
    let over = fixture("layers-override.yaml");
    let run = strata(&[
        "values",
        &chart,
        "--env",
        "prod",
        "-f",
        &over,
        "--set",
        "image.tag=4.0",
        "--explain",
    ]);
    run.code(0);
    let want = "\
image.repository: \"nginx\"  # values.yaml:2:15
image.tag: \"4.0\"  # --set image.tag=4.0
  #   \"1.0\"  values.yaml:3:8
  #   \"2.0\"  environments/base.yaml:2:8
  #   \"3.0\"  environments/prod.yaml:2:8
  # * \"4.0\"  --set image.tag=4.0
replicaCount: 4  # tests/fixtures/layers-override.yaml:1:15
  #   1  values.yaml:5:15
  #   2  environments/base.yaml:3:15
  # * 4  tests/fixtures/layers-override.yaml:1:15
big: 12345678901  # values.yaml:6:6
answer: \"yes\"  # values.yaml:7:9
mode: \"advanced\"  # environments/prod.yaml:4:7
  #   {\"kind\":\"simple\"}  values.yaml:9:3
  # * \"advanced\"  environments/prod.yaml:4:7
labels.team: \"web\"  # values.yaml:12:9
labels.tier: \"backend\"  # tests/fixtures/layers-override.yaml:3:9
# image.pullPolicy: removed by null  # environments/prod.yaml:3:15
";
    assert_eq!(run.stdout, want);
}

#[test]
fn explain_json_is_a_list_of_path_value_source() {
    let run = strata(&[
        "values",
        "charts/api",
        "--env",
        "prod",
        "--explain",
        "--output",
        "json",
        "--set",
        "podAnnotations.team\\.name=web",
    ]);
    run.code(0);
    let list: serde_json::Value = serde_json::from_str(&run.stdout).expect("json");
    let items = list.as_array().expect("array");
    let tag = items
        .iter()
        .find(|i| i["path"] == "image.tag")
        .expect("image.tag");
    assert_eq!(tag["value"], "2.4.0");
    assert_eq!(tag["source"], "environments/prod.yaml:3:8");
    let esc = items
        .iter()
        .find(|i| i["path"] == "podAnnotations.team\\.name")
        .expect("escaped key");
    assert_eq!(esc["source"], "--set podAnnotations.team\\.name=web");
}

#[test]
fn values_json_output_is_an_object_in_input_order() {
    let run = strata(&["values", &fixture("layers"), "--output", "json"]);
    run.code(0);
    assert!(
        run.stdout
            .starts_with("{\n  \"image\": {\n    \"repository\": \"nginx\""),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("\"big\": 12345678901"),
        "{}",
        run.stdout
    );
}

#[test]
fn stdin_values_file() {
    let run = strata_stdin(
        &["values", &fixture("layers"), "-f", "-", "--explain"],
        "replicaCount: 9\n",
    );
    run.code(0).stdout_has("replicaCount: 9  # <stdin>:1:15\n");
}

#[test]
fn envs_lists_namespaces_and_chains() {
    let run = strata(&["envs", "charts/api"]);
    run.code(0);
    assert_eq!(
        run.stdout,
        "\
ENVIRONMENT      NAMESPACE     LAYERS
dev              shop-dev      values.yaml -> environments/dev.yaml
staging          shop-staging  values.yaml -> environments/staging.yaml
prod             shop-prod     values.yaml -> environments/prod.yaml
prod-eu-central  shop-prod     values.yaml -> environments/prod.yaml -> environments/prod-eu-central.yaml

templates: jinja (strata's dialect)
"
    );
    let run = strata(&["envs", "charts/api", "--output", "json"]);
    run.code(0);
    let v: serde_json::Value = serde_json::from_str(&run.stdout).expect("json");
    assert_eq!(v[3]["name"], "prod-eu-central");
    assert_eq!(v[3]["layers"][2], "environments/prod-eu-central.yaml");
    assert_eq!(v[3]["dialect"], "jinja");
}

// ---- bad input: message, exit code, nothing on stdout ----

#[test]
fn alias_bomb_is_refused_quickly() {
    let dir = tempdir();
    std::fs::write(
        dir.path().join("Chart.yaml"),
        "apiVersion: v2\nname: bomb\nversion: 0.1.0\n",
    )
    .unwrap();
    let mut src = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..12 {
        let p = i - 1;
        src.push_str(&format!(
            "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
        ));
    }
    std::fs::write(dir.path().join("values.yaml"), src).unwrap();
    strata(&["values", dir.path().to_str().unwrap()])
        .code(1)
        .no_stdout()
        .stderr_has("refusing to expand it");
}

#[test]
fn deep_nesting_is_refused() {
    let dir = tempdir();
    std::fs::write(
        dir.path().join("Chart.yaml"),
        "apiVersion: v2\nname: deep\nversion: 0.1.0\n",
    )
    .unwrap();
    let src = format!("a: {}1{}\n", "[".repeat(5000), "]".repeat(5000));
    std::fs::write(dir.path().join("values.yaml"), src).unwrap();
    let run = strata(&["values", dir.path().to_str().unwrap()]);
    run.code(1).no_stdout().stderr_has("error[yaml]");
}

#[test]
fn non_utf8_values_are_refused_with_position() {
    let dir = tempdir();
    std::fs::write(
        dir.path().join("Chart.yaml"),
        "apiVersion: v2\nname: enc\nversion: 0.1.0\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("values.yaml"), b"a: 1\nb: \xff\xfe\n").unwrap();
    strata(&["values", dir.path().to_str().unwrap()])
        .code(1)
        .no_stdout()
        .stderr_has("error[yaml]: values.yaml is not valid UTF-8")
        .stderr_has(&format!("--> {}/values.yaml:2:4", dir.path().display()));
}

#[test]
fn not_a_chart() {
    strata(&["values", "docs"])
        .code(1)
        .stderr_has("error[chart]: docs is not a chart: it has no Chart.yaml");
    strata(&["values", "no/such/dir"])
        .code(2)
        .stderr_has("error[io]: no/such/dir");
}
