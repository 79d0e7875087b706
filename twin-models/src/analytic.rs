//! Exact analytic models (CTMCs, M/M/c/K, two-machine lines, setups) to cross-check the simulator.
//!
//! Everything here is exact up to floating-point rounding: closed forms where they exist, and
//! otherwise a finite continuous-time Markov chain (CTMC) whose stationary distribution is found
//! with a dense LU solve ([`ctmc_stationary`]). The models are small on purpose; they are meant
//! as quick cross-checks for users and as validation targets for the discrete-event simulator.
//! Machines with sequence-dependent setups ([`CampaignCycle`], [`FifoSetupMg1`],
//! [`ExhaustiveTwoFamilyCtmc`]) live in the `setups` submodule; the last one truncates an
//! infinite CTMC far in its tail and solves it level by level. Degradation and maintenance
//! ([`DegradationChain`], [`OperationChain`], [`ThresholdPolicy`], [`AgeReplacement`]) live in
//! the `maintenance` submodule: mean times to failure of absorbing Markov chains, and long-run
//! cost rates and availabilities of condition-based and age-based maintenance from the
//! renewal-reward theorem; they are the references for the simulator's maintenance policies.
//!
//! Invalid parameters never panic: every entry point returns [`AnalyticError`], whose message
//! names the offending parameter and its value.

use std::collections::HashMap;

use nalgebra::{DMatrix, DVector};

mod maintenance;
mod setups;

pub use maintenance::{
    AgeReplacement, DegradationChain, OperationChain, RenewalFigures, ThresholdPolicy,
};
pub use setups::{
    CampaignCycle, ExhaustiveTwoFamilyCtmc, ExhaustiveTwoFamilySolution, FifoSetupMg1,
};

/// Largest state space solved with the dense LU of [`ctmc_stationary`] by the model builders of
/// this module ([`MmcK::to_generator`], [`TwoMachineLine::solve`]).
///
/// A dense solve costs O(n³) time and O(n²) memory: about 0.2 s for 1 000 states and a few
/// seconds for 2 000 states.
pub const MAX_STATES: usize = 2_000;

/// Errors of the analytic models: invalid parameters, unstable queues, and generators that
/// have no unique stationary distribution.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum AnalyticError {
    /// A rate, mean or time that must be strictly positive and finite.
    #[error("{name} must be positive and finite, got {value}")]
    NotPositive {
        /// Name of the parameter, e.g. `mu` or `failure1.repair_rate`.
        name: String,
        /// The rejected value.
        value: f64,
    },
    /// A value that must be non-negative and finite.
    #[error("{name} must be non-negative and finite, got {value}")]
    Negative {
        /// Name of the parameter.
        name: String,
        /// The rejected value.
        value: f64,
    },
    /// A count (servers, stations) that must be at least one.
    #[error("{name} must be at least 1, got {value}")]
    Zero {
        /// Name of the parameter.
        name: String,
        /// The rejected value.
        value: usize,
    },
    /// A finite capacity smaller than the number of servers.
    #[error("capacity must be at least servers ({servers}), got {capacity}")]
    CapacityBelowServers {
        /// The rejected capacity (maximum number in system).
        capacity: usize,
        /// The number of servers.
        servers: usize,
    },
    /// An infinite-capacity queue whose arrival rate is not below its service capacity.
    #[error("unstable: lambda = {lambda} must be less than {bound_name} = {bound}")]
    Unstable {
        /// The arrival rate.
        lambda: f64,
        /// What the arrival rate is compared with, e.g. `servers * mu` or `mus[2]`.
        bound_name: String,
        /// The service capacity it must stay below.
        bound: f64,
    },
    /// A query that only makes sense for a finite state space.
    #[error("{what} needs a finite capacity, got capacity = None")]
    InfiniteCapacity {
        /// The query that was asked.
        what: &'static str,
    },
    /// A model whose state space exceeds [`MAX_STATES`].
    #[error("model has {states} states, more than the dense-solver limit of {max}")]
    TooManyStates {
        /// Number of states the model would need.
        states: usize,
        /// The limit, [`MAX_STATES`].
        max: usize,
    },
    /// A generator matrix that is not square (or is empty).
    #[error("generator must be a non-empty square matrix, got {rows}x{cols}")]
    NotSquare {
        /// Number of rows.
        rows: usize,
        /// Number of columns.
        cols: usize,
    },
    /// A generator entry that is NaN or infinite.
    #[error("generator entry q[{row}][{col}] must be finite, got {value}")]
    NonFiniteRate {
        /// Row of the entry.
        row: usize,
        /// Column of the entry.
        col: usize,
        /// The rejected value.
        value: f64,
    },
    /// A negative off-diagonal generator entry (transition rates are non-negative).
    #[error("generator off-diagonal entry q[{row}][{col}] must be non-negative, got {value}")]
    NegativeRate {
        /// Row of the entry.
        row: usize,
        /// Column of the entry.
        col: usize,
        /// The rejected value.
        value: f64,
    },
    /// A generator row that does not sum to zero.
    #[error("generator row {row} must sum to 0, got {sum}")]
    RowSumNotZero {
        /// The offending row.
        row: usize,
        /// Its sum.
        sum: f64,
    },
    /// A generator whose chain is not irreducible, so the stationary distribution is not unique.
    #[error("generator is not irreducible: state {state} and state 0 do not communicate")]
    Reducible {
        /// A state that cannot reach state 0 or cannot be reached from it.
        state: usize,
    },
    /// The linear system for the stationary distribution is numerically singular.
    #[error("the linear system for the stationary distribution is numerically singular")]
    Singular,
    /// A parameter outside its domain, for a requirement that the other variants do not
    /// express (a length, an ordering between two parameters, an index).
    #[error("{name} must be {requirement}, got {value}")]
    Parameter {
        /// Name of the parameter, e.g. `setup_second_moment` or `processing_means.len()`.
        name: String,
        /// The rejected value.
        value: f64,
        /// What the value must be, e.g. `at least setup_mean^2 = 4`.
        requirement: String,
    },
    /// A queue whose load (fraction of time the server must work) is not below 1.
    #[error("unstable: load {load_name} = {load} must be less than 1")]
    Overloaded {
        /// The formula of the load, e.g. `lambda1 / mu1 + lambda2 / mu2`.
        load_name: String,
        /// Its value.
        load: f64,
    },
    /// A stable chain whose truncation would need more states than the solver allows: the
    /// stationary mass at the boundary stays above the tolerance at the largest truncation.
    #[error(
        "truncation limit: at the largest truncation, {max_in_system} parts in system, the \
         stationary mass at the boundary is {boundary_mass:e}, above the tolerance \
         {tolerance:e}; the load is too close to 1 or the setups are too slow"
    )]
    TruncationLimit {
        /// The largest truncation, the most parts in the system.
        max_in_system: usize,
        /// The stationary probability of the boundary level at that truncation.
        boundary_mass: f64,
        /// The boundary mass that would have been accepted.
        tolerance: f64,
    },
    /// An absorbing chain that can enter a state from which the states it must reach are out
    /// of reach: it may never get there, so the mean time to get there is infinite.
    #[error(
        "{target} cannot be reached from state {state}{}, so the mean {measure} to get there \
         is infinite",
        entered_from(.state, .from)
    )]
    Unreachable {
        /// The states to reach, e.g. `the failure state 4`.
        target: String,
        /// A state the chain can enter from which no path of transitions leads to `target`.
        state: usize,
        /// The state the chain starts in.
        from: usize,
        /// What the mean counts: `time` or `number of operations`.
        measure: &'static str,
    },
    /// An age-replacement model whose cost rate falls towards its lowest value as the
    /// replacement age tends to 0, so that no age is optimal.
    #[error(
        "no optimal age: the cost rate falls towards {limit} as the age tends to 0, below its \
         value at every age searched; preventive work costs less per unit of time than running \
         the unit (downtime_cost should include the value of lost production)"
    )]
    NoOptimalAge {
        /// The limit of the cost rate as the age tends to 0.
        limit: f64,
    },
}

/// `, which the chain can enter from state {from}` when the stuck state is not the start state.
fn entered_from(state: &usize, from: &usize) -> String {
    if state == from {
        String::new()
    } else {
        format!(", which the chain can enter from state {from}")
    }
}

fn positive(name: &str, value: f64) -> Result<f64, AnalyticError> {
    if value.is_finite() && value > 0.0 {
        Ok(value)
    } else {
        Err(AnalyticError::NotPositive {
            name: name.to_owned(),
            value,
        })
    }
}

fn non_negative(name: &str, value: f64) -> Result<f64, AnalyticError> {
    if value.is_finite() && value >= 0.0 {
        Ok(value)
    } else {
        Err(AnalyticError::Negative {
            name: name.to_owned(),
            value,
        })
    }
}

