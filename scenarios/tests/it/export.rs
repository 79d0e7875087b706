//! CSV export: one row per KPI value, read back exactly, every id in the
//! catalogue, units with the scenario's time unit; `run --csv` and
//! `experiment --csv` print it.

use std::collections::BTreeSet;

use scenarios::catalogue::Catalogue;
use scenarios::export::{experiment_csv, run_csv};
use scenarios::{Overrides, Scenario};
use serde_json::Value;

use crate::cli::run as linetwin;
use crate::library;

fn rows(text: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect();
    let rows = reader
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect();
    (header, rows)
}

/// Every number and null of the document's KPI sections, by JSON pointer.
fn leaves(value: &Value, pointer: String, out: &mut Vec<(String, Option<f64>)>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                leaves(v, format!("{pointer}/{k}"), out);
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                leaves(v, format!("{pointer}/{i}"), out);
            }
        }
        Value::Number(n) => out.push((pointer, n.as_f64())),
        Value::Null => out.push((pointer, None)),
        _ => {}
    }
}

#[test]
fn a_runs_csv_reads_back_to_its_json_value_for_value() {
    let scenario = Scenario::from_path(library("mixed_model_line.toml")).unwrap();
    let kpis = scenario.run(&Overrides::default()).unwrap();
    let document = serde_json::to_value(&kpis).unwrap();
    let (header, rows) = rows(&run_csv(&document));
    assert_eq!(
        header,
        ["kpi", "scope", "entity", "value", "ci95", "n", "unit"]
    );
    let mut expected = Vec::new();
    for section in ["line", "products", "stations", "buffers", "orders"] {
        leaves(&document[section], format!("/{section}"), &mut expected);
    }
    assert_eq!(rows.len(), expected.len(), "one row per value");
    let catalogue = Catalogue::bundled();
    let mut read_back = BTreeSet::new();
    for row in &rows {
        let entry = catalogue
            .get(&row[0])
            .unwrap_or_else(|| panic!("`{}` is not in the catalogue", row[0]));
        assert_eq!(row[1], entry.scope, "{row:?}");
        assert_eq!((row[4].as_str(), row[5].as_str()), ("", "1"), "{row:?}");
        let unit = match entry.unit.as_str() {
            "time" => "min".to_owned(),
            other => other
                .replace("time unit", "min")
                .replace("time per", "min per"),
        };
        assert_eq!(row[6], unit, "{row:?}");
        // The value, to the bit (or empty where the JSON has null).
        let value: Option<f64> = (!row[3].is_empty()).then(|| row[3].parse().unwrap());
        read_back.insert((row[0].clone(), row[2].clone(), value.map(f64::to_bits)));
    }
    let press_apt = kpis.stations["press"].iso.apt;
    assert!(read_back.contains(&(
        "stations.*.iso.apt".to_owned(),
        "press".to_owned(),
        Some(press_apt.to_bits())
    )));
    let first_order = &kpis.orders.as_ref().unwrap().table[0];
    assert!(read_back.contains(&(
        "order.release".to_owned(),
        first_order.id.clone(),
        Some(first_order.release.to_bits())
    )));
    let mut values: Vec<Option<u64>> = expected.iter().map(|(_, v)| v.map(f64::to_bits)).collect();
    let mut csv_values: Vec<Option<u64>> = rows
        .iter()
        .map(|r| (!r[3].is_empty()).then(|| r[3].parse::<f64>().unwrap().to_bits()))
        .collect();
    values.sort_unstable();
    csv_values.sort_unstable();
    assert_eq!(csv_values, values, "the same multiset of values");
}

#[test]
fn an_experiments_csv_has_a_row_per_point_and_kpi_with_its_statistic() {
    let result = crate::bundled_experiment("serial_line.toml", 4, 3000.0);
    let document: Value = serde_json::from_str(&result.to_json()).unwrap();
    let (header, rows) = rows(&experiment_csv(&document));
    assert_eq!(
        header,
        [
            "design_point",
            "kpi",
            "scope",
            "entity",
            "mean",
            "ci95",
            "n",
            "unit"
        ]
    );
    let throughput = rows
        .iter()
        .find(|r| r[1] == "line.throughput")
        .expect("a throughput row");
    let ci = result.points[0].kpi("line.throughput").unwrap();
    assert_eq!(throughput[4].parse::<f64>().unwrap(), ci.mean);
    assert_eq!(throughput[5].parse::<f64>().unwrap(), ci.half_width);
    assert_eq!(throughput[6], "4");
    assert_eq!(throughput[7], "parts per min");
    let points: BTreeSet<&str> = rows.iter().map(|r| r[0].as_str()).collect();
    assert_eq!(points.len(), result.points.len());
    for row in &rows {
        assert!(Catalogue::bundled().get(&row[1]).is_some(), "{row:?}");
    }
}

#[test]
fn run_and_experiment_print_csv() {
    let file = library("serial_line.toml");
    let file = file.to_str().unwrap();
    let run = linetwin(&["run", file, "--csv", "--horizon", "2000"]);
    assert!(run.status.success());
    let text = String::from_utf8(run.stdout).unwrap();
    assert!(
        text.starts_with("kpi,scope,entity,value,ci95,n,unit\n"),
        "{text}"
    );
    assert!(text.contains("\nstations.*.iso.apt,station,S1,"));
    let experiment = linetwin(&[
        "experiment",
        file,
        "--csv",
        "--replications",
        "2",
        "--horizon",
        "2000",
    ]);
    assert!(experiment.status.success());
    let text = String::from_utf8(experiment.stdout).unwrap();
    assert!(text.starts_with("design_point,kpi,scope,entity,mean,ci95,n,unit\n"));
    let both = linetwin(&["run", file, "--csv", "--json"]);
    assert_eq!(both.status.code(), Some(2));
    assert!(both.stdout.is_empty());
}
