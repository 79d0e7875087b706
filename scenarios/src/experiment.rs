//! Monte-Carlo experiments: design points × replications in parallel (rayon), with
//! common random numbers, Student-t confidence intervals and paired comparisons.
//!
//! Design points are the scenario and its named variants, each crossed with the
//! full-factorial grid of the `[experiment]` factors. Replication `i` of every
//! design point uses the streams of `(seed, i)`, so two design points that share
//! a station see the same random numbers there (common random numbers), and a
//! paired difference cancels most of the noise.
//!
//! Reproducibility: replications run in chunks of a fixed size and their results
//! are merged in replication order, so the output depends only on the file and the
//! seed, never on the number of threads. Memory stays flat in the number of
//! replications: only mergeable statistics are kept.

use std::fmt::Write as _;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use indexmap::IndexMap;
use rayon::prelude::*;
use serde_json::{Map, Value, json};
use sim_core::{ConfidenceInterval, Tally};
use twin_models::{KPI_SCHEMA, Kpis, RunOptions};

use crate::error::{FieldPath, Issue};
use crate::validate::ReadError;
use crate::{Scenario, ScenarioError, ScenarioFile};

/// Replications run between two merges (and precision checks). Fixed, never
/// derived from the thread count, so that results do not depend on it.
pub const CHUNK: u64 = 32;

/// Replications per design point when neither the file nor the caller says.
pub const DEFAULT_REPLICATIONS: u64 = 10;

/// Paired comparisons between every two design points are kept up to this many
/// design points; beyond it, only comparisons with the first one.
pub const MAX_PAIRWISE_POINTS: usize = 16;

/// The sections of the single-run KPIs that hold numbers, in output order
/// (`orders` only when the line has orders, `crews` when it has crews).
const SECTIONS: [&str; 6] = ["line", "products", "stations", "buffers", "orders", "crews"];

/// Separates the segments of a KPI path inside keys (names may contain dots).
const SEPARATOR: char = '\u{1f}';

/// The most design points an experiment may have: its variants (the scenario
/// itself included) times the points of its factor grid. Every design point is
/// a validated scenario held in memory, so the bound is checked before any is
/// built.
pub const MAX_DESIGN_POINTS: u64 = 10_000;

/// The most replications per design point (fixed, or a precision rule's maximum).
pub const MAX_REPLICATIONS: u64 = 1_000_000_000;

/// The largest scenario file a variant may name (bytes), as for orders files.
pub const MAX_VARIANT_FILE: u64 = 64 << 20;

/// Caller overrides of the `[experiment]` settings.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct ExperimentOptions {
    /// Replications per design point (replaces `experiment.replications`).
    pub replications: Option<u64>,
    /// Master seed (replaces `experiment.seed` and `scenario.seed`).
    pub seed: Option<u64>,
    /// End of every run (replaces `experiment.horizon` and `scenario.horizon`).
    pub horizon: Option<f64>,
    /// End of every warm-up (replaces `experiment.warmup` and `scenario.warmup`).
    pub warmup: Option<f64>,
    /// Let variants name scenario files outside the scenario's directory tree
    /// (trusted input only; by default such a file is refused unread).
    pub allow_outside: bool,
}

/// How large an experiment is, from [`Experiment::check`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ExperimentSize {
    /// Design points: variants (base included) × factor combinations.
    pub design_points: u64,
    /// Replications per design point, as [`Experiment::replications`].
    pub replications: u64,
}

/// One design point: a variant with one combination of factor values.
#[derive(Clone, Debug)]
pub struct DesignPoint {
    /// `variant` followed by the factor values, e.g. `base: buffers.B2.capacity=5`.
    pub label: String,
    /// The variant's name (`base` for the scenario itself).
    pub variant: String,
    /// Factor values of this point, by parameter.
    pub factors: IndexMap<String, Value>,
    /// The validated scenario of this point.
    pub scenario: Scenario,
}

/// The sequential-precision rule.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Precision {
    /// The KPI, e.g. `line.throughput`.
    pub kpi: String,
    /// Target relative 95% half-width.
    pub relative_half_width: f64,
    /// Most replications per design point.
    pub max_replications: u64,
}

/// Why an experiment stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Stopping {
    /// The fixed number of replications was run.
    Fixed,
    /// Every design point reached the precision target.
    PrecisionReached,
    /// The maximum number of replications was reached first.
    MaxReplications,
}

impl Stopping {
    fn as_str(self) -> &'static str {
        match self {
            Self::Fixed => "fixed replications",
            Self::PrecisionReached => "precision reached",
            Self::MaxReplications => "maximum replications reached before the precision target",
        }
    }
}

/// A validated experiment, ready to run.
#[derive(Clone, Debug)]
pub struct Experiment {
    /// Scenario name.
    pub name: String,
    /// Design points in order: variants (base first), each over the factor grid.
    pub design_points: Vec<DesignPoint>,
    /// Master seed.
    pub seed: u64,
    /// Replications per design point (ignored under a precision rule).
    pub replications: u64,
    /// End of every run.
    pub horizon: f64,
    /// End of every warm-up.
    pub warmup: f64,
    /// Optional sequential-precision rule.
    pub precision: Option<Precision>,
}

/// Why an experiment did not produce results.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum ExperimentError {
    /// Bad input.
    #[error(transparent)]
    Invalid(#[from] ScenarioError),
    /// Stopped by the caller (e.g. Ctrl-C) after this many runs.
    #[error("interrupted after {0} runs; no results")]
    Interrupted(u64),
}

