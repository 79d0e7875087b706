//! Wear modes and maintenance crews: `[[crews]]` and `[[stations.wear]]`
//! resolved to the model's types, names to indices, every value checked here so
//! that the model's own checks never have to name a field by index.

use std::collections::{HashMap, HashSet};

use sim_core::Distribution;
use twin_models::{
    Action, CrewRule, CrewSpec, FailureClock, Interrupted, Observe, Policy, Restore, SignalSpec,
    WearClock, WearModel, WearSpec,
};

use super::{
    MIN_MEAN_DURATION, check_name, distribution, driving_duration, index_names, lookup, mode_name,
    short_number,
};
use crate::error::{FieldPath, Issue};
use crate::schema::{
    ActionDef, PolicyDef, PolicyTable, SignalDef, TransitionDef, WearDef, WearModelDef,
};
use crate::{ScenarioFile, StationDef};

/// The most technicians a crew may have (as the servers of a station).
const MAX_TECHNICIANS: i64 = 100_000;

/// The longest moving window a predictive policy may fit (every unit keeps
/// that many readings).
const MAX_WINDOW: i64 = 10_000;

/// Whether `value` can be an interval that drives the run forward (between
/// readings, preventive actions, an age): at least [`MIN_MEAN_DURATION`], as
/// the mean of a processing time, so that a run cannot stall at one instant.
fn is_interval(value: f64) -> bool {
    value.is_finite() && value >= MIN_MEAN_DURATION
}

/// The requirement [`is_interval`] checks, for messages.
const INTERVAL: &str = "at least 1e-6 (a millionth of the time unit) and finite";

/// The largest rate of a health transition: a mean time of at least
/// [`MIN_MEAN_DURATION`] in the state.
const MAX_RATE: f64 = 1.0 / MIN_MEAN_DURATION;

/// The window of a predictive policy that gives none.
const DEFAULT_WINDOW: u32 = 10;

/// The policies' names, as written in scenario files.
const POLICIES: &str = "corrective, periodic, age, condition, predictive, opportunistic";

/// The `[[crews]]` entries, and their indices by name.
pub(super) fn crews(file: &ScenarioFile) -> Result<(Vec<CrewSpec>, HashMap<&str, usize>), Issue> {
    let names = index_names("crews", file.crews.iter().map(|c| c.name.as_str()))?;
    let mut specs = Vec::with_capacity(file.crews.len());
    for (c, crew) in file.crews.iter().enumerate() {
        let path = FieldPath::root("crews").index(c);
        let technicians = crew.technicians.unwrap_or(1);
        if !(1..=MAX_TECHNICIANS).contains(&technicians) {
            return Err(Issue::new(
                path.key("technicians"),
                format!("must be an integer from 1 to {MAX_TECHNICIANS}, got {technicians}"),
            ));
        }
        let response = match &crew.response {
            Some(def) => Some(distribution(def, &path.key("response"))?),
            None => None,
        };
        let rule = match crew.rule.as_deref() {
            None | Some("corrective-first") => CrewRule::CorrectiveFirst,
            Some("priority") => CrewRule::Priority,
            Some("fifo") => CrewRule::Fifo,
            Some(other) => {
                return Err(Issue::new(
                    path.key("rule"),
                    format!("must be `corrective-first`, `priority` or `fifo`, got `{other}`"),
                ));
            }
        };
        specs.push(CrewSpec {
            name: crew.name.clone(),
            technicians: technicians as u32,
            response,
            rule,
        });
    }
    Ok((specs, names))
}

/// A warning per crew that no wear mode names: its technicians never work.
pub(super) fn idle_crews(file: &ScenarioFile) -> Vec<String> {
    let named: HashSet<&str> = file
        .stations
        .iter()
        .flat_map(|s| &s.wear)
        .filter_map(|w| w.crew.as_deref())
        .collect();
    file.crews
        .iter()
        .filter(|c| !named.contains(c.name.as_str()))
        .map(|c| {
            format!(
                "crew `{}` is named by no wear mode: its technicians have nothing to do",
                c.name
            )
        })
        .collect()
}

