"""What a sweep's book keeps, the same in every home (a local store's SQLite file, a
server's database, reached over HTTP by ``remote.py``), and the interface of a book.

A *sweep* is its parsed config (kept as given, ``config``), its state and its seed. A
*trial* is one claimed suggestion: ``seq`` numbers the claims of a sweep (0, 1, ...),
``key`` names the point (a grid index, or for random and bayes the suggestion's number),
so that a point is held by one live trial at a time: claiming runs in one write
transaction of the book, which reads the trials, computes the next suggestion and
inserts it with nothing in between, across threads, processes and machines.

A claim is a lease: the agent holding a trial renews it (``heartbeat``) while its run
goes on; a trial whose lease ran out (its agent died) is ``released``: its point is
offered again and it no longer counts towards ``run_cap``. Every other trial counts, so
``run_cap`` is exact.

States (wandb's words, upper case as wandb's API returns them):

- sweep: ``RUNNING`` (claims are granted), ``PAUSED`` (agents wait), ``FINISHED``
  (``--stop``: no new trials, running ones go on; also set when the search is exhausted or
  ``run_cap`` is reached and the last trial ended), ``CANCELED`` (``--cancel``: running
  trials are stopped too), ``FAILED`` (the first ``EARLY_FAILURES`` trials all failed).
- trial: ``claimed`` (leased, no run yet) -> ``running`` (its run opened) -> ``finished`` |
  ``failed`` | ``stopped`` (Hyperband, or the sweep canceled) | ``released`` (lease ran out).
"""

from __future__ import annotations

import secrets
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from ..errors import UsageError
from ..store.errors import StoreError

SweepState = Literal["PENDING", "RUNNING", "PAUSED", "FINISHED", "CANCELED", "FAILED"]
TrialState = Literal["claimed", "running", "finished", "failed", "stopped", "released"]
ENDED: frozenset[str] = frozenset({"finished", "failed", "stopped", "released"})
LIVE: frozenset[str] = frozenset({"claimed", "running"})
FINAL_SWEEP_STATES: frozenset[str] = frozenset({"FINISHED", "CANCELED", "FAILED"})

LEASE = 60.0  # seconds a claim holds without a heartbeat; agents renew every LEASE / 4
EARLY_FAILURES = 3  # the sweep fails when its first this-many trials all failed
ID_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789"
ID_LENGTH = 8  # as wandb's sweep ids: 8 lower-case letters and digits


def new_sweep_id() -> str:
    """A fresh sweep id (from ``secrets``: the user's random state is never read)."""
    return "".join(secrets.choice(ID_ALPHABET) for _ in range(ID_LENGTH))


class SweepNotFound(StoreError, KeyError, ValueError):
    """No sweep by that id in that project."""

    def __str__(self) -> str:  # KeyError would repr() the message
        return str(self.args[0]) if self.args else "sweep not found"


class SweepStateError(StoreError, UsageError):
    """A state change the sweep's state does not allow (resuming a canceled sweep...)."""


@dataclass(frozen=True)
class SweepRecord:
    """One sweep: ``config`` is the config as given (``SweepConfig.raw``), ``seed`` the one
    its random and bayes suggestions draw from (the config's, ``sweep(seed=)``, or one
    drawn at creation and kept, so every sweep can be replayed). ``reason`` says why a
    sweep left ``RUNNING`` when it was not a user's command (exhausted, run_cap, failures)."""

    id: str
    project: str
    entity: str
    config: dict[str, Any]
    state: SweepState
    seed: int
    created_at: float
    name: str | None = None
    reason: str | None = None
    trial_count: int = 0  # trials that count towards run_cap (every one not released)