fn invalid(
    scenario: &Scenario,
    field: impl Into<String>,
    message: impl Into<String>,
) -> ScenarioError {
    ScenarioError::Invalid {
        origin: scenario.origin().to_owned(),
        line: None,
        field: field.into(),
        message: message.into(),
    }
}

/// The error for `message` at `path` of `scenario`'s file, with its line.
fn located(scenario: &Scenario, path: FieldPath, message: impl Into<String>) -> ScenarioError {
    scenario.locate(Issue::new(path, message))
}

/// What a variant or factor does wrong when it changes a run setting of
/// `[scenario]`: design points share one seed, horizon, warm-up and time unit
/// (common random numbers and one table depend on it), so such a change is
/// refused rather than silently ignored.
fn changed_run_setting(base: &ScenarioFile, changed: &ScenarioFile) -> Option<String> {
    let (a, b) = (&base.scenario, &changed.scenario);
    let (field, from, to, instead) = if a.seed != b.seed {
        (
            "seed",
            a.seed.to_string(),
            b.seed.to_string(),
            "`experiment.seed` or `--seed`",
        )
    } else if a.horizon.to_bits() != b.horizon.to_bits() {
        (
            "horizon",
            a.horizon.to_string(),
            b.horizon.to_string(),
            "`experiment.horizon`",
        )
    } else if a.warmup.to_bits() != b.warmup.to_bits() {
        (
            "warmup",
            a.warmup.to_string(),
            b.warmup.to_string(),
            "`experiment.warmup`",
        )
    } else if a.time_unit != b.time_unit {
        (
            "time_unit",
            a.time_unit.clone(),
            b.time_unit.clone(),
            "the same unit in every file",
        )
    } else {
        return None;
    };
    Some(format!(
        "changes `scenario.{field}` from {from} to {to}: every design point runs with the same run settings; use {instead}"
    ))
}

/// The scenario file `name` of a variant, relative to `scenario`'s directory
/// (the working directory without one). Unless `allow_outside`, it must stay
/// inside that directory tree, and it is refused before it is read; it may be
/// at most [`MAX_VARIANT_FILE`] bytes; and a file that is not a scenario (not
/// TOML with a `[scenario]` table) is refused without quoting it.
fn variant_file(scenario: &Scenario, name: &str, allow_outside: bool) -> Result<Scenario, String> {
    use std::path::{Component, Path};
    let relative = Path::new(name);
    let dir = scenario
        .dir()
        .map_or_else(|| Path::new(".").to_path_buf(), Path::to_path_buf);
    let path = dir.join(relative);
    if !allow_outside {
        let lexically_inside = !relative.is_absolute()
            && relative
                .components()
                .all(|c| matches!(c, Component::Normal(_) | Component::CurDir));
        // A symbolic link inside the tree may still point out of it.
        let really_inside = || match (path.canonicalize(), dir.canonicalize()) {
            (Ok(file), Ok(dir)) => file.starts_with(dir),
            // A file that does not exist is reported as such below.
            _ => true,
        };
        if !lexically_inside || !really_inside() {
            return Err(format!(
                "`{name}` must be a path inside the scenario's directory (no `..`, not absolute, no link out of it); `--allow-outside` lifts this for trusted files"
            ));
        }
    }
    let bytes =
        crate::validate::read_capped(&path, MAX_VARIANT_FILE, "a scenario file").map_err(|e| {
            match e {
                ReadError::Io(e) => format!("`{name}`: cannot read the file: {e}"),
                ReadError::Refused(m) => format!("`{name}`: {m}"),
            }
        })?;
    let is_scenario = std::str::from_utf8(&bytes)
        .ok()
        .and_then(|text| text.parse::<toml::Table>().ok())
        .is_some_and(|table| table.get("scenario").is_some_and(toml::Value::is_table));
    if !is_scenario {
        return Err(format!(
            "`{name}` is not a scenario file (TOML with a `[scenario]` table)"
        ));
    }
    let text = String::from_utf8(bytes).map_err(|e| e.to_string())?;
    let parent = path.parent().unwrap_or(&dir);
    Scenario::from_toml_in(&text, &path.display().to_string(), parent).map_err(|e| e.to_string())
}

/// Sets the parameter at `path` (names, e.g. `stations.S1.processing.mean`) of
/// `file` to `value`; returns the changed file (not yet validated).
fn set_parameter(
    file: &ScenarioFile,
    path: &str,
    value: &toml::Value,
) -> Result<ScenarioFile, String> {
    let mut root = toml::Value::try_from(file).map_err(|e| e.to_string())?;
    set_in_value(&mut root, path, value)?;
    root.try_into()
        .map_err(|e: toml::de::Error| format!("`{path}` = {value}: {}", e.message()))
}

/// The file `root` (a scenario file as TOML) with every `(parameter, value)` of
/// `settings` set, or `None` if one cannot be set or the result is not a
/// scenario file: one conversion for all of them, where [`set_parameter`]
/// converts the file once per parameter (and names the one that fails).
fn with_parameters<'a>(
    root: &toml::Value,
    settings: impl IntoIterator<Item = (&'a str, &'a toml::Value)>,
) -> Option<ScenarioFile> {
    let mut root = root.clone();
    for (path, value) in settings {
        set_in_value(&mut root, path, value).ok()?;
    }
    root.try_into().ok()
}

