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
         `planned_run_time`, `power`, `wear`"
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
         `stations`, `buffers`, `sources`, `sinks`, `orders`, `energy`, `crews`, `experiment`"
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

#[test]
fn negative_waiting_power() {
    assert_eq!(
        error(&appended("power = { busy = 5, waiting = -1 }\n")),
        "test.toml:20: stations[0].power.waiting: must be a power in kW from 0 to 1e6, got -1"
    );
}

// Wear and maintenance.

/// A wear mode of station `A` and a crew, appended to [`MINIMAL`]: line 21 is
/// `[[stations.wear]]`, 22 its name, 23 the model, 24 the signal, 25 the
/// policy, 26 the repair, 27 the preventive work, 28 the crew, 29 the downtime
/// cost; the crew is lines 31 to 33.
const WEAR: &str = r#"
[[stations.wear]]
name = "impeller"
model = { kind = "chain", states = ["new", "worn", "failed"], transitions = [{ from = "new", to = "worn", rate = 0.01 }, { from = "worn", to = "failed", rate = 0.02 }] }
signal = { levels = [0.1, 0.5, 1.5], noise = 0.1, every = 30 }
policy = { kind = "condition", threshold = 0.8 }
repair = { duration = { dist = "constant", value = 60 }, cost = 2000 }
preventive = { duration = { dist = "constant", value = 20 }, cost = 400 }
crew = "fitters"
downtime_cost = 5

[[crews]]
name = "fitters"
response = { dist = "exponential", mean = 15 }
"#;

/// [`MINIMAL`] with [`WEAR`], its one occurrence of `old` replaced by `new`.
fn wear(old: &str, new: &str) -> String {
    assert_eq!(
        WEAR.matches(old).count(),
        1,
        "`{old}` must occur exactly once in the wear fixture"
    );
    format!("{MINIMAL}{}", WEAR.replacen(old, new, 1))
}

/// [`MINIMAL`] with [`WEAR`].
fn maintained() -> String {
    format!("{MINIMAL}{WEAR}")
}

/// [`MINIMAL`] with [`WEAR`] and a second wear mode of station `A`, from line 35.
fn second_mode(lines: &str) -> String {
    format!("{MINIMAL}{WEAR}\n[[stations.wear]]\n{lines}")
}

#[test]
fn wear_fixture_is_valid() {
    let scenario = Scenario::from_toml(&maintained(), "test.toml").expect("valid");
    assert!(scenario.warnings.is_empty(), "{:?}", scenario.warnings);
}

#[test]
fn condition_threshold_not_finite() {
    assert_eq!(
        error(&wear("threshold = 0.8", "threshold = nan")),
        "test.toml:25: stations[0].wear[0].policy.threshold: must be finite, got NaN"
    );
}

#[test]
fn condition_policy_without_threshold() {
    assert_eq!(
        error(&wear(", threshold = 0.8", "")),
        "test.toml:25: stations[0].wear[0].policy.threshold: is required by the `condition` \
         policy: the signal level that calls for work"
    );
}

