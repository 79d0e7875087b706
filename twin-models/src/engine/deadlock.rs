//! Deadlock: servers blocked in a cycle of full buffers, which no event can free.

use std::fmt;

use super::build::Line;
use super::part::NONE;
use crate::line::ServerState;

/// A line that can no longer move: some servers hold finished parts for full
/// buffers whose every consumer is itself such a server (a cycle of finite
/// buffers, or a chain into one). A run that ends so reports this instead of
/// KPIs.
#[derive(Clone, Debug, PartialEq)]
pub struct Deadlock {
    /// The time by which the cycle had closed: the latest moment one of its
    /// servers became blocked.
    pub since: f64,
    /// The stations with stuck servers, in the order of the line.
    pub stations: Vec<String>,
    /// The full buffers they wait for, in the order of the line.
    pub buffers: Vec<String>,
}

impl fmt::Display for Deadlock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the line deadlocked by t = {}: stations {} hold finished parts for the full \
             buffers {}, whose every consumer is itself blocked, so nothing can move again \
             and the run has no KPIs; give a buffer of the cycle more room or break the cycle",
            self.since,
            self.stations.join(", "),
            self.buffers.join(", ")
        )
    }
}

impl std::error::Error for Deadlock {}

impl Line<'_> {
    /// The buffer `server` waits for room in, if it holds a finished part
    /// (blocked, or down after it blocked).
    fn waits_for(&self, server: usize) -> Option<usize> {
        let s = &self.servers[server];
        let blocked = s.state == ServerState::Blocked
            || (s.state.stopped() && s.resume == ServerState::Blocked);
        if !blocked || s.part == NONE {
            return None;
        }
        let part = self.parts[s.part];
        let route = &self.c.routes[part.product as usize];
        route
            .get(part.step as usize)
            .map(|step| step.buffer as usize)
    }

    /// The deadlock the line is in, if any.
    ///
    /// The stuck servers are the largest set of blocked servers whose buffers'
    /// consumers are all in the set: start from every blocked server and free
    /// each one waiting for a buffer that some server outside the set consumes
    /// from, until none changes. O(servers + waiting servers + consumers),
    /// called once, at the end of a run.
    pub(crate) fn deadlock(&self, now: f64) -> Option<Deadlock> {
        let targets: Vec<Option<usize>> =
            (0..self.servers.len()).map(|s| self.waits_for(s)).collect();
        let mut stuck: Vec<bool> = targets.iter().map(Option::is_some).collect();
        if !stuck.contains(&true) {
            return None;
        }
        let mut waiting = vec![Vec::new(); self.buffers.len()];
        for (server, target) in targets.iter().enumerate() {
            if let Some(b) = target {
                waiting[*b].push(server);
            }
        }
        let mut freed = vec![false; self.buffers.len()];
        let mut work = Vec::new();
        let mut free = |b: usize, stuck: &mut Vec<bool>, work: &mut Vec<usize>| {
            if !std::mem::replace(&mut freed[b], true) {
                for &s in &waiting[b] {
                    if std::mem::replace(&mut stuck[s], false) {
                        work.push(s);
                    }
                }
            }
        };
        for (b, buffer) in self.buffers.iter().enumerate() {
            let consumed_by_a_free_server = buffer.consumers.iter().any(|&st| {
                let (first, end) = self.stations[st as usize].servers;
                (first..end).any(|s| !stuck[s as usize])
            });
            if !waiting[b].is_empty() && consumed_by_a_free_server {
                free(b, &mut stuck, &mut work);
            }
        }
        while let Some(server) = work.pop() {
            // A server that will move again will take from its input buffer.
            let station = self.servers[server].station as usize;
            free(self.stations[station].input as usize, &mut stuck, &mut work);
        }
        let spec = &self.c.spec;
        let mut stations = vec![false; spec.stations.len()];
        let mut buffers = vec![false; self.buffers.len()];
        // Servers that failed after they blocked do not say when; `now` bounds it.
        let mut since = f64::NEG_INFINITY;
        for (server, &is_stuck) in stuck.iter().enumerate() {
            if is_stuck {
                let s = &self.servers[server];
                stations[s.station as usize] = true;
                buffers[targets[server].expect("a stuck server waits")] = true;
                if s.state == ServerState::Blocked {
                    since = since.max(s.since);
                }
            }
        }
        if !stations.contains(&true) {
            return None;
        }
        let named = |flags: &[bool], name: &dyn Fn(usize) -> String| {
            flags
                .iter()
                .enumerate()
                .filter(|(_, f)| **f)
                .map(|(i, _)| name(i))
                .collect()
        };
        Some(Deadlock {
            since: if since.is_finite() { since } else { now },
            stations: named(&stations, &|i| spec.stations[i].name.clone()),
            // Only named buffers have finite room, so only they can be full.
            buffers: named(&buffers, &|b| {
                spec.buffers
                    .get(b)
                    .map_or_else(|| format!("#{b}"), |buffer| buffer.name.clone())
            }),
        })
    }
}
