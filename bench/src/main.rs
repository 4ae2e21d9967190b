//! fn-bench: the functions' performance budget, measured (cold init, first and warm invocation,
//! peak RSS, arm64 package size). Prints a table and writes JSON so runs can be compared.
//!
//! Run it through `scripts/bench-functions.sh`, which builds the binaries, starts the local
//! DynamoDB-compatible server with the tables and passes their names in the environment.

mod measure;
mod package;
mod plan;
mod report;
mod runtime_api;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;

#[derive(Debug, Parser)]
#[command(about = "Measure every function binary the way Lambda runs it")]
struct Args {
    /// The plan: which functions, which events, how many runs.
    #[arg(long, default_value = "bench/plan.json")]
    plan: PathBuf,
    /// Folder holding the host build of the function binaries (release profile).
    #[arg(long, default_value = "target/release")]
    bin_dir: PathBuf,
    /// `cargo lambda build --release --arm64`'s output folder (`<dir>/<function>/bootstrap`),
    /// for the arm64 package sizes.
    #[arg(long, default_value = "target/lambda")]
    arm64_dir: PathBuf,
    /// `sam build`'s output folder, used when the arm64 dir has no bootstrap for a function.
    #[arg(long, default_value = ".aws-sam/build")]
    sam_build_dir: PathBuf,
    /// A note stored with the results (commit, machine load, profile); repeatable.
    #[arg(long)]
    note: Vec<String>,
    /// Where to write the results as JSON.
    #[arg(long, default_value = "target/fn-bench.json")]
    json: PathBuf,
    /// Only these functions (default: every function in the plan).
    #[arg(long)]
    only: Vec<String>,
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let args = Args::parse();
    match run(args).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("fn-bench: {message}");
            ExitCode::FAILURE
        }
    }
}

async fn run(args: Args) -> Result<(), String> {
    let plan = plan::Plan::load(&args.plan).map_err(|e| e.to_string())?;
    let env = plan::forwarded_env();
    let mut rows = Vec::new();
    for entry in plan
        .functions
        .iter()
        .filter(|f| args.only.is_empty() || args.only.contains(&f.function))
    {
        eprintln!("fn-bench: {}", entry.function);
        let package_dirs = [args.arm64_dir.as_path(), args.sam_build_dir.as_path()];
        let row = report::measure_function(&plan, entry, &args.bin_dir, &package_dirs, &env)
            .await
            .map_err(|e| format!("{}: {e}", entry.function))?;
        rows.push(row);
        // Written after every function: a run cut short keeps what it measured.
        write(&args, &plan, &rows)?;
    }
    let table = report::render_table(&rows, &plan);
    println!("{table}");
    write(&args, &plan, &rows)?;
    eprintln!("fn-bench: results written to {}", args.json.display());
    Ok(())
}

fn write(args: &Args, plan: &plan::Plan, rows: &[report::Row]) -> Result<(), String> {
    report::write_json(&args.json, plan, rows, &args.note)
        .map_err(|e| format!("{}: {e}", args.json.display()))
}
