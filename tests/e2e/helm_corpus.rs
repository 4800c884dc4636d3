//! The Helm conformance corpus (`../shared/helm-charts`, README there):
//! twenty real charts, sixty value sets, helm 4.1.4's exact output. Every
//! case runs through the real `strata` binary; the output must equal
//! helm's as data (random fields masked), and byte for byte for the
//! deterministic cases. `STRATA_CORPUS_TABLE=1 cargo test --test e2e
//! helm_corpus -- --nocapture` prints the table of cases.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::util::root;

fn corpus() -> Option<PathBuf> {
    // `../shared` beside the repository (or beside a worktree's parent).
    ["../shared/helm-charts", "../../shared/helm-charts"]
        .into_iter()
        .map(|p| root().join(p))
        .find(|d| d.is_dir())
}

struct Case {
    chart: String,
    name: String,
    dir: PathBuf,
}

fn cases(corpus: &Path) -> Vec<Case> {
    let mut out = Vec::new();
    let mut charts: Vec<PathBuf> = std::fs::read_dir(corpus)
        .map(|d| {
            d.flatten()
                .map(|e| e.path())
                .filter(|p| p.join("cases").is_dir())
                .collect()
        })
        .unwrap_or_default();
    charts.sort();
    for dir in charts {
        let chart = dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let mut names: Vec<String> = std::fs::read_dir(dir.join("cases"))
            .map(|d| {
                d.flatten()
                    .filter_map(|e| {
                        e.file_name()
                            .to_string_lossy()
                            .strip_suffix(".helm.yaml")
                            .map(str::to_string)
                    })
                    .collect()
            })
            .unwrap_or_default();
        names.sort();
        for name in names {
            out.push(Case {
                chart: chart.clone(),
                name,
                dir: dir.clone(),
            });
        }
    }
    out
}

/// How one case compares.
#[derive(Debug, PartialEq)]
enum Verdict {
    Identical,
    DataIdentical,
    Differs(String),
}

/// The documents of a stream as (source, data), `paths` of the documents
/// named in `random` masked.
fn data(
    stream: &str,
    random: &serde_json::Value,
) -> Result<Vec<(String, serde_json::Value)>, String> {
    let mut docs = Vec::new();
    for piece in stream.split("---\n# Source: ") {
        if piece.trim().is_empty() {
            continue;
        }
        let (source, body) = piece.split_once('\n').unwrap_or((piece, ""));
        let file: Arc<str> = Arc::from(source);
        let node =
            strata_yaml::load_one(body, &file).map_err(|d| format!("{source}: {}", d.message))?;
        let json = node.map(|n| n.to_json()).unwrap_or(serde_json::Value::Null);
        docs.push((source.to_string(), json));
    }
    if let Some(list) = random.as_array() {
        for r in list {
            let Some(i) = r["doc_index"].as_u64() else {
                continue;
            };
            let Some((_, doc)) = docs.get_mut(i as usize) else {
                continue;
            };
            for p in r["paths"].as_array().into_iter().flatten() {
                mask(doc, p.as_str().unwrap_or(""));
            }
        }
    }
    Ok(docs)
}

/// Replace the value at a `.a.b[0].c` path with a marker. Keys may hold
/// dots (`.data.tls.crt`): the longest key that exists wins.
fn mask(doc: &mut serde_json::Value, path: &str) {
    let mut parts: Vec<(String, Vec<u64>)> = Vec::new();
    for seg in path.trim_start_matches('.').split('.') {
        let (key, rest) = seg.split_once('[').unwrap_or((seg, ""));
        let idx = rest
            .split('[')
            .filter_map(|s| s.trim_end_matches(']').parse::<u64>().ok())
            .collect();
        parts.push((key.to_string(), idx));
    }
    mask_at(doc, &parts);
}

fn mask_at(cur: &mut serde_json::Value, parts: &[(String, Vec<u64>)]) {
    let Some(first) = parts.first() else {
        *cur = serde_json::Value::String("<random>".to_string());
        return;
    };
    let serde_json::Value::Object(m) = cur else {
        return;
    };
    // The longest run of segments that names a key.
    for n in (1..=parts.len()).rev() {
        let key = parts[..n]
            .iter()
            .map(|(k, _)| k.as_str())
            .collect::<Vec<_>>()
            .join(".");
        if !m.contains_key(&key) || !parts[..n - 1].iter().all(|(_, i)| i.is_empty()) {
            continue;
        }
        let Some(mut v) = m.get_mut(&key) else { return };
        for i in &parts[n - 1].1 {
            match v {
                serde_json::Value::Array(a) => match a.get_mut(*i as usize) {
                    Some(x) => v = x,
                    None => return,
                },
                _ => return,
            }
        }
        return mask_at(v, &parts[n..]);
    }
    let _ = first;
}

