//! Reading files as UTF-8 text: a leading byte order mark is dropped, and
//! text that is not UTF-8 is an error naming the line of the first bad byte.

use crate::diag::{Code, Diagnostic, Location};
use crate::load::to_u32;

/// A UTF-8 byte order mark, dropped from the start of files (as Helm does).
pub const BOM: &[u8] = b"\xEF\xBB\xBF";

/// File bytes as UTF-8 text (a leading BOM is dropped), borrowed; the
/// error names the file and the line of the first bad byte.
pub fn decode_utf8<'a>(bytes: &'a [u8], file: &str) -> Result<&'a str, Diagnostic> {
    let bytes = bytes.strip_prefix(BOM).unwrap_or(bytes);
    std::str::from_utf8(bytes).map_err(|e| not_utf8(&bytes[..e.valid_up_to()], file))
}

/// [`decode_utf8`] of bytes the caller gives up: the text keeps them
/// instead of a copy (the same text, the same error).
pub fn decode_utf8_owned(mut bytes: Vec<u8>, file: &str) -> Result<String, Diagnostic> {
    if bytes.starts_with(BOM) {
        bytes.drain(..BOM.len());
    }
    String::from_utf8(bytes).map_err(|e| {
        let valid = e.utf8_error().valid_up_to();
        not_utf8(&e.as_bytes()[..valid], file)
    })
}

/// The error for a file whose text (after any BOM) is valid up to the end
/// of `valid` only.
fn not_utf8(valid: &[u8], file: &str) -> Diagnostic {
    let line = valid.iter().filter(|b| **b == b'\n').count() + 1;
    let col = valid.iter().rev().take_while(|b| **b != b'\n').count() + 1;
    Diagnostic::error(
        Code::Yaml,
        format!("{file} is not valid UTF-8 (byte offset {})", valid.len()),
    )
    .at(Location::new(file, to_u32(line), to_u32(col)))
}
