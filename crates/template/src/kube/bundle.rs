//! The bundled Kubernetes schemas (`schemas/kubernetes/bundle.bin`, built by
//! `schemas/kubernetes/regen.py` from a pinned kubernetes-validate wheel).
//!
//! The file is one zlib stream; inflated (about 1.5 MB, a few milliseconds)
//! it is a magic line, a JSON index and the distinct schema texts back to
//! back. The index says, for each Kubernetes minor version, which text is
//! each definition of its `_definitions.json` and each resource kind's
//! top-level schema. Texts are parsed only when a document needs them: a
//! kind's schema is assembled from its top-level text and the definitions
//! it reaches through `$ref`, into one self-contained schema.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::io::Read;
use std::sync::OnceLock;

use serde::Deserialize;
use serde_json::{Map, Value as J};

/// The compressed bundle, embedded in the binary.
static BUNDLE: &[u8] = include_bytes!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../schemas/kubernetes/bundle.bin"
));

const MAGIC: &[u8] = b"STRATA-K8S-SCHEMAS 1\n";
/// How `$ref`s into `_definitions.json` are written in kind files.
const DEFS_REF: &str = "/api/_definitions.json#/$defs/";
/// How definitions refer to each other (and, once assembled, everything).
const LOCAL_REF: &str = "#/$defs/";

/// A Kubernetes minor version, `(1, 31)`.
pub type Minor = (u32, u32);

#[derive(Deserialize)]
struct Index {
    versions: Vec<String>,
    names: Vec<String>,
    blobs: Vec<(usize, usize)>,
    defs: HashMap<String, Vec<(usize, usize)>>,
    kinds: HashMap<String, Vec<(String, String, usize)>>,
}

/// The inflated bundle and its index.
pub(crate) struct Bundle {
    payload: Vec<u8>,
    /// Offset of the first blob in `payload`.
    base: usize,
    index: Index,
    versions: Vec<Minor>,
    /// Per version (same order as `versions`), decoded on first use.
    tables: Vec<OnceLock<Table>>,
    /// Every API group of every version.
    groups: OnceLock<HashSet<String>>,
}

/// One version's lookups: definition name → blob, (apiVersion, kind) → blob.
struct Table {
    defs: HashMap<String, usize>,
    kinds: HashMap<(String, String), usize>,
}

/// Parse `1.31`, `v1.31.0` or `1.31.0-gke.1` into its minor version.
pub(crate) fn parse_minor(v: &str) -> Option<Minor> {
    let v = v.trim();
    let v = v.strip_prefix('v').unwrap_or(v);
    let mut parts = v.split(['.', '-', '+']);
    let major = parts.next()?.parse().ok()?;
    let minor = parts.next()?.parse().ok()?;
    Some((major, minor))
}

