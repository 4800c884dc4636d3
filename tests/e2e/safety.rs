//! Issue #12: strata never deletes a user's files, never writes outside the
//! chart, never crashes, never prints a secret. One test per defect; each
//! checks the exit code, the message, and that nothing was written, removed
//! or leaked.

use std::path::Path;

use crate::util::*;

/// A small Jinja chart `svc` in a scratch folder, with `files` over it.
fn svc(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempdir();
    let base: &[(&str, &str)] = &[
        (
            "svc/Chart.yaml",
            "apiVersion: v2\nname: svc\nversion: 1.0.0\n",
        ),
        ("svc/values.yaml", "name: x\n"),
        (
            "svc/templates/cm.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ values.name }}\n",
        ),
        ("svc/environments/dev.yaml", "name: d\n"),
    ];
    for (file, text) in base.iter().chain(files) {
        let p = dir.path().join(file);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(p, text).expect("write");
    }
    dir
}

fn run_in(dir: &Path, args: &[&str]) -> Run {
    strata_in(dir, args, None)
}

fn read(p: impl AsRef<Path>) -> String {
    std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{e}"))
}

// ---- data loss: --output-dir -------------------------------------------

#[test]
fn output_dir_never_replaces_the_charts_own_folder() {
    let tmp = svc(&[("svc/.git/HEAD", "ref: refs/heads/main\n")]);
    let before = list_files(tmp.path());
    let run = run_in(
        tmp.path(),
        &["render", "svc", "--env", "dev", "--output-dir", "."],
    );
    run.code(2).no_stdout().stderr_has(
        "./svc holds a chart's sources (Chart.yaml): refusing to write rendered files there",
    );
    assert_eq!(
        list_files(tmp.path()),
        before,
        "something was written or removed"
    );
    // Nor a folder above the chart under another name.
    let run = run_in(
        tmp.path(),
        &[
            "render",
            "svc/templates/..",
            "--env",
            "dev",
            "--output-dir",
            "svc/..",
        ],
    );
    run.code(2)
        .no_stdout()
        .stderr_has("refusing to write rendered files");
    assert_eq!(list_files(tmp.path()), before);
}

#[test]
fn output_dir_keeps_files_it_did_not_write_and_prunes_its_own() {
    let tmp = svc(&[(
        "svc/templates/extra.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: extra\n",
    )]);
    run_in(
        tmp.path(),
        &["render", "svc", "--env", "dev", "--output-dir", "out"],
    )
    .code(0);
    std::fs::write(
        tmp.path().join("out/svc/kustomization.yaml"),
        "resources: []\n",
    )
    .expect("write");
    std::fs::remove_file(tmp.path().join("svc/templates/extra.yaml")).expect("rm");
    let run = run_in(
        tmp.path(),
        &["render", "svc", "--env", "dev", "--output-dir", "out"],
    );
    run.code(0)
        .stdout_has("removed out/svc/templates/extra.yaml\n");
    assert_eq!(
        list_files(&tmp.path().join("out")),
        [
            "svc/.strata-output.json",
            "svc/kustomization.yaml",
            "svc/templates/cm.yaml"
        ]
    );
    assert_eq!(
        read(tmp.path().join("out/svc/kustomization.yaml")),
        "resources: []\n"
    );
    // A template that would write over the user's file is refused.
    std::fs::write(
        tmp.path().join("svc/templates/kustomization.yaml"),
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: k\n",
    )
    .expect("write");
    std::fs::write(
        tmp.path().join("out/svc/templates/kustomization.yaml"),
        "mine\n",
    )
    .expect("write");
    let run = run_in(
        tmp.path(),
        &["render", "svc", "--env", "dev", "--output-dir", "out"],
    );
    run.code(2).no_stdout().stderr_has(
        "out/svc/templates/kustomization.yaml: the file exists and strata did not write it",
    );
    assert_eq!(
        read(tmp.path().join("out/svc/templates/kustomization.yaml")),
        "mine\n"
    );
}

