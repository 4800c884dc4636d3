//! The examples in docs/schema.md, docs/lint.md and docs/validation.md are true: every
//! ```console block (`$ strata …` then its output: standard error, then
//! standard output) is run and compared.

use crate::util::*;

fn examples(doc: &str) -> Vec<(Vec<String>, String)> {
    let text = std::fs::read_to_string(root().join(doc)).expect("read doc");
    let mut out = Vec::new();
    let mut lines = text.lines();
    while let Some(l) = lines.next() {
        if l.trim() != "```console" {
            continue;
        }
        let cmd = lines.next().expect("command line");
        let args: Vec<String> = cmd
            .strip_prefix("$ strata ")
            .unwrap_or_else(|| panic!("{doc}: console block must start with `$ strata`: {cmd}"))
            .split_whitespace()
            .map(str::to_string)
            .collect();
        let mut want = String::new();
        for l in lines.by_ref() {
            if l == "```" {
                break;
            }
            want.push_str(l);
            want.push('\n');
        }
        out.push((args, want));
    }
    out
}

#[test]
fn doc_examples_are_true() {
    let mut n = 0;
    for doc in ["docs/schema.md", "docs/lint.md", "docs/validation.md"] {
        for (args, want) in examples(doc) {
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            let run = strata(&args);
            assert_eq!(
                format!("{}{}", run.stderr, run.stdout),
                want,
                "{doc}: strata {}",
                args.join(" ")
            );
            n += 1;
        }
    }
    assert_eq!(n, 8, "examples run");
}

/// Every diagnostic code ([`strata_chart::Code`]) is in docs/lint.md's
/// table of codes, every code there is one, and every code is created
/// somewhere in the source (a code no finding uses is a stale promise).
#[test]
fn every_diagnostic_code_is_documented() {
    use std::collections::BTreeSet;
    use strata_chart::Code;

    let defined: BTreeSet<String> = Code::ALL.iter().map(|c| c.as_str().to_string()).collect();
    assert_eq!(
        defined.len(),
        Code::ALL.len(),
        "two variants print the same code"
    );
    assert!(defined.len() > 20, "Code::ALL lists the codes: {defined:?}");

    let doc = std::fs::read_to_string(root().join("docs/lint.md")).expect("read");
    let table = doc
        .split("## Every code")
        .nth(1)
        .and_then(|t| t.split("\n## ").next())
        .expect("docs/lint.md has a section `## Every code`");
    let documented: BTreeSet<String> = table
        .lines()
        .filter_map(|l| l.strip_prefix("| `"))
        .filter_map(|l| l.split('`').next())
        .map(str::to_string)
        .collect();
    assert_eq!(defined, documented, "strata_chart::Code vs docs/lint.md");

    // Each variant is used outside its definition and outside tests.
    let mut source = String::new();
    let mut stack = vec![root().join("crates")];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("read dir") {
            let path = entry.expect("entry").path();
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
            if path.is_dir() {
                // Integration tests and unit-test files use codes of their own.
                if name != "tests" {
                    stack.push(path);
                }
                continue;
            }
            if !name.ends_with(".rs") || name == "tests.rs" {
                continue;
            }
            let text = std::fs::read_to_string(&path).expect("read");
            source.push_str(text.split("#[cfg(test)]\nmod tests").next().unwrap_or(""));
        }
    }
    let unused: Vec<&str> = Code::ALL
        .iter()
        .filter(|c| {
            let variant = format!("Code::{c:?}");
            !source.match_indices(&variant).any(|(i, _)| {
                // `Code::Yaml` is not a use of `Code::Yaml11`.
                !source[i + variant.len()..].starts_with(|ch: char| ch.is_alphanumeric())
            })
        })
        .map(|c| c.as_str())
        .collect();
    assert!(unused.is_empty(), "codes no finding uses: {unused:?}");
}
