//! Dispatching rules: hand-worked deterministic queues, and the campaign
//! (exhaustive) rule against the exact CTMC of a two-family machine with
//! exponential setups.

use twin_models::analytic::ExhaustiveTwoFamilyCtmc;
use twin_models::{DispatchRule, Kpis, LineSpec, SetupSpec, SourceKind};

use crate::builders::{LineBuilder, constant, exponential, poisson_arrivals, run};
use crate::estimates::{Experiment, Tolerance, assert_agrees, estimate};

/// One machine fed by arrivals every 1 (t = 1, 2, 3, ...) of A, B, C in turn,
/// processing A 2.5, B 0.5, C 1.5: overloaded, so a queue forms and the rule
/// decides. An arrival at the instant a part finishes is in the queue when the
/// server chooses (it was scheduled first).
fn overloaded_machine(rule: DispatchRule) -> LineSpec {
    let mut line = LineBuilder::new("rules");
    let machine = line.add_station(1, None);
    let a = line.add_product(&[(&[machine], constant(2.5))]);
    let b = line.add_product(&[(&[machine], constant(0.5))]);
    let c = line.add_product(&[(&[machine], constant(1.5))]);
    let source = line.add_source(
        SourceKind::Arrivals {
            interarrival: constant(1.0),
            when_full: twin_models::WhenFull::Block,
        },
        &[(a, 1.0)],
    );
    line.set_sequence(source, &[a, b, c]);
    let mut spec = line.build();
    spec.stations[machine].rule = rule;
    spec
}

/// Completions by t = 10 and their mean lead time.
fn outcome(rule: DispatchRule) -> (u64, f64) {
    let kpis = run(&overloaded_machine(rule), 10.0);
    (kpis.line.parts_completed, kpis.line.lead_time.mean)
}

fn assert_outcome(rule: DispatchRule, completed: u64, total_lead_time: f64) {
    let (n, mean) = outcome(rule);
    assert_eq!(n, completed, "{rule:?}: completions");
    assert!(
        (mean - total_lead_time / completed as f64).abs() < 1e-12,
        "{rule:?}: mean lead time {mean}, expected {}",
        total_lead_time / completed as f64
    );
}

/// FIFO: A1 1–3.5, B1 3.5–4, C1 4–5.5, A2 5.5–8, B2 8–8.5, C2 8.5–10.
/// Lead times 2.5 + 2 + 2.5 + 4 + 3.5 + 4 = 18.5.
#[test]
fn fifo_by_hand() {
    assert_outcome(DispatchRule::Fifo, 6, 18.5);
}

/// SPT: A1 1–3.5; B1 3.5–4; C1 (1.5) before A2 (2.5) 4–5.5; B2 5.5–6; C2 6–7.5;
/// A2 7.5–10 (before A3 by arrival). Lead times 2.5 + 2 + 2.5 + 1 + 1.5 + 6 = 15.5.
#[test]
fn spt_by_hand() {
    assert_outcome(DispatchRule::Spt, 6, 15.5);
}

/// LPT: A1 1–3.5; then A-parts first: A2 is not there yet at 3.5 (arrives at 4),
/// so C1 (1.5) beats B1 (0.5): C1 3.5–5; A2 5–7.5; A3 (arrived 7) 7.5–10.
/// Lead times 2.5 + 2 + 3.5 + 3 = 11 for 4 parts.
#[test]
fn lpt_by_hand() {
    assert_outcome(DispatchRule::Lpt, 4, 11.0);
}

/// LIFO: A1 1–3.5; the last in at 3.5 is C1 (3): 3.5–5; at 5 B2 is not in yet
/// (its arrival was scheduled after C1's completion), so A2 (4): 5–7.5; then A3
/// (7; B2, C2 and B1 wait): 7.5–10. Lead times 2.5 + 2 + 3.5 + 3 = 11.
#[test]
fn lifo_by_hand() {
    assert_outcome(DispatchRule::Lifo, 4, 11.0);
}

/// Two stations in series for A (S0 then S1) and one for B (S0): MOPNR and MWKR
/// prefer A at S0, LWKR prefers B. Parts arrive A, B, A, B, ... every 1 from
/// t = 1; S0 takes 0.9 for A and 1.2 for B (overloaded), S1 takes 0.1.
fn two_routes(rule: DispatchRule) -> Kpis {
    let mut line = LineBuilder::new("routes");
    let s0 = line.add_station(1, None);
    let s1 = line.add_station(1, None);
    let a = line.add_product(&[(&[s0], constant(0.9)), (&[s1], constant(0.1))]);
    let b = line.add_product(&[(&[s0], constant(1.2))]);
    let source = line.add_source(
        SourceKind::Arrivals {
            interarrival: constant(1.0),
            when_full: twin_models::WhenFull::Block,
        },
        &[(a, 1.0)],
    );
    line.set_sequence(source, &[a, b]);
    let mut spec = line.build();
    spec.stations[s0].rule = rule;
    run(&spec, 12.0)
}

