//! The scheduler benchmark harness over files and the bundled library: loading instances and
//! schedules, running schedulers on many instances, and rendering tables, JSON, CSV and Gantt
//! charts (what `linetwin sched` prints).
//!
//! The algorithms are twin-models' (`twin_models::scheduling`); this layer adds files, names
//! and output formats.

pub mod bench;
pub mod book;
pub mod gantt;
pub mod library;
pub mod robust;

use std::path::Path;
use std::str::FromStr;

use twin_models::scheduling::{
    Assignment, Dispatcher, Evaluator, Instance, Neh, ParseError, Rule, Schedule, ScheduleFile,
    ScheduleFormatError, Scheduler, SchedulerError, Scheme, Violation, check,
    parse_flexible_job_shop, parse_flow_shop, parse_job_shop, parse_or_library,
    parse_taillard_flow_shops, parse_taillard_job_shops,
};

use self::library::{Bounds, LookupError};

/// Everything that can go wrong in the harness; each message names the file, line or name.
#[derive(Debug, thiserror::Error)]
pub enum SchedError {
    /// An instance name or list not in the library.
    #[error(transparent)]
    Lookup(#[from] LookupError),
    /// An instance text that does not parse.
    #[error("{origin}: {error}")]
    Parse {
        /// The file or library name.
        origin: String,
        /// The first problem.
        error: ParseError,
    },
    /// A schedule text that does not parse.
    #[error("{origin}: {error}")]
    ScheduleFormat {
        /// The file.
        origin: String,
        /// The first problem.
        error: ScheduleFormatError,
    },
    /// A file that cannot be read or written.
    #[error("{path}: {message}")]
    Io {
        /// The file.
        path: String,
        /// The operating system's message.
        message: String,
    },
    /// A scheduler, rule, scheme, format or assignment name that does not exist.
    #[error("{0}")]
    BadName(String),
    /// A scheduler that cannot schedule an instance.
    #[error("{instance}: {error}")]
    Scheduler {
        /// The instance.
        instance: String,
        /// Why.
        error: SchedulerError,
    },
    /// A simulation that could not finish (e.g. a replication whose orders were still open at
    /// its horizon): not bad input, a failure of the run.
    #[error("{0}")]
    Run(String),
    /// Stopped on request (Ctrl-C).
    #[error("interrupted")]
    Interrupted,
    /// An infeasible schedule: every violation found, in one line.
    #[error("{origin}: the schedule is infeasible: {}", join(.violations))]
    Infeasible {
        /// The schedule's file, or the scheduler that built it.
        origin: String,
        /// What is violated.
        violations: Vec<Violation>,
    },
}

fn join(violations: &[Violation]) -> String {
    let shown: Vec<String> = violations.iter().take(5).map(ToString::to_string).collect();
    let more = violations.len().saturating_sub(shown.len());
    let mut text = shown.join("; ");
    if more > 0 {
        text.push_str(&format!("; and {more} more"));
    }
    text
}

/// Rows of cells as a text table: columns as wide as their widest cell, the
/// first `left` columns left-aligned and the others right-aligned, two spaces
/// apart, one line per row without trailing spaces.
pub(crate) fn align(rows: &[Vec<String>], left: usize) -> String {
    let columns = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..columns)
        .map(|i| {
            rows.iter()
                .filter_map(|r| r.get(i))
                .map(|c| c.chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    for row in rows {
        let cells: Vec<String> = row
            .iter()
            .zip(&widths)
            .enumerate()
            .map(|(i, (cell, &w))| {
                let pad = " ".repeat(w - cell.chars().count());
                if i < left {
                    format!("{cell}{pad}")
                } else {
                    format!("{pad}{cell}")
                }
            })
            .collect();
        out.push_str(cells.join("  ").trim_end());
        out.push('\n');
    }
    out
}

/// The format of an instance file.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum InstanceFormat {
    /// Guess: Taillard's original files by their `Times` / `processing times` labels, the
    /// flexible format by a header line of three numbers, else the job-shop text format.
    #[default]
    Auto,
    /// The job-shop text / OR-Library format ([`parse_job_shop`]).
    JobShop,
    /// A flow shop in the job-shop text format ([`parse_flow_shop`]).
    FlowShop,
    /// Brandimarte / Hurink ([`parse_flexible_job_shop`]).
    Flexible,
    /// A multi-instance OR-Library job-shop file ([`parse_or_library`]); the first instance
    /// unless `#k` follows the path.
    OrLibrary,
    /// Taillard's original job-shop file; the first instance unless `#k` follows the path.
    TaillardJobShop,
    /// Taillard's original flow-shop file; the first instance unless `#k` follows the path.
    TaillardFlowShop,
}

impl FromStr for InstanceFormat {
    type Err = SchedError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s.trim().to_ascii_lowercase().as_str() {
            "auto" => Self::Auto,
            "jobshop" | "job-shop" | "text" => Self::JobShop,
            "orlib" | "or-library" => Self::OrLibrary,
            "flowshop" | "flow-shop" => Self::FlowShop,
            "fjsp" | "flexible" => Self::Flexible,
            "taillard-js" | "taillard-jobshop" => Self::TaillardJobShop,
            "taillard-fs" | "taillard-flowshop" => Self::TaillardFlowShop,
            _ => {
                return Err(SchedError::BadName(format!(
                    "unknown instance format `{s}`: expected auto, jobshop, orlib, flowshop, fjsp, taillard-js or taillard-fs"
                )));
            }
        })
    }
}

