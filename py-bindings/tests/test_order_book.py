"""sched.robust on a line's order book: plans recorded, edited and kept; the same numbers as
the CLI; what does not apply to a scenario is named."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from conftest import library, run_cli
from linetwin import Scenario, sched

LINE = library("mixed_model_line.toml")


@pytest.fixture(scope="module")
def line() -> Scenario:
    return Scenario.from_toml(LINE)


def test_a_recorded_plan_is_an_editable_dict_that_replays_the_same(line: Scenario) -> None:
    plan = sched.plan_orders(line, rule="campaign")
    assert list(plan) == ["press"]
    assert len(plan["press"]) == 90
    assert plan["press"][0] == "SO-1001"
    recorded = sched.robust(line, "campaign", ["keep", "redispatch:fifo"], replications=5)
    given = sched.robust(line, plan, ["keep", "redispatch:fifo"], replications=5)
    assert recorded.plan == plan
    assert given.plan == plan
    for key in ("planned", "realised", "orders", "alternatives"):
        assert recorded.json[key] == given.json[key], key
    assert recorded.json["plan"]["origin"] == "recorded under campaign at nominal times"
    assert given.json["plan"]["origin"] == "file schedule"
    assert recorded.json["dues"] == "orders"
    assert recorded.json["seed"] == 32
    # Per order, its own due date from the order book.
    orders = recorded.orders
    first = orders[(orders.policy == "keep") & (orders.order == "SO-1001")].iloc[0]
    assert first.due == 644.0


def test_an_edited_plan_moves_an_order(line: Scenario) -> None:
    plan = sched.plan_orders(line, rule="campaign")
    # SO-1090 is released last, at 4984: planned first, it keeps the press idle until then,
    # and every order is done after that.
    press = [o for o in plan["press"] if o != "SO-1090"]
    edited = {"press": ["SO-1090", *press]}
    result = sched.robust(line, edited, "keep", replications=2)
    assert result.plan == edited
    planned = result.orders[result.orders.policy == "keep"].planned_completion
    assert (planned > 4984).all()


def test_the_same_numbers_as_the_cli(line: Scenario, cli: Path, tmp_path: Path) -> None:
    path = tmp_path / "plan.csv"
    out = run_cli(
        cli, "sched", "robust", LINE, "--scheduler", "edd", "--policy", "keep,redispatch:atcs",
        "--replications", "8", "--seed", "5", "--save-plan", str(path), "--json",
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    python = sched.robust(line, "edd", "keep,redispatch:atcs", replications=8, seed=5)
    assert python.json == json.loads(out.stdout)
    assert path.read_text().startswith("station,order,step\npress,SO-1001,0\n")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"noise_cv": 0.3}, "noise_cv: a scenario's disturbances are its own distributions, failures and scrap; noise_cv applies to an instance's twin"),
        ({"mtbf": 100.0}, "mtbf: a scenario's disturbances are its own distributions, failures and scrap; mtbf applies to an instance's twin"),
        ({"planned": ["welder"]}, "planned: line `Mixed-model body line` has no station `welder` (stations: press, body-1, body-2, paint, assembly)"),
        ({"schedule": "fastest"}, "schedule: unknown dispatching rule `fastest` (known: fifo, lifo, spt, lpt, edd, cr, slack, wspt, atc, atcs, campaign, cyclic, mwkr, lwkr, mopnr, priority)"),
        ({"schedule": {"press": ["SO-1001", "SO-0"]}}, "schedule:3: order: unknown order `SO-0`"),
        ({"schedule": {"press": "SO-1001"}}, "schedule['press']: a list of order ids, not a string"),
        ({"schedule": [[(0, 0)]]}, "schedule: a scenario's plan is a dict of station name to order ids, a rule name or None, not list"),
        ({"policies": "redispatch:fast"}, "policies: `redispatch:fast`: unknown dispatching rule `fast` (known: fifo, lifo, spt, lpt, edd, cr, slack, wspt, atc, atcs, campaign, cyclic, mwkr, lwkr, mopnr, priority)"),
        ({"due_slack": -1.0}, "due_slack: must be finite and non-negative, got -1"),
    ],
)  # fmt: skip
def test_what_does_not_apply_is_named(
    line: Scenario, kwargs: dict[str, object], message: str
) -> None:
    args: dict[str, object] = {"schedule": None, "replications": 2, **kwargs}
    schedule = args.pop("schedule")
    with pytest.raises(sched.ScheduleError) as error:
        sched.robust(line, schedule, **args)  # type: ignore[arg-type]
    assert str(error.value) == message


def test_a_scenario_path_is_read_and_instances_refuse_order_book_settings() -> None:
    result = sched.robust(LINE, None, "keep", replications=2)
    assert result.json["plan"]["stations"] == ["press"]
    with pytest.raises(sched.ScheduleError, match="^planned: applies to a scenario's order book"):
        sched.robust("ft06", sched.solve("ft06"), planned=["m0"])
    assert os.path.exists(LINE)


def test_ctrl_c_stops_an_order_book_experiment_within_a_second(line: Scenario) -> None:
    import signal
    import threading
    import time

    if threading.current_thread() is not threading.main_thread():
        pytest.skip("signals reach the main thread only")
    timer = threading.Timer(0.5, signal.raise_signal, args=(signal.SIGINT,))
    begin = time.perf_counter()
    timer.start()
    with pytest.raises(KeyboardInterrupt):
        # About 20 s of work on two threads.
        sched.robust(line, "campaign", "keep,redispatch:fifo", replications=1000)
    elapsed = time.perf_counter() - begin
    timer.join()
    assert elapsed < 1.5, f"took {elapsed:.1f} s to stop"


def test_cpsat_sequences_the_press_and_the_twin_executes_it(line: Scenario) -> None:
    pytest.importorskip("ortools")
    campaign = sched.plan_orders(line, rule="campaign")
    plan = sched.cpsat_orders(line, time_limit=5, workers=1, seed=1, hint=campaign)
    assert list(plan.plan) == ["press"]
    assert sorted(plan.plan["press"]) == sorted(campaign["press"])
    assert 0 <= plan.bound <= plan.objective + 1e-9
    result = sched.robust(line, plan.plan, "keep", replications=3)
    assert result.plan == plan.plan
    with pytest.raises(sched.ScheduleError, match="^station: line `Mixed-model body line` has no"):
        sched.cpsat_orders(line, station="oven")
    with pytest.raises(sched.ScheduleError, match="may go to `body-1` or another station"):
        sched.cpsat_orders(line, station="body-1")
