//! Runs schedulers on instances and renders the results as a table, JSON or CSV.

use std::time::Instant;

use serde::Serialize;
use twin_models::scheduling::{Instance, SchedulerError};

use super::library::Bounds;
use super::{BenchScheduler, SchedError, solve};

/// The `format` tag of the JSON output.
pub const BENCH_FORMAT: &str = "linetwin.sched-bench/1";

/// One scheduler on one instance.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct BenchRow {
    /// The instance's name.
    pub instance: String,
    /// `jobs x machines`.
    pub size: String,
    /// The scheduler's name.
    pub scheduler: String,
    /// `active` or `non-delay` for dispatching rules, `null` otherwise.
    pub scheme: Option<String>,
    /// The makespan of the schedule built (checked feasible).
    pub makespan: u64,
    /// The best known makespan (upper bound), if the tables have one.
    pub best_known: Option<u64>,
    /// The best proven lower bound, if the tables have one.
    pub lower_bound: Option<u64>,
    /// Whether the best known makespan is proven optimal.
    pub optimal: bool,
    /// `100 × (makespan − best_known) / best_known`, if a best known value exists.
    pub gap_pct: Option<f64>,
    /// Wall-clock seconds to build one schedule: for the built-in schedulers the median over
    /// five batches of the mean of repeated builds (each batch at least 0.5 ms) after a first,
    /// untimed one; for user schedulers the one build.
    pub seconds: f64,
}

/// The results of a benchmark run, rows in instance order then scheduler order.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct BenchReport {
    /// Always [`BENCH_FORMAT`].
    pub format: &'static str,
    /// One row per instance and applicable scheduler.
    pub results: Vec<BenchRow>,
}

/// Batches of repeated builds timed per built-in scheduler and instance.
const BATCHES: usize = 5;

/// The least time of one batch of repeated builds.
const MIN_BATCH_SECONDS: f64 = 0.0005;

/// Runs every scheduler on every instance, checks every schedule and times its build.
/// Schedulers that do not apply to an instance (NEH on a job shop) are skipped for it.
///
/// # Errors
///
/// [`SchedError::Infeasible`] if a scheduler returns an infeasible schedule, or a user
/// scheduler's failure.
pub fn run(
    instances: &[(Instance, Option<Bounds>)],
    schedulers: &mut [BenchScheduler],
) -> Result<BenchReport, SchedError> {
    let mut results = Vec::new();
    for (instance, bounds) in instances {
        for scheduler in schedulers.iter_mut() {
            let started = Instant::now();
            let (_, makespan) = match solve(instance, scheduler) {
                Ok(built) => built,
                Err(SchedError::Scheduler {
                    error: SchedulerError::NotApplicable { .. },
                    ..
                }) => continue,
                Err(e) => return Err(e),
            };
            let mut seconds = started.elapsed().as_secs_f64();
            if scheduler.repeatable {
                // The first build (above, with the check) warmed the caches. Time BATCHES
                // batches of repeated builds, each at least MIN_BATCH_SECONDS, and keep the
                // median batch mean: one preemption on a shared machine then moves nothing.
                let mut means = [0.0; BATCHES];
                for mean in &mut means {
                    let mut repeats = 0u32;
                    let started = Instant::now();
                    while repeats == 0 || started.elapsed().as_secs_f64() < MIN_BATCH_SECONDS {
                        let schedule = scheduler.scheduler.schedule(instance);
                        std::hint::black_box(&schedule);
                        repeats += 1;
                    }
                    *mean = started.elapsed().as_secs_f64() / f64::from(repeats);
                }
                means.sort_by(f64::total_cmp);
                seconds = means[BATCHES / 2];
            }
            let best_known = bounds.and_then(|b| b.best_known());
            results.push(BenchRow {
                instance: instance.name().to_owned(),
                size: instance.size(),
                scheduler: scheduler.name.clone(),
                scheme: scheduler.scheme.map(|s| s.to_string()),
                makespan,
                best_known,
                lower_bound: bounds.and_then(|b| b.lower),
                optimal: bounds.is_some_and(|b| b.optimal),
                gap_pct: best_known.filter(|&b| b > 0).map(|b| {
                    let gap = 100.0 * (makespan as f64 - b as f64) / b as f64;
                    (gap * 100.0).round() / 100.0
                }),
                seconds,
            });
        }
    }
    Ok(BenchReport {
        format: BENCH_FORMAT,
        results,
    })
}

fn label(row: &BenchRow, schemes: usize) -> String {
    match (&row.scheme, schemes) {
        (Some(scheme), 2..) => format!("{}/{scheme}", row.scheduler),
        _ => row.scheduler.clone(),
    }
}

