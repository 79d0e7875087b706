//! A line's order book as a schedule: plans of whole orders kept at some
//! stations, worked out by hand; scrapped parts not waited for; plans recorded
//! from a rule; execution under disturbances against closed forms.

use sim_core::ProportionInterval;
use twin_models::scheduling::{
    Dues, Policy, Replanner, RobustError, RobustOptions, line_robustness, record_plan,
};
use twin_models::{
    CompiledLine, DispatchRule, Execution, LineSpec, PlannedOp, RunError, RunOptions, SetupSpec,
    SourceKind,
};

use crate::builders::{LineBuilder, constant, exponential};

fn options(horizon: f64) -> RunOptions {
    RunOptions {
        seed: 1,
        replication: 0,
        horizon,
        warmup: 0.0,
    }
}

fn lots(orders: &[usize]) -> Vec<PlannedOp> {
    orders
        .iter()
        .map(|&order| PlannedOp { order, step: 0 })
        .collect()
}

/// Stations A → B, one server each, unlimited buffers. Product P takes 1 at A
/// and 0.5 at B, product Q 2 at A and 0.5 at B. Orders: o0 = 2 × P released at
/// 0, o1 = 1 × Q at 0, o2 = 1 × P at 3. A keeps the plan o1, o2, o0; B
/// dispatches first in, first out. With `setups`, P and Q are families f and
/// g, A starts configured for f, and changing f → g takes 1, g → f 1.5.
fn two_stations(setups: bool) -> (LineSpec, usize) {
    let mut line = LineBuilder::new("lots");
    let a = line.add_station(1, None);
    let b = line.add_station(1, None);
    let p = line.add_product(&[(&[a], constant(1.0)), (&[b], constant(0.5))]);
    let q = line.add_product(&[(&[a], constant(2.0)), (&[b], constant(0.5))]);
    let source = line.add_source(SourceKind::Orders, &[]);
    line.add_order(source, p, 2, 0.0, 100.0, 1.0, 0.0);
    line.add_order(source, q, 1, 0.0, 100.0, 1.0, 0.0);
    line.add_order(source, p, 1, 3.0, 100.0, 1.0, 0.0);
    if setups {
        let f = line.set_family(p, "f");
        let g = line.set_family(q, "g");
        line.set_setup(
            a,
            SetupSpec {
                pairs: vec![(f, g, constant(1.0)), (g, f, constant(1.5))],
                default: None,
                initial: Some(f),
            },
        );
    }
    (line.build(), a)
}

#[test]
fn a_kept_plan_of_whole_orders_runs_as_worked_out_by_hand() {
    for (setups, completion, a_start, a_end) in [
        // A: o1 0–2, idle until o2's release at 3 (o0 waits: the plan is
        // kept), o2 3–4, o0 4–5 and 5–6. B: o1 2–2.5, o2 4–4.5, o0 5–5.5, 6–6.5.
        (false, [6.5, 2.5, 4.5], [4.0, 0.0, 3.0], [6.0, 2.0, 4.0]),
        // A: set up f → g 0–1, o1 1–3; o2 released at 3: g → f 3–4.5, o2
        // 4.5–5.5; o0 (family f, no setup) 5.5–6.5, 6.5–7.5. B: o1 3–3.5, o2
        // 5.5–6, o0 6.5–7, 7.5–8.
        (true, [8.0, 3.5, 6.0], [5.5, 1.0, 4.5], [7.5, 3.0, 5.5]),
    ] {
        let (line, a) = two_stations(setups);
        let compiled = CompiledLine::new(&line).expect("a valid line");
        let mut sequences = vec![None, None];
        sequences[a] = Some(lots(&[1, 2, 0]));
        let plan = compiled.plan_stations(sequences).expect("a valid plan");
        assert_eq!(plan.planned(), &[true, false]);
        let run = compiled
            .execute(
                &options(100.0),
                &Execution {
                    plan: Some(&plan),
                    keep: true,
                    ..Execution::default()
                },
            )
            .expect("the plan runs");
        assert_eq!(run.completion, completion, "setups {setups}");
        assert_eq!(run.makespan, completion[0]);
        // Operations: o0 steps 0 and 1, o1 steps 0 and 1, o2 steps 0 and 1.
        let at_a: Vec<f64> = run.offsets.iter().map(|&i| run.start[i]).collect();
        let end_a: Vec<f64> = run.offsets.iter().map(|&i| run.end[i]).collect();
        assert_eq!(at_a, a_start, "first part's start at A, setups {setups}");
        assert_eq!(end_a, a_end, "last part's end at A, setups {setups}");
        assert!(run.offsets.iter().all(|&i| run.stations[i] == Some(a)));
        assert!(
            run.offsets
                .iter()
                .all(|&i| run.stations[i + 1] == Some(1 - a))
        );
    }
}

