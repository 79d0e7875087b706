//! Integration tests of the line model: statistical validation against exact analytic
//! models (M/M/c/K queues, Jackson tandems, availability, two-machine lines),
//! deterministic checks of blocking, and invariants that every run must satisfy
//! (conservation of parts, state fractions, Little's law, reproducibility).
//!
//! One binary with submodules keeps link times down. The validation tests compare the
//! mean of a KPI over independent replications with the exact value, within a multiple
//! of the replications' 95% confidence half-width (see [`estimates::Tolerance`]); seeds
//! are fixed, so every run of the suite gives the same numbers. Run with `--nocapture`
//! to see each comparison's margin.

mod blocking;
mod book;
mod builders;
mod dispatch;
mod estimates;
mod execute;
mod invariants;
mod lines;
mod maintenance;
mod orders;
mod queueing;
mod reproducibility;
mod scheduling;
mod setups;
mod spec_checks;
