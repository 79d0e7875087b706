//! linetwin: fast discrete-event simulation and digital twins of production lines.
//!
//! This facade re-exports the workspace crates so that applications depend on one
//! crate: [`sim_core`] (the generic kernel), [`twin_models`] (the manufacturing
//! domain) and [`scenarios`] (TOML scenarios and KPI export).

pub use scenarios;
pub use sim_core;
pub use twin_models;
