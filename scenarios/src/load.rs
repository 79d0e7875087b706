//! Offered load per station, estimated from means: warns of queues that grow without bound
//! and of order books a line cannot keep up with.

use std::collections::HashMap;

use sim_core::Distribution;
use twin_models::{DispatchRule, LineSpec, SetupSpec, SourceKind};

/// Stations that can only fall behind, as warnings naming the station and the
/// load: those whose offered load is at or above their capacity with an
/// unlimited buffer in front, and those that cannot keep up with the order book.
///
/// # The estimate
///
/// Everything is estimated from means, so this is a warning, not a proof.
///
/// - **Capacity.** A station does `servers × availability` time units of work
///   per time unit, availability being `1 / (1 + Σ mean time to repair / mean
///   time to failure)` over its failure modes.
/// - **Flow.** A source of kind `arrivals` releases `1 / mean interarrival`
///   parts per time unit (split by its mix), a `saturated` source as many as
///   its first station can take. Parts are thinned by scrap and by any
///   saturated station they pass (its output is its capacity); an alternative
///   step shares the flow evenly. The offered load of a station is `Σ rate ×
///   mean processing time / capacity` over the parts that reach it; at or above
///   1 with an unlimited buffer in front (and not kept full by a saturated
///   source), the queue grows without bound.
/// - **Orders.** An order book is finite work, so its queue does not grow
///   without bound; instead the work it brings to a station (`Σ quantity × mean
///   processing time` over the released orders, thinned and split as above) is
///   set against what the station can do (the capacity left by `arrivals`
///   sources) from the first release to the last due date, or to the horizon
///   if that comes first or an order has no due date. More work than that: the
///   line cannot keep up with the order book, orders will be late (or
///   unfinished at the horizon) and the backlog grows until the last release;
///   the message also gives what the station can do between the first and the
///   last release. A backlog that is worked off before the due dates is not
///   warned of. Orders released after the horizon are never released and do
///   not count.
/// - **Setups.** Without setups the load is a lower bound. How many changeovers
///   a station makes depends on its rule, so a setup is added only as an
///   estimate under a rule that ignores families (first in first out and the
///   other rules except `campaign`, `cyclic`, `atcs` and user rules,
///   which can avoid most changes), and not at stations reached by a source's
///   model sequence (the sequence decides the changes). For parts from sources
///   the expected setup per part is that of a random sequence of the station's
///   family mix, `Σ π_f π_g × mean setup(f, g)` with `π` the families' shares of
///   the flow (a single family has none); for orders, one setup per change of
///   family between consecutive orders in release order (parts of an order
///   arrive together; several servers can need more). A station below its
///   capacity without setups and at or above it with them is warned of as above
///   capacity "if the rule changes over often (first in first out)", with the
///   setups' share of the load.
///
/// # Complexity
///
/// One pass over the routes of the sources' products and one over the orders'
/// routes (after sorting the orders by release), plus the listed pairs of every
/// setup matrix.
pub(crate) fn unstable_stations(line: &LineSpec, horizon: f64) -> Vec<String> {
    let n = line.stations.len();
    // Work a station can do per time unit: servers × availability.
    let capacity: Vec<f64> = line
        .stations
        .iter()
        .map(|s| {
            let down: f64 = s.failures.iter().map(|f| f.ttr.mean() / f.ttf.mean()).sum();
            f64::from(s.servers) / (1.0 + down)
        })
        .collect();
    let mean_time = |s: usize, p: usize, k: usize| -> f64 {
        line.products[p]
            .step_time(k)
            .or(line.stations[s].processing[p].as_ref())
            .map_or(0.0, Distribution::mean)
    };
    let work = |s: usize, p: usize, k: usize| -> f64 { mean_time(s, p, k) / capacity[s] };
    let with_setups =
        |s: usize| line.stations[s].setup.is_some() && ignores_families(line.stations[s].rule);
    let mut load = vec![0.0f64; n];
    let mut arrivals_load = vec![0.0f64; n];
    let mut kept_full = vec![false; n];
    let mut sequenced = vec![false; n];
    // Parts per time unit reaching a station with setups, by family.
    let mut family_flow: HashMap<(usize, usize), f64> = HashMap::new();
    for source in &line.sources {
        let total: f64 = source.mix.iter().map(|m| m.1).sum();
        if total.is_nan() || total <= 0.0 {
            continue;
        }
        let rate = match &source.kind {
            SourceKind::Orders => continue,
            SourceKind::Arrivals { interarrival, .. } => 1.0 / interarrival.mean(),
            SourceKind::Saturated => {
                // As many parts as the first station (of the first product) takes.
                let Some(&(first, _)) = source.mix.iter().find(|m| m.1 > 0.0) else {
                    continue;
                };
                let step = &line.products[first].route[0];
                kept_full[step[0]] = true;
                let per_part: f64 = source
                    .mix
                    .iter()
                    .map(|&(p, w)| w / total * work(step[0], p, 0))
                    .sum();
                1.0 / per_part
            }
        };
        let arrivals = matches!(source.kind, SourceKind::Arrivals { .. });
        for &(p, w) in &source.mix {
            let family = line.products[p].family;
            let mut flow = rate * w / total;
            for (k, step) in line.products[p].route.iter().enumerate() {
                let share = flow / step.len() as f64;
                let mut out = 0.0;
                for &s in step {
                    load[s] += share * work(s, p, k);
                    if arrivals {
                        arrivals_load[s] += share * work(s, p, k);
                    }
                    if with_setups(s) {
                        *family_flow.entry((s, family)).or_default() += share;
                        sequenced[s] |= !source.sequence.is_empty();
                    }
                    // What leaves: at most the station's capacity, less scrap.
                    out += share / load[s].max(1.0) * (1.0 - line.stations[s].scrap);
                }
                flow = out;
            }
        }
    }
    let mut setup_load = vec![0.0f64; n];
    let mut flows_by_station: HashMap<usize, Vec<(usize, f64)>> = HashMap::new();
    for (&(s, family), &rate) in &family_flow {
        flows_by_station.entry(s).or_default().push((family, rate));
    }
    for (s, flows) in flows_by_station {
        if let Some(setup) = &line.stations[s].setup {
            let rate: f64 = flows.iter().map(|f| f.1).sum();
            if rate > 0.0 {
                setup_load[s] = rate * expected_setup(setup, &flows, rate) / capacity[s];
            }
        }
    }

    let mut warnings = Vec::new();
    for (s, station) in line.stations.iter().enumerate() {
        let unlimited = station
            .input
            .is_none_or(|b| line.buffers[b].capacity.is_none());
        if !unlimited || kept_full[s] {
            continue;
        }
        let with = load[s] + setup_load[s];
        if load[s].is_finite() && load[s] >= 1.0 - 1e-9 {
            warnings.push(format!(
                "station `{}`: offered load {:.3} is at or above its capacity with an unlimited buffer in front: its queue grows without bound (unstable line)",
                station.name, load[s]
            ));
        } else if !sequenced[s] && with.is_finite() && with >= 1.0 - 1e-9 {
            warnings.push(format!(
                "station `{}`: offered load {:.3} without setups, {:.3} with the mean setup of a first-in-first-out sequence of its product mix (setups {:.0}% of it): it is at or above its capacity with an unlimited buffer in front if the rule changes over often (first in first out), and its queue then grows without bound",
                station.name,
                load[s],
                with,
                100.0 * setup_load[s] / with
            ));
        }
    }
    warnings.extend(order_book_overloads(
        line,
        horizon,
        &capacity,
        &arrivals_load,
    ));
    warnings
}

