//! strata-chart: chart loading, packaging and values.

pub mod archive;
pub mod helmignore;
