//! Changeovers: sequence-dependent setups on hand-worked deterministic timelines,
//! and against exact results (a saturated machine running fixed campaigns, a FIFO
//! machine with setups as an M/G/1 queue).

use sim_core::Distribution;
use twin_models::analytic::{CampaignCycle, FifoSetupMg1};
use twin_models::{FailureClock, Kpis, SetupSpec, SourceKind};

use crate::builders::{LineBuilder, constant, exponential, poisson_arrivals, run};
use crate::estimates::{Experiment, Tolerance, assert_agrees, estimate};

/// One saturated machine `S0` making products `P0..` (processing times given)
/// in the cyclic model `sequence`, with the setup matrix `setup`.
fn campaign_machine(
    processing: &[Distribution],
    sequence: &[usize],
    setup: SetupSpec,
) -> LineBuilder {
    let mut line = LineBuilder::new("campaigns");
    let machine = line.add_station(1, None);
    let products: Vec<usize> = processing
        .iter()
        .map(|d| line.add_product(&[(&[machine], d.clone())]))
        .collect();
    let source = line.add_source(SourceKind::Saturated, &[(products[0], 1.0)]);
    line.set_sequence(source, sequence);
    line.set_setup(machine, setup);
    line
}

fn pairs(list: &[(usize, usize, f64)]) -> Vec<(usize, usize, Distribution)> {
    list.iter().map(|&(f, t, v)| (f, t, constant(v))).collect()
}

fn assert_close(what: &str, actual: f64, expected: f64) {
    assert!(
        (actual - expected).abs() < 1e-9,
        "{what}: expected {expected}, got {actual}"
    );
}

/// Server time per state of the only station, in time units.
fn state_times(kpis: &Kpis, horizon: f64) -> [f64; 4] {
    let s = &kpis.stations["S0"].states;
    [s.busy, s.setup, s.down, s.starved].map(|f| f * horizon)
}

/// A A B, processing 1 (A) and 2 (B), setups A→B 3 and B→A 4, configured for A
/// at the start: A 0–1, A 1–2, setup 2–5, B 5–7, setup 7–11, and again every 11.
/// By t = 110 ten cycles are done: 30 parts, 20 setups, 70 of setup, 40 busy.
#[test]
fn campaign_timeline_by_hand() {
    let spec = campaign_machine(
        &[constant(1.0), constant(2.0)],
        &[0, 0, 1],
        SetupSpec {
            pairs: pairs(&[(0, 1, 3.0), (1, 0, 4.0)]),
            default: None,
            initial: Some(0),
        },
    )
    .build();
    let kpis = run(&spec, 110.0);
    let station = &kpis.stations["S0"];
    assert_eq!(kpis.line.parts_completed, 30);
    assert_eq!(station.setups, 20);
    assert_close("setup time", station.setup_time, 70.0);
    let [busy, setup, down, starved] = state_times(&kpis, 110.0);
    assert_close("busy", busy, 40.0);
    assert_close("setup", setup, 70.0);
    assert_close("down + starved", down + starved, 0.0);
    // ISO 22400-2: setup counts against availability.
    assert_close("availability", station.oee.availability, 40.0 / 110.0);
    // A saturated part is released when the server takes it, so its lead time is
    // its own setup and processing: B 3 + 2; the first A of a cycle 4 + 1, the
    // second 1, and the first two A of all none: (2 + 9 × 6) / 20 = 2.8.
    let (a, b) = (&kpis.products["P0"], &kpis.products["P1"]);
    assert_eq!((a.parts_completed, b.parts_completed), (20, 10));
    assert_close("A lead time", a.lead_time.mean, 2.8);
    assert_close("B lead time", b.lead_time.mean, 5.0);
    assert_close("B throughput", b.throughput, 10.0 / 110.0);
}

