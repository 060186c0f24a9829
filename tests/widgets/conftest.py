from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .harness import CHROMIUM, STATIC, Harness, _site, serve


def _need_browser() -> None:
    missing = []
    if not Path(CHROMIUM).exists():
        missing.append(f"{CHROMIUM} (apt-get install chromium)")
    try:
        import playwright  # noqa: F401
    except ImportError:
        missing.append("playwright (pip install playwright)")
    if not (STATIC / "curves.js").exists():
        missing.append("built bundles (npm ci && npm run build)")
    if missing:
        if os.environ.get("CI"):
            pytest.fail("browser tests need: " + ", ".join(missing))
        pytest.skip("browser tests need: " + ", ".join(missing))


@pytest.fixture(scope="session")
def browser(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> Iterator[tuple[Any, str]]:
    _need_browser()
    chromium = request.getfixturevalue("chromium")
    base, server = serve(_site(str(tmp_path_factory.mktemp("site"))))
    try:
        yield chromium, base
    finally:
        server.shutdown()


@pytest.fixture
def harness(browser: tuple[Any, str]) -> Iterator[Harness]:
    b, base = browser
    page = b.new_page(viewport={"width": 1280, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    h = Harness(page, base)
    h.errors = errors  # type: ignore[attr-defined]
    try:
        yield h
    finally:
        page.close()
