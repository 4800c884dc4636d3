//! docs/helm-charts.md's walkthrough, run as written: podinfo copied from
//! `../shared/helm-charts` into a temporary directory, the files the page
//! shows written beside its Chart.yaml, every command run with the exit
//! code and output the page shows (`...` ends a shown prefix).

use std::path::PathBuf;

use crate::util::{copy_dir, root, strata_in, tempdir};

fn podinfo() -> Option<PathBuf> {
    [
        "../shared/helm-charts/podinfo/chart",
        "../../shared/helm-charts/podinfo/chart",
    ]
    .into_iter()
    .map(|p| root().join(p))
    .find(|d| d.is_dir())
}

/// The fenced block after line `i` (its lines, and the index after it).
fn block(lines: &[&str], i: usize) -> (Vec<String>, usize) {
    let mut j = i + 1;
    while !lines[j].starts_with("```") {
        j += 1;
    }
    let mut out = Vec::new();
    j += 1;
    while lines[j] != "```" {
        out.push(lines[j].to_string());
        j += 1;
    }
    (out, j + 1)
}

#[test]
fn the_helm_charts_walkthrough_works_on_podinfo() {
    let Some(podinfo) = podinfo() else {
        eprintln!("skipped: ../shared/helm-charts is not present");
        return;
    };
    let doc = std::fs::read_to_string(root().join("docs/helm-charts.md")).expect("docs");
    let lines: Vec<&str> = doc.lines().collect();
    let tmp = tempdir();
    copy_dir(&podinfo, &tmp.path().join("podinfo"));
    let (mut files, mut commands) = (0, 0);
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        if let Some(rest) = line.strip_prefix("<!-- walkthrough-file ") {
            let path = rest.trim_end_matches(" -->");
            let (text, next) = block(&lines, i);
            let target = tmp.path().join(path);
            std::fs::create_dir_all(target.parent().expect("parent")).expect("mkdir");
            std::fs::write(&target, text.join("\n") + "\n").expect("write");
            files += 1;
            i = next;
        } else if let Some(rest) = line.strip_prefix("<!-- walkthrough exit=") {
            let code: i32 = rest.trim_end_matches(" -->").parse().expect("exit code");
            let (text, next) = block(&lines, i);
            let command = text[0].strip_prefix("$ strata ").expect("a strata command");
            let args: Vec<&str> = command.split_whitespace().collect();
            let run = strata_in(tmp.path(), &args, None);
            assert_eq!(run.code, code, "{command}\n{}", run.stderr);
            let want = &text[1..];
            match want.iter().position(|l| l == "...") {
                Some(n) => {
                    let got: Vec<&str> = run.stdout.lines().take(n).collect();
                    assert_eq!(got, want[..n], "{command}");
                }
                None => {
                    let got: Vec<&str> = run.stdout.lines().collect();
                    assert_eq!(got, want, "{command}");
                }
            }
            commands += 1;
            i = next;
        } else {
            i += 1;
        }
    }
    assert_eq!((files, commands), (3, 7), "walkthrough blocks found");
}
