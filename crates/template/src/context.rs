//! The render context (DESIGN §4): `values`, `release`, `chart`, `env`,
//! `capabilities`, `files`, `template`.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use minijinja::value::{Enumerator, Object, ObjectRepr, Value as TValue};
use minijinja::{Error as TError, ErrorKind, State};

/// Kubernetes API group/versions every cluster serves, as
/// `capabilities.apiVersions` reports them before `--api-versions` adds more.
pub(crate) const CORE_API_VERSIONS: &[&str] = &[
    "v1",
    "admissionregistration.k8s.io/v1",
    "apiextensions.k8s.io/v1",
    "apiregistration.k8s.io/v1",
    "apps/v1",
    "authentication.k8s.io/v1",
    "authorization.k8s.io/v1",
    "autoscaling/v1",
    "autoscaling/v2",
    "batch/v1",
    "certificates.k8s.io/v1",
    "coordination.k8s.io/v1",
    "discovery.k8s.io/v1",
    "events.k8s.io/v1",
    "flowcontrol.apiserver.k8s.io/v1",
    "networking.k8s.io/v1",
    "node.k8s.io/v1",
    "policy/v1",
    "rbac.authorization.k8s.io/v1",
    "scheduling.k8s.io/v1",
    "storage.k8s.io/v1",
];

/// The parts of the render context every template of a chart shares.
#[derive(Debug, Clone)]
pub(crate) struct Base {
    pub values: TValue,
    pub release: TValue,
    pub chart: TValue,
    pub env: TValue,
    pub capabilities: TValue,
    pub files: TValue,
}

/// One template's render context: the shared parts and `template`. An
/// object that answers by name, rather than a map built (and each name
/// hashed) per template.
#[derive(Debug)]
pub(crate) struct RenderContext {
    pub base: Base,
    /// `template` (`name`, `basePath`); absent only in tests.
    pub template: Option<TValue>,
}

/// The context's names, in the order a sorted map would list them.
const NAMES: &[&str] = &[
    "capabilities",
    "chart",
    "env",
    "files",
    "release",
    "template",
    "values",
];
const NAMES_WITHOUT_TEMPLATE: &[&str] =
    &["capabilities", "chart", "env", "files", "release", "values"];

impl RenderContext {
    /// The context as a value to render with.
    pub fn value(base: &Base, template: Option<TValue>) -> TValue {
        TValue::from_object(RenderContext {
            base: base.clone(),
            template,
        })
    }
}

impl Object for RenderContext {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Map
    }

    fn get_value(self: &Arc<Self>, key: &TValue) -> Option<TValue> {
        let b = &self.base;
        Some(match key.as_str()? {
            "values" => b.values.clone(),
            "release" => b.release.clone(),
            "chart" => b.chart.clone(),
            "env" => b.env.clone(),
            "capabilities" => b.capabilities.clone(),
            "files" => b.files.clone(),
            "template" => self.template.clone()?,
            _ => return None,
        })
    }

    fn enumerate(self: &Arc<Self>) -> Enumerator {
        Enumerator::Str(if self.template.is_some() {
            NAMES
        } else {
            NAMES_WITHOUT_TEMPLATE
        })
    }
}

/// `capabilities.apiVersions`: a list that also answers `.has("apps/v1")`
/// (and `"apps/v1" in capabilities.apiVersions`).
#[derive(Debug)]
pub(crate) struct ApiVersions(pub Vec<String>);

impl Object for ApiVersions {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Seq
    }

    fn get_value(self: &Arc<Self>, key: &TValue) -> Option<TValue> {
        let idx = usize::try_from(key.as_i64()?).ok()?;
        self.0.get(idx).map(|s| TValue::from(s.as_str()))
    }

    fn enumerate(self: &Arc<Self>) -> Enumerator {
        Enumerator::Seq(self.0.len())
    }

    fn call_method(
        self: &Arc<Self>,
        _state: &State<'_, '_>,
        method: &str,
        args: &[TValue],
    ) -> Result<TValue, TError> {
        match (method, args) {
            ("has", [v]) => {
                let want = v.as_str().ok_or_else(|| {
                    TError::new(
                        ErrorKind::InvalidOperation,
                        "apiVersions.has takes a string such as \"apps/v1\"",
                    )
                })?;
                Ok(TValue::from(self.0.iter().any(|s| s == want)))
            }
            ("has", _) => Err(TError::new(
                ErrorKind::InvalidOperation,
                "apiVersions.has takes one argument",
            )),
            _ => Err(TError::from(ErrorKind::UnknownMethod)),
        }
    }
}

/// `files`: read-only access to the chart's own files (never templates/),
/// already in memory, so nothing outside the chart can be reached.
#[derive(Debug)]
pub struct Files {
    files: BTreeMap<String, Arc<str>>,
    /// Files that are not UTF-8 text (readable by no `files.*` method).
    binary: BTreeSet<String>,
}

