//! The event-driven simulation of a line: the hub. It holds the run options, the
//! entry points and the one `match` that hands each event to the concern that owns
//! it; the concerns live in `engine/` (see ARCHITECTURE.md). The hot path runs on
//! flat index-based vectors: no allocation per event, no lookup by name, no
//! dynamic dispatch.

pub(crate) mod books;
pub(crate) mod buffer;
mod build;
mod deadlock;
mod dispatch;
mod event;
mod failure;
mod flow;
mod idle;
mod interrupt;
pub(crate) mod maintenance;
pub(crate) mod order;
mod part;
mod plan;
mod server;
mod setup;
mod source;

use sim_core::{EventCalendar, Model, Simulation};

pub use build::CompiledLine;
pub use deadlock::Deadlock;
pub use dispatch::{Candidate, Decision, DispatchPolicy, RuleFailure};
pub use maintenance::{MaintenancePolicy, PolicyFailure, Reading, UnitView, run_to_failure};
pub use plan::{
    Executed, Execution, OrderStatus, Plan, PlannedOp, Reschedule, Rescheduler, ShopState,
    StationStatus,
};

use crate::graph::StructureError;
use crate::kpi::Kpis;
use crate::line::{DispatchRule, LineSpec};
use build::Line;
use event::Event;

/// The most parts a line may hold: a run whose arrivals outpace the line (an
/// unstable line, with unlimited buffers) stops with [`RunError::WipLimit`]
/// when it passes this, long before memory runs out (a part costs a few tens
/// of bytes).
pub const MAX_WIP: u64 = 10_000_000;

/// What to run: which replication of which seed, for how long.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RunOptions {
    /// Master seed.
    pub seed: u64,
    /// Replication index (each has independent streams).
    pub replication: u64,
    /// End of the run, in model time units (> 0).
    pub horizon: f64,
    /// End of the warm-up, in `[0, horizon)`: statistics cover `[warmup, horizon]`.
    pub warmup: f64,
}

impl RunOptions {
    fn check(&self) -> Result<(), StructureError> {
        if !(self.horizon.is_finite() && self.horizon > 0.0) {
            return Err(StructureError::at(
                "horizon",
                format!("must be positive and finite, got {}", self.horizon),
            ));
        }
        if !(self.warmup.is_finite() && self.warmup >= 0.0 && self.warmup < self.horizon) {
            return Err(StructureError::at(
                "warmup",
                format!(
                    "must be in [0, horizon = {}), got {}",
                    self.horizon, self.warmup
                ),
            ));
        }
        Ok(())
    }
}

/// Simulates one replication of `spec` and returns its KPIs.
///
/// This checks and compiles the spec on every call; to run many replications of
/// one line, compile it once with [`CompiledLine::new`] and call
/// [`CompiledLine::simulate`].
///
/// Errors: the structural errors of [`LineSpec::check`], a horizon that is not
/// positive and finite, a warm-up outside `[0, horizon)`.
///
/// Cost: `O(log e)` per event for the calendar (e = pending events, about one
/// per busy server and failure clock). Finding an idle server costs
/// `O(log₆₄ servers)`; under first in, first out, finding the first part a
/// station may take in a buffer shared by several stations, and the first
/// blocked server or source with room in it, cost `O(classes)` (the distinct
/// sets of stations the route steps into that buffer allow), not the length
/// of its queue or waiting list; the other rules read the whole queue. Memory
/// grows with the number of parts in the line, not with the horizon.
///
/// # Example
///
/// An M/M/1 queue (arrivals every 1.25 on average, service 1.0): the mean
/// number in system is ρ/(1−ρ) = 4.
///
/// ```
/// use sim_core::Distribution;
/// use twin_models::{
///     DispatchRule, LineSpec, ProductSpec, RunOptions, SinkSpec, SourceKind, SourceSpec, StationSpec, TimeUnit,
///     WhenFull, simulate,
/// };
///
/// let spec = LineSpec {
///     name: "M/M/1".into(),
///     time_unit: TimeUnit::Minutes,
///     families: vec!["job".into()],
///     products: vec![ProductSpec {
///         name: "job".into(),
///         family: 0,
///         route: vec![vec![0]],
///         sink: 0,
///         step_processing: vec![],
///     }],
///     stations: vec![StationSpec {
///         name: "server".into(),
///         servers: 1,
///         input: None,
///         processing: vec![Some(Distribution::exponential(1.0)?)],
///         failures: vec![],
///         scrap: 0.0,
///         setup: None,
///         rule: DispatchRule::Fifo,
///         planned_run_time: Vec::new(),
///         power: None,
///         wear: vec![],
///     }],
///     buffers: vec![],
///     sources: vec![SourceSpec {
///         name: "arrivals".into(),
///         kind: SourceKind::Arrivals {
///             interarrival: Distribution::exponential(1.25)?,
///             when_full: WhenFull::Block,
///         },
///         mix: vec![(0, 1.0)],
///         sequence: vec![],
///     }],
///     sinks: vec![SinkSpec { name: "out".into() }],
///     orders: vec![],
///     energy: None,
///     crews: vec![],
/// };
/// let options = RunOptions { seed: 1, replication: 0, horizon: 200_000.0, warmup: 1_000.0 };
/// let kpis = simulate(&spec, &options)?;
/// assert!((kpis.line.wip_mean - 4.0).abs() < 0.5);
/// assert!((kpis.stations["server"].utilization - 0.8).abs() < 0.02);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn simulate(spec: &LineSpec, options: &RunOptions) -> Result<Kpis, StructureError> {
    CompiledLine::new(spec)?.simulate(options)
}

