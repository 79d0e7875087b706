//! The event-driven simulation of a line on flat index-based vectors: no
//! allocation per event, no lookup by name, no dynamic dispatch.

use std::collections::VecDeque;

use indexmap::IndexMap;
use sim_core::{
    Distribution, EventCalendar, Model, QuantileSketch, RandomStream, Simulation, StreamKey, Tally,
    TimeWeighted,
};

use crate::kpi::{KPI_SCHEMA, Kpis, LeadTime, LineKpis, Oee, StateFractions, StationKpis};
use crate::{FailureClock, LineSpec, ServerState, SourceKind, StructureError, WhenFull};

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
/// Errors: the structural errors of [`LineSpec::check`], a horizon that is not
/// positive and finite, a warm-up outside `[0, horizon)`.
///
/// Cost: `O(log e)` per event for the calendar (e = pending events, about one
/// per busy server and failure clock) plus `O(queue length)` to find an
/// eligible part in a buffer shared by several stations. Memory grows with the
/// number of parts in the line, not with the horizon.
///
/// # Example
///
/// An M/M/1 queue (arrivals every 1.25 on average, service 1.0): the mean
/// number in system is ρ/(1−ρ) = 4.
///
/// ```
/// use sim_core::Distribution;
/// use twin_models::{
///     LineSpec, ProductSpec, RunOptions, SinkSpec, SourceKind, SourceSpec, StationSpec, TimeUnit,
///     WhenFull, simulate,
/// };
///
/// let spec = LineSpec {
///     name: "M/M/1".into(),
///     time_unit: TimeUnit::Minutes,
///     products: vec![ProductSpec { name: "job".into(), route: vec![vec![0]], sink: 0 }],
///     stations: vec![StationSpec {
///         name: "server".into(),
///         servers: 1,
///         input: None,
///         processing: vec![Some(Distribution::exponential(1.0)?)],
///         failures: vec![],
///         scrap: 0.0,
///     }],
///     buffers: vec![],
///     sources: vec![SourceSpec {
///         name: "arrivals".into(),
///         kind: SourceKind::Arrivals {
///             interarrival: Distribution::exponential(1.25)?,
///             when_full: WhenFull::Block,
///         },
///         mix: vec![(0, 1.0)],
///     }],
///     sinks: vec![SinkSpec { name: "out".into() }],
/// };
/// let options = RunOptions { seed: 1, replication: 0, horizon: 200_000.0, warmup: 1_000.0 };
/// let kpis = simulate(&spec, &options)?;
/// assert!((kpis.line.wip_mean - 4.0).abs() < 0.5);
/// assert!((kpis.stations["server"].utilization - 0.8).abs() < 0.02);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn simulate(spec: &LineSpec, options: &RunOptions) -> Result<Kpis, StructureError> {
    spec.check()?;
    options.check()?;
    let mut sim = Simulation::new(Line::new(spec, options));
    sim.model.start(&mut sim.calendar);
    sim.run_until(options.horizon);
    Ok(sim.model.finish(spec, options))
}

const NONE: u32 = u32::MAX;

/// The line's events. Small and `Copy`.
#[derive(Clone, Copy, Debug)]
enum Event {
    Arrival { source: u32 },
    Completion { server: u32, generation: u32 },
    Failure { clock: u32, generation: u32 },
    Repair { clock: u32 },
    WarmupEnd,
}

#[derive(Clone, Copy, Debug)]
struct Part {
    product: u32,
    /// Index of the route step the part is at or heading to.
    step: u32,
    released: f64,
}

#[derive(Debug)]
struct Step {
    buffer: u32,
    stations: Vec<u32>,
}

#[derive(Debug)]
struct Server {
    station: u32,
    state: ServerState,
    since: f64,
    /// Time spent in each state since the start of the period (per server, so that
    /// a state change touches only the server).
    state_time: [f64; 6],
    part: u32,
    /// Completion time of the current operation while busy.
    due: f64,
    /// Processing left when a failure interrupted the operation.
    remaining: f64,
    /// Bumped to cancel a scheduled completion.
    generation: u32,
    /// What the server was doing when it failed.
    resume: ServerState,
    clocks: (u32, u32),
}

