//! Executing schedules in the twin: exact reproduction of the deterministic
//! evaluator, sequences kept under disturbances, rescheduling, Jensen's
//! inequality, common random numbers, and on-time probabilities against a
//! closed form.

use sim_core::Distribution;
use twin_models::scheduling::{
    Breakdowns, Dispatcher, Dues, Evaluator, Instance, Policy, Replanner, RobustOptions, Rule,
    Schedule, Scheme, Twin, TwinOptions, draw_durations, parse_flexible_job_shop, parse_job_shop,
    robustness,
};
use twin_models::{
    CompiledLine, DispatchRule, Execution, FailureClock, Plan, PlannedOp, Reschedule, Rescheduler,
    RunError, RunOptions, ShopState,
};

fn library(path: &str) -> String {
    let file = format!(
        "{}/../scenarios/library/scheduling/{path}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{file}: {e}"))
}

fn ft10() -> Instance {
    parse_job_shop(&library(
        "jobshop/instances/text/FisherThompson1963/ft10.txt",
    ))
    .expect("ft10 parses")
}

fn mk01() -> Instance {
    parse_flexible_job_shop(&library(
        "flexible-jobshop/instances/fjsp/Brandimarte1993/mk01.txt",
    ))
    .expect("mk01 parses")
}

fn tfs001() -> Instance {
    parse_job_shop(&library(
        "permutation-flowshop/instances/Taillard1993/tfs001.txt",
    ))
    .expect("tfs001 parses")
    .into_flow_shop()
    .expect("a flow shop")
}

fn options(horizon: f64) -> RunOptions {
    RunOptions {
        seed: 7,
        replication: 0,
        horizon,
        warmup: 0.0,
    }
}

fn keep(plan: &Plan) -> Execution<'_> {
    Execution {
        plan: Some(plan),
        keep: true,
        kpis: true,
        ..Execution::default()
    }
}

/// Every instance kind, several schedules each: with nominal times and no
/// failures, keeping the sequences gives the evaluator's semi-active schedule
/// to the last operation.
#[test]
fn zero_noise_execution_reproduces_the_evaluator_exactly() {
    let mut checked = 0;
    let instances = [ft10(), mk01(), tfs001()];
    let operations: usize = instances.iter().map(Instance::operations).sum();
    for instance in instances {
        for rule in [Rule::Spt, Rule::Mwkr, Rule::Lwkr, Rule::Fifo] {
            for scheme in [Scheme::Active, Scheme::NonDelay] {
                let schedule = Dispatcher::new(rule, scheme).build(&instance);
                let mut evaluator = Evaluator::new(&instance);
                let makespan = evaluator.evaluate(&schedule).expect("feasible");
                let twin =
                    Twin::new(&instance, Some(&schedule), &TwinOptions::default()).expect("twin");
                let line = CompiledLine::new(&twin.line).expect("compiles");
                let plan = line.plan(twin.sequences.clone()).expect("a valid plan");
                let run = line.execute(&options(1e9), &keep(&plan)).expect("runs");
                assert_eq!(
                    run.makespan,
                    makespan as f64,
                    "{} {rule:?}",
                    instance.name()
                );
                for op in 0..instance.operations() {
                    let job = instance.job_of(op);
                    let step = op - instance.job_operations(job).start;
                    let i = run.offsets[job] + step;
                    assert_eq!(run.start[i], evaluator.start()[op] as f64, "start of {op}");
                    assert_eq!(run.end[i], evaluator.end()[op] as f64, "end of {op}");
                }
                checked += instance.operations();
            }
        }
    }
    assert_eq!(checked, 8 * operations);
}

/// The order in which each station started its operations.
fn start_orders(twin: &Twin, start: &[f64], offsets: &[usize]) -> Vec<Vec<PlannedOp>> {
    let mut by_station: Vec<Vec<(f64, PlannedOp)>> = vec![Vec::new(); twin.line.stations.len()];
    for (order, product) in twin.line.products.iter().enumerate() {
        for (step, stations) in product.route.iter().enumerate() {
            by_station[stations[0]].push((start[offsets[order] + step], PlannedOp { order, step }));
        }
    }
    by_station
        .into_iter()
        .map(|mut v| {
            v.sort_by(|a, b| a.0.total_cmp(&b.0));
            v.into_iter().map(|(_, op)| op).collect()
        })
        .collect()
}

