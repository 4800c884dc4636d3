//! `strata validate`: manifest streams against the bundled Kubernetes
//! schemas, every kind of finding checked in full; the agreement with
//! kubernetes-validate on the Helm corpus (when ../shared is present).

use std::path::Path;

use crate::util::*;

const NOTE_131: &str = "checked against Kubernetes 1.31";

fn validate_text(name: &str, text: &str, extra: &[&str]) -> Run {
    let dir = tempdir();
    std::fs::write(dir.path().join(name), text).unwrap();
    let mut args = vec!["validate", name];
    args.extend_from_slice(extra);
    strata_in(dir.path(), &args, None)
}

const DEPLOYMENT: &str = "apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
        - name: web
          image: nginx
          ports:
            - containerPort: 8080
";

#[test]
fn a_valid_stream_passes() {
    let run = validate_text("ok.yaml", DEPLOYMENT, &[]);
    run.code(0).stderr_is("");
    assert_eq!(
        run.stdout,
        "validated 1 document in 1 file against Kubernetes 1.31: 0 errors, 0 warnings\n"
    );
}

#[test]
fn a_wrong_type_names_the_field_and_its_line() {
    let text = DEPLOYMENT.replace("  selector:", "  replicas: \"1\"\n  selector:");
    let run = validate_text("d.yaml", &text, &[]);
    run.code(1).stderr_is(&format!(
        "error[kube]: Deployment web: spec.replicas: expected integer, found string \"1\"
 --> d.yaml:6:13
  |
6 |   replicas: \"1\"
  |             ^
  = in document 1 (apps/v1 Deployment web), {NOTE_131}
"
    ));
    assert_eq!(
        run.stdout,
        "validated 1 document in 1 file against Kubernetes 1.31: 1 error, 0 warnings\n"
    );
}

#[test]
fn an_unknown_field_points_at_its_key_and_suggests_the_known_one() {
    let text = DEPLOYMENT.replace(
        "      containers:",
        "      containers: []\n      contianers:",
    );
    let run = validate_text("d.yaml", &text, &[]);
    run.code(1).stderr_is(&format!(
        "error[kube]: Deployment web: spec.template.spec.contianers: unknown field
  --> d.yaml:13:7
   |
13 |       contianers:
   |       ^
  = did you mean \"containers\"?
  = in document 1 (apps/v1 Deployment web), {NOTE_131}
"
    ));
}

#[test]
fn a_missing_required_field_points_at_the_map() {
    let text = "---\napiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  ports:\n    - name: http\n      targetPort: 8080\n";
    let run = validate_text("s.yaml", text, &[]);
    run.code(1).stderr_is(&format!(
        "error[kube]: Service web: spec.ports[0]: missing required field \"port\"
 --> s.yaml:8:7
  |
8 |     - name: http
  |       ^
  = in document 1 (v1 Service web), {NOTE_131}
"
    ));
}

#[test]
fn an_int_or_string_field_says_both_types() {
    let text = DEPLOYMENT.replace(
        "containerPort: 8080",
        "containerPort: 8080\n          readinessProbe:\n            httpGet: {port: true}",
    );
    let run = validate_text("d.yaml", &text, &[]);
    run.code(1).stderr_is(&format!(
        "error[kube]: Deployment web: spec.template.spec.containers[0].readinessProbe.httpGet.port: expected string or integer, found boolean true
  --> d.yaml:18:29
   |
18 |             httpGet: {{port: true}}
   |                             ^
  = in document 1 (apps/v1 Deployment web), {NOTE_131}
"
    ));
}

