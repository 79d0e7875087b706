//! Criterion bench: the cost per station operation of the ten-station serial
//! line (scenarios/library/serial_line.toml) with its failure modes, and of the
//! same line whose stations wear instead: a four-state health chain on busy
//! time, a vibration sensor read every 10 min, condition-based work at a
//! threshold and two fitters shared by the ten stations. The difference is
//! what degradation, readings, policy decisions and the crew cost.

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use scenarios::{Overrides, Scenario};
use std::time::Duration;

const SERIAL_LINE: &str = include_str!("../scenarios/library/serial_line.toml");

/// The wear mode that replaces each station's failure mode: mean life about
/// 500 busy min, as the failure mode's.
const WEAR: &str = r#"
[[stations.wear]]
name = "spindle"
model = { kind = "chain", clock = "busy", states = ["new", "worn", "very-worn", "failed"], transitions = [
  { from = "new", to = "worn", rate = 0.005 },
  { from = "worn", to = "very-worn", rate = 0.01 },
  { from = "very-worn", to = "failed", rate = 0.01 },
] }
signal = { levels = [1.0, 2.5, 5.5, 9.0], noise = 0.8, every = 10 }
policy = { kind = "condition", threshold = 4.5 }
repair = { duration = { dist = "exponential", mean = 20 }, cost = 2000 }
preventive = { duration = { dist = "exponential", mean = 5 }, cost = 400 }
crew = "fitters"
"#;

/// The serial line with wear modes and a crew in place of its failure modes.
fn wearing_line() -> String {
    let mut text = String::new();
    for line in SERIAL_LINE.lines() {
        if line.starts_with("failures = ") {
            text.push_str(WEAR);
        } else {
            text.push_str(line);
            text.push('\n');
        }
    }
    text.push_str(
        "\n[[crews]]\nname = \"fitters\"\ntechnicians = 2\n\
         response = { dist = \"exponential\", mean = 5 }\n",
    );
    text
}

fn maintenance(c: &mut Criterion) {
    let mut group = c.benchmark_group("maintenance");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4));
    let overrides = Overrides {
        horizon: Some(20_000.0),
        ..Overrides::default()
    };
    for (name, text) in [
        ("failure_modes", SERIAL_LINE.to_owned()),
        ("wear_and_crew", wearing_line()),
    ] {
        let scenario = Scenario::from_toml(&text, name).expect("the bench scenario is valid");
        let kpis = scenario.run(&overrides).expect("runs");
        let operations: u64 = kpis.stations.values().map(|s| s.operations).sum();
        group.throughput(Throughput::Elements(operations));
        group.bench_with_input(BenchmarkId::from_parameter(name), &scenario, |b, s| {
            b.iter(|| s.run(&overrides).expect("runs"))
        });
    }
    group.finish();
}

criterion_group!(benches, maintenance);
criterion_main!(benches);