impl Files {
    /// The chart's readable files: everything but templates/ and charts/
    /// (Helm hides those too); files that are not UTF-8 are noted, not readable.
    pub fn new(all: &BTreeMap<String, Vec<u8>>) -> Files {
        let mut files = BTreeMap::new();
        let mut binary = BTreeSet::new();
        // charts/ holds subcharts, which have their own files (Helm hides
        // them from the parent too).
        let hidden = |p: &str| p.starts_with("templates/") || p.starts_with("charts/");
        for (p, b) in all.iter().filter(|(p, _)| !hidden(p)) {
            match std::str::from_utf8(b) {
                Ok(text) => {
                    files.insert(p.clone(), Arc::from(text));
                }
                Err(_) => {
                    binary.insert(p.clone());
                }
            }
        }
        Files { files, binary }
    }

    fn lookup(&self, method: &str, path: &str) -> Result<&Arc<str>, TError> {
        let clean = clean_path(method, path)?;
        self.files.get(&clean).ok_or_else(|| {
            let why = if self.binary.contains(&clean) {
                "is not UTF-8 text"
            } else if clean.starts_with("templates/") {
                "is a template; templates cannot be read as files"
            } else {
                "does not exist in the chart"
            };
            TError::new(
                ErrorKind::InvalidOperation,
                format!("files.{method}: {path:?} {why}"),
            )
        })
    }
}

/// A chart-relative path, refusing absolute paths and `..`.
fn clean_path(method: &str, path: &str) -> Result<String, TError> {
    let refuse = || {
        TError::new(
            ErrorKind::InvalidOperation,
            format!(
                "files.{method}: {path:?} is outside the chart; files are read relative to the chart root and cannot leave it"
            ),
        )
    };
    let bytes = path.as_bytes();
    let drive = bytes.len() >= 2 && bytes[0].is_ascii_alphabetic() && bytes[1] == b':';
    if path.starts_with(['/', '\\']) || drive {
        return Err(refuse());
    }
    let mut parts = Vec::new();
    for seg in path.split(['/', '\\']) {
        match seg {
            "" | "." => {}
            ".." => return Err(refuse()),
            s => parts.push(s),
        }
    }
    Ok(parts.join("/"))
}

/// Glob matching of `/` paths: `*` and `?` stay within one segment, `**`
/// spans segments (`**/` also matches no folder at all), `[abc]`, `[a-z]`
/// and `[!abc]` are classes.
#[cfg(test)]
fn glob_match(pattern: &str, path: &str) -> bool {
    Glob::new(pattern).matches(path)
}

/// One piece of a compiled glob.
#[derive(Clone, Debug)]
enum Tok {
    Lit(char),
    /// `?`: one character but `/`.
    Any,
    /// `*`: any characters but `/`.
    Star,
    /// `**` not followed by `/`: any characters.
    DStar,
    /// `**/`: nothing, or any characters ending with `/`.
    DStarSlash,
    /// `[…]`: negated, single characters and ranges.
    Class(bool, Vec<(char, char)>),
}

/// A glob compiled once, matched by simulating all of its positions at
/// once: time proportional to the pattern's length times the path's, never
/// exponential (a backtracking matcher took seconds on a few `*`).
#[derive(Clone, Debug)]
pub struct Glob {
    toks: Vec<Tok>,
}

impl Glob {
    /// Compile `pattern`.
    pub fn new(pattern: &str) -> Glob {
        let p: Vec<char> = pattern.chars().collect();
        let mut toks = Vec::new();
        let mut i = 0;
        while i < p.len() {
            match p[i] {
                '*' if p.get(i + 1) == Some(&'*') => {
                    if p.get(i + 2) == Some(&'/') {
                        toks.push(Tok::DStarSlash);
                        i += 3;
                    } else {
                        toks.push(Tok::DStar);
                        i += 2;
                    }
                }
                '*' => {
                    toks.push(Tok::Star);
                    i += 1;
                }
                '?' => {
                    toks.push(Tok::Any);
                    i += 1;
                }
                '[' => match p[i + 1..].iter().position(|c| *c == ']') {
                    None => {
                        toks.push(Tok::Lit('['));
                        i += 1;
                    }
                    Some(len) => {
                        let class = &p[i + 1..i + 1 + len];
                        let (neg, class) = match class.first() {
                            Some('!' | '^') => (true, &class[1..]),
                            _ => (false, class),
                        };
                        let mut ranges = Vec::new();
                        let mut j = 0;
                        while j < class.len() {
                            if j + 2 < class.len() && class[j + 1] == '-' {
                                ranges.push((class[j], class[j + 2]));
                                j += 3;
                            } else {
                                ranges.push((class[j], class[j]));
                                j += 1;
                            }
                        }
                        toks.push(Tok::Class(neg, ranges));
                        i += len + 2;
                    }
                },
                c => {
                    toks.push(Tok::Lit(c));
                    i += 1;
                }
            }
        }
        Glob { toks }
    }

