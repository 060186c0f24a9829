"""RunTable in a real headless Chromium: sort, filter, columns, selection, 10k rows, safe text."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from .harness import Harness, fresh_bundle

XSS = "<img src=x onerror=alert(1)>"


@pytest.fixture(autouse=True, scope="module")
def _bundle() -> None:
    fresh_bundle("table")


def _make_runs() -> None:
    import wbnb

    specs = [
        ("alpha", 1e-4, 0.91, ["baseline"]),
        ("beta", 5e-4, 0.79, ["cnn"]),
        ("gamma", 3e-3, 0.85, ["baseline", "cnn"]),
        (XSS, 1e-4, 0.50, [XSS]),
    ]
    for name, lr, acc, tags in specs:
        run = wbnb.init(
            project="t", name=name, config={"lr": lr, "opt": {"name": "adam"}}, tags=tags, reinit="create_new"
        )
        run.log({"val_acc": acc, "train/loss": 1 - acc})
        run.finish()


def _names(h: Harness) -> list[str]:
    return h.page.evaluate("""() => [...document.querySelectorAll('.wbnb-row')]
        .sort((a, b) => a.offsetTop - b.offsetTop)
        .map(r => r.children[1 + [...document.querySelectorAll('.wbnb-th')].slice(1)
            .findIndex(th => th.dataset.key === 'name')].textContent)""")


def _model(h: Harness, w: Any, key: str) -> Any:
    return h.page.evaluate("([id, k]) => window.wbnb.models[id].get(k)", [w.model_id, key])


def _pull(h: Harness, w: Any, *keys: str) -> None:
    """What the front end set on its model reaches Python, as a comm update would."""
    w.set_state({k: _model(h, w, k) for k in keys})


def _table(**kw: Any) -> Any:
    from wbnb.widgets import RunTable

    return RunTable("t", **kw)


def test_header_click_sorts_and_shift_adds_a_secondary_key(store_dir: Path, harness: Harness) -> None:
    _make_runs()
    w = _table(sort="name")
    harness.mount(w, "table")
    harness.page.wait_for_selector(".wbnb-row")
    assert _names(harness) == [XSS, "alpha", "beta", "gamma"]
    harness.page.click(".wbnb-th[data-key='summary.val_acc']")
    assert _names(harness) == [XSS, "beta", "gamma", "alpha"]
    harness.page.click(".wbnb-th[data-key='summary.val_acc']")  # again: reversed
    assert _names(harness) == ["alpha", "gamma", "beta", XSS]
    _pull(harness, w, "sort")
    assert w.sort == ["-summary.val_acc"]
    harness.page.click(".wbnb-th[data-key='config.lr']")
    harness.page.click(".wbnb-th[data-key='name']", modifiers=["Shift"])
    harness.page.click(".wbnb-th[data-key='name']", modifiers=["Shift"])  # secondary reversed
    assert _names(harness) == [XSS, "alpha", "beta", "gamma"][1::-1] + ["beta", "gamma"]
    _pull(harness, w, "sort")
    assert w.sort == ["config.lr", "-name"]
    assert "▲1" in harness.page.text_content(".wbnb-th[data-key='config.lr']")
    assert "▼2" in harness.page.text_content(".wbnb-th[data-key='name']")
    harness.screenshot("table-sorted")
    assert not harness.errors


def test_filter_box_filters_and_reports_malformed_inline(store_dir: Path, harness: Harness) -> None:
    _make_runs()
    w = _table(sort="name")
    harness.mount(w, "table")
    box = harness.page.locator(".wbnb-filter")
    box.fill("summary.val_acc > 0.8 and config.lr < 1e-3")
    assert _names(harness) == ["alpha"]
    box.fill("tags has baseline")
    assert _names(harness) == ["alpha", "gamma"]
    box.fill("name ~ '^[AB]'")  # a case-insensitive regex
    assert _names(harness) == ["alpha", "beta"]
    box.fill("config.opt.name == adam and not tags has cnn")
    assert _names(harness) == [XSS, "alpha"]
    box.fill("summary.val_acc > ")
    err = harness.page.text_content(".wbnb-ferr")
    assert "at 19: expected a value" in err and "^" in err
    assert "wbnb-bad" in (box.get_attribute("class") or "")
    assert len(_names(harness)) == 4  # a malformed filter hides nothing
    _pull(harness, w, "filter", "filter_error")
    assert w.filter == "summary.val_acc > " and "expected a value" in w.filter_error
    harness.screenshot("table-filter-error")
    # Python sets the filter: the front end follows
    w.filter = "train/loss < 0.1"  # a bare metric name is summary.<name>
    harness.page.evaluate("([id, f]) => window.wbnb.models[id].set('filter', f)", [w.model_id, w.filter])
    assert _names(harness) == ["alpha"]
    assert harness.page.text_content(".wbnb-ferr") == ""
    harness.page.evaluate("([id]) => window.wbnb.models[id].set('filter', '(name ~ a')", [w.model_id])
    _pull(harness, w, "filter_error")
    assert w.filter_error.startswith("(name ~ a\n") and 'expected ")"' in w.filter_error
    assert not harness.errors


def test_column_chooser_hides_and_reorders(store_dir: Path, harness: Harness) -> None:
    _make_runs()
    w = _table()
    harness.mount(w, "table")
    heads = lambda: harness.page.eval_on_selector_all(".wbnb-th[data-key]", "ts => ts.map(t => t.dataset.key)")
    assert heads()[:5] == ["name", "state", "created", "duration", "tags"]
    assert "config.opt.name" in heads() and "summary.train/loss" in heads()
    harness.page.click(".wbnb-colsbtn")
    harness.page.uncheck(".wbnb-citem[data-key='state'] input")
    harness.page.click(".wbnb-citem[data-key='tags'] .wbnb-up")
    harness.page.click(".wbnb-citem[data-key='tags'] .wbnb-up")
    assert heads()[:4] == ["name", "tags", "created", "duration"]
    assert "state" not in heads()
    _pull(harness, w, "columns")
    assert w.columns[:3] == ["name", "tags", "created"] and "state" not in w.columns
    harness.page.check(".wbnb-citem[data-key='state'] input")  # shown again, at the end
    assert heads()[-1] == "state"
    harness.screenshot("table-columns")
    assert not harness.errors


def test_selection_reaches_python_and_drives_a_link(store_dir: Path, harness: Harness) -> None:
    _make_runs()
    w = _table(sort="name")
    seen: list[list[str]] = []
    w.link(seen.append)
    harness.mount(w, "table")
    rows = harness.page.locator(".wbnb-row")
    rows.nth(1).click()
    rows.nth(3).click(modifiers=["Control"])
    assert harness.page.locator(".wbnb-row.wbnb-sel").count() == 2
    _pull(harness, w, "selected")
    by_name = dict(zip(_names_all(w), w.run_ids))
    assert sorted(w.selected) == sorted([by_name["alpha"], by_name["gamma"]])
    assert seen[-1] == w.selected
    assert sorted(r.name for r in w.selected_runs()) == ["alpha", "gamma"]
    box = w.curves()
    assert len(box.children) == 1 and sorted(box.children[0].colors) == sorted(w.selected)
    rows.nth(0).click()  # plain click: only this row
    _pull(harness, w, "selected")
    assert w.selected == [by_name[XSS]]
    assert not harness.errors


def _names_all(w: Any) -> list[str]:
    col = next(c for c in w._data["columns"] if c["key"] == "name")
    return col["values"]


def test_xss_name_is_literal_text(store_dir: Path, harness: Harness) -> None:
    _make_runs()
    w = _table(sort="name")
    harness.page.evaluate("() => { window.__xss = undefined; window.alert = () => { window.__xss = 1; }; }")
    harness.mount(w, "table")
    harness.page.wait_for_selector(".wbnb-row")
    harness.settle()
    assert _names(harness)[0] == XSS
    assert harness.page.locator(".wbnb-table img").count() == 0
    assert XSS in harness.page.text_content(".wbnb-body")
    assert harness.page.evaluate("() => window.__xss") is None
    harness.screenshot("table-xss")


def test_10k_runs_keep_only_a_window_of_rows_in_the_dom(harness: Harness, tmp_path: Path) -> None:
    from wbnb.store.local import LocalStore
    from wbnb.widgets.table import RunTable, columnar

    rows = [
        {
            "id": f"r{i:05d}",
            "name": f"run-{i}",
            "state": "finished",
            "created": 1.7e9 + i,
            "duration": float(i % 977),
            "tags": ["even"] if i % 2 == 0 else [],
            **{f"config.p{j}": (i * 31 + j) % 101 / 7 for j in range(20)},
            **{f"summary.m{j}": ((i * 17 + j) % 1000) / 1000 for j in range(25)},
        }
        for i in range(10_000)
    ]
    w = RunTable("none", store=LocalStore(tmp_path / "s"), sort="-summary.m0")
    w._data = columnar(rows)
    harness.mount(w, "table")
    harness.page.wait_for_selector(".wbnb-row")
    count = harness.page.locator(".wbnb-row").count()
    assert 10 < count < 100
    assert "10000 of 10000" in harness.page.text_content(".wbnb-count")
    harness.page.evaluate("() => { const s = document.querySelector('.wbnb-scroll'); s.scrollTop = 24 * 5000; }")
    harness.page.wait_for_function("() => [...document.querySelectorAll('.wbnb-row')].some(r => +r.dataset.k > 4900)")
    assert 10 < harness.page.locator(".wbnb-row").count() < 100
    ks = harness.page.eval_on_selector_all(".wbnb-row", "rs => rs.map(r => +r.dataset.k)")
    assert min(ks) > 4900 and max(ks) < 5100
    harness.page.locator(".wbnb-filter").fill("tags has even and summary.m1 > 0.5")
    assert "of 10000" in harness.page.text_content(".wbnb-count")
    assert harness.page.locator(".wbnb-row").count() < 100
    harness.screenshot("table-10k")
    assert not harness.errors
