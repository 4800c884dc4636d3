//! Resource limits (a strata patch, see vendor/README.md): bounds on the
//! size of strings and sequences the engine builds and on how deep a value
//! is printed, so that a template cannot exhaust memory or the stack.
//!
//! The limits are process-wide and start unlimited (upstream behaviour);
//! an embedder sets them once with [`set_limits`].

use std::cell::Cell;
use std::fmt;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::error::{Error, ErrorKind};
use crate::value::{DynObject, ObjectRepr, Value, ValueKind, ValueRepr};

static MAX_STRING: AtomicUsize = AtomicUsize::new(usize::MAX);
static MAX_ITEMS: AtomicUsize = AtomicUsize::new(usize::MAX);
static MAX_DEPTH: AtomicUsize = AtomicUsize::new(usize::MAX);
static MAX_BUILT: AtomicUsize = AtomicUsize::new(usize::MAX);

/// Printing a value nests at most this deep (an object that contains
/// itself prints `…` there instead of recursing forever).
const MAX_FMT_DEPTH: usize = 64;
/// Printing one value visits at most this many objects.
const MAX_FMT_OBJECTS: usize = 100_000;

thread_local! {
    static FMT_DEPTH: Cell<usize> = const { Cell::new(0) };
    static FMT_BUDGET: Cell<usize> = const { Cell::new(0) };
    static BUILT: Cell<usize> = const { Cell::new(0) };
}

/// Set the limits: the bytes of one string built by `~`, `+` or `*`; the
/// items of one sequence built by `+` or `*`; how deep a value assigned to
/// a namespace may nest; the bytes of all strings built on one thread
/// between two [`reset_built`] calls (freed ones included: a budget, so a
/// loop cannot build many large strings one after the other).
pub fn set_limits(max_string: usize, max_items: usize, max_depth: usize, max_built: usize) {
    MAX_STRING.store(max_string, Ordering::Relaxed);
    MAX_ITEMS.store(max_items, Ordering::Relaxed);
    MAX_DEPTH.store(max_depth, Ordering::Relaxed);
    MAX_BUILT.store(max_built, Ordering::Relaxed);
}

/// Start a new budget of built bytes on this thread (one per render).
pub fn reset_built() {
    BUILT.with(|b| b.set(0));
}

/// Count `bytes` against this thread's budget of built bytes.
pub fn charge(bytes: usize) -> Result<(), Error> {
    let now = BUILT.with(|b| {
        let now = b.get().saturating_add(bytes);
        b.set(now);
        now
    });
    let max = MAX_BUILT.load(Ordering::Relaxed);
    if now > max {
        Err(Error::new(
            ErrorKind::InvalidOperation,
            format!("this template built more than {max} bytes of strings in all; refusing to build more"),
        ))
    } else {
        Ok(())
    }
}

/// The string limit in bytes.
pub fn max_string() -> usize {
    MAX_STRING.load(Ordering::Relaxed)
}

/// The sequence limit in items.
pub fn max_items() -> usize {
    MAX_ITEMS.load(Ordering::Relaxed)
}

/// The nesting limit.
pub fn max_depth() -> usize {
    MAX_DEPTH.load(Ordering::Relaxed)
}

pub(crate) fn string_too_large(len: usize) -> Error {
    Error::new(
        ErrorKind::InvalidOperation,
        format!(
            "the string built here would be {len} bytes, over the limit of {} bytes",
            max_string()
        ),
    )
}

/// Check a string about to be built: its length, and the budget.
pub fn check_string_len(len: usize) -> Result<(), Error> {
    if len > max_string() {
        Err(string_too_large(len))
    } else {
        charge(len)
    }
}

/// Check a sequence about to be built.
pub fn check_items(len: usize) -> Result<(), Error> {
    if len > max_items() {
        Err(Error::new(
            ErrorKind::InvalidOperation,
            format!(
                "the list built here would have {len} items, over the limit of {}",
                max_items()
            ),
        ))
    } else {
        Ok(())
    }
}

/// A `fmt::Write` sink that fails once it holds more than the limit.
pub(crate) struct Bounded {
    pub(crate) buf: String,
    pub(crate) over: bool,
}

impl fmt::Write for Bounded {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        if self.buf.len() + s.len() > max_string() {
            self.over = true;
            return Err(fmt::Error);
        }
        self.buf.push_str(s);
        Ok(())
    }
}

