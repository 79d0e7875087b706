//! Clocks: one per failure mode and server, counting time to failure in the
//! clock's own time (busy time or calendar time); wear units own clocks too.

use sim_core::{Distribution, RandomStream, StreamKey};

use crate::line::{FailureClock, ServerState};

/// The fixed description of a clock.
#[derive(Debug)]
pub(crate) struct ClockTable {
    pub(crate) server: u32,
    pub(crate) kind: FailureClock,
    pub(crate) owner: Owner,
}

/// What a clock counts down to.
#[derive(Debug)]
pub(crate) enum Owner {
    /// A failure mode's time to failure.
    Mode {
        ttf: Distribution,
        ttr: Distribution,
        ttf_key: StreamKey,
        ttr_key: StreamKey,
    },
    /// A wear unit's next change of health or policy age, or its periodic
    /// maintenance (see `maintenance.rs`).
    Unit(u32),
}

/// A failure clock's state in one replication.
#[derive(Debug)]
pub(crate) struct Clock {
    /// The server it belongs to (a copy of the table's, next to the hot fields).
    pub(crate) server: u32,
    pub(crate) kind: FailureClock,
    /// The states it runs in, as a bit set by [`ServerState::index`].
    pub(crate) runs: u8,
    /// Time to failure (or to the unit's next event) left, in the clock's own
    /// time.
    pub(crate) remaining: f64,
    pub(crate) running_since: f64,
    /// Bumped to cancel a scheduled failure.
    pub(crate) generation: u32,
    pub(crate) ttf_stream: RandomStream,
    pub(crate) ttr_stream: RandomStream,
}

impl Clock {
    /// Whether the clock counts time while its server is in `state`: one
    /// shift and mask, without a branch on the clock's kind.
    #[inline]
    pub(crate) fn runs_in(&self, state: ServerState) -> bool {
        (self.runs >> state.index()) & 1 != 0
    }

    /// The bit set of the states a clock of `kind` runs in.
    pub(crate) fn runs(kind: FailureClock) -> u8 {
        ServerState::ALL
            .iter()
            .filter(|&&state| match kind {
                FailureClock::Busy => state == ServerState::Busy,
                FailureClock::Calendar => !state.stopped(),
                FailureClock::Operating => {
                    state == ServerState::Busy || state == ServerState::Setup
                }
            })
            .fold(0, |set, state| set | 1 << state.index())
    }
}