@dataclass(frozen=True)
class TrialRecord:
    """One claimed suggestion. ``params`` is the nested config the trial runs with;
    ``value`` the metric's summary value when it ended (None if it logged none);
    ``rungs`` the metric's value at each Hyperband band it reached (band -> value, in the
    metric's own sign); ``stop`` why Hyperband stopped it (``band``, ``value``,
    ``threshold``, ``reached``: ``hyperband.Decision``'s fields) or None."""

    sweep_id: str
    seq: int
    key: int
    params: dict[str, Any]
    state: TrialState
    run_id: str
    agent_id: str
    claimed_at: float
    lease_until: float
    ended_at: float | None = None
    value: float | None = None
    rungs: dict[int, float] = field(default_factory=dict)
    stop: dict[str, Any] | None = None
    error: str | None = None


@dataclass(frozen=True)
class Claim:
    """The answer to ``claim``: a trial to run, or none and why. ``wait`` is True when
    trying again later may give one (the sweep is paused; what is left, the last grid
    points or the last trials under ``run_cap``, is held by live trials that may yet be
    released), False when this sweep will give no more (finished, canceled, failed;
    exhausted or at its ``run_cap`` with no trial live)."""

    trial: TrialRecord | None
    reason: str = ""
    wait: bool = False


class SweepBook(ABC):
    """The sweeps of one store (one entity's, on a server). Every method is one
    transaction of the book; ``claim`` is atomic across processes and machines."""

    @abstractmethod
    def create(
        self, project: str, config: Mapping[str, Any], *, seed: int | None = None, name: str | None = None
    ) -> SweepRecord:
        """A new ``RUNNING`` sweep of ``project``. ``config`` is validated with
        ``parse_sweep_config`` (``SweepConfigError`` naming the field); ``seed`` overrides
        the config's; ``name`` the config's ``name``."""

    @abstractmethod
    def sweep(self, project: str, sweep_id: str) -> SweepRecord:
        """The sweep, or ``SweepNotFound``."""

    @abstractmethod
    def sweeps(self, project: str) -> list[SweepRecord]:
        """The project's sweeps, oldest first."""

    @abstractmethod
    def set_state(self, project: str, sweep_id: str, state: SweepState, reason: str | None = None) -> SweepRecord:
        """Move the sweep to ``state`` (``SweepStateError`` if a final state would be left,
        except ``FINISHED`` -> ``RUNNING``, which ``--resume`` allows when more can be run)."""

    @abstractmethod
    def claim(self, project: str, sweep_id: str, agent_id: str, lease: float = LEASE) -> Claim:
        """Release the trials whose lease ran out, then claim the next suggestion for
        ``agent_id``: in one write transaction, checked against the state and ``run_cap``.
        Sets the sweep ``FINISHED`` (with its reason) when nothing is left and no trial is live."""

    @abstractmethod
    def start(self, project: str, sweep_id: str, seq: int, agent_id: str) -> TrialRecord:
        """The trial's run opened (``claimed`` -> ``running``); ``StoreError`` if the trial
        is no longer this agent's (released)."""

    @abstractmethod
    def heartbeat(self, project: str, sweep_id: str, seqs: list[int], agent_id: str, lease: float = LEASE) -> set[int]:
        """Renew the leases of these trials of ``agent_id``; returns the seqs among them
        that must stop now (the sweep was canceled, or the trial was released)."""

    @abstractmethod
    def record_rung(
        self, project: str, sweep_id: str, seq: int, band: int, value: float
    ) -> dict[int, dict[int, float]]:
        """Keep the trial's metric value at ``band``; returns every trial's rungs (seq ->
        band -> value; released trials left out: their points run again) for the
        Hyperband judgement that follows."""

    @abstractmethod
    def rungs(self, project: str, sweep_id: str) -> dict[int, dict[int, float]]:
        """Every trial's rungs: seq -> band -> value (released trials left out)."""

    @abstractmethod
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
        """The trial ended (finished, failed or stopped) with the metric's ``value``.
        A failure among the sweep's first trials may fail the sweep (``EARLY_FAILURES``),
        and the last live trial of an exhausted sweep finishes it; a trial no longer live
        (ended already, or released: its point may be another's) is left as it is.
        Returns the sweep as it now is."""

    @abstractmethod
    def trials(self, project: str, sweep_id: str) -> list[TrialRecord]:
        """The sweep's trials in claim order."""
