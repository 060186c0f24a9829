"""The one Store interface: what the tracker writes through and what readers
(``Api``, widgets, the server) read through. ``local.py`` and ``remote.py`` are its
two homes.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from typing_extensions import Unpack

from .errors import RunBusy as RunBusy
from .errors import RunNotFound as RunNotFound
from .errors import StoreError as StoreError
from .rowread import Cursor
from .runfiles import StoredFile, code_files, combined, media_files, uploaded_files
from .runmeta import RunMeta, State

if TYPE_CHECKING:
    from .catalog.base import Catalog
    from .catalog.records import RunRef


class RunWriter(ABC):
    """The write side of one run, held by the process that logs it."""

    meta: RunMeta
    files_dir: Path
    # The store readers find this run's data in, when that is not the one it writes into
    # (a server's, for a run spooled locally): where its use_artifact resolves.
    remote: Store | None = None
    next_step: int
    last_values: dict[str, Any]

    @abstractmethod
    def log_row(
        self, step: int, timestamp: float, runtime: float, keys: tuple[str, ...], values: Iterable[Any]
    ) -> None:
        """Append a history row durably (returns once it survives the process dying).

        The row comes as its key tuple and values: ``log()``'s hot path already has both."""

    @abstractmethod
    def log_system(self, timestamp: float, runtime: float, sample: dict[str, float]) -> None:
        """Append a system-metrics sample."""

    @abstractmethod
    def log_event(self, event: dict[str, Any]) -> None:
        """Append an event (alert, summary change, exception, ...)."""

    @abstractmethod
    def log_console(self, stream: str, line: str, timestamp: float) -> None:
        """Append a line of captured stdout / stderr."""

    @abstractmethod
    def put(self, data: bytes, ext: str) -> str:
        """Store a file by content and return its store-relative path (a writer is its
        run's ``MediaSink``)."""

    @abstractmethod
    def put_later(self, key: str, ext: str, produce: Callable[[], bytes]) -> str:
        """Return the path of a derived file named after ``key`` and store ``produce()``
        there off the caller's thread (``store/media.py``); ``close`` waits for it."""

    @abstractmethod
    def save_meta(self, **changes: Unpack[RunMeta]) -> None:
        """Update and persist run metadata (config, tags, summary, state...)."""

    @abstractmethod
    def close(self, state: State, exit_code: int | None = None) -> list[str]:
        """Flush, set the final state, release the run; return problems to report."""


class Store(ABC):
    """Runs organised by project: the read side, plus opening a run for writing."""

    @abstractmethod
    def projects(self) -> list[str]:
        """Names of the projects that have runs."""

    @abstractmethod
    def runs(self, project: str) -> list[RunMeta]:
        """Metadata of every run of a project (crashed writers already recovered; a run
        whose metadata cannot be read is listed with state ``damaged`` and a ``reason``)."""

    @abstractmethod
    def run(self, project: str, run_id: str) -> RunMeta:
        """Metadata of one run (``damaged`` as in ``runs``); raises ``RunNotFound``."""

    @abstractmethod
    def rows(
        self, project: str, run_id: str, stream: str = "history", cursor: Cursor | None = None
    ) -> tuple[list[tuple], Cursor]:
        """Raw rows of the ``history`` or ``system`` stream written after ``cursor``."""

    @abstractmethod
    def columns(self, project: str, run_id: str, stream: str = "history", samples: int | None = None) -> dict[str, Any]:
        """The ``history`` or ``system`` stream as aligned columns (numpy arrays where
        numeric, ``None`` gaps otherwise); ``samples`` evenly spaced steps when given."""

    def columns_to_follow(
        self, project: str, run_id: str, stream: str = "history"
    ) -> tuple[dict[str, Any], Cursor] | None:
        """For following a run still being written: ``columns`` of every step but the
        last, and a cursor at that last step for ``rows`` to go on from. None where the
        store has no faster way than reading every row (a reader then uses ``rows``)."""
        return None

    @abstractmethod
    def records(self, project: str, run_id: str, stream: str, offset: int = 0) -> tuple[list[dict], int]:
        """Records of the ``events`` or ``console`` stream written after ``offset``."""

    def row_pages(self, project: str, run_id: str, stream: str = "history", page_size: int = 1000) -> Iterator[list]:
        """The raw rows of a stream in pages of at most ``page_size``, read as they are
        iterated where the store can (a server); here, read at once and cut."""
        rows, _ = self.rows(project, run_id, stream)
        for i in range(0, len(rows), page_size):
            yield rows[i : i + page_size]

    @abstractmethod
    def media(self, path: str) -> bytes:
        """Bytes of a media file that a record points to."""

    def media_size(self, path: str) -> int:
        """The size in bytes of a media file (here: read whole)."""
        return len(self.media(path))

    def media_url(self, path: str) -> str:
        """Where a media file can be fetched from (here: its store-relative path)."""
        return path

    def files(self, project: str, run_id: str, media: bool = True) -> list[StoredFile]:
        """The files of a run, by name (``runfiles.py``): those it saved (here, the
        copies its client uploaded when it ended), ``code/...`` and, with ``media``,
        the history's media (which reads the whole history)."""
        meta = self.run(project, run_id)
        return self._files(project, run_id, meta, uploaded_files(meta.get("files")), media)

    def _files(
        self, project: str, run_id: str, meta: RunMeta, saved: list[StoredFile], media: bool
    ) -> list[StoredFile]:
        found = [saved, code_files(meta.get("code"), self.media)]
        if media:
            found.append(media_files(self.rows(project, run_id, "history")[0], meta.get("summary")))
        return combined(*found)

    @abstractmethod
    def update_run(self, project: str, run_id: str, changes: Mapping[str, Any]) -> RunMeta:
        """Apply an edit (``edits.py``: name, notes, tags, group, job_type, config,
        summary, each replaced whole) and return the run's new metadata. ``RunBusy``
        while the run is being written, ``RunNotFound``, ``ValueError`` / ``TypeError``
        for a field that cannot be edited or holds the wrong kind of value."""

    @abstractmethod
    def delete_run(self, project: str, run_id: str) -> None:
        """Delete a run and its logs (media files stay: they are shared by content).
        ``RunBusy`` while it is being written, ``RunNotFound``."""

    @abstractmethod
    def open_run(self, project: str, run_id: str, meta: RunMeta, resume: str | None) -> RunWriter:
        """Create (or, with ``resume``, reopen) a run for writing."""

    # Artifacts: ``log_artifact`` commits into the catalog of the store it writes through
    # (a server's store: its spool's), then tells the store; ``Artifact.wait()`` asks it.

    @property
    def catalog(self) -> Catalog:
        """The artifacts kept with these runs (``store/catalog``)."""
        raise StoreError(f"{type(self).__name__} keeps no artifacts")

    def record_use(self, version_id: str, run: RunRef) -> Any:
        """Record that ``run`` used this store's version ``version_id`` (its input edge;
        a server's store records it in its spool and sends it behind)."""
        self.catalog.use(version_id, run)

    def artifact_logged(self, version_id: str) -> Any:
        """A version was just committed into this store's writing catalog (a server's
        store pushes it from its spool behind, and may return its push); the local
        store has nothing to do."""
        return None

    def wait_artifact(self, version_id: str, timeout: float | None = None) -> Any:
        """Return once a version logged through this store is where every reader finds
        it (a server's store: pushed from the spool; it may return the server's
        version); the local store's are at once."""
        return None
