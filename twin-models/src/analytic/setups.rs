//! Exact reference models for single machines with sequence-dependent setups (changeovers).
//!
//! The models share the simulator's setup semantics: a server is configured for one product
//! family at a time; an idle server stays configured for the last family it made; a setup starts
//! as soon as the server chooses a part of another family, is never interrupted, and ends with
//! the server processing that part; a part's lead time (sojourn) includes its own setup.
//!
//! - [`CampaignCycle`]: a saturated machine producing fixed campaigns in a cyclic order. Closed
//!   forms from the renewal-reward theorem; any distributions.
//! - [`FifoSetupMg1`]: FIFO service of Poisson arrivals whose families are mixed uniformly, with
//!   one setup distribution for every change of family. An M/G/1 queue, so the
//!   Pollaczek–Khinchine formulas are exact.
//! - [`ExhaustiveTwoFamilyCtmc`]: two families served exhaustively (in campaigns), all times
//!   exponential. A continuous-time Markov chain truncated far out in its tail and solved by
//!   linear level reduction.

use nalgebra::{DMatrix, DVector};

use super::{AnalyticError, non_negative, positive};

fn parameter_error(name: &str, value: f64, requirement: String) -> AnalyticError {
    AnalyticError::Parameter {
        name: name.to_owned(),
        value,
        requirement,
    }
}

/// A second moment of a non-negative random variable with mean `mean`: finite, at least
/// `mean²`, and 0 when the mean is 0 (a non-negative variable with mean 0 is 0). A relative
/// slack of 1e-12 lets a constant time pass: `0.64` is below `0.8 * 0.8` in floating point.
fn second_moment(name: &str, value: f64, mean_name: &str, mean: f64) -> Result<f64, AnalyticError> {
    let square = mean * mean;
    if mean == 0.0 && value != 0.0 {
        Err(parameter_error(
            name,
            value,
            format!("0 when {mean_name} = 0"),
        ))
    } else if !(value.is_finite() && value >= square * (1.0 - 1e-12)) {
        Err(parameter_error(
            name,
            value,
            format!("finite and at least {mean_name}^2 = {square}"),
        ))
    } else {
        Ok(value)
    }
}

// ---------------------------------------------------------------------------------------------
// Campaign cycle
// ---------------------------------------------------------------------------------------------

/// A saturated single machine producing fixed campaigns in a cyclic order: `campaign_sizes[0]`
/// parts of product 0, a setup to product 1, `campaign_sizes[1]` parts of product 1, and so on,
/// until a setup from the last product back to product 0 closes the cycle.
///
/// The machine is never starved, so it is always processing or setting up. With `Q_i` the
/// campaign size and `p_i` the mean processing time of product `i`, and `s_{i,i+1}` the mean
/// setup time from product `i` to the next one (indices modulo the number of products `k`), a
/// cycle lasts on average
///
/// ```text
/// C = sum_i Q_i p_i + sum_i s_{i,i+1}
/// ```
///
/// and the renewal-reward theorem gives each long-run rate as the expected reward per cycle
/// over `C`: throughput `sum_i Q_i / C` (product `i`: `Q_i / C`), processing (busy) fraction
/// `sum_i Q_i p_i / C`, setup fraction `sum_i s_{i,i+1} / C` (the two sum to 1), and `k / C`
/// setups per time unit. Only the means enter: the formulas hold for any distributions of the
/// processing and setup times with these means, as long as the cycles are independent and
/// identically distributed (for example, all times independent).
///
/// For two products A and B with campaigns of `Q` parts each, [`CampaignCycle::two_products`],
/// `C = Q p_a + Q p_b + s_ab + s_ba` and the throughput is `2Q / C`.
///
/// # Examples
///
/// ```
/// # use twin_models::analytic::CampaignCycle;
/// // Q = 3, p_a = 2, p_b = 1, s_ab = 4, s_ba = 2: C = 6 + 3 + 4 + 2 = 15.
/// let machine = CampaignCycle::two_products(3, 2.0, 1.0, 4.0, 2.0);
/// assert!((machine.cycle_length()? - 15.0).abs() < 1e-12);
/// assert!((machine.throughput()? - 0.4).abs() < 1e-12);
/// # Ok::<(), twin_models::analytic::AnalyticError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct CampaignCycle {
    /// `Q_i`, the number of parts of product `i` made per campaign, in production order.
    pub campaign_sizes: Vec<usize>,
    /// `p_i`, the mean processing time of one part of product `i`.
    pub processing_means: Vec<f64>,
    /// `setup_means[i]` is `s_{i,i+1}`, the mean setup time from product `i` to product
    /// `(i + 1) % k`; the last entry is the setup back to product 0.
    pub setup_means: Vec<f64>,
}

/// Expected amounts per cycle of a [`CampaignCycle`].
struct CycleTotals {
    parts: f64,
    processing: f64,
    setup: f64,
}

impl CycleTotals {
    fn length(&self) -> f64 {
        self.processing + self.setup
    }
}

impl CampaignCycle {
    /// Two products A and B made alternately in campaigns of `campaign_size` parts each, with
    /// mean processing times `processing_mean_a` and `processing_mean_b` and mean setup times
    /// `setup_mean_ab` (A to B) and `setup_mean_ba` (B to A).
    ///
    /// # Examples
    ///
    /// ```
    /// # use twin_models::analytic::CampaignCycle;
    /// let machine = CampaignCycle::two_products(10, 1.0, 1.5, 3.0, 2.0);
    /// assert_eq!(machine.campaign_sizes, vec![10, 10]);
    /// assert_eq!(machine.setup_means, vec![3.0, 2.0]);
    /// ```
    pub fn two_products(
        campaign_size: usize,
        processing_mean_a: f64,
        processing_mean_b: f64,
        setup_mean_ab: f64,
        setup_mean_ba: f64,
    ) -> Self {
        Self {
            campaign_sizes: vec![campaign_size, campaign_size],
            processing_means: vec![processing_mean_a, processing_mean_b],
            setup_means: vec![setup_mean_ab, setup_mean_ba],
        }
    }

    fn totals(&self) -> Result<CycleTotals, AnalyticError> {
        let k = self.campaign_sizes.len();
        if k < 2 {
            return Err(parameter_error(
                "campaign_sizes.len()",
                k as f64,
                "at least 2 (a single product has no changeovers)".to_owned(),
            ));
        }
        for (name, len) in [
            ("processing_means.len()", self.processing_means.len()),
            ("setup_means.len()", self.setup_means.len()),
        ] {
            if len != k {
                return Err(parameter_error(
                    name,
                    len as f64,
                    format!("equal to campaign_sizes.len() = {k}"),
                ));
            }
        }
        let mut totals = CycleTotals {
            parts: 0.0,
            processing: 0.0,
            setup: 0.0,
        };
        for i in 0..k {
            let size = self.campaign_sizes[i];
            if size == 0 {
                return Err(AnalyticError::Zero {
                    name: format!("campaign_sizes[{i}]"),
                    value: 0,
                });
            }
            let processing = positive(&format!("processing_means[{i}]"), self.processing_means[i])?;
            let setup = non_negative(&format!("setup_means[{i}]"), self.setup_means[i])?;
            totals.parts += size as f64;
            totals.processing += size as f64 * processing;
            totals.setup += setup;
        }
        Ok(totals)
    }

    /// Mean cycle length `C = sum_i Q_i p_i + sum_i s_{i,i+1}`.
    ///
    /// # Errors
    ///
    /// Fewer than two products, vectors of different lengths, a campaign size of 0, a
    /// processing mean not positive and finite, or a setup mean not non-negative and finite;
    /// the message names the entry, e.g. `setup_means[1]`.
    ///
    /// # Examples
    ///
    /// ```
    /// # use twin_models::analytic::CampaignCycle;
    /// let machine = CampaignCycle::two_products(3, 2.0, 1.0, 4.0, 2.0);
    /// assert_eq!(machine.cycle_length()?, 15.0);
    /// # Ok::<(), twin_models::analytic::AnalyticError>(())
    /// ```
    pub fn cycle_length(&self) -> Result<f64, AnalyticError> {
        Ok(self.totals()?.length())
    }

    /// Long-run number of parts completed per time unit, all products together:
    /// `sum_i Q_i / C`.
    ///
    /// # Errors
    ///
    /// As [`Self::cycle_length`].
    ///
    /// # Examples
    ///
    /// ```
    /// # use twin_models::analytic::CampaignCycle;
    /// let machine = CampaignCycle::two_products(3, 2.0, 1.0, 4.0, 2.0);
    /// assert!((machine.throughput()? - 6.0 / 15.0).abs() < 1e-12);
    /// # Ok::<(), twin_models::analytic::AnalyticError>(())
    /// ```
    pub fn throughput(&self) -> Result<f64, AnalyticError> {
        let totals = self.totals()?;
        Ok(totals.parts / totals.length())
    }

    /// Long-run number of parts of product `product` completed per time unit, `Q_i / C`.
    ///
    /// # Errors
    ///
    /// As [`Self::cycle_length`], and `product` not less than the number of products.
    ///
    /// # Examples
    ///
    /// ```
    /// # use twin_models::analytic::CampaignCycle;
    /// let machine = CampaignCycle::two_products(3, 2.0, 1.0, 4.0, 2.0);
    /// assert!((machine.product_throughput(1)? - 3.0 / 15.0).abs() < 1e-12);
    /// # Ok::<(), twin_models::analytic::AnalyticError>(())
    /// ```
    pub fn product_throughput(&self, product: usize) -> Result<f64, AnalyticError> {
        let totals = self.totals()?;
        let k = self.campaign_sizes.len();
        if product >= k {
            return Err(parameter_error(
                "product",
                product as f64,
                format!("less than the number of products, {k}"),
            ));
        }
        Ok(self.campaign_sizes[product] as f64 / totals.length())
    }

    /// Long-run fraction of time spent processing, `sum_i Q_i p_i / C`; the rest is setup.
    ///
    /// # Errors
    ///
    /// As [`Self::cycle_length`].
    ///
    /// # Examples
    ///
    /// ```
    /// # use twin_models::analytic::CampaignCycle;
    /// let machine = CampaignCycle::two_products(3, 2.0, 1.0, 4.0, 2.0);
    /// assert!((machine.busy_fraction()? - 9.0 / 15.0).abs() < 1e-12);
    /// # Ok::<(), twin_models::analytic::AnalyticError>(())
    /// ```
    pub fn busy_fraction(&self) -> Result<f64, AnalyticError> {
        let totals = self.totals()?;
        Ok(totals.processing / totals.length())
    }

    /// Long-run fraction of time spent in setups, `sum_i s_{i,i+1} / C`.
    ///
    /// # Errors
    ///
    /// As [`Self::cycle_length`].
    ///
    /// # Examples
    ///
    /// ```
    /// # use twin_models::analytic::CampaignCycle;
    /// let machine = CampaignCycle::two_products(3, 2.0, 1.0, 4.0, 2.0);
    /// assert!((machine.setup_fraction()? - 6.0 / 15.0).abs() < 1e-12);
    /// # Ok::<(), twin_models::analytic::AnalyticError>(())
    /// ```
    pub fn setup_fraction(&self) -> Result<f64, AnalyticError> {
        let totals = self.totals()?;
        Ok(totals.setup / totals.length())
    }

    /// Long-run number of setups per time unit, `k / C` (one per campaign).
    ///
    /// # Errors
    ///
    /// As [`Self::cycle_length`].
    ///
    /// # Examples
    ///
    /// ```
    /// # use twin_models::analytic::CampaignCycle;
    /// let machine = CampaignCycle::two_products(3, 2.0, 1.0, 4.0, 2.0);
    /// assert!((machine.setup_frequency()? - 2.0 / 15.0).abs() < 1e-12);
    /// # Ok::<(), twin_models::analytic::AnalyticError>(())
    /// ```
    pub fn setup_frequency(&self) -> Result<f64, AnalyticError> {
        let totals = self.totals()?;
        Ok(self.campaign_sizes.len() as f64 / totals.length())
    }
}

// ---------------------------------------------------------------------------------------------
// FIFO M/G/1 with setups
// ---------------------------------------------------------------------------------------------

