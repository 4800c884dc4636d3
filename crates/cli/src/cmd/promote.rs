//! `strata promote`: copy values from one environment into the next one's
//! values file, in place.

use strata_chart::promote::{self, PromoteRequest};
use strata_chart::value::Path;
use strata_chart::values::{self, Request};
use strata_chart::{Error, Result};
use strata_template::{Engine, RenderOptions};

use crate::args::PromoteCmd;
use crate::Outcome;

pub fn run(c: PromoteCmd) -> Result<Outcome> {
    if !c.chart.is_dir() {
        return Err(Error::Usage(format!(
            "{}: promote edits a chart directory's files; it cannot edit a packaged chart",
            c.chart.display()
        )));
    }
    let chart = super::load_chart(&c.chart)?;
    let (from, to) = promote::resolve_pair(&chart, c.from.as_deref(), c.to.as_deref())?;
    let keys: Vec<Path> = if c.keys.is_empty() {
        chart
            .environments
            .promote
            .iter()
            .map(|k| Path::parse(k))
            .collect()
    } else {
        c.keys.iter().map(|k| Path::parse(k)).collect()
    };
    let plan = promote::plan(&chart, &PromoteRequest { from, to, keys })?;
    if plan.changes.is_empty() {
        return Ok(Outcome {
            stdout: format!(
                "nothing to promote: \"{}\" already has \"{}\"'s values for {}\n",
                plan.to,
                plan.from,
                keys_list(&chart, &c.keys)
            ),
            ..Outcome::default()
        });
    }
    // The target must still render with the promoted values.
    // So must every environment that layers the edited file.
    if let Some((edited, values)) = &plan.edited {
        let engine = Engine::new(edited)?;
        let env = edited.environments.get(&plan.to)?;
        engine
            .render(edited, Some(env), values, &RenderOptions::default())
            .map_err(|e| promote::refused(e.in_env(&plan.to), &plan.to))?;
        for name in &plan.also {
            let env = edited.environments.get(name)?;
            let req = Request {
                env: Some(name.clone()),
                ..Request::default()
            };
            values::merge(edited, &req)
                .and_then(|m| {
                    engine.render(edited, Some(env), &m.values, &RenderOptions::default())
                })
                .map_err(|e| promote::refused(e.in_env(name), name))?;
        }
    }
    if c.dry_run {
        let a = if plan.created {
            "/dev/null".to_string()
        } else {
            format!("a/{}", plan.file)
        };
        // Context lines may show other secrets of the file: hidden.
        let (before, after) = promote::redacted_texts(&chart, &plan)?;
        let diff = super::diff::unified(&before, &after, &a, &format!("b/{}", plan.file), false);
        return Ok(Outcome {
            stdout: diff,
            ..Outcome::default()
        });
    }
    promote::write(&c.chart, &plan)?;
    let mut out = format!(
        "promoted {} from \"{}\" to \"{}\" in {}{}:\n",
        if plan.changes.len() == 1 {
            "1 value".to_string()
        } else {
            format!("{} values", plan.changes.len())
        },
        plan.from,
        plan.to,
        plan.file,
        if plan.created { " (new file)" } else { "" }
    );
    for ch in &plan.changes {
        out.push_str(&format!(
            "  {}: {} -> {}\n",
            ch.path,
            ch.old
                .as_ref()
                .map_or_else(|| "(absent)".to_string(), strata_chart::Value::inline),
            ch.new.inline()
        ));
    }
    if !plan.also.is_empty() {
        out.push_str(&format!(
            "{} is also a layer of {}: checked with the edit too\n",
            plan.file,
            plan.also.join(", ")
        ));
    }
    Ok(Outcome {
        stdout: out,
        ..Outcome::default()
    })
}

fn keys_list(chart: &strata_chart::chart::Chart, given: &[String]) -> String {
    let keys: Vec<&String> = if given.is_empty() {
        chart.environments.promote.iter().collect()
    } else {
        given.iter().collect()
    };
    keys.iter()
        .map(|k| k.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}