impl CompiledLine {
    /// Simulates one replication of the compiled line and returns its KPIs: the
    /// line's streams are seeded from `(options.seed, options.replication)`, so
    /// the result is the same as [`simulate`] on the spec.
    ///
    /// Errors: a horizon that is not positive and finite, a warm-up outside
    /// `[0, horizon)` (the structure was checked when the line was compiled).
    pub fn simulate(&self, options: &RunOptions) -> Result<Kpis, StructureError> {
        self.simulate_with_rules(options, &[]).map_err(|e| match e {
            RunError::Invalid(e) => e,
            // Without user rules there is none to fail.
            RunError::Rule(failure) => StructureError::line(failure.to_string()),
            e @ RunError::WipLimit { .. } => StructureError::line(e.to_string()),
            RunError::Deadlock(deadlock) => StructureError::line(deadlock.to_string()),
            // Without user policies there is none to fail.
            RunError::Maintenance(failure) => StructureError::line(failure.to_string()),
            // Only an execution reschedules or stops with open orders.
            e @ (RunError::Rescheduler { .. } | RunError::Unfinished { .. }) => {
                StructureError::line(e.to_string())
            }
        })
    }

    /// [`CompiledLine::simulate`] with user dispatching rules: a station whose
    /// rule is `DispatchRule::User { index }` asks `rules[index]`.
    ///
    /// Errors: [`RunError::Invalid`] for bad run options or a station naming a
    /// user rule that is not given; [`RunError::Rule`] when a rule returns an
    /// error or an index out of range, which stops the run at that decision.
    pub fn simulate_with_rules(
        &self,
        options: &RunOptions,
        rules: &[&dyn DispatchPolicy],
    ) -> Result<Kpis, RunError> {
        self.simulate_with(options, rules, &[])
    }

    /// [`CompiledLine::simulate_with_rules`] with user maintenance policies
    /// too: a wear mode whose policy is `Policy::User { index }` asks
    /// `policies[index]` at each reading.
    ///
    /// Errors: those of [`CompiledLine::simulate_with_rules`];
    /// [`RunError::Invalid`] for a wear mode naming a policy that is not
    /// given; [`RunError::Maintenance`] when a policy returns an error, which
    /// stops the run at that reading.
    pub fn simulate_with(
        &self,
        options: &RunOptions,
        rules: &[&dyn DispatchPolicy],
        policies: &[&dyn MaintenancePolicy],
    ) -> Result<Kpis, RunError> {
        options.check()?;
        for (i, station) in self.spec.stations.iter().enumerate() {
            for (m, wear) in station.wear.iter().enumerate() {
                if let crate::line::Policy::User { index } = wear.policy
                    && index as usize >= policies.len()
                {
                    return Err(StructureError::at(
                        format!("stations[{i}].wear[{m}].policy"),
                        format!(
                            "wear mode `{}/{}` uses user policy {index}, but {} user policies \
                             were given",
                            station.name,
                            wear.name,
                            policies.len()
                        ),
                    )
                    .into());
                }
            }
        }
        for (i, station) in self.spec.stations.iter().enumerate() {
            if let DispatchRule::User { index } = station.rule
                && index as usize >= rules.len()
            {
                return Err(StructureError::at(
                    format!("stations[{i}].rule"),
                    format!(
                        "station `{}` uses user rule {index}, but {} user rules were given",
                        station.name,
                        rules.len()
                    ),
                )
                .into());
            }
        }
        let mut sim = Simulation::new(Line::new(self, options, rules, policies));
        sim.model.start(&mut sim.calendar);
        sim.run_until(options.horizon);
        if let Some(failure) = sim.model.rule_failure.take() {
            return Err(failure.into());
        }
        if let Some(failure) = sim.model.policy_failure.take() {
            return Err(RunError::Maintenance(failure));
        }
        if let Some(time) = sim.model.wip_overflow {
            return Err(RunError::WipLimit { time });
        }
        if let Some(deadlock) = sim.model.deadlock(options.horizon) {
            return Err(RunError::Deadlock(deadlock));
        }
        Ok(sim.model.finish(options))
    }
}

