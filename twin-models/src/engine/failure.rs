//! Failure clocks: one per failure mode and server, counting time to failure in
//! the clock's own time (busy time or calendar time).

use sim_core::{Distribution, RandomStream, StreamKey};

use crate::line::{FailureClock, ServerState};

/// The fixed description of a failure clock.
#[derive(Debug)]
pub(crate) struct ClockTable {
    pub(crate) server: u32,
    pub(crate) kind: FailureClock,
    pub(crate) ttf: Distribution,
    pub(crate) ttr: Distribution,
    pub(crate) ttf_key: StreamKey,
    pub(crate) ttr_key: StreamKey,
}

/// A failure clock's state in one replication.
#[derive(Debug)]
pub(crate) struct Clock {
    /// The server it belongs to (a copy of the table's, next to the hot fields).
    pub(crate) server: u32,
    pub(crate) kind: FailureClock,
    /// Time to failure left, in the clock's own time.
    pub(crate) remaining: f64,
    pub(crate) running_since: f64,
    /// Bumped to cancel a scheduled failure.
    pub(crate) generation: u32,
    pub(crate) ttf_stream: RandomStream,
    pub(crate) ttr_stream: RandomStream,
}

impl Clock {
    /// Whether the clock counts time while its server is in `state`.
    #[inline]
    pub(crate) fn runs_in(&self, state: ServerState) -> bool {
        match self.kind {
            FailureClock::Busy => state == ServerState::Busy,
            FailureClock::Calendar => state != ServerState::Down,
            FailureClock::Operating => state == ServerState::Busy || state == ServerState::Setup,
        }
    }
}
