//! The `sfn-local` command line.

use std::process::ExitCode;

fn main() -> ExitCode {
    sfn_local::cli::main()
}
