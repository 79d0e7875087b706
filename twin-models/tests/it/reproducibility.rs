//! Reproducibility of runs, and what the warm-up discards.

use sim_core::{Distribution, run_replications};
use twin_models::{FailureClock, Kpis, LineSpec, RunOptions, SourceKind, WhenFull, simulate};

use crate::builders::{LineBuilder, Stage, exponential, poisson_arrivals, serial_line};

/// A line that uses every source of randomness: arrivals, a product mix, processing,
/// failures on both clocks (time to failure and to repair) and scrap.
fn busy_line() -> LineSpec {
    let mut line = LineBuilder::new("reproducibility");
    let entry = line.add_buffer(Some(2));
    let cell = line.add_station(1, Some(entry));
    let shared = line.add_buffer(Some(3));
    let left = line.add_station(1, Some(shared));
    let right = line.add_station(2, Some(shared));
    let a = line.add_product(&[
        (&[cell], exponential(0.5)),
        (&[left, right], exponential(1.2)),
    ]);
    let b = line.add_product(&[(&[cell], exponential(0.4)), (&[right], exponential(0.9))]);
    line.add_failure(
        cell,
        FailureClock::Busy,
        exponential(40.0),
        exponential(3.0),
    );
    line.add_failure(
        right,
        FailureClock::Calendar,
        exponential(60.0),
        exponential(5.0),
    );
    line.set_scrap(left, 0.05);
    line.add_source(poisson_arrivals(1.2, WhenFull::Lose), &[(a, 2.0), (b, 1.0)]);
    line.build()
}

fn run(spec: &LineSpec, seed: u64, replication: u64) -> Kpis {
    let options = RunOptions {
        seed,
        replication,
        horizon: 5_000.0,
        warmup: 500.0,
    };
    simulate(spec, &options).expect("a valid line")
}

#[test]
fn same_seed_same_kpis() {
    let spec = busy_line();
    let first = run(&spec, 42, 3);
    // Every station works, so every ratio is defined and `PartialEq` compares numbers,
    // not NaNs (which would make equal runs compare unequal).
    assert!(first.line.parts_lost > 0 && first.line.parts_scrapped > 0);
    assert_eq!(first, run(&spec, 42, 3));
}

#[test]
fn replications_differ() {
    let spec = busy_line();
    let zero = run(&spec, 42, 0);
    let one = run(&spec, 42, 1);
    assert_ne!(zero.line, one.line);
    assert_ne!(zero.line.parts_released, one.line.parts_released);
    assert_ne!(zero.line.wip_mean, one.line.wip_mean);
    // Another master seed gives yet other runs.
    assert_ne!(zero.line, run(&spec, 43, 0).line);
}

#[test]
fn parallel_replications_match_sequential_runs() {
    let spec = busy_line();
    let parallel = run_replications(4, |replication| run(&spec, 42, replication));
    let sequential: Vec<Kpis> = (0..4)
        .map(|replication| run(&spec, 42, replication))
        .collect();
    assert_eq!(parallel, sequential);
}

#[test]
fn warmup_discards_the_transient() {
    // Saturated, S0 taking 1 and S1 taking 1 behind a buffer: from t = 1 on, both
    // machines always hold a part, so the WIP is 2, every part spends 2 time units in the
    // line and one part leaves per time unit, at t = 2, 3, ... Before t = 1 the line is
    // filling: WIP 1 and S1 starved.
    let constant = |value| Distribution::constant(value).expect("a non-negative constant");
    let spec = serial_line(
        "filling line",
        SourceKind::Saturated,
        &[
            Stage::new(constant(1.0)),
            Stage::new(constant(1.0)).buffer(5),
        ],
    )
    .build();
    let options = |warmup| RunOptions {
        seed: 1,
        replication: 0,
        horizon: 100.5,
        warmup,
    };
    let cold = simulate(&spec, &options(0.0)).unwrap();
    let warm = simulate(&spec, &options(10.5)).unwrap();

    // Without warm-up, the filling phase shows: less WIP and a starved S1 at the start.
    assert!((cold.line.wip_mean - (1.0 + 2.0 * 99.5) / 100.5).abs() < 1e-12);
    assert!((cold.stations["S1"].states.starved - 1.0 / 100.5).abs() < 1e-12);
    assert_eq!(cold.line.parts_completed, 99);

    // After a warm-up of 10.5 only the steady state is measured: exactly.
    let line = &warm.line;
    assert_eq!(line.parts_in_system_at_start, 2);
    assert_eq!(line.parts_released, 90);
    assert_eq!(line.parts_completed, 90);
    assert_eq!(line.parts_in_system, 2);
    assert_eq!(
        line.parts_in_system_at_start + line.parts_released,
        line.parts_completed + line.parts_scrapped + line.parts_in_system
    );
    assert!((line.wip_mean - 2.0).abs() < 1e-12);
    assert!((line.throughput - 1.0).abs() < 1e-12);
    assert!((line.lead_time.mean - 2.0).abs() < 1e-12);
    assert_eq!(warm.stations["S1"].states.starved, 0.0);
    assert!((warm.stations["S1"].states.busy - 1.0).abs() < 1e-12);
    assert_eq!(warm.stations["S1"].operations, 90);

    // The warm-up only changes what is measured, not the run: the state at the horizon
    // is the same.
    assert_eq!(warm.line.parts_in_system, cold.line.parts_in_system);
}

#[test]
fn warmup_keeps_parts_conserved_in_a_random_run() {
    // A stochastic line with scrap and losses: what was in the line at the end of the
    // warm-up plus what entered since is what left plus what is still there.
    let spec = busy_line();
    for replication in 0..4 {
        let line = run(&spec, 7, replication).line;
        assert!(line.parts_in_system_at_start > 0);
        assert_eq!(
            line.parts_in_system_at_start + line.parts_released,
            line.parts_completed + line.parts_scrapped + line.parts_in_system
        );
    }
}

/// A compiled line is reseeded per replication: replication `i` gives the same KPIs
/// as `simulate` on the spec, whatever ran on the compiled line before.
#[test]
fn compiled_line_reseeds_each_replication() {
    let spec = busy_line();
    let compiled = twin_models::CompiledLine::new(&spec).expect("a valid line");
    let options = |replication| RunOptions {
        seed: 11,
        replication,
        horizon: 5_000.0,
        warmup: 500.0,
    };
    let third = compiled.simulate(&options(3)).expect("runs");
    let first = compiled.simulate(&options(1)).expect("runs");
    assert_eq!(compiled.simulate(&options(3)).expect("runs"), third);
    assert_eq!(simulate(&spec, &options(3)).expect("runs"), third);
    assert_eq!(simulate(&spec, &options(1)).expect("runs"), first);
    assert_ne!(first, third);
}