fn noisy(cv: f64, breakdowns: bool) -> TwinOptions {
    TwinOptions {
        family: "lognormal".into(),
        cv,
        breakdowns: breakdowns.then(|| Breakdowns {
            ttf: Distribution::exponential(400.0).expect("valid"),
            ttr: Distribution::exponential(40.0).expect("valid"),
            clock: FailureClock::Busy,
        }),
        ..TwinOptions::default()
    }
}

#[test]
fn keep_never_reorders_a_machine_and_redispatch_does() {
    let instance = ft10();
    let schedule = Dispatcher::new(Rule::Mwkr, Scheme::Active).build(&instance);
    let twin = Twin::new(&instance, Some(&schedule), &noisy(0.3, true)).expect("twin");
    let line = CompiledLine::new(&twin.line).expect("compiles");
    let plan = line.plan(twin.sequences.clone()).expect("a valid plan");
    let mut reordered = 0;
    for rep in 0..30 {
        let durations = draw_durations(&twin, 7, rep);
        let run_options = RunOptions {
            replication: rep,
            ..options(1e9)
        };
        let kept = line
            .execute(
                &run_options,
                &Execution {
                    durations: Some(&durations),
                    ..keep(&plan)
                },
            )
            .expect("runs");
        assert!(
            kept.kpis
                .as_ref()
                .expect("asked for")
                .stations
                .values()
                .map(|s| s.failures)
                .sum::<u64>()
                > 0
        );
        assert_eq!(
            start_orders(&twin, &kept.start, &kept.offsets),
            twin.sequences
        );
        let dispatched = line
            .execute(
                &run_options,
                &Execution {
                    durations: Some(&durations),
                    ..Execution::default()
                },
            )
            .expect("runs");
        if start_orders(&twin, &dispatched.start, &dispatched.offsets) != twin.sequences {
            reordered += 1;
        }
        // Every operation ran for its given duration, failures aside.
        for (i, d) in durations.iter().enumerate() {
            assert!(kept.end[i] - kept.start[i] >= d - 1e-9);
        }
    }
    assert!(
        reordered > 20,
        "FIFO re-dispatch reordered {reordered} of 30"
    );
}

/// A rescheduler that returns the remaining operations in their planned
/// order: rescheduling with it must change nothing.
struct SamePlan(Vec<Vec<PlannedOp>>);

impl Rescheduler for SamePlan {
    fn reschedule(&self, state: &ShopState) -> Result<Vec<Vec<PlannedOp>>, String> {
        Ok(self
            .0
            .iter()
            .map(|sequence| {
                sequence
                    .iter()
                    .copied()
                    .filter(|op| op.step >= state.orders[op.order].next_step)
                    .collect()
            })
            .collect())
    }
}

#[test]
fn rescheduling_to_the_same_plan_changes_nothing() {
    let instance = ft10();
    let schedule = Dispatcher::new(Rule::Spt, Scheme::Active).build(&instance);
    let twin = Twin::new(&instance, Some(&schedule), &noisy(0.2, true)).expect("twin");
    let line = CompiledLine::new(&twin.line).expect("compiles");
    let plan = line.plan(twin.sequences.clone()).expect("a valid plan");
    let same = SamePlan(twin.sequences.clone());
    for rep in 0..10 {
        let durations = draw_durations(&twin, 7, rep);
        let run_options = RunOptions {
            replication: rep,
            ..options(1e9)
        };
        let kept = line
            .execute(
                &run_options,
                &Execution {
                    durations: Some(&durations),
                    ..keep(&plan)
                },
            )
            .expect("runs");
        let replanned = line
            .execute(
                &run_options,
                &Execution {
                    durations: Some(&durations),
                    reschedule: Some(Reschedule {
                        period: Some(37.0),
                        on_failure: true,
                        by: &same,
                    }),
                    ..keep(&plan)
                },
            )
            .expect("runs");
        assert!(replanned.reschedules > 20);
        assert_eq!(kept.start, replanned.start);
        assert_eq!(kept.makespan, replanned.makespan);
    }
}

