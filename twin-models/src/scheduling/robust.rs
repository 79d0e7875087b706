//! How a schedule holds up: replications of its twin with random processing
//! times and breakdowns, under several execution policies that see the same
//! disturbances (common random numbers), planned against realised, with
//! confidence intervals and paired comparisons.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use serde::Serialize;
use sim_core::{
    ConfidenceInterval, ProportionInterval, RandomStream, StreamKey, Tally, run_replications,
    student_t_quantile,
};

use super::instance::Instance;
use super::rules::Dispatcher;
use super::schedule::Schedule;
use super::twin::{DispatcherRescheduler, Twin, TwinError, TwinOptions};
use crate::engine::{CompiledLine, Execution, Plan, Reschedule, Rescheduler, RunError, RunOptions};
use crate::graph::StructureError;
use crate::line::{DispatchRule, ProductSpec};

/// How the twin executes the schedule.
#[derive(Clone, Debug, PartialEq)]
pub enum Policy {
    /// Each machine keeps its planned sequence: it waits for its next planned
    /// operation, and delays shift what follows (right shift).
    Keep,
    /// Each machine keeps its assigned operations but takes them in the order
    /// the rule chooses among those waiting.
    Redispatch(DispatchRule),
    /// The plan is rebuilt by `by` from the twin's state every `period`,
    /// and/or whenever a machine fails; kept in between.
    Reschedule {
        /// Builds the new plan.
        by: Replanner,
        /// Every so many time units.
        period: Option<f64>,
        /// When a machine fails.
        on_failure: bool,
    },
}

impl Policy {
    /// A short name for reports: `keep`, `redispatch/spt`,
    /// `reschedule/mwkr every 50`, `reschedule/mwkr on failure`.
    pub fn name(&self) -> String {
        match self {
            Self::Keep => "keep".into(),
            Self::Redispatch(rule) => format!("redispatch/{}", rule.name()),
            Self::Reschedule {
                by,
                period,
                on_failure,
            } => {
                let mut name = format!("reschedule/{}", by.name());
                if let Some(p) = period {
                    name += &format!(" every {p}");
                }
                if *on_failure {
                    name += if period.is_some() {
                        " and on failure"
                    } else {
                        " on failure"
                    };
                }
                name
            }
        }
    }
}

/// Who plans anew in a [`Policy::Reschedule`].
#[derive(Clone)]
pub enum Replanner {
    /// A dispatching rule's schedule of the remaining operations
    /// ([`DispatcherRescheduler`]).
    Rule(Dispatcher),
    /// A user's rescheduler (e.g. an optimiser), named for reports.
    User {
        /// The name reports give it.
        name: String,
        /// The rescheduler; parallel replications share it.
        by: Arc<dyn Rescheduler + Send>,
    },
}

impl Replanner {
    /// The name reports give it: the rule's, or the user's.
    pub fn name(&self) -> String {
        match self {
            Self::Rule(dispatcher) => dispatcher.name(),
            Self::User { name, .. } => name.clone(),
        }
    }
}

impl std::fmt::Debug for Replanner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Rule(dispatcher) => f.debug_tuple("Rule").field(dispatcher).finish(),
            Self::User { name, .. } => f.debug_struct("User").field("name", name).finish(),
        }
    }
}

impl PartialEq for Replanner {
    /// Rules by value; user reschedulers by identity.
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Self::Rule(a), Self::Rule(b)) => a == b,
            (Self::User { by: a, .. }, Self::User { by: b, .. }) => Arc::ptr_eq(a, b),
            _ => false,
        }
    }
}

/// When an order is on time.
#[derive(Clone, Debug, PartialEq)]
pub enum Dues {
    /// Due at its planned completion plus `slack` times its job's planned
    /// flow time: on time means "as planned" at slack 0.
    Planned {
        /// Allowance, as a fraction of the planned flow time (>= 0).
        slack: f64,
    },
    /// These due dates, one per job.
    Given(Vec<f64>),
    /// The orders' own due dates: those of a line's order book (an
    /// instance's jobs have none).
    Orders,
}