#[test]
fn a_planned_station_does_not_wait_for_parts_scrapped_before_it() {
    // P: A → B, and A scraps every part; Q: C → B. B plans o0 (2 × P, never
    // reaching it) then o1 (1 × Q, C 1 then B 2): B skips o0 once both of its
    // parts are scrapped (at 3 and 6) and does o1 1–3.
    let mut line = LineBuilder::new("scrap");
    let a = line.add_station(1, None);
    let c = line.add_station(1, None);
    let b = line.add_station(1, None);
    line.set_scrap(a, 1.0);
    let p = line.add_product(&[(&[a], constant(3.0)), (&[b], constant(1.0))]);
    let q = line.add_product(&[(&[c], constant(1.0)), (&[b], constant(2.0))]);
    let source = line.add_source(SourceKind::Orders, &[]);
    line.add_order(source, p, 2, 0.0, 100.0, 1.0, 0.0);
    line.add_order(source, q, 1, 0.0, 100.0, 1.0, 0.0);
    let compiled = CompiledLine::new(&line.build()).expect("a valid line");
    let plan = compiled
        .plan_stations(vec![
            None,
            None,
            Some(vec![
                PlannedOp { order: 0, step: 1 },
                PlannedOp { order: 1, step: 1 },
            ]),
        ])
        .expect("a valid plan");
    let run = compiled
        .execute(
            &options(100.0),
            &Execution {
                plan: Some(&plan),
                keep: true,
                ..Execution::default()
            },
        )
        .expect("the scrapped order is not waited for");
    // o0 is done when its last part is scrapped; o1 waits for the second
    // scrap at 6, since B plans o0 first.
    assert_eq!(run.completion, vec![6.0, 8.0]);
    assert_eq!(run.stations[1], None, "o0 never reached B");
}

#[test]
fn a_step_planned_at_some_of_its_stations_is_refused() {
    let mut line = LineBuilder::new("alternatives");
    let queue = line.add_buffer(None);
    let x = line.add_station(1, Some(queue));
    let y = line.add_station(1, Some(queue));
    let p = line.add_product(&[(&[x, y], constant(1.0))]);
    let source = line.add_source(SourceKind::Orders, &[]);
    line.add_order(source, p, 2, 0.0, 100.0, 1.0, 0.0);
    let compiled = CompiledLine::new(&line.build()).expect("a valid line");
    let error = compiled
        .plan_stations(vec![Some(lots(&[0])), None])
        .expect_err("y takes the same step without a plan");
    assert_eq!(
        error.to_string(),
        "sequences: order `o0` step 0 may go to station `S0`, which keeps the plan, or to \
         `S1`, which does not: plan every station of a step or none"
    );
    let error = compiled
        .plan_stations(vec![Some(Vec::new()), Some(Vec::new())])
        .expect_err("o0 is planned nowhere");
    assert_eq!(
        error.to_string(),
        "sequences: order `o0` step 0 is not planned at any station"
    );
}

/// One exponential machine (mean 1), orders o0 = 3 parts due at 3 and o1 = 2
/// parts due at 6, both released at 0, planned o1 then o0.
fn erlang_line() -> (LineSpec, Vec<Option<Vec<PlannedOp>>>) {
    let mut line = LineBuilder::new("erlang");
    let m = line.add_station(1, None);
    let p = line.add_product(&[(&[m], exponential(1.0))]);
    let source = line.add_source(SourceKind::Orders, &[]);
    line.add_order(source, p, 3, 0.0, 3.0, 1.0, 0.0);
    line.add_order(source, p, 2, 0.0, 6.0, 1.0, 0.0);
    (line.build(), vec![Some(lots(&[1, 0]))])
}

