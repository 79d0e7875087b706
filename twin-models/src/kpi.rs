//! Key performance indicators of one replication, in the `linetwin.kpi/2` shape.

use indexmap::IndexMap;
use serde::Serialize;

use crate::engine::RunOptions;
use sim_core::{Distribution, QuantileSketch, Tally};

use crate::engine::books::{Books, StationBooks};
use crate::engine::buffer::BufferBooks;
use crate::engine::maintenance::MaintenanceBooks;
use crate::engine::order::OrderState;

mod maintenance;

use crate::line::{LineSpec, STATES, ServerState};
pub use maintenance::{CrewKpis, LineMaintenance, StationMaintenance};

/// The version tag of the KPI schema that [`Kpis`] serialises to.
pub const KPI_SCHEMA: &str = "linetwin.kpi/2";

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

/// Fraction of server time in each state; the seven fractions sum to 1.
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
    /// Planned maintenance: preventive work and inspections.
    pub maintenance: f64,
    /// Stopped after a failure, waiting for a technician.
    pub waiting: f64,
}

impl StateFractions {
    /// Busy + setup + down + maintenance + waiting: the "active" time of
    /// Roser's active-period bottleneck method.
    pub fn active(&self) -> f64 {
        self.busy + self.setup + self.down + self.maintenance + self.waiting
    }

    /// The sum of all seven fractions (1 up to rounding).
    pub fn total(&self) -> f64 {
        self.busy
            + self.starved
            + self.blocked
            + self.down
            + self.setup
            + self.maintenance
            + self.waiting
    }
}

/// The ISO 22400-2 time elements, quantities and KPIs of a station (the
/// standard's work unit), times summed over its servers.
///
/// The time model: POT = PDOT + PBT; PBT = ADOT + AUBT; AUBT = ADET + AUPT;
/// AUPT = ASUT + APT. The twin maps its server states onto it: busy is APT,
/// setup is ASUT, down (failure and repair, and waiting for the technician)
/// is ADET, of which the repair itself is CMT; starved and blocked (the
/// station could work but has nothing to do or nowhere to put a part) are
/// ADOT, planned maintenance is PDOT. Ratios that are undefined (nothing
/// produced, no failure) are NaN and serialise as `null`.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct StationIso {
    /// Planned operation time: the period times the servers.
    pub pot: f64,
    /// Planned down time: planned maintenance.
    pub pdot: f64,
    /// Planned busy time: POT − PDOT.
    pub pbt: f64,
    /// Actual unit down time: available but not executing (starved or blocked).
    pub adot: f64,
    /// Actual unit busy time: PBT − ADOT = APT + ASUT + ADET.
    pub aubt: f64,
    /// Actual unit delay time: failures under repair.
    pub adet: f64,
    /// Actual unit processing time: APT + ASUT.
    pub aupt: f64,
    /// Actual unit setup time: changeovers.
    pub asut: f64,
    /// Actual production time: processing.
    pub apt: f64,
    /// Corrective maintenance time: repairs.
    pub cmt: f64,
    /// Preventive maintenance time: planned maintenance.
    pub pmt: f64,
    /// Produced quantity: operations completed, good and scrapped.
    pub pq: u64,
    /// Good quantity.
    pub gq: u64,
    /// Scrap quantity.
    pub sq: u64,
    /// Failure events.
    pub fe: u64,
    /// Planned run time per item, averaged over the items produced.
    pub pri: f64,
    /// APT / PBT.
    pub availability: f64,
    /// PRI × PQ / APT.
    pub effectiveness: f64,
    /// GQ / PQ.
    pub quality_ratio: f64,
    /// Availability × effectiveness × quality ratio.
    pub oee_index: f64,
    /// Utilisation efficiency × effectiveness × quality ratio.
    pub nee_index: f64,
    /// APT / AUBT.
    pub utilisation_efficiency: f64,
    /// AUBT / PBT.
    pub allocation_efficiency: f64,
    /// APT / (APT + ADET): only failures count against it.
    pub technical_efficiency: f64,
    /// ASUT / AUPT.
    pub setup_rate: f64,
    /// SQ / PQ.
    pub scrap_ratio: f64,
    /// GQ / PQ: parts good the first time (the twin has no rework).
    pub first_pass_yield: f64,
    /// CMT / (CMT + PMT).
    pub corrective_maintenance_ratio: f64,
    /// Mean time between failures: PBT / FE (MTTF + MTTR).
    pub mtbf: f64,
    /// Mean time to failure: (PBT − ADET) / FE.
    pub mttf: f64,
    /// Mean time to repair: ADET / FE.
    pub mttr: f64,
}