/// The due dates `dues` gives orders planned to complete at `planned` after
/// their `releases`; `own` are the orders' own (a line's order book), if any.
/// Errors name an order `noun` (`job`) of `owner` (`the instance`).
pub(super) fn due_dates(
    dues: &Dues,
    planned: &[f64],
    releases: &[f64],
    own: Option<&[f64]>,
    (owner, noun): (&str, &str),
) -> Result<Vec<f64>, RobustError> {
    let n = planned.len();
    match dues {
        Dues::Planned { slack } => {
            if !(slack.is_finite() && *slack >= 0.0) {
                return Err(RobustError::Option {
                    field: "dues.slack",
                    message: format!("must be finite and non-negative, got {slack}"),
                });
            }
            Ok((0..n)
                .map(|j| planned[j] + slack * (planned[j] - releases[j]))
                .collect())
        }
        Dues::Given(dues) => {
            if dues.len() != n {
                return Err(RobustError::Option {
                    field: "dues",
                    message: format!(
                        "{owner} has {n} {noun}s, but {} due dates were given",
                        dues.len()
                    ),
                });
            }
            if let Some((j, d)) = dues.iter().enumerate().find(|(_, d)| d.is_nan()) {
                return Err(RobustError::Option {
                    field: "dues",
                    message: format!("{noun} {j}: {d} is not a valid time"),
                });
            }
            Ok(dues.clone())
        }
        Dues::Orders => own.map(<[f64]>::to_vec).ok_or_else(|| RobustError::Option {
            field: "dues",
            message: "an instance's jobs have no due dates of their own: give them or plan them"
                .into(),
        }),
    }
}

/// The experiment's settings.
#[derive(Clone, Debug)]
pub struct RobustOptions {
    /// Replications (>= 1); every policy runs each one with the same disturbances.
    pub replications: u64,
    /// Master seed.
    pub seed: u64,
    /// Due dates.
    pub dues: Dues,
    /// Longest a replication may run; `None`: 100 times the planned makespan.
    pub horizon: Option<f64>,
    /// Set it (from another thread, e.g. on Ctrl-C) to stop the experiment:
    /// replications not yet started return [`RobustError::Interrupted`].
    pub stop: Option<Arc<AtomicBool>>,
}

/// At least one replication and one policy.
pub(super) fn check_settings(
    policies: &[Policy],
    options: &RobustOptions,
) -> Result<(), RobustError> {
    if options.replications == 0 {
        return Err(RobustError::Option {
            field: "replications",
            message: "must be at least 1, got 0".into(),
        });
    }
    if policies.is_empty() {
        return Err(RobustError::Option {
            field: "policies",
            message: "give at least one policy".into(),
        });
    }
    Ok(())
}

impl RobustOptions {
    /// The horizon of a replication whose plan takes `planned`: the one set,
    /// or 100 times the plan.
    pub(super) fn horizon(&self, planned: f64) -> Result<f64, RobustError> {
        let horizon = self.horizon.unwrap_or(100.0 * planned.max(1.0));
        if !(horizon.is_finite() && horizon > 0.0) {
            return Err(RobustError::Option {
                field: "horizon",
                message: format!("must be positive and finite, got {horizon}"),
            });
        }
        Ok(horizon)
    }

    /// Whether the experiment was asked to stop.
    pub(super) fn stopped(&self) -> bool {
        self.stop
            .as_ref()
            .is_some_and(|s| s.load(Ordering::Relaxed))
    }
}

impl Default for RobustOptions {
    fn default() -> Self {
        Self {
            replications: 100,
            seed: 1,
            dues: Dues::Planned { slack: 0.0 },
            horizon: None,
            stop: None,
        }
    }
}

/// Why the experiment produced no report.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum RobustError {
    /// The instance, schedule or twin options do not fit.
    #[error(transparent)]
    Twin(#[from] TwinError),
    /// A setting is out of range.
    #[error("{field}: {message}")]
    Option {
        /// The setting.
        field: &'static str,
        /// What is wrong.
        message: String,
    },
    /// The plan itself (nominal times, no breakdowns) cannot be executed in
    /// the twin, e.g. with finite buffers that block it.
    #[error("the schedule cannot be executed as planned in its twin: {error}")]
    Plan {
        /// Why.
        error: RunError,
    },
    /// Stopped through [`RobustOptions::stop`].
    #[error("interrupted")]
    Interrupted,
    /// A replication failed.
    #[error("policy `{policy}`, replication {replication}: {error}")]
    Run {
        /// The policy's name.
        policy: String,
        /// The replication.
        replication: u64,
        /// What went wrong.
        error: RunError,
    },
}

