//! Key performance indicators of one replication, in the `linetwin.kpi/1` shape.

use indexmap::IndexMap;
use serde::Serialize;

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
    /// Changing over.
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
    /// Per-station KPIs, in declaration order.
    pub stations: IndexMap<String, StationKpis>,
    /// The bottleneck station's name.
    pub bottleneck: String,
    /// How the bottleneck was found.
    pub bottleneck_method: &'static str,
}
