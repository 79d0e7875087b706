//! Degradation and maintenance against exact results: the mean time to failure of
//! health chains (absorbing Markov chains), age replacement with Weibull lifetimes
//! and condition-based thresholds against renewal-reward, a shared repair crew
//! against the machine-interference queue; and deterministic checks of the
//! policies, of restarting interrupted operations and of the books.

use sim_core::Distribution;
use twin_models::analytic::{AgeReplacement, DegradationChain, OperationChain, ThresholdPolicy};
use twin_models::{
    Action, CrewRule, CrewSpec, FailureClock, Interrupted, Kpis, LineSpec, Observe, Policy,
    Restore, RunOptions, SignalSpec, SourceKind, WearClock, WearModel, WearSpec, simulate,
};

use crate::builders::{Stage, constant, exponential, serial_line};
use crate::estimates::{Experiment, Tolerance, assert_agrees, estimate};

/// A wear mode with the given model and policy, no signal, exponential repairs of
/// mean `repair`, preventive work of mean `preventive`, no crew, no costs.
fn mode(
    model: WearModel,
    policy: Policy,
    repair: Distribution,
    preventive: Distribution,
) -> WearSpec {
    WearSpec {
        name: "wear".into(),
        model,
        signal: None,
        policy,
        repair: Action {
            duration: repair,
            restore: Restore::Full,
            cost: 0.0,
        },
        preventive: Action {
            duration: preventive,
            restore: Restore::Full,
            cost: 0.0,
        },
        interrupted: Interrupted::Resume,
        crew: None,
        priority: 0.0,
        downtime_cost: 0.0,
    }
}

/// One saturated machine (processing constant 1) with the wear mode `wear`: never
/// starved or blocked, so every clock counts the time it is not stopped.
fn machine(wear: WearSpec) -> LineSpec {
    let mut line = serial_line(
        "machine",
        SourceKind::Saturated,
        &[Stage::new(constant(1.0))],
    );
    line.add_wear(0, wear);
    line.build()
}

fn chain(clock: WearClock, states: usize, transitions: &[(usize, usize, f64)]) -> WearModel {
    WearModel::Chain {
        clock,
        states: (0..states).map(|s| format!("h{s}")).collect(),
        transitions: transitions.to_vec(),
    }
}

/// A four-state chain with a shock: 0 → 1 (rate 1/40), 1 → 2 (1/30), 2 → F
/// (1/20), and 0 → F (1/400), 1 → F (1/200) for sudden failures.
const SHOCK_CHAIN: [(usize, usize, f64); 5] = [
    (0, 1, 1.0 / 40.0),
    (1, 2, 1.0 / 30.0),
    (2, 3, 1.0 / 20.0),
    (0, 3, 1.0 / 400.0),
    (1, 3, 1.0 / 200.0),
];

fn mean_over(runs: &[Kpis], kpi: impl Fn(&Kpis) -> f64) -> sim_core::ConfidenceInterval {
    estimate(runs, kpi)
}

/// Cycles last about MTTF + 5 ≈ 90: 20 × 100 000 time units give some 22 000
/// failures, a half-width near 1.5% on the MTBF; a renewal process forgets its
/// start within a few cycles, so a warm-up of 1 000 leaves no bias.
const CYCLES: Experiment = Experiment {
    seed: 11,
    replications: 20,
    horizon: 101_000.0,
    warmup: 1_000.0,
};

