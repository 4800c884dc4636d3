//! CustomResourceDefinitions as schemas: each served version's
//! `openAPIV3Schema` turned into a JSON Schema (draft 4, which OpenAPI's
//! schema objects follow) that rejects unknown fields as the bundled
//! schemas do.
//!
//! The conversion, as kubeconform's `openapi2jsonschema` does it:
//! - `x-kubernetes-int-or-string: true` becomes `type: [integer, string]`;
//! - `nullable: true` adds `null` to the type;
//! - an object schema with `properties` and no `additionalProperties`
//!   gets `additionalProperties: false`, unless it says
//!   `x-kubernetes-preserve-unknown-fields: true` (and not inside
//!   `allOf`/`anyOf`/`oneOf`/`not`, whose branches only add constraints);
//! - the root (and any `x-kubernetes-embedded-resource`) also accepts
//!   `apiVersion`, `kind` and `metadata`, which the API server handles
//!   itself.
//!
//! Not checked: `x-kubernetes-validations` (CEL rules), `format`s, and
//! `metadata` beyond being a map.

use serde_json::{Map, Value as J};

/// One custom resource schema: `api_version` `kind` from a CRD.
#[derive(Clone, Debug)]
pub(crate) struct CrdSchema {
    /// `group/version`.
    pub api_version: String,
    /// `spec.names.kind`.
    pub kind: String,
    /// The converted schema.
    pub schema: J,
    /// A digest of the schema's text, to cache what is compiled from it.
    pub digest: u64,
}

