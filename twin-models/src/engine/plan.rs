//! Executing a schedule: each station works through its planned sequence of
//! operations (waiting for the next planned one, right-shifting on delays), or
//! dispatches online; operations can take given realised durations; the plan
//! can be rebuilt from the current state every period or when a server fails.

use std::borrow::Cow;

use sim_core::{EventCalendar, Simulation};

use super::build::{CompiledLine, Line};
use super::event::Event;
use super::part::NONE;
use super::{RunError, RunOptions};
use crate::graph::StructureError;
use crate::kpi::Kpis;
use crate::line::{DispatchRule, ServerState, SourceKind};

/// One operation of a plan: step `step` of the route of order `order`'s part.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PlannedOp {
    /// Index of the order in [`LineSpec::orders`](crate::LineSpec::orders).
    pub order: usize,
    /// Index of the step in its product's route.
    pub step: usize,
}

/// When the remaining operations are planned anew during the run.
#[derive(Clone, Copy)]
pub struct Reschedule<'a> {
    /// Every `period` time units from the start, while orders are open.
    pub period: Option<f64>,
    /// Whenever a server fails.
    pub on_failure: bool,
    /// Who plans.
    pub by: &'a dyn Rescheduler,
}

impl std::fmt::Debug for Reschedule<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Reschedule")
            .field("period", &self.period)
            .field("on_failure", &self.on_failure)
            .finish_non_exhaustive()
    }
}

/// A planner called during the run: given the state of the shop, it returns
/// for every station (indexed like [`LineSpec::stations`](crate::LineSpec::stations))
/// the sequence of the operations not yet started that it will do, each such
/// operation exactly once, or an error that stops the run.
///
/// It must be `Sync`: parallel replications share it.
pub trait Rescheduler: Sync {
    /// The new sequences of the remaining operations.
    fn reschedule(&self, state: &ShopState) -> Result<Vec<Vec<PlannedOp>>, String>;
}

/// What a [`Rescheduler`] sees of the shop at the moment it is called. Times
/// are expectations from planned (mean) durations, never the realised ones,
/// which the planner cannot know.
#[derive(Clone, Debug, PartialEq)]
pub struct ShopState {
    /// The current time.
    pub now: f64,
    /// Per station.
    pub stations: Vec<StationStatus>,
    /// Per order.
    pub orders: Vec<OrderStatus>,
}

/// A station's state for a [`Rescheduler`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct StationStatus {
    /// When a server of the station is expected to be free (at least `now`):
    /// the planned end of the operation it runs, plus the largest mean repair
    /// time of its failure modes while it is down.
    pub available: f64,
    /// Whether every server of the station is down.
    pub down: bool,
}

/// An order's progress for a [`Rescheduler`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct OrderStatus {
    /// The first step of its route not yet started (the route's length when
    /// every step has started).
    pub next_step: usize,
    /// When that step can start at the earliest: the planned end of the
    /// running step, `now` for a part waiting, the release for an order not
    /// yet released.
    pub ready: f64,
    /// Whether its part has left the line.
    pub done: bool,
}

/// Station sequences checked against a line by [`CompiledLine::plan`] or
/// [`CompiledLine::plan_stations`]: every operation at a planned station
/// exactly once, at a station its route step allows, in orders that do not
/// contradict the routes. Checked once, executed any number of times.
///
/// An operation is the step of an order: all its parts. A station keeping the
/// plan takes the parts of its current operation, and only those, until every
/// part of the order that can still reach that step has started there (parts
/// scrapped at an earlier step are not waited for); then it moves on.
#[derive(Clone, Debug, PartialEq)]
pub struct Plan {
    sequences: Vec<Vec<PlannedOp>>,
    planned: Vec<bool>,
    offsets: Vec<usize>,
}

impl Plan {
    /// Per station, its planned sequence (empty for a station without a plan).
    pub fn sequences(&self) -> &[Vec<PlannedOp>] {
        &self.sequences
    }

