//! Exact reference models for degradation and maintenance: Markov chains, threshold and age policies.
//!
//! Degradation is a Markov chain over health states `0..states`: state 0 is new and the last
//! state, `states - 1`, is failure, which is absorbing. In a [`DegradationChain`] the unit moves
//! at rates per unit of clock time (a continuous-time chain); in an [`OperationChain`] it moves
//! with a probability per operation (a discrete-time chain that stays put with the rest of the
//! probability). With `T` the transient states, the mean time to failure is the solution `m` of
//! `(-Q_TT) m = 1`, and the mean number of operations to failure that of `(I - P_TT) m = 1`
//! (the fundamental matrix of an absorbing chain; Kemeny & Snell, *Finite Markov Chains*, 1960,
//! ch. III). The same solve with the rates into a set `A` of states on the right-hand side,
//! `(-Q_TT) B = Q_TA`, gives the probability of entering each state of `A` first.
//!
//! Maintenance policies are evaluated with the renewal-reward theorem (Ross, *Applied
//! Probability Models with Optimization Applications*, 1970, ch. 3): both a repair and a
//! preventive action renew the unit to as good as new, so with a cycle running from one renewal
//! to the next, the long-run cost per unit of time is `E[cost per cycle] / E[cycle length]` and
//! the availability `E[up time per cycle] / E[cycle length]`. The clock, and with it the
//! degradation, stops during maintenance. With `p_f` the probability that a cycle ends in a
//! failure, `tau_f` and `tau_p` the mean repair and preventive durations, `C_f` and `C_p` the
//! cost of a repair and of a preventive action, and `c_d` the cost per unit of downtime:
//!
//! ```text
//! E[cycle] = E[up] + p_f tau_f + (1 - p_f) tau_p
//! E[cost]  = p_f C_f + (1 - p_f) C_p + c_d (p_f tau_f + (1 - p_f) tau_p)
//! ```
//!
//! Only the means of the maintenance durations enter, so the figures hold for any duration
//! distributions. Two policies fill in `E[up]` and `p_f`:
//!
//! - [`ThresholdPolicy`]: condition-based maintenance on a continuously observed
//!   [`DegradationChain`]. Preventive work starts when the unit first enters a state at or above
//!   the threshold; `E[up]` and `p_f` are the mean time to, and the probability of entering the
//!   failure state first on entering, the set `{threshold, ..., states - 1}`.
//! - [`AgeReplacement`]: replacement at operating age `T` or at failure, whichever comes first,
//!   with a Weibull lifetime of shape `k` and scale `lambda` (Barlow & Proschan, *Mathematical
//!   Theory of Reliability*, 1965, ch. 3–4). `E[up] = int_0^T R(t) dt = lambda Gamma(1 + 1/k)
//!   P(1/k, (T/lambda)^k)`, with `P` the regularised lower incomplete gamma function, and
//!   `p_f = F(T) = 1 - exp(-(T/lambda)^k)`. At an optimal age the cost rate `g` satisfies
//!   `g(T) = (C_f' - C_p') r(T) / (1 + (tau_f - tau_p) r(T))`, with `r` the hazard rate and
//!   `C_f' = C_f + c_d tau_f`, `C_p' = C_p + c_d tau_p`; without maintenance durations this is
//!   the classical `r(T) int_0^T R(t) dt - F(T) = C_p / (C_f - C_p)`.
//!
//! These are the references that the simulator's maintenance policies are validated against.
//! Invalid input never panics: every entry point returns an [`AnalyticError`] whose message
//! names the parameter and its value.

use nalgebra::DMatrix;
use statrs::function::gamma::{checked_gamma_lr, gamma};

use super::{AnalyticError, check_state_count, non_negative, positive};

fn parameter_error(
    name: impl Into<String>,
    value: f64,
    requirement: impl Into<String>,
) -> AnalyticError {
    AnalyticError::Parameter {
        name: name.into(),
        value,
        requirement: requirement.into(),
    }
}

// ---------------------------------------------------------------------------------------------
// Absorbing chains
// ---------------------------------------------------------------------------------------------

/// What the weight of a transition is.
#[derive(Debug, Clone, Copy)]
enum Weight {
    /// A rate per unit of clock time ([`DegradationChain`]).
    Rate,
    /// A probability per operation ([`OperationChain`]).
    Probability,
}

/// A validated chain: the transitions out of each state, with repeated pairs merged.
///
/// A continuous-time chain with rates `q_ij` and a discrete-time chain that moves with
/// probabilities `p_ij` (and stays with the rest) lead to the same linear systems: the matrix
/// `diag(sum_j w_ij) - W_TT` is `-Q_TT` for rates and `I - P_TT` for probabilities. So one
/// solver serves both, and a mean "time" of the discrete chain counts operations.
struct Chain {
    /// `out[i]`: the targets of the transitions out of state `i` and their total weights.
    out: Vec<Vec<(usize, f64)>>,
    /// What a mean hitting time measures, for error messages.
    measure: &'static str,
}

/// The mean time until a chain first enters a set of states, and where it enters it.
struct Absorption {
    /// Mean time (or number of operations) until the set is entered.
    mean: f64,
    /// `probabilities[j]`: probability that the set is entered at state `j` (0 outside the set).
    probabilities: Vec<f64>,
}

impl Chain {
    fn new(
        states: usize,
        transitions: &[(usize, usize, f64)],
        weight: Weight,
    ) -> Result<Self, AnalyticError> {
        if states < 2 {
            return Err(parameter_error(
                "states",
                states as f64,
                "at least 2 (a new state and the failure state)",
            ));
        }
        check_state_count(states)?;
        let failure = states - 1;
        let mut out: Vec<Vec<(usize, f64)>> = vec![Vec::new(); states];
        for (index, &(from, to, w)) in transitions.iter().enumerate() {
            let edge = format!("transitions[{index}] ({from} -> {to})");
            for (role, state) in [("source", from), ("target", to)] {
                if state >= states {
                    return Err(parameter_error(
                        format!("{role} of {edge}"),
                        state as f64,
                        format!("a state below states = {states}"),
                    ));
                }
            }
            if from == failure {
                return Err(parameter_error(
                    format!("source of {edge}"),
                    from as f64,
                    format!(
                        "a state other than the failure state {failure} (the last state, which \
                         is absorbing)"
                    ),
                ));
            }
            if to == from {
                return Err(parameter_error(
                    format!("target of {edge}"),
                    to as f64,
                    "different from its source (no self loops)",
                ));
            }
            match weight {
                Weight::Rate => {
                    positive(&format!("rate of {edge}"), w)?;
                }
                Weight::Probability => {
                    if !(w > 0.0 && w <= 1.0) {
                        return Err(parameter_error(
                            format!("probability of {edge}"),
                            w,
                            "in (0, 1]",
                        ));
                    }
                }
            }
            // Two transitions between the same states are two competing causes: their rates
            // (or probabilities) add.
            match out[from].iter_mut().find(|(target, _)| *target == to) {
                Some(entry) => entry.1 += w,
                None => out[from].push((to, w)),
            }
        }
        let measure = match weight {
            Weight::Rate => "time",
            Weight::Probability => {
                for (state, row) in out.iter().enumerate() {
                    let total: f64 = row.iter().map(|&(_, w)| w).sum();
                    // The slack lets rounded inputs such as 0.1 + 0.2 + 0.7 pass.
                    if total > 1.0 + 1e-12 {
                        return Err(parameter_error(
                            format!("total probability of the transitions out of state {state}"),
                            total,
                            "at most 1 (the rest is the probability of staying)",
                        ));
                    }
                }
                "number of operations"
            }
        };
        Ok(Self { out, measure })
    }

    fn states(&self) -> usize {
        self.out.len()
    }

    fn check_state(&self, name: &str, state: usize) -> Result<(), AnalyticError> {
        let states = self.states();
        if state < states {
            Ok(())
        } else {
            Err(parameter_error(
                name,
                state as f64,
                format!("a state below states = {states}"),
            ))
        }
    }

    /// Mean time to enter the states marked in `absorbing`, starting from `from`, and the
    /// probability of entering each of them first. `target` names the set in error messages.
    ///
    /// Only the transient states that the chain can visit from `from` enter the linear system:
    /// states it cannot visit do not matter, even when they are traps.
    fn absorb(
        &self,
        from: usize,
        absorbing: &[bool],
        target: &dyn Fn() -> String,
    ) -> Result<Absorption, AnalyticError> {
        let states = self.states();
        let mut probabilities = vec![0.0; states];
        if absorbing[from] {
            probabilities[from] = 1.0;
            return Ok(Absorption {
                mean: 0.0,
                probabilities,
            });
        }
        // The transient states the chain can visit, in breadth-first order from `from`, which
        // gets index 0 in the linear system.
        let mut index = vec![usize::MAX; states];
        let mut transient = vec![from];
        index[from] = 0;
        let mut next = 0;
        while let Some(&i) = transient.get(next) {
            next += 1;
            for &(j, _) in &self.out[i] {
                if !absorbing[j] && index[j] == usize::MAX {
                    index[j] = transient.len();
                    transient.push(j);
                }
            }
        }
        let n = transient.len();
        // Which of them can reach the set: backwards from those with a transition into it.
        let mut predecessors = vec![Vec::new(); n];
        let mut reaches = vec![false; n];
        let mut stack = Vec::new();
        for (k, &i) in transient.iter().enumerate() {
            for &(j, _) in &self.out[i] {
                if absorbing[j] {
                    if !reaches[k] {
                        reaches[k] = true;
                        stack.push(k);
                    }
                } else {
                    predecessors[index[j]].push(k);
                }
            }
        }
        while let Some(k) = stack.pop() {
            for &p in &predecessors[k] {
                if !reaches[p] {
                    reaches[p] = true;
                    stack.push(p);
                }
            }
        }
        if let Some(k) = reaches.iter().position(|&r| !r) {
            return Err(AnalyticError::Unreachable {
                target: target(),
                state: transient[k],
                from,
                measure: self.measure,
            });
        }
        // (-Q_TT) [m | B] = [1 | Q_TA]: column 0 gives the mean times, column c the
        // probabilities of entering the set at `entered[c - 1]`.
        let mut column = vec![usize::MAX; states];
        let mut entered = Vec::new();
        let mut system = DMatrix::zeros(n, n);
        for (k, &i) in transient.iter().enumerate() {
            for &(j, w) in &self.out[i] {
                system[(k, k)] += w;
                if absorbing[j] {
                    if column[j] == usize::MAX {
                        column[j] = 1 + entered.len();
                        entered.push(j);
                    }
                } else {
                    system[(k, index[j])] -= w;
                }
            }
        }
        let mut rhs = DMatrix::zeros(n, 1 + entered.len());
        rhs.column_mut(0).fill(1.0);
        for (k, &i) in transient.iter().enumerate() {
            for &(j, w) in &self.out[i] {
                if absorbing[j] {
                    rhs[(k, column[j])] += w;
                }
            }
        }
        let solution = system.lu().solve(&rhs).ok_or(AnalyticError::Singular)?;
        let row = solution.row(0);
        if !row.iter().all(|v| v.is_finite()) {
            return Err(AnalyticError::Singular);
        }
        for (c, &j) in entered.iter().enumerate() {
            probabilities[j] = row[1 + c].clamp(0.0, 1.0);
        }
        Ok(Absorption {
            mean: row[0],
            probabilities,
        })
    }

