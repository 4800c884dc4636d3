//! Helm-compatible semantic versions and version constraints.
//!
//! Helm parses and compares versions with `github.com/Masterminds/semver/v3`;
//! this module reproduces the behaviour of its v3.4.0 release (the package
//! defaults, i.e. `CoerceNewVersion = true` and `IncludePrerelease = false`):
//!
//! * [`Version::parse_lenient`] is `semver.NewVersion`, which Helm uses when it
//!   loads `Chart.yaml` and in the `semverCompare` template function: an
//!   optional `v` prefix, missing minor/patch (`1`, `1.2`) and leading zeros in
//!   the numeric parts (`01.2.3`) are accepted.
//! * [`Version::parse_strict`] is `semver.StrictNewVersion`, which `helm lint`
//!   uses: exactly `MAJOR.MINOR.PATCH[-PRERELEASE][+BUILD]` as in SemVer 2.0.0.
//! * [`Constraint`] is `semver.Constraints` (`NewConstraint` + `Check`).
//! * [`compare`] is Helm's `semverCompare` template function.
//!
//! Like the latest Masterminds code, versions longer than 256 bytes and
//! constraints longer than 512 bytes or with more than 32 `||` groups are
//! rejected, which bounds the work any input can cause.
//!
//! ```
//! use strata_chart::semver::{compare, Constraint, Version};
//!
//! let c = Constraint::parse(">= 1.2, < 3.0.0 || ^4.1").unwrap();
//! assert!(c.matches(&Version::parse_lenient("v2.9").unwrap()));
//! assert!(!c.matches(&Version::parse_lenient("3.0.0").unwrap()));
//! // Pre-releases only match comparators that carry a pre-release themselves.
//! assert_eq!(compare("^4.1", "4.2.0-rc.1"), Ok(false));
//! assert_eq!(compare("^4.1-0", "4.2.0-rc.1"), Ok(true));
//! ```

use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};

/// Error returned when a version or a constraint cannot be parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SemverError {
    /// The input is not a semantic version (under the rules of the parser used).
    #[error("invalid semantic version {input:?}: {reason}")]
    InvalidVersion {
        /// The rejected input, verbatim.
        input: String,
        /// Why it was rejected.
        reason: &'static str,
    },
    /// The input is not a version constraint.
    #[error("improper constraint: {input:?}")]
    ImproperConstraint {
        /// The rejected constraint, verbatim.
        input: String,
    },
    /// The input is longer than allowed (not quoted, as it may be huge).
    #[error("{what} is too long ({len} bytes, at most {max} allowed)")]
    TooLong {
        /// `"version string"` or `"constraint string"`.
        what: &'static str,
        /// The input's length in bytes.
        len: usize,
        /// The maximum length in bytes.
        max: usize,
    },
}

/// Longest accepted version string, in bytes (Masterminds `MaxVersionLen`).
const MAX_VERSION_LEN: usize = 256;
/// Longest accepted constraint string, in bytes (Masterminds `MaxConstraintLen`).
const MAX_CONSTRAINT_LEN: usize = 512;
/// Most `||` groups in a constraint (Masterminds `MaxConstraintGroups`).
const MAX_CONSTRAINT_GROUPS: usize = 32;

fn check_len(what: &'static str, input: &str, max: usize) -> Result<(), SemverError> {
    if input.len() > max {
        return Err(SemverError::TooLong {
            what,
            len: input.len(),
            max,
        });
    }
    Ok(())
}

/// Helm's `semverCompare`: does `version` (parsed leniently) satisfy `constraint`?
///
/// The constraint is parsed first, so when both are malformed the constraint error
/// is the one reported, as in Helm.
pub fn compare(constraint: &str, version: &str) -> Result<bool, SemverError> {
    let constraint = Constraint::parse(constraint)?;
    let version = Version::parse_lenient(version)?;
    Ok(constraint.matches(&version))
}

// ---------------------------------------------------------------------------
// Versions
// ---------------------------------------------------------------------------

const REASON_EMPTY: &str = "version string empty";
const REASON_LENIENT_SHAPE: &str = "expected [v]MAJOR[.MINOR[.PATCH]][-PRERELEASE][+BUILD]";
const REASON_STRICT_SHAPE: &str = "expected MAJOR.MINOR.PATCH[-PRERELEASE][+BUILD]";
const REASON_CHARACTERS: &str = "invalid characters in version";
const REASON_LEADING_ZERO: &str = "version segment starts with 0";
const REASON_EMPTY_SEGMENT: &str = "empty version segment";
const REASON_OUT_OF_RANGE: &str = "version segment out of range";
const REASON_PRERELEASE: &str = "invalid prerelease";
const REASON_PRERELEASE_ZERO: &str = "numeric prerelease identifier starts with 0";
const REASON_BUILD: &str = "invalid build metadata";

/// One dot-separated identifier of a pre-release, e.g. `rc` or `1` in `1.0.0-rc.1`.
///
/// Identifiers order as in SemVer 2.0.0: numeric ones numerically and before
/// alphanumeric ones, alphanumeric ones in ASCII order. As in Masterminds, an
/// all-digit identifier too large for a `u64` is treated as alphanumeric.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Identifier {
    /// A numeric identifier (ASCII digits, no leading zero, fits in a `u64`).
    Numeric(u64),
    /// Any other identifier.
    AlphaNumeric(String),
}

impl Identifier {
    fn new(text: &str) -> Self {
        if is_all(text, is_digit) {
            if let Ok(n) = text.parse() {
                return Identifier::Numeric(n);
            }
        }
        Identifier::AlphaNumeric(text.to_owned())
    }
}

impl fmt::Display for Identifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Identifier::Numeric(n) => write!(f, "{n}"),
            Identifier::AlphaNumeric(s) => f.write_str(s),
        }
    }
}

/// A semantic version: `MAJOR.MINOR.PATCH[-PRERELEASE][+BUILD]`.
///
/// Equality, ordering and hashing follow SemVer 2.0.0 precedence: build metadata
/// and the original spelling are ignored, so `1.2.3+a == v1.2.3+b`, and a
/// pre-release sorts before its release (`1.0.0-rc.1 < 1.0.0`).
///
/// [`Display`](fmt::Display) prints the normalised form (`1.2.3-rc.1+b`, never a
/// `v`); [`Version::original`] returns the text that was parsed.
#[derive(Debug, Clone)]
pub struct Version {
    major: u64,
    minor: u64,
    patch: u64,
    pre: Vec<Identifier>,
    build: String,
    original: String,
}

impl Version {
    /// Parses like Masterminds `NewVersion` (what Helm uses when loading a chart):
    /// `[v]MAJOR[.MINOR[.PATCH]][-PRERELEASE][+BUILD]`, where missing parts are 0
    /// and numeric parts may have leading zeros (`v1`, `1.2`, `01.02.03` are
    /// accepted). Pre-release and build identifiers must be non-empty
    /// `[0-9A-Za-z-]`, and numeric pre-release identifiers must not have leading
    /// zeros.
    pub fn parse_lenient(input: &str) -> Result<Version, SemverError> {
        check_len("version string", input, MAX_VERSION_LEN)?;
        let invalid = |reason| invalid_version(input, reason);
        if input.is_empty() {
            return Err(invalid(REASON_EMPTY));
        }
        let b = input.as_bytes();
        let mut i = usize::from(b[0] == b'v');
        let major_start = i;
        i = run_end(b, i, is_digit);
        if i == major_start {
            return Err(invalid(REASON_LENIENT_SHAPE));
        }
        let major = &input[major_start..i];
        let mut minor = "0";
        if starts_run(b, i, b'.', is_digit) {
            let start = i + 1;
            i = run_end(b, start, is_digit);
            minor = &input[start..i];
        }
        let mut patch = "0";
        if starts_run(b, i, b'.', is_digit) {
            let start = i + 1;
            i = run_end(b, start, is_digit);
            patch = &input[start..i];
        }
        let mut pre = "";
        if starts_run(b, i, b'-', is_ident) {
            let start = i + 1;
            i = ident_chain_end(b, start);
            pre = &input[start..i];
        }
        let mut build = "";
        if starts_run(b, i, b'+', is_ident) {
            let start = i + 1;
            i = ident_chain_end(b, start);
            build = &input[start..i];
        }
        if i != b.len() {
            return Err(invalid(REASON_LENIENT_SHAPE));
        }
        Ok(Version {
            major: parse_number(major).map_err(invalid)?,
            minor: parse_number(minor).map_err(invalid)?,
            patch: parse_number(patch).map_err(invalid)?,
            pre: parse_prerelease(pre).map_err(invalid)?,
            build: build.to_owned(),
            original: input.to_owned(),
        })
    }

