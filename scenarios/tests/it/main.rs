//! Integration tests of the scenario layer and the `linetwin` CLI: the exact error
//! messages for bad scenarios, the command-line contract (exit codes, stdout and
//! stderr, `linetwin.kpi/1` JSON, determinism) and the TOML round trip.

mod cli;
mod errors;
mod roundtrip;

use std::path::PathBuf;

/// The bundled scenarios, by file name.
pub(crate) const BUNDLED: [&str; 2] = ["serial_line.toml", "assembly_line.toml"];

/// The path of the bundled scenario `name` in `scenarios/library`.
pub(crate) fn library(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("library")
        .join(name)
}
