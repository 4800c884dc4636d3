//! Sprig's date functions (date.go): `now`, `date`, `dateInZone`,
//! `htmlDate`, `unixEpoch`, `dateModify`, `toDate`, `ago`, `duration`,
//! `durationRound`, with Go's layouts (`2006-01-02T15:04:05Z07:00`).
//!
//! Times are UTC: `Local` is taken as UTC (as on a CI machine or a
//! container) and zones other than `UTC`/`Local` are not known (strata
//! carries no time zone database): they fall back to UTC, as Sprig does
//! for a zone it cannot load.

use std::rc::Rc;
use std::time::{SystemTime, UNIX_EPOCH};

use super::{func, s, str_arg, type_name, Arity::*, Fail, R};
use crate::{Func, Object, Value};

/// A Go `time.Time` (UTC).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Time {
    pub secs: i64,
    pub nanos: u32,
}

impl Object for Time {
    fn type_name(&self) -> &str {
        "time.Time"
    }
    fn field(&self, _name: &str) -> Option<Value> {
        None
    }
    fn call(&self, name: &str, args: &[Value]) -> Option<Result<Value, String>> {
        Some(Ok(match (name, args) {
            ("Unix", []) => Value::Int64(self.secs),
            ("UnixNano", []) => Value::Int64(
                self.secs
                    .saturating_mul(1_000_000_000)
                    .saturating_add(self.nanos as i64),
            ),
            ("Year", []) => Value::Int(civil(self.secs).0),
            ("Format", [Value::String(layout)]) => Value::str(&format(*self, layout)),
            ("String", []) => Value::str(&format(*self, "2006-01-02 15:04:05.999999999 -0700 MST")),
            _ => return None,
        }))
    }
    /// What toJson and toYaml see: time.Time's MarshalJSON (RFC 3339).
    fn to_value(&self) -> Value {
        Value::str(&format(*self, "2006-01-02T15:04:05.999999999Z07:00"))
    }
}

pub(crate) fn now() -> Time {
    let d = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    Time {
        secs: d.as_secs() as i64,
        nanos: d.subsec_nanos(),
    }
}

fn time_value(t: Time) -> Value {
    Value::Object(Rc::new(t))
}

/// A `time.Time` argument.
fn time_arg(a: &[Value], i: usize) -> Result<Time, Fail> {
    as_time(&a[i]).ok_or_else(|| match &a[i] {
        Value::Nil => Fail::Arg("invalid value; expected time.Time".into()),
        other => Fail::Arg(format!(
            "wrong type for value; expected time.Time; got {}",
            type_name(other)
        )),
    })
}

fn as_time(v: &Value) -> Option<Time> {
    match v {
        Value::Object(o) if o.type_name() == "time.Time" => {
            let secs = match o.call("Unix", &[]) {
                Some(Ok(Value::Int64(s))) => s,
                _ => return None,
            };
            let nanos = match o.call("UnixNano", &[]) {
                Some(Ok(Value::Int64(n))) => n.rem_euclid(1_000_000_000) as u32,
                _ => 0,
            };
            Some(Time { secs, nanos })
        }
        _ => None,
    }
}

/// Sprig's date argument: a time, or Unix seconds as int/int64; anything
/// else is now.
fn date_of(v: &Value) -> Time {
    match v {
        Value::Int(i) | Value::Int64(i) => Time { secs: *i, nanos: 0 },
        other => as_time(other).unwrap_or_else(now),
    }
}

