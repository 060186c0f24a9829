"""What the sweep panel shows, read from the sweep's book (its config and trials) and the
store (each trial's run: name, config, summary, and with Hyperband its metric history)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
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


@dataclass
class EndedRuns:
    """What is read once of an ended trial's run, kept between re-reads of a sweep: its
    name and its metric history (run id -> each). A running trial's run is read each time."""

    names: dict[str, str] = field(default_factory=dict)
    histories: dict[str, list[float]] = field(default_factory=dict)


def _name_and_value(api: Api, project: str, t: TrialRecord, metric: str, ended: EndedRuns) -> tuple[str, float | None]:
    """The trial's run name, and its metric value (the book's; a running one's summary so far)."""
    if t.run_id in ended.names:
        return ended.names[t.run_id], t.value
    try:
        run = api.run(f"{project}/{t.run_id}")
    except (StoreError, OSError, ValueError):  # not opened yet, or unreadable
        return t.run_id, t.value
    name = str(run.meta.get("name") or t.run_id)
    if t.state in ENDED:
        ended.names[t.run_id] = name
    value = t.value
    if value is None and metric and t.state not in ENDED:
        current = run.summary.get(metric)
        value = float(current) if is_number(current) else None
    return name, value


def _hyperband(
    api: Api, project: str, config: SweepConfig, table: list[TrialRow], trials: list[TrialRecord], ended: EndedRuns
) -> tuple[list[Trace], list[Rung]]:
    """Each (not released) trial's metric per iteration, and the threshold at each band."""
    rule, metric = config.early_terminate, config.metric
    if rule is None or metric is None:
        return [], []
    shown = [(r, t) for r, t in zip(table, trials) if t.state != "released"]
    histories: list[list[float]] = []
    for _, t in shown:
        history = ended.histories.get(t.run_id)
        if history is None:
            history = metric_history(api, project, t.run_id, metric.name)
            if t.state in ENDED:  # its run wrote its last value
                ended.histories[t.run_id] = history
        histories.append(history)
    traces = [_trace(t, r["name"], h) for (r, t), h in zip(shown, histories)]
    return traces, [{"band": b, "threshold": v} for b, v in thresholds(histories, rule, metric.goal)]


def sweep_data(
    book: SweepBook, api: Api, project: str, sweep_id: str, rev: int = 0, ended: EndedRuns | None = None
) -> SweepData:
    """The sweep ``project/sweep_id`` as the panel shows it now (``ended``: what earlier
    reads kept of ended trials' runs, kept there for the next)."""
    ended = EndedRuns() if ended is None else ended
    record = book.sweep(project, sweep_id)
    config = parse_sweep_config(record.config)
    metric = config.metric.name if config.metric else ""
    goal = config.metric.goal if config.metric else "minimize"
    trials = book.trials(project, sweep_id)
    keys, logs = param_columns(config)
    rows: list[Row] = []
    table: list[TrialRow] = []
    for t in trials:
        name, value = _name_and_value(api, project, t, metric, ended)
        cells = [_leaf(t.params, k) for k in keys]
        table.append(
            {
                "seq": t.seq,
                "run_id": t.run_id,
                "name": name,
                "state": t.state,
                "params": ["" if c is None else number(float(c)) if is_number(c) else str(c) for c in cells],
                "value": value,
                "value_text": "" if value is None else number(value),
            }
        )
        if t.state != "released":
            values: dict[str, Any] = {PARAM + k: c for k, c in zip(keys, cells)}
            values[METRIC] = value
            rows.append(Row(t.run_id, name, t.state, values))
    traces, rungs = _hyperband(api, project, config, table, trials, ended)
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
