//! twin-models: the manufacturing domain on top of sim-core.
//!
//! A production line is described by a [`LineSpec`]: products with routes over
//! stations, stations with parallel servers, processing times, failure modes and
//! scrap, buffers with finite or infinite capacity (blocking after service),
//! sources and sinks, all linked by index. Stations may wear ([`WearSpec`]:
//! lifetimes, cycle counts or health chains, a noisy condition signal) and be
//! maintained by a policy (corrective, periodic, age-based, condition-based,
//! predictive, opportunistic, or a user's [`MaintenancePolicy`]) with crews of
//! technicians ([`CrewSpec`]); [`run_to_failure`] makes datasets of a wear mode
//! for remaining-useful-life models. [`LineSpec::check`] builds the line
//! graph (petgraph) and rejects structures that cannot run; [`simulate`] runs one
//! replication on flat index-based vectors and returns its [`Kpis`].
//!
//! Guarantees: the same spec, seed and replication give bit-identical KPIs;
//! every instant of every server is in exactly one [`ServerState`], so state
//! fractions sum to 1; parts are conserved (released = completed + scrapped + in
//! system).

pub mod analytic;
mod engine;
mod graph;
mod kpi;
mod line;
pub mod scheduling;
pub mod sequencing;

pub use engine::{
    Candidate, CompiledLine, Deadlock, Decision, DispatchPolicy, Executed, Execution, MAX_WIP,
    MaintenancePolicy, OrderStatus, Plan, PlannedOp, PolicyFailure, Reading, Reschedule,
    Rescheduler, RuleFailure, RunError, RunOptions, ShopState, StationStatus, UnitView,
    run_to_failure, simulate,
};
pub use graph::{LineGraph, Node, StructureError};
pub use kpi::{
    BufferKpis, CrewKpis, KPI_SCHEMA, Kpis, LeadTime, LineEnergy, LineIso, LineKpis,
    LineMaintenance, MeanMax, Oee, OrderKpis, OrderRow, ProductEnergy, ProductKpis, StateFractions,
    StationEnergy, StationIso, StationKpis, StationMaintenance, Tardiness,
};
pub use line::{
    Action, BufferSpec, CrewRule, CrewSpec, DEFAULT_EMISSION_FACTOR, DispatchRule, EnergySpec,
    FailureClock, FailureSpec, Interrupted, LineSpec, Observe, OrderSpec, Policy, PowerSpec,
    ProductSpec, Restore, STATES, ServerState, SetupSpec, SignalSpec, SinkSpec, SourceKind,
    SourceSpec, StationSpec, TimeUnit, WearClock, WearModel, WearSpec, WhenFull,
};
