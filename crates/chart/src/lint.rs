//! Chart lint: the checks that need no templates.
//!
//! - Chart.yaml against Helm's `helm lint` rules, with Helm's severities
//!   and messages ([`chart_yaml_rules`]);
//! - every values file parses; unquoted scalars a YAML 1.1 reader (Helm)
//!   types differently from strata's YAML 1.2 are warnings ([`yaml11`]);
//! - plaintext credentials in values files ([`credentials`]) and values
//!   for `writeOnly` schema properties (`write_only`);
//! - every schema file is valid; a chart without values.schema.json gets
//!   an info note;
//! - the merged values of every environment validate ([`env_checks`]).
//!
//! [`static_checks`] runs the per-chart part once and returns a
//! [`Prepared`] chart; [`env_checks`] runs per environment and hands back
//! the merged values so a caller (strata-template's lint) can render them.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use crate::chart::{Chart, CHART_FILE, SCHEMA_FILE, VALUES_FILE};
use crate::diag::{Code, Diagnostic, Location, Severity};
use crate::schema::{self, Schema, SchemaSet, SecretPattern};
use crate::semver::{Constraint, Version};
use crate::value::{Node, Path, Value};
use crate::values::{self, Merged, Request};
use crate::yaml;

/// A chart that loaded, with its schemas compiled once.
pub struct Prepared {
    /// The chart.
    pub chart: Chart,
    /// Compiled schema files by chart-relative path; a file that failed to
    /// compile is absent (its error is among the static findings).
    pub schemas: HashMap<String, Arc<Schema>>,
    /// Schema files that failed to compile.
    pub broken: BTreeSet<String>,
}

/// One Chart.yaml finding with the Helm lint rule that produced it.
#[derive(Clone, Debug)]
pub struct RuleFinding {
    /// Helm's rule name (`validateChartVersion`, …).
    pub rule: &'static str,
    /// The finding.
    pub diagnostic: Diagnostic,
}

/// The chart-level checks. Returns the findings and, when the chart
/// loads, the prepared chart for the per-environment checks.
pub fn static_checks(
    files: BTreeMap<String, Vec<u8>>,
    source: &str,
    shared: Option<crate::env::SharedFile>,
) -> (Vec<Diagnostic>, Option<Prepared>) {
    let mut out = Vec::new();
    match files.get(CHART_FILE) {
        Some(bytes) => {
            let text = String::from_utf8_lossy(bytes);
            out.extend(chart_yaml_rules(&text).into_iter().map(|f| f.diagnostic));
        }
        None => {
            out.push(Diagnostic::error(
                Code::Chart,
                format!("{source} is not a chart: it has no {CHART_FILE}"),
            ));
            return (out, None);
        }
    }
    // Values files parse, YAML 1.1 ambiguities and credentials — checked
    // before loading, so they are reported even when loading fails.
    let values_files: Vec<String> = files
        .keys()
        .filter(|k| is_values_file(k))
        .cloned()
        .collect();
    let mut parsed: Vec<(String, String, Node)> = Vec::new();
    for f in &values_files {
        let text = String::from_utf8_lossy(&files[f]).into_owned();
        match yaml::load_values(&text, &Arc::from(f.as_str())) {
            Ok(node) => {
                out.extend(yaml11(f, &text));
                out.extend(credentials(&node));
                parsed.push((f.clone(), text, node));
            }
            Err(d) => out.push(d),
        }
    }
    out.extend(crd_files(&files));
    let chart = match Chart::from_files_with(files, source, shared) {
        Ok(c) => c,
        Err(e) => {
            for d in e.diagnostics() {
                if !out.contains(&d) {
                    out.push(d);
                }
            }
            return (out, None);
        }
    };
    // Schemas: every file compiles; values for writeOnly properties.
    let mut schema_files: Vec<String> = Vec::new();
    if chart.files.contains_key(SCHEMA_FILE) {
        schema_files.push(SCHEMA_FILE.to_string());
    } else {
        out.push(
            Diagnostic::info(
                Code::Schema,
                format!("no {SCHEMA_FILE}: values are not validated"),
            )
            .note("`strata schema init CHART` infers one from values.yaml"),
        );
    }
    for e in chart.environments.list.values() {
        if let Some(s) = &e.schema {
            if !schema_files.contains(s) {
                schema_files.push(s.clone());
            }
        }
    }
    let mut schemas = HashMap::new();
    let mut broken = BTreeSet::new();
    for f in schema_files {
        match Schema::load(&chart, &f) {
            Ok(s) => {
                schemas.insert(f, Arc::new(s));
            }
            Err(e) => {
                out.extend(e.diagnostics());
                broken.insert(f);
            }
        }
    }
    let all = SchemaSet {
        schemas: schemas.values().cloned().collect(),
    };
    let pats = all.secret_patterns();
    if !pats.is_empty() {
        for (_, _, node) in &parsed {
            out.extend(write_only(node, &pats));
        }
    }
    (
        out,
        Some(Prepared {
            chart,
            schemas,
            broken,
        }),
    )
}

