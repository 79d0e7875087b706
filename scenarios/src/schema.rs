//! The TOML scenario format, as serde types: names link things; unknown fields are rejected.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// A whole scenario file.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ScenarioFile {
    /// Run settings.
    pub scenario: ScenarioSection,
    /// Products and their routes.
    #[serde(default)]
    pub products: Vec<ProductDef>,
    /// Stations.
    #[serde(default)]
    pub stations: Vec<StationDef>,
    /// Named buffers.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub buffers: Vec<BufferDef>,
    /// Sources.
    #[serde(default)]
    pub sources: Vec<SourceDef>,
    /// Sinks.
    #[serde(default)]
    pub sinks: Vec<SinkDef>,
    /// Customer orders, released by sources of kind `orders`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub orders: Vec<OrderDef>,
    /// Energy accounting: the line's fixed load and the emission factor.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub energy: Option<EnergyDef>,
    /// Maintenance crews, named by the stations' wear modes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub crews: Vec<CrewDef>,
    /// Monte-Carlo experiment settings (replications, factors, variants).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub experiment: Option<ExperimentDef>,
}

/// The `[experiment]` table: how many replications, and which design points.
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ExperimentDef {
    /// Replications per design point (default 10).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replications: Option<i64>,
    /// Master seed (default `scenario.seed`), as in `[scenario]`.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "seed::option"
    )]
    pub seed: Option<u64>,
    /// End of each run (default `scenario.horizon`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub horizon: Option<f64>,
    /// End of each warm-up (default `scenario.warmup`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub warmup: Option<f64>,
    /// A full-factorial grid over named parameters.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub factors: Vec<FactorDef>,
    /// Named alternatives to the scenario itself, each crossed with the grid.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub variants: Vec<VariantDef>,
    /// Run until a KPI is precise enough instead of a fixed number of replications.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub precision: Option<PrecisionDef>,
}

/// One factor: a parameter, addressed by names, and the values it takes.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct FactorDef {
    /// E.g. `buffers.B3.capacity`, `stations.weld.servers`,
    /// `stations.S1.processing.mean`, `stations.S1.failures.jam.ttr.mean`,
    /// `stations.pump-1.wear.impeller.policy`, `crews.fitters.technicians`,
    /// `sources.orders.interarrival.mean`.
    pub parameter: String,
    /// The values, in order.
    pub values: Vec<toml::Value>,
}

/// A named variant: another scenario file and/or parameter changes.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct VariantDef {
    /// Unique name (`base` is the scenario itself).
    pub name: String,
    /// A full alternative scenario, relative to this file; default: this scenario.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scenario: Option<String>,
    /// Parameter changes applied on top, by the same names as factors.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub set: BTreeMap<String, toml::Value>,
}

/// Sequential precision: add replications until the KPI's 95% CI half-width,
/// relative to its mean, is at most the target in every design point.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct PrecisionDef {
    /// The KPI, e.g. `line.throughput` or `stations.S3.states.blocked`.
    pub kpi: String,
    /// Target relative half-width, e.g. 0.01 for ±1%.
    pub relative_half_width: f64,
    /// Stop here even if the target is not reached.
    pub max_replications: i64,
}

/// The `[scenario]` table: name, time unit, horizon, warm-up and seed.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ScenarioSection {
    /// Scenario name.
    pub name: String,
    /// Free text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// `s`, `min` or `h`.
    pub time_unit: String,
    /// End of the run, in time units.
    pub horizon: f64,
    /// End of the warm-up (default 0).
    #[serde(default)]
    pub warmup: f64,
    /// Master seed (default 1), from 0 to 2⁶⁴ − 1: an integer, or one above
    /// TOML's integer range (2⁶³ − 1) as a string of digits.
    #[serde(default = "default_seed", with = "seed")]
    pub seed: u64,
    /// The dispatching rule of every station without its own (default `fifo`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule: Option<RuleDef>,
}

/// A dispatching rule: its name (`"spt"`), or a table with its parameters
/// (`{ name = "atcs", k1 = 2.0, k2 = 0.5 }`).
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
#[serde(untagged)]
pub enum RuleDef {
    /// A rule by name, with default parameters.
    Name(String),
    /// A rule with parameters.
    Table {
        /// The rule's name.
        name: String,
        /// ATC look-ahead (default 2).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        k: Option<f64>,
        /// ATCS due-date look-ahead (default 2).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        k1: Option<f64>,
        /// ATCS setup look-ahead (default 1).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        k2: Option<f64>,
    },
}

