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
use std::sync::OnceLock;

use strata_chart::chart::Chart;
use strata_chart::values::{Request, SetFlag, UserFile};
use strata_chart::Result;

use crate::args::{Command, LayerFlags, ValueFlags};
use crate::Outcome;

/// How the chart the command loaded is shown (`charts/api/`), for
/// [`relocate`](strata_chart::diag::relocate): set by [`load_chart`].
static SHOWN: OnceLock<String> = OnceLock::new();

/// Dispatch a parsed command line. Diagnostics name chart files as the
/// user gave the chart (`charts/api/templates/x.yaml:4:9`); `lint` does so
/// itself, for each chart it checks.
pub fn run(cli: crate::Cli, sets: Vec<SetFlag>) -> Result<Outcome> {
    let keep: Vec<String> = match &cli.command {
        Command::Render(c) => c.flags.layers.values.clone(),
        Command::Values(c) => c.flags.layers.values.clone(),
        _ => Vec::new(),
    };
    let result = dispatch(cli, sets);
    let Some(prefix) = SHOWN.get() else {
        return result;
    };
    match result {
        Ok(mut out) => {
            strata_chart::diag::relocate(&mut out.diagnostics, prefix, &keep);
            Ok(out)
        }
        Err(e) => Err(e.relocated(prefix, &keep)),
    }
}

fn dispatch(cli: crate::Cli, sets: Vec<SetFlag>) -> Result<Outcome> {
    match cli.command {
        Command::Render(c) => render::run(c, sets),
        Command::Values(c) => values::run(c, sets),
        Command::Envs(c) => envs::run(c),
        Command::Parity(c) => parity::run(c),
        Command::Diff(c) => diff::run(c),
        Command::Promote(c) => promote::run(c),
        Command::Create(c) => create::run(c),
        Command::Completions(c) => completions::run(c),
        Command::Lint(c) => lint::run(c, sets),
        Command::Validate(c) => validate::run(c),
        Command::Schema(c) => schema::run(c),
        Command::Package(c) => package::run(c),
        Command::Dependency(crate::args::DependencyCmd::List(c)) => dependency::list(c),
    }
}

/// Load the chart a command names.
pub fn load_chart(path: &Path) -> Result<Chart> {
    let source = path.display().to_string();
    // As `lint` names them: `DIR/…` for a directory (nothing for `.`),
    // `FILE.tgz:NAME/…` for a packaged chart. A directory's prefix is
    // known before loading, so errors in its files (a bad values.yaml, an
    // `extends` cycle) are named from where strata runs too.
    if path.is_dir() {
        let prefix = if path == Path::new(".") {
            String::new()
        } else {
            format!("{}/", source.trim_end_matches('/'))
        };
        let _ = SHOWN.set(prefix);
    }
    let chart = Chart::load(path, &source)?;
    if !path.is_dir() {
        let _ = SHOWN.set(format!("{source}:{}/", chart.name()));
    }
    Ok(chart)
}

/// The values request the shared flags describe.
pub fn request(flags: &ValueFlags, sets: Vec<SetFlag>) -> Result<Request> {
    Ok(Request {
        env: flags.env.clone(),
        ..layers(&flags.layers, sets)?
    })
}

/// The `-f` files and `--set` flags as a request with no environment.
pub fn layers(flags: &LayerFlags, sets: Vec<SetFlag>) -> Result<Request> {
    let files = flags
        .values
        .iter()
        .map(|f| UserFile::read(f))
        .collect::<Result<Vec<_>>>()?;
    Ok(Request {
        env: None,
        files,
        sets,
    })
}
