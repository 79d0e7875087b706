//! The resolved description of a production line: entities linked by index.

use sim_core::Distribution;

mod maintenance;

pub use maintenance::{
    Action, CrewRule, CrewSpec, Interrupted, Observe, Policy, Restore, SignalSpec, WearClock,
    WearModel, WearSpec,
};

/// The unit of model time, used to report throughput per hour.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TimeUnit {
    /// Seconds.
    Seconds,
    /// Minutes.
    Minutes,
    /// Hours.
    Hours,
}

impl TimeUnit {
    /// How many of this unit make one hour.
    pub fn per_hour(self) -> f64 {
        match self {
            Self::Seconds => 3600.0,
            Self::Minutes => 60.0,
            Self::Hours => 1.0,
        }
    }

    /// The unit's short name as written in scenario files: `s`, `min` or `h`.
    pub fn symbol(self) -> &'static str {
        match self {
            Self::Seconds => "s",
            Self::Minutes => "min",
            Self::Hours => "h",
        }
    }
}

/// What a server is doing. Every instant of every server is in exactly one state.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ServerState {
    /// Processing a part.
    Busy,
    /// Idle: no part to work on.
    Starved,
    /// Holding a finished part that the next buffer has no room for.
    Blocked,
    /// Failed, under repair.
    Down,
    /// Changing over to another product family.
    Setup,
    /// Under planned work: preventive maintenance or an inspection.
    Maintenance,
    /// Stopped, waiting for a technician: after a failure, until the repair
    /// starts (the crew's response time included).
    Waiting,
}

/// The number of server states: the length of every per-state array.
pub const STATES: usize = ServerState::ALL.len();

impl ServerState {
    /// All states, in reporting order.
    pub const ALL: [ServerState; 7] = [
        Self::Busy,
        Self::Starved,
        Self::Blocked,
        Self::Down,
        Self::Setup,
        Self::Maintenance,
        Self::Waiting,
    ];

    /// Whether the server is stopped for a failure or maintenance: down,
    /// under planned work, or waiting for a technician.
    #[inline]
    pub fn stopped(self) -> bool {
        matches!(self, Self::Down | Self::Maintenance | Self::Waiting)
    }

    /// Position of the state in [`ServerState::ALL`].
    #[inline]
    pub fn index(self) -> usize {
        self as usize
    }
}

/// A product: a route over stations and the sink it leaves by.
#[derive(Clone, Debug, PartialEq)]
pub struct ProductSpec {
    /// Unique name.
    pub name: String,
    /// Index of its family in [`LineSpec::families`]: products of one family
    /// need no changeover between them.
    pub family: usize,
    /// The operations in order; each step lists the stations that can do it
    /// (one station, or several alternatives sharing one input buffer).
    pub route: Vec<Vec<usize>>,
    /// Index of the sink that receives finished parts.
    pub sink: usize,
    /// Processing times of the steps that give their own, overriding their
    /// stations' (a job that revisits a station with another time): empty, or
    /// one entry per step, `None` where the station's time applies.
    pub step_processing: Vec<Option<Distribution>>,
}

impl ProductSpec {
    /// The processing time the step gives itself, if any.
    pub fn step_time(&self, step: usize) -> Option<&Distribution> {
        self.step_processing.get(step).and_then(Option::as_ref)
    }
}

/// How a failure mode's time to failure is counted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FailureClock {
    /// Operation-dependent: the clock runs only while the server is busy.
    Busy,
    /// Time-dependent: the clock runs whenever the server is not stopped
    /// (down, under maintenance or waiting for a technician).
    Calendar,
    /// Operation-dependent, setups included: the clock runs while the server is
    /// busy or changing over.
    Operating,
}

/// A failure mode of a station, applied to each of its servers independently.
#[derive(Clone, Debug, PartialEq)]
pub struct FailureSpec {
    /// Name, unique within the station (it keys the random streams).
    pub name: String,
    /// Which time the time to failure counts.
    pub clock: FailureClock,
    /// Time to failure.
    pub ttf: Distribution,
    /// Time to repair.
    pub ttr: Distribution,
}

