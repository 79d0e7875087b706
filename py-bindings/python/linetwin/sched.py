"""Scheduler benchmarks: standard instances, dispatching rules, the evaluator and Gantt charts.

The same harness as ``linetwin sched`` on the command line, returning pandas DataFrames::

    from linetwin import sched

    table = sched.bench("ft06,la01-la10", rules=["spt", "mwkr"], scheme="both")
    table.groupby("scheduler").gap_pct.mean()

    ft06 = sched.Instance.load("ft06")          # bundled name, or a file path
    schedule = sched.solve(ft06, rule="mwkr")   # checked; schedule.makespan, schedule.to_frame()
    schedule.plot()                             # matplotlib Gantt chart

A scheduler of your own is a callable ``f(instance) -> machine sequences``: a list with, per
machine, the ``(job, operation)`` pairs (0-based) in the order the machine runs them. Pass it
to :func:`bench` among the rules, or evaluate what it returns with :func:`evaluate`.

Bounds come from the bundled best-known tables; ``gap_pct`` is measured against the best
known makespan. Instances and rule names are those of the CLI (see ``linetwin sched --help``).
"""

from __future__ import annotations

import csv
import functools
import io
import json
import os
import time
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from linetwin._linetwin import (
    CoreInstance,
    ScheduleError,
    book_plan,
    book_robust,
    sched_bench,
)
from linetwin._scenario import Scenario

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd


__all__ = [
    "Instance",
    "Schedule",
    "ScheduleError",
    "UserRescheduler",
    "UserScheduler",
    "bench",
    "evaluate",
    "library",
    "solve",
]

MachineSequences = Sequence[Sequence[tuple[int, int]]]
"""Per machine, the (job, operation) pairs in the order the machine runs them."""

UserScheduler = Callable[["Instance"], MachineSequences]
"""A user's scheduler: builds machine sequences for an instance."""

OrderPlan = Mapping[str, Sequence[str | tuple[str, int]]]
"""A plan of a line's order book: per planned station, its orders' ids in sequence (or
``(id, step)`` pairs where an order visits the station more than once). Stations not in it
dispatch by their rules."""

UserRescheduler = Callable[["Instance", dict[str, Any]], MachineSequences]
"""A user's rescheduler for :func:`robust`: given the instance and the shop's state (a dict:
``now``; ``machines``, each with ``available`` (when it is expected free) and ``down``;
``jobs``, each with ``next_operation`` (its first operation not yet started), ``ready`` (when
that one can start at the earliest) and ``done``), it returns, per machine, the
``(job, operation)`` pairs not yet started in the order the machine should run them."""

_ROW_COLUMNS = ["machine", "position", "job", "operation", "start", "end"]
_BENCH_COLUMNS = [
    "instance",
    "size",
    "scheduler",
    "scheme",
    "makespan",
    "best_known",
    "lower_bound",
    "optimal",
    "gap_pct",
    "seconds",
]


def _frame(rows: Sequence[Any], columns: list[str]) -> pd.DataFrame:
    """A DataFrame of `rows` (tuples or dicts) with `columns`."""
    try:
        import pandas
    except ImportError as e:  # pragma: no cover - depends on the environment
        raise ImportError("linetwin.sched DataFrames need pandas: pip install pandas") from e
    return pandas.DataFrame(list(rows), columns=columns)


