//! Differential probes: small Go charts under tests/helm/probes, each
//! rendered by the real helm and by strata with the same arguments (the
//! chart's `args` file, one argument a line), compared byte for byte.
//! `values` probes Helm's value semantics (YAML 1.1, float64, `--set`
//! int64, nulls), `objects` the top-level objects (.Chart, .Release,
//! .Capabilities, .Files, .Template, lookup, semver), `output` the split,
//! order, hooks, CRDs and NOTES, `subcharts` aliases, conditions, globals,
//! library charts, .Subcharts, shared values written with `set` and which
//! `define` wins, `kubeversion` and `defaults` `.Capabilities.KubeVersion`
//! printed every way (as a given version with a suffix, and Helm's
//! default).

use crate::helm::{helm, run_helm};
use crate::util::*;

/// A chart made of these files in a temporary directory.
fn go_chart(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempdir();
    for (file, text) in files {
        let p = dir.path().join(file);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).expect("mkdir");
        }
        std::fs::write(p, text).expect("write");
    }
    dir
}

const PROBES: &[&str] = &[
    "values",
    "objects",
    "output",
    "subcharts",
    "kubeversion",
    "defaults",
];

#[test]
fn probes_render_as_helm_renders_them() {
    let Some(helm) = helm() else { return };
    for probe in PROBES {
        let dir = root().join("tests/helm/probes").join(probe);
        let args_text = std::fs::read_to_string(dir.join("args")).unwrap_or_default();
        let args: Vec<&str> = args_text.lines().filter(|l| !l.is_empty()).collect();
        let chart = dir.display().to_string();
        let mut h = vec!["template", "rel", chart.as_str()];
        h.extend(&args);
        let want = run_helm(&helm, &h);
        let mut s = vec!["render", chart.as_str(), "--release", "rel"];
        s.extend(&args);
        let got = strata(&s);
        got.code(0);
        assert_eq!(got.stdout, want, "probe {probe}");
    }
}

#[test]
fn a_missing_key_is_an_error_with_strict() {
    let chart = go_chart(
        &[
            ("Chart.yaml", "apiVersion: v2\nname: strict\nversion: 0.1.0\n"),
            ("values.yaml", "a: 1\n"),
            ("templates/cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  v: {{ .Values.nope | quote }}\n"),
        ],
    );
    let path = chart.path().display().to_string();
    // Sprig's quote skips nil: nothing is printed, as with helm.
    strata(&["render", &path]).code(0).stdout_has("  v:\n");
    strata(&["render", &path, "--strict"])
        .code(1)
        .no_stdout()
        .stderr_has("map has no entry for key \"nope\"")
        .stderr_has("/templates/cm.yaml:6:")
        .stderr_has("the key is set by none of the values layers: values.yaml");
}

#[test]
fn required_and_fail_keep_their_messages() {
    let chart = go_chart(
        &[
            ("Chart.yaml", "apiVersion: v2\nname: req\nversion: 0.1.0\n"),
            ("templates/cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ required \"name is required\" .Values.name }}\n"),
        ],
    );
    let path = chart.path().display().to_string();
    strata(&["render", &path])
        .code(1)
        .no_stdout()
        .stderr_has("name is required")
        .stderr_has("/templates/cm.yaml:4:")
        .stderr_has("error[template]");
}

#[test]
fn mixing_dialects_in_one_chart_asks_for_the_annotation() {
    let chart = go_chart(&[
        (
            "Chart.yaml",
            "apiVersion: v2\nname: mixed\nversion: 0.1.0\n",
        ),
        ("templates/a.yaml", "{% if values.x %}{% endif %}\n"),
        ("templates/b.yaml", "{{ .Values.x }}\n"),
    ]);
    let path = chart.path().display().to_string();
    strata(&["render", &path])
        .code(1)
        .no_stdout()
        .stderr_has("annotations: {strata.dev/templates: go}")
        .stderr_has(&format!("--> {path}/templates/a.yaml:1:1"));
}

