//! The fast reader against saphyr-parser: whatever it reads to the end, it
//! must read exactly as saphyr does (same events, same positions).

use super::*;
use proptest::prelude::*;
use proptest::sample::Index;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use saphyr_parser::{Event, Parser};

/// An event with the position the loader uses (nodes' starts).
type Seen = (String, u32, u32);

fn seen(ev: &Ev, at: Pos) -> Seen {
    let node = matches!(
        ev,
        Ev::Scalar { .. } | Ev::MappingStart { .. } | Ev::SequenceStart { .. } | Ev::Alias(_)
    );
    if node {
        (format!("{ev:?}"), at.line, at.col)
    } else {
        (format!("{ev:?}"), 0, 0)
    }
}

fn by_saphyr(src: &str) -> Result<Vec<Seen>, String> {
    let mut out = Vec::new();
    let mut p = Parser::new_from_str(src);
    loop {
        match p.next_event() {
            Some(Ok((ev, sp))) => {
                let end = matches!(ev, Event::StreamEnd);
                if let Some(ev) = Ev::from_saphyr(ev) {
                    out.push(seen(&ev, Pos::of(&sp.start)));
                }
                if end {
                    return Ok(out);
                }
            }
            Some(Err(e)) => return Err(format!("{e:?}")),
            None => return Err("no StreamEnd".into()),
        }
    }
}

fn by_fast(src: &str) -> Option<Vec<Seen>> {
    let mut out = Vec::new();
    let mut f = Fast::new(src);
    loop {
        let (ev, at) = f.next()?;
        let end = matches!(ev, Ev::StreamEnd);
        out.push(seen(&ev, at));
        if end {
            return Some(out);
        }
    }
}

/// Check `manifest_head` on one text against the loader: its answer, and
/// that of its first path (the line walk of [`head`]), must be `None` or
/// what the loader reads. True when the first path answered.
fn head_agrees(src: &str) -> bool {
    let want = crate::load::tests::head_by_loader(src);
    let fast = head(src);
    if fast.is_some() {
        assert_eq!(fast, want, "the fast manifest head disagrees on:\n{src}");
    }
    let head = crate::manifest_head(src);
    if head.is_some() {
        assert_eq!(head, want, "manifest_head disagrees on:\n{src}");
    }
    fast.is_some()
}

/// Check one text; true when the fast reader took it.
fn agrees(src: &str) -> bool {
    match by_fast(src) {
        None => false,
        Some(fast) => {
            let slow = by_saphyr(src);
            assert_eq!(
                Ok(&fast),
                slow.as_ref(),
                "the fast reader disagrees on:\n{src}"
            );
            true
        }
    }
}

#[test]
fn reads_the_usual_block_yaml() {
    let texts = [
        "a: 1\nb: two\n",
        "a:\nb: 1\nc:\n  - x\n  -\n  - k: v\n    j:\n  - y\nd:\n- 1\ne: {}\nf: []\ng: \"q\"   # c\nh:   \n\n",
        "a: 1\nd:\n-\n- 2\ne:\n-   # c\n- 3\nf: x # c\ng:\n\n  # c\n  k: v\n",
        "h: \"a\\tb\\u00e9\\\"\\\\\"\ni: 'it''s'\n\"q k\": 1\n'single': x\n",
        "# head\n---\nkey: value\n",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  labels:\n    app.kubernetes.io/name: web\n    helm.sh/chart: \"api-1.0.0\"\nspec:\n  template:\n    spec:\n      containers:\n        - name: web\n          image: \"r/x:1.2\"\n          env:\n            - name: \"A\"\n              value: \"1\"\n          ports:\n            - containerPort: 8080\n              protocol: TCP\n",
        "url: http://x:8080/a#b\nlist:\n  - a,b\n  - x]y\nweird key with spaces : v\nk: v  \n",
        "a:\n  b:\n    c:\n      d: 1\n  e: 2\nf: 3\n",
        "a:\n  -\n    b: 1\n  -\n    - x\n",
        "k: é # comment é\n",
        "kéy: 1\n",
        "\"é\": 1\nb: \"ü\"\n",
        "s:\n- a\n- b\nt: 1\n",
        "- a\n",
        "a: -1\nb: -.5\nc: ~\nd: null\ne: 0x1F\nf: :x\ng: ?y\n",
        "a: b:c\nd: \"x\" # c\n",
        "m:\n  - k: v\n    l:\n    - 1\n    - 2\n  - z\n",
    ];
    let mut taken = 0;
    for t in texts {
        let took = agrees(t);
        if !took {
            eprintln!("not taken: {t:?}");
        }
        taken += usize::from(took);
    }
    // All but the top-level list are in the subset.
    assert_eq!(taken, texts.len() - 1);
}

