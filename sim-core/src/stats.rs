//! Mergeable statistics: tallies, time-weighted averages, quantile sketches and
//! Student-t confidence intervals.

use sketches_ddsketch::{Config, DDSketch};
use statrs::distribution::{ContinuousCDF, Normal, StudentsT};

/// Count, mean, variance, min and max of observations (Welford's algorithm).
///
/// Mergeable with Chan et al.'s parallel update, so partial tallies from
/// parallel replications combine exactly (up to rounding) in a fixed order.
#[derive(Clone, Copy, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Tally {
    count: u64,
    mean: f64,
    m2: f64,
    min: f64,
    max: f64,
}

impl Tally {
    /// An empty tally.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds one observation.
    #[inline]
    pub fn add(&mut self, x: f64) {
        if self.count == 0 {
            self.min = x;
            self.max = x;
        } else {
            self.min = self.min.min(x);
            self.max = self.max.max(x);
        }
        self.count += 1;
        let delta = x - self.mean;
        self.mean += delta / self.count as f64;
        self.m2 += delta * (x - self.mean);
    }

    /// Adds every observation of `other` (Chan et al.).
    pub fn merge(&mut self, other: &Tally) {
        if other.count == 0 {
            return;
        }
        if self.count == 0 {
            *self = *other;
            return;
        }
        let n = (self.count + other.count) as f64;
        let delta = other.mean - self.mean;
        self.m2 += other.m2 + delta * delta * self.count as f64 * other.count as f64 / n;
        self.mean += delta * other.count as f64 / n;
        self.count += other.count;
        self.min = self.min.min(other.min);
        self.max = self.max.max(other.max);
    }

    /// Number of observations.
    pub fn count(&self) -> u64 {
        self.count
    }

    /// Mean, or NaN when empty.
    pub fn mean(&self) -> f64 {
        if self.count == 0 { f64::NAN } else { self.mean }
    }

    /// Sample variance (n − 1 denominator), or NaN with fewer than 2 observations.
    pub fn variance(&self) -> f64 {
        if self.count < 2 {
            f64::NAN
        } else {
            self.m2 / (self.count - 1) as f64
        }
    }

    /// Sample standard deviation.
    pub fn sd(&self) -> f64 {
        self.variance().sqrt()
    }

    /// Smallest observation, or NaN when empty.
    pub fn min(&self) -> f64 {
        if self.count == 0 { f64::NAN } else { self.min }
    }

    /// Largest observation, or NaN when empty.
    pub fn max(&self) -> f64 {
        if self.count == 0 { f64::NAN } else { self.max }
    }

    /// The 95% Student-t confidence interval of the mean.
    pub fn ci95(&self) -> ConfidenceInterval {
        ConfidenceInterval::from_tally(self, 0.95)
    }
}

/// The time average of a piecewise-constant signal, such as a queue length.
///
/// Call [`TimeWeighted::set`] whenever the value changes; the average covers
/// `[start, now]`. Two averages over disjoint or parallel periods merge by
/// adding their areas and durations.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TimeWeighted {
    value: f64,
    last_change: f64,
    start: f64,
    area: f64,
}

impl TimeWeighted {
    /// Starts at time `start` with value `value`.
    pub fn new(start: f64, value: f64) -> Self {
        Self {
            value,
            last_change: start,
            start,
            area: 0.0,
        }
    }

    /// Sets the value to `value` from time `now` on.
    #[inline]
    pub fn set(&mut self, now: f64, value: f64) {
        self.area += self.value * (now - self.last_change);
        self.last_change = now;
        self.value = value;
    }

    /// Adds `delta` to the value from time `now` on.
    #[inline]
    pub fn add(&mut self, now: f64, delta: f64) {
        self.set(now, self.value + delta);
    }

    /// The current value.
    pub fn value(&self) -> f64 {
        self.value
    }

    /// Forgets the past: the average restarts at `now` (end of a warm-up).
    pub fn reset(&mut self, now: f64) {
        self.area = 0.0;
        self.start = now;
        self.last_change = now;
    }

    /// The integral of the value over `[start, now]`.
    pub fn area(&self, now: f64) -> f64 {
        self.area + self.value * (now - self.last_change)
    }

    /// The time average over `[start, now]`, or NaN for an empty period.
    pub fn mean(&self, now: f64) -> f64 {
        let duration = now - self.start;
        if duration > 0.0 {
            self.area(now) / duration
        } else {
            f64::NAN
        }
    }
}