/// One machine serving parts first in, first out: Poisson arrivals at rate `lambda`, each part
/// of one of `families` families drawn independently and uniformly (probability `1 / n` each),
/// processing times with mean `m` and second moment `m2` for every family, and a setup before
/// a part whose family differs from that of the previously served part, with mean `s` and
/// second moment `s2` for every ordered pair of families.
///
/// # Why the M/G/1 formulas are exact
///
/// Let `f_k` be the family of the `k`-th part served and `I_k = 1{f_k != f_{k-1}}`. Whatever
/// `f_{k-1}` is, `f_k` differs from it with probability `q = (n - 1) / n`, so `I_k` is
/// Bernoulli(`q`) and independent of `f_0, ..., f_{k-1}`, hence of `I_1, ..., I_{k-1}`: the
/// indicators are i.i.d., and independent of the arrival times and of the processing and setup
/// durations. The effective service time `S_k = P_k + I_k D_k` (processing plus, if needed,
/// a setup `D_k`) is therefore i.i.d. and independent of the Poisson arrivals, so the queue is
/// an M/G/1 queue and the Pollaczek–Khinchine formulas hold exactly, with
///
/// ```text
/// E[S]   = m + q s
/// E[S^2] = m2 + 2 q m s + q s2
/// rho    = lambda E[S]                        (fraction of time processing or in setup)
/// Wq     = lambda E[S^2] / (2 (1 - rho))      (wait until the server chooses the part)
/// W      = Wq + E[S]                          (sojourn, including the part's own setup)
/// L      = lambda W,  Lq = lambda Wq          (Little)
/// ```
///
/// and the server processes a fraction `lambda m` of the time, sets up a fraction
/// `lambda q s` and performs `lambda q` setups per time unit. A setup starts when the part is
/// chosen, so it is part of the service period in the Lindley recursion
/// `W_{k+1} = max(0, W_k + S_k - A_{k+1})`; an idle server keeps its configuration, so a part
/// that finds it idle needs a setup exactly when its family differs from the last one served.
///
/// The argument needs the uniform mix and a single setup distribution. With family
/// probabilities `p_g` that are not all equal, `P(I_k = 1 | f_{k-1} = g) = 1 - p_g` depends on
/// `g`, so consecutive indicators are correlated (a rare family's part usually brings two
/// setups in a row); with pair-dependent setup times, `S_k` and `S_{k+1}` share `f_k`. Either
/// way the service times are no longer i.i.d. and these formulas are only approximations, so
/// this type offers the uniform case only.
///
/// # Examples
///
/// ```
/// # use twin_models::analytic::FifoSetupMg1;
/// // lambda = 0.2, three families (q = 2/3), exponential processing (mean 1) and setups
/// // (mean 1.5): E[S] = 2, E[S^2] = 2 + 2 + 3 = 7, rho = 0.4, Wq = 1.4 / 1.2 = 7/6.
/// let machine = FifoSetupMg1::exponential(0.2, 3, 1.0, 1.5);
/// assert!((machine.mean_sojourn_time()? - 19.0 / 6.0).abs() < 1e-12);
/// # Ok::<(), twin_models::analytic::AnalyticError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FifoSetupMg1 {
    /// Poisson arrival rate of parts, all families together.
    pub lambda: f64,
    /// Number of families `n`, equally likely; 1 means no setups at all.
    pub families: usize,
    /// Mean processing time `m` of a part (every family).
    pub processing_mean: f64,
    /// Second moment `m2 = E[P^2]` of the processing time, at least `m^2`.
    pub processing_second_moment: f64,
    /// Mean setup time `s` (every ordered pair of distinct families); may be 0.
    pub setup_mean: f64,
    /// Second moment `s2 = E[D^2]` of the setup time, at least `s^2`.
    pub setup_second_moment: f64,
}

/// Moments of the effective service time of a [`FifoSetupMg1`].
#[derive(Debug, Clone, Copy)]
struct ServiceMoments {
    /// Probability that a part needs a setup, `(n - 1) / n`.
    setup_probability: f64,
    mean: f64,
    second_moment: f64,
}

impl FifoSetupMg1 {
    /// Exponential processing and setup times: `m2 = 2 m^2`, `s2 = 2 s^2`.
    ///
    /// # Examples
    ///
    /// ```
    /// # use twin_models::analytic::FifoSetupMg1;
    /// let machine = FifoSetupMg1::exponential(0.5, 2, 1.0, 0.5);
    /// assert_eq!(machine.processing_second_moment, 2.0);
    /// assert_eq!(machine.setup_second_moment, 0.5);
    /// ```
    pub fn exponential(
        lambda: f64,
        families: usize,
        processing_mean: f64,
        setup_mean: f64,
    ) -> Self {
        Self {
            lambda,
            families,
            processing_mean,
            processing_second_moment: 2.0 * processing_mean * processing_mean,
            setup_mean,
            setup_second_moment: 2.0 * setup_mean * setup_mean,
        }
    }

    fn moments(&self) -> Result<ServiceMoments, AnalyticError> {
        positive("lambda", self.lambda)?;
        if self.families == 0 {
            return Err(AnalyticError::Zero {
                name: "families".to_owned(),
                value: 0,
            });
        }
        let m = positive("processing_mean", self.processing_mean)?;
        let m2 = second_moment(
            "processing_second_moment",
            self.processing_second_moment,
            "processing_mean",
            m,
        )?;
        let s = non_negative("setup_mean", self.setup_mean)?;
        let s2 = second_moment(
            "setup_second_moment",
            self.setup_second_moment,
            "setup_mean",
            s,
        )?;
        let n = self.families as f64;
        let q = (n - 1.0) / n;
        Ok(ServiceMoments {
            setup_probability: q,
            mean: m + q * s,
            second_moment: m2 + 2.0 * q * m * s + q * s2,
        })
    }

    /// The moments and the load `rho = lambda E[S]`, which must be below 1.
    fn stable_moments(&self) -> Result<(ServiceMoments, f64), AnalyticError> {
        let moments = self.moments()?;
        let rho = self.lambda * moments.mean;
        if rho < 1.0 {
            Ok((moments, rho))
        } else {
            Err(AnalyticError::Overloaded {
                load_name: "lambda * (processing_mean + (families - 1) / families * setup_mean)"
                    .to_owned(),
                load: rho,
            })
        }
    }

    /// Mean effective service time `E[S] = m + q s`, processing plus the setup when needed,
    /// with `q = (n - 1) / n`.
    ///
    /// # Errors
    ///
    /// `lambda`, `processing_mean` not positive and finite, `families` = 0, `setup_mean`
    /// negative or not finite, or a second moment below the square of its mean (or not 0 for
    /// a mean of 0). The load is not checked.
    ///
    /// # Examples
    ///
    /// ```
    /// # use twin_models::analytic::FifoSetupMg1;
    /// let machine = FifoSetupMg1::exponential(0.2, 3, 1.0, 1.5);
    /// assert!((machine.mean_service_time()? - 2.0).abs() < 1e-12);
    /// # Ok::<(), twin_models::analytic::AnalyticError>(())
    /// ```
    pub fn mean_service_time(&self) -> Result<f64, AnalyticError> {
        Ok(self.moments()?.mean)
    }

    /// Second moment of the effective service time, `E[S^2] = m2 + 2 q m s + q s2`.
    ///
    /// # Errors
    ///
    /// As [`Self::mean_service_time`].
    ///
    /// # Examples
    ///
    /// ```
    /// # use twin_models::analytic::FifoSetupMg1;
    /// let machine = FifoSetupMg1::exponential(0.2, 3, 1.0, 1.5);
    /// assert!((machine.service_second_moment()? - 7.0).abs() < 1e-12);
    /// # Ok::<(), twin_models::analytic::AnalyticError>(())
    /// ```
    pub fn service_second_moment(&self) -> Result<f64, AnalyticError> {
        Ok(self.moments()?.second_moment)
    }

    /// Load `rho = lambda E[S]`: the long-run fraction of time the server is processing or
    /// setting up.
    ///
    /// # Errors
    ///
    /// As [`Self::mean_service_time`], and [`AnalyticError::Overloaded`] when `rho >= 1`;
    /// the same for all the following methods.
    ///
    /// # Examples
    ///
    /// ```
    /// # use twin_models::analytic::FifoSetupMg1;
    /// let machine = FifoSetupMg1::exponential(0.2, 3, 1.0, 1.5);
    /// assert!((machine.utilisation()? - 0.4).abs() < 1e-12);
    /// # Ok::<(), twin_models::analytic::AnalyticError>(())
    /// ```
    pub fn utilisation(&self) -> Result<f64, AnalyticError> {
        Ok(self.stable_moments()?.1)
    }

    /// Long-run fraction of time spent processing, `lambda m`.
    ///
    /// # Errors
    ///
    /// As [`Self::utilisation`].
    ///
    /// # Examples
    ///
    /// ```
    /// # use twin_models::analytic::FifoSetupMg1;
    /// let machine = FifoSetupMg1::exponential(0.2, 3, 1.0, 1.5);
    /// assert!((machine.busy_fraction()? - 0.2).abs() < 1e-12);
    /// # Ok::<(), twin_models::analytic::AnalyticError>(())
    /// ```
    pub fn busy_fraction(&self) -> Result<f64, AnalyticError> {
        self.stable_moments()?;
        Ok(self.lambda * self.processing_mean)
    }

    /// Long-run fraction of time spent in setups, `lambda q s`.
    ///
    /// # Errors
    ///
    /// As [`Self::utilisation`].
    ///
    /// # Examples
    ///
    /// ```
    /// # use twin_models::analytic::FifoSetupMg1;
    /// let machine = FifoSetupMg1::exponential(0.2, 3, 1.0, 1.5);
    /// assert!((machine.setup_fraction()? - 0.2).abs() < 1e-12);
    /// # Ok::<(), twin_models::analytic::AnalyticError>(())
    /// ```
    pub fn setup_fraction(&self) -> Result<f64, AnalyticError> {
        let (moments, _) = self.stable_moments()?;
        Ok(self.lambda * moments.setup_probability * self.setup_mean)
    }

    /// Long-run fraction of time idle, `1 - rho`.
    ///
    /// # Errors
    ///
    /// As [`Self::utilisation`].
    ///
    /// # Examples
    ///
    /// ```
    /// # use twin_models::analytic::FifoSetupMg1;
    /// let machine = FifoSetupMg1::exponential(0.2, 3, 1.0, 1.5);
    /// assert!((machine.idle_fraction()? - 0.6).abs() < 1e-12);
    /// # Ok::<(), twin_models::analytic::AnalyticError>(())
    /// ```
    pub fn idle_fraction(&self) -> Result<f64, AnalyticError> {
        Ok(1.0 - self.stable_moments()?.1)
    }

    /// Long-run number of setups per time unit, `lambda q`.
    ///
    /// # Errors
    ///
    /// As [`Self::utilisation`].
    ///
    /// # Examples
    ///
    /// ```
    /// # use twin_models::analytic::FifoSetupMg1;
    /// let machine = FifoSetupMg1::exponential(0.3, 3, 1.0, 1.5);
    /// assert!((machine.setup_frequency()? - 0.2).abs() < 1e-12);
    /// # Ok::<(), twin_models::analytic::AnalyticError>(())
    /// ```
    pub fn setup_frequency(&self) -> Result<f64, AnalyticError> {
        let (moments, _) = self.stable_moments()?;
        Ok(self.lambda * moments.setup_probability)
    }

    /// Mean time a part waits before the server chooses it (before its setup or processing
    /// starts), `Wq = lambda E[S^2] / (2 (1 - rho))`.
    ///
    /// # Errors
    ///
    /// As [`Self::utilisation`].
    ///
    /// # Examples
    ///
    /// ```
    /// # use twin_models::analytic::FifoSetupMg1;
    /// let machine = FifoSetupMg1::exponential(0.2, 3, 1.0, 1.5);
    /// assert!((machine.mean_waiting_time()? - 7.0 / 6.0).abs() < 1e-12);
    /// # Ok::<(), twin_models::analytic::AnalyticError>(())
    /// ```
    pub fn mean_waiting_time(&self) -> Result<f64, AnalyticError> {
        let (moments, rho) = self.stable_moments()?;
        Ok(self.lambda * moments.second_moment / (2.0 * (1.0 - rho)))
    }

    /// Mean sojourn (lead) time, arrival to end of processing, including the part's own
    /// setup: `W = Wq + E[S]`.
    ///
    /// # Errors
    ///
    /// As [`Self::utilisation`].
    ///
    /// # Examples
    ///
    /// ```
    /// # use twin_models::analytic::FifoSetupMg1;
    /// let machine = FifoSetupMg1::exponential(0.2, 3, 1.0, 1.5);
    /// assert!((machine.mean_sojourn_time()? - 19.0 / 6.0).abs() < 1e-12);
    /// # Ok::<(), twin_models::analytic::AnalyticError>(())
    /// ```
    pub fn mean_sojourn_time(&self) -> Result<f64, AnalyticError> {
        let (moments, _) = self.stable_moments()?;
        Ok(self.mean_waiting_time()? + moments.mean)
    }

    /// Mean number of parts in the system (waiting, in setup or processing), `L = lambda W`.
    ///
    /// # Errors
    ///
    /// As [`Self::utilisation`].
    ///
    /// # Examples
    ///
    /// ```
    /// # use twin_models::analytic::FifoSetupMg1;
    /// let machine = FifoSetupMg1::exponential(0.2, 3, 1.0, 1.5);
    /// assert!((machine.mean_in_system()? - 19.0 / 30.0).abs() < 1e-12);
    /// # Ok::<(), twin_models::analytic::AnalyticError>(())
    /// ```
    pub fn mean_in_system(&self) -> Result<f64, AnalyticError> {
        Ok(self.lambda * self.mean_sojourn_time()?)
    }

