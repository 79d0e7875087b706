//! From a checked spec to a compiled line (names resolved, flat tables, stream
//! keys), built once per design point; and from a compiled line to the state of
//! one replication, seeded from `(seed, replication)`.

use std::collections::VecDeque;

use sim_core::{Distribution, EventCalendar, RandomStream, StreamKey};

use super::RunOptions;
use super::books::{Books, StationBooks};
use super::buffer::{Buffer, BufferBooks, BufferTable, ClassIndex};
use super::dispatch::{Candidate, DispatchPolicy, RuleFailure, Terms};
use super::event::Event;
use super::failure::{Clock, ClockTable, Owner};
use super::idle::IdleServers;
use super::maintenance::{self, Crew, CrewTable, Unit};
use super::order::{OrderState, order_states};
use super::part::{NONE, Parts};
use super::server::Server;
use super::setup::{SetupTable, StationSetup};
use super::source::{Source, SourceTable};
use crate::graph::{LineGraph, StructureError};
use crate::line::{DispatchRule, LineSpec, STATES, ServerState, SourceKind, WhenFull};

/// One step of a product's route.
#[derive(Debug)]
pub(crate) struct Step {
    /// The input buffer of the step's stations.
    pub(crate) buffer: u32,
    /// The class of the step's parts in that buffer (see `BufferTable::classes`).
    pub(crate) class: u32,
    /// The stations that can do the step.
    pub(crate) stations: Vec<u32>,
    /// The step's own processing time and its mean, overriding the stations'.
    pub(crate) processing: Option<(Distribution, f64)>,
}

/// The fixed description of a station.
#[derive(Debug)]
pub(crate) struct StationTable {
    /// Its servers: `servers.0..servers.1`.
    pub(crate) servers: (u32, u32),
    pub(crate) input: u32,
    pub(crate) processing: Vec<Option<Distribution>>,
    /// Mean processing time per product, for the dispatching rules.
    pub(crate) nominal: Vec<f64>,
    /// ISO 22400-2 planned run time per item, per product: the scenario's, or
    /// the mean processing time.
    planned_run_time: Vec<f64>,
    pub(crate) scrap: f64,
    /// The classes of its input buffer's parts that it may take.
    pub(crate) input_classes: Vec<u32>,
    rule: DispatchRule,
    step_times: bool,
    wears_by_use: bool,
    plain: bool,
    setup: Option<SetupTable>,
    processing_key: StreamKey,
    scrap_key: StreamKey,
}

/// A station's state in one replication.
#[derive(Debug)]
pub(crate) struct Station<'c> {
    /// Copies of the table's hot fields.
    pub(crate) servers: (u32, u32),
    pub(crate) input: u32,
    pub(crate) processing: &'c [Option<Distribution>],
    pub(crate) nominal: &'c [f64],
    pub(crate) planned_run_time: &'c [f64],
    pub(crate) scrap: f64,
    pub(crate) rule: DispatchRule,
    /// Whether some route step done here gives its own processing time.
    pub(crate) step_times: bool,
    /// Whether an operation's end needs more than its books and the move of
    /// its part: per-step times, an execution, wear by use. One test on the
    /// hot path.
    pub(crate) special_end: bool,
    /// Whether some wear unit of the station ages by operations.
    pub(crate) wears_by_use: bool,
    /// True when the station uses none of the flexible-production features on
    /// the hot path: FIFO from an input buffer no other station takes from, no
    /// setups, no per-step times. Such a station pays this one test.
    pub(crate) plain: bool,
    /// Whether the station keeps a planned sequence (an execution).
    pub(crate) planned: bool,
    /// Whether starting an operation needs more than processing: a setup, or
    /// a planned sequence to move on. One test on the hot path.
    pub(crate) special_start: bool,
    /// Changeovers, if the station has a setup matrix.
    pub(crate) setup: Option<StationSetup<'c>>,
    pub(crate) processing_stream: RandomStream,
    pub(crate) scrap_stream: RandomStream,
    pub(crate) books: StationBooks,
}

/// A server's fixed description.
#[derive(Debug)]
struct ServerTable {
    station: u32,
    clocks: (u32, u32),
    units: (u32, u32),
}

