//! Probability distributions of durations, built on rand_distr, given by their own
//! parameters or by mean and coefficient of variation.

use std::sync::Arc;

use rand::distr::Distribution as _;
use rand_distr::{Exp1, Gamma, LogNormal, StandardNormal, Triangular, Weibull};
use statrs::function::gamma::ln_gamma;

use crate::RandomStream;

/// The largest coefficient of variation of a lognormal or Weibull duration.
/// Above it the mean is dominated by draws so rare that no run sees them (a
/// Weibull of shape 0.001 has a mean of 10^2564 times its scale): the sample
/// mean of a run says nothing about the distribution's, and the mean may not
/// even be a finite `f64`.
pub const MAX_CV: f64 = 20.0;

/// The largest lognormal `sigma`: the one of cv [`MAX_CV`], √ln(1 + 20²).
pub const LOGNORMAL_MAX_SIGMA: f64 = 2.448_256_814_001_866_6;

/// The smallest Weibull `shape`: the one of cv [`MAX_CV`].
pub const WEIBULL_MIN_SHAPE: f64 = 0.186_605_860_883_385;

/// Erlang distributions with more phases than this are drawn as a gamma of
/// integer shape (the same distribution; one draw instead of `k`), so that a
/// huge `k` (or a tiny cv) costs no more than a small one. Up to it the sum of
/// exponentials is kept, which keeps the random numbers of existing scenarios.
pub const ERLANG_SUM_MAX_PHASES: u32 = 64;

/// Why a distribution cannot be built from the given parameters.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum DistributionError {
    /// One parameter is out of range.
    #[error("`{param}` must be {requirement}, got {value}")]
    Parameter {
        /// The parameter's name as users write it.
        param: &'static str,
        /// The offending value.
        value: f64,
        /// What the value must be, e.g. "positive and finite".
        requirement: &'static str,
    },
    /// The family cannot have this mean and coefficient of variation.
    #[error("a {family} distribution cannot have mean {mean} and cv {cv}: {reason}")]
    MeanCv {
        /// The distribution family.
        family: &'static str,
        /// The requested mean.
        mean: f64,
        /// The requested coefficient of variation.
        cv: f64,
        /// Which values are possible.
        reason: &'static str,
    },
    /// The parameters are inconsistent with each other.
    #[error("{0}")]
    Inconsistent(String),
}

/// A distribution of non-negative durations (or of any real for `Normal`'s
/// untruncated parameters), ready to sample.
///
/// Every positive family can be built from its own parameters or from
/// `(mean, cv)` with [`Distribution::from_mean_cv`]. Sampling costs a few
/// nanoseconds and never allocates.
#[derive(Clone, Debug, PartialEq)]
pub enum Distribution {
    /// Always `value`.
    Constant {
        /// The value.
        value: f64,
    },
    /// Exponential with the given mean.
    Exponential {
        /// Mean (1/rate).
        mean: f64,
    },
    /// Uniform on `[min, max]`.
    Uniform {
        /// Lower bound.
        min: f64,
        /// Upper bound.
        max: f64,
    },
    /// Triangular on `[min, max]` with mode `mode`.
    Triangular {
        /// Lower bound.
        min: f64,
        /// Most likely value.
        mode: f64,
        /// Upper bound.
        max: f64,
    },
    /// Normal with `mean` and `sd`, truncated at 0 (negative draws are redrawn).
    Normal {
        /// Mean of the untruncated normal.
        mean: f64,
        /// Standard deviation of the untruncated normal.
        sd: f64,
    },
    /// Lognormal: `exp(N(mu, sigma²))`.
    LogNormal {
        /// Mean of the underlying normal.
        mu: f64,
        /// Standard deviation of the underlying normal.
        sigma: f64,
    },
    /// Gamma with `shape` k and `scale` θ (mean kθ).
    Gamma {
        /// Shape k.
        shape: f64,
        /// Scale θ.
        scale: f64,
    },
    /// Erlang: the sum of `k` exponentials with total mean `mean`.
    Erlang {
        /// Number of phases.
        k: u32,
        /// Mean of the sum.
        mean: f64,
    },
    /// Weibull with `shape` k and `scale` λ.
    Weibull {
        /// Shape k.
        shape: f64,
        /// Scale λ.
        scale: f64,
    },
    /// Discrete empirical: `values[i]` with probability `weights[i] / sum(weights)`.
    ///
    /// The tables are shared (`Arc`): cloning the distribution for each of many
    /// servers does not copy them.
    Discrete {
        /// The possible values.
        values: Arc<[f64]>,
        /// Cumulative probabilities, ending at 1.
        cumulative: Arc<[f64]>,
    },
    /// Continuous empirical: a piecewise-linear CDF through `(x, F(x))` points.
    /// The tables are shared (`Arc`), as for [`Distribution::Discrete`].
    PiecewiseLinear {
        /// Breakpoints, non-decreasing.
        xs: Arc<[f64]>,
        /// CDF at the breakpoints, from 0 to 1, non-decreasing.
        cdf: Arc<[f64]>,
    },
}