    /// Per station, whether it keeps a planned sequence (the others dispatch
    /// by their rules).
    pub fn planned(&self) -> &[bool] {
        &self.planned
    }
}

/// How a schedule is executed: see [`CompiledLine::execute`].
#[derive(Clone, Debug, Default)]
pub struct Execution<'a> {
    /// The stations' planned sequences. Needed when `keep` is set or
    /// rescheduling is on; ignored otherwise.
    pub plan: Option<&'a Plan>,
    /// Keep each station's sequence: a free server waits for its next planned
    /// operation (right shift). Off: stations dispatch by their own rules.
    pub keep: bool,
    /// Realised processing time of every operation, indexed by
    /// [`Executed::offsets`]`[order] + step`, instead of drawing it from the
    /// line's distributions: the caller draws them, so that several policies
    /// see the same disturbances operation by operation.
    pub durations: Option<&'a [f64]>,
    /// Planning anew during the run (with `keep`, which it implies).
    pub reschedule: Option<Reschedule<'a>>,
    /// Compute the line's KPIs over the run (an experiment that only needs
    /// the operations' times leaves them out, which saves a third of a small
    /// run's time).
    pub kpis: bool,
}

/// What happened when a schedule was executed.
#[derive(Clone, Debug)]
pub struct Executed {
    /// The line's KPIs over `[0, makespan]`, if asked for.
    pub kpis: Option<Kpis>,
    /// Index of each order's first operation in `start` and `end`.
    pub offsets: Vec<usize>,
    /// When each operation started processing (after its setup): for an
    /// order of several parts, when its first part did.
    pub start: Vec<f64>,
    /// When each operation ended: for an order of several parts, when its last
    /// part did.
    pub end: Vec<f64>,
    /// The station of each operation (of its first part), `None` if it never
    /// started.
    pub stations: Vec<Option<usize>>,
    /// When each order's part left the line.
    pub completion: Vec<f64>,
    /// When the last order was done.
    pub makespan: f64,
    /// How many times the plan was rebuilt.
    pub reschedules: u32,
}

/// The plan's state in one replication.
#[derive(Debug)]
pub(crate) struct PlanState<'a> {
    /// The plan's sequences, owned once a rescheduler replaced them.
    sequences: Cow<'a, [Vec<PlannedOp>]>,
    /// Per station, whether it keeps the plan.
    planned: Cow<'a, [bool]>,
    /// Per station, the position of its next planned operation.
    cursor: Vec<usize>,
    offsets: Vec<usize>,
    durations: Option<&'a [f64]>,
    start: Vec<f64>,
    end: Vec<f64>,
    /// Per operation, the station of its first part ([`NONE`] before it starts).
    stations: Vec<u32>,
    /// Per operation, its parts started at a planned station.
    taken: Vec<u32>,
    /// Per operation, its order's parts that can still reach it: the
    /// quantity less those scrapped at earlier steps.
    expected: Vec<u32>,
    /// Whether a part of an order was scrapped (so that an operation may
    /// expect no part at all).
    scrapped: bool,
    /// Orders not yet done.
    open: usize,
    reschedule: Option<Reschedule<'a>>,
    reschedules: u32,
    /// The first failure of the rescheduler, which stops the run.
    failure: Option<(f64, String)>,
}

impl PlanState<'_> {
    fn op(&self, order: u32, step: u32) -> usize {
        self.offsets[order as usize] + step as usize
    }

    /// Moves `station`'s cursor past every operation whose parts have all
    /// started (or were scrapped before reaching it); returns whether it moved.
    fn skip_done(&mut self, station: usize) -> bool {
        let mut moved = false;
        while let Some(op) = self.sequences[station].get(self.cursor[station]) {
            let i = self.offsets[op.order] + op.step;
            if self.taken[i] < self.expected[i] {
                break;
            }
            self.cursor[station] += 1;
            moved = true;
        }
        moved
    }
}