/// A line checked and compiled into flat tables, ready to run any number of
/// replications: each [`CompiledLine::simulate`] only seeds fresh state from it.
///
/// Build it once per design point; it is immutable and `Sync`, so parallel
/// replications share it.
#[derive(Debug)]
pub struct CompiledLine {
    pub(crate) spec: LineSpec,
    graph: LineGraph,
    pub(crate) routes: Vec<Vec<Step>>,
    /// The family of each product.
    family_of: Vec<u32>,
    /// `remaining_work[product][step]`: the mean processing time of the route
    /// from `step` on (averaged over alternatives), for the dispatching rules.
    pub(crate) remaining_work: Vec<Vec<f64>>,
    pub(crate) stations: Vec<StationTable>,
    servers: Vec<ServerTable>,
    pub(crate) clocks: Vec<ClockTable>,
    pub(crate) buffers: Vec<BufferTable>,
    pub(crate) sources: Vec<SourceTable>,
    /// Wear units and crews.
    pub(crate) maintenance: maintenance::Tables,
}

impl CompiledLine {
    /// Checks `spec` ([`LineSpec::check`]) and compiles it.
    ///
    /// Errors: the structural errors of [`LineSpec::check`].
    pub fn new(spec: &LineSpec) -> Result<Self, StructureError> {
        let graph = spec.check()?;
        let mut buffers: Vec<BufferTable> = spec
            .buffers
            .iter()
            .map(|b| BufferTable::new(b.capacity.map_or(usize::MAX, |c| c as usize)))
            .collect();
        let mut stations = Vec::with_capacity(spec.stations.len());
        let mut servers = Vec::new();
        let mut clocks = Vec::new();
        let mut maintenance = maintenance::Tables {
            crews: spec.crews.iter().map(CrewTable::new).collect(),
            ..maintenance::Tables::default()
        };
        // Stations where some route step gives its own time: one pass over the
        // routes (not one per station, which is quadratic on long lines).
        let mut step_times = vec![false; spec.stations.len()];
        for p in &spec.products {
            for (k, step) in p.route.iter().enumerate() {
                if p.step_time(k).is_some() {
                    step.iter().for_each(|&s| step_times[s] = true);
                }
            }
        }
        for (s, station) in spec.stations.iter().enumerate() {
            let input = match station.input {
                Some(b) => b,
                None => {
                    buffers.push(BufferTable::new(usize::MAX));
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
                    clocks.push(ClockTable {
                        server: servers.len() as u32,
                        kind: mode.clock,
                        owner: Owner::Mode {
                            ttf: mode.ttf.clone(),
                            ttr: mode.ttr.clone(),
                            ttf_key: StreamKey::new("time-to-failure", &entity, index),
                            ttr_key: StreamKey::new("time-to-repair", &entity, index),
                        },
                    });
                }
                let server = servers.len() as u32;
                let unit_start = maintenance.units.len() as u32;
                maintenance.add_units(spec, s, server, k, |kind, unit| {
                    clocks.push(ClockTable {
                        server,
                        kind,
                        owner: Owner::Unit(unit),
                    });
                    (clocks.len() - 1) as u32
                });
                servers.push(ServerTable {
                    station: s as u32,
                    clocks: (clock_start, clocks.len() as u32),
                    units: (unit_start, maintenance.units.len() as u32),
                });
            }
            stations.push(StationTable {
                servers: (first, servers.len() as u32),
                input: input as u32,
                processing: station.processing.clone(),
                nominal: station
                    .processing
                    .iter()
                    .map(|d| d.as_ref().map_or(f64::NAN, Distribution::mean))
                    .collect(),
                planned_run_time: station
                    .processing
                    .iter()
                    .enumerate()
                    .map(|(p, d)| {
                        station
                            .planned_run_time(p)
                            .unwrap_or_else(|| d.as_ref().map_or(f64::NAN, Distribution::mean))
                    })
                    .collect(),
                scrap: station.scrap,
                // Set once the routes are compiled.
                input_classes: Vec::new(),
                rule: station.rule,
                step_times: step_times[s],
                wears_by_use: station.wear.iter().any(|w| w.model.by_operations()),
                // Set once every buffer knows its consumers.
                plain: false,
                setup: station
                    .setup
                    .as_ref()
                    .map(|s| SetupTable::new(s, spec.families.len(), &station.name)),
                processing_key: StreamKey::new("processing", &station.name, 0),
                scrap_key: StreamKey::new("scrap", &station.name, 0),
            });
        }
        for station in &mut stations {
            station.plain = station.rule == DispatchRule::Fifo
                && station.setup.is_none()
                && !station.step_times
                && buffers[station.input as usize].single_consumer;
        }
        let routes: Vec<Vec<Step>> = spec
            .products
            .iter()
            .map(|p| {
                p.route
                    .iter()
                    .enumerate()
                    .map(|(k, step)| {
                        let buffer = &mut buffers[stations[step[0]].input as usize];
                        Step {
                            buffer: stations[step[0]].input,
                            class: buffer.class_of(step),
                            stations: step.iter().map(|&s| s as u32).collect(),
                            processing: p.step_time(k).map(|d| (d.clone(), d.mean())),
                        }
                    })
                    .collect()
            })
            .collect();
        for (s, station) in stations.iter_mut().enumerate() {
            let classes = &buffers[station.input as usize].classes;
            station.input_classes = (0..classes.len() as u32)
                .filter(|&c| classes[c as usize].contains(&(s as u32)))
                .collect();
        }
        let sources: Vec<SourceTable> = spec
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
                        let b = &mut buffers[first as usize];
                        b.saturated_by = i as u32;
                        let mut products = mix
                            .iter()
                            .map(|m| m.0)
                            .chain(source.sequence.iter().map(|&p| p as u32));
                        b.saturated_eligible = products.all(|p| {
                            let stations = &routes[p as usize][0].stations;
                            b.consumers.iter().all(|c| stations.contains(c))
                        });
                        (None, WhenFull::Block)
                    }
                    SourceKind::Orders => (None, WhenFull::Block),
                    SourceKind::Arrivals {
                        interarrival,
                        when_full,
                    } => (Some(interarrival.clone()), *when_full),
                };
                SourceTable {
                    interarrival,
                    when_full,
                    mix,
                    sequence: source.sequence.iter().map(|&p| p as u32).collect(),
                    arrival_key: StreamKey::new("arrivals", &source.name, 0),
                    mix_key: StreamKey::new("product-mix", &source.name, 0),
                }
            })
            .collect();
        Ok(Self {
            spec: spec.clone(),
            graph,
            routes,
            family_of: spec.products.iter().map(|p| p.family as u32).collect(),
            remaining_work: spec
                .products
                .iter()
                .enumerate()
                .map(|(p, product)| {
                    let mut work: Vec<f64> = product
                        .route
                        .iter()
                        .enumerate()
                        .map(|(k, step)| {
                            if let Some(d) = product.step_time(k) {
                                return d.mean();
                            }
                            let sum: f64 = step
                                .iter()
                                .map(|&s| {
                                    spec.stations[s].processing[p]
                                        .as_ref()
                                        .map_or(0.0, Distribution::mean)
                                })
                                .sum();
                            sum / step.len() as f64
                        })
                        .collect();
                    for k in (0..work.len().saturating_sub(1)).rev() {
                        work[k] += work[k + 1];
                    }
                    work.push(0.0);
                    work
                })
                .collect(),
            stations,
            servers,
            clocks,
            buffers,
            sources,
            maintenance,
        })
    }

    /// The spec the line was compiled from.
    pub fn spec(&self) -> &LineSpec {
        &self.spec
    }

    /// The line's material-flow graph, with its structural warnings.
    pub fn graph(&self) -> &LineGraph {
        &self.graph
    }
}