    /// Parses like Masterminds `StrictNewVersion` (what `helm lint` uses): exactly
    /// SemVer 2.0.0 `MAJOR.MINOR.PATCH[-PRERELEASE][+BUILD]`, with no `v` prefix,
    /// no missing parts and no leading zeros.
    pub fn parse_strict(input: &str) -> Result<Version, SemverError> {
        let invalid = |reason| invalid_version(input, reason);
        if input.is_empty() {
            return Err(invalid(REASON_EMPTY));
        }
        check_len("version string", input, MAX_VERSION_LEN)?;
        let mut parts = input.splitn(3, '.');
        let (Some(major), Some(minor), Some(mut patch)) =
            (parts.next(), parts.next(), parts.next())
        else {
            return Err(invalid(REASON_STRICT_SHAPE));
        };
        // Same order of checks as Masterminds: build, pre-release, then numbers.
        let mut build = "";
        if let Some((rest, b)) = patch.split_once('+') {
            validate_build(b).map_err(invalid)?;
            patch = rest;
            build = b;
        }
        let mut pre = Vec::new();
        if let Some((rest, p)) = patch.split_once('-') {
            pre = parse_prerelease(p).map_err(invalid)?;
            if pre.is_empty() {
                // `1.2.3-`: an empty pre-release is not the same as none.
                return Err(invalid(REASON_PRERELEASE));
            }
            patch = rest;
        }
        for part in [major, minor, patch] {
            if !part.bytes().all(is_digit) {
                return Err(invalid(REASON_CHARACTERS));
            }
            if part.len() > 1 && part.starts_with('0') {
                return Err(invalid(REASON_LEADING_ZERO));
            }
        }
        Ok(Version {
            major: parse_number(major).map_err(invalid)?,
            minor: parse_number(minor).map_err(invalid)?,
            patch: parse_number(patch).map_err(invalid)?,
            pre,
            build: build.to_owned(),
            original: input.to_owned(),
        })
    }

    /// The major version.
    pub fn major(&self) -> u64 {
        self.major
    }

    /// The minor version.
    pub fn minor(&self) -> u64 {
        self.minor
    }

    /// The patch version.
    pub fn patch(&self) -> u64 {
        self.patch
    }

    /// The pre-release identifiers; empty for a release.
    pub fn pre(&self) -> &[Identifier] {
        &self.pre
    }

    /// Whether this is a pre-release (has pre-release identifiers).
    pub(crate) fn is_prerelease(&self) -> bool {
        !self.pre.is_empty()
    }

    /// The build metadata (without the `+`); empty if there is none.
    pub fn build(&self) -> &str {
        &self.build
    }

    /// The text this version was parsed from, verbatim.
    pub fn original(&self) -> &str {
        &self.original
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)?;
        for (i, id) in self.pre.iter().enumerate() {
            f.write_str(if i == 0 { "-" } else { "." })?;
            write!(f, "{id}")?;
        }
        if !self.build.is_empty() {
            write!(f, "+{}", self.build)?;
        }
        Ok(())
    }
}

impl Ord for Version {
    fn cmp(&self, other: &Self) -> Ordering {
        self.major
            .cmp(&other.major)
            .then(self.minor.cmp(&other.minor))
            .then(self.patch.cmp(&other.patch))
            .then_with(|| match (self.pre.is_empty(), other.pre.is_empty()) {
                (true, true) => Ordering::Equal,
                (true, false) => Ordering::Greater,
                (false, true) => Ordering::Less,
                (false, false) => self.pre.cmp(&other.pre),
            })
    }
}

impl PartialOrd for Version {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Version {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Version {}

impl Hash for Version {
    fn hash<H: Hasher>(&self, state: &mut H) {
        (self.major, self.minor, self.patch, &self.pre).hash(state);
    }
}

fn invalid_version(input: &str, reason: &'static str) -> SemverError {
    SemverError::InvalidVersion {
        input: input.to_owned(),
        reason,
    }
}

/// Parses a major/minor/patch number (ASCII digits, leading zeros allowed).
fn parse_number(digits: &str) -> Result<u64, &'static str> {
    if digits.is_empty() {
        return Err(REASON_EMPTY_SEGMENT);
    }
    // Callers only pass ASCII digits, so overflow is the only possible failure.
    digits.parse().map_err(|_| REASON_OUT_OF_RANGE)
}

/// Masterminds `validatePrerelease`, producing the identifiers. `""` means none.
fn parse_prerelease(pre: &str) -> Result<Vec<Identifier>, &'static str> {
    if pre.is_empty() {
        return Ok(Vec::new());
    }
    pre.split('.')
        .map(|id| {
            if id.is_empty() {
                Err(REASON_PRERELEASE)
            } else if is_all(id, is_digit) {
                if id.len() > 1 && id.starts_with('0') {
                    Err(REASON_PRERELEASE_ZERO)
                } else {
                    Ok(Identifier::new(id))
                }
            } else if is_all(id, is_ident) {
                Ok(Identifier::new(id))
            } else {
                Err(REASON_PRERELEASE)
            }
        })
        .collect()
}

/// Masterminds `validateMetadata`: non-empty dot-separated `[0-9A-Za-z-]` identifiers.
fn validate_build(build: &str) -> Result<(), &'static str> {
    if build.split('.').all(|id| is_all(id, is_ident)) {
        Ok(())
    } else {
        Err(REASON_BUILD)
    }
}

// ---------------------------------------------------------------------------
// Character classes and scanning helpers (all ASCII; byte positions returned by
// these helpers are always `char` boundaries).
// ---------------------------------------------------------------------------

fn is_digit(c: u8) -> bool {
    c.is_ascii_digit()
}

/// `[0-9A-Za-z-]`: pre-release and build identifier characters.
fn is_ident(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'-'
}

/// `[0-9|x|X|\*]`: characters of a constraint's numeric part. The `|` is in
/// Masterminds' character class by accident; it is kept for compatibility.
fn is_cv_segment(c: u8) -> bool {
    c.is_ascii_digit() || matches!(c, b'x' | b'X' | b'*' | b'|')
}

/// Go regexp `\s`: `[\t\n\f\r ]`.
fn is_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | b'\x0c' | b'\r')
}

/// Non-empty and every byte in `class`.
fn is_all(s: &str, class: fn(u8) -> bool) -> bool {
    !s.is_empty() && s.bytes().all(class)
}

/// End of the run of `class` bytes starting at `i`.
fn run_end(b: &[u8], mut i: usize, class: fn(u8) -> bool) -> usize {
    while i < b.len() && class(b[i]) {
        i += 1;
    }
    i
}

/// Whether `b[i]` is `sep` and is followed by at least one `class` byte.
fn starts_run(b: &[u8], i: usize, sep: u8, class: fn(u8) -> bool) -> bool {
    b.get(i) == Some(&sep) && b.get(i + 1).is_some_and(|&c| class(c))
}

/// End of `[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*` starting at `i` (greedy).
fn ident_chain_end(b: &[u8], i: usize) -> usize {
    let mut i = run_end(b, i, is_ident);
    while starts_run(b, i, b'.', is_ident) {
        i = run_end(b, i + 1, is_ident);
    }
    i
}

fn skip_space(b: &[u8], i: usize) -> usize {
    run_end(b, i, is_space)
}

// ---------------------------------------------------------------------------
// Constraints
// ---------------------------------------------------------------------------

/// A comparison operator of a constraint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    /// `=` or no operator.
    Eq,
    /// `!=`
    Ne,
    /// `>`
    Gt,
    /// `<`
    Lt,
    /// `>=` or `=>`
    Ge,
    /// `<=` or `=<`
    Le,
    /// `~` or `~>`
    Tilde,
    /// `^`
    Caret,
}

/// The first version part that was a wildcard (`x`, `X`, `*`) or left out.
/// Masterminds calls these "dirty", "minorDirty" and "patchDirty".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Wild {
    /// Fully specified, e.g. `1.2.3`.
    None,
    /// `*`, `x.y.z`: any major.
    Major,
    /// `1`, `1.x`: any minor.
    Minor,
    /// `1.2`, `1.2.x`: any patch.
    Patch,
}

/// A single comparison such as `>=1.2` or `~1.x`.
#[derive(Debug, Clone)]
struct Comparator {
    op: Op,
    /// The version compared against, wildcards replaced by 0.
    version: Version,
    wild: Wild,
}

/// Space/comma separated comparators that must all hold.
#[derive(Debug, Clone)]
struct Group {
    comparators: Vec<Comparator>,
    /// Whether any comparator has a pre-release; only then may pre-release
    /// versions satisfy this group.
    has_pre: bool,
}

/// A Masterminds/Helm version constraint such as `>= 1.2, < 3.0.0 || ^4.1`.
///
/// Syntax (as in Masterminds semver v3):
///
/// * comparators `=`, `!=`, `>`, `<`, `>=` (`=>`), `<=` (`=<`), `~` (`~>`), `^`,
///   or none (same as `=`), each followed by a version that may have a `v`
///   prefix, leave out minor/patch or use `x`, `X`, `*` wildcards (`1.2` is
///   `1.2.x`, and `=1.2` matches any `1.2.*`);
/// * hyphen ranges `1.2.3 - 2.3.4` (`>= 1.2.3, <= 2.3.4`);
/// * AND by whitespace or a comma, OR by `||`.
///
/// A pre-release version only satisfies an AND group in which some comparator
/// has a pre-release itself (`>=1.2.0-0` admits `1.3.0-rc.1`; `>=1.2.0` does not).
#[derive(Debug, Clone)]
pub struct Constraint {
    original: String,
    groups: Vec<Group>,
}

impl Constraint {
    /// Parses a constraint like Masterminds `NewConstraint`.
    ///
    /// The empty string is rejected (use `*` to match any release), and so are
    /// constraints longer than 512 bytes or with more than 32 `||` groups.
    pub fn parse(input: &str) -> Result<Constraint, SemverError> {
        let improper = || SemverError::ImproperConstraint {
            input: input.to_owned(),
        };
        check_len("constraint string", input, MAX_CONSTRAINT_LEN)?;
        let rewritten = rewrite_ranges(input);
        let groups: Vec<&str> = rewritten.split("||").collect();
        if groups.len() > MAX_CONSTRAINT_GROUPS {
            return Err(improper());
        }
        let groups = groups
            .into_iter()
            .map(|group| parse_group(group).ok_or_else(improper))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Constraint {
            original: input.to_owned(),
            groups,
        })
    }

    /// Whether `version` satisfies this constraint (Masterminds `Check`).
    pub fn matches(&self, version: &Version) -> bool {
        self.groups.iter().any(|group| {
            group
                .comparators
                .iter()
                .all(|c| c.matches(version, group.has_pre))
        })
    }
}

