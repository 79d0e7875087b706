//! Campaign wheels: per station with a setup matrix, an order of its families with low setups.
//!
//! A station's `[stations.setup]` matrix becomes a [`SetupGraph`] over the families of
//! the products that visit the station, each ordered pair weighted by its mean setup
//! time; [`twin_models::sequencing::changeover_cycle`] then proposes the cycle. The
//! report sets the proposal beside the cycle in the families' declaration order, the
//! order a planner who never thought about it would run.

use std::collections::HashMap;

use serde::Serialize;
use sim_core::Distribution;
use twin_models::LineSpec;
use twin_models::sequencing::{Method, SetupGraph, changeover_cycle};

use crate::error::{FieldPath, Issue};
use crate::{Scenario, ScenarioError};

/// The `schema` value of [`SetupsReport::to_json`].
pub const SETUPS_SCHEMA: &str = "linetwin.setups/1";

/// The proposed campaign wheel of every station that has a setup matrix.
#[derive(Clone, Debug, PartialEq)]
pub struct SetupsReport {
    /// Scenario name.
    pub scenario: String,
    /// Unit of every setup time in the report (`s`, `min`, `h`).
    pub time_unit: &'static str,
    /// One entry per station with a setup matrix, in declaration order; empty when
    /// no station has one.
    pub stations: Vec<StationWheel>,
}

/// One station's campaign wheel.
#[derive(Clone, Debug, PartialEq)]
pub struct StationWheel {
    /// Station name.
    pub station: String,
    /// The families of the products that visit the station, in declaration order
    /// (the order products first name them). Empty if no product visits it.
    pub families: Vec<String>,
    /// The proposed cycle: every family of `families` once, starting with the first;
    /// after the last one the wheel returns to the first.
    pub sequence: Vec<String>,
    /// Mean setup time of one turn of `sequence`, the return to the first family
    /// included.
    pub total_setup: f64,
    /// Mean setup time of one turn in the order of `families`, for comparison.
    pub declaration_order_total: f64,
    /// Whether `sequence` is optimal ([`Method::Exact`], up to
    /// [`EXACT_MAX_FAMILIES`](twin_models::sequencing::EXACT_MAX_FAMILIES) families)
    /// or a local optimum ([`Method::Heuristic`]).
    pub method: Method,
}

/// The families (indices into [`LineSpec::families`]) of the products whose route
/// visits station `station` in any step, alternatives included, in declaration order.
///
/// # Panics
///
/// If `station` is not a station index of `line`.
pub fn station_families(line: &LineSpec, station: usize) -> Vec<usize> {
    assert!(
        station < line.stations.len(),
        "station {station}: the line has {} stations",
        line.stations.len()
    );
    let mut visits = vec![false; line.families.len()];
    for product in &line.products {
        if product.route.iter().flatten().any(|&s| s == station) {
            visits[product.family] = true;
        }
    }
    (0..line.families.len()).filter(|&f| visits[f]).collect()
}

/// The setup graph of station number `station` of `scenario` over the families that
/// visit it (see [`station_families`]), or `None` if the station has no setup matrix.
///
/// # Returns
///
/// A [`SetupGraph`] whose families are numbered as in [`station_families`]; the edge
/// of every ordered pair of different families is the mean of the pair's setup
/// distribution, else of the matrix's `default`, else absent (the change costs 0).
/// Means are [`sim_core::Distribution::mean`], which for `normal` is the mean before
/// truncation at 0 (as for OEE's planned run time).
///
/// # Errors
///
/// [`ScenarioError::Invalid`] for a setup time whose mean is not finite (e.g. a
/// lognormal with a huge `mu`), naming the field of the pair or of the default. A
/// validated scenario gives no other.
///
/// # Complexity
///
/// O(F² + L + P·R): every ordered pair of the station's F families, its L listed
/// pairs, and one pass over the routes of the P products.
///
/// # Panics
///
/// If `station` is not a station index of the scenario's line.
///
/// # Examples
///
/// ```
/// use scenarios::Scenario;
/// use scenarios::setups::setup_graph;
///
/// let text = r#"
///     [scenario]
///     name = "press"
///     time_unit = "s"
///     horizon = 100
///
///     [[products]]
///     name = "thin"
///     route = ["press"]
///
///     [[products]]
///     name = "thick"
///     route = ["press"]
///
///     [[stations]]
///     name = "press"
///     processing = { dist = "constant", value = 1.0 }
///     setup = { default = { dist = "uniform", min = 20, max = 40 } }
///
///     [[sources]]
///     name = "coils"
///     kind = "saturated"
///     mix = { thin = 1, thick = 1 }
///
///     [[sinks]]
///     name = "out"
/// "#;
/// let scenario = Scenario::from_toml(text, "press.toml")?;
/// let graph = setup_graph(&scenario, 0).expect("the press has a setup matrix")?;
/// assert_eq!(graph.family_index("thick"), Some(1));
/// assert_eq!(graph.cost(0, 1), 30.0); // the default's mean, both ways
/// assert_eq!(graph.cost(1, 0), 30.0);
/// # Ok::<(), scenarios::ScenarioError>(())
/// ```
pub fn setup_graph(
    scenario: &Scenario,
    station: usize,
) -> Option<Result<SetupGraph, ScenarioError>> {
    let line = scenario.line();
    let setup = line.stations[station].setup.as_ref()?;
    let families = station_families(line, station);
    let names = |f: usize| line.families[f].as_str();
    let listed: HashMap<(usize, usize), &Distribution> =
        setup.pairs.iter().map(|(f, t, d)| ((*f, *t), d)).collect();
    let mut graph = SetupGraph::new(families.iter().map(|&f| names(f)));
    let path = FieldPath::root("stations").index(station).key("setup");
    for &from in &families {
        for &to in families.iter().filter(|&&to| to != from) {
            let (time, field) = match (listed.get(&(from, to)).copied(), &setup.default) {
                (Some(time), _) => (time, path.key("times").key(names(from)).key(names(to))),
                (None, Some(default)) => (default, path.key("default")),
                (None, None) => continue,
            };
            if let Err(e) = graph.set(names(from), names(to), time.mean()) {
                return Some(Err(scenario.locate(Issue::new(field, e.to_string()))));
            }
        }
    }
    Some(Ok(graph))
}