/// Why a run with user rules produced no KPIs.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum RunError {
    /// Bad run options, or a user rule that is not given.
    #[error(transparent)]
    Invalid(#[from] StructureError),
    /// A user rule failed.
    #[error("dispatching rule failed: {0}")]
    Rule(#[from] RuleFailure),
    /// A user maintenance policy failed.
    #[error(transparent)]
    Maintenance(PolicyFailure),
    /// The line deadlocked: the run has no KPIs.
    #[error(transparent)]
    Deadlock(Deadlock),
    /// More than [`MAX_WIP`] parts were in the line at `time`: arrivals
    /// outpace it, and the run stopped there.
    #[error(
        "the line held more than {MAX_WIP} parts at t = {time}: its arrivals outpace what it \
         can make (an unstable line, with an unlimited buffer before a station whose offered \
         load is at or above its capacity), so the run stopped with no KPIs"
    )]
    WipLimit {
        /// When the limit was passed.
        time: f64,
    },
    /// The rescheduler of an execution failed, or returned a plan that is not
    /// valid.
    #[error("rescheduling at t = {time} failed: {message}")]
    Rescheduler {
        /// When.
        time: f64,
        /// What the rescheduler (or the check of its plan) said.
        message: String,
    },
    /// An execution ended with orders still open: it stalled, or reached its
    /// horizon.
    #[error("{}", unfinished(*open, *orders, *horizon, *stalled))]
    Unfinished {
        /// Orders not done.
        open: usize,
        /// All orders.
        orders: usize,
        /// The horizon.
        horizon: f64,
        /// When nothing could happen any more (the last operation's start or
        /// end), if the line stalled before the horizon.
        stalled: Option<f64>,
    },
}

fn unfinished(open: usize, orders: usize, horizon: f64, stalled: Option<f64>) -> String {
    match stalled {
        Some(t) => format!(
            "the line stalled at t = {t} with {open} of {orders} orders open: every station waits \
             for an operation that can no longer reach it (with finite buffers, stations keeping \
             their planned sequences can be blocked by the parts they take later); give the \
             buffers more room, or re-dispatch"
        ),
        None => format!("{open} of {orders} orders were not done by the horizon t = {horizon}"),
    }
}

impl Model for Line<'_> {
    type Event = Event;

    #[inline]
    fn handle(&mut self, now: f64, event: Event, cal: &mut EventCalendar<Event>) {
        match event {
            Event::Completion { server, generation } => self.on_completion(server, generation, cal),
            Event::SetupEnd { server, generation } => self.on_setup_end(server, generation, cal),
            Event::Failure { clock, generation } => self.on_failure(clock, generation, cal),
            Event::Repair { clock } => self.on_repair(clock, cal),
            Event::Arrival { source } => self.on_arrival(source, cal),
            Event::OrderRelease { order } => self.on_order_release(order, cal),
            Event::WarmupEnd => self.on_warmup_end(now),
            Event::Reschedule => self.on_reschedule(cal),
            Event::Stop => cal.clear(),
            Event::Reading { unit } => self.on_reading(unit, cal),
            Event::CrewArrival { unit } => self.on_crew_arrival(unit, cal),
            Event::WorkEnd { unit } => self.on_work_end(unit, cal),
            Event::Opportunity { server } => self.on_opportunity(server, cal),
        }
    }
}