/// Sets `path` (e.g. `stations.S1.servers`) to `value` in the TOML `root`.
fn set_in_value(root: &mut toml::Value, path: &str, value: &toml::Value) -> Result<(), String> {
    let segments: Vec<&str> = path.split('.').collect();
    if segments.len() < 2 || segments.iter().any(|s| s.is_empty()) {
        return Err(format!(
            "`{path}` is not a parameter path such as `stations.S1.servers`"
        ));
    }
    let mut current = root;
    let last = segments.len() - 1;
    for (i, segment) in segments.iter().enumerate() {
        current = match current {
            toml::Value::Table(table) if i == last => {
                table.insert((*segment).to_owned(), value.clone());
                break;
            }
            toml::Value::Table(table) => table.get_mut(*segment).ok_or_else(|| match i {
                0 => format!("`{path}`: the scenario has no `{segment}`"),
                _ => format!(
                    "`{path}`: there is no `{segment}` in `{}`",
                    segments[..i].join(".")
                ),
            })?,
            toml::Value::Array(items) => items
                .iter_mut()
                .find(|item| item.get("name").and_then(toml::Value::as_str) == Some(segment))
                .ok_or_else(|| {
                    format!(
                        "`{path}`: there is no `{segment}` in `{}`",
                        segments[..i].join(".")
                    )
                })?,
            _ => {
                return Err(format!(
                    "`{path}`: `{}` is a value, not a table",
                    segments[..i].join(".")
                ));
            }
        };
    }
    Ok(())
}

/// The message of an error about a derived scenario, without its origin (the
/// experiment's own error names the file already).
fn without_origin(error: &ScenarioError) -> String {
    match error {
        ScenarioError::Invalid { field, message, .. } => format!("{field}: {message}"),
        other => other.to_string(),
    }
}

fn json_of(value: &toml::Value) -> Value {
    serde_json::to_value(value).unwrap_or(Value::Null)
}

impl Experiment {
    /// The experiment of `scenario`'s `[experiment]` section with `options`
    /// applied; a scenario without one is a single design point.
    ///
    /// Errors: a bad setting (replications outside 1 to [`MAX_REPLICATIONS`], a
    /// precision target <= 0), more than [`MAX_DESIGN_POINTS`] design points, a
    /// factor or variant parameter that names nothing, a value that makes the
    /// scenario invalid (the message names the design point), a variant that
    /// changes a run setting (`scenario.seed`, `horizon`, `warmup`,
    /// `time_unit`), a variant file that cannot be read, lies outside the
    /// scenario's directory tree (unless `allow_outside`) or is not a scenario,
    /// a precision KPI that is not a KPI.
    ///
    /// Cost: every design point is built and validated (a compiled line each),
    /// so time and memory grow with points × line size; see [`Experiment::check`].
    pub fn new(scenario: &Scenario, options: &ExperimentOptions) -> Result<Self, ScenarioError> {
        Self::design(scenario, options, true)
    }

    /// Checks the experiment as [`Experiment::new`] does, but builds only the
    /// design points that differ from the first in one factor (each variant
    /// with each value of each factor, the other factors at their first value):
    /// Σ values instead of their product per variant. Values that are valid
    /// alone but not together are found by [`Experiment::new`] only.
    ///
    /// Returns the size [`Experiment::new`] would have.
    ///
    /// Errors: those of [`Experiment::new`], but for such combinations.
    pub fn check(
        scenario: &Scenario,
        options: &ExperimentOptions,
    ) -> Result<ExperimentSize, ScenarioError> {
        let some = Self::design(scenario, options, false)?;
        let def = scenario.file.experiment.as_ref();
        let grid: u64 = def.map_or(1, |d| {
            d.factors.iter().map(|f| f.values.len() as u64).product()
        });
        // Bounded by MAX_DESIGN_POINTS in `design`, so the product fits.
        Ok(ExperimentSize {
            design_points: grid * (def.map_or(0, |d| d.variants.len()) as u64 + 1),
            replications: some.replications,
        })
    }

