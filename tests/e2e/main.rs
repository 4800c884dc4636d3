//! End-to-end tests: the real `strata` binary on real chart directories.
#![allow(dead_code)]

mod catch;
mod create;
mod docs;
mod docs_package;
mod envflow;
mod helm;
mod lint;
mod package;
mod render;
mod schema;
mod schema_init;
mod subcharts;
mod util;
mod values;