/// The first operation index of each order, and the number of operations.
fn offsets(c: &CompiledLine) -> (Vec<usize>, usize) {
    let mut offsets = Vec::with_capacity(c.spec.orders.len());
    let mut total = 0;
    for order in &c.spec.orders {
        offsets.push(total);
        total += c.routes[order.product].len();
    }
    (offsets, total)
}

/// Checks that `sequences` plan every operation not `started` exactly once, at
/// a station its step allows, with no cycle between the stations' orders and
/// the routes' (which would leave stations waiting for each other forever).
fn check_plan(
    c: &CompiledLine,
    offsets: &[usize],
    planned: &[bool],
    sequences: &[Vec<PlannedOp>],
    started: &[bool],
) -> Result<(), String> {
    let spec = &c.spec;
    if sequences.len() != spec.stations.len() {
        return Err(format!(
            "it has {} station sequences, but the line has {} stations",
            sequences.len(),
            spec.stations.len()
        ));
    }
    if let Some((s, sequence)) = sequences
        .iter()
        .enumerate()
        .find(|(s, q)| !planned[*s] && !q.is_empty())
    {
        return Err(format!(
            "station `{}` keeps no plan, but {} operations are planned there",
            spec.stations[s].name,
            sequence.len()
        ));
    }
    // Which operations need a place in the plan: those of steps done at
    // planned stations. A step's stations are all planned or none (a part
    // could not both wait for a plan and be dispatched).
    let total = started.len();
    let mut needed = vec![false; total];
    for (o, order) in spec.orders.iter().enumerate() {
        for (k, step) in c.routes[order.product].iter().enumerate() {
            let on_plan = step.stations.iter().filter(|&&s| planned[s as usize]);
            let n = on_plan.clone().count();
            if n > 0 && n < step.stations.len() {
                let name = |want: bool| {
                    let s = step.stations.iter().find(|&&s| planned[s as usize] == want);
                    &spec.stations[*s.expect("both kinds are there") as usize].name
                };
                return Err(format!(
                    "order `{}` step {k} may go to station `{}`, which keeps the plan, or to \
                     `{}`, which does not: plan every station of a step or none",
                    order.id,
                    name(true),
                    name(false)
                ));
            }
            needed[offsets[o] + k] = n > 0;
        }
    }
    let mut station_of = vec![usize::MAX; total];
    for (s, sequence) in sequences.iter().enumerate() {
        for (k, op) in sequence.iter().enumerate() {
            let at = || {
                format!(
                    "position {k} of station `{}` (order {}, step {})",
                    spec.stations[s].name, op.order, op.step
                )
            };
            let Some(order) = spec.orders.get(op.order) else {
                return Err(format!("{}: there are {} orders", at(), spec.orders.len()));
            };
            let route = &c.routes[order.product];
            let Some(step) = route.get(op.step) else {
                return Err(format!(
                    "{}: order `{}` has {} steps",
                    at(),
                    order.id,
                    route.len()
                ));
            };
            if !step.stations.contains(&(s as u32)) {
                return Err(format!(
                    "{}: order `{}` does not visit this station at that step",
                    at(),
                    order.id
                ));
            }
            let i = offsets[op.order] + op.step;
            if started[i] {
                return Err(format!("{}: it has already started", at()));
            }
            if station_of[i] != usize::MAX {
                return Err(format!("{}: it is planned twice", at()));
            }
            station_of[i] = s;
        }
    }
    if let Some(i) = (0..total).find(|&i| needed[i] && !started[i] && station_of[i] == usize::MAX) {
        let order = offsets.partition_point(|&o| o <= i) - 1;
        return Err(format!(
            "order `{}` step {} is not planned at any station",
            spec.orders[order].id,
            i - offsets[order]
        ));
    }
    // Kahn's algorithm over the operations not started: an edge from each to
    // the next step of its order and to the next one of its station.
    let mut indegree = vec![0u32; total];
    let mut next_on_station = vec![usize::MAX; total];
    for sequence in sequences {
        for pair in sequence.windows(2) {
            let (a, b) = (
                offsets[pair[0].order] + pair[0].step,
                offsets[pair[1].order] + pair[1].step,
            );
            next_on_station[a] = b;
            indegree[b] += 1;
        }
    }
    let next_in_order = |i: usize| -> Option<usize> {
        let order = offsets.partition_point(|&o| o <= i) - 1;
        let end = offsets.get(order + 1).copied().unwrap_or(total);
        (i + 1 < end).then_some(i + 1)
    };
    for (i, _) in started.iter().enumerate().filter(|(_, s)| !**s) {
        if let Some(j) = next_in_order(i) {
            indegree[j] += 1;
        }
    }
    let mut ready: Vec<usize> = (0..total)
        .filter(|&i| !started[i] && indegree[i] == 0)
        .collect();
    let mut done = 0;
    while let Some(i) = ready.pop() {
        done += 1;
        for j in [next_in_order(i), Some(next_on_station[i])]
            .into_iter()
            .flatten()
            .filter(|&j| j != usize::MAX)
        {
            indegree[j] -= 1;
            if indegree[j] == 0 {
                ready.push(j);
            }
        }
    }
    let remaining = started.iter().filter(|&&s| !s).count();
    if done < remaining {
        return Err(format!(
            "the station sequences contradict the routes: {} operations wait for each other \
             in a cycle (a station plans an operation before one that must precede it)",
            remaining - done
        ));
    }
    Ok(())
}