/// S0's timeline: A1 1–1.9, B1 2–3.2, A2 (arrived 3) 3.2–4.1, B2 (4) 4.1–5.3,
/// A3 5.3–6.2, B3 6.2–7.4, A4 7.4–8.3, B4 8.3–9.5, A5 9.5–10.4, B5 10.4–11.6,
/// A6 11.6–: at most one part waits whenever S0 chooses, so the route rules
/// (which would rank A and B differently) all give FIFO's run, with 10
/// operations at S0 by t = 12.
#[test]
fn route_rules_agree_when_there_is_no_choice() {
    let fifo = two_routes(DispatchRule::Fifo);
    for rule in [DispatchRule::Mopnr, DispatchRule::Mwkr, DispatchRule::Lwkr] {
        assert_eq!(two_routes(rule), fifo, "{rule:?}");
    }
    assert_eq!(fifo.stations["S0"].operations, 10);
}

/// One machine, two families: Poisson arrivals (0.3 of family 1, 0.2 of
/// family 2), exponential processing (means 1 and 1.25) and exponential setups
/// (1→2 mean 0.5, 2→1 mean 2), FIFO.
fn campaign_ctmc_line() -> LineSpec {
    let mut line = LineBuilder::new("campaign rule");
    let machine = line.add_station(1, None);
    let one = line.add_product(&[(&[machine], exponential(1.0))]);
    let two = line.add_product(&[(&[machine], exponential(1.25))]);
    line.add_source(
        poisson_arrivals(2.0, twin_models::WhenFull::Block),
        &[(one, 0.3), (two, 0.2)],
    );
    line.set_setup(
        machine,
        SetupSpec {
            pairs: vec![(0, 1, exponential(0.5)), (1, 0, exponential(2.0))],
            default: None,
            initial: Some(0),
        },
    );
    line.build()
}

/// The campaign rule on `campaign_ctmc_line`: its number in system, lead time
/// and setup fraction are those of the exact CTMC (`ExhaustiveTwoFamilyCtmc`).
#[test]
fn campaign_rule_matches_exhaustive_ctmc() {
    let machine = 0;
    let mut spec = campaign_ctmc_line();
    spec.stations[machine].rule = DispatchRule::Campaign;
    let exact = ExhaustiveTwoFamilyCtmc {
        lambda1: 0.3,
        lambda2: 0.2,
        mu1: 1.0,
        mu2: 0.8,
        setup_rate12: 2.0,
        setup_rate21: 0.5,
    }
    .solve()
    .expect("stable");
    let runs = Experiment {
        seed: 404,
        replications: 20,
        horizon: 100_000.0,
        warmup: 2_000.0,
    }
    .run(&spec);
    assert_agrees(
        "campaign WIP",
        estimate(&runs, |k| k.line.wip_mean),
        exact.mean_in_system,
        Tolerance::STATISTICAL,
    );
    assert_agrees(
        "campaign lead time",
        estimate(&runs, |k| k.line.lead_time.mean),
        exact.mean_sojourn_time,
        Tolerance::STATISTICAL,
    );
    assert_agrees(
        "campaign setup fraction",
        estimate(&runs, |k| k.stations["S0"].states.setup),
        exact.setup_fraction,
        Tolerance::STATISTICAL,
    );
    // FIFO on the same line changes over more often, which costs setup time.
    spec.stations[machine].rule = DispatchRule::Fifo;
    let fifo = Experiment {
        seed: 404,
        replications: 20,
        horizon: 100_000.0,
        warmup: 2_000.0,
    }
    .run(&spec);
    let setups = |runs: &[Kpis]| estimate(runs, |k| k.stations["S0"].setups as f64).mean;
    eprintln!("setups: FIFO {}, campaign {}", setups(&fifo), setups(&runs));
    assert!(setups(&fifo) > 1.2 * setups(&runs));
}

/// SPT written as a user rule: the smallest mean processing time, ties to the
/// first candidate (the earliest arrival).
struct UserSpt;

impl twin_models::DispatchPolicy for UserSpt {
    fn choose(
        &self,
        _decision: &twin_models::Decision,
        candidates: &[twin_models::Candidate],
    ) -> Result<usize, String> {
        let mut best = 0;
        for (i, c) in candidates.iter().enumerate() {
            if c.processing_time < candidates[best].processing_time {
                best = i;
            }
        }
        Ok(best)
    }
}

/// The campaign rule as a user rule: the configured family while one waits,
/// else the smallest mean setup.
struct UserCampaign;

