//! Every template of the twenty public charts in ../shared/helm-charts
//! (what helm 4.1.4 renders) parses, each chart with its subcharts in one
//! set as Helm parses them, and executing each file with the chart's own
//! values never panics. Skips, saying so, when the corpus is absent.

use std::path::{Path, PathBuf};
use strata_gotemplate::{Options, Set, Value};

fn corpus() -> Option<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    // ../shared beside the repository (a worktree sits one level deeper).
    ["../shared/helm-charts", "../../shared/helm-charts"]
        .iter()
        .map(|p| root.join(p))
        .find(|p| p.is_dir())
}

fn templates(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<PathBuf> = rd.filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            templates(&p, out);
        } else if p.components().any(|c| c.as_os_str() == "templates") {
            out.push(p);
        }
    }
}

#[test]
fn every_corpus_template_parses() {
    let Some(corpus) = corpus() else {
        eprintln!("skipped: ../shared/helm-charts not found");
        return;
    };
    let mut charts: Vec<PathBuf> = std::fs::read_dir(&corpus)
        .map(|rd| {
            rd.filter_map(|e| e.ok().map(|e| e.path().join("chart")))
                .collect()
        })
        .unwrap_or_default();
    charts.retain(|c| c.is_dir());
    charts.sort();
    assert!(charts.len() >= 20, "corpus has {} charts", charts.len());
    let mut files = 0;
    let mut failures = Vec::new();
    let mut stubbed = std::collections::BTreeSet::new();
    for chart in &charts {
        let mut paths = Vec::new();
        templates(chart, &mut paths);
        let mut set = Set::new();
        let mut names = Vec::new();
        for p in &paths {
            let Ok(text) = std::fs::read_to_string(p) else {
                continue;
            };
            let name = p.strip_prefix(chart).unwrap_or(p).display().to_string();
            files += 1;
            // Functions the caller supplies (semverCompare, semver) or the
            // library lacks are stubbed: this test is about the parser.
            loop {
                match set.parse(&name, &text) {
                    Ok(()) => names.push(name.clone()),
                    Err(e) => {
                        let missing = e
                            .message
                            .strip_prefix("function \"")
                            .and_then(|m| m.strip_suffix("\" not defined"));
                        if let Some(f) = missing {
                            stubbed.insert(f.to_string());
                            let stub: strata_gotemplate::Func =
                                std::sync::Arc::new(|_: &[Value]| Ok(Value::Nil));
                            set.add_func(f, stub);
                            continue;
                        }
                        failures.push(format!("{}: {e}", chart.display()));
                    }
                }
                break;
            }
        }
        let values = std::fs::read_to_string(chart.join("values.yaml")).unwrap_or_default();
        let values = strata_gotemplate::data::from_yaml(&values).unwrap_or(Value::Nil);
        let dot = Value::map([("Values".to_string(), values)].into_iter().collect());
        for name in names.iter().filter(|n| !n.contains("/_")) {
            // Errors are expected (no .Release, .Chart here); panics are not.
            let _ = set.execute(name, dot.clone(), &Options::default());
        }
    }
    eprintln!("functions not in the library, stubbed: {stubbed:?}");
    assert!(files > 500, "only {files} template files found");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