pub(super) fn register(v: &mut Vec<(&'static str, Func)>) {
    v.push(func("now", Exact(0), |_| Ok(time_value(now()))));
    v.push(func("date", Exact(2), |a| {
        Ok(s(format(date_of(&a[1]), &str_arg(a, 0)?)))
    }));
    v.push(func("dateInZone", Exact(3), date_in_zone));
    v.push(func("date_in_zone", Exact(3), date_in_zone));
    v.push(func("htmlDate", Exact(1), |a| {
        Ok(s(format(date_of(&a[0]), "2006-01-02")))
    }));
    v.push(func("htmlDateInZone", Exact(2), |a| {
        let _ = str_arg(a, 1)?;
        Ok(s(format(date_of(&a[0]), "2006-01-02")))
    }));
    v.push(func("unixEpoch", Exact(1), |a| {
        Ok(s(time_arg(a, 0)?.secs.to_string()))
    }));
    for name in ["dateModify", "date_modify"] {
        v.push(func(name, Exact(2), |a| {
            let d = str_arg(a, 0)?;
            let t = time_arg(a, 1)?;
            Ok(time_value(match parse_duration(&d) {
                Ok(n) => add(t, n),
                Err(_) => t,
            }))
        }));
    }
    for name in ["mustDateModify", "must_date_modify"] {
        v.push(func(name, Exact(2), |a| {
            let d = str_arg(a, 0)?;
            let t = time_arg(a, 1)?;
            Ok(time_value(add(t, parse_duration(&d)?)))
        }));
    }
    v.push(func("toDate", Exact(2), |a| {
        let (layout, text) = (str_arg(a, 0)?, str_arg(a, 1)?);
        Ok(time_value(parse(&layout, &text).unwrap_or(Time {
            secs: -62135596800,
            nanos: 0,
        })))
    }));
    v.push(func("mustToDate", Exact(2), |a| {
        let (layout, text) = (str_arg(a, 0)?, str_arg(a, 1)?);
        Ok(time_value(parse(&layout, &text)?))
    }));
    v.push(func("ago", Exact(1), |a| {
        let t = date_of(&a[0]);
        let n = now();
        let secs = n.secs - t.secs - if n.nanos < t.nanos { 1 } else { 0 };
        Ok(s(duration_string(secs as i128 * 1_000_000_000)))
    }));
    v.push(func("duration", Exact(1), |a| {
        let n: i64 = match &a[0] {
            Value::String(st) => st.parse().unwrap_or(0),
            Value::Int64(i) => *i,
            _ => 0,
        };
        Ok(s(duration_string(n as i128 * 1_000_000_000)))
    }));
    v.push(func("durationRound", Exact(1), |a| {
        let d: i128 = match &a[0] {
            Value::String(st) => parse_duration(st).unwrap_or(0) as i128,
            Value::Int64(i) => *i as i128,
            other => match as_time(other) {
                Some(t) => {
                    let n = now();
                    (n.secs - t.secs) as i128 * 1_000_000_000 + n.nanos as i128 - t.nanos as i128
                }
                None => 0,
            },
        };
        Ok(s(duration_round(d)))
    }));
}

fn date_in_zone(a: &[Value]) -> R {
    let layout = str_arg(a, 0)?;
    let _zone = str_arg(a, 2)?;
    Ok(s(format(date_of(&a[1]), &layout)))
}

fn add(t: Time, nanos: i64) -> Time {
    let total = t.secs as i128 * 1_000_000_000 + t.nanos as i128 + nanos as i128;
    Time {
        secs: total.div_euclid(1_000_000_000) as i64,
        nanos: total.rem_euclid(1_000_000_000) as u32,
    }
}

/// Days since 1970-01-01 → (year, month, day) (Howard Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719468;
    let era = z.div_euclid(146097);
    let doe = z.rem_euclid(146097);
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let m = m as i64;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146097 + doe - 719468
}

