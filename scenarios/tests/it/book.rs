//! `linetwin sched robust SCENARIO.toml`: a line's order book planned, saved,
//! read back and executed; bad plans and flags named.

use scenarios::Scenario;
use scenarios::scheduling::book::{BookPlan, read_plan, write_plan};
use serde_json::Value;
use twin_models::PlannedOp;

use crate::scheduling::{linetwin, stderr};

const LINE: &str = "../scenarios/library/mixed_model_line.toml";

fn temp(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("linetwin-book-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temporary directory");
    dir.join(name)
}

#[test]
fn a_recorded_plan_saved_and_read_back_gives_the_same_experiment() {
    let saved = temp("campaign.csv");
    let common = [
        "sched",
        "robust",
        LINE,
        "--policy",
        "keep,redispatch:fifo",
        "--replications",
        "6",
        "--json",
    ];
    let mut args = common.to_vec();
    args.extend([
        "--scheduler",
        "campaign",
        "--save-plan",
        saved.to_str().unwrap(),
    ]);
    let recorded = linetwin(&args);
    assert!(recorded.status.success(), "{}", stderr(&recorded));
    let mut args = common.to_vec();
    args.extend(["--schedule", saved.to_str().unwrap()]);
    let replayed = linetwin(&args);
    assert!(replayed.status.success(), "{}", stderr(&replayed));
    let a: Value = serde_json::from_slice(&recorded.stdout).expect("JSON");
    let b: Value = serde_json::from_slice(&replayed.stdout).expect("JSON");
    assert_eq!(a["format"], "linetwin.sched-robust/1");
    assert_eq!(a["plan"]["stations"], serde_json::json!(["press"]));
    assert_eq!(
        a["plan"]["origin"],
        "recorded under campaign at nominal times"
    );
    assert_eq!(a["dues"], "orders");
    assert_eq!(a["disturbances"]["source"], "scenario");
    // The scenario's own seed.
    assert_eq!(a["seed"], 32);
    for key in ["planned", "realised", "orders", "alternatives", "best"] {
        assert_eq!(a[key], b[key], "{key}");
    }
    // 90 orders, each with its own due date from the order book.
    let orders = a["orders"].as_array().expect("orders");
    assert_eq!(orders.len(), 90);
    assert_eq!(orders[0]["id"], "SO-1001");
    assert_eq!(orders[0]["due"], 644.0);
    // Keeping the campaign plan beats first in, first out at the press: the
    // scenario's point (FIFO changes dies for most orders).
    let keep = a["realised"]["makespan"]["mean"].as_f64().expect("mean");
    let fifo = &a["alternatives"][0];
    assert_eq!(fifo["policy"], "redispatch/fifo");
    let diff = &fifo["makespan_vs_first"];
    let (d, half) = (
        diff["mean_difference"].as_f64().expect("difference"),
        diff["paired_ci95"].as_f64().expect("interval"),
    );
    assert!(d - half > 0.0, "fifo {d} ± {half} against keep {keep}");
}

