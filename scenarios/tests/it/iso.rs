//! ISO 22400-2 time elements and KPIs, and energy and carbon: a deterministic
//! line worked out by hand, the standard's identities on a line with every
//! loss (setups, failures, scrap, blocking), renewal-reward values for
//! failures, and the errors of bad metering input.

use scenarios::{Overrides, Scenario};
use serde_json::Value;

/// Parts arrive every 5 min from time 5, take exactly 2 min at `A` (planned
/// run time 2.5), which draws 10 kW busy and 2 kW idle; the hall draws 6 kW.
const DETERMINISTIC: &str = r#"[scenario]
name = "hand-worked"
time_unit = "min"
horizon = 1000

[energy]
line_load_kw = 6
emission_factor = 0.5

[[products]]
name = "p"
route = ["A"]

[[sources]]
name = "src"
kind = "arrivals"
interarrival = { dist = "constant", value = 5 }

[[sinks]]
name = "out"

[[stations]]
name = "A"
processing = { dist = "constant", value = 2 }
planned_run_time = 2.5
power = { busy = 10, idle = 2 }
"#;

fn kpis(text: &str, seed: u64) -> Value {
    let scenario = Scenario::from_toml(text, "test.toml").expect("valid");
    let kpis = scenario
        .run(&Overrides {
            seed: Some(seed),
            ..Overrides::default()
        })
        .expect("runs");
    serde_json::to_value(&kpis).expect("serialises")
}

fn number(v: &Value) -> f64 {
    v.as_f64()
        .unwrap_or_else(|| panic!("expected a number, got {v}"))
}

fn close(actual: f64, expected: f64, what: &str) {
    assert!(
        (actual - expected).abs() <= 1e-9 * expected.abs().max(1.0),
        "{what}: {actual} != {expected}"
    );
}

#[test]
fn a_deterministic_station_has_the_hand_worked_time_elements_and_kpis() {
    let k = kpis(DETERMINISTIC, 1);
    let iso = &k["stations"]["A"]["iso"];
    // Arrivals at 5, 10, …, 1000: 200 parts; the one arriving at 1000 has not
    // started, so 199 are done, each after 2 min of work.
    assert_eq!(iso["pq"], 199);
    assert_eq!(iso["gq"], 199);
    assert_eq!(iso["sq"], 0);
    for (element, value) in [
        ("pot", 1000.0),
        ("pdot", 0.0),
        ("pbt", 1000.0),
        ("apt", 398.0),
        ("asut", 0.0),
        ("adet", 0.0),
        ("aupt", 398.0),
        ("aubt", 398.0),
        ("adot", 602.0),
        ("pri", 2.5),
        ("availability", 0.398),
        // The scenario plans 2.5 min per item; the station takes 2.
        ("effectiveness", 1.25),
        ("quality_ratio", 1.0),
        ("oee_index", 0.398 * 1.25),
        ("utilisation_efficiency", 1.0),
        ("nee_index", 1.25),
        ("allocation_efficiency", 0.398),
        ("technical_efficiency", 1.0),
        ("setup_rate", 0.0),
        ("scrap_ratio", 0.0),
        ("first_pass_yield", 1.0),
    ] {
        close(number(&iso[element]), value, element);
    }
    // No failure, no maintenance: the ratios over them are undefined.
    for undefined in ["mtbf", "mttf", "mttr", "corrective_maintenance_ratio"] {
        assert_eq!(iso[undefined], Value::Null, "{undefined}");
    }
    // Every part is worked on the moment it arrives.
    close(
        number(&k["line"]["iso"]["allocation_ratio"]),
        1.0,
        "allocation ratio",
    );
    close(
        number(&k["line"]["iso"]["production_process_ratio"]),
        1.0,
        "production process ratio",
    );
}