#[test]
fn output_dir_leaves_no_staging_folder_and_never_removes_the_chart_folder() {
    let tmp = svc(&[]);
    for _ in 0..2 {
        run_in(
            tmp.path(),
            &["render", "svc", "--env", "dev", "--output-dir", "out"],
        )
        .code(0);
        let mut names: Vec<String> = std::fs::read_dir(tmp.path().join("out"))
            .expect("read_dir")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        assert_eq!(names, ["svc"]);
        let inside: Vec<String> = list_files(&tmp.path().join("out/svc"));
        assert_eq!(inside, [".strata-output.json", "templates/cm.yaml"]);
    }
}

// ---- writing outside the chart: environment names ----------------------

#[test]
fn environment_names_and_namespaces_are_dns_labels() {
    let cases: &[(&str, &str, &str)] = &[
        (
            "\"../../outside\": {}",
            "\"../../outside\" is not a valid environment name: it has '/', '\\' or '.' (a path?)",
            "3",
        ),
        ("a/b:", "\"a/b\" is not a valid environment name", "3"),
        ("\"..\":", "\"..\" is not a valid environment name", "3"),
        (
            "my env:",
            "\"my env\" is not a valid environment name: it has spaces",
            "3",
        ),
        (
            "PROD:",
            "\"PROD\" is not a valid environment name: it has upper-case letters",
            "3",
        ),
        (
            "\"\":",
            "\"\" is not a valid environment name: it is empty",
            "3",
        ),
        (
            "dev: {namespace: \"Bad Namespace!/..\"}",
            "environment \"dev\": namespace \"Bad Namespace!/..\" is not a valid namespace",
            "3",
        ),
    ];
    for (decl, message, line) in cases {
        let tmp = svc(&[(
            "svc/environments.yaml",
            &format!("environments:\n  ok: {{}}\n  {decl}\npromotion: [ok]\n"),
        )]);
        let before = list_files(tmp.path());
        for cmd in [
            &["render", "svc", "--env", "ok"][..],
            &["envs", "svc"][..],
            &["lint", "svc"][..],
        ] {
            let run = run_in(tmp.path(), cmd);
            run.code(1)
                .stderr_has(message)
                .stderr_has(&format!("environments.yaml:{line}:"))
                .stderr_has("DNS-1123");
            assert!(!run.stdout.contains("Bad Namespace"), "{}", run.stdout);
        }
        assert_eq!(list_files(tmp.path()), before);
    }
    // A file name declares an environment too.
    let tmp = svc(&[("svc/environments/My Env.yaml", "name: y\n")]);
    run_in(tmp.path(), &["envs", "svc"])
        .code(1)
        .stderr_has("environments/My Env.yaml: \"My Env\" is not a valid environment name");
}

#[test]
fn promote_cannot_write_outside_the_chart() {
    let tmp = svc(&[
        (
            "svc/environments.yaml",
            "environments:\n  dev: {}\n  \"../../outside\": {}\npromotion: [dev]\npromote: [name]\n",
        ),
        ("outside.yaml", "precious: true\n"),
    ]);
    let run = run_in(
        tmp.path().join("svc").as_path(),
        &["promote", ".", "--from", "dev", "--to", "../../outside"],
    );
    run.code(1)
        .no_stdout()
        .stderr_has("is not a valid environment name");
    assert_eq!(read(tmp.path().join("outside.yaml")), "precious: true\n");
    let tmp = svc(&[]);
    let run = run_in(
        tmp.path(),
        &[
            "render",
            "svc",
            "--env",
            "dev",
            "--namespace",
            "Bad Namespace!/..",
        ],
    );
    run.code(2)
        .no_stdout()
        .stderr_has("--namespace \"Bad Namespace!/..\" is not a valid namespace");
}

// ---- promote loses no data ---------------------------------------------

