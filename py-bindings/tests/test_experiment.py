"""Monte-Carlo experiments from Python: the same results as `linetwin experiment`,
parallel with the GIL released, progress, Ctrl-C, tidy summaries and errors."""

from __future__ import annotations

import json
import math
import signal
import threading
import time
from pathlib import Path

import pytest

import linetwin
from conftest import library, run_cli

#: Three stations in series, one unreliable; two factors and two variants, one
#: of them another file. Small enough to run in well under a second.
STUDY = """\
[scenario]
name = "buffer study"
time_unit = "min"
horizon = 600
warmup = 60
seed = 3

[[products]]
name = "part"
route = ["A", "B", "C"]

[[sources]]
name = "release"
kind = "saturated"

[[sinks]]
name = "out"

[[buffers]]
name = "AB"
capacity = 1

[[buffers]]
name = "BC"
capacity = 1

[[stations]]
name = "A"
processing = { dist = "exponential", mean = 1.0 }

[[stations]]
name = "B"
input = "AB"
processing = { dist = "exponential", mean = 1.1 }

[[stations.failures]]
name = "jam"
ttf = { dist = "exponential", mean = 100 }
ttr = { dist = "exponential", mean = 10 }

[[stations]]
name = "C"
input = "BC"
processing = { dist = "exponential", mean = 1.0 }
"""

EXPERIMENT = """
[experiment]
replications = 6

[[experiment.factors]]
parameter = "buffers.AB.capacity"
values = [1, 5]

[[experiment.factors]]
parameter = "stations.B.servers"
values = [1, 2]

[[experiment.variants]]
name = "quick-repair"
set = { "stations.B.failures.jam.ttr.mean" = 5.0 }

[[experiment.variants]]
name = "slow-C"
scenario = "slow_c.toml"
"""


@pytest.fixture
def study(tmp_path: Path) -> Path:
    """A scenario file with an [experiment] section and a variant file next to it."""
    (tmp_path / "slow_c.toml").write_text(
        STUDY.replace("mean = 1.0 }\n", "mean = 1.2 }\n"), encoding="utf-8"
    )
    path = tmp_path / "study.toml"
    path.write_text(STUDY + EXPERIMENT, encoding="utf-8")
    return path


@pytest.fixture
def plain(tmp_path: Path) -> linetwin.Scenario:
    """The study's line without an [experiment] section."""
    return linetwin.Scenario.from_toml_string(STUDY, "plain.toml")


def cli_message(cli: Path, *args: str) -> str:
    output = run_cli(cli, *args)
    assert output.returncode == 2, output.stdout
    return output.stderr.strip().removeprefix("error: ")


@pytest.mark.parametrize("seed", [None, 11, 2**64 - 1])
def test_json_equals_the_cli_byte_for_byte(cli: Path, study: Path, seed: int | None) -> None:
    args = ["experiment", str(study), "--json"]
    if seed is not None:
        args += ["--seed", str(seed)]
    output = run_cli(cli, *args)
    assert output.returncode == 0, output.stderr
    experiment = linetwin.Experiment(linetwin.Scenario.from_toml(study), seed=seed)
    result = experiment.run()
    assert result.to_json() == output.stdout
    assert result.kpis == json.loads(output.stdout)
    assert len(result.design_points) == 12  # 3 variants × 2 × 2
    table = run_cli(cli, *[a for a in args if a != "--json"])
    assert str(result) == table.stdout


def test_keyword_arguments_equal_the_same_toml_section(
    cli: Path, tmp_path: Path, plain: linetwin.Scenario
) -> None:
    experiment = linetwin.Experiment(
        plain,
        replications=4,
        seed=5,
        horizon=400,
        factors={"buffers.AB.capacity": [1, 3], "stations.B.servers": [1, 2]},
        variants={"quick-repair": {"stations.B.failures.jam.ttr.mean": 5.0}},
    )
    assert [p.label for p in experiment.design_points][:2] == [
        "base: buffers.AB.capacity=1, stations.B.servers=1",
        "base: buffers.AB.capacity=1, stations.B.servers=2",
    ]
    assert experiment.planned_runs == 8 * 4
    path = tmp_path / "written.toml"
    text = experiment.scenario.to_toml(path)
    assert "[experiment]" in text
    # The written file reads back to the same scenario, experiment included.
    assert linetwin.Scenario.from_toml(path).to_toml() == text
    output = run_cli(cli, "experiment", str(path), "--json")
    assert output.returncode == 0, output.stderr
    assert experiment.run().to_json() == output.stdout


