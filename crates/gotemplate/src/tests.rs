//! The engine's conformance table, in the style of Go's
//! `text/template/exec_test.go` and `parse_test.go`: (template, data,
//! expected output or error). Outputs marked "helm" in comments were
//! checked against helm 4.1.4 (`helm template` of a probe chart).

use crate::{Error, Func, Object, Options, Set, Value};
use std::collections::BTreeMap;
use std::rc::Rc;
use std::sync::Arc;

/// JSON test data as template values: integers are Go ints, numbers with a
/// fraction or exponent float64 (as Helm's values are).
pub(crate) fn json(s: &str) -> Value {
    fn conv(v: &serde_json::Value) -> Value {
        match v {
            serde_json::Value::Null => Value::Nil,
            serde_json::Value::Bool(b) => Value::Bool(*b),
            serde_json::Value::Number(n) => match n.as_i64() {
                Some(i) if !n.is_f64() => Value::Int(i),
                _ => Value::Float(n.as_f64().unwrap_or(0.0)),
            },
            serde_json::Value::String(s) => Value::str(s),
            serde_json::Value::Array(a) => Value::list(a.iter().map(conv).collect()),
            serde_json::Value::Object(o) => Value::map(
                o.iter()
                    .map(|(k, v)| (k.clone(), conv(v)))
                    .collect::<BTreeMap<_, _>>(),
            ),
        }
    }
    match serde_json::from_str::<serde_json::Value>(s) {
        Ok(v) => conv(&v),
        Err(e) => panic!("bad test data {s}: {e}"),
    }
}

/// The data most rows use.
const DATA: &str = r#"{
  "s": "hello", "e": "", "i": 7, "z": 0, "f": 1.5, "big": 1234567890123.0,
  "t": true, "no": false, "n": null,
  "l": ["a", "b", "c"], "il": [1, 2, 3], "el": [], "nl": [null, {"x": 1}],
  "m": {"b": 2, "a": 1, "c": {"d": "deep"}}, "em": {},
  "Values": {"name": "web", "port": 80.0, "nested": {"k": "v"}, "nul": null,
             "list": [{"name": "x"}, {"name": "y"}]}
}"#;

struct Caps;
impl Object for Caps {
    fn type_name(&self) -> &str {
        "*chartutil.Capabilities"
    }
    fn field(&self, name: &str) -> Option<Value> {
        match name {
            "KubeVersion" => Some(Value::str("v1.31.0")),
            "Nothing" => Some(Value::Nil),
            _ => None,
        }
    }
    fn call(&self, name: &str, args: &[Value]) -> Option<Result<Value, String>> {
        match name {
            "Has" => Some(match args {
                [Value::String(s)] => Ok(Value::Bool(&**s == "v1")),
                _ => Err(format!("wrong number of args for Has: want 1 got {}", args.len())),
            }),
            "Boom" => Some(Err("boom".to_string())),
            _ => None,
        }
    }
    fn to_value(&self) -> Value {
        Value::str("caps")
    }
}

fn data() -> Value {
    let d = json(DATA);
    if let Value::Map(m) = &d {
        m.borrow_mut()
            .insert("Caps".to_string(), Value::Object(Rc::new(Caps)));
        m.borrow_mut()
            .insert("bytes".to_string(), Value::Bytes(Rc::from(&b"hi"[..])));
        m.borrow_mut().insert("i64".to_string(), Value::Int64(5));
    }
    d
}

fn test_set() -> Set {
    let mut set = Set::new();
    let upper: Func = Arc::new(|a: &[Value]| match a {
        [Value::String(s)] => Ok(Value::str(&s.to_uppercase())),
        [_] => Err("not a string".to_string()),
        _ => Err(format!("wrong number of args for upper: want 1 got {}", a.len())),
    });
    set.add_func("upper", upper);
    let nilf: Func = Arc::new(|_: &[Value]| Ok(Value::Nil));
    set.add_func("nilf", nilf);
    let count: Func = Arc::new(|a: &[Value]| Ok(Value::Int(a.len() as i64)));
    set.add_func("count", count);
    let list: Func = Arc::new(|a: &[Value]| Ok(Value::list(a.to_vec())));
    set.add_func("list", list);
    set
}

fn render_with(helpers: &str, tmpl: &str, d: Value, opts: &Options) -> Result<String, Error> {
    let mut set = test_set();
    if !helpers.is_empty() {
        set.parse("_helpers.tpl", helpers)?;
    }
    set.parse("t", tmpl)?;
    set.execute("t", d, opts)
}

fn render(tmpl: &str) -> Result<String, String> {
    render_with("", tmpl, data(), &Options::default()).map_err(|e| e.go_string())
}

