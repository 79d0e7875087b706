//! The KPI catalogue covers every KPI the code emits and nothing else, names
//! each in English and Chinese, and refers only to sub-domains it defines; the
//! `linetwin kpis` command prints it.

use std::collections::BTreeSet;

use scenarios::catalogue::{Catalogue, Lang};
use scenarios::{Overrides, Scenario};
use serde_json::Value;

use crate::cli::run as linetwin;
use crate::library;

/// The catalogue id of every KPI leaf in a run's document: names of products,
/// stations and buffers become `*`, columns of the order table `order.<key>`.
fn emitted(document: &Value) -> BTreeSet<String> {
    fn walk(value: &Value, path: String, out: &mut BTreeSet<String>) {
        match value {
            Value::Object(map) => {
                for (key, child) in map {
                    walk(child, format!("{path}.{key}"), out);
                }
            }
            Value::Array(rows) => {
                for row in rows {
                    if let Value::Object(map) = row {
                        for (key, cell) in map {
                            if !cell.is_string() {
                                out.insert(format!("order.{key}"));
                            }
                        }
                    }
                }
            }
            Value::String(_) => {}
            _ => {
                out.insert(path);
            }
        }
    }
    let mut out = BTreeSet::new();
    for (section, keyed) in [
        ("line", false),
        ("orders", false),
        ("products", true),
        ("stations", true),
        ("buffers", true),
        ("crews", true),
    ] {
        let Some(value) = document.get(section) else {
            continue;
        };
        if keyed {
            for child in value.as_object().expect("a map by name").values() {
                walk(child, format!("{section}.*"), &mut out);
            }
        } else {
            walk(value, section.to_owned(), &mut out);
        }
    }
    out
}

#[test]
fn the_catalogue_covers_every_emitted_kpi_and_nothing_else() {
    // The mixed-model line has every kind of KPI: orders, setups, failures,
    // metering; the assembly line adds scrap and parallel servers, the pump
    // line wear, maintenance and crews.
    let mut seen = BTreeSet::new();
    for name in [
        "mixed_model_line.toml",
        "assembly_line.toml",
        "serial_line.toml",
        "pump_line.toml",
    ] {
        let scenario = Scenario::from_path(library(name)).unwrap();
        let kpis = scenario.run(&Overrides::default()).unwrap();
        let document: Value = serde_json::to_value(&kpis).unwrap();
        seen.extend(emitted(&document));
    }
    let catalogue: BTreeSet<String> = Catalogue::bundled()
        .kpis
        .iter()
        .map(|k| k.id.clone())
        .collect();
    let missing: Vec<_> = seen.difference(&catalogue).collect();
    let extra: Vec<_> = catalogue.difference(&seen).collect();
    assert!(
        missing.is_empty(),
        "emitted but not in the catalogue: {missing:?}"
    );
    assert!(
        extra.is_empty(),
        "in the catalogue but never emitted: {extra:?}"
    );
}

