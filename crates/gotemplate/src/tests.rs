//! The engine's conformance table, in the style of Go's
//! `text/template/exec_test.go` and `parse_test.go`: (template, data,
//! expected output or error). Outputs marked "helm" in comments were
//! checked against helm 4.1.4 (`helm template` of a probe chart).

use crate::{Error, ErrorKind, Func, Object, Options, Set, Value};
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
                _ => Err(format!(
                    "wrong number of args for Has: want 1 got {}",
                    args.len()
                )),
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
        _ => Err(format!(
            "wrong number of args for upper: want 1 got {}",
            a.len()
        )),
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
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
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
        (
            "{{/*c*/ }}",
            Err("template: t:1: comment ends before closing delimiter"),
        ),
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
        ("{{\"\\1é\"}}", Err("template: t:1: invalid syntax")),
        ("{{\"\\x4é\"}}", Err("template: t:1: invalid syntax")),
        ("{{'\\1é'}}", Err("template: t:1: invalid syntax")),
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
        ("{{ (list .m).x }}", Err("template: t:1:9: executing \"t\" at <.m>: can't evaluate field x in type []interface {}")),
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
        Err(
            "template: t:1:2: executing \"t\" at <.nope>: map has no entry for key \"nope\""
                .to_string()
        )
    );
    assert_eq!(
        r("{{$x := .missing}}"),
        Err(
            "template: t:1:8: executing \"t\" at <.missing>: map has no entry for key \"missing\""
                .to_string()
        )
    );
    assert_eq!(
        r("{{with $x := 1}}{{end}}{{$y := nilf}}{{$y.a}}"),
        Err(
            "template: t:1:41: executing \"t\" at <$y.a>: nil data; no entry for key \"a\""
                .to_string()
        )
    );
    // tpl keeps strictness (Helm re-injects missingkey=error).
    assert!(r("{{tpl \"{{.nope}}\" .}}").is_err());
}

#[test]
fn variables_and_scopes() {
    check(&[
        ("{{$x := 1}}{{$x}}", Ok("1")),
        ("{{$x := 1}}{{$x = 2}}{{$x}}", Ok("2")),
        ("{{$.i}} {{with 5}}{{$.i}}{{.}}{{end}}", Ok("7 75")),
        ("{{$.s}} {{$.m.a}}", Ok("hello 1")),
        ("{{with .m}}{{$.s}}{{.a}}{{end}}", Ok("hello1")),
        (
            "{{$x := 1}}{{if true}}{{$x = 2}}{{$y := 3}}{{end}}{{$x}}",
            Ok("2"),
        ),
        (
            "{{if true}}{{$y := 3}}{{end}}{{$y}}",
            Err("template: t:1: undefined variable \"$y\""),
        ),
        ("{{if $z := .s}}{{$z}}{{end}}", Ok("hello")),
        (
            "{{if $z := .s}}{{end}}{{$z}}",
            Err("template: t:1: undefined variable \"$z\""),
        ),
        ("{{$x := 1}}{{with $x := 2}}{{$x}}{{end}}{{$x}}", Ok("21")),
        ("{{$x := 1}}{{range .l}}{{$x = .}}{{end}}{{$x}}", Ok("c")),
        ("{{range $i, $v := .l}}{{$i}}{{$v}}{{end}}", Ok("0a1b2c")),
        ("{{range $v := .l}}{{$v}}{{end}}", Ok("abc")),
        (
            "{{range $k, $v := .m}}{{$k}}={{$v}};{{end}}",
            Ok("a=1;b=2;c=map[d:deep];"),
        ),
        (
            "{{$i := 9}}{{$v := 9}}{{range $i, $v = .l}}{{end}}{{$i}}{{$v}}",
            Ok("2c"),
        ),
        ("{{$v := 9}}{{range $v = .l}}{{end}}{{$v}}", Ok("c")),
        (
            "{{$x = 1}}",
            Err("template: t:1:7: executing \"t\" at <1>: undefined variable: $x"),
        ),
        (
            "{{$x := 1}}{{$x 1}}",
            Err(
                "template: t:1:13: executing \"t\" at <$x>: can't give argument to non-function $x",
            ),
        ),
        (
            "{{$nope}}",
            Err("template: t:1: undefined variable \"$nope\""),
        ),
        (
            "{{define \"d\"}}{{$x}}{{end}}{{$x := 1}}",
            Err("template: t:1: undefined variable \"$x\""),
        ),
        (
            "{{$x := 1}}{{template \"d\" 5}}{{define \"d\"}}{{$}}{{end}}",
            Ok("5"),
        ),
        (
            "{{$a, $b := 1}}",
            Err("template: t:1: too many declarations in command"),
        ),
        (
            "{{range $a, $b, $c := .l}}{{end}}",
            Err("template: t:1: too many declarations in range"),
        ),
        (
            "{{range $a, 1}}{{end}}",
            Err("template: t:1: range can only initialize variables"),
        ),
        ("{{$x := .missing}}{{$x}}", Ok("<no value>")),
        ("{{$x := .l}}{{index $x 1}}", Ok("b")),
    ]);
}

#[test]
fn conditionals() {
    check(&[
        ("{{if true}}y{{end}}", Ok("y")),
        ("{{if false}}y{{else}}n{{end}}", Ok("n")),
        ("{{if .z}}y{{else if .i}}i{{else}}n{{end}}", Ok("i")),
        (
            "{{if .z}}y{{else if .e}}i{{else if .no}}j{{else}}n{{end}}",
            Ok("n"),
        ),
        ("{{if .e}}y{{else}}n{{end}}{{if .s}}y{{end}}", Ok("ny")),
        (
            "{{if .el}}y{{else}}n{{end}}{{if .em}}y{{else}}n{{end}}{{if .l}}y{{end}}",
            Ok("nny"),
        ),
        (
            "{{if .n}}y{{else}}n{{end}}{{if .missing}}y{{else}}n{{end}}",
            Ok("nn"),
        ),
        ("{{if .f}}y{{end}}{{if 0.0}}y{{else}}n{{end}}", Ok("yn")),
        ("{{if .Caps}}obj{{end}}", Ok("obj")),
        ("{{with .s}}{{.}}{{end}}", Ok("hello")),
        ("{{with .e}}{{.}}{{else}}empty{{end}}", Ok("empty")),
        ("{{with .z}}a{{else with .i}}{{.}}{{end}}", Ok("7")),
        (
            "{{with $x := 0}}a{{else with $y := 2}}{{$y}}{{end}}",
            Ok("2"),
        ),
        ("{{with .z}}a{{else with .e}}b{{else}}c{{end}}", Ok("c")),
        ("{{if}}{{end}}", Err("template: t:1: missing value for if")),
        ("{{end}}", Err("template: t:1: unexpected {{end}}")),
        ("{{else}}", Err("template: t:1: unexpected {{else}}")),
        ("{{if 1}}", Err("template: t:1: unexpected EOF")),
        (
            "{{if 1}}{{else}}{{else}}{{end}}",
            Err("template: t:1: expected end; found {{else}}"),
        ),
        (
            "{{range .l}}{{else if 1}}{{end}}",
            Err("template: t:1: unexpected <if> in input"),
        ),
        (
            "{{if 1}}{{end x}}",
            Err("template: t:1: unexpected \"x\" in end"),
        ),
        (
            "{{if 1}}{{else x}}{{end}}",
            Err("template: t:1: unexpected \"x\" in else"),
        ),
        (
            "{{if 1 2}}{{end}}",
            Err("template: t:1:5: executing \"t\" at <1>: can't give argument to non-function 1"),
        ),
    ]);
}