#[test]
fn rescheduling_on_failure_replans_once_per_failure() {
    let instance = ft10();
    let schedule = Dispatcher::new(Rule::Mwkr, Scheme::Active).build(&instance);
    let twin = Twin::new(&instance, Some(&schedule), &noisy(0.0, true)).expect("twin");
    let line = CompiledLine::new(&twin.line).expect("compiles");
    let plan = line.plan(twin.sequences.clone()).expect("a valid plan");
    let by = twin_models::scheduling::DispatcherRescheduler {
        instance: &twin.assigned,
        dispatcher: Dispatcher::new(Rule::Mwkr, Scheme::Active),
    };
    let run = line
        .execute(
            &options(1e9),
            &Execution {
                reschedule: Some(Reschedule {
                    period: None,
                    on_failure: true,
                    by: &by,
                }),
                ..keep(&plan)
            },
        )
        .expect("runs");
    let failures: u64 = run
        .kpis
        .as_ref()
        .expect("asked for")
        .stations
        .values()
        .map(|s| s.failures)
        .sum();
    assert!(failures > 0);
    // A failure after the last order is done replans nothing.
    assert_eq!(u64::from(run.reschedules), failures);
    assert!(run.completion.iter().all(|c| c.is_finite()));
}

struct Broken;

impl Rescheduler for Broken {
    fn reschedule(&self, state: &ShopState) -> Result<Vec<Vec<PlannedOp>>, String> {
        Ok(vec![Vec::new(); state.stations.len()])
    }
}

#[test]
fn bad_plans_are_refused_with_the_operation_named() {
    let instance = parse_job_shop("2 2\n0 3 1 2\n1 4 0 1\n").expect("valid");
    let schedule = Schedule {
        machines: vec![vec![op(0, 0), op(1, 1)], vec![op(1, 0), op(0, 1)]],
    };
    let twin = Twin::new(&instance, Some(&schedule), &TwinOptions::default()).expect("twin");
    let line = CompiledLine::new(&twin.line).expect("compiles");
    let plan = line.plan(twin.sequences.clone()).expect("a valid plan");
    let run = |sequences: Vec<Vec<PlannedOp>>| {
        let plan = line.plan(sequences).map_err(|e| e.to_string())?;
        line.execute(&options(1e6), &keep(&plan))
            .map(|r| r.makespan)
            .map_err(|e| e.to_string())
    };
    let p = |order, step| PlannedOp { order, step };
    assert_eq!(run(twin.sequences.clone()), Ok(6.0));
    assert_eq!(
        run(vec![vec![p(0, 0)], vec![p(1, 0), p(0, 1)]]),
        Err("sequences: order `J1` step 1 is not planned at any station".into())
    );
    assert_eq!(
        run(vec![
            vec![p(0, 0), p(1, 1), p(0, 0)],
            vec![p(1, 0), p(0, 1)]
        ]),
        Err("sequences: position 2 of station `m0` (order 0, step 0): it is planned twice".into())
    );
    assert_eq!(
        run(vec![vec![p(0, 0), p(0, 1)], vec![p(1, 0), p(1, 1)]]),
        Err(
            "sequences: position 1 of station `m0` (order 0, step 1): order `J0` does not visit \
             this station at that step"
                .into()
        )
    );
    // Machine 0 runs job 1's last step first, which needs machine 1's job 1
    // step, which machine 1 plans after job 0's last step, which needs machine
    // 0's job 0 step: a cycle.
    assert_eq!(
        run(vec![vec![p(1, 1), p(0, 0)], vec![p(0, 1), p(1, 0)]]),
        Err(
            "sequences: the station sequences contradict the routes: 4 operations wait for each \
             other in a cycle (a station plans an operation before one that must precede it)"
                .into()
        )
    );
    let durations = [1.0, 2.0];
    assert_eq!(
        line.execute(
            &options(1e6),
            &Execution {
                durations: Some(&durations),
                ..keep(&plan)
            },
        )
        .map(|r| r.makespan)
        .map_err(|e| e.to_string()),
        Err("durations: the orders have 4 operations, but 2 durations were given".into())
    );
    // Parts without an order are in no plan: a line with other sources cannot keep one.
    let mut mixed = twin.line.clone();
    mixed.sources.push(twin_models::SourceSpec {
        name: "walk-ins".into(),
        kind: twin_models::SourceKind::Arrivals {
            interarrival: Distribution::exponential(5.0).expect("valid"),
            when_full: twin_models::WhenFull::Block,
        },
        mix: vec![(0, 1.0)],
        sequence: vec![],
    });
    let mixed_line = CompiledLine::new(&mixed).expect("compiles");
    let mixed_plan = mixed_line.plan(twin.sequences.clone()).expect("valid");
    assert_eq!(
        mixed_line
            .execute(&options(1e6), &keep(&mixed_plan))
            .map(|r| r.makespan)
            .map_err(|e| e.to_string()),
        Err(format!(
            "sources[{}].kind: keeping planned sequences needs every part to come from an order, \
             but source `walk-ins` is not of kind orders",
            mixed.sources.len() - 1
        ))
    );
    let other = Twin::new(&ft10(), None, &TwinOptions::default()).expect("twin");
    let other_plan = CompiledLine::new(&other.line)
        .expect("compiles")
        .plan(
            Twin::new(
                &ft10(),
                Some(&Dispatcher::new(Rule::Spt, Scheme::Active).build(&ft10())),
                &TwinOptions::default(),
            )
            .expect("twin")
            .sequences,
        )
        .expect("valid");
    assert_eq!(
        line.execute(&options(1e6), &keep(&other_plan))
            .map(|r| r.makespan)
            .map_err(|e| e.to_string()),
        Err("plan: the plan was checked against another line (other stations or routes)".into())
    );
    assert_eq!(
        line.execute(
            &options(1e6),
            &Execution {
                keep: true,
                ..Execution::default()
            }
        )
        .map(|r| r.makespan)
        .map_err(|e| e.to_string()),
        Err("plan: keeping sequences or rescheduling needs a plan (CompiledLine::plan)".into())
    );
    let broken = line.execute(
        &options(1e6),
        &Execution {
            reschedule: Some(Reschedule {
                period: Some(2.0),
                on_failure: false,
                by: &Broken,
            }),
            ..keep(&plan)
        },
    );
    match broken {
        Err(RunError::Rescheduler { time, message }) => {
            assert_eq!(time, 2.0);
            assert_eq!(
                message,
                "the rescheduler's plan is not valid: order `J0` step 1 is not planned at any \
                 station"
            );
        }
        other => panic!("expected a rescheduler error, got {other:?}"),
    }
}