/// Approximate quantiles with a relative-accuracy guarantee (DDSketch), mergeable
/// and bounded in memory whatever the number of observations.
#[derive(Clone)]
pub struct QuantileSketch {
    sketch: DDSketch,
}

impl std::fmt::Debug for QuantileSketch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("QuantileSketch")
            .field("count", &self.sketch.count())
            .finish()
    }
}

impl Default for QuantileSketch {
    fn default() -> Self {
        Self::new()
    }
}

impl QuantileSketch {
    /// Relative accuracy of every quantile: the answer is within 0.5% of a true
    /// order statistic near the requested rank.
    pub const RELATIVE_ACCURACY: f64 = 0.005;

    /// An empty sketch.
    pub fn new() -> Self {
        Self {
            sketch: DDSketch::new(Config::new(Self::RELATIVE_ACCURACY, 4096, 1e-9)),
        }
    }

    /// Adds one non-negative observation.
    #[inline]
    pub fn add(&mut self, x: f64) {
        self.sketch.add(x);
    }

    /// Adds every observation of `other`.
    pub fn merge(&mut self, other: &QuantileSketch) {
        // Both sketches use the same configuration, the only failure case.
        let _ = self.sketch.merge(&other.sketch);
    }

    /// Number of observations.
    pub fn count(&self) -> usize {
        self.sketch.count()
    }

    /// The `q`-quantile (`q` in `[0, 1]`), or NaN when empty or `q` is out of range.
    pub fn quantile(&self, q: f64) -> f64 {
        self.sketch.quantile(q).ok().flatten().unwrap_or(f64::NAN)
    }
}

/// A confidence interval of a mean: `mean ± half_width`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ConfidenceInterval {
    /// The sample mean.
    pub mean: f64,
    /// Half-width (Student t with n − 1 degrees of freedom); NaN when n < 2.
    pub half_width: f64,
    /// Sample size.
    pub n: u64,
}

impl ConfidenceInterval {
    /// The `level` (e.g. 0.95) Student-t interval of the mean of `tally`'s observations.
    pub fn from_tally(tally: &Tally, level: f64) -> Self {
        let n = tally.count();
        let half_width = if n < 2 {
            f64::NAN
        } else {
            student_t_quantile(0.5 + level / 2.0, (n - 1) as f64) * tally.sd() / (n as f64).sqrt()
        };
        Self {
            mean: tally.mean(),
            half_width,
            n,
        }
    }

    /// True when `value` lies inside the interval.
    pub fn contains(&self, value: f64) -> bool {
        (value - self.mean).abs() <= self.half_width
    }
}

/// The Wilson score interval of a proportion: `successes` out of `n` trials,
/// at confidence `level` (e.g. 0.95). Unlike the normal (Wald) interval it
/// stays inside [0, 1] and does not collapse to a point at 0 or n successes.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
pub struct ProportionInterval {
    /// `successes / n`.
    pub estimate: f64,
    /// Lower end.
    pub low: f64,
    /// Upper end.
    pub high: f64,
    /// Number of trials.
    pub n: u64,
}

impl ProportionInterval {
    /// The Wilson interval (Wilson 1927): with `z` the standard normal
    /// `(1 + level) / 2` quantile and `p = successes / n`, the centre is
    /// `(p + z²/2n) / (1 + z²/n)` and the half-width
    /// `z / (1 + z²/n) · sqrt(p(1 − p)/n + z²/4n²)`. NaN ends when `n` is 0.
    ///
    /// # Examples
    ///
    /// ```
    /// use sim_core::ProportionInterval;
    ///
    /// let all = ProportionInterval::wilson(20, 20, 0.95);
    /// assert_eq!(all.estimate, 1.0);
    /// assert!(all.low > 0.83 && all.low < 0.84); // 20 / (20 + z²) = 0.8389
    /// assert!((all.high - 1.0).abs() < 1e-12);
    /// ```
    pub fn wilson(successes: u64, n: u64, level: f64) -> Self {
        if n == 0 {
            return Self {
                estimate: f64::NAN,
                low: f64::NAN,
                high: f64::NAN,
                n,
            };
        }
        let z = Normal::new(0.0, 1.0).map_or(f64::NAN, |d| d.inverse_cdf(0.5 + level / 2.0));
        let (k, n_f) = (successes as f64, n as f64);
        let p = k / n_f;
        let z2 = z * z;
        let denominator = 1.0 + z2 / n_f;
        let centre = (p + z2 / (2.0 * n_f)) / denominator;
        let half = z / denominator * (p * (1.0 - p) / n_f + z2 / (4.0 * n_f * n_f)).sqrt();
        Self {
            estimate: p,
            low: (centre - half).max(0.0),
            high: (centre + half).min(1.0),
            n,
        }
    }
}

