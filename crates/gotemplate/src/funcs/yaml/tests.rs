//! toYaml and fromYaml against helm 4.1.4's own output. Every expected
//! text here was printed by a real helm (probe charts rendering
//! `toYaml` of these values through `b64enc`), unless a comment says
//! otherwise.

use super::*;

fn m(entries: &[(&str, Value)]) -> Value {
    Value::map(
        entries
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect(),
    )
}

/// Helm's toYaml: the marshalled text without its final newline.
fn helm_to_yaml(v: &Value) -> String {
    let s = to_yaml(v).unwrap();
    s.strip_suffix('\n').unwrap_or(&s).to_string()
}

#[test]
fn strings_as_helm_quotes_them() {
    let long = "this is a long string with many words that goes on and on and on past the eighty column limit of the emitter yes";
    // (string, as a map value, as a list item, as a key, at the top)
    let cases: &[(&str, &str, &str, &str, &str)] = &[
        ("yes", "k: \"yes\"", "- \"yes\"", "\"yes\": 1", "\"yes\""),
        ("1", "k: \"1\"", "- \"1\"", "\"1\": 1", "\"1\""),
        ("true", "k: \"true\"", "- \"true\"", "\"true\": 1", "\"true\""),
        ("", "k: \"\"", "- \"\"", "\"\": 1", "\"\""),
        ("*", "k: '*'", "- '*'", "'*': 1", "'*'"),
        ("-", "k: '-'", "- '-'", "'-': 1", "'-'"),
        ("<<", "k: <<", "- <<", "<<: 1", "<<"),
        ("~", "k: \"~\"", "- \"~\"", "\"~\": 1", "\"~\""),
        ("null", "k: \"null\"", "- \"null\"", "\"null\": 1", "\"null\""),
        ("2020-01-01", "k: \"2020-01-01\"", "- \"2020-01-01\"", "\"2020-01-01\": 1", "\"2020-01-01\""),
        ("1:20", "k: \"1:20\"", "- \"1:20\"", "\"1:20\": 1", "\"1:20\""),
        ("0755", "k: \"0755\"", "- \"0755\"", "\"0755\": 1", "\"0755\""),
        ("08", "k: \"08\"", "- \"08\"", "\"08\": 1", "\"08\""),
        ("1e3", "k: \"1e3\"", "- \"1e3\"", "\"1e3\": 1", "\"1e3\""),
        (".5", "k: \".5\"", "- \".5\"", "\".5\": 1", "\".5\""),
        (".", "k: .", "- .", ".: 1", "."),
        ("-5", "k: \"-5\"", "- \"-5\"", "\"-5\": 1", "\"-5\""),
        ("+1", "k: \"+1\"", "- \"+1\"", "\"+1\": 1", "\"+1\""),
        ("0x1F", "k: \"0x1F\"", "- \"0x1F\"", "\"0x1F\": 1", "\"0x1F\""),
        ("0b101", "k: \"0b101\"", "- \"0b101\"", "\"0b101\": 1", "\"0b101\""),
        ("1_000", "k: \"1_000\"", "- \"1_000\"", "\"1_000\": 1", "\"1_000\""),
        ("a: b", "k: 'a: b'", "- 'a: b'", "'a: b': 1", "'a: b'"),
        ("a #b", "k: 'a #b'", "- 'a #b'", "'a #b': 1", "'a #b'"),
        ("#a", "k: '#a'", "- '#a'", "'#a': 1", "'#a'"),
        ("a#b", "k: a#b", "- a#b", "a#b: 1", "a#b"),
        ("key:", "k: 'key:'", "- 'key:'", "'key:': 1", "'key:'"),
        (":x", "k: :x", "- :x", ":x: 1", ":x"),
        ("-x", "k: -x", "- -x", "-x: 1", "-x"),
        ("- x", "k: '- x'", "- '- x'", "'- x': 1", "'- x'"),
        ("?x", "k: ?x", "- ?x", "?x: 1", "?x"),
        ("? x", "k: '? x'", "- '? x'", "'? x': 1", "'? x'"),
        ("@a", "k: '@a'", "- '@a'", "'@a': 1", "'@a'"),
        ("`a", "k: '`a'", "- '`a'", "'`a': 1", "'`a'"),
        ("%a", "k: '%a'", "- '%a'", "'%a': 1", "'%a'"),
        ("!a", "k: '!a'", "- '!a'", "'!a': 1", "'!a'"),
        ("&a", "k: '&a'", "- '&a'", "'&a': 1", "'&a'"),
        ("|a", "k: '|a'", "- '|a'", "'|a': 1", "'|a'"),
        (">a", "k: '>a'", "- '>a'", "'>a': 1", "'>a'"),
        ("'a", "k: '''a'", "- '''a'", "'''a': 1", "'''a'"),
        ("\"a", "k: '\"a'", "- '\"a'", "'\"a': 1", "'\"a'"),
        ("a'b", "k: a'b", "- a'b", "a'b: 1", "a'b"),
        ("a\"b", "k: a\"b", "- a\"b", "a\"b: 1", "a\"b"),
        ("[a", "k: '[a'", "- '[a'", "'[a': 1", "'[a'"),
        ("a]", "k: a]", "- a]", "a]: 1", "a]"),
        ("{a", "k: '{a'", "- '{a'", "'{a': 1", "'{a'"),
        ("a,b", "k: a,b", "- a,b", "a,b: 1", "a,b"),
        (" lead", "k: ' lead'", "- ' lead'", "' lead': 1", "' lead'"),
        ("trail ", "k: 'trail '", "- 'trail '", "'trail ': 1", "'trail '"),
        ("a\tb", "k: \"a\\tb\"", "- \"a\\tb\"", "\"a\\tb\": 1", "\"a\\tb\""),
        ("x\ny", "k: |-\n  x\n  y", "- |-\n  x\n  y", "? |-\n  x\n  y\n: 1", "|-\n  x\n  y"),
        ("x\ny\n", "k: |\n  x\n  y", "- |\n  x\n  y", "? |\n  x\n  y\n: 1", "|\n  x\n  y"),
        ("x\ny\n\n", "k: |+\n  x\n  y\n", "- |+\n  x\n  y\n", "? |+\n  x\n  y\n\n: 1", "|+\n  x\n  y\n"),
        ("\n", "k: |2+\n", "- |2+\n", "? |2+\n\n: 1", "|2+\n"),
        (" x\ny", "k: |2-\n   x\n  y", "- |2-\n   x\n  y", "? |2-\n   x\n  y\n: 1", "|2-\n   x\n  y"),
        ("x \ny", "k: \"x \\ny\"", "- \"x \\ny\"", "? \"x \\ny\"\n: 1", "\"x \\ny\""),
        ("x\n y", "k: |-\n  x\n   y", "- |-\n  x\n   y", "? |-\n  x\n   y\n: 1", "|-\n  x\n   y"),
        ("é", "k: é", "- é", "é: 1", "é"),
        ("😀", "k: \"\\U0001F600\"", "- \"\\U0001F600\"", "\"\\U0001F600\": 1", "\"\\U0001F600\""),
        ("\u{a0}", "k: \u{a0}", "- \u{a0}", "\u{a0}: 1", "\u{a0}"),
        ("---", "k: '---'", "- '---'", "'---': 1", "'---'"),
        ("...", "k: '...'", "- '...'", "'...': 1", "'...'"),
        ("--- x", "k: '--- x'", "- '--- x'", "'--- x': 1", "'--- x'"),
        ("y", "k: \"y\"", "- \"y\"", "\"y\": 1", "\"y\""),
        ("n", "k: \"n\"", "- \"n\"", "\"n\": 1", "\"n\""),
        ("N", "k: \"N\"", "- \"N\"", "\"N\": 1", "\"N\""),
        ("on", "k: \"on\"", "- \"on\"", "\"on\": 1", "\"on\""),
        ("Off", "k: \"Off\"", "- \"Off\"", "\"Off\": 1", "\"Off\""),
        ("nan", "k: nan", "- nan", "nan: 1", "nan"),
        (".nan", "k: \".nan\"", "- \".nan\"", "\".nan\": 1", "\".nan\""),
        (".inf", "k: \".inf\"", "- \".inf\"", "\".inf\": 1", "\".inf\""),
        ("-.inf", "k: \"-.inf\"", "- \"-.inf\"", "\"-.inf\": 1", "\"-.inf\""),
        ("NULL", "k: \"NULL\"", "- \"NULL\"", "\"NULL\": 1", "\"NULL\""),
        ("True", "k: \"True\"", "- \"True\"", "\"True\": 1", "\"True\""),
        ("tRue", "k: tRue", "- tRue", "tRue: 1", "tRue"),
        ("=", "k: =", "- =", "=: 1", "="),
        ("1.5.3", "k: 1.5.3", "- 1.5.3", "1.5.3: 1", "1.5.3"),
        ("1e", "k: 1e", "- 1e", "1e: 1", "1e"),
        ("0o17", "k: \"0o17\"", "- \"0o17\"", "\"0o17\": 1", "\"0o17\""),
        ("1.", "k: \"1.\"", "- \"1.\"", "\"1.\": 1", "\"1.\""),
        ("-0", "k: \"-0\"", "- \"-0\"", "\"-0\": 1", "\"-0\""),
        ("+.5", "k: \"+.5\"", "- \"+.5\"", "\"+.5\": 1", "\"+.5\""),
        (
            long,
            "k: this is a long string with many words that goes on and on and on past the eighty\n  column limit of the emitter yes",
            "- this is a long string with many words that goes on and on and on past the eighty\n  column limit of the emitter yes",
            "this is a long string with many words that goes on and on and on past the eighty column limit of the emitter yes: 1",
            "this is a long string with many words that goes on and on and on past the eighty column\n  limit of the emitter yes",
        ),
    ];
    for (text, as_value, as_item, as_key, at_top) in cases {
        let v = Value::str(text);
        assert_eq!(
            helm_to_yaml(&m(&[("k", v.clone())])),
            *as_value,
            "value {text:?}"
        );
        assert_eq!(
            helm_to_yaml(&Value::list(vec![v.clone()])),
            *as_item,
            "item {text:?}"
        );
        assert_eq!(
            helm_to_yaml(&m(&[(text, Value::Int(1))])),
            *as_key,
            "key {text:?}"
        );
        assert_eq!(helm_to_yaml(&v), *at_top, "top {text:?}");
    }
    // A NEL goes through JSON raw and go-yaml folds it: "a b" (verified).
    assert_eq!(helm_to_yaml(&m(&[("k", Value::str("a\u{85}b"))])), "k: a b");
    // ... and as a key it makes the whole marshal fail: toYaml gives "".
    assert!(to_yaml(&m(&[("a\u{85}b", Value::Int(1))])).is_err());
}

