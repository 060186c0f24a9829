"""Checks every call of ``calls.py`` against this wbnb and writes the outcomes as JSON.

    python tests/compat/runner.py OUT.json [CALLS.py]   (the repository root on PYTHONPATH)

``tests/test_compat_page.py`` runs it and turns the outcomes into ``docs/wandb-compat.md``.
This process imports wbnb (and numpy, pandas) once and starts no thread; each call is
checked in a child forked from it, so every check starts from a clean process (no run,
no "said once" memory, its own environment and working directory) for a few ms.
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.util
import io
import json
import os
import re
import shutil
import signal
import sys
import tempfile
import traceback
import warnings
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pandas  # noqa: F401  (loaded once here, shared by every child)

import wbnb

sys.path.insert(0, str(Path(__file__).parent))
from calls import Call

TIMEOUT = 120  # seconds one check may take before its process is stopped
WORKERS = min(4, os.cpu_count() or 1)  # checks running at once


def resolve(path: str) -> str | None:
    """None when ``wbnb.<path>`` exists, else why not. A module that imports a framework
    not installed here is read instead of imported, so the answer does not depend on it."""
    obj: Any = wbnb
    name = "wbnb"
    parts = path.split(".")
    for i, part in enumerate(parts):
        try:  # wbnb's lazy attributes import: a framework missing here raises ImportError
            found = hasattr(obj, part)
        except ImportError:
            found = False
        if found:
            obj, name = getattr(obj, part), f"{name}.{part}"
            continue
        if not isinstance(obj, ModuleType):
            return f"no {name}.{part}"
        try:
            obj, name = importlib.import_module(f"{name}.{part}"), f"{name}.{part}"
        except ModuleNotFoundError as e:
            if e.name and not e.name.startswith("wbnb"):
                return _defined_in_source(f"{name}.{part}", parts[i + 1 :])
            return f"no {name}.{part}"
    return None


def _defined_in_source(module: str, names: list[str]) -> str | None:
    spec = importlib.util.find_spec(module)
    source = Path(spec.origin).read_text() if spec and spec.origin else ""
    if not names or re.search(rf"^(class|def) {re.escape(names[0])}\b|^{re.escape(names[0])}\s*=", source, re.M):
        return None
    exported = re.search(r"^__all__ = \[(.*?)\]", source, re.M | re.S)  # a re-export (wbnb.keras)
    if exported and re.search(rf"[\"']{re.escape(names[0])}[\"']", exported.group(1)):
        return None
    return f"no {module}.{names[0]}"


def stored(run: Any) -> Any:
    """The run as ``Api()`` reads it back."""
    return wbnb.Api().run(f"{run.project}/{run.id}")


def cli(*args: str) -> str:
    """Run ``wbnb ARGS``; return its stdout, or raise unless it exits 0."""
    from wbnb.cli import main

    out = io.StringIO()
    try:
        with contextlib.redirect_stdout(out):
            code = main(list(args))
    except SystemExit as e:
        code = e.code if isinstance(e.code, int) else 1
    if code != 0:
        raise AssertionError(f"wbnb {' '.join(args)} exited {code}")
    return out.getvalue()


def evaluate(call: Call) -> dict[str, Any]:
    """Check ``call`` in this (forked) process."""
    for path in call.path.split():
        if why := resolve(path):
            return {"status": "missing", "reason": why}
    if not call.code:
        return {"status": "supported"}
    names = {"wandb": wbnb, "os": os, "Path": Path, "np": np, "stored": stored, "cli": cli}
    quiet, out = io.StringIO(), io.StringIO()
    try:
        with contextlib.redirect_stdout(quiet), contextlib.redirect_stderr(quiet):
            exec(compile(call.setup, f"<setup of {call.call}>", "exec"), names)
    except BaseException as e:
        return {"status": "missing", "reason": f"setup: {_error(e)}"}
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                exec(compile(call.code, f"<{call.call}>", "exec"), names)
    except BaseException as e:
        return {"status": "missing", "reason": _error(e)}
    if not call.ignored:
        return {"status": "supported"}
    lines = out.getvalue().splitlines() + [str(w.message) for w in caught]
    notice = [line.strip() for line in lines if call.ignored.lower() in line.lower()]
    if not notice:
        return {"status": "silent", "reason": f"printed: {lines}"}
    return {"status": "ignored", "notice": " / ".join(dict.fromkeys(notice))}


def _error(e: BaseException) -> str:
    where = traceback.extract_tb(e.__traceback__)[-1]
    return f"{type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''} (at {where.filename}:{where.lineno})"


def in_child(call: Call, write: int) -> None:
    """The forked side: a fresh folder and environment, the check, the outcome down the pipe."""
    signal.alarm(TIMEOUT)
    tmp = Path(tempfile.mkdtemp(prefix="wbnb-compat-")).resolve()
    try:
        os.chdir(tmp)
        for key in [k for k in os.environ if k.startswith(("WBNB_", "WANDB_"))]:
            del os.environ[key]
        os.environ.update(
            WBNB_DIR=str(tmp / "store"),
            WBNB_CONFIG_DIR=str(tmp / "config"),
            WBNB_SYSTEM_INTERVAL="0",
            WBNB_CONSOLE="0",
            WBNB_LIVE_PANEL="0",
        )
        try:
            outcome = evaluate(call)
        finally:
            with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
                for run in reversed(wbnb.sdk.lifecycle.open_runs()):
                    run.finish(quiet=True)
        outcome = {k: v[:2000] if isinstance(v, str) else v for k, v in outcome.items()}  # fits a pipe's buffer
        text = json.dumps(outcome).replace(json.dumps(str(tmp))[1:-1], "<tmp>")
        os.write(write, re.sub(r"0x[0-9a-f]{6,}", "0x...", text).encode())
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def start(call: Call) -> tuple[int, int]:
    """Fork a child that checks ``call``; return its pid and the pipe its outcome comes on."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child never returns into the caller
        os.close(read)
        try:
            in_child(call, write)
        finally:
            os._exit(0)
    os.close(write)
    return pid, read


