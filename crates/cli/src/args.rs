//! Command-line arguments (clap derive), and the `--set` family gathered
//! in command-line order.

use std::path::PathBuf;

use clap::{ArgMatches, Args, Parser, Subcommand, ValueEnum};
use strata_chart::strvals::SetKind;
use strata_chart::values::SetFlag;

/// strata: Helm-like charts with first-class environments.
#[derive(Debug, Parser)]
#[command(
    name = "strata",
    version,
    about = "Helm-like charts with first-class environments: layered values that know their origin, strict deterministic rendering",
    propagate_version = true
)]
pub struct Cli {
    /// The command.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Render a chart's templates for an environment into Kubernetes manifests.
    Render(RenderCmd),
    /// Print the merged values of a chart for an environment.
    Values(ValuesCmd),
    /// List a chart's environments with their namespaces and layer chains.
    Envs(EnvsCmd),
    /// Report what differs between environments' merged values; undeclared
    /// differences (not in parity.allow) exit 1.
    Parity(ParityCmd),
    /// Show what differs between two environments (rendered, or --values).
    Diff(DiffCmd),
    /// Copy values from one environment into the next one's values file.
    Promote(PromoteCmd),
    /// Scaffold a new chart with dev, staging and prod environments.
    Create(CreateCmd),
    /// Print a shell completion script.
    Completions(CompletionsCmd),
    /// Validate manifests (any YAML stream) against Kubernetes' schemas, offline.
    Validate(ValidateCmd),
    /// Check charts: Chart.yaml, values files, schemas, every environment's values and manifests.
    Lint(LintCmd),
    /// Schema tooling.
    #[command(subcommand)]
    Schema(SchemaCmd),
    /// Package a chart into <name>-<version>.tgz (reproducible, as Helm lays it out),
    /// or with --env E --rendered a Helm chart of E's rendered manifests.
    Package(PackageCmd),
    /// Inspect a chart's dependencies (subcharts).
    #[command(subcommand)]
    Dependency(DependencyCmd),
}

/// `strata lint`.
#[derive(Debug, Args)]
pub struct LintCmd {
    /// Chart directories, packaged charts (.tgz), or files inside charts
    /// (each chart is checked once). Default: the chart in the current
    /// directory, or every chart below it.
    pub paths: Vec<PathBuf>,
    /// Check only this environment.
    #[arg(
        short = 'e',
        long = "env",
        value_name = "ENV",
        conflicts_with = "all_envs"
    )]
    pub env: Option<String>,
    /// Check every environment (the default).
    #[arg(long = "all-envs")]
    pub all_envs: bool,
    /// Fail on warnings too.
    #[arg(long)]
    pub strict: bool,
    /// Values layered over each environment checked, as `helm lint -f
    /// … --set …` does: a key no template reads is reported at its file
    /// and line, or at its flag.
    #[command(flatten)]
    pub layers: LayerFlags,
    /// The Kubernetes version templates see and manifests are validated
    /// against (default: each environment's kubeVersion, else 1.31; 1.35
    /// for a Go chart).
    #[arg(long = "kube-version", value_name = "VERSION")]
    pub kube_version: Option<String>,
    /// Print only warnings and errors (as `helm lint --quiet`).
    #[arg(short = 'q', long)]
    pub quiet: bool,
    /// `helm lint` flag accepted for scripts' sake: strata always checks
    /// the subcharts a chart uses, in the parent's render.
    #[arg(long = "with-subcharts", hide = true)]
    #[doc(hidden)]
    pub with_subcharts: bool,
    /// Output format.
    #[arg(short = 'o', long, value_enum, default_value = "text")]
    pub output: crate::report::Format,
}

/// `strata validate`.
#[derive(Debug, Args)]
pub struct ValidateCmd {
    /// Manifest files (YAML streams), directories of them, or `-` for
    /// standard input (the default).
    pub files: Vec<PathBuf>,
    /// The Kubernetes version to validate against (default 1.31).
    #[arg(long = "kube-version", value_name = "VERSION")]
    pub kube_version: Option<String>,
    /// CustomResourceDefinitions (a file or a directory of them) whose
    /// schemas validate custom resources; repeatable.
    #[arg(long = "crds", value_name = "PATH")]
    pub crds: Vec<PathBuf>,
    /// A kind with no schema is an error, not a warning.
    #[arg(long)]
    pub strict: bool,
    /// Output format.
    #[arg(short = 'o', long, value_enum, default_value = "text")]
    pub output: crate::report::Format,
}

/// `strata schema …`.
#[derive(Debug, Subcommand)]
pub enum SchemaCmd {
    /// Infer values.schema.json (draft 2020-12) from the chart's values.yaml.
    Init(SchemaInitCmd),
}

