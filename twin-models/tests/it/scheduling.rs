//! The scheduling harness on instances worked out by hand, and ft06's optimal schedule.

use twin_models::scheduling::{
    Assignment, Dispatcher, Evaluator, Instance, Neh, OperationRef, Rule, Schedule, ScheduleTimes,
    Scheduler, Scheme, ShopKind, Violation, check, parse_flexible_job_shop, parse_flow_shop,
    parse_job_shop,
};

fn op(job: usize, operation: usize) -> OperationRef {
    OperationRef { job, operation }
}

/// Two jobs, two machines: job 0 runs 3 on machine 0 then 2 on machine 1; job 1 runs 4 on
/// machine 1 then 1 on machine 0.
fn tiny() -> Instance {
    Instance::job_shop("tiny", 2, &[vec![(0, 3), (1, 2)], vec![(1, 4), (0, 1)]]).expect("valid")
}

/// Fisher and Thompson's ft06 (6 jobs × 6 machines), as in the OR-Library / bks text format.
const FT06: &str = "6 6
2  1  0  3  1  6  3  7  5  3  4  6
1  8  2  5  4 10  5 10  0 10  3  4
2  5  3  4  5  8  0  9  1  1  4  7
1  5  0  5  2  5  3  3  4  8  5  9
2  9  1  3  4  5  5  4  0  3  3  1
1  3  3  3  5  9  0 10  4  4  2  1
";

#[test]
fn evaluator_on_a_hand_worked_sequence() {
    // Machine 0: job 0 then job 1; machine 1: job 1 then job 0.
    // (0,0) 0–3 on M0; (1,0) 0–4 on M1; (0,1) waits for M1 until 4: 4–6;
    // (1,1) waits for its job until 4 (M0 free at 3): 4–5. Makespan 6.
    let shop = tiny();
    let schedule = Schedule {
        machines: vec![vec![op(0, 0), op(1, 1)], vec![op(1, 0), op(0, 1)]],
    };
    let mut evaluator = Evaluator::new(&shop);
    assert_eq!(evaluator.evaluate(&schedule), Ok(6));
    // Global ids: job 0 = 0, 1; job 1 = 2, 3.
    assert_eq!(evaluator.start(), &[0, 4, 0, 4]);
    assert_eq!(evaluator.end(), &[3, 6, 4, 5]);
    // The other order on machine 1: (0,1) 3–5, (1,0) 5–9, (1,1) 9–10.
    let other = Schedule {
        machines: vec![vec![op(0, 0), op(1, 1)], vec![op(0, 1), op(1, 0)]],
    };
    assert_eq!(evaluator.evaluate(&other), Ok(10));
    assert_eq!(evaluator.start(), &[0, 3, 5, 9]);
}

#[test]
fn active_and_non_delay_spt_differ_by_hand() {
    let shop = tiny();
    // Active (GT): c* = 3 (job 0 on M0) → schedule it. Then M1: job 1 could end at 4, so the
    // conflict set is {job 1 (0..4), job 0 (3..5)}; SPT takes job 0 (2 < 4), delaying job 1:
    // (0,1) 3–5, (1,0) 5–9, (1,1) 9–10. Makespan 10.
    let active = Dispatcher::new(Rule::Spt, Scheme::Active).build(&shop);
    assert_eq!(
        active.machines,
        vec![vec![op(0, 0), op(1, 1)], vec![op(0, 1), op(1, 0)]]
    );
    assert_eq!(Evaluator::new(&shop).evaluate(&active), Ok(10));
    // Non-delay: at 0 both first operations can start, on different machines: both start at 0.
    // At 4 (M1 free, job 1 done on it), (0,1) and (1,1) can both start: on different machines
    // again. Makespan 6.
    let non_delay = Dispatcher::new(Rule::Spt, Scheme::NonDelay).build(&shop);
    assert_eq!(Evaluator::new(&shop).evaluate(&non_delay), Ok(6));
}

