//! Every mistake in a scenario gives one message naming the field, the value and the line.
//!
//! Each test changes one thing in [`MINIMAL`] and asserts the whole message, so that a
//! message that loses its field path, its value or its line is noticed.

use scenarios::{Overrides, Scenario, ScenarioFile};

use crate::MINIMAL;

/// [`MINIMAL`] with its one occurrence of `old` replaced by `new`.
fn with(old: &str, new: &str) -> String {
    assert_eq!(
        MINIMAL.matches(old).count(),
        1,
        "`{old}` must occur exactly once in the fixture"
    );
    MINIMAL.replacen(old, new, 1)
}

/// [`MINIMAL`] with `lines` appended (to station `A`, or after it for a new table).
fn appended(lines: &str) -> String {
    format!("{MINIMAL}{lines}")
}

/// [`MINIMAL`] with station `A`'s processing time replaced by `distribution`.
fn processing(distribution: &str) -> String {
    with(
        r#"processing = { dist = "exponential", mean = 1.0 }"#,
        &format!("processing = {{ {distribution} }}"),
    )
}

/// The message of the error `text` gives, which must be an error.
fn error(text: &str) -> String {
    match Scenario::from_toml(text, "test.toml") {
        Ok(_) => panic!("expected an error for:\n{text}"),
        Err(e) => e.to_string(),
    }
}

/// The message names all of `parts` (for checks where only the key facts matter).
fn assert_names(message: &str, parts: &[&str]) {
    for part in parts {
        assert!(
            message.contains(part),
            "the message does not name `{part}`: {message}"
        );
    }
}

#[test]
fn minimal_fixture_is_valid() {
    let scenario = Scenario::from_toml(MINIMAL, "test.toml").expect("valid");
    assert!(scenario.warnings.is_empty(), "{:?}", scenario.warnings);
}

// Unknown and misspelt names.