/// Whether a rule picks parts without looking at families, so that under a mixed
/// queue it changes over about as often as a random sequence.
fn ignores_families(rule: DispatchRule) -> bool {
    !matches!(
        rule,
        DispatchRule::Campaign
            | DispatchRule::CyclicFamily
            | DispatchRule::Atcs { .. }
            | DispatchRule::User { .. }
    )
}

/// The mean setup time of a change from family `from` to `to` at station `s`
/// (0 to itself), the listed pairs of every station's matrix in `pairs`.
fn setup_mean(
    pairs: &HashMap<(usize, usize, usize), f64>,
    setup: &SetupSpec,
    s: usize,
    from: usize,
    to: usize,
) -> f64 {
    if from == to {
        return 0.0;
    }
    pairs
        .get(&(s, from, to))
        .copied()
        .or(setup.default.as_ref().map(Distribution::mean))
        .unwrap_or(0.0)
}

/// The expected setup per part of a random sequence with the families' `flows`
/// (summing to `rate`): `Σ_{f≠g} π_f π_g × mean setup(f, g)`, computed as the
/// default over every change plus the listed pairs' differences from it, so
/// that it costs O(families + listed pairs).
fn expected_setup(setup: &SetupSpec, flows: &[(usize, f64)], rate: f64) -> f64 {
    let share: HashMap<usize, f64> = flows.iter().map(|&(f, r)| (f, r / rate)).collect();
    let default = setup.default.as_ref().map_or(0.0, Distribution::mean);
    let change = 1.0 - share.values().map(|p| p * p).sum::<f64>();
    let listed: f64 = setup
        .pairs
        .iter()
        .filter(|&&(f, t, _)| f != t)
        .map(|(f, t, d)| {
            share.get(f).copied().unwrap_or(0.0)
                * share.get(t).copied().unwrap_or(0.0)
                * (d.mean() - default)
        })
        .sum();
    (change * default + listed).max(0.0)
}