    /// Mean time (or number of operations) to failure from `from`.
    fn mean_to_failure(&self, from: usize) -> Result<f64, AnalyticError> {
        self.check_state("from", from)?;
        let failure = self.states() - 1;
        let mut absorbing = vec![false; self.states()];
        absorbing[failure] = true;
        let target = || format!("the failure state {failure}");
        Ok(self.absorb(from, &absorbing, &target)?.mean)
    }

    /// Checks `from` and `absorbing` and absorbs into the marked set.
    fn absorb_checked(&self, from: usize, absorbing: &[bool]) -> Result<Absorption, AnalyticError> {
        self.check_state("from", from)?;
        let states = self.states();
        if absorbing.len() != states {
            return Err(parameter_error(
                "absorbing.len()",
                absorbing.len() as f64,
                format!("equal to states = {states}"),
            ));
        }
        let members: Vec<usize> = (0..states).filter(|&j| absorbing[j]).collect();
        if members.is_empty() {
            return Err(AnalyticError::Zero {
                name: "number of absorbing states".to_owned(),
                value: 0,
            });
        }
        let target = || {
            const SHOWN: usize = 10;
            let mut list: Vec<String> = members.iter().take(SHOWN).map(usize::to_string).collect();
            if members.len() > SHOWN {
                list.push(format!("... ({} states)", members.len()));
            }
            format!("the absorbing set {{{}}}", list.join(", "))
        };
        self.absorb(from, absorbing, &target)
    }
}

/// A unit that degrades in continuous time: a continuous-time Markov chain over the health
/// states `0..states`, state 0 new and the last state, `states - 1`, failed.
///
/// `transitions` lists `(from, to, rate)`: the unit moves from `from` to `to` at `rate` per unit
/// of clock time (operating time, when the clock stops during maintenance). Transitions may go
/// in any direction between the working states (a unit may recover), but none leaves the failure
/// state, which is absorbing. Two entries for the same pair of states add their rates.
///
/// # Examples
///
/// ```
/// # use twin_models::analytic::DegradationChain;
/// // New -> worn at rate 0.5, worn -> failed at rate 0.25: MTTF = 1/0.5 + 1/0.25 = 6.
/// let chain = DegradationChain {
///     states: 3,
///     transitions: vec![(0, 1, 0.5), (1, 2, 0.25)],
/// };
/// assert!((chain.mean_time_to_failure(0)? - 6.0).abs() < 1e-12);
/// # Ok::<(), twin_models::analytic::AnalyticError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct DegradationChain {
    /// Number of health states, at least 2; state 0 is new and `states - 1` is failure.
    pub states: usize,
    /// `(from, to, rate)`: the rate per unit of clock time of moving from `from` to `to`.
    pub transitions: Vec<(usize, usize, f64)>,
}

impl DegradationChain {
    fn validated(&self) -> Result<Chain, AnalyticError> {
        Chain::new(self.states, &self.transitions, Weight::Rate)
    }

    /// Mean time to failure of a unit that starts in state `from`.
    ///
    /// # Returns
    ///
    /// `m_from`, where `m` solves `(-Q_TT) m = 1` over the transient states the unit can visit
    /// from `from` (dense LU with partial pivoting); 0 when `from` is the failure state.
    ///
    /// # Errors
    ///
    /// Fewer than 2 states, more than [`MAX_STATES`](super::MAX_STATES), a transition with a
    /// state out of range, out of the failure state, from a state to itself or with a rate that
    /// is not positive and finite, `from` out of range, and
    /// [`AnalyticError::Unreachable`] when the unit can enter a state from which failure cannot
    /// be reached (the mean time to failure would be infinite).
    ///
    /// # Complexity
    ///
    /// O(n³) time and O(n²) memory for `n` states.
    ///
    /// # Examples
    ///
    /// ```
    /// # use twin_models::analytic::DegradationChain;
    /// // From new: worn at rate 2 or a shock to failure at rate 0.5; worn fails at rate 0.25.
    /// // MTTF = 1/2.5 + (2/2.5) / 0.25 = 3.6.
    /// let chain = DegradationChain {
    ///     states: 3,
    ///     transitions: vec![(0, 1, 2.0), (0, 2, 0.5), (1, 2, 0.25)],
    /// };
    /// assert!((chain.mean_time_to_failure(0)? - 3.6).abs() < 1e-12);
    /// # Ok::<(), twin_models::analytic::AnalyticError>(())
    /// ```
    pub fn mean_time_to_failure(&self, from: usize) -> Result<f64, AnalyticError> {
        self.validated()?.mean_to_failure(from)
    }

    /// Mean time until a unit that starts in `from` first enters one of the states marked in
    /// `absorbing` (`absorbing[j]` is true for the states of the set).
    ///
    /// Transitions out of the marked states are ignored: the clock stops when the set is
    /// entered. The failure state needs no mark to stop the unit, but if it is not marked and
    /// the unit can fail before it enters the set, the mean time is infinite (an error).
    ///
    /// # Returns
    ///
    /// `m_from`, where `m` solves `(-Q_TT) m = 1` over the unmarked states the unit can visit;
    /// 0 when `from` is marked.
    ///
    /// # Errors
    ///
    /// Those of [`Self::mean_time_to_failure`], with [`AnalyticError::Unreachable`] naming the
    /// set; `absorbing.len()` different from `states`; no state marked.
    ///
    /// # Complexity
    ///
    /// O(n³) time and O(n²) memory for `n` states.
    ///
    /// # Examples
    ///
    /// ```
    /// # use twin_models::analytic::DegradationChain;
    /// let chain = DegradationChain {
    ///     states: 3,
    ///     transitions: vec![(0, 1, 2.0), (0, 2, 0.5), (1, 2, 0.25)],
    /// };
    /// // The first move out of state 0 happens at rate 2.5.
    /// let mean = chain.mean_time_to_absorption(0, &[false, true, true])?;
    /// assert!((mean - 0.4).abs() < 1e-12);
    /// # Ok::<(), twin_models::analytic::AnalyticError>(())
    /// ```
    pub fn mean_time_to_absorption(
        &self,
        from: usize,
        absorbing: &[bool],
    ) -> Result<f64, AnalyticError> {
        Ok(self.validated()?.absorb_checked(from, absorbing)?.mean)
    }

    /// Probability that a unit that starts in `from` enters the set of states marked in
    /// `absorbing` at each of its states.
    ///
    /// # Returns
    ///
    /// A vector of length `states`: entry `j` is the probability that the first marked state
    /// the unit enters is `j`, and 0 for unmarked states. The entries sum to 1 (up to
    /// rounding). They are the row `from` of `B`, where `(-Q_TT) B = Q_TA` with `A` the marked
    /// states; when `from` is marked, the unit is in the set at once.
    ///
    /// # Errors
    ///
    /// Those of [`Self::mean_time_to_absorption`]; a positive probability of never entering
    /// the set is an [`AnalyticError::Unreachable`] too.
    ///
    /// # Complexity
    ///
    /// O(n³ + n² a) time for `n` states of which `a` are marked.
    ///
    /// # Examples
    ///
    /// ```
    /// # use twin_models::analytic::DegradationChain;
    /// let chain = DegradationChain {
    ///     states: 3,
    ///     transitions: vec![(0, 1, 2.0), (0, 2, 0.5), (1, 2, 0.25)],
    /// };
    /// // Out of state 0, the unit wears (rate 2) before a shock fails it (rate 0.5) with
    /// // probability 2 / 2.5.
    /// let p = chain.absorption_probabilities(0, &[false, true, true])?;
    /// assert!((p[1] - 0.8).abs() < 1e-12 && (p[2] - 0.2).abs() < 1e-12);
    /// # Ok::<(), twin_models::analytic::AnalyticError>(())
    /// ```
    pub fn absorption_probabilities(
        &self,
        from: usize,
        absorbing: &[bool],
    ) -> Result<Vec<f64>, AnalyticError> {
        Ok(self
            .validated()?
            .absorb_checked(from, absorbing)?
            .probabilities)
    }
}

/// A unit that wears by use: a discrete-time Markov chain over the health states `0..states`,
/// state 0 new and the last state, `states - 1`, failed, that moves once per operation.
///
/// `transitions` lists `(from, to, probability)`: one operation moves the unit from `from` to
/// `to` with `probability`; with the rest of the probability of its row the unit stays where it
/// is. The probabilities out of a state sum to at most 1; none leaves the failure state. Two
/// entries for the same pair of states add their probabilities.
///
/// # Examples
///
/// ```
/// # use twin_models::analytic::OperationChain;
/// // One operation in a hundred wears a new tool; one in fifty breaks a worn one.
/// let chain = OperationChain {
///     states: 3,
///     transitions: vec![(0, 1, 0.01), (1, 2, 0.02)],
/// };
/// assert!((chain.mean_operations_to_failure(0)? - 150.0).abs() < 1e-9);
/// # Ok::<(), twin_models::analytic::AnalyticError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct OperationChain {
    /// Number of health states, at least 2; state 0 is new and `states - 1` is failure.
    pub states: usize,
    /// `(from, to, probability)`: the probability that one operation moves the unit from
    /// `from` to `to`.
    pub transitions: Vec<(usize, usize, f64)>,
}

