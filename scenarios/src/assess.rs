//! Improvement reports: a baseline and an improved scenario run on common random
//! numbers, each improvement indicator as a relative change with its paired CI.
//!
//! Both scenarios run the same replications (the baseline's seed, horizon and
//! warm-up), so the same station sees the same random numbers in both; the
//! indicators are line KPIs, and each is reported as the paired difference
//! (improved − baseline) and as the relative change improved / baseline − 1.
//! The relative change's 95% half-width is the delta method's on the paired
//! replications: with R = ȳ / x̄, Var(R) ≈ Var(y − R x) / (n x̄²).

use std::fmt::Write as _;
use std::sync::atomic::AtomicBool;

use indexmap::IndexMap;
use serde::Serialize;
use sim_core::{Tally, student_t_quantile};

use crate::catalogue::{Catalogue, Lang};
use crate::experiment::{
    DesignPoint, Experiment, ExperimentError, ExperimentOptions, ExperimentResult,
};
use crate::{Scenario, ScenarioError};

/// The `schema` of [`Assessment::to_json`].
pub const ASSESS_SCHEMA: &str = "linetwin.assess/1";

/// How an indicator's change is best read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Reading {
    /// A relative change, in % of the baseline.
    Relative,
    /// A difference of two shares, in percentage points.
    Points,
}

/// The improvement indicators: (id, KPI, reading).
const INDICATORS: [(&str, &str, Reading); 11] = [
    (
        "productivity",
        "line.throughput_per_hour",
        Reading::Relative,
    ),
    ("lead_time", "line.lead_time.mean", Reading::Relative),
    ("wip", "line.wip_mean", Reading::Relative),
    ("oee", "line.oee.oee", Reading::Points),
    (
        "energy_per_good_part",
        "line.energy.per_good_part_kwh",
        Reading::Relative,
    ),
    (
        "energy_efficiency",
        "line.energy.good_parts_per_kwh",
        Reading::Relative,
    ),
    (
        "co2_per_good_part",
        "line.energy.co2_per_good_part_kg",
        Reading::Relative,
    ),
    ("defect_rate", "line.iso.scrap_ratio", Reading::Points),
    ("on_time_delivery", "orders.on_time_rate", Reading::Points),
    (
        "unplanned_downtime",
        "line.iso.unplanned_downtime",
        Reading::Relative,
    ),
    (
        "maintenance_cost_per_good_part",
        "line.maintenance.cost_per_good_part",
        Reading::Relative,
    ),
];

/// A mean with its 95% half-width.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Estimate {
    /// Mean (NaN, `null` in JSON: undefined).
    pub mean: f64,
    /// 95% half-width (NaN with fewer than two replications).
    pub ci95: f64,
}

/// One improvement indicator.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Indicator {
    /// E.g. `productivity`.
    pub id: &'static str,
    /// The KPI it reads (a catalogue id).
    pub kpi: &'static str,
    /// `higher` or `lower`: which way is an improvement.
    pub better: String,
    /// How the change is best read.
    pub reading: Reading,
    /// The baseline's mean and CI.
    pub baseline: Estimate,
    /// The improved scenario's mean and CI.
    pub improved: Estimate,
    /// improved − baseline, paired by replication.
    pub difference: Estimate,
    /// improved / baseline − 1 (NaN when the baseline is 0).
    pub relative: Estimate,
    /// Replications in which both had a value.
    pub n: u64,
    /// `better`, `worse` or `no significant change`: whether the paired CI of
    /// the difference excludes 0, and in which direction.
    pub verdict: &'static str,
}

impl Indicator {
    /// The change as it is best read: a relative change in %, a difference of
    /// shares in percentage points, or (a baseline of 0) the difference in `unit`.
    pub fn change(&self, unit: &str) -> String {
        match self.reading {
            Reading::Relative if self.relative.mean.is_finite() => format!(
                "{:+.1}% ± {:.1}%",
                100.0 * self.relative.mean,
                100.0 * self.relative.ci95
            ),
            Reading::Points => format!(
                "{:+.1} pp ± {:.1} pp",
                100.0 * self.difference.mean,
                100.0 * self.difference.ci95
            ),
            Reading::Relative => format!(
                "{:+.4} ± {:.4} {unit}",
                self.difference.mean, self.difference.ci95
            ),
        }
    }
}