#[derive(Debug)]
struct Clock {
    server: u32,
    kind: FailureClock,
    ttf: Distribution,
    ttr: Distribution,
    /// Time to failure left, in the clock's own time.
    remaining: f64,
    running_since: f64,
    generation: u32,
    ttf_stream: RandomStream,
    ttr_stream: RandomStream,
}

impl Clock {
    fn runs_in(&self, state: ServerState) -> bool {
        match self.kind {
            FailureClock::Busy => state == ServerState::Busy,
            FailureClock::Calendar => state != ServerState::Down,
        }
    }
}

#[derive(Debug)]
struct Station {
    servers: (u32, u32),
    input: u32,
    processing: Vec<Option<Distribution>>,
    /// Mean processing time per product: ISO 22400's planned run time per item.
    nominal: Vec<f64>,
    scrap: f64,
    processing_stream: RandomStream,
    scrap_stream: RandomStream,
    /// Server time in each state over the period, summed over servers at the horizon.
    state_time: [f64; 6],
    operations: u64,
    scrapped: u64,
    failures: u64,
    nominal_time: f64,
}

/// Where a part moving into a buffer goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Room {
    /// Straight onto this idle server.
    Server(u32),
    /// To the back of the queue.
    Queue,
    /// Nowhere: the buffer is full.
    Full,
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Waiter {
    Server(u32),
    Source(u32),
}

#[derive(Debug)]
struct Buffer {
    capacity: usize,
    queue: VecDeque<u32>,
    consumers: Vec<u32>,
    /// True when every part in the queue can go to every consumer (one consumer
    /// station): the front part is always eligible.
    single_consumer: bool,
    waiters: VecDeque<Waiter>,
    saturated_by: u32,
}

#[derive(Debug)]
struct Source {
    interarrival: Option<Distribution>,
    when_full: WhenFull,
    /// `(product, cumulative probability)`.
    mix: Vec<(u32, f64)>,
    arrival_stream: RandomStream,
    mix_stream: RandomStream,
    held: u32,
}

impl Source {
    fn draw_product(&mut self) -> u32 {
        if self.mix.len() == 1 {
            return self.mix[0].0;
        }
        let u = self.mix_stream.uniform01();
        let i = self
            .mix
            .partition_point(|m| m.1 <= u)
            .min(self.mix.len() - 1);
        self.mix[i].0
    }
}

#[derive(Debug)]
struct Line {
    routes: Vec<Vec<Step>>,
    stations: Vec<Station>,
    servers: Vec<Server>,
    clocks: Vec<Clock>,
    buffers: Vec<Buffer>,
    sources: Vec<Source>,
    parts: Vec<Part>,
    free_parts: Vec<u32>,
    warmup: f64,
    wip: TimeWeighted,
    in_system: u64,
    in_system_at_start: u64,
    released: u64,
    completed: u64,
    scrapped: u64,
    lost: u64,
    lead_time: Tally,
    lead_time_quantiles: QuantileSketch,
}

