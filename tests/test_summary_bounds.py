"""The end-of-run summary and `wbnb show` stay small whatever a run holds, and the
summary never raises into the user's code (issue 13, finding 8)."""

from __future__ import annotations

from pathlib import Path

import pytest

import wbnb
from wbnb.cli import main
from wbnb.sdk.sparklines import KEY_WIDTH, ROW_LIMIT, fit_key, render_summary_html, render_summary_text

LONG = "eval/" + "k" * 5_000 + "/loss"  # sorts before the m* keys: it is shown
KEYS = 2_000


def log_a_wide_run(project: str) -> wbnb.Run:
    run = wbnb.init(project=project)
    for step in range(3):
        wbnb.log({LONG: float(step), **{f"m{i:05d}": float(i + step) for i in range(KEYS)}})
    return run


def check_bounded(text: str) -> None:
    lines = text.splitlines()
    assert len(lines) < 3 * ROW_LIMIT + 40
    assert max(len(line) for line in lines) < 120
    assert fit_key(LONG) in text and fit_key(LONG).startswith("eval/k") and fit_key(LONG).endswith("k/loss")
    assert f"… and {KEYS + 1 - ROW_LIMIT:,} more" in text  # history and summary each say what they left out


def test_fit_key_keeps_both_ends() -> None:
    assert fit_key("short") == "short"
    cut = fit_key("a" * 30 + "b" * 30)
    assert len(cut) == KEY_WIDTH and cut.startswith("a" * 19) and cut.endswith("b" * 20) and "…" in cut


def test_render_summary_caps_rows_and_says_where_the_rest_is() -> None:
    history = {f"h{i:03d}": [1.0, 2.0] for i in range(100)}
    summary = {f"s{i:03d}": i for i in range(50)}
    text = render_summary_text(history, summary, "title", "run.summary")
    lines = text.splitlines()
    assert lines[:3] == ["title", "Run history:", "  h000  ▁█"]
    assert "  … and 60 more" in lines and "  … and 10 more" in lines
    assert lines[-1] == "(70 rows left out; all of them: run.summary)"
    assert len(lines) == 1 + 2 * (1 + ROW_LIMIT + 1) + 1
    page = render_summary_html(history, summary, "title", "run.summary")
    assert page.count("<tr>") == 2 * (ROW_LIMIT + 1) and "70 rows left out" in page


def test_finish_prints_a_bounded_summary(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("WBNB_DIR", str(tmp_path))
    monkeypatch.setenv("WBNB_SYSTEM_INTERVAL", "0")
    monkeypatch.setenv("WBNB_CONSOLE", "0")
    run = log_a_wide_run("wide")
    wbnb.finish()
    out = capsys.readouterr().out
    check_bounded(out)
    assert f"all of them: run.summary, wbnb.Api().run('wide/{run.id}').summary and .history()" in out
    stored = wbnb.Api({"dir": str(tmp_path)}).run(f"wide/{run.id}")
    assert len(stored.summary) == KEYS + 1 and stored.summary[LONG] == 2.0  # only the printout is bounded


def test_wbnb_show_is_bounded_the_same_way(store_dir: Path, capsys) -> None:
    run = log_a_wide_run("wide")
    run.config.update({f"c{i:05d}": i for i in range(KEYS)} | {LONG: 1})
    wbnb.finish()
    capsys.readouterr()
    assert main(["show", f"wide/{run.id}"]) == 0
    out = capsys.readouterr().out
    check_bounded(out)
    assert f"… and {KEYS + 1 - ROW_LIMIT:,} more" in out.split("Run history:")[0]  # the config too
    assert f"all of them: wbnb.Api().run('wide/{run.id}').config, .summary and .history()" in out


def test_a_summary_that_cannot_be_shown_is_warned_not_raised(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("WBNB_DIR", str(tmp_path))
    monkeypatch.setenv("WBNB_SYSTEM_INTERVAL", "0")
    monkeypatch.setenv("WBNB_CONSOLE", "0")

    def no_memory(*args: object) -> str:
        raise MemoryError

    monkeypatch.setattr("wbnb.sdk.finish.render_summary_text", no_memory)
    run = wbnb.init(project="p")
    wbnb.log({"a": 1})
    with pytest.warns(RuntimeWarning, match=r"could not show the run's summary \(MemoryError"):
        wbnb.finish()
    assert wbnb.run is None and wbnb.Api({"dir": str(tmp_path)}).run(f"p/{run.id}").state == "finished"
