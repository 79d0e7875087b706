//! Wear and maintenance in scenario files: the TOML of a maintained line is the
//! spec built in code, defaults are the documented ones, experiments address
//! wear modes and crews by name, and the bundled pump line validates, runs,
//! reports its maintenance KPIs and shows what each policy does.

use scenarios::experiment::{Experiment, ExperimentOptions};
use scenarios::{Overrides, Scenario};
use serde_json::Value;
use sim_core::Distribution;
use twin_models::{
    Action, CrewRule, CrewSpec, DispatchRule, FailureClock, Interrupted, LineSpec, Observe, Policy,
    ProductSpec, Restore, ServerState, SignalSpec, SinkSpec, SourceKind, SourceSpec, StationSpec,
    TimeUnit, WearClock, WearModel, WearSpec,
};

use crate::library;

/// Two stations in series, each with wear modes that use every part of the
/// format, and two crews.
const MAINTAINED: &str = r#"
[scenario]
name = "maintained"
time_unit = "min"
horizon = 5000

[[products]]
name = "part"
route = ["M1", "M2"]

[[sources]]
name = "feed"
kind = "saturated"

[[sinks]]
name = "out"

[[crews]]
name = "fitters"
technicians = 2
response = { dist = "exponential", mean = 15 }
rule = "priority"

[[crews]]
name = "electricians"

[[stations]]
name = "M1"
processing = { dist = "constant", value = 2 }
power = { busy = 10, down = 2 }

[[stations.wear]]
name = "impeller"
model = { kind = "chain", clock = "calendar", states = ["new", "worn", "failed"], transitions = [
  { from = "new", to = "worn", rate = 0.004 },
  { from = "worn", to = "failed", rate = 0.01 },
  { from = "new", to = "failed", rate = 0.0002 },
] }
signal = { levels = [0.1, 0.6, 1.5], noise = 0.1, every = 30 }
policy = { kind = "condition", threshold = 0.5 }
repair = { duration = { dist = "lognormal", mean = 120, cv = 0.5 }, cost = 2000 }
preventive = { duration = { dist = "constant", value = 40 }, cost = 400, restore = "new" }
interrupted = "restart"
crew = "fitters"
priority = 2
downtime_cost = 5

[[stations.wear]]
name = "belt"
model = { kind = "cycles", operations = { dist = "constant", value = 800 } }
policy = { kind = "age", age = 600 }
repair = { duration = { dist = "constant", value = 30 } }
preventive = { duration = { dist = "constant", value = 10 }, cost = 50 }
crew = "fitters"

[[stations]]
name = "M2"
processing = { dist = "exponential", mean = 1.5 }

[[stations.wear]]
name = "bearing"
model = { kind = "lifetime", clock = "operating", life = { dist = "weibull", shape = 2.5, scale = 400 } }
signal = { levels = [0, 1], noise = 0.2, inspect_every = 480, inspection = { dist = "constant", value = 15 }, inspection_cost = 50 }
policy = { kind = "predictive", failure_level = 1, lead_time = 100 }
repair = { duration = { dist = "constant", value = 60 } }
preventive = { duration = { dist = "constant", value = 20 } }
crew = "electricians"

[[stations.wear]]
name = "seal"
model = { kind = "chain", clock = "operations", states = ["ok", "leaking", "failed"], transitions = [
  { from = "ok", to = "leaking", probability = 0.002 },
  { from = "leaking", to = "failed", probability = 0.01 },
] }
policy = { kind = "periodic", every = 1000, clock = "busy" }
repair = { duration = { dist = "constant", value = 25 }, restore = "leaking" }
preventive = { duration = { dist = "constant", value = 5 } }

[[stations.wear]]
name = "motor"
model = { kind = "lifetime", life = { dist = "exponential", mean = 3000 } }
policy = { kind = "opportunistic", early = 1200, age = 1800 }
repair = { duration = { dist = "constant", value = 90 } }
preventive = { duration = { dist = "constant", value = 30 } }
"#;

fn constant(value: f64) -> Distribution {
    Distribution::constant(value).unwrap()
}

fn action(duration: Distribution, cost: f64, restore: Restore) -> Action {
    Action {
        duration,
        restore,
        cost,
    }
}

