"""Reading a run's records by index: ``GET .../rows``, ``.../columns``, ``.../records``."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query

from ...store.rowread import Cursor
from ...store.wire import encode_rows
from ..bodies import PyJSONResponse, errors
from .deps import RUN_PATH, Ctx, Entity, Key, Project, RunId, refusals

ROWS_LIMIT = 10_000  # rows per page of GET .../rows unless the client asks for up to 10x that

router = APIRouter()


@router.get(RUN_PATH + "/rows", responses=errors(403, 404))
def rows(
    entity: Entity,
    project: Project,
    run_id: RunId,
    key: Key,
    srv: Ctx,
    stream: Literal["history", "system"] = "history",
    start: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=10 * ROWS_LIMIT)] = ROWS_LIMIT,
) -> Any:
    """Raw rows from index ``start`` as a wire rows chunk, plus ``next`` (the index
    after the last row sent) and ``more`` (whether rows past ``limit`` wait)."""
    s = srv.existing(entity, project, run_id)
    where = (entity, project, run_id, stream)
    base, cursor, pending = srv.rows_at.take(where, start)
    with refusals():
        new, end = s.rows(project, run_id, stream, cursor or Cursor())
    got = pending + new  # the rows from index base on
    page = got[start - base : start - base + limit]
    after = start + len(page)
    srv.rows_at.remember(where, base + len(got), end)
    if base + len(got) > after:  # cut by the limit: keep the rest for the next page
        srv.rows_at.remember(where, after, end, got[after - base :])
    chunk = encode_rows(start, page)
    chunk["next"], chunk["more"] = after, base + len(got) > after
    return PyJSONResponse(chunk)


@router.get(RUN_PATH + "/columns", responses=errors(403, 404))
def columns(
    entity: Entity,
    project: Project,
    run_id: RunId,
    key: Key,
    srv: Ctx,
    stream: Literal["history", "system"] = "history",
    samples: Annotated[int | None, Query(ge=1, le=1_000_000)] = None,
) -> Any:
    """The stream as aligned columns (``samples`` evenly spaced steps when given);
    gaps in numeric columns are NaN, as in the Store."""
    s = srv.existing(entity, project, run_id)
    with refusals():
        cols = s.columns(project, run_id, stream, samples)
    return PyJSONResponse({k: v.tolist() if hasattr(v, "tolist") else v for k, v in cols.items()})


@router.get(RUN_PATH + "/records", responses=errors(403, 404))
def records(
    entity: Entity,
    project: Project,
    run_id: RunId,
    key: Key,
    srv: Ctx,
    stream: Literal["events", "console"],
    start: Annotated[int, Query(ge=0)] = 0,
) -> Any:
    """Events or console lines from index ``start``, with ``next``."""
    s = srv.existing(entity, project, run_id)
    where = (entity, project, run_id, stream)
    base, offset, _ = srv.records_at.take(where, start)  # records are sent whole: nothing pending
    with refusals():
        got, end = s.records(project, run_id, stream, offset or 0)
    srv.records_at.remember(where, base + len(got), end)
    page = got[start - base :]
    return PyJSONResponse({"records": page, "next": start + len(page)})
