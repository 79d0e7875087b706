//! Improvement reports (`linetwin assess`): the arithmetic on deterministic lines
//! whose answers are known by hand, the delta-method CI of a relative change
//! against the replications themselves, and the errors.

use std::sync::atomic::AtomicBool;

use scenarios::Scenario;
use scenarios::assess::{Assessment, Improved, Indicator};
use scenarios::experiment::ExperimentOptions;
use sim_core::student_t_quantile;

use crate::cli::run as linetwin;
use crate::library;

/// A saturated source, `A` (1 min, 4 kW busy, 1 kW idle) into a one-place
/// buffer before the bottleneck `B` (2 min, 10 kW busy); 100 hours observed,
/// between completions (they fall on whole minutes).
const TWO_STATIONS: &str = r#"[scenario]
name = "deterministic pair"
time_unit = "min"
horizon = 6060.5
warmup = 60.5

[[products]]
name = "p"
route = ["A", "B"]

[[sources]]
name = "src"
kind = "saturated"

[[sinks]]
name = "out"

[[buffers]]
name = "between"
capacity = 1

[[stations]]
name = "A"
processing = { dist = "constant", value = 1 }
power = { busy = 4, idle = 1 }

[[stations]]
name = "B"
input = "between"
processing = { dist = "constant", value = 2 }
power = { busy = 10 }
"#;

fn assess(baseline: &str, improved: Improved<'_>) -> Assessment {
    let baseline = Scenario::from_toml(baseline, "baseline.toml").unwrap();
    Assessment::run(
        &baseline,
        improved,
        &ExperimentOptions {
            replications: Some(3),
            ..Default::default()
        },
        &|_, _| {},
        &AtomicBool::new(false),
    )
    .unwrap()
}

fn indicator<'a>(report: &'a Assessment, id: &str) -> &'a Indicator {
    report
        .indicators
        .iter()
        .find(|i| i.id == id)
        .unwrap_or_else(|| panic!("no indicator `{id}`"))
}

fn close(actual: f64, expected: f64, what: &str) {
    assert!(
        (actual - expected).abs() < 1e-9 * expected.abs().max(1.0),
        "{what}: {actual} != {expected}"
    );
}

#[test]
fn doubling_the_bottlenecks_speed_doubles_productivity() {
    let faster = TWO_STATIONS.replace(
        "processing = { dist = \"constant\", value = 2 }",
        "processing = { dist = \"constant\", value = 1 }",
    );
    let improved = Scenario::from_toml(&faster, "improved.toml").unwrap();
    let report = assess(TWO_STATIONS, Improved::Scenario(&improved));
    assert_eq!(report.replications, 3);
    // 30 parts an hour through B at 2 min, 60 at 1 min: +100%, exactly, and
    // every replication alike (deterministic), so the CI is 0.
    let productivity = indicator(&report, "productivity");
    close(productivity.baseline.mean, 30.0, "baseline parts per hour");
    close(productivity.improved.mean, 60.0, "improved parts per hour");
    close(productivity.relative.mean, 1.0, "+100%");
    close(productivity.relative.ci95, 0.0, "no spread");
    assert_eq!(productivity.verdict, "better");
    // Energy per hour: baseline A busy half the time (4 × 0.5 + 1 × 0.5) and B
    // always (10): 12.5 kWh for 30 parts; improved both always busy: 14 kWh
    // for 60 parts.
    let energy = indicator(&report, "energy_per_good_part");
    close(energy.baseline.mean, 12.5 / 30.0, "baseline kWh per part");
    close(energy.improved.mean, 14.0 / 60.0, "improved kWh per part");
    close(
        energy.relative.mean,
        (14.0 / 60.0) / (12.5 / 30.0) - 1.0,
        "relative",
    );
    assert_eq!(energy.verdict, "better", "less energy per part is better");
    // The line's OEE is the bottleneck's: busy all the time in both, at its
    // own planned time, so no change (a difference of exactly 0).
    let oee = indicator(&report, "oee");
    close(oee.difference.mean, 0.0, "OEE points");
    assert_eq!(oee.verdict, "no significant change");
    // No orders, so no on-time delivery.
    assert!(report.indicators.iter().all(|i| i.id != "on_time_delivery"));
}

#[test]
fn halving_the_setup_of_a_deterministic_campaign() {
    // One machine, families alternating a, b: every part needs a 2-min setup
    // and 1 min of work (3 min a part, 20 an hour). Halved: 2 min, 30 an hour.
    let text = r#"[scenario]
name = "alternating"
time_unit = "min"
horizon = 6060
warmup = 60

[[products]]
name = "a"
route = ["M"]
[[products]]
name = "b"
route = ["M"]

[[sources]]
name = "src"
kind = "saturated"
sequence = ["a", "b"]

[[sinks]]
name = "out"

[[stations]]
name = "M"
processing = { dist = "constant", value = 1 }
setup = { default = { dist = "constant", value = 2 } }

[[experiment.variants]]
name = "smed"
set = { "stations.M.setup.default" = { dist = "constant", value = 1 } }
"#;
    let report = assess(text, Improved::Variant("smed"));
    let productivity = indicator(&report, "productivity");
    close(productivity.baseline.mean, 20.0, "baseline parts per hour");
    close(productivity.improved.mean, 30.0, "improved parts per hour");
    close(productivity.relative.mean, 0.5, "+50%");
    // OEE = availability (busy share: 1/3, then 1/2) × effectiveness (1) ×
    // quality (1): +16.7 percentage points.
    let oee = indicator(&report, "oee");
    close(oee.baseline.mean, 1.0 / 3.0, "baseline OEE");
    close(oee.improved.mean, 0.5, "improved OEE");
    close(oee.difference.mean, 0.5 - 1.0 / 3.0, "OEE points");
    assert_eq!(oee.verdict, "better");
    assert_eq!(report.improved, "smed");
}

