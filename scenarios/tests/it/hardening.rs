//! Hardening (issue 13): inputs from other people must not crash, hang, read
//! files outside the study or give silently wrong results. Each test is named
//! after what broke.

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

use scenarios::Scenario;
use scenarios::experiment::{Experiment, ExperimentOptions};

use crate::MINIMAL;

/// A serial line of `n` stations `s0 … s{n-1}`, each behind a buffer of 2 but
/// the first, with a constant processing time of 1 except at the stations in
/// `without_time`.
fn long_line(n: usize, without_time: &[usize]) -> String {
    let route: Vec<String> = (0..n).map(|i| format!("\"s{i}\"")).collect();
    let mut text = format!(
        "[scenario]\nname = \"long\"\ntime_unit = \"min\"\nhorizon = 100\n\n\
         [[products]]\nname = \"p\"\nroute = [{}]\n\n\
         [[sources]]\nname = \"src\"\nkind = \"saturated\"\n\n[[sinks]]\nname = \"out\"\n",
        route.join(", ")
    );
    for i in 0..n {
        text.push_str(&format!("\n[[stations]]\nname = \"s{i}\"\n"));
        if !without_time.contains(&i) {
            text.push_str("processing = { dist = \"constant\", value = 1 }\n");
        }
        if i > 0 {
            text.push_str(&format!("input = \"b{i}\"\n"));
        }
    }
    for i in 1..n {
        text.push_str(&format!("\n[[buffers]]\nname = \"b{i}\"\ncapacity = 2\n"));
    }
    text
}

/// Validation used to compare every station with every route step (about 38 s
/// for 20 000 stations); it is linear now. The test checks the result, not the
/// time: every station of a long line gets its processing time.
#[test]
fn long_line_validation_resolves_every_station() {
    let n = 20_000;
    let scenario = Scenario::from_toml(&long_line(n, &[]), "long.toml").expect("valid");
    let line = scenario.line();
    assert_eq!(line.stations.len(), n);
    assert_eq!(line.buffers.len(), n - 1);
    assert_eq!(line.products[0].route.len(), n);
    for (i, station) in line.stations.iter().enumerate() {
        assert_eq!(station.name, format!("s{i}"));
        assert_eq!(
            station.processing[0].as_ref().map(|d| d.mean()),
            Some(1.0),
            "station {i}"
        );
    }
}

#[test]
fn long_line_names_the_station_without_a_processing_time() {
    let message = Scenario::from_toml(&long_line(20_000, &[19_998]), "long.toml")
        .unwrap_err()
        .to_string();
    assert_eq!(
        message,
        "long.toml:100006: stations[19998].processing: station `s19998` has no processing time for \
         product `p`, which visits it: give `processing` or `processing_by_product.p`"
    );
}

/// The message of the error `text` gives as a scenario or as an experiment.
fn error(text: &str) -> String {
    error_with(text, &ExperimentOptions::default())
}

fn error_with(text: &str, options: &ExperimentOptions) -> String {
    match Scenario::from_toml(text, "h.toml") {
        Err(e) => e.to_string(),
        Ok(scenario) => Experiment::new(&scenario, options)
            .expect_err("invalid experiment")
            .to_string(),
    }
}

/// [`MINIMAL`] with `lines` appended (to station `A`, or after it for a new table).
fn appended(lines: &str) -> String {
    format!("{MINIMAL}{lines}")
}

// Factor grids too large to build.

#[test]
fn grid_of_seventy_factors_is_refused_before_it_is_built() {
    let factors =
        "[[experiment.factors]]\nparameter = \"stations.A.servers\"\nvalues = [1, 2]\n".repeat(70);
    assert_eq!(
        error(&appended(&format!("\n{factors}"))),
        "h.toml: experiment.factors: 1 variant(s) × a grid of 70 factors is about 1.181e21 \
         design points, more than the 10000 an experiment may have"
    );
}

#[test]
fn grid_of_a_million_points_is_refused_before_it_is_built() {
    let values: Vec<String> = (1..=100).map(|v| v.to_string()).collect();
    let factor = format!(
        "[[experiment.factors]]\nparameter = \"stations.A.servers\"\nvalues = [{}]\n",
        values.join(", ")
    );
    assert_eq!(
        error(&appended(&format!("\n{}", factor.repeat(3)))),
        "h.toml: experiment.factors: 1 variant(s) × a grid of 100 × 100 × 100 values is \
         1000000 design points, more than the 10000 an experiment may have"
    );
}