impl fmt::Display for Constraint {
    /// Writes the constraint as it was given to [`Constraint::parse`].
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.original)
    }
}

/// Scanner for Masterminds' constraint version pattern
/// `v?SEG(\.SEG)?(\.SEG)?(-ID(\.ID)*)?(\+ID(\.ID)*)?` with `SEG = [0-9|xX*]+` and
/// `ID = [0-9A-Za-z-]+`. The greedy scan it performs is the only parse of the
/// pattern that can be followed by whitespace, a comma or the end of input, so
/// it decides exactly what the regular expressions decide. Run ends are
/// precomputed so that a scan from any position costs O(1), which keeps the
/// hyphen-range search (which scans from every position) linear.
struct CvScanner<'a> {
    b: &'a [u8],
    segment_end: Vec<usize>,
    ident_end: Vec<usize>,
    /// End of `(\.ID)*` starting at a position.
    chain_end: Vec<usize>,
}

impl<'a> CvScanner<'a> {
    fn new(s: &'a str) -> Self {
        let b = s.as_bytes();
        let n = b.len();
        let mut segment_end = vec![n; n + 1];
        let mut ident_end = vec![n; n + 1];
        let mut chain_end = vec![n; n + 1];
        for i in (0..n).rev() {
            segment_end[i] = if is_cv_segment(b[i]) {
                segment_end[i + 1]
            } else {
                i
            };
            ident_end[i] = if is_ident(b[i]) { ident_end[i + 1] } else { i };
        }
        for i in (0..n).rev() {
            // ident_end[i + 1] > i, so its chain end is already known.
            chain_end[i] = if starts_run(b, i, b'.', is_ident) {
                chain_end[ident_end[i + 1]]
            } else {
                i
            };
        }
        CvScanner {
            b,
            segment_end,
            ident_end,
            chain_end,
        }
    }

    /// End of the constraint version starting at `i`, if one starts there.
    fn scan(&self, mut i: usize) -> Option<usize> {
        let b = self.b;
        if b.get(i) == Some(&b'v') {
            i += 1;
        }
        if !b.get(i).is_some_and(|&c| is_cv_segment(c)) {
            return None;
        }
        i = self.segment_end[i];
        for _ in 0..2 {
            if !starts_run(b, i, b'.', is_cv_segment) {
                break;
            }
            i = self.segment_end[i + 1];
        }
        if starts_run(b, i, b'-', is_ident) {
            i = self.chain_end[self.ident_end[i + 1]];
        }
        if starts_run(b, i, b'+', is_ident) {
            i = self.chain_end[self.ident_end[i + 1]];
        }
        Some(i)
    }
}

/// Masterminds `rewriteRange`: every match of
/// `\s*(CV)\s+-\s+(CV)\s*` (leftmost-first, non-overlapping) is replaced, by
/// textual replacement of its first occurrence, with `>= A, <= B `.
fn rewrite_ranges(input: &str) -> String {
    let b = input.as_bytes();
    if !b.contains(&b'-') {
        return input.to_owned();
    }
    let scanner = CvScanner::new(input);
    let mut found: Vec<RangeMatch> = Vec::new();
    let mut pos = 0;
    while pos < b.len() {
        // A match starting in a whitespace run needs the first version to start
        // right after the run; one starting at a non-space byte needs it to
        // start at that byte. Either way the first version must end exactly at
        // the next whitespace, since it is followed by `\s+-\s+`.
        let token_start = skip_space(b, pos);
        let token_end = run_end(b, token_start, |c| !is_space(c));
        if let Some((second_start, second_end, match_end)) = range_tail(&scanner, token_end) {
            let first = (token_start..token_end).find(|&q| scanner.scan(q) == Some(token_end));
            if let Some(first_start) = first {
                let match_start = if first_start == token_start {
                    pos
                } else {
                    first_start
                };
                found.push(RangeMatch {
                    start: match_start,
                    end: match_end,
                    from: (first_start, token_end),
                    to: (second_start, second_end),
                });
                pos = match_end;
                continue;
            }
        }
        pos = token_end;
    }
    // Go replaces the first occurrence of each matched text in the string
    // rewritten so far, which is not always where it matched (see the tests);
    // the same literal procedure is followed. Inputs are at most 512 bytes.
    let mut out = input.to_owned();
    for m in &found {
        out = out.replacen(&input[m.start..m.end], &m.replacement(input), 1);
    }
    out
}

/// A hyphen range found in a constraint: byte ranges of the whole match and of
/// its two versions.
struct RangeMatch {
    start: usize,
    end: usize,
    from: (usize, usize),
    to: (usize, usize),
}

impl RangeMatch {
    fn replacement(&self, input: &str) -> String {
        let from = &input[self.from.0..self.from.1];
        let to = &input[self.to.0..self.to.1];
        format!(">= {from}, <= {to} ")
    }
}

/// For a first range version ending at `i`: matches `\s+-\s+(CV)\s*` there and
/// returns the second version's bounds and the end of the match.
fn range_tail(scanner: &CvScanner<'_>, i: usize) -> Option<(usize, usize, usize)> {
    let b = scanner.b;
    let dash = skip_space(b, i);
    if dash == i || b.get(dash) != Some(&b'-') {
        return None;
    }
    let start = skip_space(b, dash + 1);
    if start == dash + 1 {
        return None;
    }
    let end = scanner.scan(start)?;
    Some((start, end, skip_space(b, end)))
}

/// Parses one `||`-separated group: Masterminds' `validConstraintRegex`
/// `^\s*OP\s*CV\s*((\s+|,\s*)OP\s*CV\s*)*$`, then each comparator.
fn parse_group(group: &str) -> Option<Group> {
    let b = group.as_bytes();
    let scanner = CvScanner::new(group);
    let mut comparators = Vec::new();
    let mut i = skip_space(b, 0);
    loop {
        let (op, after_op) = parse_op(&b[i..]);
        let start = skip_space(b, i + after_op);
        let end = scanner.scan(start)?;
        comparators.push(Comparator::new(op, &group[start..end])?);
        let next = skip_space(b, end);
        if next == b.len() {
            break;
        }
        if b[next] == b',' {
            i = skip_space(b, next + 1);
        } else if next > end {
            i = next;
        } else {
            return None;
        }
    }
    let has_pre = comparators.iter().any(|c| c.version.is_prerelease());
    Some(Group {
        comparators,
        has_pre,
    })
}

/// Reads an operator at the start of `s`, returning it and its length. No
/// operator means `=`. Only the longest operator can be followed by a version,
/// so taking it is what the regular expression's alternation ends up doing.
fn parse_op(s: &[u8]) -> (Op, usize) {
    let two = match s.get(..2) {
        Some(b"!=") => Some(Op::Ne),
        Some(b">=" | b"=>") => Some(Op::Ge),
        Some(b"<=" | b"=<") => Some(Op::Le),
        Some(b"~>") => Some(Op::Tilde),
        _ => None,
    };
    if let Some(op) = two {
        return (op, 2);
    }
    match s.first() {
        Some(b'=') => (Op::Eq, 1),
        Some(b'>') => (Op::Gt, 1),
        Some(b'<') => (Op::Lt, 1),
        Some(b'~') => (Op::Tilde, 1),
        Some(b'^') => (Op::Caret, 1),
        _ => (Op::Eq, 0),
    }
}

fn is_wildcard(segment: &str) -> bool {
    matches!(segment, "x" | "X" | "*")
}

impl Comparator {
    /// Masterminds `parseConstraint` for a version `cv` already known to match
    /// the constraint version pattern. `None` if it is not a usable version.
    fn new(op: Op, cv: &str) -> Option<Comparator> {
        let body = cv.strip_prefix('v').unwrap_or(cv);
        let numbers_end = body.find(['-', '+']).unwrap_or(body.len());
        let segments: Vec<&str> = body[..numbers_end].split('.').collect();
        let rest = &body[numbers_end..];
        // The pre-release with its leading `-` (build metadata is dropped when a
        // part is a wildcard).
        let pre = if rest.starts_with('-') {
            &rest[..rest.find('+').unwrap_or(rest.len())]
        } else {
            ""
        };
        let segment = |i: usize| segments.get(i).copied();
        let (text, wild) = match (segment(0), segment(1), segment(2)) {
            (Some(major), _, _) if is_wildcard(major) => (format!("0.0.0{pre}"), Wild::Major),
            (Some(major), minor, _) if minor.is_none_or(is_wildcard) => {
                (format!("{major}.0.0{pre}"), Wild::Minor)
            }
            (Some(major), Some(minor), patch) if patch.is_none_or(is_wildcard) => {
                (format!("{major}.{minor}.0{pre}"), Wild::Patch)
            }
            _ => (cv.to_owned(), Wild::None),
        };
        let version = Version::parse_lenient(&text).ok()?;
        Some(Comparator { op, version, wild })
    }

    /// Masterminds' per-operator check functions.
    fn matches(&self, v: &Version, include_pre: bool) -> bool {
        if v.is_prerelease() && !include_pre {
            return false;
        }
        let c = &self.version;
        match self.op {
            Op::Eq if self.wild == Wild::None => v == c,
            Op::Eq | Op::Tilde => self.tilde(v),
            Op::Ne => self.not_equal(v),
            Op::Gt => match self.wild {
                Wild::None | Wild::Major => v > c,
                _ if v.major != c.major => v.major > c.major,
                Wild::Minor => false,
                Wild::Patch => v.minor > c.minor,
            },
            Op::Lt => v < c,
            Op::Ge => v >= c,
            Op::Le => match self.wild {
                Wild::None => v <= c,
                _ => {
                    v.major < c.major
                        || (v.major == c.major && (v.minor <= c.minor || self.wild == Wild::Minor))
                }
            },
            Op::Caret => self.caret(v),
        }
    }

