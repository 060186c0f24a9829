"""What agents share: the claim loop (``lease.claims``) and sweep paths."""

from __future__ import annotations

from pathlib import Path

import pytest

from wbnb.store.local import LocalStore
from wbnb.store.remote import Unreachable
from wbnb.sweeps.books import book_for
from wbnb.sweeps.lease import claims, sweep_path
from wbnb.sweeps.records import Claim, SweepBook

GRID = {"method": "grid", "parameters": {"x": {"values": [1, 2, 3]}}}


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("abc12345", (None, None, "abc12345")),
        ("p/abc12345", (None, "p", "abc12345")),
        ("e/p/abc12345", ("e", "p", "abc12345")),
        ("e/p/sweeps/abc12345", ("e", "p", "abc12345")),  # as wandb's URLs and its CLI print it
    ],
)
def test_sweep_paths_in_wandbs_forms(path: str, expected: tuple[str | None, str | None, str]) -> None:
    assert sweep_path(path) == expected


def test_a_bad_sweep_path_says_which_forms_are_taken() -> None:
    with pytest.raises(ValueError, match="ID, project/ID or entity/project/ID"):
        sweep_path("a/b/c/d/e")


def test_claims_run_count_then_say_why_they_stop(tmp_path: Path) -> None:
    book = book_for(LocalStore(tmp_path))
    sweep = book.create("p", GRID)
    said: list[str] = []
    got = []
    for t in claims(book, "p", sweep.id, "a1", 2, said.append, 0.01):
        got.append(t.params["x"])
        book.end("p", sweep.id, t.seq, "finished", value=1.0)
    assert got == [1, 2] and said == ["agent stops: it ran the 2 trial(s) it was asked for"]
    said.clear()
    for t in claims(book, "p", sweep.id, "a1", None, said.append, 0.01):
        book.end("p", sweep.id, t.seq, "finished", value=1.0)
    assert said == [f"agent stops: sweep {sweep.id} is finished: grid exhausted: all 3 points ran"]


def test_an_unreachable_server_makes_the_agent_wait_not_die(tmp_path: Path) -> None:
    real = book_for(LocalStore(tmp_path))
    sweep = real.create("p", GRID)
    outage = [2]  # the first two claims find the server down

    class Restarting(type(real)):  # type: ignore[misc]
        def claim(self, *args: object, **kwargs: object) -> Claim:
            if outage[0]:
                outage[0] -= 1
                raise Unreachable("cannot reach http://127.0.0.1:1: connection refused")
            return real.claim(*args, **kwargs)  # type: ignore[arg-type]

    book: SweepBook = Restarting.__new__(Restarting)
    said: list[str] = []
    (trial,) = claims(book, "p", sweep.id, "a1", 1, said.append, 0.01)
    assert trial.params == {"x": 1} and outage == [0]
    assert said[0].startswith("waiting: cannot reach") and "asking again" in said[0]
    assert len([s for s in said if s.startswith("waiting")]) == 1  # said once, not at every poll