class Instance:
    """A job-shop, flow-shop or flexible job-shop instance with its best-known bounds."""

    def __init__(self, core: CoreInstance) -> None:
        self._core = core

    @staticmethod
    def load(name_or_path: str | os.PathLike[str], format: str = "auto") -> Instance:
        """A bundled instance by name (``ft06``, ``ta01``, ``mk01``, ``ta001``) or a file in
        ``format`` (auto, jobshop, flowshop, fjsp, taillard-js, taillard-fs)."""
        return Instance(CoreInstance.load(os.fspath(name_or_path), format))

    @staticmethod
    def from_text(text: str, format: str = "auto", name: str = "instance") -> Instance:
        """An instance from text in ``format``; errors name the line and the token."""
        return Instance(CoreInstance.from_text(text, format, name))

    @property
    def name(self) -> str:
        """The instance's name."""
        return self._core.name

    @property
    def kind(self) -> str:
        """``job shop``, ``flow shop`` or ``flexible job shop``."""
        return self._core.kind

    @property
    def jobs(self) -> int:
        """The number of jobs."""
        return self._core.jobs

    @property
    def machines(self) -> int:
        """The number of machines."""
        return self._core.machines

    @property
    def lower_bound(self) -> int | None:
        """The best proven lower bound on the makespan, if known."""
        return self._core.bounds[0]

    @property
    def best_known(self) -> int | None:
        """The best known makespan, if known."""
        return self._core.bounds[1]

    @property
    def optimal(self) -> bool:
        """Whether the best known makespan is proven optimal."""
        return self._core.bounds[2]

    def operations(self) -> pd.DataFrame:
        """Every way to run every operation: columns job, operation, machine, time."""
        return _frame(self._core.operations(), ["job", "operation", "machine", "time"])

    def __repr__(self) -> str:
        return f"Instance({self.name!r}, {self.kind}, {self.jobs} x {self.machines})"


class Schedule:
    """A checked schedule of an instance: machine sequences with start and end times."""

    def __init__(
        self,
        instance: Instance,
        makespan: int,
        rows: list[tuple[int, int, int, int, int, int]],
        scheduler: str = "",
    ) -> None:
        self.instance = instance
        """The instance it schedules."""
        self.makespan = makespan
        """The makespan."""
        self.scheduler = scheduler
        """The scheduler that built it (empty if given)."""
        self._rows = rows

    @property
    def machines(self) -> list[list[tuple[int, int]]]:
        """Per machine, the (job, operation) pairs in order."""
        out: list[list[tuple[int, int]]] = [[] for _ in range(self.instance.machines)]
        for machine, _, job, operation, _, _ in self._rows:
            out[machine].append((job, operation))
        return out

    def to_frame(self) -> pd.DataFrame:
        """One row per operation: machine, position, job, operation, start, end."""
        return _frame(self._rows, _ROW_COLUMNS)

    def to_csv(self, path: str | os.PathLike[str] | None = None) -> str:
        """The CLI's CSV text (written to ``path`` if given); ``linetwin sched eval`` reads it."""
        times: list[list[tuple[int, int]]] = [[] for _ in range(self.instance.machines)]
        for machine, _, _, _, start, end in self._rows:
            times[machine].append((start, end))
        text = self.instance._core.schedule_csv(self.machines, times)
        if path is not None:
            with open(path, "w", encoding="utf-8") as f:
                f.write(text)
        return text

    def plot(self, ax: Any = None, title: str | None = None) -> Any:
        """Draws the Gantt chart with matplotlib (one row per machine, bars coloured by job)
        and returns the Axes."""
        import matplotlib.pyplot as plt
        from matplotlib import colormaps

        if ax is None:
            _, ax = plt.subplots(figsize=(10, 0.4 * self.instance.machines + 1.2))
        cmap = colormaps["tab20"]
        for machine, _, job, operation, start, end in self._rows:
            ax.barh(
                machine,
                end - start,
                left=start,
                height=0.8,
                color=cmap(job % 20),
                edgecolor="black",
                linewidth=0.4,
            )
            if self.instance.jobs <= 30 and end > start:
                ax.text((start + end) / 2, machine, str(job), ha="center", va="center", fontsize=7)
        ax.set_yticks(range(self.instance.machines))
        ax.set_yticklabels([f"M{k}" for k in range(self.instance.machines)])
        ax.invert_yaxis()
        ax.set_xlabel("time")
        ax.set_title(title or f"{self.instance.name}: makespan {self.makespan}")
        return ax

    def __repr__(self) -> str:
        return f"Schedule({self.instance.name!r}, makespan={self.makespan})"


InstanceLike = Instance | str | os.PathLike[str]


def _instance(instance: InstanceLike) -> Instance:
    return instance if isinstance(instance, Instance) else Instance.load(instance)


