//! A line's order book as a schedule: a plan of its orders at some stations
//! (given, or recorded from a run at nominal times under a rule), executed
//! under the line's own disturbances, kept or re-dispatched, planned against
//! realised.

use sim_core::{Distribution, run_replications};

use super::robust::{Book, Policy, RobustError, RobustOptions, Robustness, Run};
use super::robust::{check_settings, due_dates, summarise};
use crate::engine::{CompiledLine, Execution, Plan, PlannedOp, RunOptions};
use crate::graph::StructureError;
use crate::line::{DispatchRule, LineSpec};

/// `line` at its nominal times: every processing and setup time its mean,
/// no failures, no scrap; what an APS plans with.
pub fn nominal_line(line: &LineSpec) -> LineSpec {
    let mean = |d: &Distribution| Distribution::Constant { value: d.mean() };
    let mut nominal = line.clone();
    for station in &mut nominal.stations {
        for d in station.processing.iter_mut().flatten() {
            *d = mean(d);
        }
        if let Some(setup) = &mut station.setup {
            for (_, _, d) in &mut setup.pairs {
                *d = mean(d);
            }
            if let Some(d) = &mut setup.default {
                *d = mean(d);
            }
        }
        station.failures.clear();
        station.scrap = 0.0;
    }
    for product in &mut nominal.products {
        for d in product.step_processing.iter_mut().flatten() {
            *d = mean(d);
        }
    }
    nominal
}

/// A time by which any plan of `line`'s order book that does not block
/// itself is done at nominal times: the last release plus every operation's
/// and setup's longest mean time, twice over.
fn nominal_bound(line: &LineSpec) -> f64 {
    let last_release = line.orders.iter().map(|o| o.release).fold(0.0, f64::max);
    let mut work = 0.0;
    for order in &line.orders {
        let product = &line.products[order.product];
        for (k, step) in product.route.iter().enumerate() {
            let longest = step
                .iter()
                .map(|&s| {
                    let station = &line.stations[s];
                    let time = product
                        .step_time(k)
                        .or(station.processing[order.product].as_ref())
                        .map_or(0.0, Distribution::mean);
                    let setup = station.setup.as_ref().map_or(0.0, |setup| {
                        setup
                            .pairs
                            .iter()
                            .map(|p| p.2.mean())
                            .chain(setup.default.as_ref().map(Distribution::mean))
                            .fold(0.0, f64::max)
                    });
                    time + setup
                })
                .fold(0.0, f64::max);
            work += f64::from(order.quantity) * longest;
        }
    }
    2.0 * (last_release + work) + 1.0
}

fn compile(line: &LineSpec) -> Result<CompiledLine, RobustError> {
    CompiledLine::new(line).map_err(|e| RobustError::Option {
        field: "line",
        message: e.to_string(),
    })
}

fn sequences_error(e: StructureError) -> RobustError {
    RobustError::Option {
        field: "plan",
        message: e.to_string(),
    }
}

/// `line` with `rule` at every station that `planned` marks.
fn with_rule(line: &LineSpec, planned: &[bool], rule: DispatchRule) -> LineSpec {
    let mut line = line.clone();
    for (station, _) in line.stations.iter_mut().zip(planned).filter(|(_, p)| **p) {
        station.rule = rule;
    }
    line
}

/// The plan an APS working with `rule` (the stations' own rules if `None`)
/// would make at `stations` (indices into the line's stations): the line run
/// once at nominal times ([`nominal_line`]), each of those stations' orders
/// taken in the order their first part started there. The other stations get
/// no plan. Ready for [`CompiledLine::plan_stations`] and [`line_robustness`].
///
/// # Errors
///
/// [`RobustError::Option`] for an unknown station or a line that does not
/// compile; [`RobustError::Plan`] when the nominal run does not finish (e.g.
/// sources that are not order books).
pub fn record_plan(
    line: &LineSpec,
    stations: &[usize],
    rule: Option<DispatchRule>,
    seed: u64,
) -> Result<Vec<Option<Vec<PlannedOp>>>, RobustError> {
    let mut planned = vec![false; line.stations.len()];
    for &s in stations {
        *planned.get_mut(s).ok_or_else(|| RobustError::Option {
            field: "stations",
            message: format!(
                "station index {s}: the line has {} stations",
                line.stations.len()
            ),
        })? = true;
    }
    let mut nominal = nominal_line(line);
    if let Some(rule) = rule {
        nominal = with_rule(&nominal, &planned, rule);
    }
    let compiled = compile(&nominal)?;
    let run = compiled
        .execute(
            &RunOptions {
                seed,
                replication: 0,
                horizon: nominal_bound(line),
                warmup: 0.0,
            },
            &Execution::default(),
        )
        .map_err(|error| RobustError::Plan { error })?;
    let mut sequences: Vec<Option<Vec<(f64, usize, PlannedOp)>>> =
        planned.iter().map(|&p| p.then(Vec::new)).collect();
    for (order, &first) in run.offsets.iter().enumerate() {
        let steps = line.products[line.orders[order].product].route.len();
        for step in 0..steps {
            let op = first + step;
            if let Some(Some(sequence)) = run.stations[op].map(|s| sequences[s].as_mut()) {
                sequence.push((run.start[op], op, PlannedOp { order, step }));
            }
        }
    }
    Ok(sequences
        .into_iter()
        .map(|s| {
            s.map(|mut ops| {
                ops.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
                ops.into_iter().map(|(_, _, op)| op).collect()
            })
        })
        .collect())
}