/// `strata schema init`.
#[derive(Debug, Args)]
pub struct SchemaInitCmd {
    /// The chart directory.
    pub chart: PathBuf,
    /// Overwrite an existing values.schema.json.
    #[arg(long)]
    pub force: bool,
}

/// `strata package`.
#[derive(Debug, Args)]
pub struct PackageCmd {
    /// The chart: a directory or a packaged .tgz.
    pub chart: PathBuf,
    /// Directory to write the archive into (created if missing).
    #[arg(
        short = 'd',
        long = "destination",
        value_name = "DIR",
        default_value = "."
    )]
    pub destination: PathBuf,
    /// The environment whose rendered manifests a `--rendered` package holds.
    #[arg(short = 'e', long = "env", value_name = "ENV", requires = "rendered")]
    pub env: Option<String>,
    /// Write a Helm chart of ENV's rendered manifests,
    /// `<name>-<version>-<env>.rendered.tgz`, for `helm install`/`upgrade`.
    #[arg(long, requires = "env")]
    pub rendered: bool,
    /// The release name the manifests are rendered for (`release.name`;
    /// default `release-name`): give `helm install` the same.
    #[arg(long = "release", value_name = "NAME", requires = "rendered")]
    pub release: Option<String>,
}

/// `strata dependency`.
#[derive(Debug, Subcommand)]
pub enum DependencyCmd {
    /// List each dependency, its version constraint, what is vendored in
    /// charts/ and whether it satisfies the constraint.
    List(DependencyListCmd),
}

/// `strata dependency list`.
#[derive(Debug, Args)]
pub struct DependencyListCmd {
    /// The chart: a directory or a packaged .tgz.
    pub chart: PathBuf,
    /// Output format.
    #[arg(short = 'o', long, value_enum, default_value = "text")]
    pub output: ListOutput,
}

/// Flags that choose and layer values (shared by several commands).
#[derive(Debug, Args, Clone)]
pub struct ValueFlags {
    /// The chart: a directory or a packaged .tgz.
    pub chart: PathBuf,
    /// The environment whose values to layer.
    #[arg(short = 'e', long = "env", value_name = "ENV")]
    pub env: Option<String>,
    #[command(flatten)]
    pub layers: LayerFlags,
}

/// Values layered over the environment's: `-f` files, then the `--set`
/// family in command-line order (`render`, `values`, `lint`).
#[derive(Debug, Args, Clone, Default)]
pub struct LayerFlags {
    /// Values files, applied in order after the environment (`-` reads
    /// stdin); `-f a.yaml,b.yaml` gives two, as in Helm.
    #[arg(
        short = 'f',
        long = "values",
        value_name = "FILE",
        value_delimiter = ','
    )]
    pub values: Vec<String>,
    /// Set values: `a.b=c`, `a[0]=x`, `a={x,y}` (Helm syntax and typing).
    #[arg(long = "set", value_name = "KEY=VAL")]
    pub set: Vec<String>,
    /// Set string values (never typed).
    #[arg(long = "set-string", value_name = "KEY=VAL")]
    pub set_string: Vec<String>,
    /// Set JSON values (`a={"b":1}`), or a whole JSON object.
    #[arg(long = "set-json", value_name = "KEY=JSON")]
    pub set_json: Vec<String>,
    /// Set values from files' contents (`key=path`).
    #[arg(long = "set-file", value_name = "KEY=PATH")]
    pub set_file: Vec<String>,
    /// Set a value verbatim (no splitting on commas, no escapes).
    #[arg(long = "set-literal", value_name = "KEY=VAL")]
    pub set_literal: Vec<String>,
}

/// Output format of `values`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ValuesOutput {
    /// YAML.
    Yaml,
    /// JSON.
    Json,
}

/// `strata values`.
#[derive(Debug, Args)]
pub struct ValuesCmd {
    #[command(flatten)]
    pub flags: ValueFlags,
    /// Show each value with the file:line or flag it came from, and every
    /// layer that set it; PATH (`image`, `image.tag`) selects a subtree.
    #[arg(long, value_name = "PATH", num_args = 0..=1, default_missing_value = "")]
    pub explain: Option<String>,
    /// Output format.
    #[arg(short = 'o', long, value_enum, default_value = "yaml")]
    pub output: ValuesOutput,
}

