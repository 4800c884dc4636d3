//! The values tree: YAML data where every node remembers where it came from.
//!
//! The tree itself ([`Node`], [`Value`], [`Origin`], [`Map`], [`Path`]) is
//! strata-yaml's, which loads into it; this module adds what charts need
//! of it.

pub use strata_yaml::{Map, Node, Origin, Path, Value};

use crate::diag::Location;

/// Where deserialising `json` (the JSON form of `node`) into `T` goes
/// wrong: the deepest map key whose value alone still makes `T` fail, as a
/// location in the file `node` was read from. serde's errors name no path;
/// this narrows one down, key by key. Needs `T`'s fields to have defaults.
pub(crate) fn locate_deserialize_error<T: serde::de::DeserializeOwned>(
    node: &Node,
    json: &serde_json::Value,
) -> Option<Location> {
    use serde_json::Value as J;
    let only = |path: &[String], leaf: &J| -> J {
        path.iter().rev().fold(leaf.clone(), |v, k| {
            let mut m = serde_json::Map::new();
            m.insert(k.clone(), v);
            J::Object(m)
        })
    };
    let mut path: Vec<String> = Vec::new();
    let mut cur = json;
    while let J::Object(obj) = cur {
        let bad = obj.iter().find(|(k, v)| {
            let mut p = path.clone();
            p.push((*k).clone());
            serde_json::from_value::<T>(only(&p, v)).is_err()
        });
        let Some((k, v)) = bad else { break };
        path.push(k.clone());
        cur = v;
    }
    if path.is_empty() {
        return None;
    }
    node.get_path(&path)
        .and_then(|n| n.origin.location().cloned())
}