fn default_seed() -> u64 {
    1
}

/// Seeds in scenario files: TOML's integers stop at 2⁶³ − 1, so a seed above
/// that (up to 2⁶⁴ − 1) is written as a string of digits; both forms are read,
/// and a seed is written as an integer whenever TOML can hold it.
mod seed {
    use serde::de::{self, Visitor};
    use serde::{Deserializer, Serializer};

    const EXPECTED: &str =
        "a seed: an integer from 0 to 18446744073709551615, or such an integer as a string";

    pub(super) fn serialize<S: Serializer>(seed: &u64, s: S) -> Result<S::Ok, S::Error> {
        match i64::try_from(*seed) {
            Ok(v) => s.serialize_i64(v),
            Err(_) => s.serialize_str(&seed.to_string()),
        }
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
        d.deserialize_any(SeedVisitor)
    }

    struct SeedVisitor;

    impl Visitor<'_> for SeedVisitor {
        type Value = u64;

        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str(EXPECTED)
        }

        fn visit_u64<E: de::Error>(self, v: u64) -> Result<u64, E> {
            Ok(v)
        }

        fn visit_i64<E: de::Error>(self, v: i64) -> Result<u64, E> {
            u64::try_from(v).map_err(|_| E::invalid_value(de::Unexpected::Signed(v), &EXPECTED))
        }

        fn visit_str<E: de::Error>(self, v: &str) -> Result<u64, E> {
            // Digits only: no sign, no spaces, no underscores.
            if v.is_empty() || !v.bytes().all(|b| b.is_ascii_digit()) {
                return Err(E::invalid_value(de::Unexpected::Str(v), &EXPECTED));
            }
            v.parse()
                .map_err(|_| E::invalid_value(de::Unexpected::Str(v), &EXPECTED))
        }
    }

    /// The same for an optional seed.
    pub(super) mod option {
        use serde::{Deserializer, Serializer};

        pub(in super::super) fn serialize<S: Serializer>(
            seed: &Option<u64>,
            s: S,
        ) -> Result<S::Ok, S::Error> {
            match seed {
                Some(seed) => super::serialize(seed, s),
                None => s.serialize_none(),
            }
        }

        pub(in super::super) fn deserialize<'de, D: Deserializer<'de>>(
            d: D,
        ) -> Result<Option<u64>, D::Error> {
            super::deserialize(d).map(Some)
        }
    }
}

/// One step of a route: a station, alternative stations sharing an input
/// buffer, or an operation with its own processing time.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(untagged)]
pub enum RouteStep {
    /// One station by name.
    Station(String),
    /// Any of these stations (they must share one named input buffer).
    Alternatives(Vec<String>),
    /// `{ station = "M1", processing = {...} }` (or `stations = [...]`): the
    /// step's own processing time, e.g. a job that revisits a station.
    Operation(Box<OperationDef>),
}

/// A route step written as a table.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct OperationDef {
    /// The station (or give `stations`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub station: Option<String>,
    /// Alternative stations sharing an input buffer (or give `station`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stations: Option<Vec<String>>,
    /// This operation's processing time, overriding the stations' (optional).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub processing: Option<DistributionDef>,
}

/// A `[[products]]` entry.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ProductDef {
    /// Unique name.
    pub name: String,
    /// Station names in processing order.
    pub route: Vec<RouteStep>,
    /// Sink name; may be omitted when there is one sink.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sink: Option<String>,
    /// Product family, for changeovers (default: a family of its own, named
    /// after the product).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub family: Option<String>,
}

/// A distribution: `dist` names the family, the other fields its parameters,
/// either its own (e.g. `shape`, `scale`) or `mean` and `cv`.
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
#[allow(missing_docs)]
pub struct DistributionDef {
    /// Family: constant, exponential, uniform, triangular, normal, lognormal,
    /// gamma, erlang, weibull, discrete, piecewise_linear.
    pub dist: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mean: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cv: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rate: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sd: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mu: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sigma: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shape: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scale: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub k: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub values: Option<Vec<f64>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weights: Option<Vec<f64>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub points: Option<Vec<Vec<f64>>>,
}