impl Line {
    fn new(spec: &LineSpec, options: &RunOptions) -> Self {
        let stream = |purpose: &str, entity: &str, index: u64| {
            RandomStream::new(
                options.seed,
                options.replication,
                StreamKey::new(purpose, entity, index),
            )
        };
        let mut buffers: Vec<Buffer> = spec
            .buffers
            .iter()
            .map(|b| Buffer {
                capacity: b.capacity.map_or(usize::MAX, |c| c as usize),
                queue: VecDeque::new(),
                consumers: Vec::new(),
                single_consumer: true,
                waiters: VecDeque::new(),
                saturated_by: NONE,
            })
            .collect();
        let mut stations = Vec::with_capacity(spec.stations.len());
        let mut servers = Vec::new();
        let mut clocks = Vec::new();
        for (s, station) in spec.stations.iter().enumerate() {
            let input = match station.input {
                Some(b) => b,
                None => {
                    buffers.push(Buffer {
                        capacity: usize::MAX,
                        queue: VecDeque::new(),
                        consumers: Vec::new(),
                        single_consumer: true,
                        waiters: VecDeque::new(),
                        saturated_by: NONE,
                    });
                    buffers.len() - 1
                }
            };
            buffers[input].consumers.push(s as u32);
            buffers[input].single_consumer = buffers[input].consumers.len() == 1;
            let first = servers.len() as u32;
            for k in 0..station.servers {
                let clock_start = clocks.len() as u32;
                for mode in &station.failures {
                    let entity = format!("{}/{}", station.name, mode.name);
                    let index = u64::from(k);
                    let mut ttf_stream = stream("time-to-failure", &entity, index);
                    let remaining = mode.ttf.sample(&mut ttf_stream);
                    clocks.push(Clock {
                        server: servers.len() as u32,
                        kind: mode.clock,
                        ttf: mode.ttf.clone(),
                        ttr: mode.ttr.clone(),
                        remaining,
                        running_since: f64::NAN,
                        generation: 0,
                        ttf_stream,
                        ttr_stream: stream("time-to-repair", &entity, index),
                    });
                }
                servers.push(Server {
                    station: s as u32,
                    state: ServerState::Starved,
                    since: 0.0,
                    state_time: [0.0; 6],
                    part: NONE,
                    due: 0.0,
                    remaining: 0.0,
                    generation: 0,
                    resume: ServerState::Starved,
                    clocks: (clock_start, clocks.len() as u32),
                });
            }
            stations.push(Station {
                servers: (first, servers.len() as u32),
                input: input as u32,
                processing: station.processing.clone(),
                nominal: station
                    .processing
                    .iter()
                    .map(|d| d.as_ref().map_or(f64::NAN, Distribution::mean))
                    .collect(),
                scrap: station.scrap,
                processing_stream: stream("processing", &station.name, 0),
                scrap_stream: stream("scrap", &station.name, 0),
                state_time: [0.0; 6],
                operations: 0,
                scrapped: 0,
                failures: 0,
                nominal_time: 0.0,
            });
        }
        let routes: Vec<Vec<Step>> = spec
            .products
            .iter()
            .map(|p| {
                p.route
                    .iter()
                    .map(|step| Step {
                        buffer: stations[step[0]].input,
                        stations: step.iter().map(|&s| s as u32).collect(),
                    })
                    .collect()
            })
            .collect();
        let sources: Vec<Source> = spec
            .sources
            .iter()
            .enumerate()
            .map(|(i, source)| {
                let total: f64 = source.mix.iter().map(|m| m.1).sum();
                let mut acc = 0.0;
                let mut mix: Vec<(u32, f64)> = source
                    .mix
                    .iter()
                    .filter(|m| m.1 > 0.0)
                    .map(|&(p, w)| {
                        acc += w / total;
                        (p as u32, acc)
                    })
                    .collect();
                if let Some(last) = mix.last_mut() {
                    last.1 = 1.0;
                }
                let (interarrival, when_full) = match &source.kind {
                    SourceKind::Saturated => {
                        let first = routes[mix[0].0 as usize][0].buffer;
                        buffers[first as usize].saturated_by = i as u32;
                        (None, WhenFull::Block)
                    }
                    SourceKind::Arrivals {
                        interarrival,
                        when_full,
                    } => (Some(interarrival.clone()), *when_full),
                };
                Source {
                    interarrival,
                    when_full,
                    mix,
                    arrival_stream: stream("arrivals", &source.name, 0),
                    mix_stream: stream("product-mix", &source.name, 0),
                    held: NONE,
                }
            })
            .collect();
        Self {
            routes,
            stations,
            servers,
            clocks,
            buffers,
            sources,
            parts: Vec::new(),
            free_parts: Vec::new(),
            warmup: options.warmup,
            wip: TimeWeighted::new(0.0, 0.0),
            in_system: 0,
            in_system_at_start: 0,
            released: 0,
            completed: 0,
            scrapped: 0,
            lost: 0,
            lead_time: Tally::new(),
            lead_time_quantiles: QuantileSketch::new(),
        }
    }

