"""The end of a run: stop the collectors, flush, set the state, show the summary.

Every step that could wait (joining threads, fsync, reading history back for the
sparklines) shares one deadline, ``settings.finish_timeout``, so ``finish()`` is
bounded however slow the disk or a collector is. The final state is written before
any of that, on the caller's thread: a deadline of 0 means "don't wait", never "leave
the run running". Nothing here raises into the user's code.
"""

from __future__ import annotations

import sys
import threading
import time
import warnings
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any, Protocol

from ..store.base import RunWriter
from ..store.runmeta import State
from .metadata import NOTEBOOKS, detect_environment
from .settings import Settings
from .sparklines import render_summary_html, render_summary_text


class Finishing(Protocol):
    """The public side of a run that its end reads (``sdk.run.Run`` is one)."""

    @property
    def settings(self) -> Settings: ...
    @property
    def summary(self) -> Any: ...
    @property
    def start_time(self) -> float: ...
    @property
    def step(self) -> int: ...
    @property
    def name(self) -> str: ...
    @property
    def project(self) -> str: ...
    @property
    def id(self) -> str: ...
    @property
    def state(self) -> str: ...
    @property
    def url(self) -> str: ...
    def unwatch(self, models: Any = None) -> None: ...
    def history_columns(self, samples: int = 1000) -> dict[str, Any]: ...


@dataclass(frozen=True)
class Ending:
    """The run's own parts that its end works on, handed over by ``Run.finish`` (so
    this module reads nothing private of a run)."""

    writer: RunWriter
    lock: AbstractContextManager[Any]  # held while saving the metadata: its thread may be saving too
    stoppers: list[Callable[[float], None]]  # context collectors: stop(timeout)
    saved_globs: list[tuple[str, str | None]]  # run.save(policy="end"/"live") globs, copied once more
    copy_matches: Callable[[str, str | None], list[str]]
    ended: list[Callable[[], None]]  # after_finish callbacks


def bounded(fn: Callable[[], Any], timeout: float, what: str) -> Any:
    """Run ``fn`` on a helper thread and wait at most ``timeout`` seconds for it."""
    result: list[Any] = []
    errors: list[BaseException] = []

    def target() -> None:
        try:
            result.append(fn())
        except BaseException as e:
            errors.append(e)

    worker = threading.Thread(target=target, name=f"wbnb-{what}", daemon=True)
    worker.start()
    worker.join(max(0.0, timeout))
    if worker.is_alive():
        if timeout <= 0:
            return None  # the user asked not to wait (finish_timeout=0)
        warnings.warn(
            f"wbnb: {what} did not finish within {timeout:.1f}s; it goes on in the background",
            RuntimeWarning,
            stacklevel=3,
        )
        return None
    if errors:
        warnings.warn(f"wbnb: {what} failed: {errors[0]!r}", RuntimeWarning, stacklevel=3)
        return None
    return result[0] if result else None


def finish_run(
    run: Finishing, ending: Ending, exit_code: int | None, quiet: bool | None, state: State | None = None
) -> None:
    """Finish ``run`` (called once, by ``Run.finish``) as ``state``: by default ``finished``,
    or ``failed`` for a non-zero exit code."""
    deadline = time.monotonic() + run.settings.finish_timeout
    remaining = lambda: deadline - time.monotonic()
    run.unwatch()
    for stop in ending.stoppers:
        stop(max(0.0, min(2.0, remaining())))
    for glob_str, base in ending.saved_globs:
        try:
            ending.copy_matches(glob_str, base)
        except (OSError, ValueError) as e:
            warnings.warn(f"wbnb.save: could not copy {glob_str!r} at finish: {e}", RuntimeWarning, stacklevel=3)
    state = state or ("finished" if not exit_code else "failed")
    summary = run.summary.as_dict()
    writer = ending.writer
    now = time.time()
    with ending.lock:
        writer.save_meta(
            summary=summary,
            runtime=now - run.start_time,
            last_step=run.step - 1,
            state=state,
            exit_code=exit_code,
            ended_at=now,
        )
    problems = bounded(lambda: writer.close(state, exit_code), remaining(), "flushing the run") or []
    for problem in problems:
        print(f"wbnb: {problem}", file=sys.stderr)
    for ended in ending.ended:
        try:
            ended()
        except Exception:
            pass
    if quiet or run.settings.silent:
        return
    history = bounded(run.history_columns, remaining(), "reading the history for the summary") or {}
    try:
        show_summary(run, numeric_series(history), summary)
    except Exception as e:  # MemoryError included: the run is stored, only the printout failed
        warnings.warn(f"wbnb: could not show the run's summary ({e!r})", RuntimeWarning, stacklevel=3)


def numeric_series(cols: dict[str, Any]) -> dict[str, list[float]]:
    """The user keys whose values are numbers, without the steps that lack them
    (numpy columns mark those with NaN, list columns with None)."""
    out = {}
    for key, values in cols.items():
        if key.startswith("_"):
            continue
        if getattr(values, "dtype", None) is not None:
            if values.dtype.kind in "iuf":
                nums = [v for v in values.tolist() if v == v]
                if nums:
                    out[key] = nums
            continue
        nums = [float(v) for v in values if type(v) in (int, float)]
        if nums and len(nums) == sum(v is not None for v in values):
            out[key] = nums
    return out


def show_summary(run: Finishing, history: dict[str, list[float]], summary: dict[str, Any]) -> None:
    """Print the end-of-run block: HTML in a notebook, plain text in a terminal."""
    title = f"{run.name} ({run.project}/{run.id}) {run.state}"
    where = f"run.summary, wbnb.Api().run({run.project + '/' + run.id!r}).summary and .history()"
    if detect_environment() in NOTEBOOKS:
        from IPython.display import HTML, display

        display(HTML(render_summary_html(history, summary, title, where)))
    else:
        print(render_summary_text(history, summary, title, where))
        print(f"wbnb: run files are in {run.url}")
