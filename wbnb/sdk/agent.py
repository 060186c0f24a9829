"""``wbnb.sweep()`` and ``wbnb.agent()``: a sweep made, and its trials run in this process.

``agent`` runs each trial in the calling thread (so CUDA, Jupyter and Colab behave as in
any cell): it claims a trial from the sweep's book, makes it pending for the
``wbnb.init()`` inside ``function`` (``trial.py``), calls ``function()``, finishes the run
if it is still open, and frees memory before the next claim. A trial that ``log()``
stopped (``TrialStopped``: Hyperband, or the sweep canceled) ends as a ``killed`` run and
a ``stopped`` trial; an exception from ``function`` fails the trial, its traceback is
printed and the next trial runs; ``KeyboardInterrupt`` kills the run, stops the trial and
is raised again. A heartbeat thread renews the trial's lease while it runs. Without a
``function``, ``agent`` runs the sweep's program as the CLI agent does (subprocesses).
"""

from __future__ import annotations

import gc
import os
import sys
import threading
import traceback
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from ..errors import TrialStopped, UnsupportedError, UsageError
from ..store.local import LocalStore
from ..store.names import check_name
from . import trial as trials
from .settings import Settings
from .term import termlog

if TYPE_CHECKING:
    from ..store.base import Store
    from ..sweeps.records import SweepBook

POLL = 1.0  # seconds between claims while the sweep is paused or every point is held
_running = threading.Lock()  # held while wbnb.agent() runs trials in this process
_made: dict[str, tuple[str | None, str]] = {}  # sweep id -> (entity, project) of the sweeps made here


def sweep(
    sweep: Mapping[str, Any] | Callable[[], Mapping[str, Any]] | str | os.PathLike[str],
    entity: str | None = None,
    project: str | None = None,
    prior_runs: list[str] | None = None,
    *,
    seed: int | None = None,
) -> str:
    """Create a sweep from its config (a dict, a callable returning one, or the path of a
    YAML / JSON file) in ``project`` (else the config's ``project``, else as ``init``
    defaults it); returns its id and prints how to run agents.

    ``seed`` fixes the random and Bayesian suggestions (else the config's ``seed``, else
    one drawn and kept with the sweep). A bad config raises ``SweepConfigError`` naming
    the field.
    """
    from ..sweeps.books import book_for
    from ..sweeps.config import load_sweep_config, parse_sweep_config

    if prior_runs:
        raise UnsupportedError("sweep(prior_runs=...) is not supported: a sweep starts with no runs")
    if callable(sweep):  # wandb's config generator
        sweep = sweep()
    if isinstance(sweep, Mapping):
        config = parse_sweep_config(sweep)
    elif isinstance(sweep, (str, os.PathLike)) and os.path.isfile(sweep):
        config = load_sweep_config(sweep)
    else:
        raise UsageError(f"sweep() takes a config dict or the path of a YAML / JSON file, got {sweep!r}")
    entity = entity or config.raw.get("entity")  # wandb reads them from the config too
    store, project = _store(project or config.raw.get("project"), entity)
    book = book_for(store)
    record = book.create(project, config.raw, seed=seed)
    _made[record.id] = (entity, project)  # agent(sweep_id) finds it as wandb's does (wandb sets WANDB_PROJECT)
    termlog(
        f"created sweep {record.id} ({config.method}) in project {project}\n"
        f"run agents with wbnb.agent({record.id!r}, function=..., project={project!r}) "
        f"or, for its program, `wbnb agent {project}/{record.id}`"
    )
    return record.id


