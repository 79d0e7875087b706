//! Key performance indicators of one replication, in the `linetwin.kpi/1` shape.

use indexmap::IndexMap;
use serde::Serialize;

use crate::engine::RunOptions;
use sim_core::{QuantileSketch, Tally};

use crate::engine::books::{Books, StationBooks};
use crate::engine::buffer::BufferBooks;
use crate::engine::order::OrderState;
use crate::line::{LineSpec, ServerState};

/// The version tag of the KPI schema that [`Kpis`] serialises to.
pub const KPI_SCHEMA: &str = "linetwin.kpi/1";

/// Availability, performance (ISO 22400-2 "effectiveness"), quality and their product.
///
/// Ratios that are undefined (nothing produced) are NaN and serialise as `null`.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Oee {
    /// Actual production time / planned busy time.
    pub availability: f64,
    /// Planned run time per item × produced quantity / actual production time.
    pub performance: f64,
    /// Good quantity / produced quantity.
    pub quality: f64,
    /// availability × performance × quality.
    pub oee: f64,
}

/// Fraction of server time in each state; the six fractions sum to 1.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct StateFractions {
    /// Processing.
    pub busy: f64,
    /// Idle with nothing to do.
    pub starved: f64,
    /// Holding a finished part the next buffer has no room for.
    pub blocked: f64,
    /// Failed, under repair.
    pub down: f64,
    /// Changing over to another product family.
    pub setup: f64,
    /// Planned maintenance.
    pub maintenance: f64,
}

impl StateFractions {
    /// Busy + setup + down + maintenance: the "active" time of Roser's
    /// active-period bottleneck method.
    pub fn active(&self) -> f64 {
        self.busy + self.setup + self.down + self.maintenance
    }

    /// The sum of all six fractions (1 up to rounding).
    pub fn total(&self) -> f64 {
        self.busy + self.starved + self.blocked + self.down + self.setup + self.maintenance
    }
}

/// Lead time (release to completion) of completed parts.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct LeadTime {
    /// Mean.
    pub mean: f64,
    /// Median (relative accuracy 0.5%).
    pub p50: f64,
    /// 90th percentile.
    pub p90: f64,
    /// 95th percentile.
    pub p95: f64,
    /// Largest observed.
    pub max: f64,
}

/// Line-level KPIs over the observation period `[warmup, horizon]`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LineKpis {
    /// Parts that entered the line during the period.
    pub parts_released: u64,
    /// Good parts that reached a sink during the period.
    pub parts_completed: u64,
    /// Parts scrapped during the period.
    pub parts_scrapped: u64,
    /// Parts turned away by full sources (`when_full = "lose"`).
    pub parts_lost: u64,
    /// Parts in the line at the horizon.
    pub parts_in_system: u64,
    /// Parts in the line at the start of the period (after warm-up).
    pub parts_in_system_at_start: u64,
    /// Completed parts per model time unit.
    pub throughput: f64,
    /// Completed parts per hour.
    pub throughput_per_hour: f64,
    /// Time-average number of parts in the line (work in progress).
    pub wip_mean: f64,
    /// Lead time of completed parts.
    pub lead_time: LeadTime,
    /// Line OEE: the bottleneck's availability and performance, the line's quality.
    pub oee: Oee,
}

/// KPIs of one product over the period.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ProductKpis {
    /// Good parts of the product that reached their sink.
    pub parts_completed: u64,
    /// Completed parts per model time unit.
    pub throughput: f64,
    /// Completed parts per hour.
    pub throughput_per_hour: f64,
    /// Lead time of the product's completed parts.
    pub lead_time: LeadTime,
}

/// KPIs of one named buffer over the period (its waiting parts, not the parts
/// on the servers it feeds).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct BufferKpis {
    /// Its capacity; `None` (JSON `null`): unlimited.
    pub capacity: Option<u32>,
    /// Time-average number of waiting parts.
    pub content_mean: f64,
    /// Most waiting parts at any instant.
    pub content_max: u64,
    /// Fraction of the period the buffer was full (0 for an unlimited buffer).
    pub full_fraction: f64,
}

/// What became of one order.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct OrderRow {
    /// The order's identifier.
    pub id: String,
    /// Its product.
    pub product: String,
    /// Parts ordered.
    pub quantity: u32,
    /// Good parts delivered by the horizon.
    pub completed: u32,
    /// Release time.
    pub release: f64,
    /// Due date (`null`: none).
    pub due: Option<f64>,
    /// When its last part left the line (`null`: not done by the horizon).
    pub completion: Option<f64>,
    /// Completion − due date (`null` if either is missing).
    pub lateness: Option<f64>,
    /// max(lateness, 0).
    pub tardiness: Option<f64>,
}