def test_factors_and_variants_in_every_accepted_shape(plain: linetwin.Scenario) -> None:
    by_dict = linetwin.Experiment(
        plain,
        replications=2,
        factors={"buffers.AB.capacity": [1, 3]},
        variants={"quick": {"stations.B.failures.jam.ttr.mean": 5.0}},
    )
    by_pairs = linetwin.Experiment(
        plain,
        replications=2,
        factors=[("buffers.AB.capacity", (1, 3))],
        variants={"quick": {"set": {"stations.B.failures.jam.ttr.mean": 5.0}}},
    )
    by_toml_shape = linetwin.Experiment(
        plain,
        replications=2,
        factors=[{"parameter": "buffers.AB.capacity", "values": [1, 3]}],
        variants=[{"name": "quick", "set": {"stations.B.failures.jam.ttr.mean": 5.0}}],
    )
    assert by_dict.scenario == by_pairs.scenario == by_toml_shape.scenario
    assert by_dict.run().to_json() == by_toml_shape.run().to_json()


def test_keyword_arguments_override_the_file(study: Path) -> None:
    scenario = linetwin.Scenario.from_toml(study)
    experiment = linetwin.Experiment(scenario, replications=3, factors=[], variants=[])
    assert len(experiment.design_points) == 1
    result = experiment.run()
    assert result.replications == 3
    assert result.stopping is linetwin.Stopping.FIXED
    # The variant file stays relative to the scenario's own file.
    assert len(linetwin.Experiment(scenario, replications=1).design_points) == 12


def test_a_scenario_without_experiment_is_one_design_point(plain: linetwin.Scenario) -> None:
    experiment = linetwin.Experiment(plain)
    assert experiment.design_points == [linetwin.DesignPoint(0, "base", "base", {})]
    assert experiment.planned_runs == 10  # the default replications
    assert "experiment" not in experiment.scenario.to_dict()


def test_line_builder_sets_the_experiment_section(plain: linetwin.Scenario) -> None:
    line = linetwin.Line.from_scenario(plain).experiment(
        replications=3, factors={"stations.B.servers": [1, 2]}
    )
    line.experiment(seed=9)  # later calls change single fields
    scenario = line.build()
    section = scenario.to_dict()["experiment"]
    assert section == {
        "replications": 3,
        "seed": 9,
        "factors": [{"parameter": "stations.B.servers", "values": [1, 2]}],
    }
    assert linetwin.Scenario.from_toml_string(scenario.to_toml()) == scenario
    assert linetwin.Line.from_scenario(scenario).to_dict()["experiment"] == section
    result = linetwin.Experiment(scenario).run()
    assert (result.replications, result.seed, len(result.design_points)) == (3, 9, 2)


def test_results_do_not_depend_on_the_thread_count(study: Path) -> None:
    scenario = linetwin.Scenario.from_toml(study)
    one = linetwin.Experiment(scenario, threads=1).run()
    two = linetwin.Experiment(scenario, threads=2).run()
    every_core = linetwin.Experiment(scenario).run()
    assert one.to_json() == two.to_json() == every_core.to_json()


def test_progress_counts_up_to_the_total(study: Path) -> None:
    experiment = linetwin.Experiment(linetwin.Scenario.from_toml(study), threads=2)
    calls: list[tuple[int, int]] = []
    experiment.run(progress=lambda done, total: calls.append((done, total)))
    assert calls, "progress was never called"
    counts = [done for done, _ in calls]
    assert counts == sorted(set(counts))
    assert all(total == experiment.planned_runs for _, total in calls)
    assert counts[-1] == experiment.planned_runs == 12 * 6


def test_progress_works_with_tqdm(study: Path) -> None:
    tqdm = pytest.importorskip("tqdm")
    import io

    experiment = linetwin.Experiment(linetwin.Scenario.from_toml(study))
    out = io.StringIO()
    bar = tqdm.tqdm(total=experiment.planned_runs, file=out)
    experiment.run(progress=lambda done, total: bar.update(done - bar.n))
    assert bar.n == experiment.planned_runs
    bar.close()
    out = io.StringIO()
    with linetwin.tqdm_progress(file=out) as progress:
        experiment.run(progress=progress)
    assert f"{experiment.planned_runs}/{experiment.planned_runs}" in out.getvalue()


