//! `strata validate`: manifest streams against Kubernetes' schemas.

use strata_chart::{Result, Severity};
use strata_template::kube::{validate_paths, Options};

use crate::args::ValidateCmd;
use crate::report::{self, Format};
use crate::Outcome;

pub fn run(c: ValidateCmd) -> Result<Outcome> {
    let opts = Options {
        kube_version: c.kube_version,
        strict: c.strict,
        api_versions: Vec::new(),
    };
    let r = validate_paths(&c.files, &c.crds, &opts)?;
    let count = |s: Severity| r.diagnostics.iter().filter(|d| d.severity == s).count();
    let (errors, warnings) = (count(Severity::Error), count(Severity::Warning));
    let plural = |n: usize, w: &str| format!("{n} {w}{}", if n == 1 { "" } else { "s" });
    let summary = format!(
        "validated {} in {} against Kubernetes {}: {}, {}\n",
        plural(r.documents, "document"),
        plural(r.streams, "file"),
        r.version,
        plural(errors, "error"),
        plural(warnings, "warning"),
    );
    let fail = errors > 0;
    Ok(match c.output {
        Format::Text => Outcome {
            stdout: summary,
            diagnostics: r.diagnostics,
            fail,
            ..Outcome::default()
        },
        Format::Json => Outcome {
            stdout: report::json(&r.diagnostics),
            fail,
            ..Outcome::default()
        },
        Format::Github => Outcome {
            stdout: r.diagnostics.iter().map(report::github).collect(),
            fail,
            ..Outcome::default()
        },
    })
}
