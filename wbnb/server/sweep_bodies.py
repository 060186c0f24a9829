"""The bodies of ``/api/v1/entities/{entity}/projects/{project}/sweeps/...``
(``routes/sweeps.py``): pydantic models (in the OpenAPI document), each field bounded,
so that no request can store what the book could not hand back. The config itself is
checked by ``parse_sweep_config`` (the book's ``create``), whose message names the field."""

from __future__ import annotations

from typing import Annotated, Any, Literal, get_args

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StrictFloat, StrictInt, StrictStr

from ..sweeps.records import LEASE, SweepState
from ..sweeps.wire import ERROR_MAX, MAX_LEASE, TEXT_MAX
from .artifact_bodies import no_nul
from .bodies import Index

Text = Annotated[StrictStr, Field(max_length=TEXT_MAX), AfterValidator(no_nul)]
AgentId = Annotated[StrictStr, Field(min_length=1, max_length=TEXT_MAX), AfterValidator(no_nul)]
Lease = Annotated[StrictFloat, Field(gt=0, le=MAX_LEASE, allow_inf_nan=False)]
MAX_SEQS = 10_000  # trials one heartbeat renews at most


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class NewSweep(_Body):
    """A sweep to create: its config (wandb's sweep config, as a JSON object), the seed
    its random and bayes suggestions draw from (default: the config's, else one drawn
    and kept), and its name (default: the config's)."""

    config: dict[str, Any]  # its nesting bounded by the route (check_depth)
    seed: Annotated[StrictInt, Field(ge=0)] | None = None  # any integer numpy takes (the book keeps it as text)
    name: Text | None = None


class StateChange(_Body):
    """Move a sweep to ``state`` (pause, resume, stop, cancel), saying why if need be."""

    state: Literal[get_args(SweepState)]  # type: ignore[valid-type]
    reason: Text | None = None


class ClaimBody(_Body):
    """An agent asks for a trial, leased for ``lease`` seconds."""

    agent_id: AgentId
    lease: Lease = LEASE


class StartBody(_Body):
    """The agent holding a trial opened its run."""

    agent_id: AgentId


class HeartbeatBody(_Body):
    """An agent renews the leases of its trials ``seqs``."""

    agent_id: AgentId
    seqs: Annotated[list[Index], Field(max_length=MAX_SEQS)]
    lease: Lease = LEASE


class RungBody(_Body):
    """A trial's metric value at a Hyperband band (an iteration)."""

    band: Index
    value: StrictFloat


class EndBody(_Body):
    """A trial ended: how, its metric's summary value, why Hyperband stopped it (the
    decision's fields), what went wrong (the end of a traceback)."""

    state: Literal["finished", "failed", "stopped"]
    value: StrictFloat | None = None  # NaN and ±Infinity are values too (a diverged loss)
    stop: dict[str, Any] | None = None
    error: Annotated[StrictStr, Field(max_length=ERROR_MAX), AfterValidator(no_nul)] | None = None


class SweepOut(BaseModel):
    """A sweep as the book keeps it."""

    id: str
    project: str
    entity: str
    config: dict[str, Any]
    state: str
    seed: int
    created_at: float
    name: str | None = None
    reason: str | None = None
    trial_count: int = 0


class TrialOut(BaseModel):
    """A trial: a claimed suggestion (``rungs``: band -> the metric's value there)."""

    sweep_id: str
    seq: int
    key: int
    params: dict[str, Any]
    state: str
    run_id: str
    agent_id: str
    claimed_at: float
    lease_until: float
    ended_at: float | None = None
    value: float | None = None
    rungs: dict[str, float] = {}
    stop: dict[str, Any] | None = None
    error: str | None = None


class ClaimOut(BaseModel):
    """A trial to run, or none: ``wait`` true when asking later may give one."""

    trial: TrialOut | None
    reason: str
    wait: bool


class StopOut(BaseModel):
    """The trials among those renewed that must stop now."""

    stop: list[int]


BODIES: tuple[type[BaseModel], ...] = (NewSweep, StateChange, ClaimBody, StartBody, HeartbeatBody, RungBody, EndBody)