def check_all(calls: list[Call]) -> list[dict[str, Any]]:
    """The outcome of every call, in order: paths checked here, snippets in forked
    children, a few at a time (an outcome is small, so a child never waits on its pipe)."""
    outcomes: list[dict[str, Any]] = [{} for _ in calls]
    running: dict[int, tuple[int, int]] = {}  # pid -> (index, read end of its pipe)

    def collect_one() -> None:
        pid, _ = os.waitpid(-1, 0)
        index, read = running.pop(pid)
        with os.fdopen(read, "rb") as f:
            data = f.read()
        outcomes[index] = json.loads(data) if data else {"status": "missing", "reason": "its process died"}

    for index, call in enumerate(calls):
        missing = [m for m in call.needs if importlib.util.find_spec(m) is None]
        if missing:
            outcomes[index] = {"status": "unchecked", "reason": f"needs {', '.join(missing)}"}
        elif not call.code:
            outcomes[index] = evaluate(call)
        else:
            while len(running) >= WORKERS:
                collect_one()
            pid, read = start(call)
            running[pid] = (index, read)
    while running:
        collect_one()
    return outcomes


def warm_up() -> None:
    """What every child would otherwise do again: read the installed packages for a run's
    metadata, import what a run and a read load on first use. The warm-up run is
    finished, so no thread is left when children fork."""
    from wbnb.sdk import metadata

    packages = metadata._packages()
    metadata._packages = lambda: packages  # type: ignore[attr-defined]
    with tempfile.TemporaryDirectory() as tmp:
        run = wbnb.init(project="warm-up", dir=tmp, settings={"silent": True, "console": False, "system_interval": 0})
        run.log({"x": 1})
        run.finish()
        wbnb.Api({"dir": tmp}).run(f"warm-up/{run.id}").history()


def load_calls(path: Path) -> list[Call]:
    """``CALLS`` of the file at ``path`` (``calls.py`` itself, or a test's own list)."""
    spec = importlib.util.spec_from_file_location("compat_calls", path)
    assert spec is not None and spec.loader is not None
    module = sys.modules[spec.name] = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.CALLS


def main() -> None:
    calls = load_calls(Path(sys.argv[2]) if len(sys.argv) > 2 else Path(__file__).with_name("calls.py"))
    warm_up()
    outcomes = [{"section": c.section, "call": c.call, "note": c.note, **o} for c, o in zip(calls, check_all(calls))]
    Path(sys.argv[1]).write_text(json.dumps(outcomes, indent=1))


if __name__ == "__main__":
    main()