fn require(
    param: &'static str,
    value: f64,
    ok: bool,
    requirement: &'static str,
) -> Result<(), DistributionError> {
    if ok {
        Ok(())
    } else {
        Err(DistributionError::Parameter {
            param,
            value,
            requirement,
        })
    }
}

fn positive(param: &'static str, value: f64) -> Result<(), DistributionError> {
    require(
        param,
        value,
        value.is_finite() && value > 0.0,
        "positive and finite",
    )
}

fn non_negative(param: &'static str, value: f64) -> Result<(), DistributionError> {
    require(
        param,
        value,
        value.is_finite() && value >= 0.0,
        "non-negative and finite",
    )
}

impl Distribution {
    /// Always `value` (non-negative).
    pub fn constant(value: f64) -> Result<Self, DistributionError> {
        non_negative("value", value)?;
        Ok(Self::Constant { value })
    }

    /// Exponential with mean `mean` (> 0).
    pub fn exponential(mean: f64) -> Result<Self, DistributionError> {
        positive("mean", mean)?;
        Ok(Self::Exponential { mean })
    }

    /// Uniform on `[min, max]`, `0 <= min <= max`.
    pub fn uniform(min: f64, max: f64) -> Result<Self, DistributionError> {
        non_negative("min", min)?;
        non_negative("max", max)?;
        require("max", max, max >= min, "at least `min`")?;
        Ok(Self::Uniform { min, max })
    }

    /// Triangular on `[min, max]` with mode `mode`, `0 <= min <= mode <= max`, `min < max`.
    pub fn triangular(min: f64, mode: f64, max: f64) -> Result<Self, DistributionError> {
        non_negative("min", min)?;
        require(
            "mode",
            mode,
            mode.is_finite() && mode >= min,
            "between `min` and `max`",
        )?;
        require(
            "max",
            max,
            max.is_finite() && max >= mode && max > min,
            "above `min` and at least `mode`",
        )?;
        Ok(Self::Triangular { min, mode, max })
    }

    /// Normal with `mean` (> 0) and `sd` (>= 0), truncated at 0.
    pub fn normal(mean: f64, sd: f64) -> Result<Self, DistributionError> {
        positive("mean", mean)?;
        non_negative("sd", sd)?;
        Ok(Self::Normal { mean, sd })
    }

    /// Lognormal `exp(N(mu, sigma²))`, `0 <= sigma <=` [`LOGNORMAL_MAX_SIGMA`]
    /// (a cv of at most [`MAX_CV`]).
    pub fn lognormal(mu: f64, sigma: f64) -> Result<Self, DistributionError> {
        require("mu", mu, mu.is_finite(), "finite")?;
        non_negative("sigma", sigma)?;
        require(
            "sigma",
            sigma,
            sigma <= LOGNORMAL_MAX_SIGMA,
            "at most 2.4483 (a cv of 20)",
        )?;
        Ok(Self::LogNormal { mu, sigma })
    }

    /// Gamma with `shape` (> 0) and `scale` (> 0).
    pub fn gamma(shape: f64, scale: f64) -> Result<Self, DistributionError> {
        positive("shape", shape)?;
        positive("scale", scale)?;
        Ok(Self::Gamma { shape, scale })
    }

    /// Erlang with `k >= 1` phases and total mean `mean` (> 0).
    pub fn erlang(k: u32, mean: f64) -> Result<Self, DistributionError> {
        require("k", f64::from(k), k >= 1, "a positive integer")?;
        positive("mean", mean)?;
        Ok(Self::Erlang { k, mean })
    }

