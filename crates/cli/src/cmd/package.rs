//! `strata package`: lint (errors stop it, nothing written), then write
//! `<name>-<version>.tgz`; or, with `--env E --rendered`, the Helm chart
//! of E's rendered manifests.

use strata_chart::{package, Error, Result, Severity};
use strata_template::lint::{lint_chart, LintOptions};

use crate::args::PackageCmd;
use crate::Outcome;

pub fn run(c: PackageCmd) -> Result<Outcome> {
    let chart = super::load_chart(&c.chart)?;
    if let (Some(env), true) = (&c.env, c.rendered) {
        // Rendering checks what a deployment needs: the values against the
        // schemas, and every output check.
        let done =
            strata_template::rendered::write(&chart, env, c.release.as_deref(), &c.destination)?;
        return Ok(Outcome {
            stdout: format!("{}\nsha256:{}\n", done.path.display(), done.sha256),
            ..Outcome::default()
        });
    }
    // Every environment, as `strata lint` checks it: values, schemas,
    // dependencies, rendering.
    let findings = lint_chart(
        chart.files.clone(),
        &chart.source,
        chart.shared_file(),
        &LintOptions::default(),
    );
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
