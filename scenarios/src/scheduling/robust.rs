//! `linetwin sched robust`: a schedule executed in its twin under disturbances,
//! policies compared on common random numbers; settings from the command line,
//! a table or `linetwin.sched-robust/1` JSON out.

use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use serde_json::{Value, json};
use sim_core::{Distribution, ProportionInterval};
use twin_models::scheduling::{
    Breakdowns, Dispatcher, Dues, Instance, OrderOutcome, Policy, PolicyReport, Replanner,
    RobustOptions, Robustness, Rule, Schedule, Scheme, Summary, TwinOptions, robustness,
};
use twin_models::{DispatchRule, FailureClock};

use super::SchedError;

/// The JSON format's name and version.
pub const JSON_FORMAT: &str = "linetwin.sched-robust/1";

/// The experiment as the command line gives it.
#[derive(Clone, Debug)]
pub struct RobustArgs {
    /// Policies: `keep`, `redispatch[:RULE]`, `reschedule[:RULE]`.
    pub policies: Vec<String>,
    /// The default rule of `redispatch` (a twin dispatching rule).
    pub dispatch_rule: String,
    /// The default rule of `reschedule` (a scheduling rule, active scheme).
    pub reschedule_rule: String,
    /// Rescheduling period.
    pub period: Option<f64>,
    /// Reschedule when a machine fails.
    pub on_failure: bool,
    /// Processing-time distribution family.
    pub noise: String,
    /// Processing-time cv.
    pub noise_cv: f64,
    /// Mean time between failures (exponential), per machine.
    pub mtbf: Option<f64>,
    /// Mean time to repair (exponential).
    pub mttr: Option<f64>,
    /// `busy`, `calendar` or `operating`.
    pub failure_clock: String,
    /// Input buffer capacity per machine.
    pub buffer: Option<u32>,
    /// Due dates at the planned completion plus this fraction of the planned
    /// flow time; `None`: 0 for an instance, the order book's own for a line.
    pub due_slack: Option<f64>,
    /// Replications.
    pub replications: u64,
    /// Master seed.
    pub seed: u64,
    /// Users' reschedulers by name: `reschedule:NAME` names one of these
    /// before a built-in rule.
    pub users: Vec<Replanner>,
    /// Name settings in errors as Python's keyword arguments (`noise_cv`)
    /// rather than as the command line's flags (`--noise-cv`).
    pub python_names: bool,
    /// For a line's order book: its plan's origin and stations (for reports).
    pub book: Option<BookContext>,
    /// Set it from another thread to stop the experiment
    /// ([`SchedError::Interrupted`]).
    pub stop: Option<Arc<AtomicBool>>,
}

/// What a report on a line's order book says about its plan.
#[derive(Clone, Debug, PartialEq)]
pub struct BookContext {
    /// Where the plan came from (`file plan.csv`, `recorded under campaign ...`).
    pub plan: String,
    /// The stations that keep it.
    pub stations: Vec<String>,
}

impl RobustArgs {
    /// An error about the setting `field` (a flag without its dashes, with
    /// underscores), named the way the caller spells it.
    pub(crate) fn bad(&self, field: &str, message: String) -> SchedError {
        SchedError::BadName(format!("{}: {message}", self.name(field)))
    }

    /// The policies, parsed, with the replications checked: what every
    /// experiment needs.
    pub(crate) fn checked_policies(&self) -> Result<Vec<Policy>, SchedError> {
        if self.policies.is_empty() {
            return Err(self.bad("policy", "give at least one policy".into()));
        }
        if self.replications == 0 || self.replications > 10_000_000 {
            return Err(self.bad(
                "replications",
                format!("must be from 1 to 10000000, got {}", self.replications),
            ));
        }
        self.policies.iter().map(|p| policy(p, self)).collect()
    }

    /// The due-date slack, if given, checked.
    pub(crate) fn checked_due_slack(&self) -> Result<Option<f64>, SchedError> {
        match self.due_slack {
            Some(slack) if !(slack.is_finite() && slack >= 0.0) => Err(self.bad(
                "due_slack",
                format!("must be finite and non-negative, got {slack}"),
            )),
            slack => Ok(slack),
        }
    }

    /// The setting `field` as the caller spells it.
    pub(crate) fn name(&self, field: &str) -> String {
        match (self.python_names, field) {
            (true, "policy") => "policies".to_owned(),
            (true, other) => other.to_owned(),
            (false, other) => format!("--{}", other.replace('_', "-")),
        }
    }
}

