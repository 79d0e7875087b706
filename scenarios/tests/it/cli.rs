//! The `linetwin` command-line contract: exit codes, what goes to stdout and
//! stderr, the `linetwin.kpi/2` JSON keys and byte-identical reruns.

use std::path::PathBuf;
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::setups::FOUR_FAMILIES;
use crate::{BUNDLED, MINIMAL, library};

/// A horizon short enough to keep CLI runs fast and above the bundled warm-ups.
const SHORT_HORIZON: &str = "4000";

fn linetwin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_linetwin"))
}

/// Runs `linetwin` with `args`.
pub(crate) fn run(args: &[&str]) -> Output {
    linetwin().args(args).output().expect("linetwin starts")
}

/// The bundled scenario `name` as a command-line argument.
fn bundled(name: &str) -> String {
    library(name).to_str().expect("UTF-8 path").to_owned()
}

fn stdout(output: &Output) -> &str {
    std::str::from_utf8(&output.stdout).expect("stdout is UTF-8")
}

fn stderr(output: &Output) -> &str {
    std::str::from_utf8(&output.stderr).expect("stderr is UTF-8")
}

/// Asserts the invalid-input contract: exit code 2, nothing on stdout, and stderr
/// one line starting `error: `. Returns that line.
fn assert_one_error_line(output: &Output) -> String {
    assert_eq!(output.status.code(), Some(2), "stderr: {}", stderr(output));
    assert!(
        output.stdout.is_empty(),
        "stdout must be empty: {}",
        stdout(output)
    );
    let err = stderr(output);
    assert!(err.starts_with("error: "), "stderr: {err}");
    assert!(err.ends_with('\n'), "stderr: {err:?}");
    assert_eq!(err.lines().count(), 1, "stderr must be one line: {err}");
    err.trim_end().to_owned()
}

/// Asserts that an argument error exits with 2, prints nothing on stdout and
/// starts stderr with `error: ` (clap adds usage lines after it).
fn assert_argument_error(output: &Output) -> String {
    assert_eq!(output.status.code(), Some(2), "stderr: {}", stderr(output));
    assert!(output.stdout.is_empty(), "stdout: {}", stdout(output));
    let err = stderr(output);
    assert!(err.starts_with("error: "), "stderr: {err}");
    err.to_owned()
}

/// `linetwin run FILE --json` with `extra` arguments; must succeed.
fn run_json(file: &str, extra: &[&str]) -> (String, Value) {
    let mut args = vec!["run", file, "--json"];
    args.extend(extra);
    let output = run(&args);
    assert!(
        output.status.success(),
        "{file}: {:?}: {}",
        output.status,
        stderr(&output)
    );
    let text = stdout(&output).to_owned();
    let json = serde_json::from_str(&text).expect("stdout is JSON");
    (text, json)
}

/// A scenario file in the temporary directory, removed on drop.
struct TempScenario(PathBuf);