impl OperationChain {
    /// Mean number of operations until failure (the operation that fails the unit included) of
    /// a unit that starts in state `from`.
    ///
    /// # Returns
    ///
    /// `m_from`, where `m` solves `(I - P_TT) m = 1` over the transient states the unit can
    /// visit from `from` (dense LU); 0 when `from` is the failure state.
    ///
    /// # Errors
    ///
    /// As [`DegradationChain::mean_time_to_failure`], with probabilities in `(0, 1]` instead of
    /// positive rates, and the probabilities out of a state summing to more than 1.
    ///
    /// # Complexity
    ///
    /// O(n³) time and O(n²) memory for `n` states.
    ///
    /// # Examples
    ///
    /// ```
    /// # use twin_models::analytic::OperationChain;
    /// // A unit that fails on each operation with probability 0.001 lasts 1000 operations.
    /// let chain = OperationChain { states: 2, transitions: vec![(0, 1, 0.001)] };
    /// assert!((chain.mean_operations_to_failure(0)? - 1000.0).abs() < 1e-9);
    /// # Ok::<(), twin_models::analytic::AnalyticError>(())
    /// ```
    pub fn mean_operations_to_failure(&self, from: usize) -> Result<f64, AnalyticError> {
        Chain::new(self.states, &self.transitions, Weight::Probability)?.mean_to_failure(from)
    }
}

// ---------------------------------------------------------------------------------------------
// Renewal-reward figures
// ---------------------------------------------------------------------------------------------

/// Long-run figures of a maintenance policy whose every action renews the unit, from the
/// renewal-reward theorem: each rate is an expected amount per cycle over the mean cycle
/// length. Times are in the model's time unit, costs in its currency.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RenewalFigures {
    /// Mean length of a cycle from one renewal to the next: up time plus the mean duration of
    /// the repair or preventive action that ends it.
    pub cycle_length: f64,
    /// Mean up (operating) time per cycle.
    pub up_time: f64,
    /// Long-run fraction of time the unit is up, `up_time / cycle_length`.
    pub availability: f64,
    /// Long-run cost per unit of time: action costs plus downtime costs, over `cycle_length`.
    pub cost_rate: f64,
    /// Probability that a cycle ends with a failure (and a repair) rather than with preventive
    /// work.
    pub failure_probability: f64,
    /// Long-run number of failures per unit of time, `failure_probability / cycle_length`.
    pub failure_rate: f64,
    /// Long-run number of preventive actions per unit of time,
    /// `(1 - failure_probability) / cycle_length`.
    pub preventive_rate: f64,
}

/// Validated durations and costs of the two maintenance actions.
#[derive(Debug, Clone, Copy)]
struct Maintenance {
    repair_mean: f64,
    preventive_mean: f64,
    corrective_cost: f64,
    preventive_cost: f64,
    downtime_cost: f64,
}

impl Maintenance {
    fn new(
        repair_mean: f64,
        preventive_mean: f64,
        corrective_cost: f64,
        preventive_cost: f64,
        downtime_cost: f64,
    ) -> Result<Self, AnalyticError> {
        Ok(Self {
            repair_mean: non_negative("repair_mean", repair_mean)?,
            preventive_mean: non_negative("preventive_mean", preventive_mean)?,
            corrective_cost: non_negative("corrective_cost", corrective_cost)?,
            preventive_cost: non_negative("preventive_cost", preventive_cost)?,
            downtime_cost: non_negative("downtime_cost", downtime_cost)?,
        })
    }

    /// `C_f' = C_f + c_d tau_f`, the full cost of a failure.
    fn failure_cost(&self) -> f64 {
        self.corrective_cost + self.downtime_cost * self.repair_mean
    }

    /// `C_p' = C_p + c_d tau_p`, the full cost of a preventive action.
    fn preventive_action_cost(&self) -> f64 {
        self.preventive_cost + self.downtime_cost * self.preventive_mean
    }

    /// The renewal-reward figures of cycles with mean up time `up_time` that end in a failure
    /// with probability `failure` and in preventive work with probability `preventive`
    /// (`failure + preventive = 1`; both are passed so that neither loses precision near 0).
    fn figures(&self, up_time: f64, failure: f64, preventive: f64) -> RenewalFigures {
        let down_time = failure * self.repair_mean + preventive * self.preventive_mean;
        let cycle_length = up_time + down_time;
        let cost = failure * self.failure_cost() + preventive * self.preventive_action_cost();
        RenewalFigures {
            cycle_length,
            up_time,
            availability: up_time / cycle_length,
            cost_rate: cost / cycle_length,
            failure_probability: failure,
            failure_rate: failure / cycle_length,
            preventive_rate: preventive / cycle_length,
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Condition-based threshold policy
// ---------------------------------------------------------------------------------------------

/// Condition-based maintenance of a continuously observed [`DegradationChain`]: preventive work
/// as soon as the unit degrades to a threshold state, a repair if it fails first.
///
/// The unit starts new (state 0). The states are ordered by health, so a larger index is a
/// worse state. When the unit first enters a state at or above the threshold that is not the
/// failure state, preventive work starts at once: it lasts `preventive_mean` on average and
/// costs `preventive_cost`. When it enters the failure state first (a jump may skip the
/// threshold states), a repair lasting `repair_mean` on average and costing `corrective_cost`
/// follows. Both renew the unit to state 0. The clock, and with it the degradation, stops
/// during maintenance, and every unit of time under repair or preventive work costs
/// `downtime_cost`. By the renewal-reward theorem (Ross, *Applied Probability Models with
/// Optimization Applications*, 1970), each long-run rate is an expected amount per cycle over
/// the mean cycle length, so only the means of the maintenance durations matter.
///
/// # Examples
///
/// ```
/// # use twin_models::analytic::{DegradationChain, ThresholdPolicy};
/// // New -> worn -> failed at rate 1 each; preventive work on entering "worn".
/// let policy = ThresholdPolicy {
///     chain: DegradationChain { states: 3, transitions: vec![(0, 1, 1.0), (1, 2, 1.0)] },
///     repair_mean: 2.0,
///     preventive_mean: 0.25,
///     corrective_cost: 100.0,
///     preventive_cost: 10.0,
///     downtime_cost: 40.0,
/// };
/// let figures = policy.evaluate(1)?;
/// // Up 1 on average, then 0.25 of preventive work costing 10 + 40 * 0.25 = 20.
/// assert!((figures.availability - 0.8).abs() < 1e-12);
/// assert!((figures.cost_rate - 16.0).abs() < 1e-12);
/// assert_eq!(figures.failure_probability, 0.0);
/// # Ok::<(), twin_models::analytic::AnalyticError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct ThresholdPolicy {
    /// How the unit degrades between maintenance actions.
    pub chain: DegradationChain,
    /// Mean duration of a repair after a failure (non-negative).
    pub repair_mean: f64,
    /// Mean duration of a preventive action (non-negative).
    pub preventive_mean: f64,
    /// Cost of one repair, downtime excluded (non-negative).
    pub corrective_cost: f64,
    /// Cost of one preventive action, downtime excluded (non-negative).
    pub preventive_cost: f64,
    /// Cost per unit of time under repair or preventive work (non-negative).
    pub downtime_cost: f64,
}

impl ThresholdPolicy {
    fn maintenance(&self) -> Result<Maintenance, AnalyticError> {
        Maintenance::new(
            self.repair_mean,
            self.preventive_mean,
            self.corrective_cost,
            self.preventive_cost,
            self.downtime_cost,
        )
    }

    fn evaluate_with(
        chain: &Chain,
        maintenance: &Maintenance,
        threshold: usize,
    ) -> Result<RenewalFigures, AnalyticError> {
        let states = chain.states();
        let failure = states - 1;
        if !(1..=failure).contains(&threshold) {
            return Err(parameter_error(
                "threshold",
                threshold as f64,
                format!("between 1 and states - 1 = {failure}"),
            ));
        }
        let absorbing: Vec<bool> = (0..states).map(|j| j >= threshold).collect();
        let target = || {
            if threshold == failure {
                format!("the failure state {failure}")
            } else {
                format!("the states {threshold}..={failure} (threshold {threshold} up to failure)")
            }
        };
        let absorption = chain.absorb(0, &absorbing, &target)?;
        let failure_probability = absorption.probabilities[failure];
        let preventive_probability: f64 = absorption.probabilities[threshold..failure].iter().sum();
        Ok(maintenance.figures(absorption.mean, failure_probability, preventive_probability))
    }

    /// Long-run figures of preventive work at threshold state `threshold`.
    ///
    /// `threshold` is in `1..=states - 1`; `threshold = states - 1` has no preventive states
    /// and means corrective maintenance only (run to failure).
    ///
    /// # Returns
    ///
    /// With `A = {threshold, ..., states - 1}`, `E[up]` the mean time to enter `A` from state 0
    /// and `p_f` the probability that the state entered is the failure state:
    /// `cycle_length = E[up] + p_f tau_f + (1 - p_f) tau_p`,
    /// `cost_rate = (p_f C_f + (1 - p_f) C_p + c_d (p_f tau_f + (1 - p_f) tau_p)) / cycle_length`,
    /// `availability = E[up] / cycle_length`, and the rates of failures and of preventive
    /// actions, `p_f / cycle_length` and `(1 - p_f) / cycle_length`.
    ///
    /// # Errors
    ///
    /// Those of [`DegradationChain::mean_time_to_failure`] (the unreachable set being `A`);
    /// `threshold` outside `1..=states - 1`; a mean duration or cost that is negative or not
    /// finite.
    ///
    /// # Complexity
    ///
    /// O(n³) time and O(n²) memory for `n` states.
    pub fn evaluate(&self, threshold: usize) -> Result<RenewalFigures, AnalyticError> {
        let chain = self.chain.validated()?;
        let maintenance = self.maintenance()?;
        Self::evaluate_with(&chain, &maintenance, threshold)
    }

    /// The threshold with the lowest long-run cost rate, and its figures.
    ///
    /// Every threshold `1..=states - 1` is evaluated; of thresholds with the same cost rate the
    /// largest (the latest intervention) wins, so run-to-failure is kept unless preventive work
    /// is strictly cheaper.
    ///
    /// # Errors
    ///
    /// Those of [`Self::evaluate`] for any threshold: a unit that can get stuck away from
    /// failure fails the run-to-failure threshold.
    ///
    /// # Complexity
    ///
    /// O(n⁴) time for `n` states (one dense solve per threshold): meant for chains of tens of
    /// states.
    ///
    /// # Examples
    ///
    /// ```
    /// # use twin_models::analytic::{DegradationChain, ThresholdPolicy};
    /// let policy = ThresholdPolicy {
    ///     chain: DegradationChain {
    ///         states: 4,
    ///         transitions: vec![(0, 1, 1.0), (1, 2, 1.0), (2, 3, 1.0)],
    ///     },
    ///     repair_mean: 5.0,
    ///     preventive_mean: 0.5,
    ///     corrective_cost: 100.0,
    ///     preventive_cost: 10.0,
    ///     downtime_cost: 20.0,
    /// };
    /// let (threshold, figures) = policy.best_threshold()?;
    /// assert_eq!(threshold, 2);
    /// assert!(figures.cost_rate < policy.evaluate(3)?.cost_rate);
    /// # Ok::<(), twin_models::analytic::AnalyticError>(())
    /// ```
    pub fn best_threshold(&self) -> Result<(usize, RenewalFigures), AnalyticError> {
        let chain = self.chain.validated()?;
        let maintenance = self.maintenance()?;
        let failure = chain.states() - 1;
        let mut best = (failure, Self::evaluate_with(&chain, &maintenance, failure)?);
        for threshold in (1..failure).rev() {
            let figures = Self::evaluate_with(&chain, &maintenance, threshold)?;
            if figures.cost_rate < best.1.cost_rate {
                best = (threshold, figures);
            }
        }
        Ok(best)
    }
}

// ---------------------------------------------------------------------------------------------
// Age replacement with Weibull lifetimes
// ---------------------------------------------------------------------------------------------

/// Age replacement (Barlow & Proschan 1965): preventive replacement when the unit reaches
/// operating age `T`, corrective replacement at failure if that comes first.
///
/// The lifetime `X`, counted in operating time, is Weibull with shape `k` and scale `lambda`:
/// survival `R(t) = exp(-(t/lambda)^k)`, hazard `r(t) = (k/lambda) (t/lambda)^(k-1)`. Every
/// renewal resets the age to 0. Maintenance durations, costs and downtime costs are as for
/// [`ThresholdPolicy`], and the clock stops during maintenance. With `T = +inf` the unit runs
/// to failure.
///
/// # Examples
///
/// ```
/// # use twin_models::analytic::AgeReplacement;
/// let policy = AgeReplacement {
///     shape: 2.0,
///     scale: 100.0,
///     repair_mean: 8.0,
///     preventive_mean: 2.0,
///     corrective_cost: 500.0,
///     preventive_cost: 100.0,
///     downtime_cost: 50.0,
/// };
/// // Running to failure: up 100 Gamma(1.5) = 88.62 on average, then an 8-hour repair.
/// let run_to_failure = policy.evaluate(f64::INFINITY)?;
/// assert!((run_to_failure.up_time - 88.622_692_545_275_8).abs() < 1e-9);
/// assert_eq!(run_to_failure.failure_probability, 1.0);
/// let (age, best) = policy.optimal_age()?;
/// assert!(age.is_finite() && best.cost_rate < run_to_failure.cost_rate);
/// # Ok::<(), twin_models::analytic::AnalyticError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AgeReplacement {
    /// Weibull shape `k` (positive; above 1 for wear-out).
    pub shape: f64,
    /// Weibull scale `lambda` (positive), in operating time.
    pub scale: f64,
    /// Mean duration of a repair after a failure (non-negative).
    pub repair_mean: f64,
    /// Mean duration of a preventive replacement (non-negative).
    pub preventive_mean: f64,
    /// Cost of one repair, downtime excluded (non-negative).
    pub corrective_cost: f64,
    /// Cost of one preventive replacement, downtime excluded (non-negative).
    pub preventive_cost: f64,
    /// Cost per unit of time under repair or preventive replacement (non-negative).
    pub downtime_cost: f64,
}

/// A validated [`AgeReplacement`].
struct AgeModel {
    shape: f64,
    scale: f64,
    /// `lambda Gamma(1 + 1/k)`, the mean lifetime.
    mean_life: f64,
    maintenance: Maintenance,
}

impl AgeModel {
    /// The figures at age `age` in `(0, inf]`, where `x = (age/lambda)^k` is the cumulative
    /// hazard (passed in so that the optimiser can work on `ln x` without rounding `age`).
    fn figures(&self, age: f64, x: f64) -> RenewalFigures {
        let (up_time, failure, preventive) = if x == 0.0 {
            // `(age/lambda)^k` underflows: `R = 1` on `[0, age]` to rounding.
            (age, 0.0, 1.0)
        } else if x.is_infinite() {
            (self.mean_life, 1.0, 0.0)
        } else {
            // int_0^T R = lambda Gamma(1 + 1/k) P(1/k, x); the arguments are positive and
            // finite, so the checked function cannot fail.
            let p = checked_gamma_lr(1.0 / self.shape, x).unwrap_or(f64::NAN);
            (self.mean_life * p, -(-x).exp_m1(), (-x).exp())
        };
        self.maintenance.figures(up_time, failure, preventive)
    }