#[test]
fn violations_are_named() {
    let shop = tiny();
    let mut evaluator = Evaluator::new(&shop);
    let missing = Schedule {
        machines: vec![vec![op(0, 0)], vec![op(1, 0), op(0, 1)]],
    };
    assert_eq!(
        evaluator.evaluate(&missing),
        Err(Violation::Missing { op: op(1, 1) })
    );
    let duplicated = Schedule {
        machines: vec![vec![op(0, 0), op(1, 1), op(0, 0)], vec![op(1, 0), op(0, 1)]],
    };
    assert_eq!(
        evaluator.evaluate(&duplicated),
        Err(Violation::Duplicated {
            op: op(0, 0),
            first: 0,
            second: 0
        })
    );
    let ineligible = Schedule {
        machines: vec![vec![op(0, 0)], vec![op(1, 0), op(0, 1), op(1, 1)]],
    };
    let err = evaluator.evaluate(&ineligible).unwrap_err();
    assert_eq!(err.to_string(), "job 1 operation 1 cannot run on machine 1");
    let unknown = Schedule {
        machines: vec![vec![op(0, 0), op(1, 1), op(0, 2)], vec![op(1, 0), op(0, 1)]],
    };
    assert!(matches!(
        evaluator.evaluate(&unknown),
        Err(Violation::UnknownOperation { .. })
    ));
    // M0: (1,1) before (0,0); M1: (0,1) before (1,0). (0,1) waits for (0,0), which waits for
    // (1,1), which waits for (1,0), which waits for (0,1): a cycle.
    let cycle = Schedule {
        machines: vec![vec![op(1, 1), op(0, 0)], vec![op(0, 1), op(1, 0)]],
    };
    assert!(matches!(
        evaluator.evaluate(&cycle),
        Err(Violation::Cycle { .. })
    ));
    // After errors the evaluator still evaluates correctly.
    let fine = Schedule {
        machines: vec![vec![op(0, 0), op(1, 1)], vec![op(1, 0), op(0, 1)]],
    };
    assert_eq!(evaluator.evaluate(&fine), Ok(6));
}

#[test]
fn checker_names_precedence_and_overlap() {
    let shop = tiny();
    let schedule = Schedule {
        machines: vec![vec![op(0, 0), op(1, 1)], vec![op(1, 0), op(0, 1)]],
    };
    // The semi-active times (by hand above) are feasible, makespan 6.
    let good = ScheduleTimes {
        start: vec![vec![0, 4], vec![0, 4]],
    };
    assert_eq!(check(&shop, &schedule, &good), Ok(6));
    // (1,1) at 2: its job's (1,0) ends at 4 (precedence), and M0 runs (0,0) until 3 (overlap).
    // (0,1) at 3: M1 runs (1,0) until 4 (overlap); its job's (0,0) ended at 3 (fine).
    let bad = ScheduleTimes {
        start: vec![vec![0, 2], vec![0, 3]],
    };
    let violations = check(&shop, &schedule, &bad).unwrap_err();
    let text: Vec<String> = violations.iter().map(ToString::to_string).collect();
    assert_eq!(
        text,
        [
            "machine overlap on machine 0: job 1 operation 1 starts at 2, before job 0 operation 0 ends at 3",
            "machine overlap on machine 1: job 0 operation 1 starts at 3, before job 1 operation 0 ends at 4",
            "precedence: job 1 operation 1 starts at 2, before operation 0 of the job ends at 4",
        ]
    );
}