def long_experiment(replications: int = 200) -> linetwin.Experiment:
    """An experiment of a second or more on two threads."""
    scenario = linetwin.Scenario.from_toml(library("serial_line.toml"))
    return linetwin.Experiment(scenario, replications=replications, horizon=20_000, threads=2)


def test_other_threads_progress_while_an_experiment_runs() -> None:
    # The run must last long enough to tell, whatever the machine's speed: the
    # replications double until it takes 0.3 s or more.
    replications = 24
    while True:
        experiment = long_experiment(replications)
        stop = threading.Event()
        ticks = 0

        def tick() -> None:
            nonlocal ticks
            while not stop.is_set():
                ticks += 1
                time.sleep(0.001)

        ticker = threading.Thread(target=tick)
        ticker.start()
        calls: list[int] = []
        begin = time.perf_counter()
        experiment.run(progress=lambda done, total: calls.append(done))
        elapsed = time.perf_counter() - begin
        stop.set()
        ticker.join()
        if elapsed >= 0.3 or replications >= 24 * 64:
            break
        replications *= 2
    assert elapsed >= 0.3, "the experiment was too short to tell"
    # Holding the GIL, run() would have starved the ticker; released, it ticks all along.
    assert ticks >= 20, f"only {ticks} ticks in {elapsed:.2f} s"
    assert len(calls) >= 2 and calls[-1] == experiment.planned_runs


def test_ctrl_c_stops_the_experiment_and_raises_keyboard_interrupt() -> None:
    if threading.current_thread() is not threading.main_thread():
        pytest.skip("signals reach the main thread only")
    experiment = long_experiment(2000)
    timer = threading.Timer(0.3, signal.raise_signal, args=(signal.SIGINT,))
    calls: list[int] = []
    begin = time.perf_counter()
    timer.start()
    with pytest.raises(KeyboardInterrupt):
        experiment.run(progress=lambda done, total: calls.append(done))
    elapsed = time.perf_counter() - begin
    timer.join()
    assert calls and calls[-1] < experiment.planned_runs
    assert elapsed < 5, f"took {elapsed:.1f} s to stop"


def test_ctrl_c_stops_a_long_scenario_run_within_a_second() -> None:
    if threading.current_thread() is not threading.main_thread():
        pytest.skip("signals reach the main thread only")
    scenario = linetwin.Scenario.from_toml(library("serial_line.toml"))
    timer = threading.Timer(0.3, signal.raise_signal, args=(signal.SIGINT,))
    begin = time.perf_counter()
    timer.start()
    with pytest.raises(KeyboardInterrupt):
        # About 6 s of work; after the interrupt it finishes in the background.
        scenario.run(horizon=1_000_000)
    elapsed = time.perf_counter() - begin
    timer.join()
    assert elapsed < 1.3, f"took {elapsed:.1f} s to stop"


def test_compare_with_an_unknown_kpi_raises_value_error() -> None:
    result = long_experiment(2).run()
    # Comparing a point with itself used to give 0 ± 0 for any name.
    with pytest.raises(ValueError, match="`line.nonsense` is not a numeric KPI"):
        result.compare(0, 0, "line.nonsense")


def test_an_exception_in_progress_stops_the_experiment() -> None:
    experiment = long_experiment(2000)

    def progress(done: int, total: int) -> None:
        raise RuntimeError(f"stop at {done}")

    begin = time.perf_counter()
    with pytest.raises(RuntimeError, match="stop at"):
        experiment.run(progress=progress)
    assert time.perf_counter() - begin < 5


