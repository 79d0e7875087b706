//! The `linetwin` command line: run, experiment with, validate and sequence scenarios.

use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use clap::{Args, Parser, Subcommand};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use scenarios::assess::{Assessment, Improved};
use scenarios::catalogue::{self, Catalogue, Lang};
use scenarios::dataset::{Dataset, Request};
use scenarios::experiment::{Experiment, ExperimentError, ExperimentOptions, MAX_REPLICATIONS};
use scenarios::scheduling::{
    BenchScheduler, InstanceFormat, SchedError, Timing, bench, book, gantt, load_instance,
    load_schedule, robust, timing,
};
use scenarios::setups::SetupsReport;
use scenarios::{Overrides, Scenario, ScenarioError, export, report};
use twin_models::scheduling::{Assignment, Evaluator, Scheme};

/// Simulate production lines (stations, buffers, failures, changeovers, orders)
/// from TOML scenario files: one run, Monte-Carlo experiments with confidence
/// intervals, validation, campaign wheels.
#[derive(Parser)]
#[command(name = "linetwin", version)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

// Parsed once per process: the size of the largest variant does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Subcommand)]
enum Command {
    /// Run one replication of a scenario and print its KPIs.
    Run {
        /// The scenario TOML file.
        file: PathBuf,
        /// Print the KPIs as `linetwin.kpi/2` JSON.
        #[arg(long, conflicts_with = "csv")]
        json: bool,
        /// Print the KPIs as CSV, one row per value: kpi, scope, entity,
        /// value, ci95, n, unit.
        #[arg(long)]
        csv: bool,
        #[command(flatten)]
        overrides: OverrideArgs,
        /// Use the random streams of replication N (default 0): with the
        /// experiment's seed, horizon and warm-up, this replays replication N of
        /// its first design point.
        #[arg(long, value_name = "N")]
        replication: Option<u64>,
    },
    /// Run every design point × replication in parallel and report mean, sd,
    /// 95% CI and n per KPI, with paired differences (common random numbers).
    Experiment {
        /// The scenario TOML file (its `[experiment]` section, if any).
        file: PathBuf,
        /// Print the results as `linetwin.kpi/2` JSON.
        #[arg(long, conflicts_with = "csv")]
        json: bool,
        /// Print the results as CSV, one row per design point and KPI:
        /// design_point, kpi, scope, entity, mean, ci95, n, unit.
        #[arg(long)]
        csv: bool,
        #[command(flatten)]
        settings: ExperimentArgs,
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
    /// Compare an improved scenario with its baseline on common random numbers:
    /// productivity, lead time, WIP, OEE, energy, CO2, defects, on-time
    /// delivery and downtime, each as a change with its paired 95% CI.
    Assess {
        /// The baseline scenario TOML file (its seed, horizon, warm-up and
        /// replications apply to both).
        baseline: PathBuf,
        /// The improved scenario TOML file (or give `--variant`).
        #[arg(required_unless_present = "variant")]
        improved: Option<PathBuf>,
        /// Compare with this variant of the baseline's `[experiment]` instead
        /// of another file.
        #[arg(long, value_name = "NAME", conflicts_with = "improved")]
        variant: Option<String>,
        /// Print the report as `linetwin.assess/1` JSON.
        #[arg(long, conflicts_with_all = ["csv", "md"])]
        json: bool,
        /// Print one CSV row per indicator.
        #[arg(long, conflicts_with = "md")]
        csv: bool,
        /// Print a Markdown table for a report.
        #[arg(long)]
        md: bool,
        /// Language of the Markdown table's names: `en` or `zh`.
        #[arg(long, default_value = "en", value_parser = ["en", "zh"])]
        lang: String,
        /// The baseline's experiment settings apply to both.
        #[command(flatten)]
        settings: ExperimentArgs,
    },
    /// Run units of a wear mode from new to failure and write every reading
    /// of its condition signal with the true health state and the remaining
    /// useful life (CSV or Parquet, by the file's extension): data to train
    /// and benchmark remaining-useful-life models.
    PdmDataset {
        /// The scenario TOML file.
        file: PathBuf,
        /// Units to run to failure.
        #[arg(long, value_name = "N")]
        units: u32,
        /// The file to write: `.csv` or `.parquet`.
        #[arg(long, value_name = "PATH")]
        out: PathBuf,
        /// The station (default: the first with a wear mode that has a signal).
        #[arg(long, value_name = "NAME")]
        station: Option<String>,
        /// The station's wear mode (default: its first with a signal).
        #[arg(long, value_name = "NAME")]
        mode: Option<String>,
        /// Age between readings (default: the signal's period).
        #[arg(long, value_name = "AGE")]
        every: Option<f64>,
        /// Master seed (default: the scenario's).
        #[arg(long)]
        seed: Option<u64>,
    },
    /// Print the KPI catalogue: every KPI's id, name (English and Chinese),
    /// definition, formula, unit, scope, better direction and future-factory
    /// sub-domains; or the JSON Schema of the KPI documents.
    Kpis {
        /// Language of the names: `en` or `zh`.
        #[arg(long, default_value = "en", value_parser = ["en", "zh"])]
        lang: String,
        /// Print the catalogue as JSON.
        #[arg(long)]
        json: bool,
        /// Print the JSON Schema of `run --json` (`run`, the default) or of
        /// `experiment --json` (`experiment`) instead.
        #[arg(long, value_name = "DOCUMENT", num_args = 0..=1, default_missing_value = "run",
              value_parser = ["run", "experiment"])]
        schema: Option<String>,
    },
    /// Scheduler benchmarks on job-shop, flow-shop and flexible job-shop instances.
    Sched {
        #[command(subcommand)]
        command: SchedCommand,
    },
}

