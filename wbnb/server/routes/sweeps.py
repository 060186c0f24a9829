"""A project's sweeps: every ``SweepBook`` call (``sweeps/records.py``) under
``/entities/{entity}/projects/{project}/sweeps``, so that agents on many machines share
one sweep through the server's book (``Backend.sweeps``: one entity's, no other's).

Each call is one transaction of the book; a claim is atomic across the server's
threads and processes. Refusals: 404 no such sweep (or trial), 409 a state the sweep or
trial is not in (``SweepStateError``, a trial released from its agent), 422 a bad
config (``parse_sweep_config``'s message, naming the field) or field. Bodies are bounded
by the guard (``sweeps/wire.py``'s ``MAX_BODY``) before they are read.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Request
from pydantic import AfterValidator, Field
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from ...sweeps.records import SweepBook, SweepRecord
from ...sweeps.wire import claim_json, rungs_json, sweep_json, trial_json
from ..artifact_bodies import no_nul
from ..bodies import INT64, PyJSONResponse, check_depth, errors, json_body, parse
from ..sweep_bodies import (
    ClaimBody,
    ClaimOut,
    EndBody,
    HeartbeatBody,
    NewSweep,
    RungBody,
    StartBody,
    StateChange,
    StopOut,
    SweepOut,
    TrialOut,
)
from .deps import Ctx, Entity, Key, Project, Server, refusals

ROOT = "/entities/{entity}/projects/{project}/sweeps"
SWEEP = ROOT + "/{sweep_id}"
TRIAL = SWEEP + "/trials/{seq}"
Rungs = dict[str, dict[str, float]]  # seq -> band -> value

SweepId = Annotated[str, Field(max_length=64), AfterValidator(no_nul)]  # looked up as text: a 404 if no sweep has it
Seq = Annotated[int, Field(ge=0, le=INT64[1])]

router = APIRouter(tags=["sweeps"])


def _sweep(record: SweepRecord, entity: str) -> dict[str, Any]:
    """A sweep as sent: of the URL's entity (a folder backend's book is the entity's own
    file, whose records say entity "")."""
    return {**sweep_json(record), "entity": entity}


def _answer(srv: Server, entity: str, call: Callable[[SweepBook], Any]) -> Response:
    """``call`` on the entity's book, as JSON; the book's refusals as HTTP answers."""
    with refusals():
        return PyJSONResponse(call(srv.backend.sweeps(entity)))


@router.post(ROOT, response_model=SweepOut, responses=errors(403, 413), openapi_extra=json_body(NewSweep))
async def create(entity: Entity, project: Project, request: Request, key: Key, srv: Ctx) -> Any:
    """A new ``RUNNING`` sweep of the project; 422 naming the field of a config that
    wandb's schema refuses."""
    data = await request.body()  # bounded by the guard

    def work() -> Response:
        body = parse(NewSweep, data)
        check_depth(body.config, "config")
        return _answer(
            srv, entity, lambda book: _sweep(book.create(project, body.config, seed=body.seed, name=body.name), entity)
        )

    return await run_in_threadpool(work)


@router.get(ROOT, response_model=list[SweepOut], responses=errors(403))
def sweeps(entity: Entity, project: Project, key: Key, srv: Ctx) -> Any:
    """The project's sweeps, oldest first."""
    return _answer(srv, entity, lambda book: [_sweep(s, entity) for s in book.sweeps(project)])


@router.get(SWEEP, response_model=SweepOut, responses=errors(403, 404))
def sweep(entity: Entity, project: Project, sweep_id: SweepId, key: Key, srv: Ctx) -> Any:
    """One sweep."""
    return _answer(srv, entity, lambda book: _sweep(book.sweep(project, sweep_id), entity))


@router.put(
    SWEEP + "/state", response_model=SweepOut, responses=errors(403, 404, 409), openapi_extra=json_body(StateChange)
)
async def set_state(entity: Entity, project: Project, sweep_id: SweepId, request: Request, key: Key, srv: Ctx) -> Any:
    """Pause, resume, stop or cancel the sweep; 409 when its state does not allow it
    (a canceled sweep resumed...)."""
    data = await request.body()

    def work() -> Response:
        body = parse(StateChange, data)
        return _answer(
            srv, entity, lambda book: _sweep(book.set_state(project, sweep_id, body.state, body.reason), entity)
        )

    return await run_in_threadpool(work)