/// The chart's `crds/` files (.yaml, .yml, .json, as Helm reads them):
/// each parses as YAML, and each of its documents is a
/// CustomResourceDefinition with a name (Helm installs them before
/// anything else, untemplated: anything else there is a mistake).
fn crd_files(files: &BTreeMap<String, Vec<u8>>) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let crds = files.iter().filter(|(f, _)| {
        f.starts_with("crds/") && [".yaml", ".yml", ".json"].iter().any(|e| f.ends_with(e))
    });
    for (file, bytes) in crds {
        let text = match yaml::decode_utf8(bytes, file) {
            Ok(t) => t,
            Err(d) => {
                out.push(d);
                continue;
            }
        };
        let docs = match yaml::load_stream(text, &Arc::from(file.as_str())) {
            Ok(d) => d,
            Err(d) => {
                out.push(d);
                continue;
            }
        };
        for doc in docs.iter().filter(|d| !d.value.is_null()) {
            let loc = doc.origin.location().cloned();
            let kind = doc.get_path(&["kind"]).and_then(Node::as_str);
            let problem = match kind {
                Some("CustomResourceDefinition") => {
                    let api = doc.get_path(&["apiVersion"]).and_then(Node::as_str);
                    if !api.is_some_and(|a| a.starts_with("apiextensions.k8s.io/")) {
                        Some(format!(
                            "{file}: a CustomResourceDefinition's apiVersion is apiextensions.k8s.io/v1, not {}",
                            api.unwrap_or("(none)")
                        ))
                    } else if doc.get_path(&["metadata", "name"]).and_then(Node::as_str).is_none() {
                        Some(format!("{file}: the CustomResourceDefinition has no metadata.name"))
                    } else {
                        None
                    }
                }
                Some(other) => Some(format!(
                    "{file}: crds/ holds CustomResourceDefinitions only, not a {other} (move it to templates/)"
                )),
                None => Some(format!(
                    "{file}: a document in crds/ has no kind (crds/ holds CustomResourceDefinitions)"
                )),
            };
            if let Some(message) = problem {
                out.push(
                    Diagnostic::error(Code::Crds, message)
                        .at_opt(loc)
                        .with_source(text),
                );
            }
        }
    }
    out
}

/// Whether a chart file is a values file lint reads: values.yaml and
/// every `environments/*.yaml` (subcharts under charts/ are not ours).
pub(crate) fn is_values_file(path: &str) -> bool {
    path == VALUES_FILE
        || (path.starts_with("environments/")
            && (path.ends_with(".yaml") || path.ends_with(".yml"))
            && !path.ends_with(".schema.yaml"))
}

/// Merge and validate the values of one environment (`None`: no
/// environment). Returns the findings and the merged values when merging
/// succeeded (even if the schema rejected them).
/// `extra` holds values layered over the environment's (`lint -f … --set
/// …`); its `env` is not read.
pub fn env_checks(
    p: &Prepared,
    env: Option<&str>,
    extra: &Request,
) -> (Vec<Diagnostic>, Option<Merged>) {
    let req = Request {
        env: env.map(str::to_string),
        ..extra.clone()
    };
    let tag = |ds: Vec<Diagnostic>| -> Vec<Diagnostic> {
        match env {
            Some(e) => ds.into_iter().map(|d| d.in_env(e)).collect(),
            None => ds,
        }
    };
    let merged = match values::merge_unchecked(&p.chart, &req) {
        Ok(m) => m,
        Err(e) => return (tag(e.diagnostics()), None),
    };
    let mut out = tag(merged.warnings.clone());
    let files = match schema::files_for(&p.chart, env) {
        Ok(f) => f,
        Err(e) => return (tag(e.diagnostics()), Some(merged)),
    };
    if files.iter().any(|f| p.broken.contains(f)) {
        // The broken schema is reported once, by the static checks.
        return (out, Some(merged));
    }
    let mut set = SchemaSet {
        schemas: files
            .iter()
            .filter_map(|f| p.schemas.get(f).cloned())
            .collect(),
    };
    // Each subchart in use brings its own schema for its own section.
    match schema::subchart_schemas(&p.chart, &merged.subcharts) {
        Ok(subs) => set.schemas.extend(subs),
        Err(e) => out.extend(tag(e.diagnostics())),
    }
    out.extend(set.validate(&p.chart, &req, &merged));
    (out, Some(merged))
}