/// Reads instance `index` (0-based; Taillard files hold several) of `text` in `format`.
///
/// # Errors
///
/// [`ParseError`] naming the line and the token.
pub fn read_instance(
    text: &str,
    format: InstanceFormat,
    index: usize,
) -> Result<Instance, ParseError> {
    let format = match format {
        InstanceFormat::Auto => guess_format(text),
        other => other,
    };
    let pick = |all: Vec<Instance>| {
        let count = all.len();
        all.into_iter().nth(index).ok_or(ParseError::Invalid {
            line: 0,
            token: format!("#{}", index + 1),
            message: format!("the file holds {count} instances"),
        })
    };
    match format {
        InstanceFormat::Auto | InstanceFormat::JobShop => parse_job_shop(text),
        InstanceFormat::FlowShop => parse_flow_shop(text),
        InstanceFormat::Flexible => parse_flexible_job_shop(text),
        InstanceFormat::OrLibrary => pick(parse_or_library(text)?),
        InstanceFormat::TaillardJobShop => pick(
            parse_taillard_job_shops(text)?
                .into_iter()
                .map(|t| t.instance)
                .collect(),
        ),
        InstanceFormat::TaillardFlowShop => pick(
            parse_taillard_flow_shops(text)?
                .into_iter()
                .map(|t| t.instance)
                .collect(),
        ),
    }
}

fn guess_format(text: &str) -> InstanceFormat {
    let words = |line: &str| line.split('#').next().unwrap_or("").to_owned();
    let lines: Vec<String> = text.lines().map(words).collect();
    if lines.iter().any(|l| l.trim().eq_ignore_ascii_case("times")) {
        return InstanceFormat::TaillardJobShop;
    }
    if lines
        .iter()
        .any(|l| l.to_ascii_lowercase().contains("processing times"))
    {
        return InstanceFormat::TaillardFlowShop;
    }
    let header = lines.iter().find(|l| {
        l.split_whitespace()
            .next()
            .is_some_and(|t| t.parse::<u64>().is_ok())
    });
    match header.map(|l| l.split_whitespace().count()) {
        Some(3) => InstanceFormat::Flexible,
        _ => InstanceFormat::JobShop,
    }
}

/// An instance by library name or file path: a path that exists is read in `format`
/// (`path#k` picks the k-th instance of a Taillard file, 1-based); anything else is looked up
/// in the library. Returns the instance (named after the file stem or the library name) and
/// its bounds, if known.
///
/// # Errors
///
/// [`SchedError`]: unknown name, unreadable file, parse error.
pub fn load_instance(
    arg: &str,
    format: InstanceFormat,
) -> Result<(Instance, Option<Bounds>), SchedError> {
    let (path_part, index) = match arg.rsplit_once('#') {
        Some((p, k)) if k.parse::<usize>().is_ok_and(|k| k >= 1) && Path::new(p).is_file() => {
            (p, k.parse::<usize>().unwrap_or(1) - 1)
        }
        _ => (arg, 0),
    };
    let path = Path::new(path_part);
    if path.is_file() {
        let text = read_text(path, "an instance file")?;
        let name = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or("instance")
            .to_owned();
        let instance = read_instance(&text, format, index)
            .map_err(|error| SchedError::Parse {
                origin: path.display().to_string(),
                error,
            })?
            .with_name(name.clone());
        return Ok((instance, library::bounds(&name)));
    }
    let file = library::find(arg).ok_or_else(|| match library::resolve(arg) {
        Err(e) => SchedError::Lookup(e),
        Ok(_) => SchedError::BadName(format!("`{arg}` names several instances; give one")),
    })?;
    let instance = file.instance().map_err(|error| SchedError::Parse {
        origin: file.name.to_owned(),
        error,
    })?;
    Ok((instance, file.bounds()))
}

/// The largest instance, schedule or plan file read (bytes).
pub const MAX_SCHED_FILE: u64 = 64 << 20;

/// The text of the regular file `path` (`what` names its kind in errors), at
/// most [`MAX_SCHED_FILE`] bytes: a device, pipe or directory is refused, and
/// nothing is read past the limit.
pub(crate) fn read_text(path: &Path, what: &str) -> Result<String, SchedError> {
    let io = |message: String| SchedError::Io {
        path: path.display().to_string(),
        message,
    };
    let bytes = crate::validate::read_capped(path, MAX_SCHED_FILE, what).map_err(|e| {
        io(match e {
            crate::validate::ReadError::Io(e) => e.to_string(),
            crate::validate::ReadError::Refused(m) => m,
        })
    })?;
    String::from_utf8(bytes).map_err(|_| io("stream did not contain valid UTF-8".to_owned()))
}