    /// Add position `i` and every position reachable from it without
    /// consuming a character.
    fn close(&self, i: usize, set: &mut [bool]) {
        let mut i = i;
        loop {
            set[i] = true;
            match self.toks.get(i) {
                Some(Tok::Star | Tok::DStar | Tok::DStarSlash) => i += 1,
                _ => return,
            }
        }
    }

    /// Whether `path` matches.
    pub fn matches(&self, path: &str) -> bool {
        let n = self.toks.len();
        let mut cur = vec![false; n + 1];
        let mut next = vec![false; n + 1];
        self.close(0, &mut cur);
        for c in path.chars() {
            next.iter_mut().for_each(|b| *b = false);
            let mut any = false;
            for i in 0..n {
                if !cur[i] {
                    continue;
                }
                let (stay, advance) = match &self.toks[i] {
                    Tok::Lit(l) => (false, *l == c),
                    Tok::Any => (false, c != '/'),
                    Tok::Star => (c != '/', false),
                    Tok::DStar => (true, false),
                    Tok::DStarSlash => (true, c == '/'),
                    Tok::Class(neg, ranges) => (
                        false,
                        ranges.iter().any(|(a, b)| *a <= c && c <= *b) != *neg,
                    ),
                };
                if stay {
                    // Inside `**/`, what was consumed must end with its `/`:
                    // no way on without it.
                    if matches!(self.toks[i], Tok::DStarSlash) {
                        next[i] = true;
                    } else {
                        self.close(i, &mut next);
                    }
                    any = true;
                }
                if advance {
                    self.close(i + 1, &mut next);
                    any = true;
                }
            }
            if !any {
                return false;
            }
            std::mem::swap(&mut cur, &mut next);
        }
        cur[n]
    }
}

impl Object for Files {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Plain
    }

    fn call_method(
        self: &Arc<Self>,
        _state: &State<'_, '_>,
        method: &str,
        args: &[TValue],
    ) -> Result<TValue, TError> {
        let path = match args {
            [p] => p.as_str().ok_or_else(|| {
                TError::new(
                    ErrorKind::InvalidOperation,
                    format!("files.{method} takes a path string"),
                )
            })?,
            _ => {
                return Err(TError::new(
                    ErrorKind::InvalidOperation,
                    format!("files.{method} takes one argument, a path"),
                ))
            }
        };
        match method {
            "get" => Ok(TValue::from(&**self.lookup(method, path)?)),
            "lines" => {
                let text = self.lookup(method, path)?;
                let lines: Vec<TValue> = text.lines().map(TValue::from).collect();
                Ok(TValue::from(lines))
            }
            "glob" => {
                let glob = Glob::new(&clean_path(method, path)?);
                Ok(TValue::from_iter(
                    self.files
                        .iter()
                        .filter(|(p, _)| glob.matches(p))
                        .map(|(p, t)| (p.clone(), TValue::from(&**t))),
                ))
            }
            _ => Err(TError::new(
                ErrorKind::UnknownMethod,
                format!("files has no method {method}; it has get, glob and lines"),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs() {
        assert!(glob_match("config/*.yaml", "config/a.yaml"));
        assert!(!glob_match("config/*.yaml", "config/sub/a.yaml"));
        assert!(glob_match("config/**/*.yaml", "config/sub/a.yaml"));
        assert!(glob_match("config/**/*.yaml", "config/a.yaml"));
        assert!(glob_match("**", "a/b/c"));
        assert!(glob_match("a?.txt", "ab.txt"));
        assert!(glob_match("[ab].txt", "b.txt"));
        assert!(!glob_match("[!ab].txt", "b.txt"));
        assert!(!glob_match("*.txt", "a.yaml"));
        assert!(glob_match("a-[0-9]?", "a-5x"));
        assert!(!glob_match("config/**/x.yaml", "config/abx.yaml"));
        assert!(glob_match("[ab", "[ab"));
    }

    #[test]
    fn many_stars_match_in_linear_time() {
        let pattern = "*a*a*a*a*a*a*a*a*a*b";
        let name = "a".repeat(4000);
        let start = std::time::Instant::now();
        assert!(!glob_match(pattern, &name));
        assert!(glob_match(pattern, &format!("{name}b")));
        assert!(start.elapsed() < std::time::Duration::from_secs(2));
    }

    #[test]
    fn paths_cannot_leave_the_chart() {
        assert_eq!(
            clean_path("get", "./config/a.yaml").unwrap(),
            "config/a.yaml"
        );
        assert!(clean_path("get", "../secret").is_err());
        assert!(clean_path("get", "config/../../x").is_err());
        assert!(clean_path("get", "/etc/passwd").is_err());
        assert!(clean_path("get", "C:/x").is_err());
    }
}
