"""The ASGI middleware in front of every endpoint: a key is authenticated and a body
bounded before any endpoint reads a byte."""

from __future__ import annotations

from fastapi import HTTPException
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..store.wire import API
from .backend import Backend, Unavailable
from .bodies import PyJSONResponse
from .keys import AuthFailed, authenticate

KEY_SCOPE = "wbnb.key"  # where the guard leaves the authenticated KeyRecord in the ASGI scope


class Guard:
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
                scope[KEY_SCOPE] = await run_in_threadpool(authenticate, self.backend, headers.get("authorization"))
            except AuthFailed as e:
                response = PyJSONResponse({"detail": str(e)}, 401, headers={"WWW-Authenticate": "Bearer"})
                return await response(scope, receive, send)
            except Unavailable as e:  # the keys live in the database too
                response = PyJSONResponse({"detail": f"{e}; try again shortly"}, 503, headers={"Retry-After": "2"})
                return await response(scope, receive, send)
        limit = self.max_media if path.startswith(API + "/media/") else self.max_body
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


def too_large(limit: int) -> str:
    return f"the request body is over this server's limit of {limit} bytes; send less at a time"
