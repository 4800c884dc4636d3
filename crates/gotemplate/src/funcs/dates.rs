//! Sprig's date functions (placeholder until the time value exists).

use crate::Func;

pub(super) fn register(_v: &mut Vec<(&'static str, Func)>) {}
