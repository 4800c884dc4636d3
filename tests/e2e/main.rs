//! End-to-end tests: the real `strata` binary on real chart directories.
#![allow(dead_code)]

mod create;
mod render;
mod util;
mod values;
