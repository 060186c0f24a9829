"""The command-line agent (``wbnb agent SWEEP_ID``): each trial as a subprocess.

For each claim the sweep's ``command`` (wandb's default ``${env} ${interpreter}
${program} ${args}``) runs with the trial's parameters as arguments and, through the
environment (``trial_environ``), in ``wbnb.config``: the program's ``wbnb.init()`` opens
the trial's run (``sdk/trial.py``). While it runs the agent renews the lease and asks the
book every ``poll`` seconds whether the trial must stop: when the sweep is canceled or
the claim was lost, the child gets SIGTERM, then SIGKILL after ``grace`` seconds. Ctrl-C
does the same and the agent exits 130. A child whose run did not end the trial is
ended here: ``finished`` for exit status 0 (the metric read from the run's stored
summary), else ``failed``; ``stopped`` when the agent stopped it.
"""

from __future__ import annotations

import os
import shlex
import signal
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ..store.base import Store
from ..textout import plain
from .command import DEFAULT_COMMAND, args_json, expand_command
from .config import SweepConfig, parse_sweep_config
from .lease import claims, new_agent_id, sweep_path
from .records import LIVE, SweepBook, TrialRecord, TrialState
from .watch import metric_value

GRACE = 10.0  # seconds between SIGTERM and SIGKILL
POLL = 1.0  # seconds between looks at the child and the book
_POSIX = os.name == "posix"  # process groups, killpg


def trial_environ(
    store: Store, project: str, entity: str, trial: TrialRecord, agent_id: str, params_path: str
) -> dict[str, str]:
    """The environment a trial's program runs in: the trial (read by ``sdk/trial.py``),
    the run's id and project, the store it logs to, and wandb's ``WANDB_SWEEP_ID`` and
    ``WANDB_SWEEP_PARAM_PATH`` (read by programs written for wandb; left in place)."""
    env = {
        "WBNB_SWEEP_ID": trial.sweep_id,
        "WBNB_SWEEP_SEQ": str(trial.seq),
        "WBNB_SWEEP_RUN_ID": trial.run_id,  # not WBNB_RUN_ID: a process that declines the trial gets an id of its own
        "WBNB_PROJECT": project,
        "WBNB_AGENT_ID": agent_id,
        "WBNB_SWEEP_PARAM_PATH": params_path,
        "WANDB_SWEEP_PARAM_PATH": params_path,
        "WANDB_SWEEP_ID": trial.sweep_id,  # wandb's agent sets it: programs look for it to know they are in a sweep
    }
    if entity:
        env["WBNB_ENTITY"] = entity
    root = getattr(store, "root", None) or getattr(store, "spool", None)  # a local store, or a server's spool
    if root is not None:
        env["WBNB_DIR"] = str(root)
    conn = getattr(store, "conn", None)
    if conn is not None:
        env["WBNB_BASE_URL"] = conn.base_url
    return env


def run_agent(
    store: Store,
    path: str,
    count: int | None = None,
    *,
    project: str | None = None,
    entity: str | None = None,
    grace: float = GRACE,
    poll: float = POLL,
) -> int:
    """Run trials of the sweep at ``path`` (``ID``, ``project/ID``, ``entity/project/ID``)
    as subprocesses until ``count`` ran or the sweep has no more; returns the exit status
    (0, or 128 + the signal after Ctrl-C, SIGTERM or SIGHUP: 130, 143, 129)."""
    from .books import book_for

    entity, project, sweep_id = sweep_path(path, project, entity)
    project = project or "uncategorized"
    book = book_for(store)
    record = book.sweep(project, sweep_id)
    config = parse_sweep_config(record.config)
    agent_id = new_agent_id()
    interrupts = _Interrupts()
    try:
        for trial in claims(book, project, sweep_id, agent_id, count, _say, poll):
            Child(store, book, config, project, entity or record.entity, trial, agent_id, grace, poll, interrupts).run()
    except KeyboardInterrupt as e:
        _say(f"agent interrupted ({_signal_of(e).name})")
        return 128 + _signal_of(e)
    finally:
        interrupts.restore()
    return 0


class _Signaled(KeyboardInterrupt):
    """SIGTERM or SIGHUP (a scheduler ending the job, the terminal closed), handled as Ctrl-C is."""


def _signal_of(interrupt: KeyboardInterrupt) -> signal.Signals:
    return signal.Signals(interrupt.args[0]) if isinstance(interrupt, _Signaled) else signal.SIGINT


class _Interrupts:
    """SIGINT, SIGTERM and SIGHUP (a scheduler ending the job, the terminal closed) stop
    the agent as Ctrl-C does: its child stopped, its trial ended (the default handlers
    would leave both behind). Raised as ``_Signaled`` where the agent is, except while it
    waits on its child (``deferred``): a signal landing inside ``Popen.wait`` can leave
    that call's lock held, and the next wait for the child would block for ever, so there
    it is raised once the wait returned. In the main thread only, where Python runs
    signal handlers; ``restore`` puts the previous handlers back."""

    def __init__(self) -> None:
        self._deferring = False
        self._pending: int | None = None
        self._previous: dict[int, Any] = {}
        if threading.current_thread() is threading.main_thread():
            names = ("SIGINT", "SIGTERM", "SIGHUP")
            signums = [getattr(signal, name) for name in names if hasattr(signal, name)]
            self._previous = {n: signal.signal(n, self._handle) for n in signums}

    def _handle(self, signum: int, frame: Any) -> None:
        if self._deferring:
            self._pending = self._pending or signum
        else:
            raise _Signaled(signum)

    @contextmanager
    def deferred(self, keep: bool = True) -> Iterator[None]:
        """Hold signals back while the child is waited on; then raise the first one (over
        whatever the wait raised), or with ``keep=False`` drop them (the agent is already
        stopping the child)."""
        outer, self._deferring = self._deferring, True
        try:
            yield
        finally:
            self._deferring = outer
            if not outer and self._pending is not None:
                signum, self._pending = self._pending, None
                if keep:
                    raise _Signaled(signum)

    def restore(self) -> None:
        for n, handler in self._previous.items():
            signal.signal(n, handler)


