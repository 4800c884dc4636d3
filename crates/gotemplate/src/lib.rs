//! strata-gotemplate: Go's `text/template`, Sprig and Helm's template
//! functions, rendering exactly as `helm template` does.
//!
//! The crate knows nothing of charts. Its caller parses every template of a
//! chart tree into one [`Set`] (one namespace of `define`d names, as Helm
//! has), then executes each file with a dot [`Value`] it builds itself:
//! `.Values` as plain maps and lists, `.Chart`, `.Capabilities`, `.Files`
//! as [`Object`]s with fields and methods.
//!
//! Values are single-threaded (`Rc`, and maps shared and mutable as Go maps
//! are: Sprig's `set` changes the map every holder sees). A parsed [`Set`]
//! holds no [`Value`] and is `Send + Sync`: parse once, execute on any
//! thread, each execution with values of its own.
//!
//! Helm's settings are built in: a missing map key is Go's
//! `missingkey=zero` (`missingkey=error` with [`Options::strict`]), `tpl`
//! templates are parsed under Helm's root name `gotpl`, and `include`,
//! `tpl`, `required` and `fail` are the engine's own. Execution is bounded
//! by [`Options`] (steps, bytes, nesting) and by the stack it may use, so
//! no input ends in a panic or an overflow: it ends in an [`Error`].
//!
//! ```
//! use strata_gotemplate::{Options, Set, Value};
//! let mut set = Set::new();
//! set.parse("_helpers.tpl", r#"{{ define "name" }}{{ .Values.name | upper }}{{ end }}"#).unwrap();
//! set.parse("cm.yaml", r#"name: {{ include "name" . | quote }}"#).unwrap();
//! let values = Value::map([("name".to_string(), Value::str("web"))].into());
//! let dot = Value::map([("Values".to_string(), values)].into());
//! assert_eq!(set.execute("cm.yaml", dot, &Options::default()).unwrap(), r#"name: "WEB""#);
//! ```

mod error;
mod exec;
pub mod fmt;
mod funcs;
mod lex;
mod parse;
mod value;

#[cfg(test)]
mod tests;

use std::sync::Arc;

/// Name-keyed maps of the engine (templates, functions, include counts).
pub(crate) type HashMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::RandomState>;

pub use error::{Error, ErrorKind};

/// YAML and JSON as Helm reads and writes them (sigs.k8s.io/yaml over
/// go-yaml v2, encoding/json): what `toYaml`, `fromYaml`, `toJson` and
/// `fromJson` use, for callers that read values files as Helm does.
pub mod data {
    pub use crate::funcs::json::{decode as from_json, encode as to_json};
    pub use crate::funcs::yaml::{from_yaml, to_yaml};
}
pub use value::{List, Map, Object, Value};

/// A function callable from templates: the evaluated arguments in, a value
/// or an error message out (the engine adds the template location).
pub type Func = std::sync::Arc<dyn Fn(&[Value]) -> Result<Value, String> + Send + Sync>;

/// A function of the library by the name templates call it (`toYaml`), for
/// a caller's [`Object`]s that answer as Helm's do with the same encoders
/// (`.Files.AsConfig` is `toYaml` of a map).
pub fn function(name: &str) -> Option<Func> {
    funcs::all()
        .into_iter()
        .find(|(n, _)| *n == name)
        .map(|(_, f)| f)
}

/// How one execution behaves.
#[derive(Debug, Clone)]
pub struct Options {
    /// Go's `missingkey=error` (Helm's `--strict`): a missing map key is an
    /// error instead of `<no value>`.
    pub strict: bool,
    /// Resource budget: evaluation steps, bytes of output and of any string
    /// or collection built, nesting depth of `include`/`template`/`tpl`.
    pub max_steps: u64,
    pub max_bytes: usize,
    pub max_depth: usize,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            strict: false,
            max_steps: 50_000_000,
            max_bytes: 64 << 20,
            max_depth: 1000,
        }
    }
}

/// Parsed templates sharing one namespace of `define`d names, as Helm
/// parses every template of a chart and its subcharts into one
/// `*template.Template`. Holds no [`Value`]: `Send + Sync`.
#[derive(Default)]
pub struct Set {
    /// Library and caller functions, by the index templates resolved.
    funcs: Vec<(String, Func)>,
    func_index: HashMap<String, u32>,
    templates: HashMap<String, Arc<parse::Tree>>,
}