/// The schemas a CRD document defines, one per served version that has
/// an `openAPIV3Schema`. Anything else gives none.
pub(crate) fn schemas_of(doc: &J) -> Vec<CrdSchema> {
    let is_crd = doc.get("kind").and_then(J::as_str) == Some("CustomResourceDefinition")
        && doc
            .get("apiVersion")
            .and_then(J::as_str)
            .is_some_and(|a| a.starts_with("apiextensions.k8s.io/"));
    if !is_crd {
        return Vec::new();
    }
    let spec = doc.get("spec");
    let group = spec.and_then(|s| s.get("group")).and_then(J::as_str);
    let kind = spec
        .and_then(|s| s.get("names"))
        .and_then(|n| n.get("kind"))
        .and_then(J::as_str);
    let (Some(group), Some(kind)) = (group, kind) else {
        return Vec::new();
    };
    let versions = spec
        .and_then(|s| s.get("versions"))
        .and_then(J::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default();
    versions
        .iter()
        .filter(|v| v.get("served").and_then(J::as_bool).unwrap_or(true))
        .filter_map(|v| {
            let name = v.get("name")?.as_str()?;
            let s = v.get("schema")?.get("openAPIV3Schema")?;
            let schema = convert_root(s);
            let mut h = std::hash::DefaultHasher::new();
            std::hash::Hash::hash(&schema.to_string(), &mut h);
            Some(CrdSchema {
                api_version: format!("{group}/{name}"),
                kind: kind.to_string(),
                digest: std::hash::Hasher::finish(&h),
                schema,
            })
        })
        .collect()
}

fn convert_root(s: &J) -> J {
    let mut out = convert(s, true);
    if let J::Object(m) = &mut out {
        add_resource_fields(m);
        m.insert(
            "$schema".into(),
            J::from("http://json-schema.org/draft-04/schema#"),
        );
    }
    out
}

/// `apiVersion`, `kind` and `metadata`, when the schema lists properties
/// and lacks them.
fn add_resource_fields(m: &mut Map<String, J>) {
    if let Some(J::Object(props)) = m.get_mut("properties") {
        for (k, t) in [
            ("apiVersion", "string"),
            ("kind", "string"),
            ("metadata", "object"),
        ] {
            props
                .entry(k)
                .or_insert_with(|| serde_json::json!({ "type": t }));
        }
    }
}

/// The JSON Schema for OpenAPI schema `s`; `strict` adds
/// `additionalProperties: false` where properties are listed.
fn convert(s: &J, strict: bool) -> J {
    let J::Object(src) = s else {
        return s.clone();
    };
    let flag = |k: &str| src.get(k).and_then(J::as_bool).unwrap_or(false);
    let preserve = flag("x-kubernetes-preserve-unknown-fields");
    let mut m = Map::new();
    for (k, v) in src {
        let v = match (k.as_str(), v) {
            ("properties" | "patternProperties" | "definitions", J::Object(ps)) => J::Object(
                ps.iter()
                    .map(|(name, p)| (name.clone(), convert(p, true)))
                    .collect(),
            ),
            ("items" | "additionalProperties", J::Object(_)) => convert(v, true),
            ("items", J::Array(a)) => J::Array(a.iter().map(|x| convert(x, true)).collect()),
            ("allOf" | "anyOf" | "oneOf", J::Array(a)) => {
                J::Array(a.iter().map(|x| convert(x, false)).collect())
            }
            ("not", _) => convert(v, false),
            _ => v.clone(),
        };
        m.insert(k.clone(), v);
    }
    if flag("x-kubernetes-int-or-string") {
        m.insert("type".into(), serde_json::json!(["integer", "string"]));
    }
    if flag("nullable") {
        match m.get("type").cloned() {
            Some(J::String(t)) => {
                m.insert("type".into(), serde_json::json!([t, "null"]));
            }
            Some(J::Array(mut ts)) if !ts.iter().any(|t| t == "null") => {
                ts.push(J::from("null"));
                m.insert("type".into(), J::Array(ts));
            }
            _ => {}
        }
    }
    if flag("x-kubernetes-embedded-resource") {
        add_resource_fields(&mut m);
    }
    if strict
        && !preserve
        && m.contains_key("properties")
        && !m.contains_key("additionalProperties")
    {
        m.insert("additionalProperties".into(), J::Bool(false));
    }
    J::Object(m)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn converts_served_versions() {
        let crd = json!({
            "apiVersion": "apiextensions.k8s.io/v1",
            "kind": "CustomResourceDefinition",
            "spec": {"group": "example.com", "names": {"kind": "Widget"},
              "versions": [
                {"name": "v1", "served": true, "schema": {"openAPIV3Schema": {
                  "type": "object",
                  "properties": {"spec": {"type": "object", "properties": {
                    "size": {"x-kubernetes-int-or-string": true},
                    "note": {"type": "string", "nullable": true},
                    "free": {"type": "object", "x-kubernetes-preserve-unknown-fields": true, "properties": {"a": {"type": "string"}}},
                    "pick": {"type": "object", "properties": {"a": {"type": "string"}}, "oneOf": [{"required": ["a"]}, {"properties": {"b": {}}}]}
                  }}}}}},
                {"name": "v0", "served": false, "schema": {"openAPIV3Schema": {"type": "object"}}}
              ]}
        });
        let s = schemas_of(&crd);
        assert_eq!(s.len(), 1);
        assert_eq!(s[0].api_version, "example.com/v1");
        assert_eq!(s[0].kind, "Widget");
        let root = &s[0].schema;
        assert_eq!(root["additionalProperties"], false);
        assert_eq!(root["properties"]["kind"], json!({"type": "string"}));
        let spec = &root["properties"]["spec"];
        assert_eq!(spec["additionalProperties"], false);
        assert_eq!(
            spec["properties"]["size"]["type"],
            json!(["integer", "string"])
        );
        assert_eq!(
            spec["properties"]["note"]["type"],
            json!(["string", "null"])
        );
        assert!(spec["properties"]["free"]
            .get("additionalProperties")
            .is_none());
        assert_eq!(spec["properties"]["pick"]["additionalProperties"], false);
        assert!(spec["properties"]["pick"]["oneOf"][1]
            .get("additionalProperties")
            .is_none());
    }

    #[test]
    fn other_documents_define_nothing() {
        assert!(schemas_of(&json!({"apiVersion": "v1", "kind": "ConfigMap"})).is_empty());
        assert!(schemas_of(
            &json!({"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition"})
        )
        .is_empty());
    }
}
