"""A server takes exactly the rows ``log()`` makes (``store/rows.py``): real HTTP
against a started ``wbnb server`` on each backend. A row the SDK would refuse is a 422
naming the row and the key, and nothing of its batch is kept."""

from __future__ import annotations

import json
import math
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import requests

from wbnb.data import Histogram
from wbnb.sdk.values import flatten
from wbnb.store.media import MediaStore
from wbnb.store.wire import API, STREAMS, decode_rows, encode_rows

from .serverproc import ServerProcess, make_key


@pytest.fixture(scope="module", params=["folder", "postgres"])
def server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    database = None
    if request.param == "postgres":
        database = request.getfixturevalue("postgres").create_database(f"rows_{os.urandom(4).hex()}")
    with ServerProcess(tmp_path_factory.mktemp("server") / "root", database=database) as proc:
        yield proc


@pytest.fixture(scope="module")
def session(server: ServerProcess) -> requests.Session:
    s = requests.Session()
    s.headers["Authorization"] = f"Bearer {make_key(server.root, 'alice', database=server.database)}"
    return s


def _open(session: requests.Session, server: ServerProcess) -> str:
    url = f"{server.url}{API}/entities/alice/projects/rules/runs/r{os.urandom(4).hex()}"
    assert session.put(url, json={"meta": {}, "resume": "allow"}).status_code == 200
    return url


def _post(session: requests.Session, url: str, batch: dict[str, Any]) -> requests.Response:
    """POST a batch the way the client does: Python's json, NaN included."""
    return session.post(url + "/batches", data=json.dumps(batch), headers={"Content-Type": "application/json"})


def _history(session: requests.Session, url: str) -> list[tuple]:
    return decode_rows(session.get(url + "/rows", params={"stream": "history", "start": "0"}).json())


def _row(step: int, keys: tuple[str, ...], values: tuple[Any, ...], ts: Any = 1000.0) -> tuple:
    return (keys, step, ts, 1.0, values)


@pytest.mark.parametrize(
    ("rows", "detail"),
    [
        (
            [_row(0, ("loss",), (1.0,)), _row(1, ("loss", "_step"), (2.0, 0))],
            "history.rows[1]: key '_step' is reserved",
        ),
        ([_row(0, ("_timestamp",), ("yesterday",))], "history.rows[0]: key '_timestamp' is reserved"),
        ([_row(0, ("_runtime",), (1.0,))], "history.rows[0]: key '_runtime' is reserved"),
        ([_row(0, ("a", ""), (1, 2))], "history.rows[0]: key '' is empty"),
        ([_row(0, ("a", "b", "a"), (1, 2, 3))], "history.rows[0]: key 'a' appears twice"),
        ([_row(5, ("a",), (1,)), _row(3, ("a",), (2,))], "history.rows[1]: step 3 is before the previous row's step 5"),
        ([_row(0, ("a",), (1,), ts=math.nan)], "history.rows[0]: timestamp must be a finite float"),
        ([_row(0, ("a",), (2**64,))], "history.rows[0]: key 'a': value 18446744073709551616 does not fit in 64 bits"),
        ([_row(0, ("deep",), ([[[[1]]]],))], None),  # 4 levels: fine
        ([_row(0, ("deep",), (json.loads("[" * 70 + "]" * 70),))], "history.rows[0]: key 'deep': value nests"),
    ],
)
def test_rows_the_sdk_refuses_are_422_naming_the_row_and_key(
    server: ServerProcess, session: requests.Session, rows: list[tuple], detail: str | None
) -> None:
    url = _open(session, server)
    answer = _post(session, url, {"history": encode_rows(0, rows), "events": {"start": 0, "records": [{"k": 1}]}})
    if detail is None:
        assert answer.status_code == 200, answer.text
        assert _history(session, url) == rows
        return
    assert answer.status_code == 422, answer.text
    assert detail in answer.json()["detail"]
    assert session.get(url + "/counts").json() == dict.fromkeys(STREAMS, 0)  # nothing of the batch was kept
    assert _history(session, url) == []


def test_system_rows_follow_the_same_rules(server: ServerProcess, session: requests.Session) -> None:
    url = _open(session, server)
    answer = _post(session, url, {"system": encode_rows(0, [_row(0, ("cpu", "cpu"), (1.0, 2.0))])})
    assert answer.status_code == 422 and "system.rows[0]: key 'cpu' appears twice" in answer.json()["detail"]


def test_a_batch_going_back_before_the_held_step_is_refused_even_after_a_restart(
    server: ServerProcess, session: requests.Session
) -> None:
    url = _open(session, server)
    first = [_row(step, ("loss",), (float(step),)) for step in (0, 1, 4)]
    assert _post(session, url, {"history": encode_rows(0, first)}).status_code == 200
    back = _post(session, url, {"history": encode_rows(3, [_row(2, ("loss",), (9.0,))])})
    assert back.status_code == 422, back.text
    assert "history.rows[0]: step 2 is before step 4, the last one the run holds" in back.json()["detail"]
    # A retried batch that overlaps what is held is compared from its first new row on.
    again = [first[1], first[2], _row(4, ("acc",), (0.5,)), _row(6, ("loss",), (6.0,))]
    assert _post(session, url, {"history": encode_rows(1, again)}).status_code == 200
    server.kill()  # the folder backend reopens the run from its log, PostgreSQL reads the last step
    server.start()
    back = _post(session, url, {"history": encode_rows(5, [_row(5, ("loss",), (5.0,))])})
    assert back.status_code == 422 and "step 5 is before step 6" in back.json()["detail"]
    assert [step for _, step, *_ in _history(session, url)] == [0, 1, 4, 4, 6]


@pytest.mark.filterwarnings("ignore:wbnb.Histogram")  # the empty one says so
def test_every_kind_of_value_log_makes_is_taken_and_given_back(
    server: ServerProcess, session: requests.Session, tmp_path: Path
) -> None:
    made = flatten(
        {
            "f": 0.5,
            "nan": math.nan,
            "inf": -math.inf,
            "i": np.int64(-(2**63)),
            "u": np.uint32(7),
            "b": np.bool_(False),
            "s": "ünï©ødé",
            "none": None,
            "when": np.datetime64("2024-01-02T03:04:05"),
            "list": [1, [2.5, "x", None]],
            "hist": Histogram(np.arange(10.0), num_bins=4),
            "empty": Histogram([np.nan]),
            "nested": {"a": {"b": np.float16(1.5)}},
        },
        MediaStore(tmp_path),
    )
    url = _open(session, server)
    rows = [(tuple(made), 0, 1000.0, 1.0, tuple(made.values()))]
    answer = _post(session, url, {"history": encode_rows(0, rows)})
    assert answer.status_code == 200, answer.text
    ((keys, step, _, _, values),) = _history(session, url)
    back = dict(zip(keys, values))
    assert back.keys() == made.keys() and math.isnan(back.pop("nan"))
    assert back == {k: v for k, v in made.items() if k != "nan"}