    fn figures_at_age(&self, age: f64) -> RenewalFigures {
        self.figures(age, (age / self.scale).powf(self.shape))
    }

    /// The limit of the cost rate as the age tends to 0.
    ///
    /// With `N = C_f' F + C_p' R` and `D = int_0^T R + tau_f F + tau_p R`: `N -> C_p'` and
    /// `D -> tau_p`. When `tau_p = 0` and `C_p' = 0`, the ratio is `C_f' F / (int_0^T R +
    /// tau_f F)`, and `F(T) / int_0^T R` tends to 0, `1/lambda` or infinity for `k` above, at
    /// or below 1.
    fn cost_rate_near_zero_age(&self) -> f64 {
        let m = &self.maintenance;
        let (cf, cp) = (m.failure_cost(), m.preventive_action_cost());
        if m.preventive_mean > 0.0 {
            cp / m.preventive_mean
        } else if cp > 0.0 {
            f64::INFINITY
        } else if cf == 0.0 || self.shape > 1.0 {
            0.0
        } else if self.shape == 1.0 {
            cf / (self.scale + m.repair_mean)
        } else if m.repair_mean > 0.0 {
            cf / m.repair_mean
        } else {
            f64::INFINITY
        }
    }
}

/// Golden-section search for a minimum of `f` on `[a, b]`, until the bracket is narrower than
/// `tolerance`; returns the best point and its value.
fn golden_section(f: impl Fn(f64) -> f64, mut a: f64, mut b: f64, tolerance: f64) -> (f64, f64) {
    // 1 / phi = (sqrt 5 - 1) / 2.
    const INV_PHI: f64 = 0.618_033_988_749_894_9;
    let mut c = b - INV_PHI * (b - a);
    let mut d = a + INV_PHI * (b - a);
    let (mut fc, mut fd) = (f(c), f(d));
    // The bracket shrinks by 1/phi per step; 200 steps shrink any bracket below rounding.
    for _ in 0..200 {
        if b - a <= tolerance {
            break;
        }
        if fc <= fd {
            b = d;
            d = c;
            fd = fc;
            c = b - INV_PHI * (b - a);
            fc = f(c);
        } else {
            a = c;
            c = d;
            fc = fd;
            d = a + INV_PHI * (b - a);
            fd = f(d);
        }
    }
    if fc <= fd { (c, fc) } else { (d, fd) }
}

impl AgeReplacement {
    fn validated(&self) -> Result<AgeModel, AnalyticError> {
        let shape = positive("shape", self.shape)?;
        let scale = positive("scale", self.scale)?;
        let gamma_factor = gamma(1.0 + 1.0 / shape);
        if !gamma_factor.is_finite() {
            return Err(parameter_error(
                "shape",
                shape,
                "large enough for a finite Gamma(1 + 1/shape) in the mean lifetime (at least \
                 about 0.006)",
            ));
        }
        let mean_life = scale * gamma_factor;
        if !mean_life.is_finite() {
            return Err(parameter_error(
                "scale",
                scale,
                "small enough for a finite mean lifetime scale * Gamma(1 + 1/shape)",
            ));
        }
        let maintenance = Maintenance::new(
            self.repair_mean,
            self.preventive_mean,
            self.corrective_cost,
            self.preventive_cost,
            self.downtime_cost,
        )?;
        Ok(AgeModel {
            shape,
            scale,
            mean_life,
            maintenance,
        })
    }

    /// Long-run figures of preventive replacement at operating age `age`.
    ///
    /// `age = f64::INFINITY` means no preventive replacement (run to failure).
    ///
    /// # Returns
    ///
    /// With `E[up] = int_0^T R(t) dt = lambda Gamma(1 + 1/k) P(1/k, (T/lambda)^k)` (`P` the
    /// regularised lower incomplete gamma function; `lambda Gamma(1 + 1/k)` at `T = inf`) and
    /// `p_f = F(T)`: `cycle_length = E[up] + F(T) tau_f + R(T) tau_p`,
    /// `cost_rate = (F(T) C_f + R(T) C_p + c_d (F(T) tau_f + R(T) tau_p)) / cycle_length`,
    /// `availability = E[up] / cycle_length`, and the rates of failures and of preventive
    /// replacements, `F(T) / cycle_length` and `R(T) / cycle_length`.
    ///
    /// # Errors
    ///
    /// `shape` or `scale` not positive and finite, or so extreme that the mean lifetime
    /// overflows (shape below about 0.006); a mean duration or cost negative or not finite;
    /// `age` not positive (NaN, 0 or negative).
    ///
    /// # Examples
    ///
    /// ```
    /// # use twin_models::analytic::AgeReplacement;
    /// // Exponential lifetimes (shape 1) of mean 10, replaced at age 10 or at failure.
    /// let policy = AgeReplacement {
    ///     shape: 1.0,
    ///     scale: 10.0,
    ///     repair_mean: 0.0,
    ///     preventive_mean: 0.0,
    ///     corrective_cost: 5.0,
    ///     preventive_cost: 1.0,
    ///     downtime_cost: 0.0,
    /// };
    /// let figures = policy.evaluate(10.0)?;
    /// let failure = 1.0 - (-1.0f64).exp();
    /// assert!((figures.failure_probability - failure).abs() < 1e-15);
    /// assert!((figures.up_time - 10.0 * failure).abs() < 1e-12);
    /// # Ok::<(), twin_models::analytic::AnalyticError>(())
    /// ```
    pub fn evaluate(&self, age: f64) -> Result<RenewalFigures, AnalyticError> {
        let model = self.validated()?;
        if age.is_nan() || age <= 0.0 {
            return Err(parameter_error(
                "age",
                age,
                "positive (f64::INFINITY for run to failure)",
            ));
        }
        Ok(model.figures_at_age(age))
    }