#[test]
fn ranges() {
    check(&[
        ("{{range .l}}{{.}}{{end}}", Ok("abc")),
        ("{{range .il}}[{{.}}]{{end}}", Ok("[1][2][3]")),
        ("{{range .el}}x{{else}}empty{{end}}", Ok("empty")),
        ("{{range .missing}}x{{else}}none{{end}}", Ok("none")),
        ("{{range .em}}x{{else}}none{{end}}", Ok("none")),
        ("{{range .m}}{{.}},{{end}}", Ok("1,2,map[d:deep],")),
        ("{{range 3}}{{.}}{{end}}", Ok("012")),
        ("{{range $i := 2}}{{$i}}{{end}}", Ok("01")),
        ("{{range 0}}x{{else}}none{{end}}", Ok("none")),
        ("{{range -2}}x{{else}}none{{end}}", Ok("none")),
        ("{{range .i64}}{{.}}{{end}}", Ok("01234")),
        ("{{range .bytes}}{{.}} {{end}}", Ok("104 105 ")),
        ("{{range $i, $v := 3}}{{end}}", Err("template: t:1:18: executing \"t\" at <3>: can't use 3 to iterate over more than one variable")),
        ("{{range .f}}{{end}}", Err("template: t:1:8: executing \"t\" at <.f>: range can't iterate over 1.5")),
        ("{{range .s}}{{end}}", Err("template: t:1:8: executing \"t\" at <.s>: range can't iterate over hello")),
        ("{{range .l}}{{if eq . \"b\"}}{{break}}{{end}}{{.}}{{end}}", Ok("a")),
        ("{{range .l}}{{if eq . \"b\"}}{{continue}}{{end}}{{.}}{{end}}", Ok("ac")),
        ("{{range .l}}{{range .}}{{end}}{{end}}", Err("template: t:1:20: executing \"t\" at <.>: range can't iterate over a")),
        ("{{range $i, $_ := .il}}{{range $.il}}{{if eq . 2}}{{break}}{{end}}{{.}}{{end}}{{end}}", Ok("111")),
        ("{{range 5}}{{if eq . 3}}{{break}}{{end}}{{.}}{{else}}no{{end}}", Ok("012")),
        ("{{break}}", Err("template: t:1: {{break}} outside {{range}}")),
        ("{{continue}}", Err("template: t:1: {{continue}} outside {{range}}")),
        ("{{range .l}}{{break 1}}{{end}}", Err("template: t:1: unexpected \"1\" in {{break}}")),
        ("{{range .l}}{{define \"x\"}}{{end}}{{end}}", Err("template: t:1: unexpected <define> in command")),
        ("{{range .nl}}{{.x}}{{end}}", Err("template: t:1:15: executing \"t\" at <.x>: nil pointer evaluating interface {}.x")),
        ("{{range .Values.list}}{{.name}}{{end}}", Ok("xy")),
        ("{{range $k, $v := .Values}}{{$k}} {{end}}", Ok("list name nested nul port ")),
        ("{{range .l}}{{$x := .}}{{end}}{{$x}}", Err("template: t:1: undefined variable \"$x\"")),
    ]);
}

#[test]
fn logic_and_comparison() {
    check(&[
        ("{{and 1 0}}|{{or 0 \"\"}}|{{and 1 2}}|{{or 0 3}}", Ok("0||2|3")),
        ("{{and 0 (fail \"x\")}}|{{or 1 (fail \"x\")}}|{{0 | and 1}}|{{1 | or 0}}", Ok("0|1|0|1")),
        ("{{and .l .m}}", Ok("map[a:1 b:2 c:map[d:deep]]")),
        ("{{or .missing .e \"d\"}}", Ok("d")),
        ("{{and}}", Err("template: t:1:2: executing \"t\" at <and>: wrong number of args for and: want at least 1 got 0")),
        ("{{not 0}} {{not .s}} {{not .missing}}", Ok("true false true")),
        ("{{not}}", Err("template: t:1:2: executing \"t\" at <not>: wrong number of args for not: want 1 got 0")),
        ("{{not 1 2}}", Err("template: t:1:2: executing \"t\" at <not>: wrong number of args for not: want 1 got 2")),
        ("{{eq 1 1}} {{eq 1 2}} {{eq \"a\" \"a\"}} {{eq .s \"hello\"}} {{eq .t true}}", Ok("true false true true true")),
        ("{{eq 1 2 3 1}} {{eq 1 2 3}} {{eq .s \"x\" \"hello\"}}", Ok("true false true")),
        ("{{eq .i64 5}} {{eq 1.5 .f}}", Ok("true true")),
        ("{{eq .missing \"x\"}} {{eq .missing .n}}", Ok("false true")),
        ("{{eq .Values.port 80}}", Err("template: t:1:2: executing \"t\" at <eq .Values.port 80>: error calling eq: incompatible types for comparison: float64 and int")),
        ("{{eq .m 1}}", Err("template: t:1:2: executing \"t\" at <eq .m 1>: error calling eq: incompatible types for comparison: map[string]interface {} and int")),
        ("{{eq (list 1) (list 1)}}", Err("template: t:1:2: executing \"t\" at <eq (list 1) (list 1)>: error calling eq: non-comparable type [%!s(int=1)]: []interface {}")),
        ("{{eq 1}}", Err("template: t:1:2: executing \"t\" at <eq 1>: error calling eq: missing argument for comparison")),
        ("{{ne 1 2}} {{ne \"a\" \"a\"}}", Ok("true false")),
        ("{{ne 1 2 3}}", Err("template: t:1:2: executing \"t\" at <ne>: wrong number of args for ne: want 2 got 3")),
        ("{{lt 1 2}} {{le 2 2}} {{gt 1 2}} {{ge 2 2}} {{lt \"a\" \"b\"}} {{gt 2.5 1.5}}", Ok("true true false true true true")),
        ("{{lt 1 \"a\"}}", Err("template: t:1:2: executing \"t\" at <lt 1 \"a\">: error calling lt: incompatible types for comparison: int and string")),
        ("{{lt 1.5 2}}", Err("template: t:1:2: executing \"t\" at <lt 1.5 2>: error calling lt: incompatible types for comparison: float64 and int")),
        ("{{lt .missing 1}}", Err("template: t:1:2: executing \"t\" at <lt .missing 1>: error calling lt: invalid type for comparison")),
        ("{{lt true false}}", Err("template: t:1:2: executing \"t\" at <lt true false>: error calling lt: invalid type for comparison")),
        ("{{if and (eq .s \"hello\") (gt .i 5)}}ok{{end}}", Ok("ok")),
    ]);
}