def test_summary_is_tidy(study: Path) -> None:
    result = linetwin.Experiment(linetwin.Scenario.from_toml(study)).run()
    frame = result.summary()
    assert frame.index.name == "design_point"
    assert list(frame.columns) == [
        "label", "variant", "buffers.AB.capacity", "stations.B.servers",
        "kpi", "mean", "sd", "ci95", "n",
    ]  # fmt: skip
    kpis = frame[frame.index == 0]["kpi"].tolist()
    assert "line.throughput" in kpis and "stations.B.states.down" in kpis
    assert len(frame) == 12 * len(kpis)
    assert sorted(set(frame.index)) == list(range(12))
    throughput = frame[frame["kpi"] == "line.throughput"]
    assert (throughput["n"] == 6).all()
    assert throughput["variant"].tolist() == ["base"] * 4 + ["quick-repair"] * 4 + ["slow-C"] * 4
    assert throughput["buffers.AB.capacity"].tolist() == [1, 1, 5, 5] * 3
    document = result.kpis["design_points"][3]["kpis"]["line"]["throughput"]
    row = throughput.loc[3]
    assert (row["mean"], row["sd"], row["ci95"], row["n"]) == (
        document["mean"], document["sd"], document["ci95"], document["n"],
    )  # fmt: skip


def test_compare_is_the_paired_difference_of_the_summary_means(study: Path) -> None:
    result = linetwin.Experiment(linetwin.Scenario.from_toml(study)).run()
    frame = result.summary()
    labels = [p.label for p in result.design_points]
    for kpi in ["line.throughput", "line.wip_mean", "stations.B.utilization"]:
        means = frame[frame["kpi"] == kpi]["mean"].tolist()
        for a, b in [(0, 1), (0, 11), (5, 2), (3, 3)]:
            diff = result.compare(a, b, kpi)
            assert math.isclose(diff.mean, means[b] - means[a], rel_tol=1e-12, abs_tol=1e-12)
            assert diff.n == 6
            assert diff.low <= diff.mean <= diff.high
            assert math.isclose(diff.high - diff.low, 2 * diff.ci95)
            assert result.compare(labels[a], labels[b], kpi) == diff
            assert math.isclose(result.compare(b, a, kpi).mean, -diff.mean, abs_tol=1e-12)
    # A second server at B raises throughput.
    more = result.compare(
        "base: buffers.AB.capacity=1, stations.B.servers=1",
        "base: buffers.AB.capacity=1, stations.B.servers=2",
    )
    assert more.kpi == "line.throughput" and more.low > 0


def test_precision_rule_stops_as_soon_as_it_is_met(plain: linetwin.Scenario) -> None:
    loose = linetwin.Experiment(
        plain,
        precision={"kpi": "line.throughput", "relative_half_width": 0.5, "max_replications": 200},
    ).run()
    assert loose.stopping is linetwin.Stopping.PRECISION_REACHED
    assert loose.kpis["stopping"]["rule"] == "precision reached" == loose.stopping.value
    assert loose.replications == 32  # the first check, after one chunk
    tight = linetwin.Experiment(
        plain,
        precision={"kpi": "line.throughput", "relative_half_width": 1e-6, "max_replications": 5},
    ).run()
    assert tight.stopping is linetwin.Stopping.MAX_REPLICATIONS
    assert tight.replications == 5
    assert tight.kpis["stopping"]["reached"] is False
    assert "precision" in repr(tight)


@pytest.mark.parametrize(
    ("kwargs", "cli_args", "section"),
    [
        # `--replications 0` names the flag on the command line ("command line:
        # --replications: ..."); the keyword is checked in
        # test_invalid_keyword_values_raise_scenario_errors.
        ({}, [], "[experiment]\nreplications = 0\n"),
        ({}, [], '[[experiment.factors]]\nparameter = "buffers.XY.capacity"\nvalues = [1]\n'),
        ({}, [], '[[experiment.factors]]\nparameter = "buffers.AB.capacity"\nvalues = [-1]\n'),
        (
            {},
            [],
            '[experiment.precision]\nkpi = "line.speed"\n'
            "relative_half_width = 0.1\nmax_replications = 9\n",
        ),
        ({}, [], '[[experiment.variants]]\nname = "x"\nscenario = "missing.toml"\n'),
    ],
)
def test_invalid_options_raise_the_cli_message(
    cli: Path, tmp_path: Path, kwargs: dict[str, int], cli_args: list[str], section: str
) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(STUDY + section, encoding="utf-8")
    expected = cli_message(cli, "experiment", str(path), *cli_args)
    scenario = linetwin.Scenario.from_toml(path)
    with pytest.raises(linetwin.ScenarioError) as error:
        linetwin.Experiment(scenario, **kwargs)  # type: ignore[arg-type]
    assert str(error.value) == expected