#[test]
fn a_health_chain_fails_after_its_absorbing_chains_mean_time() {
    let exact = DegradationChain {
        states: 4,
        transitions: SHOCK_CHAIN.to_vec(),
    };
    let mttf = exact.mean_time_to_failure(0).unwrap();
    for clock in [FailureClock::Calendar, FailureClock::Busy] {
        let line = machine(mode(
            chain(WearClock::Time(clock), 4, &SHOCK_CHAIN),
            Policy::Corrective,
            exponential(5.0),
            constant(1.0),
        ));
        let runs = CYCLES.run(&line);
        let m = |k: &Kpis| k.stations["S0"].maintenance.expect("a wearing station");
        assert_agrees(
            &format!("{clock:?} clock: observed MTBF"),
            mean_over(&runs, |k| m(k).mtbf),
            mttf,
            Tolerance::STATISTICAL,
        );
        assert_agrees(
            &format!("{clock:?} clock: availability"),
            mean_over(&runs, |k| m(k).availability),
            mttf / (mttf + 5.0),
            Tolerance::STATISTICAL,
        );
        for k in &runs {
            let s = &k.stations["S0"];
            assert!((s.states.total() - 1.0).abs() < 1e-9);
            assert_eq!(s.failures, s.maintenance.unwrap().failures);
            assert_eq!(s.states.maintenance, 0.0, "run to failure: no planned work");
        }
    }
}

#[test]
fn wear_by_use_fails_after_the_chains_mean_number_of_operations() {
    // Each operation moves 0 → 1 with probability 1/50, 1 → F with 1/25, 0 → F with
    // 1/500: (I − P) m = 1 gives the mean operations to failure.
    let transitions = [(0, 1, 0.02), (1, 2, 0.04), (0, 2, 0.002)];
    let exact = OperationChain {
        states: 3,
        transitions: transitions.to_vec(),
    }
    .mean_operations_to_failure(0)
    .unwrap();
    let line = machine(mode(
        chain(WearClock::Operations, 3, &transitions),
        Policy::Corrective,
        exponential(5.0),
        constant(1.0),
    ));
    let runs = CYCLES.run(&line);
    assert_agrees(
        "operations per failure",
        mean_over(&runs, |k| {
            let s = &k.stations["S0"];
            s.operations as f64 / s.maintenance.unwrap().failures as f64
        }),
        exact,
        Tolerance::STATISTICAL,
    );
}

#[test]
fn cycles_to_failure_count_operations() {
    // 40 operations to failure, each taking 1, then a repair of 10 (the 40th part
    // waits on the machine): cycles of 50 with 40 good parts, the 20th ending at
    // 1000.
    let line = machine(mode(
        WearModel::Cycles {
            operations: constant(40.0),
        },
        Policy::Corrective,
        constant(10.0),
        constant(1.0),
    ));
    let k = run(&line, 1000.5);
    let s = &k.stations["S0"];
    assert_eq!(s.maintenance.unwrap().failures, 20);
    assert_eq!(k.line.parts_completed, 800);
    assert!(
        (s.states.down - 200.0 / 1000.5).abs() < 1e-12,
        "{}",
        s.states.down
    );
}

fn run(line: &LineSpec, horizon: f64) -> Kpis {
    simulate(
        line,
        &RunOptions {
            seed: 5,
            replication: 0,
            horizon,
            warmup: 0.0,
        },
    )
    .expect("a valid line")
}

/// Weibull lifetimes (shape 2.5, scale 100) replaced at age T: repairs take 10 on
/// average and cost 100, preventive work takes 2 and costs 20, every unit of time
/// stopped costs 1.
fn age_replacement() -> AgeReplacement {
    AgeReplacement {
        shape: 2.5,
        scale: 100.0,
        repair_mean: 10.0,
        preventive_mean: 2.0,
        corrective_cost: 100.0,
        preventive_cost: 20.0,
        downtime_cost: 1.0,
    }
}

fn age_policy_line(exact: &AgeReplacement, age: f64) -> LineSpec {
    let mut wear = mode(
        WearModel::Lifetime {
            clock: FailureClock::Calendar,
            life: Distribution::weibull(exact.shape, exact.scale).unwrap(),
        },
        if age.is_finite() {
            Policy::Age { age }
        } else {
            Policy::Corrective
        },
        exponential(exact.repair_mean),
        exponential(exact.preventive_mean),
    );
    wear.repair.cost = exact.corrective_cost;
    wear.preventive.cost = exact.preventive_cost;
    wear.downtime_cost = exact.downtime_cost;
    machine(wear)
}

