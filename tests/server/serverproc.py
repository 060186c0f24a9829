"""A real ``wbnb server`` in a subprocess, for tests that talk to it over HTTP.

    with ServerProcess(tmp_path / "srv") as server:
        key = make_key(server.root, "alice")
        requests.get(server.url + "/api/v1/whoami", headers={"Authorization": f"Bearer {key}"})
        server.kill()   # SIGKILL, as a crash would
        server.start()  # the same port and root again

The server's output goes to ``<root>.log`` next to the root (not into it).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from types import TracebackType

import requests

STARTUP_TIMEOUT = 30.0


def free_port() -> int:
    """A TCP port nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wbnb_command(*args: str) -> list[str]:
    """The argv of ``wbnb ARGS`` run by this interpreter."""
    return [sys.executable, "-m", "wbnb.cli", *args]


def backend_args(root: str | os.PathLike[str], database: str | None) -> list[str]:
    """``--root`` (and ``--database``) as the server commands take them."""
    return ["--root", str(root), *(["--database", database] if database else [])]


def make_key(root: str | os.PathLike[str], entity: str, database: str | None = None, name: str = "test") -> str:
    """A new API key for ``entity``, made through ``wbnb server keys create``."""
    out = subprocess.run(
        wbnb_command("server", "keys", "create", *backend_args(root, database), "--entity", entity, "--name", name),
        capture_output=True,
        text=True,
        timeout=60,
    )
    if out.returncode != 0:
        raise RuntimeError(f"wbnb server keys create failed: {out.stderr}")
    return out.stdout.strip()


class ServerProcess:
    """``wbnb server`` on 127.0.0.1 and a free port, started by ``start()`` (or
    ``with``) and ready once ``/health`` answers."""

    def __init__(
        self,
        root: str | os.PathLike[str],
        database: str | None = None,
        *,
        max_body: int | None = None,
        max_media: int | None = None,
        max_chunk: int | None = None,
        stale_after: float | None = None,
        max_open_runs: int | None = None,
        log_level: str = "warning",
    ) -> None:
        self.root = Path(root)
        self.database = database
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = self.root.with_name(self.root.name + ".log")
        self.log_level = log_level  # "info" logs each request: method, path, status
        self.limits = [
            *(["--max-body", str(max_body)] if max_body else []),
            *(["--max-media", str(max_media)] if max_media else []),
            *(["--max-chunk", str(max_chunk)] if max_chunk else []),
            *(["--stale-after", str(stale_after)] if stale_after else []),
            *(["--max-open-runs", str(max_open_runs)] if max_open_runs else []),
        ]
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> ServerProcess:
        """Start the server (again, on the same port) and wait until it answers."""
        if self.proc is not None and self.proc.poll() is None:
            raise RuntimeError("the server is already running")
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen(
                wbnb_command(
                    "server",
                    *backend_args(self.root, self.database),
                    "--port",
                    str(self.port),
                    "--log-level",
                    self.log_level,
                    *self.limits,
                ),
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"wbnb server exited with {self.proc.returncode}:\n{self.log()}")
            try:
                if requests.get(self.url + "/api/v1/health", timeout=1).ok:
                    return self
            except requests.ConnectionError:
                pass
            time.sleep(0.05)
        self.kill()
        raise RuntimeError(f"wbnb server did not answer within {STARTUP_TIMEOUT} s:\n{self.log()}")

    def log(self) -> str:
        """What the server printed so far (its last 4000 characters)."""
        try:
            return self.log_path.read_text(errors="replace")[-4000:]
        except FileNotFoundError:
            return ""

    def kill(self) -> None:
        """SIGKILL the server, as a crash or the OOM killer would."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(timeout=10)

    def stop(self) -> None:
        """Stop the server the polite way (SIGTERM: open runs are closed), or kill it
        if it does not exit in time."""
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.kill()

    def __enter__(self) -> ServerProcess:
        return self.start()

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None) -> None:
        self.stop()
