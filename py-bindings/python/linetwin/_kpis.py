"""The KPI catalogue and the JSON Schemas of the KPI documents."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from linetwin._linetwin import kpi_catalogue as _core_catalogue

if TYPE_CHECKING:
    import pandas

__all__ = ["kpi_catalogue", "kpi_schema"]

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
