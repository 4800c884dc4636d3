//! The parity report: what differs between the merged values of several
//! environments, and whether each difference is declared intended in
//! `parity.allow` of `environments.yaml`.
//!
//! Environments are compared leaf by leaf ([`Node::leaves`]): scalars,
//! lists (replaced whole when layered, so compared whole) and empty maps.
//! A path missing in an environment is *absent* there, which differs from
//! every value, `null` included. A path that is a map in every environment
//! holding it is reported through its leaves only, so one difference is
//! listed once.
//!
//! Values the schemas mark `writeOnly` (secrets) are compared but shown as
//! [`REDACTED`].
//!
//! `parity.allow` patterns are paths in `--set` syntax (`a.b`, `a\.b` for
//! a dot inside a key): a pattern covers the path it names and everything
//! below it, and a `*` segment matches any one key.

use indexmap::IndexMap;

use crate::chart::Chart;
use crate::diag::{Code, Diagnostic, Error, Result};
use crate::value::{Node, Path, Value};
use crate::values::{self, Request};

/// What a secret's value is shown as.
pub const REDACTED: &str = "<redacted>";

/// One path whose value is not the same in every compared environment.
#[derive(Clone, Debug)]
pub struct Difference {
    /// The path.
    pub path: Path,
    /// Each environment's value, in report order; `None` when absent.
    pub values: IndexMap<String, Option<Node>>,
    /// Whether a `parity.allow` pattern covers the path.
    pub allowed: bool,
    /// Whether the value is a secret (`writeOnly`): `values` hold
    /// [`REDACTED`] instead.
    pub secret: bool,
}

/// The result of comparing environments.
#[derive(Clone, Debug, Default)]
pub struct Report {
    /// The environments compared, in order.
    pub environments: Vec<String>,
    /// Every difference, in the order paths first appear.
    pub differences: Vec<Difference>,
    /// Non-fatal findings of merging the environments' values.
    pub warnings: Vec<Diagnostic>,
}

impl Report {
    /// The differences `parity.allow` does not declare: drift.
    pub fn undeclared(&self) -> impl Iterator<Item = &Difference> {
        self.differences.iter().filter(|d| !d.allowed)
    }

    /// One error per undeclared difference, pointing at the first
    /// environment file that sets a differing value, each environment's
    /// value and origin in the notes.
    pub fn drift_diagnostics(&self, chart: &Chart) -> Vec<Diagnostic> {
        self.undeclared()
            .map(|d| {
                let mut diag = Diagnostic::error(
                    Code::Parity,
                    format!(
                        "{}: differs between environments and is not declared in parity.allow",
                        d.path
                    ),
                );
                // Point at an environment's own file rather than values.yaml.
                let loc = d
                    .values
                    .values()
                    .flatten()
                    .filter_map(|n| n.origin.location())
                    .find(|l| &*l.file != crate::chart::VALUES_FILE)
                    .cloned();
                if let Some(loc) = loc {
                    // Never quote a secret's source line.
                    if d.secret {
                        diag = diag.at(loc);
                    } else if let Ok(text) = chart.text(&loc.file) {
                        diag = diag.at(loc).with_source(&text);
                    } else {
                        diag = diag.at(loc);
                    }
                }
                for (env, v) in &d.values {
                    diag = diag.note(match v {
                        Some(n) => format!("{env}: {}  ({})", n.value.inline(), n.origin),
                        None => format!("{env}: (absent)"),
                    });
                }
                diag.note(format!(
                    "if this difference is intended, add `{}` to parity.allow in environments.yaml",
                    d.path
                ))
            })
            .collect()
    }
}

/// Whether the pattern `pattern` covers `path`.
pub fn covers(pattern: &Path, path: &Path) -> bool {
    let p = pattern.segments();
    let s = path.segments();
    !p.is_empty() && p.len() <= s.len() && p.iter().zip(s).all(|(a, b)| a == "*" || a == b)
}