def solve(
    instance: InstanceLike,
    rule: str = "spt",
    scheme: str = "active",
    assignment: str = "earliest-finish",
) -> Schedule:
    """A built-in scheduler's schedule (``spt``, ``lpt``, ``mwkr``, ``lwkr``, ``mopnr``,
    ``fifo``, ``random:SEED``, ``neh``) in ``scheme`` (``active`` or ``non-delay``), checked."""
    inst = _instance(instance)
    makespan, rows = inst._core.solve(rule, scheme, assignment)
    return Schedule(inst, makespan, rows, scheduler=rule)


def evaluate(
    instance: InstanceLike,
    machines: MachineSequences | Schedule,
    starts: Sequence[Sequence[int]] | None = None,
) -> Schedule:
    """Evaluates machine sequences: the semi-active schedule (every operation as early as its
    job and machine allow), or the given ``starts[k][i]``, checked. Raises
    :class:`ScheduleError` naming every violation (precedence, machine overlap, eligibility,
    a missing or duplicated operation)."""
    inst = _instance(instance)
    if isinstance(machines, Schedule):
        machines = machines.machines
    sequences = [[(int(j), int(o)) for j, o in seq] for seq in machines]
    given = None if starts is None else [[int(s) for s in row] for row in starts]
    makespan, rows = inst._core.evaluate(sequences, given)
    return Schedule(inst, makespan, rows)


def library() -> pd.DataFrame:
    """Every bundled instance: name, kind, collection, lower_bound, best_known, optimal."""
    rows = []
    for name, kind, collection in CoreInstance.bundled():
        bounds = Instance.load(name)._core.bounds
        rows.append((name, kind, collection, *bounds))
    return _frame(rows, ["name", "kind", "collection", "lower_bound", "best_known", "optimal"])


def bench(
    instances: str | Sequence[str],
    rules: Sequence[str | UserScheduler] = ("spt", "lpt", "mwkr", "lwkr", "mopnr", "fifo"),
    scheme: str = "active",
    assignment: str = "earliest-finish",
) -> pd.DataFrame:
    """Runs schedulers on instances, as ``linetwin sched bench --json`` does, and returns its
    rows as a DataFrame (instance, size, scheduler, scheme, makespan, best_known, lower_bound,
    optimal, gap_pct, seconds).

    ``instances`` are bundled names and ranges (``"ft06,la01-la40"``) or file paths. ``rules``
    are built-in names or user schedulers (callables ``f(instance) -> machine sequences``,
    named by their ``__name__``; built once each, timed in Python, checked in Rust)."""
    spec = instances if isinstance(instances, str) else ",".join(instances)
    names = [r for r in rules if isinstance(r, str)]
    users = [r for r in rules if not isinstance(r, str)]
    rows: list[dict[str, Any]] = []
    if names:
        rows = json.loads(sched_bench(spec, names, scheme, assignment))["results"]
    if users:
        for item in filter(None, (s.strip() for s in spec.split(","))):
            targets = [item] if os.path.isfile(item) else CoreInstance.resolve(item)
            for target in targets:
                inst = Instance.load(target)
                for user in users:
                    started = time.perf_counter()
                    machines = user(inst)
                    seconds = time.perf_counter() - started
                    schedule = evaluate(inst, machines)
                    best = inst.best_known
                    rows.append(
                        {
                            "instance": inst.name,
                            "size": f"{inst.jobs} x {inst.machines}",
                            "scheduler": getattr(user, "__name__", "user"),
                            "scheme": None,
                            "makespan": schedule.makespan,
                            "best_known": best,
                            "lower_bound": inst.lower_bound,
                            "optimal": inst.optimal,
                            "gap_pct": None
                            if not best
                            else round(100.0 * (schedule.makespan - best) / best, 2),
                            "seconds": seconds,
                        }
                    )
    return _frame(rows, _BENCH_COLUMNS)


