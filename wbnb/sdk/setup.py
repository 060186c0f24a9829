"""``wbnb.setup()`` / ``wbnb.teardown()``: wandb's process-wide start and stop.

wandb starts a service process in ``setup``; wbnb has none to start, so ``setup()``
only applies process-wide settings. As wandb does, it writes them to the environment
(``WBNB_<FIELD>``), so later ``init()`` calls and child processes get them, and an
argument to ``init()`` still wins. ``teardown()`` finishes the runs still open.
"""

from __future__ import annotations

import os
from dataclasses import fields
from typing import Any

from .lifecycle import open_runs, say_once
from .settings import Settings


class Setup:
    """What ``wbnb.setup()`` returns (one per process): the settings later runs start from."""

    @property
    def settings(self) -> Settings:
        """The defaults a new run starts from: built-ins with the environment applied."""
        return Settings.from_env()

    def teardown(self, exit_code: int | None = None) -> None:
        """``wbnb.teardown()``."""
        teardown(exit_code)

    def __repr__(self) -> str:
        return "<wbnb.Setup: nothing to start; settings come from the environment>"


_SETUP = Setup()


def setup(settings: Settings | dict[str, Any] | None = None) -> Setup:
    """Apply ``settings`` (a ``Settings`` or a dict) to every later ``init()`` in this
    process and its children; returns the process's ``Setup``.

    A setting that cannot be carried by an environment variable is named once: pass it
    to ``init(settings=...)`` instead.
    """
    if settings is None:
        return _SETUP
    # A Settings object holds every field: only those set away from the defaults are meant.
    base = Settings() if isinstance(settings, Settings) else Settings.from_env()
    wanted = base.updated(settings)
    changed = {f.name: getattr(wanted, f.name) for f in fields(Settings)}
    changed = {k: v for k, v in changed.items() if v != getattr(base, k)}
    kept = []
    for name, value in changed.items():
        variable = f"WBNB_{name.upper()}"
        before = os.environ.get(variable)
        os.environ[variable] = _env_text(value)
        if getattr(Settings.from_env(), name) != value:  # not a variable Settings reads
            _restore(variable, before)
            kept.append(name)
    if kept:
        say_once(
            "setup:" + ",".join(kept),
            f"setup(settings=...): {', '.join(kept)} cannot be set for the whole process; "
            "pass it to init(settings=...) instead",
        )
    return _SETUP


def teardown(exit_code: int | None = None) -> None:
    """Finish every run still open (newest first), with ``exit_code`` if given."""
    for run in reversed(open_runs()):
        run.finish(exit_code=exit_code)


def _env_text(value: Any) -> str:
    return ("1" if value else "0") if isinstance(value, bool) else str(value)


def _restore(variable: str, before: str | None) -> None:
    if before is None:
        os.environ.pop(variable, None)
    else:
        os.environ[variable] = before
