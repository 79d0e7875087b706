//! The KPI JSON Schema file (`schema/kpi-v1.schema.json`) describes exactly what
//! `linetwin run --json` prints: every required key is there, no key is missing
//! from the schema, and the types agree.

use serde_json::Value;

use crate::{BUNDLED, library};

/// Checks `value` against the subset of JSON Schema the KPI schemas use (`type`,
/// `const`, `enum`, `required`, `properties`, `additionalProperties`, `items` and
/// local `$ref`s into `root`), collecting every mismatch with its JSON path.
fn check_in(root: &Value, schema: &Value, value: &Value, path: &str, errors: &mut Vec<String>) {
    if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
        let target = reference
            .strip_prefix("#/")
            .map(|p| p.split('/').fold(root, |node, key| &node[key]))
            .unwrap_or(&Value::Null);
        if !target.is_object() {
            errors.push(format!("{path}: unresolved schema reference `{reference}`"));
            return;
        }
        return check_in(root, target, value, path, errors);
    }
    if let (Some(items), Value::Array(elements)) = (schema.get("items"), value) {
        for (i, element) in elements.iter().enumerate() {
            check_in(root, items, element, &format!("{path}[{i}]"), errors);
        }
    }
    if let Some(constant) = schema.get("const")
        && constant != value
    {
        errors.push(format!("{path}: expected {constant}, got {value}"));
    }
    if let Some(options) = schema.get("enum").and_then(Value::as_array)
        && !options.contains(value)
    {
        errors.push(format!("{path}: {value} is not one of {options:?}"));
    }
    if let Some(types) = schema.get("type") {
        let types: Vec<&str> = match types {
            Value::String(t) => vec![t.as_str()],
            Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
            _ => vec![],
        };
        let actual = match value {
            Value::Null => "null",
            Value::Bool(_) => "boolean",
            Value::Number(n) if n.is_u64() || n.is_i64() => "integer",
            Value::Number(_) => "number",
            Value::String(_) => "string",
            Value::Array(_) => "array",
            Value::Object(_) => "object",
        };
        let ok = types.contains(&actual) || (actual == "integer" && types.contains(&"number"));
        if !ok {
            errors.push(format!("{path}: type {actual}, schema allows {types:?}"));
        }
    }
    let Value::Object(map) = value else { return };
    for key in schema
        .get("required")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let key = key.as_str().unwrap_or_default();
        if !map.contains_key(key) {
            errors.push(format!("{path}: missing required `{key}`"));
        }
    }
    let properties = schema.get("properties").and_then(Value::as_object);
    for (key, child) in map {
        let child_path = format!("{path}.{key}");
        match (
            properties.and_then(|p| p.get(key)),
            schema.get("additionalProperties"),
        ) {
            (Some(sub), _) => check_in(root, sub, child, &child_path, errors),
            (None, Some(Value::Bool(false))) => {
                errors.push(format!("{child_path}: not in the schema"))
            }
            (None, Some(sub @ Value::Object(_))) => check_in(root, sub, child, &child_path, errors),
            (None, _) => {}
        }
    }
}

fn check(schema: &Value, value: &Value, path: &str, errors: &mut Vec<String>) {
    check_in(schema, schema, value, path, errors);
}

fn schema(file: &str) -> Value {
    let path = format!("{}/schema/{file}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn experiment_json_matches_the_experiment_schema() {
    let schema = schema("kpi-v1-experiment.schema.json");
    let scenario = scenarios::Scenario::from_toml(
        &format!(
            "{}\n[[experiment.factors]]\nparameter = \"stations.A.servers\"\nvalues = [1, 2]\n",
            crate::MINIMAL
        ),
        "t.toml",
    )
    .unwrap();
    let experiment = scenarios::experiment::Experiment::new(
        &scenario,
        &scenarios::experiment::ExperimentOptions {
            replications: Some(3),
            seed: None,
            ..Default::default()
        },
    )
    .unwrap();
    let result = experiment
        .run(&|_, _| {}, &std::sync::atomic::AtomicBool::new(false))
        .unwrap();
    let value: Value = serde_json::from_str(&result.to_json()).unwrap();
    let mut errors = Vec::new();
    check(&schema, &value, "$", &mut errors);
    assert!(errors.is_empty(), "{}", errors.join("\n"));
}

#[test]
fn run_json_matches_the_kpi_schema() {
    let schema_path = concat!(env!("CARGO_MANIFEST_DIR"), "/schema/kpi-v1.schema.json");
    let schema: Value =
        serde_json::from_str(&std::fs::read_to_string(schema_path).unwrap()).unwrap();
    for name in BUNDLED {
        let scenario = scenarios::Scenario::from_path(library(name)).unwrap();
        let kpis = scenario
            .run(&scenarios::Overrides {
                horizon: Some(2000.0),
                warmup: Some(100.0),
                seed: None,
            })
            .unwrap();
        let value: Value = serde_json::from_str(&scenarios::report::to_json(&kpis)).unwrap();
        let mut errors = Vec::new();
        check(&schema, &value, "$", &mut errors);
        assert!(errors.is_empty(), "{name}:\n{}", errors.join("\n"));
    }
}

/// The checker itself notices a missing key, an extra key and a wrong type.
#[test]
fn schema_check_catches_mismatches() {
    let schema = serde_json::json!({
        "type": "object",
        "required": ["a"],
        "additionalProperties": false,
        "properties": { "a": { "type": "integer" } }
    });
    let mut errors = Vec::new();
    check(
        &schema,
        &serde_json::json!({ "a": "x", "b": 1 }),
        "$",
        &mut errors,
    );
    assert_eq!(errors.len(), 2, "{errors:?}");
    errors.clear();
    check(&schema, &serde_json::json!({}), "$", &mut errors);
    assert_eq!(errors, ["$: missing required `a`"]);
}
