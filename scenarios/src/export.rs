//! KPI documents as CSV: one row per KPI value, with the catalogue's id, scope
//! and unit, in the shape spreadsheet-based assessment tools ingest.

use serde_json::Value;

use crate::catalogue::Catalogue;

/// One KPI value of a document: the catalogue id, the entity it belongs to
/// (a product, station, buffer, order or crew; empty for the line), and the
/// value.
#[derive(Clone, Debug, PartialEq)]
pub struct KpiValue {
    /// The catalogue id, e.g. `stations.*.iso.availability`.
    pub kpi: String,
    /// The entity's name or id; empty for line-scope KPIs.
    pub entity: String,
    /// The value (a run) or the statistic (an experiment); see [`Cell`].
    pub cell: Cell,
}

/// A run's value or an experiment's statistic over replications.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Cell {
    /// One run's value; `None` where undefined (`null` in the JSON).
    Value(Option<f64>),
    /// Mean, 95% half-width and the number of replications with a value.
    Statistic {
        /// Mean (`None`: undefined in every replication).
        mean: Option<f64>,
        /// 95% Student-t half-width (`None` with fewer than 2 values).
        ci95: Option<f64>,
        /// Replications with a defined value.
        n: u64,
    },
}

/// The KPI values of a document's `kpis` part (a run's document, or one design
/// point's `kpis` in an experiment's), in document order.
pub fn kpi_values(kpis: &Value) -> Vec<KpiValue> {
    let mut out = Vec::new();
    for (section, keyed) in [
        ("line", false),
        ("products", true),
        ("stations", true),
        ("buffers", true),
        ("orders", false),
        ("crews", true),
    ] {
        let Some(value) = kpis.get(section) else {
            continue;
        };
        match (keyed, value) {
            (true, Value::Object(entities)) => {
                for (name, entity) in entities {
                    walk(entity, &format!("{section}.*"), name, &mut out);
                }
            }
            _ => walk(value, section, "", &mut out),
        }
    }
    out
}

fn walk(value: &Value, path: &str, entity: &str, out: &mut Vec<KpiValue>) {
    let push = |out: &mut Vec<KpiValue>, kpi: String, entity: &str, cell: Cell| {
        out.push(KpiValue {
            kpi,
            entity: entity.to_owned(),
            cell,
        });
    };
    match value {
        Value::Object(map) if is_statistic(map) => push(
            out,
            path.to_owned(),
            entity,
            Cell::Statistic {
                mean: map.get("mean").and_then(Value::as_f64),
                ci95: map.get("ci95").and_then(Value::as_f64),
                n: map.get("n").and_then(Value::as_u64).unwrap_or(0),
            },
        ),
        Value::Object(map) => {
            for (key, child) in map {
                walk(child, &format!("{path}.{key}"), entity, out);
            }
        }
        // The order table: one entity per order.
        Value::Array(rows) => {
            for row in rows {
                let Value::Object(cells) = row else { continue };
                let id = cells.get("id").and_then(Value::as_str).unwrap_or_default();
                for (key, cell) in cells {
                    if !cell.is_string() {
                        push(out, format!("order.{key}"), id, Cell::Value(cell.as_f64()));
                    }
                }
            }
        }
        Value::String(_) | Value::Bool(_) => {}
        Value::Number(n) => push(out, path.to_owned(), entity, Cell::Value(n.as_f64())),
        Value::Null => push(out, path.to_owned(), entity, Cell::Value(None)),
    }
}

/// An experiment's `{mean, sd, ci95, n}`.
fn is_statistic(map: &serde_json::Map<String, Value>) -> bool {
    map.len() == 4
        && map.get("n").is_some_and(Value::is_u64)
        && ["mean", "sd", "ci95"]
            .iter()
            .all(|k| map.get(*k).is_some_and(|v| v.is_number() || v.is_null()))
}

/// The catalogue's unit with the document's time unit put in.
pub(crate) fn unit(kpi: &str, time_unit: &str) -> String {
    Catalogue::bundled()
        .get(kpi)
        .map(|k| match k.unit.as_str() {
            "time" => time_unit.to_owned(),
            other => other
                .replace("time unit", time_unit)
                .replace("time per", &format!("{time_unit} per")),
        })
        .unwrap_or_default()
}

fn scope(kpi: &str) -> &'static str {
    match kpi.split('.').next() {
        Some("stations") => "station",
        Some("products") => "product",
        Some("buffers") => "buffer",
        Some("crews") => "crew",
        Some("order") => "order",
        _ => "line",
    }
}

fn number(x: Option<f64>) -> String {
    x.map(|v| v.to_string()).unwrap_or_default()
}

/// A run's KPI document (`run --json`) as CSV: `kpi,scope,entity,value,ci95,n,unit`,
/// one row per value (`ci95` empty and `n` 1 for a single run; an undefined
/// value is empty).
pub fn run_csv(document: &Value) -> String {
    let time_unit = document["time_unit"].as_str().unwrap_or_default();
    let mut writer = csv::Writer::from_writer(Vec::new());
    let _ = writer.write_record(["kpi", "scope", "entity", "value", "ci95", "n", "unit"]);
    for v in kpi_values(document) {
        let Cell::Value(value) = v.cell else { continue };
        let _ = writer.write_record([
            v.kpi.as_str(),
            scope(&v.kpi),
            &v.entity,
            &number(value),
            "",
            "1",
            &unit(&v.kpi, time_unit),
        ]);
    }
    into_text(writer)
}

/// An experiment's document (`experiment --json`) as CSV:
/// `design_point,kpi,scope,entity,mean,ci95,n,unit`, one row per design point
/// and KPI.
pub fn experiment_csv(document: &Value) -> String {
    let time_unit = document["time_unit"].as_str().unwrap_or_default();
    let mut writer = csv::Writer::from_writer(Vec::new());
    let _ = writer.write_record([
        "design_point",
        "kpi",
        "scope",
        "entity",
        "mean",
        "ci95",
        "n",
        "unit",
    ]);
    for point in document["design_points"].as_array().into_iter().flatten() {
        let label = point["label"].as_str().unwrap_or_default();
        for v in kpi_values(&point["kpis"]) {
            let Cell::Statistic { mean, ci95, n } = v.cell else {
                continue;
            };
            let _ = writer.write_record([
                label,
                v.kpi.as_str(),
                scope(&v.kpi),
                &v.entity,
                &number(mean),
                &number(ci95),
                &n.to_string(),
                &unit(&v.kpi, time_unit),
            ]);
        }
    }
    into_text(writer)
}

fn into_text(writer: csv::Writer<Vec<u8>>) -> String {
    writer
        .into_inner()
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .unwrap_or_default()
}
