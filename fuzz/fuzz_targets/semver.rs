//! Any text as a version and as a constraint.
#![no_main]

use libfuzzer_sys::fuzz_target;
use strata_chart::semver::{compare, Constraint, Version};

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(v) = Version::parse_lenient(s) {
        let again = Version::parse_lenient(&v.to_string());
        assert!(again.is_ok(), "{s:?} prints as {v} which does not parse");
    }
    let _ = Version::parse_strict(s);
    let _ = Constraint::parse(s);
    let _ = compare(s, "1.2.3");
});
