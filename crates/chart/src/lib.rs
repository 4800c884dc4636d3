//! strata-chart: charts, environments, values with provenance.
//!
//! The pipeline, each step in its own module: read YAML with positions
//! ([`yaml`]) into a values tree that remembers origins ([`value`]); load a
//! chart ([`chart`]) and its environments ([`env`]); parse `--set` flags
//! ([`strvals`]); layer and coalesce values ([`merge`], [`values`]).
//! Everything fallible returns [`diag::Error`] or [`diag::Diagnostic`]s;
//! nothing here prints.

pub mod archive;
pub mod diag;
pub mod helmignore;
pub mod semver;
pub mod strvals;
pub mod value;
pub mod yaml;

pub use diag::{Diagnostic, Error, Location, Result, Severity};
pub use value::{Map, Node, Origin, Path, Value};
