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
    // ../shared beside the repository (a worktree sits one level deeper).
    let corpus = ["../shared/helm-charts", "../../shared/helm-charts"]
        .iter()
        .map(|p| root().join(p))
        .find(|p| p.exists())
        .unwrap_or_else(|| root().join("../shared/helm-charts"));
    let Ok(entries) = std::fs::read_dir(&corpus) else {
        println!("skipped: no corpus at {}", corpus.display());
        return;
    };
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