    /// Mean number of parts waiting for the server to choose them (not in setup or
    /// processing), `Lq = lambda Wq`.
    ///
    /// # Errors
    ///
    /// As [`Self::utilisation`].
    ///
    /// # Examples
    ///
    /// ```
    /// # use twin_models::analytic::FifoSetupMg1;
    /// let machine = FifoSetupMg1::exponential(0.2, 3, 1.0, 1.5);
    /// assert!((machine.mean_in_queue()? - 7.0 / 30.0).abs() < 1e-12);
    /// # Ok::<(), twin_models::analytic::AnalyticError>(())
    /// ```
    pub fn mean_in_queue(&self) -> Result<f64, AnalyticError> {
        Ok(self.lambda * self.mean_waiting_time()?)
    }
}

// ---------------------------------------------------------------------------------------------
// Exhaustive service of two families
// ---------------------------------------------------------------------------------------------

/// One machine serving two families exhaustively (in campaigns), with Poisson arrivals,
/// exponential processing and exponential sequence-dependent setups, solved exactly as a
/// continuous-time Markov chain (CTMC).
///
/// # Semantics
///
/// Parts of family `i` arrive at rate `lambda_i` and are processed at rate `mu_i`. The server
/// keeps serving the family it is configured for while a part of that family waits; when none
/// waits and a part of the other family does, it sets up for the other family (rate
/// `setup_rate12` from family 1 to family 2, `setup_rate21` back); when nothing waits it stays
/// idle, configured for the last family it made, and an arrival of the other family starts a
/// setup at once. A setup, once started, completes even if parts of the old family arrive
/// meanwhile; after it the server serves the new family exhaustively, including the parts that
/// arrived during the setup. Within a family the order does not change the means.
///
/// # The chain
///
/// The state is `(n1, n2, mode)`, where `n_i` counts every part of family `i` in the system
/// (the part being set up for is counted in its queue) and `mode` is one of: idle configured
/// for 1 or for 2 (only when `n1 = n2 = 0`), serving 1 (`n1 >= 1`), serving 2 (`n2 >= 1`),
/// setting up for 1 (`n1 >= 1`), setting up for 2 (`n2 >= 1`). Arrivals raise `n_i`; a
/// completion lowers it and moves to the next mode by the rule above; a setup completion
/// changes the mode only. The chain is truncated at `n1 + n2 <= N`: arrivals that find `N`
/// parts are blocked (lost). Grouping the states by level `l = n1 + n2` (4 `l` states for
/// `l >= 1`, 2 at level 0) gives a level-dependent quasi-birth-death process: arrivals go one
/// level up, completions one level down, setup completions stay in the level. It is solved by
/// linear level reduction (Gaver, Jacobs & Latouche, 1984): from the top level down,
/// `R_l = A_up(l-1) (-(A_local(l) + R_{l+1} A_down(l+1)))^{-1}`, then `pi_0` from the chain
/// censored to level 0 and `pi_l = pi_{l-1} R_l`. Every `R_l` is a non-negative matrix, so the
/// small tail probabilities are computed without cancellation.
///
/// [`Self::solve`] chooses `N` itself, so that the stationary mass at the boundary level `N`
/// is below [`Self::BOUNDARY_MASS_TOLERANCE`]; the results are then those of the untruncated
/// system to about that accuracy. [`Self::solve_truncated`] takes `N` from the caller (a
/// system with room for `N` parts) and reports the boundary mass, i.e. the blocking
/// probability.
///
/// The untruncated system is stable exactly when `rho = lambda1 / mu1 + lambda2 / mu2 < 1`,
/// the condition of exhaustive polling systems with switchover times: under heavy load the
/// server alternates between exhausting one queue and setting up for the other, so a cycle of
/// mean length `C` holds `rho C` of processing plus two setups, and
/// `C = (1 / setup_rate12 + 1 / setup_rate21) / (1 - rho)` stays finite. Setups cost capacity
/// only through their number, which falls as the queues grow.
///
/// # Examples
///
/// ```
/// # use twin_models::analytic::ExhaustiveTwoFamilyCtmc;
/// let machine = ExhaustiveTwoFamilyCtmc {
///     lambda1: 0.3,
///     lambda2: 0.2,
///     mu1: 1.0,
///     mu2: 1.0,
///     setup_rate12: 2.0,
///     setup_rate21: 2.0,
/// };
/// let solution = machine.solve()?;
/// assert!(solution.boundary_mass < 1e-10);
/// // Setups make the queue longer than the M/M/1 queue without them: L > 0.5 / 0.5.
/// assert!(solution.mean_in_system > 1.0);
/// // Every part is processed once: busy fraction = lambda1 / mu1 + lambda2 / mu2.
/// assert!((solution.busy_fraction - 0.5).abs() < 1e-9);
/// # Ok::<(), twin_models::analytic::AnalyticError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ExhaustiveTwoFamilyCtmc {
    /// Poisson arrival rate of family 1.
    pub lambda1: f64,
    /// Poisson arrival rate of family 2.
    pub lambda2: f64,
    /// Processing rate of family 1 (1 / mean processing time).
    pub mu1: f64,
    /// Processing rate of family 2.
    pub mu2: f64,
    /// Rate of a setup from family 1 to family 2 (1 / mean setup time).
    pub setup_rate12: f64,
    /// Rate of a setup from family 2 to family 1.
    pub setup_rate21: f64,
}

/// Steady-state performance of an [`ExhaustiveTwoFamilyCtmc`], truncated at
/// [`max_in_system`](Self::max_in_system) parts.
#[derive(Debug, Clone, PartialEq)]
pub struct ExhaustiveTwoFamilySolution {
    /// The truncation `N`: at most this many parts are in the system, and arrivals finding
    /// `N` parts are blocked.
    pub max_in_system: usize,
    /// Stationary probability that `n1 + n2 = N`, which is also the probability that an
    /// arrival is blocked (PASTA).
    pub boundary_mass: f64,
    /// Mean number of family-1 parts in the system, `E[n1]`.
    pub mean_in_system1: f64,
    /// Mean number of family-2 parts in the system, `E[n2]`.
    pub mean_in_system2: f64,
    /// Mean number of parts in the system, `E[n1 + n2]`.
    pub mean_in_system: f64,
    /// Long-run rate of family-1 completions, equal to the admitted family-1 arrival rate
    /// `lambda1 (1 - boundary_mass)`.
    pub throughput1: f64,
    /// Long-run rate of family-2 completions.
    pub throughput2: f64,
    /// Mean sojourn (lead) time of a family-1 part, including its setup if it needed one:
    /// `mean_in_system1 / throughput1` (Little).
    pub mean_sojourn_time1: f64,
    /// Mean sojourn time of a family-2 part.
    pub mean_sojourn_time2: f64,
    /// Mean sojourn time of a part of either family,
    /// `mean_in_system / (throughput1 + throughput2)`.
    pub mean_sojourn_time: f64,
    /// Fraction of time processing either family.
    pub busy_fraction: f64,
    /// Fraction of time setting up, in either direction.
    pub setup_fraction: f64,
    /// Fraction of time idle (nothing in the system).
    pub idle_fraction: f64,
    /// Setups from family 1 to family 2 started per time unit.
    pub setup_frequency12: f64,
    /// Setups from family 2 to family 1 started per time unit.
    pub setup_frequency21: f64,
}

impl ExhaustiveTwoFamilySolution {
    /// Setups started per time unit, both directions: `setup_frequency12 + setup_frequency21`.
    ///
    /// # Examples
    ///
    /// ```
    /// # use twin_models::analytic::ExhaustiveTwoFamilyCtmc;
    /// let machine = ExhaustiveTwoFamilyCtmc {
    ///     lambda1: 0.3, lambda2: 0.2, mu1: 1.0, mu2: 1.0, setup_rate12: 2.0, setup_rate21: 2.0,
    /// };
    /// let solution = machine.solve()?;
    /// // Every setup lasts 1/2 on average.
    /// assert!((solution.setup_frequency() * 0.5 - solution.setup_fraction).abs() < 1e-12);
    /// # Ok::<(), twin_models::analytic::AnalyticError>(())
    /// ```
    pub fn setup_frequency(&self) -> f64 {
        self.setup_frequency12 + self.setup_frequency21
    }
}

/// What the server of an [`ExhaustiveTwoFamilyCtmc`] is doing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Mode {
    /// Idle, configured for family 1.
    Idle1,
    /// Idle, configured for family 2.
    Idle2,
    Serve1,
    Serve2,
    /// Setting up for family 1 (coming from family 2).
    SetupTo1,
    /// Setting up for family 2 (coming from family 1).
    SetupTo2,
}

/// One state of the [`ExhaustiveTwoFamilyCtmc`] chain.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct FamilyState {
    n1: usize,
    n2: usize,
    mode: Mode,
}

/// The modes of a level `l >= 1`, in the order of their blocks of `l` states.
const LEVEL_MODES: [Mode; 4] = [Mode::Serve1, Mode::Serve2, Mode::SetupTo1, Mode::SetupTo2];

impl FamilyState {
    fn level(self) -> usize {
        self.n1 + self.n2
    }

    /// Index of the state within its level: at level 0 `[Idle1, Idle2]`; above, one block of
    /// `l` states per mode of [`LEVEL_MODES`], ordered by the count of the family the mode
    /// serves or sets up for (1..=l).
    fn position(self) -> usize {
        let level = self.level();
        match self.mode {
            Mode::Idle1 => 0,
            Mode::Idle2 => 1,
            Mode::Serve1 => self.n1 - 1,
            Mode::Serve2 => level + self.n2 - 1,
            Mode::SetupTo1 => 2 * level + self.n1 - 1,
            Mode::SetupTo2 => 3 * level + self.n2 - 1,
        }
    }

    /// All states of level `level`, in [`Self::position`] order.
    fn level_states(level: usize) -> Vec<FamilyState> {
        if level == 0 {
            return [Mode::Idle1, Mode::Idle2]
                .map(|mode| FamilyState { n1: 0, n2: 0, mode })
                .to_vec();
        }
        let mut states = Vec::with_capacity(4 * level);
        for mode in LEVEL_MODES {
            for count in 1..=level {
                let (n1, n2) = match mode {
                    Mode::Serve1 | Mode::SetupTo1 => (count, level - count),
                    _ => (level - count, count),
                };
                states.push(FamilyState { n1, n2, mode });
            }
        }
        states
    }

    fn is_setup(self) -> bool {
        matches!(self.mode, Mode::SetupTo1 | Mode::SetupTo2)
    }
}

/// The stationary distribution of an [`ExhaustiveTwoFamilyCtmc`] truncation, by level.
struct LevelDistribution {
    /// `levels[l][i]` is the probability of state `FamilyState::level_states(l)[i]`.
    levels: Vec<DVector<f64>>,
}

impl LevelDistribution {
    fn level_mass(&self, level: usize) -> f64 {
        self.levels[level].sum()
    }
}

impl ExhaustiveTwoFamilyCtmc {
    /// The stationary mass at the truncation boundary that [`Self::solve`] accepts.
    pub const BOUNDARY_MASS_TOLERANCE: f64 = 1e-10;

    /// The largest truncation `N` (parts in the system) that [`Self::solve`] and
    /// [`Self::solve_truncated`] use: `2 N (N + 1) + 2` = 29 042 states, solved in under a
    /// second with about 75 MB for the `R_l` matrices.
    pub const MAX_IN_SYSTEM: usize = 120;

    fn validate(&self) -> Result<(), AnalyticError> {
        positive("lambda1", self.lambda1)?;
        positive("lambda2", self.lambda2)?;
        positive("mu1", self.mu1)?;
        positive("mu2", self.mu2)?;
        positive("setup_rate12", self.setup_rate12)?;
        positive("setup_rate21", self.setup_rate21)?;
        Ok(())
    }

    fn load(&self) -> f64 {
        self.lambda1 / self.mu1 + self.lambda2 / self.mu2
    }

