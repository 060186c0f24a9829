"""An entity's artifacts: every ``Catalog`` operation (``store/catalog/base.py``) under
``/entities/{entity}/artifacts``, and the bytes of their files by digest (BLAKE3).

A key reads and writes only its entity's catalog, blobs and uploads, so ``blobs/missing``
never says what another entity holds. Blobs go up in chunks, each a ``PUT`` at the
offset the server holds (``GET .../upload`` says which), appended to a partial file
below the server's root (``uploads.py``); the last chunk's arrival has the blob
verified (its BLAKE3 digest) and stored by the catalog, and only then is it visible. Chunks are
streamed to disk, never held whole; their size is bounded by the guard's ``max_chunk``.
Downloads are streamed from the catalog's own file (ranges answered).
"""

from __future__ import annotations

import os
from dataclasses import asdict
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request
from pydantic import AfterValidator
from starlette.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect
from starlette.responses import FileResponse, Response

from ...store.catalog.base import Catalog
from ...store.catalog.digest import check_digest
from ...store.catalog.records import RunRef, VersionRecord, check_artifact_name
from ...store.catalog.wire import MANIFEST_PAGE, commit_from_json, version_json
from ..artifact_bodies import (
    AliasesBody,
    CollectionEdit,
    CollectionOut,
    CommitBody,
    Committed,
    DeletedVersion,
    DigestsBody,
    Done,
    EntryBody,
    LinkBody,
    ManifestEntries,
    ManifestPage,
    RunRefBody,
    RunRefOut,
    Upload,
    VersionEdit,
    VersionOut,
    no_nul,
)
from ..bodies import errors, json_body, parse
from ..uploads import Busy, appending, partial, write_at
from .deps import Ctx, Entity, Key, Project, RunId, Server, refusals

ROOT = "/entities/{entity}/artifacts"
VERSION = ROOT + "/versions/{version_id}"
BLOB = ROOT + "/blobs/{digest}"
WRITE_BUFFER = 1 << 20  # bytes of a chunk gathered before one write (a thread hop each)
MAX_MANIFEST = 256 << 20  # bytes of a manifest blob a commit may name (about two million entries)

Digest = Annotated[str, AfterValidator(check_digest)]
ArtifactName = Annotated[str, AfterValidator(check_artifact_name)]
VersionId = Annotated[str, AfterValidator(no_nul)]  # looked up as text: a 404 if no version has it
AliasName = Annotated[str, AfterValidator(no_nul)]  # 'latest', 'vN' or a user alias

router = APIRouter(tags=["artifacts"])


def _catalog(srv: Server, entity: str) -> Catalog:
    with refusals():
        return srv.backend.catalog(entity)


def _version(v: VersionRecord) -> dict[str, Any]:
    return version_json(v)


async def _body(request: Request) -> bytes:
    return await request.body()  # bounded by the guard


# -- versions --------------------------------------------------------------------------


@router.post(
    ROOT + "/versions", response_model=Committed, responses=errors(403, 409), openapi_extra=json_body(CommitBody)
)
async def commit(entity: Entity, request: Request, key: Key, srv: Ctx) -> Any:
    """Make a version of ``project/name`` from its entries, whose blobs the entity must
    hold already (409 naming one it does not); content identical to an earlier version
    makes none (``created`` false) and that version gains the aliases."""
    data = await _body(request)

    def work() -> Any:
        body = parse(CommitBody, data)
        catalog = _catalog(srv, entity)
        if body.manifest is not None:
            body = body.model_copy(update={"entries": _manifest_entries(catalog, body.manifest), "manifest": None})
        with refusals():
            version, created = catalog.commit(commit_from_json(body.model_dump()))
        return {"version": _version(version), "created": created}

    return await run_in_threadpool(work)


def _manifest_entries(catalog: Catalog, digest: str) -> list[EntryBody]:
    """The entries a manifest blob lists (checked as a body's would be)."""
    with refusals():
        try:
            path = catalog.blob_file(digest)
        except FileNotFoundError:
            raise HTTPException(409, f"the manifest blob {digest} is not stored: upload it, then commit") from None
    if path.stat().st_size > MAX_MANIFEST:
        raise HTTPException(422, f"the manifest blob {digest} is over {MAX_MANIFEST >> 20} MiB")
    try:
        return parse(ManifestEntries, path.read_bytes()).root
    except HTTPException as e:
        raise HTTPException(422, f"the manifest blob {digest}: {e.detail}") from None


