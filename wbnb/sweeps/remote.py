"""``RemoteSweepBook``: one entity's sweeps on a ``wbnb server``, over HTTP
(``server/routes/sweeps.py``), through the store's ``Connection``, so that agents on
many machines share a sweep: the server's book claims atomically for all of them.

Every call is one request. The server's refusals come back as the book's own errors,
with the server's words: 404 ``SweepNotFound``, 409 ``SweepStateError`` (a state the
sweep or trial is not in), 422 ``SweepConfigError`` for a config (a ``ValueError``
naming the field; a config over the server's limit too) or ``InvalidName`` for another
field. A server that cannot be reached is ``Unreachable`` (a ``StoreError`` and a
``CommError``, saying which call and server): the agent waits and asks again; nothing is
retried here, since a claim must not be sent twice behind the agent's back.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

import requests

from ..store.errors import RunNotFound, StoreError
from ..store.names import InvalidName, check_name
from ..store.remote import Connection, Unreachable
from .config import SweepConfigError, parse_sweep_config
from .records import (
    ID_ALPHABET,
    ID_LENGTH,
    LEASE,
    Claim,
    SweepBook,
    SweepNotFound,
    SweepRecord,
    SweepState,
    SweepStateError,
    TrialRecord,
    TrialState,
)
from .wire import ERROR_MAX, claim_from_json, rungs_from_json, sweep_from_json, trial_from_json

_SWEEP_ID = re.compile(f"[{ID_ALPHABET}]{{{ID_LENGTH}}}")


def _segment(kind: str, name: str) -> str:
    """A name (entity, project) checked by the store's rule, as one URL path segment."""
    return quote(check_name(kind, name), safe="")


