//! sim-core: a generic discrete-event simulation kernel. It knows nothing about
//! factories.
//!
//! Guarantees:
//! - Events are processed in time order; events at the same time are processed in
//!   the order they were scheduled ([`EventCalendar`]), so runs are reproducible.
//! - The loop is generic over the model ([`Model`]) and allocates nothing per event.
//! - Every random stream is derived from (master seed, replication, stream key)
//!   ([`StreamKey`]), with a portable generator: the same seed gives the same
//!   numbers on every platform and thread count, and two variants of a model
//!   share the streams of the entities they share (common random numbers).
//! - Every statistic ([`Tally`], [`TimeWeighted`], [`QuantileSketch`]) is
//!   mergeable, so parallel replications combine exactly, in a fixed order.

mod calendar;
mod distribution;
mod random;
mod replication;
mod simulation;
mod stats;

pub use calendar::EventCalendar;
pub use distribution::{
    Distribution, DistributionError, ERLANG_SUM_MAX_PHASES, LOGNORMAL_MAX_SIGMA, MAX_CV,
    WEIBULL_MIN_SHAPE,
};
pub use random::{RandomStream, StreamKey};
pub use replication::run_replications;
pub use simulation::{Model, Simulation};
pub use stats::{
    ConfidenceInterval, ProportionInterval, QuantileSketch, Tally, TimeWeighted, student_t_quantile,
};
