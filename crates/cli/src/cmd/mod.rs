//! One module per subcommand; each turns arguments into library calls and
//! an [`Outcome`](crate::Outcome).

mod completions;
mod create;
mod envs;
mod render;
mod values;

use std::path::Path;

use strata_chart::chart::Chart;
use strata_chart::values::{Request, SetFlag, UserFile};
use strata_chart::Result;

use crate::args::{Command, ValueFlags};
use crate::Outcome;

/// Dispatch a parsed command line.
pub fn run(cli: crate::Cli, sets: Vec<SetFlag>) -> Result<Outcome> {
    match cli.command {
        Command::Render(c) => render::run(c, sets),
        Command::Values(c) => values::run(c, sets),
        Command::Envs(c) => envs::run(c),
        Command::Create(c) => create::run(c),
        Command::Completions(c) => completions::run(c),
    }
}

/// Load the chart a command names.
pub fn load_chart(path: &Path) -> Result<Chart> {
    let source = path.display().to_string();
    Chart::load_dir(path, &source)
}

/// The values request the shared flags describe.
pub fn request(flags: &ValueFlags, sets: Vec<SetFlag>) -> Result<Request> {
    let files = flags
        .values
        .iter()
        .map(|f| UserFile::read(f))
        .collect::<Result<Vec<_>>>()?;
    Ok(Request {
        env: flags.env.clone(),
        files,
        sets,
    })
}