/// The wear modes of `station` (at `path`), whose failure modes are named
/// `failure_names`; crews by name.
pub(super) fn wear_modes(
    station: &StationDef,
    path: &FieldPath,
    failure_names: &HashSet<String>,
    crews: &HashMap<&str, usize>,
) -> Result<Vec<WearSpec>, Issue> {
    let mut names: HashSet<String> = HashSet::new();
    let mut modes = Vec::with_capacity(station.wear.len());
    for (m, def) in station.wear.iter().enumerate() {
        let wpath = path.key("wear").index(m);
        let name = mode_name(def.name.as_deref(), "wear", m, &wpath)?;
        if failure_names.contains(&name) {
            return Err(Issue::new(
                wpath.key("name"),
                format!(
                    "`{name}` is also a failure mode of station `{}`: failure and wear modes need distinct names",
                    station.name
                ),
            ));
        }
        if !names.insert(name.clone()) {
            return Err(Issue::new(
                wpath.key("name"),
                format!("`{name}` is used twice in station `{}`", station.name),
            ));
        }
        modes.push(wear_mode(def, name, &wpath, crews)?);
    }
    Ok(modes)
}

/// One wear mode, named `name`.
fn wear_mode(
    def: &WearDef,
    name: String,
    path: &FieldPath,
    crews: &HashMap<&str, usize>,
) -> Result<WearSpec, Issue> {
    let (model, states) = model(&def.model, &path.key("model"))?;
    let signal = match &def.signal {
        Some(signal_def) => Some(signal(signal_def, &path.key("signal"), &states)?),
        None => None,
    };
    let policy = match &def.policy {
        Some(policy_def) => policy(policy_def, &path.key("policy"))?,
        None => Policy::Corrective,
    };
    if matches!(policy, Policy::Condition { .. } | Policy::Predictive { .. }) && signal.is_none() {
        return Err(Issue::new(
            path.key("signal"),
            format!(
                "is required by the `{}` policy: the levels a sensor reads in each health state",
                policy.name()
            ),
        ));
    }
    let repair = action(&def.repair, &path.key("repair"), &states)?;
    let preventive = match &def.preventive {
        Some(action_def) => action(action_def, &path.key("preventive"), &states)?,
        None if policy == Policy::Corrective => Action {
            duration: Distribution::constant(0.0).expect("0 is a constant"),
            restore: Restore::Full,
            cost: 0.0,
        },
        None => {
            return Err(Issue::new(
                path.key("preventive"),
                format!(
                    "is required by the `{}` policy: the work it calls for",
                    policy.name()
                ),
            ));
        }
    };
    let interrupted = match def.interrupted.as_deref() {
        None | Some("resume") => Interrupted::Resume,
        Some("restart") => Interrupted::Restart,
        Some(other) => {
            return Err(Issue::new(
                path.key("interrupted"),
                format!("must be `resume` or `restart`, got `{other}`"),
            ));
        }
    };
    let crew = match &def.crew {
        Some(crew) => Some(lookup(crews, "crew", crew, path.key("crew"))?),
        None => None,
    };
    let priority = def.priority.unwrap_or(0.0);
    if !priority.is_finite() {
        return Err(Issue::new(
            path.key("priority"),
            format!("must be finite, got {}", short_number(priority)),
        ));
    }
    let downtime_cost = cost(def.downtime_cost, &path.key("downtime_cost"))?;
    Ok(WearSpec {
        name,
        model,
        signal,
        policy,
        repair,
        preventive,
        interrupted,
        crew,
        priority,
        downtime_cost,
    })
}

/// The health states of a wear model, for names in transitions, signals and
/// restorations: a chain's names, or none for a lifetime or cycle count.
struct States {
    names: Vec<String>,
    index: HashMap<String, usize>,
    /// The model's kind, for messages.
    kind: &'static str,
}

impl States {
    /// The number of health states (a lifetime or cycle count: working and failed).
    fn count(&self) -> usize {
        if self.names.is_empty() {
            2
        } else {
            self.names.len()
        }
    }

