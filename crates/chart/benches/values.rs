//! Micro-benchmarks of the values pipeline: YAML loading with positions, the
//! layered merge of one environment (`values::merge`), and `--set` parsing.
//!
//! Run with `cargo bench -p strata-chart --bench values`. The synthetic chart
//! has the shape of bench/gen.py's: N apps under `apps`, an environment that
//! touches a third of them, and a `-f` file and `--set` flags on top.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Arc;

use strata_chart::chart::Chart;
use strata_chart::strvals::{self, SetKind};
use strata_chart::values::{self, Request, SetFlag, UserFile};
use strata_chart::Map;
use strata_yaml as yaml;

fn main() {
    divan::main();
}

fn app_values(out: &mut String, n: usize) {
    out.push_str("defaults:\n  replicas: 1\n  resources:\n    requests: {cpu: 50m, memory: 64Mi}\n    limits: {cpu: 200m, memory: 128Mi}\napps:\n");
    for i in 1..=n {
        let _ = write!(
            out,
            "  app{i:04}:\n    image: team{}/service-{i:04}\n    port: {}\n    env:\n",
            i % 7,
            8000 + i % 100
        );
        for (k, v) in [
            ("log_level", "info"),
            ("region", "eu-west-1"),
            ("feature_flags", "search,checkout"),
            ("cache_ttl", "300"),
            ("upstream_url", "http://svc:8080"),
        ] {
            let _ = writeln!(out, "      - name: {k}\n        value: \"{v}\"");
        }
        if i % 6 == 0 {
            out.push_str("    resources:\n      requests: {cpu: 250m, memory: 256Mi}\n      limits: {cpu: 1, memory: 512Mi}\n");
        }
    }
}

fn overrides(n: usize, every: usize, what: &str) -> String {
    let mut out = String::from("apps:\n");
    for i in (1..=n).filter(|i| i % every == 0) {
        let _ = writeln!(out, "  app{i:04}:\n    {what}");
    }
    out
}

fn chart(n: usize) -> Chart {
    let mut values = String::new();
    app_values(&mut values, n);
    let mut files = BTreeMap::new();
    files.insert(
        "Chart.yaml".to_string(),
        b"apiVersion: v2\nname: bench\nversion: 0.1.0\n".to_vec(),
    );
    files.insert("values.yaml".to_string(), values.into_bytes());
    files.insert(
        "environments/prod.yaml".to_string(),
        overrides(n, 3, "tag: prod-1").into_bytes(),
    );
    Chart::from_files(files, "bench").expect("the synthetic chart loads")
}

const SIZES: [usize; 3] = [10, 100, 1000];

/// Parse values.yaml of N apps into a positioned values tree.
#[divan::bench(args = SIZES)]
fn load_values(bencher: divan::Bencher, n: usize) {
    let mut text = String::new();
    app_values(&mut text, n);
    let file: Arc<str> = Arc::from("values.yaml");
    bencher
        .counter(divan::counter::BytesCount::of_str(&text))
        .bench(|| yaml::load_values(divan::black_box(&text), &file).ok());
}

/// values.yaml → environment → one `-f` file → two `--set` flags, coalesced.
#[divan::bench(args = SIZES)]
fn merge_environment(bencher: divan::Bencher, n: usize) {
    let chart = chart(n);
    let req = Request {
        env: Some("prod".to_string()),
        files: vec![UserFile {
            name: "release.yaml".to_string(),
            bytes: overrides(n, 2, "replicas: 5").into_bytes(),
        }],
        sets: vec![
            SetFlag {
                kind: SetKind::Set,
                arg: "defaults.replicas=2,apps.app0001.port=9000".to_string(),
            },
            SetFlag {
                kind: SetKind::SetString,
                arg: "apps.app0002.tag=2.0.0".to_string(),
            },
        ],
    };
    bencher.bench(|| values::merge(divan::black_box(&chart), &req).map(|m| m.values));
}

/// One `--set` argument of each shape.
#[divan::bench(args = [
    "image.tag=1.2.3",
    "a.b.c.d.e=1,f.g=true,h=null",
    "list[0].name=x,list[1].name=y,list[2].value=3",
    "tolerations={a,b,c,d,e,f,g,h}",
    "annotations.prometheus\\.io/scrape=true",
])]
fn set_parse(arg: &str) -> Map {
    let mut target = Map::default();
    let mut read = |_: &str| -> std::io::Result<String> { Ok(String::new()) };
    let _ = strvals::apply(&mut target, SetKind::Set, divan::black_box(arg), &mut read);
    target
}

/// N `--set` flags applied in order, as a CI job passing many flags does.
#[divan::bench(args = SIZES)]
fn set_many(bencher: divan::Bencher, n: usize) {
    let args: Vec<String> = (0..n)
        .map(|i| {
            format!(
                "apps.app{i:04}.image.tag=1.{i}.0,apps.app{i:04}.replicas={}",
                i % 5
            )
        })
        .collect();
    bencher.bench(|| {
        let mut target = Map::default();
        let mut read = |_: &str| -> std::io::Result<String> { Ok(String::new()) };
        for a in &args {
            let _ = strvals::apply(&mut target, SetKind::Set, a, &mut read);
        }
        target
    });
}
