"""ArtifactBrowser: a collection's versions in Chromium, a click showing who logged and
used a version and its files (answered by Python), a metadata diff of two versions,
every user string as text, and the static picture."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from tests.artifacts.fill import log, new_catalog
from wbnb.store.catalog.records import RunRef

from ..harness import Harness, fresh_bundle, record

XSS = "<img src=x onerror=alert(1)>"


@pytest.fixture(autouse=True, scope="module")
def _bundle() -> None:
    fresh_bundle("artifacts")


def _browser(tmp_path: Path, **kw: Any) -> Any:
    from wbnb.widgets import ArtifactBrowser

    (tmp_path / "src").mkdir()
    c = new_catalog(tmp_path / "catalog")
    files = {f"f{i}.bin": bytes([i]) * (i + 1) for i in range(3)}
    v0 = log(
        c, tmp_path / "src", "p", "ckpt", files, metadata={"lr": 0.1, XSS: XSS, "epochs": 3}, run=RunRef("p", "t1")
    )
    v1 = log(
        c, tmp_path / "src", "p", "ckpt", {"w": b"2"}, metadata={"lr": 0.01, "epochs": 3, "new": True}, aliases=(XSS,)
    )
    c.use(v0.id, RunRef("p", "ev1"))
    c.use(v0.id, RunRef("p", "ev2"))
    return ArtifactBrowser("p/ckpt", catalog=c, **kw), v0, v1


def test_versions_click_files_and_diff_as_text(tmp_path: Path, harness: Harness) -> None:
    w, v0, v1 = _browser(tmp_path)
    comm = record(w)
    harness.page.evaluate("() => { window.__xss = false; window.alert = () => { window.__xss = true; }; }")
    harness.mount(w, "artifacts")
    harness.page.wait_for_selector(".wbnb-artifacts .wbnb-versions")
    rows = harness.page.evaluate(
        "() => [...document.querySelectorAll('.wbnb-versions tbody tr')].map(r => r.innerText)"
    )
    assert rows[0].split("\t")[1:3] == ["v1", f"{XSS}latest"] and "v0" in rows[1]
    assert "17 B" not in rows[1] and "6 B" in rows[1]  # sizes as Python wrote them

    # click v0: who logged it, who used it, and its files once Python answers
    harness.page.click(f".wbnb-versions tr[data-id='{v0.id}']")
    assert harness.page.evaluate(f"() => window.wbnb.models['{w.model_id}'].get('selected')") == v0.id
    about = harness.page.inner_text(".wbnb-about")
    assert "logged by\tt1 (p/t1)" in about and "used by\tev1 (p/ev1), ev2 (p/ev2)" in about
    assert f'{XSS}\t"{XSS}"' in about  # a metadata key and value, as text
    sent = harness.page.evaluate(f"() => window.wbnb.models['{w.model_id}'].sent.splice(0)")
    assert sent == [{"type": "files", "version": v0.id}]
    w._on_request(w, sent[0], [])
    harness.deliver(w, comm.take())
    harness.page.wait_for_function("() => document.querySelector('.wbnb-files').innerText.includes('f2.bin')")
    assert "f0.bin" in harness.page.inner_text(".wbnb-files")

    # tick both: the metadata diff
    for v in (v0, v1):
        harness.page.click(f".wbnb-versions tr[data-id='{v.id}'] input")
    diff = harness.page.evaluate(
        "() => [...document.querySelectorAll('.wbnb-diff tr')].slice(1).map(r => [r.className, r.innerText])"
    )
    assert diff == [
        ["wbnb-removed", f'{XSS}\t"{XSS}"\t'],
        ["wbnb-changed", "lr\t0.1\t0.01"],
        ["wbnb-added", "new\t\ttrue"],
    ]
    assert "1 keys the same" in harness.page.inner_text(".wbnb-diff")
    harness.screenshot("artifact-browser-diff")
    harness.settle()
    assert harness.page.evaluate("() => document.querySelectorAll('.wbnb-artifacts img').length") == 0
    assert harness.page.evaluate("() => window.__xss") is False
    assert not harness.errors  # type: ignore[attr-defined]


def test_picture_lists_versions_and_the_selected_one(tmp_path: Path) -> None:
    w, v0, _ = _browser(tmp_path)
    w.selected = v0.id
    svg = w.to_svg()
    root = ET.fromstring(svg)
    texts = [t.text or "" for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert texts[0] == "p/ckpt" and "dataset · 2 versions" in texts
    assert "used by ev1, ev2" in texts and any(t.strip().startswith("f0.bin") for t in texts)
    assert "&lt;img src=x" in svg and root.find(".//{http://www.w3.org/2000/svg}img") is None


def test_files_are_answered_only_for_listed_versions(tmp_path: Path) -> None:
    w, v0, _ = _browser(tmp_path)
    comm = record(w)
    w._on_request(w, {"type": "files", "version": "nope"}, [])
    w._on_request(w, {"type": "files"}, [])
    assert comm.take() == []
    w._on_request(w, {"type": "files", "version": v0.id}, [])
    ((data, _),) = comm.take()
    assert data["content"]["total"] == 3 and [f["path"] for f in data["content"]["files"]] == [
        "f0.bin",
        "f1.bin",
        "f2.bin",
    ]
