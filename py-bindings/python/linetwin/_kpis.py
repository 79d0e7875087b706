"""The KPI catalogue, the JSON Schemas of the KPI documents, and improvement reports."""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from linetwin._linetwin import CoreExperiment
from linetwin._linetwin import kpi_catalogue as _core_catalogue

if TYPE_CHECKING:
    import pandas

    from linetwin._scenario import Scenario

__all__ = ["assess", "kpi_catalogue", "kpi_schema"]

_LANGS = ("en", "zh")


def kpi_catalogue(lang: str = "en") -> pandas.DataFrame:
    """Every KPI linetwin reports, one row each, as ``linetwin kpis`` prints it.

    Columns: ``id`` (its path in the KPI dict, ``*`` for a product, station or
    buffer name, ``order.<column>`` for the order table), ``scope`` (line,
    station, product, buffer, order), ``name`` (in ``lang``: ``"en"`` or
    ``"zh"``), ``name_en``, ``name_zh``, ``unit``, ``better`` (higher, lower,
    none), ``source`` (ISO 22400-2 or linetwin), ``formula``, ``definition`` and
    ``domains``: the future-factory sub-domains it evidences, as
    ``"19 设备运维"`` strings in ``lang``. Needs pandas.
    """
    if lang not in _LANGS:
        raise ValueError(f"kpi_catalogue(): lang must be 'en' or 'zh', got {lang!r}")
    try:
        import pandas as pd
    except ImportError as e:  # pragma: no cover - pandas is a test dependency
        raise ImportError("kpi_catalogue() needs pandas: pip install pandas") from e
    catalogue: dict[str, Any] = json.loads(_core_catalogue()[0])
    domains = {d["number"]: d for d in catalogue["domains"]}
    rows = [
        {
            "id": k["id"],
            "scope": k["scope"],
            "name": k[lang],
            "name_en": k["en"],
            "name_zh": k["zh"],
            "unit": k["unit"],
            "better": k["better"],
            "source": k["source"],
            "formula": k["formula"],
            "definition": k["definition"],
            "domains": [f"{n} {domains[n][lang]}" for n in k["domains"]],
        }
        for k in catalogue["kpis"]
    ]
    return pd.DataFrame(rows)


def kpi_schema(document: str = "run") -> dict[str, Any]:
    """The JSON Schema of ``Scenario.run(...).kpis`` (``"run"``) or of
    ``ExperimentResult.to_json()`` (``"experiment"``), as a dict."""
    _, run, experiment = _core_catalogue()
    if document == "run":
        schema: dict[str, Any] = json.loads(run)
    elif document == "experiment":
        schema = json.loads(experiment)
    else:
        raise ValueError(
            f"kpi_schema(): document must be 'run' or 'experiment', got {document!r}"
        )
    return schema


def assess(
    baseline: Scenario,
    improved: Scenario | None = None,
    *,
    variant: str | None = None,
    replications: int | None = None,
    seed: int | None = None,
    horizon: float | None = None,
    warmup: float | None = None,
    threads: int | None = None,
    lang: str = "en",
    progress: Callable[[int, int], object] | None = None,
) -> pandas.DataFrame:
    """``linetwin assess``: ``improved`` (a scenario) or the baseline's
    ``variant`` against ``baseline``, on common random numbers.

    Both run the baseline's replications, seed, horizon and warm-up (the
    keyword arguments override them). Returns one row per improvement
    indicator both report (productivity, lead time, WIP, OEE, energy and CO2
    per good part, energy efficiency, defect rate, on-time delivery, unplanned
    downtime), indexed by indicator, with columns ``kpi`` (the catalogue id),
    ``name`` (in ``lang``), ``unit``, ``better``, ``baseline``,
    ``baseline_ci95``, ``improved``, ``improved_ci95``, ``difference``,
    ``difference_ci95`` (paired by replication), ``relative``,
    ``relative_ci95`` (improved / baseline − 1; NaN when the baseline is 0),
    ``n`` and ``verdict`` (better, worse, no significant change). The JSON
    report is in ``frame.attrs["json"]``. Ctrl-C and ``progress`` work as in
    :meth:`Experiment.run`. Needs pandas.
    """
    from linetwin._experiment import Experiment, ExperimentResult
    from linetwin._scenario import Scenario

    func = "assess()"
    if lang not in _LANGS:
        raise ValueError(f"{func}: lang must be 'en' or 'zh', got {lang!r}")
    if not isinstance(baseline, Scenario):
        raise TypeError(
            f"{func}: argument 'baseline' must be a Scenario, not {type(baseline).__name__}"
        )
    if improved is not None and not isinstance(improved, Scenario):
        raise TypeError(
            f"{func}: argument 'improved' must be a Scenario, not {type(improved).__name__}"
        )
    if (improved is None) == (variant is None):
        raise TypeError(f"{func}: give the improved scenario or variant=, not both or neither")
    try:
        import pandas as pd
    except ImportError as e:  # pragma: no cover - pandas is a test dependency
        raise ImportError("assess() needs pandas: pip install pandas") from e
    core = CoreExperiment.assessment(
        baseline._core,
        None if improved is None else improved._core,
        variant,
        replications,
        seed,
        horizon,
        warmup,
    )
    experiment = Experiment._from_core(core, baseline, threads)
    result: ExperimentResult = experiment.run(progress=progress)
    improved_name = improved.name if improved is not None else str(variant)
    text = result._core.assessment_json(core, baseline.name, improved_name)
    report = json.loads(text)
    catalogue = {k["id"]: k for k in json.loads(_core_catalogue()[0])["kpis"]}
    unit = {"time": report["time_unit"]}
    rows = []
    for i in report["indicators"]:
        entry = catalogue[i["kpi"]]
        rows.append(
            {
                "indicator": i["id"],
                "kpi": i["kpi"],
                "name": entry[lang],
                "unit": unit.get(entry["unit"], entry["unit"]),
                "better": i["better"],
                "baseline": _number(i["baseline"]["mean"]),
                "baseline_ci95": _number(i["baseline"]["ci95"]),
                "improved": _number(i["improved"]["mean"]),
                "improved_ci95": _number(i["improved"]["ci95"]),
                "difference": _number(i["difference"]["mean"]),
                "difference_ci95": _number(i["difference"]["ci95"]),
                "relative": _number(i["relative"]["mean"]),
                "relative_ci95": _number(i["relative"]["ci95"]),
                "n": i["n"],
                "verdict": i["verdict"],
            }
        )
    frame = pd.DataFrame(rows).set_index("indicator")
    frame.attrs["json"] = text
    return frame


def _number(value: Any) -> float:
    return math.nan if value is None else float(value)