impl parse::FuncLookup for Set {
    fn lookup(&self, name: &str) -> Option<parse::FuncRef> {
        if let Some(i) = self.func_index.get(name) {
            return Some(parse::FuncRef::User(*i));
        }
        parse::Builtin::by_name(name).map(parse::FuncRef::Builtin)
    }
}

impl Set {
    /// An empty set with text/template's builtins, every Sprig function
    /// Helm exposes and Helm's own (`include`, `tpl`, `toYaml`, …).
    pub fn new() -> Set {
        // The library is built once per process and shared (its functions
        // are `Send + Sync`): a new set costs a table copy, not ~200 closures.
        static LIBRARY: std::sync::OnceLock<Vec<(&'static str, Func)>> = std::sync::OnceLock::new();
        let library = LIBRARY.get_or_init(|| {
            funcs::all()
                .into_iter()
                // Helm's engine functions are the executor's.
                .filter(|(name, _)| !parse::Builtin::by_name(name).is_some_and(|b| b.is_engine()))
                .collect()
        });
        let mut set = Set::default();
        set.funcs.reserve(library.len());
        set.func_index.reserve(library.len());
        for (name, f) in library {
            set.add_func(name, f.clone());
        }
        set
    }

    /// Add or replace a function (a caller's own, such as `semverCompare`
    /// backed by its semver implementation). Affects templates parsed after.
    /// A function returning an error message that starts with "wrong number
    /// of args for " is reported as Go reports an arity error (at the name,
    /// without "error calling").
    pub fn add_func(&mut self, name: &str, f: Func) {
        match self.func_index.get(name) {
            Some(&i) => self.funcs[i as usize].1 = f,
            None => {
                self.func_index
                    .insert(name.to_string(), self.funcs.len() as u32);
                self.funcs.push((name.to_string(), f));
            }
        }
    }

    /// Whether a function of this name is known (library, caller's or builtin).
    pub fn has_func(&self, name: &str) -> bool {
        parse::FuncLookup::lookup(self, name).is_some()
    }

    /// Parse one file under `name`; its `define`/`block` templates join the
    /// namespace (a later definition of a name replaces an earlier one, as
    /// in Go; an empty one never replaces a non-empty one).
    pub fn parse(&mut self, name: &str, text: &str) -> Result<(), Error> {
        let parsed = parse::parse(name, text, self).map_err(|e| self.parse_error(name, e))?;
        for t in parsed.trees {
            let keep_old = t.is_empty()
                && self
                    .templates
                    .get(&*t.name)
                    .is_some_and(|old| !old.is_empty());
            if !keep_old {
                self.templates.insert(t.name.to_string(), Arc::new(t));
            }
        }
        Ok(())
    }

    pub(crate) fn parse_error(&self, name: &str, e: parse::ParseError) -> Error {
        Error {
            kind: ErrorKind::Syntax,
            template: name.to_string(),
            line: e.line,
            column: e.column + 1,
            len: e.len as usize,
            extent: e.len as usize,
            message: e.message,
        }
    }

    /// Whether a file or a `define` of this name exists.
    pub fn contains(&self, name: &str) -> bool {
        self.templates.contains_key(name)
    }

    /// The names of every file and `define` in the set, sorted.
    pub fn names(&self) -> Vec<&str> {
        let mut v: Vec<&str> = self.templates.keys().map(|s| s.as_str()).collect();
        v.sort_unstable();
        v
    }

    /// Execute the file or `define` named `name` with `dot` as `.` and `$`.
    /// The output is exactly Go's (`<no value>` included: Helm's caller
    /// removes it from a file's output, `tpl` does so itself).
    pub fn execute(&self, name: &str, dot: Value, opts: &Options) -> Result<String, Error> {
        let Some(tree) = self.templates.get(name) else {
            return Err(Error {
                kind: ErrorKind::Exec,
                template: name.to_string(),
                line: 1,
                column: 1,
                len: 1,
                extent: 1,
                message: format!(
                    "no template {} associated with template {}",
                    fmt::quote(name),
                    fmt::quote(exec::ROOT_NAME)
                ),
            });
        };
        exec::Exec::new(self, opts).run(tree, dot)
    }
}