/// Mean and largest of a time over orders.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct MeanMax {
    /// Mean (`null` over no orders).
    pub mean: f64,
    /// Largest.
    pub max: f64,
}

/// Tardiness over orders.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Tardiness {
    /// Mean over the done orders with a due date.
    pub mean: f64,
    /// Largest.
    pub max: f64,
    /// Sum of weight × tardiness.
    pub total_weighted: f64,
}

/// KPIs of the order book. Aggregates cover the orders done (last part left
/// the line) during the period; `table` lists every order.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct OrderKpis {
    /// Orders in the book.
    pub orders: u64,
    /// Orders done during the period.
    pub done: u64,
    /// Orders released by the horizon and not done.
    pub open: u64,
    /// When the last order was done, if every order was done by the horizon.
    pub makespan: Option<f64>,
    /// Release-to-done time of the orders done in the period.
    pub flow_time: MeanMax,
    /// Tardiness of the done orders that have a due date.
    pub tardiness: Tardiness,
    /// Done orders finished after their due date.
    pub tardy: u64,
    /// `tardy` / done orders with a due date.
    pub tardy_share: f64,
    /// 1 − `tardy_share`: the on-time delivery rate.
    pub on_time_rate: f64,
    /// Every order, in the order of the book.
    pub table: Vec<OrderRow>,
}

/// KPIs of one station.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct StationKpis {
    /// Number of parallel servers.
    pub servers: u32,
    /// Fraction of server time in each state.
    pub states: StateFractions,
    /// Busy fraction (actual production time / total server time).
    pub utilization: f64,
    /// Processing completions (good and scrapped).
    pub operations: u64,
    /// Parts scrapped here.
    pub scrapped: u64,
    /// Failures that started during the period.
    pub failures: u64,
    /// Setups (changeovers) that started during the period.
    pub setups: u64,
    /// Server time spent in setup during the period, summed over servers.
    pub setup_time: f64,
    /// Mean time a part waited in the station's queue before a server took it
    /// (0 for parts that found a server free), over the parts taken in the period.
    pub waiting_time_mean: f64,
    /// ISO 22400-2 OEE of the station.
    pub oee: Oee,
}

/// All KPIs of one replication.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Kpis {
    /// Always [`KPI_SCHEMA`].
    pub schema: &'static str,
    /// Scenario name.
    pub scenario: String,
    /// Unit of every time and rate below (`s`, `min`, `h`).
    pub time_unit: &'static str,
    /// Master seed.
    pub seed: u64,
    /// Replication index.
    pub replication: u64,
    /// End of the run.
    pub horizon: f64,
    /// End of the warm-up: statistics cover `[warmup, horizon]`.
    pub warmup: f64,
    /// Line KPIs.
    pub line: LineKpis,
    /// Per-product KPIs, in declaration order.
    pub products: IndexMap<String, ProductKpis>,
    /// Per-station KPIs, in declaration order.
    pub stations: IndexMap<String, StationKpis>,
    /// Per named buffer, in declaration order.
    pub buffers: IndexMap<String, BufferKpis>,
    /// The order book's KPIs; absent when the line has no orders.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub orders: Option<OrderKpis>,
    /// The bottleneck station's name.
    pub bottleneck: String,
    /// How the bottleneck was found.
    pub bottleneck_method: &'static str,
}