_POLICY_COLUMNS = [
    "policy",
    "makespan_mean",
    "makespan_ci95",
    "makespan_p50",
    "makespan_p90",
    "makespan_p95",
    "makespan_ratio",
    "on_time_rate",
    "on_time_rate_ci95",
    "tardiness_mean",
    "tardiness_ci95",
    "flow_time_mean",
    "reschedules_mean",
    "vs_first_mean",
    "vs_first_paired_ci95",
    "vs_first_unpaired_ci95",
]
_ORDER_COLUMNS = [
    "policy",
    "order",
    "due",
    "planned_completion",
    "completion_mean",
    "completion_p95",
    "on_time",
    "on_time_low",
    "on_time_high",
]


class Robustness:
    """How a schedule holds up in its twin: the plan, and per policy what was realised across
    the replications (the ``linetwin sched robust --json`` document, ``linetwin.sched-robust/1``).
    """

    def __init__(self, document: dict[str, Any], plan: OrderPlan | None = None) -> None:
        self.json = document
        """The whole JSON document."""
        self.plan = plan
        """For a line's order book: the plan executed, per planned station its order ids in
        sequence (``None`` for an instance's schedule)."""
        self.planned: dict[str, float] = document["planned"]
        """The plan: makespan, flow_time, tardiness, on_time_rate."""
        self.best: dict[str, str] = document["best"]
        """The policy with the least mean makespan (``mean_makespan``) and the one with the
        least 95th percentile (``p95_makespan``)."""

    def _policies(self) -> list[dict[str, Any]]:
        first = {k: self.json[k] for k in ("policy", "realised", "orders")}
        return [first, *self.json["alternatives"]]

    @property
    def policies(self) -> pd.DataFrame:
        """One row per policy, the first (the baseline) first: realised makespan (mean, 95%
        CI half-width, p50, p90, p95, ratio to planned), on-time rate, tardiness, flow time,
        reschedules, and the paired difference of makespan against the first policy with its
        paired and unpaired 95% half-widths."""
        rows = []
        for p in self._policies():
            r = p["realised"]
            vs = p.get("makespan_vs_first") or {}
            rows.append(
                (
                    p["policy"],
                    r["makespan"]["mean"],
                    r["makespan"]["ci95"],
                    r["makespan"]["p50"],
                    r["makespan"]["p90"],
                    r["makespan"]["p95"],
                    r["makespan_ratio"]["mean"],
                    r["on_time_rate"]["mean"],
                    r["on_time_rate"]["ci95"],
                    r["tardiness"]["mean"],
                    r["tardiness"]["ci95"],
                    r["flow_time"]["mean"],
                    r["reschedules"]["mean"],
                    vs.get("mean_difference"),
                    vs.get("paired_ci95"),
                    vs.get("unpaired_ci95"),
                )
            )
        return _frame(rows, _POLICY_COLUMNS)

    @property
    def orders(self) -> pd.DataFrame:
        """One row per policy and order: due date, planned and realised completion (mean,
        p95), the probability of being on time and its 95% Wilson interval."""
        rows = []
        for p in self._policies():
            for o in p["orders"]:
                low, high = o["on_time"]["ci95"]
                rows.append(
                    (
                        p["policy"],
                        o["id"],
                        o["due"],
                        o["planned_completion"],
                        o["completion"]["mean"],
                        o["completion"]["p95"],
                        o["on_time"]["probability"],
                        low,
                        high,
                    )
                )
        return _frame(rows, _ORDER_COLUMNS)

    def __repr__(self) -> str:
        policies = ", ".join(p["policy"] for p in self._policies())
        return (
            f"Robustness({self.json['instance']!r}, planned makespan "
            f"{self.planned['makespan']}, {self.json['replications']} replications: {policies})"
        )


