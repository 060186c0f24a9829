"""One run: its metadata, opening it for writing, batches (exactly once), counts, and
editing or deleting it once it has ended."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from ...store.edits import check_edit
from ..backend import Gap
from ..bodies import (
    Batch,
    Counts,
    Deleted,
    GapError,
    Next,
    OpenedRun,
    OpenRun,
    PyJSONResponse,
    check_depth,
    errors,
    json_body,
    parse,
    wire_batch,
)
from ..meta import RunEdit
from .deps import RUN_PATH, Ctx, Entity, Key, Project, RunId, refusals

router = APIRouter()


@router.get(RUN_PATH, response_model=dict[str, Any], responses=errors(403, 404))
def run(entity: Entity, project: Project, run_id: RunId, key: Key, srv: Ctx) -> Any:
    """Metadata of one run."""
    s = srv.store(entity)
    with refusals():
        return PyJSONResponse(srv.liveness.shown(s.run(project, run_id)))


@router.put(RUN_PATH, response_model=OpenedRun, responses=errors(403, 409), openapi_extra=json_body(OpenRun))
async def open_run(entity: Entity, project: Project, run_id: RunId, request: Request, key: Key, srv: Ctx) -> Any:
    """Create or reopen a run for writing; 409 when ``resume`` forbids it."""
    data = await request.body()  # bounded by the guard

    def work() -> Response:
        body = parse(OpenRun, data)
        check_depth(body.meta, "meta")
        stamped = srv.liveness.stamp((entity, project, run_id), body.meta, force=True)
        with refusals():
            meta, counts = srv.backend.open_run(entity, project, run_id, stamped, body.resume)
        return PyJSONResponse({"meta": meta, "next": counts, "heartbeat": srv.liveness.heartbeat})

    return await run_in_threadpool(work)


@router.patch(
    RUN_PATH, response_model=dict[str, Any], responses=errors(403, 404, 409), openapi_extra=json_body(RunEdit)
)
async def update_run(entity: str, project: str, run_id: str, request: Request, key: Key, srv: Ctx) -> Any:
    """Edit a run that has ended: ``name``, ``notes``, ``tags``, ``group``,
    ``job_type``, ``config``, ``summary``; each field sent replaces the stored one.
    Returns the run's metadata. 409 while the run is running (its client would
    write over the edit), 422 naming a field that cannot be edited."""
    data = await request.body()  # bounded by the guard

    def work() -> Response:
        # RunEdit types the fields as RunMeta does; check_edit refuses what an edit cannot hold (a null config).
        try:
            changes = check_edit(parse(RunEdit, data).model_dump(exclude_unset=True))
        except (TypeError, ValueError) as e:
            raise HTTPException(422, str(e)) from None
        check_depth(changes, "body")
        with refusals():
            meta = srv.backend.update_run(entity, project, run_id, changes, srv.live)
        return PyJSONResponse(srv.liveness.shown(meta))

    return await run_in_threadpool(work)


@router.delete(RUN_PATH, response_model=Deleted, responses=errors(403, 404, 409))
def delete_run(entity: str, project: str, run_id: str, key: Key, srv: Ctx) -> Any:
    """Delete a run and its records (media files stay: they are shared by
    content). 409 while the run is running."""
    with refusals():
        srv.backend.delete_run(entity, project, run_id, srv.live)
    return {"deleted": f"{project}/{run_id}"}


@router.get(RUN_PATH + "/counts", response_model=Counts, responses=errors(403, 404))
def counts(entity: Entity, project: Project, run_id: RunId, key: Key, srv: Ctx) -> Any:
    """Records held of each stream: where a client resumes sending."""
    with refusals():
        return srv.backend.counts(entity, project, run_id)


@router.post(
    RUN_PATH + "/batches",
    response_model=Next,
    responses={**errors(403, 404, 503), 409: {"model": GapError}},
    openapi_extra=json_body(Batch),
)
async def ingest(entity: Entity, project: Project, run_id: RunId, request: Request, key: Key, srv: Ctx) -> Any:
    """Apply a batch exactly once: chunks start at an index, what the server holds
    already is skipped. 409 with ``next`` when a chunk would leave a gap; 503 when
    the run cannot be opened right now (retry)."""
    data = await request.body()  # bounded by the guard

    def work() -> Response:
        wire = wire_batch(parse(Batch, data))
        where = (entity, project, run_id)
        if wire.get("state") is None and (meta := srv.liveness.stamp(where, wire.get("meta", {}))):
            wire["meta"] = meta
        try:
            with refusals(store_error=503):
                return PyJSONResponse({"next": srv.backend.ingest(entity, project, run_id, wire)})
        except Gap as gap:
            return PyJSONResponse({"detail": f"{gap}", "next": gap.counts}, 409)

    return await run_in_threadpool(work)
