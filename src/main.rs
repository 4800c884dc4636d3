//! The `strata` binary: everything lives in the `strata-cli` crate.
fn main() -> std::process::ExitCode {
    strata_cli::main()
}
