//! `strata package`: validate, then write `<name>-<version>.tgz`.

use strata_chart::package;
use strata_chart::Result;

use crate::args::PackageCmd;
use crate::Outcome;

pub fn run(c: PackageCmd) -> Result<Outcome> {
    let chart = super::load_chart(&c.chart)?;
    package::validate(&chart)?;
    let done = package::write(&chart, &c.destination)?;
    Ok(Outcome {
        stdout: format!("{}\nsha256:{}\n", done.path.display(), done.sha256),
        ..Outcome::default()
    })
}
