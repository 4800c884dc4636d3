//! strata-template: renders a chart's minijinja templates into a strict,
//! deterministic list of Kubernetes manifests.
//!
//! The pipeline, each step in its own module: compile every template of a
//! chart once into one minijinja environment ([`Engine::new`]); build the
//! render context from the merged values (`context.rs`); run the templates
//! with strata's filters and functions ([`functions`]) and strict printing;
//! split each template's output into documents, check them and order them
//! as Helm installs them (`output.rs`). Errors are
//! [`strata_chart::Diagnostic`]s pointing at the template source line, or at
//! the line of the generated text for invalid output. Nothing here prints.
//! [`diff`] compares two environments' rendered resources; [`kube`]
//! validates manifests against Kubernetes' schemas, offline.

// Errors are diagnostics with locations and notes; they are returned on
// cold paths only, so their size does not matter.
#![allow(clippy::result_large_err)]

pub mod allenvs;
pub mod budget;
mod context;
mod convert;
pub mod diff;
mod engine;
mod errors;
pub mod functions;
pub mod helm;
pub mod kube;
pub mod lint;
pub mod outdir;
mod output;
pub mod pipeline;
pub mod rendered;
pub mod scaffold;

pub(crate) use engine::TemplateValues;
pub use engine::{parse_kube_version, Engine, RenderOptions, Rendered};
pub use output::{to_stream, write_stream, Document};

/// The Kubernetes version `capabilities.kubeVersion` reports when
/// `--kube-version` is not given.
pub(crate) const DEFAULT_KUBE_VERSION: &str = "v1.31.0";

/// The Kubernetes version `helm template` (Helm 4.1) renders for without
/// `--kube-version`: a Go chart's default, so its output is Helm's.
pub(crate) const HELM_KUBE_VERSION: &str = "v1.35.0";
