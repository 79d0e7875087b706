//! Validation: a [`ScenarioFile`] becomes a runnable [`Scenario`], or one clear error.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use indexmap::IndexMap;
use sim_core::{Distribution, DistributionError};
use twin_models::{
    BufferSpec, CompiledLine, DEFAULT_EMISSION_FACTOR, DispatchRule, EnergySpec, FailureClock,
    FailureSpec, Kpis, LineSpec, OrderSpec, PowerSpec, ProductSpec, RunOptions, ServerState,
    SetupSpec, SinkSpec, SourceKind, SourceSpec, StationSpec, StructureError, TimeUnit, WhenFull,
};

use crate::error::{FieldPath, Issue};
use crate::schema::{EnergyDef, PowerDef};

mod maintenance;
use crate::{DistributionDef, RouteStep, ScenarioError, ScenarioFile};

/// Command-line or API overrides of the `[scenario]` run settings.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Overrides {
    /// Replaces `scenario.seed`.
    pub seed: Option<u64>,
    /// Replaces `scenario.horizon`.
    pub horizon: Option<f64>,
    /// Replaces `scenario.warmup`.
    pub warmup: Option<f64>,
    /// The replication whose random streams to use (default 0). With an
    /// experiment's seed, horizon and warm-up this replays replication `i` of
    /// its first design point.
    pub replication: Option<u64>,
}

/// A validated scenario: the file as written and the line it describes.
#[derive(Clone, Debug)]
pub struct Scenario {
    /// The scenario as written (names, defaults not filled in).
    pub file: ScenarioFile,
    /// The resolved line, checked and compiled once: every run only seeds it.
    compiled: Arc<CompiledLine>,
    /// Structural oddities that do not stop a run.
    pub warnings: Vec<String>,
    origin: String,
    text: Option<String>,
    /// The directory of the file, for paths inside it (experiment variants).
    dir: Option<std::path::PathBuf>,
}

impl Scenario {
    /// Reads and validates the scenario file at `path`.
    ///
    /// Errors: [`ScenarioError::Io`] if the file cannot be read,
    /// [`ScenarioError::Syntax`] for TOML and format errors (unknown or missing
    /// fields, wrong types), [`ScenarioError::Invalid`] for values the model cannot
    /// use (unknown names, negative times, impossible mean/cv, …).
    pub fn from_path(path: impl AsRef<Path>) -> Result<Self, ScenarioError> {
        let path = path.as_ref();
        let origin = path.display().to_string();
        let io = |message: String| ScenarioError::Io {
            origin: origin.clone(),
            message,
        };
        let bytes = read_capped(path, MAX_SCENARIO_FILE, "a scenario file").map_err(|e| {
            io(match e {
                ReadError::Io(e) => e.to_string(),
                ReadError::Refused(m) => m,
            })
        })?;
        let text = String::from_utf8(bytes)
            .map_err(|_| io("stream did not contain valid UTF-8".to_owned()))?;
        Self::parse(&text, &origin, path.parent())
    }

    /// Parses and validates scenario TOML `text`; `origin` names it in errors.
    ///
    /// # Example
    ///
    /// ```
    /// use scenarios::{Overrides, Scenario};
    ///
    /// let text = r#"
    ///     [scenario]
    ///     name = "one machine"
    ///     time_unit = "min"
    ///     horizon = 1000
    ///
    ///     [[products]]
    ///     name = "part"
    ///     route = ["mill"]
    ///
    ///     [[stations]]
    ///     name = "mill"
    ///     processing = { dist = "constant", value = 2.0 }
    ///
    ///     [[sources]]
    ///     name = "release"
    ///     kind = "saturated"
    ///
    ///     [[sinks]]
    ///     name = "out"
    /// "#;
    /// let scenario = Scenario::from_toml(text, "example.toml")?;
    /// let kpis = scenario.run(&Overrides::default())?;
    /// assert_eq!(kpis.line.parts_completed, 500);
    ///
    /// let bad = text.replace("value = 2.0", "value = -2.0");
    /// let error = Scenario::from_toml(&bad, "example.toml").unwrap_err();
    /// assert_eq!(
    ///     error.to_string(),
    ///     "example.toml:13: stations[0].processing.value: must be non-negative and finite, got -2"
    /// );
    /// # Ok::<(), scenarios::ScenarioError>(())
    /// ```
    pub fn from_toml(text: &str, origin: &str) -> Result<Self, ScenarioError> {
        Self::parse(text, origin, None)
    }

    /// [`Scenario::from_toml`] for text whose file paths (orders CSV) are
    /// relative to `dir`, as if it had been read from a file there.
    pub fn from_toml_in(text: &str, origin: &str, dir: &Path) -> Result<Self, ScenarioError> {
        Self::parse(text, origin, Some(dir))
    }

    /// [`Scenario::from_toml`] with the directory files in it are relative to.
    fn parse(text: &str, origin: &str, dir: Option<&Path>) -> Result<Self, ScenarioError> {
        let document = toml::Deserializer::parse(text)
            .map_err(|e| ScenarioError::from_toml(origin, text, &e, None))?;
        let file: ScenarioFile = serde_path_to_error::deserialize(document).map_err(|e| {
            let field = e.path().to_string();
            ScenarioError::from_toml(origin, text, e.inner(), Some(&field))
        })?;
        Self::build(file, origin, Some(text), dir)
    }

    /// Validates a scenario built in code (e.g. from Python); errors carry no line.
    /// Files it names (orders CSV) are relative to the working directory.
    pub fn from_file(file: ScenarioFile, origin: &str) -> Result<Self, ScenarioError> {
        Self::build(file, origin, None, None)
    }

    fn build(
        file: ScenarioFile,
        origin: &str,
        text: Option<&str>,
        dir: Option<&Path>,
    ) -> Result<Self, ScenarioError> {
        let line = read_order_files(&file, dir)
            .and_then(|order_files| resolve(&file, &order_files))
            .map_err(|issue| issue.locate(origin, text))?;
        let compiled = CompiledLine::new(&line).map_err(|e| {
            let path = e
                .field
                .as_deref()
                .map_or_else(|| FieldPath::root("line"), FieldPath::parse);
            Issue::new(path, e.message).locate(origin, text)
        })?;
        let mut warnings = compiled.graph().warnings().to_vec();
        warnings.extend(mix_warnings(&file));
        warnings.extend(maintenance::idle_crews(&file));
        warnings.extend(crate::load::unstable_stations(
            compiled.spec(),
            file.scenario.horizon,
        ));
        let scenario = Self {
            warnings,
            file,
            compiled: Arc::new(compiled),
            origin: origin.to_owned(),
            text: text.map(str::to_owned),
            dir: dir.map(Path::to_path_buf),
        };
        scenario.options(&Overrides::default())?;
        Ok(scenario)
    }

    /// The same scenario with `file` in place of its definition, validated; paths
    /// in it stay relative to this scenario's directory.
    pub(crate) fn with_file(&self, file: ScenarioFile) -> Result<Self, ScenarioError> {
        Self::build(file, &self.origin, None, self.dir.as_deref())
    }

    /// The resolved line, entities linked by index.
    pub fn line(&self) -> &LineSpec {
        self.compiled.spec()
    }

    /// The error for `issue`, placed in this scenario's file.
    pub(crate) fn locate(&self, issue: Issue) -> ScenarioError {
        issue.locate(&self.origin, self.text.as_deref())
    }

