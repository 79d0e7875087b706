//! Run-to-failure datasets: units of one wear mode degrade from new until they
//! fail, their condition signal read at regular ages, each reading labelled
//! with the true health state and the remaining useful life.

use rand_distr::{Distribution as _, StandardNormal};
use sim_core::{RandomStream, StreamKey};

use super::health::{Drive, Health, HealthTable};
use crate::graph::StructureError;
use crate::line::{Observe, WearSpec};

/// One reading of a unit's run to failure.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Reading {
    /// The unit, from 0.
    pub unit: u32,
    /// Its age at the reading, in the wear model's clock time (operations for
    /// a model driven by use).
    pub age: f64,
    /// The signal read: the state's level plus the sensor's noise.
    pub value: f64,
    /// The true health state, by index (the last is failed).
    pub state: usize,
    /// The remaining useful life: the age at failure minus `age`.
    pub rul: f64,
}

/// Runs `units` units of the wear mode `wear` from new to failure, as if they
/// ran without stopping, and reads their signal every `every` of age (the
/// signal's own period when `None`), plus once at the failure. Unit `u` draws
/// from its own streams of `(seed, u)`, so a unit's trajectory does not depend
/// on how many are made.
///
/// Errors: a mode without a signal; a continuously observed signal without
/// `every`; a period that is not positive and finite; more than `max_readings`
/// readings for one unit (a period far below the life).
pub fn run_to_failure(
    wear: &WearSpec,
    units: u32,
    every: Option<f64>,
    seed: u64,
    max_readings: usize,
) -> Result<Vec<Reading>, StructureError> {
    let Some(signal) = wear.signal.as_ref() else {
        return Err(StructureError::at(
            "signal",
            format!(
                "wear mode `{}` has no condition signal to record",
                wear.name
            ),
        ));
    };
    let every = match (every, &signal.observe) {
        (Some(e), _) => e,
        (None, Observe::Every { period } | Observe::Inspection { period, .. }) => *period,
        (None, Observe::Continuous) => {
            return Err(StructureError::at(
                "every",
                format!(
                    "wear mode `{}` is observed continuously: give the age between readings",
                    wear.name
                ),
            ));
        }
    };
    if !(every.is_finite() && every > 0.0) {
        return Err(StructureError::at(
            "every",
            format!("must be positive and finite, got {every}"),
        ));
    }
    let table = HealthTable::new(&wear.model);
    let mut rows = Vec::new();
    for unit in 0..units {
        let key = |purpose| StreamKey::new(purpose, &wear.name, 0);
        let mut health_stream = RandomStream::new(seed, u64::from(unit), key("wear"));
        let mut noise_stream = RandomStream::new(seed, u64::from(unit), key("signal-noise"));
        let mut read = |h: &Health, age: f64| {
            let noise: f64 = StandardNormal.sample(&mut noise_stream);
            Reading {
                unit,
                age,
                value: signal.levels[h.state as usize] + signal.noise * noise,
                state: h.state as usize,
                rul: f64::NAN,
            }
        };
        let mut h = Health::default();
        table.renew(&mut h, &mut health_stream);
        let start = rows.len();
        // Age at the next change of a time-driven model.
        let mut next_change = h.change_left;
        let mut age = 0.0;
        let failed_at = loop {
            let reading_age = age + every;
            let failure = match table.drive {
                Drive::Cycles(_) | Drive::OperationChain => {
                    let mut failed = None;
                    while h.age < reading_age {
                        if table.operate(&mut h, &mut health_stream) && h.state == table.failed {
                            failed = Some(h.age);
                            break;
                        }
                    }
                    failed
                }
                _ => {
                    let mut failed = None;
                    while next_change <= reading_age {
                        table.change(&mut h, &mut health_stream);
                        if h.state == table.failed {
                            failed = Some(next_change);
                            break;
                        }
                        next_change += h.change_left;
                    }
                    failed
                }
            };
            if let Some(at) = failure {
                break at;
            }
            age = reading_age;
            rows.push(read(&h, age));
            if rows.len() - start > max_readings {
                return Err(StructureError::at(
                    "every",
                    format!(
                        "unit {unit} of wear mode `{}` was read more than {max_readings} times \
                         before it failed: read it less often than every {every}",
                        wear.name
                    ),
                ));
            }
        };
        rows.push(read(&h, failed_at));
        for row in &mut rows[start..] {
            row.rul = failed_at - row.age;
        }
    }
    Ok(rows)
}
