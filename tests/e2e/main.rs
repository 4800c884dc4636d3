//! End-to-end tests: the real `strata` binary on real chart directories.
#![allow(dead_code)]

mod create;
mod docs;
mod envflow;
mod lint;
mod render;
mod schema;
mod schema_init;
mod util;
mod values;
