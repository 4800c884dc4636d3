//! Function table tests.