impl StationIso {
    /// The elements and KPIs from the period's state times (summed over
    /// servers), quantities and the planned run time of what was produced.
    fn new(state_time: &[f64; STATES], pot: f64, pq: u64, sq: u64, fe: u64, planned: f64) -> Self {
        let time = |state: ServerState| state_time[state.index()];
        let (apt, asut, cmt) = (
            time(ServerState::Busy),
            time(ServerState::Setup),
            time(ServerState::Down),
        );
        let adet = cmt + time(ServerState::Waiting);
        let pdot = time(ServerState::Maintenance);
        let adot = time(ServerState::Starved) + time(ServerState::Blocked);
        let (aupt, pbt) = (apt + asut, pot - pdot);
        let aubt = aupt + adet;
        let gq = pq - sq;
        let produced = pq as f64;
        // No failure: the times per failure are undefined, not infinite.
        let failures = if fe == 0 { f64::NAN } else { fe as f64 };
        let availability = apt / pbt;
        let effectiveness = planned / apt;
        let quality_ratio = gq as f64 / produced;
        let utilisation_efficiency = apt / aubt;
        Self {
            pot,
            pdot,
            pbt,
            adot,
            aubt,
            adet,
            aupt,
            asut,
            apt,
            cmt,
            pmt: pdot,
            pq,
            gq,
            sq,
            fe,
            pri: planned / produced,
            availability,
            effectiveness,
            quality_ratio,
            oee_index: availability * effectiveness * quality_ratio,
            nee_index: utilisation_efficiency * effectiveness * quality_ratio,
            utilisation_efficiency,
            allocation_efficiency: aubt / pbt,
            technical_efficiency: apt / (apt + adet),
            setup_rate: asut / aupt,
            scrap_ratio: sq as f64 / produced,
            first_pass_yield: quality_ratio,
            corrective_maintenance_ratio: cmt / (cmt + pdot),
            mtbf: pbt / failures,
            mttf: (pbt - adet) / failures,
            mttr: adet / failures,
        }
    }
}

/// Line-level ISO 22400-2 ratios over the period.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct LineIso {
    /// Σ AUBT of the stations / Σ time parts spent in the line: the share of
    /// their throughput time during which a work unit was busy with them.
    pub allocation_ratio: f64,
    /// Σ APT of the stations / Σ time parts spent in the line: the share of
    /// their throughput time that adds value (lean's process cycle efficiency).
    pub production_process_ratio: f64,
    /// Parts scrapped / parts finished (good or scrapped).
    pub scrap_ratio: f64,
    /// Good parts / parts finished: good the first time (the twin has no rework).
    pub first_pass_yield: f64,
    /// Σ ADET of the stations: server time lost to failures.
    pub unplanned_downtime: f64,
    /// Σ PDOT of the stations: server time in planned maintenance.
    pub planned_downtime: f64,
}

/// Energy a station drew over the period, in kWh.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct StationEnergy {
    /// All states.
    pub kwh: f64,
    /// Processing.
    pub busy_kwh: f64,
    /// Changing over.
    pub setup_kwh: f64,
    /// Starved or blocked: waiting.
    pub idle_kwh: f64,
    /// Down or in maintenance.
    pub down_kwh: f64,
    /// kWh / good quantity (ISO 22400-2 energy per unit, the station's share).
    pub per_good_unit_kwh: f64,
}

/// Energy and carbon of the line over the period.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct LineEnergy {
    /// Stations' draw plus the fixed line load.
    pub kwh: f64,
    /// The stations' draw.
    pub stations_kwh: f64,
    /// The fixed line load.
    pub line_load_kwh: f64,
    /// kWh per good part completed.
    pub per_good_part_kwh: f64,
    /// Energy efficiency: good parts completed per kWh.
    pub good_parts_per_kwh: f64,
    /// The emission factor applied, kg CO2 per kWh.
    pub emission_factor: f64,
    /// kWh × emission factor.
    pub co2_kg: f64,
    /// kg CO2 per good part completed.
    pub co2_per_good_part_kg: f64,
}