/// The values file of the probe (read by helm as YAML 1.1, through JSON)
/// and helm's `toYaml .Values`.
const PROBE_VALUES: &str = r#"ints: [1, -3, 0, 1234567890123, 12345678901234567890, 100000000000000000000, 1e3, 0x10, 0755, 1_000]
floats: [1.5, 1234567.5, 0.1, 0.000001, 0.0000001, 1.0e-10, 3.0, -0.0, 1e21, 1.5e300]
bools: [yes, no, on, off, y, n, true, False]
nul: [~, null, ]
nested:
  a: {}
  b: []
  c: [[1, 2], [], [[x]], {p: q, r: [s]}]
  "yes": key
  on: onkey
  1: intkey
  1.5: fkey
  z10: 1
  z9: 2
  Z: 3
  _u: 4
  a_b: 5
  ab: 6
  A: 7
  "a10b": 8
  "a010b": 9
  "a2b": 10
  "10": 11
  "9": 12
  "": 13
  é: 14
  "-": 15
date: 2020-01-01
long: "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa bbbb cccc"
longq: "yes this is a long string that needs quoting: because of colon space and it is long enough to wrap the line"
longdq: "\ttab and a long string that needs double quoting because of the tab character at the start of it ok"
"#;

const PROBE_YAML: &str = r#"bools:
- true
- false
- true
- false
- true
- false
- true
- false
date: "2020-01-01"
floats:
- 1.5
- 1.2345675e+06
- 0.1
- 1e-06
- 1e-07
- 1e-10
- 3
- 0
- 1e+21
- 1.5e+300
ints:
- 1
- -3
- 0
- 1234567890123
- 12345678901234567000
- 1e+20
- 1000
- 16
- 493
- 1000
long: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
  bbbb cccc
