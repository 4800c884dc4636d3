//! Helm's top-level objects as Go templates see them: `.Release`,
//! `.Chart`, `.Capabilities`, `.Files`, `.Template`, and the values tree
//! with Helm's number semantics.

use std::collections::BTreeMap;
use std::rc::Rc;

use strata_chart::chart::{Chart, Metadata};
use strata_chart::value::{Node, Origin, Value};
use strata_gotemplate::{Object, Value as GValue};

/// What helm 4.1.4 reports as `.Capabilities.HelmVersion` (the version
/// whose output strata reproduces).
pub(crate) const HELM_VERSION: &str = "v4.1.4";
const HELM_GIT_COMMIT: &str = "05fa37973dc9e42b76e1d2883494c87174b6074f";
const HELM_GO_VERSION: &str = "go1.25.9";
const HELM_KUBE_CLIENT: &str = "v1.35";

/// `.Capabilities.APIVersions` of helm 4.1.4 before `--api-versions`
/// (its client's scheme: group/versions only, in its order).
pub(crate) const HELM_API_VERSIONS: &[&str] = &[
    "v1",
    "admissionregistration.k8s.io/v1",
    "admissionregistration.k8s.io/v1alpha1",
    "admissionregistration.k8s.io/v1beta1",
    "internal.apiserver.k8s.io/v1alpha1",
    "apps/v1",
    "apps/v1beta1",
    "apps/v1beta2",
    "authentication.k8s.io/v1",
    "authentication.k8s.io/v1alpha1",
    "authentication.k8s.io/v1beta1",
    "authorization.k8s.io/v1",
    "authorization.k8s.io/v1beta1",
    "autoscaling/v1",
    "autoscaling/v2",
    "autoscaling/v2beta1",
    "autoscaling/v2beta2",
    "batch/v1",
    "batch/v1beta1",
    "certificates.k8s.io/v1",
    "certificates.k8s.io/v1beta1",
    "certificates.k8s.io/v1alpha1",
    "coordination.k8s.io/v1alpha2",
    "coordination.k8s.io/v1beta1",
    "coordination.k8s.io/v1",
    "discovery.k8s.io/v1",
    "discovery.k8s.io/v1beta1",
    "events.k8s.io/v1",
    "events.k8s.io/v1beta1",
    "extensions/v1beta1",
    "flowcontrol.apiserver.k8s.io/v1",
    "flowcontrol.apiserver.k8s.io/v1beta1",
    "flowcontrol.apiserver.k8s.io/v1beta2",
    "flowcontrol.apiserver.k8s.io/v1beta3",
    "networking.k8s.io/v1",
    "networking.k8s.io/v1beta1",
    "node.k8s.io/v1",
    "node.k8s.io/v1alpha1",
    "node.k8s.io/v1beta1",
    "policy/v1",
    "policy/v1beta1",
    "rbac.authorization.k8s.io/v1",
    "rbac.authorization.k8s.io/v1beta1",
    "rbac.authorization.k8s.io/v1alpha1",
    "resource.k8s.io/v1",
    "resource.k8s.io/v1beta2",
    "resource.k8s.io/v1beta1",
    "resource.k8s.io/v1alpha3",
    "scheduling.k8s.io/v1alpha1",
    "scheduling.k8s.io/v1beta1",
    "scheduling.k8s.io/v1",
    "storage.k8s.io/v1beta1",
    "storage.k8s.io/v1",
    "storage.k8s.io/v1alpha1",
    "storagemigration.k8s.io/v1beta1",
    "apiextensions.k8s.io/v1beta1",
    "apiextensions.k8s.io/v1",
];

fn s(text: &str) -> GValue {
    GValue::str(text)
}