#[test]
fn unknown_station_in_route() {
    assert_eq!(
        error(&with(r#"route = ["A"]"#, r#"route = ["A", "X"]"#)),
        "test.toml:8: products[0].route[1]: unknown station `X` (known: `A`)"
    );
}

#[test]
fn misspelt_station_field() {
    assert_eq!(
        error(&appended("servrs = 2\n")),
        "test.toml:20:1: stations[0].servrs: unknown field `servrs`, expected one of `name`, `servers`, `input`, \
         `processing`, `processing_by_product`, `scrap`, `failures`, `setup`, `rule`, \
         `planned_run_time`, `power`"
    );
}

#[test]
fn misspelt_distribution_field() {
    assert_eq!(
        error(&processing(r#"dist = "exponential", maen = 1.0"#)),
        "test.toml:19:38: stations[0].processing.maen: unknown field `maen`, expected one of `dist`, `value`, `mean`, `cv`, \
         `rate`, `min`, `mode`, `max`, `sd`, `mu`, `sigma`, `shape`, `scale`, `k`, `values`, \
         `weights`, `points`"
    );
}

#[test]
fn unknown_top_level_table() {
    assert_eq!(
        error(&appended("\n[extras]\nx = 1\n")),
        "test.toml:21:2: extras: unknown field `extras`, expected one of `scenario`, `products`, \
         `stations`, `buffers`, `sources`, `sinks`, `orders`, `energy`, `experiment`"
    );
}

#[test]
fn unknown_distribution_name() {
    assert_eq!(
        error(&processing(r#"dist = "expo", mean = 1.0"#)),
        "test.toml:19: stations[0].processing.dist: unknown distribution `expo` (known: \
         constant, exponential, uniform, triangular, normal, lognormal, gamma, erlang, weibull, \
         discrete, piecewise_linear)"
    );
}

#[test]
fn unknown_time_unit() {
    assert_eq!(
        error(&with(r#"time_unit = "min""#, r#"time_unit = "minutes""#)),
        "test.toml:3: scenario.time_unit: must be `s`, `min` or `h`, got `minutes`"
    );
}

#[test]
fn unknown_sink_name() {
    assert_eq!(
        error(&with(
            r#"route = ["A"]"#,
            "route = [\"A\"]\nsink = \"nowhere\""
        )),
        "test.toml:9: products[0].sink: unknown sink `nowhere` (known: `out`)"
    );
}

#[test]
fn unknown_buffer_name() {
    assert_eq!(
        error(&appended(
            "input = \"qeue\"\n\n[[buffers]]\nname = \"queue\"\ncapacity = 3\n"
        )),
        "test.toml:20: stations[0].input: unknown buffer `qeue` (known: `queue`)"
    );
}

#[test]
fn unknown_buffer_name_when_no_buffer_is_defined() {
    assert_eq!(
        error(&appended("input = \"queue\"\n")),
        "test.toml:20: stations[0].input: unknown buffer `queue` (no buffers are defined)"
    );
}

#[test]
fn unknown_product_in_mix() {
    assert_eq!(
        error(&with(
            "kind = \"saturated\"",
            "kind = \"saturated\"\nmix = { q = 1.0 }"
        )),
        "test.toml:13: sources[0].mix.q: unknown product `q` (known: `p`)"
    );
}

#[test]
fn unknown_source_kind() {
    assert_eq!(
        error(&with(r#"kind = "saturated""#, r#"kind = "push""#)),
        "test.toml:12: sources[0].kind: must be `saturated`, `arrivals` or `orders`, got `push`"
    );
}

#[test]
fn unknown_failure_clock() {
    assert_eq!(
        error(&appended(
            "failures = [{ clock = \"wall\", ttf = { dist = \"constant\", value = 50 }, \
             ttr = { dist = \"constant\", value = 1 } }]\n"
        )),
        "test.toml:20: stations[0].failures[0].clock: must be `busy`, `operating` or `calendar`, got `wall`"
    );
}

#[test]
fn duplicate_station_name() {
    assert_eq!(
        error(&appended(
            "\n[[stations]]\nname = \"A\"\nprocessing = { dist = \"constant\", value = 1.0 }\n"
        )),
        "test.toml:22: stations[1].name: `A` is used twice"
    );
}

// Missing fields.

#[test]
fn station_without_name() {
    // Line 17 is the `[[stations]]` header of the table that lacks `name`.
    assert_eq!(
        error(&with("name = \"A\"\n", "")),
        "test.toml:17:1: stations[0]: missing field `name`"
    );
}

#[test]
fn scenario_without_horizon() {
    assert_eq!(
        error(&with("horizon = 1000\n", "")),
        "test.toml:1:1: scenario: missing field `horizon`"
    );
}

#[test]
fn scenario_without_horizon_points_at_the_scenario_table() {
    // `[scenario]` moved to the end (line 17): the line follows it.
    let text = format!(
        "{}\n[scenario]\nname = \"t\"\ntime_unit = \"min\"\n",
        with(
            "[scenario]\nname = \"t\"\ntime_unit = \"min\"\nhorizon = 1000\n",
            ""
        )
    );
    assert_eq!(
        error(&text),
        "test.toml:17:1: scenario: missing field `horizon`"
    );
}

#[test]
fn empty_file() {
    assert_eq!(error(""), "test.toml:1:1: missing field `scenario`");
}

#[test]
fn arrivals_source_without_interarrival() {
    assert_eq!(
        error(&with(r#"kind = "saturated""#, r#"kind = "arrivals""#)),
        "test.toml:10: sources[0].interarrival: a source of kind `arrivals` needs `interarrival`"
    );
}

// Parameters outside their range.

#[test]
fn negative_exponential_mean() {
    assert_eq!(
        error(&processing(r#"dist = "exponential", mean = -1"#)),
        "test.toml:19: stations[0].processing.mean: must be positive and finite, got -1"
    );
}

#[test]
fn nan_exponential_mean() {
    assert_eq!(
        error(&processing(r#"dist = "exponential", mean = nan"#)),
        "test.toml:19: stations[0].processing.mean: must be positive and finite, got NaN"
    );
}

#[test]
fn zero_exponential_rate() {
    assert_eq!(
        error(&processing(r#"dist = "exponential", rate = 0"#)),
        "test.toml:19: stations[0].processing.rate: must be positive and finite, got 0"
    );
}

#[test]
fn negative_cv() {
    assert_eq!(
        error(&processing(r#"dist = "gamma", mean = 1, cv = -0.5"#)),
        "test.toml:19: stations[0].processing.cv: must be non-negative and finite, got -0.5"
    );
}

#[test]
fn uniform_cannot_have_cv_0_9() {
    assert_eq!(
        error(&processing(r#"dist = "uniform", mean = 1.0, cv = 0.9"#)),
        "test.toml:19: stations[0].processing: a uniform distribution cannot have mean 1 and \
         cv 0.9: a non-negative uniform has cv <= 1/sqrt(3) = 0.577"
    );
}

#[test]
fn erlang_cannot_have_cv_0_6() {
    // "a erlang" (sic): sim-core's wording; the field, values and line are right.
    assert_eq!(
        error(&processing(r#"dist = "erlang", mean = 1.0, cv = 0.6"#)),
        "test.toml:19: stations[0].processing: a erlang distribution cannot have mean 1 and \
         cv 0.6: 1/cv² must be a positive integer (cv = 1, 0.707, 0.577, 0.5, ...)"
    );
}

#[test]
fn erlang_with_zero_phases() {
    assert_eq!(
        error(&processing(r#"dist = "erlang", k = 0, mean = 1"#)),
        "test.toml:19: stations[0].processing.k: must be a positive integer, got 0"
    );
}

#[test]
fn gamma_rejects_mean_and_sd() {
    assert_eq!(
        error(&processing(r#"dist = "gamma", mean = 1.0, sd = 0.5"#)),
        "test.toml:19: stations[0].processing: a gamma distribution takes `shape` and `scale`, \
         or `mean` and `cv`; got `mean`, `sd`"
    );
}

#[test]
fn triangular_mode_below_min() {
    assert_eq!(
        error(&processing(
            r#"dist = "triangular", min = 3, mode = 2, max = 4"#
        )),
        "test.toml:19: stations[0].processing.mode: must be between `min` and `max`, got 2"
    );
}

#[test]
fn discrete_values_and_weights_of_different_lengths() {
    assert_eq!(
        error(&processing(
            r#"dist = "discrete", values = [1, 2], weights = [1]"#
        )),
        "test.toml:19: stations[0].processing: `values` and `weights` must be non-empty and of \
         equal length, got 2 and 1"
    );
}

#[test]
fn piecewise_linear_cdf_not_ending_at_one() {
    assert_eq!(
        error(&processing(
            r#"dist = "piecewise_linear", points = [[0, 0], [1, 0.5]]"#
        )),
        "test.toml:19: stations[0].processing: `cdf` must be 1 at the last point, got 0.5"
    );
}

#[test]
fn piecewise_linear_point_with_three_numbers() {
    let message = error(&processing(
        r#"dist = "piecewise_linear", points = [[0, 0, 7], [1, 1]]"#,
    ));
    assert_names(&message, &["test.toml:19", "points", "3"]);
}

#[test]
fn negative_buffer_capacity() {
    assert_eq!(
        error(&appended(
            "input = \"q\"\n\n[[buffers]]\nname = \"q\"\ncapacity = -3\n"
        )),
        "test.toml:24: buffers[0].capacity: must be an integer from 0 to 4294967294 (omit it \
         for an unlimited buffer), got -3"
    );
}

#[test]
fn negative_servers() {
    assert_eq!(
        error(&appended("servers = -1\n")),
        "test.toml:20: stations[0].servers: must be an integer from 1 to 100000, got -1"
    );
}

#[test]
fn zero_servers() {
    assert_eq!(
        error(&appended("servers = 0\n")),
        "test.toml:20: stations[0].servers: must be an integer from 1 to 100000, got 0"
    );
}

#[test]
fn scrap_above_one() {
    assert_eq!(
        error(&appended("scrap = 1.5\n")),
        "test.toml:20: stations[0].scrap: must be a probability in [0, 1], got 1.5"
    );
}

#[test]
fn nan_scrap() {
    assert_eq!(
        error(&appended("scrap = nan\n")),
        "test.toml:20: stations[0].scrap: must be a probability in [0, 1], got NaN"
    );
}

#[test]
fn nan_mix_weight() {
    assert_eq!(
        error(&with(
            "kind = \"saturated\"",
            "kind = \"saturated\"\nmix = { p = nan }"
        )),
        "test.toml:13: sources[0].mix.p: a weight must be non-negative and finite, got NaN"
    );
}

#[test]
fn negative_horizon() {
    assert_eq!(
        error(&with("horizon = 1000", "horizon = -5")),
        "test.toml:4: scenario.horizon: must be positive and finite, got -5"
    );
}

#[test]
fn infinite_horizon() {
    assert_eq!(
        error(&with("horizon = 1000", "horizon = inf")),
        "test.toml:4: scenario.horizon: must be positive and finite, got inf"
    );
}

#[test]
fn warmup_equal_to_horizon() {
    assert_eq!(
        error(&with("horizon = 1000\n", "horizon = 1000\nwarmup = 1000\n")),
        "test.toml:5: scenario.warmup: must be at least 0 and below the horizon 1000, got 1000"
    );
}

#[test]
fn warmup_beyond_horizon() {
    assert_eq!(
        error(&with("horizon = 1000\n", "horizon = 1000\nwarmup = 2000\n")),
        "test.toml:5: scenario.warmup: must be at least 0 and below the horizon 1000, got 2000"
    );
}

#[test]
fn overridden_horizon_below_the_files_warmup_keeps_the_line() {
    let scenario = Scenario::from_toml(
        &with("horizon = 1000\n", "horizon = 1000\nwarmup = 600\n"),
        "test.toml",
    )
    .expect("valid");
    let overrides = Overrides {
        horizon: Some(500.0),
        ..Overrides::default()
    };
    let message = scenario
        .run(&overrides)
        .expect_err("warm-up beyond horizon")
        .to_string();
    assert_eq!(
        message,
        "test.toml:5: scenario.warmup: must be at least 0 and below the horizon 500, got 600"
    );
}

#[test]
fn zero_mean_interarrival_names_the_value() {
    let message = error(&with(
        "kind = \"saturated\"",
        "kind = \"arrivals\"\ninterarrival = { dist = \"constant\", value = 0 }",
    ));
    assert_names(
        &message,
        &["test.toml:13", "sources[0].interarrival", "got 0"],
    );
}

#[test]
fn zero_mean_time_to_failure_names_the_value() {
    let message = error(&appended(
        "failures = [{ ttf = { dist = \"constant\", value = 0 }, \
         ttr = { dist = \"constant\", value = 1 } }]\n",
    ));
    assert_names(
        &message,
        &["test.toml:20", "stations[0].failures[0].ttf", "got 0"],
    );
}

// Structure.

#[test]
fn empty_route() {
    assert_eq!(
        error(&with(r#"route = ["A"]"#, "route = []")),
        "test.toml:8: products[0].route: product `p`: the route is empty"
    );
}

#[test]
fn product_released_by_no_source() {
    let text = with(
        "[[sources]]\nname = \"src\"\nkind = \"saturated\"\n",
        "[[products]]\nname = \"q\"\nroute = [\"A\"]\n\n\
         [[sources]]\nname = \"src\"\nkind = \"saturated\"\nmix = { p = 1.0 }\n",
    );
    assert_eq!(
        error(&text),
        "test.toml:10: products[1]: product `q` is released by no source: add it to a source's `mix` or order it"
    );
}

#[test]
fn two_products_without_a_mix() {
    let text = with(
        "[[sources]]",
        "[[products]]\nname = \"q\"\nroute = [\"A\"]\n\n[[sources]]",
    );
    assert_eq!(
        error(&text),
        "test.toml:14: sources[0].mix: source `src`: give the product mix (the line has 2 products)"
    );
}

#[test]
fn interarrival_on_a_saturated_source() {
    assert_eq!(
        error(&with(
            "kind = \"saturated\"",
            "kind = \"saturated\"\ninterarrival = { dist = \"exponential\", mean = 2.0 }"
        )),
        "test.toml:13: sources[0].interarrival: applies only to sources of kind `arrivals`"
    );
}

#[test]
fn no_stations() {
    // No `stations` key at all, so there is no line to give.
    assert_eq!(
        error(&with(
            "[[stations]]\nname = \"A\"\nprocessing = { dist = \"exponential\", mean = 1.0 }\n",
            ""
        )),
        "test.toml: stations: at least one `[[stations]]` entry is required"
    );
}

#[test]
fn empty_station_name() {
    assert_eq!(
        error(&with("name = \"A\"", "name = \"\"")),
        "test.toml:18: stations[0].name: must not be empty"
    );
}

#[test]
fn alternatives_with_different_input_buffers() {
    let text = appended(
        "\n[[stations]]\nname = \"B\"\nprocessing = { dist = \"exponential\", mean = 1.0 }\n",
    )
    .replacen(r#"route = ["A"]"#, r#"route = [["A", "B"]]"#, 1);
    assert_names(
        &error(&text),
        &["test.toml:8:", "products[0].route[0]", "`A`", "`B`"],
    );
}

#[test]
fn saturated_source_with_products_starting_at_different_stations() {
    let text = with(
        "[[sources]]\nname = \"src\"\nkind = \"saturated\"\n",
        "[[products]]\nname = \"q\"\nroute = [\"B\"]\n\n\
         [[sources]]\nname = \"src\"\nkind = \"saturated\"\nmix = { p = 1.0, q = 1.0 }\n",
    ) + "\n[[stations]]\nname = \"B\"\nprocessing = { dist = \"exponential\", mean = 1.0 }\n";
    assert_names(
        &error(&text),
        &["test.toml:17:", "sources[0].mix", "`p`", "`q`"],
    );
}

// Not TOML, or the wrong TOML type.

#[test]
fn not_toml() {
    assert_eq!(
        error("this is not toml\n"),
        "test.toml:1:6: key with no value, expected `=`"
    );
}

#[test]
fn unclosed_table_header() {
    assert_eq!(
        error("[scenario\nname = \"t\"\n"),
        "test.toml:1:10: unclosed table, expected `]`"
    );
}

#[test]
fn wrong_type_names_the_field() {
    let message = error(&appended("servers = \"two\"\n"));
    assert_names(&message, &["test.toml:20:", "servers", "\"two\""]);
}

#[test]
fn malformed_route_step_names_the_field_and_value() {
    let message = error(&with(r#"route = ["A"]"#, r#"route = ["A", 3]"#));
    assert_names(&message, &["test.toml:8:", "route", "3"]);
}

#[test]
fn duplicate_key_names_the_key() {
    let message = error(&with(
        "horizon = 1000\n",
        "horizon = 1000\nhorizon = 2000\n",
    ));
    assert_names(&message, &["test.toml:5:", "horizon"]);
}

// Scenarios built in code have no text, so no line.

#[test]
fn scenario_built_in_code_has_no_line() {
    let mut file: ScenarioFile = toml::from_str(MINIMAL).expect("valid TOML");
    file.stations[0].scrap = Some(1.5);
    let message = Scenario::from_file(file, "<python>")
        .expect_err("scrap 1.5")
        .to_string();
    assert_eq!(
        message,
        "<python>: stations[0].scrap: must be a probability in [0, 1], got 1.5"
    );
}

// Changeovers and model sequences.

/// [`MINIMAL`] with a second product `q` (family `F`) and `p` in family `F` too or
/// its own, and station `A` given the `setup` table `setup`.
fn with_setup(setup: &str) -> String {
    with(
        "[[sources]]",
        "[[products]]\nname = \"q\"\nroute = [\"A\"]\nfamily = \"F\"\n\n[[sources]]",
    )
    .replace(
        "kind = \"saturated\"",
        "kind = \"saturated\"\nmix = { p = 1, q = 1 }",
    ) + setup
}

#[test]
fn setup_with_unknown_family() {
    assert_eq!(
        error(&with_setup(
            "setup = { times = { p = { G = { dist = \"constant\", value = 1 } } } }\n"
        )),
        "test.toml:26: stations[0].setup.times.p.G: unknown family `G` (known: `F`, `p`)"
    );
}

#[test]
fn setup_to_the_same_family() {
    assert_eq!(
        error(&with_setup(
            "setup = { times = { F = { F = { dist = \"constant\", value = 1 } } } }\n"
        )),
        "test.toml:26: stations[0].setup.times.F.F: a family needs no setup to itself (`F`)"
    );
}

#[test]
fn setup_with_negative_time() {
    assert_eq!(
        error(&with_setup(
            "setup = { default = { dist = \"constant\", value = -3 } }\n"
        )),
        "test.toml:26: stations[0].setup.default.value: must be non-negative and finite, got -3"
    );
}

#[test]
fn setup_with_unknown_initial_family() {
    assert_eq!(
        error(&with_setup("setup = { initial = \"Z\" }\n")),
        "test.toml:26: stations[0].setup.initial: unknown family `Z` (known: `F`, `p`)"
    );
}

#[test]
fn sequence_and_mix_together() {
    assert_eq!(
        error(&with(
            "kind = \"saturated\"",
            "kind = \"saturated\"\nmix = { p = 1 }\nsequence = [\"p\"]"
        )),
        "test.toml:13: sources[0].mix: source `src`: give either a `mix` or a `sequence`, not both"
    );
}

#[test]
fn sequence_with_unknown_product() {
    assert_eq!(
        error(&with(
            "kind = \"saturated\"",
            "kind = \"saturated\"\nsequence = [\"p\", { product = \"x\", count = 2 }]"
        )),
        "test.toml:13: sources[0].sequence[1]: unknown product `x` (known: `p`)"
    );
}

#[test]
fn sequence_run_with_zero_count() {
    assert_eq!(
        error(&with(
            "kind = \"saturated\"",
            "kind = \"saturated\"\nsequence = [{ product = \"p\", count = 0 }]"
        )),
        "test.toml:13: sources[0].sequence[0].count: must be an integer from 1 to 1000000, got 0"
    );
}

#[test]
fn empty_family_name() {
    assert_eq!(
        error(&with("route = [\"A\"]", "route = [\"A\"]\nfamily = \" \"")),
        "test.toml:9: products[0].family: must not be empty"
    );
}

// Dispatching rules.

#[test]
fn unknown_rule() {
    assert_eq!(
        error(&appended("rule = \"fastest\"\n")),
        "test.toml:20: stations[0].rule: unknown rule `fastest` (known: fifo, lifo, spt, lpt, edd, cr, slack, wspt, atc, atcs, campaign, cyclic, mwkr, lwkr, mopnr, priority)"
    );
}

#[test]
fn rule_parameter_the_rule_does_not_take() {
    assert_eq!(
        error(&appended("rule = { name = \"spt\", k = 2 }\n")),
        "test.toml:20: stations[0].rule.k: rule `spt` takes no parameter `k`"
    );
}

#[test]
fn atcs_with_negative_look_ahead() {
    assert_eq!(
        error(&appended("rule = { name = \"atcs\", k1 = 2, k2 = -1 }\n")),
        "test.toml:20: stations[0].rule.k2: must be positive and finite, got -1"
    );
}

#[test]
fn unknown_line_wide_rule() {
    assert_eq!(
        error(&with("horizon = 1000", "horizon = 1000\nrule = \"sptt\"")),
        "test.toml:5: scenario.rule: unknown rule `sptt` (known: fifo, lifo, spt, lpt, edd, cr, slack, wspt, atc, atcs, campaign, cyclic, mwkr, lwkr, mopnr, priority)"
    );
}

#[test]
fn line_wide_rule_applies_to_stations_without_their_own() {
    let text = with(
        "horizon = 1000",
        "horizon = 1000\nrule = { name = \"atc\", k = 3 }",
    );
    let scenario = Scenario::from_toml(&text, "test.toml").expect("valid");
    assert_eq!(
        scenario.line().stations[0].rule,
        twin_models::DispatchRule::Atc { k: 3.0 }
    );
    let own = format!("{text}rule = \"spt\"\n");
    let scenario = Scenario::from_toml(&own, "test.toml").expect("valid");
    assert_eq!(
        scenario.line().stations[0].rule,
        twin_models::DispatchRule::Spt
    );
}

// Metering and planned run times.

#[test]
fn power_without_busy() {
    assert_eq!(
        error(&appended("power = { idle = 2 }\n")),
        "test.toml:20: stations[0].power.busy: is required: the power drawn while processing, in kW"
    );
}

#[test]
fn negative_power() {
    assert_eq!(
        error(&appended("power = { busy = 5, down = -1 }\n")),
        "test.toml:20: stations[0].power.down: must be a power in kW from 0 to 1e6, got -1"
    );
}

#[test]
fn unknown_power_state() {
    assert_names(
        &error(&appended("power = { busy = 5, offshift = 1 }\n")),
        &["stations[0].power.offshift", "unknown field `offshift`"],
    );
}

#[test]
fn emission_factor_out_of_range() {
    assert_eq!(
        error(&appended("\n[energy]\nemission_factor = 570\n")),
        "test.toml:22: energy.emission_factor: must be kg CO2 per kWh from 0 to 10, got 570"
    );
}

#[test]
fn planned_run_time_for_a_product_that_does_not_visit() {
    let text = MINIMAL.replace(
        "[[sources]]",
        "[[products]]\nname = \"q\"\nroute = [\"B\"]\n\n[[sources]]",
    );
    let message = error(&format!(
        "{text}planned_run_time = {{ q = 1.0 }}\n\n[[stations]]\nname = \"B\"\nprocessing = {{ dist = \"constant\", value = 1 }}\n"
    ));
    assert!(
        message.ends_with("stations[0].planned_run_time.q: product `q` does not visit station `A`"),
        "{message}"
    );
}

#[test]
fn planned_run_time_unknown_product() {
    assert_names(
        &error(&appended("planned_run_time = { nope = 1.0 }\n")),
        &["stations[0].planned_run_time.nope", "`nope`"],
    );
}

#[test]
fn planned_run_time_not_positive() {
    assert_eq!(
        error(&appended("planned_run_time = 0\n")),
        "test.toml:20: stations[0].planned_run_time: must be a positive time per item, got 0"
    );
}

#[test]
fn planned_run_time_of_the_wrong_type() {
    assert_eq!(
        error(&appended("planned_run_time = \"fast\"\n")),
        "test.toml:20: stations[0].planned_run_time: must be a time per item, or a table of times by product name, got string"
    );
}
