"""What every endpoint shares: the names in the path (``Entity``, ``Project``, ``RunId``,
checked by the store's own rule), the key (``principal``, ``Key`` for one of the URL's
entity), the app's ``Server`` state (``Ctx``), and store refusals as HTTP answers."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPBearer
from pydantic import AfterValidator

from ...store.base import RunNotFound, Store, StoreError
from ...store.catalog.records import ArtifactNotFound
from ...store.names import check_name
from ...store.runmeta import RunMeta
from ...sweeps.records import SweepNotFound
from ..backend import Backend, KeyRecord, Unavailable
from ..guard import KEY_SCOPE
from ..liveness import Liveness
from ..positions import Positions

# Names in the path, checked (and NFC-normalised) by the store's own rule: a 422 names the
# parameter and says what is wrong.
Entity = Annotated[str, AfterValidator(partial(check_name, "entity"))]
Project = Annotated[str, AfterValidator(partial(check_name, "project"))]
RunId = Annotated[str, AfterValidator(partial(check_name, "run id"))]
RUN_PATH = "/entities/{entity}/projects/{project}/runs/{run_id}"


@dataclass
class Server:
    """What the endpoints of one app share: its backend, whose clients are alive, and
    where recent reads ended (``Positions``)."""

    backend: Backend
    liveness: Liveness
    rows_at: Positions = field(default_factory=Positions)
    records_at: Positions = field(default_factory=Positions)

    def live(self, meta: RunMeta) -> bool:
        """Whether a run's client is still writing it: running, and not silent."""
        return self.liveness.shown(meta).get("state") == "running"

    def store(self, entity: str) -> Store:
        """The entity's store (its name refused with a 422)."""
        with refusals():
            return self.backend.store(entity)

    def existing(self, entity: str, project: str, run_id: str) -> Store:
        """The entity's store, once the run is known to exist (404 otherwise)."""
        s = self.store(entity)
        with refusals():
            s.run(project, run_id)
        return s


async def server(request: Request) -> Server:
    """The ``Server`` that ``create_app`` keeps in the app's state (async: FastAPI would
    call a plain function on a worker thread, a hop per request for an attribute read)."""
    return request.app.state.server


Ctx = Annotated[Server, Depends(server)]


def principal(request: Request, _: Any = Depends(HTTPBearer(auto_error=False))) -> KeyRecord:
    """The key the guard authenticated (the HTTPBearer dependency only documents the
    scheme in the OpenAPI spec)."""
    return request.scope[KEY_SCOPE]


def entity_key(entity: Entity, key: KeyRecord = Depends(principal)) -> KeyRecord:
    """The key, if it belongs to the entity in the URL (403 otherwise)."""
    if entity != key.entity:
        raise HTTPException(
            403, f"API key {key.key_id} belongs to entity {key.entity!r}, not {entity!r}; use a key of {entity!r}"
        )
    return key


Key = Annotated[KeyRecord, Depends(entity_key)]  # module level: FastAPI resolves annotations here


@contextmanager
def refusals(store_error: int = 409) -> Iterator[None]:
    """Store exceptions as HTTP answers: a missing run, artifact or sweep 404, a bad name 422,
    a refusal (``ArtifactConflict``...) ``store_error``."""
    try:
        yield
    except (RunNotFound, ArtifactNotFound, SweepNotFound) as e:
        raise HTTPException(404, str(e)) from None
    except Unavailable:
        raise  # 503, by the app's handler
    except StoreError as e:
        raise HTTPException(store_error, str(e)) from None
    except ValueError as e:
        raise HTTPException(422, str(e)) from None