fn map(entries: impl IntoIterator<Item = (&'static str, GValue)>) -> GValue {
    GValue::map(
        entries
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect(),
    )
}

/// The merged values as Helm's templates see them: every number read
/// from a file is a float64 (Helm's JSON round trip), integers from
/// `--set` stay int64; maps are shared, so `set` in one template is seen
/// by the next, as in Helm.
pub fn values(node: &Node) -> GValue {
    match &node.value {
        Value::Null => GValue::Nil,
        Value::Bool(b) => GValue::Bool(*b),
        Value::Int(i) => match &node.origin {
            Origin::Flag { flag: "--set", .. } => GValue::Int64(*i),
            _ => GValue::Float(*i as f64),
        },
        Value::Float(f) => GValue::Float(*f),
        Value::Str(t) => s(t),
        Value::Seq(items) => GValue::list(items.iter().map(values).collect()),
        Value::Map(m) => GValue::map(m.iter().map(|(k, v)| (k.clone(), values(v))).collect()),
    }
}

/// `.Release` for `helm template` (an install at revision 1).
pub fn release(name: &str, namespace: &str) -> GValue {
    map([
        ("IsInstall", GValue::Bool(true)),
        ("IsUpgrade", GValue::Bool(false)),
        ("Name", s(name)),
        ("Namespace", s(namespace)),
        ("Revision", GValue::Int(1)),
        ("Service", s("Helm")),
    ])
}

fn strings(list: &[String]) -> GValue {
    GValue::list(list.iter().map(|x| s(x)).collect())
}

fn opt(text: &Option<String>) -> GValue {
    s(text.as_deref().unwrap_or(""))
}

/// `.Chart`: Chart.yaml as Helm's `chart.Metadata` names its fields, and
/// `IsRoot`. `name` is the name it goes by (its alias for a subchart).
pub fn chart(meta: &Metadata, name: &str, root: bool) -> GValue {
    let maintainers = meta
        .maintainers
        .iter()
        .flatten()
        .map(|m| {
            map([
                ("Email", opt(&m.email)),
                ("Name", s(&m.name)),
                ("URL", opt(&m.url)),
            ])
        })
        .collect();
    let dependencies = meta
        .dependencies
        .iter()
        .flatten()
        .map(|d| {
            map([
                ("Alias", opt(&d.alias)),
                ("Condition", opt(&d.condition)),
                ("Enabled", GValue::Bool(d.enabled.unwrap_or(false))),
                (
                    "ImportValues",
                    GValue::list(
                        d.import_values
                            .iter()
                            .map(|v| match v {
                                serde_json::Value::String(t) => s(t),
                                other => s(&other.to_string()),
                            })
                            .collect(),
                    ),
                ),
                ("Name", s(&d.name)),
                ("Repository", opt(&d.repository)),
                ("Tags", strings(&d.tags)),
                ("Version", opt(&d.version)),
            ])
        })
        .collect();
    let annotations = if meta.annotations.is_empty() {
        GValue::Nil
    } else {
        GValue::map(
            meta.annotations
                .iter()
                .map(|(k, v)| (k.clone(), s(v)))
                .collect(),
        )
    };
    map([
        ("APIVersion", opt(&meta.api_version)),
        ("Annotations", annotations),
        ("AppVersion", opt(&meta.app_version)),
        ("Condition", s("")),
        ("Dependencies", GValue::list(dependencies)),
        ("Deprecated", GValue::Bool(meta.deprecated.unwrap_or(false))),
        ("Description", opt(&meta.description)),
        ("Home", opt(&meta.home)),
        ("Icon", opt(&meta.icon)),
        ("IsRoot", GValue::Bool(root)),
        ("Keywords", strings(&meta.keywords)),
        ("KubeVersion", opt(&meta.kube_version)),
        ("Maintainers", GValue::list(maintainers)),
        ("Name", s(name)),
        ("Sources", strings(&meta.sources)),
        ("Tags", s("")),
        ("Type", opt(&meta.chart_type)),
        ("Version", s(&meta.version)),
    ])
}

/// `.Capabilities.KubeVersion`.
struct KubeVersion {
    version: String,
    normalized: String,
    major: String,
    minor: String,
}

impl Object for KubeVersion {
    fn type_name(&self) -> &str {
        "*common.KubeVersion"
    }
    fn field(&self, name: &str) -> Option<GValue> {
        match name {
            "Version" | "GitVersion" => Some(s(&self.version)),
            "String" => Some(s(&self.normalized)),
            "Major" => Some(s(&self.major)),
            "Minor" => Some(s(&self.minor)),
            _ => None,
        }
    }
    fn to_value(&self) -> GValue {
        map([
            ("Major", s(&self.major)),
            ("Minor", s(&self.minor)),
            ("Version", s(&self.version)),
        ])
    }
    fn string(&self) -> Option<String> {
        Some(self.normalized.clone())
    }
    fn fields(&self) -> Option<Vec<(&str, GValue)>> {
        // Helm 4's common.KubeVersion: Version, normalizedVersion, Major,
        // Minor.
        Some(vec![
            ("Version", s(&self.version)),
            ("normalizedVersion", s(&self.normalized)),
            ("Major", s(&self.major)),
            ("Minor", s(&self.minor)),
        ])
    }
}

/// `.Capabilities.APIVersions` (a `VersionSet`, with `Has`).
struct ApiVersions(Vec<String>);

impl Object for ApiVersions {
    fn type_name(&self) -> &str {
        "common.VersionSet"
    }
    fn field(&self, _name: &str) -> Option<GValue> {
        None
    }
    fn call(&self, name: &str, args: &[GValue]) -> Option<Result<GValue, String>> {
        match name {
            "Has" => Some(match args {
                [GValue::String(v)] => Ok(GValue::Bool(self.0.iter().any(|a| **a == **v))),
                _ => Err("Has takes one string".to_string()),
            }),
            _ => None,
        }
    }
    fn to_value(&self) -> GValue {
        strings(&self.0)
    }
}

/// `.Capabilities.HelmVersion`.
struct HelmVersion;

impl Object for HelmVersion {
    fn type_name(&self) -> &str {
        "version.BuildInfo"
    }
    fn field(&self, name: &str) -> Option<GValue> {
        Some(s(match name {
            "Version" => HELM_VERSION,
            "GitCommit" => HELM_GIT_COMMIT,
            "GitTreeState" => "clean",
            "GoVersion" => HELM_GO_VERSION,
            "KubeClientVersion" => HELM_KUBE_CLIENT,
            _ => return None,
        }))
    }
    fn to_value(&self) -> GValue {
        map([
            ("git_commit", s(HELM_GIT_COMMIT)),
            ("git_tree_state", s("clean")),
            ("go_version", s(HELM_GO_VERSION)),
            ("kube_client_version", s(HELM_KUBE_CLIENT)),
            ("version", s(HELM_VERSION)),
        ])
    }
}

/// `.Capabilities` for a Kubernetes version (`v1.29.3-gke.100` as given,
/// `v1.29.3` its numeric part, its major and minor) and the API versions
/// (Helm's default set, then `extra`).
pub fn capabilities(
    version: &str,
    normalized: &str,
    major: &str,
    minor: &str,
    extra: &[String],
) -> GValue {
    let mut apis: Vec<String> = HELM_API_VERSIONS.iter().map(|a| a.to_string()).collect();
    apis.extend(extra.iter().cloned());
    map([
        ("APIVersions", GValue::Object(Rc::new(ApiVersions(apis)))),
        ("HelmVersion", GValue::Object(Rc::new(HelmVersion))),
        (
            "KubeVersion",
            GValue::Object(Rc::new(KubeVersion {
                version: version.to_string(),
                normalized: normalized.to_string(),
                major: major.to_string(),
                minor: minor.to_string(),
            })),
        ),
    ])
}

/// `.Files`: the chart's files Helm gives templates (not Chart.yaml,
/// values.yaml, values.schema.json, templates/ or charts/).
#[derive(Clone)]
pub struct Files {
    files: Rc<BTreeMap<String, Rc<[u8]>>>,
}

/// Files of a chart that are not in `.Files`, as Helm's loader sorts them.
fn hidden(path: &str) -> bool {
    matches!(
        path,
        "Chart.yaml"
            | "values.yaml"
            | "values.schema.json"
            | "Chart.lock"
            | "requirements.yaml"
            | "requirements.lock"
    ) || path.starts_with("templates/")
        || path.starts_with("charts/")
}

impl Files {
    /// The `.Files` of `chart`.
    pub fn of(chart: &Chart) -> Files {
        Files {
            files: Rc::new(
                chart
                    .files
                    .iter()
                    .filter(|(p, _)| !hidden(p))
                    .map(|(p, b)| (p.clone(), Rc::from(b.as_slice())))
                    .collect(),
            ),
        }
    }

    fn yaml(&self, encode: impl Fn(&[u8]) -> String) -> Result<GValue, String> {
        let mut m = BTreeMap::new();
        for (path, bytes) in self.files.iter() {
            let base = path.rsplit('/').next().unwrap_or(path);
            m.insert(base.to_string(), s(&encode(bytes)));
        }
        if m.is_empty() {
            return Ok(s(""));
        }
        let to_yaml = strata_gotemplate::function("toYaml")
            .ok_or_else(|| "toYaml is not available".to_string())?;
        to_yaml(&[GValue::map(m)])
    }
}

fn path_arg(args: &[GValue]) -> Result<&str, String> {
    match args {
        [GValue::String(p)] => Ok(p),
        _ => Err("takes one string argument".to_string()),
    }
}

impl Object for Files {
    fn type_name(&self) -> &str {
        "files.Files"
    }
    fn field(&self, _name: &str) -> Option<GValue> {
        None
    }
    fn call(&self, name: &str, args: &[GValue]) -> Option<Result<GValue, String>> {
        let get = |p: &str| self.files.get(p).cloned();
        Some(match name {
            "Get" => path_arg(args).map(|p| match get(p) {
                Some(b) => s(&String::from_utf8_lossy(&b)),
                None => s(""),
            }),
            "GetBytes" => path_arg(args).map(|p| match get(p) {
                Some(b) => GValue::Bytes(b),
                None => GValue::Bytes(Rc::from(&b""[..])),
            }),
            "Lines" => path_arg(args).map(|p| match get(p) {
                Some(b) if !b.is_empty() => {
                    let text = String::from_utf8_lossy(&b);
                    let text = text.strip_suffix('\n').unwrap_or(&text);
                    GValue::list(text.split('\n').map(s).collect())
                }
                _ => GValue::list(Vec::new()),
            }),
            "Glob" => path_arg(args).map(|pattern| {
                let glob = crate::context::Glob::new(pattern);
                GValue::Object(Rc::new(Files {
                    files: Rc::new(
                        self.files
                            .iter()
                            .filter(|(p, _)| glob.matches(p))
                            .map(|(p, b)| (p.clone(), b.clone()))
                            .collect(),
                    ),
                }))
            }),
            "AsConfig" => self.yaml(|b| String::from_utf8_lossy(b).into_owned()),
            "AsSecrets" => self.yaml(|b| {
                use base64::Engine as _;
                base64::engine::general_purpose::STANDARD.encode(b)
            }),
            _ => return None,
        })
    }
    fn to_value(&self) -> GValue {
        GValue::map(
            self.files
                .iter()
                .map(|(p, b)| (p.clone(), GValue::Bytes(b.clone())))
                .collect(),
        )
    }
}

/// `.Template`.
pub fn template(name: &str, base_path: &str) -> GValue {
    map([("BasePath", s(base_path)), ("Name", s(name))])
}

/// A parsed `semver` (Masterminds' `*semver.Version`, as Sprig's `semver`
/// returns it).
struct Semver(strata_chart::semver::Version);

impl Object for Semver {
    fn type_name(&self) -> &str {
        "*semver.Version"
    }
    fn field(&self, name: &str) -> Option<GValue> {
        let v = &self.0;
        Some(match name {
            "Major" => GValue::Int64(i64::try_from(v.major()).unwrap_or(i64::MAX)),
            "Minor" => GValue::Int64(i64::try_from(v.minor()).unwrap_or(i64::MAX)),
            "Patch" => GValue::Int64(i64::try_from(v.patch()).unwrap_or(i64::MAX)),
            "Prerelease" => s(&v
                .pre()
                .iter()
                .map(|i| i.to_string())
                .collect::<Vec<_>>()
                .join(".")),
            "Metadata" => s(v.build()),
            "Original" => s(v.original()),
            "String" => s(&self.text()),
            _ => return None,
        })
    }
    fn to_value(&self) -> GValue {
        s(&self.text())
    }
}

impl Semver {
    fn text(&self) -> String {
        let v = &self.0;
        let mut out = format!("{}.{}.{}", v.major(), v.minor(), v.patch());
        let pre: Vec<String> = v.pre().iter().map(|i| i.to_string()).collect();
        if !pre.is_empty() {
            out.push('-');
            out.push_str(&pre.join("."));
        }
        if !v.build().is_empty() {
            out.push('+');
            out.push_str(v.build());
        }
        out
    }
}

/// `semver` and `semverCompare`, backed by strata's SemVer (Masterminds'
/// rules, as Helm's Sprig has them).
pub(crate) fn add_semver(set: &mut strata_gotemplate::Set) {
    set.add_func(
        "semver",
        std::sync::Arc::new(|args: &[GValue]| match args {
            [GValue::String(v)] => strata_chart::semver::Version::parse_lenient(v)
                .map(|v| GValue::Object(Rc::new(Semver(v))))
                .map_err(|e| e.to_string()),
            _ => Err("semver takes one string".to_string()),
        }),
    );
    set.add_func(
        "semverCompare",
        std::sync::Arc::new(|args: &[GValue]| match args {
            [GValue::String(c), GValue::String(v)] => strata_chart::semver::compare(c, v)
                .map(GValue::Bool)
                .map_err(|e| e.to_string()),
            [_, _] => Err("semverCompare takes two strings".to_string()),
            _ => Err(format!(
                "wrong number of args for semverCompare: want 2 got {}",
                args.len()
            )),
        }),
    );
}
