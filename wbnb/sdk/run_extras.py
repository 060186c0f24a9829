"""What a run has besides logging: where it lives (``url``, ``project_url``,
``sweep_url``) and ``mark_preempting``.

URLs: a run in the local store is a ``file://`` URL of its folder (its project's
folder for ``project_url``); a run logged to a ``wbnb server`` is the server's URL of
its record (``.../runs/<id>``; ``.../runs`` lists the project).
"""

from __future__ import annotations

import time
from pathlib import Path
from urllib.parse import quote

from ..store.base import RunWriter
from ..store.runmeta import RunMeta
from ..store.wire import API
from .notice import say_once


def server_project_url(base_url: str, entity: str, project: str) -> str:
    """The server's URL of a project (its runs under ``/runs``, its sweeps under ``/sweeps``)."""
    return f"{base_url}{API}/entities/{quote(entity, safe='')}/projects/{quote(project, safe='')}"


def _server_project(meta: RunMeta) -> str | None:
    """The server URL of the run's project, or None for a run of the local store."""
    remote = meta.get("remote")
    return server_project_url(remote["url"], remote["entity"], meta["project"]) if remote else None


def run_url(meta: RunMeta, files_dir: str) -> str:
    """The run's URL: the server's record of it, or its folder in the local store."""
    project = _server_project(meta)
    if project:
        return f"{project}/runs/{quote(meta['id'], safe='')}"
    return Path(files_dir).parent.as_uri()


def project_url(meta: RunMeta, files_dir: str) -> str:
    """The URL of the run's project: the server's list of its runs, or its folder."""
    project = _server_project(meta)
    return f"{project}/runs" if project else Path(files_dir).parent.parent.as_uri()


def sweep_url(meta: RunMeta, files_dir: str) -> str | None:
    """The URL of the sweep the run belongs to, None when it is in none."""
    sweep_id = meta.get("sweep_id")
    if not sweep_id:
        return None
    project = _server_project(meta) or Path(files_dir).parent.parent.as_uri()
    return f"{project}/sweeps/{quote(str(sweep_id), safe='')}"


def record_preempting(writer: RunWriter, run_id: str) -> None:
    """Keep with the run that it expects to be stopped (an event and ``preempting_at``
    in its metadata); it stays ``running``."""
    now = time.time()
    writer.log_event({"kind": "preempting", "t": now})
    writer.save_meta(preempting_at=now)
    say_once(
        "preempting",
        f"run {run_id} is marked as preempting: recorded with it. There is no scheduler here to requeue "
        "it; if the process is stopped, the run reads as crashed and init(id=..., resume='allow') continues it",
    )