/// Reads one `--policy` item.
pub(crate) fn policy(text: &str, args: &RobustArgs) -> Result<Policy, SchedError> {
    let text = text.trim();
    let (kind, rule) = match text.split_once(':') {
        Some((k, r)) => (k.trim(), Some(r.trim())),
        None => (text, None),
    };
    match kind {
        "keep" if rule.is_none() => Ok(Policy::Keep),
        "keep" => Err(args.bad("policy", format!("`{text}`: keep takes no rule"))),
        "redispatch" => {
            let name = rule.unwrap_or(&args.dispatch_rule);
            let rule = DispatchRule::from_name(name).ok_or_else(|| {
                args.bad(
                    "policy",
                    format!(
                        "`{text}`: unknown dispatching rule `{name}` (known: {})",
                        DispatchRule::NAMES.join(", ")
                    ),
                )
            })?;
            Ok(Policy::Redispatch(rule))
        }
        "reschedule" => {
            let name = rule.unwrap_or(&args.reschedule_rule);
            let user = args.users.iter().find(|r| r.name() == name);
            let by = match user {
                Some(user) => user.clone(),
                None => Replanner::Rule(Dispatcher::new(
                    name.parse::<Rule>()
                        .map_err(|e| args.bad("policy", format!("`{text}`: {e}")))?,
                    Scheme::Active,
                )),
            };
            if args.period.is_none() && !args.on_failure {
                return Err(args.bad(
                    "policy",
                    format!(
                        "`{text}` needs {}, {} or both",
                        args.name("period"),
                        args.name("on_failure")
                    ),
                ));
            }
            Ok(Policy::Reschedule {
                by,
                period: args.period,
                on_failure: args.on_failure,
            })
        }
        _ => Err(args.bad(
            "policy",
            format!("unknown policy `{text}` (known: keep, redispatch[:RULE], reschedule[:RULE])"),
        )),
    }
}

/// Runs the experiment on `instance` planned by `schedule`.
///
/// # Errors
///
/// [`SchedError::BadName`] naming the flag and the value for a bad setting, or
/// what the experiment reports (an unfinished replication, a bad schedule).
pub fn run(
    instance: &Instance,
    schedule: &Schedule,
    args: &RobustArgs,
) -> Result<Robustness, SchedError> {
    let policies = args.checked_policies()?;
    if let Some(p) = args.period
        && !(p.is_finite() && p > 0.0)
    {
        return Err(args.bad("period", format!("must be positive and finite, got {p}")));
    }
    if !(args.noise_cv.is_finite() && args.noise_cv >= 0.0) {
        return Err(args.bad(
            "noise_cv",
            format!("must be finite and non-negative, got {}", args.noise_cv),
        ));
    }
    let due_slack = args.checked_due_slack()?.unwrap_or(0.0);
    if args.buffer == Some(0) {
        return Err(args.bad(
            "buffer",
            "must be at least 1 (leave it out for unlimited buffers)".into(),
        ));
    }
    let clock = match args.failure_clock.as_str() {
        "busy" => FailureClock::Busy,
        "calendar" => FailureClock::Calendar,
        "operating" => FailureClock::Operating,
        other => {
            return Err(args.bad(
                "failure_clock",
                format!("unknown clock `{other}` (known: busy, calendar, operating)"),
            ));
        }
    };
    let exponential = |flag: &str, mean: f64| {
        Distribution::exponential(mean)
            .map_err(|_| args.bad(flag, format!("must be positive and finite, got {mean}")))
    };
    let breakdowns = match (args.mtbf, args.mttr) {
        (Some(mtbf), Some(mttr)) => Some(Breakdowns {
            ttf: exponential("mtbf", mtbf)?,
            ttr: exponential("mttr", mttr)?,
            clock,
        }),
        (None, None) => None,
        (Some(_), None) => {
            return Err(args.bad("mtbf", format!("give {} with it", args.name("mttr"))));
        }
        (None, Some(_)) => {
            return Err(args.bad("mttr", format!("give {} with it", args.name("mtbf"))));
        }
    };
    let twin = TwinOptions {
        family: args.noise.clone(),
        cv: args.noise_cv,
        breakdowns,
        buffer: args.buffer,
        ..TwinOptions::default()
    };
    let options = RobustOptions {
        replications: args.replications,
        seed: args.seed,
        dues: Dues::Planned { slack: due_slack },
        horizon: None,
        stop: args.stop.clone(),
    };
    robustness(instance, schedule, &twin, &policies, &options).map_err(|e| match e {
        twin_models::scheduling::RobustError::Twin(
            twin_models::scheduling::TwinError::Distribution(d),
        ) => SchedError::BadName(format!(
            "{} {} {} {}: {d}",
            args.name("noise"),
            args.noise,
            args.name("noise_cv"),
            args.noise_cv
        )),
        twin_models::scheduling::RobustError::Twin(
            twin_models::scheduling::TwinError::Schedule(violation),
        ) => SchedError::Infeasible {
            origin: instance.name().to_owned(),
            violations: vec![violation],
        },
        other => run_error(other),
    })
}