    /// The scenario as TOML (the same format it is read from).
    pub fn to_toml(&self) -> String {
        toml::to_string(&self.file)
            .unwrap_or_else(|e| format!("# cannot write the scenario: {e}\n"))
    }

    /// Where the scenario came from (a path, or a label for specs built in code).
    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// The directory the files it names (orders CSV, variant scenarios) are
    /// relative to: its file's, or the one given to [`Scenario::from_toml_in`].
    pub fn dir(&self) -> Option<&Path> {
        self.dir.as_deref()
    }

    /// The run options of the file with `overrides` applied and checked.
    pub fn options(&self, overrides: &Overrides) -> Result<RunOptions, ScenarioError> {
        let section = &self.file.scenario;
        let options = RunOptions {
            seed: overrides.seed.unwrap_or(section.seed),
            replication: overrides.replication.unwrap_or(0),
            horizon: overrides.horizon.unwrap_or(section.horizon),
            warmup: overrides.warmup.unwrap_or(section.warmup),
        };
        let fail = |field: &str, message: String| {
            let issue = Issue::new(FieldPath::root("scenario").key(field), message);
            // A value given on the command line has no line in the file.
            let overridden = match field {
                "horizon" => overrides.horizon.is_some(),
                _ => overrides.warmup.is_some(),
            };
            let text = if overridden {
                None
            } else {
                self.text.as_deref()
            };
            Err(issue.locate(&self.origin, text))
        };
        if !(options.horizon.is_finite() && options.horizon > 0.0) {
            return fail(
                "horizon",
                format!("must be positive and finite, got {}", options.horizon),
            );
        }
        if options.horizon > MAX_HORIZON {
            return fail("horizon", horizon_too_long(options.horizon));
        }
        if !(options.warmup.is_finite()
            && options.warmup >= 0.0
            && options.warmup < options.horizon)
        {
            return fail(
                "warmup",
                format!(
                    "must be at least 0 and below the horizon {}, got {}",
                    options.horizon, options.warmup
                ),
            );
        }
        Ok(options)
    }

    /// Runs one replication with `overrides` applied.
    pub fn run(&self, overrides: &Overrides) -> Result<Kpis, ScenarioError> {
        let options = self.options(overrides)?;
        self.run_with(&options)
    }

    /// Runs one replication with `overrides` applied and user dispatching rules
    /// at some stations: `(station name, rule)`, which replaces the station's
    /// rule from the file.
    ///
    /// Errors: [`RulesError::Invalid`] for bad overrides or an unknown station;
    /// [`RulesError::Rule`] when a rule fails (the run stops there).
    pub fn run_with_rules(
        &self,
        overrides: &Overrides,
        rules: &[(&str, &dyn twin_models::DispatchPolicy)],
    ) -> Result<Kpis, RulesError> {
        self.run_with_plugins(overrides, rules, &[])
    }

    /// [`Scenario::run_with_rules`] with user maintenance policies too:
    /// `("station/mode", policy)`, which replaces that wear mode's policy from
    /// the file (the mode needs a condition signal).
    ///
    /// Errors: those of [`Scenario::run_with_rules`]; [`RulesError::Invalid`]
    /// for an unknown station or wear mode, or one without a signal;
    /// [`RulesError::Maintenance`] when a policy fails (the run stops there).
    pub fn run_with_plugins(
        &self,
        overrides: &Overrides,
        rules: &[(&str, &dyn twin_models::DispatchPolicy)],
        maintenance: &[(&str, &dyn twin_models::MaintenancePolicy)],
    ) -> Result<Kpis, RulesError> {
        let options = self.options(overrides)?;
        let mut spec = self.line().clone();
        let mut policies = Vec::with_capacity(rules.len());
        for (index, (station, rule)) in rules.iter().enumerate() {
            let Some(s) = spec.stations.iter_mut().find(|s| s.name == *station) else {
                let known = known_names(self.line().stations.iter().map(|s| s.name.as_str()));
                return Err(ScenarioError::Invalid {
                    origin: self.origin.clone(),
                    line: None,
                    field: "rules".to_owned(),
                    message: format!("unknown station `{station}` (known: {known})"),
                }
                .into());
            };
            s.rule = DispatchRule::User {
                index: index as u32,
            };
            policies.push(*rule);
        }
        let mut deciders = Vec::with_capacity(maintenance.len());
        for (index, (name, policy)) in maintenance.iter().enumerate() {
            let invalid = |message: String| ScenarioError::Invalid {
                origin: self.origin.clone(),
                line: None,
                field: "maintenance".to_owned(),
                message,
            };
            let (station, mode) = name.split_once('/').ok_or_else(|| {
                invalid(format!("`{name}` must name a wear mode as `station/mode`"))
            })?;
            let s = spec
                .stations
                .iter_mut()
                .find(|s| s.name == station)
                .ok_or_else(|| {
                    let known = known_names(self.line().stations.iter().map(|s| s.name.as_str()));
                    invalid(format!("unknown station `{station}` (known: {known})"))
                })?;
            let known = known_names(s.wear.iter().map(|w| w.name.as_str()));
            let w = s.wear.iter_mut().find(|w| w.name == mode).ok_or_else(|| {
                invalid(format!(
                    "station `{station}` has no wear mode `{mode}` (known: {known})"
                ))
            })?;
            if w.signal.is_none() {
                return Err(invalid(format!(
                    "wear mode `{name}` has no condition signal for a policy to read"
                ))
                .into());
            }
            w.policy = twin_models::Policy::User {
                index: index as u32,
            };
            deciders.push(*policy);
        }
        let compiled = CompiledLine::new(&spec).map_err(|e| self.invalid(e))?;
        compiled
            .simulate_with(&options, &policies, &deciders)
            .map_err(|e| match e {
                twin_models::RunError::Invalid(e) => RulesError::Invalid(self.invalid(e)),
                twin_models::RunError::Rule(failure) => RulesError::Rule(failure),
                twin_models::RunError::Maintenance(failure) => RulesError::Maintenance(failure),
                e @ (twin_models::RunError::Deadlock(_)
                | twin_models::RunError::WipLimit { .. }
                | twin_models::RunError::Rescheduler { .. }
                | twin_models::RunError::Unfinished { .. }) => {
                    RulesError::Invalid(self.invalid(StructureError::line(e.to_string())))
                }
            })
    }

    /// A run's error as a scenario error: a run option names its `[scenario]`
    /// field; what concerns the whole line (a deadlock) is about `line`.
    fn invalid(&self, e: StructureError) -> ScenarioError {
        ScenarioError::Invalid {
            origin: self.origin.clone(),
            line: None,
            field: e
                .field
                .map_or_else(|| "line".to_owned(), |f| format!("scenario.{f}")),
            message: e.message,
        }
    }

    /// Runs one replication with explicit options (e.g. replication `i` of an experiment).
    pub fn run_with(&self, options: &RunOptions) -> Result<Kpis, ScenarioError> {
        // The line was checked when the scenario was built; what is left are the
        // run options, which are fields of `[scenario]`.
        self.compiled.simulate(options).map_err(|e| self.invalid(e))
    }
}

