//! End-to-end tests: the real `strata` binary on real chart directories.
#![allow(dead_code)]

mod docs;
mod lint;
mod schema;
mod schema_init;
mod util;
mod values;