#[test]
fn a_deterministic_line_draws_the_hand_worked_energy() {
    let k = kpis(DETERMINISTIC, 1);
    let station = &k["stations"]["A"]["energy"];
    // kW × minutes / 60.
    let busy = 10.0 * 398.0 / 60.0;
    let idle = 2.0 * 602.0 / 60.0;
    close(number(&station["busy_kwh"]), busy, "busy kWh");
    close(number(&station["idle_kwh"]), idle, "idle kWh");
    close(number(&station["setup_kwh"]), 0.0, "setup kWh");
    close(number(&station["down_kwh"]), 0.0, "down kWh");
    close(number(&station["kwh"]), busy + idle, "station kWh");
    close(
        number(&station["per_good_unit_kwh"]),
        (busy + idle) / 199.0,
        "kWh per good unit",
    );
    let line = &k["line"]["energy"];
    let total = busy + idle + 6.0 * 1000.0 / 60.0;
    close(number(&line["line_load_kwh"]), 100.0, "line load kWh");
    close(number(&line["kwh"]), total, "line kWh");
    close(
        number(&line["per_good_part_kwh"]),
        total / 199.0,
        "kWh per part",
    );
    close(
        number(&line["good_parts_per_kwh"]),
        199.0 / total,
        "parts per kWh",
    );
    close(number(&line["co2_kg"]), total * 0.5, "CO2");
    close(
        number(&line["co2_per_good_part_kg"]),
        total * 0.5 / 199.0,
        "CO2 per part",
    );
    // One product: it carries all of it.
    let product = &k["products"]["p"]["energy"];
    close(number(&product["kwh"]), total, "product kWh");
    close(
        number(&product["per_part_kwh"]),
        total / 199.0,
        "product kWh per part",
    );
}

#[test]
fn a_line_without_metering_reports_no_energy() {
    let unmetered = DETERMINISTIC
        .replace("power = { busy = 10, idle = 2 }\n", "")
        .replace("[energy]\nline_load_kw = 6\nemission_factor = 0.5\n", "");
    let k = kpis(&unmetered, 1);
    assert!(k["line"].get("energy").is_none());
    assert!(k["stations"]["A"].get("energy").is_none());
    assert!(k["products"]["p"].get("energy").is_none());
    // Without a planned run time the mean processing time is planned.
    let unplanned = unmetered.replace("planned_run_time = 2.5\n", "");
    let iso = &kpis(&unplanned, 1)["stations"]["A"]["iso"];
    close(number(&iso["pri"]), 2.0, "default planned run time");
    close(
        number(&iso["effectiveness"]),
        1.0,
        "effectiveness at the mean",
    );
}

/// Two products of two families through a press with setups and scrap into a
/// small buffer before an unreliable, metered second station.
const LOSSY: &str = r#"[scenario]
name = "every loss"
time_unit = "s"
horizon = 200000
warmup = 2000

[[products]]
name = "a"
route = ["press", "weld"]
[[products]]
name = "b"
route = ["press", "weld"]

[[sources]]
name = "src"
kind = "arrivals"
interarrival = { dist = "exponential", mean = 3.0 }
mix = { a = 2, b = 1 }

[[sinks]]
name = "out"

[[buffers]]
name = "between"
capacity = 2

[[stations]]
name = "press"
processing = { dist = "gamma", mean = 1.5, cv = 0.5 }
scrap = 0.05
power = { busy = 30, setup = 12, starved = 4, blocked = 6, down = 1 }
failures = [{ name = "die", clock = "busy", ttf = { dist = "exponential", mean = 400 }, ttr = { dist = "exponential", mean = 30 } }]
setup = { default = { dist = "constant", value = 0.5 } }

[[stations]]
name = "weld"
input = "between"
servers = 2
processing = { dist = "lognormal", mean = 4.5, cv = 0.4 }
planned_run_time = { a = 4.0 }
power = { busy = 20, idle = 3, down = 2 }
failures = [{ name = "gun", clock = "calendar", ttf = { dist = "weibull", mean = 900, cv = 0.6 }, ttr = { dist = "lognormal", mean = 60, cv = 1.0 } }]
"#;

