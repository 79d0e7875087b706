//! Campaign wheels from a scenario's setup matrices (`scenarios::setups`): which
//! families a station's graph holds, the mean setup times on its edges, the proposed
//! cycle against a hand-worked optimum, and the declaration-order comparison.

use scenarios::Scenario;
use scenarios::setups::{SETUPS_SCHEMA, SetupsReport, station_families};
use serde_json::Value;
use twin_models::sequencing::Method;

use crate::MINIMAL;

/// A paint booth making four families, then a packing station that every product
/// visits, a product of a fifth family, `E`, that skips the booth, and a labelling
/// station (for `E` only) without a setup matrix.
///
/// The booth's mean setup times (from → to), three of them given as distributions
/// with that mean and `D → A` left to the default (constant 9):
///
/// ```text
///         to A   to B   to C   to D
/// from A    —     10      2    8 (triangular 6, 8, 10)
/// from B    3      —      9    7 (uniform 4..10)
/// from C    6    8 (exponential) —  1
/// from D    9 (default)  2    5      —
/// ```
///
/// The six cycles through A, B, C, D starting at A:
///
/// ```text
/// A B C D A: 10 + 9 + 1 + 9 = 29   (declaration order)
/// A B D C A: 10 + 7 + 5 + 6 = 28
/// A C B D A:  2 + 8 + 7 + 9 = 26
/// A C D B A:  2 + 1 + 2 + 3 =  8   (the optimum, unique)
/// A D B C A:  8 + 2 + 9 + 6 = 25
/// A D C B A:  8 + 5 + 8 + 3 = 24
/// ```
///
/// The packing station has only a default of 2 for every change: any cycle through
/// its five families costs 5 × 2 = 10, and the tie goes to declaration order.
/// Products `a1` and `a2` share family `A`; product `D` names none and is its own.
/// Parts arrive every 8 min on average, so that the booth keeps up even under
/// first in first out (about 5 min of setup per part in a random sequence).
pub(crate) const FOUR_FAMILIES: &str = r#"[scenario]
name = "paint shop"
time_unit = "min"
horizon = 2000

[[products]]
name = "a1"
family = "A"
route = ["booth", "pack"]

[[products]]
name = "b"
family = "B"
route = ["booth", "pack"]

[[products]]
name = "a2"
family = "A"
route = ["booth", "pack"]

[[products]]
name = "c"
family = "C"
route = ["booth", "pack"]

[[products]]
name = "D"
route = ["booth", "pack"]

[[products]]
name = "e"
family = "E"
route = ["pack", "label"]

[[sources]]
name = "orders"
kind = "arrivals"
interarrival = { dist = "exponential", mean = 8.0 }
mix = { a1 = 0.2, a2 = 0.2, b = 0.2, c = 0.2, D = 0.1, e = 0.1 }

[[sinks]]
name = "out"

[[stations]]
name = "booth"
processing = { dist = "constant", value = 1.0 }

[stations.setup]
initial = "B"
default = { dist = "constant", value = 9 }

[stations.setup.times.A]
B = { dist = "constant", value = 10 }
C = { dist = "constant", value = 2 }
D = { dist = "triangular", min = 6, mode = 8, max = 10 }

[stations.setup.times.B]
A = { dist = "constant", value = 3 }
C = { dist = "constant", value = 9 }
D = { dist = "uniform", min = 4, max = 10 }

[stations.setup.times.C]
A = { dist = "constant", value = 6 }
B = { dist = "exponential", mean = 8 }
D = { dist = "constant", value = 1 }

[stations.setup.times.D]
B = { dist = "constant", value = 2 }
C = { dist = "constant", value = 5 }

[[stations]]
name = "pack"
processing = { dist = "constant", value = 0.5 }
setup = { default = { dist = "constant", value = 2 } }

[[stations]]
name = "label"
processing = { dist = "constant", value = 0.5 }
"#;

fn scenario(text: &str) -> Scenario {
    Scenario::from_toml(text, "test.toml").expect("valid scenario")
}

fn report(text: &str) -> SetupsReport {
    SetupsReport::new(&scenario(text)).expect("a report")
}

