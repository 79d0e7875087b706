//! Criterion bench: simulated station-operations per second on the reference
//! serial line (scenarios/library/serial_line.toml), single-threaded.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use scenarios::{Overrides, Scenario};

fn serial_line(c: &mut Criterion) {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/scenarios/library/serial_line.toml"
    );
    let scenario = Scenario::from_path(path).expect("the bundled scenario is valid");
    let overrides = Overrides {
        horizon: Some(10_000.0),
        ..Overrides::default()
    };
    // Station operations of one run: the same every run (same seed).
    let operations: u64 = scenario
        .run(&overrides)
        .expect("runs")
        .stations
        .values()
        .map(|s| s.operations)
        .sum();
    let mut group = c.benchmark_group("serial_line");
    group.throughput(Throughput::Elements(operations));
    group.bench_function("station_operations_horizon_10000", |b| {
        b.iter(|| scenario.run(&overrides).expect("runs"))
    });
    group.finish();
}

criterion_group!(benches, serial_line);
criterion_main!(benches);
