//! Unreliable machines and saturated two-machine lines against renewal theory and the
//! exact CTMC of [`TwoMachineLine`].

use twin_models::analytic::{Failure, TwoMachineLine, availability};
use twin_models::{FailureClock, Kpis, LineSpec, SourceKind, WhenFull};

use crate::builders::{Stage, exponential, poisson_arrivals, serial_line};
use crate::estimates::{Experiment, Tolerance, assert_agrees, estimate};

const MTTF: f64 = 90.0;
const MTTR: f64 = 10.0;

/// One station with exponential processing of mean 1 and one exponential failure mode
/// (MTTF 90, MTTR 10) counted on `clock`.
fn unreliable_machine(source: SourceKind, clock: FailureClock) -> LineSpec {
    let mut line = serial_line("unreliable machine", source, &[Stage::exponential(1.0)]);
    line.add_failure(0, clock, exponential(MTTF), exponential(MTTR));
    line.build()
}

/// Up/down cycles last MTTF + MTTR = 100 on average: 20 × 199 000 time units give about
/// 40 000 cycles and a half-width of about 2% on the down fraction. The up/down process
/// relaxes at rate 1/MTTF + 1/MTTR (time constant 9), so the warm-up of 1 000 leaves no
/// bias; the queue in front of the machine holds a few parts, whose work shifts the busy
/// fraction by less than 1e-4 of the period.
const FAILURES: Experiment = Experiment {
    seed: 90_10,
    replications: 20,
    horizon: 200_000.0,
    warmup: 1_000.0,
};

#[test]
fn unreliable_machine_availability() {
    let a = availability(MTTF, MTTR).unwrap();
    let tolerance = Tolerance::STATISTICAL;
    let states = |k: &Kpis| k.stations["S0"].states;

    // Never starved or blocked, the machine is busy whenever it is up, so both clocks
    // count the same time: up = availability, down = 1 - availability.
    for clock in [FailureClock::Busy, FailureClock::Calendar] {
        let runs = FAILURES.run(&unreliable_machine(SourceKind::Saturated, clock));
        assert_agrees(
            &format!("saturated, {clock:?} clock: busy fraction"),
            estimate(&runs, |k| states(k).busy),
            a,
            tolerance,
        );
        assert_agrees(
            &format!("saturated, {clock:?} clock: down fraction"),
            estimate(&runs, |k| states(k).down),
            1.0 - a,
            tolerance,
        );
    }

    // With Poisson arrivals at rate 0.5 the machine is also starved, and the clocks
    // differ. The busy fraction is the offered load 0.5 either way (each part needs one
    // unit of processing on average). A calendar clock also runs while starved, so the
    // down fraction is still 1 - availability; a busy-time clock fails once per MTTF of
    // busy time, so down / busy = MTTR / MTTF, i.e. busy / (busy + down) = availability.
    let arrivals = poisson_arrivals(2.0, WhenFull::Block);
    let runs = FAILURES.run(&unreliable_machine(
        arrivals.clone(),
        FailureClock::Calendar,
    ));
    assert_agrees(
        "arrivals, Calendar clock: down fraction",
        estimate(&runs, |k| states(k).down),
        1.0 - a,
        tolerance,
    );
    assert_agrees(
        "arrivals, Calendar clock: busy fraction",
        estimate(&runs, |k| states(k).busy),
        0.5,
        tolerance,
    );
    let runs = FAILURES.run(&unreliable_machine(arrivals, FailureClock::Busy));
    assert_agrees(
        "arrivals, Busy clock: busy / (busy + down)",
        estimate(&runs, |k| {
            states(k).busy / (states(k).busy + states(k).down)
        }),
        a,
        tolerance,
    );
    assert_agrees(
        "arrivals, Busy clock: down fraction",
        estimate(&runs, |k| states(k).down),
        0.5 * MTTR / MTTF,
        tolerance,
    );
}

/// The saturated two-machine line `analytic` as a spec: machine 1 (`S0`, own unlimited
/// input, never starved), a buffer of `analytic.buffer` waiting places, machine 2 (`S1`).
fn two_machine_line(analytic: &TwoMachineLine) -> LineSpec {
    let buffer = u32::try_from(analytic.buffer).expect("a small buffer");
    let mut line = serial_line(
        "two-machine line",
        SourceKind::Saturated,
        &[
            Stage::exponential(1.0 / analytic.mu1),
            Stage::exponential(1.0 / analytic.mu2).buffer(buffer),
        ],
    );
    for (station, failure) in [analytic.failure1, analytic.failure2]
        .into_iter()
        .enumerate()
    {
        if let Some(failure) = failure {
            line.add_failure(
                station,
                FailureClock::Busy,
                exponential(1.0 / failure.rate),
                exponential(1.0 / failure.repair_rate),
            );
        }
    }
    line.build()
}

