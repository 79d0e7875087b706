//! Degradation and maintenance: each wear mode of each server is a unit whose
//! health a clock (or the server's operations) drives; its policy decides when
//! work is called for, and crews assign technicians. The concern stops and
//! restarts servers through `interrupt.rs` and never moves parts itself.

mod crew;
mod dataset;
mod health;

use nalgebra::{Matrix2, Vector2};
use rand_distr::{Distribution as _, StandardNormal};
use sim_core::{EventCalendar, RandomStream, StreamKey};

use super::build::Line;
use super::event::Event;
use super::part::NONE;
use crate::line::{LineSpec, Observe, Policy, ServerState, WearSpec};
pub(crate) use crew::{Crew, CrewBooks, CrewTable};
pub use dataset::{Reading, run_to_failure};
pub(crate) use health::{Health, HealthTable};

/// A user's maintenance policy ([`Policy::User`]): at each reading of a unit's
/// condition signal, whether to call for preventive work now. The only dynamic
/// call of the maintenance concern, once per reading.
pub trait MaintenancePolicy: Sync {
    /// Decides for `unit` from `history`, its readings since the last renewal
    /// as `(age, value)`, oldest first (the last is the reading just taken).
    ///
    /// Errors: a message, which stops the run with
    /// [`RunError::Maintenance`](crate::RunError::Maintenance).
    fn maintain(&self, unit: &UnitView<'_>, history: &[(f64, f64)]) -> Result<bool, String>;
}

/// The unit a [`MaintenancePolicy`] decides for.
#[derive(Clone, Copy, Debug)]
pub struct UnitView<'a> {
    /// Its station.
    pub station: &'a str,
    /// Its wear mode.
    pub mode: &'a str,
    /// The server of the station it wears on, from 0.
    pub server: u32,
    /// The time of the reading.
    pub now: f64,
    /// Its age, in the wear model's clock time (operations for wear by use).
    pub age: f64,
}

/// A user maintenance policy's error, where and when it happened.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("maintenance policy of `{station}/{mode}` failed at t = {time}: {message}")]
pub struct PolicyFailure {
    /// When.
    pub time: f64,
    /// The station.
    pub station: String,
    /// The wear mode.
    pub mode: String,
    /// What the policy said.
    pub message: String,
}

/// A wear mode of a station, compiled.
#[derive(Debug)]
pub(crate) struct WearTable {
    pub(crate) station: u32,
    pub(crate) health: HealthTable,
    pub(crate) spec: WearSpec,
    /// The crew's index, or `NONE`.
    pub(crate) crew: u32,
}

/// A unit's fixed description: one wear mode on one server.
#[derive(Debug)]
pub(crate) struct UnitTable {
    pub(crate) server: u32,
    pub(crate) wear: u32,
    /// Its wear clock (time-driven models), or `NONE`.
    pub(crate) clock: u32,
    /// Its periodic-maintenance clock, or `NONE`.
    pub(crate) periodic: u32,
    keys: [StreamKey; 4],
}

/// The compiled maintenance of a line: empty when no station wears.
#[derive(Debug, Default)]
pub(crate) struct Tables {
    pub(crate) wears: Vec<WearTable>,
    pub(crate) units: Vec<UnitTable>,
    pub(crate) crews: Vec<CrewTable>,
}

impl Tables {
    /// Compiles the wear modes of `station` for its server `server` (the
    /// `index`-th of the station's servers); `clocks` hands out clock indices
    /// (`clock(kind)` pushes a clock owned by the given unit).
    pub(crate) fn add_units(
        &mut self,
        spec: &LineSpec,
        station: usize,
        server: u32,
        index: u32,
        mut clock: impl FnMut(crate::line::FailureClock, u32) -> u32,
    ) {
        let st = &spec.stations[station];
        for (m, mode) in st.wear.iter().enumerate() {
            let wear = self.wear_index(spec, station, m);
            let unit = self.units.len() as u32;
            let health = &self.wears[wear as usize].health;
            let clock_index = health.clock.map_or(NONE, |kind| clock(kind, unit));
            let periodic = match mode.policy {
                Policy::Periodic { clock: kind, .. } => clock(kind, unit),
                _ => NONE,
            };
            let entity = format!("{}/{}", st.name, mode.name);
            let key = |purpose| StreamKey::new(purpose, &entity, u64::from(index));
            self.units.push(UnitTable {
                server,
                wear,
                clock: clock_index,
                periodic,
                keys: [
                    key("wear"),
                    key("maintenance-work"),
                    key("signal-noise"),
                    key("restart"),
                ],
            });
        }
    }

