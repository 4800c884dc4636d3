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
    assert_eq!(n, 7, "examples run");
}

/// Every diagnostic code the source creates is in docs/lint.md's table of
/// codes, and every code there is created somewhere.
#[test]
fn every_diagnostic_code_is_documented() {
    let created = regex::Regex::new(
        r#"(?:Diagnostic::(?:error|warning|info)\(\s*|Diagnostic::new\(\s*[A-Za-z:]+,\s*|Error::msg\(\s*|\bcode: |const CODE: &str = )"([a-z0-9_-]+)""#,
    )
    .expect("regex");
    let mut in_source = std::collections::BTreeSet::new();
    let mut stack = vec![root().join("crates")];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("read dir") {
            let path = entry.expect("entry").path();
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
            if path.is_dir() {
                // Integration tests and unit-test files make up codes of
                // their own.
                if name != "tests" {
                    stack.push(path);
                }
                continue;
            }
            if !name.ends_with(".rs") || name == "tests.rs" {
                continue;
            }
            let text = std::fs::read_to_string(&path).expect("read");
            let code = text.split("#[cfg(test)]\nmod tests").next().unwrap_or("");
            for c in created.captures_iter(code) {
                in_source.insert(c[1].to_string());
            }
        }
    }
    let doc = std::fs::read_to_string(root().join("docs/lint.md")).expect("read");
    let table = doc
        .split("## Every code")
        .nth(1)
        .and_then(|t| t.split("\n## ").next())
        .expect("docs/lint.md has a section `## Every code`");
    let documented: std::collections::BTreeSet<String> = table
        .lines()
        .filter_map(|l| l.strip_prefix("| `"))
        .filter_map(|l| l.split('`').next())
        .map(str::to_string)
        .collect();
    assert_eq!(in_source, documented, "codes in the source vs docs/lint.md");
    assert!(
        in_source.len() > 20,
        "the scan found the codes: {in_source:?}"
    );
}
