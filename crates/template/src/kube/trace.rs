//! Tracing a finding in a rendered stream back to what produced it.

use strata_chart::value::Node;
use strata_chart::Location;

/// Where a line of a rendered stream came from: given a finding's place
/// in the stream and the node there, notes naming the template line that
/// wrote it and the value behind it.
pub trait Tracer: Sync {
    /// Notes for a finding at `at` about `node`.
    fn trace(&self, at: &Location, node: &Node) -> Vec<String>;
}
