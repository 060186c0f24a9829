"""The RunTable's static picture: the rows its page filtered and sorted, in that order (the
page reports them in ``_shown``; the view is mounted in Chromium through the harness), and,
before a page has shown the table's filter and sort, every run newest first with a line
saying that the live view applies them."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import wbnb
from wbnb.widgets import RunTable

from .harness import Harness, record
from .test_static import XSS, assert_escaped, parse, texts

NAMES = ("alpha", "beta", "gamma", XSS)
LIVE_NOTE = "filter and sort are applied by the live view; this picture lists every run, newest first"


def _tbl_runs() -> None:
    for name, lr, acc in [("alpha", 0.1, 0.7), ("beta", 0.01, 0.9), ("gamma", 0.001, 0.8), (XSS, 0.002, 0.85)]:
        with wbnb.init(project="tbl", name=name, config={"lr": lr}, tags=["base"] if lr > 0.005 else ["<b>t</b>"]):
            wbnb.log({"acc": acc})


def _names(words: list[str]) -> list[str]:
    return [w for w in words if w in NAMES]


def _take_shown(h: Harness, w: Any) -> None:
    """Wait until the page has reported what it shows for the widget's filter, sort and
    data, and hand that to Python as a comm update would."""
    h.page.wait_for_function(
        "([id, f, s, rev]) => { const shown = window.wbnb.models[id].get('_shown');"
        " return !!shown && shown.filter === f && JSON.stringify(shown.sort) === JSON.stringify(s)"
        " && shown.rev === rev; }",
        arg=[w.model_id, w.filter, list(w.sort), w._data["rev"]],
    )
    w.set_state({"_shown": h.page.evaluate("([id]) => window.wbnb.models[id].get('_shown')", [w.model_id])})


def test_the_picture_draws_the_rows_the_page_filtered_and_sorted(store_dir: Path, harness: Harness) -> None:
    _tbl_runs()
    table = RunTable("tbl", filter="config.lr < 0.05", sort="-summary.acc")
    harness.mount(table, "table")
    _take_shown(harness, table)
    words = texts(parse(table.to_svg()))
    assert words[0] == "tbl · 3 of 4 runs" and "filter: config.lr < 0.05" in words
    assert _names(words) == ["beta", XSS, "gamma"]  # filtered, best accuracy first
    assert "summary.acc ▼" in words and "<b>t</b>" in words  # a tag, as text
    assert LIVE_NOTE not in words
    assert_escaped(table.to_svg())
    # Python sets a malformed filter: until the page has shown it, the picture does not guess.
    table.filter = "config.lr <"
    words = texts(parse(table.to_svg()))
    assert "filter: config.lr <" in words and LIVE_NOTE in words and len(_names(words)) == 4
    harness.page.evaluate("([id, f]) => window.wbnb.models[id].set('filter', f)", [table.model_id, table.filter])
    _take_shown(harness, table)
    words = texts(parse(table.to_svg()))
    assert any(w.startswith("filter not applied (at 12: expected a value") for w in words)
    assert len(_names(words)) == 4  # every run, as the table does
    assert not harness.errors


def test_the_picture_caps_rows_and_columns(store_dir: Path, harness: Harness) -> None:
    for i in range(52):
        with wbnb.init(project="many", name=f"run-{i}", config={f"c{j}": j for j in range(15)}):
            wbnb.log({"i": i})
    table = RunTable("many", sort="name")
    harness.mount(table, "table")
    _take_shown(harness, table)
    words = texts(parse(table.to_svg()))
    rows = [w for w in words if w.startswith("run-")]
    assert rows[:3] == ["run-0", "run-1", "run-2"] and rows[10] == "run-10" and len(rows) == 50  # natural order
    assert any(w.startswith("… and 2 more runs") and "more columns not shown" in w for w in words)
    assert not harness.errors


def test_new_rows_are_pictured_once_the_page_has_shown_them(store_dir: Path, harness: Harness) -> None:
    _tbl_runs()
    table = RunTable("tbl", sort="name")
    comm = record(table)
    harness.mount(table, "table")
    _take_shown(harness, table)
    assert _names(texts(parse(table.to_svg()))) == [XSS, "alpha", "beta", "gamma"]
    with wbnb.init(project="tbl", name="delta"):
        pass
    table.refresh()
    words = texts(parse(table.to_svg()))
    assert words[0] == "tbl · 5 of 5 runs" and LIVE_NOTE in words  # the page has not shown the new run yet
    harness.deliver(table, comm.take())
    _take_shown(harness, table)
    words = texts(parse(table.to_svg()))
    assert words[0] == "tbl · 5 of 5 runs" and LIVE_NOTE not in words
    assert [w for w in words if w in (*NAMES, "delta")] == [XSS, "alpha", "beta", "delta", "gamma"]
    assert not harness.errors


def test_before_a_page_has_shown_the_table_the_picture_lists_every_run_newest_first(store_dir: Path) -> None:
    _tbl_runs()
    table = RunTable("tbl", filter="config.lr < 0.05", sort="-summary.acc")
    words = texts(parse(table.to_svg()))
    assert words[0] == "tbl · 4 runs" and "filter: config.lr < 0.05" in words and "sort: -summary.acc" in words
    assert LIVE_NOTE in words
    assert _names(words) == [XSS, "gamma", "beta", "alpha"]  # as read: newest first
    assert "summary.acc ▼" not in words
    assert_escaped(table.to_svg())
    plain = texts(parse(RunTable("tbl").to_svg()))  # the default sort is the order read: nothing to say
    assert plain[0] == "tbl · 4 of 4 runs" and "created ▼" in plain and LIVE_NOTE not in plain
    assert _names(plain) == [XSS, "gamma", "beta", "alpha"]


def test_a_displayed_table_redraws_its_picture_once_when_the_page_first_reports(
    store_dir: Path, harness: Harness
) -> None:
    from IPython.core.interactiveshell import InteractiveShell
    from IPython.utils.capture import capture_output

    _tbl_runs()
    table = RunTable("tbl", filter="config.lr < 0.05", sort="-summary.acc")
    InteractiveShell.instance()
    with capture_output() as shown:
        table._ipython_display_()  # drawn before any page: every run, and the note
        harness.mount(table, "table")
        _take_shown(harness, table)  # the page's first report: the output is redrawn with its rows
        deadline = time.monotonic() + 10
        while not table._pictured_shown:  # the redraw waits on the loop playwright runs
            assert time.monotonic() < deadline, "the output was not redrawn"
            harness.page.wait_for_timeout(50)
        harness.page.evaluate("([id]) => window.wbnb.models[id].set('filter', 'config.lr < 0.005')", [table.model_id])
        table.filter = "config.lr < 0.005"
        _take_shown(harness, table)  # a later report (the viewer typing): no redraw
    pictures = [texts(parse(o.data["image/svg+xml"])) for o in shown.outputs if "image/svg+xml" in o.data]
    assert len(pictures) == 2
    assert LIVE_NOTE in pictures[0] and len(_names(pictures[0])) == 4
    assert LIVE_NOTE not in pictures[1] and _names(pictures[1]) == ["beta", XSS, "gamma"]
