"""What the sweep panel shows, read from the sweep's book (its config and trials) and the
store (each trial's run: name, config, summary, and with Hyperband its metric history)."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from ...store.errors import StoreError
from ...sweeps.config import SweepConfig, parse_sweep_config
from ...sweeps.distributions import Constant
from ...sweeps.hyperband import thresholds
from ...sweeps.records import ENDED, SweepBook, TrialRecord
from ..compare.model import rows_parallel
from ..compare.parallel import Row, is_number
from ..pictures.svg import number
from .contract import MAX_ITERATIONS, Rung, SweepData, Trace, TrialRow

if TYPE_CHECKING:
    from ...api import Api

PARAM = "param."  # the parallel coordinates' column of a parameter (its path joined by ".")
METRIC = "metric"


def sweep_path(path: str, project: str | None, default_project: str) -> tuple[str | None, str, str]:
    """(entity, project, sweep id) of ``ID``, ``project/ID`` or ``entity/project/ID``."""
    parts = str(path).strip("/").split("/")
    if not 1 <= len(parts) <= 3 or not all(parts):
        raise ValueError(f"sweep path {path!r} is not 'ID', 'project/ID' or 'entity/project/ID'")
    entity = parts[0] if len(parts) == 3 else None
    return entity, parts[-2] if len(parts) >= 2 else project or default_project, parts[-1]


def param_columns(config: SweepConfig) -> tuple[list[str], dict[str, bool]]:
    """The parameters a trial varies (paths joined by "."; constants left out), and which
    are drawn on log axes (their distribution is log)."""
    keys, logs = [], {}
    for path, dist in config.leaves().items():
        if not isinstance(dist, Constant):
            key = ".".join(path)
            keys.append(key)
            logs[PARAM + key] = dist.log_scale
    return keys, logs


def _leaf(params: dict[str, Any], key: str) -> Any:
    value: Any = params
    for part in key.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def _better(goal: str, a: float, b: float) -> bool:
    return a > b if goal == "maximize" else a < b


def best_so_far(values: list[float | None], goal: str) -> list[float | None]:
    """The best of ``values`` up to each one (``goal``: minimize or maximize)."""
    best: float | None = None
    out: list[float | None] = []
    for v in values:
        if v is not None and (best is None or _better(goal, v, best)):
            best = v
        out.append(best)
    return out


def _trace(t: TrialRecord, name: str, history: list[float]) -> Trace:
    step = max(1, math.ceil(len(history) / MAX_ITERATIONS))
    xs = list(range(1, len(history) + 1))
    picked = set(xs[::step]) | ({xs[-1]} if xs else set())
    cut = t.stop.get("band") if t.stop else None
    return {
        "run_id": t.run_id,
        "name": name,
        "state": t.state,
        "x": [x for x in xs if x in picked],
        "y": [history[x - 1] for x in xs if x in picked],
        "cut": int(cut) if isinstance(cut, int) else None,
    }


def metric_history(api: Api, project: str, run_id: str, metric: str) -> list[float]:
    """The run's logged values of ``metric``, in order (the iterations Hyperband counts)."""
    try:
        column = api.store.columns(project, run_id).get(metric)
    except (StoreError, OSError):  # a run not opened yet, or unreadable: nothing to draw
        return []
    return [float(v) for v in column if v is not None and is_number(float(v))] if column is not None else []


def sweep_data(
    book: SweepBook,
    api: Api,
    project: str,
    sweep_id: str,
    rev: int = 0,
    histories: dict[str, list[float]] | None = None,
) -> SweepData:
    """The sweep ``project/sweep_id`` as the panel shows it now. ``histories``: the metric
    histories of ended trials read before (run id -> values), kept there for the next call."""
    cache = {} if histories is None else histories
    record = book.sweep(project, sweep_id)
    config = parse_sweep_config(record.config)
    metric = config.metric.name if config.metric else ""
    goal = config.metric.goal if config.metric else "minimize"
    trials = book.trials(project, sweep_id)
    ids = {t.run_id for t in trials}
    runs = {r.id: r for r in api.runs(project, order=None) if r.id in ids}
    keys, logs = param_columns(config)
    rows: list[Row] = []
    table: list[TrialRow] = []
    for t in trials:
        run = runs.get(t.run_id)
        name = (run.meta.get("name") if run else None) or t.run_id
        value = t.value
        if value is None and run is not None and metric:  # running: its summary so far
            current = run.summary.get(metric)
            value = float(current) if is_number(current) else None
        cells = [_leaf(t.params, k) for k in keys]
        table.append(
            {
                "seq": t.seq,
                "run_id": t.run_id,
                "name": str(name),
                "state": t.state,
                "params": ["" if c is None else number(float(c)) if is_number(c) else str(c) for c in cells],
                "value": value,
                "value_text": "" if value is None else number(value),
            }
        )
        if t.state != "released":
            values: dict[str, Any] = {PARAM + k: c for k, c in zip(keys, cells)}
            values[METRIC] = value
            rows.append(Row(t.run_id, str(name), t.state, values))
    traces: list[Trace] = []
    rungs: list[Rung] = []
    rule = config.early_terminate
    if rule is not None and metric:
        live = [r for r in table if r["state"] != "released"]
        runs_values: list[list[float]] = []
        for r in live:
            history = cache.get(r["run_id"])
            if history is None:
                history = metric_history(api, project, r["run_id"], metric)
                if r["state"] in ENDED:  # its run wrote its last value
                    cache[r["run_id"]] = history
            runs_values.append(history)
        byrun = {t.run_id: t for t in trials}
        traces = [_trace(byrun[r["run_id"]], r["name"], h) for r, h in zip(live, runs_values)]
        rungs = [{"band": b, "threshold": v} for b, v in thresholds(runs_values, rule, goal)]
    return {
        "rev": rev,
        "id": record.id,
        "project": project,
        "name": record.name or str(config.name or record.id),
        "state": record.state,
        "method": config.method,
        "metric": metric,
        "goal": goal,
        "params": keys,
        "trials": table,
        "best": best_so_far([r["value"] for r in table], goal),
        "traces": traces,
        "rungs": rungs,
        "parallel": rows_parallel(
            rows, [(PARAM + k, k) for k in keys], (METRIC, metric) if metric else None, logs, goal
        ),
    }