/// A `[[stations.failures]]` entry: one failure mode.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct FailureDef {
    /// Name, unique in the station (default `failure-N`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// `busy` (operation-dependent, default), `operating` (busy or in setup) or
    /// `calendar` (time-dependent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clock: Option<String>,
    /// Time to failure.
    pub ttf: DistributionDef,
    /// Time to repair.
    pub ttr: DistributionDef,
}

/// A `[[stations.wear]]` entry: one wear mode of every server of the station,
/// how it degrades, what a sensor sees of it, when and how it is maintained.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct WearDef {
    /// Name, unique in the station among its failure and wear modes (default
    /// `wear-N`); it keys the random streams and the experiment's parameter
    /// paths (`stations.<s>.wear.<name>.policy`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// How the unit degrades to failure.
    pub model: WearModelDef,
    /// The condition signal a sensor or an inspection reads (default: none);
    /// `condition` and `predictive` policies need one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signal: Option<SignalDef>,
    /// When preventive work is called for (default `corrective`: run to
    /// failure).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy: Option<PolicyDef>,
    /// The repair after a failure.
    pub repair: ActionDef,
    /// Preventive work; required unless the policy is `corrective`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preventive: Option<ActionDef>,
    /// An operation interrupted by a failure or by maintenance: `resume`
    /// (default: it goes on where it stopped) or `restart` (the work is lost).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interrupted: Option<String>,
    /// The `[[crews]]` entry whose technicians do the work (default: none, work
    /// starts at once).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub crew: Option<String>,
    /// Priority of this mode's work for a crew with rule `priority` (default 0;
    /// higher first).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priority: Option<f64>,
    /// Cost per time unit a server is stopped for this mode: down, waiting for
    /// a technician, under preventive work or inspection (default 0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub downtime_cost: Option<f64>,
}

/// A wear mode's `model`: `kind` is `lifetime`, `cycles` or `chain`, the other
/// fields those the kind takes.
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct WearModelDef {
    /// `lifetime` (a life drawn at each renewal), `cycles` (operations to
    /// failure) or `chain` (discrete health states).
    pub kind: String,
    /// `lifetime` and `chain`: the time the model counts, `busy` (default),
    /// `operating` (busy or in setup) or `calendar` (whenever the server is not
    /// stopped); a chain may also be moved by `operations`, each finished
    /// operation making a transition with its `probability`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clock: Option<String>,
    /// `lifetime`: the life, in the clock's time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub life: Option<DistributionDef>,
    /// `cycles`: operations to failure, rounded up to a whole number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operations: Option<DistributionDef>,
    /// `chain`: the health states from new to failed (at least 2; the first
    /// is new, the last failed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub states: Option<Vec<String>>,
    /// `chain`: the transitions between states, by name.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub transitions: Vec<TransitionDef>,
}

/// A transition of a health chain.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct TransitionDef {
    /// The state it leaves (not the failed state).
    pub from: String,
    /// The state it enters.
    pub to: String,
    /// With a time clock: the rate per unit of clock time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rate: Option<f64>,
    /// With clock `operations`: the probability that one operation makes it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub probability: Option<f64>,
}

/// A wear mode's `signal`: the health state seen through a noisy sensor.
///
/// `observe` says when it is read: `continuous` (at every change of state, the
/// default without `every` or `inspect_every`), `periodic` (an online sensor
/// every `every` time units, at no cost; the default with `every`) or
/// `inspection` (a technician every `inspect_every` time units, stopping the
/// server for `inspection` and costing `inspection_cost`; the default with
/// `inspect_every`).
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SignalDef {
    /// The signal's true level in each health state (one per state; a
    /// lifetime or cycle count has two: working and failed).
    pub levels: Vec<f64>,
    /// Standard deviation of the Gaussian noise on each reading (default 0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub noise: Option<f64>,
    /// `continuous`, `periodic` or `inspection` (default: by the fields given).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observe: Option<String>,
    /// `periodic`: calendar time between readings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub every: Option<f64>,
    /// `inspection`: calendar time between inspections.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inspect_every: Option<f64>,
    /// `inspection`: how long an inspection takes (required).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inspection: Option<DistributionDef>,
    /// `inspection`: cost per inspection (default 0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inspection_cost: Option<f64>,
}

/// A maintenance policy: its name (`"corrective"`), or a table with `kind` and
/// its parameters (`{ kind = "age", age = 1500 }`).
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(untagged)]
pub enum PolicyDef {
    /// A policy without parameters, by name: `corrective`.
    Name(String),
    /// A policy with parameters.
    Table(Box<PolicyTable>),
}