    /// The states for a message: the chain's names in order, in backticks.
    fn listed(&self, states: &[String]) -> String {
        states
            .iter()
            .map(|s| format!("`{s}`"))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The index of the state `name` at `path`.
    fn lookup(&self, name: &str, path: FieldPath) -> Result<usize, Issue> {
        self.index.get(name).copied().ok_or_else(|| {
            Issue::new(
                path,
                format!(
                    "unknown state `{name}` (known: {})",
                    self.listed(&self.names)
                ),
            )
        })
    }
}

/// A `clock` of a wear model or a periodic policy: busy, operating or calendar
/// time (`default` when not given); `known` lists the clocks the field takes,
/// for the message.
fn time_clock(
    clock: Option<&str>,
    default: FailureClock,
    path: &FieldPath,
    known: &str,
) -> Result<FailureClock, Issue> {
    match clock {
        None => Ok(default),
        Some("busy") => Ok(FailureClock::Busy),
        Some("operating") => Ok(FailureClock::Operating),
        Some("calendar") => Ok(FailureClock::Calendar),
        Some(other) => Err(Issue::new(
            path.clone(),
            format!("must be {known}, got `{other}`"),
        )),
    }
}

/// The time clocks, for messages.
const TIME_CLOCKS: &str = "`busy`, `operating` or `calendar`";

/// The model's kind's fields that another kind must not give.
fn only_for(fields: &[(&str, bool)], kind: &str, path: &FieldPath) -> Result<(), Issue> {
    match fields.iter().find(|(_, given)| *given) {
        Some((field, _)) => Err(Issue::new(
            path.key(field),
            format!("applies only to models of kind {kind}"),
        )),
        None => Ok(()),
    }
}

/// A wear `model` and its health states.
fn model(def: &WearModelDef, path: &FieldPath) -> Result<(WearModel, States), Issue> {
    let none = |kind| States {
        names: Vec::new(),
        index: HashMap::new(),
        kind,
    };
    let chain_fields = [
        ("states", def.states.is_some()),
        ("transitions", !def.transitions.is_empty()),
    ];
    match def.kind.as_str() {
        "lifetime" => {
            only_for(
                &[("operations", def.operations.is_some())],
                "`cycles`",
                path,
            )?;
            only_for(&chain_fields, "`chain`", path)?;
            let clock = time_clock(
                def.clock.as_deref(),
                FailureClock::Busy,
                &path.key("clock"),
                "`busy`, `operating` or `calendar` (a life counted in operations is a `cycles` model)",
            )?;
            let Some(life) = &def.life else {
                return Err(Issue::new(
                    path.key("life"),
                    "a `lifetime` model needs `life`: the distribution of its lifetime",
                ));
            };
            let life = driving_duration(life, &path.key("life"), "lifetime")?;
            Ok((WearModel::Lifetime { clock, life }, none("lifetime")))
        }
        "cycles" => {
            only_for(
                &[("clock", def.clock.is_some()), ("life", def.life.is_some())],
                "`lifetime` or `chain`",
                path,
            )?;
            only_for(&chain_fields, "`chain`", path)?;
            let Some(operations) = &def.operations else {
                return Err(Issue::new(
                    path.key("operations"),
                    "a `cycles` model needs `operations`: the distribution of the operations to failure",
                ));
            };
            let operations_path = path.key("operations");
            let operations = distribution(operations, &operations_path)?;
            // `distribution` gives a finite mean.
            if operations.mean() <= 0.0 {
                return Err(Issue::new(
                    operations_path,
                    format!("the mean must be positive, got {}", operations.mean()),
                ));
            }
            Ok((WearModel::Cycles { operations }, none("cycles")))
        }
        "chain" => {
            only_for(
                &[
                    ("life", def.life.is_some()),
                    ("operations", def.operations.is_some()),
                ],
                "`lifetime` or `cycles`",
                path,
            )?;
            let clock = match def.clock.as_deref() {
                Some("operations") => WearClock::Operations,
                other => WearClock::Time(time_clock(
                    other,
                    FailureClock::Busy,
                    &path.key("clock"),
                    "`busy`, `operating`, `calendar` or `operations`",
                )?),
            };
            let states = chain_states(def.states.as_deref(), path)?;
            let transitions = transitions(&def.transitions, clock, &states, path)?;
            let model = WearModel::Chain {
                clock,
                states: states.names.clone(),
                transitions,
            };
            Ok((model, states))
        }
        other => Err(Issue::new(
            path.key("kind"),
            format!("must be `lifetime`, `cycles` or `chain`, got `{other}`"),
        )),
    }
}

/// A chain's `states`: at least two, named, distinct, none called `full`.
fn chain_states(states: Option<&[String]>, path: &FieldPath) -> Result<States, Issue> {
    let path = path.key("states");
    let Some(names) = states else {
        return Err(Issue::new(
            path,
            "a `chain` model needs `states`: the health states from new to failed",
        ));
    };
    if names.len() < 2 {
        return Err(Issue::new(
            path,
            format!(
                "a chain needs at least 2 states (new and failed), got {}",
                names.len()
            ),
        ));
    }
    let mut index = HashMap::with_capacity(names.len());
    for (k, name) in names.iter().enumerate() {
        let field = path.index(k);
        check_name(name).map_err(|m| Issue::new(field.clone(), m))?;
        if name == "full" {
            return Err(Issue::new(
                field,
                "`full` names a full restoration (`restore = \"full\"`): give the state another name",
            ));
        }
        if index.insert(name.clone(), k).is_some() {
            return Err(Issue::new(field, format!("`{name}` is used twice")));
        }
    }
    Ok(States {
        names: names.to_vec(),
        index,
        kind: "chain",
    })
}

/// What a chain's transitions carry: a rate per unit of clock time, or a
/// probability per operation (clock `operations`).
struct Weight {
    /// The key that gives it.
    key: &'static str,
    /// The key of the other kind, which the chain does not take.
    other: &'static str,
    /// What to give instead of `other`, for the message.
    instead: &'static str,
    /// What a value must be, for the message.
    requirement: &'static str,
    /// Whether a value is one.
    valid: fn(f64) -> bool,
}

/// The transitions of a chain moved by time.
const RATE: Weight = Weight {
    key: "rate",
    other: "probability",
    instead: "`rate` (per unit of clock time); `probability` is for clock `operations`",
    requirement: "positive and at most 1e6 per time unit (a mean of at least a millionth of the time unit in the state)",
    valid: |v| v > 0.0 && v <= MAX_RATE,
};

/// The transitions of a chain moved by use.
const PROBABILITY: Weight = Weight {
    key: "probability",
    other: "rate",
    instead: "`probability` (per operation); `rate` is for a chain moved by time",
    requirement: "a probability in (0, 1]",
    valid: |v| v > 0.0 && v <= 1.0,
};

/// A chain's `transitions` by state index, with their rates (a time clock) or
/// probabilities (`operations`); every working state must lead to failure.
fn transitions(
    defs: &[TransitionDef],
    clock: WearClock,
    states: &States,
    path: &FieldPath,
) -> Result<Vec<(usize, usize, f64)>, Issue> {
    let failed = states.names.len() - 1;
    let by_use = clock == WearClock::Operations;
    let clock_name = match clock {
        WearClock::Operations => "operations",
        WearClock::Time(FailureClock::Busy) => "busy",
        WearClock::Time(FailureClock::Operating) => "operating",
        WearClock::Time(FailureClock::Calendar) => "calendar",
    };
    let mut out = Vec::with_capacity(defs.len());
    let mut moving = vec![0.0; states.names.len()];
    for (k, t) in defs.iter().enumerate() {
        let tpath = path.key("transitions").index(k);
        let from = states.lookup(&t.from, tpath.key("from"))?;
        let to = states.lookup(&t.to, tpath.key("to"))?;
        if from == failed {
            return Err(Issue::new(
                tpath.key("from"),
                format!(
                    "`{}` is the failed state (the last): it is left only by a repair",
                    t.from
                ),
            ));
        }
        if from == to {
            return Err(Issue::new(
                tpath,
                format!("a transition from `{}` to itself", t.from),
            ));
        }
        let (weight, given, stray) = if by_use {
            (&PROBABILITY, t.probability, t.rate)
        } else {
            (&RATE, t.rate, t.probability)
        };
        if stray.is_some() {
            return Err(Issue::new(
                tpath.key(weight.other),
                format!("a chain with clock `{clock_name}` takes {}", weight.instead),
            ));
        }
        let Some(value) = given else {
            return Err(Issue::new(
                tpath,
                format!(
                    "a chain with clock `{clock_name}` needs `{}` on every transition",
                    weight.key
                ),
            ));
        };
        if !(weight.valid)(value) {
            return Err(Issue::new(
                tpath.key(weight.key),
                format!(
                    "must be {}, got {}",
                    weight.requirement,
                    short_number(value)
                ),
            ));
        }
        moving[from] += value;
        out.push((from, to, value));
    }
    let transitions_path = path.key("transitions");
    if by_use && let Some(s) = (0..failed).find(|&s| moving[s] > 1.0 + 1e-12) {
        return Err(Issue::new(
            transitions_path,
            format!(
                "the probabilities that an operation moves state `{}` sum to {}, above 1",
                states.names[s], moving[s]
            ),
        ));
    }
    // Every working state must lead to failure, or a unit there lives forever.
    let mut reaches = vec![false; states.names.len()];
    reaches[failed] = true;
    let mut changed = true;
    while changed {
        changed = false;
        for &(from, to, _) in &out {
            if reaches[to] && !reaches[from] {
                reaches[from] = true;
                changed = true;
            }
        }
    }
    if let Some(s) = reaches.iter().position(|r| !r) {
        return Err(Issue::new(
            transitions_path,
            format!(
                "the failed state `{}` cannot be reached from state `{}`",
                states.names[failed], states.names[s]
            ),
        ));
    }
    Ok(out)
}

/// The fields of a signal that only a `periodic` one takes.
const PERIODIC_FIELDS: [&str; 1] = ["every"];

/// The fields of a signal that only one observed by `inspection` takes.
const INSPECTION_FIELDS: [&str; 3] = ["inspect_every", "inspection", "inspection_cost"];

/// A wear mode's `signal`, one level per health state.
fn signal(def: &SignalDef, path: &FieldPath, states: &States) -> Result<SignalSpec, Issue> {
    let count = states.count();
    if def.levels.len() != count {
        let which = if states.names.is_empty() {
            format!("a `{}` model has 2: working and failed", states.kind)
        } else {
            format!("{count}: {}", states.listed(&states.names))
        };
        return Err(Issue::new(
            path.key("levels"),
            format!(
                "needs one level per health state ({which}), got {}",
                def.levels.len()
            ),
        ));
    }
    if let Some(k) = def.levels.iter().position(|v| !v.is_finite()) {
        return Err(Issue::new(
            path.key("levels").index(k),
            format!("must be finite, got {}", short_number(def.levels[k])),
        ));
    }
    let noise = def.noise.unwrap_or(0.0);
    if !(noise.is_finite() && noise >= 0.0) {
        return Err(Issue::new(
            path.key("noise"),
            format!(
                "must be non-negative and finite, got {}",
                short_number(noise)
            ),
        ));
    }
    let given = |field: &str| match field {
        "every" => def.every.is_some(),
        "inspect_every" => def.inspect_every.is_some(),
        "inspection" => def.inspection.is_some(),
        _ => def.inspection_cost.is_some(),
    };
    let inspects = INSPECTION_FIELDS.iter().any(|f| given(f));
    let observe = match def.observe.as_deref() {
        Some(observe) => observe,
        None if inspects && def.every.is_some() => {
            return Err(Issue::new(
                path.key("every"),
                "give either `every` (an online sensor) or `inspect_every` (inspections), not both",
            ));
        }
        None if inspects => "inspection",
        None if def.every.is_some() => "periodic",
        None => "continuous",
    };
    let (takes, others): (&[&str], Vec<&str>) = match observe {
        "continuous" => (&[], [&PERIODIC_FIELDS[..], &INSPECTION_FIELDS].concat()),
        "periodic" => (&PERIODIC_FIELDS, INSPECTION_FIELDS.to_vec()),
        "inspection" => (&INSPECTION_FIELDS, PERIODIC_FIELDS.to_vec()),
        other => {
            return Err(Issue::new(
                path.key("observe"),
                format!("must be `continuous`, `periodic` or `inspection`, got `{other}`"),
            ));
        }
    };
    debug_assert!(takes.iter().all(|f| !others.contains(f)));
    if let Some(field) = others.iter().find(|f| given(f)) {
        let needs = if PERIODIC_FIELDS.contains(field) {
            "periodic"
        } else {
            "inspection"
        };
        return Err(Issue::new(
            path.key(field),
            format!("applies only with `observe = \"{needs}\"`, not `\"{observe}\"`"),
        ));
    }
    let period = |value: Option<f64>, field: &str, what: &str| match value {
        None => Err(Issue::new(
            path.key(field),
            format!("is required with `observe = \"{observe}\"`: {what}"),
        )),
        Some(v) if is_interval(v) => Ok(v),
        Some(v) => Err(Issue::new(
            path.key(field),
            format!("must be {INTERVAL}, got {}", short_number(v)),
        )),
    };
    let observe = match observe {
        "continuous" => Observe::Continuous,
        "periodic" => Observe::Every {
            period: period(def.every, "every", "the time between readings")?,
        },
        _ => {
            let period = period(
                def.inspect_every,
                "inspect_every",
                "the time between inspections",
            )?;
            let Some(duration) = &def.inspection else {
                return Err(Issue::new(
                    path.key("inspection"),
                    "is required with `observe = \"inspection\"`: how long an inspection takes",
                ));
            };
            Observe::Inspection {
                period,
                duration: distribution(duration, &path.key("inspection"))?,
                cost: cost(def.inspection_cost, &path.key("inspection_cost"))?,
            }
        }
    };
    Ok(SignalSpec {
        levels: def.levels.clone(),
        noise,
        observe,
    })
}

/// A cost (default 0): non-negative and finite.
fn cost(value: Option<f64>, path: &FieldPath) -> Result<f64, Issue> {
    match value {
        None => Ok(0.0),
        Some(v) if v.is_finite() && v >= 0.0 => Ok(v),
        Some(v) => Err(Issue::new(
            path.clone(),
            format!("must be non-negative and finite, got {}", short_number(v)),
        )),
    }
}

/// A wear mode's `policy`.
fn policy(def: &PolicyDef, path: &FieldPath) -> Result<Policy, Issue> {
    let table = match def {
        PolicyDef::Name(name) if name == "corrective" => return Ok(Policy::Corrective),
        PolicyDef::Name(name) if POLICIES.split(", ").any(|p| p == name) => {
            return Err(Issue::new(
                path.clone(),
                format!(
                    "policy `{name}` takes parameters: write it as a table, e.g. {}",
                    example(name)
                ),
            ));
        }
        PolicyDef::Name(name) => {
            return Err(Issue::new(
                path.clone(),
                format!("unknown policy `{name}` (known: {POLICIES})"),
            ));
        }
        PolicyDef::Table(table) => table,
    };
    let PolicyTable {
        kind,
        every,
        clock,
        age,
        threshold,
        failure_level,
        lead_time,
        window,
        early,
    } = table.as_ref();
    let takes: &[&str] = match kind.as_str() {
        "corrective" => &[],
        "periodic" => &["every", "clock"],
        "age" => &["age"],
        "condition" => &["threshold"],
        "predictive" => &["failure_level", "lead_time", "window"],
        "opportunistic" => &["early", "age"],
        other => {
            return Err(Issue::new(
                path.key("kind"),
                format!("unknown policy `{other}` (known: {POLICIES})"),
            ));
        }
    };
    for (key, given) in [
        ("every", every.is_some()),
        ("clock", clock.is_some()),
        ("age", age.is_some()),
        ("threshold", threshold.is_some()),
        ("failure_level", failure_level.is_some()),
        ("lead_time", lead_time.is_some()),
        ("window", window.is_some()),
        ("early", early.is_some()),
    ] {
        if given && !takes.contains(&key) {
            return Err(Issue::new(
                path.key(key),
                format!("policy `{kind}` takes no parameter `{key}`"),
            ));
        }
    }
    // A parameter the policy needs, checked by `valid` (which says what it must be).
    let required =
        |value: Option<f64>, key: &str, what: &str, valid: &dyn Fn(f64) -> Option<&'static str>| {
            let Some(v) = value else {
                return Err(Issue::new(
                    path.key(key),
                    format!("is required by the `{kind}` policy: {what}"),
                ));
            };
            match valid(v) {
                None => Ok(v),
                Some(requirement) => Err(Issue::new(
                    path.key(key),
                    format!("must be {requirement}, got {}", short_number(v)),
                )),
            }
        };
    let interval = |v: f64| (!is_interval(v)).then_some(INTERVAL);
    let finite = |v: f64| (!v.is_finite()).then_some("finite");
    let non_negative = |v: f64| (!(v.is_finite() && v >= 0.0)).then_some("non-negative and finite");
    Ok(match kind.as_str() {
        "corrective" => Policy::Corrective,
        "periodic" => Policy::Periodic {
            every: required(
                *every,
                "every",
                "the time between preventive actions",
                &interval,
            )?,
            clock: time_clock(
                clock.as_deref(),
                FailureClock::Calendar,
                &path.key("clock"),
                TIME_CLOCKS,
            )?,
        },
        "age" => Policy::Age {
            age: required(
                *age,
                "age",
                "the age of the wear clock at which work is called for",
                &interval,
            )?,
        },
        "condition" => Policy::Condition {
            threshold: required(
                *threshold,
                "threshold",
                "the signal level that calls for work",
                &finite,
            )?,
        },
        "predictive" => {
            let failure_level = required(
                *failure_level,
                "failure_level",
                "the signal level taken as failure",
                &finite,
            )?;
            let lead_time = required(
                *lead_time,
                "lead_time",
                "the predicted remaining life below which work is called for",
                &non_negative,
            )?;
            let window = window.unwrap_or(i64::from(DEFAULT_WINDOW));
            if !(2..=MAX_WINDOW).contains(&window) {
                return Err(Issue::new(
                    path.key("window"),
                    format!("must be an integer from 2 to {MAX_WINDOW} readings, got {window}"),
                ));
            }
            Policy::Predictive {
                failure_level,
                lead_time,
                window: window as u32,
            }
        }
        _ => {
            let age = required(
                *age,
                "age",
                "the age at which work is called for in any case",
                &interval,
            )?;
            let early = required(
                *early,
                "early",
                "the age from which an idle moment is taken",
                &interval,
            )?;
            if early > age {
                return Err(Issue::new(
                    path.key("early"),
                    format!("must be at most `age` ({age}), got {}", short_number(early)),
                ));
            }
            Policy::Opportunistic { early, age }
        }
    })
}

