//! Invariants that every run of every line must satisfy, checked on randomly generated
//! lines: conservation of parts, state fractions, Little's law, consistent counts.
//!
//! The generator draws serial lines (flow shops, whose routes follow one station order
//! and may have finite buffers) and job shops (routes in any order, possibly re-entrant,
//! so with unlimited buffers only: a cycle through finite buffers can deadlock under
//! blocking after service). Stages are one station or two alternative stations sharing
//! a named buffer, and a product may be restricted to one of the two. Lines have one to
//! three products, saturated and Poisson-like sources that block or lose, failures on
//! both clocks, non-exponential times and scrap. Lines with a saturated source have
//! finite buffers only and lines fed by arrivals are loaded to at most 70% of capacity,
//! so that every line is stable and Little's law can be checked on it.

use std::sync::LazyLock;

use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{RngExt, SeedableRng};
use sim_core::{Distribution, run_replications};
use twin_models::{FailureClock, Kpis, LineSpec, RunOptions, SourceKind, WhenFull, simulate};

use crate::builders::LineBuilder;

/// A random line and what its construction tells about it.
#[derive(Clone, Debug)]
struct RandomLine {
    spec: LineSpec,
    /// The features drawn, to check that the generator covers them all.
    features: Vec<Feature>,
    /// Some station scraps parts.
    scraps: bool,
    /// Some source turns parts away when its first buffer is full.
    loses: bool,
    /// One product visiting single stations in order: the stations of its route.
    serial_route: Option<Vec<usize>>,
    /// Stations fed by a saturated source: never starved.
    saturated: Vec<usize>,
    /// Per station: some route sends its parts on to a finite buffer, so it can be blocked.
    can_block: Vec<bool>,
    /// Per station: some route visits it.
    visited: Vec<bool>,
}

/// A feature a random line may have.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Feature {
    JobShop,
    ReEntrantRoute,
    FiniteBuffer,
    AlternativeStations,
    /// A product restricted to one of two alternative stations (a shared buffer whose
    /// parts are not all eligible for every station).
    RestrictedAlternative,
    SeveralProducts,
    SaturatedSource,
    TwoArrivalSources,
    BlockingSource,
    LosingSource,
    BusyClockFailure,
    CalendarClockFailure,
    Scrap,
    ParallelServers,
}

/// The smallest finite buffer drawn: capacity 0 means room only on an idle server.
const SMALLEST_CAPACITY: u32 = 0;

/// Distribution families with a coefficient of variation each accepts.
const FAMILIES: [(&str, f64); 8] = [
    ("exponential", 1.0),
    ("constant", 0.0),
    ("uniform", 0.4),
    ("triangular", 0.3),
    ("erlang", 0.5),
    ("lognormal", 0.8),
    ("gamma", 1.5),
    ("weibull", 0.6),
];

/// A random positive duration of the given mean, from a family drawn at random.
fn random_duration(rng: &mut StdRng, mean: f64) -> Distribution {
    let (family, cv) = FAMILIES[rng.random_range(0..FAMILIES.len())];
    Distribution::from_mean_cv(family, mean, cv).expect("a valid family, mean and cv")
}