/// A wear mode with the defaults of the format: no signal, run to failure, no
/// crew, no costs.
fn mode(
    name: &str,
    model: WearModel,
    policy: Policy,
    repair: Action,
    preventive: Action,
) -> WearSpec {
    WearSpec {
        name: name.into(),
        model,
        signal: None,
        policy,
        repair,
        preventive,
        interrupted: Interrupted::Resume,
        crew: None,
        priority: 0.0,
        downtime_cost: 0.0,
    }
}

/// [`MAINTAINED`] built in code.
fn maintained_in_code() -> LineSpec {
    let mut impeller = mode(
        "impeller",
        WearModel::Chain {
            clock: WearClock::Time(FailureClock::Calendar),
            states: vec!["new".into(), "worn".into(), "failed".into()],
            transitions: vec![(0, 1, 0.004), (1, 2, 0.01), (0, 2, 0.0002)],
        },
        Policy::Condition { threshold: 0.5 },
        action(
            Distribution::from_mean_cv("lognormal", 120.0, 0.5).unwrap(),
            2000.0,
            Restore::Full,
        ),
        action(constant(40.0), 400.0, Restore::ToState(0)),
    );
    impeller.signal = Some(SignalSpec {
        levels: vec![0.1, 0.6, 1.5],
        noise: 0.1,
        observe: Observe::Every { period: 30.0 },
    });
    impeller.interrupted = Interrupted::Restart;
    impeller.crew = Some(0);
    impeller.priority = 2.0;
    impeller.downtime_cost = 5.0;
    let mut belt = mode(
        "belt",
        WearModel::Cycles {
            operations: constant(800.0),
        },
        Policy::Age { age: 600.0 },
        action(constant(30.0), 0.0, Restore::Full),
        action(constant(10.0), 50.0, Restore::Full),
    );
    belt.crew = Some(0);
    let mut bearing = mode(
        "bearing",
        WearModel::Lifetime {
            clock: FailureClock::Operating,
            life: Distribution::weibull(2.5, 400.0).unwrap(),
        },
        Policy::Predictive {
            failure_level: 1.0,
            lead_time: 100.0,
            window: 10,
        },
        action(constant(60.0), 0.0, Restore::Full),
        action(constant(20.0), 0.0, Restore::Full),
    );
    bearing.signal = Some(SignalSpec {
        levels: vec![0.0, 1.0],
        noise: 0.2,
        observe: Observe::Inspection {
            period: 480.0,
            duration: constant(15.0),
            cost: 50.0,
        },
    });
    bearing.crew = Some(1);
    let seal = mode(
        "seal",
        WearModel::Chain {
            clock: WearClock::Operations,
            states: vec!["ok".into(), "leaking".into(), "failed".into()],
            transitions: vec![(0, 1, 0.002), (1, 2, 0.01)],
        },
        Policy::Periodic {
            every: 1000.0,
            clock: FailureClock::Busy,
        },
        action(constant(25.0), 0.0, Restore::ToState(1)),
        action(constant(5.0), 0.0, Restore::Full),
    );
    let motor = mode(
        "motor",
        WearModel::Lifetime {
            clock: FailureClock::Busy,
            life: Distribution::exponential(3000.0).unwrap(),
        },
        Policy::Opportunistic {
            early: 1200.0,
            age: 1800.0,
        },
        action(constant(90.0), 0.0, Restore::Full),
        action(constant(30.0), 0.0, Restore::Full),
    );
    let station = |name: &str, input, processing: Distribution, wear| StationSpec {
        name: name.into(),
        servers: 1,
        input,
        processing: vec![Some(processing)],
        failures: Vec::new(),
        scrap: 0.0,
        setup: None,
        rule: DispatchRule::Fifo,
        planned_run_time: Vec::new(),
        power: None,
        wear,
    };
    let mut m1 = station("M1", None, constant(2.0), vec![impeller, belt]);
    // `waiting` takes the `down` power when not given.
    let mut kw = [0.0; twin_models::STATES];
    kw[ServerState::Busy.index()] = 10.0;
    kw[ServerState::Down.index()] = 2.0;
    kw[ServerState::Waiting.index()] = 2.0;
    m1.power = Some(twin_models::PowerSpec { kw });
    LineSpec {
        name: "maintained".into(),
        time_unit: TimeUnit::Minutes,
        families: vec!["part".into()],
        products: vec![ProductSpec {
            name: "part".into(),
            family: 0,
            route: vec![vec![0], vec![1]],
            sink: 0,
            step_processing: Vec::new(),
        }],
        stations: vec![
            m1,
            station(
                "M2",
                None,
                Distribution::exponential(1.5).unwrap(),
                vec![bearing, seal, motor],
            ),
        ],
        buffers: Vec::new(),
        sources: vec![SourceSpec {
            name: "feed".into(),
            kind: SourceKind::Saturated,
            mix: vec![(0, 1.0)],
            sequence: Vec::new(),
        }],
        sinks: vec![SinkSpec { name: "out".into() }],
        orders: Vec::new(),
        energy: Some(twin_models::EnergySpec {
            line_load_kw: 0.0,
            emission_factor: twin_models::DEFAULT_EMISSION_FACTOR,
        }),
        crews: vec![
            CrewSpec {
                name: "fitters".into(),
                technicians: 2,
                response: Some(Distribution::exponential(15.0).unwrap()),
                rule: CrewRule::Priority,
            },
            CrewSpec {
                name: "electricians".into(),
                technicians: 1,
                response: None,
                rule: CrewRule::CorrectiveFirst,
            },
        ],
    }
}