    /// Transitions out of `state` as `(next state, rate)` in the chain truncated at
    /// `max_in_system` parts.
    fn transitions(&self, state: FamilyState, max_in_system: usize) -> Vec<(FamilyState, f64)> {
        let FamilyState { n1, n2, mode } = state;
        let mut out = Vec::with_capacity(3);
        if state.level() < max_in_system {
            // An arrival to an idle server starts processing, or a setup if it is configured
            // for the other family; otherwise the mode is unchanged.
            let after1 = match mode {
                Mode::Idle1 => Mode::Serve1,
                Mode::Idle2 => Mode::SetupTo1,
                busy => busy,
            };
            let after2 = match mode {
                Mode::Idle1 => Mode::SetupTo2,
                Mode::Idle2 => Mode::Serve2,
                busy => busy,
            };
            let up1 = FamilyState {
                n1: n1 + 1,
                n2,
                mode: after1,
            };
            let up2 = FamilyState {
                n1,
                n2: n2 + 1,
                mode: after2,
            };
            out.push((up1, self.lambda1));
            out.push((up2, self.lambda2));
        }
        match mode {
            Mode::Idle1 | Mode::Idle2 => {}
            Mode::Serve1 => {
                let n1 = n1 - 1;
                let mode = if n1 > 0 {
                    Mode::Serve1
                } else if n2 > 0 {
                    Mode::SetupTo2
                } else {
                    Mode::Idle1
                };
                out.push((FamilyState { n1, n2, mode }, self.mu1));
            }
            Mode::Serve2 => {
                let n2 = n2 - 1;
                let mode = if n2 > 0 {
                    Mode::Serve2
                } else if n1 > 0 {
                    Mode::SetupTo1
                } else {
                    Mode::Idle2
                };
                out.push((FamilyState { n1, n2, mode }, self.mu2));
            }
            Mode::SetupTo1 => {
                let served = FamilyState {
                    mode: Mode::Serve1,
                    ..state
                };
                out.push((served, self.setup_rate21));
            }
            Mode::SetupTo2 => {
                let served = FamilyState {
                    mode: Mode::Serve2,
                    ..state
                };
                out.push((served, self.setup_rate12));
            }
        }
        out
    }

    /// Stationary distribution of the chain truncated at `max_in_system >= 1` parts, by
    /// linear level reduction (see the type-level documentation).
    fn level_distribution(&self, max_in_system: usize) -> Result<LevelDistribution, AnalyticError> {
        let top = max_in_system;
        // r[l] (l >= 1) maps level l - 1 to level l: pi_l = pi_{l-1} r[l].
        let mut r: Vec<DMatrix<f64>> = vec![DMatrix::zeros(0, 0); top + 1];
        let mut reduced_level0 = DMatrix::zeros(0, 0);
        for level in (0..=top).rev() {
            let states = FamilyState::level_states(level);
            let d = states.len();
            // The generator of the chain censored to levels 0..=level, restricted to this
            // level: local rates plus the returns from above through r[level + 1].
            let mut local = DMatrix::zeros(d, d);
            for (i, &state) in states.iter().enumerate() {
                for (next, rate) in self.transitions(state, top) {
                    local[(i, i)] -= rate;
                    if next.level() == level {
                        local[(i, next.position())] += rate;
                    }
                }
            }
            if level < top {
                let r_above = &r[level + 1];
                for (j, &state) in FamilyState::level_states(level + 1).iter().enumerate() {
                    for (next, rate) in self.transitions(state, top) {
                        if next.level() == level {
                            let column = r_above.column(j) * rate;
                            let mut target = local.column_mut(next.position());
                            target += column;
                        }
                    }
                }
            }
            if level == 0 {
                reduced_level0 = local;
                break;
            }
            // x = (-local)^{-1}; -local is a non-singular M-matrix, so x >= 0.
            local.neg_mut();
            let x = inverse_with_diagonal_columns(&local).ok_or(AnalyticError::Singular)?;
            let below = FamilyState::level_states(level - 1);
            let mut r_level = DMatrix::zeros(below.len(), d);
            for (i, &state) in below.iter().enumerate() {
                for (next, rate) in self.transitions(state, top) {
                    if next.level() == level {
                        let row = x.row(next.position()) * rate;
                        let mut target = r_level.row_mut(i);
                        target += row;
                    }
                }
            }
            r[level] = r_level;
        }

        // pi_0 is the stationary vector of the censored generator at level 0 (2 states).
        let pi0 = censored_stationary(&reduced_level0)?;
        let mut levels = Vec::with_capacity(top + 1);
        levels.push(pi0);
        for matrix in r.iter().skip(1) {
            let next = matrix.tr_mul(levels.last().expect("level 0 is pushed first"));
            levels.push(next);
        }
        let total: f64 = levels.iter().map(|pi| pi.sum()).sum();
        if !(total.is_finite() && total > 0.0) {
            return Err(AnalyticError::Singular);
        }
        levels.iter_mut().for_each(|pi| *pi /= total);
        Ok(LevelDistribution { levels })
    }

    /// The performance measures of a level distribution of the chain truncated at
    /// `max_in_system`.
    fn measures(
        &self,
        distribution: &LevelDistribution,
        max_in_system: usize,
    ) -> ExhaustiveTwoFamilySolution {
        let mut solution = ExhaustiveTwoFamilySolution {
            max_in_system,
            boundary_mass: distribution.level_mass(max_in_system),
            mean_in_system1: 0.0,
            mean_in_system2: 0.0,
            mean_in_system: 0.0,
            throughput1: 0.0,
            throughput2: 0.0,
            mean_sojourn_time1: 0.0,
            mean_sojourn_time2: 0.0,
            mean_sojourn_time: 0.0,
            busy_fraction: 0.0,
            setup_fraction: 0.0,
            idle_fraction: 0.0,
            setup_frequency12: 0.0,
            setup_frequency21: 0.0,
        };
        for (level, pi) in distribution.levels.iter().enumerate() {
            for (state, &p) in FamilyState::level_states(level).iter().zip(pi.iter()) {
                solution.mean_in_system1 += p * state.n1 as f64;
                solution.mean_in_system2 += p * state.n2 as f64;
                match state.mode {
                    Mode::Idle1 | Mode::Idle2 => solution.idle_fraction += p,
                    Mode::Serve1 => {
                        solution.busy_fraction += p;
                        solution.throughput1 += p * self.mu1;
                    }
                    Mode::Serve2 => {
                        solution.busy_fraction += p;
                        solution.throughput2 += p * self.mu2;
                    }
                    Mode::SetupTo1 | Mode::SetupTo2 => solution.setup_fraction += p,
                }
                // Setups are counted as they start, from the flows into the setup modes.
                if !state.is_setup() {
                    for (next, rate) in self.transitions(*state, max_in_system) {
                        match next.mode {
                            Mode::SetupTo2 => solution.setup_frequency12 += p * rate,
                            Mode::SetupTo1 => solution.setup_frequency21 += p * rate,
                            _ => {}
                        }
                    }
                }
            }
        }
        solution.mean_in_system = solution.mean_in_system1 + solution.mean_in_system2;
        solution.mean_sojourn_time1 = solution.mean_in_system1 / solution.throughput1;
        solution.mean_sojourn_time2 = solution.mean_in_system2 / solution.throughput2;
        solution.mean_sojourn_time =
            solution.mean_in_system / (solution.throughput1 + solution.throughput2);
        solution
    }

    /// Solves the chain truncated at `max_in_system` parts in the system: a machine with room
    /// for `max_in_system` parts whose arrivals are blocked (lost) when it is full. The
    /// truncated chain is finite, so it has a stationary distribution whatever the load.
    ///
    /// # Returns
    ///
    /// The measures of the truncated system, with its boundary mass (the blocking
    /// probability). Use [`Self::solve`] for the untruncated system.
    ///
    /// # Errors
    ///
    /// A rate not positive and finite (named, e.g. `setup_rate21`); `max_in_system` = 0 or
    /// above [`Self::MAX_IN_SYSTEM`]; [`AnalyticError::Singular`] if the numerics fail.
    ///
    /// # Complexity
    ///
    /// `2 N (N + 1) + 2` states for `N = max_in_system`. Level `l` has `4 l` states, but
    /// about half of them are setup states that no completion leads to, whose columns are
    /// diagonal; only the other half needs a dense LU, so a level costs about `40 l^3` and
    /// the solve about `10 N^4` floating-point operations (0.07 s at `N = 60`, 0.7 s at
    /// `N = 120` on one core). The `R_l` matrices take `O(N^3)` memory, `128 N^3 / 3` bytes.
    ///
    /// # Examples
    ///
    /// ```
    /// # use twin_models::analytic::ExhaustiveTwoFamilyCtmc;
    /// // Room for one part; lambda = 1, mu = 2 and setup rate 4 for both families. With
    /// // a = P(idle configured for 1) = P(idle configured for 2), balance gives
    /// // P(serving 1) = 2 lambda a / mu = a and P(setting up for 1) = lambda a / 4 = a / 4,
    /// // the same for family 2, and 2 (a + a + a / 4) = 1: a = 2/9.
    /// let machine = ExhaustiveTwoFamilyCtmc {
    ///     lambda1: 1.0, lambda2: 1.0, mu1: 2.0, mu2: 2.0, setup_rate12: 4.0, setup_rate21: 4.0,
    /// };
    /// let solution = machine.solve_truncated(1)?;
    /// assert!((solution.idle_fraction - 4.0 / 9.0).abs() < 1e-12);
    /// assert!((solution.boundary_mass - 5.0 / 9.0).abs() < 1e-12);
    /// # Ok::<(), twin_models::analytic::AnalyticError>(())
    /// ```
    pub fn solve_truncated(
        &self,
        max_in_system: usize,
    ) -> Result<ExhaustiveTwoFamilySolution, AnalyticError> {
        self.validate()?;
        if max_in_system == 0 {
            return Err(AnalyticError::Zero {
                name: "max_in_system".to_owned(),
                value: 0,
            });
        }
        if max_in_system > Self::MAX_IN_SYSTEM {
            return Err(parameter_error(
                "max_in_system",
                max_in_system as f64,
                format!("at most {}", Self::MAX_IN_SYSTEM),
            ));
        }
        let distribution = self.level_distribution(max_in_system)?;
        Ok(self.measures(&distribution, max_in_system))
    }

    /// Solves the untruncated system: the chain truncated at the smallest `N` tried whose
    /// boundary mass is at most [`Self::BOUNDARY_MASS_TOLERANCE`].
    ///
    /// `N` starts at `ln(1e-10) / ln(rho)` (where an M/M/1 queue of the same load would have
    /// that mass) and grows by extrapolating the geometric decay of the level masses
    /// `P(n1 + n2 = l)` of the last solution, up to [`Self::MAX_IN_SYSTEM`].
    ///
    /// # Returns
    ///
    /// The measures of the truncated chain, which differ from those of the untruncated system
    /// by about the boundary mass (relative); `max_in_system` and `boundary_mass` say which
    /// truncation was used.
    ///
    /// # Errors
    ///
    /// A rate not positive and finite; [`AnalyticError::Overloaded`] when
    /// `rho = lambda1 / mu1 + lambda2 / mu2 >= 1`; [`AnalyticError::TruncationLimit`] when
    /// even `N = MAX_IN_SYSTEM` leaves more boundary mass than the tolerance (a load close
    /// to 1 or very slow setups; use [`Self::solve_truncated`] for a finite system instead).
    ///
    /// # Complexity
    ///
    /// As [`Self::solve_truncated`] for the final `N`, plus the cheaper earlier attempts. The
    /// final `N` grows like `ln(1e-10) / ln(decay)`, where `decay` is the ratio of the masses
    /// of consecutive levels in the tail: `N = 46` for `rho = 0.5` and setups of mean 0.5,
    /// `N = 69` for `rho = 0.7` and setups of mean 1 (0.2 s).
    ///
    /// # Examples
    ///
    /// ```
    /// # use twin_models::analytic::ExhaustiveTwoFamilyCtmc;
    /// let machine = ExhaustiveTwoFamilyCtmc {
    ///     lambda1: 0.3, lambda2: 0.2, mu1: 1.0, mu2: 0.8, setup_rate12: 2.0, setup_rate21: 0.5,
    /// };
    /// let solution = machine.solve()?;
    /// let fractions = solution.busy_fraction + solution.setup_fraction + solution.idle_fraction;
    /// assert!((fractions - 1.0).abs() < 1e-12);
    /// assert!((solution.throughput1 + solution.throughput2 - 0.5).abs() < 1e-9);
    /// # Ok::<(), twin_models::analytic::AnalyticError>(())
    /// ```
    pub fn solve(&self) -> Result<ExhaustiveTwoFamilySolution, AnalyticError> {
        self.solve_up_to(Self::MAX_IN_SYSTEM)
    }

    /// [`Self::solve`] with truncations of at most `limit` parts in the system.
    fn solve_up_to(&self, limit: usize) -> Result<ExhaustiveTwoFamilySolution, AnalyticError> {
        self.validate()?;
        let rho = self.load();
        if rho >= 1.0 {
            return Err(AnalyticError::Overloaded {
                load_name: "lambda1 / mu1 + lambda2 / mu2".to_owned(),
                load: rho,
            });
        }
        let tolerance = Self::BOUNDARY_MASS_TOLERANCE;
        let first_guess = (tolerance.ln() / rho.ln()).ceil();
        let mut max_in_system = (first_guess as usize).max(8).min(limit);
        loop {
            let distribution = self.level_distribution(max_in_system)?;
            let boundary_mass = distribution.level_mass(max_in_system);
            if boundary_mass <= tolerance {
                return Ok(self.measures(&distribution, max_in_system));
            }
            if max_in_system == limit {
                return Err(AnalyticError::TruncationLimit {
                    max_in_system,
                    boundary_mass,
                    tolerance,
                });
            }
            max_in_system = next_truncation(&distribution, max_in_system, tolerance).min(limit);
        }
    }

