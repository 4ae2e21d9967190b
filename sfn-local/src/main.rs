//! The `sfn-local` command line.

use std::process::ExitCode;

/// mimalloc (its v2 line, without transparent huge pages) rather than glibc's malloc: the engine
/// makes millions of small allocations (JSON values); a 100,000-item Map takes ~10 % less CPU
/// with the same peak RSS (README.md, "Map memory", has the variants measured). Only the
/// binary: library users choose their own allocator.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    sfn_local::cli::main()
}