#[test]
fn index_len_slice_call() {
    check(&[
        ("{{index .l 1}} {{index .m \"a\"}} {{index .m \"c\" \"d\"}}", Ok("b 1 deep")),
        ("{{index .l}}", Ok("[a b c]")),
        ("{{index .m \"zz\"}}", Ok("<no value>")),
        ("{{index .s 1}}", Ok("101")),
        ("{{index .l 5}}", Err("template: t:1:2: executing \"t\" at <index .l 5>: error calling index: index out of range: 5")),
        ("{{index .l 3}}", Err("template: t:1:2: executing \"t\" at <index .l 3>: error calling index: reflect: slice index out of range")),
        ("{{index .l -1}}", Err("template: t:1:2: executing \"t\" at <index .l -1>: error calling index: index out of range: -1")),
        ("{{index .l \"a\"}}", Err("template: t:1:2: executing \"t\" at <index .l \"a\">: error calling index: cannot index slice/array with type string")),
        ("{{index .l 1.0}}", Err("template: t:1:2: executing \"t\" at <index .l 1.0>: error calling index: cannot index slice/array with type float64")),
        ("{{index .m 1}}", Err("template: t:1:2: executing \"t\" at <index .m 1>: error calling index: value has type int; should be string")),
        ("{{index .missing 1}}", Err("template: t:1:2: executing \"t\" at <index .missing 1>: error calling index: index of untyped nil")),
        ("{{index .m \"zz\" \"y\"}}", Err("template: t:1:2: executing \"t\" at <index .m \"zz\" \"y\">: error calling index: index of nil pointer")),
        ("{{index .i 1}}", Err("template: t:1:2: executing \"t\" at <index .i 1>: error calling index: can't index item of type int")),
        ("{{len .s}} {{len .l}} {{len .m}} {{len .em}} {{len .bytes}}", Ok("5 3 3 0 2")),
        ("{{len 3}}", Err("template: t:1:2: executing \"t\" at <len 3>: error calling len: len of type int")),
        ("{{len .missing}}", Err("template: t:1:2: executing \"t\" at <len .missing>: error calling len: len of nil pointer")),
        // Sprig's slice replaces the builtin in Helm (verified with helm 4.1.4).
        ("{{slice .l 1}} {{slice .l 1 2}} {{slice .l}}", Ok("[b c] [b] [a b c]")),
        ("{{slice .s 1 3}}", Err("template: t:1:2: executing \"t\" at <slice .s 1 3>: error calling slice: list should be type of slice or array but string")),
        ("{{slice .l 2 1}}", Err("template: t:1:2: executing \"t\" at <slice .l 2 1>: error calling slice: reflect.Value.Slice: slice index out of bounds")),
        ("{{call .missing}}", Err("template: t:1:2: executing \"t\" at <call .missing>: error calling call: call of nil")),
        ("{{call .s}}", Err("template: t:1:2: executing \"t\" at <call .s>: error calling call: non-function .s of type string")),
    ]);
}

#[test]
fn printing_builtins() {
    check(&[
        ("{{print 1 2 \"a\" 3 \"b\" \"c\"}}", Ok("1 2a3bc")),
        ("{{print nil 1 \"a\"}}", Ok("<nil> 1a")),
        ("{{print}}", Ok("")),
        ("{{println 1 \"a\"}}", Ok("1 a\n")),
        ("{{printf \"%d-%s\" 1 \"x\"}}", Ok("1-x")),
        ("{{3 | printf \"%d %d\" 1}}", Ok("1 3")),
        ("{{printf}}", Err("template: t:1:2: executing \"t\" at <printf>: wrong number of args for printf: want at least 1 got 0")),
        ("{{printf 1}}", Err("template: t:1:9: executing \"t\" at <1>: expected string; found 1")),
        ("{{printf .i}}", Err("template: t:1:9: executing \"t\" at <.i>: wrong type for value; expected string; got int")),
        ("{{html \"<a&\\\"'>\"}}", Ok("&lt;a&amp;&#34;&#39;&gt;")),
        ("{{html nil}}", Ok("&lt;no value&gt;")),
        ("{{html 1 2}}", Ok("1 2")),
        ("{{js \"<a href=\\\"x\\\">&'b=c\\n\"}}", Ok("\\u003Ca href\\u003D\\\"x\\\"\\u003E\\u0026\\'b\\u003Dc\\u000A")),
        ("{{urlquery \"a b&c=d/é\"}}", Ok("a+b%26c%3Dd%2F%C3%A9")),
        ("{{\"x\" | html}}", Ok("x")),
        ("{{.s | printf \"%q\"}}", Ok("\"hello\"")),
        ("{{.s | upper | printf \"%s!\"}}", Ok("HELLO!")),
        ("{{upper}}", Err("template: t:1:2: executing \"t\" at <upper>: wrong number of args for upper: want 1 got 0")),
        ("{{upper 1}}", Err("template: t:1:2: executing \"t\" at <upper 1>: error calling upper: not a string")),
        ("{{nilf}}", Ok("<no value>")),
        ("{{count 1 2 3}} {{count}} {{1 | count 2}}", Ok("3 0 2")),
        ("{{(count 1 2)}} {{(count)}}", Ok("2 0")),
        ("{{nope}}", Err("template: t:1: function \"nope\" not defined")),
        ("{{if false}}{{nope 1}}{{end}}", Err("template: t:1: function \"nope\" not defined")),
        ("{{\"a\" | \"b\"}}", Err("template: t:1: non executable command in pipeline stage 2")),
        ("{{1 | len}}", Err("template: t:1:6: executing \"t\" at <len>: error calling len: len of type int")),
    ]);
}

