//! JSON Schemas of strata's own files (Chart.yaml, environments.yaml),
//! generated from the Rust types with schemars so they never disagree
//! with what strata reads. They are committed under `schemas/` for
//! editors (`# yaml-language-server: $schema=…`) and a test keeps them
//! from drifting.

use crate::chart::Metadata;
use crate::env::EnvironmentsFile;

fn pretty(schema: &schemars::Schema) -> String {
    let mut s = serde_json::to_string_pretty(schema).unwrap_or_default();
    s.push('\n');
    s
}

/// `schemas/chart.schema.json`.
pub fn chart_schema() -> String {
    pretty(&schemars::schema_for!(Metadata))
}

/// `schemas/environments.schema.json`.
pub fn environments_schema() -> String {
    pretty(&schemars::schema_for!(EnvironmentsFile))
}

/// Every generated schema with its path under the repository root.
pub fn all() -> Vec<(&'static str, String)> {
    vec![
        ("schemas/chart.schema.json", chart_schema()),
        ("schemas/environments.schema.json", environments_schema()),
    ]
}
