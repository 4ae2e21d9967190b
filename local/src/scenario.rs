//! (being built)

use std::process::ExitCode;

#[derive(clap::Args, Debug)]
pub struct ScenarioArgs {}

pub fn cli(_args: ScenarioArgs) -> ExitCode {
    eprintln!("order-local: not built yet");
    ExitCode::FAILURE
}