    /// Time 0: start calendar-time failure clocks, first arrivals, saturated starts.
    fn start(&mut self, cal: &mut EventCalendar<Event>) {
        if self.warmup > 0.0 {
            cal.schedule_at(self.warmup, Event::WarmupEnd);
        }
        for c in 0..self.clocks.len() {
            let clock = &mut self.clocks[c];
            if clock.runs_in(ServerState::Starved) {
                clock.running_since = 0.0;
                cal.schedule(
                    clock.remaining,
                    Event::Failure {
                        clock: c as u32,
                        generation: clock.generation,
                    },
                );
            }
        }
        for s in 0..self.sources.len() {
            self.schedule_arrival(s as u32, cal);
        }
        for server in 0..self.servers.len() as u32 {
            self.try_pull(server, cal);
        }
    }

    fn schedule_arrival(&mut self, source: u32, cal: &mut EventCalendar<Event>) {
        let src = &mut self.sources[source as usize];
        if let Some(d) = &src.interarrival {
            cal.schedule(d.sample(&mut src.arrival_stream), Event::Arrival { source });
        }
    }

    fn new_part(&mut self, product: u32) -> u32 {
        let part = Part {
            product,
            step: 0,
            released: f64::NAN,
        };
        match self.free_parts.pop() {
            Some(id) => {
                self.parts[id as usize] = part;
                id
            }
            None => {
                self.parts.push(part);
                (self.parts.len() - 1) as u32
            }
        }
    }

    fn release(&mut self, part: u32, now: f64) {
        self.parts[part as usize].released = now;
        self.released += 1;
        self.in_system += 1;
        self.wip.set(now, self.in_system as f64);
    }

    fn leave(&mut self, part: u32, now: f64) {
        self.free_parts.push(part);
        self.in_system -= 1;
        self.wip.set(now, self.in_system as f64);
    }

    /// Moves `server` to `state`, accounting the time spent in the old state and
    /// pausing or resuming its failure clocks.
    fn set_state(&mut self, server: u32, state: ServerState, cal: &mut EventCalendar<Event>) {
        let now = cal.now();
        let s = &mut self.servers[server as usize];
        let old = s.state;
        if old == state {
            return;
        }
        s.state_time[old.index()] += now - s.since;
        s.since = now;
        s.state = state;
        let due = s.due;
        for c in s.clocks.0..s.clocks.1 {
            let clock = &mut self.clocks[c as usize];
            let (was, will) = (clock.runs_in(old), clock.runs_in(state));
            if was && !will {
                clock.remaining = (clock.remaining - (now - clock.running_since)).max(0.0);
                clock.generation = clock.generation.wrapping_add(1);
            } else if !was && will {
                clock.running_since = now;
                // A busy-time clock can only run out before the operation ends:
                // schedule it only then, which saves an event per operation.
                if clock.kind == FailureClock::Calendar || now + clock.remaining <= due {
                    cal.schedule(
                        clock.remaining,
                        Event::Failure {
                            clock: c,
                            generation: clock.generation,
                        },
                    );
                }
            }
        }
    }