#[test]
fn printf_verbs() {
    // Every row checked against helm 4.1.4 (Go 1.25's fmt).
    check(&[
        ("{{printf \"%d %s\" 1}}|{{printf \"%d\" 1 2}}|{{printf \"%!\"}}|{{printf \"%z\" 1}}|{{printf \"%\"}}", Ok("1 %!s(MISSING)|1%!(EXTRA int=2)|%!!(MISSING)|%!z(int=1)|%!(NOVERB)")),
        ("{{printf \"%[2]d %[1]d\" 1 2}}|{{printf \"%*d\" 5 3}}|{{printf \"%[3]d\" 1}}|{{printf \"%-*d|\" -4 3}}", Ok("2 1|    3|%!d(BADINDEX)|3   |")),
        ("{{printf \"%05s|%-5s|%5.1q|%x|% x|%#x|%U|%#U|%c|%08.3f|%+d|%e|%g|%G|%.3g|%10.4v|%t|%o|%#o|%b|%X\" \"ab\" \"ab\" \"abc\" 255 \"hi\" \"hi\" 0x41 0x41 65 3.14159 5 1234.5678 0.00001234 1e20 3.14159 3.14159 true 8 8 5 \"hi\"}}",
         Ok("000ab|ab   |  \"a\"|ff|68 69|0x6869|U+0041|U+0041 'A'|A|0003.142|+5|1.234568e+03|1.234e-05|1E+20|3.14|     3.142|true|10|010|101|6869")),
        ("{{printf \"%s\" (list 1 \"a\")}}|{{printf \"%d\" (list 1 \"a\")}}|{{printf \"%#v\" (list 1 \"a\" nil)}}|{{printf \"%T\" nil}}|{{printf \"%d\" nil}}",
         Ok("[%!s(int=1) a]|[1 %!d(string=a)]|[]interface {}{1, \"a\", interface {}(nil)}|<nil>|%!d(<nil>)")),
        ("{{printf \"%.2f %6.2f %-8.3e| %g %g %g %v %v\" 2.675 3.14159 1234.5678 100000.0 1000000.0 0.0001 0.00001 1e21}}",
         Ok("2.67   3.14 1.235e+03| 100000 1e+06 0.0001 1e-05 1e+21")),
        ("{{printf \"%x %X %o %b %c %q %U\" -255 255 -8 -5 0x1F600 0x1F600 0x1F600}}", Ok("-ff FF -10 -101 😀 '😀' U+1F600")),
        ("{{printf \"%q\" \"tab\\there\\u0085\\u00a0\\u200b\\U0001F600\"}}", Ok("\"tab\\there\\u0085\\u00a0\\u200b😀\"")),
        ("{{printf \"%+q %#q %#q\" \"é\" \"a`b\" \"ab\"}}", Ok("\"\\u00e9\" \"a`b\" `ab`")),
        ("{{printf \"%6.2v|%-6v|%06d|%+.2e|% d|%x\" \"abc\" true -42 12345.678 5 1.5}}", Ok("    ab|true  |-00042|+1.23e+04| 5|0x1.8p+00")),
        ("{{printf \"%v %v %v %v\" .m .l .missing .f}}", Ok("map[a:1 b:2 c:map[d:deep]] [a b c] <nil> 1.5")),
        ("{{printf \"%T %T %T %T %T %T %T %T\" 1 .f \"s\" .t .l .m .bytes .i64}}", Ok("int float64 string bool []interface {} map[string]interface {} []uint8 int64")),
        ("{{printf \"%d\" .Values.port}}", Ok("%!d(float64=80)")),
        ("{{printf \"%s\" 5}}|{{printf \"%5d|%-5d|%05d\" 42 42 -42}}", Ok("%!s(int=5)|   42|42   |-0042")),
        ("{{printf \"%.0f %.1f %.3e %.10g\" 2.5 0.05 0.0 0.1}}", Ok("2 0.1 0.000e+00 0.1")),
        ("{{printf \"%v %v %v\" 1e100 123456789.0 0.000001}}", Ok("1e+100 1.23456789e+08 1e-06")),
        ("{{printf \"%q\" \"\\x00\\x7f\\\\\"}}", Ok("\"\\x00\\x7f\\\\\"")),
        ("{{printf \"%q %x %s\" .bytes .bytes .bytes}}", Ok("\"hi\" 6869 hi")),
        ("{{printf \"%%|%5%|%c|%q\" 0x110000 39}}", Ok("%|%|�|'\\''")),
        ("{{printf \"%v|%+v|%#v|%#v|%#v\" .t .i \"s\" 1.0 .m}}", Ok("true|7|\"s\"|1|map[string]interface {}{\"a\":1, \"b\":2, \"c\":map[string]interface {}{\"d\":\"deep\"}}")),
        ("{{printf \"%5v|%-3v|\" (list 1 2) 1}}", Ok("[    1     2]|1  |")),
        ("{{printf \"%.2s|%.0d|%.3d|%+.3d\" \"héllo\" 0 7 7}}", Ok("hé||007|+007")),
        ("{{printf \"%v\" .Caps}}", Ok("caps")),
    ]);
}

#[test]
fn fmt_api() {
    use crate::fmt::{quote, sprint, sprintf, sprintln};
    assert_eq!(sprint(&[Value::Int(1), Value::Int(2)]), "1 2");
    assert_eq!(
        sprint(&[Value::str("a"), Value::Int(1), Value::str("b")]),
        "a1b"
    );
    assert_eq!(sprintln(&[Value::str("a"), Value::Int(1)]), "a 1\n");
    assert_eq!(
        sprintf("%s=%v", &[Value::str("k"), Value::Float(0.5)]),
        "k=0.5"
    );
    assert_eq!(
        quote("a\u{2028}b\u{2029}\u{85}é\u{7}\"\\"),
        "\"a\\u2028b\\u2029\\u0085é\\a\\\"\\\\\""
    );
    assert_eq!(crate::fmt::quote_bytes(b"a\xffb"), "\"a\\xffb\"");
    for (f, want) in [
        (3.0, "3"),
        (0.5, "0.5"),
        (1e6, "1e+06"),
        (-0.0, "-0"),
        (1234567890123.0, "1.234567890123e+12"),
        (123456.0, "123456"),
        (0.1 + 0.2, "0.30000000000000004"),
        (f64::INFINITY, "+Inf"),
        (f64::NAN, "NaN"),
        (1e21, "1e+21"),
        (5e-324, "5e-324"),
    ] {
        assert_eq!(sprint(&[Value::Float(f)]), want, "{f}");
    }
}

