//! `.helmignore` rules, with Helm's semantics (not git's).
//!
//! Helm (3 and 4 alike, `pkg/ignore`) reads `.helmignore` line by line:
//!
//! - a UTF-8 byte-order mark at the start of the text is dropped;
//! - each line is trimmed of leading and trailing whitespace (there is no
//!   escape for a trailing space), blank lines and lines starting with `#` are
//!   skipped; a `#` later in a line is part of the pattern (no inline
//!   comments);
//! - a pattern containing `**` is an error (`double-star (**) syntax is not
//!   supported`): Helm has no recursive glob, unlike git;
//! - a pattern that is not a valid Go `filepath.Match` glob is an error;
//! - a leading `!` negates the rule, a trailing `/` restricts it to
//!   directories, a leading `/` anchors it at the chart root;
//! - a pattern with no `/` (after those are stripped) is matched against the
//!   base name only, one with a `/` against the whole chart-relative path;
//! - globbing is Go's `filepath.Match`: `*` is any run of non-`/` characters,
//!   `?` one non-`/` character, `[abc]`, `[a-z]`, `[^a-z]` (negation is `^`,
//!   not git's `!`) one character, `\` escapes; there are no `{a,b}`
//!   alternatives. A trailing `*` never crosses `/`, so `dir/*` matches
//!   `dir/x` but not `dir/x/y` (the walk still skips `dir/x` when it is a
//!   directory, which is how nested content is excluded).
//!
//! Evaluation is Helm's, which differs from git's in ways that surprise people
//! (helm/helm#3622, #8688; HIP-0027 proposes git parity for a future chart
//! format, it is not implemented in any released Helm):
//!
//! - rules are tried in file order and the *first* rule that decides wins;
//! - a positive rule decides "ignored" when it matches and is skipped
//!   otherwise (a `dir/` rule is skipped for files);
//! - a negated rule `!pat` decides "ignored" when the path does NOT match
//!   `pat` (or when it is a `dir/` rule and the path is a file), and is
//!   skipped when it does match; it can never decide "kept". So a lone
//!   `!README.md` ignores every other file and directory, Chart.yaml
//!   included; git's `*` then `!Chart.yaml` idiom ignores Chart.yaml too, and
//!   so does the `!Chart.yaml` then `*` order that Helm's own doc.go suggests
//!   (its code does not do what that comment says).
//! - the empty path and `.`/`./` (the chart root) are never ignored.
//!
//! We reproduce this exactly, quirks included, because a chart packaged by
//! strata must hold the same files `helm package` would put in it.
//!
//! What Helm ignores without being told: only `templates/.?*` (dot files and
//! dot directories directly inside `templates/`), appended after the user's
//! rules by Helm's directory loader; see [`HelmIgnore::with_defaults`]. The
//! `.helmignore` file itself is *not* ignored implicitly: it is packaged unless
//! a rule says otherwise (`helm create` does not list it).

use std::fmt;

/// The name of the ignore file at the root of a chart.
pub(crate) const HELMIGNORE_FILE: &str = ".helmignore";

/// The rules Helm's directory loader always appends after the user's.
pub(crate) const DEFAULT_RULES: &[&str] = &["templates/.?*"];

/// A `.helmignore` line that Helm would refuse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HelmIgnoreError {
    /// `**` anywhere in a rule.
    #[error("line {line}: double-star (**) syntax is not supported: {rule:?}")]
    DoubleStar { line: usize, rule: String },
    /// Not a valid Go `filepath.Match` pattern.
    #[error("line {line}: syntax error in pattern {rule:?}")]
    BadPattern { line: usize, rule: String },
}

/// Parsed `.helmignore` rules; see the module documentation for semantics.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HelmIgnore {
    rules: Vec<Rule>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Rule {
    /// The line as written (trimmed), for debugging.
    raw: String,
    negate: bool,
    must_dir: bool,
    /// Match against the base name only (the pattern had no `/`).
    basename_only: bool,
    /// `None` when the pattern left after stripping `!`, `/` is malformed
    /// (e.g. `foo\/`): Helm accepts the line but the rule then never matches.
    glob: Option<Glob>,
}

