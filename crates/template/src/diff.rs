//! The rendered difference between two environments, resource by resource.
//!
//! Resources are matched by kind, namespace and name. Each environment's
//! own namespace is replaced by [`NAMESPACE_PLACEHOLDER`] — in the
//! identity and in the bodies, as a whole word — so that two environments
//! that differ only in where they are deployed show no difference there
//! and the real changes stand out. A resource only one side has is shown
//! whole, as added or removed.
//!
//! Secrets never reach the output: the `data` and `stringData` values of
//! `Secret` resources are shown as [`REDACTED`] (keys kept, so added and
//! removed keys still show), and every occurrence of a known secret value
//! (a `writeOnly` value of the environment's merged values, 4 characters or
//! longer) is replaced by it wherever it appears. A resource that differs
//! only in hidden values says so (`SECRETS_DIFFER`) without showing them.

use similar::TextDiff;
use strata_chart::Value;
use strata_yaml as yaml;

/// Said of a resource whose only differences are secret values.
pub(crate) const SECRETS_DIFFER: &str = "# secret values differ (not shown)";

/// What a secret is shown as.
pub const REDACTED: &str = "<redacted>";

/// What an environment's own namespace is shown as.
pub const NAMESPACE_PLACEHOLDER: &str = "<namespace>";

/// One rendered resource, as the diff sees it.
#[derive(Clone, Debug)]
pub struct Resource<'a> {
    /// `Deployment`.
    pub kind: &'a str,
    /// Its namespace, if it has one.
    pub namespace: Option<&'a str>,
    /// `metadata.name`.
    pub name: &'a str,
    /// The YAML text.
    pub body: &'a str,
}

/// One side of the comparison.
#[derive(Clone, Debug)]
pub struct Side<'a> {
    /// The environment's name (shown in headers).
    pub env: &'a str,
    /// Its namespace, normalised to the placeholder.
    pub namespace: &'a str,
    /// Its rendered resources, in output order.
    pub resources: Vec<Resource<'a>>,
    /// Secret values to hide wherever they appear.
    pub secrets: Vec<String>,
}

/// How one resource differs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Change {
    /// On both sides, with different bodies: a unified diff of them.
    Changed(String),
    /// Only on the new side: its body.
    Added(String),
    /// Only on the old side: its body.
    Removed(String),
}

/// A resource that differs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResourceDiff {
    /// `Deployment <namespace>/api` (namespace normalised).
    pub id: String,
    /// What changed.
    pub change: Change,
}

/// Whole-word replacement of `ns` (bounded by characters that cannot be
/// part of a Kubernetes name) by the placeholder.
pub fn normalise(text: &str, ns: &str) -> String {
    if ns.is_empty() {
        return text.to_string();
    }
    let is_name = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_';
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    let mut prev: Option<char> = None;
    while let Some(i) = rest.find(ns) {
        let before = rest[..i].chars().next_back().or(prev);
        let after = rest[i + ns.len()..].chars().next();
        out.push_str(&rest[..i]);
        if before.is_some_and(is_name) || after.is_some_and(is_name) {
            out.push_str(ns);
        } else {
            out.push_str(NAMESPACE_PLACEHOLDER);
        }
        prev = ns.chars().next_back();
        rest = &rest[i + ns.len()..];
    }
    out.push_str(rest);
    out
}

/// `body` with secrets hidden (see the module documentation).
fn hide_secrets(kind: &str, body: &str, secrets: &[String]) -> String {
    let mut text = if kind == "Secret" {
        redact_secret_data(body)
    } else {
        body.to_string()
    };
    // The encoded copies a template can print (`b64encode`, as a Secret's
    // `data` holds them, and base64 of the quoted form), hidden as well.
    let mut all: Vec<String> = secrets.to_vec();
    for s in secrets {
        use base64::Engine as _;
        for engine in [
            &base64::engine::general_purpose::STANDARD,
            &base64::engine::general_purpose::URL_SAFE,
        ] {
            all.push(engine.encode(s));
            // The whole 3-byte groups too: a secret at the start of a larger
            // encoded text shares that prefix.
            all.push(engine.encode(&s.as_bytes()[..s.len() / 3 * 3]));
        }
    }
    // Longest first, so a secret containing another is hidden whole.
    let mut secrets: Vec<&String> = all.iter().collect();
    secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
    for s in secrets {
        if s.chars().count() >= 4 {
            text = text.replace(s.as_str(), REDACTED);
        }
    }
    text
}

