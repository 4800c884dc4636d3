//! schemas/*.json are generated from the Rust types; this test fails when
//! they drift. Regenerate with:
//!   UPDATE_SCHEMAS=1 cargo test -p strata-chart --test schemas_drift

use strata_chart::file_schemas;

#[test]
fn committed_schemas_match_the_rust_types() {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");
    for (path, generated) in file_schemas::all() {
        let full = format!("{root}/{path}");
        if std::env::var_os("UPDATE_SCHEMAS").is_some() {
            std::fs::create_dir_all(format!("{root}/schemas")).expect("mkdir schemas");
            std::fs::write(&full, &generated).expect("write schema");
            continue;
        }
        let committed = std::fs::read_to_string(&full).unwrap_or_default();
        assert!(
            committed == generated,
            "{path} is out of date with the Rust types; regenerate it with\n  \
             UPDATE_SCHEMAS=1 cargo test -p strata-chart --test schemas_drift"
        );
    }
}

#[test]
fn the_generated_schemas_accept_the_reference_chart() {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");
    for (schema, file) in [
        (file_schemas::chart_schema(), "charts/api/Chart.yaml"),
        (
            file_schemas::environments_schema(),
            "charts/api/environments.yaml",
        ),
    ] {
        let schema: serde_json::Value = serde_json::from_str(&schema).expect("json");
        let text = std::fs::read_to_string(format!("{root}/{file}")).expect("read");
        let node = strata_yaml::load_values(&text, &std::sync::Arc::from(file)).expect("yaml");
        let v = jsonschema::validator_for(&schema).expect("valid schema");
        let errors: Vec<String> = v
            .iter_errors(&node.to_json())
            .map(|e| e.to_string())
            .collect();
        assert!(errors.is_empty(), "{file}: {errors:?}");
        // And they reject a wrong type.
        let mut bad = node.to_json();
        bad["name"] = serde_json::json!(["x"]);
        bad["environments"] = serde_json::json!(5);
        assert!(!v.is_valid(&bad), "{file}");
    }
}

/// Chart.yaml's schema requires what Helm's loader requires: a Chart.yaml
/// without apiVersion, name or version (or with an empty one) is refused.
#[test]
fn the_chart_schema_requires_what_helm_requires() {
    let schema: serde_json::Value =
        serde_json::from_str(&file_schemas::chart_schema()).expect("json");
    let v = jsonschema::validator_for(&schema).expect("valid schema");
    let whole = serde_json::json!({"apiVersion": "v2", "name": "web", "version": "1.0.0"});
    assert!(v.is_valid(&whole));
    for key in ["apiVersion", "name", "version"] {
        let mut missing = whole.clone();
        missing.as_object_mut().expect("map").remove(key);
        let errors: Vec<String> = v.iter_errors(&missing).map(|e| e.to_string()).collect();
        assert_eq!(errors, [format!("\"{key}\" is a required property")]);
        let mut empty = whole.clone();
        empty[key] = serde_json::json!("");
        assert!(!v.is_valid(&empty), "empty {key}");
    }
}
