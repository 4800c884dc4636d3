//! Sprig's dict functions (dict.go). `set`, `unset`, `merge` and
//! `mergeOverwrite` change the destination map itself, as Go's maps are
//! shared: every holder of it sees the change.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;

use super::{func, map_arg, str_arg, strval, type_name, Arity::*, Fail, R};
use crate::{Func, Map, Value};

pub(super) fn register(v: &mut Vec<(&'static str, Func)>) {
    v.push(func("dict", AtLeast(0), |a| {
        let mut m = BTreeMap::new();
        let mut i = 0;
        while i < a.len() {
            let key = strval(&a[i]);
            let val = a.get(i + 1).cloned().unwrap_or_else(|| Value::str(""));
            m.insert(key, val);
            i += 2;
        }
        Ok(Value::map(m))
    }));
    v.push(func("get", Exact(2), |a| {
        let m = map_arg(a, 0)?;
        let k = str_arg(a, 1)?;
        Ok(m.and_then(|m| m.borrow().get(&*k).cloned())
            .unwrap_or_else(|| Value::str("")))
    }));
    v.push(func("set", Exact(3), |a| {
        let m =
            map_arg(a, 0)?.ok_or_else(|| Fail::Call("assignment to entry in nil map".into()))?;
        let k = str_arg(a, 1)?;
        m.borrow_mut().insert(k.to_string(), a[2].clone());
        Ok(Value::Map(m))
    }));
    v.push(func("unset", Exact(2), |a| {
        let m = map_arg(a, 0)?;
        let k = str_arg(a, 1)?;
        match m {
            Some(m) => {
                m.borrow_mut().remove(&*k);
                Ok(Value::Map(m))
            }
            None => Ok(Value::Nil),
        }
    }));
    v.push(func("hasKey", Exact(2), |a| {
        let m = map_arg(a, 0)?;
        let k = str_arg(a, 1)?;
        Ok(Value::Bool(m.is_some_and(|m| m.borrow().contains_key(&*k))))
    }));
    v.push(func("pluck", AtLeast(1), |a| {
        let k = str_arg(a, 0)?;
        let mut out = Vec::new();
        for i in 1..a.len() {
            if let Some(m) = map_arg(a, i)? {
                if let Some(x) = m.borrow().get(&*k) {
                    out.push(x.clone());
                }
            }
        }
        Ok(Value::list(out))
    }));
    // Go iterates maps in random order; here keys come sorted.
    v.push(func("keys", AtLeast(0), |a| {
        let mut out = Vec::new();
        for i in 0..a.len() {
            if let Some(m) = map_arg(a, i)? {
                out.extend(m.borrow().keys().map(|k| Value::str(k)));
            }
        }
        Ok(Value::list(out))
    }));
    v.push(func("values", Exact(1), |a| {
        let m = map_arg(a, 0)?;
        Ok(Value::list(
            m.map(|m| m.borrow().values().cloned().collect())
                .unwrap_or_default(),
        ))
    }));
    v.push(func("pick", AtLeast(1), |a| {
        let m = map_arg(a, 0)?;
        let mut out = BTreeMap::new();
        for i in 1..a.len() {
            let k = str_arg(a, i)?;
            if let Some(x) = m.as_ref().and_then(|m| m.borrow().get(&*k).cloned()) {
                out.insert(k.to_string(), x);
            }
        }
        Ok(Value::map(out))
    }));
    v.push(func("omit", AtLeast(1), |a| {
        let m = map_arg(a, 0)?;
        let mut drop = Vec::new();
        for i in 1..a.len() {
            drop.push(str_arg(a, i)?);
        }
        let out = m
            .map(|m| {
                m.borrow()
                    .iter()
                    .filter(|(k, _)| !drop.iter().any(|d| **d == *k.as_str()))
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect()
            })
            .unwrap_or_default();
        Ok(Value::map(out))
    }));
    v.push(func("merge", AtLeast(1), |a| merge(a, false)));
    v.push(func("mustMerge", AtLeast(1), |a| merge(a, false)));
    v.push(func("mergeOverwrite", AtLeast(1), |a| merge(a, true)));
    v.push(func("mustMergeOverwrite", AtLeast(1), |a| merge(a, true)));
    v.push(func("deepCopy", Exact(1), |a| {
        if matches!(a[0], Value::Nil) {
            return Err("reflect: call of reflect.Value.Type on zero Value".into());
        }
        Ok(deep_copy(&a[0]))
    }));
    v.push(func("mustDeepCopy", Exact(1), |a| {
        if matches!(a[0], Value::Nil) {
            return Err("reflect: call of reflect.Value.Type on zero Value".into());
        }
        Ok(deep_copy(&a[0]))
    }));
    v.push(func("dig", AtLeast(0), |a| {
        let n = a.len();
        if n < 3 {
            return Err("dig needs at least three arguments".into());
        }
        let dict = match &a[n - 1] {
            Value::Map(m) => m.clone(),
            other => {
                return Err(Fail::Call(format!(
                    "interface conversion: interface {{}} is {}, not map[string]interface {{}}",
                    type_name(other)
                )))
            }
        };
        let default = a[n - 2].clone();
        let mut keys = Vec::new();
        for x in &a[..n - 2] {
            match x {
                Value::String(k) => keys.push(k.clone()),
                other => {
                    return Err(Fail::Call(format!(
                        "interface conversion: interface {{}} is {}, not string",
                        type_name(other)
                    )))
                }
            }
        }
        let mut cur = dict;
        for (i, k) in keys.iter().enumerate() {
            let step = match cur.borrow().get(&**k) {
                None => return Ok(default),
                Some(x) => x.clone(),
            };
            if i + 1 == keys.len() {
                return Ok(step);
            }
            cur = match step {
                Value::Map(m) => m,
                other => {
                    return Err(Fail::Call(format!(
                        "interface conversion: interface {{}} is {}, not map[string]interface {{}}",
                        if matches!(other, Value::Nil) {
                            "nil".to_string()
                        } else {
                            type_name(&other)
                        }
                    )))
                }
            };
        }
        Ok(default)
    }));
}

/// A copy sharing nothing mutable with the original.
pub(crate) fn deep_copy(v: &Value) -> Value {
    match v {
        Value::List(l) => Value::list(l.iter().map(deep_copy).collect()),
        Value::Map(m) => Value::map(
            m.borrow()
                .iter()
                .map(|(k, v)| (k.clone(), deep_copy(v)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// `merge dst src…` / `mergeOverwrite dst src…`: mergo.Merge into `dst`
/// itself, returned.
fn merge(a: &[Value], overwrite: bool) -> R {
    let dst = match map_arg(a, 0)? {
        Some(m) => m,
        None => Rc::new(RefCell::new(BTreeMap::new())),
    };
    for i in 1..a.len() {
        if let Some(src) = map_arg(a, i)? {
            if Rc::ptr_eq(&src, &dst) {
                continue;
            }
            merge_into(&dst, &src, overwrite, 0);
        }
    }
    Ok(Value::Map(dst))
}

/// mergo's deepMerge of two `map[string]interface{}` (v1 rules):
/// - a nil source value replaces only with overwrite;
/// - two maps merge key by key, the destination map changed in place;
/// - otherwise the source value is taken when the destination has no
///   value or an empty one, or always with overwrite.
fn merge_into(dst: &Map, src: &Map, overwrite: bool, depth: usize) {
    if depth > 1000 {
        return;
    }
    let entries: Vec<(String, Value)> = src
        .borrow()
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    for (k, sv) in entries {
        let dv = dst.borrow().get(&k).cloned();
        if matches!(sv, Value::Nil) {
            if overwrite {
                dst.borrow_mut().insert(k, Value::Nil);
            }
            continue;
        }
        if let (Value::Map(sm), Some(Value::Map(dm))) = (&sv, &dv) {
            if !Rc::ptr_eq(sm, dm) {
                merge_into(dm, sm, overwrite, depth + 1);
            }
            if !dm.borrow().is_empty() {
                continue;
            }
        }
        let dst_empty = dv.as_ref().is_none_or(|d| !d.truthy());
        if overwrite || dst_empty {
            dst.borrow_mut().insert(k, sv);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn yaml(text: &str) -> Value {
        super::super::yaml::from_yaml(text).unwrap()
    }

    fn json(v: &Value) -> String {
        super::super::json::encode(v, false, false).unwrap()
    }

    #[test]
    fn merge_rules() {
        // Verified with helm 4.1.4 (merge and mergeOverwrite of these maps, read
        // from a values file: `n` is YAML 1.1's false, so the key is "false").
        let dst = yaml("a: 1\nb: ''\nc: {x: 1, p: {z: 1}}\nd: [1]\ne: null\nf: false\ng: {}\n");
        let src = yaml("a: 2\nb: 3\nc: {x: 2, w: 2, p: {z: 2, q: 2}}\nd: [2]\ne: 4\nf: true\ng: {k: v}\nh: 5\nn: null\n");
        let out = merge(&[dst.clone(), src.clone()], false).unwrap();
        assert_eq!(
            json(&out),
            r#"{"a":1,"b":3,"c":{"p":{"q":2,"z":1},"w":2,"x":1},"d":[1],"e":4,"f":true,"g":{"k":"v"},"h":5}"#
        );
        let dst =
            yaml("a: 1\nb: ''\nc: {x: 1, p: {z: 1}}\nd: [1]\ne: null\nf: true\ng: {}\nn: 1\n");
        let src = yaml("a: 2\nb: 3\nc: {x: 2, w: 2, p: {z: 2, q: 2}}\nd: [2]\ne: 4\nf: false\ng: {k: v}\nh: 5\nn: null\n");
        let out = merge(&[dst, src], true).unwrap();
        assert_eq!(
            json(&out),
            r#"{"a":2,"b":3,"c":{"p":{"q":2,"z":2},"w":2,"x":2},"d":[2],"e":4,"f":false,"false":null,"g":{"k":"v"},"h":5}"#
        );
    }
}