    /// `~1.2.3` is `>=1.2.3 <1.3.0`, `~1` is `>=1.0.0 <2.0.0`, `~0.0.0`/`~*` any.
    fn tilde(&self, v: &Version) -> bool {
        let c = &self.version;
        if v < c {
            return false;
        }
        if (c.major, c.minor, c.patch) == (0, 0, 0)
            && !matches!(self.wild, Wild::Minor | Wild::Patch)
        {
            return true;
        }
        v.major == c.major && (v.minor == c.minor || self.wild == Wild::Minor)
    }

    /// `^1.2.3` is `>=1.2.3 <2.0.0`, `^0.2.3` is `>=0.2.3 <0.3.0`, `^0.0.3` is
    /// `=0.0.3`, `^0.0` is `>=0.0.0 <0.1.0`, `^0` is `>=0.0.0 <1.0.0`.
    fn caret(&self, v: &Version) -> bool {
        let c = &self.version;
        if v < c {
            return false;
        }
        if c.major > 0 || self.wild == Wild::Minor {
            return v.major == c.major;
        }
        if v.major > 0 {
            return false;
        }
        if c.minor > 0 || self.wild == Wild::Patch {
            return v.minor == c.minor;
        }
        if v.minor > 0 {
            return false;
        }
        v.patch == c.patch
    }