#[test]
fn leaves_everything_else_to_saphyr() {
    let texts = [
        "",
        "# only a comment\n",
        "a:\tb\n",
        "a: 1\r\nb: 2\r\n",
        "a: &x 1\nb: *x\n",
        "a: !!str 1\n",
        "a: [1, 2]\n",
        "a: {b: 1}\n",
        "a: |\n  text\n",
        "a: >-\n  text\n",
        "a: multi\n  line\n",
        "a: \"multi\n  line\"\n",
        "? a\n: b\n",
        "%YAML 1.2\n---\na: 1\n",
        "a: 1\n---\nb: 2\n",
        "a: 1\n...\n",
        "a: b: c\n",
        "a: - b\n",
        "- - a\n",
        "a:\n  b: 1\n c: 2\n",
        "a: 1\n  b: 2\n",
        "a: \"\\N\"\n",
        "a: x\u{85}y\n",
        "a: 'unterminated\n",
        "a:\n  x\n",
        "a: @x\n",
        "a: `x\n",
    ];
    for t in texts {
        assert!(by_fast(t).is_none(), "the fast reader took {t:?}");
    }
}

/// Every YAML file of the repository, and each document of the
/// multi-document ones (rendered goldens).
fn corpus() -> Vec<String> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut files = Vec::new();
    let mut dirs = vec![root.join("charts"), root.join("tests"), root.join("docs")];
    while let Some(dir) = dirs.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                dirs.push(p);
            } else if matches!(
                p.extension().and_then(|x| x.to_str()),
                Some("yaml" | "yml" | "golden" | "md")
            ) {
                if let Ok(text) = std::fs::read_to_string(&p) {
                    files.push(text);
                }
            }
        }
    }
    files.sort();
    let mut out = Vec::new();
    for f in files {
        for doc in f.split("\n---\n") {
            out.push(doc.to_string());
        }
        out.push(f);
    }
    out
}

#[test]
fn agrees_with_saphyr_on_the_repository() {
    let corpus = corpus();
    assert!(corpus.len() > 100, "corpus not found: {}", corpus.len());
    let taken = corpus.iter().filter(|t| agrees(t)).count();
    // The fast reader must actually read most of our own YAML.
    eprintln!("corpus: took {taken} of {}", corpus.len());
    assert!(
        taken * 3 > corpus.len(),
        "took only {taken} of {}",
        corpus.len()
    );
}

#[test]
fn manifest_head_agrees_with_the_loader_on_the_repository() {
    let corpus = corpus();
    let heads = corpus.iter().filter(|t| head_agrees(t)).count();
    eprintln!(
        "corpus: manifest head by the fast reader on {heads} of {}",
        corpus.len()
    );
    assert!(heads * 4 > corpus.len(), "only {heads} of {}", corpus.len());
}

/// The rendered manifests of the goldens, one document each, as
/// `output::split` hands them to `manifest_head`.
fn golden_manifests() -> Vec<String> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/golden");
    let mut files = Vec::new();
    let mut dirs = vec![root];
    while let Some(dir) = dirs.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
            if p.is_dir() {
                dirs.push(p);
            } else if name.starts_with("render") && name.ends_with(".yaml") {
                if let Ok(text) = std::fs::read_to_string(&p) {
                    files.push(text);
                }
            }
        }
    }
    files.sort();
    let mut out = Vec::new();
    for f in files {
        for doc in f.split("\n---\n") {
            let doc = doc.strip_prefix("---\n").unwrap_or(doc);
            if !doc.trim().is_empty() {
                out.push(format!("{}\n", doc.trim_end()));
            }
        }
    }
    out
}