class RemoteSweepBook(SweepBook):
    """The sweeps of ``entity`` on the server ``conn`` talks to (``SweepBook``)."""

    def __init__(self, conn: Connection, entity: str) -> None:
        self.conn, self.entity = conn, entity
        self._root = f"/entities/{_segment('entity', entity)}/projects"

    def __repr__(self) -> str:
        return f"RemoteSweepBook({self.conn.base_url!r}, entity={self.entity!r})"

    def _sweeps(self, project: str) -> str:
        return f"{self._root}/{_segment('project', project)}/sweeps"

    def _sweep(self, project: str, sweep_id: str) -> str:
        if not isinstance(sweep_id, str) or not _SWEEP_ID.fullmatch(sweep_id):  # nothing else can name one
            raise SweepNotFound(
                f"no sweep {sweep_id!r} in {project!r}: a sweep id is {ID_LENGTH} lower-case letters and digits"
            )
        return f"{self._sweeps(project)}/{sweep_id}"

    def _call(self, method: str, path: str, what: str, *, config: bool = False, **kwargs: Any) -> Any:
        """One request, refusals as the book's errors (a 413 or 422 of a ``config`` call
        as a ``SweepConfigError``)."""
        try:
            return self.conn.request(method, path, **kwargs)
        except RunNotFound as e:
            raise SweepNotFound(str(e)) from None
        except (requests.ConnectionError, requests.Timeout, requests.exceptions.ChunkedEncodingError) as e:
            raise Unreachable(f"{self.conn.base_url} could not be reached to {what}: {e}") from None
        except StoreError as e:
            status, body = getattr(e, "status", 0), getattr(e, "body", None)
            detail = body["detail"] if isinstance(body, dict) and isinstance(body.get("detail"), str) else str(e)
            if status == 409:
                raise SweepStateError(detail) from None
            if config and status in (413, 422):  # a config too big for the server is the user's to fix too
                raise SweepConfigError("", detail) from None
            if status == 422:
                raise InvalidName(detail) from None
            raise

    # -- sweeps ------------------------------------------------------------------------

    def create(
        self, project: str, config: Mapping[str, Any], *, seed: int | None = None, name: str | None = None
    ) -> SweepRecord:
        """Checked here first (``SweepConfigError`` naming the field, no request), then
        by the server."""
        raw = parse_sweep_config(config).raw
        body = {"config": raw, "seed": seed, "name": name}
        return sweep_from_json(self._call("POST", self._sweeps(project), "create a sweep", config=True, json=body))

    def sweep(self, project: str, sweep_id: str) -> SweepRecord:
        return sweep_from_json(self._call("GET", self._sweep(project, sweep_id), f"read sweep {sweep_id}"))

    def sweeps(self, project: str) -> list[SweepRecord]:
        return [sweep_from_json(s) for s in self._call("GET", self._sweeps(project), f"list the sweeps of {project}")]

    def set_state(self, project: str, sweep_id: str, state: SweepState, reason: str | None = None) -> SweepRecord:
        path = self._sweep(project, sweep_id) + "/state"
        answer = self._call("PUT", path, f"set sweep {sweep_id} {state}", json={"state": state, "reason": reason})
        return sweep_from_json(answer)

    # -- trials ------------------------------------------------------------------------

    def claim(self, project: str, sweep_id: str, agent_id: str, lease: float = LEASE) -> Claim:
        path = self._sweep(project, sweep_id) + "/claims"
        answer = self._call(
            "POST", path, f"claim a trial of sweep {sweep_id}", json={"agent_id": agent_id, "lease": lease}
        )
        return claim_from_json(answer)

    def start(self, project: str, sweep_id: str, seq: int, agent_id: str) -> TrialRecord:
        path = f"{self._sweep(project, sweep_id)}/trials/{int(seq)}/start"
        return trial_from_json(
            self._call("POST", path, f"start trial {seq} of sweep {sweep_id}", json={"agent_id": agent_id})
        )

    def heartbeat(self, project: str, sweep_id: str, seqs: list[int], agent_id: str, lease: float = LEASE) -> set[int]:
        path = self._sweep(project, sweep_id) + "/heartbeat"
        body = {"agent_id": agent_id, "seqs": [int(s) for s in seqs], "lease": lease}
        return set(self._call("POST", path, f"renew the trials of sweep {sweep_id}", json=body)["stop"])

    def record_rung(
        self, project: str, sweep_id: str, seq: int, band: int, value: float
    ) -> dict[int, dict[int, float]]:
        path = f"{self._sweep(project, sweep_id)}/trials/{int(seq)}/rungs"
        what = f"record a rung of trial {seq} of sweep {sweep_id}"
        return rungs_from_json(self._call("POST", path, what, json={"band": int(band), "value": float(value)}))

    def rungs(self, project: str, sweep_id: str) -> dict[int, dict[int, float]]:
        path = self._sweep(project, sweep_id) + "/rungs"
        return rungs_from_json(self._call("GET", path, f"read the rungs of sweep {sweep_id}"))

    def end(
        self,
        project: str,
        sweep_id: str,
        seq: int,
        state: TrialState,
        value: float | None = None,
        stop: Mapping[str, Any] | None = None,
        error: str | None = None,
    ) -> SweepRecord:
        """``error`` is cut to its last ``ERROR_MAX`` characters (a traceback's end says most)."""
        body = {
            "state": state,
            "value": None if value is None else float(value),
            "stop": dict(stop) if stop is not None else None,
            "error": error.replace("\x00", "\\x00")[-ERROR_MAX:] if error is not None else None,  # text holds no NUL
        }
        path = f"{self._sweep(project, sweep_id)}/trials/{int(seq)}/end"
        return sweep_from_json(self._call("POST", path, f"end trial {seq} of sweep {sweep_id}", json=body))

    def trials(self, project: str, sweep_id: str) -> list[TrialRecord]:
        path = self._sweep(project, sweep_id) + "/trials"
        return [trial_from_json(t) for t in self._call("GET", path, f"read the trials of sweep {sweep_id}")]