/// The improvement report of an improved scenario against its baseline.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Assessment {
    /// Always [`ASSESS_SCHEMA`].
    pub schema: &'static str,
    /// The baseline's scenario name.
    pub baseline: String,
    /// The improved scenario's name.
    pub improved: String,
    /// Unit of the times.
    pub time_unit: String,
    /// Master seed of both.
    pub seed: u64,
    /// End of every run.
    pub horizon: f64,
    /// End of every warm-up.
    pub warmup: f64,
    /// Replications of each.
    pub replications: u64,
    /// The indicators both scenarios report, in a fixed order.
    pub indicators: Vec<Indicator>,
}

/// Why an assessment produced no report.
pub type AssessError = ExperimentError;

/// What the baseline is compared with.
#[derive(Clone, Copy, Debug)]
pub enum Improved<'a> {
    /// Another scenario file.
    Scenario(&'a Scenario),
    /// One of the baseline's `[[experiment.variants]]`, by name.
    Variant(&'a str),
}

impl Improved<'_> {
    /// The improved scenario's name in the report: its file's scenario name,
    /// or the variant's name.
    pub fn name(&self) -> String {
        match self {
            Self::Scenario(s) => s.file.scenario.name.clone(),
            Self::Variant(v) => (*v).to_owned(),
        }
    }
}

impl Assessment {
    /// The experiment that runs `baseline` and `improved` on common random
    /// numbers: the baseline's `[experiment]` replications, seed, horizon and
    /// warm-up unless `options` gives them (its factors and variants are not
    /// used), the same for both.
    ///
    /// Errors: bad settings, and scenarios in different time units.
    pub fn experiment(
        baseline: &Scenario,
        improved: Improved<'_>,
        options: &ExperimentOptions,
    ) -> Result<Experiment, ScenarioError> {
        let mut base = baseline.clone();
        let def = base.file.experiment.get_or_insert_with(Default::default);
        def.factors.clear();
        def.precision = None;
        let improved = match improved {
            Improved::Scenario(scenario) => scenario,
            Improved::Variant(name) => {
                let known: Vec<String> = def
                    .variants
                    .iter()
                    .map(|v| format!("`{}`", v.name))
                    .collect();
                def.variants.retain(|v| v.name == name);
                if def.variants.is_empty() {
                    return Err(ScenarioError::Invalid {
                        origin: baseline.origin().to_owned(),
                        line: None,
                        field: "experiment.variants".into(),
                        message: if known.is_empty() {
                            format!("has no variant `{name}`: the file has no variants")
                        } else {
                            format!("has no variant `{name}` (known: {})", known.join(", "))
                        },
                    });
                }
                let mut experiment = Experiment::new(&base, options)?;
                experiment.design_points[0].label = "baseline".into();
                return Ok(experiment);
            }
        };
        def.variants.clear();
        let (a, b) = (
            &baseline.file.scenario.time_unit,
            &improved.file.scenario.time_unit,
        );
        if a != b {
            return Err(ScenarioError::Invalid {
                origin: improved.origin().to_owned(),
                line: None,
                field: "scenario.time_unit".into(),
                message: format!(
                    "is `{b}` but the baseline's is `{a}`: both scenarios must use one unit"
                ),
            });
        }
        let mut experiment = Experiment::new(&base, options)?;
        experiment.design_points[0].label = "baseline".into();
        experiment.design_points.push(DesignPoint {
            label: "improved".into(),
            variant: "improved".into(),
            factors: IndexMap::new(),
            scenario: improved.clone(),
        });
        Ok(experiment)
    }

    /// Runs both and reports the indicators; `progress` and `cancel` as in
    /// [`Experiment::run`].
    ///
    /// # Errors
    ///
    /// Bad input, or the run was cancelled.
    pub fn run(
        baseline: &Scenario,
        improved: Improved<'_>,
        options: &ExperimentOptions,
        progress: &(dyn Fn(u64, u64) + Sync),
        cancel: &AtomicBool,
    ) -> Result<Self, AssessError> {
        let experiment =
            Self::experiment(baseline, improved, options).map_err(ExperimentError::Invalid)?;
        let result = experiment.run(progress, cancel)?;
        Ok(Self::from_result(
            &experiment,
            &result,
            &baseline.file.scenario.name,
            &improved.name(),
        ))
    }