/// A statistic across replications: mean with its 95% confidence interval,
/// spread and quantiles.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Summary {
    /// Mean.
    pub mean: f64,
    /// Half-width of the 95% Student-t interval of the mean (NaN for one replication).
    pub ci95: f64,
    /// Sample standard deviation.
    pub sd: f64,
    /// Median.
    pub p50: f64,
    /// 90th percentile.
    pub p90: f64,
    /// 95th percentile.
    pub p95: f64,
    /// Smallest.
    pub min: f64,
    /// Largest.
    pub max: f64,
    /// Replications.
    pub n: u64,
}

/// The `q`-quantile of sorted values, interpolated linearly between order
/// statistics (Hyndman & Fan's type 7, numpy's and R's default).
fn quantile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let h = (sorted.len() - 1) as f64 * q;
    let (lo, hi) = (h.floor() as usize, h.ceil() as usize);
    sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
}

impl Summary {
    /// The summary of `values`.
    pub fn of(values: &[f64]) -> Self {
        let mut tally = Tally::new();
        values.iter().for_each(|&v| tally.add(v));
        let mut sorted = values.to_vec();
        sorted.sort_by(f64::total_cmp);
        let ci = ConfidenceInterval::from_tally(&tally, 0.95);
        Self {
            mean: ci.mean,
            ci95: ci.half_width,
            sd: tally.sd(),
            p50: quantile(&sorted, 0.5),
            p90: quantile(&sorted, 0.9),
            p95: quantile(&sorted, 0.95),
            min: sorted.first().copied().unwrap_or(f64::NAN),
            max: sorted.last().copied().unwrap_or(f64::NAN),
            n: values.len() as u64,
        }
    }
}

/// The planned schedule's figures: the twin run once with nominal times and
/// no breakdowns, keeping the sequences (for a job or flow shop released at
/// 0 these are the semi-active schedule's).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Planned {
    /// Makespan.
    pub makespan: f64,
    /// Mean flow time (completion − release) over the jobs.
    pub flow_time: f64,
    /// Total tardiness against the due dates.
    pub tardiness: f64,
    /// Fraction of jobs on time.
    pub on_time_rate: f64,
    /// Completion of each job.
    pub completion: Vec<f64>,
}

/// What was realised under one policy, across the replications.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Realised {
    /// Makespan.
    pub makespan: Summary,
    /// Realised makespan / planned makespan.
    pub makespan_ratio: Summary,
    /// Mean flow time over the jobs.
    pub flow_time: Summary,
    /// Total tardiness.
    pub tardiness: Summary,
    /// Fraction of jobs on time.
    pub on_time_rate: Summary,
    /// Times the plan was rebuilt per replication.
    pub reschedules: Summary,
}

/// One order (job) under one policy.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct OrderOutcome {
    /// The order's id (`J<j>` for job `j`).
    pub id: String,
    /// Its due date.
    pub due: f64,
    /// Its planned completion.
    pub planned: f64,
    /// Its realised completion.
    pub completion: Summary,
    /// Probability of being on time, with its 95% Wilson interval.
    pub on_time: ProportionInterval,
}

/// One policy's results.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PolicyReport {
    /// The policy's name.
    pub policy: String,
    /// The realised figures.
    pub realised: Realised,
    /// Per order.
    pub orders: Vec<OrderOutcome>,
    /// The realised makespan of each replication, in replication order.
    #[serde(skip)]
    pub makespans: Vec<f64>,
    /// The total tardiness of each replication.
    #[serde(skip)]
    pub tardiness: Vec<f64>,
}

/// A policy against the first one, on the same disturbances.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Comparison {
    /// Mean of (this policy − the first) per replication.
    pub mean_difference: f64,
    /// 95% half-width of the paired interval (Student t on the differences).
    pub paired_ci95: f64,
    /// 95% half-width had the replications been independent (Welch).
    pub unpaired_ci95: f64,
}