/// A chart promoting `image.tag` from dev to prod; prod's file is `prod`.
fn promo(prod: &str) -> tempfile::TempDir {
    svc(&[
        (
            "svc/environments.yaml",
            "environments:\n  dev: {}\n  prod: {}\npromotion: [dev, prod]\npromote: [image.tag]\n",
        ),
        (
            "svc/values.yaml",
            "name: x\nimage:\n  tag: \"0\"\nother:\n  tag: \"0\"\n",
        ),
        ("svc/environments/dev.yaml", "image:\n  tag: \"2.0\"\n"),
        ("svc/environments/prod.yaml", prod),
    ])
}

#[test]
fn promote_refuses_to_edit_an_aliased_anchor() {
    let text = "image: &img\n  tag: \"1.0\"\nother: *img\n";
    let tmp = promo(text);
    let run = run_in(tmp.path(), &["promote", "svc", "--to", "prod"]);
    run.code(1)
        .no_stdout()
        .stderr_has("image.tag: refusing to edit a YAML anchor that other keys alias")
        .stderr_has("--> svc/environments/prod.yaml:1:1")
        .stderr_has("aliased at svc/environments/prod.yaml:3");
    assert_eq!(read(tmp.path().join("svc/environments/prod.yaml")), text);
}

#[cfg(unix)]
#[test]
fn promote_writes_through_links_and_keeps_bom_and_crlf() {
    let tmp = promo("");
    let prod = tmp.path().join("svc/environments/prod.yaml");
    let real = tmp.path().join("svc/shared/prod.yaml");
    std::fs::create_dir_all(real.parent().expect("parent")).expect("mkdir");
    std::fs::write(&real, b"\xEF\xBB\xBFimage:\r\n  tag: \"1.0\"\r\n").expect("write");
    std::fs::remove_file(&prod).expect("rm");
    std::os::unix::fs::symlink("../shared/prod.yaml", &prod).expect("symlink");
    let hard = tmp.path().join("hard.yaml");
    std::fs::hard_link(&real, &hard).expect("hard link");
    let run = run_in(tmp.path(), &["promote", "svc", "--to", "prod"]);
    run.code(0).stdout_has("image.tag: \"1.0\" -> \"2.0\"");
    assert!(std::fs::symlink_metadata(&prod)
        .expect("meta")
        .file_type()
        .is_symlink());
    let want: &[u8] = b"\xEF\xBB\xBFimage:\r\n  tag: \"2.0\"\r\n";
    assert_eq!(std::fs::read(&real).expect("read"), want);
    // The hard link sees the edit: it was not split.
    assert_eq!(std::fs::read(&hard).expect("read"), want);
}

// ---- crashes: the template budget --------------------------------------

/// Render (and lint) a chart whose only template is `template`: exit 1,
/// `message` on stderr, never a signal, nothing on stdout.
#[track_caller]
fn refused_template(template: &str, message: &str) {
    let tmp = svc(&[("svc/templates/cm.yaml", template)]);
    let start = std::time::Instant::now();
    let run = run_in(tmp.path(), &["render", "svc", "--env", "dev"]);
    run.code(1)
        .no_stdout()
        .stderr_has(message)
        .stderr_has("templates/cm.yaml:1:");
    let run = run_in(tmp.path(), &["lint", "svc"]);
    run.code(1).stderr_has(message);
    assert!(
        start.elapsed() < std::time::Duration::from_secs(30),
        "took {:?}",
        start.elapsed()
    );
}

#[test]
fn a_namespace_that_contains_itself_is_an_error_not_an_abort() {
    for filter in ["tojson", "string", "toyaml", "pprint"] {
        refused_template(
            &format!("{{% set ns = namespace() %}}{{% set ns.x = ns %}}{{{{ ns | {filter} }}}}"),
            "the value assigned to x holds the namespace itself; a namespace cannot contain itself",
        );
    }
    // Through another namespace, or inside a list: still refused (comparing
    // two such namespaces recursed forever).
    refused_template(
        "{% set a = namespace() %}{% set b = namespace() %}{% set a.x = b %}{% set b.x = [1, {'k': a}] %}{{ a == b }}",
        "the value assigned to x holds the namespace itself",
    );
}

