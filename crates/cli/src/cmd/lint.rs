//! `strata lint`: map paths to charts (each once), lint them in parallel,
//! print the findings as text, JSON or GitHub annotations.

use strata_chart::discover::{read_target, shared_for, targets};
use strata_chart::values::SetFlag;
use strata_chart::{Diagnostic, Result, Severity};
use strata_template::lint::{lint_all, Envs, Input, LintOptions};

use crate::args::LintCmd;
use crate::report::{self, Format};
use crate::Outcome;

pub fn run(c: LintCmd, sets: Vec<SetFlag>) -> Result<Outcome> {
    let values = super::layers(&c.layers, sets)?;
    if let Some(v) = &c.kube_version {
        strata_template::parse_kube_version(v)?;
    }
    let targets = targets(&c.paths)?;
    let mut inputs = Vec::new();
    let mut prefixes = Vec::new();
    // A chart that cannot be read is a finding; the other charts are still
    // checked.
    let mut all: Vec<Diagnostic> = Vec::new();
    for t in &targets {
        let read =
            read_target(t).and_then(|(files, prefix)| Ok((shared_for(t, &files)?, files, prefix)));
        match read {
            Ok((shared, files, prefix)) => {
                let source = t.path().display().to_string();
                inputs.push(Input {
                    files,
                    source,
                    shared,
                });
                prefixes.push(prefix);
            }
            Err(e) => all.extend(e.diagnostics()),
        }
    }
    let opts = LintOptions {
        envs: match c.env {
            Some(e) => Envs::One(e),
            None => Envs::All,
        },
        values,
        kube_version: c.kube_version.clone(),
    };
    let results = lint_all(inputs, &opts);
    for (mut ds, prefix) in results.into_iter().zip(prefixes) {
        // `-f` files are named as given, not from the chart.
        strata_chart::diag::relocate(&mut ds, &prefix, &c.layers.values);
        all.extend(ds);
    }
    if c.quiet {
        all.retain(|d| d.severity != Severity::Info);
    }
    let count = |s: Severity| all.iter().filter(|d| d.severity == s).count();
    let (errors, warnings, infos) = (
        count(Severity::Error),
        count(Severity::Warning),
        count(Severity::Info),
    );
    let fail = errors > 0 || (c.strict && warnings > 0);
    let n = targets.len();
    let summary = format!(
        "linted {n} chart{}: {errors} error{}, {warnings} warning{}, {infos} info\n",
        if n == 1 { "" } else { "s" },
        if errors == 1 { "" } else { "s" },
        if warnings == 1 { "" } else { "s" },
    );
    Ok(match c.output {
        Format::Text => Outcome {
            stdout: summary,
            diagnostics: all,
            fail,
            ..Outcome::default()
        },
        Format::Json => Outcome {
            stdout: report::json(&all),
            diagnostics: Vec::new(),
            fail,
            ..Outcome::default()
        },
        Format::Github => Outcome {
            stdout: all.iter().map(report::github).collect(),
            diagnostics: Vec::new(),
            fail,
            ..Outcome::default()
        },
    })
}
