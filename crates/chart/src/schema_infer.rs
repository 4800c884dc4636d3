//! `strata schema init`: a JSON Schema (draft 2020-12) inferred from a
//! chart's values.yaml — types, nested objects, arrays with their item
//! type, and `required` for every key the defaults set. It accepts the
//! chart's own values and rejects values of other types.

use std::path::Path;

use serde_json::{json, Map as JMap, Value as J};

use crate::diag::Result;
use crate::value::{Node, Value};

/// The draft `schema init` writes.
pub(crate) const DRAFT_2020_12: &str = "https://json-schema.org/draft/2020-12/schema";

/// The schema of one value.
pub fn infer(node: &Node) -> J {
    match &node.value {
        // A null default says nothing about the type.
        Value::Null => json!({}),
        Value::Bool(_) => json!({"type": "boolean"}),
        Value::Int(_) => json!({"type": "integer"}),
        Value::Float(_) => json!({"type": "number"}),
        Value::Str(_) => json!({"type": "string"}),
        Value::Seq(items) => {
            let mut o = JMap::new();
            o.insert("type".into(), J::from("array"));
            if let Some(first) = items.first() {
                let t = first.value.type_name();
                if items.iter().all(|i| i.value.type_name() == t) {
                    let item = match &first.value {
                        // Objects in a list: the keys all of them share are required.
                        Value::Map(_) => merge_objects(items),
                        _ => infer(first),
                    };
                    o.insert("items".into(), item);
                }
            }
            J::Object(o)
        }
        Value::Map(m) => {
            let mut o = JMap::new();
            o.insert("type".into(), J::from("object"));
            if !m.is_empty() {
                let props: JMap<String, J> = m.iter().map(|(k, v)| (k.clone(), infer(v))).collect();
                let required: Vec<J> = m
                    .iter()
                    .filter(|(_, v)| !v.value.is_null())
                    .map(|(k, _)| J::from(k.as_str()))
                    .collect();
                o.insert("properties".into(), J::Object(props));
                if !required.is_empty() {
                    o.insert("required".into(), J::Array(required));
                }
            }
            J::Object(o)
        }
    }
}

fn merge_objects(items: &[Node]) -> J {
    let mut schema = infer(&items[0]);
    let shared: Vec<String> = match &items[0].value {
        Value::Map(first) => first
            .keys()
            .filter(|k| {
                items.iter().all(|i| {
                    i.as_map()
                        .is_some_and(|m| m.get(*k).is_some_and(|v| !v.value.is_null()))
                })
            })
            .cloned()
            .collect(),
        _ => Vec::new(),
    };
    if let Some(o) = schema.as_object_mut() {
        if shared.is_empty() {
            o.remove("required");
        } else {
            o.insert(
                "required".into(),
                J::Array(shared.into_iter().map(J::from).collect()),
            );
        }
    }
    schema
}

/// The whole values.schema.json text for a chart's values.
pub fn infer_text(values: &Node) -> String {
    let mut root = JMap::new();
    root.insert("$schema".into(), J::from(DRAFT_2020_12));
    if let J::Object(o) = infer(values) {
        root.extend(o);
    }
    let mut s = serde_json::to_string_pretty(&J::Object(root)).unwrap_or_default();
    s.push('\n');
    s
}

/// Write `bytes` to `path` whole or not at all ([`crate::fsutil`]).
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    crate::fsutil::write_atomic(path, bytes).map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[test]
    fn infers_types_nesting_items_and_required() {
        let v = crate::yaml::load_values(
            "a: 1\nb: x\nc: [1, 2]\nd:\n  e: true\nf: null\ng: 1.5\nh: [{n: a, p: 1}, {n: b}]\n",
            &Arc::from("values.yaml"),
        )
        .unwrap();
        let s = infer(&v);
        assert_eq!(s["properties"]["a"], json!({"type": "integer"}));
        assert_eq!(
            s["properties"]["c"],
            json!({"type": "array", "items": {"type": "integer"}})
        );
        assert_eq!(s["properties"]["d"]["required"], json!(["e"]));
        assert_eq!(s["properties"]["f"], json!({}));
        assert_eq!(s["properties"]["h"]["items"]["required"], json!(["n"]));
        assert_eq!(s["required"], json!(["a", "b", "c", "d", "g", "h"]));
    }
}
