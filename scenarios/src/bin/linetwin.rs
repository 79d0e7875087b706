//! The `linetwin` command line: run and validate scenarios.

use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use scenarios::{Overrides, Scenario, ScenarioError, report};

/// Fast discrete-event simulation of production lines.
#[derive(Parser)]
#[command(name = "linetwin", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run one replication of a scenario and print its KPIs.
    Run {
        /// The scenario TOML file.
        file: PathBuf,
        /// Print the KPIs as `linetwin.kpi/1` JSON.
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        overrides: OverrideArgs,
    },
    /// Check a scenario and report the first problem, if any.
    Validate {
        /// The scenario TOML file.
        file: PathBuf,
    },
}

#[derive(Args)]
struct OverrideArgs {
    /// Master seed (overrides `scenario.seed`).
    #[arg(long)]
    seed: Option<u64>,
    /// End of the run in model time units (overrides `scenario.horizon`).
    #[arg(long, allow_negative_numbers = true)]
    horizon: Option<f64>,
    /// End of the warm-up (overrides `scenario.warmup`).
    #[arg(long, allow_negative_numbers = true)]
    warmup: Option<f64>,
}

/// Exit code for invalid input (scenario files, arguments).
const INVALID_INPUT: u8 = 2;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { INVALID_INPUT } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    match execute(cli.command) {
        Ok(output) => {
            let mut stdout = std::io::stdout().lock();
            match stdout
                .write_all(output.as_bytes())
                .and_then(|()| stdout.flush())
            {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("error: cannot write the output: {e}");
                    ExitCode::FAILURE
                }
            }
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(INVALID_INPUT)
        }
    }
}

/// Runs a command and returns everything it prints, so that nothing is printed
/// when it fails.
fn execute(command: Command) -> Result<String, ScenarioError> {
    match command {
        Command::Run {
            file,
            json,
            overrides,
        } => {
            let scenario = Scenario::from_path(&file)?;
            for warning in &scenario.warnings {
                eprintln!("warning: {}: {warning}", file.display());
            }
            let kpis = scenario.run(&Overrides {
                seed: overrides.seed,
                horizon: overrides.horizon,
                warmup: overrides.warmup,
            })?;
            Ok(if json {
                report::to_json(&kpis)
            } else {
                report::to_table(&kpis)
            })
        }
        Command::Validate { file } => {
            let scenario = Scenario::from_path(&file)?;
            let line = &scenario.line;
            let mut out = format!(
                "{}: ok — {} products, {} stations, {} buffers, {} sources, {} sinks\n",
                file.display(),
                line.products.len(),
                line.stations.len(),
                line.buffers.len(),
                line.sources.len(),
                line.sinks.len()
            );
            for warning in &scenario.warnings {
                out.push_str(&format!("warning: {warning}\n"));
            }
            Ok(out)
        }
    }
}