#[test]
fn age_replacement_matches_renewal_reward_and_its_optimal_age_is_cheapest() {
    let exact = age_replacement();
    let (best, _) = exact.optimal_age().unwrap();
    assert!(
        best.is_finite() && best > 10.0 && best < 150.0,
        "T* = {best}"
    );
    let experiment = Experiment {
        seed: 25,
        replications: 20,
        horizon: 101_000.0,
        warmup: 1_000.0,
    };
    let mut simulated = Vec::new();
    for age in [0.4 * best, best, 2.5 * best, f64::INFINITY] {
        let figures = exact.evaluate(age).unwrap();
        let runs = experiment.run(&age_policy_line(&exact, age));
        let cost = mean_over(&runs, |k| k.line.maintenance.unwrap().cost_rate);
        assert_agrees(
            &format!("age {age:.1}: cost rate"),
            cost,
            figures.cost_rate,
            Tolerance::STATISTICAL,
        );
        assert_agrees(
            &format!("age {age:.1}: availability"),
            mean_over(&runs, |k| {
                k.stations["S0"].maintenance.unwrap().availability
            }),
            figures.availability,
            Tolerance::STATISTICAL,
        );
        assert_agrees(
            &format!("age {age:.1}: preventive actions per unit of time"),
            mean_over(&runs, |k| {
                k.stations["S0"].maintenance.unwrap().preventive_actions as f64 / 100_000.0
            }),
            figures.preventive_rate,
            Tolerance::STATISTICAL.absolute_precision(0.05 * figures.preventive_rate.max(1e-4)),
        );
        simulated.push((age, cost.mean));
    }
    let cheapest = simulated
        .iter()
        .min_by(|a, b| a.1.total_cmp(&b.1))
        .unwrap()
        .0;
    assert_eq!(cheapest, best, "simulated cost rates {simulated:?}");
}

#[test]
fn a_condition_threshold_matches_the_semi_markov_process_and_the_best_threshold() {
    // Five health states 0 → 1 → 2 → 3 → F, each at rate 1/20, and shocks to F
    // from every working state at 1/300. The signal is the state's index, read at
    // every change, without noise: a threshold k acts on entering state k.
    let mut transitions: Vec<(usize, usize, f64)> =
        (0..4).map(|s| (s, s + 1, 1.0 / 20.0)).collect();
    transitions.extend((0..3).map(|s| (s, 4, 1.0 / 300.0)));
    let exact = ThresholdPolicy {
        chain: DegradationChain {
            states: 5,
            transitions: transitions.clone(),
        },
        repair_mean: 15.0,
        preventive_mean: 3.0,
        corrective_cost: 200.0,
        preventive_cost: 40.0,
        downtime_cost: 2.0,
    };
    let (best, _) = exact.best_threshold().unwrap();
    let experiment = Experiment {
        seed: 33,
        replications: 20,
        horizon: 81_000.0,
        warmup: 1_000.0,
    };
    let mut simulated = Vec::new();
    for threshold in 1..=4 {
        let figures = exact.evaluate(threshold).unwrap();
        let mut wear = mode(
            chain(WearClock::Time(FailureClock::Calendar), 5, &transitions),
            Policy::Condition {
                threshold: threshold as f64,
            },
            exponential(exact.repair_mean),
            exponential(exact.preventive_mean),
        );
        wear.signal = Some(SignalSpec {
            levels: (0..5).map(f64::from).collect(),
            noise: 0.0,
            observe: Observe::Continuous,
        });
        wear.repair.cost = exact.corrective_cost;
        wear.preventive.cost = exact.preventive_cost;
        wear.downtime_cost = exact.downtime_cost;
        let runs = experiment.run(&machine(wear));
        let cost = mean_over(&runs, |k| k.line.maintenance.unwrap().cost_rate);
        assert_agrees(
            &format!("threshold {threshold}: cost rate"),
            cost,
            figures.cost_rate,
            Tolerance::STATISTICAL,
        );
        assert_agrees(
            &format!("threshold {threshold}: availability"),
            mean_over(&runs, |k| {
                k.stations["S0"].maintenance.unwrap().availability
            }),
            figures.availability,
            Tolerance::STATISTICAL,
        );
        simulated.push((threshold, cost.mean));
    }
    let cheapest = simulated
        .iter()
        .min_by(|a, b| a.1.total_cmp(&b.1))
        .unwrap()
        .0;
    assert_eq!(cheapest, best, "simulated cost rates {simulated:?}");
}