/// Findings of several environments with duplicates folded: a finding
/// that every listed environment shares (a bad default in values.yaml) is
/// reported once, naming the environments.
pub fn fold(ds: Vec<Diagnostic>) -> Vec<Diagnostic> {
    let mut out: Vec<Diagnostic> = Vec::new();
    for d in ds {
        let same = out.iter_mut().find(|o| {
            o.code == d.code
                && o.message == d.message
                && o.location == d.location
                && o.severity == d.severity
        });
        match same {
            Some(o) => {
                // Only findings of environments fold into one naming them
                // all; one without an environment stays as it is.
                if !o.environments.is_empty() {
                    for env in d.environments {
                        if !o.environments.contains(&env) {
                            o.environments.push(env);
                        }
                    }
                }
            }
            None => out.push(d),
        }
    }
    out.sort_by(|a, b| {
        let key = |d: &Diagnostic| {
            d.location
                .as_ref()
                .map(|l| (l.file.to_string(), l.line, l.column))
        };
        key(a).cmp(&key(b))
    });
    out
}

// ---------------------------------------------------------------- Chart.yaml

fn str_of(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::Bool(b) => b.to_string(),
        Value::Int(i) => i.to_string(),
        Value::Float(f) => go_g_f32(*f),
        Value::Str(s) => s.clone(),
        Value::Seq(_) | Value::Map(_) => String::new(),
    }
}

/// Go's `%g` of a float32, which is how Helm's loader turns a float into
/// a string field (`72445e2` → `7.2445e+06`).
#[allow(clippy::cast_possible_truncation)]
fn go_g_f32(f: f64) -> String {
    let f = f as f32;
    let e = format!("{f:e}");
    let Some((mant, exp)) = e.split_once('e') else {
        return e;
    };
    let Ok(exp) = exp.parse::<i32>() else {
        return e;
    };
    if !(-4..6).contains(&exp) {
        let sign = if exp < 0 { '-' } else { '+' };
        format!("{mant}e{sign}{:02}", exp.abs())
    } else {
        format!("{f}")
    }
}

fn go_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "<nil>",
        Value::Bool(_) => "bool",
        Value::Int(_) => "int",
        Value::Float(_) => "float64",
        Value::Str(_) => "string",
        Value::Seq(_) => "[]interface {}",
        Value::Map(_) => "map[string]interface {}",
    }
}

/// `url.ParseRequestURI` succeeds and there is a scheme (govalidator's
/// `IsRequestURL`): an absolute URL `scheme:…`.
pub(crate) fn is_request_url(s: &str) -> bool {
    let Some((scheme, rest)) = s.split_once(':') else {
        return false;
    };
    let mut chars = scheme.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
        && !rest.is_empty()
        && !s.contains(char::is_whitespace)
}

/// A plausible email address: `local@domain.tld`.
pub(crate) fn is_email(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && !local.contains(char::is_whitespace)
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && domain
            .split('.')
            .all(|l| !l.is_empty() && l.chars().all(|c| c.is_alphanumeric() || c == '-'))
}