impl TempScenario {
    fn new(label: &str, text: &str) -> Self {
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let path = std::env::temp_dir().join(format!(
            "linetwin-it-{}-{}-{label}.toml",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::write(&path, text).expect("write the temporary scenario");
        Self(path)
    }

    /// The path as a command-line argument.
    fn arg(&self) -> &str {
        self.0.to_str().expect("UTF-8 path")
    }
}

impl Drop for TempScenario {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

// `run`: the table and the JSON.

#[test]
fn run_prints_a_table_with_the_bottleneck() {
    for name in BUNDLED {
        let output = run(&["run", &bundled(name)]);
        assert!(output.status.success(), "{name}: {}", stderr(&output));
        // The mixed-model line is built so that first in first out cannot keep
        // up at the press, because of its die changes; the others are quiet.
        let warnings = stderr(&output);
        if name == "mixed_model_line.toml" {
            assert!(
                warnings.starts_with("warning: ")
                    && warnings.contains("station `press`: the order book brings")
                    && warnings.contains("if the rule changes over often (first in first out)")
                    && warnings.lines().count() == 1,
                "{name}: {warnings}"
            );
        } else {
            assert!(warnings.is_empty(), "{name}: {warnings}");
        }
        let table = stdout(&output);
        assert!(table.contains("bottleneck"), "{name}:\n{table}");
        assert!(table.contains("Station"), "{name}:\n{table}");
    }
}

#[test]
fn run_json_has_every_contract_key() {
    const LINE_KEYS: &[&str] = &[
        "/line/parts_completed",
        "/line/throughput",
        "/line/throughput_per_hour",
        "/line/wip_mean",
        "/line/lead_time/mean",
        "/line/lead_time/p50",
        "/line/lead_time/p90",
        "/line/lead_time/p95",
        "/line/oee/availability",
        "/line/oee/performance",
        "/line/oee/quality",
        "/line/oee/oee",
    ];
    const STATES: [&str; 6] = ["busy", "starved", "blocked", "down", "setup", "maintenance"];
    for name in BUNDLED {
        let (_, json) = run_json(&bundled(name), &["--horizon", SHORT_HORIZON]);
        assert_eq!(json["schema"], "linetwin.kpi/2", "{name}");
        for key in LINE_KEYS {
            let value = json
                .pointer(key)
                .unwrap_or_else(|| panic!("{name}: no {key}"));
            assert!(value.is_number(), "{name}: {key} is {value}");
        }
        assert!(
            json["line"]["parts_completed"].as_u64().unwrap() > 0,
            "{name}"
        );
        let stations = json["stations"].as_object().expect("stations is an object");
        assert!(!stations.is_empty(), "{name}");
        for (station, kpis) in stations {
            for state in STATES {
                let fraction = kpis["states"][state]
                    .as_f64()
                    .unwrap_or_else(|| panic!("{name}: {station}: no states.{state}"));
                assert!((0.0..=1.0).contains(&fraction), "{name}: {station}.{state}");
            }
            assert!(
                kpis["utilization"].is_number(),
                "{name}: {station}: no utilization"
            );
        }
        let bottleneck = json["bottleneck"].as_str().expect("bottleneck is a string");
        assert!(
            stations.contains_key(bottleneck),
            "{name}: bottleneck `{bottleneck}` is not a station"
        );
    }
}

#[test]
fn state_fractions_sum_to_one_per_station() {
    for name in BUNDLED {
        let (_, json) = run_json(&bundled(name), &["--horizon", SHORT_HORIZON]);
        for (station, kpis) in json["stations"].as_object().unwrap() {
            let total: f64 = kpis["states"]
                .as_object()
                .unwrap()
                .values()
                .map(|v| v.as_f64().unwrap())
                .sum();
            assert!(
                (total - 1.0).abs() < 1e-9,
                "{name}: {station}: fractions sum to {total}"
            );
        }
    }
}

#[test]
fn json_writes_undefined_ratios_as_null() {
    // Nothing completes in 0.01 min, so the lead time is undefined.
    let (_, json) = run_json(&bundled("serial_line.toml"), &["--horizon", "0.01"]);
    assert_eq!(json["line"]["parts_completed"], 0);
    assert!(json["line"]["lead_time"]["mean"].is_null(), "{json}");
}

// Determinism and overrides.

#[test]
fn same_file_and_seed_give_identical_stdout() {
    for name in BUNDLED {
        let args = ["--horizon", SHORT_HORIZON];
        let (first, _) = run_json(&bundled(name), &args);
        let (second, _) = run_json(&bundled(name), &args);
        assert_eq!(first, second, "{name}: JSON differs between runs");

        let table = || run(&["run", &bundled(name), "--horizon", SHORT_HORIZON]).stdout;
        assert_eq!(table(), table(), "{name}: table differs between runs");
    }
}

#[test]
fn seed_override_changes_the_output_reproducibly() {
    for name in BUNDLED {
        let (file_seed, _) = run_json(&bundled(name), &["--horizon", SHORT_HORIZON]);
        let (seed_7, json) = run_json(&bundled(name), &["--horizon", SHORT_HORIZON, "--seed", "7"]);
        let (seed_7_again, _) =
            run_json(&bundled(name), &["--horizon", SHORT_HORIZON, "--seed", "7"]);
        assert_eq!(json["seed"], 7, "{name}");
        assert_ne!(seed_7, file_seed, "{name}: --seed 7 changed nothing");
        assert_eq!(seed_7, seed_7_again, "{name}: --seed 7 is not reproducible");
    }
}

#[test]
fn horizon_and_warmup_overrides_are_reported() {
    for name in BUNDLED {
        let (_, json) = run_json(&bundled(name), &["--horizon", "500", "--warmup", "100"]);
        assert_eq!(json["horizon"], 500.0, "{name}");
        assert_eq!(json["warmup"], 100.0, "{name}");
    }
}

// Bad input.

#[test]
fn invalid_scenario_exits_2_with_one_error_line() {
    let file = TempScenario::new("bad", &MINIMAL.replace("mean = 1.0", "mean = -1"));
    let output = run(&["run", file.arg()]);
    let message = assert_one_error_line(&output);
    assert_eq!(
        message,
        format!(
            "error: {}:19: stations[0].processing.mean: must be positive and finite, got -1",
            file.0.display()
        )
    );
}

#[test]
fn invalid_scenario_with_json_prints_nothing_on_stdout() {
    let file = TempScenario::new("bad-json", &format!("{MINIMAL}servrs = 2\n"));
    let output = run(&["run", file.arg(), "--json"]);
    let message = assert_one_error_line(&output);
    assert!(
        message.contains(":20:1: stations[0].servrs: unknown field `servrs`"),
        "{message}"
    );
}

#[test]
fn file_that_is_not_toml_exits_2() {
    let file = TempScenario::new("not-toml", "this is not toml\n");
    for command in ["run", "validate"] {
        let output = run(&[command, file.arg()]);
        let message = assert_one_error_line(&output);
        assert!(message.contains(":1:6: "), "{message}");
    }
}

#[test]
fn missing_file_exits_2() {
    let missing = std::env::temp_dir().join(format!(
        "linetwin-it-{}-does-not-exist.toml",
        std::process::id()
    ));
    for command in ["run", "validate"] {
        let output = run(&[command, missing.to_str().unwrap()]);
        let message = assert_one_error_line(&output);
        assert!(message.contains("cannot read the file"), "{message}");
        assert!(message.contains("does-not-exist.toml"), "{message}");
    }
}

#[test]
fn negative_horizon_override_exits_2_naming_the_field() {
    let output = run(&["run", &bundled("serial_line.toml"), "--horizon=-5"]);
    let message = assert_one_error_line(&output);
    assert!(
        message
            .ends_with("serial_line.toml: scenario.horizon: must be positive and finite, got -5"),
        "{message}"
    );
}

#[test]
fn negative_horizon_as_a_separate_argument_names_the_field() {
    let output = run(&["run", &bundled("serial_line.toml"), "--horizon", "-5"]);
    let message = assert_one_error_line(&output);
    assert!(
        message
            .ends_with("serial_line.toml: scenario.horizon: must be positive and finite, got -5"),
        "{message}"
    );
}

#[test]
fn nan_horizon_override_exits_2() {
    let output = run(&["run", &bundled("serial_line.toml"), "--horizon", "nan"]);
    let message = assert_one_error_line(&output);
    assert!(
        message.ends_with("scenario.horizon: must be positive and finite, got NaN"),
        "{message}"
    );
}

#[test]
fn horizon_override_below_the_files_warmup_exits_2() {
    let output = run(&["run", &bundled("assembly_line.toml"), "--horizon", "500"]);
    let message = assert_one_error_line(&output);
    assert!(
        message
            .ends_with("scenario.warmup: must be at least 0 and below the horizon 500, got 2400"),
        "{message}"
    );
}

#[test]
fn unknown_subcommand_exits_2() {
    let message = assert_argument_error(&run(&["frobnicate"]));
    assert!(message.contains("frobnicate"), "{message}");
}

#[test]
fn unknown_flag_exits_2() {
    let output = run(&["run", &bundled("serial_line.toml"), "--frob"]);
    let message = assert_argument_error(&output);
    assert!(message.contains("--frob"), "{message}");
}

#[test]
fn non_numeric_seed_exits_2() {
    let output = run(&["run", &bundled("serial_line.toml"), "--seed", "seven"]);
    let message = assert_argument_error(&output);
    assert!(message.contains("seven"), "{message}");
}

#[test]
fn no_arguments_exits_2_with_nothing_on_stdout() {
    let output = run(&[]);
    assert_eq!(output.status.code(), Some(2), "stderr: {}", stderr(&output));
    assert!(output.stdout.is_empty(), "stdout: {}", stdout(&output));
}

#[test]
fn help_exits_0() {
    let output = run(&["--help"]);
    assert!(output.status.success());
    assert!(stdout(&output).contains("validate"));
    assert!(stdout(&output).contains("setups"));
}

// `validate`.

#[test]
fn validate_accepts_the_bundled_scenarios() {
    for name in BUNDLED {
        let output = run(&["validate", &bundled(name)]);
        assert!(output.status.success(), "{name}: {}", stderr(&output));
        assert!(output.stderr.is_empty(), "{name}: {}", stderr(&output));
        let text = stdout(&output);
        assert!(text.contains(": ok"), "{name}: {text}");
    }
}

#[test]
fn validate_rejects_an_invalid_scenario() {
    let file = TempScenario::new("validate-bad", &MINIMAL.replace("\"min\"", "\"fortnight\""));
    let output = run(&["validate", file.arg()]);
    let message = assert_one_error_line(&output);
    assert!(
        message.ends_with(":3: scenario.time_unit: must be `s`, `min` or `h`, got `fortnight`"),
        "{message}"
    );
}

// `setups`.

#[test]
fn setups_prints_the_proposed_and_the_declaration_order_cycle() {
    let file = TempScenario::new("setups", FOUR_FAMILIES);
    let output = run(&["setups", file.arg()]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(output.stderr.is_empty(), "{}", stderr(&output));
    assert_eq!(
        stdout(&output),
        "paint shop — campaign wheels from the mean setup times (min per cycle)

booth: 4 families, exact (optimal)
  proposed            8 min  A → C → D → B → (A)
  declaration order  29 min  A → B → C → D → (A)
  saving             21 min  72.4%

pack: 5 families, exact (optimal)
  proposed           10 min  A → B → C → D → E → (A)
  declaration order  10 min  A → B → C → D → E → (A)
"
    );
}

#[test]
fn setups_json_is_the_setups_schema_and_reproducible() {
    let file = TempScenario::new("setups-json", FOUR_FAMILIES);
    let first = run(&["setups", file.arg(), "--json"]);
    assert!(first.status.success(), "{}", stderr(&first));
    assert_eq!(first.stdout, run(&["setups", file.arg(), "--json"]).stdout);
    let json: Value = serde_json::from_slice(&first.stdout).expect("stdout is JSON");
    assert_eq!(json["schema"], "linetwin.setups/1");
    assert_eq!(json["scenario"], "paint shop");
    assert_eq!(json["stations"][0]["station"], "booth");
    assert_eq!(json["stations"][0]["total_setup"], 8.0);
    assert_eq!(json["stations"][0]["declaration_order_total"], 29.0);
    assert_eq!(json["stations"][0]["method"], "exact");
    assert_eq!(json["stations"][1]["station"], "pack");
}

#[test]
fn setups_without_a_setup_matrix_prints_a_note_and_exits_0() {
    let file = TempScenario::new("setups-none", MINIMAL);
    let output = run(&["setups", file.arg()]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(output.stderr.is_empty(), "{}", stderr(&output));
    assert_eq!(
        stdout(&output),
        "t: no station has a setup matrix (`[stations.setup]`); nothing to sequence\n"
    );
    // JSON stays machine-readable: the same report with no stations.
    let output = run(&["setups", file.arg(), "--json"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let json: Value = serde_json::from_slice(&output.stdout).expect("stdout is JSON");
    assert_eq!(json["stations"], serde_json::json!([]));
}

#[test]
fn setups_rejects_a_bad_file_with_exit_2() {
    let file = TempScenario::new(
        "setups-bad",
        &FOUR_FAMILIES.replace("initial = \"B\"", "initial = \"Z\""),
    );
    for json in [false, true] {
        let mut args = vec!["setups", file.arg()];
        if json {
            args.push("--json");
        }
        let message = assert_one_error_line(&run(&args));
        assert_eq!(
            message,
            format!(
                "error: {}:49: stations[0].setup.initial: unknown family `Z` (known: `A`, `B`, `C`, `D`, `E`)",
                file.0.display()
            )
        );
    }
    let not_toml = TempScenario::new("setups-not-toml", "this is not toml\n");
    let message = assert_one_error_line(&run(&["setups", not_toml.arg()]));
    assert!(message.contains(":1:6: "), "{message}");
}

#[test]
fn setups_with_an_infinite_mean_exits_2() {
    let file = TempScenario::new(
        "setups-inf",
        &FOUR_FAMILIES.replace(
            "B = { dist = \"exponential\", mean = 8 }",
            "B = { dist = \"lognormal\", mu = 1000, sigma = 1 }",
        ),
    );
    let message = assert_one_error_line(&run(&["setups", file.arg()]));
    assert!(
        message.ends_with("stations[0].setup.times.C.B: the mean must be finite, got inf"),
        "{message}"
    );
}

// Runs that must end.

#[test]
fn zero_processing_time_with_a_saturated_source_ends() {
    let file = TempScenario::new(
        "zero",
        &MINIMAL.replace(
            r#"dist = "exponential", mean = 1.0"#,
            r#"dist = "constant", value = 0"#,
        ),
    );
    let mut child = linetwin()
        .args(["run", file.arg()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("linetwin starts");
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break Some(status);
        }
        if start.elapsed() > Duration::from_secs(5) {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    // Either rejected (exit 2 naming stations[0].processing) or run to the horizon.
    let status = status.expect("the run did not end within 5 s");
    assert!(matches!(status.code(), Some(0 | 2)), "{status:?}");
}

// `experiment`.

#[test]
fn experiment_output_is_the_same_with_one_and_two_threads() {
    let file = bundled("serial_line.toml");
    let with = |threads: &str| {
        run(&[
            "experiment",
            &file,
            "--json",
            "--replications",
            "6",
            "--seed",
            "4",
            "--threads",
            threads,
        ])
    };
    let (one, two) = (with("1"), with("2"));
    assert!(one.status.success(), "{}", stderr(&one));
    assert_eq!(one.stdout, two.stdout);
    let json: Value = serde_json::from_slice(&one.stdout).unwrap();
    assert_eq!(json["replications"], 6);
    assert_eq!(json["seed"], 4);
    assert_eq!(
        json["design_points"][0]["kpis"]["line"]["throughput"]["n"],
        6
    );
}

#[test]
fn experiment_table_lists_every_design_point() {
    let text = format!(
        "{MINIMAL}\n[[experiment.factors]]\nparameter = \"stations.A.servers\"\nvalues = [1, 2, 3]\n"
    );
    let file = TempScenario::new("factors", &text);
    let output = run(&["experiment", file.arg(), "--replications", "3"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let table = stdout(&output);
    for servers in 1..=3 {
        assert!(
            table.contains(&format!("base: stations.A.servers={servers}")),
            "{table}"
        );
    }
    assert!(table.contains("Paired differences"), "{table}");
}

#[test]
fn experiment_rejects_zero_threads_and_bad_factors() {
    let output = run(&["experiment", &bundled("serial_line.toml"), "--threads", "0"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(output.stdout.is_empty());
    assert_eq!(
        assert_one_error_line(&output),
        "error: command line: --threads: must be an integer from 1 to 1024, got 0"
    );
    let text = format!(
        "{MINIMAL}\n[[experiment.factors]]\nparameter = \"buffers.Q.capacity\"\nvalues = [1]\n"
    );
    let file = TempScenario::new("bad-factor", &text);
    let output = run(&["experiment", file.arg()]);
    assert_eq!(output.status.code(), Some(2));
    assert!(output.stdout.is_empty());
    assert!(
        assert_one_error_line(&output).ends_with(
            "experiment.factors[0].parameter: `buffers.Q.capacity`: the scenario has no `buffers`"
        ),
        "{}",
        stderr(&output)
    );
}

/// Ctrl-C stops a long experiment cleanly: exit 130, a one-line note, no results.
#[cfg(unix)]
#[test]
fn ctrl_c_stops_an_experiment_cleanly() {
    let mut child = linetwin()
        .args([
            "experiment",
            &bundled("serial_line.toml"),
            "--replications",
            "100000",
            "--json",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("linetwin starts");
    std::thread::sleep(Duration::from_millis(500));
    let status = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(status.success());
    let started = Instant::now();
    let output = loop {
        if let Some(_status) = child.try_wait().expect("wait") {
            break child.wait_with_output().expect("output");
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "linetwin did not stop after Ctrl-C"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    assert_eq!(output.status.code(), Some(130));
    assert!(output.stdout.is_empty());
    assert!(
        stderr(&output).starts_with("interrupted after "),
        "{}",
        stderr(&output)
    );
}

/// The experiment table names each column's unit, shows shares in percent as
/// `run` does, and says what `±` is; one replication shows values without a
/// `± NaN`.
#[test]
fn experiment_table_says_its_units() {
    let file = bundled("mixed_model_line.toml");
    let output = run(&[
        "experiment",
        &file,
        "--replications",
        "2",
        "--horizon",
        "600",
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let table = stdout(&output);
    let mut lines = table.lines();
    assert_eq!(
        lines.next(),
        Some(
            "Mixed-model body line — 2 replications per design point, seed 32, horizon 600 min, \
             warm-up 0 min (fixed replications)"
        ),
        "{table}"
    );
    assert_eq!(
        lines.next(),
        Some("mean ± half-width of the 95% confidence interval (Student t)")
    );
    let header = table.lines().nth(3).expect("a header row");
    for title in [
        "throughput /min",
        "WIP (parts)",
        "mean lead time min",
        "OEE %",
        "mean tardiness min",
        "on time %",
        "setup press %",
    ] {
        assert!(header.contains(title), "{header}");
    }
    let one = run(&[
        "experiment",
        &file,
        "--replications",
        "1",
        "--horizon",
        "600",
    ]);
    assert!(one.status.success(), "{}", stderr(&one));
    let table = stdout(&one);
    assert!(table.contains("1 replication per design point"), "{table}");
    assert!(table.contains("one replication: values without confidence intervals"));
    assert!(!table.contains("NaN"), "{table}");
}

/// `experiment --horizon/--warmup` override the file's, and a bad value names
/// the field.
#[test]
fn experiment_horizon_and_warmup_overrides() {
    let file = bundled("serial_line.toml");
    let output = run(&[
        "experiment",
        &file,
        "--replications",
        "2",
        "--horizon",
        "500",
        "--warmup",
        "50",
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        stdout(&output).contains("horizon 500 min, warm-up 50 min"),
        "{}",
        stdout(&output)
    );
    let bad = run(&["experiment", &file, "--horizon", "500", "--warmup", "600"]);
    let err = assert_one_error_line(&bad);
    assert!(err.contains("scenario.warmup"), "{err}");
}

/// `run --replication N` uses replication N's streams: a different run from
/// replication 0, the same one every time, and 0 is the default.
#[test]
fn run_replication_selects_the_streams() {
    let file = bundled("serial_line.toml");
    let horizon = ["--horizon", SHORT_HORIZON];
    let (default, _) = run_json(&file, &horizon);
    let (zero, _) = run_json(&file, &[&horizon[..], &["--replication", "0"]].concat());
    let (two, _) = run_json(&file, &[&horizon[..], &["--replication", "2"]].concat());
    let (again, _) = run_json(&file, &[&horizon[..], &["--replication", "2"]].concat());
    assert_eq!(default, zero);
    assert_ne!(zero, two);
    assert_eq!(two, again);
}

/// A part that visits S0, S1 and S0 again through hand-overs deadlocks by
/// t = 2 (worked out in twin-models' blocking tests).
const HAND_OVER_LOOP: &str = r#"
[scenario]
name = "loop"
time_unit = "min"
horizon = 100

[[products]]
name = "p"
route = ["S0", "S1", "S0"]

[[sources]]
name = "src"
kind = "saturated"

[[sinks]]
name = "out"

[[buffers]]
name = "B0"
capacity = 0

[[buffers]]
name = "B1"
capacity = 0

[[stations]]
name = "S0"
input = "B0"
processing = { dist = "constant", value = 1.0 }

[[stations]]
name = "S1"
input = "B1"
processing = { dist = "constant", value = 0.5 }
"#;

/// A run that deadlocks prints no KPIs: exit 2 and one line saying when and
/// where; in an experiment the line names the design point and replication.
#[test]
fn a_deadlock_is_an_error_not_a_kpi_table() {
    let file = TempScenario::new("deadlock", HAND_OVER_LOOP);
    let message = "line: the line deadlocked by t = 2: stations S0, S1 hold finished parts \
                   for the full buffers B0, B1, whose every consumer is itself blocked";
    for json in [false, true] {
        let mut args = vec!["run", file.arg()];
        if json {
            args.push("--json");
        }
        let output = run(&args);
        assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
        assert!(output.stdout.is_empty(), "{}", stdout(&output));
        let err = stderr(&output);
        let last = err.lines().last().expect("an error line");
        assert!(last.starts_with("error: "), "{err}");
        assert!(last.contains(message), "{err}");
    }
    let output = run(&["experiment", file.arg(), "--replications", "2"]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(output.stdout.is_empty());
    let err = stderr(&output);
    assert!(
        err.contains("line: design point `base`, replication 0: the line deadlocked by t = 2"),
        "{err}"
    );
}

/// The run table shows the parts in the line at both ends (so that released +
/// at start = completed + scrapped + at end reads off it), and only the
/// station columns the line uses: the serial line fails but never sets up,
/// the mixed-model line sets up.
#[test]
fn run_table_shows_what_the_line_uses() {
    let header = |name: &str| {
        let output = run(&["run", &bundled(name), "--horizon", SHORT_HORIZON]);
        assert!(output.status.success(), "{}", stderr(&output));
        let table = stdout(&output).to_owned();
        let (_, json) = run_json(&bundled(name), &["--horizon", SHORT_HORIZON]);
        let line = &json["line"];
        let row = format!(
            "parts in the line at start / end  {} / {}",
            line["parts_in_system_at_start"], line["parts_in_system"]
        );
        assert!(table.contains(&row), "{table}");
        let n = |k: &str| line[k].as_u64().expect("a count");
        assert_eq!(
            n("parts_released") + n("parts_in_system_at_start"),
            n("parts_completed") + n("parts_scrapped") + n("parts_in_system")
        );
        table
            .lines()
            .find(|l| l.starts_with("Station"))
            .expect("a station table")
            .to_owned()
    };
    let serial = header("serial_line.toml");
    assert!(
        serial.contains("failures") && serial.contains("mean wait min"),
        "{serial}"
    );
    assert!(
        !serial.contains("setup") && !serial.contains("maint."),
        "{serial}"
    );
    let mixed = header("mixed_model_line.toml");
    assert!(
        mixed.contains("  setup  ") && mixed.contains("setup time min"),
        "{mixed}"
    );
    assert!(!mixed.contains("maint."), "{mixed}");
}
