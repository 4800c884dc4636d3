//! Sprig's functions as Helm exposes them (without `env`, `expandenv`) and
//! Helm's own data functions (`toYaml`, `fromYaml`, `toJson`, …). The
//! functions that need the engine (`include`, `tpl`, `required`, `fail`)
//! and text/template's builtins live with the executor.

use crate::Func;

/// Every function of this module, by the name templates call it.
pub(crate) fn all() -> Vec<(&'static str, Func)> {
    Vec::new()
}
