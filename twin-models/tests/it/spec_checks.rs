//! Specs built in code are checked before they run: a bad one is an error that
//! names the entity and the value, never a panic or a run that never ends.

use sim_core::Distribution;
use twin_models::{RunOptions, SourceKind, simulate};

use crate::builders::{Stage, serial_line};

fn error_of(processing: Distribution) -> String {
    let spec = serial_line("checked", SourceKind::Saturated, &[Stage::new(processing)]).build();
    let options = RunOptions {
        seed: 1,
        replication: 0,
        horizon: 10.0,
        warmup: 0.0,
    };
    simulate(&spec, &options)
        .expect_err("invalid spec")
        .to_string()
}

#[test]
fn a_distribution_built_from_bad_parameters_is_rejected() {
    assert_eq!(
        error_of(Distribution::Exponential { mean: -1.0 }),
        "stations[0].processing: station `S0`: `mean` must be positive and finite, got -1"
    );
}

#[test]
fn a_zero_processing_time_is_rejected_rather_than_looping_forever() {
    assert_eq!(
        error_of(Distribution::Constant { value: 0.0 }),
        "stations[0].processing: station `S0`: the mean processing time must be positive, got 0"
    );
}

#[test]
fn horizon_and_warmup_are_checked() {
    let spec = serial_line("checked", SourceKind::Saturated, &[Stage::exponential(1.0)]).build();
    let run = |horizon, warmup| {
        simulate(
            &spec,
            &RunOptions {
                seed: 1,
                replication: 0,
                horizon,
                warmup,
            },
        )
        .map(|_| ())
        .map_err(|e| e.to_string())
    };
    assert_eq!(
        run(f64::NAN, 0.0).unwrap_err(),
        "horizon: must be positive and finite, got NaN"
    );
    assert_eq!(
        run(10.0, 10.0).unwrap_err(),
        "warmup: must be in [0, horizon = 10), got 10"
    );
    assert!(run(10.0, 0.0).is_ok());
}