#[test]
fn the_time_elements_add_up_and_the_kpis_follow_the_standards_formulas() {
    for seed in [1, 2, 3] {
        let k = kpis(LOSSY, seed);
        for (name, station) in k["stations"].as_object().expect("stations") {
            let iso = &station["iso"];
            let t = |key: &str| number(&iso[key]);
            let what = |key: &str| format!("seed {seed}, {name}: {key}");
            let period = 200_000.0 - 2000.0;
            close(t("pot"), number(&station["servers"]) * period, &what("POT"));
            // POT = PDOT + ADOT + ADET + ASUT + APT, through the hierarchy.
            close(t("pbt"), t("pot") - t("pdot"), &what("PBT"));
            close(t("aubt"), t("pbt") - t("adot"), &what("AUBT"));
            close(t("aupt"), t("aubt") - t("adet"), &what("AUPT"));
            close(t("apt"), t("aupt") - t("asut"), &what("APT"));
            // The elements are the state times.
            let states = &station["states"];
            let share = |state: &str| number(&states[state]) * t("pot");
            close(t("apt"), share("busy"), &what("APT = busy"));
            close(t("asut"), share("setup"), &what("ASUT = setup"));
            close(t("adet"), share("down"), &what("ADET = down"));
            close(
                t("adot"),
                share("starved") + share("blocked"),
                &what("ADOT"),
            );
            assert!(t("adet") > 0.0 && t("adot") > 0.0, "{}", what("losses"));
            // Quantities.
            assert_eq!(iso["pq"], station["operations"], "{}", what("PQ"));
            assert_eq!(iso["sq"], station["scrapped"], "{}", what("SQ"));
            assert_eq!(iso["fe"], station["failures"], "{}", what("FE"));
            let (pq, gq) = (t("pq"), t("gq"));
            assert_eq!(gq, pq - t("sq"), "{}", what("GQ"));
            // KPIs.
            close(
                t("availability"),
                t("apt") / t("pbt"),
                &what("availability"),
            );
            close(
                t("effectiveness"),
                t("pri") * pq / t("apt"),
                &what("effectiveness"),
            );
            close(t("quality_ratio"), gq / pq, &what("quality ratio"));
            close(
                t("oee_index"),
                t("availability") * t("effectiveness") * t("quality_ratio"),
                &what("OEE = A × E × Q"),
            );
            close(
                t("nee_index"),
                t("utilisation_efficiency") * t("effectiveness") * t("quality_ratio"),
                &what("NEE"),
            );
            close(
                t("utilisation_efficiency"),
                t("apt") / t("aubt"),
                &what("UE"),
            );
            close(
                t("allocation_efficiency"),
                t("aubt") / t("pbt"),
                &what("AE"),
            );
            close(
                t("technical_efficiency"),
                t("apt") / (t("apt") + t("adet")),
                &what("TE"),
            );
            close(t("setup_rate"), t("asut") / t("aupt"), &what("setup rate"));
            close(t("scrap_ratio"), t("sq") / pq, &what("scrap ratio"));
            close(t("mttr"), t("adet") / t("fe"), &what("MTTR"));
            close(
                t("mtbf"),
                t("mttf") + t("mttr"),
                &what("MTBF = MTTF + MTTR"),
            );
            close(t("corrective_maintenance_ratio"), 1.0, &what("CMR"));
            // The familiar OEE block is the same numbers.
            let oee = &station["oee"];
            close(
                number(&oee["availability"]),
                t("availability"),
                &what("oee.A"),
            );
            close(
                number(&oee["performance"]),
                t("effectiveness"),
                &what("oee.P"),
            );
            close(number(&oee["oee"]), t("oee_index"), &what("oee.oee"));
            // Energy by state, two ways: the energy block, and the state
            // fractions × the power table × POT in hours.
            let e = &station["energy"];
            close(
                number(&e["kwh"]),
                number(&e["busy_kwh"])
                    + number(&e["setup_kwh"])
                    + number(&e["idle_kwh"])
                    + number(&e["down_kwh"]),
                &what("kWh by state"),
            );
        }
        let press = &k["stations"]["press"];
        let hours =
            |state: &str| number(&press["states"][state]) * number(&press["iso"]["pot"]) / 3600.0;
        let by_hand = 30.0 * hours("busy")
            + 12.0 * hours("setup")
            + 4.0 * hours("starved")
            + 6.0 * hours("blocked")
            + hours("down");
        close(
            number(&press["energy"]["kwh"]),
            by_hand,
            "press kWh by hand",
        );
        assert!(number(&press["iso"]["asut"]) > 0.0 && number(&press["iso"]["sq"]) > 0.0);
        // The weld's planned run time is 4.0 for `a` and the mean 4.5 for `b`,
        // so its mean planned time per item lies strictly between.
        let pri = number(&k["stations"]["weld"]["iso"]["pri"]);
        assert!(4.0 < pri && pri < 4.5, "weld PRI {pri}");
        // A metered line without `[energy]`: no line load, the default factor.
        let line = &k["line"]["energy"];
        close(number(&line["line_load_kwh"]), 0.0, "no line load");
        close(number(&line["emission_factor"]), 0.5366, "default factor");
        let stations: f64 = ["press", "weld"]
            .iter()
            .map(|s| number(&k["stations"][s]["energy"]["kwh"]))
            .sum();
        close(number(&line["kwh"]), stations, "line kWh");
        let products: f64 = ["a", "b"]
            .iter()
            .map(|p| number(&k["products"][p]["energy"]["kwh"]))
            .sum();
        close(
            products,
            number(&line["kwh"]),
            "products share the line's energy",
        );
        // Line quality: good parts over finished ones.
        let (good, scrapped) = (
            number(&k["line"]["parts_completed"]),
            number(&k["line"]["parts_scrapped"]),
        );
        close(
            number(&k["line"]["iso"]["scrap_ratio"]),
            scrapped / (good + scrapped),
            "line scrap ratio",
        );
    }
}

