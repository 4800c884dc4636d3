//! Go's `fmt` as templates use it: how an action prints its value (`%v`),
//! `print`, `println`, `printf` with Go's verbs.

use crate::Value;

/// `fmt.Sprint(args...)`: values printed with `%v`, a space between two
/// operands when neither is a string.
pub fn sprint(args: &[Value]) -> String {
    let _ = args;
    String::new()
}

/// `fmt.Sprintf(format, args...)`, Go's verbs and their errors in the
/// output (`%!d(string=x)`, `%!(EXTRA …)`, `%!v(MISSING)`).
pub fn sprintf(format: &str, args: &[Value]) -> String {
    let _ = args;
    format.to_string()
}