impl Comparison {
    /// Compares `b` against `a`, replication by replication.
    pub fn paired(a: &[f64], b: &[f64]) -> Self {
        let mut diff = Tally::new();
        let (mut ta, mut tb) = (Tally::new(), Tally::new());
        for (&x, &y) in a.iter().zip(b) {
            diff.add(y - x);
            ta.add(x);
            tb.add(y);
        }
        let paired = ConfidenceInterval::from_tally(&diff, 0.95);
        let (na, nb) = (ta.count() as f64, tb.count() as f64);
        let (va, vb) = (ta.variance() / na, tb.variance() / nb);
        // Welch–Satterthwaite degrees of freedom.
        let dof = (va + vb).powi(2) / (va * va / (na - 1.0) + vb * vb / (nb - 1.0));
        // Two constant samples: no spread, the normal quantile's limit.
        let t = if dof.is_finite() {
            student_t_quantile(0.975, dof)
        } else {
            1.959_963_984_540_054
        };
        Self {
            mean_difference: paired.mean,
            paired_ci95: paired.half_width,
            unpaired_ci95: t * (va + vb).sqrt(),
        }
    }
}

/// A schedule's robustness under several policies.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Robustness {
    /// The instance's name.
    pub instance: String,
    /// Replications per policy.
    pub replications: u64,
    /// Master seed.
    pub seed: u64,
    /// The plan.
    pub planned: Planned,
    /// Per policy, in the order given.
    pub policies: Vec<PolicyReport>,
    /// Makespan of each policy after the first against the first.
    pub makespan_vs_first: Vec<Comparison>,
}

/// Runs the experiment: the twin of `instance` (built with `twin`, planned by
/// `schedule`), `options.replications` times under each policy, every policy
/// seeing in replication `r` the same processing times operation by operation
/// (drawn from the job's own stream) and the same failure streams.
///
/// # Errors
///
/// [`RobustError`] for a bad schedule, twin option or setting, and when a
/// replication fails (e.g. orders unfinished at the horizon).
pub fn robustness(
    instance: &Instance,
    schedule: &Schedule,
    twin: &TwinOptions,
    policies: &[Policy],
    options: &RobustOptions,
) -> Result<Robustness, RobustError> {
    check_settings(policies, options)?;
    // The plan: nominal times, no breakdowns, sequences kept.
    let nominal = TwinOptions {
        cv: 0.0,
        breakdowns: None,
        dues: Vec::new(),
        ..twin.clone()
    };
    let plan_twin = Twin::new(instance, Some(schedule), &nominal)?;
    let (plan_line, plan) = compile(&plan_twin)?;
    let planned_run = plan_line
        .execute(
            &RunOptions {
                seed: options.seed,
                replication: 0,
                // Far beyond any semi-active schedule: the plan runs the jobs
                // one after another at worst.
                horizon: 2.0 * total_work(instance).max(1.0),
                warmup: 0.0,
            },
            &Execution {
                plan: Some(&plan),
                keep: true,
                ..Execution::default()
            },
        )
        .map_err(|error| RobustError::Plan { error })?;
    let jobs = instance.jobs();
    let release = |j: usize| twin.releases.get(j).copied().unwrap_or(0.0);
    let releases: Vec<f64> = (0..jobs).map(release).collect();
    let dues = due_dates(
        &options.dues,
        &planned_run.completion,
        &releases,
        None,
        ("the instance", "job"),
    )?;
    let horizon = options.horizon(planned_run.makespan)?;
    let ids: Vec<String> = (0..jobs).map(|j| format!("J{j}")).collect();
    let book = Book {
        ids: &ids,
        releases: &releases,
        dues: &dues,
    };
    let planned = book.planned(planned_run.makespan, planned_run.completion.clone());
    let real_options = TwinOptions {
        dues: dues.clone(),
        ..twin.clone()
    };
    // One compiled line per policy: a redispatching policy gives every
    // station its rule.
    let mut lines = Vec::with_capacity(policies.len());
    for policy in policies {
        let options = match policy {
            Policy::Redispatch(rule) => TwinOptions {
                rule: *rule,
                ..real_options.clone()
            },
            _ => real_options.clone(),
        };
        let twin = Twin::new(instance, Some(schedule), &options)?;
        let (line, plan) = compile(&twin)?;
        lines.push((twin, line, plan));
    }
    let rules: Vec<Option<DispatcherRescheduler<'_>>> = policies
        .iter()
        .zip(&lines)
        .map(|(policy, (twin, _, _))| match policy {
            Policy::Reschedule {
                by: Replanner::Rule(dispatcher),
                ..
            } => Some(DispatcherRescheduler {
                instance: &twin.assigned,
                dispatcher: *dispatcher,
            }),
            _ => None,
        })
        .collect();
    let reschedulers: Vec<Option<&dyn Rescheduler>> = policies
        .iter()
        .zip(&rules)
        .map(|(policy, rule)| match (policy, rule) {
            (_, Some(rule)) => Some(rule as &dyn Rescheduler),
            (
                Policy::Reschedule {
                    by: Replanner::User { by, .. },
                    ..
                },
                None,
            ) => Some(&**by as &dyn Rescheduler),
            _ => None,
        })
        .collect();
    for policy in policies {
        if let Policy::Reschedule {
            period, on_failure, ..
        } = policy
        {
            if period.is_none() && !on_failure {
                return Err(RobustError::Option {
                    field: "policies",
                    message: format!(
                        "`{}` never reschedules: give a period or on_failure",
                        policy.name()
                    ),
                });
            }
        }
    }
    let sampler = DurationSampler::new(&lines[0].0);
    let runs = run_replications(options.replications, |rep| {
        if options.stopped() {
            return Err(RobustError::Interrupted);
        }
        let mut durations = Vec::new();
        sampler.draw(options.seed, rep, &mut durations);
        let run_options = RunOptions {
            seed: options.seed,
            replication: rep,
            horizon,
            warmup: 0.0,
        };
        let mut out = Vec::with_capacity(policies.len());
        for ((policy, (_, line, plan)), rescheduler) in
            policies.iter().zip(&lines).zip(&reschedulers)
        {
            let execution = Execution {
                plan: Some(plan),
                kpis: false,
                keep: matches!(policy, Policy::Keep),
                durations: Some(&durations),
                reschedule: match (policy, rescheduler) {
                    (
                        Policy::Reschedule {
                            period, on_failure, ..
                        },
                        Some(r),
                    ) => Some(Reschedule {
                        period: *period,
                        on_failure: *on_failure,
                        by: *r,
                    }),
                    _ => None,
                },
            };
            let result =
                line.execute(&run_options, &execution)
                    .map_err(|error| RobustError::Run {
                        policy: policy.name(),
                        replication: rep,
                        error,
                    })?;
            out.push((result.makespan, result.completion, result.reschedules));
        }
        Ok::<_, RobustError>(out)
    });
    let runs: Vec<Vec<Run>> = runs.into_iter().collect::<Result<_, _>>()?;
    let names: Vec<String> = policies.iter().map(Policy::name).collect();
    Ok(summarise(
        instance.name(),
        options,
        planned,
        &names,
        &runs,
        &book,
    ))
}

