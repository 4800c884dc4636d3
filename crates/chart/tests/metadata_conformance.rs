//! Helm's Chart.yaml rules as data: every record of
//! tests/conformance/helm-metadata.yaml runs, `level: load` records
//! against `chart::parse_metadata`, `level: lint` records against
//! `lint::chart_yaml_rules`. The record counts are checked so none is
//! skipped silently.

use std::collections::BTreeMap;
use std::sync::Arc;

use strata_chart::chart::{parse_metadata, Chart};
use strata_chart::lint::chart_yaml_rules;
use strata_chart::value::{Node, Value};
use strata_chart::Severity;
use strata_yaml as yaml;

fn records() -> Vec<Node> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/conformance/helm-metadata.yaml"
    );
    let text = std::fs::read_to_string(path).expect("read conformance data");
    let root = yaml::load_one(&text, &Arc::from("helm-metadata.yaml"))
        .expect("parse conformance data")
        .expect("not empty");
    match root.value {
        Value::Seq(items) => items,
        _ => panic!("records are a list"),
    }
}

fn s<'a>(r: &'a Node, k: &str) -> Option<&'a str> {
    r.get_path(&[k]).and_then(Node::as_str)
}

fn b(r: &Node, k: &str) -> bool {
    matches!(r.get_path(&[k]).map(|n| &n.value), Some(Value::Bool(true)))
}

fn sev(s: &str) -> Severity {
    match s {
        "error" => Severity::Error,
        "warning" => Severity::Warning,
        "info" => Severity::Info,
        other => panic!("unknown severity {other}"),
    }
}

#[test]
fn every_helm_metadata_record_holds() {
    let (mut load, mut lint) = (0, 0);
    let all = records();
    for r in &all {
        let id = s(r, "id").expect("id");
        let chart_yaml = s(r, "chart_yaml");
        let valid = b(r, "valid");
        let reason = s(r, "reason").unwrap_or("");
        match s(r, "level") {
            Some("load") => {
                load += 1;
                let Some(text) = chart_yaml else {
                    // No metadata at all: the loader refuses the chart.
                    let e = Chart::from_files(BTreeMap::new(), "x").unwrap_err();
                    assert!(e.to_string().contains("has no Chart.yaml"), "{id}: {e}");
                    continue;
                };
                match parse_metadata(text) {
                    Ok((meta, _)) => {
                        assert!(valid, "{id}: loads but Helm rejects it: {reason}");
                        if let Some(san) = r.get_path(&["sanitized"]) {
                            if let Some(d) = s(san, "description") {
                                assert_eq!(meta.description.as_deref(), Some(d), "{id}");
                            }
                        }
                    }
                    Err(e) => {
                        assert!(!valid, "{id}: Helm loads it but strata says {e}");
                        let msgs: Vec<String> =
                            e.diagnostics().into_iter().map(|d| d.message).collect();
                        assert!(
                            msgs.iter().any(|m| m.contains(reason)),
                            "{id}: want {reason:?}, got {msgs:?}"
                        );
                    }
                }
            }
            Some("lint") => {
                lint += 1;
                let text = chart_yaml.expect("lint records have Chart.yaml");
                let found = chart_yaml_rules(text);
                if let Some(rule) = s(r, "lint_rule") {
                    let want_sev = sev(s(r, "lint_severity").expect("severity"));
                    let hits: Vec<_> = found.iter().filter(|f| f.rule == rule).collect();
                    if valid {
                        assert!(hits.is_empty(), "{id}: {rule} should pass, got {hits:?}");
                    } else {
                        assert!(
                            hits.iter().any(|f| f.diagnostic.message.contains(reason)
                                && f.diagnostic.severity == want_sev),
                            "{id}: want {want_sev} {reason:?} from {rule}, got {hits:?}"
                        );
                    }
                } else {
                    let want = match r.get_path(&["lint_messages_in_order"]).map(|n| &n.value) {
                        Some(Value::Seq(w)) => w,
                        _ => panic!("{id}: neither lint_rule nor lint_messages_in_order"),
                    };
                    let got: Vec<(Severity, &str)> = found
                        .iter()
                        .map(|f| (f.diagnostic.severity, f.diagnostic.message.as_str()))
                        .collect();
                    assert_eq!(got.len(), want.len(), "{id}: {got:#?}");
                    for (w, g) in want.iter().zip(&got) {
                        assert_eq!(sev(s(w, "severity").expect("severity")), g.0, "{id}: {g:?}");
                        let c = s(w, "contains").expect("contains");
                        assert!(g.1.contains(c), "{id}: want {c:?} in {:?}", g.1);
                    }
                }
            }
            other => panic!("{id}: unknown level {other:?}"),
        }
    }
    assert_eq!((load, lint), (19, 37), "records run");
    assert_eq!(all.len(), 56);
}