fn op(job: usize, operation: usize) -> twin_models::scheduling::OperationRef {
    twin_models::scheduling::OperationRef { job, operation }
}

/// One machine, two jobs of nominal time 10, exponential times (cv 1), due at
/// their planned completions 10 and 20: P(J0 on time) = P(X ≤ 10) = 1 − e⁻¹,
/// P(J1 on time) = P(X₀ + X₁ ≤ 20) = 1 − 3e⁻² (Erlang-2), and the mean
/// makespan is 20. The same probabilities by a second method: the Poisson
/// count of completions by t, P(N(20) ≥ 2) with N(20) ~ Poisson(2).
#[test]
fn on_time_probabilities_match_the_closed_form() {
    let instance = parse_job_shop("2 1\n0 10\n0 10\n").expect("valid");
    let schedule = Schedule {
        machines: vec![vec![op(0, 0), op(1, 0)]],
    };
    let twin = TwinOptions {
        family: "exponential".into(),
        cv: 1.0,
        ..TwinOptions::default()
    };
    let n = 4000;
    let report = robustness(
        &instance,
        &schedule,
        &twin,
        &[Policy::Keep],
        &RobustOptions {
            replications: n,
            seed: 11,
            dues: Dues::Planned { slack: 0.0 },
            horizon: None,
            stop: None,
        },
    )
    .expect("runs");
    assert_eq!(report.planned.makespan, 20.0);
    assert_eq!(report.planned.completion, vec![10.0, 20.0]);
    let e = std::f64::consts::E;
    let p0 = 1.0 - 1.0 / e;
    let p1 = 1.0 - 3.0 / (e * e);
    let poisson = 1.0 - (-2.0f64).exp() * (1.0 + 2.0);
    assert!((p1 - poisson).abs() < 1e-12);
    let policy = &report.policies[0];
    for (outcome, p) in policy.orders.iter().zip([p0, p1]) {
        let sd = (p * (1.0 - p) / n as f64).sqrt();
        assert!(
            (outcome.on_time.estimate - p).abs() < 4.0 * sd,
            "{}: {} against {p}",
            outcome.id,
            outcome.on_time.estimate
        );
        assert!(outcome.on_time.low < outcome.on_time.estimate);
        assert!(outcome.on_time.high > outcome.on_time.estimate);
    }
    let m = policy.realised.makespan;
    // Sum of two exponentials of mean 10: sd 10·√2.
    assert!((m.mean - 20.0).abs() < 4.0 * 200f64.sqrt() / (n as f64).sqrt());
    assert!((m.ci95 - 1.96 * 200f64.sqrt() / (n as f64).sqrt()).abs() < 0.1 * m.ci95);
}