    /// The compiled wear mode `mode` of `station`, compiled on first use.
    fn wear_index(&mut self, spec: &LineSpec, station: usize, mode: usize) -> u32 {
        let spec_mode = &spec.stations[station].wear[mode];
        if let Some(i) = self
            .wears
            .iter()
            .position(|w| w.station == station as u32 && w.spec.name == spec_mode.name)
        {
            return i as u32;
        }
        self.wears.push(WearTable {
            station: station as u32,
            health: HealthTable::new(&spec_mode.model),
            spec: spec_mode.clone(),
            crew: spec_mode.crew.map_or(NONE, |c| c as u32),
        });
        (self.wears.len() - 1) as u32
    }
}

/// What a unit's job is doing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Job {
    None,
    /// Waiting for a technician.
    Queued,
    /// A technician is on the way.
    Travelling,
    /// The technician is there, but the server is stopped for other work.
    OnSite,
    Working,
}

/// The kind of a job.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    Repair,
    Preventive,
    Inspection,
}

/// What the wear clock's next event means.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Next {
    /// The health changes.
    Change,
    /// The policy's age is reached.
    Due,
}

/// What a unit has cost and done during the period.
#[derive(Clone, Debug, Default)]
pub(crate) struct UnitBooks {
    pub(crate) failures: u64,
    pub(crate) preventive: u64,
    pub(crate) inspections: u64,
    pub(crate) repair_cost: f64,
    pub(crate) preventive_cost: f64,
    pub(crate) inspection_cost: f64,
    /// Server time stopped for the unit: down, waiting, under work.
    pub(crate) downtime: f64,
    /// Time from a request to the technician's arrival, summed, and arrivals.
    pub(crate) crew_wait: f64,
    pub(crate) crew_waits: u64,
    /// `downtime` priced at the mode's rate (set when units are summed).
    pub(crate) downtime_cost: f64,
}

impl UnitBooks {
    /// Adds `other`'s books, its downtime priced at `rate` per unit of time.
    fn add(&mut self, other: &UnitBooks, rate: f64) {
        self.failures += other.failures;
        self.preventive += other.preventive;
        self.inspections += other.inspections;
        self.repair_cost += other.repair_cost;
        self.preventive_cost += other.preventive_cost;
        self.inspection_cost += other.inspection_cost;
        self.downtime += other.downtime;
        self.crew_wait += other.crew_wait;
        self.crew_waits += other.crew_waits;
        self.downtime_cost += other.downtime_cost + other.downtime * rate;
    }

    /// Repair, preventive, inspection and downtime cost.
    pub(crate) fn cost(&self) -> f64 {
        self.repair_cost + self.preventive_cost + self.inspection_cost + self.downtime_cost
    }
}

/// The closed maintenance books of a replication.
#[derive(Debug, Default)]
pub(crate) struct MaintenanceBooks {
    /// Per station, its units' books summed; `None` for a station that
    /// does not wear.
    pub(crate) stations: Vec<Option<UnitBooks>>,
    /// Per crew, its books and the summed books of the units it serves.
    pub(crate) crews: Vec<CrewBooks>,
    pub(crate) crew_units: Vec<UnitBooks>,
}

/// The readings since the last renewal that a predictive policy fits: a ring
/// of `(age, value)`, allocated once.
#[derive(Debug, Default)]
struct Readings {
    points: Vec<(f64, f64)>,
    next: usize,
    len: usize,
}

impl Readings {
    fn push(&mut self, point: (f64, f64)) {
        if self.points.is_empty() {
            return;
        }
        self.points[self.next] = point;
        self.next = (self.next + 1) % self.points.len();
        self.len = (self.len + 1).min(self.points.len());
    }