/// The machine-interference problem: `machines` servers with exponential
/// lifetimes (rate `lambda`) and one repairer (rate `mu`). The number failed is a
/// birth–death chain: p_n ∝ machines! / (machines − n)! · (λ/μ)^n.
fn expected_failed(machines: usize, lambda: f64, mu: f64) -> (f64, f64) {
    let mut weights = vec![1.0];
    for n in 1..=machines {
        let w = weights[n - 1] * (machines - n + 1) as f64 * lambda / mu;
        weights.push(w);
    }
    let total: f64 = weights.iter().sum();
    let failed: f64 = weights.iter().enumerate().map(|(n, w)| n as f64 * w).sum();
    // Waiting: failed machines beyond the one under repair.
    let waiting: f64 = weights
        .iter()
        .enumerate()
        .map(|(n, w)| n.saturating_sub(1) as f64 * w)
        .sum();
    (failed / total, waiting / total)
}

#[test]
fn a_shared_repairer_matches_the_machine_interference_queue() {
    let (machines, lambda, mu) = (4, 1.0 / 60.0, 1.0 / 10.0);
    let (failed, waiting) = expected_failed(machines, lambda, mu);
    let mut line = serial_line(
        "four machines, one repairer",
        SourceKind::Saturated,
        &[Stage::new(constant(1.0)).servers(machines as u32)],
    );
    let crew = line.add_crew(CrewSpec {
        name: "fitters".into(),
        technicians: 1,
        response: None,
        rule: CrewRule::Fifo,
    });
    let mut wear = mode(
        WearModel::Lifetime {
            clock: FailureClock::Calendar,
            life: exponential(1.0 / lambda),
        },
        Policy::Corrective,
        exponential(1.0 / mu),
        constant(1.0),
    );
    wear.crew = Some(crew);
    line.add_wear(0, wear);
    let runs = CYCLES.run(&line.build());
    let states = |k: &Kpis| k.stations["S0"].states;
    assert_agrees(
        "share of machines failed (down or waiting)",
        mean_over(&runs, |k| states(k).down + states(k).waiting),
        failed / machines as f64,
        Tolerance::STATISTICAL,
    );
    assert_agrees(
        "share of machines waiting for the repairer",
        mean_over(&runs, |k| states(k).waiting),
        waiting / machines as f64,
        Tolerance::STATISTICAL,
    );
    // The repairer works whenever a machine is down: utilisation = P(n ≥ 1).
    assert_agrees(
        "repairer utilisation = share of machine time down × machines",
        mean_over(&runs, |k| k.crews["fitters"].utilisation),
        failed - waiting,
        Tolerance::STATISTICAL,
    );
}

#[test]
fn periodic_maintenance_runs_every_interval_of_its_clock_since_the_last() {
    // A lifetime far beyond the horizon; work every 100 of calendar time, taking
    // 10 (the clock stops during it): work at 100, 210, 320, …, 980, the ninth done
    // at 990.
    let line = machine(mode(
        WearModel::Lifetime {
            clock: FailureClock::Calendar,
            life: constant(1e9),
        },
        Policy::Periodic {
            every: 100.0,
            clock: FailureClock::Calendar,
        },
        constant(1.0),
        constant(10.0),
    ));
    let k = run(&line, 1000.0);
    let m = k.stations["S0"].maintenance.unwrap();
    assert_eq!(m.preventive_actions, 9);
    assert_eq!(m.failures, 0);
    assert!((k.stations["S0"].states.maintenance - 0.09).abs() < 1e-12);
}

