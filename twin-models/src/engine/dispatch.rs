//! Dispatching: which waiting part a free server takes. A rule is a `match`
//! over [`DispatchRule`], one pass (two for ATC and ATCS) over the queue, no
//! allocation; ties go to the part that entered the buffer first.

use super::build::Line;
use super::part::NONE;
use crate::line::DispatchRule;

impl Line<'_> {
    /// The queue position and id of the part `server` of `station` takes from
    /// its input buffer under the station's rule, or `None` if no waiting part
    /// is eligible.
    ///
    /// Cost: O(queue length), no allocation.
    pub(crate) fn choose(
        &self,
        server: u32,
        station: u32,
        input: u32,
        now: f64,
    ) -> Option<(usize, u32)> {
        let st = &self.stations[station as usize];
        let rule = st.rule;
        let buffer = &self.buffers[input as usize];
        let single = buffer.single_consumer;
        let configured = self.servers[server as usize].family;
        let setup = st.setup.as_ref().map(|s| s.table);
        let setup_mean = |part: u32| {
            setup.map_or(0.0, |t| {
                t.mean(
                    configured,
                    self.family_of[self.parts[part].product as usize],
                )
            })
        };
        let candidates = || {
            buffer
                .iter(&self.parts)
                .enumerate()
                .filter(move |&(_, p)| single || self.eligible(p, station))
        };
        // ATC and ATCS scale by the candidates' mean processing (and setup) time.
        let (mean_time, mean_setup) = match rule {
            DispatchRule::Atc { .. } | DispatchRule::Atcs { .. } => {
                let (mut n, mut time, mut setup_sum) = (0.0, 0.0, 0.0);
                for (_, p) in candidates() {
                    n += 1.0;
                    time += self.nominal(station, p);
                    setup_sum += setup_mean(p);
                }
                (time / n, setup_sum / n)
            }
            _ => (1.0, 1.0),
        };
        let families = self.c.spec.families.len() as f64;
        let mut best: Option<(usize, u32, f64)> = None;
        for (i, p) in candidates() {
            let part = &self.parts[p];
            let product = part.product as usize;
            let terms = self.terms(part.order);
            let time = self.nominal(station, p);
            let work = || self.c.remaining_work[product][part.step as usize];
            // Lower is better.
            let score = match rule {
                DispatchRule::Fifo => i as f64,
                DispatchRule::Lifo => -(i as f64),
                DispatchRule::Spt => time,
                DispatchRule::Lpt => -time,
                DispatchRule::Edd => terms.due,
                DispatchRule::CriticalRatio => (terms.due - now) / work(),
                DispatchRule::MinSlack => terms.due - now - work(),
                DispatchRule::Wspt => time / terms.weight,
                DispatchRule::Atc { k } => -atc(terms.weight, time, terms.due - now, k, mean_time),
                DispatchRule::Atcs { k1, k2 } => {
                    let s = setup_mean(p);
                    let setup_factor = if mean_setup > 0.0 {
                        (-s / (k2 * mean_setup)).exp()
                    } else {
                        1.0
                    };
                    -atc(terms.weight, time, terms.due - now, k1, mean_time) * setup_factor
                }
                DispatchRule::Campaign => {
                    if self.family_of[product] == configured {
                        -1.0
                    } else {
                        setup_mean(p)
                    }
                }
                DispatchRule::CyclicFamily => {
                    let family = f64::from(self.family_of[product]);
                    if configured == NONE {
                        family
                    } else {
                        (family - f64::from(configured)).rem_euclid(families)
                    }
                }
                DispatchRule::Mwkr => -work(),
                DispatchRule::Lwkr => work(),
                DispatchRule::Mopnr => {
                    -((self.c.routes[product].len() - part.step as usize) as f64)
                }
                DispatchRule::Priority => -terms.priority,
                // Chosen by `choose_by_user`; never scored here.
                DispatchRule::User { .. } => i as f64,
            };
            // NaN (never produced by the rules above) would rank last.
            if best.is_none_or(|(.., b)| score < b) {
                best = Some((i, p, score));
            }
        }
        best.map(|(i, p, _)| (i, p))
    }
}

/// What the rules need to know of a part's order.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Terms {
    /// Due date (`INFINITY`: none).
    pub(crate) due: f64,
    pub(crate) weight: f64,
    pub(crate) priority: f64,
}

impl Terms {
    /// The terms of a part without an order: no due date, weight 1, priority 0.
    pub(crate) const NONE: Self = Self {
        due: f64::INFINITY,
        weight: 1.0,
        priority: 0.0,
    };
}

impl Line<'_> {
    /// The terms of `order` (`NONE`: a part without an order).
    pub(crate) fn terms(&self, order: u32) -> Terms {
        if order == NONE {
            Terms::NONE
        } else {
            self.order_terms[order as usize]
        }
    }
}

/// The apparent-tardiness-cost index of a job of weight `w` and processing time
/// `p` whose due date is `until_due` from now.
fn atc(w: f64, p: f64, until_due: f64, k: f64, mean_time: f64) -> f64 {
    (w / p) * (-(until_due - p).max(0.0) / (k * mean_time)).exp()
}