impl StationTable {
    /// Whether the station has several servers.
    fn pooled(&self) -> bool {
        self.servers.1 - self.servers.0 > 1
    }
}

impl BufferTable {
    fn new(capacity: usize) -> Self {
        Self {
            capacity,
            consumers: Vec::new(),
            single_consumer: true,
            saturated_by: NONE,
            saturated_eligible: false,
            classes: Vec::new(),
        }
    }

    /// The class of the parts of a route step done by `stations` (its
    /// consumers that the step allows), added if it is new.
    fn class_of(&mut self, stations: &[usize]) -> u32 {
        let allowed: Vec<u32> = self
            .consumers
            .iter()
            .copied()
            .filter(|&c| stations.contains(&(c as usize)))
            .collect();
        match self.classes.iter().position(|c| *c == allowed) {
            Some(class) => class as u32,
            None => {
                self.classes.push(allowed);
                (self.classes.len() - 1) as u32
            }
        }
    }

    /// Whether the buffer is indexed by class: parts of several classes wait
    /// here, or of one that some consumer may not take.
    pub(crate) fn indexed(&self) -> bool {
        match self.classes.as_slice() {
            [] => false,
            [only] => only.len() < self.consumers.len(),
            _ => true,
        }
    }
}

/// The state of one replication of a compiled line: the model the kernel runs.
pub(crate) struct Line<'c> {
    /// The fixed tables.
    pub(crate) c: &'c CompiledLine,
    /// The products' routes (the table's, held here for the hot path).
    pub(crate) routes: &'c [Vec<Step>],
    /// The family of each product.
    pub(crate) family_of: &'c [u32],
    pub(crate) stations: Vec<Station<'c>>,
    pub(crate) servers: Vec<Server>,
    pub(crate) clocks: Vec<Clock>,
    /// Wear units, by index; each server's are `Server::units`.
    pub(crate) units: Vec<Unit>,
    pub(crate) crews: Vec<Crew>,
    /// Units whose health changed at the operation just finished (reused).
    pub(crate) after_operation: Vec<u32>,
    pub(crate) buffers: Vec<Buffer<'c>>,
    pub(crate) sources: Vec<Source>,
    /// The starved servers of each station with more than one (kept apart
    /// from `stations`, which the hot path of a one-server station reads).
    pub(crate) idle: Vec<IdleServers>,
    pub(crate) parts: Parts,
    /// Buffers whose waiters are being let in: the unblocking cascade's work list
    /// (see `flow.rs`), empty between events.
    pub(crate) cascade: Vec<u32>,
    pub(crate) books: Books,
    /// Due date, weight and priority per order, for the rules.
    pub(crate) order_terms: Vec<Terms>,
    /// What became of each order.
    pub(crate) orders: Vec<OrderState>,
    /// The user dispatching rules, by index.
    pub(crate) rules: &'c [&'c dyn DispatchPolicy],
    /// The user maintenance policies, by index.
    pub(crate) policies: &'c [&'c dyn maintenance::MaintenancePolicy],
    /// The first failure of a user maintenance policy, which stops the run.
    pub(crate) policy_failure: Option<maintenance::PolicyFailure>,
    /// The candidates of a user rule's decision (reused: no allocation per decision).
    pub(crate) candidates: Vec<Candidate>,
    /// The first failure of a user rule, which stops the run.
    pub(crate) rule_failure: Option<RuleFailure>,
    /// When the parts in the line passed [`MAX_WIP`](super::MAX_WIP), which
    /// stops the run.
    pub(crate) wip_overflow: Option<f64>,
    /// The schedule being executed, if any.
    pub(crate) plan: Option<Box<super::plan::PlanState<'c>>>,
}

