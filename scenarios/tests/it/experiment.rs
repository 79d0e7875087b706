//! Experiments: design points, reproducibility across thread counts, common random
//! numbers, confidence-interval coverage, sequential precision and their errors.

use std::sync::atomic::AtomicBool;

use scenarios::Scenario;
use scenarios::experiment::{Experiment, ExperimentOptions, ExperimentResult, Stopping};
use sim_core::Tally;

use crate::library;

/// Three stations in series with one unreliable machine, two factors and a variant.
const BUFFER_STUDY: &str = r#"[scenario]
name = "buffer study"
time_unit = "min"
horizon = 5000
warmup = 500
seed = 3

[[products]]
name = "part"
route = ["A", "B", "C"]

[[sources]]
name = "release"
kind = "saturated"

[[sinks]]
name = "out"

[[buffers]]
name = "AB"
capacity = 1

[[buffers]]
name = "BC"
capacity = 1

[[stations]]
name = "A"
processing = { dist = "exponential", mean = 1.0 }

[[stations]]
name = "B"
input = "AB"
processing = { dist = "exponential", mean = 1.1 }
failures = [{ name = "jam", ttf = { dist = "exponential", mean = 100 }, ttr = { dist = "exponential", mean = 10 } }]

[[stations]]
name = "C"
input = "BC"
processing = { dist = "exponential", mean = 1.0 }

[experiment]
replications = 12

[[experiment.factors]]
parameter = "buffers.AB.capacity"
values = [1, 5]

[[experiment.factors]]
parameter = "stations.B.servers"
values = [1, 2]

[[experiment.variants]]
name = "quick-repair"
set = { "stations.B.failures.jam.ttr.mean" = 5.0 }
"#;

fn experiment(text: &str, options: &ExperimentOptions) -> Experiment {
    let scenario = Scenario::from_toml(text, "study.toml").expect("valid scenario");
    Experiment::new(&scenario, options).expect("valid experiment")
}

fn run(experiment: &Experiment) -> ExperimentResult {
    experiment
        .run(&|_, _| {}, &AtomicBool::new(false))
        .expect("runs")
}

fn error(text: &str) -> String {
    let scenario = Scenario::from_toml(text, "study.toml").expect("valid scenario");
    Experiment::new(&scenario, &ExperimentOptions::default())
        .expect_err("invalid experiment")
        .to_string()
}

#[test]
fn design_points_are_variants_crossed_with_the_factor_grid() {
    let e = experiment(BUFFER_STUDY, &ExperimentOptions::default());
    let labels: Vec<&str> = e.design_points.iter().map(|p| p.label.as_str()).collect();
    assert_eq!(
        labels,
        [
            "base: buffers.AB.capacity=1, stations.B.servers=1",
            "base: buffers.AB.capacity=1, stations.B.servers=2",
            "base: buffers.AB.capacity=5, stations.B.servers=1",
            "base: buffers.AB.capacity=5, stations.B.servers=2",
            "quick-repair: buffers.AB.capacity=1, stations.B.servers=1",
            "quick-repair: buffers.AB.capacity=1, stations.B.servers=2",
            "quick-repair: buffers.AB.capacity=5, stations.B.servers=1",
            "quick-repair: buffers.AB.capacity=5, stations.B.servers=2",
        ]
    );
    // The factor values reach the model.
    let last = &e.design_points[7].scenario.line();
    assert_eq!(last.buffers[0].capacity, Some(5));
    assert_eq!(last.stations[1].servers, 2);
    assert_eq!(last.stations[1].failures[0].ttr.mean(), 5.0);
    assert_eq!(
        e.design_points[0].scenario.line().stations[1].failures[0]
            .ttr
            .mean(),
        10.0
    );
    assert_eq!(e.replications, 12);
}