fn random_line(rng: &mut StdRng, index: usize) -> RandomLine {
    let job_shop = rng.random_bool(0.3);
    let saturated = !job_shop && rng.random_bool(0.5);
    let mut line = LineBuilder::new(&format!("random line {index}"));
    let mut features = Vec::new();
    if job_shop {
        features.push(Feature::JobShop);
    }
    if saturated {
        features.push(Feature::SaturatedSource);
    }

    // Stages, each with the capacity of its input buffer.
    let mut stages: Vec<(Vec<usize>, Option<u32>)> = Vec::new();
    for _ in 0..rng.random_range(2..=4) {
        let capacity = if job_shop || (!saturated && rng.random_bool(0.3)) {
            None
        } else {
            Some(rng.random_range(SMALLEST_CAPACITY..=5))
        };
        let servers = rng.random_range(1..=2);
        if capacity.is_some() {
            features.push(Feature::FiniteBuffer);
        }
        if servers > 1 {
            features.push(Feature::ParallelServers);
        }
        if rng.random_bool(0.3) {
            features.push(Feature::AlternativeStations);
            let buffer = line.add_buffer(capacity);
            let first = line.add_station(servers, Some(buffer));
            let second = line.add_station(rng.random_range(1..=2), Some(buffer));
            stages.push((vec![first, second], capacity));
        } else {
            let input = if capacity.is_none() && rng.random_bool(0.5) {
                None
            } else {
                Some(line.add_buffer(capacity))
            };
            stages.push((vec![line.add_station(servers, input)], capacity));
        }
    }
    let n_stations = stages.iter().map(|s| s.0.len()).sum();

    // Failures inflate the time a station needs per unit of work by about
    // 1 + sum of MTTR / MTTF over its failure modes.
    let mut inflation = vec![1.0; n_stations];
    for (station, inflation) in inflation.iter_mut().enumerate() {
        if rng.random_bool(0.4) {
            for _ in 0..rng.random_range(1..=2) {
                let clock = if rng.random_bool(0.5) {
                    features.push(Feature::BusyClockFailure);
                    FailureClock::Busy
                } else {
                    features.push(Feature::CalendarClockFailure);
                    FailureClock::Calendar
                };
                let (mttf, mttr) = (rng.random_range(30.0..200.0), rng.random_range(2.0..15.0));
                let ttf = random_duration(rng, mttf);
                let ttr = random_duration(rng, mttr);
                line.add_failure(station, clock, ttf, ttr);
                *inflation += mttr / mttf;
            }
        }
    }
    let scraps = rng.random_bool(0.3);
    if scraps {
        features.push(Feature::Scrap);
        for station in 0..n_stations {
            if rng.random_bool(0.5) {
                line.set_scrap(station, rng.random_range(0.01..0.1));
            }
        }
    }

    // Routes: a flow shop visits a subsequence of the stages in order; a job shop visits
    // some stages in any order and may come back to one. A saturated source's products
    // all start with the whole first stage.
    // One product in 40% of the lines, so that single-product serial lines are common.
    let n_products = if rng.random_bool(0.4) {
        1
    } else {
        rng.random_range(2..=3)
    };
    if n_products > 1 {
        features.push(Feature::SeveralProducts);
    }
    let mut routes: Vec<Vec<Vec<usize>>> = Vec::new();
    let mut saturated_products = Vec::new();
    for product in 0..n_products {
        let from_saturated = saturated && (product == 0 || rng.random_bool(0.5));
        let mut order: Vec<usize> = (0..stages.len()).collect();
        if job_shop {
            order.shuffle(rng);
            order.truncate(rng.random_range(1..=stages.len()));
            if rng.random_bool(0.3) {
                order.push(order[0]);
                features.push(Feature::ReEntrantRoute);
            }
        } else {
            order.retain(|&s| (from_saturated && s == 0) || rng.random_bool(0.7));
            if order.is_empty() {
                order.push(rng.random_range(0..stages.len()));
            }
        }
        let route: Vec<Vec<usize>> = order
            .iter()
            .enumerate()
            .map(|(k, &stage)| {
                let stations = &stages[stage].0;
                if stations.len() == 1 || (from_saturated && k == 0) || rng.random_bool(0.6) {
                    stations.clone()
                } else {
                    features.push(Feature::RestrictedAlternative);
                    vec![stations[rng.random_range(0..stations.len())]]
                }
            })
            .collect();
        routes.push(route);
        if from_saturated {
            saturated_products.push(product);
        }
    }
    // Processing times with means around 1. A re-entrant job visits a station twice but
    // has one processing time there: the later step's, which overwrites the earlier one's.
    // `work[p][s]` is the mean processing time product `p` needs at station `s` per part.
    let mut work = Vec::new();
    for route in &routes {
        let mut steps: Vec<(&[usize], Distribution)> = Vec::new();
        let mut mean_at = vec![0.0; n_stations];
        let mut visits = vec![0.0; n_stations];
        for step in route {
            let mean = rng.random_range(0.3..1.5);
            steps.push((step, random_duration(rng, mean)));
            for &s in step {
                mean_at[s] = mean;
                visits[s] += 1.0;
            }
        }
        line.add_product(&steps);
        work.push(
            mean_at
                .iter()
                .zip(&visits)
                .map(|(m, v)| m * v)
                .collect::<Vec<f64>>(),
        );
    }

    // Sources: the saturated products from one saturated source, the others from one or
    // two arrival sources whose rates load the busiest station to at most 70%.
    if !saturated_products.is_empty() {
        let mix: Vec<(usize, f64)> = saturated_products
            .iter()
            .map(|&p| (p, rng.random_range(0.5..2.0)))
            .collect();
        line.add_source(SourceKind::Saturated, &mix);
    }
    let arrival_products: Vec<usize> = (0..n_products)
        .filter(|p| !saturated_products.contains(p))
        .collect();
    let mut loses = false;
    if !arrival_products.is_empty() {
        let split = arrival_products.len() > 1 && rng.random_bool(0.8);
        let groups: Vec<&[usize]> = if split {
            features.push(Feature::TwoArrivalSources);
            vec![&arrival_products[..1], &arrival_products[1..]]
        } else {
            vec![&arrival_products[..]]
        };
        // Work per station (in server time) per unit of each source's arrival rate. A
        // step with alternatives is charged in full to each of them: conservative.
        let mut sources = Vec::new();
        let mut load = vec![0.0; n_stations];
        for group in groups {
            let mix: Vec<(usize, f64)> = group
                .iter()
                .map(|&p| (p, rng.random_range(0.5..2.0)))
                .collect();
            let total: f64 = mix.iter().map(|m| m.1).sum();
            for &(p, w) in &mix {
                for (s, load) in load.iter_mut().enumerate() {
                    let servers = f64::from(line.station_servers(s));
                    *load += w / total * work[p][s] * inflation[s] / servers;
                }
            }
            sources.push(mix);
        }
        let peak = load.iter().copied().fold(0.0, f64::max);
        let rate = rng.random_range(0.3..0.7) / peak;
        for mix in sources {
            let when_full = if rng.random_bool(0.5) {
                features.push(Feature::BlockingSource);
                WhenFull::Block
            } else {
                features.push(Feature::LosingSource);
                loses = true;
                WhenFull::Lose
            };
            let kind = SourceKind::Arrivals {
                interarrival: random_duration(rng, 1.0 / rate),
                when_full,
            };
            line.add_source(kind, &mix);
        }
    }

    let mut can_block = vec![false; n_stations];
    let mut visited = vec![false; n_stations];
    for route in &routes {
        for (k, step) in route.iter().enumerate() {
            for &s in step {
                visited[s] = true;
                if let Some(next) = route.get(k + 1) {
                    let stage = stages.iter().find(|st| st.0.contains(&next[0]));
                    can_block[s] |= stage.expect("a stage's station").1.is_some();
                }
            }
        }
    }
    let saturated_stations = if saturated {
        stages[0].0.clone()
    } else {
        Vec::new()
    };
    let serial_route =
        (!job_shop && n_products == 1 && routes[0].iter().all(|step| step.len() == 1))
            .then(|| routes[0].iter().map(|step| step[0]).collect());
    RandomLine {
        spec: line.build(),
        features,
        scraps,
        loses,
        serial_route,
        saturated: saturated_stations,
        can_block,
        visited,
    }
}

