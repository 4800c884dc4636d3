//! strata-chart: chart loading, packaging and values.

pub mod helmignore;
