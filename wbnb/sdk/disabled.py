"""``init(mode="disabled")``: a run whose calls are cheap no-ops.

Config and summary still work as plain in-memory objects, so code that reads
``run.config.lr`` back keeps running; nothing is written anywhere. It is the current
run until it finishes, so ``wbnb.log`` / ``wbnb.config`` / ``wbnb.summary`` and the
other module-level calls reach it and do nothing.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from typing import Any

from ..errors import UsageError
from ..store.summary import SummaryTracker
from .config import Config
from .settings import Settings
from .summary import Summary


class DisabledRun:
    """Looks like a ``Run``; records nothing."""

    disabled = True
    offline = False
    resumed = False
    state = "disabled"
    notes = None
    group = None
    job_type = None
    tags: tuple[str, ...] = ()
    project_url = ""
    sweep_id = sweep_url = None

    def __init__(
        self,
        settings: Settings,
        config: dict[str, Any],
        project: str,
        name: str | None,
        run_id: str | None,
        on_finish: Callable[[DisabledRun], None] | None = None,
    ) -> None:
        self.settings = settings
        self._on_finish = on_finish
        self.mode = "disabled"
        self.project, self.entity = project, ""
        self.name, self.id = name or "disabled", run_id or "disabled"
        self.dir = self.path = self.url = ""
        self.step = 0
        self.config = Config(allow_val_change=True)
        self.config.update(config)
        self.summary = Summary(SummaryTracker(), lambda changes, deleted: changes)

    def log(
        self, data: Mapping[str, Any], step: int | None = None, commit: bool | None = None, sync: bool | None = None
    ) -> None:
        """Does nothing."""

    def define_metric(self, name: str, *args: Any, **kwargs: Any) -> None:
        """Does nothing."""

    def alert(self, title: str, text: str, *args: Any, **kwargs: Any) -> None:
        """Does nothing."""

    def save(self, *args: Any, **kwargs: Any) -> list[str]:
        """Saves nothing."""
        return []

    def watch(self, *args: Any, **kwargs: Any) -> None:
        """Does nothing."""

    def log_code(self, *args: Any, **kwargs: Any) -> None:
        """Stores nothing."""

    def mark_preempting(self) -> None:
        """Does nothing."""

    def restore(self, *args: Any, **kwargs: Any) -> None:
        """Restores nothing (as wandb's disabled run)."""

    def unwatch(self, *args: Any, **kwargs: Any) -> None:
        """Does nothing."""

    def log_artifact(self, artifact_or_path: Any, *args: Any, **kwargs: Any) -> Any:
        """Stores nothing; returns the artifact given (None for a path)."""
        return None if isinstance(artifact_or_path, (str, os.PathLike)) else artifact_or_path

    log_model = link_model = link_artifact = log_artifact

    def use_artifact(self, *args: Any, **kwargs: Any) -> Any:
        """Nothing to use: a disabled run reads no store."""
        raise UsageError("use_artifact / use_model: a disabled run (mode='disabled') reads no artifacts")

    use_model = use_artifact

    def finish(self, exit_code: int | None = None, quiet: bool | None = None) -> None:
        """Stops being the current run; records nothing."""
        on_finish, self._on_finish = self._on_finish, None
        if on_finish is not None:
            on_finish(self)

    def __enter__(self) -> DisabledRun:
        return self

    def __exit__(self, *exc: Any) -> None:
        """Finishes the run (exceptions propagate)."""
        self.finish()

    def __repr__(self) -> str:
        return "<wbnb.Run disabled>"
