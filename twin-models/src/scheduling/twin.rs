//! From a scheduling instance to a twin: machines become stations (with failure
//! modes and buffers), jobs become orders, nominal times become distributions;
//! a schedule becomes the stations' planned sequences; a dispatcher replans
//! from the twin's state.

use sim_core::{Distribution, DistributionError};

use super::evaluate::{Evaluator, Violation};
use super::instance::{Alternative, Instance, ShopKind};
use super::rules::{Dispatcher, PartialState};
use super::schedule::Schedule;
use crate::engine::{PlannedOp, Rescheduler, ShopState};
use crate::line::{
    BufferSpec, DispatchRule, FailureClock, FailureSpec, LineSpec, OrderSpec, ProductSpec,
    SinkSpec, SourceKind, SourceSpec, StationSpec, TimeUnit,
};

/// Breakdowns applied to every machine of a twin.
#[derive(Clone, Debug, PartialEq)]
pub struct Breakdowns {
    /// Time to failure.
    pub ttf: Distribution,
    /// Time to repair.
    pub ttr: Distribution,
    /// Which time the time to failure counts.
    pub clock: FailureClock,
}

/// How an instance becomes a twin.
#[derive(Clone, Debug, PartialEq)]
pub struct TwinOptions {
    /// The distribution family of processing times (see
    /// [`Distribution::from_mean_cv`]), each with the nominal time as its mean.
    pub family: String,
    /// Their coefficient of variation (0: the nominal times exactly).
    pub cv: f64,
    /// Breakdowns of every machine, if any.
    pub breakdowns: Option<Breakdowns>,
    /// Capacity of each machine's input buffer; `None`: unlimited.
    pub buffer: Option<u32>,
    /// Release time per job (empty: all at 0).
    pub releases: Vec<f64>,
    /// Due date per job (empty: none).
    pub dues: Vec<f64>,
    /// How a free machine chooses among waiting jobs when it does not keep a
    /// planned sequence.
    pub rule: DispatchRule,
}

impl Default for TwinOptions {
    fn default() -> Self {
        Self {
            family: "lognormal".into(),
            cv: 0.0,
            breakdowns: None,
            buffer: None,
            releases: Vec::new(),
            dues: Vec::new(),
            rule: DispatchRule::Fifo,
        }
    }
}

/// Why an instance could not become a twin.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum TwinError {
    /// The schedule does not fit the instance.
    #[error("the schedule does not fit the instance: {0}")]
    Schedule(#[from] Violation),
    /// A flexible job shop needs a schedule, which assigns each operation a machine.
    #[error(
        "a flexible job shop becomes a twin with a schedule, which assigns each operation its \
         machine; give one (e.g. from a dispatcher)"
    )]
    NeedsAssignment,
    /// A processing-time distribution could not be built.
    #[error("processing times: {0}")]
    Distribution(#[from] DistributionError),
    /// A list given per job has the wrong length or a bad value.
    #[error("{field}: {message}")]
    Option {
        /// The option.
        field: &'static str,
        /// What is wrong.
        message: String,
    },
}

/// An instance as a twin: the line, the instance restricted to the machines
/// the schedule assigns (for a flexible job shop), and the schedule's
/// sequences as the stations' plan.
#[derive(Clone, Debug)]
pub struct Twin {
    /// The line: station `m<k>` is machine `k`; order and product `J<j>` is job `j`.
    pub line: LineSpec,
    /// The instance with each operation on its assigned machine only (the
    /// instance itself for job and flow shops).
    pub assigned: Instance,
    /// Per station, its planned sequence (empty without a schedule).
    pub sequences: Vec<Vec<PlannedOp>>,
}

/// The operation's alternative on `machine`, if any.
fn on_machine(instance: &Instance, op: usize, machine: usize) -> Option<Alternative> {
    instance
        .alternatives(op)
        .iter()
        .copied()
        .find(|a| a.machine == machine)
}

