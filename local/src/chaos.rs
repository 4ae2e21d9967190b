//! (being built)

use std::process::ExitCode;

#[derive(clap::Args, Debug)]
pub struct ChaosArgs {}

pub fn cli(_args: ChaosArgs) -> ExitCode {
    eprintln!("order-local: not built yet");
    ExitCode::FAILURE
}