fn check_state_count(states: usize) -> Result<(), AnalyticError> {
    if states > MAX_STATES {
        Err(AnalyticError::TooManyStates {
            states,
            max: MAX_STATES,
        })
    } else {
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------------
// Finite CTMCs
// ---------------------------------------------------------------------------------------------

/// Stationary distribution `pi` of an irreducible finite continuous-time Markov chain.
///
/// # Arguments
///
/// `q` is the generator: `q[i][j] >= 0` is the transition rate from state `i` to state `j`
/// (`i != j`) and every row sums to zero (`q[i][i] = -sum_{j != i} q[i][j]`, checked to a
/// relative tolerance of 1e-9).
///
/// # Returns
///
/// The unique row vector with `pi Q = 0` and `sum_i pi_i = 1`. It is found by transposing the
/// system (`Q^T pi^T = 0`), replacing its last equation with the normalisation `sum pi = 1`, and
/// solving with LU decomposition with partial pivoting. For an irreducible chain the replaced
/// system is non-singular, because `Q` has rank `n - 1` and its left null space is spanned by
/// `pi`.
///
/// # Errors
///
/// [`AnalyticError::NotSquare`], [`AnalyticError::NonFiniteRate`],
/// [`AnalyticError::NegativeRate`], [`AnalyticError::RowSumNotZero`] for a matrix that is not a
/// generator; [`AnalyticError::Reducible`] when some state and state 0 do not communicate
/// (the stationary distribution would not be unique); [`AnalyticError::Singular`] if LU fails.
///
/// # Complexity
///
/// O(n³) time and O(n²) memory for `n` states (dense LU).
///
/// # Examples
///
/// ```
/// # use twin_models::analytic::ctmc_stationary;
/// use nalgebra::DMatrix;
/// // A machine that fails at rate 1 and is repaired at rate 9 is up 90% of the time.
/// let q = DMatrix::from_row_slice(2, 2, &[-1.0, 1.0, 9.0, -9.0]);
/// let pi = ctmc_stationary(&q)?;
/// assert!((pi[0] - 0.9).abs() < 1e-12);
/// # Ok::<(), twin_models::analytic::AnalyticError>(())
/// ```
pub fn ctmc_stationary(q: &DMatrix<f64>) -> Result<DVector<f64>, AnalyticError> {
    let n = q.nrows();
    if n == 0 || q.ncols() != n {
        return Err(AnalyticError::NotSquare {
            rows: n,
            cols: q.ncols(),
        });
    }
    check_generator(q)?;
    check_irreducible(q)?;

    let mut system = q.transpose();
    system.row_mut(n - 1).fill(1.0);
    let mut rhs = DVector::zeros(n);
    rhs[n - 1] = 1.0;
    let pi = system.lu().solve(&rhs).ok_or(AnalyticError::Singular)?;
    if pi.iter().all(|p| p.is_finite()) {
        Ok(pi)
    } else {
        Err(AnalyticError::Singular)
    }
}

/// Checks that `q` (square, non-empty) has finite entries, non-negative off-diagonal rates and
/// rows that sum to zero.
fn check_generator(q: &DMatrix<f64>) -> Result<(), AnalyticError> {
    for row in 0..q.nrows() {
        let mut sum = 0.0;
        let mut magnitude = 0.0;
        for col in 0..q.ncols() {
            let value = q[(row, col)];
            if !value.is_finite() {
                return Err(AnalyticError::NonFiniteRate { row, col, value });
            }
            if row != col && value < 0.0 {
                return Err(AnalyticError::NegativeRate { row, col, value });
            }
            sum += value;
            magnitude += value.abs();
        }
        // Rounding in `q[i][i] = -sum of the rates` leaves a residue proportional to the rates.
        if sum.abs() > 1e-9 * magnitude {
            return Err(AnalyticError::RowSumNotZero { row, sum });
        }
    }
    Ok(())
}

/// Checks that every state reaches state 0 and is reached from it along positive rates.
fn check_irreducible(q: &DMatrix<f64>) -> Result<(), AnalyticError> {
    let n = q.nrows();
    // `forward` follows i -> j, `backward` follows j -> i; both start from state 0.
    for forward in [true, false] {
        let mut seen = vec![false; n];
        seen[0] = true;
        let mut stack = vec![0];
        while let Some(i) = stack.pop() {
            for j in 0..n {
                let rate = if forward { q[(i, j)] } else { q[(j, i)] };
                if i != j && rate > 0.0 && !seen[j] {
                    seen[j] = true;
                    stack.push(j);
                }
            }
        }
        if let Some(state) = seen.iter().position(|&s| !s) {
            return Err(AnalyticError::Reducible { state });
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// M/M/c/K
// ---------------------------------------------------------------------------------------------

/// The M/M/c/K queue: Poisson arrivals at rate `lambda`, `servers` exponential servers of rate
/// `mu` each, FIFO, and at most `capacity` customers in the system (waiting plus in service);
/// arrivals that find the system full are lost. `capacity = None` is the M/M/c queue.
///
/// With offered load `a = lambda / mu` and utilisation `rho = a / c`, the number in system `N`
/// is a birth-death chain with (Gross, Shortle, Thompson & Harris, *Fundamentals of Queueing
/// Theory*, ch. 2):
///
/// ```text
/// p_n = p_0 a^n / n!                    for 0 <= n <= c
/// p_n = p_0 a^c / c! * rho^(n - c)      for c < n <= K
/// ```
///
/// The methods evaluate these sums in closed form (truncated geometric series) in log space, so
/// they cost O(c) whatever `K` is and neither overflow nor lose precision for `rho` near 1 or
/// far above 1. With infinite capacity they reduce to the Erlang C formulas, which need
/// `lambda < c mu`.
///
/// # Examples
///
/// ```
/// # use twin_models::analytic::MmcK;
/// // M/M/1 with rho = 0.8: L = rho / (1 - rho) = 4.
/// let queue = MmcK::mm1(0.8, 1.0);
/// assert!((queue.mean_in_system()? - 4.0).abs() < 1e-12);
/// # Ok::<(), twin_models::analytic::AnalyticError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MmcK {
    /// Arrival rate (customers per time unit).
    pub lambda: f64,
    /// Service rate of one server.
    pub mu: f64,
    /// Number of identical servers `c`.
    pub servers: usize,
    /// Maximum number in system `K`, including those in service; `None` for no limit.
    pub capacity: Option<usize>,
}

/// Log-space description of the M/M/c/K distribution.
///
/// Weights are measured relative to a reference state, the heaviest state of the geometric
/// tail: `c` when `rho <= 1` or the capacity is infinite, `K` when `rho > 1`. Measuring from the
/// heaviest state keeps huge capacities exact: with `rho > 1`, `ln p_K` is `-ln_total` instead
/// of the difference of two numbers of order `K ln rho`.
struct QueueDistribution {
    /// `ln(a^n / n!) - ln(a^c / c!)` for `n = 0..=c`.
    ln_head: Vec<f64>,
    /// `ln rho`, the log-ratio of consecutive weights at and above `c`.
    ln_rho: f64,
    /// `K - c`, the number of states above `c`; `None` when unbounded.
    tail_len: Option<usize>,
    /// The state whose weight is the unit of all weights.
    reference: usize,
    /// `ln(sum of all weights)`, so that `p_n = exp(ln_weight(n) - ln_total)`.
    ln_total: f64,
}

/// `to - from` as a float, without overflowing `usize` arithmetic.
fn signed_distance(from: usize, to: usize) -> f64 {
    if to >= from {
        (to - from) as f64
    } else {
        -((from - to) as f64)
    }
}

impl QueueDistribution {
    fn new(ln_a: f64, servers: usize, capacity: Option<usize>) -> Self {
        let c = servers;
        let ln_rho = ln_a - (c as f64).ln();
        let mut ln_head = Vec::with_capacity(c + 1);
        ln_head.push(0.0);
        for n in 1..=c {
            ln_head.push(ln_head[n - 1] + ln_a - (n as f64).ln());
        }
        let ln_c = ln_head[c];
        ln_head.iter_mut().for_each(|w| *w -= ln_c);
        let tail_len = capacity.map(|k| k - c);
        let reference = match capacity {
            Some(k) if ln_rho > 0.0 => k,
            _ => c,
        };
        let mut distribution = Self {
            ln_head,
            ln_rho,
            tail_len,
            reference,
            ln_total: 0.0,
        };
        distribution.ln_total = log_sum_exp(&[
            distribution.ln_below_servers(),
            distribution.ln_tail(tail_len),
        ]);
        distribution
    }

    fn servers(&self) -> usize {
        self.ln_head.len() - 1
    }

    /// `ln` of the weight of state `n` (`-inf` beyond the capacity).
    fn ln_weight(&self, n: usize) -> f64 {
        let c = self.servers();
        if n <= c {
            self.ln_head[n] + signed_distance(self.reference, c) * self.ln_rho
        } else if self.tail_len.is_some_and(|m| n - c > m) {
            f64::NEG_INFINITY
        } else {
            signed_distance(self.reference, n) * self.ln_rho
        }
    }

    /// `ln` of the total weight of the states `0..c`.
    fn ln_below_servers(&self) -> f64 {
        let c = self.servers();
        log_sum_exp(&self.ln_head[..c]) + signed_distance(self.reference, c) * self.ln_rho
    }

    /// `ln` of the total weight of the states `c..=c + last` (`last = None`: all states from
    /// `c` on), a geometric series summed from its heaviest end.
    fn ln_tail(&self, last: Option<usize>) -> f64 {
        let c = self.servers();
        let x = self.ln_rho;
        match last {
            Some(last) if x > 0.0 => {
                signed_distance(self.reference, c + last) * x
                    + ln_geometric_sum(-x, Some(last as f64))
            }
            _ => {
                signed_distance(self.reference, c) * x + ln_geometric_sum(x, last.map(|l| l as f64))
            }
        }
    }

    fn probability(&self, n: usize) -> f64 {
        (self.ln_weight(n) - self.ln_total).exp()
    }

    /// `P(N >= c)`.
    fn probability_at_least_servers(&self) -> f64 {
        (self.ln_tail(self.tail_len) - self.ln_total).exp()
    }

    /// `P(c <= N < K)`, the probability that an arrival is admitted and waits.
    fn probability_waiting(&self) -> f64 {
        match self.tail_len {
            None => self.probability_at_least_servers(),
            Some(0) => 0.0,
            Some(m) => (self.ln_tail(Some(m - 1)) - self.ln_total).exp(),
        }
    }

    /// `P(N < K)`, the probability that an arrival is admitted, computed without cancellation
    /// even when it is tiny.
    fn probability_admitted(&self) -> f64 {
        match self.tail_len {
            None => 1.0,
            Some(0) => (self.ln_below_servers() - self.ln_total).exp(),
            Some(m) => {
                let admitted = [self.ln_below_servers(), self.ln_tail(Some(m - 1))];
                (log_sum_exp(&admitted) - self.ln_total).exp()
            }
        }
    }

    /// `E[max(N - c, 0)]`, the mean number waiting.
    fn mean_waiting(&self) -> f64 {
        let tail_len = self.tail_len.map(|m| m as f64);
        self.probability_at_least_servers() * geometric_mean_index(self.ln_rho, tail_len)
    }

    /// `E[N]`.
    fn mean_in_system(&self) -> f64 {
        let c = self.servers();
        let below_c: f64 = (1..c).map(|n| n as f64 * self.probability(n)).sum();
        below_c + self.probability_at_least_servers() * c as f64 + self.mean_waiting()
    }
}

impl MmcK {
    /// The M/M/1 queue (one server, infinite capacity).
    pub fn mm1(lambda: f64, mu: f64) -> Self {
        Self {
            lambda,
            mu,
            servers: 1,
            capacity: None,
        }
    }

    /// The M/M/c queue (`servers` servers, infinite capacity).
    pub fn mmc(lambda: f64, mu: f64, servers: usize) -> Self {
        Self {
            lambda,
            mu,
            servers,
            capacity: None,
        }
    }

    /// The M/M/1/K queue (one server, at most `capacity` in system).
    pub fn mm1k(lambda: f64, mu: f64, capacity: usize) -> Self {
        Self {
            lambda,
            mu,
            servers: 1,
            capacity: Some(capacity),
        }
    }

    fn distribution(&self) -> Result<QueueDistribution, AnalyticError> {
        let lambda = positive("lambda", self.lambda)?;
        let mu = positive("mu", self.mu)?;
        let c = self.servers;
        if c == 0 {
            return Err(AnalyticError::Zero {
                name: "servers".to_owned(),
                value: 0,
            });
        }
        match self.capacity {
            Some(capacity) if capacity < c => {
                return Err(AnalyticError::CapacityBelowServers {
                    capacity,
                    servers: c,
                });
            }
            _ => {}
        }
        // Logs keep a = lambda / mu finite even when the ratio itself would overflow.
        let ln_a = lambda.ln() - mu.ln();
        if self.capacity.is_none() && ln_a >= (c as f64).ln() {
            return Err(AnalyticError::Unstable {
                lambda,
                bound_name: "servers * mu".to_owned(),
                bound: c as f64 * mu,
            });
        }
        Ok(QueueDistribution::new(ln_a, c, self.capacity))
    }

    /// Stationary probability `p_n = P(N = n)` of `n` customers in the system (0 beyond the
    /// capacity); see the type-level formulas.
    ///
    /// # Errors
    ///
    /// Invalid parameters, or `lambda >= c mu` with infinite capacity.
    pub fn p_n(&self, n: usize) -> Result<f64, AnalyticError> {
        Ok(self.distribution()?.probability(n))
    }

    /// Probability that an arrival is lost, `P(N = K)` (PASTA); 0 with infinite capacity.
    /// For `c = K` this is the Erlang B formula.
    ///
    /// # Errors
    ///
    /// Invalid parameters, or `lambda >= c mu` with infinite capacity.
    pub fn blocking_probability(&self) -> Result<f64, AnalyticError> {
        let distribution = self.distribution()?;
        Ok(match self.capacity {
            Some(k) => distribution.probability(k),
            None => 0.0,
        })
    }

    /// Probability that an admitted arrival has to wait, `P(c <= N < K) / P(N < K)`.
    /// With infinite capacity this is the Erlang C formula
    /// `C(c, a) = (a^c / c!) / ((1 - rho) sum_{n<c} a^n / n! + a^c / c!)`.
    ///
    /// # Errors
    ///
    /// Invalid parameters, or `lambda >= c mu` with infinite capacity.
    pub fn waiting_probability(&self) -> Result<f64, AnalyticError> {
        let distribution = self.distribution()?;
        Ok(distribution.probability_waiting() / distribution.probability_admitted())
    }

    /// Effective (admitted) arrival rate `lambda_eff = lambda (1 - P(N = K))`.
    ///
    /// # Errors
    ///
    /// Invalid parameters, or `lambda >= c mu` with infinite capacity.
    pub fn effective_arrival_rate(&self) -> Result<f64, AnalyticError> {
        Ok(self.lambda * self.distribution()?.probability_admitted())
    }

    /// Mean number in system `L = sum_n n p_n`. For M/M/1, `L = rho / (1 - rho)`; for M/M/c,
    /// `L = Lq + a`.
    ///
    /// # Errors
    ///
    /// Invalid parameters, or `lambda >= c mu` with infinite capacity.
    pub fn mean_in_system(&self) -> Result<f64, AnalyticError> {
        Ok(self.distribution()?.mean_in_system())
    }

    /// Mean number waiting (not in service) `Lq = sum_{n > c} (n - c) p_n`. For M/M/c,
    /// `Lq = C(c, a) rho / (1 - rho)`.
    ///
    /// # Errors
    ///
    /// Invalid parameters, or `lambda >= c mu` with infinite capacity.
    pub fn mean_in_queue(&self) -> Result<f64, AnalyticError> {
        Ok(self.distribution()?.mean_waiting())
    }

    /// Mean time an admitted customer waits before service, `Wq = Lq / lambda_eff` (Little).
    ///
    /// # Errors
    ///
    /// Invalid parameters, or `lambda >= c mu` with infinite capacity.
    pub fn mean_waiting_time(&self) -> Result<f64, AnalyticError> {
        let distribution = self.distribution()?;
        Ok(distribution.mean_waiting() / (self.lambda * distribution.probability_admitted()))
    }

    /// Mean time an admitted customer spends in the system, `W = L / lambda_eff = Wq + 1 / mu`.
    ///
    /// # Errors
    ///
    /// Invalid parameters, or `lambda >= c mu` with infinite capacity.
    pub fn mean_sojourn_time(&self) -> Result<f64, AnalyticError> {
        let distribution = self.distribution()?;
        Ok(distribution.mean_in_system() / (self.lambda * distribution.probability_admitted()))
    }

    /// Generator of the birth-death chain on `0..=K`: birth rate `lambda` below `K`, death rate
    /// `min(n, c) mu` in state `n`. Row `n` is the state with `n` customers in the system.
    ///
    /// # Errors
    ///
    /// Invalid parameters, [`AnalyticError::InfiniteCapacity`] without a capacity, and
    /// [`AnalyticError::TooManyStates`] when `K + 1 > MAX_STATES`.
    pub fn to_generator(&self) -> Result<DMatrix<f64>, AnalyticError> {
        self.distribution()?;
        let k = self.capacity.ok_or(AnalyticError::InfiniteCapacity {
            what: "MmcK::to_generator",
        })?;
        check_state_count(k.saturating_add(1))?;
        let mut q = DMatrix::zeros(k + 1, k + 1);
        for n in 0..=k {
            if n < k {
                q[(n, n + 1)] = self.lambda;
            }
            if n > 0 {
                q[(n, n - 1)] = n.min(self.servers) as f64 * self.mu;
            }
            q[(n, n)] = -(q.row(n).sum());
        }
        Ok(q)
    }
}

/// `ln sum_i exp(terms_i)`, stable for large and small terms; `-inf` for no terms.
fn log_sum_exp(terms: &[f64]) -> f64 {
    let max = terms.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if max == f64::NEG_INFINITY {
        return max;
    }
    max + terms.iter().map(|t| (t - max).exp()).sum::<f64>().ln()
}

/// `ln sum_{j=0}^{m} e^{j x}`, with `m = None` meaning an infinite sum (which needs `x < 0`).
///
/// Uses `sum = expm1((m + 1) x) / expm1(x)` for `x < 0`, and for `x > 0` factors out the
/// largest term: `sum = e^{m x} sum_{j=0}^{m} e^{-j x}`.
fn ln_geometric_sum(x: f64, m: Option<f64>) -> f64 {
    match m {
        None => -(-x.exp_m1()).ln(),
        Some(m) if x == 0.0 => (m + 1.0).ln(),
        Some(m) if x < 0.0 => (-((m + 1.0) * x).exp_m1()).ln() - (-x.exp_m1()).ln(),
        Some(m) => m * x + ln_geometric_sum(-x, Some(m)),
    }
}

/// Mean of `j` under weights `e^{j x}` on `j = 0..=m` (a truncated geometric distribution),
/// with `m = None` meaning no truncation (which needs `x < 0`).
///
/// With `y = -x > 0` the mean is `1 / expm1(y) - (m + 1) / expm1((m + 1) y)`. When
/// `(m + 1) y` is small the two terms nearly cancel, so the Bernoulli series
/// `m/2 - y ((m+1)² - 1)/12 + y³ ((m+1)⁴ - 1)/720` is used instead (relative error below 1e-14).
/// For `x > 0` the distribution is mirrored: `mean(x) = m - mean(-x)`.
fn geometric_mean_index(x: f64, m: Option<f64>) -> f64 {
    let Some(m) = m else {
        return 1.0 / (-x).exp_m1();
    };
    if x > 0.0 {
        return m - geometric_mean_index(-x, Some(m));
    }
    let y = -x;
    let k = m + 1.0;
    if k * y < 1e-2 {
        m / 2.0 - y * (k * k - 1.0) / 12.0 + y.powi(3) * (k.powi(4) - 1.0) / 720.0
    } else {
        1.0 / y.exp_m1() - k / (k * y).exp_m1()
    }
}

// ---------------------------------------------------------------------------------------------
// Small closed forms
// ---------------------------------------------------------------------------------------------

/// Mean sojourn time through a tandem (series) Jackson network of M/M/1 stations fed by a
/// Poisson stream of rate `lambda`: by Burke's theorem each station is an independent M/M/1
/// queue, so `W = sum_i 1 / (mu_i - lambda)`.
///
/// # Errors
///
/// `lambda` or any `mus[i]` not positive and finite, `mus` empty, or `lambda >= mus[i]`
/// for some station ([`AnalyticError::Unstable`], naming the station).
///
/// # Examples
///
/// ```
/// # use twin_models::analytic::jackson_tandem_sojourn;
/// let w = jackson_tandem_sojourn(1.0, &[2.0, 3.0])?;
/// assert!((w - 1.5).abs() < 1e-12);
/// # Ok::<(), twin_models::analytic::AnalyticError>(())
/// ```
pub fn jackson_tandem_sojourn(lambda: f64, mus: &[f64]) -> Result<f64, AnalyticError> {
    let lambda = positive("lambda", lambda)?;
    if mus.is_empty() {
        return Err(AnalyticError::Zero {
            name: "mus.len()".to_owned(),
            value: 0,
        });
    }
    let mut sojourn = 0.0;
    for (i, &mu) in mus.iter().enumerate() {
        let name = format!("mus[{i}]");
        let mu = positive(&name, mu)?;
        if lambda >= mu {
            return Err(AnalyticError::Unstable {
                lambda,
                bound_name: name,
                bound: mu,
            });
        }
        sojourn += 1.0 / (mu - lambda);
    }
    Ok(sojourn)
}

/// Steady-state availability of a machine that alternates between up periods of mean `mttf`
/// and repairs of mean `mttr`: `A = MTTF / (MTTF + MTTR)` (renewal-reward theorem; any
/// distributions).
///
/// # Errors
///
/// `mttf` not positive and finite, or `mttr` not non-negative and finite.
pub fn availability(mttf: f64, mttr: f64) -> Result<f64, AnalyticError> {
    let mttf = positive("mttf", mttf)?;
    let mttr = non_negative("mttr", mttr)?;
    Ok(mttf / (mttf + mttr))
}

// ---------------------------------------------------------------------------------------------
// Two-machine line
// ---------------------------------------------------------------------------------------------

/// Operation-dependent failures of one machine: exponential time to failure counted in busy
/// time only, exponential repair.
///
/// An isolated, never starved or blocked machine with processing rate `mu` then produces at
/// rate `mu * repair_rate / (repair_rate + rate)`: per unit of busy time it spends on average
/// `rate / repair_rate` time units down.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Failure {
    /// Failure rate while processing, `1 / MTTF` with MTTF measured in busy time.
    pub rate: f64,
    /// Repair rate, `1 / MTTR`.
    pub repair_rate: f64,
}

impl Failure {
    /// Fraction of non-idle time the machine is processing rather than down,
    /// `repair_rate / (repair_rate + rate)`.
    pub fn efficiency(&self) -> f64 {
        self.repair_rate / (self.repair_rate + self.rate)
    }
}

/// A saturated two-machine line with exponential processing, a finite buffer, blocking after
/// service and optional operation-dependent failures, solved exactly as a CTMC.
///
/// Semantics (the same as the simulator's):
///
/// - Machine 1 always has a part to start (it is never starved); machine 2 sends finished
///   parts to an unlimited sink. Processing times are exponential with rates `mu1`, `mu2`.
/// - The buffer holds at most `buffer` *waiting* parts; parts on a machine do not count.
/// - Blocking after service: a part finished by machine 1 goes to machine 2 if it is idle,
///   else into the buffer if it has room, else machine 1 is blocked holding it. When machine 2
///   finishes, it takes the next waiting part (or is starved), and the blocked part moves into
///   the freed place (the buffer, or machine 2 itself when `buffer == 0`); machine 1 then
///   starts a new part at once.
/// - Failures are operation-dependent: a machine fails only while processing, at rate
///   `rate`; it is repaired at rate `repair_rate` and the interrupted part resumes. A blocked
///   or starved machine cannot fail.
///
/// The state is (machine 1 busy/down/blocked, number of waiting parts, machine 2
/// busy/down/starved), about `(buffer + 1) * k1 * k2` states where `k_i` is 1 without and 2
/// with failures of machine `i`. Without failures, the number of parts past machine 1 (with
/// a blocked machine 1 counted as one more) is a birth-death chain with birth rate `mu1` and
/// death rate `mu2` on `0..=buffer + 2`, i.e. the line behaves like an M/M/1/(buffer + 2)
/// queue with `lambda = mu1`, `mu = mu2`, and `throughput = mu1 (1 - rho^N) / (1 - rho^(N+1))`
/// with `rho = mu1 / mu2` and `N = buffer + 2` (`mu N / (N + 1)` when `mu1 = mu2`). With
/// failures there is no such simple form, hence the CTMC (compare Gershwin, *Manufacturing
/// Systems Engineering*, ch. 3, whose conventions for the buffer size differ).
///
/// # Examples
///
/// ```
/// # use twin_models::analytic::TwoMachineLine;
/// let line = TwoMachineLine { mu1: 1.0, mu2: 1.0, buffer: 2, failure1: None, failure2: None };
/// // N = buffer + 2 = 4 levels above zero: throughput = 4/5.
/// assert!((line.throughput()? - 0.8).abs() < 1e-12);
/// # Ok::<(), twin_models::analytic::AnalyticError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TwoMachineLine {
    /// Processing rate of machine 1 (1 / mean processing time).
    pub mu1: f64,
    /// Processing rate of machine 2.
    pub mu2: f64,
    /// Maximum number of parts waiting between the machines (parts on a machine not included).
    pub buffer: usize,
    /// Failures of machine 1, if any.
    pub failure1: Option<Failure>,
    /// Failures of machine 2, if any.
    pub failure2: Option<Failure>,
}

/// Long-run fractions of time each machine spends in each state, and the buffer distribution.
/// For each machine the three fractions sum to 1.
#[derive(Debug, Clone, PartialEq)]
pub struct TwoMachineStateProbabilities {
    /// Machine 1 processing.
    pub machine1_busy: f64,
    /// Machine 1 failed (holding an unfinished part).
    pub machine1_down: f64,
    /// Machine 1 holding a finished part that has nowhere to go.
    pub machine1_blocked: f64,
    /// Machine 2 processing.
    pub machine2_busy: f64,
    /// Machine 2 failed (holding an unfinished part).
    pub machine2_down: f64,
    /// Machine 2 idle with nothing to do.
    pub machine2_starved: f64,
    /// `buffer_level[j]` = probability that exactly `j` parts wait in the buffer,
    /// `j = 0..=buffer`.
    pub buffer_level: Vec<f64>,
}

/// Steady-state performance of a [`TwoMachineLine`].
#[derive(Debug, Clone, PartialEq)]
pub struct TwoMachineLineSolution {
    /// Rate of machine-2 completions (parts per time unit); equal to the rate of machine-1
    /// completions.
    pub throughput: f64,
    /// Mean number of parts in the line: on machine 1 (always one, processing, down or
    /// blocked), in the buffer, and on machine 2.
    pub mean_wip: f64,
    /// Fractions of time in each machine state.
    pub probabilities: TwoMachineStateProbabilities,
}

impl TwoMachineLineSolution {
    /// Mean flow time of a part from the start of its processing on machine 1 to its
    /// departure from machine 2, by Little's law: `mean_wip / throughput`.
    pub fn mean_flow_time(&self) -> f64 {
        self.mean_wip / self.throughput
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Machine1 {
    Busy,
    Down,
    Blocked,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Machine2 {
    Busy,
    Down,
    Starved,
}

/// One state of the two-machine line's CTMC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct LineState {
    machine1: Machine1,
    waiting: usize,
    machine2: Machine2,
}

impl LineState {
    /// Machine 1 hands over its finished part: to an idle machine 2, else to the buffer if it
    /// has room, else machine 1 is blocked. On success machine 1 starts a new part.
    fn deliver_from_machine1(mut self, buffer: usize) -> Self {
        if self.machine2 == Machine2::Starved {
            self.machine2 = Machine2::Busy;
        } else if self.waiting < buffer {
            self.waiting += 1;
        } else {
            self.machine1 = Machine1::Blocked;
            return self;
        }
        self.machine1 = Machine1::Busy;
        self
    }

    /// Machine 2 finishes: it takes the next waiting part or is starved, and a blocked
    /// machine 1 then hands over its part into the freed place.
    fn complete_machine2(mut self, buffer: usize) -> Self {
        if self.waiting > 0 {
            self.waiting -= 1;
        } else {
            self.machine2 = Machine2::Starved;
        }
        if self.machine1 == Machine1::Blocked {
            self.deliver_from_machine1(buffer)
        } else {
            self
        }
    }

    /// Parts in the line: one on machine 1, the waiting ones, and one on machine 2 unless it
    /// is starved.
    fn parts(&self) -> usize {
        1 + self.waiting + usize::from(self.machine2 != Machine2::Starved)
    }
}

impl TwoMachineLine {
    fn validate(&self) -> Result<(), AnalyticError> {
        positive("mu1", self.mu1)?;
        positive("mu2", self.mu2)?;
        for (prefix, failure) in [("failure1", self.failure1), ("failure2", self.failure2)] {
            if let Some(failure) = failure {
                positive(&format!("{prefix}.rate"), failure.rate)?;
                positive(&format!("{prefix}.repair_rate"), failure.repair_rate)?;
            }
        }
        Ok(())
    }

    /// Number of CTMC states, without building them (saturating, for the size check).
    fn state_count(&self) -> usize {
        let k1 = if self.failure1.is_some() { 2 } else { 1 };
        let k2 = if self.failure2.is_some() { 2 } else { 1 };
        // Machine 1 busy or down, machine 2 busy or down, for every buffer level; machine 2
        // starved (buffer empty); machine 1 blocked (buffer full, machine 2 busy or down).
        let working = self.buffer.saturating_add(1).saturating_mul(k1 * k2);
        working.saturating_add(k1).saturating_add(k2)
    }

    /// All reachable states, in a fixed order.
    fn states(&self) -> Vec<LineState> {
        let machine1_states: &[Machine1] = if self.failure1.is_some() {
            &[Machine1::Busy, Machine1::Down, Machine1::Blocked]
        } else {
            &[Machine1::Busy, Machine1::Blocked]
        };
        let machine2_states: &[Machine2] = if self.failure2.is_some() {
            &[Machine2::Busy, Machine2::Down, Machine2::Starved]
        } else {
            &[Machine2::Busy, Machine2::Starved]
        };
        let mut states = Vec::with_capacity(self.state_count());
        for waiting in 0..=self.buffer {
            for &machine2 in machine2_states {
                for &machine1 in machine1_states {
                    // Machine 2 is starved only when nothing waits; machine 1 is blocked only
                    // when the buffer is full and machine 2 holds a part.
                    let starved_ok = machine2 != Machine2::Starved || waiting == 0;
                    let blocked_ok = machine1 != Machine1::Blocked
                        || (waiting == self.buffer && machine2 != Machine2::Starved);
                    if starved_ok && blocked_ok {
                        states.push(LineState {
                            machine1,
                            waiting,
                            machine2,
                        });
                    }
                }
            }
        }
        states
    }

    /// Transitions out of `state` as `(next state, rate)`.
    fn transitions(&self, state: LineState) -> Vec<(LineState, f64)> {
        let mut out = Vec::with_capacity(4);
        match (state.machine1, self.failure1) {
            (Machine1::Busy, failure) => {
                out.push((state.deliver_from_machine1(self.buffer), self.mu1));
                if let Some(failure) = failure {
                    let down = LineState {
                        machine1: Machine1::Down,
                        ..state
                    };
                    out.push((down, failure.rate));
                }
            }
            (Machine1::Down, Some(failure)) => {
                let repaired = LineState {
                    machine1: Machine1::Busy,
                    ..state
                };
                out.push((repaired, failure.repair_rate));
            }
            (Machine1::Down | Machine1::Blocked, _) => {}
        }
        match (state.machine2, self.failure2) {
            (Machine2::Busy, failure) => {
                out.push((state.complete_machine2(self.buffer), self.mu2));
                if let Some(failure) = failure {
                    let down = LineState {
                        machine2: Machine2::Down,
                        ..state
                    };
                    out.push((down, failure.rate));
                }
            }
            (Machine2::Down, Some(failure)) => {
                let repaired = LineState {
                    machine2: Machine2::Busy,
                    ..state
                };
                out.push((repaired, failure.repair_rate));
            }
            (Machine2::Down | Machine2::Starved, _) => {}
        }
        out
    }

    /// The states and the generator of the line's CTMC (row `i` is `states[i]`).
    fn generator(&self) -> Result<(Vec<LineState>, DMatrix<f64>), AnalyticError> {
        self.validate()?;
        check_state_count(self.state_count())?;
        let states = self.states();
        let index: HashMap<LineState, usize> =
            states.iter().enumerate().map(|(i, &s)| (s, i)).collect();
        let n = states.len();
        let mut q = DMatrix::zeros(n, n);
        for (i, &state) in states.iter().enumerate() {
            for (next, rate) in self.transitions(state) {
                // Every successor is one of the enumerated states; a miss would be a bug in
                // `states`, which the tests guard against.
                let j = index[&next];
                q[(i, j)] += rate;
                q[(i, i)] -= rate;
            }
        }
        Ok((states, q))
    }

    /// Solves the line's CTMC and returns throughput, mean WIP and state probabilities.
    ///
    /// # Errors
    ///
    /// A rate not positive and finite (named, e.g. `failure2.repair_rate`), or
    /// [`AnalyticError::TooManyStates`] when the buffer is so large that the chain exceeds
    /// [`MAX_STATES`] (about `MAX_STATES / 4` buffer places with failures on both machines).
    ///
    /// # Complexity
    ///
    /// O(S³) for `S` states (dense LU), about `4 (buffer + 1)` with failures on both machines.
    pub fn solve(&self) -> Result<TwoMachineLineSolution, AnalyticError> {
        let (states, q) = self.generator()?;
        let pi = ctmc_stationary(&q)?;
        let mut probabilities = TwoMachineStateProbabilities {
            machine1_busy: 0.0,
            machine1_down: 0.0,
            machine1_blocked: 0.0,
            machine2_busy: 0.0,
            machine2_down: 0.0,
            machine2_starved: 0.0,
            buffer_level: vec![0.0; self.buffer + 1],
        };
        let mut mean_wip = 0.0;
        for (state, &p) in states.iter().zip(pi.iter()) {
            *match state.machine1 {
                Machine1::Busy => &mut probabilities.machine1_busy,
                Machine1::Down => &mut probabilities.machine1_down,
                Machine1::Blocked => &mut probabilities.machine1_blocked,
            } += p;
            *match state.machine2 {
                Machine2::Busy => &mut probabilities.machine2_busy,
                Machine2::Down => &mut probabilities.machine2_down,
                Machine2::Starved => &mut probabilities.machine2_starved,
            } += p;
            probabilities.buffer_level[state.waiting] += p;
            mean_wip += p * state.parts() as f64;
        }
        Ok(TwoMachineLineSolution {
            throughput: self.mu2 * probabilities.machine2_busy,
            mean_wip,
            probabilities,
        })
    }

    /// Throughput, the long-run rate of machine-2 completions: `mu2 * P(machine 2 busy)`
    /// (equal to `mu1 * P(machine 1 busy)` by conservation of parts). See [`Self::solve`].
    ///
    /// # Errors
    ///
    /// As [`Self::solve`].
    pub fn throughput(&self) -> Result<f64, AnalyticError> {
        Ok(self.solve()?.throughput)
    }

    /// Mean number of parts in the line (machine 1, buffer, machine 2). See [`Self::solve`].
    ///
    /// # Errors
    ///
    /// As [`Self::solve`].
    pub fn mean_wip(&self) -> Result<f64, AnalyticError> {
        Ok(self.solve()?.mean_wip)
    }

    /// Fractions of time each machine is busy, down, blocked or starved, and the buffer
    /// distribution. See [`Self::solve`].
    ///
    /// # Errors
    ///
    /// As [`Self::solve`].
    pub fn state_probabilities(&self) -> Result<TwoMachineStateProbabilities, AnalyticError> {
        Ok(self.solve()?.probabilities)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `|a - b| <= tol * max(1, |b|)`, with a message that shows both numbers.
    #[track_caller]
    fn assert_close(a: f64, b: f64, tol: f64) {
        assert!(
            (a - b).abs() <= tol * b.abs().max(1.0),
            "{a} != {b} (tolerance {tol})"
        );
    }

    /// Largest `|(pi Q)_j|`.
    fn residual(pi: &DVector<f64>, q: &DMatrix<f64>) -> f64 {
        (pi.transpose() * q).amax()
    }

    // --- ctmc_stationary ---------------------------------------------------------------------

    #[test]
    fn ctmc_two_state_machine_availability() {
        let (failure, repair) = (0.25, 3.0);
        let q = DMatrix::from_row_slice(2, 2, &[-failure, failure, repair, -repair]);
        let pi = ctmc_stationary(&q).unwrap();
        assert_close(pi[0], repair / (failure + repair), 1e-14);
        assert_close(pi[1], failure / (failure + repair), 1e-14);
    }

    #[test]
    fn ctmc_single_state_is_certain() {
        let pi = ctmc_stationary(&DMatrix::zeros(1, 1)).unwrap();
        assert_eq!(pi.as_slice(), &[1.0]);
    }

    #[test]
    fn ctmc_dense_random_generator_solves_balance_equations() {
        // A fixed pseudo-random generator (LCG) with rates spread over six orders of magnitude.
        let n = 60;
        let mut seed: u64 = 12345;
        let mut next = || {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 11) as f64 / (1u64 << 53) as f64
        };
        let mut q = DMatrix::zeros(n, n);
        for i in 0..n {
            for j in 0..n {
                if i != j && next() < 0.3 {
                    q[(i, j)] = 10f64.powf(6.0 * next() - 3.0);
                }
            }
            q[(i, (i + 1) % n)] += 1.0; // a cycle makes the chain irreducible
            q[(i, i)] = -q.row(i).sum();
        }
        let pi = ctmc_stationary(&q).unwrap();
        assert_close(pi.sum(), 1.0, 1e-12);
        assert!(pi.iter().all(|&p| p > 0.0));
        assert!(residual(&pi, &q) < 1e-12, "residual {}", residual(&pi, &q));
    }

    #[test]
    fn ctmc_rejects_matrices_that_are_not_irreducible_generators() {
        let err = |q: DMatrix<f64>| ctmc_stationary(&q).unwrap_err();
        assert_eq!(
            err(DMatrix::zeros(2, 3)),
            AnalyticError::NotSquare { rows: 2, cols: 3 }
        );
        assert_eq!(
            err(DMatrix::zeros(0, 0)),
            AnalyticError::NotSquare { rows: 0, cols: 0 }
        );
        let negative = err(DMatrix::from_row_slice(2, 2, &[1.0, -1.0, 1.0, -1.0]));
        assert_eq!(
            negative.to_string(),
            "generator off-diagonal entry q[0][1] must be non-negative, got -1"
        );
        assert!(matches!(
            err(DMatrix::from_row_slice(2, 2, &[-1.0, 2.0, 1.0, -1.0])),
            AnalyticError::RowSumNotZero { row: 0, .. }
        ));
        assert!(matches!(
            err(DMatrix::from_row_slice(2, 2, &[f64::NAN, 1.0, 1.0, -1.0])),
            AnalyticError::NonFiniteRate { row: 0, col: 0, .. }
        ));
        // State 2 is absorbing: it is reached from 0 but never returns.
        let absorbing = DMatrix::from_row_slice(
            3,
            3,
            &[-2.0, 1.0, 1.0, 1.0, -2.0, 1.0, 0.0, 0.0, 0.0], //
        );
        assert_eq!(err(absorbing), AnalyticError::Reducible { state: 2 });
        // Two closed classes {0, 1} and {2, 3}.
        let mut split = DMatrix::zeros(4, 4);
        for (i, j) in [(0, 1), (1, 0), (2, 3), (3, 2)] {
            split[(i, j)] = 1.0;
            split[(i, i)] = -1.0;
        }
        assert_eq!(err(split), AnalyticError::Reducible { state: 2 });
    }

    // --- M/M/c/K -------------------------------------------------------------------------------

    #[test]
    fn mm1_textbook_rho_0_8() {
        let queue = MmcK::mm1(0.8, 1.0);
        assert_close(queue.mean_in_system().unwrap(), 4.0, 1e-13);
        assert_close(queue.mean_in_queue().unwrap(), 3.2, 1e-13);
        assert_close(queue.mean_waiting_time().unwrap(), 4.0, 1e-13);
        assert_close(queue.mean_sojourn_time().unwrap(), 5.0, 1e-13);
        assert_close(queue.waiting_probability().unwrap(), 0.8, 1e-13);
        assert_eq!(queue.blocking_probability().unwrap(), 0.0);
        for n in 0..20 {
            assert_close(queue.p_n(n).unwrap(), 0.2 * 0.8f64.powi(n as i32), 1e-13);
        }
    }

    #[test]
    fn mmc_erlang_c_textbook_values() {
        // M/M/2, lambda = mu = 1: C = 1/3, Lq = C rho / (1 - rho) = 1/3, L = Lq + a = 4/3.
        let queue = MmcK::mmc(1.0, 1.0, 2);
        assert_close(queue.waiting_probability().unwrap(), 1.0 / 3.0, 1e-13);
        assert_close(queue.mean_in_queue().unwrap(), 1.0 / 3.0, 1e-13);
        assert_close(queue.mean_in_system().unwrap(), 4.0 / 3.0, 1e-13);
        assert_close(queue.mean_waiting_time().unwrap(), 1.0 / 3.0, 1e-13);
        assert_close(queue.mean_sojourn_time().unwrap(), 4.0 / 3.0, 1e-13);
        assert_close(queue.p_n(0).unwrap(), 1.0 / 3.0, 1e-13);
        // M/M/3, lambda = 2, mu = 1: C = (4/3) / ((1/3) 5 + 4/3) = 4/9, Lq = C * 2 = 8/9.
        let queue = MmcK::mmc(2.0, 1.0, 3);
        assert_close(queue.waiting_probability().unwrap(), 4.0 / 9.0, 1e-13);
        assert_close(queue.mean_in_queue().unwrap(), 8.0 / 9.0, 1e-13);
        assert_close(queue.mean_in_system().unwrap(), 8.0 / 9.0 + 2.0, 1e-13);
    }

    #[test]
    fn mmcc_erlang_b_textbook_value() {
        // M/M/3/3, a = 2: B = (8/6) / (1 + 2 + 2 + 8/6) = 4/19, and nobody waits.
        let queue = MmcK {
            lambda: 2.0,
            mu: 1.0,
            servers: 3,
            capacity: Some(3),
        };
        assert_close(queue.blocking_probability().unwrap(), 4.0 / 19.0, 1e-13);
        assert_eq!(queue.waiting_probability().unwrap(), 0.0);
        assert_eq!(queue.mean_in_queue().unwrap(), 0.0);
        assert_close(queue.mean_sojourn_time().unwrap(), 1.0, 1e-13);
    }

    #[test]
    fn mm1k_textbook_closed_form() {
        // p_n = (1 - rho) rho^n / (1 - rho^(K+1)), L = rho/(1-rho) - (K+1) rho^(K+1)/(1-rho^(K+1)).
        let k = 7;
        for rho in [0.3, 0.9, 1.25, 4.0] {
            let queue = MmcK::mm1k(rho * 2.0, 2.0, k);
            let tail = 1.0 - rho.powi(k as i32 + 1);
            for n in 0..=k + 1 {
                let expected = if n <= k {
                    (1.0 - rho) * rho.powi(n as i32) / tail
                } else {
                    0.0
                };
                assert_close(queue.p_n(n).unwrap(), expected, 1e-13);
            }
            let l = rho / (1.0 - rho) - (k + 1) as f64 * rho.powi(k as i32 + 1) / tail;
            assert_close(queue.mean_in_system().unwrap(), l, 1e-12);
            let p_k = queue.blocking_probability().unwrap();
            assert_close(
                queue.mean_sojourn_time().unwrap(),
                l / (rho * 2.0 * (1.0 - p_k)),
                1e-12,
            );
        }
        // rho = 1: uniform on 0..=K.
        let queue = MmcK::mm1k(1.5, 1.5, k);
        assert_close(queue.blocking_probability().unwrap(), 1.0 / 8.0, 1e-14);
        assert_close(queue.mean_in_system().unwrap(), 3.5, 1e-14);
    }

    #[test]
    fn mmck_closed_forms_match_generator_solution() {
        let cases = [
            (0.5, 1.0, 1, 1),
            (3.0, 1.0, 1, 10),
            (2.0, 1.0, 3, 3),
            (2.0, 1.0, 3, 12),
            (6.0, 2.0, 3, 12),        // rho = 1 exactly
            (6.0 + 1e-9, 2.0, 3, 40), // rho just above 1
            (9.0, 0.5, 4, 30),        // heavily overloaded
            (0.01, 3.0, 5, 9),
        ];
        for (lambda, mu, servers, k) in cases {
            let queue = MmcK {
                lambda,
                mu,
                servers,
                capacity: Some(k),
            };
            let q = queue.to_generator().unwrap();
            let pi = ctmc_stationary(&q).unwrap();
            assert!(residual(&pi, &q) < 1e-12);
            for n in 0..=k {
                assert_close(queue.p_n(n).unwrap(), pi[n], 1e-11);
            }
            let l: f64 = (0..=k).map(|n| n as f64 * pi[n]).sum();
            let lq: f64 = (servers..=k).map(|n| (n - servers) as f64 * pi[n]).sum();
            assert_close(queue.mean_in_system().unwrap(), l, 1e-11);
            assert_close(queue.mean_in_queue().unwrap(), lq, 1e-11);
            assert_close(queue.blocking_probability().unwrap(), pi[k], 1e-11);
            let admitted = 1.0 - pi[k];
            let waiting: f64 = (servers..k).map(|n| pi[n]).sum();
            assert_close(
                queue.waiting_probability().unwrap(),
                waiting / admitted,
                1e-11,
            );
            assert_close(
                queue.effective_arrival_rate().unwrap(),
                lambda * admitted,
                1e-11,
            );
            // L = Lq + mean busy servers = Lq + lambda_eff / mu, i.e. W = Wq + 1 / mu.
            assert_close(
                queue.mean_sojourn_time().unwrap(),
                queue.mean_waiting_time().unwrap() + 1.0 / mu,
                1e-11,
            );
        }
    }

    #[test]
    fn mmck_extreme_parameters_stay_finite_and_consistent() {
        // A huge capacity with rho < 1 is the infinite queue.
        let finite = MmcK::mm1k(0.8, 1.0, usize::MAX);
        assert_close(finite.mean_in_system().unwrap(), 4.0, 1e-12);
        assert_eq!(finite.blocking_probability().unwrap(), 0.0);
        // A huge capacity with rho = 2 loses half the arrivals and is (almost) always full.
        let overloaded = MmcK::mm1k(2.0, 1.0, usize::MAX);
        assert_close(overloaded.blocking_probability().unwrap(), 0.5, 1e-12);
        assert_close(overloaded.effective_arrival_rate().unwrap(), 1.0, 1e-12);
        assert_close(
            overloaded.mean_in_queue().unwrap(),
            usize::MAX as f64,
            1e-12,
        );
        // Rates whose ratio overflows f64.
        let extreme = MmcK::mm1k(1e300, 1e-300, 5);
        assert_close(extreme.blocking_probability().unwrap(), 1.0, 1e-12);
        assert_close(extreme.mean_in_system().unwrap(), 5.0, 1e-12);
        // Continuity at rho = 1 for a long queue: L = K / 2 there.
        let k = 1_000_000;
        for rho in [1.0 - 1e-15, 1.0, 1.0 + 1e-15] {
            let queue = MmcK::mm1k(rho, 1.0, k);
            assert_close(queue.mean_in_system().unwrap(), k as f64 / 2.0, 1e-8);
        }
        // Many servers: the head sum needs no factorials.
        let big = MmcK::mmc(900.0, 1.0, 1000);
        let lq = big.mean_in_queue().unwrap();
        assert!(lq.is_finite() && lq > 0.0);
        assert_close(
            big.mean_in_system().unwrap(),
            lq + 900.0,
            1e-12, // L = Lq + a
        );
    }

    #[test]
    fn mmck_rejects_invalid_parameters() {
        let base = MmcK::mmc(1.0, 1.0, 2);
        let err = |queue: MmcK| queue.mean_in_system().unwrap_err().to_string();
        assert_eq!(
            err(MmcK { mu: -1.0, ..base }),
            "mu must be positive and finite, got -1"
        );
        assert_eq!(
            err(MmcK {
                lambda: f64::NAN,
                ..base
            }),
            "lambda must be positive and finite, got NaN"
        );
        assert_eq!(
            err(MmcK { servers: 0, ..base }),
            "servers must be at least 1, got 0"
        );
        assert_eq!(
            err(MmcK {
                capacity: Some(1),
                ..base
            }),
            "capacity must be at least servers (2), got 1"
        );
        assert_eq!(
            err(MmcK::mmc(2.0, 1.0, 2)),
            "unstable: lambda = 2 must be less than servers * mu = 2"
        );
        assert!(matches!(
            base.to_generator(),
            Err(AnalyticError::InfiniteCapacity { .. })
        ));
        assert!(matches!(
            MmcK::mm1k(1.0, 1.0, MAX_STATES).to_generator(),
            Err(AnalyticError::TooManyStates { .. })
        ));
    }

    #[test]
    fn geometric_helpers_match_direct_sums() {
        for m in [0usize, 1, 2, 10, 1000] {
            for x in [
                -5.0, -0.5, -1e-3, -1e-8, -1e-15, 0.0, 1e-15, 1e-8, 1e-3, 0.5, 5.0,
            ] {
                // Weights scaled by the largest one, e^{m x} when x > 0, to avoid overflow.
                let top = if x > 0.0 { m as f64 * x } else { 0.0 };
                let weights: Vec<f64> = (0..=m).map(|j| (j as f64 * x - top).exp()).collect();
                let total: f64 = weights.iter().sum();
                let mean = weights
                    .iter()
                    .enumerate()
                    .map(|(j, w)| j as f64 * w)
                    .sum::<f64>()
                    / total;
                let mf = m as f64;
                assert_close(ln_geometric_sum(x, Some(mf)) - top, total.ln(), 1e-12);
                assert_close(geometric_mean_index(x, Some(mf)), mean, 1e-12);
            }
        }
        for x in [-5.0, -0.1, -1e-6] {
            let rho: f64 = f64::exp(x);
            assert_close(ln_geometric_sum(x, None).exp(), 1.0 / (1.0 - rho), 1e-9);
            assert_close(geometric_mean_index(x, None), rho / (1.0 - rho), 1e-9);
        }
    }

    // --- Small closed forms ------------------------------------------------------------------

    #[test]
    fn jackson_tandem_is_a_sum_of_mm1_sojourns() {
        let mus = [1.5, 4.0, 2.5];
        let expected: f64 = mus
            .iter()
            .map(|&mu| MmcK::mm1(1.2, mu).mean_sojourn_time().unwrap())
            .sum();
        assert_close(jackson_tandem_sojourn(1.2, &mus).unwrap(), expected, 1e-13);
        assert_close(
            jackson_tandem_sojourn(1.0, &[2.0, 3.0]).unwrap(),
            1.5,
            1e-15,
        );
        assert_eq!(
            jackson_tandem_sojourn(2.0, &[3.0, 1.5])
                .unwrap_err()
                .to_string(),
            "unstable: lambda = 2 must be less than mus[1] = 1.5"
        );
        assert_eq!(
            jackson_tandem_sojourn(1.0, &[3.0, 0.0])
                .unwrap_err()
                .to_string(),
            "mus[1] must be positive and finite, got 0"
        );
        assert!(jackson_tandem_sojourn(1.0, &[]).is_err());
    }

    #[test]
    fn availability_is_uptime_fraction() {
        assert_close(availability(9.0, 1.0).unwrap(), 0.9, 1e-15);
        assert_eq!(availability(5.0, 0.0).unwrap(), 1.0);
        assert_eq!(
            availability(0.0, 1.0).unwrap_err().to_string(),
            "mttf must be positive and finite, got 0"
        );
        assert_eq!(
            availability(1.0, -2.0).unwrap_err().to_string(),
            "mttr must be non-negative and finite, got -2"
        );
    }

    // --- Two-machine line --------------------------------------------------------------------

    fn line(mu1: f64, mu2: f64, buffer: usize) -> TwoMachineLine {
        TwoMachineLine {
            mu1,
            mu2,
            buffer,
            failure1: None,
            failure2: None,
        }
    }

    fn failing_line(
        (mu1, p1, r1): (f64, f64, f64),
        (mu2, p2, r2): (f64, f64, f64),
        buffer: usize,
    ) -> TwoMachineLine {
        TwoMachineLine {
            mu1,
            mu2,
            buffer,
            failure1: Some(Failure {
                rate: p1,
                repair_rate: r1,
            }),
            failure2: Some(Failure {
                rate: p2,
                repair_rate: r2,
            }),
        }
    }

    /// The same line seen backwards: machines (with their failures) swapped.
    fn reversed(line: &TwoMachineLine) -> TwoMachineLine {
        TwoMachineLine {
            mu1: line.mu2,
            mu2: line.mu1,
            buffer: line.buffer,
            failure1: line.failure2,
            failure2: line.failure1,
        }
    }

    fn sample_lines() -> Vec<TwoMachineLine> {
        let mut lines = Vec::new();
        for buffer in [0, 1, 2, 5] {
            lines.push(line(1.0, 1.3, buffer));
            lines.push(failing_line((1.0, 0.1, 0.5), (1.3, 0.05, 0.2), buffer));
            lines.push(TwoMachineLine {
                failure2: None,
                ..failing_line((2.0, 0.3, 1.0), (1.0, 0.0, 0.0), buffer)
            });
            lines.push(TwoMachineLine {
                failure1: None,
                ..failing_line((1.0, 0.0, 0.0), (0.7, 0.01, 0.1), buffer)
            });
        }
        lines
    }

    #[test]
    fn two_machine_state_space_is_closed_and_counted() {
        for line in sample_lines() {
            let states = line.states();
            assert_eq!(states.len(), line.state_count(), "{line:?}");
            let distinct: std::collections::HashSet<_> = states.iter().collect();
            assert_eq!(distinct.len(), states.len());
            for &state in &states {
                let transitions = line.transitions(state);
                assert!(!transitions.is_empty());
                for (next, rate) in transitions {
                    assert!(states.contains(&next), "{state:?} -> {next:?}");
                    assert_ne!(next, state);
                    assert!(rate > 0.0);
                }
            }
        }
    }

    #[test]
    fn two_machine_stationary_vector_solves_balance_equations() {
        for line in sample_lines() {
            let (_, q) = line.generator().unwrap();
            let pi = ctmc_stationary(&q).unwrap();
            assert_close(pi.sum(), 1.0, 1e-12);
            assert!(residual(&pi, &q) < 1e-12, "{line:?}");
            assert!(pi.iter().all(|&p| p > 0.0));
        }
    }

    /// Independent closed form without failures. The number of parts past machine 1, plus one
    /// when machine 1 is blocked, is birth-death on 0..=N with N = buffer + 2: every machine-1
    /// completion raises it (to machine 2, into the buffer, or into "blocked"), every machine-2
    /// completion lowers it (including the unblocking move from N to N - 1). So
    /// pi_k = rho^k / sum_j rho^j with rho = mu1 / mu2, machine 2 is starved at k = 0,
    /// machine 1 is blocked at k = N, and the WIP is 1 + k except 1 + (N - 1) at k = N.
    #[test]
    fn two_machine_line_matches_birth_death_closed_form() {
        for (mu1, mu2) in [(1.0, 1.3), (2.0, 0.5), (1.0, 1.0), (3.0, 3.0 + 1e-3)] {
            for buffer in 0..=6 {
                let solution = line(mu1, mu2, buffer).solve().unwrap();
                let n = buffer + 2;
                let rho: f64 = mu1 / mu2;
                let weights: Vec<f64> = (0..=n).map(|k| rho.powi(k as i32)).collect();
                let total: f64 = weights.iter().sum();
                let pi: Vec<f64> = weights.iter().map(|w| w / total).collect();
                let wip: f64 = (0..=n).map(|k| pi[k] * (1 + k.min(n - 1)) as f64).sum();
                let throughput = if mu1 == mu2 {
                    mu1 * n as f64 / (n + 1) as f64
                } else {
                    mu1 * (1.0 - rho.powi(n as i32)) / (1.0 - rho.powi(n as i32 + 1))
                };
                assert_close(solution.throughput, throughput, 1e-12);
                assert_close(solution.throughput, mu2 * (1.0 - pi[0]), 1e-12);
                assert_close(solution.mean_wip, wip, 1e-12);
                let p = &solution.probabilities;
                assert_close(p.machine2_starved, pi[0], 1e-12);
                assert_close(p.machine1_blocked, pi[n], 1e-12);
                assert_eq!(p.machine1_down, 0.0);
                assert_eq!(p.machine2_down, 0.0);
                // Buffer level j <-> k = j + 1, and k = N (blocked) has a full buffer.
                for j in 0..buffer {
                    let expected = if j == 0 { pi[0] + pi[1] } else { pi[j + 1] };
                    assert_close(p.buffer_level[j], expected, 1e-12);
                }
                let full = if buffer == 0 {
                    pi[0] + pi[1]
                } else {
                    pi[n - 1]
                };
                assert_close(p.buffer_level[buffer], full + pi[n], 1e-12);
            }
        }
        // mu1 = mu2: throughput = mu (B + 2) / (B + 3).
        let equal = line(2.0, 2.0, 3).throughput().unwrap();
        assert_close(equal, 2.0 * 5.0 / 6.0, 1e-13);
    }

    /// Independent encoding of the same semantics, with failures: the level `k` of the
    /// birth-death argument above (parts past machine 1, plus one if machine 1 is blocked) and
    /// an up/down flag per machine. Machine 1 works below level N = buffer + 2, machine 2 above
    /// level 0; only a working machine fails, and a machine that is down keeps its part.
    #[test]
    fn two_machine_ctmc_matches_level_formulation() {
        for line in sample_lines() {
            let n = line.buffer + 2;
            let down1 = [false, true];
            let down2 = [false, true];
            let mut states = Vec::new();
            for k in 0..=n {
                for &d1 in &down1[..1 + usize::from(line.failure1.is_some())] {
                    for &d2 in &down2[..1 + usize::from(line.failure2.is_some())] {
                        // A down machine holds a part: it is neither blocked nor starved.
                        if (!d1 || k < n) && (!d2 || k > 0) {
                            states.push((k, d1, d2));
                        }
                    }
                }
            }
            let find = |s: (usize, bool, bool)| states.iter().position(|&t| t == s).unwrap();
            let mut q = DMatrix::zeros(states.len(), states.len());
            for (i, &(k, d1, d2)) in states.iter().enumerate() {
                let mut moves = Vec::new();
                if k < n && !d1 {
                    moves.push(((k + 1, d1, d2), line.mu1));
                }
                if k > 0 && !d2 {
                    moves.push(((k - 1, d1, d2), line.mu2));
                }
                if let Some(f) = line.failure1 {
                    if d1 {
                        moves.push(((k, false, d2), f.repair_rate));
                    } else if k < n {
                        moves.push(((k, true, d2), f.rate));
                    }
                }
                if let Some(f) = line.failure2 {
                    if d2 {
                        moves.push(((k, d1, false), f.repair_rate));
                    } else if k > 0 {
                        moves.push(((k, d1, true), f.rate));
                    }
                }
                for (next, rate) in moves {
                    q[(i, find(next))] += rate;
                    q[(i, i)] -= rate;
                }
            }
            let pi = ctmc_stationary(&q).unwrap();
            let mut throughput = 0.0;
            let mut wip = 0.0;
            let mut blocked = 0.0;
            for (&(k, _, d2), &p) in states.iter().zip(pi.iter()) {
                if k > 0 && !d2 {
                    throughput += line.mu2 * p;
                }
                wip += p * (1 + k.min(n - 1)) as f64;
                if k == n {
                    blocked += p;
                }
            }
            let solution = line.solve().unwrap();
            assert_eq!(states.len(), line.state_count());
            assert_close(solution.throughput, throughput, 1e-12);
            assert_close(solution.mean_wip, wip, 1e-12);
            assert_close(solution.probabilities.machine1_blocked, blocked, 1e-12);
        }
    }

    #[test]
    fn two_machine_line_equals_mm1k_with_two_extra_places() {
        for (mu1, mu2, buffer) in [(1.0, 1.5, 0), (2.0, 1.0, 4), (1.0, 1.0, 10)] {
            let queue = MmcK::mm1k(mu1, mu2, buffer + 2);
            let line = line(mu1, mu2, buffer);
            assert_close(
                line.throughput().unwrap(),
                queue.effective_arrival_rate().unwrap(),
                1e-12,
            );
            assert_close(
                line.state_probabilities().unwrap().machine1_blocked,
                queue.blocking_probability().unwrap(),
                1e-12,
            );
        }
    }

    #[test]
    fn two_machine_large_buffer_reaches_bottleneck_rate() {
        for (mu1, mu2) in [(1.0, 1.2), (1.2, 1.0)] {
            let mut previous = 0.0;
            for buffer in [0, 1, 5, 20, 60] {
                let throughput = line(mu1, mu2, buffer).throughput().unwrap();
                assert!(throughput > previous && throughput < 1.0);
                previous = throughput;
            }
            // 1 - throughput is of order (5/6)^buffer.
            assert_close(line(mu1, mu2, 250).throughput().unwrap(), 1.0, 1e-12);
        }
    }

    #[test]
    fn two_machine_failures_large_buffer_reaches_isolated_rates() {
        // Isolated rates: mu1 r1 / (r1 + p1) = 1/1.1 and mu2 r2 / (r2 + p2) = 1.5/1.1.
        let slow_first = failing_line((1.0, 0.1, 1.0), (1.5, 0.1, 1.0), 0);
        let bottleneck = slow_first.mu1 * slow_first.failure1.unwrap().efficiency();
        assert_close(bottleneck, 1.0 / 1.1, 1e-15);
        let mut previous = 0.0;
        for buffer in [0, 2, 10, 40, 80] {
            let throughput = TwoMachineLine {
                buffer,
                ..slow_first
            }
            .throughput()
            .unwrap();
            assert!(throughput > previous && throughput < bottleneck);
            previous = throughput;
        }
        // The gap shrinks geometrically with the buffer: about 2e-7 at 40, 4e-13 at 80.
        assert_close(previous, bottleneck, 1e-11);
        let long = TwoMachineLine {
            buffer: 100,
            ..slow_first
        };
        assert_close(long.throughput().unwrap(), bottleneck, 1e-12);
        // The same with the bottleneck second.
        let slow_second = TwoMachineLine {
            buffer: 100,
            ..reversed(&slow_first)
        };
        assert_close(slow_second.throughput().unwrap(), bottleneck, 1e-12);
    }

    #[test]
    fn two_machine_single_machine_limits() {
        // A machine 2 that is infinitely fast never blocks machine 1: TH = mu1 r1 / (r1 + p1).
        let fast_second = TwoMachineLine {
            failure2: None,
            ..failing_line((1.0, 0.2, 0.6), (1e9, 0.0, 0.0), 0)
        };
        assert_close(fast_second.throughput().unwrap(), 0.75, 1e-8);
        // An infinitely fast machine 1 never starves machine 2: TH = mu2 r2 / (r2 + p2).
        let fast_first = TwoMachineLine {
            failure1: None,
            ..failing_line((1e9, 0.0, 0.0), (2.0, 0.1, 0.4), 0)
        };
        assert_close(fast_first.throughput().unwrap(), 1.6, 1e-8);
    }

    #[test]
    fn two_machine_reversed_line_has_same_throughput() {
        for line in sample_lines().into_iter().chain([
            failing_line((1.0, 0.02, 0.3), (0.8, 0.2, 2.0), 7),
            failing_line((3.0, 0.5, 0.5), (1.0, 0.01, 0.01), 3),
        ]) {
            let forward = line.solve().unwrap();
            let backward = reversed(&line).solve().unwrap();
            assert_close(forward.throughput, backward.throughput, 1e-12);
            // Parts flowing forward are holes flowing backward: blocking mirrors starvation,
            // and downtimes swap machines.
            let (f, b) = (&forward.probabilities, &backward.probabilities);
            assert_close(f.machine1_blocked, b.machine2_starved, 1e-12);
            assert_close(f.machine2_starved, b.machine1_blocked, 1e-12);
            assert_close(f.machine1_down, b.machine2_down, 1e-12);
            assert_close(f.machine2_down, b.machine1_down, 1e-12);
        }
    }

    #[test]
    fn two_machine_probabilities_satisfy_conservation_laws() {
        for line in sample_lines() {
            let solution = line.solve().unwrap();
            let p = &solution.probabilities;
            // Parts are conserved: machine 1 completes as often as machine 2.
            assert_close(solution.throughput, line.mu1 * p.machine1_busy, 1e-12);
            assert_close(
                p.machine1_busy + p.machine1_down + p.machine1_blocked,
                1.0,
                1e-12,
            );
            assert_close(
                p.machine2_busy + p.machine2_down + p.machine2_starved,
                1.0,
                1e-12,
            );
            assert_close(p.buffer_level.iter().sum(), 1.0, 1e-12);
            // Failure/repair flow balance: p P(busy) = r P(down) for each machine.
            for (failure, busy, down) in [
                (line.failure1, p.machine1_busy, p.machine1_down),
                (line.failure2, p.machine2_busy, p.machine2_down),
            ] {
                if let Some(f) = failure {
                    assert_close(f.rate * busy, f.repair_rate * down, 1e-12);
                }
            }
            // WIP = 1 (machine 1) + E[buffer] + P(machine 2 holds a part).
            let buffer_mean: f64 = p
                .buffer_level
                .iter()
                .enumerate()
                .map(|(j, q)| j as f64 * q)
                .sum();
            assert_close(
                solution.mean_wip,
                1.0 + buffer_mean + 1.0 - p.machine2_starved,
                1e-12,
            );
            assert_close(
                solution.mean_flow_time(),
                solution.mean_wip / solution.throughput,
                1e-15,
            );
        }
    }

    #[test]
    fn two_machine_rejects_invalid_parameters() {
        let base = failing_line((1.0, 0.1, 1.0), (1.0, 0.1, 1.0), 3);
        let err = |line: TwoMachineLine| line.throughput().unwrap_err().to_string();
        assert_eq!(
            err(TwoMachineLine { mu1: -1.0, ..base }),
            "mu1 must be positive and finite, got -1"
        );
        assert_eq!(
            err(TwoMachineLine {
                mu2: f64::INFINITY,
                ..base
            }),
            "mu2 must be positive and finite, got inf"
        );
        assert_eq!(
            err(TwoMachineLine {
                failure2: Some(Failure {
                    rate: 0.1,
                    repair_rate: 0.0
                }),
                ..base
            }),
            "failure2.repair_rate must be positive and finite, got 0"
        );
        assert!(matches!(
            TwoMachineLine {
                buffer: usize::MAX,
                ..base
            }
            .throughput(),
            Err(AnalyticError::TooManyStates { .. })
        ));
    }
}