#[test]
fn an_interrupted_operation_resumes_or_starts_over() {
    // Operations take 5; the unit fails after 7 of busy time and is repaired in 1:
    // the second operation, started at 5, stops at 7 and resumes at 8 to end at
    // 11 — or starts over at 8 and ends at 13.
    for (interrupted, completed) in [(Interrupted::Resume, 2), (Interrupted::Restart, 1)] {
        let mut wear = mode(
            WearModel::Lifetime {
                clock: FailureClock::Busy,
                life: constant(7.0),
            },
            Policy::Corrective,
            constant(1.0),
            constant(1.0),
        );
        wear.interrupted = interrupted;
        let mut line = serial_line(
            "restart",
            SourceKind::Saturated,
            &[Stage::new(constant(5.0))],
        );
        line.add_wear(0, wear);
        let k = run(&line.build(), 12.0);
        assert_eq!(k.line.parts_completed, completed, "{interrupted:?}");
    }
}

#[test]
fn a_crew_with_a_response_time_keeps_the_failed_machine_waiting() {
    // Life 50 then a failure; the technician needs 5 to come and 10 to repair:
    // cycles of 65, of which 5 waiting and 10 down; the tenth repair ends at 650.
    let mut line = serial_line(
        "response",
        SourceKind::Saturated,
        &[Stage::new(constant(1.0))],
    );
    let crew = line.add_crew(CrewSpec {
        name: "crew".into(),
        technicians: 1,
        response: Some(constant(5.0)),
        rule: CrewRule::CorrectiveFirst,
    });
    let mut wear = mode(
        WearModel::Lifetime {
            clock: FailureClock::Calendar,
            life: constant(50.0),
        },
        Policy::Corrective,
        constant(10.0),
        constant(1.0),
    );
    wear.crew = Some(crew);
    wear.repair.cost = 30.0;
    wear.downtime_cost = 2.0;
    line.add_wear(0, wear);
    let k = run(&line.build(), 660.0);
    let s = &k.stations["S0"];
    let m = s.maintenance.unwrap();
    assert_eq!(m.failures, 10);
    assert!((s.states.waiting - 50.0 / 660.0).abs() < 1e-12);
    assert!((s.states.down - 100.0 / 660.0).abs() < 1e-12);
    assert!((m.crew_wait_mean - 5.0).abs() < 1e-12);
    assert!((m.downtime - 150.0).abs() < 1e-9);
    assert!((m.cost - (10.0 * 30.0 + 150.0 * 2.0)).abs() < 1e-9);
    assert!((k.crews["crew"].utilisation - 150.0 / 660.0).abs() < 1e-12);
    assert!((s.iso.adet - 150.0).abs() < 1e-9 && (s.iso.cmt - 100.0).abs() < 1e-9);
}

#[test]
fn predictive_maintenance_acts_before_most_failures() {
    // A slow wear path 0 → 1 → 2 → 3 → F (rate 1/25 each) seen through a noisy
    // signal (level = state, noise 0.3) read every 2: a line fitted to the last
    // twenty readings calls for work when the signal is predicted to reach 4
    // within 30. Run to failure fails every cycle; the prediction should spare
    // most of them.
    let transitions: Vec<(usize, usize, f64)> = (0..4).map(|s| (s, s + 1, 1.0 / 25.0)).collect();
    let with = |policy: Policy| {
        let mut wear = mode(
            chain(WearClock::Time(FailureClock::Calendar), 5, &transitions),
            policy,
            constant(10.0),
            constant(2.0),
        );
        wear.signal = Some(SignalSpec {
            levels: (0..5).map(f64::from).collect(),
            noise: 0.3,
            observe: Observe::Every { period: 2.0 },
        });
        CYCLES.run(&machine(wear))
    };
    let corrective = with(Policy::Corrective);
    let predictive = with(Policy::Predictive {
        failure_level: 4.0,
        lead_time: 30.0,
        window: 20,
    });
    let failures = |runs: &[Kpis]| {
        mean_over(runs, |k| {
            k.stations["S0"].maintenance.unwrap().failures as f64
        })
        .mean
    };
    let preventive = mean_over(&predictive, |k| {
        k.stations["S0"].maintenance.unwrap().preventive_actions as f64
    })
    .mean;
    assert!(
        failures(&predictive) < 0.3 * failures(&corrective),
        "predictive {} vs corrective {} failures",
        failures(&predictive),
        failures(&corrective)
    );
    assert!(
        preventive > 2.0 * failures(&predictive),
        "{preventive} preventive actions"
    );
}

