"""gc(): unreferenced blobs and stale temporary files go, keep_last=N drops old versions
but never an aliased or linked one, a dry run deletes nothing and says what it would free."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from tests.artifacts.fill import log
from wbnb.artifacts.gc import beyond_last, gc
from wbnb.store.catalog.records import ArtifactConflict, Commit, Entry, VersionRecord
from wbnb.store.catalog.sql import SqlCatalog
from wbnb.textout import human_bytes

HOUR = 3600


def _age(path: Path, seconds: float) -> None:
    t = time.time() - seconds
    os.utime(path, (t, t))


def _series(c: SqlCatalog, src: Path, n: int) -> list[VersionRecord]:
    return [log(c, src, "p", "ckpt", {"w.pt": b"x" * (i + 1) * 100}, type="model") for i in range(n)]


def test_keep_last_keeps_the_newest_aliased_and_linked(catalog: SqlCatalog, tmp_path: Path) -> None:
    v = _series(catalog, tmp_path / "src", 6)
    catalog.set_aliases(v[1].id, ["best"])
    catalog.link(v[2].id, "wandb-registry-model", "prod")
    report = gc(catalog, keep_last=2)  # the dropped versions' blobs need no grace
    assert [x.version for x in report.versions] == ["v0", "v3"]
    assert [x.version for x in catalog.versions("p", "ckpt")] == ["v1", "v2", "v4", "v5"]
    assert catalog.versions("p", "ckpt")[-1].aliases == ("latest",)
    # the dropped versions' blobs went with them; the kept ones' stay readable
    assert len(report.blobs) == 2 and not any(catalog.blobs.has(d) for d in report.blobs)
    assert report.freed == 100 + 400
    for kept in catalog.versions("p", "ckpt"):
        for e in catalog.manifest(kept.id):
            assert catalog.blob_file(e.digest).stat().st_size == e.size
    # the registry link kept its own version too
    assert [x.version for x in catalog.versions("wandb-registry-model", "prod")] == ["v0"]


def test_dry_run_deletes_nothing_and_says_what_it_would_free(catalog: SqlCatalog, tmp_path: Path) -> None:
    _series(catalog, tmp_path / "src", 3)
    blobs = sorted(catalog.blobs.digests())
    report = gc(catalog, keep_last=1, dry_run=True)
    assert [x.version for x in report.versions] == ["v0", "v1"]
    assert report.freed == 300
    assert report.summary() == "would free 300 B: 2 versions, 2 unreferenced blobs, 0 stale temporary files"
    assert len(catalog.versions("p", "ckpt")) == 3
    assert sorted(catalog.blobs.digests()) == blobs


def test_unreferenced_blobs_and_temp_files_go_only_after_the_grace(catalog: SqlCatalog, tmp_path: Path) -> None:
    v = log(catalog, tmp_path / "src", "p", "data", {"a": b"kept"})
    orphans = [log(catalog, tmp_path / "src", "p", "gone", {"a": bytes([i]) * 5}) for i in range(2)]
    digests = [catalog.manifest(o.id)[0].digest for o in orphans]
    for o in orphans:
        catalog.delete(o.id)  # deleted by hand: the blobs stay until gc
    (tmp := catalog.blobs.root / "tmp").mkdir(exist_ok=True)
    temp_old, temp_new = tmp / "1-2-old", tmp / "1-2-new"
    for p in (temp_old, temp_new):
        p.write_bytes(b"12345")
    _age(catalog.blobs.path(digests[0]), 2 * HOUR)
    _age(temp_old, 2 * HOUR)
    # with the hour's grace, only what was untouched for an hour goes; a blob's ctime is
    # its time in the store (a hard link from an old file is new to it), so both are new
    report = gc(catalog)
    assert report.blobs == [] and report.temp == [temp_old] and report.freed == 5
    assert temp_new.exists() and all(catalog.blobs.has(d) for d in digests)
    report = gc(catalog, grace=-1)  # past the grace
    assert sorted(report.blobs) == sorted(digests) and report.temp == [temp_new]
    assert not any(catalog.blobs.has(d) for d in digests) and not temp_new.exists()
    assert catalog.blob_file(catalog.manifest(v.id)[0].digest).read_bytes() == b"kept"


def test_a_version_aliased_while_gc_runs_stays_with_its_blobs(
    catalog: SqlCatalog, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    v = _series(catalog, tmp_path / "src", 3)
    delete = catalog.delete

    def aliased_meanwhile(version_id: str, delete_aliases: bool = False) -> None:
        if version_id == v[0].id:
            catalog.set_aliases(version_id, ["keep"])  # another process, between gc's read and its delete
        delete(version_id, delete_aliases)

    monkeypatch.setattr(catalog, "delete", aliased_meanwhile)
    report = gc(catalog, keep_last=1)
    assert [x.version for x in report.versions] == ["v1"]
    assert [x.version for x in catalog.versions("p", "ckpt")] == ["v0", "v2"]
    assert catalog.blob_file(catalog.manifest(v[0].id)[0].digest).stat().st_size == 100


def test_beyond_last_and_sizes() -> None:
    assert beyond_last([], 3, set()) == []
    assert human_bytes(340) == "340 B" and human_bytes(1536) == "1.5 KiB" and human_bytes(3 * 2**30) == "3.0 GiB"


def test_an_empty_store_is_nothing_to_do(catalog: SqlCatalog) -> None:
    assert gc(catalog, keep_last=1).summary() == (
        "freed 0 B: 0 versions, 0 unreferenced blobs, 0 stale temporary files"
    )


def test_a_blob_added_again_while_gc_runs_stays_and_its_version_commits(catalog: SqlCatalog, tmp_path: Path) -> None:
    src = tmp_path / "src" / "w.pt"
    src.write_bytes(b"weights")
    orphan, size = catalog.blobs.add(src)  # stored, never committed (a killed run's)
    gc_began = time.time()
    # gc has listed the orphan; a run now logs the same bytes before gc removes it
    assert catalog.blobs.add(src) == (orphan, size)
    assert catalog.remove_unreferenced({orphan: gc_began}) == []
    commit = Commit(project="p", name="m", type="model", entries=(Entry("w.pt", orphan, size),))
    version, _ = catalog.commit(commit)
    assert catalog.blob_file(orphan).read_bytes() == b"weights"
    # untouched since: it goes (and a commit naming it afterwards is refused, never half made)
    catalog.delete(version.id)
    assert catalog.remove_unreferenced({orphan: time.time() + 1}) == [(orphan, size)]
    with pytest.raises(ArtifactConflict, match="w.pt"):
        catalog.commit(commit)
