"""What goes between ``RemoteSweepBook`` (``remote.py``) and ``wbnb server``
(``server/routes/sweeps.py``): the book's records as JSON (``*_json`` written,
``*_from_json`` read back), and the limits both sides hold a request to.

JSON has only string keys: a trial's rungs (band -> value) and ``rungs()`` (seq -> band
-> value) go as decimal strings and come back as ints. Metric values may be NaN or
±Infinity (a diverged loss): both sides write them as Python's ``json`` does.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from .records import Claim, SweepRecord, TrialRecord

MAX_BODY = 1 << 20  # bytes of a sweep request's body: a config is small (a 100k-value grid fits)
MAX_LEASE = 86_400.0  # seconds a claim may be leased for at most (one heartbeat a day)
ERROR_MAX = 1 << 16  # characters of a trial's error kept (its traceback's end: the client cuts it)
TEXT_MAX = 1024  # characters of a sweep's name, a reason, an agent's id


def _known(cls: type[Any], data: Mapping[str, Any]) -> dict[str, Any]:
    """The fields of ``data`` that ``cls`` has: a newer server's extra fields are left out."""
    names = {f.name for f in dataclasses.fields(cls)}
    return {k: v for k, v in data.items() if k in names}


def _bands(rungs: Mapping[Any, float]) -> dict[int, float]:
    return {int(band): value for band, value in rungs.items()}


def sweep_json(sweep: SweepRecord) -> dict[str, Any]:
    """A sweep as the server sends it."""
    return dataclasses.asdict(sweep)


def sweep_from_json(data: Mapping[str, Any]) -> SweepRecord:
    """A sweep the server sent."""
    return SweepRecord(**_known(SweepRecord, data))


def trial_json(trial: TrialRecord) -> dict[str, Any]:
    """A trial as the server sends it (its rungs' bands as strings)."""
    out = dataclasses.asdict(trial)
    out["rungs"] = {str(band): value for band, value in trial.rungs.items()}
    return out


def trial_from_json(data: Mapping[str, Any]) -> TrialRecord:
    """A trial the server sent."""
    fields = _known(TrialRecord, data)
    fields["rungs"] = _bands(fields.get("rungs") or {})
    return TrialRecord(**fields)


def claim_json(claim: Claim) -> dict[str, Any]:
    """A claim's answer as the server sends it."""
    trial = trial_json(claim.trial) if claim.trial is not None else None
    return {"trial": trial, "reason": claim.reason, "wait": claim.wait}


def claim_from_json(data: Mapping[str, Any]) -> Claim:
    """A claim's answer the server sent."""
    trial = data.get("trial")
    return Claim(trial_from_json(trial) if trial else None, data.get("reason") or "", bool(data.get("wait")))


def rungs_json(rungs: Mapping[int, Mapping[int, float]]) -> dict[str, dict[str, float]]:
    """Every trial's rungs (seq -> band -> value) as the server sends them."""
    return {str(seq): {str(band): value for band, value in bands.items()} for seq, bands in rungs.items()}


def rungs_from_json(data: Mapping[str, Mapping[str, float]]) -> dict[int, dict[int, float]]:
    """Every trial's rungs the server sent."""
    return {int(seq): _bands(bands) for seq, bands in data.items()}
