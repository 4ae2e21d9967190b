//! The `sfn-local` command line.

use std::process::ExitCode;

/// mimalloc (its v2 line) rather than glibc's malloc: the engine makes millions of small
/// allocations (JSON values), and a 100,000-item Map runs ~30 % faster with the same peak RSS
/// (mimalloc v3 and jemalloc were faster too but took 8-10 % more memory; README.md, "Map
/// memory"). Only the binary: library users choose their own allocator.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    sfn_local::cli::main()
}