#[test]
fn unknown_policy_kind() {
    assert_eq!(
        error(&wear(r#"kind = "condition""#, r#"kind = "conditon""#)),
        "test.toml:25: stations[0].wear[0].policy.kind: unknown policy `conditon` (known: \
         corrective, periodic, age, condition, predictive, opportunistic)"
    );
}

#[test]
fn unknown_policy_name() {
    assert_eq!(
        error(&wear(
            r#"policy = { kind = "condition", threshold = 0.8 }"#,
            r#"policy = "run-to-failure""#
        )),
        "test.toml:25: stations[0].wear[0].policy: unknown policy `run-to-failure` (known: \
         corrective, periodic, age, condition, predictive, opportunistic)"
    );
}

#[test]
fn policy_with_parameters_given_by_name() {
    assert_eq!(
        error(&wear(
            r#"policy = { kind = "condition", threshold = 0.8 }"#,
            r#"policy = "age""#
        )),
        "test.toml:25: stations[0].wear[0].policy: policy `age` takes parameters: write it as \
         a table, e.g. { kind = \"age\", age = 1500 }"
    );
}

#[test]
fn parameter_the_policy_does_not_take() {
    assert_eq!(
        error(&wear("threshold = 0.8", "threshold = 0.8, age = 300")),
        "test.toml:25: stations[0].wear[0].policy.age: policy `condition` takes no parameter `age`"
    );
}

#[test]
fn misspelt_policy_parameter() {
    assert_eq!(
        error(&wear("threshold = 0.8", "threshhold = 0.8")),
        "test.toml:25:32: stations[0].wear[0].policy.threshhold: unknown field `threshhold`, \
         expected one of `kind`, `every`, `clock`, `age`, `threshold`, `failure_level`, \
         `lead_time`, `window`, `early`"
    );
}

#[test]
fn age_policy_at_age_zero() {
    assert_eq!(
        error(&wear(
            r#"kind = "condition", threshold = 0.8"#,
            r#"kind = "age", age = 0"#
        )),
        "test.toml:25: stations[0].wear[0].policy.age: must be at least 1e-6 (a millionth of \
         the time unit) and finite, got 0"
    );
}

#[test]
fn condition_policy_without_a_signal() {
    // The signal is missing: the message points at the wear mode's table.
    assert_eq!(
        error(&wear(
            "signal = { levels = [0.1, 0.5, 1.5], noise = 0.1, every = 30 }\n",
            ""
        )),
        "test.toml:21: stations[0].wear[0].signal: is required by the `condition` policy: the \
         levels a sensor reads in each health state"
    );
}

#[test]
fn preventive_policy_without_preventive_work() {
    assert_eq!(
        error(&wear(
            "preventive = { duration = { dist = \"constant\", value = 20 }, cost = 400 }\n",
            ""
        )),
        "test.toml:21: stations[0].wear[0].preventive: is required by the `condition` policy: \
         the work it calls for"
    );
}

#[test]
fn unknown_model_kind() {
    assert_eq!(
        error(&wear(r#"kind = "chain""#, r#"kind = "markov""#)),
        "test.toml:23: stations[0].wear[0].model.kind: must be `lifetime`, `cycles` or `chain`, \
         got `markov`"
    );
}

#[test]
fn unknown_wear_clock() {
    assert_eq!(
        error(&wear(
            r#"kind = "chain","#,
            r#"kind = "chain", clock = "wall","#
        )),
        "test.toml:23: stations[0].wear[0].model.clock: must be `busy`, `operating`, `calendar` \
         or `operations`, got `wall`"
    );
}

#[test]
fn chain_without_states() {
    assert_eq!(
        error(&wear(r#" states = ["new", "worn", "failed"],"#, "")),
        "test.toml:23: stations[0].wear[0].model.states: a `chain` model needs `states`: the \
         health states from new to failed"
    );
}

#[test]
fn chain_with_one_state() {
    assert_eq!(
        error(&wear(
            r#"states = ["new", "worn", "failed"]"#,
            r#"states = ["failed"]"#
        )),
        "test.toml:23: stations[0].wear[0].model.states: a chain needs at least 2 states (new \
         and failed), got 1"
    );
}

#[test]
fn state_named_twice() {
    assert_eq!(
        error(&wear(
            r#"states = ["new", "worn", "failed"]"#,
            r#"states = ["new", "worn", "worn", "failed"]"#
        )),
        "test.toml:23: stations[0].wear[0].model.states[2]: `worn` is used twice"
    );
}

#[test]
fn transition_to_an_unknown_state() {
    assert_eq!(
        error(&wear(r#"to = "worn""#, r#"to = "wron""#)),
        "test.toml:23: stations[0].wear[0].model.transitions[0].to: unknown state `wron` \
         (known: `new`, `worn`, `failed`)"
    );
}

#[test]
fn transition_out_of_the_failed_state() {
    assert_eq!(
        error(&wear(
            r#"from = "worn", to = "failed""#,
            r#"from = "failed", to = "worn""#
        )),
        "test.toml:23: stations[0].wear[0].model.transitions[1].from: `failed` is the failed \
         state (the last): it is left only by a repair"
    );
}

#[test]
fn transition_to_itself() {
    assert_eq!(
        error(&wear(
            r#"from = "new", to = "worn""#,
            r#"from = "new", to = "new""#
        )),
        "test.toml:23: stations[0].wear[0].model.transitions[0]: a transition from `new` to itself"
    );
}

#[test]
fn failure_that_cannot_be_reached() {
    assert_eq!(
        error(&wear(
            r#"from = "worn", to = "failed""#,
            r#"from = "new", to = "failed""#
        )),
        "test.toml:23: stations[0].wear[0].model.transitions: the failed state `failed` cannot \
         be reached from state `worn`"
    );
}

#[test]
fn transition_without_a_rate() {
    assert_eq!(
        error(&wear(r#"to = "worn", rate = 0.01"#, r#"to = "worn""#)),
        "test.toml:23: stations[0].wear[0].model.transitions[0]: a chain with clock `busy` needs \
         `rate` on every transition"
    );
}

#[test]
fn transition_rate_too_high_to_advance_time() {
    assert_eq!(
        error(&wear("rate = 0.01", "rate = 1e300")),
        "test.toml:23: stations[0].wear[0].model.transitions[0].rate: must be positive and at \
         most 1e6 per time unit (a mean of at least a millionth of the time unit in the state), \
         got 1e300"
    );
}

#[test]
fn probability_on_a_chain_moved_by_time() {
    assert_eq!(
        error(&wear("rate = 0.02", "probability = 0.02")),
        "test.toml:23: stations[0].wear[0].model.transitions[1].probability: a chain with clock \
         `busy` takes `rate` (per unit of clock time); `probability` is for clock `operations`"
    );
}

#[test]
fn rate_on_a_chain_moved_by_use() {
    assert_eq!(
        error(&wear(
            r#"kind = "chain","#,
            r#"kind = "chain", clock = "operations","#
        )),
        "test.toml:23: stations[0].wear[0].model.transitions[0].rate: a chain with clock \
         `operations` takes `probability` (per operation); `rate` is for a chain moved by time"
    );
}

#[test]
fn operation_probabilities_above_one() {
    let text = wear(
        r#"kind = "chain","#,
        r#"kind = "chain", clock = "operations","#,
    )
    .replace(
        "rate = 0.01 }",
        "probability = 0.7 }, { from = \"new\", to = \"failed\", probability = 0.5 }",
    )
    .replace("rate = 0.02", "probability = 0.1");
    assert_eq!(
        error(&text),
        "test.toml:23: stations[0].wear[0].model.transitions: the probabilities that an \
         operation moves state `new` sum to 1.2, above 1"
    );
}

#[test]
fn signal_levels_do_not_match_the_states() {
    assert_eq!(
        error(&wear("levels = [0.1, 0.5, 1.5]", "levels = [0.1, 1.5]")),
        "test.toml:24: stations[0].wear[0].signal.levels: needs one level per health state (3: \
         `new`, `worn`, `failed`), got 2"
    );
}

#[test]
fn negative_signal_noise() {
    assert_eq!(
        error(&wear("noise = 0.1", "noise = -0.1")),
        "test.toml:24: stations[0].wear[0].signal.noise: must be non-negative and finite, got -0.1"
    );
}

#[test]
fn sensor_period_too_short_to_advance_time() {
    assert_eq!(
        error(&wear("every = 30", "every = 1e-300")),
        "test.toml:24: stations[0].wear[0].signal.every: must be at least 1e-6 (a millionth of \
         the time unit) and finite, got 1e-300"
    );
}

#[test]
fn unknown_way_of_observing() {
    assert_eq!(
        error(&wear("every = 30", r#"observe = "sometimes""#)),
        "test.toml:24: stations[0].wear[0].signal.observe: must be `continuous`, `periodic` or \
         `inspection`, got `sometimes`"
    );
}

#[test]
fn sensor_and_inspections_together() {
    assert_eq!(
        error(&wear("every = 30", "every = 30, inspect_every = 480")),
        "test.toml:24: stations[0].wear[0].signal.every: give either `every` (an online sensor) \
         or `inspect_every` (inspections), not both"
    );
}

#[test]
fn period_of_a_continuously_observed_signal() {
    assert_eq!(
        error(&wear("every = 30", r#"observe = "continuous", every = 30"#)),
        "test.toml:24: stations[0].wear[0].signal.every: applies only with `observe = \
         \"periodic\"`, not `\"continuous\"`"
    );
}

#[test]
fn inspections_without_their_duration() {
    assert_eq!(
        error(&wear("every = 30", "inspect_every = 480")),
        "test.toml:24: stations[0].wear[0].signal.inspection: is required with `observe = \
         \"inspection\"`: how long an inspection takes"
    );
}

#[test]
fn negative_repair_cost() {
    assert_eq!(
        error(&wear("cost = 2000", "cost = -2000")),
        "test.toml:26: stations[0].wear[0].repair.cost: must be non-negative and finite, got -2000"
    );
}

#[test]
fn restoration_to_the_failed_state() {
    assert_eq!(
        error(&wear("cost = 400 }", r#"cost = 400, restore = "failed" }"#)),
        "test.toml:27: stations[0].wear[0].preventive.restore: `failed` is the failed state: a \
         partial restoration goes back to a working state (`new`, `worn`)"
    );
}

#[test]
fn restoration_to_an_unknown_state() {
    assert_eq!(
        error(&wear("cost = 400 }", r#"cost = 400, restore = "as-new" }"#)),
        "test.toml:27: stations[0].wear[0].preventive.restore: unknown state `as-new` (known: \
         `new`, `worn`, `failed`)"
    );
}

#[test]
fn partial_restoration_of_a_lifetime() {
    assert_eq!(
        error(&second_mode(
            "name = \"bearing\"\n\
             model = { kind = \"lifetime\", life = { dist = \"weibull\", shape = 2.5, scale = 400 } }\n\
             repair = { duration = { dist = \"constant\", value = 60 }, restore = \"worn\" }\n"
        )),
        "test.toml:38: stations[0].wear[1].repair.restore: must be `full` (a `lifetime` model has \
         no health states to go back to), got `worn`"
    );
}

#[test]
fn unknown_crew() {
    assert_eq!(
        error(&wear(r#"crew = "fitters""#, r#"crew = "fiters""#)),
        "test.toml:28: stations[0].wear[0].crew: unknown crew `fiters` (known: `fitters`)"
    );
}

#[test]
fn crew_when_no_crew_is_defined() {
    let text = maintained();
    let text = &text[..text.find("[[crews]]").expect("the fixture's crew")];
    assert_eq!(
        error(text),
        "test.toml:28: stations[0].wear[0].crew: unknown crew `fitters` (no crews are defined)"
    );
}

#[test]
fn negative_downtime_cost() {
    assert_eq!(
        error(&wear("downtime_cost = 5", "downtime_cost = -5")),
        "test.toml:29: stations[0].wear[0].downtime_cost: must be non-negative and finite, got -5"
    );
}

#[test]
fn unknown_way_to_treat_an_interrupted_operation() {
    assert_eq!(
        error(&wear(
            "downtime_cost = 5",
            "downtime_cost = 5\ninterrupted = \"abort\""
        )),
        "test.toml:30: stations[0].wear[0].interrupted: must be `resume` or `restart`, got `abort`"
    );
}

#[test]
fn wear_mode_named_with_a_slash() {
    assert_eq!(
        error(&wear(r#"name = "impeller""#, r#"name = "pump/impeller""#)),
        "test.toml:22: stations[0].wear[0].name: must not contain `/`, got `pump/impeller`"
    );
}

#[test]
fn wear_mode_named_twice() {
    assert_eq!(
        error(&second_mode(
            "name = \"impeller\"\n\
             model = { kind = \"cycles\", operations = { dist = \"constant\", value = 500 } }\n\
             repair = { duration = { dist = \"constant\", value = 60 } }\n"
        )),
        "test.toml:36: stations[0].wear[1].name: `impeller` is used twice in station `A`"
    );
}

#[test]
fn wear_mode_named_as_a_failure_mode() {
    let text = maintained().replace(
        "[[stations.wear]]",
        "failures = [{ name = \"impeller\", ttf = { dist = \"exponential\", mean = 500 }, \
         ttr = { dist = \"exponential\", mean = 20 } }]\n\n[[stations.wear]]",
    );
    assert_eq!(
        error(&text),
        "test.toml:24: stations[0].wear[0].name: `impeller` is also a failure mode of station \
         `A`: failure and wear modes need distinct names"
    );
}

#[test]
fn lifetime_counted_in_operations() {
    assert_eq!(
        error(&second_mode(
            "name = \"bearing\"\n\
             model = { kind = \"lifetime\", clock = \"operations\", life = { dist = \"weibull\", shape = 2.5, scale = 400 } }\n\
             repair = { duration = { dist = \"constant\", value = 60 } }\n"
        )),
        "test.toml:37: stations[0].wear[1].model.clock: must be `busy`, `operating` or \
         `calendar` (a life counted in operations is a `cycles` model), got `operations`"
    );
}

#[test]
fn clock_of_a_cycle_count() {
    assert_eq!(
        error(&second_mode(
            "name = \"bearing\"\n\
             model = { kind = \"cycles\", clock = \"busy\", operations = { dist = \"constant\", value = 500 } }\n\
             repair = { duration = { dist = \"constant\", value = 60 } }\n"
        )),
        "test.toml:37: stations[0].wear[1].model.clock: applies only to models of kind \
         `lifetime` or `chain`"
    );
}

#[test]
fn cycle_count_of_zero() {
    assert_eq!(
        error(&second_mode(
            "name = \"bearing\"\n\
             model = { kind = \"cycles\", operations = { dist = \"constant\", value = 0 } }\n\
             repair = { duration = { dist = \"constant\", value = 60 } }\n"
        )),
        "test.toml:37: stations[0].wear[1].model.operations: the mean must be positive, got 0"
    );
}

#[test]
fn opportunistic_early_age_above_the_age() {
    assert_eq!(
        error(&second_mode(
            "name = \"bearing\"\n\
             model = { kind = \"lifetime\", life = { dist = \"weibull\", shape = 2.5, scale = 400 } }\n\
             repair = { duration = { dist = \"constant\", value = 60 } }\n\
             preventive = { duration = { dist = \"constant\", value = 20 } }\n\
             policy = { kind = \"opportunistic\", early = 2000, age = 1800 }\n"
        )),
        "test.toml:40: stations[0].wear[1].policy.early: must be at most `age` (1800), got 2000"
    );
}

#[test]
fn predictive_window_of_one_reading() {
    assert_eq!(
        error(&second_mode(
            "name = \"bearing\"\n\
             model = { kind = \"lifetime\", life = { dist = \"weibull\", shape = 2.5, scale = 400 } }\n\
             signal = { levels = [0, 1] }\n\
             repair = { duration = { dist = \"constant\", value = 60 } }\n\
             preventive = { duration = { dist = \"constant\", value = 20 } }\n\
             policy = { kind = \"predictive\", failure_level = 1, lead_time = 30, window = 1 }\n"
        )),
        "test.toml:41: stations[0].wear[1].policy.window: must be an integer from 2 to 10000 \
         readings, got 1"
    );
}

#[test]
fn signal_of_a_lifetime_with_three_levels() {
    assert_eq!(
        error(&second_mode(
            "name = \"bearing\"\n\
             model = { kind = \"lifetime\", life = { dist = \"weibull\", shape = 2.5, scale = 400 } }\n\
             signal = { levels = [0, 1, 2] }\n\
             repair = { duration = { dist = \"constant\", value = 60 } }\n"
        )),
        "test.toml:38: stations[0].wear[1].signal.levels: needs one level per health state (a \
         `lifetime` model has 2: working and failed), got 3"
    );
}

#[test]
fn crew_without_technicians() {
    assert_eq!(
        error(&wear(
            r#"name = "fitters""#,
            "name = \"fitters\"\ntechnicians = 0"
        )),
        "test.toml:33: crews[0].technicians: must be an integer from 1 to 100000, got 0"
    );
}

#[test]
fn unknown_crew_rule() {
    assert_eq!(
        error(&wear(
            r#"name = "fitters""#,
            "name = \"fitters\"\nrule = \"random\""
        )),
        "test.toml:33: crews[0].rule: must be `corrective-first`, `priority` or `fifo`, got `random`"
    );
}

#[test]
fn crew_named_twice() {
    assert_eq!(
        error(&format!(
            "{}\n[[crews]]\nname = \"fitters\"\n",
            maintained()
        )),
        "test.toml:36: crews[1].name: `fitters` is used twice"
    );
}