impl HelmIgnore {
    /// No rules: nothing is ignored.
    pub fn empty() -> Self {
        Self::default()
    }

    /// Parses `.helmignore` text. Does not add [`DEFAULT_RULES`].
    pub fn parse(text: &str) -> Result<Self, HelmIgnoreError> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let mut rules = Vec::new();
        for (index, line) in text.lines().enumerate() {
            if let Some(rule) = Rule::parse(line, index + 1)? {
                rules.push(rule);
            }
        }
        Ok(Self { rules })
    }

    /// Appends Helm's implicit rules ([`DEFAULT_RULES`]) after the current
    /// ones, as Helm's directory loader does.
    pub(crate) fn with_defaults(mut self) -> Self {
        for rule in DEFAULT_RULES {
            // The defaults are constant and valid; a failure here would be a
            // bug in this file, caught by the tests, so skipping is harmless.
            if let Ok(Some(rule)) = Rule::parse(rule, 0) {
                self.rules.push(rule);
            }
        }
        self
    }

    /// Number of rules (comments and blank lines are not rules).
    pub fn len(&self) -> usize {
        self.rules.len()
    }

    /// True when there are no rules.
    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// Whether `path` (chart-relative, `/`-separated, no leading `./`) is
    /// ignored. `is_dir` tells whether it names a directory.
    pub(crate) fn is_ignored(&self, path: &str, is_dir: bool) -> bool {
        if path.is_empty() || path == "." || path == "./" {
            return false;
        }
        for rule in &self.rules {
            if rule.negate {
                if rule.must_dir && !is_dir {
                    return true;
                }
                if !rule.matches(path) {
                    return true;
                }
                continue;
            }
            if rule.must_dir && !is_dir {
                continue;
            }
            if rule.matches(path) {
                return true;
            }
        }
        false
    }
}

impl Rule {
    fn parse(line: &str, line_no: usize) -> Result<Option<Rule>, HelmIgnoreError> {
        let rule = line.trim();
        if rule.is_empty() || rule.starts_with('#') {
            return Ok(None);
        }
        if rule.contains("**") {
            return Err(HelmIgnoreError::DoubleStar {
                line: line_no,
                rule: rule.to_owned(),
            });
        }
        // Helm validates the line as written, `!` and trailing `/` included.
        if Glob::compile(rule).is_err() {
            return Err(HelmIgnoreError::BadPattern {
                line: line_no,
                rule: rule.to_owned(),
            });
        }
        let mut pattern = rule;
        let negate = if let Some(rest) = pattern.strip_prefix('!') {
            pattern = rest;
            true
        } else {
            false
        };
        let must_dir = if let Some(rest) = pattern.strip_suffix('/') {
            pattern = rest;
            true
        } else {
            false
        };
        let basename_only;
        if let Some(rest) = pattern.strip_prefix('/') {
            pattern = rest;
            basename_only = false;
        } else {
            basename_only = !pattern.contains('/');
        }
        Ok(Some(Rule {
            raw: rule.to_owned(),
            negate,
            must_dir,
            basename_only,
            glob: Glob::compile(pattern).ok(),
        }))
    }

    fn matches(&self, path: &str) -> bool {
        let Some(glob) = &self.glob else {
            return false;
        };
        if self.basename_only {
            glob.matches(go_base(path))
        } else {
            glob.matches(path)
        }
    }
}

/// Go's `filepath.Base` for `/`-separated paths: trailing slashes dropped,
/// last element returned; `""` gives `"."` and all-slashes gives `"/"`.
fn go_base(path: &str) -> &str {
    if path.is_empty() {
        return ".";
    }
    let trimmed = path.trim_end_matches('/');
    if trimmed.is_empty() {
        return "/";
    }
    match trimmed.rfind('/') {
        Some(i) => &trimmed[i + 1..],
        None => trimmed,
    }
}

