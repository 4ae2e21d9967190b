//! `order-local`: run sample orders, the scenario suite or a chaos run on the local workflow.

fn main() -> std::process::ExitCode {
    eprintln!("order-local: being built");
    std::process::ExitCode::FAILURE
}