#[test]
fn apis_no_longer_served_say_when_and_what_replaced_them() {
    let text = "apiVersion: autoscaling/v2beta2
kind: HorizontalPodAutoscaler
metadata:
  name: web
spec: {}
---
apiVersion: extensions/v1beta1
kind: Ingress
metadata:
  name: web
---
apiVersion: policy/v1beta1
kind: PodSecurityPolicy
metadata:
  name: p
";
    let run = validate_text("old.yaml", text, &[]);
    run.code(1).stderr_is(&format!(
        "error[kube]: HorizontalPodAutoscaler web: autoscaling/v2beta2 HorizontalPodAutoscaler is not served by Kubernetes 1.31 (removed in 1.26; last served by 1.25); use apiVersion: autoscaling/v1 or autoscaling/v2
 --> old.yaml:1:13
  |
1 | apiVersion: autoscaling/v2beta2
  |             ^
  = in document 1 (autoscaling/v2beta2 HorizontalPodAutoscaler web), {NOTE_131}
error[kube]: Ingress web: extensions/v1beta1 Ingress is not served by Kubernetes 1.31 (removed in 1.22; last served by 1.21); use apiVersion: networking.k8s.io/v1
 --> old.yaml:7:13
  |
7 | apiVersion: extensions/v1beta1
  |             ^
  = in document 2 (extensions/v1beta1 Ingress web), {NOTE_131}
error[kube]: PodSecurityPolicy p: policy/v1beta1 PodSecurityPolicy is not served by Kubernetes 1.31 (removed in 1.25; last served by 1.24): PodSecurityPolicy was removed in 1.25; use Pod Security Admission
  --> old.yaml:12:13
   |
12 | apiVersion: policy/v1beta1
   |             ^
  = in document 3 (policy/v1beta1 PodSecurityPolicy p), {NOTE_131}
"
    ));
}

#[test]
fn the_kube_version_chooses_the_schemas() {
    let text = "apiVersion: autoscaling/v2beta2\nkind: HorizontalPodAutoscaler\nmetadata:\n  name: web\nspec:\n  scaleTargetRef: {kind: Deployment, name: web}\n  maxReplicas: 3\n";
    let run = validate_text("hpa.yaml", text, &["--kube-version", "v1.25.3"]);
    run.code(0).stderr_is("");
    assert_eq!(
        run.stdout,
        "validated 1 document in 1 file against Kubernetes 1.25: 0 errors, 0 warnings\n"
    );
    let run = validate_text("hpa.yaml", text, &["--kube-version", "1.24"]);
    run.code(2).no_stdout().stderr_is(
        "error[usage]: Kubernetes 1.24: strata bundles schemas for Kubernetes 1.25 to 1.37 only\n",
    );
    let run = validate_text("hpa.yaml", text, &["--kube-version", "latest"]);
    run.code(2).no_stdout().stderr_is(
        "error[usage]: --kube-version \"latest\" is not a Kubernetes version (1.31, v1.31.0)\n",
    );
}

const CRD: &str = "apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com
spec:
  group: example.com
  names: {kind: Widget, plural: widgets, singular: widget, listKind: WidgetList}
  scope: Namespaced
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          properties:
            spec:
              type: object
              properties:
                size: {type: string, enum: [small, medium]}
                color: {type: string}
";

const WIDGET: &str = "apiVersion: example.com/v1
kind: Widget
metadata:
  name: w
spec:
  size: large
  colour: red
";

#[test]
fn a_crd_in_the_stream_validates_its_custom_resources() {
    let run = validate_text("w.yaml", &format!("{WIDGET}---\n{CRD}"), &[]);
    run.code(1).stderr_is(&format!(
        "error[kube]: Widget w: spec.size: \"large\" is not one of \"small\", \"medium\"
 --> w.yaml:6:9
  |
6 |   size: large
  |         ^
  = in document 1 (example.com/v1 Widget w), {NOTE_131}
error[kube]: Widget w: spec.colour: unknown field
 --> w.yaml:7:3
  |
7 |   colour: red
  |   ^
  = did you mean \"color\"?
  = in document 1 (example.com/v1 Widget w), {NOTE_131}
"
    ));
}

#[test]
fn crds_from_a_folder_validate_custom_resources() {
    let dir = tempdir();
    std::fs::create_dir(dir.path().join("crds")).unwrap();
    std::fs::write(dir.path().join("crds/widget.yaml"), CRD).unwrap();
    std::fs::write(dir.path().join("crds/README.md"), "not yaml: [").unwrap();
    let good = WIDGET.replace("large", "small").replace("colour", "color");
    std::fs::write(dir.path().join("w.yaml"), good).unwrap();
    let run = strata_in(dir.path(), &["validate", "w.yaml", "--crds", "crds"], None);
    run.code(0).stderr_is("");
    // Without the CRD the kind has no schema: a warning, an error with --strict.
    let run = strata_in(dir.path(), &["validate", "w.yaml"], None);
    let warning = "no schema for example.com/v1 Widget: not a Kubernetes 1.31 API, and no CustomResourceDefinition in the stream or --crds defines it (document 1)\n --> w.yaml:1:1\n  |\n1 | apiVersion: example.com/v1\n  | ^\n";
    run.code(0).stderr_is(&format!("warning[kube]: {warning}"));
    assert_eq!(
        run.stdout,
        "validated 1 document in 1 file against Kubernetes 1.31: 0 errors, 1 warning\n"
    );
    let run = strata_in(dir.path(), &["validate", "w.yaml", "--strict"], None);
    run.code(1).stderr_is(&format!("error[kube]: {warning}"));
}