/// A product's share of the line's energy and carbon: allocated by the
/// processing energy its completed parts need (mean time × busy power over its
/// route), or by parts where no station draws power when busy.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct ProductEnergy {
    /// kWh allocated to the product.
    pub kwh: f64,
    /// kWh per completed part.
    pub per_part_kwh: f64,
    /// kg CO2 allocated to the product.
    pub co2_kg: f64,
    /// kg CO2 per completed part.
    pub co2_per_part_kg: f64,
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
    /// ISO 22400-2 ratios of the line.
    pub iso: LineIso,
    /// Energy and carbon; absent when the line is not metered.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub energy: Option<LineEnergy>,
    /// Maintenance totals; absent when no station wears.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub maintenance: Option<LineMaintenance>,
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
    /// Its share of energy and carbon; absent when the line is not metered.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub energy: Option<ProductEnergy>,
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
    /// ISO 22400-2 time elements, quantities and KPIs.
    pub iso: StationIso,
    /// Energy drawn; absent when the line is not metered.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub energy: Option<StationEnergy>,
    /// Maintenance of its wear modes; absent when it has none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub maintenance: Option<StationMaintenance>,
}

/// All KPIs of one replication.
///
/// Two sets are equal when they serialise identically: an undefined ratio
/// (NaN) equals an undefined ratio, so that "same seed, same KPIs" holds.
#[derive(Clone, Debug, Serialize)]
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
    /// Maintenance crews, in declaration order; absent when there are none.
    #[serde(skip_serializing_if = "IndexMap::is_empty")]
    pub crews: IndexMap<String, CrewKpis>,
    /// The bottleneck station's name.
    pub bottleneck: String,
    /// How the bottleneck was found.
    pub bottleneck_method: &'static str,
}

