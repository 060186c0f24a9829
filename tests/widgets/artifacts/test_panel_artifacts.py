"""RunPanel's artifacts section: the versions a run used and logged, as text, shown once
the run has any (a panel made before its first artifact gains the section on flush)."""

from __future__ import annotations

from pathlib import Path

import pytest

import wbnb
from tests.artifacts.memcatalog import MemCatalog, log
from wbnb.store.catalog.base import Catalog
from wbnb.store.catalog.records import RunRef
from wbnb.widgets import Curves, RunPanel
from wbnb.widgets.panel.artifacts import RunArtifacts

XSS = "<img src=x onerror=alert(1)>"


def _catalog(run: wbnb.Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Catalog:
    """The run's store's catalog (an in-memory one where the store has none yet)."""
    store = run._store  # type: ignore[attr-defined]
    if not isinstance(getattr(store, "catalog", None), Catalog):
        (tmp_path / "src").mkdir()
        monkeypatch.setattr(store, "catalog", MemCatalog(tmp_path / "objects"), raising=False)
    return store.catalog  # type: ignore[no-any-return]


def test_section_lists_inputs_and_outputs_as_text(
    store_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run = wbnb.init(project="panel")
    c = _catalog(run, tmp_path, monkeypatch)
    wbnb.log({"loss": 1.0})
    panel = RunPanel(run, store=run._store)  # type: ignore[attr-defined]
    assert len(panel.children) == 2 and isinstance(panel.children[1], Curves)  # no artifacts: no section
    me = RunRef("panel", run.id)
    data = log(c, tmp_path / "src", "panel", "data", {"a": b"1"})
    c.use(data.id, me)
    log(c, tmp_path / "src", "panel", "model", {"w": b"2"}, type="model", run=me, aliases=(XSS,))
    panel.flush()
    section = panel.children[1]
    assert isinstance(section, RunArtifacts) and isinstance(panel.children[2], Curves)
    assert section.lines == ["used: data:v0", f"logged: model:v0 ({XSS})"]
    assert "&lt;img src=x onerror=alert(1)&gt;" in section.value and "<img" not in section.value
    assert "logged: model:v0 (&lt;img src=x" in panel.to_svg()
    run.finish(quiet=True)
