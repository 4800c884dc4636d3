//! strata-template: rendering (on its way) and the `strata lint`
//! orchestration that combines chart checks with rendering.

#![allow(clippy::result_large_err)]

pub mod lint;