fn run(case: &Case) -> (Verdict, bool) {
    let base = case.dir.join("cases").join(&case.name);
    let path = |ext: &str| PathBuf::from(format!("{}.{ext}", base.display()));
    let want = std::fs::read_to_string(path("helm.yaml")).unwrap_or_default();
    let args = std::fs::read_to_string(path("args")).unwrap_or_default();
    let random: serde_json::Value = std::fs::read_to_string(path("random.json"))
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or(serde_json::Value::Null);
    let deterministic = random.is_null();
    let values = format!("cases/{}.values.yaml", case.name);
    let mut argv: Vec<String> = vec![
        "render".into(),
        "chart".into(),
        "--release".into(),
        "rel".into(),
        "-f".into(),
        values,
    ];
    argv.extend(
        args.lines()
            .filter(|l| !l.trim().is_empty())
            .map(str::to_string),
    );
    let argv: Vec<&str> = argv.iter().map(String::as_str).collect();
    let got = crate::util::strata_in(&case.dir, &argv, None);
    if got.code != 0 {
        let first: String = got
            .stderr
            .lines()
            .take(2)
            .collect::<Vec<_>>()
            .join(" ")
            .chars()
            .take(300)
            .collect();
        return (
            Verdict::Differs(format!("exit {}: {first}", got.code)),
            deterministic,
        );
    }
    // The case's values are all read by the chart's templates: a report of
    // an unused value would be a false alarm.
    if let Some(line) = got.stderr.lines().find(|l| l.contains("[unused]")) {
        return (
            Verdict::Differs(format!("false alarm: {line}")),
            deterministic,
        );
    }
    if got.stdout == want {
        return (Verdict::Identical, deterministic);
    }
    let verdict = match (data(&got.stdout, &random), data(&want, &random)) {
        (Ok(a), Ok(b)) if a == b => Verdict::DataIdentical,
        (Ok(a), Ok(b)) => {
            let why = if a.len() != b.len() {
                format!("{} documents, helm {}", a.len(), b.len())
            } else {
                let i = a.iter().zip(&b).position(|(x, y)| x != y).unwrap_or(0);
                format!("document {i} ({}) differs", b[i].0)
            };
            Verdict::Differs(why)
        }
        (Err(e), _) => Verdict::Differs(format!("strata's output does not parse: {e}")),
        (_, Err(e)) => Verdict::Differs(format!("helm's output does not parse: {e}")),
    };
    (verdict, deterministic)
}

#[test]
fn the_corpus_renders_as_helm_renders_it() {
    let Some(corpus) = corpus() else {
        eprintln!("skipped: ../shared/helm-charts is not present");
        return;
    };
    let table = std::env::var_os("STRATA_CORPUS_TABLE").is_some();
    let mut identical = 0;
    let mut data_identical = 0;
    let mut det_identical = 0;
    let mut det_total = 0;
    let mut failures = Vec::new();
    let all = cases(&corpus);
    for case in &all {
        let (verdict, deterministic) = run(case);
        if deterministic {
            det_total += 1;
        }
        let label = match &verdict {
            Verdict::Identical => {
                identical += 1;
                data_identical += 1;
                if deterministic {
                    det_identical += 1;
                }
                "identical".to_string()
            }
            Verdict::DataIdentical => {
                data_identical += 1;
                "data-identical".to_string()
            }
            Verdict::Differs(why) => {
                failures.push(format!("{}/{}: {why}", case.chart, case.name));
                format!("differs: {why}")
            }
        };
        if table {
            println!("| {:<20} | {:<40} | {} |", case.chart, case.name, label);
        }
    }
    println!(
        "{} cases: {identical} identical, {data_identical} identical as data, {det_identical} of {det_total} deterministic byte-identical",
        all.len()
    );
    assert_eq!(all.len(), 60, "the corpus has sixty cases");
    assert!(
        failures.is_empty() && det_identical >= 45,
        "{} of {} cases differ as data; {det_identical} of {det_total} deterministic cases byte-identical:\n{}",
        failures.len(),
        all.len(),
        failures.join("\n")
    );
}