/// A Secret's body with every value under `data`/`stringData` redacted,
/// written back as block YAML.
fn redact_secret_data(body: &str) -> String {
    let file: std::sync::Arc<str> = std::sync::Arc::from("<secret>");
    let Ok(Some(mut node)) = yaml::load_one(body, &file) else {
        // Not readable as one document: show nothing of it.
        return format!("{REDACTED}\n");
    };
    if let Value::Map(m) = &mut node.value {
        for key in ["data", "stringData"] {
            if let Some(Value::Map(entries)) = m.get_mut(key).map(|n| &mut n.value) {
                for v in entries.values_mut() {
                    v.value = Value::Str(REDACTED.to_string());
                }
            }
        }
    }
    yaml::to_yaml(&node.value)
}

fn identity(r: &Resource<'_>, ns: &str) -> String {
    match r.namespace {
        Some(n) if n == ns => format!("{} {NAMESPACE_PLACEHOLDER}/{}", r.kind, r.name),
        Some(n) => format!("{} {n}/{}", r.kind, r.name),
        None => format!("{} {}", r.kind, r.name),
    }
}

/// Every resource that differs between `old` and `new`: old's order first
/// (changed and removed), then resources only `new` has.
pub fn diff(old: &Side<'_>, new: &Side<'_>) -> Vec<ResourceDiff> {
    let olds: Vec<(String, String)> = old
        .resources
        .iter()
        .map(|r| {
            (
                identity(r, old.namespace),
                normalise(&hide_secrets(r.kind, r.body, &old.secrets), old.namespace),
            )
        })
        .collect();
    let news: Vec<(String, String)> = new
        .resources
        .iter()
        .map(|r| {
            (
                identity(r, new.namespace),
                normalise(&hide_secrets(r.kind, r.body, &new.secrets), new.namespace),
            )
        })
        .collect();
    // Whether the texts differ before hiding secrets.
    let raw_differs = |i: usize, j: usize| {
        normalise(old.resources[i].body, old.namespace)
            != normalise(new.resources[j].body, new.namespace)
    };
    let mut used = vec![false; news.len()];
    let mut out = Vec::new();
    for (oi, (id, body)) in olds.iter().enumerate() {
        let found = news
            .iter()
            .enumerate()
            .position(|(i, (nid, _))| !used[i] && nid == id);
        match found {
            Some(i) => {
                used[i] = true;
                let nbody = &news[i].1;
                if nbody == body && raw_differs(oi, i) {
                    out.push(ResourceDiff {
                        id: id.clone(),
                        change: Change::Changed(format!(
                            "--- {} {id}\n+++ {} {id}\n{SECRETS_DIFFER}\n",
                            old.env, new.env
                        )),
                    });
                } else if nbody != body {
                    let text = TextDiff::from_lines(body.as_str(), nbody.as_str())
                        .unified_diff()
                        .context_radius(3)
                        .header(&format!("{} {id}", old.env), &format!("{} {id}", new.env))
                        .to_string();
                    out.push(ResourceDiff {
                        id: id.clone(),
                        change: Change::Changed(text),
                    });
                }
            }
            None => out.push(ResourceDiff {
                id: id.clone(),
                change: Change::Removed(body.clone()),
            }),
        }
    }
    for (i, (id, body)) in news.iter().enumerate() {
        if !used[i] {
            out.push(ResourceDiff {
                id: id.clone(),
                change: Change::Added(body.clone()),
            });
        }
    }
    out
}