impl PartialEq for Kpis {
    fn eq(&self, other: &Self) -> bool {
        // Floats print in their shortest round-trip form, so equal text is
        // equal numbers; NaN and infinities print as `null`.
        serde_json::to_string(self).ok() == serde_json::to_string(other).ok()
    }
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
    maintenance: &MaintenanceBooks,
) -> Kpis {
    let horizon = options.horizon;
    let period = horizon - options.warmup;
    let per_hour = spec.time_unit.per_hour();
    let mut stations = IndexMap::with_capacity(station_books.len());
    let mut station_maintenance = Vec::new();
    for ((station, s), m) in spec
        .stations
        .iter()
        .zip(station_books)
        .zip(&maintenance.stations)
    {
        let total = f64::from(station.servers) * period;
        let fraction = |state: ServerState| s.state_time[state.index()] / total;
        let states = StateFractions {
            busy: fraction(ServerState::Busy),
            starved: fraction(ServerState::Starved),
            blocked: fraction(ServerState::Blocked),
            down: fraction(ServerState::Down),
            setup: fraction(ServerState::Setup),
            maintenance: fraction(ServerState::Maintenance),
            waiting: fraction(ServerState::Waiting),
        };
        let maintenance = m
            .as_ref()
            .map(|m| StationMaintenance::new(m, &s.state_time, total, s.failures));
        station_maintenance.extend(maintenance);
        let iso = StationIso::new(
            &s.state_time,
            total,
            s.operations,
            s.scrapped,
            s.failures,
            s.nominal_time,
        );
        let oee = oee(iso.availability, iso.effectiveness, iso.quality_ratio);
        let energy = spec.energy.map(|_| {
            let kwh = |states: &[ServerState]| {
                station.power.map_or(0.0, |power| {
                    states
                        .iter()
                        .map(|&st| power.kw(st) * s.state_time[st.index()])
                        .sum::<f64>()
                        / per_hour
                })
            };
            let busy_kwh = kwh(&[ServerState::Busy]);
            let setup_kwh = kwh(&[ServerState::Setup]);
            let idle_kwh = kwh(&[ServerState::Starved, ServerState::Blocked]);
            let down_kwh = kwh(&[
                ServerState::Down,
                ServerState::Maintenance,
                ServerState::Waiting,
            ]);
            let all = busy_kwh + setup_kwh + idle_kwh + down_kwh;
            StationEnergy {
                kwh: all,
                busy_kwh,
                setup_kwh,
                idle_kwh,
                down_kwh,
                per_good_unit_kwh: all / iso.gq as f64,
            }
        });
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
                iso,
                energy,
                maintenance,
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
                energy: None,
            },
        );
    }
    let wip_mean = books.wip.mean(horizon);
    // Σ over parts of their time in the line during the period.
    let part_time = wip_mean * period;
    let sum = |element: fn(&StationIso) -> f64| stations.values().map(|k| element(&k.iso)).sum();
    let (busy, production): (f64, f64) = (sum(|i| i.aubt), sum(|i| i.apt));
    let finished = books.completed + books.scrapped;
    let line_iso = LineIso {
        allocation_ratio: busy / part_time,
        production_process_ratio: production / part_time,
        scrap_ratio: books.scrapped as f64 / finished as f64,
        first_pass_yield: books.completed as f64 / finished as f64,
        unplanned_downtime: sum(|i| i.adet),
        planned_downtime: sum(|i| i.pdot),
    };
    let line_energy = spec.energy.map(|energy| {
        let stations_kwh: f64 = stations
            .values()
            .filter_map(|k| k.energy.map(|e| e.kwh))
            .sum();
        let line_load_kwh = energy.line_load_kw * period / per_hour;
        let kwh = stations_kwh + line_load_kwh;
        let good = books.completed as f64;
        let co2_kg = kwh * energy.emission_factor;
        let line = LineEnergy {
            kwh,
            stations_kwh,
            line_load_kwh,
            per_good_part_kwh: kwh / good,
            good_parts_per_kwh: good / kwh,
            emission_factor: energy.emission_factor,
            co2_kg,
            co2_per_good_part_kg: co2_kg / good,
        };
        allocate_energy(spec, &line, &mut products);
        line
    });
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
            wip_mean,
            lead_time: lead_time(&line_tally, &line_sketch),
            oee: line_oee,
            iso: line_iso,
            energy: line_energy,
            maintenance: (!station_maintenance.is_empty())
                .then(|| LineMaintenance::new(&station_maintenance, books.completed, period)),
        },
        products,
        bottleneck: bottleneck.clone(),
        bottleneck_method: "active-period (utilisation): largest fraction of time busy, in setup, down or in maintenance",
        crews: maintenance::crews(spec, &maintenance.crews, &maintenance.crew_units, period),
        stations,
        buffers,
        orders: (!spec.orders.is_empty()).then(|| close_orders(spec, options, order_states)),
    }
}

/// Shares the line's energy among the products by the processing energy their
/// completed parts need: per part, over its route, the mean processing time ×
/// the station's busy power (averaged over a step's alternatives). Where that
/// is zero for every product (no busy power), by completed parts.
fn allocate_energy(
    spec: &LineSpec,
    line: &LineEnergy,
    products: &mut IndexMap<String, ProductKpis>,
) {
    let content: Vec<f64> = spec
        .products
        .iter()
        .enumerate()
        .map(|(p, product)| {
            product
                .route
                .iter()
                .enumerate()
                .map(|(step, stations)| {
                    let energy: f64 = stations
                        .iter()
                        .map(|&s| {
                            let station = &spec.stations[s];
                            let mean = product
                                .step_time(step)
                                .or(station.processing[p].as_ref())
                                .map_or(0.0, Distribution::mean);
                            let busy = station.power.map_or(0.0, |w| w.kw(ServerState::Busy));
                            mean * busy
                        })
                        .sum();
                    energy / stations.len() as f64
                })
                .sum()
        })
        .collect();
    let parts: Vec<f64> = products
        .values()
        .map(|k| k.parts_completed as f64)
        .collect();
    let weight = |p: usize| content[p] * parts[p];
    let total: f64 = (0..parts.len()).map(weight).sum();
    let everything: f64 = parts.iter().sum();
    for (p, kpis) in products.values_mut().enumerate() {
        let share = if total > 0.0 {
            weight(p) / total
        } else {
            parts[p] / everything
        };
        let (kwh, co2_kg) = (line.kwh * share, line.co2_kg * share);
        kpis.energy = Some(ProductEnergy {
            kwh,
            per_part_kwh: kwh / parts[p],
            co2_kg,
            co2_per_part_kg: co2_kg / parts[p],
        });
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