#[test]
fn validating_a_ten_thousand_point_grid_builds_one_factor_value_at_a_time() {
    // 100 server counts × 100 mean times: 10 000 points for `new`, 1 + 2 × 99
    // built by `check`, which still sees every value, so the bad last one.
    let grid = |last_servers: u32| {
        let servers: Vec<String> = (1..100)
            .chain([last_servers])
            .map(|v| v.to_string())
            .collect();
        let means: Vec<String> = (1..=100).map(|v| format!("{}.5", v)).collect();
        appended(&format!(
            "\n[[experiment.factors]]\nparameter = \"stations.A.servers\"\nvalues = [{}]\n\n\
             [[experiment.factors]]\nparameter = \"stations.A.processing.mean\"\nvalues = [{}]\n",
            servers.join(", "),
            means.join(", ")
        ))
    };
    let options = ExperimentOptions::default();
    let scenario = Scenario::from_toml(&grid(100), "h.toml").expect("valid");
    let size = Experiment::check(&scenario, &options).expect("valid experiment");
    assert_eq!((size.design_points, size.replications), (10_000, 10));
    let scenario = Scenario::from_toml(&grid(0), "h.toml").expect("valid");
    let check = Experiment::check(&scenario, &options).expect_err("0 servers");
    let new = Experiment::new(&scenario, &options).expect_err("0 servers");
    assert_eq!(check.to_string(), new.to_string());
    assert!(
        check.to_string().contains("stations.A.servers=0"),
        "{check}"
    );
}

#[test]
fn replications_above_the_maximum_name_the_field() {
    assert_eq!(
        error(&appended(
            "\n[experiment]\nreplications = 9223372036854775807\n"
        )),
        "h.toml:22: experiment.replications: must be an integer from 1 to 1000000000, got \
         9223372036854775807"
    );
    assert_eq!(
        error_with(
            MINIMAL,
            &ExperimentOptions {
                replications: Some(u64::MAX),
                ..Default::default()
            }
        ),
        "h.toml: replications: must be an integer from 1 to 1000000000, got 18446744073709551615"
    );
}

// Run settings that a variant or a factor would change for one design point only.

#[test]
fn variant_setting_the_horizon_is_refused() {
    assert_eq!(
        error(&appended(
            "\n[[experiment.variants]]\nname = \"long\"\nset = { \"scenario.horizon\" = 5000 }\n"
        )),
        "h.toml: experiment.variants[0]: variant `long` changes `scenario.horizon` from 1000 to \
         5000: every design point runs with the same run settings; use `experiment.horizon`"
    );
}

#[test]
fn variant_setting_the_seed_is_refused() {
    assert_eq!(
        error(&appended(
            "\n[[experiment.variants]]\nname = \"other\"\nset = { \"scenario.seed\" = 5 }\n"
        )),
        "h.toml: experiment.variants[0]: variant `other` changes `scenario.seed` from 1 to 5: \
         every design point runs with the same run settings; use `experiment.seed` or `--seed`"
    );
}

#[test]
fn factor_over_the_warmup_is_refused() {
    assert_eq!(
        error(&appended(
            "\n[[experiment.factors]]\nparameter = \"scenario.warmup\"\nvalues = [0, 100]\n"
        )),
        "h.toml: experiment.factors[0].parameter: factor `scenario.warmup` changes \
         `scenario.warmup` from 0 to 100: every design point runs with the same run settings; \
         use `experiment.warmup`"
    );
}

#[test]
fn invalid_experiment_warmup_names_experiment_warmup() {
    assert_eq!(
        error(&appended("\n[experiment]\nwarmup = 5000\n")),
        "h.toml:22: experiment.warmup: must be at least 0 and below the horizon 1000, got 5000"
    );
}

#[test]
fn empty_variant_name_is_refused() {
    assert_eq!(
        error(&appended("\n[[experiment.variants]]\nname = \" \"\n")),
        "h.toml:22: experiment.variants[0].name: must not be empty"
    );
}

// Two saturated sources on one buffer: the second used to replace the first.

#[test]
fn two_saturated_sources_feeding_one_buffer_are_refused() {
    let text = MINIMAL.replace(
        "[[sinks]]",
        "[[sources]]\nname = \"src2\"\nkind = \"saturated\"\n\n[[sinks]]",
    );
    assert_eq!(
        error(&text),
        "h.toml:16: sources[1].kind: saturated sources `src` and `src2` both feed the input of \
         station `A`; one saturated source per first buffer (give one source a `mix` of both \
         products)"
    );
}

// Names.

#[test]
fn failure_mode_name_with_a_slash_is_refused() {
    // Streams are keyed by `station/mode`: station `A/b` mode `c` and station
    // `A` mode `b/c` would share their random numbers.
    assert_eq!(
        error(&appended(
            "failures = [{ name = \"b/c\", ttf = { dist = \"exponential\", mean = 100 }, \
             ttr = { dist = \"constant\", value = 1 } }]\n"
        )),
        "h.toml:20: stations[0].failures[0].name: must not contain `/`, got `b/c`"
    );
}