@pytest.mark.parametrize("threads", [0, 1025, 2**70])
def test_threads_out_of_range_are_refused_at_construction(
    plain: linetwin.Scenario, threads: int
) -> None:
    # As the CLI's --threads; 2**70 once passed here and overflowed at run().
    with pytest.raises(
        linetwin.ScenarioError, match=f"^threads: must be an integer from 1 to 1024, got {threads}$"
    ):
        linetwin.Experiment(plain, threads=threads)


def test_invalid_keyword_values_raise_scenario_errors(plain: linetwin.Scenario) -> None:
    cases = [
        ({"factors": {"stations.B.speed": [1]}}, "experiment.factors[0].parameter"),
        ({"factors": {"buffers.AB.capacity": []}}, "experiment.factors[0].values: must list"),
        ({"variants": {"base": {"stations.B.servers": 2}}}, "`base` is used twice"),
        ({"precision": {"kpi": "line.throughput"}}, "experiment.precision: missing field"),
        ({"replications": -3}, "experiment.replications: must be an integer from 1 to 1000000000, got -3"),
        ({"factors": {"buffers.AB.capacity": [2**70]}}, "out of range"),
    ]
    for kwargs, message in cases:
        with pytest.raises(linetwin.ScenarioError, match=None) as error:
            linetwin.Experiment(plain, **kwargs)  # type: ignore[arg-type]
        assert message in str(error.value), (kwargs, str(error.value))


@pytest.mark.parametrize(
    ("kwargs", "argument"),
    [
        ({"replications": "3"}, "'replications'"),
        ({"replications": 2.0}, "'replications'"),
        ({"seed": "1"}, "'seed'"),
        ({"threads": 1.5}, "'threads'"),
        ({"horizon": "long"}, "'horizon'"),
        ({"factors": 3}, "'factors'"),
        ({"factors": {"buffers.AB.capacity": 3}}, "factors['buffers.AB.capacity']"),
        ({"factors": [("a", [1], "extra")]}, "'factors[0]'"),
        ({"variants": {"x": 3}}, "variants['x']"),
        ({"variants": "x"}, "'variants'"),
        ({"precision": 0.1}, "'precision'"),
        ({"factors": {"buffers.AB.capacity": [object()]}}, "values[0]"),
    ],
)
def test_wrong_types_raise_type_errors_naming_the_argument(
    plain: linetwin.Scenario, kwargs: dict[str, object], argument: str
) -> None:
    with pytest.raises(TypeError) as error:
        linetwin.Experiment(plain, **kwargs)  # type: ignore[arg-type]
    assert argument in str(error.value)


def test_other_wrong_arguments(plain: linetwin.Scenario) -> None:
    with pytest.raises(TypeError, match="'scenario' must be a Scenario"):
        linetwin.Experiment("study.toml")  # type: ignore[arg-type]
    experiment = linetwin.Experiment(plain, replications=2)
    with pytest.raises(TypeError, match="'progress' must be callable"):
        experiment.run(progress=3)  # type: ignore[arg-type]
    result = experiment.run()
    with pytest.raises(ValueError, match="numbered 0 to 0, got 1"):
        result.compare(0, 1)
    with pytest.raises(ValueError, match="no design point labelled 'x'"):
        result.compare(0, "x")
    with pytest.raises(TypeError, match="'a' must be a design point index or label"):
        result.compare(1.0, 0)  # type: ignore[arg-type]
    two = linetwin.Experiment(plain, replications=2, factors={"stations.B.servers": [1, 2]}).run()
    with pytest.raises(ValueError, match="`line.speed` is not a numeric KPI of both"):
        two.compare(0, 1, "line.speed")


def test_repr_is_readable(plain: linetwin.Scenario) -> None:
    experiment = linetwin.Experiment(plain, replications=2, factors={"stations.B.servers": [1, 2]})
    assert repr(experiment) == "<Experiment 'buffer study': 2 design points, up to 4 runs>"
    result = experiment.run()
    assert repr(result) == (
        "<ExperimentResult 'buffer study': 2 design points × 2 replications, "
        "seed 3 (fixed replications)>"
    )
    assert str(result).startswith("buffer study — 2 replications per design point, seed 3")
