from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest


@pytest.fixture(autouse=True)
def _no_saved_login(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never read or write the machine's saved server keys, and never log to a
    server unless they say so (subprocesses inherit this environment)."""
    monkeypatch.setenv("WBNB_CONFIG_DIR", str(tmp_path_factory.mktemp("config")))
    for name in ("WBNB_BASE_URL", "WBNB_API_KEY"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def store_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A fresh store for the test, with quiet runs and no background sampling."""
    import wbnb

    root = tmp_path / "store"
    monkeypatch.setenv("WBNB_DIR", str(root))
    monkeypatch.setenv("WBNB_SILENT", "1")
    monkeypatch.setenv("WBNB_SYSTEM_INTERVAL", "0")
    monkeypatch.setenv("WBNB_CONSOLE", "0")
    yield root
    from wbnb.sdk.lifecycle import _active

    for run in list(_active):  # a failing test must not leave a run open for the next
        run.finish(quiet=True)
    assert wbnb.run is None


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    """One headless Debian Chromium for the whole session, shared by the widget and the
    notebook browser tests: Playwright's sync API allows one driver per thread, so a
    second `sync_playwright()` while the first is open fails."""
    from playwright.sync_api import sync_playwright

    from tests.widgets.harness import CHROMIUM, CHROMIUM_ARGS

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield b
        finally:
            b.close()


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """A session in which no test passed (all skipped or deselected) proved nothing: it fails
    as one that collected nothing does (exit status 5), so CI never goes green on an empty run."""
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if exitstatus == pytest.ExitCode.OK and reporter is not None and not session.config.option.collectonly:
        if not reporter.stats.get("passed"):
            reporter.write_line("\nno test passed: the session fails (exit status 5)", red=True)
            session.exitstatus = pytest.ExitCode.NO_TESTS_COLLECTED


@pytest.fixture(scope="session")
def postgres() -> Iterator[Any]:
    """A throwaway PostgreSQL for the session (``tests/server/pg.py``); its database is
    ``.url``. Fails, never skips, without PostgreSQL: CI installs Debian's ``postgresql``.
    Shared by the server's tests and the artifact catalog's."""
    from tests.server.pg import PostgresUnavailable, TempPostgres

    try:
        pg = TempPostgres()
    except PostgresUnavailable as e:
        pytest.fail(str(e), pytrace=False)
    with pg:
        yield pg
