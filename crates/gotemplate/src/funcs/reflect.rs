//! Sprig's type inspection (reflect.go) and its defaults (defaults.go):
//! `typeOf`, `kindOf`, `deepEqual`, `default`, `empty`, `coalesce`,
//! `ternary`, …

use super::{bool_arg, deep_equal, func, kind_name, s, str_arg, type_name, Arity::*};
use crate::{Func, Value};

pub(super) fn register(v: &mut Vec<(&'static str, Func)>) {
    v.push(func("typeOf", Exact(1), |a| Ok(s(type_name(&a[0])))));
    v.push(func("typeIs", Exact(2), |a| {
        Ok(Value::Bool(*str_arg(a, 0)? == *type_name(&a[1])))
    }));
    v.push(func("typeIsLike", Exact(2), |a| {
        let target = str_arg(a, 0)?;
        let t = type_name(&a[1]);
        Ok(Value::Bool(*target == *t || format!("*{target}") == t))
    }));
    v.push(func("kindOf", Exact(1), |a| Ok(s(kind_name(&a[0])))));
    v.push(func("kindIs", Exact(2), |a| {
        Ok(Value::Bool(*str_arg(a, 0)? == *kind_name(&a[1])))
    }));
    v.push(func("deepEqual", Exact(2), |a| {
        Ok(Value::Bool(deep_equal(&a[0], &a[1])))
    }));
    // default DEFAULT GIVEN: GIVEN unless it is empty.
    v.push(func("default", AtLeast(1), |a| {
        Ok(match a.get(1) {
            Some(given) if given.truthy() => given.clone(),
            _ => a[0].clone(),
        })
    }));
    v.push(func("empty", Exact(1), |a| Ok(Value::Bool(!a[0].truthy()))));
    v.push(func("coalesce", AtLeast(0), |a| {
        Ok(a.iter().find(|x| x.truthy()).cloned().unwrap_or(Value::Nil))
    }));
    v.push(func("all", AtLeast(0), |a| {
        Ok(Value::Bool(a.iter().all(Value::truthy)))
    }));
    v.push(func("any", AtLeast(0), |a| {
        Ok(Value::Bool(a.iter().any(Value::truthy)))
    }));
    v.push(func("ternary", Exact(3), |a| {
        Ok(if bool_arg(a, 2)? {
            a[0].clone()
        } else {
            a[1].clone()
        })
    }));
}