/// The lines under test, the same on every run.
fn random_lines() -> Vec<RandomLine> {
    let mut rng = StdRng::seed_from_u64(0x11e7_3741);
    (0..30).map(|i| random_line(&mut rng, i)).collect()
}

const HORIZON: f64 = 40_000.0;
const WARMUP: f64 = 5_000.0;

/// The random lines and their KPIs without and with a warm-up, computed once for all the
/// tests of this module.
struct Runs {
    lines: Vec<RandomLine>,
    from_empty: Vec<Kpis>,
    warmed_up: Vec<Kpis>,
}

static RUNS: LazyLock<Runs> = LazyLock::new(|| {
    let lines = random_lines();
    let from_empty = run_all(&lines, 0.0);
    let warmed_up = run_all(&lines, WARMUP);
    Runs {
        lines,
        from_empty,
        warmed_up,
    }
});

impl Runs {
    /// Every line with its KPIs for each warm-up: `(warmup, line, kpis)`.
    fn all(&self) -> impl Iterator<Item = (f64, &RandomLine, &Kpis)> {
        let from_empty = self.lines.iter().zip(&self.from_empty);
        let warmed_up = self.lines.iter().zip(&self.warmed_up);
        from_empty
            .map(|(l, k)| (0.0, l, k))
            .chain(warmed_up.map(|(l, k)| (WARMUP, l, k)))
    }

