//! Sprig's list functions (list.go): new lists, never changed in place.
//! The plain forms fail (Go panics, the template reports it) where the
//! `must` forms return the same message as an error.

use super::conv::to_int64;
use super::{as_slice, deep_equal, func, int_arg, kind_name, Arity::*, Fail, R};
use crate::{Func, Value};

/// Go's `reflect.TypeOf(nil).Kind()` panics: Sprig's list functions on nil.
const NIL_PANIC: &str = "runtime error: invalid memory address or nil pointer dereference";

fn slice_of(v: &Value, what: &str) -> Result<Vec<Value>, Fail> {
    match v {
        Value::Nil => Err(NIL_PANIC.into()),
        other => as_slice(other)
            .ok_or_else(|| Fail::Call(format!("Cannot {what} on type {}", kind_name(other)))),
    }
}

macro_rules! both {
    ($v:expr, $name:literal, $must:literal, $arity:expr, $body:expr) => {
        $v.push(func($name, $arity, $body));
        $v.push(func($must, $arity, $body));
    };
}

pub(super) fn register(v: &mut Vec<(&'static str, Func)>) {
    v.push(func("list", AtLeast(0), |a| Ok(Value::list(a.to_vec()))));
    v.push(func("tuple", AtLeast(0), |a| Ok(Value::list(a.to_vec()))));
    both!(v, "append", "mustAppend", Exact(2), push);
    both!(v, "push", "mustPush", Exact(2), push);
    both!(v, "prepend", "mustPrepend", Exact(2), |a| {
        let mut l = slice_of(&a[0], "prepend")?;
        l.insert(0, a[1].clone());
        Ok(Value::list(l))
    });
    both!(v, "first", "mustFirst", Exact(1), |a| {
        Ok(slice_of(&a[0], "find first")?
            .into_iter()
            .next()
            .unwrap_or(Value::Nil))
    });
    both!(v, "last", "mustLast", Exact(1), |a| Ok(slice_of(
        &a[0],
        "find last"
    )?
    .pop()
    .unwrap_or(Value::Nil)));
    both!(v, "rest", "mustRest", Exact(1), |a| {
        let l = slice_of(&a[0], "find rest")?;
        Ok(if l.is_empty() {
            Value::Nil
        } else {
            Value::list(l[1..].to_vec())
        })
    });
    both!(v, "initial", "mustInitial", Exact(1), |a| {
        let l = slice_of(&a[0], "find initial")?;
        Ok(if l.is_empty() {
            Value::Nil
        } else {
            Value::list(l[..l.len() - 1].to_vec())
        })
    });
    both!(v, "reverse", "mustReverse", Exact(1), |a| {
        let mut l = slice_of(&a[0], "find reverse")?;
        l.reverse();
        Ok(Value::list(l))
    });
    both!(v, "uniq", "mustUniq", Exact(1), |a| {
        // `concat` of nothing gives Go's nil slice, which Sprig's uniq
        // takes as an empty list (kube-state-metrics' chart relies on it);
        // Nil stands for it here.
        if matches!(a[0], Value::Nil) {
            return Ok(Value::list(Vec::new()));
        }
        let l = slice_of(&a[0], "find uniq")?;
        let mut out: Vec<Value> = Vec::new();
        for x in l {
            if !out.iter().any(|y| deep_equal(y, &x)) {
                out.push(x);
            }
        }
        Ok(Value::list(out))
    });
    both!(v, "without", "mustWithout", AtLeast(1), |a| {
        let l = slice_of(&a[0], "find without")?;
        let omit = &a[1..];
        Ok(Value::list(
            l.into_iter()
                .filter(|x| !omit.iter().any(|o| deep_equal(o, x)))
                .collect(),
        ))
    });
    both!(v, "has", "mustHas", Exact(2), |a| {
        if matches!(a[1], Value::Nil) {
            return Ok(Value::Bool(false));
        }
        let l = slice_of(&a[1], "find has")?;
        Ok(Value::Bool(l.iter().any(|x| deep_equal(x, &a[0]))))
    });
    both!(v, "slice", "mustSlice", AtLeast(1), |a| {
        let l = match &a[0] {
            Value::Nil => return Err(NIL_PANIC.into()),
            other => as_slice(other).ok_or_else(|| {
                Fail::Call(format!(
                    "list should be type of slice or array but {}",
                    kind_name(other)
                ))
            })?,
        };
        if l.is_empty() {
            return Ok(Value::Nil);
        }
        let start = a.get(1).map(to_int64).unwrap_or(0);
        let end = if a.len() < 3 {
            l.len() as i64
        } else {
            to_int64(&a[2])
        };
        if start < 0 || end < start || end > l.len() as i64 {
            return Err("reflect.Value.Slice: slice index out of bounds".into());
        }
        Ok(Value::list(l[start as usize..end as usize].to_vec()))
    });
    v.push(func("concat", AtLeast(0), |a| {
        let mut out = Vec::new();
        for x in a {
            match x {
                Value::Nil => return Err(NIL_PANIC.into()),
                other => match as_slice(other) {
                    Some(items) => out.extend(items),
                    None => {
                        return Err(Fail::Call(format!(
                            "Cannot concat type {} as list",
                            kind_name(other)
                        )))
                    }
                },
            }
        }
        // Appending nothing to Go's nil slice leaves it nil (toJson: null).
        if out.is_empty() {
            return Ok(Value::Nil);
        }
        Ok(Value::list(out))
    }));
    both!(v, "chunk", "mustChunk", Exact(2), |a| {
        let size = int_arg(a, 0)?;
        let l = match &a[1] {
            Value::Nil => return Err(NIL_PANIC.into()),
            other => as_slice(other)
                .ok_or_else(|| Fail::Call(format!("Cannot chunk type {}", kind_name(other))))?,
        };
        if size <= 0 {
            return Err("runtime error: makeslice: len out of range".into());
        }
        Ok(Value::list(
            l.chunks(size as usize)
                .map(|c| Value::list(c.to_vec()))
                .collect(),
        ))
    });
    both!(v, "compact", "mustCompact", Exact(1), |a| {
        let l = match &a[0] {
            Value::Nil => return Err(NIL_PANIC.into()),
            other => as_slice(other).ok_or_else(|| {
                Fail::Call(format!("Cannot compact on type {}", kind_name(other)))
            })?,
        };
        Ok(Value::list(l.into_iter().filter(Value::truthy).collect()))
    });
}

fn push(a: &[Value]) -> R {
    let mut l = slice_of(&a[0], "push")?;
    l.push(a[1].clone());
    Ok(Value::list(l))
}
