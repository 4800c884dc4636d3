//! Differential test of the executor against a real helm: every row is a
//! template; helm 4.1.4 renders each (as a `define`, included and base64
//! encoded so any text survives its YAML check) over one values file, and
//! this crate renders the same text over the same values read as Helm
//! reads them. Outputs must be identical byte for byte. Skips, saying so,
//! when helm (tests/helm/get-helm.sh) is absent.

use base64::Engine as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use strata_gotemplate::{Options, Set, Value};

const VALUES: &str = r#"s: hello
e: ""
i: 7
z: 0
f: 1.5
big: 1234567890123
small: 0.000012
t: true
f0: false
l: [a, b, c]
il: [1, 2, 3]
el: []
nl: [null, {x: 1}]
m: {b: 2, a: 1, c: {d: deep}}
em: {}
list: [{name: x, port: 80}, {name: y, port: 8080}]
uni: "héllo\u2028wörld\u0085\ttab"
"#;

const ROWS: &[&str] = &[
    // Text, trimming, comments.
    "a {{- 1}} b|a {{1 -}} b|a  \n\t {{- 1 -}} \n b|a {{-1}} b",
    "{{- /* c */ -}}  x|a {{/* comment */}} b|a\n{{- /* multi\nline */ -}}\nb",
    "{{ 1 }}\n{{- 2 }}|{{ 1 -}}\n\n  {{ 2 }}|{{-\n1\n-}}",
    // Literals.
    "{{1}} {{-7}} {{+7}} {{1.5}} {{1.0}} {{1e3}} {{1e6}} {{1e-5}} {{0.0001}} {{-0.0}}",
    "{{0x1F}} {{0X1f}} {{0o17}} {{017}} {{0b101}} {{1_000}} {{0x_1F}} {{'a'}} {{'\\n'}} {{'é'}}",
    "{{\"a\\tb\"}} {{\"\\u00e9\\x41\\101\"}} {{`raw\\n`}} {{true}} {{false}}",
    // Values: Helm's float64 numbers, missing keys, nulls.
    "{{.Values.i}} {{.Values.f}} {{.Values.big}} {{.Values.small}} {{.Values.z}}",
    "{{.Values.s}} {{.Values.missing}} {{.Values.m}} {{.Values.l}} {{.Values.nl}} {{.Values.em}} {{.Values.el}}",
    "{{.Values.m.c.d}} {{(.Values.m).a}} {{(.Values.missing).x}}",
    "{{$x := .Values.missing}}{{$x.y}}|{{$x}}",
    // Variables and scopes.
    "{{$x := 1}}{{if true}}{{$x = 2}}{{$y := 3}}{{$y}}{{end}}{{$x}}",
    "{{$x := 1}}{{with $x := 2}}{{$x}}{{end}}{{$x}}",
    "{{$x := 1}}{{range .Values.l}}{{$x = .}}{{end}}{{$x}}",
    "{{range $i, $v := .Values.l}}{{$i}}{{$v}}{{end}}|{{range $v := .Values.l}}{{$v}}{{end}}",
    "{{range $k, $v := .Values.m}}{{$k}}={{$v}};{{end}}",
    "{{$i := 9}}{{$v := 9}}{{range $i, $v = .Values.l}}{{end}}{{$i}}{{$v}}",
    "{{$.Values.s}} {{with .Values.m}}{{$.Values.s}}{{.a}}{{end}}",
    // Conditionals.
    "{{if .Values.z}}y{{else if .Values.i}}i{{else}}n{{end}}",
    "{{if .Values.e}}y{{else}}n{{end}}{{if .Values.el}}y{{else}}n{{end}}{{if .Values.em}}y{{else}}n{{end}}{{if .Values.missing}}y{{else}}n{{end}}",
    "{{with .Values.z}}a{{else with .Values.i}}{{.}}{{end}}|{{with .Values.e}}a{{else with .Values.s}}{{.}}{{else}}c{{end}}",
    "{{with $x := 0}}a{{else with $y := 2}}{{$y}}{{end}}|{{with 0}}a{{else}}b{{end}}",
    // Range.
    "{{range .Values.il}}[{{.}}]{{end}}|{{range .Values.el}}x{{else}}empty{{end}}|{{range .Values.missing}}x{{else}}none{{end}}",
    "{{range .Values.m}}{{.}},{{end}}|{{range 3}}{{.}}{{end}}|{{range $i := 2}}{{$i}}{{end}}|{{range 0}}x{{else}}none{{end}}",
    "{{range .Values.l}}{{if eq . \"b\"}}{{break}}{{end}}{{.}}{{end}}|{{range .Values.l}}{{if eq . \"b\"}}{{continue}}{{end}}{{.}}{{end}}",
    "{{range .Values.list}}{{.name}}:{{.port}} {{end}}",
    "{{range $i, $_ := .Values.il}}{{range $.Values.l}}{{if eq . \"b\"}}{{break}}{{end}}{{.}}{{end}}{{end}}",
    // Logic and comparison.
    "{{and 1 0}}|{{or 0 \"\"}}|{{and 1 2}}|{{or 0 3}}|{{and 0 (fail \"x\")}}|{{or 1 (fail \"x\")}}|{{0 | and 1}}",
    "{{and .Values.l .Values.m}}|{{or .Values.missing .Values.e \"d\"}}|{{not 0}} {{not .Values.s}} {{not .Values.missing}}",
    "{{eq 1 1}} {{eq 1 2}} {{eq \"a\" \"a\"}} {{eq .Values.s \"hello\"}} {{eq .Values.t true}} {{eq 1 2 3 1}} {{eq .Values.f 1.5}}",
    "{{eq .Values.missing \"x\"}} {{ne 1 2}} {{lt 1 2}} {{le 2 2}} {{gt 1 2}} {{ge 2 2}} {{lt \"a\" \"b\"}} {{gt 2.5 1.5}} {{eq .Values.i 7.0}}",
    // index, len.
    "{{index .Values.l 1}} {{index .Values.m \"a\"}} {{index .Values.m \"c\" \"d\"}} {{index .Values.l}} {{index .Values.m \"zz\"}} {{index .Values.s 1}}",
    "{{len .Values.s}} {{len .Values.l}} {{len .Values.m}} {{len .Values.em}} {{len .Values.uni}}",
    // Printing builtins.
    "{{print 1 2 \"a\" 3 \"b\" \"c\"}}|{{print nil 1 \"a\"}}|{{print}}|{{println 1 \"a\"}}|{{print .Values.f .Values.i}}",
    "{{3 | printf \"%d %d\" 1}}|{{html \"<a&\\\"'>\"}}|{{html nil}}|{{html 1 2}}|{{js \"<a href=\\\"x\\\">&'b=c\\n\"}}|{{urlquery \"a b&c=d/é\"}}",
    "{{js .Values.uni}}|{{html .Values.uni}}|{{urlquery .Values.uni}}",
    // printf verbs.
    "{{printf \"%d %s\" 1}}|{{printf \"%d\" 1 2}}|{{printf \"%!\"}}|{{printf \"%z\" 1}}|{{printf \"%\"}}|{{printf \"%[2]d %[1]d\" 1 2}}|{{printf \"%*d\" 5 3}}|{{printf \"%[3]d\" 1}}|{{printf \"%-*d|\" -4 3}}",
    "{{printf \"%05s|%-5s|%5.1q|%x|% x|%#x|%U|%#U|%c|%08.3f|%+d|%e|%g|%G|%.3g|%10.4v|%t|%o|%#o|%b|%X\" \"ab\" \"ab\" \"abc\" 255 \"hi\" \"hi\" 0x41 0x41 65 3.14159 5 1234.5678 0.00001234 1e20 3.14159 3.14159 true 8 8 5 \"hi\"}}",
    "{{printf \"%s\" (list 1 \"a\")}}|{{printf \"%d\" (list 1 \"a\")}}|{{printf \"%#v\" (list 1 \"a\" nil)}}|{{printf \"%T\" nil}}|{{printf \"%d\" nil}}",
    "{{printf \"%.2f %6.2f %-8.3e| %g %g %g %v %v\" 2.675 3.14159 1234.5678 100000.0 1000000.0 0.0001 0.00001 1e21}}",
    "{{printf \"%x %X %o %b %c %q %U\" -255 255 -8 -5 0x1F600 0x1F600 0x1F600}}",
    "{{printf \"%q\" .Values.uni}}|{{printf \"%+q %#q %#q\" \"é\" \"a`b\" \"ab\"}}|{{printf \"%x %X % X\" .Values.uni \"hi\" \"hi\"}}",
    "{{printf \"%6.2v|%-6v|%06d|%+.2e|% d|%x\" \"abc\" true -42 12345.678 5 1.5}}",
    "{{printf \"%v %v %v %v\" .Values.m .Values.l .Values.missing .Values.f}}|{{printf \"%d\" .Values.i}}|{{printf \"%v\" .Values.i}}",
    "{{printf \"%T %T %T %T %T %T\" 1 .Values.f \"s\" .Values.t .Values.l .Values.m}}",
    "{{printf \"%.0f %.1f %.3e %.10g %g %e\" 2.5 0.05 0.0 0.1 .Values.big .Values.small}}",
    "{{printf \"%v %v %v %v %v\" 1e100 123456789.0 0.000001 100000.0 1234567.0}}",
    "{{printf \"%%|%5%|%c|%q|%q\" 0x110000 39 .Values.i}}",
    "{{printf \"%v|%+v|%#v|%#v|%#v\" .Values.t 7 \"s\" 1.0 .Values.m}}",
    "{{printf \"%5v|%-3v|%05v|%x|%X\" (list 1 2) 1 .Values.l .Values.l .Values.f}}",
    "{{printf \"%.2s|%.0d|%.3d|%+.3d|%8.3f|%-8.2f|%+08.2f\" \"héllo\" 0 7 7 -3.14159 2.5 2.5}}",
    "{{printf \"%s %v %d\" .Values.em .Values.el .Values.il}}|{{printf \"%q\" .Values.l}}",
    "{{printf \"%t %t %v\" .Values.f0 1 .Values.nl}}",
    "{{printf \"%e %E %.0e %#g %#.3g %g\" 0.0 123456.0 5.5 1.0 2.0 -0.0}}",
    "{{printf \"%08b|%o|%O|%#X|%x\" 5 64 64 3054 -1}}",
    // include and tpl (defines live in the rows' own helper file).
    "{{include \"show\" 5}}|{{include \"show\" .Values.s | printf \"%q\"}}|{{tpl \"{{ .Values.s }}{{ .Values.missing }}\" .}}",
    "{{tpl \"{{ include \\\"show\\\" 1 }}\" .}}|{{tpl \"{{ define \\\"q\\\" }}Q{{ end }}{{ template \\\"q\\\" }}\" .}}|{{tpl \"{{ tpl \\\"{{ 1 }}\\\" . }}\" .}}",
    "{{template \"show\" .Values.s}}|{{block \"blk\" .Values.i}}<{{.}}>{{end}}",
    "{{required \"need\" .Values.s}} {{required \"need\" 0}} {{.Values.s | required \"need\"}}",
];