    /// The indicators from an experiment of [`Assessment::experiment`].
    pub fn from_result(
        experiment: &Experiment,
        result: &ExperimentResult,
        baseline: &str,
        improved: &str,
    ) -> Self {
        let catalogue = Catalogue::bundled();
        let tally = |point: usize, kpi: &str| {
            result.points[point]
                .kpis()
                .find(|(k, _)| k == kpi)
                .map(|(_, t)| *t)
        };
        let mut indicators = Vec::new();
        for (id, kpi, reading) in INDICATORS {
            let (Some(x), Some(y), Some(d)) =
                (tally(0, kpi), tally(1, kpi), result.paired(0, 1, kpi))
            else {
                continue;
            };
            if x.count() == 0 || y.count() == 0 {
                continue;
            }
            let better = catalogue
                .get(kpi)
                .map_or_else(|| "higher".to_owned(), |k| k.better.clone());
            let difference = estimate(&d);
            let relative = relative_change(&x, &y, &d);
            let excludes_zero =
                difference.ci95.is_finite() && difference.mean.abs() > difference.ci95;
            let up = difference.mean > 0.0;
            let verdict = match (excludes_zero, up == (better == "higher")) {
                (false, _) => "no significant change",
                (true, true) => "better",
                (true, false) => "worse",
            };
            indicators.push(Indicator {
                id,
                kpi,
                better,
                reading,
                baseline: estimate(&x),
                improved: estimate(&y),
                difference,
                relative,
                n: d.count(),
                verdict,
            });
        }
        let time_unit = experiment.design_points[0]
            .scenario
            .file
            .scenario
            .time_unit
            .clone();
        Self {
            schema: ASSESS_SCHEMA,
            baseline: baseline.to_owned(),
            improved: improved.to_owned(),
            time_unit,
            seed: experiment.seed,
            horizon: experiment.horizon,
            warmup: experiment.warmup,
            replications: result.replications,
            indicators,
        }
    }

    /// The report as `linetwin.assess/1` JSON.
    pub fn to_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).unwrap_or_default();
        text.push('\n');
        text
    }

    /// One row per indicator: `indicator,kpi,unit,better,baseline,baseline_ci95,
    /// improved,improved_ci95,difference,difference_ci95,relative,relative_ci95,n,verdict`.
    pub fn to_csv(&self) -> String {
        let mut writer = csv::Writer::from_writer(Vec::new());
        let _ = writer.write_record([
            "indicator",
            "kpi",
            "unit",
            "better",
            "baseline",
            "baseline_ci95",
            "improved",
            "improved_ci95",
            "difference",
            "difference_ci95",
            "relative",
            "relative_ci95",
            "n",
            "verdict",
        ]);
        let number = |x: f64| {
            if x.is_finite() {
                x.to_string()
            } else {
                String::new()
            }
        };
        for i in &self.indicators {
            let _ = writer.write_record([
                i.id.to_owned(),
                i.kpi.to_owned(),
                crate::export::unit(i.kpi, &self.time_unit),
                i.better.clone(),
                number(i.baseline.mean),
                number(i.baseline.ci95),
                number(i.improved.mean),
                number(i.improved.ci95),
                number(i.difference.mean),
                number(i.difference.ci95),
                number(i.relative.mean),
                number(i.relative.ci95),
                i.n.to_string(),
                i.verdict.to_owned(),
            ]);
        }
        writer
            .into_inner()
            .ok()
            .and_then(|b| String::from_utf8(b).ok())
            .unwrap_or_default()
    }

    /// A Markdown table an assessor pastes into a report, names in `lang`.
    pub fn to_markdown(&self, lang: Lang) -> String {
        let catalogue = Catalogue::bundled();
        let mut out = String::new();
        let (intro, columns) = match lang {
            Lang::En => (
                format!(
                    "**{}** against **{}**: {} paired replications (common random numbers), period [{}, {}] {}, 95% confidence intervals.",
                    self.improved,
                    self.baseline,
                    self.replications,
                    self.warmup,
                    self.horizon,
                    self.time_unit
                ),
                "| indicator | KPI | baseline | improved | change | verdict |",
            ),
            Lang::Zh => (
                format!(
                    "**{}** 对比 **{}**：{} 次配对仿真（公共随机数），统计区间 [{}, {}] {}，95% 置信区间。",
                    self.improved,
                    self.baseline,
                    self.replications,
                    self.warmup,
                    self.horizon,
                    self.time_unit
                ),
                "| 指标 | KPI | 基线 | 改进后 | 变化 | 结论 |",
            ),
        };
        let head = format!("{intro}\n\n{columns}\n| --- | --- | ---: | ---: | ---: | --- |\n");
        out.push_str(&head);
        for i in &self.indicators {
            let name = catalogue
                .get(i.kpi)
                .map(|k| match lang {
                    Lang::En => k.en.clone(),
                    Lang::Zh => k.zh.clone(),
                })
                .unwrap_or_default();
            let unit = crate::export::unit(i.kpi, &self.time_unit);
            let change = i.change(&unit);
            let verdict = match (lang, i.verdict) {
                (Lang::Zh, "better") => "改善",
                (Lang::Zh, "worse") => "变差",
                (Lang::Zh, _) => "无显著变化",
                (Lang::En, v) => v,
            };
            let _ = writeln!(
                out,
                "| {name} | `{}` | {} | {} | {change} | {verdict} |",
                i.kpi,
                value(i.baseline, &unit),
                value(i.improved, &unit)
            );
        }
        out
    }

    /// A text table for the terminal.
    pub fn to_table(&self) -> String {
        let mut out = format!(
            "{} against {} — {} paired replications, period [{}, {}] {}\n\n",
            self.improved,
            self.baseline,
            self.replications,
            self.warmup,
            self.horizon,
            self.time_unit
        );
        let _ = writeln!(
            out,
            "{:<22}{:>34}{:>34}{:>22}  verdict",
            "indicator", "baseline", "improved", "change"
        );
        for i in &self.indicators {
            let unit = crate::export::unit(i.kpi, &self.time_unit);
            let change = i.change(&unit);
            let _ = writeln!(
                out,
                "{:<22}{:>34}{:>34}{:>22}  {}",
                i.id,
                value(i.baseline, &unit),
                value(i.improved, &unit),
                change,
                i.verdict
            );
        }
        out
    }
}

