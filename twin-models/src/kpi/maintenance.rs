//! Maintenance KPIs: failures, preventive work, costs, downtime, observed
//! MTBF and MTTR per station, their line totals, and crew utilisation.

use indexmap::IndexMap;
use serde::Serialize;

use crate::engine::maintenance::{CrewBooks, UnitBooks};
use crate::line::{LineSpec, STATES, ServerState};

/// Maintenance of a station's wear modes over the period, summed over its
/// servers and modes.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct StationMaintenance {
    /// Failures of the wear modes (corrective actions called for).
    pub failures: u64,
    /// Preventive actions done.
    pub preventive_actions: u64,
    /// Inspections done.
    pub inspections: u64,
    /// Cost of the repairs done.
    pub repair_cost: f64,
    /// Cost of the preventive actions done.
    pub preventive_cost: f64,
    /// Cost of the inspections done.
    pub inspection_cost: f64,
    /// Cost of the server time stopped for the wear modes.
    pub downtime_cost: f64,
    /// All four costs.
    pub cost: f64,
    /// Server time stopped for the wear modes: down, waiting for a technician,
    /// under preventive work or inspection.
    pub downtime: f64,
    /// Share of server time not stopped (down, waiting or under maintenance,
    /// for any cause): the station's operational availability.
    pub availability: f64,
    /// Observed mean operating time between failures (all causes): time not
    /// stopped / failures; `null` without failures.
    pub mtbf: f64,
    /// Observed mean time to restore after a failure (all causes): time down
    /// or waiting for a technician / failures; `null` without failures.
    pub mttr: f64,
    /// Mean time from a request to the technician's arrival, over the
    /// arrivals in the period; `null` without a crew or arrivals.
    pub crew_wait_mean: f64,
}

impl StationMaintenance {
    /// From the books of the station's units, its state times (summed over
    /// servers), its total server time and its failures of all causes.
    pub(crate) fn new(
        b: &UnitBooks,
        state_time: &[f64; STATES],
        total: f64,
        failures: u64,
    ) -> Self {
        let time = |state: ServerState| state_time[state.index()];
        let stopped =
            time(ServerState::Down) + time(ServerState::Waiting) + time(ServerState::Maintenance);
        let failures = if failures == 0 {
            f64::NAN
        } else {
            failures as f64
        };
        Self {
            failures: b.failures,
            preventive_actions: b.preventive,
            inspections: b.inspections,
            repair_cost: b.repair_cost,
            preventive_cost: b.preventive_cost,
            inspection_cost: b.inspection_cost,
            downtime_cost: b.downtime_cost,
            cost: b.cost(),
            downtime: b.downtime,
            availability: 1.0 - stopped / total,
            mtbf: (total - stopped) / failures,
            mttr: (time(ServerState::Down) + time(ServerState::Waiting)) / failures,
            crew_wait_mean: b.crew_wait / b.crew_waits as f64,
        }
    }
}

/// The line's maintenance totals over the period.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct LineMaintenance {
    /// Failures of the wear modes.
    pub failures: u64,
    /// Preventive actions done.
    pub preventive_actions: u64,
    /// Inspections done.
    pub inspections: u64,
    /// Repair, preventive, inspection and downtime cost of every station.
    pub cost: f64,
    /// `cost` / good parts completed.
    pub cost_per_good_part: f64,
    /// Cost per unit of time over the period.
    pub cost_rate: f64,
}

impl LineMaintenance {
    pub(crate) fn new(stations: &[StationMaintenance], completed: u64, period: f64) -> Self {
        let cost: f64 = stations.iter().map(|s| s.cost).sum();
        Self {
            failures: stations.iter().map(|s| s.failures).sum(),
            preventive_actions: stations.iter().map(|s| s.preventive_actions).sum(),
            inspections: stations.iter().map(|s| s.inspections).sum(),
            cost,
            cost_per_good_part: cost / completed as f64,
            cost_rate: cost / period,
        }
    }
}

/// A maintenance crew over the period.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct CrewKpis {
    /// Technicians.
    pub technicians: u32,
    /// Share of technician time assigned to jobs (travel included).
    pub utilisation: f64,
    /// Jobs a technician took.
    pub jobs: u64,
    /// Mean time from a request to the technician's arrival.
    pub wait_mean: f64,
}

/// The crews' KPIs, in declaration order, from their books and the waits of
/// the units they serve (`waits[c]`: the summed books of crew c's units).
pub(crate) fn crews(
    spec: &LineSpec,
    books: &[CrewBooks],
    waits: &[UnitBooks],
    period: f64,
) -> IndexMap<String, CrewKpis> {
    spec.crews
        .iter()
        .zip(books.iter().zip(waits))
        .map(|(crew, (b, w))| {
            (
                crew.name.clone(),
                CrewKpis {
                    technicians: crew.technicians,
                    utilisation: b.busy_time / (f64::from(crew.technicians) * period),
                    jobs: b.jobs,
                    wait_mean: w.crew_wait / w.crew_waits as f64,
                },
            )
        })
        .collect()
}