/// A compiled Go `filepath.Match` pattern (Unix flavour: `\` escapes).
#[derive(Clone, PartialEq, Eq)]
struct Glob {
    tokens: Vec<Token>,
}

impl fmt::Debug for Glob {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Glob({} tokens)", self.tokens.len())
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    /// `*`
    Star,
    /// `?`
    Any,
    /// `[...]`: ranges of code points, inclusive.
    Class {
        negated: bool,
        ranges: Vec<(u32, u32)>,
    },
    /// A literal byte (Go compares literals byte by byte).
    Byte(u8),
}

#[derive(Debug)]
struct BadPattern;

impl Glob {
    /// Compiles `pattern`, refusing exactly what Go's `filepath.Match`
    /// reports as `ErrBadPattern` (current Go checks the whole pattern).
    fn compile(pattern: &str) -> Result<Glob, BadPattern> {
        let bytes = pattern.as_bytes();
        let mut tokens = Vec::new();
        let mut i = 0;
        while i < bytes.len() {
            match bytes[i] {
                b'*' => {
                    tokens.push(Token::Star);
                    i += 1;
                }
                b'?' => {
                    tokens.push(Token::Any);
                    i += 1;
                }
                b'\\' => {
                    let Some(&b) = bytes.get(i + 1) else {
                        return Err(BadPattern);
                    };
                    tokens.push(Token::Byte(b));
                    i += 2;
                }
                b'[' => {
                    i += 1;
                    // After '[' there must be at least a range and a ']'.
                    if i >= bytes.len() {
                        return Err(BadPattern);
                    }
                    let negated = bytes[i] == b'^';
                    if negated {
                        i += 1;
                    }
                    let mut ranges = Vec::new();
                    loop {
                        if bytes.get(i) == Some(&b']') && !ranges.is_empty() {
                            i += 1;
                            break;
                        }
                        let (lo, next) = class_char(bytes, i)?;
                        i = next;
                        let mut hi = lo;
                        if bytes.get(i) == Some(&b'-') {
                            let (h, next) = class_char(bytes, i + 1)?;
                            hi = h;
                            i = next;
                        }
                        ranges.push((lo, hi));
                    }
                    tokens.push(Token::Class { negated, ranges });
                }
                b => {
                    tokens.push(Token::Byte(b));
                    i += 1;
                }
            }
        }
        Ok(Glob { tokens })
    }

    fn matches(&self, name: &str) -> bool {
        go_match(&self.tokens, name.as_bytes())
    }
}

/// One possibly escaped character inside `[...]` (Go's `getEsc`): not `-` or
/// `]` unescaped, valid UTF-8, and something must follow it.
fn class_char(bytes: &[u8], mut i: usize) -> Result<(u32, usize), BadPattern> {
    match bytes.get(i) {
        None | Some(b'-') | Some(b']') => return Err(BadPattern),
        Some(b'\\') => {
            i += 1;
            if i >= bytes.len() {
                return Err(BadPattern);
            }
        }
        Some(_) => {}
    }
    let (c, width) = decode_rune(&bytes[i..]);
    if c == REPLACEMENT && width == 1 {
        return Err(BadPattern);
    }
    let next = i + width;
    if next >= bytes.len() {
        return Err(BadPattern);
    }
    Ok((c, next))
}

const REPLACEMENT: u32 = 0xFFFD;

/// Go's `utf8.DecodeRune`: the first code point and its width, or
/// (U+FFFD, 1) for an invalid sequence. `s` must not be empty.
fn decode_rune(s: &[u8]) -> (u32, usize) {
    let width = match s.first() {
        Some(0x00..=0x7F) => 1,
        Some(0xC2..=0xDF) => 2,
        Some(0xE0..=0xEF) => 3,
        Some(0xF0..=0xF4) => 4,
        _ => return (REPLACEMENT, 1),
    };
    if let Some(Ok(text)) = s.get(..width).map(std::str::from_utf8) {
        if let Some(c) = text.chars().next() {
            return (c as u32, width);
        }
    }
    (REPLACEMENT, 1)
}