    fn clear(&mut self) {
        self.next = 0;
        self.len = 0;
    }

    /// The least-squares line `value = a + b·age` through the readings, if
    /// there are at least two at distinct ages.
    fn fit(&self) -> Option<(f64, f64)> {
        if self.len < 2 {
            return None;
        }
        let (mut xtx, mut xty) = (Matrix2::zeros(), Vector2::zeros());
        for &(age, value) in &self.points[..self.len] {
            let x = Vector2::new(1.0, age);
            xtx += x * x.transpose();
            xty += x * value;
        }
        let coefficients = xtx.lu().solve(&xty)?;
        coefficients
            .iter()
            .all(|c| c.is_finite())
            .then(|| (coefficients[0], coefficients[1]))
    }
}

/// A unit's state in one replication.
#[derive(Debug)]
pub(crate) struct Unit {
    pub(crate) server: u32,
    wear: u32,
    clock: u32,
    periodic: u32,
    health: Health,
    /// The interval the wear clock was last armed with, and what it means.
    armed: f64,
    next: Next,
    pub(crate) job: Job,
    kind: Kind,
    requested: f64,
    /// Since when the server is stopped for this unit (NaN: it is not).
    stopped_since: f64,
    /// An opportunistic policy waits for the server to be idle.
    watching: bool,
    readings: Readings,
    /// Every reading since the last renewal, for a user policy.
    history: Vec<(f64, f64)>,
    health_stream: RandomStream,
    work_stream: RandomStream,
    noise_stream: RandomStream,
    pub(crate) restart_stream: RandomStream,
    pub(crate) books: UnitBooks,
}

impl Unit {
    /// Fresh units for one replication.
    pub(crate) fn all(tables: &Tables, stream: impl Fn(StreamKey) -> RandomStream) -> Vec<Self> {
        tables
            .units
            .iter()
            .map(|t| {
                let wear = &tables.wears[t.wear as usize];
                let mut health_stream = stream(t.keys[0]);
                let mut health = Health::default();
                wear.health.renew(&mut health, &mut health_stream);
                let window = match wear.spec.policy {
                    Policy::Predictive { window, .. } => window as usize,
                    _ => 0,
                };
                Unit {
                    server: t.server,
                    wear: t.wear,
                    clock: t.clock,
                    periodic: t.periodic,
                    health,
                    armed: 0.0,
                    next: Next::Change,
                    job: Job::None,
                    kind: Kind::Repair,
                    requested: 0.0,
                    stopped_since: f64::NAN,
                    watching: false,
                    readings: Readings {
                        points: vec![(0.0, 0.0); window],
                        next: 0,
                        len: 0,
                    },
                    history: Vec::new(),
                    health_stream,
                    work_stream: stream(t.keys[1]),
                    noise_stream: stream(t.keys[2]),
                    restart_stream: stream(t.keys[3]),
                    books: UnitBooks::default(),
                }
            })
            .collect()
    }
}