/// The point of the fast path: ordinary rendered manifests take it.
#[test]
fn manifest_head_takes_the_fast_path_for_rendered_manifests() {
    let docs = golden_manifests();
    assert!(docs.len() > 20, "goldens not found: {}", docs.len());
    let mut fast = 0;
    for doc in &docs {
        if by_fast(doc).is_some() {
            assert!(head_agrees(doc), "the fast manifest head declined:\n{doc}");
            fast += 1;
        } else {
            head_agrees(doc);
        }
    }
    eprintln!(
        "goldens: {fast} of {} documents in the fast reader's subset",
        docs.len()
    );
    assert!(fast * 10 >= docs.len() * 9, "only {fast} of {}", docs.len());
}

/// Generated inputs, run through proptest's runner: deterministic (the
/// same cases every run), shrunk to a small failing input when a property
/// fails, and counted, so a test can also check how many the fast reader
/// took (a generator that stops reaching it would otherwise pass silently).
fn run_counted<S: Strategy>(
    cases: u32,
    strategy: S,
    check: impl FnMut(S::Value) -> (bool, bool),
) -> (usize, usize, usize)
where
    S::Value: std::fmt::Debug,
{
    let mut runner = TestRunner::new_with_rng(
        Config {
            cases,
            failure_persistence: None,
            ..Config::default()
        },
        TestRng::deterministic_rng(RngAlgorithm::ChaCha),
    );
    let counts = std::cell::Cell::new((0usize, 0usize, 0usize));
    let check = std::cell::RefCell::new(check);
    let result = runner.run(&strategy, |v| {
        let (a, b) = (check.borrow_mut())(v);
        let (n, x, y) = counts.get();
        counts.set((n + 1, x + usize::from(a), y + usize::from(b)));
        Ok(())
    });
    if let Err(e) = result {
        panic!("{e}");
    }
    counts.get()
}

const BITS: &[&str] = &[
    "\"", "'", ":", ": ", "-", "- ", "#", " #", "{", "}", "[", "]", "{}", "[]", ",", "&", "*", "!",
    "|", ">", "?", "%", "@", "\\", "\\u00e9", "\\x4", "\t", "\n", " ", "  ", "a", "1", "é", "---",
    "\n---\n", "\n  ", "\n- ", "\nk: ", "''", "\"\"", "~",
];

/// One edit of a text: delete a character, indent or dedent a line, or
/// insert one of [`BITS`], at a position.
#[derive(Clone, Debug)]
enum Edit {
    Delete(Index),
    Indent(Index, bool),
    Insert(Index, Index),
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        any::<Index>().prop_map(Edit::Delete),
        (any::<Index>(), any::<bool>()).prop_map(|(i, more)| Edit::Indent(i, more)),
        (any::<Index>(), any::<Index>()).prop_map(|(i, b)| Edit::Insert(i, b)),
        (any::<Index>(), any::<Index>()).prop_map(|(i, b)| Edit::Insert(i, b)),
    ]
}

fn mutate(src: &str, edits: &[Edit]) -> String {
    let mut s: Vec<char> = src.chars().collect();
    for e in edits {
        match e {
            Edit::Delete(i) => {
                if !s.is_empty() {
                    s.remove(i.index(s.len()));
                }
            }
            Edit::Indent(i, more) => {
                let at = i.index(s.len() + 1);
                let start = s[..at]
                    .iter()
                    .rposition(|c| *c == '\n')
                    .map_or(0, |p| p + 1);
                if *more {
                    s.insert(start, ' ');
                } else if s.get(start) == Some(&' ') {
                    s.remove(start);
                }
            }
            Edit::Insert(i, b) => {
                let at = i.index(s.len() + 1);
                for (k, c) in BITS[b.index(BITS.len())].chars().enumerate() {
                    s.insert(at + k, c);
                }
            }
        }
    }
    s.into_iter().collect()
}