/// A policy written as a table: `kind` and the parameters it takes.
///
/// - `periodic`: `every` (> 0), `clock` (`calendar`, the default, `busy` or
///   `operating`): every `every` of that time since the last preventive action;
/// - `age`: `age` (> 0): at that age of the wear model's clock (operations for
///   a model moved by use), the age reset by any renewal;
/// - `condition`: `threshold`: when a reading is at or above it;
/// - `predictive`: `failure_level`, `lead_time` (>= 0), `window` (>= 2, default
///   10): when a straight line through the last `window` readings reaches
///   `failure_level` within `lead_time` of the wear clock;
/// - `opportunistic`: `early`, `age` (0 < early <= age): from age `early` at
///   the first moment the server is starved or blocked, at `age` in any case.
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
#[allow(missing_docs)]
pub struct PolicyTable {
    /// `corrective`, `periodic`, `age`, `condition`, `predictive` or
    /// `opportunistic`.
    pub kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub every: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clock: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub age: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub threshold: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failure_level: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lead_time: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub window: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub early: Option<f64>,
}

/// A maintenance action: a wear mode's `repair` or `preventive`.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ActionDef {
    /// How long the work takes once the technician is there.
    pub duration: DistributionDef,
    /// Cost per action, parts and labour (default 0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cost: Option<f64>,
    /// `full` (default: as good as new) or, for a chain, the name of a working
    /// state it goes back to if it is worse (a partial repair; the age is kept).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub restore: Option<String>,
}

/// A `[[crews]]` entry: technicians shared by the wear modes that name it.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct CrewDef {
    /// Unique name.
    pub name: String,
    /// Technicians (default 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub technicians: Option<i64>,
    /// Time for a technician to reach the station once assigned (default:
    /// none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response: Option<DistributionDef>,
    /// Which waiting job a free technician takes: `corrective-first` (default:
    /// repairs before preventive work and inspections, then first come, first
    /// served), `priority` (the wear modes' `priority`, higher first; then
    /// repairs first) or `fifo`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
}

/// A `[[stations]]` entry.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct StationDef {
    /// Unique name.
    pub name: String,
    /// Parallel servers (default 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub servers: Option<i64>,
    /// Name of the input buffer; omitted: the station has its own unlimited buffer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input: Option<String>,
    /// Processing time of every product without an entry in `processing_by_product`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub processing: Option<DistributionDef>,
    /// Processing time per product name.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub processing_by_product: BTreeMap<String, DistributionDef>,
    /// Scrap probability (default 0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scrap: Option<f64>,
    /// Failure modes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub failures: Vec<FailureDef>,
    /// Sequence-dependent changeovers between product families.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub setup: Option<SetupDef>,
    /// How a free server chooses among waiting parts (default: `scenario.rule`,
    /// else `fifo`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule: Option<RuleDef>,
    /// ISO 22400-2 planned run time per item, for the station's effectiveness:
    /// one time for every product, or a table of times by product name
    /// (default: the mean processing time).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub planned_run_time: Option<toml::Value>,
    /// Electric power drawn per server in each state, in kW.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub power: Option<PowerDef>,
    /// Wear modes: degradation, condition signal and maintenance.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub wear: Vec<WearDef>,
}

/// A `[stations.power]` table: kW drawn per server in each state. `busy` is
/// required; `idle` sets both `starved` and `blocked`; `waiting` defaults to
/// `down`; any other state not given draws nothing.
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct PowerDef {
    /// Processing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub busy: Option<f64>,
    /// Changing over.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub setup: Option<f64>,
    /// Starved and blocked, unless given apart.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub idle: Option<f64>,
    /// Idle with nothing to do.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub starved: Option<f64>,
    /// Holding a finished part.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub blocked: Option<f64>,
    /// Failed, under repair.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub down: Option<f64>,
    /// Planned maintenance: preventive work and inspections.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub maintenance: Option<f64>,
    /// Stopped after a failure, waiting for a technician (default: `down`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub waiting: Option<f64>,
}

/// The `[energy]` table: the line's fixed load and the emission factor.
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct EnergyDef {
    /// Power the line draws whatever its stations do, in kW (default 0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line_load_kw: Option<f64>,
    /// kg CO2 per kWh (default: China's 2022 national average, 0.5366).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub emission_factor: Option<f64>,
}