#[test]
fn a_file_without_experiment_is_one_design_point() {
    let scenario = Scenario::from_path(library("serial_line.toml")).unwrap();
    let e = Experiment::new(
        &scenario,
        &ExperimentOptions {
            replications: Some(3),
            seed: None,
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(e.design_points.len(), 1);
    assert_eq!(e.design_points[0].label, "base");
    assert_eq!((e.replications, e.seed), (3, 1));
}

/// Each replication of the experiment is the single run with the same (seed, index).
#[test]
fn replication_i_is_the_run_with_seed_and_index_i() {
    let e = experiment(
        BUFFER_STUDY,
        &ExperimentOptions {
            replications: Some(4),
            seed: Some(11),
            ..Default::default()
        },
    );
    let result = run(&e);
    let mut expected = Tally::new();
    for i in 0..4 {
        expected.add(e.run_one(2, i).unwrap().line.throughput);
    }
    let got = result.points[2].kpi("line.throughput").unwrap();
    assert_eq!(got.mean, expected.mean());
    assert_eq!(got.n, 4);
    assert_eq!(got.half_width, expected.ci95().half_width);
}

#[test]
fn results_do_not_depend_on_the_thread_count() {
    let e = experiment(
        BUFFER_STUDY,
        &ExperimentOptions {
            replications: Some(40),
            seed: None,
            ..Default::default()
        },
    );
    let with_threads = |n| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .build()
            .unwrap()
            .install(|| run(&e).to_json())
    };
    let one = with_threads(1);
    assert_eq!(one, with_threads(2));
    assert_eq!(one, with_threads(3));
}

/// Common random numbers: the paired difference of two design points that differ
/// in one repair time is far more precise than the difference of independent runs.
#[test]
fn common_random_numbers_narrow_the_paired_interval() {
    let options = ExperimentOptions {
        replications: Some(30),
        seed: Some(5),
        ..Default::default()
    };
    let e = experiment(BUFFER_STUDY, &options);
    let result = run(&e);
    // Point 4 is point 0 with quicker repairs.
    let paired = result.compare(0, 4, "line.throughput").unwrap();
    // The same two points with independent streams: point 4 from another seed.
    let other = run(&experiment(
        BUFFER_STUDY,
        &ExperimentOptions {
            seed: Some(6),
            ..options
        },
    ));
    let (a, b) = (
        result.points[0].kpi("line.throughput").unwrap(),
        other.points[4].kpi("line.throughput").unwrap(),
    );
    // Half-widths of the two means combine as independent: sqrt(ha² + hb²) (same n).
    let independent = (a.half_width.powi(2) + b.half_width.powi(2)).sqrt();
    assert!(
        paired.mean > 0.0,
        "quicker repairs raise throughput: {paired:?}"
    );
    assert!(
        paired.half_width < 0.5 * independent,
        "paired ±{} vs independent ±{independent}",
        paired.half_width
    );
    // compare(b, a) is the negation.
    assert_eq!(
        result.compare(4, 0, "line.throughput").unwrap().mean,
        -paired.mean
    );
}

/// An M/M/1 queue with λ = 0.5, μ = 1: mean time in system W = 1/(μ − λ) = 2.
const MM1: &str = r#"[scenario]
name = "M/M/1"
time_unit = "min"
horizon = 1200
warmup = 200

[[products]]
name = "job"
route = ["server"]

[[sources]]
name = "arrivals"
kind = "arrivals"
interarrival = { dist = "exponential", mean = 2.0 }

[[sinks]]
name = "out"

[[stations]]
name = "server"
processing = { dist = "exponential", mean = 1.0 }
"#;

/// Over many independent experiments, the 95% CI of the mean time in system covers
/// the analytic W in about 95% of them.
///
/// 300 experiments of 10 replications: if the true coverage is 95%, the observed
/// fraction has sd sqrt(0.95 · 0.05 / 300) = 1.26%, so [90%, 99%] is about ±4 sd
/// (the warm-up of 200 is ~50 relaxation times of this queue; the bias of a
/// replication's mean from the finite horizon is well under its sd).
#[test]
fn ci_coverage_of_mm1_time_in_system() {
    let analytic = 1.0 / (1.0 - 0.5);
    let experiments = 300;
    let covered = (0..experiments)
        .filter(|&k| {
            let e = experiment(
                MM1,
                &ExperimentOptions {
                    replications: Some(10),
                    seed: Some(1000 + k),
                    ..Default::default()
                },
            );
            run(&e).points[0]
                .kpi("line.lead_time.mean")
                .unwrap()
                .contains(analytic)
        })
        .count();
    let coverage = covered as f64 / experiments as f64;
    assert!((0.90..=0.99).contains(&coverage), "coverage {coverage}");
}

#[test]
fn precision_rule_stops_when_the_target_is_reached() {
    let text = MM1.to_owned()
        + "\n[experiment]\nprecision = { kpi = \"line.throughput\", relative_half_width = 0.02, max_replications = 1000 }\n";
    let result = run(&experiment(&text, &ExperimentOptions::default()));
    assert_eq!(result.stopping, Stopping::PrecisionReached);
    assert!(result.replications < 1000);
    assert_eq!(result.replications % 32, 0, "stops at a chunk boundary");
    let ci = result.points[0].kpi("line.throughput").unwrap();
    assert!(ci.half_width <= 0.02 * ci.mean);
}

#[test]
fn precision_rule_reports_when_the_maximum_comes_first() {
    let text = MM1.to_owned()
        + "\n[experiment]\nprecision = { kpi = \"line.throughput\", relative_half_width = 0.0001, max_replications = 40 }\n";
    let result = run(&experiment(&text, &ExperimentOptions::default()));
    assert_eq!(result.stopping, Stopping::MaxReplications);
    assert_eq!(result.replications, 40);
    assert!(result.to_json().contains("\"reached\": false"));
}

#[test]
fn json_reports_mean_sd_ci95_and_n_for_every_kpi() {
    let e = experiment(
        BUFFER_STUDY,
        &ExperimentOptions {
            replications: Some(5),
            seed: None,
            ..Default::default()
        },
    );
    let json: serde_json::Value = serde_json::from_str(&run(&e).to_json()).unwrap();
    assert_eq!(json["schema"], "linetwin.kpi/2");
    let points = json["design_points"].as_array().unwrap();
    assert_eq!(points.len(), 8);
    assert_eq!(points[3]["factors"]["buffers.AB.capacity"], 5);
    for kpi in [
        &points[0]["kpis"]["line"]["throughput"],
        &points[0]["kpis"]["line"]["lead_time"]["p95"],
        &points[0]["kpis"]["stations"]["B"]["states"]["down"],
    ] {
        for field in ["mean", "sd", "ci95"] {
            assert!(kpi[field].is_f64(), "{kpi}");
        }
        assert_eq!(kpi["n"], 5);
    }
    let counts: u64 = points[0]["kpis"]["bottleneck"]
        .as_object()
        .unwrap()
        .values()
        .map(|v| v.as_u64().unwrap())
        .sum();
    assert_eq!(counts, 5);
    assert_eq!(json["comparisons"].as_array().unwrap().len(), 7);
}

#[test]
fn experiment_errors_name_the_field_and_value() {
    let with = |section: &str| MM1.to_owned() + "\n" + section;
    assert_eq!(
        error(&with("[experiment]\nreplications = 0\n")),
        "study.toml:24: experiment.replications: must be an integer from 1 to 1000000000, got 0"
    );
    assert_eq!(
        error(&with(
            "[[experiment.factors]]\nparameter = \"stations.srv.servers\"\nvalues = [1, 2]\n"
        )),
        "study.toml: experiment.factors[0].parameter: `stations.srv.servers`: there is no `srv` in `stations`"
    );
    assert_eq!(
        error(&with(
            "[[experiment.factors]]\nparameter = \"stations.server.servers\"\nvalues = [1, 0]\n"
        )),
        "study.toml: experiment.factors: design point `base: stations.server.servers=0` is invalid: \
         stations[0].servers: must be an integer from 1 to 100000, got 0"
    );
    assert_eq!(
        error(&with(
            "[[experiment.factors]]\nparameter = \"stations.server.servers\"\nvalues = []\n"
        )),
        "study.toml: experiment.factors[0].values: must list at least one value"
    );
    assert_eq!(
        error(&with(
            "[experiment]\nprecision = { kpi = \"line.speed\", relative_half_width = 0.1, max_replications = 10 }\n"
        )),
        "study.toml: experiment.precision.kpi: `line.speed` is not a numeric KPI (e.g. `line.throughput`, `stations.<name>.utilization`)"
    );
    assert_eq!(
        error(&with(
            "[[experiment.variants]]\nname = \"base\"\nset = { \"stations.server.servers\" = 2 }\n"
        )),
        "study.toml: experiment.variants[0].name: `base` is used twice"
    );
}

/// `run` with the experiment's seed, horizon and warm-up and a replication
/// index gives exactly that replication of the experiment's first design point.
#[test]
fn a_run_replays_an_experiment_replication() {
    let scenario = Scenario::from_path(library("serial_line.toml")).unwrap();
    let options = ExperimentOptions {
        replications: Some(3),
        seed: Some(9),
        horizon: Some(2_000.0),
        warmup: Some(100.0),
        ..Default::default()
    };
    let e = Experiment::new(&scenario, &options).unwrap();
    for replication in 0..3 {
        let replay = scenario
            .run(&scenarios::Overrides {
                seed: Some(9),
                horizon: Some(2_000.0),
                warmup: Some(100.0),
                replication: Some(replication),
            })
            .unwrap();
        assert_eq!(replay, e.run_one(0, replication).unwrap());
    }
    let first = e.run_one(0, 0).unwrap();
    assert_ne!(first, e.run_one(0, 1).unwrap(), "replications differ");
}

#[test]
fn a_result_restored_from_its_state_is_the_same_result() {
    let options = ExperimentOptions {
        replications: Some(6),
        seed: Some(5),
        ..Default::default()
    };
    let result = run(&experiment(BUFFER_STUDY, &options));
    let again = ExperimentResult::from_state(&result.to_state()).expect("restores");
    assert_eq!(again.to_json(), result.to_json());
    assert_eq!(again.to_table(), result.to_table());
    for b in 1..result.points.len() {
        assert_eq!(
            again.compare(0, b, "line.throughput"),
            result.compare(0, b, "line.throughput")
        );
    }
    let message = ExperimentResult::from_state("{}").expect_err("not a state");
    assert!(
        message.starts_with("not an experiment result's state: missing field `name`"),
        "{message}"
    );
}
