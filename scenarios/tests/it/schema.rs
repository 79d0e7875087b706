//! The KPI JSON Schemas (`schema/kpi-v2.schema.json` for a run,
//! `schema/kpi-v2-experiment.schema.json` for an experiment, and the setups
//! schema) describe exactly what the CLI prints: every document is validated
//! with a JSON Schema validator (the `jsonschema` crate, draft 2020-12), and the
//! schemas forbid keys they do not describe.

use scenarios::catalogue::{EXPERIMENT_SCHEMA, RUN_SCHEMA};
use serde_json::Value;

use crate::{BUNDLED, library};

fn schema(file: &str) -> Value {
    let path = format!("{}/schema/{file}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// Every error the validator finds in `document`, with its JSON path.
fn errors(schema: &Value, document: &str) -> Vec<String> {
    let validator = jsonschema::draft202012::new(schema).expect("the schema is valid");
    let value: Value = serde_json::from_str(document).expect("the document is JSON");
    validator
        .iter_errors(&value)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect()
}

#[test]
fn the_bundled_schemas_are_the_files_and_valid_schemas() {
    assert_eq!(
        schema("kpi-v2.schema.json"),
        serde_json::from_str::<Value>(RUN_SCHEMA).unwrap()
    );
    assert_eq!(
        schema("kpi-v2-experiment.schema.json"),
        serde_json::from_str::<Value>(EXPERIMENT_SCHEMA).unwrap()
    );
    for file in [
        "kpi-v2.schema.json",
        "kpi-v2-experiment.schema.json",
        "setups-v1.schema.json",
    ] {
        let schema = schema(file);
        assert!(
            jsonschema::meta::is_valid(&schema),
            "{file} is not a valid JSON Schema"
        );
    }
}

#[test]
fn experiment_json_matches_the_experiment_schema() {
    let schema = schema("kpi-v2-experiment.schema.json");
    // The mixed-model line has orders and metering, the pump line wear and crews.
    for name in ["mixed_model_line.toml", "pump_line.toml"] {
        let result = crate::bundled_experiment(name, 3, 3000.0);
        let document = result.to_json();
        let found = errors(&schema, &document);
        assert!(found.is_empty(), "{name}:\n{}", found.join("\n"));
        if name == "pump_line.toml" {
            let value: Value = serde_json::from_str(&document).unwrap();
            let kpis = &value["design_points"][0]["kpis"];
            for pointer in [
                "/line/maintenance/cost_rate/mean",
                "/stations/pump-1/maintenance/mtbf/mean",
                "/crews/fitters/utilisation/mean",
            ] {
                assert!(kpis.pointer(pointer).is_some(), "no {pointer}");
            }
        }
    }
}

#[test]
fn run_json_matches_the_kpi_schema() {
    let schema = schema("kpi-v2.schema.json");
    for name in BUNDLED {
        let scenario = scenarios::Scenario::from_path(library(name)).unwrap();
        let kpis = scenario
            .run(&scenarios::Overrides {
                horizon: Some(2000.0),
                warmup: Some(100.0),
                seed: None,
                replication: None,
            })
            .unwrap();
        let found = errors(&schema, &scenarios::report::to_json(&kpis));
        assert!(found.is_empty(), "{name}:\n{}", found.join("\n"));
    }
}

/// The schema is strict: a key it does not describe, a missing key and a wrong
/// type are each an error.
#[test]
fn the_kpi_schema_rejects_what_it_does_not_describe() {
    let schema = schema("kpi-v2.schema.json");
    let scenario = scenarios::Scenario::from_path(library("serial_line.toml")).unwrap();
    let kpis = scenario.run(&scenarios::Overrides::default()).unwrap();
    let mut value: Value = serde_json::from_str(&scenarios::report::to_json(&kpis)).unwrap();
    value["line"]["iso"]["invented"] = Value::from(1.0);
    value["stations"]["S1"]["iso"]
        .as_object_mut()
        .unwrap()
        .remove("apt");
    value["line"]["parts_completed"] = Value::from("many");
    let found = errors(&schema, &value.to_string());
    assert_eq!(found.len(), 3, "{found:?}");
    for path in ["/line/iso", "/stations/S1/iso", "/line/parts_completed"] {
        assert!(
            found.iter().any(|e| e.starts_with(&format!("{path}:"))),
            "no error at {path}: {found:?}"
        );
    }
}

#[test]
fn setups_json_matches_the_setups_schema() {
    let schema = schema("setups-v1.schema.json");
    for text in [crate::setups::FOUR_FAMILIES, crate::MINIMAL] {
        let scenario = scenarios::Scenario::from_toml(text, "t.toml").unwrap();
        let report = scenarios::setups::SetupsReport::new(&scenario).unwrap();
        let found = errors(&schema, &report.to_json());
        assert!(found.is_empty(), "{}", found.join("\n"));
    }
}