/// (year, month, day, hour, minute, second, weekday 0=Sunday, day of year)
fn civil(secs: i64) -> (i64, u32, u32, u32, u32, u32, u32, u32) {
    let days = secs.div_euclid(86400);
    let rem = secs.rem_euclid(86400);
    let (y, m, d) = civil_from_days(days);
    let yday = (days - days_from_civil(y, 1, 1) + 1) as u32;
    let wd = (days + 4).rem_euclid(7) as u32;
    (
        y,
        m,
        d,
        (rem / 3600) as u32,
        ((rem % 3600) / 60) as u32,
        (rem % 60) as u32,
        wd,
        yday,
    )
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const DAYS: [&str; 7] = [
    "Sunday",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
];

/// One element of a Go layout.
#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Lit(String),
    LongMonth,
    Month,
    NumMonth,
    ZeroMonth,
    LongWeekDay,
    WeekDay,
    Day,
    UnderDay,
    ZeroDay,
    UnderYearDay,
    ZeroYearDay,
    Hour,
    Hour12,
    ZeroHour12,
    Minute,
    ZeroMinute,
    Second,
    ZeroSecond,
    LongYear,
    Year,
    PM,
    Pm,
    TZ,
    /// (with Z for UTC, colons, seconds, hours only)
    Offset {
        z: bool,
        colon: bool,
        secs: bool,
        hours_only: bool,
    },
    /// Fractional seconds: digits, trailing zeros trimmed (`.999`), separator.
    Frac {
        digits: usize,
        trim: bool,
        sep: char,
    },
}

/// Go's nextStdChunk, as a tokenizer.
fn tokens(layout: &str) -> Vec<Tok> {
    let b = layout.as_bytes();
    let mut out = Vec::new();
    let mut lit = String::new();
    let mut i = 0;
    let starts = |i: usize, p: &str| layout[i..].starts_with(p);
    while i < b.len() {
        let mut tok: Option<(Tok, usize)> = None;
        match b[i] {
            b'J' if starts(i, "January") => tok = Some((Tok::LongMonth, 7)),
            b'J' if starts(i, "Jan") => tok = Some((Tok::Month, 3)),
            b'M' if starts(i, "Monday") => tok = Some((Tok::LongWeekDay, 6)),
            b'M' if starts(i, "Mon") => tok = Some((Tok::WeekDay, 3)),
            b'M' if starts(i, "MST") => tok = Some((Tok::TZ, 3)),
            b'0' if starts(i, "002") => tok = Some((Tok::ZeroYearDay, 3)),
            b'0' if i + 1 < b.len() && (b'1'..=b'6').contains(&b[i + 1]) => {
                tok = Some((
                    match b[i + 1] {
                        b'1' => Tok::ZeroMonth,
                        b'2' => Tok::ZeroDay,
                        b'3' => Tok::ZeroHour12,
                        b'4' => Tok::ZeroMinute,
                        b'5' => Tok::ZeroSecond,
                        _ => Tok::Year,
                    },
                    2,
                ))
            }
            b'1' if starts(i, "15") => tok = Some((Tok::Hour, 2)),
            b'1' => tok = Some((Tok::NumMonth, 1)),
            b'2' if starts(i, "2006") => tok = Some((Tok::LongYear, 4)),
            b'2' => tok = Some((Tok::Day, 1)),
            b'_' if starts(i, "__2") => tok = Some((Tok::UnderYearDay, 3)),
            b'_' if starts(i, "_2") => tok = Some((Tok::UnderDay, 2)),
            b'3' => tok = Some((Tok::Hour12, 1)),
            b'4' => tok = Some((Tok::Minute, 1)),
            b'5' => tok = Some((Tok::Second, 1)),
            b'P' if starts(i, "PM") => tok = Some((Tok::PM, 2)),
            b'p' if starts(i, "pm") => tok = Some((Tok::Pm, 2)),
            b'-' | b'Z' => {
                let z = b[i] == b'Z';
                for (pat, colon, secs, hours_only) in [
                    ("070000", false, true, false),
                    ("07:00:00", true, true, false),
                    ("0700", false, false, false),
                    ("07:00", true, false, false),
                    ("07", false, false, true),
                ] {
                    if starts(i + 1, pat) {
                        tok = Some((
                            Tok::Offset {
                                z,
                                colon,
                                secs,
                                hours_only,
                            },
                            1 + pat.len(),
                        ));
                        break;
                    }
                }
            }
            b'.' | b',' if i + 1 < b.len() && (b[i + 1] == b'0' || b[i + 1] == b'9') => {
                let c = b[i + 1];
                let mut j = i + 1;
                while j < b.len() && b[j] == c {
                    j += 1;
                }
                if !(j < b.len() && b[j].is_ascii_digit()) {
                    tok = Some((
                        Tok::Frac {
                            digits: j - i - 1,
                            trim: c == b'9',
                            sep: b[i] as char,
                        },
                        j - i,
                    ));
                }
            }
            _ => {}
        }
        match tok {
            Some((t, n)) => {
                if !lit.is_empty() {
                    out.push(Tok::Lit(std::mem::take(&mut lit)));
                }
                out.push(t);
                i += n;
            }
            None => {
                let c = layout[i..].chars().next().unwrap_or(' ');
                lit.push(c);
                i += c.len_utf8();
            }
        }
    }
    if !lit.is_empty() {
        out.push(Tok::Lit(lit));
    }
    out
}

