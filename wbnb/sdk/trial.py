"""The sweep trial a ``wbnb.init()`` opens the run of.

An agent claims a trial from the sweep's book and makes it pending: in this process
(``wbnb.agent``: ``offer``), or for a program it launches through the environment
(``wbnb agent``: ``WBNB_SWEEP_ID``, ``WBNB_SWEEP_SEQ``, ``WBNB_SWEEP_RUN_ID``, ``WBNB_PROJECT``,
``WBNB_AGENT_ID``, ``WBNB_SWEEP_PARAM_PATH``, and wandb's ``WANDB_SWEEP_ID``: a process that
removed that one, as wandb's examples do in worker processes, makes plain runs;
``sweeps/launcher.py``). The next ``init()``
takes it (``take``): the run gets the trial's id and project, its config is the one
``init`` was given overlaid by the trial's parameters (they win, as in wandb, and a later
``config.update()`` of one is ignored and said), and its ``sweep_id``. Once the run is
open the trial is ``running`` in the book and, when the sweep has ``early_terminate`` and
a ``metric``, a Hyperband watch (``sweeps/watch.py``) listens to its ``log()``: a
stopped trial's next ``log()`` raises ``wbnb.errors.TrialStopped`` once its record is
stored. Whoever ends the run ends the trial, with the metric's
summary value: ``finished``, ``failed``, or ``stopped`` for a ``killed`` run. The book's
trouble is warned once, never raised into the training loop.
"""

from __future__ import annotations

import json
import os
import threading
import warnings
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ..errors import TrialStopped

if TYPE_CHECKING:  # the sweeps engine (numpy) loads with the first trial, not with import wbnb
    from ..store.base import Store
    from ..sweeps.config import SweepConfig
    from ..sweeps.hyperband import Decision
    from ..sweeps.records import SweepBook, SweepRecord, TrialState
    from .run import Run

_RUN_TO_TRIAL: dict[str, TrialState] = {"finished": "finished", "killed": "stopped"}