/// Compare the merged values of `envs` (default: every environment, in
/// `promotion` order then the rest) of `chart`.
pub fn compare(chart: &Chart, envs: Option<&[String]>) -> Result<Report> {
    let names: Vec<String> = match envs {
        Some(list) => {
            let mut out: Vec<String> = Vec::new();
            for n in list {
                chart.environments.get(n)?;
                if out.contains(n) {
                    return Err(Error::Usage(format!("environment \"{n}\" is listed twice")));
                }
                out.push(n.clone());
            }
            out
        }
        None => chart.environments.ordered_names(),
    };
    if names.len() < 2 {
        return Err(Error::Usage(format!(
            "parity compares two or more environments; {} {}",
            if envs.is_some() {
                "--envs names"
            } else {
                "the chart defines"
            },
            match names.len() {
                0 => "none".to_string(),
                _ => format!("only \"{}\"", names[0]),
            }
        )));
    }
    let mut merged = Vec::new();
    let mut warnings = Vec::new();
    let mut secrets: Vec<Path> = Vec::new();
    for n in &names {
        let m = values::merge(
            chart,
            &Request {
                env: Some(n.clone()),
                ..Request::default()
            },
        )
        .map_err(|e| e.in_env(n))?;
        warnings.extend(m.warnings);
        secrets.extend(m.secrets);
        merged.push(m.values);
    }
    let patterns: Vec<Path> = chart
        .environments
        .parity_allow
        .iter()
        .map(|p| Path::parse(p))
        .collect();
    // Every leaf path of any environment, in first-seen order.
    let mut paths: IndexMap<Path, ()> = IndexMap::new();
    for m in &merged {
        for (p, _) in m.leaves() {
            if !p.segments().is_empty() {
                paths.insert(p, ());
            }
        }
    }
    let mut differences = Vec::new();
    for path in paths.into_keys() {
        let found: Vec<Option<&Node>> =
            merged.iter().map(|m| m.get_path(path.segments())).collect();
        let present: Vec<&Node> = found.iter().flatten().copied().collect();
        let all_maps = present.iter().all(|n| n.value.is_map());
        let some_non_empty = present
            .iter()
            .any(|n| matches!(&n.value, Value::Map(m) if !m.is_empty()));
        if all_maps && some_non_empty {
            // An empty map here and keys there: the keys' own rows show it.
            continue;
        }
        let first = found[0];
        let same = found.iter().all(|f| match (f, first) {
            (Some(a), Some(b)) => a.value == b.value,
            (None, None) => true,
            _ => false,
        });
        if same {
            continue;
        }
        let allowed = patterns.iter().any(|p| covers(p, &path));
        // A secret (`writeOnly` in a schema) is reported as differing, but
        // its values are never shown.
        let secret = secrets
            .iter()
            .any(|s| path.starts_with(s) || s.starts_with(&path));
        let values = names
            .iter()
            .cloned()
            .zip(found.into_iter().map(|f| {
                f.map(|n| {
                    let mut n = n.clone();
                    if secret {
                        n.value = Value::Str(REDACTED.to_string());
                    }
                    n
                })
            }))
            .collect();
        differences.push(Difference {
            values,
            path,
            allowed,
            secret,
        });
    }
    Ok(Report {
        environments: names,
        differences,
        warnings,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::chart::test_chart as chart;

    #[test]
    fn patterns_cover_subtrees_and_stars_match_one_segment() {
        let p = |s: &str| Path::parse(s);
        assert!(covers(&p("resources"), &p("resources.limits.cpu")));
        assert!(covers(&p("image.tag"), &p("image.tag")));
        assert!(!covers(&p("image.tag"), &p("image")));
        assert!(covers(&p("autoscaling.*"), &p("autoscaling.enabled")));
        assert!(!covers(&p("autoscaling.*"), &p("autoscaling")));
        assert!(covers(&p("*.tag"), &p("image.tag")));
        assert!(!covers(&p("*.tag"), &p("image.repository")));
        assert!(covers(&p(r"a\.b"), &Path(vec!["a.b".into(), "c".into()])));
        assert!(!covers(&p(""), &p("x")));
    }

    #[test]
    fn reports_differences_absences_and_allowance() {
        let c = chart(&[
            ("values.yaml", "a: 1\nm: {}\nkeep: x\n"),
            (
                "environments.yaml",
                "environments: {dev: {}, prod: {}}\nparity: {allow: [a]}\n",
            ),
            ("environments/dev.yaml", "a: 2\nonly: true\n"),
            ("environments/prod.yaml", "a: 3\nm: {k: v}\n"),
        ]);
        let r = compare(&c, None).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(r.environments, vec!["dev", "prod"]);
        let rows: Vec<(String, Vec<String>, bool)> = r
            .differences
            .iter()
            .map(|d| {
                (
                    d.path.to_string(),
                    d.values
                        .values()
                        .map(|v| v.as_ref().map_or("-".into(), |n| n.value.inline()))
                        .collect(),
                    d.allowed,
                )
            })
            .collect();
        assert_eq!(
            rows,
            vec![
                ("a".into(), vec!["2".into(), "3".into()], true),
                ("only".into(), vec!["true".into(), "-".into()], false),
                ("m.k".into(), vec!["-".into(), "\"v\"".into()], false),
            ]
        );
        assert_eq!(r.undeclared().count(), 2);
        let diags = r.drift_diagnostics(&c);
        assert_eq!(
            diags[0].location.as_ref().map(ToString::to_string),
            Some("environments/dev.yaml:2:7".to_string())
        );
    }

    #[test]
    fn needs_two_known_environments() {
        let c = chart(&[("environments/dev.yaml", "a: 1\n")]);
        assert!(matches!(compare(&c, None), Err(Error::Usage(_))));
        let list = vec!["dev".to_string(), "nope".to_string()];
        let e = compare(&c, Some(&list)).err().map(|e| e.to_string());
        assert_eq!(
            e.as_deref(),
            Some("error[env]: unknown environment \"nope\": there is no environments/nope.yaml")
        );
    }
}
