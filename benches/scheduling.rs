//! Criterion bench of the scheduling harness: schedules evaluated per second by the
//! semi-active evaluator, and schedules built per second by each dispatching rule (active and
//! non-delay) and by NEH, on bundled Taillard instances.

use std::time::Duration;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use scenarios::scheduling::library;
use twin_models::scheduling::{Dispatcher, Evaluator, Instance, Neh, Rule, Scheduler, Scheme};

/// Taillard job shops of three sizes: 15 × 15, 30 × 20 and 100 × 20.
const JOB_SHOPS: [&str; 3] = ["ta01", "ta41", "ta71"];

fn bundled(name: &str) -> Instance {
    library::find(name)
        .expect("bundled")
        .instance()
        .expect("parses")
}

fn evaluator(c: &mut Criterion) {
    let mut group = c.benchmark_group("sched_evaluate");
    group.throughput(Throughput::Elements(1));
    for name in JOB_SHOPS {
        let instance = bundled(name);
        let schedule = Dispatcher::new(Rule::Mwkr, Scheme::Active).build(&instance);
        let mut evaluator = Evaluator::new(&instance);
        group.bench_function(BenchmarkId::from_parameter(name), |b| {
            b.iter(|| evaluator.evaluate(&schedule).expect("feasible"))
        });
    }
    group.finish();
}

fn rules(c: &mut Criterion) {
    let mut group = c.benchmark_group("sched_rule");
    group.throughput(Throughput::Elements(1));
    let all = Rule::DETERMINISTIC
        .into_iter()
        .chain([Rule::Random { seed: 1 }]);
    for name in ["ta01", "ta71"] {
        let instance = bundled(name);
        for rule in all.clone() {
            for scheme in [Scheme::Active, Scheme::NonDelay] {
                let dispatcher = Dispatcher::new(rule, scheme);
                group.bench_function(BenchmarkId::new(format!("{rule}/{scheme}"), name), |b| {
                    b.iter(|| dispatcher.build(&instance))
                });
            }
        }
    }
    for name in ["ta001", "ta031", "ta061"] {
        let instance = bundled(name);
        group.bench_function(BenchmarkId::new("neh", name), |b| {
            b.iter(|| Neh.schedule(&instance).expect("a flow shop"))
        });
    }
    group.finish();
}

fn config() -> Criterion {
    Criterion::default()
        .sample_size(20)
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(1))
}

criterion_group! {
    name = benches;
    config = config();
    targets = evaluator, rules
}
criterion_main!(benches);
