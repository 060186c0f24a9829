"""What ``Compare`` shows: a project's runs, their config columns against one numeric
summary metric, as parallel coordinates with each parameter's importance."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..table.model import run_row
from .contract import MAX_AXES, MAX_LINES, CompareData, Parallel
from .importance import importance
from .parallel import Row, is_number, parallel

if TYPE_CHECKING:
    from ...api import Api

CONFIG = "config."
SUMMARY = "summary."


def project_rows(api: Api, project: str) -> list[Row]:
    """Every run of ``project`` as a row of ``config.*`` and ``summary.*`` columns, oldest
    first (a running run's summary rebuilt from what it logged so far)."""
    rows = []
    for run in api.runs(project, order="+created_at"):
        meta = run.meta
        summary = run.summary if meta.get("state") == "running" or "summary" not in meta else None
        flat = run_row(meta, summary)
        rows.append(Row(str(flat["id"]), str(flat["name"]), str(flat.get("state") or ""), flat))
    return rows


def summary_metrics(rows: list[Row]) -> list[str]:
    """The summary keys (without ``summary.``) that hold a number in some run and nothing else."""
    seen: dict[str, bool] = {}
    for r in rows:
        for k, v in r.values.items():
            if k.startswith(SUMMARY) and v is not None:
                seen[k] = seen.get(k, True) and is_number(v)
    return sorted(k[len(SUMMARY) :] for k, ok in seen.items() if ok)


def varying_config(rows: list[Row]) -> list[str]:
    """The config columns whose runs do not all agree (a constant says nothing), at most ``MAX_AXES``."""
    values: dict[str, set[str]] = {}
    for r in rows:
        for k, v in r.values.items():
            if k.startswith(CONFIG):
                values.setdefault(k, set()).add(repr(v))
    keys = sorted(k for k, vs in values.items() if len(vs) > 1 or any(k not in r.values for r in rows))
    return keys[:MAX_AXES]


def rows_parallel(
    rows: list[Row],
    params: list[tuple[str, str]],
    metric: tuple[str, str] | None,
    logs: dict[str, bool] | None = None,
    goal: str = "maximize",
) -> Parallel:
    """The parallel coordinates and importance of the newest ``MAX_LINES`` rows over
    ``params`` and ``metric`` ((column key, label) pairs; ``logs``: key -> log axis;
    ``goal``: which end of the metric is better)."""
    rows = rows[-MAX_LINES:]
    ranked, method, note = importance(rows, [k for k, _ in params], metric[0]) if metric else ([], "", "")
    labels = dict(params)
    for e in ranked:
        e["key"] = labels[e["key"]]
    return parallel(rows, params, metric, logs=logs, goal=goal, importance=ranked, method=method, note=note)


def compare_data(api: Api, project: str, metric: str | None, rev: int = 0) -> CompareData:
    """``project``'s runs against ``metric`` (default: the first numeric summary key)."""
    rows = project_rows(api, project)
    metrics = summary_metrics(rows)
    chosen = metric if metric is not None else (metrics[0] if metrics else "")
    params = [(k, k[len(CONFIG) :]) for k in varying_config(rows)]
    body = rows_parallel(rows, params, (SUMMARY + chosen, chosen) if chosen else None)
    return {"rev": rev, "project": project, "metrics": metrics, "runs": len(rows), "parallel": body}