#[test]
fn ft06_optimal_schedule_evaluates_to_55() {
    // Machine sequences (jobs, 0-based) of a schedule with makespan 55, the proven optimum
    // (bks.json: closed, 55). Found and checked by benches/ft06_optimal_search.py, plain
    // Python that shares no code with linetwin (its own start times, precedence and overlap
    // checks); its start times are asserted below as well.
    let sequences: [[usize; 6]; 6] = [
        [0, 3, 2, 5, 1, 4],
        [1, 3, 5, 0, 4, 2],
        [0, 2, 1, 4, 3, 5],
        [2, 5, 0, 3, 1, 4],
        [1, 4, 2, 3, 5, 0],
        [2, 5, 1, 4, 0, 3],
    ];
    let starts: [[u64; 6]; 6] = [
        [1, 13, 18, 28, 38, 48],
        [0, 8, 13, 16, 22, 27],
        [0, 1, 8, 13, 22, 49],
        [6, 16, 22, 29, 48, 52],
        [13, 25, 30, 37, 45, 49],
        [10, 19, 28, 38, 42, 45],
    ];
    let shop = parse_job_shop(FT06).expect("ft06 parses");
    // A job visits each machine once: its operation on machine k is the one routed there.
    let operation_on = |job: usize, machine: usize| {
        shop.job_operations(job)
            .position(|o| shop.alternatives(o)[0].machine == machine)
            .expect("every job visits every machine")
    };
    let schedule = Schedule {
        machines: sequences
            .iter()
            .enumerate()
            .map(|(k, jobs)| jobs.iter().map(|&j| op(j, operation_on(j, k))).collect())
            .collect(),
    };
    let mut evaluator = Evaluator::new(&shop);
    assert_eq!(evaluator.evaluate(&schedule), Ok(55));
    let times = evaluator.times_by_machine(&schedule);
    for (k, row) in starts.iter().enumerate() {
        let got: Vec<u64> = times[k].iter().map(|t| t.0).collect();
        assert_eq!(got, row, "machine {k}");
    }
    let given = ScheduleTimes {
        start: starts.iter().map(|r| r.to_vec()).collect(),
    };
    assert_eq!(check(&shop, &schedule, &given), Ok(55));
}

#[test]
fn flexible_assignment_rules_by_hand() {
    // Job 0: op 0 on M1 (2) or M2 (3), then op 1 on M2 (2). Job 1: op 0 on M1 (2), then op 1
    // on M1 (1) or M2 (4). (Machines 1-based in the file.)
    let shop =
        parse_flexible_job_shop("2 2\n2  2 1 2 2 3  1 2 2\n2  1 1 2  2 1 1 2 4\n").expect("parses");
    assert_eq!(shop.kind(), ShopKind::FlexibleJobShop);
    // Earliest finish, SPT, active: (0,0) on M1 0–2 (ends before 3 on M2; tie with (1,0)
    // broken by the lower job), (0,1) M2 2–4, (1,0) M1 2–4, (1,1) M1 4–5 (M2 would end at 8).
    let eft = Dispatcher::new(Rule::Spt, Scheme::Active).build(&shop);
    assert_eq!(
        eft.machines,
        vec![vec![op(0, 0), op(1, 0), op(1, 1)], vec![op(0, 1)]]
    );
    assert_eq!(Evaluator::new(&shop).evaluate(&eft), Ok(5));
    // Least loaded: the same until (1,1), when M1 carries 4 and M2 2: (1,1) on M2, 4–8.
    let ll = Dispatcher::new(Rule::Spt, Scheme::Active)
        .with_assignment(Assignment::LeastLoaded)
        .build(&shop);
    assert_eq!(
        ll.machines,
        vec![vec![op(0, 0), op(1, 0)], vec![op(0, 1), op(1, 1)]]
    );
    assert_eq!(Evaluator::new(&shop).evaluate(&ll), Ok(8));
}

#[test]
fn neh_on_a_hand_worked_flow_shop() {
    // Jobs (M0, M1): 0 = (3, 2), 1 = (1, 4), 2 = (2, 1). NEH gives [1, 2, 0] with makespan 8
    // (worked in scheduling/neh.rs): M0 0–1, 1–3, 3–6; M1 1–5, 5–6, 6–8.
    let shop = parse_flow_shop("3 2\n0 3 1 2\n0 1 1 4\n0 2 1 1\n").expect("a flow shop");
    let schedule = Neh.schedule(&shop).expect("applies");
    assert_eq!(schedule.machines[0], vec![op(1, 0), op(2, 0), op(0, 0)]);
    assert_eq!(Evaluator::new(&shop).evaluate(&schedule), Ok(8));
    // NEH refuses a job shop.
    assert!(Neh.schedule(&tiny()).is_err());
}