impl SetupsReport {
    /// The campaign wheel of every station of `scenario` that has a setup matrix.
    ///
    /// # Returns
    ///
    /// For each such station, the cycle [`changeover_cycle`] proposes over the graph of
    /// [`setup_graph`] (optimal up to 15 families, a local optimum above), its mean
    /// setup time per cycle, and that of the cycle in declaration order. A station no
    /// product visits has empty lists and totals of 0.
    ///
    /// # Errors
    ///
    /// The [`ScenarioError::Invalid`] of [`setup_graph`].
    ///
    /// # Complexity
    ///
    /// Per station, O(2ⁿ n²) for n ≤ 15 families (about 5 ms at 15 in a release
    /// build), the heuristic's cost above.
    ///
    /// # Examples
    ///
    /// ```
    /// use scenarios::Scenario;
    /// use scenarios::setups::SetupsReport;
    /// use twin_models::sequencing::Method;
    ///
    /// let text = r#"
    ///     [scenario]
    ///     name = "paint"
    ///     time_unit = "min"
    ///     horizon = 1000
    ///
    ///     [[products]]
    ///     name = "dark"
    ///     route = ["booth"]
    ///
    ///     [[products]]
    ///     name = "light"
    ///     route = ["booth"]
    ///
    ///     [[stations]]
    ///     name = "booth"
    ///     processing = { dist = "constant", value = 2.0 }
    ///     setup.times.dark.light = { dist = "exponential", mean = 30 }
    ///     setup.default = { dist = "uniform", min = 4, max = 6 }
    ///
    ///     [[sources]]
    ///     name = "orders"
    ///     kind = "saturated"
    ///     sequence = ["light", "dark"]
    ///
    ///     [[sinks]]
    ///     name = "out"
    /// "#;
    /// let scenario = Scenario::from_toml(text, "paint.toml")?;
    /// let report = SetupsReport::new(&scenario)?;
    /// let booth = &report.stations[0];
    /// assert_eq!(booth.sequence, ["dark", "light"]);
    /// // dark -> light 30 (the pair), light -> dark 5 (the default's mean).
    /// assert_eq!(booth.total_setup, 35.0);
    /// assert_eq!(booth.method, Method::Exact);
    /// # Ok::<(), scenarios::ScenarioError>(())
    /// ```
    pub fn new(scenario: &Scenario) -> Result<Self, ScenarioError> {
        let line = scenario.line();
        let mut stations = Vec::new();
        for (s, spec) in line.stations.iter().enumerate() {
            let Some(graph) = setup_graph(scenario, s) else {
                continue;
            };
            let graph = graph?;
            let families: Vec<String> = station_families(line, s)
                .into_iter()
                .map(|f| line.families[f].clone())
                .collect();
            let names: Vec<&str> = families.iter().map(String::as_str).collect();
            let wheel = if names.is_empty() {
                StationWheel {
                    station: spec.name.clone(),
                    families: Vec::new(),
                    sequence: Vec::new(),
                    total_setup: 0.0,
                    declaration_order_total: 0.0,
                    method: Method::Exact,
                }
            } else {
                let cycle = changeover_cycle(&graph, &names).map_err(|e| {
                    scenario.locate(Issue::new(
                        FieldPath::root("stations").index(s).key("setup"),
                        e.to_string(),
                    ))
                })?;
                StationWheel {
                    station: spec.name.clone(),
                    declaration_order_total: cycle_total(&graph, names.len()),
                    families,
                    sequence: cycle.order,
                    total_setup: cycle.total_setup,
                    method: cycle.method,
                }
            };
            stations.push(wheel);
        }
        Ok(Self {
            scenario: line.name.clone(),
            time_unit: line.time_unit.symbol(),
            stations,
        })
    }

