//! Sprig's `urlParse`, `urlJoin` (Go's net/url) and `getHostByName`.

use std::collections::BTreeMap;

use super::{func, map_arg, s, str_arg, Arity::*, Fail, R};
use crate::{Func, Value};

pub(super) fn register(v: &mut Vec<(&'static str, Func)>) {
    v.push(func("urlParse", Exact(1), |a| {
        let u =
            parse(&str_arg(a, 0)?).map_err(|e| Fail::Call(format!("unable to parse url: {e}")))?;
        let mut m = BTreeMap::new();
        for (k, val) in [
            ("scheme", &u.scheme),
            ("host", &u.host),
            ("hostname", &hostname(&u.host)),
            ("path", &u.path),
            ("query", &u.query),
            ("opaque", &u.opaque),
            ("fragment", &u.fragment),
            ("userinfo", &u.user.clone().unwrap_or_default()),
        ] {
            m.insert(k.to_string(), Value::str(val));
        }
        Ok(Value::map(m))
    }));
    v.push(func("urlJoin", Exact(1), url_join));
    // `helm template` renders offline here: no DNS.
    v.push(func("getHostByName", Exact(1), |a| {
        let name = str_arg(a, 0)?;
        Err(Fail::Call(format!(
            "lookup {name}: no such host (strata renders without network access)"
        )))
    }));
}

#[derive(Debug, Default, PartialEq)]
struct Url {
    scheme: String,
    opaque: String,
    user: Option<String>,
    host: String,
    path: String,
    query: String,
    fragment: String,
}

fn unescape(s: &str) -> Result<String, String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = s
                .get(i + 1..i + 3)
                .filter(|h| h.bytes().all(|c| c.is_ascii_hexdigit()));
            let Some(hex) = hex else {
                let bad: String = s[i..].chars().take(3).collect();
                return Err(format!(
                    "invalid URL escape {}",
                    super::strings::go_quote(&bad)
                ));
            };
            out.push(u8::from_str_radix(hex, 16).unwrap_or(0));
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    Ok(String::from_utf8_lossy(&out).into_owned())
}

/// url.Parse (the common forms).
fn parse(raw: &str) -> Result<Url, String> {
    let quoted = super::strings::go_quote(raw);
    let mut u = Url::default();
    let (rest, frag) = match raw.split_once('#') {
        Some((r, f)) => (r, Some(f)),
        None => (raw, None),
    };
    if let Some(f) = frag {
        u.fragment = unescape(f).map_err(|e| format!("parse {quoted}: {e}"))?;
    }
    let mut rest = rest;
    // The scheme: a letter, then letters, digits, + - .
    if let Some(colon) = rest.find(':') {
        let cand = &rest[..colon];
        let valid = cand.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
            && cand
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c));
        if valid {
            u.scheme = cand.to_ascii_lowercase();
            rest = &rest[colon + 1..];
        } else if colon == 0 {
            return Err(format!("parse {quoted}: missing protocol scheme"));
        }
    }
    if let Some((r, q)) = rest.split_once('?') {
        u.query = q.to_string();
        rest = r;
    }
    if !rest.starts_with('/') && !u.scheme.is_empty() {
        u.opaque = rest.to_string();
        return Ok(u);
    }
    if let Some(after) = rest.strip_prefix("//") {
        let end = after.find('/').unwrap_or(after.len());
        let authority = &after[..end];
        rest = &after[end..];
        let host = match authority.rsplit_once('@') {
            Some((user, host)) => {
                u.user = Some(user.to_string());
                host
            }
            None => authority,
        };
        u.host = unescape(host).map_err(|e| format!("parse {quoted}: {e}"))?;
    }
    u.path = unescape(rest).map_err(|e| format!("parse {quoted}: {e}"))?;
    Ok(u)
}

/// url.URL.Hostname: the host without port and brackets.
fn hostname(host: &str) -> String {
    if let Some(rest) = host.strip_prefix('[') {
        return rest.split(']').next().unwrap_or("").to_string();
    }
    match host.rsplit_once(':') {
        Some((h, port)) if port.bytes().all(|b| b.is_ascii_digit()) => h.to_string(),
        _ => host.to_string(),
    }
}

fn escape(s: &str, extra: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) || extra.as_bytes().contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn url_join(a: &[Value]) -> R {
    let m = map_arg(a, 0)?;
    let get = |k: &str| -> Result<String, Fail> {
        match m.as_ref().and_then(|m| m.borrow().get(k).cloned()) {
            None => Ok(String::new()),
            Some(Value::String(s)) => Ok(s.to_string()),
            Some(other) => Err(Fail::Call(format!(
                "unable to parse {k} key, must be of type string, but {} found",
                super::type_name(&other)
            ))),
        }
    };
    let (scheme, host, path, query, opaque, fragment, user) = (
        get("scheme")?,
        get("host")?,
        get("path")?,
        get("query")?,
        get("opaque")?,
        get("fragment")?,
        get("userinfo")?,
    );
    let mut out = String::new();
    if !scheme.is_empty() {
        out.push_str(&scheme);
        out.push(':');
    }
    if !opaque.is_empty() {
        out.push_str(&opaque);
    } else {
        if !scheme.is_empty() || !host.is_empty() || !user.is_empty() {
            if !host.is_empty() || !path.is_empty() || !user.is_empty() {
                out.push_str("//");
            }
            if !user.is_empty() {
                let (name, pass) = match user.split_once(':') {
                    Some((n, p)) => (n.to_string(), Some(p.to_string())),
                    None => (user.clone(), None),
                };
                out.push_str(&escape(&name, "!$&'()*+,;="));
                if let Some(p) = pass {
                    out.push(':');
                    out.push_str(&escape(&p, "!$&'()*+,;="));
                }
                out.push('@');
            }
            out.push_str(&escape(&host, "!$&'()*+,;=:[]"));
        }
        let escaped = escape(&path, "$&+,/:;=@");
        if !escaped.is_empty() && !escaped.starts_with('/') && !host.is_empty() {
            out.push('/');
        }
        if out.is_empty()
            && escaped
                .split('/')
                .next()
                .is_some_and(|seg| seg.contains(':'))
        {
            out.push_str("./");
        }
        out.push_str(&escaped);
    }
    if !query.is_empty() {
        out.push('?');
        out.push_str(&query);
    }
    if !fragment.is_empty() {
        out.push('#');
        out.push_str(&escape(&fragment, "$&+,/:;=@!()*?"));
    }
    Ok(s(out))
}
