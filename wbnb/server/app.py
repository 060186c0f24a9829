"""The HTTP face of ``wbnb server``: ``create_app(backend)`` is a FastAPI app over a
``Backend`` (``files.py`` or ``postgres/``), speaking the wire format of
``wbnb/store/wire.py`` under ``/api/v1``.

Every endpoint but ``/health`` needs ``Authorization: Bearer <key>``; a key reads and
writes only its own entity. Request bodies are bounded before they are read (413) and
parsed off the event loop (a big batch must not stall every other client), anything
malformed is a 422 whose message names the field, and JSON goes out the way Python's
``json`` writes it (NaN and Infinity included: metrics have them).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import ClientDisconnect
from starlette.responses import Response

from .._version import __version__
from ..store.catalog.wire import MAX_CHUNK
from ..store.wire import API, MAX_BODY
from .artifact_bodies import BODIES as ARTIFACT_BODIES
from .backend import Backend, Unavailable
from .bodies import BODIES, Health, PyJSONResponse, errors, with_body_schemas
from .guard import Guard
from .liveness import Liveness, sweeping
from .meta import problems
from .routes import artifacts, keys, media, projects, reads, runs, sweeps
from .routes.deps import Server
from .sweep_bodies import BODIES as SWEEP_BODIES
from .uploads import dropping_abandoned

MiB = 1 << 20


def create_app(
    backend: Backend,
    max_body: int = MAX_BODY,
    max_media: int = 64 * MiB,
    stale_after: float = 120.0,
    max_chunk: int = MAX_CHUNK,
) -> FastAPI:
    """The server's ASGI app over ``backend``; request bodies are capped at
    ``max_body`` bytes (by default twice what a client puts in a batch, ``wire.py``;
    ``max_media`` for media files, ``max_chunk`` for a chunk of an artifact file); a running run whose client
    has been silent for ``stale_after`` seconds reads as crashed, and is marked so
    (``Liveness``). The app closes the backend when it shuts down."""
    liveness = Liveness(stale_after)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        sweepers = [asyncio.create_task(sweeping(liveness, backend)), asyncio.create_task(dropping_abandoned(backend))]
        yield
        for sweeper in sweepers:
            sweeper.cancel()
        # Here, not after uvicorn.run(): uvicorn re-raises SIGTERM once it has shut down.
        await run_in_threadpool(backend.close)

    app = FastAPI(title="wbnb server", version=__version__, default_response_class=PyJSONResponse, lifespan=lifespan)
    app.state.server = Server(backend, liveness)  # what the routes' ``Ctx`` dependency hands them
    app.add_middleware(Guard, backend=backend, max_body=max_body, max_media=max_media, max_chunk=max_chunk)
    with_body_schemas(app, BODIES + ARTIFACT_BODIES + SWEEP_BODIES)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        # Query and path parameters; once each (the entity is checked for the key too).
        return PyJSONResponse({"detail": "; ".join(dict.fromkeys(problems(exc.errors())))}, 422)

    @app.exception_handler(Unavailable)
    async def unavailable(request: Request, exc: Unavailable) -> Response:
        return PyJSONResponse({"detail": f"{exc}; try again shortly"}, 503, headers={"Retry-After": "2"})

    @app.exception_handler(ClientDisconnect)
    async def gone(request: Request, exc: ClientDisconnect) -> Response:
        # A client that left partway through its body: nobody reads this, and nothing failed here.
        return PyJSONResponse({"detail": "the request body ended before its length"}, 400)

    @app.exception_handler(StarletteHTTPException)
    async def refused(request: Request, exc: StarletteHTTPException) -> Response:
        return PyJSONResponse({"detail": exc.detail}, exc.status_code, headers=exc.headers)

    @app.get(API + "/health", response_model=Health)
    def health() -> Any:
        """Whether the server is up, and its version. Needs no key."""
        return {"ok": True, "version": __version__}

    api = APIRouter(prefix=API, responses=errors(401, 422))  # every endpoint below needs a key
    for resource in (keys, projects, runs, reads, media, artifacts, sweeps):
        api.include_router(resource.router)
    app.include_router(api)
    return app