    /// Mean number of parts in the system, both families; see [`Self::solve`], which gives
    /// all the measures at once.
    ///
    /// # Errors
    ///
    /// As [`Self::solve`]; the same for all the following methods.
    ///
    /// # Examples
    ///
    /// ```
    /// # use twin_models::analytic::ExhaustiveTwoFamilyCtmc;
    /// // Setups 10 000 times faster than processing: nearly an M/M/1 queue, L = 0.5 / 0.5.
    /// let machine = ExhaustiveTwoFamilyCtmc {
    ///     lambda1: 0.3, lambda2: 0.2, mu1: 1.0, mu2: 1.0, setup_rate12: 1e4, setup_rate21: 1e4,
    /// };
    /// assert!((machine.mean_in_system()? - 1.0).abs() < 1e-3);
    /// # Ok::<(), twin_models::analytic::AnalyticError>(())
    /// ```
    pub fn mean_in_system(&self) -> Result<f64, AnalyticError> {
        Ok(self.solve()?.mean_in_system)
    }

    /// Mean number of family-1 parts in the system.
    ///
    /// # Errors
    ///
    /// As [`Self::solve`].
    ///
    /// # Examples
    ///
    /// ```
    /// # use twin_models::analytic::ExhaustiveTwoFamilyCtmc;
    /// let machine = ExhaustiveTwoFamilyCtmc {
    ///     lambda1: 0.3, lambda2: 0.2, mu1: 1.0, mu2: 1.0, setup_rate12: 2.0, setup_rate21: 2.0,
    /// };
    /// let total = machine.mean_in_system()?;
    /// assert!((machine.mean_in_system1()? + machine.mean_in_system2()? - total).abs() < 1e-12);
    /// # Ok::<(), twin_models::analytic::AnalyticError>(())
    /// ```
    pub fn mean_in_system1(&self) -> Result<f64, AnalyticError> {
        Ok(self.solve()?.mean_in_system1)
    }

    /// Mean number of family-2 parts in the system.
    ///
    /// # Errors
    ///
    /// As [`Self::solve`].
    ///
    /// # Examples
    ///
    /// ```
    /// # use twin_models::analytic::ExhaustiveTwoFamilyCtmc;
    /// let machine = ExhaustiveTwoFamilyCtmc {
    ///     lambda1: 0.3, lambda2: 0.2, mu1: 1.0, mu2: 1.0, setup_rate12: 2.0, setup_rate21: 2.0,
    /// };
    /// // The rarer family waits longer for its campaign, but has fewer parts in the system.
    /// assert!(machine.mean_in_system2()? < machine.mean_in_system1()?);
    /// # Ok::<(), twin_models::analytic::AnalyticError>(())
    /// ```
    pub fn mean_in_system2(&self) -> Result<f64, AnalyticError> {
        Ok(self.solve()?.mean_in_system2)
    }

    /// Mean sojourn (lead) time of a part of either family, including its setup.
    ///
    /// # Errors
    ///
    /// As [`Self::solve`].
    ///
    /// # Examples
    ///
    /// ```
    /// # use twin_models::analytic::ExhaustiveTwoFamilyCtmc;
    /// let machine = ExhaustiveTwoFamilyCtmc {
    ///     lambda1: 0.3, lambda2: 0.2, mu1: 1.0, mu2: 1.0, setup_rate12: 2.0, setup_rate21: 2.0,
    /// };
    /// // Little's law: W = L / (lambda1 + lambda2).
    /// let w = machine.mean_sojourn_time()?;
    /// assert!((w - machine.mean_in_system()? / 0.5).abs() < 1e-9);
    /// # Ok::<(), twin_models::analytic::AnalyticError>(())
    /// ```
    pub fn mean_sojourn_time(&self) -> Result<f64, AnalyticError> {
        Ok(self.solve()?.mean_sojourn_time)
    }

    /// Mean sojourn time of a family-1 part.
    ///
    /// # Errors
    ///
    /// As [`Self::solve`].
    ///
    /// # Examples
    ///
    /// ```
    /// # use twin_models::analytic::ExhaustiveTwoFamilyCtmc;
    /// let machine = ExhaustiveTwoFamilyCtmc {
    ///     lambda1: 0.3, lambda2: 0.2, mu1: 1.0, mu2: 1.0, setup_rate12: 2.0, setup_rate21: 2.0,
    /// };
    /// // At least the processing time.
    /// assert!(machine.mean_sojourn_time1()? > 1.0);
    /// # Ok::<(), twin_models::analytic::AnalyticError>(())
    /// ```
    pub fn mean_sojourn_time1(&self) -> Result<f64, AnalyticError> {
        Ok(self.solve()?.mean_sojourn_time1)
    }

    /// Mean sojourn time of a family-2 part.
    ///
    /// # Errors
    ///
    /// As [`Self::solve`].
    ///
    /// # Examples
    ///
    /// ```
    /// # use twin_models::analytic::ExhaustiveTwoFamilyCtmc;
    /// let machine = ExhaustiveTwoFamilyCtmc {
    ///     lambda1: 0.3, lambda2: 0.2, mu1: 1.0, mu2: 1.0, setup_rate12: 2.0, setup_rate21: 2.0,
    /// };
    /// // The rarer family more often arrives to a server configured for the other one.
    /// assert!(machine.mean_sojourn_time2()? > machine.mean_sojourn_time1()?);
    /// # Ok::<(), twin_models::analytic::AnalyticError>(())
    /// ```
    pub fn mean_sojourn_time2(&self) -> Result<f64, AnalyticError> {
        Ok(self.solve()?.mean_sojourn_time2)
    }

    /// Fraction of time processing, `lambda1 / mu1 + lambda2 / mu2` up to the boundary mass.
    ///
    /// # Errors
    ///
    /// As [`Self::solve`].
    ///
    /// # Examples
    ///
    /// ```
    /// # use twin_models::analytic::ExhaustiveTwoFamilyCtmc;
    /// let machine = ExhaustiveTwoFamilyCtmc {
    ///     lambda1: 0.3, lambda2: 0.2, mu1: 1.0, mu2: 0.5, setup_rate12: 2.0, setup_rate21: 2.0,
    /// };
    /// assert!((machine.busy_fraction()? - 0.7).abs() < 1e-9);
    /// # Ok::<(), twin_models::analytic::AnalyticError>(())
    /// ```
    pub fn busy_fraction(&self) -> Result<f64, AnalyticError> {
        Ok(self.solve()?.busy_fraction)
    }

    /// Fraction of time setting up, both directions.
    ///
    /// # Errors
    ///
    /// As [`Self::solve`].
    ///
    /// # Examples
    ///
    /// ```
    /// # use twin_models::analytic::ExhaustiveTwoFamilyCtmc;
    /// let machine = ExhaustiveTwoFamilyCtmc {
    ///     lambda1: 0.3, lambda2: 0.2, mu1: 1.0, mu2: 1.0, setup_rate12: 2.0, setup_rate21: 2.0,
    /// };
    /// let setup = machine.setup_fraction()?;
    /// assert!(setup > 0.0 && setup < 0.5);
    /// # Ok::<(), twin_models::analytic::AnalyticError>(())
    /// ```
    pub fn setup_fraction(&self) -> Result<f64, AnalyticError> {
        Ok(self.solve()?.setup_fraction)
    }

    /// Fraction of time idle.
    ///
    /// # Errors
    ///
    /// As [`Self::solve`].
    ///
    /// # Examples
    ///
    /// ```
    /// # use twin_models::analytic::ExhaustiveTwoFamilyCtmc;
    /// let machine = ExhaustiveTwoFamilyCtmc {
    ///     lambda1: 0.3, lambda2: 0.2, mu1: 1.0, mu2: 1.0, setup_rate12: 2.0, setup_rate21: 2.0,
    /// };
    /// let idle = machine.idle_fraction()?;
    /// assert!((idle + machine.busy_fraction()? + machine.setup_fraction()? - 1.0).abs() < 1e-12);
    /// # Ok::<(), twin_models::analytic::AnalyticError>(())
    /// ```
    pub fn idle_fraction(&self) -> Result<f64, AnalyticError> {
        Ok(self.solve()?.idle_fraction)
    }

    /// Setups started per time unit, both directions.
    ///
    /// # Errors
    ///
    /// As [`Self::solve`].
    ///
    /// # Examples
    ///
    /// ```
    /// # use twin_models::analytic::ExhaustiveTwoFamilyCtmc;
    /// let machine = ExhaustiveTwoFamilyCtmc {
    ///     lambda1: 0.3, lambda2: 0.2, mu1: 1.0, mu2: 1.0, setup_rate12: 2.0, setup_rate21: 2.0,
    /// };
    /// // Campaigns: fewer setups than the 0.5 arrivals per time unit.
    /// let frequency = machine.setup_frequency()?;
    /// assert!(frequency > 0.0 && frequency < 0.5);
    /// # Ok::<(), twin_models::analytic::AnalyticError>(())
    /// ```
    pub fn setup_frequency(&self) -> Result<f64, AnalyticError> {
        Ok(self.solve()?.setup_frequency())
    }

    /// Stationary mass at the truncation boundary chosen by [`Self::solve`] (at most
    /// [`Self::BOUNDARY_MASS_TOLERANCE`]).
    ///
    /// # Errors
    ///
    /// As [`Self::solve`].
    ///
    /// # Examples
    ///
    /// ```
    /// # use twin_models::analytic::ExhaustiveTwoFamilyCtmc;
    /// let machine = ExhaustiveTwoFamilyCtmc {
    ///     lambda1: 0.3, lambda2: 0.2, mu1: 1.0, mu2: 1.0, setup_rate12: 2.0, setup_rate21: 2.0,
    /// };
    /// assert!(machine.boundary_mass()? <= ExhaustiveTwoFamilyCtmc::BOUNDARY_MASS_TOLERANCE);
    /// # Ok::<(), twin_models::analytic::AnalyticError>(())
    /// ```
    pub fn boundary_mass(&self) -> Result<f64, AnalyticError> {
        Ok(self.solve()?.boundary_mass)
    }
}

/// Stationary row vector `pi` with `pi q = 0` and `sum pi = 1` of a small generator, without
/// the checks of [`super::ctmc_stationary`]: `q` is a censored generator whose rows sum to 0
/// only up to rounding.
fn censored_stationary(q: &DMatrix<f64>) -> Result<DVector<f64>, AnalyticError> {
    let n = q.nrows();
    let mut system = q.transpose();
    system.row_mut(n - 1).fill(1.0);
    let mut rhs = DVector::zeros(n);
    rhs[n - 1] = 1.0;
    let pi = system.lu().solve(&rhs).ok_or(AnalyticError::Singular)?;
    if pi.iter().all(|p| p.is_finite() && *p >= 0.0) {
        Ok(pi)
    } else {
        Err(AnalyticError::Singular)
    }
}

/// Inverse of a square matrix `k` exploiting its columns that are zero off the diagonal.
///
/// With `S` the set of such columns and `D` the others, `k` is block lower triangular after a
/// symmetric permutation, `[[k_DD, 0], [k_SD, k_SS]]` with `k_SS` diagonal, so its inverse is
/// `[[k_DD^-1, 0], [-k_SS^-1 k_SD k_DD^-1, k_SS^-1]]` and only `k_DD` needs an LU
/// decomposition. In the levels of [`ExhaustiveTwoFamilyCtmc`] the setup states that no
/// completion leads to (about half of the level) are such columns, which makes the inversion
/// about four times cheaper. For an M-matrix `k` every block of the inverse is non-negative.
///
/// Returns `None` when `k` is singular.
fn inverse_with_diagonal_columns(k: &DMatrix<f64>) -> Option<DMatrix<f64>> {
    let n = k.nrows();
    let (sparse, dense): (Vec<usize>, Vec<usize>) =
        (0..n).partition(|&j| (0..n).all(|i| i == j || k[(i, j)] == 0.0));
    let mut inverse = DMatrix::zeros(n, n);
    let dense_inverse = if dense.is_empty() {
        DMatrix::zeros(0, 0)
    } else {
        let block = k.select_rows(&dense).select_columns(&dense);
        block.lu().try_inverse()?
    };
    for (a, &i) in dense.iter().enumerate() {
        for (b, &j) in dense.iter().enumerate() {
            inverse[(i, j)] = dense_inverse[(a, b)];
        }
    }
    let coupling = k.select_rows(&sparse).select_columns(&dense) * &dense_inverse;
    for (a, &i) in sparse.iter().enumerate() {
        let diagonal = k[(i, i)];
        if diagonal == 0.0 || !diagonal.is_finite() {
            return None;
        }
        inverse[(i, i)] = 1.0 / diagonal;
        for (b, &j) in dense.iter().enumerate() {
            inverse[(i, j)] = -coupling[(a, b)] / diagonal;
        }
    }
    Some(inverse)
}