/// Why [`Scenario::run_with_rules`] produced no KPIs.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum RulesError {
    /// Bad input: overrides, or a rule for an unknown station.
    #[error(transparent)]
    Invalid(#[from] ScenarioError),
    /// A user rule failed and stopped the run.
    #[error("dispatching rule failed: {0}")]
    Rule(twin_models::RuleFailure),
    /// A user maintenance policy failed and stopped the run.
    #[error(transparent)]
    Maintenance(twin_models::PolicyFailure),
}

/// A warning per source whose mix weights do not sum to 1: they are used as
/// relative weights (normalised), which the warning states with the shares.
fn mix_warnings(file: &ScenarioFile) -> Vec<String> {
    let mut warnings = Vec::new();
    for source in &file.sources {
        let total: f64 = source.mix.values().sum();
        if source.mix.is_empty() || (total - 1.0).abs() <= 1e-9 || total.is_nan() || total <= 0.0 {
            continue;
        }
        let shares: Vec<String> = source
            .mix
            .iter()
            .map(|(p, w)| format!("{p} {:.3}", w / total))
            .collect();
        warnings.push(format!(
            "source `{}`: the mix weights sum to {total}, not 1; they are normalised to {}",
            source.name,
            shares.join(", ")
        ));
    }
    warnings
}

/// Why `name` cannot name an entity, if it cannot: it must not be empty (or
/// blank) and must not contain control characters such as a newline, which
/// would break one-line messages and tables.
pub(crate) fn check_name(name: &str) -> Result<(), String> {
    if name.trim().is_empty() {
        return Err("must not be empty".to_owned());
    }
    if name.chars().any(char::is_control) {
        return Err(format!(
            "must not contain control characters such as a newline or a tab, got {name:?}"
        ));
    }
    Ok(())
}

/// The name of a station's failure or wear mode `m` at `path`, `kind-N`
/// (e.g. `failure-1`) when not given. Streams are keyed by `station/mode`: a
/// `/` in a mode name could make two modes share their random numbers.
fn mode_name(name: Option<&str>, kind: &str, m: usize, path: &FieldPath) -> Result<String, Issue> {
    let name = name.map_or_else(|| format!("{kind}-{}", m + 1), str::to_owned);
    check_name(&name).map_err(|message| Issue::new(path.key("name"), message))?;
    if name.contains('/') {
        return Err(Issue::new(
            path.key("name"),
            format!("must not contain `/`, got `{name}`"),
        ));
    }
    Ok(name)
}

/// Names of one kind of entity → index, rejecting duplicates.
fn index_names<'a>(
    kind: &str,
    names: impl Iterator<Item = &'a str>,
) -> Result<HashMap<&'a str, usize>, Issue> {
    let mut map = HashMap::new();
    for (i, name) in names.enumerate() {
        let path = FieldPath::root(kind).index(i).key("name");
        check_name(name).map_err(|m| Issue::new(path.clone(), m))?;
        if map.insert(name, i).is_some() {
            return Err(Issue::new(path, format!("`{name}` is used twice")));
        }
    }
    Ok(map)
}

/// Known names listed in an error about an unknown one, at most.
pub(crate) const KNOWN_NAMES_SHOWN: usize = 8;

/// `names` for an error message: the first [`KNOWN_NAMES_SHOWN`] in
/// alphabetical order, each in backticks, and how many more there are.
pub(crate) fn known_names<'a>(names: impl Iterator<Item = &'a str>) -> String {
    let mut known: Vec<&str> = names.collect();
    known.sort_unstable();
    let shown: Vec<String> = known
        .iter()
        .take(KNOWN_NAMES_SHOWN)
        .map(|k| format!("`{k}`"))
        .collect();
    match known.len().saturating_sub(KNOWN_NAMES_SHOWN) {
        0 => shown.join(", "),
        more => format!("{}, … and {more} more", shown.join(", ")),
    }
}

fn lookup(
    map: &HashMap<&str, usize>,
    kind: &str,
    name: &str,
    path: FieldPath,
) -> Result<usize, Issue> {
    map.get(name).copied().ok_or_else(|| {
        if map.is_empty() {
            return Issue::new(
                path,
                format!("unknown {kind} `{name}` (no {kind}s are defined)"),
            );
        }
        let known = known_names(map.keys().copied());
        Issue::new(path, format!("unknown {kind} `{name}` (known: {known})"))
    })
}

/// The orders of the CSV files of sources of kind `orders`: per source, its
/// index, the file as written, and the rows with their line numbers.
type OrderFiles = Vec<(usize, String, Vec<(u64, crate::OrderDef)>)>;

/// The largest scenario file read (bytes).
const MAX_SCENARIO_FILE: u64 = 64 << 20;

/// The largest orders file read (bytes).
const MAX_ORDERS_FILE: u64 = 64 << 20;

/// Why [`read_capped`] read nothing.
pub(crate) enum ReadError {
    /// The file cannot be opened or read.
    Io(std::io::Error),
    /// Not a regular file, or larger than allowed: the message says which.
    Refused(String),
}

/// The bytes of the regular file `path`, at most `max` of them (`what`, e.g. "a
/// scenario file", names the kind in the message). A device, pipe or directory
/// is refused, and a file that reports no size (such as those in `/proc`) is
/// read only up to the limit, so that nothing can make a read endless.
pub(crate) fn read_capped(path: &Path, max: u64, what: &str) -> Result<Vec<u8>, ReadError> {
    use std::io::Read as _;
    // Looked at before opening: opening a pipe waits for a writer.
    let refused = |metadata: &std::fs::Metadata| !metadata.is_file();
    if std::fs::metadata(path)
        .map_err(ReadError::Io)
        .map(|m| refused(&m))?
    {
        return Err(ReadError::Refused(format!(
            "not a regular file (a directory, device or pipe); {what} must be one"
        )));
    }
    let file = std::fs::File::open(path).map_err(ReadError::Io)?;
    let metadata = file.metadata().map_err(ReadError::Io)?;
    if refused(&metadata) {
        return Err(ReadError::Refused(format!(
            "not a regular file (a directory, device or pipe); {what} must be one"
        )));
    }
    let too_large =
        |size: String| ReadError::Refused(format!("{size} is more than the {max} {what} may have"));
    if metadata.len() > max {
        return Err(too_large(format!("{} bytes", metadata.len())));
    }
    let mut bytes = Vec::new();
    file.take(max + 1)
        .read_to_end(&mut bytes)
        .map_err(ReadError::Io)?;
    if bytes.len() as u64 > max {
        return Err(too_large("its content".to_owned()));
    }
    Ok(bytes)
}

