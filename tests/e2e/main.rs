//! End-to-end tests: the real `strata` binary on real chart directories.
#![allow(dead_code)]

mod create;
mod docs_package;
mod helm;
mod package;
mod render;
mod subcharts;
mod util;
mod values;