@router.get(ROOT + "/projects", response_model=list[str], responses=errors(403))
def projects(entity: Entity, key: Key, srv: Ctx) -> Any:
    """Projects holding artifact collections (registries included)."""
    with refusals():
        return _catalog(srv, entity).projects()


@router.get(ROOT + "/collections", response_model=list[CollectionOut], responses=errors(403))
def collections(
    entity: Entity, key: Key, srv: Ctx, project: Project | None = None, type: ArtifactName | None = None
) -> Any:
    """Collections (of one project, of one type), by project then name."""
    with refusals():
        return [asdict(c) for c in _catalog(srv, entity).collections(project, type)]


@router.get(
    ROOT + "/projects/{project}/collections/{name}/versions",
    response_model=list[VersionOut],
    responses=errors(403, 404),
)
def versions(entity: Entity, project: Project, name: ArtifactName, key: Key, srv: Ctx) -> Any:
    """Every version of a collection, oldest first."""
    with refusals():
        return [_version(v) for v in _catalog(srv, entity).versions(project, name)]


COLLECTION = ROOT + "/projects/{project}/collections/{name}"


@router.patch(
    COLLECTION, response_model=CollectionOut, responses=errors(403, 404, 409), openapi_extra=json_body(CollectionEdit)
)
async def update_collection(
    entity: Entity, project: Project, name: ArtifactName, request: Request, key: Key, srv: Ctx
) -> Any:
    """Replace a collection's ``description`` and / or ``name`` (409 when the new name is taken)."""
    data = await _body(request)

    def work() -> Any:
        changes = parse(CollectionEdit, data).model_dump(exclude_unset=True)
        with refusals():
            return asdict(_catalog(srv, entity).update_collection(project, name, changes))

    return await run_in_threadpool(work)


@router.delete(COLLECTION, response_model=Done, responses=errors(403, 404, 409))
def delete_collection(entity: Entity, project: Project, name: ArtifactName, key: Key, srv: Ctx) -> Any:
    """Delete a collection, its versions and aliases (their blobs stay until gc); 409
    while a registry collection links to one of its versions."""
    with refusals():
        _catalog(srv, entity).delete_collection(project, name)
    return {"ok": True}


@router.get(
    ROOT + "/projects/{project}/collections/{name}/versions/{alias}",
    response_model=VersionOut,
    responses=errors(403, 404),
)
def resolve(entity: Entity, project: Project, name: ArtifactName, alias: AliasName, key: Key, srv: Ctx) -> Any:
    """The version ``alias`` (``latest``, ``vN`` or a user alias) names."""
    with refusals():
        return _version(_catalog(srv, entity).resolve(project, name, alias))


@router.get(VERSION, response_model=VersionOut, responses=errors(403, 404))
def get(entity: Entity, version_id: VersionId, key: Key, srv: Ctx) -> Any:
    """A version by its id."""
    with refusals():
        return _version(_catalog(srv, entity).get(version_id))


@router.get(VERSION + "/manifest", response_model=ManifestPage, responses=errors(403, 404))
def manifest(
    entity: Entity,
    version_id: VersionId,
    key: Key,
    srv: Ctx,
    start: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=MANIFEST_PAGE)] = MANIFEST_PAGE,
) -> Any:
    """A page of a version's entries in path order, from ``start``."""
    with refusals():
        entries = _catalog(srv, entity).manifest(version_id)
    page = entries[start : start + limit]
    end = start + len(page)
    return {"entries": [e.to_json() for e in page], "next": end, "more": end < len(entries)}


@router.put(
    VERSION + "/aliases", response_model=VersionOut, responses=errors(403, 404), openapi_extra=json_body(AliasesBody)
)
async def set_aliases(entity: Entity, version_id: VersionId, request: Request, key: Key, srv: Ctx) -> Any:
    """Replace a version's user aliases; each moves there from wherever it was in the collection."""
    data = await _body(request)

    def work() -> Any:
        body = parse(AliasesBody, data)
        with refusals():
            return _version(_catalog(srv, entity).set_aliases(version_id, body.aliases))

    return await run_in_threadpool(work)


