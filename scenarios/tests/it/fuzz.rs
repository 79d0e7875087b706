//! Fuzzing the scenario layer with proptest: mutated bundled scenarios and random
//! structures never make parsing, validation or experiment planning panic, and
//! input that is invalid by construction is an error.
//!
//! The case budget is fixed (no persistence files, a few hundred cases per
//! property) so that the whole module runs in CI in seconds.

use proptest::prelude::*;
use proptest::test_runner::Config;
use scenarios::Scenario;
use scenarios::experiment::{Experiment, ExperimentOptions};

use crate::{BUNDLED, library};

/// Cases per property: enough to find the shallow crashes, cheap enough for CI.
const CASES: u32 = 1000;

fn config() -> Config {
    Config {
        cases: CASES,
        failure_persistence: None,
        ..Config::default()
    }
}

/// Parses and validates `text` as if it were a file in the scenario library, and
/// plans its experiment. Returns whether it was valid; a panic fails the property.
fn validate(text: &str) -> bool {
    match Scenario::from_toml_in(text, "fuzz.toml", &library("")) {
        Ok(scenario) => {
            // Planning may still refuse the [experiment] section; it must not panic.
            let _ = Experiment::new(&scenario, &ExperimentOptions::default());
            true
        }
        Err(e) => {
            assert!(!e.to_string().is_empty());
            false
        }
    }
}

/// Values that have broken parsers and validators before.
const NASTY: &[&str] = &[
    "0",
    "-1",
    "1e-320",
    "1e308",
    "-1e308",
    "nan",
    "inf",
    "-inf",
    "4294967295",
    "18446744073709551615",
    "9223372036854775807",
    "-9223372036854775808",
    "0.0",
    "\"\"",
    "\"a\\nb\"",
    "\"a/b\"",
    "[]",
    "{}",
    "[[1, 2, 3]]",
    "true",
];

/// Snippets inserted at random places.
const SNIPPETS: &[&str] = &[
    "\n[[stations]]\nname = \"X\"\n",
    "\n[[buffers]]\nname = \"B\"\ncapacity = 1\n",
    "\n[[sources]]\nname = \"s2\"\nkind = \"saturated\"\n",
    "\n[experiment]\nreplications = 0\n",
    "\n[[experiment.factors]]\nparameter = \"stations.X.servers\"\nvalues = [1, 2]\n",
    "\n[[experiment.variants]]\nname = \"v\"\nscenario = \"/etc/passwd\"\n",
    "\n[[experiment.variants]]\nname = \"w\"\nset = { \"scenario.horizon\" = 5 }\n",
    "[",
    "]",
    "=",
    "\"",
    "\n",
    ",",
    "{",
    "}",
    "#",
];

/// A bundled scenario's text.
fn bundled(index: usize) -> String {
    std::fs::read_to_string(library(BUNDLED[index % BUNDLED.len()])).expect("bundled file")
}

/// Replaces the number after the `n`-th `=` of `text` (if any) by `value`.
fn replace_value(text: &str, n: usize, value: &str) -> String {
    let positions: Vec<usize> = text.match_indices(" = ").map(|(i, _)| i + 3).collect();
    if positions.is_empty() {
        return text.to_owned();
    }
    let start = positions[n % positions.len()];
    let end = text[start..]
        .find(['\n', ',', '}', ']'])
        .map_or(text.len(), |e| start + e);
    format!("{}{value}{}", &text[..start], &text[end..])
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn mutated_bundled_scenarios_never_panic(
        file in 0usize..BUNDLED.len(),
        edits in prop::collection::vec((0usize..4, any::<usize>(), any::<usize>(), 0usize..64), 1..4),
    ) {
        let mut text = bundled(file);
        for (kind, at, len, pick) in edits {
            let at = at % (text.len() + 1);
            let at = (0..=at).rev().find(|&i| text.is_char_boundary(i)).unwrap_or(0);
            match kind {
                0 => text = replace_value(&text, at, NASTY[pick % NASTY.len()]),
                1 => text.insert_str(at, SNIPPETS[pick % SNIPPETS.len()]),
                2 => {
                    let end = (at + len % 40).min(text.len());
                    let end = (end..=text.len()).find(|&i| text.is_char_boundary(i)).unwrap_or(text.len());
                    text.replace_range(at..end, "");
                }
                _ => text = text.replacen(&format!("{}", pick % 10), NASTY[pick % NASTY.len()], 1),
            }
        }
        validate(&text);
    }

    #[test]
    fn random_lines_never_panic(
        stations in prop::collection::vec(
            ("[a-zA-Z0-9/._ -]{0,6}", 0usize..11, prop::sample::select(NASTY.to_vec()), any::<bool>()),
            1..6,
        ),
        route in prop::collection::vec(0usize..8, 0..6),
        capacity in prop::sample::select(NASTY.to_vec()),
        servers in prop::sample::select(NASTY.to_vec()),
        kind in prop::sample::select(vec!["saturated", "arrivals", "orders", "nope"]),
        horizon in prop::sample::select(NASTY.to_vec()),
    ) {
        let families = [
            "constant\", value = V", "exponential\", mean = V", "exponential\", rate = V",
            "uniform\", min = 0, max = V", "normal\", mean = V, sd = 1",
            "lognormal\", mu = 0, sigma = V", "gamma\", mean = 1, cv = V",
            "erlang\", k = V, mean = 1", "weibull\", shape = V, scale = 1",
            "discrete\", values = [0, 1], weights = [1, V]",
            "piecewise_linear\", points = [[0, 0], [V, 1]]",
        ];
        let names: Vec<String> = stations.iter().map(|s| s.0.clone()).collect();
        let route: Vec<String> = route
            .iter()
            .map(|&i| format!("{:?}", names.get(i).map_or("missing", String::as_str)))
            .collect();
        let mut text = format!(
            "[scenario]\nname = \"f\"\ntime_unit = \"min\"\nhorizon = {horizon}\n\n\
             [[products]]\nname = \"p\"\nroute = [{}]\n\n\
             [[sources]]\nname = \"src\"\nkind = \"{kind}\"\n\
             interarrival = {{ dist = \"exponential\", mean = 1 }}\n\n\
             [[sinks]]\nname = \"out\"\n\n[[buffers]]\nname = \"b\"\ncapacity = {capacity}\n",
            route.join(", ")
        );
        for (name, family, value, buffered) in &stations {
            text.push_str(&format!(
                "\n[[stations]]\nname = {name:?}\nservers = {servers}\nprocessing = {{ dist = \"{} }}\n",
                families[*family].replace('V', value)
            ));
            if *buffered {
                text.push_str("input = \"b\"\n");
            }
        }
        validate(&text);
    }

    #[test]
    fn a_negative_processing_time_is_always_an_error(
        file in 0usize..BUNDLED.len(),
        value in prop::sample::select(vec!["-1", "-1e-300", "nan", "-inf", "0"]),
    ) {
        // Every bundled file has a `processing = { dist = "...", ... }`; make the
        // first one's every number invalid.
        let text = bundled(file);
        let start = text.find("processing = {").expect("a processing time");
        let end = start + text[start..].find('}').expect("closed");
        let bad = format!("processing = {{ dist = \"constant\", value = {value} ");
        let text = format!("{}{bad}{}", &text[..start], &text[end..]);
        prop_assert!(!validate(&text), "accepted:\n{text}");
    }
}
