//! Degradation and maintenance of stations: wear models, condition signals,
//! policies, maintenance crews and costs (data only; the engine's
//! `maintenance` concern runs them).

use sim_core::Distribution;

use super::FailureClock;
use crate::graph::StructureError;

/// A wear mode of a station: how each of its servers degrades towards failure,
/// what a sensor sees of it, when it is maintained, by whom and at what cost.
/// Every server of the station wears independently, with its own streams.
#[derive(Clone, Debug, PartialEq)]
pub struct WearSpec {
    /// Name, unique within the station among its failure and wear modes (it
    /// keys the random streams).
    pub name: String,
    /// How the unit degrades.
    pub model: WearModel,
    /// The condition signal a sensor or an inspection reads; `None`: none.
    pub signal: Option<SignalSpec>,
    /// When preventive work is called for.
    pub policy: Policy,
    /// The repair after a failure (corrective maintenance).
    pub repair: Action,
    /// Preventive maintenance.
    pub preventive: Action,
    /// What happens to an operation that a failure or maintenance interrupts.
    pub interrupted: Interrupted,
    /// Index of the crew in [`LineSpec::crews`](super::LineSpec::crews) whose
    /// technicians do the work; `None`: work starts at once, with no crew to
    /// wait for.
    pub crew: Option<usize>,
    /// Priority of the mode's work for a crew with [`CrewRule::Priority`]
    /// (higher first).
    pub priority: f64,
    /// Cost per unit of time the server is stopped for this mode: down,
    /// waiting for a technician, under preventive work or inspection.
    pub downtime_cost: f64,
}

/// How a unit degrades from new to failure.
#[derive(Clone, Debug, PartialEq)]
pub enum WearModel {
    /// A lifetime drawn anew at each renewal, counted in the clock's time: the
    /// unit fails when its age reaches it. A Weibull lifetime with shape > 1 is
    /// a hazard that rises with age.
    Lifetime {
        /// Which time the age counts.
        clock: FailureClock,
        /// Lifetime, drawn at each renewal.
        life: Distribution,
    },
    /// A number of operations to failure (cycles), drawn at each renewal and
    /// rounded up to a whole number, at least 1.
    Cycles {
        /// Operations to failure.
        operations: Distribution,
    },
    /// A discrete health-state chain: state 0 is new, the last state is
    /// failure (absorbing until the repair).
    Chain {
        /// What drives the transitions.
        clock: WearClock,
        /// Names of the states, from new to failed (at least 2).
        states: Vec<String>,
        /// `(from, to, value)`: with a time clock, the rate of the transition
        /// per unit of clock time; with [`WearClock::Operations`], the
        /// probability that one operation makes it.
        transitions: Vec<(usize, usize, f64)>,
    },
}

impl WearModel {
    /// Whether operations drive the model (cycles, or a chain moved by use).
    pub fn by_operations(&self) -> bool {
        matches!(
            self,
            Self::Cycles { .. }
                | Self::Chain {
                    clock: WearClock::Operations,
                    ..
                }
        )
    }

    /// The number of health states (a lifetime or cycle count has two: up and
    /// failed).
    pub fn states(&self) -> usize {
        match self {
            Self::Chain { states, .. } => states.len(),
            _ => 2,
        }
    }
}

/// What drives a health chain's transitions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WearClock {
    /// Time: the rates are per unit of this clock's time.
    Time(FailureClock),
    /// Use: each operation the server finishes may move the unit.
    Operations,
}

/// The condition signal: the hidden health state seen through a noisy sensor.
#[derive(Clone, Debug, PartialEq)]
pub struct SignalSpec {
    /// The signal's true level in each health state (one per state of the
    /// chain).
    pub levels: Vec<f64>,
    /// Standard deviation of the Gaussian noise added to each reading (>= 0).
    pub noise: f64,
    /// When the signal is read.
    pub observe: Observe,
}

/// When a condition signal is read.
#[derive(Clone, Debug, PartialEq)]
pub enum Observe {
    /// At every change of the health state (an online sensor on a signal that
    /// changes only then).
    Continuous,
    /// An online sensor reads it every `period` of calendar time, at no cost.
    Every {
        /// Time between readings (> 0).
        period: f64,
    },
    /// A technician inspects the unit every `period` of calendar time: the
    /// server stops for the inspection (in state maintenance), which needs a
    /// technician of the mode's crew and costs `cost`.
    Inspection {
        /// Time between inspections (> 0).
        period: f64,
        /// How long an inspection takes.
        duration: Distribution,
        /// Cost per inspection.
        cost: f64,
    },
}

