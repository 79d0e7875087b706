//! Criterion bench: the cost of one dispatching decision at a station whose
//! queue holds about 1 000 parts (a `lose` source keeps its buffer full), per
//! rule: FIFO takes the front part, the others scan the whole queue.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use scenarios::{Overrides, Scenario};

/// Three families, a setup matrix, arrivals twice as fast as the machine
/// works, and a buffer of 1 000: every decision sees a full queue.
fn long_queue(rule: &str) -> Scenario {
    let text = format!(
        r#"
[scenario]
name = "long queue"
time_unit = "min"
horizon = 20000
warmup = 2000
rule = {rule}

[[products]]
name = "A"
route = ["machine"]
[[products]]
name = "B"
route = ["machine"]
[[products]]
name = "C"
route = ["machine"]

[[sources]]
name = "orders"
kind = "arrivals"
interarrival = {{ dist = "exponential", mean = 0.5 }}
when_full = "lose"
mix = {{ A = 1, B = 1, C = 1 }}

[[sinks]]
name = "out"

[[buffers]]
name = "queue"
capacity = 1000

[[stations]]
name = "machine"
input = "queue"
processing = {{ dist = "exponential", mean = 1.0 }}
processing_by_product = {{ B = {{ dist = "exponential", mean = 0.8 }} }}

[stations.setup]
default = {{ dist = "constant", value = 0.2 }}
"#
    );
    Scenario::from_toml(&text, "long-queue").expect("the bench scenario is valid")
}

fn dispatch(c: &mut Criterion) {
    let mut group = c.benchmark_group("long_queue_decision");
    for rule in [
        r#""fifo""#,
        r#""spt""#,
        r#""campaign""#,
        r#"{ name = "atcs", k1 = 2, k2 = 1 }"#,
    ] {
        let scenario = long_queue(rule);
        let kpis = scenario.run(&Overrides::default()).expect("runs");
        let decisions = kpis.stations["machine"].operations;
        group.throughput(Throughput::Elements(decisions));
        let name = rule.split('"').nth(1).unwrap_or(rule);
        group.bench_function(name, |b| {
            b.iter(|| scenario.run(&Overrides::default()).expect("runs"))
        });
    }
    group.finish();
}

criterion_group!(benches, dispatch);
criterion_main!(benches);