/// The next truncation to try after `current` left too much boundary mass: extrapolates the
/// geometric decay of the level masses over the last quarter of the levels to where the mass
/// falls below `tolerance`, with a 10% margin, and grows by at least `max(4, current / 16)`
/// levels so that a poor extrapolation still makes progress.
fn next_truncation(distribution: &LevelDistribution, current: usize, tolerance: f64) -> usize {
    let from = current * 3 / 4;
    let to = current - 1;
    let minimum = current + (current / 16).max(4);
    let ratio = distribution.level_mass(to) / distribution.level_mass(from);
    let decay = ratio.powf(1.0 / (to - from) as f64);
    if !(decay.is_finite() && decay > 0.0 && decay < 1.0) {
        return 2 * current;
    }
    let extra = (tolerance / distribution.level_mass(current)).ln() / decay.ln();
    let wanted = current as f64 + 1.1 * extra + 2.0;
    if wanted.is_finite() && wanted < (4 * current) as f64 {
        (wanted.ceil() as usize).max(minimum)
    } else {
        4 * current
    }
}

#[cfg(test)]
mod tests {
    use std::collections::{HashMap, VecDeque};

    use sim_core::{RandomStream, StreamKey};

    use super::super::{MmcK, ctmc_stationary};
    use super::*;

    /// `|a - b| <= tol * max(1, |b|)`, with a message that shows both numbers.
    #[track_caller]
    fn assert_close(a: f64, b: f64, tol: f64) {
        assert!(
            (a - b).abs() <= tol * b.abs().max(1.0),
            "{a} != {b} (tolerance {tol})"
        );
    }

    /// A seeded, portable random stream (the same numbers on every platform).
    fn stream(seed: u64, purpose: &str) -> RandomStream {
        RandomStream::new(seed, 0, StreamKey::new(purpose, "setups-test", 0))
    }

    fn exponential(rng: &mut RandomStream, mean: f64) -> f64 {
        -mean * (1.0 - rng.uniform01()).ln()
    }