@router.post(SWEEP + "/claims", response_model=ClaimOut, responses=errors(403, 404), openapi_extra=json_body(ClaimBody))
async def claim(entity: Entity, project: Project, sweep_id: SweepId, request: Request, key: Key, srv: Ctx) -> Any:
    """The next suggestion as a trial leased to ``agent_id``, or none and why (``wait``:
    ask again later). Atomic: no two agents get one point, ``run_cap`` is exact."""
    data = await request.body()

    def work() -> Response:
        body = parse(ClaimBody, data)
        return _answer(srv, entity, lambda book: claim_json(book.claim(project, sweep_id, body.agent_id, body.lease)))

    return await run_in_threadpool(work)


@router.post(
    TRIAL + "/start", response_model=TrialOut, responses=errors(403, 404, 409), openapi_extra=json_body(StartBody)
)
async def start(
    entity: Entity, project: Project, sweep_id: SweepId, seq: Seq, request: Request, key: Key, srv: Ctx
) -> Any:
    """The trial's run opened; 409 when the trial is no longer this agent's (released)."""
    data = await request.body()

    def work() -> Response:
        body = parse(StartBody, data)
        return _answer(srv, entity, lambda book: trial_json(book.start(project, sweep_id, seq, body.agent_id)))

    return await run_in_threadpool(work)


@router.post(
    SWEEP + "/heartbeat", response_model=StopOut, responses=errors(403, 404), openapi_extra=json_body(HeartbeatBody)
)
async def heartbeat(entity: Entity, project: Project, sweep_id: SweepId, request: Request, key: Key, srv: Ctx) -> Any:
    """Renew the leases of the agent's trials ``seqs``; answers those that must stop
    now (the sweep canceled, or the trial released)."""
    data = await request.body()

    def work() -> Response:
        body = parse(HeartbeatBody, data)
        return _answer(
            srv,
            entity,
            lambda book: {"stop": sorted(book.heartbeat(project, sweep_id, body.seqs, body.agent_id, body.lease))},
        )

    return await run_in_threadpool(work)


@router.post(TRIAL + "/rungs", response_model=Rungs, responses=errors(403, 404), openapi_extra=json_body(RungBody))
async def record_rung(
    entity: Entity, project: Project, sweep_id: SweepId, seq: Seq, request: Request, key: Key, srv: Ctx
) -> Any:
    """Keep the trial's metric value at a Hyperband band; answers every trial's rungs
    (seq -> band -> value) for the judgement that follows."""
    data = await request.body()

    def work() -> Response:
        body = parse(RungBody, data)
        return _answer(
            srv, entity, lambda book: rungs_json(book.record_rung(project, sweep_id, seq, body.band, body.value))
        )

    return await run_in_threadpool(work)


@router.get(SWEEP + "/rungs", response_model=Rungs, responses=errors(403, 404))
def rungs(entity: Entity, project: Project, sweep_id: SweepId, key: Key, srv: Ctx) -> Any:
    """Every trial's rungs: seq -> band -> value."""
    return _answer(srv, entity, lambda book: rungs_json(book.rungs(project, sweep_id)))


@router.post(TRIAL + "/end", response_model=SweepOut, responses=errors(403, 404, 409), openapi_extra=json_body(EndBody))
async def end(
    entity: Entity, project: Project, sweep_id: SweepId, seq: Seq, request: Request, key: Key, srv: Ctx
) -> Any:
    """The trial ended (finished, failed or stopped) with its metric's value; answers
    the sweep as it now is (failed after early failures, finished when nothing is left)."""
    data = await request.body()

    def work() -> Response:
        body = parse(EndBody, data)
        if body.stop is not None:
            check_depth(body.stop, "stop")
        return _answer(
            srv,
            entity,
            lambda book: _sweep(
                book.end(project, sweep_id, seq, body.state, body.value, stop=body.stop, error=body.error), entity
            ),
        )

    return await run_in_threadpool(work)


@router.get(SWEEP + "/trials", response_model=list[TrialOut], responses=errors(403, 404))
def trials(entity: Entity, project: Project, sweep_id: SweepId, key: Key, srv: Ctx) -> Any:
    """The sweep's trials in claim order."""
    return _answer(srv, entity, lambda book: [trial_json(t) for t in book.trials(project, sweep_id)])