longdq: "\ttab and a long string that needs double quoting because of the tab character
  at the start of it ok"
longq: 'yes this is a long string that needs quoting: because of colon space and it
  is long enough to wrap the line'
nested:
  "": 13
  '-': 15
  _u: 4
  "1": intkey
  "1.5": fkey
  "9": 12
  "10": 11
  A: 7
  Z: 3
  a: {}
  a_b: 5
  a2b: 10
  a10b: 8
  a010b: 9
  ab: 6
  b: []
  c:
  - - 1
    - 2
  - []
  - - - x
  - p: q
    r:
    - s
  "true": onkey
  "yes": key
  z9: 2
  z10: 1
  é: 14
nul:
- null
- null"#;

const PROBE_JSON: &str = r#"{"bools":[true,false,true,false,true,false,true,false],"date":"2020-01-01","floats":[1.5,1234567.5,0.1,0.000001,1e-7,1e-10,3,-0,1e+21,1.5e+300],"ints":[1,-3,0,1234567890123,12345678901234567000,100000000000000000000,1000,16,493,1000],"long":"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa bbbb cccc","longdq":"\ttab and a long string that needs double quoting because of the tab character at the start of it ok","longq":"yes this is a long string that needs quoting: because of colon space and it is long enough to wrap the line","nested":{"":13,"-":15,"1":"intkey","1.5":"fkey","10":11,"9":12,"A":7,"Z":3,"_u":4,"a":{},"a010b":9,"a10b":8,"a2b":10,"a_b":5,"ab":6,"b":[],"c":[[1,2],[],[["x"]],{"p":"q","r":["s"]}],"true":"onkey","yes":"key","z10":1,"z9":2,"é":14},"nul":[null,null]}"#;