/// Helm's `helm lint` rules for Chart.yaml (pkg/chart/v2/lint/rules/chartfile.go),
/// in Helm's order, read from the raw file (lint does not apply the
/// loader's defaults).
pub fn chart_yaml_rules(text: &str) -> Vec<RuleFinding> {
    let file: Arc<str> = Arc::from(CHART_FILE);
    let mut out = Vec::new();
    let root = match yaml::load_one(text, &file) {
        Ok(Some(n)) if n.value.is_map() => n,
        Ok(Some(n)) => {
            out.push(RuleFinding {
                rule: "validateChartYamlFormat",
                diagnostic: Diagnostic::error(
                    Code::Chart,
                    format!(
                        "unable to parse YAML: {CHART_FILE} holds {}, not a map",
                        n.value.type_name()
                    ),
                )
                .at_opt(n.origin.location().cloned())
                .with_source(text),
            });
            return out;
        }
        Ok(None) => Node::empty_map(crate::value::Origin::file(&file, 1, 1)),
        Err(d) => {
            out.push(RuleFinding {
                rule: "validateChartYamlFormat",
                diagnostic: Diagnostic::error(
                    Code::Chart,
                    format!("unable to parse YAML: {}", d.message),
                )
                .at_opt(d.location.clone())
                .with_source(text),
            });
            return out;
        }
    };
    let top = Location::new(file.clone(), 1, 1);
    let field = |k: &str| root.as_map().and_then(|m| m.get(k));
    let loc_of = |k: &str| {
        field(k)
            .and_then(|n| n.origin.location().cloned())
            .unwrap_or_else(|| top.clone())
    };
    let get = |k: &str| field(k).map(|n| str_of(&n.value)).unwrap_or_default();
    let mut push = |rule: &'static str, sev: Severity, key: &str, msg: String| {
        let d = Diagnostic::new(sev, Code::Chart, msg).at(loc_of(key));
        // A missing key points at the file, not at an unrelated line.
        let d = if field(key).is_some() {
            d.with_source(text)
        } else {
            d
        };
        out.push(RuleFinding {
            rule,
            diagnostic: d,
        });
    };
    use Severity::{Error as E, Info as I, Warning as W};

    let name = get("name");
    if name.is_empty() {
        push("validateChartName", E, "name", "name is required".into());
    } else {
        let trimmed = name.trim_end_matches('/');
        let base = if trimmed.is_empty() {
            "/"
        } else {
            trimmed.rsplit('/').next().unwrap_or(trimmed)
        };
        if base != name {
            push(
                "validateChartName",
                E,
                "name",
                format!("chart name {name:?} is invalid"),
            );
        }
    }
    let api = get("apiVersion");
    if api.is_empty() {
        push(
            "validateChartAPIVersion",
            E,
            "apiVersion",
            "apiVersion is required. The value must be either \"v1\" or \"v2\"".into(),
        );
    } else if api != "v1" && api != "v2" {
        push(
            "validateChartAPIVersion",
            E,
            "apiVersion",
            format!("apiVersion '{api}' is not valid. The value must be either \"v1\" or \"v2\""),
        );
    }
    if let Some(v) = field("version").filter(|n| !matches!(n.value, Value::Str(_) | Value::Null)) {
        push(
            "validateChartVersionType",
            E,
            "version",
            format!(
                "version should be of type string but it's of type {}",
                go_type(&v.value)
            ),
        );
    }
    let version = get("version");
    if version.is_empty() {
        push(
            "validateChartVersion",
            E,
            "version",
            "version is required".into(),
        );
    } else {
        match Version::parse_lenient(&version) {
            Err(_) => push(
                "validateChartVersion",
                E,
                "version",
                format!("version '{version}' is not a valid SemVer"),
            ),
            Ok(v) => {
                if let Ok(c) = Constraint::parse(">0.0.0-0") {
                    if !c.matches(&v) {
                        push(
                            "validateChartVersion",
                            E,
                            "version",
                            format!("version {v} is less than or equal to 0.0.0-0"),
                        );
                    }
                }
            }
        }
    }
    if let Some(v) = field("appVersion").filter(|n| !matches!(n.value, Value::Str(_) | Value::Null))
    {
        push(
            "validateChartAppVersionType",
            E,
            "appVersion",
            format!(
                "appVersion should be of type string but it's of type {}",
                go_type(&v.value)
            ),
        );
    }
    if let Some(Value::Seq(ms)) = field("maintainers").map(|n| &n.value) {
        for m in ms {
            let msg = match &m.value {
                Value::Map(mm) => {
                    let g = |k: &str| mm.get(k).map(|n| str_of(&n.value)).unwrap_or_default();
                    let (n, email, url) = (g("name"), g("email"), g("url"));
                    if n.is_empty() {
                        Some("each maintainer requires a name".to_string())
                    } else if !email.is_empty() && !is_email(&email) {
                        Some(format!("invalid email '{email}' for maintainer '{n}'"))
                    } else if !url.is_empty() && !is_request_url(&url) {
                        Some(format!("invalid url '{url}' for maintainer '{n}'"))
                    } else {
                        None
                    }
                }
                _ => Some("a maintainer entry is empty".to_string()),
            };
            if let Some(msg) = msg {
                push("validateChartMaintainer", E, "maintainers", msg);
            }
        }
    }
    if let Some(Value::Seq(ss)) = field("sources").map(|n| &n.value) {
        for s in ss {
            let s = str_of(&s.value);
            if s.is_empty() || !is_request_url(&s) {
                push(
                    "validateChartSources",
                    E,
                    "sources",
                    format!("invalid source URL '{s}'"),
                );
            }
        }
    }
    let icon = get("icon");
    if icon.is_empty() {
        push(
            "validateChartIconPresence",
            I,
            "icon",
            "icon is recommended".into(),
        );
    } else if !is_request_url(&icon) {
        push(
            "validateChartIconURL",
            E,
            "icon",
            format!("invalid icon URL '{icon}'"),
        );
    }
    if !get("type").is_empty() && api != "v2" {
        push(
            "validateChartType",
            E,
            "type",
            format!(
                "chart type is not valid in apiVersion '{api}'. It is valid in apiVersion 'v2'"
            ),
        );
    }
    let has_deps =
        matches!(field("dependencies").map(|n| &n.value), Some(Value::Seq(d)) if !d.is_empty());
    if has_deps && api != "v2" {
        push(
            "validateChartDependencies",
            E,
            "dependencies",
            format!(
                "dependencies are not valid in the Chart file with apiVersion '{api}'. They are valid in apiVersion 'v2'"
            ),
        );
    }
    if Version::parse_strict(&version).is_err() {
        push(
            "validateChartVersionStrictSemVerV2",
            W,
            "version",
            format!("version '{version}' is not a valid SemVerV2"),
        );
    }
    out
}

