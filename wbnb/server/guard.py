"""The ASGI middleware in front of every endpoint: a key is authenticated and a body
bounded before any endpoint reads a byte."""

from __future__ import annotations

import re

from fastapi import HTTPException
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..store.wire import API
from ..sweeps.wire import MAX_BODY as MAX_SWEEP_BODY
from .backend import Backend, Unavailable
from .bodies import PyJSONResponse
from .keys import AuthFailed, authenticate

KEY_SCOPE = "wbnb.key"  # where the guard leaves the authenticated KeyRecord in the ASGI scope
_BLOB = re.compile(API + r"/entities/[^/]+/artifacts/blobs/[^/]+")  # a chunk of an artifact file (routes/artifacts.py)
_SWEEPS = re.compile(API + r"/entities/[^/]+/projects/[^/]+/sweeps(/.*)?")  # a sweep's calls (routes/sweeps.py)


class Guard:
    """ASGI middleware: authenticate, then bound the body (Content-Length up front,
    counted bytes as they stream in), so an unauthenticated or oversized request is
    refused before it is read, let alone parsed. Media files are bounded by
    ``max_media``, chunks of artifact files by ``max_chunk``, sweeps' calls by the least
    of ``max_body`` and ``sweeps/wire.py``'s ``MAX_BODY``, the rest by ``max_body``."""

    def __init__(self, app: ASGIApp, backend: Backend, max_body: int, max_media: int, max_chunk: int) -> None:
        self.app, self.backend = app, backend
        self.max_body, self.max_media, self.max_chunk = max_body, max_media, max_chunk

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        path: str = scope["path"]
        headers = Headers(scope=scope)
        if path.startswith(API + "/") and path != API + "/health":
            try:
                scope[KEY_SCOPE] = await run_in_threadpool(authenticate, self.backend, headers.get("authorization"))
            except AuthFailed as e:
                response = PyJSONResponse({"detail": str(e)}, 401, headers={"WWW-Authenticate": "Bearer"})
                return await response(scope, receive, send)
            except Unavailable as e:  # the keys live in the database too
                response = PyJSONResponse({"detail": f"{e}; try again shortly"}, 503, headers={"Retry-After": "2"})
                return await response(scope, receive, send)
        limit = self._limit(scope["method"], path)
        length = headers.get("content-length", "")
        if length.isdigit() and int(length) > limit:
            return await PyJSONResponse({"detail": too_large(limit)}, 413)(scope, receive, send)
        seen = 0

        async def bounded() -> Message:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > limit:  # FastAPI lets an HTTPException from reading the body through
                raise HTTPException(413, too_large(limit))
            return message

        await self.app(scope, bounded, send)

    def _limit(self, method: str, path: str) -> int:
        if path.startswith(API + "/media/"):
            return self.max_media
        if method == "PUT" and _BLOB.fullmatch(path):
            return self.max_chunk
        if _SWEEPS.fullmatch(path):
            return min(self.max_body, MAX_SWEEP_BODY)
        return self.max_body


def too_large(limit: int) -> str:
    return f"the request body is over this server's limit of {limit} bytes; send less at a time"
