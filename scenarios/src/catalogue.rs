//! The KPI catalogue: every KPI a document reports, named in English and Chinese,
//! with its definition, formula, unit, scope, better direction and sub-domains.
//!
//! The catalogue is `schema/kpi-catalogue.toml`, built into the binary; the JSON
//! Schemas of the KPI documents are `schema/kpi-v2.schema.json` (one run) and
//! `schema/kpi-v2-experiment.schema.json` (an experiment).

use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

/// The catalogue's text as bundled.
const CATALOGUE_TOML: &str = include_str!("../schema/kpi-catalogue.toml");

/// The JSON Schema of one run's KPI document (`linetwin run --json`).
pub const RUN_SCHEMA: &str = include_str!("../schema/kpi-v2.schema.json");

/// The JSON Schema of an experiment's document (`linetwin experiment --json`).
pub const EXPERIMENT_SCHEMA: &str = include_str!("../schema/kpi-v2-experiment.schema.json");

/// A sub-domain of the future-factory (未来工厂) graded requirements.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Domain {
    /// Its number in the requirements, e.g. 19.
    pub number: u32,
    /// English name.
    pub en: String,
    /// Chinese name.
    pub zh: String,
}

/// One KPI of the catalogue.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct KpiEntry {
    /// Its path in the JSON document, `*` for a product, station, buffer or
    /// crew name; `order.<column>` for a column of `orders.table`.
    pub id: String,
    /// `line`, `station`, `product`, `buffer`, `order` or `crew`.
    pub scope: String,
    /// English name.
    pub en: String,
    /// Chinese name.
    pub zh: String,
    /// Unit: `time` is the scenario's time unit, `cost` the currency of the
    /// scenario's costs.
    pub unit: String,
    /// `higher`, `lower`, or `none` (a quantity with no better direction).
    pub better: String,
    /// Numbers of the sub-domains it evidences.
    pub domains: Vec<u32>,
    /// Where the definition comes from: `ISO 22400-2` or `linetwin`.
    pub source: String,
    /// The formula, in the standard's symbols where it has them (may be empty).
    pub formula: String,
    /// What it measures.
    pub definition: String,
}

/// The whole catalogue.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Catalogue {
    /// `linetwin.kpi-catalogue/1`.
    pub schema: String,
    /// The KPI documents it describes: `linetwin.kpi/2`.
    pub kpis_schema: String,
    /// The sub-domains referred to.
    pub domains: Vec<Domain>,
    /// The KPIs, in document order.
    pub kpis: Vec<KpiEntry>,
    /// Position of each KPI in `kpis` by id, built once.
    #[serde(skip)]
    index: HashMap<String, usize>,
}

/// The language of a printed catalogue.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lang {
    /// English.
    En,
    /// Chinese.
    Zh,
}

impl Catalogue {
    /// The catalogue built into linetwin.
    pub fn bundled() -> &'static Catalogue {
        static CATALOGUE: OnceLock<Catalogue> = OnceLock::new();
        CATALOGUE.get_or_init(|| {
            // The bundled file is checked by the tests; a broken one is a build defect.
            let mut catalogue: Catalogue =
                toml::from_str(CATALOGUE_TOML).expect("the bundled KPI catalogue parses");
            catalogue.index = catalogue
                .kpis
                .iter()
                .enumerate()
                .map(|(i, k)| (k.id.clone(), i))
                .collect();
            catalogue
        })
    }

    /// The entry with this id.
    pub fn get(&self, id: &str) -> Option<&KpiEntry> {
        if self.index.is_empty() {
            // A catalogue read from elsewhere has no index.
            return self.kpis.iter().find(|k| k.id == id);
        }
        self.index.get(id).map(|&i| &self.kpis[i])
    }

    /// The sub-domain with this number.
    pub fn domain(&self, number: u32) -> Option<&Domain> {
        self.domains.iter().find(|d| d.number == number)
    }

    /// The catalogue as pretty JSON.
    pub fn to_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).unwrap_or_default();
        text.push('\n');
        text
    }

    /// The catalogue as text: one block per KPI, in `lang`.
    pub fn to_text(&self, lang: Lang) -> String {
        let mut out = String::new();
        let (title, domains_title) = match lang {
            Lang::En => (
                format!(
                    "linetwin KPI catalogue ({} KPIs of {} documents)",
                    self.kpis.len(),
                    self.kpis_schema
                ),
                "future-factory sub-domains",
            ),
            Lang::Zh => (
                format!(
                    "linetwin 指标目录（{} 文档，共 {} 项指标）",
                    self.kpis_schema,
                    self.kpis.len()
                ),
                "未来工厂能力子域",
            ),
        };
        let _ = writeln!(out, "{title}\n");
        for kpi in &self.kpis {
            let name = match lang {
                Lang::En => &kpi.en,
                Lang::Zh => &kpi.zh,
            };
            let _ = writeln!(out, "{}  {name}", kpi.id);
            let (unit, better, scope) = match lang {
                Lang::En => ("unit", "better", "scope"),
                Lang::Zh => ("单位", "优化方向", "范围"),
            };
            let direction = match (lang, kpi.better.as_str()) {
                (Lang::Zh, "higher") => "越高越好",
                (Lang::Zh, "lower") => "越低越好",
                (Lang::Zh, _) => "无",
                (Lang::En, other) => other,
            };
            let _ = writeln!(
                out,
                "    {scope}: {}   {unit}: {}   {better}: {direction}   ({})",
                kpi.scope, kpi.unit, kpi.source
            );
            if !kpi.formula.is_empty() {
                let _ = writeln!(out, "    = {}", kpi.formula);
            }
            let _ = writeln!(out, "    {}", kpi.definition);
            let names: Vec<String> = kpi
                .domains
                .iter()
                .filter_map(|&n| self.domain(n))
                .map(|d| match lang {
                    Lang::En => format!("{} {}", d.number, d.en),
                    Lang::Zh => format!("{} {}", d.number, d.zh),
                })
                .collect();
            let _ = writeln!(out, "    {domains_title}: {}", names.join(", "));
        }
        out
    }
}