    /// The replacement age with the lowest long-run cost rate, and its figures.
    ///
    /// # Returns
    ///
    /// `(T*, figures)`, with `T* = f64::INFINITY` (and the run-to-failure figures) when no
    /// finite age lowers the cost rate below that of running to failure by more than a
    /// relative 1e-12. For shape `k > 1` (wear-out) and preventive replacement cheaper than a
    /// failure (`C_p + c_d tau_p < C_f + c_d tau_f`) there is usually a finite optimum (without
    /// durations, exactly when `k > 1` and `0 < C_p < C_f`). For `k <= 1` (constant or falling
    /// hazard) a new unit is no better than a used one and the answer is `+inf`, unless
    /// preventive work is so cheap that the error below applies.
    ///
    /// # Method and tolerance
    ///
    /// The cost rate is a smooth function of `s = ln x = k ln(T/lambda)`, where `x` is the
    /// cumulative hazard at `T` (searching on `s` is searching on `ln T`). It is evaluated on
    /// a grid of step 0.1 over `s` in `[-37, 4]`: from a failure probability `F(T)` of about
    /// `1e-16` (ages below are not searched) to one where `R(T) = 2e-24` and the cost rate
    /// equals that of running to failure to rounding. A golden-section search between the
    /// neighbours of the best grid point then narrows `s` to 1e-10. The cost rate is flat at
    /// its minimum (a relative error `e` in `T*` changes it by `O(e²)`), so rounding limits
    /// the precision of `T*` to about 1e-8 relative, while the cost rate returned is the
    /// minimum to about 1e-15 relative. A grid point per 0.1 of `s` finds the global minimum
    /// of a cost rate with one minimum (as for `k > 1` with equal durations) and of any cost
    /// rate whose minima are further apart.
    ///
    /// # Errors
    ///
    /// Those of [`Self::evaluate`]; [`AnalyticError::NoOptimalAge`] when the cost rate falls
    /// towards its lowest value as the age tends to 0: preventive work costs less per unit of
    /// time than running the unit (for example `C_p + c_d tau_p = 0`), so the cost is lowest
    /// when the unit is kept in preventive maintenance, and no age is optimal.
    ///
    /// # Complexity
    ///
    /// About 460 evaluations of the cost rate, each an incomplete gamma function.
    ///
    /// # Examples
    ///
    /// ```
    /// # use twin_models::analytic::AgeReplacement;
    /// let policy = AgeReplacement {
    ///     shape: 2.0,
    ///     scale: 10.0,
    ///     repair_mean: 0.0,
    ///     preventive_mean: 0.0,
    ///     corrective_cost: 10.0,
    ///     preventive_cost: 1.0,
    ///     downtime_cost: 0.0,
    /// };
    /// let (age, figures) = policy.optimal_age()?;
    /// assert!(age > 3.0 && age < 5.0);
    /// assert!(figures.cost_rate < policy.evaluate(0.5 * age)?.cost_rate);
    /// assert!(figures.cost_rate < policy.evaluate(2.0 * age)?.cost_rate);
    /// # Ok::<(), twin_models::analytic::AnalyticError>(())
    /// ```
    pub fn optimal_age(&self) -> Result<(f64, RenewalFigures), AnalyticError> {
        const STEP: f64 = 0.1;
        const POINTS: usize = 411;
        const LOWEST: f64 = -37.0;
        let model = self.validated()?;
        let run_to_failure = model.figures(f64::INFINITY, f64::INFINITY);
        // T = lambda exp(s / k) must stay a normal positive number for every grid point.
        let limit = 690.0 * model.shape;
        let grid: Vec<f64> = (0..POINTS)
            .map(|i| LOWEST + STEP * i as f64)
            .filter(|s| s.abs() <= limit)
            .collect();
        let age_of = |s: f64| model.scale * (s / model.shape).exp();
        let cost_rate = |s: f64| model.figures(age_of(s), s.exp()).cost_rate;
        let values: Vec<f64> = grid.iter().map(|&s| cost_rate(s)).collect();
        let mut best = 0;
        for (i, &value) in values.iter().enumerate() {
            if value < values[best] {
                best = i;
            }
        }
        let low = grid[best.saturating_sub(1)];
        let high = grid[(best + 1).min(grid.len() - 1)];
        let (mut s_best, mut g_best) = golden_section(cost_rate, low, high, 1e-10);
        if values[best] < g_best {
            (s_best, g_best) = (grid[best], values[best]);
        }
        let g_infinity = run_to_failure.cost_rate;
        let near_zero = model.cost_rate_near_zero_age();
        if near_zero < g_infinity * (1.0 - 1e-12) && near_zero <= g_best * (1.0 + 1e-12) {
            return Err(AnalyticError::NoOptimalAge { limit: near_zero });
        }
        if g_best < g_infinity * (1.0 - 1e-12) {
            let age = age_of(s_best);
            Ok((age, model.figures_at_age(age)))
        } else {
            Ok((f64::INFINITY, run_to_failure))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sim_core::{RandomStream, StreamKey};

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
        RandomStream::new(seed, 0, StreamKey::new(purpose, "maintenance-test", 0))
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

    fn chain(states: usize, transitions: &[(usize, usize, f64)]) -> DegradationChain {
        DegradationChain {
            states,
            transitions: transitions.to_vec(),
        }
    }

    /// Five states with wear (i -> i + 1), partial recovery (1 -> 0, 2 -> 1), a jump over a
    /// state (1 -> 3) and shocks straight to failure (0 -> 4, 2 -> 4).
    fn rich_chain() -> DegradationChain {
        chain(
            5,
            &[
                (0, 1, 1.0),
                (1, 2, 0.7),
                (2, 3, 0.9),
                (3, 4, 1.3),
                (1, 0, 0.2),
                (2, 1, 0.3),
                (1, 3, 0.15),
                (0, 4, 0.02),
                (2, 4, 0.1),
            ],
        )
    }

    /// The transitions out of each state, summed per target (dense).
    fn rate_matrix(chain: &DegradationChain) -> Vec<Vec<f64>> {
        let mut rates = vec![vec![0.0; chain.states]; chain.states];
        for &(i, j, r) in &chain.transitions {
            rates[i][j] += r;
        }
        rates
    }

    /// `int_0^inf P(not yet in stop at t) dt` from `from`, and the probability of each stop
    /// state being entered first, by uniformisation: with `Lambda` above every exit rate and
    /// `P = I + Q / Lambda`, `e^{Qt} = sum_n e^{-Lambda t} (Lambda t)^n / n! P^n`, so the
    /// integral is `(1 / Lambda) sum_n (e_from P^n)` summed over the states not in `stop`,
    /// with the mass that enters `stop` held there. No linear system is solved.
    fn uniformisation(chain: &DegradationChain, from: usize, stop: &[bool]) -> (f64, Vec<f64>) {
        let n = chain.states;
        let rates = rate_matrix(chain);
        let exit: Vec<f64> = rates.iter().map(|row| row.iter().sum()).collect();
        let lambda = 1.1 * exit.iter().cloned().fold(0.0, f64::max);
        let mut mass = vec![0.0; n];
        mass[from] = 1.0;
        let mut absorbed = vec![0.0; n];
        let mut integral = 0.0;
        for _ in 0..10_000_000 {
            let alive: f64 = (0..n).filter(|&j| !stop[j]).map(|j| mass[j]).sum();
            if alive < 1e-18 {
                break;
            }
            integral += alive;
            let mut next = vec![0.0; n];
            for i in (0..n).filter(|&i| !stop[i]) {
                next[i] += mass[i] * (1.0 - exit[i] / lambda);
                for j in 0..n {
                    let moved = mass[i] * rates[i][j] / lambda;
                    if stop[j] {
                        absorbed[j] += moved;
                    } else {
                        next[j] += moved;
                    }
                }
            }
            mass = next;
        }
        (integral / lambda, absorbed)
    }

    // --- Time-driven degradation chains ------------------------------------------------------

    #[test]
    fn pure_birth_mttf_is_sum_of_mean_holding_times() {
        let rates = [0.5, 2.0, 0.1, 4.0];
        let transitions: Vec<_> = rates
            .iter()
            .enumerate()
            .map(|(i, &r)| (i, i + 1, r))
            .collect();
        let chain = chain(5, &transitions);
        for from in 0..4 {
            let expected: f64 = rates[from..].iter().map(|r| 1.0 / r).sum();
            assert_close(chain.mean_time_to_failure(from).unwrap(), expected, 1e-14);
        }
        assert_eq!(chain.mean_time_to_failure(4).unwrap(), 0.0);
    }

    /// 0 -> 1 at rate a, 0 -> F at rate b, 1 -> F at rate c: the unit leaves 0 after
    /// 1 / (a + b) on average and goes to 1 with probability a / (a + b), where it waits 1 / c.
    #[test]
    fn branching_chain_matches_hand_calculation() {
        let (a, b, c) = (2.0, 0.5, 0.25);
        let chain = chain(3, &[(0, 1, a), (0, 2, b), (1, 2, c)]);
        let mttf = 1.0 / (a + b) + a / (a + b) / c;
        assert_close(chain.mean_time_to_failure(0).unwrap(), mttf, 1e-14);
        assert_close(chain.mean_time_to_failure(1).unwrap(), 1.0 / c, 1e-14);
        // Stopping at the first move out of state 0.
        let first_move = [false, true, true];
        assert_close(
            chain.mean_time_to_absorption(0, &first_move).unwrap(),
            1.0 / (a + b),
            1e-14,
        );
        let p = chain.absorption_probabilities(0, &first_move).unwrap();
        assert_eq!(p[0], 0.0);
        assert_close(p[1], a / (a + b), 1e-14);
        assert_close(p[2], b / (a + b), 1e-14);
    }

    #[test]
    fn mttf_equals_integral_of_survival_by_uniformisation() {
        let chain = rich_chain();
        let mut stop = vec![false; 5];
        stop[4] = true;
        for from in 0..4 {
            let (integral, absorbed) = uniformisation(&chain, from, &stop);
            assert_close(absorbed[4], 1.0, 1e-12);
            assert_close(chain.mean_time_to_failure(from).unwrap(), integral, 1e-11);
        }
    }

    #[test]
    fn absorption_matches_uniformisation() {
        let chain = rich_chain();
        // The sets of a threshold policy at 2 and at 3, and a set that the unit can enter
        // (state 1) or skip (a shock to failure); every start state, marked ones included.
        for stop in [
            vec![false, false, true, true, true],
            vec![false, false, false, true, true],
            vec![false, true, false, false, true],
        ] {
            for from in 0..5 {
                let (integral, absorbed) = uniformisation(&chain, from, &stop);
                let mean = chain.mean_time_to_absorption(from, &stop).unwrap();
                let p = chain.absorption_probabilities(from, &stop).unwrap();
                if stop[from] {
                    assert_eq!(mean, 0.0);
                    for (j, &pj) in p.iter().enumerate() {
                        assert_eq!(pj, if j == from { 1.0 } else { 0.0 });
                    }
                    continue;
                }
                assert_close(mean, integral, 1e-11);
                for j in 0..5 {
                    assert_close(p[j], absorbed[j], 1e-11);
                }
                assert_close(p.iter().sum(), 1.0, 1e-13);
            }
        }
    }

    #[test]
    fn repeated_transitions_add_their_rates() {
        let twice = chain(2, &[(0, 1, 1.0), (0, 1, 3.0)]);
        assert_close(twice.mean_time_to_failure(0).unwrap(), 0.25, 1e-15);
    }

    /// A state the unit cannot visit may be a trap without making the mean time infinite.
    #[test]
    fn unvisited_trap_does_not_matter() {
        // State 2 has no way out, but the unit starting new never gets there.
        let chain = chain(4, &[(0, 1, 2.0), (1, 3, 0.5), (2, 1, 1.0)]);
        assert_close(chain.mean_time_to_failure(0).unwrap(), 0.5 + 2.0, 1e-14);
    }

    // --- Wear by use -------------------------------------------------------------------------

    #[test]
    fn single_step_wear_by_use_is_geometric() {
        for p in [1.0, 0.5, 0.01, 1e-6] {
            let chain = OperationChain {
                states: 2,
                transitions: vec![(0, 1, p)],
            };
            assert_close(chain.mean_operations_to_failure(0).unwrap(), 1.0 / p, 1e-12);
        }
    }

    #[test]
    fn two_step_wear_by_use_is_sum_of_geometric_means() {
        let (p1, p2) = (0.02, 0.125);
        let chain = OperationChain {
            states: 3,
            transitions: vec![(0, 1, p1), (1, 2, p2)],
        };
        assert_close(
            chain.mean_operations_to_failure(0).unwrap(),
            1.0 / p1 + 1.0 / p2,
            1e-13,
        );
        assert_close(
            chain.mean_operations_to_failure(1).unwrap(),
            1.0 / p2,
            1e-13,
        );
        // With a shock q straight to failure from new: 1 / (p1 + q) operations in state 0,
        // then state 1 with probability p1 / (p1 + q).
        let q = 0.005;
        let shocked = OperationChain {
            states: 3,
            transitions: vec![(0, 1, p1), (0, 2, q), (1, 2, p2)],
        };
        assert_close(
            shocked.mean_operations_to_failure(0).unwrap(),
            1.0 / (p1 + q) + p1 / (p1 + q) / p2,
            1e-13,
        );
        // A row whose probabilities sum to 1 never stays: two operations exactly.
        let certain = OperationChain {
            states: 3,
            transitions: vec![(0, 1, 0.25), (0, 1, 0.75), (1, 2, 1.0)],
        };
        assert_close(certain.mean_operations_to_failure(0).unwrap(), 2.0, 1e-15);
    }

    // --- Threshold policy --------------------------------------------------------------------

    fn policy(chain: DegradationChain) -> ThresholdPolicy {
        ThresholdPolicy {
            chain,
            repair_mean: 2.0,
            preventive_mean: 0.5,
            corrective_cost: 100.0,
            preventive_cost: 20.0,
            downtime_cost: 10.0,
        }
    }

    #[test]
    fn threshold_at_failure_is_run_to_failure() {
        let rates = [0.5, 0.8, 0.3];
        let policy = policy(chain(4, &[(0, 1, 0.5), (1, 2, 0.8), (2, 3, 0.3)]));
        let mttf: f64 = rates.iter().map(|r| 1.0 / r).sum();
        let figures = policy.evaluate(3).unwrap();
        let cycle = mttf + 2.0;
        assert_close(figures.up_time, mttf, 1e-14);
        assert_close(figures.cycle_length, cycle, 1e-14);
        assert_close(figures.availability, mttf / (mttf + 2.0), 1e-14);
        assert_close(figures.cost_rate, (100.0 + 10.0 * 2.0) / cycle, 1e-14);
        assert_eq!(figures.failure_probability, 1.0);
        assert_close(figures.failure_rate, 1.0 / cycle, 1e-14);
        assert_eq!(figures.preventive_rate, 0.0);
    }

    /// 0 -> 1 at rate a, 1 -> F at rate b, and a shock 0 -> F at rate c. Threshold 1: the
    /// cycle ends when the unit leaves 0, after 1 / (a + c), in failure with probability
    /// c / (a + c). Threshold 2 (run to failure): up 1 / (a + c) + a / (a + c) / b.
    fn three_state_hand_figures(
        (a, b, c): (f64, f64, f64),
        policy: &ThresholdPolicy,
    ) -> [RenewalFigures; 2] {
        let (tf, tp) = (policy.repair_mean, policy.preventive_mean);
        let (cf, cp, cd) = (
            policy.corrective_cost,
            policy.preventive_cost,
            policy.downtime_cost,
        );
        let figures = |up: f64, pf: f64| {
            let down = pf * tf + (1.0 - pf) * tp;
            let cycle = up + down;
            RenewalFigures {
                cycle_length: cycle,
                up_time: up,
                availability: up / cycle,
                cost_rate: (pf * cf + (1.0 - pf) * cp + cd * down) / cycle,
                failure_probability: pf,
                failure_rate: pf / cycle,
                preventive_rate: (1.0 - pf) / cycle,
            }
        };
        [
            figures(1.0 / (a + c), c / (a + c)),
            figures(1.0 / (a + c) + a / (a + c) / b, 1.0),
        ]
    }

    #[track_caller]
    fn assert_figures(actual: RenewalFigures, expected: RenewalFigures, tol: f64) {
        assert_close(actual.cycle_length, expected.cycle_length, tol);
        assert_close(actual.up_time, expected.up_time, tol);
        assert_close(actual.availability, expected.availability, tol);
        assert_close(actual.cost_rate, expected.cost_rate, tol);
        assert_close(
            actual.failure_probability,
            expected.failure_probability,
            tol,
        );
        assert_close(actual.failure_rate, expected.failure_rate, tol);
        assert_close(actual.preventive_rate, expected.preventive_rate, tol);
    }

    #[test]
    fn threshold_three_state_chain_matches_hand_calculation() {
        // Without the shock: preventive work every 1 / a, never a failure.
        let (a, b) = (1.0, 0.5);
        let plain = policy(chain(3, &[(0, 1, a), (1, 2, b)]));
        let figures = plain.evaluate(1).unwrap();
        assert_close(figures.up_time, 1.0 / a, 1e-15);
        assert_eq!(figures.failure_probability, 0.0);
        assert_close(figures.cycle_length, 1.0 / a + 0.5, 1e-15);
        assert_close(figures.cost_rate, (20.0 + 10.0 * 0.5) / 1.5, 1e-15);
        assert_eq!(figures.failure_rate, 0.0);
        assert_close(figures.preventive_rate, 1.0 / 1.5, 1e-15);

        let rates = (a, b, 0.1);
        let shocked = policy(chain(3, &[(0, 1, a), (1, 2, b), (0, 2, 0.1)]));
        let [at_1, at_2] = three_state_hand_figures(rates, &shocked);
        assert_figures(shocked.evaluate(1).unwrap(), at_1, 1e-14);
        assert_figures(shocked.evaluate(2).unwrap(), at_2, 1e-14);
    }

    #[test]
    fn best_threshold_picks_the_cheaper_hand_figures() {
        let rates = (1.0, 0.5, 0.1);
        let transitions = [(0, 1, 1.0), (1, 2, 0.5), (0, 2, 0.1)];
        // Cheap preventive work: threshold 1 (cost rate 21.8 against 25.4).
        let cheap = policy(chain(3, &transitions));
        // Dear preventive work: run to failure (45.3 against 25.4).
        let dear = ThresholdPolicy {
            preventive_cost: 60.0,
            ..cheap.clone()
        };
        for (policy, winner) in [(cheap, 1), (dear, 2)] {
            let hand = three_state_hand_figures(rates, &policy);
            assert!(hand[winner - 1].cost_rate < hand[2 - winner].cost_rate);
            let (threshold, figures) = policy.best_threshold().unwrap();
            assert_eq!(threshold, winner);
            assert_figures(figures, hand[winner - 1], 1e-14);
        }
        // Equal cost rates keep the later intervention: with all costs 0, run to failure.
        let free = ThresholdPolicy {
            corrective_cost: 0.0,
            preventive_cost: 0.0,
            downtime_cost: 0.0,
            ..policy(rich_chain())
        };
        assert_eq!(free.best_threshold().unwrap().0, 4);
    }

    /// Simulates the policy on the five-state chain, with uniform repairs and exponential
    /// preventive work (only the means matter).
    #[test]
    fn threshold_policy_matches_monte_carlo() {
        let policy = ThresholdPolicy {
            chain: rich_chain(),
            repair_mean: 4.0,
            preventive_mean: 0.5,
            corrective_cost: 200.0,
            preventive_cost: 30.0,
            downtime_cost: 10.0,
        };
        let threshold = 2;
        let rates = rate_matrix(&policy.chain);
        let mut rng = stream(7, "threshold");
        let (batches, cycles_per_batch) = (40, 5_000);
        let mut estimates = vec![[0.0; 4]; batches];
        for estimate in &mut estimates {
            let (mut up, mut down, mut cost, mut failures) = (0.0, 0.0, 0.0, 0.0);
            for _ in 0..cycles_per_batch {
                let mut state = 0;
                while state < threshold {
                    let exit: f64 = rates[state].iter().sum();
                    up += exponential(&mut rng, 1.0 / exit);
                    let mut u = rng.uniform01() * exit;
                    let mut next = 0;
                    for (j, &r) in rates[state].iter().enumerate() {
                        if r > 0.0 {
                            next = j;
                            if u < r {
                                break;
                            }
                            u -= r;
                        }
                    }
                    state = next;
                }
                let duration = if state == 4 {
                    failures += 1.0;
                    cost += policy.corrective_cost;
                    2.0 * policy.repair_mean * rng.uniform01()
                } else {
                    cost += policy.preventive_cost;
                    exponential(&mut rng, policy.preventive_mean)
                };
                down += duration;
                cost += policy.downtime_cost * duration;
            }
            let total = up + down;
            let preventive = cycles_per_batch as f64 - failures;
            *estimate = [
                up / total,
                cost / total,
                failures / total,
                preventive / total,
            ];
        }
        let exact = policy.evaluate(threshold).unwrap();
        let column = |k: usize| batch_means(&estimates.iter().map(|e| e[k]).collect::<Vec<_>>());
        assert_estimate("availability", exact.availability, column(0), 0.01);
        assert_estimate("cost rate", exact.cost_rate, column(1), 0.01);
        assert_estimate("failure rate", exact.failure_rate, column(2), 0.02);
        assert_estimate("preventive rate", exact.preventive_rate, column(3), 0.01);
    }

    // --- Age replacement ---------------------------------------------------------------------

    fn weibull_policy(shape: f64) -> AgeReplacement {
        AgeReplacement {
            shape,
            scale: 10.0,
            repair_mean: 3.0,
            preventive_mean: 1.0,
            corrective_cost: 50.0,
            preventive_cost: 10.0,
            downtime_cost: 5.0,
        }
    }

    /// `int_0^age exp(-(t/scale)^shape) dt` by the trapezoid rule with `steps` steps.
    fn trapezoid_up_time(shape: f64, scale: f64, age: f64, steps: usize) -> f64 {
        let survival = |t: f64| (-(t / scale).powf(shape)).exp();
        let h = age / steps as f64;
        let inner: f64 = (1..steps).map(|i| survival(i as f64 * h)).sum();
        h * (0.5 * (survival(0.0) + survival(age)) + inner)
    }

    /// The error function from its series of positive terms, `erf(x) = 2 / sqrt(pi) e^{-x^2}
    /// sum_n 2^n x^{2n+1} / (1 3 5 ... (2n+1))`, exact to rounding for moderate `x`.
    /// (`statrs::function::erf::erf` is off by up to about 1e-10 relative, too coarse here.)
    fn erf(x: f64) -> f64 {
        let mut term = x;
        let mut sum = x;
        for n in 1..200 {
            term *= 2.0 * x * x / (2 * n + 1) as f64;
            sum += term;
            if term < 1e-17 * sum {
                break;
            }
        }
        2.0 / std::f64::consts::PI.sqrt() * (-x * x).exp() * sum
    }

    /// For shape 2, `int_0^T R = lambda sqrt(pi) / 2 erf(T / lambda)`.
    fn rayleigh_up_time(scale: f64, age: f64) -> f64 {
        scale * std::f64::consts::PI.sqrt() / 2.0 * erf(age / scale)
    }

    /// The renewal-reward figures of age `age` from an up time and `F(T)` computed by the test.
    fn age_hand_figures(policy: &AgeReplacement, up: f64, failure: f64) -> RenewalFigures {
        let survival = 1.0 - failure;
        let down = failure * policy.repair_mean + survival * policy.preventive_mean;
        let cycle = up + down;
        let cost = failure * policy.corrective_cost
            + survival * policy.preventive_cost
            + policy.downtime_cost * down;
        RenewalFigures {
            cycle_length: cycle,
            up_time: up,
            availability: up / cycle,
            cost_rate: cost / cycle,
            failure_probability: failure,
            failure_rate: failure / cycle,
            preventive_rate: survival / cycle,
        }
    }

    #[test]
    fn age_replacement_weibull_matches_numerical_integration() {
        let policy = weibull_policy(2.0);
        for age in [0.3, 5.0, 10.0, 25.0] {
            let figures = policy.evaluate(age).unwrap();
            let trapezoid = trapezoid_up_time(2.0, 10.0, age, 100_000);
            let closed = rayleigh_up_time(10.0, age);
            assert_close(figures.up_time, trapezoid, 1e-9);
            assert_close(figures.up_time, closed, 1e-13);
            let failure = 1.0 - (-(age / 10.0f64).powi(2)).exp();
            assert_figures(figures, age_hand_figures(&policy, closed, failure), 1e-13);
        }
        // Run to failure: the mean lifetime lambda Gamma(3/2) = lambda sqrt(pi) / 2.
        let run_to_failure = policy.evaluate(f64::INFINITY).unwrap();
        let mean = 10.0 * std::f64::consts::PI.sqrt() / 2.0;
        assert_figures(run_to_failure, age_hand_figures(&policy, mean, 1.0), 1e-14);
        assert_eq!(run_to_failure.preventive_rate, 0.0);
        // Another shape, against the trapezoid rule only.
        let policy = weibull_policy(3.5);
        for age in [2.0, 9.0, 20.0] {
            let trapezoid = trapezoid_up_time(3.5, 10.0, age, 100_000);
            assert_close(policy.evaluate(age).unwrap().up_time, trapezoid, 1e-9);
        }
    }

    #[test]
    fn age_replacement_exponential_cost_rate_falls_with_age() {
        let policy = AgeReplacement {
            repair_mean: 1.0,
            preventive_mean: 0.5,
            corrective_cost: 10.0,
            preventive_cost: 2.0,
            downtime_cost: 1.0,
            ..weibull_policy(1.0)
        };
        let (cf, cp) = (10.0 + 1.0, 2.0 + 0.5);
        let mut previous = f64::INFINITY;
        for i in 0..30 {
            let age = 0.1 * 1.3f64.powi(i);
            let figures = policy.evaluate(age).unwrap();
            // Memoryless: int_0^T R = lambda F(T).
            let failure = 1.0 - (-age / 10.0).exp();
            let hand = (cf * failure + cp * (1.0 - failure))
                / (10.0 * failure + 1.0 * failure + 0.5 * (1.0 - failure));
            assert_close(figures.cost_rate, hand, 1e-13);
            assert!(figures.cost_rate < previous, "cost rate rises at age {age}");
            previous = figures.cost_rate;
        }
        let (age, figures) = policy.optimal_age().unwrap();
        assert_eq!(age, f64::INFINITY);
        assert_close(figures.availability, 10.0 / 11.0, 1e-14);
        assert_close(figures.cost_rate, cf / 11.0, 1e-14);
    }

    #[test]
    fn age_replacement_falling_hazard_runs_to_failure() {
        // Shape 1/2: mean lifetime lambda Gamma(3) = 2 lambda = 20.
        let policy = AgeReplacement {
            repair_mean: 2.0,
            preventive_mean: 0.5,
            corrective_cost: 10.0,
            preventive_cost: 1.0,
            downtime_cost: 1.0,
            ..weibull_policy(0.5)
        };
        let (age, figures) = policy.optimal_age().unwrap();
        assert_eq!(age, f64::INFINITY);
        assert_close(figures.up_time, 20.0, 1e-13);
        assert_close(figures.availability, 20.0 / 22.0, 1e-13);
        assert_close(figures.cost_rate, 12.0 / 22.0, 1e-13);
    }

    #[test]
    fn optimal_age_beats_half_and_double_age() {
        for shape in [1.5, 2.0, 3.5] {
            let policy = weibull_policy(shape);
            let (age, best) = policy.optimal_age().unwrap();
            assert!(age.is_finite(), "shape {shape}: no finite optimum");
            for other in [0.5 * age, 0.99 * age, 1.01 * age, 2.0 * age, f64::INFINITY] {
                assert!(best.cost_rate < policy.evaluate(other).unwrap().cost_rate);
            }
        }
    }

    /// Without maintenance durations the optimum solves `r(T) int_0^T R - F(T) = C_p / (C_f -
    /// C_p)` (Barlow & Proschan). For shape 2 and scale lambda: `r(T) = 2 T / lambda^2` and
    /// `int_0^T R` by the error function.
    #[test]
    fn optimal_age_meets_barlow_proschan_condition() {
        let policy = AgeReplacement {
            shape: 2.0,
            scale: 10.0,
            repair_mean: 0.0,
            preventive_mean: 0.0,
            corrective_cost: 10.0,
            preventive_cost: 1.0,
            downtime_cost: 0.0,
        };
        let (age, figures) = policy.optimal_age().unwrap();
        let hazard = 2.0 * age / 100.0;
        let failure = 1.0 - (-(age / 10.0f64).powi(2)).exp();
        let up = rayleigh_up_time(10.0, age);
        assert_close(hazard * up - failure, 1.0 / 9.0, 1e-6);
        // At the optimum the cost rate is (C_f - C_p) r(T*).
        assert_close(figures.cost_rate, 9.0 * hazard, 1e-6);
    }

    /// With durations: `g = N / D` with `N = C_f' F + C_p' R` and `D = int_0^T R + tau_f F +
    /// tau_p R`; `N' = (C_f' - C_p') f` and `D' = R + (tau_f - tau_p) f`, so `g' = 0` where
    /// `g = N' / D' = (C_f' - C_p') r / (1 + (tau_f - tau_p) r)`. With equal durations `tau`
    /// this is `r (int_0^T R + tau) - F = C_p' / (C_f' - C_p')`.
    #[test]
    fn optimal_age_meets_first_order_condition_with_durations() {
        for (repair_mean, preventive_mean) in [(2.0, 0.5), (1.0, 1.0), (0.5, 3.0)] {
            let policy = AgeReplacement {
                shape: 2.0,
                scale: 10.0,
                repair_mean,
                preventive_mean,
                corrective_cost: 50.0,
                preventive_cost: 10.0,
                downtime_cost: 3.0,
            };
            let (age, _) = policy.optimal_age().unwrap();
            assert!(age.is_finite());
            let cf = 50.0 + 3.0 * repair_mean;
            let cp = 10.0 + 3.0 * preventive_mean;
            let hazard = 2.0 * age / 100.0;
            let failure = 1.0 - (-(age / 10.0f64).powi(2)).exp();
            let up = rayleigh_up_time(10.0, age);
            let cost_rate = (cf * failure + cp * (1.0 - failure))
                / (up + repair_mean * failure + preventive_mean * (1.0 - failure));
            let marginal = (cf - cp) * hazard / (1.0 + (repair_mean - preventive_mean) * hazard);
            assert_close(cost_rate, marginal, 1e-6);
            if repair_mean == preventive_mean {
                assert_close(hazard * (up + repair_mean) - failure, cp / (cf - cp), 1e-6);
            }
        }
    }

    /// Simulates age replacement at age 8 with Weibull lifetimes drawn by inversion and
    /// exponential maintenance durations.
    #[test]
    fn age_replacement_matches_monte_carlo() {
        let policy = weibull_policy(2.0);
        let age = 8.0;
        let mut rng = stream(3, "age");
        let (batches, cycles_per_batch) = (40, 5_000);
        let mut estimates = vec![[0.0; 4]; batches];
        for estimate in &mut estimates {
            let (mut up, mut down, mut cost, mut failures) = (0.0, 0.0, 0.0, 0.0);
            for _ in 0..cycles_per_batch {
                let life = policy.scale * (-(1.0 - rng.uniform01()).ln()).powf(0.5);
                let duration = if life < age {
                    up += life;
                    failures += 1.0;
                    cost += policy.corrective_cost;
                    exponential(&mut rng, policy.repair_mean)
                } else {
                    up += age;
                    cost += policy.preventive_cost;
                    exponential(&mut rng, policy.preventive_mean)
                };
                down += duration;
                cost += policy.downtime_cost * duration;
            }
            let total = up + down;
            let preventive = cycles_per_batch as f64 - failures;
            *estimate = [
                up / total,
                cost / total,
                failures / total,
                preventive / total,
            ];
        }
        let exact = policy.evaluate(age).unwrap();
        let column = |k: usize| batch_means(&estimates.iter().map(|e| e[k]).collect::<Vec<_>>());
        assert_estimate("availability", exact.availability, column(0), 0.01);
        assert_estimate("cost rate", exact.cost_rate, column(1), 0.01);
        assert_estimate("failure rate", exact.failure_rate, column(2), 0.01);
        assert_estimate("preventive rate", exact.preventive_rate, column(3), 0.01);
    }

    // --- Invalid input -----------------------------------------------------------------------

    fn mttf_error(states: usize, transitions: &[(usize, usize, f64)], from: usize) -> String {
        chain(states, transitions)
            .mean_time_to_failure(from)
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn chain_rejects_too_few_states() {
        assert_eq!(
            mttf_error(1, &[], 0),
            "states must be at least 2 (a new state and the failure state), got 1"
        );
    }

    #[test]
    fn chain_rejects_too_many_states() {
        assert_eq!(
            mttf_error(2_001, &[], 0),
            "model has 2001 states, more than the dense-solver limit of 2000"
        );
    }

    #[test]
    fn chain_rejects_state_out_of_range() {
        assert_eq!(
            mttf_error(3, &[(0, 1, 1.0), (0, 5, 1.0)], 0),
            "target of transitions[1] (0 -> 5) must be a state below states = 3, got 5"
        );
        assert_eq!(
            mttf_error(3, &[(7, 1, 1.0)], 0),
            "source of transitions[0] (7 -> 1) must be a state below states = 3, got 7"
        );
    }

    #[test]
    fn chain_rejects_self_loop() {
        assert_eq!(
            mttf_error(3, &[(0, 1, 1.0), (1, 1, 1.0)], 0),
            "target of transitions[1] (1 -> 1) must be different from its source (no self \
             loops), got 1"
        );
    }

    #[test]
    fn chain_rejects_transition_out_of_failure() {
        assert_eq!(
            mttf_error(3, &[(0, 2, 1.0), (2, 0, 1.0)], 0),
            "source of transitions[1] (2 -> 0) must be a state other than the failure state 2 \
             (the last state, which is absorbing), got 2"
        );
    }

    #[test]
    fn chain_rejects_non_positive_rate() {
        for (rate, shown) in [
            (0.0, "0"),
            (-1.0, "-1"),
            (f64::NAN, "NaN"),
            (f64::INFINITY, "inf"),
        ] {
            assert_eq!(
                mttf_error(2, &[(0, 1, rate)], 0),
                format!("rate of transitions[0] (0 -> 1) must be positive and finite, got {shown}")
            );
        }
    }

    #[test]
    fn chain_rejects_unreachable_failure() {
        // State 1 is a trap: the unit that enters it never fails.
        let transitions = [(0, 1, 1.0), (0, 2, 1.0), (2, 3, 1.0)];
        assert_eq!(
            mttf_error(4, &transitions, 0),
            "the failure state 3 cannot be reached from state 1, which the chain can enter \
             from state 0, so the mean time to get there is infinite"
        );
        assert_eq!(
            mttf_error(4, &transitions, 1),
            "the failure state 3 cannot be reached from state 1, so the mean time to get there \
             is infinite"
        );
        assert_eq!(
            chain(4, &transitions)
                .mean_time_to_absorption(0, &[false, false, false, true])
                .unwrap_err()
                .to_string(),
            "the absorbing set {3} cannot be reached from state 1, which the chain can enter \
             from state 0, so the mean time to get there is infinite"
        );
        let by_use = OperationChain {
            states: 3,
            transitions: vec![(0, 1, 0.5)],
        };
        assert_eq!(
            by_use
                .mean_operations_to_failure(0)
                .unwrap_err()
                .to_string(),
            "the failure state 2 cannot be reached from state 0, so the mean number of \
             operations to get there is infinite"
        );
        let stuck = policy(chain(4, &[(0, 1, 1.0), (2, 3, 1.0)]));
        assert_eq!(
            stuck.evaluate(2).unwrap_err().to_string(),
            "the states 2..=3 (threshold 2 up to failure) cannot be reached from state 0, so \
             the mean time to get there is infinite"
        );
    }

    #[test]
    fn chain_rejects_start_out_of_range() {
        let chain = chain(3, &[(0, 1, 1.0), (1, 2, 1.0)]);
        assert_eq!(
            chain.mean_time_to_failure(3).unwrap_err().to_string(),
            "from must be a state below states = 3, got 3"
        );
        assert_eq!(
            chain
                .absorption_probabilities(9, &[false, false, true])
                .unwrap_err()
                .to_string(),
            "from must be a state below states = 3, got 9"
        );
    }

    #[test]
    fn chain_rejects_bad_absorbing_set() {
        let chain = chain(3, &[(0, 1, 1.0), (1, 2, 1.0)]);
        assert_eq!(
            chain
                .mean_time_to_absorption(0, &[false, true])
                .unwrap_err()
                .to_string(),
            "absorbing.len() must be equal to states = 3, got 2"
        );
        assert_eq!(
            chain
                .absorption_probabilities(0, &[false; 3])
                .unwrap_err()
                .to_string(),
            "number of absorbing states must be at least 1, got 0"
        );
    }

    #[test]
    fn operation_chain_rejects_bad_probabilities() {
        let error = |transitions: Vec<(usize, usize, f64)>| {
            OperationChain {
                states: 3,
                transitions,
            }
            .mean_operations_to_failure(0)
            .unwrap_err()
            .to_string()
        };
        assert_eq!(
            error(vec![(0, 1, 0.0)]),
            "probability of transitions[0] (0 -> 1) must be in (0, 1], got 0"
        );
        assert_eq!(
            error(vec![(0, 1, 0.5), (1, 2, 1.5)]),
            "probability of transitions[1] (1 -> 2) must be in (0, 1], got 1.5"
        );
        assert_eq!(
            error(vec![(0, 1, 0.75), (0, 2, 0.5)]),
            "total probability of the transitions out of state 0 must be at most 1 (the rest \
             is the probability of staying), got 1.25"
        );
    }

    #[test]
    fn threshold_rejects_out_of_range_threshold() {
        let policy = policy(chain(3, &[(0, 1, 1.0), (1, 2, 1.0)]));
        for threshold in [0, 3] {
            assert_eq!(
                policy.evaluate(threshold).unwrap_err().to_string(),
                format!("threshold must be between 1 and states - 1 = 2, got {threshold}")
            );
        }
    }

    #[test]
    fn threshold_rejects_bad_means_and_costs() {
        let base = policy(chain(3, &[(0, 1, 1.0), (1, 2, 1.0)]));
        let error = |policy: ThresholdPolicy| policy.best_threshold().unwrap_err().to_string();
        assert_eq!(
            error(ThresholdPolicy {
                repair_mean: -1.0,
                ..base.clone()
            }),
            "repair_mean must be non-negative and finite, got -1"
        );
        assert_eq!(
            error(ThresholdPolicy {
                preventive_mean: f64::INFINITY,
                ..base.clone()
            }),
            "preventive_mean must be non-negative and finite, got inf"
        );
        assert_eq!(
            error(ThresholdPolicy {
                corrective_cost: -5.0,
                ..base.clone()
            }),
            "corrective_cost must be non-negative and finite, got -5"
        );
        assert_eq!(
            error(ThresholdPolicy {
                downtime_cost: f64::NAN,
                ..base
            }),
            "downtime_cost must be non-negative and finite, got NaN"
        );
    }

    #[test]
    fn age_replacement_rejects_bad_parameters() {
        let base = weibull_policy(2.0);
        let error = |policy: AgeReplacement| policy.evaluate(5.0).unwrap_err().to_string();
        assert_eq!(
            error(AgeReplacement { shape: 0.0, ..base }),
            "shape must be positive and finite, got 0"
        );
        assert_eq!(
            error(AgeReplacement {
                scale: f64::INFINITY,
                ..base
            }),
            "scale must be positive and finite, got inf"
        );
        assert_eq!(
            error(AgeReplacement {
                shape: 0.001,
                ..base
            }),
            "shape must be large enough for a finite Gamma(1 + 1/shape) in the mean lifetime \
             (at least about 0.006), got 0.001"
        );
        assert_eq!(
            error(AgeReplacement {
                shape: 0.01,
                scale: 1e300,
                ..base
            }),
            format!(
                "scale must be small enough for a finite mean lifetime scale * Gamma(1 + \
                 1/shape), got {}",
                1e300
            )
        );
        assert_eq!(
            error(AgeReplacement {
                preventive_cost: -2.0,
                ..base
            }),
            "preventive_cost must be non-negative and finite, got -2"
        );
        for (age, shown) in [(0.0, "0"), (-1.0, "-1"), (f64::NAN, "NaN")] {
            assert_eq!(
                base.evaluate(age).unwrap_err().to_string(),
                format!("age must be positive (f64::INFINITY for run to failure), got {shown}")
            );
        }
    }

    /// Exponential lifetimes with preventive work that costs 2 per 4 time units: keeping the
    /// unit in preventive maintenance costs 0.5 per unit of time, less than running it.
    #[test]
    fn optimal_age_rejects_cheap_preventive_parking() {
        let policy = AgeReplacement {
            shape: 1.0,
            scale: 10.0,
            repair_mean: 1.0,
            preventive_mean: 4.0,
            corrective_cost: 1000.0,
            preventive_cost: 2.0,
            downtime_cost: 0.0,
        };
        assert_eq!(
            policy.optimal_age().unwrap_err().to_string(),
            "no optimal age: the cost rate falls towards 0.5 as the age tends to 0, below its \
             value at every age searched; preventive work costs less per unit of time than \
             running the unit (downtime_cost should include the value of lost production)"
        );
        // Free preventive work with wear-out: replacing ever earlier costs ever less.
        let free = AgeReplacement {
            preventive_cost: 0.0,
            downtime_cost: 0.0,
            ..weibull_policy(2.0)
        };
        assert!(matches!(
            free.optimal_age(),
            Err(AnalyticError::NoOptimalAge { limit }) if limit == 0.0
        ));
    }
}
