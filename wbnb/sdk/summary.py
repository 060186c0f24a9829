"""``run.summary``: one value per key, the last logged unless set or ruled otherwise."""

from __future__ import annotations

import threading
from collections.abc import Callable, ItemsView, Iterator, KeysView, Mapping
from typing import Any

from ..store.summary import SummaryTracker


class Summary:
    """Item and attribute access over a run's summary; setting a key pins its value.

    ``on_change(changes, deleted)`` persists a change before it applies and returns the
    values to pin (it may raise to refuse it); ``lock`` is the run's, so a change is
    atomic with respect to ``log()`` on other threads.
    """

    def __init__(
        self,
        tracker: SummaryTracker,
        on_change: Callable[[dict[str, Any], list[str]], dict[str, Any]],
        lock: threading.RLock | None = None,
    ) -> None:
        object.__setattr__(self, "_tracker", tracker)
        object.__setattr__(self, "_on_change", on_change)
        object.__setattr__(self, "_lock", lock or threading.RLock())

    def update(self, d: Mapping[str, Any] | None = None, **kwargs: Any) -> None:
        """Pin several keys at once."""
        changes = {**(d or {}), **kwargs}
        for key in changes:
            if not isinstance(key, str):
                raise TypeError(f"summary keys must be str, got {key!r} ({type(key).__name__})")
        with self._lock:  # the run makes the values storable (and durable) before they are pinned
            self._tracker.explicit.update(self._on_change(changes, []))

    def __setitem__(self, key: str, value: Any) -> None:
        self.update({key: value})

    def __setattr__(self, key: str, value: Any) -> None:
        self.update({key: value})

    def __delitem__(self, key: str) -> None:
        with self._lock:
            if key not in self:
                raise KeyError(key)
            self._on_change({}, [key])
            self._tracker.explicit.pop(key, None)
            self._tracker.values.pop(key, None)

    def __getitem__(self, key: str) -> Any:
        return self._tracker.result()[key]

    def __getattr__(self, key: str) -> Any:
        try:
            return self[key]
        except KeyError:
            raise AttributeError(f"summary has no key {key!r}") from None

    def get(self, key: str, default: Any = None) -> Any:
        """The value of ``key``, or ``default``."""
        return self._tracker.result().get(key, default)

    def as_dict(self) -> dict[str, Any]:
        """A plain-dict copy of the summary."""
        return self._tracker.result()

    def keys(self) -> KeysView[str]:
        """The summary's keys."""
        return self.as_dict().keys()

    def items(self) -> ItemsView[str, Any]:
        """The summary's items."""
        return self.as_dict().items()

    def __contains__(self, key: object) -> bool:
        return key in self.as_dict()

    def __iter__(self) -> Iterator[str]:
        return iter(self.as_dict())

    def __len__(self) -> int:
        return len(self.as_dict())

    def __repr__(self) -> str:
        return f"Summary({self.as_dict()!r})"