#[test]
fn name_with_a_newline_is_refused() {
    let text = MINIMAL.replace("name = \"A\"", "name = \"A\\nB\"");
    assert_eq!(
        error(&text),
        "h.toml:18: stations[0].name: must not contain control characters such as a newline or \
         a tab, got \"A\\nB\""
    );
}

#[test]
fn unknown_name_lists_a_handful_of_known_names() {
    let mut text = MINIMAL.replace("route = [\"A\"]", "route = [\"X\"]");
    for i in 0..20 {
        text.push_str(&format!(
            "\n[[stations]]\nname = \"S{i:02}\"\nprocessing = {{ dist = \"constant\", value = 1 }}\n"
        ));
    }
    assert_eq!(
        error(&text),
        "h.toml:8: products[0].route[0]: unknown station `X` (known: `A`, `S00`, `S01`, `S02`, \
         `S03`, `S04`, `S05`, `S06`, … and 13 more)"
    );
}

#[test]
fn buffer_capacity_above_the_maximum_says_the_maximum() {
    assert_eq!(
        error(&appended(
            "input = \"q\"\n\n[[buffers]]\nname = \"q\"\ncapacity = 4294967295\n"
        )),
        "h.toml:24: buffers[0].capacity: must be an integer from 0 to 4294967294 (omit it for \
         an unlimited buffer), got 4294967295"
    );
}

// Variant files outside the study.

