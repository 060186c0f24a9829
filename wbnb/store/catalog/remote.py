"""``RemoteCatalog``: one entity's artifact catalog on a ``wbnb server``, over HTTP
(``server/routes/artifacts.py``), through the store's ``Connection``.

Every ``Catalog`` call is one request (a big manifest is read in pages of
``manifest_page`` entries, and committed as a blob the commit names). The server's
refusals come back as the catalog's own errors: 404 ``ArtifactNotFound``, 409
``ArtifactConflict``, 422 ``InvalidName`` (a ``ValueError``), each with the server's words.

Bytes: ``put_blob`` sends a file in chunks of at most ``UPLOAD_CHUNK`` bytes, each
from the offset the server holds, so an interrupted upload goes on where it stopped
(a dropped connection, a server restart, another process's attempt); a server with a
smaller limit (413) halves the chunks. ``blob_file`` downloads into the ``BlobCache``
(verified before it enters; a dropped download goes on with a ``Range`` request).
Transfers of ``PROGRESS_MIN`` bytes or more draw a progress bar on stderr when
``progress`` is on.
"""

from __future__ import annotations

import json
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any, BinaryIO, Protocol
from urllib.parse import quote

import requests

from ...progress import ProgressBar
from ..errors import RunNotFound, StoreError
from ..names import InvalidName, check_name
from ..wire import API, BATCH_BYTES
from .base import Catalog
from .cache import BlobCache
from .digest import check_digest, digest_bytes
from .records import (
    ArtifactConflict,
    ArtifactNotFound,
    CollectionRecord,
    Commit,
    Entry,
    RunRef,
    VersionRecord,
    check_artifact_name,
)
from .wire import MANIFEST_PAGE, UPLOAD_CHUNK, collection_from_json, commit_json, version_from_json

PROGRESS_MIN = 64 << 20
MIN_CHUNK = 64 << 10
PATIENCE = 30.0  # seconds a transfer waits for a server that stopped answering (connection lost, 5xx)
MISSING_BATCH = 50_000  # digests asked about in one request
READ = 1 << 20
OCTETS = {"Content-Type": "application/octet-stream"}
JSON = {"Content-Type": "application/json"}
# A request that got no answer: the server is down or the connection broke midway (a body cut short).
LOST = (requests.ConnectionError, requests.Timeout, requests.exceptions.ChunkedEncodingError)


def _seg(text: str) -> str:
    """One URL path segment: everything escaped, dots too (``..`` must not be read as a path step)."""
    return quote(text, safe="").replace(".", "%2E")


def _name(kind: str, name: str) -> str:
    """A name (entity, project, run id) checked by the store's rule, as one URL segment."""
    return _seg(check_name(kind, name))


def _status(e: StoreError) -> int:
    return getattr(e, "status", 0)  # set on a ``ServerError`` (``store/remote.py``)


class Connection(Protocol):
    """What of ``store/remote.py``'s ``Connection`` this module uses (it cannot import
    that module: ``RemoteStore.catalog`` imports this one)."""

    base_url: str
    timeout: tuple[float, float]
    session: Any

    def request(self, method: str, path: str, *, ok: tuple[int, ...] = (200,), **kwargs: Any) -> Any: ...

    def check(self, r: Any, method: str, path: str, ok: tuple[int, ...] = (200,)) -> None: ...


