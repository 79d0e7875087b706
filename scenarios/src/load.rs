//! Offered load per station, estimated from means: warns of lines whose queues grow without bound.

use twin_models::{LineSpec, SourceKind};

/// Stations that can only fall behind: those whose offered load is at or above
/// their capacity with an unlimited buffer in front, as warnings naming the
/// station and the load.
///
/// The load of a station is `Σ rate × mean processing time / (servers ×
/// availability)` over the parts that reach it, where a source of kind
/// `arrivals` releases `1 / mean interarrival` parts per time unit (split by
/// its mix), a `saturated` source as many as its first station can take, and
/// availability is `1 / (1 + Σ mean time to repair / mean time to failure)` over
/// the failure modes. Parts are thinned by scrap and by any saturated station
/// they pass (its output is its capacity); an alternative step shares the flow
/// evenly. Orders (a finite amount of work) and setups are left out, so this is
/// an estimate from means, not a proof. Cost: one pass over the routes.
pub(crate) fn unstable_stations(line: &LineSpec) -> Vec<String> {
    let n = line.stations.len();
    // Capacity per station and product: servers × availability / mean time.
    let availability: Vec<f64> = line
        .stations
        .iter()
        .map(|s| {
            let down: f64 = s.failures.iter().map(|f| f.ttr.mean() / f.ttf.mean()).sum();
            1.0 / (1.0 + down)
        })
        .collect();
    let work = |s: usize, p: usize, k: usize| -> f64 {
        let station = &line.stations[s];
        let mean = line.products[p]
            .step_time(k)
            .or(station.processing[p].as_ref())
            .map_or(0.0, sim_core::Distribution::mean);
        mean / (f64::from(station.servers) * availability[s])
    };
    let mut load = vec![0.0f64; n];
    let mut kept_full = vec![false; n];
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
        for &(p, w) in &source.mix {
            let mut flow = rate * w / total;
            for (k, step) in line.products[p].route.iter().enumerate() {
                let share = flow / step.len() as f64;
                let mut out = 0.0;
                for &s in step {
                    load[s] += share * work(s, p, k);
                    // What leaves: at most the station's capacity, less scrap.
                    out += share / load[s].max(1.0) * (1.0 - line.stations[s].scrap);
                }
                flow = out;
            }
        }
    }
    let mut warnings = Vec::new();
    for (s, station) in line.stations.iter().enumerate() {
        let unlimited = station
            .input
            .is_none_or(|b| line.buffers[b].capacity.is_none());
        if unlimited && !kept_full[s] && load[s].is_finite() && load[s] >= 1.0 - 1e-9 {
            warnings.push(format!(
                "station `{}`: offered load {:.3} is at or above its capacity with an unlimited buffer in front: its queue grows without bound (unstable line)",
                station.name, load[s]
            ));
        }
    }
    warnings
}