impl twin_models::DispatchPolicy for UserCampaign {
    fn choose(
        &self,
        decision: &twin_models::Decision,
        candidates: &[twin_models::Candidate],
    ) -> Result<usize, String> {
        let score = |c: &twin_models::Candidate| {
            if Some(c.family) == decision.configured_family {
                -1.0
            } else {
                c.setup_time
            }
        };
        let mut best = 0;
        for (i, c) in candidates.iter().enumerate() {
            if score(c) < score(&candidates[best]) {
                best = i;
            }
        }
        Ok(best)
    }
}

fn with_user_rule(mut spec: LineSpec, rule: &dyn twin_models::DispatchPolicy, seed: u64) -> Kpis {
    for station in &mut spec.stations {
        station.rule = DispatchRule::User { index: 0 };
    }
    twin_models::CompiledLine::new(&spec)
        .expect("valid")
        .simulate_with_rules(
            &twin_models::RunOptions {
                seed,
                replication: 3,
                horizon: 20_000.0,
                warmup: 100.0,
            },
            &[rule],
        )
        .expect("runs")
}

/// A user rule that decides like a built-in one gives exactly the built-in's run.
#[test]
fn user_rules_written_like_built_ins_give_the_same_run() {
    let options = twin_models::RunOptions {
        seed: 9,
        replication: 3,
        horizon: 20_000.0,
        warmup: 100.0,
    };
    let spt = overloaded_machine(DispatchRule::Spt);
    assert_eq!(
        with_user_rule(spt.clone(), &UserSpt, 9),
        twin_models::simulate(&spt, &options).expect("runs")
    );
    let campaign = campaign_ctmc_line();
    let mut built_in = campaign.clone();
    built_in.stations[0].rule = DispatchRule::Campaign;
    assert_eq!(
        with_user_rule(campaign, &UserCampaign, 9),
        twin_models::simulate(&built_in, &options).expect("runs")
    );
}

struct Failing;

impl twin_models::DispatchPolicy for Failing {
    fn choose(
        &self,
        decision: &twin_models::Decision,
        candidates: &[twin_models::Candidate],
    ) -> Result<usize, String> {
        if decision.now >= 5.0 {
            Err("no more".to_owned())
        } else {
            Ok(candidates.len())
        }
    }
}

/// A user rule's error, or a candidate index out of range, stops the run with
/// one error naming the station and the time; a rule that is not given is an
/// error before the run.
#[test]
fn failing_user_rules_stop_the_run() {
    let mut spec = overloaded_machine(DispatchRule::User { index: 0 });
    let compiled = twin_models::CompiledLine::new(&spec).expect("valid");
    let options = twin_models::RunOptions {
        seed: 1,
        replication: 0,
        horizon: 100.0,
        warmup: 0.0,
    };
    // The first choice (at 3.5, B1 and C1 waiting) returns 2 of 2 candidates.
    let error = compiled
        .simulate_with_rules(&options, &[&Failing])
        .expect_err("fails");
    assert_eq!(
        error.to_string(),
        "dispatching rule failed: station `S0` at time 3.5: the user rule chose candidate 2 of 2"
    );
    assert_eq!(
        compiled
            .simulate(&options)
            .expect_err("no rule")
            .to_string(),
        "stations[0].rule: station `S0` uses user rule 0, but 0 user rules were given"
    );
    spec.stations[0].rule = DispatchRule::User { index: 1 };
    let compiled = twin_models::CompiledLine::new(&spec).expect("valid");
    assert_eq!(
        compiled
            .simulate_with_rules(&options, &[&Failing])
            .expect_err("missing rule")
            .to_string(),
        "stations[0].rule: station `S0` uses user rule 1, but 1 user rules were given"
    );
}

/// Five single-part orders released at t = 0 on one machine with three
/// families X, Y, Z (declared in that order; one product each), every part
/// processing 1, every change of family a setup of 2, configured for X at the
/// start:
///
/// | order | family | due |
/// | --- | --- | --- |
/// | o0 | X | 100 |
/// | o1 | Z | 5 |
/// | o2 | Y | 20 |
/// | o3 | X | 6 |
/// | o4 | Y | 20 |
///
/// o0 goes straight onto the machine (0–1); at t = 1 the rule orders the rest.
fn setup_job_set(rule: DispatchRule) -> Vec<f64> {
    let mut line = LineBuilder::new("setup job set");
    let machine = line.add_station(1, None);
    let [x, y, z] = [0, 1, 2].map(|_| line.add_product(&[(&[machine], constant(1.0))]));
    line.set_setup(
        machine,
        SetupSpec {
            pairs: Vec::new(),
            default: Some(constant(2.0)),
            initial: Some(0),
        },
    );
    let source = line.add_source(SourceKind::Orders, &[]);
    for (product, due) in [(x, 100.0), (z, 5.0), (y, 20.0), (x, 6.0), (y, 20.0)] {
        line.add_order(source, product, 1, 0.0, due, 1.0, 0.0);
    }
    let mut spec = line.build();
    spec.stations[machine].rule = rule;
    completions(&spec)
}

