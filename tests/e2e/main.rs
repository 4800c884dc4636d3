//! End-to-end tests: the real `strata` binary on real chart directories.
#![allow(dead_code)]

mod create;
mod docs;
mod docs_package;
mod envflow;
mod gitops;
mod helm;
mod lint;
mod package;
mod render;
mod safety;
mod schema;
mod schema_init;
mod subcharts;
mod util;
mod values;
