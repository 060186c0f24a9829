"""What goes over HTTP: the request and response bodies of ``/api/v1`` (their pydantic
models, in the OpenAPI document), how a body is parsed (off the event loop, a 422 naming
the field) and checked past what pydantic expresses, and ``PyJSONResponse``."""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal, TypeVar

from fastapi import FastAPI, HTTPException
from pydantic import BaseModel, ConfigDict, Field, StrictInt, StrictStr, ValidationError
from starlette.responses import JSONResponse

from ..store.rows import RowError, check_rows
from ..store.runmeta import RunMeta
from ..store.wire import FINAL_STATES, ROW_STREAMS, STREAMS, decode_rows
from .meta import RunEdit, problems

INT64 = (-(1 << 63), (1 << 63) - 1)
MAX_DEPTH = 64  # nesting of metadata and logged values: deeper would overflow a JSON writer's stack


class PyJSONResponse(JSONResponse):
    """JSON as Python's ``json`` writes it: NaN and ±Infinity survive (the client
    parses with ``json.loads``); Starlette's own refuses them. ASCII-escaped, so a lone
    surrogate a client sent cannot make the answer unencodable."""

    def render(self, content: Any) -> bytes:
        return json.dumps(content, separators=(",", ":")).encode("ascii")


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

    meta: RunMeta
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


def errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    """The OpenAPI ``responses`` of refusals with these status codes (an ``Error`` body)."""
    return {code: {"model": Error} for code in codes}


M = TypeVar("M", bound=BaseModel)
BODIES: tuple[type[BaseModel], ...] = (OpenRun, Batch, RunEdit)  # parsed by the endpoints themselves (``parse``)


def parse(model: type[M], body: bytes) -> M:
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


def json_body(model: type[BaseModel]) -> dict[str, Any]:
    """The OpenAPI ``requestBody`` of an endpoint that parses ``model`` with ``parse``."""
    schema = {"$ref": f"#/components/schemas/{model.__name__}"}
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": schema}}}}


def with_body_schemas(app: FastAPI, models: tuple[type[BaseModel], ...]) -> None:
    """Add the schemas of ``models`` (bodies the endpoints ``parse``) to the app's
    OpenAPI components (FastAPI adds only those of the bodies it parses itself)."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        spec = FastAPI.openapi(app)  # caches it as app.openapi_schema
        schemas = spec.setdefault("components", {}).setdefault("schemas", {})
        for model in models:
            schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
            schemas.update(schema.pop("$defs", {}))
            schemas[model.__name__] = schema
        return spec

    app.openapi = openapi  # type: ignore[method-assign]


def _too_deep(value: Any, depth: int = 0) -> bool:
    """Whether lists and dicts nest deeper than ``MAX_DEPTH`` below ``value``."""
    if depth > MAX_DEPTH:
        return True
    items = value.values() if isinstance(value, dict) else value if isinstance(value, list) else ()
    return any(isinstance(v, (dict, list)) and _too_deep(v, depth + 1) for v in items)


def check_depth(value: Any, where: str) -> None:
    """422 for a value nested too deeply to store (it would overflow a JSON writer)."""
    if _too_deep(value):
        raise HTTPException(422, f"{where} nests deeper than {MAX_DEPTH} levels")


def _fields(model: BaseModel) -> dict[str, Any]:
    """A model's fields as a shallow dict (``dict(model)`` would call a field named keys)."""
    return {name: getattr(model, name) for name in type(model).model_fields}


def wire_batch(batch: Batch) -> dict[str, Any]:
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
                check_depth(record, f"events.records[{n}]")
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
        check_depth(batch.meta, "meta")
        out["meta"] = batch.meta
    if batch.state is not None:
        out["state"], out["exit_code"] = batch.state, batch.exit_code
    return out
