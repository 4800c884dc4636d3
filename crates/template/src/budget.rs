//! The resource budget of a template (DESIGN §9, docs/safety.md): besides
//! minijinja's fuel (instructions) and recursion limit, bounds on the memory
//! a template can make strata use. Exceeding any of them is a template
//! error at the line that did it (exit 1), never an abort.
//!
//! The engine's own operators (`~`, `+`, `*`) are bounded by the patched
//! minijinja (vendor/README.md, [`minijinja::value::limits`]); strata's
//! filters check the same limits here before they build anything.

use std::fmt::Write as _;
use std::sync::Once;

use minijinja::value::limits;
use minijinja::value::{Value as TValue, ValueKind};
use minijinja::{Error as TError, ErrorKind};

use crate::convert::tree_of;

/// Bytes of one string a template builds (`~`, `replace`, `join`, `indent`,
/// `format`, `toyaml`, `tojson`, …): 32 MiB, far above any manifest field
/// (Kubernetes objects are at most 1.5 MiB in etcd) yet small enough that
/// a few of them fit in memory.
pub(crate) const MAX_STRING: usize = 32 << 20;
/// Items of one list a template builds (`+`, `*`), and values visited when
/// one value is printed or serialised: 1,000,000.
pub(crate) const MAX_ITEMS: usize = 1_000_000;
/// How deep a value a template builds, prints or serialises may nest: 256
/// (values files nest at most 200, `strata_yaml::MAX_DEPTH`).
pub const MAX_DEPTH: usize = 256;
/// Bytes of all strings one template render builds, freed ones included:
/// 512 MiB. A loop building many large strings stops here.
pub(crate) const MAX_BUILT: usize = 512 << 20;
/// Bytes one template may write (its documents): 64 MiB.
pub(crate) const MAX_TEMPLATE_OUTPUT: usize = 64 << 20;
/// Bytes of the whole rendered output: 256 MiB.
pub(crate) const MAX_OUTPUT: usize = 256 << 20;

/// Set the engine's limits (once per process).
pub fn install() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| limits::set_limits(MAX_STRING, MAX_ITEMS, MAX_DEPTH, MAX_BUILT));
}

/// Start the budget of one template render on this thread.
pub(crate) fn start_render() {
    limits::reset_built();
}

fn invalid(msg: String) -> TError {
    TError::new(ErrorKind::InvalidOperation, msg)
}

/// Check that `what` may build a string of `len` bytes (and count it).
pub fn string(what: &str, len: usize) -> Result<(), TError> {
    if len > MAX_STRING {
        return Err(invalid(format!(
            "{what}: the result would be {len} bytes, over the limit of {MAX_STRING} bytes"
        )));
    }
    limits::charge(len).map_err(|e| invalid(format!("{what}: {}", e.detail().unwrap_or(""))))
}

/// Check that `value` can be printed or serialised by `what`: it nests at
/// most [`MAX_DEPTH`] deep (an object that contains itself does not), has
/// at most `MAX_ITEMS` values in all, and its strings add up to at most
/// `MAX_STRING` bytes. Values straight from the values tree are bounded
/// when loaded and not walked again.
pub fn shape(what: &str, value: &TValue) -> Result<(), TError> {
    fn walk(
        what: &str,
        v: &TValue,
        depth: usize,
        items: &mut usize,
        bytes: &mut usize,
    ) -> Result<(), TError> {
        *items += 1;
        if *items > MAX_ITEMS {
            return Err(invalid(format!(
                "{what}: the value has more than {MAX_ITEMS} items"
            )));
        }
        match v.kind() {
            ValueKind::String => {
                *bytes += v.as_str().map_or(0, str::len);
            }
            ValueKind::Seq | ValueKind::Map | ValueKind::Iterable if tree_of(v).is_none() => {
                if depth >= MAX_DEPTH {
                    return Err(invalid(format!(
                        "{what}: the value nests deeper than {MAX_DEPTH} levels (a namespace that contains itself?)"
                    )));
                }
                let is_map = v.kind() == ValueKind::Map;
                for item in v.try_iter()? {
                    if is_map {
                        walk(what, &item, depth + 1, items, bytes)?;
                        let value = v.get_item(&item)?;
                        walk(what, &value, depth + 1, items, bytes)?;
                    } else {
                        walk(what, &item, depth + 1, items, bytes)?;
                    }
                }
            }
            _ => {}
        }
        if *bytes > MAX_STRING {
            return Err(invalid(format!(
                "{what}: the value holds more than {MAX_STRING} bytes of text"
            )));
        }
        Ok(())
    }
    let (mut items, mut bytes) = (0, 0);
    walk(what, value, 0, &mut items, &mut bytes)
}

/// A `fmt::Write` that refuses to grow past `MAX_STRING`.
struct Bounded(String);

impl std::fmt::Write for Bounded {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        if self.0.len() + s.len() > MAX_STRING {
            return Err(std::fmt::Error);
        }
        self.0.push_str(s);
        Ok(())
    }
}

/// `value`'s display form (minijinja's), at most `MAX_STRING` bytes.
pub fn display(what: &str, value: &TValue) -> Result<String, TError> {
    let mut out = Bounded(String::new());
    if write!(out, "{value}").is_err() {
        return Err(invalid(format!(
            "{what}: the printed value would be over the limit of {MAX_STRING} bytes"
        )));
    }
    string(what, out.0.len())?;
    Ok(out.0)
}

/// An `io::Write` for one template's output, refusing more than
/// [`MAX_TEMPLATE_OUTPUT`] bytes.
pub(crate) struct OutputSink {
    /// What was written.
    pub buf: Vec<u8>,
    /// Whether the limit was hit.
    pub over: bool,
}

impl OutputSink {
    /// An empty sink.
    pub fn new() -> OutputSink {
        OutputSink {
            buf: Vec::new(),
            over: false,
        }
    }
}

impl Default for OutputSink {
    fn default() -> Self {
        OutputSink::new()
    }
}

impl std::io::Write for OutputSink {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        if self.buf.len() + b.len() > MAX_TEMPLATE_OUTPUT {
            self.over = true;
            return Err(std::io::Error::other(format!(
                "the template's output is over the limit of {MAX_TEMPLATE_OUTPUT} bytes"
            )));
        }
        self.buf.extend_from_slice(b);
        Ok(b.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