    /// Mean of batch estimates and the standard error of that mean.
    fn batch_means(values: &[f64]) -> (f64, f64) {
        let n = values.len() as f64;
        let mean = values.iter().sum::<f64>() / n;
        let variance = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0);
        (mean, (variance / n).sqrt())
    }

    /// Asserts that a simulation estimate `(mean, standard error)` is within four standard
    /// errors of `exact`, and that the standard error is at most `max_relative_error` of it,
    /// so that the comparison means something.
    #[track_caller]
    fn assert_estimate(name: &str, exact: f64, (mean, se): (f64, f64), max_relative_error: f64) {
        eprintln!(
            "{name}: exact {exact:.6}, simulated {mean:.6} +- {se:.6} ({:+.2} se)",
            (mean - exact) / se
        );
        assert!(
            se <= max_relative_error * exact.abs(),
            "{name}: standard error {se} too large for {exact}"
        );
        assert!(
            (mean - exact).abs() <= 4.0 * se,
            "{name}: simulated {mean} +- {se}, exact {exact}"
        );
    }

    // --- Campaign cycle ----------------------------------------------------------------------

    #[test]
    fn campaign_cycle_two_products_hand_calculation() {
        // Q = 3, p_a = 2, p_b = 1, s_ab = 4, s_ba = 2: C = 3*2 + 3*1 + 4 + 2 = 15, throughput
        // 6/15 = 0.4 (0.2 per product), setups (4 + 2)/15 = 0.4, processing 9/15 = 0.6, and
        // 2 setups per 15 time units.
        let machine = CampaignCycle::two_products(3, 2.0, 1.0, 4.0, 2.0);
        assert_close(machine.cycle_length().unwrap(), 15.0, 1e-15);
        assert_close(machine.throughput().unwrap(), 0.4, 1e-15);
        assert_close(machine.product_throughput(0).unwrap(), 0.2, 1e-15);
        assert_close(machine.product_throughput(1).unwrap(), 0.2, 1e-15);
        assert_close(machine.setup_fraction().unwrap(), 0.4, 1e-15);
        assert_close(machine.busy_fraction().unwrap(), 0.6, 1e-15);
        assert_close(machine.setup_frequency().unwrap(), 2.0 / 15.0, 1e-15);
    }

    #[test]
    fn campaign_cycle_three_products_hand_calculation() {
        // Q = (2, 1, 3), p = (1, 2, 0.5), s = (0.5, 1, 1.5): processing 2 + 2 + 1.5 = 5.5,
        // setups 3, C = 8.5; 6 parts per cycle.
        let machine = CampaignCycle {
            campaign_sizes: vec![2, 1, 3],
            processing_means: vec![1.0, 2.0, 0.5],
            setup_means: vec![0.5, 1.0, 1.5],
        };
        assert_close(machine.cycle_length().unwrap(), 8.5, 1e-15);
        assert_close(machine.throughput().unwrap(), 6.0 / 8.5, 1e-15);
        assert_close(machine.product_throughput(2).unwrap(), 3.0 / 8.5, 1e-15);
        assert_close(machine.busy_fraction().unwrap(), 5.5 / 8.5, 1e-15);
        assert_close(machine.setup_fraction().unwrap(), 3.0 / 8.5, 1e-15);
        assert_close(machine.setup_frequency().unwrap(), 3.0 / 8.5, 1e-15);
        // Zero setups: a machine that only processes.
        let no_setups = CampaignCycle {
            setup_means: vec![0.0; 3],
            ..machine
        };
        assert_eq!(no_setups.busy_fraction().unwrap(), 1.0);
        assert_close(no_setups.throughput().unwrap(), 6.0 / 5.5, 1e-15);
    }

    /// Simulates cycles with non-exponential times of the right means: uniform processing on
    /// `[p/2, 3p/2]` and exponential setups (the renewal-reward formulas need only the means).
    #[test]
    fn campaign_cycle_matches_monte_carlo() {
        let machine = CampaignCycle {
            campaign_sizes: vec![4, 2, 3],
            processing_means: vec![1.0, 2.5, 0.7],
            setup_means: vec![3.0, 0.5, 1.5],
        };
        let k = machine.campaign_sizes.len();
        let mut rng = stream(11, "campaign");
        let (batches, cycles_per_batch) = (40, 1_000);
        let mut estimates = vec![[0.0; 5]; batches];
        for estimate in &mut estimates {
            let (mut processing, mut setup, mut parts, mut parts1) = (0.0, 0.0, 0.0, 0.0);
            for _ in 0..cycles_per_batch {
                for i in 0..k {
                    let p = machine.processing_means[i];
                    for _ in 0..machine.campaign_sizes[i] {
                        processing += p * (0.5 + rng.uniform01());
                        parts += 1.0;
                        if i == 1 {
                            parts1 += 1.0;
                        }
                    }
                    setup += exponential(&mut rng, machine.setup_means[i]);
                }
            }
            let time = processing + setup;
            let setups = (cycles_per_batch * k) as f64;
            *estimate = [
                parts / time,
                parts1 / time,
                processing / time,
                setup / time,
                setups / time,
            ];
        }
        let column = |c: usize| batch_means(&estimates.iter().map(|e| e[c]).collect::<Vec<_>>());
        let exact = [
            machine.throughput().unwrap(),
            machine.product_throughput(1).unwrap(),
            machine.busy_fraction().unwrap(),
            machine.setup_fraction().unwrap(),
            machine.setup_frequency().unwrap(),
        ];
        let names = [
            "throughput",
            "throughput of product 1",
            "busy fraction",
            "setup fraction",
            "setup frequency",
        ];
        for c in 0..5 {
            assert_estimate(names[c], exact[c], column(c), 5e-3);
        }
    }

    #[test]
    fn campaign_cycle_rejects_invalid_parameters() {
        let base = CampaignCycle::two_products(3, 2.0, 1.0, 4.0, 2.0);
        let err = |machine: CampaignCycle| machine.throughput().unwrap_err().to_string();
        assert_eq!(
            err(CampaignCycle {
                campaign_sizes: vec![3],
                processing_means: vec![2.0],
                setup_means: vec![4.0],
            }),
            "campaign_sizes.len() must be at least 2 (a single product has no changeovers), got 1"
        );
        assert_eq!(
            err(CampaignCycle {
                setup_means: vec![1.0, 2.0, 3.0],
                ..base.clone()
            }),
            "setup_means.len() must be equal to campaign_sizes.len() = 2, got 3"
        );
        assert_eq!(
            err(CampaignCycle {
                campaign_sizes: vec![3, 0],
                ..base.clone()
            }),
            "campaign_sizes[1] must be at least 1, got 0"
        );
        assert_eq!(
            err(CampaignCycle::two_products(3, -1.0, 1.0, 4.0, 2.0)),
            "processing_means[0] must be positive and finite, got -1"
        );
        assert_eq!(
            err(CampaignCycle::two_products(3, 2.0, 1.0, 4.0, f64::NAN)),
            "setup_means[1] must be non-negative and finite, got NaN"
        );
        assert_eq!(
            base.product_throughput(2).unwrap_err().to_string(),
            "product must be less than the number of products, 2, got 2"
        );
    }

    // --- FIFO M/G/1 with setups --------------------------------------------------------------

    #[test]
    fn fifo_setup_mg1_hand_calculation() {
        // lambda = 0.2, n = 3 (q = 2/3), exponential processing m = 1 (m2 = 2) and setups
        // s = 1.5 (s2 = 4.5): E[S] = 1 + (2/3) 1.5 = 2, E[S^2] = 2 + 2 (2/3) 1.5 + (2/3) 4.5
        // = 2 + 2 + 3 = 7, rho = 0.4, Wq = 0.2 * 7 / (2 * 0.6) = 7/6, W = 7/6 + 2 = 19/6,
        // L = 0.2 * 19/6 = 19/30, Lq = 7/30; setups 0.2 (2/3) 1.5 = 0.2 of the time,
        // processing 0.2, idle 0.6, and 0.2 * 2/3 = 2/15 setups per time unit.
        let machine = FifoSetupMg1::exponential(0.2, 3, 1.0, 1.5);
        assert_close(machine.mean_service_time().unwrap(), 2.0, 1e-15);
        assert_close(machine.service_second_moment().unwrap(), 7.0, 1e-15);
        assert_close(machine.utilisation().unwrap(), 0.4, 1e-15);
        assert_close(machine.mean_waiting_time().unwrap(), 7.0 / 6.0, 1e-15);
        assert_close(machine.mean_sojourn_time().unwrap(), 19.0 / 6.0, 1e-15);
        assert_close(machine.mean_in_system().unwrap(), 19.0 / 30.0, 1e-15);
        assert_close(machine.mean_in_queue().unwrap(), 7.0 / 30.0, 1e-15);
        assert_close(machine.setup_fraction().unwrap(), 0.2, 1e-15);
        assert_close(machine.busy_fraction().unwrap(), 0.2, 1e-15);
        assert_close(machine.idle_fraction().unwrap(), 0.6, 1e-15);
        assert_close(machine.setup_frequency().unwrap(), 2.0 / 15.0, 1e-15);
    }

    #[test]
    fn fifo_setup_mg1_single_family_is_mm1() {
        // One family never needs a setup, whatever the setup time: M/M/1, W = 1 / (mu - lambda).
        let machine = FifoSetupMg1::exponential(0.5, 1, 1.0, 7.0);
        let mm1 = MmcK::mm1(0.5, 1.0);
        assert_close(machine.mean_sojourn_time().unwrap(), 2.0, 1e-15);
        assert_close(
            machine.mean_in_system().unwrap(),
            mm1.mean_in_system().unwrap(),
            1e-14,
        );
        assert_close(
            machine.mean_waiting_time().unwrap(),
            mm1.mean_waiting_time().unwrap(),
            1e-14,
        );
        assert_eq!(machine.setup_fraction().unwrap(), 0.0);
    }

    /// Estimates of a FIFO machine with setups from a Lindley recursion.
    struct LindleyEstimates {
        sojourn: (f64, f64),
        waiting: (f64, f64),
        busy_fraction: (f64, f64),
        setup_fraction: (f64, f64),
        setup_frequency: (f64, f64),
    }

    /// Serves `batches * per_batch` parts (after a warm-up of `per_batch`) first in, first
    /// out, with families drawn from `family_weights`, by the Lindley recursion
    /// `W_{k+1} = max(0, W_k + S_k - A_{k+1})`, where `S_k` includes a setup when the family
    /// differs from the previous part's.
    fn lindley(
        lambda: f64,
        family_weights: &[f64],
        processing: impl Fn(&mut RandomStream) -> f64,
        setup: impl Fn(&mut RandomStream) -> f64,
        (batches, per_batch): (usize, usize),
        seed: u64,
    ) -> LindleyEstimates {
        let mut rng = stream(seed, "lindley");
        let total_weight: f64 = family_weights.iter().sum();
        let mut wait = 0.0;
        let mut previous_family = 0;
        let mut batch_values = vec![[0.0; 5]; batches];
        for batch in 0..=batches {
            let (mut sojourn, mut waiting, mut busy, mut setups, mut setup_time, mut span) =
                (0.0, 0.0, 0.0, 0.0, 0.0, 0.0);
            for _ in 0..per_batch {
                let mut u = rng.uniform01() * total_weight;
                let mut family = 0;
                while family + 1 < family_weights.len() && u >= family_weights[family] {
                    u -= family_weights[family];
                    family += 1;
                }
                let p = processing(&mut rng);
                let d = if family != previous_family {
                    setups += 1.0;
                    setup(&mut rng)
                } else {
                    0.0
                };
                previous_family = family;
                let service = p + d;
                sojourn += wait + service;
                waiting += wait;
                busy += p;
                setup_time += d;
                let interarrival = exponential(&mut rng, 1.0 / lambda);
                span += interarrival;
                wait = f64::max(0.0, wait + service - interarrival);
            }
            // Batch 0 is the warm-up from an empty system.
            if batch > 0 {
                let n = per_batch as f64;
                batch_values[batch - 1] = [
                    sojourn / n,
                    waiting / n,
                    busy / span,
                    setup_time / span,
                    setups / span,
                ];
            }
        }
        let column = |c: usize| batch_means(&batch_values.iter().map(|v| v[c]).collect::<Vec<_>>());
        LindleyEstimates {
            sojourn: column(0),
            waiting: column(1),
            busy_fraction: column(2),
            setup_fraction: column(3),
            setup_frequency: column(4),
        }
    }

    fn check_against_lindley(machine: &FifoSetupMg1, estimates: &LindleyEstimates) {
        assert_estimate(
            "sojourn",
            machine.mean_sojourn_time().unwrap(),
            estimates.sojourn,
            1e-2,
        );
        assert_estimate(
            "waiting",
            machine.mean_waiting_time().unwrap(),
            estimates.waiting,
            2e-2,
        );
        assert_estimate(
            "busy fraction",
            machine.busy_fraction().unwrap(),
            estimates.busy_fraction,
            1e-2,
        );
        assert_estimate(
            "setup fraction",
            machine.setup_fraction().unwrap(),
            estimates.setup_fraction,
            1e-2,
        );
        assert_estimate(
            "setup frequency",
            machine.setup_frequency().unwrap(),
            estimates.setup_frequency,
            1e-2,
        );
    }

    #[test]
    fn fifo_setup_mg1_matches_lindley_recursion() {
        // Uniform processing on [0.5, 1.5] (m = 1, m2 = 1 + 1/12) and Erlang-2 setups of mean
        // 1.2 (s2 = 1.5 * 1.2^2 = 2.16), three families: E[S] = 1.8, rho = 0.63.
        let machine = FifoSetupMg1 {
            lambda: 0.35,
            families: 3,
            processing_mean: 1.0,
            processing_second_moment: 13.0 / 12.0,
            setup_mean: 1.2,
            setup_second_moment: 2.16,
        };
        let estimates = lindley(
            machine.lambda,
            &[1.0; 3],
            |rng| 0.5 + rng.uniform01(),
            |rng| exponential(rng, 0.6) + exponential(rng, 0.6),
            (50, 20_000),
            1,
        );
        check_against_lindley(&machine, &estimates);

        // Exponential processing (m = 1) and constant setups of 0.8, two families:
        // E[S] = 1.4, E[S^2] = 2 + 0.8 + 0.32 = 3.12, rho = 0.56.
        let machine = FifoSetupMg1 {
            lambda: 0.4,
            families: 2,
            processing_mean: 1.0,
            processing_second_moment: 2.0,
            setup_mean: 0.8,
            setup_second_moment: 0.64,
        };
        assert_close(machine.service_second_moment().unwrap(), 3.12, 1e-15);
        let estimates = lindley(
            machine.lambda,
            &[1.0; 2],
            |rng| exponential(rng, 1.0),
            |_| 0.8,
            (50, 20_000),
            2,
        );
        check_against_lindley(&machine, &estimates);
    }

    /// Protects the documented limitation: with a non-uniform mix the setup indicators are
    /// correlated and the Pollaczek–Khinchine formula with the average setup probability
    /// `q = 1 - sum p_g^2` underestimates the waiting time.
    #[test]
    fn fifo_setup_pk_formula_fails_for_non_uniform_mix() {
        let (lambda, weights, m, s) = (0.45, [0.9, 0.1], 1.0, 3.0);
        let q = 1.0 - weights.iter().map(|p| p * p).sum::<f64>();
        let mean = m + q * s;
        let second = 2.0 * m * m + 2.0 * q * m * s + q * s * s;
        let naive_wait = lambda * second / (2.0 * (1.0 - lambda * mean));
        let estimates = lindley(
            lambda,
            &weights,
            |rng| exponential(rng, m),
            |_| s,
            (50, 20_000),
            3,
        );
        let (simulated, se) = estimates.waiting;
        eprintln!(
            "non-uniform mix: naive P-K Wq {naive_wait:.4}, simulated {simulated:.4} +- {se:.4}"
        );
        assert!(simulated - naive_wait > 10.0 * se);
    }

    #[test]
    fn fifo_setup_mg1_rejects_invalid_parameters() {
        let base = FifoSetupMg1::exponential(0.2, 3, 1.0, 1.5);
        let err = |machine: FifoSetupMg1| machine.mean_sojourn_time().unwrap_err().to_string();
        assert_eq!(
            err(FifoSetupMg1 {
                lambda: 0.0,
                ..base
            }),
            "lambda must be positive and finite, got 0"
        );
        assert_eq!(
            err(FifoSetupMg1 {
                families: 0,
                ..base
            }),
            "families must be at least 1, got 0"
        );
        assert_eq!(
            err(FifoSetupMg1 {
                processing_mean: 2.0,
                processing_second_moment: 3.0,
                ..base
            }),
            "processing_second_moment must be finite and at least processing_mean^2 = 4, got 3"
        );
        assert_eq!(
            err(FifoSetupMg1 {
                setup_mean: 0.0,
                setup_second_moment: 1.0,
                ..base
            }),
            "setup_second_moment must be 0 when setup_mean = 0, got 1"
        );
        assert_eq!(
            err(FifoSetupMg1 {
                setup_mean: -0.5,
                ..base
            }),
            "setup_mean must be non-negative and finite, got -0.5"
        );
        // E[S] = 1 + (2/3) 1.5 = 2, rho = 0.5 * 2 = 1.
        assert_eq!(
            err(FifoSetupMg1 {
                lambda: 0.5,
                ..base
            }),
            "unstable: load lambda * (processing_mean + (families - 1) / families * setup_mean) \
             = 1 must be less than 1"
        );
        // The service moments do not depend on the load.
        let overloaded = FifoSetupMg1 {
            lambda: 0.5,
            ..base
        };
        assert_eq!(overloaded.mean_service_time().unwrap(), 2.0);
    }

    // --- Exhaustive service of two families --------------------------------------------------

    fn two_families(
        (lambda1, lambda2): (f64, f64),
        (mu1, mu2): (f64, f64),
        (setup_rate12, setup_rate21): (f64, f64),
    ) -> ExhaustiveTwoFamilyCtmc {
        ExhaustiveTwoFamilyCtmc {
            lambda1,
            lambda2,
            mu1,
            mu2,
            setup_rate12,
            setup_rate21,
        }
    }

    fn sample_machines() -> Vec<ExhaustiveTwoFamilyCtmc> {
        vec![
            two_families((0.3, 0.2), (1.0, 0.8), (2.0, 0.5)),
            two_families((0.25, 0.35), (1.0, 1.0), (3.0, 3.0)),
            two_families((0.1, 0.05), (0.5, 0.4), (0.2, 1.0)),
            two_families((0.4, 0.3), (1.0, 1.0), (1.0, 1.0)),
        ]
    }

    #[test]
    fn exhaustive_state_space_is_closed_and_ordered() {
        let machine = sample_machines()[0];
        let top = 7;
        for level in 0..=top {
            let states = FamilyState::level_states(level);
            assert_eq!(states.len(), if level == 0 { 2 } else { 4 * level });
            for (i, &state) in states.iter().enumerate() {
                assert_eq!(state.level(), level);
                assert_eq!(state.position(), i, "{state:?}");
                let transitions = machine.transitions(state, top);
                // Two arrivals below the top, and one completion unless idle.
                let arrivals = if level < top { 2 } else { 0 };
                let completions = usize::from(level > 0);
                assert_eq!(transitions.len(), arrivals + completions);
                for (next, rate) in transitions {
                    assert!(rate > 0.0);
                    assert!(next.level().abs_diff(level) <= 1 && next.level() <= top);
                    assert_eq!(
                        FamilyState::level_states(next.level())[next.position()],
                        next
                    );
                }
            }
        }
    }

    /// Room for one part, all rates different. States: idle at 1 or 2 (I1, I2), serving
    /// (S1, S2), setting up for 1 or 2 (U1, U2). Balance: (l1 + l2) I1 = m1 S1,
    /// m1 S1 = l1 (I1 + I2), so I1 = l1 c and I2 = l2 c; then S1 = (l1 + l2) l1 c / m1,
    /// S2 = (l1 + l2) l2 c / m2, U1 = l1 l2 c / s21, U2 = l1 l2 c / s12.
    /// With l = (1, 2), m = (3, 4), s12 = 5, s21 = 10: I1 = c, I2 = 2c (c = 10/61 after
    /// normalising 10 + 20 + 10 + 15 + 2 + 4 = 61 in units of c/10), S1 = c, S2 = 1.5c,
    /// U1 = 0.2c, U2 = 0.4c.
    #[test]
    fn exhaustive_room_for_one_part_hand_calculation() {
        let machine = two_families((1.0, 2.0), (3.0, 4.0), (5.0, 10.0));
        let solution = machine.solve_truncated(1).unwrap();
        let c = 10.0 / 61.0;
        let (i1, i2, s1, s2, u1, u2) = (c, 2.0 * c, c, 1.5 * c, 0.2 * c, 0.4 * c);
        assert_close(solution.idle_fraction, i1 + i2, 1e-14);
        assert_close(solution.busy_fraction, s1 + s2, 1e-14);
        assert_close(solution.setup_fraction, u1 + u2, 1e-14);
        assert_close(solution.mean_in_system1, s1 + u1, 1e-14);
        assert_close(solution.mean_in_system2, s2 + u2, 1e-14);
        assert_close(solution.boundary_mass, 31.0 / 61.0, 1e-14);
        // Setups to 2 start from I1 at rate l2, setups to 1 from I2 at rate l1: 20/61 each.
        assert_close(solution.setup_frequency12, 20.0 / 61.0, 1e-14);
        assert_close(solution.setup_frequency21, 20.0 / 61.0, 1e-14);
        // Throughput 1 = m1 S1 = 30/61 = l1 (1 - 31/61); W1 = L1 / TH1 = 12/30 = 0.4, which is
        // 1/m1 plus the setup 1/s21 for the 2/3 of admitted family-1 parts that find I2.
        assert_close(solution.throughput1, 30.0 / 61.0, 1e-14);
        assert_close(solution.mean_sojourn_time1, 0.4, 1e-14);
        assert_close(
            solution.mean_sojourn_time1,
            1.0 / 3.0 + (2.0 / 3.0) / 10.0,
            1e-14,
        );
    }

    /// The dense generator of the truncated chain, built from the same transitions, solved by
    /// [`ctmc_stationary`]: checks the level reduction, not the semantics.
    #[test]
    fn exhaustive_level_reduction_matches_dense_generator() {
        for machine in sample_machines() {
            for top in [1, 2, 5, 12] {
                let states: Vec<FamilyState> =
                    (0..=top).flat_map(FamilyState::level_states).collect();
                let index: HashMap<FamilyState, usize> =
                    states.iter().enumerate().map(|(i, &s)| (s, i)).collect();
                let mut q = DMatrix::zeros(states.len(), states.len());
                for (i, &state) in states.iter().enumerate() {
                    for (next, rate) in machine.transitions(state, top) {
                        q[(i, index[&next])] += rate;
                        q[(i, i)] -= rate;
                    }
                }
                let dense = ctmc_stationary(&q).unwrap();
                let levels = machine.level_distribution(top).unwrap();
                for (level, pi) in levels.levels.iter().enumerate() {
                    for (state, &p) in FamilyState::level_states(level).iter().zip(pi.iter()) {
                        let expected = dense[index[state]];
                        assert!(
                            (p - expected).abs() <= 1e-12 * expected.max(1e-3),
                            "{machine:?} N = {top} {state:?}: {p} != {expected}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn inverse_with_diagonal_columns_matches_lu_inverse() {
        // Columns 1 and 3 are zero off the diagonal; rows are diagonally dominant.
        let k = DMatrix::from_row_slice(
            4,
            4,
            &[
                4.0, 0.0, -1.0, 0.0, //
                -1.0, 3.0, -0.5, 0.0, //
                -2.0, 0.0, 5.0, 0.0, //
                -0.5, 0.0, -1.5, 2.5,
            ],
        );
        let fast = inverse_with_diagonal_columns(&k).unwrap();
        let reference = k.clone().lu().try_inverse().unwrap();
        assert!((&fast - &reference).amax() < 1e-15, "{fast} != {reference}");
        assert!(fast.iter().all(|&x| x >= 0.0));
        assert!(inverse_with_diagonal_columns(&DMatrix::zeros(2, 2)).is_none());
    }

    #[test]
    fn exhaustive_satisfies_conservation_laws() {
        for machine in sample_machines() {
            let solution = machine.solve().unwrap();
            let rho = machine.lambda1 / machine.mu1 + machine.lambda2 / machine.mu2;
            eprintln!(
                "{machine:?}: N = {}, boundary mass {:e}, L = {:.6}",
                solution.max_in_system, solution.boundary_mass, solution.mean_in_system
            );
            assert!(solution.boundary_mass <= ExhaustiveTwoFamilyCtmc::BOUNDARY_MASS_TOLERANCE);
            // Every part is admitted (up to the boundary mass), processed once and leaves.
            assert_close(solution.throughput1, machine.lambda1, 1e-9);
            assert_close(solution.throughput2, machine.lambda2, 1e-9);
            assert_close(solution.busy_fraction, rho, 1e-9);
            let fractions =
                solution.busy_fraction + solution.setup_fraction + solution.idle_fraction;
            assert_close(fractions, 1.0, 1e-12);
            // Setups are counted as they start; each lasts 1 / setup rate on average.
            let setup_time = solution.setup_frequency12 / machine.setup_rate12
                + solution.setup_frequency21 / machine.setup_rate21;
            assert_close(solution.setup_fraction, setup_time, 1e-9);
            // Setups alternate in direction.
            assert_close(solution.setup_frequency12, solution.setup_frequency21, 1e-9);
            assert_close(
                solution.mean_in_system,
                solution.mean_in_system1 + solution.mean_in_system2,
                1e-14,
            );
            assert_close(
                solution.mean_sojourn_time,
                solution.mean_in_system / (machine.lambda1 + machine.lambda2),
                1e-9,
            );
            // A part's sojourn is at least its processing time.
            assert!(solution.mean_sojourn_time1 > 1.0 / machine.mu1);
            assert!(solution.mean_sojourn_time2 > 1.0 / machine.mu2);
            // The per-quantity methods agree with the solution.
            assert_eq!(machine.mean_in_system().unwrap(), solution.mean_in_system);
            assert_eq!(
                machine.setup_frequency().unwrap(),
                solution.setup_frequency()
            );
        }
    }

    #[test]
    fn exhaustive_fast_setups_approach_mm1() {
        // With mu1 = mu2 the total count is an M/M/1 queue once setups take no time:
        // L = rho / (1 - rho) = 0.5 / 0.5 = 1.
        let mut previous_gap = f64::INFINITY;
        for setup_rate in [1e1, 1e2, 1e3, 1e4, 1e5] {
            let machine = two_families((0.3, 0.2), (1.0, 1.0), (setup_rate, setup_rate));
            let gap = machine.mean_in_system().unwrap() - 1.0;
            eprintln!("setup rate {setup_rate:e}: L - 1 = {gap:e}");
            assert!(gap > 0.0 && gap < previous_gap / 5.0);
            previous_gap = gap;
        }
        assert!(previous_gap < 1e-4);
    }

    #[test]
    fn exhaustive_truncation_is_chosen_from_the_tail() {
        let machine = two_families((0.4, 0.3), (1.0, 1.0), (1.0, 1.0));
        let solution = machine.solve().unwrap();
        let n = solution.max_in_system;
        assert!(solution.boundary_mass <= ExhaustiveTwoFamilyCtmc::BOUNDARY_MASS_TOLERANCE);
        // The caller can ask for the same truncation, and a smaller one has more mass there.
        assert_eq!(machine.solve_truncated(n).unwrap(), solution);
        let smaller = machine.solve_truncated(n - 5).unwrap();
        assert!(smaller.boundary_mass > ExhaustiveTwoFamilyCtmc::BOUNDARY_MASS_TOLERANCE);
        // A larger truncation changes the answer by about the boundary mass.
        let larger = machine.solve_truncated(n + 20).unwrap();
        assert_close(larger.mean_in_system, solution.mean_in_system, 1e-8);
        assert_close(larger.mean_sojourn_time2, solution.mean_sojourn_time2, 1e-8);
    }

    /// Time integrals and counts of one batch of a Gillespie run; divided by the batch length
    /// when the run ends, they become time averages and rates.
    #[derive(Default, Clone)]
    struct GillespieBatch {
        parts1: f64,
        parts2: f64,
        busy: f64,
        setup: f64,
        idle: f64,
        setups12: f64,
        setups21: f64,
        completed: [f64; 2],
        /// The sum of the sojourn times of the parts completed in the batch, per family;
        /// their mean after [`Self::per_time_unit`].
        sojourn: [f64; 2],
    }

    impl GillespieBatch {
        fn per_time_unit(mut self, length: f64) -> Self {
            for family in 0..2 {
                self.sojourn[family] /= self.completed[family];
            }
            for value in [
                &mut self.parts1,
                &mut self.parts2,
                &mut self.busy,
                &mut self.setup,
                &mut self.idle,
                &mut self.setups12,
                &mut self.setups21,
            ]
            .into_iter()
            .chain(&mut self.completed)
            {
                *value /= length;
            }
            self
        }
    }

    /// A statistic of one batch.
    type Statistic = fn(&GillespieBatch) -> f64;

    /// What the server is doing, for the Gillespie simulation (families 0 and 1).
    #[derive(Clone, Copy)]
    enum Server {
        Idle { configured: usize },
        Processing { family: usize },
        SettingUp { family: usize },
    }

    /// Simulates the exhaustive rule event by event (Gillespie), without truncation and
    /// without the generator: `batches` batches of `batch_length` time units after a warm-up
    /// of one batch length. Sojourn times are measured part by part.
    fn gillespie(
        machine: &ExhaustiveTwoFamilyCtmc,
        (batches, batch_length): (usize, f64),
        seed: u64,
    ) -> Vec<GillespieBatch> {
        let lambda = [machine.lambda1, machine.lambda2];
        let mu = [machine.mu1, machine.mu2];
        // setup_rate[f] is the rate of a setup towards family f.
        let setup_rate = [machine.setup_rate21, machine.setup_rate12];
        let mut rng = stream(seed, "gillespie");
        let mut queues: [VecDeque<f64>; 2] = [VecDeque::new(), VecDeque::new()];
        let mut server = Server::Idle { configured: 0 };
        let mut out = vec![GillespieBatch::default(); batches + 1];
        let (mut t, mut batch, mut batch_end) = (0.0, 0, batch_length);
        loop {
            let completion = match server {
                Server::Idle { .. } => 0.0,
                Server::Processing { family } => mu[family],
                Server::SettingUp { family } => setup_rate[family],
            };
            let total = lambda[0] + lambda[1] + completion;
            let next = t + exponential(&mut rng, 1.0 / total);
            // Integrate the constant state over [t, next), batch by batch.
            let mut from = t;
            loop {
                let until = next.min(batch_end);
                let width = until - from;
                let b = &mut out[batch];
                b.parts1 += width * queues[0].len() as f64;
                b.parts2 += width * queues[1].len() as f64;
                match server {
                    Server::Idle { .. } => b.idle += width,
                    Server::Processing { .. } => b.busy += width,
                    Server::SettingUp { .. } => b.setup += width,
                }
                if next < batch_end {
                    break;
                }
                from = batch_end;
                batch += 1;
                batch_end += batch_length;
                if batch > batches {
                    // Batch 0 is the warm-up from an empty system.
                    return out
                        .into_iter()
                        .skip(1)
                        .map(|b| b.per_time_unit(batch_length))
                        .collect();
                }
            }
            t = next;
            let b = &mut out[batch];
            let u = rng.uniform01() * total;
            if u < lambda[0] + lambda[1] {
                let family = usize::from(u >= lambda[0]);
                queues[family].push_back(t);
                if let Server::Idle { configured } = server {
                    server = if configured == family {
                        Server::Processing { family }
                    } else {
                        if family == 1 {
                            b.setups12 += 1.0;
                        } else {
                            b.setups21 += 1.0;
                        }
                        Server::SettingUp { family }
                    };
                }
            } else {
                match server {
                    Server::Idle { .. } => unreachable!("an idle server has no completion"),
                    Server::SettingUp { family } => server = Server::Processing { family },
                    Server::Processing { family } => {
                        let arrival = queues[family].pop_front().expect("a part in process");
                        b.sojourn[family] += t - arrival;
                        b.completed[family] += 1.0;
                        let other = 1 - family;
                        server = if !queues[family].is_empty() {
                            Server::Processing { family }
                        } else if !queues[other].is_empty() {
                            if other == 1 {
                                b.setups12 += 1.0;
                            } else {
                                b.setups21 += 1.0;
                            }
                            Server::SettingUp { family: other }
                        } else {
                            Server::Idle { configured: family }
                        };
                    }
                }
            }
        }
    }

    #[test]
    fn exhaustive_matches_gillespie_simulation() {
        let machines = [
            two_families((0.3, 0.2), (1.0, 0.8), (2.0, 0.5)),
            two_families((0.25, 0.35), (1.0, 1.0), (3.0, 3.0)),
        ];
        for (seed, machine) in machines.iter().enumerate() {
            let exact = machine.solve().unwrap();
            let (batches, length) = (40, 25_000.0);
            let runs = gillespie(machine, (batches, length), seed as u64);
            let estimate =
                |statistic: Statistic| batch_means(&runs.iter().map(statistic).collect::<Vec<_>>());
            eprintln!("{machine:?}");
            let checks: [(&str, f64, Statistic, f64); 10] = [
                ("L1", exact.mean_in_system1, |b| b.parts1, 2e-2),
                ("L2", exact.mean_in_system2, |b| b.parts2, 2e-2),
                ("W1", exact.mean_sojourn_time1, |b| b.sojourn[0], 2e-2),
                ("W2", exact.mean_sojourn_time2, |b| b.sojourn[1], 2e-2),
                ("busy", exact.busy_fraction, |b| b.busy, 1e-2),
                ("setup", exact.setup_fraction, |b| b.setup, 2e-2),
                ("idle", exact.idle_fraction, |b| b.idle, 1e-2),
                ("setups 1->2", exact.setup_frequency12, |b| b.setups12, 2e-2),
                ("setups 2->1", exact.setup_frequency21, |b| b.setups21, 2e-2),
                (
                    "throughput",
                    exact.throughput1 + exact.throughput2,
                    |b| b.completed[0] + b.completed[1],
                    1e-2,
                ),
            ];
            for (name, value, f, max_relative_error) in checks {
                assert_estimate(name, value, estimate(f), max_relative_error);
            }
        }
    }

    #[test]
    fn exhaustive_rejects_invalid_parameters() {
        let base = two_families((0.3, 0.2), (1.0, 1.0), (2.0, 2.0));
        let err = |machine: ExhaustiveTwoFamilyCtmc| machine.solve().unwrap_err().to_string();
        assert_eq!(
            err(ExhaustiveTwoFamilyCtmc {
                setup_rate21: 0.0,
                ..base
            }),
            "setup_rate21 must be positive and finite, got 0"
        );
        assert_eq!(
            err(ExhaustiveTwoFamilyCtmc {
                lambda2: f64::INFINITY,
                ..base
            }),
            "lambda2 must be positive and finite, got inf"
        );
        assert_eq!(
            err(two_families((0.75, 0.25), (1.0, 0.5), (2.0, 2.0))),
            "unstable: load lambda1 / mu1 + lambda2 / mu2 = 1.25 must be less than 1"
        );
        let truncated = |n: usize| base.solve_truncated(n).unwrap_err().to_string();
        assert_eq!(truncated(0), "max_in_system must be at least 1, got 0");
        assert_eq!(truncated(121), "max_in_system must be at most 120, got 121");
        // A stable but heavily loaded machine with slow setups needs more than 20 levels.
        let heavy = two_families((0.45, 0.4), (1.0, 1.0), (0.2, 0.2));
        let mass = heavy.solve_truncated(20).unwrap().boundary_mass;
        assert_eq!(
            heavy.solve_up_to(20).unwrap_err().to_string(),
            format!(
                "truncation limit: at the largest truncation, 20 parts in system, the \
                 stationary mass at the boundary is {mass:e}, above the tolerance 1e-10; the \
                 load is too close to 1 or the setups are too slow"
            )
        );
    }
}