/// `strata render`.
#[derive(Debug, Args)]
pub struct RenderCmd {
    #[command(flatten)]
    pub flags: ValueFlags,
    /// The release name (`release.name`; default `release-name`).
    #[arg(long = "release", value_name = "NAME")]
    pub release: Option<String>,
    /// The release namespace (default: the environment's, else `default`).
    #[arg(short = 'n', long = "namespace", value_name = "NS")]
    pub namespace: Option<String>,
    /// More charts (with --all-envs): every environment of every chart.
    #[arg(value_name = "CHART", requires = "all_envs")]
    pub more_charts: Vec<PathBuf>,
    /// Render every environment of every chart into DIR/<env>/<chart>/ (needs --output-dir).
    #[arg(
        long = "all-envs",
        conflicts_with_all = ["env", "notes", "show_only"],
        requires = "output_dir"
    )]
    pub all_envs: bool,
    /// Write each template's documents to DIR/<chart>/templates/<file> instead of stdout.
    #[arg(long = "output-dir", value_name = "DIR")]
    pub output_dir: Option<PathBuf>,
    /// Write nothing: exit 0 when --output-dir DIR holds exactly what this render writes, 1 when it is stale (listing every file that would change, appear or go).
    #[arg(long, requires = "output_dir")]
    pub check: bool,
    /// Only print the documents of this template (`templates/x.yaml`); repeatable.
    #[arg(short = 's', long = "show-only", value_name = "PATH")]
    pub show_only: Vec<String>,
    /// The Kubernetes version templates see (`capabilities.kubeVersion`).
    #[arg(long = "kube-version", value_name = "VERSION")]
    pub kube_version: Option<String>,
    /// Extra API versions templates see (`capabilities.apiVersions`), e.g. `monitoring.coreos.com/v1`.
    #[arg(
        short = 'a',
        long = "api-versions",
        value_name = "G/V[/KIND]",
        value_delimiter = ','
    )]
    pub api_versions: Vec<String>,
    /// Also print the rendered templates/NOTES.txt (as YAML comments after the manifests).
    #[arg(long)]
    pub notes: bool,
    /// Print the chart's CRDs (crds/) before the manifests, as Helm does.
    #[arg(long = "include-crds")]
    pub include_crds: bool,
    /// Leave out test hooks (`helm.sh/hook: test`).
    #[arg(long = "skip-tests")]
    pub skip_tests: bool,
    /// Leave out every hook (documents annotated `helm.sh/hook`).
    #[arg(long = "no-hooks")]
    pub no_hooks: bool,
    /// `helm template` flags accepted for scripts' sake, changing nothing
    /// here: `--hide-notes` (notes print only with --notes), `--skip-crds`
    /// (CRDs print only with --include-crds), `--disable-openapi-validation`
    /// (manifests are validated only with --validate or `strata validate`).
    #[arg(long = "hide-notes", hide = true)]
    pub hide_notes: bool,
    #[arg(long = "skip-crds", hide = true)]
    #[doc(hidden)]
    pub skip_crds: bool,
    #[arg(long = "disable-openapi-validation", hide = true)]
    #[doc(hidden)]
    pub disable_openapi_validation: bool,
    /// Validate the manifests against Kubernetes' schemas (at --kube-version,
    /// else the environment's kubeVersion) before printing them.
    #[arg(long)]
    pub validate: bool,
    /// Go charts: a missing value key is an error (Helm's --strict); with
    /// --validate, a kind with no schema is an error too.
    #[arg(long)]
    pub strict: bool,
}

/// `strata create`.
#[derive(Debug, Args)]
pub struct CreateCmd {
    /// The new chart's directory; its last component is the chart's name.
    pub name: PathBuf,
}

/// `strata completions`.
#[derive(Debug, Args)]
pub struct CompletionsCmd {
    /// The shell.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

/// Output format of listings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ListOutput {
    /// Aligned text.
    Text,
    /// JSON.
    Json,
}

/// `strata envs`.
#[derive(Debug, Args)]
pub struct EnvsCmd {
    /// The chart: a directory or a packaged .tgz.
    pub chart: PathBuf,
    /// Output format.
    #[arg(short = 'o', long, value_enum, default_value = "text")]
    pub output: ListOutput,
}

/// Output format of `parity`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ParityOutput {
    /// Aligned text for a terminal.
    Table,
    /// A Markdown table to paste into a pull request.
    Markdown,
    /// JSON.
    Json,
}

/// `strata parity`.
#[derive(Debug, Args)]
pub struct ParityCmd {
    /// The chart: a directory or a packaged .tgz.
    pub chart: PathBuf,
    /// The environments to compare, comma-separated (default: all, in
    /// `promotion` order, then the rest).
    #[arg(long, value_name = "ENV,ENV,...", value_delimiter = ',')]
    pub envs: Option<Vec<String>>,
    /// Output format.
    #[arg(short = 'o', long, value_enum, default_value = "table")]
    pub output: ParityOutput,
}

/// When to colour output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// On a terminal, unless NO_COLOR is set.
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