impl Twin {
    /// Builds the twin of `instance` with `options`, its stations planned by
    /// `schedule` if one is given (a flexible job shop needs one).
    ///
    /// # Errors
    ///
    /// [`TwinError`] when the schedule does not fit the instance, a flexible
    /// shop has none, the distribution family and cv do not fit a nominal
    /// time, or releases and due dates do not have one entry per job.
    pub fn new(
        instance: &Instance,
        schedule: Option<&Schedule>,
        options: &TwinOptions,
    ) -> Result<Self, TwinError> {
        let jobs = instance.jobs();
        for (field, values, least) in [
            ("releases", &options.releases, 0.0),
            ("dues", &options.dues, f64::NEG_INFINITY),
        ] {
            if !values.is_empty() && values.len() != jobs {
                return Err(TwinError::Option {
                    field,
                    message: format!(
                        "the instance has {jobs} jobs, but {} values were given",
                        values.len()
                    ),
                });
            }
            if let Some((j, v)) = values.iter().enumerate().find(|(_, v)| {
                v.is_nan() || **v < least || (field == "releases" && v.is_infinite())
            }) {
                return Err(TwinError::Option {
                    field,
                    message: format!("job {j}: {v} is not a valid time"),
                });
            }
        }
        // The machine of every operation: the schedule's, else the only one.
        let mut machine_of = vec![usize::MAX; instance.operations()];
        if let Some(schedule) = schedule {
            Evaluator::new(instance).evaluate(schedule)?;
            for (machine, sequence) in schedule.machines.iter().enumerate() {
                for op in sequence {
                    let id = instance
                        .operation_id(op.job, op.operation)
                        .expect("the evaluator checked the operation");
                    machine_of[id] = machine;
                }
            }
        } else if instance.kind() == ShopKind::FlexibleJobShop {
            return Err(TwinError::NeedsAssignment);
        } else {
            for (op, machine) in machine_of.iter_mut().enumerate() {
                *machine = instance.alternatives(op)[0].machine;
            }
        }
        let routes: Vec<Vec<Alternative>> = (0..jobs)
            .map(|j| {
                instance
                    .job_operations(j)
                    .map(|op| on_machine(instance, op, machine_of[op]).expect("checked"))
                    .collect()
            })
            .collect();
        let assigned = if instance.kind() == ShopKind::FlexibleJobShop {
            let jobs: Vec<Vec<Vec<Alternative>>> = routes
                .iter()
                .map(|r| r.iter().map(|&a| vec![a]).collect())
                .collect();
            Instance::new(
                instance.name(),
                ShopKind::JobShop,
                instance.machines(),
                &jobs,
            )
            .expect("a restriction of a valid instance is valid")
        } else {
            instance.clone()
        };
        let time = |t: u64| -> Result<Distribution, DistributionError> {
            if t == 0 || options.cv == 0.0 {
                Distribution::constant(t as f64)
            } else {
                Distribution::from_mean_cv(&options.family, t as f64, options.cv)
            }
        };
        let mut products = Vec::with_capacity(jobs);
        for (j, route) in routes.iter().enumerate() {
            products.push(ProductSpec {
                name: format!("J{j}"),
                family: 0,
                route: route.iter().map(|a| vec![a.machine]).collect(),
                sink: 0,
                step_processing: route
                    .iter()
                    .map(|a| time(a.time).map(Some))
                    .collect::<Result<_, _>>()?,
            });
        }
        let failures: Vec<FailureSpec> = options
            .breakdowns
            .iter()
            .map(|b| FailureSpec {
                name: "breakdown".into(),
                clock: b.clock,
                ttf: b.ttf.clone(),
                ttr: b.ttr.clone(),
            })
            .collect();
        let stations = (0..instance.machines())
            .map(|k| StationSpec {
                name: format!("m{k}"),
                servers: 1,
                input: options.buffer.map(|_| k),
                // Every step gives its own time; a station needs none of its own.
                processing: vec![None; jobs],
                failures: failures.clone(),
                scrap: 0.0,
                setup: None,
                rule: options.rule,
                planned_run_time: Vec::new(),
                power: None,
                wear: Vec::new(),
            })
            .collect();
        let buffers = match options.buffer {
            Some(capacity) => (0..instance.machines())
                .map(|k| BufferSpec {
                    name: format!("before m{k}"),
                    capacity: Some(capacity),
                })
                .collect(),
            None => Vec::new(),
        };
        let orders = (0..jobs)
            .map(|j| OrderSpec {
                id: format!("J{j}"),
                product: j,
                quantity: 1,
                release: options.releases.get(j).copied().unwrap_or(0.0),
                due: options.dues.get(j).copied().unwrap_or(f64::INFINITY),
                weight: 1.0,
                priority: 0.0,
                // A source of its own: a job that finds its first buffer full
                // waits outside the shop without holding up the others.
                source: j,
            })
            .collect();
        let line = LineSpec {
            name: instance.name().to_string(),
            time_unit: TimeUnit::Minutes,
            families: vec!["job".into()],
            products,
            stations,
            buffers,
            sources: (0..jobs)
                .map(|j| SourceSpec {
                    name: format!("release J{j}"),
                    kind: SourceKind::Orders,
                    mix: Vec::new(),
                    sequence: Vec::new(),
                })
                .collect(),
            sinks: vec![SinkSpec {
                name: "done".into(),
            }],
            orders,
            energy: None,
            crews: Vec::new(),
        };
        let mut sequences = vec![Vec::new(); instance.machines()];
        if let Some(schedule) = schedule {
            for (machine, sequence) in schedule.machines.iter().enumerate() {
                sequences[machine] = sequence
                    .iter()
                    .map(|op| PlannedOp {
                        order: op.job,
                        step: op.operation,
                    })
                    .collect();
            }
        }
        Ok(Self {
            line,
            assigned,
            sequences,
        })
    }
}