/// time.Time.Format in UTC.
pub(crate) fn format(t: Time, layout: &str) -> String {
    let (y, mo, d, h, mi, sec, wd, yday) = civil(t.secs);
    let mut out = String::new();
    for tok in tokens(layout) {
        match tok {
            Tok::Lit(l) => out.push_str(&l),
            Tok::LongMonth => out.push_str(MONTHS[mo as usize - 1]),
            Tok::Month => out.push_str(&MONTHS[mo as usize - 1][..3]),
            Tok::NumMonth => out.push_str(&mo.to_string()),
            Tok::ZeroMonth => out.push_str(&format!("{mo:02}")),
            Tok::LongWeekDay => out.push_str(DAYS[wd as usize]),
            Tok::WeekDay => out.push_str(&DAYS[wd as usize][..3]),
            Tok::Day => out.push_str(&d.to_string()),
            Tok::UnderDay => out.push_str(&format!("{d:>2}")),
            Tok::ZeroDay => out.push_str(&format!("{d:02}")),
            Tok::UnderYearDay => out.push_str(&format!("{yday:>3}")),
            Tok::ZeroYearDay => out.push_str(&format!("{yday:03}")),
            Tok::Hour => out.push_str(&format!("{h:02}")),
            Tok::Hour12 => out.push_str(&(if h % 12 == 0 { 12 } else { h % 12 }).to_string()),
            Tok::ZeroHour12 => {
                out.push_str(&format!("{:02}", if h % 12 == 0 { 12 } else { h % 12 }))
            }
            Tok::Minute => out.push_str(&mi.to_string()),
            Tok::ZeroMinute => out.push_str(&format!("{mi:02}")),
            Tok::Second => out.push_str(&sec.to_string()),
            Tok::ZeroSecond => out.push_str(&format!("{sec:02}")),
            Tok::LongYear => out.push_str(&format!("{y:04}")),
            Tok::Year => out.push_str(&format!("{:02}", y.rem_euclid(100))),
            Tok::PM => out.push_str(if h >= 12 { "PM" } else { "AM" }),
            Tok::Pm => out.push_str(if h >= 12 { "pm" } else { "am" }),
            Tok::TZ => out.push_str("UTC"),
            Tok::Offset {
                z,
                colon,
                secs,
                hours_only,
            } => {
                if z {
                    out.push('Z');
                } else {
                    out.push_str(if hours_only {
                        "+00"
                    } else if colon {
                        if secs {
                            "+00:00:00"
                        } else {
                            "+00:00"
                        }
                    } else if secs {
                        "+000000"
                    } else {
                        "+0000"
                    });
                }
            }
            Tok::Frac { digits, trim, sep } => {
                let full = format!("{:09}", t.nanos);
                let mut frac = full[..digits.min(9)].to_string();
                if trim {
                    frac = frac.trim_end_matches('0').to_string();
                    if !frac.is_empty() {
                        out.push(sep);
                        out.push_str(&frac);
                    }
                } else {
                    out.push(sep);
                    out.push_str(&frac);
                }
            }
        }
    }
    out
}