/// When a wear mode calls for preventive maintenance.
#[derive(Clone, Debug, PartialEq)]
pub enum Policy {
    /// Run to failure: repairs only.
    Corrective,
    /// Time-based: every `every` of the clock's time since the last preventive
    /// action (failures do not reset it).
    Periodic {
        /// Interval (> 0).
        every: f64,
        /// Which time the interval counts.
        clock: FailureClock,
    },
    /// Age-based replacement: at age `age` of the wear model's clock, the age
    /// reset by any renewal (repair or preventive).
    Age {
        /// Age at which preventive work is called for (> 0).
        age: f64,
    },
    /// Condition-based: when a reading of the signal is at or above
    /// `threshold`.
    Condition {
        /// Signal level that calls for maintenance.
        threshold: f64,
    },
    /// Predictive: a straight line fitted (least squares) to the last `window`
    /// readings since the last renewal, against the unit's age, estimates the
    /// remaining useful life until the signal reaches `failure_level`; work is
    /// called for when that estimate is at most `lead_time`.
    Predictive {
        /// Signal level taken as failure.
        failure_level: f64,
        /// Remaining useful life, in the wear clock's time, below which work is
        /// called for (>= 0).
        lead_time: f64,
        /// Readings the fit uses (>= 2).
        window: u32,
    },
    /// A user's policy ([`crate::MaintenancePolicy`]): the `index`-th of the
    /// policies given to [`crate::CompiledLine::simulate_with`] decides at
    /// every reading from the readings since the last renewal.
    User {
        /// Position in the list of user policies.
        index: u32,
    },
    /// Opportunistic age-based: from age `early` on, preventive work is done
    /// as soon as the server is starved or blocked (it costs no production
    /// then); at age `age` it is called for whatever the server does.
    Opportunistic {
        /// Age from which an idle moment is taken (> 0, <= `age`).
        early: f64,
        /// Age at which work is called for in any case.
        age: f64,
    },
}

impl Policy {
    /// The policy's name as written in scenario files.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Corrective => "corrective",
            Self::Periodic { .. } => "periodic",
            Self::Age { .. } => "age",
            Self::Condition { .. } => "condition",
            Self::Predictive { .. } => "predictive",
            Self::Opportunistic { .. } => "opportunistic",
            Self::User { .. } => "user",
        }
    }
}

/// A maintenance action: a repair or preventive work.
#[derive(Clone, Debug, PartialEq)]
pub struct Action {
    /// How long the work takes once the technician is there.
    pub duration: Distribution,
    /// What it restores.
    pub restore: Restore,
    /// Cost per action (parts and labour).
    pub cost: f64,
}

/// How much health a maintenance action gives back.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Restore {
    /// As good as new: health state 0, age 0, a fresh lifetime.
    Full,
    /// A health chain goes back to this state if it is worse (a partial
    /// repair); the age is not reset.
    ToState(usize),
}

/// What happens to an operation interrupted by a failure or by maintenance.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Interrupted {
    /// It goes on where it stopped.
    #[default]
    Resume,
    /// The work done is lost: it starts over, with a new processing time.
    Restart,
}

/// A maintenance crew: technicians shared by the wear modes that name it.
#[derive(Clone, Debug, PartialEq)]
pub struct CrewSpec {
    /// Unique name.
    pub name: String,
    /// Number of technicians (>= 1).
    pub technicians: u32,
    /// Time for a technician to reach the station once assigned; `None`: none.
    pub response: Option<Distribution>,
    /// Which waiting job a free technician takes first.
    pub rule: CrewRule,
}

/// Which waiting job a free technician takes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum CrewRule {
    /// Repairs before preventive work and inspections; then first come, first
    /// served.
    #[default]
    CorrectiveFirst,
    /// The highest [`WearSpec::priority`] first; then repairs first, then first
    /// come, first served.
    Priority,
    /// First come, first served.
    Fifo,
}

impl CrewRule {
    /// The rule's name as written in scenario files.
    pub fn name(self) -> &'static str {
        match self {
            Self::CorrectiveFirst => "corrective-first",
            Self::Priority => "priority",
            Self::Fifo => "fifo",
        }
    }
}

