//! The mistakes users actually make (issue 13): a forgotten --env, typo'd
//! and dead values, CRDs, the story of a value, Helm's flags.

use crate::util::*;

const API_ENVS: &str = "dev, staging, prod, prod-eu-central";

// ------------------------------------------------------------ forgotten --env

#[test]
fn render_without_env_on_a_chart_with_environments_is_a_usage_error() {
    strata(&["render", "charts/api"])
        .code(2)
        .no_stdout()
        .stderr_is(&format!(
            "error[usage]: render without --env: the chart has environments ({API_ENVS}); choose one with --env ENV\n"
        ));
}

#[test]
fn diff_without_env_lists_the_environments() {
    strata(&["diff", "charts/api"])
        .code(2)
        .no_stdout()
        .stderr_is(&format!(
            "error[usage]: diff without --env: the chart has environments ({API_ENVS}); give two with --env A --env B\n"
        ));
}

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