/// The diffs as one unified-diff text: changed resources as hunks under
/// `--- A Kind ns/name` / `+++ B Kind ns/name`, added and removed ones
/// whole against `/dev/null`.
pub fn to_text(old: &Side<'_>, new: &Side<'_>, diffs: &[ResourceDiff]) -> String {
    let mut out = String::new();
    for d in diffs {
        match &d.change {
            Change::Changed(t) => out.push_str(t),
            Change::Removed(body) => {
                out.push_str(&format!("--- {} {}\n+++ /dev/null\n", old.env, d.id));
                out.push_str(&format!("@@ -1,{} +0,0 @@\n", body.lines().count()));
                for l in body.lines() {
                    out.push_str(&format!("-{l}\n"));
                }
            }
            Change::Added(body) => {
                out.push_str(&format!("--- /dev/null\n+++ {} {}\n", new.env, d.id));
                out.push_str(&format!("@@ -0,0 +1,{} @@\n", body.lines().count()));
                for l in body.lines() {
                    out.push_str(&format!("+{l}\n"));
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn res<'a>(kind: &'a str, ns: Option<&'a str>, name: &'a str, body: &'a str) -> Resource<'a> {
        Resource {
            kind,
            namespace: ns,
            name,
            body,
        }
    }

    #[test]
    fn secrets_are_hidden() {
        let secret = "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\ndata:\n  password: aHVudGVyMg==\nstringData:\n  user: admin\n";
        assert_eq!(
            hide_secrets("Secret", secret, &[]),
            "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\ndata:\n  password: <redacted>\nstringData:\n  user: <redacted>\n"
        );
        assert_eq!(
            hide_secrets(
                "ConfigMap",
                "url: postgres://u:hunter2@db\n",
                &["hunter2".into(), "x".into()]
            ),
            "url: postgres://u:<redacted>@db\n"
        );
    }

    #[test]
    fn namespaces_are_normalised_as_whole_words() {
        assert_eq!(
            normalise(
                "namespace: shop-dev\nhost: api.shop-dev.svc\nx: shop-devx\n",
                "shop-dev"
            ),
            "namespace: <namespace>\nhost: api.<namespace>.svc\nx: shop-devx\n"
        );
        assert_eq!(normalise("a-shop-dev", "shop-dev"), "a-shop-dev");
        assert_eq!(normalise("same", ""), "same");
    }

    #[test]
    fn matches_by_identity_and_shows_added_and_removed_whole() {
        let old = Side {
            env: "staging",
            namespace: "shop-staging",
            secrets: Vec::new(),
            resources: vec![
                res("Deployment", Some("shop-staging"), "api", "kind: Deployment\nmetadata:\n  namespace: shop-staging\nspec:\n  replicas: 3\n"),
                res("Service", Some("shop-staging"), "api", "kind: Service\nmetadata:\n  namespace: shop-staging\n"),
                res("CronJob", Some("shop-staging"), "scale", "kind: CronJob\n"),
            ],
        };
        let new = Side {
            env: "prod",
            namespace: "shop-prod",
            secrets: Vec::new(),
            resources: vec![
                res(
                    "Deployment",
                    Some("shop-prod"),
                    "api",
                    "kind: Deployment\nmetadata:\n  namespace: shop-prod\nspec:\n  replicas: 5\n",
                ),
                res(
                    "Service",
                    Some("shop-prod"),
                    "api",
                    "kind: Service\nmetadata:\n  namespace: shop-prod\n",
                ),
                res("Ingress", Some("shop-prod"), "api", "kind: Ingress\n"),
            ],
        };
        let d = diff(&old, &new);
        let ids: Vec<&str> = d.iter().map(|x| x.id.as_str()).collect();
        assert_eq!(
            ids,
            vec![
                "Deployment <namespace>/api",
                "CronJob <namespace>/scale",
                "Ingress <namespace>/api"
            ]
        );
        assert_eq!(
            to_text(&old, &new, &d),
            "--- staging Deployment <namespace>/api\n+++ prod Deployment <namespace>/api\n@@ -2,4 +2,4 @@\n metadata:\n   namespace: <namespace>\n spec:\n-  replicas: 3\n+  replicas: 5\n\
             --- staging CronJob <namespace>/scale\n+++ /dev/null\n@@ -1,1 +0,0 @@\n-kind: CronJob\n\
             --- /dev/null\n+++ prod Ingress <namespace>/api\n@@ -0,0 +1,1 @@\n+kind: Ingress\n"
        );
        assert!(diff(&old, &old).is_empty());
    }
}