#[test]
fn the_relative_changes_ci_is_the_delta_method_on_the_replications() {
    // Second method: the replications themselves, from the experiment's runs.
    let baseline = Scenario::from_path(library("mixed_model_line.toml")).unwrap();
    let options = ExperimentOptions {
        replications: Some(12),
        ..Default::default()
    };
    let experiment =
        Assessment::experiment(&baseline, Improved::Variant("smed"), &options).unwrap();
    let result = experiment.run(&|_, _| {}, &AtomicBool::new(false)).unwrap();
    let report = Assessment::from_result(&experiment, &result, "base", "smed");
    let lead = indicator(&report, "lead_time");
    let (x, y): (Vec<f64>, Vec<f64>) = (0..12)
        .map(|r| {
            let a = experiment.run_one(0, r).unwrap().line.lead_time.mean;
            let b = experiment.run_one(1, r).unwrap().line.lead_time.mean;
            (a, b)
        })
        .unzip();
    let n = x.len() as f64;
    let (mx, my) = (x.iter().sum::<f64>() / n, y.iter().sum::<f64>() / n);
    let ratio = my / mx;
    let z: Vec<f64> = x.iter().zip(&y).map(|(a, b)| b - ratio * a).collect();
    let mz = z.iter().sum::<f64>() / n;
    let var_z = z.iter().map(|v| (v - mz).powi(2)).sum::<f64>() / (n - 1.0);
    let half = student_t_quantile(0.975, n - 1.0) * (var_z / n).sqrt() / mx;
    assert!((lead.relative.mean - (ratio - 1.0)).abs() < 1e-12);
    assert!(
        (lead.relative.ci95 - half).abs() < 1e-9 * half,
        "{} vs {half}",
        lead.relative.ci95
    );
    assert!(lead.relative.mean < 0.0 && lead.verdict == "better");
}

#[test]
fn assess_prints_every_form_and_refuses_what_it_cannot_compare() {
    let file = library("mixed_model_line.toml");
    let file = file.to_str().unwrap();
    let args = |form: &'static str| {
        let mut a = vec!["assess", file, "--variant", "smed", "--replications", "3"];
        if !form.is_empty() {
            a.push(form);
        }
        a
    };
    let json: serde_json::Value =
        serde_json::from_slice(&linetwin(&args("--json")).stdout).unwrap();
    assert_eq!(json["schema"], "linetwin.assess/1");
    assert_eq!(json["replications"], 3);
    let csv = String::from_utf8(linetwin(&args("--csv")).stdout).unwrap();
    assert!(csv.starts_with("indicator,kpi,unit,better,baseline,baseline_ci95,"));
    assert!(csv.contains("\nproductivity,line.throughput_per_hour,parts per hour,higher,"));
    let mut zh = args("--md");
    zh.extend(["--lang", "zh"]);
    let md = String::from_utf8(linetwin(&zh).stdout).unwrap();
    assert!(
        md.contains("| 指标 | KPI | 基线 | 改进后 | 变化 | 结论 |"),
        "{md}"
    );
    assert!(
        md.contains("| 小时产出 | `line.throughput_per_hour` |"),
        "{md}"
    );
    let table = String::from_utf8(linetwin(&args("")).stdout).unwrap();
    assert!(
        table.starts_with("smed against Mixed-model body line"),
        "{table}"
    );

    let unknown = linetwin(&["assess", file, "--variant", "nope"]);
    assert_eq!(unknown.status.code(), Some(2));
    let stderr = String::from_utf8(unknown.stderr).unwrap();
    assert!(
        stderr.contains(
            "experiment.variants: has no variant `nope` (known: `campaign`, `atcs`, `edd`, `smed`)"
        ),
        "{stderr}"
    );
    let dir = std::env::temp_dir().join(format!("linetwin-assess-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let hours = dir.join("hours.toml");
    std::fs::write(
        &hours,
        crate::MINIMAL.replace("time_unit = \"min\"", "time_unit = \"h\""),
    )
    .unwrap();
    let minutes = dir.join("minutes.toml");
    std::fs::write(&minutes, crate::MINIMAL).unwrap();
    let mixed = linetwin(&["assess", minutes.to_str().unwrap(), hours.to_str().unwrap()]);
    assert_eq!(mixed.status.code(), Some(2));
    let stderr = String::from_utf8(mixed.stderr).unwrap();
    assert!(
        stderr.contains(
            "scenario.time_unit: is `h` but the baseline's is `min`: both scenarios must use one unit"
        ),
        "{stderr}"
    );
    assert!(mixed.stdout.is_empty());
    let neither = linetwin(&["assess", minutes.to_str().unwrap()]);
    assert_eq!(neither.status.code(), Some(2));
    std::fs::remove_dir_all(&dir).unwrap();
}