impl super::LineSpec {
    /// Checks the crews and every station's wear modes.
    ///
    /// Errors: a crew without technicians or with a duplicate name; a wear
    /// mode whose name has `/` or repeats a failure or wear mode of its
    /// station; a lifetime or cycle count with a mean that is not positive; a
    /// chain with fewer than two states, a transition out of range, onto
    /// itself, out of the failed state, with a value that is not positive (or
    /// an operation chain whose moving probabilities sum above 1), or a state
    /// from which failure cannot be reached; a signal whose levels do not
    /// match the states, with negative noise or a period that is not
    /// positive; a policy parameter out of range, or a condition or
    /// predictive policy without a signal; a restoration to a state that is
    /// not a working state of a chain; a negative cost; a crew out of range.
    pub(crate) fn check_maintenance(&self) -> Result<(), StructureError> {
        for (c, crew) in self.crews.iter().enumerate() {
            let at = |field: &str| format!("crews[{c}].{field}");
            if crew.technicians == 0 {
                return fail(
                    at("technicians"),
                    format!("crew `{}`: must be at least 1, got 0", crew.name),
                );
            }
            if self.crews[..c].iter().any(|o| o.name == crew.name) {
                return fail(
                    at("name"),
                    format!("crew `{}` is declared twice", crew.name),
                );
            }
            if let Some(d) = &crew.response {
                d.check().map_err(|e| {
                    StructureError::at(at("response"), format!("crew `{}`: {e}", crew.name))
                })?;
            }
        }
        for (i, station) in self.stations.iter().enumerate() {
            for (m, wear) in station.wear.iter().enumerate() {
                let at = |field: &str| format!("stations[{i}].wear[{m}].{field}");
                let check = Check {
                    station: &station.name,
                    at: &at,
                };
                check.mode(self, station, m, wear)?;
            }
        }
        Ok(())
    }
}

fn fail<T>(field: String, message: String) -> Result<T, StructureError> {
    Err(StructureError::at(field, message))
}

/// The checks of one wear mode, with its station's name and its field path.
struct Check<'a> {
    station: &'a str,
    at: &'a dyn Fn(&str) -> String,
}

