//! `strata package`: lint (errors stop it, nothing written), then write
//! `<name>-<version>.tgz`.

use strata_chart::{package, Error, Result, Severity};
use strata_template::lint::{lint_chart, LintOptions};

use crate::args::PackageCmd;
use crate::Outcome;

pub fn run(c: PackageCmd) -> Result<Outcome> {
    let chart = super::load_chart(&c.chart)?;
    // Every environment, as `strata lint` checks it: values, schemas,
    // dependencies, rendering.
    let findings = lint_chart(chart.files.clone(), &chart.source, &LintOptions::default());
    let (errors, others): (Vec<_>, Vec<_>) = findings
        .into_iter()
        .partition(|d| d.severity == Severity::Error);
    if !errors.is_empty() {
        return Err(Error::Many(errors));
    }
    let done = package::write(&chart, &c.destination)?;
    Ok(Outcome {
        stdout: format!("{}\nsha256:{}\n", done.path.display(), done.sha256),
        diagnostics: others
            .into_iter()
            .filter(|d| d.severity == Severity::Warning)
            .collect(),
        fail: false,
        ..Outcome::default()
    })
}