// Parsed once per process: the size of the largest variant does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Subcommand)]
enum SchedCommand {
    /// Run dispatching rules (and NEH) on instances and compare them with the best known
    /// makespans.
    Bench {
        /// Instances: bundled names and ranges (ft06,la01-la40,ta01-ta10) or files.
        #[arg(long)]
        instances: String,
        /// Schedulers: spt, lpt, mwkr, lwkr, mopnr, fifo, random[:SEED], neh.
        #[arg(long, default_value = "spt,lpt,mwkr,lwkr,mopnr,fifo")]
        rules: String,
        /// Generation scheme of the rules: active, non-delay or both.
        #[arg(long, default_value = "active")]
        scheme: String,
        #[command(flatten)]
        options: SchedOptions,
        /// Print `linetwin.sched-bench/1` JSON (a list `results`).
        #[arg(long)]
        json: bool,
        /// Print CSV, one line per instance and scheduler.
        #[arg(long, conflicts_with = "json")]
        csv: bool,
    },
    /// Build one scheduler's schedule and write it as CSV (or JSON if OUT ends in .json).
    Solve {
        /// A bundled instance name or an instance file.
        instance: String,
        /// The scheduler: spt, lpt, mwkr, lwkr, mopnr, fifo, random[:SEED], neh.
        #[arg(long, default_value = "spt")]
        rule: String,
        /// Generation scheme: active or non-delay.
        #[arg(long, default_value = "active")]
        scheme: String,
        #[command(flatten)]
        options: SchedOptions,
        /// Where to write the schedule; without it, the CSV goes to stdout.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Evaluate and check a schedule: its makespan, or what it violates (exit code 2).
    Eval {
        /// A bundled instance name or an instance file.
        instance: String,
        /// The schedule, CSV or JSON; with start times they are checked as given, without
        /// them the semi-active schedule of the sequences is evaluated.
        schedule: PathBuf,
        #[command(flatten)]
        options: SchedOptions,
        /// Print the result as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Execute a schedule in its twin under random processing times and breakdowns, and
    /// compare execution policies on the same disturbances (planned against realised).
    ///
    /// Given a scenario (.toml) instead of an instance, its order book is planned at some
    /// stations (--planned, by default those with setups) and executed under the
    /// scenario's own distributions, failures and scrap.
    Robust {
        /// A bundled instance name, an instance file, or a scenario file (.toml) with orders.
        instance: String,
        /// The schedule to execute, CSV or JSON (as `sched solve` writes it); for a
        /// scenario, a plan CSV (`station,order[,step]` rows, each station's in sequence).
        #[arg(long, conflicts_with = "scheduler")]
        schedule: Option<PathBuf>,
        /// Or build the schedule with this scheduler (spt, lpt, mwkr, lwkr, mopnr, fifo,
        /// random[:SEED], neh; active scheme); for a scenario, the dispatching rule under
        /// which the plan is recorded at nominal times (default: the stations' own rules).
        #[arg(long)]
        scheduler: Option<String>,
        /// For a scenario: the stations that keep the plan, comma-separated (default: those
        /// with setups).
        #[arg(long, value_delimiter = ',')]
        planned: Vec<String>,
        /// For a scenario: write the plan executed as CSV (edit it and give it back with
        /// --schedule).
        #[arg(long)]
        save_plan: Option<PathBuf>,
        /// Execution policies, comma-separated or repeated; the first is the baseline:
        /// keep (each machine keeps its sequence), redispatch[:RULE] (machines keep their
        /// operations, a dispatching rule orders them), reschedule[:RULE] (replanned by a
        /// scheduling rule every --period and/or --on-failure).
        #[arg(long, value_delimiter = ',', default_value = "keep")]
        policy: Vec<String>,
        /// Dispatching rule of `redispatch` (fifo, spt, edd, cr, slack, atc, mwkr, ...).
        #[arg(long, default_value = "spt")]
        rule: String,
        /// Scheduling rule of `reschedule` (spt, lpt, mwkr, lwkr, mopnr, fifo).
        #[arg(long, default_value = "mwkr")]
        reschedule_rule: String,
        /// Reschedule every so many time units.
        #[arg(long, allow_hyphen_values = true)]
        period: Option<f64>,
        /// Reschedule whenever a machine fails.
        #[arg(long)]
        on_failure: bool,
        /// Coefficient of variation of processing times (0: nominal times) [default: 0.2].
        #[arg(long, allow_hyphen_values = true)]
        noise_cv: Option<f64>,
        /// Distribution family of processing times: lognormal, gamma, normal, uniform,
        /// triangular, weibull, erlang, exponential [default: lognormal].
        #[arg(long)]
        noise: Option<String>,
        /// Mean time between failures of each machine (exponential); with --mttr.
        #[arg(long, allow_hyphen_values = true)]
        mtbf: Option<f64>,
        /// Mean time to repair (exponential).
        #[arg(long, allow_hyphen_values = true)]
        mttr: Option<f64>,
        /// What the time to failure counts: busy (processing time), calendar, operating
        /// [default: busy].
        #[arg(long)]
        failure_clock: Option<String>,
        /// Input buffer capacity of each machine (default unlimited).
        #[arg(long)]
        buffer: Option<u32>,
        /// Each job is due at its planned completion plus this fraction of its planned flow
        /// time [default: 0; for a scenario, its orders' own due dates].
        #[arg(long, allow_hyphen_values = true)]
        due_slack: Option<f64>,
        /// Replications (every policy runs each on the same disturbances).
        #[arg(long, default_value_t = 200)]
        replications: u64,
        /// Master seed [default: 1; for a scenario, its own].
        #[arg(long)]
        seed: Option<u64>,
        #[command(flatten)]
        options: SchedOptions,
        /// Print `linetwin.sched-robust/1` JSON.
        #[arg(long)]
        json: bool,
    },
    /// Draw a schedule as an SVG Gantt chart.
    Gantt {
        /// A bundled instance name or an instance file.
        instance: String,
        /// The schedule, CSV or JSON.
        schedule: PathBuf,
        #[command(flatten)]
        options: SchedOptions,
        /// The SVG file to write.
        #[arg(long)]
        svg: PathBuf,
    },
}

#[derive(Args)]
struct SchedOptions {
    /// Format of instance files: auto, jobshop, orlib, flowshop, fjsp, taillard-js, taillard-fs
    /// (orlib and Taillard files hold several instances: FILE#k picks the k-th).
    #[arg(long, default_value = "auto")]
    format: String,
    /// Machine assignment of flexible operations: earliest-finish or least-loaded.
    #[arg(long, default_value = "earliest-finish")]
    assignment: String,
}

/// The settings of an experiment that the command line may override.
#[derive(Args)]
struct ExperimentArgs {
    /// Replications per design point (overrides `experiment.replications`).
    #[arg(long)]
    replications: Option<u64>,
    /// Master seed (overrides `experiment.seed` and `scenario.seed`).
    #[arg(long)]
    seed: Option<u64>,
    /// End of every run in model time units (overrides `experiment.horizon`
    /// and `scenario.horizon`).
    #[arg(long, allow_negative_numbers = true)]
    horizon: Option<f64>,
    /// End of every warm-up (overrides `experiment.warmup` and `scenario.warmup`).
    #[arg(long, allow_negative_numbers = true)]
    warmup: Option<f64>,
    /// Worker threads (default: one per core). Results do not depend on it.
    #[arg(long)]
    threads: Option<usize>,
}

impl ExperimentArgs {
    /// The checked options, and the thread count.
    fn options(&self, allow_outside: bool) -> Result<(ExperimentOptions, Option<usize>), Failure> {
        if let Some(t) = self.threads.filter(|t| !(1..=MAX_THREADS).contains(t)) {
            return Err(bad_flag(
                "--threads",
                format!("must be an integer from 1 to {MAX_THREADS}, got {t}"),
            ));
        }
        if let Some(n) = self
            .replications
            .filter(|n| !(1..=MAX_REPLICATIONS).contains(n))
        {
            return Err(bad_flag(
                "--replications",
                format!("must be an integer from 1 to {MAX_REPLICATIONS}, got {n}"),
            ));
        }
        let options = ExperimentOptions {
            replications: self.replications,
            seed: self.seed,
            horizon: self.horizon,
            warmup: self.warmup,
            allow_outside,
        };
        Ok((options, self.threads))
    }
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
        Err(Failure::InvalidSched(e)) => {
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
    /// Bad scheduling input or an infeasible schedule: exit code 2.
    InvalidSched(SchedError),
    /// Stopped by Ctrl-C.
    Interrupted(String),
    /// Anything else: exit code 1.
    Other(String),
}

impl From<SchedError> for Failure {
    fn from(e: SchedError) -> Self {
        match e {
            SchedError::Io { .. } | SchedError::Run(_) => Self::Other(e.to_string()),
            SchedError::Interrupted => Self::Interrupted(e.to_string()),
            other => Self::InvalidSched(other),
        }
    }
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
            csv,
            overrides,
            replication,
        } => {
            let scenario = Scenario::from_path(&file)?;
            for warning in &scenario.warnings {
                eprintln!("warning: {}: {warning}", file.display());
            }
            let kpis = scenario.run(&Overrides {
                seed: overrides.seed,
                horizon: overrides.horizon,
                warmup: overrides.warmup,
                replication,
            })?;
            Ok(if json {
                report::to_json(&kpis)
            } else if csv {
                export::run_csv(&serde_json::to_value(&kpis).unwrap_or_default())
            } else {
                report::to_table(&kpis)
            })
        }
        Command::Experiment {
            file,
            json,
            csv,
            settings,
            allow_outside,
        } => {
            let (options, threads) = settings.options(allow_outside)?;
            let scenario = Scenario::from_path(&file)?;
            for warning in &scenario.warnings {
                eprintln!("warning: {}: {warning}", file.display());
            }
            let experiment = Experiment::new(&scenario, &options)?;
            let result = run_experiment(&experiment, threads)?;
            Ok(if json {
                result.to_json()
            } else if csv {
                let document = serde_json::from_str(&result.to_json()).unwrap_or_default();
                export::experiment_csv(&document)
            } else {
                result.to_table()
            })
        }
        Command::Validate {
            file,
            allow_outside,
        } => {
            let scenario = Scenario::from_path(&file)?;
            let options = ExperimentOptions {
                allow_outside,
                ..ExperimentOptions::default()
            };
            // Not every design point: each factor value once (see `check`).
            let size = Experiment::check(&scenario, &options)?;
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
            if size.design_points > 1 {
                out.push_str(&format!(
                    "experiment: {} × {}\n",
                    count(size.design_points as usize, "design point"),
                    count(size.replications as usize, "replication")
                ));
            }
            for warning in &scenario.warnings {
                out.push_str(&format!("warning: {warning}\n"));
            }
            Ok(out)
        }
        Command::PdmDataset {
            file,
            units,
            out,
            station,
            mode,
            every,
            seed,
        } => {
            let scenario = Scenario::from_path(&file)?;
            let dataset = Dataset::new(
                &scenario,
                &Request {
                    station: station.as_deref(),
                    mode: mode.as_deref(),
                    units,
                    every,
                    seed,
                },
            )?;
            dataset.write(&out).map_err(|e| match e {
                e @ ScenarioError::Io { .. } => Failure::Other(e.to_string()),
                e => Failure::Invalid(e),
            })?;
            let failures = dataset.rows.iter().filter(|r| r.rul == 0.0);
            let (lives, n) = failures.fold((0.0, 0u32), |(sum, n), r| (sum + r.age, n + 1));
            Ok(format!(
                "{}: {} readings of {} of {}/{} run to failure, mean life {:.6}\n",
                out.display(),
                dataset.rows.len(),
                count(n as usize, "unit"),
                dataset.station,
                dataset.mode,
                lives / f64::from(n),
            ))
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
        Command::Assess {
            baseline,
            improved,
            variant,
            json,
            csv,
            md,
            lang,
            settings,
        } => {
            let (options, threads) = settings.options(false)?;
            let base = Scenario::from_path(&baseline)?;
            let better = improved.as_ref().map(Scenario::from_path).transpose()?;
            let files = [
                (Some(&baseline), Some(&base)),
                (improved.as_ref(), better.as_ref()),
            ];
            for (file, scenario) in files {
                if let (Some(file), Some(scenario)) = (file, scenario) {
                    for warning in &scenario.warnings {
                        eprintln!("warning: {}: {warning}", file.display());
                    }
                }
            }
            let improved = match (&better, &variant) {
                (Some(scenario), _) => Improved::Scenario(scenario),
                (None, Some(name)) => Improved::Variant(name),
                (None, None) => {
                    return Err(bad_flag(
                        "IMPROVED",
                        "give the improved scenario file or `--variant NAME`".into(),
                    ));
                }
            };
            let experiment = Assessment::experiment(&base, improved, &options)?;
            let result = run_experiment(&experiment, threads)?;
            let report = Assessment::from_result(
                &experiment,
                &result,
                &base.file.scenario.name,
                &improved.name(),
            );
            Ok(if json {
                report.to_json()
            } else if csv {
                report.to_csv()
            } else if md {
                report.to_markdown(if lang == "zh" { Lang::Zh } else { Lang::En })
            } else {
                report.to_table()
            })
        }
        Command::Kpis { lang, json, schema } => {
            let catalogue = Catalogue::bundled();
            Ok(match (schema.as_deref(), json) {
                (Some("experiment"), _) => catalogue::EXPERIMENT_SCHEMA.to_owned(),
                (Some(_), _) => catalogue::RUN_SCHEMA.to_owned(),
                (None, true) => catalogue.to_json(),
                (None, false) => catalogue.to_text(if lang == "zh" { Lang::Zh } else { Lang::En }),
            })
        }
        Command::Sched { command } => execute_sched(command),
    }
}

fn bad_name(message: String) -> Failure {
    Failure::InvalidSched(SchedError::BadName(message))
}

fn parse_schemes(text: &str) -> Result<Vec<Scheme>, Failure> {
    if text.trim().eq_ignore_ascii_case("both") {
        return Ok(vec![Scheme::Active, Scheme::NonDelay]);
    }
    text.parse::<Scheme>()
        .map(|s| vec![s])
        .map_err(|e| bad_name(format!("--scheme: {e}, or both")))
}

fn parse_options(options: &SchedOptions) -> Result<(InstanceFormat, Assignment), Failure> {
    let format = options.format.parse::<InstanceFormat>()?;
    let assignment = options
        .assignment
        .parse::<Assignment>()
        .map_err(|e| bad_name(format!("--assignment: {e}")))?;
    Ok((format, assignment))
}

fn write_file(path: &std::path::Path, text: &str) -> Result<(), Failure> {
    std::fs::write(path, text)
        .map_err(|e| Failure::Other(format!("cannot write {}: {e}", path.display())))
}

fn execute_sched(command: SchedCommand) -> Result<String, Failure> {
    match command {
        SchedCommand::Bench {
            instances,
            rules,
            scheme,
            options,
            json,
            csv,
        } => {
            let (format, assignment) = parse_options(&options)?;
            let schemes = parse_schemes(&scheme)?;
            let mut loaded = Vec::new();
            for item in instances
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
            {
                if std::path::Path::new(item).is_file() {
                    loaded.push(load_instance(item, format)?);
                } else {
                    for file in
                        scenarios::scheduling::library::resolve(item).map_err(SchedError::from)?
                    {
                        loaded.push(load_instance(file.name, format)?);
                    }
                }
            }
            if loaded.is_empty() {
                return Err(bad_name("--instances: no instances given".into()));
            }
            let mut schedulers = Vec::new();
            for name in rules.split(',').map(str::trim).filter(|s| !s.is_empty()) {
                if name.eq_ignore_ascii_case("neh") {
                    schedulers.push(BenchScheduler::built_in(name, Scheme::Active, assignment)?);
                    continue;
                }
                for &s in &schemes {
                    schedulers.push(BenchScheduler::built_in(name, s, assignment)?);
                }
            }
            if schedulers.is_empty() {
                return Err(bad_name("--rules: no schedulers given".into()));
            }
            let report = bench::run(&loaded, &mut schedulers)?;
            Ok(if json {
                report.to_json()
            } else if csv {
                report.to_csv()
            } else {
                report.to_table()
            })
        }
        SchedCommand::Solve {
            instance,
            rule,
            scheme,
            options,
            out,
        } => {
            let (format, assignment) = parse_options(&options)?;
            let scheme = scheme
                .parse::<Scheme>()
                .map_err(|e| bad_name(format!("--scheme: {e}")))?;
            let (instance, bounds) = load_instance(&instance, format)?;
            let mut scheduler = BenchScheduler::built_in(&rule, scheme, assignment)?;
            let (schedule, makespan) = scenarios::scheduling::solve(&instance, &mut scheduler)?;
            let mut evaluator = Evaluator::new(&instance);
            let _ = evaluator.evaluate(&schedule);
            let times = evaluator.times_by_machine(&schedule);
            let Some(out) = out else {
                return Ok(schedule.to_csv(Some(&times)));
            };
            let text = if out
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("json"))
            {
                schedule.to_json(Some(&times))
            } else {
                schedule.to_csv(Some(&times))
            };
            write_file(&out, &text)?;
            let best = bounds
                .and_then(|b| b.best_known())
                .map(|b| format!(" (best known {b})"))
                .unwrap_or_default();
            Ok(format!(
                "{}: {} makespan {makespan}{best}; wrote {}\n",
                instance.name(),
                scheduler.scheme.map_or(scheduler.name.clone(), |s| format!(
                    "{} {s}",
                    scheduler.name
                )),
                out.display()
            ))
        }
        SchedCommand::Eval {
            instance,
            schedule,
            options,
            json,
        } => {
            let (format, _) = parse_options(&options)?;
            let (instance, bounds) = load_instance(&instance, format)?;
            let file = load_schedule(&schedule)?;
            let Timing {
                makespan, given, ..
            } = timing(&instance, &file, &schedule)?;
            let best = bounds.and_then(|b| b.best_known());
            let gap = best
                .filter(|&b| b > 0)
                .map(|b| (10_000.0 * (makespan as f64 - b as f64) / b as f64).round() / 100.0);
            let times = if given {
                "given start times"
            } else {
                "semi-active"
            };
            if json {
                let value = serde_json::json!({
                    "instance": instance.name(),
                    "feasible": true,
                    "makespan": makespan,
                    "times": times,
                    "best_known": best,
                    "optimal": bounds.is_some_and(|b| b.optimal),
                    "gap_pct": gap,
                });
                let mut text = serde_json::to_string_pretty(&value).unwrap_or_default();
                text.push('\n');
                return Ok(text);
            }
            let versus = match (best, gap) {
                (Some(b), Some(g)) => format!(" (best known {b}, gap {g:.2}%)"),
                _ => String::new(),
            };
            Ok(format!(
                "{}: feasible, makespan {makespan}{versus} ({times})\n",
                instance.name()
            ))
        }
        SchedCommand::Robust {
            instance,
            schedule,
            scheduler,
            planned,
            save_plan,
            policy,
            rule,
            reschedule_rule,
            period,
            on_failure,
            noise_cv,
            noise,
            mtbf,
            mttr,
            failure_clock,
            buffer,
            due_slack,
            replications,
            seed,
            options,
            json,
        } => {
            let mut args = robust::RobustArgs {
                policies: policy,
                dispatch_rule: rule,
                reschedule_rule,
                period,
                on_failure,
                noise: noise.clone().unwrap_or_else(|| "lognormal".into()),
                noise_cv: noise_cv.unwrap_or(0.2),
                mtbf,
                mttr,
                failure_clock: failure_clock.clone().unwrap_or_else(|| "busy".into()),
                buffer,
                due_slack,
                replications,
                seed: seed.unwrap_or(1),
                users: Vec::new(),
                python_names: false,
                book: None,
                stop: None,
            };
            if instance.to_ascii_lowercase().ends_with(".toml") {
                // Flags of an instance's twin have no meaning for a scenario.
                let given = [
                    ("--noise-cv", noise_cv.is_some()),
                    ("--noise", noise.is_some()),
                    ("--mtbf", mtbf.is_some()),
                    ("--mttr", mttr.is_some()),
                    ("--failure-clock", failure_clock.is_some()),
                    ("--buffer", buffer.is_some()),
                    ("--format", options.format != "auto"),
                    ("--assignment", options.assignment != "earliest-finish"),
                ];
                if let Some((flag, _)) = given.iter().find(|(_, g)| *g) {
                    return Err(bad_name(format!(
                        "{flag}: a scenario's disturbances are its own distributions, failures \
                         and scrap; {flag} applies to an instance's twin"
                    )));
                }
                let scenario = Scenario::from_path(&instance)?;
                let line = scenario.line();
                args.seed = match seed {
                    Some(seed) => seed,
                    None => scenario.options(&Overrides::default())?.seed,
                };
                let source = match schedule {
                    Some(path) => book::PlanSource::File {
                        origin: path.display().to_string(),
                        text: book::read_plan_file(&path)?,
                    },
                    None => book::PlanSource::Rule(scheduler),
                };
                let (report, plan) = book::plan_and_run(
                    line,
                    &source,
                    &planned,
                    &mut args,
                    ("--planned", "--scheduler"),
                )?;
                if let Some(path) = save_plan {
                    write_file(&path, &book::write_plan(line, &plan))?;
                }
                return Ok(if json {
                    robust::to_json(&report, &args)
                } else {
                    robust::to_table(&report, &args)
                });
            }
            if !planned.is_empty() || save_plan.is_some() {
                return Err(bad_name(
                    "--planned and --save-plan apply to a scenario's order book; an instance's \
                     schedule plans every machine (write it with `sched solve`)"
                        .into(),
                ));
            }
            let (format, assignment) = parse_options(&options)?;
            let (instance, _) = load_instance(&instance, format)?;
            let plan = match (schedule, scheduler) {
                (Some(path), _) => {
                    let file = load_schedule(&path)?;
                    timing(&instance, &file, &path)?;
                    file.schedule
                }
                (None, Some(name)) => {
                    let mut scheduler =
                        BenchScheduler::built_in(&name, Scheme::Active, assignment)?;
                    scenarios::scheduling::solve(&instance, &mut scheduler)?.0
                }
                (None, None) => {
                    return Err(bad_name(
                        "give the schedule to execute: --schedule FILE or --scheduler NAME".into(),
                    ));
                }
            };
            let report = robust::run(&instance, &plan, &args)?;
            Ok(if json {
                robust::to_json(&report, &args)
            } else {
                robust::to_table(&report, &args)
            })
        }
        SchedCommand::Gantt {
            instance,
            schedule,
            options,
            svg,
        } => {
            let (format, _) = parse_options(&options)?;
            let (instance, _) = load_instance(&instance, format)?;
            let file = load_schedule(&schedule)?;
            let Timing {
                times, makespan, ..
            } = timing(&instance, &file, &schedule)?;
            write_file(&svg, &gantt::svg(&instance, &file.schedule, &times))?;
            Ok(format!(
                "{}: makespan {makespan}; wrote {}\n",
                instance.name(),
                svg.display()
            ))
        }
    }
}
