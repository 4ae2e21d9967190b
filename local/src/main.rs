//! `order-local`: run a sample order, the scenario suite or a chaos run on the local workflow.

use clap::{Parser, Subcommand};
use order_local::{chaos, scenario, workflow};
use std::process::ExitCode;

#[derive(Parser, Debug)]
#[command(
    version,
    about = "The order-fulfillment workflow offline, with the real handlers"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Run one order (events/orders/*.json) end to end and show the run.
    Run(workflow::RunArgs),
    /// Run every scenario in events/orders/ and check it against its expectation.
    Scenarios(scenario::ScenarioArgs),
    /// Run randomized orders under injected faults and check the invariants.
    Chaos(chaos::ChaosArgs),
}

fn main() -> ExitCode {
    match Cli::parse().command {
        Command::Run(args) => workflow::cli(args),
        Command::Scenarios(args) => scenario::cli(args),
        Command::Chaos(args) => chaos::cli(args),
    }
}
