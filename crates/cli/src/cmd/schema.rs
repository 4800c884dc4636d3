//! `strata schema init`: infer values.schema.json from values.yaml.

use strata_chart::chart::SCHEMA_FILE;
use strata_chart::schema_infer as infer;
use strata_chart::{Error, Result};

use crate::args::SchemaCmd;
use crate::Outcome;

pub fn run(c: SchemaCmd) -> Result<Outcome> {
    match c {
        SchemaCmd::Init(c) => {
            let chart = super::load_chart(&c.chart)?;
            let target = c.chart.join(SCHEMA_FILE);
            if target.exists() && !c.force {
                return Err(Error::Usage(format!(
                    "{} already exists; use --force to overwrite it",
                    target.display()
                )));
            }
            let text = infer::infer_text(&chart.values);
            infer::write_atomic(&target, text.as_bytes())?;
            Ok(Outcome {
                stdout: format!("wrote {}\n", target.display()),
                ..Outcome::default()
            })
        }
    }
}
