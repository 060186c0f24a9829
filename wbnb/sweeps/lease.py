"""An agent's hold on its trial: the heartbeat that renews the claim's lease while the
trial runs, and the path a sweep is named by.

A claim the agent stops renewing (it died) is released by the book after ``LEASE``
seconds, and its point offered again. The heartbeat also carries the book's answer back:
a trial the book says must stop (the sweep was canceled, or the lease was lost) calls
``on_stop`` once.
"""

from __future__ import annotations

import secrets
import threading
import time
import warnings
from collections.abc import Callable, Iterator

from .records import ID_ALPHABET, LEASE, Claim, SweepBook, TrialRecord

BEAT = LEASE / 4  # seconds between renewals


def new_agent_id() -> str:
    """A fresh agent id (from ``secrets``: the user's random state is never read)."""
    return "".join(secrets.choice(ID_ALPHABET) for _ in range(12))


def claims(
    book: SweepBook,
    project: str,
    sweep_id: str,
    agent_id: str,
    count: int | None,
    say: Callable[[str], None],
    poll: float,
) -> Iterator[TrialRecord]:
    """The trials an agent claims, one at a time (the next is claimed when the caller asks
    for it, after running the last), until ``count`` ran or the sweep gives no more (said
    with the book's reason). While the sweep is paused, every point is held by a live
    trial, or the server is out of reach, it asks again every ``poll`` seconds (said once)."""
    from ..store.remote import Unreachable

    done, waiting = 0, False
    while count is None or done < count:
        try:
            claim = book.claim(project, sweep_id, agent_id)
        except Unreachable as e:  # the agent outlives a server restart
            claim = Claim(None, f"{e}; asking again every {poll:g} s", wait=True)
        if claim.trial is None:
            if not claim.wait:
                say(f"agent stops: {claim.reason}")
                return
            if not waiting:
                say(f"waiting: {claim.reason}")
                waiting = True
            time.sleep(poll)
            continue
        waiting = False
        yield claim.trial
        done += 1
    say(f"agent stops: it ran the {count} trial(s) it was asked for")


def sweep_path(path: str, project: str | None = None, entity: str | None = None) -> tuple[str | None, str | None, str]:
    """``(entity, project, sweep_id)`` from wandb's forms ``ID``, ``project/ID`` and
    ``entity/project/ID`` (also as its URLs write them, ``entity/project/sweeps/ID``); the
    parts the path leaves out are ``project`` and ``entity``."""
    parts = str(path).strip("/").split("/")
    if len(parts) == 4 and parts[2] == "sweeps":
        del parts[2]
    if not 1 <= len(parts) <= 3 or not all(parts):
        raise ValueError(f"a sweep is named ID, project/ID or entity/project/ID, got {path!r}")
    sweep_id = parts[-1]
    if len(parts) >= 2:
        project = parts[-2]
    if len(parts) == 3:
        entity = parts[0]
    return entity, project, sweep_id


class Heartbeat:
    """A daemon thread renewing the lease of trial ``seq`` every ``interval`` seconds
    (default ``BEAT``, ``LEASE / 4``) until ``stop()``. Book trouble is warned once, never raised: the
    trial goes on, and the lease runs out only if the trouble outlasts it."""

    def __init__(
        self,
        book: SweepBook,
        project: str,
        sweep_id: str,
        seq: int,
        agent_id: str,
        on_stop: Callable[[], None],
        interval: float | None = None,
    ) -> None:
        self._beat = lambda: seq in book.heartbeat(project, sweep_id, [seq], agent_id)
        self._on_stop = on_stop
        self._interval = BEAT if interval is None else interval
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._loop, name=f"wbnb-sweep-{sweep_id}-{seq}", daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        warned = False
        while not self._done.wait(self._interval):
            try:
                stop = self._beat()
            except Exception as e:
                if not warned:
                    warned = True
                    warnings.warn(
                        f"wbnb: the sweep's lease could not be renewed ({e}); retrying", RuntimeWarning, stacklevel=2
                    )
                continue
            if stop:
                self._on_stop()
                return

    def stop(self) -> None:
        """Stop renewing (the trial ended); returns at once."""
        self._done.set()
