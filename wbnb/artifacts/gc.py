"""Giving disk back: old versions of checkpoint series, blobs nothing references, stale
temporary files.

    report = gc(catalog, keep_last=3, dry_run=True)    # a local store's SqlCatalog
    print(report.summary())

- ``keep_last=N``: in each collection of logged versions, the versions older than the
  newest N are deleted, except those with a user alias or a registry link (what someone
  named or published is kept). Registry collections are left alone.
- Blobs: a file of the objects folder (``<objects>/<ab>/<digest>``) that no remaining
  version's manifest names is removed, and so is any other file there (a copy left by a
  killed process); either only once untouched for ``grace`` seconds (an hour), because
  a blob is stored before the commit that references it. A blob is removed inside the
  catalog's write transaction (``SqlCatalog.remove_unreferenced``), and adding stored
  bytes again touches their blob, so a version logged while gc runs never loses a file.
- ``dry_run``: nothing is deleted; the report says what would be, and the bytes freed.

The download cache of a remote store (its own size budget) is trimmed by its owner.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from pathlib import Path

from ..store.catalog.records import LATEST, ArtifactConflict, VersionRecord, version_index
from ..store.catalog.sql import SqlCatalog
from ..textout import counted, human_bytes

GRACE = 3600.0  # seconds a file must be untouched before gc may remove it


@dataclass
class GcReport:
    """What ``gc`` deleted (or, in a dry run, would delete) and the bytes it freed."""

    dry_run: bool
    versions: list[VersionRecord] = field(default_factory=list)
    blobs: list[str] = field(default_factory=list)  # digests
    temp: list[Path] = field(default_factory=list)
    freed: int = 0

    def summary(self) -> str:
        """One line: what went, or would go."""
        verb = "would free" if self.dry_run else "freed"
        return (
            f"{verb} {human_bytes(self.freed)}: {counted(len(self.versions), 'version')}, "
            f"{counted(len(self.blobs), 'unreferenced blob')}, {counted(len(self.temp), 'stale temporary file')}"
        )


def beyond_last(versions: list[VersionRecord], keep_last: int, linked: set[str]) -> list[VersionRecord]:
    """Of a collection's versions (oldest first), those ``keep_last`` drops: older than
    the newest ``keep_last``, with no user alias and no id in ``linked``."""
    old = versions[: max(len(versions) - max(keep_last, 0), 0)]
    return [
        v for v in old if v.id not in linked and not any(a != LATEST and version_index(a) is None for a in v.aliases)
    ]


def gc(
    catalog: SqlCatalog,
    *,
    keep_last: int | None = None,
    dry_run: bool = False,
    grace: float = GRACE,
) -> GcReport:
    """Delete what ``keep_last`` drops, then the blobs and temporary files no version needs
    (see the module doc); ``dry_run``: only say so."""
    report = GcReport(dry_run)
    referenced: set[str] = set()
    dropped: set[str] = set()  # blobs of the versions dropped: committed long ago, so no grace
    for col in catalog.collections():
        versions = catalog.versions(col.project, col.name)
        drop: list[VersionRecord] = []
        if keep_last is not None and col.kind == "sequence":
            linked = {v.id for v in versions if catalog.links(v.id)}
            drop = beyond_last(versions, keep_last, linked)
        drop_ids = {v.id for v in drop}
        for v in versions:
            if v.id not in drop_ids:
                referenced.update(e.digest for e in catalog.manifest(v.id) if e.ref is None)
        for v in drop:
            digests = {e.digest for e in catalog.manifest(v.id) if e.ref is None}
            try:
                if not dry_run:
                    catalog.delete(v.id)
            except ArtifactConflict:  # aliased or linked since it was read: it stays
                referenced |= digests
                continue
            dropped |= digests
            report.versions.append(v)
    blobs = catalog.blobs
    now = time.time()
    # A dropped version's blobs were stored long ago: untouched since gc began is enough.
    since = {d: now if d in dropped else now - grace for d in blobs.digests() if d not in referenced}
    if dry_run:
        found = ((d, blobs.untouched(d, t)) for d, t in since.items())
        removed = [(d, st.st_size if st.st_nlink <= 1 else 0) for d, st in found if st is not None]
    else:
        removed = catalog.remove_unreferenced(since)
    for digest, freed in removed:
        report.blobs.append(digest)
        report.freed += freed  # a hard-linked blob's bytes stay with its twin
    cutoff = now - grace
    for path in list(blobs.temps()):
        st = _stat(path)
        if st is None or st.st_mtime > cutoff:
            continue  # an add in progress
        report.temp.append(path)
        report.freed += st.st_size
        if not dry_run:
            path.unlink(missing_ok=True)
    return report


def _stat(path: Path) -> os.stat_result | None:
    try:
        return path.lstat()
    except FileNotFoundError:  # removed meanwhile (another gc, a finished add)
        return None