    /// Starts processing `part` on the idle `server`.
    fn start_processing(&mut self, server: u32, part: u32, cal: &mut EventCalendar<Event>) {
        let station = &mut self.stations[self.servers[server as usize].station as usize];
        let product = self.parts[part as usize].product as usize;
        let duration = station.processing[product]
            .as_ref()
            .map_or(0.0, |d| d.sample(&mut station.processing_stream));
        let s = &mut self.servers[server as usize];
        let restart = s.state == ServerState::Busy;
        s.part = part;
        s.due = cal.now() + duration;
        cal.schedule(
            duration,
            Event::Completion {
                server,
                generation: s.generation,
            },
        );
        if restart {
            self.restart_busy_clocks(server, cal);
        } else {
            self.set_state(server, ServerState::Busy, cal);
        }
    }

    /// A busy server goes straight on to its next part: its busy-time failure
    /// clocks count the operation just finished and are armed for the new one,
    /// exactly as leaving and re-entering `Busy` at this instant would do, without
    /// two state changes per operation.
    fn restart_busy_clocks(&mut self, server: u32, cal: &mut EventCalendar<Event>) {
        let now = cal.now();
        let s = &self.servers[server as usize];
        let due = s.due;
        for c in s.clocks.0..s.clocks.1 {
            let clock = &mut self.clocks[c as usize];
            if clock.kind != FailureClock::Busy {
                continue;
            }
            clock.remaining = (clock.remaining - (now - clock.running_since)).max(0.0);
            clock.generation = clock.generation.wrapping_add(1);
            clock.running_since = now;
            if now + clock.remaining <= due {
                cal.schedule(
                    clock.remaining,
                    Event::Failure {
                        clock: c,
                        generation: clock.generation,
                    },
                );
            }
        }
    }

    fn eligible(&self, part: u32, station: u32) -> bool {
        let p = self.parts[part as usize];
        self.routes[p.product as usize][p.step as usize]
            .stations
            .contains(&station)
    }

    /// A starved server of a consumer of `buffer` that may take `part`.
    fn idle_server_for(&self, buffer: u32, part: u32) -> Option<u32> {
        let b = &self.buffers[buffer as usize];
        for &st in &b.consumers {
            if !b.single_consumer && !self.eligible(part, st) {
                continue;
            }
            let (first, end) = self.stations[st as usize].servers;
            if let Some(server) =
                (first..end).find(|&s| self.servers[s as usize].state == ServerState::Starved)
            {
                return Some(server);
            }
        }
        None
    }

    /// Where `part` would go if it moved into `buffer` now.
    fn room_for(&self, buffer: u32, part: u32) -> Room {
        if let Some(server) = self.idle_server_for(buffer, part) {
            return Room::Server(server);
        }
        let b = &self.buffers[buffer as usize];
        if b.queue.len() < b.capacity {
            Room::Queue
        } else {
            Room::Full
        }
    }

    /// Moves `part` into `buffer` where [`Line::room_for`] found room: straight
    /// onto an idle server that can take it, else to the back of the queue.
    fn put(&mut self, part: u32, buffer: u32, room: Room, cal: &mut EventCalendar<Event>) {
        match room {
            Room::Server(server) => self.start_processing(server, part, cal),
            Room::Queue => self.buffers[buffer as usize].queue.push_back(part),
            Room::Full => unreachable!("put is only called with room"),
        }
    }

    /// A free `server` looks for work: the first eligible part of its input
    /// buffer (FIFO), or a new part from a saturated source, else it is starved.
    /// Free means starved, or busy with no part: a server that has just handed
    /// its part on stays busy if it can start the next one at once.
    fn try_pull(&mut self, server: u32, cal: &mut EventCalendar<Event>) {
        let s = &self.servers[server as usize];
        let free =
            s.state == ServerState::Starved || (s.state == ServerState::Busy && s.part == NONE);
        if !free {
            return;
        }
        let station = self.servers[server as usize].station;
        let input = self.stations[station as usize].input;
        let b = &self.buffers[input as usize];
        let found = if b.single_consumer {
            (!b.queue.is_empty()).then_some(0)
        } else {
            b.queue.iter().position(|&p| self.eligible(p, station))
        };
        if let Some(index) = found {
            let queue = &mut self.buffers[input as usize].queue;
            let part = if index == 0 {
                queue.pop_front()
            } else {
                queue.remove(index)
            }
            .expect("index from position");
            self.start_processing(server, part, cal);
            self.notify_room(input, cal);
        } else if b.saturated_by != NONE {
            let product = self.sources[b.saturated_by as usize].draw_product();
            let part = self.new_part(product);
            if self.eligible(part, station) {
                self.release(part, cal.now());
                self.start_processing(server, part, cal);
            } else {
                self.free_parts.push(part);
                self.set_state(server, ServerState::Starved, cal);
            }
        } else {
            self.set_state(server, ServerState::Starved, cal);
            // An idle server is room too: a part blocked upstream, or held by a
            // blocking source, may come straight onto it.
            self.notify_room(input, cal);
        }
    }