/// time.Parse for the numeric layouts and month names (UTC only).
fn parse(layout: &str, text: &str) -> Result<Time, String> {
    let err = || {
        format!(
            "parsing time {} as {}: cannot parse",
            super::strings::go_quote(text),
            super::strings::go_quote(layout)
        )
    };
    let (mut y, mut mo, mut d, mut h, mut mi, mut sec, mut nanos, mut pm) =
        (1i64, 1u32, 1u32, 0u32, 0u32, 0u32, 0u32, None);
    let mut offset = 0i64;
    let mut rest = text;
    let num = |rest: &mut &str, min: usize, max: usize| -> Option<u32> {
        let n = rest
            .bytes()
            .take(max)
            .take_while(|b| b.is_ascii_digit())
            .count();
        if n < min {
            return None;
        }
        let v = rest[..n].parse().ok()?;
        *rest = &rest[n..];
        Some(v)
    };
    for tok in tokens(layout) {
        match tok {
            Tok::Lit(l) => rest = rest.strip_prefix(l.as_str()).ok_or_else(err)?,
            Tok::LongMonth | Tok::Month => {
                let i = MONTHS
                    .iter()
                    .position(|m| {
                        let name = if tok == Tok::Month { &m[..3] } else { m };
                        rest.starts_with(name)
                    })
                    .ok_or_else(err)?;
                rest = &rest[if tok == Tok::Month {
                    3
                } else {
                    MONTHS[i].len()
                }..];
                mo = i as u32 + 1;
            }
            Tok::LongWeekDay | Tok::WeekDay => {
                let i = DAYS
                    .iter()
                    .position(|m| rest.starts_with(if tok == Tok::WeekDay { &m[..3] } else { m }))
                    .ok_or_else(err)?;
                rest = &rest[if tok == Tok::WeekDay {
                    3
                } else {
                    DAYS[i].len()
                }..];
            }
            Tok::NumMonth | Tok::ZeroMonth => {
                mo = num(&mut rest, if tok == Tok::ZeroMonth { 2 } else { 1 }, 2).ok_or_else(err)?
            }
            Tok::Day | Tok::ZeroDay | Tok::UnderDay => {
                if tok == Tok::UnderDay {
                    rest = rest.strip_prefix(' ').unwrap_or(rest);
                }
                d = num(&mut rest, if tok == Tok::ZeroDay { 2 } else { 1 }, 2).ok_or_else(err)?
            }
            Tok::UnderYearDay | Tok::ZeroYearDay => {
                num(&mut rest, 3, 3).ok_or_else(err)?;
            }
            Tok::Hour => h = num(&mut rest, 2, 2).ok_or_else(err)?,
            Tok::Hour12 | Tok::ZeroHour12 => {
                h = num(&mut rest, if tok == Tok::ZeroHour12 { 2 } else { 1 }, 2).ok_or_else(err)?
            }
            Tok::Minute | Tok::ZeroMinute => {
                mi =
                    num(&mut rest, if tok == Tok::ZeroMinute { 2 } else { 1 }, 2).ok_or_else(err)?
            }
            Tok::Second | Tok::ZeroSecond => {
                sec = num(&mut rest, if tok == Tok::ZeroSecond { 2 } else { 1 }, 2)
                    .ok_or_else(err)?;
                // Go accepts fractional seconds after a seconds field.
                if let Some(r) = rest.strip_prefix('.') {
                    let n = r.bytes().take_while(|b| b.is_ascii_digit()).count();
                    if n > 0 {
                        let digits = &r[..n.min(9)];
                        nanos = format!("{digits:0<9}").parse().unwrap_or(0);
                        rest = &r[n..];
                    }
                }
            }
            Tok::LongYear => y = num(&mut rest, 4, 4).ok_or_else(err)? as i64,
            Tok::Year => {
                let v = num(&mut rest, 2, 2).ok_or_else(err)? as i64;
                y = if v >= 69 { 1900 + v } else { 2000 + v };
            }
            Tok::PM | Tok::Pm => {
                let up = rest
                    .get(..2)
                    .map(|x| x.to_ascii_uppercase())
                    .ok_or_else(err)?;
                pm = Some(match up.as_str() {
                    "PM" => true,
                    "AM" => false,
                    _ => return Err(err()),
                });
                rest = &rest[2..];
            }
            Tok::TZ => {
                let n = rest.bytes().take_while(|b| b.is_ascii_uppercase()).count();
                if n < 3 {
                    return Err(err());
                }
                rest = &rest[n..];
            }
            Tok::Offset { z, .. } => {
                if z && rest.starts_with('Z') {
                    rest = &rest[1..];
                } else {
                    let sign = match rest.as_bytes().first() {
                        Some(b'+') => 1,
                        Some(b'-') => -1,
                        _ => return Err(err()),
                    };
                    rest = &rest[1..];
                    let oh = num(&mut rest, 2, 2).ok_or_else(err)? as i64;
                    rest = rest.strip_prefix(':').unwrap_or(rest);
                    let om = num(&mut rest, 0, 2).unwrap_or(0) as i64;
                    offset = sign * (oh * 3600 + om * 60);
                }
            }
            Tok::Frac { .. } => {
                if let Some(r) = rest.strip_prefix(['.', ',']) {
                    let n = r.bytes().take_while(|b| b.is_ascii_digit()).count();
                    let digits = &r[..n.min(9)];
                    nanos = format!("{digits:0<9}").parse().unwrap_or(0);
                    rest = &r[n..];
                }
            }
        }
    }
    if !rest.is_empty() {
        return Err(format!(
            "parsing time {}: extra text: {}",
            super::strings::go_quote(text),
            super::strings::go_quote(rest)
        ));
    }
    if let Some(pm) = pm {
        if h > 12 {
            return Err(err());
        }
        h = match (pm, h) {
            (true, 12) => 12,
            (true, h) => h + 12,
            (false, 12) => 0,
            (false, h) => h,
        };
    }
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || sec > 59 {
        return Err(format!(
            "parsing time {}: month, day or time out of range",
            super::strings::go_quote(text)
        ));
    }
    let days = days_from_civil(y, mo, d);
    Ok(Time {
        secs: days * 86400 + (h * 3600 + mi * 60 + sec) as i64 - offset,
        nanos,
    })
}