#[test]
fn plan_files_round_trip_and_bad_rows_are_named() {
    let scenario = Scenario::from_path(LINE).expect("the bundled line");
    let line = scenario.line();
    let press = line
        .stations
        .iter()
        .position(|s| s.name == "press")
        .expect("a press");
    let mut sequences = vec![None; line.stations.len()];
    sequences[press] = Some(
        [3, 0, 2]
            .iter()
            .map(|&order| PlannedOp { order, step: 0 })
            .collect(),
    );
    let plan = BookPlan {
        sequences,
        origin: "file plan.csv".into(),
    };
    let text = write_plan(line, &plan);
    assert_eq!(
        text,
        "station,order,step\npress,SO-1004,0\npress,SO-1001,0\npress,SO-1003,0\n"
    );
    assert_eq!(read_plan(line, "plan.csv", &text).ok(), Some(plan.clone()));
    // The step may be left out where the order visits the station once.
    let short = "station , order\npress, SO-1004\npress,SO-1001\npress,SO-1003\n";
    assert_eq!(read_plan(line, "plan.csv", short).ok(), Some(plan));
    let error = |text: &str| read_plan(line, "plan.csv", text).unwrap_err().to_string();
    assert_eq!(
        error("station,order\npress,SO-1004\nstamping,SO-1001\n"),
        "plan.csv:3: station: unknown station `stamping` (stations: press, body-1, body-2, \
         paint, assembly)"
    );
    assert_eq!(
        error("station,order\npress,SO-9999\n"),
        "plan.csv:2: order: unknown order `SO-9999`"
    );
    assert_eq!(
        error("station,order,step\npress,SO-1004,2\n"),
        "plan.csv:2: step: order `SO-1004` does not visit station `press` at step 2"
    );
    assert_eq!(
        error("station,order,step\npress,SO-1004,two\n"),
        "plan.csv:2: step: `two` is not a step number"
    );
    assert_eq!(
        error("machine,job\npress,SO-1004\n"),
        "plan.csv:1: the header must name the columns station and order (and optionally \
         step), got `machine,job`"
    );
}

#[test]
fn order_book_experiments_name_what_does_not_apply() {
    let refused = |extra: &[&str], message: &str| {
        let mut args = vec!["sched", "robust", LINE, "--replications", "2"];
        args.extend(extra);
        let out = linetwin(&args);
        assert_eq!(out.status.code(), Some(2), "{extra:?}: {}", stderr(&out));
        assert_eq!(stderr(&out), format!("error: {message}\n"), "{extra:?}");
    };
    refused(
        &["--noise-cv", "0.3"],
        "--noise-cv: a scenario's disturbances are its own distributions, failures and \
         scrap; --noise-cv applies to an instance's twin",
    );
    refused(
        &["--mtbf", "100", "--mttr", "5"],
        "--mtbf: a scenario's disturbances are its own distributions, failures and scrap; \
         --mtbf applies to an instance's twin",
    );
    refused(
        &["--planned", "body-1"],
        "plan: sequences: order `SO-1001` step 1 may go to station `body-1`, which keeps the \
         plan, or to `body-2`, which does not: plan every station of a step or none",
    );
    refused(
        &["--planned", "welder"],
        "--planned: line `Mixed-model body line` has no station `welder` (stations: press, \
         body-1, body-2, paint, assembly)",
    );
    refused(
        &["--scheduler", "fastest"],
        "--scheduler: unknown dispatching rule `fastest` (known: fifo, lifo, spt, lpt, edd, cr, slack, \
         wspt, atc, atcs, campaign, cyclic, mwkr, lwkr, mopnr, priority)",
    );
    refused(
        &["--policy", "keep,reschedule", "--period", "100"],
        "policies: `reschedule/mwkr every 100`: rescheduling applies to a scheduling \
         instance's twin, not to a line's order book; keep the plan or re-dispatch",
    );
    let plan = temp("bad.csv");
    std::fs::write(&plan, "station,order\npress,SO-1004\n").expect("written");
    refused(
        &["--schedule", plan.to_str().unwrap()],
        "plan: sequences: order `SO-1001` step 0 is not planned at any station",
    );
    refused(
        &["--schedule", plan.to_str().unwrap(), "--planned", "press"],
        "--planned: a plan file names its stations itself",
    );
    // A device is not a plan file: refused before reading a byte.
    let out = linetwin(&["sched", "robust", LINE, "--schedule", "/dev/zero"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stderr(&out),
        "error: /dev/zero: not a regular file (a directory, device or pipe); a plan file must \
         be one\n"
    );
    let out = linetwin(&[
        "sched",
        "robust",
        "ft06",
        "--scheduler",
        "spt",
        "--planned",
        "m0",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out),
        "error: --planned and --save-plan apply to a scenario's order book; an instance's \
         schedule plans every machine (write it with `sched solve`)\n"
    );
}
