//! KPI output: a readable text table and `linetwin.kpi/2` JSON.

use std::fmt::Write as _;

use twin_models::{Kpis, StationKpis};

/// The KPIs as pretty-printed `linetwin.kpi/2` JSON, ending with a newline.
///
/// Deterministic: the same KPIs give the same bytes (fields in a fixed order,
/// stations in declaration order, shortest round-trip float formatting).
/// Undefined ratios (NaN) are written as `null`.
pub fn to_json(kpis: &Kpis) -> String {
    let mut text =
        serde_json::to_string_pretty(kpis).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    text.push('\n');
    text
}

fn percent(x: f64) -> String {
    if x.is_finite() {
        format!("{:.1}%", 100.0 * x)
    } else {
        "n/a".to_owned()
    }
}

fn number(x: f64) -> String {
    if !x.is_finite() {
        "n/a".to_owned()
    } else if x.abs() >= 1000.0 {
        format!("{x:.0}")
    } else if x.abs() >= 10.0 {
        format!("{x:.2}")
    } else {
        format!("{x:.4}")
    }
}

/// The width of a name column: the longest name, at least the column's title.
fn name_width<'a>(names: impl Iterator<Item = &'a String>, title: &str) -> usize {
    names
        .map(|n| n.chars().count())
        .max()
        .unwrap_or(0)
        .max(title.chars().count())
}

/// The KPIs as a text table for a terminal.
pub fn to_table(kpis: &Kpis) -> String {
    let line = &kpis.line;
    let unit = kpis.time_unit;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} — seed {}, horizon {} {unit}, warm-up {} {unit}\n",
        kpis.scenario, kpis.seed, kpis.horizon, kpis.warmup
    );
    let mut rows = vec![
        ("parts completed", line.parts_completed.to_string()),
        (
            "parts released / scrapped / lost",
            format!(
                "{} / {} / {}",
                line.parts_released, line.parts_scrapped, line.parts_lost
            ),
        ),
        (
            // Released + in the line at the start = completed + scrapped + in it now.
            "parts in the line at start / end",
            format!(
                "{} / {}",
                line.parts_in_system_at_start, line.parts_in_system
            ),
        ),
        (
            "throughput",
            format!(
                "{} per {unit}  ({} per hour)",
                number(line.throughput),
                number(line.throughput_per_hour)
            ),
        ),
        ("WIP (time average)", number(line.wip_mean)),
        (
            "lead time",
            format!(
                "mean {}  p50 {}  p90 {}  p95 {}  ({unit})",
                number(line.lead_time.mean),
                number(line.lead_time.p50),
                number(line.lead_time.p90),
                number(line.lead_time.p95)
            ),
        ),
        (
            "OEE",
            format!(
                "{}  (availability {}, performance {}, quality {})",
                percent(line.oee.oee),
                percent(line.oee.availability),
                percent(line.oee.performance),
                percent(line.oee.quality)
            ),
        ),
        (
            "bottleneck",
            format!("{} (active-period method)", kpis.bottleneck),
        ),
    ];
    if let Some(energy) = &line.energy {
        rows.push((
            "energy",
            format!(
                "{} kWh  ({} kWh per good part, {} parts per kWh)",
                number(energy.kwh),
                number(energy.per_good_part_kwh),
                number(energy.good_parts_per_kwh)
            ),
        ));
        rows.push((
            "CO2",
            format!(
                "{} kg  ({} kg per good part, {} kg/kWh)",
                number(energy.co2_kg),
                number(energy.co2_per_good_part_kg),
                number(energy.emission_factor)
            ),
        ));
    }
    if let Some(m) = &line.maintenance {
        rows.push((
            "maintenance",
            format!(
                "{} failures, {} preventive actions, {} inspections",
                m.failures, m.preventive_actions, m.inspections
            ),
        ));
        rows.push((
            "maintenance cost",
            format!(
                "{}  ({} per good part, {} per {unit})",
                number(m.cost),
                number(m.cost_per_good_part),
                number(m.cost_rate)
            ),
        ));
        rows.push((
            "unplanned / planned down time",
            format!(
                "{} / {} {unit} (server time)",
                number(line.iso.unplanned_downtime),
                number(line.iso.planned_downtime)
            ),
        ));
    }
    let _ = writeln!(out, "Line");
    for (label, value) in rows {
        let _ = writeln!(out, "  {label:<34}{value}");
    }
    if kpis.products.len() > 1 {
        let width = name_width(kpis.products.keys(), "Product");
        let _ = writeln!(
            out,
            "\n{:<width$}  completed   per hour   lead time mean   lead time p90  ({unit})",
            "Product"
        );
        for (name, p) in &kpis.products {
            let _ = writeln!(
                out,
                "{name:<width$}  {:>9}  {:>9}  {:>15}  {:>14}",
                p.parts_completed,
                number(p.throughput_per_hour),
                number(p.lead_time.mean),
                number(p.lead_time.p90)
            );
        }
    }
    stations_table(kpis, &mut out);
    if !kpis.crews.is_empty() {
        let width = name_width(kpis.crews.keys(), "Crew");
        let _ = writeln!(
            out,
            "\n{:<width$}  technicians  utilisation   jobs  mean wait {unit}",
            "Crew"
        );
        for (name, c) in &kpis.crews {
            let _ = writeln!(
                out,
                "{name:<width$}  {:>11}  {:>11}  {:>5}  {:>13}",
                c.technicians,
                percent(c.utilisation),
                c.jobs,
                number(c.wait_mean)
            );
        }
    }
    if let Some(orders) = &kpis.orders {
        let _ = writeln!(out, "\nOrders");
        let rows = [
            (
                "done / open / in the book",
                format!("{} / {} / {}", orders.done, orders.open, orders.orders),
            ),
            (
                "makespan",
                orders
                    .makespan
                    .map_or("n/a (not all done)".to_owned(), |m| {
                        format!("{} {unit}", number(m))
                    }),
            ),
            (
                "flow time",
                format!(
                    "mean {}  max {}  ({unit})",
                    number(orders.flow_time.mean),
                    number(orders.flow_time.max)
                ),
            ),
            (
                "tardiness",
                format!(
                    "mean {}  max {}  total weighted {}  ({unit})",
                    number(orders.tardiness.mean),
                    number(orders.tardiness.max),
                    number(orders.tardiness.total_weighted)
                ),
            ),
            (
                "tardy / on time",
                format!(
                    "{} tardy ({}), on-time rate {}",
                    orders.tardy,
                    percent(orders.tardy_share),
                    percent(orders.on_time_rate)
                ),
            ),
        ];
        for (label, value) in rows {
            let _ = writeln!(out, "  {label:<34}{value}");
        }
    }
    if !kpis.buffers.is_empty() {
        let width = name_width(kpis.buffers.keys(), "Buffer");
        let _ = writeln!(
            out,
            "\n{:<width$}  capacity  mean content  max content    full",
            "Buffer"
        );
        for (name, b) in &kpis.buffers {
            let capacity = b.capacity.map_or("unlimited".to_owned(), |c| c.to_string());
            let _ = writeln!(
                out,
                "{name:<width$}  {capacity:>8} {:>13} {:>12} {:>7}",
                number(b.content_mean),
                b.content_max,
                percent(b.full_fraction)
            );
        }
    }
    out
}

