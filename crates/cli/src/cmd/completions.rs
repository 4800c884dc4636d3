//! `strata completions SHELL`: a completion script on stdout.

use clap::CommandFactory;
use strata_chart::Result;

use crate::args::CompletionsCmd;
use crate::Outcome;

pub fn run(c: CompletionsCmd) -> Result<Outcome> {
    let mut cmd = crate::Cli::command();
    let mut buf = Vec::new();
    clap_complete::generate(c.shell, &mut cmd, "strata", &mut buf);
    Ok(Outcome {
        stdout: String::from_utf8_lossy(&buf).into_owned(),
        ..Outcome::default()
    })
}