#[test]
fn a_maintained_line_in_toml_is_the_spec_built_in_code() {
    let scenario = Scenario::from_toml(MAINTAINED, "maintained.toml").expect("valid");
    assert!(scenario.warnings.is_empty(), "{:?}", scenario.warnings);
    assert_eq!(scenario.line(), &maintained_in_code());
    // Written back, the file reads into the same line and the same KPIs.
    let reread = Scenario::from_toml(&scenario.to_toml(), "again.toml").expect("round trip");
    assert_eq!(reread.file, scenario.file);
    assert_eq!(reread.line(), scenario.line());
    let kpis = scenario.run(&Overrides::default()).unwrap();
    assert_eq!(reread.run(&Overrides::default()).unwrap(), kpis);
    let m1 = kpis.stations["M1"].maintenance.expect("M1 wears");
    assert!(m1.failures + m1.preventive_actions > 0, "{m1:?}");
    let m2 = kpis.stations["M2"].maintenance.expect("M2 wears");
    assert!(m2.inspections > 0, "{m2:?}");
    assert_eq!(
        kpis.crews.keys().collect::<Vec<_>>(),
        ["fitters", "electricians"]
    );
}

#[test]
fn a_wear_mode_and_a_crew_take_the_documented_defaults() {
    let text = format!(
        "{}\n[[stations.wear]]\nmodel = {{ kind = \"lifetime\", life = {{ dist = \"constant\", value = 500 }} }}\n\
         repair = {{ duration = {{ dist = \"constant\", value = 20 }} }}\ncrew = \"crew\"\n\n\
         [[crews]]\nname = \"crew\"\n",
        crate::MINIMAL
    );
    let scenario = Scenario::from_toml(&text, "defaults.toml").expect("valid");
    let mut expected = mode(
        "wear-1",
        WearModel::Lifetime {
            clock: FailureClock::Busy,
            life: constant(500.0),
        },
        Policy::Corrective,
        action(constant(20.0), 0.0, Restore::Full),
        action(constant(0.0), 0.0, Restore::Full),
    );
    expected.crew = Some(0);
    assert_eq!(scenario.line().stations[0].wear, [expected]);
    assert_eq!(
        scenario.line().crews,
        [CrewSpec {
            name: "crew".into(),
            technicians: 1,
            response: None,
            rule: CrewRule::CorrectiveFirst,
        }]
    );
    // A signal without `every` or `inspect_every` is read at every change of
    // state; a periodic policy counts calendar time.
    let text = text.replace(
        "repair =",
        "signal = { levels = [0, 1] }\npolicy = { kind = \"periodic\", every = 100 }\n\
         preventive = { duration = { dist = \"constant\", value = 5 } }\nrepair =",
    );
    let scenario = Scenario::from_toml(&text, "defaults.toml").unwrap();
    let wear = &scenario.line().stations[0].wear[0];
    assert_eq!(
        wear.signal,
        Some(SignalSpec {
            levels: vec![0.0, 1.0],
            noise: 0.0,
            observe: Observe::Continuous,
        })
    );
    assert_eq!(
        wear.policy,
        Policy::Periodic {
            every: 100.0,
            clock: FailureClock::Calendar,
        }
    );
}

