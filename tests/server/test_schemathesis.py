"""Fuzz every operation of the server's own OpenAPI spec: no input may make it fail
with a 5xx. Half the cases are aimed at a run that exists, so generated batches reach
the store instead of stopping at a 404."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error

from wbnb.store.wire import API

from .serverproc import ServerProcess, make_key

REAL = {"entity": "fuzz", "project": "demo", "run_id": "target"}


@pytest.fixture(scope="module")
def fuzzed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[ServerProcess, str]]:
    """A server with a key of entity ``fuzz`` and an open run ``demo/target``."""
    root: Path = tmp_path_factory.mktemp("fuzz") / "root"
    with ServerProcess(root, max_body=1 << 20, max_media=1 << 20) as server:
        key = make_key(root, REAL["entity"])
        url = f"{server.url}{API}/entities/fuzz/projects/demo/runs/target"
        r = requests.put(
            url,
            data=json.dumps({"meta": {"name": "t"}}),
            headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"},
        )
        assert r.status_code == 200, r.text
        yield server, key
        assert "Traceback" not in server.log(), server.log()


@pytest.fixture(scope="module")
def api_schema(fuzzed: tuple[ServerProcess, str]) -> schemathesis.BaseSchema:
    """The spec as the running server serves it."""
    server, _ = fuzzed
    return schemathesis.openapi.from_url(server.url + "/openapi.json")


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@schema.given(aim=st.booleans())
@settings(
    max_examples=25, deadline=None, phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck)
)
@pytest.mark.timeout(120)
def test_no_input_makes_a_server_error(case: schemathesis.Case, aim: bool, fuzzed: tuple[ServerProcess, str]) -> None:
    server, key = fuzzed
    if aim:  # a valid key and, where the path has them, the names of the open run
        case.headers = {**(case.headers or {}), "Authorization": f"Bearer {key}"}
        case.path_parameters.update({k: v for k, v in REAL.items() if k in (case.path_parameters or {})})
    case.call_and_validate(base_url=server.url, headers={"Authorization": f"Bearer {key}"}, checks=[not_a_server_error])