#[test]
fn a_list_nested_20000_deep_is_an_error() {
    refused_template(
        "{% set ns = namespace(l=[]) %}{% for i in range(20000) %}{% set ns.l = [ns.l] %}{% endfor %}{{ ns.l | tojson }}",
        "the value assigned to l nests deeper than 256 levels",
    );
}

#[test]
fn strings_and_lists_doubled_in_a_loop_stop_at_the_limit() {
    refused_template(
        "{% set ns = namespace(s='x') %}{% for i in range(64) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}{{ ns.s }}",
        "over the limit of 33554432 bytes",
    );
    refused_template(
        "{% set ns = namespace(l=[1]) %}{% for i in range(64) %}{% set ns.l = ns.l + ns.l %}{% endfor %}{{ ns.l | length }}",
        "the list built here would have 1048576 items, over the limit of 1000000",
    );
    refused_template(
        "{% macro d(s, n) %}{% if n > 0 %}{{ d(s ~ s, n - 1) }}{% endif %}{% endmacro %}{{ d('x', 60) }}",
        "over the limit of 33554432 bytes",
    );
    refused_template(
        "{% set s = 'x' * 20000000 %}{% for i in range(100) %}{% set t = s ~ i %}{{ t | length }}{% endfor %}",
        "built more than 536870912 bytes of strings in all",
    );
}

#[test]
fn filters_with_huge_results_stop_at_the_limit() {
    refused_template(
        "{{ ('x' * 10000000) | replace('x', 'yyyyyyyyyyyyyyyyyy') | length }}",
        "replace: the result would be 180000000 bytes, over the limit of 33554432 bytes",
    );
    refused_template(
        "{{ ([('y' * 50000)] * 1000) | join(',') | length }}",
        "join: the result would be",
    );
    refused_template(
        "{{ '%999999999s' | format(1) }}",
        "format: a field width or precision over 1000000 is refused",
    );
    refused_template(
        "{{ 'a\\nb' | indent(1000000000000) }}",
        "indent: the result would be 2000000000003 bytes",
    );
    refused_template(
        "{{ [1] | batch(1000000000, 0) | length }}",
        "batch(1000000000): over the limit",
    );
}

#[test]
fn a_template_printing_too_much_stops() {
    let tmp = svc(&[(
        "svc/templates/cm.yaml",
        "{% set s = 'x' * 30000000 %}{% for i in range(100) %}{{ s }}{% endfor %}",
    )]);
    run_in(tmp.path(), &["render", "svc", "--env", "dev"])
        .code(1)
        .no_stdout()
        .stderr_has("cm.yaml: the template's output is over the limit of 67108864 bytes");
}

#[test]
fn files_glob_with_many_stars_is_fast() {
    let name = format!("{}.txt", "a".repeat(40));
    let tmp = svc(&[
        (
            "svc/templates/cm.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: g\ndata:\n  n: \"{{ files.glob('*a*a*a*a*a*a*a*a*a*b') | length }}\"\n",
        ),
        (&format!("svc/config/{name}"), "x"),
        (&format!("svc/{name}"), "x"),
    ]);
    let start = std::time::Instant::now();
    run_in(tmp.path(), &["render", "svc", "--env", "dev"])
        .code(0)
        .stdout_has("n: \"0\"");
    assert!(start.elapsed() < std::time::Duration::from_secs(5));
}

// ---- unbounded reads ----------------------------------------------------