fn summary(s: &Summary) -> Value {
    let number = |x: f64| if x.is_finite() { json!(x) } else { Value::Null };
    json!({
        "mean": number(s.mean),
        "ci95": number(s.ci95),
        "sd": number(s.sd),
        "p50": number(s.p50),
        "p90": number(s.p90),
        "p95": number(s.p95),
        "min": number(s.min),
        "max": number(s.max),
        "n": s.n,
    })
}

fn proportion(p: &ProportionInterval) -> Value {
    json!({ "probability": p.estimate, "ci95": [p.low, p.high], "n": p.n })
}

fn orders(orders: &[OrderOutcome]) -> Value {
    orders
        .iter()
        .map(|o| {
            json!({
                "id": o.id,
                "due": o.due,
                "planned_completion": o.planned,
                "completion": summary(&o.completion),
                "on_time": proportion(&o.on_time),
            })
        })
        .collect()
}

fn realised(p: &PolicyReport) -> Value {
    let r = &p.realised;
    json!({
        "makespan": summary(&r.makespan),
        "makespan_ratio": summary(&r.makespan_ratio),
        "flow_time": summary(&r.flow_time),
        "tardiness": summary(&r.tardiness),
        "on_time_rate": summary(&r.on_time_rate),
        "reschedules": summary(&r.reschedules),
    })
}

/// The report as `linetwin.sched-robust/1` JSON: the first policy's
/// `realised` and `orders` at the top, every other policy under
/// `alternatives` with its paired makespan difference against the first.
pub fn to_json(report: &Robustness, args: &RobustArgs) -> String {
    let first = &report.policies[0];
    let alternatives: Vec<Value> = report.policies[1..]
        .iter()
        .zip(&report.makespan_vs_first)
        .map(|(p, c)| {
            json!({
                "policy": p.policy,
                "realised": realised(p),
                "orders": orders(&p.orders),
                "makespan_vs_first": {
                    "mean_difference": c.mean_difference,
                    "paired_ci95": c.paired_ci95,
                    "unpaired_ci95": c.unpaired_ci95,
                },
            })
        })
        .collect();
    let value = json!({
        "format": JSON_FORMAT,
        "instance": report.instance,
        "replications": report.replications,
        "seed": report.seed,
        "disturbances": disturbances(args),
        "plan": args.book.as_ref().map(|b| json!({ "origin": b.plan, "stations": b.stations })),
        "dues": if args.book.is_some() && args.due_slack.is_none() { "orders" } else { "planned" },
        "due_slack": args.due_slack.or(args.book.is_none().then_some(0.0)),
        "planned": {
            "makespan": report.planned.makespan,
            "flow_time": report.planned.flow_time,
            "tardiness": report.planned.tardiness,
            "on_time_rate": report.planned.on_time_rate,
        },
        "policy": first.policy,
        "realised": realised(first),
        "orders": orders(&first.orders),
        "alternatives": alternatives,
        "best": best(report),
    });
    let mut text = serde_json::to_string_pretty(&value).unwrap_or_default();
    text.push('\n');
    text
}

/// The command's error for a failed experiment: a run that could not finish,
/// an interruption, or a bad setting.
pub(crate) fn run_error(e: twin_models::scheduling::RobustError) -> SchedError {
    use twin_models::scheduling::RobustError;
    match e {
        e @ (RobustError::Run { .. } | RobustError::Plan { .. }) => SchedError::Run(e.to_string()),
        RobustError::Interrupted => SchedError::Interrupted,
        other => SchedError::BadName(other.to_string()),
    }
}

/// The disturbances: the twin's (an instance's), or the scenario's own.
fn disturbances(args: &RobustArgs) -> Value {
    if args.book.is_some() {
        return json!({ "source": "scenario" });
    }
    json!({
        "source": "twin",
        "noise": args.noise,
        "noise_cv": args.noise_cv,
        "mtbf": args.mtbf,
        "mttr": args.mttr,
        "failure_clock": args.mtbf.map(|_| args.failure_clock.clone()),
        "buffer": args.buffer,
    })
}

/// The policy with the least expected makespan, the one with the least 95th
/// percentile, and the one with the least mean total tardiness.
fn best(report: &Robustness) -> Value {
    let by = |key: fn(&PolicyReport) -> f64| {
        report
            .policies
            .iter()
            .min_by(|a, b| key(a).total_cmp(&key(b)))
            .map(|p| p.policy.clone())
    };
    json!({
        "mean_makespan": by(|p| p.realised.makespan.mean),
        "p95_makespan": by(|p| p.realised.makespan.p95),
        "mean_tardiness": by(|p| p.realised.tardiness.mean),
    })
}

