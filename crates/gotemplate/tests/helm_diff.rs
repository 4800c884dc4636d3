//! Differential test of `toYaml` and `toJson` against a real helm: every
//! values.yaml of the corpus in ../shared/helm-charts (twenty public
//! charts) is given to helm with a probe chart printing
//! `toYaml .Values` and `toJson .Values`, and compared byte for byte
//! with this crate reading the same file (`from_yaml`) and printing it.
//! Skips, saying so, when helm (tests/helm/get-helm.sh) or the corpus is
//! absent.

use std::path::{Path, PathBuf};
use std::process::Command;

use base64::Engine as _;
use strata_gotemplate::data::{from_yaml, to_json, to_yaml};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn helm() -> Option<PathBuf> {
    let p = root().join("target/helm/helm");
    p.exists().then_some(p)
}

fn probe_chart(dir: &Path) {
    std::fs::create_dir_all(dir.join("templates")).unwrap();
    std::fs::write(
        dir.join("Chart.yaml"),
        "apiVersion: v2\nname: probe\nversion: 0.1.0\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("templates/a.yaml"),
        "#Y {{ toYaml .Values | b64enc }}\n#J {{ toJson .Values | b64enc }}\n",
    )
    .unwrap();
}

fn corpus() -> Option<PathBuf> {
    // ../shared beside the repository (a worktree sits one level deeper).
    ["../shared/helm-charts", "../../shared/helm-charts"]
        .iter()
        .map(|p| root().join(p))
        .find(|p| p.exists())
}

fn decode(line: &str) -> String {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(line.trim())
        .unwrap();
    String::from_utf8(bytes).unwrap()
}

#[test]
fn to_yaml_and_to_json_of_corpus_values_match_helm() {
    let Some(helm) = helm() else {
        println!("skipped: no helm at target/helm/helm (run tests/helm/get-helm.sh)");
        return;
    };
    let Some(corpus) = corpus() else {
        println!("skipped: no corpus at ../shared/helm-charts");
        return;
    };
    let entries = std::fs::read_dir(&corpus).unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let chart = tmp.path().join("probe");
    probe_chart(&chart);
    let mut checked = 0;
    let mut charts: Vec<PathBuf> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.join("chart/values.yaml").exists())
        .collect();
    charts.sort();
    for c in charts {
        let values = c.join("chart/values.yaml");
        // As the chart's own values.yaml: helm drops its nulls when it
        // coalesces; as a user file (-f) it keeps them. Use -f.
        let out = Command::new(&helm)
            .arg("template")
            .arg("x")
            .arg(&chart)
            .arg("-f")
            .arg(&values)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}: {}",
            c.display(),
            String::from_utf8_lossy(&out.stderr)
        );
        let stdout = String::from_utf8(out.stdout).unwrap();
        let mut want_yaml = None;
        let mut want_json = None;
        for line in stdout.lines() {
            if let Some(b) = line.strip_prefix("#Y ") {
                want_yaml = Some(decode(b));
            } else if let Some(b) = line.strip_prefix("#J ") {
                want_json = Some(decode(b));
            }
        }
        let text = std::fs::read_to_string(&values).unwrap();
        let v = from_yaml(&text).unwrap();
        let got_yaml = to_yaml(&v).unwrap();
        let got_yaml = got_yaml.strip_suffix('\n').unwrap_or(&got_yaml);
        assert_eq!(
            Some(got_yaml),
            want_yaml.as_deref(),
            "toYaml of {}",
            values.display()
        );
        assert_eq!(
            Some(to_json(&v, false, true).unwrap()),
            want_json,
            "toJson of {}",
            values.display()
        );
        checked += 1;
    }
    println!("checked toYaml and toJson of {checked} corpus values files against helm");
    assert!(checked > 0);
}