/// How to write the policy `name` as a table, for a message.
fn example(name: &str) -> &'static str {
    match name {
        "periodic" => "{ kind = \"periodic\", every = 2000 }",
        "age" => "{ kind = \"age\", age = 1500 }",
        "condition" => "{ kind = \"condition\", threshold = 0.8 }",
        "predictive" => "{ kind = \"predictive\", failure_level = 1.5, lead_time = 200 }",
        _ => "{ kind = \"opportunistic\", early = 1200, age = 1800 }",
    }
}

/// A `repair` or `preventive` action; `restore` names a working state of a chain.
fn action(def: &ActionDef, path: &FieldPath, states: &States) -> Result<Action, Issue> {
    let duration = distribution(&def.duration, &path.key("duration"))?;
    let cost = cost(def.cost, &path.key("cost"))?;
    let restore = match def.restore.as_deref() {
        None | Some("full") => Restore::Full,
        Some(name) if states.names.is_empty() => {
            return Err(Issue::new(
                path.key("restore"),
                format!(
                    "must be `full` (a `{}` model has no health states to go back to), got `{name}`",
                    states.kind
                ),
            ));
        }
        Some(name) => {
            let k = states.lookup(name, path.key("restore"))?;
            let failed = states.names.len() - 1;
            if k == failed {
                return Err(Issue::new(
                    path.key("restore"),
                    format!(
                        "`{name}` is the failed state: a partial restoration goes back to a working state ({})",
                        states.listed(&states.names[..failed])
                    ),
                ));
            }
            Restore::ToState(k)
        }
    };
    Ok(Action {
        duration,
        restore,
        cost,
    })
}
