"""``Run``: one experiment being logged. Made by ``wbnb.init()``.

``log()`` is the hot path: flatten and validate on the caller's thread, then, under
the run's lock, one durable append through the store's writer, one summary update and
the live listeners. Everything slow (system sampling, metadata collection, console
capture) runs on other threads, and storage trouble after ``init()`` is warned, never
raised. A run belongs to the process that started it: in a forked child it is inert
(``forked.py``).
"""

from __future__ import annotations

import glob as globlib
import os
import shutil
import threading
import time
import traceback
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from ..errors import TrialStopped
from ..store.base import RunWriter, Store
from ..store.edits import check_tags
from ..store.runmeta import Goal, MetricSpec, State, check_field, given
from ..store.summary import SummaryTracker, parse_modes
from . import run_extras
from .alert import AlertLevel, record_alert
from .config import Config
from .forked import ForkedWriter
from .log_code import LoggedCode, PathFilter, exclude_tooling, include_source, log_code
from .restore_hook import restore
from .settings import Settings
from .summary import Summary
from .values import SCALARS, flatten, plain_keys, plain_values, storable
from .watch import Watcher

Listener = Callable[[int, float, dict[str, Any]], None]


@dataclass(frozen=True)
class Metric:
    """What ``define_metric`` registered."""

    name: str
    step_metric: str | None = None
    summary: str | None = None
    goal: str | None = None
    hidden: bool = False