    /// Room appeared in `buffer`: let blocked servers and sources move in, in the
    /// order they started waiting. A waiter whose part has no room (in a buffer
    /// shared by several stations, room can depend on the part) does not hold up
    /// the ones behind it.
    fn notify_room(&mut self, buffer: u32, cal: &mut EventCalendar<Event>) {
        let mut i = 0;
        while let Some(&waiter) = self.buffers[buffer as usize].waiters.get(i) {
            let part = match waiter {
                Waiter::Server(server) => self.servers[server as usize].part,
                Waiter::Source(source) => self.sources[source as usize].held,
            };
            let room = self.room_for(buffer, part);
            if room == Room::Full {
                if self.buffers[buffer as usize].single_consumer {
                    // Every waiting part has the same room: none behind fits either.
                    break;
                }
                i += 1;
                continue;
            }
            self.buffers[buffer as usize].waiters.remove(i);
            match waiter {
                Waiter::Server(server) => {
                    self.servers[server as usize].part = NONE;
                    self.set_state(server, ServerState::Starved, cal);
                    self.put(part, buffer, room, cal);
                    self.try_pull(server, cal);
                }
                Waiter::Source(source) => {
                    self.sources[source as usize].held = NONE;
                    self.release(part, cal.now());
                    self.put(part, buffer, room, cal);
                    self.schedule_arrival(source, cal);
                }
            }
            // What the move set off may have changed the waiting list: start over.
            i = 0;
        }
    }

    /// The finished part on `server` moves on: to the next step's buffer, or to
    /// its sink. If the buffer is full the server is blocked.
    fn push_finished(&mut self, server: u32, cal: &mut EventCalendar<Event>) {
        let part = self.servers[server as usize].part;
        let p = self.parts[part as usize];
        let route = &self.routes[p.product as usize];
        if p.step as usize == route.len() {
            let now = cal.now();
            let lead_time = now - p.released;
            self.lead_time.add(lead_time);
            self.lead_time_quantiles.add(lead_time);
            self.completed += 1;
            self.leave(part, now);
            self.servers[server as usize].part = NONE;
            self.try_pull(server, cal);
            return;
        }
        let buffer = route[p.step as usize].buffer;
        let room = self.room_for(buffer, part);
        if room != Room::Full {
            self.servers[server as usize].part = NONE;
            self.put(part, buffer, room, cal);
            self.try_pull(server, cal);
        } else {
            self.set_state(server, ServerState::Blocked, cal);
            self.buffers[buffer as usize]
                .waiters
                .push_back(Waiter::Server(server));
        }
    }

    fn on_completion(&mut self, server: u32, generation: u32, cal: &mut EventCalendar<Event>) {
        let s = &self.servers[server as usize];
        if s.generation != generation || s.state != ServerState::Busy {
            return;
        }
        let part = s.part;
        let product = self.parts[part as usize].product as usize;
        let station = &mut self.stations[s.station as usize];
        station.operations += 1;
        station.nominal_time += station.nominal[product];
        if station.scrap > 0.0 && station.scrap_stream.uniform01() < station.scrap {
            station.scrapped += 1;
            self.scrapped += 1;
            self.leave(part, cal.now());
            self.servers[server as usize].part = NONE;
            self.try_pull(server, cal);
            return;
        }
        self.parts[part as usize].step += 1;
        self.push_finished(server, cal);
    }