/// P(Erlang(k, rate 1) ≤ t) = 1 − e^{−t} Σ_{n<k} tⁿ/n!.
fn erlang_cdf(k: u32, t: f64) -> f64 {
    let mut term = 1.0;
    let mut sum = 0.0;
    for n in 0..k {
        if n > 0 {
            term *= t / f64::from(n);
        }
        sum += term;
    }
    1.0 - (-t).exp() * sum
}

#[test]
fn on_time_probabilities_of_kept_and_redispatched_order_books_match_erlang_laws() {
    let (line, plan) = erlang_line();
    let n = 4000;
    let report = line_robustness(
        &line,
        &plan,
        &[Policy::Keep, Policy::Redispatch(DispatchRule::Edd)],
        &RobustOptions {
            replications: n,
            seed: 11,
            dues: Dues::Orders,
            horizon: None,
            stop: None,
        },
    )
    .expect("the experiment runs");
    // Kept: o1 is done after 2 exponential times, o0 after all 5. Under EDD,
    // o0 (due 3) goes first: done after 3, o1 after 5.
    let expected = [
        ("keep", [erlang_cdf(5, 3.0), erlang_cdf(2, 6.0)]),
        ("redispatch/edd", [erlang_cdf(3, 3.0), erlang_cdf(5, 6.0)]),
    ];
    for (policy, (name, probabilities)) in report.policies.iter().zip(expected) {
        assert_eq!(policy.policy, name);
        for (order, p) in policy.orders.iter().zip(probabilities) {
            // A 99.9% Wilson interval of the observed rate must hold the law's value.
            let observed = (order.on_time.estimate * n as f64).round() as u64;
            let wide = ProportionInterval::wilson(observed, n, 0.999);
            assert!(
                wide.low <= p && p <= wide.high,
                "{name} {}: {p} outside [{}, {}]",
                order.id,
                wide.low,
                wide.high
            );
        }
        // The makespan is the sum of 5 exponential times: mean 5, sd √5.
        let m = &policy.realised.makespan;
        assert!(
            (m.mean - 5.0).abs() < 3.3 * 5f64.sqrt() / (n as f64).sqrt(),
            "{m:?}"
        );
    }
    // The machine draws its 5 times from one stream whichever order it takes:
    // on the same replication both policies end at the same instant.
    let c = report.makespan_vs_first[0];
    assert_eq!((c.mean_difference, c.paired_ci95), (0.0, 0.0));
    // Independent runs would leave ± 1.96 √(2 × 5 / n) ≈ 0.098.
    assert!(c.unpaired_ci95 > 0.08, "{c:?}");
    // The plan at nominal times: o1 1–2, o0 3–5.
    assert_eq!(report.planned.completion, vec![5.0, 2.0]);
    assert_eq!(report.planned.on_time_rate, 0.5);
}

/// The job set of `orders.rs` with every order split in two parts of half the
/// time: o0 4, o1 1, o2 3, o3 2 in all, due 12, 9, 4, 6, released at 0.
fn job_set() -> LineSpec {
    let mut line = LineBuilder::new("job set");
    let machine = line.add_station(1, None);
    let source = line.add_source(SourceKind::Orders, &[]);
    for (time, due) in [(4.0, 12.0), (1.0, 9.0), (3.0, 4.0), (2.0, 6.0)] {
        let p = line.add_product(&[(&[machine], constant(time / 2.0))]);
        line.add_order(source, p, 2, 0.0, due, 1.0, 0.0);
    }
    line.build()
}

