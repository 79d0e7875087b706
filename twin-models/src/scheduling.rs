//! Scheduling benchmarks: instances parsed from text, schedules, the deterministic evaluator and
//! feasibility checker, dispatching rules with their generation schemes, and NEH.
//!
//! The pieces, one file each under `scheduling/`:
//!
//! - [`Instance`] (`instance.rs`): jobs, operations in order, eligible machines and times, as
//!   flat vectors; job shop, flow shop and flexible job shop alike.
//! - readers (`parse.rs`): [`parse_job_shop`] (text / OR-Library), [`parse_or_library`]
//!   (several instances per file), [`parse_flow_shop`],
//!   [`parse_taillard_job_shops`], [`parse_taillard_flow_shops`], [`parse_flexible_job_shop`]
//!   (Brandimarte / Hurink). Errors name the line and the token.
//! - [`Schedule`] (`schedule.rs`): the sequence of operations per machine (the machine of a
//!   flexible operation is the one it is listed under), read and written as CSV and JSON.
//! - [`Evaluator`] and [`check`] (`evaluate.rs`): the semi-active schedule of a sequence in
//!   O(operations), and the check of given start times; both name each [`Violation`].
//! - [`Dispatcher`] (`rules.rs`): SPT, LPT, MWKR, LWKR, MOPNR, FIFO and seeded random, in the
//!   active (Giffler–Thompson) or non-delay scheme, with earliest-finish or least-loaded machine
//!   assignment for flexible operations.
//! - [`Neh`] (`neh.rs`): the NEH heuristic for the permutation flow shop.
//! - [`Twin`] (`twin.rs`) and [`robustness`] (`robust.rs`): an instance and its schedule
//!   executed in a twin under disturbances, execution policies compared on common random
//!   numbers; [`line_robustness`] (`book.rs`) does the same for a line's order book, planned
//!   at some of its stations ([`record_plan`]).
//!
//! A user's scheduler implements [`Scheduler`]; the harness treats it like the built-in ones.
//!
//! # Examples
//!
//! ```
//! use twin_models::scheduling::{Dispatcher, Evaluator, Rule, Scheme, parse_job_shop};
//!
//! let shop = parse_job_shop("2 2\n0 3 1 2\n1 4 0 1\n")?;
//! let schedule = Dispatcher::new(Rule::Mwkr, Scheme::Active).build(&shop);
//! let makespan = Evaluator::new(&shop).evaluate(&schedule)?;
//! assert!(makespan >= 6); // job 1 alone takes 5, machine 1 is busy 6
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod book;
mod evaluate;
mod instance;
mod neh;
mod parse;
mod robust;
mod rules;
mod schedule;
mod twin;

pub use book::{line_robustness, nominal_line, record_plan};
pub use evaluate::{Evaluator, Violation, check};
pub use instance::{Alternative, Instance, InstanceError, ShopKind};
pub use neh::{flow_shop_times, neh_order, permutation_makespan};
pub use parse::{
    ParseError, TaillardInstance, parse_flexible_job_shop, parse_flow_shop, parse_job_shop,
    parse_or_library, parse_taillard_flow_shops, parse_taillard_job_shops,
};
pub use robust::{
    Comparison, Dues, DurationSampler, OrderOutcome, Planned, Policy, PolicyReport, Realised,
    Replanner, RobustError, RobustOptions, Robustness, Summary, draw_durations, robustness,
};
pub use rules::{Assignment, Dispatcher, PartialState, Rule, Scheme, UnknownRule};
pub use schedule::{
    CSV_HEADER, JSON_FORMAT, OperationRef, Schedule, ScheduleFile, ScheduleFormatError,
    ScheduleTimes,
};
pub use twin::{Breakdowns, DispatcherRescheduler, Twin, TwinError, TwinOptions};

/// Why a scheduler produced no schedule.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SchedulerError {
    /// The scheduler does not handle this kind of shop (e.g. NEH on a job shop).
    #[error("{scheduler} does not apply to a {kind} instance")]
    NotApplicable {
        /// The scheduler's name.
        scheduler: String,
        /// The instance's kind, as [`ShopKind::as_str`] spells it.
        kind: &'static str,
    },
    /// A user scheduler failed, with its message.
    #[error("{0}")]
    Failed(String),
}

/// A scheduler: builds a schedule of an instance. Implement it to run your own scheduler in
/// the harness; the harness evaluates and checks what it returns.
///
/// # Examples
///
/// ```
/// use twin_models::scheduling::{Instance, Schedule, Scheduler, SchedulerError};
///
/// /// Runs the jobs one after another, job 0 first: feasible on any job shop.
/// struct OneJobAtATime;
///
/// impl Scheduler for OneJobAtATime {
///     fn name(&self) -> String {
///         "one-at-a-time".into()
///     }
///     fn schedule(&mut self, instance: &Instance) -> Result<Schedule, SchedulerError> {
///         let jobs: Vec<usize> = (0..instance.jobs()).collect();
///         Ok(Schedule::permutation(instance, &jobs))
///     }
/// }
/// ```
pub trait Scheduler {
    /// The name the harness reports.
    fn name(&self) -> String;

    /// A schedule of `instance`.
    ///
    /// # Errors
    ///
    /// [`SchedulerError`] when the scheduler cannot schedule this instance.
    fn schedule(&mut self, instance: &Instance) -> Result<Schedule, SchedulerError>;
}

impl Scheduler for Dispatcher {
    fn name(&self) -> String {
        Dispatcher::name(self)
    }

    fn schedule(&mut self, instance: &Instance) -> Result<Schedule, SchedulerError> {
        Ok(self.build(instance))
    }
}

/// The NEH heuristic as a [`Scheduler`]; it applies to flow-shop instances only.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Neh;

impl Scheduler for Neh {
    fn name(&self) -> String {
        "neh".into()
    }

    fn schedule(&mut self, instance: &Instance) -> Result<Schedule, SchedulerError> {
        let times = flow_shop_times(instance).ok_or(SchedulerError::NotApplicable {
            scheduler: "neh".into(),
            kind: instance.kind().as_str(),
        })?;
        Ok(Schedule::permutation(instance, &neh_order(&times)))
    }
}