#[test]
fn agrees_with_saphyr_on_mutations() {
    let mut seeds: Vec<String> = corpus()
        .into_iter()
        .filter(|t| t.len() < 4000 && by_fast(t).is_some())
        .collect();
    seeds.push("a:\nb: 1\nc:\n  - x\n  -\n  - k: v\n    j:\n  - y\nd:\n- 1\ne: {}\nf: []\ng: \"q\"   # c\nh:   \n".into());
    seeds.push("m:\n  - k: v\n    l:\n    - 1\n    - 2\n  - z\n".into());
    let strategy = (any::<Index>(), proptest::collection::vec(edit(), 1..=3));
    let (tried, taken, heads) = run_counted(20_000, strategy, |(seed, edits)| {
        let m = mutate(&seeds[seed.index(seeds.len())], &edits);
        (agrees(&m), head_agrees(&m))
    });
    eprintln!("mutations: took {taken} of {tried}, manifest head by the fast reader {heads}");
    assert!(
        taken > tried / 10,
        "the fast reader took only {taken} of {tried} mutations"
    );
    assert!(
        heads > tried / 10,
        "the fast manifest head took only {heads} of {tried} mutations"
    );
}

/// Random documents from a grammar of the lines YAML files are made of, at
/// random indentations: most are not valid YAML, and the fast reader must
/// then decline; whatever it reads must be read the same by saphyr.
#[test]
fn agrees_with_saphyr_on_random_line_soup() {
    const KEYS: &[&str] = &[
        "a", "b", "key", "\"q k\"", "'s k'", "x.y/z", "-k", "k:k", "é", "1", "null", "<<", "a b",
    ];
    let (total, taken, _) = run_counted(20_000, line_soup(KEYS), |doc| (agrees(&doc), false));
    eprintln!("line soup: took {taken} of {total}");
    assert!(
        taken > total / 20,
        "the fast reader took only {taken} of {total}"
    );
}

/// The same with the keys a manifest head reads, at any level: the head
/// read by the fast reader agrees with the loader's reading.
#[test]
fn manifest_head_agrees_with_the_loader_on_random_line_soup() {
    const KEYS: &[&str] = &[
        "apiVersion",
        "kind",
        "metadata",
        "name",
        "namespace",
        "annotations",
        "helm.sh/hook",
        "\"kind\"",
        "'name'",
        "\"helm.sh/hook\"",
        "a",
        "\"q k\"",
        "1",
        "null",
        "<<",
    ];
    let (total, _, heads) = run_counted(20_000, line_soup(KEYS), |doc| {
        (agrees(&doc), head_agrees(&doc))
    });
    eprintln!("line soup: manifest head by the fast reader on {heads} of {total}");
    assert!(heads > total / 40, "only {heads} of {total}");
}

/// Random documents of 1 to 10 lines with `keys` (see above), each line
/// at a mostly plausible indentation: the previous line's, two more, any
/// shallower even one, sometimes odd.
fn line_soup(keys: &'static [&'static str]) -> impl Strategy<Value = String> {
    const VALUES: &[&str] = &[
        "1",
        "x",
        "\"d q\"",
        "'s q'",
        "{}",
        "[]",
        "http://h:1/p",
        "a#b",
        "a #c",
        "-1",
        ":x",
        "\"esc\\n\\u00e9\"",
        "''",
        "\"\"",
        "~",
        "a,b",
        "x]",
        "é",
        "a:",
        "'it''s'",
        "\"a\" b",
    ];
    let line = (
        0usize..10,
        any::<Index>(),
        any::<Index>(),
        any::<Index>(),
        0usize..8,
    );
    proptest::collection::vec(line, 1..=10).prop_map(move |lines| {
        let mut doc = String::new();
        let mut indent = 0;
        for (how, r, key, value, shape) in lines {
            indent = match how {
                0..=3 => indent,
                4..=6 => indent + 2,
                7 | 8 => 2 * r.index(indent / 2 + 1),
                _ => r.index(7),
            };
            doc.push_str(&" ".repeat(indent));
            let key = keys[key.index(keys.len())];
            let value = VALUES[value.index(VALUES.len())];
            match shape {
                0 => doc.push_str(&format!("{key}:\n")),
                1 => doc.push_str(&format!("- {value}\n")),
                2 => doc.push_str("-\n"),
                3 => doc.push_str(&format!("- {key}: {value}\n")),
                4 => doc.push_str("# comment\n"),
                5 => doc.push('\n'),
                _ => doc.push_str(&format!("{key}: {value}\n")),
            }
        }
        doc
    })
}
