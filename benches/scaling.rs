//! Criterion bench: the cost per station operation of four shapes of line, each
//! at a small and a large size, so that a cost that grows with the size of the
//! line (a super-linear corner) shows as a regression:
//!
//! - `many_servers`: one station with 1 or 1 000 parallel servers at 95% load
//!   (finding an idle server);
//! - `blocked_upstream`: 10 or 1 000 upstream servers blocked on one buffer
//!   shared by two stations (letting the blocked servers in);
//! - `shared_queue`: a buffer shared by two stations, one of them overloaded,
//!   so that its queue grows through the run, over a short and a long horizon
//!   (finding the first part the other station may take);
//! - `long_line`: a serial line of 10 or 1 000 stations.

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use scenarios::{Overrides, Scenario};
use std::fmt::Write;
use std::time::Duration;

/// The `[scenario]` table of a bench line.
fn header(name: &str, horizon: u32) -> String {
    format!("[scenario]\nname = \"{name}\"\ntime_unit = \"min\"\nhorizon = {horizon}\nseed = 7\n")
}

/// One station with `servers` parallel servers (processing mean `servers`, so
/// that the station does one part per time unit at any size) at 95% load; a
/// `lose` source keeps the run stable.
fn many_servers(servers: u32) -> String {
    let body = format!(
        r#"
[[products]]
name = "part"
route = ["cell"]

[[sources]]
name = "arrivals"
kind = "arrivals"
interarrival = {{ dist = "exponential", mean = 1.0526 }}
when_full = "lose"

[[sinks]]
name = "out"

[[buffers]]
name = "queue"
capacity = 10

[[stations]]
name = "cell"
input = "queue"
servers = {servers}
processing = {{ dist = "exponential", mean = {servers} }}
"#
    );
    header("many servers", 20_000) + &body
}

/// A saturated upstream station of `servers` servers (twice the capacity of
/// what follows) makes parts of two products for a buffer of 5 shared by two
/// stations, one per product: most upstream servers are blocked, waiting for
/// that buffer.
fn blocked_upstream(servers: u32) -> String {
    let mean = f64::from(servers) * 0.5;
    let body = format!(
        r#"
[[products]]
name = "A"
route = ["feed", "X"]

[[products]]
name = "B"
route = ["feed", "Y"]

[[sources]]
name = "release"
kind = "saturated"
mix = {{ A = 1, B = 1 }}

[[sinks]]
name = "out"

[[buffers]]
name = "merge"
capacity = 5

[[stations]]
name = "feed"
servers = {servers}
processing = {{ dist = "exponential", mean = {mean} }}

[[stations]]
name = "X"
input = "merge"
processing = {{ dist = "exponential", mean = 1.0 }}

[[stations]]
name = "Y"
input = "merge"
processing = {{ dist = "exponential", mean = 1.0 }}
"#
    );
    header("blocked upstream", 20_000) + &body
}

/// Two products share an unlimited buffer, each taken by its own station:
/// product A arrives 20% faster than station X works, so A parts pile up at
/// the front of the queue and station Y looks past them for each B part.
fn shared_queue(horizon: u32) -> String {
    header("shared queue", horizon)
        + r#"
[[products]]
name = "A"
route = ["X"]

[[products]]
name = "B"
route = ["Y"]

[[sources]]
name = "arrivals"
kind = "arrivals"
interarrival = { dist = "exponential", mean = 0.5 }
mix = { A = 0.6, B = 0.4 }

[[sinks]]
name = "out"

[[buffers]]
name = "shared"

[[stations]]
name = "X"
input = "shared"
processing = { dist = "exponential", mean = 1.0 }

[[stations]]
name = "Y"
input = "shared"
processing = { dist = "exponential", mean = 1.0 }
"#
}

/// A serial line of `stations` stations like the reference line
/// (scenarios/library/serial_line.toml): exponential processing of mean 1,
/// buffers of 5, busy-time failures, a saturated source.
fn long_line(stations: u32, horizon: u32) -> String {
    let mut text = header("long line", horizon);
    write!(
        text,
        r#"
[[products]]
name = "part"
route = [{}]

[[sources]]
name = "release"
kind = "saturated"

[[sinks]]
name = "out"
"#,
        (1..=stations)
            .map(|s| format!("\"S{s}\""))
            .collect::<Vec<_>>()
            .join(", ")
    )
    .expect("a string");
    for s in 2..=stations {
        write!(text, "\n[[buffers]]\nname = \"B{s}\"\ncapacity = 5\n").expect("a string");
    }
    for s in 1..=stations {
        write!(text, "\n[[stations]]\nname = \"S{s}\"\n").expect("a string");
        if s > 1 {
            writeln!(text, "input = \"B{s}\"").expect("a string");
        }
        text.push_str(
            "processing = { dist = \"exponential\", mean = 1.0 }\n\
             failures = [{ name = \"breakdown\", clock = \"busy\", \
             ttf = { dist = \"exponential\", mean = 500 }, \
             ttr = { dist = \"exponential\", mean = 20 } }]\n",
        );
    }
    text
}

/// Benches `shapes` (size, TOML text) in one group, each reporting time
/// per station operation.
fn bench_shape(c: &mut Criterion, group: &str, shapes: &[(u32, String)]) {
    let mut group = c.benchmark_group(group);
    group
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4));
    for (size, text) in shapes {
        let scenario = Scenario::from_toml(text, "scaling").expect("the bench scenario is valid");
        let overrides = Overrides::default();
        // Station operations of one run: the same every run (same seed).
        let operations: u64 = scenario
            .run(&overrides)
            .expect("runs")
            .stations
            .values()
            .map(|s| s.operations)
            .sum();
        group.throughput(Throughput::Elements(operations));
        group.bench_with_input(BenchmarkId::from_parameter(size), &scenario, |b, s| {
            b.iter(|| s.run(&overrides).expect("runs"))
        });
    }
    group.finish();
}

fn scaling(c: &mut Criterion) {
    bench_shape(
        c,
        "many_servers",
        &[(1, many_servers(1)), (1000, many_servers(1000))],
    );
    bench_shape(
        c,
        "blocked_upstream",
        &[(10, blocked_upstream(10)), (1000, blocked_upstream(1000))],
    );
    bench_shape(
        c,
        "shared_queue",
        &[(2000, shared_queue(2000)), (40000, shared_queue(40000))],
    );
    bench_shape(
        c,
        "long_line",
        &[(10, long_line(10, 200_000)), (1000, long_line(1000, 3000))],
    );
}

criterion_group!(benches, scaling);
criterion_main!(benches);