class Run:
    """A run being logged: ``log``, ``config``, ``summary``, ``finish``.

    Use it as a context manager to finish it (as ``failed`` when the block raises).
    """

    def __init__(
        self, store: Store, writer: RunWriter, settings: Settings, on_finish: Callable[[Run], None] | None = None
    ) -> None:
        self._store = store
        self._writer = writer
        self._log_row = writer.log_row
        self._settings = settings
        self._on_finish = on_finish
        meta = writer.meta
        self._meta = meta
        self._start = time.time() - float(meta.get("runtime") or 0.0)
        self._step = writer.next_step
        # One lock for everything that moves the step or writes: log() from any thread,
        # config / summary changes, finish(). Re-entrant: a listener may log.
        self._lock = threading.RLock()
        self._open = True  # False once finished, or in a forked child: log()'s one check
        self._finished = False
        self._owner = os.getpid()
        self._warned: set[str] = set()
        self._listeners: list[Listener] = []
        self._interrupt: BaseException | None = None  # a listener's: log() raises it once its record is stored
        self._exception: str | None = None  # the last exception recorded ("Type: message")
        self._plain_keys: set[tuple[str, ...]] = set()  # key tuples log() may store as they are
        self._saved_globs: list[tuple[str, str | None]] = []
        self._alerts: dict[str, float] = {}
        self._stoppers: list[Callable[[float], None]] = []  # context collectors; finish() calls stop(timeout)
        self._ended: list[Callable[[], None]] = []  # after_finish callbacks
        self._watcher: Watcher | None = None  # made by the first watch()
        self._tracker = SummaryTracker(meta.get("metrics"))
        self._tracker.values.update({k: v for k, v in writer.last_values.items() if not k.startswith("_")})
        self._tracker.explicit.update(meta.get("summary_explicit", {}))
        self._last_values = self._tracker.values
        self.summary = Summary(self._tracker, self._summary_changed, self._lock)
        self.config = Config(self._config_changed, allow_val_change=bool(settings.allow_val_change), lock=self._lock)
        self.config._items.update(meta.get("config", {}))

    # -- identity --------------------------------------------------------------------

    @property
    def id(self) -> str:
        """The run's unique id within its project."""
        return self._meta["id"]

    @property
    def name(self) -> str:
        """The display name (settable)."""
        return self._meta.get("name") or self.id  # set by the store that made it; an edit may clear it

    @name.setter
    def name(self, value: str | None) -> None:
        self._save_meta(name=check_field("name", value))

    @property
    def project(self) -> str:
        """The project the run belongs to."""
        return self._meta["project"]

    @property
    def entity(self) -> str:
        """Who the run belongs to (the user name for a local store)."""
        return self._meta.get("entity") or ""

    @property
    def notes(self) -> str | None:
        """Free-text notes (settable)."""
        return self._meta.get("notes")

    @notes.setter
    def notes(self, value: str | None) -> None:
        self._save_meta(notes=check_field("notes", value))

    @property
    def tags(self) -> tuple[str, ...]:
        """Tags (settable, to a list or tuple of strings)."""
        return tuple(self._meta.get("tags") or ())

    @tags.setter
    def tags(self, value: Any) -> None:
        self._save_meta(tags=check_tags(value))

    @property
    def group(self) -> str | None:
        """The group the run is in, if any."""
        return self._meta.get("group")

    @property
    def job_type(self) -> str | None:
        """The job type, if any."""
        return self._meta.get("job_type")

    @property
    def dir(self) -> str:
        """A folder whose files are kept with the run."""
        return str(self._writer.files_dir)

    @property
    def path(self) -> str:
        """``entity/project/id``, what ``Api().run()`` takes."""
        return f"{self.entity}/{self.project}/{self.id}"

    @property
    def url(self) -> str:
        """The run's folder or server URL."""
        return run_extras.run_url(self._meta, self.dir)

    @property
    def project_url(self) -> str:
        """Its project's URL."""
        return run_extras.project_url(self._meta, self.dir)

    @property
    def sweep_url(self) -> str | None:
        """Its sweep's URL, if any."""
        return run_extras.sweep_url(self._meta, self.dir)

    @property
    def sweep_id(self) -> str | None:
        """The sweep the run is in, if any."""
        return self._meta.get("sweep_id")

    @property
    def step(self) -> int:
        """The step the next ``log()`` goes to."""
        return self._step

    @property
    def start_time(self) -> float:
        """When the run started (seconds since the epoch)."""
        return self._start

    @property
    def resumed(self) -> bool:
        """Whether this run continues an earlier one."""
        return bool(self._meta.get("resumed"))

    @property
    def state(self) -> str:
        """``running`` until finished, then ``finished``, ``failed`` or ``killed`` (a sweep stopped it)."""
        return self._meta.get("state", "running")

    @property
    def settings(self) -> Settings:
        """The settings the run was made with."""
        return self._settings

    mode = property(lambda self: self._settings.mode, doc="online, offline or disabled")
    offline = property(lambda self: self._settings.mode == "offline", doc="True in offline mode")
    disabled = property(lambda self: False, doc="True for a disabled run")

    def __repr__(self) -> str:
        return f"<wbnb.Run {self.project}/{self.id} ({self.name}) {self.state}>"

    # -- logging ---------------------------------------------------------------------

    def log(
        self, data: Mapping[str, Any], step: int | None = None, commit: bool | None = None, sync: bool | None = None
    ) -> None:
        """Record metrics (and media) at the current step; safe from any thread.

        ``step`` moves to that step (it must not go backwards: the record is dropped
        with a warning); ``commit=False`` keeps the step open for more keys. The step
        is the run's, not the thread's: records of one step stay consecutive and steps
        never go backwards, whichever threads log. Nested dicts flatten to ``a/b``
        keys. Returns once the record survives a crash.
        """
        if (
            type(data) is dict
            and (keys := tuple(data)) in self._plain_keys
            and (SCALARS.issuperset(map(type, values := data.values())) or plain_values(values))
        ):
            row = data  # hot path: known-good keys and plain values (checked in C), no copy
        else:
            row, keys = self._flatten(data)
        if step is not None and type(step) is not int:
            step = as_step(step)
        with self._lock:
            if not self._open:
                return self._closed("log")
            if step is not None:
                if step < self._step:
                    self._warn_once(
                        "step",
                        f"wbnb.log: step {step} is before the current step {self._step}; steps must not go "
                        f"backwards, so this record ({', '.join(row) or 'no keys'}) was dropped. "
                        "(Warned once per run.)",
                    )
                    return
                self._step = step
            now = time.time()
            self._log_row(self._step, now, now - self._start, keys, row.values())
            self._last_values.update(row)  # SummaryTracker.observe, inlined: this is the hot path
            if self._tracker.metrics:
                self._tracker.observe_ruled(row)
            if self._listeners:
                for listener in self._listeners:
                    listener(self._step, now, row)
                if self._interrupt is not None:
                    self._raise_interrupt(commit or (commit is None and step is None))
            if commit or (commit is None and step is None):
                self._step += 1

    def _raise_interrupt(self, advance: bool) -> None:
        """Raise what a listener asked ``log()`` to raise, after the step moves on as it would
        have: the record is stored, the next ``log()`` (if the caller goes on) raises again
        only if asked again."""
        if advance:
            self._step += 1
        interrupt, self._interrupt = self._interrupt, None
        if interrupt is not None:
            raise interrupt

    def _flatten(self, data: Mapping[str, Any]) -> tuple[dict[str, Any], tuple[str, ...]]:
        """The general path of ``log``: validate, convert and flatten; remember key
        tuples that needed nothing so the next call with them takes the hot path."""
        if self._finished:  # before media are encoded for nothing
            self._closed("log")
        if not isinstance(data, Mapping):
            raise TypeError(f"wbnb.log: expected a dict of {{key: value}}, got {type(data).__name__}")
        row = flatten(data, self._writer)
        keys = tuple(row)
        if type(data) is dict and keys == tuple(data) and plain_keys(keys):
            if len(self._plain_keys) > 10_000:  # keys that change every step: keep it bounded
                self._plain_keys.clear()
            self._plain_keys.add(keys)
        return row, keys

    def add_listener(self, listener: Listener) -> Callable[[], None]:
        """Call ``listener(step, timestamp, row)`` after each ``log``; returns a remover.

        Used by the live widgets; a listener must be quick, must not raise, and must
        copy ``row`` if it keeps it (it may be the caller's own dict).
        """
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener) if listener in self._listeners else None

    def interrupt_log(self, exc: BaseException) -> None:
        """Have the ``log()`` now calling its listeners raise ``exc`` once its record is
        stored; called from a listener (a sweep's Hyperband watch stops a trial so:
        ``wbnb.errors.TrialStopped``)."""
        self._interrupt = exc

    def at_finish(self, callback: Callable[[float], None]) -> None:
        """Call ``callback(timeout)`` when the run finishes, after the last ``log`` and
        before the final flush (displays use it to freeze on the final data)."""
        self._stoppers.append(callback)

    def after_finish(self, callback: Callable[[], None]) -> None:
        """Call ``callback()`` once the run has its final state, stored (displays use it to
        redraw their header); a failing callback is ignored."""
        self._ended.append(callback)

    def define_metric(
        self,
        name: str,
        step_metric: str | None = None,
        step_sync: bool | None = None,
        hidden: bool | None = None,
        summary: str | None = None,
        goal: Goal | None = None,
        overwrite: bool | None = None,
    ) -> Metric:
        """Say how a metric (or a glob such as ``"val/*"``) is summarised and charted.

        ``summary`` is one or more of min, max, mean, first, last, best, none
        (comma-separated); ``step_metric`` names the key to use as its x-axis.
        """
        if not isinstance(name, str) or not name:
            raise TypeError(f"define_metric: name must be a non-empty str, got {name!r}")
        if goal not in (None, "minimize", "maximize"):
            raise ValueError(f"define_metric: goal must be 'minimize' or 'maximize', got {goal!r}")
        parse_modes(summary, goal)
        spec: MetricSpec = {"step_metric": step_metric, "summary": summary, "goal": goal, "hidden": bool(hidden)}
        check_field("metrics", {name: spec})  # as the server checks it
        with self._lock:  # log() on another thread reads the rules
            metrics = dict(self._meta.get("metrics") or {})
            if overwrite is False and name in metrics:
                spec = {**spec, **given(metrics[name])}
            metrics[name] = spec
            if step_metric and step_metric not in metrics:
                metrics[step_metric] = {"step_metric": None, "summary": None, "goal": None, "hidden": False}
            self._tracker.set_metrics(metrics)
            self._writer.save_meta(metrics=metrics)
        return Metric(name, step_metric, summary, goal, bool(hidden))

    def alert(
        self, title: str, text: str, level: str | AlertLevel = AlertLevel.INFO, wait_duration: float | Any | None = None
    ) -> None:
        """Record an alert with the run and print it. An alert with the same title
        within ``wait_duration`` (seconds or a timedelta) of the last is suppressed."""
        with self._lock:
            if not self._open:
                return self._closed(f"alert {title!r}")
            record_alert(self._writer, self._alerts, title, text, level, wait_duration)

    def save(
        self, glob_str: str | os.PathLike[str], base_path: str | os.PathLike[str] | None = None, policy: str = "live"
    ) -> list[str]:
        """Copy files matching ``glob_str`` into ``run.dir``; ``live`` and ``end``
        copy them again at ``finish()``. Returns the saved paths."""
        if policy not in ("live", "now", "end"):
            raise ValueError(f"save: policy must be 'live', 'now' or 'end', got {policy!r}")
        glob_str = os.fspath(glob_str)
        base = os.fspath(base_path) if base_path is not None else None
        saved = self._copy_matches(glob_str, base)
        if not saved:
            self._warn_once(f"save:{glob_str}", f"wbnb.save: no files match {glob_str!r} (yet)")
        if policy != "now":
            self._saved_globs.append((glob_str, base))
        return saved

    def _copy_matches(self, glob_str: str, base: str | None) -> list[str]:
        root = os.path.abspath(base if base is not None else _glob_root(glob_str))
        out = []
        for match in globlib.glob(glob_str, recursive=True):
            src = os.path.abspath(match)
            if not os.path.isfile(src):
                continue
            rel = os.path.relpath(src, root)
            if rel.startswith(".."):
                raise ValueError(f"save: {src} is not under base_path {root}")
            dst = os.path.join(self.dir, rel)
            if os.path.abspath(dst) != src:
                os.makedirs(os.path.dirname(dst), exist_ok=True)
                shutil.copy2(src, dst)
            out.append(dst)
        return out

    def log_code(
        self,
        root: str | os.PathLike[str] | None = ".",
        name: str | None = None,
        include_fn: PathFilter = include_source,
        exclude_fn: PathFilter = exclude_tooling,
    ) -> LoggedCode | None:
        """Keep the source files below ``root`` with the run, each stored once by
        content (``*.py``, ``requirements.txt``, Dockerfiles by default; see ``log_code.py``)."""
        return log_code(self._writer, self.project, self.settings.dir, root, name, include_fn, exclude_fn)

    def mark_preempting(self) -> None:
        """Record that the run expects to be stopped (it stays ``running``)."""
        run_extras.record_preempting(self._writer, self.id)

    def restore(
        self, name: str, run_path: str | None = None, replace: bool = False, root: str | os.PathLike[str] | None = None
    ) -> IO[str] | None:
        """``wbnb.restore`` from this run (default) into ``root`` (default: ``run.dir``)."""
        return restore(name, run_path or self.path, replace, root if root is not None else self.dir)

    # -- artifacts (run_artifacts.py) ----------------------------------------------------

    def log_artifact(
        self,
        artifact_or_path: Any,
        name: str | None = None,
        type: str | None = None,
        aliases: list[str] | None = None,
        tags: list[str] | None = None,
    ) -> Any:
        """Log an ``Artifact`` (or a file, folder or URI made into one) as this run's
        output; returns it logged (``version``, ``aliases``, ``digest`` set). Content
        identical to an earlier version makes no new version: that one gains ``aliases``."""
        from . import run_artifacts

        self._acting("log_artifact")
        return run_artifacts.log_artifact(self, artifact_or_path, name, type, aliases, tags)

    def use_artifact(
        self,
        artifact_or_name: Any,
        type: str | None = None,
        aliases: list[str] | None = None,
        use_as: str | None = None,
    ) -> Any:
        """Mark a version as this run's input and return it (``"name:alias"``,
        ``"name:vN"``, ``"entity/project/name:alias"``, a registry path or an ``Artifact``)."""
        from . import run_artifacts

        self._acting("use_artifact")
        return run_artifacts.use_artifact(self, artifact_or_name, type, aliases, use_as)

    def link_artifact(self, artifact: Any, target_path: str, aliases: list[str] | None = None) -> Any:
        """Link a version into a registry collection (``wandb-registry-<registry>/<name>``
        or ``model-registry/<name>``); returns the linked version."""
        from . import run_artifacts

        self._acting("link_artifact")
        return run_artifacts.link_artifact(self, artifact, target_path, aliases)

    def log_model(self, path: str | os.PathLike[str], name: str | None = None, aliases: list[str] | None = None) -> Any:
        """Log a model file or folder as a ``model`` artifact; returns it."""
        from . import run_artifacts

        self._acting("log_model")
        return run_artifacts.log_model(self, path, name, aliases)

    def use_model(self, name: str) -> str:
        """Use a ``model`` artifact and download it; returns the local path of its
        file (one-file models) or folder."""
        from . import run_artifacts

        self._acting("use_model")
        return run_artifacts.use_model(self, name)

    def link_model(
        self,
        path: str | os.PathLike[str],
        registered_model_name: str,
        name: str | None = None,
        aliases: list[str] | None = None,
    ) -> Any:
        """Log a model and link it into the model registry
        (``wandb-registry-model/<registered_model_name>``); returns the link."""
        from . import run_artifacts

        self._acting("link_model")
        return run_artifacts.link_model(self, path, registered_model_name, name, aliases)

    def watch(
        self,
        models: Any,
        criterion: Any = None,
        log: str | None = "gradients",
        log_freq: int = 1000,
        idx: int | None = None,
        log_graph: bool = False,
        scaler: Any = None,
    ) -> None:
        """Log histograms of a torch model's (or a list of models') gradients and/or
        parameters (``log``: "gradients", "parameters", "all" or None): each parameter's
        every ``log_freq``-th gradient, the parameters at every ``log_freq``-th backward
        pass through the model (whichever of its modules the training code calls),
        joining the next ``log()`` step as ``gradients/<param>`` /
        ``parameters/<param>`` (the model of index ``idx`` > 0: ``gradients/graph_<idx><param>``,
        as wandb). Watching a model again replaces its hooks; ``finish()`` and
        ``unwatch()`` remove them. ``DataParallel`` / DDP / ``torch.compile`` wrappers are
        unwrapped (no ``module.`` in names). Tensors over 1M elements are sampled (every
        k-th element) before binning. ``scaler``, a wbnb addition: the
        ``torch.amp.GradScaler`` of a mixed-precision loop, whose scale the gradients are
        divided by. ``criterion`` and ``log_graph`` are accepted for wandb's signature; no
        graph is stored (``log_graph=True`` says so)."""
        if not self._open:  # finished: an error (its hooks would outlive it); a forked child: dropped
            self._closed("watch")
            return
        if log_graph:
            self._warn_once("watch-graph", "wbnb.watch: log_graph is not supported (no model graph is stored)")
        if self._watcher is None:
            finished = lambda: self._finished
            self._watcher = Watcher(self.log, finished)
        self._watcher.watch(models, log=log, log_freq=log_freq, idx=idx, scaler=scaler)

    def unwatch(self, models: Any = None) -> None:
        """Remove the hooks ``watch`` installed on ``models`` (one or a list), or on every
        watched model when None."""
        if self._watcher is not None:
            self._watcher.unwatch(models)

    # -- persistence callbacks ---------------------------------------------------------

    # Both are called by Config / Summary holding the run's lock, before the change applies.

    def _config_changed(self, changes: dict[str, Any], config: dict[str, Any]) -> None:
        if not self._open:
            self._closed(f"config[{next(iter(changes))!r}]")
        self._writer.log_event({"kind": "config", "set": changes, "t": time.time()})
        self._writer.save_meta(config=config)

    def _summary_changed(self, changes: dict[str, Any], deleted: list[str]) -> dict[str, Any]:
        if not self._open:
            self._closed(f"summary[{next(iter([*changes, *deleted]))!r}]")
        clean = {k: storable(k, v, self._writer) for k, v in changes.items()}
        self._writer.log_event({"kind": "summary", "set": clean, "deleted": deleted, "t": time.time()})
        explicit = {**self._tracker.explicit, **clean}
        for key in deleted:
            explicit.pop(key, None)
        self._writer.save_meta(summary_explicit=explicit)
        return clean

    def _closed(self, what: str) -> None:
        """A call on a run that is not open here: an error once it is finished; in a
        forked child, one warning (the call is dropped: the parent owns the run)."""
        if self._finished:
            raise RuntimeError(
                f"wbnb: {what}: run {self.name} ({self.project}/{self.id}) is finished; "
                "call wbnb.init() to start a new one"
            )
        self._warn_once(
            "forked",
            f"wbnb: {what} was dropped: run {self.project}/{self.id} belongs to process {self._owner}; "
            "call wbnb.init() in the child to log from it",
        )

    def _acting(self, what: str) -> None:
        """An artifact call records the run in lineage: refused (``RuntimeError``) on a
        finished run and in a forked child, where the run is the parent's."""
        if self._finished:
            self._closed(what)  # raises
        if not self._open:
            raise RuntimeError(
                f"wbnb: {what}: run {self.project}/{self.id} belongs to process {self._owner}; "
                "call wbnb.init() in the child to log from it, or read a version with wbnb.Api().artifact(...)"
            )

    def _forked(self) -> None:
        """Called in a forked child (``os.register_at_fork``): make this run inert here.
        The parent still writes it, so the child never writes, closes or finishes it."""
        self._open = False
        self._lock = threading.RLock()  # another thread may have held it at the fork
        object.__setattr__(self.summary, "_lock", self._lock)
        object.__setattr__(self.config, "_lock", self._lock)
        self._writer = ForkedWriter(self._writer, lambda: self._closed("a write"))
        self._log_row = self._writer.log_row
        self._listeners.clear()
        self._stoppers.clear()
        self._ended.clear()

    def _save_meta(self, **changes: Any) -> None:
        with self._lock:  # one run.json writer at a time
            self._writer.save_meta(**changes)

    def _warn_once(self, topic: str, message: str) -> None:
        if topic not in self._warned:
            self._warned.add(topic)
            warnings.warn(message, RuntimeWarning, stacklevel=3)

    def record_exception(self, exc: BaseException) -> None:
        """Keep an exception (or interrupt) with the run as an event."""
        self._exception = f"{type(exc).__name__}: {exc}"  # why it failed, for a sweep's trial
        event = {
            "kind": "exception",
            "type": type(exc).__name__,
            "message": str(exc),
            "traceback": "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))[-20000:],
            "t": time.time(),
        }
        with self._lock:
            if self._open:
                self._writer.log_event(event)

    # -- the end ---------------------------------------------------------------------

    def finish(self, exit_code: int | None = None, quiet: bool | None = None) -> None:
        """Flush everything, set the final state (``failed`` for a non-zero exit code)
        and print the summary. Idempotent, and bounded by ``settings.finish_timeout``."""
        self._end(exit_code, quiet)

    def _end(self, exit_code: int | None, quiet: bool | None, state: State | None = None) -> None:
        """``finish``, or with ``state="killed"`` the end of a run stopped from outside (a
        sweep's agent: Hyperband, a canceled sweep, Ctrl-C)."""
        with self._lock:  # a log() on another thread lands before, or raises "finished"
            if not self._open:
                return  # finished already, or a forked child's copy: the parent finishes it
            self._open = False
            self._finished = True
        from .finish import Ending, finish_run

        parts = Ending(self._writer, self._lock, self._stoppers, self._saved_globs, self._copy_matches, self._ended)
        finish_run(self, parts, exit_code, quiet, state)
        if self._on_finish is not None:
            self._on_finish(self)

    def history_columns(self, samples: int = 1000) -> dict[str, Any]:
        """Up to ``samples`` evenly spaced steps logged so far, as aligned columns
        (what the end-of-run sparklines need)."""
        return self._store.columns(self.project, self.id, samples=samples)

    def __enter__(self) -> Run:
        return self

    def __exit__(self, exc_type: Any, exc: BaseException | None, tb: Any) -> None:
        # A sweep's stop (Hyperband, a canceled sweep), or Ctrl-C in a sweep's trial, leaves
        # the block through here before the agent sees it: the run ends killed, not failed.
        if isinstance(exc, TrialStopped) or (isinstance(exc, KeyboardInterrupt) and self.sweep_id):
            self._end(exit_code=None, quiet=None, state="killed")
            return
        if exc is not None:
            self.record_exception(exc)
        self.finish(exit_code=1 if exc is not None else 0)


def as_step(step: Any) -> int:
    """Accept ints and integral numpy / torch scalars as a step."""
    try:
        value = int(step)
    except (TypeError, ValueError):
        raise TypeError(f"wbnb.log: step must be an int, got {type(step).__name__}") from None
    if value != step or isinstance(step, bool):
        raise TypeError(f"wbnb.log: step must be an int, got {step!r}")
    if value < 0:
        raise ValueError(f"wbnb.log: step must be >= 0, got {value}")
    return value


def _glob_root(glob_str: str) -> str:
    """The folder part of a glob before its first wildcard."""
    parts = Path(glob_str).parts
    fixed = []
    for part in parts[:-1]:
        if globlib.has_magic(part):
            break
        fixed.append(part)
    return os.path.join(*fixed) if fixed else "."