    /// The report as pretty-printed `linetwin.setups/1` JSON, ending with a newline.
    ///
    /// `{"schema", "scenario", "time_unit", "stations": [{"station", "families",
    /// "sequence", "total_setup", "declaration_order_total", "method"}]}`, `method`
    /// being `"exact"` or `"heuristic"`; deterministic like the KPI JSON.
    pub fn to_json(&self) -> String {
        #[derive(Serialize)]
        struct Report<'a> {
            schema: &'static str,
            scenario: &'a str,
            time_unit: &'static str,
            stations: Vec<Station<'a>>,
        }
        #[derive(Serialize)]
        struct Station<'a> {
            station: &'a str,
            families: &'a [String],
            sequence: &'a [String],
            total_setup: f64,
            declaration_order_total: f64,
            method: &'static str,
        }
        let report = Report {
            schema: SETUPS_SCHEMA,
            scenario: &self.scenario,
            time_unit: self.time_unit,
            stations: self
                .stations
                .iter()
                .map(|w| Station {
                    station: &w.station,
                    families: &w.families,
                    sequence: &w.sequence,
                    total_setup: w.total_setup,
                    declaration_order_total: w.declaration_order_total,
                    method: method_name(w.method),
                })
                .collect(),
        };
        let mut text = serde_json::to_string_pretty(&report)
            .unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
        text.push('\n');
        text
    }

    /// The report as text for a terminal: per station the proposed cycle and its
    /// mean setup time per cycle beside the declaration order's, and the saving; one
    /// line saying so when no station has a setup matrix.
    pub fn to_table(&self) -> String {
        use std::fmt::Write as _;

        if self.stations.is_empty() {
            return format!(
                "{}: no station has a setup matrix (`[stations.setup]`); nothing to sequence\n",
                self.scenario
            );
        }
        let unit = self.time_unit;
        let wheel = |families: &[String]| match families.first() {
            Some(first) => format!("{} → ({first})", families.join(" → ")),
            None => String::new(),
        };
        let mut out = format!(
            "{} — campaign wheels from the mean setup times ({unit} per cycle)\n",
            self.scenario
        );
        for w in &self.stations {
            let method = match w.method {
                Method::Exact => "exact (optimal)",
                Method::Heuristic => "heuristic (local optimum)",
            };
            let _ = writeln!(
                out,
                "\n{}: {} families, {method}",
                w.station,
                w.families.len()
            );
            if w.families.is_empty() {
                let _ = writeln!(out, "  no product visits this station");
                continue;
            }
            let saving = w.declaration_order_total - w.total_setup;
            let mut rows = vec![
                ("proposed", time(w.total_setup), wheel(&w.sequence)),
                (
                    "declaration order",
                    time(w.declaration_order_total),
                    wheel(&w.families),
                ),
            ];
            if saving > 0.0 {
                let share = 100.0 * saving / w.declaration_order_total;
                rows.push(("saving", time(saving), format!("{share:.1}%")));
            }
            let width = rows.iter().map(|r| r.1.len()).max().unwrap_or(0);
            for (label, total, detail) in rows {
                let _ = writeln!(out, "  {label:<17}  {total:>width$} {unit}  {detail}");
            }
        }
        out
    }
}

/// A setup time for the table: at most two decimals, trailing zeros dropped.
fn time(x: f64) -> String {
    if !x.is_finite() {
        return "n/a".to_owned();
    }
    let text = format!("{x:.2}");
    text.trim_end_matches('0').trim_end_matches('.').to_owned()
}

/// The JSON name of a method.
fn method_name(method: Method) -> &'static str {
    match method {
        Method::Exact => "exact",
        Method::Heuristic => "heuristic",
    }
}

/// The setup time of the cycle through the first `n` families of `graph` in their
/// order, summed as [`changeover_cycle`] sums its own (closing edge last), so that
/// equal cycles give equal totals.
fn cycle_total(graph: &SetupGraph, n: usize) -> f64 {
    let path: f64 = (1..n).map(|i| graph.cost(i - 1, i)).sum();
    path + graph.cost(n - 1, 0)
}