/// Products of one family need no setup between them; pairs not listed cost
/// nothing without a default and the default's time with one.
#[test]
fn families_default_and_unlisted_pairs() {
    // P0 and P1 are family F, P2 its own: F F G, setups F→G 3, G→F 4, all
    // processing 1. Cycle: 1 + 1 + 3 + 1 + 4 = 10 for 3 parts.
    let mut line = campaign_machine(
        &[constant(1.0), constant(1.0), constant(1.0)],
        &[0, 1, 2],
        SetupSpec {
            pairs: Vec::new(),
            default: None,
            initial: None,
        },
    );
    let f = line.set_family(0, "F");
    line.set_family(1, "F");
    let g = line.set_family(2, "G");
    let mut spec = line.build();
    spec.stations[0].setup = Some(SetupSpec {
        pairs: pairs(&[(f, g, 3.0), (g, f, 4.0)]),
        default: None,
        initial: Some(f),
    });
    let kpis = run(&spec, 100.0);
    assert_eq!(kpis.line.parts_completed, 30);
    assert_eq!(kpis.stations["S0"].setups, 20);

    // Three families A B C, only A→B listed (2): B→C and C→A are free without a
    // default (cycle 3 + 2 = 5) and cost the default 5 with one (cycle 3 + 12 = 15).
    let free = SetupSpec {
        pairs: pairs(&[(0, 1, 2.0)]),
        default: None,
        initial: Some(0),
    };
    let one = [constant(1.0), constant(1.0), constant(1.0)];
    let kpis = run(
        &campaign_machine(&one, &[0, 1, 2], free.clone()).build(),
        50.0,
    );
    assert_eq!(kpis.line.parts_completed, 30);
    assert_eq!(kpis.stations["S0"].setups, 10);
    let with_default = SetupSpec {
        default: Some(constant(5.0)),
        ..free
    };
    let kpis = run(
        &campaign_machine(&one, &[0, 1, 2], with_default).build(),
        150.0,
    );
    assert_eq!(kpis.line.parts_completed, 30);
    assert_eq!(kpis.stations["S0"].setups, 30);
    assert_close("setup time", kpis.stations["S0"].setup_time, 120.0);
}

/// Without an initial configuration the first part needs no setup: B 0–1,
/// setup 1–4, A 4–5, setup 5–8, B 8–9.
#[test]
fn first_part_sets_the_configuration() {
    let spec = campaign_machine(
        &[constant(1.0), constant(1.0)],
        &[1, 0],
        SetupSpec {
            pairs: Vec::new(),
            default: Some(constant(3.0)),
            initial: None,
        },
    )
    .build();
    let kpis = run(&spec, 8.5);
    assert_eq!(kpis.line.parts_completed, 2);
    assert_eq!(kpis.stations["S0"].setups, 2);
    assert_close("setup time", kpis.stations["S0"].setup_time, 6.0);
}

/// A B in turn, processing 1, setups of 4 both ways, configured for A, and a
/// failure mode on `clock` with a constant time to failure `ttf` and repair 1.
fn alternating_with_failures(clock: FailureClock, ttf: f64) -> twin_models::LineSpec {
    let mut line = campaign_machine(
        &[constant(1.0), constant(1.0)],
        &[0, 1],
        SetupSpec {
            pairs: Vec::new(),
            default: Some(constant(4.0)),
            initial: Some(0),
        },
    );
    line.add_failure(0, clock, constant(ttf), constant(1.0));
    line.build()
}

/// A B with processing 1 and setups 4 both ways, configured for A. A calendar-time
/// failure every 2.6 (repair 1) interrupts the setup, which resumes after the repair:
/// A 0–1; setup 1–2.6, down 2.6–3.6, setup 3.6–6; B 6–6.2, down 6.2–7.2, B 7.2–8;
/// setup 8–9.8, down 9.8–10.8, setup 10.8–13; A 13–13.4, down 13.4–(13.5).
#[test]
fn failure_pauses_a_setup_and_it_resumes_after_repair() {
    let kpis = run(
        &alternating_with_failures(FailureClock::Calendar, 2.6),
        13.5,
    );
    let station = &kpis.stations["S0"];
    assert_eq!(kpis.line.parts_completed, 2);
    assert_eq!(station.setups, 2);
    assert_eq!(station.failures, 4);
    let [busy, setup, down, starved] = state_times(&kpis, 13.5);
    assert_close("busy", busy, 2.4);
    assert_close("setup", setup, 8.0);
    assert_close("down", down, 3.1);
    assert_close("starved", starved, 0.0);
}

/// The same machine with a failure after 3.5 of clock time. A busy-time clock
/// does not run during setups: A 0–1, setup 1–5, B 5–6, setup 6–10, A 10–11,
/// setup 11–15, B 15–15.5 fails (3.5 busy). An operating-time clock counts the
/// setups too: A 0–1, setup 1–3.5 fails, repair 3.5–4.5, setup 4.5–6, B 6–7,
/// setup 7–8 fails (3.5 more), repair 8–9, setup 9–12, A 12–(12.2).
#[test]
fn busy_clocks_pause_in_setup_and_operating_clocks_do_not() {
    let machine = |clock| alternating_with_failures(clock, 3.5);
    let kpis = run(&machine(FailureClock::Busy), 15.8);
    assert_eq!(kpis.line.parts_completed, 3);
    assert_eq!(kpis.stations["S0"].failures, 1);
    let [busy, setup, down, _] = state_times(&kpis, 15.8);
    assert_close("busy", busy, 3.5);
    assert_close("setup", setup, 12.0);
    assert_close("down", down, 0.3);

    let kpis = run(&machine(FailureClock::Operating), 12.2);
    assert_eq!(kpis.line.parts_completed, 2);
    assert_eq!(kpis.stations["S0"].failures, 2);
    let [busy, setup, down, _] = state_times(&kpis, 12.2);
    assert_close("busy", busy, 2.2);
    assert_close("setup", setup, 8.0);
    assert_close("down", down, 2.0);
}

