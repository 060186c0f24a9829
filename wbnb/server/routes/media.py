"""Media and saved files, by content: ``PUT /media/<sha256>.<ext>``, ``GET`` / ``HEAD``
of the path a record points to."""

from __future__ import annotations

import hashlib
import re
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from ..backend import Backend, KeyRecord
from ..bodies import MediaPath, errors
from .deps import Ctx, principal, refusals

_MEDIA_NAME = re.compile(r"([0-9a-f]{64})\.([a-z0-9]{1,8})")
_MEDIA_TYPES = {
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "gif": "image/gif",
    "webp": "image/webp",
}  # anything else (html, svg, json...) is served as plain bytes

router = APIRouter()


@router.put(
    "/media/{name}",
    response_model=MediaPath,
    responses=errors(413),
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
        }
    },
)
async def put_media(name: str, request: Request, srv: Ctx, key: KeyRecord = Depends(principal)) -> Any:
    """Store a file under its content's name, ``<sha256>.<ext>``; 422 when the
    body does not hash to that name."""
    match = _MEDIA_NAME.fullmatch(name)
    if match is None:
        raise HTTPException(422, f"media name {name!r} must be <sha256 of the body, 64 hex>.<1-8 of a-z0-9>")
    data = await request.body()  # bounded by the guard
    return {"path": await run_in_threadpool(_put_media, srv.backend, data, *match.groups())}


@router.get("/media/{prefix}/{name}", response_class=Response, responses=errors(404))
def get_media(prefix: str, name: str, srv: Ctx, key: KeyRecord = Depends(principal)) -> Response:
    """The bytes of ``media/<prefix>/<name>``, a path a record points to."""
    return _response(name, _bytes(srv.backend, prefix, name))


@router.head("/media/{prefix}/{name}", response_class=Response, responses=errors(404))
def head_media(prefix: str, name: str, srv: Ctx, key: KeyRecord = Depends(principal)) -> Response:
    """Whether ``media/<prefix>/<name>`` exists (its length, no body)."""
    return _response(name, _bytes(srv.backend, prefix, name), head=True)


def _put_media(backend: Backend, data: bytes, digest: str, ext: str) -> str:
    """Hash and store an upload off the event loop (64 MiB take a while)."""
    actual = hashlib.sha256(data).hexdigest()
    if actual != digest:
        raise HTTPException(422, f"the body's SHA-256 is {actual}, not {digest}: name a file after its content")
    return backend.put_media(data, ext)


def _bytes(backend: Backend, prefix: str, name: str) -> bytes:
    with refusals():
        try:
            return backend.media(f"media/{prefix}/{name}")
        except FileNotFoundError:
            raise HTTPException(404, f"no media file media/{prefix}/{name}") from None


def _response(name: str, data: bytes, head: bool = False) -> Response:
    kind = _MEDIA_TYPES.get(name.rsplit(".", 1)[-1], "application/octet-stream")
    headers = {"X-Content-Type-Options": "nosniff", "Content-Length": str(len(data))}
    return Response(b"" if head else data, media_type=kind, headers=headers)
