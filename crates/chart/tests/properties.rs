//! Property-based tests of the parsers (issue #12): arbitrary input never
//! panics and finishes in bounded time; what strata writes reads back the
//! same. Fuzz targets (fuzz/) explore the same entry points for longer.

use std::io::Cursor;
use std::sync::Arc;
use std::time::{Duration, Instant};

use proptest::prelude::*;
use strata_chart::archive::{read_archive, write_archive, ChartFile, Limits};
use strata_chart::value::{Map, Node, Value};
use strata_yaml as yaml;

/// Values as values files hold them (no floats: their text form is a
/// separate concern, tested by the emitter's own tables).
fn value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::Int),
        "\\PC{0,16}".prop_map(Value::Str),
        // Strings a YAML reader would retype if left plain.
        prop::sample::select(vec![
            "yes", "on", "0755", "1e3", "null", "~", "- x", "a: b", "#c", ""
        ])
        .prop_map(|s| Value::Str(s.to_string())),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5)
                .prop_map(|v| Value::Seq(v.into_iter().map(Node::generated).collect())),
            prop::collection::vec(("[a-z][a-z0-9.-]{0,6}", inner), 0..5).prop_map(|kv| {
                let mut m = Map::default();
                for (k, v) in kv {
                    m.insert(k, Node::generated(v));
                }
                Value::Map(m)
            }),
        ]
    })
}

fn top_map() -> impl Strategy<Value = Value> {
    prop::collection::vec(("[a-z][a-z0-9]{0,6}", value()), 0..6).prop_map(|kv| {
        let mut m = Map::default();
        for (k, v) in kv {
            m.insert(k, Node::generated(v));
        }
        Value::Map(m)
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2_000))]

    /// The emitter's YAML reads back as the same values.
    #[test]
    fn yaml_round_trips(v in top_map()) {
        let text = yaml::to_yaml(&v);
        let back = yaml::load_values(&text, &Arc::from("t.yaml"))
            .map_err(|d| TestCaseError::fail(format!("{}\n{text}", d.message)))?;
        prop_assert_eq!(back.value, v, "{}", text);
    }

    /// Any text: the loader answers (a value or a diagnostic) quickly.
    #[test]
    fn yaml_loader_never_panics(s in "(\\PC|[\\n\\t ]){0,200}") {
        let start = Instant::now();
        let _ = yaml::load_values(&s, &Arc::from("t.yaml"));
        let _ = yaml::load_one(&s, &Arc::from("t.yaml"));
        prop_assert!(start.elapsed() < Duration::from_secs(2));
    }

    /// Text built from YAML's own punctuation (deeper in the grammar than
    /// random text gets).
    #[test]
    fn yaml_loader_never_panics_on_yaml_soup(
        parts in prop::collection::vec(
            prop::sample::select(vec![
                "a", ":", " ", "\n", "  ", "-", "[", "]", "{", "}", ",", "&x", "*x", "!!str",
                "'", "\"", "|", ">", "#", "?", "---", "...", "%YAML 1.2", "\t", "<<",
            ]),
            0..60,
        )
    ) {
        let s: String = parts.concat();
        let start = Instant::now();
        let _ = yaml::load_values(&s, &Arc::from("t.yaml"));
        let _ = yaml::outline(&s);
        let _ = yaml::aliased_anchors(&s);
        prop_assert!(start.elapsed() < Duration::from_secs(2));
    }

    /// Any bytes: the archive reader refuses or reads them, never panics.
    #[test]
    fn archive_reader_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..2048)) {
        let _ = read_archive(Cursor::new(bytes), &Limits::HELM);
    }

    /// What strata writes, it reads back; one flipped byte anywhere is
    /// either refused or read, never a panic.
    #[test]
    fn archives_round_trip_and_survive_corruption(
        files in prop::collection::btree_map("[a-z]{1,8}(/[a-z]{1,8}){0,2}\\.yaml", prop::collection::vec(any::<u8>(), 0..200), 1..5),
        flip in any::<prop::sample::Index>(),
        bit in 0u8..8,
    ) {
        let mut list: Vec<ChartFile> = files
            .iter()
            .map(|(p, d)| ChartFile::new(p.clone(), d.clone()))
            .collect();
        list.push(ChartFile::new("Chart.yaml", b"apiVersion: v2\nname: c\nversion: 1.0.0\n".to_vec()));
        let bytes = write_archive("c", &list).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let (top, back) = read_archive(Cursor::new(bytes.clone()), &Limits::HELM)
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(top, "c");
        for f in &list {
            let got = back.iter().find(|b| b.path == f.path).map(|b| b.data.clone());
            let mut want = f.data.clone();
            // The reader drops a leading UTF-8 BOM, as Helm's loader does.
            if want.starts_with(b"\xEF\xBB\xBF") {
                want.drain(..3);
            }
            prop_assert_eq!(got, Some(want));
        }
        let mut bad = bytes;
        let i = flip.index(bad.len());
        bad[i] ^= 1 << bit;
        let _ = read_archive(Cursor::new(bad), &Limits::HELM);
    }
}