/// Campaigns of 5 A then 5 B on a saturated machine, gamma processing (means 1
/// and 1.5, cv 0.5) and exponential setups (A→B mean 4, B→A mean 6). By
/// renewal-reward the cycle is 5 + 7.5 + 4 + 6 = 22.5 for 10 parts, whatever the
/// distributions: throughput 10/22.5, setup fraction 10/22.5.
#[test]
fn campaign_cycle_matches_renewal_reward() {
    let gamma = |mean| Distribution::from_mean_cv("gamma", mean, 0.5).expect("valid");
    let mut sequence = vec![0; 5];
    sequence.extend([1; 5]);
    let spec = campaign_machine(
        &[gamma(1.0), gamma(1.5)],
        &sequence,
        SetupSpec {
            pairs: vec![(0, 1, exponential(4.0)), (1, 0, exponential(6.0))],
            default: None,
            initial: Some(0),
        },
    )
    .build();
    let exact = CampaignCycle::two_products(5, 1.0, 1.5, 4.0, 6.0);
    let runs = Experiment {
        seed: 2026,
        replications: 20,
        horizon: 50_000.0,
        warmup: 0.0,
    }
    .run(&spec);
    assert_agrees(
        "campaign throughput",
        estimate(&runs, |k| k.line.throughput),
        exact.throughput().expect("valid"),
        Tolerance::STATISTICAL.absolute_precision(0.01),
    );
    assert_agrees(
        "campaign setup fraction",
        estimate(&runs, |k| k.stations["S0"].states.setup),
        exact.setup_fraction().expect("valid"),
        Tolerance::STATISTICAL.absolute_precision(0.01),
    );
    for kpis in &runs {
        assert!((kpis.stations["S0"].states.total() - 1.0).abs() < 1e-9);
    }
}

/// FIFO with setups on one machine: Poisson arrivals (rate 0.25) of three
/// equally likely products, each its own family, exponential processing (mean
/// 1.5) and a constant setup of 1.2 between any two families. The service time
/// including the setup is i.i.d. (see `FifoSetupMg1`), so Pollaczek–Khinchine
/// gives the lead time exactly: E[S] = 2.3, W = 4.61.
#[test]
fn fifo_with_setups_is_an_mg1_queue() {
    let mut line = LineBuilder::new("FIFO with setups");
    let machine = line.add_station(1, None);
    let products: Vec<usize> = (0..3)
        .map(|_| line.add_product(&[(&[machine], exponential(1.5))]))
        .collect();
    let mix: Vec<(usize, f64)> = products.iter().map(|&p| (p, 1.0)).collect();
    line.add_source(poisson_arrivals(4.0, twin_models::WhenFull::Block), &mix);
    line.set_setup(
        machine,
        SetupSpec {
            pairs: Vec::new(),
            default: Some(constant(1.2)),
            initial: None,
        },
    );
    let spec = line.build();
    let exact = FifoSetupMg1 {
        lambda: 0.25,
        families: 3,
        processing_mean: 1.5,
        processing_second_moment: 2.0 * 1.5 * 1.5,
        setup_mean: 1.2,
        setup_second_moment: 1.2 * 1.2,
    };
    let runs = Experiment {
        seed: 77,
        replications: 20,
        horizon: 100_000.0,
        warmup: 1_000.0,
    }
    .run(&spec);
    assert_agrees(
        "FIFO setups lead time",
        estimate(&runs, |k| k.line.lead_time.mean),
        exact.mean_sojourn_time().expect("stable"),
        Tolerance::STATISTICAL,
    );
    assert_agrees(
        "FIFO setups setup fraction",
        estimate(&runs, |k| k.stations["S0"].states.setup),
        exact.setup_fraction().expect("stable"),
        Tolerance::STATISTICAL,
    );
    assert_agrees(
        "FIFO setups WIP",
        estimate(&runs, |k| k.line.wip_mean),
        exact.mean_in_system().expect("stable"),
        Tolerance::STATISTICAL,
    );
}
