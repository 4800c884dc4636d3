//! The `strata` binary: everything lives in the `strata-cli` crate.

// mimalloc instead of the system allocator: see docs/performance.md.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    strata_cli::main()
}
