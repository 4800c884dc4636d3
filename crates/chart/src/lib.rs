//! strata-chart: charts, environments, values with provenance.
//!
//! The pipeline, each step in its own module: read YAML with positions
//! (strata-yaml) into a values tree that remembers origins ([`value`]); load a
//! chart ([`chart`]) and its environments ([`env`](mod@env)); parse `--set` flags
//! ([`strvals`]); layer and coalesce values ([`merge`], [`values`]).
//! Archives and `.helmignore` ([`archive`], `helmignore`); versions and
//! constraints ([`semver`]).
//! Everything fallible returns [`diag::Error`] or [`diag::Diagnostic`]s;
//! nothing here prints.

// Errors are diagnostics with locations and notes; they are returned on
// cold paths only, so their size does not matter.
#![allow(clippy::result_large_err)]

pub mod archive;
pub mod chart;
pub mod deps;
pub mod diag;
pub mod dialect;
pub mod discover;
pub mod env;
pub mod file_schemas;
pub mod fsutil;
pub(crate) mod helmignore;
pub mod lint;
pub mod merge;
pub mod package;
pub mod parity;
pub mod promote;
pub mod reads;
pub mod schema;
pub mod schema_infer;
pub mod semver;
pub mod strvals;
pub mod value;
pub mod values;

// The YAML reader and writer, by the name this crate's modules use.
use strata_yaml as yaml;

pub use diag::{Code, Diagnostic, Error, Location, Result, Severity};
pub use value::{Map, Node, Origin, Path, Value};