/// Rows: template, expected output, or `Err(fragment)` the Go error
/// string must equal.
fn check(rows: &[(&str, Result<&str, &str>)]) {
    let mut failures = Vec::new();
    for (tmpl, want) in rows {
        let got = render(tmpl);
        let ok = match (&got, want) {
            (Ok(g), Ok(w)) => g == w,
            (Err(g), Err(w)) => g == w,
            _ => false,
        };
        if !ok {
            failures.push(format!("{tmpl:?}\n   want {want:?}\n    got {got:?}"));
        }
    }
    assert!(failures.is_empty(), "{} failures:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn text_and_trimming() {
    check(&[
        ("", Ok("")),
        ("plain text", Ok("plain text")),
        ("a {{- 1}} b", Ok("a1 b")),
        ("a {{1 -}} b", Ok("a 1b")),
        ("a  \n\t {{- 1 -}} \n b", Ok("a1b")),
        ("a {{-1}} b", Ok("a -1 b")),
        ("{{- /* c */ -}}  x", Ok("x")),
        ("a {{/* comment */}} b", Ok("a  b")),
        ("a\n{{- /* multi\nline */ -}}\nb", Ok("ab")),
        ("{{/*c*/ }}", Err("template: t:1: comment ends before closing delimiter")),
        ("{{/* c", Err("template: t:1: unclosed comment")),
        ("x{{ 1 }}", Ok("x1")),
        ("{{\"}}\"}}", Ok("}}")),
        ("{{`{{`}}", Ok("{{")),
        ("{{ 1 }}\n{{- 2 }}", Ok("12")),
        ("{{ 1 -}}\n\n  {{ 2 }}", Ok("12")),
        ("{{- 1 -}}", Ok("1")),
        ("{{-\n1\n-}}", Ok("1")),
    ]);
}

#[test]
fn literals() {
    check(&[
        ("{{1}}", Ok("1")),
        ("{{-7}}", Ok("-7")),
        ("{{+7}}", Ok("7")),
        ("{{1.5}}", Ok("1.5")),
        ("{{1.0}}", Ok("1")),
        ("{{1e3}}", Ok("1000")),
        ("{{1e6}}", Ok("1e+06")),
        ("{{1e-5}}", Ok("1e-05")),
        ("{{0.0001}}", Ok("0.0001")),
        ("{{0x1F}}", Ok("31")),
        ("{{0X1f}}", Ok("31")),
        ("{{0o17}}", Ok("15")),
        ("{{017}}", Ok("15")),
        ("{{0b101}}", Ok("5")),
        ("{{1_000}}", Ok("1000")),
        ("{{0x_1F}}", Ok("31")),
        ("{{-0.0}}", Ok("-0")),
        ("{{'a'}}", Ok("97")),
        ("{{'\\n'}}", Ok("10")),
        ("{{'\\u00e9'}}", Ok("233")),
        ("{{'é'}}", Ok("233")),
        ("{{\"a\\tb\"}}", Ok("a\tb")),
        ("{{\"\\u00e9\\x41\\101\"}}", Ok("éAA")),
        ("{{`raw\\n`}}", Ok("raw\\n")),
        ("{{true}} {{false}}", Ok("true false")),
        ("{{9223372036854775807}}", Ok("9223372036854775807")),
        ("{{18446744073709551615}}", Err("template: t:1:2: executing \"t\" at <18446744073709551615>: 18446744073709551615 overflows int")),
        ("{{99999999999999999999}}", Err("template: t:1: integer overflow: \"99999999999999999999\"")),
        ("{{08}}", Err("template: t:1: integer overflow: \"08\"")),
        ("{{1_}}", Err("template: t:1: illegal number syntax: \"1_\"")),
        ("{{1a}}", Err("template: t:1: bad number syntax: \"1a\"")),
        ("{{1-1}}", Err("template: t:1: bad number syntax: \"1-1\"")),
        ("{{'ab'}}", Err("template: t:1: malformed character constant: 'ab'")),
        ("{{\"abc}}", Err("template: t:1: unterminated quoted string")),
        ("{{`abc}}", Err("template: t:1: unterminated raw quoted string")),
        ("{{'a}}", Err("template: t:1: unterminated character constant")),
        ("{{\"\\q\"}}", Err("template: t:1: invalid syntax")),
        ("{{nil}}", Err("template: t:1:2: executing \"t\" at <nil>: nil is not a command")),
        ("{{1 2}}", Err("template: t:1:2: executing \"t\" at <1>: can't give argument to non-function 1")),
    ]);
}

#[test]
fn fields_and_missing_keys() {
    check(&[
        ("{{.s}}", Ok("hello")),
        ("{{.m.c.d}}", Ok("deep")),
        ("{{ .Values.nested.k }}", Ok("v")),
        ("{{.missing}}", Ok("<no value>")),
        ("{{.Values.nul}}", Ok("<no value>")),
        ("{{.m}}", Ok("map[a:1 b:2 c:map[d:deep]]")),
        ("{{.l}}", Ok("[a b c]")),
        ("{{.nl}}", Ok("[<nil> map[x:1]]")),
        ("{{.em}} {{.el}}", Ok("map[] []")),
        ("{{.f}} {{.big}}", Ok("1.5 1.234567890123e+12")),
        ("{{.bytes}}", Ok("[104 105]")),
        ("{{.i64}}", Ok("5")),
        // helm: a missing parent is a nil interface under missingkey=zero.
        ("{{.missing.x}}", Err("template: t:1:10: executing \"t\" at <.missing.x>: nil pointer evaluating interface {}.x")),
        ("{{.Values.nul.x}}", Err("template: t:1:9: executing \"t\" at <.Values.nul.x>: nil pointer evaluating interface {}.x")),
        ("{{.s.x}}", Err("template: t:1:4: executing \"t\" at <.s.x>: can't evaluate field x in type interface {}")),
        ("{{.l.x}}", Err("template: t:1:4: executing \"t\" at <.l.x>: can't evaluate field x in type interface {}")),
        ("{{$x := .s}}{{$x.y}}", Err("template: t:1:16: executing \"t\" at <$x.y>: can't evaluate field y in type string")),
        ("{{(.missing).x}}", Ok("<no value>")),
        ("{{$x := .missing}}{{$x.y}}", Ok("<no value>")),
        ("{{.m.a 1}}", Err("template: t:1:4: executing \"t\" at <.m.a>: a is not a method but has arguments")),
        ("{{.s | .m.a}}", Err("template: t:1:9: executing \"t\" at <.m.a>: a is not a method but has arguments")),
        ("{{.Caps.KubeVersion}}", Ok("v1.31.0")),
        ("{{.Caps.Has \"v1\"}} {{.Caps.Has \"v2\"}}", Ok("true false")),
        ("{{\"v1\" | .Caps.Has}}", Ok("true")),
        ("{{.Caps.Nope}}", Err("template: t:1:7: executing \"t\" at <.Caps.Nope>: can't evaluate field Nope in type *chartutil.Capabilities")),
        ("{{.Caps.Has}}", Err("template: t:1:7: executing \"t\" at <.Caps.Has>: wrong number of args for Has: want 1 got 0")),
        ("{{.Caps.Boom 1}}", Err("template: t:1:2: executing \"t\" at <.Caps.Boom 1>: error calling Boom: boom")),
        ("{{.Caps.KubeVersion 1}}", Err("template: t:1:7: executing \"t\" at <.Caps.KubeVersion>: KubeVersion has arguments but cannot be invoked as function")),
        ("{{.Caps}}", Ok("caps")),
        ("{{(.m).a}} {{(.m.c).d}}", Ok("1 deep")),
        ("{{ (list .m).x }}", Err("template: t:1:12: executing \"t\" at <(list .m).x>: can't evaluate field x in type []interface {}")),
        ("{{ nil.x }}", Err("template: t:1: unexpected . after term \"nil\"")),
        ("{{ 1.x }}", Err("template: t:1: bad number syntax: \"1.x\"")),
        ("{{ \"a\".x }}", Err("template: t:1: unexpected . after term \"\\\"a\\\"\"")),
        ("{{ .Values.a. }}", Err("template: t:1: unexpected <.> in operand")),
    ]);
}

#[test]
fn strict_missing_keys() {
    let strict = Options {
        strict: true,
        ..Options::default()
    };
    let r = |t: &str| render_with("", t, data(), &strict).map_err(|e| e.go_string());
    assert_eq!(r("{{.s}}"), Ok("hello".to_string()));
    assert_eq!(
        r("{{.nope}}"),
        Err("template: t:1:2: executing \"t\" at <.nope>: map has no entry for key \"nope\"".to_string())
    );
    assert_eq!(
        r("{{$x := .missing}}"),
        Err("template: t:1:8: executing \"t\" at <.missing>: map has no entry for key \"missing\"".to_string())
    );
    assert_eq!(
        r("{{with $x := 1}}{{end}}{{$y := nilf}}{{$y.a}}"),
        Err("template: t:1:41: executing \"t\" at <$y.a>: nil data; no entry for key \"a\"".to_string())
    );
    // tpl keeps strictness (Helm re-injects missingkey=error).
    assert!(r("{{tpl \"{{.nope}}\" .}}").is_err());
}
