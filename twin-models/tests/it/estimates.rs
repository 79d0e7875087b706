//! Replicated runs, and the comparison of their estimates with analytic values.

use sim_core::{ConfidenceInterval, Tally, run_replications};
use twin_models::{Kpis, LineSpec, RunOptions, simulate};

/// Independent replications of one line, each observed over `[warmup, horizon]`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Experiment {
    /// Master seed; fixed so that the tests are deterministic.
    pub(crate) seed: u64,
    /// Number of replications (at least 2 for a confidence interval).
    pub(crate) replications: u64,
    /// End of each run.
    pub(crate) horizon: f64,
    /// End of each run's warm-up.
    pub(crate) warmup: f64,
}

impl Experiment {
    /// Runs the replications in parallel; the KPIs come back in replication order.
    pub(crate) fn run(&self, spec: &LineSpec) -> Vec<Kpis> {
        run_replications(self.replications, |replication| {
            simulate(
                spec,
                &RunOptions {
                    seed: self.seed,
                    replication,
                    horizon: self.horizon,
                    warmup: self.warmup,
                },
            )
            .expect("a valid line and run options")
        })
    }
}

/// The 95% Student-t interval of the mean of `kpi` over the replications.
pub(crate) fn estimate(runs: &[Kpis], kpi: impl Fn(&Kpis) -> f64) -> ConfidenceInterval {
    let mut tally = Tally::new();
    for run in runs {
        tally.add(kpi(run));
    }
    tally.ci95()
}

/// How far an estimate may be from the analytic value, and how precise it must be for
/// the comparison to mean something.
///
/// There is no allowance for bias: every experiment discards a warm-up of at least 20
/// relaxation times of the system it simulates, which leaves an initial-transient bias
/// below `e^-20` of the value, and the estimators are unbiased in steady state (time
/// averages, and lead times of the parts leaving in the observation period) or carry an
/// O(1/n) ratio bias with n > 10^4 parts per replication. Each experiment argues its
/// warm-up where it is defined.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Tolerance {
    /// The accepted distance is `widen` × the 95% half-width. With 2, a correct model
    /// fails only when its replication mean is more than four standard errors off
    /// (probability 1.5e-3 with 10 replications, 5e-4 with 20), so the tests do not become
    /// flaky when the random streams change; a wrong model off by more than `widen` × the
    /// largest half-width accepted (6% by default) still fails.
    pub(crate) widen: f64,
    /// The largest half-width accepted: a wider interval would let a wrong model pass,
    /// so the test fails instead of passing vacuously.
    pub(crate) precision: Precision,
}

/// The largest 95% half-width an estimate may have.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Precision {
    /// A fraction of the analytic value's magnitude.
    Relative(f64),
    /// An absolute bound, for quantities near zero such as small state fractions.
    Absolute(f64),
}

impl Precision {
    fn limit(self, analytic: f64) -> f64 {
        match self {
            Self::Relative(fraction) => fraction * analytic.abs(),
            Self::Absolute(limit) => limit,
        }
    }
}

impl Tolerance {
    /// Twice the 95% half-width, which must be below 3% of the value.
    pub(crate) const STATISTICAL: Self = Self {
        widen: 2.0,
        precision: Precision::Relative(0.03),
    };

    /// The same tolerance with an absolute bound on the half-width.
    pub(crate) fn absolute_precision(self, limit: f64) -> Self {
        Self {
            precision: Precision::Absolute(limit),
            ..self
        }
    }
}

/// Asserts that `estimate` of the quantity `what` agrees with the exact value `analytic`
/// within `tolerance`, and that the estimate is precise enough to detect a wrong model.
///
/// Prints one line per comparison (shown with `--nocapture`), so that the margins can be
/// reviewed when the model or the test sizes change.
pub(crate) fn assert_agrees(
    what: &str,
    estimate: ConfidenceInterval,
    analytic: f64,
    tolerance: Tolerance,
) {
    let allowed = tolerance.widen * estimate.half_width;
    let error = estimate.mean - analytic;
    eprintln!(
        "{what}: analytic {analytic:.6}, simulated {:.6} ± {:.6} (n = {}), error {error:+.6} ({:+.2}%), allowed ±{allowed:.6}",
        estimate.mean,
        estimate.half_width,
        estimate.n,
        100.0 * error / analytic,
    );
    let limit = tolerance.precision.limit(analytic);
    assert!(
        estimate.half_width <= limit,
        "{what}: the 95% half-width {} exceeds {limit} ({:?} of the analytic value \
         {analytic}); the test could not detect a wrong model: run longer or more replications",
        estimate.half_width,
        tolerance.precision,
    );
    assert!(
        error.abs() <= allowed,
        "{what}: simulated {} ± {} (95%, n = {}) but the analytic value is {analytic} \
         (error {error}, allowed {allowed})",
        estimate.mean,
        estimate.half_width,
        estimate.n,
    );
}
