//! One module per subcommand; each turns arguments into library calls and
//! an [`Outcome`](crate::Outcome).

mod completions;
mod create;
mod dependency;
mod diff;
mod envs;
mod lint;
mod package;
mod parity;
mod promote;
mod render;
mod schema;
mod validate;
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
        Command::Parity(c) => parity::run(c),
        Command::Diff(c) => diff::run(c),
        Command::Promote(c) => promote::run(c),
        Command::Create(c) => create::run(c),
        Command::Completions(c) => completions::run(c),
        Command::Lint(c) => lint::run(c),
        Command::Validate(c) => validate::run(c),
        Command::Schema(c) => schema::run(c),
        Command::Package(c) => package::run(c),
        Command::Dependency(crate::args::DependencyCmd::List(c)) => dependency::list(c),
    }
}

/// Load the chart a command names.
pub fn load_chart(path: &Path) -> Result<Chart> {
    let source = path.display().to_string();
    Chart::load(path, &source)
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
