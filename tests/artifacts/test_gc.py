"""gc(): unreferenced blobs and stale temporary files go, keep_last=N drops old versions
but never an aliased or linked one, a dry run deletes nothing and says what it would free."""

from __future__ import annotations

import os
import time
from pathlib import Path

from tests.artifacts.memcatalog import MemCatalog, log
from wbnb.artifacts.gc import beyond_last, gc
from wbnb.store.catalog.records import VersionRecord
from wbnb.textout import human_bytes

HOUR = 3600


def _age(path: Path, seconds: float) -> None:
    t = time.time() - seconds
    os.utime(path, (t, t))


def _series(c: MemCatalog, src: Path, n: int) -> list[VersionRecord]:
    return [log(c, src, "p", "ckpt", {"w.pt": b"x" * (i + 1) * 100}, type="model") for i in range(n)]


def test_keep_last_keeps_the_newest_aliased_and_linked(catalog: MemCatalog, tmp_path: Path) -> None:
    v = _series(catalog, tmp_path / "src", 6)
    catalog.set_aliases(v[1].id, ["best"])
    catalog.link(v[2].id, "wandb-registry-model", "prod")
    report = gc(catalog, catalog.objects, keep_last=2)  # the dropped versions' blobs need no grace
    assert [x.version for x in report.versions] == ["v0", "v3"]
    assert [x.version for x in catalog.versions("p", "ckpt")] == ["v1", "v2", "v4", "v5"]
    assert catalog.versions("p", "ckpt")[-1].aliases == ("latest",)
    # the dropped versions' blobs went with them; the kept ones' stay readable
    assert len(report.blobs) == 2 and not any(p.exists() for p in report.blobs)
    assert report.freed == 100 + 400
    for kept in catalog.versions("p", "ckpt"):
        for e in catalog.manifest(kept.id):
            assert catalog.blob_file(e.digest).stat().st_size == e.size
    # the registry link kept its own version too
    assert [x.version for x in catalog.versions("wandb-registry-model", "prod")] == ["v0"]


def test_dry_run_deletes_nothing_and_says_what_it_would_free(catalog: MemCatalog, tmp_path: Path) -> None:
    _series(catalog, tmp_path / "src", 3)
    blobs = sorted(p for p in catalog.objects.rglob("*") if p.is_file())
    report = gc(catalog, catalog.objects, keep_last=1, dry_run=True)
    assert [x.version for x in report.versions] == ["v0", "v1"]
    assert report.freed == 300
    assert report.summary() == "would free 300 B: 2 versions, 2 unreferenced blobs, 0 stale temporary files"
    assert len(catalog.versions("p", "ckpt")) == 3
    assert sorted(p for p in catalog.objects.rglob("*") if p.is_file()) == blobs


def test_unreferenced_blobs_and_temp_files_go_only_after_the_grace(catalog: MemCatalog, tmp_path: Path) -> None:
    v = log(catalog, tmp_path / "src", "p", "data", {"a": b"kept"})
    (ab := catalog.objects / "ff").mkdir(parents=True)
    orphan_old, orphan_new = ab / ("f" * 64), ab / ("f" * 63 + "e")
    temp_old, temp_new = catalog.objects / "tmp-123.part", catalog.objects / "tmp-456.part"
    for p in (orphan_old, orphan_new, temp_old, temp_new):
        p.write_bytes(b"12345")
    for p in (orphan_old, temp_old):
        _age(p, 2 * HOUR)
    # ctime can't be set back: a blob stored just now is "new" by its ctime whatever its mtime
    report = gc(catalog, catalog.objects, grace=-1)
    assert set(report.blobs) == {orphan_old, orphan_new} and set(report.temp) == {temp_old, temp_new}
    assert not orphan_old.exists() and not temp_new.exists()
    assert catalog.blob_file(catalog.manifest(v.id)[0].digest).read_bytes() == b"kept"
    # with the hour's grace, what was just written stays (a blob is stored before its commit)
    for p in (orphan_new, temp_new):
        p.write_bytes(b"12345")
    report = gc(catalog, catalog.objects)
    assert report.blobs == [] and report.temp == [] and orphan_new.exists() and temp_new.exists()


def test_beyond_last_and_sizes() -> None:
    assert beyond_last([], 3, set()) == []
    assert human_bytes(340) == "340 B" and human_bytes(1536) == "1.5 KiB" and human_bytes(3 * 2**30) == "3.0 GiB"


def test_no_objects_folder_is_nothing_to_do(catalog: MemCatalog) -> None:
    assert gc(catalog, catalog.objects / "absent").freed == 0
