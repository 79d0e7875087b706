//! Changeovers: a station's flat family × family matrix of setup times, and the
//! setup that starts when a server chooses a part of another family.

use sim_core::{Distribution, EventCalendar, RandomStream, StreamKey};

use super::build::Line;
use super::event::Event;
use super::part::NONE;
use crate::line::{ServerState, SetupSpec};

/// A station's setup matrix, compiled: `matrix[from * families + to]` indexes
/// `times`, or is `NONE` where the change costs nothing.
#[derive(Debug)]
pub(crate) struct SetupTable {
    families: usize,
    matrix: Vec<u32>,
    times: Vec<Distribution>,
    /// `means[from * families + to]`: the mean setup time, 0 where it is free.
    means: Vec<f64>,
    /// The family servers are configured for at time 0, or `NONE`.
    pub(crate) initial: u32,
    pub(crate) key: StreamKey,
}

impl SetupTable {
    pub(crate) fn new(spec: &SetupSpec, families: usize, station: &str) -> Self {
        let mut times = Vec::new();
        let default = spec.default.as_ref().map(|d| {
            times.push(d.clone());
            0
        });
        let mut matrix = vec![default.unwrap_or(NONE); families * families];
        for f in 0..families {
            matrix[f * families + f] = NONE;
        }
        for (from, to, time) in &spec.pairs {
            matrix[from * families + to] = times.len() as u32;
            times.push(time.clone());
        }
        let means = matrix
            .iter()
            .map(|&i| {
                if i == NONE {
                    0.0
                } else {
                    times[i as usize].mean()
                }
            })
            .collect();
        Self {
            families,
            matrix,
            times,
            means,
            initial: spec.initial.map_or(NONE, |f| f as u32),
            key: StreamKey::new("setup", station, 0),
        }
    }

    /// The mean setup time of a change `from` → `to` (0 from an unconfigured server).
    #[inline]
    pub(crate) fn mean(&self, from: u32, to: u32) -> f64 {
        if from == NONE {
            return 0.0;
        }
        self.means[from as usize * self.families + to as usize]
    }

    /// The setup time distribution of a change `from` → `to`, if it costs anything.
    #[inline]
    pub(crate) fn time(&self, from: u32, to: u32) -> Option<&Distribution> {
        let i = self.matrix[from as usize * self.families + to as usize];
        (i != NONE).then(|| &self.times[i as usize])
    }
}

/// A station's changeover state in one replication.
#[derive(Debug)]
pub(crate) struct StationSetup<'c> {
    pub(crate) table: &'c SetupTable,
    pub(crate) stream: RandomStream,
}

impl Line<'_> {
    /// The setup `server` needs before it processes `part`, if any; the server is
    /// configured for the part's family from now on. A server with no
    /// configuration yet (no initial family) takes its first part without one.
    pub(crate) fn setup_before(&mut self, server: u32, part: u32) -> Option<f64> {
        let s = &mut self.servers[server as usize];
        let setup = self.stations[s.station as usize].setup.as_mut()?;
        let family = self.family_of[self.parts[part].product as usize];
        let from = s.family;
        if from == family {
            return None;
        }
        s.family = family;
        if from == NONE {
            return None;
        }
        let time = setup.table.time(from, family)?;
        Some(time.sample(&mut setup.stream))
    }

    /// Starts a setup of `duration` on `server` for `part`, which it then processes.
    /// A setup is never interrupted or redirected by arrivals; a failure pauses it.
    pub(crate) fn start_setup(
        &mut self,
        server: u32,
        part: u32,
        duration: f64,
        cal: &mut EventCalendar<Event>,
    ) {
        let s = &mut self.servers[server as usize];
        s.part = part;
        s.due = cal.now() + duration;
        cal.schedule(
            duration,
            Event::SetupEnd {
                server,
                generation: s.generation,
            },
        );
        let station = s.station as usize;
        self.stations[station].books.setups += 1;
        self.set_state(server, ServerState::Setup, cal);
    }

    /// A setup is done: the server starts processing the part it set up for.
    pub(crate) fn on_setup_end(
        &mut self,
        server: u32,
        generation: u32,
        cal: &mut EventCalendar<Event>,
    ) {
        let s = &self.servers[server as usize];
        if s.generation != generation || s.state != ServerState::Setup {
            return;
        }
        self.begin_operation(server, s.station as usize, s.part, cal);
    }
}
