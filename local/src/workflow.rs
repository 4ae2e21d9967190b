//! (being built)

use std::process::ExitCode;

#[derive(clap::Args, Debug)]
pub struct RunArgs {}

pub fn cli(_args: RunArgs) -> ExitCode {
    eprintln!("order-local: not built yet");
    ExitCode::FAILURE
}
