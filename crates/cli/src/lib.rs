//! strata-cli: the thin front end. It parses arguments, calls the library
//! crates, prints results to stdout and diagnostics to stderr, and decides
//! the exit code in one place: 0 ok, 1 invalid input, 2 usage or I/O.

mod args;
mod cmd;
mod report;

use std::io::Write;
use std::process::ExitCode;

use clap::error::{ContextKind, ContextValue, ErrorKind};
use clap::{CommandFactory, FromArgMatches};
use strata_chart::Error;

pub use args::Cli;

/// What a command produced: text for stdout, findings for stderr, and
/// whether it failed (exit 1) without an error.
#[derive(Default)]
pub struct Outcome {
    /// Rendered documents for stdout, printed as a stream
    /// (`strata_template::write_stream`) before `stdout`.
    pub documents: Vec<strata_template::Document>,
    /// Result text for stdout.
    pub stdout: String,
    /// Warnings and notes for stderr.
    pub diagnostics: Vec<strata_chart::Diagnostic>,
    /// Exit 1 although nothing went wrong (e.g. `diff --exit-code`).
    pub fail: bool,
}

/// Run the CLI with the process's arguments.
pub fn main() -> ExitCode {
    // A closed standard output (`strata render >&-`) would lose the output
    // while exiting 0, and the first file strata opens would take its
    // descriptor. Refuse before opening anything.
    if let Err(e) = stdout_open() {
        eprintln!("error[io]: standard output is not open: {e}");
        return ExitCode::from(2);
    }
    let matches = match Cli::command().try_get_matches() {
        Ok(m) => m,
        Err(e) => {
            // A `helm template` flag strata leaves out on purpose: one line
            // saying what to do instead, not clap's advice.
            let unknown = match (e.kind(), e.get(ContextKind::InvalidArg)) {
                (ErrorKind::UnknownArgument, Some(ContextValue::String(arg))) => {
                    args::helm_flag_advice(arg).map(|advice| (arg.clone(), advice))
                }
                _ => None,
            };
            if let Some((arg, advice)) = unknown {
                let flag = arg.split('=').next().unwrap_or(&arg).to_string();
                return fail(&Error::Usage(format!("{flag}: {advice}")));
            }
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(2);
        }
    };
    let sets = args::set_flags(&matches);
    match cmd::run(cli, sets) {
        Ok(out) => {
            report::eprint_all(&out.diagnostics);
            let written = write_stdout(&out.documents, &out.stdout);
            // Rendered documents can be megabytes of small allocations:
            // the process is about to end, the OS takes them back.
            std::mem::forget(out.documents);
            if let Err(e) = written {
                if e.kind() != std::io::ErrorKind::BrokenPipe {
                    eprintln!("error[io]: writing to standard output: {e}");
                    return ExitCode::from(2);
                }
            }
            ExitCode::from(u8::from(out.fail))
        }
        Err(e) => fail(&e),
    }
}

/// Whether standard output was open when strata started. Rust's runtime
/// reopens a closed descriptor 0–2 on `/dev/null` read-write before `main`
/// (so files never take its number); a shell's `>/dev/null` opens it
/// write-only. On Linux the descriptor's flags tell the two apart.
fn stdout_open() -> std::io::Result<()> {
    #[cfg(target_os = "linux")]
    if start::STDOUT_CLOSED.load(std::sync::atomic::Ordering::Relaxed) {
        return Err(std::io::Error::other(
            "it was closed (strata would write its output nowhere)",
        ));
    }
    Ok(())
}

/// Whether descriptor 1 was open when the process started. Rust's runtime
/// replaces a closed standard descriptor with `/dev/null` (opened
/// read-write) before `main`, after which `strata >&-` and
/// `strata >/dev/null` (or Python's `subprocess.DEVNULL`, also read-write)
/// look the same; so the check runs earlier, from the ELF constructors
/// glibc calls before Rust's runtime starts.
#[cfg(target_os = "linux")]
mod start {
    use std::sync::atomic::{AtomicBool, Ordering};

    pub(crate) static STDOUT_CLOSED: AtomicBool = AtomicBool::new(false);

    #[used]
    #[link_section = ".init_array"]
    static RECORD: extern "C" fn() = record;

    extern "C" fn record() {
        // `/proc/self/fd/1` exists exactly when descriptor 1 is open;
        // without /proc nothing is known and nothing is refused.
        let proc_mounted = std::fs::symlink_metadata("/proc/self/fd").is_ok();
        let closed = proc_mounted && std::fs::symlink_metadata("/proc/self/fd/1").is_err();
        STDOUT_CLOSED.store(closed, Ordering::Relaxed);
    }
}

fn write_stdout(documents: &[strata_template::Document], s: &str) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    strata_template::write_stream(documents, &mut out)?;
    out.write_all(s.as_bytes())?;
    out.flush()
}

fn fail(e: &Error) -> ExitCode {
    report::eprint_all(&e.diagnostics());
    ExitCode::from(e.exit_code())
}