    /// [`Experiment::new`] (`every_point`) or the points of [`Experiment::check`].
    fn design(
        scenario: &Scenario,
        options: &ExperimentOptions,
        every_point: bool,
    ) -> Result<Self, ScenarioError> {
        let def = scenario.file.experiment.clone().unwrap_or_default();
        let section = &scenario.file.scenario;
        let replications = match options.replications {
            Some(n) if (1..=MAX_REPLICATIONS).contains(&n) => n,
            Some(n) => {
                return Err(invalid(
                    scenario,
                    "replications",
                    format!("must be an integer from 1 to {MAX_REPLICATIONS}, got {n}"),
                ));
            }
            None => {
                let n = def.replications.unwrap_or(DEFAULT_REPLICATIONS as i64);
                match u64::try_from(n) {
                    Ok(n) if (1..=MAX_REPLICATIONS).contains(&n) => n,
                    _ => {
                        return Err(located(
                            scenario,
                            FieldPath::root("experiment").key("replications"),
                            format!("must be an integer from 1 to {MAX_REPLICATIONS}, got {n}"),
                        ));
                    }
                }
            }
        };
        let seed = options.seed.or(def.seed).unwrap_or(section.seed);
        let horizon = options.horizon.or(def.horizon).unwrap_or(section.horizon);
        let warmup = options.warmup.or(def.warmup).unwrap_or(section.warmup);
        // A bad value names where it came from: the caller (no line), the
        // `[experiment]` section or the `[scenario]` section.
        let blame = |field: &str, from_caller: bool, in_experiment: bool, message: String| {
            if from_caller {
                invalid(scenario, format!("scenario.{field}"), message)
            } else {
                let section = if in_experiment {
                    "experiment"
                } else {
                    "scenario"
                };
                located(scenario, FieldPath::root(section).key(field), message)
            }
        };
        if !(horizon.is_finite() && horizon > 0.0) {
            return Err(blame(
                "horizon",
                options.horizon.is_some(),
                def.horizon.is_some(),
                format!("must be positive and finite, got {horizon}"),
            ));
        }
        if horizon > crate::validate::MAX_HORIZON {
            return Err(blame(
                "horizon",
                options.horizon.is_some(),
                def.horizon.is_some(),
                crate::validate::horizon_too_long(horizon),
            ));
        }
        if !(warmup.is_finite() && warmup >= 0.0 && warmup < horizon) {
            return Err(blame(
                "warmup",
                options.warmup.is_some(),
                def.warmup.is_some(),
                format!("must be at least 0 and below the horizon {horizon}, got {warmup}"),
            ));
        }
        let run = scenario.options(&crate::Overrides {
            seed: Some(seed),
            horizon: Some(horizon),
            warmup: Some(warmup),
            replication: None,
        })?;
        let precision = match &def.precision {
            None => None,
            Some(p) => {
                if !(p.relative_half_width.is_finite() && p.relative_half_width > 0.0) {
                    return Err(invalid(
                        scenario,
                        "experiment.precision.relative_half_width",
                        format!("must be positive, got {}", p.relative_half_width),
                    ));
                }
                if !(2..=MAX_REPLICATIONS as i64).contains(&p.max_replications) {
                    return Err(located(
                        scenario,
                        FieldPath::root("experiment")
                            .key("precision")
                            .key("max_replications"),
                        format!(
                            "must be an integer from 2 to {MAX_REPLICATIONS}, got {}",
                            p.max_replications
                        ),
                    ));
                }
                Some(Precision {
                    kpi: p.kpi.clone(),
                    relative_half_width: p.relative_half_width,
                    max_replications: p.max_replications as u64,
                })
            }
        };

        for (i, factor) in def.factors.iter().enumerate() {
            if factor.values.is_empty() {
                return Err(invalid(
                    scenario,
                    format!("experiment.factors[{i}].values"),
                    "must list at least one value",
                ));
            }
        }
        // Count the design points before building any: a grid of many factors
        // can have more points than memory (or than a u64 can count).
        let grid = def
            .factors
            .iter()
            .try_fold(1u64, |n, f| n.checked_mul(f.values.len() as u64));
        let points = grid.and_then(|g| g.checked_mul(def.variants.len() as u64 + 1));
        if points.is_none_or(|n| n > MAX_DESIGN_POINTS) {
            let sizes: Vec<String> = def
                .factors
                .iter()
                .map(|f| f.values.len().to_string())
                .collect();
            let grid = if sizes.len() <= 6 {
                format!("a grid of {} values", sizes.join(" × "))
            } else {
                format!("a grid of {} factors", sizes.len())
            };
            let count = points.map_or_else(
                || {
                    let n = def
                        .factors
                        .iter()
                        .map(|f| f.values.len() as f64)
                        .product::<f64>()
                        * (def.variants.len() + 1) as f64;
                    format!("about {n:.3e}")
                },
                |n| n.to_string(),
            );
            return Err(invalid(
                scenario,
                "experiment.factors",
                format!(
                    "{} variant(s) × {grid} is {count} design points, more than the {MAX_DESIGN_POINTS} an experiment may have",
                    def.variants.len() + 1,
                ),
            ));
        }

        let mut variants = vec![("base".to_owned(), scenario.clone())];
        for (i, variant) in def.variants.iter().enumerate() {
            let field = format!("experiment.variants[{i}]");
            crate::validate::check_name(&variant.name).map_err(|m| {
                located(
                    scenario,
                    FieldPath::root("experiment")
                        .key("variants")
                        .index(i)
                        .key("name"),
                    m,
                )
            })?;
            if variants.iter().any(|(name, _)| *name == variant.name) {
                return Err(invalid(
                    scenario,
                    format!("{field}.name"),
                    format!("`{}` is used twice", variant.name),
                ));
            }
            let mut base = match &variant.scenario {
                None => scenario.file.clone(),
                Some(path) => {
                    let other = variant_file(scenario, path, options.allow_outside)
                        .map_err(|m| invalid(scenario, format!("{field}.scenario"), m))?;
                    if other.file.experiment.is_some() {
                        return Err(invalid(
                            scenario,
                            format!("{field}.scenario"),
                            format!(
                                "`{path}` has its own [experiment] section; a variant must not"
                            ),
                        ));
                    }
                    other.file
                }
            };
            for (parameter, value) in &variant.set {
                base = set_parameter(&base, parameter, value)
                    .map_err(|m| invalid(scenario, format!("{field}.set"), m))?;
            }
            base.experiment = None;
            if let Some(setting) = changed_run_setting(&scenario.file, &base) {
                return Err(invalid(
                    scenario,
                    field.clone(),
                    format!("variant `{}` {setting}", variant.name),
                ));
            }
            let validated = scenario.with_file(base).map_err(|e| {
                invalid(
                    scenario,
                    field.clone(),
                    format!(
                        "variant `{}` is invalid: {}",
                        variant.name,
                        without_origin(&e)
                    ),
                )
            })?;
            variants.push((variant.name.clone(), validated));
        }

        let mut design_points = Vec::new();
        // Bounded by MAX_DESIGN_POINTS above, so the product fits.
        let combinations: usize = def.factors.iter().map(|f| f.values.len()).product();
        let indices: Vec<usize> = if every_point {
            (0..combinations).collect()
        } else {
            // The first point, then one factor at a time (the last varies fastest).
            let mut indices = vec![0];
            let mut stride = 1;
            for factor in def.factors.iter().rev() {
                indices.extend((1..factor.values.len()).map(|j| j * stride));
                stride *= factor.values.len();
            }
            indices
        };
        for (variant, variant_scenario) in &variants {
            // The variant without its experiment (a factor's values can be many),
            // as TOML once: each point clones it and sets its factors.
            let mut variant_file = variant_scenario.file.clone();
            variant_file.experiment = None;
            let variant_value = toml::Value::try_from(&variant_file).ok();
            // Full factorial, the first factor varying slowest.
            for &index in &indices {
                let mut factors = IndexMap::new();
                let mut rest = index;
                let mut picks = vec![0; def.factors.len()];
                for (k, factor) in def.factors.iter().enumerate().rev() {
                    picks[k] = rest % factor.values.len();
                    rest /= factor.values.len();
                }
                let settings = || {
                    def.factors
                        .iter()
                        .zip(&picks)
                        .map(|(f, &pick)| (f.parameter.as_str(), &f.values[pick]))
                };
                let fast = variant_value
                    .as_ref()
                    .and_then(|root| with_parameters(root, settings()))
                    .filter(|file| changed_run_setting(&variant_file, file).is_none());
                let file = match fast {
                    Some(file) => file,
                    // One factor at a time, to name the one that fails.
                    None => {
                        let mut file = variant_file.clone();
                        for (k, factor) in def.factors.iter().enumerate() {
                            let value = &factor.values[picks[k]];
                            file = set_parameter(&file, &factor.parameter, value).map_err(|m| {
                                invalid(scenario, format!("experiment.factors[{k}].parameter"), m)
                            })?;
                            if let Some(setting) = changed_run_setting(&variant_file, &file) {
                                return Err(invalid(
                                    scenario,
                                    format!("experiment.factors[{k}].parameter"),
                                    format!("factor `{}` {setting}", factor.parameter),
                                ));
                            }
                        }
                        file
                    }
                };
                for (path, value) in settings() {
                    factors.insert(path.to_owned(), json_of(value));
                }
                let mut label = variant.clone();
                if !factors.is_empty() {
                    let values: Vec<String> =
                        factors.iter().map(|(p, v)| format!("{p}={v}")).collect();
                    let _ = write!(label, ": {}", values.join(", "));
                }
                let point_scenario = variant_scenario.with_file(file).map_err(|e| {
                    invalid(
                        scenario,
                        "experiment.factors",
                        format!("design point `{label}` is invalid: {}", without_origin(&e)),
                    )
                })?;
                // A check keeps only the first point (for the precision probe):
                // memory stays that of one line however many values it checks.
                if every_point || design_points.is_empty() {
                    design_points.push(DesignPoint {
                        label,
                        variant: variant.clone(),
                        factors,
                        scenario: point_scenario,
                    });
                }
            }
        }
        let experiment = Self {
            name: section.name.clone(),
            design_points,
            seed,
            replications: replications as u64,
            horizon: run.horizon,
            warmup: run.warmup,
            precision,
        };
        if let Some(p) = &experiment.precision {
            // The KPI names depend only on the line: a run of an instant lists them.
            let probe = experiment.design_points[0].scenario.run_with(&RunOptions {
                seed,
                replication: 0,
                horizon: f64::EPSILON,
                warmup: 0.0,
            })?;
            if !flatten(&probe)
                .iter()
                .any(|(key, _)| display_path(key) == p.kpi)
            {
                return Err(invalid(
                    scenario,
                    "experiment.precision.kpi",
                    format!(
                        "`{}` is not a numeric KPI (e.g. `line.throughput`, `stations.<name>.utilization`)",
                        p.kpi
                    ),
                ));
            }
        }
        Ok(experiment)
    }