/// `left ~ right`, bounded.
pub(crate) fn concat(left: &Value, right: &Value) -> Result<Value, Error> {
    use fmt::Write as _;
    let mut out = Bounded {
        buf: String::new(),
        over: false,
    };
    if write!(out, "{left}{right}").is_err() && out.over {
        return Err(string_too_large(out.buf.len().saturating_add(1)));
    }
    ok!(charge(out.buf.len()));
    Ok(Value::from(out.buf))
}

/// Print an object's contents at most [`MAX_FMT_DEPTH`] deep and
/// [`MAX_FMT_OBJECTS`] objects wide; past that, `…`.
pub(crate) fn fmt_guard(
    f: &mut fmt::Formatter<'_>,
    inner: impl FnOnce(&mut fmt::Formatter<'_>) -> fmt::Result,
) -> fmt::Result {
    let depth = FMT_DEPTH.with(Cell::get);
    if depth == 0 {
        FMT_BUDGET.with(|b| b.set(MAX_FMT_OBJECTS));
    }
    let budget = FMT_BUDGET.with(Cell::get);
    if depth >= MAX_FMT_DEPTH || budget == 0 {
        return f.write_str("…");
    }
    FMT_BUDGET.with(|b| b.set(budget - 1));
    FMT_DEPTH.with(|d| d.set(depth + 1));
    let rv = inner(f);
    FMT_DEPTH.with(|d| d.set(depth));
    rv
}

/// What is wrong with a value assigned into a namespace.
pub(crate) enum Unfit {
    TooDeep,
    Cycle,
}

/// Whether `value` nests sequences and maps deeper than the limit, or
/// holds the namespace `target` itself (a cycle, which printing or
/// comparing would follow forever), looking at no more than 100,000
/// objects (a wider value is taken as it is).
pub(crate) fn unfit(value: &Value, target: &Value) -> Option<Unfit> {
    fn walk(
        v: &Value,
        target: &DynObject,
        depth: usize,
        max: usize,
        budget: &mut usize,
    ) -> Option<Unfit> {
        let ValueRepr::Object(ref obj) = v.0 else {
            return None;
        };
        if obj.is_same_object(target) {
            return Some(Unfit::Cycle);
        }
        if depth >= max {
            return Some(Unfit::TooDeep);
        }
        if *budget == 0 {
            return None;
        }
        *budget -= 1;
        match obj.repr() {
            ObjectRepr::Map => obj
                .try_iter_pairs()
                .into_iter()
                .flatten()
                .find_map(|(_, item)| walk(&item, target, depth + 1, max, budget)),
            ObjectRepr::Seq => obj
                .try_iter()
                .into_iter()
                .flatten()
                .find_map(|item| walk(&item, target, depth + 1, max, budget)),
            _ => None,
        }
    }
    let ValueRepr::Object(ref target) = target.0 else {
        return None;
    };
    if !matches!(value.kind(), ValueKind::Seq | ValueKind::Map) {
        return None;
    }
    let mut budget = 100_000;
    walk(value, target, 0, max_depth(), &mut budget)
}

/// Whether `value` nests sequences and maps deeper than the limit, looking
/// at no more than `budget` objects (a wider value is taken as it is).
#[allow(dead_code)]
pub(crate) fn too_deep(value: &Value) -> bool {
    fn walk(v: &Value, depth: usize, max: usize, budget: &mut usize) -> bool {
        let ValueRepr::Object(ref obj) = v.0 else {
            return false;
        };
        if depth >= max {
            return true;
        }
        if *budget == 0 {
            return false;
        }
        *budget -= 1;
        match obj.repr() {
            ObjectRepr::Map => obj
                .try_iter_pairs()
                .into_iter()
                .flatten()
                .any(|(_, item)| walk(&item, depth + 1, max, budget)),
            ObjectRepr::Seq => obj
                .try_iter()
                .into_iter()
                .flatten()
                .any(|item| walk(&item, depth + 1, max, budget)),
            _ => false,
        }
    }
    let max = max_depth();
    if max == usize::MAX || !matches!(value.kind(), ValueKind::Seq | ValueKind::Map) {
        return false;
    }
    let mut budget = 100_000;
    walk(value, 0, max, &mut budget)
}
