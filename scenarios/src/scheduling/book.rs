//! `linetwin sched robust SCENARIO.toml`: a line's order book planned at some
//! stations (a plan file, or recorded under a rule at nominal times), executed
//! under the scenario's own disturbances; plans read and written as CSV.

use std::collections::HashMap;
use std::path::Path;

use twin_models::scheduling::{Dues, RobustOptions, Robustness};
use twin_models::scheduling::{line_robustness, record_plan};
use twin_models::{DispatchRule, LineSpec, PlannedOp};

use super::SchedError;
use super::robust::{BookContext, RobustArgs, run_error};

/// A plan file's text, at most [`MAX_SCHED_FILE`](super::MAX_SCHED_FILE)
/// bytes of a regular file.
///
/// # Errors
///
/// [`SchedError::Io`] naming the file.
pub fn read_plan_file(path: &Path) -> Result<String, SchedError> {
    super::read_text(path, "a plan file")
}

/// The header of a plan file: one row per planned operation, each station's
/// rows in its sequence.
pub const PLAN_CSV_HEADER: &str = "station,order,step";

/// Where an order book's plan comes from.
#[derive(Clone, Debug, PartialEq)]
pub enum PlanSource {
    /// A plan file's text (`station,order[,step]` rows), with its name for errors.
    File {
        /// The file's name.
        origin: String,
        /// Its text.
        text: String,
    },
    /// Recorded at nominal times under this dispatching rule at the planned
    /// stations (`None`: their own rules).
    Rule(Option<String>),
}

/// The plan of an order book, with the names of the stations that keep it.
#[derive(Clone, Debug, PartialEq)]
pub struct BookPlan {
    /// Per station, its sequence (`None`: it dispatches by its rule).
    pub sequences: Vec<Option<Vec<PlannedOp>>>,
    /// Where it came from, for reports: `file plan.csv`, `recorded under campaign`.
    pub origin: String,
}

impl BookPlan {
    /// The names of the planned stations.
    pub fn stations<'a>(&self, line: &'a LineSpec) -> Vec<&'a str> {
        self.sequences
            .iter()
            .zip(&line.stations)
            .filter(|(s, _)| s.is_some())
            .map(|(_, st)| st.name.as_str())
            .collect()
    }

    /// What a report says about it.
    pub fn context(&self, line: &LineSpec) -> BookContext {
        BookContext {
            plan: self.origin.clone(),
            stations: self
                .stations(line)
                .iter()
                .map(|s| (*s).to_owned())
                .collect(),
        }
    }
}

/// The stations that keep the plan: those named (comma-separated names in
/// `names`), or by default those with setups (where the sequence matters).
fn planned_stations(
    line: &LineSpec,
    names: &[String],
    flag: &str,
) -> Result<Vec<usize>, SchedError> {
    if names.is_empty() {
        let with_setups: Vec<usize> = (0..line.stations.len())
            .filter(|&s| line.stations[s].setup.is_some())
            .collect();
        if with_setups.is_empty() {
            return Err(SchedError::BadName(format!(
                "{flag}: line `{}` has no station with setups to plan by default; name the \
                 stations that keep the plan",
                line.name
            )));
        }
        return Ok(with_setups);
    }
    names
        .iter()
        .map(|name| {
            line.stations
                .iter()
                .position(|s| s.name == *name)
                .ok_or_else(|| {
                    SchedError::BadName(format!(
                        "{flag}: line `{}` has no station `{name}`{}",
                        line.name,
                        known(line)
                    ))
                })
        })
        .collect()
}

/// ` (stations: a, b, c, ...)`, at most eight names.
fn known(line: &LineSpec) -> String {
    let names: Vec<&str> = line
        .stations
        .iter()
        .take(8)
        .map(|s| s.name.as_str())
        .collect();
    let more = if line.stations.len() > 8 { ", ..." } else { "" };
    format!(" (stations: {}{more})", names.join(", "))
}

/// Reads a plan file: a header `station,order[,step]`, then per planned
/// operation the station's name, the order's id and, where an order visits
/// the station more than once, the route step (from 0); each station's rows in
/// its sequence. Stations without rows dispatch by their rules.
///
/// # Errors
///
/// [`SchedError::BadName`] naming the file, the line and the value: an
/// unknown station or order, a missing or ambiguous step, a malformed row.
pub fn read_plan(line: &LineSpec, origin: &str, text: &str) -> Result<BookPlan, SchedError> {
    let bad =
        |row: usize, message: String| SchedError::BadName(format!("{origin}:{row}: {message}"));
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .flexible(true)
        .from_reader(text.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| bad(1, e.to_string()))?
        .iter()
        .map(str::to_owned)
        .collect();
    let column = |name: &str| header.iter().position(|h| h == name);
    let (Some(station_col), Some(order_col)) = (column("station"), column("order")) else {
        return Err(bad(
            1,
            format!(
                "the header must name the columns station and order (and optionally step), \
                 got `{}`",
                header.join(",")
            ),
        ));
    };
    let step_col = column("step");
    let orders: HashMap<&str, usize> = line
        .orders
        .iter()
        .enumerate()
        .map(|(i, o)| (o.id.as_str(), i))
        .collect();
    let mut sequences: Vec<Option<Vec<PlannedOp>>> = vec![None; line.stations.len()];
    for (k, record) in reader.records().enumerate() {
        let row = k + 2;
        let record = record.map_err(|e| bad(row, e.to_string()))?;
        let cell = |i: usize| record.get(i).unwrap_or("");
        let name = cell(station_col);
        let station = line
            .stations
            .iter()
            .position(|s| s.name == name)
            .ok_or_else(|| {
                bad(
                    row,
                    format!("station: unknown station `{name}`{}", known(line)),
                )
            })?;
        let id = cell(order_col);
        let &order = orders
            .get(id)
            .ok_or_else(|| bad(row, format!("order: unknown order `{id}`")))?;
        let route = &line.products[line.orders[order].product].route;
        let visits: Vec<usize> = (0..route.len())
            .filter(|&k| route[k].contains(&station))
            .collect();
        let step = match step_col.map(cell).filter(|s| !s.is_empty()) {
            Some(text) => {
                let step: usize = text
                    .parse()
                    .map_err(|_| bad(row, format!("step: `{text}` is not a step number")))?;
                if !visits.contains(&step) {
                    return Err(bad(
                        row,
                        format!(
                            "step: order `{id}` does not visit station `{name}` at step {step}"
                        ),
                    ));
                }
                step
            }
            None => match visits[..] {
                [step] => step,
                [] => {
                    return Err(bad(
                        row,
                        format!("order `{id}` does not visit station `{name}`"),
                    ));
                }
                _ => {
                    return Err(bad(
                        row,
                        format!(
                            "step: order `{id}` visits station `{name}` at steps {visits:?}: \
                             say which"
                        ),
                    ));
                }
            },
        };
        sequences[station]
            .get_or_insert_with(Vec::new)
            .push(PlannedOp { order, step });
    }
    Ok(BookPlan {
        sequences,
        origin: format!("file {origin}"),
    })
}

