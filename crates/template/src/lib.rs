//! strata-template: rendering (the render branch) and the rendered diff
//! between environments ([`diff`]).

pub mod diff;
