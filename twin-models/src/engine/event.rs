//! The line's events: small and `Copy`, one arm per concern.

/// An event of the line. Indices point into the line's flat tables; generations
/// cancel events that became stale (a completion after a failure, a failure
/// after its clock was paused).
#[derive(Clone, Copy, Debug)]
pub(crate) enum Event {
    /// A source of kind arrivals releases its next part.
    Arrival { source: u32 },
    /// A server finishes its operation.
    Completion { server: u32, generation: u32 },
    /// An order releases its parts.
    OrderRelease { order: u32 },
    /// A server finishes a setup and starts processing.
    SetupEnd { server: u32, generation: u32 },
    /// A failure clock runs out.
    Failure { clock: u32, generation: u32 },
    /// A failed server is repaired.
    Repair { clock: u32 },
    /// The warm-up ends: statistics restart.
    WarmupEnd,
    /// An execution's periodic rescheduling point.
    Reschedule,
    /// An execution's last order is done: the run stops here.
    Stop,
    /// A wear mode's sensor reading or inspection is due.
    Reading { unit: u32 },
    /// A technician reaches a unit.
    CrewArrival { unit: u32 },
    /// Maintenance work on a unit is done.
    WorkEnd { unit: u32 },
    /// A server watched by an opportunistic policy became idle.
    Opportunity { server: u32 },
}