#[test]
fn standard_input_and_json_and_github_outputs() {
    let text = DEPLOYMENT.replace("image: nginx", "image: 5");
    let run = strata_stdin(&["validate", "--output", "json"], &text);
    run.code(1).stderr_is("");
    let j: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(
        j,
        serde_json::json!([{
            "severity": "error",
            "code": "kube",
            "message": "Deployment web: spec.template.spec.containers[0].image: expected string, found integer 5",
            "file": "-",
            "line": 14,
            "column": 18,
            "environment": null,
            "notes": [format!("in document 1 (apps/v1 Deployment web), {NOTE_131}")],
        }])
    );
    let run = strata_stdin(&["validate", "-", "-o", "github"], &text);
    run.code(1).stderr_is("");
    assert_eq!(
        run.stdout,
        format!("::error file=-,line=14,col=18,title=strata kube::Deployment web: spec.template.spec.containers[0].image: expected string, found integer 5%0Ain document 1 (apps/v1 Deployment web), {NOTE_131}\n")
    );
}

#[test]
fn bad_input_is_reported_not_validated() {
    let run = validate_text("x.yaml", "a: [1\n", &[]);
    run.code(1)
        .stderr_has("error[yaml]: invalid YAML")
        .stderr_has(" --> x.yaml:");
    let run = validate_text("x.yaml", "- 1\n---\nkind: Pod\n", &[]);
    run.code(1).stderr_is(
        "error[kube]: document 1 is a list, not a Kubernetes object (a map)
 --> x.yaml:1:1
  |
1 | - 1
  | ^
error[kube]: document 2 has no apiVersion (a string)
 --> x.yaml:3:1
  |
3 | kind: Pod
  | ^
",
    );
    let dir = tempdir();
    std::fs::create_dir(dir.path().join("d")).unwrap();
    std::os::unix::fs::symlink("..", dir.path().join("d/up")).unwrap();
    let run = strata_in(dir.path(), &["validate", "d"], None);
    let deep = format!("{}d", "d/up/".repeat(16));
    run.code(2).no_stdout().stderr_is(&format!(
        "error[usage]: {deep}: directories nest deeper than 32 levels (a link that loops?)\n"
    ));
    let run = strata(&["validate", "no/such/file.yaml"]);
    run.code(2)
        .no_stdout()
        .stderr_is("error[io]: no/such/file.yaml: no such file or directory\n");
}