#[test]
fn opportunistic_work_waits_for_an_idle_moment_until_the_late_age() {
    // A machine fed every 10 with work of 1 is idle 90% of the time: from age 30
    // on, work starts at the first idle moment, so it never waits for age 80 and
    // no operation is interrupted; a lifetime of 1e9 never fails.
    let mut line = serial_line(
        "opportunistic",
        SourceKind::Arrivals {
            interarrival: constant(10.0),
            when_full: twin_models::WhenFull::Block,
        },
        &[Stage::new(constant(1.0))],
    );
    line.add_wear(
        0,
        mode(
            WearModel::Lifetime {
                clock: FailureClock::Calendar,
                life: constant(1e9),
            },
            Policy::Opportunistic {
                early: 30.0,
                age: 80.0,
            },
            constant(1.0),
            constant(3.0),
        ),
    );
    let k = run(&line.build(), 1000.0);
    let m = k.stations["S0"].maintenance.unwrap();
    // Cycles of 30 of age plus 3 of work: 1000 / 33 ≈ 30 actions.
    assert!(
        m.preventive_actions >= 28 && m.preventive_actions <= 31,
        "{m:?}"
    );
}

#[test]
fn the_same_seed_gives_the_same_maintenance_and_another_seed_does_not() {
    let line = age_policy_line(&age_replacement(), 60.0);
    let options = |seed| RunOptions {
        seed,
        replication: 0,
        horizon: 20_000.0,
        warmup: 100.0,
    };
    let a = simulate(&line, &options(1)).unwrap();
    assert_eq!(a, simulate(&line, &options(1)).unwrap());
    assert_ne!(a, simulate(&line, &options(2)).unwrap());
}

#[test]
fn bad_wear_modes_are_rejected_with_the_field_and_the_value() {
    let base = || {
        mode(
            chain(
                WearClock::Time(FailureClock::Calendar),
                3,
                &[(0, 1, 0.1), (1, 2, 0.1)],
            ),
            Policy::Corrective,
            constant(1.0),
            constant(1.0),
        )
    };
    let error = |wear: WearSpec| machine(wear).check().unwrap_err().to_string();
    let mut w = base();
    w.model = chain(WearClock::Time(FailureClock::Calendar), 3, &[(0, 1, 0.1)]);
    assert_eq!(
        error(w),
        "stations[0].wear[0].model.transitions: station `S0`: failure (state 2) cannot be reached from state 0"
    );
    let mut w = base();
    w.model = chain(
        WearClock::Time(FailureClock::Calendar),
        3,
        &[(0, 1, 0.1), (2, 1, 0.1)],
    );
    assert_eq!(
        error(w),
        "stations[0].wear[0].model.transitions[1]: station `S0`: the failed state 2 is left only by a repair"
    );
    let mut w = base();
    w.model = chain(
        WearClock::Operations,
        3,
        &[(0, 1, 0.7), (0, 2, 0.5), (1, 2, 0.1)],
    );
    assert_eq!(
        error(w),
        "stations[0].wear[0].model.transitions: station `S0`: the probabilities that an operation moves state 0 sum to 1.2, above 1"
    );
    let mut w = base();
    w.policy = Policy::Condition { threshold: 2.0 };
    assert_eq!(
        error(w),
        "stations[0].wear[0].policy: station `S0`: mode `wear`: a condition policy needs a condition signal"
    );
    let mut w = base();
    w.preventive.restore = Restore::ToState(2);
    assert_eq!(
        error(w),
        "stations[0].wear[0].preventive.restore: station `S0`: mode `wear`: a partial restoration names a working state of a health chain (0 to 1), got 2"
    );
    let mut w = base();
    w.crew = Some(0);
    assert_eq!(
        error(w),
        "stations[0].wear[0].crew: station `S0`: crew index 0 out of range"
    );
    let mut w = base();
    w.policy = Policy::Opportunistic {
        early: 90.0,
        age: 80.0,
    };
    assert_eq!(
        error(w),
        "stations[0].wear[0].policy.early: station `S0`: must be in (0, age = 80], got 90"
    );
}