impl CompiledLine {
    /// Checks `sequences` (one per station) against the line: every operation
    /// of every order exactly once, at a station its route step allows, and no
    /// cycle between the stations' orders and the routes (stations that would
    /// wait for each other forever).
    ///
    /// Errors: the first problem, naming the station, the position and the
    /// operation.
    pub fn plan(&self, sequences: Vec<Vec<PlannedOp>>) -> Result<Plan, StructureError> {
        self.plan_stations(sequences.into_iter().map(Some).collect())
    }

    /// Checks a plan of some stations (`None`: the station dispatches by its
    /// rule): every operation of a step done at a planned station exactly once
    /// at one of them, as [`CompiledLine::plan`] checks a plan of every
    /// station. A step whose stations are partly planned is refused.
    ///
    /// Errors: the first problem, naming the station, the position and the
    /// operation.
    pub fn plan_stations(
        &self,
        sequences: Vec<Option<Vec<PlannedOp>>>,
    ) -> Result<Plan, StructureError> {
        let (offsets, total) = offsets(self);
        let planned: Vec<bool> = sequences.iter().map(Option::is_some).collect();
        let sequences: Vec<Vec<PlannedOp>> = sequences
            .into_iter()
            .map(Option::unwrap_or_default)
            .collect();
        if planned.len() != self.spec.stations.len() {
            return Err(StructureError::at(
                "sequences",
                format!(
                    "it has {} station sequences, but the line has {} stations",
                    planned.len(),
                    self.spec.stations.len()
                ),
            ));
        }
        check_plan(self, &offsets, &planned, &sequences, &vec![false; total])
            .map_err(|e| StructureError::at("sequences", e))?;
        Ok(Plan {
            sequences,
            planned,
            offsets,
        })
    }