/// `fromYaml` (then `toJson`) of every document helm printed for the
/// corpus (about a thousand Kubernetes manifests, block scalars, quoting
/// of every kind), by helm and by this crate.
#[test]
fn from_yaml_of_corpus_documents_matches_helm() {
    let Some(helm) = helm() else {
        println!("skipped: no helm at target/helm/helm (run tests/helm/get-helm.sh)");
        return;
    };
    let Some(corpus) = corpus() else {
        println!("skipped: no corpus at ../shared/helm-charts");
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let chart = tmp.path().join("probe");
    probe_chart(&chart);
    std::fs::write(
        chart.join("templates/a.yaml"),
        "{{- range $path, $_ := .Files.Glob \"docs/*\" }}\n#B {{ base $path }} {{ $.Files.Get $path | fromYaml | toJson | b64enc }}\n{{- end }}\n",
    )
    .unwrap();
    std::fs::create_dir_all(chart.join("docs")).unwrap();
    let mut cases: Vec<PathBuf> = std::fs::read_dir(&corpus)
        .unwrap()
        .flatten()
        .flat_map(|c| {
            std::fs::read_dir(c.path().join("cases"))
                .into_iter()
                .flatten()
                .flatten()
        })
        .map(|e| e.path())
        .filter(|p| p.to_string_lossy().ends_with(".helm.yaml"))
        .collect();
    cases.sort();
    let mut docs = Vec::new();
    for case in cases {
        let text = std::fs::read_to_string(&case).unwrap();
        for doc in text.split("\n---\n").filter(|d| !d.trim().is_empty()) {
            let name = format!("d{:05}.yaml", docs.len());
            std::fs::write(chart.join("docs").join(&name), doc).unwrap();
            docs.push((name, doc.to_string()));
        }
    }
    let out = Command::new(&helm)
        .arg("template")
        .arg("x")
        .arg(&chart)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    let want: std::collections::HashMap<&str, String> = stdout
        .lines()
        .filter_map(|l| l.strip_prefix("#B "))
        .filter_map(|l| l.split_once(' '))
        .map(|(name, b64)| (name, decode(b64)))
        .collect();
    let mut differ = Vec::new();
    for (name, doc) in &docs {
        // fromYaml of an empty document is an empty map.
        let got = match from_yaml(doc).unwrap() {
            strata_gotemplate::Value::Nil => "{}".to_string(),
            v => to_json(&v, false, true).unwrap(),
        };
        if want.get(name.as_str()) != Some(&got) {
            differ.push(name.clone());
        }
    }
    println!(
        "fromYaml of {} corpus documents compared with helm, {} differ",
        docs.len(),
        differ.len()
    );
    assert!(differ.is_empty(), "differ: {differ:?}");
}

/// Timing, not a check: `cargo test --release -p strata-gotemplate --test
/// helm_diff time_ -- --ignored --nocapture`.
#[test]
#[ignore = "timing only"]
fn time_to_yaml_and_from_yaml_of_corpus_values() {
    let Some(corpus) = corpus() else { return };
    let mut texts = Vec::new();
    for e in std::fs::read_dir(&corpus).unwrap().flatten() {
        if let Ok(t) = std::fs::read_to_string(e.path().join("chart/values.yaml")) {
            texts.push(t);
        }
    }
    let bytes: usize = texts.iter().map(|t| t.len()).sum();
    let values: Vec<_> = texts.iter().map(|t| from_yaml(t).unwrap()).collect();
    let n = 20;
    let start = std::time::Instant::now();
    for _ in 0..n {
        for v in &values {
            std::hint::black_box(to_yaml(v).unwrap());
        }
    }
    let t_yaml = start.elapsed() / n;
    let start = std::time::Instant::now();
    for _ in 0..n {
        for t in &texts {
            std::hint::black_box(from_yaml(t).unwrap());
        }
    }
    let t_read = start.elapsed() / n;
    println!(
        "{} values files, {} KiB: toYaml {:?}, fromYaml {:?} (all files, once)",
        texts.len(),
        bytes / 1024,
        t_yaml,
        t_read
    );
}