/// Replans the remaining operations of an instance's twin with a dispatcher
/// ([`Dispatcher::build_from`]) from the twin's state: each job ready when its
/// running operation is planned to end, each machine when it is expected free;
/// times are rounded up to the instance's integer grid, counted from now.
#[derive(Clone, Debug)]
pub struct DispatcherRescheduler<'a> {
    /// The instance with each operation on its machine ([`Twin::assigned`]).
    pub instance: &'a Instance,
    /// The dispatcher that builds the new plan.
    pub dispatcher: Dispatcher,
}

impl Rescheduler for DispatcherRescheduler<'_> {
    fn reschedule(&self, state: &ShopState) -> Result<Vec<Vec<PlannedOp>>, String> {
        let instance = self.instance;
        if state.orders.len() != instance.jobs() || state.stations.len() != instance.machines() {
            return Err(format!(
                "the shop has {} orders and {} stations, the instance {} jobs and {} machines",
                state.orders.len(),
                state.stations.len(),
                instance.jobs(),
                instance.machines()
            ));
        }
        let grid = |t: f64| -> u64 {
            let ahead = (t - state.now).max(0.0).ceil();
            if ahead.is_finite() {
                ahead as u64
            } else {
                u64::MAX / 4
            }
        };
        let partial = PartialState {
            next: state
                .orders
                .iter()
                .enumerate()
                .map(|(j, o)| instance.job_operations(j).start + o.next_step)
                .collect(),
            job_ready: state.orders.iter().map(|o| grid(o.ready)).collect(),
            machine_ready: state.stations.iter().map(|s| grid(s.available)).collect(),
        };
        let schedule = self.dispatcher.build_from(instance, &partial);
        Ok(schedule
            .machines
            .iter()
            .map(|sequence| {
                sequence
                    .iter()
                    .map(|op| PlannedOp {
                        order: op.job,
                        step: op.operation,
                    })
                    .collect()
            })
            .collect())
    }
}
