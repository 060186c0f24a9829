"""Drive built widget bundles in a real headless Chromium, without Jupyter.

A ``Harness`` serves ``wbnb/static`` and ``harness.html`` from 127.0.0.1, mounts a widget's
ESM against a stand-in model built from the widget's real state (``get_state`` with its
buffers), and replays the messages the Python side sent through a ``RecordingComm``.
"""

from __future__ import annotations

import base64
import functools
import http.server
import os
import shutil
import subprocess
import threading
from pathlib import Path
from typing import Any

from ipywidgets.widgets.widget import _remove_buffers

ROOT = Path(__file__).resolve().parents[2]
STATIC = ROOT / "wbnb" / "static"
HERE = Path(__file__).resolve().parent
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = os.environ.get("WBNB_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


class RecordingComm:
    """Stands in for a widget's comm: keeps every message instead of sending it."""

    kernel = object()  # ipywidgets only sends through a comm that has a kernel

    def __init__(self) -> None:
        self.messages: list[tuple[dict[str, Any], list[bytes]]] = []
        self.comm_id = "recording"

    def send(self, data: Any = None, metadata: Any = None, buffers: Any = None) -> None:
        self.messages.append((data, [bytes(b) for b in (buffers or [])]))

    def close(self, *a: Any, **k: Any) -> None:
        pass

    def on_msg(self, *a: Any) -> None:
        pass

    def take(self) -> list[tuple[dict[str, Any], list[bytes]]]:
        out, self.messages = self.messages, []
        return out


def fresh_bundle(name: str) -> None:
    """Build ``wbnb/static/<name>.js`` when it is missing or older than its sources
    (``js/<name>/``, ``js/lib/``); CI builds every bundle anyway."""
    out = STATIC / f"{name}.js"
    srcs = [*(ROOT / "js" / name).glob("*.ts"), *(ROOT / "js" / "lib").glob("*.ts")]
    if not out.exists() or out.stat().st_mtime < max(p.stat().st_mtime for p in srcs):
        subprocess.run(["node", "js/build.mjs", "--quiet"], check=True, cwd=ROOT)


def record(widget: Any) -> RecordingComm:
    comm = RecordingComm()
    widget.comm = comm
    return comm


def b64(buffers: list[Any]) -> list[str]:
    return [base64.b64encode(bytes(b)).decode() for b in buffers]


class _Handler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *a: Any) -> None:
        pass

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-store")
        super().end_headers()


class Harness:
    def __init__(self, page: Any, base_url: str) -> None:
        self.page = page
        self.base = base_url
        self.added: set[str] = set()  # models on the page: a second view of one is mounted over the same
        page.goto(f"{base_url}/harness.html")
        page.wait_for_function("window.wbnbReady === true")

    def add_model(self, widget: Any) -> str:
        state, paths, buffers = _remove_buffers(widget.get_state())
        self.page.evaluate(
            "([id, s, p, b]) => window.wbnb.addModel(id, s, p, b)", [widget.model_id, state, paths, b64(buffers)]
        )
        return widget.model_id

    def mount(self, widget: Any, bundle: str, *, keys: list[str] | None = None) -> None:
        """Mount a view of ``widget`` (its model added to the page once: views mounted again share
        it); ``keys``: the view's ``ViewOptions.keys``, the only keys it draws."""
        for w in [*_referenced(widget), widget]:
            if w.model_id not in self.added:
                self.add_model(w)
                self.added.add(w.model_id)
        options = None if keys is None else {"keys": keys}
        self.page.evaluate(
            "([id, url, o]) => window.wbnb.mount(id, url, o)", [widget.model_id, f"{self.base}/{bundle}.js", options]
        )

    def deliver(self, widget: Any, messages: list[tuple[dict[str, Any], list[bytes]]]) -> None:
        for data, buffers in messages:
            self.page.evaluate("([id, d, b]) => window.wbnb.deliver(id, d, b)", [widget.model_id, data, b64(buffers)])

    def answer(self, widget: Any, comm: RecordingComm) -> int:
        """Once the page has sent ``widget``'s kernel something, hand it to the widget as
        its comm would and deliver the replies (the harness has no kernel); how many it sent."""
        take = f"window.wbnb.models['{widget.model_id}'].sent"
        self.page.wait_for_function(f"() => {take}.length")
        sent = self.page.evaluate(f"() => {take}.splice(0)")
        for content in sent:
            widget._on_request(widget, content, [])
        self.deliver(widget, comm.take())
        return len(sent)

    def settle(self) -> None:
        """Until every image on the page has loaded or failed and the tasks queued meanwhile
        (an ``onerror`` handler) have run: after this, a check that no injected script ran
        means something."""
        self.page.wait_for_function("() => [...document.images].every(i => i.complete)")
        self.page.evaluate("() => new Promise(r => setTimeout(r))")

    def screenshot(self, name: str) -> Path:
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path


def _referenced(widget: Any) -> list[Any]:
    """The widgets ``widget``'s traits hold (in lists and dicts too: the run panel's parts),
    and theirs, each before its referrer."""
    from ipywidgets import Widget

    out: list[Any] = []

    def walk(value: Any) -> None:
        if isinstance(value, Widget):
            if all(w is not value for w in out):
                for k in value.keys:
                    walk(getattr(value, k, None))
                out.append(value)
        elif isinstance(value, (list, tuple)):
            for v in value:
                walk(v)
        elif isinstance(value, dict):
            for v in value.values():
                walk(v)

    for k in widget.keys:
        walk(getattr(widget, k, None))
    return out


@functools.cache
def _site(tmp: str) -> str:
    """A folder with the harness page and the built bundles, served over HTTP."""
    site = Path(tmp)
    site.mkdir(parents=True, exist_ok=True)
    shutil.copy(HERE / "harness.html", site / "harness.html")
    for js in STATIC.glob("*.js"):
        shutil.copy(js, site / js.name)
    return str(site)


def serve(folder: str) -> tuple[str, http.server.ThreadingHTTPServer]:
    handler = functools.partial(_Handler, directory=folder)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}", server