#[test]
fn defines_templates_blocks() {
    check(&[
        ("{{define \"a\"}}A{{.}}{{end}}{{template \"a\" 1}}", Ok("A1")),
        ("{{define \"a\"}}A{{.}}{{end}}{{template \"a\"}}", Ok("A<no value>")),
        ("{{template \"a\" .s}}{{define \"a\"}}[{{.}}]{{end}}", Ok("[hello]")),
        ("{{define \"a\"}}{{$x := 1}}{{end}}{{template \"a\"}}", Ok("")),
        ("{{block \"b\" .s}}<{{.}}>{{end}}", Ok("<hello>")),
        ("{{define \"x\"}}{{end}}{{block \"y\" .}}Y{{end}}", Ok("Y")),
        ("{{template \"nope\"}}", Err("template: t:1:11: executing \"t\" at <{{template \"nope\"}}>: template \"nope\" not defined")),
        ("{{define \"a\"}}x{{end}}{{define \"a\"}}y{{end}}", Err("template: t:1: template: multiple definition of template \"a\"")),
        ("{{define \"a\"}}x{{end}}{{define \"a\"}} {{end}}{{template \"a\"}}", Ok("x")),
        ("{{define \"a\"}}{{else}}{{end}}", Err("template: t:1: unexpected {{else}} in define clause")),
        ("{{define a}}{{end}}", Err("template: t:1: unexpected \"a\" in define clause")),
        ("{{define \"a\" 1}}{{end}}", Err("template: t:1: unexpected \"1\" in define clause")),
        ("{{template .s}}", Err("template: t:1: unexpected \".s\" in template clause")),
        ("{{template .}}", Err("template: t:1: unexpected <.> in template clause")),
        ("{{define \"r\"}}{{if .}}{{index . 0}}{{template \"r\" (slice . 1)}}{{end}}{{end}}{{template \"r\" .il}}", Ok("123")),
        ("{{define \"a\"}}{{.x.y}}{{end}}{{template \"a\" .m}}", Err("template: t:1:18: executing \"a\" at <.x.y>: nil pointer evaluating interface {}.y")),
    ]);
}

fn helm(helpers: &str, tmpl: &str) -> Result<String, Error> {
    render_with(helpers, tmpl, data(), &Options::default())
}

#[test]
fn include_and_tpl() {
    let h = "{{- define \"name\" -}}{{ .Values.name }}-{{ .x | default_ }}{{- end -}}\
             {{- define \"inner\" }}\n{{ .Values.a.b.c }}{{ end -}}\
             {{- define \"boom\" }}\n {{ fail \"boom\" }}{{ end -}}\
             {{- define \"self\" }}{{ include \"self\" . }}{{ end -}}\
             {{- define \"show\" }}[{{ . }}]{{ end -}}";
    let h = h.replace(" | default_", "");
    let ok = |t: &str| helm(&h, t).map_err(|e| e.go_string());
    assert_eq!(ok("{{ include \"show\" 5 }}"), Ok("[5]".to_string()));
    assert_eq!(
        ok("{{ include \"show\" .s | printf \"%q\" }}"),
        Ok("\"[hello]\"".to_string())
    );
    assert_eq!(
        ok("{{ include \"name\" . }}"),
        Ok("web-<no value>".to_string())
    );
    assert_eq!(
        ok("{{ include \"nope\" . }}"),
        Err("template: t:1:3: executing \"t\" at <include \"nope\" .>: error calling include: template: no template \"nope\" associated with template \"gotpl\"".to_string())
    );
    assert_eq!(
        ok("{{ include \"show\" }}"),
        Err("template: t:1:3: executing \"t\" at <include>: wrong number of args for include: want 2 got 1".to_string())
    );
    // helm: the error names both templates (Go wraps the inner error).
    assert_eq!(
        ok("{{ include \"inner\" . }}"),
        Err("template: t:1:3: executing \"t\" at <include \"inner\" .>: error calling include: template: _helpers.tpl:2:10: executing \"inner\" at <.Values.a.b.c>: nil pointer evaluating interface {}.b".to_string())
    );
    // helm: fail inside an include is reported at the outer call, its message verbatim.
    let e = helm(&h, "x\n {{ include \"boom\" . }}").unwrap_err();
    assert_eq!(
        (
            e.kind,
            e.template.as_str(),
            e.line,
            e.column,
            e.message.as_str()
        ),
        (ErrorKind::Fail, "t", 2, 5, "boom")
    );
    // helm: Helm's recursion limit on one name.
    let e = helm(&h, "{{ include \"self\" . }}").unwrap_err();
    assert!(
        e.go_string().contains(
            "rendering template has a nested reference name: self: unable to execute template"
        ) || e.kind == ErrorKind::Budget,
        "{e}"
    );
    // tpl: the set's defines are visible; its own do not leak; <no value> removed.
    assert_eq!(
        ok("{{ tpl \"{{ include \\\"show\\\" 1 }}\" . }}"),
        Ok("[1]".to_string())
    );
    assert_eq!(
        ok("{{ tpl \"{{ .s }}{{ .missing }}\" . }}"),
        Ok("hello".to_string())
    );
    assert_eq!(
        ok("{{ tpl \"{{ define \\\"q\\\" }}Q{{ end }}{{ template \\\"q\\\" }}\" . }}"),
        Ok("Q".to_string())
    );
    assert_eq!(
        ok("{{ tpl \"{{ define \\\"q\\\" }}Q{{ end }}\" . }}{{ template \"q\" }}"),
        Err(
            "template: t:1:54: executing \"t\" at <{{template \"q\"}}>: template \"q\" not defined"
                .to_string()
        )
    );
    assert_eq!(
        ok("{{ tpl \"{{ .Values.x.y }}\" . }}"),
        Err("template: t:1:3: executing \"t\" at <tpl \"{{ .Values.x.y }}\" .>: error calling tpl: error during tpl function execution for \"{{ .Values.x.y }}\": template: gotpl:1:10: executing \"gotpl\" at <.Values.x.y>: nil pointer evaluating interface {}.y".to_string())
    );
    assert_eq!(
        ok("{{ tpl \"{{ \" . }}"),
        Err("template: t:1:3: executing \"t\" at <tpl \"{{ \" .>: error calling tpl: cannot parse template \"{{ \": template: gotpl:1: unclosed action".to_string())
    );
    let e = helm(&h, "{{ tpl \"{{ fail \\\"zz\\\" }}\" . }}").unwrap_err();
    assert_eq!(
        (e.kind, e.message.as_str(), e.column),
        (ErrorKind::Fail, "zz", 4)
    );
    assert_eq!(ok("{{ tpl .Values.name . }}"), Ok("web".to_string()));
    assert_eq!(
        ok("{{ tpl \"{{ tpl \\\"{{ 1 }}\\\" . }}\" . }}"),
        Ok("1".to_string())
    );
}

