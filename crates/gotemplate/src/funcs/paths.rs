//! Go's `path` functions (`base`, `dir`, `clean`, `ext`, `isAbs`) and,
//! on Linux where Helm runs them, `filepath`'s (`osBase`, …) are the same.

use super::{func, s, str_arg, Arity::*};
use crate::{Func, Value};

pub(super) fn register(v: &mut Vec<(&'static str, Func)>) {
    v.push(func("base", Exact(1), |a| Ok(s(base(&str_arg(a, 0)?)))));
    v.push(func("osBase", Exact(1), |a| Ok(s(base(&str_arg(a, 0)?)))));
    v.push(func("dir", Exact(1), |a| Ok(s(dir(&str_arg(a, 0)?)))));
    v.push(func("osDir", Exact(1), |a| Ok(s(dir(&str_arg(a, 0)?)))));
    v.push(func("clean", Exact(1), |a| Ok(s(clean(&str_arg(a, 0)?)))));
    v.push(func("osClean", Exact(1), |a| Ok(s(clean(&str_arg(a, 0)?)))));
    v.push(func("ext", Exact(1), |a| Ok(s(ext(&str_arg(a, 0)?)))));
    v.push(func("osExt", Exact(1), |a| Ok(s(ext(&str_arg(a, 0)?)))));
    v.push(func("isAbs", Exact(1), |a| {
        Ok(Value::Bool(str_arg(a, 0)?.starts_with('/')))
    }));
    v.push(func("osIsAbs", Exact(1), |a| {
        Ok(Value::Bool(str_arg(a, 0)?.starts_with('/')))
    }));
}

/// path.Clean: the shortest equivalent path.
pub(crate) fn clean(p: &str) -> String {
    if p.is_empty() {
        return ".".into();
    }
    let rooted = p.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for seg in p.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                if parts.last().is_some_and(|l| *l != "..") {
                    parts.pop();
                } else if !rooted {
                    parts.push("..");
                }
            }
            s => parts.push(s),
        }
    }
    let joined = parts.join("/");
    match (rooted, joined.is_empty()) {
        (true, _) => format!("/{joined}"),
        (false, true) => ".".into(),
        (false, false) => joined,
    }
}

/// path.Base: the last element, trailing slashes removed.
pub(crate) fn base(p: &str) -> String {
    if p.is_empty() {
        return ".".into();
    }
    let t = p.trim_end_matches('/');
    if t.is_empty() {
        return "/".into();
    }
    t.rsplit('/').next().unwrap_or(t).to_string()
}

/// path.Dir: all but the last element, cleaned.
pub(crate) fn dir(p: &str) -> String {
    let cut = p.rfind('/').map(|i| i + 1).unwrap_or(0);
    clean(&p[..cut])
}

/// path.Ext: the suffix from the final dot of the last element.
pub(crate) fn ext(p: &str) -> String {
    for (i, c) in p.char_indices().rev() {
        if c == '/' {
            break;
        }
        if c == '.' {
            return p[i..].to_string();
        }
    }
    String::new()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_as_go() {
        assert_eq!(base("/a/b.txt/"), "b.txt");
        assert_eq!(base(""), ".");
        assert_eq!(base("///"), "/");
        assert_eq!(dir("/a/b/c"), "/a/b");
        assert_eq!(dir("c"), ".");
        assert_eq!(clean("a//b/./../c/"), "a/c");
        assert_eq!(clean("/../a"), "/a");
        assert_eq!(clean("../../a"), "../../a");
        assert_eq!(ext("a/b.tar.gz"), ".gz");
        assert_eq!(ext("a.b/c"), "");
    }
}
