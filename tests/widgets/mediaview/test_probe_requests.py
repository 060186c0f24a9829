"""MediaView reads the page's request defensively (probe): a bad request number raised in
the comm handler. A request the page cannot have made now gets no answer (as every
component's, through ``pagerequest.read_request``); the page's own is answered."""

from __future__ import annotations

from typing import Any

from .test_model import _view


def test_a_request_number_that_is_no_number_raises_nothing(store_dir: Any) -> None:
    import wbnb

    run = wbnb.init(project="p", name="m")
    run.log({"page": wbnb.Html("<p>hi</p>")})
    run.finish()
    w = _view(run)
    (series,) = w._snapshot["series"]
    want = [{"id": series["id"], "step": 0, "index": 0}]
    for req in ("x", [1], {"a": 1}, float("inf"), True):
        assert w._answer({"type": "fetch", "req": req, "items": want}) is None
    reply, buffers = w._answer({"type": "fetch", "req": 7, "items": want})
    assert reply["req"] == 7 and [f["index"] for f in reply["items"]] == [0] and buffers[0].endswith(b"<p>hi</p>")