    /// Weibull with `shape` (>= [`WEIBULL_MIN_SHAPE`], a cv of at most
    /// [`MAX_CV`]) and `scale` (> 0).
    pub fn weibull(shape: f64, scale: f64) -> Result<Self, DistributionError> {
        positive("shape", shape)?;
        // The bisection of `from_mean_cv` may land a hair below the bound at cv 20.
        require(
            "shape",
            shape,
            shape >= WEIBULL_MIN_SHAPE * (1.0 - 1e-9),
            "at least 0.18661 (a cv of 20)",
        )?;
        positive("scale", scale)?;
        Ok(Self::Weibull { shape, scale })
    }

    /// Discrete empirical: `values[i]` (>= 0) with probability proportional to `weights[i]` (>= 0).
    pub fn discrete(values: &[f64], weights: &[f64]) -> Result<Self, DistributionError> {
        if values.is_empty() || values.len() != weights.len() {
            return Err(DistributionError::Inconsistent(format!(
                "`values` and `weights` must be non-empty and of equal length, got {} and {}",
                values.len(),
                weights.len()
            )));
        }
        for &v in values {
            non_negative("values", v)?;
        }
        for &w in weights {
            non_negative("weights", w)?;
        }
        let total: f64 = weights.iter().sum();
        positive("sum of weights", total)?;
        let mut acc = 0.0;
        let mut cumulative: Vec<f64> = weights
            .iter()
            .map(|w| {
                acc += w;
                acc / total
            })
            .collect();
        *cumulative.last_mut().expect("non-empty") = 1.0;
        Ok(Self::Discrete {
            values: values.into(),
            cumulative: cumulative.into(),
        })
    }

    /// Continuous empirical with a piecewise-linear CDF through `points` `(x, F(x))`:
    /// `x` non-decreasing and >= 0, `F` non-decreasing from 0 to 1.
    pub fn piecewise_linear(points: &[(f64, f64)]) -> Result<Self, DistributionError> {
        if points.len() < 2 {
            return Err(DistributionError::Inconsistent(format!(
                "`points` needs at least 2 (x, cdf) pairs, got {}",
                points.len()
            )));
        }
        for window in points.windows(2) {
            let ((x0, f0), (x1, f1)) = (window[0], window[1]);
            require("x", x1, x1.is_finite() && x1 >= x0, "non-decreasing")?;
            require("cdf", f1, f1.is_finite() && f1 >= f0, "non-decreasing")?;
        }
        non_negative("x", points[0].0)?;
        let (first_f, last_f) = (points[0].1, points[points.len() - 1].1);
        require("cdf", first_f, first_f == 0.0, "0 at the first point")?;
        require("cdf", last_f, last_f == 1.0, "1 at the last point")?;
        Ok(Self::PiecewiseLinear {
            xs: points.iter().map(|p| p.0).collect::<Vec<_>>().into(),
            cdf: points.iter().map(|p| p.1).collect::<Vec<_>>().into(),
        })
    }

