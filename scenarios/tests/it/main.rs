//! Integration tests of the scenario layer and the `linetwin` CLI: the exact error
//! messages for bad scenarios, the command-line contract (exit codes, stdout and
//! stderr, `linetwin.kpi/2` JSON, determinism), the TOML round trip and the
//! campaign wheels proposed from setup matrices, wear and maintenance in
//! scenario files, and the scheduler benchmark harness (`linetwin sched`, the
//! bundled instance library).

mod assess;
mod book;
mod catalogue;
mod cli;
mod errors;
mod experiment;
mod export;
mod fuzz;
mod hardening;
mod iso;
mod maintenance;
mod orders;
mod roundtrip;
mod scheduling;
mod schema;
mod setups;

use std::path::PathBuf;

/// The bundled scenarios, by file name.
pub(crate) const BUNDLED: [&str; 4] = [
    "serial_line.toml",
    "assembly_line.toml",
    "mixed_model_line.toml",
    "pump_line.toml",
];

/// The result of `replications` replications to `horizon` of the bundled
/// scenario `name`'s experiment.
pub(crate) fn bundled_experiment(
    name: &str,
    replications: u64,
    horizon: f64,
) -> scenarios::experiment::ExperimentResult {
    let scenario = scenarios::Scenario::from_path(library(name)).unwrap();
    let experiment = scenarios::experiment::Experiment::new(
        &scenario,
        &scenarios::experiment::ExperimentOptions {
            replications: Some(replications),
            horizon: Some(horizon),
            ..Default::default()
        },
    )
    .unwrap();
    experiment
        .run(&|_, _| {}, &std::sync::atomic::AtomicBool::new(false))
        .unwrap()
}

/// The path of the bundled scenario `name` in `scenarios/library`.
pub(crate) fn library(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("library")
        .join(name)
}

/// A valid one-station line. Line numbers in the expected messages refer to this
/// layout: `[scenario]` is lines 1–4, the product 6–8, the source 10–12, the sink
/// 14–15 and station `A` 17–19; text appended to it lands in station `A` from line 20.
pub(crate) const MINIMAL: &str = r#"[scenario]
name = "t"
time_unit = "min"
horizon = 1000

[[products]]
name = "p"
route = ["A"]

[[sources]]
name = "src"
kind = "saturated"

[[sinks]]
name = "out"

[[stations]]
name = "A"
processing = { dist = "exponential", mean = 1.0 }
"#;
