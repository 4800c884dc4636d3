//! Any `--set`-family argument: an error or values, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use strata_chart::strvals::{apply, SetKind};
use strata_chart::value::Map;

fuzz_target!(|data: &[u8]| {
    let Some((&k, rest)) = data.split_first() else {
        return;
    };
    let Ok(arg) = std::str::from_utf8(rest) else {
        return;
    };
    let kind = SetKind::ALL[usize::from(k) % SetKind::ALL.len()];
    let mut values = Map::default();
    let mut read = |p: &str| -> std::io::Result<String> { Ok(p.to_string()) };
    let _ = apply(&mut values, kind, arg, &mut read);
});
