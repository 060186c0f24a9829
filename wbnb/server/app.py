"""The HTTP face of ``wbnb server``: ``create_app(backend)`` is a FastAPI app over a
``Backend`` (``files.py`` or ``postgres.py``), speaking the wire format of
``wbnb/store/wire.py`` under ``/api/v1``.

Every endpoint but ``/health`` needs ``Authorization: Bearer <key>``; a key reads and
writes only its own entity. Request bodies are bounded before they are read (413) and
parsed off the event loop (a big batch must not stall every other client), anything
malformed is a 422 whose message names the field, and JSON goes out the way Python's
``json`` writes it (NaN and Infinity included: metrics have them).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import re
import threading
import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from functools import partial
from typing import Annotated, Any, Literal, TypeVar

from fastapi import APIRouter, Depends, FastAPI, HTTPException, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.security import HTTPBearer
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StrictInt, StrictStr, ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .._version import __version__
from ..store.base import RunNotFound, Store, StoreError
from ..store.edits import check_edit
from ..store.history import Cursor
from ..store.names import check_name
from ..store.rows import RowError, check_rows
from ..store.wire import API, FINAL_STATES, MAX_BODY, ROW_STREAMS, STREAMS, decode_rows, encode_rows
from .backend import Backend, Gap, KeyRecord, Unavailable
from .keys import AuthFailed, authenticate
from .meta import RunEdit, RunMeta, problems

log = logging.getLogger("wbnb.server")

MiB = 1 << 20
ROWS_LIMIT = 10_000  # rows per page of GET .../rows unless the client asks for up to 10x that
INT64 = (-(1 << 63), (1 << 63) - 1)
_MEDIA_NAME = re.compile(r"([0-9a-f]{64})\.([a-z0-9]{1,8})")
_MEDIA_TYPES = {
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "gif": "image/gif",
    "webp": "image/webp",
}  # anything else (html, svg, json...) is served as plain bytes
_KEY_SCOPE = "wbnb.key"
# Names in the path, checked (and NFC-normalised) by the store's own rule: a 422 names the
# parameter and says what is wrong.
Entity = Annotated[str, AfterValidator(partial(check_name, "entity"))]
Project = Annotated[str, AfterValidator(partial(check_name, "project"))]
RunId = Annotated[str, AfterValidator(partial(check_name, "run id"))]
MAX_DEPTH = 64  # nesting of metadata and logged values: deeper would overflow a JSON writer's stack


class PyJSONResponse(JSONResponse):
    """JSON as Python's ``json`` writes it: NaN and ±Infinity survive (the client
    parses with ``json.loads``); Starlette's own refuses them. ASCII-escaped, so a lone
    surrogate a client sent cannot make the answer unencodable."""

    def render(self, content: Any) -> bytes:
        return json.dumps(content, separators=(",", ":")).encode("ascii")


# -- request and response bodies ---------------------------------------------------------

Index = Annotated[StrictInt, Field(ge=0, le=INT64[1])]
Row = tuple[Index, float, float, Index, list[Any]]


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RowsChunk(_Body):
    """History or system rows: ``rows`` are ``[step, timestamp, runtime, keys_index,
    values]``, each key tuple declared once in ``keys``."""

    start: Index
    keys: list[list[StrictStr]] = []
    rows: list[Row] = []


class EventsChunk(_Body):
    """Events (alerts, summary and config changes, exceptions) from index ``start``."""

    start: Index
    records: list[dict[str, Any]] = []


class ConsoleLine(_Body):
    """One captured line of stdout or stderr."""

    stream: StrictStr
    line: StrictStr
    t: float


class ConsoleChunk(_Body):
    """Console lines from index ``start``."""

    start: Index
    records: list[ConsoleLine] = []


class Batch(_Body):
    """What a client sends: new records of each stream, metadata, the final state."""

    history: RowsChunk | None = None
    system: RowsChunk | None = None
    events: EventsChunk | None = None
    console: ConsoleChunk | None = None
    meta: RunMeta | None = None
    state: Literal[FINAL_STATES] | None = None  # type: ignore[valid-type]
    exit_code: Annotated[StrictInt, Field(ge=INT64[0], le=INT64[1])] | None = None


class OpenRun(_Body):
    """Create or reopen a run: ``resume`` as in ``wbnb.init``."""

    meta: RunMeta = Field(default_factory=RunMeta)
    resume: Literal["allow", "must", "never"] | None = None


class Counts(BaseModel):
    """Records the server holds of each stream: where the next chunk starts."""

    history: int
    system: int
    events: int
    console: int


class Error(BaseModel):
    """Every refusal: what went wrong and what to do."""

    detail: str


class GapError(Error):
    """A batch that would leave a gap: resend from ``next``."""

    next: Counts


class Next(BaseModel):
    """The counts after a batch."""

    next: Counts


class OpenedRun(Next):
    """A run opened for writing: its metadata, counts, and how often (seconds) an idle
    client should still send a batch, empty if need be, to show it is alive."""

    meta: dict[str, Any]
    heartbeat: float


class Deleted(BaseModel):
    """A run deleted: ``project/run_id``."""

    deleted: str


class Health(BaseModel):
    """The server is up."""

    ok: bool
    version: str


class WhoAmI(BaseModel):
    """Whose key this is."""

    entity: str
    key_id: str


class MediaPath(BaseModel):
    """Where an uploaded file is kept; records point to it."""

    path: str


def _errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    return {code: {"model": Error} for code in codes}


M = TypeVar("M", bound=BaseModel)
_BODIES: tuple[type[BaseModel], ...] = (OpenRun, Batch, RunEdit)  # parsed by the endpoints themselves (``_parse``)


def _parse(model: type[M], body: bytes) -> M:
    """A request body as ``model``; 422 naming the field. Called on a worker thread:
    decoding and validating a batch of tens of MiB takes seconds, which on the event
    loop would stall every other request meanwhile (FastAPI's own body parameters do)."""
    try:
        data = json.loads(body)
    except (ValueError, RecursionError) as e:  # not UTF-8, not JSON, nested too deep to decode
        raise HTTPException(422, f"the body is not valid JSON: {e}") from None
    try:
        return model.model_validate(data)
    except ValidationError as e:
        raise HTTPException(422, "; ".join(problems(e.errors()))) from None


def _json_body(model: type[BaseModel]) -> dict[str, Any]:
    """The OpenAPI ``requestBody`` of an endpoint that parses ``model`` with ``_parse``."""
    schema = {"$ref": f"#/components/schemas/{model.__name__}"}
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": schema}}}}


def _with_body_schemas(app: FastAPI) -> None:
    """Add the schemas of ``_BODIES`` to the app's OpenAPI components (FastAPI adds
    only those of the bodies it parses itself)."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        spec = FastAPI.openapi(app)  # caches it as app.openapi_schema
        schemas = spec.setdefault("components", {}).setdefault("schemas", {})
        for model in _BODIES:
            schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
            schemas.update(schema.pop("$defs", {}))
            schemas[model.__name__] = schema
        return spec

    app.openapi = openapi  # type: ignore[method-assign]


# -- reading by index ---------------------------------------------------------------------


class Positions:
    """Where record ``i`` of a run's stream starts, for the last few reads.

    The Store reads after a cursor (rows) or a byte offset (records), the API by index:
    a client following a live run asks for the index just past its last answer, so
    remembering where each answer ended saves rereading the run from the start. A read
    cut short by a page limit also keeps the records it read past the page (up to
    ``max_pending`` in all), so paging through a long run reads it once, not once a page.
    """

    def __init__(self, size: int = 512, max_pending: int = 1_000_000) -> None:
        self._size, self._max_pending = size, max_pending
        self._lru: OrderedDict[tuple, tuple[Any, list]] = OrderedDict()  # (*stream, index) -> (position, pending)
        self._pending = 0
        self._lock = threading.Lock()

    def take(self, stream: tuple, index: int) -> tuple[int, Any, list]:
        """The remembered entry of ``stream`` closest at or before ``index``:
        ``(its index, position, records read from there on)``; ``(0, None, [])`` when
        there is none. An entry with records is handed out once: the caller remembers
        what it does not use."""
        with self._lock:
            best = max((k[-1] for k in self._lru if k[:-1] == stream and k[-1] <= index), default=None)
            if best is None:
                return 0, None, []
            key = (*stream, best)
            position, pending = self._lru[key]
            if not pending:
                self._lru.move_to_end(key)
                return best, position, []  # a new list: the caller may extend it
            del self._lru[key]
            self._pending -= len(pending)
            return best, position, pending

    def remember(self, stream: tuple, index: int, position: Any, pending: list | None = None) -> None:
        """Note that record ``index`` of ``stream`` starts at ``position``, or that
        ``pending`` are the records from ``index`` on and ``position`` follows them."""
        pending = pending or []
        with self._lock:
            key = (*stream, index)
            old = self._lru.pop(key, None)
            self._pending += len(pending) - (len(old[1]) if old else 0)
            self._lru[key] = (position, pending)
            while len(self._lru) > self._size or self._pending > self._max_pending:
                self._pending -= len(self._lru.popitem(last=False)[1][1])


# -- limits and keys, before any endpoint reads a byte -----------------------------------


class _Guard:
    """ASGI middleware: authenticate, then bound the body (Content-Length up front,
    counted bytes as they stream in), so an unauthenticated or oversized request is
    refused before it is read, let alone parsed."""

    def __init__(self, app: ASGIApp, backend: Backend, max_body: int, max_media: int) -> None:
        self.app, self.backend, self.max_body, self.max_media = app, backend, max_body, max_media

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        path: str = scope["path"]
        headers = Headers(scope=scope)
        if path.startswith(API + "/") and path != API + "/health":
            try:
                scope[_KEY_SCOPE] = await run_in_threadpool(authenticate, self.backend, headers.get("authorization"))
            except AuthFailed as e:
                response = PyJSONResponse({"detail": str(e)}, 401, headers={"WWW-Authenticate": "Bearer"})
                return await response(scope, receive, send)
            except Unavailable as e:  # the keys live in the database too
                response = PyJSONResponse({"detail": f"{e}; try again shortly"}, 503, headers={"Retry-After": "2"})
                return await response(scope, receive, send)
        limit = self.max_media if path.startswith(API + "/media/") else self.max_body
        length = headers.get("content-length", "")
        if length.isdigit() and int(length) > limit:
            return await PyJSONResponse({"detail": _too_large(limit)}, 413)(scope, receive, send)
        seen = 0

        async def bounded() -> Message:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > limit:  # FastAPI lets an HTTPException from reading the body through
                raise HTTPException(413, _too_large(limit))
            return message

        await self.app(scope, bounded, send)


def _too_large(limit: int) -> str:
    return f"the request body is over this server's limit of {limit} bytes; send less at a time"


def _principal(request: Request, _: Any = Depends(HTTPBearer(auto_error=False))) -> KeyRecord:
    """The key the guard authenticated (the HTTPBearer dependency only documents the
    scheme in the OpenAPI spec)."""
    return request.scope[_KEY_SCOPE]


def _entity_key(entity: Entity, key: KeyRecord = Depends(_principal)) -> KeyRecord:
    """The key, if it belongs to the entity in the URL (403 otherwise)."""
    if entity != key.entity:
        raise HTTPException(
            403, f"API key {key.key_id} belongs to entity {key.entity!r}, not {entity!r}; use a key of {entity!r}"
        )
    return key


Key = Annotated[KeyRecord, Depends(_entity_key)]  # module level: FastAPI resolves annotations here


@contextmanager
def _refusals(store_error: int = 409) -> Iterator[None]:
    """Store exceptions as HTTP answers: a missing run 404, a bad name 422, a refusal
    ``store_error``."""
    try:
        yield
    except RunNotFound as e:
        raise HTTPException(404, str(e)) from None
    except Unavailable:
        raise  # 503, by the app's handler
    except StoreError as e:
        raise HTTPException(store_error, str(e)) from None
    except ValueError as e:
        raise HTTPException(422, str(e)) from None


def _too_deep(value: Any, depth: int = 0) -> bool:
    """Whether lists and dicts nest deeper than ``MAX_DEPTH`` below ``value``."""
    if depth > MAX_DEPTH:
        return True
    items = value.values() if isinstance(value, dict) else value if isinstance(value, list) else ()
    return any(isinstance(v, (dict, list)) and _too_deep(v, depth + 1) for v in items)


def _check_depth(value: Any, where: str) -> None:
    """422 for a value nested too deeply to store (it would overflow a JSON writer)."""
    if _too_deep(value):
        raise HTTPException(422, f"{where} nests deeper than {MAX_DEPTH} levels")


def _fields(model: BaseModel) -> dict[str, Any]:
    """A model's fields as a shallow dict (``dict(model)`` would call a field named keys)."""
    return {name: getattr(model, name) for name in type(model).model_fields}


def _meta(meta: RunMeta) -> dict[str, Any]:
    """Checked metadata as the fields the client sent (numbers as floats where a float
    is due); 422 for one nested too deeply."""
    fields = meta.model_dump(exclude_unset=True)
    _check_depth(fields, "meta")
    return fields


def _wire(batch: Batch) -> dict[str, Any]:
    """A validated batch as the wire dict ``Backend.ingest`` takes, after the checks
    pydantic cannot express (64-bit integers, bounded nesting), each naming its field."""
    out: dict[str, Any] = {}
    for name in STREAMS:
        chunk = getattr(batch, name)
        if chunk is None:
            continue
        out[name] = _fields(chunk)
        if name == "console":
            out[name]["records"] = [_fields(line) for line in chunk.records]
        elif name == "events":
            for n, record in enumerate(chunk.records):
                _check_depth(record, f"events.records[{n}]")
    for name in ROW_STREAMS:
        if name not in out:
            continue
        try:
            check_rows(decode_rows(out[name]), name)  # the rules log() follows: store/rows.py
        except RowError as e:
            raise HTTPException(422, str(e)) from None
        except ValueError as e:  # a keys_index past keys, values that do not match their keys
            raise HTTPException(422, f"{name}.{e}") from None
    if batch.meta is not None:
        out["meta"] = _meta(batch.meta)
    if batch.state is not None:
        out["state"], out["exit_code"] = batch.state, batch.exit_code
    return out


class Liveness:
    """Runs whose client went silent read as ``crashed``.

    Each batch stamps the run's ``heartbeat_at`` (at most every ``stale_after / 8``
    seconds per run and server process, so metadata is not rewritten per batch); a
    client with nothing to send sends an empty batch every ``heartbeat`` seconds. A
    ``running`` run whose stamp is older than ``stale_after`` is shown as ``crashed``;
    ``sweep`` lets the backend mark it so (the folder backend does), and a client that
    comes back reopens it.

    A run silent for ``idle_after`` (two heartbeats missed: its client is gone, or
    cut off) has what it holds released by the backend, and taken again by its next
    batch."""

    def __init__(self, stale_after: float) -> None:
        self.stale_after = stale_after
        self.heartbeat = stale_after / 4
        self.idle_after = stale_after / 2
        self._stamped: dict[tuple[str, str, str], float] = {}
        self._lock = threading.Lock()

    def stamp(self, run: tuple[str, str, str], meta: dict[str, Any], force: bool = False) -> dict[str, Any]:
        """``meta`` with a fresh ``heartbeat_at`` when one is due (or ``force``)."""
        now = time.time()
        with self._lock:
            if not force and now - self._stamped.get(run, 0.0) < self.stale_after / 8:
                return meta
            self._stamped[run] = now
        return {**meta, "heartbeat_at": now}

    def sweep(self, backend: Backend) -> None:
        """Have ``backend`` release idle runs and mark stale ones crashed; forget the
        stamps of runs silent for longer than that (their next batch stamps anew)."""
        backend.close_idle(self.idle_after, self.stale_after)
        old = time.time() - self.stale_after
        with self._lock:
            for run in [run for run, t in self._stamped.items() if t < old]:
                del self._stamped[run]

    def shown(self, meta: dict[str, Any]) -> dict[str, Any]:
        """How a run's metadata is shown: ``crashed`` when its client is silent."""
        beat = meta.get("heartbeat_at")
        if meta.get("state") == "running" and isinstance(beat, (int, float)) and time.time() - beat > self.stale_after:
            return {
                **meta,
                "state": "crashed",
                "crash_reason": f"no word from its client for over {self.stale_after:g} s",
            }
        return meta


def create_app(
    backend: Backend, max_body: int = MAX_BODY, max_media: int = 64 * MiB, stale_after: float = 120.0
) -> FastAPI:
    """The server's ASGI app over ``backend``; request bodies are capped at
    ``max_body`` bytes (by default twice what a client puts in a batch, ``wire.py``;
    ``max_media`` for file uploads); a running run whose client
    has been silent for ``stale_after`` seconds reads as crashed, and is marked so
    (``Liveness``). The app closes the backend when it shuts down."""

    liveness = Liveness(stale_after)

    async def sweeping() -> None:
        while True:
            await asyncio.sleep(stale_after / 8)
            try:
                await run_in_threadpool(liveness.sweep, backend)
            except Exception:  # a full disk, the database away: the next round tries again
                log.exception("closing idle runs failed")

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        sweeper = asyncio.create_task(sweeping())
        yield
        sweeper.cancel()
        # Here, not after uvicorn.run(): uvicorn re-raises SIGTERM once it has shut down.
        await run_in_threadpool(backend.close)

    app = FastAPI(title="wbnb server", version=__version__, default_response_class=PyJSONResponse, lifespan=lifespan)
    app.add_middleware(_Guard, backend=backend, max_body=max_body, max_media=max_media)
    _with_body_schemas(app)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        # Query and path parameters; once each (the entity is checked for the key too).
        return PyJSONResponse({"detail": "; ".join(dict.fromkeys(problems(exc.errors())))}, 422)

    @app.exception_handler(Unavailable)
    async def unavailable(request: Request, exc: Unavailable) -> Response:
        return PyJSONResponse({"detail": f"{exc}; try again shortly"}, 503, headers={"Retry-After": "2"})

    @app.exception_handler(StarletteHTTPException)
    async def refused(request: Request, exc: StarletteHTTPException) -> Response:
        return PyJSONResponse({"detail": exc.detail}, exc.status_code, headers=exc.headers)

    @app.get(API + "/health", response_model=Health)
    def health() -> Any:
        """Whether the server is up, and its version. Needs no key."""
        return {"ok": True, "version": __version__}

    rows_at, records_at = Positions(), Positions()
    api = APIRouter(prefix=API, responses=_errors(401, 422))
    run_path = "/entities/{entity}/projects/{project}/runs/{run_id}"

    def store(entity: str) -> Store:
        with _refusals():
            return backend.store(entity)

    def existing(entity: str, project: str, run_id: str) -> Store:
        """The entity's store, once the run is known to exist (404 otherwise)."""
        s = store(entity)
        with _refusals():
            s.run(project, run_id)
        return s

    @api.get("/whoami", response_model=WhoAmI)
    def whoami(key: KeyRecord = Depends(_principal)) -> Any:
        """The entity and key id of the key sent."""
        return {"entity": key.entity, "key_id": key.key_id}

    @api.get("/entities/{entity}/projects", response_model=list[str], responses=_errors(403))
    def projects(entity: Entity, key: Key) -> Any:
        """Names of the entity's projects."""
        return store(entity).projects()

    @api.get("/entities/{entity}/projects/{project}/runs", response_model=list[dict[str, Any]], responses=_errors(403))
    def runs(entity: Entity, project: Project, key: Key) -> Any:
        """Metadata of every run of a project."""
        s = store(entity)
        with _refusals():
            return PyJSONResponse([liveness.shown(meta) for meta in s.runs(project)])

    @api.get(run_path, response_model=dict[str, Any], responses=_errors(403, 404))
    def run(entity: Entity, project: Project, run_id: RunId, key: Key) -> Any:
        """Metadata of one run."""
        s = store(entity)
        with _refusals():
            return PyJSONResponse(liveness.shown(s.run(project, run_id)))

    @api.put(run_path, response_model=OpenedRun, responses=_errors(403, 409), openapi_extra=_json_body(OpenRun))
    async def open_run(entity: Entity, project: Project, run_id: RunId, request: Request, key: Key) -> Any:
        """Create or reopen a run for writing; 409 when ``resume`` forbids it."""
        data = await request.body()  # bounded by the guard

        def work() -> Response:
            body = _parse(OpenRun, data)
            stamped = liveness.stamp((entity, project, run_id), _meta(body.meta), force=True)
            with _refusals():
                meta, counts = backend.open_run(entity, project, run_id, stamped, body.resume)
            return PyJSONResponse({"meta": meta, "next": counts, "heartbeat": liveness.heartbeat})

        return await run_in_threadpool(work)

    def live(meta: dict[str, Any]) -> bool:
        """Whether a run's client is still writing it: running, and not silent."""
        return liveness.shown(meta).get("state") == "running"

    @api.patch(
        run_path, response_model=dict[str, Any], responses=_errors(403, 404, 409), openapi_extra=_json_body(RunEdit)
    )
    async def update_run(entity: str, project: str, run_id: str, request: Request, key: Key) -> Any:
        """Edit a run that has ended: ``name``, ``notes``, ``tags``, ``group``,
        ``job_type``, ``config``, ``summary``; each field sent replaces the stored one.
        Returns the run's metadata. 409 while the run is running (its client would
        write over the edit), 422 naming a field that cannot be edited."""
        data = await request.body()  # bounded by the guard

        def work() -> Response:
            # RunEdit types the fields as RunMeta does; check_edit refuses what an edit cannot hold (a null config).
            try:
                changes = check_edit(_parse(RunEdit, data).model_dump(exclude_unset=True))
            except (TypeError, ValueError) as e:
                raise HTTPException(422, str(e)) from None
            _check_depth(changes, "body")
            with _refusals():
                return PyJSONResponse(liveness.shown(backend.update_run(entity, project, run_id, changes, live)))

        return await run_in_threadpool(work)

    @api.delete(run_path, response_model=Deleted, responses=_errors(403, 404, 409))
    def delete_run(entity: str, project: str, run_id: str, key: Key) -> Any:
        """Delete a run and its records (media files stay: they are shared by
        content). 409 while the run is running."""
        with _refusals():
            backend.delete_run(entity, project, run_id, live)
        return {"deleted": f"{project}/{run_id}"}

    @api.get(run_path + "/counts", response_model=Counts, responses=_errors(403, 404))
    def counts(entity: Entity, project: Project, run_id: RunId, key: Key) -> Any:
        """Records held of each stream: where a client resumes sending."""
        with _refusals():
            return backend.counts(entity, project, run_id)

    @api.post(
        run_path + "/batches",
        response_model=Next,
        responses={**_errors(403, 404, 503), 409: {"model": GapError}},
        openapi_extra=_json_body(Batch),
    )
    async def ingest(entity: Entity, project: Project, run_id: RunId, request: Request, key: Key) -> Any:
        """Apply a batch exactly once: chunks start at an index, what the server holds
        already is skipped. 409 with ``next`` when a chunk would leave a gap; 503 when
        the run cannot be opened right now (retry)."""
        data = await request.body()  # bounded by the guard

        def work() -> Response:
            wire = _wire(_parse(Batch, data))
            if wire.get("state") is None and (meta := liveness.stamp((entity, project, run_id), wire.get("meta", {}))):
                wire["meta"] = meta
            try:
                with _refusals(store_error=503):
                    return PyJSONResponse({"next": backend.ingest(entity, project, run_id, wire)})
            except Gap as gap:
                return PyJSONResponse({"detail": f"{gap}", "next": gap.counts}, 409)

        return await run_in_threadpool(work)

    @api.get(run_path + "/rows", responses=_errors(403, 404))
    def rows(
        entity: Entity,
        project: Project,
        run_id: RunId,
        key: Key,
        stream: Literal["history", "system"] = "history",
        start: Annotated[int, Query(ge=0)] = 0,
        limit: Annotated[int, Query(ge=1, le=10 * ROWS_LIMIT)] = ROWS_LIMIT,
    ) -> Any:
        """Raw rows from index ``start`` as a wire rows chunk, plus ``next`` (the index
        after the last row sent) and ``more`` (whether rows past ``limit`` wait)."""
        s = existing(entity, project, run_id)
        where = (entity, project, run_id, stream)
        base, cursor, pending = rows_at.take(where, start)
        with _refusals():
            new, end = s.rows(project, run_id, stream, cursor or Cursor())
        got = pending + new  # the rows from index base on
        page = got[start - base : start - base + limit]
        after = start + len(page)
        rows_at.remember(where, base + len(got), end)
        if base + len(got) > after:  # cut by the limit: keep the rest for the next page
            rows_at.remember(where, after, end, got[after - base :])
        chunk = encode_rows(start, page)
        chunk["next"], chunk["more"] = after, base + len(got) > after
        return PyJSONResponse(chunk)

    @api.get(run_path + "/columns", responses=_errors(403, 404))
    def columns(
        entity: Entity,
        project: Project,
        run_id: RunId,
        key: Key,
        stream: Literal["history", "system"] = "history",
        samples: Annotated[int | None, Query(ge=1, le=1_000_000)] = None,
    ) -> Any:
        """The stream as aligned columns (``samples`` evenly spaced steps when given);
        gaps in numeric columns are NaN, as in the Store."""
        s = existing(entity, project, run_id)
        with _refusals():
            cols = s.columns(project, run_id, stream, samples)
        return PyJSONResponse({k: v.tolist() if hasattr(v, "tolist") else v for k, v in cols.items()})

    @api.get(run_path + "/records", responses=_errors(403, 404))
    def records(
        entity: Entity,
        project: Project,
        run_id: RunId,
        key: Key,
        stream: Literal["events", "console"],
        start: Annotated[int, Query(ge=0)] = 0,
    ) -> Any:
        """Events or console lines from index ``start``, with ``next``."""
        s = existing(entity, project, run_id)
        where = (entity, project, run_id, stream)
        base, offset, _ = records_at.take(where, start)  # records are sent whole: nothing pending
        with _refusals():
            got, end = s.records(project, run_id, stream, offset or 0)
        records_at.remember(where, base + len(got), end)
        page = got[start - base :]
        return PyJSONResponse({"records": page, "next": start + len(page)})

    @api.put(
        "/media/{name}",
        response_model=MediaPath,
        responses=_errors(413),
        openapi_extra={
            "requestBody": {
                "required": True,
                "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
            }
        },
    )
    async def put_media(name: str, request: Request, key: KeyRecord = Depends(_principal)) -> Any:
        """Store a file under its content's name, ``<sha256>.<ext>``; 422 when the
        body does not hash to that name."""
        match = _MEDIA_NAME.fullmatch(name)
        if match is None:
            raise HTTPException(422, f"media name {name!r} must be <sha256 of the body, 64 hex>.<1-8 of a-z0-9>")
        data = await request.body()  # bounded by the guard
        return {"path": await run_in_threadpool(_put_media, backend, data, *match.groups())}

    def media_bytes(prefix: str, name: str) -> bytes:
        with _refusals():
            try:
                return backend.media(f"media/{prefix}/{name}")
            except FileNotFoundError:
                raise HTTPException(404, f"no media file media/{prefix}/{name}") from None

    def media_response(name: str, data: bytes, head: bool = False) -> Response:
        kind = _MEDIA_TYPES.get(name.rsplit(".", 1)[-1], "application/octet-stream")
        headers = {"X-Content-Type-Options": "nosniff", "Content-Length": str(len(data))}
        return Response(b"" if head else data, media_type=kind, headers=headers)

    @api.get("/media/{prefix}/{name}", response_class=Response, responses=_errors(404))
    def get_media(prefix: str, name: str, key: KeyRecord = Depends(_principal)) -> Response:
        """The bytes of ``media/<prefix>/<name>``, a path a record points to."""
        return media_response(name, media_bytes(prefix, name))

    @api.head("/media/{prefix}/{name}", response_class=Response, responses=_errors(404))
    def head_media(prefix: str, name: str, key: KeyRecord = Depends(_principal)) -> Response:
        """Whether ``media/<prefix>/<name>`` exists (its length, no body)."""
        return media_response(name, media_bytes(prefix, name), head=True)

    app.include_router(api)
    return app


def _put_media(backend: Backend, data: bytes, digest: str, ext: str) -> str:
    """Hash and store an upload off the event loop (64 MiB take a while)."""
    actual = hashlib.sha256(data).hexdigest()
    if actual != digest:
        raise HTTPException(422, f"the body's SHA-256 is {actual}, not {digest}: name a file after its content")
    return backend.put_media(data, ext)
