"""Derived media files (a Video encoded off the caller's thread, named after its frames)
reach a server under their content's name, the only name a server accepts, whether a
live run uploads them or ``wbnb sync`` does later; rows and tables that point to them
are renamed to match."""

from __future__ import annotations

import hashlib
import io
import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image as PILImage

import wbnb
from tests.waiting import wait_for
from wbnb.data import video
from wbnb.store import uploader
from wbnb.sync import sync

from .serverproc import ServerProcess, make_key


@pytest.fixture
def server(tmp_path: Path) -> Iterator[ServerProcess]:
    with ServerProcess(tmp_path / "server-root") as proc:
        yield proc


@pytest.fixture
def client(tmp_path: Path, server: ServerProcess, monkeypatch: pytest.MonkeyPatch) -> None:
    env = {
        "WBNB_SILENT": "1",
        "WBNB_SYSTEM_INTERVAL": "0",
        "WBNB_CONSOLE": "0",
        "WBNB_DIR": str(tmp_path / "spool"),
        "WBNB_BASE_URL": server.url,
        "WBNB_API_KEY": make_key(server.root, "team"),
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)


def frames(seed: int) -> np.ndarray:
    """(T, C, H, W) frames, each a different colour."""
    out = np.zeros((4, 3, 6, 6), np.uint8)
    for t in range(4):
        out[t] = np.array([seed * 30 % 256, t * 50, 90], np.uint8)[:, None, None]
    return out


def check_on_server(run_id: str) -> None:
    """Every media path of the run's rows, as the server holds them, is named after the
    bytes the server serves for it; the video is a GIF of 4 frames, the table's too; the
    summary (in the run's metadata, and the event that set it) points to the same file."""
    api = wbnb.Api()
    run = api.run(f"team/media/{run_id}")
    row = run.history(pandas=False)[0]
    assert run.summary["best"]["path"] == row["clip"]["path"]
    events, _ = api.store.records("media", run_id, "events")
    assert [e["set"]["best"]["path"] for e in events if e.get("kind") == "summary"] == [row["clip"]["path"]]

    def served(path: str) -> bytes:
        data = api.store.media(path)
        assert path == f"media/{path[6:8]}/{hashlib.sha256(data).hexdigest()}.{path.rsplit('.', 1)[1]}"
        return data

    with PILImage.open(io.BytesIO(served(row["clip"]["path"]))) as gif:
        assert gif.n_frames == 4
    table = json.loads(served(row["table"]["path"]))
    cell = table["data"][0][0]
    assert cell["_type"] == "video"
    with PILImage.open(io.BytesIO(served(cell["path"]))) as gif:
        assert gif.n_frames == 4


def test_a_live_run_uploads_videos_under_their_content_name(client: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """The encoder is held until the uploader has reached the video's row: the uploader
    waits for the file instead of taking it for lost."""
    release, asked = threading.Event(), []
    encode, wait_written = video._encode_gif, uploader.wait_written

    def held_encode(*args: Any) -> bytes:
        assert release.wait(30), "the test never released the encoder"
        return encode(*args)

    def noted_wait(file: Path) -> None:
        asked.append(file.name)
        wait_written(file)

    monkeypatch.setattr(video, "_encode_gif", held_encode)
    monkeypatch.setattr(uploader, "wait_written", noted_wait)
    run = wbnb.init(project="media")
    clip = wbnb.Video(frames(1))
    run.log({"clip": clip, "table": wbnb.Table(columns=["clip"], data=[[wbnb.Video(frames(2))]])})
    run.summary["best"] = clip
    wait_for(lambda: any(name.endswith(".gif") for name in asked), what="the uploader to reach a video")
    release.set()
    run.finish()
    check_on_server(run.id)


def test_sync_uploads_an_offline_runs_videos_under_their_content_name(client: None) -> None:
    run = wbnb.init(project="media", mode="offline")
    clip = wbnb.Video(frames(3))
    run.log({"clip": clip, "table": wbnb.Table(columns=["clip"], data=[[wbnb.Video(frames(4))]])})
    run.summary["best"] = clip
    run.finish()
    assert sync().synced == [f"media/{run.id}"]
    check_on_server(run.id)