/// A station: `servers` identical parallel servers fed from one input buffer.
#[derive(Clone, Debug, PartialEq)]
pub struct StationSpec {
    /// Unique name.
    pub name: String,
    /// Number of parallel servers (>= 1).
    pub servers: u32,
    /// Index of the input buffer; `None` gives the station its own unlimited buffer.
    pub input: Option<usize>,
    /// Processing time per product index; `None` where the product does not visit.
    pub processing: Vec<Option<Distribution>>,
    /// Failure modes.
    pub failures: Vec<FailureSpec>,
    /// Probability that a processed part is scrapped, in `[0, 1]`.
    pub scrap: f64,
    /// Sequence-dependent changeovers; `None`: the station never sets up.
    pub setup: Option<SetupSpec>,
    /// How a free server chooses among the waiting parts it may take.
    pub rule: DispatchRule,
    /// ISO 22400-2 planned run time per item, per product index, for the
    /// station's effectiveness; `None` (or a short vector): the mean processing
    /// time. It does not change the simulation.
    pub planned_run_time: Vec<Option<f64>>,
    /// Electric power drawn per server in each state; `None`: not metered.
    pub power: Option<PowerSpec>,
    /// Wear modes: degradation, condition signal and maintenance policy.
    pub wear: Vec<WearSpec>,
}

impl StationSpec {
    /// The planned run time per item of `product` that the scenario gives, if any.
    pub fn planned_run_time(&self, product: usize) -> Option<f64> {
        self.planned_run_time.get(product).copied().flatten()
    }
}

/// Electric power a server draws, in kW, in each of its states.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PowerSpec {
    /// kW per state, indexed by [`ServerState::index`].
    pub kw: [f64; STATES],
}

impl PowerSpec {
    /// The power drawn in `state`, in kW.
    pub fn kw(&self, state: ServerState) -> f64 {
        self.kw[state.index()]
    }
}

/// The line's energy accounting: a fixed load beside the stations' draw, and
/// the emission factor that turns energy into CO2.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct EnergySpec {
    /// Power drawn by the line as a whole whatever its stations do (lighting,
    /// ventilation, compressed air), in kW.
    pub line_load_kw: f64,
    /// kg CO2 per kWh of electricity.
    pub emission_factor: f64,
}

/// The default emission factor, kg CO2 per kWh: China's national average CO2
/// emission factor of electricity for 2022 (0.5366), published in 2024 by the
/// Ministry of Ecology and Environment and the National Bureau of Statistics.
pub const DEFAULT_EMISSION_FACTOR: f64 = 0.5366;

/// How a free server chooses its next part among the eligible waiting ones.
///
/// Every rule ranks the candidates by a score computed from the part (its
/// product's mean processing time here, its remaining route, its order's due
/// date, weight and priority) and the server (its configured family); ties go
/// to the part that entered the buffer first. Processing times are the means of
/// the distributions (the planned run time), since the actual time is not known
/// before the operation; remaining work sums the means over the rest of the
/// route (the average over alternatives at a step). Parts without an order have
/// no due date (infinitely late is never late), weight 1 and priority 0.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub enum DispatchRule {
    /// First in, first out.
    #[default]
    Fifo,
    /// Last in, first out.
    Lifo,
    /// Shortest processing time here.
    Spt,
    /// Longest processing time here.
    Lpt,
    /// Earliest due date.
    Edd,
    /// Smallest critical ratio: time to the due date / remaining work.
    CriticalRatio,
    /// Minimum slack: time to the due date − remaining work.
    MinSlack,
    /// Weighted shortest processing time: smallest processing time / weight.
    Wspt,
    /// Apparent tardiness cost (Vepsalainen & Morton): largest
    /// `w/p · exp(−max(d − p − t, 0) / (k · p̄))`, p̄ the candidates' mean time.
    Atc {
        /// Look-ahead parameter (typically 1 to 4).
        k: f64,
    },
    /// ATC with setups (Lee, Bhaskaran & Pinedo): the ATC index times
    /// `exp(−s / (k2 · s̄))`, s the mean setup time from the server's family and
    /// s̄ the candidates' mean setup time.
    Atcs {
        /// Due-date look-ahead.
        k1: f64,
        /// Setup look-ahead.
        k2: f64,
    },
    /// Campaign (minimum setup): a part of the configured family while one
    /// waits, else the one with the smallest mean setup time.
    Campaign,
    /// Cyclic next family: the configured family while one waits, else the
    /// next family after it (in the order families are declared) that has one.
    CyclicFamily,
    /// Most work remaining.
    Mwkr,
    /// Least work remaining.
    Lwkr,
    /// Most operations remaining.
    Mopnr,
    /// Highest order priority.
    Priority,
    /// A user rule ([`crate::DispatchPolicy`]): the `index`-th of the rules
    /// given to [`crate::CompiledLine::simulate_with_rules`].
    User {
        /// Position in the list of user rules.
        index: u32,
    },
}