    /// Runs replication `replication` of design point `point`.
    pub fn run_one(&self, point: usize, replication: u64) -> Result<Kpis, ScenarioError> {
        self.design_points[point].scenario.run_with(&RunOptions {
            seed: self.seed,
            replication,
            horizon: self.horizon,
            warmup: self.warmup,
        })
    }

    /// The most runs the experiment can make: design points × replications
    /// (at most [`MAX_DESIGN_POINTS`] × [`MAX_REPLICATIONS`], which fits a u64).
    pub fn planned_runs(&self) -> u64 {
        let per_point = self
            .precision
            .as_ref()
            .map_or(self.replications, |p| p.max_replications);
        (self.design_points.len() as u64).saturating_mul(per_point)
    }

    /// Runs every design point × replication on the current rayon pool.
    ///
    /// `progress(done, planned)` is called from worker threads after each run;
    /// setting `cancel` stops the experiment after the runs in flight, with
    /// [`ExperimentError::Interrupted`]. Cost: one simulation per run; memory
    /// holds the statistics and at most [`CHUNK`] replications of results.
    pub fn run(
        &self,
        progress: &(dyn Fn(u64, u64) + Sync),
        cancel: &AtomicBool,
    ) -> Result<ExperimentResult, ExperimentError> {
        let points = self.design_points.len();
        let planned = self.planned_runs();
        let max_replications = self
            .precision
            .as_ref()
            .map_or(self.replications, |p| p.max_replications);
        let pairs: Vec<(usize, usize)> = if points <= MAX_PAIRWISE_POINTS {
            (0..points)
                .flat_map(|a| (a + 1..points).map(move |b| (a, b)))
                .collect()
        } else {
            (1..points).map(|b| (0, b)).collect()
        };
        let mut result = ExperimentResult {
            name: self.name.clone(),
            seed: self.seed,
            horizon: self.horizon,
            warmup: self.warmup,
            time_unit: self.design_points[0]
                .scenario
                .line()
                .time_unit
                .symbol()
                .to_owned(),
            replications: 0,
            stopping: Stopping::Fixed,
            precision: self.precision.clone(),
            points: self
                .design_points
                .iter()
                .map(|p| PointSummary {
                    label: p.label.clone(),
                    variant: p.variant.clone(),
                    factors: p.factors.clone(),
                    stats: IndexMap::new(),
                    bottleneck: IndexMap::new(),
                })
                .collect(),
            pairs: pairs.iter().map(|&pair| (pair, IndexMap::new())).collect(),
        };
        let done = AtomicU64::new(0);
        let mut next = 0;
        while next < max_replications {
            let end = (next + CHUNK).min(max_replications);
            let tasks: Vec<(u64, usize)> = (next..end)
                .flat_map(|rep| (0..points).map(move |p| (rep, p)))
                .collect();
            let outcomes: Vec<Option<Result<Kpis, ScenarioError>>> = tasks
                .par_iter()
                .map(|&(rep, point)| {
                    if cancel.load(Ordering::Relaxed) {
                        return None;
                    }
                    let label = &self.design_points[point].label;
                    let outcome = self.run_one(point, rep).map_err(|e| in_run(e, label, rep));
                    progress(done.fetch_add(1, Ordering::Relaxed) + 1, planned);
                    Some(outcome)
                })
                .collect();
            if cancel.load(Ordering::Relaxed) {
                return Err(ExperimentError::Interrupted(done.load(Ordering::Relaxed)));
            }
            for replication in outcomes.chunks(points) {
                let flat = replication
                    .iter()
                    .map(|o| match o {
                        Some(Ok(kpis)) => Ok((flatten(kpis), kpis.bottleneck.clone())),
                        Some(Err(e)) => Err(e.clone()),
                        None => unreachable!("cancellation returned above"),
                    })
                    .collect::<Result<Vec<_>, _>>()?;
                result.add_replication(&flat);
            }
            next = end;
            if let Some(p) = &self.precision
                && result.replications >= 2
                && result.precision_reached(p)
            {
                result.stopping = Stopping::PrecisionReached;
                return Ok(result);
            }
        }
        if self.precision.is_some() {
            result.stopping = Stopping::MaxReplications;
        }
        Ok(result)
    }
}