impl<'c> Line<'c> {
    /// Fresh state for one replication: every stream seeded from
    /// `(options.seed, options.replication)` and its key.
    pub(crate) fn new(
        c: &'c CompiledLine,
        options: &RunOptions,
        rules: &'c [&'c dyn DispatchPolicy],
        policies: &'c [&'c dyn maintenance::MaintenancePolicy],
    ) -> Self {
        let stream = |key: StreamKey| RandomStream::new(options.seed, options.replication, key);
        let servers = c
            .servers
            .iter()
            .map(|s| Server {
                family: c.stations[s.station as usize]
                    .setup
                    .as_ref()
                    .map_or(NONE, |t| t.initial),
                station: s.station,
                state: ServerState::Starved,
                since: 0.0,
                state_time: [0.0; STATES],
                part: NONE,
                due: 0.0,
                remaining: 0.0,
                generation: 0,
                resume: ServerState::Starved,
                clocks: s.clocks,
                pooled: c.stations[s.station as usize].pooled(),
                watch: false,
                notify: c.stations[s.station as usize].pooled(),
                units: s.units,
                hold: NONE,
                restart: NONE,
            })
            .collect();
        let clocks = c
            .clocks
            .iter()
            .map(|t| {
                let (ttf_stream, ttr_stream, remaining) = match &t.owner {
                    Owner::Mode {
                        ttf,
                        ttf_key,
                        ttr_key,
                        ..
                    } => {
                        let mut ttf_stream = stream(*ttf_key);
                        let remaining = ttf.sample(&mut ttf_stream);
                        (ttf_stream, stream(*ttr_key), remaining)
                    }
                    // A unit's clock draws from the unit's streams; these
                    // are never read.
                    Owner::Unit(_) => {
                        let idle = stream(StreamKey::new("unused", "", 0));
                        (idle.clone(), idle, 0.0)
                    }
                };
                Clock {
                    server: t.server,
                    kind: t.kind,
                    runs: Clock::runs(t.kind),
                    remaining,
                    running_since: f64::NAN,
                    generation: 0,
                    ttf_stream,
                    ttr_stream,
                }
            })
            .collect();
        let stations = c
            .stations
            .iter()
            .map(|t| Station {
                servers: t.servers,
                input: t.input,
                processing: &t.processing,
                nominal: &t.nominal,
                planned_run_time: &t.planned_run_time,
                scrap: t.scrap,
                rule: t.rule,
                step_times: t.step_times,
                special_end: t.step_times || t.wears_by_use,
                wears_by_use: t.wears_by_use,
                plain: t.plain,
                planned: false,
                special_start: t.setup.is_some(),
                setup: t.setup.as_ref().map(|table| StationSetup {
                    table,
                    stream: stream(table.key),
                }),
                processing_stream: stream(t.processing_key),
                scrap_stream: stream(t.scrap_key),
                books: StationBooks::default(),
            })
            .collect();
        let sources = c
            .sources
            .iter()
            .map(|t| Source {
                arrival_stream: stream(t.arrival_key),
                mix_stream: stream(t.mix_key),
                held: NONE,
                position: 0,
                backlog: VecDeque::new(),
            })
            .collect();
        Self {
            c,
            routes: &c.routes,
            family_of: &c.family_of,
            stations,
            servers,
            clocks,
            units: maintenance::Unit::all(&c.maintenance, stream),
            crews: c
                .maintenance
                .crews
                .iter()
                .map(|t| Crew::new(t, stream(t.key)))
                .collect(),
            after_operation: Vec::new(),
            buffers: c
                .buffers
                .iter()
                .map(|t| Buffer {
                    capacity: t.capacity,
                    consumers: &t.consumers,
                    single_consumer: t.single_consumer,
                    queue: VecDeque::new(),
                    waiters: VecDeque::new(),
                    waiting: 0,
                    index: t
                        .indexed()
                        .then(|| Box::new(ClassIndex::new(t.classes.len()))),
                    books: BufferBooks::default(),
                })
                .collect(),
            sources,
            idle: c
                .stations
                .iter()
                .map(|t| match (t.servers.1 - t.servers.0) as usize {
                    1 => IdleServers::default(),
                    n => IdleServers::all(n),
                })
                .collect(),
            parts: Parts::default(),
            cascade: Vec::new(),
            books: Books::new(options.warmup, c.spec.products.len()),
            order_terms: c
                .spec
                .orders
                .iter()
                .map(|o| Terms {
                    due: o.due,
                    weight: o.weight,
                    priority: o.priority,
                })
                .collect(),
            orders: order_states(c),
            rules,
            policies,
            policy_failure: None,
            candidates: Vec::new(),
            rule_failure: None,
            wip_overflow: None,
            plan: None,
        }
    }

    /// Time 0: start calendar-time failure clocks, first arrivals, saturated starts.
    pub(crate) fn start(&mut self, cal: &mut EventCalendar<Event>) {
        if self.books.warmup > 0.0 {
            cal.schedule_at(self.books.warmup, Event::WarmupEnd);
        }
        for (c, clock) in self.clocks.iter_mut().enumerate() {
            // Wear units arm their own clocks.
            if matches!(self.c.clocks[c].owner, Owner::Unit(_)) {
                continue;
            }
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
        self.start_maintenance(cal);
        for s in 0..self.sources.len() {
            self.schedule_arrival(s as u32, cal);
        }
        self.schedule_orders(cal);
        for server in 0..self.servers.len() as u32 {
            self.try_pull(server, cal);
        }
    }
}