#[test]
fn allocation_and_production_process_ratios_follow_littles_law() {
    // Σ APT over stations / Σ time in the line; by Little's law the latter is
    // the mean WIP × the period, and also throughput × period × mean lead time
    // (up to the parts in the line at the ends of the period).
    let k = kpis(&LOSSY.replace("scrap = 0.05\n", ""), 7);
    let period = 198_000.0;
    let apt: f64 = ["press", "weld"]
        .iter()
        .map(|s| number(&k["stations"][s]["iso"]["apt"]))
        .sum();
    let wip_time = number(&k["line"]["wip_mean"]) * period;
    close(
        number(&k["line"]["iso"]["production_process_ratio"]),
        apt / wip_time,
        "PPR from the WIP",
    );
    let lead_time_total =
        number(&k["line"]["parts_completed"]) * number(&k["line"]["lead_time"]["mean"]);
    let ppr_lead = apt / lead_time_total;
    let ppr = number(&k["line"]["iso"]["production_process_ratio"]);
    // Only the parts in the line at the ends of the period differ: a handful
    // against some 66 000 completed.
    assert!((ppr - ppr_lead).abs() < 0.002 * ppr, "{ppr} vs {ppr_lead}");
    let aubt: f64 = ["press", "weld"]
        .iter()
        .map(|s| number(&k["stations"][s]["iso"]["aubt"]))
        .sum();
    close(
        number(&k["line"]["iso"]["allocation_ratio"]),
        aubt / wip_time,
        "allocation ratio",
    );
}

#[test]
fn mttf_mttr_and_availability_match_renewal_reward() {
    // A saturated station that fails on a calendar clock (TTF mean 100) and
    // is repaired in 10 on average: up/down cycles of mean 110, so over a long
    // run availability = technical efficiency = 100/110, MTTF ≈ 100 and MTTR
    // ≈ 10. About 9 000 failures: the standard errors are 100/√9000 ≈ 1.05 for
    // MTTF and 10/√9000 ≈ 0.105 for MTTR; tolerances of four of them.
    let text = crate::MINIMAL.replace("horizon = 1000", "horizon = 1000000").replace(
        r#"processing = { dist = "exponential", mean = 1.0 }"#,
        r#"processing = { dist = "constant", value = 1 }
failures = [{ name = "f", clock = "calendar", ttf = { dist = "exponential", mean = 100 }, ttr = { dist = "exponential", mean = 10 } }]"#,
    );
    let k = kpis(&text, 11);
    let iso = &k["stations"]["A"]["iso"];
    let fe = number(&iso["fe"]);
    assert!((8500.0..9700.0).contains(&fe), "{fe} failures");
    let (mttf, mttr) = (number(&iso["mttf"]), number(&iso["mttr"]));
    assert!(
        (mttf - 100.0).abs() < 4.0 * 100.0 / fe.sqrt(),
        "MTTF {mttf}"
    );
    assert!((mttr - 10.0).abs() < 4.0 * 10.0 / fe.sqrt(), "MTTR {mttr}");
    let availability = number(&iso["availability"]);
    // The up fraction's standard error is about √(2·(10/110)²/9000)·(100/110)
    // < 0.0014; a tolerance of 0.006.
    assert!(
        (availability - 100.0 / 110.0).abs() < 0.006,
        "{availability}"
    );
    close(
        number(&iso["technical_efficiency"]),
        availability,
        "saturated: TE = availability",
    );
}