/// A KPI path (segments joined by [`SEPARATOR`]) and its value (None when undefined).
type Flat = Vec<(String, Option<f64>)>;

/// The numeric KPIs of one run, by path, in a fixed order.
fn flatten(kpis: &Kpis) -> Flat {
    fn walk(value: &Value, prefix: &str, out: &mut Flat) {
        match value {
            Value::Object(map) => {
                for (key, child) in map {
                    let path = if prefix.is_empty() {
                        key.clone()
                    } else {
                        format!("{prefix}{SEPARATOR}{key}")
                    };
                    walk(child, &path, out);
                }
            }
            Value::Number(n) => out.push((prefix.to_owned(), n.as_f64())),
            Value::Null => out.push((prefix.to_owned(), None)),
            _ => {}
        }
    }
    let value = serde_json::to_value(kpis).unwrap_or(Value::Null);
    let mut out = Vec::new();
    for section in SECTIONS {
        if let Some(v) = value.get(section) {
            walk(v, section, &mut out);
        }
    }
    out
}

fn display_path(key: &str) -> String {
    key.replace(SEPARATOR, ".")
}

/// Statistics of one design point over its replications.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct PointSummary {
    /// See [`DesignPoint::label`].
    pub label: String,
    /// The variant's name.
    pub variant: String,
    /// Factor values.
    pub factors: IndexMap<String, Value>,
    stats: IndexMap<String, Tally>,
    /// How often each station was the bottleneck.
    pub bottleneck: IndexMap<String, u64>,
}

impl PointSummary {
    /// The mean and 95% CI of `kpi` (e.g. `line.throughput`), if it is a KPI.
    pub fn kpi(&self, kpi: &str) -> Option<ConfidenceInterval> {
        self.stats
            .iter()
            .find(|(k, _)| display_path(k) == kpi)
            .map(|(_, t)| t.ci95())
    }

    /// Every numeric KPI with its tally, in report order (paths with `.`).
    pub fn kpis(&self) -> impl Iterator<Item = (String, &Tally)> {
        self.stats.iter().map(|(k, t)| (display_path(k), t))
    }
}

/// The result of an experiment: per design point and per KPI, mean, sd, 95% CI
/// and n; paired differences between design points.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct ExperimentResult {
    name: String,
    seed: u64,
    horizon: f64,
    warmup: f64,
    time_unit: String,
    /// Replications run per design point.
    pub replications: u64,
    /// Why the experiment stopped.
    pub stopping: Stopping,
    precision: Option<Precision>,
    /// Per design point, in order.
    pub points: Vec<PointSummary>,
    pairs: Vec<((usize, usize), IndexMap<String, Tally>)>,
}

