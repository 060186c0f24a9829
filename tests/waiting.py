"""Polling for tests: wait until something is true, or fail saying what never was."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any


def wait_for(condition: Callable[[], Any], timeout: float = 30.0, what: str = "the condition") -> None:
    """Until ``condition()`` is true; an AssertionError naming ``what`` after ``timeout`` s."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


def wait_for_system_samples(run: Any, count: int = 2, timeout: float = 30.0) -> None:
    """Until the live ``run`` has stored ``count`` system samples (its sampler's interval is
    a wish, not a promise, on a busy machine)."""
    wait_for(
        lambda: len(run._store.rows(run.project, run.id, stream="system")[0]) >= count,
        timeout,
        f"{count} system samples of run {run.id}",
    )