class Child:
    """One trial's program, run to its end (``run``)."""

    def __init__(
        self,
        store: Store,
        book: SweepBook,
        config: SweepConfig,
        project: str,
        entity: str,
        trial: TrialRecord,
        agent_id: str,
        grace: float,
        poll: float,
        interrupts: _Interrupts,
    ) -> None:
        self.store, self.book, self.config, self.trial = store, book, config, trial
        self.project, self.entity, self.agent_id = project, entity, agent_id
        self.grace, self.poll, self.interrupts = grace, poll, interrupts

    def run(self) -> None:
        """Start the program, watch it and the book, end the trial if its run did not."""
        trial = self.trial
        with tempfile.TemporaryDirectory(prefix="wbnb-trial-") as tmp:
            params_path = str(Path(tmp) / "params.json")
            Path(params_path).write_text(args_json(trial.params), encoding="utf-8")
            argv = expand_command(
                self.config.command, trial.params, program=self.config.program, args_json_file=params_path
            )
            env = {
                **os.environ,
                **trial_environ(self.store, self.project, self.entity, trial, self.agent_id, params_path),
            }
            _say(f"trial {trial.seq}: {shlex.join(argv)}")
            program = self.config.program
            if program is not None and "${program}" in (self.config.command or DEFAULT_COMMAND):
                if not os.path.isfile(program):
                    self._end("failed", f"the program {program!r} is not a file (from {os.getcwd()!r})")
                    return
            try:
                # its own process group, so that a stop reaches the processes it starts too
                child = subprocess.Popen(argv, env=env, start_new_session=_POSIX)
            except OSError as e:
                self._end("failed", f"could not start {argv[0]!r}: {e}")
                return
            try:
                stopped = self._watch(child)
            except KeyboardInterrupt as e:
                self._stop(child, keep=False)
                self._end("stopped", f"the agent was interrupted ({_signal_of(e).name})")
                raise
        if stopped:
            self._end("stopped", "the sweep was canceled, or the trial's claim was lost")
        elif child.returncode == 0:
            self._end("finished")
        else:
            self._end("failed", f"the program exited with status {child.returncode}")

    def _watch(self, child: subprocess.Popen[Any]) -> bool:
        """Wait for the child, renewing the lease every ``poll``; True if it had to be stopped."""
        warned = False
        while True:
            try:
                with self.interrupts.deferred():
                    child.wait(timeout=self.poll)
                return False
            except subprocess.TimeoutExpired:
                pass
            try:
                stop = self.trial.seq in self.book.heartbeat(
                    self.project, self.trial.sweep_id, [self.trial.seq], self.agent_id
                )
            except Exception as e:  # the book's trouble: the trial goes on, the lease holds a while
                if not warned:
                    warned = True
                    _say(f"the sweep's book could not be reached ({e}); retrying")
                continue
            if stop:
                self._stop(child)
                return True

    def _stop(self, child: subprocess.Popen[Any], keep: bool = True) -> None:
        """SIGTERM to the program (it ends its run and stops what it started, as it does on
        its own), then SIGKILL to its process group once it exited or after ``grace``
        seconds: nothing it started outlives the trial. Signals wait until it is done
        (``keep=False``: dropped, when a signal is why it stops)."""
        with self.interrupts.deferred(keep):
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
                try:
                    child.wait(timeout=self.grace)
                except subprocess.TimeoutExpired:
                    pass
            _kill_group(child)
            child.wait()

    def _end(self, state: TrialState, error: str | None = None) -> None:
        """End the trial unless its run did (the child's ``wbnb.init()`` ends it with the run).
        The book's trouble is said, never raised: the agent goes on, and a trial left live is
        released when its lease runs out."""
        try:
            self._end_in_book(state, error)
        except Exception as e:
            _say(f"trial {self.trial.seq} could not be ended in the sweep's book ({e}); the agent goes on")

    def _end_in_book(self, state: TrialState, error: str | None) -> None:
        trial = self.trial
        current = next((t for t in self.book.trials(self.project, trial.sweep_id) if t.seq == trial.seq), None)
        if current is None or current.state not in LIVE:
            return
        value = None
        metric = self.config.metric
        if metric is not None:
            try:
                value = metric_value(self.store.run(self.project, trial.run_id).get("summary") or {}, metric.name)
            except Exception:  # no run (the program never called init()), or it cannot be read
                value = None
        sweep = self.book.end(
            self.project, trial.sweep_id, trial.seq, state, value, error=error if state != "finished" else None
        )
        if sweep.state == "FAILED":
            _say(f"sweep {sweep.id} failed: {sweep.reason}")


def _kill_group(child: subprocess.Popen[Any]) -> None:
    """SIGKILL the child's process group (the child alone where there are none)."""
    if not _POSIX:
        if child.poll() is None:
            child.kill()
        return
    try:
        os.killpg(child.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):  # every process of the group has exited
        pass


def _say(message: str) -> None:
    print(f"wbnb: {plain(message)}", file=sys.stderr, flush=True)
