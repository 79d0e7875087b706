//! scenarios: linetwin's user-facing layer.
//!
//! A scenario is one TOML file ([`ScenarioFile`]) that describes a line by names.
//! [`Scenario::from_toml`] parses and validates it into a runnable
//! [`twin_models::LineSpec`]; every mistake becomes one [`ScenarioError`] naming
//! the field, the offending value and, where the parser knows it, the line.
//! [`report`] renders KPIs as a text table or as `linetwin.kpi/2` JSON;
//! [`assess`] reports an improved scenario against its baseline, with paired CIs;
//! [`catalogue`] names and defines every KPI, in English and Chinese;
//! [`export`] writes KPI documents as CSV, one row per KPI value;
//! [`setups`] proposes low-changeover campaign wheels from the setup matrices;
//! [`scheduling`] is the scheduler benchmark harness over files and the bundled
//! instance library (`linetwin sched`).
//!
//! Guarantees: invalid input never panics and never produces numbers; the same
//! file and seed give byte-identical JSON.

pub mod assess;
pub mod catalogue;
pub mod dataset;
mod error;
pub mod experiment;
pub mod export;
mod load;
pub mod report;
pub mod scheduling;
mod schema;
pub mod setups;
mod validate;

pub use error::ScenarioError;
pub use schema::{
    ActionDef, BufferDef, CrewDef, DistributionDef, ExperimentDef, FactorDef, FailureDef,
    OperationDef, OrderDef, PolicyDef, PolicyTable, PrecisionDef, ProductDef, RouteStep, RuleDef,
    ScenarioFile, ScenarioSection, SequenceItem, SetupDef, SignalDef, SinkDef, SourceDef,
    StationDef, TransitionDef, VariantDef, WearDef, WearModelDef,
};
pub use validate::{MAX_HORIZON, Overrides, RulesError, Scenario};