    fn not_equal(&self, v: &Version) -> bool {
        let c = &self.version;
        if self.wild != Wild::None {
            if c.major != v.major {
                return true;
            }
            match self.wild {
                Wild::Minor => return false,
                Wild::Patch if c.minor != v.minor => return true,
                Wild::Patch => return v.pre != c.pre,
                // `!=*`: Masterminds falls through to comparing with 0.0.0.
                _ if c.minor != v.minor || c.patch != v.patch => return true,
                _ => {}
            }
        }
        v != c
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lenient(s: &str) -> Version {
        match Version::parse_lenient(s) {
            Ok(v) => v,
            Err(e) => panic!("{s:?} should parse leniently: {e}"),
        }
    }

    fn constraint(s: &str) -> Constraint {
        match Constraint::parse(s) {
            Ok(c) => c,
            Err(e) => panic!("{s:?} should parse as a constraint: {e}"),
        }
    }

    fn check_table(cases: &[(&str, &str, bool)]) {
        let mut failures = Vec::new();
        for &(c, v, want) in cases {
            let got = constraint(c).matches(&lenient(v));
            if got != want {
                failures.push(format!("{c:?} matches {v:?}: got {got}, want {want}"));
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }

    // -- Versions -----------------------------------------------------------

    /// Masterminds `TestNewVersion` ("With loose NewVersion") and `TestStrictNewVersion`,
    /// plus cases of our own: (input, lenient ok, strict ok).
    const PARSE_CASES: &[(&str, bool, bool)] = &[
        ("1.2.3", true, true),
        ("1.2.3-alpha.01", false, false),
        ("1.2.3+test.01", true, true),
        ("1.2.3-alpha.-1", true, true),
        ("v1.2.3", true, false),
        ("1.0", true, false),
        ("v1.0", true, false),
        ("1", true, false),
        ("v1", true, false),
        ("1.2", true, false),
        ("1.2.beta", false, false),
        ("v1.2.beta", false, false),
        ("foo", false, false),
        ("1.2-5", true, false),
        ("v1.2-5", true, false),
        ("1.2-beta.5", true, false),
        ("v1.2-beta.5", true, false),
        ("\n1.2", false, false),
        ("\nv1.2", false, false),
        ("1.2.0-x.Y.0+metadata", true, true),
        ("v1.2.0-x.Y.0+metadata", true, false),
        ("1.2.0-x.Y.0+metadata-width-hypen", true, true),
        ("v1.2.0-x.Y.0+metadata-width-hypen", true, false),
        ("1.2.3-rc1-with-hypen", true, true),
        ("v1.2.3-rc1-with-hypen", true, false),
        ("1.2.3.4", false, false),
        ("v1.2.3.4", false, false),
        ("1.2.2147483648", true, true),
        ("1.2147483648.3", true, true),
        ("2147483648.3.0", true, true),
        ("12.3.4.1234", false, false),
        ("12.23.4.1234", false, false),
        ("12.3.34.1234", false, false),
        ("20221209-update-renovatejson-v4", true, false),
        ("1.1.2+.123", false, false),
        ("1.0.0-alpha_beta", false, false),
        ("1.0.0-alpha..", false, false),
        ("1.0.0-alpha..1", false, false),
        ("9.8.7+meta+meta", false, false),
        ("1.2.31----RC-SNAPSHOT.12.09.1--.12+788", false, false),
        ("1.2.3-0123", false, false),
        ("1.2.3-0123.0123", false, false),
        ("+invalid", false, false),
        ("-invalid", false, false),
        ("-invalid.01", false, false),
        ("alpha+beta", false, false),
        ("1.2.3-alpha_beta+foo", false, false),
        // Leading zeros: coerced by NewVersion (CalVer-ish), rejected by StrictNewVersion.
        ("01.1.1", true, false),
        ("1.01.1", true, false),
        ("1.1.01", true, false),
        ("01.2.3", true, false),
        // Our own.
        ("", false, false),
        (" ", false, false),
        ("1.2.3-rc.1+build", true, true),
        ("1.2.3 ", false, false),
        (" 1.2.3", false, false),
        ("1.2.3\n", false, false),
        ("V1.2.3", false, false),
        ("vv1", false, false),
        ("v", false, false),
        ("1.", false, false),
        (".1", false, false),
        ("1..3", false, false),
        ("1.2.", false, false),
        ("1.2.3-", false, false),
        ("1.2.3+", false, false),
        ("1.2.3-a.", false, false),
        ("1.2.3-+b", false, false),
        ("1.2.3-0", true, true),
        ("1.2.3-0a", true, true),
        ("1.2.3-00a", true, true),
        ("1.2.3+00.01", true, true),
        ("1.2.x.y", false, false),
        ("1.2.x", false, false),
        ("18446744073709551615.0.0", true, true),
        ("18446744073709551616.0.0", false, false),
        ("1.2.3-18446744073709551616", true, true),
        ("1.2.3-é", false, false),
        ("１.2.3", false, false),
    ];

    #[test]
    fn lenient_and_strict_parsing() {
        let mut failures = Vec::new();
        for &(input, lenient_ok, strict_ok) in PARSE_CASES {
            let got = Version::parse_lenient(input);
            if got.is_ok() != lenient_ok {
                failures.push(format!("parse_lenient({input:?}) = {got:?}"));
            }
            let got = Version::parse_strict(input);
            if got.is_ok() != strict_ok {
                failures.push(format!("parse_strict({input:?}) = {got:?}"));
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }

    #[test]
    fn parsed_parts_and_display() {
        // (input, major, minor, patch, pre, build, display) — Masterminds `TestCoerceString`
        // and `TestParts`, plus our own.
        let cases: &[(&str, u64, u64, u64, &str, &str, &str)] = &[
            ("1.2.3", 1, 2, 3, "", "", "1.2.3"),
            ("v1.2.3", 1, 2, 3, "", "", "1.2.3"),
            ("1.0", 1, 0, 0, "", "", "1.0.0"),
            ("v1.0", 1, 0, 0, "", "", "1.0.0"),
            ("1", 1, 0, 0, "", "", "1.0.0"),
            ("v1", 1, 0, 0, "", "", "1.0.0"),
            ("1.2-5", 1, 2, 0, "5", "", "1.2.0-5"),
            ("v1.2-beta.5", 1, 2, 0, "beta.5", "", "1.2.0-beta.5"),
            (
                "1.2.0-x.Y.0+metadata",
                1,
                2,
                0,
                "x.Y.0",
                "metadata",
                "1.2.0-x.Y.0+metadata",
            ),
            (
                "1.2.3-rc1-with-hypen",
                1,
                2,
                3,
                "rc1-with-hypen",
                "",
                "1.2.3-rc1-with-hypen",
            ),
            (
                "1.2.3-beta.1+build.123",
                1,
                2,
                3,
                "beta.1",
                "build.123",
                "1.2.3-beta.1+build.123",
            ),
            ("01.002.0003", 1, 2, 3, "", "", "1.2.3"),
            ("1-2.3", 1, 0, 0, "2.3", "", "1.0.0-2.3"),
            ("1+b", 1, 0, 0, "", "b", "1.0.0+b"),
            (
                "1.2.3-18446744073709551616",
                1,
                2,
                3,
                "18446744073709551616",
                "",
                "1.2.3-18446744073709551616",
            ),
        ];
        for &(input, major, minor, patch, pre, build, display) in cases {
            let v = lenient(input);
            assert_eq!(
                (v.major(), v.minor(), v.patch()),
                (major, minor, patch),
                "{input}"
            );
            let pre_text: Vec<String> = v.pre().iter().map(ToString::to_string).collect();
            assert_eq!(pre_text.join("."), pre, "{input}");
            assert_eq!(v.is_prerelease(), !pre.is_empty(), "{input}");
            assert_eq!(v.build(), build, "{input}");
            assert_eq!(v.to_string(), display, "{input}");
            assert_eq!(v.original(), input, "{input}");
        }
        let v = Version::parse_strict("1.2.3-rc.1+build").unwrap();
        assert_eq!(
            v.pre(),
            [
                Identifier::AlphaNumeric("rc".into()),
                Identifier::Numeric(1)
            ]
        );
        assert_eq!(v.to_string(), "1.2.3-rc.1+build");
    }

    #[test]
    fn ordering() {
        // Masterminds `TestCompare`, `TestGreaterThan`, plus SemVer 2.0.0 §11 examples.
        let cases: &[(&str, &str, Ordering)] = &[
            ("1.2.3", "1.5.1", Ordering::Less),
            ("2.2.3", "1.5.1", Ordering::Greater),
            ("2.2.3", "2.2.2", Ordering::Greater),
            ("3.2-beta", "3.2-beta", Ordering::Equal),
            ("1.3", "1.1.4", Ordering::Greater),
            ("4.2", "4.2-beta", Ordering::Greater),
            ("4.2-beta", "4.2", Ordering::Less),
            ("4.2-alpha", "4.2-beta", Ordering::Less),
            ("4.2-alpha", "4.2-alpha", Ordering::Equal),
            ("4.2-beta.2", "4.2-beta.1", Ordering::Greater),
            ("4.2-beta2", "4.2-beta1", Ordering::Greater),
            ("4.2-beta", "4.2-beta.2", Ordering::Less),
            ("4.2-beta", "4.2-beta.foo", Ordering::Less),
            ("4.2-beta.2", "4.2-beta", Ordering::Greater),
            ("4.2-beta.foo", "4.2-beta", Ordering::Greater),
            ("1.2+bar", "1.2+baz", Ordering::Equal),
            ("1.0.0-beta.4", "1.0.0-beta.-2", Ordering::Less),
            ("1.0.0-beta.-2", "1.0.0-beta.-3", Ordering::Less),
            ("1.0.0-beta.-3", "1.0.0-beta.5", Ordering::Greater),
            ("3.2.0-beta.1", "3.2.0-beta.5", Ordering::Less),
            ("7.43.0-SNAPSHOT.99", "7.43.0-SNAPSHOT.103", Ordering::Less),
            (
                "7.43.0-SNAPSHOT.FOO",
                "7.43.0-SNAPSHOT.103",
                Ordering::Greater,
            ),
            ("7.43.0-SNAPSHOT.99", "7.43.0-SNAPSHOT.BAR", Ordering::Less),
            ("1.0.0-alpha", "1.0.0-alpha.1", Ordering::Less),
            ("1.0.0-alpha.1", "1.0.0-alpha.beta", Ordering::Less),
            ("1.0.0-alpha.beta", "1.0.0-beta", Ordering::Less),
            ("1.0.0-beta.2", "1.0.0-beta.11", Ordering::Less),
            ("1.0.0-beta.11", "1.0.0-rc.1", Ordering::Less),
            ("1.0.0-rc.1", "1.0.0", Ordering::Less),
            ("v1.0.0", "1", Ordering::Equal),
            ("1.0.0-Z", "1.0.0-a", Ordering::Less),
            // Like Masterminds, an all-digit identifier beyond u64 compares as text.
            ("1.0.0-18446744073709551616", "1.0.0-9", Ordering::Greater),
            ("1.0.0-18446744073709551616", "1.0.0-a", Ordering::Less),
        ];
        for &(a, b, want) in cases {
            let (a_v, b_v) = (lenient(a), lenient(b));
            assert_eq!(a_v.cmp(&b_v), want, "{a} vs {b}");
            assert_eq!(b_v.cmp(&a_v), want.reverse(), "{b} vs {a}");
            assert_eq!(a_v == b_v, want == Ordering::Equal, "{a} == {b}");
        }
        use std::collections::hash_map::DefaultHasher;
        let hash = |v: &Version| {
            let mut h = DefaultHasher::new();
            v.hash(&mut h);
            h.finish()
        };
        assert_eq!(hash(&lenient("v1.2+a")), hash(&lenient("1.2.0+b")));
    }

    #[test]
    fn error_messages_name_the_input() {
        let cases: &[(Result<Version, SemverError>, &str)] = &[
            (
                Version::parse_lenient("1.2.x.y"),
                "invalid semantic version \"1.2.x.y\": expected [v]MAJOR[.MINOR[.PATCH]][-PRERELEASE][+BUILD]",
            ),
            (
                Version::parse_strict("01.2.3"),
                "invalid semantic version \"01.2.3\": version segment starts with 0",
            ),
            (
                Version::parse_strict("v1.2.3"),
                "invalid semantic version \"v1.2.3\": invalid characters in version",
            ),
            (
                Version::parse_strict("1.2"),
                "invalid semantic version \"1.2\": expected MAJOR.MINOR.PATCH[-PRERELEASE][+BUILD]",
            ),
            (
                Version::parse_lenient(""),
                "invalid semantic version \"\": version string empty",
            ),
            (
                Version::parse_lenient("1.2.3-rc.01"),
                "invalid semantic version \"1.2.3-rc.01\": numeric prerelease identifier starts with 0",
            ),
            (
                Version::parse_lenient("99999999999999999999"),
                "invalid semantic version \"99999999999999999999\": version segment out of range",
            ),
            (
                Version::parse_strict("1.2.3+a..b"),
                "invalid semantic version \"1.2.3+a..b\": invalid build metadata",
            ),
        ];
        for (got, want) in cases {
            match got {
                Err(e) => assert_eq!(e.to_string(), *want),
                Ok(v) => panic!("expected error {want:?}, got {v:?}"),
            }
        }
        let e = Constraint::parse("~>>1").unwrap_err();
        assert_eq!(e.to_string(), "improper constraint: \"~>>1\"");
        assert_eq!(
            compare("nope", "also nope").unwrap_err().to_string(),
            "improper constraint: \"nope\""
        );
        assert_eq!(
            compare("*", "1.2.x").unwrap_err().to_string(),
            "invalid semantic version \"1.2.x\": expected [v]MAJOR[.MINOR[.PATCH]][-PRERELEASE][+BUILD]"
        );
    }

    // -- Constraints --------------------------------------------------------

    /// Masterminds `TestConstraintCheck` (single comparators; the `""` rows are
    /// covered by `bad_constraints`, since `NewConstraint("")` is an error).
    const SINGLE_COMPARATOR_CASES: &[(&str, &str, bool)] = &[
        ("=2.0.0", "1.2.3", false),
        ("=2.0.0", "2.0.0", true),
        ("=2.0", "1.2.3", false),
        ("=2.0", "2.0.0", true),
        ("=2.0", "2.0.1", true),
        ("4.1", "4.1.0", true),
        ("!=4.1.0", "4.1.0", false),
        ("!=4.1.0", "4.1.1", true),
        ("!=4.1", "4.1.0", false),
        ("!=4.1", "4.1.1", false),
        ("!=4.1", "5.1.0-alpha.1", false),
        ("!=4.1.0", "5.1.0-alpha.1", false),
        ("!=4.1-alpha", "4.1.0", true),
        ("!=4.1", "5.1.0", true),
        ("<11", "0.1.0", true),
        ("<11", "11.1.0", false),
        ("<1.1", "0.1.0", true),
        ("<1.1", "1.1.0", false),
        ("<1.1", "1.1.1", false),
        ("<=11", "1.2.3", true),
        ("<=11", "12.2.3", false),
        ("<=11", "11.2.3", true),
        ("<=1.1", "1.2.3", false),
        ("<=1.1", "0.1.0", true),
        ("<=1.1", "1.1.0", true),
        ("<=1.1", "1.1.1", true),
        (">1.1", "4.1.0", true),
        (">1.1", "1.1.0", false),
        (">0", "0", false),
        (">0", "1", true),
        (">0", "0.0.1-alpha", false),
        (">0.0", "0.0.1-alpha", false),
        (">0-0", "0.0.1-alpha", false),
        (">0.0-0", "0.0.1-alpha", false),
        (">0", "0.0.0-alpha", false),
        (">0-0", "0.0.0-alpha", false),
        (">0.0.0-0", "0.0.0-alpha", true),
        (">1.2.3-alpha.1", "1.2.3-alpha.2", true),
        (">1.2.3-alpha.1", "1.3.3-alpha.2", true),
        (">11", "11.1.0", false),
        (">11.1", "11.1.0", false),
        (">11.1", "11.1.1", false),
        (">11.1", "11.2.1", true),
        (">=11", "11.1.2", true),
        (">=11.1", "11.1.2", true),
        (">=11.1", "11.0.2", false),
        (">=1.1", "4.1.0", true),
        (">=1.1", "1.1.0", true),
        (">=1.1", "0.0.9", false),
        (">=0", "0.0.1-alpha", false),
        (">=0.0", "0.0.1-alpha", false),
        (">=0-0", "0.0.1-alpha", true),
        (">=0.0-0", "0.0.1-alpha", true),
        (">=0", "0.0.0-alpha", false),
        (">=0-0", "0.0.0-alpha", true),
        (">=0.0.0-0", "0.0.0-alpha", true),
        (">=0.0.0-0", "1.2.3", true),
        (">=0.0.0-0", "3.4.5-beta.1", true),
        ("<0", "0.0.0-alpha", false),
        ("<0-z", "0.0.0-alpha", true),
        (">=0", "0", true),
        ("=0", "1", false),
        ("*", "1", true),
        ("*", "4.5.6", true),
        ("*", "1.2.3-alpha.1", false),
        ("*-0", "1.2.3-alpha.1", true),
        ("2.*", "1", false),
        ("2.*", "3.4.5", false),
        ("2.*", "2.1.1", true),
        ("2.1.*", "2.1.1", true),
        ("2.1.*", "2.2.1", false),
        ("2", "1", false),
        ("2", "3.4.5", false),
        ("2", "2.1.1", true),
        ("2.1", "2.1.1", true),
        ("2.1", "2.2.1", false),
        ("~1.2.3", "1.2.4", true),
        ("~1.2.3", "1.3.4", false),
        ("~1.2", "1.2.4", true),
        ("~1.2", "1.3.4", false),
        ("~1", "1.2.4", true),
        ("~1", "2.3.4", false),
        ("~0.2.3", "0.2.5", true),
        ("~0.2.3", "0.3.5", false),
        ("~1.2.3-beta.2", "1.2.3-beta.4", true),
        // Unlike npm, pre-releases are not scoped to the comparator's patch.
        ("~1.2.3-beta.2", "1.2.4-beta.2", true),
        ("~1.2.3-beta.2", "1.3.4-beta.2", false),
        ("^1.2.3", "1.8.9", true),
        ("^1.2.3", "2.8.9", false),
        ("^1.2.3", "1.2.1", false),
        ("^1.1.0", "2.1.0", false),
        ("^1.2.0", "2.2.1", false),
        ("^1.2.0", "1.2.1-alpha.1", false),
        ("^1.2.0-alpha.0", "1.2.1-alpha.1", true),
        ("^1.2.0-alpha.0", "1.2.1-alpha.0", true),
        ("^1.2.0-alpha.2", "1.2.0-alpha.1", false),
        ("^1.2", "1.8.9", true),
        ("^1.2", "2.8.9", false),
        ("^1", "1.8.9", true),
        ("^1", "2.8.9", false),
        ("^0.2.3", "0.2.5", true),
        ("^0.2.3", "0.5.6", false),
        ("^0.2", "0.2.5", true),
        ("^0.2", "0.5.6", false),
        ("^0.0.3", "0.0.3", true),
        ("^0.0.3", "0.0.4", false),
        ("^0.0", "0.0.3", true),
        ("^0.0", "0.1.4", false),
        ("^0.0", "1.0.4", false),
        ("^0", "0.2.3", true),
        ("^0", "1.1.4", false),
        ("^0.2.3-beta.2", "0.2.3-beta.4", true),
        ("^0.2.3-beta.2", "0.2.4-beta.2", true),
        ("^0.2.3-beta.2", "0.3.4-beta.2", false),
        ("^0.2.3-beta.2", "0.2.3-beta.2", true),
    ];

    #[test]
    fn single_comparators() {
        check_table(SINGLE_COMPARATOR_CASES);
    }

    /// Masterminds `TestConstraintsCheck`.
    const CONSTRAINTS_CHECK_CASES: &[(&str, &str, bool)] = &[
        ("*", "1.2.3", true),
        ("~0.0.0", "1.2.3", true),
        ("0.x.x", "1.2.3", false),
        ("0.0.x", "1.2.3", false),
        ("0.0.0", "1.2.3", false),
        ("^0.0.0", "1.2.3", false),
        ("= 2.0", "1.2.3", false),
        ("= 2.0", "2.0.0", true),
        ("4.1", "4.1.0", true),
        ("4.1.x", "4.1.3", true),
        ("1.x", "1.4", true),
        ("!=4.1", "4.1.0", false),
        ("!=4.1-alpha", "4.1.0-alpha", false),
        ("!=4.1-alpha", "4.1.1-alpha", false),
        ("!=4.1-alpha", "4.1.0", true),
        ("!=4.1", "5.1.0", true),
        ("!=4.x", "5.1.0", true),
        ("!=4.x", "4.1.0", false),
        ("!=4.1.x", "4.2.0", true),
        ("!=4.2.x", "4.2.3", false),
        (">1.1", "4.1.0", true),
        (">1.1", "1.1.0", false),
        ("<1.1", "0.1.0", true),
        ("<1.1", "1.1.0", false),
        ("<1.1", "1.1.1", false),
        ("<1.x", "1.1.1", false),
        ("<1.x", "0.1.1", true),
        ("<1.x", "2.0.0", false),
        ("<1.1.x", "1.2.1", false),
        ("<1.1.x", "1.1.500", false),
        ("<1.1.x", "1.0.500", true),
        ("<1.2.x", "1.1.1", true),
        (">=1.1", "4.1.0", true),
        (">=1.1", "4.1.0-beta", false),
        (">=1.1", "1.1.0", true),
        (">=1.1", "0.0.9", false),
        ("<=1.1", "0.1.0", true),
        ("<=1.1", "0.1.0-alpha", false),
        ("<=1.1-a", "0.1.0-alpha", true),
        ("<=1.1", "1.1.0", true),
        ("<=1.x", "1.1.0", true),
        ("<=2.x", "3.0.0", false),
        ("<=1.1", "1.1.1", true),
        ("<=1.1.x", "1.2.500", false),
        ("<=4.5", "3.4.0", true),
        ("<=4.5", "3.7.0", true),
        ("<=4.5", "4.6.3", false),
        (">1.1, <2", "1.1.1", false),
        (">1.1, <2", "1.2.1", true),
        (">1.1, <3", "4.3.2", false),
        (">=1.1, <2, !=1.2.3", "1.2.3", false),
        (">1.1 <2", "1.1.1", false),
        (">1.1 <2", "1.2.1", true),
        (">1.1    <3", "4.3.2", false),
        (">=1.1    <2    !=1.2.3", "1.2.3", false),
        (">=1.1, <2, !=1.2.3 || > 3", "4.1.2", true),
        (">=1.1, <2, !=1.2.3 || > 3", "3.1.2", false),
        (">=1.1, <2, !=1.2.3 || >= 3", "3.0.0", true),
        (">=1.1, <2, !=1.2.3 || > 3", "3.0.0", false),
        (">=1.1, <2, !=1.2.3 || > 3", "1.2.3", false),
        (">=1.1 <2 !=1.2.3", "1.2.3", false),
        (">=1.1 <2 !=1.2.3 || > 3", "4.1.2", true),
        (">=1.1 <2 !=1.2.3 || > 3", "3.1.2", false),
        (">=1.1 <2 !=1.2.3 || >= 3", "3.0.0", true),
        (">=1.1 <2 !=1.2.3 || > 3", "3.0.0", false),
        (">=1.1 <2 !=1.2.3 || > 3", "1.2.3", false),
        ("> 1.1, <     2", "1.1.1", false),
        (">   1.1, <2", "1.2.1", true),
        (">1.1, <  3", "4.3.2", false),
        (">= 1.1, <     2, !=1.2.3", "1.2.3", false),
        ("> 1.1 < 2", "1.1.1", false),
        (">1.1 < 2", "1.2.1", true),
        ("> 1.1    <3", "4.3.2", false),
        (">=1.1    < 2    != 1.2.3", "1.2.3", false),
        (">= 1.1, <2, !=1.2.3 || > 3", "4.1.2", true),
        (">= 1.1, <2, != 1.2.3 || > 3", "3.1.2", false),
        (">= 1.1, <2, != 1.2.3 || >= 3", "3.0.0", true),
        (">= 1.1, <2, !=1.2.3 || > 3", "3.0.0", false),
        (">= 1.1, <2, !=1.2.3 || > 3", "1.2.3", false),
        (">= 1.1 <2 != 1.2.3", "1.2.3", false),
        (">= 1.1 <2 != 1.2.3 || > 3", "4.1.2", true),
        (">= 1.1 <2 != 1.2.3 || > 3", "3.1.2", false),
        (">= 1.1 <2 != 1.2.3 || >= 3", "3.0.0", true),
        (">= 1.1 < 2 !=1.2.3 || > 3", "3.0.0", false),
        (">=1.1 < 2 !=1.2.3 || > 3", "1.2.3", false),
        (">= 1.0.0  <= 2.0.0-beta", "1.0.1-beta", true),
        (">= 1.0.0  <= 2.0.0-beta", "1.0.1", true),
        (">= 1.0.0  <= 2.0.0-beta", "3.0.0", false),
        (">= 1.0.0  <= 2.0.0-beta || > 3", "1.0.1-beta", true),
        (">= 1.0.0  <= 2.0.0-beta || > 3", "3.0.1-beta", false),
        (
            ">= 1.0.0  <= 2.0.0-beta != 1.0.1 || > 3",
            "1.0.1-beta",
            true,
        ),
        (
            ">= 1.0.0  <= 2.0.0-beta != 1.0.1-beta || > 3",
            "1.0.1-beta",
            false,
        ),
        (">= 1.0.0-0  <= 2.0.0", "1.0.1-beta", true),
        ("1.1 - 2", "1.1.1", true),
        ("1.5.0 - 4.5", "3.7.0", true),
        ("1.1-3", "4.3.2", false),
        ("^1.1", "1.1.1", true),
        ("^1.1", "4.3.2", false),
        ("^1.x", "1.1.1", true),
        ("^2.x", "1.1.1", false),
        ("^1.x", "2.1.1", false),
        ("^1.x", "1.1.1-beta1", false),
        ("^1.1.2-alpha", "1.2.1-beta1", true),
        ("^1.2.x-alpha", "1.1.1-beta1", false),
        ("^0.0.1", "0.0.1", true),
        ("^0.0.1", "0.3.1", false),
        ("~*", "2.1.1", true),
        ("~1", "2.1.1", false),
        ("~1", "1.3.5", true),
        ("~1", "1.4", true),
        ("~1.x", "2.1.1", false),
        ("~1.x", "1.3.5", true),
        ("~1.x", "1.4", true),
        ("~1.1", "1.1.1", true),
        ("~1.1", "1.1.1-alpha", false),
        ("~1.1-alpha", "1.1.1-beta", true),
        ("~1.1.1-beta", "1.1.1-alpha", false),
        ("~1.1.1-beta", "1.1.1", true),
        ("~1.2.3", "1.2.5", true),
        ("~1.2.3", "1.2.2", false),
        ("~1.2.3", "1.3.2", false),
        ("~1.1", "1.2.3", false),
        ("~1.3", "2.4.5", false),
        ("1.0.0 - 2.0.0 <=2.0.0", "1.5.0", true),
        ("1.0.0 - 2.0.0, <=2.0.0", "1.5.0", true),
    ];

    #[test]
    fn masterminds_constraints_check() {
        check_table(CONSTRAINTS_CHECK_CASES);
    }

    /// The boolean part of Masterminds `TestConstraintsValidate`.
    const CONSTRAINTS_VALIDATE_CASES: &[(&str, &str, bool)] = &[
        ("<2.x", "1.1.1", true),
        ("<1.x", "2.1.1", false),
        ("<=2.x", "3.1.0", false),
        ("^1.1", "1.1.1-alpha", false),
        ("^1.1.1-alpha", "1.1.1-beta", true),
        ("^1.1.1-beta", "1.1.1-alpha", false),
        ("^0.0.1", "0.1.3", false),
        ("~1", "1.3.5-beta", false),
        ("~1.x", "1.3.5-beta", false),
        ("~1.3.6-alpha", "1.3.5-beta", false),
        ("~1.3.5-alpha", "1.3.5-beta", true),
        ("~1.3.5-beta", "1.3.5-alpha", false),
        ("1.1 - 3", "4.3.2", false),
        ("^1.12.7", "1.6.6", false),
        ("^0.2", "0.3.0", false),
        ("^0.2", "0.1.1", false),
        ("^0.0.3", "0.1.1", false),
        ("^0.0.3", "0.0.2", false),
        ("~1", "2.1.2", false),
        ("> 1.2.3", "1.2.3-beta.1", false),
        ("!= 1.2.5, ^2, <= 1.1.x", "1.2.3", false),
    ];

    #[test]
    fn masterminds_constraints_validate() {
        check_table(CONSTRAINTS_VALIDATE_CASES);
    }

    /// Our own cases for every operator spelling, `v` prefixes, wildcards,
    /// hyphen ranges, OR/AND and pre-release handling.
    const OWN_CASES: &[(&str, &str, bool)] = &[
        // Operator spellings.
        ("=1.2.3", "1.2.3", true),
        ("1.2.3", "1.2.3+build", true),
        ("=1.2.3+build", "1.2.3", true),
        ("= 1.2.3", "1.2.4", false),
        ("=> 1.2", "1.2.0", true),
        ("=> 1.2", "1.1.9", false),
        ("=< 1.2", "1.2.9", true),
        ("=< 1.2", "1.3.0", false),
        ("<= 1.2.3", "1.2.3", true),
        ("<= 1.2.3", "1.2.4", false),
        ("~> 1.2", "1.2.9", true),
        ("~>1.2", "1.3.0", false),
        ("~>1.2.3", "1.2.2", false),
        ("^ 1.2", "1.9.0", true),
        ("!=1.2.3", "1.2.3+other", false),
        // `v` prefixes on both sides.
        ("v1.2.3", "1.2.3", true),
        (">=v1.2", "v1.3", true),
        ("^v1", "v1.9.9", true),
        ("v1.x", "v2.0.0", false),
        ("~v0.2", "0.2.7", true),
        // Wildcards and partial versions with `=`.
        ("1.2", "1.2.99", true),
        ("=1.2", "1.3.0", false),
        ("1.2.X", "1.2.5", true),
        ("1.*", "1.99.0", true),
        ("1.x.x", "2.0.0", false),
        ("x", "0.0.0", true),
        ("X.X.X", "99.0.0", true),
        ("*.*.*", "3.0.0", true),
        ("1.x.5", "1.3.0", true),
        ("x.5.6", "2.0.0", true),
        ("*", "0.0.0-0", false),
        ("1.x-0", "1.2.0-rc.1", true),
        ("1.x-0", "2.0.0-rc.1", false),
        (">1.x", "2.0.0", true),
        (">1.x", "1.9.0", false),
        (">=1.x", "1.0.0", true),
        (">=1.x", "0.9.0", false),
        ("<=1.2.x", "1.2.99", true),
        ("<=1.2.x", "1.3.0", false),
        ("!=1.2.x", "1.3.0", true),
        ("!=1.x", "2.0.0", true),
        // Masterminds quirks kept for compatibility: `*`-comparisons other
        // than `=`/`~` compare against 0.0.0, so `^*` only admits 0.0.0.
        ("^*", "0.0.0", true),
        ("^*", "1.2.3", false),
        (">*", "1.0.0", true),
        (">*", "0.0.0", false),
        ("<*", "0.0.0", false),
        ("!=*", "1.0.0", true),
        ("!=*", "0.0.0", false),
        ("<=*", "0.0.5", true),
        ("<=*", "0.1.0", false),
        // Caret and tilde on 0.x and partial versions.
        ("^0.1", "0.1.9", true),
        ("^0.1", "0.2.0", false),
        ("^0.1.x", "0.1.0", true),
        ("^0.0.x", "0.0.9", true),
        ("^0.0.x", "0.1.0", false),
        ("^0.x", "0.9.9", true),
        ("^0.x", "1.0.0", false),
        ("^0.0.0", "0.0.0", true),
        ("^0.0.0", "0.0.1", false),
        ("^0.2.3", "0.2.2", false),
        ("^1.2.3", "1.2.3", true),
        ("~0", "0.9.9", true),
        ("~0", "1.0.0", false),
        ("~0.0", "0.0.9", true),
        ("~0.0", "0.1.0", false),
        ("~0.0.1", "0.0.9", true),
        ("~0.0.1", "0.1.0", false),
        ("~0.0.0", "99.0.0", true),
        ("~2.x.x", "2.9.0", true),
        ("~2.0", "2.1.0", false),
        // Hyphen ranges (inclusive, partial upper bound is a wildcard).
        ("1.2.3 - 2.3.4", "1.2.3", true),
        ("1.2.3 - 2.3.4", "2.3.4", true),
        ("1.2.3 - 2.3.4", "2.3.5", false),
        ("1.2.3 - 2.3.4", "1.2.2", false),
        ("1.2 - 2.3", "2.3.9", true),
        ("1.2 - 2", "2.9.9", true),
        ("1.2 - 2", "3.0.0", false),
        ("v1.2.3 - v2", "2.0.0", true),
        ("1 - 2 || 4 - 5", "3.0.0", false),
        ("1 - 2 || 4 - 5", "4.5.0", true),
        ("1 - 2 || 4 - 5", "1.5.0", true),
        ("1 -\t2", "1.5.0", true),
        ("1.0.0-0 - 2.0.0", "1.5.0-rc.1", true),
        (">=0.5, 1 - 2", "1.5.0", true),
        // AND with commas and whitespace, OR.
        (">= 1.2, < 3.0.0", "2.9.9", true),
        (">= 1.2, < 3.0.0", "3.0.0", false),
        (">=1.2.0 <2.0.0", "1.9.0", true),
        (">=1.2.0 <2.0.0", "2.0.0", false),
        (">=1.2.0\t<2.0.0", "1.5.0", true),
        ("\n>=1.2.0 ,<2.0.0\r\n", "1.5.0", true),
        ("<1 || >2", "1.5.0", false),
        ("<1 || >2", "3.0.0", true),
        // `>2` means `>2.x`, as in Masterminds (`>11` does not admit 11.1.0).
        ("<1 || >2", "2.0.1", false),
        ("<1||>2", "0.5.0", true),
        ("1.2.3 2.3.4", "1.2.3", false),
        // Pre-releases only match an AND group with a pre-release comparator.
        (">=1.0.0", "1.2.0-rc.1", false),
        (">=1.0.0-0", "1.2.0-rc.1", true),
        (">=1.0.0-0 <2.0.0", "1.2.0-rc.1", true),
        (">=1.0.0-0 <2.0.0", "2.0.0-rc.1", true),
        (">=1.0.0 <2.0.0-0", "2.0.0-rc.1", false),
        (">=1.0.0-0 || >=3.0.0", "3.1.0-rc.1", true),
        (">=1.0.0 || >=3.0.0-0", "3.1.0-rc.1", true),
        (">=1.0.0 || >=3.0.0", "3.1.0-rc.1", false),
        ("1.2.3-rc.1", "1.2.3-rc.1", true),
        ("1.2.3-rc.1", "1.2.3-rc.2", false),
        ("^1.2.3-rc.1", "1.2.3", true),
        ("~1.2.3-rc.1", "1.2.3-rc.0", false),
        // Leading zeros are coerced, like versions.
        ("01.02", "1.2.3", true),
        (">=00.1.0", "0.1.0", true),
    ];

    #[test]
    fn own_constraint_cases() {
        check_table(OWN_CASES);
    }

    #[test]
    fn group_and_comparator_counts() {
        // Masterminds `TestNewConstraint`: (input, ORs, ANDs in the first group).
        let cases: &[(&str, usize, usize)] = &[
            (">= 1.1", 1, 1),
            (">40.50.60, < 50.70", 1, 2),
            ("2.0", 1, 1),
            ("v2.3.5-20161202202307-sha.e8fc5e5", 1, 1),
            (">= 1.2.3 < 2.0", 1, 2),
            (">= 1.2.3 < 2.0 || => 3.0 < 4", 2, 2),
            (">= 1.2.3, < 2.0", 1, 2),
            (">= 1.2.3, < 2.0 || => 3.0, < 4", 2, 2),
            ("3 - 4 || => 3.0, < 4", 2, 2),
            ("12.3.34 ~1.2.3", 1, 2),
            ("1.0.0 - 2.0.0, <=2.0.0", 1, 3),
            // A hyphen range's upper bound may swallow a `||` (its version pattern
            // allows `|`), exactly as in Masterminds.
            ("1 - 2||3", 2, 2),
        ];
        for &(input, ors, ands) in cases {
            let c = constraint(input);
            assert_eq!(c.groups.len(), ors, "{input}");
            assert_eq!(c.groups[0].comparators.len(), ands, "{input}");
        }
    }

    #[test]
    fn range_rewriting() {
        // Masterminds `TestRewriteRange`, plus our own.
        let cases: &[(&str, &str)] = &[
            ("2 - 3", ">= 2, <= 3 "),
            ("2 - 3, 2 - 3", ">= 2, <= 3 ,>= 2, <= 3 "),
            ("2 - 3, 4.0.0 - 5.1", ">= 2, <= 3 ,>= 4.0.0, <= 5.1 "),
            ("2 - 3 4.0.0 - 5.1", ">= 2, <= 3 >= 4.0.0, <= 5.1 "),
            ("1.0.0 - 2.0.0 <=2.0.0", ">= 1.0.0, <= 2.0.0 <=2.0.0"),
            ("1.2.3", "1.2.3"),
            ("1.2-3", "1.2-3"),
            ("1.2 -3", "1.2 -3"),
            ("  1 - 2  ", ">= 1, <= 2 "),
            ("1.2.3.4 - 5", "1.>= 2.3.4, <= 5 "),
            ("1 - 2.3.4.5", ">= 1, <= 2.3.4 .5"),
            ("1 - 2||3", ">= 1, <= 2||3 "),
            (">=0.5,1 - 2", ">=0.5,>= 1, <= 2 "),
            ("x - *", ">= x, <= * "),
            // Go replaces the first occurrence of the matched text, which here
            // is not where it matched.
            ("1 - 2 - 3 2 - 3", ">= 1, <=>= 2, <= 3  2 - 3"),
            ("1 - 2- 3 2 - 3", ">= 1, <=>= 2, <= 3  2 - 3"),
            ("a - b 1 - 2", "a - b>= 1, <= 2 "),
        ];
        for &(input, want) in cases {
            assert_eq!(rewrite_ranges(input), want, "{input:?}");
        }
    }

    #[test]
    fn bad_constraints() {
        let cases = [
            "",
            " ",
            "||",
            "1 ||",
            "|| 1",
            "foo",
            ">= bar",
            "BAR >= 1.2.3",
            "~>>1",
            ">>1",
            "==1",
            "=>=1",
            "! 1",
            "!1",
            "> =1",
            "~ >1",
            "<>1",
            "12.3.4.1234",
            "12.23.4.1234",
            "12.3.34.1234",
            "12.3.34~ 1.2.3",
            "1.2.3.4",
            "1.2.x.y",
            ">=1.2,",
            ",>=1.2",
            ">=1.2,,<2",
            ">=1.2 <",
            "1.2>3",
            "1.2 -3",
            "1.2 - ",
            " - 1.2",
            ">1 - 2",
            "1 - 2 - 3",
            "1.2.3-",
            "1.2.3-a.",
            "1.2.3-01",
            "1.2.3|",
            "1|2",
            "1.xx",
            "1.x1",
            "x1",
            "1.2.x3",
            "99999999999999999999",
            "1.99999999999999999999",
            ">=1.2 || >=1.3 ||",
            "1.2.3 | 2",
            ">= 1.0 && < 2.0",
            "1.2.3\u{a0}",
            "1.２.3",
            "\u{b}1.2.3",
        ];
        let mut failures = Vec::new();
        for input in cases {
            match Constraint::parse(input) {
                Ok(c) => failures.push(format!("{input:?} parsed: {c:?}")),
                Err(e) => assert_eq!(
                    e,
                    SemverError::ImproperConstraint {
                        input: input.to_owned()
                    }
                ),
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }

    #[test]
    fn good_constraint_oddities() {
        // Accepted by Masterminds; checked here so they keep parsing.
        for input in [
            "*.|",
            "1.x.|",
            "x-abc.d",
            "1.2.3-a-b.c+d-e.f",
            "v1",
            "vx",
            "1.2.3 , 2.3.4",
            "\t>=1\n",
            "1.2 3",
        ] {
            assert!(Constraint::parse(input).is_ok(), "{input:?}");
        }
        assert_eq!(constraint(" >= 1.2 ").to_string(), " >= 1.2 ");
    }

    #[test]
    fn compare_function() {
        let cases: &[(&str, &str, Result<bool, ()>)] = &[
            (">=1.2.3", "1.2.3", Ok(true)),
            (">=1.2.3", "v1.2", Ok(false)),
            ("^1", "v1", Ok(true)),
            ("~1.20", "1.20.3-gke.100", Ok(false)),
            (">=1.20-0", "1.20.3-gke.100", Ok(true)),
            (">= 1.19.0-0 < 1.22.0-0", "v1.21.2-eks-0389ca3", Ok(true)),
            ("<1.22-0", "1.22.0", Ok(false)),
            ("1.2.3", "01.2.3", Ok(true)),
            ("", "1.2.3", Err(())),
            (">=1", "", Err(())),
            (">=1", "1.2.3.4", Err(())),
        ];
        for &(c, v, want) in cases {
            assert_eq!(compare(c, v).map_err(|_| ()), want, "compare({c:?}, {v:?})");
        }
    }

    const ALPHABET: &[&str] = &[
        "0",
        "1",
        "9",
        "01",
        ".",
        "-",
        "+",
        "v",
        "x",
        "X",
        "*",
        "|",
        "||",
        " ",
        "\t",
        ",",
        "=",
        "!",
        ">",
        "<",
        "~",
        "^",
        "a",
        "Z",
        "é",
        " - ",
        "18446744073709551616",
    ];

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(20_000))]
        /// Strings over the syntax's alphabet: nothing may panic, and
        /// accepted inputs must behave consistently (round trips).
        #[test]
        fn no_panics_on_arbitrary_input(
            parts in proptest::collection::vec(proptest::sample::select(ALPHABET), 0..12)
        ) {
            let s: String = parts.concat();
            let probe = lenient("1.2.3-rc.1");
            if let Ok(v) = Version::parse_lenient(&s) {
                let again = lenient(&v.to_string());
                proptest::prop_assert_eq!(&again, &v, "{:?}", s);
                proptest::prop_assert_eq!(again.build(), v.build(), "{:?}", s);
            }
            if let Ok(v) = Version::parse_strict(&s) {
                proptest::prop_assert_eq!(v.to_string(), s.clone(), "strict versions display as written");
                proptest::prop_assert_eq!(lenient(&s), v, "{:?}", s);
            }
            if let Ok(c) = Constraint::parse(&s) {
                let _ = c.matches(&probe);
            }
        }

        /// Any text at all: no panic.
        #[test]
        fn no_panics_on_any_text(s in "\\PC{0,40}") {
            let _ = Version::parse_lenient(&s);
            let _ = Version::parse_strict(&s);
            let _ = Constraint::parse(&s);
            let _ = compare(&s, "1.2.3");
        }
    }

    /// Found by fuzzing (fuzz/ target `semver`): a lenient version within the
    /// input limit prints longer (`.0.0` added); the limit is on input only.
    #[test]
    fn fuzz_regression_lenient_form_may_exceed_the_input_limit() {
        let input = format!("33-{}", "p".repeat(250));
        let v = lenient(&input);
        assert_eq!(v.to_string(), format!("33.0.0-{}", "p".repeat(250)));
        assert!(Version::parse_lenient(&v.to_string()).is_err());
    }

    #[test]
    fn input_length_limits() {
        let long_version = format!("1.2.3-{}", "a".repeat(250));
        assert_eq!(long_version.len(), 256);
        assert!(Version::parse_lenient(&long_version).is_ok());
        assert!(Version::parse_strict(&long_version).is_ok());
        let too_long = format!("{long_version}b");
        for got in [
            Version::parse_lenient(&too_long),
            Version::parse_strict(&too_long),
        ] {
            assert_eq!(
                got.unwrap_err().to_string(),
                "version string is too long (257 bytes, at most 256 allowed)"
            );
        }
        // A constraint's version is subject to the version limit too.
        assert!(Constraint::parse(&format!(">={long_version}")).is_ok());
        assert!(Constraint::parse(&format!(">={too_long}")).is_err());

        let long_constraint = ">=1 ".repeat(128);
        assert_eq!(long_constraint.len(), 512);
        assert!(constraint(&long_constraint).matches(&lenient("1.0.0")));
        let e = Constraint::parse(&format!("{long_constraint} ")).unwrap_err();
        assert_eq!(
            e.to_string(),
            "constraint string is too long (513 bytes, at most 512 allowed)"
        );
        let huge = "1-".repeat(500_000) + "1* - 2";
        assert!(matches!(
            Constraint::parse(&huge),
            Err(SemverError::TooLong { .. })
        ));

        let groups = |n: usize| vec!["1"; n].join("||");
        assert!(Constraint::parse(&groups(32)).is_ok());
        assert!(Constraint::parse(&groups(33)).is_err());
        assert!(Constraint::parse(&format!("{} || 1 - 2", groups(31))).is_ok());
        assert!(Constraint::parse(&format!("{} || 1 - 2", groups(32))).is_err());
    }
}