    /// Every line with its KPIs from an empty start without warm-up.
    fn cold_starts(&self) -> impl Iterator<Item = (&RandomLine, &Kpis)> {
        self.lines.iter().zip(&self.from_empty)
    }
}

/// Runs every random line (in parallel) over `[warmup, HORIZON]`.
fn run_all(lines: &[RandomLine], warmup: f64) -> Vec<Kpis> {
    run_replications(lines.len() as u64, |i| {
        simulate(
            &lines[i as usize].spec,
            &RunOptions {
                seed: 1_000 + i,
                replication: 0,
                horizon: HORIZON,
                warmup,
            },
        )
        .expect("a random line is valid")
    })
}

#[test]
fn random_lines_conserve_parts() {
    for (warmup, line, kpis) in RUNS.all() {
        let k = &kpis.line;
        let context = format!("{} (warm-up {warmup}): {k:?}", line.spec.name);
        assert_eq!(
            k.parts_in_system_at_start + k.parts_released,
            k.parts_completed + k.parts_scrapped + k.parts_in_system,
            "{context}"
        );
        if warmup == 0.0 {
            assert_eq!(k.parts_in_system_at_start, 0, "{context}");
        }
        // Liveness: without cycles through finite buffers no line may deadlock.
        assert!(k.parts_completed > 0, "{context}");
        let scrapped: u64 = kpis.stations.values().map(|s| s.scrapped).sum();
        assert_eq!(scrapped, k.parts_scrapped, "{context}");
        if !line.scraps {
            assert_eq!(k.parts_scrapped, 0, "{context}");
        }
        if !line.loses {
            assert_eq!(k.parts_lost, 0, "{context}");
        }
        let operations: u64 = kpis.stations.values().map(|s| s.operations).sum();
        assert!(
            operations >= k.parts_completed + k.parts_scrapped,
            "{context}"
        );
        let by_product: u64 = kpis.products.values().map(|p| p.parts_completed).sum();
        assert_eq!(by_product, k.parts_completed, "{context}");
    }
}

#[test]
fn random_lines_keep_buffer_figures_within_their_bounds() {
    for (warmup, line, kpis) in RUNS.all() {
        for (name, b) in &kpis.buffers {
            let context = format!(
                "{} (warm-up {warmup}), buffer {name}: {b:?}",
                line.spec.name
            );
            if let Some(capacity) = b.capacity {
                assert!(b.content_max <= u64::from(capacity), "{context}");
            } else {
                assert_eq!(b.full_fraction, 0.0, "{context}");
            }
            assert!((0.0..=1.0).contains(&b.full_fraction), "{context}");
            assert!(
                b.content_mean >= 0.0 && b.content_mean <= b.content_max as f64 + 1e-9,
                "{context}"
            );
        }
        for (name, s) in &kpis.stations {
            let context = format!("{} (warm-up {warmup}), station {name}", line.spec.name);
            // NaN (no part taken up) or a non-negative mean.
            assert!(
                s.waiting_time_mean.is_nan() || s.waiting_time_mean >= 0.0,
                "{context}: waiting time {}",
                s.waiting_time_mean
            );
        }
    }
}