/// The KPIs of a replication from its closed books: state fractions, OEE (ISO
/// 22400-2), the bottleneck, throughput and lead times over `[warmup, horizon]`.
pub(crate) fn close(
    spec: &LineSpec,
    options: &RunOptions,
    station_books: &[StationBooks],
    buffer_books: &[BufferBooks],
    order_states: &[OrderState],
    books: &Books,
) -> Kpis {
    let horizon = options.horizon;
    let period = horizon - options.warmup;
    let mut stations = IndexMap::with_capacity(station_books.len());
    for (station, s) in spec.stations.iter().zip(station_books) {
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
                setups: s.setups,
                setup_time: s.state_time[ServerState::Setup.index()],
                waiting_time_mean: s.waiting_time / s.starts as f64,
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
    let produced = books.completed + books.scrapped;
    let line_oee = oee(
        bottleneck_kpis.oee.availability,
        bottleneck_kpis.oee.performance,
        books.completed as f64 / produced as f64,
    );
    let per_hour = spec.time_unit.per_hour();
    let lead_time = |tally: &Tally, sketch: &QuantileSketch| LeadTime {
        mean: tally.mean(),
        p50: sketch.quantile(0.5),
        p90: sketch.quantile(0.9),
        p95: sketch.quantile(0.95),
        max: tally.max(),
    };
    let mut products = IndexMap::with_capacity(spec.products.len());
    // The line's lead times are the merge of the products' (mergeable statistics).
    let (mut line_tally, mut line_sketch) = (Tally::new(), QuantileSketch::new());
    for (product, b) in spec.products.iter().zip(&books.products) {
        line_tally.merge(&b.lead_time);
        line_sketch.merge(&b.lead_time_quantiles);
        let completed = b.lead_time.count();
        let throughput = completed as f64 / period;
        products.insert(
            product.name.clone(),
            ProductKpis {
                parts_completed: completed,
                throughput,
                throughput_per_hour: throughput * per_hour,
                lead_time: lead_time(&b.lead_time, &b.lead_time_quantiles),
            },
        );
    }
    let buffers = spec
        .buffers
        .iter()
        .zip(buffer_books)
        .map(|(buffer, b)| {
            (
                buffer.name.clone(),
                BufferKpis {
                    capacity: buffer.capacity,
                    content_mean: b.area / period,
                    content_max: b.max as u64,
                    full_fraction: b.full_time / period,
                },
            )
        })
        .collect();
    let throughput = books.completed as f64 / period;
    Kpis {
        schema: KPI_SCHEMA,
        scenario: spec.name.clone(),
        time_unit: spec.time_unit.symbol(),
        seed: options.seed,
        replication: options.replication,
        horizon,
        warmup: options.warmup,
        line: LineKpis {
            parts_released: books.released,
            parts_completed: books.completed,
            parts_scrapped: books.scrapped,
            parts_lost: books.lost,
            parts_in_system: books.in_system,
            parts_in_system_at_start: books.in_system_at_start,
            throughput,
            throughput_per_hour: throughput * per_hour,
            wip_mean: books.wip.mean(horizon),
            lead_time: lead_time(&line_tally, &line_sketch),
            oee: line_oee,
        },
        products,
        bottleneck: bottleneck.clone(),
        bottleneck_method: "active-period (utilisation): largest fraction of time busy, in setup, down or in maintenance",
        stations,
        buffers,
        orders: (!spec.orders.is_empty()).then(|| close_orders(spec, options, order_states)),
    }
}

/// Order KPIs from the order states at the horizon.
fn close_orders(spec: &LineSpec, options: &RunOptions, states: &[OrderState]) -> OrderKpis {
    let (warmup, horizon) = (options.warmup, options.horizon);
    let mut table = Vec::with_capacity(states.len());
    let (mut flow, mut tardiness) = (Tally::new(), Tally::new());
    let (mut weighted, mut tardy, mut open) = (0.0, 0_u64, 0_u64);
    let mut last = f64::NEG_INFINITY;
    for (order, state) in spec.orders.iter().zip(states) {
        let completion = state.completion.is_finite().then_some(state.completion);
        let due = order.due.is_finite().then_some(order.due);
        let lateness = completion.zip(due).map(|(c, d)| c - d);
        let late = lateness.map(|l| l.max(0.0));
        match completion {
            Some(c) => {
                last = last.max(c);
                if c >= warmup {
                    flow.add(c - order.release);
                    if let Some(t) = late {
                        tardiness.add(t);
                        weighted += order.weight * t;
                        if t > 0.0 {
                            tardy += 1;
                        }
                    }
                }
            }
            None if order.release <= horizon => open += 1,
            None => {}
        }
        table.push(OrderRow {
            id: order.id.clone(),
            product: spec.products[order.product].name.clone(),
            quantity: order.quantity,
            completed: state.completed,
            release: order.release,
            due,
            completion,
            lateness,
            tardiness: late,
        });
    }
    let with_due = tardiness.count();
    let tardy_share = tardy as f64 / with_due as f64;
    let all_done = states.iter().all(|s| s.completion.is_finite());
    OrderKpis {
        orders: states.len() as u64,
        done: flow.count(),
        open,
        makespan: all_done.then_some(last),
        flow_time: MeanMax {
            mean: flow.mean(),
            max: flow.max(),
        },
        tardiness: Tardiness {
            mean: tardiness.mean(),
            max: tardiness.max(),
            total_weighted: weighted,
        },
        tardy,
        tardy_share,
        on_time_rate: 1.0 - tardy_share,
        table,
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