    /// Executes a schedule: one replication of the line, seeded like
    /// [`CompiledLine::simulate`], run until every order is done (or the
    /// horizon), with the planned sequences kept or the stations' rules
    /// dispatching, given realised durations, and rescheduling; every
    /// operation's start and end is recorded.
    ///
    /// With `keep`, a free server takes only its station's next planned
    /// operation: if that part is not there yet, the server waits for it even
    /// when other parts wait (the sequence is kept; delays shift what follows).
    /// With deterministic durations and no failures, the starts are those of
    /// the semi-active schedule of the sequences.
    ///
    /// Errors: [`RunError::Invalid`] for bad options, an order of more than one
    /// part with realised durations or rescheduling, a plan that misses or
    /// repeats an operation, puts it at a station its route does not allow
    /// there, or contradicts the routes (a cycle), or durations of the wrong
    /// length or not finite and non-negative;
    /// [`RunError::Rescheduler`] when the rescheduler fails or returns such a
    /// plan; [`RunError::Deadlock`] when servers block each other in a cycle of
    /// full buffers; [`RunError::Unfinished`] when orders are still open
    /// otherwise (stations waiting for planned operations that cannot reach
    /// them, or the horizon).
    pub fn execute(
        &self,
        options: &RunOptions,
        execution: &Execution<'_>,
    ) -> Result<Executed, RunError> {
        options.check()?;
        let spec = &self.spec;
        // Realised durations and the rescheduler's state are per operation of
        // one part.
        let per_part = if execution.durations.is_some() {
            Some("realised durations per operation")
        } else {
            execution.reschedule.map(|_| "rescheduling")
        };
        if let Some(what) = per_part
            && let Some(order) = spec.orders.iter().find(|o| o.quantity != 1)
        {
            return Err(StructureError::at(
                "orders",
                format!(
                    "{what} needs orders of one part each, but order `{}` has {}",
                    order.id, order.quantity
                ),
            )
            .into());
        }
        for (i, station) in spec.stations.iter().enumerate() {
            if let DispatchRule::User { .. } = station.rule {
                return Err(StructureError::at(
                    format!("stations[{i}].rule"),
                    format!(
                        "station `{}` uses a user rule, which executing a schedule does not take",
                        station.name
                    ),
                )
                .into());
            }
        }
        let (offsets, total) = offsets(self);
        let keep = execution.keep || execution.reschedule.is_some();
        if keep
            && let Some((i, source)) = spec
                .sources
                .iter()
                .enumerate()
                .find(|(_, s)| !matches!(s.kind, SourceKind::Orders))
        {
            // A part without an order is in no plan: a station keeping its
            // sequence could neither take it nor skip it.
            return Err(StructureError::at(
                format!("sources[{i}].kind"),
                format!(
                    "keeping planned sequences needs every part to come from an order, but \
                     source `{}` is not of kind orders",
                    source.name
                ),
            )
            .into());
        }
        let (sequences, planned): (Cow<'_, [Vec<PlannedOp>]>, Cow<'_, [bool]>) =
            match execution.plan {
                Some(plan)
                    if plan.offsets == offsets && plan.sequences.len() == spec.stations.len() =>
                {
                    (Cow::Borrowed(&plan.sequences), Cow::Borrowed(&plan.planned))
                }
                Some(_) => {
                    return Err(StructureError::at(
                        "plan",
                        "the plan was checked against another line (other stations or routes)",
                    )
                    .into());
                }
                None if keep => {
                    return Err(StructureError::at(
                        "plan",
                        "keeping sequences or rescheduling needs a plan (CompiledLine::plan)",
                    )
                    .into());
                }
                None => (
                    Cow::Borrowed(&[]),
                    Cow::Owned(vec![false; spec.stations.len()]),
                ),
            };
        if let Some(durations) = execution.durations {
            if durations.len() != total {
                return Err(StructureError::at(
                    "durations",
                    format!(
                        "the orders have {total} operations, but {} durations were given",
                        durations.len()
                    ),
                )
                .into());
            }
            if let Some((i, d)) = durations
                .iter()
                .enumerate()
                .find(|(_, d)| !(d.is_finite() && **d >= 0.0))
            {
                return Err(StructureError::at(
                    format!("durations[{i}]"),
                    format!("must be finite and non-negative, got {d}"),
                )
                .into());
            }
        }
        if let Some(r) = &execution.reschedule
            && let Some(period) = r.period
            && !(period.is_finite() && period > 0.0)
        {
            return Err(StructureError::at(
                "reschedule.period",
                format!("must be positive and finite, got {period}"),
            )
            .into());
        }
        let mut line = Line::new(self, options, &[], &[]);
        for (station, &on_plan) in planned.iter().enumerate() {
            let st = &mut line.stations[station];
            // Every station records its operations: off the plain fast path.
            st.step_times = true;
            st.special_end = true;
            st.plain = false;
            st.planned = keep && on_plan;
            st.special_start |= st.planned;
            if st.planned {
                let input = st.input as usize;
                // Whether a part may be taken now depends on the part.
                line.buffers[input].single_consumer = false;
            }
        }
        let mut expected = Vec::with_capacity(total);
        for o in &spec.orders {
            expected.resize(expected.len() + self.routes[o.product].len(), o.quantity);
        }
        line.plan = Some(Box::new(PlanState {
            sequences,
            planned,
            cursor: vec![0; spec.stations.len()],
            offsets,
            durations: execution.durations,
            start: vec![f64::NAN; total],
            end: vec![f64::NAN; total],
            stations: vec![NONE; total],
            taken: vec![0; total],
            expected,
            scrapped: false,
            open: spec.orders.len(),
            reschedule: execution.reschedule,
            reschedules: 0,
            failure: None,
        }));
        let mut sim = Simulation::new(line);
        sim.model.start(&mut sim.calendar);
        if let Some(period) = execution.reschedule.and_then(|r| r.period) {
            sim.calendar.schedule_at(period, Event::Reschedule);
        }
        if !spec.orders.is_empty() {
            sim.run_until(options.horizon);
        }
        let plan = sim.model.plan.take().expect("the plan was set above");
        if let Some((time, message)) = plan.failure {
            return Err(RunError::Rescheduler { time, message });
        }
        if plan.open > 0 {
            let last = plan
                .start
                .iter()
                .chain(&plan.end)
                .copied()
                .filter(|t| t.is_finite())
                .fold(0.0, f64::max);
            let stalled = sim.calendar.is_empty();
            // Servers blocked in a cycle of full buffers: name them.
            if stalled && let Some(deadlock) = sim.model.deadlock(last) {
                return Err(RunError::Deadlock(deadlock));
            }
            return Err(RunError::Unfinished {
                open: plan.open,
                orders: spec.orders.len(),
                horizon: options.horizon,
                stalled: stalled.then_some(last),
            });
        }
        let completion: Vec<f64> = sim.model.orders.iter().map(|o| o.completion).collect();
        let makespan = completion.iter().copied().fold(0.0, f64::max);
        let end_options = RunOptions {
            horizon: makespan.max(f64::MIN_POSITIVE),
            warmup: 0.0,
            ..*options
        };
        let kpis = execution.kpis.then(|| sim.model.finish(&end_options));
        Ok(Executed {
            kpis,
            offsets: plan.offsets,
            start: plan.start,
            end: plan.end,
            stations: plan
                .stations
                .iter()
                .map(|&s| (s != NONE).then_some(s as usize))
                .collect(),
            completion,
            makespan,
            reschedules: plan.reschedules,
        })
    }
}

