//! The scheduler benchmark harness: the bundled instance library and its bounds, every rule on
//! the ft, la and ta job shops, and the `linetwin sched` command-line contract.

use std::path::PathBuf;
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};

use scenarios::scheduling::library::{self, Bounds};
use scenarios::scheduling::{InstanceFormat, SchedError, load_instance};
use serde_json::Value;
use twin_models::scheduling::{Dispatcher, Evaluator, Rule, Scheme, ShopKind};

pub(crate) fn linetwin(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_linetwin"))
        .args(args)
        .output()
        .expect("linetwin starts")
}

fn stdout(output: &Output) -> &str {
    std::str::from_utf8(&output.stdout).expect("UTF-8")
}

pub(crate) fn stderr(output: &Output) -> &str {
    std::str::from_utf8(&output.stderr).expect("UTF-8")
}

/// Asserts exit code 2, empty stdout and one stderr line `error: …`; returns the line.
fn one_error_line(output: &Output) -> String {
    assert_eq!(output.status.code(), Some(2), "stderr: {}", stderr(output));
    assert!(output.stdout.is_empty(), "stdout: {}", stdout(output));
    let err = stderr(output);
    assert!(err.starts_with("error: "), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    err.trim_end().to_owned()
}

/// A file in the temporary directory, removed on drop.
struct TempFile(PathBuf);

impl TempFile {
    fn new(name: &str, text: &str) -> Self {
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let path = std::env::temp_dir().join(format!(
            "linetwin-sched-{}-{}-{name}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::write(&path, text).expect("write the temporary file");
        Self(path)
    }

    fn arg(&self) -> &str {
        self.0.to_str().expect("UTF-8 path")
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

#[test]
fn every_bundled_instance_parses_with_its_published_size() {
    // 242 job shops (ft 3, la 40, abz 5, orb 10, swv 20, yn 4, ta 80, dmu 80), 402 flexible
    // (mk 15, Hurink 4 × 66, dpp 18, Chambers–Barnes 21, Kacem 4, Fattahi 20, Behnke 60) and
    // 120 Taillard flow shops: the files of the bundled benchmarks.
    let all = library::all();
    let count = |kind| all.iter().filter(|f| f.kind == kind).count();
    assert_eq!(count(ShopKind::JobShop), 242);
    assert_eq!(count(ShopKind::FlexibleJobShop), 402);
    assert_eq!(count(ShopKind::FlowShop), 120);
    for file in all {
        let instance = file
            .instance()
            .unwrap_or_else(|e| panic!("{}: {e}", file.name));
        assert_eq!(instance.kind(), file.kind, "{}", file.name);
    }
    // Sizes as the benchmark tables give them (jobs x machines).
    for (name, size) in [
        ("ft10", "10 x 10"),
        ("la40", "15 x 15"),
        ("ta01", "15 x 15"),
        ("ta80js", "100 x 20"),
        ("swv20", "50 x 10"),
        ("mk01", "10 x 6"),
        ("la01_edata", "10 x 5"),
        ("dpp01a", "10 x 5"),
        ("ta001", "20 x 5"),
        ("tfs120", "500 x 20"),
    ] {
        let file = library::find(name).unwrap_or_else(|| panic!("{name} is bundled"));
        assert_eq!(file.instance().expect("parses").size(), size, "{name}");
    }
}

#[test]
fn bounds_come_from_the_published_tables() {
    let closed = |v| Bounds {
        lower: Some(v),
        upper: Some(v),
        optimal: true,
    };
    // Optima as published (Fisher & Thompson 1963, Lawrence 1984, Taillard 1993, Brandimarte).
    assert_eq!(library::bounds("ft06"), Some(closed(55)));
    assert_eq!(library::bounds("ft10"), Some(closed(930)));
    assert_eq!(library::bounds("la01"), Some(closed(666)));
    assert_eq!(library::bounds("ta01"), Some(closed(1231)));
    assert_eq!(library::bounds("mk01"), Some(closed(40)));
    // Flow shop: only the best known makespan is given (benchmarks README).
    assert_eq!(
        library::bounds("ta001"),
        Some(Bounds {
            lower: None,
            upper: Some(1278),
            optimal: false
        })
    );
    assert_eq!(library::bounds("tfs002").and_then(|b| b.upper), Some(1359));
    assert_eq!(library::bounds("tfs022"), None);
}

#[test]
fn names_and_ranges_resolve() {
    assert_eq!(library::resolve("la01-la40").expect("resolves").len(), 40);
    let names: Vec<&str> = library::resolve("ta01-ta03,tfs001,mk01")
        .expect("resolves")
        .iter()
        .map(|f| f.name)
        .collect();
    assert_eq!(names, ["ta01js", "ta02js", "ta03js", "tfs001", "mk01"]);
    let err = library::resolve("la39-la41").unwrap_err().to_string();
    assert!(err.starts_with("no bundled instance `la41`"), "{err}");
}

#[test]
fn every_rule_is_feasible_and_never_beats_a_bound_on_ft_la_ta() {
    let rules = Rule::DETERMINISTIC
        .into_iter()
        .chain([1, 2].map(|seed| Rule::Random { seed }));
    let dispatchers: Vec<Dispatcher> = rules
        .flat_map(|r| [Scheme::Active, Scheme::NonDelay].map(|s| Dispatcher::new(r, s)))
        .collect();
    let files = library::resolve("ft06,ft10,ft20,la01-la40,ta01-ta80").expect("bundled");
    assert_eq!(files.len(), 123);
    for file in files {
        let instance = file.instance().expect("parses");
        let bounds = file
            .bounds()
            .expect("bks.json lists every ft, la and ta instance");
        let lower = bounds.lower.expect("a lower bound");
        let mut evaluator = Evaluator::new(&instance);
        for dispatcher in &dispatchers {
            let schedule = dispatcher.build(&instance);
            let makespan = evaluator
                .evaluate(&schedule)
                .unwrap_or_else(|v| panic!("{} {}: {v}", file.name, dispatcher.name()));
            assert!(
                makespan >= lower,
                "{} {} {}: {makespan} below the lower bound {lower}",
                file.name,
                dispatcher.name(),
                dispatcher.scheme
            );
        }
    }
}

#[test]
fn a_malformed_file_gives_one_error_with_line_and_token() {
    let file = TempFile::new("bad.txt", "2 2\n0 3 1 2\n1 4 zero 1\n");
    let err = load_instance(file.arg(), InstanceFormat::JobShop).unwrap_err();
    assert!(matches!(err, SchedError::Parse { .. }));
    assert_eq!(
        err.to_string(),
        format!(
            "{}: line 3: expected the machine of job 1 operation 1, got `zero`",
            file.arg()
        )
    );
}

#[test]
fn taillard_original_files_are_read_by_instance_number() {
    let one = "Nb of jobs, Nb of Machines, Time seed, Machine seed, Upper bound, Lower bound\n\
               2 2 1 2 10 9\nTimes\n3 2\n4 1\nMachines\n1 2\n2 1\n";
    let two = one.replace("3 2\n4 1", "5 5\n5 5");
    let file = TempFile::new("tai.txt", &format!("{one}{two}"));
    let (second, _) = load_instance(&format!("{}#2", file.arg()), InstanceFormat::Auto)
        .expect("the second instance");
    assert_eq!(second.time_on(0, 0), Some(5));
}

#[test]
fn or_library_files_are_read_by_instance_number() {
    let text = " instance first\n 1 1\n 0 5\n instance second\n 1 1\n 0 8\n";
    let file = TempFile::new("jobshop1.txt", text);
    let (second, _) = load_instance(&format!("{}#2", file.arg()), InstanceFormat::OrLibrary)
        .expect("the second instance");
    assert_eq!(second.time_on(0, 0), Some(8));
}

// The CLI.

#[test]
fn bench_json_lists_rows_with_gaps_against_the_optimum() {
    let output = linetwin(&[
        "sched",
        "bench",
        "--instances",
        "ft06,la01-la02",
        "--rules",
        "spt,mwkr",
        "--scheme",
        "both",
        "--json",
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let json: Value = serde_json::from_str(stdout(&output)).expect("JSON");
    let rows = json["results"].as_array().expect("a list");
    assert_eq!(rows.len(), 3 * 2 * 2);
    for row in rows {
        for key in [
            "instance",
            "scheduler",
            "scheme",
            "makespan",
            "best_known",
            "gap_pct",
            "seconds",
        ] {
            assert!(row.get(key).is_some(), "{key} missing in {row}");
        }
        let makespan = row["makespan"].as_f64().expect("a number");
        let best = row["best_known"].as_f64().expect("known");
        let gap = row["gap_pct"].as_f64().expect("a number");
        assert!(
            (gap - 100.0 * (makespan - best) / best).abs() < 0.01,
            "{row}"
        );
    }
    assert_eq!(rows[0]["instance"], "ft06");
    assert_eq!(rows[0]["best_known"], 55);
}

#[test]
fn solve_eval_and_gantt_round_trip() {
    let dir = TempFile::new("s.csv", "");
    let output = linetwin(&[
        "sched",
        "solve",
        "ft06",
        "--rule",
        "lwkr",
        "--out",
        dir.arg(),
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let output = linetwin(&["sched", "eval", "ft06", dir.arg(), "--json"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let json: Value = serde_json::from_str(stdout(&output)).expect("JSON");
    assert_eq!(json["feasible"], true);
    assert!(json["makespan"].as_u64().expect("a makespan") >= 55);
    let svg = TempFile::new("g.svg", "");
    let output = linetwin(&["sched", "gantt", "ft06", dir.arg(), "--svg", svg.arg()]);
    assert!(output.status.success(), "{}", stderr(&output));
    let text = std::fs::read_to_string(&svg.0).expect("written");
    assert!(text.starts_with("<svg"));
    // One bar per operation: 36 on ft06.
    assert_eq!(text.matches("<rect").count(), 36);
}

#[test]
fn eval_names_the_violation_and_exits_2() {
    // ft06 job 0's first operation runs on machine 2 (time 1): starting its second operation
    // (machine 0, time 3) at 0 breaks precedence. The other operations are missing.
    let schedule = TempFile::new(
        "bad.csv",
        "machine,position,job,operation,start\n2,0,0,0,0\n0,0,0,1,0\n",
    );
    let output = linetwin(&["sched", "eval", "ft06", schedule.arg()]);
    let err = one_error_line(&output);
    assert!(
        err.contains(
            "precedence: job 0 operation 1 starts at 0, before operation 0 of the job ends at 1"
        ),
        "{err}"
    );
    // 1 precedence violation and 34 missing operations: five are named, then the count.
    assert!(
        err.contains("job 0 operation 2 is missing from the schedule"),
        "{err}"
    );
    assert!(err.ends_with("; and 30 more"), "{err}");
}

#[test]
fn unknown_instances_and_rules_exit_2() {
    let err = one_error_line(&linetwin(&["sched", "solve", "ft07"]));
    assert!(err.contains("no bundled instance `ft07`"), "{err}");
    let err = one_error_line(&linetwin(&["sched", "solve", "ft06", "--rule", "edd"]));
    assert!(err.contains("unknown rule `edd`"), "{err}");
}

#[test]
fn robust_json_reports_planned_against_realised_with_intervals() {
    let schedule = TempFile::new("ft10-mwkr.csv", "");
    let solved = linetwin(&[
        "sched",
        "solve",
        "ft10",
        "--rule",
        "mwkr",
        "--out",
        schedule.arg(),
    ]);
    assert!(solved.status.success(), "{}", stderr(&solved));
    let planned = Evaluator::new(&load_instance("ft10", InstanceFormat::Auto).expect("ft10").0)
        .evaluate(
            &Dispatcher::new(Rule::Mwkr, Scheme::Active)
                .build(&load_instance("ft10", InstanceFormat::Auto).expect("ft10").0),
        )
        .expect("feasible");
    let run = |extra: &[&str]| -> Value {
        let mut args = vec![
            "sched",
            "robust",
            "ft10",
            "--schedule",
            schedule.arg(),
            "--noise-cv",
            "0.2",
            "--mtbf",
            "500",
            "--mttr",
            "50",
            "--replications",
            "60",
            "--json",
        ];
        args.extend_from_slice(extra);
        let out = linetwin(&args);
        assert!(out.status.success(), "{}", stderr(&out));
        serde_json::from_str(stdout(&out)).expect("JSON")
    };
    let v = run(&["--policy", "keep,redispatch:spt", "--period", "100"]);
    assert_eq!(v["format"], "linetwin.sched-robust/1");
    assert_eq!(v["planned"]["makespan"], planned as f64);
    assert_eq!(v["policy"], "keep");
    let m = &v["realised"]["makespan"];
    for key in ["mean", "ci95", "p50", "p90", "p95"] {
        assert!(m[key].as_f64().is_some(), "realised.makespan.{key}: {m}");
    }
    assert!(m["p50"].as_f64() <= m["p90"].as_f64());
    assert!(m["p90"].as_f64() <= m["p95"].as_f64());
    // Jensen, with breakdowns on top: the realised mean exceeds the plan.
    assert!(m["mean"].as_f64().expect("mean") > planned as f64);
    for key in ["tardiness", "on_time_rate", "flow_time", "makespan_ratio"] {
        assert!(v["realised"][key]["mean"].as_f64().is_some(), "{key}");
    }
    let orders = v["orders"].as_array().expect("orders");
    assert_eq!(orders.len(), 10);
    for o in orders {
        let p = o["on_time"]["probability"].as_f64().expect("probability");
        let ci = o["on_time"]["ci95"].as_array().expect("interval");
        let (low, high) = (ci[0].as_f64().expect("low"), ci[1].as_f64().expect("high"));
        assert!((0.0..=p).contains(&low) && (p..=1.0).contains(&high), "{o}");
    }
    let alt = &v["alternatives"][0];
    assert_eq!(alt["policy"], "redispatch/spt");
    let c = &alt["makespan_vs_first"];
    assert!(
        c["paired_ci95"].as_f64() < c["unpaired_ci95"].as_f64(),
        "{c}"
    );
    // Same seed, same numbers; another seed, others.
    assert_eq!(
        run(&["--policy", "keep,redispatch:spt", "--period", "100"]),
        v
    );
    assert_ne!(run(&["--seed", "2"])["realised"], v["realised"]);
}

#[test]
fn robust_zero_noise_realises_the_plan() {
    let out = linetwin(&[
        "sched",
        "robust",
        "ft06",
        "--scheduler",
        "spt",
        "--noise-cv",
        "0",
        "--replications",
        "3",
        "--json",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let v: Value = serde_json::from_str(stdout(&out)).expect("JSON");
    let planned = v["planned"]["makespan"].as_f64().expect("planned");
    assert_eq!(v["realised"]["makespan"]["mean"].as_f64(), Some(planned));
    assert_eq!(v["realised"]["makespan"]["ci95"].as_f64(), Some(0.0));
    assert_eq!(v["realised"]["on_time_rate"]["mean"].as_f64(), Some(1.0));
    assert_eq!(v["realised"]["tardiness"]["max"].as_f64(), Some(0.0));
}

#[test]
fn robust_bad_settings_exit_2_naming_the_flag() {
    let cases: &[(&[&str], &str)] = &[
        (
            &["--scheduler", "spt", "--policy", "keep,wait"],
            "error: --policy: unknown policy `wait` (known: keep, redispatch[:RULE], \
             reschedule[:RULE])",
        ),
        (
            &["--scheduler", "spt", "--policy", "reschedule"],
            "error: --policy: `reschedule` needs --period, --on-failure or both",
        ),
        (
            &["--scheduler", "spt", "--policy", "redispatch:fastest"],
            "error: --policy: `redispatch:fastest`: unknown dispatching rule `fastest` (known: \
             fifo, lifo, spt, lpt, edd, cr, slack, wspt, atc, atcs, campaign, cyclic, mwkr, \
             lwkr, mopnr, priority)",
        ),
        (
            &["--scheduler", "spt", "--noise-cv", "-1"],
            "error: --noise-cv: must be finite and non-negative, got -1",
        ),
        (
            &[
                "--scheduler",
                "spt",
                "--noise",
                "normal",
                "--noise-cv",
                "0.5",
            ],
            // ft06's first operation takes 1.
            "error: --noise normal --noise-cv 0.5: a normal distribution cannot have mean 1 and \
             cv 0.5: cv must be <= 1/3 (above it, truncation at 0 changes the mean); use gamma \
             or lognormal",
        ),
        (
            &["--scheduler", "spt", "--mtbf", "100"],
            "error: --mtbf: give --mttr with it",
        ),
        (
            &["--scheduler", "spt", "--mtbf", "0", "--mttr", "5"],
            "error: --mtbf: must be positive and finite, got 0",
        ),
        (
            &["--scheduler", "spt", "--replications", "0"],
            "error: --replications: must be from 1 to 10000000, got 0",
        ),
        (
            &["--scheduler", "spt", "--failure-clock", "wall"],
            "error: --failure-clock: unknown clock `wall` (known: busy, calendar, operating)",
        ),
        (
            &[],
            "error: give the schedule to execute: --schedule FILE or --scheduler NAME",
        ),
    ];
    for (extra, expected) in cases {
        let mut args = vec!["sched", "robust", "ft06"];
        args.extend_from_slice(extra);
        assert_eq!(one_error_line(&linetwin(&args)), *expected, "{extra:?}");
    }
}