/// The order-book half of [`unstable_stations`]: stations whose work from the
/// released orders exceeds what they can do by the last due date or the horizon.
fn order_book_overloads(
    line: &LineSpec,
    horizon: f64,
    capacity: &[f64],
    arrivals_load: &[f64],
) -> Vec<String> {
    let mut released: Vec<usize> = (0..line.orders.len())
        .filter(|&o| line.orders[o].release <= horizon)
        .collect();
    let (Some(first), Some(last)) = (
        released
            .iter()
            .map(|&o| line.orders[o].release)
            .reduce(f64::min),
        released
            .iter()
            .map(|&o| line.orders[o].release)
            .reduce(f64::max),
    ) else {
        return Vec::new();
    };
    // Release order; ties in declaration order (the sort is stable).
    released.sort_by(|&a, &b| line.orders[a].release.total_cmp(&line.orders[b].release));
    let n = line.stations.len();
    let mut work = vec![0.0f64; n];
    let mut setup_work = vec![0.0f64; n];
    let mut configured: Vec<Option<usize>> = line
        .stations
        .iter()
        .map(|s| s.setup.as_ref().and_then(|setup| setup.initial))
        .collect();
    let mut visited = vec![usize::MAX; n];
    let pairs: HashMap<(usize, usize, usize), f64> = line
        .stations
        .iter()
        .enumerate()
        .filter_map(|(s, station)| station.setup.as_ref().map(|setup| (s, setup)))
        .flat_map(|(s, setup)| {
            setup
                .pairs
                .iter()
                .map(move |(f, t, d)| ((s, *f, *t), d.mean()))
        })
        .collect();
    for &o in &released {
        let order = &line.orders[o];
        let product = &line.products[order.product];
        let mut parts = f64::from(order.quantity);
        for (k, step) in product.route.iter().enumerate() {
            let share = parts / step.len() as f64;
            let mut out = 0.0;
            for &s in step {
                let station = &line.stations[s];
                let mean = product
                    .step_time(k)
                    .or(station.processing[order.product].as_ref())
                    .map_or(0.0, Distribution::mean);
                work[s] += share * mean;
                out += share * (1.0 - station.scrap);
                // One setup per change of family between consecutive orders.
                if let Some(setup) = &station.setup
                    && ignores_families(station.rule)
                    && visited[s] != o
                {
                    visited[s] = o;
                    if let Some(from) = configured[s] {
                        setup_work[s] += setup_mean(&pairs, setup, s, from, product.family);
                    }
                    configured[s] = Some(product.family);
                }
            }
            parts = out;
        }
    }
    let unit = line.time_unit.symbol();
    // Every released order should be finished by the last due date (or by the
    // horizon, if that comes first or an order has none).
    let last_due = released
        .iter()
        .map(|&o| line.orders[o].due)
        .fold(f64::NEG_INFINITY, f64::max);
    let (end, by, late) = if last_due < horizon {
        (
            last_due.max(first),
            format!("the last due date (time {})", last_due.max(first)),
            "orders will be late",
        )
    } else {
        (
            horizon,
            format!("the horizon (time {horizon})"),
            "orders will be unfinished at the horizon",
        )
    };
    let mut warnings = Vec::new();
    for (s, station) in line.stations.iter().enumerate() {
        if work[s] <= 0.0 || arrivals_load[s].is_nan() || arrivals_load[s] >= 1.0 {
            continue;
        }
        let rate = capacity[s] * (1.0 - arrivals_load[s]);
        let by_end = rate * (end - first);
        let with = work[s] + setup_work[s];
        if !(by_end.is_finite() && with.is_finite()) {
            continue;
        }
        let (span, can_do, consequence) = if last > first {
            (
                format!("between its first and last release (time {first} to {last})"),
                format!(
                    "{:.1} {unit} in that time and {by_end:.1} {unit} by {by}",
                    rate * (last - first)
                ),
                format!("{late} and the backlog grows until the last release"),
            )
        } else {
            (
                format!("released at time {first}"),
                format!("{by_end:.1} {unit} by {by}"),
                late.to_owned(),
            )
        };
        if work[s] > by_end * (1.0 + 1e-9) {
            warnings.push(format!(
                "station `{}`: the order book brings {:.1} {unit} of work {span}, but the station can do {can_do}: the line cannot keep up with the order book, so {consequence}",
                station.name, work[s]
            ));
        } else if with > by_end * (1.0 + 1e-9) {
            warnings.push(format!(
                "station `{}`: the order book brings {:.1} {unit} of work {span}, {with:.1} {unit} with a setup at every change of family between orders in release order (setups {:.0}% of it), but the station can do {can_do}: if the rule changes over often (first in first out), the line cannot keep up with the order book, so {consequence}",
                station.name,
                work[s],
                100.0 * setup_work[s] / with,
            ));
        }
    }
    warnings
}