class RemoteCatalog(Catalog):
    """The artifacts of ``entity`` on the server ``conn`` talks to; downloads are
    cached in ``cache`` (``BlobCache()``: the user's cache folder, by default). A
    transfer (``put_blob``, ``blob_file``) goes on across dropped connections and 5xx
    answers, giving up (``TimeoutError``) once the server has not answered for
    ``patience`` seconds; it sends at most ``chunk`` bytes a request."""

    def __init__(
        self,
        conn: Connection,
        entity: str,
        cache: BlobCache | None = None,
        progress: bool = True,
        chunk: int = UPLOAD_CHUNK,
        patience: float = PATIENCE,
    ) -> None:
        self.conn, self.entity = conn, entity
        self.cache = cache if cache is not None else BlobCache()
        self.progress = progress
        self.chunk = chunk  # halved by a 413: the server takes smaller chunks
        self.patience = patience
        self.manifest_page = MANIFEST_PAGE
        self._root = f"/entities/{_name('entity', entity)}/artifacts"

    def __repr__(self) -> str:
        return f"RemoteCatalog({self.conn.base_url!r}, entity={self.entity!r})"

    def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        """One request below ``artifacts/``, refusals as the catalog's errors."""
        try:
            return self.conn.request(method, self._root + path, **kwargs)
        except RunNotFound as e:
            raise ArtifactNotFound(str(e)) from None
        except StoreError as e:
            status = _status(e)
            body = getattr(e, "body", None)
            detail = body["detail"] if isinstance(body, dict) and isinstance(body.get("detail"), str) else str(e)
            if status == 409:
                raise ArtifactConflict(detail) from None
            if status == 422:
                raise InvalidName(detail) from None
            raise

    def _collection(self, project: str, name: str) -> str:
        return f"/projects/{_name('project', project)}/collections/{_seg(check_artifact_name(name))}"

    def _version(self, version_id: str) -> str:
        if not isinstance(version_id, str) or not version_id:
            raise ArtifactNotFound(f"no artifact version {version_id!r}")
        return f"/versions/{_seg(version_id)}"

    # -- versions ----------------------------------------------------------------------

    def commit(self, commit: Commit) -> tuple[VersionRecord, bool]:
        """One request; a manifest too big for a request body (over ``BATCH_BYTES``,
        or over the server's limit: 413) goes first as a blob the commit names."""
        body = commit_json(commit)
        data = json.dumps(body).encode()
        if len(data) <= BATCH_BYTES:
            try:
                answer = self._call("POST", "/versions", data=data, headers=JSON)
                return version_from_json(answer["version"]), answer["created"]
            except StoreError as e:
                if _status(e) != 413:
                    raise
        answer = self._call("POST", "/versions", json={**body, "entries": [], "manifest": self._put_manifest(body)})
        return version_from_json(answer["version"]), answer["created"]

    def _put_manifest(self, body: dict[str, Any]) -> str:
        """Upload a commit's entries as a JSON blob; its digest."""
        data = json.dumps(body["entries"]).encode()
        digest = digest_bytes(data)
        if self.missing([digest]):
            with tempfile.NamedTemporaryFile(prefix="wbnb-manifest-") as f:
                f.write(data)
                f.flush()
                self.put_blob(Path(f.name), digest, len(data))
        return digest

    def resolve(self, project: str, name: str, alias: str = "latest") -> VersionRecord:
        if not isinstance(alias, str) or not alias:
            raise InvalidName(f"alias {alias!r} is not valid")
        return version_from_json(self._call("GET", f"{self._collection(project, name)}/versions/{_seg(alias)}"))

    def get(self, version_id: str) -> VersionRecord:
        return version_from_json(self._call("GET", self._version(version_id)))

    def manifest(self, version_id: str) -> list[Entry]:
        entries: list[Entry] = []
        start = 0
        while True:
            params = {"start": start, "limit": self.manifest_page}
            page = self._call("GET", self._version(version_id) + "/manifest", params=params)
            entries += [Entry.from_json(e) for e in page["entries"]]
            start = page["next"]
            if not page["more"]:
                return entries

    def versions(self, project: str, name: str) -> list[VersionRecord]:
        return [version_from_json(v) for v in self._call("GET", self._collection(project, name) + "/versions")]

    def collections(self, project: str | None = None, type: str | None = None) -> list[CollectionRecord]:
        params = {k: v for k, v in (("project", project), ("type", type)) if v is not None}
        return [collection_from_json(c) for c in self._call("GET", "/collections", params=params)]

    def projects(self) -> list[str]:
        return self._call("GET", "/projects")

    # -- edits -------------------------------------------------------------------------

    def set_aliases(self, version_id: str, aliases: Iterable[str]) -> VersionRecord:
        answer = self._call("PUT", self._version(version_id) + "/aliases", json={"aliases": list(aliases)})
        return version_from_json(answer)

    def update(self, version_id: str, changes: Mapping[str, Any]) -> VersionRecord:
        return version_from_json(self._call("PATCH", self._version(version_id), json=dict(changes)))

    def delete(self, version_id: str, delete_aliases: bool = False) -> None:
        params = {"delete_aliases": "true" if delete_aliases else "false"}
        self._call("DELETE", self._version(version_id), params=params)

    def update_collection(self, project: str, name: str, changes: Mapping[str, Any]) -> CollectionRecord:
        return collection_from_json(self._call("PATCH", self._collection(project, name), json=dict(changes)))

    def delete_collection(self, project: str, name: str) -> None:
        self._call("DELETE", self._collection(project, name))

    # -- lineage -----------------------------------------------------------------------

    def use(self, version_id: str, run: RunRef) -> None:
        self._call("POST", self._version(version_id) + "/used_by", json={"project": run.project, "run_id": run.run_id})

    def used_by(self, version_id: str) -> list[RunRef]:
        return [RunRef(**r) for r in self._call("GET", self._version(version_id) + "/used_by")]

    def _run(self, run: RunRef) -> str:
        return f"/runs/{_name('project', run.project)}/{_name('run id', run.run_id)}"

    def outputs(self, run: RunRef) -> list[VersionRecord]:
        return [version_from_json(v) for v in self._call("GET", self._run(run) + "/outputs")]

    def inputs(self, run: RunRef) -> list[VersionRecord]:
        return [version_from_json(v) for v in self._call("GET", self._run(run) + "/inputs")]

    # -- registry ----------------------------------------------------------------------

    def link(self, version_id: str, project: str, name: str, aliases: Iterable[str] = ()) -> VersionRecord:
        body = {"project": project, "name": name, "aliases": list(aliases)}
        return version_from_json(self._call("POST", self._version(version_id) + "/links", json=body))

    def links(self, version_id: str) -> list[VersionRecord]:
        return [version_from_json(v) for v in self._call("GET", self._version(version_id) + "/links")]

    # -- bytes -------------------------------------------------------------------------

    def missing(self, digests: Iterable[str]) -> set[str]:
        todo = sorted({check_digest(d) for d in digests})
        out: set[str] = set()
        for i in range(0, len(todo), MISSING_BATCH):
            out.update(self._call("POST", "/blobs/missing", json={"digests": todo[i : i + MISSING_BATCH]})["digests"])
        return out

    def put_blob(self, src: Path, digest: str, size: int, consume: bool = False) -> None:
        """Upload ``src`` as the blob ``digest``, from wherever the server's copy of an
        earlier attempt ends; ``ValueError`` when the server finds it hashes otherwise,
        ``TimeoutError`` when the server stops answering for ``patience`` seconds.
        ``src`` stays (``consume`` is for a local home)."""
        blob = f"/blobs/{check_digest(digest)}"
        status = lambda: self._call("GET", blob + "/upload")
        big = self.progress and size >= PROGRESS_MIN
        bar = ProgressBar(f"wbnb: upload {digest[:12]}", size, "bytes") if big else None
        try:
            state = self._retrying(status)
            failures = 0
            with open(src, "rb") as f:
                while not state["complete"]:
                    offset = state["received"]
                    try:
                        state = self._put_chunk(blob, f, offset, size, bar)
                        failures = 0
                        continue
                    except InvalidName as e:  # a 422: the bytes hash otherwise
                        raise ValueError(str(e)) from None
                    except ArtifactConflict:  # another attempt holds the upload, or the server holds another offset
                        failures += 1
                    except StoreError as e:
                        if _status(e) == 413 and self.chunk > MIN_CHUNK:
                            self.chunk //= 2
                        elif _status(e) < 500:
                            raise
                        else:
                            failures += 1
                    except LOST:
                        failures += 1
                    state = self._retrying(status, failures)
                    if state["received"] > offset:  # it moves on (another process's attempt too): not stuck
                        failures = 0
        finally:
            if bar is not None:
                bar.close()

    def _put_chunk(self, blob: str, f: BinaryIO, offset: int, size: int, bar: ProgressBar | None) -> Any:
        n = min(self.chunk, max(size - offset, 0))
        # The last chunk's answer waits for the server to hash and store the whole blob.
        timeout = self.conn.timeout if offset + n < size else (self.conn.timeout[0], 60 + size / 20e6)
        params = {"offset": offset, "size": size}
        return self._call("PUT", blob, params=params, data=_Slice(f, offset, n, bar), headers=OCTETS, timeout=timeout)

    def _pause(self, failures: int, since: float) -> None:
        """Wait before the next try, longer after each failure in a row; ``TimeoutError``
        once the server has not answered for ``patience`` seconds (``since``: monotonic)."""
        if time.monotonic() - since >= self.patience:
            raise TimeoutError(f"{self.conn.base_url} stopped answering for {self.patience:g} s during a transfer")
        time.sleep(min(0.25 * 2 ** (failures - 1), 8.0, max(since + self.patience - time.monotonic(), 0.0)))

    def _retrying(self, call: Callable[[], Any], failures: int = 0) -> Any:
        """``call()``, after a pause if ``failures`` requests failed in a row before it,
        retried while the server cannot be reached or answers 5xx (``patience``)."""
        since = time.monotonic()
        while True:
            if failures:
                self._pause(failures, since)
            try:
                return call()
            except LOST:
                failures += 1
            except StoreError as e:
                if _status(e) < 500:
                    raise
                failures += 1

    def blob_file(self, digest: str) -> Path:
        """The cached file of the blob, downloaded first if need be (``FileNotFoundError``
        when the entity holds no such blob)."""
        cached = self.cache.get(digest)
        if cached is not None:
            return cached
        return self.cache.add(digest, self._download(digest))

    def _download(self, digest: str) -> Iterator[bytes]:
        """The blob's bytes as they arrive; a dropped connection is resumed with a
        ``Range`` request from the bytes received (for ``patience`` seconds)."""
        path = f"{self._root}/blobs/{digest}"
        url = self.conn.base_url + API + path
        got, failures, bar, since = 0, 0, None, time.monotonic()
        try:
            while True:
                headers = {"Range": f"bytes={got}-"} if got else {}
                try:
                    with self.conn.session.get(url, headers=headers, stream=True, timeout=self.conn.timeout) as r:
                        if r.status_code == 404:
                            raise FileNotFoundError(f"{self.conn.base_url} holds no blob {digest} for {self.entity!r}")
                        self.conn.check(r, "GET", path, ok=(206,) if got else (200,))
                        total = got + int(r.headers.get("Content-Length", 0))
                        if bar is None and self.progress and total >= PROGRESS_MIN:
                            bar = ProgressBar(f"wbnb: download {digest[:12]}", total, "bytes")
                        for chunk in r.iter_content(READ):
                            got += len(chunk)
                            failures, since = 0, time.monotonic()
                            if bar is not None:
                                bar.update(got)
                            yield chunk
                    return
                except LOST:
                    failures += 1
                    self._pause(failures, since)
        finally:
            if bar is not None:
                bar.close()


class _Slice:
    """``n`` bytes of an open file from ``offset``, read as ``requests`` sends them
    (``len()`` gives the Content-Length), telling ``bar`` how far the upload is."""

    def __init__(self, f: BinaryIO, offset: int, n: int, bar: ProgressBar | None) -> None:
        self.f, self.offset, self.left, self.bar = f, offset, n, bar
        self.n = n
        f.seek(offset)

    def __len__(self) -> int:
        return self.n

    def read(self, size: int = -1) -> bytes:
        size = self.left if size < 0 else min(size, self.left)
        data = self.f.read(size)
        self.left -= len(data)
        if self.bar is not None:
            self.bar.update(self.offset + self.n - self.left)
        return data
