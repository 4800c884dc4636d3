//! Any bytes as a packaged chart (.tgz).
#![no_main]

use libfuzzer_sys::fuzz_target;
use strata_chart::archive::{read_archive, Limits};

fuzz_target!(|data: &[u8]| {
    let _ = read_archive(std::io::Cursor::new(data), &Limits::HELM);
});