class Trial:
    """One claimed trial of a sweep, and once ``init()`` opened it, its run."""

    def __init__(
        self,
        book: Callable[[], SweepBook],
        project: str,
        sweep_id: str,
        seq: int,
        run_id: str,
        agent_id: str,
        params: dict[str, Any],
        config: SweepConfig | None = None,
        entity: str | None = None,
    ) -> None:
        self._make_book = book
        self.entity = entity  # the run's, when the agent was given one (wandb's agent sets WANDB_ENTITY)
        self._book: SweepBook | None = None
        self.project = project
        self.sweep_id = sweep_id
        self.seq = seq
        self.run_id = run_id
        self.agent_id = agent_id
        self.params = params
        self._config = config
        self.run: Run | None = None
        self.error: str | None = None  # why it failed, when its agent knows
        self.stop: dict[str, Any] | None = None  # Hyperband's decision, when it stopped the trial
        self.sweep: SweepRecord | None = None  # the sweep as the trial's end left it
        self.ended = False
        self._stopping: str | None = None  # set: every log() raises TrialStopped with this message
        self._listening = False
        self._warned = False
        self._lock = threading.RLock()  # re-entrant: the SIGTERM handler may run while the main thread holds it
        self._owner = os.getpid()  # a forked child never acts on the trial (forked())

    @property
    def stopping(self) -> str | None:
        """Why the trial must stop (None while it goes on)."""
        return self._stopping

    def forked(self) -> bool:
        """True in a process forked from the one that claimed the trial: there the trial
        is the parent's, and nothing it does ends it, renews it or writes to the book."""
        return os.getpid() != self._owner

    @property
    def book(self) -> SweepBook:
        """The sweep's book (made at first use: a trial read from the environment may need none)."""
        if self._book is None:
            self._book = self._make_book()
        return self._book

    def apply(self, project: str | None, run_id: str | None, config: dict[str, Any]) -> tuple[str, str, dict[str, Any]]:
        """The run's project, id and config: the trial's, and ``config`` overlaid by its
        parameters; a project or id ``init()`` was given otherwise is named once and ignored."""
        for what, given, mine in (("project", project, self.project), ("id", run_id, self.run_id)):
            if given is not None and given != mine:
                _warn(f"init({what}={given!r}) is ignored in a sweep's trial: its run is {self.project}/{self.run_id}")
        return self.project, self.run_id, {**config, **self.params}

    def disabled(self, config: dict[str, Any]) -> dict[str, Any]:
        """``init(mode="disabled")`` took the trial: its code runs with the trial's
        parameters over ``config``, but nothing is logged, so the trial fails, saying why."""
        self.error = f"wbnb.init(mode='disabled') logs nothing: trial {self.seq} has no run and no result"
        return {**config, **self.params}

    def opened(self, run: Run) -> None:
        """``init()`` opened the trial's run: mark it running, watch it, end the trial with it."""
        self.run = run
        run.config.keep(self.params, f"sweep {self.sweep_id}")  # the sweep's values win over config.update()
        run.after_finish(self._run_ended)
        self._call(lambda: self.book.start(self.project, self.sweep_id, self.seq, self.agent_id))
        config = self._sweep_config()
        if config is not None and config.early_terminate is not None and config.metric is not None:
            from ..sweeps.watch import TrialWatch

            watch = TrialWatch(
                self.book,
                self.project,
                self.sweep_id,
                self.seq,
                config.early_terminate,
                config.metric.goal,
                self._hyperband_stop,
            )
            self._listen(config.metric.name, watch.observe)
        elif self._stopping is not None:
            self._listen(None, None)

    def cancel(self, why: str | None = None) -> None:
        """The sweep was canceled (or the claim lost; or ``why``): stop the trial at its next
        ``log()`` (a trial whose function catches ``TrialStopped`` ends ``stopped`` all the same)."""
        with self._lock:
            if self._stopping is None:
                self._stopping = why or (
                    f"the sweep {self.sweep_id} was canceled (or trial {self.seq}'s claim was lost): it stops here"
                )
        if self.run is not None:
            self._listen(None, None)

    def end(self, state: TrialState, value: float | None = None) -> SweepRecord | None:
        """End the trial in the book once (later calls do nothing); returns the sweep as it now is."""
        with self._lock:
            if self.ended:
                return self.sweep
            self.ended = True
        stop = self.stop if state == "stopped" else None
        error = self.error if state != "finished" else None
        if state == "stopped" and stop is None:
            error = error or self._stopping
        self.sweep = self._call(
            lambda: self.book.end(self.project, self.sweep_id, self.seq, state, value, stop=stop, error=error)
        )
        return self.sweep

    def _sweep_config(self) -> SweepConfig | None:
        if self._config is None:
            from ..sweeps.config import parse_sweep_config

            # a config this wbnb cannot read (a newer server's) is the book's trouble too: warned, never raised
            self._config = self._call(lambda: parse_sweep_config(self.book.sweep(self.project, self.sweep_id).config))
        return self._config

    def _listen(self, metric: str | None, observe: Callable[[Any], Any] | None) -> None:
        """One listener on the run: it feeds the watch and, once the trial must stop, has
        every ``log()`` raise ``TrialStopped`` after its record is stored."""
        run = self.run
        with self._lock:
            if run is None or self._listening:
                return
            self._listening = True

        def listener(step: int, timestamp: float, row: dict[str, Any]) -> None:
            if observe is not None and self._stopping is None and metric in row:
                observe(row[metric])
            if self._stopping is not None:
                run.interrupt_log(TrialStopped(self._stopping, self.stop))

        run.add_listener(listener)

    def _hyperband_stop(self, decision: Decision) -> None:
        from dataclasses import asdict

        fields = asdict(decision)
        del fields["stop"]
        self.stop = fields
        self._stopping = (
            f"Hyperband stopped trial {self.seq} of sweep {self.sweep_id} at band {decision.band}: "
            f"its value {decision.value:.6g} is outside the top 1/eta of the {decision.reached} runs "
            f"that reached it (threshold {decision.threshold:.6g})"
        )

    def _run_ended(self) -> None:
        run = self.run
        assert run is not None
        from ..sweeps.watch import metric_value

        state = "stopped" if self._stopping is not None else _RUN_TO_TRIAL.get(run.state, "failed")
        if state == "failed":  # a 'with wbnb.init()' block ended the run before the agent saw the exception
            self.error = self.error or run._exception
        summary, metric = run.summary.as_dict(), self._metric_name()
        if state == "finished" and metric and metric not in summary:  # what wandb's server answers with a 400
            _warn(
                f"trial {self.seq} of sweep {self.sweep_id} finished without logging {metric!r}, the sweep's metric: "
                f"log it at the top level (wandb.log({{{metric!r}: value}})) or the search has nothing to go by"
            )
        self.end(state, metric_value(summary, metric))

    def _metric_name(self) -> str:
        config = self._sweep_config()
        return config.metric.name if config is not None and config.metric is not None else ""

    def _call(self, fn: Callable[[], Any]) -> Any:
        if self.forked():
            return None
        try:
            return fn()
        except Exception as e:  # the book's trouble never reaches the user's loop
            if not self._warned:
                self._warned = True
                _warn(f"the sweep's book failed for trial {self.seq} of {self.sweep_id} ({e}); the run goes on")
            return None


