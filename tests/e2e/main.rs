//! End-to-end tests: the real `strata` binary on real chart directories.

mod cases;
mod catch;
mod create;
mod docs;
mod docs_package;
mod envflow;
mod gitops;
mod helm;
mod helm_corpus;
mod helm_probes;
mod helm_walkthrough;
mod lint;
mod package;
mod render;
mod safety;
mod schema;
mod schema_init;
mod subcharts;
mod util;
mod validate;
mod values;