/// One policy's replication: makespan, each order's completion, reschedules.
pub(super) type Run = (f64, Vec<f64>, u32);

/// The orders a report is about.
pub(super) struct Book<'a> {
    pub(super) ids: &'a [String],
    pub(super) releases: &'a [f64],
    pub(super) dues: &'a [f64],
}

impl Book<'_> {
    /// Mean flow time, total tardiness and the orders on time of `completion`.
    pub(super) fn outcome(&self, completion: &[f64]) -> (f64, f64, usize) {
        let n = self.ids.len();
        let flow = (0..n)
            .map(|j| completion[j] - self.releases[j])
            .sum::<f64>()
            / n as f64;
        let tardiness: f64 = (0..n)
            .map(|j| (completion[j] - self.dues[j]).max(0.0))
            .sum();
        let on_time = (0..n).filter(|&j| completion[j] <= self.dues[j]).count();
        (flow, tardiness, on_time)
    }

    /// The planned figures of a run whose orders completed at `completion`.
    pub(super) fn planned(&self, makespan: f64, completion: Vec<f64>) -> Planned {
        let (flow_time, tardiness, on_time) = self.outcome(&completion);
        Planned {
            makespan,
            flow_time,
            tardiness,
            on_time_rate: on_time as f64 / self.ids.len() as f64,
            completion,
        }
    }
}