/// Jensen: the makespan is a max of sums, convex in the durations, so its
/// mean under noise is at least the planned one; the paired comparison of two
/// policies on common random numbers is narrower than the unpaired one.
#[test]
fn noise_lengthens_the_makespan_and_pairing_narrows_the_comparison() {
    let instance = ft10();
    let schedule = Dispatcher::new(Rule::Mwkr, Scheme::Active).build(&instance);
    let report = robustness(
        &instance,
        &schedule,
        &noisy(0.3, true),
        &[
            Policy::Keep,
            Policy::Redispatch(DispatchRule::Spt),
            Policy::Reschedule {
                by: Replanner::Rule(Dispatcher::new(Rule::Mwkr, Scheme::Active)),
                period: Some(100.0),
                on_failure: true,
            },
        ],
        &RobustOptions {
            replications: 200,
            seed: 3,
            ..RobustOptions::default()
        },
    )
    .expect("runs");
    let planned = report.planned.makespan;
    let kept = &report.policies[0].realised;
    assert!(
        kept.makespan.mean - kept.makespan.ci95 > planned,
        "{} ± {} against planned {planned}",
        kept.makespan.mean,
        kept.makespan.ci95
    );
    assert!(kept.makespan.p50 <= kept.makespan.p90 && kept.makespan.p90 <= kept.makespan.p95);
    assert!((kept.makespan_ratio.mean - kept.makespan.mean / planned).abs() < 1e-9);
    assert_eq!(report.makespan_vs_first.len(), 2);
    for comparison in &report.makespan_vs_first {
        assert!(
            comparison.paired_ci95 < comparison.unpaired_ci95,
            "{comparison:?}"
        );
    }
    assert!(report.policies[2].realised.reschedules.mean > 1.0);
    // On-time rates are fractions; tardiness is zero when every job is on time.
    for policy in &report.policies {
        let r = &policy.realised;
        assert!(r.on_time_rate.min >= 0.0 && r.on_time_rate.max <= 1.0);
        assert!(r.tardiness.min >= 0.0);
    }
}

#[test]
fn robustness_is_reproducible_whatever_the_thread_count() {
    let instance = ft10();
    let schedule = Dispatcher::new(Rule::Spt, Scheme::Active).build(&instance);
    let run = || {
        robustness(
            &instance,
            &schedule,
            &noisy(0.2, true),
            &[Policy::Keep, Policy::Redispatch(DispatchRule::Edd)],
            &RobustOptions {
                replications: 40,
                ..RobustOptions::default()
            },
        )
        .expect("runs")
    };
    let one = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .expect("pool")
        .install(run);
    let two = rayon::ThreadPoolBuilder::new()
        .num_threads(2)
        .build()
        .expect("pool")
        .install(run);
    assert_eq!(one, two);
}

#[test]
fn a_user_replanner_that_keeps_the_plan_ties_with_keep_on_every_replication() {
    let instance = ft10();
    let schedule = Dispatcher::new(Rule::Spt, Scheme::Active).build(&instance);
    let twin = Twin::new(&instance, Some(&schedule), &TwinOptions::default()).expect("twin");
    let same = Replanner::User {
        name: "same-plan".into(),
        by: std::sync::Arc::new(SamePlan(twin.sequences.clone())),
    };
    let report = robustness(
        &instance,
        &schedule,
        &noisy(0.3, true),
        &[
            Policy::Keep,
            Policy::Reschedule {
                by: same,
                period: Some(60.0),
                on_failure: true,
            },
        ],
        &RobustOptions {
            replications: 50,
            ..RobustOptions::default()
        },
    )
    .expect("runs");
    assert_eq!(
        report.policies[1].policy,
        "reschedule/same-plan every 60 and on failure"
    );
    assert_eq!(report.policies[0].makespans, report.policies[1].makespans);
    assert_eq!(report.makespan_vs_first[0].mean_difference, 0.0);
    assert!(report.policies[1].realised.reschedules.min > 5.0);
}

