"""Run settings: defaults, overridden by ``WBNB_*`` environment variables, overridden
by ``init(settings=...)`` and ``init()`` arguments."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from typing import Any

MODES = ("online", "offline", "disabled")


def _env_bool(name: str) -> bool | None:
    value = os.environ.get(name)
    if value is None or value == "":
        return None
    return value.strip().lower() in ("1", "true", "yes", "on")


def _env_float(name: str) -> float | None:
    value = os.environ.get(name)
    try:
        return float(value) if value else None
    except ValueError:
        raise ValueError(f"{name}={value!r} is not a number") from None


@dataclass(frozen=True)
class Settings:
    """Everything that shapes a run besides its name and config.

    Each field has a ``WBNB_<FIELD>`` environment variable (``WBNB_DIR`` for ``dir``).
    """

    dir: str = field(default_factory=lambda: os.path.join(os.getcwd(), "wbnb-runs"))
    mode: str = "online"
    project: str | None = None
    entity: str | None = None
    silent: bool = False  # no printed header / summary and no live panel
    live_panel: bool = True  # in a notebook, init() shows the run's live panel
    console: bool = True  # capture stdout / stderr into the run
    system_interval: float = 5.0  # seconds between system samples; 0 turns it off
    finish_timeout: float = 30.0  # upper bound on how long finish() may wait
    save_code: bool = False
    allow_val_change: bool | None = None  # None: True in notebooks, False in scripts
    base_url: str | None = None  # a `wbnb server` to log to (else the one saved by login())
    api_key: str | None = None  # its key (else the one login() saved for that server)

    @classmethod
    def from_env(cls) -> Settings:
        """Defaults with the ``WBNB_*`` environment variables applied."""
        env: dict[str, Any] = {
            "dir": os.environ.get("WBNB_DIR") or None,
            "mode": os.environ.get("WBNB_MODE") or None,
            "project": os.environ.get("WBNB_PROJECT") or None,
            "entity": os.environ.get("WBNB_ENTITY") or None,
            "silent": _env_bool("WBNB_SILENT"),
            "live_panel": _env_bool("WBNB_LIVE_PANEL"),
            "console": _env_bool("WBNB_CONSOLE"),
            "system_interval": _env_float("WBNB_SYSTEM_INTERVAL"),
            "finish_timeout": _env_float("WBNB_FINISH_TIMEOUT"),
            "save_code": _env_bool("WBNB_SAVE_CODE"),
            "base_url": os.environ.get("WBNB_BASE_URL") or None,
            "api_key": os.environ.get("WBNB_API_KEY") or None,
        }
        return cls().updated({k: v for k, v in env.items() if v is not None})

    def updated(self, changes: Mapping[str, Any] | Settings | None) -> Settings:
        """A copy with ``changes`` applied (unknown names raise, naming the valid ones)."""
        if changes is None:
            return self
        if isinstance(changes, Settings):
            return changes
        names = {f.name for f in fields(self)}
        unknown = sorted(set(changes) - names)
        if unknown:
            raise TypeError(f"unknown setting(s) {', '.join(unknown)}; valid: {', '.join(sorted(names))}")
        new = replace(self, **{k: v for k, v in changes.items() if v is not None})
        if new.mode not in MODES:
            raise ValueError(f"mode must be one of {', '.join(MODES)}, got {new.mode!r}")
        return new