/// The report of `runs` (per replication, per policy).
pub(super) fn summarise(
    name: &str,
    options: &RobustOptions,
    planned: Planned,
    names: &[String],
    runs: &[Vec<Run>],
    book: &Book<'_>,
) -> Robustness {
    let jobs = book.ids.len();
    let dues = book.dues;
    let mut reports = Vec::with_capacity(names.len());
    for (k, policy) in names.iter().enumerate() {
        let makespans: Vec<f64> = runs.iter().map(|r| r[k].0).collect();
        let mut flows = Vec::with_capacity(runs.len());
        let mut tardy = Vec::with_capacity(runs.len());
        let mut rates = Vec::with_capacity(runs.len());
        let mut on_time_count = vec![0u64; jobs];
        for r in runs {
            let (flow, tardiness, on_time) = book.outcome(&r[k].1);
            flows.push(flow);
            tardy.push(tardiness);
            rates.push(on_time as f64 / jobs as f64);
            for j in 0..jobs {
                if r[k].1[j] <= dues[j] {
                    on_time_count[j] += 1;
                }
            }
        }
        let ratio: Vec<f64> = makespans.iter().map(|m| m / planned.makespan).collect();
        let reschedules: Vec<f64> = runs.iter().map(|r| f64::from(r[k].2)).collect();
        let orders = (0..jobs)
            .map(|j| {
                let completions: Vec<f64> = runs.iter().map(|r| r[k].1[j]).collect();
                OrderOutcome {
                    id: book.ids[j].clone(),
                    due: dues[j],
                    planned: planned.completion[j],
                    completion: Summary::of(&completions),
                    on_time: ProportionInterval::wilson(
                        on_time_count[j],
                        options.replications,
                        0.95,
                    ),
                }
            })
            .collect();
        reports.push(PolicyReport {
            policy: policy.clone(),
            realised: Realised {
                makespan: Summary::of(&makespans),
                makespan_ratio: Summary::of(&ratio),
                flow_time: Summary::of(&flows),
                tardiness: Summary::of(&tardy),
                on_time_rate: Summary::of(&rates),
                reschedules: Summary::of(&reschedules),
            },
            orders,
            makespans,
            tardiness: tardy,
        });
    }
    let makespan_vs_first = reports[1..]
        .iter()
        .map(|r| Comparison::paired(&reports[0].makespans, &r.makespans))
        .collect();
    Robustness {
        instance: name.to_string(),
        replications: options.replications,
        seed: options.seed,
        planned,
        policies: reports,
        makespan_vs_first,
    }
}

/// The sum of every operation's longest time: an upper bound of any
/// semi-active schedule's makespan.
fn total_work(instance: &Instance) -> f64 {
    (0..instance.operations())
        .map(|op| {
            instance
                .alternatives(op)
                .iter()
                .map(|a| a.time)
                .max()
                .unwrap_or(0) as f64
        })
        .sum()
}

/// Compiles a twin's line and checks its plan; a twin built from a valid
/// instance and schedule always passes.
fn compile(twin: &Twin) -> Result<(CompiledLine, Plan), RobustError> {
    let fail = |e: StructureError| RobustError::Option {
        field: "twin",
        message: e.to_string(),
    };
    let line = CompiledLine::new(&twin.line).map_err(fail)?;
    let plan = line.plan(twin.sequences.clone()).map_err(fail)?;
    Ok((line, plan))
}

/// Draws the realised processing time of every operation of a twin, per
/// replication: job `j`'s from its own stream, in route order, so that they do
/// not depend on the order in which the machines take the jobs (common random
/// numbers across execution policies).
#[derive(Clone, Debug)]
pub struct DurationSampler<'t> {
    jobs: Vec<(StreamKey, &'t ProductSpec)>,
}

impl<'t> DurationSampler<'t> {
    /// The sampler of `twin`'s operations (stream keys computed once).
    pub fn new(twin: &'t Twin) -> Self {
        Self {
            jobs: twin
                .line
                .products
                .iter()
                .map(|p| (StreamKey::new("operation-time", &p.name, 0), p))
                .collect(),
        }
    }

    /// Replaces `out` with replication `rep`'s durations, indexed like
    /// [`Executed::offsets`](crate::Executed::offsets) (job by job, in route order).
    pub fn draw(&self, seed: u64, rep: u64, out: &mut Vec<f64>) {
        out.clear();
        for (key, product) in &self.jobs {
            let mut stream = RandomStream::new(seed, rep, *key);
            for k in 0..product.route.len() {
                let d = product
                    .step_time(k)
                    .expect("a twin's steps give their times");
                out.push(d.sample(&mut stream));
            }
        }
    }
}

/// Replication `rep`'s durations of `twin`'s operations ([`DurationSampler::draw`]).
pub fn draw_durations(twin: &Twin, seed: u64, rep: u64) -> Vec<f64> {
    let mut out = Vec::with_capacity(twin.assigned.operations());
    DurationSampler::new(twin).draw(seed, rep, &mut out);
    out
}