    /// The member of `family` with the given `mean` (> 0) and coefficient of
    /// variation `cv` (sd / mean, >= 0).
    ///
    /// Families: `constant` (cv 0), `exponential` (cv 1), `uniform` (cv <= 1/√3),
    /// `triangular` (symmetric, cv <= 1/√6), `normal` (cv <= 1/3, so that the
    /// truncation at 0 moves the mean by less than 0.2%), `lognormal`, `gamma`,
    /// `erlang` (1/cv² an integer), `weibull` (shape solved numerically).
    pub fn from_mean_cv(family: &str, mean: f64, cv: f64) -> Result<Self, DistributionError> {
        positive("mean", mean)?;
        non_negative("cv", cv)?;
        let fail = |family: &'static str, reason: &'static str| DistributionError::MeanCv {
            family,
            mean,
            cv,
            reason,
        };
        match family {
            "constant" if cv == 0.0 => Self::constant(mean),
            "constant" => Err(fail("constant", "its cv is 0")),
            "exponential" if (cv - 1.0).abs() < 1e-12 => Self::exponential(mean),
            "exponential" => Err(fail("exponential", "its cv is 1")),
            "uniform" if cv <= 1.0 / 3f64.sqrt() => {
                let half = mean * cv * 3f64.sqrt();
                Self::uniform(mean - half, mean + half)
            }
            "uniform" => Err(fail(
                "uniform",
                "a non-negative uniform has cv <= 1/sqrt(3) = 0.577",
            )),
            "triangular" if cv == 0.0 => Self::constant(mean),
            "triangular" if cv <= 1.0 / 6f64.sqrt() => {
                let half = mean * cv * 6f64.sqrt();
                Self::triangular(mean - half, mean, mean + half)
            }
            "triangular" => Err(fail(
                "triangular",
                "a symmetric non-negative triangular has cv <= 1/sqrt(6) = 0.408",
            )),
            "normal" if cv <= 1.0 / 3.0 => Self::normal(mean, mean * cv),
            "normal" => Err(fail(
                "normal",
                "cv must be <= 1/3 (above it, truncation at 0 changes the mean); use gamma or lognormal",
            )),
            "lognormal" if cv > MAX_CV => Err(fail("lognormal", "cv must be at most 20")),
            "lognormal" => {
                let sigma2 = (1.0 + cv * cv).ln();
                Self::lognormal(mean.ln() - sigma2 / 2.0, sigma2.sqrt())
            }
            "gamma" if cv > 0.0 => Self::gamma(1.0 / (cv * cv), mean * cv * cv),
            "gamma" => Err(fail("gamma", "cv must be positive")),
            "erlang" => {
                let k = if cv > 0.0 {
                    1.0 / (cv * cv)
                } else {
                    f64::INFINITY
                };
                let rounded = k.round();
                if cv > 0.0
                    && (k - rounded).abs() < 1e-9 * k.max(1.0)
                    && rounded >= 1.0
                    && rounded <= f64::from(u32::MAX)
                {
                    Self::erlang(rounded as u32, mean)
                } else {
                    Err(fail(
                        "erlang",
                        "1/cv² must be a positive integer (cv = 1, 0.707, 0.577, 0.5, ...)",
                    ))
                }
            }
            "weibull" if cv > 0.0 => {
                let shape = (0.01..=MAX_CV)
                    .contains(&cv)
                    .then(|| weibull_shape_for_cv(cv))
                    .flatten()
                    .ok_or_else(|| fail("weibull", "cv must be in [0.01, 20]"))?;
                let scale = mean / ln_gamma(1.0 + 1.0 / shape).exp();
                Self::weibull(shape, scale)
            }
            "weibull" => Err(fail("weibull", "cv must be positive")),
            "discrete" | "piecewise_linear" => Err(DistributionError::Inconsistent(format!(
                "a {family} distribution is given by its points, not by mean and cv"
            ))),
            _ => Err(DistributionError::Inconsistent(format!(
                "unknown distribution family `{family}`"
            ))),
        }
    }

    /// Checks the parameters as the constructors do, for a value built directly from
    /// the public variants.
    pub fn check(&self) -> Result<(), DistributionError> {
        let rebuilt = match self {
            Self::Constant { value } => Self::constant(*value),
            Self::Exponential { mean } => Self::exponential(*mean),
            Self::Uniform { min, max } => Self::uniform(*min, *max),
            Self::Triangular { min, mode, max } => Self::triangular(*min, *mode, *max),
            Self::Normal { mean, sd } => Self::normal(*mean, *sd),
            Self::LogNormal { mu, sigma } => Self::lognormal(*mu, *sigma),
            Self::Gamma { shape, scale } => Self::gamma(*shape, *scale),
            Self::Erlang { k, mean } => Self::erlang(*k, *mean),
            Self::Weibull { shape, scale } => Self::weibull(*shape, *scale),
            Self::Discrete { values, cumulative } => {
                let mut previous = 0.0;
                let weights: Vec<f64> = cumulative
                    .iter()
                    .map(|c| {
                        let w = c - previous;
                        previous = *c;
                        w
                    })
                    .collect();
                let ends_at_one = cumulative.last() == Some(&1.0);
                require("cumulative", previous, ends_at_one, "1 at the last value")?;
                Self::discrete(values, &weights)
            }
            Self::PiecewiseLinear { xs, cdf } => {
                if xs.len() != cdf.len() {
                    return Err(DistributionError::Inconsistent(format!(
                        "`xs` and `cdf` must have equal lengths, got {} and {}",
                        xs.len(),
                        cdf.len()
                    )));
                }
                let points: Vec<(f64, f64)> = xs.iter().copied().zip(cdf.iter().copied()).collect();
                Self::piecewise_linear(&points)
            }
        };
        rebuilt.map(|_| ())
    }

