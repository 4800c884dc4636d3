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
        ("{{slice .l 1}} {{slice .l 1 2}} {{slice .l}} {{slice .s 1 3}}", Ok("[b c] [b] [a b c] el")),
        ("{{slice .l 2 1}}", Err("template: t:1:2: executing \"t\" at <slice .l 2 1>: error calling slice: invalid slice index: 2 > 1")),
        ("{{slice .s 1 2 3}}", Err("template: t:1:2: executing \"t\" at <slice .s 1 2 3>: error calling slice: cannot 3-index slice a string")),
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
        ("{{printf 1}}", Err("template: t:1:9: executing \"t\" at <1>: wrong type for value; expected string; got int")),
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
