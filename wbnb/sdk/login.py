"""``wbnb.login()``: with the local store there is nothing to log in to; say where
runs go instead, so code written for a hosted service runs unchanged."""

from __future__ import annotations

import os
import sys

from .settings import Settings


def login(key: str | None = None, relogin: bool | None = None, host: str | None = None,
          anonymous: str | None = None, timeout: float | None = None, verify: bool = False) -> bool:
    """Check that runs can be stored and say where they go; returns True.

    ``host`` (or ``WBNB_BASE_URL``) names a ``wbnb server``, which this version
    cannot talk to yet: that raises rather than silently logging locally.
    """
    if anonymous not in (None, "allow", "must", "never"):
        raise ValueError(f"login: anonymous must be 'allow', 'must', 'never' or None, got {anonymous!r}")
    host = host or os.environ.get("WBNB_BASE_URL")
    if host:
        raise NotImplementedError(
            f"login(host={host!r}): this version of wbnb stores runs locally only; "
            "unset WBNB_BASE_URL / drop host= to log to the local store"
        )
    root = Settings.from_env().dir
    print(f"wbnb: no login needed; runs are stored locally in {root}", file=sys.stderr)
    return True