#[test]
fn a_run_to_failure_dataset_labels_each_reading_with_its_state_and_remaining_life() {
    let mut wear = mode(
        chain(WearClock::Time(FailureClock::Calendar), 4, &SHOCK_CHAIN),
        Policy::Corrective,
        constant(1.0),
        constant(1.0),
    );
    wear.signal = Some(SignalSpec {
        levels: vec![0.0, 1.0, 2.0, 5.0],
        noise: 0.5,
        observe: Observe::Every { period: 4.0 },
    });
    let units = 4000;
    let rows = twin_models::run_to_failure(&wear, units, None, 7, 100_000).unwrap();
    // The life of a unit is the age of its last reading (at the failure); its
    // mean is the absorbing chain's mean time to failure.
    let lives: Vec<f64> = rows
        .windows(2)
        .filter(|w| w[0].unit != w[1].unit)
        .map(|w| w[0].age)
        .chain(rows.last().map(|r| r.age))
        .collect();
    assert_eq!(lives.len(), units as usize);
    let mut tally = sim_core::Tally::new();
    lives.iter().for_each(|&l| tally.add(l));
    let mttf = DegradationChain {
        states: 4,
        transitions: SHOCK_CHAIN.to_vec(),
    }
    .mean_time_to_failure(0)
    .unwrap();
    assert_agrees(
        "mean life of the dataset's units",
        tally.ci95(),
        mttf,
        Tolerance::STATISTICAL,
    );
    for unit in rows.chunk_by(|a, b| a.unit == b.unit) {
        let (last, readings) = unit.split_last().unwrap();
        assert_eq!(
            (last.state, last.rul),
            (3, 0.0),
            "the last row is the failure"
        );
        for (k, r) in readings.iter().enumerate() {
            assert_eq!(r.age, 4.0 * (k + 1) as f64);
            assert!(r.state < 3 && (r.rul - (last.age - r.age)).abs() < 1e-9);
        }
    }
    // Noise has mean 0: the readings of a state average its level.
    let in_worn: Vec<f64> = rows
        .iter()
        .filter(|r| r.state == 1)
        .map(|r| r.value)
        .collect();
    let mean = in_worn.iter().sum::<f64>() / in_worn.len() as f64;
    assert!(
        (mean - 1.0).abs() < 4.0 * 0.5 / (in_worn.len() as f64).sqrt(),
        "{mean}"
    );
    // A unit's trajectory depends on its index only.
    let few = twin_models::run_to_failure(&wear, 3, None, 7, 100_000).unwrap();
    assert_eq!(few[..], rows[..few.len()]);
    wear.signal = None;
    assert_eq!(
        twin_models::run_to_failure(&wear, 3, None, 7, 100)
            .unwrap_err()
            .to_string(),
        "signal: wear mode `wear` has no condition signal to record"
    );
}