/// `strata diff`.
#[derive(Debug, Args)]
pub struct DiffCmd {
    /// The chart: a directory or a packaged .tgz.
    pub chart: PathBuf,
    /// The two environments to compare: `--env A --env B`.
    #[arg(short = 'e', long = "env", value_name = "ENV", num_args = 1)]
    pub env: Vec<String>,
    /// Compare the merged values instead of the rendered manifests.
    #[arg(long)]
    pub values: bool,
    /// Exit 1 when the environments differ.
    #[arg(long)]
    pub exit_code: bool,
    /// Colour the diff.
    #[arg(long, value_enum, default_value = "auto")]
    pub color: ColorChoice,
}

/// `strata promote`.
#[derive(Debug, Args)]
pub struct PromoteCmd {
    /// The chart directory.
    pub chart: PathBuf,
    /// The environment to copy from (default: the one before --to in `promotion`).
    #[arg(long, value_name = "ENV")]
    pub from: Option<String>,
    /// The environment whose values file is edited (default: the one after --from in `promotion`).
    #[arg(long, value_name = "ENV")]
    pub to: Option<String>,
    /// A value path to copy (repeatable; default: the `promote` list).
    #[arg(short = 'k', long = "key", value_name = "PATH")]
    pub keys: Vec<String>,
    /// Print the change as a unified diff and write nothing.
    #[arg(long)]
    pub dry_run: bool,
}

/// The `--set` family of the subcommand in `matches`, in command-line order.
pub fn set_flags(matches: &ArgMatches) -> Vec<SetFlag> {
    let Some((_, sub)) = matches.subcommand() else {
        return Vec::new();
    };
    let kinds = [
        ("set", SetKind::Set),
        ("set_string", SetKind::SetString),
        ("set_json", SetKind::SetJson),
        ("set_file", SetKind::SetFile),
        ("set_literal", SetKind::SetLiteral),
    ];
    let mut found: Vec<(usize, SetFlag)> = Vec::new();
    for (id, kind) in kinds {
        let Ok(Some(values)) = sub.try_get_many::<String>(id) else {
            continue;
        };
        let Some(indices) = sub.indices_of(id) else {
            continue;
        };
        for (value, index) in values.zip(indices) {
            found.push((
                index,
                SetFlag {
                    kind,
                    arg: value.clone(),
                },
            ));
        }
    }
    found.sort_by_key(|(i, _)| *i);
    found.into_iter().map(|(_, f)| f).collect()
}

/// What to do instead, for a `helm template` flag that strata leaves out
/// on purpose (`--post-renderer=x` and `--post-renderer` alike); `None`
/// for any other argument. docs/helm-flags.md lists every flag.
pub fn helm_flag_advice(arg: &str) -> Option<&'static str> {
    let flag = arg.split('=').next().unwrap_or(arg);
    const NETWORK: &str = "strata renders local charts (a directory or a .tgz) and never uses the network: fetch the chart first (`helm pull`), then render the file";
    const CLUSTER: &str = "strata renders and never installs or contacts a cluster: give this flag to the tool that installs the output";
    const NAME: &str = "strata names the release with --release NAME (default `release-name`): output depends only on the inputs";
    Some(match flag {
        "--post-renderer" | "--post-renderer-args" => {
            "strata has no post-renderers: pipe the output instead, `strata render … | your-renderer`"
        }
        "--generate-name" | "-g" | "--name-template" => NAME,
        "--repo" | "--version" | "--devel" | "--verify" | "--keyring" | "--username"
        | "--password" | "--ca-file" | "--cert-file" | "--key-file"
        | "--insecure-skip-tls-verify" | "--pass-credentials" | "--plain-http"
        | "--dependency-update" => NETWORK,
        "--create-namespace" | "--dry-run" | "--wait" | "--wait-for-jobs" | "--timeout"
        | "--atomic" | "--rollback-on-failure" | "--replace" | "--force-replace"
        | "--force-conflicts" | "--server-side" | "--take-ownership" | "--description"
        | "--labels" | "-l" | "--kube-context" | "--kubeconfig" | "--kube-apiserver"
        | "--kube-token" | "--kube-as-user" | "--kube-as-group" | "--kube-ca-file"
        | "--kube-insecure-skip-tls-verify" | "--kube-tls-server-name" | "--burst-limit"
        | "--qps" => CLUSTER,
        "--is-upgrade" => {
            "strata renders as an install (`release.isInstall` is true); a template that must differ on upgrade cannot be checked offline"
        }
        "--skip-schema-validation" => {
            "strata always validates values against the chart's schemas: fix the values, or relax values.schema.json"
        }
        "--enable-dns" => "strata's output depends only on its inputs: templates cannot look up DNS",
        "--release-name" => {
            "--output-dir writes DIR/<chart>/templates/…; choose DIR per release instead"
        }
        "--render-subchart-notes" => {
            "strata prints the top chart's NOTES.txt with --notes; subcharts' notes are not rendered"
        }
        _ => return None,
    })
}