#[test]
fn required_and_fail() {
    let r = |t: &str| helm("", t);
    assert_eq!(
        r("{{ required \"need\" .s }}").ok().as_deref(),
        Some("hello")
    );
    assert_eq!(r("{{ required \"need\" 0 }}").ok().as_deref(), Some("0"));
    assert_eq!(
        r("{{ .missing | required \"need\" }}").map_err(|e| e.message),
        Err("need".to_string())
    );
    let e = r("\n {{ required \"need x\" .missing }}").unwrap_err();
    assert_eq!(
        (e.kind, e.line, e.column, e.message.as_str()),
        (ErrorKind::Required, 2, 5, "need x")
    );
    let e = r("{{ required \"need it\" \"\" }}").unwrap_err();
    assert_eq!(
        (e.kind, e.message.as_str()),
        (ErrorKind::Required, "need it")
    );
    let e = r("{{ fail \"stop: here\" }}").unwrap_err();
    assert_eq!(
        (e.kind, e.message.as_str(), e.to_string().as_str()),
        (ErrorKind::Fail, "stop: here", "t:1:4: stop: here")
    );
    let e = r("{{ if false }}{{ fail \"no\" }}{{ end }}ok");
    assert_eq!(e.ok().as_deref(), Some("ok"));
}

#[test]
fn budgets() {
    let opts = |steps: u64, bytes: usize, depth: usize| Options {
        strict: false,
        max_steps: steps,
        max_bytes: bytes,
        max_depth: depth,
    };
    // Endless recursion stops with a Budget error, never a stack overflow.
    let e = render_with(
        "",
        "{{define \"r\"}}{{template \"r\" .}}{{end}}{{template \"r\" .}}",
        data(),
        &Options::default(),
    )
    .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Budget, "{e}");
    let e = render_with(
        "{{ define \"i\" }}{{ include \"i\" . }}{{ end }}",
        "{{ include \"i\" . }}",
        data(),
        &Options::default(),
    )
    .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Budget, "{e}");
    let e = render_with(
        "",
        "{{ tpl \"{{ tpl . . }}\" \"{{ tpl . . }}\" }}",
        data(),
        &Options::default(),
    )
    .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Budget, "{e}");
    // Depth.
    let e = render_with(
        "",
        "{{define \"r\"}}{{template \"r\" .}}{{end}}{{template \"r\" .}}",
        data(),
        &opts(1 << 30, 1 << 30, 10),
    )
    .unwrap_err();
    assert_eq!(
        (e.kind, e.message.as_str()),
        (ErrorKind::Budget, "exceeded maximum template depth (10)")
    );
    // Steps.
    let e = render_with(
        "",
        "{{range 1000000}}{{end}}",
        data(),
        &opts(1000, 1 << 30, 100),
    )
    .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Budget);
    // Output bytes.
    let e = render_with(
        "",
        "{{range 100}}xxxxxxxxxx{{end}}",
        data(),
        &opts(1 << 30, 500, 100),
    )
    .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Budget);
    assert!(render_with(
        "",
        "{{range 10}}xxxxxxxxxx{{end}}",
        data(),
        &opts(1 << 30, 500, 100)
    )
    .is_ok());
    // A built string.
    let e = render_with(
        "",
        "{{printf \"%0600d\" 1 | len}}",
        data(),
        &opts(1 << 30, 500, 100),
    )
    .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Budget);
}

#[test]
fn deep_nesting_is_refused_not_overflowed() {
    for (open, close) in [("(", ")"), ("{{if 1}}", "{{end}}")] {
        let n = 100_000;
        let text = if open == "(" {
            format!("{{{{{}1{}}}}}", open.repeat(n), close.repeat(n))
        } else {
            format!("{}{}", open.repeat(n), close.repeat(n))
        };
        let mut set = Set::new();
        let e = set.parse("deep", &text).unwrap_err();
        assert_eq!(e.kind, ErrorKind::Syntax);
        assert!(e.message.contains("nesting deeper than"), "{e}");
    }
    // Moderate nesting works.
    let text = format!("{{{{{}1{}}}}}", "(".repeat(50), ")".repeat(50));
    assert_eq!(render(&text), Ok("1".to_string()));
}