@router.patch(VERSION, response_model=VersionOut, responses=errors(403, 404), openapi_extra=json_body(VersionEdit))
async def update(entity: Entity, version_id: VersionId, request: Request, key: Key, srv: Ctx) -> Any:
    """Replace a version's ``description`` and / or ``metadata``."""
    data = await _body(request)

    def work() -> Any:
        changes = parse(VersionEdit, data).model_dump(exclude_unset=True)
        with refusals():
            return _version(_catalog(srv, entity).update(version_id, changes))

    return await run_in_threadpool(work)


@router.delete(VERSION, response_model=DeletedVersion, responses=errors(403, 404, 409))
def delete(entity: Entity, version_id: VersionId, key: Key, srv: Ctx, delete_aliases: bool = False) -> Any:
    """Delete a version (its blobs stay until gc); 409 while it has user aliases
    (unless ``delete_aliases``) or registry links."""
    with refusals():
        _catalog(srv, entity).delete(version_id, delete_aliases)
    return {"deleted": version_id}


# -- lineage ---------------------------------------------------------------------------


@router.post(VERSION + "/used_by", response_model=Done, responses=errors(403, 404), openapi_extra=json_body(RunRefBody))
async def use(entity: Entity, version_id: VersionId, request: Request, key: Key, srv: Ctx) -> Any:
    """Record that a run used the version (once, however often it is sent)."""
    data = await _body(request)

    def work() -> Any:
        body = parse(RunRefBody, data)
        with refusals():
            _catalog(srv, entity).use(version_id, RunRef(body.project, body.run_id))
        return {"ok": True}

    return await run_in_threadpool(work)


@router.get(VERSION + "/used_by", response_model=list[RunRefOut], responses=errors(403, 404))
def used_by(entity: Entity, version_id: VersionId, key: Key, srv: Ctx) -> Any:
    """The runs that used a version, in the order they first did."""
    with refusals():
        return [asdict(r) for r in _catalog(srv, entity).used_by(version_id)]


@router.get(ROOT + "/runs/{project}/{run_id}/outputs", response_model=list[VersionOut], responses=errors(403))
def outputs(entity: Entity, project: Project, run_id: RunId, key: Key, srv: Ctx) -> Any:
    """The versions a run logged, oldest first."""
    with refusals():
        return [_version(v) for v in _catalog(srv, entity).outputs(RunRef(project, run_id))]


@router.get(ROOT + "/runs/{project}/{run_id}/inputs", response_model=list[VersionOut], responses=errors(403))
def inputs(entity: Entity, project: Project, run_id: RunId, key: Key, srv: Ctx) -> Any:
    """The versions a run used, in the order it first did."""
    with refusals():
        return [_version(v) for v in _catalog(srv, entity).inputs(RunRef(project, run_id))]


# -- registry --------------------------------------------------------------------------


@router.post(
    VERSION + "/links", response_model=VersionOut, responses=errors(403, 404, 409), openapi_extra=json_body(LinkBody)
)
async def link(entity: Entity, version_id: VersionId, request: Request, key: Key, srv: Ctx) -> Any:
    """Link a version into the registry collection ``project/name`` (made on first link)."""
    data = await _body(request)

    def work() -> Any:
        body = parse(LinkBody, data)
        with refusals():
            return _version(_catalog(srv, entity).link(version_id, body.project, body.name, body.aliases))

    return await run_in_threadpool(work)


@router.get(VERSION + "/links", response_model=list[VersionOut], responses=errors(403, 404))
def links(entity: Entity, version_id: VersionId, key: Key, srv: Ctx) -> Any:
    """The registry versions linking to a version."""
    with refusals():
        return [_version(v) for v in _catalog(srv, entity).links(version_id)]


# -- blobs -----------------------------------------------------------------------------


@router.post(
    ROOT + "/blobs/missing", response_model=DigestsBody, responses=errors(403), openapi_extra=json_body(DigestsBody)
)
async def missing(entity: Entity, request: Request, key: Key, srv: Ctx) -> Any:
    """Which of ``digests`` the entity holds no blob of: all a client need upload."""
    data = await _body(request)

    def work() -> Any:
        body = parse(DigestsBody, data)
        with refusals():
            return {"digests": sorted(_catalog(srv, entity).missing(body.digests))}

    return await run_in_threadpool(work)