impl DispatchRule {
    /// The rules' names as written in scenario files, in the order of the enum
    /// (the user rule, which has no name of its own, left out).
    pub const NAMES: [&'static str; 16] = [
        "fifo", "lifo", "spt", "lpt", "edd", "cr", "slack", "wspt", "atc", "atcs", "campaign",
        "cyclic", "mwkr", "lwkr", "mopnr", "priority",
    ];

    /// The rule named `name` (as [`DispatchRule::name`] spells it), with the
    /// default look-ahead parameters (ATC k = 2; ATCS k1 = 2, k2 = 1).
    pub fn from_name(name: &str) -> Option<Self> {
        Some(match name {
            "fifo" => Self::Fifo,
            "lifo" => Self::Lifo,
            "spt" => Self::Spt,
            "lpt" => Self::Lpt,
            "edd" => Self::Edd,
            "cr" => Self::CriticalRatio,
            "slack" => Self::MinSlack,
            "wspt" => Self::Wspt,
            "atc" => Self::Atc { k: 2.0 },
            "atcs" => Self::Atcs { k1: 2.0, k2: 1.0 },
            "campaign" => Self::Campaign,
            "cyclic" => Self::CyclicFamily,
            "mwkr" => Self::Mwkr,
            "lwkr" => Self::Lwkr,
            "mopnr" => Self::Mopnr,
            "priority" => Self::Priority,
            _ => return None,
        })
    }

    /// The rule's name as written in scenario files.
    pub fn name(self) -> &'static str {
        match self {
            Self::Fifo => "fifo",
            Self::Lifo => "lifo",
            Self::Spt => "spt",
            Self::Lpt => "lpt",
            Self::Edd => "edd",
            Self::CriticalRatio => "cr",
            Self::MinSlack => "slack",
            Self::Wspt => "wspt",
            Self::Atc { .. } => "atc",
            Self::Atcs { .. } => "atcs",
            Self::Campaign => "campaign",
            Self::CyclicFamily => "cyclic",
            Self::Mwkr => "mwkr",
            Self::Lwkr => "lwkr",
            Self::Mopnr => "mopnr",
            Self::Priority => "priority",
            Self::User { .. } => "user",
        }
    }
}

/// A station's sequence-dependent setup matrix over product families.
///
/// A server is configured for one family at a time and stays configured for the
/// last one it made while idle. Choosing a part of another family `to` while
/// configured for `from` costs a setup drawn from the pair's distribution, or
/// from `default` for pairs not listed; with no default, pairs not listed cost
/// nothing, and a family never needs a setup to itself.
#[derive(Clone, Debug, PartialEq)]
pub struct SetupSpec {
    /// `(from family, to family, setup time)`, each ordered pair at most once.
    pub pairs: Vec<(usize, usize, Distribution)>,
    /// The setup time of a change between families not listed in `pairs`.
    pub default: Option<Distribution>,
    /// The family every server is configured for at time 0; `None`: a server
    /// takes its first part without a setup and is then configured for it.
    pub initial: Option<usize>,
}