#[test]
fn finite_buffers_that_block_the_plan_give_a_clear_error() {
    let instance = ft10();
    let schedule = Dispatcher::new(Rule::Mwkr, Scheme::Active).build(&instance);
    let finite = TwinOptions {
        buffer: Some(1),
        ..TwinOptions::default()
    };
    let twin = Twin::new(&instance, Some(&schedule), &finite).expect("twin");
    let line = CompiledLine::new(&twin.line).expect("compiles");
    let plan = line.plan(twin.sequences.clone()).expect("a valid plan");
    // Kept or re-dispatched, machines holding finished jobs for each other's
    // full one-place buffers deadlock: named as such, never a hang.
    for execution in [keep(&plan), Execution::default()] {
        match line.execute(&options(1e6), &execution) {
            Err(RunError::Deadlock(d)) => {
                assert!(d.stations.len() >= 2, "{d}");
                assert!(
                    d.to_string().starts_with("the line deadlocked by t = "),
                    "{d}"
                );
            }
            other => panic!("expected a deadlock, got {other:?}"),
        }
    }
    // With room for every job the plan runs as the evaluator says.
    let roomy = TwinOptions {
        buffer: Some(10),
        ..TwinOptions::default()
    };
    let twin = Twin::new(&instance, Some(&schedule), &roomy).expect("twin");
    let line = CompiledLine::new(&twin.line).expect("compiles");
    let plan = line.plan(twin.sequences.clone()).expect("a valid plan");
    let run = line.execute(&options(1e6), &keep(&plan)).expect("runs");
    let makespan = Evaluator::new(&instance)
        .evaluate(&schedule)
        .expect("feasible");
    assert_eq!(run.makespan, makespan as f64);
}

/// A station keeping its sequence waits for its next planned part even while
/// another waits; a horizon too short for the plan is named as such.
#[test]
fn a_kept_sequence_waits_for_a_later_release() {
    // Two one-operation jobs on one machine; job 1, released at 50, is planned
    // first, so the machine idles until then although job 0 waits from 0.
    let instance = parse_job_shop("2 1\n0 3\n0 4\n").expect("valid");
    let schedule = Schedule {
        machines: vec![vec![op(1, 0), op(0, 0)]],
    };
    let late = TwinOptions {
        releases: vec![0.0, 50.0],
        ..TwinOptions::default()
    };
    let twin = Twin::new(&instance, Some(&schedule), &late).expect("twin");
    let line = CompiledLine::new(&twin.line).expect("compiles");
    let plan = line.plan(twin.sequences.clone()).expect("a valid plan");
    let run = line.execute(&options(100.0), &keep(&plan)).expect("runs");
    // The machine waits for job 1 (50..54) and only then runs job 0 (54..57).
    assert_eq!(run.start, vec![54.0, 50.0]);
    assert_eq!(run.makespan, 57.0);
    assert_eq!(
        line.execute(&options(20.0), &keep(&plan))
            .map(|r| r.makespan)
            .map_err(|e| e.to_string()),
        Err("2 of 2 orders were not done by the horizon t = 20".into())
    );
}

#[test]
fn given_due_dates_are_checked_and_used() {
    let instance = parse_job_shop("2 1\n0 10\n0 10\n").expect("valid");
    let schedule = Schedule {
        machines: vec![vec![op(0, 0), op(1, 0)]],
    };
    let run = |dues: Vec<f64>| {
        robustness(
            &instance,
            &schedule,
            &TwinOptions::default(),
            &[Policy::Keep],
            &RobustOptions {
                replications: 2,
                dues: Dues::Given(dues),
                ..RobustOptions::default()
            },
        )
    };
    assert_eq!(
        run(vec![5.0])
            .map(|r| r.planned.makespan)
            .map_err(|e| e.to_string()),
        Err("dues: the instance has 2 jobs, but 1 due dates were given".into())
    );
    assert_eq!(
        run(vec![5.0, f64::NAN])
            .map(|r| r.planned.makespan)
            .map_err(|e| e.to_string()),
        Err("dues: job 1: NaN is not a valid time".into())
    );
    // Nominal times: job 0 ends at 10 (due 5: 5 late), job 1 at 20 (due 30).
    let report = run(vec![5.0, 30.0]).expect("runs");
    assert_eq!(report.planned.tardiness, 5.0);
    assert_eq!(report.planned.on_time_rate, 0.5);
    let orders = &report.policies[0].orders;
    assert_eq!(
        (orders[0].on_time.estimate, orders[1].on_time.estimate),
        (0.0, 1.0)
    );
}