impl ExperimentResult {
    /// The whole result (every tally and paired difference, not only the
    /// summaries [`ExperimentResult::to_json`] prints) as text, to store it or
    /// send it to another process; [`ExperimentResult::from_state`] restores
    /// it exactly.
    pub fn to_state(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// A result from [`ExperimentResult::to_state`]'s text.
    ///
    /// # Errors
    ///
    /// The text is not such a state: the parser's message.
    pub fn from_state(text: &str) -> Result<Self, String> {
        serde_json::from_str(text).map_err(|e| format!("not an experiment result's state: {e}"))
    }

    fn add_replication(&mut self, runs: &[(Flat, String)]) {
        for (point, (flat, bottleneck)) in self.points.iter_mut().zip(runs) {
            for (key, value) in flat {
                let tally = point.stats.entry(key.clone()).or_default();
                if let Some(v) = value {
                    tally.add(*v);
                }
            }
            *point.bottleneck.entry(bottleneck.clone()).or_default() += 1;
        }
        for ((a, b), stats) in &mut self.pairs {
            let base: IndexMap<&str, Option<f64>> =
                runs[*a].0.iter().map(|(k, v)| (k.as_str(), *v)).collect();
            for (key, value) in &runs[*b].0 {
                if let (Some(Some(x)), Some(y)) = (base.get(key.as_str()), value) {
                    stats.entry(key.clone()).or_default().add(y - x);
                }
            }
        }
        self.replications += 1;
    }

    fn precision_reached(&self, precision: &Precision) -> bool {
        self.points.iter().all(|point| {
            point.kpi(&precision.kpi).is_some_and(|ci| {
                ci.half_width.is_finite()
                    && ci.half_width <= precision.relative_half_width * ci.mean.abs()
            })
        })
    }

    /// The tally of the paired differences `kpi(b) − kpi(a)` over the
    /// replications where both have a value, if that pair is kept (`a < b`).
    pub fn paired(&self, a: usize, b: usize, kpi: &str) -> Option<Tally> {
        self.pairs
            .iter()
            .find(|(pair, _)| *pair == (a, b))
            .and_then(|(_, stats)| stats.iter().find(|(k, _)| display_path(k) == kpi))
            .map(|(_, t)| *t)
    }

    /// The paired difference `kpi(b) − kpi(a)` over common replications (common
    /// random numbers), with its 95% CI.
    ///
    /// Errors: a design point out of range, a KPI that is not in both, a pair not
    /// kept (more than [`MAX_PAIRWISE_POINTS`] points and `a` is not 0).
    pub fn compare(&self, a: usize, b: usize, kpi: &str) -> Result<ConfidenceInterval, String> {
        let n = self.points.len();
        if a >= n || b >= n {
            return Err(format!(
                "design points are numbered 0 to {}, got {a} and {b}",
                n - 1
            ));
        }
        // Checked before the shortcut below: comparing a point with itself on a
        // KPI that does not exist is an error, not 0 ± 0.
        if self.points[a].kpi(kpi).is_none() {
            return Err(format!(
                "`{kpi}` is not a numeric KPI of both design points"
            ));
        }
        if a == b {
            return Ok(ConfidenceInterval {
                mean: 0.0,
                half_width: 0.0,
                n: self.replications,
            });
        }
        let (first, second, sign) = if a < b { (a, b, 1.0) } else { (b, a, -1.0) };
        let stats = self
            .pairs
            .iter()
            .find(|(pair, _)| *pair == (first, second))
            .map(|(_, s)| s)
            .ok_or_else(|| {
                format!("with more than {MAX_PAIRWISE_POINTS} design points only comparisons with point 0 are kept")
            })?;
        let ci = stats
            .iter()
            .find(|(k, _)| display_path(k) == kpi)
            .map(|(_, t)| t.ci95())
            .ok_or_else(|| format!("`{kpi}` is not a numeric KPI of both design points"))?;
        Ok(ConfidenceInterval {
            mean: sign * ci.mean,
            ..ci
        })
    }

    /// The result as JSON in the `linetwin.kpi/2` schema: every number of the
    /// single-run KPIs becomes `{mean, sd, ci95, n}`.
    pub fn to_json(&self) -> String {
        let stopping = match &self.precision {
            None => json!({ "rule": self.stopping.as_str() }),
            Some(p) => json!({
                "rule": self.stopping.as_str(),
                "kpi": p.kpi,
                "relative_half_width": p.relative_half_width,
                "max_replications": p.max_replications,
                "reached": self.stopping == Stopping::PrecisionReached,
            }),
        };
        let points: Vec<Value> = self
            .points
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let mut kpis = nest(&p.stats);
                if let Value::Object(map) = &mut kpis {
                    map.insert("bottleneck".into(), json!(p.bottleneck));
                }
                json!({
                    "index": i,
                    "label": p.label,
                    "variant": p.variant,
                    "factors": p.factors,
                    "replications": self.replications,
                    "kpis": kpis,
                })
            })
            .collect();
        let comparisons: Vec<Value> = self
            .pairs
            .iter()
            .filter(|((a, _), _)| *a == 0)
            .map(|((a, b), stats)| {
                json!({
                    "a": self.points[*a].label,
                    "b": self.points[*b].label,
                    "difference": "b - a, paired by replication",
                    "kpis": nest(stats),
                })
            })
            .collect();
        let document = json!({
            "schema": KPI_SCHEMA,
            "kind": "experiment",
            "scenario": self.name,
            "time_unit": self.time_unit,
            "seed": self.seed,
            "horizon": self.horizon,
            "warmup": self.warmup,
            "replications": self.replications,
            "stopping": stopping,
            "design_points": points,
            "comparisons": comparisons,
        });
        let mut text = serde_json::to_string_pretty(&document).unwrap_or_default();
        text.push('\n');
        text
    }

    /// A text table of the main KPIs with their 95% CIs, and the paired
    /// differences with the first design point.
    pub fn to_table(&self) -> String {
        let unit = &self.time_unit;
        // (KPI, title with its unit, scale: 100 for the shares shown in %).
        let mut columns: Vec<(String, String, f64)> = vec![
            ("line.throughput".into(), format!("throughput /{unit}"), 1.0),
            ("line.wip_mean".into(), "WIP (parts)".into(), 1.0),
            (
                "line.lead_time.mean".into(),
                format!("mean lead time {unit}"),
                1.0,
            ),
            ("line.oee.oee".into(), "OEE %".into(), 100.0),
        ];
        // Lines with orders show their delivery; stations that set up, their setup share.
        if self.points[0].kpi("orders.on_time_rate").is_some() {
            columns.push((
                "orders.tardiness.mean".into(),
                format!("mean tardiness {unit}"),
                1.0,
            ));
            columns.push(("orders.on_time_rate".into(), "on time %".into(), 100.0));
        }
        // Lines that wear show their failures, unplanned down time and
        // maintenance cost.
        if self.points[0].kpi("line.maintenance.failures").is_some() {
            columns.push(("line.maintenance.failures".into(), "failures".into(), 1.0));
            columns.push((
                "line.iso.unplanned_downtime".into(),
                format!("unplanned down {unit}"),
                1.0,
            ));
            columns.push((
                "line.maintenance.cost_rate".into(),
                format!("maint. cost /{unit}"),
                1.0,
            ));
        }
        let setup_stations: Vec<String> = self.points[0]
            .kpis()
            .filter_map(|(k, _)| {
                k.strip_prefix("stations.")?
                    .strip_suffix(".setups")
                    .map(str::to_owned)
            })
            .filter(|s| {
                self.points.iter().any(|p| {
                    p.kpi(&format!("stations.{s}.setups"))
                        .is_some_and(|c| c.mean > 0.0)
                })
            })
            .collect();
        for s in setup_stations {
            columns.push((
                format!("stations.{s}.states.setup"),
                format!("setup {s} %"),
                100.0,
            ));
        }
        // Percentages with two decimals, like `run`; other values by magnitude.
        // One replication has no confidence interval: its value alone.
        let ci = |c: Option<ConfidenceInterval>, scale: f64| {
            let number = |x: f64| {
                if scale == 100.0 {
                    format!("{:.2}", x * scale)
                } else {
                    short(x * scale)
                }
            };
            match c {
                Some(c) if c.mean.is_finite() && c.half_width.is_finite() => {
                    format!("{} ± {}", number(c.mean), number(c.half_width))
                }
                Some(c) if c.mean.is_finite() => number(c.mean),
                _ => "n/a".to_owned(),
            }
        };
        let width = self
            .points
            .iter()
            .map(|p| p.label.chars().count())
            .max()
            .unwrap_or(12)
            .max(12);
        let column = |title: &str| title.chars().count().max(20);
        let mut out = String::new();
        let _ = writeln!(
            out,
            "{} — {} {} per design point, seed {}, horizon {} {unit}, warm-up {} {unit} ({})",
            self.name,
            self.replications,
            if self.replications == 1 {
                "replication"
            } else {
                "replications"
            },
            self.seed,
            self.horizon,
            self.warmup,
            self.stopping.as_str()
        );
        let _ = writeln!(
            out,
            "{}\n",
            if self.replications > 1 {
                "mean ± half-width of the 95% confidence interval (Student t)"
            } else {
                "one replication: values without confidence intervals"
            }
        );
        let _ = write!(out, "{:<width$}", "design point");
        for (_, title, _) in &columns {
            let _ = write!(out, "  {title:>w$}", w = column(title));
        }
        out.push('\n');
        for point in &self.points {
            let _ = write!(out, "{:<width$}", point.label);
            for (kpi, title, scale) in &columns {
                let _ = write!(
                    out,
                    "  {:>w$}",
                    ci(point.kpi(kpi), *scale),
                    w = column(title)
                );
            }
            out.push('\n');
        }
        if self.points.len() > 1 {
            let _ = writeln!(
                out,
                "\nPaired differences with `{}` (95% CI, common random numbers)",
                self.points[0].label
            );
            for b in 1..self.points.len() {
                let _ = write!(out, "{:<width$}", self.points[b].label);
                for (kpi, title, scale) in &columns {
                    let _ = write!(
                        out,
                        "  {:>w$}",
                        ci(self.compare(0, b, kpi).ok(), *scale),
                        w = column(title)
                    );
                }
                out.push('\n');
            }
        }
        out
    }
}