/// The plan as a plan file ([`read_plan`] reads it back); names with commas
/// or quotes are quoted as CSV does.
pub fn write_plan(line: &LineSpec, plan: &BookPlan) -> String {
    let mut writer = csv::Writer::from_writer(Vec::new());
    let mut rows: Vec<[String; 3]> = vec![["station".into(), "order".into(), "step".into()]];
    for (station, sequence) in plan.sequences.iter().enumerate() {
        for op in sequence.iter().flatten() {
            rows.push([
                line.stations[station].name.clone(),
                line.orders[op.order].id.clone(),
                op.step.to_string(),
            ]);
        }
    }
    for row in &rows {
        // Writing to memory cannot fail.
        let _ = writer.write_record(row);
    }
    let bytes = writer.into_inner().unwrap_or_default();
    String::from_utf8(bytes).unwrap_or_default()
}

/// The plan `source` gives `line` at the stations named in `planned` (by
/// default those with setups). Errors name the settings `flags` (the planned
/// stations', the rule's) the way the caller spells them.
///
/// # Errors
///
/// [`SchedError::BadName`] for an unknown station, rule or order, or a plan
/// that does not fit the line; [`SchedError::Run`] when the nominal run that
/// records a plan does not finish.
pub fn plan(
    line: &LineSpec,
    source: &PlanSource,
    planned: &[String],
    seed: u64,
    (flag, rule_flag): (&str, &str),
) -> Result<BookPlan, SchedError> {
    match source {
        PlanSource::File { origin, text } => {
            if !planned.is_empty() {
                return Err(SchedError::BadName(format!(
                    "{flag}: a plan file names its stations itself"
                )));
            }
            read_plan(line, origin, text)
        }
        PlanSource::Rule(rule) => {
            let stations = planned_stations(line, planned, flag)?;
            let parsed = rule
                .as_deref()
                .map(|name| {
                    DispatchRule::from_name(name).ok_or_else(|| {
                        SchedError::BadName(format!(
                            "{rule_flag}: unknown dispatching rule `{name}` (known: {})",
                            DispatchRule::NAMES.join(", ")
                        ))
                    })
                })
                .transpose()?;
            let sequences = record_plan(line, &stations, parsed, seed).map_err(run_error)?;
            Ok(BookPlan {
                sequences,
                origin: match rule {
                    Some(rule) => format!("recorded under {rule} at nominal times"),
                    None => "recorded under the stations' rules at nominal times".into(),
                },
            })
        }
    }
}

/// The plan `source` gives at the `planned` stations, executed by [`run`]:
/// the report and the plan, with `args.book` set to describe it. What the
/// command line and Python both do; errors name `flags` as [`plan`] does.
///
/// # Errors
///
/// Those of [`plan`] and [`run`].
pub fn plan_and_run(
    line: &LineSpec,
    source: &PlanSource,
    planned: &[String],
    args: &mut RobustArgs,
    flags: (&str, &str),
) -> Result<(Robustness, BookPlan), SchedError> {
    let plan = plan(line, source, planned, args.seed, flags)?;
    args.book = Some(plan.context(line));
    let report = run(line, &plan, args)?;
    Ok((report, plan))
}

/// Runs the experiment on `line`'s order book planned by `plan`: the
/// policies of `args` (keep, redispatch[:RULE]), with the order book's due
/// dates unless `args.due_slack` is set.
///
/// # Errors
///
/// [`SchedError::BadName`] for a setting that does not apply to a line or is
/// out of range; [`SchedError::Run`] when a replication fails.
pub fn run(line: &LineSpec, plan: &BookPlan, args: &RobustArgs) -> Result<Robustness, SchedError> {
    let policies = args.checked_policies()?;
    let dues = match args.checked_due_slack()? {
        None => Dues::Orders,
        Some(slack) => Dues::Planned { slack },
    };
    let options = RobustOptions {
        replications: args.replications,
        seed: args.seed,
        dues,
        horizon: None,
        stop: args.stop.clone(),
    };
    line_robustness(line, &plan.sequences, &policies, &options).map_err(run_error)
}