/// Reads a schedule file: JSON if the name ends in `.json`, else CSV.
///
/// # Errors
///
/// [`SchedError::Io`] or [`SchedError::ScheduleFormat`] naming the file and the line.
pub fn load_schedule(path: &Path) -> Result<ScheduleFile, SchedError> {
    let text = read_text(path, "a schedule file")?;
    let parsed = if path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"))
    {
        Schedule::from_json(&text)
    } else {
        Schedule::from_csv(&text)
    };
    parsed.map_err(|error| SchedError::ScheduleFormat {
        origin: path.display().to_string(),
        error,
    })
}

/// A scheduler the harness runs, with the labels it reports.
pub struct BenchScheduler {
    /// The name reported (`spt`, `neh`, a user's name).
    pub name: String,
    /// The generation scheme, for dispatching rules.
    pub scheme: Option<Scheme>,
    /// The scheduler.
    pub scheduler: Box<dyn Scheduler + Send>,
    /// Whether building a schedule is cheap and repeatable, so that the harness may repeat it
    /// to time it precisely (true for the built-in schedulers).
    pub repeatable: bool,
}

impl BenchScheduler {
    /// A built-in scheduler by name: a [`Rule`] (`spt`, …, `random:SEED`) in `scheme` with
    /// `assignment`, or `neh` (which ignores both).
    ///
    /// # Errors
    ///
    /// [`SchedError::BadName`] for an unknown name.
    pub fn built_in(
        name: &str,
        scheme: Scheme,
        assignment: Assignment,
    ) -> Result<Self, SchedError> {
        if name.trim().eq_ignore_ascii_case("neh") {
            return Ok(Self {
                name: "neh".into(),
                scheme: None,
                scheduler: Box::new(Neh),
                repeatable: true,
            });
        }
        let rule: Rule = name
            .parse()
            .map_err(|e: twin_models::scheduling::UnknownRule| {
                SchedError::BadName(format!("{e}, or neh"))
            })?;
        let dispatcher = Dispatcher::new(rule, scheme).with_assignment(assignment);
        Ok(Self {
            name: dispatcher.name(),
            scheme: Some(scheme),
            scheduler: Box::new(dispatcher),
            repeatable: true,
        })
    }
}

/// Builds a schedule of `instance` with `scheduler`, checks it and returns it with its
/// makespan.
///
/// # Errors
///
/// [`SchedError::Scheduler`] if it does not apply; [`SchedError::Infeasible`] if what it
/// returned violates the instance.
pub fn solve(
    instance: &Instance,
    scheduler: &mut BenchScheduler,
) -> Result<(Schedule, u64), SchedError> {
    let schedule =
        scheduler
            .scheduler
            .schedule(instance)
            .map_err(|error| SchedError::Scheduler {
                instance: instance.name().to_owned(),
                error,
            })?;
    let makespan =
        Evaluator::new(instance)
            .evaluate(&schedule)
            .map_err(|v| SchedError::Infeasible {
                origin: format!("{} on {}", scheduler.name, instance.name()),
                violations: vec![v],
            })?;
    Ok((schedule, makespan))
}

/// The times of a checked schedule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Timing {
    /// `(start, end)` per machine and position.
    pub times: Vec<Vec<(u64, u64)>>,
    /// The makespan.
    pub makespan: u64,
    /// Whether the times are the file's own (checked) rather than the semi-active schedule.
    pub given: bool,
}

/// The times of `file`'s schedule: its own start times if it has them, checked against the
/// instance; else the semi-active schedule of its sequences.
///
/// # Errors
///
/// [`SchedError::Infeasible`] naming `origin` and every violation found.
pub fn timing(
    instance: &Instance,
    file: &ScheduleFile,
    origin: &Path,
) -> Result<Timing, SchedError> {
    let infeasible = |violations| SchedError::Infeasible {
        origin: origin.display().to_string(),
        violations,
    };
    match &file.times {
        Some(times) => {
            let makespan = check(instance, &file.schedule, times).map_err(infeasible)?;
            let by_machine = file
                .schedule
                .machines
                .iter()
                .zip(&times.start)
                .enumerate()
                .map(|(k, (sequence, starts))| {
                    sequence
                        .iter()
                        .zip(starts)
                        .map(|(o, &s)| {
                            let op = instance.operation_id(o.job, o.operation).unwrap_or(0);
                            (s, s + instance.time_on(op, k).unwrap_or(0))
                        })
                        .collect()
                })
                .collect();
            Ok(Timing {
                times: by_machine,
                makespan,
                given: true,
            })
        }
        None => {
            let mut evaluator = Evaluator::new(instance);
            let makespan = evaluator
                .evaluate(&file.schedule)
                .map_err(|v| infeasible(vec![v]))?;
            Ok(Timing {
                times: evaluator.times_by_machine(&file.schedule),
                makespan,
                given: false,
            })
        }
    }
}