/// time.ParseDuration, in nanoseconds.
pub(crate) fn parse_duration(text: &str) -> Result<i64, String> {
    let bad = || format!("time: invalid duration {}", super::strings::go_quote(text));
    let (neg, mut rest) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    if rest == "0" {
        return Ok(0);
    }
    if rest.is_empty() {
        return Err(bad());
    }
    let mut total: f64 = 0.0;
    while !rest.is_empty() {
        let n = rest
            .bytes()
            .take_while(|b| b.is_ascii_digit() || *b == b'.')
            .count();
        if n == 0 {
            return Err(bad());
        }
        let value: f64 = rest[..n].parse().map_err(|_| bad())?;
        rest = &rest[n..];
        let u = rest
            .bytes()
            .take_while(|b| !(b.is_ascii_digit() || *b == b'.'))
            .count();
        let unit = &rest[..u];
        rest = &rest[u..];
        let scale = match unit {
            "ns" => 1.0,
            "us" | "µs" | "μs" => 1e3,
            "ms" => 1e6,
            "s" => 1e9,
            "m" => 60e9,
            "h" => 3600e9,
            "" => {
                return Err(format!(
                    "time: missing unit in duration {}",
                    super::strings::go_quote(text)
                ))
            }
            _ => {
                return Err(format!(
                    "time: unknown unit {} in duration {}",
                    super::strings::go_quote(unit),
                    super::strings::go_quote(text)
                ))
            }
        };
        total += value * scale;
    }
    if total > i64::MAX as f64 {
        return Err(bad());
    }
    Ok(if neg { -(total as i64) } else { total as i64 })
}

