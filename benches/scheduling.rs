//! Criterion bench of the scheduling harness: schedules evaluated per second by the
//! semi-active evaluator, schedules built per second by each dispatching rule (active and
//! non-delay) and by NEH, on bundled Taillard instances; and replications per second of a
//! schedule executed in its twin with noisy processing times and breakdowns.

use std::time::Duration;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use scenarios::scheduling::library;
use sim_core::Distribution;
use twin_models::scheduling::{
    Breakdowns, Dispatcher, DurationSampler, Evaluator, Instance, Neh, Rule, Scheduler, Scheme,
    Twin, TwinOptions,
};
use twin_models::{CompiledLine, Execution, FailureClock, RunOptions};

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

/// One replication of an MWKR schedule kept in its twin: processing times lognormal with cv
/// 0.2 (drawn per operation, as `sched robust` does), exponential breakdowns with MTBF ten
/// times the mean operation and MTTR one operation, every start and end traced (no KPIs, as
/// `sched robust` runs it).
fn execute(c: &mut Criterion) {
    let mut group = c.benchmark_group("sched_execute");
    group.throughput(Throughput::Elements(1));
    for name in ["ft10", "ta01", "ta41", "ta71"] {
        let instance = bundled(name);
        let schedule = Dispatcher::new(Rule::Mwkr, Scheme::Active).build(&instance);
        let mean = (0..instance.operations())
            .map(|op| instance.min_time(op) as f64)
            .sum::<f64>()
            / instance.operations() as f64;
        let options = TwinOptions {
            cv: 0.2,
            breakdowns: Some(Breakdowns {
                ttf: Distribution::exponential(10.0 * mean).expect("valid"),
                ttr: Distribution::exponential(mean).expect("valid"),
                clock: FailureClock::Busy,
            }),
            ..TwinOptions::default()
        };
        let twin = Twin::new(&instance, Some(&schedule), &options).expect("twin");
        let line = CompiledLine::new(&twin.line).expect("compiles");
        let plan = line.plan(twin.sequences.clone()).expect("a valid plan");
        let sampler = DurationSampler::new(&twin);
        let mut durations = Vec::new();
        let mut rep = 0;
        group.bench_function(BenchmarkId::from_parameter(name), |b| {
            b.iter(|| {
                rep += 1;
                sampler.draw(1, rep, &mut durations);
                let run = RunOptions {
                    seed: 1,
                    replication: rep,
                    horizon: 1e12,
                    warmup: 0.0,
                };
                let execution = Execution {
                    plan: Some(&plan),
                    keep: true,
                    durations: Some(&durations),
                    reschedule: None,
                    kpis: false,
                };
                line.execute(&run, &execution).expect("runs").makespan
            })
        });
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = config();
    targets = evaluator, rules, execute
}
criterion_main!(benches);