/// A run's error with the run it happened in (e.g. a deadlock in one
/// replication).
fn in_run(error: ScenarioError, label: &str, replication: u64) -> ScenarioError {
    match error {
        ScenarioError::Invalid {
            origin,
            line,
            field,
            message,
        } => ScenarioError::Invalid {
            origin,
            line,
            field,
            message: format!("design point `{label}`, replication {replication}: {message}"),
        },
        other => other,
    }
}

fn short(x: f64) -> String {
    if x.abs() >= 100.0 {
        format!("{x:.1}")
    } else if x.abs() >= 1.0 {
        format!("{x:.3}")
    } else {
        format!("{x:.4}")
    }
}

/// Rebuilds the KPI tree from flat paths, each number becoming `{mean, sd, ci95, n}`.
fn nest(stats: &IndexMap<String, Tally>) -> Value {
    // Every section is there, in the order of the single-run KPIs, even when
    // empty (a line without named buffers).
    let mut root: Map<String, Value> = SECTIONS[..4]
        .iter()
        .map(|s| ((*s).to_owned(), Value::Object(Map::new())))
        .collect();
    for (key, tally) in stats {
        let segments: Vec<&str> = key.split(SEPARATOR).collect();
        let mut node = &mut root;
        for segment in &segments[..segments.len() - 1] {
            node = node
                .entry((*segment).to_owned())
                .or_insert_with(|| Value::Object(Map::new()))
                .as_object_mut()
                .expect("KPI paths never end where another continues");
        }
        let ci = tally.ci95();
        node.insert(
            segments[segments.len() - 1].to_owned(),
            json!({ "mean": ci.mean, "sd": tally.sd(), "ci95": ci.half_width, "n": ci.n }),
        );
    }
    Value::Object(root)
}