/// What a user rule sees of one waiting part it may choose.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Candidate {
    /// Position in the buffer's queue (0: entered first); candidates come in
    /// this order.
    pub position: usize,
    /// Index of the product in the spec.
    pub product: usize,
    /// Index of the product's family.
    pub family: usize,
    /// Index of its order in the spec, if it has one.
    pub order: Option<usize>,
    /// Its order's due date (`INFINITY`: none).
    pub due: f64,
    /// Its order's weight (1 without an order).
    pub weight: f64,
    /// Its order's priority (0 without an order).
    pub priority: f64,
    /// Mean processing time of this operation here.
    pub processing_time: f64,
    /// Mean processing time of the rest of its route, this step included.
    pub remaining_work: f64,
    /// Operations left on its route, this one included.
    pub remaining_operations: usize,
    /// When it entered the queue.
    pub waiting_since: f64,
    /// Mean setup time from the server's configuration to its family (0 when
    /// none is needed).
    pub setup_time: f64,
}

/// What a user rule sees of the server that chooses.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Decision {
    /// The current time.
    pub now: f64,
    /// Index of the station in the spec.
    pub station: usize,
    /// Index of the server within the station.
    pub server: usize,
    /// The family the server is configured for, if any.
    pub configured_family: Option<usize>,
}

/// A user dispatching rule: given the candidates (at least one), returns the
/// index into `candidates` of the part to take, or an error that stops the run.
///
/// It is called once per decision (the one dynamic call per decision); the
/// candidate list is built in a buffer reused across decisions. It must be
/// `Sync`: parallel replications of an experiment share it.
pub trait DispatchPolicy: Sync {
    /// Chooses among `candidates` (never empty, in queue order).
    fn choose(&self, decision: &Decision, candidates: &[Candidate]) -> Result<usize, String>;
}

impl Line<'_> {
    /// The queue position and id of the part the user rule `index` takes, or
    /// `None` if no waiting part is eligible or the rule failed (the failure is
    /// kept and the run stops).
    pub(crate) fn choose_by_user(
        &mut self,
        index: u32,
        server: u32,
        station: u32,
        input: u32,
        now: f64,
    ) -> Option<(usize, u32)> {
        let mut candidates = std::mem::take(&mut self.candidates);
        candidates.clear();
        let st = &self.stations[station as usize];
        let buffer = &self.buffers[input as usize];
        let configured = self.servers[server as usize].family;
        let setup = st.setup.as_ref().map(|s| s.table);
        for (position, p) in buffer.iter(&self.parts).enumerate() {
            if !buffer.single_consumer && !self.eligible(p, station) {
                continue;
            }
            let part = &self.parts[p];
            let product = part.product as usize;
            let family = self.family_of[product];
            let terms = self.terms(part.order);
            candidates.push(Candidate {
                position,
                product,
                family: family as usize,
                order: (part.order != NONE).then_some(part.order as usize),
                due: terms.due,
                weight: terms.weight,
                priority: terms.priority,
                processing_time: self.nominal(station, p),
                remaining_work: self.c.remaining_work[product][part.step as usize],
                remaining_operations: self.c.routes[product].len() - part.step as usize,
                waiting_since: part.queued_at,
                setup_time: setup.map_or(0.0, |t| t.mean(configured, family)),
            });
        }
        let chosen = if candidates.is_empty() {
            None
        } else {
            let first = self.stations[station as usize].servers.0;
            let decision = Decision {
                now,
                station: station as usize,
                server: (server - first) as usize,
                configured_family: (configured != NONE).then_some(configured as usize),
            };
            match self.rules.get(index as usize) {
                None => {
                    self.fail_rule(
                        station,
                        now,
                        format!(
                            "uses user rule {index}, but {} user rules were given",
                            self.rules.len()
                        ),
                    );
                    None
                }
                Some(rule) => match rule.choose(&decision, &candidates) {
                    Ok(i) if i < candidates.len() => {
                        let position = candidates[i].position;
                        self.buffers[input as usize]
                            .iter(&self.parts)
                            .nth(position)
                            .map(|p| (position, p))
                    }
                    Ok(i) => {
                        self.fail_rule(
                            station,
                            now,
                            format!("the user rule chose candidate {i} of {}", candidates.len()),
                        );
                        None
                    }
                    Err(message) => {
                        self.fail_rule(station, now, message);
                        None
                    }
                },
            }
        };
        self.candidates = candidates;
        chosen
    }

    /// Keeps the first failure of a user rule; the caller's calendar is cleared
    /// by the hub so that the run stops.
    fn fail_rule(&mut self, station: u32, now: f64, message: String) {
        if self.rule_failure.is_none() {
            self.rule_failure = Some(RuleFailure {
                station: self.c.spec.stations[station as usize].name.clone(),
                time: now,
                message,
            });
        }
    }
}

/// A user rule failed: the run stopped and produced no KPIs.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("station `{station}` at time {time}: {message}")]
pub struct RuleFailure {
    /// The station whose rule failed.
    pub station: String,
    /// When.
    pub time: f64,
    /// What the rule (or the engine, for a bad answer) said.
    pub message: String,
}