def robust(
    instance: InstanceLike | Scenario,
    schedule: Schedule | MachineSequences | OrderPlan | str | None,
    policies: str | Sequence[str | UserRescheduler] = ("keep",),
    *,
    rule: str = "spt",
    reschedule_rule: str = "mwkr",
    period: float | None = None,
    on_failure: bool = False,
    noise: str | None = None,
    noise_cv: float | None = None,
    mtbf: float | None = None,
    mttr: float | None = None,
    failure_clock: str | None = None,
    buffer: int | None = None,
    due_slack: float | None = None,
    replications: int = 200,
    seed: int | None = None,
    planned: Sequence[str] | None = None,
) -> Robustness:
    """Executes ``schedule`` in the instance's twin under random processing times and
    breakdowns, once per replication and policy, every policy seeing the same disturbances
    (the same processing time for each operation, the same failures), as
    ``linetwin sched robust`` does.

    The twin: each machine a station with an unlimited input buffer (``buffer`` sets a
    capacity), each job an order released at 0 and due at its planned completion plus
    ``due_slack`` times its planned flow time; each processing time drawn from ``noise``
    (lognormal, gamma, normal, uniform, triangular, weibull, erlang, exponential) with the
    nominal time as mean and coefficient of variation ``noise_cv``; with ``mtbf`` and
    ``mttr``, exponential breakdowns of every machine whose clock counts ``failure_clock``
    time (busy, calendar, operating).

    Policies, the first one the baseline of the paired comparisons: ``keep`` (each machine
    keeps its sequence, waiting for its next planned operation), ``redispatch[:RULE]``
    (machines keep their operations, the dispatching rule ``RULE``, default ``rule``, orders
    them), ``reschedule[:RULE]`` (the remaining operations are replanned by the scheduling rule
    ``RULE``, default ``reschedule_rule``, every ``period`` and/or ``on_failure``), or a
    :data:`UserRescheduler` (a callable, named by its ``__name__``: your own APS replanning at
    those moments; its exception stops the run and is re-raised as it was).

    Defaults: ``noise`` lognormal, ``noise_cv`` 0.2, ``failure_clock`` busy, ``due_slack`` 0,
    ``seed`` 1.

    **A line's order book.** Given a :class:`linetwin.Scenario` with orders, the plan is kept
    at the ``planned`` stations (default: those with setups) and the scenario's own
    distributions, failures and scrap are the disturbances; ``schedule`` is an
    :data:`OrderPlan` (e.g. from :func:`plan_orders`, or your APS's), the name of the
    dispatching rule under which the plan is recorded at nominal times, or ``None`` for the
    stations' own rules. A planned station takes all the parts of its next order, and only
    those. Policies: ``keep`` and ``redispatch[:RULE]`` (the planned stations dispatch by the
    rule instead); orders are due at their own due dates unless ``due_slack`` is given; the
    seed defaults to the scenario's. The twin's settings (``noise``, ``mtbf``, ...) do not
    apply and raise :class:`ScheduleError`. The result's :attr:`Robustness.plan` is the plan
    executed.

    Raises :class:`ScheduleError` naming the argument for a bad setting or an infeasible
    schedule. Runs in parallel with the GIL released; results depend only on ``seed``."""
    if isinstance(instance, (str, os.PathLike)) and os.fspath(instance).endswith(".toml"):
        instance = Scenario.from_toml(instance)
    if isinstance(instance, Scenario):
        twin_only = {
            "noise": noise,
            "noise_cv": noise_cv,
            "mtbf": mtbf,
            "mttr": mttr,
            "failure_clock": failure_clock,
            "buffer": buffer,
            "period": period,
        }
        return _robust_book(
            instance, schedule, policies, twin_only, rule, planned, due_slack, replications, seed
        )
    if planned is not None:
        raise ScheduleError(
            "planned: applies to a scenario's order book; an instance's schedule plans every "
            "machine"
        )
    if schedule is None or isinstance(schedule, (str, Mapping)):
        raise ScheduleError(
            "schedule: an instance needs machine sequences or a Schedule (e.g. from solve)"
        )
    inst = _instance(instance)
    machines = schedule.machines if isinstance(schedule, Schedule) else schedule
    sequences = [[(int(j), int(o)) for j, o in seq] for seq in machines]
    items = [policies] if isinstance(policies, str) else list(policies)
    names: list[str] = []
    users: list[tuple[str, Callable[[dict[str, Any]], Any]]] = []
    for item in items:
        if isinstance(item, str):
            names.extend(item.split(","))
            continue
        name = getattr(item, "__name__", "user")
        names.append(f"reschedule:{name}")
        users.append((name, functools.partial(item, inst)))
    text = inst._core.robust(
        sequences,
        names,
        rule,
        reschedule_rule,
        period,
        on_failure,
        "lognormal" if noise is None else noise,
        0.2 if noise_cv is None else noise_cv,
        mtbf,
        mttr,
        "busy" if failure_clock is None else failure_clock,
        buffer,
        due_slack,
        replications,
        1 if seed is None else seed,
        users,
    )
    return Robustness(json.loads(text))