/// A buffer of parts waiting for a station.
#[derive(Clone, Debug, PartialEq)]
pub struct BufferSpec {
    /// Unique name.
    pub name: String,
    /// Maximum number of waiting parts (parts on servers do not count); `None` is unlimited.
    pub capacity: Option<u32>,
}

/// What a source does when the first buffer of a part's route is full.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WhenFull {
    /// The source holds the part and pauses its arrivals until there is room.
    Block,
    /// The part is turned away and counted as lost.
    Lose,
}

/// How a source releases parts.
#[derive(Clone, Debug, PartialEq)]
pub enum SourceKind {
    /// The first station of its products is never starved: a new part is
    /// released whenever a server there would otherwise wait.
    Saturated,
    /// Each order of [`LineSpec::orders`] that names this source releases its
    /// parts at its release time; parts that find the first buffer full wait
    /// at the source, in release order.
    Orders,
    /// Parts arrive with the given interarrival times.
    Arrivals {
        /// Time between arrivals.
        interarrival: Distribution,
        /// What happens when the first buffer is full.
        when_full: WhenFull,
    },
}

/// A source of parts with a product mix.
#[derive(Clone, Debug, PartialEq)]
pub struct SourceSpec {
    /// Unique name.
    pub name: String,
    /// Saturated or arrivals.
    pub kind: SourceKind,
    /// `(product index, weight)`: each released part is of a product drawn with
    /// probability proportional to its weight.
    pub mix: Vec<(usize, f64)>,
    /// A model sequence: when not empty, parts are released in this cyclic
    /// order of products instead of drawn from the mix (which must then list
    /// exactly these products, e.g. with their counts as weights).
    pub sequence: Vec<usize>,
}

/// A customer order: `quantity` parts of one product, released at once.
#[derive(Clone, Debug, PartialEq)]
pub struct OrderSpec {
    /// Unique identifier.
    pub id: String,
    /// Index of the product.
    pub product: usize,
    /// Number of parts (>= 1).
    pub quantity: u32,
    /// When its parts are released (>= 0).
    pub release: f64,
    /// Due date; `f64::INFINITY`: none.
    pub due: f64,
    /// Weight (> 0), for weighted tardiness and the WSPT, ATC and ATCS rules.
    pub weight: f64,
    /// Priority for the `priority` rule (higher first).
    pub priority: f64,
    /// Index of the source (of kind [`SourceKind::Orders`]) that releases it.
    pub source: usize,
}

/// A sink: finished parts leave the line here. Unlimited.
#[derive(Clone, Debug, PartialEq)]
pub struct SinkSpec {
    /// Unique name.
    pub name: String,
}

/// A whole line, entities linked by index into the vectors.
#[derive(Clone, Debug, PartialEq)]
pub struct LineSpec {
    /// Scenario name, for reports.
    pub name: String,
    /// Unit of every time in the spec.
    pub time_unit: TimeUnit,
    /// Product families (names), indexed by [`ProductSpec::family`].
    pub families: Vec<String>,
    /// Products.
    pub products: Vec<ProductSpec>,
    /// Stations.
    pub stations: Vec<StationSpec>,
    /// Named buffers.
    pub buffers: Vec<BufferSpec>,
    /// Sources.
    pub sources: Vec<SourceSpec>,
    /// Sinks.
    pub sinks: Vec<SinkSpec>,
    /// Customer orders, released by sources of kind [`SourceKind::Orders`].
    pub orders: Vec<OrderSpec>,
    /// Energy accounting; `None`: the line is not metered (no energy KPIs).
    pub energy: Option<EnergySpec>,
    /// Maintenance crews, named by the stations' wear modes.
    pub crews: Vec<CrewSpec>,
}
