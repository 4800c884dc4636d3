//! The values tree: YAML data where every node remembers where it came from.
//!
//! The tree itself ([`Node`], [`Value`], [`Origin`], [`Map`], [`Path`]) is
//! strata-yaml's, which loads into it; this module adds what charts need
//! of it.

pub use strata_yaml::{Map, Node, Origin, Path, Value};

use crate::diag::Location;

/// Deserialise `json` (the JSON form of `node`) into `T`; on failure, the
/// error and where in the file `node` was read from it is about: the
/// deepest key or list item of serde's path (`maintainers[1].email`) that
/// has a position.
pub(crate) fn deserialize_located<T: serde::de::DeserializeOwned>(
    node: &Node,
    json: serde_json::Value,
) -> Result<T, (serde_json::Error, Option<Location>)> {
    use serde_path_to_error::Segment;
    serde_path_to_error::deserialize(json).map_err(|e| {
        let mut cur = Some(node);
        let mut at = None;
        for seg in e.path().iter() {
            cur = match (seg, cur.map(|n| &n.value)) {
                (Segment::Map { key }, Some(Value::Map(m))) => m.get(key.as_str()),
                (Segment::Seq { index }, Some(Value::Seq(s))) => s.get(*index),
                _ => None,
            };
            match cur.and_then(|n| n.origin.location()) {
                Some(loc) => at = Some(loc.clone()),
                None => break,
            }
        }
        (e.into_inner(), at)
    })
}
