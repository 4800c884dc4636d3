//! Any text as a chart's one Jinja template, rendered under the budget:
//! an error or documents, never a panic, an abort or a hang.
#![no_main]

use std::collections::BTreeMap;

use libfuzzer_sys::fuzz_target;
use strata_chart::chart::Chart;
use strata_template::{Engine, RenderOptions};

fuzz_target!(|data: &[u8]| {
    let mut files: BTreeMap<String, Vec<u8>> = BTreeMap::new();
    files.insert(
        "Chart.yaml".into(),
        b"apiVersion: v2\nname: fz\nversion: 1.0.0\nannotations:\n  strata.dev/templates: jinja\n".to_vec(),
    );
    files.insert("values.yaml".into(), b"name: x\nlist: [1, 2]\nmap: {a: b}\n".to_vec());
    files.insert("templates/t.yaml".into(), data.to_vec());
    let Ok(chart) = Chart::from_files(files, "fz") else {
        return;
    };
    let Ok(engine) = Engine::new(&chart) else {
        return;
    };
    let _ = engine.render(&chart, None, &chart.values, &RenderOptions::default());
});
