"""Several processes on one catalog: concurrent commits into one collection, and a
process killed (SIGKILL) in the middle of committing."""

from __future__ import annotations

import multiprocessing
import os
from pathlib import Path

from tests.waiting import wait_for
from wbnb.store.catalog.records import manifest_digest

from .homes import Home, commit, commit_series

SPAWN = multiprocessing.get_context("spawn")  # children start clean (no inherited pools or threads)


def _assert_whole(home: Home) -> list[str]:
    """Every version has its whole manifest; returns their digests, by index."""
    with home.open() as catalog:
        versions = catalog.versions("proj", "shared")
        for v in versions:
            entries = catalog.manifest(v.id)
            assert len(entries) == v.file_count and manifest_digest(entries) == v.digest
            assert catalog.missing(e.digest for e in entries) == set()
        assert [v.index for v in versions] == list(range(len(versions)))
        return [v.digest for v in versions]


def test_concurrent_commits_make_distinct_consecutive_versions(home: Home, tmp_path: Path) -> None:
    procs = [SPAWN.Process(target=commit_series, args=(home, f"p{i}", 8, 3, tmp_path)) for i in range(4)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
        assert p.exitcode == 0
    digests = _assert_whole(home)
    assert len(digests) == 4 * 8 + 1 and len(set(digests)) == len(digests)


def test_a_process_killed_while_committing_leaves_whole_versions(home: Home, tmp_path: Path) -> None:
    child = SPAWN.Process(target=commit_series, args=(home, "killed", 0, 200, tmp_path))
    child.start()
    with home.open() as catalog:

        def committed() -> int:
            return catalog.collections()[0].version_count if catalog.collections() else 0

        wait_for(lambda: committed() >= 5 or not child.is_alive(), 120, "the child's first commits")
        child.kill()
        child.join()
        assert child.exitcode == -9
    before = _assert_whole(home)
    with home.open() as catalog:  # and the catalog takes commits as before
        v, new = commit(catalog, {"after": b"the kill"}, tmp_path / "after", name="shared")
        assert new and v.index == len(before) and v.aliases == ("latest",)


def test_a_forked_child_commits_through_its_own_connection(tmp_path: Path) -> None:
    home = Home(tmp_path / "store")
    with home.open() as catalog:
        commit(catalog, {"a": b"parent"}, tmp_path / "p", name="shared")  # the parent's connection is open
        pid = os.fork()
        if pid == 0:  # the child: exit status says whether its commit went through
            try:
                v, new = commit(catalog, {"a": b"child"}, tmp_path / "c", name="shared")
                os._exit(0 if new and v.version == "v1" else 1)
            except BaseException:
                os._exit(2)
        assert os.waitpid(pid, 0)[1] == 0
        v, new = commit(catalog, {"a": b"parent again"}, tmp_path / "p", name="shared")
        assert new and v.version == "v2"
    assert len(_assert_whole(home)) == 3