/// A mean and its half-width at the mean's precision (four significant
/// digits); shares in %.
fn value(e: Estimate, unit: &str) -> String {
    if !e.mean.is_finite() {
        return "n/a".into();
    }
    if unit == "ratio" {
        return if e.ci95.is_finite() {
            format!("{:.1}% ± {:.1}%", 100.0 * e.mean, 100.0 * e.ci95)
        } else {
            format!("{:.1}%", 100.0 * e.mean)
        };
    }
    let unit = if unit.is_empty() {
        String::new()
    } else {
        format!(" {unit}")
    };
    let magnitude = if e.mean == 0.0 {
        0
    } else {
        e.mean.abs().log10().floor() as i32
    };
    let decimals = (3 - magnitude).clamp(0, 6) as usize;
    if e.ci95.is_finite() {
        format!("{:.decimals$} ± {:.decimals$}{unit}", e.mean, e.ci95)
    } else {
        format!("{:.decimals$}{unit}", e.mean)
    }
}

fn estimate(t: &Tally) -> Estimate {
    let ci = t.ci95();
    Estimate {
        mean: ci.mean,
        ci95: ci.half_width,
    }
}

/// ȳ / x̄ − 1 and its delta-method half-width from the paired replications:
/// Var(y − R x) = Var(y) − 2 R Cov(x, y) + R² Var(x), with Cov(x, y) from
/// Var(y − x) = Var(x) + Var(y) − 2 Cov(x, y).
fn relative_change(x: &Tally, y: &Tally, d: &Tally) -> Estimate {
    let (mx, my) = (x.mean(), y.mean());
    if mx == 0.0 {
        return Estimate {
            mean: f64::NAN,
            ci95: f64::NAN,
        };
    }
    let ratio = my / mx;
    let n = d.count();
    let ci95 = if n < 2 {
        f64::NAN
    } else {
        let (vx, vy) = (x.variance(), y.variance());
        let cov = (vx + vy - d.variance()) / 2.0;
        let var = (vy - 2.0 * ratio * cov + ratio * ratio * vx).max(0.0) / (n as f64 * mx * mx);
        student_t_quantile(0.975, (n - 1) as f64) * var.sqrt()
    };
    Estimate {
        mean: ratio - 1.0,
        ci95,
    }
}