// ------------------------------------------------------------ values files

/// Words YAML 1.1 (Helm) reads as booleans and YAML 1.2 (strata) as strings.
fn yaml11_bool(s: &str) -> Option<bool> {
    match s {
        "y" | "Y" | "yes" | "Yes" | "YES" | "on" | "On" | "ON" => Some(true),
        "n" | "N" | "no" | "No" | "NO" | "off" | "Off" | "OFF" => Some(false),
        _ => None,
    }
}

/// Warnings for unquoted scalars that Helm (YAML 1.1) reads differently
/// from strata (YAML 1.2): `yes/no/on/off/y/n` and leading-zero numbers.
pub fn yaml11(file: &str, text: &str) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for p in yaml::plain_scalars(text) {
        let msg = if let Some(b) = yaml11_bool(&p.text) {
            Some(format!(
                "unquoted `{t}` is the string \"{t}\" to strata (YAML 1.2) but the boolean {b} to Helm (YAML 1.1): quote it (\"{t}\") or write {b}",
                t = p.text
            ))
        } else {
            leading_zero(&p.text)
        };
        if let Some(msg) = msg {
            out.push(
                Diagnostic::warning(Code::Yaml11, msg)
                    .at(Location::new(file, p.line, p.column))
                    .with_source(text),
            );
        }
    }
    out
}

fn leading_zero(s: &str) -> Option<String> {
    let body = s.strip_prefix(['-', '+']).unwrap_or(s);
    if body.len() < 2 || !body.starts_with('0') || !body.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let digits = body.trim_start_matches('0');
    let dec = if digits.is_empty() { "0" } else { digits };
    let neg = if s.starts_with('-') { "-" } else { "" };
    Some(if body.chars().all(|c| ('0'..='7').contains(&c)) {
        let oct = i64::from_str_radix(body, 8).unwrap_or(0);
        format!(
            "unquoted `{s}` is the integer {neg}{dec} to strata (YAML 1.2) but the octal number {neg}{oct} to Helm (YAML 1.1): quote it (\"{s}\") or write {neg}{dec}"
        )
    } else {
        format!(
            "unquoted `{s}` is the integer {neg}{dec} to strata (YAML 1.2) but a string to Helm (YAML 1.1): quote it (\"{s}\") or write {neg}{dec}"
        )
    })
}