impl Line<'_> {
    /// Whether `part` is the next planned operation of `station`.
    pub(crate) fn planned_next(&self, part: u32, station: u32) -> bool {
        let Some(plan) = self.plan.as_deref() else {
            return true;
        };
        let p = &self.parts[part];
        let s = station as usize;
        plan.sequences[s]
            .get(plan.cursor[s])
            .is_some_and(|op| op.order == p.order as usize && op.step == p.step as usize)
    }

    /// The queue position and id of the next planned operation of `station`,
    /// if its part waits in `input`.
    pub(crate) fn pick_planned(&self, station: u32, input: u32) -> Option<(usize, u32)> {
        self.buffers[input as usize]
            .iter(&self.parts)
            .enumerate()
            .find(|&(_, p)| self.planned_next(p, station))
    }

    /// `part` starts at planned `station`: once every part of its operation
    /// has, the station's plan moves on.
    #[cold]
    #[inline(never)]
    pub(crate) fn advance_plan(&mut self, station: usize, part: u32) {
        if let Some(plan) = self.plan.as_deref_mut() {
            // The part is the station's next planned operation's.
            let p = &self.parts[part];
            let op = plan.op(p.order, p.step);
            plan.taken[op] += 1;
            if plan.taken[op] >= plan.expected[op] {
                plan.cursor[station] += 1;
                // Without scrap every later operation still expects a part.
                if plan.scrapped {
                    plan.skip_done(station);
                }
            }
        }
    }

    /// `part` is scrapped: planned stations stop waiting for it at its later
    /// steps. Returns whether a station's plan moved on (its servers may now
    /// find their next operation waiting).
    #[inline(never)]
    pub(crate) fn plan_scrapped(&mut self, part: u32) -> bool {
        let Some(plan) = self.plan.as_deref_mut() else {
            return false;
        };
        let p = &self.parts[part];
        if p.order == NONE {
            return false;
        }
        // Its order's later steps expect one part less.
        let order = p.order as usize;
        let end = plan
            .offsets
            .get(order + 1)
            .copied()
            .unwrap_or(plan.taken.len());
        let op = plan.op(p.order, p.step);
        for expected in &mut plan.expected[op + 1..end] {
            *expected -= 1;
        }
        plan.scrapped = true;
        let mut moved = false;
        for station in 0..plan.planned.len() {
            if plan.planned[station] {
                moved |= plan.skip_done(station);
            }
        }
        moved
    }

    /// Starved servers try their input again (their station's plan changed).
    #[inline(never)]
    pub(crate) fn wake_starved(&mut self, cal: &mut EventCalendar<Event>) {
        for server in 0..self.servers.len() as u32 {
            if self.servers[server as usize].state == ServerState::Starved {
                self.try_pull(server, cal);
            }
        }
    }

    /// The realised duration of `part`'s operation at `station`, if the
    /// execution gives it; the operation's start is recorded (its first
    /// part's).
    pub(crate) fn plan_start(&mut self, station: usize, part: u32, now: f64) -> Option<f64> {
        let plan = self.plan.as_deref_mut()?;
        let p = &self.parts[part];
        if p.order == NONE {
            return None;
        }
        let op = plan.op(p.order, p.step);
        if plan.stations[op] == NONE {
            plan.start[op] = now;
            plan.stations[op] = station as u32;
        }
        plan.durations.map(|d| d[op])
    }

    /// `part`'s operation ended at `now` (the last part's end is kept).
    pub(crate) fn plan_end(&mut self, part: u32, now: f64) {
        if let Some(plan) = self.plan.as_deref_mut() {
            let p = &self.parts[part];
            if p.order != NONE {
                let op = plan.op(p.order, p.step);
                plan.end[op] = now;
            }
        }
    }

    /// An order is done; after the last one the run stops (at this instant,
    /// before anything this event sets off later, such as failure clocks
    /// that restart as servers fall idle).
    pub(crate) fn plan_order_done(&mut self, cal: &mut EventCalendar<Event>) {
        if let Some(plan) = self.plan.as_deref_mut() {
            plan.open -= 1;
            if plan.open == 0 {
                cal.schedule(0.0, Event::Stop);
            }
        }
    }

    /// The periodic rescheduling point.
    pub(crate) fn on_reschedule(&mut self, cal: &mut EventCalendar<Event>) {
        let Some(plan) = self.plan.as_deref() else {
            return;
        };
        if plan.open == 0 {
            return;
        }
        if let Some(period) = plan.reschedule.and_then(|r| r.period) {
            cal.schedule(period, Event::Reschedule);
        }
        self.reschedule(cal);
    }

    /// A server failed: replan if the execution asks for it.
    pub(crate) fn on_failure_replan(&mut self, cal: &mut EventCalendar<Event>) {
        if self
            .plan
            .as_deref()
            .is_some_and(|p| p.open > 0 && p.reschedule.is_some_and(|r| r.on_failure))
        {
            self.reschedule(cal);
        }
    }

    /// The shop as a rescheduler sees it now.
    fn shop_state(&self, now: f64) -> ShopState {
        let plan = self.plan.as_deref().expect("rescheduling runs with a plan");
        let spec = &self.c.spec;
        let mut orders: Vec<OrderStatus> = spec
            .orders
            .iter()
            .zip(&self.orders)
            .map(|(o, state)| OrderStatus {
                next_step: 0,
                ready: o.release.max(now),
                done: state.remaining == 0,
            })
            .collect();
        for (o, status) in orders.iter_mut().enumerate() {
            if status.done {
                status.next_step = self.c.routes[spec.orders[o].product].len();
            }
        }
        let mut stations: Vec<StationStatus> = spec
            .stations
            .iter()
            .map(|_| StationStatus {
                available: f64::INFINITY,
                down: true,
            })
            .collect();
        for (server, s) in self.servers.iter().enumerate() {
            let station = s.station as usize;
            let mut available = now;
            if s.runs_an_operation() {
                let p = self.parts[s.part];
                // A part without an order ends at its planned end too, but
                // its start is not recorded: take it as now.
                let started = if p.order == NONE {
                    now
                } else {
                    plan.start[plan.op(p.order, p.step)]
                };
                available = (started + self.nominal(s.station, s.part)).max(now);
                if p.order != NONE {
                    orders[p.order as usize].next_step = p.step as usize + 1;
                    orders[p.order as usize].ready = available;
                }
            } else if s.part != NONE {
                // Blocked with a finished part: it is ready for its next step.
                let p = self.parts[s.part];
                if p.order != NONE {
                    orders[p.order as usize].next_step = p.step as usize;
                    orders[p.order as usize].ready = now;
                }
            }
            if s.state.stopped() {
                available += self.mean_repair(server as u32);
            }
            let status = &mut stations[station];
            status.available = status.available.min(available);
            status.down &= s.state.stopped();
        }
        for buffer in &self.buffers {
            for part in buffer.iter(&self.parts) {
                let p = self.parts[part];
                if p.order != NONE {
                    orders[p.order as usize].next_step = p.step as usize;
                    orders[p.order as usize].ready = now;
                }
            }
        }
        ShopState {
            now,
            stations,
            orders,
        }
    }

    /// Asks the rescheduler for new sequences and switches to them.
    fn reschedule(&mut self, cal: &mut EventCalendar<Event>) {
        let now = cal.now();
        let state = self.shop_state(now);
        let plan = self.plan.as_deref().expect("rescheduling runs with a plan");
        let Some(by) = plan.reschedule.map(|r| r.by) else {
            return;
        };
        // Started: the operations before each order's next step.
        let mut started = vec![false; plan.start.len()];
        for (o, status) in state.orders.iter().enumerate() {
            let first = plan.offsets[o];
            started[first..first + status.next_step].fill(true);
        }
        let result = by.reschedule(&state).and_then(|sequences| {
            check_plan(self.c, &plan.offsets, &plan.planned, &sequences, &started)
                .map(|()| sequences)
                .map_err(|e| format!("the rescheduler's plan is not valid: {e}"))
        });
        let plan = self.plan.as_deref_mut().expect("checked above");
        match result {
            Ok(sequences) => {
                plan.sequences = Cow::Owned(sequences);
                plan.cursor.fill(0);
                plan.reschedules += 1;
            }
            Err(message) => {
                plan.failure.get_or_insert((now, message));
                // The run stops here.
                cal.clear();
                return;
            }
        }
        // A starved server may now find its new next operation waiting.
        self.wake_starved(cal);
    }
}