#[test]
fn a_plan_recorded_under_a_rule_replays_that_rule() {
    let line = job_set();
    // Earliest due date: o0 reaches the idle machine first (it is released
    // first), then o2 (due 4), o3 (6), o1 (9): o0 0–4, o2 4–7, o3 7–9, o1 9–10.
    let plan = record_plan(&line, &[0], Some(DispatchRule::Edd), 1).expect("recorded");
    assert_eq!(plan, vec![Some(lots(&[0, 2, 3, 1]))]);
    let report = line_robustness(
        &line,
        &plan,
        &[Policy::Keep, Policy::Redispatch(DispatchRule::Spt)],
        &RobustOptions {
            replications: 3,
            seed: 1,
            dues: Dues::Orders,
            horizon: None,
            stop: None,
        },
    )
    .expect("the experiment runs");
    assert_eq!(report.planned.completion, vec![4.0, 10.0, 7.0, 9.0]);
    // No disturbance in a line of constants: every replication as planned.
    let keep = &report.policies[0].realised;
    assert_eq!((keep.makespan.mean, keep.makespan.sd), (10.0, 0.0));
    assert_eq!(keep.tardiness.mean, report.planned.tardiness);
    // o1 1 late, o2 3, o3 3: 7 in all.
    assert_eq!(report.planned.tardiness, 7.0);
    // SPT picks parts, not orders: o0's first part 0–2 (alone at the idle
    // machine), then by time per part o1 (0.5) 2–3, o3 (1) 3–5, o2 (1.5) 5–8,
    // and o0's second part (2) 8–10.
    let spt: Vec<f64> = report.policies[1]
        .orders
        .iter()
        .map(|o| o.completion.mean)
        .collect();
    assert_eq!(spt, vec![10.0, 3.0, 8.0, 5.0]);
}

#[test]
fn order_book_experiments_refuse_what_they_cannot_do() {
    let (line, plan) = erlang_line();
    let run = |plan: &[Option<Vec<PlannedOp>>], policies: &[Policy], dues| {
        line_robustness(
            &line,
            plan,
            policies,
            &RobustOptions {
                replications: 2,
                seed: 1,
                dues,
                horizon: None,
                stop: None,
            },
        )
        .map(|_| ())
        .map_err(|e| e.to_string())
    };
    let reschedule = Policy::Reschedule {
        by: Replanner::Rule(twin_models::scheduling::Dispatcher::new(
            twin_models::scheduling::Rule::Spt,
            twin_models::scheduling::Scheme::Active,
        )),
        period: Some(5.0),
        on_failure: false,
    };
    assert_eq!(
        run(&plan, &[Policy::Keep, reschedule], Dues::Orders),
        Err(
            "policies: `reschedule/spt every 5`: rescheduling applies to a scheduling \
             instance's twin, not to a line's order book; keep the plan or re-dispatch"
                .into()
        )
    );
    assert_eq!(
        run(&[None], &[Policy::Keep], Dues::Orders),
        Err("plan: it plans no station".into())
    );
    assert_eq!(
        run(&plan, &[Policy::Keep], Dues::Given(vec![1.0])),
        Err("dues: the order book has 2 orders, but 1 due dates were given".into())
    );
    // Realised durations are per operation of one part.
    let compiled = CompiledLine::new(&line).expect("a valid line");
    let error = compiled
        .execute(
            &options(100.0),
            &Execution {
                durations: Some(&[1.0, 1.0]),
                ..Execution::default()
            },
        )
        .expect_err("orders of several parts");
    assert!(matches!(error, RunError::Invalid(_)));
    assert_eq!(
        error.to_string(),
        "orders: realised durations per operation needs orders of one part each, but order \
         `o0` has 3"
    );
}

#[test]
fn an_instance_has_no_due_dates_of_its_own() {
    let shop = twin_models::scheduling::parse_job_shop("1 1\n0 3\n").expect("an instance");
    let schedule = twin_models::scheduling::Dispatcher::new(
        twin_models::scheduling::Rule::Spt,
        twin_models::scheduling::Scheme::Active,
    )
    .build(&shop);
    let error = twin_models::scheduling::robustness(
        &shop,
        &schedule,
        &twin_models::scheduling::TwinOptions::default(),
        &[Policy::Keep],
        &RobustOptions {
            dues: Dues::Orders,
            ..RobustOptions::default()
        },
    )
    .expect_err("no due dates");
    assert!(matches!(error, RobustError::Option { .. }));
    assert_eq!(
        error.to_string(),
        "dues: an instance's jobs have no due dates of their own: give them or plan them"
    );
}