/// Key names that hold credentials (lower-cased substrings).
const SECRET_WORDS: &[&str] = &[
    "password",
    "passwd",
    "secret",
    "token",
    "apikey",
    "api_key",
    "api-key",
    "credential",
    "privatekey",
    "private_key",
    "accesskey",
    "access_key",
];

/// Whether a key names a credential (`password`, `apiKey`, …) rather than
/// a reference to one (`secretName`, `existingSecret`, `*SecretRef`,
/// `secretKeyRef`).
pub(crate) fn is_secret_key(key: &str) -> bool {
    let k = key.to_ascii_lowercase();
    let reference = k.ends_with("secretname")
        || k.starts_with("existingsecret")
        || k.ends_with("secretref")
        || k.ends_with("secretkeyref")
        || k.ends_with("secretstore");
    !reference && SECRET_WORDS.iter().any(|w| k.contains(w))
}

/// What kind of credential `s` looks like, by its format alone.
pub(crate) fn token_format(s: &str) -> Option<&'static str> {
    let s = s.trim();
    let alnum_run = |rest: &str, n: usize| {
        rest.len() >= n && rest.chars().take(n).all(|c| c.is_ascii_alphanumeric())
    };
    for p in ["ghp_", "gho_", "ghu_", "ghs_", "ghr_"] {
        if let Some(rest) = s.strip_prefix(p) {
            if alnum_run(rest, 30) {
                return Some("a GitHub token");
            }
        }
    }
    if s.strip_prefix("github_pat_").is_some_and(|r| r.len() >= 30) {
        return Some("a GitHub token");
    }
    for p in ["AKIA", "ASIA"] {
        if let Some(rest) = s.strip_prefix(p) {
            if rest.len() >= 16
                && rest
                    .chars()
                    .take(16)
                    .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
            {
                return Some("an AWS access key id");
            }
        }
    }
    if s.len() > 10
        && s.starts_with("xox")
        && s.as_bytes().get(4) == Some(&b'-')
        && s.as_bytes().get(3).is_some_and(u8::is_ascii_alphabetic)
    {
        return Some("a Slack token");
    }
    if s.starts_with("glpat-") && s.len() >= 26 {
        return Some("a GitLab token");
    }
    if s.starts_with("sk_live_") && s.len() >= 24 {
        return Some("a Stripe secret key");
    }
    if s.contains("-----BEGIN") && s.contains("PRIVATE KEY-----") {
        return Some("a PEM private key");
    }
    None
}

/// Shannon entropy in bits per character.
fn entropy(s: &str) -> f64 {
    let mut counts: HashMap<char, usize> = HashMap::new();
    let mut n = 0usize;
    for c in s.chars() {
        *counts.entry(c).or_default() += 1;
        n += 1;
    }
    #[allow(clippy::cast_precision_loss)]
    let n = n as f64;
    counts
        .values()
        .map(|&c| {
            #[allow(clippy::cast_precision_loss)]
            let p = c as f64 / n;
            -p * p.log2()
        })
        .sum()
}

/// A long random-looking string: 16+ characters, no spaces, letters and
/// digits mixed, high entropy; not a template, path or URL.
pub(crate) fn high_entropy(s: &str) -> bool {
    s.chars().count() >= 16
        && !s.contains(char::is_whitespace)
        && !s.contains("{{")
        && !s.starts_with('/')
        && !s.contains("://")
        && s.chars().any(|c| c.is_ascii_digit())
        && s.chars().any(|c| c.is_ascii_alphabetic())
        && entropy(s) >= 3.5
}

fn leaves_with_maps<'a>(node: &'a Node, path: &mut Vec<String>, out: &mut Vec<(Path, &'a Node)>) {
    if !path.is_empty() {
        out.push((Path(path.clone()), node));
    }
    match &node.value {
        Value::Map(m) => {
            for (k, v) in m {
                path.push(k.clone());
                leaves_with_maps(v, path, out);
                path.pop();
            }
        }
        Value::Seq(items) => {
            for (i, v) in items.iter().enumerate() {
                path.push(i.to_string());
                leaves_with_maps(v, path, out);
                path.pop();
            }
        }
        _ => {}
    }
}

