//! Dispatching: which waiting part a free server takes. A rule is a `match`
//! over [`DispatchRule`], one pass (two for ATC and ATCS) over the queue, no
//! allocation; ties go to the part that entered the buffer first.

use super::build::Line;
use super::part::NONE;
use crate::line::DispatchRule;

impl Line<'_> {
    /// The queue position of the part `server` of `station` takes from its input
    /// buffer under the station's rule, or `None` if no waiting part is eligible.
    ///
    /// Cost: O(queue length), no allocation.
    pub(crate) fn choose(&self, server: u32, station: u32, input: u32, now: f64) -> Option<usize> {
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
                .queue
                .iter()
                .enumerate()
                .filter(move |&(_, &p)| single || self.eligible(p, station))
        };
        // ATC and ATCS scale by the candidates' mean processing (and setup) time.
        let (mean_time, mean_setup) = match rule {
            DispatchRule::Atc { .. } | DispatchRule::Atcs { .. } => {
                let (mut n, mut time, mut setup_sum) = (0.0, 0.0, 0.0);
                for (_, &p) in candidates() {
                    n += 1.0;
                    time += st.nominal[self.parts[p].product as usize];
                    setup_sum += setup_mean(p);
                }
                (time / n, setup_sum / n)
            }
            _ => (1.0, 1.0),
        };
        let families = self.c.spec.families.len() as f64;
        let mut best: Option<(usize, f64)> = None;
        for (i, &p) in candidates() {
            let part = &self.parts[p];
            let product = part.product as usize;
            let terms = self.terms(part.order);
            let time = st.nominal[product];
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
            };
            // NaN (never produced by the rules above) would rank last.
            if best.is_none_or(|(_, b)| score < b) {
                best = Some((i, score));
            }
        }
        best.map(|(i, _)| i)
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
    fn terms(&self, order: u32) -> Terms {
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