#[test]
fn values_read_and_written_as_helm_does() {
    let v = from_yaml(PROBE_VALUES).unwrap();
    assert_eq!(helm_to_yaml(&v), PROBE_YAML);
    assert_eq!(
        crate::funcs::json::encode(&v, false, true).unwrap(),
        PROBE_JSON
    );
}

#[test]
fn reading_yaml_1_1() {
    let v = from_yaml(
        "a: &x {b: 1}\nc: *x\nd:\n  <<: *x\n  e: 2\nf: !!str 123\ng: 0o17\nh: |\n  text\n",
    )
    .unwrap();
    assert_eq!(
        crate::funcs::json::encode(&v, false, true).unwrap(),
        r#"{"a":{"b":1},"c":{"b":1},"d":{"b":1,"e":2},"f":"123","g":15,"h":"text\n"}"#
    );
    assert!(matches!(from_yaml("").unwrap(), Value::Nil));
    assert!(matches!(
        from_yaml("# only a comment\n").unwrap(),
        Value::Nil
    ));
    assert_eq!(
        from_yaml("a: .inf").unwrap_err(),
        "error converting YAML to JSON: json: unsupported value: +Inf"
    );
    // Only the first document is read.
    let v = from_yaml("a: 1\n---\nb: 2\n").unwrap();
    assert_eq!(
        crate::funcs::json::encode(&v, false, true).unwrap(),
        r#"{"a":1}"#
    );
    assert!(from_yaml("a: [1, 2")
        .unwrap_err()
        .starts_with("error converting YAML to JSON: yaml: line "));
}

#[test]
fn key_order_is_go_yamls() {
    let mut keys = vec![
        "a10b", "a2b", "ab", "a_b", "_u", "1", "10", "9", "A", "Z", "a", "", "-", "a010b", "é",
        "z10", "z9",
    ];
    keys.sort_by(|a, b| key_order(a, b));
    assert_eq!(
        keys,
        vec![
            "", "-", "_u", "1", "9", "10", "A", "Z", "a", "a_b", "a2b", "a10b", "a010b", "ab",
            "z9", "z10", "é"
        ]
    );
}

#[test]
fn empty_collections_and_nesting() {
    assert_eq!(helm_to_yaml(&m(&[])), "{}");
    assert_eq!(helm_to_yaml(&Value::list(vec![])), "[]");
    assert_eq!(helm_to_yaml(&Value::Nil), "null");
    assert!(to_yaml(&Value::Float(f64::NAN)).is_err());
    let v = Value::list(vec![
        Value::list(vec![Value::str("a\nb")]),
        m(&[("k", Value::list(vec![m(&[("x", Value::str("l1\nl2\n"))])]))]),
    ]);
    assert_eq!(
        helm_to_yaml(&v),
        "- - |-\n    a\n    b\n- k:\n  - x: |\n      l1\n      l2"
    );
}

#[test]
fn errors_worded_as_go_yaml() {
    // Verified with helm 4.1.4 (`fromYaml` of these texts, its "Error" key).
    let cases = [
        ("a: [", "yaml: line 1: did not find expected node content"),
        (
            "a: 1\nb: [",
            "yaml: line 2: did not find expected node content",
        ),
        (
            "a: 1\nb: [\n",
            "yaml: line 2: did not find expected node content",
        ),
        (
            "a: b: c",
            "yaml: mapping values are not allowed in this context",
        ),
        (
            "- a\nb: c",
            "yaml: line 1: did not find expected '-' indicator",
        ),
        (
            "a:\n  - b\n c: d",
            "yaml: line 2: did not find expected key",
        ),
        ("{a", "yaml: line 1: did not find expected ',' or '}'"),
    ];
    for (text, want) in cases {
        assert_eq!(
            from_yaml(text).unwrap_err(),
            format!("error converting YAML to JSON: {want}"),
            "{text:?}"
        );
    }
}