def _robust_book(
    scenario: Scenario,
    schedule: object,
    policies: str | Sequence[str | UserRescheduler],
    twin_only: Mapping[str, object],
    rule: str,
    planned: Sequence[str] | None,
    due_slack: float | None,
    replications: int,
    seed: int | None,
) -> Robustness:
    """:func:`robust` on a line's order book."""
    for name, value in twin_only.items():
        if value is not None:
            raise ScheduleError(
                f"{name}: a scenario's disturbances are its own distributions, failures "
                f"and scrap; {name} applies to an instance's twin"
            )
    names: list[str] = []
    for item in [policies] if isinstance(policies, str) else list(policies):
        if not isinstance(item, str):
            raise ScheduleError(
                "policies: a user rescheduler applies to an instance's twin, not to a line's "
                "order book"
            )
        names.extend(item.split(","))
    text, plan_csv = book_robust(
        scenario._core,
        None if schedule is None or isinstance(schedule, str) else _plan_csv(schedule),
        schedule if isinstance(schedule, str) else None,
        list(planned or ()),
        names,
        rule,
        due_slack,
        replications,
        seed,
    )
    return Robustness(json.loads(text), _read_plan(plan_csv))


def _plan_csv(plan: object) -> str:
    """An :data:`OrderPlan` as the plan CSV the core reads (``station,order,step``)."""
    if not isinstance(plan, Mapping):
        raise ScheduleError(
            "schedule: a scenario's plan is a dict of station name to order ids, a rule name "
            f"or None, not {type(plan).__name__}"
        )
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["station", "order", "step"])
    for station, orders in plan.items():
        if isinstance(orders, str):
            raise ScheduleError(f"schedule[{station!r}]: a list of order ids, not a string")
        for item in orders:
            order, step = (item, "") if isinstance(item, str) else item
            for cell in (station, order):
                if not isinstance(cell, str):
                    raise ScheduleError(
                        f"schedule[{station!r}]: {cell!r} is not a station name or order id"
                    )
            writer.writerow([station, order, step])
    return out.getvalue()


def _read_plan(text: str) -> OrderPlan:
    """The plan CSV the core writes, as an :data:`OrderPlan` (steps kept where an order
    visits a station more than once)."""
    rows = list(csv.reader(io.StringIO(text)))[1:]
    visits: dict[tuple[str, str], int] = {}
    for station, order, _ in rows:
        visits[station, order] = visits.get((station, order), 0) + 1
    plan: dict[str, list[str | tuple[str, int]]] = {}
    for station, order, step in rows:
        item = order if visits[station, order] == 1 else (order, int(step))
        plan.setdefault(station, []).append(item)
    return plan


def plan_orders(
    scenario: Scenario,
    rule: str | None = None,
    planned: Sequence[str] | None = None,
    seed: int | None = None,
) -> OrderPlan:
    """The plan an APS working with the dispatching rule ``rule`` (``None``: the stations' own
    rules) would make of ``scenario``'s order book at the ``planned`` stations (default: those
    with setups): the line run once at nominal times (every time its mean, no failures, no
    scrap), each station's orders in the order their first part started there. Edit it (or
    build your own) and execute it with :func:`robust`. Raises :class:`ScheduleError` naming
    the argument."""
    return _read_plan(book_plan(scenario._core, rule, list(planned or ()), seed))


__all__ += ["OrderPlan", "Robustness", "plan_orders", "robust"]


# Exact scheduling with OR-Tools CP-SAT (optional dependency), kept in linetwin/cpsat.py.
from linetwin.cpsat import CpSatOrderPlan, CpSatSchedule, cpsat, cpsat_orders  # noqa: E402

__all__ += ["CpSatOrderPlan", "CpSatSchedule", "cpsat", "cpsat_orders"]