_pending: list[Trial] = []  # the trial the next init() in this process opens (wbnb.agent)
_ENVIRON = ("WBNB_SWEEP_ID", "WBNB_SWEEP_SEQ", "WBNB_SWEEP_RUN_ID")  # a launching agent's trial (take() pops them)


def offer(trial: Trial) -> None:
    """Make ``trial`` the one the next ``init()`` in this process opens."""
    _pending[:] = [trial]


def waiting() -> bool:
    """Whether a trial waits for the next ``init()`` (this process's agent's, or in the environment)."""
    return bool(_pending) or _in_environment()


def _in_environment() -> bool:
    """Whether a launching agent's trial is in the environment: it sets wandb's
    ``WANDB_SWEEP_ID`` beside ``WBNB_SWEEP_ID``, and a process that removed it (wandb's
    examples clear ``WANDB_*`` in worker processes so that their runs are plain) has none."""
    sweep_id = os.environ.get("WBNB_SWEEP_ID")
    return bool(sweep_id) and os.environ.get("WANDB_SWEEP_ID") == sweep_id


def withdraw(trial: Trial) -> None:
    """The agent is done with ``trial``: no later ``init()`` opens it."""
    if trial in _pending:
        _pending.remove(trial)


def take(store: Store) -> Trial | None:
    """The pending trial for the ``init()`` being made, once: this process's agent's, or
    the one a launching agent put in the environment (its book is ``store``'s). That one
    leaves the environment as it is taken, so a later ``init()``, here or in a process this
    one starts, makes a run of its own instead of opening the trial's run again."""
    if _pending:
        return _pending.pop()
    env = os.environ
    if not _in_environment():
        return None
    sweep_id, seq_text, run_id = (env.pop(name, "") for name in _ENVIRON)
    try:
        path = env.get("WBNB_SWEEP_PARAM_PATH") or env.get("WANDB_SWEEP_PARAM_PATH") or ""
        with open(path, encoding="utf-8") as f:
            params = json.load(f)
        seq, project = int(seq_text), env["WBNB_PROJECT"]
    except (OSError, KeyError, ValueError) as e:
        _warn(f"the sweep's trial in the environment cannot be read ({e}); this run is not part of the sweep")
        return None
    from ..sweeps.books import book_for

    agent_id = env.get("WBNB_AGENT_ID", "")
    trial = Trial(lambda: book_for(store), project, sweep_id, seq, run_id, agent_id, params)
    _stop_on_sigterm(trial)
    return trial


def _forget_trials_in_child() -> None:
    """After ``os.fork()``, in the child: the pending trial (and one a launching agent put
    in the environment) is the parent's, so an ``init()`` here makes a run of its own."""
    _pending.clear()
    for name in _ENVIRON:
        os.environ.pop(name, None)


os.register_at_fork(after_in_child=_forget_trials_in_child)


def _stop_on_sigterm(trial: Trial) -> None:
    """A launching agent stops its program with SIGTERM (the sweep was canceled): raised in
    the main thread as ``TrialStopped``, so the run ends ``killed`` and the trial
    ``stopped`` with one line, where SIGTERM would end the process with the run left
    running. A program that handles SIGTERM itself keeps its handler."""
    import signal

    if threading.current_thread() is not threading.main_thread() or signal.getsignal(signal.SIGTERM) != signal.SIG_DFL:
        return

    def stop(signum: int, frame: Any) -> None:
        trial.cancel(
            f"the agent stopped trial {trial.seq} (SIGTERM): the sweep {trial.sweep_id} was canceled, "
            "the trial's claim was lost, or the agent was interrupted"
        )
        raise TrialStopped(trial.stopping or "the agent stopped this trial (SIGTERM)")

    signal.signal(signal.SIGTERM, stop)


def _warn(message: str) -> None:
    warnings.warn(f"wbnb: {message}", RuntimeWarning, stacklevel=4)
