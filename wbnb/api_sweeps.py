"""``Api().sweep(path)`` and ``Api().sweeps(project)``: a sweep read back as wandb's public
API gives it (``id``, ``name``, ``config``, ``state``, ``runs``, ``best_run()``,
``expected_run_count``, ``best_loss``, ``url``), from the store's sweep book
(``sweeps/books.py``) and the store's runs whose metadata names the sweep (``sweep_id``:
the filter ``{"sweep": id}``, as wandb's).

``wbnb.sweeps`` (its config loads numpy) is imported by the calls that read a sweep, not
by ``import wbnb.api`` or the ``wbnb`` command.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Mapping, Sequence
from functools import cached_property
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import quote

from .sdk.run_extras import server_project_url
from .store.base import Store
from .store.filters import iso_time

if TYPE_CHECKING:
    from .sweeps.config import SweepConfig
    from .sweeps.records import SweepBook, SweepRecord, SweepState, TrialRecord

# Run columns wandb's order keys name as they are; any other key is a summary metric.
_RUN_COLUMNS = frozenset({"createdAt", "created_at", "updatedAt", "name", "sweep"})
_RUN_PREFIXES = frozenset({"config", "summary_metrics", "tags"})


class Api(Protocol):
    """What these calls need of ``wbnb.Api``."""

    store: Store
    default_project: str
    default_entity: str | None

    def _store_for(self, entity: str | None) -> Store: ...

    def runs(
        self, path: str | None = None, filters: Mapping[str, Any] | None = None, order: str | None = "+created_at"
    ) -> Sequence[Any]: ...


def book_of(store: Store) -> SweepBook:
    """The sweep book of a store (imported here: the book's SQL loads only when a sweep is read)."""
    from .sweeps.books import book_for

    return book_for(store)


def order_key(order: str) -> str:
    """wandb's reading of a ``best_run(order=)`` key: ``"loss"`` is ``"-summary_metrics.loss"``
    (descending unless ``+``), ``"+val.acc"`` is ``"+summary_metrics.val.acc"``; ``config.*``,
    ``summary_metrics.*``, ``tags`` and the run columns stay as they are."""
    direction, key = (order[0], order[1:]) if order[:1] in ("+", "-") else ("-", order)
    parts = key.split(".")
    if (len(parts) == 1 and key in _RUN_COLUMNS) or (len(parts) > 1 and parts[0] in _RUN_PREFIXES):
        return direction + key
    return f"{direction}summary_metrics.{key}"


class Sweep:
    """A sweep as read back: its config, state and trials from the book, its runs from the
    store. ``runs`` and ``best_run()`` read the store each time (agents may be adding runs);
    ``refresh()`` re-reads the sweep's state."""

    def __init__(self, api: Api, store: Store, record: SweepRecord, entity: str | None) -> None:
        self._api = api
        self._store = store
        self._book = book_of(store)
        self._record = record
        self._entity = record.entity or entity or ""

    def refresh(self) -> None:
        """Re-read the sweep (its state, its trial count) from the book."""
        self._record = self._book.sweep(self.project, self.id)

    def set_state(self, state: SweepState) -> None:
        """Pause (``PAUSED``), resume (``RUNNING``), stop (``FINISHED``: running trials go on)
        or cancel (``CANCELED``: running trials are stopped) the sweep, as ``wbnb sweep --pause``
        etc. do; ``SweepStateError`` when its state does not allow it (a canceled sweep stays so)."""
        self._record = self._book.set_state(self.project, self.id, state)

    def __repr__(self) -> str:
        return f"<Sweep {'/'.join(self.path)} ({self.state})>"

    @property
    def record(self) -> SweepRecord:
        """The book's record of the sweep as last read (times in seconds since the epoch)."""
        return self._record

    @property
    def id(self) -> str:
        """The sweep id (8 lower-case letters and digits)."""
        return self._record.id

    @property
    def project(self) -> str:
        """The project the sweep's runs are logged to."""
        return self._record.project

    @property
    def entity(self) -> str:
        """Who owns it ("" for a local store's sweep made without an entity)."""
        return self._entity

    @property
    def name(self) -> str:
        """Its name: the one given at creation, else the config's ``name``, else its id."""
        return self._record.name or self._record.config.get("name") or self.id

    @property
    def config(self) -> dict[str, Any]:
        """The sweep config as given (a copy: changing it changes nothing)."""
        return copy.deepcopy(self._record.config)

    @property
    def state(self) -> SweepState:
        """``RUNNING``, ``PAUSED``, ``FINISHED``, ``CANCELED`` or ``FAILED`` (as wandb's API spells them)."""
        return self._record.state

    @property
    def reason(self) -> str | None:
        """Why the sweep left ``RUNNING`` when no one asked it to (exhausted, run_cap, failures), else None."""
        return self._record.reason

    @property
    def seed(self) -> int:
        """The seed its random and bayes suggestions draw from (replaying it gives the same ones)."""
        return self._record.seed

    @property
    def created_at(self) -> str | None:
        """When it was created, as wandb writes it: ISO 8601 in UTC."""
        return iso_time(self._record.created_at)

    @property
    def path(self) -> list[str]:
        """``[entity, project, id]``, as wandb gives it."""
        return [self.entity, self.project, self.id]

    @property
    def url(self) -> str:
        """Where the sweep lives: a server's record of it, or a ``file://`` URL under its
        project's folder in the local store (as ``run.sweep_url``)."""
        from .store.local import LocalStore

        store = self._store
        if isinstance(store, LocalStore):
            project = store.project_dir(self.project).as_uri()
        else:  # a server's
            project = server_project_url(store.conn.base_url, store.entity, self.project)  # type: ignore[attr-defined]
        return f"{project}/sweeps/{quote(self.id, safe='')}"

    @cached_property  # a sweep's config never changes
    def parsed(self) -> SweepConfig:
        """The config parsed (``wbnb.sweeps.SweepConfig``): method, metric, parameters..."""
        from .sweeps.config import parse_sweep_config

        return parse_sweep_config(self._record.config)

    @property
    def expected_run_count(self) -> int | None:
        """How many runs the sweep will make: a grid's size (at most ``run_cap``), ``run_cap``
        for random and bayes, None when it has no end (as wandb's)."""
        from .sweeps.search import Grid

        config = self.parsed
        count = Grid(config).size if config.method == "grid" else None
        if config.run_cap is not None:
            count = config.run_cap if count is None else min(count, config.run_cap)
        return count

    @property
    def trials(self) -> list[TrialRecord]:
        """The book's trials in claim order (wbnb's own: params, state, metric value, Hyperband rungs)."""
        return self._book.trials(self.project, self.id)

    @property
    def trial_count(self) -> int:
        """Trials that count towards ``run_cap`` (every one not released)."""
        return self._record.trial_count

    @property
    def best_loss(self) -> float | None:
        """The best metric value among the ended trials (lowest, or highest when the goal is
        ``maximize``), None without a metric or a finite value (wandb's ``bestLoss``)."""
        metric = self.parsed.metric
        values = [t.value for t in self.trials if t.value is not None and math.isfinite(t.value)]
        if metric is None or not values:
            return None
        return max(values) if metric.goal == "maximize" else min(values)

    @property
    def order(self) -> str | None:
        """The order of ``best_run()``: the metric, best first (``+summary_metrics.loss``
        to minimize), None when the config names no metric."""
        metric = self.parsed.metric
        if metric is None:
            return None
        return order_key(("-" if metric.goal == "maximize" else "+") + metric.name)

    @property
    def runs(self) -> Sequence[Any]:
        """The public ``Run`` of each of the sweep's trials, oldest first."""
        return self._runs("+created_at")

    def best_run(self, order: str | None = None) -> Any:
        """The best run by ``order`` (wandb's keys: ``"-val_acc"``, ``"+loss"``; a bare key
        is descending), else by the sweep's metric and goal; runs without the value come
        last (by the metric, also those whose value is NaN or infinite: a trial's value is
        finite). Without either, the most recent run (with a warning, as wandb). None when the
        sweep has no runs."""
        key = order_key(order) if order is not None else self.order
        if key is None:
            from .sdk.term import termwarn

            termwarn("no order given and the sweep config names no metric: returning the most recent run")
            key = "-created_at"
        runs = self._runs(key)
        metric = self.parsed.metric
        if order is None and metric is not None:  # a trial's value is finite (watch.metric_value): so is the best
            from .sweeps.watch import metric_value

            return next(
                (r for r in runs if metric_value(r.summary, metric.name) is not None), runs[0] if runs else None
            )
        return runs[0] if runs else None

    def _runs(self, order: str) -> Sequence[Any]:
        path = f"{self._record.entity}/{self.project}" if self._record.entity else self.project
        return self._api.runs(path, filters={"sweep": self.id}, order=order)


def create(api: Api, config: Mapping[str, Any], name: str | None = None) -> Sweep:
    """A new sweep of the Api's default project in its store (``wbnb sweep sweep.yaml``);
    ``SweepConfigError`` naming the field of a bad config."""
    record = book_of(api.store).create(api.default_project, config, name=name)
    return Sweep(api, api.store, record, api.default_entity)


def sweep(api: Api, path: str) -> Sweep:
    """One sweep by ``ID``, ``project/ID`` or ``entity/project/ID``; ``SweepNotFound``
    (a ``ValueError``, as wandb's) naming the project's sweeps when there is none."""
    from .sweeps.lease import sweep_path
    from .sweeps.records import SweepNotFound

    entity, project, sweep_id = sweep_path(path)
    project = project or api.default_project
    store = api._store_for(entity)
    book = book_of(store)
    try:
        record = book.sweep(project, sweep_id)
    except SweepNotFound:
        known = [s.id for s in book.sweeps(project)]
        listed = f"its sweeps: {', '.join(known[-10:])}" if known else "it has no sweeps"
        other = "" if "/" in str(path) else " (a sweep of another project is named PROJECT/ID)"
        raise SweepNotFound(f"could not find sweep {path!r} in project {project!r}; {listed}{other}") from None
    return Sweep(api, store, record, entity or api.default_entity)


def sweeps(api: Api, entity: str | None, project: str) -> list[Sweep]:
    """The sweeps of a project, oldest first."""
    store = api._store_for(entity)
    return [Sweep(api, store, record, entity or api.default_entity) for record in book_of(store).sweeps(project)]