/// Reads the orders files named by sources of kind `orders`, relative to `dir`
/// (the scenario's directory; the working directory without one). A file must
/// stay inside that directory tree.
fn read_order_files(file: &ScenarioFile, dir: Option<&Path>) -> Result<OrderFiles, Issue> {
    let mut out = Vec::new();
    for (i, source) in file.sources.iter().enumerate() {
        let Some(name) = &source.file else { continue };
        let field = FieldPath::root("sources").index(i).key("file");
        let relative = Path::new(name);
        if relative.is_absolute()
            || relative.components().any(|c| {
                !matches!(
                    c,
                    std::path::Component::Normal(_) | std::path::Component::CurDir
                )
            })
        {
            return Err(Issue::new(
                field,
                format!(
                    "`{name}` must be a path inside the scenario's directory (no `..`, not absolute)"
                ),
            ));
        }
        let path = dir.map_or_else(|| relative.to_path_buf(), |d| d.join(relative));
        let fail = |message: String| Issue::new(field.clone(), format!("`{name}`: {message}"));
        let bytes = read_capped(&path, MAX_ORDERS_FILE, "an orders file").map_err(|e| {
            fail(match e {
                ReadError::Io(e) => e.to_string(),
                ReadError::Refused(m) => m,
            })
        })?;
        let mut reader = csv::ReaderBuilder::new()
            .trim(csv::Trim::All)
            .from_reader(bytes.as_slice());
        let headers = reader.headers().map_err(|e| fail(e.to_string()))?.clone();
        let mut rows = Vec::new();
        let mut record = csv::StringRecord::new();
        while reader
            .read_record(&mut record)
            .map_err(|e| fail(e.to_string()))?
        {
            let line = record.position().map_or(0, csv::Position::line);
            let row: crate::OrderDef = record.deserialize(Some(&headers)).map_err(|e| {
                let what = match e.kind() {
                    csv::ErrorKind::Deserialize { err, .. } => {
                        let column = err
                            .field()
                            .and_then(|c| headers.get(c as usize))
                            .map_or(String::new(), |c| format!("{c}: "));
                        format!("{column}{}", err.kind())
                    }
                    _ => e.to_string(),
                };
                fail(format!("line {line}: {what}"))
            })?;
            rows.push((line, row));
        }
        out.push((i, name.clone(), rows));
    }
    Ok(out)
}

/// The orders of `[[orders]]` and of the sources' files, names resolved and
/// values checked.
fn orders(
    file: &ScenarioFile,
    order_files: &OrderFiles,
    products: &HashMap<&str, usize>,
    sources: &[SourceSpec],
) -> Result<Vec<OrderSpec>, Issue> {
    let order_sources: Vec<usize> = (0..sources.len())
        .filter(|&s| sources[s].kind == SourceKind::Orders)
        .collect();
    let mut specs: Vec<OrderSpec> = Vec::new();
    let mut seen: HashMap<String, String> = HashMap::new();
    let source_names: HashMap<&str, usize> = file
        .sources
        .iter()
        .enumerate()
        .map(|(i, s)| (s.name.as_str(), i))
        .collect();
    let toml_rows = file.orders.iter().enumerate().map(|(i, o)| {
        (
            None,
            FieldPath::root("orders").index(i),
            format!("orders[{i}]"),
            o,
        )
    });
    let file_rows = order_files.iter().flat_map(|(source, name, rows)| {
        rows.iter().map(move |(line, o)| {
            (
                Some(*source),
                FieldPath::root("sources").index(*source).key("file"),
                format!("`{name}` line {line}"),
                o,
            )
        })
    });
    for (file_source, path, place, order) in toml_rows.chain(file_rows) {
        // In a CSV file a mistake is named by the file and line; in TOML by the field.
        let at = |key: &str, message: String| match file_source {
            Some(_) => Issue::new(path.clone(), format!("{place}: {key}: {message}")),
            None => Issue::new(path.key(key), message),
        };
        if let Err(message) = check_name(&order.id) {
            return Err(at("id", message));
        }
        if let Some(first) = seen.insert(order.id.clone(), place.clone()) {
            return Err(at(
                "id",
                format!("`{}` is used twice (also in {first})", order.id),
            ));
        }
        let product = match products.get(order.product.as_str()) {
            Some(&p) => p,
            None => {
                let issue = lookup(products, "product", &order.product, path.key("product"))
                    .expect_err("the name is unknown");
                return Err(at("product", issue.message));
            }
        };
        let source = match (file_source, &order.source) {
            (Some(s), None) => s,
            (Some(_), Some(_)) => {
                return Err(at(
                    "source",
                    "an orders file belongs to its source; leave the column out".to_owned(),
                ));
            }
            (None, Some(name)) => match source_names.get(name.as_str()) {
                Some(&s) if sources[s].kind == SourceKind::Orders => s,
                Some(_) => {
                    return Err(at(
                        "source",
                        format!("source `{name}` is not of kind `orders`"),
                    ));
                }
                None => {
                    return Err(at("source", format!("unknown source `{name}`")));
                }
            },
            (None, None) => match order_sources.as_slice() {
                [only] => *only,
                [] => {
                    return Err(at(
                        "source",
                        "no source is of kind `orders`: add one to release the orders".to_owned(),
                    ));
                }
                _ => {
                    return Err(at(
                        "source",
                        format!(
                            "name the source (the line has {} sources of kind `orders`)",
                            order_sources.len()
                        ),
                    ));
                }
            },
        };
        let quantity = order.quantity.unwrap_or(1);
        if !(1..=1_000_000).contains(&quantity) {
            return Err(at(
                "quantity",
                format!("must be an integer from 1 to 1000000, got {quantity}"),
            ));
        }
        let release = order.release.unwrap_or(0.0);
        if !(release.is_finite() && release >= 0.0) {
            return Err(at(
                "release",
                format!("must be non-negative and finite, got {release}"),
            ));
        }
        let due = order.due.unwrap_or(f64::INFINITY);
        if order.due.is_some_and(|d| !d.is_finite()) {
            return Err(at("due", format!("must be finite, got {due}")));
        }
        let weight = order.weight.unwrap_or(1.0);
        if !(weight.is_finite() && weight > 0.0) {
            return Err(at(
                "weight",
                format!("must be positive and finite, got {weight}"),
            ));
        }
        let priority = order.priority.unwrap_or(0.0);
        if !priority.is_finite() {
            return Err(at("priority", format!("must be finite, got {priority}")));
        }
        specs.push(OrderSpec {
            id: order.id.clone(),
            product,
            quantity: quantity as u32,
            release,
            due,
            weight,
            priority,
            source,
        });
    }
    Ok(specs)
}