/// Run strata in `dir` with standard input read from `stdin`.
fn run_with_stdin_file(dir: &Path, args: &[&str], stdin: &Path) -> Run {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_strata"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .stdin(std::fs::File::open(stdin).expect("open stdin"))
        .output()
        .expect("run strata");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

#[cfg(unix)]
#[test]
fn endless_inputs_stop_at_the_input_limit() {
    let tmp = svc(&[]);
    run_in(
        tmp.path(),
        &["render", "svc", "--env", "dev", "-f", "/dev/zero"],
    )
    .code(1)
    .no_stdout()
    .stderr_has(
        "error[values]: values file /dev/zero: larger than 64 MiB, the limit for one input",
    );
    run_in(
        tmp.path(),
        &["render", "svc", "--env", "dev", "--set-file", "a=/dev/zero"],
    )
    .code(1)
    .no_stdout()
    .stderr_has("--set-file a=/dev/zero: /dev/zero: larger than 64 MiB, the limit for one input");
    run_with_stdin_file(
        tmp.path(),
        &["render", "svc", "--env", "dev", "-f", "-"],
        Path::new("/dev/zero"),
    )
    .code(1)
    .no_stdout()
    .stderr_has("error[values]: <stdin>: larger than 64 MiB, the limit for one input");
}

#[test]
fn set_file_dash_reads_standard_input() {
    let tmp = svc(&[]);
    let run = strata_in(
        tmp.path(),
        &["values", "svc", "--env", "dev", "--set-file", "note=-"],
        Some("from stdin\n"),
    );
    run.code(0).stdout_has("note: |\n  from stdin\n");
}

// ---- secrets never printed ----------------------------------------------

/// A chart with secrets (`writeOnly`): a list of tokens, a password in a
/// map with a `maxProperties` rule, and a template printing encoded copies.
fn secrets_chart() -> tempfile::TempDir {
    svc(&[
        (
            "svc/values.schema.json",
            r#"{"type":"object","properties":{
 "tokens":{"type":"array","items":{"type":"string","writeOnly":true}},
 "db":{"type":"object","maxProperties":2,"properties":{"password":{"type":"string","writeOnly":true}}},
 "image":{"type":"object"}
}}"#,
        ),
        ("svc/values.yaml", "name: x\nimage:\n  tag: \"1\"\n"),
        (
            "svc/templates/cm.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  enc: {{ (values.db.password | default('')) | b64encode }}\n  tok: {{ values.tokens | default([]) | join(',') | b64encode }}\n  tag: {{ values.image.tag | quote }}\n",
        ),
        (
            "svc/environments.yaml",
            "environments:\n  dev: {}\n  prod: {}\npromotion: [dev, prod]\npromote: [image.tag]\n",
        ),
        (
            "svc/environments/dev.yaml",
            "image:\n  tag: \"2\"\ntokens: [ SEKRET-TOKEN-1 ]\ndb:\n  password: SEKRET-PW-DEV\n",
        ),
        (
            "svc/environments/prod.yaml",
            "image:\n  tag: \"1\"\ntokens:\n- SEKRET-TOKEN-2\ndb:\n  password: SEKRET-PW-PROD\n  user: x\n",
        ),
    ])
}

/// Every form of every secret text that must never be printed.
fn leaked(run: &Run) -> Vec<String> {
    use base64::Engine as _;
    let texts = [
        "SEKRET-TOKEN-1",
        "SEKRET-TOKEN-2",
        "SEKRET-PW-DEV",
        "SEKRET-PW-PROD",
        "SEKRET-SET",
        "SEKRET-JSON",
        "SEKRET-MAXP",
    ];
    let mut forms: Vec<String> = texts.iter().map(|t| t.to_string()).collect();
    forms.extend(
        texts
            .iter()
            .map(|t| base64::engine::general_purpose::STANDARD.encode(t)),
    );
    forms.push("SEKRET".to_string());
    forms
        .into_iter()
        .filter(|f| run.stdout.contains(f.as_str()) || run.stderr.contains(f.as_str()))
        .collect()
}