#[test]
fn a_crew_no_wear_mode_names_is_a_warning() {
    let text = format!("{}\n[[crews]]\nname = \"idle\"\n", crate::MINIMAL);
    let scenario = Scenario::from_toml(&text, "idle.toml").expect("valid");
    assert_eq!(
        scenario.warnings,
        ["crew `idle` is named by no wear mode: its technicians have nothing to do"]
    );
}

#[test]
fn variants_and_factors_address_wear_modes_and_crews_by_name() {
    let text = format!(
        "{MAINTAINED}\n[experiment]\nreplications = 2\n\n\
         [[experiment.factors]]\nparameter = \"crews.fitters.technicians\"\nvalues = [1, 3]\n\n\
         [[experiment.variants]]\nname = \"run-to-failure\"\n\
         set = {{ \"stations.M1.wear.impeller.policy\" = \"corrective\", \"stations.M2.wear.bearing.policy\" = {{ kind = \"age\", age = 250 }} }}\n\n\
         [[experiment.variants]]\nname = \"lower-threshold\"\n\
         set = {{ \"stations.M1.wear.impeller.policy.threshold\" = 0.3, \"stations.M1.wear.belt.repair.cost\" = 75 }}\n"
    );
    let scenario = Scenario::from_toml(&text, "maintained.toml").expect("valid");
    let experiment = Experiment::new(&scenario, &ExperimentOptions::default()).expect("valid");
    let labels: Vec<&str> = experiment
        .design_points
        .iter()
        .map(|p| p.label.as_str())
        .collect();
    assert_eq!(
        labels,
        [
            "base: crews.fitters.technicians=1",
            "base: crews.fitters.technicians=3",
            "run-to-failure: crews.fitters.technicians=1",
            "run-to-failure: crews.fitters.technicians=3",
            "lower-threshold: crews.fitters.technicians=1",
            "lower-threshold: crews.fitters.technicians=3",
        ]
    );
    for (i, point) in experiment.design_points.iter().enumerate() {
        let line = point.scenario.line();
        assert_eq!(line.crews[0].technicians, [1, 3][i % 2], "{}", point.label);
        let (impeller, belt, bearing) = (
            &line.stations[0].wear[0],
            &line.stations[0].wear[1],
            &line.stations[1].wear[0],
        );
        let expected = match point.variant.as_str() {
            "base" => (Policy::Condition { threshold: 0.5 }, 0.0),
            "run-to-failure" => (Policy::Corrective, 0.0),
            _ => (Policy::Condition { threshold: 0.3 }, 75.0),
        };
        assert_eq!((impeller.policy.clone(), belt.repair.cost), expected);
        let bearing_policy = match point.variant.as_str() {
            "run-to-failure" => Policy::Age { age: 250.0 },
            _ => Policy::Predictive {
                failure_level: 1.0,
                lead_time: 100.0,
                window: 10,
            },
        };
        assert_eq!(bearing.policy, bearing_policy, "{}", point.label);
    }
}