    fn on_failure(&mut self, clock: u32, generation: u32, cal: &mut EventCalendar<Event>) {
        let now = cal.now();
        let c = &self.clocks[clock as usize];
        if c.generation != generation {
            return;
        }
        let server = c.server;
        let s = &mut self.servers[server as usize];
        s.resume = s.state;
        match s.state {
            ServerState::Busy => {
                s.remaining = s.due - now;
                s.generation = s.generation.wrapping_add(1);
            }
            ServerState::Blocked => {
                let p = self.parts[s.part as usize];
                let buffer = self.routes[p.product as usize][p.step as usize].buffer;
                self.buffers[buffer as usize]
                    .waiters
                    .retain(|w| *w != Waiter::Server(server));
            }
            _ => {}
        }
        self.stations[self.servers[server as usize].station as usize].failures += 1;
        self.set_state(server, ServerState::Down, cal);
        let c = &mut self.clocks[clock as usize];
        c.remaining = c.ttf.sample(&mut c.ttf_stream);
        cal.schedule(c.ttr.sample(&mut c.ttr_stream), Event::Repair { clock });
    }

    fn on_repair(&mut self, clock: u32, cal: &mut EventCalendar<Event>) {
        let server = self.clocks[clock as usize].server;
        let s = &mut self.servers[server as usize];
        match s.resume {
            ServerState::Busy => {
                s.due = cal.now() + s.remaining;
                cal.schedule(
                    s.remaining,
                    Event::Completion {
                        server,
                        generation: s.generation,
                    },
                );
                self.set_state(server, ServerState::Busy, cal);
            }
            ServerState::Blocked => {
                // Back up, it tries again to hand its part on (at the back of the line).
                self.set_state(server, ServerState::Starved, cal);
                self.push_finished(server, cal);
            }
            _ => {
                self.set_state(server, ServerState::Starved, cal);
                self.try_pull(server, cal);
            }
        }
    }

    fn on_arrival(&mut self, source: u32, cal: &mut EventCalendar<Event>) {
        let product = self.sources[source as usize].draw_product();
        let part = self.new_part(product);
        let buffer = self.routes[product as usize][0].buffer;
        let room = self.room_for(buffer, part);
        if room != Room::Full {
            self.release(part, cal.now());
            self.put(part, buffer, room, cal);
            self.schedule_arrival(source, cal);
            return;
        }
        match self.sources[source as usize].when_full {
            WhenFull::Lose => {
                self.lost += 1;
                self.free_parts.push(part);
                self.schedule_arrival(source, cal);
            }
            WhenFull::Block => {
                self.sources[source as usize].held = part;
                self.buffers[buffer as usize]
                    .waiters
                    .push_back(Waiter::Source(source));
            }
        }
    }

    /// End of warm-up: forget everything measured so far.
    fn on_warmup_end(&mut self, now: f64) {
        for station in &mut self.stations {
            station.operations = 0;
            station.scrapped = 0;
            station.failures = 0;
            station.nominal_time = 0.0;
        }
        for server in &mut self.servers {
            server.since = now;
            server.state_time = [0.0; 6];
        }
        self.wip.reset(now);
        self.in_system_at_start = self.in_system;
        self.released = 0;
        self.completed = 0;
        self.scrapped = 0;
        self.lost = 0;
        self.lead_time = Tally::new();
        self.lead_time_quantiles = QuantileSketch::new();
    }