def agent(
    sweep_id: str,
    function: Callable[[], Any] | None = None,
    entity: str | None = None,
    project: str | None = None,
    count: int | None = None,
) -> None:
    """Run trials of the sweep ``sweep_id`` (``ID``, ``project/ID`` or ``entity/project/ID``;
    a bare ``ID`` made by ``sweep()`` in this process is found in its project) in the
    calling thread: each calls ``function()``, whose ``wbnb.init()`` opens the
    trial's run with the trial's parameters in its config. Stops after ``count`` trials,
    or when the sweep has no more (finished, canceled, failed, ``run_cap`` reached);
    waits while it is paused. ``KeyboardInterrupt`` stops the trial and is raised again.

    Without ``function`` it runs the sweep's ``program`` / ``command`` as ``wbnb agent``
    does: each trial a subprocess (``sweeps/launcher.py``), as wandb's agent does.
    One agent runs in a process at a time (a second, from another thread, is a ``UsageError``):
    ``wbnb.init()`` and ``wbnb.log()`` act on the process's run.
    """
    if function is not None and not callable(function):
        raise UsageError(f"agent(function=...) must be callable, got {type(function).__name__}")
    if count is not None and (type(count) is not int or count < 1):
        raise UsageError(f"agent(count=...) must be a positive int, got {count!r}")
    from ..sweeps.books import book_for
    from ..sweeps.config import parse_sweep_config
    from ..sweeps.lease import claims, new_agent_id, sweep_path

    if project is None and "/" not in sweep_id and sweep_id in _made:
        entity, project = _made[sweep_id]
    entity, project, sweep_id = sweep_path(sweep_id, project, entity)
    store, project = _store(project, entity)
    book = book_for(store)
    config = parse_sweep_config(book.sweep(project, sweep_id).config)  # SweepNotFound at the call
    if function is None:
        if config.program is None and config.command is None:
            raise UsageError(
                f"sweep {sweep_id} has no program to run: pass function=... (a callable that calls wbnb.init()), "
                "or give the sweep's config a program: (the script its agents run)"
            )
        from ..sweeps.launcher import run_agent

        if run_agent(store, sweep_id, count, project=project, entity=entity) == 130:
            raise KeyboardInterrupt  # Ctrl-C stopped the program's trial: passed on, as in a function's
        return
    agent_id = new_agent_id()
    if not _running.acquire(blocking=False):  # a trial's run is the process's current run: one agent at a time
        raise UsageError(
            "wbnb.agent() is already running in this process (in another thread, or this is a trial's function): "
            "one agent per process, since wbnb.init() and wbnb.log() act on the process's run; "
            "run another agent in another process (`wbnb agent SWEEP_ID` runs the sweep's program)"
        )
    gc.freeze()  # what exists now outlives the trials: free_memory's collections skip it (~0.1 s with torch)
    outer = os.environ.get("WANDB_SWEEP_ID")
    os.environ["WANDB_SWEEP_ID"] = sweep_id  # wandb's agent sets it: functions look for it to know they are in a sweep
    try:
        for t in claims(book, project, sweep_id, agent_id, count, termlog, POLL):
            termlog(f"trial {t.seq} of sweep {sweep_id}: " + ", ".join(f"{k}={v!r}" for k, v in t.params.items()))
            trial = trials.Trial(lambda: book, project, sweep_id, t.seq, t.run_id, agent_id, t.params, config, entity)
            run_trial(trial, function, book)
            if trial.forked():  # a process forked in the trial returned here: the sweep is its parent's
                termlog("a process forked in a trial returned into wbnb.agent(); it runs no trials: the parent does")
                return
    finally:
        gc.unfreeze()  # the garbage of frozen objects is collectable again
        if outer is None:
            os.environ.pop("WANDB_SWEEP_ID", None)
        else:
            os.environ["WANDB_SWEEP_ID"] = outer
        _running.release()


def run_trial(trial: trials.Trial, function: Callable[[], Any], book: SweepBook) -> None:
    """Run one claimed trial: ``function()`` with the trial pending for its ``init()``,
    the lease renewed meanwhile; then its run and the trial ended, memory freed."""
    from ..sweeps.lease import Heartbeat

    trials.offer(trial)
    beat = Heartbeat(book, trial.project, trial.sweep_id, trial.seq, trial.agent_id, trial.cancel)
    interrupted = False
    try:
        function()
    except TrialStopped as e:
        termlog(e.message)
        _end_run(trial, "killed")
    except KeyboardInterrupt:
        interrupted = True
        trial.error = "interrupted (KeyboardInterrupt)"
        _end_run(trial, "killed")
        raise
    except Exception as e:
        traceback.print_exc()
        trial.error = f"{type(e).__name__}: {e}"
        if trial.run is not None:
            trial.run.record_exception(e)
        _end_run(trial, "failed")
    else:  # a function that caught TrialStopped was stopped all the same
        _end_run(trial, "killed" if trial.stopping else "finished")
    finally:
        beat.stop()
        trials.withdraw(trial)
        if trial.run is None:  # function never opened the trial's run
            trial.error = trial.error or (
                "function did not start the trial's run: call wbnb.init() in it "
                "(init(reinit='return_previous') returns a run left open before the agent instead)"
            )
            trial.end("stopped" if interrupted else "failed")
        free_memory()


def _end_run(trial: trials.Trial, state: str) -> None:
    """Finish the trial's run if ``function`` left it open (its end ends the trial)."""
    run = trial.run
    if run is None:
        return
    if state == "killed":
        run._end(exit_code=None, quiet=None, state="killed")
    else:
        run.finish(exit_code=1 if state == "failed" else 0)


def free_memory() -> None:
    """What one trial left behind, freed before the next: reference cycles, and CUDA's
    cached blocks when torch is imported and has used CUDA (torch is never imported here).
    What survives is frozen (``gc.freeze``) until the agent returns, so each collection
    walks one trial's objects, not every module's (torch's are ~150,000)."""
    gc.collect()
    gc.freeze()
    torch = sys.modules.get("torch")
    cuda = getattr(torch, "cuda", None)
    if cuda is not None and cuda.is_available() and cuda.is_initialized():
        cuda.empty_cache()


def _store(project: str | None, entity: str | None) -> tuple[Store, str]:
    """The store ``init`` would log to, and the project (defaulted as ``init`` does)."""
    from .lifecycle import remote_store

    s = Settings.from_env().updated({"project": project, "entity": entity})
    store = (remote_store(s) if s.mode == "online" else None) or LocalStore(s.dir)
    return store, check_name("project", s.project or "uncategorized")