#[test]
fn secrets_are_never_printed() {
    let tmp = secrets_chart();
    let before = list_files(tmp.path());
    let cases: &[(&[&str], i32)] = &[
        (&["values", "svc", "--env", "dev"], 0),
        (&["values", "svc", "--env", "dev", "--explain"], 0),
        (&["values", "svc", "--env", "dev", "--output", "json"], 0),
        (
            &[
                "values",
                "svc",
                "--env",
                "dev",
                "--explain",
                "--output",
                "json",
            ],
            0,
        ),
        (
            &["diff", "svc", "--env", "dev", "--env", "prod", "--values"],
            0,
        ),
        (&["diff", "svc", "--env", "dev", "--env", "prod"], 0),
        (&["parity", "svc"], 1),
        (&["parity", "svc", "--output", "json"], 1),
        (&["promote", "svc", "--to", "prod", "--dry-run"], 0),
        (
            &[
                "values",
                "svc",
                "--env",
                "dev",
                "--set",
                "db.password=SEKRET-SET,image.x=1",
                "--explain",
            ],
            0,
        ),
        (
            &[
                "values",
                "svc",
                "--env",
                "dev",
                "--set-json",
                r#"{"db":{"password":"SEKRET-JSON"}}"#,
                "--explain",
            ],
            0,
        ),
        (
            &[
                "values",
                "svc",
                "--env",
                "dev",
                "--set",
                "db.a=1,db.b=SEKRET-MAXP",
            ],
            1,
        ),
    ];
    for (args, code) in cases {
        let run = run_in(tmp.path(), args);
        assert_eq!(run.code, *code, "{args:?}\n{}\n{}", run.stdout, run.stderr);
        assert_eq!(
            leaked(&run),
            Vec::<String>::new(),
            "{args:?} leaked:\n{}\n{}",
            run.stdout,
            run.stderr
        );
    }
    assert_eq!(list_files(tmp.path()), before, "nothing written");
    // What is shown instead.
    let run = run_in(
        tmp.path(),
        &[
            "values",
            "svc",
            "--env",
            "dev",
            "--set",
            "db.password=SEKRET-SET,image.x=1",
            "--explain",
        ],
    );
    run.stdout_has("db.password: \"<redacted>\"  # --set db.password=<redacted>\n")
        .stdout_has("image.x: 1  # --set image.x=…\n")
        .stdout_has("tokens: \"<redacted>\"");
    let run = run_in(
        tmp.path(),
        &[
            "values",
            "svc",
            "--env",
            "dev",
            "--set",
            "db.a=1,db.b=SEKRET-MAXP",
        ],
    );
    run.stderr_has("error[schema]: db: <redacted> has more than 2 properties")
        .stderr_has("rule: values.schema.json#/properties/db/maxProperties");
    let run = run_in(tmp.path(), &["promote", "svc", "--to", "prod", "--dry-run"]);
    run.stdout_has("-  tag: \"1\"\n+  tag: \"2\"\n")
        .stdout_has(" - <redacted>\n");
}

// ---- corrupt archives ----------------------------------------------------

#[test]
fn a_truncated_or_corrupt_archive_is_refused() {
    let tmp = svc(&[]);
    run_in(tmp.path(), &["package", "svc", "-d", "pk"]).code(0);
    let good = std::fs::read(tmp.path().join("pk/svc-1.0.0.tgz")).expect("read");
    let cut = &good[..good.len() - 4];
    std::fs::write(tmp.path().join("cut.tgz"), cut).expect("write");
    let mut crc = good.clone();
    let n = crc.len();
    crc[n - 8..n - 4].copy_from_slice(&[0, 0, 0, 0]);
    std::fs::write(tmp.path().join("crc.tgz"), &crc).expect("write");
    run_in(tmp.path(), &["render", "cut.tgz", "--env", "dev"])
        .code(1)
        .no_stdout()
        .stderr_has("error[archive]: cut.tgz: archive is not a valid gzip-compressed tar: the gzip stream is truncated or corrupt: unexpected end of file");
    run_in(tmp.path(), &["render", "crc.tgz", "--env", "dev"])
        .code(1)
        .no_stdout()
        .stderr_has("error[archive]: crc.tgz: archive is not a valid gzip-compressed tar: the gzip stream is truncated or corrupt")
        .stderr_has("checksum");
    // A tar without its end-of-archive blocks, in a whole gzip stream.
    let mut tar = Vec::new();
    flate2::read::GzDecoder::new(&good[..]).read_to_end_into(&mut tar);
    // strata's archives end with exactly the two 512-byte zero blocks.
    assert!(tar[tar.len() - 1024..].iter().all(|b| *b == 0));
    let entries_end = tar.len() - 1024;
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    std::io::Write::write_all(&mut gz, &tar[..entries_end]).expect("gz");
    let no_end = gz.finish().expect("gz");
    std::fs::write(tmp.path().join("noend.tgz"), no_end).expect("write");
    run_in(tmp.path(), &["render", "noend.tgz", "--env", "dev"])
        .code(1)
        .no_stdout()
        .stderr_has("the tar stream ends without its end-of-archive block");
    // The good archive still renders.
    run_in(tmp.path(), &["render", "pk/svc-1.0.0.tgz", "--env", "dev"]).code(0);
}

