//! The `linetwin` command line: run, experiment with, validate and sequence scenarios.

use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use clap::{Args, Parser, Subcommand};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use scenarios::experiment::{Experiment, ExperimentError, ExperimentOptions, MAX_REPLICATIONS};
use scenarios::setups::SetupsReport;
use scenarios::{Overrides, Scenario, ScenarioError, report};

/// Simulate production lines (stations, buffers, failures, changeovers, orders)
/// from TOML scenario files: one run, Monte-Carlo experiments with confidence
/// intervals, validation, campaign wheels.
#[derive(Parser)]
#[command(name = "linetwin", version)]
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
    /// Run every design point × replication in parallel and report mean, sd,
    /// 95% CI and n per KPI, with paired differences (common random numbers).
    Experiment {
        /// The scenario TOML file (its `[experiment]` section, if any).
        file: PathBuf,
        /// Print the results as `linetwin.kpi/1` JSON.
        #[arg(long)]
        json: bool,
        /// Replications per design point (overrides `experiment.replications`).
        #[arg(long)]
        replications: Option<u64>,
        /// Master seed (overrides `experiment.seed` and `scenario.seed`).
        #[arg(long)]
        seed: Option<u64>,
        /// Worker threads (default: one per core). Results do not depend on it.
        #[arg(long)]
        threads: Option<usize>,
        /// Let variants name scenario files outside this file's directory tree
        /// (only for files you trust).
        #[arg(long)]
        allow_outside: bool,
    },
    /// Check a scenario and report the first problem, if any.
    Validate {
        /// The scenario TOML file.
        file: PathBuf,
        /// Let variants name scenario files outside this file's directory tree
        /// (only for files you trust).
        #[arg(long)]
        allow_outside: bool,
    },
    /// Propose, per station with a setup matrix, a cyclic order of its product
    /// families with a low mean setup time per cycle (a campaign wheel).
    Setups {
        /// The scenario TOML file.
        file: PathBuf,
        /// Print the proposals as `linetwin.setups/1` JSON.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Args)]
struct OverrideArgs {
    /// Master seed (overrides `scenario.seed`).
    #[arg(long)]
    seed: Option<u64>,
    /// End of the run in model time units (overrides `scenario.horizon`).
    #[arg(long, allow_hyphen_values = true)]
    horizon: Option<f64>,
    /// End of the warm-up (overrides `scenario.warmup`).
    #[arg(long, allow_hyphen_values = true)]
    warmup: Option<f64>,
}

/// Exit code for invalid input (scenario files, arguments).
const INVALID_INPUT: u8 = 2;

/// The most worker threads `--threads` may ask for.
const MAX_THREADS: usize = 1024;

/// An invalid command-line value: the error names the flag.
fn bad_flag(flag: &str, message: String) -> Failure {
    Failure::Invalid(ScenarioError::Invalid {
        origin: "command line".into(),
        line: None,
        field: flag.into(),
        message,
    })
}

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
        Err(Failure::Invalid(e)) => {
            eprintln!("error: {e}");
            ExitCode::from(INVALID_INPUT)
        }
        Err(Failure::Interrupted(message)) => {
            eprintln!("{message}");
            ExitCode::from(INTERRUPTED)
        }
        Err(Failure::Other(message)) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

/// `n` and `noun`, plural unless `n` is 1: "1 source", "2 sources".
fn count(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// Exit code after Ctrl-C (128 + SIGINT, as shells report it).
const INTERRUPTED: u8 = 130;

/// Why a command produced no output.
enum Failure {
    /// Bad input: exit code 2.
    Invalid(ScenarioError),
    /// Stopped by Ctrl-C.
    Interrupted(String),
    /// Anything else: exit code 1.
    Other(String),
}

impl From<ScenarioError> for Failure {
    fn from(e: ScenarioError) -> Self {
        Self::Invalid(e)
    }
}

/// Runs an experiment with a progress bar on a terminal (hidden when stderr is
/// not one) and Ctrl-C stopping it cleanly.
fn run_experiment(
    experiment: &Experiment,
    threads: Option<usize>,
) -> Result<scenarios::experiment::ExperimentResult, Failure> {
    let cancel = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&cancel);
    // A second handler cannot be installed (e.g. in tests); the run then simply
    // cannot be interrupted cleanly, which is not a reason to fail.
    let _ = ctrlc::set_handler(move || flag.store(true, Ordering::Relaxed));
    let bar = ProgressBar::with_draw_target(
        Some(experiment.planned_runs()),
        ProgressDrawTarget::stderr(),
    );
    bar.set_style(
        ProgressStyle::with_template(
            "{bar:40} {pos}/{len} runs  {elapsed_precise} elapsed, ETA {eta}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let progress = |done: u64, _planned: u64| bar.set_position(done);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads.unwrap_or(0))
        .build()
        .map_err(|e| Failure::Other(format!("cannot start worker threads: {e}")))?;
    let outcome = pool.install(|| experiment.run(&progress, &cancel));
    bar.finish_and_clear();
    outcome.map_err(|e| match e {
        ExperimentError::Invalid(e) => Failure::Invalid(e),
        ExperimentError::Interrupted(runs) => {
            Failure::Interrupted(format!("interrupted after {runs} runs; no results"))
        }
    })
}

/// Runs a command and returns everything it prints, so that nothing is printed
/// when it fails.
fn execute(command: Command) -> Result<String, Failure> {
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
        Command::Experiment {
            file,
            json,
            replications,
            seed,
            threads,
            allow_outside,
        } => {
            if let Some(t) = threads.filter(|t| !(1..=MAX_THREADS).contains(t)) {
                return Err(bad_flag(
                    "--threads",
                    format!("must be an integer from 1 to {MAX_THREADS}, got {t}"),
                ));
            }
            if let Some(n) = replications.filter(|n| !(1..=MAX_REPLICATIONS).contains(n)) {
                return Err(bad_flag(
                    "--replications",
                    format!("must be an integer from 1 to {MAX_REPLICATIONS}, got {n}"),
                ));
            }
            let scenario = Scenario::from_path(&file)?;
            for warning in &scenario.warnings {
                eprintln!("warning: {}: {warning}", file.display());
            }
            let experiment = Experiment::new(
                &scenario,
                &ExperimentOptions {
                    replications,
                    seed,
                    allow_outside,
                },
            )?;
            let result = run_experiment(&experiment, threads)?;
            Ok(if json {
                result.to_json()
            } else {
                result.to_table()
            })
        }
        Command::Validate {
            file,
            allow_outside,
        } => {
            let scenario = Scenario::from_path(&file)?;
            let experiment = Experiment::new(
                &scenario,
                &ExperimentOptions {
                    allow_outside,
                    ..ExperimentOptions::default()
                },
            )?;
            let line = scenario.line();
            let mut out = format!(
                "{}: ok — {}, {}, {}, {}, {}\n",
                file.display(),
                count(line.products.len(), "product"),
                count(line.stations.len(), "station"),
                count(line.buffers.len(), "buffer"),
                count(line.sources.len(), "source"),
                count(line.sinks.len(), "sink")
            );
            if experiment.design_points.len() > 1 {
                out.push_str(&format!(
                    "experiment: {} × {}\n",
                    count(experiment.design_points.len(), "design point"),
                    count(experiment.replications as usize, "replication")
                ));
            }
            for warning in &scenario.warnings {
                out.push_str(&format!("warning: {warning}\n"));
            }
            Ok(out)
        }
        Command::Setups { file, json } => {
            let scenario = Scenario::from_path(&file)?;
            let report = SetupsReport::new(&scenario)?;
            // Only now: a failed command prints its one error line and nothing else.
            for warning in &scenario.warnings {
                eprintln!("warning: {}: {warning}", file.display());
            }
            Ok(if json {
                report.to_json()
            } else {
                report.to_table()
            })
        }
    }
}