impl Check<'_> {
    fn err<T>(&self, field: &str, message: String) -> Result<T, StructureError> {
        fail(
            (self.at)(field),
            format!("station `{}`: {message}", self.station),
        )
    }

    fn non_negative(&self, field: &str, value: f64) -> Result<(), StructureError> {
        if value.is_finite() && value >= 0.0 {
            Ok(())
        } else {
            self.err(
                field,
                format!("must be non-negative and finite, got {value}"),
            )
        }
    }

    fn positive(&self, field: &str, value: f64) -> Result<(), StructureError> {
        if value.is_finite() && value > 0.0 {
            Ok(())
        } else {
            self.err(field, format!("must be positive and finite, got {value}"))
        }
    }

    fn distribution(
        &self,
        field: &str,
        d: &Distribution,
        positive: bool,
    ) -> Result<(), StructureError> {
        d.check().or_else(|e| self.err(field, e.to_string()))?;
        if positive && d.mean().partial_cmp(&0.0) != Some(std::cmp::Ordering::Greater) {
            return self.err(
                field,
                format!("the mean must be positive, got {}", d.mean()),
            );
        }
        Ok(())
    }

    fn mode(
        &self,
        line: &super::LineSpec,
        station: &super::StationSpec,
        m: usize,
        wear: &WearSpec,
    ) -> Result<(), StructureError> {
        if wear.name.contains('/') {
            return self.err(
                "name",
                format!(
                    "a wear mode's name must not contain `/`, got `{}`",
                    wear.name
                ),
            );
        }
        if station.failures.iter().any(|f| f.name == wear.name)
            || station.wear[..m].iter().any(|w| w.name == wear.name)
        {
            return self.err("name", format!("mode `{}` is declared twice", wear.name));
        }
        let states = wear.model.states();
        match &wear.model {
            WearModel::Lifetime { life, .. } => self.distribution("model.life", life, true)?,
            WearModel::Cycles { operations } => {
                self.distribution("model.operations", operations, true)?;
            }
            WearModel::Chain {
                clock,
                states: names,
                transitions,
            } => self.chain(*clock, names.len(), transitions)?,
        }
        if let Some(signal) = &wear.signal {
            if signal.levels.len() != states {
                return self.err(
                    "signal.levels",
                    format!("{} levels for {states} health states", signal.levels.len()),
                );
            }
            if let Some(bad) = signal.levels.iter().find(|v| !v.is_finite()) {
                return self.err("signal.levels", format!("must be finite, got {bad}"));
            }
            self.non_negative("signal.noise", signal.noise)?;
            match &signal.observe {
                Observe::Continuous => {}
                Observe::Every { period } => self.positive("signal.period", *period)?,
                Observe::Inspection {
                    period,
                    duration,
                    cost,
                } => {
                    self.positive("signal.period", *period)?;
                    self.distribution("signal.inspection", duration, false)?;
                    self.non_negative("signal.inspection_cost", *cost)?;
                }
            }
        }
        match &wear.policy {
            Policy::Corrective | Policy::User { .. } => {}
            Policy::Periodic { every, .. } => self.positive("policy.every", *every)?,
            Policy::Age { age } => self.positive("policy.age", *age)?,
            Policy::Condition { threshold } => {
                if !threshold.is_finite() {
                    return self.err(
                        "policy.threshold",
                        format!("must be finite, got {threshold}"),
                    );
                }
            }
            Policy::Predictive {
                failure_level,
                lead_time,
                window,
            } => {
                if !failure_level.is_finite() {
                    return self.err(
                        "policy.failure_level",
                        format!("must be finite, got {failure_level}"),
                    );
                }
                self.non_negative("policy.lead_time", *lead_time)?;
                if *window < 2 {
                    return self.err(
                        "policy.window",
                        format!("must be at least 2 readings, got {window}"),
                    );
                }
            }
            Policy::Opportunistic { early, age } => {
                self.positive("policy.age", *age)?;
                if !(early.is_finite() && *early > 0.0 && early <= age) {
                    return self.err(
                        "policy.early",
                        format!("must be in (0, age = {age}], got {early}"),
                    );
                }
            }
        }
        if matches!(
            wear.policy,
            Policy::Condition { .. } | Policy::Predictive { .. } | Policy::User { .. }
        ) && wear.signal.is_none()
        {
            return self.err(
                "policy",
                format!(
                    "mode `{}`: a {} policy needs a condition signal",
                    wear.name,
                    wear.policy.name()
                ),
            );
        }
        for (field, action) in [("repair", &wear.repair), ("preventive", &wear.preventive)] {
            self.distribution(&format!("{field}.duration"), &action.duration, false)?;
            self.non_negative(&format!("{field}.cost"), action.cost)?;
            if let Restore::ToState(k) = action.restore {
                let chain = matches!(wear.model, WearModel::Chain { .. });
                if !chain || k + 1 >= states {
                    return self.err(
                        &format!("{field}.restore"),
                        format!(
                            "mode `{}`: a partial restoration names a working state of a health chain (0 to {}), got {k}",
                            wear.name,
                            states.saturating_sub(2)
                        ),
                    );
                }
            }
        }
        if let Some(c) = wear.crew
            && c >= line.crews.len()
        {
            return self.err("crew", format!("crew index {c} out of range"));
        }
        if !wear.priority.is_finite() {
            return self.err("priority", format!("must be finite, got {}", wear.priority));
        }
        self.non_negative("downtime_cost", wear.downtime_cost)
    }

    fn chain(
        &self,
        clock: WearClock,
        states: usize,
        transitions: &[(usize, usize, f64)],
    ) -> Result<(), StructureError> {
        if states < 2 {
            return self.err(
                "model.states",
                format!("a health chain needs at least 2 states (new and failed), got {states}"),
            );
        }
        let failed = states - 1;
        let mut out = vec![0.0; states];
        for (k, &(from, to, value)) in transitions.iter().enumerate() {
            let field = format!("model.transitions[{k}]");
            if from >= states || to >= states {
                return self.err(
                    &field,
                    format!("state index out of range ({from} → {to}, {states} states)"),
                );
            }
            if from == to {
                return self.err(&field, format!("a transition from state {from} to itself"));
            }
            if from == failed {
                return self.err(
                    &field,
                    format!("the failed state {failed} is left only by a repair"),
                );
            }
            if !(value.is_finite() && value > 0.0) {
                return self.err(&field, format!("must be positive and finite, got {value}"));
            }
            out[from] += value;
        }
        if clock == WearClock::Operations
            && let Some(s) = (0..failed).find(|&s| out[s] > 1.0 + 1e-12)
        {
            return self.err(
                "model.transitions",
                format!(
                    "the probabilities that an operation moves state {s} sum to {}, above 1",
                    out[s]
                ),
            );
        }
        // Every working state must lead to failure.
        let mut reaches = vec![false; states];
        reaches[failed] = true;
        let mut changed = true;
        while changed {
            changed = false;
            for &(from, to, _) in transitions {
                if reaches[to] && !reaches[from] {
                    reaches[from] = true;
                    changed = true;
                }
            }
        }
        if let Some(s) = reaches.iter().position(|r| !r) {
            return self.err(
                "model.transitions",
                format!("failure (state {failed}) cannot be reached from state {s}"),
            );
        }
        Ok(())
    }
}