#[test]
fn parse_errors_and_positions() {
    check(&[
        ("{{ 1", Err("template: t:1: unclosed action")),
        (
            "{{ 1\n\n",
            Err("template: t:3: unclosed action started at t:1"),
        ),
        (
            "a\n{{ 1\nx\n}}",
            Err("template: t:3: function \"x\" not defined"),
        ),
        ("{{ ( }}", Err("template: t:1: unclosed left paren")),
        ("{{ ) }}", Err("template: t:1: unexpected right paren")),
        ("{{ (1 }}", Err("template: t:1: unclosed left paren")),
        (
            "{{ () }}",
            Err("template: t:1: missing value for parenthesized pipeline"),
        ),
        ("{{ }}", Err("template: t:1: missing value for command")),
        ("{{ 1 | }}", Ok("1")),
        ("{{ # }}", Err("template: t:1: unexpected \"#\" in command")),
        ("{{ .a# }}", Err("template: t:1: bad character U+0023 '#'")),
        (
            "{{ $x:1 }}",
            Err("template: t:1: undefined variable \"$x\""),
        ),
        ("{{ $x := 1 }}{{ $x:1 }}", Err("template: t:1: expected :=")),
        (
            "{{ \u{1F600} }}",
            Err("template: t:1: unrecognized character in action: U+1F600 '😀'"),
        ),
        (
            "{{ \u{7} }}",
            Err("template: t:1: unrecognized character in action: U+0007"),
        ),
        (
            "{{ .x = 1 }}",
            Err("template: t:1: unexpected \"=\" in operand"),
        ),
        (
            "{{ 1 := 2 }}",
            Err("template: t:1: unexpected \":=\" in operand"),
        ),
        (
            "{{ \"aaaaaaaaaaaaaaa\" 1 | 2 }}",
            Err("template: t:1: non executable command in pipeline stage 2"),
        ),
        (
            "{{ .a | 1 }}",
            Err("template: t:1: non executable command in pipeline stage 2"),
        ),
        (
            "{{with}}{{end}}",
            Err("template: t:1: missing value for with"),
        ),
        (
            "{{range}}{{end}}",
            Err("template: t:1: missing value for range"),
        ),
        (
            "{{template}}",
            Err("template: t:1: unexpected \"}}\" in template clause"),
        ),
        ("x\n\n{{end}}", Err("template: t:3: unexpected {{end}}")),
        (
            "{{if 1}}\n{{else}}\n{{end}}{{end}}",
            Err("template: t:3: unexpected {{end}}"),
        ),
    ]);
    // Line, 1-based column and length of the token at fault.
    let mut set = Set::new();
    let e = set
        .parse("f.yaml", "a: 1\nb: {{ .x | nope }}\n")
        .unwrap_err();
    assert_eq!(
        (e.kind, e.template.as_str(), e.line, e.column, e.len),
        (ErrorKind::Syntax, "f.yaml", 2, 12, 4)
    );
    assert_eq!(
        e.go_string(),
        "template: f.yaml:2: function \"nope\" not defined"
    );
    let e = Set::new()
        .execute("none", Value::Nil, &Options::default())
        .unwrap_err();
    assert_eq!(
        e.message,
        "no template \"none\" associated with template \"gotpl\""
    );
    let mut set = Set::new();
    set.parse("g", "\n  {{ .a.b }}").unwrap_or_default();
    let e = set
        .execute("g", json(r#"{"a": null}"#), &Options::default())
        .unwrap_err();
    assert_eq!((e.line, e.column, e.len), (2, 8, 4));
    assert_eq!(
        e.to_string(),
        "g:2:8: executing \"g\" at <.a.b>: nil pointer evaluating interface {}.b"
    );
}

#[test]
fn set_namespace() {
    let mut set = Set::new();
    set.parse("a.yaml", "{{define \"x\"}}one{{end}}A")
        .unwrap_or_default();
    set.parse("b.yaml", "{{define \"x\"}}two{{end}}{{template \"x\"}}")
        .unwrap_or_default();
    set.parse("c.yaml", "{{define \"x\"}}  {{end}}")
        .unwrap_or_default();
    assert!(set.contains("a.yaml") && set.contains("x") && !set.contains("y"));
    assert_eq!(
        set.execute("b.yaml", Value::Nil, &Options::default())
            .ok()
            .as_deref(),
        Some("two")
    );
    assert_eq!(
        set.execute("a.yaml", Value::Nil, &Options::default())
            .ok()
            .as_deref(),
        Some("A")
    );
    assert_eq!(set.names(), vec!["a.yaml", "b.yaml", "c.yaml", "x"]);
    // A failed parse adds nothing.
    assert!(set.parse("d.yaml", "{{define \"y\"}}{{end}}{{").is_err());
    assert!(!set.contains("y") && !set.contains("d.yaml"));
    // Send + Sync: one parsed set, executed on several threads.
    fn assert_send_sync<T: Send + Sync>(_: &T) {}
    assert_send_sync(&set);
    let set = std::sync::Arc::new(set);
    let handles: Vec<_> = (0..2)
        .map(|_| {
            let set = set.clone();
            std::thread::spawn(move || set.execute("b.yaml", Value::Nil, &Options::default()).ok())
        })
        .collect();
    for h in handles {
        assert_eq!(h.join().ok().flatten().as_deref(), Some("two"));
    }
}

/// Arbitrary bytes never panic the parser: mutations of real templates.
#[test]
fn fuzz_parse_never_panics() {
    let seeds = [
        "{{- if .Values.x }}\n  a: {{ .Values.x | quote }}\n{{- else if eq .a 1 }}{{ end -}}",
        "{{ range $i, $v := .l }}{{ $i }}={{ $v }}{{ break }}{{ end }}",
        "{{ define \"a\" }}{{ include \"a\" . | nindent 4 }}{{ end }}{{/* c */}}",
        "{{ printf \"%d\" (len (list 1 2)) }} {{ 'a' }} {{ 0x1F }} {{ `raw` }} {{ 1e3 }}",
        "{{ with $x := .a.b }}{{ $x.c }}{{ else with .d }}{{ . }}{{ end }}",
        "{{ \"\\1é\\x4é\\u00é\\U0001F60\\q\" }}{{ '\\1é' }}{{ '\\xé' }}",
    ];
    let alphabet: &[u8] =
        b"{{}}()|$.-:=\"'`/* \n\tabcdefrngiwlt0123456789,_xpeEuU+\\\xc3\xa9\xf0\x9f\x98\x80";
    let mut state: u64 = 0x2545F4914F6CDD1D;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    // One set for every round: a parse that fails adds nothing, one that
    // succeeds replaces "f" (defines accumulate, as they may).
    let mut set = test_set();
    for round in 0..8_000 {
        let seed = seeds[round % seeds.len()].as_bytes();
        let mut b = seed.to_vec();
        for _ in 0..(1 + next() % 6) {
            let pos = (next() as usize) % (b.len() + 1);
            match next() % 3 {
                0 if !b.is_empty() && pos < b.len() => {
                    b.remove(pos);
                }
                1 => b.insert(pos, alphabet[(next() as usize) % alphabet.len()]),
                _ if pos < b.len() => b[pos] = alphabet[(next() as usize) % alphabet.len()],
                _ => {}
            }
        }
        // Every other round, random bytes alone.
        if round % 2 == 1 {
            let n = (next() % 48) as usize;
            b = (0..n)
                .map(|_| alphabet[(next() as usize) % alphabet.len()])
                .collect();
            if next() % 4 == 0 {
                b.extend((0..4).map(|_| next() as u8));
            }
        }
        let text = String::from_utf8_lossy(&b);
        if set.parse("f", &text).is_ok() {
            let opts = Options {
                max_steps: 10_000,
                ..Options::default()
            };
            let _ = set.execute("f", data(), &opts);
        }
    }
}

#[test]
fn self_referential_map_prints_without_overflow() {
    let m = json(r#"{"a": 1}"#);
    if let Value::Map(inner) = &m {
        inner.borrow_mut().insert("self".to_string(), m.clone());
    }
    let out = render_with("", "{{ . }}", m.clone(), &Options::default()).unwrap_or_default();
    assert!(
        out.starts_with("map[a:1 self:map[a:1 self:map[") && out.contains("..."),
        "{out}"
    );
    // Break the cycle so the test does not leak.
    if let Value::Map(inner) = &m {
        inner.borrow_mut().remove("self");
    }
}

/// Throughput of a chart-like template (helpers, include, toYaml, range):
/// `cargo test --release -p strata-gotemplate bench_render -- --ignored --nocapture`.
#[test]
#[ignore]
fn bench_render() {
    let helpers = r#"{{- define "app.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- define "app.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}
{{- define "app.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
app.kubernetes.io/name: {{ include "app.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- if .Chart.AppVersion }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
{{- end }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}"#;
    let deployment = r#"apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ include "app.fullname" . }}
  labels:
    {{- include "app.labels" . | nindent 4 }}
spec:
  {{- if not .Values.autoscaling.enabled }}
  replicas: {{ .Values.replicaCount }}
  {{- end }}
  template:
    spec:
      containers:
        - name: {{ .Chart.Name }}
          image: "{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}"
          env:
          {{- range $k, $v := .Values.env }}
            - name: {{ $k }}
              value: {{ $v | quote }}
          {{- end }}
          resources:
            {{- toYaml .Values.resources | nindent 12 }}
          {{- with .Values.nodeSelector }}
      nodeSelector:
        {{- toYaml . | nindent 8 }}
          {{- end }}
"#;
    let mut set = Set::new();
    set.parse("_helpers.tpl", helpers).expect("helpers parse");
    set.parse("deployment.yaml", deployment)
        .expect("deployment parse");
    let dot = json(
        r#"{"Chart": {"Name": "app", "Version": "1.2.3", "AppVersion": "2.0"},
            "Release": {"Name": "rel", "Namespace": "ns", "Service": "Helm"},
            "Values": {"replicaCount": 3.0, "autoscaling": {"enabled": false},
              "image": {"repository": "nginx", "tag": ""},
              "env": {"A": "1", "B": "two", "C": "three", "D": "4"},
              "resources": {"limits": {"cpu": "100m", "memory": "128Mi"}, "requests": {"cpu": "50m"}},
              "nodeSelector": {"disk": "ssd"}}}"#,
    );
    let opts = Options::default();
    let first = set
        .execute("deployment.yaml", dot.clone(), &opts)
        .expect("render");
    println!("{first}");
    let n = 20_000;
    let t = std::time::Instant::now();
    let mut bytes = 0;
    for _ in 0..n {
        bytes += set
            .execute("deployment.yaml", dot.clone(), &opts)
            .map(|s| s.len())
            .unwrap_or(0);
    }
    let per = t.elapsed().as_secs_f64() / n as f64;
    println!("{:.1} µs per render ({bytes} bytes)", per * 1e6);
    let t = std::time::Instant::now();
    for _ in 0..1000 {
        let mut s = Set::new();
        s.parse("_helpers.tpl", helpers).expect("parse");
        s.parse("deployment.yaml", deployment).expect("parse");
    }
    println!(
        "{:.1} µs per Set::new + parse of both files",
        t.elapsed().as_secs_f64() / 1000.0 * 1e6
    );
    let t = std::time::Instant::now();
    for _ in 0..1000 {
        std::hint::black_box(Set::new());
    }
    println!(
        "{:.1} µs per Set::new",
        t.elapsed().as_secs_f64() / 1000.0 * 1e6
    );
    let t = std::time::Instant::now();
    for _ in 0..1000 {
        set.parse("deployment.yaml", deployment).expect("parse");
    }
    let per = t.elapsed().as_secs_f64() / 1000.0 * 1e6;
    println!(
        "{per:.1} µs per parse of the deployment ({} bytes)",
        deployment.len()
    );
    let t = std::time::Instant::now();
    for _ in 0..1000 {
        std::hint::black_box(crate::lex::lex(deployment, true, true));
    }
    println!(
        "{:.1} µs per lex of the deployment",
        t.elapsed().as_secs_f64() / 1000.0 * 1e6
    );
}

/// A whole chart directory (STRATA_BENCH_CHART=dir: templates/*, values as
/// in bench_render), parsed and rendered once, timed:
/// `STRATA_BENCH_CHART=/tmp/chart cargo test --release -p strata-gotemplate bench_chart -- --ignored --nocapture`.
#[test]
#[ignore]
fn bench_chart() {
    let Ok(dir) = std::env::var("STRATA_BENCH_CHART") else {
        println!("skipped: STRATA_BENCH_CHART not set");
        return;
    };
    let t = std::time::Instant::now();
    let mut files: Vec<(String, String)> = std::fs::read_dir(format!("{dir}/templates"))
        .map(|rd| {
            rd.filter_map(|e| e.ok())
                .filter_map(|e| {
                    let name = e.file_name().to_string_lossy().to_string();
                    std::fs::read_to_string(e.path()).ok().map(|t| (name, t))
                })
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    let read = t.elapsed();
    let t = std::time::Instant::now();
    let mut set = Set::new();
    for (name, text) in &files {
        set.parse(name, text).expect("parse");
    }
    let parsed = t.elapsed();
    let dot = json(
        r#"{"Chart": {"Name": "app", "Version": "1.2.3", "AppVersion": "2.0"},
            "Release": {"Name": "rel", "Namespace": "ns", "Service": "Helm"},
            "Values": {"replicaCount": 3.0, "autoscaling": {"enabled": false},
              "image": {"repository": "nginx", "tag": ""},
              "env": {"A": "1", "B": "two", "C": "three", "D": "4"},
              "resources": {"limits": {"cpu": "100m", "memory": "128Mi"}, "requests": {"cpu": "50m"}},
              "nodeSelector": {"disk": "ssd"}}}"#,
    );
    let t = std::time::Instant::now();
    let mut bytes = 0;
    for (name, _) in files.iter().filter(|(n, _)| !n.starts_with('_')) {
        bytes += set
            .execute(name, dot.clone(), &Options::default())
            .expect("render")
            .len();
    }
    println!(
        "{} files: read {:?}, parse {:?}, render {:?} ({bytes} bytes)",
        files.len(),
        read,
        parsed,
        t.elapsed()
    );
}

/// An error's `extent` is what it is about in the source, from its column:
/// the node, or the failing rest of a chain of fields.
#[test]
fn error_extents_are_in_the_source() {
    let at = |tmpl: &str| {
        render_with("", tmpl, data(), &Options::default())
            .map(|_| None)
            .unwrap_or_else(|e| {
                tmpl.get(e.column - 1..e.column - 1 + e.extent)
                    .map(str::to_string)
            })
    };
    assert_eq!(at("x {{len 3}}").as_deref(), Some("len 3"));
    assert_eq!(at("{{1 | len}}").as_deref(), Some("len"));
    assert_eq!(at("{{ 1 | nope }}").as_deref(), Some("nope"));
    // Go points at the field after the first of a chain.
    assert_eq!(at("{{ .x.y.z }}").as_deref(), Some(".y.z"));
    // Spelt otherwise than Go prints it: one character.
    assert_eq!(at("{{ len   3 }}").as_deref(), Some("l"));
}