/// The `p`-quantile of Student's t with `dof` (> 0, not necessarily
/// integral) degrees of freedom; NaN for other `dof`.
pub fn student_t_quantile(p: f64, dof: f64) -> f64 {
    StudentsT::new(0.0, 1.0, dof).map_or(f64::NAN, |t| t.inverse_cdf(p))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wilson_matches_newcombes_published_intervals() {
        // Newcombe (1998), Statistics in Medicine 17:857-872, table II, method 3
        // (score interval without continuity correction), to 4 decimals.
        for (k, n, low, high) in [
            (81, 263, 0.2553, 0.3662),
            (15, 148, 0.0624, 0.1605),
            (0, 20, 0.0, 0.1611),
            (1, 29, 0.0061, 0.1718),
        ] {
            let ci = ProportionInterval::wilson(k, n, 0.95);
            assert!((ci.low - low).abs() < 5e-5, "{k}/{n}: low {}", ci.low);
            assert!((ci.high - high).abs() < 5e-5, "{k}/{n}: high {}", ci.high);
        }
        assert!(ProportionInterval::wilson(0, 0, 0.95).low.is_nan());
    }

    #[test]
    fn tally_matches_two_pass_formulas_and_merges_exactly() {
        let xs = [2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0];
        let mut all = Tally::new();
        xs.iter().for_each(|&x| all.add(x));
        assert_eq!(all.count(), 8);
        assert!((all.mean() - 5.0).abs() < 1e-12);
        assert!((all.variance() - 32.0 / 7.0).abs() < 1e-12);
        assert_eq!((all.min(), all.max()), (2.0, 9.0));
        let (mut left, mut right) = (Tally::new(), Tally::new());
        xs[..3].iter().for_each(|&x| left.add(x));
        xs[3..].iter().for_each(|&x| right.add(x));
        left.merge(&right);
        assert!((left.mean() - all.mean()).abs() < 1e-12);
        assert!((left.variance() - all.variance()).abs() < 1e-12);
        assert_eq!(left.count(), 8);
    }

    #[test]
    fn ci95_uses_student_t() {
        let mut t = Tally::new();
        [1.0, 2.0, 3.0, 4.0, 5.0].iter().for_each(|&x| t.add(x));
        // t(0.975, 4) = 2.776445; sd = sqrt(2.5).
        let ci = t.ci95();
        assert!((ci.half_width - 2.776445 * 2.5f64.sqrt() / 5f64.sqrt()).abs() < 1e-5);
        assert!(ci.contains(3.0) && !ci.contains(5.0));
    }

    #[test]
    fn time_weighted_average_of_a_step_signal() {
        let mut w = TimeWeighted::new(0.0, 0.0);
        w.set(1.0, 2.0); // 0 on [0,1)
        w.set(3.0, 1.0); // 2 on [1,3)
        assert!((w.mean(4.0) - 5.0 / 4.0).abs() < 1e-12); // 1 on [3,4]
        w.reset(4.0);
        assert!((w.mean(6.0) - 1.0).abs() < 1e-12);
    }

    #[test]
    fn sketch_quantiles_are_within_relative_accuracy() {
        let mut s = QuantileSketch::new();
        (1..=10_000).for_each(|i| s.add(f64::from(i)));
        for (q, exact) in [(0.5, 5000.0), (0.9, 9000.0), (0.95, 9500.0)] {
            let got = s.quantile(q);
            assert!((got - exact).abs() / exact < 0.006, "q{q}: {got}");
        }
        let mut half = QuantileSketch::new();
        (1..=5_000).for_each(|i| half.add(f64::from(i)));
        let mut other = QuantileSketch::new();
        (5_001..=10_000).for_each(|i| other.add(f64::from(i)));
        half.merge(&other);
        assert_eq!(half.count(), 10_000);
        assert_eq!(half.quantile(0.9), s.quantile(0.9));
    }
}