    /// The mean of the distribution (of the untruncated normal for `Normal`).
    pub fn mean(&self) -> f64 {
        match self {
            Self::Constant { value } => *value,
            Self::Exponential { mean } | Self::Normal { mean, .. } | Self::Erlang { mean, .. } => {
                *mean
            }
            Self::Uniform { min, max } => (min + max) / 2.0,
            Self::Triangular { min, mode, max } => (min + mode + max) / 3.0,
            Self::LogNormal { mu, sigma } => (mu + sigma * sigma / 2.0).exp(),
            Self::Gamma { shape, scale } => shape * scale,
            Self::Weibull { shape, scale } => scale * ln_gamma(1.0 + 1.0 / shape).exp(),
            Self::Discrete { values, cumulative } => {
                let mut previous = 0.0;
                values
                    .iter()
                    .zip(cumulative.iter())
                    .map(|(v, c)| {
                        let p = c - previous;
                        previous = *c;
                        v * p
                    })
                    .sum()
            }
            Self::PiecewiseLinear { xs, cdf } => xs
                .windows(2)
                .zip(cdf.windows(2))
                .map(|(x, f)| (f[1] - f[0]) * (x[0] + x[1]) / 2.0)
                .sum(),
        }
    }

    /// Draws one value. Never allocates.
    #[inline]
    pub fn sample(&self, rng: &mut RandomStream) -> f64 {
        match self {
            Self::Constant { value } => *value,
            Self::Exponential { mean } => {
                let e: f64 = Exp1.sample(rng);
                e * mean
            }
            Self::Uniform { min, max } => min + (max - min) * rng.uniform01(),
            Self::Triangular { min, mode, max } => {
                // Validated: min <= mode <= max, min < max.
                Triangular::new(*min, *max, *mode).map_or(*mode, |t| t.sample(rng))
            }
            Self::Normal { mean, sd } => loop {
                let z: f64 = StandardNormal.sample(rng);
                let x = mean + sd * z;
                if x >= 0.0 {
                    break x;
                }
            },
            Self::LogNormal { mu, sigma } => {
                LogNormal::new(*mu, *sigma).map_or(0.0, |d| d.sample(rng))
            }
            Self::Gamma { shape, scale } => {
                Gamma::new(*shape, *scale).map_or(0.0, |d| d.sample(rng))
            }
            Self::Erlang { k, mean } if *k > ERLANG_SUM_MAX_PHASES => {
                // The same distribution as a gamma of integer shape k: one draw.
                let k = f64::from(*k);
                Gamma::new(k, mean / k).map_or(*mean, |d| d.sample(rng))
            }
            Self::Erlang { k, mean } => {
                // Sum of k exponentials: exact, and cheap for the small k used in practice.
                let phase = mean / f64::from(*k);
                (0..*k)
                    .map(|_| {
                        let e: f64 = Exp1.sample(rng);
                        phase * e
                    })
                    .sum::<f64>()
            }
            Self::Weibull { shape, scale } => {
                Weibull::new(*scale, *shape).map_or(0.0, |d| d.sample(rng))
            }
            Self::Discrete { values, cumulative } => {
                let u = rng.uniform01();
                let i = cumulative
                    .partition_point(|&c| c <= u)
                    .min(values.len() - 1);
                values[i]
            }
            Self::PiecewiseLinear { xs, cdf } => {
                let u = rng.uniform01();
                // First breakpoint whose CDF exceeds u; interpolate on the segment before it.
                let j = cdf.partition_point(|&f| f <= u).clamp(1, xs.len() - 1);
                let (f0, f1) = (cdf[j - 1], cdf[j]);
                let t = if f1 > f0 { (u - f0) / (f1 - f0) } else { 0.0 };
                xs[j - 1] + t * (xs[j] - xs[j - 1])
            }
        }
    }
}

