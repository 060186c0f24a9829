"""The Store interface over HTTP: what ``Api()``, the widgets and the tracker use when
runs live on a ``wbnb server`` (``WBNB_BASE_URL`` / ``wbnb.login(host=)``).

Reading is a thin mapping of ``Store`` calls onto the server's endpoints (a row
cursor's ``offset`` is a row index here). Writing never talks to the network on the
training thread: ``open_run`` returns a writer that logs into a local spool store, and
an ``Uploader`` thread ships what is new (``uploader.py``).
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from ..errors import AuthenticationError, CommError
from .base import RunNotFound, RunWriter, Store, StoreError
from .columns import numeric_arrays
from .edits import check_edit
from .media import check_media_path
from .names import check_name
from .rowread import Cursor
from .runmeta import RunMeta
from .wire import API, decode_rows

if TYPE_CHECKING:
    from .catalog.push import Push, Pushes
    from .catalog.records import RunRef, VersionRecord
    from .catalog.remote import RemoteCatalog

TIMEOUT = (5.0, 30.0)  # (connect, read) seconds
MAX_PAGE = 100_000  # rows per page the server sends at most


class ServerError(StoreError, CommError):
    """The server refused a request or could not be reached."""


class Unreachable(ServerError):
    """The server could not be reached (down, or no network): what was sent stays spooled."""


class AuthError(ServerError, AuthenticationError, PermissionError):
    """The key is missing, unknown or revoked (401), or may not see that entity (403)."""


class Connection:
    """One ``requests.Session`` (keep-alive) to a server, with the key attached.

    Thread-safe in practice: every method makes one request; the session's pool
    holds a connection per thread that uses it.
    """

    def __init__(self, base_url: str, api_key: str | None, timeout: tuple[float, float] = TIMEOUT) -> None:
        import requests

        if not base_url.startswith(("http://", "https://")):
            raise ValueError(f"server URL must start with http:// or https://, got {base_url!r}")
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.session = requests.Session()
        if api_key:
            self.session.headers["Authorization"] = f"Bearer {api_key}"
        self._local = threading.local()

    def __repr__(self) -> str:
        return f"Connection({self.base_url!r})"

    def request(self, method: str, path: str, *, ok: tuple[int, ...] = (200,), **kwargs: Any) -> Any:
        """Send one request; return the parsed JSON (bytes for media). Raises
        ``AuthError`` / ``RunNotFound`` / ``ServerError`` with the server's message, and
        lets ``requests.ConnectionError`` / ``Timeout`` through for callers that retry."""
        body = kwargs.pop("json", None)
        if body is not None:  # Python's json: NaN and Infinity survive the trip
            kwargs["data"] = json.dumps(body, default=str).encode()
            kwargs.setdefault("headers", {})["Content-Type"] = "application/json"
        kwargs.setdefault("timeout", self.timeout)
        r = self.session.request(method, self.base_url + API + path, **kwargs)
        self.check(r, method, path, ok)
        if r.headers.get("content-type", "").startswith("application/json"):
            return json.loads(r.content)
        return r.content

    def check(self, r: Any, method: str, path: str, ok: tuple[int, ...] = (200,)) -> None:
        """Nothing if ``r`` (a ``requests.Response``) has an ``ok`` status; the error
        ``request`` raises otherwise."""
        if r.status_code in ok:
            return
        detail = _detail(r)
        if r.status_code == 401:
            raise AuthError(
                f"{self.base_url} refused the API key: {detail}. Log in again with "
                "wbnb.login(key=..., host=...) or set WBNB_API_KEY."
            )
        if r.status_code == 403:
            raise AuthError(f"{self.base_url}: {detail}")
        if r.status_code == 404:
            raise RunNotFound(f"{self.base_url}: {detail}")
        error = ServerError(f"{self.base_url} answered {r.status_code} to {method} {path}: {detail}")
        error.status = r.status_code  # type: ignore[attr-defined]
        error.body = _json_or_none(r)  # type: ignore[attr-defined]
        raise error

    def whoami(self) -> dict[str, Any]:
        """The entity and key id the server sees for this key (checks the key)."""
        return self.request("GET", "/whoami")


def _json_or_none(r: Any) -> Any:
    try:
        return json.loads(r.content)
    except ValueError:
        return None


def _detail(r: Any) -> str:
    body = _json_or_none(r)
    if isinstance(body, dict) and "detail" in body:
        detail = body["detail"]
        return detail if isinstance(detail, str) else json.dumps(detail)
    return (r.text or r.reason or "")[:300]


def _q(kind: str, name: str) -> str:
    """One URL path segment: a name checked by the server's own rule (a clear error
    here, not a 404 for a path the name split), every other character escaped."""
    return quote(check_name(kind, name), safe="")


class RemoteStore(Store):
    """One entity's runs on a server, read through the ``Store`` interface.

    ``open_run`` spools into ``spool`` (a ``LocalStore`` folder) and uploads from there.
    """

    def __init__(
        self, conn: Connection, entity: str, spool: str | os.PathLike[str] | None = None, upload_timeout: float = 20.0
    ) -> None:
        self.conn = conn
        self.entity = entity
        self.spool = Path(spool) if spool is not None else None
        self.upload_timeout = upload_timeout  # how long closing a run waits for the upload
        self._catalog: RemoteCatalog | None = None
        self._pushes: Pushes | None = None
        self._pushed: dict[str, Push] = {}  # spool version id -> its latest push
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"RemoteStore({self.conn.base_url!r}, entity={self.entity!r})"

    def _project(self, project: str) -> str:
        return f"/entities/{_q('entity', self.entity)}/projects/{_q('project', project)}"

    def _run(self, project: str, run_id: str) -> str:
        return f"{self._project(project)}/runs/{_q('run id', run_id)}"

    def projects(self) -> list[str]:
        return self.conn.request("GET", f"/entities/{_q('entity', self.entity)}/projects")

    def runs(self, project: str) -> list[RunMeta]:
        return self.conn.request("GET", f"{self._project(project)}/runs")

    def run(self, project: str, run_id: str) -> RunMeta:
        return self.conn.request("GET", self._run(project, run_id))

    def rows(
        self, project: str, run_id: str, stream: str = "history", cursor: Cursor | None = None
    ) -> tuple[list[tuple], Cursor]:
        start = cursor.offset if cursor else 0
        rows: list[tuple] = []
        while True:  # the server pages long answers
            chunk = self.conn.request(
                "GET", f"{self._run(project, run_id)}/rows", params={"stream": stream, "start": start}
            )
            page = decode_rows(chunk)
            rows.extend(page)
            start = chunk["next"]
            if not page or not chunk.get("more"):
                return rows, Cursor(start, {})

    def row_pages(self, project: str, run_id: str, stream: str = "history", page_size: int = 1000) -> Iterator[list]:
        """Rows fetched one page of ``page_size`` (at most ``MAX_PAGE``) at a time, as
        they are iterated: a reader that stops early fetches no more."""
        start = 0
        while True:
            chunk = self.conn.request(
                "GET",
                f"{self._run(project, run_id)}/rows",
                params={"stream": stream, "start": start, "limit": min(page_size, MAX_PAGE)},
            )
            page = decode_rows(chunk)
            if page:
                yield page
            start = chunk["next"]
            if not page or not chunk.get("more"):
                return

    def columns(self, project: str, run_id: str, stream: str = "history", samples: int | None = None) -> dict[str, Any]:
        params: dict[str, Any] = {"stream": stream}
        if samples:
            params["samples"] = samples
        cols = self.conn.request("GET", f"{self._run(project, run_id)}/columns", params=params)
        return numeric_arrays(cols)

    def records(self, project: str, run_id: str, stream: str, offset: int = 0) -> tuple[list[dict], int]:
        answer = self.conn.request(
            "GET", f"{self._run(project, run_id)}/records", params={"stream": stream, "start": offset}
        )
        return answer["records"], answer["next"]

    def media(self, path: str) -> bytes:
        """The bytes of the server's media file ``path``; ``ValueError`` for anything but a
        media path (the local store's rule: a record's path from another client never
        names another URL of the server), ``RunNotFound`` while the server has no such file."""
        return self.conn.request("GET", "/" + check_media_path(path))

    def media_size(self, path: str) -> int:
        """The file's length from a ``HEAD`` request (its bytes are not sent)."""
        r = self.conn.session.head(self.media_url(path), timeout=self.conn.timeout)
        if r.status_code == 404:
            raise FileNotFoundError(f"{self.conn.base_url} has no {path}")
        r.raise_for_status()
        return int(r.headers["Content-Length"])

    def media_url(self, path: str) -> str:
        return f"{self.conn.base_url}{API}/{check_media_path(path)}"

    def update_run(self, project: str, run_id: str, changes: Mapping[str, Any]) -> RunMeta:
        return self.conn.request("PATCH", self._run(project, run_id), json=check_edit(changes))

    def delete_run(self, project: str, run_id: str) -> None:
        """Delete the run on the server, and this machine's spooled copy of it if any."""
        self.conn.request("DELETE", self._run(project, run_id))
        if self.spool is not None:
            from .local import LocalStore

            try:
                LocalStore(self.spool).delete_run(project, run_id)
            except RunNotFound:
                pass

    @property
    def catalog(self) -> RemoteCatalog:
        """The entity's artifacts on the server (``catalog/remote.py``)."""
        if self._catalog is None:
            from .catalog.remote import RemoteCatalog

            self._catalog = RemoteCatalog(self.conn, self.entity)
        return self._catalog

    def artifact_logged(self, version_id: str) -> Push:
        """Push the spool's version ``version_id`` (what ``log_artifact`` committed into
        the spool's catalog, ``LocalStore(spool).catalog``: a link's, its source's), its
        aliases, lineage and links to the server in the background, never on the
        caller's thread; the ``Push`` says when it is there. Call it again after
        changing the version in the spool (aliases, a use, a link): only that goes."""
        push = self._pushing().push(version_id)
        self._pushed[version_id] = push
        return push

    def wait_artifact(self, version_id: str, timeout: float | None = None) -> VersionRecord | None:
        """The server's version once the spool's ``version_id`` is pushed (pushing it
        now if this process has not: nothing goes that the push log says is there);
        ``TimeoutError`` after ``timeout`` seconds (it goes on), the server's refusal."""
        push = self._pushed.get(version_id) or self.artifact_logged(version_id)
        return push.wait(timeout)

    def record_use(self, version_id: str, run: RunRef) -> Push:
        """Record, in the spool then on the server in the background, that ``run`` used
        the server's version ``version_id`` (``use_artifact`` resolved on the server)."""
        return self._pushing().use(version_id, run)

    def wait_pushes(self, timeout: float) -> list[str]:
        """Wait at most ``timeout`` seconds for the pushes asked for; what is not on the server, said once."""
        return self._pushes.wait_all(timeout) if self._pushes is not None else []

    def _pushing(self) -> Pushes:
        with self._lock:
            if self._pushes is None:
                from .catalog.push import Pusher, Pushes, PushLog
                from .catalog.remote import RemoteCatalog
                from .local import LocalStore

                if self.spool is None:
                    raise StoreError("this RemoteStore has no spool folder to push artifacts from")
                server = RemoteCatalog(self.conn, self.entity, progress=False)  # in the background: no bars
                pusher = Pusher(LocalStore(self.spool).catalog, server, PushLog(self.spool), self.conn.base_url)
                self._pushes = Pushes(pusher)
            return self._pushes

    def open_run(self, project: str, run_id: str, meta: RunMeta, resume: str | None) -> RunWriter:
        from .uploader import open_spooled_run

        if self.spool is None:
            raise StoreError("this RemoteStore has no spool folder to log through")
        return open_spooled_run(self, project, run_id, meta, resume, self.upload_timeout)