#[test]
fn a_dataset_driven_by_use_counts_ages_in_operations() {
    let mut wear = mode(
        WearModel::Cycles {
            operations: constant(25.0),
        },
        Policy::Corrective,
        constant(1.0),
        constant(1.0),
    );
    wear.signal = Some(SignalSpec {
        levels: vec![0.0, 1.0],
        noise: 0.0,
        observe: Observe::Continuous,
    });
    let rows = twin_models::run_to_failure(&wear, 2, Some(10.0), 1, 100).unwrap();
    let ages: Vec<(f64, f64)> = rows.iter().map(|r| (r.age, r.rul)).collect();
    assert_eq!(
        ages,
        [
            (10.0, 15.0),
            (20.0, 5.0),
            (25.0, 0.0),
            (10.0, 15.0),
            (20.0, 5.0),
            (25.0, 0.0)
        ]
    );
    assert_eq!(
        twin_models::run_to_failure(&wear, 2, None, 1, 100)
            .unwrap_err()
            .to_string(),
        "every: wear mode `wear` is observed continuously: give the age between readings"
    );
    assert_eq!(
        twin_models::run_to_failure(&wear, 2, Some(0.01), 1, 100)
            .unwrap_err()
            .to_string(),
        "every: unit 0 of wear mode `wear` was read more than 100 times before it failed: read it less often than every 0.01"
    );
}

/// A user policy that acts as a condition threshold, or fails at its `fail_at`-th
/// reading.
struct Threshold {
    level: f64,
    fail_at: usize,
}

impl twin_models::MaintenancePolicy for Threshold {
    fn maintain(
        &self,
        unit: &twin_models::UnitView<'_>,
        history: &[(f64, f64)],
    ) -> Result<bool, String> {
        assert_eq!((unit.station, unit.mode), ("S0", "wear"));
        let &(age, value) = history.last().expect("the reading just taken");
        assert!(age == unit.age && history.windows(2).all(|w| w[0].0 <= w[1].0));
        if history.len() == self.fail_at {
            return Err(format!(
                "no model for a history of {} readings",
                history.len()
            ));
        }
        Ok(value >= self.level)
    }
}

#[test]
fn a_user_policy_decides_from_the_history_as_a_built_in_one_would() {
    let signal_line = |policy: Policy| {
        let mut wear = mode(
            chain(WearClock::Time(FailureClock::Calendar), 4, &SHOCK_CHAIN),
            policy,
            exponential(5.0),
            exponential(1.0),
        );
        wear.signal = Some(SignalSpec {
            levels: vec![0.0, 1.0, 2.0, 3.0],
            noise: 0.4,
            observe: Observe::Every { period: 3.0 },
        });
        machine(wear)
    };
    let options = RunOptions {
        seed: 9,
        replication: 0,
        horizon: 20_000.0,
        warmup: 0.0,
    };
    let built_in = simulate(&signal_line(Policy::Condition { threshold: 1.5 }), &options).unwrap();
    let compiled = twin_models::CompiledLine::new(&signal_line(Policy::User { index: 0 })).unwrap();
    let user = Threshold {
        level: 1.5,
        fail_at: usize::MAX,
    };
    let by_user = compiled.simulate_with(&options, &[], &[&user]).unwrap();
    // Equal as serialised: undefined ratios (NaN) match.
    let json = |k: &Kpis| serde_json::to_string(&k.stations["S0"]).unwrap();
    assert_eq!(json(&by_user), json(&built_in));
    assert!(
        by_user.stations["S0"]
            .maintenance
            .unwrap()
            .preventive_actions
            > 50
    );
    let failing = Threshold {
        level: 1.5,
        fail_at: 4,
    };
    let error = compiled
        .simulate_with(&options, &[], &[&failing])
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        "maintenance policy of `S0/wear` failed at t = 12: no model for a history of 4 readings"
    );
    assert_eq!(
        compiled
            .simulate_with(&options, &[], &[])
            .unwrap_err()
            .to_string(),
        "stations[0].wear[0].policy: wear mode `S0/wear` uses user policy 0, but 0 user policies were given"
    );
}