const HELPERS: &str = "{{- define \"show\" }}[{{ . }}]{{ end -}}";

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

#[test]
fn executor_matches_helm() {
    let helm = root().join("target/helm/helm");
    if !helm.exists() {
        println!("skipped: no helm at target/helm/helm (run tests/helm/get-helm.sh)");
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let chart = tmp.path().join("probe");
    std::fs::create_dir_all(chart.join("templates")).unwrap();
    std::fs::write(
        chart.join("Chart.yaml"),
        "apiVersion: v2\nname: probe\nversion: 0.1.0\n",
    )
    .unwrap();
    let mut defs = String::from(HELPERS);
    let mut file = String::new();
    for (i, row) in ROWS.iter().enumerate() {
        defs.push_str(&format!(
            "{{{{- define \"r{i}\" -}}}}{row}{{{{- end -}}}}\n"
        ));
        file.push_str(&format!("#R{i} {{{{ include \"r{i}\" . | b64enc }}}}\n"));
    }
    std::fs::write(chart.join("templates/_rows.tpl"), &defs).unwrap();
    std::fs::write(chart.join("templates/rows.yaml"), &file).unwrap();
    let values = tmp.path().join("values.yaml");
    std::fs::write(&values, VALUES).unwrap();
    let out = Command::new(&helm)
        .args(["template", "x"])
        .arg(&chart)
        .arg("-f")
        .arg(&values)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    let mut want = vec![None; ROWS.len()];
    for line in stdout.lines() {
        if let Some(rest) = line.strip_prefix("#R") {
            let (i, b) = rest.split_once(' ').unwrap();
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(b.trim())
                .unwrap();
            want[i.parse::<usize>().unwrap()] = Some(String::from_utf8(bytes).unwrap());
        }
    }
    let vals = strata_gotemplate::data::from_yaml(VALUES).unwrap();
    let dot = Value::map([("Values".to_string(), vals)].into_iter().collect());
    let mut failures = Vec::new();
    for (i, row) in ROWS.iter().enumerate() {
        let mut set = Set::new();
        set.parse("_rows.tpl", HELPERS).unwrap();
        let got = set
            .parse("row", row)
            .and_then(|()| set.execute("row", dot.clone(), &Options::default()))
            .map_err(|e| e.go_string());
        if got.as_ref().ok() != want[i].as_ref() {
            failures.push(format!(
                "row {i}: {row:?}\n  helm: {:?}\n  ours: {got:?}",
                want[i]
            ));
        }
    }
    println!("{} rows compared with helm", ROWS.len());
    assert!(
        failures.is_empty(),
        "{} of {} rows differ:\n{}",
        failures.len(),
        ROWS.len(),
        failures.join("\n")
    );
}