/// Resolves names to indices and every definition to its model type.
fn resolve(file: &ScenarioFile, order_files: &OrderFiles) -> Result<LineSpec, Issue> {
    let section = &file.scenario;
    let time_unit = match section.time_unit.as_str() {
        "s" => TimeUnit::Seconds,
        "min" => TimeUnit::Minutes,
        "h" => TimeUnit::Hours,
        other => {
            return Err(Issue::new(
                FieldPath::root("scenario").key("time_unit"),
                format!("must be `s`, `min` or `h`, got `{other}`"),
            ));
        }
    };
    for (kind, empty) in [
        ("products", file.products.is_empty()),
        ("stations", file.stations.is_empty()),
        ("sources", file.sources.is_empty()),
        ("sinks", file.sinks.is_empty()),
    ] {
        if empty {
            return Err(Issue::new(
                FieldPath::root(kind),
                format!("at least one `[[{kind}]]` entry is required"),
            ));
        }
    }
    let products = index_names("products", file.products.iter().map(|p| p.name.as_str()))?;
    let stations = index_names("stations", file.stations.iter().map(|s| s.name.as_str()))?;
    let buffers = index_names("buffers", file.buffers.iter().map(|b| b.name.as_str()))?;
    index_names("sources", file.sources.iter().map(|s| s.name.as_str()))?;
    let sinks = index_names("sinks", file.sinks.iter().map(|s| s.name.as_str()))?;
    let (crews, crew_names) = maintenance::crews(file)?;

    // Families in order of first mention; a product without one is its own.
    let mut family_index: HashMap<&str, usize> = HashMap::new();
    let mut families: Vec<String> = Vec::new();
    for (i, product) in file.products.iter().enumerate() {
        let family = product.family.as_ref().unwrap_or(&product.name);
        check_name(family)
            .map_err(|m| Issue::new(FieldPath::root("products").index(i).key("family"), m))?;
        if !family_index.contains_key(family.as_str()) {
            family_index.insert(family, families.len());
            families.push(family.clone());
        }
    }

    let mut product_specs = Vec::with_capacity(file.products.len());
    for (i, product) in file.products.iter().enumerate() {
        let path = FieldPath::root("products").index(i);
        if product.route.is_empty() {
            return Err(Issue::new(
                path.key("route"),
                format!("product `{}`: the route is empty", product.name),
            ));
        }
        let mut route = Vec::with_capacity(product.route.len());
        let mut step_processing = Vec::new();
        for (k, step) in product.route.iter().enumerate() {
            let step_path = path.key("route").index(k);
            let names: Vec<&String> = match step {
                RouteStep::Station(name) => vec![name],
                RouteStep::Alternatives(names) if names.is_empty() => {
                    return Err(Issue::new(
                        step_path,
                        "a list of alternative stations must not be empty",
                    ));
                }
                RouteStep::Alternatives(names) => names.iter().collect(),
                RouteStep::Operation(op) => {
                    if let Some(def) = &op.processing {
                        step_processing.resize(k, None);
                        step_processing
                            .push(Some(processing_time(def, &step_path.key("processing"))?));
                    }
                    match (&op.station, &op.stations) {
                        (Some(name), None) => vec![name],
                        (None, Some(names)) if !names.is_empty() => names.iter().collect(),
                        (None, Some(_)) => {
                            return Err(Issue::new(
                                step_path.key("stations"),
                                "a list of alternative stations must not be empty",
                            ));
                        }
                        _ => {
                            return Err(Issue::new(
                                step_path,
                                "an operation names `station` or `stations` (one of them)",
                            ));
                        }
                    }
                }
            };
            let indices = names
                .iter()
                .map(|n| lookup(&stations, "station", n, step_path.clone()))
                .collect::<Result<Vec<_>, _>>()?;
            route.push(indices);
        }
        let sink = match &product.sink {
            Some(name) => lookup(&sinks, "sink", name, path.key("sink"))?,
            None if file.sinks.len() == 1 => 0,
            None => {
                return Err(Issue::new(
                    path.key("sink"),
                    format!(
                        "product `{}`: name its sink (the line has {} sinks)",
                        product.name,
                        file.sinks.len()
                    ),
                ));
            }
        };
        product_specs.push(ProductSpec {
            name: product.name.clone(),
            family: family_index[product.family.as_ref().unwrap_or(&product.name).as_str()],
            step_processing: if step_processing.is_empty() {
                step_processing
            } else {
                let mut all = step_processing;
                all.resize(route.len(), None);
                all
            },
            route,
            sink,
        });
    }

    // Per station, the products that visit it and those of them that need the
    // station's own processing time (a step may give its own): one pass over
    // the routes, so that validation stays linear in the size of the line.
    let mut visitors: Vec<Vec<usize>> = vec![Vec::new(); file.stations.len()];
    let mut needing_time: Vec<Vec<usize>> = vec![Vec::new(); file.stations.len()];
    for (p, spec) in product_specs.iter().enumerate() {
        for (k, step) in spec.route.iter().enumerate() {
            let needs_time = spec.step_time(k).is_none();
            for &s in step {
                if visitors[s].last() != Some(&p) {
                    visitors[s].push(p);
                }
                if needs_time && needing_time[s].last() != Some(&p) {
                    needing_time[s].push(p);
                }
            }
        }
    }

    let mut station_specs = Vec::with_capacity(file.stations.len());
    for (i, station) in file.stations.iter().enumerate() {
        let path = FieldPath::root("stations").index(i);
        let servers = station.servers.unwrap_or(1);
        if !(1..=100_000).contains(&servers) {
            return Err(Issue::new(
                path.key("servers"),
                format!("must be an integer from 1 to 100000, got {servers}"),
            ));
        }
        let input = match &station.input {
            Some(name) => Some(lookup(&buffers, "buffer", name, path.key("input"))?),
            None => None,
        };
        let default = match &station.processing {
            Some(def) => Some(processing_time(def, &path.key("processing"))?),
            None => None,
        };
        let mut processing: Vec<Option<Distribution>> = vec![None; file.products.len()];
        for &p in &visitors[i] {
            processing[p] = default.clone();
        }
        for (product, def) in &station.processing_by_product {
            let field = path.key("processing_by_product").key(product);
            let p = lookup(&products, "product", product, field.clone())?;
            processing[p] = Some(processing_time(def, &field)?);
        }
        for &p in &needing_time[i] {
            let spec = &product_specs[p];
            if processing[p].is_none() {
                return Err(Issue::new(
                    path.key("processing"),
                    format!(
                        "station `{}` has no processing time for product `{}`, which visits it: give `processing` or `processing_by_product.{}`",
                        station.name, spec.name, spec.name
                    ),
                ));
            }
        }
        let scrap = station.scrap.unwrap_or(0.0);
        if !(0.0..=1.0).contains(&scrap) {
            return Err(Issue::new(
                path.key("scrap"),
                format!("must be a probability in [0, 1], got {scrap}"),
            ));
        }
        let mut failures = Vec::with_capacity(station.failures.len());
        let mut failure_names = std::collections::HashSet::new();
        for (m, failure) in station.failures.iter().enumerate() {
            let fpath = path.key("failures").index(m);
            let name = mode_name(failure.name.as_deref(), "failure", m, &fpath)?;
            if !failure_names.insert(name.clone()) {
                return Err(Issue::new(
                    fpath.key("name"),
                    format!("`{name}` is used twice in station `{}`", station.name),
                ));
            }
            let clock = match failure.clock.as_deref() {
                None | Some("busy") => FailureClock::Busy,
                Some("calendar") => FailureClock::Calendar,
                Some("operating") => FailureClock::Operating,
                Some(other) => {
                    return Err(Issue::new(
                        fpath.key("clock"),
                        format!("must be `busy`, `operating` or `calendar`, got `{other}`"),
                    ));
                }
            };
            let ttf = driving_duration(&failure.ttf, &fpath.key("ttf"), "time to failure")?;
            let ttr = distribution(&failure.ttr, &fpath.key("ttr"))?;
            failures.push(FailureSpec {
                name,
                clock,
                ttf,
                ttr,
            });
        }
        let rule = match (&station.rule, &section.rule) {
            (Some(def), _) => dispatch_rule(def, &path.key("rule"))?,
            (None, Some(def)) => dispatch_rule(def, &FieldPath::root("scenario").key("rule"))?,
            (None, None) => DispatchRule::Fifo,
        };
        let setup = match &station.setup {
            None => None,
            Some(def) => Some(setup(def, &path.key("setup"), &family_index)?),
        };
        let planned_run_time = match &station.planned_run_time {
            None => Vec::new(),
            Some(value) => planned_run_time(
                value,
                &path.key("planned_run_time"),
                &station.name,
                &products,
                &visitors[i],
            )?,
        };
        let power = match &station.power {
            None => None,
            Some(def) => Some(power(def, &path.key("power"))?),
        };
        let wear = maintenance::wear_modes(station, &path, &failure_names, &crew_names)?;
        station_specs.push(StationSpec {
            name: station.name.clone(),
            servers: servers as u32,
            input,
            processing,
            failures,
            scrap,
            setup,
            rule,
            planned_run_time,
            power,
            wear,
        });
    }

    let mut buffer_specs = Vec::with_capacity(file.buffers.len());
    for (i, buffer) in file.buffers.iter().enumerate() {
        let capacity = match buffer.capacity {
            None => None,
            Some(c) if (0..=i64::from(MAX_CAPACITY)).contains(&c) => Some(c as u32),
            Some(c) => {
                return Err(Issue::new(
                    FieldPath::root("buffers").index(i).key("capacity"),
                    format!(
                        "must be an integer from 0 to {MAX_CAPACITY} (omit it for an unlimited buffer), got {c}"
                    ),
                ));
            }
        };
        buffer_specs.push(BufferSpec {
            name: buffer.name.clone(),
            capacity,
        });
    }

    let mut source_specs = Vec::with_capacity(file.sources.len());
    for (i, source) in file.sources.iter().enumerate() {
        let path = FieldPath::root("sources").index(i);
        if source.file.is_some() && source.kind != "orders" {
            return Err(Issue::new(
                path.key("file"),
                "applies only to sources of kind `orders`",
            ));
        }
        let kind = match source.kind.as_str() {
            "orders" => {
                for (field, given) in [
                    ("interarrival", source.interarrival.is_some()),
                    ("when_full", source.when_full.is_some()),
                    ("mix", !source.mix.is_empty()),
                    ("sequence", !source.sequence.is_empty()),
                ] {
                    if given {
                        return Err(Issue::new(
                            path.key(field),
                            "a source of kind `orders` releases its orders' parts: it takes no `interarrival`, `when_full`, `mix` or `sequence`",
                        ));
                    }
                }
                source_specs.push(SourceSpec {
                    name: source.name.clone(),
                    kind: SourceKind::Orders,
                    mix: Vec::new(),
                    sequence: Vec::new(),
                });
                continue;
            }
            "saturated" => {
                for (field, given) in [
                    ("interarrival", source.interarrival.is_some()),
                    ("when_full", source.when_full.is_some()),
                ] {
                    if given {
                        return Err(Issue::new(
                            path.key(field),
                            "applies only to sources of kind `arrivals`",
                        ));
                    }
                }
                SourceKind::Saturated
            }
            "arrivals" => {
                let Some(def) = &source.interarrival else {
                    return Err(Issue::new(
                        path.key("interarrival"),
                        "a source of kind `arrivals` needs `interarrival`",
                    ));
                };
                let interarrival =
                    driving_duration(def, &path.key("interarrival"), "interarrival time")?;
                let when_full = match source.when_full.as_deref() {
                    None | Some("block") => WhenFull::Block,
                    Some("lose") => WhenFull::Lose,
                    Some(other) => {
                        return Err(Issue::new(
                            path.key("when_full"),
                            format!("must be `block` or `lose`, got `{other}`"),
                        ));
                    }
                };
                SourceKind::Arrivals {
                    interarrival,
                    when_full,
                }
            }
            other => {
                return Err(Issue::new(
                    path.key("kind"),
                    format!("must be `saturated`, `arrivals` or `orders`, got `{other}`"),
                ));
            }
        };
        let mut sequence = Vec::new();
        for (k, item) in source.sequence.iter().enumerate() {
            let field = path.key("sequence").index(k);
            let (name, count) = match item {
                crate::SequenceItem::Product(name) => (name, 1),
                crate::SequenceItem::Run { product, count } => (product, *count),
            };
            if !(1..=1_000_000).contains(&count) {
                return Err(Issue::new(
                    field.key("count"),
                    format!("must be an integer from 1 to 1000000, got {count}"),
                ));
            }
            let p = lookup(&products, "product", name, field)?;
            sequence.extend(std::iter::repeat_n(p, count as usize));
        }
        if !sequence.is_empty() && !source.mix.is_empty() {
            return Err(Issue::new(
                path.key("mix"),
                format!(
                    "source `{}`: give either a `mix` or a `sequence`, not both",
                    source.name
                ),
            ));
        }
        let mix = if !sequence.is_empty() {
            // Products in order of first appearance, each weighted by its count.
            let mut mix: IndexMap<usize, f64> = IndexMap::new();
            for &p in &sequence {
                *mix.entry(p).or_default() += 1.0;
            }
            mix.into_iter().collect()
        } else if source.mix.is_empty() {
            if file.products.len() != 1 {
                return Err(Issue::new(
                    path.key("mix"),
                    format!(
                        "source `{}`: give the product mix (the line has {} products)",
                        source.name,
                        file.products.len()
                    ),
                ));
            }
            vec![(0, 1.0)]
        } else {
            let mut mix = Vec::with_capacity(source.mix.len());
            for (product, &weight) in &source.mix {
                let field = path.key("mix").key(product);
                let p = lookup(&products, "product", product, field.clone())?;
                if !(weight.is_finite() && weight >= 0.0) {
                    return Err(Issue::new(
                        field,
                        format!("a weight must be non-negative and finite, got {weight}"),
                    ));
                }
                mix.push((p, weight));
            }
            if mix.iter().all(|m| m.1 == 0.0) {
                return Err(Issue::new(
                    path.key("mix"),
                    "at least one weight must be positive",
                ));
            }
            mix
        };
        source_specs.push(SourceSpec {
            name: source.name.clone(),
            kind,
            mix,
            sequence,
        });
    }
    let orders = orders(file, order_files, &products, &source_specs)?;
    let metered = station_specs.iter().any(|s| s.power.is_some());
    let energy = match &file.energy {
        None if !metered => None,
        None => Some(EnergySpec {
            line_load_kw: 0.0,
            emission_factor: DEFAULT_EMISSION_FACTOR,
        }),
        Some(def) => Some(energy(def)?),
    };
    Ok(LineSpec {
        energy,
        name: section.name.clone(),
        time_unit,
        orders,
        families,
        products: product_specs,
        stations: station_specs,
        buffers: buffer_specs,
        sources: source_specs,
        sinks: file
            .sinks
            .iter()
            .map(|s| SinkSpec {
                name: s.name.clone(),
            })
            .collect(),
        crews,
    })
}