#[test]
fn an_umbrella_in_strata_dialect_renders_a_vendored_go_subchart() {
    let chart = go_chart(&[
        (
            "Chart.yaml",
            "apiVersion: v2\nname: shop\nversion: 0.1.0\ndependencies:\n  - name: db\n    version: 1.0.0\n    alias: database\n",
        ),
        ("values.yaml", "name: web\nglobal:\n  region: eu\ndatabase:\n  size: 0755\n"),
        (
            "templates/cm.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ values.name }}\n",
        ),
        ("charts/db/Chart.yaml", "apiVersion: v2\nname: db\nversion: 1.0.0\n"),
        ("charts/db/values.yaml", "size: 1\nport: 5432\non: yes\n"),
        (
            "charts/db/templates/svc.yaml",
            "apiVersion: v1\nkind: Service\nmetadata:\n  name: {{ .Release.Name }}-{{ .Chart.Name }}\n  annotations:\n    size: {{ .Values.size | quote }}\n    port: {{ .Values.port | quote }}\n    flag: {{ .Values.true | quote }}\n    region: {{ .Values.global.region }}\n    template: {{ .Template.Name }}\n",
        ),
    ]);
    let path = chart.path().display().to_string();
    let run = strata(&["render", &path, "--release", "rel"]);
    run.code(0);
    // The umbrella's values are strata's (YAML 1.2: 0755 is 755); the Go
    // subchart's own values.yaml is read as Helm reads it (on/yes: true),
    // numbers reach its templates as float64.
    assert_eq!(
        run.stdout,
        "---\n# Source: shop/templates/cm.yaml\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web\n---\n# Source: shop/charts/database/templates/svc.yaml\napiVersion: v1\nkind: Service\nmetadata:\n  name: rel-database\n  annotations:\n    size: \"755\"\n    port: \"5432\"\n    flag: \"true\"\n    region: eu\n    template: shop/charts/database/templates/svc.yaml\n"
    );
    strata(&["envs", &path])
        .code(0)
        .stdout_has("templates: jinja (strata's dialect); charts/db: go\n");
}

#[test]
fn a_go_chart_renders_a_subchart_in_strata_dialect() {
    let chart = go_chart(&[
        (
            "Chart.yaml",
            "apiVersion: v2\nname: top\nversion: 0.1.0\ndependencies:\n  - name: web\n    version: 1.0.0\n  - name: extra\n    version: 1.0.0\n    condition: extra.enabled\n",
        ),
        ("values.yaml", "web:\n  replicas: 3\nextra:\n  enabled: false\n"),
        (
            "templates/svc.yaml",
            "apiVersion: v1\nkind: Service\nmetadata:\n  name: {{ .Release.Name }}\n",
        ),
        ("charts/web/Chart.yaml", "apiVersion: v2\nname: web\nversion: 1.0.0\n"),
        ("charts/web/values.yaml", "replicas: 1\nimage: nginx\n"),
        (
            "charts/web/templates/cm.yaml",
            "{% if values.replicas > 1 %}\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ release.name }}-{{ chart.name }}\ndata:\n  replicas: \"{{ values.replicas }}\"\n  image: {{ values.image }}\n{% endif %}\n",
        ),
        ("charts/extra/Chart.yaml", "apiVersion: v2\nname: extra\nversion: 1.0.0\n"),
        ("charts/extra/templates/cm.yaml", "{% if true %}not: rendered{% endif %}\n"),
    ]);
    let path = chart.path().display().to_string();
    let run = strata(&["render", &path, "--release", "rel"]);
    run.code(0);
    // The subchart renders with its section of the values, and its
    // documents take their place in Helm's order (ConfigMap before Service).
    assert_eq!(
        run.stdout,
        "---\n# Source: top/charts/web/templates/cm.yaml\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: rel-web\ndata:\n  replicas: \"3\"\n  image: nginx\n---\n# Source: top/templates/svc.yaml\napiVersion: v1\nkind: Service\nmetadata:\n  name: rel\n"
    );
    // Its template errors point at its own files.
    std::fs::write(
        chart.path().join("charts/web/templates/cm.yaml"),
        "x: {{ values.nope.deeper }}\n",
    )
    .expect("write");
    strata(&["render", &path])
        .code(1)
        .no_stdout()
        .stderr_has("charts/web/templates/cm.yaml:1:");
}