    /// Closes the books at the horizon and computes the KPIs.
    fn finish(mut self, spec: &LineSpec, options: &RunOptions) -> Kpis {
        let horizon = options.horizon;
        for server in &mut self.servers {
            server.state_time[server.state.index()] += horizon - server.since;
            let station = &mut self.stations[server.station as usize].state_time;
            for (total, t) in station.iter_mut().zip(server.state_time) {
                *total += t;
            }
        }
        let period = horizon - options.warmup;
        let mut stations = IndexMap::with_capacity(self.stations.len());
        for (station, s) in spec.stations.iter().zip(&self.stations) {
            let total = f64::from(station.servers) * period;
            let fraction = |state: ServerState| s.state_time[state.index()] / total;
            let states = StateFractions {
                busy: fraction(ServerState::Busy),
                starved: fraction(ServerState::Starved),
                blocked: fraction(ServerState::Blocked),
                down: fraction(ServerState::Down),
                setup: fraction(ServerState::Setup),
                maintenance: fraction(ServerState::Maintenance),
            };
            // ISO 22400-2: planned busy time excludes planned downtime (maintenance).
            let planned_busy = total - s.state_time[ServerState::Maintenance.index()];
            let production = s.state_time[ServerState::Busy.index()];
            let good = s.operations - s.scrapped;
            let oee = oee(
                production / planned_busy,
                s.nominal_time / production,
                good as f64 / s.operations as f64,
            );
            stations.insert(
                station.name.clone(),
                StationKpis {
                    servers: station.servers,
                    states,
                    utilization: states.busy,
                    operations: s.operations,
                    scrapped: s.scrapped,
                    failures: s.failures,
                    oee,
                },
            );
        }
        // Roser's active-period method in its utilisation form: the station whose
        // servers are active (not starved, not blocked) the largest share of time.
        let (bottleneck, bottleneck_kpis) = stations
            .iter()
            .fold(
                None::<(&String, &StationKpis)>,
                |best, (name, k)| match best {
                    Some((_, b)) if b.states.active() >= k.states.active() => best,
                    _ => Some((name, k)),
                },
            )
            .expect("a checked line has stations");
        let produced = self.completed + self.scrapped;
        let line_oee = oee(
            bottleneck_kpis.oee.availability,
            bottleneck_kpis.oee.performance,
            self.completed as f64 / produced as f64,
        );
        let throughput = self.completed as f64 / period;
        let quantile = |q| self.lead_time_quantiles.quantile(q);
        Kpis {
            schema: KPI_SCHEMA,
            scenario: spec.name.clone(),
            time_unit: spec.time_unit.symbol(),
            seed: options.seed,
            replication: options.replication,
            horizon,
            warmup: options.warmup,
            line: LineKpis {
                parts_released: self.released,
                parts_completed: self.completed,
                parts_scrapped: self.scrapped,
                parts_lost: self.lost,
                parts_in_system: self.in_system,
                parts_in_system_at_start: self.in_system_at_start,
                throughput,
                throughput_per_hour: throughput * spec.time_unit.per_hour(),
                wip_mean: self.wip.mean(horizon),
                lead_time: LeadTime {
                    mean: self.lead_time.mean(),
                    p50: quantile(0.5),
                    p90: quantile(0.9),
                    p95: quantile(0.95),
                    max: self.lead_time.max(),
                },
                oee: line_oee,
            },
            bottleneck: bottleneck.clone(),
            bottleneck_method: "active-period (utilisation): largest fraction of time busy, in setup, down or in maintenance",
            stations,
        }
    }
}

fn oee(availability: f64, performance: f64, quality: f64) -> Oee {
    Oee {
        availability,
        performance,
        quality,
        oee: availability * performance * quality,
    }
}

impl Model for Line {
    type Event = Event;

    #[inline]
    fn handle(&mut self, now: f64, event: Event, cal: &mut EventCalendar<Event>) {
        match event {
            Event::Completion { server, generation } => self.on_completion(server, generation, cal),
            Event::Failure { clock, generation } => self.on_failure(clock, generation, cal),
            Event::Repair { clock } => self.on_repair(clock, cal),
            Event::Arrival { source } => self.on_arrival(source, cal),
            Event::WarmupEnd => self.on_warmup_end(now),
        }
    }
}