/// The largest finite buffer capacity (`u32::MAX` is the engine's "unlimited").
pub(crate) const MAX_CAPACITY: u32 = u32::MAX - 1;

/// The rules' names, as written in scenario files.
const RULES: &[&str] = &DispatchRule::NAMES;

/// A dispatching rule by name, with its parameters checked.
fn dispatch_rule(def: &crate::RuleDef, path: &FieldPath) -> Result<DispatchRule, Issue> {
    let (name, k, k1, k2, name_path) = match def {
        crate::RuleDef::Name(name) => (name, None, None, None, path.clone()),
        crate::RuleDef::Table { name, k, k1, k2 } => (name, *k, *k1, *k2, path.key("name")),
    };
    let positive = |value: Option<f64>, key: &str, default: f64| match value {
        None => Ok(default),
        Some(v) if v.is_finite() && v > 0.0 => Ok(v),
        Some(v) => Err(Issue::new(
            path.key(key),
            format!("must be positive and finite, got {v}"),
        )),
    };
    let rule = match DispatchRule::from_name(name) {
        Some(DispatchRule::Atc { k: default }) => DispatchRule::Atc {
            k: positive(k, "k", default)?,
        },
        Some(DispatchRule::Atcs {
            k1: default1,
            k2: default2,
        }) => DispatchRule::Atcs {
            k1: positive(k1, "k1", default1)?,
            k2: positive(k2, "k2", default2)?,
        },
        Some(rule) => rule,
        None => {
            return Err(Issue::new(
                name_path,
                format!("unknown rule `{name}` (known: {})", RULES.join(", ")),
            ));
        }
    };
    let takes: &[&str] = match rule {
        DispatchRule::Atc { .. } => &["k"],
        DispatchRule::Atcs { .. } => &["k1", "k2"],
        _ => &[],
    };
    for (key, given) in [
        ("k", k.is_some()),
        ("k1", k1.is_some()),
        ("k2", k2.is_some()),
    ] {
        if given && !takes.contains(&key) {
            return Err(Issue::new(
                path.key(key),
                format!("rule `{name}` takes no parameter `{key}`"),
            ));
        }
    }
    Ok(rule)
}