/// A column of the station table: its title, and a station's cell.
type Column<'a> = (String, Box<dyn Fn(&StationKpis) -> String + 'a>);

/// The station table: the states every line has, then only the columns the
/// line uses (setups, maintenance, waiting for a technician, failures), so
/// that no column is always zero.
fn stations_table(kpis: &Kpis, out: &mut String) {
    let unit = kpis.time_unit;
    let any = |f: &dyn Fn(&StationKpis) -> bool| kpis.stations.values().any(f);
    let mut columns: Vec<Column<'_>> = vec![
        ("servers".into(), Box::new(|s| s.servers.to_string())),
        ("busy".into(), Box::new(|s| percent(s.states.busy))),
        ("starved".into(), Box::new(|s| percent(s.states.starved))),
        ("blocked".into(), Box::new(|s| percent(s.states.blocked))),
        ("down".into(), Box::new(|s| percent(s.states.down))),
    ];
    let with_setups = any(&|s| s.setups > 0 || s.states.setup > 0.0);
    if with_setups {
        columns.push(("setup".into(), Box::new(|s| percent(s.states.setup))));
    }
    if any(&|s| s.states.maintenance > 0.0) {
        columns.push(("maint.".into(), Box::new(|s| percent(s.states.maintenance))));
    }
    if any(&|s| s.states.waiting > 0.0) {
        columns.push(("waiting".into(), Box::new(|s| percent(s.states.waiting))));
    }
    columns.push(("OEE".into(), Box::new(|s| percent(s.oee.oee))));
    columns.push(("operations".into(), Box::new(|s| s.operations.to_string())));
    if any(&|s| s.failures > 0) {
        columns.push(("failures".into(), Box::new(|s| s.failures.to_string())));
    }
    if with_setups {
        columns.push(("setups".into(), Box::new(|s| s.setups.to_string())));
        columns.push((
            format!("setup time {unit}"),
            Box::new(|s| number(s.setup_time)),
        ));
    }
    columns.push((
        format!("mean wait {unit}"),
        Box::new(|s| number(s.waiting_time_mean)),
    ));
    let width = name_width(kpis.stations.keys(), "Station");
    let widths: Vec<usize> = columns
        .iter()
        .map(|(title, cell)| {
            kpis.stations
                .values()
                .map(|s| cell(s).chars().count())
                .chain([title.chars().count()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let _ = write!(out, "\n{:<width$}", "Station");
    for ((title, _), w) in columns.iter().zip(&widths) {
        let _ = write!(out, "  {title:>w$}");
    }
    out.push('\n');
    for (name, station) in &kpis.stations {
        let _ = write!(out, "{name:<width$}");
        for ((_, cell), w) in columns.iter().zip(&widths) {
            let _ = write!(out, "  {:>w$}", cell(station));
        }
        out.push('\n');
    }
}