impl Bundle {
    /// The embedded bundle, inflated once per process.
    pub fn get() -> Result<&'static Bundle, String> {
        static ONCE: OnceLock<Result<Bundle, String>> = OnceLock::new();
        ONCE.get_or_init(|| Bundle::decode(BUNDLE))
            .as_ref()
            .map_err(Clone::clone)
    }

    fn decode(compressed: &[u8]) -> Result<Bundle, String> {
        let bad = |what: &str| format!("the bundled Kubernetes schemas are damaged ({what})");
        let mut payload = Vec::new();
        flate2::read::ZlibDecoder::new(compressed)
            .read_to_end(&mut payload)
            .map_err(|e| bad(&e.to_string()))?;
        let rest = payload.strip_prefix(MAGIC).ok_or_else(|| bad("magic"))?;
        let len_bytes: [u8; 4] = rest
            .get(..4)
            .and_then(|b| b.try_into().ok())
            .ok_or_else(|| bad("index length"))?;
        let len = usize::try_from(u32::from_be_bytes(len_bytes)).map_err(|_| bad("index"))?;
        let start = MAGIC.len() + 4;
        let idx = payload
            .get(start..start + len)
            .ok_or_else(|| bad("index"))?;
        let index: Index = serde_json::from_slice(idx).map_err(|e| bad(&e.to_string()))?;
        let versions = index
            .versions
            .iter()
            .map(|v| parse_minor(v).ok_or_else(|| bad("version")))
            .collect::<Result<Vec<_>, _>>()?;
        let tables = versions.iter().map(|_| OnceLock::new()).collect();
        Ok(Bundle {
            base: start + len,
            payload,
            index,
            versions,
            tables,
            groups: OnceLock::new(),
        })
    }

    /// The bundled minor versions, oldest first.
    pub fn versions(&self) -> &[Minor] {
        &self.versions
    }

    fn table(&self, v: Minor) -> Option<&Table> {
        let i = self.versions.iter().position(|x| *x == v)?;
        let key = self.index.versions.get(i)?;
        Some(self.tables.get(i)?.get_or_init(|| {
            let names = &self.index.names;
            let defs = self
                .index
                .defs
                .get(key)
                .map(|ds| {
                    ds.iter()
                        .filter_map(|&(n, b)| Some((names.get(n)?.clone(), b)))
                        .collect()
                })
                .unwrap_or_default();
            let kinds = self
                .index
                .kinds
                .get(key)
                .map(|ks| {
                    ks.iter()
                        .map(|(a, k, b)| ((a.clone(), k.clone()), *b))
                        .collect()
                })
                .unwrap_or_default();
            Table { defs, kinds }
        }))
    }

    /// Whether version `v` serves `api_version` `kind`.
    pub fn serves(&self, v: Minor, api_version: &str, kind: &str) -> bool {
        self.table(v).is_some_and(|t| {
            t.kinds
                .contains_key(&(api_version.to_string(), kind.to_string()))
        })
    }

    /// Every (apiVersion, kind) version `v` serves.
    pub fn kinds(&self, v: Minor) -> Vec<(String, String)> {
        let Some(i) = self.versions.iter().position(|x| *x == v) else {
            return Vec::new();
        };
        self.index
            .versions
            .get(i)
            .and_then(|key| self.index.kinds.get(key))
            .map(|ks| ks.iter().map(|(a, k, _)| (a.clone(), k.clone())).collect())
            .unwrap_or_default()
    }

    /// Every API group any bundled version serves (`""` is the core group).
    pub fn groups(&self) -> &HashSet<String> {
        self.groups.get_or_init(|| {
            self.index
                .kinds
                .values()
                .flatten()
                .map(|(a, _, _)| super::group_of(a).to_string())
                .collect()
        })
    }

    fn blob(&self, b: usize) -> Result<J, String> {
        let bad = || "the bundled Kubernetes schemas are damaged (blob)".to_string();
        let &(off, len) = self.index.blobs.get(b).ok_or_else(bad)?;
        let start = self.base + off;
        let bytes = self.payload.get(start..start + len).ok_or_else(bad)?;
        serde_json::from_slice(bytes).map_err(|_| bad())
    }

    /// The self-contained JSON schema of `api_version` `kind` at version
    /// `v` (its `$ref`s all local), or `None` when `v` does not serve it.
    pub fn schema(&self, v: Minor, api_version: &str, kind: &str) -> Result<Option<J>, String> {
        let Some(t) = self.table(v) else {
            return Ok(None);
        };
        let Some(&b) = t.kinds.get(&(api_version.to_string(), kind.to_string())) else {
            return Ok(None);
        };
        let mut root = self.blob(b)?;
        let mut wanted = BTreeSet::new();
        localize(&mut root, &mut wanted);
        let mut defs = Map::new();
        let mut todo: Vec<String> = wanted.iter().cloned().collect();
        while let Some(name) = todo.pop() {
            if defs.contains_key(&name) {
                continue;
            }
            let Some(&db) = t.defs.get(&name) else {
                return Err(format!(
                    "the bundled Kubernetes schemas are damaged (no definition {name})"
                ));
            };
            let mut d = self.blob(db)?;
            let mut more = BTreeSet::new();
            localize(&mut d, &mut more);
            todo.extend(more.into_iter().filter(|n| !defs.contains_key(n)));
            defs.insert(name, d);
        }
        if let J::Object(m) = &mut root {
            m.remove("$id");
            m.insert(
                "$schema".into(),
                J::from("https://json-schema.org/draft/2020-12/schema"),
            );
            m.insert("$defs".into(), J::Object(defs));
        }
        Ok(Some(root))
    }
}

/// Rewrite every `$ref` of `s` to a local `#/$defs/NAME` and collect the names.
fn localize(s: &mut J, names: &mut BTreeSet<String>) {
    match s {
        J::Object(m) => {
            for (k, v) in m.iter_mut() {
                if k == "$ref" {
                    if let J::String(r) = v {
                        let name = r
                            .strip_prefix(DEFS_REF)
                            .or_else(|| r.strip_prefix(LOCAL_REF))
                            .map(str::to_string);
                        if let Some(name) = name {
                            *r = format!("{LOCAL_REF}{name}");
                            names.insert(name);
                        }
                    }
                } else {
                    localize(v, names);
                }
            }
        }
        J::Array(a) => a.iter_mut().for_each(|v| localize(v, names)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_from_1_25_on() {
        let b = Bundle::get().unwrap();
        assert_eq!(b.versions().first(), Some(&(1, 25)));
        assert!(b.versions().len() >= 13);
    }

    #[test]
    fn parses_versions() {
        assert_eq!(parse_minor("1.31"), Some((1, 31)));
        assert_eq!(parse_minor("v1.31.0"), Some((1, 31)));
        assert_eq!(parse_minor("1.29.3-gke.100"), Some((1, 29)));
        assert_eq!(parse_minor("x"), None);
        assert_eq!(parse_minor("1"), None);
    }

    #[test]
    fn assembles_a_self_contained_schema() {
        let b = Bundle::get().unwrap();
        let s = b.schema((1, 31), "apps/v1", "Deployment").unwrap().unwrap();
        assert_eq!(s["additionalProperties"], J::Bool(false));
        assert_eq!(
            s["properties"]["spec"]["$ref"],
            "#/$defs/io.k8s.api.apps.v1.DeploymentSpec"
        );
        assert!(s["$defs"]["io.k8s.api.core.v1.PodSpec"].is_object());
        assert!(b.schema((1, 31), "apps/v1", "Nope").unwrap().is_none());
        // autoscaling/v2beta2 was served until 1.25.
        assert!(b.serves((1, 25), "autoscaling/v2beta2", "HorizontalPodAutoscaler"));
        assert!(!b.serves((1, 26), "autoscaling/v2beta2", "HorizontalPodAutoscaler"));
        assert!(b.serves((1, 31), "v1", "ConfigMap"));
    }
}
