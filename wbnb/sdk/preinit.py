"""What ``wbnb.config`` and ``wbnb.summary`` are before ``wbnb.init()``."""

from __future__ import annotations

from typing import Any, NoReturn

from ..errors import UsageError


class PreInitError(UsageError, RuntimeError):
    """A run-level call was made before ``wbnb.init()``."""


class PreInitObject:
    """Stands in for ``wbnb.config`` / ``wbnb.summary`` until a run exists; any use
    raises a ``PreInitError`` that says to call ``wbnb.init()`` first."""

    def __init__(self, name: str) -> None:
        object.__setattr__(self, "_name", name)

    def _fail(self, *_: Any) -> NoReturn:
        raise PreInitError(f"{self._name} is not available before wbnb.init(): call wbnb.init() first")

    __getitem__ = __setitem__ = __delitem__ = __iter__ = __len__ = __contains__ = _fail

    def __getattr__(self, key: str) -> NoReturn:
        if key.startswith("__"):
            raise AttributeError(key)  # let copy / pickle / IPython probe safely
        self._fail()

    def __setattr__(self, key: str, value: Any) -> NoReturn:
        self._fail()

    def __repr__(self) -> str:
        return f"<{self._name}: no run yet, call wbnb.init() first>"