/// A duration in seconds as a short text with a unit.
fn duration(seconds: f64) -> String {
    if seconds < 1e-3 {
        format!("{:.1}µs", seconds * 1e6)
    } else if seconds < 1.0 {
        format!("{:.2}ms", seconds * 1e3)
    } else {
        format!("{seconds:.2}s")
    }
}

impl BenchReport {
    /// The results as JSON: `{"format": "linetwin.sched-bench/1", "results": [{instance,
    /// size, scheduler, scheme, makespan, best_known, lower_bound, optimal, gap_pct,
    /// seconds}, …]}`.
    pub fn to_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).unwrap_or_default();
        text.push('\n');
        text
    }

    /// The results as CSV, one line per row, the JSON fields as columns.
    pub fn to_csv(&self) -> String {
        let mut out = String::from(
            "instance,size,scheduler,scheme,makespan,best_known,lower_bound,optimal,gap_pct,seconds\n",
        );
        let opt = |v: Option<u64>| v.map(|v| v.to_string()).unwrap_or_default();
        for r in &self.results {
            out.push_str(&format!(
                "{},{},{},{},{},{},{},{},{},{}\n",
                r.instance,
                r.size,
                r.scheduler,
                r.scheme.as_deref().unwrap_or(""),
                r.makespan,
                opt(r.best_known),
                opt(r.lower_bound),
                r.optimal,
                r.gap_pct.map(|g| format!("{g:.2}")).unwrap_or_default(),
                r.seconds
            ));
        }
        out
    }

    /// The results as a table: one line per instance with its size and best known value
    /// (`*` when proven optimal, `lb–ub` when open), then per scheduler its makespan, gap %
    /// and time per schedule; a last line gives each scheduler's mean gap.
    pub fn to_table(&self) -> String {
        let schemes = {
            let mut s: Vec<&str> = self
                .results
                .iter()
                .filter_map(|r| r.scheme.as_deref())
                .collect();
            s.sort_unstable();
            s.dedup();
            s.len()
        };
        let mut columns: Vec<String> = Vec::new();
        let mut instances: Vec<&str> = Vec::new();
        for r in &self.results {
            let l = label(r, schemes);
            if !columns.contains(&l) {
                columns.push(l);
            }
            if !instances.contains(&r.instance.as_str()) {
                instances.push(&r.instance);
            }
        }
        let mut rows: Vec<Vec<String>> = Vec::new();
        let mut header = vec![
            "instance".to_owned(),
            "size".to_owned(),
            "best known".to_owned(),
        ];
        for c in &columns {
            header.extend([c.clone(), "gap%".to_owned(), "time".to_owned()]);
        }
        rows.push(header);
        let mut gaps: Vec<Vec<f64>> = vec![Vec::new(); columns.len()];
        for name in &instances {
            let mine: Vec<&BenchRow> = self
                .results
                .iter()
                .filter(|r| r.instance == *name)
                .collect();
            let Some(first) = mine.first() else { continue };
            let best = match (first.lower_bound, first.best_known, first.optimal) {
                (_, Some(ub), true) => format!("{ub}*"),
                (Some(lb), Some(ub), false) if lb != ub => format!("{lb}–{ub}"),
                (_, Some(ub), _) => ub.to_string(),
                (Some(lb), None, _) => format!("≥{lb}"),
                (None, None, _) => "-".to_owned(),
            };
            let mut line = vec![(*name).to_owned(), first.size.clone(), best];
            for (i, c) in columns.iter().enumerate() {
                match mine.iter().find(|r| label(r, schemes) == *c) {
                    Some(r) => {
                        line.push(r.makespan.to_string());
                        line.push(r.gap_pct.map_or("-".to_owned(), |g| format!("{g:.1}")));
                        line.push(duration(r.seconds));
                        if let Some(g) = r.gap_pct {
                            gaps[i].push(g);
                        }
                    }
                    None => line.extend(["-".to_owned(), "-".to_owned(), "-".to_owned()]),
                }
            }
            rows.push(line);
        }
        if instances.len() > 1 {
            let mut line = vec!["mean gap".to_owned(), String::new(), String::new()];
            for g in &gaps {
                line.push(String::new());
                line.push(if g.is_empty() {
                    "-".to_owned()
                } else {
                    format!("{:.1}", g.iter().sum::<f64>() / g.len() as f64)
                });
                line.push(String::new());
            }
            rows.push(line);
        }
        super::align(&rows, 3)
    }
}