/// Matches `chunk` (no stars) at the start of `s`; returns the rest of `s`.
fn match_chunk<'a>(chunk: &[Token], mut s: &'a [u8]) -> Option<&'a [u8]> {
    for token in chunk {
        if s.is_empty() {
            return None;
        }
        match token {
            Token::Class { negated, ranges } => {
                let (r, width) = decode_rune(s);
                s = &s[width..];
                let hit = ranges.iter().any(|&(lo, hi)| lo <= r && r <= hi);
                if hit == *negated {
                    return None;
                }
            }
            Token::Any => {
                if s[0] == b'/' {
                    return None;
                }
                let (_, width) = decode_rune(s);
                s = &s[width..];
            }
            Token::Byte(b) => {
                if s[0] != *b {
                    return None;
                }
                s = &s[1..];
            }
            // Chunks are split at stars, so there is none here.
            Token::Star => return None,
        }
    }
    Some(s)
}

/// Go's `filepath.Match` algorithm over compiled tokens: the pattern is cut
/// into chunks each preceded by an optional star; a star tries the chunk at
/// each later position but never skips a `/`; the first fit is kept.
fn go_match(mut pattern: &[Token], mut name: &[u8]) -> bool {
    'chunks: while !pattern.is_empty() {
        let mut star = false;
        while let [Token::Star, rest @ ..] = pattern {
            star = true;
            pattern = rest;
        }
        let end = pattern
            .iter()
            .position(|t| *t == Token::Star)
            .unwrap_or(pattern.len());
        let (chunk, rest) = pattern.split_at(end);
        pattern = rest;
        if star && chunk.is_empty() {
            // A trailing star matches the rest unless it holds a '/'.
            return !name.contains(&b'/');
        }
        if let Some(t) = match_chunk(chunk, name) {
            // The last chunk must use up the whole name.
            if t.is_empty() || !pattern.is_empty() {
                name = t;
                continue;
            }
        }
        if star {
            let mut i = 0;
            while i < name.len() && name[i] != b'/' {
                if let Some(t) = match_chunk(chunk, &name[i + 1..]) {
                    if pattern.is_empty() && !t.is_empty() {
                        i += 1;
                        continue;
                    }
                    name = t;
                    continue 'chunks;
                }
                i += 1;
            }
        }
        return false;
    }
    name.is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn glob(p: &str, name: &str) -> bool {
        Glob::compile(p).expect("valid test pattern").matches(name)
    }

    /// Helm's pkg/ignore TestIgnore table, as data. The third column is
    /// whether the fixture named in Helm's testdata is a directory.
    #[test]
    fn helm_ignore_table() {
        let table: &[(&str, &str, bool, bool)] = &[
            // Glob tests
            ("helm.txt", "helm.txt", false, true),
            ("helm.*", "helm.txt", false, true),
            ("helm.*", "rudder.txt", false, false),
            ("*.txt", "tiller.txt", false, true),
            ("*.txt", "cargo/a.txt", false, true),
            ("cargo/*.txt", "cargo/a.txt", false, true),
            ("cargo/*.*", "cargo/a.txt", false, true),
            ("cargo/*.txt", "mast/a.txt", false, false),
            ("ru[c-e]?er.txt", "rudder.txt", false, true),
            ("templates/.?*", "templates/.dotfile", false, true),
            // "." is never ignored (helm/helm#1776)
            (".*", ".", true, false),
            (".*", "./", true, false),
            (".*", ".joonix", false, true),
            (".*", "helm.txt", false, false),
            (".*", "", true, false),
            // Directory tests
            ("cargo/", "cargo", true, true),
            ("cargo/", "cargo/", true, true),
            ("cargo/", "mast/", true, false),
            ("helm.txt/", "helm.txt", false, false),
            // Negation tests
            ("!helm.txt", "helm.txt", false, false),
            ("!helm.txt", "tiller.txt", false, true),
            ("!*.txt", "cargo", true, true),
            ("!cargo/", "mast/", true, true),
            // Absolute path tests
            ("/a.txt", "a.txt", false, true),
            ("/a.txt", "cargo/a.txt", false, false),
            ("/cargo/a.txt", "cargo/a.txt", false, true),
        ];
        for &(pattern, name, is_dir, expect) in table {
            let rules = HelmIgnore::parse(pattern).expect("valid rule");
            assert_eq!(
                rules.is_ignored(name, is_dir),
                expect,
                "pattern {pattern:?} on {name:?} (dir: {is_dir})"
            );
        }
    }

    #[test]
    fn parse_skips_comments_and_blanks() {
        let rules =
            HelmIgnore::parse("#ignore\n\n\t#ignore\nfoo\nbar/*\nbaz/bar/foo.txt\n\none/more\n")
                .expect("valid rules");
        let raws: Vec<&str> = rules.rules.iter().map(|r| r.raw.as_str()).collect();
        assert_eq!(raws, ["foo", "bar/*", "baz/bar/foo.txt", "one/more"]);
    }

    #[test]
    fn parse_failures() {
        assert_eq!(
            HelmIgnore::parse("ok\nfoo/**/bar"),
            Err(HelmIgnoreError::DoubleStar {
                line: 2,
                rule: "foo/**/bar".into()
            })
        );
        for bad in ["[z-", "[", "[]", "[^]", "[a", "a\\", "[a-]", "x[\\]"] {
            assert!(
                matches!(
                    HelmIgnore::parse(bad),
                    Err(HelmIgnoreError::BadPattern { line: 1, .. })
                ),
                "{bad:?} should be refused"
            );
        }
        let e = HelmIgnore::parse("[z-").expect_err("bad");
        assert_eq!(e.to_string(), "line 1: syntax error in pattern \"[z-\"");
    }

    #[test]
    fn bom_crlf_whitespace_and_inline_hash() {
        let rules = HelmIgnore::parse("\u{feff}*.tmp\r\n  spaced.txt  \r\nfoo # not a comment\n")
            .expect("valid");
        assert!(rules.is_ignored("a.tmp", false));
        assert!(rules.is_ignored("dir/spaced.txt", false));
        assert!(!rules.is_ignored("foo", false));
        assert!(rules.is_ignored("foo # not a comment", false));
    }

    #[test]
    fn first_match_wins_and_negation_quirks() {
        // Helm's doc.go suggests negations first as an allow-list, but its
        // code ignores Chart.yaml there too: a negation never keeps a path.
        let rules = HelmIgnore::parse("!Chart.yaml\n*\n").expect("valid");
        assert!(rules.is_ignored("Chart.yaml", false));
        assert!(rules.is_ignored("values.yaml", false));
        // A negation alone keeps what it matches and ignores the rest,
        // directories included.
        let rules = HelmIgnore::parse("!*.yaml\n").expect("valid");
        assert!(!rules.is_ignored("Chart.yaml", false));
        assert!(rules.is_ignored("NOTES.txt", false));
        assert!(rules.is_ignored("templates", true));
        // git's "all markdown but the README": Helm ignores every file,
        // README.md by the first rule and the rest by the negation.
        let rules = HelmIgnore::parse("*.md\n!README.md\n").expect("valid");
        assert!(rules.is_ignored("Chart.yaml", false));
        assert!(rules.is_ignored("NOTES.md", false));
        assert!(rules.is_ignored("README.md", false));
        // git's idiom does not re-include: the first rule decides.
        let rules = HelmIgnore::parse("*\n!Chart.yaml\n").expect("valid");
        assert!(rules.is_ignored("Chart.yaml", false));
        // A negated directory rule ignores every file.
        let rules = HelmIgnore::parse("!keep/\n").expect("valid");
        assert!(rules.is_ignored("keep", false));
        assert!(!rules.is_ignored("keep", true));
    }

    #[test]
    fn directory_only_and_anchored_rules() {
        let rules = HelmIgnore::parse("build/\n/top.txt\nsub/*.txt\n").expect("valid");
        assert!(rules.is_ignored("build", true));
        assert!(rules.is_ignored("a/build", true));
        assert!(!rules.is_ignored("build", false));
        assert!(rules.is_ignored("top.txt", false));
        assert!(!rules.is_ignored("x/top.txt", false));
        assert!(rules.is_ignored("sub/a.txt", false));
        assert!(!rules.is_ignored("sub/deeper/a.txt", false));
        assert!(!rules.is_ignored("x/sub/a.txt", false));
    }

    #[test]
    fn defaults_ignore_dotfiles_directly_in_templates() {
        let rules = HelmIgnore::empty().with_defaults();
        assert_eq!(rules.len(), 1);
        assert!(rules.is_ignored("templates/.swp", false));
        assert!(rules.is_ignored("templates/.git", true));
        assert!(!rules.is_ignored("templates/a/.swp", false));
        assert!(!rules.is_ignored(".helmignore", false));
        assert!(!rules.is_ignored("templates/x.yaml", false));
    }

    #[test]
    fn escaped_trailing_slash_is_accepted_but_never_matches() {
        // Go accepts `foo\/` as a whole, but `foo\` after stripping the `/`
        // cannot compile: Helm logs and treats the rule as no match.
        let rules = HelmIgnore::parse("foo\\/\n").expect("accepted");
        assert!(!rules.is_ignored("foo", true));
        assert!(!rules.is_ignored("foo\\", true));
    }

    #[test]
    fn go_glob_semantics() {
        // (pattern, name, expected) following Go's filepath.Match tests.
        let cases: &[(&str, &str, bool)] = &[
            ("abc", "abc", true),
            ("*", "abc", true),
            ("*c", "abc", true),
            ("a*", "a", true),
            ("a*", "abc", true),
            ("a*", "ab/c", false),
            ("a*/b", "abc/b", true),
            ("a*/b", "a/c/b", false),
            ("a*b*c*d*e*/f", "axbxcxdxe/f", true),
            ("a*b*c*d*e*/f", "axbxcxdxexxx/f", true),
            ("a*b*c*d*e*/f", "axbxcxdxe/xxx/f", false),
            ("a*b*c*d*e*/f", "axbxcxdxexxx/fff", false),
            ("a*b?c*x", "abxbbxdbxebxczzx", true),
            ("a*b?c*x", "abxbbxdbxebxczzy", false),
            ("ab[c]", "abc", true),
            ("ab[b-d]", "abc", true),
            ("ab[e-g]", "abc", false),
            ("ab[^c]", "abc", false),
            ("ab[^b-d]", "abc", false),
            ("ab[^e-g]", "abc", true),
            ("a\\*b", "a*b", true),
            ("a\\*b", "ab", false),
            ("a?b", "a☺b", true),
            ("a[^a]b", "a☺b", true),
            ("a???b", "a☺b", false),
            ("a[^a][^a][^a]b", "a☺b", false),
            ("[a-ζ]*", "α", true),
            ("*[a-ζ]", "A", false),
            ("a?b", "a/b", false),
            ("a*b", "a/b", false),
            ("[\\]a]", "]", true),
            ("[\\-]", "-", true),
            ("[x\\-]", "x", true),
            ("[x\\-]", "-", true),
            ("[x\\-]", "z", false),
            ("[\\-x]", "x", true),
            ("[\\-x]", "a", false),
            ("*x", "xxx", true),
            // A class may match '/', '?' and '*' may not.
            ("a[/]b", "a/b", true),
            ("", "", true),
            ("", "a", false),
        ];
        for &(p, name, expect) in cases {
            assert_eq!(glob(p, name), expect, "{p:?} vs {name:?}");
        }
    }

    #[test]
    fn go_base_like_filepath_base() {
        assert_eq!(go_base(""), ".");
        assert_eq!(go_base("/"), "/");
        assert_eq!(go_base("a"), "a");
        assert_eq!(go_base("a/b"), "b");
        assert_eq!(go_base("a/b/"), "b");
    }
}
