//! The examples in docs/packaging.md and docs/subcharts.md are true: each
//! ```console block's command is run and its output must show the lines
//! printed there, in order (`…` stands for lines left out).

use crate::util::*;

/// (command args, expected output lines) of every console block.
fn console_blocks(doc: &str) -> Vec<(Vec<String>, Vec<String>)> {
    let text = std::fs::read_to_string(root().join(doc)).expect("doc");
    let mut out = Vec::new();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        if line.trim() != "```console" {
            continue;
        }
        let mut cmd = None;
        let mut want = Vec::new();
        for l in lines.by_ref() {
            if l.trim() == "```" {
                break;
            }
            match l.strip_prefix("$ strata ") {
                Some(c) => cmd = Some(c.split_whitespace().map(String::from).collect()),
                None => want.push(l.to_string()),
            }
        }
        out.push((cmd.expect("a $ strata line"), want));
    }
    out
}

fn check(doc: &str) {
    let blocks = console_blocks(doc);
    assert!(!blocks.is_empty(), "{doc} has no examples");
    for (mut args, want) in blocks {
        let dist = tempdir();
        // `-d dist` writes into a scratch directory; the printed path is
        // then made relative again.
        let scratch = dist.path().join("dist").display().to_string();
        if let Some(i) = args.iter().position(|a| a == "-d") {
            args[i + 1] = scratch.clone();
        }
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        let run = strata(&refs);
        run.code(0);
        let got: Vec<String> = run
            .stdout
            .replace(&scratch, "dist")
            .lines()
            .map(String::from)
            .collect();
        let mut at = 0;
        let mut skipping = false;
        for w in &want {
            if w.trim() == "…" {
                skipping = true;
                continue;
            }
            if skipping {
                match got[at..].iter().position(|g| g == w) {
                    Some(i) => at += i + 1,
                    None => panic!(
                        "{doc}: `strata {}` does not print {w:?}\n{}",
                        args.join(" "),
                        run.stdout
                    ),
                }
            } else {
                assert_eq!(
                    got.get(at),
                    Some(w),
                    "{doc}: `strata {}`\n{}",
                    args.join(" "),
                    run.stdout
                );
                at += 1;
            }
            skipping = false;
        }
        if !skipping {
            assert_eq!(
                at,
                got.len(),
                "{doc}: `strata {}` prints more",
                args.join(" ")
            );
        }
    }
}

#[test]
fn packaging_doc_examples_are_true() {
    check("docs/packaging.md");
}

#[test]
fn subcharts_doc_examples_are_true() {
    check("docs/subcharts.md");
}
