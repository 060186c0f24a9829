"""``wbnb.setup()`` / ``wbnb.teardown()``: wandb's process-wide start and stop.

wandb starts a service process in ``setup``; wbnb has none to start, so ``setup()``
only applies process-wide settings. As wandb does, it writes them to the environment
(``WBNB_<FIELD>``), so later ``init()`` calls and child processes get them, and an
argument to ``init()`` still wins. ``teardown()`` finishes the runs still open.
"""

from __future__ import annotations

import os
from typing import Any

from .lifecycle import open_runs
from .notice import say_once
from .settings import Settings, variable


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
    wanted = Settings().updated(settings)  # the fields given (wandb's names read as wbnb's)
    kept = []
    for name in sorted(wanted.given):
        var = variable(name)
        if var is None:
            kept.append(name)
        else:
            os.environ[var] = _env_text(getattr(wanted, name))
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
    if isinstance(value, bool):
        return "1" if value else "0"
    return ",".join(value) if isinstance(value, tuple) else str(value)