fn pm(mean: f64, half: f64, digits: usize) -> String {
    if half.is_finite() {
        format!("{mean:.digits$} ± {half:.digits$}")
    } else {
        format!("{mean:.digits$}")
    }
}

/// The report as a table: one line per policy, the paired differences, the
/// winners and the orders least likely to be on time.
pub fn to_table(report: &Robustness, args: &RobustArgs) -> String {
    let mut out = String::new();
    let disturbances = match (args.mtbf, args.mttr) {
        (Some(f), Some(r)) => format!(
            "{} cv {}, breakdowns MTBF {f} MTTR {r} ({} clock)",
            args.noise, args.noise_cv, args.failure_clock
        ),
        _ => format!("{} cv {}, no breakdowns", args.noise, args.noise_cv),
    };
    match &args.book {
        Some(book) => {
            out += &format!(
                "{}: plan {} at {} {}; planned makespan {:.1}, {} replications (seed {}), \
                 the scenario's own disturbances\n\n",
                report.instance,
                book.plan,
                if book.stations.len() == 1 {
                    "station"
                } else {
                    "stations"
                },
                book.stations.join(", "),
                report.planned.makespan,
                report.replications,
                report.seed
            );
        }
        None => {
            out += &format!(
                "{}: planned makespan {}, {} replications (seed {}), processing times \
                 {disturbances}\n\n",
                report.instance, report.planned.makespan, report.replications, report.seed
            );
        }
    }
    let header = [
        "policy",
        "makespan (mean ± 95% CI)",
        "p50",
        "p90",
        "p95",
        "× planned",
        "on time %",
        "tardiness",
        "reschedules",
    ];
    // An order book is never rescheduled.
    let columns = header.len() - usize::from(args.book.is_some());
    let mut rows: Vec<Vec<String>> =
        vec![header[..columns].iter().map(|s| (*s).to_owned()).collect()];
    for p in &report.policies {
        let r = &p.realised;
        rows.push(vec![
            p.policy.clone(),
            pm(r.makespan.mean, r.makespan.ci95, 1),
            format!("{:.1}", r.makespan.p50),
            format!("{:.1}", r.makespan.p90),
            format!("{:.1}", r.makespan.p95),
            format!("{:.3}", r.makespan_ratio.mean),
            pm(100.0 * r.on_time_rate.mean, 100.0 * r.on_time_rate.ci95, 1),
            pm(r.tardiness.mean, r.tardiness.ci95, 1),
            format!("{:.1}", r.reschedules.mean),
        ]);
        rows.last_mut().expect("just pushed").truncate(columns);
    }
    out += &super::align(&rows, 1);
    let first = &report.policies[0].policy;
    if !report.makespan_vs_first.is_empty() {
        out += &format!("\nmakespan against {first}, paired on the same disturbances:\n");
        for (p, c) in report.policies[1..].iter().zip(&report.makespan_vs_first) {
            out += &format!(
                "  {}: {:+.1} ± {:.1} (unpaired it would be ± {:.1})\n",
                p.policy, c.mean_difference, c.paired_ci95, c.unpaired_ci95
            );
        }
    }
    if report.policies.len() > 1 {
        let b = best(report);
        out += &format!(
            "\nbest on expected makespan: {}; on the 95th percentile: {}; on mean \
             tardiness: {}\n",
            b["mean_makespan"].as_str().unwrap_or("-"),
            b["p95_makespan"].as_str().unwrap_or("-"),
            b["mean_tardiness"].as_str().unwrap_or("-")
        );
    }
    let mut orders: Vec<&OrderOutcome> = report.policies[0].orders.iter().collect();
    orders.sort_by(|a, b| a.on_time.estimate.total_cmp(&b.on_time.estimate));
    let shown: Vec<String> = orders
        .iter()
        .take(5)
        .map(|o| {
            format!(
                "{} {:.0}% [{:.0}, {:.0}]",
                o.id,
                100.0 * o.on_time.estimate,
                100.0 * o.on_time.low,
                100.0 * o.on_time.high
            )
        })
        .collect();
    out += &format!(
        "\norders least likely on time under {first} (due: {}; 95% Wilson intervals): {}\n",
        match args.due_slack {
            None if args.book.is_some() => "the order book's".to_owned(),
            Some(slack) if slack > 0.0 =>
                format!("planned completion + {slack}× planned flow time"),
            _ => "planned completion".to_owned(),
        },
        shown.join(", ")
    );
    out
}