/// A station's setup matrix, family names resolved.
fn setup(
    def: &crate::SetupDef,
    path: &FieldPath,
    families: &HashMap<&str, usize>,
) -> Result<SetupSpec, Issue> {
    let initial = match &def.initial {
        Some(name) => Some(lookup(families, "family", name, path.key("initial"))?),
        None => None,
    };
    let default = match &def.default {
        Some(d) => Some(distribution(d, &path.key("default"))?),
        None => None,
    };
    let mut pairs = Vec::new();
    for (from, row) in &def.times {
        let from_path = path.key("times").key(from);
        let f = lookup(families, "family", from, from_path.clone())?;
        for (to, d) in row {
            let field = from_path.key(to);
            let t = lookup(families, "family", to, field.clone())?;
            if f == t {
                return Err(Issue::new(
                    field,
                    format!("a family needs no setup to itself (`{from}`)"),
                ));
            }
            pairs.push((f, t, distribution(d, &field)?));
        }
    }
    Ok(SetupSpec {
        pairs,
        default,
        initial,
    })
}

/// The smallest mean of a duration that drives the line forward: a processing
/// time, an interarrival time, a time to failure. A millionth of the time unit
/// (1 µs when it is `s`): below it a saturated station makes about a million
/// operations or more per time unit, so the run barely advances, and at
/// horizons above about 10^9 units an `f64` clock can no longer represent such
/// a step at all. A zero mean would loop at one instant.
pub(crate) const MIN_MEAN_DURATION: f64 = 1e-6;

/// The longest horizon (model time units). Beyond it the `f64` clock cannot
/// resolve a step of [`MIN_MEAN_DURATION`], so time could stop advancing while
/// events still happen: a run that never ends.
pub const MAX_HORIZON: f64 = 1e9;

/// The message for a horizon above [`MAX_HORIZON`].
pub(crate) fn horizon_too_long(horizon: f64) -> String {
    format!(
        "must be at most 1e9 time units (beyond, the clock cannot resolve a step of {MIN_MEAN_DURATION:e}, the shortest mean duration), got {}",
        short_number(horizon)
    )
}

/// `x` as users read it: in exponent form when it is tiny or huge (1e-320,
/// not 320 zeros), else as Rust prints it.
fn short_number(x: f64) -> String {
    if x != 0.0 && x.is_finite() && !(1e-4..1e16).contains(&x.abs()) {
        format!("{x:e}")
    } else {
        x.to_string()
    }
}

/// A processing time: any distribution whose mean is at least
/// [`MIN_MEAN_DURATION`].
/// The largest power draw accepted, in kW (a large press draws a few MW).
const MAX_POWER_KW: f64 = 1e6;

/// A power draw in kW: finite, from 0 to [`MAX_POWER_KW`].
fn kilowatts(value: f64, path: &FieldPath) -> Result<f64, Issue> {
    if (0.0..=MAX_POWER_KW).contains(&value) {
        Ok(value)
    } else {
        Err(Issue::new(
            path.clone(),
            format!("must be a power in kW from 0 to 1e6, got {value}"),
        ))
    }
}

/// A `[stations.power]` table: kW per server state.
fn power(def: &PowerDef, path: &FieldPath) -> Result<PowerSpec, Issue> {
    let state =
        |value: Option<f64>, key: &str| value.map_or(Ok(0.0), |v| kilowatts(v, &path.key(key)));
    let Some(busy) = def.busy else {
        return Err(Issue::new(
            path.key("busy"),
            "is required: the power drawn while processing, in kW",
        ));
    };
    let idle = state(def.idle, "idle")?;
    let idle_or = |value: Option<f64>, key: &str| match value {
        Some(v) => kilowatts(v, &path.key(key)),
        None => Ok(idle),
    };
    let mut kw = [0.0; twin_models::STATES];
    kw[ServerState::Busy.index()] = kilowatts(busy, &path.key("busy"))?;
    kw[ServerState::Setup.index()] = state(def.setup, "setup")?;
    kw[ServerState::Starved.index()] = idle_or(def.starved, "starved")?;
    kw[ServerState::Blocked.index()] = idle_or(def.blocked, "blocked")?;
    kw[ServerState::Down.index()] = state(def.down, "down")?;
    kw[ServerState::Maintenance.index()] = state(def.maintenance, "maintenance")?;
    kw[ServerState::Waiting.index()] = match def.waiting {
        Some(v) => kilowatts(v, &path.key("waiting"))?,
        None => kw[ServerState::Down.index()],
    };
    Ok(PowerSpec { kw })
}

/// The `[energy]` table.
fn energy(def: &EnergyDef) -> Result<EnergySpec, Issue> {
    let path = FieldPath::root("energy");
    let line_load_kw = def
        .line_load_kw
        .map_or(Ok(0.0), |v| kilowatts(v, &path.key("line_load_kw")))?;
    let emission_factor = match def.emission_factor {
        None => DEFAULT_EMISSION_FACTOR,
        Some(f) if (0.0..=10.0).contains(&f) => f,
        Some(f) => {
            return Err(Issue::new(
                path.key("emission_factor"),
                format!("must be kg CO2 per kWh from 0 to 10, got {f}"),
            ));
        }
    };
    Ok(EnergySpec {
        line_load_kw,
        emission_factor,
    })
}