#[test]
fn every_entry_is_complete_and_names_known_domains() {
    let catalogue = Catalogue::bundled();
    assert_eq!(catalogue.schema, "linetwin.kpi-catalogue/1");
    assert_eq!(catalogue.kpis_schema, twin_models::KPI_SCHEMA);
    // The sub-domains the issue lists, at least.
    for (number, zh) in [
        (12, "工厂规划设计"),
        (15, "计划调度"),
        (16, "生产执行"),
        (17, "质量管控"),
        (19, "设备运维"),
        (21, "能源监测与综合利用"),
        (22, "环境排放监测"),
        (25, "精益化制造"),
        (26, "精益化运营"),
        (32, "柔性化制造"),
        (37, "制造过程模型化"),
    ] {
        assert_eq!(catalogue.domain(number).map(|d| d.zh.as_str()), Some(zh));
    }
    let mut ids = BTreeSet::new();
    for kpi in &catalogue.kpis {
        assert!(ids.insert(&kpi.id), "`{}` is listed twice", kpi.id);
        let scope = match kpi.id.split('.').next() {
            Some("line" | "orders") => "line",
            Some("stations") => "station",
            Some("products") => "product",
            Some("buffers") => "buffer",
            Some("crews") => "crew",
            Some("order") => "order",
            other => panic!("`{}`: unknown section {other:?}", kpi.id),
        };
        assert_eq!(kpi.scope, scope, "`{}`", kpi.id);
        assert!(
            ["higher", "lower", "none"].contains(&kpi.better.as_str()),
            "`{}`: better = {}",
            kpi.id,
            kpi.better
        );
        assert!(
            ["ISO 22400-2", "linetwin"].contains(&kpi.source.as_str()),
            "`{}`: source = {}",
            kpi.id,
            kpi.source
        );
        for text in [&kpi.en, &kpi.zh, &kpi.unit, &kpi.definition] {
            assert!(!text.trim().is_empty(), "`{}` has an empty field", kpi.id);
        }
        // A Chinese name is written in Chinese.
        assert!(
            kpi.zh
                .chars()
                .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
            "`{}`: zh = {}",
            kpi.id,
            kpi.zh
        );
        assert!(
            !kpi.domains.is_empty(),
            "`{}` evidences no sub-domain",
            kpi.id
        );
        for n in &kpi.domains {
            assert!(
                catalogue.domain(*n).is_some(),
                "`{}`: unknown sub-domain {n}",
                kpi.id
            );
        }
    }
}

#[test]
fn iso_kpis_carry_the_standards_formulas() {
    let catalogue = Catalogue::bundled();
    for (id, formula) in [
        ("stations.*.iso.availability", "APT / PBT"),
        ("stations.*.iso.effectiveness", "PRI × PQ / APT"),
        ("stations.*.iso.technical_efficiency", "APT / (APT + ADET)"),
        ("stations.*.iso.setup_rate", "ASUT / AUPT"),
        ("stations.*.iso.mttr", "ADET / FE"),
    ] {
        let kpi = catalogue
            .get(id)
            .unwrap_or_else(|| panic!("{id} is missing"));
        assert_eq!(kpi.formula, formula, "{id}");
        assert_eq!(kpi.source, "ISO 22400-2", "{id}");
    }
}

#[test]
fn linetwin_kpis_prints_the_catalogue_in_english_and_chinese_and_the_schemas() {
    let english = linetwin(&["kpis"]);
    assert!(english.status.success());
    let text = String::from_utf8(english.stdout).unwrap();
    assert!(
        text.contains("stations.*.iso.availability  Availability"),
        "{text}"
    );
    assert!(text.contains("= APT / PBT"));
    let chinese = String::from_utf8(linetwin(&["kpis", "--lang", "zh"]).stdout).unwrap();
    assert!(
        chinese.contains("stations.*.iso.availability  可用率"),
        "{chinese}"
    );
    assert!(chinese.contains("19 设备运维"));
    assert_eq!(
        chinese,
        Catalogue::bundled().to_text(Lang::Zh),
        "the CLI prints the library's text"
    );
    let json: Value = serde_json::from_slice(&linetwin(&["kpis", "--json"]).stdout).expect("JSON");
    assert_eq!(
        json["kpis"].as_array().map(Vec::len),
        Some(Catalogue::bundled().kpis.len())
    );
    for (args, title) in [
        (
            &["kpis", "--schema"][..],
            "linetwin KPIs of one replication",
        ),
        (
            &["kpis", "--schema", "experiment"][..],
            "linetwin experiment results",
        ),
    ] {
        let schema: Value = serde_json::from_slice(&linetwin(args).stdout).expect("JSON");
        assert!(
            schema["title"]
                .as_str()
                .is_some_and(|t| t.starts_with(title)),
            "{args:?}: {}",
            schema["title"]
        );
    }
    let bad = linetwin(&["kpis", "--lang", "fr"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("invalid value 'fr' for '--lang"));
}