/// time.Duration.String.
pub(crate) fn duration_string(nanos: i128) -> String {
    let neg = nanos < 0;
    let u = nanos.unsigned_abs();
    let sign = if neg { "-" } else { "" };
    if u == 0 {
        return "0s".into();
    }
    if u < 1_000_000_000 {
        let (unit, div) = if u < 1_000 {
            ("ns", 1)
        } else if u < 1_000_000 {
            ("µs", 1_000)
        } else {
            ("ms", 1_000_000)
        };
        return format!("{sign}{}{unit}", frac_text(u, div));
    }
    let secs_total = u / 1_000_000_000;
    let frac = u % 1_000_000_000;
    let h = secs_total / 3600;
    let m = (secs_total % 3600) / 60;
    let s = secs_total % 60;
    let mut sec_text = s.to_string();
    if frac > 0 {
        let f = format!("{frac:09}");
        sec_text.push('.');
        sec_text.push_str(f.trim_end_matches('0'));
    }
    if h > 0 {
        format!("{sign}{h}h{m}m{sec_text}s")
    } else if m > 0 {
        format!("{sign}{m}m{sec_text}s")
    } else {
        format!("{sign}{sec_text}s")
    }
}

fn frac_text(u: u128, div: u128) -> String {
    let whole = u / div;
    let rem = u % div;
    if rem == 0 {
        return whole.to_string();
    }
    let width = div.to_string().len() - 1;
    let f = format!("{rem:0width$}");
    format!("{whole}.{}", f.trim_end_matches('0'))
}

/// Sprig's durationRound: the largest whole unit (y, mo, d, h, m, s).
fn duration_round(nanos: i128) -> String {
    let u = nanos.unsigned_abs();
    let second = 1_000_000_000u128;
    let minute = 60 * second;
    let hour = 60 * minute;
    let day = 24 * hour;
    let month = 30 * day;
    let year = 365 * day;
    for (unit, name) in [
        (year, "y"),
        (month, "mo"),
        (day, "d"),
        (hour, "h"),
        (minute, "m"),
        (second, "s"),
    ] {
        if u > unit {
            return format!("{}{name}", u / unit);
        }
    }
    "0s".into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layouts_as_go() {
        // 2021-03-04T05:06:07.089Z, a Thursday, day 63.
        let t = Time {
            secs: 1614834367,
            nanos: 89_000_000,
        };
        assert_eq!(
            format(t, "2006-01-02T15:04:05Z07:00"),
            "2021-03-04T05:06:07Z"
        );
        assert_eq!(format(t, "20060102150405"), "20210304050607");
        assert_eq!(
            format(t, "Mon Jan _2 3:4:5 PM MST 2006 -0700"),
            "Thu Mar  4 5:6:7 AM UTC 2021 +0000"
        );
        assert_eq!(
            format(t, "Monday January 2 06 002 .000 .999"),
            "Thursday March 4 21 063 .089 .089"
        );
        assert_eq!(
            format(t, "2006-01-02T15:04:05.999999999Z07:00"),
            "2021-03-04T05:06:07.089Z"
        );
        assert_eq!(
            parse("2006-01-02", "2021-03-04"),
            Ok(Time {
                secs: 1614816000,
                nanos: 0
            })
        );
        assert_eq!(
            parse("2006-01-02T15:04:05Z07:00", "2021-03-04T06:06:07+01:00"),
            Ok(Time {
                secs: 1614834367,
                nanos: 0
            })
        );
        assert!(parse("2006-01-02", "2021-13-04").is_err());
    }

    #[test]
    fn durations_as_go() {
        assert_eq!(parse_duration("1h30m"), Ok(5_400_000_000_000));
        assert_eq!(parse_duration("-1.5s"), Ok(-1_500_000_000));
        assert!(parse_duration("5").is_err());
        assert_eq!(duration_string(95 * 1_000_000_000), "1m35s");
        assert_eq!(duration_string(3_600_000_000_000), "1h0m0s");
        assert_eq!(duration_string(1_500_000), "1.5ms");
        assert_eq!(duration_string(0), "0s");
        assert_eq!(duration_round(3 * 86_400_000_000_000 + 5), "3d");
        assert_eq!(duration_round(400 * 86_400_000_000_000), "1y");
    }
}