#[test]
fn a_variant_that_names_no_wear_mode_or_makes_one_invalid_is_refused() {
    let experiment = |set: &str| {
        let text =
            format!("{MAINTAINED}\n[[experiment.variants]]\nname = \"v\"\nset = {{ {set} }}\n");
        let scenario = Scenario::from_toml(&text, "maintained.toml").expect("valid");
        Experiment::new(&scenario, &ExperimentOptions::default())
            .expect_err("invalid")
            .to_string()
    };
    assert_eq!(
        experiment(r#""stations.M1.wear.rotor.policy" = "corrective""#),
        "maintained.toml: experiment.variants[0].set: `stations.M1.wear.rotor.policy`: there is \
         no `rotor` in `stations.M1.wear`"
    );
    assert_eq!(
        experiment(r#""crews.fitters.technicians" = 0"#),
        "maintained.toml: experiment.variants[0]: variant `v` is invalid: crews[0].technicians: \
         must be an integer from 1 to 100000, got 0"
    );
    // Condition-based work on a mode without a signal.
    assert_eq!(
        experiment(r#""stations.M2.wear.motor.policy" = { kind = "condition", threshold = 1 }"#),
        "maintained.toml: experiment.variants[0]: variant `v` is invalid: \
         stations[1].wear[2].signal: is required by the `condition` policy: the levels a sensor \
         reads in each health state"
    );
}

fn pump_line() -> Scenario {
    Scenario::from_path(library("pump_line.toml")).expect("the pump line is valid")
}

#[test]
fn the_pump_line_validates_and_runs_with_maintenance_kpis() {
    let scenario = pump_line();
    assert!(scenario.warnings.is_empty(), "{:?}", scenario.warnings);
    let line = scenario.line();
    assert_eq!(line.crews.len(), 1);
    for station in &line.stations {
        assert_eq!(station.wear.len(), 1, "{}", station.name);
        assert_eq!(station.wear[0].policy, Policy::Corrective);
        assert_eq!(station.wear[0].crew, Some(0));
    }
    let kpis = scenario.run(&Overrides::default()).unwrap();
    let m = kpis.line.maintenance.expect("the line wears");
    assert!(m.failures > 10 && m.preventive_actions == 0, "{m:?}");
    assert!(m.cost > 0.0 && m.cost_rate > 0.0);
    for (name, station) in &kpis.stations {
        let s = station.maintenance.expect("every pump wears");
        assert!(s.failures > 0 && s.mtbf.is_finite(), "{name}: {s:?}");
        assert!(
            station.states.waiting > 0.0,
            "{name}: never waited for the fitter"
        );
    }
    let fitters = kpis.crews["fitters"];
    assert_eq!(fitters.technicians, 1);
    assert!(fitters.utilisation > 0.0 && fitters.utilisation < 1.0);
    // Jobs taken and failures in the period differ only by the repairs that
    // straddle its ends.
    assert!(fitters.jobs.abs_diff(m.failures) <= 3, "{fitters:?}, {m:?}");
    let table = scenarios::report::to_table(&kpis);
    for part in ["maintenance cost", "waiting", "Crew", "fitters"] {
        assert!(table.contains(part), "no `{part}` in:\n{table}");
    }
}

#[test]
fn the_pump_lines_variants_set_the_policies_and_its_factor_the_fitters() {
    let experiment = Experiment::new(&pump_line(), &ExperimentOptions::default()).unwrap();
    let points: Vec<(&str, u32, &'static str)> = experiment
        .design_points
        .iter()
        .map(|p| {
            let line = p.scenario.line();
            let policies: Vec<&str> = line
                .stations
                .iter()
                .map(|s| s.wear[0].policy.name())
                .collect();
            assert!(policies.iter().all(|&n| n == policies[0]), "{}", p.label);
            (p.variant.as_str(), line.crews[0].technicians, policies[0])
        })
        .collect();
    assert_eq!(
        points,
        [
            ("base", 1, "corrective"),
            ("base", 2, "corrective"),
            ("corrective", 1, "corrective"),
            ("corrective", 2, "corrective"),
            ("preventive", 1, "age"),
            ("preventive", 2, "age"),
            ("condition", 1, "condition"),
            ("condition", 2, "condition"),
            ("predictive", 1, "predictive"),
            ("predictive", 2, "predictive"),
        ]
    );
}

#[test]
fn on_the_pump_line_every_policy_cuts_failures_and_unplanned_downtime() {
    let result = crate::bundled_experiment("pump_line.toml", 10, 20160.0);
    let label = |i: usize| result.points[i].label.clone();
    // The variant `corrective` is the file as written: on common random numbers
    // its runs are the base's, point for point.
    for (base, corrective) in [(0, 2), (1, 3)] {
        for kpi in [
            "line.throughput",
            "line.maintenance.cost_rate",
            "line.maintenance.failures",
        ] {
            let (a, b) = (
                result.points[base].kpi(kpi).unwrap(),
                result.points[corrective].kpi(kpi).unwrap(),
            );
            assert_eq!((a.mean, a.half_width), (b.mean, b.half_width), "{kpi}");
        }
    }
    // Points 4, 6 and 8 are preventive, condition-based and predictive work with
    // one fitter, against point 0: run to failure with one fitter.
    for point in [4, 6, 8] {
        for kpi in ["line.maintenance.failures", "line.iso.unplanned_downtime"] {
            let change = result.compare(0, point, kpi).unwrap();
            assert!(
                change.mean + change.half_width < 0.0,
                "{}: {kpi} changes by {} ± {}",
                label(point),
                change.mean,
                change.half_width
            );
        }
        let cost = result
            .compare(0, point, "line.maintenance.cost_rate")
            .unwrap();
        assert!(
            cost.mean + cost.half_width < 0.0,
            "{}: cost {cost:?}",
            label(point)
        );
    }
    // Condition-based and predictive work raise the output as well.
    for point in [6, 8] {
        let change = result.compare(0, point, "line.throughput").unwrap();
        assert!(
            change.mean - change.half_width > 0.0,
            "{}: {change:?}",
            label(point)
        );
    }
    let table = result.to_table();
    for column in ["failures", "unplanned down min", "maint. cost /min"] {
        assert!(table.contains(column), "no `{column}` in:\n{table}");
    }
}

#[test]
fn the_same_seed_gives_the_same_maintenance_and_another_seed_does_not() {
    let scenario = pump_line();
    let run = |seed: u64| {
        scenarios::report::to_json(
            &scenario
                .run(&Overrides {
                    seed: Some(seed),
                    ..Default::default()
                })
                .unwrap(),
        )
    };
    assert_eq!(run(3), run(3));
    assert_ne!(run(3), run(4));
    let experiment = || crate::bundled_experiment("pump_line.toml", 3, 5000.0).to_json();
    assert_eq!(experiment(), experiment());
}

#[test]
fn csv_carries_the_maintenance_and_crew_kpis_with_their_units() {
    let kpis = pump_line().run(&Overrides::default()).unwrap();
    let document: Value = serde_json::to_value(&kpis).unwrap();
    let csv = scenarios::export::run_csv(&document);
    let row = |kpi: &str, entity: &str| {
        csv.lines()
            .find(|line| {
                line.starts_with(&format!("{kpi},")) && line.contains(&format!(",{entity},"))
            })
            .unwrap_or_else(|| panic!("no row for {kpi} of `{entity}` in\n{csv}"))
            .to_owned()
    };
    let fitters = row("crews.*.utilisation", "fitters");
    assert!(
        fitters.starts_with("crews.*.utilisation,crew,fitters,") && fitters.ends_with(",ratio"),
        "{fitters}"
    );
    let rate = row("line.maintenance.cost_rate", "");
    assert!(
        rate.starts_with("line.maintenance.cost_rate,line,,") && rate.ends_with(",cost per min"),
        "{rate}"
    );
    let mttr = row("stations.*.maintenance.mttr", "pump-2");
    assert!(mttr.ends_with(",min"), "{mttr}");
}

#[test]
fn the_readme_example_of_wear_and_maintenance_is_valid() {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../README.md"))
        .expect("the README");
    let section = &readme[readme
        .find("### Wear and maintenance")
        .expect("the section")..];
    let start = section.find("```toml\n").expect("an example") + "```toml\n".len();
    let example = &section[start..start + section[start..].find("```").expect("closed")];
    let text = format!(
        "[scenario]\nname = \"readme\"\ntime_unit = \"min\"\nhorizon = 5000\n\n\
         [[products]]\nname = \"p\"\nroute = [\"pump-1\"]\n\n\
         [[sources]]\nname = \"feed\"\nkind = \"saturated\"\n\n[[sinks]]\nname = \"out\"\n\n{example}"
    );
    let scenario = Scenario::from_toml(&text, "readme.toml").expect("the README's example");
    let wear = &scenario.line().stations[0].wear[0];
    assert_eq!(wear.policy, Policy::Condition { threshold: 4.5 });
    assert_eq!(scenario.line().crews[0].name, "fitters");
}

#[test]
fn an_assessment_of_condition_based_work_reports_its_maintenance_cost_per_part() {
    use scenarios::assess::{Assessment, Improved};
    let report = Assessment::run(
        &pump_line(),
        Improved::Variant("condition"),
        &ExperimentOptions {
            replications: Some(5),
            ..Default::default()
        },
        &|_, _| {},
        &std::sync::atomic::AtomicBool::new(false),
    )
    .unwrap();
    let cost = report
        .indicators
        .iter()
        .find(|i| i.id == "maintenance_cost_per_good_part")
        .expect("a maintained line has the indicator");
    assert_eq!(cost.kpi, "line.maintenance.cost_per_good_part");
    assert_eq!((cost.better.as_str(), cost.verdict), ("lower", "better"));
    assert!(cost.improved.mean < cost.baseline.mean);
}