trait ReadAll {
    fn read_to_end_into(self, out: &mut Vec<u8>);
}

impl<R: std::io::Read> ReadAll for R {
    fn read_to_end_into(mut self, out: &mut Vec<u8>) {
        self.read_to_end(out).expect("read");
    }
}

// ---- output, I/O errors, messages ---------------------------------------

#[cfg(target_os = "linux")]
#[test]
fn a_closed_standard_output_is_an_error() {
    let tmp = svc(&[]);
    let out = std::process::Command::new("sh")
        .arg("-c")
        .arg("exec \"$0\" render svc --env dev >&-")
        .arg(env!("CARGO_BIN_EXE_strata"))
        .current_dir(tmp.path())
        .env("NO_COLOR", "1")
        .output()
        .expect("run");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("error[io]: standard output is not open"),
        "{stderr}"
    );
    // /dev/null (opened for writing, or read-write as Python's
    // subprocess.DEVNULL and systemd open it) and a pipe closed early
    // (`| head`) stay fine.
    let out = std::process::Command::new("sh")
        .arg("-c")
        .arg("\"$0\" render svc --env dev >/dev/null && \"$0\" render svc --env dev 1<>/dev/null && \"$0\" render svc --env dev | head -c 1 >/dev/null")
        .arg(env!("CARGO_BIN_EXE_strata"))
        .current_dir(tmp.path())
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(0));
}

#[cfg(unix)]
#[test]
fn an_unreadable_chart_is_an_io_error() {
    let tmp = svc(&[]);
    // A FIFO where Chart.yaml should be: an I/O error, not "no Chart.yaml"
    // (and no hang reading it).
    let fifo = tmp.path().join("ff");
    std::fs::create_dir_all(&fifo).expect("mkdir");
    let made = std::process::Command::new("mkfifo")
        .arg(fifo.join("Chart.yaml"))
        .status()
        .map(|s| s.success())
        .unwrap_or(false);
    if made {
        run_in(tmp.path(), &["render", "ff"])
            .code(2)
            .stderr_has("error[io]: ff/Chart.yaml: not a regular file");
    }
    use std::os::unix::fs::PermissionsExt;
    let locked = tmp.path().join("svc");
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).expect("chmod");
    let readable = std::fs::read_dir(&locked).is_ok();
    let run = run_in(tmp.path(), &["render", "svc", "--env", "dev"]);
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    if readable {
        eprintln!("running as root: chmod 000 does not stop reading; permission case skipped");
    } else {
        run.code(2).stderr_has("permission denied");
        assert!(!run.stderr.contains("no Chart.yaml"), "{}", run.stderr);
    }
}

