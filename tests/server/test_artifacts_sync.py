"""Artifacts logged into a spool reach the server: live, behind a server-backed run
(``RemoteStore.push_artifact``), and later with ``wbnb sync`` (offline runs, a push a
killed server cut short), never twice: a second sync sends nothing."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import wbnb
from wbnb.store.catalog.push import Pusher, PushLog
from wbnb.store.catalog.records import ArtifactConflict, Commit, Entry, RunRef
from wbnb.store.local import LocalStore
from wbnb.sync import sync

from .artifactsrv import BACKENDS, ArtifactServer, blob, serving

MiB = 1 << 20
QUIET = {"WBNB_SILENT": "1", "WBNB_SYSTEM_INTERVAL": "0", "WBNB_CONSOLE": "0"}


@pytest.fixture(scope="module", params=BACKENDS)
def server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ArtifactServer]:
    with serving(request, tmp_path_factory.mktemp("artifacts-sync"), log_level="info") as srv:
        yield srv


@pytest.fixture
def client(server: ArtifactServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """A client of an entity of its own, spooling into the test's folder."""
    entity = server.entity()
    env = {
        **QUIET,
        "WBNB_DIR": str(tmp_path / "spool"),
        "WBNB_BASE_URL": server.url,
        "WBNB_API_KEY": server.key(entity),
        "WBNB_CACHE_DIR": str(tmp_path / "cache"),
        "ENTITY": entity,
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return env


def _spooled(spool: Path, files: dict[str, bytes], tmp: Path) -> tuple[Any, tuple[Entry, ...]]:
    """The spool's catalog with ``files`` stored, and their entries."""
    catalog = LocalStore(spool).catalog
    entries = []
    for name, data in files.items():
        path, entry = blob(tmp / "src", name, data)
        catalog.put_blob(path, entry.digest, len(data))
        entries.append(entry)
    return catalog, tuple(entries)


def _artifact_requests(server: ArtifactServer) -> int:
    return server.proc.log_path.read_text().count("/artifacts/")


def test_offline_artifacts_are_synced_once_with_aliases_and_lineage(
    server: ArtifactServer, client: dict[str, str], tmp_path: Path
) -> None:
    maker = wbnb.init(project="p", mode="offline")
    maker.finish()
    reader = wbnb.init(project="p", mode="offline")
    reader.finish()
    spool, (a, b) = _spooled(Path(client["WBNB_DIR"]), {"a.txt": b"alpha", "w/b.bin": os.urandom(5000)}, tmp_path)
    v0, _ = spool.commit(
        Commit("p", "data", "dataset", (a, b), "two files", {"n": 2}, ("best",), RunRef("p", maker.id))
    )
    v1, _ = spool.commit(Commit("p", "data", "dataset", (a,), aliases=("best",), run=RunRef("p", maker.id)))
    spool.use(v0.id, RunRef("p", reader.id))
    spool.link(v1.id, "wandb-registry-model", "prod", ["production"])

    report = sync()
    assert report.ok, report.summary()
    assert sorted(report.synced) == sorted([f"p/{maker.id}", f"p/{reader.id}"])
    assert report.artifacts == ["p/data:v0", "p/data:v1"]
    assert "pushed 2 of 2 artifact versions" in report.summary()

    remote = server.catalog(client["ENTITY"], key=client["WBNB_API_KEY"])[0]
    s0, s1 = remote.versions("p", "data")
    assert (s0.digest, s1.digest) == (v0.digest, v1.digest)
    assert s0.description == "two files" and s0.metadata == {"n": 2}
    assert remote.resolve("p", "data", "best").id == s1.id  # the alias as it ended in the spool
    assert [v.id for v in remote.outputs(RunRef("p", maker.id))] == [s0.id, s1.id]
    assert remote.used_by(s0.id) == [RunRef("p", reader.id)]
    assert remote.resolve("wandb-registry-model", "prod", "production").source_id == s1.id
    assert remote.blob_file(b.digest).read_bytes() == Path(tmp_path / "src" / "w/b.bin").read_bytes()

    asked = _artifact_requests(server)
    again = sync()
    assert again.ok and again.artifacts == [] and again.synced == []
    assert _artifact_requests(server) == asked  # the spool's log says all is there: the server is asked nothing
    assert len(remote.versions("p", "data")) == 2

    spool.set_aliases(v0.id, ["first"])  # a change after the push: only it goes
    spool.use(v1.id, RunRef("p", reader.id))
    assert sync().artifacts == ["p/data:v0", "p/data:v1"]
    assert "first" in remote.get(s0.id).aliases and remote.used_by(s1.id) == [RunRef("p", reader.id)]
    assert len(remote.versions("p", "data")) == 2


def test_the_same_content_logged_twice_offline_is_one_blob_on_the_server(
    server: ArtifactServer, client: dict[str, str], tmp_path: Path
) -> None:
    data = os.urandom(MiB)
    spool, (w,) = _spooled(Path(client["WBNB_DIR"]), {"w.bin": data}, tmp_path)
    spool.commit(Commit("p", "first", "model", (w,)))
    spool.commit(Commit("p", "second", "model", (Entry("copy.bin", w.digest, w.size),)))
    remote, sent = server.catalog(client["ENTITY"], key=client["WBNB_API_KEY"])
    pusher = Pusher(spool, remote, PushLog(client["WBNB_DIR"]), server.url)
    for v in (spool.resolve("p", "first"), spool.resolve("p", "second")):
        pusher.push(v.id)
    assert sent.blob_bytes == MiB and sent.of("PUT", "/blobs/") == 1  # the second found it there


def test_a_push_cut_short_by_a_killed_server_is_finished_by_sync(
    server: ArtifactServer, client: dict[str, str], tmp_path: Path
) -> None:
    data = os.urandom(4 * MiB)
    spool, (ckpt,) = _spooled(Path(client["WBNB_DIR"]), {"model.ckpt": data}, tmp_path)
    v, _ = spool.commit(Commit("p", "ckpt", "model", (ckpt,), aliases=("best",)))
    remote, sent = server.catalog(client["ENTITY"], key=client["WBNB_API_KEY"], chunk=MiB, patience=0.5)

    def kill_after_the_first_chunk(r: Any, *args: Any, **kwargs: Any) -> None:
        if r.request.method == "PUT" and "/blobs/" in r.request.path_url:
            server.proc.kill()

    remote.conn.session.hooks["response"].append(kill_after_the_first_chunk)
    pusher = Pusher(spool, remote, PushLog(client["WBNB_DIR"]), server.url)
    try:
        with pytest.raises(TimeoutError):
            pusher.push(v.id)
    finally:
        server.proc.start()
    assert pusher.pending(v.id)  # nothing is marked pushed
    fresh, _ = server.catalog(client["ENTITY"], key=client["WBNB_API_KEY"])
    status = fresh.conn.request("GET", f"/entities/{client['ENTITY']}/artifacts/blobs/{ckpt.digest}/upload")
    assert status["received"] == MiB  # the server kept the chunk it had across SIGKILL

    report = sync()
    assert report.ok and report.artifacts == ["p/ckpt:v0"], report.summary()
    on_server = fresh.resolve("p", "ckpt", "best")
    assert on_server.digest == v.digest and fresh.blob_file(ckpt.digest).read_bytes() == data
    assert sync().artifacts == []


def test_sync_reports_artifacts_a_server_refuses_and_exits_nonzero(
    server: ArtifactServer, client: dict[str, str], tmp_path: Path
) -> None:
    spool, (a,) = _spooled(Path(client["WBNB_DIR"]), {"a": b"a"}, tmp_path)
    spool.commit(Commit("p", "thing", "model", (a,)))
    remote = server.catalog(client["ENTITY"], key=client["WBNB_API_KEY"])[0]
    remote.put_blob(tmp_path / "src" / "a", a.digest, 1)
    remote.commit(Commit("p", "thing", "dataset", (a,)))  # on the server the collection holds datasets
    report = sync()
    assert not report.ok and list(report.artifacts_not_pushed) == ["p/thing:v0"]
    assert "dataset" in report.artifacts_not_pushed["p/thing:v0"] and "p/thing:v0" in report.summary()


def test_a_server_run_pushes_its_artifacts_behind_it(
    server: ArtifactServer, client: dict[str, str], tmp_path: Path
) -> None:
    run = wbnb.init(project="p")
    store = run._writer.remote  # the RemoteStore the run's spool uploads to
    spool, (a,) = _spooled(Path(client["WBNB_DIR"]), {"a.txt": b"live"}, tmp_path)
    v, _ = spool.commit(Commit("p", "live", "dataset", (a,), aliases=("fresh",), run=RunRef("p", run.id)))
    store.artifact_logged(v.id)  # what log_artifact calls after committing into the spool
    pushed = store.wait_artifact(v.id, timeout=60)
    assert pushed is not None and pushed.digest == v.digest and "fresh" in pushed.aliases
    remote = server.catalog(client["ENTITY"], key=client["WBNB_API_KEY"])[0]
    assert [x.id for x in remote.outputs(RunRef("p", run.id))] == [pushed.id]

    elsewhere, _ = remote.commit(Commit("p", "shared", "dataset", (a,)))  # a version only the server has
    store.record_use(elsewhere.id, RunRef("p", run.id)).wait(timeout=60)
    assert remote.used_by(elsewhere.id) == [RunRef("p", run.id)]
    run.finish()
    assert sync().artifacts == []  # all of it is there already


def test_a_server_run_ending_says_which_push_the_server_refused(
    server: ArtifactServer, client: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run = wbnb.init(project="p")
    spool, (a,) = _spooled(Path(client["WBNB_DIR"]), {"a": b"a"}, tmp_path)
    v, _ = spool.commit(Commit("p", "thing", "model", (a,), run=RunRef("p", run.id)))
    remote = server.catalog(client["ENTITY"], key=client["WBNB_API_KEY"])[0]
    remote.put_blob(tmp_path / "src" / "a", a.digest, 1)
    remote.commit(Commit("p", "thing", "dataset", (a,)))  # on the server the collection holds datasets
    store = run._writer.remote
    store.artifact_logged(v.id)
    with pytest.raises(ArtifactConflict, match="dataset"):
        store.wait_artifact(v.id, timeout=60)
    run.finish()
    err = capsys.readouterr().err
    assert f"artifact version {v.id}" in err and "wbnb sync" in err


def test_a_spool_without_artifacts_syncs_without_making_a_catalog(client: dict[str, str]) -> None:
    run = wbnb.init(project="p", mode="offline")
    run.finish()
    assert sync().ok
    assert not (Path(client["WBNB_DIR"]) / "artifacts").exists()


def test_a_use_of_a_server_version_left_in_the_spool_is_sent_by_sync(
    server: ArtifactServer, client: dict[str, str], tmp_path: Path
) -> None:
    """``record_use`` writes the use into the spool's log before sending it: a process
    that died first leaves it there for ``wbnb sync``."""
    remote = server.catalog(client["ENTITY"], key=client["WBNB_API_KEY"])[0]
    path, a = blob(tmp_path, "a", b"on the server")
    remote.put_blob(path, a.digest, a.size or 0)
    theirs, _ = remote.commit(Commit("p", "theirs", "dataset", (a,)))
    run = wbnb.init(project="p", mode="offline")
    run.finish()
    PushLog(client["WBNB_DIR"]).add_use(server.url, theirs.id, RunRef("p", run.id))  # what record_use records first
    assert sync().ok
    assert remote.used_by(theirs.id) == [RunRef("p", run.id)]
    assert PushLog(client["WBNB_DIR"]).server_uses() == []  # sent: a second sync sends nothing


def test_the_wandb_calls_of_a_server_run_reach_the_server(
    server: ArtifactServer, client: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("data.csv").write_text("x,y\n1,2\n")
    with wbnb.init(project="p") as maker:
        art = wbnb.Artifact("table", type="dataset", metadata={"rows": 1})
        art.add_file("data.csv")
        logged = maker.log_artifact(art, aliases=["best"]).wait(timeout=60)
        assert logged.version == "v0"
    with wbnb.init(project="p") as user:
        used = user.use_artifact("table:best")  # resolved on the server
        root = used.download(root="dl")
        assert (Path(root) / "data.csv").read_text() == "x,y\n1,2\n"
        model = wbnb.Artifact("model", type="model")
        model.add_file("data.csv", name="weights.bin")
        user.log_artifact(model)
        user.link_artifact(model, "wandb-registry-model/prod", aliases=["production"])
    remote = server.catalog(client["ENTITY"], key=client["WBNB_API_KEY"])[0]
    on_server = remote.resolve("p", "table", "best")
    assert on_server.logged_by == RunRef("p", maker.id) and on_server.metadata == {"rows": 1}
    assert remote.used_by(on_server.id) == [RunRef("p", user.id)]
    linked = remote.resolve("wandb-registry-model", "prod", "production")
    assert remote.get(linked.source_id).name == "model"  # type: ignore[arg-type]
    api = wbnb.Api()
    assert api.artifact("p/table:best").used_by()[0].id == user.id
    assert [a.name for a in api.run(f"p/{user.id}").logged_artifacts()] == ["model:v0"]
    assert sync().artifacts == []  # the run's end waited for its pushes: nothing is left