#[test]
fn every_rule_builds_a_feasible_ft06_schedule_above_the_optimum() {
    let shop = parse_job_shop(FT06).expect("parses");
    let mut evaluator = Evaluator::new(&shop);
    let rules = Rule::DETERMINISTIC
        .into_iter()
        .chain((0..20).map(|seed| Rule::Random { seed }));
    for rule in rules {
        for scheme in [Scheme::Active, Scheme::NonDelay] {
            let schedule = Dispatcher::new(rule, scheme).build(&shop);
            let makespan = evaluator.evaluate(&schedule).expect("feasible");
            assert!(
                makespan >= 55,
                "{rule} {scheme}: {makespan} beats the optimum 55"
            );
        }
    }
}

#[test]
fn random_rule_is_reproducible_from_its_seed() {
    let shop = parse_job_shop(FT06).expect("parses");
    let a = Dispatcher::new(Rule::Random { seed: 7 }, Scheme::Active).build(&shop);
    let b = Dispatcher::new(Rule::Random { seed: 7 }, Scheme::Active).build(&shop);
    assert_eq!(a, b);
}

#[test]
fn instances_round_trip_through_text() {
    let shop = parse_job_shop(FT06).expect("parses");
    assert_eq!(parse_job_shop(&shop.to_text()), Ok(shop));
    let flexible =
        parse_flexible_job_shop("2 3 1.5\n2  2 1 2 3 3  1 2 2\n1  1 3 7\n").expect("parses");
    assert_eq!(parse_flexible_job_shop(&flexible.to_text()), Ok(flexible));
}

#[test]
fn schedules_round_trip_through_csv_and_json() {
    let shop = parse_job_shop(FT06).expect("parses");
    let schedule = Dispatcher::new(Rule::Mwkr, Scheme::Active).build(&shop);
    let mut evaluator = Evaluator::new(&shop);
    let makespan = evaluator.evaluate(&schedule).expect("feasible");
    let times = evaluator.times_by_machine(&schedule);
    for file in [
        Schedule::from_csv(&schedule.to_csv(Some(&times))).expect("reads"),
        Schedule::from_json(&schedule.to_json(Some(&times))).expect("reads"),
    ] {
        assert_eq!(file.schedule, schedule);
        let given = file.times.expect("times were written");
        assert_eq!(check(&shop, &file.schedule, &given), Ok(makespan));
    }
}

/// A header declaring far more jobs and machines than its text holds ends in
/// the error of a short text, having allocated no more than the text holds
/// (100 000 × 100 000 in a Taillard header used to exhaust 24 GB of memory).
#[test]
fn huge_headers_are_errors_not_exhausted_memory() {
    type Parse = fn(&str) -> Result<(), twin_models::scheduling::ParseError>;
    let cases: [(Parse, &str, &str); 3] = [
        (
            |t| parse_job_shop(t).map(drop),
            "100000 100000\n0 1 1 2\n",
            "line 2: the text ends where the machine of job 0 operation 2 was expected",
        ),
        (
            |t| twin_models::scheduling::parse_taillard_job_shops(t).map(drop),
            "Nb of jobs, Nb of Machines\n100000 100000 1 2 3 4\nTimes\n1 2\n",
            "line 4: the text ends where the time of job 0 operation 2 was expected",
        ),
        (
            |t| twin_models::scheduling::parse_taillard_flow_shops(t).map(drop),
            "header\n100000 100000 1 2 3\nprocessing times :\n1 2\n",
            "line 4: the text ends where the time of job 2 on machine 0 was expected",
        ),
    ];
    for (parse, text, message) in cases {
        let error = parse(text).expect_err("an oversized header");
        assert_eq!(error.to_string(), message, "{text:?}");
    }
    // A flexible job shop is sized by its machine count, which the text does
    // not bound by itself (1 000 000 000 machines exhausted 24 GB).
    assert_eq!(
        parse_flexible_job_shop("1 1000000000\n1 1 1 3\n")
            .expect_err("more machines than numbers")
            .to_string(),
        "line 1: `1000000000`: 1000000000 machines, but the text holds only 4 more numbers"
    );
}
