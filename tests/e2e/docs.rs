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