/// The Weibull shape k whose coefficient of variation is `cv`:
/// cv² = Γ(1 + 2/k) / Γ(1 + 1/k)² − 1, which decreases in k. Solved by bisection on ln k.
fn weibull_shape_for_cv(cv: f64) -> Option<f64> {
    let cv_of = |k: f64| {
        (ln_gamma(1.0 + 2.0 / k) - 2.0 * ln_gamma(1.0 + 1.0 / k))
            .exp_m1()
            .sqrt()
    };
    let (mut lo, mut hi) = (0.05f64.ln(), 200f64.ln());
    if cv > cv_of(lo.exp()) || cv < cv_of(hi.exp()) {
        return None;
    }
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if cv_of(mid.exp()) > cv {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    Some((0.5 * (lo + hi)).exp())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::StreamKey;

    /// Sample mean and cv of `n` draws.
    fn moments(d: &Distribution, n: usize) -> (f64, f64) {
        let mut rng = RandomStream::new(11, 0, StreamKey::new("test", "moments", 0));
        let xs: Vec<f64> = (0..n).map(|_| d.sample(&mut rng)).collect();
        assert!(xs.iter().all(|x| *x >= 0.0 && x.is_finite()));
        let mean = xs.iter().sum::<f64>() / n as f64;
        let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
        (mean, var.sqrt() / mean)
    }

    #[test]
    fn mean_cv_families_have_the_requested_moments() {
        let n = 400_000;
        for family in [
            "uniform",
            "triangular",
            "normal",
            "lognormal",
            "gamma",
            "erlang",
            "weibull",
        ] {
            let cv = if family == "erlang" { 0.5 } else { 0.3 };
            let d = Distribution::from_mean_cv(family, 2.0, cv).unwrap();
            assert!(
                (d.mean() - 2.0).abs() < 1e-9,
                "{family}: analytic mean {}",
                d.mean()
            );
            let (m, c) = moments(&d, n);
            // sd of the sample mean = 2 * cv / sqrt(n) ~ 0.001: 5 sd = 0.005.
            assert!((m - 2.0).abs() < 0.005, "{family}: sample mean {m}");
            assert!((c - cv).abs() < 0.01, "{family}: sample cv {c}");
        }
        let (m, c) = moments(&Distribution::exponential(2.0).unwrap(), n);
        assert!((m - 2.0).abs() < 0.016 && (c - 1.0).abs() < 0.01);
    }

    #[test]
    fn impossible_mean_cv_is_rejected_with_the_reason() {
        let err = Distribution::from_mean_cv("uniform", 1.0, 0.9).unwrap_err();
        assert_eq!(
            err.to_string(),
            "a uniform distribution cannot have mean 1 and cv 0.9: a non-negative uniform has cv <= 1/sqrt(3) = 0.577"
        );
        assert!(Distribution::from_mean_cv("erlang", 1.0, 0.6).is_err());
        assert!(Distribution::from_mean_cv("exponential", 1.0, 0.5).is_err());
        assert_eq!(
            Distribution::from_mean_cv("gamma", -1.0, 0.5)
                .unwrap_err()
                .to_string(),
            "`mean` must be positive and finite, got -1"
        );
        assert_eq!(
            Distribution::exponential(f64::NAN).unwrap_err().to_string(),
            "`mean` must be positive and finite, got NaN"
        );
    }

    #[test]
    fn cv_bounds_of_lognormal_and_weibull_are_the_documented_cv() {
        let sigma_cv = (LOGNORMAL_MAX_SIGMA.powi(2).exp() - 1.0).sqrt();
        assert!((sigma_cv - MAX_CV).abs() < 1e-9, "{sigma_cv}");
        let shape = weibull_shape_for_cv(MAX_CV).unwrap();
        assert!((shape / WEIBULL_MIN_SHAPE - 1.0).abs() < 1e-9, "{shape}");
        assert!(Distribution::from_mean_cv("weibull", 1.0, MAX_CV).is_ok());
        assert!(Distribution::from_mean_cv("lognormal", 1.0, MAX_CV).is_ok());
        assert_eq!(
            Distribution::lognormal(0.0, 50.0).unwrap_err().to_string(),
            "`sigma` must be at most 2.4483 (a cv of 20), got 50"
        );
        assert_eq!(
            Distribution::weibull(0.001, 1.0).unwrap_err().to_string(),
            "`shape` must be at least 0.18661 (a cv of 20), got 0.001"
        );
        assert_eq!(
            Distribution::from_mean_cv("weibull", 1.0, 25.0)
                .unwrap_err()
                .to_string(),
            "a weibull distribution cannot have mean 1 and cv 25: cv must be in [0.01, 20]"
        );
        assert_eq!(
            Distribution::from_mean_cv("lognormal", 1.0, 25.0)
                .unwrap_err()
                .to_string(),
            "a lognormal distribution cannot have mean 1 and cv 25: cv must be at most 20"
        );
    }

    #[test]
    fn erlang_with_few_phases_is_still_a_sum_of_exponentials() {
        // The random numbers of existing scenarios do not change.
        let key = StreamKey::new("test", "erlang", 0);
        let erlang = Distribution::erlang(3, 6.0).unwrap();
        let (mut a, mut b) = (RandomStream::new(5, 0, key), RandomStream::new(5, 0, key));
        for _ in 0..100 {
            let sum: f64 = (0..3)
                .map(|_| {
                    let e: f64 = Exp1.sample(&mut b);
                    2.0 * e
                })
                .sum::<f64>();
            assert_eq!(erlang.sample(&mut a), sum);
        }
    }

    #[test]
    fn erlang_with_four_billion_phases_samples_at_once() {
        // Used to sum 4 294 967 295 exponentials per draw.
        let d = Distribution::erlang(u32::MAX, 2.0).unwrap();
        let (m, c) = moments(&d, 10_000);
        // cv = 1/sqrt(k) ~ 1.5e-5: every draw is within 1e-3 of the mean.
        assert!((m - 2.0).abs() < 1e-3, "{m}");
        assert!(c < 1e-3, "{c}");
        let d = Distribution::erlang(100, 2.0).unwrap();
        let (m, c) = moments(&d, 200_000);
        // sd of the sample mean = 2 * 0.1 / sqrt(n) ~ 4.5e-4: 5 sd.
        assert!((m - 2.0).abs() < 0.0023, "{m}");
        assert!((c - 0.1).abs() < 0.002, "{c}");
    }

    #[test]
    fn empirical_tables_are_shared_by_clones() {
        let d = Distribution::discrete(&[1.0, 2.0], &[1.0, 1.0]).unwrap();
        let copy = d.clone();
        match (&d, &copy) {
            (
                Distribution::Discrete { values: a, .. },
                Distribution::Discrete { values: b, .. },
            ) => assert!(Arc::ptr_eq(a, b)),
            _ => unreachable!(),
        }
    }

    #[test]
    fn check_rejects_variants_built_with_bad_parameters() {
        assert!(Distribution::Exponential { mean: 1.0 }.check().is_ok());
        assert_eq!(
            Distribution::Exponential { mean: -1.0 }
                .check()
                .unwrap_err()
                .to_string(),
            "`mean` must be positive and finite, got -1"
        );
        let bad_cdf = Distribution::Discrete {
            values: vec![1.0, 2.0].into(),
            cumulative: vec![0.5, 0.9].into(),
        };
        assert!(bad_cdf.check().is_err());
        let good = Distribution::discrete(&[1.0, 2.0], &[1.0, 3.0]).unwrap();
        assert!(good.check().is_ok());
    }

    #[test]
    fn empirical_distributions_match_their_definition() {
        let d = Distribution::discrete(&[1.0, 2.0, 4.0], &[1.0, 1.0, 2.0]).unwrap();
        assert!((d.mean() - 2.75).abs() < 1e-12);
        let (m, _) = moments(&d, 200_000);
        assert!((m - 2.75).abs() < 0.02);
        // Uniform on [0, 1] then on [1, 3] with half the mass each: mean 0.25 + 1.0.
        let p = Distribution::piecewise_linear(&[(0.0, 0.0), (1.0, 0.5), (3.0, 1.0)]).unwrap();
        assert!((p.mean() - 1.25).abs() < 1e-12);
        let (m, _) = moments(&p, 200_000);
        assert!((m - 1.25).abs() < 0.01);
        assert!(Distribution::piecewise_linear(&[(0.0, 0.0), (1.0, 0.9)]).is_err());
    }
}