/// The fix every credential finding suggests.
pub(crate) const EXTERNAL_SECRET_HINT: &str = "keep credentials out of values files: store the secret in a secret manager and sync it with an ExternalSecret (as charts/api does with `externalSecret`), then reference the Secret by name";

/// Plaintext credentials in a values file: known token formats anywhere,
/// long high-entropy strings under secret-like keys. The value is never
/// echoed.
pub fn credentials(root: &Node) -> Vec<Diagnostic> {
    let mut all = Vec::new();
    leaves_with_maps(root, &mut Vec::new(), &mut all);
    let mut out = Vec::new();
    for (path, node) in all {
        let Value::Str(s) = &node.value else {
            continue;
        };
        let key = path.0.last().map(String::as_str).unwrap_or("");
        let parent_key = path
            .0
            .iter()
            .rev()
            .find(|k| !k.chars().all(|c| c.is_ascii_digit()));
        let secret_key = is_secret_key(key) || parent_key.is_some_and(|k| is_secret_key(k));
        let what = match token_format(s) {
            Some(w) => w,
            None if secret_key && high_entropy(s) => "a credential (long random string)",
            None => continue,
        };
        out.push(
            Diagnostic::error(
                Code::Secret,
                format!("{path}: plaintext credential: the value looks like {what}"),
            )
            .at_opt(node.origin.location().cloned())
            .note(EXTERNAL_SECRET_HINT),
        );
    }
    out
}

/// Values for `writeOnly` (secret) schema properties in a values file.
pub(crate) fn write_only(root: &Node, pats: &[SecretPattern]) -> Vec<Diagnostic> {
    let mut all = Vec::new();
    leaves_with_maps(root, &mut Vec::new(), &mut all);
    let mut out = Vec::new();
    for (path, node) in all {
        let empty = match &node.value {
            Value::Null => true,
            Value::Str(s) => s.is_empty(),
            Value::Map(m) => m.is_empty(),
            _ => false,
        };
        if empty || !schema::matches_secret(&path, pats) {
            continue;
        }
        // Report the outermost secret only.
        let parent = Path(path.0[..path.0.len() - 1].to_vec());
        if !parent.0.is_empty() && schema::matches_secret(&parent, pats) {
            continue;
        }
        out.push(
            Diagnostic::error(
                Code::Secret,
                format!("{path}: a value for a secret (writeOnly in the schema) is set in a values file"),
            )
            .at_opt(node.origin.location().cloned())
            .note(EXTERNAL_SECRET_HINT),
        );
    }
    out
}