/// A directory of its own under the temporary directory, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(label: &str) -> Self {
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let path = std::env::temp_dir().join(format!(
            "linetwin-hardening-{}-{}-{label}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(path.join("study")).expect("create the directory");
        Self(path)
    }

    /// Writes `text` to `name` (relative to the directory) and returns its path.
    fn write(&self, name: &str, text: &str) -> PathBuf {
        let path = self.0.join(name);
        std::fs::write(&path, text).expect("write the file");
        path
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The experiment error of `study/main.toml` whose one variant names `file`.
fn variant_error(dir: &TempDir, file: &str, allow_outside: bool) -> String {
    let text = appended(&format!(
        "\n[[experiment.variants]]\nname = \"v\"\nscenario = {}\n",
        toml::Value::String(file.to_owned())
    ));
    let main = dir.write("study/main.toml", &text);
    let scenario = Scenario::from_path(&main).expect("valid scenario");
    Experiment::new(
        &scenario,
        &ExperimentOptions {
            allow_outside,
            ..Default::default()
        },
    )
    .map(|e| format!("ok: {} design points", e.design_points.len()))
    .unwrap_or_else(|e| e.to_string().replace(&*dir.0.to_string_lossy(), "DIR"))
}

#[test]
fn variant_file_outside_the_study_is_refused_unread() {
    let dir = TempDir::new("outside");
    let secret = dir.write("secret.toml", "[scenario]\npassword = \"hunter2\"\n");
    let absolute = secret.to_str().expect("UTF-8 path").to_owned();
    for name in [absolute.as_str(), "../secret.toml", "./../secret.toml"] {
        let message = variant_error(&dir, name, false);
        assert_eq!(
            message,
            format!(
                "DIR/study/main.toml: experiment.variants[0].scenario: `{}` must be a path inside \
                 the scenario's directory (no `..`, not absolute, no link out of it); \
                 `--allow-outside` lifts this for trusted files",
                name.replace(&*dir.0.to_string_lossy(), "DIR")
            )
        );
        assert!(!message.contains("hunter2"), "{message}");
    }
}

#[test]
fn device_named_as_a_file_is_refused_not_read_without_end() {
    // /dev/zero reports no size and never ends: reading it filled memory.
    let message = Scenario::from_path("/dev/zero")
        .expect_err("not a scenario")
        .to_string();
    assert_eq!(
        message,
        "/dev/zero: cannot read the file: not a regular file (a directory, device or pipe); a \
         scenario file must be one"
    );
    let dir = TempDir::new("device");
    assert_eq!(
        variant_error(&dir, "/dev/zero", true),
        "DIR/study/main.toml: experiment.variants[0].scenario: `/dev/zero`: not a regular file \
         (a directory, device or pipe); a scenario file must be one"
    );
    // A named pipe would wait for a writer at opening; an orders file linked to
    // a device inside the study.
    #[cfg(unix)]
    {
        let fifo = dir.0.join("study/pipe.toml");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        if made.is_ok_and(|s| s.success()) {
            let message = Scenario::from_path(&fifo).expect_err("a pipe").to_string();
            assert!(
                message.ends_with(
                    "not a regular file (a directory, device or pipe); a scenario file must be one"
                ),
                "{message}"
            );
        }
        let main = dir.write(
            "study/book.toml",
            &MINIMAL.replace(
                "kind = \"saturated\"",
                "kind = \"orders\"\nfile = \"book.csv\"",
            ),
        );
        std::os::unix::fs::symlink("/dev/zero", dir.0.join("study/book.csv")).expect("link");
        let message = Scenario::from_path(&main)
            .expect_err("a device")
            .to_string();
        assert!(
            message.ends_with(
                "sources[0].file: `book.csv`: not a regular file (a directory, device or pipe); \
                 an orders file must be one"
            ),
            "{message}"
        );
    }
}

#[test]
fn variant_file_that_is_not_a_scenario_is_not_quoted() {
    let dir = TempDir::new("not-scenario");
    dir.write("study/passwd", "root:x:0:0:hunter2:/root:/bin/sh\n");
    let message = variant_error(&dir, "passwd", false);
    assert_eq!(
        message,
        "DIR/study/main.toml: experiment.variants[0].scenario: `passwd` is not a scenario file \
         (TOML with a `[scenario]` table)"
    );
}

#[test]
fn allow_outside_reads_a_trusted_variant_file() {
    let dir = TempDir::new("allowed");
    dir.write("other.toml", MINIMAL);
    assert_eq!(
        variant_error(&dir, "../other.toml", true),
        "ok: 2 design points"
    );
}

#[test]
fn missing_variant_file_names_the_variant_field() {
    let dir = TempDir::new("missing");
    assert_eq!(
        variant_error(&dir, "missing.toml", false),
        "DIR/study/main.toml: experiment.variants[0].scenario: `missing.toml`: cannot read the \
         file: No such file or directory (os error 2)"
    );
}

// The command line.

fn linetwin(args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_linetwin"))
        .args(args)
        .output()
        .expect("linetwin starts")
}

/// The one error line of a failed command, after checking exit code 2 and an
/// empty stdout.
fn cli_error(args: &[&str]) -> String {
    let output = linetwin(args);
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    assert!(output.stdout.is_empty(), "{output:?}");
    String::from_utf8(output.stderr)
        .expect("UTF-8")
        .trim_end()
        .to_owned()
}

fn serial_line() -> String {
    crate::library("serial_line.toml")
        .to_str()
        .expect("UTF-8 path")
        .to_owned()
}

#[test]
fn replications_that_overflow_blame_the_flag() {
    assert_eq!(
        cli_error(&[
            "experiment",
            &serial_line(),
            "--replications",
            "18446744073709551615"
        ]),
        "error: command line: --replications: must be an integer from 1 to 1000000000, got \
         18446744073709551615"
    );
}

#[test]
fn absurd_thread_count_is_invalid_input() {
    assert_eq!(
        cli_error(&["experiment", &serial_line(), "--threads", "1000000"]),
        "error: command line: --threads: must be an integer from 1 to 1024, got 1000000"
    );
}

#[test]
fn negative_infinity_on_the_command_line_is_a_value() {
    let file = serial_line();
    assert_eq!(
        cli_error(&["run", &file, "--horizon", "-inf"]),
        format!("error: {file}: scenario.horizon: must be positive and finite, got -inf")
    );
}

#[test]
fn help_opens_with_what_the_tool_does() {
    let output = linetwin(&["--help"]);
    assert!(output.status.success());
    let help = String::from_utf8(output.stdout).expect("UTF-8");
    assert!(help.starts_with("Simulate production lines"), "{help}");
}

// Distributions that pass "positive mean" yet mean nothing.

/// [`MINIMAL`] with station `A`'s processing time replaced by `distribution`.
fn processing(distribution: &str) -> String {
    MINIMAL.replace(
        r#"processing = { dist = "exponential", mean = 1.0 }"#,
        &format!("processing = {{ {distribution} }}"),
    )
}

#[test]
fn tiny_processing_times_are_refused() {
    for (distribution, mean) in [
        (r#"dist = "constant", value = 1e-320"#, "1e-320"),
        (r#"dist = "exponential", rate = 1e308"#, "1e-308"),
        (
            // 1 + 1e-300 == 1: the second value is never drawn.
            r#"dist = "discrete", values = [0, 1], weights = [1, 1e-300]"#,
            "0",
        ),
        (r#"dist = "uniform", min = 0, max = 1e-7"#, "5e-8"),
    ] {
        assert_eq!(
            error(&processing(distribution)),
            format!(
                "h.toml:19: stations[0].processing: the mean processing time must be at least \
                 1e-6 (a millionth of the time unit), got {mean}"
            ),
            "{distribution}"
        );
    }
}

#[test]
fn tiny_interarrival_and_time_to_failure_are_refused() {
    let arrivals = MINIMAL.replace(
        "kind = \"saturated\"",
        "kind = \"arrivals\"\ninterarrival = { dist = \"exponential\", rate = 1e300 }",
    );
    assert_eq!(
        error(&arrivals),
        "h.toml:13: sources[0].interarrival: the mean interarrival time must be at least 1e-6 \
         (a millionth of the time unit), got 1e-300"
    );
    assert_eq!(
        error(&appended(
            "failures = [{ ttf = { dist = \"constant\", value = 1e-9 }, \
             ttr = { dist = \"constant\", value = 1 } }]\n"
        )),
        "h.toml:20: stations[0].failures[0].ttf: the mean time to failure must be at least 1e-6 \
         (a millionth of the time unit), got 1e-9"
    );
}

#[test]
fn lognormal_with_a_huge_sigma_is_refused() {
    assert_eq!(
        error(&processing(r#"dist = "lognormal", mu = 0, sigma = 50"#)),
        "h.toml:19: stations[0].processing.sigma: must be at most 2.4483 (a cv of 20), got 50"
    );
    assert_eq!(
        error(&processing(r#"dist = "lognormal", mean = 1, cv = 100"#)),
        "h.toml:19: stations[0].processing: a lognormal distribution cannot have mean 1 and cv \
         100: cv must be at most 20"
    );
}

#[test]
fn lognormal_with_an_infinite_mean_is_refused() {
    assert_eq!(
        error(&processing(r#"dist = "lognormal", mu = 800, sigma = 1"#)),
        "h.toml:19: stations[0].processing: the mean must be finite, got inf"
    );
}

#[test]
fn weibull_with_shape_0_001_is_refused() {
    assert_eq!(
        error(&processing(r#"dist = "weibull", shape = 0.001, scale = 1"#)),
        "h.toml:19: stations[0].processing.shape: must be at least 0.18661 (a cv of 20), got 0.001"
    );
    assert_eq!(
        error(&processing(r#"dist = "weibull", mean = 1, cv = 21"#)),
        "h.toml:19: stations[0].processing: a weibull distribution cannot have mean 1 and cv 21: \
         cv must be in [0.01, 20]"
    );
}

#[test]
fn erlang_with_four_billion_phases_runs() {
    // Each draw used to sum 4 294 967 295 exponentials.
    let text = processing(r#"dist = "erlang", k = 4294967295, mean = 1"#);
    let scenario = Scenario::from_toml(&text, "h.toml").expect("valid");
    let kpis = scenario
        .run(&scenarios::Overrides::default())
        .expect("runs");
    // cv = 1/sqrt(k): every operation takes 1 within 1e-4, so 999 or 1000 parts
    // complete by the horizon of 1000.
    assert!(
        (999..=1000).contains(&kpis.line.parts_completed),
        "{}",
        kpis.line.parts_completed
    );
}

// Unstable lines and other warnings.

/// [`MINIMAL`] fed by random arrivals with mean interarrival `mean` instead of
/// its saturated source (station `A`: exponential, mean 1, unlimited input).
fn arrivals_every(mean: f64) -> String {
    MINIMAL.replace(
        "kind = \"saturated\"",
        &format!("kind = \"arrivals\"\ninterarrival = {{ dist = \"exponential\", mean = {mean} }}"),
    )
}

#[test]
fn overloaded_station_with_an_unlimited_buffer_is_warned_of() {
    let scenario = Scenario::from_toml(&arrivals_every(0.8), "h.toml").expect("valid");
    assert_eq!(
        scenario.warnings,
        [
            "station `A`: offered load 1.250 is at or above its capacity with an unlimited buffer \
          in front: its queue grows without bound (unstable line)"
        ]
    );
    let stable = Scenario::from_toml(&arrivals_every(1.25), "h.toml").expect("valid");
    assert!(stable.warnings.is_empty(), "{:?}", stable.warnings);
}

#[test]
fn overloaded_station_behind_a_finite_buffer_is_not_warned_of() {
    let text = arrivals_every(0.5) + "input = \"q\"\n\n[[buffers]]\nname = \"q\"\ncapacity = 3\n";
    let scenario = Scenario::from_toml(&text, "h.toml").expect("valid");
    assert!(scenario.warnings.is_empty(), "{:?}", scenario.warnings);
}

#[test]
fn run_warns_of_an_unstable_line_on_stderr() {
    let path = std::env::temp_dir().join(format!(
        "linetwin-hardening-{}-unstable.toml",
        std::process::id()
    ));
    std::fs::write(&path, arrivals_every(0.8)).expect("write");
    let file = path.to_str().expect("UTF-8").to_owned();
    let output = linetwin(&["run", &file, "--horizon", "100"]);
    let _ = std::fs::remove_file(&path);
    assert!(output.status.success(), "{output:?}");
    assert_eq!(
        String::from_utf8(output.stderr).expect("UTF-8"),
        format!(
            "warning: {file}: station `A`: offered load 1.250 is at or above its capacity with \
             an unlimited buffer in front: its queue grows without bound (unstable line)\n"
        )
    );
}

/// `text` (MINIMAL or built on it) with its source of kind orders and the
/// horizon set to `horizon`.
fn as_order_book(text: &str, horizon: u32) -> String {
    text.replace("kind = \"saturated\"", "kind = \"orders\"")
        .replace("horizon = 1000", &format!("horizon = {horizon}"))
}

/// MINIMAL releasing `orders` (TOML `[[orders]]` tables), horizon `horizon`.
fn order_book(orders: &str, horizon: u32) -> String {
    as_order_book(MINIMAL, horizon) + orders
}

/// An `[[orders]]` table; `due` is TOML (e.g. `"due = 50\n"`) or empty.
fn order(id: &str, product: &str, quantity: u32, release: u32, due: &str) -> String {
    format!(
        "\n[[orders]]\nid = \"{id}\"\nproduct = \"{product}\"\nquantity = {quantity}\nrelease = {release}\n{due}"
    )
}

#[test]
fn order_book_faster_than_the_station_is_warned_of_not_called_unstable() {
    // Two orders of 50 parts at mean 1.0 on one server, released at 0 and 40 and
    // due at 50: work 2 × 50 × 1.0 = 100 against 1 × 40 = 40 over the release
    // window and 1 × 50 = 50 by the last due date.
    let due = "due = 50\n";
    let orders = order("o1", "p", 50, 0, due) + &order("o2", "p", 50, 40, due);
    let scenario = Scenario::from_toml(&order_book(&orders, 1000), "h.toml").expect("valid");
    assert_eq!(
        scenario.warnings,
        [
            "station `A`: the order book brings 100.0 min of work between its first and last \
             release (time 0 to 40), but the station can do 40.0 min in that time and 50.0 min \
             by the last due date (time 50): the line cannot keep up with the order book, so \
             orders will be late and the backlog grows until the last release"
        ]
    );
    // Due at 150 instead: the backlog of 60 at time 40 is worked off by 100, in time.
    let scenario = Scenario::from_toml(
        &order_book(&orders.replace(due, "due = 150\n"), 1000),
        "h.toml",
    )
    .expect("valid");
    assert!(scenario.warnings.is_empty(), "{:?}", scenario.warnings);
    // No due dates: judged by the horizon, 1000 here, 80 (less than 100) below.
    let orders = orders.replace(due, "");
    let scenario = Scenario::from_toml(&order_book(&orders, 1000), "h.toml").expect("valid");
    assert!(scenario.warnings.is_empty(), "{:?}", scenario.warnings);
    let scenario = Scenario::from_toml(&order_book(&orders, 80), "h.toml").expect("valid");
    assert_eq!(
        scenario.warnings,
        [
            "station `A`: the order book brings 100.0 min of work between its first and last \
             release (time 0 to 40), but the station can do 40.0 min in that time and 80.0 min \
             by the horizon (time 80): the line cannot keep up with the order book, so orders \
             will be unfinished at the horizon and the backlog grows until the last release"
        ]
    );
}

#[test]
fn order_book_released_at_once_is_judged_against_the_horizon() {
    // 50 parts at mean 1.0 released at 10: 50 of work, 1 × (40 − 10) = 30 by the
    // horizon 40; a horizon of 1000 leaves 990.
    let text = order_book(&order("o1", "p", 50, 10, ""), 40);
    let scenario = Scenario::from_toml(&text, "h.toml").expect("valid");
    assert_eq!(
        scenario.warnings,
        [
            "station `A`: the order book brings 50.0 min of work released at time 10, but the \
             station can do 30.0 min by the horizon (time 40): the line cannot keep up with the \
             order book, so orders will be unfinished at the horizon"
        ]
    );
    let text = order_book(&order("o1", "p", 50, 10, ""), 1000);
    let scenario = Scenario::from_toml(&text, "h.toml").expect("valid");
    assert!(scenario.warnings.is_empty(), "{:?}", scenario.warnings);
}

/// MINIMAL with a second product `q` of family `fq`, station A's setup matrix
/// (1.0 between the families by default) and rule `rule`.
fn two_families(rule: &str) -> String {
    MINIMAL.replace(
        "[[sources]]",
        "[[products]]\nname = \"q\"\nfamily = \"fq\"\nroute = [\"A\"]\n\n[[sources]]",
    ) + &format!(
        "rule = \"{rule}\"\nsetup = {{ default = {{ dist = \"constant\", value = 1.0 }} }}\n"
    )
}

#[test]
fn setups_under_first_in_first_out_that_overload_a_station_are_warned_of() {
    // p and q half each, arriving every 1.25 at mean 1.0: load 0.8 without
    // setups. In a random sequence half the parts change family (1 − ½² − ½²),
    // 0.5 × 1.0 of setup per part, so 0.8 × 1.5 = 1.2 with setups, 0.4 of it
    // (33%) setups.
    let arrivals = "kind = \"arrivals\"\ninterarrival = { dist = \"constant\", value = 1.25 }\nmix = { p = 0.5, q = 0.5 }";
    let text = two_families("fifo").replace("kind = \"saturated\"", arrivals);
    let scenario = Scenario::from_toml(&text, "h.toml").expect("valid");
    assert_eq!(
        scenario.warnings,
        [
            "station `A`: offered load 0.800 without setups, 1.200 with the mean setup of a \
             first-in-first-out sequence of its product mix (setups 33% of it): it is at or above \
             its capacity with an unlimited buffer in front if the rule changes over often (first \
             in first out), and its queue then grows without bound"
        ]
    );
    // A campaign rule can avoid most changes: no warning.
    let text = two_families("campaign").replace("kind = \"saturated\"", arrivals);
    let scenario = Scenario::from_toml(&text, "h.toml").expect("valid");
    assert!(scenario.warnings.is_empty(), "{:?}", scenario.warnings);
    // One family only (q made of p's family): no setups at all.
    let text = two_families("fifo")
        .replace("family = \"fq\"", "family = \"p\"")
        .replace("kind = \"saturated\"", arrivals);
    let scenario = Scenario::from_toml(&text, "h.toml").expect("valid");
    assert!(scenario.warnings.is_empty(), "{:?}", scenario.warnings);
}

#[test]
fn setups_between_orders_that_overload_a_station_are_warned_of() {
    // 50 p at 0 and 50 q at 120, both due at 125, mean 1.0, one server: 100 of
    // work, which fits in 125 without setups; the one change from p to q costs
    // 30, so 130, and 30 / 130 = 23% of it setups.
    let due = "due = 125\n";
    let orders = order("o1", "p", 50, 0, due) + &order("o2", "q", 50, 120, due);
    let text = as_order_book(&two_families("fifo"), 1000).replace("value = 1.0 }", "value = 30 }")
        + &orders;
    let scenario = Scenario::from_toml(&text, "h.toml").expect("valid");
    assert_eq!(
        scenario.warnings,
        [
            "station `A`: the order book brings 100.0 min of work between its first and last \
             release (time 0 to 120), 130.0 min with a setup at every change of family between \
             orders in release order (setups 23% of it), but the station can do 120.0 min in \
             that time and 125.0 min by the last due date (time 125): if the rule changes over \
             often (first in first out), the line cannot keep up with the order book, so orders \
             will be late and the backlog grows until the last release"
        ]
    );
    // Both orders of family p: no change, no warning; nor under a campaign rule.
    let same = text.replace("family = \"fq\"", "family = \"p\"");
    let scenario = Scenario::from_toml(&same, "h.toml").expect("valid");
    assert!(scenario.warnings.is_empty(), "{:?}", scenario.warnings);
    let campaign = text.replace("rule = \"fifo\"", "rule = \"campaign\"");
    let scenario = Scenario::from_toml(&campaign, "h.toml").expect("valid");
    assert!(scenario.warnings.is_empty(), "{:?}", scenario.warnings);
}

#[test]
fn mix_weights_not_summing_to_one_are_normalised_with_a_warning() {
    let text = MINIMAL
        .replace(
            "kind = \"saturated\"",
            "kind = \"saturated\"\nmix = { p = 3, q = 1 }",
        )
        .replace(
            "[[sources]]",
            "[[products]]\nname = \"q\"\nroute = [\"A\"]\n\n[[sources]]",
        );
    let scenario = Scenario::from_toml(&text, "h.toml").expect("valid");
    assert_eq!(
        scenario.warnings,
        ["source `src`: the mix weights sum to 4, not 1; they are normalised to p 0.750, q 0.250"]
    );
}

#[test]
fn validate_summary_says_1_source_not_1_sources() {
    let output = linetwin(&["validate", &serial_line()]);
    assert!(output.status.success(), "{output:?}");
    assert_eq!(
        String::from_utf8(output.stdout).expect("UTF-8"),
        format!(
            "{}: ok — 1 product, 10 stations, 9 buffers, 1 source, 1 sink\n",
            serial_line()
        )
    );
}

#[test]
fn comparing_a_point_with_itself_on_an_unknown_kpi_is_an_error() {
    let scenario = Scenario::from_toml(MINIMAL, "h.toml").expect("valid");
    let experiment = Experiment::new(
        &scenario,
        &ExperimentOptions {
            replications: Some(2),
            ..Default::default()
        },
    )
    .expect("valid");
    let result = experiment
        .run(&|_, _| {}, &std::sync::atomic::AtomicBool::new(false))
        .expect("runs");
    assert_eq!(
        result.compare(0, 0, "line.nonsense").unwrap_err(),
        "`line.nonsense` is not a numeric KPI of both design points"
    );
    assert_eq!(result.compare(0, 0, "line.throughput").unwrap().mean, 0.0);
}

/// TOML's integers stop at 2⁶³ − 1: a larger seed is a string of digits, read
/// and written back so, and every seed round-trips through `to_toml`.
#[test]
fn seeds_up_to_two_to_the_sixty_four_round_trip_through_toml() {
    let with_seed = |seed: &str| {
        MINIMAL.replacen(
            "horizon = 1000\n",
            &format!("horizon = 1000\nseed = {seed}\n"),
            1,
        )
    };
    for (text, seed) in [
        (with_seed("\"18446744073709551615\""), u64::MAX),
        (with_seed("\"9223372036854775808\""), 1 << 63),
        (with_seed("9223372036854775807"), i64::MAX as u64),
        (with_seed("\"42\""), 42),
        (with_seed("0"), 0),
    ] {
        let scenario = Scenario::from_toml(&text, "s.toml").expect("valid");
        let kpis = scenario.run(&Default::default()).expect("runs");
        assert_eq!(kpis.seed, seed);
        let written = scenario.to_toml();
        let again = Scenario::from_toml(&written, "again.toml").expect("reads back");
        assert_eq!(
            again.run(&Default::default()).expect("runs"),
            kpis,
            "{written}"
        );
        if seed > i64::MAX as u64 {
            assert!(written.contains(&format!("seed = \"{seed}\"")), "{written}");
        } else {
            assert!(written.contains(&format!("seed = {seed}\n")), "{written}");
        }
    }
    let expected = "expected a seed: an integer from 0 to 18446744073709551615, or such an \
                    integer as a string";
    for (seed, got) in [
        ("-1", "integer `-1`"),
        (
            "\"18446744073709551616\"",
            "string \"18446744073709551616\"",
        ),
        ("\"+5\"", "string \"+5\""),
        ("\"\"", "string \"\""),
    ] {
        let message = Scenario::from_toml(&with_seed(seed), "s.toml")
            .expect_err("invalid")
            .to_string();
        assert_eq!(
            message,
            format!("s.toml:5:8: scenario.seed: invalid value: {got}, {expected}")
        );
    }
}

#[test]
fn bundled_scenarios_do_not_speak_of_shifts_the_model_lacks() {
    // The assembly line's comments spoke of eight-hour shifts; the scenario
    // format has no shift calendar, so every run works around the clock.
    for name in crate::BUNDLED {
        let text = std::fs::read_to_string(crate::library(name)).expect("bundled file");
        assert!(
            !text.to_lowercase().contains("shift"),
            "{name} speaks of shifts"
        );
    }
}

#[test]
fn horizon_too_long_for_the_clock_is_refused_not_run_forever() {
    // `--horizon 1e300` ran without end: at such times a step of 1 no longer
    // changes an f64 clock.
    let text = MINIMAL.replace("horizon = 1000", "horizon = 1e300");
    assert_eq!(
        error(&text),
        "h.toml:4: scenario.horizon: must be at most 1e9 time units (beyond, the clock cannot \
         resolve a step of 1e-6, the shortest mean duration), got 1e300"
    );
    let scenario = Scenario::from_toml(MINIMAL, "h.toml").expect("valid");
    let overrides = scenarios::Overrides {
        horizon: Some(1e10),
        ..Default::default()
    };
    let message = scenario.run(&overrides).expect_err("too long").to_string();
    assert!(message.ends_with("got 10000000000"), "{message}");
    let at_limit = scenarios::Overrides {
        horizon: Some(scenarios::MAX_HORIZON),
        ..Default::default()
    };
    assert!(scenario.options(&at_limit).is_ok());
}