/// Compares throughput, WIP and the blocking and starvation fractions of the simulated
/// line with the CTMC.
///
/// The CTMC counts machine 1's part as always in the line; the simulator counts released
/// parts, and a saturated source releases a part the moment machine 1 starts it, which
/// is the moment machine 1 hands its previous part on. So both count the same parts.
fn assert_two_machine_line_matches(analytic: TwoMachineLine, experiment: Experiment) {
    let exact = analytic.solve().unwrap();
    let runs = experiment.run(&two_machine_line(&analytic));
    let tolerance = Tolerance::STATISTICAL;
    let case = format!(
        "two machines mu = ({}, {}), buffer {}, failures ({:?}, {:?})",
        analytic.mu1, analytic.mu2, analytic.buffer, analytic.failure1, analytic.failure2
    );
    assert_agrees(
        &format!("{case}: throughput"),
        estimate(&runs, |k| k.line.throughput),
        exact.throughput,
        tolerance,
    );
    assert_agrees(
        &format!("{case}: WIP"),
        estimate(&runs, |k| k.line.wip_mean),
        exact.mean_wip,
        tolerance,
    );
    let p = &exact.probabilities;
    // State fractions can be small or zero: their half-widths are bounded absolutely,
    // at 0.5% of the time.
    let fraction = tolerance.absolute_precision(0.005);
    assert_agrees(
        &format!("{case}: machine 1 blocked"),
        estimate(&runs, |k| k.stations["S0"].states.blocked),
        p.machine1_blocked,
        fraction,
    );
    assert_agrees(
        &format!("{case}: machine 2 starved"),
        estimate(&runs, |k| k.stations["S1"].states.starved),
        p.machine2_starved,
        fraction,
    );
    assert_agrees(
        &format!("{case}: machine 1 down"),
        estimate(&runs, |k| k.stations["S0"].states.down),
        p.machine1_down,
        fraction,
    );
    assert_agrees(
        &format!("{case}: machine 2 down"),
        estimate(&runs, |k| k.stations["S1"].states.down),
        p.machine2_down,
        fraction,
    );
}

/// Without failures a two-machine line relaxes like an M/M/1/(B + 2) queue, within tens
/// of processing times; 500 time units of warm-up leave no measurable bias.
const RELIABLE_LINE: Experiment = Experiment {
    seed: 2_002,
    replications: 10,
    horizon: 50_000.0,
    warmup: 500.0,
};

#[test]
fn two_machine_line_matches_ctmc() {
    for buffer in [1, 3, 8] {
        let analytic = TwoMachineLine {
            mu1: 1.0,
            mu2: 1.2,
            buffer,
            failure1: None,
            failure2: None,
        };
        assert_two_machine_line_matches(analytic, RELIABLE_LINE);
    }
    // Machine 2 the slower one: machine 1 is often blocked.
    let analytic = TwoMachineLine {
        mu1: 1.0,
        mu2: 0.8,
        buffer: 3,
        failure1: None,
        failure2: None,
    };
    assert_two_machine_line_matches(analytic, RELIABLE_LINE);
}

#[test]
fn two_machine_line_with_failures_matches_ctmc() {
    // Busy-time failures on both machines (MTTF 50 and 80 busy time, MTTR 5 and 8):
    // failure cycles of about 60 to 90 time units, so 20 × 100 000 time units hold tens
    // of thousands of them and the warm-up of 2 000 time units is over 20 cycles.
    let experiment = Experiment {
        seed: 5_008,
        replications: 20,
        horizon: 100_000.0,
        warmup: 2_000.0,
    };
    for buffer in [2, 10] {
        let analytic = TwoMachineLine {
            mu1: 1.0,
            mu2: 1.1,
            buffer,
            failure1: Some(Failure {
                rate: 1.0 / 50.0,
                repair_rate: 1.0 / 5.0,
            }),
            failure2: Some(Failure {
                rate: 1.0 / 80.0,
                repair_rate: 1.0 / 8.0,
            }),
        };
        assert_two_machine_line_matches(analytic, experiment);
    }
}

#[test]
fn two_machine_line_without_buffer_matches_ctmc() {
    let analytic = TwoMachineLine {
        mu1: 1.0,
        mu2: 1.2,
        buffer: 0,
        failure1: None,
        failure2: None,
    };
    assert_two_machine_line_matches(analytic, RELIABLE_LINE);
}