#[test]
fn random_lines_account_for_all_server_time() {
    for (warmup, line, kpis) in RUNS.all() {
        for (s, (name, station)) in kpis.stations.iter().enumerate() {
            let f = station.states;
            let context = format!(
                "{}, station {name} (warm-up {warmup}): {f:?}",
                line.spec.name
            );
            assert!((f.total() - 1.0).abs() < 1e-9, "{context}");
            for fraction in [f.busy, f.starved, f.blocked, f.down, f.setup, f.maintenance] {
                assert!((0.0..=1.0 + 1e-12).contains(&fraction), "{context}");
            }
            // Changeovers and planned maintenance are not modelled yet.
            assert_eq!(f.setup, 0.0, "{context}");
            assert_eq!(f.maintenance, 0.0, "{context}");
            if line.spec.stations[s].failures.is_empty() {
                assert_eq!(f.down, 0.0, "{context}");
                assert_eq!(station.failures, 0, "{context}");
            }
            if !line.can_block[s] {
                assert_eq!(f.blocked, 0.0, "{context}");
            }
            if !line.visited[s] {
                assert_eq!(station.operations, 0, "{context}");
                assert_eq!(f.busy, 0.0, "{context}");
            }
            if line.saturated.contains(&s) {
                assert!(f.starved < 1e-12, "{context}");
            }
            assert!(station.scrapped <= station.operations, "{context}");
        }
    }
}

#[test]
fn random_lines_obey_littles_law() {
    // With warm-up 0 and an empty start, the area under the WIP curve is exactly the sum
    // of the lead times of the completed parts, plus the time scrapped parts spent in the
    // line, plus the ages of the parts still in it at the horizon. Hence
    //   wip_mean - throughput × mean lead time = (scrapped time + ages) / horizon >= 0,
    // and without scrap the gap is (parts in system × their mean age) / horizon. In these
    // stable lines that is about L × W / horizon, i.e. W / horizon relative to L: lead
    // times are below a few hundred time units, so the gap stays well below 2% of the WIP
    // at a horizon of 40 000.
    let mut largest_gap: f64 = 0.0;
    for (line, kpis) in RUNS.cold_starts() {
        let k = &kpis.line;
        let little = k.throughput * k.lead_time.mean;
        let gap = k.wip_mean - little;
        let context = format!(
            "{}: wip_mean {}, throughput {} × lead time {} = {little}",
            line.spec.name, k.wip_mean, k.throughput, k.lead_time.mean
        );
        assert!(gap >= -1e-9 * k.wip_mean, "{context}");
        if !line.scraps {
            assert!(gap <= k.parts_in_system as f64 + 1e-9, "{context}");
            assert!(gap <= 0.02 * k.wip_mean, "{context}");
            largest_gap = largest_gap.max(gap / k.wip_mean);
        }
    }
    eprintln!("Little's law: largest relative gap {largest_gap:.2e}");
}

#[test]
fn random_serial_lines_count_operations_along_the_route() {
    let mut checked = 0;
    for (line, kpis) in RUNS.cold_starts() {
        let Some(route) = &line.serial_route else {
            continue;
        };
        checked += 1;
        let station = |s: usize| &kpis.stations[s];
        let context = format!("{}: {:?}", line.spec.name, kpis.stations);
        let last = station(*route.last().expect("a route has a step"));
        assert_eq!(
            last.operations,
            kpis.line.parts_completed + last.scrapped,
            "{context}"
        );
        // Every good part out of one station is processed by the next one, or is still
        // on its way there.
        for pair in route.windows(2) {
            let (from, to) = (station(pair[0]), station(pair[1]));
            assert!(
                from.operations - from.scrapped >= to.operations,
                "{context}"
            );
        }
    }
    eprintln!("{checked} single-product serial lines");
    assert!(checked >= 3, "only {checked} single-product serial lines");
}

#[test]
fn random_lines_cover_every_feature() {
    // The invariants above are only as strong as the lines they are checked on.
    use Feature::*;
    let all = [
        JobShop,
        ReEntrantRoute,
        FiniteBuffer,
        AlternativeStations,
        RestrictedAlternative,
        SeveralProducts,
        SaturatedSource,
        TwoArrivalSources,
        BlockingSource,
        LosingSource,
        BusyClockFailure,
        CalendarClockFailure,
        Scrap,
        ParallelServers,
    ];
    for feature in all {
        let lines = RUNS
            .lines
            .iter()
            .filter(|l| l.features.contains(&feature))
            .count();
        eprintln!("{feature:?}: {lines} lines");
        assert!(lines >= 2, "only {lines} random lines have {feature:?}");
    }
}