/// Completion times of the orders of `spec`, all done by t = 100.
fn completions(spec: &LineSpec) -> Vec<f64> {
    let kpis = run(spec, 100.0);
    let table = &kpis.orders.as_ref().expect("the line has orders").table;
    table.iter().map(|o| o.completion.expect("done")).collect()
}

/// Completions of o0..o4 under the setup-aware rules, against FIFO and EDD.
#[test]
fn setup_rules_by_hand() {
    // FIFO: o1 setup 1–3, run 3–4; o2 setup 4–6, 6–7; o3 setup 7–9, 9–10;
    // o4 setup 10–12, 12–13.
    assert_eq!(
        setup_job_set(DispatchRule::Fifo),
        [1.0, 4.0, 7.0, 10.0, 13.0]
    );
    // Campaign: the configured X first (o3 1–2); then the smallest setup, all
    // 2, tie broken by arrival: o1 (Z) setup 2–4, 4–5; then o2 (Y) setup 5–7,
    // 7–8; o4 is Y too: 8–9.
    assert_eq!(
        setup_job_set(DispatchRule::Campaign),
        [1.0, 5.0, 8.0, 2.0, 9.0]
    );
    // Cyclic: o3 (X) 1–2; the family after X is Y: o2 setup 2–4, 4–5, o4 5–6;
    // then Z: o1 setup 6–8, 8–9.
    assert_eq!(
        setup_job_set(DispatchRule::CyclicFamily),
        [1.0, 9.0, 5.0, 2.0, 6.0]
    );
    // EDD ignores setups: o1 (5) setup 1–3, 3–4; o3 (6) setup 4–6, 6–7; o2
    // and o4 (20) by arrival: o2 setup 7–9, 9–10, o4 10–11.
    assert_eq!(
        setup_job_set(DispatchRule::Edd),
        [1.0, 4.0, 10.0, 7.0, 11.0]
    );
    // ATCS, k1 = 2, k2 = 1, weights 1, p̄ = 1. At t = 1 the mean setup is
    // (2 + 2 + 0 + 2) / 4 = 1.5: o1 e^(−max(5 − 1 − 1, 0)/2) · e^(−2/1.5) =
    // 0.223 · 0.264 = 0.059, o3 e^(−(6 − 2)/2) · e^0 = 0.135, o2 and o4
    // e^(−9) · 0.264: o3 (no setup) 1–2. At t = 2 all need 2: o1 e^(−1) beats
    // o2, o4 e^(−8.5): o1 setup 2–4, 4–5. At 5 o2 and o4 tie: o2 setup 5–7,
    // 7–8, then o4 8–9.
    assert_eq!(
        setup_job_set(DispatchRule::Atcs { k1: 2.0, k2: 1.0 }),
        [1.0, 5.0, 8.0, 2.0, 9.0]
    );
}

/// Route rules with a choice: A goes S0 (1) then S1 (0.1), 2 operations and
/// 1.1 of work; B only S0 (3), 1 operation and 3 of work. Orders at t = 0: o0
/// (B) takes S0 0–3; at 3, o1 (B) and o2 (A) wait.
fn route_job_set(rule: DispatchRule) -> Vec<f64> {
    let mut line = LineBuilder::new("route job set");
    let s0 = line.add_station(1, None);
    let s1 = line.add_station(1, None);
    let a = line.add_product(&[(&[s0], constant(1.0)), (&[s1], constant(0.1))]);
    let b = line.add_product(&[(&[s0], constant(3.0))]);
    let source = line.add_source(SourceKind::Orders, &[]);
    for product in [b, b, a] {
        line.add_order(source, product, 1, 0.0, f64::INFINITY, 1.0, 0.0);
    }
    let mut spec = line.build();
    spec.stations[s0].rule = rule;
    completions(&spec)
}

/// MOPNR and LWKR take A at t = 3 (S0 3–4, S1 4–4.1), then o1 4–7; MWKR takes
/// o1 first (3–6), then A 6–7 and S1 7–7.1.
#[test]
fn route_rules_by_hand() {
    let close = |a: &[f64], b: [f64; 3]| a.iter().zip(b).all(|(x, y)| (x - y).abs() < 1e-12);
    for rule in [DispatchRule::Mopnr, DispatchRule::Lwkr] {
        let got = route_job_set(rule);
        assert!(close(&got, [3.0, 7.0, 4.1]), "{rule:?}: {got:?}");
    }
    let got = route_job_set(DispatchRule::Mwkr);
    assert!(close(&got, [3.0, 6.0, 7.1]), "MWKR: {got:?}");
}