/// Runs the experiment on a line's order book: `plan` (per station, its
/// sequence of orders, `None` for a station that dispatches by its rule)
/// executed `options.replications` times under each policy, with the line's
/// own processing, setup, failure and scrap distributions as the
/// disturbances. Every policy sees the same random streams in replication
/// `r` (common random numbers); a station draws its next processing time from
/// its stream whichever order it takes, so the pairing is by stream, not by
/// operation.
///
/// Policies: [`Policy::Keep`] keeps the planned sequences (a planned station
/// takes all the parts of its next order, and only those, waiting for them);
/// [`Policy::Redispatch`] lets the planned stations dispatch by the rule
/// instead. The planned figures are the plan kept at nominal times
/// ([`nominal_line`]). Due dates: [`Dues::Orders`](super::Dues::Orders) for the order book's own.
///
/// # Errors
///
/// [`RobustError::Option`] for a bad setting, a plan that does not fit the
/// line, or a rescheduling policy (not available for an order book);
/// [`RobustError::Plan`] when the plan cannot be executed at nominal times;
/// [`RobustError::Run`] when a replication fails.
pub fn line_robustness(
    line: &LineSpec,
    plan: &[Option<Vec<PlannedOp>>],
    policies: &[Policy],
    options: &RobustOptions,
) -> Result<Robustness, RobustError> {
    check_settings(policies, options)?;
    if let Some(p) = policies
        .iter()
        .find(|p| matches!(p, Policy::Reschedule { .. }))
    {
        return Err(RobustError::Option {
            field: "policies",
            message: format!(
                "`{}`: rescheduling applies to a scheduling instance's twin, not to a line's \
                 order book; keep the plan or re-dispatch",
                p.name()
            ),
        });
    }
    if line.orders.is_empty() {
        return Err(RobustError::Option {
            field: "line",
            message: format!("line `{}` has no orders to plan", line.name),
        });
    }
    let planned: Vec<bool> = plan.iter().map(Option::is_some).collect();
    if !planned.contains(&true) {
        return Err(RobustError::Option {
            field: "plan",
            message: "it plans no station".into(),
        });
    }
    let nominal = compile(&nominal_line(line))?;
    let nominal_plan = nominal
        .plan_stations(plan.to_vec())
        .map_err(sequences_error)?;
    let planned_run = nominal
        .execute(
            &RunOptions {
                seed: options.seed,
                replication: 0,
                horizon: nominal_bound(line),
                warmup: 0.0,
            },
            &Execution {
                plan: Some(&nominal_plan),
                keep: true,
                ..Execution::default()
            },
        )
        .map_err(|error| RobustError::Plan { error })?;
    let releases: Vec<f64> = line.orders.iter().map(|o| o.release).collect();
    let own: Vec<f64> = line.orders.iter().map(|o| o.due).collect();
    let dues = due_dates(
        &options.dues,
        &planned_run.completion,
        &releases,
        Some(&own),
        ("the order book", "order"),
    )?;
    let ids: Vec<String> = line.orders.iter().map(|o| o.id.clone()).collect();
    let book = Book {
        ids: &ids,
        releases: &releases,
        dues: &dues,
    };
    let planned_figures = book.planned(planned_run.makespan, planned_run.completion.clone());
    let horizon = options.horizon(planned_run.makespan)?;
    let mut lines: Vec<(CompiledLine, Option<Plan>)> = Vec::with_capacity(policies.len());
    for policy in policies {
        let (spec, keep) = match policy {
            Policy::Redispatch(rule) => (with_rule(line, &planned, *rule), false),
            _ => (line.clone(), true),
        };
        let compiled = compile(&spec)?;
        let plan = keep
            .then(|| compiled.plan_stations(plan.to_vec()))
            .transpose()
            .map_err(sequences_error)?;
        lines.push((compiled, plan));
    }
    let runs = run_replications(options.replications, |rep| {
        if options.stopped() {
            return Err(RobustError::Interrupted);
        }
        let run_options = RunOptions {
            seed: options.seed,
            replication: rep,
            horizon,
            warmup: 0.0,
        };
        lines
            .iter()
            .zip(policies)
            .map(|((compiled, plan), policy)| {
                let execution = Execution {
                    plan: plan.as_ref(),
                    keep: plan.is_some(),
                    ..Execution::default()
                };
                compiled
                    .execute(&run_options, &execution)
                    .map(|r| (r.makespan, r.completion, r.reschedules))
                    .map_err(|error| RobustError::Run {
                        policy: policy.name(),
                        replication: rep,
                        error,
                    })
            })
            .collect::<Result<Vec<Run>, _>>()
    });
    let runs: Vec<Vec<Run>> = runs.into_iter().collect::<Result<_, _>>()?;
    let names: Vec<String> = policies.iter().map(Policy::name).collect();
    Ok(summarise(
        &line.name,
        options,
        planned_figures,
        &names,
        &runs,
        &book,
    ))
}