def _status(srv: Server, entity: str, digest: str) -> dict[str, Any]:
    catalog = _catalog(srv, entity)
    with refusals():
        if not catalog.missing([digest]):
            return {"digest": digest, "received": catalog.blob_file(digest).stat().st_size, "complete": True}
    try:
        received = partial(srv.backend, entity, digest).stat().st_size
    except FileNotFoundError:
        received = 0
    return {"digest": digest, "received": received, "complete": False}


@router.get(BLOB + "/upload", response_model=Upload, responses=errors(403))
def upload_status(entity: Entity, digest: Digest, key: Key, srv: Ctx) -> Any:
    """How much of an upload the server holds: where the next chunk starts."""
    return _status(srv, entity, digest)


@router.put(
    BLOB,
    response_model=Upload,
    responses=errors(403, 409, 413),
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
        }
    },
)
async def put_blob(
    entity: Entity,
    digest: Digest,
    request: Request,
    key: Key,
    srv: Ctx,
    size: Annotated[int, Query(ge=0, le=(1 << 63) - 1)],
    offset: Annotated[int, Query(ge=0, le=(1 << 63) - 1)] = 0,
) -> Any:
    """Append a chunk of the blob ``digest`` (``size`` bytes in all) at ``offset``, which
    must be what the server holds (409 saying so otherwise). The chunk that completes it
    has the blob verified: stored and visible when it hashes to ``digest``; 422 and
    discarded (upload it again from 0) when it does not."""
    status = await run_in_threadpool(_status, srv, entity, digest)
    if status["complete"]:
        return status
    path = partial(srv.backend, entity, digest)
    try:
        with appending(path) as fd:
            held = os.fstat(fd).st_size
            if offset != held:
                raise HTTPException(409, f"this server holds {held} bytes of {digest}: send from offset {held}")
            end = await _append(fd, request, held, size)
            if end < size:
                return {"digest": digest, "received": end, "complete": False}
            return await run_in_threadpool(_finish, srv, entity, digest, path, size)
    except Busy:
        raise HTTPException(409, "another upload of this blob is under way; ask where it is and go on") from None


async def _append(fd: int, request: Request, held: int, size: int) -> int:
    """Write the request's body after the ``held`` bytes, gathering ``WRITE_BUFFER``
    before each write; return the partial's length. A body past ``size`` is a 422 (the
    partial cut back to ``held``); a client gone midway leaves what arrived."""
    end, buffer = held, bytearray()
    try:
        async for piece in request.stream():
            buffer += piece
            if end + len(buffer) > size:
                os.ftruncate(fd, held)
                raise HTTPException(422, f"the body runs past the blob's size, {size} bytes")
            if len(buffer) >= WRITE_BUFFER:
                end += await run_in_threadpool(write_at, fd, bytes(buffer), end)
                buffer.clear()
    except ClientDisconnect:
        pass
    if buffer:
        end += await run_in_threadpool(write_at, fd, bytes(buffer), end)
    return end


def _finish(srv: Server, entity: str, digest: str, path: Path, size: int) -> dict[str, Any]:
    """Hand a whole upload to the catalog, which stores it only if it hashes to ``digest``."""
    try:
        with refusals():
            try:
                _catalog(srv, entity).put_blob(path, digest, size, consume=True)  # moved in, not copied
            except ValueError:  # its message names the partial file: a path on this server, not the client's
                raise HTTPException(
                    422,
                    f"the {size} bytes sent do not hash to {digest}; the upload is discarded: send it from offset 0",
                ) from None
    finally:
        path.unlink(missing_ok=True)
    return {"digest": digest, "received": size, "complete": True}


@router.get(BLOB, response_class=Response, responses=errors(403, 404))
def get_blob(entity: Entity, digest: Digest, key: Key, srv: Ctx) -> Response:
    """The blob's bytes, streamed (``Range`` requests answered)."""
    return _blob_response(srv, entity, digest)


@router.head(BLOB, response_class=Response, responses=errors(403, 404))
def head_blob(entity: Entity, digest: Digest, key: Key, srv: Ctx) -> Response:
    """Whether the entity holds the blob (its length, no body)."""
    return _blob_response(srv, entity, digest)


def _blob_response(srv: Server, entity: str, digest: str) -> Response:
    catalog = _catalog(srv, entity)
    with refusals():
        try:
            path = catalog.blob_file(digest)
        except FileNotFoundError:
            raise HTTPException(404, f"this entity holds no blob {digest}") from None
    return FileResponse(path, media_type="application/octet-stream", headers={"X-Content-Type-Options": "nosniff"})