/// A station's `planned_run_time`: one time for every product that visits it,
/// or a table by product name; per product index.
fn planned_run_time(
    value: &toml::Value,
    path: &FieldPath,
    station: &str,
    products: &HashMap<&str, usize>,
    visitors: &[usize],
) -> Result<Vec<Option<f64>>, Issue> {
    let time = |value: &toml::Value, path: &FieldPath| -> Result<f64, Issue> {
        let t = match value {
            toml::Value::Float(x) => *x,
            toml::Value::Integer(n) => *n as f64,
            other => {
                return Err(Issue::new(
                    path.clone(),
                    format!("must be a time per item, got {}", other.type_str()),
                ));
            }
        };
        if t.is_finite() && t > 0.0 && t <= MAX_HORIZON {
            Ok(t)
        } else {
            Err(Issue::new(
                path.clone(),
                format!("must be a positive time per item, got {t}"),
            ))
        }
    };
    let mut out = vec![None; products.len()];
    match value {
        toml::Value::Table(table) => {
            for (name, v) in table {
                let field = path.key(name);
                let p = lookup(products, "product", name, field.clone())?;
                if !visitors.contains(&p) {
                    return Err(Issue::new(
                        field,
                        format!("product `{name}` does not visit station `{station}`"),
                    ));
                }
                out[p] = Some(time(v, &field)?);
            }
        }
        toml::Value::Float(_) | toml::Value::Integer(_) => {
            let t = time(value, path)?;
            for &p in visitors {
                out[p] = Some(t);
            }
        }
        other => {
            return Err(Issue::new(
                path.clone(),
                format!(
                    "must be a time per item, or a table of times by product name, got {}",
                    other.type_str()
                ),
            ));
        }
    }
    Ok(out)
}

fn processing_time(def: &DistributionDef, path: &FieldPath) -> Result<Distribution, Issue> {
    driving_duration(def, path, "processing time")
}

/// A duration that drives the line forward (`what`: processing time,
/// interarrival time, time to failure): its mean is at least [`MIN_MEAN_DURATION`].
fn driving_duration(
    def: &DistributionDef,
    path: &FieldPath,
    what: &str,
) -> Result<Distribution, Issue> {
    let d = distribution(def, path)?;
    if d.mean() >= MIN_MEAN_DURATION {
        Ok(d)
    } else {
        Err(Issue::new(
            path.clone(),
            format!(
                "the mean {what} must be at least 1e-6 (a millionth of the time unit), got {}",
                short_number(d.mean())
            ),
        ))
    }
}

/// The parameter sets each family accepts.
const FORMS: &[(&str, &[&[&str]])] = &[
    ("constant", &[&["value"], &["mean", "cv"]]),
    ("exponential", &[&["mean"], &["rate"], &["mean", "cv"]]),
    ("uniform", &[&["min", "max"], &["mean", "cv"]]),
    ("triangular", &[&["min", "mode", "max"], &["mean", "cv"]]),
    ("normal", &[&["mean", "sd"], &["mean", "cv"]]),
    ("lognormal", &[&["mu", "sigma"], &["mean", "cv"]]),
    ("gamma", &[&["shape", "scale"], &["mean", "cv"]]),
    ("erlang", &[&["k", "mean"], &["mean", "cv"]]),
    ("weibull", &[&["shape", "scale"], &["mean", "cv"]]),
    ("discrete", &[&["values", "weights"]]),
    ("piecewise_linear", &[&["points"]]),
];

/// Builds the distribution a [`DistributionDef`] describes, or says which field is wrong.
pub(crate) fn distribution(def: &DistributionDef, path: &FieldPath) -> Result<Distribution, Issue> {
    let Some((family, forms)) = FORMS.iter().find(|(f, _)| *f == def.dist) else {
        let families = FORMS.iter().map(|f| f.0).collect::<Vec<_>>().join(", ");
        return Err(Issue::new(
            path.key("dist"),
            format!("unknown distribution `{}` (known: {families})", def.dist),
        ));
    };
    let given: Vec<&str> = [
        ("value", def.value.is_some()),
        ("mean", def.mean.is_some()),
        ("cv", def.cv.is_some()),
        ("rate", def.rate.is_some()),
        ("min", def.min.is_some()),
        ("mode", def.mode.is_some()),
        ("max", def.max.is_some()),
        ("sd", def.sd.is_some()),
        ("mu", def.mu.is_some()),
        ("sigma", def.sigma.is_some()),
        ("shape", def.shape.is_some()),
        ("scale", def.scale.is_some()),
        ("k", def.k.is_some()),
        ("values", def.values.is_some()),
        ("weights", def.weights.is_some()),
        ("points", def.points.is_some()),
    ]
    .into_iter()
    .filter_map(|(name, present)| present.then_some(name))
    .collect();
    let matches =
        |form: &[&str]| form.len() == given.len() && form.iter().all(|f| given.contains(f));
    if !forms.iter().any(|form| matches(form)) {
        let options = forms
            .iter()
            .map(|form| {
                form.iter()
                    .map(|f| format!("`{f}`"))
                    .collect::<Vec<_>>()
                    .join(" and ")
            })
            .collect::<Vec<_>>()
            .join(", or ");
        let got = if given.is_empty() {
            "nothing".to_owned()
        } else {
            given
                .iter()
                .map(|f| format!("`{f}`"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        return Err(Issue::new(
            path.clone(),
            format!("a {family} distribution takes {options}; got {got}"),
        ));
    }
    let v = |x: Option<f64>| x.unwrap_or(f64::NAN);
    let result = if given.contains(&"cv") {
        Distribution::from_mean_cv(family, v(def.mean), v(def.cv))
    } else {
        match *family {
            "constant" => Distribution::constant(v(def.value)),
            "exponential" => match def.rate {
                Some(rate) if rate.is_finite() && rate > 0.0 => {
                    Distribution::exponential(1.0 / rate)
                }
                Some(rate) => Err(DistributionError::Parameter {
                    param: "rate",
                    value: rate,
                    requirement: "positive and finite",
                }),
                None => Distribution::exponential(v(def.mean)),
            },
            "uniform" => Distribution::uniform(v(def.min), v(def.max)),
            "triangular" => Distribution::triangular(v(def.min), v(def.mode), v(def.max)),
            "normal" => Distribution::normal(v(def.mean), v(def.sd)),
            "lognormal" => Distribution::lognormal(v(def.mu), v(def.sigma)),
            "gamma" => Distribution::gamma(v(def.shape), v(def.scale)),
            "erlang" => {
                let k = def.k.unwrap_or(0);
                if !(1..=i64::from(u32::MAX)).contains(&k) {
                    return Err(Issue::new(
                        path.key("k"),
                        format!("must be a positive integer, got {k}"),
                    ));
                }
                Distribution::erlang(k as u32, v(def.mean))
            }
            "weibull" => Distribution::weibull(v(def.shape), v(def.scale)),
            "discrete" => Distribution::discrete(
                def.values.as_deref().unwrap_or_default(),
                def.weights.as_deref().unwrap_or_default(),
            ),
            _ => {
                let mut points = Vec::new();
                for (i, point) in def.points.iter().flatten().enumerate() {
                    match point.as_slice() {
                        [x, f] => points.push((*x, *f)),
                        _ => {
                            return Err(Issue::new(
                                path.key("points").index(i),
                                format!("a point is a pair [x, cdf], got {} numbers", point.len()),
                            ));
                        }
                    }
                }
                Distribution::piecewise_linear(&points)
            }
        }
    };
    let d = result.map_err(|e| match e {
        DistributionError::Parameter {
            param,
            value,
            requirement,
        } if given.contains(&param) => Issue::new(
            path.key(param),
            format!("must be {requirement}, got {value}"),
        ),
        other => Issue::new(path.clone(), other.to_string()),
    })?;
    // Finite parameters may still give an infinite mean (a lognormal with a
    // huge `mu`), which would turn every KPI into null.
    if !d.mean().is_finite() {
        return Err(Issue::new(
            path.clone(),
            format!("the mean must be finite, got {}", d.mean()),
        ));
    }
    Ok(d)
}