#[test]
fn validation_traces_a_go_chart_to_its_template_line_and_value() {
    let chart = go_chart(&[
        ("Chart.yaml", "apiVersion: v2\nname: traced\nversion: 0.1.0\n"),
        ("values.yaml", "replicas: 2\n"),
        (
            "templates/deploy.yaml",
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}\nspec:\n  replicas: {{ .Values.replicas | quote }}\n  selector:\n    matchLabels: {app: x}\n  template:\n    metadata:\n      labels: {app: x}\n    spec:\n      containers: [{name: x, image: x}]\n",
        ),
    ]);
    let path = chart.path().display().to_string();
    strata(&["render", &path, "--validate"])
        .code(1)
        .no_stdout()
        .stderr_has("error[kube]: Deployment release-name: spec.replicas: expected integer, found string \"2\"")
        .stderr_has("/templates/deploy.yaml:6:13\n")
        .stderr_has("6 |   replicas: {{ .Values.replicas | quote }}\n")
        .stderr_has(&format!("= value replicas from {path}/values.yaml:1:11\n"));
    // Without the quote, it validates and prints the manifest.
    let text = std::fs::read_to_string(chart.path().join("templates/deploy.yaml")).expect("read");
    std::fs::write(
        chart.path().join("templates/deploy.yaml"),
        text.replace(" | quote", ""),
    )
    .expect("write");
    strata(&["render", &path, "--validate"])
        .code(0)
        .stdout_has("  replicas: 2\n");
}

#[test]
fn a_typo_in_a_go_charts_environment_is_reported_with_a_suggestion() {
    let chart = go_chart(&[
        ("Chart.yaml", "apiVersion: v2\nname: typo\nversion: 0.1.0\n"),
        ("values.yaml", "replicaCount: 1\nresources: {}\n"),
        ("environments.yaml", "environments:\n  prod: {}\n"),
        ("environments/prod.yaml", "replicaCont: 9\nresources:\n  limits: {cpu: 1}\n"),
        (
            "templates/cm.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  n: {{ .Values.replicaCount | quote }}\n{{- with .Values.resources }}\n  r: {{ toJson . | quote }}\n{{- end }}\n",
        ),
    ]);
    let path = chart.path().display().to_string();
    // `resources.limits` is read through `with`: only the typo is reported.
    let run = strata(&["render", &path, "--env", "prod"]);
    run.code(0)
        .stdout_has("  n: \"1\"\n")
        .stderr_has("warning[unused]: `replicaCont` is unused: no template reads it; did you mean `replicaCount`?")
        .stderr_has("/environments/prod.yaml:1:1\n");
    assert_eq!(run.stderr.matches("[unused]").count(), 1, "{}", run.stderr);
    strata(&["lint", &path, "--strict"])
        .code(1)
        .stderr_has("`replicaCont` is unused");
}

#[test]
fn validation_of_a_go_chart_finds_unknown_fields_and_removed_apis() {
    let chart = go_chart(&[
        ("Chart.yaml", "apiVersion: v2\nname: old\nversion: 0.1.0\n"),
        ("values.yaml", "max: 3\n"),
        (
            "templates/hpa.yaml",
            "apiVersion: autoscaling/v2beta2\nkind: HorizontalPodAutoscaler\nmetadata:\n  name: web\nspec:\n  scaleTargetRef: {kind: Deployment, name: web}\n  maxReplicas: {{ .Values.max }}\n",
        ),
        (
            "templates/svc.yaml",
            "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  prots:\n    - port: 80\n",
        ),
    ]);
    let path = chart.path().display().to_string();
    strata(&["render", &path, "--validate"])
        .code(1)
        .no_stdout()
        .stderr_has("error[kube]: HorizontalPodAutoscaler web: autoscaling/v2beta2 HorizontalPodAutoscaler is not served by Kubernetes 1.35 (removed in 1.26; last served by 1.25); use apiVersion: autoscaling/v1 or autoscaling/v2")
        .stderr_has("/templates/hpa.yaml:1:13\n")
        .stderr_has("error[kube]: Service web: spec.prots: unknown field")
        .stderr_has("/templates/svc.yaml:6:3\n")
        .stderr_has("= did you mean \"ports\"?");
    // At the chart's own version: the HPA was still served in 1.25.
    let run = strata(&["render", &path, "--validate", "--kube-version", "1.25"]);
    run.code(1).stderr_has("spec.prots: unknown field");
    assert!(
        !run.stderr.contains("HorizontalPodAutoscaler is not served"),
        "{}",
        run.stderr
    );
}