/// A `[stations.setup]` table: the station's setup matrix over families.
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SetupDef {
    /// The family every server is configured for at the start (default: none;
    /// the first part needs no setup).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub initial: Option<String>,
    /// Setup time of a change between families not listed in `times`
    /// (default: such changes cost nothing).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<DistributionDef>,
    /// `times.<from>.<to>`: the setup time of a change from family `from` to `to`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub times: BTreeMap<String, BTreeMap<String, DistributionDef>>,
}

/// A `[[buffers]]` entry.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct BufferDef {
    /// Unique name.
    pub name: String,
    /// Waiting parts it can hold; omitted: unlimited.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capacity: Option<i64>,
}

/// A `[[sources]]` entry.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SourceDef {
    /// Unique name.
    pub name: String,
    /// `saturated`, `arrivals` or `orders`.
    pub kind: String,
    /// `orders` only: a CSV file of orders (columns as `[[orders]]`, with a
    /// header), relative to the scenario file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// Time between arrivals (`arrivals` only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interarrival: Option<DistributionDef>,
    /// `block` (default) or `lose` (`arrivals` only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub when_full: Option<String>,
    /// Product name → weight; may be omitted when there is one product.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub mix: BTreeMap<String, f64>,
    /// A model sequence released in this cyclic order instead of a random mix:
    /// product names, or `{ product = "A", count = 5 }` for a run of one product.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sequence: Vec<SequenceItem>,
}

/// One entry of a model sequence.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
#[serde(untagged)]
pub enum SequenceItem {
    /// One part of this product.
    Product(String),
    /// `count` parts of `product` in a row.
    Run {
        /// Product name.
        product: String,
        /// How many in a row (at least 1).
        count: i64,
    },
}

/// An `[[orders]]` entry, or a row of an orders CSV file (same columns).
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct OrderDef {
    /// Unique identifier.
    pub id: String,
    /// Product name.
    pub product: String,
    /// Parts ordered (default 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quantity: Option<i64>,
    /// Release time (default 0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub release: Option<f64>,
    /// Due date (default: none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due: Option<f64>,
    /// Weight for weighted tardiness and WSPT/ATC/ATCS (default 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weight: Option<f64>,
    /// Priority for the `priority` rule (default 0; higher first).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priority: Option<f64>,
    /// The source of kind `orders` that releases it; may be omitted when there
    /// is one (and is, in a source's CSV file).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

/// A `[[sinks]]` entry.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SinkDef {
    /// Unique name.
    pub name: String,
}

impl<'de> Deserialize<'de> for RouteStep {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct StepVisitor;

        impl<'de> serde::de::Visitor<'de> for StepVisitor {
            type Value = RouteStep;

            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(
                    "a station name, a list of alternative station names, or a table { station, processing }",
                )
            }

            fn visit_str<E: serde::de::Error>(self, name: &str) -> Result<RouteStep, E> {
                Ok(RouteStep::Station(name.to_owned()))
            }

            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<RouteStep, A::Error> {
                let mut names = Vec::new();
                while let Some(name) = seq.next_element::<String>()? {
                    names.push(name);
                }
                Ok(RouteStep::Alternatives(names))
            }

            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                map: A,
            ) -> Result<RouteStep, A::Error> {
                OperationDef::deserialize(serde::de::value::MapAccessDeserializer::new(map))
                    .map(|op| RouteStep::Operation(Box::new(op)))
            }
        }

        deserializer.deserialize_any(StepVisitor)
    }
}

impl<'de> Deserialize<'de> for PolicyDef {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct PolicyVisitor;

        impl<'de> serde::de::Visitor<'de> for PolicyVisitor {
            type Value = PolicyDef;

            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a policy name, or a table { kind, ... } with its parameters")
            }

            fn visit_str<E: serde::de::Error>(self, name: &str) -> Result<PolicyDef, E> {
                Ok(PolicyDef::Name(name.to_owned()))
            }

            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                map: A,
            ) -> Result<PolicyDef, A::Error> {
                // Through the table's own type, so that a misspelt parameter is
                // named as such rather than "matches no form".
                PolicyTable::deserialize(serde::de::value::MapAccessDeserializer::new(map))
                    .map(|table| PolicyDef::Table(Box::new(table)))
            }
        }

        deserializer.deserialize_any(PolicyVisitor)
    }
}