/// The reference: `kubernetes-validate --strict --quiet -k 1.31.0` (1.37.0,
/// the wheel the bundle is built from) on the sixty outputs of the Helm
/// corpus prints exactly one ERROR (below) and 54 WARNs for kinds it has no
/// schema for. strata finds that error and no other schema error; it also
/// reports as errors the two `policy/v1beta1` PodDisruptionBudgets that the
/// reference only warns about ("Couldn't find schema"): Kubernetes removed
/// that API in 1.25, so a 1.31 cluster refuses them (the deliberate
/// difference, docs/validation.md).
#[test]
fn agrees_with_kubernetes_validate_on_the_helm_corpus() {
    // ../shared beside the repository (CI), or two levels up for a
    // worktree under wt/.
    let Some(corpus) = ["../shared/helm-charts", "../../shared/helm-charts"]
        .iter()
        .map(|p| root().join(p))
        .find(|p| p.is_dir())
    else {
        println!("skipped: ../shared/helm-charts is absent");
        return;
    };
    let mut files: Vec<String> = Vec::new();
    for chart in std::fs::read_dir(&corpus).unwrap().flatten() {
        let cases = chart.path().join("cases");
        for f in std::fs::read_dir(&cases).into_iter().flatten().flatten() {
            let name = f.file_name().to_string_lossy().into_owned();
            if name.ends_with(".helm.yaml") {
                let rel = Path::new(&chart.file_name()).join("cases").join(&name);
                files.push(rel.display().to_string());
            }
        }
    }
    files.sort();
    assert_eq!(files.len(), 60);
    let mut args = vec!["validate", "--kube-version", "1.31.0", "-o", "json"];
    args.extend(files.iter().map(String::as_str));
    let run = strata_in(&corpus, &args, None);
    run.code(1);
    let found: Vec<serde_json::Value> = serde_json::from_str(&run.stdout).unwrap();
    let errors: Vec<String> = found
        .iter()
        .filter(|d| d["severity"] == "error")
        .map(|d| {
            format!(
                "{}:{}: {}",
                d["file"].as_str().unwrap(),
                d["line"],
                d["message"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(
        errors,
        [
            // The reference: "ERROR cert-manager/cases/features.helm.yaml did not validate
            // for resource job/rel-cert-manager-startupapicheck against version 1.31:
            // spec.template.spec.containers.0.env.1.value: True is not of type 'string', 'null'"
            "cert-manager/cases/features.helm.yaml:14506: Job rel-cert-manager-startupapicheck: spec.template.spec.containers[0].env[1].value: expected string, found boolean true",
            // The reference: "WARN … Couldn't find schema for kind PodDisruptionBudget with
            // api version policy/v1beta1 for kubernetes version 1.31" (both).
            "traefik/cases/features.helm.yaml:3: PodDisruptionBudget rel-traefik: policy/v1beta1 PodDisruptionBudget is not served by Kubernetes 1.31 (removed in 1.25; last served by 1.24); use apiVersion: policy/v1",
            "velero/cases/ci-test.helm.yaml:3: PodDisruptionBudget rel-velero: policy/v1beta1 PodDisruptionBudget is not served by Kubernetes 1.31 (removed in 1.25; last served by 1.24); use apiVersion: policy/v1",
        ]
    );
    // The reference's other 52 warnings are custom resources without a
    // schema; strata names each kind once per file.
    let warned: std::collections::BTreeSet<&str> = found
        .iter()
        .filter(|d| d["severity"] == "warning")
        .filter_map(|d| d["message"].as_str())
        .filter_map(|m| m.strip_prefix("no schema for "))
        .filter_map(|m| m.split(':').next())
        .collect();
    assert_eq!(
        warned.into_iter().collect::<Vec<_>>(),
        [
            "autoscaling.k8s.io/v1 VerticalPodAutoscaler",
            "cert-manager.io/v1 Certificate",
            "cert-manager.io/v1 Issuer",
            "gateway.networking.k8s.io/v1 Gateway",
            "gateway.networking.k8s.io/v1 GatewayClass",
            "gateway.networking.k8s.io/v1 HTTPRoute",
            "monitoring.coreos.com/v1 PodMonitor",
            "monitoring.coreos.com/v1 PrometheusRule",
            "monitoring.coreos.com/v1 ServiceMonitor",
            "traefik.io/v1alpha1 IngressRoute",
            "traefik.io/v1alpha1 TLSOption",
            "velero.io/v1 BackupStorageLocation",
            "velero.io/v1 Schedule",
            "velero.io/v1 VolumeSnapshotLocation",
        ]
    );
}

/// The bundle is what schemas/kubernetes/regen.py builds from the pinned
/// wheel (skipped, saying so, when pip cannot download it).
#[test]
fn the_schema_bundle_is_reproducible() {
    let out = std::process::Command::new("python3")
        .arg(root().join("schemas/kubernetes/regen.py"))
        .arg("--check")
        .output();
    let Ok(out) = out else {
        println!("skipped: python3 is not available");
        return;
    };
    let stderr = String::from_utf8_lossy(&out.stderr);
    match out.status.code() {
        Some(0) => assert_eq!(
            String::from_utf8_lossy(&out.stdout),
            "bundle.bin matches kubernetes-validate 1.37.0\n"
        ),
        Some(3) => println!("skipped: could not check offline: {stderr}"),
        other => panic!("regen.py --check: {other:?}\n{stderr}"),
    }
}

/// A chart whose prod environment renders an invalid Deployment.
fn shop_chart(template: &str) -> tempfile::TempDir {
    let dir = tempdir();
    for (file, text) in [
        ("Chart.yaml", "apiVersion: v2\nname: shop\nversion: 1.0.0\n"),
        ("values.yaml", "replicas: 1\nimage: nginx\n"),
        (
            "environments.yaml",
            "environments:\n  dev: {}\n  old:\n    kubeVersion: 1.25.0\n  prod:\n    kubeVersion: v1.31.2\n",
        ),
        ("environments/prod.yaml", "# prod\nimage: nginx:1.27\nreplicas: 3\n"),
        ("templates/deployment.yaml", template),
    ] {
        let p = dir.path().join(file);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    dir
}

const SHOP_DEPLOYMENT: &str = "apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ release.name }}
  annotations:
    kube: {{ capabilities.kubeVersion.version }}
spec:
{% if env.name == 'prod' %}
  replicas: {{ values.replicas | quote }}
{% endif %}
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      contianers:
        - name: web
          image: {{ values.image }}
";

#[test]
fn render_validate_traces_errors_to_the_template_line_and_the_value() {
    let dir = shop_chart(SHOP_DEPLOYMENT);
    let run = strata_in(
        dir.path(),
        &["render", ".", "--env", "prod", "--validate"],
        None,
    );
    run.code(1).no_stdout().stderr_is(
        "error[kube]: Deployment release-name: spec.replicas: expected integer, found string \"3\"
 --> templates/deployment.yaml:9:13
  |
9 |   replicas: {{ values.replicas | quote }}
  |             ^
  = environment: prod
  = in document 1 (apps/v1 Deployment release-name), checked against Kubernetes 1.31
  = rendered as line 8 of the document: replicas: \"3\"
  = value replicas from environments/prod.yaml:3:11
error[kube]: Deployment release-name: spec.template.spec.contianers: unknown field
  --> templates/deployment.yaml:17:7
   |
17 |       contianers:
   |       ^
  = environment: prod
  = did you mean \"containers\"?
  = in document 1 (apps/v1 Deployment release-name), checked against Kubernetes 1.31
  = rendered as line 15 of the document: contianers:
error[kube]: Deployment release-name: spec.template.spec: missing required field \"containers\"
  --> templates/deployment.yaml:17:7
   |
17 |       contianers:
   |       ^
  = environment: prod
  = in document 1 (apps/v1 Deployment release-name), checked against Kubernetes 1.31
  = rendered as line 15 of the document: contianers:
",
    );
    // Fixed, it prints the manifests, rendered for the environment's version.
    let fixed = SHOP_DEPLOYMENT
        .replace("contianers", "containers")
        .replace(" | quote", "");
    let dir = shop_chart(&fixed);
    let run = strata_in(
        dir.path(),
        &["render", ".", "--env", "prod", "--validate"],
        None,
    );
    run.code(0).stderr_is("").stdout_has("    kube: v1.31.2\n");
}

#[test]
fn lint_validates_every_environment_at_its_own_version() {
    let hpa = "apiVersion: autoscaling/v2beta2
kind: HorizontalPodAutoscaler
metadata:
  name: web
  annotations: {image: \"{{ values.image }}\"}
spec:
  scaleTargetRef: {kind: Deployment, name: web}
  maxReplicas: {{ values.replicas }}
";
    let dir = shop_chart(hpa);
    let run = strata_in(dir.path(), &["lint", "."], None);
    run.code(1).stderr_is(
        "info[schema]: no values.schema.json: values are not validated
  = `strata schema init CHART` infers one from values.yaml
info[chart]: icon is recommended
 --> Chart.yaml:1:1
error[kube]: HorizontalPodAutoscaler web: autoscaling/v2beta2 HorizontalPodAutoscaler is not served by Kubernetes 1.31 (removed in 1.26; last served by 1.25); use apiVersion: autoscaling/v1 or autoscaling/v2
 --> templates/deployment.yaml:1:13
  |
1 | apiVersion: autoscaling/v2beta2
  |             ^
  = environment: dev, prod
  = in document 1 (autoscaling/v2beta2 HorizontalPodAutoscaler web), checked against Kubernetes 1.31
  = rendered as line 1 of the document: apiVersion: autoscaling/v2beta2
",
    );
    assert_eq!(run.stdout, "linted 1 chart: 1 error, 0 warnings, 2 info\n");
    // The old cluster serves it; --kube-version overrides the environment's.
    let run = strata_in(dir.path(), &["lint", ".", "--env", "old"], None);
    run.code(0).stderr_has("info[chart]");
    assert_eq!(run.stdout, "linted 1 chart: 0 errors, 0 warnings, 2 info\n");
    let run = strata_in(
        dir.path(),
        &[
            "render",
            ".",
            "--env",
            "prod",
            "--validate",
            "--kube-version",
            "1.25",
        ],
        None,
    );
    run.code(0)
        .stderr_is("")
        .stdout_has("kind: HorizontalPodAutoscaler\n");
}