#[test]
fn four_family_booth_gets_the_hand_worked_optimum() {
    let report = report(FOUR_FAMILIES);
    assert_eq!(report.scenario, "paint shop");
    assert_eq!(report.time_unit, "min");
    let booth = &report.stations[0];
    assert_eq!(booth.station, "booth");
    assert_eq!(booth.families, ["A", "B", "C", "D"]);
    assert_eq!(booth.sequence, ["A", "C", "D", "B"]);
    assert_eq!(booth.total_setup, 8.0);
    assert_eq!(booth.declaration_order_total, 29.0);
    assert_eq!(booth.method, Method::Exact);
}

#[test]
fn only_stations_with_a_setup_matrix_are_reported() {
    let report = report(FOUR_FAMILIES);
    let stations: Vec<&str> = report.stations.iter().map(|w| w.station.as_str()).collect();
    assert_eq!(stations, ["booth", "pack"]);
}

#[test]
fn families_that_skip_a_station_are_not_in_its_wheel() {
    let scenario = scenario(FOUR_FAMILIES);
    let line = scenario.line();
    assert_eq!(line.families, ["A", "B", "C", "D", "E"]);
    assert_eq!(station_families(line, 0), [0, 1, 2, 3]);
    assert_eq!(station_families(line, 1), [0, 1, 2, 3, 4]);
    assert_eq!(station_families(line, 2), [4]);
}

#[test]
fn default_only_matrix_ties_go_to_declaration_order() {
    let report = report(FOUR_FAMILIES);
    let pack = &report.stations[1];
    assert_eq!(pack.families, ["A", "B", "C", "D", "E"]);
    assert_eq!(pack.sequence, pack.families);
    assert_eq!(pack.total_setup, 10.0);
    assert_eq!(pack.declaration_order_total, 10.0);
}

#[test]
fn pairs_not_listed_without_a_default_cost_nothing() {
    // Without the default, D -> A costs 0 and the declaration order A B C D drops
    // from 29 to 20; A C D B A does not use D -> A and stays the optimum at 8.
    let text = FOUR_FAMILIES.replace("default = { dist = \"constant\", value = 9 }\n", "");
    let booth = &report(&text).stations[0];
    assert_eq!(booth.declaration_order_total, 10.0 + 9.0 + 1.0);
    assert_eq!(booth.sequence, ["A", "C", "D", "B"]);
    assert_eq!(booth.total_setup, 8.0);
}

#[test]
fn one_family_costs_nothing() {
    let text = format!("{MINIMAL}setup = {{ default = {{ dist = \"constant\", value = 5 }} }}\n");
    let report = report(&text);
    let a = &report.stations[0];
    assert_eq!(a.families, ["p"]);
    assert_eq!(a.sequence, ["p"]);
    assert_eq!((a.total_setup, a.declaration_order_total), (0.0, 0.0));
    assert_eq!(a.method, Method::Exact);
}

#[test]
fn station_no_product_visits_has_an_empty_wheel() {
    let text = format!(
        "{FOUR_FAMILIES}\n[[stations]]\nname = \"spare\"\n\
         processing = {{ dist = \"constant\", value = 1 }}\n\
         setup = {{ default = {{ dist = \"constant\", value = 1 }} }}\n"
    );
    let scenario = scenario(&text);
    assert_eq!(scenario.warnings.len(), 1, "{:?}", scenario.warnings);
    let report = SetupsReport::new(&scenario).expect("a report");
    let spare = &report.stations[2];
    assert_eq!(spare.station, "spare");
    assert!(spare.families.is_empty() && spare.sequence.is_empty());
    assert_eq!(
        (spare.total_setup, spare.declaration_order_total),
        (0.0, 0.0)
    );
    assert!(
        report
            .to_table()
            .ends_with("\nspare: 0 families, exact (optimal)\n  no product visits this station\n"),
        "{}",
        report.to_table()
    );
}