/// Values that no template reads in any of `envs` (whose renders read
/// `reads`) and no schema declares: every environment file of `envs`, the
/// `-f` files and `--set` flags of `extra`, and, when `defaults` is set
/// (lint of every environment), values.yaml.
/// `subchart_schemas` are the schemas of the subcharts in use in any of
/// them. Each unread key is reported once, at its line, with the nearest
/// read key when one is close.
pub fn unused_values(
    p: &Prepared,
    envs: &[Option<String>],
    defaults: bool,
    reads: &crate::reads::ReadSet,
    subchart_schemas: Vec<Arc<Schema>>,
    extra: &Request,
) -> Vec<Diagnostic> {
    let mut layers: Vec<crate::reads::Layer> = Vec::new();
    let mut out = Vec::new();
    if defaults {
        match values::layers(&p.chart, &Request::default(), true) {
            Ok(l) => layers.extend(l),
            Err(e) => out.extend(e.diagnostics()),
        }
    }
    // Each environment's files (an environment may share a parent's), and
    // after the first environment's, the layers given on the command line,
    // read once.
    let command_line = Request {
        env: None,
        ..extra.clone()
    };
    let mut command_line = Some(command_line);
    for env in envs {
        let req = Request {
            env: env.clone(),
            ..Request::default()
        };
        let found = values::layers(&p.chart, &req, false).and_then(|mut l| {
            if let Some(req) = command_line.take() {
                l.extend(values::layers(&p.chart, &req, false)?);
            }
            Ok(l)
        });
        match found {
            Ok(l) => {
                for layer in l {
                    if !layers.iter().any(|x| x.name == layer.name) {
                        layers.push(layer);
                    }
                }
            }
            Err(e) => out.extend(e.diagnostics()),
        }
    }
    let mut set = SchemaSet {
        schemas: p.schemas.values().cloned().collect(),
    };
    set.schemas.extend(subchart_schemas);
    let declared = schema::Declarations::of(&set);
    // Of one environment (`lint --env E`), the findings are that
    // environment's; of all, the chart's.
    let one = match envs {
        [Some(e)] if !defaults => Some(e.clone()),
        _ => None,
    };
    let scope = match one {
        Some(_) => crate::reads::Scope::OneRender,
        None => crate::reads::Scope::AllEnvironments,
    };
    out.extend(
        crate::reads::unused(&layers, reads, &declared, scope)
            .into_iter()
            .map(|d| match &one {
                Some(e) => d.in_env(e.clone()),
                None => d,
            }),
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fold_names_each_environment_once_in_the_order_found() {
        let d = |env: Option<&str>| {
            let d = Diagnostic::error(Code::Schema, "replicaCount: 2 is less than 3");
            match env {
                Some(e) => d.in_env(e),
                None => d,
            }
        };
        let ds = fold(vec![
            d(Some("prod")),
            d(Some("dev")),
            d(Some("prod")),
            d(Some("prod-eu")),
        ]);
        assert_eq!(ds.len(), 1);
        assert_eq!(ds[0].environments, ["prod", "dev", "prod-eu"]);
        assert_eq!(
            ds[0].environment_list().as_deref(),
            Some("prod, dev, prod-eu")
        );
        // A name that contains another's is not mistaken for it.
        let ds = fold(vec![d(Some("a, b")), d(Some("a"))]);
        assert_eq!(ds[0].environments, ["a, b", "a"]);
        // A finding without environment names none, whatever follows.
        let ds = fold(vec![d(None), d(Some("prod"))]);
        assert_eq!(ds.len(), 1);
        assert!(ds[0].environments.is_empty());
        assert_eq!(ds[0].environment_list(), None);
    }

    #[test]
    fn yaml11_flags_booleans_and_octals_not_quoted_ones() {
        let text = "a: yes\nb: \"no\"\nmode: 0755\nport: 08080\nc: 0\non: 1\n";
        let ds = yaml11("values.yaml", text);
        let got: Vec<String> = ds
            .iter()
            .map(|d| format!("{} {}", d.location.as_ref().unwrap(), d.message))
            .collect();
        assert_eq!(got.len(), 4, "{got:#?}");
        assert!(got[0].starts_with("values.yaml:1:4 unquoted `yes` is the string \"yes\""));
        assert!(got[1].contains("the octal number 493 to Helm"));
        assert!(got[2].contains("but a string to Helm"));
        assert!(got[3].starts_with("values.yaml:6:1 unquoted `on`"));
    }

    #[test]
    fn secret_keys_but_not_references() {
        for k in [
            "password",
            "dbPassword",
            "apiKey",
            "API_KEY",
            "clientSecret",
            "token",
            "awsCredentials",
        ] {
            assert!(is_secret_key(k), "{k}");
        }
        for k in [
            "secretName",
            "existingSecret",
            "passwordSecretRef",
            "secretKeyRef",
            "name",
            "tokenSecretName",
        ] {
            assert!(!is_secret_key(k), "{k}");
        }
    }

    #[test]
    fn token_formats() {
        assert_eq!(
            token_format("ghp_0123456789abcdefghijABCDEFGHIJ0123456789"),
            Some("a GitHub token")
        );
        assert_eq!(
            token_format("AKIAIOSFODNN7EXAMPLE"),
            Some("an AWS access key id")
        );
        assert_eq!(token_format("xoxb-1234-5678-abcdef"), Some("a Slack token"));
        assert!(token_format(
            "-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY-----"
        )
        .is_some());
        assert_eq!(token_format("hello"), None);
        assert!(high_entropy("q8Zr2LkP0vXw9TmB4nJd"));
        assert!(!high_entropy("changeme"));
        assert!(!high_entropy("my-database-password"));
    }

    #[test]
    fn go_float_formatting() {
        assert_eq!(go_g_f32(7_244_500.0), "7.2445e+06");
        assert_eq!(go_g_f32(1.5), "1.5");
    }
}
