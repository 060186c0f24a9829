"""An entity's projects and a project's runs."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from ..bodies import PyJSONResponse, errors
from .deps import Ctx, Entity, Key, Project, refusals

router = APIRouter()


@router.get("/entities/{entity}/projects", response_model=list[str], responses=errors(403))
def projects(entity: Entity, key: Key, srv: Ctx) -> Any:
    """Names of the entity's projects."""
    return srv.store(entity).projects()


@router.get("/entities/{entity}/projects/{project}/runs", response_model=list[dict[str, Any]], responses=errors(403))
def runs(entity: Entity, project: Project, key: Key, srv: Ctx) -> Any:
    """Metadata of every run of a project."""
    s = srv.store(entity)
    with refusals():
        return PyJSONResponse([srv.liveness.shown(meta) for meta in s.runs(project)])
