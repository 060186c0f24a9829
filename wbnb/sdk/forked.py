"""What a run's writer becomes in a forked child (``Run._forked``).

After ``os.fork()`` the child holds copies of the parent's open run: its memory maps,
its lock, its exit hooks. The parent still writes that run, so the child must never
append to it, rewrite its metadata, truncate its logs or finish it: every write is
dropped (with one warning, said by the run) and closing does nothing. The inherited
file descriptors stay as they are; the child's exit closes them without unlocking
what the parent holds.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from typing_extensions import Unpack

from ..store.base import RunWriter
from ..store.media import derived_path, media_path
from ..store.runmeta import RunMeta, State


class ForkedWriter(RunWriter):
    """A writer that keeps the parent's identity (meta, files folder) and writes nothing."""

    def __init__(self, parent: RunWriter, dropped: Callable[[], None]) -> None:
        self.meta, self.files_dir = parent.meta, parent.files_dir
        self.next_step, self.last_values = parent.next_step, parent.last_values
        self._dropped = dropped

    def log_row(
        self, step: int, timestamp: float, runtime: float, keys: tuple[str, ...], values: Iterable[Any]
    ) -> None:
        self._dropped()

    def log_system(self, timestamp: float, runtime: float, sample: dict[str, float]) -> None:
        self._dropped()

    def log_event(self, event: dict[str, Any]) -> None:
        self._dropped()

    def log_console(self, stream: str, line: str, timestamp: float) -> None:
        self._dropped()

    def put(self, data: bytes, ext: str) -> str:
        return media_path(data, ext)  # the record that would point to it is dropped too

    def put_later(self, key: str, ext: str, produce: Callable[[], bytes]) -> str:
        return derived_path(key, ext)  # nothing is made: the record is dropped too

    def save_meta(self, **changes: Unpack[RunMeta]) -> None:
        self._dropped()

    def close(self, state: State, exit_code: int | None = None) -> list[str]:
        return []
