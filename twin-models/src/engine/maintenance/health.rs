//! A wear model compiled into flat tables, and the health of one unit under
//! it: renewal, the time or operation of its next change, the change itself.
//! It knows nothing of servers, so that a run-to-failure dataset can drive it
//! alone.

use sim_core::{Distribution, RandomStream};

use crate::line::{FailureClock, Restore, WearClock, WearModel};

/// How the compiled model drives its changes.
#[derive(Debug)]
pub(crate) enum Drive {
    /// A lifetime in clock time, drawn at each renewal.
    Lifetime(Distribution),
    /// Operations to failure, drawn at each renewal.
    Cycles(Distribution),
    /// A chain in clock time: exponential sojourns.
    TimeChain,
    /// A chain moved by operations.
    OperationChain,
}

/// The ways out of one state of a chain.
#[derive(Debug, Default)]
struct Exits {
    /// Time chain: the total rate out. Operation chain: the probability that
    /// an operation moves the unit at all.
    total: f64,
    /// `(to, cumulative share of total)`, the last share exactly 1.
    to: Vec<(u32, f64)>,
}

/// A wear model as flat tables.
#[derive(Debug)]
pub(crate) struct HealthTable {
    pub(crate) drive: Drive,
    /// The clock time counts, for time-driven models; `None`: operations.
    pub(crate) clock: Option<FailureClock>,
    /// The failed state (the last).
    pub(crate) failed: u32,
    exits: Vec<Exits>,
}

/// One unit's health.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Health {
    /// The state: 0 new, `failed` failed.
    pub(crate) state: u32,
    /// Age since the last full renewal, in clock time or operations.
    pub(crate) age: f64,
    /// Clock time (or operations) until the next change of state.
    pub(crate) change_left: f64,
}

impl HealthTable {
    pub(crate) fn new(model: &WearModel) -> Self {
        match model {
            WearModel::Lifetime { clock, life } => Self {
                drive: Drive::Lifetime(life.clone()),
                clock: Some(*clock),
                failed: 1,
                exits: Vec::new(),
            },
            WearModel::Cycles { operations } => Self {
                drive: Drive::Cycles(operations.clone()),
                clock: None,
                failed: 1,
                exits: Vec::new(),
            },
            WearModel::Chain {
                clock,
                states,
                transitions,
            } => {
                let mut exits: Vec<Exits> = (0..states.len()).map(|_| Exits::default()).collect();
                for &(from, to, value) in transitions {
                    exits[from].total += value;
                    exits[from].to.push((to as u32, value));
                }
                for e in &mut exits {
                    let mut acc = 0.0;
                    for (_, share) in &mut e.to {
                        acc += *share / e.total;
                        *share = acc;
                    }
                    if let Some(last) = e.to.last_mut() {
                        last.1 = 1.0;
                    }
                }
                let (drive, clock) = match clock {
                    WearClock::Time(c) => (Drive::TimeChain, Some(*c)),
                    WearClock::Operations => (Drive::OperationChain, None),
                };
                Self {
                    drive,
                    clock,
                    failed: (states.len() - 1) as u32,
                    exits,
                }
            }
        }
    }

    /// A new unit: state 0, age 0, its first change drawn.
    pub(crate) fn renew(&self, h: &mut Health, rng: &mut RandomStream) {
        h.state = 0;
        h.age = 0.0;
        h.change_left = self.draw_change(0, rng);
    }

    /// Applies a maintenance action's restoration to a unit in any state.
    pub(crate) fn restore(&self, h: &mut Health, restore: Restore, rng: &mut RandomStream) {
        match restore {
            Restore::Full => self.renew(h, rng),
            Restore::ToState(k) => {
                let k = k as u32;
                if h.state > k {
                    h.state = k;
                }
                // Sojourns are memoryless: a fresh draw from the state reached.
                h.change_left = self.draw_change(h.state, rng);
            }
        }
    }

    /// The clock time (or operations) to the next change from `state`.
    fn draw_change(&self, state: u32, rng: &mut RandomStream) -> f64 {
        match &self.drive {
            Drive::Lifetime(d) => d.sample(rng),
            Drive::Cycles(d) => d.sample(rng).ceil().max(1.0),
            Drive::TimeChain => {
                let rate = self.exits[state as usize].total;
                -(1.0 - rng.uniform01()).ln() / rate
            }
            // An operation chain draws at each operation.
            Drive::OperationChain => f64::INFINITY,
        }
    }

    /// The change due now happens (time-driven models, and cycles when the
    /// count runs out): the unit moves to its next state, and its next change
    /// is drawn.
    pub(crate) fn change(&self, h: &mut Health, rng: &mut RandomStream) {
        h.state = match self.drive {
            Drive::Lifetime(_) | Drive::Cycles(_) => self.failed,
            _ => self.next_state(h.state, rng.uniform01()),
        };
        h.change_left = if h.state == self.failed {
            f64::INFINITY
        } else {
            self.draw_change(h.state, rng)
        };
    }

    /// One operation: the unit ages by one operation, and an operation-driven
    /// model may change state. Returns whether the state changed.
    pub(crate) fn operate(&self, h: &mut Health, rng: &mut RandomStream) -> bool {
        match self.drive {
            Drive::Cycles(_) => {
                h.age += 1.0;
                h.change_left -= 1.0;
                if h.change_left <= 0.0 {
                    self.change(h, rng);
                    return true;
                }
                false
            }
            Drive::OperationChain => {
                h.age += 1.0;
                let exits = &self.exits[h.state as usize];
                let u = rng.uniform01();
                if u >= exits.total {
                    return false;
                }
                h.state = self.next_state(h.state, u / exits.total);
                true
            }
            _ => false,
        }
    }

    fn next_state(&self, state: u32, u: f64) -> u32 {
        let exits = &self.exits[state as usize];
        exits
            .to
            .iter()
            .find(|&&(_, cumulative)| u < cumulative)
            .map_or(exits.to[exits.to.len() - 1].0, |&(to, _)| to)
    }
}
