//! Servers: what each is doing, and the one place where a state changes, its time
//! is accounted and the server's failure clocks pause or resume.

use sim_core::EventCalendar;

use super::build::Line;
use super::event::Event;
use super::part::NONE;
use crate::line::{FailureClock, STATES, ServerState};

/// A server's state in one replication.
#[derive(Debug)]
pub(crate) struct Server {
    pub(crate) station: u32,
    pub(crate) state: ServerState,
    pub(crate) since: f64,
    /// Time spent in each state since the start of the period (per server, so that
    /// a state change touches only the server).
    pub(crate) state_time: [f64; STATES],
    /// The part on the server, or `NONE`.
    pub(crate) part: u32,
    /// Completion time of the current operation while busy.
    pub(crate) due: f64,
    /// Processing left when a failure interrupted the operation.
    pub(crate) remaining: f64,
    /// Bumped to cancel a scheduled completion.
    pub(crate) generation: u32,
    /// What the server was doing when it failed.
    pub(crate) resume: ServerState,
    /// The product family it is configured for (`NONE`: not yet configured).
    pub(crate) family: u32,
    /// Its failure clocks: `clocks.0..clocks.1`.
    pub(crate) clocks: (u32, u32),
    /// Whether its station has several servers, whose starved ones it keeps
    /// in a set ([`IdleServers`](super::idle::IdleServers)).
    pub(crate) pooled: bool,
    /// Whether an opportunistic policy waits for it to be idle.
    pub(crate) watch: bool,
    /// `pooled || watch`: becoming starved or blocked needs a notice.
    pub(crate) notify: bool,
    /// Its wear units: `units.0..units.1`.
    pub(crate) units: (u32, u32),
    /// What stopped it: a unit, `HOLD_FAILURE` (a failure mode), or `NONE`.
    pub(crate) hold: u32,
    /// The unit whose interruption restarts the operation (`NONE`: it resumes).
    pub(crate) restart: u32,
}

/// [`Server::hold`] of a server stopped by a failure mode's failure.
pub(crate) const HOLD_FAILURE: u32 = u32::MAX - 1;

impl Server {
    /// An opportunistic policy starts or stops watching the server.
    pub(crate) fn set_watch(&mut self, watch: bool) {
        self.watch = watch;
        self.notify = self.pooled || watch;
    }

    /// Whether the server holds a part whose operation (or setup) has started
    /// and not finished, perhaps paused by a failure; a blocked server's part
    /// is finished.
    pub(crate) fn runs_an_operation(&self) -> bool {
        self.part != NONE
            && match self.state {
                ServerState::Busy | ServerState::Setup => true,
                ServerState::Down | ServerState::Waiting | ServerState::Maintenance => {
                    matches!(self.resume, ServerState::Busy | ServerState::Setup)
                }
                _ => false,
            }
    }
}

impl Line<'_> {
    /// Moves `server` to `state`, accounting the time spent in the old state and
    /// pausing or resuming its failure clocks. A server of a station with
    /// several that becomes starved joins its station's set of idle servers.
    pub(crate) fn set_state(
        &mut self,
        server: u32,
        state: ServerState,
        cal: &mut EventCalendar<Event>,
    ) {
        let now = cal.now();
        let s = &mut self.servers[server as usize];
        let old = s.state;
        if old == state {
            return;
        }
        s.state_time[old.index()] += now - s.since;
        s.since = now;
        s.state = state;
        let (due, clocks) = (s.due, s.clocks);
        if s.notify {
            self.notice(server, state, cal);
        }
        for c in clocks.0..clocks.1 {
            let clock = &mut self.clocks[c as usize];
            let (was, will) = (clock.runs_in(old), clock.runs_in(state));
            if was && !will {
                clock.remaining = (clock.remaining - (now - clock.running_since)).max(0.0);
                clock.generation = clock.generation.wrapping_add(1);
            } else if !was && will {
                clock.running_since = now;
                // A busy-time clock can only run out before the operation ends:
                // schedule it only then, which saves an event per operation. The
                // other clocks run on through the next state change.
                if clock.kind != FailureClock::Busy || now + clock.remaining <= due {
                    cal.schedule(
                        clock.remaining,
                        Event::Failure {
                            clock: c,
                            generation: clock.generation,
                        },
                    );
                }
            }
        }
    }

    /// `server`, which has notices to give, changes to `state`: a starved
    /// server of a station with several joins its station's set of idle
    /// servers (which drops it lazily when it starts work), and a server an
    /// opportunistic policy watches tells it, at this instant's end, that it
    /// became starved or blocked.
    #[inline(never)]
    fn notice(&mut self, server: u32, state: ServerState, cal: &mut EventCalendar<Event>) {
        if state != ServerState::Starved && state != ServerState::Blocked {
            return;
        }
        let s = &self.servers[server as usize];
        if s.pooled && state == ServerState::Starved {
            let station = s.station as usize;
            let first = self.stations[station].servers.0;
            self.idle[station].insert((server - first) as usize);
        }
        if self.servers[server as usize].watch {
            cal.schedule(0.0, Event::Opportunity { server });
        }
    }

    /// A busy server goes straight on to its next part: its busy-time failure
    /// clocks count the operation just finished and are armed for the new one,
    /// exactly as leaving and re-entering `Busy` at this instant would do, without
    /// two state changes per operation.
    #[inline(always)]
    pub(crate) fn restart_busy_clocks(&mut self, server: u32, cal: &mut EventCalendar<Event>) {
        let now = cal.now();
        let s = &self.servers[server as usize];
        let due = s.due;
        for c in s.clocks.0..s.clocks.1 {
            let clock = &mut self.clocks[c as usize];
            if clock.kind != FailureClock::Busy {
                continue;
            }
            clock.remaining = (clock.remaining - (now - clock.running_since)).max(0.0);
            clock.generation = clock.generation.wrapping_add(1);
            clock.running_since = now;
            if now + clock.remaining <= due {
                cal.schedule(
                    clock.remaining,
                    Event::Failure {
                        clock: c,
                        generation: clock.generation,
                    },
                );
            }
        }
    }
}