impl<'c> Line<'c> {
    fn wear_of(&self, unit: u32) -> &'c WearTable {
        let c: &'c super::CompiledLine = self.c;
        &c.maintenance.wears[self.units[unit as usize].wear as usize]
    }

    /// Time 0: every unit's clocks get their first interval, sensors and
    /// inspections their first reading (before the clocks start).
    pub(crate) fn start_maintenance(&mut self, cal: &mut EventCalendar<Event>) {
        for u in 0..self.units.len() as u32 {
            self.arm(u, cal);
            let unit = &self.units[u as usize];
            if unit.periodic != NONE
                && let Policy::Periodic { every, .. } = self.wear_of(u).spec.policy
            {
                let (periodic, server) = (unit.periodic, unit.server);
                self.reset_clock(periodic, every, server, cal);
            }
            if let Some(Observe::Every { period } | Observe::Inspection { period, .. }) =
                self.wear_of(u).spec.signal.as_ref().map(|s| &s.observe)
            {
                cal.schedule(*period, Event::Reading { unit: u });
            }
        }
    }

    /// The unit's age now, in its clock's time (or operations).
    fn age(&self, unit: u32, now: f64) -> f64 {
        let u = &self.units[unit as usize];
        if u.clock == NONE {
            return u.health.age;
        }
        let clock = &self.clocks[u.clock as usize];
        let state = self.servers[u.server as usize].state;
        let remaining = if clock.runs_in(state) {
            clock.remaining - (now - clock.running_since)
        } else {
            clock.remaining
        };
        u.health.age + (u.armed - remaining).max(0.0)
    }

    /// The age at which the policy next calls for work, if any is ahead.
    fn due_age(&self, unit: u32) -> Option<f64> {
        let age = self.units[unit as usize].health.age;
        match self.wear_of(unit).spec.policy {
            Policy::Age { age: due } => (age < due).then_some(due),
            Policy::Opportunistic { early, age: due } => {
                if age < early {
                    Some(early)
                } else {
                    (age < due).then_some(due)
                }
            }
            _ => None,
        }
    }

    /// Sets the wear clock of a time-driven unit to its next event (a change
    /// of health or the policy's age), from the unit's age now.
    fn arm(&mut self, unit: u32, cal: &mut EventCalendar<Event>) {
        let due = self.due_age(unit);
        let u = &mut self.units[unit as usize];
        if u.clock == NONE {
            return;
        }
        let (interval, next) = match due {
            Some(due) if due - u.health.age < u.health.change_left => {
                (due - u.health.age, Next::Due)
            }
            _ => (u.health.change_left, Next::Change),
        };
        u.armed = interval;
        u.next = next;
        let (c, server) = (u.clock, u.server);
        self.reset_clock(c, interval, server, cal);
    }

    /// Gives clock `c` of `server` a fresh interval, scheduling it at once if
    /// it runs in the server's present state.
    fn reset_clock(&mut self, c: u32, interval: f64, server: u32, cal: &mut EventCalendar<Event>) {
        let state = self.servers[server as usize].state;
        let clock = &mut self.clocks[c as usize];
        clock.remaining = interval;
        clock.generation = clock.generation.wrapping_add(1);
        if clock.runs_in(state) && interval.is_finite() {
            clock.running_since = cal.now();
            cal.schedule(
                interval,
                Event::Failure {
                    clock: c,
                    generation: clock.generation,
                },
            );
        }
    }

    /// A clock owned by a unit ran out: its wear clock (a change of health or
    /// the policy's age) or its periodic-maintenance clock.
    #[cold]
    pub(crate) fn on_unit_clock(&mut self, clock: u32, unit: u32, cal: &mut EventCalendar<Event>) {
        let u = &mut self.units[unit as usize];
        if clock == u.periodic {
            if let Policy::Periodic { every, .. } = self.wear_of(unit).spec.policy {
                let server = self.units[unit as usize].server;
                // Counted again from now, should the work be slow to come.
                self.reset_clock(clock, every, server, cal);
            }
            self.call_for(unit, Kind::Preventive, cal);
            return;
        }
        let interval = u.armed;
        u.health.age += interval;
        u.health.change_left -= interval;
        match u.next {
            Next::Change => {
                let wear = self.wear_of(unit);
                let u = &mut self.units[unit as usize];
                wear.health.change(&mut u.health, &mut u.health_stream);
                if u.health.state == wear.health.failed {
                    self.unit_fails(unit, false, cal);
                    return;
                }
                self.arm(unit, cal);
                self.on_health_change(unit, cal);
            }
            Next::Due => {
                self.arm(unit, cal);
                self.on_due(unit, cal);
            }
        }
    }

    /// The policy's age is reached: work is called for, or an opportunistic
    /// policy starts watching for an idle moment.
    fn on_due(&mut self, unit: u32, cal: &mut EventCalendar<Event>) {
        let age = self.units[unit as usize].health.age;
        if let Policy::Opportunistic { age: due, .. } = self.wear_of(unit).spec.policy
            && age < due
        {
            let server = self.units[unit as usize].server;
            if matches!(
                self.servers[server as usize].state,
                ServerState::Starved | ServerState::Blocked
            ) {
                self.call_for(unit, Kind::Preventive, cal);
            } else {
                self.units[unit as usize].watching = true;
                self.servers[server as usize].set_watch(true);
            }
            return;
        }
        self.call_for(unit, Kind::Preventive, cal);
    }

    /// A continuously observed signal is read when the health changes.
    fn on_health_change(&mut self, unit: u32, cal: &mut EventCalendar<Event>) {
        if matches!(
            self.wear_of(unit).spec.signal.as_ref().map(|s| &s.observe),
            Some(Observe::Continuous)
        ) && self.reading(unit, cal)
        {
            self.call_for(unit, Kind::Preventive, cal);
        }
    }

    /// A sensor's reading is due, or an inspection.
    pub(crate) fn on_reading(&mut self, unit: u32, cal: &mut EventCalendar<Event>) {
        let observe = self
            .wear_of(unit)
            .spec
            .signal
            .as_ref()
            .map(|s| s.observe.clone());
        match observe {
            Some(Observe::Every { period }) => {
                cal.schedule(period, Event::Reading { unit });
                if self.reading(unit, cal) {
                    self.call_for(unit, Kind::Preventive, cal);
                }
            }
            Some(Observe::Inspection { period, .. }) => {
                cal.schedule(period, Event::Reading { unit });
                self.call_for(unit, Kind::Inspection, cal);
            }
            _ => {}
        }
    }

    /// Reads the signal now; returns whether the policy calls for preventive
    /// work on that reading. A user policy that fails stops the run.
    fn reading(&mut self, unit: u32, cal: &mut EventCalendar<Event>) -> bool {
        let now = cal.now();
        let age = self.age(unit, now);
        let wear = self.wear_of(unit);
        let Some(signal) = wear.spec.signal.as_ref() else {
            return false;
        };
        let u = &mut self.units[unit as usize];
        let noise: f64 = StandardNormal.sample(&mut u.noise_stream);
        let value = signal.levels[u.health.state as usize] + signal.noise * noise;
        match wear.spec.policy {
            Policy::Condition { threshold } => value >= threshold,
            Policy::Predictive {
                failure_level,
                lead_time,
                ..
            } => {
                u.readings.push((age, value));
                u.readings.fit().is_some_and(|(a, b)| {
                    let level = a + b * age;
                    level >= failure_level || (b > 0.0 && (failure_level - level) / b <= lead_time)
                })
            }
            Policy::User { index } => {
                u.history.push((age, value));
                let view = UnitView {
                    station: &self.c.spec.stations[wear.station as usize].name,
                    mode: &wear.spec.name,
                    server: u.server - self.stations[wear.station as usize].servers.0,
                    now,
                    age,
                };
                match self.policies[index as usize].maintain(&view, &u.history) {
                    Ok(call) => call,
                    Err(message) => {
                        self.policy_failure = Some(PolicyFailure {
                            time: now,
                            station: view.station.to_owned(),
                            mode: view.mode.to_owned(),
                            message,
                        });
                        cal.clear();
                        false
                    }
                }
            }
            _ => false,
        }
    }

    /// A server that an opportunistic unit watches became starved or blocked:
    /// at this instant's end (the flow that made it so has finished), the
    /// unit's work is called for if the server is still idle.
    #[cold]
    pub(crate) fn on_opportunity(&mut self, server: u32, cal: &mut EventCalendar<Event>) {
        let state = self.servers[server as usize].state;
        if !matches!(state, ServerState::Starved | ServerState::Blocked) {
            return;
        }
        let (first, end) = self.servers[server as usize].units;
        for unit in first..end {
            if self.units[unit as usize].watching {
                self.units[unit as usize].watching = false;
                self.call_for(unit, Kind::Preventive, cal);
            }
        }
        self.servers[server as usize].set_watch(false);
    }

    /// The server finished an operation: its operation-driven units age by one
    /// operation. Returns a unit that failed with it, if any; the others that
    /// changed are read after the part has moved on (`after_operation`).
    #[cold]
    pub(crate) fn wear_by_operation(&mut self, server: u32) -> u32 {
        let (first, end) = self.servers[server as usize].units;
        let mut failed = NONE;
        for unit in first..end {
            let u = &mut self.units[unit as usize];
            if u.clock != NONE || u.job != Job::None {
                continue;
            }
            let c: &'c super::CompiledLine = self.c;
            let wear = &c.maintenance.wears[u.wear as usize];
            let changed = wear.health.operate(&mut u.health, &mut u.health_stream);
            if changed && u.health.state == wear.health.failed {
                if failed == NONE {
                    failed = unit;
                }
            } else if changed
                || matches!(
                    wear.spec.policy,
                    Policy::Age { .. } | Policy::Opportunistic { .. }
                )
            {
                self.after_operation.push(unit);
            }
        }
        failed
    }

    /// The units whose health changed at the operation just finished are read,
    /// and age-based policies counted in operations decide.
    pub(crate) fn after_operation(&mut self, cal: &mut EventCalendar<Event>) {
        while let Some(unit) = self.after_operation.pop() {
            if self.units[unit as usize].job != Job::None {
                continue;
            }
            if let Some(due) = self.due_age(unit)
                && self.units[unit as usize].health.age < due
            {
                self.on_health_change(unit, cal);
                continue;
            }
            if matches!(
                self.wear_of(unit).spec.policy,
                Policy::Age { .. } | Policy::Opportunistic { .. }
            ) {
                // The due age passed: the last one, or the early one.
                self.on_due(unit, cal);
            } else {
                self.on_health_change(unit, cal);
            }
        }
    }

    /// `unit` fails: its server stops (an operation is paused, or the part
    /// just finished is `held` on it) and a repair is called for.
    fn unit_fails(&mut self, unit: u32, held: bool, cal: &mut EventCalendar<Event>) {
        let now = cal.now();
        let wear = self.wear_of(unit);
        let (station, with_crew, restart) = (
            wear.station as usize,
            wear.crew != NONE,
            wear.spec.interrupted == crate::line::Interrupted::Restart,
        );
        let u = &mut self.units[unit as usize];
        u.books.failures += 1;
        u.stopped_since = now;
        u.watching = false;
        let server = u.server;
        self.stations[station].books.failures += 1;
        if held {
            self.servers[server as usize].resume = ServerState::Blocked;
        } else {
            self.interrupt(server, restart.then_some(unit), now);
        }
        self.servers[server as usize].hold = unit;
        let state = if with_crew {
            ServerState::Waiting
        } else {
            ServerState::Down
        };
        self.set_state(server, state, cal);
        match self.units[unit as usize].job {
            // Work already asked for becomes the repair.
            Job::Queued | Job::Travelling => self.units[unit as usize].kind = Kind::Repair,
            _ => self.request(unit, Kind::Repair, cal),
        }
        self.on_failure_replan(cal);
    }

    /// A unit failed with the operation just finished: the finished part is
    /// `held` on the server until the repair (or the server was left idle).
    pub(crate) fn fail_after_operation(
        &mut self,
        unit: u32,
        held: bool,
        cal: &mut EventCalendar<Event>,
    ) {
        self.unit_fails(unit, held, cal);
    }

    /// The policy calls for preventive work or an inspection (ignored while
    /// the unit has a job).
    fn call_for(&mut self, unit: u32, kind: Kind, cal: &mut EventCalendar<Event>) {
        if self.units[unit as usize].job == Job::None {
            self.request(unit, kind, cal);
        }
    }

    /// Asks the unit's crew for a technician, or starts at once without a crew.
    fn request(&mut self, unit: u32, kind: Kind, cal: &mut EventCalendar<Event>) {
        let crew = self.wear_of(unit).crew;
        let u = &mut self.units[unit as usize];
        u.job = Job::Queued;
        u.kind = kind;
        u.requested = cal.now();
        if crew == NONE {
            self.on_crew_arrival(unit, cal);
        } else {
            self.crews[crew as usize].queue.push(unit);
            self.assign(crew, cal);
        }
    }

    /// Free technicians of `crew` take waiting jobs by the crew's rule.
    fn assign(&mut self, crew: u32, cal: &mut EventCalendar<Event>) {
        let now = cal.now();
        while self.crews[crew as usize].free > 0 {
            let Some(unit) = self.next_job(crew) else {
                return;
            };
            let table = &self.c.maintenance.crews[crew as usize];
            let c = &mut self.crews[crew as usize];
            c.take(now);
            let travel = table
                .response
                .as_ref()
                .map_or(0.0, |d| d.sample(&mut c.response_stream));
            if travel > 0.0 {
                self.units[unit as usize].job = Job::Travelling;
                cal.schedule(travel, Event::CrewArrival { unit });
            } else {
                self.on_crew_arrival(unit, cal);
            }
        }
    }

    /// The waiting job `crew`'s rule picks, taken off its queue.
    fn next_job(&mut self, crew: u32) -> Option<u32> {
        let rule = self.c.maintenance.crews[crew as usize].rule;
        let queue = &self.crews[crew as usize].queue;
        let key = |unit: u32| {
            let u = &self.units[unit as usize];
            let priority = self.c.maintenance.wears[u.wear as usize].spec.priority;
            (priority, u.kind, u.requested)
        };
        let position = crew::pick(rule, queue.iter().map(|&u| key(u)))?;
        Some(self.crews[crew as usize].queue.remove(position))
    }

    /// The technician reaches the unit (or the work starts, without a crew):
    /// work begins unless the server is stopped for other work.
    pub(crate) fn on_crew_arrival(&mut self, unit: u32, cal: &mut EventCalendar<Event>) {
        let now = cal.now();
        let u = &mut self.units[unit as usize];
        if self.c.maintenance.wears[u.wear as usize].crew != NONE {
            u.books.crew_wait += now - u.requested;
            u.books.crew_waits += 1;
        }
        let hold = self.servers[u.server as usize].hold;
        if hold != NONE && hold != unit {
            u.job = Job::OnSite;
            return;
        }
        self.begin_work(unit, cal);
    }

    /// Work on `unit` begins: its server stops (unless it already is, for
    /// this unit's failure) and the work's end is scheduled.
    fn begin_work(&mut self, unit: u32, cal: &mut EventCalendar<Event>) {
        let now = cal.now();
        let wear = self.wear_of(unit);
        let restart = wear.spec.interrupted == crate::line::Interrupted::Restart;
        let server = self.units[unit as usize].server;
        if self.servers[server as usize].hold == NONE {
            self.interrupt(server, restart.then_some(unit), now);
        }
        self.servers[server as usize].hold = unit;
        let u = &mut self.units[unit as usize];
        if u.stopped_since.is_nan() {
            u.stopped_since = now;
        }
        u.job = Job::Working;
        u.watching = false;
        let (state, duration) = match u.kind {
            Kind::Repair => (ServerState::Down, &wear.spec.repair.duration),
            Kind::Preventive => (ServerState::Maintenance, &wear.spec.preventive.duration),
            Kind::Inspection => match wear.spec.signal.as_ref().map(|s| &s.observe) {
                Some(Observe::Inspection { duration, .. }) => (ServerState::Maintenance, duration),
                _ => unreachable!("an inspection job needs an inspected signal"),
            },
        };
        let duration = duration.sample(&mut u.work_stream);
        cal.schedule(duration, Event::WorkEnd { unit });
        self.set_state(server, state, cal);
    }

    /// Work on `unit` is done: health is restored (or the inspection's
    /// reading taken), the technician is free, the server resumes.
    pub(crate) fn on_work_end(&mut self, unit: u32, cal: &mut EventCalendar<Event>) {
        let now = cal.now();
        let wear = self.wear_of(unit);
        let u = &mut self.units[unit as usize];
        let kind = u.kind;
        let restore = match kind {
            Kind::Repair => {
                u.books.repair_cost += wear.spec.repair.cost;
                Some(wear.spec.repair.restore)
            }
            Kind::Preventive => {
                u.books.preventive += 1;
                u.books.preventive_cost += wear.spec.preventive.cost;
                Some(wear.spec.preventive.restore)
            }
            Kind::Inspection => {
                u.books.inspections += 1;
                if let Some(Observe::Inspection { cost, .. }) =
                    wear.spec.signal.as_ref().map(|s| &s.observe)
                {
                    u.books.inspection_cost += cost;
                }
                None
            }
        };
        u.job = Job::None;
        if let Some(restore) = restore {
            wear.health
                .restore(&mut u.health, restore, &mut u.health_stream);
            if u.health.age == 0.0 {
                u.readings.clear();
                u.history.clear();
            }
            let (periodic, server) = (u.periodic, u.server);
            self.arm(unit, cal);
            if let (Kind::Preventive, true, Policy::Periodic { every, .. }) =
                (kind, periodic != NONE, &wear.spec.policy)
            {
                self.reset_clock(periodic, *every, server, cal);
            }
        } else if self.reading(unit, cal) {
            // The inspection found work: the technician does it at once.
            let u = &mut self.units[unit as usize];
            u.kind = Kind::Preventive;
            self.begin_work(unit, cal);
            return;
        }
        let u = &mut self.units[unit as usize];
        let since = u.stopped_since.max(self.books.warmup);
        if now > since {
            u.books.downtime += now - since;
        }
        u.stopped_since = f64::NAN;
        let server = u.server;
        let crew = wear.crew;
        if crew != NONE {
            self.crews[crew as usize].give_back(now);
        }
        self.release_server(server, cal);
        if crew != NONE {
            self.assign(crew, cal);
        }
    }

    /// The server's hold ends: a technician waiting on site starts, else the
    /// server resumes what it was doing.
    pub(crate) fn release_server(&mut self, server: u32, cal: &mut EventCalendar<Event>) {
        let (first, end) = self.servers[server as usize].units;
        self.servers[server as usize].hold = NONE;
        if let Some(unit) = (first..end).find(|&u| self.units[u as usize].job == Job::OnSite) {
            self.servers[server as usize].hold = unit;
            self.begin_work(unit, cal);
            return;
        }
        self.resume(server, cal);
    }

    /// The mean duration of the work `unit` is stopped for (a repair unless
    /// preventive work or an inspection is under way).
    pub(crate) fn mean_work(&self, unit: u32) -> f64 {
        let u = &self.units[unit as usize];
        let spec = &self.wear_of(unit).spec;
        match (u.job, u.kind) {
            (Job::Working, Kind::Preventive) => spec.preventive.duration.mean(),
            (Job::Working, Kind::Inspection) => match spec.signal.as_ref().map(|s| &s.observe) {
                Some(Observe::Inspection { duration, .. }) => duration.mean(),
                _ => 0.0,
            },
            _ => spec.repair.duration.mean(),
        }
    }

    /// End of the warm-up: the maintenance books restart.
    pub(crate) fn restart_maintenance_books(&mut self, now: f64) {
        for unit in &mut self.units {
            unit.books = UnitBooks::default();
        }
        for crew in &mut self.crews {
            crew.books = CrewBooks::default();
            crew.since = now;
        }
    }

    /// Closes the maintenance books at `horizon` (the stops still running
    /// are counted up to it) and sums them by station and by crew.
    pub(crate) fn close_maintenance_books(&mut self, horizon: f64) -> MaintenanceBooks {
        let warmup = self.books.warmup;
        let mut books = MaintenanceBooks {
            stations: self
                .c
                .spec
                .stations
                .iter()
                .map(|s| (!s.wear.is_empty()).then(UnitBooks::default))
                .collect(),
            crews: Vec::with_capacity(self.crews.len()),
            crew_units: vec![UnitBooks::default(); self.crews.len()],
        };
        for u in 0..self.units.len() {
            let wear = self.wear_of(u as u32);
            let unit = &mut self.units[u];
            if !unit.stopped_since.is_nan() {
                unit.books.downtime += horizon - unit.stopped_since.max(warmup);
            }
            let rate = wear.spec.downtime_cost;
            if let Some(station) = &mut books.stations[wear.station as usize] {
                station.add(&unit.books, rate);
            }
            if wear.crew != NONE {
                books.crew_units[wear.crew as usize].add(&unit.books, rate);
            }
        }
        for crew in &mut self.crews {
            crew.close(horizon);
            books.crews.push(crew.books.clone());
        }
        books
    }
}