#[test]
fn an_error_on_a_huge_line_is_shown_cut() {
    let tmp = svc(&[]);
    let line = format!("a: {}{}\n", "[".repeat(100_000), "]".repeat(99_999));
    std::fs::write(tmp.path().join("big.yaml"), line).expect("write");
    let run = run_in(
        tmp.path(),
        &["render", "svc", "--env", "dev", "-f", "big.yaml"],
    );
    run.code(1)
        .no_stdout()
        .stderr_has("big.yaml:1:")
        .stderr_has("…");
    assert!(
        run.stderr.len() < 2000,
        "{} bytes of stderr",
        run.stderr.len()
    );
}

#[test]
fn quote_escapes_as_gos_percent_q() {
    let tmp = svc(&[(
        "svc/templates/cm.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: q\ndata:\n  q: {{ values.s | quote }}\n",
    )]);
    let run = run_in(
        tmp.path(),
        &[
            "render",
            "svc",
            "--env",
            "dev",
            "--set-string",
            "s=a\u{85}b\u{2028}c\u{2029}d",
        ],
    );
    run.code(0)
        .stdout_has("  q: \"a\\u0085b\\u2028c\\u2029d\"\n");
}

#[test]
fn a_long_extends_chain_resolves_quickly() {
    let mut envs = String::from("environments:\n  e0: {}\n");
    for i in 1..2000 {
        envs.push_str(&format!("  e{i}: {{extends: e{}}}\n", i - 1));
    }
    let tmp = svc(&[("svc/environments.yaml", &envs)]);
    let start = std::time::Instant::now();
    run_in(tmp.path(), &["render", "svc", "--env", "e1999"]).code(0);
    assert!(
        start.elapsed() < std::time::Duration::from_secs(10),
        "{:?}",
        start.elapsed()
    );
    // A cycle at the end of a long chain is still found and named.
    let tmp = svc(&[(
        "svc/environments.yaml",
        &envs.replace("  e0: {}\n", "  e0: {extends: e1999}\n"),
    )]);
    run_in(tmp.path(), &["envs", "svc"])
        .code(1)
        .stderr_has("environment \"e0\": `extends` forms a cycle: e0 -> e1999 -> e1998");
}

#[test]
fn schema_refs_name_the_missing_file_and_rules_their_own_file() {
    let tmp = svc(&[
        ("svc/values.yaml", "name: x\nport: \"x\"\n"),
        (
            "svc/values.schema.json",
            "{\"type\":\"object\",\n \"properties\":{\"port\":{\"$ref\":\"schemas/port.json\"},\n \"name\":{\"$ref\":\"schemas/missing.json\"}}}\n",
        ),
        ("svc/schemas/port.json", "{\"type\":\"integer\"}\n"),
    ]);
    run_in(tmp.path(), &["render", "svc", "--env", "dev"])
        .code(1)
        .no_stdout()
        .stderr_has("error[schema]: values.schema.json: $ref \"schemas/missing.json\": no such file in the chart")
        .stderr_has("--> svc/values.schema.json:3:");
    std::fs::write(
        tmp.path().join("svc/values.schema.json"),
        "{\"type\":\"object\",\"properties\":{\"port\":{\"$ref\":\"schemas/port.json\"}}}\n",
    )
    .expect("write");
    run_in(tmp.path(), &["render", "svc", "--env", "dev"])
        .code(1)
        .stderr_has("error[schema]: port: \"x\" is not of type \"integer\"")
        .stderr_has("rule: schemas/port.json#/type");
    // A long value keeps the reason: the value is shortened instead.
    std::fs::write(
        tmp.path().join("svc/values.schema.json"),
        "{\"type\":\"object\",\"maxProperties\":1}\n",
    )
    .expect("write");
    std::fs::write(
        tmp.path().join("svc/values.yaml"),
        format!("name: x\nbig: \"{}\"\n", "y".repeat(5000)),
    )
    .expect("write");
    let run = run_in(tmp.path(), &["render", "svc", "--env", "dev"]);
    run.code(1)
        .stderr_has("…")
        .stderr_has("\"} has more than 1 property");
    assert!(run.stderr.len() < 1000, "{}", run.stderr);
}