/// Sixteen families (one more than the exact method takes) on a ring: `F<i>` to
/// `F<i+1>` costs 1 and every other change the default 10, so the only cycle of
/// total 16 goes around the ring. The products are declared even families first
/// (F0 F2 … F14 F1 F3 … F15), so the declaration order uses one ring edge, the
/// return F15 -> F0: 15 × 10 + 1 = 151.
#[test]
fn sixteen_families_use_the_heuristic_and_find_the_ring() {
    let n = 16;
    let order: Vec<usize> = (0..n).step_by(2).chain((1..n).step_by(2)).collect();
    let mut text = String::from(
        "[scenario]\nname = \"ring\"\ntime_unit = \"s\"\nhorizon = 100\n\n\
         [[sources]]\nname = \"src\"\nkind = \"arrivals\"\n\
         interarrival = { dist = \"constant\", value = 1 }\n",
    );
    text.push_str(&format!(
        "sequence = [{}]\n\n[[sinks]]\nname = \"out\"\n\n",
        (0..n)
            .map(|i| format!("\"F{i}\""))
            .collect::<Vec<_>>()
            .join(", ")
    ));
    for i in &order {
        text.push_str(&format!(
            "[[products]]\nname = \"F{i}\"\nroute = [\"M\"]\n\n"
        ));
    }
    text.push_str(
        "[[stations]]\nname = \"M\"\nprocessing = { dist = \"constant\", value = 0.5 }\n\n\
         [stations.setup]\ndefault = { dist = \"constant\", value = 10 }\n",
    );
    for i in 0..n {
        text.push_str(&format!(
            "times.F{i}.F{} = {{ dist = \"constant\", value = 1 }}\n",
            (i + 1) % n
        ));
    }
    let m = &report(&text).stations[0];
    let declared: Vec<String> = order.iter().map(|i| format!("F{i}")).collect();
    assert_eq!(m.families, declared);
    assert_eq!(m.method, Method::Heuristic);
    let ring: Vec<String> = (0..n).map(|i| format!("F{i}")).collect();
    assert_eq!(m.sequence, ring);
    assert_eq!(m.total_setup, 16.0);
    assert_eq!(m.declaration_order_total, 151.0);
}

#[test]
fn json_has_the_setups_schema_shape() {
    let json: Value = serde_json::from_str(&report(FOUR_FAMILIES).to_json()).expect("JSON");
    assert_eq!(json["schema"], SETUPS_SCHEMA);
    assert_eq!(json["schema"], "linetwin.setups/1");
    assert_eq!(json["scenario"], "paint shop");
    assert_eq!(json["time_unit"], "min");
    let stations = json["stations"].as_array().expect("stations is a list");
    assert_eq!(stations.len(), 2);
    let booth = &stations[0];
    let keys: Vec<&str> = booth
        .as_object()
        .expect("a station is an object")
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        [
            "station",
            "families",
            "sequence",
            "total_setup",
            "declaration_order_total",
            "method"
        ]
    );
    assert_eq!(booth["station"], "booth");
    assert_eq!(booth["families"], serde_json::json!(["A", "B", "C", "D"]));
    assert_eq!(booth["sequence"], serde_json::json!(["A", "C", "D", "B"]));
    assert_eq!(booth["total_setup"], 8.0);
    assert_eq!(booth["declaration_order_total"], 29.0);
    assert_eq!(booth["method"], "exact");
}

#[test]
fn no_setup_matrix_gives_an_empty_report_and_a_one_line_note() {
    let report = report(MINIMAL);
    assert!(report.stations.is_empty());
    assert_eq!(
        report.to_table(),
        "t: no station has a setup matrix (`[stations.setup]`); nothing to sequence\n"
    );
    let json: Value = serde_json::from_str(&report.to_json()).expect("JSON");
    assert_eq!(json["stations"], serde_json::json!([]));
}

#[test]
fn setup_with_an_infinite_mean_names_the_pair() {
    // exp(1000) overflows: a distribution with an infinite mean is refused when
    // the scenario is validated (it would turn every KPI into null).
    let text = FOUR_FAMILIES.replace(
        "B = { dist = \"exponential\", mean = 8 }",
        "B = { dist = \"lognormal\", mu = 1000, sigma = 1 }",
    );
    let error = Scenario::from_toml(&text, "test.toml").expect_err("an infinite mean");
    assert_eq!(
        error.to_string(),
        "test.toml:64: stations[0].setup.times.C.B: the mean must be finite, got inf"
    );
}
